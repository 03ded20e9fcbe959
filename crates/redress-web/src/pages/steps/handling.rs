//! The steps of the investigation: extend the response deadline, share adverse findings, and respond.

use jiff::civil::Date;
use redress_domain::event::{
    Event, FeedbackType, HeadOutcome, Outcome, OutstandingAction, Remedy, RemedyKind,
};
use redress_domain::steps::{ExtendLimits, RespondLimits, StepLimits};

use super::fields::{Field, with_hint, with_options};
use super::parse::{opt_date, optional, parse_pounds, text};
use super::{StepContext, StepPage, Values, no_fields};
use crate::pages::intake::truncate;
use crate::pages::layout::FormError;

pub(super) const EXTEND: StepPage = StepPage {
    title: |_, _| "Extend the response deadline".into(),
    hint: |c, limits| match limits {
        StepLimits::Extend(e) => Some(extension_hint(c, e)),
        _ => None,
    },
    fields: |c, _| {
        vec![
            c.field("working_days", "Extra working days", "number"),
            c.field("reason", "Reason (the resident will be told)", "textarea"),
            c.field(
                "resident_agreed",
                "The resident has agreed to this extension",
                "checkbox",
            ),
        ]
    },
    button: "Extend",
    done: "The extension has been recorded and the deadline moved.",
    warning: false,
    parse: parse_extension,
};

/// What the policy allows, in the policy's stage name, with what has been used.
fn extension_hint(c: &StepContext<'_>, e: &ExtendLimits) -> String {
    let used = if e.used_working_days > 0 {
        format!(" ({} used so far)", e.used_working_days)
    } else {
        String::new()
    };
    if c.case.feedback_type == FeedbackType::ServiceRequest {
        return format!(
            "Extra time on a service request is agreed with the resident: up to {} more working days{used}.",
            e.most_working_days
        );
    }
    let after = if e.further_with_agreement {
        "; more only with their recorded agreement"
    } else {
        "; no more after that"
    };
    format!(
        "The policy allows {} extra working days at {} without the resident's agreement{used}{after}. Tell the resident the new date and why, with the Ombudsman's details.",
        e.without_agreement_working_days,
        c.stage_name()
    )
}

/// A whole number of days; how many the case may have is the domain's rule.
fn parse_extension(on: Date, values: &Values, errors: &mut Vec<FormError>) -> Option<Event> {
    match text(values, "working_days").parse::<u32>() {
        Ok(working_days) if working_days >= 1 => Some(Event::Extended {
            on,
            working_days,
            reason: text(values, "reason"),
            resident_agreed: values.contains_key("resident_agreed"),
        }),
        _ => {
            errors.push(FormError {
                id: "extend-working_days".into(),
                message: "Enter the number of extra working days, a whole number from 1".into(),
            });
            None
        }
    }
}

pub(super) const SHARE_FINDINGS: StepPage = StepPage {
    title: |_, _| "Share adverse findings".into(),
    hint: |_, _| Some("Give the resident a chance to comment before the decision.".into()),
    fields: no_fields,
    button: "Record it",
    done: "Sharing the adverse findings has been recorded.",
    warning: false,
    parse: |on, _, _| Some(Event::AdverseFindingsShared { on }),
};

pub(super) const RESPOND: StepPage = StepPage {
    title: |c, _| {
        if c.case.feedback_type == FeedbackType::ServiceRequest {
            "Respond to the service request".into()
        } else {
            format!("Issue the {} response", c.stage_name())
        }
    },
    hint: |_, _| None,
    fields: |c, limits| match limits {
        StepLimits::Respond(r) if r.outcome_needed => {
            let mut fields = outcome_fields(c, r);
            fields.extend(remedy_fields(c));
            fields
        }
        _ => Vec::new(),
    },
    button: "Record the response",
    done: "The response has been recorded.",
    warning: false,
    parse: parse_response,
};

/// One outcome for the whole response, or one per head defined.
fn outcome_fields(c: &StepContext<'_>, r: &RespondLimits) -> Vec<Field> {
    let outcomes: Vec<(String, String)> = std::iter::once(("".into(), "Choose an outcome".into()))
        .chain(
            Outcome::ALL
                .iter()
                .map(|o| (o.as_str().to_owned(), o.label().to_owned())),
        )
        .collect();
    if !r.outcome_per_head {
        return vec![with_options(
            c.field("outcome", "Outcome", "select"),
            outcomes,
        )];
    }
    r.heads
        .iter()
        .enumerate()
        .flat_map(|(i, head)| {
            let n = i + 1;
            let label = format!("Outcome for head {n}: {}", truncate(&head.summary, 60));
            [
                with_options(
                    c.field(&format!("head_{n}"), &label, "select"),
                    outcomes.clone(),
                ),
                with_hint(
                    c.field(
                        &format!("reasons_{n}"),
                        &format!("Reasons for the decision on head {n}"),
                        "textarea",
                    ),
                    "What was found and why (Code 5.8): the resident will read this",
                ),
            ]
        })
        .collect()
}

/// The remedy and an action still outstanding.
fn remedy_fields(c: &StepContext<'_>) -> Vec<Field> {
    let kinds = std::iter::once(("".into(), "No remedy".into()))
        .chain(
            RemedyKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), k.label().to_owned())),
        )
        .collect();
    vec![
        with_options(c.field("remedy_kind", "Remedy", "select"), kinds),
        c.field("remedy_description", "What will be done", "textarea"),
        with_hint(
            c.field(
                "remedy_amount",
                "Amount in pounds (financial remedy)",
                "text",
            ),
            "For example 150.00",
        ),
        c.field("remedy_due", "Remedy due by", "date"),
        c.field("action", "An action still outstanding", "textarea"),
        c.field("action_due", "Outstanding action due by", "date"),
    ]
}

fn parse_response(on: Date, values: &Values, errors: &mut Vec<FormError>) -> Option<Event> {
    let heads = head_outcomes(values, errors);
    let outcome = values.get("outcome").and_then(|o| Outcome::parse(o));
    if values.contains_key("outcome") && outcome.is_none() {
        errors.push(FormError {
            id: "respond-outcome".into(),
            message: "Choose the outcome".into(),
        });
    }
    let remedies = parse_remedy(values, errors).into_iter().collect();
    let action = text(values, "action");
    let outstanding_actions = if action.is_empty() {
        Vec::new()
    } else {
        vec![OutstandingAction {
            description: action,
            due_on: opt_date("respond", "action_due", values, errors),
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

/// The outcome posted for each head, numbered from 1; which heads there are is the domain's to judge.
fn head_outcomes(values: &Values, errors: &mut Vec<FormError>) -> Vec<HeadOutcome> {
    let mut heads = Vec::new();
    for head in 1..=u32::try_from(redress_domain::case::MAX_HEADS).unwrap_or(u32::MAX) {
        let Some(posted) = values.get(&format!("head_{head}")) else {
            continue;
        };
        match Outcome::parse(posted) {
            Some(outcome) => heads.push(HeadOutcome {
                head,
                outcome,
                reasons: optional(text(values, &format!("reasons_{head}"))),
            }),
            None => errors.push(FormError {
                id: format!("respond-head_{head}"),
                message: format!("Choose the outcome for head {head}"),
            }),
        }
    }
    heads
}

/// The remedy, when a kind is chosen. An unknown kind is an error, never silently "other".
fn parse_remedy(values: &Values, errors: &mut Vec<FormError>) -> Option<Remedy> {
    let kind = text(values, "remedy_kind");
    if kind.is_empty() {
        return None;
    }
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
    let amount = optional(text(values, "remedy_amount"));
    let amount_pence = amount.and_then(|amount| {
        let pence = parse_pounds(&amount);
        if pence.is_none() {
            errors.push(FormError {
                id: "respond-remedy_amount".into(),
                message: "Enter an amount in pounds, for example 150.00".into(),
            });
        }
        pence
    });
    Some(Remedy {
        kind,
        description,
        amount_pence,
        due_on: opt_date("respond", "remedy_due", values, errors),
    })
}
