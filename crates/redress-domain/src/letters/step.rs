//! The step a letter records when it is issued: an extension letter may carry the extension it tells the
//! resident of, and a response letter the response, so that issuing the letter records the step with it and
//! the dates on the letter and the clocks agree (the step is dated the day the letter is issued).

use super::*;
use crate::case::refuse_field;
use crate::event::Event;

impl LetterKind {
    /// The event type a letter of this kind may record when it is issued: `extended` for an extension
    /// letter, `responded` for a response letter; none for the others.
    pub fn records_step(self) -> Option<&'static str> {
        match self {
            LetterKind::Extension => Some("extended"),
            LetterKind::StageResponse => Some("responded"),
            _ => None,
        }
    }
}

/// The step a letter of `kind` records, dated `on` (the day the letter is issued); refused when the kind
/// records no step or another one.
pub fn letter_step(kind: LetterKind, step: Event, on: Date) -> Result<Event, Refused> {
    match (kind, step) {
        (
            LetterKind::Extension,
            Event::Extended {
                working_days,
                reason,
                resident_agreed,
                ..
            },
        ) => Ok(Event::Extended {
            on,
            working_days,
            reason,
            resident_agreed,
        }),
        (
            LetterKind::StageResponse,
            Event::Responded {
                outcome,
                heads,
                remedies,
                outstanding_actions,
                ..
            },
        ) => Ok(Event::Responded {
            on,
            outcome,
            heads,
            remedies,
            outstanding_actions,
        }),
        (kind, other) => match kind.records_step() {
            Some(expected) => refuse_field(
                "step",
                format!(
                    "{} letters record the step \"{expected}\", not \"{}\"",
                    kind.label(),
                    other.kind()
                ),
            ),
            None => refuse_field(
                "step",
                format!(
                    "{} letters record no step: record \"{}\" on the case itself",
                    kind.label(),
                    other.kind()
                ),
            ),
        },
    }
}

impl crate::steps::Step {
    /// The letter that may record this step when it is issued (see [`LetterKind::records_step`]): an
    /// extension's letter, a response's letter; on a complaint only.
    pub fn letter(self) -> Option<LetterKind> {
        match self {
            crate::steps::Step::Extend => Some(LetterKind::Extension),
            crate::steps::Step::Respond => Some(LetterKind::StageResponse),
            _ => None,
        }
    }
}
