//! What every page shares: the layout, security headers, and the message and error pages.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use redress_domain::access::Permission;
use redress_store::StoreError;

use super::form::capitalise;
use crate::error::ApiError;
use crate::session::Staff;

/// One error in the summary, linked to its field.
#[derive(Debug, Clone)]
pub(crate) struct FormError {
    /// The field's id.
    pub id: String,
    /// The message.
    pub message: String,
}

/// What every page's layout needs.
pub(crate) struct Page {
    pub(crate) title: String,
    pub(crate) user: Option<String>,
    pub(crate) role: &'static str,
    pub(crate) csrf: String,
    pub(crate) nav: &'static str,
    pub(crate) can_log: bool,
    pub(crate) errors: Vec<FormError>,
    pub(crate) done: Option<String>,
}

impl Page {
    pub(crate) fn new(title: impl Into<String>, staff: Option<&Staff>, nav: &'static str) -> Page {
        Page {
            title: title.into(),
            user: staff.map(|s| s.user.name.clone()),
            role: staff.map_or("", |s| s.user.role.display_name()),
            csrf: staff.map(|s| s.session.csrf.clone()).unwrap_or_default(),
            nav,
            can_log: staff.is_some_and(|s| s.user.role.can(Permission::CreateCases)),
            errors: Vec::new(),
            done: None,
        }
    }

    /// The error for a field, if any.
    pub fn error_for(&self, id: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.message.as_str())
    }
}

pub(crate) fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            secure_headers(r.headers_mut());
            r
        }
        Err(e) => {
            tracing::error!(cause = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. It has been logged.",
            )
                .into_response()
        }
    }
}

pub(crate) fn secure_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) page: Page,
    pub(crate) heading: String,
    pub(crate) body: String,
}

pub(crate) fn message(
    staff: Option<&Staff>,
    status: StatusCode,
    heading: &str,
    body: &str,
) -> Response {
    render(
        &MessagePage {
            page: Page::new(heading, staff, ""),
            heading: heading.into(),
            body: body.into(),
        },
        status,
    )
}

/// An API error as a page.
pub(crate) fn error_page(staff: &Staff, e: impl Into<ApiError>) -> Response {
    error_page_for(Some(staff), e)
}

/// An API error as a page, answered with the error's own status (404, 409, 413, 422, …): the same status
/// the API would answer. 5xx pages are opaque; their cause is logged.
pub(crate) fn error_page_for(staff: Option<&Staff>, e: impl Into<ApiError>) -> Response {
    let e: ApiError = e.into();
    let status = e.status();
    match e {
        ApiError::NotFound(m) => message(staff, status, "Page not found", &capitalise(&m)),
        ApiError::Forbidden(..) => message(staff, status, "You cannot do this", &e.to_string()),
        ApiError::Internal(cause) => {
            // Store and domain errors carry no request bodies, so no personal data reaches the log.
            tracing::error!(%cause, "page failed");
            message(
                staff,
                status,
                "Sorry, there is a problem",
                "Something went wrong on our side. It has been logged; try again later.",
            )
        }
        ApiError::TooLarge(max) => message(
            staff,
            status,
            "The form is too large",
            &format!(
                "What you sent is larger than Redress accepts ({} KB). Shorten the longest text and try again.",
                max / 1024
            ),
        ),
        other => message(
            staff,
            status,
            "Sorry, there is a problem",
            &capitalise(&other.to_string()),
        ),
    }
}

/// The opaque 500 page for a failure whose cause the caller has logged, before any member of staff is known.
pub(crate) fn failure_page() -> Response {
    message(
        None,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem",
        "Something went wrong on our side. It has been logged; try again later.",
    )
}

/// A store read or write that failed while building a page: logged (what failed and why, no personal
/// data), answered with an opaque 500 page. Never swallowed, so that a page is never shown incomplete
/// (a missing duplicate warning) or an action reported done when it was not (a sign-out).
pub(crate) fn store_failed(staff: &Staff, what: &'static str, e: StoreError) -> Response {
    error_page(
        staff,
        match e {
            StoreError::Other(cause) => ApiError::Internal(format!("{what}: {cause}")),
            other => ApiError::Internal(format!("{what}: {other}")),
        },
    )
}
