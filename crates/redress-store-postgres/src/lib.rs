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

use redress_domain::event::CaseEvent;
use redress_store::codec::{
    date_text, decode_event, due_key, encode_event, parse_date, parse_opt_date, parse_role,
    parse_stage,
};
use redress_store::{
    ApiToken, CaseFilter, CaseRecord, CaseSummary, Complainant, KeyedCase, NewCase, Page,
    PolicyRecord, Projection, QueueCounts, Session, SignInScope, Sort, Store, StoreError,
    StoreResult, StoredEvent, TokenSummary, User, format_reference, scoped_key,
};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Arguments, AssertSqlSafe, Encode, Postgres, Row, Type};

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

fn store_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        _ => StoreError::other(e),
    }
}

fn is_unique(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
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

    /// The version of a case now (outside any transaction), if it exists.
    async fn current_version(&self, case_id: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)
    }
}

fn projection_from(row: &PgRow) -> StoreResult<Projection> {
    Ok(Projection {
        stage: parse_stage(row.try_get("stage").map_err(store_error)?)?,
        state: row.try_get("state").map_err(store_error)?,
        feedback_type: row.try_get("feedback_type").map_err(store_error)?,
        received_on: parse_date(
            &row.try_get::<String, _>("received_on")
                .map_err(store_error)?,
        )?,
        assignee: row.try_get("assignee").map_err(store_error)?,
        next_due_on: parse_opt_date(row.try_get("next_due_on").map_err(store_error)?)?,
        next_due_clock: row.try_get("next_due_clock").map_err(store_error)?,
        is_open: row.try_get("is_open").map_err(store_error)?,
        late_acknowledged_on: parse_opt_date(
            row.try_get("late_acknowledged_on").map_err(store_error)?,
        )?,
    })
}

fn policy_from(row: &PgRow) -> StoreResult<PolicyRecord> {
    Ok(PolicyRecord {
        id: row.try_get("id").map_err(store_error)?,
        version: row.try_get("version").map_err(store_error)?,
        name: row.try_get("name").map_err(store_error)?,
        toml: row.try_get("toml").map_err(store_error)?,
        installed_at: row.try_get("installed_at").map_err(store_error)?,
    })
}

/// A query built clause by clause, its values bound as numbered `$n` placeholders.
struct BoundQuery {
    sql: String,
    args: PgArguments,
}

impl BoundQuery {
    /// Binds `value` and returns its placeholder.
    fn bind<'t, T>(&mut self, value: T) -> StoreResult<String>
    where
        T: Encode<'t, Postgres> + Type<Postgres>,
    {
        self.args.add(value).map_err(StoreError::other)?;
        Ok(format!("${}", self.args.len()))
    }

    /// Appends `clause`, its `?` replaced by the placeholder of `value`.
    fn push<'t, T>(&mut self, clause: &str, value: T) -> StoreResult<()>
    where
        T: Encode<'t, Postgres> + Type<Postgres>,
    {
        let placeholder = self.bind(value)?;
        self.sql.push_str(&clause.replace('?', &placeholder));
        Ok(())
    }
}

#[async_trait::async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(StoreError::other)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn install_policy(
        &self,
        id: &str,
        name: &str,
        toml: &str,
        installed_at: &str,
    ) -> StoreResult<PolicyRecord> {
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        // Installs are rare: queue them, so that two at once number their versions one after the other
        // instead of both taking MAX + 1. Readers are not blocked.
        sqlx::query("LOCK TABLE policies IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        let version: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM policies WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(store_error)?;
        sqlx::query(
            "INSERT INTO policies (id, version, name, toml, installed_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(name)
        .bind(toml)
        .bind(installed_at)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        Ok(PolicyRecord {
            id: id.into(),
            version,
            name: name.into(),
            toml: toml.into(),
            installed_at: installed_at.into(),
        })
    }

    async fn policy(&self, id: &str, version: Option<i64>) -> StoreResult<PolicyRecord> {
        let row = match version {
            Some(v) => {
                sqlx::query(
                    "SELECT id, version, name, toml, installed_at FROM policies WHERE id = $1 AND version = $2",
                )
                .bind(id)
                .bind(v)
                .fetch_one(&self.pool)
                .await
            }
            None => {
                sqlx::query(
                    "SELECT id, version, name, toml, installed_at FROM policies WHERE id = $1 \
                     ORDER BY version DESC LIMIT 1",
                )
                .bind(id)
                .fetch_one(&self.pool)
                .await
            }
        }
        .map_err(store_error)?;
        policy_from(&row)
    }

    async fn policies(&self) -> StoreResult<Vec<PolicyRecord>> {
        let rows = sqlx::query(
            "SELECT DISTINCT ON (id) id, version, name, toml, installed_at FROM policies \
             ORDER BY id, version DESC",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter().map(policy_from).collect()
    }

    async fn create_case(&self, case: NewCase) -> StoreResult<(String, bool)> {
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        let stored_key = case.idempotency.as_ref().map(|k| k.stored());
        if let Some(key) = &stored_key {
            let existing: Option<String> =
                sqlx::query_scalar("SELECT reference FROM cases WHERE idempotency_key = $1")
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(store_error)?;
            if let Some(reference) = existing {
                return Ok((reference, false));
            }
        }
        // The upsert locks the year's counter row until commit: concurrent creations number one after the
        // other, and a rolled-back creation leaves no gap.
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO reference_counters (year, last) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last",
        )
        .bind(i64::from(case.reference_year))
        .fetch_one(&mut *tx)
        .await
        .map_err(store_error)?;
        let reference = format_reference(case.reference_year, n);
        let p = &case.projection;
        let inserted = sqlx::query(
            "INSERT INTO cases (id, reference, policy_id, policy_version, summary, confidential, idempotency_key, \
             created_at, updated_at, version, stage, state, feedback_type, received_on, assignee, next_due_on, \
             next_due_clock, due_key, is_open, late_acknowledged_on, idempotency_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $19, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $20)",
        )
        .bind(&case.id)
        .bind(&reference)
        .bind(&case.policy_id)
        .bind(case.policy_version)
        .bind(&case.summary)
        .bind(case.confidential)
        .bind(&stored_key)
        .bind(&case.recorded_at)
        .bind(i64::from(p.stage))
        .bind(&p.state)
        .bind(&p.feedback_type)
        .bind(date_text(p.received_on))
        .bind(&p.assignee)
        .bind(p.next_due_on.map(date_text))
        .bind(&p.next_due_clock)
        .bind(due_key(p.next_due_on))
        .bind(p.is_open)
        .bind(p.late_acknowledged_on.map(date_text))
        .bind(1 + i64::from(case.triage.is_some()))
        .bind(case.idempotency.as_ref().map(|k| k.request_hash.as_str()))
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            // The transaction is dead after any error: end it before reading again.
            let _ = tx.rollback().await;
            return match &stored_key {
                // Another request with the same key committed between our check and our insert: answer
                // as if it had committed before the check.
                Some(key) if is_unique_on(&e, IDEMPOTENCY_CONSTRAINT) => {
                    let existing: Option<String> = sqlx::query_scalar(
                        "SELECT reference FROM cases WHERE idempotency_key = $1",
                    )
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_error)?;
                    existing
                        .map(|reference| (reference, false))
                        .ok_or(StoreError::Duplicate("the idempotency key"))
                }
                _ if is_unique(&e) => Err(StoreError::Duplicate("the case id or idempotency key")),
                _ => Err(store_error(e)),
            };
        }
        if let Some(c) = &case.complainant {
            sqlx::query(
                "INSERT INTO complainants (case_id, name, email, phone, address, representative_name, \
                 representative_relationship, representative_consent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&case.id)
            .bind(&c.name)
            .bind(&c.email)
            .bind(&c.phone)
            .bind(&c.address)
                .bind(&c.representative_name)
                .bind(&c.representative_relationship)
                .bind(c.representative_consent)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        }
        let (kind, payload) = encode_event(&case.received)?;
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) VALUES ($1, 1, $2, $3, $4, $5)",
        )
        .bind(&case.id)
        .bind(kind)
        .bind(payload)
        .bind(&case.received.by)
        .bind(&case.recorded_at)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        if let Some(triage) = &case.triage {
            let (kind, payload) = encode_event(triage)?;
            sqlx::query(
                "INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) VALUES ($1, 2, $2, $3, $4, $5)",
            )
            .bind(&case.id)
            .bind(kind)
            .bind(payload)
            .bind(&triage.by)
            .bind(&case.recorded_at)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok((reference, true))
    }

    async fn import_cases(
        &self,
        cases: Vec<(NewCase, Vec<StoredEvent>)>,
    ) -> StoreResult<Vec<String>> {
        // Cases a statement carries. Each table is written by one INSERT … SELECT FROM UNNEST over arrays
        // (one array a column): one round trip and one plan per table and chunk, whatever its size.
        const CHUNK: usize = 5000;
        for (case, later) in &cases {
            for (seq, e) in (2..).zip(later) {
                if e.seq != seq {
                    return Err(StoreError::Other(format!(
                        "import: case {} has event {} where event {seq} belongs",
                        case.id, e.seq
                    )));
                }
            }
        }
        let mut per_year: std::collections::BTreeMap<i16, i64> = Default::default();
        for (case, _) in &cases {
            *per_year.entry(case.reference_year).or_default() += 1;
        }
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        // Each year's counter moves once, by the number of that year's cases, locking its row until commit
        // as `create_case` does; years in ascending order, so that two imports never wait on each other in
        // a cycle.
        let mut next: std::collections::BTreeMap<i16, i64> = Default::default();
        for (&year, &count) in &per_year {
            let last: i64 = sqlx::query_scalar(
                "INSERT INTO reference_counters (year, last) VALUES ($1, $2) \
                 ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + EXCLUDED.last \
                 RETURNING last",
            )
            .bind(i64::from(year))
            .bind(count)
            .fetch_one(&mut *tx)
            .await
            .map_err(store_error)?;
            next.insert(year, last - count + 1);
        }
        let mut references = Vec::with_capacity(cases.len());
        for (case, _) in &cases {
            let n = next.entry(case.reference_year).or_default();
            references.push(format_reference(case.reference_year, *n));
            *n += 1;
        }
        for (chunk, refs) in cases.chunks(CHUNK).zip(references.chunks(CHUNK)) {
            let n = chunk.len();
            let mut id = Vec::with_capacity(n);
            let mut policy_id = Vec::with_capacity(n);
            let mut policy_version = Vec::with_capacity(n);
            let mut summary = Vec::with_capacity(n);
            let mut confidential = Vec::with_capacity(n);
            let mut idempotency_key = Vec::with_capacity(n);
            let mut idempotency_hash = Vec::with_capacity(n);
            let mut created_at = Vec::with_capacity(n);
            let mut updated_at = Vec::with_capacity(n);
            let mut version = Vec::with_capacity(n);
            let mut stage = Vec::with_capacity(n);
            let mut state = Vec::with_capacity(n);
            let mut feedback_type = Vec::with_capacity(n);
            let mut received_on = Vec::with_capacity(n);
            let mut assignee = Vec::with_capacity(n);
            let mut next_due_on = Vec::with_capacity(n);
            let mut next_due_clock = Vec::with_capacity(n);
            let mut key = Vec::with_capacity(n);
            let mut is_open = Vec::with_capacity(n);
            let mut late_acknowledged_on = Vec::with_capacity(n);
            // Complainants.
            let mut c_id = Vec::new();
            let mut c_name = Vec::new();
            let mut c_email = Vec::new();
            let mut c_phone = Vec::new();
            let mut c_address = Vec::new();
            let mut c_rep_name = Vec::new();
            let mut c_rep_relationship = Vec::new();
            let mut c_rep_consent = Vec::new();
            // Events.
            let mut e_case = Vec::new();
            let mut e_seq = Vec::new();
            let mut e_kind = Vec::new();
            let mut e_payload = Vec::new();
            let mut e_actor = Vec::new();
            let mut e_at = Vec::new();
            for (case, later) in chunk {
                let p = &case.projection;
                id.push(case.id.as_str());
                policy_id.push(case.policy_id.as_str());
                policy_version.push(case.policy_version);
                summary.push(case.summary.as_str());
                confidential.push(case.confidential);
                idempotency_key.push(case.idempotency.as_ref().map(|k| k.stored()));
                idempotency_hash.push(case.idempotency.as_ref().map(|k| k.request_hash.as_str()));
                created_at.push(case.recorded_at.as_str());
                updated_at.push(
                    later
                        .last()
                        .map_or(case.recorded_at.as_str(), |e| e.recorded_at.as_str()),
                );
                version.push(1 + i64::try_from(later.len()).map_err(StoreError::other)?);
                stage.push(i64::from(p.stage));
                state.push(p.state.as_str());
                feedback_type.push(p.feedback_type.as_str());
                received_on.push(date_text(p.received_on));
                assignee.push(p.assignee.as_deref());
                next_due_on.push(p.next_due_on.map(date_text));
                next_due_clock.push(p.next_due_clock.as_deref());
                key.push(due_key(p.next_due_on));
                is_open.push(p.is_open);
                late_acknowledged_on.push(p.late_acknowledged_on.map(date_text));
                if let Some(c) = &case.complainant {
                    c_id.push(case.id.as_str());
                    c_name.push(c.name.as_deref());
                    c_email.push(c.email.as_deref());
                    c_phone.push(c.phone.as_deref());
                    c_address.push(c.address.as_deref());
                    c_rep_name.push(c.representative_name.as_deref());
                    c_rep_relationship.push(c.representative_relationship.as_deref());
                    c_rep_consent.push(c.representative_consent);
                }
                let (kind, payload) = encode_event(&case.received)?;
                e_case.push(case.id.as_str());
                e_seq.push(1i64);
                e_kind.push(kind);
                e_payload.push(payload);
                e_actor.push(case.received.by.as_deref());
                e_at.push(case.recorded_at.as_str());
                for e in later {
                    let (kind, payload) = encode_event(&e.event)?;
                    e_case.push(case.id.as_str());
                    e_seq.push(e.seq);
                    e_kind.push(kind);
                    e_payload.push(payload);
                    e_actor.push(e.event.by.as_deref());
                    e_at.push(e.recorded_at.as_str());
                }
            }
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
            .bind(&id)
            .bind(refs)
            .bind(&policy_id)
            .bind(&policy_version)
            .bind(&summary)
            .bind(&confidential)
            .bind(&idempotency_key)
            .bind(&created_at)
            .bind(&updated_at)
            .bind(&version)
            .bind(&stage)
            .bind(&state)
            .bind(&feedback_type)
            .bind(&received_on)
            .bind(&assignee)
            .bind(&next_due_on)
            .bind(&next_due_clock)
            .bind(&key)
            .bind(&is_open)
            .bind(&late_acknowledged_on)
            .bind(&idempotency_hash)
            .execute(&mut *tx)
            .await
            .map_err(unique_as("a case id or idempotency key"))?;
            if !c_id.is_empty() {
                sqlx::query(
                    "INSERT INTO complainants (case_id, name, email, phone, address, representative_name, \
                     representative_relationship, representative_consent) \
                     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
                     $6::text[], $7::text[], $8::boolean[])",
                )
                .bind(&c_id)
                .bind(&c_name)
                .bind(&c_email)
                .bind(&c_phone)
                .bind(&c_address)
                .bind(&c_rep_name)
                .bind(&c_rep_relationship)
                .bind(&c_rep_consent)
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
            }
            sqlx::query(
                "INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) \
                 SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
                 $6::text[])",
            )
            .bind(&e_case)
            .bind(&e_seq)
            .bind(&e_kind)
            .bind(&e_payload)
            .bind(&e_actor)
            .bind(&e_at)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(references)
    }

    async fn case_by_reference(&self, reference: &str) -> StoreResult<CaseRecord> {
        // One snapshot for the case row and its events, so that a concurrent append is seen whole or not
        // at all.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(store_error)?;
        let row = sqlx::query(
            "SELECT c.id, c.reference, c.policy_id, c.policy_version, c.summary, c.confidential, c.stage, \
             c.state, c.feedback_type, c.received_on, c.assignee, c.next_due_on, c.next_due_clock, c.is_open, \
             c.late_acknowledged_on, p.case_id AS has_complainant, p.name, p.email, p.phone, p.address, \
             p.representative_name, p.representative_relationship, p.representative_consent \
             FROM cases c LEFT JOIN complainants p ON p.case_id = c.id WHERE c.reference = $1",
        )
        .bind(reference)
        .fetch_one(&mut *tx)
        .await
        .map_err(store_error)?;
        let id: String = row.try_get("id").map_err(store_error)?;
        let events = sqlx::query(
            "SELECT seq, payload, actor, recorded_at FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(&id)
        .fetch_all(&mut *tx)
        .await
        .map_err(store_error)?
        .iter()
        .map(|r| {
            Ok(StoredEvent {
                seq: r.try_get("seq").map_err(store_error)?,
                event: decode_event(
                    &r.try_get::<String, _>("payload").map_err(store_error)?,
                    r.try_get("actor").map_err(store_error)?,
                )?,
                recorded_at: r.try_get("recorded_at").map_err(store_error)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await.map_err(store_error)?;
        let complainant = match row
            .try_get::<Option<String>, _>("has_complainant")
            .map_err(store_error)?
        {
            Some(_) => Some(Complainant {
                name: row.try_get("name").map_err(store_error)?,
                email: row.try_get("email").map_err(store_error)?,
                phone: row.try_get("phone").map_err(store_error)?,
                address: row.try_get("address").map_err(store_error)?,
                representative_name: row.try_get("representative_name").map_err(store_error)?,
                representative_relationship: row
                    .try_get("representative_relationship")
                    .map_err(store_error)?,
                representative_consent: row
                    .try_get::<bool, _>("representative_consent")
                    .map_err(store_error)?,
            }),
            None => None,
        };
        Ok(CaseRecord {
            reference: row.try_get("reference").map_err(store_error)?,
            policy_id: row.try_get("policy_id").map_err(store_error)?,
            policy_version: row.try_get("policy_version").map_err(store_error)?,
            complainant,
            summary: row.try_get("summary").map_err(store_error)?,
            confidential: row.try_get("confidential").map_err(store_error)?,
            projection: projection_from(&row)?,
            events,
            id,
        })
    }

    async fn append(
        &self,
        case_id: &str,
        expected_version: i64,
        events: &[CaseEvent],
        recorded_at: &str,
        projection: &Projection,
    ) -> StoreResult<i64> {
        let count = i64::try_from(events.len()).map_err(StoreError::other)?;
        let new_version = expected_version + count;
        let p = projection;
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        // The compare-and-set. A second writer expecting the same version waits here for the first's row
        // lock; once the first commits, PostgreSQL re-checks the WHERE against the new row, finds the
        // version moved, and updates nothing.
        let updated = sqlx::query(
            "UPDATE cases SET version = $1, updated_at = $2, stage = $3, state = $4, feedback_type = $5, \
             received_on = $6, assignee = $7, next_due_on = $8, next_due_clock = $9, due_key = $10, is_open = $11, \
             late_acknowledged_on = $14 WHERE id = $12 AND version = $13",
        )
        .bind(new_version)
        .bind(recorded_at)
        .bind(i64::from(p.stage))
        .bind(&p.state)
        .bind(&p.feedback_type)
        .bind(date_text(p.received_on))
        .bind(&p.assignee)
        .bind(p.next_due_on.map(date_text))
        .bind(&p.next_due_clock)
        .bind(due_key(p.next_due_on))
        .bind(p.is_open)
        .bind(case_id)
        .bind(expected_version)
        .bind(p.late_acknowledged_on.map(date_text))
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        if updated.rows_affected() == 0 {
            // READ COMMITTED: this statement sees what the winner committed.
            let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(store_error)?;
            return match actual {
                None => Err(StoreError::NotFound),
                Some(actual) => Err(StoreError::Conflict {
                    expected: expected_version,
                    actual,
                }),
            };
        }
        for (seq, e) in (expected_version + 1..).zip(events) {
            let (kind, payload) = encode_event(e)?;
            let inserted = sqlx::query(
                "INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(case_id)
            .bind(seq)
            .bind(kind)
            .bind(payload)
            .bind(&e.by)
            .bind(recorded_at)
            .execute(&mut *tx)
            .await;
            if let Err(err) = inserted {
                let _ = tx.rollback().await;
                if !is_unique(&err) {
                    return Err(store_error(err));
                }
                // The log is ahead of the projection's version: someone else wrote these sequence numbers.
                let actual = self
                    .current_version(case_id)
                    .await?
                    .filter(|v| *v != expected_version)
                    .unwrap_or(expected_version + 1);
                return Err(StoreError::Conflict {
                    expected: expected_version,
                    actual,
                });
            }
        }
        tx.commit().await.map_err(store_error)?;
        Ok(new_version)
    }

    async fn list_cases(&self, f: &CaseFilter) -> StoreResult<Page> {
        let mut q = BoundQuery {
            sql: String::from(
                "SELECT c.id, c.reference, c.policy_id, c.policy_version, c.confidential, c.stage, c.state, \
                 c.feedback_type, c.received_on, c.assignee, c.next_due_on, c.next_due_clock, c.due_key, \
                 c.is_open, c.late_acknowledged_on, p.name AS complainant_name \
                 FROM cases c LEFT JOIN complainants p ON p.case_id = c.id WHERE TRUE",
            ),
            args: PgArguments::default(),
        };
        if f.open_only || f.due_on_or_before.is_some() || f.overdue_as_of.is_some() {
            q.sql.push_str(" AND c.is_open");
        }
        if !f.include_confidential {
            match &f.confidential_for {
                // Their own: logged by them (event 1, found by the primary key) or assigned to them now.
                Some(who) => q.push(
                    " AND (NOT c.confidential OR c.assignee = ? OR EXISTS (SELECT 1 FROM case_events e \
                     WHERE e.case_id = c.id AND e.seq = 1 AND e.actor = ?))",
                    who.as_str(),
                )?,
                None => q.sql.push_str(" AND NOT c.confidential"),
            }
        }
        if let Some(v) = &f.state {
            q.push(" AND c.state = ?", v.as_str())?;
        }
        if let Some(v) = f.stage {
            q.push(" AND c.stage = ?", i64::from(v))?;
        }
        if let Some(v) = &f.policy {
            q.push(" AND c.policy_id = ?", v.as_str())?;
        }
        if let Some(v) = &f.assignee {
            q.push(" AND c.assignee = ?", v.as_str())?;
        }
        if let Some(v) = f.due_on_or_before {
            q.push(" AND c.due_key <= ?", date_text(v))?;
        }
        if let Some(v) = f.overdue_as_of {
            q.push(" AND c.due_key < ?", date_text(v))?;
        }
        if let Some(v) = f.received_from {
            q.push(" AND c.received_on >= ?", date_text(v))?;
        }
        if let Some(v) = f.received_to {
            q.push(" AND c.received_on <= ?", date_text(v))?;
        }
        if let Some(c) = &f.after {
            let key = q.bind(c.key.as_str())?;
            let id = q.bind(c.id.as_str())?;
            // Row comparison: `(a, b) < (x, y)` is the keyset condition, and walks the (key, id) indexes.
            q.sql.push_str(&match f.sort {
                Sort::Received => format!(" AND (c.received_on, c.id) < ({key}, {id})"),
                Sort::Due => format!(" AND (c.due_key, c.id) > ({key}, {id})"),
            });
        }
        q.sql.push_str(match f.sort {
            Sort::Received => " ORDER BY c.received_on DESC, c.id DESC",
            Sort::Due => " ORDER BY c.due_key, c.id",
        });
        let limit = f.limit.clamp(1, 200);
        let placeholder = q.bind(i64::from(limit) + 1)?;
        q.sql.push_str(&format!(" LIMIT {placeholder}"));
        let rows = sqlx::query_with(AssertSqlSafe(q.sql), q.args)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(CaseSummary {
                    id: row.try_get("id").map_err(store_error)?,
                    reference: row.try_get("reference").map_err(store_error)?,
                    policy_id: row.try_get("policy_id").map_err(store_error)?,
                    policy_version: row.try_get("policy_version").map_err(store_error)?,
                    complainant_name: row.try_get("complainant_name").map_err(store_error)?,
                    confidential: row.try_get("confidential").map_err(store_error)?,
                    projection: projection_from(row)?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let limit = usize::try_from(limit).map_err(StoreError::other)?;
        Ok(Page::from_rows(items, limit, f.sort))
    }

    async fn count_cases(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM cases")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn create_user(&self, user: &User, created_at: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user.id)
        .bind(user.email.to_lowercase())
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(created_at)
        .execute(&self.pool)
        .await
        .map_err(unique_as("that email address"))?;
        Ok(())
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<User> {
        let row =
            sqlx::query("SELECT id, email, name, role, password_hash FROM users WHERE email = $1")
                .bind(email.to_lowercase())
                .fetch_one(&self.pool)
                .await
                .map_err(store_error)?;
        user_from(&row)
    }

    async fn count_users(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn create_token(&self, token: &ApiToken, created_at: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_tokens (id, name, role, token_hash, created_at, expires_at, last_used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&token.id)
        .bind(&token.name)
        .bind(token.role.as_str())
        .bind(&token.token_hash)
        .bind(created_at)
        .bind(&token.expires_at)
        .bind(&token.last_used_at)
        .bind(&token.revoked_at)
        .execute(&self.pool)
        .await
        .map_err(unique_as("that token"))?;
        Ok(())
    }

    async fn token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken> {
        let row = sqlx::query(
            "SELECT id, name, role, token_hash, expires_at, last_used_at, revoked_at \
             FROM api_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(ApiToken {
            id: row.try_get("id").map_err(store_error)?,
            name: row.try_get("name").map_err(store_error)?,
            role: parse_role(&row.try_get::<String, _>("role").map_err(store_error)?)?,
            token_hash: row.try_get("token_hash").map_err(store_error)?,
            expires_at: row.try_get("expires_at").map_err(store_error)?,
            last_used_at: row.try_get("last_used_at").map_err(store_error)?,
            revoked_at: row.try_get("revoked_at").map_err(store_error)?,
        })
    }

    async fn list_tokens(&self) -> StoreResult<Vec<TokenSummary>> {
        let rows = sqlx::query(
            "SELECT id, name, role, created_at, last_used_at, expires_at, revoked_at FROM api_tokens \
             ORDER BY created_at COLLATE \"C\", name, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                Ok(TokenSummary {
                    id: row.try_get("id").map_err(store_error)?,
                    name: row.try_get("name").map_err(store_error)?,
                    role: parse_role(&row.try_get::<String, _>("role").map_err(store_error)?)?,
                    created_at: row.try_get("created_at").map_err(store_error)?,
                    last_used_at: row.try_get("last_used_at").map_err(store_error)?,
                    expires_at: row.try_get("expires_at").map_err(store_error)?,
                    revoked_at: row.try_get("revoked_at").map_err(store_error)?,
                })
            })
            .collect()
    }

    async fn revoke_tokens_by_name(&self, name: &str, revoked_at: &str) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        let revoked = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        )
        .bind(revoked_at)
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?
        .rows_affected();
        if revoked == 0 {
            let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE name = $1")
                .bind(name)
                .fetch_one(&mut *tx)
                .await
                .map_err(store_error)?;
            if known == 0 {
                return Err(StoreError::NotFound);
            }
        }
        tx.commit().await.map_err(store_error)?;
        Ok(revoked)
    }

    async fn touch_token(&self, id: &str, used_at: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 \
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
        )
        .bind(used_at)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn after_bulk_load(&self) -> StoreResult<()> {
        // Fresh statistics keep the planner on the work queues' partial indexes; a vacuumed visibility map
        // lets the queue counts use index-only scans. VACUUM cannot run in a transaction: this is autocommit.
        sqlx::query("VACUUM (ANALYZE) cases")
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<User> {
        let row =
            sqlx::query("SELECT id, email, name, role, password_hash FROM users WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await
                .map_err(store_error)?;
        user_from(&row)
    }

    async fn reference_for_key(
        &self,
        scope: &str,
        idempotency_key: &str,
    ) -> StoreResult<Option<KeyedCase>> {
        let row =
            sqlx::query("SELECT reference, idempotency_hash FROM cases WHERE idempotency_key = $1")
                .bind(scoped_key(scope, idempotency_key))
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
        row.map(|row| {
            Ok(KeyedCase {
                reference: row.try_get("reference").map_err(store_error)?,
                request_hash: row.try_get("idempotency_hash").map_err(store_error)?,
            })
        })
        .transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(
            "SELECT id, email, name, role, password_hash FROM users ORDER BY name, email",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter().map(user_from).collect()
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.id_hash)
        .bind(&session.user_id)
        .bind(&session.csrf)
        .bind(&session.created_at)
        .bind(&session.last_seen_at)
        .bind(&session.expires_at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        // Housekeeping: sessions that ran out go with each sign-in.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(&session.created_at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn session(&self, id_hash: &str, now: &str) -> StoreResult<(Session, User)> {
        let row = sqlx::query(
            "SELECT s.id_hash, s.user_id, s.csrf, s.created_at, s.last_seen_at, s.expires_at, \
             u.id, u.email, u.name, u.role, u.password_hash \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        Ok((
            Session {
                id_hash: row.try_get("id_hash").map_err(store_error)?,
                user_id: row.try_get("user_id").map_err(store_error)?,
                csrf: row.try_get("csrf").map_err(store_error)?,
                created_at: row.try_get("created_at").map_err(store_error)?,
                last_seen_at: row.try_get("last_seen_at").map_err(store_error)?,
                expires_at: row.try_get("expires_at").map_err(store_error)?,
            },
            User {
                id: row.try_get("id").map_err(store_error)?,
                email: row.try_get("email").map_err(store_error)?,
                name: row.try_get("name").map_err(store_error)?,
                role: parse_role(&row.try_get::<String, _>("role").map_err(store_error)?)?,
                password_hash: row.try_get("password_hash").map_err(store_error)?,
            },
        ))
    }

    async fn touch_session(
        &self,
        id_hash: &str,
        last_seen_at: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3")
            .bind(last_seen_at)
            .bind(expires_at)
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn record_sign_in_failure(
        &self,
        account: &str,
        address: &str,
        at: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sign_in_failures (account, address, at) VALUES ($1, $2, $3)")
            .bind(account)
            .bind(address)
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn recent_sign_in_failures(
        &self,
        scope: SignInScope<'_>,
        since: &str,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        let (sql, key) = match scope {
            SignInScope::Account(account) => (
                "SELECT at FROM sign_in_failures WHERE account = $1 AND at >= $2 \
                 ORDER BY at DESC LIMIT $3",
                Some(account),
            ),
            SignInScope::Address(address) => (
                "SELECT at FROM sign_in_failures WHERE address = $1 AND at >= $2 \
                 ORDER BY at DESC LIMIT $3",
                Some(address),
            ),
            SignInScope::Overall => (
                "SELECT at FROM sign_in_failures WHERE at >= $1 ORDER BY at DESC LIMIT $2",
                None,
            ),
        };
        let mut query = sqlx::query_scalar::<_, String>(sql);
        if let Some(key) = key {
            query = query.bind(key);
        }
        query
            .bind(since)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn clear_sign_in_failures(&self, account: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sign_in_failures WHERE account = $1")
            .bind(account)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn prune_sign_in_failures(&self, before: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn open_cases_of(
        &self,
        email: Option<&str>,
        name: Option<&str>,
    ) -> StoreResult<Vec<String>> {
        let email = email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_lowercase);
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_lowercase);
        if email.is_none() && name.is_none() {
            return Ok(Vec::new());
        }
        sqlx::query_scalar(
            "SELECT c.reference FROM complainants p JOIN cases c ON c.id = p.case_id \
             WHERE c.is_open = TRUE AND (lower(p.email) = $1::text OR lower(p.name) = $2::text) ORDER BY c.reference LIMIT 20",
        )
        .bind(email)
        .bind(name)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)
    }

    async fn queue_counts(
        &self,
        today: jiff::civil::Date,
        week_end: jiff::civil::Date,
        month_start: jiff::civil::Date,
        include_confidential: bool,
        assignee: Option<&str>,
    ) -> StoreResult<QueueCounts> {
        let row = sqlx::query(
            "SELECT \
               COUNT(*) AS open, \
               COUNT(*) FILTER (WHERE due_key >= $1 AND due_key <= $2) AS due_this_week, \
               COUNT(*) FILTER (WHERE due_key < $1) AS overdue \
             FROM cases WHERE is_open = TRUE AND ($3 OR confidential = FALSE) AND ($4::text IS NULL OR assignee = $4)",
        )
        .bind(date_text(today))
        .bind(date_text(week_end))
        .bind(include_confidential)
        .bind(assignee)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        let late: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases WHERE late_acknowledged_on >= $1 \
             AND ($2 OR confidential = FALSE) AND ($3::text IS NULL OR assignee = $3)",
        )
        .bind(date_text(month_start))
        .bind(include_confidential)
        .bind(assignee)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(QueueCounts {
            open: row.try_get("open").map_err(store_error)?,
            due_this_week: row.try_get("due_this_week").map_err(store_error)?,
            overdue: row.try_get("overdue").map_err(store_error)?,
            acknowledged_late_this_month: late,
        })
    }
}

/// A user from a row with the `users` columns.
fn user_from(row: &PgRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id").map_err(store_error)?,
        email: row.try_get("email").map_err(store_error)?,
        name: row.try_get("name").map_err(store_error)?,
        role: parse_role(&row.try_get::<String, _>("role").map_err(store_error)?)?,
        password_hash: row.try_get("password_hash").map_err(store_error)?,
    })
}

/// Maps a unique-constraint violation to [`StoreError::Duplicate`] naming `what`, anything else as usual.
fn unique_as(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| {
        if is_unique(&e) {
            StoreError::Duplicate(what)
        } else {
            store_error(e)
        }
    }
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
