//! Documents attached to cases: attaching one in one transaction with the case's `document_added` event,
//! and reading attachments back with their bytes' description.

use super::cases::{EVENT_COLUMNS, EventRow, append_refused, insert_rows, update_projection};
use super::*;
use crate::{CaseDocumentAdd, CaseDocumentRecord, DocumentRecord};

const SELECT: &str = "SELECT a.id, a.case_id, c.reference, a.name, a.description, a.uploaded_by, \
     a.uploaded_at, d.id AS document_id, d.content_type, d.size, d.name AS document_name, \
     d.created_at AS document_created_at \
     FROM case_documents a JOIN cases c ON c.id = a.case_id JOIN documents d ON d.id = a.document_id";

/// Attaches a document: the case's compare-and-set and event, the bytes' row, the attachment, together.
pub(super) async fn add_case_document<B: SqlBackend>(
    backend: &B,
    add: &CaseDocumentAdd,
) -> StoreResult<i64> {
    let new_version = add.expected_version + 1;
    let mut tx = backend.begin_write().await?;
    let changed = update_projection::<B>(
        &mut tx,
        &add.case_id,
        add.expected_version,
        new_version,
        &add.recorded_at,
        &add.projection,
    )
    .await?;
    if changed == 0 {
        return Err(append_refused(B::Db::on(&mut tx), &add.case_id, add.expected_version).await);
    }
    let d = &add.document;
    super::letters::store_document_row::<B>(&mut tx, d).await?;
    try_execute(
        B::Db::on(&mut tx),
        "INSERT INTO case_documents (id, case_id, document_id, name, description, uploaded_by, \
         uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![
            &add.id,
            &add.case_id,
            &d.id,
            &add.name,
            &add.description,
            &add.uploaded_by,
            &add.recorded_at,
        ],
    )
    .await?
    .map_err(unique_as("that document's id"))?;
    let row = EventRow::new(&add.case_id, new_version, &add.event, &add.recorded_at)?;
    insert_rows::<B::Db>(&mut tx, "case_events", EVENT_COLUMNS, [row.values()])
        .await?
        .map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(new_version)
}

/// An attachment by id.
pub(super) async fn case_document<B: SqlBackend>(
    backend: &B,
    id: &str,
) -> StoreResult<CaseDocumentRecord> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let row = fetch_one(B::Db::on_pool(backend.reader()), &sql, params![id]).await?;
    record::<B::Db>(&row)
}

/// A case's attachments, oldest first.
pub(super) async fn case_documents<B: SqlBackend>(
    backend: &B,
    case_id: &str,
) -> StoreResult<Vec<CaseDocumentRecord>> {
    let sql = format!("{SELECT} WHERE a.case_id = $1 ORDER BY a.uploaded_at, a.id");
    let rows = fetch_all(B::Db::on_pool(backend.reader()), &sql, params![case_id]).await?;
    rows.iter().map(record::<B::Db>).collect()
}

fn record<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<CaseDocumentRecord> {
    Ok(CaseDocumentRecord {
        id: DB::text(row, "id")?,
        case_id: DB::text(row, "case_id")?,
        reference: DB::text(row, "reference")?,
        document: DocumentRecord {
            id: DB::text(row, "document_id")?,
            content_type: DB::text(row, "content_type")?,
            size: DB::int(row, "size")?,
            name: DB::text(row, "document_name")?,
            created_at: DB::text(row, "document_created_at")?,
        },
        name: DB::text(row, "name")?,
        description: DB::maybe_text(row, "description")?,
        uploaded_by: DB::maybe_text(row, "uploaded_by")?,
        uploaded_at: DB::text(row, "uploaded_at")?,
    })
}
