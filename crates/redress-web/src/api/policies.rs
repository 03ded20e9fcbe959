//! Policies: list, read, install a new version from TOML, and check one against the Code.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_domain::access::Permission;
use redress_domain::compliance::{self, Finding};
use redress_domain::policy::Policy;
use redress_domain::presets;
use redress_store::now_utc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::LoadedPolicy;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, FieldError, Problem};

use crate::api::AppStateRef;
use crate::api::json::read_body;

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

pub(crate) fn policy_view(loaded: &LoadedPolicy) -> PolicyView {
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

pub(crate) fn policy_errors(e: redress_domain::PolicyErrors) -> ApiError {
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
