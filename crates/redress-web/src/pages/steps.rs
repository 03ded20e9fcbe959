//! The lifecycle steps on the case file: which forms are shown, and each form's parsing into an event.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::case::Case;
use redress_domain::event::{
    ChallengeOutcome, CloseReason, Event, FeedbackType, Head, HeadOutcome, Outcome,
    OutstandingAction, Relationship, Remedy, RemedyKind,
};
use redress_store::User;

use super::case_file::{
    Field, StepForm, case_page_for, field, with_default, with_hint, with_options,
};
use super::form::{Form, capitalise, check_post, form_map};
use super::intake::truncate;
use super::layout::{FormError, error_page, message, render};
use super::{FormData, SharedState};
use crate::LoadedPolicy;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::session::Staff;

/// The steps the case allows now, for this user: asked of the domain, never decided here.
#[allow(
    clippy::too_many_arguments,
    reason = "a page builder: each input is a different part of the page"
)]
pub(crate) fn steps_for(
    case: &Case,
    loaded: &LoadedPolicy,
    who: &Principal,
    today: Date,
    users: &[User],
    values: &HashMap<String, String>,
    errors: &[FormError],
    failed_step: Option<&str>,
) -> Vec<StepForm> {
    if !who.role.can(Permission::RecordEvents) {
        return Vec::new();
    }
    let policy = &loaded.policy;
    let on = today.max(case.last_event_on);
    let allowed = |e: &Event| {
        case.decide(policy, &loaded.calendar, today, e, Some(&who.id))
            .is_ok()
    };
    let stage = case.stage();
    let stage_name = policy
        .stage(stage)
        .map_or_else(|| format!("Stage {stage}"), |s| s.name.clone());
    let v = |slug: &str| {
        if failed_step == Some(slug) {
            values.clone()
        } else {
            HashMap::new()
        }
    };
    let date_field = |slug: &str| {
        with_default(
            field(slug, "on", "Date", "date", &v(slug), errors),
            on.to_string(),
        )
    };
    let mut steps = Vec::new();
    let mut push = |slug: &'static str,
                    title: String,
                    hint: Option<String>,
                    button: &'static str,
                    fields: Vec<Field>,
                    warning: bool| {
        steps.push(StepForm {
            open: failed_step == Some(slug),
            slug,
            title,
            hint,
            button,
            fields,
            warning,
        });
    };

    if allowed(&Event::Acknowledged { on }) {
        push(
            "acknowledge",
            format!("Acknowledge {stage_name}"),
            None,
            "Record the acknowledgement",
            vec![date_field("acknowledge")],
            false,
        );
    }
    if allowed(&Event::ComplaintDefined {
        on,
        heads: vec![Head {
            summary: "x".into(),
            outcome_sought: None,
        }],
        not_responsible_for: vec![],
    }) {
        let existing = case
            .round()
            .definition
            .as_ref()
            .map(|d| d.heads.clone())
            .unwrap_or_default();
        let mut vals = v("define");
        for (i, h) in existing.iter().enumerate() {
            vals.entry(format!("head_{}", i + 1))
                .or_insert_with(|| h.summary.clone());
            vals.entry(format!("outcome_{}", i + 1))
                .or_insert_with(|| h.outcome_sought.clone().unwrap_or_default());
        }
        let rows = (existing.len() + 2).clamp(3, 8);
        let mut fields = vec![date_field("define")];
        for i in 1..=rows {
            fields.push(field(
                "define",
                &format!("head_{i}"),
                &format!("Head of complaint {i}"),
                "text",
                &vals,
                errors,
            ));
            fields.push(field(
                "define",
                &format!("outcome_{i}"),
                &format!("Outcome sought for head {i}"),
                "text",
                &vals,
                errors,
            ));
        }
        fields.push(with_hint(
            field(
                "define",
                "not_responsible_for",
                "Matters we are not responsible for",
                "textarea",
                &vals,
                errors,
            ),
            "One per line (Code 5.7).",
        ));
        push(
            "define",
            if existing.is_empty() { "Define the complaint".into() } else { "Amend the complaint definition".into() },
            Some("Set out your understanding of the complaint and the outcomes the resident wants (Code 5.6). Leave unused rows blank.".into()),
            "Save the definition",
            fields,
            false,
        );
    }
    if allowed(&Event::Assigned {
        on,
        officer: "nobody-in-particular".into(),
    }) {
        let options: Vec<(String, String)> = users
            .iter()
            .filter(|u| u.role.can(Permission::RecordEvents))
            .map(|u| {
                (
                    u.id.clone(),
                    format!("{} ({})", u.name, u.role.display_name()),
                )
            })
            .collect();
        push(
            "assign",
            "Assign an officer".into(),
            (stage > 1).then(|| "The reviewer must not have handled an earlier stage.".to_owned()),
            "Assign",
            vec![
                date_field("assign"),
                with_options(
                    field(
                        "assign",
                        "officer",
                        "Officer",
                        "select",
                        &v("assign"),
                        errors,
                    ),
                    options,
                ),
            ],
            false,
        );
    }
    // Offered while an extension dated on or after the last step could be given; the date typed is judged.
    if allowed(&Event::Extended {
        on: case.last_event_on,
        working_days: 1,
        reason: "x".into(),
        resident_agreed: true,
    }) {
        let rule = policy.stage(stage).map(|s| s.extension);
        let used = case.round().extension_days();
        let hint = rule.map(|r| {
            format!(
                "The policy allows {} extra working days at {stage_name} without the resident's agreement{}{}. Tell the resident the new date and why, with the Ombudsman's details.",
                r.without_agreement_working_days,
                if used > 0 { format!(" ({used} used so far)") } else { String::new() },
                if r.further_with_agreement { "; more only with their recorded agreement" } else { "; no more after that" }
            )
        });
        push(
            "extend",
            "Extend the response deadline".into(),
            hint,
            "Extend",
            vec![
                date_field("extend"),
                field(
                    "extend",
                    "working_days",
                    "Extra working days",
                    "number",
                    &v("extend"),
                    errors,
                ),
                field(
                    "extend",
                    "reason",
                    "Reason (the resident will be told)",
                    "textarea",
                    &v("extend"),
                    errors,
                ),
                field(
                    "extend",
                    "resident_agreed",
                    "The resident has agreed to this extension",
                    "checkbox",
                    &v("extend"),
                    errors,
                ),
            ],
            false,
        );
    }
    if allowed(&Event::AdverseFindingsShared { on }) {
        push(
            "share-findings",
            "Share adverse findings".into(),
            Some("Give the resident a chance to comment before the decision.".into()),
            "Record it",
            vec![date_field("share-findings")],
            false,
        );
    }
    if allowed(&Event::Responded {
        on,
        outcome: Some(Outcome::Upheld),
        heads: vec![],
        remedies: vec![],
        outstanding_actions: vec![],
    }) {
        let outcomes = vec![
            ("".to_owned(), "Choose an outcome".to_owned()),
            ("upheld".to_owned(), "Upheld".to_owned()),
            ("partly_upheld".to_owned(), "Partly upheld".to_owned()),
            ("not_upheld".to_owned(), "Not upheld".to_owned()),
        ];
        let mut fields = vec![date_field("respond")];
        if case.feedback_type == FeedbackType::Complaint {
            let heads = case
                .round()
                .definition
                .as_ref()
                .map(|d| d.heads.clone())
                .unwrap_or_default();
            if heads.is_empty() {
                fields.push(with_options(
                    field(
                        "respond",
                        "outcome",
                        "Outcome",
                        "select",
                        &v("respond"),
                        errors,
                    ),
                    outcomes.clone(),
                ));
            } else {
                for (i, h) in heads.iter().enumerate() {
                    fields.push(with_options(
                        field(
                            "respond",
                            &format!("head_{}", i + 1),
                            &format!("Outcome for head {}: {}", i + 1, truncate(&h.summary, 60)),
                            "select",
                            &v("respond"),
                            errors,
                        ),
                        outcomes.clone(),
                    ));
                }
            }
            let kinds = [
                ("", "No remedy"),
                ("apology", "Apology"),
                ("explanation", "Explanation or acknowledging fault"),
                ("action", "Putting something right"),
                ("decision_changed", "Reconsidering a decision"),
                ("record_amended", "Amending a record"),
                ("compensation", "Financial remedy"),
                ("policy_change", "Changing a policy or practice"),
                ("other", "Other"),
            ]
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
            fields.push(with_options(
                field(
                    "respond",
                    "remedy_kind",
                    "Remedy",
                    "select",
                    &v("respond"),
                    errors,
                ),
                kinds,
            ));
            fields.push(field(
                "respond",
                "remedy_description",
                "What will be done",
                "textarea",
                &v("respond"),
                errors,
            ));
            fields.push(with_hint(
                field(
                    "respond",
                    "remedy_amount",
                    "Amount in pounds (financial remedy)",
                    "text",
                    &v("respond"),
                    errors,
                ),
                "For example 150.00",
            ));
            fields.push(field(
                "respond",
                "remedy_due",
                "Remedy due by",
                "date",
                &v("respond"),
                errors,
            ));
            fields.push(field(
                "respond",
                "action",
                "An action still outstanding",
                "textarea",
                &v("respond"),
                errors,
            ));
            fields.push(field(
                "respond",
                "action_due",
                "Outstanding action due by",
                "date",
                &v("respond"),
                errors,
            ));
        }
        push(
            "respond",
            if case.feedback_type == FeedbackType::ServiceRequest {
                "Respond to the service request".into()
            } else {
                format!("Issue the {stage_name} response")
            },
            None,
            "Record the response",
            fields,
            false,
        );
    }
    if allowed(&Event::EscalationRequested {
        on,
        reasons: None,
        out_of_time: false,
    }) {
        let next = policy
            .stage(stage + 1)
            .map_or_else(|| "the next stage".to_owned(), |s| s.name.clone());
        push(
            "escalate",
            format!("The resident asks for {next}"),
            Some(
                "The resident does not have to give reasons (Code 6.12); record any they give."
                    .into(),
            ),
            "Record the request",
            vec![
                date_field("escalate"),
                field(
                    "escalate",
                    "reasons",
                    "Reasons given (optional)",
                    "textarea",
                    &v("escalate"),
                    errors,
                ),
            ],
            false,
        );
    }
    if let Some(rule) = policy.stage(stage).and_then(|s| s.escalation.as_ref())
        && let Some(first) = rule.refusal_grounds.first()
        && allowed(&Event::EscalationRefused {
            on,
            ground: first.id.clone(),
            explanation: Some("x".into()),
        })
    {
        let grounds = rule
            .refusal_grounds
            .iter()
            .map(|g| (g.id.clone(), truncate(&g.text, 80)))
            .collect();
        push(
                    "refuse-escalation",
                    "Refuse the escalation".into(),
                    Some("Only on a ground the policy publishes. The resident will be told why and of their right to go to the Ombudsman.".into()),
                    "Refuse",
                    vec![
                        date_field("refuse-escalation"),
                        with_options(field("refuse-escalation", "ground", "Ground", "select", &v("refuse-escalation"), errors), grounds),
                        field("refuse-escalation", "explanation", "Explanation for the resident", "textarea", &v("refuse-escalation"), errors),
                    ],
                    true,
                );
    }
    if allowed(&Event::EscalationAccepted {
        on,
        reason: "x".into(),
    }) {
        push(
            "accept-escalation",
            format!("Accept the late request for {stage_name}"),
            Some(
                "The request came after the window closed. Accepting it uses discretion: say why."
                    .into(),
            ),
            "Accept the request",
            vec![
                date_field("accept-escalation"),
                field(
                    "accept-escalation",
                    "reason",
                    "Why the late request is accepted",
                    "textarea",
                    &v("accept-escalation"),
                    errors,
                ),
            ],
            false,
        );
    }
    if allowed(&Event::TimeLimitDiscretionUsed {
        on,
        reason: "x".into(),
    }) {
        push(
            "time-limit-discretion",
            "Consider it although it is outside the time limit".into(),
            Some("Code 2.3: a complaint outside the time limit may be considered for good reason. To not accept it instead, record that it is not accepted on the time-limit ground.".into()),
            "Record the decision",
            vec![
                date_field("time-limit-discretion"),
                field(
                    "time-limit-discretion",
                    "reason",
                    "Why it is considered",
                    "textarea",
                    &v("time-limit-discretion"),
                    errors,
                ),
            ],
            false,
        );
    }
    if !case.state.is_finished() {
        let mut vals = v("relationship");
        if let Some(r) = case.relationship {
            vals.entry("relationship".into())
                .or_insert_with(|| r.as_str().to_owned());
        }
        let choices = Relationship::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
            .collect();
        push(
            "relationship",
            if case.relationship.is_some() {
                "Correct who is complaining".into()
            } else {
                "Record who is complaining".into()
            },
            None,
            "Record it",
            vec![
                date_field("relationship"),
                with_options(
                    field(
                        "relationship",
                        "relationship",
                        "Who is complaining",
                        "select",
                        &vals,
                        errors,
                    ),
                    choices,
                ),
                field(
                    "relationship",
                    "tenancy_ended_on",
                    "If a former tenant: the day the tenancy ended",
                    "date",
                    &vals,
                    errors,
                ),
            ],
            false,
        );
    }
    if allowed(&Event::ContactRestrictionChallenged {
        on,
        outcome: ChallengeOutcome::Kept,
        explanation: "x".into(),
    }) {
        let outcomes = ChallengeOutcome::ALL
            .iter()
            .map(|o| {
                (
                    o.as_str().to_owned(),
                    match o {
                        ChallengeOutcome::Kept => "The restriction stays",
                        ChallengeOutcome::Varied => "The restriction is changed",
                        ChallengeOutcome::Lifted => "The restriction is lifted",
                    }
                    .to_owned(),
                )
            })
            .collect();
        push(
            "challenge-restriction",
            "Record the review of the resident's challenge to the restriction".into(),
            Some("The resident may challenge the way their contact is managed; the review happens once.".into()),
            "Record the review",
            vec![
                date_field("challenge-restriction"),
                with_options(
                    field(
                        "challenge-restriction",
                        "outcome",
                        "Decision",
                        "select",
                        &v("challenge-restriction"),
                        errors,
                    ),
                    outcomes,
                ),
                field(
                    "challenge-restriction",
                    "explanation",
                    "Why, as told to the resident",
                    "textarea",
                    &v("challenge-restriction"),
                    errors,
                ),
            ],
            false,
        );
    }
    if allowed(&Event::ResolvedConfirmed { on }) {
        push(
            "resolved",
            "The resident confirms it is resolved".into(),
            None,
            "Record it",
            vec![date_field("resolved")],
            false,
        );
    }
    let reasons: Vec<(String, String)> = CloseReason::ALL
        .into_iter()
        .filter(|r| {
            allowed(&Event::Closed {
                on,
                reason: *r,
                explanation: Some("x".into()),
            })
        })
        .map(|r| {
            let label = match r {
                CloseReason::FinalResponse => "The final response has been issued",
                CloseReason::Resolved => "Resolved",
                CloseReason::NoReply => "No reply from the resident after the outcome",
                CloseReason::Withdrawn => "Withdrawn by the resident",
                CloseReason::Merged => "Merged into another case",
                CloseReason::Recorded => "Recorded and passed on",
                CloseReason::ServiceRequestCompleted => "Service request completed",
            };
            (r.as_str().to_owned(), label.to_owned())
        })
        .collect();
    if !reasons.is_empty() {
        push(
            "close",
            "Close the case".into(),
            None,
            "Close",
            vec![
                date_field("close"),
                with_options(
                    field("close", "reason", "Why", "select", &v("close"), errors),
                    reasons,
                ),
                with_hint(
                    field(
                        "close",
                        "explanation",
                        "Explanation (optional)",
                        "textarea",
                        &v("close"),
                        errors,
                    ),
                    "Needed to close as resolved when the resident's confirmation is not recorded",
                ),
            ],
            true,
        );
    }
    if allowed(&Event::Reopened {
        on,
        reason: "x".into(),
    }) {
        push(
            "reopen",
            "Reopen the case".into(),
            None,
            "Reopen",
            vec![
                date_field("reopen"),
                field("reopen", "reason", "Why", "textarea", &v("reopen"), errors),
            ],
            false,
        );
    }
    if allowed(&Event::AdjustmentsRecorded {
        on,
        needs: "x".into(),
        adjustments: "x".into(),
        review_on: None,
    }) {
        push(
            "adjustments",
            "Record needs and reasonable adjustments".into(),
            Some("Under the Equality Act 2010; keep them under review (Code 5.10).".into()),
            "Save",
            vec![
                date_field("adjustments"),
                field(
                    "adjustments",
                    "needs",
                    "Needs disclosed",
                    "textarea",
                    &v("adjustments"),
                    errors,
                ),
                field(
                    "adjustments",
                    "adjustments",
                    "Adjustments agreed",
                    "textarea",
                    &v("adjustments"),
                    errors,
                ),
                field(
                    "adjustments",
                    "review_on",
                    "Review by",
                    "date",
                    &v("adjustments"),
                    errors,
                ),
            ],
            false,
        );
        let approver = policy
            .roles
            .contact_restrictions_approver
            .clone()
            .unwrap_or_else(|| "the person your policy names".into());
        push(
            "restrict-contact",
            "Restrict contact".into(),
            Some(format!(
                "Only when proportionate, approved by {approver}, and with a review date (Code 5.14, 5.15)."
            )),
            "Record the restriction",
            vec![
                date_field("restrict-contact"),
                field(
                    "restrict-contact",
                    "restriction",
                    "What is restricted, and how the resident can still contact us",
                    "textarea",
                    &v("restrict-contact"),
                    errors,
                ),
                with_options(
                    field(
                        "restrict-contact",
                        "approved_by",
                        &format!(
                            "Approved by ({})",
                            policy
                                .roles
                                .contact_restrictions_approver
                                .clone()
                                .unwrap_or_else(|| policy
                                    .roles
                                    .restriction_approver_role()
                                    .display_name()
                                    .to_owned())
                        ),
                        "select",
                        &v("restrict-contact"),
                        errors,
                    ),
                    users
                        .iter()
                        .filter(|u| u.role == policy.roles.restriction_approver_role())
                        .map(|u| (u.id.clone(), u.name.clone()))
                        .collect(),
                ),
                field(
                    "restrict-contact",
                    "review_on",
                    "Review by",
                    "date",
                    &v("restrict-contact"),
                    errors,
                ),
            ],
            true,
        );
    }
    steps
}

pub(crate) fn parse_on(
    step: &str,
    values: &HashMap<String, String>,
    errors: &mut Vec<FormError>,
) -> Option<Date> {
    match values.get("on").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => {
            errors.push(FormError {
                id: format!("{step}-on"),
                message: "Enter the date".into(),
            });
            None
        }
        Some(v) => match v.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FormError {
                    id: format!("{step}-on"),
                    message: format!("'{v}' is not a real date"),
                });
                None
            }
        },
    }
}

pub(crate) fn opt_date(
    step: &str,
    name: &str,
    values: &HashMap<String, String>,
    errors: &mut Vec<FormError>,
) -> Option<Date> {
    let v = values
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())?;
    match v.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FormError {
                id: format!("{step}-{name}"),
                message: format!("'{v}' is not a real date"),
            });
            None
        }
    }
}

pub(crate) fn text(values: &HashMap<String, String>, name: &str) -> String {
    values
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// Builds the event a step's form describes; errors name the form's fields.
pub(crate) fn event_from_form(
    step: &str,
    values: &HashMap<String, String>,
) -> Result<Event, Vec<FormError>> {
    let mut errors = Vec::new();
    let on = parse_on(step, values, &mut errors);
    let outcome_of = Outcome::parse;
    let event = match (step, on) {
        (_, None) => None,
        ("acknowledge", Some(on)) => Some(Event::Acknowledged { on }),
        ("share-findings", Some(on)) => Some(Event::AdverseFindingsShared { on }),
        ("resolved", Some(on)) => Some(Event::ResolvedConfirmed { on }),
        ("define", Some(on)) => {
            let mut heads = Vec::new();
            for i in 1..=8 {
                let summary = text(values, &format!("head_{i}"));
                let outcome = text(values, &format!("outcome_{i}"));
                if !summary.is_empty() {
                    heads.push(Head {
                        summary,
                        outcome_sought: (!outcome.is_empty()).then_some(outcome),
                    });
                } else if !outcome.is_empty() {
                    errors.push(FormError {
                        id: format!("define-head_{i}"),
                        message: format!("Describe head of complaint {i}, or clear its outcome"),
                    });
                }
            }
            if heads.is_empty() {
                errors.push(FormError {
                    id: "define-head_1".into(),
                    message: "Enter at least one head of complaint".into(),
                });
            }
            let not_responsible_for = text(values, "not_responsible_for")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            Some(Event::ComplaintDefined {
                on,
                heads,
                not_responsible_for,
            })
        }
        ("assign", Some(on)) => Some(Event::Assigned {
            on,
            officer: text(values, "officer"),
        }),
        ("extend", Some(on)) => {
            let wd = text(values, "working_days");
            match wd.parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => Some(Event::Extended {
                    on,
                    working_days: n,
                    reason: text(values, "reason"),
                    resident_agreed: values.contains_key("resident_agreed"),
                }),
                _ => {
                    errors.push(FormError {
                        id: "extend-working_days".into(),
                        message: "Enter the number of extra working days, from 1 to 100".into(),
                    });
                    None
                }
            }
        }
        ("respond", Some(on)) => {
            let mut heads = Vec::new();
            for i in 1..=8u32 {
                if let Some(v) = values.get(&format!("head_{i}")) {
                    match outcome_of(v) {
                        Some(o) => heads.push(HeadOutcome {
                            head: i,
                            outcome: o,
                            reasons: None,
                        }),
                        None => errors.push(FormError {
                            id: format!("respond-head_{i}"),
                            message: format!("Choose the outcome for head {i}"),
                        }),
                    }
                }
            }
            let outcome = values.get("outcome").and_then(|o| outcome_of(o));
            if values.contains_key("outcome") && outcome.is_none() {
                errors.push(FormError {
                    id: "respond-outcome".into(),
                    message: "Choose the outcome".into(),
                });
            }
            let mut remedies = Vec::new();
            let kind = text(values, "remedy_kind");
            if !kind.is_empty() {
                // An unknown kind is an error, never silently "other".
                let kind = RemedyKind::parse(&kind).unwrap_or_else(|| {
                    errors.push(FormError {
                        id: "respond-remedy_kind".into(),
                        message: "Choose the kind of remedy".into(),
                    });
                    RemedyKind::Other
                });
                let description = text(values, "remedy_description");
                if description.is_empty() {
                    errors.push(FormError {
                        id: "respond-remedy_description".into(),
                        message: "Say what will be done to put things right".into(),
                    });
                }
                let amount = text(values, "remedy_amount");
                let amount_pence = if amount.is_empty() {
                    None
                } else {
                    match parse_pounds(&amount) {
                        Some(p) => Some(p),
                        None => {
                            errors.push(FormError {
                                id: "respond-remedy_amount".into(),
                                message: "Enter an amount in pounds, for example 150.00".into(),
                            });
                            None
                        }
                    }
                };
                let due_on = opt_date("respond", "remedy_due", values, &mut errors);
                remedies.push(Remedy {
                    kind,
                    description,
                    amount_pence,
                    due_on,
                });
            }
            let action = text(values, "action");
            let outstanding_actions = if action.is_empty() {
                Vec::new()
            } else {
                vec![OutstandingAction {
                    description: action,
                    due_on: opt_date("respond", "action_due", values, &mut errors),
                }]
            };
            Some(Event::Responded {
                on,
                outcome,
                heads,
                remedies,
                outstanding_actions,
            })
        }
        ("escalate", Some(on)) => {
            let r = text(values, "reasons");
            Some(Event::EscalationRequested {
                on,
                reasons: (!r.is_empty()).then_some(r),
                out_of_time: false,
            })
        }
        ("refuse-escalation", Some(on)) => {
            let e = text(values, "explanation");
            Some(Event::EscalationRefused {
                on,
                ground: text(values, "ground"),
                explanation: (!e.is_empty()).then_some(e),
            })
        }
        ("close", Some(on)) => {
            let reason = CloseReason::parse(&text(values, "reason"));
            match reason {
                Some(reason) => {
                    let explanation = text(values, "explanation");
                    Some(Event::Closed {
                        on,
                        reason,
                        explanation: (!explanation.trim().is_empty()).then_some(explanation),
                    })
                }
                None => {
                    errors.push(FormError {
                        id: "close-reason".into(),
                        message: "Choose why the case is closing".into(),
                    });
                    None
                }
            }
        }
        ("accept-escalation", Some(on)) => Some(Event::EscalationAccepted {
            on,
            reason: text(values, "reason"),
        }),
        ("time-limit-discretion", Some(on)) => Some(Event::TimeLimitDiscretionUsed {
            on,
            reason: text(values, "reason"),
        }),
        ("relationship", Some(on)) => {
            let tenancy_ended_on =
                opt_date("relationship", "tenancy_ended_on", values, &mut errors);
            match Relationship::parse(&text(values, "relationship")) {
                Some(relationship) => Some(Event::RelationshipRecorded {
                    on,
                    relationship,
                    tenancy_ended_on,
                }),
                None => {
                    errors.push(FormError {
                        id: "relationship-relationship".into(),
                        message: "Select who is complaining".into(),
                    });
                    None
                }
            }
        }
        ("challenge-restriction", Some(on)) => {
            match ChallengeOutcome::parse(&text(values, "outcome")) {
                Some(outcome) => Some(Event::ContactRestrictionChallenged {
                    on,
                    outcome,
                    explanation: text(values, "explanation"),
                }),
                None => {
                    errors.push(FormError {
                        id: "challenge-restriction-outcome".into(),
                        message: "Choose what the review decided".into(),
                    });
                    None
                }
            }
        }
        ("reopen", Some(on)) => Some(Event::Reopened {
            on,
            reason: text(values, "reason"),
        }),
        ("adjustments", Some(on)) => Some(Event::AdjustmentsRecorded {
            on,
            needs: text(values, "needs"),
            adjustments: text(values, "adjustments"),
            review_on: opt_date("adjustments", "review_on", values, &mut errors),
        }),
        ("restrict-contact", Some(on)) => {
            match opt_date("restrict-contact", "review_on", values, &mut errors) {
                Some(review_on) => Some(Event::ContactRestricted {
                    on,
                    restriction: text(values, "restriction"),
                    approved_by: text(values, "approved_by"),
                    review_on,
                }),
                None => {
                    if !errors.iter().any(|e| e.id == "restrict-contact-review_on") {
                        errors.push(FormError {
                            id: "restrict-contact-review_on".into(),
                            message: "Set a date to review the restriction".into(),
                        });
                    }
                    None
                }
            }
        }
        _ => {
            errors.push(FormError {
                id: "next-steps".into(),
                message: "That step does not exist".into(),
            });
            None
        }
    };
    match (event, errors.is_empty()) {
        (Some(e), true) => Ok(e),
        _ => Err(errors),
    }
}

/// "150", "150.5", "£150.00" → pence.
pub(crate) fn parse_pounds(s: &str) -> Option<u64> {
    let s = s.trim().trim_start_matches('£').replace(',', "");
    let (pounds, pence) = match s.split_once('.') {
        Some((p, f)) if !f.is_empty() && f.len() <= 2 && f.bytes().all(|b| b.is_ascii_digit()) => (
            p.to_owned(),
            if f.len() == 1 {
                format!("{f}0")
            } else {
                f.to_owned()
            },
        ),
        Some(_) => return None,
        None => (s.clone(), "00".to_owned()),
    };
    if pounds.is_empty() || !pounds.bytes().all(|b| b.is_ascii_digit()) || pounds.len() > 7 {
        return None;
    }
    Some(pounds.parse::<u64>().ok()? * 100 + pence.parse::<u64>().ok()?)
}

/// Which form field an event field belongs to.
pub(crate) fn form_field_id(step: &str, field: &str) -> String {
    let name = match (step, field) {
        (_, "on") => "on",
        ("define", "heads") => "head_1",
        ("respond", "heads") => "head_1",
        ("respond", "outcome") => "outcome",
        (_, f) => f,
    };
    format!("{step}-{name}")
}

pub(crate) async fn submit_step_form(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Path((reference, step)): Path<(String, String)>,
    Form(form): FormData,
) -> Response {
    let values = form_map(&form);
    if let Err(r) = check_post(&staff, &headers, &values) {
        return r;
    }
    let step_slug: &'static str = match step.as_str() {
        "acknowledge" => "acknowledge",
        "define" => "define",
        "assign" => "assign",
        "extend" => "extend",
        "share-findings" => "share-findings",
        "respond" => "respond",
        "escalate" => "escalate",
        "refuse-escalation" => "refuse-escalation",
        "resolved" => "resolved",
        "close" => "close",
        "reopen" => "reopen",
        "adjustments" => "adjustments",
        "restrict-contact" => "restrict-contact",
        _ => {
            return message(
                Some(&staff),
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is no such step.",
            );
        }
    };
    let expected = values.get("version").and_then(|v| v.parse::<i64>().ok());
    let result = match event_from_form(step_slug, &values) {
        Ok(event) => crate::service::cases::record_step(
            &state,
            &staff.principal(),
            &reference,
            event,
            expected,
        )
        .await
        .map_err(|e| {
            let e = ApiError::from(e);
            let status = e.status();
            let errs = match &e {
                ApiError::Invalid { errors, .. } if !errors.is_empty() => errors
                    .iter()
                    .map(|fe| FormError {
                        id: form_field_id(step_slug, &fe.field),
                        message: capitalise(&fe.detail),
                    })
                    .collect(),
                ApiError::Conflict { detail, field } => vec![FormError {
                    id: field.as_deref().map_or_else(
                        || format!("step-{step_slug}"),
                        |f| form_field_id(step_slug, f),
                    ),
                    message: detail.clone(),
                }],
                ApiError::NotFound(_) | ApiError::Forbidden(..) | ApiError::Internal(_) => {
                    return Err(e);
                }
                other => vec![FormError {
                    id: format!("step-{step_slug}"),
                    message: other.to_string(),
                }],
            };
            Ok((status, errs))
        }),
        Err(errors) => Err(Ok((StatusCode::UNPROCESSABLE_ENTITY, errors))),
    };
    match result {
        Ok(()) => Redirect::to(&format!(
            "/complaints/{reference}?done={step_slug}#timeline"
        ))
        .into_response(),
        Err(Err(e)) => error_page(&staff, e),
        Err(Ok((status, errors))) => match case_page_for(
            &state,
            &staff,
            &reference,
            values,
            errors,
            Some(step_slug),
            None,
        )
        .await
        {
            Ok(p) => render(&p, status),
            Err(e) => error_page(&staff, e),
        },
    }
}
