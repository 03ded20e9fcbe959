-- API tokens can expire and be revoked, and record when they last authenticated a request. All three are
-- fixed-width UTC text written by the application (NULL: never expires, never used, not revoked), in the
-- "C" collation so that they compare as the instants they spell.

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT COLLATE "C";
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT COLLATE "C";
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT COLLATE "C";
-- `redress token revoke NAME` finds tokens by name.
CREATE INDEX api_tokens_name ON api_tokens (name);
