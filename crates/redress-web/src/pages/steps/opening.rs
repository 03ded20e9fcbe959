//! The steps that open a stage's work: acknowledge, define the complaint, assign an officer, record who
//! is complaining, and consider a complaint outside the time limit.

use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::event::{Event, Head, Relationship};
use redress_domain::steps::StepLimits;

use super::fields::{Field, with_hint, with_options};
use super::parse::{lines, opt_date, optional, text};
use super::{StepContext, StepPage, Values, no_fields, no_hint};
use crate::pages::layout::FormError;

pub(super) const ACKNOWLEDGE: StepPage = StepPage {
    title: |c, _| format!("Acknowledge {}", c.stage_name()),
    hint: no_hint,
    fields: no_fields,
    button: "Record the acknowledgement",
    done: "The acknowledgement has been recorded.",
    warning: false,
    parse: |on, _, _| Some(Event::Acknowledged { on }),
};

pub(super) const DEFINE: StepPage = StepPage {
    title: |_, limits| match limits {
        StepLimits::Define(d) if !d.heads.is_empty() => "Amend the complaint definition".into(),
        _ => "Define the complaint".into(),
    },
    hint: |_, _| {
        Some("Set out your understanding of the complaint and the outcomes the resident wants (Code 5.6). Leave unused rows blank.".into())
    },
    fields: define_fields,
    button: "Save the definition",
    done: "The complaint definition has been saved.",
    warning: false,
    parse: parse_definition,
};

/// A row per head already defined and two more, within the domain's maximum; the heads defined fill them.
fn define_fields(c: &StepContext<'_>, limits: &StepLimits) -> Vec<Field> {
    let (existing, max_heads) = match limits {
        StepLimits::Define(d) => (d.heads.as_slice(), d.max_heads),
        _ => (&[][..], redress_domain::case::MAX_HEADS),
    };
    let mut values = c.values.clone();
    for (i, head) in existing.iter().enumerate() {
        values
            .entry(format!("head_{}", i + 1))
            .or_insert_with(|| head.summary.clone());
        values
            .entry(format!("outcome_{}", i + 1))
            .or_insert_with(|| head.outcome_sought.clone().unwrap_or_default());
    }
    let rows = (existing.len() + 2).clamp(3.min(max_heads), max_heads);
    let mut fields = Vec::new();
    for i in 1..=rows {
        fields.push(c.field_from(
            &values,
            &format!("head_{i}"),
            &format!("Head of complaint {i}"),
            "text",
        ));
        fields.push(c.field_from(
            &values,
            &format!("outcome_{i}"),
            &format!("Outcome sought for head {i}"),
            "text",
        ));
    }
    fields.push(with_hint(
        c.field_from(
            &values,
            "not_responsible_for",
            "Matters we are not responsible for",
            "textarea",
        ),
        "One per line (Code 5.7).",
    ));
    fields
}

/// The heads the form fills, in order; a row with an outcome but no head is an error. The number of heads
/// is the domain's rule, so every row posted is read.
fn parse_definition(on: Date, values: &Values, errors: &mut Vec<FormError>) -> Option<Event> {
    let mut heads = Vec::new();
    for i in 1..=redress_domain::case::MAX_HEADS + 1 {
        let summary = text(values, &format!("head_{i}"));
        let outcome = text(values, &format!("outcome_{i}"));
        if !summary.is_empty() {
            heads.push(Head {
                summary,
                outcome_sought: optional(outcome),
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
    Some(Event::ComplaintDefined {
        on,
        heads,
        not_responsible_for: lines(&text(values, "not_responsible_for")),
    })
}

pub(super) const ASSIGN: StepPage = StepPage {
    title: |_, _| "Assign an officer".into(),
    hint: |c, _| {
        (c.case.stage() > 1)
            .then(|| "The reviewer must not have handled an earlier stage.".to_owned())
    },
    fields: |c, _| {
        let officers = c
            .users
            .iter()
            .filter(|u| u.role.can(Permission::RecordEvents))
            .map(|u| {
                (
                    u.id.clone(),
                    format!("{} ({})", u.name, u.role.display_name()),
                )
            })
            .collect();
        vec![with_options(
            c.field("officer", "Officer", "select"),
            officers,
        )]
    },
    button: "Assign",
    done: "The officer has been assigned.",
    warning: false,
    parse: |on, values, _| {
        Some(Event::Assigned {
            on,
            officer: text(values, "officer"),
        })
    },
};

pub(super) const RELATIONSHIP: StepPage = StepPage {
    title: |c, _| {
        if c.case.relationship.is_some() {
            "Correct who is complaining".into()
        } else {
            "Record who is complaining".into()
        }
    },
    hint: no_hint,
    fields: relationship_fields,
    button: "Record it",
    done: "Who is complaining has been recorded.",
    warning: false,
    parse: parse_relationship,
};

/// The relationships the policy accepts, the one recorded chosen.
fn relationship_fields(c: &StepContext<'_>, limits: &StepLimits) -> Vec<Field> {
    let mut values = c.values.clone();
    if let Some(r) = c.case.relationship {
        values
            .entry("relationship".into())
            .or_insert_with(|| r.as_str().to_owned());
    }
    let accepted = match limits {
        StepLimits::Relationship(r) => r.accepted.clone(),
        _ => Relationship::ALL.to_vec(),
    };
    let choices = accepted
        .iter()
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect();
    vec![
        with_options(
            c.field_from(&values, "relationship", "Who is complaining", "select"),
            choices,
        ),
        c.field_from(
            &values,
            "tenancy_ended_on",
            "If a former tenant: the day the tenancy ended",
            "date",
        ),
    ]
}

fn parse_relationship(on: Date, values: &Values, errors: &mut Vec<FormError>) -> Option<Event> {
    let tenancy_ended_on = opt_date("relationship", "tenancy_ended_on", values, errors);
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

pub(super) const TIME_LIMIT_DISCRETION: StepPage = StepPage {
    title: |_, _| "Consider it although it is outside the time limit".into(),
    hint: |_, _| {
        Some("Code 2.3: a complaint outside the time limit may be considered for good reason. To not accept it instead, record that it is not accepted on the time-limit ground.".into())
    },
    fields: |c, _| vec![c.field("reason", "Why it is considered", "textarea")],
    button: "Record the decision",
    done: "The decision to consider it outside the time limit has been recorded.",
    warning: false,
    parse: |on, values, _| {
        Some(Event::TimeLimitDiscretionUsed {
            on,
            reason: text(values, "reason"),
        })
    },
};
