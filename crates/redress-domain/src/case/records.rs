//! The rules for what is recorded beside a stage's acknowledgement and response: the case's scope
//! (issues merged, split out, returned to stage 1), who is complaining, the resident's needs and any
//! restriction on their contact, the time limit and late requests, the Ombudsman and remedies.
//!
//! Split like `rules.rs`: a state precondition (`…_allowed`) where the step is offered on the pages, then
//! the fields.

use super::decide::{Restriction, person_name};
use super::*;
use crate::event::OmbudsmanElement;

impl Case {
    pub(super) fn may_return_to_stage_1(
        &self,
        policy: &Policy,
        reason: &str,
    ) -> Result<(), Refused> {
        self.escalation_decided(policy)?;
        if self.stage() < 2 || self.state.is_finished() {
            return refuse("Only an open complaint at a later stage can be returned to stage 1");
        }
        if self.round().responded_on.is_some() {
            return refuse(format!(
                "{} has already been responded to",
                policy.stage_name(self.stage())
            ));
        }
        if reason.trim().is_empty() {
            return refuse_field(
                "reason",
                "Say what new information sends it back to stage 1",
            );
        }
        Ok(())
    }

    pub(super) fn may_merge_issue(&self, policy: &Policy, summary: &str) -> Result<(), Refused> {
        self.escalation_decided(policy)?;
        if self.feedback_type != FeedbackType::Complaint || self.state.is_finished() {
            return refuse("Issues are merged into an open complaint");
        }
        if self.round().responded_on.is_some() {
            return refuse(format!(
                "{} has been responded to: log the new issue as a new complaint (Code 6.8)",
                policy.stage_name(self.stage())
            ));
        }
        if summary.trim().is_empty() {
            return refuse_field("summary", "Describe the issue being added");
        }
        Ok(())
    }

    pub(super) fn may_split_out_issue(&self, summary: &str) -> Result<(), Refused> {
        if self.state.is_finished() {
            return refuse("The case is closed");
        }
        if summary.trim().is_empty() {
            return refuse_field("summary", "Describe the issue being split out");
        }
        Ok(())
    }

    pub(super) fn may_refer_to_ombudsman(&self) -> Result<(), Refused> {
        if self.feedback_type != FeedbackType::Complaint {
            return refuse("Only a complaint can be referred to the Ombudsman");
        }
        if self.ombudsman.is_some() {
            return refuse("The complaint has already been referred to the Ombudsman");
        }
        Ok(())
    }

    pub(super) fn may_record_determination(
        &self,
        findings: &[OmbudsmanElement],
    ) -> Result<(), Refused> {
        match &self.ombudsman {
            None => {
                return refuse("Record the referral to the Ombudsman before its determination");
            }
            Some(o) if o.determined_on.is_some() => {
                return refuse("The Ombudsman's determination has already been recorded");
            }
            Some(_) => {}
        }
        if findings.is_empty() {
            return refuse_field("findings", "Record at least one finding");
        }
        Ok(())
    }

    pub(crate) fn adjustments_allowed(&self) -> Result<(), Refused> {
        if self.state.is_finished() {
            return refuse("The case is closed: reopen it before recording adjustments");
        }
        Ok(())
    }

    pub(super) fn may_record_adjustments(
        &self,
        on: Date,
        needs: &str,
        adjustments: &str,
        review_on: Option<Date>,
    ) -> Result<(), Refused> {
        self.adjustments_allowed()?;
        if needs.trim().is_empty() {
            return refuse_field("needs", "Describe the resident's needs");
        }
        if adjustments.trim().is_empty() {
            return refuse_field("adjustments", "Describe the adjustments agreed");
        }
        if review_on.is_some_and(|r| r <= on) {
            return refuse_field("review_on", "The review date must be after today's record");
        }
        Ok(())
    }

    pub(crate) fn restrict_contact_allowed(&self) -> Result<(), Refused> {
        if self.state.is_finished() {
            return refuse("The case is closed");
        }
        Ok(())
    }

    /// Who approves is checked against the directory when there is one: the approver is chosen on the form,
    /// so this is a field rule, not a precondition of the step.
    pub(super) fn may_restrict_contact(
        &self,
        policy: &Policy,
        on: Date,
        r: Restriction<'_>,
        people: Option<&dyn Directory>,
    ) -> Result<(), Refused> {
        self.restrict_contact_allowed()?;
        if r.restriction.trim().is_empty() {
            return refuse_field(
                "restriction",
                "Say what is restricted and how the resident may still make contact",
            );
        }
        if r.approved_by.trim().is_empty() {
            let who = policy
                .roles
                .contact_restrictions_approver
                .as_deref()
                .unwrap_or("the person the policy names");
            return refuse_field(
                "approved_by",
                format!("A restriction needs approval by {who}"),
            );
        }
        if let Some(people) = people {
            approver_holds_role(policy, r.approved_by, people)?;
        }
        let months = policy.roles.restriction_review_months();
        let latest = latest_restriction_review(policy, on);
        if r.review_on <= on || r.review_on > latest {
            return refuse_field(
                "review_on",
                format!(
                    "Set a review date by {}: the policy reviews restrictions within {months} month{}, and they must be proportionate and kept under review (Code 5.15)",
                    human_date(latest),
                    if months == 1 { "" } else { "s" }
                ),
            );
        }
        Ok(())
    }

    pub(crate) fn challenge_allowed(&self) -> Result<(), Refused> {
        if self.contact_restriction.is_none() {
            return refuse("There is no contact restriction in force to challenge");
        }
        if let Some(c) = self.restriction_challenge {
            return refuse(format!(
                "The resident's challenge to the restriction was already reviewed on {}: it is reviewed only once",
                human_date(c.on)
            ));
        }
        Ok(())
    }

    pub(super) fn may_record_challenge(&self, explanation: &str) -> Result<(), Refused> {
        self.challenge_allowed()?;
        if explanation.trim().is_empty() {
            return refuse_field(
                "explanation",
                "Explain the decision on the challenge: the resident must be told why",
            );
        }
        Ok(())
    }

    pub(crate) fn relationship_allowed(&self) -> Result<(), Refused> {
        if self.state.is_finished() {
            return refuse("The case is closed: reopen it before changing who is complaining");
        }
        Ok(())
    }

    pub(super) fn may_record_relationship(
        &self,
        policy: &Policy,
        relationship: Relationship,
        tenancy_ended_on: Option<Date>,
    ) -> Result<(), Refused> {
        self.relationship_allowed()?;
        match crate::intake::check_relationship(
            policy,
            relationship,
            tenancy_ended_on,
            Some(self.received_on),
        ) {
            Some(refused) => Err(refused),
            None => Ok(()),
        }
    }

    pub(crate) fn time_limit_discretion_allowed(&self, policy: &Policy) -> Result<(), Refused> {
        if self.state.is_finished() || self.feedback_type != FeedbackType::Complaint {
            return refuse("Discretion on the time limit is recorded on an open complaint");
        }
        if self.outside_time_limit(policy).is_none() {
            return refuse(
                "The complaint is within the policy's time limit (or no date the matter arose is recorded): there is nothing to decide",
            );
        }
        if let Some(d) = self.time_limit_discretion_on {
            return refuse(format!(
                "Discretion on the time limit was already recorded on {}",
                human_date(d)
            ));
        }
        Ok(())
    }

    pub(super) fn may_use_time_limit_discretion(
        &self,
        policy: &Policy,
        reason: &str,
    ) -> Result<(), Refused> {
        self.time_limit_discretion_allowed(policy)?;
        if reason.trim().is_empty() {
            return refuse_field(
                "reason",
                "Say why the complaint is considered although it is outside the time limit (Code 2.3)",
            );
        }
        Ok(())
    }

    pub(crate) fn accept_escalation_allowed(&self) -> Result<(), Refused> {
        if self.state != State::EscalationDecisionNeeded {
            return refuse("There is no late request to escalate awaiting a decision");
        }
        Ok(())
    }

    pub(super) fn may_accept_escalation(&self, reason: &str) -> Result<(), Refused> {
        self.accept_escalation_allowed()?;
        if reason.trim().is_empty() {
            return refuse_field(
                "reason",
                "Say why the late request is accepted (the discretion used)",
            );
        }
        Ok(())
    }

    pub(super) fn may_complete_remedy(&self, remedy: &str) -> Result<(), Refused> {
        match self.remedies.iter().find(|r| r.id == remedy) {
            None => refuse_field(
                "remedy",
                format!(
                    "There is no remedy {remedy} on this case{}",
                    if self.remedies.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (it has {})",
                            self.remedies
                                .iter()
                                .map(|r| r.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
            ),
            Some(r) if r.completed_on.is_some() => {
                refuse(format!("Remedy {remedy} was already completed"))
            }
            Some(_) => Ok(()),
        }
    }

    /// A letter is issued only while the case can have a letter of its kind, at the stage it is about,
    /// once, and as a document named by its SHA-256.
    pub(super) fn may_issue_letter(
        &self,
        letter: &str,
        kind: crate::letters::LetterKind,
        stage: u8,
        document: &str,
    ) -> Result<(), Refused> {
        kind.allowed_on(self)?;
        if kind != crate::letters::LetterKind::General && stage != self.stage() {
            return refuse_field(
                "stage",
                format!(
                    "The letter is about stage {stage}, but the complaint is now at stage {}: draft a new letter",
                    self.stage()
                ),
            );
        }
        if letter.trim().is_empty() {
            return refuse_field("letter", "Name the letter issued");
        }
        if self.letters.iter().any(|l| l.letter == letter) {
            return refuse_field("letter", format!("Letter {letter} was already issued"));
        }
        if !is_sha256(document) {
            return refuse_field(
                "document",
                "The document is named by its SHA-256: 64 lower-case hexadecimal digits",
            );
        }
        Ok(())
    }
}

impl Case {
    /// A document is attached once under its id, named by the SHA-256 of its bytes, with a name and a
    /// media type; any case may have documents attached, whatever its state (evidence arrives late too).
    pub(super) fn may_add_document(
        &self,
        document: &str,
        sha256: &str,
        name: &str,
        content_type: &str,
    ) -> Result<(), Refused> {
        if document.trim().is_empty() {
            return refuse_field("document", "Name the document added");
        }
        if self.documents.iter().any(|d| d.document == document) {
            return refuse_field("document", format!("Document {document} was already added"));
        }
        if !is_sha256(sha256) {
            return refuse_field(
                "sha256",
                "The document's bytes are named by their SHA-256: 64 lower-case hexadecimal digits",
            );
        }
        if name.trim().is_empty() {
            return refuse_field("name", "Give the document a name");
        }
        if content_type.trim().is_empty() {
            return refuse_field("content_type", "Say what type of document it is");
        }
        Ok(())
    }
}

/// Whether `text` is a SHA-256 in lower-case hex.
fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The last day a contact restriction imposed on `on` may be reviewed by, under the policy.
pub(crate) fn latest_restriction_review(policy: &Policy, on: Date) -> Date {
    let months = policy.roles.restriction_review_months();
    on.checked_add(jiff::Span::new().months(i64::from(months)))
        .unwrap_or(on)
}

/// The approver must hold the role the policy gives approval to.
fn approver_holds_role(
    policy: &Policy,
    approved_by: &str,
    people: &dyn Directory,
) -> Result<(), Refused> {
    let needed = policy.roles.restriction_approver_role();
    let held = people.role_of(approved_by);
    if held == Some(needed) {
        return Ok(());
    }
    let titled = policy
        .roles
        .contact_restrictions_approver
        .as_deref()
        .map(|t| format!(" ({t}, in the policy's words)"))
        .unwrap_or_default();
    refuse_field(
        "approved_by",
        format!(
            "A restriction must be approved by a {}{titled}: {} is {}",
            needed.display_name().to_lowercase(),
            person_name(Some(people), approved_by),
            held.map_or("not a user of Redress".to_owned(), |r| format!(
                "a {}",
                r.display_name().to_lowercase()
            ))
        ),
    )
}
