//! Complaints: log one, read one, record a step on one, and list them a page at a time.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::event::Event;
use redress_domain::text::{self, TextKind};
use redress_domain::urgency;
use redress_store::search::SearchQuery;
use redress_store::{CaseFilter, CaseSummary, Cursor, Sort};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, Problem};

use crate::api::AppStateRef;
use crate::api::json::JsonBody;
use crate::api::views::{CaseView, PolicyRef, case_view};
use crate::input::strict_date;
use crate::service::cases::{load_visible, record_step};
use crate::service::complaints::{CreateComplaint, log_complaint};

/// Log a complaint.
#[utoipa::path(
    post,
    path = "/api/v1/complaints",
    request_body = CreateComplaint,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = CaseView),
        (status = 200, description = "Already created by this caller with this idempotency key and the same complaint", body = CaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The policy does not take this complaint (who may complain, anonymity, a representative's consent) or the triage recorded with it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, naming the field; an unknown `policy` is one", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "complaints"
)]
pub async fn create_complaint(
    State(state): AppStateRef,
    who: Principal,
    JsonBody(body): JsonBody<CreateComplaint>,
) -> ApiResult<Response> {
    let today = state.today();
    let (reference, created) = log_complaint(&state, &who, body, None).await?;
    let record = load_visible(&state, &who, &reference).await?;
    let loaded = state
        .policy(&record.policy_id, Some(record.policy_version))
        .await?;
    let view = case_view(record, &loaded, &who, today)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::LOCATION, format!("/api/v1/complaints/{reference}"))],
        Json(view),
    )
        .into_response())
}

/// Query parameters of a single case.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// Compute clock statuses as of this day (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<String>,
}

pub(crate) fn parse_date_param(name: &str, value: &str) -> ApiResult<Date> {
    strict_date(value).ok_or_else(|| {
        ApiError::invalid(
            name,
            format!("'{value}' is not a real date written YYYY-MM-DD"),
        )
    })
}

/// A complaint with its events, clocks and warnings.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{reference}",
    params(("reference" = String, Path, description = "The complaint reference"), CaseQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    tag = "complaints"
)]
pub async fn get_complaint(
    State(state): AppStateRef,
    who: Principal,
    Path(reference): Path<String>,
    query: Result<Query<CaseQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<CaseView>> {
    who.require(Permission::ReadCases, "read complaints")?;
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    let as_of = match &query.as_of {
        Some(d) => parse_date_param("as_of", d)?,
        None => state.today(),
    };
    let record = load_visible(&state, &who, &reference).await?;
    let loaded = state
        .policy(&record.policy_id, Some(record.policy_version))
        .await?;
    Ok(Json(case_view(record, &loaded, &who, as_of)?))
}

/// Record a lifecycle step.
///
/// The body is a domain event, e.g. `{"type": "acknowledged", "on": "2025-12-23"}`. A step the policy or the
/// lifecycle refuses answers 409 with the reason; malformed input answers 422. Send the case's `version` as
/// `If-Match` to be told (409) if someone else changed the case since you read it.
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{reference}/events",
    params(
        ("reference" = String, Path, description = "The complaint reference"),
        ("If-Match" = Option<String>, Header, description = "The case version you read"),
    ),
    request_body(content = Object, description = "A domain event: `type` (one of the Event schema's types; `letter_issued` is recorded only by issuing a letter, `document_added` only by uploading a document), `on` (YYYY-MM-DD) and the event's fields"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = CaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused by the policy or lifecycle, or changed by someone else", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    tag = "complaints"
)]
pub async fn record_event(
    State(state): AppStateRef,
    who: Principal,
    Path(reference): Path<String>,
    headers: HeaderMap,
    JsonBody(event): JsonBody<Event>,
) -> ApiResult<Response> {
    let expected = match headers.get(header::IF_MATCH) {
        Some(value) => {
            let text = value.to_str().unwrap_or("").trim().trim_matches('"');
            Some(text.parse::<i64>().map_err(|_| {
                ApiError::BadRequest(format!(
                    "If-Match must be the case version you read, not '{text}'"
                ))
            })?)
        }
        None => None,
    };
    record_step(&state, &who, &reference, event, expected).await?;
    let today = state.today();
    let record = load_visible(&state, &who, &reference).await?;
    let loaded = state
        .policy(&record.policy_id, Some(record.policy_version))
        .await?;
    let view = case_view(record, &loaded, &who, today)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// A row of a complaint list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryView {
    /// Reference.
    pub reference: String,
    /// Policy.
    pub policy: PolicyRef,
    /// Complainant's name (omitted for roles that see no personal data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complainant_name: Option<String>,
    /// Confidential.
    pub confidential: bool,
    /// Stage.
    pub stage: u8,
    /// State.
    pub state: String,
    /// Feedback type.
    pub feedback_type: String,
    /// Day received.
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    /// Assigned officer.
    pub assignee: Option<String>,
    /// The next landlord duty's due date.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due_on: Option<Date>,
    /// Which clock that is.
    pub next_due_clock: Option<String>,
    /// Whether that duty is overdue today.
    pub overdue: bool,
}

/// A page of complaints.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    /// The complaints.
    pub items: Vec<CaseSummaryView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

pub(crate) fn summary_view(c: CaseSummary, who: &Principal, today: Date) -> CaseSummaryView {
    let p = c.projection;
    CaseSummaryView {
        reference: c.reference,
        policy: PolicyRef {
            id: c.policy_id,
            version: c.policy_version,
        },
        complainant_name: if who.sees_personal_data() {
            c.complainant_name
        } else {
            None
        },
        confidential: c.confidential,
        stage: p.stage,
        state: p.state,
        feedback_type: p.feedback_type,
        received_on: p.received_on,
        assignee: p.assignee,
        overdue: p.is_open && p.next_due_on.is_some_and(|d| urgency::is_overdue(d, today)),
        next_due_on: p.next_due_on,
        next_due_clock: p.next_due_clock,
    }
}

/// The filters of the complaint list.
pub fn parse_filter(
    params: &HashMap<String, String>,
    who: &Principal,
    today: Date,
) -> ApiResult<CaseFilter> {
    let include_confidential = who.role.can(Permission::ReadConfidential);
    let mut f = CaseFilter {
        include_confidential,
        // Everyone else sees the confidential cases they logged or are assigned to, as `load_visible` does.
        confidential_for: (!include_confidential).then(|| who.id.clone()),
        limit: 50,
        ..CaseFilter::default()
    };
    for (key, value) in params {
        match key.as_str() {
            "state" => {
                let known = redress_domain::State::parse(value).ok_or_else(|| {
                    ApiError::invalid(
                        "state",
                        format!(
                            "must be one of {}",
                            redress_domain::State::ALL
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?;
                f.state = Some(known.as_str().to_owned());
            }
            "stage" => {
                f.stage = Some(
                    value
                        .parse::<u8>()
                        .ok()
                        .filter(|s| (1..=redress_domain::policy::MAX_STAGES).contains(s))
                        .ok_or_else(|| ApiError::invalid("stage", "must be 1, 2 or 3"))?,
                )
            }
            "policy" => {
                if !redress_domain::policy::valid_id(value) {
                    return Err(ApiError::invalid(
                        "policy",
                        "is not a policy id (lower-case letters, digits and hyphens)",
                    ));
                }
                f.policy = Some(value.clone())
            }
            "assignee" => {
                if let Some(problem) = text::problem(value, TextKind::Name) {
                    return Err(ApiError::invalid("assignee", problem));
                }
                f.assignee = Some(value.clone())
            }
            "open" => f.open_only = parse_bool("open", value)?,
            "due_before" => f.due_on_or_before = Some(parse_date_param("due_before", value)?),
            "overdue" => {
                if parse_bool("overdue", value)? {
                    f.overdue_as_of = Some(today);
                }
            }
            "received_from" => f.received_from = Some(parse_date_param("received_from", value)?),
            "received_to" => f.received_to = Some(parse_date_param("received_to", value)?),
            "sort" => {
                f.sort = match value.as_str() {
                    "received" => Sort::Received,
                    "due" => Sort::Due,
                    _ => return Err(ApiError::invalid("sort", "must be 'received' or 'due'")),
                }
            }
            "cursor" => {
                f.after = Some(Cursor::decode(value).ok_or_else(|| {
                    ApiError::invalid("cursor", "is not a cursor this list gave out")
                })?)
            }
            "q" => {
                let personal = who.role.can(Permission::ReadPersonalData);
                f.search = SearchQuery::parse(value, personal)
                    .map_err(|problem| ApiError::invalid("q", problem.message()))?;
            }
            "limit" => {
                f.limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=200).contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid("limit", "must be a whole number from 1 to 200")
                    })?
            }
            other => {
                return Err(ApiError::invalid(
                    other,
                    "is not a filter: use q, state, stage, policy, assignee, open, due_before, overdue, received_from, received_to, sort, cursor or limit",
                ));
            }
        }
    }
    list_order(f, params)
}

/// The order a list's cursor continues: a search's own, or the `sort` asked for (or the cursor's).
fn list_order(mut f: CaseFilter, params: &HashMap<String, String>) -> ApiResult<CaseFilter> {
    if f.search.is_some() {
        return search_order(f, params);
    }
    // A cursor continues the order it was made in: without `sort` it says which; under another sort its key
    // means something else, so the two conflict.
    if let Some(cursor) = &f.after {
        if cursor.sort == Sort::Newest {
            return Err(ApiError::Conflict {
                detail: "The cursor was given out for a search: send it with the same q".into(),
                field: Some("cursor".into()),
            });
        }
        if !params.contains_key("sort") {
            f.sort = cursor.sort;
        } else if cursor.sort != f.sort {
            return Err(ApiError::Conflict {
                detail: format!(
                    "The cursor was given out for sort={}, not sort={}: send it with sort={}, or without sort, or start again without it",
                    cursor.sort.as_str(),
                    f.sort.as_str(),
                    cursor.sort.as_str()
                ),
                field: Some("cursor".into()),
            });
        }
    }
    Ok(f)
}

/// A search's order and cursor: newest first, whatever the list's `sort` says (the OpenAPI document says
/// `sort` does not apply to a search), and its cursors are its own.
fn search_order(mut f: CaseFilter, _params: &HashMap<String, String>) -> ApiResult<CaseFilter> {
    if f.after.as_ref().is_some_and(|c| c.sort != Sort::Newest) {
        return Err(ApiError::Conflict {
            detail:
                "The cursor was given out for a list without q: start the search without a cursor"
                    .into(),
            field: Some("cursor".into()),
        });
    }
    f.sort = Sort::Newest;
    Ok(f)
}

pub(crate) fn parse_bool(name: &str, v: &str) -> ApiResult<bool> {
    match v {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ApiError::invalid(name, "must be true or false")),
    }
}

/// List complaints, filtered, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/complaints",
    params(
        ("q" = Option<String>, Query, description = "Find cases: a reference (`CMP-2026-000042`, any case), an email address, a postcode (with or without its space), a telephone number or its last six or more digits (spaces, dashes and +44 allowed), or words of the complainant's or representative's name, email, telephone, address or the summary (every word must be found; words of three or more letters also match the start of a longer word). Combines with every other filter. Results come newest first (most recently logged first), whatever `sort` says; page with `next_cursor` as usual, keeping the same `q`. Callers who may not see personal data (the `viewer` role) find by reference only: any other text matches nothing. At most 200 characters, no control characters."),
        ("state" = Option<String>, Query, description = "awaiting_acknowledgement, escalation_decision_needed, investigating, responded, open, closed, not_accepted"),
        ("stage" = Option<u8>, Query, description = "1, 2 or 3"),
        ("policy" = Option<String>, Query, description = "Policy id"),
        ("assignee" = Option<String>, Query, description = "Assigned officer"),
        ("open" = Option<bool>, Query, description = "Only open cases"),
        ("due_before" = Option<String>, Query, description = "Open cases whose next duty is due on or before this day"),
        ("overdue" = Option<bool>, Query, description = "Open cases whose next duty is overdue today"),
        ("received_from" = Option<String>, Query, description = "Received on or after"),
        ("received_to" = Option<String>, Query, description = "Received on or before"),
        ("sort" = Option<String>, Query, description = "received (newest first, default) or due (earliest first); a search (`q`) comes newest first whatever it says"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor, with the same sort (or the same q)"),
        ("limit" = Option<u32>, Query, description = "1 to 200, default 50"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CaseList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    tag = "complaints"
)]
pub async fn list_complaints(
    State(state): AppStateRef,
    who: Principal,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<CaseList>> {
    who.require(Permission::ReadCases, "read complaints")?;
    let today = state.today();
    let filter = parse_filter(&params, &who, today)?;
    let page = state.store.list_cases(&filter).await?;
    Ok(Json(CaseList {
        items: page
            .items
            .into_iter()
            .map(|c| summary_view(c, &who, today))
            .collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}
