//! Letters: draft one on a complaint, read it back with its sections and what it still lacks, read it as
//! PDF, DOCX or HTML, and issue it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

use redress_domain::letters::{Answer, ChecklistAnswer, MissingElement};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::AppStateRef;
use crate::api::json::JsonBody;
use crate::auth::Principal;
use crate::error::{ApiResult, Problem};
use crate::service::letters::{
    LetterDraft, LetterFormat, draft_letter, issue_letter, read_letter, render_letter,
};

/// A letter to draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftLetter {
    /// `acknowledgement`, `extension`, `stage_response`, `escalation_acknowledgement`, `not_accepted`,
    /// `escalation_refused`, `closure`, `contact_restriction` or `general`.
    pub kind: String,
    /// The officer's own paragraphs, opening the letter.
    #[serde(default)]
    pub paragraphs: Vec<String>,
    /// The step the letter records when it is issued, where it is not recorded yet: for an `extension`
    /// letter an `extended` event, for a `stage_response` letter a `responded` event, in the events
    /// endpoint's shape. Its `on` is replaced by the day the letter is issued, so that the letter and the
    /// clocks agree.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub step: Option<redress_domain::event::Event>,
}

/// A required content the letter lacks.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingView {
    /// The element's stable id, e.g. `decision_per_head`.
    pub id: &'static str,
    /// What requires it: "Code 6.9", or the policy.
    pub provision: String,
    /// What is missing, in plain English.
    pub message: String,
}

impl From<MissingElement> for MissingView {
    fn from(m: MissingElement) -> Self {
        MissingView {
            id: m.id,
            provision: m.provision,
            message: m.message,
        }
    }
}

/// A question of the policy's checklist for a letter.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistQuestionView {
    /// Its id: the key of its answer in `checklist` when the letter is issued.
    pub id: String,
    /// The question, in the policy's words.
    pub question: String,
}

/// A section of a letter, in the order letters show them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionView {
    /// Which section (`opening`, `issues_complained_of`, `findings`, `next_steps`, …).
    pub kind: String,
    /// Its heading (empty for the opening and the notice).
    pub heading: &'static str,
    /// Its paragraphs or list items.
    pub lines: Vec<String>,
}

/// The document an issued letter is.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    /// Its id: the SHA-256 of its bytes, hex.
    pub id: String,
    /// The SHA-256 of its bytes, hex (the same as `id`).
    pub sha256: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its file name.
    pub name: String,
}

/// A letter.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterView {
    /// Its id.
    pub id: String,
    /// The complaint it is to.
    pub reference: String,
    /// Its kind.
    pub kind: &'static str,
    /// The stage it is about.
    pub stage: u8,
    /// `draft` or `issued`.
    pub status: &'static str,
    /// The letter's date.
    pub date: String,
    /// Its sections, in order.
    pub sections: Vec<SectionView>,
    /// The required contents not present: a letter with any cannot be issued.
    pub missing: Vec<MissingView>,
    /// The step the letter records when it is issued (`extended` or `responded`), if it carries one.
    pub records_step: Option<&'static str>,
    /// The policy's checklist for the letter: every question must be answered when it is issued.
    pub checklist: Vec<ChecklistQuestionView>,
    /// When issued.
    pub issued_at: Option<String>,
    /// How it was sent, once issued (`email` or `post`).
    pub channel: Option<String>,
    /// The document it was issued as.
    pub document: Option<DocumentView>,
}

pub(crate) fn letter_view(d: LetterDraft) -> LetterView {
    let sections = d
        .letter
        .sections()
        .into_iter()
        .map(|s| SectionView {
            kind: serde_json::to_value(s.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            heading: s.heading,
            lines: s.lines,
        })
        .collect();
    LetterView {
        id: d.record.id,
        reference: d.record.reference,
        kind: d.record.kind.as_str(),
        stage: d.record.stage,
        status: d.record.status.as_str(),
        date: d.letter.date.to_string(),
        sections,
        missing: d.missing.into_iter().map(MissingView::from).collect(),
        records_step: d.record.step.as_ref().map(|e| e.kind()),
        checklist: d
            .checklist
            .into_iter()
            .map(|q| ChecklistQuestionView {
                id: q.id,
                question: q.question,
            })
            .collect(),
        issued_at: d.record.issued_at,
        channel: d.record.channel,
        document: d.record.document.map(|doc| DocumentView {
            sha256: doc.id.clone(),
            id: doc.id,
            content_type: doc.content_type,
            size: doc.size,
            name: doc.name,
        }),
    }
}

/// Draft a letter on a complaint.
///
/// The letter's content is built from the case; `missing` lists the required contents not yet present
/// (the letter cannot be issued until it is empty).
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{reference}/letters",
    params(("reference" = String, Path, description = "The complaint reference")),
    request_body = DraftLetter,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Drafted", body = LetterView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not draft letters (viewers)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case cannot have a letter of this kind now, in the domain's words", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, naming the field: an unknown `kind`, a paragraph too long", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "letters"
)]
pub async fn create_letter(
    State(state): AppStateRef,
    who: Principal,
    Path(reference): Path<String>,
    JsonBody(body): JsonBody<DraftLetter>,
) -> ApiResult<Response> {
    let draft = draft_letter(
        &state,
        &who,
        &reference,
        &body.kind,
        body.paragraphs,
        body.step,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(letter_view(draft))).into_response())
}

/// Read a letter, with its sections and what it still lacks.
#[utoipa::path(
    get,
    path = "/api/v1/letters/{id}",
    params(("id" = String, Path, description = "The letter's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = LetterView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such letter, or its case is not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "letters"
)]
pub async fn get_letter(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    // `{id}.pdf`, `.docx` and `.html` arrive here: the router takes a parameter only as a whole segment.
    match id.rsplit_once('.') {
        Some((id, "pdf")) => get_letter_pdf(State(state), who, Path(id.to_owned())).await,
        Some((id, "docx")) => get_letter_docx(State(state), who, Path(id.to_owned())).await,
        Some((id, "html")) => get_letter_html(State(state), who, Path(id.to_owned())).await,
        _ => Ok(Json(letter_view(read_letter(&state, &who, &id).await?)).into_response()),
    }
}

/// The letter as a file: served as an attachment (a PDF, a Word document) or an HTML fragment.
async fn letter_file(
    state: &crate::AppState,
    who: &Principal,
    id: &str,
    format: LetterFormat,
) -> ApiResult<Response> {
    let bytes = render_letter(state, who, id, format).await?;
    Ok(crate::download::letter_file(id, format, bytes))
}

/// The letter as a tagged A4 PDF: once issued, the document issued, byte for byte.
#[utoipa::path(
    get,
    path = "/api/v1/letters/{id}.pdf",
    params(("id" = String, Path, description = "The letter's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The letter as PDF", content_type = "application/pdf"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such letter, or its case is not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "letters"
)]
pub async fn get_letter_pdf(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    letter_file(&state, &who, &id, LetterFormat::Pdf).await
}

/// The letter as a Word document, for an officer who finishes it there.
#[utoipa::path(
    get,
    path = "/api/v1/letters/{id}.docx",
    params(("id" = String, Path, description = "The letter's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The letter as DOCX", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such letter, or its case is not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "letters"
)]
pub async fn get_letter_docx(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    letter_file(&state, &who, &id, LetterFormat::Docx).await
}

/// The letter as an HTML fragment, for a preview (everything in it escaped).
#[utoipa::path(
    get,
    path = "/api/v1/letters/{id}.html",
    params(("id" = String, Path, description = "The letter's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The letter as an HTML fragment", content_type = "text/html"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such letter, or its case is not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "letters"
)]
pub async fn get_letter_html(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    letter_file(&state, &who, &id, LetterFormat::Html).await
}

/// How a letter is issued.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueLetter {
    /// `email` or `post`.
    pub channel: String,
    /// Answers to the policy's checklist for the letter (its `checklist` lists the questions), by question
    /// id: every question answered, and a `no` explained.
    #[serde(default)]
    pub checklist: BTreeMap<String, ChecklistAnswerInput>,
}

/// An answer to a checklist question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswerInput {
    /// `yes` or `no`.
    #[schema(value_type = String)]
    pub answer: Answer,
    /// Why not, or what was done instead: needed for a `no`.
    #[serde(default)]
    pub explanation: Option<String>,
}

/// Issue a letter: render it, keep the PDF by its SHA-256, and record `letter_issued` on the case.
///
/// Refused (409) while a required content is missing, naming each in plain English, and when the letter
/// has been issued already: an issued letter does not change.
#[utoipa::path(
    post,
    path = "/api/v1/letters/{id}/issue",
    params(("id" = String, Path, description = "The letter's id")),
    request_body = IssueLetter,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Issued", body = LetterView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not issue letters (viewers)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such letter, or its case is not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A required content is missing (each named), a checklist question is unanswered, unknown or a no unexplained (each named, field `checklist`), the letter was issued already, the case has changed so that it cannot have it, or (by email) email is not set up on this service or the complainant has no email address: issue it by post", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, naming the field: a channel other than email or post, an answer other than yes or no", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "letters"
)]
pub async fn post_issue_letter(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<IssueLetter>,
) -> ApiResult<Response> {
    let checklist = body
        .checklist
        .into_iter()
        .map(|(question, a)| ChecklistAnswer {
            question,
            answer: a.answer,
            explanation: a.explanation,
        })
        .collect();
    let issued = issue_letter(&state, &who, &id, &body.channel, checklist).await?;
    Ok((StatusCode::CREATED, Json(letter_view(issued))).into_response())
}
