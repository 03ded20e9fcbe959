//! Where a landlord's policy breaks the Housing Ombudsman's Complaint Handling Code 2024.
//!
//! [`check`] compares a resolved [`Policy`] with the Code and returns [`Finding`]s: the severity, the Code
//! provision, a plain-English message and the policy key at fault. A stricter policy (a shorter clock, a
//! smaller extension) is not a finding: the Code sets ceilings, and a landlord may do better.
//!
//! The Code's figures live in [`CODE_2024`], in one place.

use serde::Serialize;

use crate::policy::{ClockStart, CodeBasis, Period, Policy, Stage};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The policy breaks a requirement of the Code.
    Error,
    /// Not a breach in itself, but a known risk: the Ombudsman has criticised it, or it invites a breach.
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

/// One way a policy departs from the Code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// The Code provision, e.g. "6.12".
    pub provision: &'static str,
    /// What is wrong and what the Code says, in plain English.
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

/// The longest a period can run, in working days, when compared with a working-day limit. A calendar-day
/// period of N days never spans more than N working days, so N stands for it.
fn upper_working_days(p: Period) -> Option<u32> {
    match p {
        Period::WorkingDays(n) | Period::CalendarDays(n) => Some(n),
        Period::Months(_) => None,
    }
}

fn f(
    severity: Severity,
    provision: &'static str,
    key: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    Finding {
        severity,
        provision,
        message: message.into(),
        key: key.into(),
    }
}

/// Compares a policy with the Code 2024.
pub fn check(policy: &Policy) -> Vec<Finding> {
    let code = CODE_2024;
    let mut out = Vec::new();

    // Stages (5.2, 5.3).
    if policy.stages.len() > 2 {
        let names: Vec<&str> = policy.stages.iter().map(|s| s.name.as_str()).collect();
        out.push(f(
            Severity::Error,
            "5.3",
            "stages.stage3",
            format!(
                "The policy has {} stages ({}); the Code allows exactly two, and more is not acceptable under any circumstances",
                policy.stages.len(),
                names.join(", ")
            ),
        ));
    }
    for s in &policy.stages {
        if s.informal {
            out.push(f(
                Severity::Error,
                "5.2",
                format!("stages.{}.informal", s.key()),
                format!(
                    "'{}' is described as an informal stage; the Code permits no extra named stages such as 'stage 0' or 'informal complaint'",
                    s.name
                ),
            ));
        }
    }

    if let Some(s1) = policy.stage(1) {
        check_stage(
            &mut out,
            s1,
            code.stage1_acknowledge,
            code.stage1_respond,
            code.stage1_extension,
            ("6.2", "6.3", "6.4"),
        );
    }
    if let Some(s2) = policy.stage(2) {
        check_stage(
            &mut out,
            s2,
            code.stage2_acknowledge,
            code.stage2_respond,
            code.stage2_extension,
            ("6.11", "6.14", "6.15"),
        );
        if !s2.different_decision_maker {
            out.push(f(
                Severity::Error,
                "6.13",
                "stages.stage2.different_decision_maker",
                "The policy does not require the stage 2 decision to be made by someone other than the stage 1 handler",
            ));
        }
    }

    // Escalation (5.11, 6.10, 6.12).
    for s in policy.stages.iter().skip(1) {
        let Some(e) = &s.escalation else { continue };
        let key = format!("stages.{}.escalation", s.key());
        if e.reasons_required {
            out.push(f(
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
            if e.late_requests_discretion {
                out.push(f(
                    Severity::Warning,
                    "6.10",
                    format!("{key}.window"),
                    format!(
                        "The policy sets a deadline of {} for asking to escalate to {}; the Code sets none, so a late request should still be considered",
                        w.describe(),
                        s.name
                    ),
                ));
            } else {
                out.push(f(
                    Severity::Error,
                    "5.11",
                    format!("{key}.window"),
                    format!(
                        "The policy refuses requests to escalate to {} made after {}, with no discretion; the Code sets no deadline and allows refusal only for reasons consistent with section 2",
                        s.name,
                        w.describe()
                    ),
                ));
            }
        }
        for (i, g) in e.refusal_grounds.iter().enumerate() {
            if !g.is_exclusion {
                out.push(f(
                    Severity::Error,
                    "5.11",
                    format!("{key}.refusal_grounds[{i}]"),
                    format!(
                        "The policy may refuse escalation because \"{}\"; the Code allows refusing only for valid reasons consistent with the published exclusions (section 2)",
                        g.text.trim_end_matches('.')
                    ),
                ));
            }
        }
    }

    // Exclusions and time limits (2.2, 2.3, 2.5).
    if policy.exclusions.is_empty() {
        out.push(f(
            Severity::Error,
            "2.2",
            "exclusions",
            "The policy lists no grounds for not accepting a complaint; the Code requires them to be set out, and to be fair and reasonable",
        ));
    }
    for (i, e) in policy.exclusions.iter().enumerate() {
        if e.code_basis == CodeBasis::Other && !e.discretion {
            out.push(f(
                Severity::Warning,
                "2.5",
                format!("exclusions[{i}]"),
                format!(
                    "The exclusion \"{}\" is not one of the Code's examples and is applied without discretion: it risks being a blanket exclusion",
                    e.text.trim_end_matches('.')
                ),
            ));
        }
    }
    if let Some(m) = policy.time_bar.months {
        if m < code.time_limit_months {
            out.push(f(
                Severity::Error,
                "2.3",
                "time_bar.months",
                format!(
                    "The policy accepts complaints only within {m} months; the Code requires accepting them within {} months of the issue or of the resident becoming aware of it",
                    code.time_limit_months
                ),
            ));
        }
        if !policy.time_bar.discretion {
            out.push(f(
                Severity::Error,
                "2.3",
                "time_bar.discretion",
                "The policy gives no discretion to accept older complaints; the Code requires it to be considered where there is good reason",
            ));
        }
        if !policy.time_bar.from_awareness {
            out.push(f(
                Severity::Warning,
                "2.3",
                "time_bar.from_awareness",
                "The time limit runs only from the issue itself; the Code also counts from when the resident became aware of it",
            ));
        }
    }
    if let Some(m) = policy.eligibility.former_tenant_within_months
        && m < code.time_limit_months
    {
        out.push(f(
                Severity::Warning,
                "2.3",
                "who_may_complain.former_tenant_within_months",
                format!(
                    "Former tenants may complain only within {m} months of their tenancy ending: in effect a time limit shorter than the Code's {} months",
                    code.time_limit_months
                ),
            ));
    }

    // Service requests (1.4).
    if !policy.feedback.service_requests {
        out.push(f(
            Severity::Warning,
            "1.4",
            "feedback.service_requests",
            "The policy does not distinguish service requests from complaints; the Code requires it to, and requires service requests to be recorded, monitored and reviewed",
        ));
    }

    // The Ombudsman route (democratic filter ended 1 October 2022).
    if policy.ombudsman.designated_person {
        out.push(f(
            Severity::Error,
            "3.7",
            "ombudsman.designated_person",
            "The policy refers residents to a 'designated person' before the Ombudsman; that route ended on 1 October 2022 and residents may go to the Ombudsman directly",
        ));
    }
    if let Some(w) = policy.ombudsman.wait_weeks {
        out.push(f(
            Severity::Error,
            "3.7",
            "ombudsman.wait_weeks",
            format!(
                "The policy tells residents to wait {w} weeks before going to the Ombudsman; that rule ended on 1 October 2022"
            ),
        ));
    }

    // Remedies (7.4 and the Ombudsman's remedies guidance).
    if policy.remedies.offset_against_arrears {
        out.push(f(
            Severity::Warning,
            "7.4",
            "remedies.offset_against_arrears",
            "The policy offsets compensation against rent arrears or other debts; the Ombudsman's remedies guidance says compensation it awards should not be offset",
        ));
    }

    out
}

fn check_stage(
    out: &mut Vec<Finding>,
    stage: &Stage,
    ack_limit: u32,
    respond_limit: u32,
    extension_limit: u32,
    provisions: (&'static str, &'static str, &'static str),
) {
    let key = format!("stages.{}", stage.key());
    let (p_ack, p_respond, p_ext) = provisions;
    let entry = if stage.number == 1 {
        "receipt"
    } else {
        "the escalation request"
    };
    if let Some(n) = upper_working_days(stage.acknowledge.period)
        && n > ack_limit
    {
        out.push(f(
                Severity::Error,
                p_ack,
                format!("{key}.acknowledge"),
                format!(
                    "{} is acknowledged within {} of {entry}; the Code requires {ack_limit} working days",
                    stage.name,
                    stage.acknowledge.period.describe()
                ),
            ));
    }
    if let Some(n) = upper_working_days(stage.respond.period) {
        // A clock from receipt (or the request) ends no later than the same clock from acknowledgement, so
        // both compare with the Code's limit from acknowledgement.
        if n > respond_limit {
            let from = match stage.respond.from {
                ClockStart::Acknowledged => "acknowledgement",
                ClockStart::Received => "receipt",
                ClockStart::EscalationRequested => "the escalation request",
            };
            out.push(f(
                Severity::Error,
                p_respond,
                format!("{key}.respond"),
                format!(
                    "{} is answered within {} of {from}; the Code requires a response within {respond_limit} working days of acknowledgement",
                    stage.name,
                    stage.respond.period.describe()
                ),
            ));
        }
    }
    if stage.extension.without_agreement_working_days > extension_limit {
        out.push(f(
            Severity::Error,
            p_ext,
            format!("{key}.extension.without_agreement_working_days"),
            format!(
                "{} may be extended by {} working days; the Code allows no more than {extension_limit} further working days without good reason",
                stage.name, stage.extension.without_agreement_working_days
            ),
        ));
    }
}
