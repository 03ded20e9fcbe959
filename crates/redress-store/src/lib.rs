//! The storage port of Redress: one trait, [`Store`], implemented by `redress-store-sqlite` (the embedded
//! default) and `redress-store-postgres` (for scale), and one [`conformance`] suite that both pass. With
//! the `sql` feature, the `sql` module holds the SQL both backends share, written once, and implements
//! [`Store`] for each of them.
//!
//! What is stored:
//! - installed policies, as versioned rows of resolved TOML (a case pins the version it was received under);
//! - cases: an append-only event log, checked on append against the expected sequence number, plus a
//!   projection of each case's current state and next due date, written in the same transaction, indexed
//!   for the work queues;
//! - complainants' personal data, kept apart from the events so that it can be redacted without breaking
//!   the log;
//! - users and API tokens (hashed);
//! - failed sign-ins, briefly, for throttling: a key for the account (the web layer passes a hash of the
//!   lower-cased email, never the email), the client's address, and when. Rows are pruned once they are
//!   older than the longest throttling window.
#![forbid(unsafe_code)]

pub mod codec;
pub mod conformance;
pub mod documents;
pub mod outbox;
pub mod search;
#[cfg(feature = "sql")]
pub mod sql;
pub mod url;

pub use documents::DocumentStore;
pub use outbox::{MessageKind, MessageStatus, NewMessage, OutboxMessage};
pub use url::redact_url;

use std::fmt;

use jiff::civil::Date;
use redress_domain::access::Role;
use redress_domain::event::CaseEvent;
use redress_domain::letters::LetterKind;
use serde::{Deserialize, Serialize};

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row.
    #[error("not found")]
    NotFound,
    /// Someone else changed the case first (the expected sequence number is stale).
    #[error(
        "the case was changed by someone else: expected version {expected}, it is now at {actual}"
    )]
    Conflict {
        /// The version the writer expected.
        expected: i64,
        /// The version it is at.
        actual: i64,
    },
    /// A unique value is taken (e.g. an email address).
    #[error("{0} is already taken")]
    Duplicate(&'static str),
    /// Anything else: the database is unreachable, a row does not decode. Opaque to users; logged.
    #[error("storage failure: {0}")]
    Other(String),
}

impl StoreError {
    /// Wraps any error as [`StoreError::Other`].
    pub fn other(e: impl fmt::Display) -> StoreError {
        StoreError::Other(e.to_string())
    }
}

/// Result alias.
pub type StoreResult<T> = Result<T, StoreError>;

/// A complainant's personal data. Kept out of events and logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complainant {
    /// Name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// A representative acting for the complainant (advocate, relative, MP, councillor).
    pub representative_name: Option<String>,
    /// Their relationship to the complainant.
    pub representative_relationship: Option<String>,
    /// Whether the complainant's consent to the representative is recorded.
    pub representative_consent: bool,
}

/// The current state of a case, as the work queues need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    /// Current stage.
    pub stage: u8,
    /// State (`awaiting_acknowledgement`, `investigating`, …).
    pub state: String,
    /// Feedback type.
    pub feedback_type: String,
    /// Day received.
    pub received_on: Date,
    /// Assigned officer.
    pub assignee: Option<String>,
    /// The earliest unmet landlord duty.
    pub next_due_on: Option<Date>,
    /// Which clock that is.
    pub next_due_clock: Option<String>,
    /// Whether the case is open.
    pub is_open: bool,
    /// The day of the latest acknowledgement made after its due date, if any.
    pub late_acknowledged_on: Option<Date>,
}

/// A new case.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// UUIDv7.
    pub id: String,
    /// The year whose reference counter numbers it.
    pub reference_year: i16,
    /// The policy it is received under.
    pub policy_id: String,
    /// The policy version it pins.
    pub policy_version: i64,
    /// Personal data, if given.
    pub complainant: Option<Complainant>,
    /// The complaint in the complainant's words.
    pub summary: String,
    /// Restricted to managers, its author and its assignee.
    pub confidential: bool,
    /// The `received` event.
    pub received: CaseEvent,
    /// The step recorded with the receipt in the same write (the triage at intake), if any: event 2.
    pub triage: Option<CaseEvent>,
    /// The projection after them.
    pub projection: Projection,
    /// When it was recorded (UTC, RFC 3339).
    pub recorded_at: String,
    /// A client-chosen key, scoped to the caller who sent it: the same key from the same caller never
    /// creates two cases.
    pub idempotency: Option<IdempotencyKey>,
}

/// An idempotency key as stored with the case it created: the caller's key, scoped to that caller, with a
/// hash of the request so that a retry can be told from a different complaint sent under the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Who sent it: the principal's id (a user's or an API token's). Ids never contain `:`.
    pub scope: String,
    /// The key the caller chose.
    pub key: String,
    /// SHA-256 of the request (hex), as the caller of the store computes it.
    pub request_hash: String,
}

impl IdempotencyKey {
    /// The text stored in `cases.idempotency_key`: see [`scoped_key`].
    pub fn stored(&self) -> String {
        scoped_key(&self.scope, &self.key)
    }
}

/// The stored form of a key scoped to a caller: `SCOPE:KEY`. Scopes are principal ids, which never contain
/// `:`, so no two (scope, key) pairs share a stored form.
pub fn scoped_key(scope: &str, key: &str) -> String {
    format!("{scope}:{key}")
}

/// The case an idempotency key created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedCase {
    /// Its reference.
    pub reference: String,
    /// The hash of the request that created it; `None` for keys stored before requests were hashed.
    pub request_hash: Option<String>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// 1, 2, 3, … within the case.
    pub seq: i64,
    /// The event and who recorded it.
    pub event: CaseEvent,
    /// When it was recorded (UTC, RFC 3339).
    pub recorded_at: String,
}

/// A whole case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    /// UUIDv7.
    pub id: String,
    /// Human-readable reference, e.g. `CMP-2026-000042`.
    pub reference: String,
    /// Policy id.
    pub policy_id: String,
    /// Policy version.
    pub policy_version: i64,
    /// Personal data.
    pub complainant: Option<Complainant>,
    /// The complaint text.
    pub summary: String,
    /// Confidential.
    pub confidential: bool,
    /// The events, in order.
    pub events: Vec<StoredEvent>,
    /// Current projection.
    pub projection: Projection,
}

impl CaseRecord {
    /// The last event's sequence number: the version a writer must expect.
    pub fn version(&self) -> i64 {
        self.events.last().map_or(0, |e| e.seq)
    }
}

/// One row of a work queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    /// UUIDv7.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Policy id.
    pub policy_id: String,
    /// Policy version.
    pub policy_version: i64,
    /// The complainant's name, if any.
    pub complainant_name: Option<String>,
    /// Confidential.
    pub confidential: bool,
    /// Current projection.
    pub projection: Projection,
}

/// How to order a list of cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest received first.
    #[default]
    Received,
    /// Earliest next due date first (cases with no due date last).
    Due,
    /// Most recently indexed (logged or imported) first: the order of search results
    /// ([`CaseFilter::search`]). Not an order the API's `sort` accepts.
    Newest,
}

impl Sort {
    /// The wire name (`received`, `due`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Received => "received",
            Sort::Due => "due",
            Sort::Newest => "newest",
        }
    }
}

/// Filters for listing cases. Every filter narrows; none given lists everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Exact state.
    pub state: Option<String>,
    /// Exact stage.
    pub stage: Option<u8>,
    /// Policy id.
    pub policy: Option<String>,
    /// Assigned officer.
    pub assignee: Option<String>,
    /// Only open cases.
    pub open_only: bool,
    /// Open cases whose next duty falls on or before this day.
    pub due_on_or_before: Option<Date>,
    /// Open cases whose next duty fell before this day (overdue as of it).
    pub overdue_as_of: Option<Date>,
    /// Received on or after.
    pub received_from: Option<Date>,
    /// Received on or before.
    pub received_to: Option<Date>,
    /// Include confidential cases.
    pub include_confidential: bool,
    /// Without `include_confidential`: include the confidential cases of this principal id anyway, those it
    /// logged (the `by` of the received event) and those it is assigned to now.
    pub confidential_for: Option<String>,
    /// Order.
    pub sort: Sort,
    /// Continue after this cursor (from a previous page). The store takes a cursor made under another
    /// sort as it comes (its key is then of the wrong kind): callers refuse one, as the API does.
    pub after: Option<Cursor>,
    /// Page size (1–200).
    pub limit: u32,
    /// Only the cases this search matches (see [`search`]). A search lists its cases in
    /// [`Sort::Newest`] order whatever `sort` says, and pages with cursors of that order.
    pub search: Option<search::SearchQuery>,
}

/// Where a page ended: the order it was made under, and the sort key and id of its last row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The order of the list it continues.
    pub sort: Sort,
    /// The sort key of the last row (a date, or `9999-12-31` for no due date; for [`Sort::Newest`], the
    /// row's number in the search index).
    pub key: String,
    /// The id of the last row.
    pub id: String,
}

impl Cursor {
    /// The opaque text form clients pass back: `r~KEY~ID` (received), `d~KEY~ID` (due) or `n~KEY~ID`
    /// (newest, a search's).
    pub fn encode(&self) -> String {
        let sort = match self.sort {
            Sort::Received => "r",
            Sort::Due => "d",
            Sort::Newest => "n",
        };
        format!("{sort}~{}~{}", self.key, self.id)
    }

    /// Parses the text form; `None` when it was not made by [`Cursor::encode`].
    pub fn decode(s: &str) -> Option<Cursor> {
        let (sort, rest) = s.split_once('~')?;
        let sort = match sort {
            "r" => Sort::Received,
            "d" => Sort::Due,
            "n" => Sort::Newest,
            _ => return None,
        };
        let (key, id) = rest.split_once('~')?;
        let valid_key = match sort {
            Sort::Newest => {
                (1..=18).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_digit())
            }
            _ => key.len() == 10 && key.parse::<Date>().is_ok(),
        };
        let valid_id = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        (valid_key && valid_id).then(|| Cursor {
            sort,
            key: key.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// A page of cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The rows.
    pub items: Vec<CaseSummary>,
    /// The cursor for the next page, if there may be one.
    pub next: Option<Cursor>,
}

impl Page {
    /// A page from rows fetched with `LIMIT limit + 1`: the extra row, if any, says there is a next page,
    /// whose cursor is the last row kept.
    pub fn from_rows(items: Vec<CaseSummary>, limit: usize, sort: Sort) -> Page {
        let keyed = items
            .into_iter()
            .map(|item| {
                let key = match sort {
                    // A list that is not a search is never in `Newest` order: it falls back to received.
                    Sort::Received | Sort::Newest => codec::date_text(item.projection.received_on),
                    Sort::Due => codec::due_key(item.projection.next_due_on),
                };
                (item, key)
            })
            .collect();
        Page::from_keyed_rows(keyed, limit, sort)
    }

    /// As [`Page::from_rows`], each row with its sort key as the cursor carries it.
    pub fn from_keyed_rows(mut rows: Vec<(CaseSummary, String)>, limit: usize, sort: Sort) -> Page {
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|(last, key)| Cursor {
                sort,
                key: key.clone(),
                id: last.id.clone(),
            })
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(|(item, _)| item).collect(),
            next,
        }
    }
}

/// An installed policy version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRecord {
    /// Policy id.
    pub id: String,
    /// 1, 2, 3, …
    pub version: i64,
    /// Display name.
    pub name: String,
    /// The resolved policy TOML.
    pub toml: String,
    /// When installed.
    pub installed_at: String,
}

/// A staff user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// UUID.
    pub id: String,
    /// Email (unique, lower-case).
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// An API token (only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// UUID.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// When it stops working (UTC text); `None` never.
    pub expires_at: Option<String>,
    /// When it last authenticated a request (UTC text, recorded at most about once a minute).
    pub last_used_at: Option<String>,
    /// When it was revoked (UTC text); a revoked token never works again.
    pub revoked_at: Option<String>,
}

impl ApiToken {
    /// Whether the token may authenticate a request at `now` (UTC text as [`now_utc`] writes it): not
    /// revoked, and not expired (a token stops working at its expiry instant).
    pub fn is_usable_at(&self, now: &str) -> bool {
        self.revoked_at.is_none() && self.expires_at.as_deref().is_none_or(|e| now < e)
    }
}

/// An API token as `redress token list` shows it: everything but its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSummary {
    /// UUID.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When created (UTC text).
    pub created_at: String,
    /// When it last authenticated a request (UTC text).
    pub last_used_at: Option<String>,
    /// When it stops working (UTC text); `None` never.
    pub expires_at: Option<String>,
    /// When it was revoked (UTC text).
    pub revoked_at: Option<String>,
}

/// A signed-in browser session (the secret itself is never stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie's secret, hex.
    pub id_hash: String,
    /// The user.
    pub user_id: String,
    /// The session's CSRF token, put in every form.
    pub csrf: String,
    /// When created (UTC text).
    pub created_at: String,
    /// Last request (UTC text).
    pub last_seen_at: String,
    /// When it ends unless used again (UTC text).
    pub expires_at: String,
}

/// The counts at the top of a work queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    /// Open cases.
    pub open: i64,
    /// Open cases with a duty due from today to the end of the week.
    pub due_this_week: i64,
    /// Open cases with a duty overdue.
    pub overdue: i64,
    /// Cases acknowledged late this month.
    pub acknowledged_late_this_month: i64,
}

/// Which failed sign-ins to count: those against one account, those from one client address, or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInScope<'a> {
    /// Failures against this account key (as given to [`Store::record_sign_in_failure`]).
    Account(&'a str),
    /// Failures from this client address.
    Address(&'a str),
    /// Every failure.
    Overall,
}

/// Where a letter is in its life: a draft, built again from the case whenever it is read, or issued as a
/// document and immutable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterStatus {
    /// Not yet issued.
    Draft,
    /// Issued: its document is the letter.
    Issued,
}

impl LetterStatus {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            LetterStatus::Draft => "draft",
            LetterStatus::Issued => "issued",
        }
    }

    /// The status with this name.
    pub fn parse(name: &str) -> Option<LetterStatus> {
        match name {
            "draft" => Some(LetterStatus::Draft),
            "issued" => Some(LetterStatus::Issued),
            _ => None,
        }
    }
}

/// A new draft letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLetter {
    /// UUIDv7.
    pub id: String,
    /// The case it is to.
    pub case_id: String,
    /// Its kind.
    pub kind: LetterKind,
    /// The stage it is about.
    pub stage: u8,
    /// The officer's own paragraphs.
    pub paragraphs: Vec<String>,
    /// The step it records when issued (see [`LetterRecord::step`]).
    pub step: Option<redress_domain::event::Event>,
    /// When drafted (UTC text).
    pub created_at: String,
    /// Who drafted it (a principal id).
    pub created_by: Option<String>,
}

/// A stored document's description (its bytes are in a [`DocumentStore`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentRecord {
    /// The SHA-256 of its bytes, lower-case hex.
    pub id: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its file name.
    pub name: String,
    /// When first stored (UTC text).
    pub created_at: String,
}

/// A letter as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRecord {
    /// UUIDv7.
    pub id: String,
    /// The case it is to.
    pub case_id: String,
    /// The case's reference.
    pub reference: String,
    /// Its kind.
    pub kind: LetterKind,
    /// The stage it is about.
    pub stage: u8,
    /// Draft or issued.
    pub status: LetterStatus,
    /// The officer's own paragraphs.
    pub paragraphs: Vec<String>,
    /// The step the letter records when it is issued (an extension letter's extension, a response letter's
    /// response), dated again the day it is issued; none when the step is recorded on the case already.
    pub step: Option<redress_domain::event::Event>,
    /// When drafted (UTC text).
    pub created_at: String,
    /// Who drafted it.
    pub created_by: Option<String>,
    /// When issued (UTC text).
    pub issued_at: Option<String>,
    /// How it was sent (`email`, `post`), once issued.
    pub channel: Option<String>,
    /// The document it was issued as.
    pub document: Option<DocumentRecord>,
}

/// Issuing a letter: the letter's status, its document and the `letter_issued` event on its case, written
/// together.
#[derive(Debug, Clone)]
pub struct LetterIssue {
    /// The letter.
    pub letter_id: String,
    /// Its case.
    pub case_id: String,
    /// The case version the issuer read.
    pub expected_version: i64,
    /// The step the letter records (its extension or response), written before its `letter_issued`.
    pub step: Option<CaseEvent>,
    /// The `letter_issued` event.
    pub event: CaseEvent,
    /// The case's projection after it.
    pub projection: Projection,
    /// How it is sent (`email`, `post`).
    pub channel: String,
    /// The document it is issued as (already in the [`DocumentStore`]).
    pub document: DocumentRecord,
    /// When (UTC text).
    pub recorded_at: String,
    /// The emails carrying it (to the complainant, a copy to their representative), queued in the same
    /// transaction; none when it goes by post.
    pub messages: Vec<NewMessage>,
}

/// A document attached to a case, as stored: the attachment (its own id, name, who and when) with the
/// bytes' description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDocumentRecord {
    /// The attachment's id (UUIDv7).
    pub id: String,
    /// The case it is attached to.
    pub case_id: String,
    /// The case's reference.
    pub reference: String,
    /// The bytes' description: `id` is their SHA-256.
    pub document: DocumentRecord,
    /// The name it was attached under (made safe).
    pub name: String,
    /// What it is, in the uploader's words.
    pub description: Option<String>,
    /// Who attached it (a principal id).
    pub uploaded_by: Option<String>,
    /// When (UTC text).
    pub uploaded_at: String,
}

/// Attaching a document to a case: the attachment, the bytes' description and the `document_added` event
/// on its case, written together.
#[derive(Debug, Clone)]
pub struct CaseDocumentAdd {
    /// The attachment's id (UUIDv7), named in the event.
    pub id: String,
    /// Its case.
    pub case_id: String,
    /// The case version the uploader read.
    pub expected_version: i64,
    /// The `document_added` event.
    pub event: CaseEvent,
    /// The case's projection after it.
    pub projection: Projection,
    /// The bytes' description (the bytes already in the [`DocumentStore`]).
    pub document: DocumentRecord,
    /// The name it is attached under.
    pub name: String,
    /// What it is, in the uploader's words.
    pub description: Option<String>,
    /// Who attached it (a principal id).
    pub uploaded_by: Option<String>,
    /// When (UTC text).
    pub recorded_at: String,
}

/// The storage port. Every method is one transaction.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend, for logs and health checks.
    fn backend(&self) -> &'static str;

    /// Runs this backend's migrations.
    async fn migrate(&self) -> StoreResult<()>;

    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Installs a policy version: `version` is the previous highest plus one. Returns the record.
    async fn install_policy(
        &self,
        id: &str,
        name: &str,
        toml: &str,
        installed_at: &str,
    ) -> StoreResult<PolicyRecord>;

    /// The latest version of a policy, or a given version.
    async fn policy(&self, id: &str, version: Option<i64>) -> StoreResult<PolicyRecord>;

    /// The latest version of every policy, by id.
    async fn policies(&self) -> StoreResult<Vec<PolicyRecord>>;

    /// Creates a case with its `received` event and projection; returns its reference. With an idempotency
    /// key already used by the same caller (scope), returns the existing case's reference and creates
    /// nothing, whatever its request hash: the caller compares them (see [`Store::reference_for_key`]).
    async fn create_case(&self, case: NewCase) -> StoreResult<(String, bool)>;

    /// Imports whole cases in one transaction: for bringing history over from another system, and for the
    /// load generator (`redress generate`). Each case is a [`NewCase`], whose `received` event becomes
    /// event 1 recorded at its `recorded_at`, followed by the rest of its events in order, which must be
    /// numbered 2, 3, …; its `projection` is the one after the last event, and its version is its number
    /// of events. References come from the same per-year counters as [`Store::create_case`] (each year's
    /// counter moves once, by the number of that year's cases), numbered in the order given, and are
    /// returned in that order. Idempotency keys are stored, not consulted: a case id or key already taken
    /// is a [`StoreError::Duplicate`], and then nothing of the batch is written.
    async fn import_cases(
        &self,
        cases: Vec<(NewCase, Vec<StoredEvent>)>,
    ) -> StoreResult<Vec<String>>;

    /// A case by reference.
    async fn case_by_reference(&self, reference: &str) -> StoreResult<CaseRecord>;

    /// Appends events to a case whose version is `expected_version`, and replaces its projection, in one
    /// transaction. A stale version is a [`StoreError::Conflict`] and writes nothing. Returns the new version.
    async fn append(
        &self,
        case_id: &str,
        expected_version: i64,
        events: &[CaseEvent],
        recorded_at: &str,
        projection: &Projection,
    ) -> StoreResult<i64>;

    /// [`Store::append`], queueing `messages` in the same transaction (a notification of the step): a
    /// refused append queues nothing.
    async fn append_with_messages(
        &self,
        case_id: &str,
        expected_version: i64,
        events: &[CaseEvent],
        recorded_at: &str,
        projection_and_messages: (&Projection, &[NewMessage]),
    ) -> StoreResult<i64>;

    /// Lists cases.
    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<Page>;

    /// Number of cases (all states).
    async fn count_cases(&self) -> StoreResult<i64>;

    /// How many cases a filter (with or without a search) matches, counting no further than `cap + 1`, so
    /// that a page can say "more than `cap`" without counting a million rows. Ignores the cursor and limit.
    async fn count_matching(&self, filter: &CaseFilter, cap: u32) -> StoreResult<u64>;

    /// Creates a user.
    async fn create_user(&self, user: &User, created_at: &str) -> StoreResult<()>;

    /// A user by email (case-insensitive).
    async fn user_by_email(&self, email: &str) -> StoreResult<User>;

    /// Number of users.
    async fn count_users(&self) -> StoreResult<i64>;

    /// Stores a token.
    async fn create_token(&self, token: &ApiToken, created_at: &str) -> StoreResult<()>;

    /// A token by the hash of its secret, whether or not it is still usable (see
    /// [`ApiToken::is_usable_at`]).
    async fn token_by_hash(&self, token_hash: &str) -> StoreResult<ApiToken>;

    /// Every token, revoked and expired ones too, oldest first (then by name).
    async fn list_tokens(&self) -> StoreResult<Vec<TokenSummary>>;

    /// Revokes, as of `revoked_at`, every token named exactly `name` that is not revoked yet, and returns
    /// how many it revoked (0 when all were revoked already; an earlier revocation time is kept). No token
    /// of that name at all is [`StoreError::NotFound`].
    async fn revoke_tokens_by_name(&self, name: &str, revoked_at: &str) -> StoreResult<u64>;

    /// Records that a token authenticated a request at `used_at`. Never moves the time backwards; a token
    /// that no longer exists is not an error.
    async fn touch_token(&self, id: &str, used_at: &str) -> StoreResult<()>;

    /// Refreshes the planner's statistics after a bulk import (the generator, a migration from another
    /// system), so that the work queues keep using their indexes.
    async fn after_bulk_load(&self) -> StoreResult<()>;

    /// A user by id.
    async fn user_by_id(&self, id: &str) -> StoreResult<User>;

    /// Every user, by name.
    async fn users(&self) -> StoreResult<Vec<User>>;

    /// The case created with this idempotency key by this caller (`scope`, a principal id), if any: the
    /// same key from another caller is another key.
    async fn reference_for_key(
        &self,
        scope: &str,
        idempotency_key: &str,
    ) -> StoreResult<Option<KeyedCase>>;

    /// Stores a new session.
    async fn create_session(&self, session: &Session) -> StoreResult<()>;

    /// A session that has not expired by `now`, with its user.
    async fn session(&self, id_hash: &str, now: &str) -> StoreResult<(Session, User)>;

    /// Records use of a session, moving its expiry.
    async fn touch_session(
        &self,
        id_hash: &str,
        last_seen_at: &str,
        expires_at: &str,
    ) -> StoreResult<()>;

    /// Ends a session (sign-out). Ending one that does not exist is not an error.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    /// Records a failed sign-in at `at` (UTC text as [`now_utc`] writes it). `account` is an opaque key for
    /// the account tried (whether or not it exists), `address` the client's address; the store compares both
    /// exactly.
    async fn record_sign_in_failure(
        &self,
        account: &str,
        address: &str,
        at: &str,
    ) -> StoreResult<()>;

    /// The instants of the newest failed sign-ins in `scope` recorded at or after `since`, newest first, at
    /// most `limit` of them: as many as there are, up to the limit a throttle needs to know was reached, and
    /// with it the `limit`-th newest, whose leaving the window brings the count below the limit.
    async fn recent_sign_in_failures(
        &self,
        scope: SignInScope<'_>,
        since: &str,
        limit: u32,
    ) -> StoreResult<Vec<String>>;

    /// Forgets every failed sign-in against `account` (after it signed in). Returns how many it forgot.
    async fn clear_sign_in_failures(&self, account: &str) -> StoreResult<u64>;

    /// Forgets every failed sign-in recorded before `before`. Returns how many it forgot.
    async fn prune_sign_in_failures(&self, before: &str) -> StoreResult<u64>;

    /// References of open cases whose complainant has this email address or exactly this name
    /// (case-insensitive): the duplicate warning when logging a complaint.
    async fn open_cases_of(
        &self,
        email: Option<&str>,
        name: Option<&str>,
    ) -> StoreResult<Vec<String>>;

    /// The counts at the top of a work queue, as of `today`; `week_end` is the last day of this week and
    /// `month_start` the first of this month.
    async fn queue_counts(
        &self,
        today: Date,
        week_end: Date,
        month_start: Date,
        include_confidential: bool,
        assignee: Option<&str>,
    ) -> StoreResult<QueueCounts>;

    /// Stores a draft letter. A case that does not exist is [`StoreError::NotFound`].
    async fn create_letter(&self, letter: &NewLetter) -> StoreResult<()>;

    /// A letter by id, with its case's reference and, once issued, its document.
    async fn letter(&self, id: &str) -> StoreResult<LetterRecord>;

    /// Issues a draft letter in one transaction: the case moves from `expected_version` with the event
    /// appended and its projection replaced (a stale version is a [`StoreError::Conflict`]), the document
    /// row is stored (the same bytes stored before are the same row), and the letter becomes issued with
    /// its channel and document. A letter already issued (or not a draft of that case) is
    /// [`StoreError::Duplicate`]; in every refusal nothing is written. Returns the case's new version.
    async fn issue_letter(&self, issue: &LetterIssue) -> StoreResult<i64>;

    /// A case's letters, drafts and issued, newest first.
    async fn letters_of_case(&self, case_id: &str) -> StoreResult<Vec<LetterRecord>>;

    /// Queues messages in one transaction. A message whose `dedupe_key` is taken already is skipped;
    /// returns how many were queued.
    async fn queue_messages(&self, messages: &[NewMessage]) -> StoreResult<u64>;

    /// Claims up to `limit` queued messages due by `now` for one worker: each becomes `sending`, held
    /// until `lease_until`, its attempts counted, before it is returned. Two workers (on PostgreSQL, two
    /// instances) never claim the same message.
    async fn claim_messages(
        &self,
        now: &str,
        lease_until: &str,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// Records that the server took a message this worker holds (`sending`). Returns false when it was no
    /// longer `sending`.
    async fn message_sent(&self, id: &str, sent_at: &str) -> StoreResult<bool>;

    /// Puts a `sending` message back in the queue for `next_attempt_at` after a failure where the server
    /// clearly did not take it, keeping its answer. Returns false when it was no longer `sending`.
    async fn message_deferred(
        &self,
        id: &str,
        error: &str,
        next_attempt_at: &str,
    ) -> StoreResult<bool>;

    /// Fails a `sending` message with the server's answer or the reason. Returns false when it was no
    /// longer `sending`.
    async fn message_failed(&self, id: &str, error: &str) -> StoreResult<bool>;

    /// Fails every message still `sending` whose lease ran out before `now` (the process holding it
    /// stopped mid-send) with [`outbox::ABANDONED_SEND`]: it may have reached the server, so it is never
    /// sent again by itself. Returns how many.
    async fn fail_abandoned_sends(&self, now: &str) -> StoreResult<u64>;

    /// The messages about a case, oldest first.
    async fn case_messages(&self, case_id: &str) -> StoreResult<Vec<OutboxMessage>>;

    /// A message by id.
    async fn message(&self, id: &str) -> StoreResult<OutboxMessage>;

    /// Puts a `failed` message back in the queue to be sent at once (a person decided to send it again),
    /// its attempts counted afresh. Returns false when it is not `failed`; a message that does not exist
    /// is [`StoreError::NotFound`].
    async fn retry_message(&self, id: &str, now: &str) -> StoreResult<bool>;

    /// Attaches a document to a case in one transaction: the case moves from `expected_version` with the
    /// `document_added` event appended and its projection replaced (a stale version is a
    /// [`StoreError::Conflict`] and writes nothing), the bytes' row is stored (the same bytes stored
    /// before are the same row) and the attachment row added. Returns the case's new version.
    async fn add_case_document(&self, add: &CaseDocumentAdd) -> StoreResult<i64>;

    /// An attachment by its id, with its case's reference; [`StoreError::NotFound`] when there is none.
    async fn case_document(&self, id: &str) -> StoreResult<CaseDocumentRecord>;

    /// The documents attached to a case, oldest first.
    async fn case_documents(&self, case_id: &str) -> StoreResult<Vec<CaseDocumentRecord>>;
}

/// The reference of the `n`th case of a year: `CMP-2026-000042`.
pub fn format_reference(year: i16, n: i64) -> String {
    format!("CMP-{year}-{n:06}")
}

/// UTC now as fixed-width RFC 3339 with microseconds (sorts as text).
pub fn now_utc() -> String {
    utc_text(jiff::Timestamp::now())
}

/// An instant as fixed-width RFC 3339 UTC text with microseconds, the form every stored instant takes.
pub fn utc_text(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A new UUIDv7 as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires_at: Option<&str>, revoked_at: Option<&str>) -> ApiToken {
        ApiToken {
            id: "t".into(),
            name: "n".into(),
            role: Role::Viewer,
            token_hash: "a".repeat(64),
            expires_at: expires_at.map(Into::into),
            last_used_at: None,
            revoked_at: revoked_at.map(Into::into),
        }
    }

    #[test]
    fn tokens_stop_working_at_their_expiry_and_when_revoked() {
        let now = "2026-01-05T10:00:00.000000Z";
        assert!(token(None, None).is_usable_at(now));
        assert!(token(Some("2026-01-05T10:00:00.000001Z"), None).is_usable_at(now));
        assert!(
            !token(Some(now), None).is_usable_at(now),
            "expired at the instant"
        );
        assert!(!token(Some("2026-01-04T10:00:00.000000Z"), None).is_usable_at(now));
        assert!(!token(None, Some("2026-01-05T09:00:00.000000Z")).is_usable_at(now));
        assert!(
            !token(Some("2027-01-01T00:00:00.000000Z"), Some(now)).is_usable_at(now),
            "revoked before it expired"
        );
    }

    #[test]
    fn cursors_carry_their_sort_and_refuse_other_text() {
        for sort in [Sort::Received, Sort::Due] {
            let c = Cursor {
                sort,
                key: "2026-05-04".into(),
                id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            };
            assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }
        // The form before cursors carried their order, other tags, and damaged keys are not cursors.
        for text in [
            "2026-05-04~0190a1b2",
            "x~2026-05-04~0190a1b2",
            "d~2026-02-30~0190a1b2",
            "r~2026-05-04~",
            "r~2026-05-04~not hex",
        ] {
            assert_eq!(Cursor::decode(text), None, "{text}");
        }
    }

    #[test]
    fn instants_are_fixed_width_utc_text() {
        let ts: jiff::Timestamp = "2026-01-05T10:00:00Z".parse().unwrap();
        assert_eq!(utc_text(ts), "2026-01-05T10:00:00.000000Z");
        assert_eq!(now_utc().len(), 27);
    }
}
