//! The policies installed, and each one's check against the Complaint Handling Code.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use redress_domain::compliance::{self, Severity};

use super::SharedState;
use super::layout::{Page, error_page, render};
use crate::session::Staff;

pub(crate) struct PolicyRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) version: i64,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
}

#[derive(Template)]
#[template(path = "policies.html")]
pub(crate) struct PoliciesPage {
    pub(crate) page: Page,
    pub(crate) policies: Vec<PolicyRow>,
}

pub(crate) struct FindingRow {
    pub(crate) severity: &'static str,
    pub(crate) provision: String,
    pub(crate) message: String,
    pub(crate) key: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
pub(crate) struct PolicyPage {
    pub(crate) framework: &'static str,
    pub(crate) page: Page,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) version: i64,
    pub(crate) description: Vec<String>,
    pub(crate) findings: Vec<FindingRow>,
    pub(crate) toml: String,
}

pub(crate) async fn policies_page(State(state): SharedState, staff: Staff) -> Response {
    let records = match state.store.policies().await {
        Ok(r) => r,
        Err(e) => return error_page(&staff, e),
    };
    let mut policies = Vec::new();
    for r in records {
        let loaded = match state.policy(&r.id, Some(r.version)).await {
            Ok(l) => l,
            Err(e) => return error_page(&staff, e),
        };
        let findings = compliance::check(&loaded.policy);
        policies.push(PolicyRow {
            errors: findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count(),
            warnings: findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count(),
            id: r.id,
            name: r.name,
            version: r.version,
        });
    }
    render(
        &PoliciesPage {
            page: Page::new("Policies", Some(&staff), "policies"),
            policies,
        },
        StatusCode::OK,
    )
}

pub(crate) async fn policy_page(
    State(state): SharedState,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    let loaded = match state.policy(&id, None).await {
        Ok(l) => l,
        Err(e) => return error_page(&staff, e),
    };
    let findings = compliance::check(&loaded.policy)
        .into_iter()
        .map(|f| FindingRow {
            severity: f.severity.as_str(),
            provision: if f.provision.starts_with("SPSO") {
                f.provision.to_owned()
            } else {
                format!("Code {}", f.provision)
            },
            message: f.message,
            key: f.key,
        })
        .collect();
    render(
        &PolicyPage {
            framework: compliance::Framework::of(&loaded.policy).display_name(),
            page: Page::new(loaded.record.name.clone(), Some(&staff), "policies"),
            id: loaded.record.id.clone(),
            name: loaded.record.name.clone(),
            version: loaded.record.version,
            description: loaded.policy.describe(),
            findings,
            toml: loaded.record.toml.clone(),
        },
        StatusCode::OK,
    )
}
