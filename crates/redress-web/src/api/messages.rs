//! The emails about a complaint (its outbox), and sending again one that failed.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use redress_store::OutboxMessage;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::AppStateRef;
use crate::auth::Principal;
use crate::error::{ApiResult, Problem};
use crate::service::messages::{case_messages, retry_message};

/// An email about a complaint, and where it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// Its id.
    pub id: String,
    /// `letter` (a letter issued by email, its PDF attached), `letter_copy` (to a representative), or
    /// `assignment` (telling a member of staff the case was assigned to them).
    pub kind: &'static str,
    /// The address it goes to (`[withheld: personal data]` for roles that do not see personal data).
    pub to: String,
    /// Its subject.
    pub subject: String,
    /// `queued` (waiting to be sent, or sent again after a failure the server clearly refused for now),
    /// `sending`, `sent`, or `failed`.
    pub status: &'static str,
    /// How many times it has been taken to send.
    pub attempts: i64,
    /// The server's last answer, or why it was not sent.
    pub last_error: Option<String>,
    /// When queued (UTC).
    pub queued_at: String,
    /// When the server took it (UTC).
    pub sent_at: Option<String>,
    /// Its Message-ID header.
    pub message_id: String,
    /// The letter it carries.
    pub letter_id: Option<String>,
}

impl From<OutboxMessage> for MessageView {
    fn from(m: OutboxMessage) -> Self {
        MessageView {
            id: m.id,
            kind: m.kind.as_str(),
            to: m.recipient,
            subject: m.subject,
            status: m.status.as_str(),
            attempts: m.attempts,
            last_error: m.last_error,
            queued_at: m.queued_at,
            sent_at: m.sent_at,
            message_id: format!("<{}>", m.message_id),
            letter_id: m.letter_id,
        }
    }
}

/// The emails about a complaint.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    /// Oldest first.
    pub items: Vec<MessageView>,
}

/// The emails about a complaint, oldest first, with their status.
///
/// Letters issued by email, and notifications to staff (a case assigned to them).
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{reference}/messages",
    params(("reference" = String, Path, description = "The complaint reference")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = MessageList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "letters"
)]
pub async fn list_messages(
    State(state): AppStateRef,
    who: Principal,
    Path(reference): Path<String>,
) -> ApiResult<Response> {
    let items = case_messages(&state, &who, &reference)
        .await?
        .into_iter()
        .map(MessageView::from)
        .collect();
    Ok(Json(MessageList { items }).into_response())
}

/// Send a failed email again (complaints managers and admins).
///
/// A message that failed because the service stopped while sending it may have been delivered: check
/// with the recipient first. It is queued to be sent at once, its attempts counted afresh.
#[utoipa::path(
    post,
    path = "/api/v1/messages/{id}/retry",
    params(("id" = String, Path, description = "The message's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Queued again", body = MessageView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only complaints managers and admins send an email again", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message, or its complaint is not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The message has not failed: it was sent, or is queued or being sent", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "letters"
)]
pub async fn post_retry_message(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let message = retry_message(&state, &who, &id).await?;
    Ok(Json(MessageView::from(message)).into_response())
}
