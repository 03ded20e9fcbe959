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

/// A document attached to a case, as a download: always an attachment (never shown inline), under its
/// safe name (plain ASCII in `filename`, the name itself in `filename*`), with its sniffed media type and
/// `X-Content-Type-Options: nosniff`, so that no browser runs or renders it as anything else.
pub fn document_file(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let served_type = if content_type == "text/plain" {
        "text/plain; charset=utf-8".to_owned()
    } else {
        content_type.to_owned()
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&served_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&content_disposition(name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): the ASCII fallback replaces every other
/// character with `_`; the encoded form keeps the name.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_attachments_under_a_safe_name() {
        assert_eq!(
            content_disposition("Zoë's report.pdf"),
            "attachment; filename=\"Zo_'s report.pdf\"; filename*=UTF-8''Zo%C3%AB%27s%20report.pdf"
        );
        let response = document_file("notes.txt", "text/plain", b"hello".to_vec());
        let h = response.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/plain; charset=utf-8");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            h[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap_or_default()
                .starts_with("attachment;")
        );
    }
}
