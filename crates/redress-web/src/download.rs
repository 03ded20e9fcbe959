//! A letter or document as the answer to a download, for the API and the pages alike.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::service::letters::LetterFormat;

/// The letter's bytes with their media type; a PDF or Word file is served as an attachment named after
/// the letter, an HTML preview inline.
pub fn letter_file(id: &str, format: LetterFormat, bytes: Vec<u8>) -> Response {
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, format.content_type())],
        bytes,
    )
        .into_response();
    if format != LetterFormat::Html {
        let disposition = format!(
            "attachment; filename=\"letter-{id}.{}\"",
            format.extension()
        );
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}
