//! The case file's "Messages": each email about the case with its status, and sending a failed one again.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use redress_store::{CaseRecord, MessageStatus, OutboxMessage};

use super::form::{check_post, form_map};
use super::layout::error_page;
use super::{FormData, SharedState};
use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::service::messages::{messages_of, retry_message};
use crate::session::Staff;

/// One email as the case file lists it.
pub(crate) struct MessageRow {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) to: String,
    pub(crate) status: &'static str,
    pub(crate) tag_class: &'static str,
    pub(crate) attempts: i64,
    pub(crate) queued_at: String,
    pub(crate) sent_at: String,
    pub(crate) last_error: String,
    pub(crate) can_retry: bool,
}

/// An instant stored as UTC text, to the minute, as people read it.
fn minute(at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%-d %b %Y %H:%M UTC").to_string())
        .unwrap_or_else(|_| at.to_owned())
}

fn row(m: OutboxMessage) -> MessageRow {
    let (status, tag_class) = match m.status {
        MessageStatus::Queued if m.attempts > 0 => ("Waiting to try again", "tag-soon"),
        MessageStatus::Queued => ("Queued", "tag-neutral"),
        MessageStatus::Sending => ("Sending", "tag-neutral"),
        MessageStatus::Sent => ("Sent", "tag-ok"),
        MessageStatus::Failed => ("Failed", "tag-overdue"),
    };
    MessageRow {
        can_retry: m.status == MessageStatus::Failed,
        queued_at: minute(&m.queued_at),
        sent_at: m.sent_at.as_deref().map(minute).unwrap_or_default(),
        last_error: m.last_error.unwrap_or_default(),
        id: m.id,
        subject: m.subject,
        to: m.recipient,
        status,
        tag_class,
        attempts: m.attempts,
    }
}

/// The rows of the case file's "Messages".
pub(crate) async fn message_rows(
    state: &AppState,
    who: &Principal,
    record: &CaseRecord,
) -> Result<Vec<MessageRow>, ApiError> {
    Ok(messages_of(state, who, record)
        .await?
        .into_iter()
        .map(row)
        .collect())
}

/// "Send again" on the case file: the message is queued again, and the case file says so.
pub(crate) async fn retry_message_form(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    super::form::Form(form): FormData,
) -> Response {
    let values = form_map(&form);
    if let Err(r) = check_post(&staff, &headers, &values) {
        return r;
    }
    match retry_message(&state, &staff.principal(), &id).await {
        Ok(m) => {
            let reference = m.reference.unwrap_or_default();
            Redirect::to(&format!("/complaints/{reference}#messages")).into_response()
        }
        Err(e) => error_page(&staff, e),
    }
}
