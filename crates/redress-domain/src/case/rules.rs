//! One rule per event kind, called by [`Case::decide_with`].
//!
//! A rule whose step officers choose from a form has its state precondition apart (`…_allowed`), shared
//! with [`Case::available_steps`]; the `may_…` rule checks that precondition, then the fields. The order
//! of the checks is the order officers are told of what is wrong: state first, then the fields, then any
//! state the fields bring into question.

use super::decide::{Extension, person_name};
use super::*;
use crate::event::HeadOutcome;
use crate::policy::{EscalationRule, ExtensionRule};

impl Case {
    /// Investigating a stage waits until a late request to reach it has been accepted or refused.
    pub(crate) fn escalation_decided(&self, policy: &Policy) -> Result<(), Refused> {
        if self.state == State::EscalationDecisionNeeded {
            return refuse(format!(
                "The resident asked for {} after the window closed: first record whether the request is accepted, using discretion, or refused on one of the policy's grounds",
                policy.stage_name(self.stage())
            ));
        }
        Ok(())
    }

    fn is_complaint(&self) -> bool {
        self.feedback_type == FeedbackType::Complaint
    }

    pub(super) fn may_classify(
        &self,
        policy: &Policy,
        on: Date,
        feedback_type: FeedbackType,
        raised_on: Option<Date>,
    ) -> Result<(), Refused> {
        let is_complaint = self.is_complaint();
        if let Some(raised) = raised_on {
            if feedback_type != FeedbackType::Complaint || is_complaint {
                return refuse_field(
                    "raised_on",
                    "A date the complaint was raised is given only when a service request, comment or compliment becomes a complaint",
                );
            }
            if raised < self.received_on || raised > on {
                return refuse_field(
                    "raised_on",
                    format!(
                        "The complaint was raised between receipt on {} and today's record on {}",
                        human_date(self.received_on),
                        human_date(on)
                    ),
                );
            }
        }
        if self.state.is_finished() {
            return refuse("The case is closed: reopen it before reclassifying it");
        }
        if feedback_type == self.feedback_type {
            return refuse_field(
                "feedback_type",
                format!(
                    "The case is already a {}",
                    feedback_type.as_str().replace('_', " ")
                ),
            );
        }
        if self.stage() > 1 || self.round().responded_on.is_some() && is_complaint {
            return refuse("A complaint that has had a stage response cannot be reclassified");
        }
        let (recorded, what) = match feedback_type {
            FeedbackType::Complaint => (true, "complaints"),
            FeedbackType::ServiceRequest => (policy.feedback.service_requests, "service requests"),
            FeedbackType::Comment => (policy.feedback.comments, "comments"),
            FeedbackType::Compliment => (policy.feedback.compliments, "compliments"),
        };
        if !recorded {
            return refuse_field(
                "feedback_type",
                format!(
                    "{} does not record {what} as feedback under this policy",
                    policy.name
                ),
            );
        }
        Ok(())
    }

    pub(super) fn may_exclude(
        &self,
        policy: &Policy,
        ground: &str,
        reason: &str,
    ) -> Result<(), Refused> {
        if self.state.is_finished() {
            return refuse("The case is already closed");
        }
        if self.stage() > 1 || self.round().responded_on.is_some() {
            return refuse(
                "A complaint can only be not accepted before its stage 1 response; to refuse escalation, record an escalation refusal",
            );
        }
        if policy.exclusion(ground).is_none() {
            let ids: Vec<&str> = policy.exclusions.iter().map(|e| e.id.as_str()).collect();
            return refuse_field(
                "ground",
                format!(
                    "'{ground}' is not one of this policy's exclusions ({})",
                    if ids.is_empty() {
                        "it lists none".to_owned()
                    } else {
                        ids.join(", ")
                    }
                ),
            );
        }
        if reason.trim().is_empty() {
            return refuse_field(
                "reason",
                "Explain why the exclusion applies: the resident must be told (Code 2.4)",
            );
        }
        Ok(())
    }

    /// Acknowledging has no fields to judge: this is its whole rule.
    pub(crate) fn acknowledge_allowed(&self, policy: &Policy) -> Result<(), Refused> {
        self.escalation_decided(policy)?;
        if self.state.is_finished() {
            return refuse("The case is closed");
        }
        if !self.is_complaint() {
            return refuse(format!(
                "A {} is not acknowledged as a complaint: classify it as a complaint first",
                self.feedback_type.as_str().replace('_', " ")
            ));
        }
        if let Some(acknowledged) = self.round().acknowledged_on {
            return refuse(format!(
                "{} was already acknowledged on {acknowledged}",
                policy.stage_name(self.stage())
            ));
        }
        Ok(())
    }

    pub(crate) fn assign_allowed(&self) -> Result<(), Refused> {
        if self.state.is_finished() {
            return refuse("The case is closed: reopen it before assigning it");
        }
        Ok(())
    }

    pub(super) fn may_assign(
        &self,
        policy: &Policy,
        officer: &str,
        people: Option<&dyn Directory>,
    ) -> Result<(), Refused> {
        self.assign_allowed()?;
        if officer.trim().is_empty() {
            return refuse_field("officer", "Name the officer to assign");
        }
        let stage = self.stage();
        if stage > 1
            && policy
                .stage(stage)
                .is_some_and(|s| s.different_decision_maker)
            && let Some(earlier) = self.earlier_decision(policy, officer, stage)
        {
            return refuse_field(
                "officer",
                format!(
                    "The reviewer at {} must not have decided an earlier stage: {} decided {earlier}",
                    policy.stage_name(stage),
                    person_name(people, officer)
                ),
            );
        }
        Ok(())
    }

    pub(crate) fn define_allowed(&self, policy: &Policy) -> Result<(), Refused> {
        self.escalation_decided(policy)?;
        if !self.is_complaint() || self.state.is_finished() {
            return refuse("A complaint definition is recorded on an open complaint");
        }
        if self.round().responded_on.is_some() {
            return refuse(format!(
                "{} has been responded to: the definition can no longer change",
                policy.stage_name(self.stage())
            ));
        }
        Ok(())
    }

    pub(super) fn may_define(&self, policy: &Policy, heads: &[Head]) -> Result<(), Refused> {
        self.define_allowed(policy)?;
        if heads.is_empty() {
            return refuse_field("heads", "Give at least one head of complaint");
        }
        if heads.iter().any(|h| h.summary.trim().is_empty()) {
            return refuse_field("heads", "Every head of complaint needs a summary");
        }
        if heads.len() > MAX_HEADS {
            return refuse_field(
                "heads",
                format!(
                    "A complaint definition has at most {MAX_HEADS} heads of complaint: combine related matters under one head"
                ),
            );
        }
        Ok(())
    }

    /// A service request still open is extended by its own rule (agreed extra time on its reply); anything
    /// else by the stage's extension rule.
    pub(crate) fn extends_service_request(&self) -> bool {
        self.feedback_type == FeedbackType::ServiceRequest && !self.state.is_finished()
    }

    pub(super) fn may_extend(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        ext: Extension<'_>,
    ) -> Result<(), Refused> {
        self.escalation_decided(policy)?;
        if self.extends_service_request() {
            return self.may_extend_service_request(policy, calendar, on, ext);
        }
        self.response_extension_open(policy, calendar, on)?;
        if ext.working_days == 0 {
            return refuse_field(
                "working_days",
                "An extension must add at least 1 working day",
            );
        }
        if ext.reason.trim().is_empty() {
            return refuse_field(
                "reason",
                "Give the reason for the extension: the resident must be told why (Code 6.4)",
            );
        }
        let rule = self.extension_rule(policy)?;
        let stage_name = policy.stage_name(self.stage());
        within_extension_rule(rule, self.round().extension_days(), &ext, &stage_name)
    }

    /// The stage's response can be extended on `on`: it is an open complaint's, not yet issued, not yet due.
    pub(crate) fn response_extension_open(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
    ) -> Result<(), Refused> {
        if !self.is_complaint() || self.state.is_finished() {
            return refuse("Only an open complaint's response can be extended");
        }
        let round = self.round();
        if round.responded_on.is_some() {
            return refuse(format!(
                "{} has already been responded to",
                policy.stage_name(round.stage)
            ));
        }
        if let Some(clock) = self.response_clock(policy, calendar, round)
            && on > clock.due
        {
            return refuse_field(
                "on",
                format!(
                    "The extension must be given before the response is due on {}",
                    human_date(clock.due)
                ),
            );
        }
        Ok(())
    }

    /// The current stage's extension rule.
    pub(crate) fn extension_rule(&self, policy: &Policy) -> Result<ExtensionRule, Refused> {
        match policy.stage(self.stage()) {
            Some(s) => Ok(s.extension),
            None => refuse("The policy has no such stage"),
        }
    }

    /// Extra time on a service request: only with the resident's recorded agreement, before its reply is
    /// due, and moving its clock.
    fn may_extend_service_request(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        ext: Extension<'_>,
    ) -> Result<(), Refused> {
        let (sr, window) = self.service_request_extension_open(policy)?;
        if ext.working_days == 0 {
            return refuse_field(
                "working_days",
                "An extension must add at least 1 working day",
            );
        }
        if ext.reason.trim().is_empty() {
            return refuse_field("reason", "Give the reason for the extra time");
        }
        if !ext.resident_agreed {
            return refuse_field(
                "resident_agreed",
                "Extra time on a service request is recorded only with the resident's agreement",
            );
        }
        let total = sr.agreed_extra_working_days.checked_add(ext.working_days);
        if total.is_none_or(|t| t > DEFAULT_MAX_TOTAL_EXTENSION) {
            return refuse_field(
                "working_days",
                format!(
                    "A service request can be given at most {DEFAULT_MAX_TOTAL_EXTENSION} extra working days in all"
                ),
            );
        }
        service_request_extension_in_time(calendar, sr, window, on)
    }

    /// The service request and its reply time, when its reply can still be given more time.
    pub(crate) fn service_request_extension_open(
        &self,
        policy: &Policy,
    ) -> Result<(ServiceRequestRecord, Period), Refused> {
        let Some(sr) = self.service_request else {
            return refuse("There is no service request to extend");
        };
        let Some(window) = policy.feedback.service_request_response else {
            return refuse(format!(
                "{} sets no time to answer a service request, so there is nothing to extend",
                policy.name
            ));
        };
        if sr.responded_on.is_some() {
            return refuse("The service request has already been responded to");
        }
        Ok((sr, window))
    }

    /// Sharing findings has no fields to judge: this is its whole rule.
    pub(crate) fn share_findings_allowed(&self, policy: &Policy) -> Result<(), Refused> {
        self.escalation_decided(policy)?;
        let round = self.round();
        if !self.is_complaint() || self.state.is_finished() || round.responded_on.is_some() {
            return refuse("Adverse findings are shared before the stage response is issued");
        }
        if round.acknowledged_on.is_none() {
            return refuse(format!(
                "{} has not been acknowledged: findings are shared during the investigation",
                policy.stage_name(round.stage)
            ));
        }
        Ok(())
    }

    /// A service request passes here with nothing more to judge; a complaint's response is judged further
    /// (its outcome, its heads, who decided it).
    pub(crate) fn respond_allowed(&self, policy: &Policy) -> Result<(), Refused> {
        self.escalation_decided(policy)?;
        if self.state.is_finished() {
            return refuse("The case is closed: reopen it before responding");
        }
        match self.feedback_type {
            FeedbackType::ServiceRequest => {
                if self
                    .service_request
                    .is_some_and(|s| s.responded_on.is_some())
                {
                    return refuse("The service request has already been responded to");
                }
                return Ok(());
            }
            FeedbackType::Comment | FeedbackType::Compliment => {
                return refuse(
                    "Comments and compliments are recorded and closed, not responded to as complaints",
                );
            }
            FeedbackType::Complaint => {}
        }
        let round = self.round();
        let stage_name = policy.stage_name(round.stage);
        if let Some(responded) = round.responded_on {
            return refuse(format!(
                "{stage_name} was already responded to on {responded}"
            ));
        }
        if round.acknowledged_on.is_none() {
            return refuse(format!(
                "{stage_name} has not been acknowledged: record the acknowledgement first (it may be the same day)"
            ));
        }
        Ok(())
    }

    pub(super) fn may_respond(
        &self,
        policy: &Policy,
        outcome: Option<Outcome>,
        heads: &[HeadOutcome],
        by: Option<&str>,
        people: Option<&dyn Directory>,
    ) -> Result<(), Refused> {
        self.respond_allowed(policy)?;
        if self.feedback_type == FeedbackType::ServiceRequest {
            return Ok(());
        }
        if outcome.is_none() && heads.is_empty() {
            return refuse_field(
                "outcome",
                "Give the outcome: upheld, partly upheld or not upheld",
            );
        }
        let defined = self
            .round()
            .definition
            .as_ref()
            .map_or(0, |d| d.heads.len());
        for h in heads {
            if h.head == 0 || (defined > 0 && h.head as usize > defined) {
                return refuse_field(
                    "heads",
                    format!(
                        "Head {} does not exist: the complaint definition has {} head{}",
                        h.head,
                        defined,
                        if defined == 1 { "" } else { "s" }
                    ),
                );
            }
        }
        self.decider_allowed(policy, by, people)
    }

    /// Where the policy wants a different decision maker at a later stage, the one deciding this stage's
    /// response (its assigned officer, or else whoever records it) must not have decided an earlier one.
    pub(crate) fn decider_allowed(
        &self,
        policy: &Policy,
        by: Option<&str>,
        people: Option<&dyn Directory>,
    ) -> Result<(), Refused> {
        let stage = self.stage();
        if stage > 1
            && policy
                .stage(stage)
                .is_some_and(|s| s.different_decision_maker)
            && let Some(decider) = self.round().assignee.as_deref().or(by)
            && let Some(earlier) = self.earlier_decision(policy, decider, stage)
        {
            return refuse(format!(
                "The {} response must be decided by someone who did not decide an earlier stage: {} decided {earlier}",
                policy.stage_name(stage),
                person_name(people, decider)
            ));
        }
        Ok(())
    }

    /// The name of an earlier stage that `officer` decided, if any.
    fn earlier_decision(&self, policy: &Policy, officer: &str, stage: u8) -> Option<String> {
        self.rounds
            .iter()
            .find(|r| r.stage < stage && r.decided_by.as_deref() == Some(officer))
            .map(|r| policy.stage_name(r.stage))
    }

    /// Asking to escalate has no fields to judge (reasons are optional, Code 6.12): this is its whole rule.
    pub(crate) fn escalate_allowed(&self, policy: &Policy) -> Result<(), Refused> {
        let stage_name = policy.stage_name(self.stage());
        if !self.is_complaint() {
            return refuse("Only a complaint can be escalated");
        }
        if self.state == State::EscalationDecisionNeeded {
            return refuse(format!(
                "The resident's request for {stage_name} is awaiting a decision"
            ));
        }
        if self.excluded.is_some() {
            return refuse("The complaint was not accepted, so there is no stage to escalate from");
        }
        let Some(next_stage) = policy.stage(self.stage() + 1) else {
            return refuse(format!(
                "{stage_name} is the final stage of this policy: the resident may now refer the complaint to the Housing Ombudsman"
            ));
        };
        if self.round().responded_on.is_none() {
            return refuse(format!(
                "{} cannot start: the {} response has not been issued",
                next_stage.name, stage_name
            ));
        }
        if let Some((_, reason)) = self.closed
            && matches!(reason, CloseReason::Withdrawn | CloseReason::Merged)
        {
            return refuse("The complaint was withdrawn or merged: reopen it first");
        }
        Ok(())
    }

    /// The escalation rule of the stage asked for, when a request to reach it awaits a decision and the
    /// policy allows refusing it.
    pub(crate) fn refuse_escalation_allowed<'p>(
        &self,
        policy: &'p Policy,
    ) -> Result<&'p EscalationRule, Refused> {
        let round = self.round();
        if round.started_by != RoundStart::EscalationRequested || round.acknowledged_on.is_some() {
            return refuse("There is no escalation request awaiting a decision");
        }
        let Some(rule) = policy
            .stage(round.stage)
            .and_then(|s| s.escalation.as_ref())
        else {
            return refuse("The policy has no escalation rules for this stage");
        };
        if !rule.may_refuse {
            return refuse(format!(
                "The policy does not allow refusing escalation to {}",
                policy.stage_name(round.stage)
            ));
        }
        Ok(rule)
    }

    pub(super) fn may_refuse_escalation(
        &self,
        policy: &Policy,
        ground: &str,
        explanation: Option<&str>,
    ) -> Result<(), Refused> {
        let rule = self.refuse_escalation_allowed(policy)?;
        if !rule.refusal_grounds.iter().any(|g| g.id == ground) {
            let ids: Vec<&str> = rule.refusal_grounds.iter().map(|g| g.id.as_str()).collect();
            return refuse_field(
                "ground",
                format!(
                    "'{ground}' is not a ground on which the policy allows refusing escalation ({})",
                    ids.join(", ")
                ),
            );
        }
        if explanation.is_none_or(|e| e.trim().is_empty()) {
            return refuse_field(
                "explanation",
                "Explain the refusal: the resident must be told why and of their right to go to the Ombudsman (Code 5.11, 2.4)",
            );
        }
        Ok(())
    }

    /// Recording the resident's confirmation has no fields to judge: this is its whole rule.
    pub(crate) fn resolved_allowed(&self, policy: &Policy) -> Result<(), Refused> {
        self.escalation_decided(policy)?;
        if self.state.is_finished() {
            return refuse("The case is closed");
        }
        if let Some(d) = self.resolved_confirmed_on {
            return refuse(format!(
                "The resident's confirmation was already recorded on {}",
                human_date(d)
            ));
        }
        if !self.rounds.iter().any(|r| r.responded_on.is_some())
            && self
                .service_request
                .is_none_or(|s| s.responded_on.is_none())
        {
            return refuse("Nothing has been responded to yet");
        }
        Ok(())
    }

    pub(crate) fn close_allowed(&self) -> Result<(), Refused> {
        if self.state.is_finished() {
            return refuse("The case is already closed");
        }
        Ok(())
    }

    /// Whether the case may close for `reason` on `on`. The explanation a resolved complaint may need is
    /// the officer's to give, so it is judged apart ([`Case::resolved_needs_explanation`]).
    pub(crate) fn close_reason_allowed(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        reason: CloseReason,
    ) -> Result<(), Refused> {
        match self.feedback_type {
            FeedbackType::Comment | FeedbackType::Compliment => Ok(()),
            FeedbackType::ServiceRequest => {
                if reason == CloseReason::ServiceRequestCompleted
                    && self
                        .service_request
                        .is_none_or(|s| s.responded_on.is_none())
                {
                    return refuse(
                        "Record the response to the service request before closing it as completed",
                    );
                }
                Ok(())
            }
            FeedbackType::Complaint => {
                if reason.allowed_without_response() {
                    return Ok(());
                }
                if self.round().responded_on.is_none() {
                    return refuse_field(
                        "reason",
                        format!(
                            "{} has not been responded to: a complaint closes as '{}' only after a response (or as withdrawn or merged)",
                            policy.stage_name(self.stage()),
                            reason.as_str()
                        ),
                    );
                }
                self.closing_after_response(policy, calendar, on, reason)
            }
        }
    }

    /// A complaint closing as resolved after its response needs the resident's confirmation since that
    /// response, or an explanation of why it is resolved without it.
    pub(crate) fn resolved_needs_explanation(&self) -> bool {
        self.is_complaint()
            && self
                .round()
                .responded_on
                .is_some_and(|responded| self.resolved_confirmed_on.is_none_or(|d| d < responded))
    }

    pub(super) fn may_close(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        reason: CloseReason,
        explanation: Option<&str>,
    ) -> Result<(), Refused> {
        self.close_allowed()?;
        self.close_reason_allowed(policy, calendar, on, reason)?;
        if reason == CloseReason::Resolved
            && self.resolved_needs_explanation()
            && explanation.is_none_or(|e| e.trim().is_empty())
        {
            return refuse_field(
                "explanation",
                "Record the resident's confirmation that the complaint is resolved, or explain why it is resolved without it",
            );
        }
        Ok(())
    }

    /// Closing a complaint whose current stage has been answered, for a reason that needs a response.
    fn closing_after_response(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        reason: CloseReason,
    ) -> Result<(), Refused> {
        let round = self.round();
        let stage = round.stage;
        let stage_name = policy.stage_name(stage);
        let Some(responded) = round.responded_on else {
            return refuse(format!("{stage_name} has not been responded to"));
        };
        match reason {
            CloseReason::FinalResponse => {
                let escalation_refused = self
                    .refusals
                    .iter()
                    .any(|r| r.stage == stage + 1 && r.on >= responded);
                if stage < policy.last_required_stage() && !escalation_refused {
                    return refuse_field(
                        "reason",
                        format!(
                            "The {stage_name} response is not the final response: close as 'resolved' or 'no_reply', or escalate"
                        ),
                    );
                }
                Ok(())
            }
            CloseReason::NoReply => {
                let Some(auto_close) = policy.auto_close else {
                    return refuse_field(
                        "reason",
                        format!(
                            "{} sets no time after which a complaint closes for want of a reply: close it as resolved with an explanation, or as the final response",
                            policy.name
                        ),
                    );
                };
                let n = auto_close.after_working_days;
                match calendar.add_working_days(responded, n) {
                    Ok(due) if on < due => refuse_field(
                        "reason",
                        format!(
                            "The case can close for no reply from {}: {n} working days after the {stage_name} response on {}",
                            human_date(due),
                            human_date(responded)
                        ),
                    ),
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn reopen_allowed(&self) -> Result<(), Refused> {
        if self.state != State::Closed {
            return refuse("Only a closed case can be reopened");
        }
        Ok(())
    }

    pub(super) fn may_reopen(&self, reason: &str) -> Result<(), Refused> {
        self.reopen_allowed()?;
        if reason.trim().is_empty() {
            return refuse_field("reason", "Say why the case is being reopened");
        }
        Ok(())
    }
}

/// Whether `ext` fits the stage's extension rule, `already` working days having been added this round.
fn within_extension_rule(
    rule: ExtensionRule,
    already: u32,
    ext: &Extension<'_>,
    stage_name: &str,
) -> Result<(), Refused> {
    let cap = rule.total_cap();
    let Some(total) = already.checked_add(ext.working_days) else {
        return refuse_field(
            "working_days",
            format!("The policy caps extensions at {stage_name} at {cap} working days in all"),
        );
    };
    let free = rule.without_agreement_working_days;
    if total <= free {
        return Ok(());
    }
    let used = |sep: &str| {
        if already > 0 {
            format!("{sep} {already} have been used")
        } else {
            String::new()
        }
    };
    if !rule.further_with_agreement {
        return refuse_field(
            "working_days",
            format!(
                "The policy allows at most {free} extra working days at {stage_name}{}",
                used(", and")
            ),
        );
    }
    if !ext.resident_agreed {
        return refuse_field(
            "resident_agreed",
            format!(
                "This extension needs the resident's recorded agreement: the policy allows {free} extra working days without it{}",
                used(" and")
            ),
        );
    }
    if total > cap {
        return refuse_field(
            "working_days",
            format!(
                "The policy caps extensions at {stage_name} at {cap} working days in all, even with agreement{}",
                used(", and")
            ),
        );
    }
    Ok(())
}

/// A service request's extra time is agreed before its reply is due.
pub(crate) fn service_request_extension_in_time(
    calendar: &Calendar,
    sr: ServiceRequestRecord,
    window: Period,
    on: Date,
) -> Result<(), Refused> {
    if let Some((_, due)) = service_request_due(sr, window, calendar)
        && on > due
    {
        return refuse_field(
            "on",
            format!(
                "The extra time must be agreed before the reply is due on {}",
                human_date(due)
            ),
        );
    }
    Ok(())
}
