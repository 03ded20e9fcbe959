-- Staff sign-in sessions, representatives, and the late-acknowledgement projection for the dashboard.

ALTER TABLE complainants ADD COLUMN representative_name TEXT;
ALTER TABLE complainants ADD COLUMN representative_relationship TEXT;
ALTER TABLE complainants ADD COLUMN representative_consent BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX complainants_email ON complainants (lower(email));
CREATE INDEX complainants_name ON complainants (lower(name));

ALTER TABLE cases ADD COLUMN late_acknowledged_on TEXT COLLATE "C";
CREATE INDEX cases_late_acknowledged ON cases (late_acknowledged_on) WHERE late_acknowledged_on IS NOT NULL;

-- Only the hash of a session's secret is stored.
CREATE TABLE sessions (
    id_hash      TEXT COLLATE "C" PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf         TEXT NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    last_seen_at TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
