//! Email through the outbox, end to end: the real `redress serve` binary, a real SQLite file, and a real
//! SMTP server on loopback (`tests/support/smtp_sink.py`, aiosmtpd from PyPI, which keeps every message it
//! takes as a file). A letter issued by email reaches the server with its PDF attached; with the server
//! down it waits, visible as queued, and goes once when the server returns; a process killed mid-send
//! never sends a second copy by itself; a permanent refusal is kept with the server's words.
#![allow(clippy::unwrap_used)]
#![allow(
    clippy::zombie_processes,
    reason = "every child is killed and waited for when its guard drops"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const FROM: &str = "Complaints <complaints@landlord.example>";
const RESIDENT: &str = "aisha.khan@example.org";

fn sink_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redress-{what}-{}", redress_store::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The SMTP server, killed when dropped.
struct Sink(Child);

impl Sink {
    fn start(dir: &Path, port: u16, options: &[&str]) -> Sink {
        let mut child = Command::new("python3")
            .arg(sink_script())
            .arg(dir)
            .args(["--port", &port.to_string()])
            .args(options)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink (pip install aiosmtpd==1.4.6)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.next().unwrap().unwrap();
        assert_eq!(
            line,
            format!("listening on {port}"),
            "the SMTP sink did not start"
        );
        Sink(child)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The messages the SMTP server has taken, oldest first, parsed.
fn received(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let out = Command::new("python3")
                .arg(sink_script())
                .arg("--read")
                .arg(f)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice(&out.stdout).unwrap()
        })
        .collect()
}

/// `redress serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `redress serve` on the database in `dir`, sending email through `smtp_port` when given; returns
/// it with the admin token it printed (first start only).
fn start(dir: &Path, smtp_port: Option<u16>) -> (Server, Option<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_redress"));
    command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .arg("--database-url")
        .arg(format!("sqlite://{}/redress.db", dir.display()))
        .arg("--documents-dir")
        .arg(dir.join("documents"))
        .env("REDRESS_LOG", "warn")
        .env_remove("REDRESS_SMTP_URL")
        .env_remove("REDRESS_MAIL_FROM")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(port) = smtp_port {
        command
            .env("REDRESS_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
            .env("REDRESS_MAIL_FROM", FROM)
            .env("REDRESS_SMTP_TIMEOUT", "3")
            .env("REDRESS_SMTP_RETRY_AFTER", "1");
    }
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut token = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the server did not start");
        let line = lines.next().unwrap().unwrap();
        if let Some(t) = line.trim().strip_prefix("API token:") {
            token = Some(t.trim().to_owned());
        }
        if let Some(rest) = line.strip_prefix("Redress is listening on ") {
            let base = rest.split_whitespace().next().unwrap().to_owned();
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return (Server { child, base }, token);
        }
    }
}

struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// A complaint from a resident with an email address, defined and acknowledged, and its
    /// acknowledgement letter drafted: (reference, letter id).
    async fn letter_to_send(&self) -> (String, String) {
        let (s, case) = self
            .post(
                "/api/v1/complaints",
                json!({"received_on": "2026-05-22", "channel": "email", "summary": "Damp in the bedroom",
                       "complainant": {"name": "Aisha Khan", "email": RESIDENT}}),
            )
            .await;
        assert_eq!(s, 201, "{case}");
        let r = case["reference"].as_str().unwrap().to_owned();
        for event in [
            json!({"type": "acknowledged", "on": "2026-05-26"}),
            json!({"type": "complaint_defined", "on": "2026-05-26",
                   "heads": [{"summary": "The roof leaks into the bedroom", "outcome_sought": "Repair the roof"}]}),
        ] {
            let (s, body) = self
                .post(&format!("/api/v1/complaints/{r}/events"), event)
                .await;
            assert_eq!(s, 201, "{body}");
        }
        let (s, letter) = self
            .post(
                &format!("/api/v1/complaints/{r}/letters"),
                json!({"kind": "acknowledgement"}),
            )
            .await;
        assert_eq!(s, 201, "{letter}");
        assert_eq!(letter["missing"], json!([]), "{letter}");
        (r, letter["id"].as_str().unwrap().to_owned())
    }

    async fn messages(&self, reference: &str) -> Vec<Value> {
        self.get(&format!("/api/v1/complaints/{reference}/messages"))
            .await["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// Waits until the case's only message satisfies `done`, and returns it.
    async fn wait_for(&self, reference: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let messages = self.messages(reference).await;
            assert_eq!(messages.len(), 1, "{messages:?}");
            if done(&messages[0]) {
                return messages[0].clone();
            }
            assert!(Instant::now() < deadline, "never {what}: {:?}", messages[0]);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn api_for(server: &Server, token: &str) -> Api {
    Api {
        client: reqwest::Client::new(),
        base: server.base.clone(),
        token: token.to_owned(),
    }
}

fn status_is(status: &'static str) -> impl Fn(&Value) -> bool {
    move |m| m["status"] == status
}

/// A token of `role` created on the database in `dir` with the real CLI.
fn token(dir: &Path, role: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["token", "create", "--role", role, "--name", role])
        .arg("--database-url")
        .arg(format!("sqlite://{}/redress.db", dir.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_issued_by_email_reaches_the_server_with_its_pdf_attached() {
    let dir = temp_dir("email-sent");
    let port = free_port();
    let _sink = Sink::start(&dir.join("received"), port, &[]);
    let (server, admin) = start(&dir, Some(port));
    let api = api_for(&server, &admin.unwrap()).await;
    let (r, letter) = api.letter_to_send().await;
    let (s, issued) = api
        .post(
            &format!("/api/v1/letters/{letter}/issue"),
            json!({"channel": "email"}),
        )
        .await;
    assert_eq!(s, 201, "{issued}");
    let document = issued["document"]["sha256"].as_str().unwrap().to_owned();
    let sent = api.wait_for(&r, "sent", status_is("sent")).await;
    assert_eq!(
        (sent["kind"].as_str(), sent["to"].as_str()),
        (Some("letter"), Some(RESIDENT))
    );
    assert_eq!(sent["attempts"], 1);
    assert!(sent["sent_at"].is_string(), "{sent}");

    let got = received(&dir.join("received"));
    assert_eq!(got.len(), 1, "one message at the server");
    let email = &got[0];
    assert_eq!(
        email["message_id"], sent["message_id"],
        "the Message-ID fixed when queued"
    );
    assert_eq!(email["to"], RESIDENT);
    assert_eq!(email["from"], FROM);
    let policy = api.get("/api/v1/policies/code-2024").await;
    let subject = email["subject"].as_str().unwrap();
    assert!(subject.contains(&r), "{subject}");
    assert!(
        subject.contains(policy["name"].as_str().unwrap()),
        "{subject} names the landlord's policy"
    );
    assert_eq!(sent["subject"], email["subject"]);
    let text = email["text"].as_str().unwrap();
    for expected in [
        r.as_str(),
        "Aisha Khan",
        "The roof leaks into the bedroom",
        "Repair the roof",
    ] {
        assert!(
            text.contains(expected),
            "the body says {expected:?}:\n{text}"
        );
    }
    assert_eq!(
        email["attachments"],
        json!([{"name": format!("{r}-acknowledgement.pdf"), "content_type": "application/pdf", "sha256": document}]),
        "the issued PDF, byte for byte"
    );

    // The board sees that a message went, not to whom; only managers send one again, and a sent one never.
    let viewer = Api {
        token: token(&dir, "viewer"),
        ..api_for(&server, "").await
    };
    let seen = viewer.messages(&r).await;
    assert_eq!(seen[0]["to"], "[withheld: personal data]");
    assert_eq!(seen[0]["status"], "sent");
    let id = sent["id"].as_str().unwrap();
    let (s, _) = viewer
        .post(&format!("/api/v1/messages/{id}/retry"), json!({}))
        .await;
    assert_eq!(s, 403);
    let (s, p) = api
        .post(&format!("/api/v1/messages/{id}/retry"), json!({}))
        .await;
    assert_eq!(s, 409, "{p}");
    let (s, _) = api
        .post("/api/v1/messages/no-such-message/retry", json!({}))
        .await;
    assert_eq!(s, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_down_a_letter_waits_and_goes_once_when_it_returns() {
    let dir = temp_dir("email-down");
    let port = free_port();
    let (server, admin) = start(&dir, Some(port));
    let api = api_for(&server, &admin.unwrap()).await;
    let (r, letter) = api.letter_to_send().await;
    let (s, issued) = api
        .post(
            &format!("/api/v1/letters/{letter}/issue"),
            json!({"channel": "email"}),
        )
        .await;
    assert_eq!(s, 201, "{issued}");
    // Nobody listens: it stays queued, each attempt and its reason visible, and it is never failed for it.
    let waiting = api
        .wait_for(&r, "retried", |m| {
            m["status"] == "queued" && m["attempts"].as_i64() >= Some(2)
        })
        .await;
    let error = waiting["last_error"].as_str().unwrap();
    assert!(error.contains("Could not reach the mail server"), "{error}");

    let _sink = Sink::start(&dir.join("received"), port, &[]);
    let sent = api.wait_for(&r, "sent", status_is("sent")).await;
    assert!(sent["attempts"].as_i64().unwrap() >= 2, "{sent}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = received(&dir.join("received"));
    assert_eq!(got.len(), 1, "sent once");
    assert_eq!(got[0]["message_id"], sent["message_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_send_never_sends_a_second_copy() {
    let dir = temp_dir("email-kill");
    let inbox = dir.join("received");
    let port = free_port();
    // The server takes the message, then waits before answering: the process is killed in between.
    let sink = Sink::start(&inbox, port, &["--delay-data", "20"]);
    let (mut server, admin) = start(&dir, Some(port));
    let admin = admin.unwrap();
    let api = api_for(&server, &admin).await;
    let (r, letter) = api.letter_to_send().await;
    let (s, issued) = api
        .post(
            &format!("/api/v1/letters/{letter}/issue"),
            json!({"channel": "email"}),
        )
        .await;
    assert_eq!(s, 201, "{issued}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while received(&inbox).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the message never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sending = api.messages(&r).await;
    assert_eq!(sending[0]["status"], "sending", "{sending:?}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);

    // Restarted, with the server answering at once again: the message might have been delivered, so it
    // is failed in plain English once its lease runs out, and never sent again by itself.
    drop(sink);
    let _sink = Sink::start(&inbox, port, &[]);
    let (again, _) = start(&dir, Some(port));
    let api = api_for(&again, &admin).await;
    let failed = api.wait_for(&r, "failed", status_is("failed")).await;
    let error = failed["last_error"].as_str().unwrap();
    assert!(error.contains("stopped while sending"), "{error}");
    assert!(
        error.contains("Check with the recipient before sending it again"),
        "{error}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(received(&inbox).len(), 1, "no second copy");
    assert_eq!(api.messages(&r).await[0]["status"], "failed");

    // A complaints manager decides to send it again: the same message, with the same Message-ID.
    let id = failed["id"].as_str().unwrap();
    let (s, queued) = api
        .post(&format!("/api/v1/messages/{id}/retry"), json!({}))
        .await;
    assert_eq!(s, 200, "{queued}");
    assert_eq!(queued["status"], "queued");
    let sent = api.wait_for(&r, "sent", status_is("sent")).await;
    let got = received(&inbox);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["message_id"], got[1]["message_id"]);
    assert_eq!(got[1]["message_id"], sent["message_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_is_kept_with_the_servers_answer() {
    let dir = temp_dir("email-refused");
    let port = free_port();
    let _sink = Sink::start(
        &dir.join("received"),
        port,
        &["--data-reply", "550 5.7.1 Message rejected by policy"],
    );
    let (server, admin) = start(&dir, Some(port));
    let api = api_for(&server, &admin.unwrap()).await;
    let (r, letter) = api.letter_to_send().await;
    let (s, _) = api
        .post(
            &format!("/api/v1/letters/{letter}/issue"),
            json!({"channel": "email"}),
        )
        .await;
    assert_eq!(s, 201);
    let failed = api.wait_for(&r, "failed", status_is("failed")).await;
    let error = failed["last_error"].as_str().unwrap();
    assert!(
        error.contains("550") && error.contains("Message rejected by policy"),
        "{error}"
    );
    assert_eq!(
        failed["attempts"], 1,
        "a permanent refusal is not tried again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_a_letter_goes_by_post_and_email_is_refused_plainly() {
    let dir = temp_dir("email-none");
    let (server, admin) = start(&dir, None);
    let api = api_for(&server, &admin.unwrap()).await;
    let (r, letter) = api.letter_to_send().await;
    let issue = format!("/api/v1/letters/{letter}/issue");
    let (s, p) = api.post(&issue, json!({"channel": "email"})).await;
    assert_eq!(s, 409, "{p}");
    assert_eq!(
        p["detail"],
        "Email is not set up on this service: issue the letter by post"
    );
    assert!(api.messages(&r).await.is_empty(), "nothing queued");
    let (s, issued) = api.post(&issue, json!({"channel": "post"})).await;
    assert_eq!(s, 201, "{issued}");
    assert!(api.messages(&r).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_is_told_by_email_that_a_case_is_theirs_and_nothing_about_the_resident() {
    let dir = temp_dir("email-assigned");
    let port = free_port();
    let _sink = Sink::start(&dir.join("received"), port, &[]);
    let (server, admin) = start(&dir, Some(port));
    let api = api_for(&server, &admin.unwrap()).await;
    let mut add = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args([
            "user",
            "add",
            "--email",
            "priya@landlord.example",
            "--name",
            "Priya Shah",
        ])
        .args(["--role", "complaints_officer", "--database-url"])
        .arg(format!("sqlite://{}/redress.db", dir.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut add.stdin.take().unwrap(), b"a long enough password\n").unwrap();
    assert!(add.wait().unwrap().success());
    let (r, _) = api.letter_to_send().await;
    let (s, body) = api
        .post(
            &format!("/api/v1/complaints/{r}/events"),
            json!({"type": "assigned", "on": "2026-05-26", "officer": "priya@landlord.example"}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let sent = api.wait_for(&r, "sent", status_is("sent")).await;
    assert_eq!(
        (sent["kind"].as_str(), sent["to"].as_str()),
        (Some("assignment"), Some("priya@landlord.example"))
    );
    let got = received(&dir.join("received"));
    assert_eq!(got.len(), 1);
    let text = got[0]["text"].as_str().unwrap();
    assert!(
        text.contains(&r) && text.contains(&format!("/complaints/{r}")),
        "{text}"
    );
    for personal in ["Aisha", "Khan", RESIDENT, "roof", "Damp"] {
        assert!(
            !text.contains(personal) && !got[0]["subject"].as_str().unwrap().contains(personal),
            "{personal} in {text}"
        );
    }
    assert_eq!(got[0]["attachments"], json!([]));
}
