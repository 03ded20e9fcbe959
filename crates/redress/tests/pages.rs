//! The staff pages over real HTTP: sign-in, sessions, CSRF, escaping. (The full lifecycle in a real browser,
//! with axe, is in `browser-tests/`.)
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use jiff::civil::date;
use redress_domain::access::Role;
use redress_web::AppState;
use redress_web::throttle::SignInLimits;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

struct App {
    base: String,
    client: Client,
    /// The SQLite database, to look at what the pages stored.
    url: String,
    /// Stops the server and waits for it to finish (its state, store and all, dropped).
    server: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    )>,
}

impl App {
    /// Sessions stored, however they ended up there.
    async fn sessions(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM sessions").await
    }

    async fn cases(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM cases").await
    }

    async fn count(&self, sql: &'static str) -> i64 {
        let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
        let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }

    /// The same server, reached from another loopback address (Linux routes all of 127.0.0.0/8 to `lo`).
    fn reached_from(&self, ip: &str) -> App {
        App {
            base: self.base.clone(),
            client: Client::builder()
                .redirect(Policy::none())
                .local_address(ip.parse::<std::net::IpAddr>().unwrap())
                .build()
                .unwrap(),
            url: self.url.clone(),
            server: None,
        }
    }

    /// Shuts the server down, as a restart would.
    async fn stop(mut self) {
        let (stop, done) = self.server.take().unwrap();
        stop.send(()).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(30), done)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

async fn spawn() -> App {
    let dir = std::env::temp_dir().join("redress-page-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/{}.db", dir.display(), redress_store::new_id());
    spawn_on(&url, SignInLimits::default()).await
}

/// A server (new state, new router, new store) on the SQLite database at `url`, with the two staff users
/// when it is new.
async fn spawn_on(url: &str, limits: SignInLimits) -> App {
    let store = redress::open_and_migrate(url).await.unwrap();
    let seed = store.count_users().await.unwrap() == 0;
    for (email, name, role) in [
        (
            "officer@example.org",
            "Olu Officer",
            Role::ComplaintsOfficer,
        ),
        ("viewer@example.org", "Vic Viewer", Role::Viewer),
        (
            "officer2@example.org",
            "Ola Second",
            Role::ComplaintsOfficer,
        ),
    ] {
        if !seed {
            break;
        }
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
    state.documents = Arc::new(redress_store::documents::DocumentStore::new(
        std::env::temp_dir()
            .join("redress-page-documents")
            .join(redress_store::new_id()),
    ));
    state.sign_in_limits = limits;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(redress_web::serve(listener, Arc::new(state), async move {
        let _ = stopped.await;
    }));
    App {
        base,
        client: Client::builder().redirect(Policy::none()).build().unwrap(),
        url: url.to_owned(),
        server: Some((stop, done)),
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

/// Logs a complaint through the form; returns the case's path.
async fn log_one(app: &App, cookie: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let (_, form) = get(app, cookie, "/complaints/new").await;
    let token = csrf(&form);
    let mut fields: Vec<(String, String)> = [
        ("_csrf", token.as_str()),
        ("received_on", "2026-05-28"),
        ("channel", "phone"),
        ("policy", "code-2024"),
        ("name", "Ada Resident"),
        ("summary", "The boiler has not worked for a month"),
        ("not_duplicate", "1"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in extra {
        fields.retain(|(key, _)| key != k);
        fields.push(((*k).to_owned(), (*v).to_owned()));
    }
    post_form(app, Some(cookie), "/complaints", &fields).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_sign_in_only_same_site_paths_are_followed_and_failures_start_no_session() {
    let app = spawn().await;
    // The form carries only a safe `next`; a newline in it is no error.
    for query in [
        "next=%0d%0a",
        "next=%2F%0d%0aSet-Cookie:%20evil=1",
        "next=%2F%09%2Fevil.example",
        "next=%2F%5Cevil.example",
        "next=%2F%2Fevil.example",
    ] {
        let (status, html) = get(&app, "", &format!("/sign-in?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(
            html.contains(r#"name="next" value="/">"#) && !html.contains("evil"),
            "{query}: {html}"
        );
    }
    let (_, html) = get(&app, "", "/sign-in?next=%2Fcomplaints%2Fnew").await;
    assert!(html.contains(r#"name="next" value="/complaints/new">"#));

    // A failed sign-in, whatever `next` holds, starts no session.
    let resp = post_form(
        &app,
        None,
        "/sign-in",
        &[
            ("email", "officer@example.org"),
            ("password", "wrong"),
            ("next", "/\r\nSet-Cookie: evil=1"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.headers().get("set-cookie").is_none());
    assert_eq!(
        app.sessions().await,
        0,
        "no session row for a failed sign-in"
    );

    // A successful one goes home when `next` is not a plain same-site path, and never breaks on it.
    for (next, location) in [
        ("/\r\nSet-Cookie: evil=1", "/"),
        ("/%0d%0a", "/%0d%0a"),
        ("/\t/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/complaints/new", "/complaints/new"),
    ] {
        let resp = post_form(
            &app,
            None,
            "/sign-in",
            &[
                ("email", "officer@example.org"),
                ("password", "correct horse battery"),
                ("next", next),
            ],
        )
        .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(resp.headers()["location"], location, "{next:?}");
        let cookies: Vec<_> = resp.headers().get_all("set-cookie").iter().collect();
        assert_eq!(cookies.len(), 1, "{next:?}");
        assert!(cookies[0].to_str().unwrap().starts_with("redress_session="));
    }
    assert_eq!(app.sessions().await, 7, "one session for each sign-in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_shows_only_its_own_problem_sentences() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let resp = log_one(&app, &cookie, &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let path = location.split('?').next().unwrap().to_owned();

    // A crafted link cannot put its words on the page.
    let (status, html) = get(
        &app,
        &cookie,
        &format!("{path}?problem=Your+account+is+suspended.+Call+0800+000+000"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Your account is suspended"), "{html}");
    assert!(!html.contains("0800"));
    assert!(
        !html.contains("There is a problem"),
        "unknown codes are ignored"
    );

    // A triage the policy refuses is decided before anything is written: the form comes back with the
    // domain's reason, and no case is created.
    let before = app.cases().await;
    let resp = log_one(
        &app,
        &cookie,
        &[
            ("triage", "not_accepted"),
            ("exclusion", "no-such-ground"),
            ("exclusion_reason", "Because"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("&#39;no-such-ground&#39; is not one of this policy&#39;s exclusions")
            || html.contains("'no-such-ground' is not one of this policy's exclusions"),
        "{html}"
    );
    assert_eq!(app.cases().await, before, "nothing half-written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_pages_keep_the_real_status() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    // 413: a form over the body limit is a page saying so.
    let resp = log_one(&app, &cookie, &[("summary", &"x".repeat(70 * 1024))]).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("The form is too large"), "{html}");

    // 415: a form that is not one.
    let resp = app
        .client
        .post(format!("{}/complaints", app.base))
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(resp.text().await.unwrap().contains("web form"));

    // 409: a step the lifecycle refuses (reopening an open case) is a conflict, shown on the case page.
    let resp = log_one(&app, &cookie, &[]).await;
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let path = location.split('?').next().unwrap().to_owned();
    let (_, html) = get(&app, &cookie, &path).await;
    let resp = post_form(
        &app,
        Some(&cookie),
        &format!("{path}/steps/reopen"),
        &[
            ("_csrf", csrf(&html).as_str()),
            ("on", "2026-05-29"),
            ("reason", "Asked again"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(resp.text().await.unwrap().contains("There is a problem"));

    // 404: no such case, as a page.
    let (status, html) = get(&app, &cookie, "/complaints/CMP-1999-999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("There is no complaint CMP-1999-999999"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_out_that_failed_does_not_look_done() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let (_, html) = get(&app, &cookie, "/").await;
    // The database refuses to delete sessions.
    let pool = sqlx::SqlitePool::connect(&app.url).await.unwrap();
    sqlx::query(
        "CREATE TRIGGER keep_sessions BEFORE DELETE ON sessions \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let resp = post_form(&app, Some(&cookie), "/sign-out", &[("_csrf", csrf(&html))]).await;
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        resp.headers().get("set-cookie").is_none(),
        "the cookie is kept: the session still works"
    );
    let body = resp.text().await.unwrap();
    assert!(body.contains("You have not been signed out"), "{body}");
    assert!(!body.contains("injected failure"), "the cause is not shown");
    let (status, _) = get(&app, &cookie, "/").await;
    assert_eq!(status, StatusCode::OK, "and the page says so truthfully");
}

/// One sign-in attempt.
async fn attempt(app: &App, email: &str, password: &str) -> reqwest::Response {
    post_form(
        app,
        None,
        "/sign-in",
        &[("email", email), ("password", password), ("next", "/")],
    )
    .await
}

/// A refusal: 429, no session, a `Retry-After` within `(0, max]` seconds, and the same words whoever was
/// tried. Returns the page's message with the email taken out.
async fn assert_throttled(resp: reqwest::Response, email: &str, max: u64) -> String {
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("set-cookie").is_none());
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= max, "Retry-After: {retry}");
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Too many attempts to sign in. Wait"),
        "{html}"
    );
    assert!(!html.contains("not right"), "{html}");
    html.replace(email, "EMAIL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_throttling_per_account_survives_a_restart_and_says_nothing_of_who_exists() {
    let first = spawn().await;
    let url = first.url.clone();
    for _ in 0..5 {
        let resp = attempt(&first, "Officer@Example.org", "guess").await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // An account that does not exist is counted just the same.
    for _ in 0..5 {
        let resp = attempt(&first, "nobody@example.org", "guess").await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    first.stop().await;

    // A new server (new state, router and store) on the same database still refuses, even the right
    // password, without checking it.
    let second = spawn_on(&url, SignInLimits::default()).await;
    let real = assert_throttled(
        attempt(&second, "officer@example.org", "correct horse battery").await,
        "officer@example.org",
        15 * 60,
    )
    .await;
    let unknown = assert_throttled(
        attempt(&second, "nobody@example.org", "guess").await,
        "nobody@example.org",
        15 * 60,
    )
    .await;
    assert_eq!(
        real, unknown,
        "the same page whether or not the account exists"
    );
    assert_eq!(second.sessions().await, 0);
    // Refused attempts are not stored as failures; nothing stored names the email.
    assert_eq!(
        second.count("SELECT COUNT(*) FROM sign_in_failures").await,
        10
    );
    assert_eq!(
        second
            .count(
                "SELECT COUNT(*) FROM sign_in_failures \
                 WHERE account LIKE '%@%' OR account LIKE '%officer%' OR account LIKE '%nobody%'"
            )
            .await,
        0
    );

    // Another account is not affected; a success clears that account's count.
    for _ in 0..4 {
        let resp = attempt(&second, "viewer@example.org", "guess").await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    sign_in(&second, "viewer@example.org").await;
    for _ in 0..4 {
        let resp = attempt(&second, "viewer@example.org", "guess").await;
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the four failures before the sign-in were forgotten"
        );
    }
    sign_in(&second, "viewer@example.org").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_throttling_per_address_covers_every_account_tried_from_it() {
    let app = spawn().await;
    // Twenty addresses guessed once each, from one client address.
    for i in 0..20 {
        let resp = attempt(&app, &format!("guess{i}@example.org"), "guess").await;
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {i}"
        );
    }
    // From that address, even an account never tried is refused.
    assert_throttled(
        attempt(&app, "officer@example.org", "correct horse battery").await,
        "officer@example.org",
        15 * 60,
    )
    .await;
    // From another address, the same account signs in.
    let elsewhere = app.reached_from("127.0.0.2");
    sign_in(&elsewhere, "officer@example.org").await;
    assert_eq!(app.sessions().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_throttling_has_an_overall_ceiling_across_addresses() {
    let dir = std::env::temp_dir().join("redress-page-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/{}.db", dir.display(), redress_store::new_id());
    let limits = SignInLimits {
        overall: 3,
        ..SignInLimits::default()
    };
    let app = spawn_on(&url, limits).await;
    for (i, ip) in ["127.0.0.1", "127.0.0.2", "127.0.0.3"].iter().enumerate() {
        let resp = attempt(
            &app.reached_from(ip),
            &format!("guess{i}@example.org"),
            "guess",
        )
        .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{ip}");
    }
    // A fourth address, a fourth account: the ceiling is reached, for a minute.
    assert_throttled(
        attempt(
            &app.reached_from("127.0.0.4"),
            "officer@example.org",
            "correct horse battery",
        )
        .await,
        "officer@example.org",
        60,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_key_is_its_users_own() {
    let app = spawn().await;
    let submit = |cookie: String, summary: &'static str| {
        let app = &app;
        async move {
            let (_, form) = get(app, &cookie, "/complaints/new").await;
            let token = csrf(&form);
            let fields = [
                ("_csrf", token.as_str()),
                ("idempotency_key", "shared-key"),
                ("received_on", "2026-05-28"),
                ("channel", "phone"),
                ("policy", "code-2024"),
                ("anonymous", "on"),
                ("summary", summary),
                ("triage", "complaint"),
            ];
            let resp = post_form(app, Some(&cookie), "/complaints", &fields).await;
            assert_eq!(resp.status(), StatusCode::SEE_OTHER);
            resp.headers()["location"].to_str().unwrap().to_owned()
        }
    };
    let first = sign_in(&app, "officer@example.org").await;
    let second = sign_in(&app, "officer2@example.org").await;
    let mine = submit(first.clone(), "The boiler is broken").await;
    let theirs = submit(second, "The boiler is broken").await;
    assert_ne!(
        theirs, mine,
        "another user's key never leads to the first case"
    );
    assert_eq!(app.cases().await, 2);
    assert_eq!(submit(first, "The boiler is broken").await, mine);
    assert_eq!(app.cases().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officers_own_confidential_case_is_in_their_work_queue_and_no_one_elses() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let resp = log_one(
        &app,
        &cookie,
        &[("confidential", "true"), ("name", "Cora Confidential")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let reference = reference_logged(&resp);
    let (status, queue) = get(&app, &cookie, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        queue.contains(&reference),
        "the officer who logged it sees it"
    );
    // The board's viewer does not: neither in the queue nor on the case page.
    let viewer = sign_in(&app, "viewer@example.org").await;
    let (_, queue) = get(&app, &viewer, "/").await;
    assert!(!queue.contains(&reference));
    let (status, _) = get(&app, &viewer, &format!("/complaints/{reference}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The reference of the case a logged complaint was redirected to.
fn reference_logged(resp: &reqwest::Response) -> String {
    let location = resp.headers()["location"].to_str().unwrap();
    location
        .trim_start_matches("/complaints/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

/// The step forms a case page shows: the slugs of its step forms, in page order.
fn step_forms_on(html: &str, reference: &str) -> Vec<String> {
    let marker = format!("action=\"/complaints/{reference}/steps/");
    html.match_indices(&marker)
        .map(|(i, _)| {
            html[i + marker.len()..]
                .split('"')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The steps the domain allows the officer on the stored case, as of the server's today.
async fn domain_steps(app: &App, reference: &str, policy_id: &str, officer: &str) -> Vec<String> {
    let store = redress::open_and_migrate(&app.url).await.unwrap();
    let record = store.case_by_reference(reference).await.unwrap();
    let events: Vec<_> = record.events.iter().map(|e| e.event.clone()).collect();
    let case = redress_domain::Case::fold(&events).unwrap();
    let policy = redress_domain::presets::preset(policy_id).unwrap().unwrap();
    let calendar = policy.working_calendar(redress_domain::BankHolidays::embedded());
    let user = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == officer)
        .unwrap();
    let actor = redress_domain::Actor {
        id: &user.id,
        role: user.role,
    };
    case.available_steps(&policy, &calendar, &actor, date(2026, 6, 1))
        .into_iter()
        .map(|s| s.step.as_str().to_owned())
        .collect()
}

/// Records a step through its form on the case page; the answer is the case page again.
async fn take_step(app: &App, cookie: &str, reference: &str, slug: &str, fields: &[(&str, &str)]) {
    let path = format!("/complaints/{reference}");
    let (_, html) = get(app, cookie, &path).await;
    let token = csrf(&html);
    let version = {
        let i = html.find("name=\"version\" value=\"").unwrap() + 22;
        html[i..].split('"').next().unwrap().to_owned()
    };
    let mut form = vec![("_csrf", token.as_str()), ("version", version.as_str())];
    form.extend_from_slice(fields);
    let resp = post_form(app, Some(cookie), &format!("{path}/steps/{slug}"), &form).await;
    let status = resp.status();
    let body = resp.text().await.unwrap();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{slug} on {reference}: {body}"
    );
}

/// Under `preset`, at each point of a case's life, the case page offers exactly the steps the domain's
/// `available_steps` lists, in its order, and the ones taken can be posted.
async fn the_page_offers_the_available_steps_under(preset: &str) {
    let app = spawn().await;
    let officer = "officer@example.org";
    let cookie = sign_in(&app, officer).await;
    let resp = log_one(&app, &cookie, &[("policy", preset)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{preset}");
    let reference = reference_logged(&resp);
    let steps: [(&str, Vec<(&str, &str)>); 4] = [
        ("acknowledge", vec![("on", "2026-05-29")]),
        (
            "define",
            vec![
                ("on", "2026-05-29"),
                ("head_1", "The boiler has not worked"),
                ("outcome_1", "A working boiler"),
            ],
        ),
        ("respond", vec![("on", "2026-06-01"), ("head_1", "upheld")]),
        ("escalate", vec![("on", "2026-06-01")]),
    ];
    let mut checked = 0;
    for taken in std::iter::once(None).chain(steps.iter().map(Some)) {
        if let Some((slug, fields)) = taken {
            let offered = domain_steps(&app, &reference, preset, officer).await;
            if !offered.iter().any(|s| s == slug) {
                break;
            }
            take_step(&app, &cookie, &reference, slug, fields).await;
        }
        let (status, html) = get(&app, &cookie, &format!("/complaints/{reference}")).await;
        assert_eq!(status, StatusCode::OK);
        let expected = domain_steps(&app, &reference, preset, officer).await;
        assert!(!expected.is_empty(), "{preset}: no steps at all");
        assert_eq!(
            step_forms_on(&html, &reference),
            expected,
            "{preset} after {:?}",
            taken.map(|(s, _)| s)
        );
        checked += 1;
    }
    assert!(checked >= 3, "{preset}: only {checked} points checked");
}

/// One test per preset (named after it), and a check that none is left out.
macro_rules! page_steps_per_preset {
    ($($test:ident => $preset:literal),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                the_page_offers_the_available_steps_under($preset).await;
            }
        )+

        #[test]
        fn every_preset_has_its_page_steps_test() {
            let tested = [$($preset),+];
            for preset in redress_domain::presets::PRESETS {
                assert!(tested.contains(&preset.id), "{} has no page steps test", preset.id);
            }
        }
    };
}

page_steps_per_preset! {
    page_steps_follow_available_steps_under_code_2024 => "code-2024",
    page_steps_follow_available_steps_under_scottish_model_chp => "scottish-model-chp",
    page_steps_follow_available_steps_under_herring_house_trust => "herring-house-trust",
    page_steps_follow_available_steps_under_resolution_team_2022 => "resolution-team-2022",
    page_steps_follow_available_steps_under_performance_improvement_2025 => "performance-improvement-2025",
    page_steps_follow_available_steps_under_herefordshire_council => "herefordshire-council",
    page_steps_follow_available_steps_under_harrogate_ha => "harrogate-ha",
}

/// A form's errors are all shown at once: the form's own (no date received) with the complaint's (an email
/// address that is not one, no description), each linked to its field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_complaint_forms_errors_are_all_shown_at_once() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let resp = log_one(
        &app,
        &cookie,
        &[
            ("received_on", ""),
            ("email", "not an address"),
            ("summary", " "),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for (field, message) in [
        ("received_on", "Enter the date the complaint was received"),
        (
            "complainant.email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ("summary", "Describe the complaint"),
    ] {
        assert!(
            html.contains(&format!("href=\"#{field}\">{message}")),
            "{field}: {message} is not in the error summary"
        );
    }
    assert_eq!(app.cases().await, 0, "nothing was logged");
}

/// A step the case allows but not from this officer says so, instead of being left out: whoever decided
/// stage 1 may not decide stage 2, and is told; another officer gets the form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_withheld_from_an_officer_says_why() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let resp = log_one(&app, &cookie, &[]).await;
    let reference = reference_logged(&resp);
    for (slug, fields) in [
        ("acknowledge", vec![("on", "2026-05-29")]),
        (
            "define",
            vec![("on", "2026-05-29"), ("head_1", "No heating")],
        ),
        (
            "respond",
            vec![("on", "2026-05-29"), ("head_1", "not_upheld")],
        ),
        ("escalate", vec![("on", "2026-06-01")]),
        ("acknowledge", vec![("on", "2026-06-01")]),
    ] {
        take_step(&app, &cookie, &reference, slug, &fields).await;
    }
    let path = format!("/complaints/{reference}");
    let (_, html) = get(&app, &cookie, &path).await;
    assert!(!step_forms_on(&html, &reference).contains(&"respond".to_owned()));
    assert!(
        html.contains("Record the response: The Stage 2 response must be decided by someone who did not decide an earlier stage: Olu Officer decided Stage 1."),
        "the officer is told why they cannot respond"
    );
    let other = sign_in(&app, "officer2@example.org").await;
    let (_, html) = get(&app, &other, &path).await;
    assert!(step_forms_on(&html, &reference).contains(&"respond".to_owned()));
    assert!(!html.contains("must be decided by someone who did not decide"));
}

/// Without JavaScript the grounds for not accepting a complaint cannot follow the policy chosen, so each
/// installed policy's grounds are listed under its name, the chosen policy's first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grounds_for_not_accepting_are_listed_under_each_policy() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let (_, html) = get(&app, &cookie, "/complaints/new").await;
    let groups: Vec<&str> = html
        .match_indices("<optgroup label=\"")
        .map(|(i, m)| html[i + m.len()..].split('"').next().unwrap())
        .collect();
    let with_grounds = redress_domain::presets::PRESETS
        .iter()
        .filter(|p| {
            !redress_domain::presets::preset(p.id)
                .unwrap()
                .unwrap()
                .exclusions
                .is_empty()
        })
        .count();
    assert!(with_grounds >= 2);
    assert_eq!(groups.len(), with_grounds, "{groups:?}");
    assert_eq!(groups[0], "Housing Ombudsman Complaint Handling Code 2024");
    // The form sent back under another policy lists that policy's grounds first.
    let resp = log_one(
        &app,
        &cookie,
        &[("policy", "harrogate-ha"), ("received_on", "")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    let first = html.split("<optgroup label=\"").nth(1).unwrap();
    assert!(
        first.starts_with("Harrogate"),
        "{}",
        &first[..40.min(first.len())]
    );
}

/// The work queue shows the day each case was received.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_work_queue_shows_when_each_case_was_received() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    log_one(&app, &cookie, &[]).await;
    let (_, html) = get(&app, &cookie, "/").await;
    assert!(
        html.contains("<td data-label=\"Received\" class=\"nowrap\">Thu 28 May 2026</td>"),
        "the received day is in its column"
    );
}

/// An officer writes a letter from the case file, sees its preview and what it lacks, issues it, and
/// downloads the PDF issued; the case file lists it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_is_written_previewed_issued_and_downloaded_from_the_pages() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let resp = log_one(&app, &cookie, &[]).await;
    let reference = reference_logged(&resp);
    take_step(
        &app,
        &cookie,
        &reference,
        "acknowledge",
        &[("on", "2026-05-29")],
    )
    .await;
    let path = format!("/complaints/{reference}");
    let write = |html: &str| {
        let token = csrf(html);
        vec![
            ("_csrf".to_owned(), token),
            ("kind".to_owned(), "acknowledgement".to_owned()),
            (
                "paragraphs".to_owned(),
                "Thank you for telling us.".to_owned(),
            ),
        ]
    };
    // Before the complaint is defined the draft says what it lacks, and offers no way to issue it.
    let (_, html) = get(&app, &cookie, &path).await;
    let resp = post_form(
        &app,
        Some(&cookie),
        &format!("{path}/letters"),
        &write(&html),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let early = resp.headers()["location"].to_str().unwrap().to_owned();
    let (status, page) = get(&app, &cookie, &early).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("What the letter still needs before it can be issued"));
    assert!(
        !page.contains("action=\"/letters/"),
        "no issue form while something is missing"
    );
    take_step(
        &app,
        &cookie,
        &reference,
        "define",
        &[
            ("on", "2026-05-29"),
            ("head_1", "The lift has been broken for a month"),
            ("outcome_1", "A working lift"),
        ],
    )
    .await;
    let (_, html) = get(&app, &cookie, &path).await;
    let resp = post_form(
        &app,
        Some(&cookie),
        &format!("{path}/letters"),
        &write(&html),
    )
    .await;
    let letter = resp.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = get(&app, &cookie, &letter).await;
    assert!(
        page.contains("The lift has been broken for a month"),
        "the preview shows the definition"
    );
    assert!(page.contains("Thank you for telling us."));
    assert!(
        page.contains("Issue the letter</button>"),
        "nothing is missing: it may be issued"
    );
    assert!(
        page.contains("Email is not set up on this service: issue the letter by post.")
            && !page.contains("value=\"email\""),
        "without email set up, post only"
    );
    let token = csrf(&page);
    let resp = post_form(
        &app,
        Some(&cookie),
        &format!("{letter}/issue"),
        &[("_csrf", token.as_str()), ("channel", "post")],
    )
    .await;
    let status = resp.status();
    let body = resp.text().await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = get(&app, &cookie, &format!("{letter}?done=issued")).await;
    assert!(page.contains("The letter has been issued and recorded on the case."));
    assert!(
        !page.contains("Issue the letter</button>"),
        "an issued letter is not issued again"
    );
    let pdf = app
        .client
        .get(format!("{}{letter}/pdf", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    let file = std::env::temp_dir().join(format!(
        "redress-page-letter-{}.pdf",
        redress_store::new_id()
    ));
    std::fs::write(&file, &bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext runs (install poppler-utils)");
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(&reference) && text.contains("The lift has been broken for a month"),
        "{text}"
    );
    let (_, case) = get(&app, &cookie, &path).await;
    assert!(
        case.contains("Acknowledgement letter, issued Mon 1 Jun 2026 by post"),
        "the case file lists the letter"
    );
    assert!(case.contains("No email has been sent about this case."));
}

/// The case file's "Messages" shows each email and its status, the address withheld from viewers; a
/// message the service stopped sending is failed in plain English, and only a complaints manager sends it
/// again, from the case file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_file_shows_its_emails_and_a_manager_sends_a_failed_one_again() {
    use redress_store::{MessageKind, NewMessage, outbox::ABANDONED_SEND};
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let reference = reference_logged(&log_one(&app, &cookie, &[]).await);
    let store = redress::open_and_migrate(&app.url).await.unwrap();
    let manager = redress_store::User {
        id: redress_store::new_id(),
        email: "manager@example.org".into(),
        name: "Mo Manager".into(),
        role: Role::ComplaintsManager,
        password_hash: redress_web::auth::hash_password("correct horse battery").unwrap(),
    };
    store
        .create_user(&manager, &redress_store::now_utc())
        .await
        .unwrap();
    let case = store.case_by_reference(&reference).await.unwrap();
    let id = redress_store::new_id();
    let queued_at = "2026-06-01T09:00:00.000000Z";
    let message = NewMessage {
        message_id: format!("{id}@landlord.example"),
        id: id.clone(),
        case_id: Some(case.id.clone()),
        reference: Some(reference.clone()),
        letter_id: None,
        kind: MessageKind::Letter,
        recipient: "resident@example.org".into(),
        subject: format!("Your complaint {reference}"),
        body: "Dear resident".into(),
        attachment: None,
        queued_at: queued_at.into(),
        dedupe_key: None,
    };
    store.queue_messages(&[message]).await.unwrap();
    // Claimed, and its worker stopped: the lease ran out.
    let lease = "2026-06-01T09:01:00.000000Z";
    assert_eq!(
        store
            .claim_messages(queued_at, lease, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .fail_abandoned_sends("2026-06-01T09:02:00.000000Z")
            .await
            .unwrap(),
        1
    );

    let path = format!("/complaints/{reference}");
    let (_, page) = get(&app, &cookie, &path).await;
    assert!(page.contains("<h2 id=\"messages\">Messages</h2>"));
    assert!(page.contains(&format!("Your complaint {reference}")));
    assert!(page.contains("resident@example.org") && page.contains("Failed"));
    assert!(page.contains(ABANDONED_SEND));
    assert!(
        !page.contains("Send again"),
        "an officer does not send it again"
    );
    let viewer = sign_in(&app, "viewer@example.org").await;
    let (_, page) = get(&app, &viewer, &path).await;
    assert!(page.contains("Failed") && !page.contains("resident@example.org"));
    assert!(
        !page.contains(ABANDONED_SEND),
        "the server's answer may quote the address"
    );

    let manager = sign_in(&app, "manager@example.org").await;
    let (_, page) = get(&app, &manager, &path).await;
    assert!(page.contains(&format!("action=\"/messages/{id}/retry\"")));
    let token = csrf(&page);
    let resp = post_form(
        &app,
        Some(&manager),
        &format!("/messages/{id}/retry"),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], format!("{path}#messages"));
    assert_eq!(
        store.message(&id).await.unwrap().status,
        redress_store::MessageStatus::Queued
    );
    let (_, page) = get(&app, &manager, &path).await;
    assert!(page.contains("Queued") && !page.contains("Send again"));
}

/// The work queue's search box: labelled, it finds by name and postcode among the queue's other filters,
/// says how many match, shows what was typed as text, says so when nothing matches, reports text it
/// cannot take, and finds only by reference for the board's viewer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_work_queue_finds_cases_by_search() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let quist = reference_logged(
        &log_one(
            &app,
            &cookie,
            &[
                ("name", "Bertram Quist"),
                ("address", "4 Mill Lane, Otley LS21 1AA"),
            ],
        )
        .await,
    );
    let ada = reference_logged(&log_one(&app, &cookie, &[]).await);
    let (status, page) = get(&app, &cookie, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<label for=\"q\">Find a case</label>"),
        "{page}"
    );
    for query in [
        "q=quist",
        "q=ls21+1aa",
        "q=Quist&stage=1",
        "q=bertram+quist",
    ] {
        let (status, page) = get(&app, &cookie, &format!("/?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(page.contains("1 case matches"), "{query}: {page}");
        assert!(page.contains(&quist) && !page.contains(&ada), "{query}");
    }
    let (_, page) = get(&app, &cookie, "/?q=boiler").await;
    assert!(page.contains("2 cases match"), "{page}");
    assert!(page.contains("value=\"boiler\""), "the box keeps the text");
    let (_, page) = get(&app, &cookie, "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(!page.contains("<script>alert"), "escaped");
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{page}"
    );
    assert!(page.contains("No open cases match"), "{page}");
    let (status, page) = get(&app, &cookie, &format!("/?q={}", "x".repeat(201))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("The search must be at most 200 characters") && page.contains("href=\"#q\""),
        "an error linked to the box: {page}"
    );
    let viewer = sign_in(&app, "viewer@example.org").await;
    let (_, page) = get(&app, &viewer, "/?q=quist").await;
    assert!(
        page.contains("0 cases match") && !page.contains(&quist),
        "{page}"
    );
    assert!(
        page.contains("A case reference"),
        "the hint says what a viewer can find"
    );
    let (_, page) = get(&app, &viewer, &format!("/?q={}", quist.to_lowercase())).await;
    assert!(
        page.contains("1 case matches") && page.contains(&quist),
        "{page}"
    );
}

/// Posts a multipart form (`fields`, then the file) with the session cookie.
async fn post_multipart(
    app: &App,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> reqwest::Response {
    let boundary = "redress-page-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/pdf\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.client
        .post(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The case file's upload form: refused without its CSRF token (and nothing kept), a wrong type shown in
/// the error summary linked to the file field, a PDF listed with a download link that serves it as an
/// attachment; a viewer sees neither the name nor the link, and may not download (403).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_attached_from_the_case_file() {
    let app = spawn().await;
    let cookie = sign_in(&app, "officer@example.org").await;
    let reference = reference_logged(&log_one(&app, &cookie, &[]).await);
    let page = format!("/complaints/{reference}");
    let (_, html) = get(&app, &cookie, &page).await;
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let token = csrf(&html);
    let path = format!("/complaints/{reference}/documents");
    let pdf: &[u8] = b"%PDF-1.4\n%%EOF\n";

    let resp = post_multipart(
        &app,
        &cookie,
        &path,
        &[("_csrf", "not-the-token")],
        ("a.pdf", pdf),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = post_multipart(&app, &cookie, &path, &[], ("a.pdf", pdf)).await;
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "a token after the file is no token"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM case_documents").await, 0);

    let html_file: &[u8] = b"<html><script>alert(1)</script></html>";
    let resp = post_multipart(
        &app,
        &cookie,
        &path,
        &[("_csrf", &token)],
        ("a.pdf", html_file),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<a href=\"#document-file\">The file is not a type"),
        "{html}"
    );
    assert!(html.contains("id=\"document-file-error\""), "{html}");

    let resp = post_multipart(
        &app,
        &cookie,
        &path,
        &[("_csrf", &token)],
        ("Boiler report.pdf", pdf),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers()["location"],
        format!("/complaints/{reference}?done=document#documents").as_str()
    );
    let (_, html) = get(&app, &cookie, &page).await;
    let link = html.find("href=\"/documents/").unwrap() + 6;
    let href = &html[link..link + html[link..].find('"').unwrap()];
    assert!(html.contains("Boiler report.pdf"));
    let resp = app
        .client
        .get(format!("{}{href}", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), pdf);

    let viewer = sign_in(&app, "viewer@example.org").await;
    let (_, html) = get(&app, &viewer, &page).await;
    assert!(!html.contains("Boiler report"), "{html}");
    assert!(!html.contains("href=\"/documents/"), "{html}");
    assert!(
        html.contains("1 document is attached to this case"),
        "{html}"
    );
    let (status, _) = get(&app, &viewer, href).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
