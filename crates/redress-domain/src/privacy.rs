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

fn withhold(text: &mut String) {
    *text = WITHHELD.to_owned();
}

fn withhold_optional(text: &mut Option<String>) {
    if let Some(text) = text {
        withhold(text);
    }
}

fn withhold_remedies(list: &mut [Remedy]) {
    for Remedy {
        kind: _,
        description,
        amount_pence: _,
        due_on: _,
    } in list
    {
        withhold(description);
    }
}

/// The event with every personal field withheld.
pub fn redact(event: &Event) -> Event {
    let mut event = event.clone();
    withhold_personal_fields(&mut event);
    event
}

/// Withholds the event's personal fields in place. A field bound as `_` is kept: it is not personal.
fn withhold_personal_fields(event: &mut Event) {
    match event {
        Event::Received {
            on: _,
            channel: _,
            relationship: _,
            tenancy_ended_on: _,
            matter_arose_on: _,
        }
        | Event::RelationshipRecorded {
            on: _,
            relationship: _,
            tenancy_ended_on: _,
        }
        | Event::Classified {
            on: _,
            feedback_type: _,
            raised_on: _,
        }
        | Event::Acknowledged { on: _ }
        | Event::Assigned { on: _, officer: _ }
        | Event::AdverseFindingsShared { on: _ }
        | Event::ResolvedConfirmed { on: _ }
        | Event::RemedyCompleted { on: _, remedy: _ } => {}
        record @ (Event::LetterIssued { .. } | Event::DocumentAdded { .. }) => {
            withhold_letters_and_documents(record);
        }
        Event::TimeLimitDiscretionUsed { on: _, reason }
        | Event::Excluded {
            on: _,
            ground: _,
            reason,
        }
        | Event::Extended {
            on: _,
            working_days: _,
            reason,
            resident_agreed: _,
        }
        | Event::EscalationAccepted { on: _, reason }
        | Event::Reopened { on: _, reason }
        | Event::ReturnedToStage1 { on: _, reason } => withhold(reason),
        Event::ComplaintDefined {
            on: _,
            heads,
            not_responsible_for,
        } => withhold_complaint_definition(heads, not_responsible_for),
        Event::Responded {
            on: _,
            outcome: _,
            heads,
            remedies,
            outstanding_actions,
        } => withhold_response(heads, remedies, outstanding_actions),
        Event::EscalationRequested {
            on: _,
            reasons: text,
            out_of_time: _,
        }
        | Event::EscalationRefused {
            on: _,
            ground: _,
            explanation: text,
        }
        | Event::Closed {
            on: _,
            reason: _,
            explanation: text,
        }
        | Event::ReferredToOmbudsman {
            on: _,
            ombudsman_reference: text,
        } => withhold_optional(text),
        Event::IssueMerged {
            on: _,
            summary: text,
            from_reference: _,
        }
        | Event::IssueSplitOut {
            on: _,
            summary: text,
            to_reference: _,
        }
        | Event::ContactRestricted {
            on: _,
            restriction: text,
            approved_by: _,
            review_on: _,
        }
        | Event::ContactRestrictionChallenged {
            on: _,
            outcome: _,
            explanation: text,
        } => withhold(text),
        Event::OmbudsmanDetermined {
            on: _,
            findings: _,
            orders,
        } => withhold_remedies(orders),
        Event::AdjustmentsRecorded {
            on: _,
            needs,
            adjustments,
            review_on: _,
        } => {
            withhold(needs);
            withhold(adjustments);
        }
    }
}

/// Who a letter went to, and the explanations given in its checklist.
fn withhold_letter(recipients: &mut [String], checklist: &mut [crate::letters::ChecklistAnswer]) {
    recipients.iter_mut().for_each(withhold);
    checklist
        .iter_mut()
        .filter_map(|a| a.explanation.as_mut())
        .for_each(withhold);
}

/// The personal fields of the letters and documents on a case (`withhold_personal_fields` sends only those
/// here; each is destructured whole, so a new field does not compile until it is marked).
fn withhold_letters_and_documents(event: &mut Event) {
    match event {
        Event::LetterIssued {
            on: _,
            letter: _,
            kind: _,
            stage: _,
            channel: _,
            recipients,
            document: _,
            checklist,
        } => withhold_letter(recipients, checklist),
        Event::DocumentAdded {
            on: _,
            document: _,
            sha256: _,
            name,
            content_type: _,
            size: _,
        } => withhold(name),
        _ => {}
    }
}

fn withhold_complaint_definition(heads: &mut [Head], not_responsible_for: &mut [String]) {
    for Head {
        summary,
        outcome_sought,
    } in heads
    {
        withhold(summary);
        withhold_optional(outcome_sought);
    }
    not_responsible_for.iter_mut().for_each(withhold);
}

fn withhold_response(
    heads: &mut [HeadOutcome],
    remedies: &mut [Remedy],
    outstanding_actions: &mut [OutstandingAction],
) {
    for HeadOutcome {
        head: _,
        outcome: _,
        reasons,
    } in heads
    {
        withhold_optional(reasons);
    }
    withhold_remedies(remedies);
    for OutstandingAction {
        description,
        due_on: _,
    } in outstanding_actions
    {
        withhold(description);
    }
}

/// One event of every kind, each with `marker` in every personal field (and nowhere else), in an order a
/// case can be folded from: for tests that walk every event type, here and in the service.
pub fn examples(marker: &str) -> Vec<Event> {
    let marked = Marked(marker);
    [
        intake_examples(&marked),
        handling_examples(&marked),
        escalation_and_closure_examples(&marked),
    ]
    .concat()
}

const EXAMPLE_DAY: jiff::civil::Date = jiff::civil::date(2026, 3, 2);

/// Example personal text: each starts with the marker, so a test finds every personal field by it.
struct Marked<'a>(&'a str);

impl Marked<'_> {
    fn text(&self, what: &str) -> String {
        format!("{} {what}", self.0)
    }

    fn remedy(&self, what: &str) -> Remedy {
        Remedy {
            kind: crate::event::RemedyKind::Compensation,
            description: self.text(what),
            amount_pence: Some(15_000),
            due_on: Some(jiff::civil::date(2026, 4, 1)),
        }
    }
}

fn intake_examples(marked: &Marked) -> Vec<Event> {
    use crate::event::{Channel, FeedbackType, Relationship};
    vec![
        Event::Received {
            on: EXAMPLE_DAY,
            channel: Channel::Phone,
            relationship: Some(Relationship::Tenant),
            tenancy_ended_on: None,
            matter_arose_on: Some(jiff::civil::date(2026, 2, 1)),
        },
        Event::RelationshipRecorded {
            on: EXAMPLE_DAY,
            relationship: Relationship::FormerTenant,
            tenancy_ended_on: Some(jiff::civil::date(2026, 1, 31)),
        },
        Event::TimeLimitDiscretionUsed {
            on: EXAMPLE_DAY,
            reason: marked.text("discretion reason"),
        },
        Event::Classified {
            on: EXAMPLE_DAY,
            feedback_type: FeedbackType::ServiceRequest,
            raised_on: None,
        },
        Event::Classified {
            on: EXAMPLE_DAY,
            feedback_type: FeedbackType::Complaint,
            raised_on: None,
        },
        Event::Assigned {
            on: EXAMPLE_DAY,
            officer: "staff-1".into(),
        },
        Event::Acknowledged { on: EXAMPLE_DAY },
    ]
}

fn handling_examples(marked: &Marked) -> Vec<Event> {
    use crate::event::{ChallengeOutcome, Outcome};
    vec![
        Event::ComplaintDefined {
            on: EXAMPLE_DAY,
            heads: vec![Head {
                summary: marked.text("head summary"),
                outcome_sought: Some(marked.text("outcome sought")),
            }],
            not_responsible_for: vec![marked.text("not responsible for")],
        },
        Event::Extended {
            on: EXAMPLE_DAY,
            working_days: 5,
            reason: marked.text("extension reason"),
            resident_agreed: false,
        },
        Event::AdverseFindingsShared { on: EXAMPLE_DAY },
        Event::AdjustmentsRecorded {
            on: EXAMPLE_DAY,
            needs: marked.text("needs"),
            adjustments: marked.text("adjustments"),
            review_on: Some(jiff::civil::date(2026, 9, 1)),
        },
        Event::ContactRestricted {
            on: EXAMPLE_DAY,
            restriction: marked.text("restriction"),
            approved_by: "staff-2".into(),
            review_on: jiff::civil::date(2026, 9, 1),
        },
        Event::ContactRestrictionChallenged {
            on: EXAMPLE_DAY,
            outcome: ChallengeOutcome::Kept,
            explanation: marked.text("challenge explanation"),
        },
        Event::IssueMerged {
            on: EXAMPLE_DAY,
            summary: marked.text("merged issue"),
            from_reference: Some("CMP-2026-000009".into()),
        },
        Event::IssueSplitOut {
            on: EXAMPLE_DAY,
            summary: marked.text("split issue"),
            to_reference: None,
        },
        Event::Responded {
            on: EXAMPLE_DAY,
            outcome: Some(Outcome::PartlyUpheld),
            heads: vec![HeadOutcome {
                head: 1,
                outcome: Outcome::PartlyUpheld,
                reasons: Some(marked.text("head reasons")),
            }],
            remedies: vec![marked.remedy("remedy")],
            outstanding_actions: vec![OutstandingAction {
                description: marked.text("outstanding action"),
                due_on: Some(jiff::civil::date(2026, 4, 1)),
            }],
        },
        Event::RemedyCompleted {
            on: EXAMPLE_DAY,
            remedy: "R1".into(),
        },
        Event::LetterIssued {
            on: EXAMPLE_DAY,
            letter: "L-0001".into(),
            kind: crate::letters::LetterKind::General,
            stage: 1,
            channel: crate::event::LetterChannel::Post,
            recipients: vec![marked.text("recipient")],
            document: "ab".repeat(32),
            checklist: vec![crate::letters::ChecklistAnswer {
                question: "apology".into(),
                answer: crate::letters::Answer::No,
                explanation: Some(marked.text("checklist explanation")),
            }],
        },
        Event::DocumentAdded {
            on: EXAMPLE_DAY,
            document: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            sha256: "cd".repeat(32),
            name: marked.text("file name"),
            content_type: "application/pdf".into(),
            size: 2048,
        },
    ]
}

fn escalation_and_closure_examples(marked: &Marked) -> Vec<Event> {
    use crate::event::{CloseReason, OmbudsmanElement, OmbudsmanFinding};
    vec![
        Event::EscalationRequested {
            on: EXAMPLE_DAY,
            reasons: Some(marked.text("escalation reasons")),
            out_of_time: true,
        },
        Event::EscalationRefused {
            on: EXAMPLE_DAY,
            ground: "time-limit".into(),
            explanation: Some(marked.text("refusal explanation")),
        },
        Event::EscalationRequested {
            on: EXAMPLE_DAY,
            reasons: None,
            out_of_time: true,
        },
        Event::EscalationAccepted {
            on: EXAMPLE_DAY,
            reason: marked.text("acceptance reason"),
        },
        Event::ReturnedToStage1 {
            on: EXAMPLE_DAY,
            reason: marked.text("return reason"),
        },
        Event::ResolvedConfirmed { on: EXAMPLE_DAY },
        Event::Closed {
            on: EXAMPLE_DAY,
            reason: CloseReason::Resolved,
            explanation: Some(marked.text("close explanation")),
        },
        Event::Reopened {
            on: EXAMPLE_DAY,
            reason: marked.text("reopen reason"),
        },
        Event::ReferredToOmbudsman {
            on: EXAMPLE_DAY,
            ombudsman_reference: Some(marked.text("ombudsman reference")),
        },
        Event::OmbudsmanDetermined {
            on: EXAMPLE_DAY,
            findings: vec![OmbudsmanElement {
                element: "Complaint handling".into(),
                finding: OmbudsmanFinding::ServiceFailure,
            }],
            orders: vec![marked.remedy("ombudsman order")],
        },
        Event::Excluded {
            on: EXAMPLE_DAY,
            ground: "time-limit".into(),
            reason: marked.text("exclusion reason"),
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
