//! The staff pages over real HTTP: sign-in, sessions, CSRF, escaping. (The full lifecycle in a real browser,
//! with axe, is in `browser-tests/`.)
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use jiff::civil::date;
use redress_domain::access::Role;
use redress_web::AppState;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

struct App {
    base: String,
    client: Client,
}

async fn spawn() -> App {
    let dir = std::env::temp_dir().join("redress-page-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/{}.db", dir.display(), redress_store::new_id());
    let store = redress::open_and_migrate(&url).await.unwrap();
    for (email, name, role) in [
        (
            "officer@example.org",
            "Olu Officer",
            Role::ComplaintsOfficer,
        ),
        ("viewer@example.org", "Vic Viewer", Role::Viewer),
    ] {
        let user = redress_store::User {
            id: redress_store::new_id(),
            email: email.into(),
            name: name.into(),
            role,
            password_hash: redress_web::auth::hash_password("correct horse battery").unwrap(),
        };
        store
            .create_user(&user, &redress_store::now_utc())
            .await
            .unwrap();
    }
    let mut state = AppState::new(store);
    state.today = Arc::new(|| date(2026, 6, 1));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(redress_web::serve(
        listener,
        Arc::new(state),
        std::future::pending(),
    ));
    App {
        base,
        client: Client::builder().redirect(Policy::none()).build().unwrap(),
    }
}

/// Signs in; returns the session cookie.
async fn sign_in(app: &App, email: &str) -> String {
    let resp = post_form(
        app,
        None,
        "/sign-in",
        &[
            ("email", email),
            ("password", "correct horse battery"),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_owned()
}

async fn get(app: &App, cookie: &str, path: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// Posts a form, with the session cookie when given.
async fn post_form(
    app: &App,
    cookie: Option<&str>,
    path: &str,
    form: &impl serde::Serialize,
) -> reqwest::Response {
    let mut req = app.client.post(format!("{}{path}", app.base)).form(form);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

fn csrf(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
    html[i..i + 64].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_and_out() {
    let app = spawn().await;
    // Signed out: every page sends you to sign in, and back afterwards.
    let resp = app
        .client
        .get(format!("{}/complaints/new", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers()["location"],
        "/sign-in?next=%2Fcomplaints%2Fnew"
    );
    // A wrong password is an error summary, not a session.
    let resp = post_form(
        &app,
        None,
        "/sign-in",
        &[("email", "officer@example.org"), ("password", "wrong")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.headers().get("set-cookie").is_none());
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("There is a problem")
            && html.contains("The email address or password is not right")
    );
    assert!(html.contains("<title>Error: Sign in"));

    // Five failures lock the address out, even with the right password, for the rest of 15 minutes.
    for _ in 0..4 {
        let resp = post_form(
            &app,
            None,
            "/sign-in",
            &[("email", "viewer@example.org"), ("password", "guess")],
        )
        .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let resp = post_form(
        &app,
        None,
        "/sign-in",
        &[("email", "viewer@example.org"), ("password", "guess")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = post_form(
        &app,
        None,
        "/sign-in",
        &[
            ("email", "viewer@example.org"),
            ("password", "correct horse battery"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.text().await.unwrap().contains("Too many attempts"));

    let cookie = sign_in(&app, "officer@example.org").await;
    let (status, html) = get(&app, &cookie, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Olu Officer"));
    // Sign-out needs the CSRF token, then ends the session for good.
    let resp = post_form(
        &app,
        Some(&cookie),
        "/sign-out",
        &[("_csrf", "not-the-token")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = post_form(&app, Some(&cookie), "/sign-out", &[("_csrf", csrf(&html))]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (status, _) = get(&app, &cookie, "/").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_refuse_missing_tokens_and_cross_site_posts_and_escape_what_residents_write() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let (_, form) = get(&app, &cookie, "/complaints/new").await;
    let token = csrf(&form);
    let evil = "<script>alert(1)</script><b>bold</b>\"><img src=x onerror=alert(1)>";
    let fields = |t: &str| {
        vec![
            ("_csrf".to_owned(), t.to_owned()),
            ("idempotency_key".to_owned(), "k-1".to_owned()),
            ("received_on".to_owned(), "2026-05-28".to_owned()),
            ("channel".to_owned(), "phone".to_owned()),
            ("policy".to_owned(), "code-2024".to_owned()),
            ("name".to_owned(), evil.to_owned()),
            ("address".to_owned(), evil.to_owned()),
            ("phone".to_owned(), "<i>0123</i>".to_owned()),
            ("summary".to_owned(), evil.to_owned()),
            ("triage".to_owned(), "complaint".to_owned()),
        ]
    };
    // No token: refused. Cross-site: refused.
    let resp = post_form(&app, Some(&cookie), "/complaints", &fields("")).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app
        .client
        .post(format!("{}/complaints", app.base))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&fields(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // Logged, once, however many times it is submitted.
    let mut location = String::new();
    for _ in 0..2 {
        let resp = post_form(&app, Some(&cookie), "/complaints", &fields(&token)).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let here = resp.headers()["location"].to_str().unwrap().to_owned();
        if !location.is_empty() {
            assert_eq!(
                here, location,
                "the second submission goes to the same case"
            );
        }
        location = here;
    }
    let path = location.split('?').next().unwrap().to_owned();
    let (status, html) = get(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "unescaped script"
    );
    assert!(!html.contains("<img src=x"), "unescaped markup");
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "the text is shown, escaped"
    );
    let (_, queue) = get(&app, &cookie, "/").await;
    assert!(!queue.contains("<script>alert(1)</script>") && queue.contains("&#60;script&#62;"));
    // A step through the page: acknowledge with the case's version and the token.
    let version = {
        let i = html.find("name=\"version\" value=\"").unwrap() + 22;
        html[i..].split('"').next().unwrap().to_owned()
    };
    let resp = post_form(
        &app,
        Some(&cookie),
        &format!("{path}/steps/acknowledge"),
        &[
            ("_csrf", token.as_str()),
            ("version", version.as_str()),
            ("on", "2026-05-29"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // The same stale form again: someone else's change is reported, not applied twice.
    let resp = post_form(
        &app,
        Some(&cookie),
        &format!("{path}/steps/acknowledge"),
        &[
            ("_csrf", token.as_str()),
            ("version", version.as_str()),
            ("on", "2026-05-29"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body = resp.text().await.unwrap();
    assert!(body.contains("Someone else changed this case"), "{body}");
    // The viewer sees no personal data on the page.
    let viewer = sign_in(&app, "viewer@example.org").await;
    let (_, html) = get(&app, &viewer, &path).await;
    assert!(
        !html.contains("&#60;script&#62;"),
        "the viewer must not see the complaint text or name"
    );
    assert!(html.contains("Hidden"));
}
