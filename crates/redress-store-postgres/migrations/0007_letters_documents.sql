-- Letters to the resident and the documents they are issued as.
--
-- A document is content-addressed: its id is the SHA-256 of its bytes (lower-case hex), which are kept on
-- disk (or in object storage) under that name, never in the database. The same bytes are one document.
CREATE TABLE documents (
    id           TEXT COLLATE "C" PRIMARY KEY,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL
);

-- A letter is drafted from its case (the content is built again from the case whenever it is read, so a
-- draft follows the case) with the officer's own paragraphs (a JSON array of text); once issued it is the
-- document named here, immutable. `status` is `draft` or `issued`.
CREATE TABLE letters (
    id          TEXT COLLATE "C" PRIMARY KEY,
    case_id     TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    kind        TEXT   NOT NULL,
    stage       BIGINT NOT NULL,
    status      TEXT   NOT NULL,
    paragraphs  TEXT   NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    created_by  TEXT,
    issued_at   TEXT COLLATE "C",
    channel     TEXT,
    document_id TEXT COLLATE "C" REFERENCES documents (id)
);
CREATE INDEX letters_case ON letters (case_id, created_at);
