//! The storage conformance suite: the same tests for every backend.
//!
//! Each backend's test file calls [`run_all`] with a factory that gives a fresh, migrated, empty store
//! (a new SQLite file; a new PostgreSQL schema). A failing check panics with a message naming it.

use std::future::Future;

use jiff::civil::{Date, date};
use redress_domain::access::Role;
use redress_domain::event::{CaseEvent, Channel, Event};

use crate::{
    ApiToken, CaseFilter, Complainant, NewCase, Projection, Sort, Store, StoreError, User,
    format_reference, new_id,
};

/// Runs every conformance test, each on a fresh store from `fresh`.
pub async fn run_all<S, F, Fut>(fresh: F)
where
    S: Store,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    policies_are_versioned(&fresh().await).await;
    cases_round_trip_with_their_events_and_personal_data(&fresh().await).await;
    references_count_up_per_year_and_idempotency_keys_never_create_twice(&fresh().await).await;
    append_checks_the_expected_version_and_writes_nothing_on_conflict(&fresh().await).await;
    two_writers_at_once_one_wins_one_conflicts(&fresh().await).await;
    filters_and_cursor_pagination(&fresh().await).await;
    users_and_tokens(&fresh().await).await;
}

const AT: &str = "2026-01-05T10:00:00.000000Z";

fn projection(
    received_on: Date,
    state: &str,
    stage: u8,
    next_due: Option<Date>,
    open: bool,
) -> Projection {
    Projection {
        stage,
        state: state.into(),
        feedback_type: "complaint".into(),
        received_on,
        assignee: None,
        next_due_on: next_due,
        next_due_clock: next_due.map(|_| "stage1_acknowledge".into()),
        is_open: open,
    }
}

fn new_case(received_on: Date, policy: &str) -> NewCase {
    NewCase {
        id: new_id(),
        reference_year: received_on.year(),
        policy_id: policy.into(),
        policy_version: 1,
        complainant: Some(Complainant {
            name: Some("Aisha Khan".into()),
            email: Some("aisha@example.org".into()),
            phone: None,
            address: Some("Flat 2, 10 High Street, Harrogate".into()),
        }),
        summary: "Damp in the bedroom, reported three times".into(),
        confidential: false,
        received: CaseEvent::new(
            Event::Received {
                on: received_on,
                channel: Channel::Phone,
            },
            Some("officer-1"),
        ),
        projection: projection(
            received_on,
            "awaiting_acknowledgement",
            1,
            Some(received_on),
            true,
        ),
        recorded_at: AT.into(),
        idempotency_key: None,
    }
}

/// Policies: versions count up from 1; the latest is returned unless a version is asked for.
pub async fn policies_are_versioned(store: &dyn Store) {
    let v1 = store
        .install_policy("harrogate-ha", "Harrogate", "id = \"harrogate-ha\"\n", AT)
        .await
        .expect("install v1");
    assert_eq!(v1.version, 1);
    let v2 = store
        .install_policy(
            "harrogate-ha",
            "Harrogate (2025)",
            "id = \"harrogate-ha\"\n# v2\n",
            AT,
        )
        .await
        .expect("install v2");
    assert_eq!(v2.version, 2);
    store
        .install_policy("code-2024", "Code", "id = \"code-2024\"\n", AT)
        .await
        .expect("install code");
    let latest = store.policy("harrogate-ha", None).await.expect("latest");
    assert_eq!(
        (latest.version, latest.name.as_str()),
        (2, "Harrogate (2025)")
    );
    let first = store.policy("harrogate-ha", Some(1)).await.expect("v1");
    assert_eq!(first.toml, "id = \"harrogate-ha\"\n");
    let all = store.policies().await.expect("list");
    let ids: Vec<(&str, i64)> = all.iter().map(|p| (p.id.as_str(), p.version)).collect();
    assert_eq!(ids, vec![("code-2024", 1), ("harrogate-ha", 2)]);
    assert!(matches!(
        store.policy("nope", None).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.policy("harrogate-ha", Some(9)).await,
        Err(StoreError::NotFound)
    ));
}

/// A case reads back exactly as written.
pub async fn cases_round_trip_with_their_events_and_personal_data(store: &dyn Store) {
    let mut case = new_case(date(2026, 1, 5), "code-2024");
    case.confidential = true;
    let (reference, created) = store.create_case(case.clone()).await.expect("create");
    assert!(created);
    assert_eq!(reference, format_reference(2026, 1));
    let record = store.case_by_reference(&reference).await.expect("read");
    assert_eq!(record.id, case.id);
    assert_eq!(record.policy_id, "code-2024");
    assert_eq!(record.policy_version, 1);
    assert_eq!(record.complainant, case.complainant);
    assert_eq!(record.summary, case.summary);
    assert!(record.confidential);
    assert_eq!(record.events.len(), 1);
    assert_eq!(record.events[0].seq, 1);
    assert_eq!(record.events[0].event, case.received);
    assert_eq!(record.events[0].recorded_at, AT);
    assert_eq!(record.projection, case.projection);
    assert_eq!(record.version(), 1);
    // Anonymous complaints have no personal data row.
    let mut anon = new_case(date(2026, 1, 6), "code-2024");
    anon.complainant = None;
    let (r2, _) = store.create_case(anon).await.expect("create anonymous");
    assert_eq!(
        store
            .case_by_reference(&r2)
            .await
            .expect("read")
            .complainant,
        None
    );
    assert!(matches!(
        store.case_by_reference("CMP-2026-999999").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.count_cases().await.expect("count"), 2);
}

/// References count up within a year and restart in the next; a reused idempotency key returns the first case.
pub async fn references_count_up_per_year_and_idempotency_keys_never_create_twice(
    store: &dyn Store,
) {
    let (a, _) = store
        .create_case(new_case(date(2025, 12, 30), "code-2024"))
        .await
        .expect("a");
    let (b, _) = store
        .create_case(new_case(date(2025, 12, 31), "code-2024"))
        .await
        .expect("b");
    let (c, _) = store
        .create_case(new_case(date(2026, 1, 2), "code-2024"))
        .await
        .expect("c");
    assert_eq!(
        (a.as_str(), b.as_str(), c.as_str()),
        ("CMP-2025-000001", "CMP-2025-000002", "CMP-2026-000001")
    );
    let mut keyed = new_case(date(2026, 1, 2), "code-2024");
    keyed.idempotency_key = Some("form-7f3a".into());
    let (first, created) = store.create_case(keyed.clone()).await.expect("keyed");
    assert!(created);
    let mut again = new_case(date(2026, 1, 2), "code-2024");
    again.idempotency_key = Some("form-7f3a".into());
    let (second, created_again) = store.create_case(again).await.expect("keyed again");
    assert_eq!(first, second);
    assert!(!created_again);
    assert_eq!(store.count_cases().await.expect("count"), 4);
}

/// Appends need the current version; a stale one conflicts and writes nothing.
pub async fn append_checks_the_expected_version_and_writes_nothing_on_conflict(store: &dyn Store) {
    let case = new_case(date(2026, 1, 5), "code-2024");
    let (reference, _) = store.create_case(case.clone()).await.expect("create");
    let ack = CaseEvent::new(
        Event::Acknowledged {
            on: date(2026, 1, 6),
        },
        Some("officer-1"),
    );
    let assign = CaseEvent::new(
        Event::Assigned {
            on: date(2026, 1, 6),
            officer: "officer-2".into(),
        },
        Some("officer-1"),
    );
    let mut p = projection(
        date(2026, 1, 5),
        "investigating",
        1,
        Some(date(2026, 1, 20)),
        true,
    );
    p.assignee = Some("officer-2".into());
    p.next_due_clock = Some("stage1_response".into());
    let v = store
        .append(&case.id, 1, &[ack.clone(), assign.clone()], AT, &p)
        .await
        .expect("append");
    assert_eq!(v, 3);
    // Stale: expected 1, it is at 3.
    let late = CaseEvent::new(
        Event::Acknowledged {
            on: date(2026, 1, 7),
        },
        Some("officer-3"),
    );
    let other = projection(date(2026, 1, 5), "closed", 1, None, false);
    match store.append(&case.id, 1, &[late], AT, &other).await {
        Err(StoreError::Conflict { expected, actual }) => assert_eq!((expected, actual), (1, 3)),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let record = store.case_by_reference(&reference).await.expect("read");
    assert_eq!(record.events.len(), 3);
    assert_eq!(record.events[1].event, ack);
    assert_eq!(record.events[2].event, assign);
    assert_eq!(
        record.projection, p,
        "the projection is the one written with the events"
    );
    assert!(matches!(
        store.append("no-such-case", 1, &[], AT, &p).await,
        Err(StoreError::NotFound)
    ));
}

/// Two officers act on one case at once: exactly one wins, the other gets a conflict, nothing is lost.
pub async fn two_writers_at_once_one_wins_one_conflicts(store: &dyn Store) {
    let case = new_case(date(2026, 1, 5), "code-2024");
    let (reference, _) = store.create_case(case.clone()).await.expect("create");
    let p = projection(
        date(2026, 1, 5),
        "investigating",
        1,
        Some(date(2026, 1, 20)),
        true,
    );
    let a = [CaseEvent::new(
        Event::Acknowledged {
            on: date(2026, 1, 6),
        },
        Some("a"),
    )];
    let b = [CaseEvent::new(
        Event::Acknowledged {
            on: date(2026, 1, 6),
        },
        Some("b"),
    )];
    let (ra, rb) = tokio::join!(
        store.append(&case.id, 1, &a, AT, &p),
        store.append(&case.id, 1, &b, AT, &p)
    );
    let wins = [ra.is_ok(), rb.is_ok()].iter().filter(|x| **x).count();
    assert_eq!(wins, 1, "one writer wins: {ra:?} / {rb:?}");
    for r in [&ra, &rb] {
        if let Err(e) = r {
            assert!(
                matches!(e, StoreError::Conflict { .. }),
                "the loser gets a conflict: {e:?}"
            );
        }
    }
    let record = store.case_by_reference(&reference).await.expect("read");
    assert_eq!(record.events.len(), 2);
    let winner = if ra.is_ok() { "a" } else { "b" };
    assert_eq!(record.events[1].event.by.as_deref(), Some(winner));
}

/// Every filter narrows; pages follow each other with no gaps or repeats, in both orders.
pub async fn filters_and_cursor_pagination(store: &dyn Store) {
    // 30 cases received 1–30 Jan 2026; every third closed; due dates spread; some assigned; one confidential.
    let mut ids = Vec::new();
    for i in 0..30i8 {
        let received = date(2026, 1, i + 1);
        let mut c = new_case(
            received,
            if i % 2 == 0 {
                "code-2024"
            } else {
                "harrogate-ha"
            },
        );
        let open = i % 3 != 0;
        let due = open.then(|| date(2026, 2, (i % 28) + 1));
        c.projection = projection(
            received,
            if open { "investigating" } else { "closed" },
            if i >= 25 { 2 } else { 1 },
            due,
            open,
        );
        if i % 5 == 0 {
            c.projection.assignee = Some("asha".into());
        }
        c.confidential = i == 7;
        ids.push(c.id.clone());
        store.create_case(c).await.expect("create");
    }
    let base = CaseFilter {
        include_confidential: true,
        limit: 200,
        ..CaseFilter::default()
    };
    let count =
        |f: CaseFilter| async move { store.list_cases(&f).await.expect("list").items.len() };
    assert_eq!(count(base.clone()).await, 30);
    assert_eq!(
        count(CaseFilter {
            include_confidential: false,
            ..base.clone()
        })
        .await,
        29
    );
    assert_eq!(
        count(CaseFilter {
            open_only: true,
            ..base.clone()
        })
        .await,
        20
    );
    assert_eq!(
        count(CaseFilter {
            state: Some("closed".into()),
            ..base.clone()
        })
        .await,
        10
    );
    assert_eq!(
        count(CaseFilter {
            stage: Some(2),
            ..base.clone()
        })
        .await,
        5
    );
    assert_eq!(
        count(CaseFilter {
            policy: Some("harrogate-ha".into()),
            ..base.clone()
        })
        .await,
        15
    );
    assert_eq!(
        count(CaseFilter {
            assignee: Some("asha".into()),
            ..base.clone()
        })
        .await,
        6
    );
    assert_eq!(
        count(CaseFilter {
            received_from: Some(date(2026, 1, 10)),
            received_to: Some(date(2026, 1, 19)),
            ..base.clone()
        })
        .await,
        10
    );
    // Open cases (i not a multiple of 3) due on or before 5 Feb (i % 28 <= 4): i in {1, 2, 4, 28, 29} → 5.
    assert_eq!(
        count(CaseFilter {
            due_on_or_before: Some(date(2026, 2, 5)),
            ..base.clone()
        })
        .await,
        5
    );
    // Overdue as of 5 Feb: due before it (i % 28 <= 3) → i in {1, 2, 28, 29}, due 2, 3, 1, 2 Feb.
    let overdue = store
        .list_cases(&CaseFilter {
            overdue_as_of: Some(date(2026, 2, 5)),
            sort: Sort::Due,
            ..base.clone()
        })
        .await
        .expect("overdue");
    let dues: Vec<Option<Date>> = overdue
        .items
        .iter()
        .map(|c| c.projection.next_due_on)
        .collect();
    assert_eq!(
        dues,
        vec![
            Some(date(2026, 2, 1)),
            Some(date(2026, 2, 2)),
            Some(date(2026, 2, 2)),
            Some(date(2026, 2, 3))
        ]
    );
    assert_eq!(
        overdue.items[0].complainant_name.as_deref(),
        Some("Aisha Khan")
    );

    for sort in [Sort::Received, Sort::Due] {
        let mut seen = Vec::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let page = store
                .list_cases(&CaseFilter {
                    sort,
                    after: after.clone(),
                    limit: 7,
                    ..base.clone()
                })
                .await
                .expect("page");
            pages += 1;
            assert!(page.items.len() <= 7);
            seen.extend(page.items.iter().map(|c| c.id.clone()));
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
            assert!(pages < 10, "pagination does not end");
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 30, "{sort:?}: every case exactly once");
        assert_eq!(seen.len(), 30, "{sort:?}: no repeats");
        if sort == Sort::Received {
            assert_eq!(seen.first(), ids.last(), "newest first");
        }
    }
    // Due order: earliest due first, cases with no due date last.
    let all = store
        .list_cases(&CaseFilter {
            sort: Sort::Due,
            ..base.clone()
        })
        .await
        .expect("due");
    let dues: Vec<Option<Date>> = all.items.iter().map(|c| c.projection.next_due_on).collect();
    let firsts: Vec<Date> = dues.iter().flatten().copied().collect();
    let mut sorted = firsts.clone();
    sorted.sort();
    assert_eq!(firsts, sorted);
    assert!(dues[20..].iter().all(Option::is_none));
}

/// Users are unique by email (any case); tokens are found by hash.
pub async fn users_and_tokens(store: &dyn Store) {
    assert_eq!(store.count_users().await.expect("count"), 0);
    let user = User {
        id: new_id(),
        email: "asha.patel@example.org".into(),
        name: "Asha Patel".into(),
        role: Role::ComplaintsOfficer,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    };
    store.create_user(&user, AT).await.expect("create user");
    let again = User {
        id: new_id(),
        ..user.clone()
    };
    assert!(matches!(
        store.create_user(&again, AT).await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        store
            .user_by_email("Asha.Patel@Example.org")
            .await
            .expect("by email"),
        user
    );
    assert!(matches!(
        store.user_by_email("nobody@example.org").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.count_users().await.expect("count"), 1);

    let token = ApiToken {
        id: new_id(),
        name: "Housing system integration".into(),
        role: Role::Viewer,
        token_hash: "a".repeat(64),
    };
    store.create_token(&token, AT).await.expect("create token");
    assert_eq!(
        store
            .token_by_hash(&token.token_hash)
            .await
            .expect("by hash"),
        token
    );
    assert!(matches!(
        store.token_by_hash(&"b".repeat(64)).await,
        Err(StoreError::NotFound)
    ));
}
