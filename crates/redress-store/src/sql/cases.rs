//! Writing cases: their rows, their numbers, their events.

use super::*;

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
    let projection = &case.projection;
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
        i64::from(projection.stage),
        &projection.state,
        &projection.feedback_type,
        date_text(projection.received_on),
        &projection.assignee,
        projection.next_due_on.map(date_text),
        &projection.next_due_clock,
        due_key(projection.next_due_on),
        projection.is_open,
        projection.late_acknowledged_on.map(date_text),
        case.idempotency.as_ref().map(|k| k.request_hash.as_str()),
    ]
}

/// The row of `complainants` for a case's personal data.
pub fn complainant_values<'a>(case_id: &'a str, person: &'a Complainant) -> Vec<Param<'a>> {
    params![
        case_id,
        &person.name,
        &person.email,
        &person.phone,
        &person.address,
        &person.representative_name,
        &person.representative_relationship,
        person.representative_consent,
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
    projection: &Projection,
) -> StoreResult<u64> {
    let done = execute(
        B::Db::on(connection),
        "UPDATE cases SET version = $1, updated_at = $2, stage = $3, state = $4, feedback_type = $5, \
         received_on = $6, assignee = $7, next_due_on = $8, next_due_clock = $9, due_key = $10, \
         is_open = $11, late_acknowledged_on = $12 WHERE id = $13 AND version = $14",
        params![
            new_version,
            recorded_at,
            i64::from(projection.stage),
            &projection.state,
            &projection.feedback_type,
            date_text(projection.received_on),
            &projection.assignee,
            projection.next_due_on.map(date_text),
            &projection.next_due_clock,
            due_key(projection.next_due_on),
            projection.is_open,
            projection.late_acknowledged_on.map(date_text),
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
/// version, then the events, then the messages queued with them. A second writer expecting the same version waits for the first's lock (the
/// write transaction's on SQLite, the case row's on PostgreSQL), then finds the version moved and changes
/// nothing.
pub(super) async fn append<B: SqlBackend>(
    backend: &B,
    case_id: &str,
    expected_version: i64,
    events: &[CaseEvent],
    recorded_at: &str,
    (projection, messages): (&Projection, &[crate::NewMessage]),
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
    super::outbox::insert_messages::<B::Db>(&mut tx, messages, B::rows_affected).await?;
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
