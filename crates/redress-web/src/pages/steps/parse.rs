//! Reading a step's posted form: its date, its fields, and the event it describes.

use jiff::civil::Date;
use redress_domain::Step;
use redress_domain::event::Event;

use super::{Values, page_of};
use crate::pages::layout::FormError;

/// Builds the event a step's form describes; errors name the form's fields.
pub(crate) fn event_from_form(step: &str, values: &Values) -> Result<Event, Vec<FormError>> {
    let mut errors = Vec::new();
    let Some(step) = Step::parse(step) else {
        errors.push(FormError {
            id: "next-steps".into(),
            message: "That step does not exist".into(),
        });
        return Err(errors);
    };
    let event = parse_on(step.as_str(), values, &mut errors)
        .and_then(|on| (page_of(step).parse)(on, values, &mut errors));
    match (event, errors.is_empty()) {
        (Some(event), true) => Ok(event),
        _ => Err(errors),
    }
}

fn parse_on(step: &str, values: &Values, errors: &mut Vec<FormError>) -> Option<Date> {
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
    values: &Values,
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

pub(crate) fn text(values: &Values, name: &str) -> String {
    values
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// Text left empty is no text.
pub(crate) fn optional(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

/// The lines of a text box that say something.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
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
