//! Where a landlord's policy departs from the complaint-handling framework that governs it.
//!
//! [`check`] compares a resolved [`Policy`] with its [`Framework`] and returns [`Finding`]s: the severity,
//! the framework and its provision, a plain-English message and the policy key at fault. A stricter policy
//! (a shorter clock, a smaller extension) is not a finding: the frameworks set ceilings, and a landlord may do
//! better.
//!
//! Which framework governs follows the policy's `calendar` division ([`Framework::for_division`]):
//!
//! - England and Wales, and Northern Ireland: the Housing Ombudsman's Complaint Handling Code 2024, as
//!   before. (Welsh landlords answer to the Public Services Ombudsman for Wales and Northern Irish ones to
//!   NIPSO; neither model is encoded, so they are checked against the Code as they always were.)
//! - Scotland: the Scottish Public Services Ombudsman's Model Complaints Handling Procedure (MCHP) for
//!   registered social landlords. The English Code does not apply there, so no Code breach is reported.
//!
//! The Code's figures live in [`CODE_2024`] and the MCHP's in [`SPSO_MCHP`], each in one place. The MCHP
//! figures come from shared/reference/complaint-handling-code-2024.md §6 (secondary sources); the stage 1
//! extension cap there is recalled, not confirmed, so its finding is only a warning. SPSO provisions are
//! named by the MCHP's part ("SPSO MCHP stage 2"), not by paragraph numbers, which the reference does not
//! give.

use serde::Serialize;

use crate::calendar::Division;
use crate::policy::{ClockStart, CodeBasis, EscalationRule, Period, Policy, Stage};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The policy breaks a requirement of its framework.
    Error,
    /// Not a breach in itself, but a known risk: the ombudsman has criticised it, it invites a breach, or the
    /// requirement is not confirmed.
    Warning,
}

impl Severity {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The complaint-handling framework a policy is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Framework {
    /// The Housing Ombudsman's Complaint Handling Code 2024 (England; also applied, as before, to policies on
    /// the Northern Ireland calendar).
    #[serde(rename = "hos-code-2024")]
    HousingOmbudsmanCode2024,
    /// The Scottish Public Services Ombudsman's Model Complaints Handling Procedure for registered social
    /// landlords (in use from April 2021).
    #[serde(rename = "spso-mchp")]
    SpsoMchp,
}

impl Framework {
    /// The framework that governs landlords using this calendar division.
    pub fn for_division(division: Division) -> Framework {
        match division {
            Division::Scotland => Framework::SpsoMchp,
            Division::EnglandAndWales | Division::NorthernIreland => {
                Framework::HousingOmbudsmanCode2024
            }
        }
    }

    /// The framework that governs this policy.
    pub fn of(policy: &Policy) -> Framework {
        Framework::for_division(policy.calendar)
    }

    /// The wire name: `hos-code-2024`, `spso-mchp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::HousingOmbudsmanCode2024 => "hos-code-2024",
            Framework::SpsoMchp => "spso-mchp",
        }
    }

    /// The name a person reads.
    pub fn display_name(self) -> &'static str {
        match self {
            Framework::HousingOmbudsmanCode2024 => "Housing Ombudsman Complaint Handling Code 2024",
            Framework::SpsoMchp => "SPSO Model Complaints Handling Procedure",
        }
    }
}

/// One way a policy departs from its framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// The framework the provision belongs to.
    pub framework: Framework,
    /// The provision: a Code number, e.g. "6.12", or for the SPSO MCHP the part concerned, always starting
    /// "SPSO MCHP", e.g. "SPSO MCHP stage 2".
    pub provision: &'static str,
    /// What is wrong and what the framework says, in plain English.
    pub message: String,
    /// The policy key at fault, e.g. `stages.stage2.escalation.reasons_required`.
    pub key: String,
}

/// The Code's limits, in working days.
#[derive(Debug, Clone, Copy)]
pub struct CodeLimits {
    /// Stage 1 acknowledgement, from receipt (6.2).
    pub stage1_acknowledge: u32,
    /// Stage 1 response, from acknowledgement (6.3).
    pub stage1_respond: u32,
    /// Stage 1 extension without good reason (6.4).
    pub stage1_extension: u32,
    /// Stage 2 acknowledgement, from the escalation request (6.11).
    pub stage2_acknowledge: u32,
    /// Stage 2 response, from acknowledgement (6.14).
    pub stage2_respond: u32,
    /// Stage 2 extension without good reason (6.15).
    pub stage2_extension: u32,
    /// Months within which complaints must be accepted (2.3).
    pub time_limit_months: u32,
}

/// The Complaint Handling Code 2024.
pub const CODE_2024: CodeLimits = CodeLimits {
    stage1_acknowledge: 5,
    stage1_respond: 10,
    stage1_extension: 10,
    stage2_acknowledge: 5,
    stage2_respond: 20,
    stage2_extension: 20,
    time_limit_months: 12,
};

/// The SPSO Model Complaints Handling Procedure's limits (working days unless stated).
#[derive(Debug, Clone, Copy)]
pub struct SpsoLimits {
    /// Stage 1 (frontline resolution) response, from receipt.
    pub stage1_respond: u32,
    /// The most a frontline response may take in all, from receipt, with an exceptional extension
    /// [recalled, unconfirmed: findings against it are warnings].
    pub stage1_with_extension: u32,
    /// Stage 2 (investigation) acknowledgement, from receipt at stage 2.
    pub stage2_acknowledge: u32,
    /// Stage 2 response, from receipt at stage 2 (not from acknowledgement); longer only exceptionally, with
    /// revised time limits agreed with the customer.
    pub stage2_respond: u32,
    /// Months from the customer first knowing of the problem within which complaints are made, special
    /// circumstances aside.
    pub time_limit_months: u32,
    /// Months after the stage 1 reply within which stage 2 may be asked for (or 6 months from the event, if
    /// later).
    pub stage2_request_months: u32,
    /// Months within which the customer may take the complaint to the SPSO (normally from first knowing of
    /// the problem); quoted in messages, not checked: the policy model has no key for it.
    pub spso_referral_months: u32,
}

/// The SPSO Model Complaints Handling Procedure for registered social landlords (April 2021).
pub const SPSO_MCHP: SpsoLimits = SpsoLimits {
    stage1_respond: 5,
    stage1_with_extension: 10,
    stage2_acknowledge: 3,
    stage2_respond: 20,
    time_limit_months: 6,
    stage2_request_months: 2,
    spso_referral_months: 12,
};

/// The longest a period can run, in working days, when compared with a working-day limit. A calendar-day
/// period of N days never spans more than N working days, so N stands for it.
fn upper_working_days(p: Period) -> Option<u32> {
    match p {
        Period::WorkingDays(n) | Period::CalendarDays(n) => Some(n),
        Period::Months(_) => None,
    }
}

fn finding(
    framework: Framework,
    severity: Severity,
    provision: &'static str,
    key: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    Finding {
        severity,
        framework,
        provision,
        message: message.into(),
        key: key.into(),
    }
}

/// A finding against the Code 2024.
fn code(
    severity: Severity,
    provision: &'static str,
    key: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    finding(
        Framework::HousingOmbudsmanCode2024,
        severity,
        provision,
        key,
        message,
    )
}

/// A finding against the SPSO MCHP.
fn spso(
    severity: Severity,
    provision: &'static str,
    key: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    finding(Framework::SpsoMchp, severity, provision, key, message)
}

/// Compares a policy with the framework that governs it ([`Framework::of`]).
pub fn check(policy: &Policy) -> Vec<Finding> {
    match Framework::of(policy) {
        Framework::HousingOmbudsmanCode2024 => check_code_2024(policy),
        Framework::SpsoMchp => check_spso_mchp(policy),
    }
}

// ---------------------------------------------------------------------------------------------------------
// What both frameworks check alike. Each check is written once; the framework's table says how serious a
// breach is, which provision it breaks and how the finding reads.

/// One requirement as a framework states it.
struct Requirement<M> {
    severity: Severity,
    provision: &'static str,
    message: M,
}

fn requirement<M>(severity: Severity, provision: &'static str, message: M) -> Requirement<M> {
    Requirement {
        severity,
        provision,
        message,
    }
}

/// The requirements both frameworks check alike, each as its framework states it.
struct Requirements {
    framework: Framework,
    /// Months within which complaints must be accepted.
    time_limit_months: u32,
    /// Completes "The policy has N stages (names); ".
    more_than_two_stages: Requirement<&'static str>,
    /// Completes "'<name>' is described as an informal stage; ".
    informal_stage: Requirement<&'static str>,
    informal_tier: Requirement<&'static str>,
    /// From the stage escalated to and the ground's wording.
    own_refusal_ground: Requirement<fn(&Stage, &str) -> String>,
    no_exclusions: Requirement<&'static str>,
    /// From the exclusion's wording.
    blanket_exclusion: Requirement<fn(&str) -> String>,
    no_service_requests: Requirement<&'static str>,
    /// From the policy's months.
    short_time_limit: Requirement<fn(u32) -> String>,
    no_time_limit_discretion: Requirement<&'static str>,
    time_limit_not_from_awareness: Requirement<&'static str>,
    /// From the policy's months for former tenants.
    short_former_tenant_limit: Requirement<fn(u32) -> String>,
    no_representatives: Requirement<&'static str>,
    no_anonymous_complaints: Requirement<&'static str>,
    designated_person: Requirement<String>,
    /// From the policy's weeks.
    ombudsman_wait: Requirement<fn(u32) -> String>,
}

impl Requirements {
    fn finding<M>(
        &self,
        requirement: &Requirement<M>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        finding(
            self.framework,
            requirement.severity,
            requirement.provision,
            key,
            message,
        )
    }

    /// The finding for a requirement whose words do not depend on the policy, if it is breached.
    fn breached<M: AsRef<str>>(
        &self,
        breached: bool,
        requirement: &Requirement<M>,
        key: &str,
    ) -> Option<Finding> {
        breached.then(|| self.finding(requirement, key, requirement.message.as_ref()))
    }
}

/// The Code 2024's statement of the shared requirements.
fn code_2024_requirements() -> Requirements {
    use Severity::{Error, Warning};
    Requirements {
        framework: Framework::HousingOmbudsmanCode2024,
        time_limit_months: CODE_2024.time_limit_months,
        more_than_two_stages: requirement(
            Error,
            "5.3",
            "the Code allows exactly two, and more is not acceptable under any circumstances",
        ),
        informal_stage: requirement(
            Error,
            "5.2",
            "the Code permits no extra named stages such as 'stage 0' or 'informal complaint'",
        ),
        informal_tier: requirement(
            Error,
            "5.2",
            "The policy handles some complaints informally before stage 1 (an 'informal complaint' or 'quick fix' tier); the Code permits no extra stage such as 'stage 0' or 'informal complaint': a complaint resolved at first contact is still a stage 1 complaint",
        ),
        own_refusal_ground: requirement(
            Error,
            "5.11",
            |_, ground| {
                format!(
                    "The policy may refuse escalation because \"{ground}\"; the Code allows refusing only for valid reasons consistent with the published exclusions (section 2)"
                )
            },
        ),
        no_exclusions: requirement(
            Error,
            "2.2",
            "The policy lists no grounds for not accepting a complaint; the Code requires them to be set out, and to be fair and reasonable",
        ),
        blanket_exclusion: requirement(
            Warning,
            "2.5",
            |text| {
                format!(
                    "The exclusion \"{text}\" is not one of the Code's examples and is applied without discretion: it risks being a blanket exclusion"
                )
            },
        ),
        no_service_requests: requirement(
            Warning,
            "1.4",
            "The policy does not distinguish service requests from complaints; the Code requires it to, and requires service requests to be recorded, monitored and reviewed",
        ),
        short_time_limit: requirement(
            Error,
            "2.3",
            |m| {
                format!(
                    "The policy accepts complaints only within {m} months; the Code requires accepting them within {} months of the issue or of the resident becoming aware of it",
                    CODE_2024.time_limit_months
                )
            },
        ),
        no_time_limit_discretion: requirement(
            Error,
            "2.3",
            "The policy gives no discretion to accept older complaints; the Code requires it to be considered where there is good reason",
        ),
        time_limit_not_from_awareness: requirement(
            Warning,
            "2.3",
            "The time limit runs only from the issue itself; the Code also counts from when the resident became aware of it",
        ),
        short_former_tenant_limit: requirement(
            Warning,
            "2.3",
            |m| {
                format!(
                    "Former tenants may complain only within {m} months of their tenancy ending: in effect a time limit shorter than the Code's {} months",
                    CODE_2024.time_limit_months
                )
            },
        ),
        no_representatives: requirement(
            Error,
            "1.3",
            "The policy does not accept complaints made through a representative (an advocate, friend, relative, MP or councillor acting with the resident's consent); the Code requires complaints from third parties and representatives to be handled under the same policy",
        ),
        no_anonymous_complaints: requirement(
            Warning,
            "1.2",
            "The policy does not accept anonymous complaints; the Code's definition covers dissatisfaction however made, and a complaint may be declined only for a valid reason (2.1): record anonymous complaints and investigate where there is enough to go on",
        ),
        // The democratic filter ended on 1 October 2022.
        designated_person: requirement(
            Error,
            "3.7",
            "The policy refers residents to a 'designated person' before the Ombudsman; that route ended on 1 October 2022 and residents may go to the Ombudsman directly".into(),
        ),
        ombudsman_wait: requirement(
            Error,
            "3.7",
            |w| {
                format!(
                    "The policy tells residents to wait {w} weeks before going to the Ombudsman; that rule ended on 1 October 2022"
                )
            },
        ),
    }
}

/// The SPSO MCHP's statement of the shared requirements.
fn spso_mchp_requirements() -> Requirements {
    use Severity::{Error, Warning};
    Requirements {
        framework: Framework::SpsoMchp,
        time_limit_months: SPSO_MCHP.time_limit_months,
        more_than_two_stages: requirement(
            Error,
            "SPSO MCHP two stages",
            "the SPSO model procedure has two, frontline resolution and investigation, after which the customer may go to the SPSO",
        ),
        informal_stage: requirement(
            Error,
            "SPSO MCHP two stages",
            "the SPSO model procedure has two stages, frontline resolution and investigation, and no informal stage",
        ),
        informal_tier: requirement(
            Warning,
            "SPSO MCHP stage 1",
            "The policy handles some complaints informally, outside its stages; under the SPSO model procedure a complaint resolved on the spot is a frontline (stage 1) complaint, and is recorded as one",
        ),
        own_refusal_ground: requirement(Warning, "SPSO MCHP stage 2", |stage, ground| {
            format!(
                "The policy may refuse {} because \"{ground}\"; under the SPSO model procedure a customer still dissatisfied after stage 1 may ask for stage 2, and a request is declined only where it is out of time or not a complaint",
                stage.name
            )
        }),
        no_exclusions: requirement(
            Warning,
            "SPSO MCHP what is not a complaint",
            "The policy lists nothing that is not a complaint; the SPSO model procedure sets out what is not (first-time service requests, claims, matters with their own appeal route, court matters, reopening concluded complaints)",
        ),
        blanket_exclusion: requirement(Warning, "SPSO MCHP what is not a complaint", |text| {
            format!(
                "The exclusion \"{text}\" is not among the SPSO model procedure's examples of what is not a complaint and is applied without discretion: it risks excluding complaints as a class"
            )
        }),
        no_service_requests: requirement(
            Warning,
            "SPSO MCHP what is not a complaint",
            "The policy does not distinguish service requests from complaints; under the SPSO model procedure a routine first-time request for a service is not a complaint",
        ),
        short_time_limit: requirement(Error, "SPSO MCHP time limit", |m| {
            format!(
                "The policy accepts complaints only within {m} months; the SPSO model procedure accepts them within {} months of the customer first knowing of the problem",
                SPSO_MCHP.time_limit_months
            )
        }),
        no_time_limit_discretion: requirement(
            Error,
            "SPSO MCHP time limit",
            "The policy gives no discretion to accept older complaints; the SPSO model procedure accepts them where there are special circumstances",
        ),
        time_limit_not_from_awareness: requirement(
            Warning,
            "SPSO MCHP time limit",
            "The time limit runs only from the event itself; the SPSO model procedure counts from when the customer first knew of the problem",
        ),
        short_former_tenant_limit: requirement(Warning, "SPSO MCHP time limit", |m| {
            format!(
                "Former tenants may complain only within {m} months of their tenancy ending: in effect a time limit shorter than the SPSO model procedure's {} months",
                SPSO_MCHP.time_limit_months
            )
        }),
        no_representatives: requirement(
            Warning,
            "SPSO MCHP who can complain",
            "The policy does not accept complaints made on a customer's behalf; the SPSO model procedure accepts complaints from a representative acting with the customer's consent",
        ),
        no_anonymous_complaints: requirement(
            Warning,
            "SPSO MCHP who can complain",
            "The policy does not accept anonymous complaints; the SPSO model procedure records them and investigates where there is enough information to do so",
        ),
        // After the stage 2 response the customer goes to the SPSO directly.
        designated_person: requirement(
            Error,
            "SPSO MCHP referral to the SPSO",
            format!(
                "The policy refers customers to a 'designated person' before the ombudsman, an English rule that never applied in Scotland; after the stage 2 response the customer may go to the SPSO directly, normally within {} months",
                SPSO_MCHP.spso_referral_months
            ),
        ),
        ombudsman_wait: requirement(Error, "SPSO MCHP referral to the SPSO", |w| {
            format!(
                "The policy tells customers to wait {w} weeks before going to the ombudsman; after the stage 2 response the customer may go to the SPSO directly, normally within {} months",
                SPSO_MCHP.spso_referral_months
            )
        }),
    }
}

fn more_than_two_stages(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    if policy.stages.len() <= 2 {
        return Vec::new();
    }
    let names: Vec<&str> = policy.stages.iter().map(|s| s.name.as_str()).collect();
    vec![r.finding(
        &r.more_than_two_stages,
        "stages.stage3",
        format!(
            "The policy has {} stages ({}); {}",
            policy.stages.len(),
            names.join(", "),
            r.more_than_two_stages.message
        ),
    )]
}

fn informal_stages(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    policy
        .stages
        .iter()
        .filter(|s| s.informal)
        .map(|s| {
            r.finding(
                &r.informal_stage,
                format!("stages.{}.informal", s.key()),
                format!(
                    "'{}' is described as an informal stage; {}",
                    s.name, r.informal_stage.message
                ),
            )
        })
        .collect()
}

fn informal_tier(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    r.breached(
        policy.feedback.informal_complaints,
        &r.informal_tier,
        "feedback.informal_complaints",
    )
    .into_iter()
    .collect()
}

/// Grounds for refusing escalation to `stage` that are not among the published exclusions.
fn own_refusal_grounds(
    stage: &Stage,
    escalation: &EscalationRule,
    r: &Requirements,
) -> Vec<Finding> {
    let rule = &r.own_refusal_ground;
    escalation
        .refusal_grounds
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.is_exclusion)
        .map(|(i, g)| {
            r.finding(
                rule,
                format!("stages.{}.escalation.refusal_grounds[{i}]", stage.key()),
                (rule.message)(stage, g.text.trim_end_matches('.')),
            )
        })
        .collect()
}

/// The published grounds for not accepting a complaint. Survey feedback is not a complaint (Code 1.6):
/// excluding it is never a finding.
fn exclusions(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(r.breached(policy.exclusions.is_empty(), &r.no_exclusions, "exclusions"));
    for (i, e) in policy.exclusions.iter().enumerate() {
        if e.code_basis == CodeBasis::Other && !e.discretion {
            out.push(r.finding(
                &r.blanket_exclusion,
                format!("exclusions[{i}]"),
                (r.blanket_exclusion.message)(e.text.trim_end_matches('.')),
            ));
        }
    }
    out
}

fn service_requests(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    r.breached(
        !policy.feedback.service_requests,
        &r.no_service_requests,
        "feedback.service_requests",
    )
    .into_iter()
    .collect()
}

/// The time limit for complaining, and its equivalent for former tenants.
fn time_limit(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    let bar = policy.time_bar;
    let mut out = Vec::new();
    if let Some(m) = bar.months {
        if m < r.time_limit_months {
            let message = (r.short_time_limit.message)(m);
            out.push(r.finding(&r.short_time_limit, "time_bar.months", message));
        }
        out.extend(r.breached(
            !bar.discretion,
            &r.no_time_limit_discretion,
            "time_bar.discretion",
        ));
        out.extend(r.breached(
            !bar.from_awareness,
            &r.time_limit_not_from_awareness,
            "time_bar.from_awareness",
        ));
    }
    if let Some(m) = policy.eligibility.former_tenant_within_months
        && m < r.time_limit_months
    {
        let rule = &r.short_former_tenant_limit;
        out.push(r.finding(
            rule,
            "who_may_complain.former_tenant_within_months",
            (rule.message)(m),
        ));
    }
    out
}

fn who_may_complain(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    let who = &policy.eligibility;
    [
        r.breached(
            !who.representative,
            &r.no_representatives,
            "who_may_complain.representative",
        ),
        r.breached(
            !who.anonymous,
            &r.no_anonymous_complaints,
            "who_may_complain.anonymous",
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Obstacles on the way to the ombudsman that the framework does not allow.
fn ombudsman_route(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    let route = policy.ombudsman;
    let mut out: Vec<Finding> = r
        .breached(
            route.designated_person,
            &r.designated_person,
            "ombudsman.designated_person",
        )
        .into_iter()
        .collect();
    if let Some(w) = route.wait_weeks {
        let message = (r.ombudsman_wait.message)(w);
        out.push(r.finding(&r.ombudsman_wait, "ombudsman.wait_weeks", message));
    }
    out
}

/// A stage's acknowledgement as a framework requires it.
struct AcknowledgementRule {
    framework: Framework,
    provision: &'static str,
    /// Working days.
    limit: u32,
    /// From the stage and the limit: the stage has no acknowledgement step.
    missing: fn(&Stage, u32) -> String,
    /// From the stage and the limit: the stage's acknowledgement takes longer than the limit.
    too_long: fn(&Stage, u32) -> String,
}

fn acknowledgement(stage: &Stage, rule: &AcknowledgementRule) -> Vec<Finding> {
    let key = format!("stages.{}", stage.key());
    let found = |key: String, message: String| {
        vec![finding(
            rule.framework,
            Severity::Error,
            rule.provision,
            key,
            message,
        )]
    };
    if !stage.acknowledgement_step {
        return found(
            format!("{key}.acknowledgement_step"),
            (rule.missing)(stage, rule.limit),
        );
    }
    match upper_working_days(stage.acknowledge.period) {
        Some(n) if n > rule.limit => found(
            format!("{key}.acknowledge"),
            (rule.too_long)(stage, rule.limit),
        ),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// The Complaint Handling Code 2024.

/// Compares a policy with the Code 2024, whatever its calendar.
pub fn check_code_2024(policy: &Policy) -> Vec<Finding> {
    let r = code_2024_requirements();
    [
        more_than_two_stages(policy, &r),
        informal_tier(policy, &r),
        informal_stages(policy, &r),
        code_stage_clocks(policy),
        ombudsman_details_when_extending(policy),
        code_escalation(policy, &r),
        exclusions(policy, &r),
        time_limit(policy, &r),
        who_may_complain(policy, &r),
        service_requests(policy, &r),
        ombudsman_route(policy, &r),
        code_remedies(policy),
    ]
    .concat()
}

/// Where the Code counts a stage's clocks from.
fn code_entry(stage: &Stage) -> &'static str {
    if stage.number == 1 {
        "receipt"
    } else {
        "the escalation request"
    }
}

/// The Code's limits on a stage's clocks (6.2 to 6.4, 6.11, 6.13 to 6.15).
fn code_stage_clocks(policy: &Policy) -> Vec<Finding> {
    let limits = CODE_2024;
    let mut out = Vec::new();
    if let Some(s1) = policy.stage(1) {
        out.extend(code_stage(
            s1,
            limits.stage1_acknowledge,
            limits.stage1_respond,
            limits.stage1_extension,
            ("6.2", "6.3", "6.4"),
        ));
    }
    if let Some(s2) = policy.stage(2) {
        out.extend(code_stage(
            s2,
            limits.stage2_acknowledge,
            limits.stage2_respond,
            limits.stage2_extension,
            ("6.11", "6.14", "6.15"),
        ));
        if !s2.different_decision_maker {
            out.push(code(
                Severity::Error,
                "6.13",
                "stages.stage2.different_decision_maker",
                "The policy does not require the stage 2 decision to be made by someone other than the stage 1 handler",
            ));
        }
    }
    out
}

fn code_stage(
    stage: &Stage,
    ack_limit: u32,
    respond_limit: u32,
    extension_limit: u32,
    provisions: (&'static str, &'static str, &'static str),
) -> Vec<Finding> {
    let key = format!("stages.{}", stage.key());
    let (p_ack, p_respond, p_ext) = provisions;
    let mut out = acknowledgement(
        stage,
        &AcknowledgementRule {
            framework: Framework::HousingOmbudsmanCode2024,
            provision: p_ack,
            limit: ack_limit,
            missing: |stage, limit| {
                format!(
                    "{} has no acknowledgement step; the Code requires the complaint to be acknowledged, defined and logged within {limit} working days of {} (Redress still runs that clock)",
                    stage.name,
                    code_entry(stage)
                )
            },
            too_long: |stage, limit| {
                format!(
                    "{} is acknowledged within {} of {}; the Code requires {limit} working days",
                    stage.name,
                    stage.acknowledge.period.describe(),
                    code_entry(stage)
                )
            },
        },
    );
    // A clock from receipt (or the request) ends no later than the same clock from acknowledgement, so both
    // compare with the Code's limit from acknowledgement.
    if let Some(n) = upper_working_days(stage.respond.period)
        && n > respond_limit
    {
        out.push(code(
            Severity::Error,
            p_respond,
            format!("{key}.respond"),
            format!(
                "{} is answered within {} of {}; the Code requires a response within {respond_limit} working days of acknowledgement",
                stage.name,
                stage.respond.period.describe(),
                stage.respond.from.phrase()
            ),
        ));
    }
    if stage.extension.without_agreement_working_days > extension_limit {
        out.push(code(
            Severity::Error,
            p_ext,
            format!("{key}.extension.without_agreement_working_days"),
            format!(
                "{} may be extended by {} working days; the Code allows no more than {extension_limit} further working days without good reason",
                stage.name, stage.extension.without_agreement_working_days
            ),
        ));
    }
    out
}

/// Whether a stage allows its response to be extended at all.
fn extends_at_all(stage: &Stage) -> bool {
    stage.extension.without_agreement_working_days > 0 || stage.extension.further_with_agreement
}

/// The Ombudsman's details when a response is extended (6.5, 6.16): only a stage that can be extended can
/// breach its provision.
fn ombudsman_details_when_extending(policy: &Policy) -> Vec<Finding> {
    if policy.ombudsman.details_in_extension_letters {
        return Vec::new();
    }
    let stage1 = policy.stage(1).is_some_and(extends_at_all);
    let stage2 = policy.stage(2).is_some_and(extends_at_all);
    let provision = match (stage1, stage2) {
        (true, true) => "6.5, 6.16",
        (true, false) => "6.5",
        (false, true) => "6.16",
        (false, false) => return Vec::new(),
    };
    vec![code(
        Severity::Error,
        provision,
        "ombudsman.details_in_extension_letters",
        "The policy's extension notices do not give the Housing Ombudsman's contact details; the Code requires them whenever a stage 1 or stage 2 response is extended",
    )]
}

/// Asking for a later stage (5.11, 6.10, 6.12).
fn code_escalation(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in policy.stages.iter().skip(1) {
        let Some(e) = &s.escalation else { continue };
        let key = format!("stages.{}.escalation", s.key());
        if e.reasons_required {
            out.push(code(
                Severity::Error,
                "6.12",
                format!("{key}.reasons_required"),
                format!(
                    "The policy requires residents to give reasons for escalating to {}; the Code says they must not be required to, though the landlord should try to understand why",
                    s.name
                ),
            ));
        }
        if let Some(w) = e.window {
            out.push(if e.late_requests_discretion {
                code(
                    Severity::Warning,
                    "6.10",
                    format!("{key}.window"),
                    format!(
                        "The policy sets a deadline of {} for asking to escalate to {}; the Code sets none, so a late request should still be considered",
                        w.describe(),
                        s.name
                    ),
                )
            } else {
                code(
                    Severity::Error,
                    "5.11",
                    format!("{key}.window"),
                    format!(
                        "The policy refuses requests to escalate to {} made after {}, with no discretion; the Code sets no deadline and allows refusal only for reasons consistent with section 2",
                        s.name,
                        w.describe()
                    ),
                )
            });
        }
        out.extend(own_refusal_grounds(s, e, r));
    }
    out
}

/// Remedies (7.2, 7.4 and the Ombudsman's remedies guidance).
fn code_remedies(policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    if policy.remedies.compensation_only_for_financial_loss {
        out.push(code(
            Severity::Warning,
            "7.2",
            "remedies.compensation_only_for_financial_loss",
            "The policy offers compensation only for financial loss; the Code requires a remedy to reflect the impact of the failure on the resident, and the Ombudsman's remedies guidance also compensates distress and inconvenience, and time and trouble",
        ));
    }
    if policy.remedies.offset_against_arrears {
        out.push(code(
            Severity::Warning,
            "7.4",
            "remedies.offset_against_arrears",
            "The policy offsets compensation against rent arrears or other debts; the Ombudsman's remedies guidance says compensation it awards should not be offset",
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// The SPSO Model Complaints Handling Procedure.

/// Compares a policy with the SPSO Model Complaints Handling Procedure, whatever its calendar.
///
/// Not checked under the MCHP, for want of a confirmed requirement: reasons for asking for stage 2 (the
/// MCHP has the investigator confirm the points of complaint, which is not the English 6.12 rule); a
/// different stage 2 decision-maker; the Ombudsman's details in extension notices; the English remedies
/// guidance (offsetting against arrears, compensation only for financial loss: the MCHP treats
/// compensation claims as claims, not complaints).
pub fn check_spso_mchp(policy: &Policy) -> Vec<Finding> {
    let r = spso_mchp_requirements();
    [
        more_than_two_stages(policy, &r),
        informal_stages(policy, &r),
        informal_tier(policy, &r),
        policy.stage(1).map(spso_frontline).unwrap_or_default(),
        policy.stage(2).map(spso_investigation).unwrap_or_default(),
        spso_stage2_requests(policy, &r),
        exclusions(policy, &r),
        service_requests(policy, &r),
        time_limit(policy, &r),
        who_may_complain(policy, &r),
        ombudsman_route(policy, &r),
    ]
    .concat()
}

/// The longest a stage's response can take from the stage's entry (receipt, or the escalation request), in
/// working days: a clock from acknowledgement may start as late as the acknowledgement limit.
fn respond_from_entry(stage: &Stage) -> Option<u32> {
    let respond = upper_working_days(stage.respond.period)?;
    match stage.respond.from {
        ClockStart::Received | ClockStart::EscalationRequested => Some(respond),
        ClockStart::Acknowledged => {
            upper_working_days(stage.acknowledge.period).map(|a| a.saturating_add(respond))
        }
    }
}

/// A stage's response, however its clock runs, against the MCHP's limit from the stage's entry. `words`:
/// what the policy's clock is reported from, what the MCHP calls the response, and where its limit runs from.
fn spso_response(
    stage: &Stage,
    limit: u32,
    provision: &'static str,
    words: (&str, &str, &str),
) -> Option<Finding> {
    let n = respond_from_entry(stage).filter(|n| *n > limit)?;
    let (since, response, entry) = words;
    Some(spso(
        Severity::Error,
        provision,
        format!("stages.{}.respond", stage.key()),
        format!(
            "{} may be answered up to {n} working days after {since} ({} of {}); the SPSO model procedure gives {response} within {limit} working days of {entry}",
            stage.name,
            stage.respond.period.describe(),
            stage.respond.from.phrase(),
        ),
    ))
}

/// Stage 1, frontline resolution: within 5 working days of receipt, exceptionally up to 10 in all. The
/// frontline has no separate acknowledgement, so neither a missing step nor its limit is a finding.
fn spso_frontline(s1: &Stage) -> Vec<Finding> {
    let limits = SPSO_MCHP;
    let mut out: Vec<Finding> = spso_response(
        s1,
        limits.stage1_respond,
        "SPSO MCHP stage 1",
        ("receipt", "a frontline response", "receipt"),
    )
    .into_iter()
    .collect();
    let Some(n) = respond_from_entry(s1) else {
        return out;
    };
    if n.saturating_add(s1.extension.total_cap()) > limits.stage1_with_extension {
        let key = if n.saturating_add(s1.extension.without_agreement_working_days)
            > limits.stage1_with_extension
        {
            "stages.stage1.extension.without_agreement_working_days"
        } else {
            "stages.stage1.extension.further_with_agreement"
        };
        out.push(spso(
            Severity::Warning,
            "SPSO MCHP stage 1",
            key,
            format!(
                "{} may be extended beyond {} working days from receipt in all; the SPSO model procedure allows a frontline extension only exceptionally, to {} working days in all (a cap recalled, not confirmed), after which the complaint goes to investigation",
                s1.name, limits.stage1_with_extension, limits.stage1_with_extension
            ),
        ));
    }
    out
}

/// Stage 2, investigation: acknowledged within 3 and answered within 20 working days of receipt.
fn spso_investigation(s2: &Stage) -> Vec<Finding> {
    let limits = SPSO_MCHP;
    let mut out = acknowledgement(
        s2,
        &AcknowledgementRule {
            framework: Framework::SpsoMchp,
            provision: "SPSO MCHP stage 2",
            limit: limits.stage2_acknowledge,
            missing: |stage, limit| {
                format!(
                    "{} has no acknowledgement step; the SPSO model procedure acknowledges a stage 2 complaint within {limit} working days of receipt",
                    stage.name
                )
            },
            too_long: |stage, limit| {
                format!(
                    "{} is acknowledged within {} of the request; the SPSO model procedure acknowledges within {limit} working days of receipt at stage 2",
                    stage.name,
                    stage.acknowledge.period.describe()
                )
            },
        },
    );
    out.extend(spso_response(
        s2,
        limits.stage2_respond,
        "SPSO MCHP stage 2",
        ("the request", "a full response", "receipt at stage 2"),
    ));
    if s2.extension.without_agreement_working_days > 0 {
        out.push(spso(
            Severity::Warning,
            "SPSO MCHP stage 2",
            "stages.stage2.extension.without_agreement_working_days",
            format!(
                "{} may be extended by {} working days without the customer's agreement; the SPSO model procedure allows a response after {} working days only exceptionally, with revised time limits agreed with the customer",
                s2.name, s2.extension.without_agreement_working_days, limits.stage2_respond
            ),
        ));
    }
    out
}

/// Whether a window after a stage's response is certainly shorter than `months` calendar months. Calendar
/// days are compared with the shortest such span (28 days a month less a day's slack); working days with
/// 20 a month. A window near the limit is not reported.
fn shorter_than_months(window: Period, months: u32) -> bool {
    match window {
        Period::Months(m) => m < months,
        Period::CalendarDays(n) => n < months.saturating_mul(29).saturating_add(1),
        Period::WorkingDays(n) => n < months.saturating_mul(20),
    }
}

/// Asking for stage 2: within 2 months of the stage 1 reply, or 6 months of the event if later.
fn spso_stage2_requests(policy: &Policy, r: &Requirements) -> Vec<Finding> {
    let limits = SPSO_MCHP;
    let mut out = Vec::new();
    for s in policy.stages.iter().skip(1) {
        let Some(e) = &s.escalation else { continue };
        if let Some(w) = e.window
            && shorter_than_months(w, limits.stage2_request_months)
        {
            out.push(spso(
                if e.late_requests_discretion {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                "SPSO MCHP stage 2",
                format!("stages.{}.escalation.window", s.key()),
                format!(
                    "The policy allows {} after the previous response for asking for {}{}; the SPSO model procedure allows {} months from the stage 1 reply, or {} months from the event if later",
                    w.describe(),
                    s.name,
                    if e.late_requests_discretion {
                        ", with discretion for later requests"
                    } else {
                        ", with no discretion"
                    },
                    limits.stage2_request_months,
                    limits.time_limit_months
                ),
            ));
        }
        out.extend(own_refusal_grounds(s, e, r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::preset_lookup;

    /// A policy extending the Code, with `over` (top-level keys first, then tables) on top.
    fn policy(over: &str) -> Policy {
        let text =
            format!("id = \"t\"\nname = \"T\"\nversion = \"1\"\nextends = \"code-2024\"\n{over}");
        Policy::resolve(&text, &preset_lookup).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    fn only(findings: &[Finding], key: &str) -> Finding {
        let matching: Vec<&Finding> = findings.iter().filter(|f| f.key == key).collect();
        match matching.as_slice() {
            [one] => (*one).clone(),
            _ => panic!("expected one finding at {key}: {findings:?}"),
        }
    }

    #[test]
    fn the_framework_follows_the_calendar() {
        assert_eq!(
            Framework::for_division(Division::Scotland),
            Framework::SpsoMchp
        );
        assert_eq!(
            Framework::for_division(Division::EnglandAndWales),
            Framework::HousingOmbudsmanCode2024
        );
        assert_eq!(
            Framework::for_division(Division::NorthernIreland),
            Framework::HousingOmbudsmanCode2024
        );
        assert_eq!(Framework::SpsoMchp.as_str(), "spso-mchp");
        let json = serde_json::to_value(Framework::HousingOmbudsmanCode2024)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json, "hos-code-2024");
    }

    #[test]
    fn an_informal_stage_and_an_informal_tier_are_5_2_errors() {
        let found = check(&policy("[stages.stage1]\ninformal = true\n"));
        let f = only(&found, "stages.stage1.informal");
        assert_eq!((f.provision, f.severity), ("5.2", Severity::Error));

        let found = check(&policy("[feedback]\ninformal_complaints = true\n"));
        let f = only(&found, "feedback.informal_complaints");
        assert_eq!((f.provision, f.severity), ("5.2", Severity::Error));
        assert!(f.message.contains("informal complaint"), "{}", f.message);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn extension_notices_without_the_ombudsman_are_6_5_and_6_16() {
        let p = policy("[ombudsman]\ndetails_in_extension_letters = false\n");
        let f = only(&check(&p), "ombudsman.details_in_extension_letters");
        assert_eq!((f.provision, f.severity), ("6.5, 6.16", Severity::Error));
        assert!(f.message.contains("Ombudsman's contact details"));

        // Only stage 1 may be extended: only 6.5.
        let p = policy(
            "[ombudsman]\ndetails_in_extension_letters = false\n[stages.stage2.extension]\nwithout_agreement_working_days = 0\nfurther_with_agreement = false\n",
        );
        assert_eq!(
            only(&check(&p), "ombudsman.details_in_extension_letters").provision,
            "6.5"
        );

        // No extension at either stage: there is no extension notice to fault.
        let p = policy(
            "[ombudsman]\ndetails_in_extension_letters = false\n[stages.stage1.extension]\nwithout_agreement_working_days = 0\nfurther_with_agreement = false\n[stages.stage2.extension]\nwithout_agreement_working_days = 0\nfurther_with_agreement = false\n",
        );
        assert!(check(&p).is_empty(), "{:?}", check(&p));

        // The default is the Code's: the details are given.
        assert!(policy("").ombudsman.details_in_extension_letters);
    }

    #[test]
    fn anonymous_complaints_refused_is_a_1_2_warning_and_representatives_barred_a_1_3_error() {
        let found = check(&policy("[who_may_complain]\nanonymous = false\n"));
        let f = only(&found, "who_may_complain.anonymous");
        assert_eq!((f.provision, f.severity), ("1.2", Severity::Warning));
        assert_eq!(found.len(), 1);

        let found = check(&policy("[who_may_complain]\nrepresentative = false\n"));
        let f = only(&found, "who_may_complain.representative");
        assert_eq!((f.provision, f.severity), ("1.3", Severity::Error));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn a_stage_without_an_acknowledgement_step_is_6_2_or_6_11() {
        let found = check(&policy(
            "[stages.stage1]\nacknowledgement_step = false\n[stages.stage2]\nacknowledgement_step = false\n",
        ));
        let f = only(&found, "stages.stage1.acknowledgement_step");
        assert_eq!((f.provision, f.severity), ("6.2", Severity::Error));
        let f = only(&found, "stages.stage2.acknowledgement_step");
        assert_eq!((f.provision, f.severity), ("6.11", Severity::Error));
        assert_eq!(found.len(), 2);

        // Acknowledging the same day is stricter than the Code, not a missing step.
        let found = check(&policy(
            "[stages.stage1]\nacknowledge = { working_days = 0, from = \"received\" }\n",
        ));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn compensation_only_for_financial_loss_is_a_7_2_warning() {
        let found = check(&policy(
            "[remedies]\ncompensation_only_for_financial_loss = true\n",
        ));
        let f = only(&found, "remedies.compensation_only_for_financial_loss");
        assert_eq!((f.provision, f.severity), ("7.2", Severity::Warning));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn excluding_survey_feedback_is_never_a_finding() {
        let exclusions = |basis: &str| {
            format!(
                "[[exclusions]]\nid = \"time-limit\"\ntext = \"Older than twelve months.\"\ncode_basis = \"time_limit\"\ndiscretion = true\n[[exclusions]]\nid = \"survey-feedback\"\ntext = \"Dissatisfaction expressed in a satisfaction survey.\"\ncode_basis = \"{basis}\"\n[stages.stage2.escalation]\nrefusal_grounds = [\"time-limit\"]\n"
            )
        };
        let p = policy(&exclusions("survey_feedback"));
        assert!(check(&p).is_empty(), "{:?}", check(&p));
        let mut scottish = p.clone();
        scottish.calendar = Division::Scotland;
        assert!(
            check(&scottish)
                .iter()
                .all(|f| f.key != "exclusions[1]" && !f.message.contains("survey")),
            "{:?}",
            check(&scottish)
        );
        // The same ground stated as 'other' with no discretion is the 2.5 warning.
        let found = check(&policy(&exclusions("other")));
        assert_eq!(only(&found, "exclusions[1]").provision, "2.5");
    }

    #[test]
    fn a_scottish_policy_is_checked_against_the_spso_model_not_the_code() {
        // The MCHP's own rules: 6 months, stage 2 within 2 months of the stage 1 reply.
        let p = policy(
            "calendar = \"scotland\"\n[stages.stage1]\nacknowledgement_step = false\nrespond = { working_days = 5, from = \"received\" }\nextension = { without_agreement_working_days = 5, further_with_agreement = false }\n[stages.stage2]\nacknowledge = { working_days = 3, from = \"escalation_requested\" }\nrespond = { working_days = 20, from = \"escalation_requested\" }\nextension = { without_agreement_working_days = 0, further_with_agreement = true }\n[stages.stage2.escalation]\nwindow = { months = 2 }\n[time_bar]\nmonths = 6\n",
        );
        assert!(check(&p).is_empty(), "{:?}", check(&p));
        // The same policy in England breaks the Code (2.3, 6.10).
        let english = check_code_2024(&p);
        assert_eq!(only(&english, "time_bar.months").provision, "2.3");
        assert_eq!(
            only(&english, "stages.stage2.escalation.window").provision,
            "6.10"
        );

        // A shorter limit than the MCHP's is framed against the MCHP.
        let p = policy("calendar = \"scotland\"\n[time_bar]\nmonths = 3\n");
        let found = check(&p);
        assert!(found.iter().all(|f| f.framework == Framework::SpsoMchp
            && f.provision.starts_with("SPSO MCHP")));
        let f = only(&found, "time_bar.months");
        assert_eq!(
            (f.provision, f.severity),
            ("SPSO MCHP time limit", Severity::Error)
        );
        assert!(f.message.contains("6 months"), "{}", f.message);
        assert!(!f.message.contains("Code"), "{}", f.message);
    }

    #[test]
    fn the_code_s_clocks_are_too_long_for_the_spso_model() {
        // The Code itself, on the Scottish calendar.
        let found = check(&policy("calendar = \"scotland\"\n"));
        let keys: Vec<(&str, &str, Severity)> = found
            .iter()
            .map(|f| (f.key.as_str(), f.provision, f.severity))
            .collect();
        assert_eq!(
            keys,
            [
                // 10 WD from acknowledgement (up to 15 from receipt) against 5 from receipt.
                (
                    "stages.stage1.respond",
                    "SPSO MCHP stage 1",
                    Severity::Error
                ),
                // 10 more WD without agreement, and more with it, against 10 in all (recalled).
                (
                    "stages.stage1.extension.without_agreement_working_days",
                    "SPSO MCHP stage 1",
                    Severity::Warning
                ),
                // 5 WD against 3.
                (
                    "stages.stage2.acknowledge",
                    "SPSO MCHP stage 2",
                    Severity::Error
                ),
                // 20 WD from acknowledgement (up to 25 from the request) against 20 from receipt.
                (
                    "stages.stage2.respond",
                    "SPSO MCHP stage 2",
                    Severity::Error
                ),
                // 20 WD without agreement against 'only exceptionally, with revised limits agreed'.
                (
                    "stages.stage2.extension.without_agreement_working_days",
                    "SPSO MCHP stage 2",
                    Severity::Warning
                ),
            ]
        );
    }

    #[test]
    fn the_english_ombudsman_route_is_framed_against_the_spso() {
        let found = check(&policy(
            "calendar = \"scotland\"\n[stages.stage1]\nrespond = { working_days = 5, from = \"received\" }\nextension = { without_agreement_working_days = 0, further_with_agreement = false }\n[stages.stage2]\nacknowledge = { working_days = 3, from = \"escalation_requested\" }\nrespond = { working_days = 20, from = \"escalation_requested\" }\nextension = { without_agreement_working_days = 0, further_with_agreement = true }\n[stages.stage2.escalation]\nwindow = { working_days = 10 }\nlate_requests_discretion = false\n[ombudsman]\ndesignated_person = true\nwait_weeks = 8\ndetails_in_extension_letters = false\n[who_may_complain]\nrepresentative = false\nanonymous = false\n",
        ));
        let f = only(&found, "ombudsman.wait_weeks");
        assert_eq!(f.provision, "SPSO MCHP referral to the SPSO");
        assert!(f.message.contains("12 months"), "{}", f.message);
        let f = only(&found, "stages.stage2.escalation.window");
        assert_eq!(
            (f.provision, f.severity),
            ("SPSO MCHP stage 2", Severity::Error)
        );
        assert_eq!(
            only(&found, "who_may_complain.representative").severity,
            Severity::Warning
        );
        // The English 6.5/6.16 rule is not applied in Scotland.
        assert!(
            found
                .iter()
                .all(|f| f.key != "ombudsman.details_in_extension_letters")
        );
        assert!(found.iter().all(|f| f.framework == Framework::SpsoMchp));
    }
}
