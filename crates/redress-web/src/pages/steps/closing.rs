//! The steps that end a case, or open it again: the resident's confirmation, closing, and reopening.

use jiff::civil::Date;
use redress_domain::event::{CloseReason, Event};
use redress_domain::steps::StepLimits;

use super::fields::{with_hint, with_options};
use super::parse::{optional, text};
use super::{StepPage, Values, no_fields, no_hint};
use crate::pages::layout::FormError;

pub(super) const RESOLVED: StepPage = StepPage {
    title: |_, _| "The resident confirms it is resolved".into(),
    hint: no_hint,
    fields: no_fields,
    button: "Record it",
    done: "The resident's confirmation that it is resolved has been recorded.",
    warning: false,
    parse: |on, _, _| Some(Event::ResolvedConfirmed { on }),
};

pub(super) const CLOSE: StepPage = StepPage {
    title: |_, _| "Close the case".into(),
    hint: no_hint,
    fields: |c, limits| {
        let reasons = match limits {
            StepLimits::Close(close) => close
                .reasons
                .iter()
                .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
                .collect(),
            _ => Vec::new(),
        };
        vec![
            with_options(c.field("reason", "Why", "select"), reasons),
            with_hint(
                c.field("explanation", "Explanation (optional)", "textarea"),
                "Needed to close as resolved when the resident's confirmation is not recorded",
            ),
        ]
    },
    button: "Close",
    done: "The case has been closed.",
    warning: true,
    parse: parse_closing,
};

fn parse_closing(on: Date, values: &Values, errors: &mut Vec<FormError>) -> Option<Event> {
    match CloseReason::parse(&text(values, "reason")) {
        Some(reason) => Some(Event::Closed {
            on,
            reason,
            explanation: optional(text(values, "explanation")),
        }),
        None => {
            errors.push(FormError {
                id: "close-reason".into(),
                message: "Choose why the case is closing".into(),
            });
            None
        }
    }
}

pub(super) const REOPEN: StepPage = StepPage {
    title: |_, _| "Reopen the case".into(),
    hint: no_hint,
    fields: |c, _| vec![c.field("reason", "Why", "textarea")],
    button: "Reopen",
    done: "The case has been reopened.",
    warning: false,
    parse: |on, values, _| {
        Some(Event::Reopened {
            on,
            reason: text(values, "reason"),
        })
    },
};
