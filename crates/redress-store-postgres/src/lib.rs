//! Redress storage on PostgreSQL: for a landlord (or a host serving several) that outgrows one machine.
//!
//! The same tables as the SQLite backend, read through the same codec: dates and instants are text written
//! by the application, flags are `BOOLEAN`, integers `BIGINT`. Transactions run at PostgreSQL's default
//! READ COMMITTED; an append is a compare-and-set on the case's `version`, so that of two writers expecting
//! the same version the second waits for the first's row lock, then finds the version moved and gets a
//! [`StoreError::Conflict`]. Reads of a whole case run in one REPEATABLE READ snapshot, so that its events
//! and its projection always agree.
#![forbid(unsafe_code)]

use std::str::FromStr;
use std::time::Duration;

use redress_store::codec::{date_text, due_key};
use redress_store::search::SearchDocument;
use redress_store::sql::{
    self, Creation, Dialect, EventRow, SearchDialect, SearchSyntax, SqlBackend, is_unique,
    store_error, unique_as,
};
use redress_store::{NewCase, StoreError, StoreResult, StoredEvent};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgQueryResult};
use sqlx::{AssertSqlSafe, PgConnection, Postgres, Transaction};

/// Connections in the pool, at most.
const MAX_CONNECTIONS: u32 = 16;
/// How long a caller waits for a free connection (or for the first connection at start-up).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// The unique constraint on `cases.idempotency_key` (named in the migration).
const IDEMPOTENCY_CONSTRAINT: &str = "cases_idempotency_key_unique";

/// The PostgreSQL store.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    /// The schema the store lives in, when it was given one.
    schema: Option<String>,
}

fn is_unique_on(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation() && d.constraint() == Some(constraint))
}

/// The URL with any password replaced by `***`, for error messages and logs.
fn redact(url: &str) -> String {
    redress_store::redact_url(url)
}

/// Whether `schema` is a plain, unquoted PostgreSQL identifier (safe to splice into SQL and options).
fn is_plain_identifier(schema: &str) -> bool {
    let mut bytes = schema.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && schema.len() <= 63
}

impl PostgresStore {
    /// Connects to the database at a `postgres://` or `postgresql://` URL (any options sqlx understands may
    /// follow, e.g. `?sslmode=require`), and opens one connection to check. Fails, naming the URL (password
    /// hidden), when the URL is not one, at once, or when no connection could be opened within 10 seconds
    /// (a server still starting is retried until then).
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        PostgresStore::open(url, None).await
    }

    /// As [`PostgresStore::connect`], with every connection's `search_path` set to `schema`, so that the
    /// tables (and the migrations' own bookkeeping table) live there: for several stores on one database,
    /// e.g. one schema per test. The schema must exist before [`Store::migrate`] runs, and must be a plain
    /// lower-case identifier (`[a-z_][a-z0-9_]*`).
    pub async fn connect_with_schema(url: &str, schema: &str) -> StoreResult<PostgresStore> {
        if !is_plain_identifier(schema) {
            return Err(StoreError::Other(format!(
                "'{schema}' is not a plain PostgreSQL schema name ([a-z_][a-z0-9_]*, at most 63 characters)"
            )));
        }
        PostgresStore::open(url, Some(schema)).await
    }

    async fn open(url: &str, schema: Option<&str>) -> StoreResult<PostgresStore> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::Other(format!(
                "not a postgres:// URL: {}",
                redact(url)
            )));
        }
        let mut options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad PostgreSQL URL {}: {e}", redact(url))))?;
        if let Some(schema) = schema {
            options = options.options([("search_path", schema)]);
        }
        // One connection first: a server that refuses or a wrong password is reported at once, not after
        // the pool has retried for its whole acquire timeout.
        let cannot = |e: sqlx::Error| {
            StoreError::Other(format!(
                "cannot connect to PostgreSQL at {}: {e}",
                redact(url)
            ))
        };
        sqlx::Connection::close(
            sqlx::ConnectOptions::connect(&options)
                .await
                .map_err(cannot)?,
        )
        .await
        .map_err(cannot)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| {
                StoreError::Other(format!(
                    "cannot connect to PostgreSQL at {}: {e}",
                    redact(url)
                ))
            })?;
        Ok(PostgresStore {
            pool,
            schema: schema.map(str::to_owned),
        })
    }

    /// Drops the schema the store lives in, with everything in it (tests give each store a schema of its
    /// own and throw it away afterwards). A store without a schema of its own is left alone.
    pub async fn drop_own_schema(self) -> StoreResult<()> {
        if let Some(schema) = &self.schema {
            sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&self.pool)
                .await
                .map_err(store_error)?;
        }
        self.pool.close().await;
        Ok(())
    }

    /// The pool, for tools (the generator) that write in bulk.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait::async_trait]
impl SqlBackend for PostgresStore {
    type Db = Postgres;

    const NAME: &'static str = "postgres";

    const DIALECT: Dialect = Dialect {
        true_literal: "TRUE",
        false_literal: "FALSE",
        latest_policies: "SELECT DISTINCT ON (id) id, version, name, toml, installed_at FROM policies \
             ORDER BY id, version DESC",
        // `api_tokens.created_at` has the database's default collation (migration 0001).
        byte_order: " COLLATE \"C\"",
        // Installs are rare: queue them, so that two at once number their versions one after the other
        // instead of both taking MAX + 1. Readers are not blocked.
        lock_for_policy_install: Some("LOCK TABLE policies IN SHARE ROW EXCLUSIVE MODE"),
        // Words are weighted D and stemmed as English, keys weighted A and taken as they are (migration
        // 0010), so that a word never matches a key.
        search: SearchDialect {
            text_from: "case_search s",
            text_doc: "s.doc",
            words_match: "s.document @@ to_tsquery('english', ?)",
            keys_match: "s.document @@ to_tsquery('simple', ?)",
            syntax: SearchSyntax::TsQuery,
            // A prepared statement's generic plan (chosen after five runs) would walk the newest-first
            // index for a rare postcode, or sort every match of a common word.
            before_each: Some("SET LOCAL plan_cache_mode = force_custom_plan"),
        },
        // Two instances claiming at once each skip the rows the other has locked.
        skip_locked: " FOR UPDATE SKIP LOCKED",
    };

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }

    async fn begin_write(&self) -> StoreResult<Transaction<'static, Postgres>> {
        // READ COMMITTED: an append's compare-and-set waits for a concurrent writer's row lock, then
        // re-checks its WHERE against the committed row.
        self.pool.begin().await.map_err(store_error)
    }

    async fn begin_snapshot(&self) -> StoreResult<Transaction<'static, Postgres>> {
        // A concurrent append is seen whole or not at all.
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(store_error)
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(StoreError::other)
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        // Fresh statistics keep the planner on the work queues' partial indexes; a vacuumed visibility map
        // lets the queue counts use index-only scans. VACUUM cannot run in a transaction: this is autocommit.
        sql::execute(
            &self.pool,
            "VACUUM (ANALYZE) cases, case_search",
            Vec::new(),
        )
        .await
        .map(drop)
    }

    async fn create_one(&self, case: NewCase) -> StoreResult<(String, bool)> {
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        let reference = match sql::existing_or_next_reference::<Postgres>(&mut tx, &case).await? {
            Creation::Existing(reference) => return Ok((reference, false)),
            Creation::New(reference) => reference,
        };
        if let Err(e) = sql::insert_new_case::<Postgres>(&mut tx, &case, &reference).await? {
            // The transaction is dead after any error: end it before reading again.
            let _ = tx.rollback().await;
            return match &case.idempotency {
                // Another request with the same key committed between our check and our insert: answer
                // as if it had committed before the check.
                Some(key) if is_unique_on(&e, IDEMPOTENCY_CONSTRAINT) => {
                    sql::reference_for_stored_key(&self.pool, &key.stored())
                        .await?
                        .map(|reference| (reference, false))
                        .ok_or(StoreError::Duplicate("the idempotency key"))
                }
                _ if is_unique(&e) => Err(StoreError::Duplicate("the case id or idempotency key")),
                _ => Err(store_error(e)),
            };
        }
        let document = SearchDocument::of(&case.id, &case.summary, case.complainant.as_ref());
        index_in_tx(&mut tx, &[document]).await?;
        tx.commit().await.map_err(store_error)?;
        Ok((reference, true))
    }

    async fn import_checked(
        &self,
        cases: Vec<(NewCase, Vec<StoredEvent>)>,
    ) -> StoreResult<Vec<String>> {
        // Cases a statement carries. Each table is written by one INSERT … SELECT FROM UNNEST over arrays
        // (one array a column): one round trip and one plan per table and chunk, whatever its size.
        const CHUNK: usize = 5000;
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        let references = sql::number_cases::<Postgres>(&mut tx, &cases).await?;
        for (chunk, refs) in cases.chunks(CHUNK).zip(references.chunks(CHUNK)) {
            insert_case_columns(&mut tx, chunk, refs).await?;
            insert_complainant_columns(&mut tx, chunk).await?;
            insert_event_columns(&mut tx, chunk).await?;
            index_in_tx(&mut tx, &sql::documents_of(chunk)).await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(references)
    }

    async fn index_documents(
        connection: &mut PgConnection,
        documents: &[SearchDocument],
    ) -> StoreResult<()> {
        index_in_tx(connection, documents).await
    }
}

/// Adds cases to the search index in the caller's transaction, numbered in the order given.
async fn index_in_tx(tx: &mut PgConnection, documents: &[SearchDocument]) -> StoreResult<()> {
    if documents.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&SearchDocument) -> &str| documents.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO case_search (case_id, document) \
         SELECT d.case_id, setweight(to_tsvector('english', d.words), 'D') \
           || setweight(to_tsvector('simple', d.keys), 'A') \
         FROM UNNEST($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS d(case_id, words, keys, n) \
         ORDER BY d.n",
    )
    .bind(column(|d| &d.case_id))
    .bind(column(|d| &d.words))
    .bind(column(|d| &d.keys))
    .execute(&mut *tx)
    .await
    .map_err(store_error)?;
    Ok(())
}

/// The `cases` rows of an import chunk, numbered `references`, as one array a column.
async fn insert_case_columns(
    tx: &mut PgConnection,
    chunk: &[(NewCase, Vec<StoredEvent>)],
    references: &[String],
) -> StoreResult<()> {
    let cases = || chunk.iter().map(|(case, _)| case);
    let projections = || cases().map(|case| &case.projection);
    let texts = |f: fn(&NewCase) -> &str| cases().map(f).collect::<Vec<_>>();
    let updated_at: Vec<&str> = chunk
        .iter()
        .map(|(case, later)| {
            later
                .last()
                .map_or(&case.recorded_at, |e| &e.recorded_at)
                .as_str()
        })
        .collect();
    let version = chunk
        .iter()
        .map(|(_, later)| i64::try_from(later.len()).map(|n| 1 + n))
        .collect::<Result<Vec<_>, _>>()
        .map_err(StoreError::other)?;
    sqlx::query(
        "INSERT INTO cases (id, reference, policy_id, policy_version, summary, confidential, \
         idempotency_key, created_at, updated_at, version, stage, state, feedback_type, received_on, \
         assignee, next_due_on, next_due_clock, due_key, is_open, late_acknowledged_on, \
         idempotency_hash) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], \
         $6::boolean[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::text[], \
         $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::boolean[], \
         $20::text[], $21::text[])",
    )
    .bind(texts(|c| &c.id))
    .bind(references)
    .bind(texts(|c| &c.policy_id))
    .bind(cases().map(|c| c.policy_version).collect::<Vec<_>>())
    .bind(texts(|c| &c.summary))
    .bind(cases().map(|c| c.confidential).collect::<Vec<_>>())
    .bind(cases().map(|c| c.idempotency.as_ref().map(|k| k.stored())).collect::<Vec<_>>())
    .bind(texts(|c| &c.recorded_at))
    .bind(updated_at)
    .bind(version)
    .bind(projections().map(|p| i64::from(p.stage)).collect::<Vec<_>>())
    .bind(projections().map(|p| p.state.as_str()).collect::<Vec<_>>())
    .bind(projections().map(|p| p.feedback_type.as_str()).collect::<Vec<_>>())
    .bind(projections().map(|p| date_text(p.received_on)).collect::<Vec<_>>())
    .bind(projections().map(|p| p.assignee.as_deref()).collect::<Vec<_>>())
    .bind(projections().map(|p| p.next_due_on.map(date_text)).collect::<Vec<_>>())
    .bind(projections().map(|p| p.next_due_clock.as_deref()).collect::<Vec<_>>())
    .bind(projections().map(|p| due_key(p.next_due_on)).collect::<Vec<_>>())
    .bind(projections().map(|p| p.is_open).collect::<Vec<_>>())
    .bind(projections().map(|p| p.late_acknowledged_on.map(date_text)).collect::<Vec<_>>())
    .bind(
        cases()
            .map(|c| c.idempotency.as_ref().map(|k| k.request_hash.as_str()))
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await
    .map_err(unique_as("a case id or idempotency key"))?;
    Ok(())
}

/// The `complainants` rows of an import chunk, as one array a column.
async fn insert_complainant_columns(
    tx: &mut PgConnection,
    chunk: &[(NewCase, Vec<StoredEvent>)],
) -> StoreResult<()> {
    let people: Vec<_> = chunk
        .iter()
        .filter_map(|(case, _)| case.complainant.as_ref().map(|p| (case.id.as_str(), p)))
        .collect();
    if people.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&redress_store::Complainant) -> Option<&str>| {
        people.iter().map(|(_, p)| f(p)).collect::<Vec<_>>()
    };
    sqlx::query(
        "INSERT INTO complainants (case_id, name, email, phone, address, representative_name, \
         representative_relationship, representative_consent) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
         $6::text[], $7::text[], $8::boolean[])",
    )
    .bind(people.iter().map(|(id, _)| *id).collect::<Vec<_>>())
    .bind(column(|p| p.name.as_deref()))
    .bind(column(|p| p.email.as_deref()))
    .bind(column(|p| p.phone.as_deref()))
    .bind(column(|p| p.address.as_deref()))
    .bind(column(|p| p.representative_name.as_deref()))
    .bind(column(|p| p.representative_relationship.as_deref()))
    .bind(
        people
            .iter()
            .map(|(_, p)| p.representative_consent)
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await
    .map_err(store_error)?;
    Ok(())
}

/// The `case_events` rows of an import chunk, as one array a column.
async fn insert_event_columns(
    tx: &mut PgConnection,
    chunk: &[(NewCase, Vec<StoredEvent>)],
) -> StoreResult<()> {
    let mut events: Vec<EventRow> = Vec::new();
    for (case, later) in chunk {
        events.extend(sql::event_rows(case, later)?);
    }
    sqlx::query(
        "INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) \
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
         $6::text[])",
    )
    .bind(events.iter().map(|e| e.case_id).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.seq).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.kind).collect::<Vec<_>>())
    .bind(
        events
            .iter()
            .map(|e| e.payload.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(events.iter().map(|e| e.actor).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.recorded_at).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await
    .map_err(store_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{is_plain_identifier, redact};

    #[test]
    fn passwords_never_reach_error_messages() {
        assert_eq!(
            redact("postgres://redress:s3cret@db.example:5432/redress?sslmode=require"),
            "postgres://redress:***@db.example:5432/redress?sslmode=require"
        );
        assert_eq!(
            redact("postgresql://db/redress?user=r&password=s3cret"),
            "postgresql://db/redress?user=r&password=***"
        );
        assert_eq!(
            redact("postgres://redress@db/redress"),
            "postgres://redress@db/redress"
        );
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn only_plain_schema_names_are_accepted() {
        assert!(is_plain_identifier("redress_test_0f3a"));
        assert!(is_plain_identifier("_x"));
        assert!(!is_plain_identifier(""));
        assert!(!is_plain_identifier("9x"));
        assert!(!is_plain_identifier("a; DROP TABLE cases"));
        assert!(!is_plain_identifier("Mixed"));
        assert!(!is_plain_identifier(&"a".repeat(64)));
    }
}

/// Where the PostgreSQL tests of every crate find their server.
pub mod test_server {
    use std::str::FromStr;

    use sqlx::postgres::PgConnectOptions;

    /// The variable naming the test database.
    pub const URL_VAR: &str = "REDRESS_TEST_DATABASE_URL";
    /// The local server tried when the variable is not set.
    pub const LOCAL_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

    /// The test database: `REDRESS_TEST_DATABASE_URL`, or a local server on 127.0.0.1:5432 when one
    /// answers. Without either the test is skipped, and says so on standard error; but with `CI` set that
    /// is a failure (a CI run must test PostgreSQL, not pass without it).
    pub async fn url(test: &str) -> Option<String> {
        if let Ok(url) = std::env::var(URL_VAR)
            && !url.is_empty()
        {
            return Some(url);
        }
        if local_server_answers().await {
            return Some(LOCAL_URL.to_owned());
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: CI is set but no PostgreSQL answers: set {URL_VAR} or start a server on 127.0.0.1:5432"
        );
        eprintln!(
            "{test}: SKIPPED: no PostgreSQL ({URL_VAR} is not set and none answers on 127.0.0.1:5432)"
        );
        None
    }

    async fn local_server_answers() -> bool {
        let Ok(options) = PgConnectOptions::from_str(LOCAL_URL) else {
            return false;
        };
        match sqlx::ConnectOptions::connect(&options).await {
            Ok(conn) => {
                let _ = sqlx::Connection::close(conn).await;
                true
            }
            Err(_) => false,
        }
    }
}
