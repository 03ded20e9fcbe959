-- Finding cases (issue 9). What is indexed is made by the application (`redress_store::search`): the
-- complainant's names, email, telephone, address and the summary as words (weight D, `english`), and
-- exact keys (weight A, `simple`: the postcode without its space, the telephone's reversed digits).
--
-- `doc` numbers cases in the order they were indexed; search results come newest first in this order.
CREATE TABLE case_search (
    doc      BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id  TEXT     NOT NULL UNIQUE REFERENCES cases (id),
    document TSVECTOR NOT NULL
);

-- Named as the SQLite full-text table is: the two are the same index in each dialect.
CREATE INDEX case_search_text ON case_search USING GIN (document);
