//! Whether a new event is allowed: the checks every event shares, then one rule per event kind.

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
        let name = |id: &str| {
            people
                .and_then(|p| p.name_of(id))
                .unwrap_or_else(|| id.to_owned())
        };
        let on = event.on();
        if on > today {
            return Err(Refused {
                message: format!("{on} is in the future (today is {today})"),
                field: Some("on"),
                malformed: true,
            });
        }
        if matches!(event, Event::Received { .. }) {
            return refuse_field("type", "This case has already been received");
        }
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
        let stage = self.stage();
        let round = self.round();
        let stage_name = policy.stage_name(stage);
        let finished = self.state.is_finished();
        let is_complaint = self.feedback_type == FeedbackType::Complaint;
        if self.state == State::EscalationDecisionNeeded && waits_for_escalation_decision(event) {
            return refuse(format!(
                "The resident asked for {stage_name} after the window closed: first record whether the request is accepted, using discretion, or refused on one of the policy's grounds"
            ));
        }

        match event {
            Event::Received { .. } => refuse("This case has already been received"),
            Event::Classified {
                feedback_type,
                raised_on,
                ..
            } => {
                if let Some(raised) = raised_on {
                    if *feedback_type != FeedbackType::Complaint || is_complaint {
                        return refuse_field(
                            "raised_on",
                            "A date the complaint was raised is given only when a service request, comment or compliment becomes a complaint",
                        );
                    }
                    if *raised < self.received_on || *raised > on {
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
                if finished {
                    return refuse("The case is closed: reopen it before reclassifying it");
                }
                if *feedback_type == self.feedback_type {
                    return refuse_field(
                        "feedback_type",
                        format!(
                            "The case is already a {}",
                            feedback_type.as_str().replace('_', " ")
                        ),
                    );
                }
                if stage > 1 || round.responded_on.is_some() && is_complaint {
                    return refuse(
                        "A complaint that has had a stage response cannot be reclassified",
                    );
                }
                let (recorded, what) = match feedback_type {
                    FeedbackType::Complaint => (true, "complaints"),
                    FeedbackType::ServiceRequest => {
                        (policy.feedback.service_requests, "service requests")
                    }
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
            Event::Excluded { ground, reason, .. } => {
                if finished {
                    return refuse("The case is already closed");
                }
                if stage > 1 || round.responded_on.is_some() {
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
            Event::Acknowledged { .. } => {
                if finished {
                    return refuse("The case is closed");
                }
                if !is_complaint {
                    return refuse(format!(
                        "A {} is not acknowledged as a complaint: classify it as a complaint first",
                        self.feedback_type.as_str().replace('_', " ")
                    ));
                }
                if round.acknowledged_on.is_some() {
                    return refuse(format!(
                        "{stage_name} was already acknowledged on {}",
                        round
                            .acknowledged_on
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ));
                }
                Ok(())
            }
            Event::Assigned { officer, .. } => {
                if finished {
                    return refuse("The case is closed: reopen it before assigning it");
                }
                if officer.trim().is_empty() {
                    return refuse_field("officer", "Name the officer to assign");
                }
                if stage > 1
                    && policy
                        .stage(stage)
                        .is_some_and(|s| s.different_decision_maker)
                    && let Some(earlier) = self.earlier_decision(policy, officer, stage)
                {
                    return refuse_field(
                        "officer",
                        format!(
                            "The reviewer at {stage_name} must not have decided an earlier stage: {} decided {earlier}",
                            name(officer)
                        ),
                    );
                }
                Ok(())
            }
            Event::ComplaintDefined { heads, .. } => {
                if !is_complaint || finished {
                    return refuse("A complaint definition is recorded on an open complaint");
                }
                if round.responded_on.is_some() {
                    return refuse(format!(
                        "{stage_name} has been responded to: the definition can no longer change"
                    ));
                }
                if heads.is_empty() {
                    return refuse_field("heads", "Give at least one head of complaint");
                }
                if heads.iter().any(|h| h.summary.trim().is_empty()) {
                    return refuse_field("heads", "Every head of complaint needs a summary");
                }
                Ok(())
            }
            Event::Extended {
                working_days,
                reason,
                resident_agreed,
                ..
            } => {
                if self.feedback_type == FeedbackType::ServiceRequest && !finished {
                    return self.decide_service_request_extension(
                        policy,
                        calendar,
                        on,
                        *working_days,
                        reason,
                        *resident_agreed,
                    );
                }
                if !is_complaint || finished {
                    return refuse("Only an open complaint's response can be extended");
                }
                if round.responded_on.is_some() {
                    return refuse(format!("{stage_name} has already been responded to"));
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
                if *working_days == 0 {
                    return refuse_field(
                        "working_days",
                        "An extension must add at least 1 working day",
                    );
                }
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Give the reason for the extension: the resident must be told why (Code 6.4)",
                    );
                }
                let Some(rule) = policy.stage(stage).map(|s| s.extension) else {
                    return refuse("The policy has no such stage");
                };
                let already = round.extension_days();
                let cap = rule.total_cap();
                let Some(total) = already.checked_add(*working_days) else {
                    return refuse_field(
                        "working_days",
                        format!(
                            "The policy caps extensions at {stage_name} at {cap} working days in all"
                        ),
                    );
                };
                let free = rule.without_agreement_working_days;
                if total > free {
                    if !rule.further_with_agreement {
                        return refuse_field(
                            "working_days",
                            format!(
                                "The policy allows at most {free} extra working days at {stage_name}{}",
                                if already > 0 {
                                    format!(", and {already} have been used")
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    }
                    if !resident_agreed {
                        return refuse_field(
                            "resident_agreed",
                            format!(
                                "This extension needs the resident's recorded agreement: the policy allows {free} extra working days without it{}",
                                if already > 0 {
                                    format!(" and {already} have been used")
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    }
                    if total > cap {
                        return refuse_field(
                            "working_days",
                            format!(
                                "The policy caps extensions at {stage_name} at {cap} working days in all, even with agreement{}",
                                if already > 0 {
                                    format!(", and {already} have been used")
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    }
                }
                Ok(())
            }
            Event::AdverseFindingsShared { .. } => {
                if !is_complaint || finished || round.responded_on.is_some() {
                    return refuse(
                        "Adverse findings are shared before the stage response is issued",
                    );
                }
                if round.acknowledged_on.is_none() {
                    return refuse(format!(
                        "{stage_name} has not been acknowledged: findings are shared during the investigation"
                    ));
                }
                Ok(())
            }
            Event::Responded { outcome, heads, .. } => {
                if finished {
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
                if round.responded_on.is_some() {
                    return refuse(format!(
                        "{stage_name} was already responded to on {}",
                        round
                            .responded_on
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ));
                }
                if round.acknowledged_on.is_none() {
                    return refuse(format!(
                        "{stage_name} has not been acknowledged: record the acknowledgement first (it may be the same day)"
                    ));
                }
                if outcome.is_none() && heads.is_empty() {
                    return refuse_field(
                        "outcome",
                        "Give the outcome: upheld, partly upheld or not upheld",
                    );
                }
                let defined = round.definition.as_ref().map_or(0, |d| d.heads.len());
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
                if stage > 1
                    && policy
                        .stage(stage)
                        .is_some_and(|s| s.different_decision_maker)
                    && let Some(decider) = round.assignee.as_deref().or(by)
                    && let Some(earlier) = self.earlier_decision(policy, decider, stage)
                {
                    return refuse(format!(
                        "The {stage_name} response must be decided by someone who did not decide an earlier stage: {} decided {earlier}",
                        name(decider)
                    ));
                }
                Ok(())
            }
            Event::EscalationRequested { .. } => {
                if !is_complaint {
                    return refuse("Only a complaint can be escalated");
                }
                if self.state == State::EscalationDecisionNeeded {
                    return refuse(format!(
                        "The resident's request for {stage_name} is awaiting a decision"
                    ));
                }
                if self.excluded.is_some() {
                    return refuse(
                        "The complaint was not accepted, so there is no stage to escalate from",
                    );
                }
                let next = stage + 1;
                let Some(next_stage) = policy.stage(next) else {
                    return refuse(format!(
                        "{stage_name} is the final stage of this policy: the resident may now refer the complaint to the Housing Ombudsman"
                    ));
                };
                if round.responded_on.is_none() {
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
            Event::EscalationRefused {
                ground,
                explanation,
                ..
            } => {
                if round.started_by != RoundStart::EscalationRequested
                    || round.acknowledged_on.is_some()
                {
                    return refuse("There is no escalation request awaiting a decision");
                }
                let Some(rule) = policy.stage(stage).and_then(|s| s.escalation.as_ref()) else {
                    return refuse("The policy has no escalation rules for this stage");
                };
                if !rule.may_refuse {
                    return refuse(format!(
                        "The policy does not allow refusing escalation to {stage_name}"
                    ));
                }
                if !rule.refusal_grounds.iter().any(|g| &g.id == ground) {
                    let ids: Vec<&str> =
                        rule.refusal_grounds.iter().map(|g| g.id.as_str()).collect();
                    return refuse_field(
                        "ground",
                        format!(
                            "'{ground}' is not a ground on which the policy allows refusing escalation ({})",
                            ids.join(", ")
                        ),
                    );
                }
                if explanation.as_deref().is_none_or(|e| e.trim().is_empty()) {
                    return refuse_field(
                        "explanation",
                        "Explain the refusal: the resident must be told why and of their right to go to the Ombudsman (Code 5.11, 2.4)",
                    );
                }
                Ok(())
            }
            Event::ResolvedConfirmed { .. } => {
                if finished {
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
            Event::Closed {
                reason,
                explanation,
                ..
            } => {
                if finished {
                    return refuse("The case is already closed");
                }
                match self.feedback_type {
                    FeedbackType::Comment | FeedbackType::Compliment => Ok(()),
                    FeedbackType::ServiceRequest => {
                        if *reason == CloseReason::ServiceRequestCompleted
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
                        if round.responded_on.is_none() {
                            return refuse_field(
                                "reason",
                                format!(
                                    "{stage_name} has not been responded to: a complaint closes as '{}' only after a response (or as withdrawn or merged)",
                                    reason.as_str()
                                ),
                            );
                        }
                        self.decide_closing_after_response(
                            policy,
                            calendar,
                            on,
                            *reason,
                            explanation.as_deref(),
                        )
                    }
                }
            }
            Event::Reopened { reason, .. } => {
                if self.state != State::Closed {
                    return refuse("Only a closed case can be reopened");
                }
                if reason.trim().is_empty() {
                    return refuse_field("reason", "Say why the case is being reopened");
                }
                Ok(())
            }
            Event::ReturnedToStage1 { reason, .. } => {
                if stage < 2 || finished {
                    return refuse(
                        "Only an open complaint at a later stage can be returned to stage 1",
                    );
                }
                if round.responded_on.is_some() {
                    return refuse(format!("{stage_name} has already been responded to"));
                }
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Say what new information sends it back to stage 1",
                    );
                }
                Ok(())
            }
            Event::IssueMerged { summary, .. } => {
                if !is_complaint || finished {
                    return refuse("Issues are merged into an open complaint");
                }
                if round.responded_on.is_some() {
                    return refuse(format!(
                        "{stage_name} has been responded to: log the new issue as a new complaint (Code 6.8)"
                    ));
                }
                if summary.trim().is_empty() {
                    return refuse_field("summary", "Describe the issue being added");
                }
                Ok(())
            }
            Event::IssueSplitOut { summary, .. } => {
                if finished {
                    return refuse("The case is closed");
                }
                if summary.trim().is_empty() {
                    return refuse_field("summary", "Describe the issue being split out");
                }
                Ok(())
            }
            Event::ReferredToOmbudsman { .. } => {
                if !is_complaint {
                    return refuse("Only a complaint can be referred to the Ombudsman");
                }
                if self.ombudsman.is_some() {
                    return refuse("The complaint has already been referred to the Ombudsman");
                }
                Ok(())
            }
            Event::OmbudsmanDetermined { findings, .. } => {
                match &self.ombudsman {
                    None => {
                        return refuse(
                            "Record the referral to the Ombudsman before its determination",
                        );
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
            Event::AdjustmentsRecorded {
                needs,
                adjustments,
                review_on,
                ..
            } => {
                if finished {
                    return refuse("The case is closed: reopen it before recording adjustments");
                }
                if needs.trim().is_empty() {
                    return refuse_field("needs", "Describe the resident's needs");
                }
                if adjustments.trim().is_empty() {
                    return refuse_field("adjustments", "Describe the adjustments agreed");
                }
                if review_on.is_some_and(|r| r <= on) {
                    return refuse_field(
                        "review_on",
                        "The review date must be after today's record",
                    );
                }
                Ok(())
            }
            Event::ContactRestricted {
                restriction,
                approved_by,
                review_on,
                ..
            } => {
                if finished {
                    return refuse("The case is closed");
                }
                if restriction.trim().is_empty() {
                    return refuse_field(
                        "restriction",
                        "Say what is restricted and how the resident may still make contact",
                    );
                }
                if approved_by.trim().is_empty() {
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
                    let needed = policy.roles.restriction_approver_role();
                    let held = people.role_of(approved_by);
                    if held != Some(needed) {
                        let titled = policy
                            .roles
                            .contact_restrictions_approver
                            .as_deref()
                            .map(|t| format!(" ({t}, in the policy's words)"))
                            .unwrap_or_default();
                        return refuse_field(
                            "approved_by",
                            format!(
                                "A restriction must be approved by a {}{titled}: {} is {}",
                                needed.display_name().to_lowercase(),
                                name(approved_by),
                                held.map_or("not a user of Redress".to_owned(), |r| format!(
                                    "a {}",
                                    r.display_name().to_lowercase()
                                ))
                            ),
                        );
                    }
                }
                let months = policy.roles.restriction_review_months();
                let latest = on
                    .checked_add(jiff::Span::new().months(i64::from(months)))
                    .unwrap_or(on);
                if *review_on <= on || *review_on > latest {
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
            Event::ContactRestrictionChallenged { explanation, .. } => {
                if self.contact_restriction.is_none() {
                    return refuse("There is no contact restriction in force to challenge");
                }
                if let Some(c) = self.restriction_challenge {
                    return refuse(format!(
                        "The resident's challenge to the restriction was already reviewed on {}: it is reviewed only once",
                        human_date(c.on)
                    ));
                }
                if explanation.trim().is_empty() {
                    return refuse_field(
                        "explanation",
                        "Explain the decision on the challenge: the resident must be told why",
                    );
                }
                Ok(())
            }
            Event::RelationshipRecorded {
                relationship,
                tenancy_ended_on,
                ..
            } => {
                if finished {
                    return refuse(
                        "The case is closed: reopen it before changing who is complaining",
                    );
                }
                match crate::intake::check_relationship(
                    policy,
                    *relationship,
                    *tenancy_ended_on,
                    Some(self.received_on),
                ) {
                    Some(refused) => Err(refused),
                    None => Ok(()),
                }
            }
            Event::TimeLimitDiscretionUsed { reason, .. } => {
                if finished || !is_complaint {
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
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Say why the complaint is considered although it is outside the time limit (Code 2.3)",
                    );
                }
                Ok(())
            }
            Event::EscalationAccepted { reason, .. } => {
                if self.state != State::EscalationDecisionNeeded {
                    return refuse("There is no late request to escalate awaiting a decision");
                }
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Say why the late request is accepted (the discretion used)",
                    );
                }
                Ok(())
            }
            Event::RemedyCompleted { remedy, .. } => {
                match self.remedies.iter().find(|r| &r.id == remedy) {
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
        }
    }

    /// The name of an earlier stage that `officer` decided, if any.
    fn earlier_decision(&self, policy: &Policy, officer: &str, stage: u8) -> Option<String> {
        self.rounds
            .iter()
            .find(|r| r.stage < stage && r.decided_by.as_deref() == Some(officer))
            .map(|r| policy.stage_name(r.stage))
    }

    /// Extra time on a service request: only with the resident's recorded agreement, before its reply is
    /// due, and moving its clock.
    fn decide_service_request_extension(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        working_days: u32,
        reason: &str,
        resident_agreed: bool,
    ) -> Result<(), Refused> {
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
        if working_days == 0 {
            return refuse_field(
                "working_days",
                "An extension must add at least 1 working day",
            );
        }
        if reason.trim().is_empty() {
            return refuse_field("reason", "Give the reason for the extra time");
        }
        if !resident_agreed {
            return refuse_field(
                "resident_agreed",
                "Extra time on a service request is recorded only with the resident's agreement",
            );
        }
        let total = sr.agreed_extra_working_days.checked_add(working_days);
        if total.is_none_or(|t| t > DEFAULT_MAX_TOTAL_EXTENSION) {
            return refuse_field(
                "working_days",
                format!(
                    "A service request can be given at most {DEFAULT_MAX_TOTAL_EXTENSION} extra working days in all"
                ),
            );
        }
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

    /// Closing a complaint whose current stage has been answered, for a reason that needs a response.
    fn decide_closing_after_response(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        reason: CloseReason,
        explanation: Option<&str>,
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
            CloseReason::Resolved => {
                let confirmed = self.resolved_confirmed_on.is_some_and(|d| d >= responded);
                if !confirmed && explanation.is_none_or(|e| e.trim().is_empty()) {
                    return refuse_field(
                        "explanation",
                        "Record the resident's confirmation that the complaint is resolved, or explain why it is resolved without it",
                    );
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Steps that must wait until a late request to escalate has been accepted or refused.
fn waits_for_escalation_decision(event: &Event) -> bool {
    matches!(
        event,
        Event::Acknowledged { .. }
            | Event::ComplaintDefined { .. }
            | Event::Extended { .. }
            | Event::AdverseFindingsShared { .. }
            | Event::Responded { .. }
            | Event::ReturnedToStage1 { .. }
            | Event::IssueMerged { .. }
            | Event::ResolvedConfirmed { .. }
    )
}
