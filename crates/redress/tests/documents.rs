//! Documents attached to complaints, over real HTTP on loopback, on SQLite always and on PostgreSQL when a
//! server is there (`REDRESS_TEST_DATABASE_URL`, or 127.0.0.1:5432): upload and download byte for byte,
//! the timeline, refusals (too large, wrong type, empty, not multipart) that write nothing, viewers, and
//! confidential cases. And the same through S3-compatible object storage: a real moto server (PyPI
//! `moto[server]`, which `scripts/test.sh` installs) started on loopback by the test.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::{Date, date};
use redress_domain::access::Role;
use redress_store::Store;
use redress_store::documents::{DocumentStore, sha256_hex};
use redress_web::AppState;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// "Today" for every test: Monday 1 June 2026.
const TODAY: Date = date(2026, 6, 1);

/// The cap the tests configure, so that "too large" needs no 25 MiB body.
const CAP: u64 = 256 * 1024;

const BOUNDARY: &str = "redress-test-boundary-7d3f";

/// A small PDF.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

struct TestApp {
    base: String,
    client: Client,
    tokens: HashMap<&'static str, String>,
    documents_dir: Option<std::path::PathBuf>,
}

/// A multipart body: text fields, then the file with the name and type the client declares.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

impl TestApp {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn json(&self, response: reqwest::Response) -> (StatusCode, Value) {
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, who: &str, path: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(self.url(path))
            .bearer_auth(&self.tokens[who])
            .send()
            .await
            .unwrap();
        self.json(r).await
    }

    async fn post_json(&self, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.tokens[who])
            .json(&body)
            .send()
            .await
            .unwrap();
        self.json(r).await
    }

    /// Uploads `bytes` as `filename` declared as `content_type` to complaint `reference`.
    async fn upload(
        &self,
        who: &str,
        reference: &str,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> (StatusCode, Value) {
        let body = multipart(&[], Some((filename, content_type, bytes)));
        self.upload_body(who, reference, body).await
    }

    async fn upload_body(&self, who: &str, reference: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.url(&format!("/api/v1/complaints/{reference}/documents")))
            .bearer_auth(&self.tokens[who])
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.json(r).await
    }

    async fn download(&self, who: &str, id: &str) -> reqwest::Response {
        self.client
            .get(self.url(&format!("/api/v1/documents/{id}")))
            .bearer_auth(&self.tokens[who])
            .send()
            .await
            .unwrap()
    }

    async fn new_complaint(&self, who: &str, confidential: bool) -> String {
        let (status, body) = self
            .post_json(
                who,
                "/api/v1/complaints",
                json!({"received_on": "2026-05-26", "channel": "phone", "summary": "Damp in the bedroom",
                       "confidential": confidential,
                       "complainant": {"name": "Aisha Khan", "email": "aisha@example.org"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["reference"].as_str().unwrap().to_owned()
    }

    async fn events(&self, reference: &str) -> Vec<Value> {
        let (status, case) = self
            .get("manager", &format!("/api/v1/complaints/{reference}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{case}");
        case["events"].as_array().unwrap().clone()
    }

    async fn listed(&self, who: &str, reference: &str) -> (StatusCode, Value) {
        self.get(who, &format!("/api/v1/complaints/{reference}/documents"))
            .await
    }
}

async fn spawn(store: Arc<dyn Store>, documents: Option<DocumentStore>) -> TestApp {
    store.migrate().await.unwrap();
    redress_web::seed_presets(store.as_ref()).await.unwrap();
    let mut tokens = HashMap::new();
    for (who, role) in [
        ("manager", Role::ComplaintsManager),
        ("officer", Role::ComplaintsOfficer),
        ("officer2", Role::ComplaintsOfficer),
        ("viewer", Role::Viewer),
    ] {
        let token = redress_web::auth::create_token(store.as_ref(), role, who, None)
            .await
            .unwrap();
        tokens.insert(who, token);
    }
    let mut state = AppState::new(store.clone());
    state.today = Arc::new(|| TODAY);
    state.max_document_bytes = CAP;
    let documents_dir = match documents {
        Some(documents) => {
            state.documents = Arc::new(documents);
            None
        }
        None => {
            let dir = std::env::temp_dir()
                .join("redress-documents-tests")
                .join(redress_store::new_id());
            state.documents = Arc::new(DocumentStore::new(&dir));
            Some(dir)
        }
    };
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
        documents_dir,
    }
}

async fn sqlite_store() -> Arc<dyn Store> {
    let dir = std::env::temp_dir().join("redress-documents-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/{}.db", dir.display(), redress_store::new_id());
    redress::open_store(&url).await.unwrap()
}

/// A store on a PostgreSQL schema of its own, with the server's URL and the schema's name; `None`
/// (skipped, and failing under CI) without a server.
async fn postgres_store() -> Option<(Arc<dyn Store>, String, String)> {
    let url = redress_store_postgres::test_server::url("documents").await?;
    let admin = redress_store_postgres::PostgresStore::connect(&url)
        .await
        .unwrap();
    let schema = format!("redress_docs_{}", redress_store::new_id().replace('-', ""));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(admin.pool())
        .await
        .unwrap();
    let store = redress_store_postgres::PostgresStore::connect_with_schema(&url, &schema)
        .await
        .unwrap();
    Some((Arc::new(store), url, schema))
}

async fn drop_schema(url: &str, schema: &str) {
    let admin = redress_store_postgres::PostgresStore::connect(url)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(admin.pool())
        .await
        .unwrap();
}

macro_rules! on_both_backends {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = super::spawn(super::sqlite_store().await, None).await;
                super::$scenario(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some((store, url, schema)) = super::postgres_store().await {
                    super::$scenario(super::spawn(store, None).await).await;
                    super::drop_schema(&url, &schema).await;
                }
            }
        }
    };
}

on_both_backends!(
    a_document_is_uploaded_downloaded_and_on_the_timeline,
    upload_and_download
);
on_both_backends!(
    too_large_wrong_type_and_empty_files_are_refused_and_nothing_is_written,
    refusals
);
on_both_backends!(
    viewers_and_confidential_cases_see_no_documents,
    who_may_see_documents
);

/// Uploads a PDF and checks the answer, the download (byte for byte, as an attachment, nosniff), the
/// list and the `document_added` event on the timeline; the generic events endpoint refuses one.
async fn upload_and_download(app: TestApp) {
    let reference = app.new_complaint("officer", false).await;
    let (status, added) = app
        .upload(
            "officer",
            &reference,
            "Damp survey.pdf",
            "application/pdf",
            PDF,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["name"], "Damp survey.pdf");
    assert_eq!(added["size"], PDF.len());
    assert_eq!(added["sha256"], sha256_hex(PDF));
    assert_eq!(added["content_type"], "application/pdf");
    assert_eq!(added["reference"], reference.as_str());
    let id = added["id"].as_str().unwrap().to_owned();

    let response = app.download("officer", &id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let disposition = headers["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"Damp survey.pdf\""),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    let (status, list) = app.listed("officer", &reference).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], id.as_str());

    let events = app.events(&reference).await;
    let last = events.last().unwrap();
    assert_eq!(last["type"], "document_added", "{last}");
    assert_eq!(last["document"], id.as_str());
    assert_eq!(last["sha256"], sha256_hex(PDF));
    assert_eq!(last["name"], "Damp survey.pdf");
    assert_eq!(last["content_type"], "application/pdf");
    assert_eq!(last["size"], PDF.len());
    assert_eq!(last["on"], "2026-06-01");

    // Only an upload records a document: the generic endpoint points at the documents endpoint.
    let (status, problem) = app
        .post_json(
            "officer",
            &format!("/api/v1/complaints/{reference}/events"),
            json!({"type": "document_added", "on": "2026-06-01", "document": "x", "sha256": "ab".repeat(32),
                   "name": "x.pdf", "content_type": "application/pdf", "size": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("/api/v1/complaints/{reference}/documents"),
        "{problem}"
    );
    assert_eq!(app.events(&reference).await.len(), events.len());

    // A description comes along; a name is made safe and its extension made to match the bytes.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    let body = multipart(
        &[("description", "The bathroom ceiling")],
        Some(("../../mould photo?.exe", "application/x-msdownload", png)),
    );
    let (status, photo) = app.upload_body("officer", &reference, body).await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    assert_eq!(photo["name"], "mould photo_.exe.png");
    assert_eq!(photo["content_type"], "image/png");
    assert_eq!(photo["description"], "The bathroom ceiling");
    let response = app.download("officer", photo["id"].as_str().unwrap()).await;
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap().as_ref(), png);

    // Emails and plain text are told from their bytes too.
    let email = b"From: Aisha Khan <aisha@example.org>\r\nTo: complaints@example.org\r\nSubject: Damp\r\nDate: Tue, 26 May 2026 09:00:00 +0100\r\n\r\nThe damp is back.\r\n";
    let (status, eml) = app
        .upload(
            "officer",
            &reference,
            "email.eml",
            "application/octet-stream",
            email,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{eml}");
    assert_eq!(eml["content_type"], "message/rfc822");
}

/// A file over the cap (413), a program or HTML named .pdf (422), an empty file (422), no file (422) and
/// a body that is not multipart (415) are refused, naming the problem, and nothing is written: no event,
/// no attachment, no bytes left behind.
async fn refusals(app: TestApp) {
    let reference = app.new_complaint("officer", false).await;
    let before = app.events(&reference).await.len();
    let mut too_large = b"%PDF-1.7\n".to_vec();
    too_large.resize(usize::try_from(CAP).unwrap() + 1, b'x');
    let (status, problem) = app
        .upload(
            "officer",
            &reference,
            "big.pdf",
            "application/pdf",
            &too_large,
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("too large"),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("256 KiB"),
        "{problem}"
    );
    // Far beyond the cap: refused from its Content-Length, before it is read.
    let huge = vec![b'x'; usize::try_from(CAP).unwrap() * 3];
    let (status, _) = app
        .upload("officer", &reference, "huge.pdf", "application/pdf", &huge)
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let program = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0This program cannot be run in DOS mode";
    let html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
    for (name, bytes) in [("invoice.pdf", &program[..]), ("letter.pdf", &html[..])] {
        let (status, problem) = app
            .upload("officer", &reference, name, "application/pdf", bytes)
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("not a type"),
            "{problem}"
        );
    }
    let (status, problem) = app
        .upload("officer", &reference, "empty.pdf", "application/pdf", b"")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("empty"),
        "{problem}"
    );

    let (status, problem) = app
        .upload_body(
            "officer",
            &reference,
            multipart(&[("description", "x")], None),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");

    let (status, problem) = app
        .post_json(
            "officer",
            &format!("/api/v1/complaints/{reference}/documents"),
            json!({"file": "JVBERi0="}),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{problem}");

    assert_eq!(
        app.events(&reference).await.len(),
        before,
        "no event was written"
    );
    let (_, list) = app.listed("officer", &reference).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    if let Some(dir) = &app.documents_dir {
        let kept = files_under(dir);
        assert!(kept.is_empty(), "nothing is left behind: {kept:?}");
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Viewers may not upload or download (403) and see no names; a confidential case's documents are as
/// invisible as the case (404) to an officer who may not see it.
async fn who_may_see_documents(app: TestApp) {
    let reference = app.new_complaint("officer", false).await;
    let (status, added) = app
        .upload(
            "officer",
            &reference,
            "Aisha Khan tenancy.pdf",
            "application/pdf",
            PDF,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let id = added["id"].as_str().unwrap();

    assert_eq!(
        app.download("viewer", id).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = app
        .upload("viewer", &reference, "x.pdf", "application/pdf", PDF)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, list) = app.listed("viewer", &reference).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains("Aisha"), "{list}");
    let (_, case) = app
        .get("viewer", &format!("/api/v1/complaints/{reference}"))
        .await;
    assert!(!case.to_string().contains("Aisha Khan tenancy"), "{case}");

    let secret = app.new_complaint("manager", true).await;
    let (status, added) = app
        .upload("manager", &secret, "statement.pdf", "application/pdf", PDF)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let secret_id = added["id"].as_str().unwrap();
    assert_eq!(
        app.download("manager", secret_id).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.download("officer2", secret_id).await.status(),
        StatusCode::NOT_FOUND
    );
    let (status, _) = app.listed("officer2", &secret).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .upload("officer2", &secret, "x.pdf", "application/pdf", PDF)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.download("officer", "no-such-document").await.status(),
        StatusCode::NOT_FOUND
    );
}

/// A moto S3 server on a free loopback port, stopped when dropped.
struct Moto {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 runs moto (pip install 'moto[server]==5.2.5'; scripts/test.sh does)");
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let client = Client::new();
    for _ in 0..200 {
        if client.get(&moto.endpoint).send().await.is_ok() {
            return moto;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "moto did not start on {} within 20 s: is it installed? pip install 'moto[server]==5.2.5'",
        moto.endpoint
    );
}

/// With documents in S3-compatible object storage (moto on loopback): a file uploaded through the API
/// is an object in the bucket under its SHA-256, and downloads back byte for byte; one larger than the
/// object store's buffer goes up in parts and comes back whole too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_kept_in_s3_compatible_object_storage() {
    let moto = start_moto().await;
    let bucket = "redress-evidence";
    let created = Client::new()
        .put(format!("{}/{bucket}", moto.endpoint))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{:?}", created.status());
    let store = DocumentStore::s3(
        &format!("s3://{bucket}/case-files"),
        &[
            ("aws_endpoint", moto.endpoint.as_str()),
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
            ("aws_region", "eu-west-2"),
        ],
    )
    .unwrap();
    let mut app = spawn(sqlite_store().await, Some(store)).await;
    app.documents_dir = None;
    let reference = app.new_complaint("officer", false).await;
    let (status, added) = app
        .upload("officer", &reference, "survey.pdf", "application/pdf", PDF)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let sha = sha256_hex(PDF);
    let response = app.download("officer", added["id"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    // The object is in the bucket, under the prefix, named by its SHA-256: read back with another S3
    // client (boto3, which moto brings).
    let key = format!("case-files/{}/{sha}", &sha[..2]);
    assert_eq!(object_hex(&moto, bucket, &key), hex_of(PDF));
}

fn hex_of(bytes: &[u8]) -> String {
    redress_store::documents::hex_of(bytes)
}

/// The bytes of an object, in hex, as boto3 reads them from the moto server.
fn object_hex(moto: &Moto, bucket: &str, key: &str) -> String {
    let script = format!(
        "import boto3\n\
         s3 = boto3.client('s3', endpoint_url='{}', aws_access_key_id='testing', \
         aws_secret_access_key='testing', region_name='eu-west-2')\n\
         print(s3.get_object(Bucket='{bucket}', Key='{key}')['Body'].read().hex())\n",
        moto.endpoint
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "boto3 could not read s3://{bucket}/{key}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Large files are streamed to object storage in parts (the buffer is 10 MiB) and come back whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_document_goes_to_object_storage_in_parts() {
    let moto = start_moto().await;
    let bucket = "redress-large";
    Client::new()
        .put(format!("{}/{bucket}", moto.endpoint))
        .send()
        .await
        .unwrap();
    let store = DocumentStore::s3(
        &format!("s3://{bucket}"),
        &[
            ("aws_endpoint", moto.endpoint.as_str()),
            ("aws_access_key_id", "testing"),
            ("aws_secret_access_key", "testing"),
        ],
    )
    .unwrap();
    let staged =
        std::env::temp_dir().join(format!("redress-large-{}.part", redress_store::new_id()));
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..12 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    std::fs::write(&staged, &bytes).unwrap();
    let sha = sha256_hex(&bytes);
    store.keep_file(&staged, &sha).await.unwrap();
    assert!(!staged.exists(), "the staged file is removed once kept");
    assert_eq!(store.get(&sha).await.unwrap(), bytes);
}
