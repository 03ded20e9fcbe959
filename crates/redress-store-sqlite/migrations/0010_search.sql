-- Finding cases (issue 9). What is indexed is made by the application (`redress_store::search`): the
-- complainant's names, email, telephone, address and the summary as words, and exact keys (the postcode
-- without its space, the telephone's reversed digits). Nothing of it is stored but the index itself.
--
-- Each case has a stable number in the index: `doc`, an INTEGER PRIMARY KEY, so that VACUUM never renumbers
-- it (it would renumber the implicit rowid of `cases`). Search results come newest first in this order.
CREATE TABLE case_search (
    doc     INTEGER PRIMARY KEY,
    case_id TEXT    NOT NULL UNIQUE REFERENCES cases (id)
);

-- Contentless: the text is not kept twice. contentless_delete lets a case's entry be removed (erasure).
CREATE VIRTUAL TABLE case_search_text USING fts5 (
    words,
    keys,
    content = '',
    contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
