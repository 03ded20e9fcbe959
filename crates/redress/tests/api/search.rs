//! Finding cases with `GET /api/v1/complaints?q=`: by each field, with the other filters, a page at a
//! time, within what the caller may see, and refusing what it cannot take with a 422 naming it.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestApp;

/// Logs a complaint as `who` and returns its reference.
async fn complaint(app: &TestApp, who: &str, complainant: Value, confidential: bool) -> String {
    let (status, body) = app
        .post(
            who,
            "/api/v1/complaints",
            json!({"received_on": "2026-05-04", "channel": "phone", "summary": "Damp in the bedroom",
                   "complainant": complainant, "confidential": confidential}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["reference"].as_str().unwrap().to_owned()
}

/// The references a search answers, as a set (its order is newest first, checked apart).
async fn found(app: &TestApp, who: &str, query: &str) -> BTreeSet<String> {
    let (status, page) = app
        .get(who, &format!("/api/v1/complaints?{query}&limit=200"))
        .await;
    assert_eq!(status, StatusCode::OK, "{who} {query}: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap().to_owned())
        .collect()
}

fn set(refs: &[&String]) -> BTreeSet<String> {
    refs.iter().map(|r| (*r).clone()).collect()
}

pub(super) async fn cases_are_found_by_what_the_caller_may_see(app: TestApp) {
    let zoe = complaint(
        &app,
        "officer",
        json!({"name": "Zoë Thistlewood", "email": "Zoe.T@example.org", "phone": "+44 7700 900123",
               "address": "Flat 2, 12 Acacia Road, Leeds LS6 2AB"}),
        false,
    )
    .await;
    let mark = complaint(
        &app,
        "officer",
        json!({"name": "Mark Thistlewood", "email": "mark@example.net", "phone": "0113 496 0000",
               "address": "7 Quarry Hill, Leeds LS2 7EY"}),
        false,
    )
    .await;
    let secret = complaint(
        &app,
        "officer",
        json!({"name": "Eve Thistlewood", "email": "eve@example.org"}),
        true,
    )
    .await;
    for (query, wanted) in [
        ("q=thistlewood", set(&[&zoe, &mark, &secret])),
        ("q=Thistle", set(&[&zoe, &mark, &secret])),
        ("q=zoe", set(&[&zoe])),
        ("q=ZOE.T%40EXAMPLE.ORG", set(&[&zoe])),
        ("q=%2B44%207700-900123", set(&[&zoe])),
        ("q=07700900123", set(&[&zoe])),
        ("q=ls62ab", set(&[&zoe])),
        ("q=LS2%207EY", set(&[&mark])),
        ("q=quarry", set(&[&mark])),
        ("q=bedroom%20damp", set(&[&zoe, &mark, &secret])),
        (&format!("q={}", mark.to_lowercase()), set(&[&mark])),
        ("q=leeds&policy=code-2024&open=true", set(&[&zoe, &mark])),
        ("q=leeds&state=closed", set(&[])),
    ] {
        assert_eq!(found(&app, "officer", query).await, wanted, "{query}");
    }
    // Confidential cases stay out for those who may not see them; a viewer finds by reference only.
    assert_eq!(
        found(&app, "officer2", "q=thistlewood").await,
        set(&[&zoe, &mark])
    );
    assert_eq!(found(&app, "viewer", "q=thistlewood").await, set(&[]));
    assert_eq!(found(&app, "viewer", "q=ls62ab").await, set(&[]));
    assert_eq!(
        found(&app, "viewer", &format!("q={zoe}")).await,
        set(&[&zoe])
    );
    assert_eq!(
        found(&app, "viewer", &format!("q={secret}")).await,
        set(&[])
    );
    assert_eq!(found(&app, "manager", "q=eve").await, set(&[&secret]));
    search_pages_newest_first(&app, [&zoe, &mark, &secret]).await;
    search_refuses_what_it_cannot_take(&app).await;
}

async fn search_pages_newest_first(app: &TestApp, oldest_first: [&String; 3]) {
    let mut seen = Vec::new();
    let mut path = "/api/v1/complaints?q=thistlewood&limit=1".to_owned();
    loop {
        let (status, page) = app.get("manager", &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        for item in page["items"].as_array().unwrap() {
            seen.push(item["reference"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(cursor.starts_with("n~"), "{cursor}");
                path = format!("/api/v1/complaints?q=thistlewood&limit=1&cursor={cursor}");
            }
            None => break,
        }
    }
    let newest_first: Vec<String> = oldest_first.iter().rev().map(|r| (*r).clone()).collect();
    assert_eq!(seen, newest_first);
}

async fn search_refuses_what_it_cannot_take(app: &TestApp) {
    let (_, first) = app
        .get("manager", "/api/v1/complaints?q=thistlewood&limit=1")
        .await;
    let search_cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, list) = app.get("manager", "/api/v1/complaints?limit=1").await;
    let list_cursor = list["next_cursor"].as_str().unwrap().to_owned();
    for (path, field) in [
        (format!("/api/v1/complaints?q={}", "a".repeat(201)), "q"),
        ("/api/v1/complaints?q=damp%01".to_owned(), "q"),
    ] {
        let (status, problem) = app.get("manager", &path).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
    }
    // A cursor used with the other kind of list conflicts with it (409, as a cursor of another sort does).
    for path in [
        format!("/api/v1/complaints?cursor={search_cursor}"),
        format!("/api/v1/complaints?q=damp&cursor={list_cursor}"),
    ] {
        let (status, problem) = app.get("manager", &path).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "cursor", "{path}: {problem}");
    }
    // A search lists newest first whatever `sort` says: the same cases in the same order.
    let (_, plain) = app.get("manager", "/api/v1/complaints?q=damp").await;
    let (status, sorted) = app
        .get("manager", "/api/v1/complaints?q=damp&sort=due")
        .await;
    assert_eq!(status, StatusCode::OK, "{sorted}");
    assert_eq!(plain["items"], sorted["items"]);
    // Query-language syntax is only words: never an error.
    for q in [
        "%22",
        "*",
        "NEAR(",
        "%27%3B%20DROP%20TABLE%20cases%3B%20--",
        "a%20OR%20b",
        "%5C",
    ] {
        let (status, page) = app
            .get("manager", &format!("/api/v1/complaints?q={q}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{q}: {page}");
    }
    let (status, page) = app.get("manager", "/api/v1/complaints?q=%20%20").await;
    assert_eq!(status, StatusCode::OK, "blank q lists everything: {page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
}
