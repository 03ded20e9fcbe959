//! The storage conformance suite on SQLite, each test on a fresh database file.
#![allow(clippy::unwrap_used)]

use redress_store::Store;
use redress_store_sqlite::SqliteStore;

async fn fresh() -> SqliteStore {
    let dir = std::env::temp_dir().join("redress-sqlite-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", uuid_like()));
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store
}

fn uuid_like() -> String {
    redress_store::new_id()
}

async fn fresh_store() -> Option<SqliteStore> {
    Some(fresh().await)
}

async fn done(store: SqliteStore) {
    drop(store);
}

redress_store::conformance_tests!(fresh_store, done);

#[tokio::test]
async fn the_event_log_is_append_only_in_the_database_itself() {
    let store = fresh().await;
    store.migrate().await.unwrap(); // migrating twice is harmless
    let err = sqlx::query("UPDATE case_events SET kind = 'x'")
        .execute(store.pool())
        .await;
    // No rows yet: the trigger fires per row, so insert one first through the store.
    assert!(err.is_ok());
    redress_store::conformance::cases_round_trip_with_their_events_and_personal_data(&store).await;
    let err = sqlx::query("UPDATE case_events SET kind = 'x'")
        .execute(store.pool())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = sqlx::query("DELETE FROM case_events")
        .execute(store.pool())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[tokio::test]
async fn bad_urls_are_refused_with_a_reason() {
    let err = SqliteStore::connect("postgres://x").await.unwrap_err();
    assert!(err.to_string().contains("not a sqlite:// URL"), "{err}");
    let err = SqliteStore::connect("sqlite:///tmp/x.db?synchronous=sometimes")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("synchronous=sometimes"), "{err}");
}

/// Keys stored before idempotency keys were scoped to their caller are scoped, by migration 0006, to the
/// author of their case's received event: that author's retry still finds the case, nobody else's does.
#[tokio::test]
async fn migration_0006_scopes_existing_keys_to_the_case_author() {
    let dir = std::env::temp_dir().join("redress-sqlite-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", uuid_like()));
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mut before = sqlx::migrate!("./migrations");
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 6)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(store.writer()).await.unwrap();
    // Two cases with the old, unscoped keys (one whose author is not recorded), as the old store wrote them.
    for (id, reference, key, actor) in [
        ("c1", "CMP-2026-000001", "form-1", Some("officer-1")),
        ("c2", "CMP-2026-000002", "form-2", None),
    ] {
        sqlx::query(
            "INSERT INTO cases (id, reference, policy_id, policy_version, summary, confidential, \
             idempotency_key, created_at, updated_at, version, stage, state, feedback_type, received_on, \
             due_key, is_open) VALUES ($1, $2, 'code-2024', 1, 'Repairs', 0, $3, 'now', 'now', 1, 1, \
             'awaiting_acknowledgement', 'complaint', '2026-01-05', '9999-12-31', 1)",
        )
        .bind(id)
        .bind(reference)
        .bind(key)
        .execute(store.writer())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, kind, payload, actor, recorded_at) \
             VALUES ($1, 1, 'received', '{}', $2, 'now')",
        )
        .bind(id)
        .bind(actor)
        .execute(store.writer())
        .await
        .unwrap();
    }
    store.migrate().await.unwrap();
    let found = store
        .reference_for_key("officer-1", "form-1")
        .await
        .unwrap();
    assert_eq!(
        found,
        Some(redress_store::KeyedCase {
            reference: "CMP-2026-000001".into(),
            request_hash: None,
        })
    );
    assert_eq!(
        store
            .reference_for_key("officer-2", "form-1")
            .await
            .unwrap(),
        None
    );
    let keys: Vec<Option<String>> =
        sqlx::query_scalar("SELECT idempotency_key FROM cases ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(keys, vec![Some("officer-1:form-1".into()), None]);
}
