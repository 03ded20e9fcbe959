//! Recording a step from its form: parsed by the step's entry, decided by the domain through the service
//! layer, and answered with the case file (the form open again with its errors, when refused).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::Step;

use super::parse::{event_from_form, form_field_id};
use crate::error::ApiError;
use crate::pages::case_file::case_page_for;
use crate::pages::form::{Form, capitalise, check_post, form_map};
use crate::pages::layout::{FormError, error_page, message, render};
use crate::pages::{FormData, SharedState};
use crate::session::Staff;

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
    let Some(step) = Step::parse(&step) else {
        return message(
            Some(&staff),
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no such step.",
        );
    };
    let step_slug = step.as_str();
    let expected = values.get("version").and_then(|v| v.parse::<i64>().ok());
    let with_letter = values.get("then").is_some_and(|t| t == "letter");
    let result = match event_from_form(step_slug, &values) {
        Ok(event) => match step.letter().filter(|_| with_letter) {
            Some(kind) => {
                return write_with_letter(&state, &staff, &reference, kind, event, values).await;
            }
            None => crate::service::cases::record_step(
                &state,
                &staff.principal(),
                &reference,
                event,
                expected,
            )
            .await
            .map_err(|e| form_errors(step_slug, e)),
        },
        Err(errors) => Err(Ok((StatusCode::UNPROCESSABLE_ENTITY, errors))),
    };
    match result {
        Ok(()) => {
            Redirect::to(&format!("/complaints/{reference}?done={step_slug}#done")).into_response()
        }
        Err(failed) => show_again(&state, &staff, &reference, values, step_slug, failed).await,
    }
}

/// Drafts the step's letter carrying the step (recorded when the letter is issued), then its page.
async fn write_with_letter(
    state: &crate::AppState,
    staff: &Staff,
    reference: &str,
    kind: redress_domain::LetterKind,
    event: redress_domain::Event,
    values: crate::pages::steps::Values,
) -> Response {
    let drafted = crate::service::letters::draft_letter(
        state,
        &staff.principal(),
        reference,
        kind.as_str(),
        Vec::new(),
        Some(event),
    )
    .await;
    let step_slug = match kind {
        redress_domain::LetterKind::Extension => Step::Extend.as_str(),
        _ => Step::Respond.as_str(),
    };
    match drafted {
        Ok(draft) => Redirect::to(&format!("/letters/{}", draft.record.id)).into_response(),
        Err(e) => {
            let failed = form_errors(step_slug, e);
            show_again(state, staff, reference, values, step_slug, failed).await
        }
    }
}

/// A refusal as the step form's errors (with the status to answer), or an error for its own page.
fn form_errors(
    step_slug: &str,
    e: crate::service::ServiceError,
) -> Result<(StatusCode, Vec<FormError>), ApiError> {
    let e = ApiError::from(e);
    let status = e.status();
    let errs = match &e {
        ApiError::Invalid { errors, .. } if !errors.is_empty() => errors
            .iter()
            .map(|fe| FormError {
                id: form_field_id(step_slug, fe.field.trim_start_matches("step.")),
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
}

/// The case file with the step's form open again with what was posted and its errors.
async fn show_again(
    state: &crate::AppState,
    staff: &Staff,
    reference: &str,
    values: crate::pages::steps::Values,
    step_slug: &'static str,
    failed: Result<(StatusCode, Vec<FormError>), ApiError>,
) -> Response {
    let (status, errors) = match failed {
        Ok(f) => f,
        Err(e) => return error_page(staff, e),
    };
    match case_page_for(
        state,
        staff,
        reference,
        values,
        errors,
        Some(step_slug),
        None,
    )
    .await
    {
        Ok(p) => render(&p, status),
        Err(e) => error_page(staff, e),
    }
}
