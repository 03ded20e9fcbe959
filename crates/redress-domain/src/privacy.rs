//! Which event fields are personal data, in one place.
//!
//! Every field of every event is listed here as personal or not: [`redact`] destructures each event with
//! no `..`, so a new field does not compile until it is marked. Personal fields are free text written by or
//! about a resident (reasons, explanations, needs and adjustments, restriction details, heads of complaint,
//! remedy descriptions) and the Ombudsman's reference for the resident's case. What stays is what the
//! statistics need: dates, stages, kinds, outcomes, grounds, amounts and staff ids.
//!
//! Roles without the personal-data permission (the board, scrutiny panels) see a case folded from redacted
//! events, so nothing derived from them (remedies, adjustments, warnings) carries personal text either.

use crate::event::{Event, Head, HeadOutcome, OutstandingAction, Remedy};

/// What a withheld personal field reads as.
pub const WITHHELD: &str = "[withheld: personal data]";

fn withheld() -> String {
    WITHHELD.to_owned()
}

fn withheld_opt(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|_| withheld())
}

fn remedies(list: &[Remedy]) -> Vec<Remedy> {
    list.iter()
        .map(
            |Remedy {
                 kind,
                 description: _,
                 amount_pence,
                 due_on,
             }| Remedy {
                kind: *kind,
                description: withheld(),
                amount_pence: *amount_pence,
                due_on: *due_on,
            },
        )
        .collect()
}

/// The event with every personal field withheld.
pub fn redact(event: &Event) -> Event {
    match event {
        Event::Received {
            on,
            channel,
            relationship,
            tenancy_ended_on,
            matter_arose_on,
        } => Event::Received {
            on: *on,
            channel: *channel,
            relationship: *relationship,
            tenancy_ended_on: *tenancy_ended_on,
            matter_arose_on: *matter_arose_on,
        },
        Event::RelationshipRecorded {
            on,
            relationship,
            tenancy_ended_on,
        } => Event::RelationshipRecorded {
            on: *on,
            relationship: *relationship,
            tenancy_ended_on: *tenancy_ended_on,
        },
        Event::TimeLimitDiscretionUsed { on, reason: _ } => Event::TimeLimitDiscretionUsed {
            on: *on,
            reason: withheld(),
        },
        Event::Classified {
            on,
            feedback_type,
            raised_on,
        } => Event::Classified {
            on: *on,
            feedback_type: *feedback_type,
            raised_on: *raised_on,
        },
        Event::Excluded {
            on,
            ground,
            reason: _,
        } => Event::Excluded {
            on: *on,
            ground: ground.clone(),
            reason: withheld(),
        },
        Event::Acknowledged { on } => Event::Acknowledged { on: *on },
        Event::Assigned { on, officer } => Event::Assigned {
            on: *on,
            officer: officer.clone(),
        },
        Event::ComplaintDefined {
            on,
            heads,
            not_responsible_for,
        } => Event::ComplaintDefined {
            on: *on,
            heads: heads
                .iter()
                .map(
                    |Head {
                         summary: _,
                         outcome_sought,
                     }| Head {
                        summary: withheld(),
                        outcome_sought: withheld_opt(outcome_sought),
                    },
                )
                .collect(),
            not_responsible_for: not_responsible_for.iter().map(|_| withheld()).collect(),
        },
        Event::Extended {
            on,
            working_days,
            reason: _,
            resident_agreed,
        } => Event::Extended {
            on: *on,
            working_days: *working_days,
            reason: withheld(),
            resident_agreed: *resident_agreed,
        },
        Event::AdverseFindingsShared { on } => Event::AdverseFindingsShared { on: *on },
        Event::Responded {
            on,
            outcome,
            heads,
            remedies: offered,
            outstanding_actions,
        } => Event::Responded {
            on: *on,
            outcome: *outcome,
            heads: heads
                .iter()
                .map(
                    |HeadOutcome {
                         head,
                         outcome,
                         reasons,
                     }| HeadOutcome {
                        head: *head,
                        outcome: *outcome,
                        reasons: withheld_opt(reasons),
                    },
                )
                .collect(),
            remedies: remedies(offered),
            outstanding_actions: outstanding_actions
                .iter()
                .map(
                    |OutstandingAction {
                         description: _,
                         due_on,
                     }| OutstandingAction {
                        description: withheld(),
                        due_on: *due_on,
                    },
                )
                .collect(),
        },
        Event::EscalationRequested {
            on,
            reasons,
            out_of_time,
        } => Event::EscalationRequested {
            on: *on,
            reasons: withheld_opt(reasons),
            out_of_time: *out_of_time,
        },
        Event::EscalationAccepted { on, reason: _ } => Event::EscalationAccepted {
            on: *on,
            reason: withheld(),
        },
        Event::EscalationRefused {
            on,
            ground,
            explanation,
        } => Event::EscalationRefused {
            on: *on,
            ground: ground.clone(),
            explanation: withheld_opt(explanation),
        },
        Event::ResolvedConfirmed { on } => Event::ResolvedConfirmed { on: *on },
        Event::Closed {
            on,
            reason,
            explanation,
        } => Event::Closed {
            on: *on,
            reason: *reason,
            explanation: withheld_opt(explanation),
        },
        Event::Reopened { on, reason: _ } => Event::Reopened {
            on: *on,
            reason: withheld(),
        },
        Event::ReturnedToStage1 { on, reason: _ } => Event::ReturnedToStage1 {
            on: *on,
            reason: withheld(),
        },
        Event::IssueMerged {
            on,
            summary: _,
            from_reference,
        } => Event::IssueMerged {
            on: *on,
            summary: withheld(),
            from_reference: from_reference.clone(),
        },
        Event::IssueSplitOut {
            on,
            summary: _,
            to_reference,
        } => Event::IssueSplitOut {
            on: *on,
            summary: withheld(),
            to_reference: to_reference.clone(),
        },
        Event::ReferredToOmbudsman {
            on,
            ombudsman_reference,
        } => Event::ReferredToOmbudsman {
            on: *on,
            ombudsman_reference: withheld_opt(ombudsman_reference),
        },
        Event::OmbudsmanDetermined {
            on,
            findings,
            orders,
        } => Event::OmbudsmanDetermined {
            on: *on,
            findings: findings.clone(),
            orders: remedies(orders),
        },
        Event::AdjustmentsRecorded {
            on,
            needs: _,
            adjustments: _,
            review_on,
        } => Event::AdjustmentsRecorded {
            on: *on,
            needs: withheld(),
            adjustments: withheld(),
            review_on: *review_on,
        },
        Event::ContactRestricted {
            on,
            restriction: _,
            approved_by,
            review_on,
        } => Event::ContactRestricted {
            on: *on,
            restriction: withheld(),
            approved_by: approved_by.clone(),
            review_on: *review_on,
        },
        Event::ContactRestrictionChallenged {
            on,
            outcome,
            explanation: _,
        } => Event::ContactRestrictionChallenged {
            on: *on,
            outcome: *outcome,
            explanation: withheld(),
        },
        Event::RemedyCompleted { on, remedy } => Event::RemedyCompleted {
            on: *on,
            remedy: remedy.clone(),
        },
    }
}

/// One event of every kind, each with `marker` in every personal field (and nowhere else), in an order a
/// case can be folded from: for tests that walk every event type, here and in the service.
pub fn examples(marker: &str) -> Vec<Event> {
    use crate::event::{
        ChallengeOutcome, Channel, CloseReason, FeedbackType, OmbudsmanElement, OmbudsmanFinding,
        Outcome, Relationship, RemedyKind,
    };
    let day = jiff::civil::date(2026, 3, 2);
    let text = |what: &str| format!("{marker} {what}");
    let remedy = |what: &str| Remedy {
        kind: RemedyKind::Compensation,
        description: text(what),
        amount_pence: Some(15_000),
        due_on: Some(jiff::civil::date(2026, 4, 1)),
    };
    vec![
        Event::Received {
            on: day,
            channel: Channel::Phone,
            relationship: Some(Relationship::Tenant),
            tenancy_ended_on: None,
            matter_arose_on: Some(jiff::civil::date(2026, 2, 1)),
        },
        Event::RelationshipRecorded {
            on: day,
            relationship: Relationship::FormerTenant,
            tenancy_ended_on: Some(jiff::civil::date(2026, 1, 31)),
        },
        Event::TimeLimitDiscretionUsed {
            on: day,
            reason: text("discretion reason"),
        },
        Event::Classified {
            on: day,
            feedback_type: FeedbackType::ServiceRequest,
            raised_on: None,
        },
        Event::Classified {
            on: day,
            feedback_type: FeedbackType::Complaint,
            raised_on: None,
        },
        Event::Assigned {
            on: day,
            officer: "staff-1".into(),
        },
        Event::Acknowledged { on: day },
        Event::ComplaintDefined {
            on: day,
            heads: vec![Head {
                summary: text("head summary"),
                outcome_sought: Some(text("outcome sought")),
            }],
            not_responsible_for: vec![text("not responsible for")],
        },
        Event::Extended {
            on: day,
            working_days: 5,
            reason: text("extension reason"),
            resident_agreed: false,
        },
        Event::AdverseFindingsShared { on: day },
        Event::AdjustmentsRecorded {
            on: day,
            needs: text("needs"),
            adjustments: text("adjustments"),
            review_on: Some(jiff::civil::date(2026, 9, 1)),
        },
        Event::ContactRestricted {
            on: day,
            restriction: text("restriction"),
            approved_by: "staff-2".into(),
            review_on: jiff::civil::date(2026, 9, 1),
        },
        Event::ContactRestrictionChallenged {
            on: day,
            outcome: ChallengeOutcome::Kept,
            explanation: text("challenge explanation"),
        },
        Event::IssueMerged {
            on: day,
            summary: text("merged issue"),
            from_reference: Some("CMP-2026-000009".into()),
        },
        Event::IssueSplitOut {
            on: day,
            summary: text("split issue"),
            to_reference: None,
        },
        Event::Responded {
            on: day,
            outcome: Some(Outcome::PartlyUpheld),
            heads: vec![HeadOutcome {
                head: 1,
                outcome: Outcome::PartlyUpheld,
                reasons: Some(text("head reasons")),
            }],
            remedies: vec![remedy("remedy")],
            outstanding_actions: vec![OutstandingAction {
                description: text("outstanding action"),
                due_on: Some(jiff::civil::date(2026, 4, 1)),
            }],
        },
        Event::RemedyCompleted {
            on: day,
            remedy: "R1".into(),
        },
        Event::EscalationRequested {
            on: day,
            reasons: Some(text("escalation reasons")),
            out_of_time: true,
        },
        Event::EscalationRefused {
            on: day,
            ground: "time-limit".into(),
            explanation: Some(text("refusal explanation")),
        },
        Event::EscalationRequested {
            on: day,
            reasons: None,
            out_of_time: true,
        },
        Event::EscalationAccepted {
            on: day,
            reason: text("acceptance reason"),
        },
        Event::ReturnedToStage1 {
            on: day,
            reason: text("return reason"),
        },
        Event::ResolvedConfirmed { on: day },
        Event::Closed {
            on: day,
            reason: CloseReason::Resolved,
            explanation: Some(text("close explanation")),
        },
        Event::Reopened {
            on: day,
            reason: text("reopen reason"),
        },
        Event::ReferredToOmbudsman {
            on: day,
            ombudsman_reference: Some(text("ombudsman reference")),
        },
        Event::OmbudsmanDetermined {
            on: day,
            findings: vec![OmbudsmanElement {
                element: "Complaint handling".into(),
                finding: OmbudsmanFinding::ServiceFailure,
            }],
            orders: vec![remedy("ombudsman order")],
        },
        Event::Excluded {
            on: day,
            ground: "time-limit".into(),
            reason: text("exclusion reason"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Case;
    use crate::event::CaseEvent;

    const MARKER: &str = "PERSONAL-7f3a";

    #[test]
    fn the_examples_cover_every_event_type() {
        let kinds: std::collections::BTreeSet<&str> =
            examples(MARKER).iter().map(Event::kind).collect();
        assert_eq!(kinds.len(), Event::KINDS.len());
        for k in Event::KINDS {
            assert!(kinds.contains(k), "no example of {k}");
        }
    }

    #[test]
    fn every_personal_field_is_withheld_and_nothing_else_changes() {
        for event in examples(MARKER) {
            let before = serde_json::to_string(&event).unwrap();
            let after = serde_json::to_string(&redact(&event)).unwrap();
            assert!(!after.contains(MARKER), "{} leaks: {after}", event.kind());
            // Withholding only replaces the personal text: with the marker's text blanked out the same way,
            // the two agree, so dates, kinds, outcomes, grounds and amounts survive.
            let blanked = before
                .split('"')
                .map(|part| {
                    if part.starts_with(MARKER) {
                        WITHHELD
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join("\"");
            assert_eq!(blanked, after, "{}", event.kind());
        }
    }

    #[test]
    fn a_case_folded_from_redacted_events_carries_no_personal_text() {
        let events: Vec<CaseEvent> = examples(MARKER)
            .iter()
            .map(|e| CaseEvent::new(redact(e), Some("staff-1")))
            .collect();
        let case = Case::fold(&events).unwrap();
        let json = serde_json::to_string(&case).unwrap();
        assert!(!json.contains(MARKER), "{json}");
        // And folded from the real events it does: the marker is there to be found.
        let real: Vec<CaseEvent> = examples(MARKER)
            .into_iter()
            .map(|e| CaseEvent::new(e, None))
            .collect();
        assert!(
            serde_json::to_string(&Case::fold(&real).unwrap())
                .unwrap()
                .contains(MARKER)
        );
    }
}
