//! The two backends keep a migration history each (databases in the field have applied them, and sqlx
//! checks their checksums), so nothing generates one from the other. This test keeps them from drifting:
//! the same files in the same order, each pair declaring the same schema once the dialects' known
//! differences are set aside.
//!
//! Set aside: column types beyond text and integer (PostgreSQL's BIGINT and BOOLEAN are SQLite's INTEGER),
//! collations, constraint names, index predicates and covering columns, how an identity is generated, and
//! the bodies of triggers (PostgreSQL's also refuses TRUNCATE, which SQLite does not have), and how a
//! full-text index is made (SQLite's FTS5 virtual table is PostgreSQL's `tsvector` column with its GIN
//! index: the two must have the same name, and are one fact, `full-text index NAME`). Compared: every
//! table with its columns in order, their kind and nullability, keys and references; every index by name
//! and table; every statement that changes data, by verb and table; what the append-only triggers refuse.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn migrations(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(format!("redress-store-{backend}"))
        .join("migrations")
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migrations_in_the_same_order() {
    let sqlite = file_names(&migrations("sqlite"));
    let postgres = file_names(&migrations("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[test]
fn each_pair_of_migrations_declares_the_same_schema() {
    for name in file_names(&migrations("sqlite")) {
        let read = |backend| std::fs::read_to_string(migrations(backend).join(&name)).unwrap();
        let (sqlite, postgres) = (
            schema_facts(&read("sqlite")),
            schema_facts(&read("postgres")),
        );
        assert!(!sqlite.is_empty(), "{name}: nothing recognised");
        assert_eq!(
            sqlite, postgres,
            "{name}: the backends' migrations disagree"
        );
    }
}

/// The text without comments, function bodies (`$$ … $$`) and trigger bodies (`BEGIN … END`), split into
/// statements with their white space folded.
fn statements(sql: &str) -> Vec<String> {
    let mut text: String = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    for (open, close) in [("$$", "$$"), ("BEGIN ", "END;")] {
        while let Some(start) = text.find(open) {
            let end = text[start + open.len()..].find(close).unwrap() + start + open.len();
            text.replace_range(
                start..end + close.len(),
                if close == "END;" { ";" } else { "" },
            );
        }
    }
    text.split(';')
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect()
}

/// What a migration declares, in order, in words both dialects share.
fn schema_facts(sql: &str) -> Vec<String> {
    let mut facts = Vec::new();
    for statement in statements(sql) {
        let words: Vec<&str> = statement.split(' ').collect();
        match words.as_slice() {
            ["CREATE", "TABLE", table, ..] => facts.extend(table_facts(table, &statement)),
            ["CREATE", "TEMP", "TABLE", table, "AS", ..] => {
                facts.push(format!("temp table {table}"))
            }
            ["ALTER", "TABLE", table, "ADD", "COLUMN", column, rest @ ..] => {
                facts.push(column_fact(table, column, &rest.join(" ")));
            }
            ["CREATE", "VIRTUAL", "TABLE", name, "USING", "fts5", ..]
            | ["CREATE", "INDEX", name, "ON", _, "USING", "GIN", ..] => {
                facts.push(format!("full-text index {name}"));
            }
            ["CREATE", "INDEX", index, "ON", table, ..] => {
                facts.push(format!("index {index} on {table}"));
            }
            ["DROP", kind @ ("INDEX" | "TABLE"), name] => facts.push(format!("drop {kind} {name}")),
            ["UPDATE", table, ..]
            | ["DELETE", "FROM", table, ..]
            | ["INSERT", "INTO", table, ..] => {
                facts.push(format!("{} {table}", words[0]));
            }
            ["CREATE", "TRIGGER", _, "BEFORE", rest @ ..] => {
                let on = rest.iter().position(|w| *w == "ON").unwrap();
                for operation in rest[..on]
                    .iter()
                    .filter(|w| !matches!(**w, "OR" | "TRUNCATE"))
                {
                    facts.push(format!("refuse {operation} on {}", rest[on + 1]));
                }
            }
            // PostgreSQL's trigger function: its body is set aside, its triggers compared above.
            ["CREATE", "FUNCTION", ..] => {}
            _ => panic!("a statement this test does not know: {statement}"),
        }
    }
    // The order of triggers within a migration is the dialects' own (SQLite needs one an operation).
    facts.sort_by_key(|fact| fact.starts_with("refuse"));
    facts
}

/// A table's columns in order, then its keys and references (sorted: inline or at the end, named or not,
/// is the dialect's choice).
fn table_facts(table: &str, statement: &str) -> Vec<String> {
    let body = &statement[statement.find('(').unwrap() + 1..statement.rfind(')').unwrap()];
    let mut columns = Vec::new();
    let mut keys = Vec::new();
    for item in top_level_items(body) {
        let words: Vec<&str> = item.split(' ').collect();
        let listed = || item[item.find('(').unwrap()..].replace(' ', "");
        match words.as_slice() {
            ["PRIMARY", "KEY", ..] => keys.push(format!("primary key {table}{}", listed())),
            ["UNIQUE", ..] => keys.push(format!("unique {table}{}", listed())),
            ["CONSTRAINT", _, "UNIQUE", ..] => keys.push(format!("unique {table}{}", listed())),
            // PostgreSQL's half of a full-text index: its GIN index stands for both.
            [_, "TSVECTOR", ..] => {}
            [column, rest @ ..] => {
                let rest = rest.join(" ");
                columns.push(column_fact(table, column, &rest));
                if rest.contains("PRIMARY KEY") {
                    keys.push(format!("primary key {table}({column})"));
                }
                if rest.contains(" UNIQUE") || rest.starts_with("UNIQUE") {
                    keys.push(format!("unique {table}({column})"));
                }
                if let Some(at) = rest.find("REFERENCES") {
                    let target = rest[at..].replace(' ', "");
                    keys.push(format!("{table}.{column} {target}"));
                }
            }
            [] => {}
        }
    }
    keys.sort();
    columns.extend(keys);
    columns
}

/// The items of a parenthesised list, split at its own commas only.
fn top_level_items(body: &str) -> Vec<String> {
    let mut items = vec![String::new()];
    let mut depth = 0;
    for c in body.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(String::new());
                continue;
            }
            _ => {}
        }
        items.last_mut().unwrap().push(c);
    }
    items.iter().map(|item| item.trim().to_owned()).collect()
}

/// A column by kind (text or integer: PostgreSQL's BIGINT and BOOLEAN are SQLite's INTEGER) and whether it
/// may be NULL (a primary key may not).
fn column_fact(table: &str, column: &str, definition: &str) -> String {
    let kind = match definition.split(' ').next().unwrap() {
        "TEXT" => "text",
        "INTEGER" | "BIGINT" | "BOOLEAN" => "integer",
        other => panic!("{table}.{column}: a column type this test does not know: {other}"),
    };
    let required = definition.contains("NOT NULL") || definition.contains("PRIMARY KEY");
    let null = if required { "not null" } else { "null" };
    format!("column {table}.{column} {kind} {null}")
}
