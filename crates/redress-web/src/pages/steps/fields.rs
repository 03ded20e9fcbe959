//! The fields of a step's form: what the case file's template renders.

use std::collections::HashMap;

use super::super::layout::FormError;
use super::super::queue::Opt;

/// A form field of a step.
pub(crate) struct Field {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) hint: Option<String>,
    pub(crate) kind: &'static str,
    pub(crate) value: String,
    pub(crate) options: Vec<Opt>,
    pub(crate) error: Option<String>,
}

impl Field {
    /// The ids of the hint and the error message that describe the field, for `aria-describedby`.
    pub(crate) fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// One step's form.
pub(crate) struct StepForm {
    pub(crate) slug: &'static str,
    pub(crate) title: String,
    pub(crate) hint: Option<String>,
    pub(crate) button: &'static str,
    pub(crate) fields: Vec<Field>,
    pub(crate) open: bool,
    pub(crate) warning: bool,
    /// A second button that writes the step's letter with it, recorded when the letter is issued.
    pub(crate) letter_button: Option<&'static str>,
}

pub(crate) fn field(
    step: &str,
    name: &str,
    label: &str,
    kind: &'static str,
    values: &HashMap<String, String>,
    errors: &[FormError],
) -> Field {
    let id = format!("{step}-{name}");
    Field {
        value: values.get(name).cloned().unwrap_or_default(),
        error: errors
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.message.clone()),
        id,
        name: name.into(),
        label: label.into(),
        hint: None,
        kind,
        options: Vec::new(),
    }
}

pub(crate) fn with_hint(mut f: Field, hint: impl Into<String>) -> Field {
    f.hint = Some(hint.into());
    f
}

pub(crate) fn with_options(mut f: Field, options: Vec<(String, String)>) -> Field {
    f.options = options
        .into_iter()
        .map(|(v, l)| Opt {
            value: v,
            label: l,
            selected: false,
        })
        .collect();
    if f.value.is_empty()
        && let Some(first) = f.options.first()
    {
        f.value = first.value.clone();
    }
    f
}

pub(crate) fn with_default(mut f: Field, v: impl Into<String>) -> Field {
    if f.value.is_empty() {
        f.value = v.into();
    }
    f
}
