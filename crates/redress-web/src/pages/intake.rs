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
use crate::service::complaints::{ComplainantBody, CreateComplaint, RepresentativeBody};
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
    pub(crate) exclusions: Vec<Opt>,
    pub(crate) duplicates: Vec<String>,
    pub(crate) idempotency_key: String,
}

impl NewComplaintPage {
    /// A submitted value, for re-showing the form.
    fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
}

pub(crate) const CHANNELS: [(&str, &str); 7] = [
    ("phone", "Telephone"),
    ("email", "Email"),
    ("letter", "Letter"),
    ("in_person", "In person"),
    ("web", "Website or portal"),
    ("social_media", "Social media"),
    ("representative", "Through a representative"),
];

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
    // An unknown policy id in the form has no exclusions to offer; any other failure is ours, and shown.
    let exclusions = match state.policy(&policy, None).await {
        Ok(l) => l
            .policy
            .exclusions
            .iter()
            .map(|e| opt(e.id.clone(), truncate(&e.text, 90), &get("exclusion")))
            .collect(),
        Err(ServiceError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(error_page(staff, e)),
    };
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
        channels: CHANNELS
            .iter()
            .map(|(v, l)| opt(*v, *l, &get("channel")))
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
    let who = staff.principal();
    let get = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut errors = Vec::new();
    let received_on = match get("received_on").map(|d| d.parse::<Date>()) {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            errors.push(FormError {
                id: "received_on".into(),
                message: "Enter a real date received, for example 23/12/2025".into(),
            });
            None
        }
        None => {
            errors.push(FormError {
                id: "received_on".into(),
                message: "Enter the date the complaint was received".into(),
            });
            None
        }
    };
    let channel = get("channel").and_then(|c| Channel::ALL.into_iter().find(|x| x.as_str() == c));
    if channel.is_none() {
        errors.push(FormError {
            id: "channel".into(),
            message: "Select how the complaint reached us".into(),
        });
    }
    let triage = get("triage").unwrap_or_else(|| "complaint".into());
    let exclusion = get("exclusion");
    let exclusion_reason = get("exclusion_reason");
    if triage == "not_accepted" {
        if exclusion.is_none() {
            errors.push(FormError {
                id: "exclusion".into(),
                message: "Select the policy's ground for not accepting the complaint".into(),
            });
        }
        if exclusion_reason.is_none() {
            errors.push(FormError {
                id: "exclusion_reason".into(),
                message: "Explain why the ground applies: the resident will be told".into(),
            });
        }
    }
    let anonymous = get("anonymous").is_some();
    let representative = get("representative_name").map(|name| RepresentativeBody {
        name,
        relationship: get("representative_relationship"),
        consent_recorded: get("representative_consent").is_some(),
    });
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
    let complainant = if anonymous {
        None
    } else {
        Some(ComplainantBody {
            name: get("name"),
            email: get("email"),
            phone: get("phone"),
            address: get("address"),
            representative,
        })
    };
    if !errors.is_empty() {
        let page = match new_complaint_page(&state, &staff, values, errors, Vec::new()).await {
            Ok(p) => p,
            Err(r) => return r,
        };
        return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // A form submitted twice goes to the case the first submission created: keys are the signed-in user's
    // own, so another's key never leads to their case.
    if let Some(key) = get("idempotency_key") {
        match state.store.reference_for_key(&who.id, &key).await {
            Ok(Some(keyed)) => {
                return Redirect::to(&format!("/complaints/{}?done=logged", keyed.reference))
                    .into_response();
            }
            Ok(None) => {}
            Err(e) => return store_failed(&staff, "log a complaint: idempotency key", e),
        }
    }
    // Warn once when the same person already has an open case.
    if get("not_duplicate").is_none()
        && let Some(c) = &complainant
    {
        let dups = match state
            .store
            .open_cases_of(c.email.as_deref(), c.name.as_deref())
            .await
        {
            Ok(d) => d,
            Err(e) => return store_failed(&staff, "log a complaint: duplicate check", e),
        };
        if !dups.is_empty() {
            let page = match new_complaint_page(&state, &staff, values, Vec::new(), dups).await {
                Ok(p) => p,
                Err(r) => return r,
            };
            return render(&page, StatusCode::OK);
        }
    }
    let (Some(received_on), Some(channel)) = (received_on, channel) else {
        return error_page(&staff, ApiError::BadRequest("missing fields".into()));
    };
    let body = CreateComplaint {
        policy: get("policy"),
        received_on,
        channel,
        complainant,
        relationship,
        tenancy_ended_on,
        matter_arose_on,
        summary: values.get("summary").cloned().unwrap_or_default(),
        confidential: get("confidential").is_some(),
        idempotency_key: get("idempotency_key"),
    };
    // Triage, recorded with the receipt in the same write.
    let step = match triage.as_str() {
        "service_request" => Some(FeedbackType::ServiceRequest),
        "comment" => Some(FeedbackType::Comment),
        "compliment" => Some(FeedbackType::Compliment),
        _ => None,
    }
    .map(|feedback_type| Event::Classified {
        on: received_on,
        feedback_type,
        raised_on: None,
    })
    .or_else(|| {
        (triage == "not_accepted").then(|| Event::Excluded {
            on: received_on,
            ground: exclusion.clone().unwrap_or_default(),
            reason: exclusion_reason.clone().unwrap_or_default(),
        })
    });
    let (reference, _created) =
        match crate::service::complaints::log_complaint(&state, &who, body, step)
            .await
            .map_err(ApiError::from)
        {
            Ok(r) => r,
            Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict { .. })) => {
                let errors = api_errors(&e)
                    .into_iter()
                    .map(|mut fe| {
                        if fe.id == "main" || fe.id.is_empty() {
                            fe.id = "summary".into();
                        }
                        if fe.id == "complainant.representative.consent_recorded" {
                            fe.id = "representative_consent".into();
                        }
                        if fe.id == "complainant.representative" {
                            fe.id = "representative_name".into();
                        }
                        fe.id = match fe.id.as_str() {
                            "complainant" => "anonymous".into(),
                            "feedback_type" => "triage".into(),
                            "ground" => "exclusion".into(),
                            "reason" => "exclusion_reason".into(),
                            _ => fe.id,
                        };
                        fe.message = complaint_error_message(&fe.id, fe.message);
                        fe
                    })
                    .collect();
                let page =
                    match new_complaint_page(&state, &staff, values, errors, Vec::new()).await {
                        Ok(p) => p,
                        Err(r) => return r,
                    };
                return render(&page, e.status());
            }
            Err(e) => return error_page(&staff, e),
        };
    Redirect::to(&format!("/complaints/{reference}?done=logged")).into_response()
}
