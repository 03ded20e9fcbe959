//! The statements of the [`Store`] methods every backend shares, and the [`Store`] of every [`SqlBackend`].

use super::cases::append;
use super::rows::*;
use super::*;

/// A statement built clause by clause, its values numbered as they are added.
pub(super) struct Clauses<'a> {
    pub(super) sql: String,
    pub(super) values: Vec<Param<'a>>,
}

impl<'a> Clauses<'a> {
    /// Appends `clause`, every `?` in it standing for `value`.
    pub(super) fn push(&mut self, clause: &str, value: impl Into<Param<'a>>) {
        self.values.push(value.into());
        let placeholder = format!("${}", self.values.len());
        self.sql.push_str(&clause.replace('?', &placeholder));
    }
}

/// The `WHERE` of a case list, after `WHERE TRUE`: every filter but the cursor.
pub(super) fn filter_clauses<'a>(
    filter: &'a CaseFilter,
    dialect: &Dialect,
    query: &mut Clauses<'a>,
) {
    let (yes, no) = (dialect.true_literal, dialect.false_literal);
    if filter.open_only || filter.due_on_or_before.is_some() || filter.overdue_as_of.is_some() {
        query.sql.push_str(&format!(" AND c.is_open = {yes}"));
    }
    if !filter.include_confidential {
        match &filter.confidential_for {
            // Their own: logged by them (event 1, found by the primary key) or assigned to them now.
            Some(who) => query.push(
                &format!(
                    " AND (c.confidential = {no} OR c.assignee = ? OR EXISTS (SELECT 1 FROM \
                     case_events e WHERE e.case_id = c.id AND e.seq = 1 AND e.actor = ?))"
                ),
                who,
            ),
            None => query.sql.push_str(&format!(" AND c.confidential = {no}")),
        }
    }
    if let Some(state) = &filter.state {
        query.push(" AND c.state = ?", state);
    }
    if let Some(stage) = filter.stage {
        query.push(" AND c.stage = ?", i64::from(stage));
    }
    if let Some(policy) = &filter.policy {
        query.push(" AND c.policy_id = ?", policy);
    }
    if let Some(assignee) = &filter.assignee {
        query.push(" AND c.assignee = ?", assignee);
    }
    // The due key, not the due date: it is what the open-cases indexes are on.
    if let Some(day) = filter.due_on_or_before {
        query.push(" AND c.due_key <= ?", date_text(day));
    }
    if let Some(day) = filter.overdue_as_of {
        query.push(" AND c.due_key < ?", date_text(day));
    }
    if let Some(day) = filter.received_from {
        query.push(" AND c.received_on >= ?", date_text(day));
    }
    if let Some(day) = filter.received_to {
        query.push(" AND c.received_on <= ?", date_text(day));
    }
}

/// The columns of a row of a case list (`cases c` left-joined with `complainants p`).
pub(super) const SUMMARY_COLUMNS: &str = "c.id, c.reference, c.policy_id, c.policy_version, \
     c.confidential, c.stage, c.state, c.feedback_type, c.received_on, c.assignee, c.next_due_on, \
     c.next_due_clock, c.due_key, c.is_open, c.late_acknowledged_on, p.name AS complainant_name";

/// The shared SQL of a list of cases, page by page; a search's is [`super::search::search_cases`].
async fn list_cases<B: SqlBackend>(backend: &B, filter: &CaseFilter) -> StoreResult<Page> {
    if let Some(search) = &filter.search {
        return super::search::search_cases(backend, filter, search).await;
    }
    let mut query = Clauses {
        sql: format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases c LEFT JOIN complainants p ON p.case_id = c.id \
             WHERE TRUE"
        ),
        values: Vec::new(),
    };
    filter_clauses(filter, &B::DIALECT, &mut query);
    if let Some(cursor) = &filter.after {
        query.values.push(Param::from(&cursor.key));
        query.values.push(Param::from(&cursor.id));
        let (key, id) = (query.values.len() - 1, query.values.len());
        // Row comparison: `(a, b) < (x, y)` is the keyset condition, and walks the (key, id) indexes.
        query.sql.push_str(&match filter.sort {
            Sort::Received | Sort::Newest => {
                format!(" AND (c.received_on, c.id) < (${key}, ${id})")
            }
            Sort::Due => format!(" AND (c.due_key, c.id) > (${key}, ${id})"),
        });
    }
    query.sql.push_str(match filter.sort {
        // Only a search is in `Newest` order; a list asked for it without one is by received.
        Sort::Received | Sort::Newest => " ORDER BY c.received_on DESC, c.id DESC",
        Sort::Due => " ORDER BY c.due_key, c.id",
    });
    let limit = filter.limit.clamp(1, 200);
    query.push(" LIMIT ?", i64::from(limit) + 1);
    let rows = fetch_all(B::Db::on_pool(backend.reader()), &query.sql, query.values).await?;
    let items = rows
        .iter()
        .map(case_summary_from::<B::Db>)
        .collect::<StoreResult<Vec<_>>>()?;
    let limit = usize::try_from(limit).map_err(StoreError::other)?;
    Ok(Page::from_rows(items, limit, filter.sort))
}

/// A whole case, its row and its events from one snapshot.
async fn case_by_reference<B: SqlBackend>(backend: &B, reference: &str) -> StoreResult<CaseRecord> {
    let mut tx = backend.begin_snapshot().await?;
    let row = fetch_one(
        B::Db::on(&mut tx),
        "SELECT c.id, c.reference, c.policy_id, c.policy_version, c.summary, c.confidential, c.stage, \
         c.state, c.feedback_type, c.received_on, c.assignee, c.next_due_on, c.next_due_clock, c.is_open, \
         c.late_acknowledged_on, p.case_id AS has_complainant, p.name, p.email, p.phone, p.address, \
         p.representative_name, p.representative_relationship, p.representative_consent \
         FROM cases c LEFT JOIN complainants p ON p.case_id = c.id WHERE c.reference = $1",
        params![reference],
    )
    .await?;
    let id = B::Db::text(&row, "id")?;
    let events = fetch_all(
        B::Db::on(&mut tx),
        "SELECT seq, payload, actor, recorded_at FROM case_events WHERE case_id = $1 ORDER BY seq",
        params![&id],
    )
    .await?
    .iter()
    .map(stored_event_from::<B::Db>)
    .collect::<StoreResult<Vec<_>>>()?;
    tx.commit().await.map_err(store_error)?;
    Ok(CaseRecord {
        reference: B::Db::text(&row, "reference")?,
        policy_id: B::Db::text(&row, "policy_id")?,
        policy_version: B::Db::int(&row, "policy_version")?,
        complainant: complainant_from::<B::Db>(&row)?,
        summary: B::Db::text(&row, "summary")?,
        confidential: B::Db::flag(&row, "confidential")?,
        projection: projection_from::<B::Db>(&row)?,
        events,
        id,
    })
}

/// Installs a policy version numbered after the highest so far.
async fn install_policy<B: SqlBackend>(
    backend: &B,
    id: &str,
    name: &str,
    toml: &str,
    installed_at: &str,
) -> StoreResult<PolicyRecord> {
    let mut tx = backend.begin_write().await?;
    if let Some(lock) = B::DIALECT.lock_for_policy_install {
        execute(B::Db::on(&mut tx), lock, params![]).await?;
    }
    let row = fetch_one(
        B::Db::on(&mut tx),
        "SELECT COALESCE(MAX(version), 0) + 1 AS version FROM policies WHERE id = $1",
        params![id],
    )
    .await?;
    let version = B::Db::int(&row, "version")?;
    execute(
        B::Db::on(&mut tx),
        "INSERT INTO policies (id, version, name, toml, installed_at) VALUES ($1, $2, $3, $4, $5)",
        params![id, version, name, toml, installed_at],
    )
    .await?;
    tx.commit().await.map_err(store_error)?;
    Ok(PolicyRecord {
        id: id.into(),
        version,
        name: name.into(),
        toml: toml.into(),
        installed_at: installed_at.into(),
    })
}

/// Revokes the tokens of a name not revoked yet; no token of the name at all is not found.
async fn revoke_tokens_by_name<B: SqlBackend>(
    backend: &B,
    name: &str,
    revoked_at: &str,
) -> StoreResult<u64> {
    let mut tx = backend.begin_write().await?;
    let done = execute(
        B::Db::on(&mut tx),
        "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        params![revoked_at, name],
    )
    .await?;
    let revoked = B::rows_affected(&done);
    if revoked == 0 {
        let known = fetch_optional(
            B::Db::on(&mut tx),
            "SELECT id FROM api_tokens WHERE name = $1 LIMIT 1",
            params![name],
        )
        .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    tx.commit().await.map_err(store_error)?;
    Ok(revoked)
}

/// The failed sign-ins of a scope since an instant, newest first.
async fn recent_sign_in_failures<B: SqlBackend>(
    backend: &B,
    scope: SignInScope<'_>,
    since: &str,
    limit: u32,
) -> StoreResult<Vec<String>> {
    let (sql, mut values) = match scope {
        SignInScope::Account(account) => (
            "SELECT at FROM sign_in_failures WHERE account = $1 AND at >= $2 \
             ORDER BY at DESC LIMIT $3",
            params![account],
        ),
        SignInScope::Address(address) => (
            "SELECT at FROM sign_in_failures WHERE address = $1 AND at >= $2 \
             ORDER BY at DESC LIMIT $3",
            params![address],
        ),
        SignInScope::Overall => (
            "SELECT at FROM sign_in_failures WHERE at >= $1 ORDER BY at DESC LIMIT $2",
            params![],
        ),
    };
    values.extend(params![since, i64::from(limit)]);
    fetch_all(B::Db::on_pool(backend.reader()), sql, values)
        .await?
        .iter()
        .map(|row| B::Db::text(row, "at"))
        .collect()
}

/// Open cases whose complainant has this email address or this name.
async fn open_cases_of<B: SqlBackend>(
    backend: &B,
    email: Option<&str>,
    name: Option<&str>,
) -> StoreResult<Vec<String>> {
    let normal = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
    };
    let (email, name) = (normal(email), normal(name));
    if email.is_none() && name.is_none() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT c.reference FROM complainants p JOIN cases c ON c.id = p.case_id \
         WHERE c.is_open = {} AND (lower(p.email) = CAST($1 AS TEXT) OR lower(p.name) = CAST($2 AS TEXT)) \
         ORDER BY c.reference LIMIT 20",
        B::DIALECT.true_literal
    );
    fetch_all(B::Db::on_pool(backend.reader()), &sql, params![email, name])
        .await?
        .iter()
        .map(|row| B::Db::text(row, "reference"))
        .collect()
}

/// The counts at the top of a work queue.
async fn queue_counts<B: SqlBackend>(
    backend: &B,
    [today, week_end, month_start]: [Date; 3],
    include_confidential: bool,
    assignee: Option<&str>,
) -> StoreResult<QueueCounts> {
    let Dialect {
        true_literal: yes,
        false_literal: no,
        ..
    } = B::DIALECT;
    // Written to be answered from the covering partial indexes of migration 0003 alone.
    let open = format!(
        "SELECT COUNT(*) AS open, \
           COUNT(*) FILTER (WHERE due_key >= $1 AND due_key <= $2) AS due_this_week, \
           COUNT(*) FILTER (WHERE due_key < $1) AS overdue \
         FROM cases WHERE is_open = {yes} AND ($3 OR confidential = {no}) \
         AND (CAST($4 AS TEXT) IS NULL OR assignee = $4)"
    );
    let late = format!(
        "SELECT COUNT(*) AS late FROM cases WHERE late_acknowledged_on >= $1 \
         AND ($2 OR confidential = {no}) AND (CAST($3 AS TEXT) IS NULL OR assignee = $3)"
    );
    let reader = backend.reader();
    let open = fetch_one(
        B::Db::on_pool(reader),
        &open,
        params![
            date_text(today),
            date_text(week_end),
            include_confidential,
            assignee
        ],
    )
    .await?;
    let late = fetch_one(
        B::Db::on_pool(reader),
        &late,
        params![date_text(month_start), include_confidential, assignee],
    )
    .await?;
    Ok(QueueCounts {
        open: B::Db::int(&open, "open")?,
        due_this_week: B::Db::int(&open, "due_this_week")?,
        overdue: B::Db::int(&open, "overdue")?,
        acknowledged_late_this_month: B::Db::int(&late, "late")?,
    })
}

/// Runs a statement on the writer and returns the rows it changed.
async fn write<B: SqlBackend>(backend: &B, sql: &str, values: Vec<Param<'_>>) -> StoreResult<u64> {
    let done = execute(B::Db::on_pool(backend.writer()), sql, values).await?;
    Ok(B::rows_affected(&done))
}

/// Reads rows on the reader.
async fn read<B: SqlBackend>(
    backend: &B,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<Vec<<B::Db as Database>::Row>> {
    fetch_all(B::Db::on_pool(backend.reader()), sql, values).await
}

/// Reads the one row a statement returns on the reader; none is not found.
async fn read_one<B: SqlBackend>(
    backend: &B,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<<B::Db as Database>::Row> {
    fetch_one(B::Db::on_pool(backend.reader()), sql, values).await
}

/// A count.
async fn count<B: SqlBackend>(backend: &B, sql: &str) -> StoreResult<i64> {
    B::Db::int(&read_one(backend, sql, params![]).await?, "n")
}

const USER_COLUMNS: &str = "id, email, name, role, password_hash";

#[async_trait::async_trait]
impl<B: SqlBackend> Store for B {
    fn backend(&self) -> &'static str {
        B::NAME
    }

    async fn migrate(&self) -> StoreResult<()> {
        self.run_migrations().await?;
        super::search::index_missing(self).await
    }

    async fn ping(&self) -> StoreResult<()> {
        read_one(self, "SELECT 1 AS one", params![]).await.map(drop)
    }

    async fn install_policy(
        &self,
        id: &str,
        name: &str,
        toml: &str,
        installed_at: &str,
    ) -> StoreResult<PolicyRecord> {
        install_policy(self, id, name, toml, installed_at).await
    }

    async fn policy(&self, id: &str, version: Option<i64>) -> StoreResult<PolicyRecord> {
        let row = match version {
            Some(version) => read_one(
                self,
                "SELECT id, version, name, toml, installed_at FROM policies WHERE id = $1 AND version = $2",
                params![id, version],
            ),
            None => read_one(
                self,
                "SELECT id, version, name, toml, installed_at FROM policies WHERE id = $1 \
                 ORDER BY version DESC LIMIT 1",
                params![id],
            ),
        }
        .await?;
        policy_from::<B::Db>(&row)
    }

    async fn policies(&self) -> StoreResult<Vec<PolicyRecord>> {
        let rows = read(self, B::DIALECT.latest_policies, params![]).await?;
        rows.iter().map(policy_from::<B::Db>).collect()
    }

    async fn create_case(&self, case: NewCase) -> StoreResult<(String, bool)> {
        self.create_one(case).await
    }

    async fn import_cases(
        &self,
        cases: Vec<(NewCase, Vec<StoredEvent>)>,
    ) -> StoreResult<Vec<String>> {
        check_event_numbers(&cases)?;
        self.import_checked(cases).await
    }

    async fn case_by_reference(&self, reference: &str) -> StoreResult<CaseRecord> {
        case_by_reference(self, reference).await
    }

    async fn append(
        &self,
        case_id: &str,
        expected_version: i64,
        events: &[CaseEvent],
        recorded_at: &str,
        projection: &Projection,
    ) -> StoreResult<i64> {
        append(
            self,
            case_id,
            expected_version,
            events,
            recorded_at,
            (projection, &[]),
        )
        .await
    }

    async fn append_with_messages(
        &self,
        case_id: &str,
        expected_version: i64,
        events: &[CaseEvent],
        recorded_at: &str,
        (projection, messages): (&Projection, &[crate::NewMessage]),
    ) -> StoreResult<i64> {
        append(
            self,
            case_id,
            expected_version,
            events,
            recorded_at,
            (projection, messages),
        )
        .await
    }

    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<Page> {
        list_cases(self, filter).await
    }

    async fn count_matching(&self, filter: &CaseFilter, cap: u32) -> StoreResult<u64> {
        super::search::count_matching(self, filter, cap).await
    }

    async fn count_cases(&self) -> StoreResult<i64> {
        count(self, "SELECT COUNT(*) AS n FROM cases").await
    }

    async fn create_user(&self, user: &User, created_at: &str) -> StoreResult<()> {
        try_execute(
            B::Db::on_pool(self.writer()),
            "INSERT INTO users (id, email, name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![
                &user.id,
                user.email.to_lowercase(),
                &user.name,
                user.role.as_str(),
                &user.password_hash,
                created_at
            ],
        )
        .await?
        .map_err(unique_as("that email address"))
        .map(drop)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let row = read_one(self, &sql, params![email.to_lowercase()]).await?;
        user_from::<B::Db>(&row)
    }

    async fn count_users(&self) -> StoreResult<i64> {
        count(self, "SELECT COUNT(*) AS n FROM users").await
    }

    async fn create_token(&self, token: &ApiToken, created_at: &str) -> StoreResult<()> {
        try_execute(
            B::Db::on_pool(self.writer()),
            "INSERT INTO api_tokens (id, name, role, token_hash, created_at, expires_at, last_used_at, \
             revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            params![
                &token.id,
                &token.name,
                token.role.as_str(),
                &token.token_hash,
                created_at,
                &token.expires_at,
                &token.last_used_at,
                &token.revoked_at
            ],
        )
        .await?
        .map_err(unique_as("that token"))
        .map(drop)
    }

    async fn token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken> {
        let row = read_one(
            self,
            "SELECT id, name, role, token_hash, expires_at, last_used_at, revoked_at \
             FROM api_tokens WHERE token_hash = $1",
            params![token_hash],
        )
        .await?;
        token_from::<B::Db>(&row)
    }

    async fn list_tokens(&self) -> StoreResult<Vec<TokenSummary>> {
        let sql = format!(
            "SELECT id, name, role, created_at, last_used_at, expires_at, revoked_at FROM api_tokens \
             ORDER BY created_at{}, name, id",
            B::DIALECT.byte_order
        );
        let rows = read(self, &sql, params![]).await?;
        rows.iter().map(token_summary_from::<B::Db>).collect()
    }

    async fn revoke_tokens_by_name(&self, name: &str, revoked_at: &str) -> StoreResult<u64> {
        revoke_tokens_by_name(self, name, revoked_at).await
    }

    async fn touch_token(&self, id: &str, used_at: &str) -> StoreResult<()> {
        write(
            self,
            "UPDATE api_tokens SET last_used_at = $1 \
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
            params![used_at, id],
        )
        .await
        .map(drop)
    }

    async fn after_bulk_load(&self) -> StoreResult<()> {
        self.refresh_statistics().await
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        user_from::<B::Db>(&read_one(self, &sql, params![id]).await?)
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name, email");
        let rows = read(self, &sql, params![]).await?;
        rows.iter().map(user_from::<B::Db>).collect()
    }

    async fn reference_for_key(
        &self,
        scope: &str,
        idempotency_key: &str,
    ) -> StoreResult<Option<KeyedCase>> {
        let row = fetch_optional(
            B::Db::on_pool(self.reader()),
            "SELECT reference, idempotency_hash FROM cases WHERE idempotency_key = $1",
            params![scoped_key(scope, idempotency_key)],
        )
        .await?;
        row.as_ref()
            .map(|row| {
                Ok(KeyedCase {
                    reference: B::Db::text(row, "reference")?,
                    request_hash: B::Db::maybe_text(row, "idempotency_hash")?,
                })
            })
            .transpose()
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        write(
            self,
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![
                &session.id_hash,
                &session.user_id,
                &session.csrf,
                &session.created_at,
                &session.last_seen_at,
                &session.expires_at
            ],
        )
        .await?;
        // Housekeeping: sessions that ran out go with each sign-in.
        write(
            self,
            "DELETE FROM sessions WHERE expires_at < $1",
            params![&session.created_at],
        )
        .await
        .map(drop)
    }

    async fn session(&self, id_hash: &str, now: &str) -> StoreResult<(Session, User)> {
        let row = read_one(
            self,
            "SELECT s.id_hash, s.user_id, s.csrf, s.created_at, s.last_seen_at, s.expires_at, \
             u.id, u.email, u.name, u.role, u.password_hash \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2",
            params![id_hash, now],
        )
        .await?;
        Ok((session_from::<B::Db>(&row)?, user_from::<B::Db>(&row)?))
    }

    async fn touch_session(
        &self,
        id_hash: &str,
        last_seen_at: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        write(
            self,
            "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3",
            params![last_seen_at, expires_at, id_hash],
        )
        .await
        .map(drop)
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let sql = "DELETE FROM sessions WHERE id_hash = $1";
        write(self, sql, params![id_hash]).await.map(drop)
    }

    async fn record_sign_in_failure(
        &self,
        account: &str,
        address: &str,
        at: &str,
    ) -> StoreResult<()> {
        write(
            self,
            "INSERT INTO sign_in_failures (account, address, at) VALUES ($1, $2, $3)",
            params![account, address, at],
        )
        .await
        .map(drop)
    }

    async fn recent_sign_in_failures(
        &self,
        scope: SignInScope<'_>,
        since: &str,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        recent_sign_in_failures(self, scope, since, limit).await
    }

    async fn clear_sign_in_failures(&self, account: &str) -> StoreResult<u64> {
        let sql = "DELETE FROM sign_in_failures WHERE account = $1";
        write(self, sql, params![account]).await
    }

    async fn prune_sign_in_failures(&self, before: &str) -> StoreResult<u64> {
        let sql = "DELETE FROM sign_in_failures WHERE at < $1";
        write(self, sql, params![before]).await
    }

    async fn open_cases_of(
        &self,
        email: Option<&str>,
        name: Option<&str>,
    ) -> StoreResult<Vec<String>> {
        open_cases_of(self, email, name).await
    }

    async fn queue_counts(
        &self,
        today: Date,
        week_end: Date,
        month_start: Date,
        include_confidential: bool,
        assignee: Option<&str>,
    ) -> StoreResult<QueueCounts> {
        let days = [today, week_end, month_start];
        queue_counts(self, days, include_confidential, assignee).await
    }

    async fn create_letter(&self, letter: &crate::NewLetter) -> StoreResult<()> {
        super::letters::create_letter(self, letter).await
    }

    async fn letter(&self, id: &str) -> StoreResult<crate::LetterRecord> {
        super::letters::letter(self, id).await
    }

    async fn issue_letter(&self, issue: &crate::LetterIssue) -> StoreResult<i64> {
        super::letters::issue_letter(self, issue).await
    }

    async fn letters_of_case(&self, case_id: &str) -> StoreResult<Vec<crate::LetterRecord>> {
        super::letters::letters_of_case(self, case_id).await
    }

    async fn queue_messages(&self, messages: &[crate::NewMessage]) -> StoreResult<u64> {
        super::outbox::queue_messages(self, messages).await
    }

    async fn claim_messages(
        &self,
        now: &str,
        lease_until: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::OutboxMessage>> {
        super::outbox::claim_messages(self, now, lease_until, limit).await
    }

    async fn message_sent(&self, id: &str, sent_at: &str) -> StoreResult<bool> {
        super::outbox::message_sent(self, id, sent_at).await
    }

    async fn message_deferred(
        &self,
        id: &str,
        error: &str,
        next_attempt_at: &str,
    ) -> StoreResult<bool> {
        super::outbox::message_deferred(self, id, error, next_attempt_at).await
    }

    async fn message_failed(&self, id: &str, error: &str) -> StoreResult<bool> {
        super::outbox::message_failed(self, id, error).await
    }

    async fn fail_abandoned_sends(&self, now: &str) -> StoreResult<u64> {
        super::outbox::fail_abandoned_sends(self, now).await
    }

    async fn case_messages(&self, case_id: &str) -> StoreResult<Vec<crate::OutboxMessage>> {
        super::outbox::case_messages(self, case_id).await
    }

    async fn message(&self, id: &str) -> StoreResult<crate::OutboxMessage> {
        super::outbox::message(self, id).await
    }

    async fn retry_message(&self, id: &str, now: &str) -> StoreResult<bool> {
        super::outbox::retry_message(self, id, now).await
    }

    async fn add_case_document(&self, add: &crate::CaseDocumentAdd) -> StoreResult<i64> {
        super::case_documents::add_case_document(self, add).await
    }

    async fn case_document(&self, id: &str) -> StoreResult<crate::CaseDocumentRecord> {
        super::case_documents::case_document(self, id).await
    }

    async fn case_documents(&self, case_id: &str) -> StoreResult<Vec<crate::CaseDocumentRecord>> {
        super::case_documents::case_documents(self, case_id).await
    }
}
