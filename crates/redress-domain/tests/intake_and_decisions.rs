//! Who may complain, the time limit, late escalation requests and contact restrictions: the rules each
//! policy states, applied at intake or waiting for an officer's recorded decision.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::case::{Case, ClockStatus, State};
use redress_domain::event::{CaseEvent, ChallengeOutcome, Channel, Event, Outcome, Relationship};
use redress_domain::intake::{Intake, check_intake};
use redress_domain::{BankHolidays, Policy, presets};

fn intake(received: &str) -> Intake {
    Intake {
        received_on: Some(d(received)),
        ..Intake::default()
    }
}

fn refusals(policy_id: &str, i: &Intake) -> Vec<(String, String)> {
    check_intake(&policy(policy_id), i)
        .into_iter()
        .map(|r| (r.field.unwrap_or("").to_owned(), r.message))
        .collect()
}

/// A complaint received under `id` with intake facts recorded on its receipt.
fn received_with(
    id: &str,
    on: &str,
    relationship: Option<Relationship>,
    matter_arose_on: Option<&str>,
) -> Scenario {
    let mut s = Scenario::received(id, on);
    let first = CaseEvent::new(
        Event::Received {
            on: d(on),
            channel: Channel::Phone,
            relationship,
            tenancy_ended_on: None,
            matter_arose_on: matter_arose_on.map(d),
        },
        None,
    );
    s.case = Case::open(&first).unwrap();
    s.events = vec![first];
    s
}

fn codes(s: &Scenario, as_of: &str) -> Vec<&'static str> {
    s.case
        .warnings(&s.policy, &s.calendar, d(as_of))
        .iter()
        .map(|w| w.code)
        .collect()
}

#[test]
fn who_may_complain_is_applied_at_intake_in_the_policys_words() {
    let leaseholder = Intake {
        relationship: Some(Relationship::Leaseholder),
        ..intake("2026-03-02")
    };
    assert_eq!(
        refusals("herefordshire-council", &leaseholder),
        vec![(
            "relationship".to_owned(),
            "Herefordshire Council Housing Tenants Complaints Policy and Procedure 2021-2024 does not accept complaints from leaseholders under this policy (the policy says: \"Herefordshire Council Tenants only\")".to_owned()
        )]
    );
    let tenant = Intake {
        relationship: Some(Relationship::Tenant),
        ..intake("2026-03-02")
    };
    assert!(refusals("herefordshire-council", &tenant).is_empty());
    // The Code accepts leaseholders.
    assert!(refusals("code-2024", &leaseholder).is_empty());
}

#[test]
fn a_former_tenant_outside_the_policys_window_is_refused() {
    // Tenancy ended Wed 31 Dec 2025; "within six months of their tenancy ending": until Tue 30 Jun 2026.
    let former = |received: &str| Intake {
        relationship: Some(Relationship::FormerTenant),
        tenancy_ended_on: Some(d("2025-12-31")),
        ..intake(received)
    };
    assert!(refusals("performance-improvement-2025", &former("2026-06-30")).is_empty());
    let late = refusals("performance-improvement-2025", &former("2026-07-01"));
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].0, "tenancy_ended_on");
    assert!(
        late[0].1.ends_with(
            "accepts complaints from former tenants within 6 months of their tenancy ending; this tenancy ended on Wed 31 Dec 2025, so the window closed on Tue 30 Jun 2026"
        ),
        "{}",
        late[0].1
    );
    // Without the end date the window cannot be applied, so it is asked for.
    let undated = Intake {
        relationship: Some(Relationship::FormerTenant),
        ..intake("2026-03-02")
    };
    assert_eq!(
        refusals("performance-improvement-2025", &undated)[0].0,
        "tenancy_ended_on"
    );
    // The Code sets no window: a former tenant of years ago may complain.
    let old = Intake {
        relationship: Some(Relationship::FormerTenant),
        tenancy_ended_on: Some(d("2019-04-30")),
        ..intake("2026-03-02")
    };
    assert!(refusals("code-2024", &old).is_empty());
    // A tenancy end date belongs to a former tenant only.
    let tenant = Intake {
        relationship: Some(Relationship::Tenant),
        tenancy_ended_on: Some(d("2025-12-31")),
        ..intake("2026-03-02")
    };
    assert_eq!(refusals("code-2024", &tenant)[0].0, "tenancy_ended_on");
}

#[test]
fn anonymous_complaints_and_representatives_are_refused_where_the_policy_does_not_accept_them() {
    let anonymous = Intake {
        anonymous: true,
        ..intake("2026-03-02")
    };
    let r = refusals("harrogate-ha", &anonymous);
    assert_eq!(r[0].0, "complainant");
    assert!(
        r[0].1.contains("does not accept anonymous complaints"),
        "{}",
        r[0].1
    );
    assert!(refusals("code-2024", &anonymous).is_empty());

    let represented = Intake {
        representative_consent: Some(true),
        ..intake("2026-03-02")
    };
    let r = refusals("herefordshire-council", &represented);
    assert_eq!(r[0].0, "complainant.representative");
    assert!(
        r[0].1
            .contains("does not accept complaints made by representatives"),
        "{}",
        r[0].1
    );
    assert!(refusals("code-2024", &represented).is_empty());
    let without_consent = Intake {
        representative_consent: Some(false),
        ..intake("2026-03-02")
    };
    assert_eq!(
        refusals("code-2024", &without_consent),
        vec![(
            "complainant.representative.consent_recorded".to_owned(),
            "Record the complainant's consent before a representative acts for them".to_owned()
        )]
    );
}

#[test]
fn a_matter_older_than_the_time_limit_is_flagged_for_a_recorded_decision() {
    // Received Mon 24 Aug 2026 about a matter of Sat 1 Aug 2025: the Code's 12 months ended Sat 1 Aug 2026.
    let mut s = received_with(
        "code-2024",
        "2026-08-24",
        Some(Relationship::Tenant),
        Some("2025-08-01"),
    );
    // Never refused at intake.
    assert!(
        refusals(
            "code-2024",
            &Intake {
                matter_arose_on: Some(d("2025-08-01")),
                ..intake("2026-08-24")
            }
        )
        .is_empty()
    );
    let w = s.case.warnings(&s.policy, &s.calendar, d("2026-08-24"));
    let flag = w.iter().find(|w| w.code == "outside_time_limit").unwrap();
    assert_eq!(flag.provision, "2.3");
    assert_eq!(
        flag.message,
        "The matter arose on Fri 1 Aug 2025, and the policy's time limit ended on Sat 1 Aug 2026: decide whether to consider it, using discretion for good reason, or not to accept it on the time-limit ground"
    );
    assert_eq!(
        s.refused(Event::TimeLimitDiscretionUsed {
            on: d("2026-08-25"),
            reason: " ".into(),
        }),
        "Say why the complaint is considered although it is outside the time limit (Code 2.3)"
    );
    s.then(Event::TimeLimitDiscretionUsed {
        on: d("2026-08-25"),
        reason: "The resident was in hospital for most of the year".into(),
    });
    assert!(!codes(&s, "2026-08-25").contains(&"outside_time_limit"));
    assert_eq!(
        s.refused(Event::TimeLimitDiscretionUsed {
            on: d("2026-08-26"),
            reason: "Again".into(),
        }),
        "Discretion on the time limit was already recorded on Tue 25 Aug 2026"
    );

    // The other decision: not accepted on the time-limit ground.
    let mut s = received_with(
        "code-2024",
        "2026-08-24",
        Some(Relationship::Tenant),
        Some("2025-08-01"),
    );
    s.then(Event::Excluded {
        on: d("2026-08-25"),
        ground: "time-limit".into(),
        reason: "The leak was repaired in August 2025 and nothing new has happened since".into(),
    });
    assert_eq!(s.case.state, State::NotAccepted);

    // Within the limit: nothing to decide.
    let s = received_with(
        "code-2024",
        "2026-08-24",
        Some(Relationship::Tenant),
        Some("2025-08-24"),
    );
    assert!(!codes(&s, "2026-08-24").contains(&"outside_time_limit"));
    assert!(
        s.refused(Event::TimeLimitDiscretionUsed {
            on: d("2026-08-24"),
            reason: "Not needed".into(),
        })
        .starts_with("The complaint is within the policy's time limit")
    );
    // No limit at all (resolution-team-2022 sets none): a matter of 2019 is not flagged.
    let s = received_with(
        "resolution-team-2022",
        "2026-08-24",
        Some(Relationship::Tenant),
        Some("2019-01-07"),
    );
    assert!(!codes(&s, "2026-08-24").contains(&"outside_time_limit"));
}

#[test]
fn a_relationship_not_recorded_is_warned_about_until_it_is_recorded_and_checked() {
    let mut s = Scenario::received("herefordshire-council", "2026-03-02");
    assert!(codes(&s, "2026-03-02").contains(&"relationship_not_recorded"));
    assert!(
        s.refused(Event::RelationshipRecorded {
            on: d("2026-03-03"),
            relationship: Relationship::Leaseholder,
            tenancy_ended_on: None,
        })
        .contains("does not accept complaints from leaseholders")
    );
    s.then(Event::RelationshipRecorded {
        on: d("2026-03-03"),
        relationship: Relationship::Tenant,
        tenancy_ended_on: None,
    });
    assert_eq!(s.case.relationship, Some(Relationship::Tenant));
    assert!(!codes(&s, "2026-03-03").contains(&"relationship_not_recorded"));
}

/// Herefordshire: stage 1 answered Mon 22 Dec 2025; the window for stage 2 is 28 calendar days, to Mon 19 Jan.
fn herefordshire_answered() -> Scenario {
    let mut s = received_with(
        "herefordshire-council",
        "2025-12-01",
        Some(Relationship::Tenant),
        None,
    );
    s.ack("2025-12-02");
    s.respond("2025-12-12", Outcome::NotUpheld);
    s
}

#[test]
fn a_late_escalation_request_waits_for_a_decision_within_the_acknowledgement_time() {
    let mut s = herefordshire_answered();
    assert_eq!(s.due("escalation_window"), d("2026-01-09"));
    // Mon 12 Jan 2026: after the window. Recorded, and the case waits for the decision.
    s.escalate("2026-01-12");
    assert_eq!(s.case.state, State::EscalationDecisionNeeded);
    assert_eq!(s.case.state.as_str(), "escalation_decision_needed");
    assert!(s.case.round().requested_out_of_time);
    // The stage 2 acknowledgement clock runs from the request: 13, 14, 15, 16, 19 Jan.
    let ack = s.clock("stage2_acknowledge", "2026-01-12");
    assert_eq!(ack.due_on, d("2026-01-19"));
    assert_eq!(ack.status, ClockStatus::Pending);
    assert!(codes(&s, "2026-01-12").contains(&"late_escalation_request"));
    assert!(
        s.refused(Event::Responded {
            on: d("2026-01-13"),
            outcome: Some(Outcome::Upheld),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        })
        .starts_with("The resident asked for Stage 2 after the window closed")
    );
    // Refused on a published ground: back to the stage 1 response, the warning gone.
    s.then(Event::EscalationRefused {
        on: d("2026-01-14"),
        ground: "time-limit".into(),
        explanation: Some("Asked after the 28 days, with no reason for the delay".into()),
    });
    assert_eq!(s.case.state, State::Responded);
    assert_eq!(s.case.stage(), 1);
    assert!(!codes(&s, "2026-01-14").contains(&"late_escalation_request"));
}

#[test]
fn an_accepted_late_request_starts_the_stage_and_an_in_time_one_starts_it_at_once() {
    let mut s = herefordshire_answered();
    s.escalate("2026-01-12");
    assert_eq!(
        s.refused(Event::EscalationAccepted {
            on: d("2026-01-13"),
            reason: "".into(),
        }),
        "Say why the late request is accepted (the discretion used)"
    );
    s.then(Event::EscalationAccepted {
        on: d("2026-01-13"),
        reason: "The resident was abroad caring for a relative".into(),
    });
    assert_eq!(s.case.state, State::AwaitingAcknowledgement);
    assert_eq!(
        s.case.round().late_request_accepted_on,
        Some(d("2026-01-13"))
    );
    // The acknowledgement is still due from the request, not from the decision.
    assert_eq!(s.due("stage2_acknowledge"), d("2026-01-19"));
    s.ack("2026-01-14");

    let mut s = herefordshire_answered();
    s.escalate("2026-01-09");
    assert_eq!(s.case.state, State::AwaitingAcknowledgement);
    assert!(!s.case.round().requested_out_of_time);
    assert_eq!(
        s.refused(Event::EscalationAccepted {
            on: d("2026-01-09"),
            reason: "Nothing to accept".into(),
        }),
        "There is no late request to escalate awaiting a decision"
    );
}

#[test]
fn whether_a_request_is_late_is_decided_by_the_domain_never_by_the_client() {
    let s = herefordshire_answered();
    let claimed_late = Event::EscalationRequested {
        on: d("2026-01-09"),
        reasons: None,
        out_of_time: true,
    };
    let admitted = s
        .case
        .admit(&s.policy, &s.calendar, d("2026-01-09"), claimed_late, None)
        .unwrap();
    assert!(matches!(
        admitted,
        Event::EscalationRequested {
            out_of_time: false,
            ..
        }
    ));
}

fn restriction(on: &str, review_on: &str) -> Event {
    Event::ContactRestricted {
        on: d(on),
        restriction: "Contact by email to the complaints team only".into(),
        approved_by: "manager-1".into(),
        review_on: d(review_on),
    }
}

#[test]
fn a_contact_restrictions_review_date_comes_from_the_policy_and_its_challenge_is_recorded_once() {
    let policy = Policy::resolve(
        "id = \"six-monthly\"\nname = \"Six-monthly reviews\"\nversion = \"1\"\nextends = \"code-2024\"\n[roles]\ncontact_restrictions_review_months = 6\n",
        &presets::preset_lookup,
    )
    .unwrap();
    let mut s = Scenario::received("code-2024", "2026-03-02");
    s.calendar = policy.working_calendar(BankHolidays::embedded());
    s.policy = policy;
    assert_eq!(
        s.refused(restriction("2026-03-03", "2026-10-01")),
        "Set a review date by Thu 3 Sep 2026: the policy reviews restrictions within 6 months, and they must be proportionate and kept under review (Code 5.15)"
    );
    assert_eq!(
        s.refused(Event::ContactRestrictionChallenged {
            on: d("2026-03-03"),
            outcome: ChallengeOutcome::Kept,
            explanation: "x".into(),
        }),
        "There is no contact restriction in force to challenge"
    );
    s.then(restriction("2026-03-03", "2026-09-03"));
    s.then(Event::ContactRestrictionChallenged {
        on: d("2026-03-20"),
        outcome: ChallengeOutcome::Lifted,
        explanation: "The calls stopped once the repair was booked".into(),
    });
    assert_eq!(s.case.contact_restriction, None);
    s.then(restriction("2026-04-01", "2026-09-30"));
    assert_eq!(
        s.refused(Event::ContactRestrictionChallenged {
            on: d("2026-04-02"),
            outcome: ChallengeOutcome::Kept,
            explanation: "Again".into(),
        }),
        "The resident's challenge to the restriction was already reviewed on Fri 20 Mar 2026: it is reviewed only once"
    );
    // The Code's presets say nothing: 12 months.
    let s = Scenario::received("code-2024", "2026-03-02");
    assert!(
        s.refused(restriction("2026-03-03", "2027-03-04"))
            .starts_with("Set a review date by Wed 3 Mar 2027: the policy reviews restrictions within 12 months")
    );
}
