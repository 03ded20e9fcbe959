//! The JSON API under `/api/v1`. The contract (paths, field names, status codes) is public: integrations and
//! the acceptance tests rely on it. Add to it freely; change nothing in it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use redress_domain::access::{Permission, Role};
use redress_domain::case::{Case, Deadline, Directory, Warning};
use redress_domain::compliance::{self, Finding};
use redress_domain::event::{CaseEvent, Channel, Event, Relationship};
use redress_domain::intake::{Intake, check_intake};
use redress_domain::policy::Policy;
use redress_domain::presets;
use redress_domain::text::{self, TextKind};
use redress_domain::urgency;
use redress_store::{
    CaseFilter, CaseRecord, CaseSummary, Complainant, Cursor, IdempotencyKey, NewCase, Projection,
    Sort, User, new_id, now_utc,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::{AppState, LoadedPolicy, MAX_BODY};

type AppStateRef = State<Arc<AppState>>;

/// The API routes, with their OpenAPI description.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(openapi_base())
        .routes(routes!(create_complaint, list_complaints))
        .routes(routes!(get_complaint))
        .routes(routes!(record_event))
        .routes(routes!(list_policies))
        .routes(routes!(get_policy, put_policy))
        .routes(routes!(check_policy))
}

fn openapi_base() -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApiBuilder};
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Redress API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Complaint handling for UK social landlords under the Housing Ombudsman's Complaint Handling Code 2024. \
                     Send an API token as 'Authorization: Bearer <token>'. Errors are application/problem+json (RFC 9457).",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()))
                .build(),
        ))
        .build()
}

// ------------------------------------------------------------------------------------------------------
// Input: JSON bodies parsed once, with errors that name the field.

/// A JSON body: `application/json`, at most [`MAX_BODY`] bytes, unknown fields refused, errors naming the
/// path of the field at fault.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType("application/json"));
        }
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(MAX_BODY)
        } else {
            ApiError::BadRequest(format!("the request body could not be read: {rejection}"))
        }
    })
}

/// Parses JSON, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => {
            de.end()
                .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
            if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
                check_dates(&value, "")?;
            }
            Ok(v)
        }
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ApiError::BadRequest(format!(
                    "the body is not valid JSON: {inner}"
                )));
            }
            let message = tidy_serde_message(&inner.to_string());
            let field = if path == "." || path.is_empty() {
                // Internally tagged enums (events) lose the path: find the field the message names.
                guess_field(bytes, &message).unwrap_or_default()
            } else {
                path
            };
            Err(ApiError::Invalid {
                detail: if field.is_empty() {
                    message.clone()
                } else {
                    format!("{field}: {message}")
                },
                errors: vec![FieldError {
                    field,
                    detail: message,
                }],
            })
        }
    }
}

/// The top-level field an error message is about: one it names in backticks, or the one whose value it
/// quotes.
fn guess_field(bytes: &[u8], message: &str) -> Option<String> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes).ok()?;
    for marker in ["unknown field `", "missing field `"] {
        if let Some(i) = message.find(marker) {
            let rest = &message[i + marker.len()..];
            return rest.split('`').next().map(str::to_owned);
        }
    }
    if message.starts_with("unknown variant") || message.contains("`type`") {
        return Some("type".into());
    }
    // A date field whose value is not a real date (the date parser's message does not quote it whole).
    let bad_date = object.iter().find_map(|(k, v)| match v {
        serde_json::Value::String(s)
            if s.len() == 10
                && s.as_bytes()[4] == b'-'
                && s.parse::<Date>().is_err()
                && message.contains("date") =>
        {
            Some(k.clone())
        }
        _ => None,
    });
    if bad_date.is_some() {
        return bad_date;
    }
    object.iter().find_map(|(k, v)| match v {
        serde_json::Value::String(s) if !s.is_empty() && message.contains(s.as_str()) => {
            Some(k.clone())
        }
        _ => None,
    })
}

/// serde_json appends " at line 1 column 42": people need not read that.
fn tidy_serde_message(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_owned(),
        None => m.to_owned(),
    }
}

// ------------------------------------------------------------------------------------------------------
// Output.

/// A policy reference.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyRef {
    /// Policy id.
    pub id: String,
    /// Installed version the case pins.
    pub version: i64,
}

/// A complainant's details (absent for roles that see no personal data).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplainantBody {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Telephone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Postal address.
    #[serde(default)]
    pub address: Option<String>,
    /// Someone acting for the complainant.
    #[serde(default)]
    pub representative: Option<RepresentativeBody>,
}

/// A representative acting for a complainant (advocate, relative, MP, councillor).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeBody {
    /// Their name.
    pub name: String,
    /// Their relationship to the complainant.
    #[serde(default)]
    pub relationship: Option<String>,
    /// Whether the complainant's consent is recorded.
    #[serde(default)]
    pub consent_recorded: bool,
}

/// One clock of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    /// `stage1_acknowledge`, `stage1_response`, `escalation_window`, `stage2_acknowledge`, `stage2_response`,
    /// `stage3_acknowledge`, `stage3_response`, `service_request_response`, `auto_close`.
    pub clock: &'static str,
    /// `duty` (the landlord's) or `window` (the resident's).
    pub kind: &'static str,
    /// Due date.
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    /// Due date before extensions, where extended.
    #[schema(value_type = Option<String>, format = Date)]
    pub original_due_on: Option<Date>,
    /// Date met.
    #[schema(value_type = Option<String>, format = Date)]
    pub met_on: Option<Date>,
    /// `pending`, `overdue`, `met` or `met_late`.
    pub status: &'static str,
    /// How the due date was worked out.
    pub explanation: String,
}

impl From<Deadline> for DeadlineView {
    fn from(d: Deadline) -> Self {
        DeadlineView {
            clock: d.clock.as_str(),
            kind: match d.kind {
                redress_domain::ClockKind::Duty => "duty",
                redress_domain::ClockKind::Window => "window",
            },
            due_on: d.due_on,
            original_due_on: d.original_due_on,
            met_on: d.met_on,
            status: d.status.as_str(),
            explanation: d.explanation,
        }
    }
}

/// A Code expectation not yet met.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningView {
    /// Stable code.
    pub code: &'static str,
    /// Code provision.
    pub provision: &'static str,
    /// What to do.
    pub message: String,
}

impl From<Warning> for WarningView {
    fn from(w: Warning) -> Self {
        WarningView {
            code: w.code,
            provision: w.provision,
            message: w.message,
        }
    }
}

/// A recorded event: the event's own fields plus `seq`, `by` and `recorded_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// 1, 2, 3, …
    pub seq: i64,
    /// The event (`type`, `on` and its fields).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub event: Event,
    /// Who recorded it.
    pub by: Option<String>,
    /// When it was recorded (UTC).
    pub recorded_at: String,
}

/// A complaint case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// Human-readable reference, e.g. `CMP-2026-000042`.
    pub reference: String,
    /// The policy and version the case runs under.
    pub policy: PolicyRef,
    /// Current stage (1, 2 or 3).
    pub stage: u8,
    /// What the policy calls the stage.
    pub stage_name: String,
    /// `awaiting_acknowledgement`, `escalation_decision_needed`, `investigating`, `responded`, `open`,
    /// `closed` or `not_accepted`.
    pub state: &'static str,
    /// `complaint`, `service_request`, `comment` or `compliment`.
    pub feedback_type: &'static str,
    /// Day received.
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    /// How it came in.
    #[schema(value_type = String)]
    pub channel: Channel,
    /// Restricted to complaints managers, whoever logged it and its assigned officer.
    pub confidential: bool,
    /// The complainant (omitted for roles that see no personal data; null when anonymous).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complainant: Option<Option<ComplainantBody>>,
    /// The complaint in the complainant's words (omitted for roles that see no personal data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Assigned officer.
    pub assignee: Option<String>,
    /// The version to send as `If-Match` when recording the next event.
    pub version: i64,
    /// Every event, in order.
    pub events: Vec<EventView>,
    /// Every clock.
    pub deadlines: Vec<DeadlineView>,
    /// What the Code expects that has not been done.
    pub warnings: Vec<WarningView>,
}

pub fn case_view(
    record: CaseRecord,
    loaded: &LoadedPolicy,
    who: &Principal,
    as_of: Date,
) -> ApiResult<CaseView> {
    let events: Vec<CaseEvent> = record.events.iter().map(|e| e.event.clone()).collect();
    let case = Case::fold(&events)
        .map_err(|e| ApiError::Internal(format!("case {} does not fold: {e}", record.reference)))?;
    let policy = &loaded.policy;
    let deadlines = case
        .deadlines(policy, &loaded.calendar, as_of)
        .into_iter()
        .map(Into::into)
        .collect();
    let warnings = case
        .warnings(policy, &loaded.calendar, as_of)
        .into_iter()
        .map(Into::into)
        .collect();
    let personal = who.sees_personal_data();
    Ok(CaseView {
        version: record.version(),
        policy: PolicyRef {
            id: record.policy_id,
            version: record.policy_version,
        },
        stage: case.stage(),
        stage_name: policy
            .stage(case.stage())
            .map_or_else(|| format!("Stage {}", case.stage()), |s| s.name.clone()),
        state: case.state.as_str(),
        feedback_type: case.feedback_type.as_str(),
        received_on: case.received_on,
        channel: case.channel,
        confidential: record.confidential,
        complainant: personal.then(|| {
            record.complainant.map(|c| ComplainantBody {
                representative: c.representative_name.map(|name| RepresentativeBody {
                    name,
                    relationship: c.representative_relationship,
                    consent_recorded: c.representative_consent,
                }),
                name: c.name,
                email: c.email,
                phone: c.phone,
                address: c.address,
            })
        }),
        summary: personal.then_some(record.summary),
        assignee: case.assignee.clone(),
        events: record
            .events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                event: e.event.event,
                by: e.event.by,
                recorded_at: e.recorded_at,
            })
            .collect(),
        deadlines,
        warnings,
        reference: record.reference,
    })
}

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
) -> ApiResult<CaseRecord> {
    let not_found = || ApiError::NotFound(format!("there is no complaint {reference}"));
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
fn without_personal_data(mut record: CaseRecord) -> CaseRecord {
    for e in &mut record.events {
        e.event.event = redress_domain::privacy::redact(&e.event.event);
    }
    record.complainant = None;
    record.summary = redress_domain::privacy::WITHHELD.to_owned();
    record
}

// ------------------------------------------------------------------------------------------------------
// Complaints.

/// A new complaint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateComplaint {
    /// Policy id; the default policy when omitted.
    #[serde(default)]
    pub policy: Option<String>,
    /// Day received (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    /// How it came in.
    #[schema(value_type = String, example = "email")]
    pub channel: Channel,
    /// Complainant's details; omit for an anonymous complaint.
    #[serde(default)]
    pub complainant: Option<ComplainantBody>,
    /// Who is complaining, in relation to the landlord. Optional; when omitted the case carries a warning
    /// that it was not recorded.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "tenant")]
    pub relationship: Option<Relationship>,
    /// For a `former_tenant`: the day the tenancy ended (YYYY-MM-DD).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub tenancy_ended_on: Option<Date>,
    /// When the matter arose, or the resident became aware of it (YYYY-MM-DD). A matter older than the
    /// policy's time limit is accepted and flagged for the officer's decision.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub matter_arose_on: Option<Date>,
    /// The complaint in the complainant's words.
    pub summary: String,
    /// Restrict the case to complaints managers, whoever logs it and the officer assigned to it.
    #[serde(default)]
    pub confidential: bool,
    /// A key chosen by the client: sending the same key again with the same complaint returns the case
    /// already created (200); the same key with a different complaint is refused (422). Keys are the
    /// caller's own: another caller's use of the same key is another key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl CreateComplaint {
    /// SHA-256 (hex) of the complaint as parsed, without its idempotency key: the same fields give the same
    /// hash however the JSON was laid out (key order, white space, a `null` for an omitted field).
    pub fn request_hash(&self) -> ApiResult<String> {
        use sha2::{Digest, Sha256};
        let mut value = serde_json::to_value(self)
            .map_err(|e| ApiError::Internal(format!("the complaint does not serialise: {e}")))?;
        if let serde_json::Value::Object(fields) = &mut value {
            fields.remove("idempotency_key");
        }
        let bytes = serde_json::to_vec(&value)
            .map_err(|e| ApiError::Internal(format!("the complaint does not serialise: {e}")))?;
        Ok(hex::encode(Sha256::digest(&bytes)))
    }
}

fn check_text(field: &str, value: &str, kind: TextKind, errors: &mut Vec<FieldError>) {
    if let Some(detail) = text::problem(value, kind) {
        errors.push(FieldError {
            field: field.into(),
            detail,
        });
    }
}

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
        (status = 404, description = "No such policy", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
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

/// Logs a complaint for `who`: validates, pins the policy's latest version, stores the case and its receipt.
/// `triage` is a step recorded with the receipt in the same write (the pages' "what is it?"), decided by
/// the domain first. Returns the reference and whether it was created (false when `who` used the idempotency
/// key before, for the same complaint; for a different one it is refused, naming `idempotency_key`).
pub async fn log_complaint(
    state: &AppState,
    who: &Principal,
    body: CreateComplaint,
    triage: Option<Event>,
) -> ApiResult<(String, bool)> {
    who.require(Permission::CreateCases, "log complaints")?;
    let today = state.today();
    let mut errors = Vec::new();
    if let Some(detail) = redress_domain::intake::receipt_date_problem(body.received_on, today) {
        errors.push(FieldError {
            field: "received_on".into(),
            detail,
        });
    }
    if body.summary.trim().is_empty() {
        errors.push(FieldError {
            field: "summary".into(),
            detail: "describe the complaint".into(),
        });
    }
    check_text("summary", &body.summary, TextKind::Document, &mut errors);
    if let Some(c) = &body.complainant {
        for (field, value, max) in [
            ("complainant.name", &c.name, TextKind::Name),
            ("complainant.email", &c.email, TextKind::Email),
            ("complainant.phone", &c.phone, TextKind::Phone),
            ("complainant.address", &c.address, TextKind::Line),
        ] {
            if let Some(v) = value {
                check_text(field, v, max, &mut errors);
            }
        }
        if let Some(r) = &c.representative {
            check_text(
                "complainant.representative.name",
                &r.name,
                TextKind::Name,
                &mut errors,
            );
            if let Some(rel) = &r.relationship {
                check_text(
                    "complainant.representative.relationship",
                    rel,
                    TextKind::Name,
                    &mut errors,
                );
            }
        }
        if let Some(email) = &c.email
            && !text::is_email_address(email)
        {
            errors.push(FieldError {
                field: "complainant.email".into(),
                detail: "is not an email address".into(),
            });
        }
    }
    if let Some(key) = &body.idempotency_key
        && (key.is_empty() || key.len() > 100)
    {
        errors.push(FieldError {
            field: "idempotency_key".into(),
            detail: "must be 1 to 100 characters".into(),
        });
    }
    if !errors.is_empty() {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.detail))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError::Invalid { detail, errors });
    }
    let policy_id = body
        .policy
        .clone()
        .unwrap_or_else(|| state.default_policy.clone());
    let loaded = state.policy(&policy_id, None).await.map_err(|e| match e {
        ApiError::NotFound(_) => {
            ApiError::invalid("policy", format!("there is no policy '{policy_id}'"))
        }
        e => e,
    })?;
    let intake = Intake {
        received_on: Some(body.received_on),
        relationship: body.relationship,
        tenancy_ended_on: body.tenancy_ended_on,
        matter_arose_on: body.matter_arose_on,
        anonymous: body.complainant.is_none(),
        representative_consent: body
            .complainant
            .as_ref()
            .and_then(|c| c.representative.as_ref())
            .map(|r| r.consent_recorded),
    };
    // The policy refuses (who may complain, anonymous, representatives): a 409 in the policy's words, as
    // for any step the policy or the lifecycle refuses.
    if let Some(refused) = check_intake(&loaded.policy, &intake).into_iter().next() {
        return Err(ApiError::Conflict {
            detail: refused.message,
            field: Some(refused.field.unwrap_or("complainant").to_owned()),
        });
    }
    // The key is scoped to the caller, and kept with a hash of the complaint it was sent with.
    let idempotency = match body.idempotency_key.clone() {
        Some(key) => Some(IdempotencyKey {
            scope: who.id.clone(),
            key,
            request_hash: body.request_hash()?,
        }),
        None => None,
    };
    let received = CaseEvent::new(
        Event::Received {
            on: body.received_on,
            channel: body.channel,
            relationship: body.relationship,
            tenancy_ended_on: body.tenancy_ended_on,
            matter_arose_on: body.matter_arose_on,
        },
        Some(&who.id),
    );
    let mut case = Case::open(&received).map_err(|e| ApiError::Internal(e.to_string()))?;
    // The triage at intake is decided now and written with the receipt: one write, nothing half-done.
    let triage = match triage {
        Some(step) => {
            let step = case
                .admit(&loaded.policy, &loaded.calendar, today, step, Some(&who.id))
                .map_err(refusal)?;
            let recorded = CaseEvent::new(step, Some(&who.id));
            case.apply(&recorded)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Some(recorded)
        }
        None => None,
    };
    let complainant = body.complainant.map(|c| Complainant {
        name: c.name,
        email: c.email,
        phone: c.phone,
        address: c.address,
        representative_consent: c
            .representative
            .as_ref()
            .is_some_and(|r| r.consent_recorded),
        representative_relationship: c
            .representative
            .as_ref()
            .and_then(|r| r.relationship.clone()),
        representative_name: c.representative.map(|r| r.name),
    });
    let (reference, created) = state
        .store
        .create_case(NewCase {
            id: new_id(),
            reference_year: body.received_on.year(),
            policy_id: loaded.record.id.clone(),
            policy_version: loaded.record.version,
            complainant,
            summary: body.summary,
            confidential: body.confidential,
            projection: project(&case, &loaded, today),
            received,
            triage,
            recorded_at: now_utc(),
            idempotency: idempotency.clone(),
        })
        .await?;
    // The key was this caller's already: a retry of the same complaint is answered with its case, a
    // different complaint under it is refused. (A key stored before requests were hashed has no hash to
    // compare, and is answered as a retry.)
    if !created && let Some(sent) = &idempotency {
        let stored = state
            .store
            .reference_for_key(&sent.scope, &sent.key)
            .await?;
        if let Some(stored_hash) = stored.and_then(|k| k.request_hash)
            && stored_hash != sent.request_hash
        {
            return Err(ApiError::invalid(
                "idempotency_key",
                "was used for a different complaint: send a new key for a new complaint",
            ));
        }
    }
    tracing::info!(%reference, created, "complaint logged");
    Ok((reference, created))
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

fn parse_date_param(name: &str, value: &str) -> ApiResult<Date> {
    strict_date(value).ok_or_else(|| {
        ApiError::invalid(
            name,
            format!("'{value}' is not a real date written YYYY-MM-DD"),
        )
    })
}

/// A date written exactly `YYYY-MM-DD`, from the year 2000 to 2999 (jiff alone also reads `20260105` and
/// date-times); the OpenAPI document's date pattern says the same.
pub fn strict_date(value: &str) -> Option<Date> {
    let shaped = value.len() == 10
        && value.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    shaped
        .then(|| value.parse::<Date>().ok())
        .flatten()
        .filter(|d| (2000..=2999).contains(&d.year()))
}

/// Every date in a JSON body (the fields `on` and `…_on`) is written exactly `YYYY-MM-DD`.
fn check_dates(value: &serde_json::Value, path: &str) -> ApiResult<()> {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if (key == "on" || key.ends_with("_on"))
                    && let serde_json::Value::String(text) = v
                    && strict_date(text).is_none()
                {
                    return Err(ApiError::invalid(
                        &here,
                        format!("'{text}' is not a date written YYYY-MM-DD"),
                    ));
                }
                check_dates(v, &here)?;
            }
            Ok(())
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_dates(v, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
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
    request_body(content = Object, description = "A domain event: `type` (received, classified, excluded, acknowledged, assigned, complaint_defined, extended, adverse_findings_shared, responded, escalation_requested, escalation_refused, resolved_confirmed, closed, reopened, returned_to_stage1, issue_merged, issue_split_out, referred_to_ombudsman, ombudsman_determined, remedy_completed), `on` (YYYY-MM-DD) and the event's fields"),
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

/// Records a step on a case for `who`: the domain decides, the store appends with the version read (or
/// `expected`, when the caller says which version it saw).
pub async fn record_step(
    state: &AppState,
    who: &Principal,
    reference: &str,
    event: Event,
    expected: Option<i64>,
) -> ApiResult<()> {
    who.require(Permission::RecordEvents, "record steps on complaints")?;
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
        .map_err(|e| ApiError::Internal(format!("case {reference} does not fold: {e}")))?;
    let problems = text::event_text_problems(&event);
    if !problems.is_empty() {
        let errors: Vec<FieldError> = problems
            .into_iter()
            .map(|(field, detail)| FieldError { field, detail })
            .collect();
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.detail))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError::Invalid { detail, errors });
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
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let projection = project(&case, &loaded, today);
    state
        .store
        .append(
            &record.id,
            version,
            std::slice::from_ref(&recorded),
            &now_utc(),
            &projection,
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
    /// Loads every user.
    pub async fn load(state: &AppState) -> ApiResult<StaffDirectory> {
        Ok(StaffDirectory(state.store.users().await?))
    }

    /// The user a person field names, by id or by email address (any case).
    fn find(&self, field: &str, value: &str) -> ApiResult<&User> {
        let wanted = value.trim();
        self.0
            .iter()
            .find(|u| u.id == wanted || u.email.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                ApiError::invalid(
                    field,
                    "is not a member of staff: give a user's email address or id",
                )
            })
    }
}

/// Replaces the people an event names (by email or id) with their user ids, refusing anyone unknown, and
/// returns the directory for the domain's rules about people.
/// Only the steps whose rules concern people read the users (the rest need no directory).
async fn resolve_people(
    state: &AppState,
    event: Event,
) -> ApiResult<(Event, Option<StaffDirectory>)> {
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
                return Err(ApiError::invalid(
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
fn refusal(refused: redress_domain::Refused) -> ApiError {
    let field = refused.field.unwrap_or("").to_owned();
    if refused.malformed {
        ApiError::invalid(field, refused.message)
    } else {
        ApiError::Conflict {
            detail: refused.message,
            field: (!field.is_empty()).then_some(field),
        }
    }
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

fn summary_view(c: CaseSummary, who: &Principal, today: Date) -> CaseSummaryView {
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
                        .filter(|s| (1..=3).contains(s))
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
                    "is not a filter: use state, stage, policy, assignee, open, due_before, overdue, received_from, received_to, sort, cursor or limit",
                ));
            }
        }
    }
    // A cursor continues the order it was made in: without `sort` it says which; under another sort its key
    // means something else, so the two conflict.
    if let Some(cursor) = &f.after {
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

fn parse_bool(name: &str, v: &str) -> ApiResult<bool> {
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
        ("state" = Option<String>, Query, description = "awaiting_acknowledgement, escalation_decision_needed, investigating, responded, open, closed, not_accepted"),
        ("stage" = Option<u8>, Query, description = "1, 2 or 3"),
        ("policy" = Option<String>, Query, description = "Policy id"),
        ("assignee" = Option<String>, Query, description = "Assigned officer"),
        ("open" = Option<bool>, Query, description = "Only open cases"),
        ("due_before" = Option<String>, Query, description = "Open cases whose next duty is due on or before this day"),
        ("overdue" = Option<bool>, Query, description = "Open cases whose next duty is overdue today"),
        ("received_from" = Option<String>, Query, description = "Received on or after"),
        ("received_to" = Option<String>, Query, description = "Received on or before"),
        ("sort" = Option<String>, Query, description = "received (newest first, default) or due (earliest first)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor, with the same sort"),
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

// ------------------------------------------------------------------------------------------------------
// Policies.

/// An installed policy, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicySummary {
    /// Id.
    pub id: String,
    /// Installed version.
    pub version: i64,
    /// Name.
    pub name: String,
    /// Number of findings against the Code 2024.
    pub findings: usize,
}

/// An installed policy in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyView {
    /// Id.
    pub id: String,
    /// Installed version.
    pub version: i64,
    /// Name.
    pub name: String,
    /// When installed.
    pub installed_at: String,
    /// The policy in plain English.
    pub description: Vec<String>,
    /// The resolved policy.
    #[schema(value_type = Object)]
    pub policy: Policy,
    /// The resolved policy as TOML.
    pub toml: String,
}

/// A compliance finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    /// `error` (breaks the Code) or `warning` (a known risk).
    pub severity: &'static str,
    /// The framework the provision belongs to: `hos-code-2024` (England) or `spso-mchp` (Scotland).
    pub framework: &'static str,
    /// The provision: a Code number such as `6.12`, or an SPSO MCHP part such as `SPSO MCHP stage 2`.
    pub provision: &'static str,
    /// What is wrong.
    pub message: String,
    /// The policy key at fault.
    pub key: String,
}

impl From<Finding> for FindingView {
    fn from(f: Finding) -> Self {
        FindingView {
            severity: f.severity.as_str(),
            framework: f.framework.as_str(),
            provision: f.provision,
            message: f.message,
            key: f.key,
        }
    }
}

/// Installed policies (latest versions).
#[utoipa::path(
    get,
    path = "/api/v1/policies",
    security(("bearer" = [])),
    responses((status = 200, body = PolicyList), (status = 401, body = Problem, content_type = "application/problem+json")),
    tag = "policies"
)]
pub async fn list_policies(
    State(state): AppStateRef,
    who: Principal,
) -> ApiResult<Json<PolicyList>> {
    who.require(Permission::ReadPolicies, "read policies")?;
    let mut out = Vec::new();
    for record in state.store.policies().await? {
        let loaded = state.policy(&record.id, Some(record.version)).await?;
        out.push(PolicySummary {
            id: record.id,
            version: record.version,
            name: record.name,
            findings: compliance::check(&loaded.policy).len(),
        });
    }
    Ok(Json(PolicyList {
        items: out,
        next_cursor: None,
    }))
}

/// The installed policies, in the envelope every list shares (they fit on one page: no `next_cursor`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyList {
    /// The policies.
    pub items: Vec<PolicySummary>,
    /// Always absent: every policy is on the one page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A policy (latest version, or `?version=N`).
#[utoipa::path(
    get,
    path = "/api/v1/policies/{id}",
    params(("id" = String, Path), ("version" = Option<i64>, Query)),
    security(("bearer" = [])),
    responses((status = 200, body = PolicyView), (status = 404, body = Problem, content_type = "application/problem+json")),
    tag = "policies"
)]
pub async fn get_policy(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<PolicyView>> {
    who.require(Permission::ReadPolicies, "read policies")?;
    let version = match params.get("version") {
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| ApiError::invalid("version", "must be a whole number"))?,
        ),
        None => None,
    };
    let loaded = state.policy(&id, version).await?;
    Ok(Json(policy_view(&loaded)))
}

fn policy_view(loaded: &LoadedPolicy) -> PolicyView {
    PolicyView {
        id: loaded.record.id.clone(),
        version: loaded.record.version,
        name: loaded.record.name.clone(),
        installed_at: loaded.record.installed_at.clone(),
        description: loaded.policy.describe(),
        policy: loaded.policy.clone(),
        toml: loaded.record.toml.clone(),
    }
}

/// Install a new version of a policy from TOML (it may `extends` an installed policy or a preset).
#[utoipa::path(
    put,
    path = "/api/v1/policies/{id}",
    params(("id" = String, Path)),
    request_body(content = String, content_type = "application/toml", description = "The policy TOML"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = PolicyView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    tag = "policies"
)]
pub async fn put_policy(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
    request: Request,
) -> ApiResult<Response> {
    who.require(Permission::ManagePolicies, "change policies")?;
    if !redress_domain::policy::valid_id(&id) {
        return Err(ApiError::invalid(
            "id",
            "use 1 to 64 lower-case letters, digits and hyphens",
        ));
    }
    let mime_ok = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| matches!(m.trim(), "application/toml" | "text/plain" | "text/x-toml"));
    if !mime_ok {
        return Err(ApiError::UnsupportedMediaType("application/toml"));
    }
    let bytes = read_body(request, &()).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::BadRequest("the policy must be UTF-8 text".into()))?;
    let mut table = redress_domain::policy::parse_toml_table(text).map_err(policy_errors)?;
    match table.get("id").map(|v| v.as_str()) {
        None => {
            table.insert("id".into(), toml::Value::String(id.clone()));
        }
        Some(Some(given)) if given == id => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "id",
                format!("the policy's id must be '{id}', as in the path"),
            ));
        }
    }
    // Resolve `extends` against installed policies first, then the presets.
    let installed: HashMap<String, String> = state
        .store
        .policies()
        .await?
        .into_iter()
        .map(|p| (p.id, p.toml))
        .collect();
    let lookup = |parent: &str| {
        installed
            .get(parent)
            .cloned()
            .or_else(|| presets::preset_lookup(parent))
    };
    let source = toml::to_string(&table).map_err(|e| ApiError::Internal(e.to_string()))?;
    let resolved = Policy::resolve_table(&source, &lookup).map_err(policy_errors)?;
    let name = resolved
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or(&id)
        .to_owned();
    let text = toml::to_string_pretty(&resolved).map_err(|e| ApiError::Internal(e.to_string()))?;
    let record = state
        .store
        .install_policy(&id, &name, &text, &now_utc())
        .await?;
    tracing::info!(policy = %id, version = record.version, "policy installed");
    state.note_latest(&id, record.version);
    let loaded = state.policy(&id, Some(record.version)).await?;
    Ok((StatusCode::CREATED, Json(policy_view(&loaded))).into_response())
}

fn policy_errors(e: redress_domain::PolicyErrors) -> ApiError {
    ApiError::Invalid {
        detail: format!("the policy is not valid: {e}"),
        errors: e
            .0
            .into_iter()
            .map(|e| FieldError {
                field: e.key,
                detail: e.message,
            })
            .collect(),
    }
}

/// A policy's findings against the Complaint Handling Code 2024.
#[utoipa::path(
    get,
    path = "/api/v1/policies/{id}/check",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<FindingView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    tag = "policies"
)]
pub async fn check_policy(
    State(state): AppStateRef,
    who: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<FindingView>>> {
    who.require(Permission::ReadPolicies, "read policies")?;
    let loaded = state.policy(&id, None).await?;
    Ok(Json(
        compliance::check(&loaded.policy)
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

// ------------------------------------------------------------------------------------------------------
// Health and fallbacks.

/// Liveness and database reachability.
pub async fn healthz(State(state): AppStateRef) -> Response {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({"status": "ok", "database": state.store.backend()})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(cause = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// 404 for unknown paths, as a problem.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("there is nothing at this address".into())
}
