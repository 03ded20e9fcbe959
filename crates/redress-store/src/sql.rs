//! The SQL both backends run, written once over sqlx's database-generic API (behind the `sql` feature), and
//! the [`Store`] built on it for every [`SqlBackend`].
//!
//! The dialects agree on more than they differ: both take `$N` placeholders (SQLite reads `$N` as parameter
//! N), both bind and read flags as booleans (SQLite stores them as INTEGER 0 and 1), and both compare the
//! application's date and instant text byte by byte. What still differs in shared statements is a
//! [`Dialect`]: the boolean literals, which must be spelled as the partial indexes' predicates are for the
//! planner to use them, the query for the latest policy versions, and a collation. What cannot be shared
//! (connecting, the write lock, group commit, bulk import, telling a conflict on append) stays in each
//! backend, behind [`SqlBackend`].
//!
//! Values are bound as [`Param`]s and columns read through [`SqlDatabase`], which every sqlx driver that
//! binds and reads text, integers and booleans implements, so that the generic code here needs no bound
//! but `DB: SqlDatabase`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::civil::Date;
use redress_domain::event::CaseEvent;
use sqlx::error::BoxDynError;
use sqlx::{
    Arguments, AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool,
    Row, Transaction, Type,
};

use crate::codec::{
    date_text, decode_event, due_key, encode_event, parse_date, parse_opt_date, parse_role,
    parse_stage,
};
use crate::{
    ApiToken, CaseFilter, CaseRecord, CaseSummary, Complainant, KeyedCase, NewCase, Page,
    PolicyRecord, Projection, QueueCounts, Session, SignInScope, Sort, Store, StoreError,
    StoreResult, StoredEvent, TokenSummary, User, format_reference, scoped_key,
};

/// A storage failure from sqlx: no row is [`StoreError::NotFound`], anything else opaque.
pub fn store_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        _ => StoreError::other(e),
    }
}

/// Whether the database refused a write for a unique constraint.
pub fn is_unique(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Maps a unique-constraint violation to [`StoreError::Duplicate`] naming `what`, anything else as usual.
pub fn unique_as(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| {
        if is_unique(&e) {
            StoreError::Duplicate(what)
        } else {
            store_error(e)
        }
    }
}

/// A value to bind, in the few column types the stores use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param<'a> {
    /// Text.
    Text(Cow<'a, str>),
    /// Text or NULL.
    MaybeText(Option<Cow<'a, str>>),
    /// An integer.
    Int(i64),
    /// A flag.
    Flag(bool),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(s: &'a str) -> Param<'a> {
        Param::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(s: &'a String) -> Param<'a> {
        Param::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Param<'_> {
    fn from(s: String) -> Self {
        Param::Text(Cow::Owned(s))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(s: Option<&'a str>) -> Param<'a> {
        Param::MaybeText(s.map(Cow::Borrowed))
    }
}

impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(s: &'a Option<String>) -> Param<'a> {
        Param::MaybeText(s.as_deref().map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Param<'_> {
    fn from(s: Option<String>) -> Self {
        Param::MaybeText(s.map(Cow::Owned))
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Param::Int(n)
    }
}

impl From<bool> for Param<'_> {
    fn from(b: bool) -> Self {
        Param::Flag(b)
    }
}

/// The values of a statement, in placeholder order: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::sql::Param::from($value)),*]
    };
}
pub use crate::params;

/// What the shared SQL needs of a sqlx driver: to run statements on a connection or a pool, to bind
/// [`Param`]s, and to read text, integer and boolean columns by name. Implemented for every driver that can
/// (sqlx's SQLite and PostgreSQL drivers among them), so that generic code states one bound.
pub trait SqlDatabase: Database<Arguments: IntoArguments<Self>> {
    /// A connection (a transaction derefs to one) as an executor.
    fn on<'c>(connection: &'c mut Self::Connection) -> impl Executor<'c, Database = Self> + 'c;

    /// A pool as an executor: each statement on a connection of its own.
    fn on_pool<'p>(pool: &'p Pool<Self>) -> impl Executor<'p, Database = Self> + 'p;

    /// Binds `value` as the next argument.
    fn add(arguments: &mut Self::Arguments, value: Param<'_>) -> Result<(), BoxDynError>;

    /// A text column.
    fn text(row: &Self::Row, column: &str) -> StoreResult<String>;

    /// A nullable text column.
    fn maybe_text(row: &Self::Row, column: &str) -> StoreResult<Option<String>>;

    /// An integer column.
    fn int(row: &Self::Row, column: &str) -> StoreResult<i64>;

    /// A flag column.
    fn flag(row: &Self::Row, column: &str) -> StoreResult<bool>;
}

impl<DB> SqlDatabase for DB
where
    DB: Database<Arguments: IntoArguments<DB>>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB>,
    for<'r> i64: Decode<'r, DB>,
    for<'r> bool: Decode<'r, DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    fn on<'c>(connection: &'c mut DB::Connection) -> impl Executor<'c, Database = DB> + 'c {
        connection
    }

    fn on_pool<'p>(pool: &'p Pool<DB>) -> impl Executor<'p, Database = DB> + 'p {
        pool
    }

    fn add(arguments: &mut DB::Arguments, value: Param<'_>) -> Result<(), BoxDynError> {
        match value {
            Param::Text(s) => arguments.add(s.into_owned()),
            Param::MaybeText(s) => arguments.add(s.map(Cow::into_owned)),
            Param::Int(n) => arguments.add(n),
            Param::Flag(b) => arguments.add(b),
        }
    }

    fn text(row: &DB::Row, column: &str) -> StoreResult<String> {
        row.try_get(column).map_err(store_error)
    }

    fn maybe_text(row: &DB::Row, column: &str) -> StoreResult<Option<String>> {
        row.try_get(column).map_err(store_error)
    }

    fn int(row: &DB::Row, column: &str) -> StoreResult<i64> {
        row.try_get(column).map_err(store_error)
    }

    fn flag(row: &DB::Row, column: &str) -> StoreResult<bool> {
        row.try_get(column).map_err(store_error)
    }
}

fn arguments<DB: SqlDatabase>(values: Vec<Param<'_>>) -> StoreResult<DB::Arguments> {
    let mut arguments = DB::Arguments::default();
    for value in values {
        DB::add(&mut arguments, value).map_err(StoreError::other)?;
    }
    Ok(arguments)
}

/// A statement of the shared SQL (built from constants and [`Dialect`] tokens only, never from values).
fn statement<DB: SqlDatabase>(
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<sqlx::query::Query<'static, DB, DB::Arguments>> {
    Ok(sqlx::query_with(
        AssertSqlSafe(sql.to_owned()),
        arguments::<DB>(values)?,
    ))
}

/// Runs a statement; the database's own error, for callers that tell a unique violation from others.
pub async fn try_execute<'c, DB: SqlDatabase>(
    on: impl Executor<'c, Database = DB>,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<Result<DB::QueryResult, sqlx::Error>> {
    Ok(statement::<DB>(sql, values)?.execute(on).await)
}

/// Runs a statement.
pub async fn execute<'c, DB: SqlDatabase>(
    on: impl Executor<'c, Database = DB>,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<DB::QueryResult> {
    try_execute(on, sql, values).await?.map_err(store_error)
}

/// The one row a statement returns; none is [`StoreError::NotFound`].
pub async fn fetch_one<'c, DB: SqlDatabase>(
    on: impl Executor<'c, Database = DB>,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<DB::Row> {
    statement::<DB>(sql, values)?
        .fetch_one(on)
        .await
        .map_err(store_error)
}

/// The row a statement returns, if any.
pub async fn fetch_optional<'c, DB: SqlDatabase>(
    on: impl Executor<'c, Database = DB>,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<Option<DB::Row>> {
    statement::<DB>(sql, values)?
        .fetch_optional(on)
        .await
        .map_err(store_error)
}

/// Every row a statement returns.
pub async fn fetch_all<'c, DB: SqlDatabase>(
    on: impl Executor<'c, Database = DB>,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<Vec<DB::Row>> {
    statement::<DB>(sql, values)?
        .fetch_all(on)
        .await
        .map_err(store_error)
}

/// `$first, $first+1, …` for `count` values.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the dialects differ in statements that are otherwise the same.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// True, spelled as the partial indexes' predicates spell it (SQLite `1`, PostgreSQL `TRUE`).
    pub true_literal: &'static str,
    /// False, likewise.
    pub false_literal: &'static str,
    /// The latest version of every policy, by id (columns `id, version, name, toml, installed_at`).
    pub latest_policies: &'static str,
    /// Appended to an ORDER BY term over a column of the database's default collation, so that it sorts
    /// byte by byte as every other instant does.
    pub byte_order: &'static str,
    /// Taken at the start of a policy install, so that two at once number their versions one after the
    /// other; `None` where the write transaction itself already queues writers.
    pub lock_for_policy_install: Option<&'static str>,
}

/// What a backend adds to the shared SQL: its pools, its transactions, its dialect, and the parts of the
/// [`Store`] that differ in kind between databases. Every `SqlBackend` is a [`Store`].
#[async_trait::async_trait]
pub trait SqlBackend: Send + Sync + 'static {
    /// The sqlx driver.
    type Db: SqlDatabase;

    /// [`Store::backend`].
    const NAME: &'static str;

    /// How its SQL differs.
    const DIALECT: Dialect;

    /// The pool reads run on.
    fn reader(&self) -> &Pool<Self::Db>;

    /// The pool writes run on.
    fn writer(&self) -> &Pool<Self::Db>;

    /// Rows a statement changed.
    fn rows_affected(result: &<Self::Db as Database>::QueryResult) -> u64;

    /// A transaction that writes, holding whatever lock makes its writes queue rather than fail.
    async fn begin_write(&self) -> StoreResult<Transaction<'static, Self::Db>>;

    /// A read-only transaction whose statements all see one snapshot.
    async fn begin_snapshot(&self) -> StoreResult<Transaction<'static, Self::Db>>;

    /// [`Store::migrate`].
    async fn run_migrations(&self) -> StoreResult<()>;

    /// [`Store::after_bulk_load`].
    async fn refresh_statistics(&self) -> StoreResult<()>;

    /// [`Store::create_case`].
    async fn create_one(&self, case: NewCase) -> StoreResult<(String, bool)>;

    /// [`Store::import_cases`], its events already checked by [`check_event_numbers`].
    async fn import_checked(
        &self,
        cases: Vec<(NewCase, Vec<StoredEvent>)>,
    ) -> StoreResult<Vec<String>>;
}

/// The columns of `cases` a new case writes, in the order of [`case_values`].
pub const CASE_COLUMNS: &str = "id, reference, policy_id, policy_version, summary, confidential, \
     idempotency_key, created_at, updated_at, version, stage, state, feedback_type, received_on, \
     assignee, next_due_on, next_due_clock, due_key, is_open, late_acknowledged_on, idempotency_hash";

/// The columns of `complainants`, in the order of [`complainant_values`].
pub const COMPLAINANT_COLUMNS: &str = "case_id, name, email, phone, address, representative_name, \
     representative_relationship, representative_consent";

/// The columns of `case_events`, in the order of [`EventRow::values`].
pub const EVENT_COLUMNS: &str = "case_id, seq, kind, payload, actor, recorded_at";

/// The row of `cases` for a new case numbered `reference` with `later` events after its receipt.
pub fn case_values<'a>(
    case: &'a NewCase,
    reference: &'a str,
    later: &'a [StoredEvent],
) -> Vec<Param<'a>> {
    let p = &case.projection;
    let updated_at = later.last().map_or(&case.recorded_at, |e| &e.recorded_at);
    let version = 1 + later.len() as i64;
    params![
        &case.id,
        reference,
        &case.policy_id,
        case.policy_version,
        &case.summary,
        case.confidential,
        case.idempotency.as_ref().map(|k| k.stored()),
        &case.recorded_at,
        updated_at,
        version,
        i64::from(p.stage),
        &p.state,
        &p.feedback_type,
        date_text(p.received_on),
        &p.assignee,
        p.next_due_on.map(date_text),
        &p.next_due_clock,
        due_key(p.next_due_on),
        p.is_open,
        p.late_acknowledged_on.map(date_text),
        case.idempotency.as_ref().map(|k| k.request_hash.as_str()),
    ]
}

/// The row of `complainants` for a case's personal data.
pub fn complainant_values<'a>(case_id: &'a str, c: &'a Complainant) -> Vec<Param<'a>> {
    params![
        case_id,
        &c.name,
        &c.email,
        &c.phone,
        &c.address,
        &c.representative_name,
        &c.representative_relationship,
        c.representative_consent,
    ]
}

/// A row of `case_events`.
#[derive(Debug, Clone)]
pub struct EventRow<'a> {
    /// The case.
    pub case_id: &'a str,
    /// Its sequence number.
    pub seq: i64,
    /// The event's kind.
    pub kind: &'static str,
    /// The event, encoded.
    pub payload: String,
    /// Who recorded it.
    pub actor: Option<&'a str>,
    /// When.
    pub recorded_at: &'a str,
}

impl<'a> EventRow<'a> {
    /// Event `seq` of a case, recorded at `recorded_at`.
    pub fn new(
        case_id: &'a str,
        seq: i64,
        event: &'a CaseEvent,
        recorded_at: &'a str,
    ) -> StoreResult<EventRow<'a>> {
        let (kind, payload) = encode_event(event)?;
        Ok(EventRow {
            case_id,
            seq,
            kind,
            payload,
            actor: event.by.as_deref(),
            recorded_at,
        })
    }

    /// Its values, in the order of [`EVENT_COLUMNS`].
    pub fn values(&self) -> Vec<Param<'_>> {
        params![
            self.case_id,
            self.seq,
            self.kind,
            self.payload.as_str(),
            self.actor,
            self.recorded_at
        ]
    }
}

/// The events after the receipt of a case being created: the triage recorded with it, if any, as event 2.
pub fn triage_as_later(case: &NewCase) -> Vec<StoredEvent> {
    case.triage
        .iter()
        .map(|e| StoredEvent {
            seq: 2,
            event: e.clone(),
            recorded_at: case.recorded_at.clone(),
        })
        .collect()
}

/// The event rows of a new case: its receipt as event 1, then `later`.
pub fn event_rows<'a>(
    case: &'a NewCase,
    later: &'a [StoredEvent],
) -> StoreResult<Vec<EventRow<'a>>> {
    let mut rows = vec![EventRow::new(
        &case.id,
        1,
        &case.received,
        &case.recorded_at,
    )?];
    for e in later {
        rows.push(EventRow::new(&case.id, e.seq, &e.event, &e.recorded_at)?);
    }
    Ok(rows)
}

/// One `INSERT INTO table (columns) VALUES (…), (…)` for `rows` (each as many values as `columns` names).
pub async fn insert_rows<'r, DB: SqlDatabase>(
    connection: &mut DB::Connection,
    table: &str,
    columns: &str,
    rows: impl IntoIterator<Item = Vec<Param<'r>>>,
) -> StoreResult<Result<DB::QueryResult, sqlx::Error>> {
    let mut values = Vec::new();
    let mut tuples = Vec::new();
    for row in rows {
        tuples.push(format!("({})", placeholders(values.len() + 1, row.len())));
        values.extend(row);
    }
    if tuples.is_empty() {
        return Ok(Ok(Default::default()));
    }
    let sql = format!(
        "INSERT INTO {table} ({columns}) VALUES {}",
        tuples.join(", ")
    );
    try_execute(DB::on(connection), &sql, values).await
}

/// The case an idempotency key (in its stored form) created, if any.
pub async fn reference_for_stored_key<'c, DB: SqlDatabase>(
    on: impl Executor<'c, Database = DB>,
    stored_key: &str,
) -> StoreResult<Option<String>> {
    let row = fetch_optional(
        on,
        "SELECT reference FROM cases WHERE idempotency_key = $1",
        params![stored_key],
    )
    .await?;
    row.map(|row| DB::text(&row, "reference")).transpose()
}

/// Moves a year's reference counter on by `count` and returns the first of the numbers it gave out. The
/// upsert locks the year's counter row until commit: concurrent creations number one after the other, and
/// a rolled-back creation leaves no gap.
pub async fn take_reference_numbers<DB: SqlDatabase>(
    connection: &mut DB::Connection,
    year: i16,
    count: i64,
) -> StoreResult<i64> {
    let row = fetch_one(
        DB::on(connection),
        "INSERT INTO reference_counters (year, last) VALUES ($1, $2) \
         ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + excluded.last \
         RETURNING last",
        params![i64::from(year), count],
    )
    .await?;
    Ok(DB::int(&row, "last")? - count + 1)
}

/// The references of a batch of new cases, in the order given: each year's counter moves once, by the
/// number of that year's cases, years in ascending order so that two batches never wait on each other in
/// a cycle.
pub async fn number_cases<DB: SqlDatabase>(
    connection: &mut DB::Connection,
    cases: &[(NewCase, Vec<StoredEvent>)],
) -> StoreResult<Vec<String>> {
    let mut per_year: BTreeMap<i16, i64> = BTreeMap::new();
    for (case, _) in cases {
        *per_year.entry(case.reference_year).or_default() += 1;
    }
    let mut next = BTreeMap::new();
    for (&year, &count) in &per_year {
        next.insert(
            year,
            take_reference_numbers::<DB>(connection, year, count).await?,
        );
    }
    let mut references = Vec::with_capacity(cases.len());
    for (case, _) in cases {
        let n = next.entry(case.reference_year).or_default();
        references.push(format_reference(case.reference_year, *n));
        *n += 1;
    }
    Ok(references)
}

/// Refuses an import whose later events are not numbered 2, 3, … for their case.
pub fn check_event_numbers(cases: &[(NewCase, Vec<StoredEvent>)]) -> StoreResult<()> {
    for (case, later) in cases {
        for (seq, e) in (2..).zip(later) {
            if e.seq != seq {
                return Err(StoreError::Other(format!(
                    "import: case {} has event {} where event {seq} belongs",
                    case.id, e.seq
                )));
            }
        }
    }
    Ok(())
}

/// Writes a new case numbered `reference`: its row, its personal data and its first events (the receipt
/// and any triage). The case row's own error is given back as the database's, for the caller to tell a
/// reused idempotency key; the rest's as a [`StoreError`].
pub async fn insert_new_case<DB: SqlDatabase>(
    connection: &mut DB::Connection,
    case: &NewCase,
    reference: &str,
) -> StoreResult<Result<(), sqlx::Error>> {
    let later = triage_as_later(case);
    let rows = [case_values(case, reference, &later)];
    if let Err(e) = insert_rows::<DB>(connection, "cases", CASE_COLUMNS, rows).await? {
        return Ok(Err(e));
    }
    if let Some(c) = &case.complainant {
        let rows = [complainant_values(&case.id, c)];
        insert_rows::<DB>(connection, "complainants", COMPLAINANT_COLUMNS, rows)
            .await?
            .map_err(store_error)?;
    }
    let events = event_rows(case, &later)?;
    insert_rows::<DB>(
        connection,
        "case_events",
        EVENT_COLUMNS,
        events.iter().map(EventRow::values),
    )
    .await?
    .map_err(store_error)?;
    Ok(Ok(()))
}

/// The compare-and-set of an append: moves the case from `expected_version` to `new_version` with its new
/// projection. Returns the rows changed: none when the version moved (or the case does not exist).
pub async fn update_projection<B: SqlBackend>(
    connection: &mut <B::Db as Database>::Connection,
    case_id: &str,
    expected_version: i64,
    new_version: i64,
    recorded_at: &str,
    p: &Projection,
) -> StoreResult<u64> {
    let done = execute(
        B::Db::on(connection),
        "UPDATE cases SET version = $1, updated_at = $2, stage = $3, state = $4, feedback_type = $5, \
         received_on = $6, assignee = $7, next_due_on = $8, next_due_clock = $9, due_key = $10, \
         is_open = $11, late_acknowledged_on = $12 WHERE id = $13 AND version = $14",
        params![
            new_version,
            recorded_at,
            i64::from(p.stage),
            &p.state,
            &p.feedback_type,
            date_text(p.received_on),
            &p.assignee,
            p.next_due_on.map(date_text),
            &p.next_due_clock,
            due_key(p.next_due_on),
            p.is_open,
            p.late_acknowledged_on.map(date_text),
            case_id,
            expected_version,
        ],
    )
    .await?;
    Ok(B::rows_affected(&done))
}

/// The version of a case, if it exists.
pub async fn version_of<'c, DB: SqlDatabase>(
    on: impl Executor<'c, Database = DB>,
    case_id: &str,
) -> StoreResult<Option<i64>> {
    let row = fetch_optional(
        on,
        "SELECT version FROM cases WHERE id = $1",
        params![case_id],
    )
    .await?;
    row.map(|row| DB::int(&row, "version")).transpose()
}

/// The conflict of an append whose compare-and-set changed nothing: the case's version now, or not found.
pub async fn append_refused<'c, DB: SqlDatabase>(
    on: impl Executor<'c, Database = DB>,
    case_id: &str,
    expected_version: i64,
) -> StoreError {
    match version_of(on, case_id).await {
        Ok(None) => StoreError::NotFound,
        Ok(Some(actual)) => StoreError::Conflict {
            expected: expected_version,
            actual,
        },
        Err(e) => e,
    }
}

/// Appends events to a case at `expected_version` with its new projection: a compare-and-set on the case's
/// version, then the events. A second writer expecting the same version waits for the first's lock (the
/// write transaction's on SQLite, the case row's on PostgreSQL), then finds the version moved and changes
/// nothing.
async fn append<B: SqlBackend>(
    backend: &B,
    case_id: &str,
    expected_version: i64,
    events: &[CaseEvent],
    recorded_at: &str,
    projection: &Projection,
) -> StoreResult<i64> {
    let count = i64::try_from(events.len()).map_err(StoreError::other)?;
    let new_version = expected_version + count;
    let mut tx = backend.begin_write().await?;
    let changed = update_projection::<B>(
        &mut tx,
        case_id,
        expected_version,
        new_version,
        recorded_at,
        projection,
    )
    .await?;
    if changed == 0 {
        // Read in the same transaction: at READ COMMITTED it sees what the winner committed.
        return Err(append_refused(B::Db::on(&mut tx), case_id, expected_version).await);
    }
    let rows = (expected_version + 1..)
        .zip(events)
        .map(|(seq, e)| EventRow::new(case_id, seq, e, recorded_at))
        .collect::<StoreResult<Vec<_>>>()?;
    let values = rows.iter().map(EventRow::values);
    if let Err(e) = insert_rows::<B::Db>(&mut tx, "case_events", EVENT_COLUMNS, values).await? {
        let _ = tx.rollback().await;
        if !is_unique(&e) {
            return Err(store_error(e));
        }
        // The log is ahead of the projection's version: someone else wrote these sequence numbers. Not
        // reachable while the version check above holds, but if the log and the version ever disagree,
        // refuse rather than fork the log.
        let actual = version_of(B::Db::on_pool(backend.writer()), case_id)
            .await?
            .filter(|v| *v != expected_version)
            .unwrap_or(expected_version + 1);
        return Err(StoreError::Conflict {
            expected: expected_version,
            actual,
        });
    }
    tx.commit().await.map_err(store_error)?;
    Ok(new_version)
}

/// What creating a case finds first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// The case its idempotency key already created, by its reference.
    Existing(String),
    /// The reference the new case takes.
    New(String),
}

/// The case a creation's idempotency key already made, or else the next reference of the case's year.
pub async fn existing_or_next_reference<DB: SqlDatabase>(
    connection: &mut DB::Connection,
    case: &NewCase,
) -> StoreResult<Creation> {
    if let Some(key) = &case.idempotency
        && let Some(reference) = reference_for_stored_key(DB::on(connection), &key.stored()).await?
    {
        return Ok(Creation::Existing(reference));
    }
    let n = take_reference_numbers::<DB>(connection, case.reference_year, 1).await?;
    Ok(Creation::New(format_reference(case.reference_year, n)))
}

/// The projection columns of a `cases` row.
fn projection_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<Projection> {
    Ok(Projection {
        stage: parse_stage(DB::int(row, "stage")?)?,
        state: DB::text(row, "state")?,
        feedback_type: DB::text(row, "feedback_type")?,
        received_on: parse_date(&DB::text(row, "received_on")?)?,
        assignee: DB::maybe_text(row, "assignee")?,
        next_due_on: parse_opt_date(DB::maybe_text(row, "next_due_on")?)?,
        next_due_clock: DB::maybe_text(row, "next_due_clock")?,
        is_open: DB::flag(row, "is_open")?,
        late_acknowledged_on: parse_opt_date(DB::maybe_text(row, "late_acknowledged_on")?)?,
    })
}

fn policy_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<PolicyRecord> {
    Ok(PolicyRecord {
        id: DB::text(row, "id")?,
        version: DB::int(row, "version")?,
        name: DB::text(row, "name")?,
        toml: DB::text(row, "toml")?,
        installed_at: DB::text(row, "installed_at")?,
    })
}

/// A user from a row with the `users` columns.
fn user_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<User> {
    Ok(User {
        id: DB::text(row, "id")?,
        email: DB::text(row, "email")?,
        name: DB::text(row, "name")?,
        role: parse_role(&DB::text(row, "role")?)?,
        password_hash: DB::text(row, "password_hash")?,
    })
}

fn token_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: DB::text(row, "id")?,
        name: DB::text(row, "name")?,
        role: parse_role(&DB::text(row, "role")?)?,
        token_hash: DB::text(row, "token_hash")?,
        expires_at: DB::maybe_text(row, "expires_at")?,
        last_used_at: DB::maybe_text(row, "last_used_at")?,
        revoked_at: DB::maybe_text(row, "revoked_at")?,
    })
}

fn token_summary_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<TokenSummary> {
    Ok(TokenSummary {
        id: DB::text(row, "id")?,
        name: DB::text(row, "name")?,
        role: parse_role(&DB::text(row, "role")?)?,
        created_at: DB::text(row, "created_at")?,
        last_used_at: DB::maybe_text(row, "last_used_at")?,
        expires_at: DB::maybe_text(row, "expires_at")?,
        revoked_at: DB::maybe_text(row, "revoked_at")?,
    })
}

fn session_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<Session> {
    Ok(Session {
        id_hash: DB::text(row, "id_hash")?,
        user_id: DB::text(row, "user_id")?,
        csrf: DB::text(row, "csrf")?,
        created_at: DB::text(row, "created_at")?,
        last_seen_at: DB::text(row, "last_seen_at")?,
        expires_at: DB::text(row, "expires_at")?,
    })
}

/// The personal data of a case row left-joined with `complainants`; `None` when it has none.
fn complainant_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<Option<Complainant>> {
    if DB::maybe_text(row, "has_complainant")?.is_none() {
        return Ok(None);
    }
    Ok(Some(Complainant {
        name: DB::maybe_text(row, "name")?,
        email: DB::maybe_text(row, "email")?,
        phone: DB::maybe_text(row, "phone")?,
        address: DB::maybe_text(row, "address")?,
        representative_name: DB::maybe_text(row, "representative_name")?,
        representative_relationship: DB::maybe_text(row, "representative_relationship")?,
        representative_consent: DB::flag(row, "representative_consent")?,
    }))
}

fn stored_event_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<StoredEvent> {
    Ok(StoredEvent {
        seq: DB::int(row, "seq")?,
        event: decode_event(&DB::text(row, "payload")?, DB::maybe_text(row, "actor")?)?,
        recorded_at: DB::text(row, "recorded_at")?,
    })
}

fn case_summary_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<CaseSummary> {
    Ok(CaseSummary {
        id: DB::text(row, "id")?,
        reference: DB::text(row, "reference")?,
        policy_id: DB::text(row, "policy_id")?,
        policy_version: DB::int(row, "policy_version")?,
        complainant_name: DB::maybe_text(row, "complainant_name")?,
        confidential: DB::flag(row, "confidential")?,
        projection: projection_from::<DB>(row)?,
    })
}

/// A statement built clause by clause, its values numbered as they are added.
struct Clauses<'a> {
    sql: String,
    values: Vec<Param<'a>>,
}

impl<'a> Clauses<'a> {
    /// Appends `clause`, every `?` in it standing for `value`.
    fn push(&mut self, clause: &str, value: impl Into<Param<'a>>) {
        self.values.push(value.into());
        let placeholder = format!("${}", self.values.len());
        self.sql.push_str(&clause.replace('?', &placeholder));
    }
}

/// The `WHERE` of a case list, after `WHERE TRUE`: every filter of `f` but the cursor.
fn filter_clauses<'a>(f: &'a CaseFilter, dialect: &Dialect, q: &mut Clauses<'a>) {
    let (yes, no) = (dialect.true_literal, dialect.false_literal);
    if f.open_only || f.due_on_or_before.is_some() || f.overdue_as_of.is_some() {
        q.sql.push_str(&format!(" AND c.is_open = {yes}"));
    }
    if !f.include_confidential {
        match &f.confidential_for {
            // Their own: logged by them (event 1, found by the primary key) or assigned to them now.
            Some(who) => q.push(
                &format!(
                    " AND (c.confidential = {no} OR c.assignee = ? OR EXISTS (SELECT 1 FROM \
                     case_events e WHERE e.case_id = c.id AND e.seq = 1 AND e.actor = ?))"
                ),
                who,
            ),
            None => q.sql.push_str(&format!(" AND c.confidential = {no}")),
        }
    }
    if let Some(state) = &f.state {
        q.push(" AND c.state = ?", state);
    }
    if let Some(stage) = f.stage {
        q.push(" AND c.stage = ?", i64::from(stage));
    }
    if let Some(policy) = &f.policy {
        q.push(" AND c.policy_id = ?", policy);
    }
    if let Some(assignee) = &f.assignee {
        q.push(" AND c.assignee = ?", assignee);
    }
    // The due key, not the due date: it is what the open-cases indexes are on.
    if let Some(day) = f.due_on_or_before {
        q.push(" AND c.due_key <= ?", date_text(day));
    }
    if let Some(day) = f.overdue_as_of {
        q.push(" AND c.due_key < ?", date_text(day));
    }
    if let Some(day) = f.received_from {
        q.push(" AND c.received_on >= ?", date_text(day));
    }
    if let Some(day) = f.received_to {
        q.push(" AND c.received_on <= ?", date_text(day));
    }
}

/// The shared SQL of a list of cases, page by page.
async fn list_cases<B: SqlBackend>(backend: &B, f: &CaseFilter) -> StoreResult<Page> {
    let mut q = Clauses {
        sql: String::from(
            "SELECT c.id, c.reference, c.policy_id, c.policy_version, c.confidential, c.stage, c.state, \
             c.feedback_type, c.received_on, c.assignee, c.next_due_on, c.next_due_clock, c.due_key, \
             c.is_open, c.late_acknowledged_on, p.name AS complainant_name \
             FROM cases c LEFT JOIN complainants p ON p.case_id = c.id WHERE TRUE",
        ),
        values: Vec::new(),
    };
    filter_clauses(f, &B::DIALECT, &mut q);
    if let Some(cursor) = &f.after {
        q.values.push(Param::from(&cursor.key));
        q.values.push(Param::from(&cursor.id));
        let (key, id) = (q.values.len() - 1, q.values.len());
        // Row comparison: `(a, b) < (x, y)` is the keyset condition, and walks the (key, id) indexes.
        q.sql.push_str(&match f.sort {
            Sort::Received => format!(" AND (c.received_on, c.id) < (${key}, ${id})"),
            Sort::Due => format!(" AND (c.due_key, c.id) > (${key}, ${id})"),
        });
    }
    q.sql.push_str(match f.sort {
        Sort::Received => " ORDER BY c.received_on DESC, c.id DESC",
        Sort::Due => " ORDER BY c.due_key, c.id",
    });
    let limit = f.limit.clamp(1, 200);
    q.push(" LIMIT ?", i64::from(limit) + 1);
    let rows = fetch_all(B::Db::on_pool(backend.reader()), &q.sql, q.values).await?;
    let items = rows
        .iter()
        .map(case_summary_from::<B::Db>)
        .collect::<StoreResult<Vec<_>>>()?;
    let limit = usize::try_from(limit).map_err(StoreError::other)?;
    Ok(Page::from_rows(items, limit, f.sort))
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
        self.run_migrations().await
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
            projection,
        )
        .await
    }

    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<Page> {
        list_cases(self, filter).await
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
}
