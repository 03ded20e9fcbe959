//! The steps offered on a case agree with the decisions: under every preset, at every point of a case's
//! life, a step is offered exactly when some event for it is accepted, and each step's limits are the
//! bounds `decide` keeps.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use jiff::ToSpan;
use jiff::civil::Date;
use redress_domain::access::Role;
use redress_domain::case::{MAX_HEADS, State};
use redress_domain::event::{
    ChallengeOutcome, CloseReason, Event, FeedbackType, Head, HeadOutcome, Outcome, Relationship,
};
use redress_domain::presets::PRESETS;
use redress_domain::steps::{Actor, AvailableStep, Step, StepLimits};

const OFFICER: Actor<'static> = Actor {
    id: "asha",
    role: Role::ComplaintsOfficer,
};

fn next_day(d: Date) -> Date {
    d.checked_add(1.day()).unwrap()
}

fn heads(n: usize) -> Vec<Head> {
    (1..=n)
        .map(|i| Head {
            summary: format!("Matter {i}"),
            outcome_sought: None,
        })
        .collect()
}

fn responded(on: Date, heads: Vec<HeadOutcome>) -> Event {
    Event::Responded {
        on,
        outcome: heads.is_empty().then_some(Outcome::NotUpheld),
        heads,
        remedies: vec![],
        outstanding_actions: vec![],
    }
}

/// Events for `step` such that, if any valid event for it exists, one of these is accepted: each field at
/// the value most likely to pass, dated at either end of the days a step may be dated.
fn candidates(s: &Scenario, step: Step, today: Date) -> Vec<Event> {
    let mut dates = vec![s.case.last_event_on, today];
    dates.dedup();
    let mut out = Vec::new();
    for on in dates {
        match step {
            Step::Acknowledge => out.push(Event::Acknowledged { on }),
            Step::Define => out.push(Event::ComplaintDefined {
                on,
                heads: heads(1),
                not_responsible_for: vec![],
            }),
            Step::Assign => out.push(Event::Assigned {
                on,
                officer: "someone-new".into(),
            }),
            Step::Extend => {
                for resident_agreed in [false, true] {
                    out.push(Event::Extended {
                        on,
                        working_days: 1,
                        reason: "Awaiting a surveyor's report".into(),
                        resident_agreed,
                    });
                }
            }
            Step::ShareFindings => out.push(Event::AdverseFindingsShared { on }),
            Step::Respond => out.push(responded(on, vec![])),
            Step::Escalate => out.push(Event::EscalationRequested {
                on,
                reasons: None,
                out_of_time: false,
            }),
            Step::RefuseEscalation => {
                for stage in &s.policy.stages {
                    for g in stage.escalation.iter().flat_map(|e| &e.refusal_grounds) {
                        out.push(Event::EscalationRefused {
                            on,
                            ground: g.id.clone(),
                            explanation: Some("Already considered by the Ombudsman".into()),
                        });
                    }
                }
            }
            Step::AcceptEscalation => out.push(Event::EscalationAccepted {
                on,
                reason: "The resident was in hospital".into(),
            }),
            Step::TimeLimitDiscretion => out.push(Event::TimeLimitDiscretionUsed {
                on,
                reason: "The resident was in hospital".into(),
            }),
            Step::Relationship => {
                for relationship in Relationship::ALL {
                    for tenancy_ended_on in [None, Some(s.case.received_on)] {
                        out.push(Event::RelationshipRecorded {
                            on,
                            relationship,
                            tenancy_ended_on,
                        });
                    }
                }
            }
            Step::ChallengeRestriction => out.push(Event::ContactRestrictionChallenged {
                on,
                outcome: ChallengeOutcome::Kept,
                explanation: "Still needed".into(),
            }),
            Step::Resolved => out.push(Event::ResolvedConfirmed { on }),
            Step::Close => {
                for reason in CloseReason::ALL {
                    out.push(Event::Closed {
                        on,
                        reason,
                        explanation: Some("The resident said so on the phone".into()),
                    });
                }
            }
            Step::Reopen => out.push(Event::Reopened {
                on,
                reason: "New evidence".into(),
            }),
            Step::Adjustments => out.push(Event::AdjustmentsRecorded {
                on,
                needs: "Hearing loss".into(),
                adjustments: "Contact by email".into(),
                review_on: None,
            }),
            Step::RestrictContact => out.push(Event::ContactRestricted {
                on,
                restriction: "One call a week".into(),
                approved_by: "the-manager".into(),
                review_on: next_day(on),
            }),
        }
    }
    out
}

fn accepted(s: &Scenario, today: Date, event: &Event) -> bool {
    s.case
        .decide(&s.policy, &s.calendar, today, event, Some(OFFICER.id))
        .is_ok()
}

/// The steps offered as of `today`, checked against `decide` step by step and limit by limit.
fn check_at(s: &Scenario, today: Date) -> Vec<AvailableStep> {
    let offered = s
        .case
        .available_steps(&s.policy, &s.calendar, &OFFICER, today);
    let offered_steps: Vec<Step> = offered.iter().map(|a| a.step).collect();
    let mut sorted = offered_steps.clone();
    sorted.sort();
    assert_eq!(sorted, offered_steps, "steps come in Step::ALL's order");
    for step in Step::ALL {
        let events = candidates(s, step, today);
        assert!(events.iter().all(|e| e.kind() == step.event_kind()));
        let some_accepted = events.iter().any(|e| accepted(s, today, e));
        assert_eq!(
            offered_steps.contains(&step),
            some_accepted,
            "{}: {} offered iff accepted, on {today}, in state {:?} at stage {}",
            s.policy.name,
            step.as_str(),
            s.case.state,
            s.case.stage()
        );
    }
    for a in &offered {
        check_limits(s, today, a);
    }
    let viewer = Actor {
        id: "board",
        role: Role::Viewer,
    };
    assert!(
        s.case
            .available_steps(&s.policy, &s.calendar, &viewer, today)
            .is_empty()
    );
    offered
}

/// Checks at the day of the latest step and a month on.
fn check(s: &Scenario) -> Vec<Step> {
    let today = s.case.last_event_on;
    check_at(s, today.checked_add(30.days()).unwrap());
    check_at(s, today).into_iter().map(|a| a.step).collect()
}

fn check_limits(s: &Scenario, today: Date, a: &AvailableStep) {
    match &a.limits {
        StepLimits::Plain => {}
        StepLimits::Define(l) => {
            assert_eq!(l.max_heads, MAX_HEADS);
            let define = |n| Event::ComplaintDefined {
                on: today,
                heads: heads(n),
                not_responsible_for: vec![],
            };
            assert!(accepted(s, today, &define(MAX_HEADS)));
            assert!(!accepted(s, today, &define(MAX_HEADS + 1)));
        }
        StepLimits::Extend(l) => {
            let extend = |working_days, resident_agreed, on| Event::Extended {
                on,
                working_days,
                reason: "Awaiting a surveyor's report".into(),
                resident_agreed,
            };
            let on = l.earliest_on;
            assert_eq!(on, s.case.last_event_on);
            assert!(l.most_working_days >= 1);
            assert!(accepted(s, today, &extend(l.most_working_days, true, on)));
            assert!(!accepted(
                s,
                today,
                &extend(l.most_working_days + 1, true, on)
            ));
            if l.left_without_agreement > 0 {
                assert!(accepted(
                    s,
                    today,
                    &extend(l.left_without_agreement, false, on)
                ));
            }
            assert!(!accepted(
                s,
                today,
                &extend(l.left_without_agreement + 1, false, on)
            ));
            assert_eq!(
                l.left_without_agreement,
                l.without_agreement_working_days
                    .saturating_sub(l.used_working_days)
            );
            if let Some(latest) = l.latest_on {
                assert!(latest >= on);
                if latest <= today {
                    assert!(accepted(s, today, &extend(1, true, latest)));
                }
                if next_day(latest) <= today {
                    assert!(!accepted(s, today, &extend(1, true, next_day(latest))));
                }
            }
        }
        StepLimits::Respond(l) => {
            let complaint = s.case.feedback_type == FeedbackType::Complaint;
            assert_eq!(l.outcome_needed, complaint);
            assert_eq!(l.outcome_per_head, complaint && !l.heads.is_empty());
            if l.outcome_per_head {
                let per_head = (1..=l.heads.len())
                    .map(|i| HeadOutcome {
                        head: i as u32,
                        outcome: Outcome::Upheld,
                        reasons: None,
                    })
                    .collect();
                assert!(accepted(s, today, &responded(today, per_head)));
            }
        }
        StepLimits::RefuseEscalation(l) => {
            assert!(!l.grounds.is_empty());
            for g in &l.grounds {
                assert!(accepted(
                    s,
                    today,
                    &Event::EscalationRefused {
                        on: today,
                        ground: g.id.clone(),
                        explanation: Some("Outside the policy".into()),
                    }
                ));
            }
        }
        StepLimits::Relationship(l) => {
            for r in Relationship::ALL {
                let ok = [None, Some(s.case.received_on)].into_iter().any(|t| {
                    accepted(
                        s,
                        today,
                        &Event::RelationshipRecorded {
                            on: today,
                            relationship: r,
                            tenancy_ended_on: t,
                        },
                    )
                });
                assert_eq!(l.accepted.contains(&r), ok, "{r:?}");
            }
        }
        StepLimits::Close(l) => {
            let close = |reason, explanation: Option<&str>| Event::Closed {
                on: today,
                reason,
                explanation: explanation.map(str::to_owned),
            };
            let reasons: Vec<CloseReason> = CloseReason::ALL
                .into_iter()
                .filter(|r| accepted(s, today, &close(*r, Some("Resolved by phone"))))
                .collect();
            assert_eq!(l.reasons, reasons);
            if l.reasons.contains(&CloseReason::Resolved) {
                assert_eq!(
                    accepted(s, today, &close(CloseReason::Resolved, None)),
                    !l.resolved_needs_explanation
                );
            }
        }
        StepLimits::RestrictContact(l) => {
            let restrict = |review_on| Event::ContactRestricted {
                on: today,
                restriction: "One call a week".into(),
                approved_by: "the-manager".into(),
                review_on,
            };
            assert_eq!(l.approver_role, s.policy.roles.restriction_approver_role());
            assert!(accepted(s, today, &restrict(l.review_by)));
            assert!(!accepted(s, today, &restrict(next_day(l.review_by))));
        }
    }
}

fn limits(s: &Scenario, step: Step) -> StepLimits {
    s.case
        .step_limits(step, &s.policy, &s.calendar, &OFFICER, s.case.last_event_on)
        .unwrap_or_else(|r| panic!("{} not offered: {}", step.as_str(), r.message))
}

/// Acknowledge, define, respond by `officer` with an outcome per head, the way a stage goes.
fn run_stage(s: &mut Scenario, officer: &str, from: Date) -> Date {
    s.then(Event::Assigned {
        on: from,
        officer: officer.into(),
    });
    check(s);
    s.then(Event::Acknowledged { on: from });
    let steps = check(s);
    assert!(steps.contains(&Step::ShareFindings) && steps.contains(&Step::Respond));
    assert!(!steps.contains(&Step::Acknowledge));
    s.then(Event::ComplaintDefined {
        on: from,
        heads: heads(2),
        not_responsible_for: vec![],
    });
    check(s);
    let StepLimits::Respond(l) = limits(s, Step::Respond) else {
        panic!("respond has its limits")
    };
    assert_eq!(l.heads, heads(2));
    assert!(l.outcome_per_head);
    let on = next_day(from);
    s.then(Event::AdverseFindingsShared { on });
    check(s);
    let on = next_day(on);
    let per_head = vec![
        HeadOutcome {
            head: 1,
            outcome: Outcome::Upheld,
            reasons: None,
        },
        HeadOutcome {
            head: 2,
            outcome: Outcome::NotUpheld,
            reasons: None,
        },
    ];
    s.then_by(responded(on, per_head), Some(officer));
    let steps = check(s);
    assert!(!steps.contains(&Step::Respond) && !steps.contains(&Step::Extend));
    on
}

/// An extension of five working days at the current stage, checking the days left before and after.
fn extend_by_five(s: &mut Scenario) {
    let Ok(StepLimits::Extend(before)) = s.case.step_limits(
        Step::Extend,
        &s.policy,
        &s.calendar,
        &OFFICER,
        s.case.last_event_on,
    ) else {
        return;
    };
    assert_eq!(before.used_working_days, 0);
    let rule = s.policy.stage(s.case.stage()).unwrap().extension;
    assert_eq!(
        before.without_agreement_working_days,
        rule.without_agreement_working_days
    );
    let agreed = rule.without_agreement_working_days < 5;
    if before.most_working_days < 5 {
        return;
    }
    s.extend(&s.case.last_event_on.to_string(), 5, agreed);
    check(s);
    let Ok(StepLimits::Extend(after)) = s.case.step_limits(
        Step::Extend,
        &s.policy,
        &s.calendar,
        &OFFICER,
        s.case.last_event_on,
    ) else {
        // No days left: the step is no longer offered.
        assert_eq!(before.most_working_days, 5);
        return;
    };
    assert_eq!(after.used_working_days, 5);
    assert_eq!(
        after.left_without_agreement,
        rule.without_agreement_working_days.saturating_sub(5)
    );
    assert_eq!(after.most_working_days, before.most_working_days - 5);
    assert_eq!(after.further_with_agreement, rule.further_with_agreement);
}

/// A complaint through every stage of the policy, closed with the final response, then reopened.
fn whole_life(id: &str) {
    let mut s = Scenario::received(id, "2025-12-19");
    let steps = check(&s);
    for expected in [
        Step::Acknowledge,
        Step::Define,
        Step::Assign,
        Step::Relationship,
        Step::Close,
        Step::Adjustments,
        Step::RestrictContact,
    ] {
        assert!(
            steps.contains(&expected),
            "{id}: {expected:?} after receipt"
        );
    }
    for absent in [
        Step::ShareFindings,
        Step::Respond,
        Step::Escalate,
        Step::Resolved,
        Step::Reopen,
        Step::ChallengeRestriction,
        Step::AcceptEscalation,
        Step::TimeLimitDiscretion,
    ] {
        assert!(
            !steps.contains(&absent),
            "{id}: no {absent:?} after receipt"
        );
    }
    let StepLimits::Close(close) = limits(&s, Step::Close) else {
        panic!("close has its limits")
    };
    assert_eq!(
        close.reasons,
        [
            CloseReason::Withdrawn,
            CloseReason::Merged,
            CloseReason::Recorded
        ]
    );
    s.then(Event::RelationshipRecorded {
        on: d("2025-12-22"),
        relationship: Relationship::Tenant,
        tenancy_ended_on: None,
    });
    check(&s);
    extend_by_five(&mut s);
    let officers = ["asha", "ben", "chidi"];
    let mut on = run_stage(&mut s, officers[0], d("2025-12-23"));
    while s.policy.stage(s.case.stage() + 1).is_some() {
        on = next_day(on);
        s.escalate(&on.to_string());
        let steps = check(&s);
        assert!(steps.contains(&Step::Acknowledge) && !steps.contains(&Step::Escalate));
        let refusable = s
            .policy
            .stage(s.case.stage())
            .and_then(|st| st.escalation.as_ref())
            .is_some_and(|e| e.may_refuse && !e.refusal_grounds.is_empty());
        assert_eq!(steps.contains(&Step::RefuseEscalation), refusable, "{id}");
        if refusable {
            let mut refused = Scenario {
                policy: s.policy.clone(),
                calendar: s.calendar.clone(),
                events: s.events.clone(),
                case: s.case.clone(),
            };
            let StepLimits::RefuseEscalation(l) = limits(&refused, Step::RefuseEscalation) else {
                panic!("refuse-escalation has its limits")
            };
            refused.then(Event::EscalationRefused {
                on,
                ground: l.grounds[0].id.clone(),
                explanation: Some("Already considered".into()),
            });
            assert_eq!(refused.case.state, State::Responded);
            check(&refused);
        }
        let stage = usize::from(s.case.stage());
        on = run_stage(&mut s, officers[stage - 1], on);
    }
    let steps = check(&s);
    assert!(steps.contains(&Step::Resolved) && steps.contains(&Step::Close));
    on = next_day(on);
    s.then(Event::Closed {
        on,
        reason: CloseReason::FinalResponse,
        explanation: None,
    });
    let steps = check(&s);
    assert_eq!(
        steps,
        vec![Step::Reopen],
        "{id}: a closed case is only reopened"
    );
    s.then(Event::Reopened {
        on,
        reason: "The resident sent new photos".into(),
    });
    check(&s);
    s.then(Event::ResolvedConfirmed { on });
    check(&s);
}

#[test]
fn every_preset_offers_exactly_the_steps_decide_accepts_through_a_case_life() {
    for preset in PRESETS {
        whole_life(preset.id);
    }
}

#[test]
fn late_requests_and_restrictions_are_offered_when_they_arise() {
    let mut late_requests = 0;
    for preset in PRESETS {
        let mut s = Scenario::received(preset.id, "2026-03-30");
        s.ack("2026-03-31");
        s.respond("2026-04-07", Outcome::NotUpheld);
        check(&s);
        // A request months after the response, past any window the policy sets.
        if s.policy.stage(2).is_some() {
            let mut late = Scenario {
                policy: s.policy.clone(),
                calendar: s.calendar.clone(),
                events: s.events.clone(),
                case: s.case.clone(),
            };
            late.escalate("2026-12-01");
            let steps = check(&late);
            if late.case.state == State::EscalationDecisionNeeded {
                late_requests += 1;
                assert!(steps.contains(&Step::AcceptEscalation));
                assert!(!steps.contains(&Step::Acknowledge));
                late.then(Event::EscalationAccepted {
                    on: d("2026-12-01"),
                    reason: "The resident was in hospital".into(),
                });
                assert!(check(&late).contains(&Step::Acknowledge));
            }
        }
        s.then(Event::ContactRestricted {
            on: d("2026-04-08"),
            restriction: "One call a week".into(),
            approved_by: "the-manager".into(),
            review_on: d("2026-05-08"),
        });
        assert!(check(&s).contains(&Step::ChallengeRestriction));
        s.then(Event::ContactRestrictionChallenged {
            on: d("2026-04-09"),
            outcome: ChallengeOutcome::Kept,
            explanation: "Still needed".into(),
        });
        assert!(!check(&s).contains(&Step::ChallengeRestriction));
        s.then(Event::Closed {
            on: d("2026-04-09"),
            reason: CloseReason::Withdrawn,
            explanation: None,
        });
        assert_eq!(check(&s), vec![Step::Reopen]);
    }
    assert!(late_requests > 0, "some preset sets a window to escalate");
}

#[test]
fn a_complaint_about_an_old_matter_offers_the_time_limit_discretion() {
    for preset in PRESETS {
        let policy = policy(preset.id);
        let Some(months) = policy.time_bar.months else {
            continue;
        };
        let mut s = Scenario::received(preset.id, "2026-03-02");
        let first = redress_domain::event::CaseEvent::new(
            Event::Received {
                on: d("2026-03-02"),
                channel: redress_domain::event::Channel::Email,
                relationship: None,
                tenancy_ended_on: None,
                matter_arose_on: Some(
                    d("2026-03-02")
                        .checked_sub(i64::from(months + 1).months())
                        .unwrap(),
                ),
            },
            None,
        );
        s.case = redress_domain::case::Case::open(&first).unwrap();
        s.events = vec![first];
        assert!(check(&s).contains(&Step::TimeLimitDiscretion));
        s.then(Event::TimeLimitDiscretionUsed {
            on: d("2026-03-03"),
            reason: "The resident was in hospital".into(),
        });
        assert!(!check(&s).contains(&Step::TimeLimitDiscretion));
    }
}

#[test]
fn a_service_request_is_extended_only_with_agreement_and_responded_to_without_an_outcome() {
    for preset in PRESETS {
        let mut s = Scenario::received(preset.id, "2025-12-19");
        if !s.policy.feedback.service_requests {
            continue;
        }
        s.then(Event::Classified {
            on: d("2025-12-19"),
            feedback_type: FeedbackType::ServiceRequest,
            raised_on: None,
        });
        let steps = check(&s);
        assert!(!steps.contains(&Step::Acknowledge) && steps.contains(&Step::Respond));
        let StepLimits::Respond(l) = limits(&s, Step::Respond) else {
            panic!("respond has its limits")
        };
        assert!(!l.outcome_needed && l.heads.is_empty());
        if let Ok(StepLimits::Extend(l)) = s.case.step_limits(
            Step::Extend,
            &s.policy,
            &s.calendar,
            &OFFICER,
            d("2025-12-19"),
        ) {
            assert_eq!(l.left_without_agreement, 0);
            assert!(l.further_with_agreement);
            s.extend(&l.earliest_on.to_string(), 3, true);
            check(&s);
        }
        s.then(responded(d("2025-12-23"), vec![]));
        let steps = check(&s);
        assert!(!steps.contains(&Step::Respond));
        let StepLimits::Close(l) = limits(&s, Step::Close) else {
            panic!("close has its limits")
        };
        assert!(l.reasons.contains(&CloseReason::ServiceRequestCompleted));
    }
}

#[test]
fn steps_have_their_wire_names_and_record_their_events() {
    let names: Vec<&str> = Step::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "acknowledge",
            "define",
            "assign",
            "extend",
            "share-findings",
            "respond",
            "escalate",
            "refuse-escalation",
            "accept-escalation",
            "time-limit-discretion",
            "relationship",
            "challenge-restriction",
            "resolved",
            "close",
            "reopen",
            "adjustments",
            "restrict-contact",
        ]
    );
    for step in Step::ALL {
        assert_eq!(Step::parse(step.as_str()), Some(step));
        assert_eq!(
            serde_json::to_value(step).unwrap(),
            serde_json::Value::String(step.as_str().into())
        );
        assert!(Event::KINDS.contains(&step.event_kind()));
    }
    assert_eq!(Step::parse("fly"), None);
}

#[test]
fn a_definition_has_at_most_max_heads() {
    let s = Scenario::received("code-2024", "2026-03-02");
    assert_eq!(
        s.refused(Event::ComplaintDefined {
            on: d("2026-03-02"),
            heads: heads(MAX_HEADS + 1),
            not_responsible_for: vec![],
        }),
        "A complaint definition has at most 8 heads of complaint: combine related matters under one head"
    );
}

#[test]
fn under_the_code_an_extension_of_five_days_leaves_five_without_agreement() {
    let mut s = Scenario::received("code-2024", "2025-12-19");
    assert_eq!(
        check(&s),
        [
            Step::Acknowledge,
            Step::Define,
            Step::Assign,
            Step::Extend,
            Step::Relationship,
            Step::Close,
            Step::Adjustments,
            Step::RestrictContact,
        ]
    );
    s.ack("2025-12-22");
    let StepLimits::Extend(before) = limits(&s, Step::Extend) else {
        panic!("extend has its limits")
    };
    // 10 working days after Mon 22 Dec, skipping Christmas, Boxing Day and New Year's Day.
    assert_eq!(before.latest_on, Some(d("2026-01-08")));
    assert_eq!(
        (
            before.without_agreement_working_days,
            before.used_working_days,
            before.left_without_agreement,
            before.most_working_days
        ),
        (10, 0, 10, 60)
    );
    s.extend("2025-12-23", 5, false);
    check(&s);
    let StepLimits::Extend(after) = limits(&s, Step::Extend) else {
        panic!("extend has its limits")
    };
    assert_eq!(
        (
            after.used_working_days,
            after.left_without_agreement,
            after.most_working_days
        ),
        (5, 5, 55)
    );
    assert!(after.further_with_agreement);
    assert_eq!(after.earliest_on, d("2025-12-23"));
    assert_eq!(after.latest_on, Some(d("2026-01-15")));
    assert_eq!(after.latest_on, Some(s.due("stage1_response")));
    s.extend("2025-12-23", 5, false);
    let StepLimits::Extend(spent) = limits(&s, Step::Extend) else {
        panic!("extend has its limits")
    };
    assert_eq!(
        (spent.left_without_agreement, spent.most_working_days),
        (0, 50)
    );
}
