//! The operations the API and the staff pages share, between HTTP and storage: logging a complaint,
//! recording a step, loading a case the caller may see and projecting it for the work queues. Handlers parse
//! and answer; the rules are the domain's; this layer loads, asks the domain, and stores.

pub mod cases;
pub mod complaints;
pub mod documents;
pub mod letters;
pub mod messages;

use redress_store::StoreError;

use crate::error::FieldError;

/// Why an operation was not done. Each answer is for people except `Internal` and a store failure, which
/// are logged and answered opaquely by whoever shows them.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The caller's role may not do this: (role, what it tried).
    #[error("your role ({0}) may not {1}")]
    Forbidden(&'static str, &'static str),
    /// There is no such thing, or the caller may not know it exists.
    #[error("{0}")]
    NotFound(String),
    /// The input is well formed but wrong, field by field.
    #[error("{detail}")]
    Invalid {
        /// All of it in a sentence.
        detail: String,
        /// Each field at fault.
        errors: Vec<FieldError>,
    },
    /// The policy or the lifecycle refuses, in their words.
    #[error("{detail}")]
    Refused {
        /// Why.
        detail: String,
        /// The field at fault, if one is.
        field: Option<String>,
    },
    /// The store refused (someone else changed the case first, a duplicate) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of ours, not the caller's.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// Input refused on one field.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> ServiceError {
        let detail = detail.into();
        ServiceError::Invalid {
            detail: detail.clone(),
            errors: vec![FieldError {
                field: field.into(),
                detail,
            }],
        }
    }

    /// Input refused on several fields, each named in the summary.
    pub fn fields(errors: Vec<FieldError>) -> ServiceError {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.detail))
            .collect::<Vec<_>>()
            .join("; ");
        ServiceError::Invalid { detail, errors }
    }
}

/// Result alias for the service layer.
pub type ServiceResult<T> = Result<T, ServiceError>;
