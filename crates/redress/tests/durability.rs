//! A `redress serve` process killed with SIGKILL in the middle of a creation load loses no complaint whose
//! 201 was answered: the real binary, a real SQLite file, real HTTP on loopback.
#![allow(clippy::unwrap_used)]
#![allow(
    clippy::zombie_processes,
    reason = "each server is killed and waited for at the end of the test"
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    child: Child,
    base: String,
}

/// Starts `redress serve` on a free port; returns it with the admin token it printed (first start only).
fn start(db_url: &str) -> (Server, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["serve", "--database-url", db_url, "--bind", "127.0.0.1:0"])
        .env("REDRESS_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
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
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return (Server { child, base }, token);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_loses_no_acknowledged_complaint() {
    let dir = std::env::temp_dir().join(format!("redress-kill-{}", redress_store::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db_url = format!("sqlite://{}/redress.db", dir.display());
    let (mut server, token) = start(&db_url);
    let token = token.expect("the first start prints an admin token");
    let client = reqwest::Client::new();
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();

    // Eight writers create complaints as fast as they can until the process dies under them.
    let mut writers = Vec::new();
    for w in 0..8 {
        let (client, base, token, acknowledged) = (
            client.clone(),
            server.base.clone(),
            token.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let body = json!({"received_on": "2026-05-01", "channel": "web", "summary": format!("Writer {w}, complaint {i}")});
                let sent = client
                    .post(format!("{base}/api/v1/complaints"))
                    .bearer_auth(&token)
                    .json(&body)
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await;
                let Ok(resp) = sent else { break };
                if resp.status() != reqwest::StatusCode::CREATED {
                    break;
                }
                let Ok(case) = resp.json::<Value>().await else { break };
                acknowledged.lock().unwrap().push(case["reference"].as_str().unwrap().to_owned());
            }
        }));
    }
    // Let the load run, then kill the process outright (SIGKILL: no shutdown, no flush).
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 300,
        "only {} complaints were created before the kill",
        acknowledged.len()
    );

    // Restart on the same file: every complaint whose 201 was answered is there.
    let (mut again, new_token) = start(&db_url);
    assert!(
        new_token.is_none(),
        "a restart must not create another administrator"
    );
    for reference in &acknowledged {
        let resp = client
            .get(format!("{}/api/v1/complaints/{reference}", again.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            reqwest::StatusCode::OK,
            "{reference} was lost"
        );
    }
    let list: Value = client
        .get(format!("{}/api/v1/complaints?limit=1", again.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    again.child.kill().unwrap();
    again.child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
