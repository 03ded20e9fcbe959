//! Document bytes, content-addressed on local disk: a document's id is the SHA-256 of its bytes in
//! lower-case hex, and it is kept at `DIR/ab/abcdef…` (the first two digits name a directory, so that no
//! directory grows too large). Bytes are written to a temporary file in the same directory and renamed into
//! place, so a document is either whole or absent; writing the same bytes twice changes nothing. The
//! documents' rows (type, size, name) are the [`Store`](crate::Store)'s.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The default directory, relative to the working directory.
pub const DEFAULT_DIR: &str = "redress-data/documents";

/// Document bytes on local disk, by their SHA-256.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    dir: PathBuf,
}

/// The SHA-256 of `bytes`, lower-case hex: a document's id.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `id` is a document id: 64 lower-case hexadecimal digits (so it is safe as a file name).
pub fn is_document_id(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl DocumentStore {
    /// Documents kept under `dir` (created when the first is written).
    pub fn new(dir: impl Into<PathBuf>) -> DocumentStore {
        DocumentStore { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, id: &str) -> std::io::Result<PathBuf> {
        if !is_document_id(id) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a document id",
            ));
        }
        Ok(self.dir.join(&id[..2]).join(id))
    }

    /// Stores `bytes` and returns their id. Bytes already stored are not written again.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let id = sha256_hex(bytes);
        let path = self.path_of(&id)?;
        if path.exists() {
            return Ok(id);
        }
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent)?;
        let temporary = parent.join(format!(".{id}.{}.tmp", uuid::Uuid::now_v7().simple()));
        let written = (|| {
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.map(|()| id)
    }

    /// The bytes of document `id`; a document not stored is [`std::io::ErrorKind::NotFound`].
    pub fn get(&self, id: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path_of(id)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_named_by_their_sha256_and_read_back_whole() {
        let dir = std::env::temp_dir().join(format!("redress-docs-{}", uuid::Uuid::now_v7()));
        let store = DocumentStore::new(&dir);
        let id = store.put(b"hello").unwrap_or_default();
        assert_eq!(
            id,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(dir.join("2c").join(&id).is_file());
        assert_eq!(store.put(b"hello").unwrap_or_default(), id);
        assert_eq!(store.get(&id).unwrap_or_default(), b"hello");
        assert!(store.get(&"0".repeat(64)).is_err());
        assert!(store.get("../../etc/passwd").is_err());
        let leftovers = std::fs::read_dir(dir.join("2c"))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
