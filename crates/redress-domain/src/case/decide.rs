//! Whether a new event is allowed: the checks every event shares, then one rule per event kind.
//!
//! Each rule is split in two where the pages need to know in advance whether a step can be taken: a
//! precondition on the case's state (in `rules.rs`, named `…_allowed`), which [`Case::available_steps`]
//! asks too, and the checks on the fields the officer fills in. So a step form is offered exactly when
//! some filling of it would be accepted.

use super::*;

impl Case {
    /// Whether `event`, recorded by `by`, is allowed next under `policy`. The refusal says why in words an
    /// officer understands.
    pub fn decide(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        today: Date,
        event: &Event,
        by: Option<&str>,
    ) -> Result<(), Refused> {
        self.decide_with(policy, calendar, today, event, by, None)
    }

    /// [`Case::decide`], with the staff directory for the rules about people: who may approve a contact
    /// restriction, and people named in messages. Without a directory those rules are not applied and
    /// people are named by their ids.
    pub fn decide_with(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        today: Date,
        event: &Event,
        by: Option<&str>,
        people: Option<&dyn Directory>,
    ) -> Result<(), Refused> {
        let on = event.on();
        not_in_the_future(on, today)?;
        if matches!(event, Event::Received { .. }) {
            return refuse_field("type", "This case has already been received");
        }
        self.in_order(on)?;
        match event {
            Event::Received { .. } => refuse("This case has already been received"),
            Event::Classified {
                feedback_type,
                raised_on,
                ..
            } => self.may_classify(policy, on, *feedback_type, *raised_on),
            Event::Excluded { ground, reason, .. } => self.may_exclude(policy, ground, reason),
            Event::Acknowledged { .. } => self.acknowledge_allowed(policy),
            Event::Assigned { officer, .. } => self.may_assign(policy, officer, people),
            Event::ComplaintDefined { heads, .. } => self.may_define(policy, heads),
            Event::Extended {
                working_days,
                reason,
                resident_agreed,
                ..
            } => self.may_extend(
                policy,
                calendar,
                on,
                Extension {
                    working_days: *working_days,
                    reason,
                    resident_agreed: *resident_agreed,
                },
            ),
            Event::AdverseFindingsShared { .. } => self.share_findings_allowed(policy),
            Event::Responded { outcome, heads, .. } => {
                self.may_respond(policy, *outcome, heads, by, people)
            }
            Event::EscalationRequested { .. } => self.escalate_allowed(policy),
            Event::EscalationRefused {
                ground,
                explanation,
                ..
            } => self.may_refuse_escalation(policy, ground, explanation.as_deref()),
            Event::ResolvedConfirmed { .. } => self.resolved_allowed(policy),
            Event::Closed {
                reason,
                explanation,
                ..
            } => self.may_close(policy, calendar, on, *reason, explanation.as_deref()),
            Event::Reopened { reason, .. } => self.may_reopen(reason),
            Event::ReturnedToStage1 { reason, .. } => self.may_return_to_stage_1(policy, reason),
            Event::IssueMerged { summary, .. } => self.may_merge_issue(policy, summary),
            Event::IssueSplitOut { summary, .. } => self.may_split_out_issue(summary),
            Event::ReferredToOmbudsman { .. } => self.may_refer_to_ombudsman(),
            Event::OmbudsmanDetermined { findings, .. } => self.may_record_determination(findings),
            Event::AdjustmentsRecorded {
                needs,
                adjustments,
                review_on,
                ..
            } => self.may_record_adjustments(on, needs, adjustments, *review_on),
            Event::ContactRestricted {
                restriction,
                approved_by,
                review_on,
                ..
            } => self.may_restrict_contact(
                policy,
                on,
                Restriction {
                    restriction,
                    approved_by,
                    review_on: *review_on,
                },
                people,
            ),
            Event::ContactRestrictionChallenged { explanation, .. } => {
                self.may_record_challenge(explanation)
            }
            Event::RelationshipRecorded {
                relationship,
                tenancy_ended_on,
                ..
            } => self.may_record_relationship(policy, *relationship, *tenancy_ended_on),
            Event::TimeLimitDiscretionUsed { reason, .. } => {
                self.may_use_time_limit_discretion(policy, reason)
            }
            Event::EscalationAccepted { reason, .. } => self.may_accept_escalation(reason),
            Event::RemedyCompleted { remedy, .. } => self.may_complete_remedy(remedy),
            Event::LetterIssued {
                letter,
                kind,
                stage,
                document,
                checklist,
                ..
            } => {
                self.may_issue_letter(letter, *kind, *stage, document)?;
                crate::letters::check_answers(
                    &policy.letters.checklist_for(*kind, *stage),
                    checklist,
                )
            }
            Event::DocumentAdded {
                document,
                sha256,
                name,
                content_type,
                ..
            } => self.may_add_document(document, sha256, name, content_type),
        }
    }

    /// A step is dated on or after the case's receipt and its latest step: the record is a history, so it
    /// is kept in the order things happened.
    pub(crate) fn in_order(&self, on: Date) -> Result<(), Refused> {
        if on < self.received_on {
            return refuse_field(
                "on",
                format!(
                    "The date {on} is before the complaint was received on {}",
                    self.received_on
                ),
            );
        }
        if on < self.last_event_on {
            return refuse_field(
                "on",
                format!(
                    "The date {on} is before the last recorded step on {}: record steps in the order they happened",
                    self.last_event_on
                ),
            );
        }
        Ok(())
    }
}

/// A day still to come cannot be right on any case: the input is at fault, not the rules.
pub(crate) fn not_in_the_future(on: Date, today: Date) -> Result<(), Refused> {
    if on > today {
        return Err(Refused {
            message: format!("{on} is in the future (today is {today})"),
            field: Some("on"),
            malformed: true,
        });
    }
    Ok(())
}

/// The fields of an extension, as the rule reads them.
pub(crate) struct Extension<'a> {
    pub(crate) working_days: u32,
    pub(crate) reason: &'a str,
    pub(crate) resident_agreed: bool,
}

/// The fields of a contact restriction, as the rule reads them.
pub(crate) struct Restriction<'a> {
    pub(crate) restriction: &'a str,
    pub(crate) approved_by: &'a str,
    pub(crate) review_on: Date,
}

/// A person's name for messages: from the directory when there is one, else their id.
pub(crate) fn person_name(people: Option<&dyn Directory>, id: &str) -> String {
    people
        .and_then(|p| p.name_of(id))
        .unwrap_or_else(|| id.to_owned())
}
