-- The outbox: every email the service sends (a letter issued by email, a copy to a representative, a staff
-- notification) is a row here, written in the same transaction as the event it belongs to, and sent by a
-- background worker. `status` is `queued` (waiting until `next_attempt_at`), `sending` (claimed by a worker
-- until `lease_until`, recorded before the SMTP transaction starts; workers claim with FOR UPDATE SKIP
-- LOCKED, so two instances never take the same row), `sent`, or `failed` (with the server's answer, or the
-- reason, in `last_error`). `message_id` is the Message-ID header, fixed when queued, so a copy sent again
-- can be recognised. `dedupe_key`, when given, makes queueing idempotent (a daily digest). `recipient`,
-- `subject` and `body` are personal data. Instants are fixed-width UTC text in the "C" collation.
CREATE TABLE outbox (
    id              TEXT COLLATE "C" PRIMARY KEY,
    case_id         TEXT COLLATE "C" REFERENCES cases (id),
    reference       TEXT COLLATE "C",
    letter_id       TEXT COLLATE "C" REFERENCES letters (id),
    kind            TEXT   NOT NULL,
    message_id      TEXT   NOT NULL UNIQUE,
    recipient       TEXT   NOT NULL,
    subject         TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    attachment_id   TEXT COLLATE "C" REFERENCES documents (id),
    attachment_name TEXT,
    status          TEXT COLLATE "C" NOT NULL,
    attempts        BIGINT NOT NULL,
    last_error      TEXT,
    queued_at       TEXT COLLATE "C" NOT NULL,
    next_attempt_at TEXT COLLATE "C" NOT NULL,
    lease_until     TEXT COLLATE "C",
    sent_at         TEXT COLLATE "C",
    dedupe_key      TEXT COLLATE "C" UNIQUE
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_case ON outbox (case_id, queued_at);
