//! The steps about how the landlord and the resident are in touch: needs and reasonable adjustments, a
//! contact restriction, and the review of the resident's challenge to one.

use jiff::civil::Date;
use redress_domain::case::human_date;
use redress_domain::event::{ChallengeOutcome, Event};
use redress_domain::steps::{RestrictContactLimits, StepLimits};

use super::fields::{Field, with_hint, with_options};
use super::parse::{opt_date, text};
use super::{StepContext, StepPage, Values};
use crate::pages::layout::FormError;

pub(super) const ADJUSTMENTS: StepPage = StepPage {
    title: |_, _| "Record needs and reasonable adjustments".into(),
    hint: |_, _| Some("Under the Equality Act 2010; keep them under review (Code 5.10).".into()),
    fields: |c, _| {
        vec![
            c.field("needs", "Needs disclosed", "textarea"),
            c.field("adjustments", "Adjustments agreed", "textarea"),
            c.field("review_on", "Review by", "date"),
        ]
    },
    button: "Save",
    done: "The needs and adjustments have been saved.",
    warning: false,
    parse: |on, values, errors| {
        Some(Event::AdjustmentsRecorded {
            on,
            needs: text(values, "needs"),
            adjustments: text(values, "adjustments"),
            review_on: opt_date("adjustments", "review_on", values, errors),
        })
    },
};

pub(super) const RESTRICT_CONTACT: StepPage = StepPage {
    title: |_, _| "Restrict contact".into(),
    hint: |_, limits| {
        let approver = match limits {
            StepLimits::RestrictContact(r) => r.approver_title.clone(),
            _ => None,
        }
        .unwrap_or_else(|| "the person your policy names".into());
        Some(format!(
            "Only when proportionate, approved by {approver}, and with a review date (Code 5.14, 5.15)."
        ))
    },
    fields: |c, limits| match limits {
        StepLimits::RestrictContact(r) => restriction_fields(c, r),
        _ => Vec::new(),
    },
    button: "Record the restriction",
    done: "The contact restriction has been recorded.",
    warning: true,
    parse: parse_restriction,
};

/// The approvers are the users holding the role the policy names.
fn restriction_fields(c: &StepContext<'_>, r: &RestrictContactLimits) -> Vec<Field> {
    let approver = r
        .approver_title
        .clone()
        .unwrap_or_else(|| r.approver_role.display_name().to_owned());
    let approvers = c
        .users
        .iter()
        .filter(|u| u.role == r.approver_role)
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    vec![
        c.field(
            "restriction",
            "What is restricted, and how the resident can still contact us",
            "textarea",
        ),
        with_options(
            c.field(
                "approved_by",
                &format!("Approved by ({approver})"),
                "select",
            ),
            approvers,
        ),
        with_hint(
            c.field("review_on", "Review by", "date"),
            format!("No later than {}", human_date(r.review_by)),
        ),
    ]
}

fn parse_restriction(on: Date, values: &Values, errors: &mut Vec<FormError>) -> Option<Event> {
    match opt_date("restrict-contact", "review_on", values, errors) {
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

pub(super) const CHALLENGE_RESTRICTION: StepPage = StepPage {
    title: |_, _| "Record the review of the resident's challenge to the restriction".into(),
    hint: |_, _| {
        Some(
            "The resident may challenge the way their contact is managed; the review happens once."
                .into(),
        )
    },
    fields: |c, _| {
        let outcomes = ChallengeOutcome::ALL
            .iter()
            .map(|o| (o.as_str().to_owned(), o.label().to_owned()))
            .collect();
        vec![
            with_options(c.field("outcome", "Decision", "select"), outcomes),
            c.field("explanation", "Why, as told to the resident", "textarea"),
        ]
    },
    button: "Record the review",
    done: "The review of the challenge has been recorded.",
    warning: false,
    parse: parse_challenge,
};

fn parse_challenge(on: Date, values: &Values, errors: &mut Vec<FormError>) -> Option<Event> {
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
