//! The Redress HTTP service: the JSON API under `/api/v1` (with its OpenAPI document at
//! `/api/v1/openapi.json`), `/healthz`, authentication and roles.
//!
//! Handlers are thin: they parse input once, check the caller's role, ask the domain to decide, and store
//! what it accepts. Domain rules live in `redress-domain`; storage behind `redress_store::Store`.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod download;
pub mod error;
pub mod input;
pub mod openapi;
pub mod pages;
pub mod service;
pub mod session;
pub mod throttle;
pub mod upload;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use jiff::civil::Date;
use redress_domain::calendar::{BankHolidays, Calendar};
use redress_domain::policy::Policy;
use redress_domain::presets::{self, PRESETS};
use redress_store::{PolicyRecord, Store, StoreError, now_utc};
use tokio::net::TcpListener;

use crate::service::ServiceError;

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// An installed policy version, parsed, with its calendar.
#[derive(Debug)]
pub struct LoadedPolicy {
    /// The stored row.
    pub record: PolicyRecord,
    /// The parsed policy.
    pub policy: Policy,
    /// Its working-day calendar.
    pub calendar: Calendar,
}

/// Shared state of the service.
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Bank holidays (embedded, or an updated official file).
    pub holidays: Arc<BankHolidays>,
    /// The policy new complaints use when none is named.
    pub default_policy: String,
    /// Today's date in the UK (injectable for tests).
    pub today: Arc<dyn Fn() -> Date + Send + Sync>,
    /// Mark the session cookie Secure (the service is reached over HTTPS).
    pub secure_cookies: bool,
    policies: RwLock<HashMap<(String, i64), Arc<LoadedPolicy>>>,
    /// The latest installed version of each policy, as last read, and when: new complaints use it without
    /// asking the database every time. A version installed by another instance is seen within
    /// [`LATEST_POLICY_TTL`]; one installed here at once.
    latest: RwLock<HashMap<String, (i64, std::time::Instant)>>,
    /// How many failed sign-ins are allowed per account, per address and overall (counted in the store).
    pub sign_in_limits: throttle::SignInLimits,
    /// Where documents (issued letters among them) are kept, by their SHA-256.
    pub documents: Arc<redress_store::documents::DocumentStore>,
    /// The From address of the emails the service sends (`REDRESS_MAIL_FROM`), set only when SMTP is set
    /// up too: `None` means email is not set up, and letters go by post.
    pub mail_from: Option<String>,
    /// The address people reach the service at (`REDRESS_PUBLIC_URL`), for links in emails.
    pub public_url: Option<String>,
    /// The largest document that may be attached to a case, in bytes.
    pub max_document_bytes: u64,
}

/// Where documents are kept unless configured (`REDRESS_DOCUMENTS_DIR`).
pub const DEFAULT_DOCUMENTS_DIR: &str = "redress-data/documents";

/// How long the latest version of a policy is trusted before it is read again.
pub const LATEST_POLICY_TTL: Duration = Duration::from_secs(5);

/// Today in Europe/London.
pub fn uk_today() -> Date {
    match jiff::tz::TimeZone::get("Europe/London") {
        Ok(tz) => jiff::Timestamp::now().to_zoned(tz).date(),
        Err(_) => jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date(),
    }
}

impl AppState {
    /// State over a store, with the embedded bank holidays and the UK date.
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState {
            store,
            holidays: Arc::new(BankHolidays::embedded().clone()),
            default_policy: presets::DEFAULT_PRESET.to_owned(),
            today: Arc::new(uk_today),
            secure_cookies: false,
            policies: RwLock::new(HashMap::new()),
            latest: RwLock::new(HashMap::new()),
            sign_in_limits: throttle::SignInLimits::default(),
            documents: Arc::new(redress_store::documents::DocumentStore::new(
                DEFAULT_DOCUMENTS_DIR,
            )),
            mail_from: None,
            public_url: None,
            max_document_bytes: redress_domain::documents::DEFAULT_MAX_BYTES,
        }
    }

    /// Records that `version` is now the latest of policy `id` (after installing it here).
    pub fn note_latest(&self, id: &str, version: i64) {
        if let Ok(mut latest) = self.latest.write() {
            latest.insert(id.to_owned(), (version, std::time::Instant::now()));
        }
    }

    /// Today, as the service sees it.
    pub fn today(&self) -> Date {
        (self.today)()
    }

    /// A policy version (the latest when `version` is `None`), parsed and cached.
    pub async fn policy(
        &self,
        id: &str,
        version: Option<i64>,
    ) -> Result<Arc<LoadedPolicy>, ServiceError> {
        let asked_latest = version.is_none();
        let version = match version {
            Some(v) => Some(v),
            None => self
                .latest
                .read()
                .map_err(|_| ServiceError::Internal("policy cache poisoned".into()))?
                .get(id)
                .filter(|(_, at)| at.elapsed() < LATEST_POLICY_TTL)
                .map(|(v, _)| *v),
        };
        if let Some(v) = version
            && let Some(hit) = self
                .policies
                .read()
                .map_err(|_| ServiceError::Internal("policy cache poisoned".into()))?
                .get(&(id.to_owned(), v))
        {
            return Ok(hit.clone());
        }
        let record = match self.store.policy(id, version).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => {
                return Err(ServiceError::NotFound(format!("there is no policy '{id}'")));
            }
            Err(e) => return Err(e.into()),
        };
        let key = (record.id.clone(), record.version);
        if asked_latest {
            self.note_latest(&record.id, record.version);
        }
        if let Some(hit) = self
            .policies
            .read()
            .map_err(|_| ServiceError::Internal("policy cache poisoned".into()))?
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let policy = Policy::from_toml(&record.toml).map_err(|e| {
            ServiceError::Internal(format!(
                "installed policy {}/{} does not load: {e}",
                record.id, record.version
            ))
        })?;
        let calendar = policy.working_calendar(&self.holidays);
        let loaded = Arc::new(LoadedPolicy {
            record,
            policy,
            calendar,
        });
        self.policies
            .write()
            .map_err(|_| ServiceError::Internal("policy cache poisoned".into()))?
            .insert(key, loaded.clone());
        Ok(loaded)
    }
}

/// Installs every shipped preset that is not installed yet (resolved, so it stands alone).
pub async fn seed_presets(store: &dyn Store) -> Result<(), StoreError> {
    for preset in PRESETS {
        match store.policy(preset.id, None).await {
            Ok(_) => continue,
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
        let table = Policy::resolve_table(preset.toml, &presets::preset_lookup)
            .map_err(|e| StoreError::Other(format!("preset {} does not load: {e}", preset.id)))?;
        let name = table
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or(preset.id)
            .to_owned();
        let text = toml::to_string_pretty(&table).map_err(StoreError::other)?;
        store
            .install_policy(preset.id, &name, &text, &now_utc())
            .await?;
    }
    Ok(())
}

/// The whole application: API, OpenAPI document, health check, with body limits, timeouts and tracing.
pub fn app(state: Arc<AppState>) -> Router {
    use tower_http::timeout::TimeoutLayer;
    use tower_http::trace::TraceLayer;
    let (api, openapi) = api::api_routes().split_for_parts();
    let openapi_json = Arc::new(openapi::document(&openapi));
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let body = openapi_json.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body.as_str().to_owned(),
                )
            }
        }),
    )
    .route("/healthz", axum::routing::get(api::healthz))
    // API answers may carry personal data: no cache keeps them.
    .layer(axum::middleware::map_response(no_store))
    .merge(pages::page_routes())
    .fallback(api::not_found)
    .with_state(state)
    .layer(axum::middleware::from_fn(api_errors_as_problems))
    .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
    .layer(TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(30),
    ))
    .layer(
        // Method and path only: bodies and query strings may hold personal data.
        TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }),
    )
}

/// Every error the API answers is `application/problem+json`, including those axum makes itself (405 for a
/// method a path does not have, 400 for a path that cannot be read, 408 on timeout, 413 over the limit).
async fn api_errors_as_problems(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let is_api = {
        let path = request.uri().path();
        path.starts_with("/api/") || path == "/healthz"
    };
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_api || is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let detail = if text.is_empty() || status.is_server_error() {
        status
            .canonical_reason()
            .unwrap_or("The request failed")
            .to_owned()
    } else {
        text
    };
    let problem = error::Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
    };
    let mut response = axum::response::Response::from_parts(
        parts,
        axum::body::Body::from(serde_json::to_vec(&problem).unwrap_or_default()),
    );
    let headers = response.headers_mut();
    headers.remove(axum::http::header::CONTENT_LENGTH);
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// Marks an answer as not to be stored by any cache, unless it says otherwise.
async fn no_store(mut response: axum::response::Response) -> axum::response::Response {
    response
        .headers_mut()
        .entry(axum::http::header::CACHE_CONTROL)
        .or_insert(axum::http::HeaderValue::from_static("no-store"));
    response
}

/// Serves the application on a bound listener until `shutdown` completes (graceful: in-flight requests
/// finish). Each connection's peer address is recorded for sign-in throttling per address.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
