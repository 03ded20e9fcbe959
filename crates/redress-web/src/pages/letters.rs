//! Letters on the staff pages: writing one from the case file, its preview with what it still needs,
//! downloading it, and issuing it. The same service operations as the API's letters.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use redress_domain::access::Permission;
use redress_domain::letters::{Answer, ChecklistAnswer, LetterKind};
use redress_store::LetterStatus;

use super::form::{Form, capitalise, check_post, form_map};
use super::layout::{FormError, Page, error_page, render};
use super::{FormData, SharedState};
use crate::service::letters::{
    LetterFormat, draft_letter, issue_letter, read_letter, render_letter,
};
use crate::session::Staff;

#[derive(Template)]
#[template(path = "letter.html")]
pub(crate) struct LetterPage {
    pub(crate) page: Page,
    pub(crate) id: String,
    pub(crate) reference: String,
    pub(crate) title: String,
    pub(crate) status: &'static str,
    pub(crate) issued: bool,
    pub(crate) missing: Vec<String>,
    /// The renderer's HTML fragment: every piece of case text in it is escaped by the renderer.
    pub(crate) preview: String,
    pub(crate) can_issue: bool,
    /// The policy's checklist, with what was posted when shown again after a refusal.
    pub(crate) checklist: Vec<ChecklistItem>,
    /// The step issuing the letter records, in words ("the Stage 1 response"), if it carries one.
    pub(crate) records: Option<String>,
    /// Whether email is set up on this service: without it letters are issued for post only.
    pub(crate) email_set_up: bool,
}

/// A checklist question on the letter's page.
pub(crate) struct ChecklistItem {
    pub(crate) id: String,
    pub(crate) question: String,
    /// `yes`, `no` or empty, as posted.
    pub(crate) answer: String,
    pub(crate) explanation: String,
}

/// What a letter of `kind` is called: "Acknowledgement letter", "General letter".
pub(crate) fn letter_name(kind: LetterKind) -> String {
    let label = kind.label();
    if label.ends_with("letter") {
        label.to_owned()
    } else {
        format!("{label} letter")
    }
}

/// The kinds of letter the case file offers to write, with their labels.
pub(crate) fn letter_kinds() -> Vec<(&'static str, &'static str)> {
    LetterKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

/// Writes a letter from the case file's form: a draft, then its page.
pub(crate) async fn write_letter(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(form): FormData,
) -> Response {
    let values = form_map(&form);
    if let Err(r) = check_post(&staff, &headers, &values) {
        return r;
    }
    let kind = values.get("kind").map(String::as_str).unwrap_or_default();
    let paragraphs: Vec<String> = values
        .get("paragraphs")
        .map(|p| {
            p.split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    match draft_letter(
        &state,
        &staff.principal(),
        &reference,
        kind,
        paragraphs,
        None,
    )
    .await
    {
        Ok(draft) => Redirect::to(&format!("/letters/{}", draft.record.id)).into_response(),
        Err(e) => error_page(&staff, e),
    }
}

/// A letter's page: its preview, what it still needs, its downloads and, for a draft, issuing it.
pub(crate) async fn letter_page(
    State(state): SharedState,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    // No words are ever taken from the URL: the query only says which message to show.
    let done = query
        .get("done")
        .is_some_and(|d| d == "issued")
        .then(|| "The letter has been issued and recorded on the case.".to_owned());
    letter_page_for(&state, &staff, &id, &Values::new(), Vec::new(), done).await
}

type Values = std::collections::HashMap<String, String>;

/// The letter's page, with what was posted and its errors when an issue was refused.
async fn letter_page_for(
    state: &crate::AppState,
    staff: &Staff,
    id: &str,
    posted: &Values,
    errors: Vec<FormError>,
    done: Option<String>,
) -> Response {
    let who = staff.principal();
    let draft = match read_letter(state, &who, id).await {
        Ok(d) => d,
        Err(e) => return error_page(staff, e),
    };
    let preview = match render_letter(state, &who, id, LetterFormat::Html).await {
        Ok(html) => String::from_utf8_lossy(&html).into_owned(),
        Err(e) => return error_page(staff, e),
    };
    let issued = draft.record.status == LetterStatus::Issued;
    let mut page = Page::new(letter_name(draft.record.kind), Some(staff), "queue");
    page.done = done.filter(|_| issued);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    page.errors = errors;
    let checklist = draft
        .checklist
        .iter()
        .map(|q| ChecklistItem {
            answer: posted
                .get(&format!("checklist-{}", q.id))
                .cloned()
                .unwrap_or_default(),
            explanation: posted
                .get(&format!("checklist-{}-explanation", q.id))
                .cloned()
                .unwrap_or_default(),
            id: q.id.clone(),
            question: q.question.clone(),
        })
        .collect();
    let records = draft.record.step.as_ref().filter(|_| !issued).map(|step| {
        let stage = draft.letter.stage_name.clone();
        match step {
            redress_domain::Event::Extended { .. } => format!("the {stage} extension"),
            _ => format!("the {stage} response"),
        }
    });
    let page = LetterPage {
        page,
        title: letter_name(draft.record.kind),
        status: if issued { "Issued" } else { "Draft" },
        issued,
        missing: draft.missing.iter().map(|m| m.message.clone()).collect(),
        preview,
        can_issue: who.role.can(Permission::RecordEvents),
        email_set_up: state.mail_from.is_some(),
        reference: draft.record.reference.clone(),
        id: draft.record.id,
        checklist,
        records,
    };
    render(&page, status)
}

/// The letter as a file to download.
pub(crate) async fn letter_download(
    State(state): SharedState,
    staff: Staff,
    Path((id, format)): Path<(String, String)>,
) -> Response {
    let format = match format.as_str() {
        "pdf" => LetterFormat::Pdf,
        "docx" => LetterFormat::Docx,
        _ => {
            return super::layout::message(
                Some(&staff),
                StatusCode::NOT_FOUND,
                "Page not found",
                "Letters download as pdf or docx.",
            );
        }
    };
    match render_letter(&state, &staff.principal(), &id, format).await {
        Ok(bytes) => crate::download::letter_file(&id, format, bytes),
        Err(e) => error_page(&staff, e),
    }
}

/// Issues the letter from its page.
pub(crate) async fn issue_letter_form(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): FormData,
) -> Response {
    let values = form_map(&form);
    if let Err(r) = check_post(&staff, &headers, &values) {
        return r;
    }
    let channel = values
        .get("channel")
        .map(String::as_str)
        .unwrap_or_default();
    let checklist = posted_answers(&values);
    match issue_letter(&state, &staff.principal(), &id, channel, checklist).await {
        Ok(_) => Redirect::to(&format!("/letters/{id}?done=issued")).into_response(),
        Err(e) => {
            let e = crate::error::ApiError::from(e);
            let field = match &e {
                crate::error::ApiError::Conflict { field, .. } => field.clone(),
                crate::error::ApiError::Invalid { errors, .. } => {
                    errors.first().map(|f| f.field.clone())
                }
                _ => return error_page(&staff, e),
            };
            let id_of = match field.as_deref() {
                Some(f) if f.starts_with("checklist") => "checklist",
                Some("channel") => "channel-post",
                _ => "issue",
            };
            let errors = vec![FormError {
                id: id_of.into(),
                message: capitalise(&e.to_string()),
            }];
            letter_page_for(&state, &staff, &id, &values, errors, None).await
        }
    }
}

/// The checklist answers posted: `checklist-ID` is `yes` or `no`, `checklist-ID-explanation` the why.
fn posted_answers(values: &Values) -> Vec<ChecklistAnswer> {
    let mut answers: Vec<ChecklistAnswer> = values
        .iter()
        .filter_map(|(key, value)| {
            let id = key.strip_prefix("checklist-")?;
            if id.ends_with("-explanation") {
                return None;
            }
            let answer = Answer::parse(value)?;
            let explanation = values
                .get(&format!("checklist-{id}-explanation"))
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty());
            Some(ChecklistAnswer {
                question: id.to_owned(),
                answer,
                explanation,
            })
        })
        .collect();
    answers.sort_by(|a, b| a.question.cmp(&b.question));
    answers
}
