-- Redress on PostgreSQL. The same tables as on SQLite, so that the same codec reads both:
-- dates are 'YYYY-MM-DD' text and instants fixed-width UTC text, both written by the application, so
-- that they sort as text; flags are BOOLEAN; integers BIGINT. Columns that are sorted or compared by
-- range (ids, dates, the due key) use the "C" collation, so that they order byte by byte exactly as on
-- SQLite whatever the database's default collation is.
--
-- Every object is created unqualified, so it lands in the first schema of the search_path (`public` by
-- default; a schema of its own per test run).

CREATE TABLE policies (
    id           TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    toml         TEXT   NOT NULL,
    installed_at TEXT   NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE reference_counters (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- One row a case: its identity, the policy version it pins, and the projection of its current state,
-- rewritten in the same transaction as every append. `version` is the sequence number of its last event.
CREATE TABLE cases (
    id              TEXT COLLATE "C" PRIMARY KEY,
    reference       TEXT    NOT NULL,
    policy_id       TEXT    NOT NULL,
    policy_version  BIGINT  NOT NULL,
    summary         TEXT    NOT NULL,
    confidential    BOOLEAN NOT NULL,
    idempotency_key TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    version         BIGINT  NOT NULL,
    stage           BIGINT  NOT NULL,
    state           TEXT    NOT NULL,
    feedback_type   TEXT    NOT NULL,
    received_on     TEXT COLLATE "C" NOT NULL,
    assignee        TEXT,
    next_due_on     TEXT COLLATE "C",
    next_due_clock  TEXT,
    -- next_due_on, or '9999-12-31' when nothing is due: a total order for the due-date queue.
    due_key         TEXT COLLATE "C" NOT NULL,
    is_open         BOOLEAN NOT NULL,
    CONSTRAINT cases_reference_unique UNIQUE (reference),
    -- Named: the store tells a reused key (answered with the first case) from other unique violations.
    CONSTRAINT cases_idempotency_key_unique UNIQUE (idempotency_key)
);

-- Work queues walk open cases only (closed cases would otherwise be walked first).
CREATE INDEX cases_open_due ON cases (due_key, id) WHERE is_open;
CREATE INDEX cases_open_assignee_due ON cases (assignee, due_key, id) WHERE is_open;
CREATE INDEX cases_due ON cases (due_key, id);
CREATE INDEX cases_received ON cases (received_on, id);

-- Personal data, apart from the events so that it can be redacted without touching the log.
CREATE TABLE complainants (
    case_id TEXT COLLATE "C" PRIMARY KEY REFERENCES cases (id),
    name    TEXT,
    email   TEXT,
    phone   TEXT,
    address TEXT
);

-- The append-only event log. The primary key (case_id, seq) is the last line of defence against two
-- writers.
CREATE TABLE case_events (
    case_id     TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    seq         BIGINT NOT NULL,
    kind        TEXT   NOT NULL,
    payload     TEXT   NOT NULL,
    actor       TEXT,
    recorded_at TEXT   NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE FUNCTION case_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only (% refused)', TG_OP;
END;
$$;

-- Statement-level, so that an UPDATE or DELETE is refused even when it would touch no row, and so is
-- TRUNCATE (which row-level triggers never see).
CREATE TRIGGER case_events_no_update_or_delete BEFORE UPDATE OR DELETE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();

CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();

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
