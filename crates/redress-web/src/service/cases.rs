//! A case the caller may see, its projection for the queues, and recording a step on it.

use jiff::civil::Date;
use redress_domain::access::{Permission, Role};
use redress_domain::case::{Case, Directory};
use redress_domain::event::{CaseEvent, Event};
use redress_domain::text::{self};
use redress_store::{CaseRecord, Projection, User, now_utc};

use crate::auth::Principal;
use crate::error::FieldError;
use crate::service::{ServiceError, ServiceResult};
use crate::{AppState, LoadedPolicy};

/// The projection the work queues read, from the domain's view of the case.
pub fn project(case: &Case, loaded: &LoadedPolicy, today: Date) -> Projection {
    let position = case.queue_position(&loaded.policy, &loaded.calendar, today);
    Projection {
        stage: case.stage(),
        state: case.state.as_str().to_owned(),
        feedback_type: case.feedback_type.as_str().to_owned(),
        received_on: case.received_on,
        assignee: case.assignee.clone(),
        next_due_on: position.next_due.as_ref().map(|d| d.due_on),
        next_due_clock: position.next_due.map(|d| d.clock.as_str().to_owned()),
        is_open: !case.state.is_finished(),
        late_acknowledged_on: position.late_acknowledged_on,
    }
}

pub async fn load_visible(
    state: &AppState,
    who: &Principal,
    reference: &str,
) -> ServiceResult<CaseRecord> {
    let not_found = || ServiceError::NotFound(format!("there is no complaint {reference}"));
    if reference.len() > 40 {
        return Err(not_found());
    }
    let record = state
        .store
        .case_by_reference(reference)
        .await
        .map_err(|e| match e {
            redress_store::StoreError::NotFound => not_found(),
            e => e.into(),
        })?;
    // A confidential case is invisible, not forbidden, to those who may not see it: its existence is
    // itself confidential.
    if record.confidential && !may_see_confidential(who, &record) {
        return Err(not_found());
    }
    Ok(if who.sees_personal_data() {
        record
    } else {
        without_personal_data(record)
    })
}

/// Whether `who` may see a confidential case: roles with [`Permission::ReadConfidential`] see every one;
/// anyone else only those they logged (the `by` of the received event) and those assigned to them now (the
/// projection's assignee, as the lists filter them: a past assignee no longer sees the case).
pub fn may_see_confidential(who: &Principal, record: &CaseRecord) -> bool {
    let logged_it = record
        .events
        .first()
        .and_then(|e| e.event.by.as_deref())
        .is_some_and(|by| by == who.id);
    let assigned_now = record.projection.assignee.as_deref() == Some(who.id.as_str());
    who.role.can(Permission::ReadConfidential) || logged_it || assigned_now
}

/// The case as a role without the personal-data permission may see it: the domain withholds every personal
/// field of every event, and the complainant and the complaint text are dropped.
pub(crate) fn without_personal_data(mut record: CaseRecord) -> CaseRecord {
    for e in &mut record.events {
        e.event.event = redress_domain::privacy::redact(&e.event.event);
    }
    record.complainant = None;
    record.summary = redress_domain::privacy::WITHHELD.to_owned();
    record
}

/// Records a step on a case for `who`: the domain decides, the store appends with the version read (or
/// `expected`, when the caller says which version it saw).
pub async fn record_step(
    state: &AppState,
    who: &Principal,
    reference: &str,
    event: Event,
    expected: Option<i64>,
) -> ServiceResult<()> {
    who.require(Permission::RecordEvents, "record steps on complaints")?;
    if matches!(event, Event::LetterIssued { .. }) {
        return Err(ServiceError::Refused {
            detail: "A letter is issued, not recorded: issue a letter through POST /api/v1/letters/{id}/issue".into(),
            field: Some("type".into()),
        });
    }
    if matches!(event, Event::DocumentAdded { .. }) {
        return Err(ServiceError::Refused {
            detail: "A document is uploaded, not recorded: upload it through POST /api/v1/complaints/{reference}/documents (multipart, field `file`)".into(),
            field: Some("type".into()),
        });
    }
    let today = state.today();
    let record = load_visible(state, who, reference).await?;
    let version = record.version();
    if let Some(expected) = expected
        && expected != version
    {
        return Err(redress_store::StoreError::Conflict {
            expected,
            actual: version,
        }
        .into());
    }
    let loaded = state
        .policy(&record.policy_id, Some(record.policy_version))
        .await?;
    let events: Vec<CaseEvent> = record.events.iter().map(|e| e.event.clone()).collect();
    let mut case = Case::fold(&events)
        .map_err(|e| ServiceError::Internal(format!("case {reference} does not fold: {e}")))?;
    let problems = text::event_text_problems(&event);
    if !problems.is_empty() {
        let errors: Vec<FieldError> = problems
            .into_iter()
            .map(|(field, detail)| FieldError { field, detail })
            .collect();
        return Err(ServiceError::fields(errors));
    }
    let (event, people) = resolve_people(state, event).await?;
    let event = case
        .admit_with(
            &loaded.policy,
            &loaded.calendar,
            today,
            event,
            Some(&who.id),
            people.as_ref().map(|p| p as &dyn Directory),
        )
        .map_err(refusal)?;
    let kind = event.kind();
    let recorded = CaseEvent::new(event, Some(&who.id));
    case.apply(&recorded)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let projection = project(&case, &loaded, today);
    let notices = crate::service::messages::notices_for(state, who, &record, &recorded).await?;
    state
        .store
        .append_with_messages(
            &record.id,
            version,
            std::slice::from_ref(&recorded),
            &now_utc(),
            (&projection, &notices),
        )
        .await?;
    tracing::info!(%reference, event = kind, "step recorded");
    Ok(())
}

/// The staff the domain asks about when a rule concerns people (names in messages, approvers' roles).
pub struct StaffDirectory(Vec<User>);

impl Directory for StaffDirectory {
    fn name_of(&self, id: &str) -> Option<String> {
        self.0.iter().find(|u| u.id == id).map(|u| u.name.clone())
    }

    fn role_of(&self, id: &str) -> Option<Role> {
        self.0.iter().find(|u| u.id == id).map(|u| u.role)
    }
}

impl StaffDirectory {
    /// The directory of these users.
    pub fn of(users: Vec<User>) -> StaffDirectory {
        StaffDirectory(users)
    }

    /// Loads every user.
    pub async fn load(state: &AppState) -> ServiceResult<StaffDirectory> {
        Ok(StaffDirectory(state.store.users().await?))
    }

    /// The user a person field names, by id or by email address (any case).
    fn find(&self, field: &str, value: &str) -> ServiceResult<&User> {
        let wanted = value.trim();
        self.0
            .iter()
            .find(|u| u.id == wanted || u.email.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                ServiceError::invalid(
                    field,
                    "is not a member of staff: give a user's email address or id",
                )
            })
    }
}

/// Replaces the people an event names (by email or id) with their user ids, refusing anyone unknown, and
/// returns the directory for the domain's rules about people.
/// Only the steps whose rules concern people read the users (the rest need no directory).
pub(crate) async fn resolve_people(
    state: &AppState,
    event: Event,
) -> ServiceResult<(Event, Option<StaffDirectory>)> {
    if !matches!(
        event,
        Event::Assigned { .. } | Event::ContactRestricted { .. } | Event::Responded { .. }
    ) {
        return Ok((event, None));
    }
    let people = StaffDirectory::load(state).await?;
    let event = match event {
        Event::Assigned { on, officer } => {
            let user = people.find("officer", &officer)?;
            if !user.role.can(Permission::RecordEvents) {
                return Err(ServiceError::invalid(
                    "officer",
                    format!(
                        "{} is a {} and cannot handle complaints",
                        user.name,
                        user.role.display_name().to_lowercase()
                    ),
                ));
            }
            Event::Assigned {
                on,
                officer: user.id.clone(),
            }
        }
        Event::ContactRestricted {
            on,
            restriction,
            approved_by,
            review_on,
        } => Event::ContactRestricted {
            on,
            restriction,
            approved_by: if approved_by.trim().is_empty() {
                approved_by
            } else {
                people.find("approved_by", &approved_by)?.id.clone()
            },
            review_on,
        },
        other => other,
    };
    Ok((event, Some(people)))
}

/// The domain's refusal as an answer: a malformed step (a day still to come) is a 422, a step the policy or
/// the lifecycle refuses a 409; both name the field.
pub(crate) fn refusal(refused: redress_domain::Refused) -> ServiceError {
    let field = refused.field.unwrap_or("").to_owned();
    if refused.malformed {
        ServiceError::invalid(field, refused.message)
    } else {
        ServiceError::Refused {
            detail: refused.message,
            field: (!field.is_empty()).then_some(field),
        }
    }
}
