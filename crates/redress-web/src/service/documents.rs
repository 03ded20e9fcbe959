//! Documents attached to cases (photos, PDFs, emails): attaching one that was received and accepted
//! ([`crate::upload`]), listing a case's, and reading one back. A confidential case's documents are as
//! invisible as the case; viewers (who see no personal data) see that documents exist, never their names
//! nor their bytes.

use redress_domain::access::Permission;
use redress_domain::case::Case;
use redress_domain::event::{CaseEvent, Event};
use redress_domain::privacy::WITHHELD;
use redress_domain::text::{self, TextKind};
use redress_store::{
    CaseDocumentAdd, CaseDocumentRecord, CaseRecord, DocumentRecord, StoreError, new_id, now_utc,
};

use crate::AppState;
use crate::auth::Principal;
use crate::service::cases::{load_visible, project, refusal};
use crate::service::{ServiceError, ServiceResult};
use crate::upload::Upload;

/// Checks, before a file is read, that `who` may attach documents to case `reference` (the case exists
/// and they may see it). Returns the case.
pub async fn may_attach(
    state: &AppState,
    who: &Principal,
    reference: &str,
) -> ServiceResult<CaseRecord> {
    who.require(Permission::RecordEvents, "attach documents to complaints")?;
    load_visible(state, who, reference).await
}

/// Attaches an accepted upload to the case `reference`: the bytes are kept by their SHA-256 (on disk or in
/// object storage), then the attachment, the bytes' row and the `document_added` event are written
/// together. A `description` is optional free text. On any refusal the staged file is removed and nothing
/// is written to the database.
pub async fn attach_document(
    state: &AppState,
    who: &Principal,
    reference: &str,
    upload: Upload,
    description: Option<String>,
) -> ServiceResult<CaseDocumentRecord> {
    let description = description.filter(|d| !d.trim().is_empty());
    if let Some(problem) = description
        .as_deref()
        .and_then(|d| text::problem(d, TextKind::Paragraphs))
    {
        upload.discard().await;
        return Err(ServiceError::invalid("description", problem));
    }
    let case = match may_attach(state, who, reference).await {
        Ok(case) => case,
        Err(e) => {
            upload.discard().await;
            return Err(e);
        }
    };
    let (id, sha256, size) = (new_id(), upload.sha256.clone(), upload.size);
    let (name, content_type) = (upload.name.clone(), upload.kind.content_type);
    state
        .documents
        .keep_file(&upload.staged, &sha256)
        .await
        .map_err(|e| ServiceError::Internal(format!("keeping a document: {e}")))?;
    let event = Event::DocumentAdded {
        on: state.today(),
        document: id.clone(),
        sha256: sha256.clone(),
        name: name.clone(),
        content_type: content_type.to_owned(),
        size,
    };
    let (event, projection) = admit(state, who, &case, event).await?;
    let add = CaseDocumentAdd {
        id: id.clone(),
        case_id: case.id.clone(),
        expected_version: case.version(),
        event,
        projection,
        document: DocumentRecord {
            id: sha256,
            content_type: content_type.to_owned(),
            size: i64::try_from(size).unwrap_or(i64::MAX),
            name: name.clone(),
            created_at: now_utc(),
        },
        name,
        description,
        uploaded_by: Some(who.id.clone()),
        recorded_at: now_utc(),
    };
    state.store.add_case_document(&add).await?;
    tracing::info!(%reference, document = %id, content_type, size, "document attached");
    read_document(state, who, &id).await
}

/// The event as the domain admits it on the case, and the case's projection once it is applied.
async fn admit(
    state: &AppState,
    who: &Principal,
    case: &CaseRecord,
    event: Event,
) -> ServiceResult<(CaseEvent, redress_store::Projection)> {
    let loaded = state
        .policy(&case.policy_id, Some(case.policy_version))
        .await?;
    let today = state.today();
    let mut folded = fold(case)?;
    let event = folded
        .admit(
            &loaded.policy,
            &loaded.calendar,
            today,
            event,
            Some(&who.id),
        )
        .map_err(refusal)?;
    let recorded = CaseEvent::new(event, Some(&who.id));
    folded
        .apply(&recorded)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok((recorded, project(&folded, &loaded, today)))
}

fn fold(case: &CaseRecord) -> ServiceResult<Case> {
    let events: Vec<CaseEvent> = case.events.iter().map(|e| e.event.clone()).collect();
    Case::fold(&events)
        .map_err(|e| ServiceError::Internal(format!("case {} does not fold: {e}", case.reference)))
}

/// The documents attached to a case the caller may see, oldest first. For a role that sees no personal
/// data, names and descriptions are withheld.
pub async fn case_documents(
    state: &AppState,
    who: &Principal,
    case: &CaseRecord,
) -> ServiceResult<Vec<CaseDocumentRecord>> {
    let mut documents = state.store.case_documents(&case.id).await?;
    if !who.sees_personal_data() {
        documents.iter_mut().for_each(withhold);
    }
    Ok(documents)
}

/// The documents attached to case `reference`, as [`case_documents`].
pub async fn documents_of(
    state: &AppState,
    who: &Principal,
    reference: &str,
) -> ServiceResult<Vec<CaseDocumentRecord>> {
    let case = load_visible(state, who, reference).await?;
    case_documents(state, who, &case).await
}

fn withhold(d: &mut CaseDocumentRecord) {
    d.name = WITHHELD.to_owned();
    d.document.name = WITHHELD.to_owned();
    if d.description.is_some() {
        d.description = Some(WITHHELD.to_owned());
    }
}

/// An attachment the caller may see (as its case: a confidential case's documents do not exist for
/// those who may not see it). Its name is withheld from a role that sees no personal data.
pub async fn read_document(
    state: &AppState,
    who: &Principal,
    id: &str,
) -> ServiceResult<CaseDocumentRecord> {
    let not_found = || ServiceError::NotFound(format!("there is no document {id}"));
    if id.len() > 64 {
        return Err(not_found());
    }
    let mut record = state.store.case_document(id).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        e => e.into(),
    })?;
    load_visible(state, who, &record.reference)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound(_) => not_found(),
            e => e,
        })?;
    if !who.sees_personal_data() {
        withhold(&mut record);
    }
    Ok(record)
}

/// An attachment's bytes, for a caller who may see personal data (viewers may not download: 403).
pub async fn document_bytes(
    state: &AppState,
    who: &Principal,
    id: &str,
) -> ServiceResult<(CaseDocumentRecord, Vec<u8>)> {
    let record = read_document(state, who, id).await?;
    who.require(Permission::ReadPersonalData, "download documents")?;
    let bytes = state
        .documents
        .get(&record.document.id)
        .await
        .map_err(|e| ServiceError::Internal(format!("document {id}: reading its bytes: {e}")))?;
    Ok((record, bytes))
}
