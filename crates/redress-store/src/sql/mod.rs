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
    /// How the full-text index is queried.
    pub search: SearchDialect,
    /// Ends the subquery choosing which outbox rows a worker claims, so that two instances never take the
    /// same row (PostgreSQL `FOR UPDATE SKIP LOCKED`); empty where the write transaction already
    /// serialises writers.
    pub skip_locked: &'static str,
}

/// How a backend's full-text index is queried (see `redress_store::search` for what is indexed).
#[derive(Debug, Clone, Copy)]
pub struct SearchDialect {
    /// The tables of a full-text match, binding `s` to `case_search` (with `case_id`).
    pub text_from: &'static str,
    /// The index order column of a full-text match (its rowid on SQLite, so that FTS5 walks it).
    pub text_doc: &'static str,
    /// The condition that the document's words match the query text bound to `?`.
    pub words_match: &'static str,
    /// The condition that the document's keys match the query text bound to `?`.
    pub keys_match: &'static str,
    /// The query language the text is written in.
    pub syntax: SearchSyntax,
    /// Run first, in the search's own read transaction, where the planner needs telling something (on
    /// PostgreSQL: plan each search for its own text, since one generic plan cannot suit a word in every
    /// tenth case and a postcode in one); `None` runs the search on the pool as it is.
    pub before_each: Option<&'static str>,
}

/// A full-text query language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchSyntax {
    /// SQLite FTS5's MATCH: `words : ("damp"* AND "leak"*)`.
    Fts5,
    /// PostgreSQL's `to_tsquery`: `'damp':*D & 'leak':*D`, keys weighted A.
    TsQuery,
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

    /// Adds cases to the search index, numbered in the order given after those already there, inside the
    /// caller's write transaction.
    async fn index_documents(
        connection: &mut <Self::Db as Database>::Connection,
        documents: &[crate::search::SearchDocument],
    ) -> StoreResult<()>;
}

mod case_documents;
mod cases;
mod letters;
mod outbox;
mod rows;
mod search;
mod store;

pub use cases::*;
pub use search::documents_of;
