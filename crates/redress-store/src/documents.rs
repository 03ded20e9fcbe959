//! Document bytes, content-addressed: a document's id is the SHA-256 of its bytes in lower-case hex, and
//! it is kept under `ab/abcdef…` (the first two digits name a directory, so that no directory grows too
//! large), either in a directory on local disk (the default) or in S3-compatible object storage (for
//! deployments on several machines). Bytes are written whole or not at all: on disk to a temporary file in
//! the same directory, renamed into place; in object storage by one upload that only appears when
//! complete. Writing the same bytes twice changes nothing. The documents' rows (type, size, name) are the
//! [`Store`](crate::Store)'s.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::ObjectStoreExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use sha2::{Digest, Sha256};

/// The default directory, relative to the working directory.
pub const DEFAULT_DIR: &str = "redress-data/documents";

/// Document bytes by their SHA-256, on local disk or in object storage.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Directory(PathBuf),
    Object {
        store: Arc<dyn object_store::ObjectStore>,
        prefix: String,
        url: String,
    },
}

/// The SHA-256 of `bytes`, lower-case hex: a document's id.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_of(&Sha256::digest(bytes))
}

/// Bytes as lower-case hex.
pub fn hex_of(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `id` is a document id: 64 lower-case hexadecimal digits (so it is safe as a file name).
pub fn is_document_id(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn not_an_id() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a document id")
}

fn object_error(e: object_store::Error) -> std::io::Error {
    match e {
        object_store::Error::NotFound { .. } => {
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such document")
        }
        e => std::io::Error::other(e.to_string()),
    }
}

/// Whether an endpoint is on this machine (plain HTTP is allowed there without saying so).
fn is_loopback(endpoint: &str) -> bool {
    let rest = endpoint.strip_prefix("http://").unwrap_or("");
    ["127.", "localhost:", "localhost/", "[::1]"]
        .iter()
        .any(|p| rest.starts_with(p))
        || rest == "localhost"
}

impl DocumentStore {
    /// Documents kept under `dir` (created when the first is written).
    pub fn new(dir: impl Into<PathBuf>) -> DocumentStore {
        DocumentStore {
            backend: Backend::Directory(dir.into()),
        }
    }

    /// Documents in S3-compatible object storage at `url` (`s3://bucket` or `s3://bucket/prefix`), with the
    /// endpoint, region and credentials from the standard `AWS_*` environment variables
    /// (`AWS_ENDPOINT_URL`, `AWS_REGION`/`AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, `AWS_ALLOW_HTTP`, …) and then `options` (object_store's configuration keys,
    /// such as `aws_endpoint`), which win. Plain HTTP is allowed to a loopback endpoint.
    pub fn s3(url: &str, options: &[(&str, &str)]) -> Result<DocumentStore, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("'{url}' is not an s3:// URL"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("'{url}' names no bucket"));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        let mut endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"]
            .iter()
            .find_map(|k| std::env::var(k).ok());
        let mut has_region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .any(|k| std::env::var(k).is_ok());
        for (key, value) in options {
            let key: AmazonS3ConfigKey = key
                .parse()
                .map_err(|e: object_store::Error| e.to_string())?;
            match key {
                AmazonS3ConfigKey::Endpoint => endpoint = Some((*value).to_owned()),
                AmazonS3ConfigKey::Region => has_region = true,
                _ => {}
            }
            builder = builder.with_config(key, *value);
        }
        if endpoint.as_deref().is_some_and(is_loopback) {
            builder = builder.with_allow_http(true);
        }
        if !has_region {
            builder = builder.with_region("us-east-1");
        }
        let store = builder
            .build()
            .map_err(|e| format!("object storage at {url}: {e}"))?;
        Ok(DocumentStore {
            backend: Backend::Object {
                store: Arc::new(store),
                prefix: prefix.trim_matches('/').to_owned(),
                url: url.to_owned(),
            },
        })
    }

    /// Where documents are kept, for logs (a directory or an `s3://` URL; never a credential).
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Directory(dir) => dir.display().to_string(),
            Backend::Object { url, .. } => url.clone(),
        }
    }

    /// The directory, for documents on local disk.
    pub fn dir(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Directory(dir) => Some(dir),
            Backend::Object { .. } => None,
        }
    }

    /// Where an incoming file is written while it is read and hashed: beside the documents on local disk
    /// (so that keeping it is a rename), the system's temporary directory otherwise.
    pub fn staging_dir(&self) -> PathBuf {
        match &self.backend {
            Backend::Directory(dir) => dir.join(".incoming"),
            Backend::Object { .. } => std::env::temp_dir(),
        }
    }

    /// The key of document `id` under the store's root.
    fn key_of(id: &str) -> std::io::Result<String> {
        if !is_document_id(id) {
            return Err(not_an_id());
        }
        Ok(format!("{}/{id}", &id[..2]))
    }

    fn object_path(prefix: &str, id: &str) -> std::io::Result<ObjectPath> {
        let key = Self::key_of(id)?;
        let full = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}/{key}")
        };
        ObjectPath::parse(full).map_err(|e| std::io::Error::other(e.to_string()))
    }

    /// Stores `bytes` and returns their id. Bytes already stored are not written again.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let id = sha256_hex(bytes);
        match &self.backend {
            Backend::Directory(dir) => {
                let path = dir.join(Self::key_of(&id)?);
                if !path.exists() {
                    write_whole(dir, &path, &id, bytes)?;
                }
            }
            Backend::Object { store, prefix, .. } => {
                let location = Self::object_path(prefix, &id)?;
                store
                    .put(&location, bytes.to_vec().into())
                    .await
                    .map_err(object_error)?;
            }
        }
        Ok(id)
    }

    /// Keeps the file at `staged` (written in [`DocumentStore::staging_dir`]) as document `id`, which the
    /// caller computed as the SHA-256 of its bytes while writing it; the staged file is gone afterwards.
    pub async fn keep_file(&self, staged: &Path, id: &str) -> std::io::Result<()> {
        let kept = match &self.backend {
            Backend::Directory(dir) => {
                let path = dir.join(Self::key_of(id)?);
                let parent = path.parent().unwrap_or(dir);
                tokio::fs::create_dir_all(parent).await?;
                if path.exists() {
                    Ok(())
                } else {
                    tokio::fs::rename(staged, &path).await
                }
            }
            Backend::Object { store, prefix, .. } => {
                upload(store.clone(), Self::object_path(prefix, id)?, staged).await
            }
        };
        let _ = tokio::fs::remove_file(staged).await;
        kept
    }

    /// The bytes of document `id`; a document not stored is [`std::io::ErrorKind::NotFound`].
    pub async fn get(&self, id: &str) -> std::io::Result<Vec<u8>> {
        match &self.backend {
            Backend::Directory(dir) => tokio::fs::read(dir.join(Self::key_of(id)?)).await,
            Backend::Object { store, prefix, .. } => {
                let location = Self::object_path(prefix, id)?;
                let found = store.get(&location).await.map_err(object_error)?;
                Ok(found.bytes().await.map_err(object_error)?.to_vec())
            }
        }
    }
}

/// Writes `bytes` as `path` through a temporary file in the same directory, renamed into place.
fn write_whole(dir: &Path, path: &Path, id: &str, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)?;
    let temporary = parent.join(format!(".{id}.{}.tmp", uuid::Uuid::now_v7().simple()));
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Streams a file into object storage (in parts when it is large); the object appears only when whole.
async fn upload(
    store: Arc<dyn object_store::ObjectStore>,
    location: ObjectPath,
    file: &Path,
) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut source = tokio::fs::File::open(file).await?;
    let mut writer = object_store::buffered::BufWriter::new(store, location);
    match tokio::io::copy(&mut source, &mut writer).await {
        Ok(_) => writer.shutdown().await,
        Err(e) => {
            let _ = writer.abort().await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn documents_are_named_by_their_sha256_and_read_back_whole() {
        let dir = std::env::temp_dir().join(format!("redress-docs-{}", uuid::Uuid::now_v7()));
        let store = DocumentStore::new(&dir);
        let id = store.put(b"hello").await.unwrap_or_default();
        assert_eq!(
            id,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(dir.join("2c").join(&id).is_file());
        assert_eq!(store.put(b"hello").await.unwrap_or_default(), id);
        assert_eq!(store.get(&id).await.unwrap_or_default(), b"hello");
        assert!(store.get(&"0".repeat(64)).await.is_err());
        assert!(store.get("../../etc/passwd").await.is_err());
        let leftovers = std::fs::read_dir(dir.join("2c"))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(leftovers, 1, "no temporary file is left behind");

        // A staged file is kept by a rename, and is gone from the staging directory afterwards.
        let staging = store.staging_dir();
        std::fs::create_dir_all(&staging).unwrap_or_default();
        let staged = staging.join("upload.tmp");
        std::fs::write(&staged, b"world").unwrap_or_default();
        let world = sha256_hex(b"world");
        assert!(store.keep_file(&staged, &world).await.is_ok());
        assert!(!staged.exists());
        assert_eq!(store.get(&world).await.unwrap_or_default(), b"world");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn s3_urls_name_a_bucket_and_only_loopback_may_be_plain_http() {
        assert!(DocumentStore::s3("/var/documents", &[]).is_err());
        assert!(DocumentStore::s3("s3://", &[]).is_err());
        let store = DocumentStore::s3(
            "s3://evidence/redress",
            &[
                ("aws_endpoint", "http://127.0.0.1:9000"),
                ("aws_access_key_id", "test"),
                ("aws_secret_access_key", "test"),
            ],
        );
        assert_eq!(
            store.map(|s| s.location()).unwrap_or_default(),
            "s3://evidence/redress"
        );
        assert!(is_loopback("http://localhost:9000"));
        assert!(is_loopback("http://[::1]:9000"));
        assert!(!is_loopback("http://storage.example.org"));
        assert!(!is_loopback("https://127.0.0.1:9000"));
    }
}
