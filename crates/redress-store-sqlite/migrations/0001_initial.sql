-- Redress on SQLite. Dates are 'YYYY-MM-DD' text and instants fixed-width UTC text, both written by the
-- application, so that they sort as text. Flags are INTEGER 0/1.

CREATE TABLE policies (
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    toml         TEXT    NOT NULL,
    installed_at TEXT    NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- One row a case: its identity, the policy version it pins, and the projection of its current state,
-- rewritten in the same transaction as every append. `version` is the sequence number of its last event.
CREATE TABLE cases (
    id              TEXT    PRIMARY KEY,
    reference       TEXT    NOT NULL UNIQUE,
    policy_id       TEXT    NOT NULL,
    policy_version  INTEGER NOT NULL,
    summary         TEXT    NOT NULL,
    confidential    INTEGER NOT NULL,
    idempotency_key TEXT    UNIQUE,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    stage           INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    feedback_type   TEXT    NOT NULL,
    received_on     TEXT    NOT NULL,
    assignee        TEXT,
    next_due_on     TEXT,
    next_due_clock  TEXT,
    -- next_due_on, or '9999-12-31' when nothing is due: a total order for the due-date queue.
    due_key         TEXT    NOT NULL,
    is_open         INTEGER NOT NULL
);

-- Work queues walk open cases only (closed cases would otherwise be walked first).
CREATE INDEX cases_open_due ON cases (due_key, id) WHERE is_open = 1;
CREATE INDEX cases_open_assignee_due ON cases (assignee, due_key, id) WHERE is_open = 1;
CREATE INDEX cases_due ON cases (due_key, id);
CREATE INDEX cases_received ON cases (received_on, id);

-- Personal data, apart from the events so that it can be redacted without touching the log.
CREATE TABLE complainants (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    name    TEXT,
    email   TEXT,
    phone   TEXT,
    address TEXT
);

-- The append-only event log. UNIQUE(case_id, seq) is the last line of defence against two writers.
CREATE TABLE case_events (
    case_id     TEXT    NOT NULL REFERENCES cases (id),
    seq         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    actor       TEXT,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
