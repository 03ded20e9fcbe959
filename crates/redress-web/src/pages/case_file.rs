//! The case file: the case's clocks, warnings, timeline and the forms for the steps it allows now.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::case::{Case, ClockKind, State as CaseState, human_date};
use redress_domain::event::FeedbackType;
use redress_domain::urgency::{self, Urgency};
use redress_store::CaseRecord;

use super::SharedState;
use super::intake::humanise_dates;
use super::layout::{FormError, Page, error_page, render};
use super::queue::state_label;
use super::steps::fields::StepForm;
use super::steps::{page_of, steps_for};
use super::timeline::describe_event;
use crate::{AppState, LoadedPolicy};
use redress_domain::Step;

use crate::error::ApiError;
use crate::session::Staff;

pub(crate) struct ClockRow {
    pub(crate) clock: &'static str,
    pub(crate) label: String,
    pub(crate) due: String,
    pub(crate) met: String,
    pub(crate) tag_class: &'static str,
    pub(crate) tag_text: String,
    pub(crate) explanation: String,
}

pub(crate) struct TimelineItem {
    pub(crate) when: String,
    pub(crate) by: String,
    pub(crate) title: String,
    pub(crate) details: Vec<String>,
}

#[derive(Template)]
#[template(path = "case.html")]
pub(crate) struct CasePage {
    pub(crate) page: Page,
    pub(crate) reference: String,
    pub(crate) version: i64,
    pub(crate) policy_label: String,
    pub(crate) policy_id: String,
    pub(crate) policy_name: String,
    pub(crate) policy_version: i64,
    pub(crate) stage_name: String,
    pub(crate) state_label: &'static str,
    pub(crate) feedback_label: &'static str,
    pub(crate) received: String,
    pub(crate) channel: &'static str,
    pub(crate) assignee: String,
    pub(crate) complainant: Vec<(String, String)>,
    pub(crate) summary: Option<String>,
    pub(crate) confidential: bool,
    pub(crate) adjustments: String,
    pub(crate) restriction: String,
    pub(crate) heads: Vec<(String, String)>,
    pub(crate) clocks: Vec<ClockRow>,
    /// Why no deadline is shown, when none is.
    pub(crate) no_clocks: &'static str,
    pub(crate) warnings: Vec<String>,
    pub(crate) remedies: Vec<String>,
    pub(crate) timeline: Vec<TimelineItem>,
    pub(crate) steps: Vec<StepForm>,
    /// The case's letters, newest first: (letter id, what it is).
    pub(crate) letters: Vec<(String, String)>,
    /// The documents attached to the case.
    pub(crate) documents: Vec<super::documents::DocumentRow>,
    /// Whether this user may see documents' names and download them.
    pub(crate) can_download: bool,
    /// The upload field's hint: the kinds accepted and the cap.
    pub(crate) upload_hint: String,
    /// The kinds of letter that can be written: (wire name, label).
    pub(crate) letter_kinds: Vec<(&'static str, &'static str)>,
    /// Steps the case allows, but not from this user, each with why.
    pub(crate) withheld: Vec<String>,
    pub(crate) can_record: bool,
    /// The emails about the case, with their status.
    pub(crate) messages: Vec<super::messages::MessageRow>,
    /// Whether this user may send a failed email again.
    pub(crate) can_resend: bool,
}

pub(crate) async fn case_page_for(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    values: HashMap<String, String>,
    errors: Vec<FormError>,
    failed_step: Option<&str>,
    done: Option<String>,
) -> Result<CasePage, ApiError> {
    let who = staff.principal();
    let record = crate::service::cases::load_visible(state, &who, reference).await?;
    let loaded = state
        .policy(&record.policy_id, Some(record.policy_version))
        .await?;
    let events: Vec<_> = record.events.iter().map(|e| e.event.clone()).collect();
    let case = Case::fold(&events).map_err(|e| ApiError::Internal(e.to_string()))?;
    let today = state.today();
    let users = state.store.users().await?;
    let names: HashMap<String, String> = users
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let policy = &loaded.policy;
    let personal = who.sees_personal_data();
    let steps = steps_for(
        &case,
        &loaded,
        &who,
        today,
        &users,
        (&values, &errors, failed_step),
    );
    let withheld = withheld_steps(&case, policy, &who, today, users);
    let letters = case_letters(&case, state.store.letters_of_case(&record.id).await?);
    let documents = crate::service::documents::case_documents(state, &who, &record).await?;
    let mut page = Page::new(
        format!("Complaint {}", record.reference),
        Some(staff),
        "queue",
    );
    page.errors = errors;
    page.done = done;
    Ok(CasePage {
        page,
        reference: record.reference.clone(),
        version: record.version(),
        policy_label: format!("{} (version {})", loaded.record.name, loaded.record.version),
        policy_id: loaded.record.id.clone(),
        policy_name: loaded.record.name.clone(),
        policy_version: loaded.record.version,
        stage_name: policy.stage_name(case.stage()),
        state_label: state_label(case.state.as_str()),
        feedback_label: case.feedback_type.label(),
        received: human_date(case.received_on),
        channel: case.channel.label(),
        assignee: case
            .assignee
            .as_ref()
            .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone()))
            .unwrap_or_else(|| "Not assigned".into()),
        complainant: complainant_rows(&record, personal),
        summary: personal.then(|| record.summary.clone()),
        confidential: record.confidential,
        adjustments: adjustments_text(&case, personal),
        restriction: restriction_text(&case),
        heads: defined_heads(&case),
        clocks: clock_rows(&case, &loaded, today),
        no_clocks: why_no_clocks(&case),
        warnings: case
            .warnings(policy, &loaded.calendar, today)
            .into_iter()
            .map(|w| format!("{} (Code {})", w.message, w.provision))
            .collect(),
        remedies: remedy_lines(&case),
        timeline: timeline_items(&record, &names, &loaded),
        steps,
        withheld,
        letters,
        documents: super::documents::document_rows(documents, &names),
        can_download: personal,
        upload_hint: super::documents::upload_hint(state.max_document_bytes),
        letter_kinds: super::letters::letter_kinds(),
        can_record: who.role.can(Permission::RecordEvents),
        messages: super::messages::message_rows(state, &who, &record).await?,
        can_resend: who.role.can(Permission::ResendMessages),
    })
}

/// What the case allows now that `who` may not do, and why: said on their page rather than left out.
fn withheld_steps(
    case: &Case,
    policy: &redress_domain::Policy,
    who: &crate::auth::Principal,
    today: Date,
    users: Vec<redress_store::User>,
) -> Vec<String> {
    let actor = redress_domain::Actor {
        id: &who.id,
        role: who.role,
    };
    let people = crate::service::cases::StaffDirectory::of(users);
    case.steps_for_someone_else(policy, &actor, today, Some(&people))
        .into_iter()
        .map(|(step, why)| format!("{}: {why}.", page_of(step).button))
        .collect()
}

/// The case's letters, newest first, each with what it is: issued when and how, or a draft.
fn case_letters(case: &Case, records: Vec<redress_store::LetterRecord>) -> Vec<(String, String)> {
    records
        .into_iter()
        .map(|r| {
            let name = super::letters::letter_name(r.kind);
            let label = match case.letters.iter().find(|l| l.letter == r.id) {
                Some(l) => format!(
                    "{name}, issued {} by {}",
                    human_date(l.on),
                    l.channel.as_str()
                ),
                None if r.step.is_some() => format!(
                    "{name}, draft: not yet issued (issuing it records the {})",
                    if r.kind == redress_domain::LetterKind::Extension {
                        "extension"
                    } else {
                        "response"
                    }
                ),
                None => format!("{name}, draft: not yet issued"),
            };
            (r.id, label)
        })
        .collect()
}

/// Why a case has no clock to show: what it is, or where it stands.
fn why_no_clocks(case: &Case) -> &'static str {
    match (case.feedback_type, case.state) {
        (FeedbackType::Comment | FeedbackType::Compliment, _) => {
            "Comments and compliments are recorded and passed on: the policy sets them no deadlines."
        }
        (_, CaseState::NotAccepted) => "The complaint was not accepted, so no deadline runs.",
        (_, CaseState::Closed) => "The case is closed: no deadline is running.",
        _ => "No deadline is running on this case now.",
    }
}

/// Each clock with its urgency as the domain judges it today.
fn clock_rows(case: &Case, loaded: &LoadedPolicy, today: Date) -> Vec<ClockRow> {
    let warning = loaded.policy.due_soon_working_days;
    case.deadlines(&loaded.policy, &loaded.calendar, today)
        .into_iter()
        .map(|d| {
            let urgency = urgency::of_deadline(&d, &loaded.calendar, warning, today);
            let (tag_class, tag_text) = clock_tag(urgency, d.kind, warning);
            ClockRow {
                clock: d.clock.as_str(),
                label: d.clock.label(&loaded.policy),
                due: human_date(d.due_on),
                met: d
                    .met_on
                    .map(|m| format!("on {}", human_date(m)))
                    .unwrap_or_default(),
                tag_class,
                tag_text,
                explanation: humanise_dates(&d.explanation),
            }
        })
        .collect()
}

/// The tag a clock shows for its urgency.
fn clock_tag(urgency: Urgency, kind: ClockKind, warning: u32) -> (&'static str, String) {
    match (urgency, kind) {
        (Urgency::Met, _) => ("tag-ok", urgency.label(warning)),
        (Urgency::MetLate, ClockKind::Window) => ("tag-late", "Asked late".to_owned()),
        (Urgency::MetLate, _) => ("tag-late", urgency.label(warning)),
        (Urgency::WindowClosed, _) => ("tag-neutral", urgency.label(warning)),
        (Urgency::Overdue, _) => ("tag-overdue", urgency.label(warning)),
        // The resident's window is theirs: it is never "due soon" for the landlord.
        (Urgency::DueToday | Urgency::DueSoon, ClockKind::Window) | (Urgency::OnTrack, _) => {
            ("tag-ok", Urgency::OnTrack.label(warning))
        }
        (Urgency::DueToday | Urgency::DueSoon, _) => ("tag-soon", urgency.label(warning)),
    }
}

/// Who is complaining, as far as the role may see.
fn complainant_rows(record: &CaseRecord, personal: bool) -> Vec<(String, String)> {
    if !personal {
        return vec![(
            "Complainant".into(),
            "Hidden: your role does not see personal data".into(),
        )];
    }
    let Some(c) = &record.complainant else {
        return vec![("Complainant".to_owned(), "Anonymous".to_owned())];
    };
    let mut rows = vec![(
        "Complainant".to_owned(),
        c.name.clone().unwrap_or_else(|| "Name not given".into()),
    )];
    for (label, value) in [
        ("Email", &c.email),
        ("Telephone", &c.phone),
        ("Address", &c.address),
    ] {
        if let Some(value) = value {
            rows.push((label.into(), value.clone()));
        }
    }
    if let Some(r) = &c.representative_name {
        let relationship = c
            .representative_relationship
            .as_ref()
            .map(|x| format!(" ({x})"))
            .unwrap_or_default();
        let consent = if c.representative_consent {
            ", consent recorded"
        } else {
            ", consent not recorded"
        };
        rows.push((
            "Representative".into(),
            format!("{r}{relationship}{consent}"),
        ));
    }
    rows
}

fn adjustments_text(case: &Case, personal: bool) -> String {
    if !personal {
        return "Hidden".into();
    }
    case.adjustments.as_ref().map_or_else(
        || "None recorded".into(),
        |a| {
            format!(
                "{} – {}{}",
                a.needs,
                a.adjustments,
                a.review_on
                    .map(|r| format!(" (review by {})", human_date(r)))
                    .unwrap_or_default()
            )
        },
    )
}

fn restriction_text(case: &Case) -> String {
    case.contact_restriction.as_ref().map_or_else(
        || "None".into(),
        |r| {
            format!(
                "{} (approved by {}; review by {})",
                r.restriction,
                r.approved_by,
                human_date(r.review_on)
            )
        },
    )
}

/// The heads of the current definition with the outcome sought for each.
fn defined_heads(case: &Case) -> Vec<(String, String)> {
    case.round()
        .definition
        .as_ref()
        .map(|d| {
            d.heads
                .iter()
                .map(|h| {
                    (
                        h.summary.clone(),
                        h.outcome_sought.clone().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn remedy_lines(case: &Case) -> Vec<String> {
    case.remedies
        .iter()
        .map(|r| {
            format!(
                "{}: {}{}{}{}",
                r.id,
                r.remedy.description,
                r.remedy
                    .amount_pence
                    .map(|p| format!(" ({})", redress_domain::text::pounds(p)))
                    .unwrap_or_default(),
                r.remedy
                    .due_on
                    .map(|d| format!(", due {}", human_date(d)))
                    .unwrap_or_default(),
                r.completed_on
                    .map(|d| format!(", done {}", human_date(d)))
                    .unwrap_or_else(|| ", not yet done".into())
            )
        })
        .collect()
}

/// Every event in words, with who recorded it.
fn timeline_items(
    record: &CaseRecord,
    names: &HashMap<String, String>,
    loaded: &LoadedPolicy,
) -> Vec<TimelineItem> {
    record
        .events
        .iter()
        .map(|e| {
            let (title, details) = describe_event(&e.event.event, names, loaded);
            TimelineItem {
                when: human_date(e.event.event.on()),
                by: e
                    .event
                    .by
                    .as_ref()
                    .map(|b| names.get(b).cloned().unwrap_or_else(|| "API".into()))
                    .unwrap_or_else(|| "System".into()),
                title,
                details,
            }
        })
        .collect()
}

pub(crate) async fn case_page(
    State(state): SharedState,
    staff: Staff,
    Path(reference): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let done = q.get("done").map(|d| match Step::parse(d) {
        _ if d == "logged" => "The complaint has been logged.".to_owned(),
        _ if d == "document" => "The document has been attached.".to_owned(),
        Some(step) => page_of(step).done.to_owned(),
        None => "The step has been recorded.".to_owned(),
    });
    // No message is ever taken from the URL: a crafted link cannot put its own words on the page.
    let errors = Vec::new();
    match case_page_for(
        &state,
        &staff,
        &reference,
        HashMap::new(),
        errors,
        None,
        done,
    )
    .await
    {
        Ok(p) => render(&p, StatusCode::OK),
        Err(e) => error_page(&staff, e),
    }
}
