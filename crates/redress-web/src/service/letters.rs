//! Letters: drafting one on a case and reading it back. A draft is stored as its kind, stage and the
//! officer's paragraphs; its content is built again from the case by the domain ([`Letter::draft`])
//! whenever it is read, so a draft follows the case. An issued letter is read from the case as it stood
//! when the letter was issued (the events before its `letter_issued`), so its content never changes.

use redress_domain::access::Permission;
use redress_domain::case::Case;
use redress_domain::event::{CaseEvent, Event, LetterChannel};
use redress_domain::letters::{
    ChecklistAnswer, ChecklistQuestion, Letter, LetterKind, MissingElement, Signatory, letter_step,
};
use redress_domain::text::{self, TextKind};
use redress_store::{
    CaseRecord, DocumentRecord, LetterIssue, LetterRecord, LetterStatus, NewLetter, StoreError,
    new_id, now_utc,
};

use crate::auth::Principal;
use crate::error::FieldError;
use crate::service::cases::{load_visible, project, refusal};
use crate::service::{ServiceError, ServiceResult};
use crate::{AppState, LoadedPolicy};

mod email;
pub use email::message_id_domain;
use email::{LetterEmail, email_sender};

/// A letter with its content as the domain builds it, and what it still lacks.
pub struct LetterDraft {
    /// The stored letter.
    pub record: LetterRecord,
    /// Its content.
    pub letter: Letter,
    /// The required contents not present (empty: it may be issued).
    pub missing: Vec<MissingElement>,
    /// The case it is to (as the caller may see it).
    pub case: CaseRecord,
    /// Who the letter is from, on its letterhead: the landlord the policy is theirs.
    pub case_organisation: String,
    /// The policy's checklist for the letter, answered when it is issued.
    pub checklist: Vec<ChecklistQuestion>,
}

/// The kinds of letter, for a refusal naming them.
fn kinds_list() -> String {
    LetterKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Drafts a letter of `kind` on the case `reference` with the officer's `paragraphs`: the domain refuses a
/// kind the case cannot have now (409, in its words); an unknown kind is invalid input naming `kind`.
pub async fn draft_letter(
    state: &AppState,
    who: &Principal,
    reference: &str,
    kind: &str,
    paragraphs: Vec<String>,
    step: Option<Event>,
) -> ServiceResult<LetterDraft> {
    who.require(Permission::RecordEvents, "draft letters")?;
    let kind = LetterKind::parse(kind).ok_or_else(|| {
        ServiceError::invalid(
            "kind",
            format!("is not a kind of letter: use one of {}", kinds_list()),
        )
    })?;
    let mut errors: Vec<FieldError> = paragraphs
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            text::problem(p, TextKind::Paragraphs).map(|detail| FieldError {
                field: format!("paragraphs[{i}]"),
                detail,
            })
        })
        .collect();
    if let Some(step) = &step {
        errors.extend(
            text::event_text_problems(step)
                .into_iter()
                .map(|(field, detail)| FieldError {
                    field: format!("step.{field}"),
                    detail,
                }),
        );
    }
    if !errors.is_empty() {
        return Err(ServiceError::fields(errors));
    }
    let case = load_visible(state, who, reference).await?;
    let loaded = state
        .policy(&case.policy_id, Some(case.policy_version))
        .await?;
    let folded = fold(&case, case.events.len())?;
    let today = state.today();
    let (folded, step) = match step {
        Some(step) => {
            let (after, admitted) = with_step(&folded, &loaded, kind, step, today, Some(&who.id))?;
            (after, Some(admitted.event))
        }
        None => (folded, None),
    };
    let letter = Letter::draft(
        &folded,
        &loaded.policy,
        &loaded.calendar,
        kind,
        today,
        Some(signatory(who.name.clone())),
        paragraphs.clone(),
    )
    .map_err(refusal)?;
    let new = NewLetter {
        id: new_id(),
        case_id: case.id.clone(),
        kind,
        stage: letter.stage,
        paragraphs,
        step,
        created_at: now_utc(),
        created_by: Some(who.id.clone()),
    };
    state.store.create_letter(&new).await?;
    tracing::info!(%reference, letter = %new.id, kind = kind.as_str(), "letter drafted");
    read_letter(state, who, &new.id).await
}

/// A letter the caller may see (as its case: a confidential case's letters are as invisible as the case),
/// with its content and what it lacks.
pub async fn read_letter(
    state: &AppState,
    who: &Principal,
    id: &str,
) -> ServiceResult<LetterDraft> {
    let not_found = || ServiceError::NotFound(format!("there is no letter {id}"));
    if id.len() > 64 {
        return Err(not_found());
    }
    let record = state.store.letter(id).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        e => e.into(),
    })?;
    let case = load_visible(state, who, &record.reference)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound(_) => not_found(),
            e => e,
        })?;
    let loaded = state
        .policy(&case.policy_id, Some(case.policy_version))
        .await?;
    let letter = content(state, &record, &case, &loaded).await?;
    let missing = letter.missing(&loaded.policy);
    let checklist = loaded
        .policy
        .letters
        .checklist_for(record.kind, record.stage)
        .into_iter()
        .cloned()
        .collect();
    Ok(LetterDraft {
        record,
        letter,
        missing,
        case,
        case_organisation: loaded.policy.name.clone(),
        checklist,
    })
}

/// The letter's content: a draft's from the case now, an issued letter's from the case as it was issued.
async fn content(
    state: &AppState,
    record: &LetterRecord,
    case: &CaseRecord,
    loaded: &LoadedPolicy,
) -> ServiceResult<Letter> {
    let issued_at = case.events.iter().position(
        |e| matches!(&e.event.event, Event::LetterIssued { letter, .. } if *letter == record.id),
    );
    let (upto, day) = match (record.status, issued_at) {
        (LetterStatus::Issued, Some(i)) => (i, case.events[i].event.event.on()),
        (LetterStatus::Issued, None) => {
            return Err(ServiceError::Internal(format!(
                "letter {} is issued but its case has no letter_issued event for it",
                record.id
            )));
        }
        (LetterStatus::Draft, _) => (case.events.len(), state.today()),
    };
    let mut folded = fold(case, upto)?;
    if let (LetterStatus::Draft, Some(step)) = (record.status, &record.step) {
        let by = record.created_by.as_deref();
        folded = with_step(&folded, loaded, record.kind, step.clone(), day, by)?.0;
    }
    let signatory = match &record.created_by {
        Some(id) => state
            .store
            .user_by_id(id)
            .await
            .ok()
            .map(|u| signatory(u.name)),
        None => None,
    };
    let mut letter = Letter::draft(
        &folded,
        &loaded.policy,
        &loaded.calendar,
        record.kind,
        day,
        signatory,
        record.paragraphs.clone(),
    )
    .map_err(refusal)?;
    letter.reference = Some(case.reference.clone());
    // The case names its handler by user id; the resident reads their name.
    if let Some(id) = letter.handler.take() {
        let name = state.store.user_by_id(&id).await.map(|u| u.name).ok();
        letter.handler = Some(name.unwrap_or(id));
    }
    Ok(letter)
}

fn signatory(name: String) -> Signatory {
    Signatory {
        name,
        job_title: None,
    }
}

/// The case folded from its first `upto` events.
fn fold(case: &CaseRecord, upto: usize) -> ServiceResult<Case> {
    let events: Vec<CaseEvent> = case.events[..upto]
        .iter()
        .map(|e| e.event.clone())
        .collect();
    Case::fold(&events)
        .map_err(|e| ServiceError::Internal(format!("case {} does not fold: {e}", case.reference)))
}

/// The case with the step a letter records (its extension or response) taken on `day`, and that step as
/// recorded: the domain decides it as it would on its own.
fn with_step(
    case: &Case,
    loaded: &LoadedPolicy,
    kind: LetterKind,
    step: Event,
    day: jiff::civil::Date,
    by: Option<&str>,
) -> ServiceResult<(Case, CaseEvent)> {
    let step = letter_step(kind, step, day).map_err(refusal)?;
    let step = case
        .admit(&loaded.policy, &loaded.calendar, day, step, by)
        .map_err(refusal)?;
    let recorded = CaseEvent::new(step, by);
    let mut after = case.clone();
    after
        .apply(&recorded)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok((after, recorded))
}

/// The ways a letter is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterFormat {
    /// Tagged A4 PDF: what is issued.
    Pdf,
    /// Word, for an officer who finishes the letter there.
    Docx,
    /// An HTML fragment, for the preview.
    Html,
}

impl LetterFormat {
    /// The media type it is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            LetterFormat::Pdf => "application/pdf",
            LetterFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            LetterFormat::Html => "text/html; charset=utf-8",
        }
    }

    /// The file name ending.
    pub fn extension(self) -> &'static str {
        match self {
            LetterFormat::Pdf => "pdf",
            LetterFormat::Docx => "docx",
            LetterFormat::Html => "html",
        }
    }
}

/// The letter in `format`. An issued letter's PDF is the document issued, byte for byte; everything else
/// is rendered from its content.
pub async fn render_letter(
    state: &AppState,
    who: &Principal,
    id: &str,
    format: LetterFormat,
) -> ServiceResult<Vec<u8>> {
    let draft = read_letter(state, who, id).await?;
    if let (LetterFormat::Pdf, Some(document)) = (format, &draft.record.document) {
        return state.documents.get(&document.id).await.map_err(|e| {
            ServiceError::Internal(format!("letter {id}: reading its document: {e}"))
        });
    }
    let letter = printable_letter(&draft)?;
    match format {
        LetterFormat::Pdf => redress_letters::render_pdf(&letter).map_err(render_failed),
        LetterFormat::Docx => redress_letters::render_docx(&letter).map_err(render_failed),
        LetterFormat::Html => Ok(redress_letters::render_html(&letter).into_bytes()),
    }
}

fn render_failed(e: redress_letters::RenderError) -> ServiceError {
    ServiceError::Internal(format!("rendering a letter: {e}"))
}

/// The printable letter: the domain's content, addressed to the complainant (as far as the caller may see
/// them), in large print when the case's adjustments ask for it.
fn printable_letter(draft: &LetterDraft) -> ServiceResult<redress_letters::PrintableLetter> {
    let folded = fold(&draft.case, draft.case.events.len())?;
    let complainant = draft.case.complainant.as_ref();
    let name = complainant.and_then(|c| c.name.clone());
    let mut recipient: Vec<String> = name.iter().cloned().collect();
    if let Some(address) = complainant.and_then(|c| c.address.as_deref()) {
        recipient.extend(
            address
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    let large_print = folded
        .adjustments
        .as_ref()
        .is_some_and(|a| a.ask_for_large_print());
    let addressing = redress_letters::Addressing {
        letterhead: redress_letters::Letterhead {
            organisation: draft.case_organisation.clone(),
            ..Default::default()
        },
        recipient,
        greet: name,
        large_print,
    };
    Ok(redress_letters::printable(&draft.letter, addressing))
}

/// Issues the letter: refused (409) while any required element is missing, naming each, or when it was
/// issued before. The PDF is rendered, kept by its SHA-256, and the `letter_issued` event recorded with
/// the letter's new status in one write; an issued letter never changes.
pub async fn issue_letter(
    state: &AppState,
    who: &Principal,
    id: &str,
    channel: &str,
    checklist: Vec<ChecklistAnswer>,
) -> ServiceResult<LetterDraft> {
    who.require(Permission::RecordEvents, "issue letters")?;
    let channel = LetterChannel::parse(channel)
        .ok_or_else(|| ServiceError::invalid("channel", "must be \"email\" or \"post\""))?;
    checklist_text(&checklist)?;
    let draft = read_letter(state, who, id).await?;
    if draft.record.status == LetterStatus::Issued {
        return Err(ServiceError::Refused {
            detail: format!(
                "Letter {id} has been issued already: an issued letter does not change"
            ),
            field: None,
        });
    }
    if !draft.missing.is_empty() {
        let missing: Vec<&str> = draft.missing.iter().map(|m| m.message.as_str()).collect();
        return Err(ServiceError::Refused {
            detail: format!("The letter cannot be issued yet: {}", missing.join(" ")),
            field: Some("missing".into()),
        });
    }
    let sender = match channel {
        LetterChannel::Email => Some(email_sender(state, &draft)?),
        LetterChannel::Post => None,
    };
    let printable = printable_letter(&draft)?;
    let pdf = redress_letters::render_pdf(&printable).map_err(render_failed)?;
    let document =
        state.documents.put(&pdf).await.map_err(|e| {
            ServiceError::Internal(format!("letter {id}: storing its document: {e}"))
        })?;
    let issue = Issue {
        channel,
        email: sender.map(|s| s.email(&draft, &printable)),
        document,
        size: pdf.len(),
        checklist,
    };
    record_issue(state, who, &draft, issue).await?;
    tracing::info!(letter = %id, kind = draft.record.kind.as_str(), "letter issued");
    read_letter(state, who, id).await
}

/// How a letter is issued: its channel, its document and the answers to the policy's checklist.
struct Issue {
    channel: LetterChannel,
    /// The email that carries it, when it goes by email.
    email: Option<LetterEmail>,
    document: String,
    size: usize,
    checklist: Vec<ChecklistAnswer>,
}

/// The answers' text within the domain's limits, each problem naming its answer.
fn checklist_text(answers: &[ChecklistAnswer]) -> ServiceResult<()> {
    let mut errors = Vec::new();
    // A question id that is not one of the policy's is refused by the domain (409), whatever its text.
    for a in answers {
        if let Some(detail) = a
            .explanation
            .as_deref()
            .and_then(|e| text::problem(e, TextKind::Paragraphs))
        {
            errors.push(FieldError {
                field: format!("checklist.{}.explanation", a.question),
                detail,
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::fields(errors))
    }
}

/// The `letter_issued` event (after the step the letter records, if any), decided by the domain and
/// written with the letter's status and document.
async fn record_issue(
    state: &AppState,
    who: &Principal,
    draft: &LetterDraft,
    issue: Issue,
) -> ServiceResult<()> {
    let Issue {
        channel,
        email,
        document,
        size,
        checklist,
    } = issue;
    let loaded = state
        .policy(&draft.case.policy_id, Some(draft.case.policy_version))
        .await?;
    let today = state.today();
    let mut case = fold(&draft.case, draft.case.events.len())?;
    let step = match &draft.record.step {
        Some(step) => {
            let (after, recorded) = with_step(
                &case,
                &loaded,
                draft.record.kind,
                step.clone(),
                today,
                Some(&who.id),
            )?;
            case = after;
            Some(recorded)
        }
        None => None,
    };
    let recipients = draft
        .case
        .complainant
        .as_ref()
        .and_then(|c| c.name.clone())
        .into_iter()
        .collect();
    let event = Event::LetterIssued {
        on: today,
        letter: draft.record.id.clone(),
        kind: draft.record.kind,
        stage: draft.record.stage,
        channel,
        recipients,
        document: document.clone(),
        checklist,
    };
    let event = case
        .admit(
            &loaded.policy,
            &loaded.calendar,
            today,
            event,
            Some(&who.id),
        )
        .map_err(refusal)?;
    let recorded = CaseEvent::new(event, Some(&who.id));
    case.apply(&recorded)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let name = format!(
        "{}-{}.pdf",
        draft.case.reference,
        draft.record.kind.as_str()
    );
    let messages = email
        .map(|e| e.messages(draft, (&document, &name)))
        .unwrap_or_default();
    let issue = LetterIssue {
        letter_id: draft.record.id.clone(),
        case_id: draft.case.id.clone(),
        expected_version: draft.case.version(),
        step,
        event: recorded,
        projection: project(&case, &loaded, today),
        channel: channel.as_str().to_owned(),
        document: DocumentRecord {
            id: document,
            content_type: LetterFormat::Pdf.content_type().to_owned(),
            size: i64::try_from(size).unwrap_or(i64::MAX),
            name,
            created_at: now_utc(),
        },
        recorded_at: now_utc(),
        messages,
    };
    state
        .store
        .issue_letter(&issue)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => ServiceError::Refused {
                detail: format!(
                    "Letter {} has been issued already: an issued letter does not change",
                    draft.record.id
                ),
                field: None,
            },
            e => e.into(),
        })?;
    Ok(())
}
