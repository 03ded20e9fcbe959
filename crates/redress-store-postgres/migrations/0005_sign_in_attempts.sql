-- Failed sign-ins, kept for throttling so that the count survives a restart and holds across instances.
-- Personal data is kept to a minimum and briefly: `account` is a hash of the lower-cased email tried (written
-- by the application, never the email itself), `address` the client's address (an IPv6 address cut to its
-- /64), `at` fixed-width UTC text in the "C" collation so that it compares as the instant it spells. The
-- application deletes an account's rows when it signs in, and every row once it is older than the longest
-- throttling window.

CREATE TABLE sign_in_failures (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account TEXT COLLATE "C" NOT NULL,
    address TEXT COLLATE "C" NOT NULL,
    at      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
