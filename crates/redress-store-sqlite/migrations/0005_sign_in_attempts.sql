-- Failed sign-ins, kept for throttling so that the count survives a restart. Personal data is kept to a
-- minimum and briefly: `account` is a hash of the lower-cased email tried (written by the application, never
-- the email itself), `address` the client's address (an IPv6 address cut to its /64), `at` fixed-width UTC
-- text. The application deletes an account's rows when it signs in, and every row once it is older than the
-- longest throttling window.

CREATE TABLE sign_in_failures (
    id      INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
