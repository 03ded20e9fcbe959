//! The storage conformance suite on PostgreSQL, each test in a fresh schema of the database named by
//! `REDRESS_TEST_DATABASE_URL`, or of a local server on 127.0.0.1:5432 when one answers. Without a server
//! the tests say SKIPPED; with `CI` set they fail instead.

use std::sync::Mutex;

use redress_store::Store;
use redress_store_postgres::PostgresStore;
use sqlx::AssertSqlSafe;
use sqlx::postgres::PgPoolOptions;

async fn database_url(test: &str) -> Option<String> {
    redress_store_postgres::test_server::url(test).await
}

/// Schemas made by [`Schemas::fresh`], dropped by [`Schemas::drop_all`].
struct Schemas {
    url: String,
    made: Mutex<Vec<String>>,
}

impl Schemas {
    fn new(url: String) -> Schemas {
        Schemas {
            url,
            made: Mutex::new(Vec::new()),
        }
    }

    /// A migrated, empty store in a new schema of its own.
    async fn fresh(&self) -> PostgresStore {
        let schema = format!("redress_test_{}", uuid::Uuid::new_v4().simple());
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(&self.url)
            .await
            .expect("connect to the test database");
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("create a test schema");
        admin.close().await;
        self.made.lock().expect("lock").push(schema.clone());
        let store = PostgresStore::connect_with_schema(&self.url, &schema)
            .await
            .expect("connect the store");
        store.migrate().await.expect("migrate");
        store
    }

    async fn drop_all(&self) {
        let schemas = std::mem::take(&mut *self.made.lock().expect("lock"));
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(&self.url)
            .await
            .expect("connect to the test database");
        for schema in schemas {
            sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&admin)
                .await
                .expect("drop a test schema");
        }
        admin.close().await;
    }
}

/// A migrated, empty store in a schema of its own; `None` (the test skipped) when there is no server.
async fn fresh() -> Option<PostgresStore> {
    let url = database_url("conformance").await?;
    Some(Schemas::new(url).fresh().await)
}

async fn done(store: PostgresStore) {
    store.drop_own_schema().await.expect("drop the test schema");
}

redress_store::conformance_tests!(fresh, done);

#[tokio::test]
async fn the_store_lives_in_its_own_schema() {
    let Some(url) = database_url("the_store_lives_in_its_own_schema").await else {
        return;
    };
    let schemas = Schemas::new(url);
    let store = schemas.fresh().await;
    assert_eq!(store.backend(), "postgres");
    store.ping().await.unwrap();
    let schema = schemas.made.lock().unwrap()[0].clone();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
    )
    .bind(&schema)
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "_sqlx_migrations",
            "api_tokens",
            "case_documents",
            "case_events",
            "case_search",
            "cases",
            "complainants",
            "documents",
            "letters",
            "outbox",
            "policies",
            "reference_counters",
            "sessions",
            "sign_in_failures",
            "users"
        ]
    );
    drop(store);
    schemas.drop_all().await;
}

#[tokio::test]
async fn the_event_log_is_append_only_in_the_database_itself() {
    let Some(url) = database_url("the_event_log_is_append_only_in_the_database_itself").await
    else {
        return;
    };
    let schemas = Schemas::new(url);
    let store = schemas.fresh().await;
    store.migrate().await.unwrap(); // migrating twice is harmless
    // The triggers are per statement: refused even before there is a row to change.
    let err = sqlx::query("UPDATE case_events SET kind = 'x'")
        .execute(store.pool())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    redress_store::conformance::cases_round_trip_with_their_events_and_personal_data(&store).await;
    for sql in [
        "UPDATE case_events SET kind = 'x'",
        "DELETE FROM case_events",
        "TRUNCATE case_events",
    ] {
        let err = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_events")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(events, 2, "nothing was changed");
    drop(store);
    schemas.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creations_with_one_idempotency_key_make_one_case() {
    let Some(url) =
        database_url("concurrent_creations_with_one_idempotency_key_make_one_case").await
    else {
        return;
    };
    let schemas = Schemas::new(url);
    let store = schemas.fresh().await;
    let template = {
        let received = jiff::civil::date(2026, 1, 5);
        redress_store::NewCase {
            triage: None,
            id: String::new(),
            reference_year: 2026,
            policy_id: "code-2024".into(),
            policy_version: 1,
            complainant: None,
            summary: "Repairs not done".into(),
            confidential: false,
            received: redress_domain::event::CaseEvent::new(
                redress_domain::event::Event::received(
                    received,
                    redress_domain::event::Channel::Phone,
                ),
                Some("officer-1"),
            ),
            projection: redress_store::Projection {
                stage: 1,
                state: "awaiting_acknowledgement".into(),
                feedback_type: "complaint".into(),
                received_on: received,
                assignee: None,
                next_due_on: Some(received),
                next_due_clock: Some("stage1_acknowledge".into()),
                is_open: true,
                late_acknowledged_on: None,
            },
            recorded_at: redress_store::now_utc(),
            idempotency: Some(redress_store::IdempotencyKey {
                scope: "officer-1".into(),
                key: "form-race".into(),
                request_hash: "a".repeat(64),
            }),
        }
    };
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let case = redress_store::NewCase {
                triage: None,
                id: redress_store::new_id(),
                ..template.clone()
            };
            tokio::spawn(async move { store.create_case(case).await })
        })
        .collect();
    let mut references = Vec::new();
    let mut created = 0;
    for task in tasks {
        let (reference, was_created) = task.await.unwrap().unwrap();
        references.push(reference);
        created += usize::from(was_created);
    }
    assert_eq!(created, 1, "{references:?}");
    assert!(
        references.iter().all(|r| r == "CMP-2026-000001"),
        "{references:?}"
    );
    assert_eq!(store.count_cases().await.unwrap(), 1);
    drop(store);
    schemas.drop_all().await;
}

#[tokio::test]
async fn bad_urls_are_refused_with_a_reason() {
    let err = PostgresStore::connect("sqlite://x.db").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("not a postgres:// URL: sqlite://x.db"),
        "{err}"
    );
    let err = PostgresStore::connect("postgres://redress:s3cret@127.0.0.1:notaport/redress")
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("postgres://redress:***@127.0.0.1:notaport/redress"),
        "{msg}"
    );
    assert!(!msg.contains("s3cret"), "the password is hidden: {msg}");
    // Nothing listens on port 1: refused at once, naming where it tried.
    let err = PostgresStore::connect("postgresql://redress:s3cret@127.0.0.1:1/redress")
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(
            "cannot connect to PostgreSQL at postgresql://redress:***@127.0.0.1:1/redress"
        ),
        "{msg}"
    );
    assert!(!msg.contains("s3cret"), "the password is hidden: {msg}");
    let err = PostgresStore::connect_with_schema("postgres://127.0.0.1/x", "x; DROP TABLE cases")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not a plain PostgreSQL schema name"),
        "{err}"
    );
}

/// Keys stored before idempotency keys were scoped to their caller are scoped, by migration 0006, to the
/// author of their case's received event: that author's retry still finds the case, nobody else's does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0006_scopes_existing_keys_to_the_case_author() {
    let Some(url) = database_url("migration_0006_scopes_existing_keys_to_the_case_author").await
    else {
        return;
    };
    let schema = format!("redress_test_{}", uuid::Uuid::new_v4().simple());
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("connect");
    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("create schema");
    let store = PostgresStore::connect_with_schema(&url, &schema)
        .await
        .expect("connect the store");
    let mut before = sqlx::migrate!("./migrations");
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 6)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(store.pool()).await.expect("migrate to 0005");
    for (id, reference, key, actor) in [
        ("c1", "CMP-2026-000001", "form-1", Some("officer-1")),
        ("c2", "CMP-2026-000002", "form-2", None),
    ] {
        sqlx::query(
            "INSERT INTO cases (id, reference, policy_id, policy_version, summary, confidential, \
             idempotency_key, created_at, updated_at, version, stage, state, feedback_type, received_on, \
             due_key, is_open) VALUES ($1, $2, 'code-2024', 1, 'Repairs', FALSE, $3, 'now', 'now', 1, 1, \
             'awaiting_acknowledgement', 'complaint', '2026-01-05', '9999-12-31', TRUE)",
        )
        .bind(id)
        .bind(reference)
        .bind(key)
        .execute(store.pool())
        .await
        .expect("legacy case");
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) \
             VALUES ($1, 1, 'received', '{}', $2, 'now')",
        )
        .bind(id)
        .bind(actor)
        .execute(store.pool())
        .await
        .expect("legacy event");
    }
    store.migrate().await.expect("migrate");
    assert_eq!(
        store
            .reference_for_key("officer-1", "form-1")
            .await
            .expect("by key"),
        Some(redress_store::KeyedCase {
            reference: "CMP-2026-000001".into(),
            request_hash: None,
        })
    );
    assert_eq!(
        store
            .reference_for_key("officer-2", "form-1")
            .await
            .expect("by key"),
        None
    );
    let keys: Vec<Option<String>> =
        sqlx::query_scalar("SELECT idempotency_key FROM cases ORDER BY id")
            .fetch_all(store.pool())
            .await
            .expect("keys");
    assert_eq!(keys, vec![Some("officer-1:form-1".into()), None]);
    store.pool().close().await;
    sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .expect("drop schema");
}
