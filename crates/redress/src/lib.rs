//! The `redress` binary's library side: choosing a storage backend from a URL and the service's settings,
//! so that tests and tools start Redress exactly as `redress serve` does.
#![forbid(unsafe_code)]

use std::sync::Arc;

use redress_store::{Store, StoreError};
use redress_store_postgres::PostgresStore;
use redress_store_sqlite::SqliteStore;
use serde::Deserialize;

/// The embedded default database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://redress-data/redress.db";
/// The default address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Opens the store a URL names: `sqlite://PATH` or `postgres://…`.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        Err(StoreError::Other(
            "the database URL must start with sqlite:// or postgres://".into(),
        ))
    }
}

/// Opens and migrates a store, and installs the shipped policies it lacks.
pub async fn open_and_migrate(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    let store = open_store(url).await?;
    store.migrate().await?;
    redress_web::seed_presets(store.as_ref()).await?;
    Ok(store)
}

/// Settings from the optional TOML file (`--config`); flags and `REDRESS_*` variables override them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Database URL.
    pub database_url: Option<String>,
    /// Address to listen on.
    pub bind: Option<String>,
    /// Policy for complaints that name none.
    pub default_policy: Option<String>,
    /// An updated gov.uk bank-holidays.json.
    pub bank_holidays: Option<String>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// Email of the first administrator created on an empty database.
    pub admin_email: Option<String>,
    /// The address people use to reach Redress.
    pub public_url: Option<String>,
}

impl FileConfig {
    /// Reads a config file, naming the file and the key at fault.
    pub fn load(path: &std::path::Path) -> Result<FileConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
    }
}
