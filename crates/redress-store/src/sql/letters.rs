//! Letters and the documents they are issued as: drafting, reading, and issuing in one transaction with
//! the case's `letter_issued` event.

use redress_domain::letters::LetterKind;

use super::cases::{EVENT_COLUMNS, EventRow, append_refused, insert_rows, update_projection};
use super::*;
use crate::{DocumentRecord, LetterIssue, LetterRecord, LetterStatus, NewLetter};

/// Stores a draft; a case that does not exist is not found.
pub(super) async fn create_letter<B: SqlBackend>(
    backend: &B,
    letter: &NewLetter,
) -> StoreResult<()> {
    let paragraphs = serde_json::to_string(&letter.paragraphs).map_err(StoreError::other)?;
    let step = match &letter.step {
        Some(step) => Some(serde_json::to_string(step).map_err(StoreError::other)?),
        None => None,
    };
    let done = execute(
        B::Db::on_pool(backend.writer()),
        "INSERT INTO letters (id, case_id, kind, stage, status, paragraphs, step, created_at, created_by) \
         SELECT $1, id, $2, $3, $4, $5, $6, $7, $8 FROM cases WHERE id = $9",
        params![
            &letter.id,
            letter.kind.as_str(),
            i64::from(letter.stage),
            LetterStatus::Draft.as_str(),
            paragraphs,
            step,
            &letter.created_at,
            &letter.created_by,
            &letter.case_id,
        ],
    )
    .await?;
    if B::rows_affected(&done) == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The columns a letter is read with (`l` the letter, `c` its case, `d` its document).
const LETTER_COLUMNS: &str = "l.id, l.case_id, c.reference, l.kind, l.stage, l.status, l.paragraphs, \
    l.step, l.created_at, l.created_by, l.issued_at, l.channel, d.id AS document_id, d.content_type, \
    d.size, d.name, d.created_at AS document_created_at \
    FROM letters l JOIN cases c ON c.id = l.case_id LEFT JOIN documents d ON d.id = l.document_id";

/// A letter with its case's reference and its document, if issued.
pub(super) async fn letter<B: SqlBackend>(backend: &B, id: &str) -> StoreResult<LetterRecord> {
    let sql = format!("SELECT {LETTER_COLUMNS} WHERE l.id = $1");
    let row = fetch_one(B::Db::on_pool(backend.reader()), &sql, params![id]).await?;
    letter_from::<B::Db>(&row)
}

/// A case's letters, newest first.
pub(super) async fn letters_of_case<B: SqlBackend>(
    backend: &B,
    case_id: &str,
) -> StoreResult<Vec<LetterRecord>> {
    let sql = format!(
        "SELECT {LETTER_COLUMNS} WHERE l.case_id = $1 ORDER BY l.created_at DESC, l.id DESC"
    );
    let rows = fetch_all(B::Db::on_pool(backend.reader()), &sql, params![case_id]).await?;
    rows.iter().map(letter_from::<B::Db>).collect()
}

fn letter_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<LetterRecord> {
    let bad =
        |what: &str, value: &str| StoreError::Other(format!("stored letter {what} '{value}'"));
    let kind = DB::text(row, "kind")?;
    let status = DB::text(row, "status")?;
    let paragraphs = DB::text(row, "paragraphs")?;
    let step = match DB::maybe_text(row, "step")? {
        Some(json) => Some(serde_json::from_str(&json).map_err(|_| bad("step", &json))?),
        None => None,
    };
    let document = match DB::maybe_text(row, "document_id")? {
        Some(id) => Some(DocumentRecord {
            id,
            content_type: DB::text(row, "content_type")?,
            size: DB::int(row, "size")?,
            name: DB::text(row, "name")?,
            created_at: DB::text(row, "document_created_at")?,
        }),
        None => None,
    };
    Ok(LetterRecord {
        id: DB::text(row, "id")?,
        case_id: DB::text(row, "case_id")?,
        reference: DB::text(row, "reference")?,
        kind: LetterKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        stage: parse_stage(DB::int(row, "stage")?)?,
        status: LetterStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        paragraphs: serde_json::from_str(&paragraphs)
            .map_err(|_| bad("paragraphs", &paragraphs))?,
        step,
        created_at: DB::text(row, "created_at")?,
        created_by: DB::maybe_text(row, "created_by")?,
        issued_at: DB::maybe_text(row, "issued_at")?,
        channel: DB::maybe_text(row, "channel")?,
        document,
    })
}

/// Stores a document's row in the write transaction `tx`: the same bytes stored before are the same row.
pub(super) async fn store_document_row<B: SqlBackend>(
    tx: &mut Transaction<'static, B::Db>,
    d: &DocumentRecord,
) -> StoreResult<()> {
    execute(
        B::Db::on(tx),
        "INSERT INTO documents (id, content_type, size, name, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO NOTHING",
        params![&d.id, &d.content_type, d.size, &d.name, &d.created_at],
    )
    .await?;
    Ok(())
}

/// Issues a draft: the case's compare-and-set and event, the document row, the letter's status, together.
pub(super) async fn issue_letter<B: SqlBackend>(
    backend: &B,
    issue: &LetterIssue,
) -> StoreResult<i64> {
    let new_version = issue.expected_version + 1 + i64::from(issue.step.is_some());
    let mut tx = backend.begin_write().await?;
    let changed = update_projection::<B>(
        &mut tx,
        &issue.case_id,
        issue.expected_version,
        new_version,
        &issue.recorded_at,
        &issue.projection,
    )
    .await?;
    if changed == 0 {
        return Err(
            append_refused(B::Db::on(&mut tx), &issue.case_id, issue.expected_version).await,
        );
    }
    let d = &issue.document;
    store_document_row::<B>(&mut tx, d).await?;
    let issued = execute(
        B::Db::on(&mut tx),
        "UPDATE letters SET status = $1, issued_at = $2, channel = $3, document_id = $4 \
         WHERE id = $5 AND case_id = $6 AND status = $7",
        params![
            LetterStatus::Issued.as_str(),
            &issue.recorded_at,
            &issue.channel,
            &d.id,
            &issue.letter_id,
            &issue.case_id,
            LetterStatus::Draft.as_str(),
        ],
    )
    .await?;
    if B::rows_affected(&issued) == 0 {
        let _ = tx.rollback().await;
        return Err(StoreError::Duplicate("that letter's issue"));
    }
    let events: Vec<&CaseEvent> = issue.step.iter().chain([&issue.event]).collect();
    let mut rows = Vec::with_capacity(events.len());
    for (i, event) in events.into_iter().enumerate() {
        let seq = issue.expected_version + 1 + i64::try_from(i).map_err(StoreError::other)?;
        rows.push(EventRow::new(
            &issue.case_id,
            seq,
            event,
            &issue.recorded_at,
        )?);
    }
    insert_rows::<B::Db>(
        &mut tx,
        "case_events",
        EVENT_COLUMNS,
        rows.iter().map(EventRow::values),
    )
    .await?
    .map_err(store_error)?;
    super::outbox::insert_messages::<B::Db>(&mut tx, &issue.messages, B::rows_affected).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(new_version)
}
