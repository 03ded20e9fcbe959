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

/// The longest `--expires-in` accepted: ten years.
const MAX_EXPIRES_IN_HOURS: i64 = 10 * 366 * 24;

/// How long a new API token lasts, from `--expires-in`: a whole number of hours (`12h`), days (`90d`) or
/// weeks (`2w`), from one hour to ten years. Days and weeks are 24 and 168 hours.
pub fn parse_expires_in(text: &str) -> Result<jiff::SignedDuration, String> {
    let bad = || {
        format!(
            "--expires-in must be a whole number of hours, days or weeks such as 12h, 90d or 2w \
             (at most ten years), not '{text}'"
        )
    };
    let t = text.trim();
    let split = t.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = (
        t.get(..split).ok_or_else(bad)?,
        t.get(split..).ok_or_else(bad)?,
    );
    let hours_per_unit = match unit {
        "h" | "H" => 1,
        "d" | "D" => 24,
        "w" | "W" => 7 * 24,
        _ => return Err(bad()),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = number.parse().map_err(|_| bad())?;
    let hours = n.checked_mul(hours_per_unit).ok_or_else(bad)?;
    if !(1..=MAX_EXPIRES_IN_HOURS).contains(&hours) {
        return Err(bad());
    }
    Ok(jiff::SignedDuration::from_hours(hours))
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
    /// Where documents are kept.
    pub documents_dir: Option<String>,
    /// The SMTP server email is sent through (`smtp://host:port`, `smtps://user:pass@host`).
    pub smtp_url: Option<String>,
    /// The From address of the emails sent.
    pub mail_from: Option<String>,
    /// Documents in object storage instead (`s3://bucket/prefix`).
    pub documents_url: Option<String>,
    /// The largest document that may be attached to a case, in MiB.
    pub max_document_mib: Option<u64>,
}

impl FileConfig {
    /// Reads a config file, naming the file and the key at fault.
    pub fn load(path: &std::path::Path) -> Result<FileConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries_are_hours_days_or_weeks() {
        let hours = |s: &str| parse_expires_in(s).map(|d| d.as_hours());
        assert_eq!(hours("90d"), Ok(90 * 24));
        assert_eq!(hours("30d"), Ok(30 * 24));
        assert_eq!(hours("12h"), Ok(12));
        assert_eq!(hours("2w"), Ok(14 * 24));
        assert_eq!(hours(" 1D "), Ok(24));
        assert_eq!(hours("3650d"), Ok(3650 * 24));
        for bad in [
            "",
            "d",
            "90",
            "90x",
            "0d",
            "-5d",
            "+5d",
            "1.5d",
            "90 d",
            "9999999999999999999d",
            "4000d",
            "9223372036854775807h",
            "½d",
            "90dd",
        ] {
            let err = parse_expires_in(bad).expect_err(bad);
            assert!(err.starts_with("--expires-in must be"), "{bad}: {err}");
            assert!(err.contains(&format!("'{bad}'")), "{bad}: {err}");
        }
    }
}
