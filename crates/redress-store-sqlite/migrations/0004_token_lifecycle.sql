-- API tokens can expire and be revoked, and record when they last authenticated a request. All three are
-- fixed-width UTC text written by the application (NULL: never expires, never used, not revoked).

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
-- `redress token revoke NAME` finds tokens by name.
CREATE INDEX api_tokens_name ON api_tokens (name);
