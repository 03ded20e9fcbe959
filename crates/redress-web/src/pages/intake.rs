//! Logging a complaint: the intake form, its options from the policy, and the answer to a submission.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::case::human_date;
use redress_domain::event::{Channel, Event, FeedbackType, Relationship};

use super::form::{Form, capitalise, check_post, form_map};
use super::layout::{FormError, Page, error_page, render, store_failed};
use super::queue::{Opt, opt};
use super::{FormData, SharedState};
use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::service::ServiceError;
use crate::service::complaints::{
    ComplainantBody, CreateComplaint, RepresentativeBody, field_problems,
};
use crate::session::Staff;

#[derive(Template)]
#[template(path = "new_complaint.html")]
pub(crate) struct NewComplaintPage {
    pub(crate) page: Page,
    pub(crate) values: HashMap<String, String>,
    pub(crate) channels: Vec<Opt>,
    pub(crate) policies: Vec<Opt>,
    pub(crate) triage: Vec<Opt>,
    pub(crate) relationships: Vec<Opt>,
    /// The grounds for not accepting a complaint, by policy: the chosen one first.
    pub(crate) exclusions: Vec<ExclusionGroup>,
    pub(crate) duplicates: Vec<String>,
    pub(crate) idempotency_key: String,
}

impl NewComplaintPage {
    /// A submitted value, for re-showing the form.
    fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
}

/// The channels in the order the form offers them: the telephone, most complaints' way in, first.
const CHANNEL_CHOICES: [Channel; 7] = [
    Channel::Phone,
    Channel::Email,
    Channel::Letter,
    Channel::InPerson,
    Channel::Web,
    Channel::SocialMedia,
    Channel::Representative,
];

/// One policy's grounds for not accepting a complaint.
pub(crate) struct ExclusionGroup {
    pub(crate) policy: String,
    pub(crate) grounds: Vec<Opt>,
}

/// Every installed policy's grounds, the chosen policy's first: without JavaScript the list cannot follow
/// the policy chosen, so it shows each policy's own, and the ground is judged under the policy chosen.
async fn exclusion_groups(
    state: &AppState,
    staff: &Staff,
    installed: &[redress_store::PolicyRecord],
    chosen: &str,
    current: &str,
) -> Result<Vec<ExclusionGroup>, Response> {
    let mut ids: Vec<&str> = installed.iter().map(|p| p.id.as_str()).collect();
    ids.sort_by_key(|id| *id != chosen);
    let mut groups = Vec::new();
    for id in ids {
        // A policy that cannot be read has no grounds to offer; any other failure is ours, and shown.
        let loaded = match state.policy(id, None).await {
            Ok(l) => l,
            Err(ServiceError::NotFound(_)) => continue,
            Err(e) => return Err(error_page(staff, e)),
        };
        let selected = if id == chosen { current } else { "" };
        let grounds: Vec<Opt> = loaded
            .policy
            .exclusions
            .iter()
            .map(|e| opt(e.id.clone(), truncate(&e.text, 90), selected))
            .collect();
        if !grounds.is_empty() {
            groups.push(ExclusionGroup {
                policy: loaded.record.name.clone(),
                grounds,
            });
        }
    }
    Ok(groups)
}

pub(crate) async fn new_complaint_page(
    state: &AppState,
    staff: &Staff,
    values: HashMap<String, String>,
    errors: Vec<FormError>,
    duplicates: Vec<String>,
) -> Result<NewComplaintPage, Response> {
    let mut page = Page::new("Log a complaint", Some(staff), "new");
    page.errors = errors;
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let policy = if get("policy").is_empty() {
        state.default_policy.clone()
    } else {
        get("policy")
    };
    let installed = match state.store.policies().await {
        Ok(p) => p,
        Err(e) => return Err(store_failed(staff, "log a complaint: listing policies", e)),
    };
    let exclusions = exclusion_groups(state, staff, &installed, &policy, &get("exclusion")).await?;
    let triage_current = if get("triage").is_empty() {
        "complaint".to_owned()
    } else {
        get("triage")
    };
    let key = if get("idempotency_key").is_empty() {
        redress_store::new_id()
    } else {
        get("idempotency_key")
    };
    Ok(NewComplaintPage {
        page,
        channels: CHANNEL_CHOICES
            .iter()
            .map(|c| opt(c.as_str(), c.label(), &get("channel")))
            .collect(),
        policies: installed
            .iter()
            .map(|p| opt(p.id.clone(), p.name.clone(), &policy))
            .collect(),
        triage: [
            ("complaint", "A formal complaint"),
            (
                "service_request",
                "A service request (a request to put something right, handled first)",
            ),
            ("comment", "A comment"),
            ("compliment", "A compliment"),
            (
                "not_accepted",
                "A complaint we cannot accept under the policy",
            ),
        ]
        .iter()
        .map(|(v, l)| opt(*v, *l, &triage_current))
        .collect(),
        relationships: Relationship::ALL
            .iter()
            .map(|r| opt(r.as_str(), r.label(), &get("relationship")))
            .collect(),
        exclusions,
        duplicates,
        idempotency_key: key,
        values,
    })
}

/// The text with every `YYYY-MM-DD` in it written as the pages write dates ("Tue 1 Dec 2026").
pub(crate) fn humanise_dates(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..i]);
        let candidate = rest.get(i..i + 10).unwrap_or("");
        let bounded = !rest[i + candidate.len()..].starts_with(|c: char| c.is_ascii_digit());
        match crate::input::strict_date(candidate).filter(|_| bounded && candidate.len() == 10) {
            Some(d) => {
                out.push_str(&human_date(d));
                rest = &rest[i + 10..];
            }
            None => {
                let digits = rest[i..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len() - i);
                out.push_str(&rest[i..i + digits]);
                rest = &rest[i + digits..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

pub(crate) async fn new_complaint_form(State(state): SharedState, staff: Staff) -> Response {
    if !staff.user.role.can(Permission::CreateCases) {
        return error_page(
            &staff,
            ApiError::Forbidden(staff.user.role.as_str(), "log complaints"),
        );
    }
    let mut values = HashMap::new();
    values.insert("received_on".to_owned(), state.today().to_string());
    render(
        &match new_complaint_page(&state, &staff, values, Vec::new(), Vec::new()).await {
            Ok(p) => p,
            Err(r) => return r,
        },
        StatusCode::OK,
    )
}

pub(crate) fn api_errors(e: &ApiError) -> Vec<FormError> {
    match e {
        ApiError::Invalid { errors, detail } => {
            if errors.is_empty() {
                vec![FormError {
                    id: "main".into(),
                    message: detail.clone(),
                }]
            } else {
                errors
                    .iter()
                    .map(|FieldError { field, detail }| FormError {
                        id: field.clone(),
                        message: capitalise(detail),
                    })
                    .collect()
            }
        }
        ApiError::Conflict { detail, field } => vec![FormError {
            id: field.clone().unwrap_or_else(|| "main".into()),
            message: detail.clone(),
        }],
        other => vec![FormError {
            id: "main".into(),
            message: other.to_string(),
        }],
    }
}

/// The API's message about a field of the log-a-complaint form, reworded to name the field, as the error
/// summary lists it away from the field ("Telephone must be 40 characters or fewer").
pub(crate) fn complaint_error_message(id: &str, message: String) -> String {
    let label = match id {
        "complainant.name" => "Full name",
        "complainant.email" => "Email address",
        "complainant.phone" => "Telephone",
        "complainant.address" => "Address",
        "summary" => "What the complaint is about",
        _ => return message,
    };
    if id == "complainant.email" && message == "Is not an email address" {
        return "Enter an email address in the correct format, like name@example.com".into();
    }
    if let Some(max) = message
        .strip_prefix("Is longer than ")
        .and_then(|rest| rest.strip_suffix(" characters"))
    {
        return format!("{label} must be {max} characters or fewer");
    }
    if message == "Contains control characters" {
        return format!("{label} contains characters that cannot be stored");
    }
    message
}

/// An optional date field of a form: `None` when blank, an error when not a real date.
pub(crate) fn form_date(
    get: &impl Fn(&str) -> Option<String>,
    id: &str,
    what: &str,
    errors: &mut Vec<FormError>,
) -> Option<Date> {
    let value = get(id)?;
    match value.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FormError {
                id: id.into(),
                message: format!("Enter {what} as a real date, for example 23/12/2025"),
            });
            None
        }
    }
}

/// The log-a-complaint form, read: the complaint as the service takes it, and the triage recorded with it.
struct ComplaintForm {
    body: CreateComplaint,
    triage: Option<Event>,
}

pub(crate) async fn submit_complaint_form(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Form(form): FormData,
) -> Response {
    let values = form_map(&form);
    if let Err(r) = check_post(&staff, &headers, &values) {
        return r;
    }
    let form = match read_complaint_form(&values, state.today()) {
        Ok(form) => form,
        Err(errors) => return form_again(&state, &staff, values, errors).await,
    };
    if let Some(answer) = earlier_submission(&state, &staff, &form.body).await {
        return answer;
    }
    if values
        .get("not_duplicate")
        .is_none_or(|v| v.trim().is_empty())
        && let Some(answer) = duplicate_warning(&state, &staff, &form.body, &values).await
    {
        return answer;
    }
    let who = staff.principal();
    match crate::service::complaints::log_complaint(&state, &who, form.body, form.triage)
        .await
        .map_err(ApiError::from)
    {
        Ok((reference, _created)) => {
            Redirect::to(&format!("/complaints/{reference}?done=logged")).into_response()
        }
        Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict { .. })) => {
            let status = e.status();
            let errors = intake_errors(&e);
            match new_complaint_page(&state, &staff, values, errors, Vec::new()).await {
                Ok(page) => render(&page, status),
                Err(r) => r,
            }
        }
        Err(e) => error_page(&staff, e),
    }
}

/// The form shown again with what is wrong.
async fn form_again(
    state: &AppState,
    staff: &Staff,
    values: HashMap<String, String>,
    errors: Vec<FormError>,
) -> Response {
    match new_complaint_page(state, staff, values, errors, Vec::new()).await {
        Ok(page) => render(&page, StatusCode::UNPROCESSABLE_ENTITY),
        Err(r) => r,
    }
}

/// A form submitted twice goes to the case the first submission created: keys are the signed-in user's
/// own, so another's key never leads to their case.
async fn earlier_submission(
    state: &AppState,
    staff: &Staff,
    body: &CreateComplaint,
) -> Option<Response> {
    let key = body.idempotency_key.as_deref()?;
    match state.store.reference_for_key(&staff.user.id, key).await {
        Ok(Some(keyed)) => Some(
            Redirect::to(&format!("/complaints/{}?done=logged", keyed.reference)).into_response(),
        ),
        Ok(None) => None,
        Err(e) => Some(store_failed(staff, "log a complaint: idempotency key", e)),
    }
}

/// The form again with the same person's open cases, once, when they have any.
async fn duplicate_warning(
    state: &AppState,
    staff: &Staff,
    body: &CreateComplaint,
    values: &HashMap<String, String>,
) -> Option<Response> {
    let complainant = body.complainant.as_ref()?;
    let duplicates = match state
        .store
        .open_cases_of(complainant.email.as_deref(), complainant.name.as_deref())
        .await
    {
        Ok(d) => d,
        Err(e) => return Some(store_failed(staff, "log a complaint: duplicate check", e)),
    };
    if duplicates.is_empty() {
        return None;
    }
    Some(
        match new_complaint_page(state, staff, values.clone(), Vec::new(), duplicates).await {
            Ok(page) => render(&page, StatusCode::OK),
            Err(r) => r,
        },
    )
}

/// The service's refusal, on the form's own fields.
fn intake_errors(e: &ApiError) -> Vec<FormError> {
    api_errors(e).into_iter().map(on_the_form).collect()
}

/// An error the service names by its input's field, on the form's field, in the form's words.
fn on_the_form(mut fe: FormError) -> FormError {
    fe.id = match fe.id.as_str() {
        "" | "main" => "summary".into(),
        "complainant.representative.consent_recorded" => "representative_consent".into(),
        "complainant.representative" => "representative_name".into(),
        "complainant" => "anonymous".into(),
        "feedback_type" => "triage".into(),
        "ground" => "exclusion".into(),
        "reason" => "exclusion_reason".into(),
        _ => fe.id,
    };
    fe.message = complaint_error_message(&fe.id, fe.message);
    fe
}

/// Reads the form; every field at fault is named, and nothing is logged unless all are right.
fn read_complaint_form(
    values: &HashMap<String, String>,
    today: Date,
) -> Result<ComplaintForm, Vec<FormError>> {
    let get = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut errors = Vec::new();
    let received_on = received_date(get("received_on"), &mut errors);
    let channel = get("channel").and_then(|c| Channel::parse(&c));
    if channel.is_none() {
        errors.push(FormError {
            id: "channel".into(),
            message: "Select how the complaint reached us".into(),
        });
    }
    let triage_kind = get("triage").unwrap_or_else(|| "complaint".into());
    let exclusion = (triage_kind == "not_accepted")
        .then(|| exclusion_fields(get("exclusion"), get("exclusion_reason"), &mut errors));
    let relationship = match get("relationship").as_deref().map(Relationship::parse) {
        Some(None) => {
            errors.push(FormError {
                id: "relationship".into(),
                message: "Select who is complaining".into(),
            });
            None
        }
        Some(r) => r,
        None => None,
    };
    let tenancy_ended_on = form_date(
        &get,
        "tenancy_ended_on",
        "the day the tenancy ended",
        &mut errors,
    );
    let matter_arose_on = form_date(
        &get,
        "matter_arose_on",
        "the day the matter arose",
        &mut errors,
    );
    let body = CreateComplaint {
        policy: get("policy"),
        // Stand-ins where the form's own reading failed, so that the rest is checked too.
        received_on: received_on.unwrap_or(today),
        channel: channel.unwrap_or(Channel::Phone),
        complainant: complainant_of(&get),
        relationship,
        tenancy_ended_on,
        matter_arose_on,
        summary: values.get("summary").cloned().unwrap_or_default(),
        confidential: get("confidential").is_some(),
        idempotency_key: get("idempotency_key"),
    };
    let (Some(received_on), Some(_), true) = (received_on, channel, errors.is_empty()) else {
        // The form's errors and the complaint's own, all at once (a field the form already faults once).
        let more = field_problems(&body, today)
            .into_iter()
            .map(|FieldError { field, detail }| {
                on_the_form(FormError {
                    id: field,
                    message: capitalise(&detail),
                })
            })
            .filter(|more| !errors.iter().any(|e| e.id == more.id));
        let more: Vec<FormError> = more.collect();
        errors.extend(more);
        return Err(errors);
    };
    let triage = triage_event(&triage_kind, received_on, exclusion);
    Ok(ComplaintForm { body, triage })
}

fn received_date(value: Option<String>, errors: &mut Vec<FormError>) -> Option<Date> {
    let message = match value.map(|d| d.parse::<Date>()) {
        Some(Ok(d)) => return Some(d),
        Some(Err(_)) => "Enter a real date received, for example 23/12/2025",
        None => "Enter the date the complaint was received",
    };
    errors.push(FormError {
        id: "received_on".into(),
        message: message.into(),
    });
    None
}

/// The ground for not accepting the complaint and why it applies: both are needed.
fn exclusion_fields(
    ground: Option<String>,
    reason: Option<String>,
    errors: &mut Vec<FormError>,
) -> (String, String) {
    if ground.is_none() {
        errors.push(FormError {
            id: "exclusion".into(),
            message: "Select the policy's ground for not accepting the complaint".into(),
        });
    }
    if reason.is_none() {
        errors.push(FormError {
            id: "exclusion_reason".into(),
            message: "Explain why the ground applies: the resident will be told".into(),
        });
    }
    (ground.unwrap_or_default(), reason.unwrap_or_default())
}

/// The complainant, unless the complaint is anonymous.
fn complainant_of(get: &impl Fn(&str) -> Option<String>) -> Option<ComplainantBody> {
    if get("anonymous").is_some() {
        return None;
    }
    let representative = get("representative_name").map(|name| RepresentativeBody {
        name,
        relationship: get("representative_relationship"),
        consent_recorded: get("representative_consent").is_some(),
    });
    Some(ComplainantBody {
        name: get("name"),
        email: get("email"),
        phone: get("phone"),
        address: get("address"),
        representative,
    })
}

/// What the officer says it is, recorded with the receipt in the same write.
fn triage_event(kind: &str, on: Date, exclusion: Option<(String, String)>) -> Option<Event> {
    // A complaint needs no triage event; "not_accepted" is not a feedback type but an exclusion.
    let feedback_type = FeedbackType::parse(kind).filter(|f| *f != FeedbackType::Complaint);
    if let Some(feedback_type) = feedback_type {
        return Some(Event::Classified {
            on,
            feedback_type,
            raised_on: None,
        });
    }
    exclusion.map(|(ground, reason)| Event::Excluded { on, ground, reason })
}
