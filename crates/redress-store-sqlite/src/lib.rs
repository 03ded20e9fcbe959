//! Redress storage on an embedded SQLite file: the default, for a landlord running Redress on one machine.
//!
//! WAL journal (readers never block the writer), `synchronous = FULL` by default so that an acknowledged
//! write survives a killed process and a power cut (`?synchronous=normal` in the URL trades the latter for
//! speed), foreign keys on, and every write transaction started with `BEGIN IMMEDIATE` so that two writers
//! queue for the lock instead of failing on upgrade.
#![forbid(unsafe_code)]

use std::str::FromStr;
use std::time::Duration;

use std::collections::HashMap;

use redress_store::search::SearchDocument;
use redress_store::sql::{
    self, CASE_COLUMNS, COMPLAINANT_COLUMNS, Creation, Dialect, EVENT_COLUMNS, EventRow, Param,
    SearchDialect, SearchSyntax, SqlBackend, SqlDatabase, store_error, unique_as,
};
use redress_store::{NewCase, StoreError, StoreResult, StoredEvent, params};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

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
                Some(("synchronous", setting)) => {
                    synchronous = SqliteSynchronous::from_str(setting).map_err(|_| {
                        StoreError::Other(format!("synchronous={setting} is not a SQLite setting"))
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

#[async_trait::async_trait]
impl SqlBackend for SqliteStore {
    type Db = Sqlite;

    const NAME: &'static str = "sqlite";

    const DIALECT: Dialect = Dialect {
        // As the partial indexes' predicates spell it (`WHERE is_open = 1`): SQLite matches a query to a
        // partial index by the terms' spelling, and `TRUE` is not `1` to it.
        true_literal: "1",
        false_literal: "0",
        latest_policies: "SELECT p.id, p.version, p.name, p.toml, p.installed_at FROM policies p \
             WHERE p.version = (SELECT MAX(version) FROM policies q WHERE q.id = p.id) ORDER BY p.id",
        byte_order: "",
        // BEGIN IMMEDIATE already takes the write lock.
        lock_for_policy_install: None,
        // FTS5 answers `ORDER BY rowid DESC` from its doclists and stops after the page.
        search: SearchDialect {
            text_from: "case_search_text f JOIN case_search s ON s.doc = f.rowid",
            text_doc: "f.rowid",
            words_match: "case_search_text MATCH ?",
            keys_match: "case_search_text MATCH ?",
            syntax: SearchSyntax::Fts5,
            before_each: None,
        },
        // BEGIN IMMEDIATE already serialises writers: one claim at a time.
        skip_locked: "",
    };

    fn reader(&self) -> &SqlitePool {
        &self.pool
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    async fn begin_write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        begin_immediate(&self.writer).await
    }

    async fn begin_snapshot(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        // WAL: a read transaction sees one snapshot from its first read to its end.
        self.pool.begin().await.map_err(store_error)
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations")
            .run(&self.writer)
            .await
            .map_err(StoreError::other)
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        sql::execute(&self.writer, "ANALYZE", Vec::new())
            .await
            .map(drop)
    }

    async fn create_one(&self, case: NewCase) -> StoreResult<(String, bool)> {
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

    async fn import_checked(
        &self,
        cases: Vec<(NewCase, Vec<StoredEvent>)>,
    ) -> StoreResult<Vec<String>> {
        let mut tx = self.begin_write().await?;
        let references = import_in_tx(&mut tx, &cases).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(references)
    }

    async fn index_documents(
        connection: &mut SqliteConnection,
        documents: &[SearchDocument],
    ) -> StoreResult<()> {
        index_in_tx(connection, documents).await
    }
}

/// Adds cases to the search index inside the caller's write transaction, numbered after the highest
/// number so far (the write lock is held: nobody else numbers at the same time).
async fn index_in_tx(tx: &mut SqliteConnection, documents: &[SearchDocument]) -> StoreResult<()> {
    const ROWS: usize = 1000;
    if documents.is_empty() {
        return Ok(());
    }
    let top = sql::fetch_one(
        &mut *tx,
        "SELECT COALESCE(MAX(doc), 0) AS top FROM case_search",
        Vec::new(),
    )
    .await?;
    let numbered: Vec<(i64, &SearchDocument)> =
        (Sqlite::int(&top, "top")? + 1..).zip(documents).collect();
    for chunk in numbered.chunks(ROWS) {
        let rows = chunk.iter().map(|(n, d)| params![*n, d.case_id.as_str()]);
        sql::insert_rows::<Sqlite>(tx, "case_search", "doc, case_id", rows)
            .await?
            .map_err(store_error)?;
        let rows = chunk
            .iter()
            .map(|(n, d)| params![*n, d.words.as_str(), d.keys.as_str()]);
        sql::insert_rows::<Sqlite>(tx, "case_search_text", "rowid, words, keys", rows)
            .await?
            .map_err(store_error)?;
    }
    Ok(())
}

/// A write transaction that takes the write lock at once, so that two writers queue for it instead of one
/// failing when it upgrades a read lock.
async fn begin_immediate(writer: &SqlitePool) -> StoreResult<Transaction<'static, Sqlite>> {
    writer
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(store_error)
}

/// Inserts one new case on a connection inside a transaction: the body of a group-committed creation.
async fn insert_case(tx: &mut SqliteConnection, case: &NewCase) -> StoreResult<(String, bool)> {
    let reference = match sql::existing_or_next_reference::<Sqlite>(tx, case).await? {
        Creation::Existing(reference) => return Ok((reference, false)),
        Creation::New(reference) => reference,
    };
    sql::insert_new_case::<Sqlite>(tx, case, &reference)
        .await?
        .map_err(unique_as("the case id or idempotency key"))?;
    let document = SearchDocument::of(&case.id, &case.summary, case.complainant.as_ref());
    index_in_tx(tx, &[document]).await?;
    Ok((reference, true))
}

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
                let mut tx = begin_immediate(writer).await?;
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

/// Where each job of a batch gets its answer.
enum Slot {
    /// The `n`th of the cases the batch creates.
    New(usize),
    /// A case created before the batch, by its reference.
    Existing(String),
    /// The `n`th case the batch creates, whose key this job repeats.
    SameAs(usize),
}

/// The whole batch in one transaction with multi-row inserts: a handful of statements however many cases.
async fn write_batch_at_once(
    writer: &SqlitePool,
    batch: &[CreateJob],
) -> StoreResult<Vec<StoreResult<(String, bool)>>> {
    let mut tx = begin_immediate(writer).await?;
    let known = references_for_keys(&mut tx, batch).await?;
    // Which jobs create a case; a key repeated within the batch goes to the first with it.
    let mut slots = Vec::with_capacity(batch.len());
    let mut fresh: Vec<(NewCase, Vec<StoredEvent>)> = Vec::new();
    let mut first_with_key: HashMap<String, usize> = HashMap::new();
    for (case, _) in batch {
        let slot = match case.idempotency.as_ref().map(|k| k.stored()) {
            Some(key) if known.contains_key(&key) => Slot::Existing(known[&key].clone()),
            Some(key) if first_with_key.contains_key(&key) => Slot::SameAs(first_with_key[&key]),
            other => {
                if let Some(key) = other {
                    first_with_key.insert(key, fresh.len());
                }
                fresh.push((case.clone(), sql::triage_as_later(case)));
                Slot::New(fresh.len() - 1)
            }
        };
        slots.push(slot);
    }
    let references = import_in_tx(&mut tx, &fresh).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(slots
        .into_iter()
        .map(|slot| match slot {
            Slot::New(i) => Ok((references[i].clone(), true)),
            Slot::SameAs(i) => Ok((references[i].clone(), false)),
            Slot::Existing(reference) => Ok((reference, false)),
        })
        .collect())
}

/// The cases already created with the batch's idempotency keys, by stored key, in one look-up.
async fn references_for_keys(
    tx: &mut SqliteConnection,
    batch: &[CreateJob],
) -> StoreResult<HashMap<String, String>> {
    let keys: Vec<Param> = batch
        .iter()
        .filter_map(|(c, _)| c.idempotency.as_ref().map(|k| Param::from(k.stored())))
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let lookup = format!(
        "SELECT idempotency_key, reference FROM cases WHERE idempotency_key IN ({})",
        sql::placeholders(1, keys.len())
    );
    let mut known = HashMap::new();
    for row in sql::fetch_all(&mut *tx, &lookup, keys).await? {
        known.insert(
            Sqlite::text(&row, "idempotency_key")?,
            Sqlite::text(&row, "reference")?,
        );
    }
    Ok(known)
}

/// The multi-row inserts of an import (and of a group-committed batch of creations), inside the caller's
/// transaction.
async fn import_in_tx(
    tx: &mut SqliteConnection,
    cases: &[(NewCase, Vec<StoredEvent>)],
) -> StoreResult<Vec<String>> {
    // Rows a multi-row INSERT carries: the widest (cases, 21 values a row) stays well under SQLite's
    // 32,766 bound parameters.
    const ROWS: usize = 1000;
    let references = sql::number_cases::<Sqlite>(tx, cases).await?;
    let numbered: Vec<_> = cases.iter().zip(&references).collect();
    for chunk in numbered.chunks(ROWS) {
        let rows = chunk
            .iter()
            .map(|((case, later), reference)| sql::case_values(case, reference, later));
        sql::insert_rows::<Sqlite>(tx, "cases", CASE_COLUMNS, rows)
            .await?
            .map_err(unique_as("a case id or idempotency key"))?;
    }
    let people: Vec<_> = cases
        .iter()
        .filter_map(|(c, _)| c.complainant.as_ref().map(|p| (c.id.as_str(), p)))
        .collect();
    for chunk in people.chunks(ROWS) {
        let rows = chunk
            .iter()
            .map(|(id, person)| sql::complainant_values(id, person));
        sql::insert_rows::<Sqlite>(tx, "complainants", COMPLAINANT_COLUMNS, rows)
            .await?
            .map_err(store_error)?;
    }
    let mut events: Vec<EventRow> = Vec::new();
    for (case, later) in cases {
        events.extend(sql::event_rows(case, later)?);
    }
    for chunk in events.chunks(ROWS) {
        let rows = chunk.iter().map(EventRow::values);
        sql::insert_rows::<Sqlite>(tx, "case_events", EVENT_COLUMNS, rows)
            .await?
            .map_err(store_error)?;
    }
    index_in_tx(tx, &sql::documents_of(cases)).await?;
    Ok(references)
}
