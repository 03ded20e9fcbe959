//! The outbox: queueing messages (alone, or inside another write such as issuing a letter), claiming them
//! for a worker, and recording what became of each.

use super::*;
use crate::outbox::{ABANDONED_SEND, MessageKind, MessageStatus, NewMessage, OutboxMessage};

const MESSAGE_COLUMNS: &str = "id, case_id, reference, letter_id, kind, message_id, recipient, subject, \
     body, attachment_id, attachment_name, status, attempts, last_error, queued_at, next_attempt_at, \
     lease_until, sent_at";

/// Inserts messages on a connection (a transaction's, so that they are queued with what they belong to).
/// A message whose dedupe key is taken is skipped; returns how many were queued.
pub(super) async fn insert_messages<DB: SqlDatabase>(
    connection: &mut DB::Connection,
    messages: &[NewMessage],
    rows_affected: fn(&DB::QueryResult) -> u64,
) -> StoreResult<u64> {
    let mut queued = 0;
    for m in messages {
        let (attachment_id, attachment_name) = match &m.attachment {
            Some((id, name)) => (Some(id.as_str()), Some(name.as_str())),
            None => (None, None),
        };
        let done = execute(
            DB::on(connection),
            "INSERT INTO outbox (id, case_id, reference, letter_id, kind, message_id, recipient, subject, \
             body, attachment_id, attachment_name, status, attempts, queued_at, next_attempt_at, \
             dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $13, $14) \
             ON CONFLICT (dedupe_key) DO NOTHING",
            params![
                &m.id,
                &m.case_id,
                &m.reference,
                &m.letter_id,
                m.kind.as_str(),
                &m.message_id,
                &m.recipient,
                &m.subject,
                &m.body,
                attachment_id,
                attachment_name,
                MessageStatus::Queued.as_str(),
                &m.queued_at,
                &m.dedupe_key,
            ],
        )
        .await?;
        queued += rows_affected(&done);
    }
    Ok(queued)
}

fn message_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<OutboxMessage> {
    let bad =
        |what: &str, value: &str| StoreError::Other(format!("stored message {what} '{value}'"));
    let kind = DB::text(row, "kind")?;
    let status = DB::text(row, "status")?;
    let attachment = match (
        DB::maybe_text(row, "attachment_id")?,
        DB::maybe_text(row, "attachment_name")?,
    ) {
        (Some(id), Some(name)) => Some((id, name)),
        _ => None,
    };
    Ok(OutboxMessage {
        id: DB::text(row, "id")?,
        case_id: DB::maybe_text(row, "case_id")?,
        reference: DB::maybe_text(row, "reference")?,
        letter_id: DB::maybe_text(row, "letter_id")?,
        kind: MessageKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        message_id: DB::text(row, "message_id")?,
        recipient: DB::text(row, "recipient")?,
        subject: DB::text(row, "subject")?,
        body: DB::text(row, "body")?,
        attachment,
        status: MessageStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        attempts: DB::int(row, "attempts")?,
        last_error: DB::maybe_text(row, "last_error")?,
        queued_at: DB::text(row, "queued_at")?,
        next_attempt_at: DB::text(row, "next_attempt_at")?,
        lease_until: DB::maybe_text(row, "lease_until")?,
        sent_at: DB::maybe_text(row, "sent_at")?,
    })
}

/// Queues messages in a transaction of their own.
pub(super) async fn queue_messages<B: SqlBackend>(
    backend: &B,
    messages: &[NewMessage],
) -> StoreResult<u64> {
    let mut tx = backend.begin_write().await?;
    let queued = insert_messages::<B::Db>(&mut tx, messages, B::rows_affected).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(queued)
}

/// Claims due messages: marked `sending` with their lease in the same statement that chooses them.
pub(super) async fn claim_messages<B: SqlBackend>(
    backend: &B,
    now: &str,
    lease_until: &str,
    limit: u32,
) -> StoreResult<Vec<OutboxMessage>> {
    let sql = format!(
        "UPDATE outbox SET status = $1, lease_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox WHERE status = $3 AND next_attempt_at <= $4 \
         ORDER BY next_attempt_at, id LIMIT $5{}) RETURNING {MESSAGE_COLUMNS}",
        B::DIALECT.skip_locked
    );
    let mut tx = backend.begin_write().await?;
    let rows = fetch_all(
        B::Db::on(&mut tx),
        &sql,
        params![
            MessageStatus::Sending.as_str(),
            lease_until,
            MessageStatus::Queued.as_str(),
            now,
            i64::from(limit.clamp(1, 100)),
        ],
    )
    .await?;
    tx.commit().await.map_err(store_error)?;
    let mut claimed = rows
        .iter()
        .map(message_from::<B::Db>)
        .collect::<StoreResult<Vec<_>>>()?;
    claimed.sort_by(|a, b| (&a.next_attempt_at, &a.id).cmp(&(&b.next_attempt_at, &b.id)));
    Ok(claimed)
}

/// Moves one `sending` message on; false when it was not `sending`.
async fn settle<B: SqlBackend>(
    backend: &B,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<bool> {
    let mut tx = backend.begin_write().await?;
    let done = execute(B::Db::on(&mut tx), sql, values).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(B::rows_affected(&done) > 0)
}

pub(super) async fn message_sent<B: SqlBackend>(
    backend: &B,
    id: &str,
    sent_at: &str,
) -> StoreResult<bool> {
    settle(
        backend,
        "UPDATE outbox SET status = $1, sent_at = $2, lease_until = NULL, last_error = NULL \
         WHERE id = $3 AND status = $4",
        params![
            MessageStatus::Sent.as_str(),
            sent_at,
            id,
            MessageStatus::Sending.as_str()
        ],
    )
    .await
}

pub(super) async fn message_deferred<B: SqlBackend>(
    backend: &B,
    id: &str,
    error: &str,
    next_attempt_at: &str,
) -> StoreResult<bool> {
    settle(
        backend,
        "UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, lease_until = NULL \
         WHERE id = $4 AND status = $5",
        params![
            MessageStatus::Queued.as_str(),
            error,
            next_attempt_at,
            id,
            MessageStatus::Sending.as_str()
        ],
    )
    .await
}

pub(super) async fn message_failed<B: SqlBackend>(
    backend: &B,
    id: &str,
    error: &str,
) -> StoreResult<bool> {
    settle(
        backend,
        "UPDATE outbox SET status = $1, last_error = $2, lease_until = NULL WHERE id = $3 AND status = $4",
        params![
            MessageStatus::Failed.as_str(),
            error,
            id,
            MessageStatus::Sending.as_str()
        ],
    )
    .await
}

pub(super) async fn fail_abandoned_sends<B: SqlBackend>(
    backend: &B,
    now: &str,
) -> StoreResult<u64> {
    let mut tx = backend.begin_write().await?;
    let done = execute(
        B::Db::on(&mut tx),
        "UPDATE outbox SET status = $1, last_error = $2, lease_until = NULL \
         WHERE status = $3 AND lease_until < $4",
        params![
            MessageStatus::Failed.as_str(),
            ABANDONED_SEND,
            MessageStatus::Sending.as_str(),
            now
        ],
    )
    .await?;
    tx.commit().await.map_err(store_error)?;
    Ok(B::rows_affected(&done))
}

pub(super) async fn case_messages<B: SqlBackend>(
    backend: &B,
    case_id: &str,
) -> StoreResult<Vec<OutboxMessage>> {
    fetch_all(
        B::Db::on_pool(backend.reader()),
        &format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE case_id = $1 ORDER BY queued_at, id"),
        params![case_id],
    )
    .await?
    .iter()
    .map(message_from::<B::Db>)
    .collect()
}

pub(super) async fn message<B: SqlBackend>(backend: &B, id: &str) -> StoreResult<OutboxMessage> {
    let row = fetch_one(
        B::Db::on_pool(backend.reader()),
        &format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE id = $1"),
        params![id],
    )
    .await?;
    message_from::<B::Db>(&row)
}

pub(super) async fn retry_message<B: SqlBackend>(
    backend: &B,
    id: &str,
    now: &str,
) -> StoreResult<bool> {
    let mut tx = backend.begin_write().await?;
    let done = execute(
        B::Db::on(&mut tx),
        "UPDATE outbox SET status = $1, attempts = 0, next_attempt_at = $2, lease_until = NULL \
         WHERE id = $3 AND status = $4",
        params![
            MessageStatus::Queued.as_str(),
            now,
            id,
            MessageStatus::Failed.as_str()
        ],
    )
    .await?;
    if B::rows_affected(&done) == 0 {
        let exists = fetch_optional(
            B::Db::on(&mut tx),
            "SELECT id FROM outbox WHERE id = $1",
            params![id],
        )
        .await?;
        let _ = tx.rollback().await;
        return match exists {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound),
        };
    }
    tx.commit().await.map_err(store_error)?;
    Ok(true)
}
