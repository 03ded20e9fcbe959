//! The `redress` binary as a person uses it: real process, real arguments, exit codes and output.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Output};

fn redress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(args)
        .output()
        .expect("the redress binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn add_working_days_prints_the_iso_date() {
    // Tue 23 Dec 2025 + 10 WD in England and Wales, skipping 25, 26 Dec and 1 Jan.
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "england-and-wales",
        "2025-12-23",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2026-01-09\n");
    // Scotland also skips 2 January.
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "scotland",
        "2025-12-23",
        "10",
    ]);
    assert_eq!(stdout(&o), "2026-01-12\n");
    // Northern Ireland skips St Patrick's Day.
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "northern-ireland",
        "2026-03-16",
        "1",
    ]);
    assert_eq!(stdout(&o), "2026-03-18\n");
}

#[test]
fn working_days_between_prints_a_count() {
    let o = redress(&[
        "calendar",
        "working-days-between",
        "--calendar",
        "scotland",
        "2025-12-23",
        "2026-01-09",
    ]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), "9\n");
    let o = redress(&[
        "calendar",
        "working-days-between",
        "--calendar",
        "england-and-wales",
        "2026-01-09",
        "2025-12-23",
    ]);
    assert_eq!(stdout(&o), "-10\n");
}

#[test]
fn closure_days_and_an_updated_holiday_file_are_honoured() {
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "england-and-wales",
        "--closure-day",
        "2025-12-29",
        "--closure-day",
        "2025-12-30",
        "--closure-day",
        "2025-12-31",
        "2025-12-23",
        "2",
    ]);
    assert_eq!(stdout(&o), "2026-01-02\n");
    let mut file = tempfile();
    file.1
        .write_all(br#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"Extra","date":"2031-06-06","notes":"","bunting":true}]},"scotland":{"division":"scotland","events":[]},"northern-ireland":{"division":"northern-ireland","events":[]}}"#)
        .unwrap();
    let path = file.0.to_str().unwrap().to_owned();
    // Thu 5 June 2031 + 1 WD skips the Friday holiday in the file.
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "england-and-wales",
        "--bank-holidays",
        &path,
        "2031-06-05",
        "1",
    ]);
    assert_eq!(stdout(&o), "2031-06-09\n", "{}", stderr(&o));
    let _ = std::fs::remove_file(&file.0);
}

fn tempfile() -> (std::path::PathBuf, std::fs::File) {
    let path = std::env::temp_dir().join(format!(
        "redress-cli-{}-{}.json",
        std::process::id(),
        line!()
    ));
    let f = std::fs::File::create(&path).unwrap();
    (path, f)
}

#[test]
fn bad_arguments_get_a_one_line_error_and_a_non_zero_exit() {
    for args in [
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "wales",
            "2025-12-23",
            "10",
        ],
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "scotland",
            "2025-02-30",
            "1",
        ],
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "scotland",
            "2025-02-03",
            "-1",
        ],
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "scotland",
            "2025-02-03",
            "ten",
        ],
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "scotland",
            "1850-02-03",
            "1",
        ],
        vec![
            "calendar",
            "working-days-between",
            "--calendar",
            "scotland",
            "2025-02-03",
        ],
        vec!["calendar", "frobnicate"],
        vec!["policy", "show", "no-such-policy"],
        vec!["policy", "check", "/no/such/file.toml"],
    ] {
        let o = redress(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("redress: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // Clap's whole message is kept: which arguments are missing, which values are allowed.
    let o = redress(&["token", "create"]);
    let err = stderr(&o);
    assert!(err.contains("--role") && err.contains("--name"), "{err}");
    let o = redress(&["policy", "show", "code-2024", "--format", "yaml"]);
    let err = stderr(&o);
    assert!(
        err.contains("possible values") && err.contains("toml"),
        "{err}"
    );
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "wales",
        "2025-12-23",
        "10",
    ]);
    assert!(stderr(&o).contains("unknown calendar 'wales'"));
}

#[test]
fn policy_list_names_every_preset() {
    let o = redress(&["policy", "list"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for id in [
        "code-2024",
        "scottish-model-chp",
        "herring-house-trust",
        "resolution-team-2022",
        "performance-improvement-2025",
        "herefordshire-council",
        "harrogate-ha",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(id)),
            "{id} missing from {out}"
        );
    }
}

#[test]
fn policy_check_exits_0_without_findings_and_1_with_them() {
    let o = redress(&["policy", "check", "code-2024"]);
    assert_eq!(o.status.code(), Some(0));
    let o = redress(&["policy", "check", "herefordshire-council"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("6.12"), "{}", stdout(&o));
    let o = redress(&[
        "policy",
        "check",
        "herefordshire-council",
        "--format",
        "json",
    ]);
    let findings: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "stages.stage2.escalation.reasons_required")
    );
}

#[test]
fn policy_show_resolves_a_file_that_extends_a_preset() {
    let path = std::env::temp_dir().join(format!("redress-policy-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "id = \"our-policy\"\nname = \"Our policy\"\nversion = \"1\"\nextends = \"code-2024\"\ncalendar = \"england-and-wales\"\n\n[stages.stage1]\nname = \"Resolution\"\nrespond = { working_days = 15, from = \"acknowledged\" }\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let o = redress(&["policy", "show", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let resolved: toml::Table = stdout(&o).parse().unwrap();
    assert_eq!(resolved["id"].as_str(), Some("our-policy"));
    assert_eq!(
        resolved["stages"]["stage1"]["name"].as_str(),
        Some("Resolution")
    );
    // Inherited from the Code.
    assert_eq!(
        resolved["stages"]["stage2"]["respond"]["working_days"].as_integer(),
        Some(20)
    );
    // The resolved output loads on its own.
    let again = std::env::temp_dir().join(format!(
        "redress-policy-resolved-{}.toml",
        std::process::id()
    ));
    std::fs::write(&again, stdout(&o)).unwrap();
    let o2 = redress(&["policy", "check", again.to_str().unwrap()]);
    assert_eq!(o2.status.code(), Some(1));
    assert!(
        stdout(&o2).contains("stages.stage1.respond"),
        "{}",
        stdout(&o2)
    );
    // A bad key is named.
    std::fs::write(&path, "id = \"x\"\nname = \"X\"\nversion = \"1\"\nextends = \"code-2024\"\ncalendar = \"england-and-wales\"\n[stages.stage1]\nrespond = { working_dayz = 15, from = \"acknowledged\" }\n").unwrap();
    let o3 = redress(&["policy", "show", p]);
    assert_eq!(o3.status.code(), Some(2));
    assert!(
        stderr(&o3).contains("stages.stage1.respond"),
        "{}",
        stderr(&o3)
    );
    assert!(stderr(&o3).contains("working_dayz"), "{}", stderr(&o3));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&again);
}

#[test]
fn a_password_in_the_database_url_is_never_printed() {
    let dir = std::env::temp_dir().join(format!("redress-cli-{}", std::process::id()));
    for args in [
        vec!["migrate", "--database-url"],
        vec!["serve", "--bind", "127.0.0.1:0", "--database-url"],
    ] {
        let url = format!(
            "sqlite://{}/x.db?synchronous=full&PassWord=s3cret",
            dir.display()
        );
        let mut args = args.clone();
        args.push(&url);
        let o = redress(&args);
        assert!(!o.status.success(), "{args:?}");
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains("s3cret"), "{args:?}: {all}");
        assert!(
            all.contains("PassWord"),
            "the option at fault is named: {all}"
        );
    }
}

/// A `redress serve` on a free port of loopback, killed when dropped.
struct Server {
    child: std::process::Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db_url: &str) -> Server {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // Owned by a `Server` from the start, so that a failed start kills and reaps it too.
    let mut server = Server {
        child: Command::new(env!("CARGO_BIN_EXE_redress"))
            .args(["serve", "--database-url", db_url, "--bind", "127.0.0.1:0"])
            .env("REDRESS_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        base: String::new(),
    };
    let mut lines = BufReader::new(server.child.stdout.take().unwrap()).lines();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not start"
        );
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix("Redress is listening on ") {
            server.base = rest.split_whitespace().next().unwrap().to_owned();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return server;
        }
    }
}

/// The status of `GET /api/v1/policies` with a bearer token.
async fn policies_status(server: &Server, token: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .get(format!("{}/api/v1/policies", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// The row of `redress token list` for a token name (names here are unique and padded by spaces).
fn list_row(list: &str, name: &str) -> String {
    list.lines()
        .find(|l| l.starts_with(&format!("{name}  ")))
        .unwrap_or_else(|| panic!("no row for {name} in\n{list}"))
        .to_owned()
}

/// `YYYY-MM-DD HH:MM UTC` for now plus some hours.
fn utc_minute_in(hours: i64) -> String {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(hours))
        .unwrap()
        .strftime("%Y-%m-%d %H:%M UTC")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_list_without_their_secret_and_once_revoked_are_refused() {
    let dir = std::env::temp_dir().join(format!("redress-tokens-{}", redress_store::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db_url = format!("sqlite://{}/redress.db", dir.display());
    let create = |name: &str, role: &str, expires_in: Option<&str>| {
        let mut args = vec![
            "token",
            "create",
            "--database-url",
            &db_url,
            "--role",
            role,
            "--name",
            name,
        ];
        if let Some(e) = expires_in {
            args.extend(["--expires-in", e]);
        }
        redress(&args)
    };

    // Bad expiries are refused, naming the option and the value, and create nothing.
    for bad in ["90", "90x", "0d", "-5d", "1.5d", "d", "4000d"] {
        let o = create("Bad expiry", "viewer", Some(bad));
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stdout(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{bad}: {err}");
        assert!(err.contains("--expires-in"), "{bad}: {err}");
        assert!(err.contains(&format!("'{bad}'")), "{bad}: {err}");
    }
    let o = redress(&["token", "list", "--database-url", &db_url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("There are no API tokens"),
        "{}",
        stdout(&o)
    );

    // With --expires-in the token says when it expires; without, as before, it never does.
    let before = utc_minute_in(90 * 24);
    let o = create("Board pack", "viewer", Some("90d"));
    let after = utc_minute_in(90 * 24);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let expiring = out.lines().last().unwrap().to_owned();
    assert!(expiring.starts_with("rdt_"), "{out}");
    assert!(
        out.contains(&before) || out.contains(&after),
        "expires in 90 days ({before}): {out}"
    );
    let o = create("Housing system", "complaints_officer", None);
    assert!(o.status.success(), "{}", stderr(&o));
    let forever = stdout(&o).lines().last().unwrap().to_owned();
    assert!(!stdout(&o).contains("expires"), "{}", stdout(&o));
    let o = create("Half-day", "viewer", Some("12h"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&utc_minute_in(12)[..13]),
        "expires in 12 hours: {}",
        stdout(&o)
    );

    // A token that expired a minute ago, as one made 90 days ago with --expires-in 90d would have.
    let expired = {
        let store = redress::open_and_migrate(&db_url).await.unwrap();
        let past = jiff::Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_mins(1))
            .unwrap();
        redress_web::auth::create_token(
            store.as_ref(),
            redress_domain::access::Role::Viewer,
            "Old export",
            Some(past),
        )
        .await
        .unwrap()
    };

    // The list shows name, role, created, last used, expiry and status, never a secret or its hash.
    let o = redress(&["token", "list", "--database-url", &db_url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list = stdout(&o);
    let header = list.lines().next().unwrap();
    for column in ["NAME", "ROLE", "CREATED", "LAST USED", "EXPIRES", "STATUS"] {
        assert!(header.contains(column), "{column}: {list}");
    }
    for secret in [&expiring, &forever, &expired] {
        assert!(
            !list.contains(secret.as_str()),
            "a secret is listed: {list}"
        );
        let hash = redress_web::auth::hash_token(secret);
        assert!(!list.contains(&hash), "a token hash is listed: {list}");
    }
    assert!(!list.contains("rdt_"), "{list}");
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let row = list_row(&list, "Board pack");
    assert!(row.contains(" viewer "), "{row}");
    assert!(row.contains(&today), "created today: {row}");
    assert!(row.contains("never"), "never used yet: {row}");
    assert!(
        row.contains(&before) || row.contains(&after),
        "expiry: {row}"
    );
    assert!(row.ends_with("active"), "{row}");
    let row = list_row(&list, "Housing system");
    assert!(row.contains(" complaints_officer "), "{row}");
    assert_eq!(
        row.matches("never").count(),
        2,
        "never used, never expires: {row}"
    );
    assert!(row.ends_with("active"), "{row}");
    assert!(list_row(&list, "Old export").ends_with("expired"), "{list}");

    // The API takes live tokens and refuses the expired one; use is recorded.
    let server = serve(&db_url);
    assert_eq!(
        policies_status(&server, &expiring).await,
        reqwest::StatusCode::OK
    );
    assert_eq!(
        policies_status(&server, &forever).await,
        reqwest::StatusCode::OK
    );
    assert_eq!(
        policies_status(&server, &expired).await,
        reqwest::StatusCode::UNAUTHORIZED
    );
    let o = redress(&["token", "list", "--database-url", &db_url]);
    let list = stdout(&o);
    let row = list_row(&list, "Board pack");
    assert_eq!(
        row.matches(&today).count(),
        2,
        "created and last used today: {row}"
    );
    assert!(!row.contains("never"), "used now: {row}");
    assert!(
        list_row(&list, "Old export").contains("never"),
        "a refused token is not recorded as used: {list}"
    );

    // Revoking by name: the API refuses the token at once, other tokens keep working.
    let o = redress(&["token", "revoke", "Board pack", "--database-url", &db_url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Revoked"), "{}", stdout(&o));
    assert_eq!(
        policies_status(&server, &expiring).await,
        reqwest::StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        policies_status(&server, &forever).await,
        reqwest::StatusCode::OK
    );
    let o = redress(&["token", "list", "--database-url", &db_url]);
    assert!(
        list_row(&stdout(&o), "Board pack").ends_with("revoked"),
        "{}",
        stdout(&o)
    );
    // Again: nothing left to revoke, and it says so.
    let o = redress(&["token", "revoke", "Board pack", "--database-url", &db_url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("already revoked"), "{}", stdout(&o));
    // An unknown name is an error naming it, and revokes nothing.
    for unknown in ["No such token", "board pack"] {
        let o = redress(&["token", "revoke", unknown, "--database-url", &db_url]);
        assert_eq!(o.status.code(), Some(2), "{unknown}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("no API token is named \"{unknown}\"")),
            "{err}"
        );
    }
    assert_eq!(
        policies_status(&server, &forever).await,
        reqwest::StatusCode::OK
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
