//! JSON bodies parsed once, with errors that name the field at fault, and dates checked strictly.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use jiff::civil::Date;
use serde::de::DeserializeOwned;

use crate::MAX_BODY;
use crate::error::{ApiError, ApiResult, FieldError};

use crate::input::strict_date;

/// A JSON body: `application/json`, at most [`MAX_BODY`] bytes, unknown fields refused, errors naming the
/// path of the field at fault.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, RouterState: Send + Sync> FromRequest<RouterState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &RouterState) -> Result<Self, Self::Rejection> {
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

pub(crate) async fn read_body<RouterState: Send + Sync>(
    req: Request,
    state: &RouterState,
) -> Result<Bytes, ApiError> {
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
pub(crate) fn guess_field(bytes: &[u8], message: &str) -> Option<String> {
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
pub(crate) fn tidy_serde_message(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_owned(),
        None => m.to_owned(),
    }
}

/// Every date in a JSON body (the fields `on` and `…_on`) is written exactly `YYYY-MM-DD`.
pub(crate) fn check_dates(value: &serde_json::Value, path: &str) -> ApiResult<()> {
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
