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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_conformance_suite() {
    redress_store::conformance::run_all(fresh).await;
}

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
