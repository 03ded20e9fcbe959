//! Documents on the staff pages: the case file's Documents section (each document with its type, size,
//! who attached it and when, and a download link), attaching one from it (a multipart form whose CSRF
//! token is checked before any byte of the file is kept), and downloading one. The same service
//! operations as the API's documents; viewers see how many documents there are, never their names.

use std::collections::HashMap;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::case::human_date;
use redress_store::CaseDocumentRecord;

use super::SharedState;
use super::case_file::case_page_for;
use super::form::check_post;
use super::layout::{FormError, error_page, render};
use super::timeline::human_size;
use crate::error::ApiError;
use crate::service::documents::{attach_document, document_bytes, may_attach};
use crate::session::Staff;
use crate::upload::{UploadError, read_upload, size_words};

/// The id of the file field, which the error summary links to.
pub(crate) const FILE_FIELD: &str = "document-file";

/// A document as the case file lists it.
pub(crate) struct DocumentRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) size: String,
    pub(crate) description: Option<String>,
    pub(crate) by: String,
    pub(crate) when: String,
}

/// The case file's rows for its documents, oldest first.
pub(crate) fn document_rows(
    documents: Vec<CaseDocumentRecord>,
    names: &HashMap<String, String>,
) -> Vec<DocumentRow> {
    documents
        .into_iter()
        .map(|d| DocumentRow {
            kind: redress_domain::documents::by_content_type(&d.document.content_type)
                .map_or_else(|| d.document.content_type.clone(), |k| k.label.to_owned()),
            size: human_size(u64::try_from(d.document.size).unwrap_or(0)),
            by: d
                .uploaded_by
                .as_ref()
                .map(|b| names.get(b).cloned().unwrap_or_else(|| "API".into()))
                .unwrap_or_else(|| "System".into()),
            when: d
                .uploaded_at
                .get(..10)
                .and_then(|day| day.parse().ok())
                .map(human_date)
                .unwrap_or_else(|| d.uploaded_at.clone()),
            id: d.id,
            name: d.name,
            description: d.description,
        })
        .collect()
}

/// What the file field's hint says: the kinds accepted and the cap.
pub(crate) fn upload_hint(max: u64) -> String {
    format!(
        "{}, up to {}. Its contents decide its type, not its name.",
        super::form::capitalise(&redress_domain::documents::allowed_list()),
        size_words(max)
    )
}

/// Attaches a document from the case file's form, then shows the case file with it listed; a refusal
/// shows the case file again with the problem in its error summary, linked to the file field.
pub(crate) async fn attach_document_form(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Path(reference): Path<String>,
    request: Request,
) -> Response {
    let who = staff.principal();
    if let Err(e) = may_attach(&state, &who, &reference).await {
        return error_page(&staff, e);
    }
    // The token is checked when the file starts, before any byte of it is kept.
    let mut expired = None;
    let csrf_checked = |fields: &HashMap<String, String>| {
        check_post(&staff, &headers, fields).map_err(|page| {
            expired = Some(page);
            ApiError::BadRequest("the form has expired".into())
        })
    };
    let max = state.max_document_bytes;
    let read = read_upload(request, &state.documents, max, csrf_checked).await;
    if let Some(page) = expired {
        return page;
    }
    let form = match read {
        Ok(form) => form,
        Err(UploadError::Failed(cause)) => {
            return error_page(
                &staff,
                ApiError::Internal(format!("receiving a document: {cause}")),
            );
        }
        Err(e) => {
            return refused(
                &state,
                &staff,
                &reference,
                e.status(),
                FILE_FIELD,
                e.message(),
            )
            .await;
        }
    };
    let description = form.fields.get("description").cloned();
    match attach_document(&state, &who, &reference, form.file, description).await {
        Ok(_) => Redirect::to(&format!("/complaints/{reference}?done=document#documents"))
            .into_response(),
        Err(crate::service::ServiceError::Invalid { errors, .. }) => {
            let message = errors.first().map(|e| e.detail.clone()).unwrap_or_default();
            let field = "document-description";
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            refused(
                &state,
                &staff,
                &reference,
                status,
                field,
                format!("The description {message}"),
            )
            .await
        }
        Err(e) => error_page(&staff, e),
    }
}

/// The case file again, with the problem linked to `field`.
async fn refused(
    state: &crate::AppState,
    staff: &Staff,
    reference: &str,
    status: StatusCode,
    field: &str,
    message: String,
) -> Response {
    let errors = vec![FormError {
        id: field.to_owned(),
        message,
    }];
    match case_page_for(state, staff, reference, HashMap::new(), errors, None, None).await {
        Ok(page) => render(&page, status),
        Err(e) => error_page(staff, e),
    }
}

/// Downloads a document: an attachment under its safe name, never shown inline; refused to viewers.
pub(crate) async fn document_download(
    State(state): SharedState,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    match document_bytes(&state, &staff.principal(), &id).await {
        Ok((record, bytes)) => {
            crate::download::document_file(&record.name, &record.document.content_type, bytes)
        }
        Err(e) => error_page(&staff, e),
    }
}
