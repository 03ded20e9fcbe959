//! One error type for the HTTP layer, answered as `application/problem+json` (RFC 9457).
//!
//! 4xx answers carry a message for people, naming the field at fault where there is one. 5xx answers are
//! opaque ("Something went wrong on our side"); the cause is logged once, with no personal data.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_store::StoreError;

use crate::service::ServiceError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem detail (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` or a Redress problem type).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// Field-level errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One field at fault.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's path, e.g. `complainant.email` or `received_on`.
    pub field: String,
    /// What is wrong with it.
    pub detail: String,
}

/// Errors a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be read at all.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no or an unknown token.
    #[error("sign in: send a valid API token as 'Authorization: Bearer <token>'")]
    Unauthorized,
    /// 403: the role may not do this.
    #[error("your role ({0}) may not {1}")]
    Forbidden(&'static str, &'static str),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409: the lifecycle or the policy refuses the step, or someone else changed the case first.
    #[error("{detail}")]
    Conflict {
        /// Why.
        detail: String,
        /// The event field at fault, if any.
        field: Option<String>,
    },
    /// 413.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// An uploaded file over the size cap, in words naming the cap.
    #[error("{0}")]
    FileTooLarge(String),
    /// 415.
    #[error("send the body as {0}")]
    UnsupportedMediaType(&'static str),
    /// 422: well-formed but invalid input.
    #[error("{detail}")]
    Invalid {
        /// Summary.
        detail: String,
        /// Fields at fault.
        errors: Vec<FieldError>,
    },
    /// 500: opaque to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 422 naming one field.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        let detail = detail.into();
        ApiError::Invalid {
            detail: detail.clone(),
            errors: vec![FieldError {
                field: field.into(),
                detail,
            }],
        }
    }

    /// The HTTP status this error answers with (the API's problem documents and the pages' error pages alike).
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(..) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooLarge(_) | ApiError::FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (detail, errors) = match self {
            ApiError::Internal(_) => (
                "Something went wrong on our side. It has been logged.".to_owned(),
                vec![],
            ),
            ApiError::Invalid { detail, errors } => (detail.clone(), errors.clone()),
            ApiError::Conflict {
                detail,
                field: Some(field),
            } => (
                detail.clone(),
                vec![FieldError {
                    field: field.clone(),
                    detail: detail.clone(),
                }],
            ),
            other => (other.to_string(), vec![]),
        };
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("not found".into()),
            StoreError::Conflict { expected, actual } => ApiError::Conflict {
                detail: format!(
                    "Someone else changed this case while you were working on it (you had version {expected}; it is now at version {actual}). Reload it and try again."
                ),
                field: None,
            },
            StoreError::Duplicate(what) => ApiError::Conflict {
                detail: format!("{what} is already taken"),
                field: None,
            },
            StoreError::Other(cause) => ApiError::Internal(cause),
        }
    }
}

/// The service's refusals as answers: a refusal by the policy or the lifecycle is a 409.
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        match e {
            ServiceError::Forbidden(role, action) => ApiError::Forbidden(role, action),
            ServiceError::NotFound(what) => ApiError::NotFound(what),
            ServiceError::Invalid { detail, errors } => ApiError::Invalid { detail, errors },
            ServiceError::Refused { detail, field } => ApiError::Conflict { detail, field },
            ServiceError::Store(e) => e.into(),
            ServiceError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            // Store errors never carry request bodies, so no personal data reaches the log.
            tracing::error!(%cause, "request failed");
        }
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status(), body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if matches!(self, ApiError::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
