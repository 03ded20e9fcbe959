//! Every event type, seen by every role, on the API and on the pages: the board's read-only viewer gets no
//! personal text, and every other role gets all of it (so the test would notice if the marker vanished).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use jiff::civil::date;
use redress_domain::access::Role;
use redress_domain::case::Case;
use redress_domain::event::CaseEvent;
use redress_domain::privacy::{WITHHELD, examples};
use redress_store::{Complainant, NewCase, Projection, Store, StoredEvent};
use redress_web::AppState;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

const MARKER: &str = "PERSONAL-c41d";

struct App {
    base: String,
    client: reqwest::Client,
    tokens: Vec<(Role, String)>,
}

/// One case holding every event type, imported as stored (the lifecycle is not what is tested here).
async fn import_every_event_type(store: &dyn Store) -> String {
    let events: Vec<CaseEvent> = examples(MARKER)
        .into_iter()
        .map(|e| CaseEvent::new(e, Some("staff-1")))
        .collect();
    let case = Case::fold(&events).unwrap();
    let (received, later) = events.split_first().unwrap();
    let new = NewCase {
        id: redress_store::new_id(),
        reference_year: 2026,
        policy_id: "code-2024".into(),
        policy_version: 1,
        complainant: Some(Complainant {
            name: Some(format!("{MARKER} name")),
            email: Some("personal-c41d@example.org".into()),
            phone: None,
            address: Some(format!("{MARKER} address")),
            representative_name: None,
            representative_relationship: None,
            representative_consent: false,
        }),
        summary: format!("{MARKER} summary"),
        confidential: false,
        received: received.clone(),
        triage: None,
        projection: Projection {
            stage: case.stage(),
            state: case.state.as_str().into(),
            feedback_type: case.feedback_type.as_str().into(),
            received_on: case.received_on,
            assignee: case.assignee.clone(),
            next_due_on: None,
            next_due_clock: None,
            is_open: !case.state.is_finished(),
            late_acknowledged_on: None,
        },
        recorded_at: "2026-03-02T09:00:00Z".into(),
        idempotency: None,
    };
    let later = (2..)
        .zip(later)
        .map(|(seq, e)| StoredEvent {
            seq,
            event: e.clone(),
            recorded_at: "2026-03-02T09:00:00Z".into(),
        })
        .collect();
    store
        .import_cases(vec![(new, later)])
        .await
        .unwrap()
        .remove(0)
}

async fn spawn() -> (App, String) {
    let dir = std::env::temp_dir().join("redress-privacy-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/{}.db", dir.display(), redress_store::new_id());
    let store = redress::open_and_migrate(&url).await.unwrap();
    let mut tokens = Vec::new();
    for role in Role::ALL {
        let user = redress_store::User {
            id: redress_store::new_id(),
            email: format!("{}@example.org", role.as_str()),
            name: role.display_name().into(),
            role,
            password_hash: redress_web::auth::hash_password("correct horse battery").unwrap(),
        };
        store
            .create_user(&user, &redress_store::now_utc())
            .await
            .unwrap();
        let token = redress_web::auth::create_token(store.as_ref(), role, role.as_str(), None)
            .await
            .unwrap();
        tokens.push((role, token));
    }
    let reference = import_every_event_type(store.as_ref()).await;
    let mut state = AppState::new(store);
    state.today = Arc::new(|| date(2026, 6, 1));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(redress_web::serve(
        listener,
        Arc::new(state),
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    (
        App {
            base,
            client,
            tokens,
        },
        reference,
    )
}

/// Every personal text the examples hold.
fn personal_texts() -> Vec<String> {
    let mut out = Vec::new();
    for e in examples(MARKER) {
        let json = serde_json::to_string(&e).unwrap();
        for part in json.split('"') {
            if part.starts_with(MARKER) {
                out.push(part.to_owned());
            }
        }
    }
    out
}

async fn page_as(app: &App, role: Role, path: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .post(format!("{}/sign-in", app.base))
        .form(&[
            ("email", format!("{}@example.org", role.as_str())),
            ("password", "correct horse battery".into()),
            ("next", "/".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{role:?} signs in");
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewer_sees_no_personal_text_of_any_event_on_the_api_or_the_pages() {
    let (app, reference) = spawn().await;
    let texts = personal_texts();
    assert!(texts.len() >= 23, "{texts:?}");
    for (role, token) in &app.tokens {
        let resp = app
            .client
            .get(format!("{}/api/v1/complaints/{reference}", app.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{role:?}");
        assert_eq!(
            resp.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap().to_owned()),
            Some("no-store".to_owned()),
            "personal data is not cached"
        );
        let body = resp.text().await.unwrap();
        let list = app
            .client
            .get(format!("{}/api/v1/complaints", app.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let (status, page) = page_as(&app, *role, &format!("/complaints/{reference}")).await;
        assert_eq!(status, StatusCode::OK, "{role:?}: {page}");
        let (_, queue) = page_as(&app, *role, "/?closed=true").await;
        if *role == Role::Viewer {
            for (what, text) in [
                ("case", &body),
                ("list", &list),
                ("page", &page),
                ("queue", &queue),
            ] {
                assert!(!text.contains(MARKER), "the viewer's {what} leaks: {text}");
                assert!(!text.contains("personal-c41d@example.org"), "{what}");
            }
            assert!(body.contains(WITHHELD), "withheld fields say so");
        } else {
            for t in &texts {
                assert!(
                    body.contains(t.as_str()),
                    "{role:?} should see {t:?} on the API"
                );
            }
            assert!(
                page.contains(MARKER),
                "{role:?} sees personal text on the page"
            );
        }
    }
}
