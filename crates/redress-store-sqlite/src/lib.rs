//! Redress storage on an embedded SQLite file: the default, for a landlord running Redress on one machine.
//!
//! WAL journal (readers never block the writer), `synchronous = FULL` by default so that an acknowledged
//! write survives a killed process and a power cut (`?synchronous=normal` in the URL trades the latter for
//! speed), foreign keys on, and every write transaction started with `BEGIN IMMEDIATE` so that two writers
//! queue for the lock instead of failing on upgrade.
#![forbid(unsafe_code)]

use std::str::FromStr;
use std::time::Duration;

use redress_store::codec::{
    date_text, decode_event, due_key, encode_event, parse_date, parse_opt_date, parse_role,
    parse_stage,
};
use redress_store::{
    ApiToken, CaseFilter, CaseRecord, CaseSummary, Complainant, KeyedCase, NewCase, Page,
    PolicyRecord, Projection, QueueCounts, Session, SignInScope, Sort, Store, StoreError,
    StoreResult, StoredEvent, TokenSummary, User, format_reference, scoped_key,
};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Arguments, AssertSqlSafe, Row, SqliteConnection};

/// The SQLite store.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Readers (WAL: they never wait for the writer).
    pool: SqlitePool,
    /// The one writer connection: writes queue here in order, never in SQLite's busy-wait.
    writer: SqlitePool,
    /// Creations for the group-commit writer.
    creates: tokio::sync::mpsc::Sender<CreateJob>,
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

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://PATH` URL. Query parameters:
    /// `synchronous=full|normal` (default full).
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        let (path_part, query) = url.split_once('?').unwrap_or((url, ""));
        let path = path_part
            .strip_prefix("sqlite://")
            .or_else(|| path_part.strip_prefix("sqlite:"))
            .ok_or_else(|| StoreError::Other(format!("not a sqlite:// URL: {path_part}")))?;
        let mut synchronous = SqliteSynchronous::Full;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("synchronous", v)) => {
                    synchronous = SqliteSynchronous::from_str(v).map_err(|_| {
                        StoreError::Other(format!("synchronous={v} is not a SQLite setting"))
                    })?
                }
                _ => {
                    // The key only: the value may be a secret (`?password=…`) and this message is shown.
                    let key = pair.split_once('=').map_or(pair, |(k, _)| k);
                    return Err(StoreError::Other(format!(
                        "unknown SQLite URL option '{key}'"
                    )));
                }
            }
        }
        if let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(StoreError::other)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(store_error)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options)
            .await
            .map_err(store_error)?;
        let (creates, jobs) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(run_batcher(writer.clone(), jobs));
        Ok(SqliteStore {
            pool,
            writer,
            creates,
        })
    }

    /// The reading pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The writing connection, for tools (the generator) that write in bulk.
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}

fn projection_from(row: &SqliteRow) -> StoreResult<Projection> {
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
        is_open: row.try_get::<i64, _>("is_open").map_err(store_error)? != 0,
        late_acknowledged_on: parse_opt_date(
            row.try_get("late_acknowledged_on").map_err(store_error)?,
        )?,
    })
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations")
            .run(&self.writer)
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
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        let version: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM policies WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(store_error)?;
        sqlx::query("INSERT INTO policies (id, version, name, toml, installed_at) VALUES ($1, $2, $3, $4, $5)")
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
            Some(v) => sqlx::query("SELECT id, version, name, toml, installed_at FROM policies WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(v)
                .fetch_one(&self.pool)
                .await,
            None => sqlx::query(
                "SELECT id, version, name, toml, installed_at FROM policies WHERE id = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await,
        }
        .map_err(store_error)?;
        policy_from(&row)
    }

    async fn policies(&self) -> StoreResult<Vec<PolicyRecord>> {
        let rows = sqlx::query(
            "SELECT p.id, p.version, p.name, p.toml, p.installed_at FROM policies p \
             WHERE p.version = (SELECT MAX(version) FROM policies q WHERE q.id = p.id) ORDER BY p.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter().map(policy_from).collect()
    }

    async fn create_case(&self, case: NewCase) -> StoreResult<(String, bool)> {
        // Group commit: concurrent creations share one transaction and one fsync (see `run_batcher`).
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.creates
            .send((case, reply))
            .await
            .map_err(|_| StoreError::Other("the SQLite writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Other("the SQLite writer has stopped".into()))?
    }

    async fn import_cases(
        &self,
        cases: Vec<(NewCase, Vec<StoredEvent>)>,
    ) -> StoreResult<Vec<String>> {
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
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        let references = import_in_tx(&mut tx, &cases, &per_year).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(references)
    }

    async fn case_by_reference(&self, reference: &str) -> StoreResult<CaseRecord> {
        // One read transaction: the projection and the events come from the same snapshot.
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        let row = sqlx::query(
            "SELECT c.*, p.case_id AS has_complainant, p.name, p.email, p.phone, p.address, \
             p.representative_name, p.representative_relationship, p.representative_consent \
             FROM cases c LEFT JOIN complainants p ON p.case_id = c.id WHERE c.reference = $1",
        )
        .bind(reference)
        .fetch_one(&mut *tx)
        .await
        .map_err(store_error)?;
        let id: String = row.try_get("id").map_err(store_error)?;
        let events = sqlx::query("SELECT seq, payload, actor, recorded_at FROM case_events WHERE case_id = $1 ORDER BY seq")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await
            .map_err(store_error)?
            .iter()
            .map(|r| {
                Ok(StoredEvent {
                    seq: r.try_get("seq").map_err(store_error)?,
                    event: decode_event(&r.try_get::<String, _>("payload").map_err(store_error)?, r.try_get("actor").map_err(store_error)?)?,
                    recorded_at: r.try_get("recorded_at").map_err(store_error)?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
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
                    .try_get::<i64, _>("representative_consent")
                    .map_err(store_error)?
                    != 0,
            }),
            None => None,
        };
        tx.commit().await.map_err(store_error)?;
        Ok(CaseRecord {
            reference: row.try_get("reference").map_err(store_error)?,
            policy_id: row.try_get("policy_id").map_err(store_error)?,
            policy_version: row.try_get("policy_version").map_err(store_error)?,
            complainant,
            summary: row.try_get("summary").map_err(store_error)?,
            confidential: row.try_get::<i64, _>("confidential").map_err(store_error)? != 0,
            projection: projection_from(&row)?,
            events,
            id,
        })
    }

    async fn append(
        &self,
        case_id: &str,
        expected_version: i64,
        events: &[redress_domain::event::CaseEvent],
        recorded_at: &str,
        projection: &Projection,
    ) -> StoreResult<i64> {
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        let new_version = expected_version + events.len() as i64;
        let p = projection;
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
        .bind(i64::from(p.is_open))
        .bind(case_id)
        .bind(expected_version)
        .bind(p.late_acknowledged_on.map(date_text))
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        if updated.rows_affected() == 0 {
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
        for (i, e) in events.iter().enumerate() {
            let (kind, payload) = encode_event(e)?;
            sqlx::query("INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(case_id)
                .bind(expected_version + 1 + i as i64)
                .bind(kind)
                .bind(payload)
                .bind(&e.by)
                .bind(recorded_at)
                .execute(&mut *tx)
                .await
                .map_err(|err| {
                    // Unreachable while the version check above holds (the write lock is ours since BEGIN
                    // IMMEDIATE), but if the log and the version ever disagree, refuse rather than fork it.
                    if is_unique(&err) {
                        StoreError::Conflict { expected: expected_version, actual: expected_version + 1 }
                    } else {
                        store_error(err)
                    }
                })?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(new_version)
    }

    async fn list_cases(&self, f: &CaseFilter) -> StoreResult<Page> {
        let mut sql = String::from(
            "SELECT c.id, c.reference, c.policy_id, c.policy_version, c.confidential, c.stage, c.state, \
             c.feedback_type, c.received_on, c.assignee, c.next_due_on, c.next_due_clock, c.due_key, c.is_open, c.late_acknowledged_on, \
             p.name AS complainant_name FROM cases c LEFT JOIN complainants p ON p.case_id = c.id WHERE 1 = 1",
        );
        let mut args = SqliteArguments::default();
        let mut n = 0;
        let mut bind = |sql: &mut String, clause: &str, value: String| -> StoreResult<()> {
            n += 1;
            sql.push_str(&clause.replace('?', &format!("${n}")));
            args.add(value).map_err(StoreError::other)
        };
        if f.open_only || f.due_on_or_before.is_some() || f.overdue_as_of.is_some() {
            sql.push_str(" AND c.is_open = 1");
        }
        if !f.include_confidential {
            match &f.confidential_for {
                // Their own: logged by them (event 1, found by the primary key) or assigned to them now.
                Some(who) => bind(
                    &mut sql,
                    " AND (c.confidential = 0 OR c.assignee = ? OR EXISTS (SELECT 1 FROM case_events e \
                     WHERE e.case_id = c.id AND e.seq = 1 AND e.actor = ?))",
                    who.clone(),
                )?,
                None => sql.push_str(" AND c.confidential = 0"),
            }
        }
        if let Some(v) = &f.state {
            bind(&mut sql, " AND c.state = ?", v.clone())?;
        }
        if let Some(v) = f.stage {
            bind(&mut sql, " AND c.stage = CAST(? AS INTEGER)", v.to_string())?;
        }
        if let Some(v) = &f.policy {
            bind(&mut sql, " AND c.policy_id = ?", v.clone())?;
        }
        if let Some(v) = &f.assignee {
            bind(&mut sql, " AND c.assignee = ?", v.clone())?;
        }
        if let Some(v) = f.due_on_or_before {
            bind(&mut sql, " AND c.due_key <= ?", date_text(v))?;
        }
        if let Some(v) = f.overdue_as_of {
            bind(&mut sql, " AND c.due_key < ?", date_text(v))?;
        }
        if let Some(v) = f.received_from {
            bind(&mut sql, " AND c.received_on >= ?", date_text(v))?;
        }
        if let Some(v) = f.received_to {
            bind(&mut sql, " AND c.received_on <= ?", date_text(v))?;
        }
        if let Some(c) = &f.after {
            match f.sort {
                Sort::Received => {
                    bind(&mut sql, " AND (c.received_on < ?", c.key.clone())?;
                    bind(&mut sql, " OR (c.received_on = ?", c.key.clone())?;
                    bind(&mut sql, " AND c.id < ?))", c.id.clone())?;
                }
                Sort::Due => {
                    bind(&mut sql, " AND (c.due_key > ?", c.key.clone())?;
                    bind(&mut sql, " OR (c.due_key = ?", c.key.clone())?;
                    bind(&mut sql, " AND c.id > ?))", c.id.clone())?;
                }
            }
        }
        sql.push_str(match f.sort {
            Sort::Received => " ORDER BY c.received_on DESC, c.id DESC",
            Sort::Due => " ORDER BY c.due_key, c.id",
        });
        let limit = f.limit.clamp(1, 200);
        sql.push_str(&format!(" LIMIT {}", limit + 1));
        let rows = sqlx::query_with(AssertSqlSafe(sql), args)
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
                    confidential: row.try_get::<i64, _>("confidential").map_err(store_error)? != 0,
                    projection: projection_from(row)?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_rows(items, limit as usize, f.sort))
    }

    async fn count_cases(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM cases")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn create_user(&self, user: &User, created_at: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&user.id)
            .bind(user.email.to_lowercase())
            .bind(&user.name)
            .bind(user.role.as_str())
            .bind(&user.password_hash)
            .bind(created_at)
            .execute(&self.writer)
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
        .execute(&self.writer)
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
             ORDER BY created_at, name, id",
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
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
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
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn after_bulk_load(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE")
            .execute(&self.writer)
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
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        // Housekeeping: sessions that ran out go with each sign-in.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(&session.created_at)
            .execute(&self.writer)
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
            .execute(&self.writer)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.writer)
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
            .execute(&self.writer)
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
            .execute(&self.writer)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn prune_sign_in_failures(&self, before: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(before)
            .execute(&self.writer)
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
             WHERE c.is_open = 1 AND (lower(p.email) = $1 OR lower(p.name) = $2) ORDER BY c.reference LIMIT 20",
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
             FROM cases WHERE is_open = 1 AND ($3 OR confidential = 0) AND ($4 IS NULL OR assignee = $4)",
        )
        .bind(date_text(today))
        .bind(date_text(week_end))
        .bind(i64::from(include_confidential))
        .bind(assignee)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        let late: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases WHERE late_acknowledged_on >= $1 \
             AND ($2 OR confidential = 0) AND ($3 IS NULL OR assignee = $3)",
        )
        .bind(date_text(month_start))
        .bind(i64::from(include_confidential))
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

fn policy_from(row: &SqliteRow) -> StoreResult<PolicyRecord> {
    Ok(PolicyRecord {
        id: row.try_get("id").map_err(store_error)?,
        version: row.try_get("version").map_err(store_error)?,
        name: row.try_get("name").map_err(store_error)?,
        toml: row.try_get("toml").map_err(store_error)?,
        installed_at: row.try_get("installed_at").map_err(store_error)?,
    })
}

/// Inserts one new case on a connection inside a transaction: the body of a group-committed creation.
async fn insert_case(tx: &mut SqliteConnection, case: &NewCase) -> StoreResult<(String, bool)> {
    if let Some(key) = &case.idempotency {
        let existing: Option<String> =
            sqlx::query_scalar("SELECT reference FROM cases WHERE idempotency_key = $1")
                .bind(key.stored())
                .fetch_optional(&mut *tx)
                .await
                .map_err(store_error)?;
        if let Some(reference) = existing {
            return Ok((reference, false));
        }
    }
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
    sqlx::query(
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
    .bind(i64::from(case.confidential))
    .bind(case.idempotency.as_ref().map(|k| k.stored()))
    .bind(&case.recorded_at)
    .bind(i64::from(p.stage))
    .bind(&p.state)
    .bind(&p.feedback_type)
    .bind(date_text(p.received_on))
    .bind(&p.assignee)
    .bind(p.next_due_on.map(date_text))
    .bind(&p.next_due_clock)
    .bind(due_key(p.next_due_on))
    .bind(i64::from(p.is_open))
    .bind(p.late_acknowledged_on.map(date_text))
    .bind(1 + i64::from(case.triage.is_some()))
    .bind(case.idempotency.as_ref().map(|k| k.request_hash.as_str()))
    .execute(&mut *tx)
    .await
    .map_err(unique_as("the case id or idempotency key"))?;
    if let Some(c) = &case.complainant {
        sqlx::query("INSERT INTO complainants (case_id, name, email, phone, address, representative_name, \
             representative_relationship, representative_consent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&case.id)
            .bind(&c.name)
            .bind(&c.email)
            .bind(&c.phone)
            .bind(&c.address)
            .bind(&c.representative_name)
            .bind(&c.representative_relationship)
            .bind(i64::from(c.representative_consent))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
    }
    let (kind, payload) = encode_event(&case.received)?;
    sqlx::query("INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) VALUES ($1, 1, $2, $3, $4, $5)")
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
        sqlx::query("INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) VALUES ($1, 2, $2, $3, $4, $5)")
            .bind(&case.id)
            .bind(kind)
            .bind(payload)
            .bind(&triage.by)
            .bind(&case.recorded_at)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
    }
    Ok((reference, true))
}

/// An event row to insert: case id, sequence number, kind, payload, actor, recorded at.
type EventRow<'a> = (&'a str, i64, &'static str, String, Option<&'a str>, &'a str);

type CreateJob = (
    NewCase,
    tokio::sync::oneshot::Sender<StoreResult<(String, bool)>>,
);

/// Most creations written in one transaction.
const MAX_BATCH: usize = 256;

/// The group-commit writer for creations: takes every creation waiting, writes them in one `BEGIN IMMEDIATE`
/// transaction (each in its own savepoint, so one failure fails only its own request), commits once, then
/// answers each. A creation is answered only after the commit that made it durable.
async fn run_batcher(writer: SqlitePool, mut jobs: tokio::sync::mpsc::Receiver<CreateJob>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcome = write_batch(&writer, &batch).await;
        match outcome {
            Ok(results) => {
                for ((_, reply), result) in batch.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                let message = e.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(StoreError::Other(message.clone())));
                }
            }
        }
    }
}

async fn write_batch(
    writer: &SqlitePool,
    batch: &[CreateJob],
) -> StoreResult<Vec<StoreResult<(String, bool)>>> {
    match write_batch_at_once(writer, batch).await {
        Ok(results) => Ok(results),
        // Something in the batch failed: write each on its own, so that only the faulty one fails.
        Err(_) => {
            let mut results = Vec::with_capacity(batch.len());
            for (case, _) in batch {
                let mut tx = writer
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(store_error)?;
                let result = insert_case(&mut tx, case).await;
                if result.is_ok() {
                    tx.commit().await.map_err(store_error)?;
                } else {
                    tx.rollback().await.map_err(store_error)?;
                }
                results.push(result);
            }
            Ok(results)
        }
    }
}

/// The whole batch in one transaction with multi-row inserts: a handful of statements however many cases.
async fn write_batch_at_once(
    writer: &SqlitePool,
    batch: &[CreateJob],
) -> StoreResult<Vec<StoreResult<(String, bool)>>> {
    let mut tx = writer
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(store_error)?;
    // Idempotency keys already used, in one look-up.
    let keys: Vec<String> = batch
        .iter()
        .filter_map(|(c, _)| c.idempotency.as_ref().map(|k| k.stored()))
        .collect();
    let mut known: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    if !keys.is_empty() {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT idempotency_key, reference FROM cases WHERE idempotency_key IN (",
        );
        let mut list = q.separated(", ");
        for k in &keys {
            list.push_bind(k.as_str());
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *tx).await.map_err(store_error)? {
            known.insert(
                row.try_get("idempotency_key").map_err(store_error)?,
                row.try_get("reference").map_err(store_error)?,
            );
        }
    }
    // Which jobs create a case; a key repeated within the batch goes to the first with it.
    enum Slot {
        New(usize),
        Existing(String),
        SameAs(usize),
    }
    let mut slots = Vec::with_capacity(batch.len());
    let mut fresh: Vec<(NewCase, Vec<StoredEvent>)> = Vec::new();
    let mut first_with_key: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    for (case, _) in batch {
        let slot = match case.idempotency.as_ref().map(|k| k.stored()) {
            Some(k) if known.contains_key(&k) => Slot::Existing(known[&k].clone()),
            Some(k) if first_with_key.contains_key(&k) => Slot::SameAs(first_with_key[&k]),
            other => {
                if let Some(k) = other {
                    first_with_key.insert(k, fresh.len());
                }
                // The triage recorded with the receipt is the case's event 2.
                let later = case
                    .triage
                    .iter()
                    .map(|e| StoredEvent {
                        seq: 2,
                        event: e.clone(),
                        recorded_at: case.recorded_at.clone(),
                    })
                    .collect();
                fresh.push((case.clone(), later));
                Slot::New(fresh.len() - 1)
            }
        };
        slots.push(slot);
    }
    let mut per_year: std::collections::BTreeMap<i16, i64> = Default::default();
    for (case, _) in &fresh {
        *per_year.entry(case.reference_year).or_default() += 1;
    }
    let references = if fresh.is_empty() {
        Vec::new()
    } else {
        import_in_tx(&mut tx, &fresh, &per_year).await?
    };
    tx.commit().await.map_err(store_error)?;
    Ok(slots
        .into_iter()
        .map(|slot| match slot {
            Slot::New(i) => Ok((references[i].clone(), true)),
            Slot::SameAs(i) => Ok((references[i].clone(), false)),
            Slot::Existing(r) => Ok((r, false)),
        })
        .collect())
}

/// The multi-row inserts of an import (and of a group-committed batch of creations), inside the caller's
/// transaction. `per_year` counts the cases of each reference year.
async fn import_in_tx(
    tx: &mut SqliteConnection,
    cases: &[(NewCase, Vec<StoredEvent>)],
    per_year: &std::collections::BTreeMap<i16, i64>,
) -> StoreResult<Vec<String>> {
    // Rows a multi-row INSERT carries: the widest (cases, 21 values a row) stays well under SQLite's
    // 32,766 bound parameters.
    const ROWS: usize = 1000;
    // Each year's counter moves once, by the number of that year's cases: the next number to give out.
    let mut next: std::collections::BTreeMap<i16, i64> = Default::default();
    for (&year, &count) in per_year {
        let last: i64 = sqlx::query_scalar(
            "INSERT INTO reference_counters (year, last) VALUES ($1, $2) \
             ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + excluded.last \
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
    for (case, _) in cases {
        let n = next.entry(case.reference_year).or_default();
        references.push(format_reference(case.reference_year, *n));
        *n += 1;
    }
    let duplicate = |e: sqlx::Error| {
        if is_unique(&e) {
            StoreError::Duplicate("a case id or idempotency key")
        } else {
            store_error(e)
        }
    };
    let rows: Vec<(&NewCase, &Vec<StoredEvent>, &String)> = cases
        .iter()
        .zip(&references)
        .map(|((c, later), r)| (c, later, r))
        .collect();
    for chunk in rows.chunks(ROWS) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO cases (id, reference, policy_id, policy_version, summary, confidential, \
             idempotency_key, created_at, updated_at, version, stage, state, feedback_type, received_on, \
             assignee, next_due_on, next_due_clock, due_key, is_open, late_acknowledged_on, \
             idempotency_hash) ",
        );
        q.push_values(chunk, |mut b, (case, later, reference)| {
            let p = &case.projection;
            let updated_at = later.last().map_or(&case.recorded_at, |e| &e.recorded_at);
            b.push_bind(case.id.as_str())
                .push_bind(reference.as_str())
                .push_bind(case.policy_id.as_str())
                .push_bind(case.policy_version)
                .push_bind(case.summary.as_str())
                .push_bind(i64::from(case.confidential))
                .push_bind(case.idempotency.as_ref().map(|k| k.stored()))
                .push_bind(case.recorded_at.as_str())
                .push_bind(updated_at.as_str())
                .push_bind(1 + later.len() as i64)
                .push_bind(i64::from(p.stage))
                .push_bind(p.state.as_str())
                .push_bind(p.feedback_type.as_str())
                .push_bind(date_text(p.received_on))
                .push_bind(p.assignee.as_deref())
                .push_bind(p.next_due_on.map(date_text))
                .push_bind(p.next_due_clock.as_deref())
                .push_bind(due_key(p.next_due_on))
                .push_bind(i64::from(p.is_open))
                .push_bind(p.late_acknowledged_on.map(date_text))
                .push_bind(case.idempotency.as_ref().map(|k| k.request_hash.as_str()));
        });
        q.build().execute(&mut *tx).await.map_err(duplicate)?;
    }
    let people: Vec<(&str, &Complainant)> = cases
        .iter()
        .filter_map(|(c, _)| c.complainant.as_ref().map(|p| (c.id.as_str(), p)))
        .collect();
    for chunk in people.chunks(ROWS) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO complainants (case_id, name, email, phone, address, representative_name, \
             representative_relationship, representative_consent) ",
        );
        q.push_values(chunk, |mut b, (id, c)| {
            b.push_bind(*id)
                .push_bind(c.name.as_deref())
                .push_bind(c.email.as_deref())
                .push_bind(c.phone.as_deref())
                .push_bind(c.address.as_deref())
                .push_bind(c.representative_name.as_deref())
                .push_bind(c.representative_relationship.as_deref())
                .push_bind(i64::from(c.representative_consent));
        });
        q.build().execute(&mut *tx).await.map_err(store_error)?;
    }
    let mut events: Vec<EventRow> = Vec::new();
    for (case, later) in cases {
        let (kind, payload) = encode_event(&case.received)?;
        events.push((
            case.id.as_str(),
            1,
            kind,
            payload,
            case.received.by.as_deref(),
            case.recorded_at.as_str(),
        ));
        for e in later {
            let (kind, payload) = encode_event(&e.event)?;
            events.push((
                case.id.as_str(),
                e.seq,
                kind,
                payload,
                e.event.by.as_deref(),
                e.recorded_at.as_str(),
            ));
        }
    }
    for chunk in events.chunks(ROWS) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) ",
        );
        q.push_values(chunk, |mut b, (id, seq, kind, payload, actor, at)| {
            b.push_bind(*id)
                .push_bind(*seq)
                .push_bind(*kind)
                .push_bind(payload.as_str())
                .push_bind(*actor)
                .push_bind(*at);
        });
        q.build().execute(&mut *tx).await.map_err(store_error)?;
    }
    Ok(references)
}

/// A user from a row with the `users` columns.
fn user_from(row: &SqliteRow) -> StoreResult<User> {
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
