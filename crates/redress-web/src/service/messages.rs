//! The emails about a case (letters issued by email and their copies): listing them with their status,
//! and sending again one that failed. The recipient's address and the server's answer (which may quote
//! it) are personal data: withheld from roles that do not see personal data.

use redress_domain::access::Permission;
use redress_domain::event::{CaseEvent, Event};
use redress_domain::privacy::WITHHELD;
use redress_store::{
    CaseRecord, MessageKind, MessageStatus, NewMessage, OutboxMessage, StoreError, new_id, now_utc,
};

use crate::AppState;
use crate::auth::Principal;
use crate::service::cases::load_visible;
use crate::service::{ServiceError, ServiceResult};

/// The emails about the case `reference`, oldest first, as far as the caller may see them.
pub async fn case_messages(
    state: &AppState,
    who: &Principal,
    reference: &str,
) -> ServiceResult<Vec<OutboxMessage>> {
    let case = load_visible(state, who, reference).await?;
    messages_of(state, who, &case).await
}

/// The emails about a case already loaded for the caller (by [`load_visible`]).
pub async fn messages_of(
    state: &AppState,
    who: &Principal,
    case: &redress_store::CaseRecord,
) -> ServiceResult<Vec<OutboxMessage>> {
    let messages = state.store.case_messages(&case.id).await?;
    Ok(if who.sees_personal_data() {
        messages
    } else {
        messages.into_iter().map(without_personal_data).collect()
    })
}

fn without_personal_data(mut m: OutboxMessage) -> OutboxMessage {
    m.recipient = WITHHELD.to_owned();
    m.body = WITHHELD.to_owned();
    m.last_error = m.last_error.map(|_| WITHHELD.to_owned());
    m
}

/// Puts a failed email back in the queue to be sent at once (complaints managers and admins). Refused
/// (409) unless it has failed: a queued or sending message goes anyway, a sent one went.
pub async fn retry_message(
    state: &AppState,
    who: &Principal,
    id: &str,
) -> ServiceResult<OutboxMessage> {
    let not_found = || ServiceError::NotFound(format!("there is no message {id}"));
    if id.len() > 64 {
        return Err(not_found());
    }
    let message = state.store.message(id).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        e => e.into(),
    })?;
    // A message about a case the caller may not see does not exist for them.
    let reference = message.reference.clone().ok_or_else(not_found)?;
    load_visible(state, who, &reference)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound(_) => not_found(),
            e => e,
        })?;
    who.require(Permission::ResendMessages, "send an email again")?;
    if !state.store.retry_message(id, &now_utc()).await? {
        let status = state.store.message(id).await?.status;
        return Err(ServiceError::Refused {
            detail: match status {
                MessageStatus::Sent => format!("Message {id} was sent: it is not sent again"),
                _ => format!(
                    "Message {id} is {} already: only a failed message is sent again",
                    status.as_str()
                ),
            },
            field: None,
        });
    }
    tracing::info!(message = %id, %reference, "email queued again by hand");
    Ok(state.store.message(id).await?)
}

/// The staff notifications a step sends, queued with it: a case assigned to someone other than whoever
/// assigned it tells them, by email, the reference and a link, nothing about the resident. None when email
/// is not set up.
pub async fn notices_for(
    state: &AppState,
    who: &Principal,
    case: &CaseRecord,
    step: &CaseEvent,
) -> ServiceResult<Vec<NewMessage>> {
    let (Some(from), Event::Assigned { officer, .. }) = (&state.mail_from, &step.event) else {
        return Ok(Vec::new());
    };
    if *officer == who.id {
        return Ok(Vec::new());
    }
    let user = match state.store.user_by_id(officer).await {
        Ok(user) => user,
        Err(StoreError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let reference = &case.reference;
    let link = match &state.public_url {
        Some(base) => format!("{}/complaints/{reference}", base.trim_end_matches('/')),
        None => format!("/complaints/{reference}"),
    };
    let id = new_id();
    Ok(vec![NewMessage {
        message_id: format!("{id}@{}", crate::service::letters::message_id_domain(from)),
        id,
        case_id: Some(case.id.clone()),
        reference: Some(reference.clone()),
        letter_id: None,
        kind: MessageKind::Assignment,
        recipient: user.email,
        subject: format!("Complaint {reference} has been assigned to you"),
        body: format!(
            "Complaint {reference} has been assigned to you in Redress.\n\nOpen it here: {link}\n"
        ),
        attachment: None,
        queued_at: now_utc(),
        dedupe_key: None,
    }])
}
