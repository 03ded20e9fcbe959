//! Staff pages: sign-in, the work queue, logging a complaint, the case file with every step its state
//! allows, and the policies. Server-rendered from askama templates (escaped everywhere), our own stylesheet,
//! no JavaScript. Every form carries the session's CSRF token; every rule comes from the domain, and cases
//! are loaded, logged and changed through the service layer the API uses too.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;

mod case_file;
mod documents;
mod form;
mod intake;
pub(crate) mod layout;
mod letters;
mod messages;
mod policies;
mod queue;
mod sign_in;
mod steps;
#[cfg(test)]
mod tests;
mod timeline;

use self::case_file::case_page;
use self::form::Form;
use self::intake::{new_complaint_form, submit_complaint_form};
use self::policies::{policies_page, policy_page};
use self::queue::dashboard;
use self::sign_in::{sign_in, sign_in_form, sign_out};
use self::steps::submit_step_form;

pub(crate) type SharedState = State<Arc<AppState>>;
pub(crate) type FormData = Form<Vec<(String, String)>>;

/// The page routes.
pub fn page_routes() -> axum::Router<Arc<AppState>> {
    axum::Router::new()
        .route("/", get(dashboard))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/complaints/new", get(new_complaint_form))
        .route("/complaints", post(submit_complaint_form))
        .route("/complaints/{reference}", get(case_page))
        .route(
            "/complaints/{reference}/steps/{step}",
            post(submit_step_form),
        )
        .route(
            "/complaints/{reference}/letters",
            post(letters::write_letter),
        )
        .route(
            "/complaints/{reference}/documents",
            post(documents::attach_document_form).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/documents/{id}", get(documents::document_download))
        .route("/letters/{id}", get(letters::letter_page))
        .route("/letters/{id}/issue", post(letters::issue_letter_form))
        .route("/letters/{id}/{format}", get(letters::letter_download))
        .route("/messages/{id}/retry", post(messages::retry_message_form))
        .route("/policies", get(policies_page))
        .route("/policies/{id}", get(policy_page))
        .route("/static/style.css", get(stylesheet))
}

pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}
