//! The steps an officer may take next on a case, with what each step's form needs to know.
//!
//! [`Case::available_steps`] asks the same precondition of each step that [`Case::decide`] asks of its
//! event, so a step is offered exactly when some filling of its form would be accepted (as of today, with
//! the form dated within the days a step may be dated). What depends on the person chosen in a form (the
//! officer assigned, who approves a restriction) stays with `decide`: the form offers the people, and the
//! rule judges the one chosen.

use jiff::civil::Date;
use serde::Serialize;

use crate::access::{Permission, Role};
use crate::calendar::Calendar;
use crate::case::{
    Case, MAX_HEADS, Refused, latest_restriction_review, refuse, refuse_field, service_request_due,
    service_request_extension_in_time,
};
use crate::event::{CloseReason, FeedbackType, Head, Relationship};
use crate::policy::{DEFAULT_MAX_TOTAL_EXTENSION, Policy, RefusalGround};

/// A step an officer records on a case through a form. The wire names are the pages' form slugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Acknowledge the current stage.
    Acknowledge,
    /// Define (or amend the definition of) the complaint.
    Define,
    /// Assign an officer.
    Assign,
    /// Extend the response deadline (or agree extra time on a service request).
    Extend,
    /// Share adverse findings with the resident before the decision.
    ShareFindings,
    /// Issue the stage response (or respond to the service request).
    Respond,
    /// Record the resident's request to escalate.
    Escalate,
    /// Refuse a request to escalate, on one of the policy's grounds.
    RefuseEscalation,
    /// Accept a late request to escalate, using discretion.
    AcceptEscalation,
    /// Consider a complaint although it is outside the time limit.
    TimeLimitDiscretion,
    /// Record (or correct) who is complaining.
    Relationship,
    /// Record the review of the resident's challenge to a contact restriction.
    ChallengeRestriction,
    /// Record the resident's confirmation that it is resolved.
    Resolved,
    /// Close the case.
    Close,
    /// Reopen the case.
    Reopen,
    /// Record needs and reasonable adjustments.
    Adjustments,
    /// Restrict the resident's contact.
    RestrictContact,
}

impl Step {
    /// Every step, in the order the pages show them.
    pub const ALL: [Step; 17] = [
        Step::Acknowledge,
        Step::Define,
        Step::Assign,
        Step::Extend,
        Step::ShareFindings,
        Step::Respond,
        Step::Escalate,
        Step::RefuseEscalation,
        Step::AcceptEscalation,
        Step::TimeLimitDiscretion,
        Step::Relationship,
        Step::ChallengeRestriction,
        Step::Resolved,
        Step::Close,
        Step::Reopen,
        Step::Adjustments,
        Step::RestrictContact,
    ];

    /// The wire name (the form's slug).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Acknowledge => "acknowledge",
            Step::Define => "define",
            Step::Assign => "assign",
            Step::Extend => "extend",
            Step::ShareFindings => "share-findings",
            Step::Respond => "respond",
            Step::Escalate => "escalate",
            Step::RefuseEscalation => "refuse-escalation",
            Step::AcceptEscalation => "accept-escalation",
            Step::TimeLimitDiscretion => "time-limit-discretion",
            Step::Relationship => "relationship",
            Step::ChallengeRestriction => "challenge-restriction",
            Step::Resolved => "resolved",
            Step::Close => "close",
            Step::Reopen => "reopen",
            Step::Adjustments => "adjustments",
            Step::RestrictContact => "restrict-contact",
        }
    }

    /// The step from its wire name.
    pub fn parse(name: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The wire kind of the event the step records (as [`crate::event::Event::kind`] writes it).
    pub fn event_kind(self) -> &'static str {
        match self {
            Step::Acknowledge => "acknowledged",
            Step::Define => "complaint_defined",
            Step::Assign => "assigned",
            Step::Extend => "extended",
            Step::ShareFindings => "adverse_findings_shared",
            Step::Respond => "responded",
            Step::Escalate => "escalation_requested",
            Step::RefuseEscalation => "escalation_refused",
            Step::AcceptEscalation => "escalation_accepted",
            Step::TimeLimitDiscretion => "time_limit_discretion_used",
            Step::Relationship => "relationship_recorded",
            Step::ChallengeRestriction => "contact_restriction_challenged",
            Step::Resolved => "resolved_confirmed",
            Step::Close => "closed",
            Step::Reopen => "reopened",
            Step::Adjustments => "adjustments_recorded",
            Step::RestrictContact => "contact_restricted",
        }
    }
}

/// Who is asking: the user id that would record the step (as `by` in [`Case::decide`]) and their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    /// The user's id.
    pub id: &'a str,
    /// The user's role.
    pub role: Role,
}

/// A step the case allows now, with what its form needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailableStep {
    /// The step.
    pub step: Step,
    /// What the domain allows within it.
    pub limits: StepLimits,
}

/// What a step's form needs to know beyond the step being allowed: one variant for each step that has
/// limits of its own, [`StepLimits::Plain`] for the rest (a date and the step's own text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepLimits {
    /// Nothing beyond the date (from the latest recorded step to today) and the step's own fields.
    Plain,
    /// For [`Step::Define`].
    Define(DefineLimits),
    /// For [`Step::Extend`].
    Extend(ExtendLimits),
    /// For [`Step::Respond`].
    Respond(RespondLimits),
    /// For [`Step::RefuseEscalation`].
    RefuseEscalation(RefuseEscalationLimits),
    /// For [`Step::Relationship`].
    Relationship(RelationshipLimits),
    /// For [`Step::Close`].
    Close(CloseLimits),
    /// For [`Step::RestrictContact`].
    RestrictContact(RestrictContactLimits),
}

/// Defining the complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefineLimits {
    /// The heads already defined this round (empty for a first definition): a new definition replaces them.
    pub heads: Vec<Head>,
    /// The most heads a definition may have ([`MAX_HEADS`]).
    pub max_heads: usize,
}

/// Extending the response (or a service request's reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExtendLimits {
    /// Extra working days the stage allows without the resident's agreement, in all (0 for a service
    /// request: its extra time is always agreed).
    pub without_agreement_working_days: u32,
    /// Extra working days already added this round (for a service request, agreed so far).
    pub used_working_days: u32,
    /// Extra working days that may still be added without the resident's agreement.
    pub left_without_agreement: u32,
    /// Whether days beyond those may be added with the resident's recorded agreement.
    pub further_with_agreement: bool,
    /// The most working days one extension may add now, with the resident's agreement where it is needed
    /// (at least 1, or the step is not offered).
    pub most_working_days: u32,
    /// The earliest day the extension may be dated: the latest recorded step.
    pub earliest_on: Date,
    /// The last day it may be dated: the response (or reply) is due then, extensions so far included.
    pub latest_on: Option<Date>,
}

/// Issuing the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RespondLimits {
    /// Whether the response records an outcome: a complaint's does, a service request's does not.
    pub outcome_needed: bool,
    /// The heads to answer, from the round's definition, numbered from 1 in this order (empty when none is
    /// defined, or for a service request).
    pub heads: Vec<Head>,
    /// Whether the outcome is asked head by head (a complaint with a definition) rather than once. An
    /// overall outcome is accepted either way; given per head, it is derived from them.
    pub outcome_per_head: bool,
}

/// Refusing a request to escalate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefuseEscalationLimits {
    /// The grounds the policy publishes for refusing escalation to the current stage (never empty).
    pub grounds: Vec<RefusalGround>,
}

/// Recording who is complaining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelationshipLimits {
    /// The relationships the policy accepts complaints from (never empty). A former tenant's is judged
    /// further on the day their tenancy ended.
    pub accepted: Vec<Relationship>,
}

/// Closing the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloseLimits {
    /// The reasons the case may close for today (never empty), in [`CloseReason::ALL`]'s order.
    pub reasons: Vec<CloseReason>,
    /// Whether closing as resolved needs an explanation: a complaint whose resident has not confirmed it
    /// resolved since the response.
    pub resolved_needs_explanation: bool,
}

/// Restricting the resident's contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestrictContactLimits {
    /// The role a user must hold to approve the restriction.
    pub approver_role: Role,
    /// The approver in the policy's words, where it names one.
    pub approver_title: Option<String>,
    /// Months within which the restriction must be reviewed.
    pub review_within_months: u32,
    /// The last review date a restriction recorded today may have.
    pub review_by: Date,
}

impl Case {
    /// The steps `who` may record on the case today, in [`Step::ALL`]'s order, each with its limits. A role
    /// that does not record events gets none.
    pub fn available_steps(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        who: &Actor<'_>,
        today: Date,
    ) -> Vec<AvailableStep> {
        Step::ALL
            .into_iter()
            .filter_map(|step| {
                let limits = self.step_limits(step, policy, calendar, who, today).ok()?;
                Some(AvailableStep { step, limits })
            })
            .collect()
    }

    /// The steps the case allows now, but not from `who`, each with why: a rule about the person (a stage's
    /// response decided by someone who decided an earlier stage). Shown to them, so that the step is not
    /// simply missing from their page. `people` names the people in the messages.
    pub fn steps_for_someone_else(
        &self,
        policy: &Policy,
        who: &Actor<'_>,
        today: Date,
        people: Option<&dyn crate::case::Directory>,
    ) -> Vec<(Step, String)> {
        if !who.role.can(Permission::RecordEvents) || self.in_order(today).is_err() {
            return Vec::new();
        }
        let mut withheld = Vec::new();
        if self.respond_allowed(policy).is_ok()
            && self.feedback_type == FeedbackType::Complaint
            && let Err(refused) = self.decider_allowed(policy, Some(who.id), people)
        {
            withheld.push((Step::Respond, refused.message));
        }
        withheld
    }

    /// Whether `who` may record `step` on the case today: its limits if so, else why not (the refusal
    /// [`Case::decide`] would give every filling of the form, or the first of them).
    pub fn step_limits(
        &self,
        step: Step,
        policy: &Policy,
        calendar: &Calendar,
        who: &Actor<'_>,
        today: Date,
    ) -> Result<StepLimits, Refused> {
        if !who.role.can(Permission::RecordEvents) {
            return refuse(format!(
                "A {} does not record steps on cases",
                who.role.display_name().to_lowercase()
            ));
        }
        // A step is dated from the latest recorded step to today.
        self.in_order(today)?;
        let plain = |allowed: Result<(), Refused>| allowed.map(|()| StepLimits::Plain);
        match step {
            Step::Acknowledge => plain(self.acknowledge_allowed(policy)),
            Step::Define => {
                self.define_allowed(policy)?;
                Ok(StepLimits::Define(DefineLimits {
                    heads: self.defined_heads(),
                    max_heads: MAX_HEADS,
                }))
            }
            Step::Assign => plain(self.assign_allowed()),
            Step::Extend => self.extend_limits(policy, calendar).map(StepLimits::Extend),
            Step::ShareFindings => plain(self.share_findings_allowed(policy)),
            Step::Respond => self.respond_limits(policy, who).map(StepLimits::Respond),
            Step::Escalate => plain(self.escalate_allowed(policy)),
            Step::RefuseEscalation => {
                let rule = self.refuse_escalation_allowed(policy)?;
                if rule.refusal_grounds.is_empty() {
                    return refuse_field(
                        "ground",
                        "The policy publishes no ground on which escalation may be refused",
                    );
                }
                Ok(StepLimits::RefuseEscalation(RefuseEscalationLimits {
                    grounds: rule.refusal_grounds.clone(),
                }))
            }
            Step::AcceptEscalation => plain(self.accept_escalation_allowed()),
            Step::TimeLimitDiscretion => plain(self.time_limit_discretion_allowed(policy)),
            Step::Relationship => self
                .relationship_limits(policy)
                .map(StepLimits::Relationship),
            Step::ChallengeRestriction => plain(self.challenge_allowed()),
            Step::Resolved => plain(self.resolved_allowed(policy)),
            Step::Close => self
                .close_limits(policy, calendar, today)
                .map(StepLimits::Close),
            Step::Reopen => plain(self.reopen_allowed()),
            Step::Adjustments => plain(self.adjustments_allowed()),
            Step::RestrictContact => self
                .restrict_contact_limits(policy, today)
                .map(StepLimits::RestrictContact),
        }
    }

    fn defined_heads(&self) -> Vec<Head> {
        self.round()
            .definition
            .as_ref()
            .map(|d| d.heads.clone())
            .unwrap_or_default()
    }

    /// An extension is best dated as early as it may be: it must come before the response is due.
    fn extend_limits(&self, policy: &Policy, calendar: &Calendar) -> Result<ExtendLimits, Refused> {
        self.escalation_decided(policy)?;
        let earliest_on = self.last_event_on;
        if self.extends_service_request() {
            let (sr, window) = self.service_request_extension_open(policy)?;
            service_request_extension_in_time(calendar, sr, window, earliest_on)?;
            let used = sr.agreed_extra_working_days;
            let most = DEFAULT_MAX_TOTAL_EXTENSION.saturating_sub(used);
            if most == 0 {
                return refuse_field(
                    "working_days",
                    format!(
                        "A service request can be given at most {DEFAULT_MAX_TOTAL_EXTENSION} extra working days in all, and they have been"
                    ),
                );
            }
            return Ok(ExtendLimits {
                without_agreement_working_days: 0,
                used_working_days: used,
                left_without_agreement: 0,
                further_with_agreement: true,
                most_working_days: most,
                earliest_on,
                latest_on: service_request_due(sr, window, calendar).map(|(_, due)| due),
            });
        }
        self.response_extension_open(policy, calendar, earliest_on)?;
        let rule = self.extension_rule(policy)?;
        let used = self.round().extension_days();
        let free = rule.without_agreement_working_days;
        let left_without_agreement = free.saturating_sub(used);
        // The total cap is never below the days allowed without agreement.
        let most = if rule.further_with_agreement {
            rule.total_cap().saturating_sub(used)
        } else {
            left_without_agreement
        };
        if most == 0 {
            return refuse_field(
                "working_days",
                format!(
                    "The policy allows no more extension at {}: {used} working days have been added",
                    policy.stage_name(self.stage())
                ),
            );
        }
        Ok(ExtendLimits {
            without_agreement_working_days: free,
            used_working_days: used,
            left_without_agreement,
            further_with_agreement: rule.further_with_agreement,
            most_working_days: most,
            earliest_on,
            latest_on: self
                .response_clock(policy, calendar, self.round())
                .map(|c| c.due),
        })
    }

    /// The one recording a complaint's response decides it when no officer is assigned, so who asks
    /// matters here.
    fn respond_limits(&self, policy: &Policy, who: &Actor<'_>) -> Result<RespondLimits, Refused> {
        self.respond_allowed(policy)?;
        if self.feedback_type != FeedbackType::Complaint {
            return Ok(RespondLimits {
                outcome_needed: false,
                heads: Vec::new(),
                outcome_per_head: false,
            });
        }
        self.decider_allowed(policy, Some(who.id), None)?;
        let heads = self.defined_heads();
        Ok(RespondLimits {
            outcome_needed: true,
            outcome_per_head: !heads.is_empty(),
            heads,
        })
    }

    fn relationship_limits(&self, policy: &Policy) -> Result<RelationshipLimits, Refused> {
        self.relationship_allowed()?;
        let accepted: Vec<Relationship> = Relationship::ALL
            .into_iter()
            .filter(|r| policy.eligibility.accepts(*r))
            .collect();
        if accepted.is_empty() {
            return refuse_field(
                "relationship",
                format!("{} accepts complaints from no one", policy.name),
            );
        }
        Ok(RelationshipLimits { accepted })
    }

    /// A case is best closed as late as it may be (today): closing for want of a reply waits for its day.
    fn close_limits(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        today: Date,
    ) -> Result<CloseLimits, Refused> {
        self.close_allowed()?;
        let mut first_refusal = None;
        let mut reasons = Vec::new();
        for reason in CloseReason::ALL {
            match self.close_reason_allowed(policy, calendar, today, reason) {
                Ok(()) => reasons.push(reason),
                Err(refused) => {
                    first_refusal.get_or_insert(refused);
                }
            }
        }
        if reasons.is_empty()
            && let Some(refused) = first_refusal
        {
            return Err(refused);
        }
        Ok(CloseLimits {
            reasons,
            resolved_needs_explanation: self.resolved_needs_explanation(),
        })
    }

    fn restrict_contact_limits(
        &self,
        policy: &Policy,
        today: Date,
    ) -> Result<RestrictContactLimits, Refused> {
        self.restrict_contact_allowed()?;
        let review_by = latest_restriction_review(policy, today);
        if review_by <= today {
            return refuse_field(
                "review_on",
                "The policy leaves no day on which a restriction could be reviewed",
            );
        }
        Ok(RestrictContactLimits {
            approver_role: policy.roles.restriction_approver_role(),
            approver_title: policy.roles.contact_restrictions_approver.clone(),
            review_within_months: policy.roles.restriction_review_months(),
            review_by,
        })
    }
}
