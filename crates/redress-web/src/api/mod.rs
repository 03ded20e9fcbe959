//! The JSON API under `/api/v1`. The contract (paths, field names, status codes) is public: integrations and
//! the acceptance tests rely on it. Add to it freely; change nothing in it.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ApiError;

pub mod complaints;
pub mod documents;
pub mod json;
pub mod letters;
pub mod messages;
pub mod policies;
pub mod views;

pub(crate) type AppStateRef = State<Arc<AppState>>;

/// The API routes, with their OpenAPI description.
pub fn api_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(openapi_base())
        .routes(routes!(
            complaints::create_complaint,
            complaints::list_complaints
        ))
        .routes(routes!(complaints::get_complaint))
        .routes(routes!(complaints::record_event))
        .routes(routes!(letters::create_letter))
        .routes(routes!(letters::get_letter))
        .routes(routes!(letters::post_issue_letter))
        .routes(routes!(messages::list_messages))
        .routes(routes!(messages::post_retry_message))
        .routes(upload_route())
        .routes(routes!(documents::list_documents))
        .routes(routes!(documents::download_document))
        .routes(routes!(policies::list_policies))
        .routes(routes!(policies::get_policy, policies::put_policy))
        .routes(routes!(policies::check_policy))
}

/// The upload route: its body is limited by the document cap as it is read (see [`crate::upload`]), not
/// by the service's 64 KiB limit for JSON bodies.
fn upload_route() -> utoipa_axum::router::UtoipaMethodRouter<Arc<AppState>> {
    let (schemas, paths, method_router) = routes!(documents::upload_document);
    (
        schemas,
        paths,
        method_router.layer(axum::extract::DefaultBodyLimit::disable()),
    )
}

pub(crate) fn openapi_base() -> utoipa::openapi::OpenApi {
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
        .merge_from(<LetterFiles as utoipa::OpenApi>::openapi())
}

/// The letter files (`/api/v1/letters/{id}.pdf`, `.docx`, `.html`) are described as paths of their own; the
/// router, which allows only whole-segment parameters, serves them through `/api/v1/letters/{id}`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    letters::get_letter_pdf,
    letters::get_letter_docx,
    letters::get_letter_html
))]
struct LetterFiles;

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
