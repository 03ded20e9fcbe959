//! Reading an uploaded document from a `multipart/form-data` body, for the API and the pages alike: the
//! file (field `file`) is streamed to a staging file while it is hashed and counted, never held whole in
//! memory; it is refused when it is empty, larger than the cap, or not a kind the allow-list accepts (told
//! from its bytes: the declared type and the file's extension are not trusted), and then nothing is kept.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use redress_domain::documents::{self, DocumentType, SNIFF_BYTES};
use redress_store::documents::{DocumentStore, hex_of};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::error::ApiError;

/// What a multipart body may carry beside the file itself: the other fields and the parts' headers.
pub const MULTIPART_OVERHEAD: u64 = 64 * 1024;

/// The longest text field read beside the file, in bytes.
const MAX_FIELD_BYTES: usize = 20_000;

/// The most parts a body may have.
const MAX_PARTS: usize = 16;

/// A file received whole and accepted, waiting in the staging directory to be kept.
#[derive(Debug)]
pub struct Upload {
    /// Where it waits.
    pub staged: PathBuf,
    /// The SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// What its bytes are.
    pub kind: DocumentType,
    /// Its name, made safe.
    pub name: String,
}

impl Upload {
    /// Throws the staged file away (the upload was refused after it was read).
    pub async fn discard(self) {
        let _ = tokio::fs::remove_file(&self.staged).await;
    }
}

/// Why an upload was refused.
#[derive(Debug)]
pub enum UploadError {
    /// Larger than the cap (in bytes).
    TooLarge(u64),
    /// No bytes.
    Empty,
    /// Not a kind the allow-list accepts.
    WrongType,
    /// No `file` field.
    Missing,
    /// The body is not `multipart/form-data`.
    NotMultipart,
    /// The body could not be read as multipart, or a field before the file was refused (e.g. the
    /// pages' CSRF token): already an answer.
    Refused(ApiError),
    /// Reading or staging failed on our side.
    Failed(String),
}

/// The cap in words: "25 MiB", "256 KiB".
pub fn size_words(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

impl UploadError {
    /// The field at fault and what is wrong, for people.
    pub fn message(&self) -> String {
        match self {
            UploadError::TooLarge(max) => format!(
                "The file is too large: it must be {} or smaller",
                size_words(*max)
            ),
            UploadError::Empty => "The file is empty: choose a file with something in it".into(),
            UploadError::WrongType => format!(
                "The file is not a type that can be attached: attach {}. Its contents decide, not its name",
                documents::allowed_list()
            ),
            UploadError::Missing => "Choose a file to attach".into(),
            UploadError::NotMultipart => {
                "Send the file as multipart/form-data in the field `file`".into()
            }
            UploadError::Refused(e) => e.to_string(),
            UploadError::Failed(_) => "The file could not be received".into(),
        }
    }

    /// The status it is answered with: 413 too large, 415 not multipart, 422 for the rest of the input.
    pub fn status(&self) -> StatusCode {
        match self {
            UploadError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::NotMultipart => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            UploadError::Refused(e) => e.status(),
            UploadError::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
            UploadError::Empty | UploadError::WrongType | UploadError::Missing => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    }
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> ApiError {
        match e {
            UploadError::TooLarge(_) => ApiError::FileTooLarge(e.message()),
            UploadError::NotMultipart => ApiError::UnsupportedMediaType(
                "multipart/form-data, with the file in the field `file`",
            ),
            UploadError::Refused(e) => e,
            UploadError::Failed(cause) => {
                ApiError::Internal(format!("receiving a document: {cause}"))
            }
            UploadError::Empty | UploadError::WrongType | UploadError::Missing => {
                ApiError::invalid("file", e.message())
            }
        }
    }
}

/// A multipart form with a file: its other fields (text) and the file, accepted.
#[derive(Debug)]
pub struct UploadForm {
    /// The text fields, by name (the last of a name wins).
    pub fields: HashMap<String, String>,
    /// The file.
    pub file: Upload,
}

/// Reads the multipart body of `request`: text fields, then the file in field `file`, at most `max` bytes,
/// staged in `store`'s staging directory. `before_file` sees the fields read so far when the file starts
/// (the pages check their CSRF token there, before any byte of the file is kept). The whole body is limited
/// to `max` plus [`MULTIPART_OVERHEAD`]; a `Content-Length` beyond that is refused before it is read.
pub async fn read_upload(
    request: Request,
    store: &DocumentStore,
    max: u64,
    before_file: impl FnOnce(&HashMap<String, String>) -> Result<(), ApiError>,
) -> Result<UploadForm, UploadError> {
    let limit = max.saturating_add(MULTIPART_OVERHEAD);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (parts, body) = request.into_parts();
    if declared.is_some_and(|n| n > limit) {
        // A client waiting for `100 Continue` never sends the body; one already sending it is read up to
        // a bound and answered on the same connection, rather than cut off mid-send.
        let waits = parts
            .headers
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if !waits {
            discard(body, limit.saturating_mul(2)).await;
        }
        return Err(UploadError::TooLarge(max));
    }
    let limited = http_body_util::Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX));
    let request = Request::from_parts(parts, Body::new(limited));
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| UploadError::NotMultipart)?;
    let mut fields = HashMap::new();
    let mut before_file = Some(before_file);
    for _ in 0..MAX_PARTS {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Err(UploadError::Missing),
            Err(e) => return Err(multipart_failed(&e, max)),
        };
        if field.name() != Some("file") {
            let name = field.name().unwrap_or_default().to_owned();
            fields.insert(name, read_text(field, max).await?);
            continue;
        }
        if let Some(check) = before_file.take() {
            check(&fields).map_err(UploadError::Refused)?;
        }
        let given_name = field.file_name().unwrap_or_default().to_owned();
        let staged = stage(field, store, max).await;
        let file = match staged {
            Ok(file) => file,
            Err(e) => {
                drain(&mut multipart).await;
                return Err(e);
            }
        };
        let file = accept(file, &given_name).await?;
        // Fields after the file (a description placed last) are read too.
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.name().unwrap_or_default().to_owned();
            match read_text(field, max).await {
                Ok(text) => fields.insert(name, text),
                Err(e) => {
                    file.discard().await;
                    return Err(e);
                }
            };
        }
        return Ok(UploadForm { fields, file });
    }
    Err(UploadError::Refused(ApiError::BadRequest(format!(
        "the form has more than {MAX_PARTS} parts"
    ))))
}

fn multipart_failed(e: &axum::extract::multipart::MultipartError, max: u64) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge(max)
    } else {
        UploadError::Refused(ApiError::BadRequest(format!(
            "the form could not be read as multipart/form-data: {}",
            e.body_text()
        )))
    }
}

/// Reads and throws away up to `bound` bytes of a body.
async fn discard(body: Body, bound: u64) {
    use http_body_util::BodyExt;
    let mut body = http_body_util::Limited::new(body, usize::try_from(bound).unwrap_or(usize::MAX));
    while let Some(Ok(_)) = body.frame().await {}
}

/// Reads what is left of the body (within its limit), so that the answer reaches a client still sending.
async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

async fn read_text(
    mut field: axum::extract::multipart::Field<'_>,
    max: u64,
) -> Result<String, UploadError> {
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_FIELD_BYTES {
                    return Err(UploadError::Refused(ApiError::invalid(
                        field.name().unwrap_or("field"),
                        format!("is longer than {MAX_FIELD_BYTES} bytes"),
                    )));
                }
            }
            Ok(None) => break,
            Err(e) => return Err(multipart_failed(&e, max)),
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        UploadError::Refused(ApiError::invalid(
            field.name().unwrap_or("field"),
            "is not UTF-8 text",
        ))
    })
}

/// The file as received: staged, hashed, counted, with its first bytes.
struct Staged {
    path: PathBuf,
    sha256: String,
    size: u64,
    head: Vec<u8>,
}

/// Streams the field to a staging file, hashing and counting; refused (and removed) past `max` bytes.
async fn stage(
    mut field: axum::extract::multipart::Field<'_>,
    store: &DocumentStore,
    max: u64,
) -> Result<Staged, UploadError> {
    let dir = store.staging_dir();
    let failed = |e: std::io::Error| UploadError::Failed(e.to_string());
    tokio::fs::create_dir_all(&dir).await.map_err(failed)?;
    let path = dir.join(format!(".upload-{}.part", uuid_like()));
    let mut file = tokio::fs::File::create(&path).await.map_err(failed)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let result = loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break Ok(()),
            Err(e) => break Err(multipart_failed(&e, max)),
        };
        size += chunk.len() as u64;
        if size > max {
            break Err(UploadError::TooLarge(max));
        }
        hasher.update(&chunk);
        let room = SNIFF_BYTES.saturating_sub(head.len());
        head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        if let Err(e) = file.write_all(&chunk).await {
            break Err(failed(e));
        }
    };
    let synced = match result {
        Ok(()) => file.sync_all().await.map_err(failed),
        Err(e) => Err(e),
    };
    drop(file);
    if let Err(e) = synced {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(e);
    }
    Ok(Staged {
        path,
        sha256: hex_of(&hasher.finalize()),
        size,
        head,
    })
}

fn uuid_like() -> String {
    redress_store::new_id()
}

/// Accepts a staged file that is not empty and is a kind the allow-list has; removes it otherwise.
async fn accept(staged: Staged, given_name: &str) -> Result<Upload, UploadError> {
    let refused = |e: UploadError, path: PathBuf| async move {
        let _ = tokio::fs::remove_file(&path).await;
        Err(e)
    };
    if staged.size == 0 {
        return refused(UploadError::Empty, staged.path).await;
    }
    let entries = if documents::is_zip(&staged.head) {
        zip_entries(&staged.path, staged.size).await
    } else {
        Vec::new()
    };
    let Some(kind) = documents::sniff(&staged.head, &entries) else {
        return refused(UploadError::WrongType, staged.path).await;
    };
    Ok(Upload {
        name: documents::sanitise_name(given_name, kind),
        staged: staged.path,
        sha256: staged.sha256,
        size: staged.size,
        kind,
    })
}

/// The entry names of the ZIP archive at `path` (none when it cannot be read as one).
async fn zip_entries(path: &std::path::Path, len: u64) -> Vec<String> {
    async fn read_at(path: &std::path::Path, offset: u64, n: usize) -> Option<Vec<u8>> {
        let mut file = tokio::fs::File::open(path).await.ok()?;
        file.seek(std::io::SeekFrom::Start(offset)).await.ok()?;
        let mut buffer = vec![0; n];
        file.read_exact(&mut buffer).await.ok()?;
        Some(buffer)
    }
    let tail_len = len.min(22 + 65_535);
    let Some(tail) = read_at(path, len - tail_len, tail_len as usize).await else {
        return Vec::new();
    };
    // The central directory is read once its place is known from the tail.
    let mut wanted = None;
    documents::zip_entry_names(&tail, len, |offset, n| {
        wanted = Some((offset, n));
        None
    });
    let Some((offset, n)) = wanted else {
        return Vec::new();
    };
    let Some(directory) = read_at(path, offset, n).await else {
        return Vec::new();
    };
    documents::zip_entry_names(&tail, len, |_, _| Some(directory))
}
