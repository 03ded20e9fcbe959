//! Finding cases: the search index's upkeep and its queries, for every [`SqlBackend`].
//!
//! A search lists the cases it matches newest first in the index's own order (`case_search.doc`, the order
//! cases were indexed in), which each backend can walk from the newest end and stop after a page: FTS5
//! reads its doclists in rowid order, PostgreSQL walks the primary key and checks each document, or, for
//! a rare word, reads the GIN index and sorts the few rows. Relevance ranking would need every match
//! scored before the first row could be returned; newest first is what a case worker looks for, and it
//! pages with a plain keyset cursor.

use super::rows::*;
use super::store::{Clauses, SUMMARY_COLUMNS, filter_clauses};
use super::*;
use crate::search::{SearchDocument, SearchQuery};

/// The search documents of new cases, in the order given.
pub fn documents_of(cases: &[(NewCase, Vec<StoredEvent>)]) -> Vec<SearchDocument> {
    cases
        .iter()
        .map(|(case, _)| SearchDocument::of(&case.id, &case.summary, case.complainant.as_ref()))
        .collect()
}

/// Cases a backfill pass reads and indexes in one transaction.
const BACKFILL_BATCH: i64 = 2000;

/// Indexes every case the index lacks (those stored before migration 0010), oldest id first, a batch a
/// transaction. On a database whose cases are all indexed this is two counts.
pub(super) async fn index_missing<B: SqlBackend>(backend: &B) -> StoreResult<()> {
    // Cases are never deleted: as many entries as cases means none is missing (two counts, not a walk).
    let counts = fetch_one(
        B::Db::on_pool(backend.reader()),
        "SELECT (SELECT COUNT(*) FROM cases) - (SELECT COUNT(*) FROM case_search) AS missing",
        Vec::new(),
    )
    .await?;
    if B::Db::int(&counts, "missing")? == 0 {
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let mut tx = backend.begin_write().await?;
        let rows = fetch_all(
            B::Db::on(&mut tx),
            "SELECT c.id, c.summary, p.case_id AS has_complainant, p.name, p.email, p.phone, p.address, \
             p.representative_name, p.representative_relationship, p.representative_consent \
             FROM cases c LEFT JOIN complainants p ON p.case_id = c.id \
             WHERE c.id > $1 AND NOT EXISTS (SELECT 1 FROM case_search s WHERE s.case_id = c.id) \
             ORDER BY c.id LIMIT $2",
            params![&after, BACKFILL_BATCH],
        )
        .await?;
        let Some(last) = rows.last() else {
            return tx.commit().await.map_err(store_error);
        };
        after = B::Db::text(last, "id")?;
        let mut documents = Vec::with_capacity(rows.len());
        for row in &rows {
            let person = complainant_from::<B::Db>(row)?;
            documents.push(SearchDocument::of(
                &B::Db::text(row, "id")?,
                &B::Db::text(row, "summary")?,
                person.as_ref(),
            ));
        }
        B::index_documents(&mut tx, &documents).await?;
        tx.commit().await.map_err(store_error)?;
    }
}

/// The query text of a full-text search in a backend's language; tokens are letters and digits only
/// (see [`crate::search::tokens`]), so quoting them is enough.
fn full_text(syntax: SearchSyntax, query: &SearchQuery) -> Option<String> {
    let prefix = |token: &str| token.chars().count() >= crate::search::PREFIX_FROM;
    Some(match (syntax, query) {
        (SearchSyntax::Fts5, SearchQuery::Words(tokens)) => {
            let terms: Vec<String> = tokens
                .iter()
                .map(|t| format!("\"{t}\"{}", if prefix(t) { "*" } else { "" }))
                .collect();
            format!("words : ({})", terms.join(" AND "))
        }
        (SearchSyntax::Fts5, SearchQuery::Key(key)) => format!("keys : \"{key}\""),
        (SearchSyntax::Fts5, SearchQuery::KeyPrefix(key)) => format!("keys : \"{key}\"*"),
        (SearchSyntax::TsQuery, SearchQuery::Words(tokens)) => tokens
            .iter()
            .map(|t| format!("'{t}':{}D", if prefix(t) { "*" } else { "" }))
            .collect::<Vec<_>>()
            .join(" & "),
        (SearchSyntax::TsQuery, SearchQuery::Key(key)) => format!("'{key}':A"),
        (SearchSyntax::TsQuery, SearchQuery::KeyPrefix(key)) => format!("'{key}':*A"),
        _ => return None,
    })
}

/// The statement of a search up to its `WHERE` conditions (the filters not yet added), and the column of
/// its order; `None` when the query matches nothing.
fn search_statement<'a, B: SqlBackend>(
    select: &str,
    query: &'a SearchQuery,
) -> Option<(Clauses<'a>, &'static str)> {
    let dialect = &B::DIALECT.search;
    let joins = "JOIN cases c ON c.id = s.case_id LEFT JOIN complainants p ON p.case_id = c.id";
    let clauses = |from: &str, doc: &'static str| {
        (
            Clauses {
                sql: format!("SELECT {select}, {doc} AS search_doc FROM {from} WHERE TRUE"),
                values: Vec::new(),
            },
            doc,
        )
    };
    // An exact identifier finds a case or two through its own index: `+s.doc` (an expression, not the
    // column) keeps the planner from walking the whole index in its order instead, and the complainant is
    // joined first for an email address (a LEFT JOIN would be read after the case).
    match query {
        SearchQuery::Nothing => None,
        SearchQuery::Reference(reference) => {
            let (mut statement, doc) = clauses(&format!("case_search s {joins}"), "+s.doc");
            statement.push(" AND c.reference = ?", reference.as_str());
            Some((statement, doc))
        }
        SearchQuery::Email(email) => {
            let from = "complainants p JOIN cases c ON c.id = p.case_id \
                        JOIN case_search s ON s.case_id = c.id";
            let (mut statement, doc) = clauses(from, "+s.doc");
            statement.push(" AND lower(p.email) = ?", email.as_str());
            Some((statement, doc))
        }
        SearchQuery::Words(_) | SearchQuery::Key(_) | SearchQuery::KeyPrefix(_) => {
            let text = full_text(dialect.syntax, query)?;
            let condition = match query {
                SearchQuery::Words(_) => dialect.words_match,
                _ => dialect.keys_match,
            };
            let from = format!("{} {joins}", dialect.text_from);
            let (mut statement, doc) = clauses(&from, dialect.text_doc);
            statement.push(&format!(" AND {condition}"), text);
            Some((statement, doc))
        }
    }
}

/// The rows of a search statement, read as the backend's [`SearchDialect::before_each`] says.
async fn read_search<B: SqlBackend>(
    backend: &B,
    sql: &str,
    values: Vec<Param<'_>>,
) -> StoreResult<Vec<<B::Db as Database>::Row>> {
    let Some(setup) = B::DIALECT.search.before_each else {
        return fetch_all(B::Db::on_pool(backend.reader()), sql, values).await;
    };
    let mut tx = backend.reader().begin().await.map_err(store_error)?;
    execute(B::Db::on(&mut tx), setup, Vec::new()).await?;
    let rows = fetch_all(B::Db::on(&mut tx), sql, values).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(rows)
}

/// A page of the cases a search matches, newest first, with the filter's other conditions.
pub(super) async fn search_cases<B: SqlBackend>(
    backend: &B,
    filter: &CaseFilter,
    query: &SearchQuery,
) -> StoreResult<Page> {
    let Some((mut statement, doc)) = search_statement::<B>(SUMMARY_COLUMNS, query) else {
        return Ok(Page {
            items: Vec::new(),
            next: None,
        });
    };
    filter_clauses(filter, &B::DIALECT, &mut statement);
    // A cursor of another order says nothing of where a search page ended: start from the newest.
    if let Some(cursor) = filter.after.as_ref().filter(|c| c.sort == Sort::Newest)
        && let Ok(key) = cursor.key.parse::<i64>()
    {
        statement.push(&format!(" AND {doc} < ?"), key);
    }
    statement.sql.push_str(&format!(" ORDER BY {doc} DESC"));
    let limit = filter.limit.clamp(1, 200);
    statement.push(" LIMIT ?", i64::from(limit) + 1);
    let rows = read_search(backend, &statement.sql, statement.values).await?;
    let keyed = rows
        .iter()
        .map(|row| {
            let key = B::Db::int(row, "search_doc")?.to_string();
            Ok((case_summary_from::<B::Db>(row)?, key))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let limit = usize::try_from(limit).map_err(StoreError::other)?;
    Ok(Page::from_keyed_rows(keyed, limit, Sort::Newest))
}

/// How many cases a filter matches, counting at most `cap + 1`.
pub(super) async fn count_matching<B: SqlBackend>(
    backend: &B,
    filter: &CaseFilter,
    cap: u32,
) -> StoreResult<u64> {
    let mut statement = match &filter.search {
        None => Clauses {
            sql: "SELECT c.id FROM cases c LEFT JOIN complainants p ON p.case_id = c.id WHERE TRUE"
                .into(),
            values: Vec::new(),
        },
        Some(query) => match search_statement::<B>("c.id", query) {
            Some((statement, _)) => statement,
            None => return Ok(0),
        },
    };
    filter_clauses(filter, &B::DIALECT, &mut statement);
    statement.push(" LIMIT ?", i64::from(cap) + 1);
    let sql = format!("SELECT COUNT(*) AS n FROM ({}) AS matching", statement.sql);
    let rows = read_search(backend, &sql, statement.values).await?;
    let row = rows.first().ok_or(StoreError::NotFound)?;
    u64::try_from(B::Db::int(row, "n")?).map_err(StoreError::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_text_is_quoted_tokens_in_each_language() {
        let words = SearchQuery::Words(vec!["acac".into(), "12".into()]);
        assert_eq!(
            full_text(SearchSyntax::Fts5, &words).as_deref(),
            Some("words : (\"acac\"* AND \"12\")")
        );
        assert_eq!(
            full_text(SearchSyntax::TsQuery, &words).as_deref(),
            Some("'acac':*D & '12':D")
        );
        let phone = SearchQuery::KeyPrefix("pr321009".into());
        assert_eq!(
            full_text(SearchSyntax::Fts5, &phone).as_deref(),
            Some("keys : \"pr321009\"*")
        );
        assert_eq!(
            full_text(SearchSyntax::TsQuery, &SearchQuery::Key("pcls62ab".into())).as_deref(),
            Some("'pcls62ab':A")
        );
    }
}
