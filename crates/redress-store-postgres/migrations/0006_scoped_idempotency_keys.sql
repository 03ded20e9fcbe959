-- Idempotency keys belong to the caller who sent them: `cases.idempotency_key` now holds `SCOPE:KEY`, where
-- the scope is the principal id (a user's or an API token's, never containing ':') that logged the case,
-- and `idempotency_hash` the SHA-256 (hex) of the request that created it, so that a key reused for a
-- different complaint is refused. Keys stored before this are scoped to the `by` of their case's received
-- event, with no hash (a retry under one is answered with its case, as before); a key whose case has no
-- recorded author is dropped. Two steps (clear, then set), so that no row's new key meets another's old one
-- (the unique constraint is checked row by row).

ALTER TABLE cases ADD COLUMN idempotency_hash TEXT;

CREATE TEMP TABLE scoped_idempotency_keys AS
    SELECT c.id AS case_id, e.actor || ':' || c.idempotency_key AS scoped
    FROM cases c JOIN case_events e ON e.case_id = c.id AND e.seq = 1
    WHERE c.idempotency_key IS NOT NULL AND e.actor IS NOT NULL;

UPDATE cases SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL;

UPDATE cases c SET idempotency_key = s.scoped
FROM scoped_idempotency_keys s WHERE s.case_id = c.id;

DROP TABLE scoped_idempotency_keys;
