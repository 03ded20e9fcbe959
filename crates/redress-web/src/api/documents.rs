//! Documents attached to complaints: upload one (multipart), list a complaint's, download one.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use redress_store::CaseDocumentRecord;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::AppStateRef;
use crate::auth::Principal;
use crate::error::{ApiResult, Problem};
use crate::service::documents::{attach_document, document_bytes, documents_of, may_attach};
use crate::upload::read_upload;

/// A document to attach, as `multipart/form-data`.
#[derive(Debug, ToSchema)]
#[allow(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct UploadDocument {
    /// The file: PDF, JPEG, PNG, GIF, WebP, HEIC, DOCX, XLSX, ODT, an email (.eml) or plain text, told
    /// from its bytes (the declared type and the name's extension are not trusted); not empty; at most
    /// the configured cap (25 MiB unless configured).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What it is, in your words (optional, up to 5,000 characters).
    pub description: Option<String>,
}

/// A document attached to a complaint.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDocumentView {
    /// The attachment's id: what `GET /api/v1/documents/{id}` takes.
    pub id: String,
    /// The complaint it is attached to.
    pub reference: String,
    /// Its file name, made safe (its extension matches its type). Withheld from viewers.
    pub name: String,
    /// Its size in bytes.
    pub size: i64,
    /// The SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Its media type, sniffed from its bytes.
    pub content_type: String,
    /// What it is, in the uploader's words. Withheld from viewers.
    pub description: Option<String>,
    /// Who attached it (a staff user's or API token's id).
    pub uploaded_by: Option<String>,
    /// When (UTC).
    pub uploaded_at: String,
}

/// The documents attached to a complaint.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDocumentList {
    /// Oldest first.
    pub items: Vec<CaseDocumentView>,
}

pub(crate) fn document_view(d: CaseDocumentRecord) -> CaseDocumentView {
    CaseDocumentView {
        id: d.id,
        reference: d.reference,
        name: d.name,
        size: d.document.size,
        sha256: d.document.id,
        content_type: d.document.content_type,
        description: d.description,
        uploaded_by: d.uploaded_by,
        uploaded_at: d.uploaded_at,
    }
}

/// Attach a document to a complaint.
///
/// The file is sent as `multipart/form-data` in the field `file` (with an optional `description`). Its
/// type is told from its bytes against the allow-list; its name is made safe. The upload is recorded on
/// the complaint's timeline as `document_added`, in the same write as the attachment.
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{reference}/documents",
    params(("reference" = String, Path, description = "The complaint reference")),
    request_body(content = UploadDocument, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Attached", body = CaseDocumentView),
        (status = 400, description = "The form could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not attach documents (viewers)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone else changed the case at the same moment: send it again", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than the cap (25 MiB unless configured)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, an empty file, a type not on the allow-list, or a description too long, naming the field", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "documents"
)]
pub async fn upload_document(
    State(state): AppStateRef,
    who: Principal,
    Path(reference): Path<String>,
    request: Request,
) -> ApiResult<Response> {
    may_attach(&state, &who, &reference).await?;
    let form = read_upload(request, &state.documents, state.max_document_bytes, |_| {
        Ok(())
    })
    .await?;
    let description = form.fields.get("description").cloned();
    let added = attach_document(&state, &who, &reference, form.file, description).await?;
    Ok((StatusCode::CREATED, Json(document_view(added))).into_response())
}

/// The documents attached to a complaint.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{reference}/documents",
    params(("reference" = String, Path, description = "The complaint reference")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest first; names and descriptions withheld from viewers", body = CaseDocumentList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "documents"
)]
pub async fn list_documents(
    State(state): AppStateRef,
    who: Principal,
    Path(reference): Path<String>,
) -> ApiResult<Response> {
    let items = documents_of(&state, &who, &reference).await?;
    let items = items.into_iter().map(document_view).collect();
    Ok(Json(CaseDocumentList { items }).into_response())
}

/// Download a document.
///
/// Served as an attachment under its safe name, with its sniffed media type and
/// `X-Content-Type-Options: nosniff`. Viewers may not download documents (403).
#[utoipa::path(
    get,
    path = "/api/v1/documents/{id}",
    params(("id" = String, Path, description = "The attachment's id (from the upload's answer or the list)")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document's bytes", content_type = "application/octet-stream"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not download documents (viewers)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or its complaint is not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "documents"
)]
pub async fn download_document(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (record, bytes) = document_bytes(&state, &who, &id).await?;
    Ok(crate::download::document_file(
        &record.name,
        &record.document.content_type,
        bytes,
    ))
}
