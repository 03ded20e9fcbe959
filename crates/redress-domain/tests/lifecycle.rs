//! The case lifecycle under the Code: which steps are allowed, the refusals an officer reads, the fold and
//! the warnings.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use proptest::prelude::*;
use redress_domain::case::{Case, ClockStatus, FoldError, State};
use redress_domain::event::{
    CaseEvent, Channel, CloseReason, Event, FeedbackType, Head, HeadOutcome, OmbudsmanElement,
    OmbudsmanFinding, Outcome, Remedy, RemedyKind,
};

fn responded(on: &str, outcome: Outcome) -> Event {
    Event::Responded {
        on: d(on),
        outcome: Some(outcome),
        heads: vec![],
        remedies: vec![],
        outstanding_actions: vec![],
    }
}

#[test]
fn dates_before_receipt_or_going_backwards_are_refused() {
    let mut s = Scenario::received("code-2024", "2026-03-02");
    assert_eq!(
        s.refused(Event::Acknowledged {
            on: d("2026-03-01")
        }),
        "The date 2026-03-01 is before the complaint was received on 2026-03-02"
    );
    s.ack("2026-03-05");
    assert_eq!(
        s.refused(responded("2026-03-04", Outcome::Upheld)),
        "The date 2026-03-04 is before the last recorded step on 2026-03-05: record steps in the order they happened"
    );
}

#[test]
fn stage_2_cannot_start_before_the_stage_1_response() {
    let mut s = Scenario::received("code-2024", "2026-03-02");
    s.ack("2026-03-03");
    assert_eq!(
        s.refused(Event::EscalationRequested {
            on: d("2026-03-04"),
            reasons: None,
            out_of_time: false
        }),
        "Stage 2 cannot start: the Stage 1 response has not been issued"
    );
}

#[test]
fn a_response_needs_an_acknowledgement_and_an_outcome() {
    let mut s = Scenario::received("code-2024", "2026-03-02");
    assert!(
        s.refused(responded("2026-03-03", Outcome::Upheld))
            .contains("has not been acknowledged")
    );
    s.ack("2026-03-03");
    let msg = s.refused(Event::Responded {
        on: d("2026-03-04"),
        outcome: None,
        heads: vec![],
        remedies: vec![],
        outstanding_actions: vec![],
    });
    assert_eq!(msg, "Give the outcome: upheld, partly upheld or not upheld");
}

#[test]
fn the_stage_2_reviewer_must_not_have_investigated_stage_1() {
    let mut s = Scenario::received("code-2024", "2026-03-02");
    s.then(Event::Assigned {
        on: d("2026-03-02"),
        officer: "asha".into(),
    });
    s.ack("2026-03-03");
    s.then_by(responded("2026-03-10", Outcome::NotUpheld), Some("asha"));
    s.escalate("2026-03-12");
    assert_eq!(
        s.refused(Event::Assigned {
            on: d("2026-03-12"),
            officer: "asha".into()
        }),
        "The reviewer at Stage 2 must not have decided an earlier stage: asha decided Stage 1"
    );
    s.ack("2026-03-13");
    // With no reviewer assigned, whoever records the response decides it: not Asha.
    assert_eq!(
        s.refused_by(responded("2026-03-20", Outcome::NotUpheld), Some("asha")),
        "The Stage 2 response must be decided by someone who did not decide an earlier stage: asha decided Stage 1"
    );
    s.then(Event::Assigned {
        on: d("2026-03-16"),
        officer: "ben".into(),
    });
    // Asha may type in the decision of Ben, the assigned reviewer: the decision-maker is Ben.
    s.then_by(responded("2026-03-20", Outcome::NotUpheld), Some("asha"));
    assert_eq!(s.case.round().decided_by.as_deref(), Some("ben"));
    assert_eq!(s.case.rounds[0].decided_by.as_deref(), Some("asha"));
    assert_eq!(s.case.state, State::Responded);
    assert_eq!(s.case.stage(), 2);
}

#[test]
fn the_code_2024_minimal_path_is_always_accepted() {
    let mut s = Scenario::received("code-2024", "2026-01-05");
    s.ack("2026-01-06")
        .respond("2026-01-16", Outcome::Upheld)
        .escalate("2026-02-02")
        .ack("2026-02-04")
        .respond("2026-02-27", Outcome::PartlyUpheld)
        .then(Event::Closed {
            on: d("2026-02-27"),
            reason: CloseReason::FinalResponse,
            explanation: None,
        });
    assert_eq!(s.case.state, State::Closed);
    let statuses: Vec<(&str, ClockStatus)> = s
        .deadlines("2026-03-01")
        .into_iter()
        .map(|c| (c.clock.as_str(), c.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("stage1_acknowledge", ClockStatus::Met),
            ("stage1_response", ClockStatus::Met),
            ("stage2_acknowledge", ClockStatus::Met),
            ("stage2_response", ClockStatus::Met),
        ]
    );
    // What the Code expects beyond the minimal path is reported as warnings, not refused.
    let codes: Vec<&str> = s
        .case
        .warnings(&s.policy, &s.calendar, d("2026-03-01"))
        .iter()
        .map(|w| w.code)
        .collect();
    // Both responses were recorded without a letter issued through Redress: each is warned of.
    assert_eq!(
        codes,
        vec![
            "upheld_without_remedy",
            "upheld_without_remedy",
            "response_letter_not_issued",
            "response_letter_not_issued"
        ]
    );
}

#[test]
fn an_unacknowledged_complaint_is_overdue_and_warned_about() {
    // Received Thursday 1 May 2025; 5 WD skips the early May bank holiday (Mon 5 May): 2, 6, 7, 8, 9 May.
    let s = Scenario::received("code-2024", "2025-05-01");
    let c = s.clock("stage1_acknowledge", "2025-05-12");
    assert_eq!(c.due_on, d("2025-05-09"));
    assert_eq!(c.status, ClockStatus::Overdue);
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2025-05-01; skips 5 May"
    );
    // The response clock is provisional, counted from the acknowledgement due date.
    let r = s.clock("stage1_response", "2025-05-12");
    assert_eq!(r.due_on, d("2025-05-23"));
    assert!(
        r.explanation.contains("not yet recorded"),
        "{}",
        r.explanation
    );
    let codes: Vec<&str> = s
        .case
        .warnings(&s.policy, &s.calendar, d("2025-05-12"))
        .iter()
        .map(|w| w.code)
        .collect();
    assert_eq!(
        codes,
        vec!["relationship_not_recorded", "not_assigned", "overdue"]
    );
}

#[test]
fn a_weekend_receipt_counts_from_the_next_working_day_and_says_so() {
    // Saturday 4 June 2022, between the Jubilee holidays (2, 3 June) and the weekend.
    let s = Scenario::received("code-2024", "2022-06-04");
    let c = s.clock("stage1_acknowledge", "2022-06-04");
    // Counted from Monday 6 June: 7, 8, 9, 10, 13 June.
    assert_eq!(c.due_on, d("2022-06-13"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2022-06-04 (not a working day, so counted from Mon 6 Jun 2022)"
    );
}

#[test]
fn the_complaint_definition_and_heads_drive_outcomes_and_remedies() {
    let mut s = Scenario::received("code-2024", "2026-02-02");
    s.ack("2026-02-03");
    s.then(Event::ComplaintDefined {
        on: d("2026-02-03"),
        heads: vec![
            Head {
                summary: "Damp in the bedroom not repaired".into(),
                outcome_sought: Some("Repair".into()),
            },
            Head {
                summary: "Calls not returned".into(),
                outcome_sought: Some("Apology".into()),
            },
        ],
        not_responsible_for: vec![],
    });
    assert!(
        s.refused(Event::Responded {
            on: d("2026-02-10"),
            outcome: None,
            heads: vec![HeadOutcome {
                head: 3,
                outcome: Outcome::Upheld,
                reasons: None
            }],
            remedies: vec![],
            outstanding_actions: vec![],
        })
        .contains("Head 3 does not exist")
    );
    s.then(Event::Responded {
        on: d("2026-02-10"),
        outcome: None,
        heads: vec![
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
        ],
        remedies: vec![Remedy {
            kind: RemedyKind::Compensation,
            description: "£150 for time and trouble".into(),
            amount_pence: Some(15_000),
            due_on: Some(d("2026-02-24")),
        }],
        outstanding_actions: vec![redress_domain::event::OutstandingAction {
            description: "Treat damp and redecorate".into(),
            due_on: Some(d("2026-03-10")),
        }],
    });
    assert_eq!(s.case.round().outcome, Some(Outcome::PartlyUpheld));
    assert_eq!(s.case.remedies.len(), 2);
    let codes: Vec<&str> = s
        .case
        .warnings(&s.policy, &s.calendar, d("2026-03-01"))
        .iter()
        .map(|w| w.code)
        .collect();
    assert!(codes.contains(&"remedy_overdue"), "{codes:?}");
    s.then(Event::RemedyCompleted {
        on: d("2026-03-02"),
        remedy: "R1".into(),
    });
    assert!(
        s.refused(Event::RemedyCompleted {
            on: d("2026-03-02"),
            remedy: "R1".into()
        })
        .contains("already completed")
    );
    assert!(
        s.refused(Event::RemedyCompleted {
            on: d("2026-03-02"),
            remedy: "R9".into()
        })
        .contains("There is no remedy R9")
    );
}

#[test]
fn a_service_request_has_its_own_window_and_becomes_a_complaint_when_the_resident_is_unhappy() {
    let mut s = Scenario::received("herring-house-trust", "2026-04-01");
    s.then(Event::Classified {
        on: d("2026-04-01"),
        feedback_type: FeedbackType::ServiceRequest,
        raised_on: None,
    });
    assert_eq!(s.case.state, State::Open);
    // 3 WD after Wed 1 Apr 2026: 2 Apr, then Good Friday and Easter Monday skipped: 7, 8 Apr.
    assert_eq!(s.due("service_request_response"), d("2026-04-08"));
    assert!(
        s.refused(Event::Acknowledged {
            on: d("2026-04-02")
        })
        .contains("classify it as a complaint first")
    );
    s.then(responded("2026-04-07", Outcome::NotUpheld));
    assert_eq!(
        s.clock("service_request_response", "2026-04-09").status,
        ClockStatus::Met
    );
    // Dissatisfied with the response: now a stage 1 complaint, raised on the day it is classified (Code 1.5).
    s.then(Event::Classified {
        on: d("2026-04-09"),
        feedback_type: FeedbackType::Complaint,
        raised_on: Some(d("2026-04-09")),
    });
    assert_eq!(s.case.state, State::AwaitingAcknowledgement);
    assert_eq!(s.due("stage1_acknowledge"), d("2026-04-16"));
}

#[test]
fn exclusion_needs_a_policy_ground_and_a_reason() {
    let mut s = Scenario::received("code-2024", "2026-02-02");
    assert!(s
        .refused(Event::Excluded { on: d("2026-02-03"), ground: "too-busy".into(), reason: "x".into() })
        .starts_with("'too-busy' is not one of this policy's exclusions (time-limit, legal-proceedings, already-considered)"));
    assert!(
        s.refused(Event::Excluded {
            on: d("2026-02-03"),
            ground: "time-limit".into(),
            reason: " ".into()
        })
        .contains("Code 2.4")
    );
    s.then(Event::Excluded {
        on: d("2026-02-03"),
        ground: "time-limit".into(),
        reason: "The leak was repaired in 2023 and first raised now".into(),
    });
    assert_eq!(s.case.state, State::NotAccepted);
    assert!(s.deadlines("2026-03-01").is_empty());
    assert!(
        s.refused(Event::Acknowledged {
            on: d("2026-02-04")
        })
        .contains("closed")
    );
}

#[test]
fn escalation_refusal_follows_the_policy_grounds() {
    let mut s = Scenario::received("code-2024", "2026-02-02");
    s.ack("2026-02-03")
        .respond("2026-02-10", Outcome::NotUpheld)
        .escalate("2026-02-12");
    assert!(
        s.refused(Event::EscalationRefused {
            on: d("2026-02-13"),
            ground: "busy".into(),
            explanation: Some("x".into())
        })
        .contains("'busy' is not a ground")
    );
    assert!(
        s.refused(Event::EscalationRefused {
            on: d("2026-02-13"),
            ground: "legal-proceedings".into(),
            explanation: None
        })
        .contains("Explain the refusal")
    );
    s.then(Event::EscalationRefused {
        on: d("2026-02-13"),
        ground: "legal-proceedings".into(),
        explanation: Some("A disrepair claim was filed at court on 1 February".into()),
    });
    assert_eq!(s.case.stage(), 1);
    assert_eq!(s.case.state, State::Responded);
    // After a refused escalation the stage 1 response is the landlord's final response.
    s.then(Event::Closed {
        on: d("2026-02-13"),
        reason: CloseReason::FinalResponse,
        explanation: None,
    });
}

#[test]
fn closing_reopening_and_returning_to_stage_1() {
    let mut s = Scenario::received("code-2024", "2026-02-02");
    assert!(
        s.refused(Event::Closed {
            on: d("2026-02-03"),
            reason: CloseReason::Resolved,
            explanation: None,
        })
        .contains("has not been responded to")
    );
    s.ack("2026-02-03").respond("2026-02-10", Outcome::Upheld);
    assert!(
        s.refused(Event::Closed {
            on: d("2026-02-11"),
            reason: CloseReason::FinalResponse,
            explanation: None,
        })
        .contains("is not the final response")
    );
    s.then(Event::ResolvedConfirmed {
        on: d("2026-02-11"),
    })
    .then(Event::Closed {
        on: d("2026-02-11"),
        reason: CloseReason::Resolved,
        explanation: None,
    });
    assert!(
        s.refused(Event::Reopened {
            on: d("2026-02-12"),
            reason: "".into()
        })
        .contains("Say why")
    );
    s.then(Event::Reopened {
        on: d("2026-02-12"),
        reason: "Repair failed again".into(),
    });
    assert_eq!(s.case.state, State::Responded);
    s.escalate("2026-02-16").ack("2026-02-17");
    s.then(Event::ReturnedToStage1 {
        on: d("2026-02-18"),
        reason: "New surveyor's report".into(),
    });
    assert_eq!(s.case.stage(), 1);
    assert_eq!(s.case.state, State::AwaitingAcknowledgement);
    // A fresh stage 1 round: acknowledge within 5 WD of the return.
    assert_eq!(s.due("stage1_acknowledge"), d("2026-02-25"));
}

#[test]
fn ombudsman_referral_and_determination_with_orders() {
    let mut s = Scenario::received("code-2024", "2026-02-02");
    s.ack("2026-02-03")
        .respond("2026-02-10", Outcome::NotUpheld);
    assert!(
        s.refused(Event::OmbudsmanDetermined {
            on: d("2026-06-01"),
            findings: vec![],
            orders: vec![]
        })
        .contains("Record the referral")
    );
    s.then(Event::ReferredToOmbudsman {
        on: d("2026-03-01"),
        ombudsman_reference: Some("202612345".into()),
    });
    s.then(Event::OmbudsmanDetermined {
        on: d("2026-06-01"),
        findings: vec![OmbudsmanElement {
            element: "Complaint handling".into(),
            finding: OmbudsmanFinding::Maladministration,
        }],
        orders: vec![Remedy {
            kind: RemedyKind::Compensation,
            description: "Pay £300".into(),
            amount_pence: Some(30_000),
            due_on: Some(d("2026-06-29")),
        }],
    });
    assert!(s.case.remedies[0].ordered_by_ombudsman);
    s.then(Event::RemedyCompleted {
        on: d("2026-06-20"),
        remedy: "R1".into(),
    });
}

#[test]
fn folding_needs_a_received_event_first() {
    assert_eq!(Case::fold(&[]), Err(FoldError::Empty));
    let ack = CaseEvent::new(
        Event::Acknowledged {
            on: d("2026-01-01"),
        },
        None,
    );
    assert_eq!(
        Case::fold(&[ack]),
        Err(FoldError::NotReceivedFirst("acknowledged"))
    );
    let r = CaseEvent::new(Event::received(d("2026-01-01"), Channel::Phone), None);
    assert_eq!(Case::fold(&[r.clone(), r]), Err(FoldError::ReceivedTwice));
}

/// Any sequence of steps: decide never panics, accepted steps fold to the same state incrementally and from
/// scratch, and clocks are always computable.
fn any_event() -> impl Strategy<Value = (u8, i64, u32, bool)> {
    (0u8..14, 0i64..20, 1u32..15, any::<bool>())
}

fn build(kind: u8, on: jiff::civil::Date, n: u32, flag: bool) -> Event {
    match kind {
        0 => Event::Acknowledged { on },
        1 => Event::Responded {
            on,
            outcome: Some(if flag {
                Outcome::Upheld
            } else {
                Outcome::NotUpheld
            }),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        },
        2 => Event::EscalationRequested {
            on,
            reasons: None,
            out_of_time: false,
        },
        3 => Event::Extended {
            on,
            working_days: n,
            reason: "r".into(),
            resident_agreed: flag,
        },
        4 => Event::Assigned {
            on,
            officer: if flag { "a".into() } else { "b".into() },
        },
        5 => Event::Closed {
            on,
            reason: if flag {
                CloseReason::Withdrawn
            } else {
                CloseReason::NoReply
            },
            explanation: None,
        },
        6 => Event::Reopened {
            on,
            reason: "r".into(),
        },
        7 => Event::ReturnedToStage1 {
            on,
            reason: "r".into(),
        },
        8 => Event::EscalationRefused {
            on,
            ground: "legal-proceedings".into(),
            explanation: Some("e".into()),
        },
        9 => Event::Classified {
            on,
            feedback_type: if flag {
                FeedbackType::ServiceRequest
            } else {
                FeedbackType::Complaint
            },
            raised_on: None,
        },
        10 => Event::ComplaintDefined {
            on,
            heads: vec![Head {
                summary: "s".into(),
                outcome_sought: None,
            }],
            not_responsible_for: vec![],
        },
        11 => Event::ResolvedConfirmed { on },
        12 => Event::ReferredToOmbudsman {
            on,
            ombudsman_reference: None,
        },
        _ => Event::Excluded {
            on,
            ground: "time-limit".into(),
            reason: "r".into(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn any_sequence_of_steps_folds_consistently(steps in prop::collection::vec(any_event(), 0..40), preset in prop::sample::select(vec!["code-2024", "herring-house-trust", "harrogate-ha", "herefordshire-council"])) {
        let mut s = Scenario::received(preset, "2025-12-19");
        let mut on = d("2025-12-19");
        for (kind, gap, n, flag) in steps {
            on = on.checked_add(jiff::Span::new().days(gap)).unwrap();
            let event = build(kind, on, n, flag);
            let by = if flag { Some("a") } else { Some("b") };
            if s.case.decide(&s.policy, &s.calendar, event.on(), &event, by).is_ok() {
                s.then_by(event, by);
            }
            let clocks = s.deadlines("2026-06-01");
            for c in &clocks {
                prop_assert!(c.due_on >= d("2025-12-19"));
                if let Some(m) = c.met_on { prop_assert!(m >= d("2025-12-19")); }
            }
        }
    }
}

#[test]
fn the_queue_position_names_the_next_duty_and_a_late_acknowledgement() {
    // Received Mon 2 Feb 2026; acknowledgement due Mon 9 Feb; made late on Wed 11 Feb.
    let mut s = Scenario::received("code-2024", "2026-02-02");
    let before = s
        .case
        .queue_position(&s.policy, &s.calendar, d("2026-02-03"));
    assert_eq!(
        before.next_due.map(|c| (c.clock.as_str(), c.due_on)),
        Some(("stage1_acknowledge", d("2026-02-09")))
    );
    assert_eq!(before.late_acknowledged_on, None);
    s.ack("2026-02-11");
    let after = s
        .case
        .queue_position(&s.policy, &s.calendar, d("2026-02-12"));
    assert_eq!(after.late_acknowledged_on, Some(d("2026-02-11")));
    // A late acknowledgement buys no time: 10 working days after it was due on 9 Feb: 10–13, 16–20, 23 Feb.
    assert_eq!(
        after.next_due.map(|c| (c.clock.as_str(), c.due_on)),
        Some(("stage1_response", d("2026-02-23")))
    );
}

#[test]
fn the_domain_refuses_a_day_still_to_come_and_a_second_receipt() {
    let s = Scenario::received("code-2024", "2026-03-02");
    let today = d("2026-03-03");
    let r = s
        .case
        .decide(
            &s.policy,
            &s.calendar,
            today,
            &Event::Acknowledged {
                on: d("2026-03-04"),
            },
            None,
        )
        .unwrap_err();
    assert!(r.malformed, "a day still to come is bad input, not a rule");
    assert_eq!(r.field, Some("on"));
    assert_eq!(
        r.message,
        "2026-03-04 is in the future (today is 2026-03-03)"
    );
    let r = s
        .case
        .decide(
            &s.policy,
            &s.calendar,
            today,
            &Event::received(d("2026-03-02"), Channel::Email),
            None,
        )
        .unwrap_err();
    assert!(!r.malformed);
    assert_eq!(r.message, "This case has already been received");
    assert!(
        s.case
            .decide(
                &s.policy,
                &s.calendar,
                today,
                &Event::Acknowledged { on: today },
                None
            )
            .is_ok()
    );
}

/// Rules the pages used to add on their own, now the domain's: findings are shared during an acknowledged
/// investigation, the resident's confirmation is recorded once, and adjustments on an open case.
#[test]
fn findings_after_acknowledgement_one_confirmation_and_adjustments_while_open() {
    let mut s = Scenario::received("code-2024", "2026-03-02");
    assert_eq!(
        s.refused(Event::AdverseFindingsShared {
            on: d("2026-03-02")
        }),
        "Stage 1 has not been acknowledged: findings are shared during the investigation"
    );
    s.ack("2026-03-03");
    s.then(Event::AdverseFindingsShared {
        on: d("2026-03-05"),
    });
    s.respond("2026-03-09", Outcome::NotUpheld);
    s.then(Event::ResolvedConfirmed {
        on: d("2026-03-10"),
    });
    assert_eq!(
        s.refused(Event::ResolvedConfirmed {
            on: d("2026-03-11")
        }),
        "The resident's confirmation was already recorded on Tue 10 Mar 2026"
    );
    s.then(Event::Closed {
        on: d("2026-03-11"),
        reason: CloseReason::Resolved,
        explanation: None,
    });
    assert_eq!(
        s.refused(Event::AdjustmentsRecorded {
            on: d("2026-03-12"),
            needs: "Dyslexia".into(),
            adjustments: "Letters in large print".into(),
            review_on: None,
        }),
        "The case is closed: reopen it before recording adjustments"
    );
}
