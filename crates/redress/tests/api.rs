//! The service over real HTTP on loopback, on SQLite always and on PostgreSQL when a server is there
//! (`REDRESS_TEST_DATABASE_URL`, or 127.0.0.1:5432; skipped without one, and failing without one under CI): a complaint through both stages, refusals, two writers at once,
//! and every role against every endpoint.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::{Date, date};
use redress_domain::access::Role;
use redress_store::Store;
use redress_web::AppState;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// "Today" for every test: Monday 1 June 2026.
const TODAY: Date = date(2026, 6, 1);

struct TestApp {
    base: String,
    client: Client,
    tokens: HashMap<&'static str, String>,
    #[allow(dead_code)]
    store: Arc<dyn Store>,
}

impl TestApp {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn call(
        &self,
        who: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = self.tokens.get(who) {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn post(&self, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(who, Method::POST, path, Some(body)).await
    }

    /// The body as bytes, with its status and content type.
    async fn get_bytes(&self, who: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
        let resp = self
            .client
            .get(self.url(path))
            .bearer_auth(&self.tokens[who])
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, content_type, resp.bytes().await.unwrap().to_vec())
    }

    async fn get(&self, who: &str, path: &str) -> (StatusCode, Value) {
        self.call(who, Method::GET, path, None).await
    }

    async fn event(&self, reference: &str, body: Value) -> (StatusCode, Value) {
        self.event_as("officer", reference, body).await
    }

    async fn event_as(&self, who: &str, reference: &str, body: Value) -> (StatusCode, Value) {
        self.post(who, &format!("/api/v1/complaints/{reference}/events"), body)
            .await
    }

    async fn new_complaint(&self, received_on: &str) -> String {
        let (status, body) = self
            .post(
                "officer",
                "/api/v1/complaints",
                json!({"received_on": received_on, "channel": "phone", "summary": "Damp in the bedroom",
                       "complainant": {"name": "Aisha Khan", "email": "aisha@example.org"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["reference"].as_str().unwrap().to_owned()
    }
}

fn due(case: &Value, clock: &str) -> String {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|d| d["clock"] == clock)
        .unwrap_or_else(|| panic!("no clock {clock} in {}", case["deadlines"]))["due_on"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn status_of(case: &Value, clock: &str) -> String {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|d| d["clock"] == clock)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn spawn(store: Arc<dyn Store>) -> TestApp {
    store.migrate().await.unwrap();
    redress_web::seed_presets(store.as_ref()).await.unwrap();
    let mut tokens = HashMap::new();
    for (who, role) in [
        ("admin", Role::Admin),
        ("manager", Role::ComplaintsManager),
        ("officer", Role::ComplaintsOfficer),
        ("officer2", Role::ComplaintsOfficer),
        ("investigator", Role::Investigator),
        ("reviewer", Role::Reviewer),
        ("viewer", Role::Viewer),
    ] {
        tokens.insert(
            who,
            redress_web::auth::create_token(store.as_ref(), role, who, None)
                .await
                .unwrap(),
        );
    }
    tokens.insert("stranger", "rdt_0000".to_owned());
    // Staff the cases name: assigned officers and approvers are users.
    for (id, name, role) in [
        ("investigator-1", "Priya Shah", Role::Investigator),
        ("asha", "Asha Begum", Role::ComplaintsOfficer),
        ("ben", "Ben Okafor", Role::Reviewer),
        ("tom", "Tom Reed", Role::Investigator),
        ("mgr", "Morag Hill", Role::ComplaintsManager),
        ("board", "Bea Lowe", Role::Viewer),
    ] {
        store
            .create_user(
                &redress_store::User {
                    id: id.into(),
                    email: format!("{id}@example.org"),
                    name: name.into(),
                    role,
                    password_hash: String::new(),
                },
                "2026-01-01T00:00:00Z",
            )
            .await
            .unwrap();
    }
    // Asha as a caller: a token whose principal id is her user id, as it is when she signs in to the pages,
    // so that she can be the officer a case is assigned to.
    let asha_secret = "rdt_asha_signed_in_for_the_tests".to_owned();
    store
        .create_token(
            &redress_store::ApiToken {
                id: "asha".into(),
                name: "asha".into(),
                role: Role::ComplaintsOfficer,
                token_hash: redress_web::auth::hash_token(&asha_secret),
                expires_at: None,
                last_used_at: None,
                revoked_at: None,
            },
            "2026-01-01T00:00:00Z",
        )
        .await
        .unwrap();
    tokens.insert("asha", asha_secret);
    let mut state = AppState::new(store.clone());
    state.today = Arc::new(|| TODAY);
    state.documents = Arc::new(redress_store::documents::DocumentStore::new(
        std::env::temp_dir()
            .join("redress-api-documents")
            .join(redress_store::new_id()),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(redress_web::serve(
        listener,
        Arc::new(state),
        std::future::pending(),
    ));
    TestApp {
        base,
        client: Client::new(),
        tokens,
        store,
    }
}

async fn sqlite_app() -> TestApp {
    let dir = std::env::temp_dir().join("redress-api-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/{}.db", dir.display(), redress_store::new_id());
    spawn(redress::open_store(&url).await.unwrap()).await
}

/// The app on a PostgreSQL schema of its own, and that schema's name; `None` (skipped) without a server.
async fn postgres_app() -> Option<(TestApp, String, String)> {
    let url = redress_store_postgres::test_server::url("api").await?;
    let admin = redress_store_postgres::PostgresStore::connect(&url)
        .await
        .unwrap();
    let schema = format!("redress_api_{}", redress_store::new_id().replace('-', ""));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(admin.pool())
        .await
        .unwrap();
    let store = redress_store_postgres::PostgresStore::connect_with_schema(&url, &schema)
        .await
        .unwrap();
    Some((spawn(Arc::new(store)).await, url, schema))
}

/// Drops a test schema once its scenario is done.
async fn drop_schema(url: &str, schema: &str) {
    let admin = redress_store_postgres::PostgresStore::connect(url)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(admin.pool())
        .await
        .unwrap();
}

/// Runs a scenario on SQLite, then on PostgreSQL if configured.
macro_rules! on_both_backends {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$scenario(super::sqlite_app().await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some((app, url, schema)) = super::postgres_app().await {
                    super::$scenario(app).await;
                    super::drop_schema(&url, &schema).await;
                }
            }
        }
    };
}

on_both_backends!(
    a_complaint_through_both_stages,
    complaint_through_both_stages
);
on_both_backends!(refusals_and_bad_input, refusals_and_bad_input);
on_both_backends!(
    letters_are_issued_once_as_pdfs_that_say_what_the_case_says,
    letters_are_issued_once
);
on_both_backends!(two_writers_on_one_case, two_writers_on_one_case);
on_both_backends!(
    every_role_against_every_endpoint,
    every_role_against_every_endpoint
);
on_both_backends!(lists_filter_and_page, lists_filter_and_page);
on_both_backends!(intake_applies_the_policy, intake_applies_the_policy);
on_both_backends!(
    policies_can_be_installed_and_checked,
    policies_can_be_installed_and_checked
);
on_both_backends!(
    idempotency_keys_belong_to_their_caller,
    idempotency_keys_belong_to_their_caller
);
on_both_backends!(cursors_keep_their_sort, cursors_keep_their_sort);
on_both_backends!(
    confidential_cases_are_seen_by_their_author_and_assignee,
    confidential_cases_are_seen_by_their_author_and_assignee
);

on_both_backends!(
    letters_are_drafted_and_read_back,
    letters_are_drafted_and_read_back
);
on_both_backends!(
    a_response_letter_records_its_response,
    a_response_letter_records_its_response
);
on_both_backends!(
    harrogate_letters_answer_its_checklist,
    harrogate_letters_answer_its_checklist
);

#[path = "api/search.rs"]
mod search;
use search::cases_are_found_by_what_the_caller_may_see;
on_both_backends!(
    cases_are_found_by_what_the_caller_may_see,
    cases_are_found_by_what_the_caller_may_see
);

/// A letter is drafted on a complaint with what it still lacks, read back with its sections, and refused
/// for an unknown kind (422), a kind the case cannot have now (409) and a viewer (403); the events
/// endpoint never records `letter_issued` (409).
async fn letters_are_drafted_and_read_back(app: TestApp) {
    // Received Friday 22 May 2026; Monday 25 May is the Spring bank holiday.
    let r = app.new_complaint("2026-05-22").await;
    let path = format!("/api/v1/complaints/{r}/letters");
    let (s, letter) = app
        .post(
            "officer",
            &path,
            json!({"kind": "acknowledgement", "paragraphs": ["Thank you for telling us."]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{letter}");
    assert_eq!(letter["kind"], "acknowledgement");
    assert_eq!(letter["stage"], 1);
    assert_eq!(letter["status"], "draft");
    assert_eq!(letter["reference"], json!(r));
    let missing: Vec<&str> = letter["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(missing.contains(&"complaint_definition"), "{letter}");
    for m in letter["missing"].as_array().unwrap() {
        assert!(!m["message"].as_str().unwrap().is_empty(), "{m}");
        assert!(!m["provision"].as_str().unwrap().is_empty(), "{m}");
    }
    let id = letter["id"].as_str().unwrap();
    let (s, read) = app.get("officer", &format!("/api/v1/letters/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{read}");
    assert_eq!(read["status"], "draft");
    assert_eq!(read["sections"][0]["kind"], "opening");
    assert_eq!(
        read["sections"][0]["lines"],
        json!(["Thank you for telling us."])
    );
    let (s, _) = app.get("officer", "/api/v1/letters/no-such-letter").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, body) = app
        .post("officer", &path, json!({"kind": "telegram"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "kind", "{body}");
    let (s, body) = app
        .post("officer", &path, json!({"kind": "stage_response"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("No response is recorded"),
        "{body}"
    );
    let (s, body) = app.post("viewer", &path, json!({"kind": "general"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = app
        .post(
            "officer",
            "/api/v1/complaints/CMP-2026-999999/letters",
            json!({"kind": "general"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");

    let (s, body) = app
        .event(&r, json!({"type": "letter_issued", "on": "2026-05-26", "letter": id, "kind": "acknowledgement",
                          "stage": 1, "channel": "post", "recipients": ["Aisha Khan"], "document": "ab".repeat(32)}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("POST /api/v1/letters/{id}/issue"),
        "{body}"
    );
}

/// The text of a PDF, through poppler's pdftotext.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("redress-pdf-{}", redress_store::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("letter.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext runs (install poppler-utils)");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

async fn letters_are_issued_once(app: TestApp) {
    // Received Friday 22 May 2026; Monday 25 May is the Spring bank holiday; acknowledged Tuesday 26 May.
    let r = app.new_complaint("2026-05-22").await;
    let (s, case) = app
        .event(&r, json!({"type": "acknowledged", "on": "2026-05-26"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(due(&case, "stage1_response"), "2026-06-09");
    let letters = format!("/api/v1/complaints/{r}/letters");
    // Before the complaint is defined the acknowledgement lacks its definition, and cannot go.
    let (_, early) = app
        .post("officer", &letters, json!({"kind": "acknowledgement"}))
        .await;
    let early_id = early["id"].as_str().unwrap().to_owned();
    let (s, body) = app
        .post(
            "officer",
            &format!("/api/v1/letters/{early_id}/issue"),
            json!({"channel": "post"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let why = body["detail"].as_str().unwrap();
    let missing = early["missing"][0]["message"].as_str().unwrap();
    assert!(why.contains(missing), "{why} names {missing}");
    let (s, _) = app
        .event(&r, json!({"type": "complaint_defined", "on": "2026-05-26",
                          "heads": [{"summary": "The roof leaks into the bedroom", "outcome_sought": "Repair the roof"}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, letter) = app
        .post("officer", &letters, json!({"kind": "acknowledgement"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{letter}");
    assert_eq!(letter["missing"], json!([]), "{letter}");
    let id = letter["id"].as_str().unwrap().to_owned();
    let issue = format!("/api/v1/letters/{id}/issue");
    for (body, field) in [
        (json!({"channel": "fax"}), "channel"),
        (
            json!({"channel": "post", "checklist": {"apology": true}}),
            "checklist",
        ),
    ] {
        let (s, p) = app.post("officer", &issue, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let named = p["errors"][0]["field"].as_str().unwrap_or_default();
        assert!(named.starts_with(field), "{p}");
    }
    let (s, p) = app.post("viewer", &issue, json!({"channel": "post"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    let (s, issued) = app
        .post("officer", &issue, json!({"channel": "post"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["channel"], "post");
    let document = issued["document"]["sha256"].as_str().unwrap().to_owned();
    // The PDF served is the document issued, and it says what the case says.
    let (s, content_type, pdf) = app
        .get_bytes("officer", &format!("/api/v1/letters/{id}.pdf"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    assert_eq!(redress_store::documents::sha256_hex(&pdf), document);
    let text = pdf_text(&pdf);
    for expected in [
        r.as_str(),
        "The roof leaks into the bedroom",
        "Repair the roof",
    ] {
        assert!(
            text.contains(expected),
            "the letter says {expected:?}:\n{text}"
        );
    }
    assert!(
        text.contains("9 June 2026") || text.contains("9 Jun 2026"),
        "the response date:\n{text}"
    );
    let (_, case) = app.get("officer", &format!("/api/v1/complaints/{r}")).await;
    let kinds: Vec<&str> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default())
        .collect();
    assert!(kinds.contains(&"letter_issued"), "{kinds:?}");
    // Once issued it does not change, and is not issued twice.
    let (s, p) = app
        .post("officer", &issue, json!({"channel": "email"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("issued already"),
        "{p}"
    );
    // Word and the preview are rendered from the same letter.
    let (s, content_type, docx) = app
        .get_bytes("officer", &format!("/api/v1/letters/{id}.docx"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(content_type.contains("wordprocessingml"), "{content_type}");
    assert!(docx.starts_with(b"PK"), "a DOCX is a zip");
    let (s, content_type, html) = app
        .get_bytes("officer", &format!("/api/v1/letters/{id}.html"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        String::from_utf8(html)
            .unwrap()
            .contains("The roof leaks into the bedroom")
    );
    let (s, _, _) = app
        .get_bytes("officer", "/api/v1/letters/no-such-letter.pdf")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn complaint_through_both_stages(app: TestApp) {
    // Received Friday 19 Dec 2025 by phone.
    let r = app.new_complaint("2025-12-19").await;
    assert!(r.starts_with("CMP-2025-"), "{r}");
    let path = format!("/api/v1/complaints/{r}");
    let (_, case) = app
        .get("officer", &format!("{path}?as_of=2025-12-19"))
        .await;
    assert_eq!(case["state"], "awaiting_acknowledgement");
    assert_eq!(case["policy"], json!({"id": "code-2024", "version": 1}));
    // 5 WD: 22, 23, 24, 29, 30 Dec.
    assert_eq!(due(&case, "stage1_acknowledge"), "2025-12-30");
    assert_eq!(status_of(&case, "stage1_acknowledge"), "pending");

    let (s, case) = app
        .event(&r, json!({"type": "acknowledged", "on": "2025-12-23"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(due(&case, "stage1_response"), "2026-01-09");
    assert_eq!(
        case["deadlines"][1]["explanation"],
        "10 working days after acknowledgement on 2025-12-23; skips 25, 26 Dec, 1 Jan"
    );
    // What the Code expects beyond the minimal path is warned about, not refused.
    let codes: Vec<&str> = case["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"no_complaint_definition"), "{codes:?}");
    let (s, _) = app
        .event(&r, json!({"type": "complaint_defined", "on": "2025-12-23",
                          "heads": [{"summary": "Damp not treated", "outcome_sought": "Treat the damp"}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .event(
            &r,
            json!({"type": "assigned", "on": "2025-12-23", "officer": "investigator-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, case) = app
        .event(
            &r,
            json!({"type": "extended", "on": "2026-01-07", "working_days": 10,
                          "reason": "Awaiting the surveyor's report", "resident_agreed": false}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(due(&case, "stage1_response"), "2026-01-23");
    let (s, case) = app
        .event(
            &r,
            json!({"type": "responded", "on": "2026-01-22", "outcome": "partly_upheld"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(case["state"], "responded");
    assert_eq!(status_of(&case, "stage1_response"), "met");

    // Stage 2: requested Fri 27 Mar 2026; 5 WD skip Good Friday and Easter Monday → Tue 7 Apr.
    let (s, case) = app
        .event(
            &r,
            json!({"type": "escalation_requested", "on": "2026-03-27"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(case["stage"], 2);
    assert_eq!(due(&case, "stage2_acknowledge"), "2026-04-07");
    let (s, _) = app
        .event(&r, json!({"type": "acknowledged", "on": "2026-04-07"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // Whoever decided stage 1 may not review it, and the refusal names the person.
    let (s, p) = app
        .event(
            &r,
            json!({"type": "assigned", "on": "2026-04-07", "officer": "investigator-1@example.org"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(
        p["detail"],
        "The reviewer at Stage 2 must not have decided an earlier stage: Priya Shah decided Stage 1"
    );
    // Someone who is not on the staff cannot be assigned.
    let (s, p) = app
        .event(
            &r,
            json!({"type": "assigned", "on": "2026-04-07", "officer": "nobody@example.org"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "officer");
    // Nor can the board's read-only viewer.
    let (s, p) = app
        .event(
            &r,
            json!({"type": "assigned", "on": "2026-04-07", "officer": "board"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "officer");
    // A reviewer by email address: stored as the user's id.
    let (s, case) = app
        .event(
            &r,
            json!({"type": "assigned", "on": "2026-04-07", "officer": "BEN@example.org"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(case["assignee"], "ben");
    // 20 WD after 7 Apr, skipping the early May bank holiday (4 May): 6 May.
    assert_eq!(due(&case, "stage2_response"), "2026-05-06");
    let (s, case) = app
        .event_as(
            "reviewer",
            &r,
            json!({"type": "responded", "on": "2026-05-06", "outcome": "not_upheld"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let (s, case) = app
        .event(
            &r,
            json!({"type": "closed", "on": "2026-05-06", "reason": "final_response"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(case["state"], "closed");
    assert_eq!(case["events"].as_array().unwrap().len(), 11);
    // Every event records who recorded it.
    assert!(
        case["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["by"].is_string())
    );
    let statuses: Vec<(&str, &str)> = case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["clock"].as_str().unwrap(), d["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("stage1_acknowledge", "met"),
            ("stage1_response", "met"),
            ("stage2_acknowledge", "met"),
            ("stage2_response", "met")
        ]
    );
}

async fn refusals_and_bad_input(app: TestApp) {
    let r = app.new_complaint("2026-03-02").await;
    let path = format!("/api/v1/complaints/{r}");
    // The lifecycle refuses: 409 with the domain's message.
    let (s, p) = app
        .event(
            &r,
            json!({"type": "escalation_requested", "on": "2026-03-04"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        p["detail"],
        "Stage 2 cannot start: the Stage 1 response has not been issued"
    );
    assert_eq!(p["status"], 409);
    app.event(&r, json!({"type": "acknowledged", "on": "2026-03-03"}))
        .await;
    let (s, p) = app
        .event(&r, json!({"type": "extended", "on": "2026-03-05", "working_days": 15, "reason": "Complex", "resident_agreed": false}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        p["detail"],
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it"
    );
    assert_eq!(p["errors"][0]["field"], "resident_agreed");
    let (s, p) = app
        .event(&r, json!({"type": "acknowledged", "on": "2026-03-01"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("before the complaint was received")
    );

    // Malformed input: 422 naming the field; never 5xx.
    let (s, p) = app
        .event(&r, json!({"type": "acknowledged", "on": "2026-02-30"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "on", "{p}");
    let (s, p) = app
        .event(
            &r,
            json!({"type": "responded", "on": "2026-03-06", "outcome": "upheld", "colour": "red"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
    let (s, p) = app
        .event(&r, json!({"type": "teleported", "on": "2026-03-06"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (s, p) = app
        .event(
            &r,
            json!({"type": "responded", "on": "2027-01-01", "outcome": "upheld"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "on");
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            json!({"received_on": "2026-13-01", "channel": "phone", "summary": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "received_on");
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            json!({"received_on": "2026-01-01", "channel": "pigeon", "summary": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "channel");
    let (s, p) = app
        .post("officer", "/api/v1/complaints", json!({"received_on": "2026-01-01", "channel": "phone", "summary": "x", "policy": "nope"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "policy");
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            json!({"received_on": "2026-01-01", "channel": "phone", "summary": " ",
                                                      "complainant": {"email": "not-an-email"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["summary", "complainant.email"]);
    // Not JSON, wrong type, too big.
    let resp = app
        .client
        .post(app.url(&format!("{path}/events")))
        .bearer_auth(&app.tokens["officer"])
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let resp = app
        .client
        .post(app.url(&format!("{path}/events")))
        .bearer_auth(&app.tokens["officer"])
        .header("content-type", "text/plain")
        .body("acknowledged")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge =
        json!({"received_on": "2026-01-01", "channel": "phone", "summary": "x".repeat(100_000)});
    let (s, _) = app.post("officer", "/api/v1/complaints", huge).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, p) = app
        .get("officer", "/api/v1/complaints?overdue=perhaps")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "overdue");
    let (s, _) = app
        .get("officer", "/api/v1/complaints/CMP-1999-000001")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Every error is application/problem+json, those axum makes itself too.
    for (method, url, status) in [
        (
            Method::DELETE,
            "/api/v1/complaints".to_owned(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            Method::GET,
            "/api/v1/complaints/%FF".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/api/v1/no-such-thing".to_owned(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let resp = app
            .client
            .request(method.clone(), app.url(&url))
            .bearer_auth(&app.tokens["officer"])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{method} {url}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{method} {url}"
        );
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["status"], status.as_u16(), "{method} {url}");
    }
    // Dates are written exactly YYYY-MM-DD, in bodies and in queries.
    for date in ["20260105", "2026-01-05T00:00", "+002026-01-05"] {
        let (s, p) = app
            .post(
                "officer",
                "/api/v1/complaints",
                json!({"received_on": date, "channel": "phone", "summary": "x"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {p}");
        assert_eq!(p["errors"][0]["field"], "received_on", "{date}");
        let (s, p) = app
            .get("officer", &format!("/api/v1/complaints?due_before={date}"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {p}");
    }

    // Nothing was half-written: only the receipt and the acknowledgement are on the case.
    let (_, case) = app.get("officer", &path).await;
    assert_eq!(case["events"].as_array().unwrap().len(), 2);
    assert_eq!(case["version"], 2);
}

async fn two_writers_on_one_case(app: TestApp) {
    let r = app.new_complaint("2026-03-02").await;
    let path = format!("/api/v1/complaints/{r}/events");
    // Two officers read version 1, then both act: one wins, the other is told.
    let send = |who: &'static str, officer: &'static str| {
        let app = &app;
        let path = path.clone();
        async move {
            app.client
                .post(app.url(&path))
                .bearer_auth(&app.tokens[who])
                .header("if-match", "1")
                .json(&json!({"type": "assigned", "on": "2026-03-03", "officer": officer}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (a, b) = tokio::join!(send("officer", "asha"), send("manager", "ben"));
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    // Without If-Match, two acknowledgements at once: exactly one is recorded.
    let ack = |who: &'static str| {
        let app = &app;
        let path = path.clone();
        async move {
            app.client
                .post(app.url(&path))
                .bearer_auth(&app.tokens[who])
                .json(&json!({"type": "acknowledged", "on": "2026-03-03"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (a, b) = tokio::join!(ack("officer"), ack("manager"));
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let (_, case) = app.get("officer", &format!("/api/v1/complaints/{r}")).await;
    let kinds: Vec<&str> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["received", "assigned", "acknowledged"]);
}

async fn every_role_against_every_endpoint(app: TestApp) {
    let r = app.new_complaint("2026-03-02").await;
    let confidential = {
        let (s, body) = app
            .post("manager", "/api/v1/complaints",
                  json!({"received_on": "2026-03-02", "channel": "letter", "summary": "About a member of staff", "confidential": true}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        body["reference"].as_str().unwrap().to_owned()
    };
    let policy_toml = "name = \"Our policy\"\nversion = \"1\"\nextends = \"code-2024\"\ncalendar = \"england-and-wales\"\n";
    let roles = [
        "admin",
        "manager",
        "officer",
        "investigator",
        "reviewer",
        "viewer",
        "stranger",
        "nobody",
    ];
    // (method, path, body, expected status per role in the order above)
    type Case<'a> = (&'a str, String, Option<Value>, [u16; 8]);
    let complaint = json!({"received_on": "2026-03-02", "channel": "web", "summary": "Repairs"});
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/api/v1/complaints".into(),
            Some(complaint),
            [201, 201, 201, 403, 403, 403, 401, 401],
        ),
        (
            "GET",
            "/api/v1/complaints".into(),
            None,
            [200, 200, 200, 200, 200, 200, 401, 401],
        ),
        (
            "GET",
            format!("/api/v1/complaints/{r}"),
            None,
            [200, 200, 200, 200, 200, 200, 401, 401],
        ),
        (
            "GET",
            format!("/api/v1/complaints/{confidential}"),
            None,
            [200, 200, 404, 404, 404, 404, 401, 401],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{r}/events"),
            Some(json!({"type": "assigned", "on": "2026-03-03", "officer": "asha"})),
            [201, 201, 201, 201, 201, 403, 401, 401],
        ),
        (
            "GET",
            "/api/v1/policies".into(),
            None,
            [200, 200, 200, 200, 200, 200, 401, 401],
        ),
        (
            "GET",
            "/api/v1/policies/harrogate-ha".into(),
            None,
            [200, 200, 200, 200, 200, 200, 401, 401],
        ),
        (
            "GET",
            "/api/v1/policies/harrogate-ha/check".into(),
            None,
            [200, 200, 200, 200, 200, 200, 401, 401],
        ),
        (
            "PUT",
            "/api/v1/policies/our-policy".into(),
            None,
            [201, 201, 403, 403, 403, 403, 401, 401],
        ),
        ("GET", "/healthz".into(), None, [200; 8]),
        ("GET", "/api/v1/openapi.json".into(), None, [200; 8]),
    ];
    for (method, path, body, expected) in cases {
        for (role, want) in roles.iter().zip(expected) {
            let mut req = app.client.request(method.parse().unwrap(), app.url(&path));
            if let Some(t) = app.tokens.get(role) {
                req = req.bearer_auth(t);
            }
            req = match (&body, method) {
                (Some(b), _) => req.json(b),
                (None, "PUT") => req
                    .header("content-type", "application/toml")
                    .body(policy_toml),
                _ => req,
            };
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status().as_u16(), want, "{role} {method} {path}");
            if want >= 400 {
                assert_eq!(
                    resp.headers()["content-type"],
                    "application/problem+json",
                    "{role} {method} {path}"
                );
            }
        }
    }
    // The board and scrutiny viewer sees no personal data.
    let (_, case) = app.get("viewer", &format!("/api/v1/complaints/{r}")).await;
    assert!(
        case.get("complainant").is_none() && case.get("summary").is_none(),
        "{case}"
    );
    let (_, list) = app.get("viewer", "/api/v1/complaints").await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("complainant_name").is_none())
    );
    assert!(!list.to_string().contains("Aisha"));
    let (_, case) = app.get("officer", &format!("/api/v1/complaints/{r}")).await;
    assert_eq!(case["complainant"]["name"], "Aisha Khan");
    // Confidential cases do not appear in lists for roles that may not see them.
    let (_, list) = app.get("officer", "/api/v1/complaints?limit=200").await;
    assert!(!list.to_string().contains(&confidential));
    let (_, list) = app.get("manager", "/api/v1/complaints?limit=200").await;
    assert!(list.to_string().contains(&confidential));
}

async fn lists_filter_and_page(app: TestApp) {
    // 12 complaints received 4–19 May 2026; the first 4 acknowledged.
    let mut refs = Vec::new();
    for day in [4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 18, 19] {
        refs.push(app.new_complaint(&format!("2026-05-{day:02}")).await);
    }
    for r in &refs[..4] {
        let (s, _) = app
            .event(r, json!({"type": "acknowledged", "on": "2026-05-19"}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, all) = app.get("officer", "/api/v1/complaints?limit=200").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 12);
    let (_, ack) = app
        .get("officer", "/api/v1/complaints?state=investigating")
        .await;
    assert_eq!(ack["items"].as_array().unwrap().len(), 4);
    // Today is 1 June 2026. Unacknowledged complaints received on or before 22 May... the ack is due 5 WD after
    // receipt: 4 May (Mon) → 11 May, … 19 May → 26 May (25 May is the spring bank holiday), all before 1 June.
    let (_, overdue) = app
        .get("officer", "/api/v1/complaints?overdue=true&sort=due")
        .await;
    let items = overdue["items"].as_array().unwrap();
    // The four acknowledged late on 19 May bought no time: their responses fell due 10 working days after
    // the acknowledgement was due (27–29 May), so they are overdue too.
    assert_eq!(items.len(), 12, "{overdue}");
    assert!(items.iter().all(|c| c["overdue"] == true));
    let on_clock = |clock: &str| {
        items
            .iter()
            .filter(|c| c["next_due_clock"] == clock)
            .count()
    };
    assert_eq!(on_clock("stage1_acknowledge"), 8, "{overdue}");
    assert_eq!(on_clock("stage1_response"), 4, "{overdue}");
    assert_eq!(items[0]["next_due_on"], "2026-05-15");
    let (_, window) = app
        .get(
            "officer",
            "/api/v1/complaints?received_from=2026-05-06&received_to=2026-05-12",
        )
        .await;
    assert_eq!(window["items"].as_array().unwrap().len(), 5);
    // Pages of 5, newest first, no repeats.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(c) => format!("/api/v1/complaints?limit=5&cursor={c}"),
            None => "/api/v1/complaints?limit=5".into(),
        };
        let (s, page) = app.get("officer", &path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["reference"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => next = Some(c.to_owned()),
            None => break,
        }
    }
    let mut expected = refs.clone();
    expected.reverse();
    assert_eq!(seen, expected);
    let (s, _) = app
        .get("officer", "/api/v1/complaints?cursor=garbage")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn policies_can_be_installed_and_checked(app: TestApp) {
    let put = |body: &'static str| {
        let app = &app;
        async move {
            let resp = app
                .client
                .put(app.url("/api/v1/policies/our-policy"))
                .bearer_auth(&app.tokens["manager"])
                .header("content-type", "application/toml")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let (s, p) = put("name = \"Our policy\"\nversion = \"2026\"\nextends = \"code-2024\"\ncalendar = \"england-and-wales\"\n\n[stages.stage2.escalation]\nreasons_required = true\n").await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["version"], 1);
    let (s, p) = put("name = \"Our policy\"\nversion = \"2026\"\nextends = \"code-2024\"\ncalendar = \"wales\"\n").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "calendar");
    let (s, p) = put("name = \"Our policy\"\nversion = \"2026\"\nextends = \"nothing\"\ncalendar = \"england-and-wales\"\n").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "extends");
    let (_, findings) = app.get("viewer", "/api/v1/policies/our-policy/check").await;
    assert_eq!(
        findings[0]["key"],
        "stages.stage2.escalation.reasons_required"
    );
    assert_eq!(findings[0]["provision"], "6.12");
    // A complaint under the new policy pins its version.
    let (s, case) = app
        .post("officer", "/api/v1/complaints", json!({"policy": "our-policy", "received_on": "2026-05-01", "channel": "email", "summary": "x"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(case["policy"], json!({"id": "our-policy", "version": 1}));
    // The OpenAPI document describes the contract.
    let (s, doc) = app.get("stranger", "/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/complaints",
        "/api/v1/complaints/{reference}",
        "/api/v1/complaints/{reference}/events",
        "/api/v1/policies/{id}/check",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
}

fn warning_codes(case: &Value) -> Vec<String> {
    case["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn intake_applies_the_policy(app: TestApp) {
    let complaint = |extra: Value| {
        let mut body = json!({"received_on": "2026-03-02", "channel": "phone", "summary": "Mould in the bathroom",
                              "complainant": {"name": "Sam Patel"}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    // Who may complain, in the policy's words: the policy refuses, so 409 as for any refused step.
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            complaint(json!({"policy": "herefordshire-council", "relationship": "leaseholder"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["errors"][0]["field"], "relationship");
    assert!(
        p["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("does not accept complaints from leaseholders under this policy (the policy says: \"Herefordshire Council Tenants only\")"),
        "{p}"
    );
    // A complainant with neither a name nor a way to reach them is an anonymous complaint, and must be sent as
    // one (so that the policy's rule on anonymous complaints applies): 422 naming the complainant.
    for blank in [
        json!({}),
        json!({"name": "  ", "email": null}),
        json!({"representative": {"name": "Ann Advocate", "consent_recorded": true}}),
    ] {
        let (s, p) = app
            .post(
                "officer",
                "/api/v1/complaints",
                complaint(json!({"complainant": blank})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["errors"][0]["field"], "complainant", "{p}");
        assert!(
            p["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("make the complaint anonymous"),
            "{p}"
        );
    }
    // An unknown relationship is named.
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            complaint(json!({"relationship": "landlord"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("relationship"),
        "{p}"
    );
    // Anonymous where the policy does not accept it.
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            json!({"policy": "harrogate-ha", "received_on": "2026-03-02", "channel": "letter", "summary": "Unsigned letter about the lift"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["errors"][0]["field"], "complainant");
    // A representative without recorded consent: refused on the API as on the pages.
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            complaint(json!({"complainant": {"name": "Sam Patel", "representative": {"name": "Jo Patel", "consent_recorded": false}}})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(
        p["errors"][0]["field"],
        "complainant.representative.consent_recorded"
    );
    // Representatives barred by the policy.
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            complaint(json!({"policy": "herefordshire-council", "complainant": {"name": "Sam Patel", "representative": {"name": "Jo Patel", "consent_recorded": true}}})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["errors"][0]["field"], "complainant.representative");
    // Nothing recorded about who is complaining: accepted, with a warning.
    let (s, case) = app
        .post("officer", "/api/v1/complaints", complaint(json!({})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert!(warning_codes(&case).contains(&"relationship_not_recorded".to_owned()));
    // An old matter is accepted and flagged; the officer's decision clears the flag.
    let (s, case) = app
        .post(
            "officer",
            "/api/v1/complaints",
            complaint(json!({"relationship": "tenant", "matter_arose_on": "2024-11-15"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let codes = warning_codes(&case);
    assert!(
        codes.contains(&"outside_time_limit".to_owned()),
        "{codes:?}"
    );
    assert!(!codes.contains(&"relationship_not_recorded".to_owned()));
    assert_eq!(case["events"][0]["matter_arose_on"], "2024-11-15", "{case}");
    let r = case["reference"].as_str().unwrap().to_owned();
    let (s, case) = app
        .event(
            &r,
            json!({"type": "time_limit_discretion_used", "on": "2026-03-03", "reason": "The resident reported it in 2024 by phone and was never given a complaint reference"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert!(!warning_codes(&case).contains(&"outside_time_limit".to_owned()));
    // A contact restriction is approved by a user holding the role the policy names.
    let restrict = |approver: &str| {
        json!({"type": "contact_restricted", "on": "2026-03-04", "approved_by": approver,
               "restriction": "Contact through the complaints team by email only", "review_on": "2026-09-04"})
    };
    let (s, p) = app.event(&r, restrict("asha")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(
        p["detail"],
        "A restriction must be approved by a complaints manager: Asha Begum is a complaints officer"
    );
    let (s, p) = app.event(&r, restrict("someone@example.org")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "approved_by");
    let (s, case) = app.event(&r, restrict("mgr@example.org")).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let last = case["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["approved_by"], "mgr");
    // One rule for free text, on every event and at intake: no control characters but newlines and tabs,
    // and a length for each kind of field.
    let (s, p) = app
        .event(
            &r,
            json!({"type": "extended", "on": "2026-03-04", "working_days": 2, "reason": "Surveyor\u{7} away\r\nback on Friday", "resident_agreed": false}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "reason");
    assert_eq!(p["errors"][0]["detail"], "contains control characters");
    let (s, p) = app
        .event(
            &r,
            json!({"type": "responded", "on": "2026-03-04", "outcome": "upheld",
                   "remedies": [{"kind": "apology", "description": "x".repeat(1001)}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "remedies[0].description");
    let (s, p) = app
        .post(
            "officer",
            "/api/v1/complaints",
            complaint(json!({"complainant": {"name": "Sam Patel", "representative": {"name": "J\u{1b}o", "consent_recorded": true}}})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "complainant.representative.name");
    // Every list filter is validated.
    let (s, p) = app.get("officer", "/api/v1/complaints?state=lost").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "state");
}

async fn idempotency_keys_belong_to_their_caller(app: TestApp) {
    let body = json!({"received_on": "2026-05-04", "channel": "email", "summary": "Mould in the kitchen",
                      "complainant": {"name": "Dan Ode", "email": "dan@example.org"},
                      "idempotency_key": "retry-1"});
    let (s, first) = app
        .post("officer", "/api/v1/complaints", body.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let mine = first["reference"].as_str().unwrap().to_owned();
    // The same caller, the same complaint: the case already created.
    let (s, again) = app
        .post("officer", "/api/v1/complaints", body.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["reference"], mine.as_str());
    // Laid out differently (order, explicit nulls and defaults), it is still the same complaint.
    let relaid = json!({"idempotency_key": "retry-1", "confidential": false, "policy": null,
                        "complainant": {"email": "dan@example.org", "name": "Dan Ode", "phone": null},
                        "summary": "Mould in the kitchen", "channel": "email", "received_on": "2026-05-04"});
    let (s, again) = app.post("officer", "/api/v1/complaints", relaid).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["reference"], mine.as_str());
    // Another caller with the same key: a case of their own, and nothing of the first.
    let (s, theirs) = app
        .post("officer2", "/api/v1/complaints", body.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{theirs}");
    let theirs_ref = theirs["reference"].as_str().unwrap().to_owned();
    assert_ne!(theirs_ref, mine);
    assert!(!theirs.to_string().contains(&mine), "{theirs}");
    let mut different = body.clone();
    different["summary"] = json!("The lift has been broken for a month");
    let (s, managers) = app
        .post("manager", "/api/v1/complaints", different.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{managers}");
    assert!(!managers.to_string().contains(&mine), "{managers}");
    // The same caller, the same key, a different complaint: refused, naming the key, revealing nothing.
    let (s, p) = app.post("officer", "/api/v1/complaints", different).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "idempotency_key", "{p}");
    assert!(
        p["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("was used for a different complaint"),
        "{p}"
    );
    assert!(!p.to_string().contains(&mine), "{p}");
    let mut anonymous = body.clone();
    anonymous.as_object_mut().unwrap().remove("complainant");
    let (s, p) = app.post("officer2", "/api/v1/complaints", anonymous).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "idempotency_key", "{p}");
    // Each caller's retry still finds their own case.
    let (s, again) = app.post("officer2", "/api/v1/complaints", body).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["reference"], theirs_ref.as_str());
    assert_eq!(app.store.count_cases().await.unwrap(), 3);
}

async fn cursors_keep_their_sort(app: TestApp) {
    for day in ["2026-05-04", "2026-05-05", "2026-05-06"] {
        app.new_complaint(day).await;
    }
    let cursor = |sort: &'static str| {
        let app = &app;
        async move {
            let (s, page) = app
                .get(
                    "officer",
                    &format!("/api/v1/complaints?sort={sort}&limit=1"),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{page}");
            page["next_cursor"].as_str().unwrap().to_owned()
        }
    };
    let due = cursor("due").await;
    let received = cursor("received").await;
    for (path, made_for) in [
        (
            format!("/api/v1/complaints?sort=received&cursor={due}"),
            "due",
        ),
        (
            format!("/api/v1/complaints?sort=due&cursor={received}"),
            "received",
        ),
    ] {
        let (s, p) = app.get("officer", &path).await;
        assert_eq!(s, StatusCode::CONFLICT, "{path}: {p}");
        assert_eq!(p["errors"][0]["field"], "cursor", "{path}: {p}");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("sort={made_for}")),
            "{path}: {p}"
        );
    }
    // Under its own order, each continues; without `sort`, the cursor's own order applies.
    for path in [
        format!("/api/v1/complaints?sort=due&limit=1&cursor={due}"),
        format!("/api/v1/complaints?cursor={due}&limit=1"),
        format!("/api/v1/complaints?cursor={received}&limit=1"),
        format!("/api/v1/complaints?sort=received&limit=1&cursor={received}"),
    ] {
        let (s, page) = app.get("officer", &path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {page}");
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{path}: {page}");
    }
}

async fn confidential_cases_are_seen_by_their_author_and_assignee(app: TestApp) {
    // An officer logs a confidential complaint: it is answered, and stays theirs to see.
    let (s, created) = app
        .post(
            "officer",
            "/api/v1/complaints",
            json!({"received_on": "2026-05-04", "channel": "letter", "summary": "About a member of staff",
                   "complainant": {"name": "Eve Long"}, "confidential": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["confidential"], true);
    let r = created["reference"].as_str().unwrap().to_owned();
    let case_path = format!("/api/v1/complaints/{r}");
    let sees = |who: &'static str| {
        let (app, case_path, r) = (&app, &case_path, &r);
        async move {
            let (s, _) = app.get(who, case_path).await;
            let (ls, list) = app.get(who, "/api/v1/complaints?limit=200").await;
            assert_eq!(ls, StatusCode::OK, "{who}: {list}");
            let listed = list.to_string().contains(r.as_str());
            assert_eq!(
                s == StatusCode::OK,
                listed,
                "{who}: the case and the list agree ({s})"
            );
            if !listed {
                assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
            }
            listed
        }
    };
    assert!(sees("officer").await, "the officer who logged it");
    assert!(sees("manager").await);
    assert!(sees("admin").await);
    for who in ["officer2", "asha", "investigator", "viewer"] {
        assert!(!sees(who).await, "{who}");
    }
    let (s, _) = app
        .event_as(
            "officer2",
            &r,
            json!({"type": "acknowledged", "on": "2026-05-05"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another officer cannot record on it"
    );
    // Assigned to Asha, she sees it and can progress it; the other officer still cannot.
    let (s, body) = app
        .event(
            &r,
            json!({"type": "assigned", "on": "2026-05-05", "officer": "asha"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(sees("asha").await, "the assigned officer");
    let (s, body) = app
        .event_as(
            "asha",
            &r,
            json!({"type": "acknowledged", "on": "2026-05-06"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(
        sees("officer").await,
        "the officer who logged it, after assigning it"
    );
    assert!(!sees("officer2").await);
    let (s, _) = app
        .event_as(
            "officer2",
            &r,
            json!({"type": "assigned", "on": "2026-05-06", "officer": "officer2"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Reassigned, it goes with the assignment: the current assignee sees it, a past one no longer does.
    let (s, body) = app
        .event_as(
            "manager",
            &r,
            json!({"type": "assigned", "on": "2026-05-07", "officer": "investigator-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(!sees("asha").await, "a past assignee");
    assert!(sees("officer").await);
}

/// A complaint received on Friday 22 May 2026 (Monday 25 May is the Spring bank holiday), acknowledged and
/// defined on Tuesday 26 May under `policy`, assigned to Asha.
async fn acknowledged_and_defined(app: &TestApp, policy: &str) -> String {
    let (s, body) = app
        .post(
            "officer",
            "/api/v1/complaints",
            json!({"policy": policy, "received_on": "2026-05-22", "channel": "phone",
                   "summary": "Damp in the bedroom", "complainant": {"name": "Aisha Khan"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let r = body["reference"].as_str().unwrap().to_owned();
    for event in [
        json!({"type": "assigned", "on": "2026-05-26", "officer": "asha"}),
        json!({"type": "complaint_defined", "on": "2026-05-26",
               "heads": [{"summary": "The roof leaks into the bedroom", "outcome_sought": "Repair the roof"}]}),
        json!({"type": "acknowledged", "on": "2026-05-26"}),
    ] {
        let (s, case) = app.event(&r, event).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
    }
    r
}

/// A response letter drafted with its response records nothing until it is issued; issuing it records the
/// response dated the day it is issued (Monday 1 June 2026, within the clock's Tuesday 9 June) and then the
/// letter, linked, so no warning asks for a letter. A step of another kind is refused, naming `step`.
async fn a_response_letter_records_its_response(app: TestApp) {
    let r = acknowledged_and_defined(&app, "code-2024").await;
    let letters = format!("/api/v1/complaints/{r}/letters");
    let response = json!({"type": "responded", "on": "2026-05-27", "heads": [
        {"head": 1, "outcome": "upheld", "reasons": "The roofer found a slipped tile on 28 May"}],
        "remedies": [{"kind": "action", "description": "Replace the tile", "due_on": "2026-06-12"}]});
    let (s, wrong) = app
        .post(
            "officer",
            &letters,
            json!({"kind": "stage_response", "step": {"type": "acknowledged", "on": "2026-06-01"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{wrong}");
    assert!(
        wrong["detail"]
            .as_str()
            .unwrap()
            .contains("record the step \"responded\""),
        "{wrong}"
    );
    let (s, letter) = app
        .post(
            "officer",
            &letters,
            json!({"kind": "stage_response", "step": response}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{letter}");
    assert_eq!(letter["records_step"], "responded", "{letter}");
    assert_eq!(letter["missing"], json!([]), "{letter}");
    let (_, case) = app.get("officer", &format!("/api/v1/complaints/{r}")).await;
    assert_eq!(
        status_of(&case, "stage1_response"),
        "pending",
        "nothing is recorded by a draft"
    );
    let id = letter["id"].as_str().unwrap();
    let (s, issued) = app
        .post(
            "officer",
            &format!("/api/v1/letters/{id}/issue"),
            json!({"channel": "post"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let (_, case) = app.get("officer", &format!("/api/v1/complaints/{r}")).await;
    let kinds: Vec<&str> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds[kinds.len() - 2..],
        ["responded", "letter_issued"],
        "{case}"
    );
    let clock = case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["clock"] == "stage1_response")
        .unwrap();
    assert_eq!(clock["met_on"], "2026-06-01", "{clock}");
    assert_eq!(clock["status"], "met", "{clock}");
    assert!(!warning_codes(&case).contains(&"response_letter_not_issued".to_owned()));
    let (_, pdf_type, pdf) = app
        .get_bytes("officer", &format!("/api/v1/letters/{id}.pdf"))
        .await;
    assert_eq!(pdf_type, "application/pdf");
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Mon 1 Jun 2026"),
        "the letter is dated as the response: {text}"
    );
    assert!(text.contains("slipped tile"), "{text}");
}

/// Harrogate's checklist (its section 10) for a stage 1 response: listed on the letter, every question to be
/// answered and a "no" explained before it is issued, and the answers kept on the event. A response recorded
/// on its own carries a warning until its letter is issued.
async fn harrogate_letters_answer_its_checklist(app: TestApp) {
    let r = acknowledged_and_defined(&app, "harrogate-ha").await;
    let (s, case) = app
        .event_as(
            "asha",
            &r,
            json!({"type": "responded", "on": "2026-05-29", "heads": [
                {"head": 1, "outcome": "not_upheld", "reasons": "The roof was repaired on 27 May"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert!(warning_codes(&case).contains(&"response_letter_not_issued".to_owned()));
    let (s, letter) = app
        .post(
            "officer",
            &format!("/api/v1/complaints/{r}/letters"),
            json!({"kind": "stage_response"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{letter}");
    let ids: Vec<&str> = letter["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["apology", "all-elements", "compensation", "next-stage"]
    );
    let issue = format!("/api/v1/letters/{}/issue", letter["id"].as_str().unwrap());
    let (s, p) = app
        .post("officer", &issue, json!({"channel": "post"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["errors"][0]["field"], "checklist", "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("Did the letter contain an apology?"),
        "{p}"
    );
    let mut answers = json!({"apology": {"answer": "no"}, "all-elements": {"answer": "yes"},
                             "compensation": {"answer": "no", "explanation": "Nothing was upheld"},
                             "next-stage": {"answer": "yes"}});
    let (s, p) = app
        .post(
            "officer",
            &issue,
            json!({"channel": "post", "checklist": answers}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("Explain the \"no\""),
        "{p}"
    );
    let (s, p) = app
        .post(
            "officer",
            &issue,
            json!({"channel": "post", "checklist": {"apology": {"answer": "maybe"}}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    answers["apology"]["explanation"] =
        json!("Not upheld: the repair was done before the complaint");
    let (s, p) = app
        .post(
            "officer",
            &issue,
            json!({"channel": "post", "checklist": answers}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (_, case) = app.get("officer", &format!("/api/v1/complaints/{r}")).await;
    assert!(!warning_codes(&case).contains(&"response_letter_not_issued".to_owned()));
    let issued = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "letter_issued")
        .unwrap();
    assert_eq!(issued["checklist"].as_array().unwrap().len(), 4, "{issued}");
    let (_, seen_by_board) = app.get("viewer", &format!("/api/v1/complaints/{r}")).await;
    let withheld = seen_by_board.to_string();
    assert!(
        !withheld.contains("Nothing was upheld"),
        "the board sees no explanation: {withheld}"
    );
}
