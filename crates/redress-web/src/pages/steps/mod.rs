//! The lifecycle steps on the case file. Which steps a case allows, and within what limits, is the
//! domain's answer ([`Case::available_steps`]); this module gives each step its form once, in [`page_of`]:
//! its title, hint, fields and button, and the parsing of the posted form into the step's event. The case
//! file renders from the same entry the submission parses with, so a new step is one entry.

mod closing;
mod contact;
mod escalation;
pub(crate) mod fields;
mod handling;
mod opening;
pub(crate) mod parse;
mod submit;

use std::collections::HashMap;

use jiff::civil::Date;
use redress_domain::case::Case;
use redress_domain::event::Event;
use redress_domain::policy::Policy;
use redress_domain::{Actor, Step, StepLimits};
use redress_store::User;

use self::fields::{Field, StepForm, field, with_default};
use super::layout::FormError;
use crate::LoadedPolicy;
use crate::auth::Principal;

pub(crate) use self::submit::submit_step_form;

/// A posted form, by field name.
pub(crate) type Values = HashMap<String, String>;

/// One step's form: everything the pages know about the step, in one place.
pub(crate) struct StepPage {
    /// The form's heading.
    title: fn(&StepContext<'_>, &StepLimits) -> String,
    /// Guidance under the heading.
    hint: fn(&StepContext<'_>, &StepLimits) -> Option<String>,
    /// The fields after the date.
    fields: fn(&StepContext<'_>, &StepLimits) -> Vec<Field>,
    /// The submit button.
    pub(crate) button: &'static str,
    /// What the case file says once the step is recorded.
    pub(crate) done: &'static str,
    /// Whether the step is shown as one that cannot be undone.
    warning: bool,
    /// The event the posted form describes, dated `on`; errors name the form's fields.
    parse: fn(Date, &Values, &mut Vec<FormError>) -> Option<Event>,
}

/// The form of each step.
pub(crate) fn page_of(step: Step) -> &'static StepPage {
    match step {
        Step::Acknowledge => &opening::ACKNOWLEDGE,
        Step::Define => &opening::DEFINE,
        Step::Assign => &opening::ASSIGN,
        Step::Extend => &handling::EXTEND,
        Step::ShareFindings => &handling::SHARE_FINDINGS,
        Step::Respond => &handling::RESPOND,
        Step::Escalate => &escalation::ESCALATE,
        Step::RefuseEscalation => &escalation::REFUSE_ESCALATION,
        Step::AcceptEscalation => &escalation::ACCEPT_ESCALATION,
        Step::TimeLimitDiscretion => &opening::TIME_LIMIT_DISCRETION,
        Step::Relationship => &opening::RELATIONSHIP,
        Step::ChallengeRestriction => &contact::CHALLENGE_RESTRICTION,
        Step::Resolved => &closing::RESOLVED,
        Step::Close => &closing::CLOSE,
        Step::Reopen => &closing::REOPEN,
        Step::Adjustments => &contact::ADJUSTMENTS,
        Step::RestrictContact => &contact::RESTRICT_CONTACT,
    }
}

/// What a step's form is built from.
pub(crate) struct StepContext<'a> {
    step: Step,
    case: &'a Case,
    policy: &'a Policy,
    users: &'a [User],
    /// What was posted, when this step's submission is being shown again with its errors.
    values: Values,
    errors: &'a [FormError],
    today: Date,
}

impl StepContext<'_> {
    /// A field of this step's form, with what was posted and its error.
    fn field(&self, name: &str, label: &str, kind: &'static str) -> Field {
        self.field_from(&self.values, name, label, kind)
    }

    /// A field filled from `values` (what was posted, with what the case already holds).
    fn field_from(&self, values: &Values, name: &str, label: &str, kind: &'static str) -> Field {
        field(self.step.as_str(), name, label, kind, values, self.errors)
    }

    /// The name of the case's current stage in the policy's words.
    fn stage_name(&self) -> String {
        self.policy.stage_name(self.case.stage())
    }
}

/// Nothing but the date.
fn no_fields(_: &StepContext<'_>, _: &StepLimits) -> Vec<Field> {
    Vec::new()
}

/// No guidance.
fn no_hint(_: &StepContext<'_>, _: &StepLimits) -> Option<String> {
    None
}

/// The forms of the steps the domain allows `who` now; the one in `failed_step` is shown again with what
/// was posted and its errors.
pub(crate) fn steps_for(
    case: &Case,
    loaded: &LoadedPolicy,
    who: &Principal,
    today: Date,
    users: &[User],
    posted: (&Values, &[FormError], Option<&str>),
) -> Vec<StepForm> {
    let (values, errors, failed_step) = posted;
    let actor = Actor {
        id: &who.id,
        role: who.role,
    };
    case.available_steps(&loaded.policy, &loaded.calendar, &actor, today)
        .into_iter()
        .map(|available| {
            let slug = available.step.as_str();
            let failed = failed_step == Some(slug);
            let context = StepContext {
                step: available.step,
                case,
                policy: &loaded.policy,
                users,
                values: if failed {
                    values.clone()
                } else {
                    Values::new()
                },
                errors,
                today,
            };
            form_of(&context, &available.limits, failed)
        })
        .collect()
}

fn form_of(context: &StepContext<'_>, limits: &StepLimits, open: bool) -> StepForm {
    let page = page_of(context.step);
    let date = with_default(
        context.field("on", "Date", "date"),
        context.today.to_string(),
    );
    let mut fields = vec![date];
    fields.extend((page.fields)(context, limits));
    StepForm {
        slug: context.step.as_str(),
        title: (page.title)(context, limits),
        hint: (page.hint)(context, limits),
        button: page.button,
        fields,
        open,
        warning: page.warning,
        letter_button: letter_button(context),
    }
}

/// The button that writes the step's letter with it (an extension's, a response's), on a complaint.
fn letter_button(context: &StepContext<'_>) -> Option<&'static str> {
    use redress_domain::event::FeedbackType;
    if context.case.feedback_type != FeedbackType::Complaint {
        return None;
    }
    context.step.letter().map(|kind| match kind {
        redress_domain::LetterKind::Extension => "Write the extension letter with it",
        _ => "Write the response letter with it",
    })
}
