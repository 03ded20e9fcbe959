//! Landlord complaints policies as configuration.
//!
//! Every landlord publishes its own complaints policy on top of the Housing Ombudsman's Complaint Handling
//! Code. A [`Policy`] is that document as data: which feedback types it recognises, its stages and their
//! clocks, extensions, escalation rules, exclusions, time bar, who may complain, auto-closure, surveys,
//! performance targets and the officer roles. Policies are written in TOML, one file a policy, and may derive
//! from another with `extends = "<id>"`, overriding only the keys they change.
//!
//! Parsing is the only way to build a [`Policy`]: [`Policy::from_toml`] (or [`Policy::resolve`] for a policy
//! that extends a preset) returns either a policy whose every rule holds, or a list of [`PolicyError`]s each
//! naming the key at fault and saying what is wrong.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError, Division};

/// The most stages a policy may have: two, or three with a panel stage.
pub const MAX_STAGES: u8 = 3;

/// What can be wrong with a policy file: the key at fault and a message a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{key}: {message}")]
pub struct PolicyError {
    /// Dotted path of the key, e.g. `stages.stage1.respond.working_days`; empty for the whole file.
    pub key: String,
    /// What is wrong, in plain English.
    pub message: String,
}

impl PolicyError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> PolicyError {
        PolicyError {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A list of problems found in one policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}

impl From<PolicyError> for PolicyErrors {
    fn from(e: PolicyError) -> Self {
        PolicyErrors(vec![e])
    }
}

/// What starts a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStart {
    /// The day the complaint was received (stage 1 only).
    Received,
    /// The day the stage was acknowledged (and logged).
    Acknowledged,
    /// The day the resident asked to escalate to this stage (stages after the first).
    EscalationRequested,
}

impl ClockStart {
    /// "receipt", "acknowledgement", "the escalation request".
    pub fn phrase(self) -> &'static str {
        match self {
            ClockStart::Received => "receipt",
            ClockStart::Acknowledged => "acknowledgement",
            ClockStart::EscalationRequested => "the escalation request",
        }
    }
}

/// A length of time as a policy states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Working days (weekdays less bank holidays and closure days).
    WorkingDays(u32),
    /// Calendar days. A calendar-day limit is not moved off a weekend or holiday.
    CalendarDays(u32),
    /// Calendar months.
    Months(u32),
}

impl Period {
    /// The date this period after `from` ends on, under `calendar`.
    pub fn after(self, calendar: &Calendar, from: Date) -> Result<Date, CalendarError> {
        match self {
            Period::WorkingDays(n) => calendar.add_working_days(from, n),
            Period::CalendarDays(n) => calendar.add_calendar_days(from, n),
            Period::Months(n) => calendar.add_months(from, n),
        }
    }

    /// "10 working days", "28 calendar days", "2 months".
    pub fn describe(self) -> String {
        fn plural(n: u32, one: &str, many: &str) -> String {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        }
        match self {
            Period::WorkingDays(n) => plural(n, "working day", "working days"),
            Period::CalendarDays(n) => plural(n, "calendar day", "calendar days"),
            Period::Months(n) => plural(n, "month", "months"),
        }
    }

    /// The number of working days, if the period is stated in working days.
    pub fn working_days(self) -> Option<u32> {
        match self {
            Period::WorkingDays(n) => Some(n),
            _ => None,
        }
    }
}

/// A time limit: a period counted from a starting event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    /// How long.
    pub period: Period,
    /// From when.
    pub from: ClockStart,
}

/// Extension rules for one stage's response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRule {
    /// Extra working days the landlord may add without the resident's agreement (in total, at this stage).
    pub without_agreement_working_days: u32,
    /// Whether a further extension is allowed when the resident's agreement is recorded.
    pub further_with_agreement: bool,
    /// Cap on the further extension, in working days, if the policy sets one.
    pub further_max_working_days: Option<u32>,
    /// The most extra working days a stage's response may be extended by in all, with agreement or not
    /// (`max_total_working_days`, default [`DEFAULT_MAX_TOTAL_EXTENSION`]): no extension passes it.
    pub max_total_working_days: u32,
}

/// The total extension a stage allows, with the resident's agreement, when the policy states none.
pub const DEFAULT_MAX_TOTAL_EXTENSION: u32 = 60;

impl ExtensionRule {
    /// The most extra working days in all at the stage, with the resident's agreement where needed.
    pub fn total_cap(self) -> u32 {
        let stated = if self.further_with_agreement {
            self.further_max_working_days.map_or(u32::MAX, |m| {
                self.without_agreement_working_days.saturating_add(m)
            })
        } else {
            self.without_agreement_working_days
        };
        stated.min(
            self.max_total_working_days
                .max(self.without_agreement_working_days),
        )
    }
}

/// Where a stage's response clock starts when the acknowledgement was late
/// (`response_clock_after_late_acknowledgement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LateAcknowledgement {
    /// From the day the acknowledgement was due: a late acknowledgement buys no time (the default).
    #[default]
    DueDate,
    /// From the day it was actually acknowledged.
    AcknowledgedOn,
}

/// How a resident reaches a stage after the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationRule {
    /// How long after the previous stage's response the resident may ask; `None` for no deadline.
    pub window: Option<Period>,
    /// Whether a late request may be accepted at the landlord's discretion.
    pub late_requests_discretion: bool,
    /// Whether the policy requires the resident to give reasons.
    pub reasons_required: bool,
    /// Whether the landlord may refuse to escalate.
    pub may_refuse: bool,
    /// The grounds on which it may refuse.
    pub refusal_grounds: Vec<RefusalGround>,
}

/// A ground for refusing escalation: one of the policy's exclusions, or a ground of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalGround {
    /// Identifier, e.g. `legal-proceedings`.
    pub id: String,
    /// The policy's wording.
    pub text: String,
    /// Whether the ground is one of the policy's published exclusions (Code §2 list).
    pub is_exclusion: bool,
}

/// One stage of the complaints process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// 1, 2 or 3.
    pub number: u8,
    /// What the policy calls it: "Stage 1", "Resolution", "Review", "Panel".
    pub name: String,
    /// Acknowledgement limit.
    pub acknowledge: Limit,
    /// Response limit.
    pub respond: Limit,
    /// Extension rules.
    pub extension: ExtensionRule,
    /// How a resident reaches this stage (stages after the first).
    pub escalation: Option<EscalationRule>,
    /// Whether the policy describes this stage as informal (a "stage 0" or "informal complaint").
    pub informal: bool,
    /// Whether the policy has an acknowledgement step at this stage (`acknowledgement_step`, default true).
    /// A policy that goes straight to the response says `false`; Redress still runs the acknowledgement
    /// clock it inherits, but the compliance check reports the missing step (Code 6.2, 6.11).
    pub acknowledgement_step: bool,
    /// Whether the stage is held only at the resident's request after the internal process is complete
    /// (Harrogate's panel): the previous stage's response is then a final response.
    pub optional: bool,
    /// Whether the decision-maker must be someone other than those who handled earlier stages.
    pub different_decision_maker: bool,
    /// The officer role who handles this stage, e.g. "Business Manager".
    pub handled_by: Option<String>,
    /// Reading notes: how an ambiguous passage was read.
    pub note: Option<String>,
}

impl Stage {
    /// The clock-name prefix: `stage1`, `stage2`, `stage3`.
    pub fn key(&self) -> String {
        format!("stage{}", self.number)
    }
}

/// How the Code classifies an exclusion ground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeBasis {
    /// The issue is older than the time limit (Code 2.2, 2.3).
    TimeLimit,
    /// Legal proceedings have started (Code 2.2).
    LegalProceedings,
    /// Already considered under the complaints policy (Code 2.2).
    AlreadyConsidered,
    /// Another route is the right one (insurance claims, tribunal, ASB policy): fair and reasonable if
    /// applied case by case (Code 2.2, 2.5).
    OtherRoute,
    /// Dissatisfaction expressed in a satisfaction survey: not a complaint (Code 1.6), though the
    /// respondent should be told how to complain. Never a finding.
    SurveyFeedback,
    /// A ground the Code gives no example of; it must be fair and reasonable and never blanket.
    Other,
}

/// A ground on which the landlord may decline to accept a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// Identifier, e.g. `legal-proceedings`.
    pub id: String,
    /// The policy's wording.
    pub text: String,
    /// How the Code sees it.
    pub code_basis: CodeBasis,
    /// Whether the policy applies it with discretion ("we will review each case on its merits").
    pub discretion: bool,
}

/// The time limit for making a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeBar {
    /// Months after the issue (or after the resident became aware of it, where `from_awareness`); `None`
    /// (written `months = 0`) for no limit.
    pub months: Option<u32>,
    /// Whether the limit runs from when the resident became aware, not only from the issue.
    pub from_awareness: bool,
    /// Whether the landlord considers complaints outside the limit for good reason.
    pub discretion: bool,
}

/// Who may complain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Current tenants.
    pub tenant: bool,
    /// Former tenants.
    pub former_tenant: bool,
    /// Months after the tenancy ended within which a former tenant may complain, if limited.
    pub former_tenant_within_months: Option<u32>,
    /// Leaseholders and shared owners.
    pub leaseholder: bool,
    /// Licensees.
    pub licensee: bool,
    /// Applicants for housing.
    pub applicant: bool,
    /// Members of the public affected by the landlord's actions.
    pub member_of_public: bool,
    /// Groups of residents and petitions.
    pub group: bool,
    /// Representatives acting with consent (advocates, friends, family).
    pub representative: bool,
    /// MPs and councillors acting for a resident.
    pub mp_or_councillor: bool,
    /// Anonymous complaints are recorded and handled.
    pub anonymous: bool,
    /// Others at the landlord's discretion.
    pub others_at_discretion: bool,
    /// The policy's own words on who may complain, quoted when a complainant is refused.
    pub wording: Option<String>,
}

impl Eligibility {
    /// Whether the policy accepts complaints from people in this relationship to the landlord.
    pub fn accepts(&self, relationship: crate::event::Relationship) -> bool {
        use crate::event::Relationship as R;
        match relationship {
            R::Tenant => self.tenant,
            R::FormerTenant => self.former_tenant,
            R::Leaseholder => self.leaseholder,
            R::Licensee => self.licensee,
            R::Applicant => self.applicant,
            R::MemberOfPublic => self.member_of_public,
            R::Group => self.group,
            R::Representative => self.representative,
            R::MpOrCouncillor => self.mp_or_councillor,
        }
    }
}

/// Feedback that is not a formal complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackTypes {
    /// The policy distinguishes service requests from complaints (Code 1.4).
    pub service_requests: bool,
    /// The first-contact window for a service request, if the policy sets one.
    pub service_request_response: Option<Period>,
    /// Comments are recorded.
    pub comments: bool,
    /// Compliments are recorded.
    pub compliments: bool,
    /// The policy handles some complaints informally ("informal complaint", "quick fix") outside and
    /// before its stages (`informal_complaints`, default false). Code 5.2 permits no such tier.
    pub informal_complaints: bool,
}

/// Closing a case the resident did not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoClose {
    /// Working days after the outcome is communicated.
    pub after_working_days: u32,
}

/// The satisfaction survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    /// A satisfaction survey is sent after closure.
    pub after_closure: bool,
}

/// Measures a landlord sets targets on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Complaints acknowledged within the policy's limit (any stage).
    AcknowledgedOnTime,
    /// Complaints answered within the policy's limit, including permitted extensions (any stage).
    RespondedOnTime,
    /// Stage 1 responses on time.
    Stage1RespondedOnTime,
    /// Stage 2 responses on time.
    Stage2RespondedOnTime,
    /// Ombudsman findings of maladministration, service failure or complaint-handling failure.
    OmbudsmanAdverseFindings,
}

/// A performance target and the level that triggers a policy review.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// What is measured.
    pub measure: Measure,
    /// The target, as a percentage (or a count for Ombudsman findings).
    pub target: f64,
    /// Review the policy when performance falls to this level or below.
    pub review_at_or_below: Option<f64>,
}

/// The officer roles the policy names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Roles {
    /// Who approves restrictions on a resident's contact (the policy's job title).
    pub contact_restrictions_approver: Option<String>,
    /// The Redress role a user must hold to approve a restriction (default: complaints manager).
    pub contact_restrictions_approver_role: Option<crate::access::Role>,
    /// How often restrictions are reviewed, in months.
    pub contact_restrictions_review_months: Option<u32>,
    /// The complaints officer (Code 4.1).
    pub complaints_officer: Option<String>,
}

/// Review period of a contact restriction when the policy names none (Code 5.15 asks for regular review).
pub const DEFAULT_RESTRICTION_REVIEW_MONTHS: u32 = 12;

impl Roles {
    /// The Redress role that approves contact restrictions.
    pub fn restriction_approver_role(&self) -> crate::access::Role {
        self.contact_restrictions_approver_role
            .unwrap_or(crate::access::Role::ComplaintsManager)
    }

    /// Months within which a contact restriction must be reviewed.
    pub fn restriction_review_months(&self) -> u32 {
        self.contact_restrictions_review_months
            .unwrap_or(DEFAULT_RESTRICTION_REVIEW_MONTHS)
    }
}

/// The route to the Ombudsman the policy describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OmbudsmanRoute {
    /// The policy still sends residents to a "designated person" (MP, councillor, panel) first.
    pub designated_person: bool,
    /// The policy still tells residents to wait this many weeks before going to the Ombudsman.
    pub wait_weeks: Option<u32>,
    /// When a response is extended, the resident is given the Ombudsman's contact details
    /// (`details_in_extension_letters`, default true as the Code requires: 6.5, 6.16). `false` where the
    /// policy's extension notices leave them out.
    pub details_in_extension_letters: bool,
}

/// How to reach the Ombudsman, as letters give it (`[letters.ombudsman]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OmbudsmanContact {
    /// "Housing Ombudsman Service".
    pub name: String,
    /// Telephone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
    /// Postal address, one line.
    #[serde(default)]
    pub address: Option<String>,
}

impl OmbudsmanContact {
    /// Whether the details give at least one way to make contact.
    pub fn reachable(&self) -> bool {
        [&self.phone, &self.email, &self.website, &self.address]
            .into_iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
    }

    /// The details as lines of a letter ("Telephone: 0300 111 3000", …).
    pub fn lines(&self) -> Vec<String> {
        [
            ("Telephone", &self.phone),
            ("Email", &self.email),
            ("Website", &self.website),
            ("Post", &self.address),
        ]
        .into_iter()
        .filter_map(|(label, v)| v.as_ref().map(|v| format!("{label}: {v}")))
        .collect()
    }
}

/// Remedies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remedies {
    /// The policy offsets compensation against rent arrears or other debts.
    pub offset_against_arrears: bool,
    /// The policy pays compensation only (or, in effect, only) for financial loss, not for distress,
    /// inconvenience, or time and trouble (`compensation_only_for_financial_loss`, default false).
    pub compensation_only_for_financial_loss: bool,
}

/// A landlord's complaints policy, resolved and validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// Identifier, e.g. `harrogate-ha`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The policy's version as the landlord names it.
    pub version: String,
    /// The preset this policy was derived from, if any.
    pub extends: Option<String>,
    /// Where the policy comes from (document, date).
    pub source: Option<String>,
    /// Bank-holiday division.
    pub calendar: Division,
    /// Organisation closure days.
    pub closure_days: Vec<Date>,
    /// Feedback types other than complaints.
    pub feedback: FeedbackTypes,
    /// Stages, in order (two or three).
    pub stages: Vec<Stage>,
    /// Exclusion grounds.
    pub exclusions: Vec<Exclusion>,
    /// Time limit for complaining.
    pub time_bar: TimeBar,
    /// Who may complain.
    pub eligibility: Eligibility,
    /// Auto-closure after the outcome, if the resident does not reply.
    pub auto_close: Option<AutoClose>,
    /// Satisfaction survey.
    pub survey: Survey,
    /// Performance targets.
    pub targets: Vec<Target>,
    /// Officer roles.
    pub roles: Roles,
    /// Route to the Ombudsman.
    pub ombudsman: OmbudsmanRoute,
    /// Remedies.
    pub remedies: Remedies,
    /// What the policy's letters must contain beyond the Code, and the Ombudsman's details they give.
    pub letters: crate::letters::LetterRules,
    /// Where a response clock starts after a late acknowledgement.
    pub response_clock_after_late_acknowledgement: LateAcknowledgement,
    /// How many working days before a duty falls due the work queue calls it due soon.
    pub due_soon_working_days: u32,
    /// Free-text notes on how the policy was read.
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------------------------------------
// The file format. Kept apart from the domain types so that what people write (optional keys, `working_days`
// or `calendar_days`) is parsed once into types whose rules always hold.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    id: String,
    name: String,
    version: String,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    source: Option<String>,
    calendar: String,
    #[serde(default)]
    closure_days: Vec<String>,
    #[serde(default)]
    notes: Vec<String>,
    feedback: FeedbackFile,
    stages: BTreeMap<String, StageFile>,
    #[serde(default)]
    exclusions: Vec<ExclusionFile>,
    time_bar: TimeBarFile,
    who_may_complain: EligibilityFile,
    #[serde(default)]
    auto_close: Option<AutoCloseFile>,
    #[serde(default)]
    survey: Option<SurveyFile>,
    #[serde(default)]
    targets: Vec<TargetFile>,
    #[serde(default)]
    roles: Option<RolesFile>,
    #[serde(default)]
    ombudsman: Option<OmbudsmanFile>,
    #[serde(default)]
    remedies: Option<RemediesFile>,
    #[serde(default)]
    letters: Option<LettersFile>,
    #[serde(default)]
    response_clock_after_late_acknowledgement: LateAcknowledgement,
    #[serde(default)]
    due_soon_working_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodFile {
    #[serde(default)]
    working_days: Option<u32>,
    #[serde(default)]
    calendar_days: Option<u32>,
    #[serde(default)]
    months: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitFile {
    #[serde(default)]
    working_days: Option<u32>,
    #[serde(default)]
    calendar_days: Option<u32>,
    from: ClockStart,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedbackFile {
    #[serde(default)]
    service_requests: bool,
    #[serde(default)]
    service_request_response: Option<PeriodFile>,
    #[serde(default)]
    comments: bool,
    #[serde(default)]
    compliments: bool,
    #[serde(default)]
    informal_complaints: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StageFile {
    name: String,
    acknowledge: LimitFile,
    respond: LimitFile,
    extension: ExtensionFile,
    #[serde(default)]
    escalation: Option<EscalationFile>,
    #[serde(default)]
    informal: bool,
    #[serde(default = "yes")]
    acknowledgement_step: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default = "yes")]
    different_decision_maker: bool,
    #[serde(default)]
    handled_by: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionFile {
    without_agreement_working_days: u32,
    further_with_agreement: bool,
    #[serde(default)]
    further_max_working_days: Option<u32>,
    #[serde(default)]
    max_total_working_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalationFile {
    #[serde(default)]
    window: Option<PeriodFile>,
    #[serde(default = "yes")]
    late_requests_discretion: bool,
    reasons_required: bool,
    may_refuse: bool,
    #[serde(default)]
    refusal_grounds: Vec<RefusalGroundFile>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RefusalGroundFile {
    Exclusion(String),
    Own { id: String, text: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionFile {
    id: String,
    text: String,
    code_basis: CodeBasis,
    #[serde(default)]
    discretion: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeBarFile {
    #[serde(default)]
    months: Option<u32>,
    #[serde(default)]
    from_awareness: bool,
    #[serde(default)]
    discretion: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EligibilityFile {
    #[serde(default)]
    tenant: bool,
    #[serde(default)]
    former_tenant: bool,
    #[serde(default)]
    former_tenant_within_months: Option<u32>,
    #[serde(default)]
    leaseholder: bool,
    #[serde(default)]
    licensee: bool,
    #[serde(default)]
    applicant: bool,
    #[serde(default)]
    member_of_public: bool,
    #[serde(default)]
    group: bool,
    #[serde(default)]
    representative: bool,
    #[serde(default)]
    mp_or_councillor: bool,
    #[serde(default)]
    anonymous: bool,
    #[serde(default)]
    others_at_discretion: bool,
    #[serde(default)]
    wording: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AutoCloseFile {
    after_working_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveyFile {
    after_closure: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    measure: Measure,
    target: f64,
    #[serde(default)]
    review_at_or_below: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    #[serde(default)]
    contact_restrictions_approver: Option<String>,
    #[serde(default)]
    contact_restrictions_approver_role: Option<crate::access::Role>,
    #[serde(default)]
    contact_restrictions_review_months: Option<u32>,
    #[serde(default)]
    complaints_officer: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OmbudsmanFile {
    #[serde(default)]
    designated_person: bool,
    #[serde(default)]
    wait_weeks: Option<u32>,
    #[serde(default = "yes")]
    details_in_extension_letters: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LettersFile {
    #[serde(default)]
    ombudsman: Option<OmbudsmanContact>,
    #[serde(default)]
    require: BTreeMap<crate::letters::LetterKind, Vec<crate::letters::Element>>,
    #[serde(default)]
    waive: BTreeMap<crate::letters::LetterKind, Vec<crate::letters::Element>>,
    #[serde(default)]
    checklist: Vec<crate::letters::ChecklistQuestion>,
}

impl LettersFile {
    /// The rules, with an error for an element a kind cannot carry, or a confirmed Code element waived.
    fn into_rules(self, stages: &[u8], errors: &mut Errors) -> crate::letters::LetterRules {
        for (key, message) in crate::letters::checklist_problems(&self.checklist, stages) {
            errors.add(key, message);
        }
        for (section, map, waiving) in [
            ("require", &self.require, false),
            ("waive", &self.waive, true),
        ] {
            for (kind, elements) in map {
                for e in elements {
                    let key = format!("letters.{section}.{kind}");
                    if !e.applies_to(*kind) {
                        errors.add(key, format!("a {kind} letter cannot carry '{e}'"));
                    } else if waiving && e.confirmed() {
                        errors.add(
                            key,
                            format!("'{e}' is required by the Code's published text and cannot be waived"),
                        );
                    }
                }
            }
        }
        crate::letters::LetterRules {
            ombudsman: self.ombudsman,
            require: self.require,
            waive: self.waive,
            checklist: self.checklist,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemediesFile {
    #[serde(default)]
    offset_against_arrears: bool,
    #[serde(default)]
    compensation_only_for_financial_loss: bool,
}

/// Largest number of days any single limit may state; a guard against typing mistakes (e.g. 2000).
const MAX_DAYS: u32 = 366;

/// Parses TOML text into a table, naming the line of a syntax error.
pub fn parse_toml_table(text: &str) -> Result<toml::Table, PolicyErrors> {
    text.parse::<toml::Table>().map_err(|e| {
        let message = e.message().to_owned();
        let location = e
            .span()
            .map(|span| {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!(" (line {line})")
            })
            .unwrap_or_default();
        PolicyErrors(vec![PolicyError::new(
            "",
            format!("not valid TOML{location}: {message}"),
        )])
    })
}

/// Merges `over` into `base`: tables merge key by key, every other value (arrays included) is replaced.
pub fn merge_tables(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

impl Policy {
    /// Parses a complete policy (one that does not use `extends`, or whose base has already been merged in).
    pub fn from_toml(text: &str) -> Result<Policy, PolicyErrors> {
        let table = parse_toml_table(text)?;
        Policy::from_table(table)
    }

    /// Parses a policy that may `extends` another: `lookup` returns the TOML text of a policy by id (the
    /// presets, or policies installed in a database). Chains are followed; a cycle is an error.
    pub fn resolve(
        text: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Policy, PolicyErrors> {
        let table = parse_toml_table(text)?;
        let merged = resolve_table(table, lookup, &mut Vec::new())?;
        Policy::from_table(merged)
    }

    /// The complete policy a file describes once `extends` is resolved, as a TOML table: what
    /// `redress policy show` prints, and what can be installed without its parent.
    pub fn resolve_table(
        text: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<toml::Table, PolicyErrors> {
        let table = parse_toml_table(text)?;
        let merged = resolve_table(table, lookup, &mut Vec::new())?;
        // Validate it too, so a table is only ever returned for a policy that loads.
        Policy::from_table(merged.clone())?;
        Ok(merged)
    }

    /// The policy in plain English, one line per rule, as a complaints officer would say it.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.push(format!(
            "Working days follow the {} bank holidays{}.",
            self.calendar.display_name(),
            if self.closure_days.is_empty() {
                String::new()
            } else {
                format!(" and {} closure days", self.closure_days.len())
            }
        ));
        if let Some(p) = self.feedback.service_request_response {
            out.push(format!(
                "Service requests: we respond within {} of the request.",
                p.describe()
            ));
        } else if self.feedback.service_requests {
            out.push("Service requests are recorded and handled apart from complaints.".into());
        }
        for s in &self.stages {
            out.push(format!(
                "{}: we acknowledge within {} of {}.",
                s.name,
                s.acknowledge.period.describe(),
                s.acknowledge.from.phrase()
            ));
            out.push(format!(
                "{}: we reply within {} of {}.",
                s.name,
                s.respond.period.describe(),
                s.respond.from.phrase()
            ));
            let e = s.extension;
            out.push(format!(
                "{}: we may extend by {} working days{}.",
                s.name,
                e.without_agreement_working_days,
                match (e.further_with_agreement, e.further_max_working_days) {
                    (false, _) => ", and no further".to_owned(),
                    (true, None) =>
                        "; any further extension needs the resident's agreement".to_owned(),
                    (true, Some(m)) => format!("; up to {m} more with the resident's agreement"),
                }
            ));
            if let Some(esc) = &s.escalation {
                let window = esc.window.map_or_else(
                    || "at any time".to_owned(),
                    |w| format!("within {} of the previous response", w.describe()),
                );
                out.push(format!(
                    "{}: a resident may ask for it {window}{}{}.",
                    s.name,
                    if esc.reasons_required {
                        ", giving reasons"
                    } else {
                        ", without giving reasons"
                    },
                    if esc.may_refuse {
                        format!(
                            "; we may refuse only on these grounds: {}",
                            esc.refusal_grounds
                                .iter()
                                .map(|g| g.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    } else {
                        String::new()
                    }
                ));
            }
        }
        match self.time_bar.months {
            Some(m) => out.push(format!(
                "Complaints are accepted within {m} months of the issue{}{}.",
                if self.time_bar.from_awareness {
                    " or of the resident becoming aware of it"
                } else {
                    ""
                },
                if self.time_bar.discretion {
                    ", and later for good reason"
                } else {
                    ""
                }
            )),
            None => out.push("The policy sets no time limit for complaining.".into()),
        }
        if let Some(a) = self.auto_close {
            out.push(format!(
                "A case closes {} working days after the outcome if the resident does not reply.",
                a.after_working_days
            ));
        }
        out
    }

    /// Builds a policy from a merged TOML table.
    pub fn from_table(table: toml::Table) -> Result<Policy, PolicyErrors> {
        let file: PolicyFile = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| {
                let key = e.path().to_string();
                let key = if key == "." { String::new() } else { key };
                PolicyErrors(vec![PolicyError::new(key, e.inner().to_string())])
            })?;
        file.into_policy()
    }

    /// The stage numbered `n` (1-based).
    pub fn stage(&self, n: u8) -> Option<&Stage> {
        self.stages.get(usize::from(n).checked_sub(1)?)
    }

    /// The last stage: its response is the landlord's final response.
    pub fn final_stage(&self) -> u8 {
        self.stages.len() as u8
    }

    /// The last stage the resident is entitled to without asking for an optional one: its response
    /// completes the internal process.
    pub fn last_required_stage(&self) -> u8 {
        self.stages.iter().take_while(|s| !s.optional).count() as u8
    }

    /// What the policy calls stage `n` ("Stage 1", "Resolution", "Review").
    pub fn stage_name(&self, n: u8) -> String {
        self.stage(n)
            .map_or_else(|| format!("Stage {n}"), |s| s.name.clone())
    }

    /// The policy's working-day calendar: its division's bank holidays plus its closure days.
    pub fn working_calendar(&self, holidays: &crate::calendar::BankHolidays) -> Calendar {
        holidays.calendar(self.calendar, &self.closure_days)
    }

    /// The exclusion with this id.
    pub fn exclusion(&self, id: &str) -> Option<&Exclusion> {
        self.exclusions.iter().find(|e| e.id == id)
    }
}

fn resolve_table(
    mut table: toml::Table,
    lookup: &dyn Fn(&str) -> Option<String>,
    seen: &mut Vec<String>,
) -> Result<toml::Table, PolicyErrors> {
    let Some(parent) = table.get("extends") else {
        return Ok(table);
    };
    let Some(parent) = parent.as_str().map(str::to_owned) else {
        return Err(
            PolicyError::new("extends", "must be the id of another policy, in quotes").into(),
        );
    };
    if seen.contains(&parent) {
        return Err(PolicyError::new(
            "extends",
            format!("'{parent}' extends itself through {}", seen.join(" → ")),
        )
        .into());
    }
    let Some(parent_text) = lookup(&parent) else {
        return Err(PolicyError::new(
            "extends",
            format!("there is no policy or preset called '{parent}'"),
        )
        .into());
    };
    seen.push(parent.clone());
    let parent_table = parse_toml_table(&parent_text).map_err(|e| {
        PolicyErrors(
            e.0.into_iter()
                .map(|mut err| {
                    err.key = format!("extends ({parent})");
                    err
                })
                .collect(),
        )
    })?;
    let mut base = resolve_table(parent_table, lookup, seen)?;
    // The child's identity never comes from the parent, but it names the parent it was derived from.
    base.remove("notes");
    table.insert("extends".into(), toml::Value::String(parent));
    merge_tables(&mut base, table);
    Ok(base)
}

fn period(key: &str, p: &PeriodFile, allow_months: bool) -> Result<Period, PolicyError> {
    let given: Vec<Period> = [
        p.working_days.map(Period::WorkingDays),
        p.calendar_days.map(Period::CalendarDays),
        p.months.map(Period::Months),
    ]
    .into_iter()
    .flatten()
    .collect();
    match given.as_slice() {
        [one] => {
            if let Period::Months(_) = one
                && !allow_months
            {
                return Err(PolicyError::new(
                    format!("{key}.months"),
                    "months are only allowed for an escalation window; use working_days or calendar_days",
                ));
            }
            check_days(key, *one)?;
            Ok(*one)
        }
        [] => Err(PolicyError::new(
            key,
            if allow_months {
                "give one of working_days, calendar_days or months"
            } else {
                "give one of working_days or calendar_days"
            },
        )),
        _ => Err(PolicyError::new(
            key,
            "give only one of working_days, calendar_days or months",
        )),
    }
}

fn check_days(key: &str, p: Period) -> Result<(), PolicyError> {
    let (n, field, max) = match p {
        Period::WorkingDays(n) => (n, "working_days", MAX_DAYS),
        Period::CalendarDays(n) => (n, "calendar_days", MAX_DAYS),
        Period::Months(n) => (n, "months", 24),
    };
    if n > max {
        return Err(PolicyError::new(
            format!("{key}.{field}"),
            format!("{n} is too long; the most a policy may state is {max}"),
        ));
    }
    Ok(())
}

fn limit(key: &str, l: &LimitFile) -> Result<Limit, PolicyError> {
    let p = period(
        key,
        &PeriodFile {
            working_days: l.working_days,
            calendar_days: l.calendar_days,
            months: None,
        },
        false,
    )?;
    Ok(Limit {
        period: p,
        from: l.from,
    })
}

/// The errors found in a policy file, in the order its keys are checked.
#[derive(Default)]
struct Errors(Vec<PolicyError>);

impl Errors {
    fn add(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(PolicyError::new(key, message));
    }

    /// The value, or `None` with its error recorded.
    fn keep<T>(&mut self, result: Result<T, PolicyError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }
}

impl PolicyFile {
    fn into_policy(self) -> Result<Policy, PolicyErrors> {
        let mut errors = Errors::default();
        check_identity(&self.id, &self.name, &self.version, &mut errors);
        let calendar = calendar(&self.calendar, &mut errors);
        let closure_days = closure_days(&self.closure_days, &mut errors);
        let feedback = self.feedback.into_feedback_types(&mut errors);
        let exclusions = exclusions(self.exclusions, &mut errors);
        let stages = stages(&self.stages, &exclusions, &mut errors);
        let time_bar = self.time_bar.into_time_bar(&mut errors);
        let auto_close = self.auto_close.map(|a| a.into_auto_close(&mut errors));
        let targets = targets(&self.targets, &mut errors);
        let due_soon_working_days = due_soon_working_days(self.due_soon_working_days, &mut errors);
        let letters = self
            .letters
            .map(|l| {
                let numbers: Vec<u8> = stages.iter().map(|s| s.number).collect();
                l.into_rules(&numbers, &mut errors)
            })
            .unwrap_or_default();
        if !errors.0.is_empty() {
            return Err(PolicyErrors(errors.0));
        }
        Ok(Policy {
            id: self.id,
            name: self.name,
            version: self.version,
            extends: self.extends,
            source: self.source,
            calendar,
            closure_days,
            feedback,
            stages,
            exclusions,
            time_bar,
            eligibility: self.who_may_complain.into_eligibility(),
            auto_close,
            survey: Survey {
                after_closure: self.survey.is_some_and(|s| s.after_closure),
            },
            targets,
            roles: self
                .roles
                .map_or_else(Roles::default, RolesFile::into_roles),
            ombudsman: self.ombudsman.map_or(
                OmbudsmanRoute {
                    designated_person: false,
                    wait_weeks: None,
                    details_in_extension_letters: true,
                },
                OmbudsmanFile::into_ombudsman_route,
            ),
            remedies: self.remedies.map_or(
                Remedies {
                    offset_against_arrears: false,
                    compensation_only_for_financial_loss: false,
                },
                RemediesFile::into_remedies,
            ),
            letters,
            response_clock_after_late_acknowledgement: self
                .response_clock_after_late_acknowledgement,
            due_soon_working_days,
            notes: self.notes,
        })
    }
}

fn check_identity(id: &str, name: &str, version: &str, errors: &mut Errors) {
    if !valid_id(id) {
        errors.add(
            "id",
            format!("'{id}' is not a valid id: use 1 to 64 lower-case letters, digits and hyphens"),
        );
    }
    if name.trim().is_empty() {
        errors.add("name", "must not be empty");
    }
    if version.trim().is_empty() {
        errors.add("version", "must not be empty");
    }
}

/// The calendar division; England and Wales stands in for an unknown one so that checking goes on.
fn calendar(name: &str, errors: &mut Errors) -> Division {
    name.parse::<Division>().unwrap_or_else(|e| {
        errors.add("calendar", e.to_string());
        Division::EnglandAndWales
    })
}

fn closure_days(days: &[String], errors: &mut Errors) -> Vec<Date> {
    let mut out = Vec::new();
    for (i, day) in days.iter().enumerate() {
        match day.parse::<Date>() {
            Ok(d) => out.push(d),
            Err(_) => errors.add(
                format!("closure_days[{i}]"),
                format!("'{day}' is not a date (YYYY-MM-DD)"),
            ),
        }
    }
    out
}

fn optional_period(
    key: &str,
    p: Option<&PeriodFile>,
    allow_months: bool,
    errors: &mut Errors,
) -> Option<Period> {
    errors.keep(period(key, p?, allow_months))
}

impl FeedbackFile {
    fn into_feedback_types(self, errors: &mut Errors) -> FeedbackTypes {
        let service_request = optional_period(
            "feedback.service_request_response",
            self.service_request_response.as_ref(),
            false,
            errors,
        );
        FeedbackTypes {
            service_requests: self.service_requests || service_request.is_some(),
            service_request_response: service_request,
            comments: self.comments,
            compliments: self.compliments,
            informal_complaints: self.informal_complaints,
        }
    }
}

fn exclusions(files: Vec<ExclusionFile>, errors: &mut Errors) -> Vec<Exclusion> {
    let mut out: Vec<Exclusion> = Vec::new();
    for (i, e) in files.into_iter().enumerate() {
        if !valid_id(&e.id) {
            errors.add(
                format!("exclusions[{i}].id"),
                format!(
                    "'{}' is not a valid id: use lower-case letters, digits and hyphens",
                    e.id
                ),
            );
        }
        if out.iter().any(|x| x.id == e.id) {
            errors.add(
                format!("exclusions[{i}].id"),
                format!("'{}' is listed twice", e.id),
            );
        }
        if e.text.trim().is_empty() {
            errors.add(
                format!("exclusions[{i}].text"),
                "must give the policy's wording",
            );
        }
        out.push(Exclusion {
            id: e.id,
            text: e.text,
            code_basis: e.code_basis,
            discretion: e.discretion,
        });
    }
    out
}

/// The stages, from keys that must be stage1, stage2[, stage3], in order, with no gaps.
fn stages(
    files: &BTreeMap<String, StageFile>,
    exclusions: &[Exclusion],
    errors: &mut Errors,
) -> Vec<Stage> {
    let count = files.len();
    if !(2..=usize::from(MAX_STAGES)).contains(&count) {
        errors.add(
            "stages",
            format!("a policy has two stages, or three with a panel stage; this one has {count}"),
        );
    }
    for key in files.keys() {
        let ok = key
            .strip_prefix("stage")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| (1..=count).contains(&n));
        if !ok {
            errors.add(
                format!("stages.{key}"),
                format!("stages are named stage1 to stage{count}; '{key}' is not one of them"),
            );
        }
    }
    let mut stages = Vec::new();
    for n in 1..=count.min(3) as u8 {
        let key = format!("stage{n}");
        match files.get(&key) {
            Some(s) => stages.extend(stage(n, s, exclusions, errors)),
            None => errors.add(
                format!("stages.{key}"),
                "is missing: stages must be numbered without gaps",
            ),
        }
    }
    stages
}

/// Stage `n`, or `None` when one of its clocks cannot be read.
fn stage(n: u8, s: &StageFile, exclusions: &[Exclusion], errors: &mut Errors) -> Option<Stage> {
    let path = format!("stages.stage{n}");
    if s.name.trim().is_empty() {
        errors.add(format!("{path}.name"), "must not be empty");
    }
    let acknowledge = limit(&format!("{path}.acknowledge"), &s.acknowledge);
    let respond = limit(&format!("{path}.respond"), &s.respond);
    let (acknowledge, respond) = match (acknowledge, respond) {
        (Ok(a), Ok(r)) => (a, r),
        (a, r) => {
            errors.keep(a);
            errors.keep(r);
            return None;
        }
    };
    let first = n == 1;
    check_clock_starts(&path, first, acknowledge, respond, errors);
    let max_total = extension_total(&path, &s.extension, errors);
    if first && s.optional {
        errors.add(format!("{path}.optional"), "stage 1 cannot be optional");
    }
    if s.extension.further_max_working_days.is_some() && !s.extension.further_with_agreement {
        errors.add(
            format!("{path}.extension.further_max_working_days"),
            "is set, but further_with_agreement is false",
        );
    }
    Some(Stage {
        number: n,
        name: s.name.clone(),
        acknowledge,
        respond,
        extension: ExtensionRule {
            without_agreement_working_days: s.extension.without_agreement_working_days,
            further_with_agreement: s.extension.further_with_agreement,
            further_max_working_days: s.extension.further_max_working_days,
            max_total_working_days: max_total,
        },
        escalation: escalation(&path, first, s.escalation.as_ref(), exclusions, errors),
        informal: s.informal,
        acknowledgement_step: s.acknowledgement_step,
        optional: s.optional,
        different_decision_maker: s.different_decision_maker,
        handled_by: s.handled_by.clone(),
        note: s.note.clone(),
    })
}

/// What may start each clock: the stage's entry (receipt at stage 1, the escalation request later), and
/// for the response also the acknowledgement.
fn check_clock_starts(
    path: &str,
    first: bool,
    acknowledge: Limit,
    respond: Limit,
    errors: &mut Errors,
) {
    let (stage, entry, entry_name) = if first {
        ("stage 1", ClockStart::Received, "received")
    } else {
        (
            "a later stage",
            ClockStart::EscalationRequested,
            "escalation_requested",
        )
    };
    if acknowledge.from != entry {
        errors.add(
            format!("{path}.acknowledge.from"),
            format!("the acknowledgement clock of {stage} starts at '{entry_name}'"),
        );
    }
    if respond.from != entry && respond.from != ClockStart::Acknowledged {
        errors.add(
            format!("{path}.respond.from"),
            format!("the response clock of {stage} starts at '{entry_name}' or 'acknowledged'"),
        );
    }
}

/// The most a stage's response may be extended by in all, checked with the extension without agreement.
fn extension_total(path: &str, e: &ExtensionFile, errors: &mut Errors) -> u32 {
    if e.without_agreement_working_days > MAX_DAYS {
        errors.add(
            format!("{path}.extension.without_agreement_working_days"),
            format!("{} is too long", e.without_agreement_working_days),
        );
    }
    let max_total = e
        .max_total_working_days
        .unwrap_or(DEFAULT_MAX_TOTAL_EXTENSION.max(e.without_agreement_working_days));
    if max_total > MAX_DAYS || max_total < e.without_agreement_working_days {
        errors.add(
            format!("{path}.extension.max_total_working_days"),
            format!(
                "{max_total} must be from without_agreement_working_days ({}) to {MAX_DAYS}",
                e.without_agreement_working_days
            ),
        );
    }
    max_total
}

/// How a resident reaches the stage: never stage 1, always every later stage.
fn escalation(
    path: &str,
    first: bool,
    file: Option<&EscalationFile>,
    exclusions: &[Exclusion],
    errors: &mut Errors,
) -> Option<EscalationRule> {
    let e = match (file, first) {
        (Some(_), true) => {
            errors.add(
                format!("{path}.escalation"),
                "stage 1 has no escalation rules: put them on the stage the resident escalates to",
            );
            return None;
        }
        (None, false) => {
            errors.add(
                format!("{path}.escalation"),
                "is missing: say how a resident escalates to this stage",
            );
            return None;
        }
        (None, true) => return None,
        (Some(e), false) => e,
    };
    let window = optional_period(
        &format!("{path}.escalation.window"),
        e.window.as_ref(),
        true,
        errors,
    );
    let grounds = refusal_grounds(path, &e.refusal_grounds, exclusions, errors);
    if !e.may_refuse && !grounds.is_empty() {
        errors.add(
            format!("{path}.escalation.refusal_grounds"),
            "lists grounds, but may_refuse is false",
        );
    }
    if e.may_refuse && grounds.is_empty() {
        errors.add(
            format!("{path}.escalation.refusal_grounds"),
            "may_refuse is true, so list the grounds on which escalation may be refused",
        );
    }
    Some(EscalationRule {
        window,
        late_requests_discretion: e.late_requests_discretion,
        reasons_required: e.reasons_required,
        may_refuse: e.may_refuse,
        refusal_grounds: grounds,
    })
}

/// The grounds for refusing escalation: a ground given by id must be one of the policy's exclusions.
fn refusal_grounds(
    path: &str,
    files: &[RefusalGroundFile],
    exclusions: &[Exclusion],
    errors: &mut Errors,
) -> Vec<RefusalGround> {
    let mut grounds = Vec::new();
    for (i, g) in files.iter().enumerate() {
        match g {
            RefusalGroundFile::Exclusion(id) => match exclusions.iter().find(|x| &x.id == id) {
                Some(x) => grounds.push(RefusalGround {
                    id: x.id.clone(),
                    text: x.text.clone(),
                    is_exclusion: true,
                }),
                None => errors.add(
                    format!("{path}.escalation.refusal_grounds[{i}]"),
                    format!(
                        "'{id}' is not one of the policy's exclusions; list it under [[exclusions]] or give it as {{ id, text }}"
                    ),
                ),
            },
            RefusalGroundFile::Own { id, text } => grounds.push(RefusalGround {
                id: id.clone(),
                text: text.clone(),
                is_exclusion: false,
            }),
        }
    }
    grounds
}

impl TimeBarFile {
    fn into_time_bar(self, errors: &mut Errors) -> TimeBar {
        if let Some(m) = self.months
            && m > 120
        {
            errors.add(
                "time_bar.months",
                format!("{m} months is not a sensible time limit (1 to 120, or 0 for none)"),
            );
        }
        TimeBar {
            // 0 says "no time limit": TOML has no null, and a policy must be able to remove an inherited one.
            months: self.months.filter(|m| *m > 0),
            from_awareness: self.from_awareness,
            discretion: self.discretion,
        }
    }
}

impl AutoCloseFile {
    fn into_auto_close(self, errors: &mut Errors) -> AutoClose {
        let days = self.after_working_days;
        if days == 0 || days > MAX_DAYS {
            errors.add(
                "auto_close.after_working_days",
                format!("{days} is not a sensible number of working days"),
            );
        }
        AutoClose {
            after_working_days: days,
        }
    }
}

/// The targets: percentages, except the count of Ombudsman findings.
fn targets(files: &[TargetFile], errors: &mut Errors) -> Vec<Target> {
    let mut targets = Vec::new();
    for (i, t) in files.iter().enumerate() {
        let percent = t.measure != Measure::OmbudsmanAdverseFindings;
        if !t.target.is_finite() || t.target < 0.0 || (percent && t.target > 100.0) {
            errors.add(
                format!("targets[{i}].target"),
                "must be a percentage from 0 to 100",
            );
        }
        if let Some(r) = t.review_at_or_below
            && (!r.is_finite() || r < 0.0 || (percent && r > 100.0))
        {
            errors.add(
                format!("targets[{i}].review_at_or_below"),
                "must be a percentage from 0 to 100",
            );
        }
        targets.push(Target {
            measure: t.measure,
            target: t.target,
            review_at_or_below: t.review_at_or_below,
        });
    }
    targets
}

fn due_soon_working_days(days: Option<u32>, errors: &mut Errors) -> u32 {
    if days.is_some_and(|d| d > 20) {
        errors.add("due_soon_working_days", "must be at most 20 working days");
    }
    days.unwrap_or(crate::urgency::DEFAULT_DUE_SOON_WORKING_DAYS)
}

impl EligibilityFile {
    fn into_eligibility(self) -> Eligibility {
        Eligibility {
            tenant: self.tenant,
            former_tenant: self.former_tenant || self.former_tenant_within_months.is_some(),
            former_tenant_within_months: self.former_tenant_within_months,
            leaseholder: self.leaseholder,
            licensee: self.licensee,
            applicant: self.applicant,
            member_of_public: self.member_of_public,
            group: self.group,
            representative: self.representative,
            mp_or_councillor: self.mp_or_councillor,
            anonymous: self.anonymous,
            others_at_discretion: self.others_at_discretion,
            wording: self.wording,
        }
    }
}

impl RolesFile {
    fn into_roles(self) -> Roles {
        Roles {
            contact_restrictions_approver: self.contact_restrictions_approver,
            contact_restrictions_approver_role: self.contact_restrictions_approver_role,
            contact_restrictions_review_months: self.contact_restrictions_review_months,
            complaints_officer: self.complaints_officer,
        }
    }
}

impl OmbudsmanFile {
    fn into_ombudsman_route(self) -> OmbudsmanRoute {
        OmbudsmanRoute {
            designated_person: self.designated_person,
            wait_weeks: self.wait_weeks,
            details_in_extension_letters: self.details_in_extension_letters,
        }
    }
}

impl RemediesFile {
    fn into_remedies(self) -> Remedies {
        Remedies {
            offset_against_arrears: self.offset_against_arrears,
            compensation_only_for_financial_loss: self.compensation_only_for_financial_loss,
        }
    }
}

/// Policy and exclusion ids: 1 to 64 lower-case ASCII letters, digits and hyphens.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}
