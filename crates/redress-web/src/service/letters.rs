//! Letters: drafting one on a case and reading it back. A draft is stored as its kind, stage and the
//! officer's paragraphs; its content is built again from the case by the domain ([`Letter::draft`])
//! whenever it is read, so a draft follows the case. An issued letter is read from the case as it stood
//! when the letter was issued (the events before its `letter_issued`), so its content never changes.

use redress_domain::access::Permission;
use redress_domain::case::Case;
use redress_domain::event::{CaseEvent, Event};
use redress_domain::letters::{Letter, LetterKind, MissingElement, Signatory};
use redress_domain::text::{self, TextKind};
use redress_store::{
    CaseRecord, LetterRecord, LetterStatus, NewLetter, StoreError, new_id, now_utc,
};

use crate::auth::Principal;
use crate::error::FieldError;
use crate::service::cases::{load_visible, refusal};
use crate::service::{ServiceError, ServiceResult};
use crate::{AppState, LoadedPolicy};

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
) -> ServiceResult<LetterDraft> {
    who.require(Permission::RecordEvents, "draft letters")?;
    let kind = LetterKind::parse(kind).ok_or_else(|| {
        ServiceError::invalid(
            "kind",
            format!("is not a kind of letter: use one of {}", kinds_list()),
        )
    })?;
    let errors: Vec<FieldError> = paragraphs
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            text::problem(p, TextKind::Paragraphs).map(|detail| FieldError {
                field: format!("paragraphs[{i}]"),
                detail,
            })
        })
        .collect();
    if !errors.is_empty() {
        return Err(ServiceError::fields(errors));
    }
    let case = load_visible(state, who, reference).await?;
    let loaded = state
        .policy(&case.policy_id, Some(case.policy_version))
        .await?;
    let folded = fold(&case, case.events.len())?;
    let letter = Letter::draft(
        &folded,
        &loaded.policy,
        &loaded.calendar,
        kind,
        state.today(),
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
    Ok(LetterDraft {
        record,
        letter,
        missing,
        case,
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
    let folded = fold(case, upto)?;
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
