-- Documents attached to a case (photos, PDFs, emails): each attachment has its own id, the name it was
-- given (made safe), who attached it and when, and an optional description. The bytes are the `documents`
-- row's (content-addressed by SHA-256, kept on disk or in object storage), so the same file attached twice
-- is stored once. Each attachment is recorded on the case as a `document_added` event in the same write.
CREATE TABLE case_documents (
    id          TEXT COLLATE "C" PRIMARY KEY,
    case_id     TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    document_id TEXT COLLATE "C" NOT NULL REFERENCES documents (id),
    name        TEXT   NOT NULL,
    description TEXT,
    uploaded_by TEXT,
    uploaded_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id, uploaded_at);
