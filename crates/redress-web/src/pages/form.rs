//! Reading form posts: the body extractor whose rejection is a page, the CSRF and origin check, and the
//! field map every form handler works from.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::layout::{error_page_for, message};
use crate::error::ApiError;
use crate::session::{self, Staff};

/// A form body, read as axum's `Form`, whose rejection is a page with the rejection's own status: 413 for
/// a body over the limit, 415 for another content type, 400 for one that cannot be read.
pub(crate) struct Form<T>(pub(crate) T);

impl<T, St> FromRequest<St> for Form<T>
where
    axum::Form<T>: FromRequest<St, Rejection = axum::extract::rejection::FormRejection>,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &St) -> Result<Self, Response> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) => {
                let e = match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(crate::MAX_BODY),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(
                        "a web form (application/x-www-form-urlencoded)",
                    ),
                    _ => ApiError::BadRequest(
                        "the form could not be read. Go back, reload the page and try again".into(),
                    ),
                };
                Err(error_page_for(None, e))
            }
        }
    }
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub(crate) fn form_map(form: &[(String, String)]) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for (k, v) in form {
        m.insert(k.clone(), v.clone());
    }
    m
}

/// CSRF and same-origin checks for a form post.
#[allow(
    clippy::result_large_err,
    reason = "the error is the page to send back, used once per request"
)]
pub(crate) fn check_post(
    staff: &Staff,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(), Response> {
    let token = form.get("_csrf").map(String::as_str).unwrap_or("");
    if !staff.csrf_ok(token) || !session::same_origin(headers) {
        return Err(message(
            Some(staff),
            StatusCode::FORBIDDEN,
            "This form has expired",
            "For your security the form could not be accepted. Go back, reload the page and try again.",
        ));
    }
    Ok(())
}
