//! The storage conformance suite: the same tests for every backend.
//!
//! Each backend's test file expands [`conformance_tests!`](crate::conformance_tests) with a factory that gives a fresh, migrated, empty store
//! (a new SQLite file; a new PostgreSQL schema). A failing check panics with a message naming it.

use jiff::ToSpan;
use jiff::civil::{Date, date};
use redress_domain::access::Role;
use redress_domain::calendar::{Calendar, Division};
use redress_domain::event::{CaseEvent, Channel, CloseReason, Event, Outcome};
use redress_domain::urgency::{self, DEFAULT_DUE_SOON_WORKING_DAYS, Urgency};

use crate::{
    ApiToken, CaseFilter, Complainant, DocumentRecord, IdempotencyKey, KeyedCase, LetterIssue,
    LetterStatus, NewCase, NewLetter, Projection, Session, SignInScope, Sort, Store, StoreError,
    StoredEvent, TokenSummary, User, format_reference, new_id,
};

/// One `#[tokio::test]` per conformance check, so that one failure hides no other. In a backend's test file:
/// `redress_store::conformance_tests!(fresh, done);` where `fresh()` is an async fn giving a migrated, empty
/// store of its own (or `None` when the backend's server is absent and the tests are to be skipped), and
/// `done(store)` an async fn that throws it away (drops its schema, deletes its file).
///
/// The list of checks is here only: a new check is added to this list and runs on every backend.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:ident, $done:ident) => {
        $crate::conformance_tests!(@each $fresh, $done;
            policies_are_versioned,
            cases_round_trip_with_their_events_and_personal_data,
            a_case_is_created_with_its_triage_in_one_write,
            references_count_up_per_year_and_idempotency_keys_never_create_twice,
            append_checks_the_expected_version_and_writes_nothing_on_conflict,
            two_writers_at_once_one_wins_one_conflicts,
            filters_and_cursor_pagination,
            the_overdue_filter_agrees_with_the_domains_urgency,
            confidential_cases_list_for_their_author_and_assignee,
            imported_cases_read_back_whole_and_continue_the_counter,
            users_and_tokens,
            tokens_expire_are_revoked_by_name_and_record_their_use,
            sessions_expire_and_end,
            duplicates_and_queue_counts,
            sign_in_failures_are_counted_by_account_address_and_overall_then_cleared_and_pruned,
            letters_are_drafted_read_back_and_issued_once_with_their_event,
            a_letter_carrying_its_step_is_issued_with_it_and_cases_list_their_letters,
            search_finds_cases_by_each_field,
            search_takes_hostile_text_as_words,
            search_respects_confidentiality_filters_and_pages,
            cases_imported_in_bulk_and_created_after_are_found,
            a_letter_issued_by_email_is_queued_in_the_same_write,
            messages_are_claimed_settled_and_an_abandoned_send_is_never_resent,
            two_workers_never_claim_the_same_message,
            a_notification_is_queued_with_its_step_or_not_at_all,
            documents_are_attached_to_cases_with_their_event_and_listed,
        );
    };
    (@each $fresh:ident, $done:ident; $($check:ident),* $(,)?) => {
        mod conformance {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let Some(store) = super::$fresh().await else {
                        return;
                    };
                    $crate::conformance::$check(&store).await;
                    super::$done(store).await;
                }
            )*
        }
    };
}

mod search;
pub use search::{
    cases_imported_in_bulk_and_created_after_are_found, search_finds_cases_by_each_field,
    search_respects_confidentiality_filters_and_pages, search_takes_hostile_text_as_words,
};
mod outbox;
pub use outbox::*;

const AT: &str = "2026-01-05T10:00:00.000000Z";

/// An idempotency key sent by `scope` for a request hashed `hash` (any text stands for a hash here).
fn key(scope: &str, key: &str, hash: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey {
        scope: scope.into(),
        key: key.into(),
        request_hash: hash.into(),
    })
}

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
        late_acknowledged_on: None,
    }
}

fn new_case(received_on: Date, policy: &str) -> NewCase {
    NewCase {
        triage: None,
        id: new_id(),
        reference_year: received_on.year(),
        policy_id: policy.into(),
        policy_version: 1,
        complainant: Some(Complainant {
            name: Some("Aisha Khan".into()),
            email: Some("aisha@example.org".into()),
            phone: None,
            address: Some("Flat 2, 10 High Street, Harrogate".into()),
            representative_name: Some("Citizens Advice Harrogate".into()),
            representative_relationship: Some("Advocate".into()),
            representative_consent: true,
        }),
        summary: "Damp in the bedroom, reported three times".into(),
        confidential: false,
        received: CaseEvent::new(
            Event::received(received_on, Channel::Phone),
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
        idempotency: None,
    }
}

/// A case logged with its triage is written whole, in one write: the receipt and the triage, at version 2,
/// and the next step appends after them.
pub async fn a_case_is_created_with_its_triage_in_one_write(store: &dyn Store) {
    let mut case = new_case(date(2026, 3, 2), "code-2024");
    case.triage = Some(CaseEvent::new(
        Event::Classified {
            on: date(2026, 3, 2),
            feedback_type: redress_domain::event::FeedbackType::ServiceRequest,
            raised_on: None,
        },
        Some("officer-1"),
    ));
    let projection = case.projection.clone();
    let (reference, created) = store.create_case(case.clone()).await.expect("create");
    assert!(created);
    let record = store.case_by_reference(&reference).await.expect("read");
    assert_eq!(record.events.len(), 2);
    assert_eq!(record.events[1].seq, 2);
    assert_eq!(Some(&record.events[1].event), case.triage.as_ref());
    assert_eq!(record.version(), 2);
    let next = CaseEvent::new(
        Event::Acknowledged {
            on: date(2026, 3, 3),
        },
        Some("officer-1"),
    );
    assert!(matches!(
        store
            .append(&record.id, 1, std::slice::from_ref(&next), AT, &projection)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store
        .append(&record.id, 2, std::slice::from_ref(&next), AT, &projection)
        .await
        .expect("the next step appends after the triage");
    assert_eq!(
        store
            .case_by_reference(&reference)
            .await
            .expect("read")
            .events
            .len(),
        3
    );
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

/// References count up within a year and restart in the next; a reused idempotency key returns the first case
/// to the caller who sent it, and is another key from another caller.
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
    keyed.idempotency = key("officer-1", "form-7f3a", "hash-1");
    let (first, created) = store.create_case(keyed.clone()).await.expect("keyed");
    assert!(created);
    let mut again = new_case(date(2026, 1, 2), "code-2024");
    // The store answers with the first case whatever the hash: the caller compares them.
    again.idempotency = key("officer-1", "form-7f3a", "hash-2");
    let (second, created_again) = store.create_case(again).await.expect("keyed again");
    assert_eq!(first, second);
    assert!(!created_again);
    assert_eq!(
        store
            .reference_for_key("officer-1", "form-7f3a")
            .await
            .expect("by key"),
        Some(KeyedCase {
            reference: first.clone(),
            request_hash: Some("hash-1".into()),
        })
    );
    assert_eq!(
        store
            .reference_for_key("officer-1", "never-used")
            .await
            .expect("by key"),
        None
    );
    assert_eq!(
        store
            .reference_for_key("officer-2", "form-7f3a")
            .await
            .expect("by key"),
        None,
        "another caller's key is not found"
    );
    assert_eq!(store.count_cases().await.expect("count"), 4);
    // The same key from another caller is another key: a new case. Keys may contain ':'.
    let mut other = new_case(date(2026, 1, 2), "code-2024");
    other.idempotency = key("officer-2", "form-7f3a", "hash-1");
    let (theirs, created) = store.create_case(other).await.expect("other caller");
    assert!(created);
    assert_ne!(theirs, first);
    let mut colon = new_case(date(2026, 1, 2), "code-2024");
    colon.idempotency = key("officer-2", "officer-1:form-7f3a", "hash-1");
    assert!(store.create_case(colon).await.expect("colon key").1);
    assert_eq!(
        store
            .reference_for_key("officer-2", "form-7f3a")
            .await
            .expect("by key")
            .map(|k| k.reference),
        Some(theirs)
    );
    assert_eq!(store.count_cases().await.expect("count"), 6);
    // The same key sent four times at once (a double-clicked form, a retrying client): one case.
    let keyed = |n: i8| {
        let mut c = new_case(date(2026, 1, n), "code-2024");
        c.idempotency = key("officer-1", "race-1", "hash-race");
        c
    };
    let (a, b, c, d) = tokio::join!(
        store.create_case(keyed(3)),
        store.create_case(keyed(4)),
        store.create_case(keyed(5)),
        store.create_case(keyed(6))
    );
    let results = [a.expect("a"), b.expect("b"), c.expect("c"), d.expect("d")];
    assert_eq!(
        results.iter().filter(|(_, created)| *created).count(),
        1,
        "{results:?}"
    );
    assert!(
        results.iter().all(|(r, _)| *r == results[0].0),
        "{results:?}"
    );
    assert_eq!(store.count_cases().await.expect("count"), 7);
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
    let version = store
        .append(&case.id, 1, &[ack.clone(), assign.clone()], AT, &p)
        .await
        .expect("append");
    assert_eq!(version, 3);
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
    let ids = thirty_cases_of_january(store).await;
    let base = CaseFilter {
        include_confidential: true,
        limit: 200,
        ..CaseFilter::default()
    };
    every_filter_narrows(store, &base).await;
    overdue_cases_list_earliest_due_first(store, &base).await;
    pages_follow_each_other_in_both_orders(store, &base, &ids).await;
    due_order_puts_cases_with_no_due_date_last(store, &base).await;
}

/// 30 cases received 1–30 Jan 2026; every third closed; due dates spread; some assigned; one confidential.
/// Returns their ids in the order received.
async fn thirty_cases_of_january(store: &dyn Store) -> Vec<String> {
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
    ids
}

/// Each filter of [`thirty_cases_of_january`] alone, on top of `base`, counted.
async fn every_filter_narrows(store: &dyn Store, base: &CaseFilter) {
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
}

/// Overdue as of a day: open cases whose next duty fell before it, in due order.
async fn overdue_cases_list_earliest_due_first(store: &dyn Store, base: &CaseFilter) {
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
}

/// Pages of 7 cover every case exactly once, newest first or earliest due first.
async fn pages_follow_each_other_in_both_orders(
    store: &dyn Store,
    base: &CaseFilter,
    ids: &[String],
) {
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
}

/// Due order: earliest due first, cases with no due date last.
async fn due_order_puts_cases_with_no_due_date_last(store: &dyn Store, base: &CaseFilter) {
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

/// The stores' overdue filter (the due key against a day, index-friendly) and the queue counts' overdue
/// agree with the domain's rule ([`urgency::of_duty`] says `Overdue`) for every open case, whatever its due
/// day around the day asked about; closed cases and cases with nothing due are never overdue.
pub async fn the_overdue_filter_agrees_with_the_domains_urgency(store: &dyn Store) {
    let calendar = Calendar::uk(Division::EnglandAndWales);
    let mut cases = Vec::new();
    for (due, open) in [
        (Some(date(2026, 3, 6)), true),
        (Some(date(2026, 3, 9)), true),
        (Some(date(2026, 3, 10)), true),
        (Some(date(2026, 3, 11)), true),
        (Some(date(2026, 3, 30)), true),
        (None, true),
        (Some(date(2026, 3, 2)), false),
    ] {
        let received = date(2026, 3, 2);
        let mut case = new_case(received, "code-2024");
        case.projection = projection(received, "investigating", 1, due, open);
        cases.push((case.id.clone(), due, open));
        store.create_case(case).await.expect("create");
    }
    for as_of in date(2026, 3, 5).series(1.day()).take(8) {
        let mut expected: Vec<&str> = cases
            .iter()
            .filter(|(_, due, open)| {
                *open
                    && due.is_some_and(|due| {
                        urgency::of_duty(due, &calendar, DEFAULT_DUE_SOON_WORKING_DAYS, as_of)
                            == Urgency::Overdue
                    })
            })
            .map(|(id, _, _)| id.as_str())
            .collect();
        expected.sort_unstable();
        let listed = store
            .list_cases(&CaseFilter {
                overdue_as_of: Some(as_of),
                include_confidential: true,
                limit: 200,
                ..CaseFilter::default()
            })
            .await
            .expect("overdue");
        let mut overdue: Vec<&str> = listed.items.iter().map(|c| c.id.as_str()).collect();
        overdue.sort_unstable();
        assert_eq!(overdue, expected, "overdue as of {as_of}");
        let counts = store
            .queue_counts(as_of, as_of, as_of, true, None)
            .await
            .expect("counts");
        assert_eq!(
            counts.overdue,
            expected.len() as i64,
            "overdue count as of {as_of}"
        );
    }
}

/// Whole cases import in one transaction: every event, numbered and timed as given, the projection after
/// the last, references continuing each year's counter in the order given; a batch with a taken id or a
/// misnumbered event writes nothing.
pub async fn imported_cases_read_back_whole_and_continue_the_counter(store: &dyn Store) {
    let (first, _) = store
        .create_case(new_case(date(2025, 11, 3), "code-2024"))
        .await
        .expect("create");
    assert_eq!(first, "CMP-2025-000001");
    let history = imported_history();
    let references = store.import_cases(history.clone()).await.expect("import");
    assert_eq!(
        references,
        vec!["CMP-2025-000002", "CMP-2026-000001", "CMP-2025-000003"],
        "references continue each year's counter, in the order given"
    );
    for (reference, (case, later)) in references.iter().zip(&history) {
        imported_case_reads_back_whole(store, reference, case, later).await;
    }
    let (closed_in_2025, open_in_2026) = (&history[0].0, &history[1].0);
    imported_cases_take_appends_and_reach_the_queues(store, open_in_2026, &references[0]).await;
    later_creations_continue_after_the_imported_numbers(store).await;
    failed_imports_write_and_number_nothing(store, &closed_in_2025.id).await;
}

/// When an imported event of `on` was recorded.
fn imported_at(on: Date) -> String {
    format!("{on}T09:30:00.000000Z")
}

/// Event `seq` of an imported case, made on `on` by `by`.
fn stored_event(seq: i64, on: Date, event: Event, by: &str) -> StoredEvent {
    StoredEvent {
        seq,
        event: CaseEvent::new(event, Some(by)),
        recorded_at: imported_at(on),
    }
}

/// Three cases brought over from another system, with their later events: A closed in 2025, B open in
/// 2026 (confidential, anonymous, with an idempotency key), C only received, in 2025.
fn imported_history() -> Vec<(NewCase, Vec<StoredEvent>)> {
    // A: received, acknowledged, assigned, responded and closed in 2025.
    let mut a = new_case(date(2025, 11, 10), "code-2024");
    a.recorded_at = imported_at(date(2025, 11, 10));
    let a_events = vec![
        stored_event(
            2,
            date(2025, 11, 12),
            Event::Acknowledged {
                on: date(2025, 11, 12),
            },
            "officer-1",
        ),
        stored_event(
            3,
            date(2025, 11, 12),
            Event::Assigned {
                on: date(2025, 11, 12),
                officer: "officer-7".into(),
            },
            "officer-1",
        ),
        stored_event(
            4,
            date(2025, 11, 24),
            Event::Responded {
                on: date(2025, 11, 24),
                outcome: Some(Outcome::PartlyUpheld),
                heads: Vec::new(),
                remedies: Vec::new(),
                outstanding_actions: Vec::new(),
            },
            "officer-7",
        ),
        stored_event(
            5,
            date(2025, 12, 8),
            Event::Closed {
                on: date(2025, 12, 8),
                reason: CloseReason::Resolved,
                explanation: None,
            },
            "officer-7",
        ),
    ];
    a.projection = projection(date(2025, 11, 10), "closed", 1, None, false);
    a.projection.assignee = Some("officer-7".into());
    a.projection.late_acknowledged_on = Some(date(2025, 11, 12));

    // B: received in 2026, acknowledged and assigned; confidential and anonymous; still open.
    let mut b = new_case(date(2026, 1, 2), "harrogate-ha");
    b.confidential = true;
    b.complainant = None;
    b.idempotency = key("officer-1", "legacy-4471", "hash-legacy");
    let b_events = vec![
        stored_event(
            2,
            date(2026, 1, 5),
            Event::Acknowledged {
                on: date(2026, 1, 5),
            },
            "officer-2",
        ),
        stored_event(
            3,
            date(2026, 1, 5),
            Event::Assigned {
                on: date(2026, 1, 5),
                officer: "officer-9".into(),
            },
            "officer-2",
        ),
    ];
    b.projection = projection(
        date(2026, 1, 2),
        "investigating",
        1,
        Some(date(2026, 1, 19)),
        true,
    );
    b.projection.assignee = Some("officer-9".into());
    b.projection.next_due_clock = Some("stage1_response".into());

    // C: only received, in 2025.
    let c = new_case(date(2025, 12, 30), "code-2024");

    vec![(a, a_events), (b, b_events), (c, Vec::new())]
}

/// An imported case reads back as it was given: its case row, event 1 from the `received` and the rest.
async fn imported_case_reads_back_whole(
    store: &dyn Store,
    reference: &str,
    case: &NewCase,
    later: &[StoredEvent],
) {
    let record = store.case_by_reference(reference).await.expect("read");
    assert_eq!(record.id, case.id, "{reference}");
    assert_eq!(record.policy_id, case.policy_id, "{reference}");
    assert_eq!(record.summary, case.summary, "{reference}");
    assert_eq!(record.confidential, case.confidential, "{reference}");
    assert_eq!(record.complainant, case.complainant, "{reference}");
    assert_eq!(record.projection, case.projection, "{reference}");
    assert_eq!(record.version(), 1 + later.len() as i64, "{reference}");
    assert_eq!(record.events[0].seq, 1);
    assert_eq!(record.events[0].event, case.received);
    assert_eq!(record.events[0].recorded_at, case.recorded_at);
    assert_eq!(&record.events[1..], later, "{reference}");
}

/// An imported case takes appends like any other, at its version, and the work queues see imported
/// projections.
async fn imported_cases_take_appends_and_reach_the_queues(
    store: &dyn Store,
    open_case: &NewCase,
    assigned_to_officer_7: &str,
) {
    let closed = projection(date(2026, 1, 2), "closed", 1, None, false);
    let withdrawn = CaseEvent::new(
        Event::Closed {
            on: date(2026, 1, 6),
            reason: CloseReason::Withdrawn,
            explanation: None,
        },
        Some("officer-9"),
    );
    assert_eq!(
        store
            .append(&open_case.id, 3, &[withdrawn], AT, &closed)
            .await
            .expect("append after import"),
        4
    );
    // The work queues see imported projections.
    let assigned = store
        .list_cases(&CaseFilter {
            assignee: Some("officer-7".into()),
            include_confidential: true,
            limit: 10,
            ..CaseFilter::default()
        })
        .await
        .expect("list");
    assert_eq!(assigned.items.len(), 1);
    assert_eq!(assigned.items[0].reference, assigned_to_officer_7);
}

/// Creations after an import continue each year's counter after the imported numbers.
async fn later_creations_continue_after_the_imported_numbers(store: &dyn Store) {
    let (next_2025, _) = store
        .create_case(new_case(date(2025, 12, 31), "code-2024"))
        .await
        .expect("create 2025");
    let (next_2026, _) = store
        .create_case(new_case(date(2026, 1, 7), "code-2024"))
        .await
        .expect("create 2026");
    assert_eq!(
        (next_2025.as_str(), next_2026.as_str()),
        ("CMP-2025-000004", "CMP-2026-000002")
    );
    assert_eq!(store.count_cases().await.expect("count"), 6);
}

/// A batch with a case id already taken (`taken_id`) writes nothing, and numbers nothing; nor does one
/// whose events are misnumbered. A later good batch takes the next number.
async fn failed_imports_write_and_number_nothing(store: &dyn Store, taken_id: &str) {
    let fresh = new_case(date(2026, 1, 8), "code-2024");
    let mut taken = new_case(date(2026, 1, 8), "code-2024");
    taken.id = taken_id.into();
    assert!(matches!(
        store
            .import_cases(vec![(fresh.clone(), Vec::new()), (taken, Vec::new())])
            .await,
        Err(StoreError::Duplicate(_))
    ));
    // So does one whose events are misnumbered.
    let skipped = vec![stored_event(
        3,
        date(2026, 1, 9),
        Event::Acknowledged {
            on: date(2026, 1, 9),
        },
        "officer-1",
    )];
    assert!(
        store
            .import_cases(vec![(fresh.clone(), skipped)])
            .await
            .is_err()
    );
    assert_eq!(store.count_cases().await.expect("count"), 6);
    assert!(matches!(
        store.case_by_reference("CMP-2026-000003").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .import_cases(vec![(fresh, Vec::new())])
            .await
            .expect("import after a failed batch"),
        vec!["CMP-2026-000003"]
    );
    assert_eq!(
        store.import_cases(Vec::new()).await.expect("empty import"),
        Vec::<String>::new()
    );
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
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
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

/// Tokens keep their expiry, list without their hashes (oldest first), are revoked by exact name (all of
/// that name, once: a later revocation keeps the first time), and record their last use without going back.
pub async fn tokens_expire_are_revoked_by_name_and_record_their_use(store: &dyn Store) {
    let [expiring, forever, other] = three_tokens_listed_oldest_first(store).await;
    token_use_is_recorded_and_never_moves_back(store, &expiring).await;
    tokens_are_revoked_by_exact_name_once(store, [&expiring, &forever], &other).await;
}

/// Creates two tokens named "Integration" (the first expiring) and one "Board pack", a day apart, and checks
/// that they list oldest first, without their hashes.
async fn three_tokens_listed_oldest_first(store: &dyn Store) -> [ApiToken; 3] {
    assert_eq!(store.list_tokens().await.expect("list none"), Vec::new());
    let token = |name: &str, hash: char, expires_at: Option<&str>| ApiToken {
        id: new_id(),
        name: name.into(),
        role: Role::Viewer,
        token_hash: hash.to_string().repeat(64),
        expires_at: expires_at.map(Into::into),
        last_used_at: None,
        revoked_at: None,
    };
    let expiring = token("Integration", 'a', Some("2026-04-05T10:00:00.000000Z"));
    let forever = ApiToken {
        role: Role::ComplaintsOfficer,
        ..token("Integration", 'b', None)
    };
    let other = token("Board pack", 'c', None);
    store
        .create_token(&expiring, "2026-01-05T10:00:00.000000Z")
        .await
        .expect("create expiring");
    store
        .create_token(&forever, "2026-01-06T10:00:00.000000Z")
        .await
        .expect("create forever");
    store
        .create_token(&other, "2026-01-07T10:00:00.000000Z")
        .await
        .expect("create other");
    assert_eq!(
        store
            .token_by_hash(&expiring.token_hash)
            .await
            .expect("by hash"),
        expiring,
        "the expiry round-trips"
    );
    let summary = |t: &ApiToken, created_at: &str| TokenSummary {
        id: t.id.clone(),
        name: t.name.clone(),
        role: t.role,
        created_at: created_at.into(),
        last_used_at: t.last_used_at.clone(),
        expires_at: t.expires_at.clone(),
        revoked_at: t.revoked_at.clone(),
    };
    assert_eq!(
        store.list_tokens().await.expect("list"),
        vec![
            summary(&expiring, "2026-01-05T10:00:00.000000Z"),
            summary(&forever, "2026-01-06T10:00:00.000000Z"),
            summary(&other, "2026-01-07T10:00:00.000000Z"),
        ]
    );
    [expiring, forever, other]
}

/// Use is recorded, and never moves backwards.
async fn token_use_is_recorded_and_never_moves_back(store: &dyn Store, expiring: &ApiToken) {
    store
        .touch_token(&expiring.id, "2026-02-01T09:00:00.000000Z")
        .await
        .expect("touch");
    store
        .touch_token(&expiring.id, "2026-01-20T09:00:00.000000Z")
        .await
        .expect("touch with an older time");
    store
        .touch_token(&new_id(), "2026-02-01T09:00:00.000000Z")
        .await
        .expect("touching a token that is gone is no error");
    let used = store
        .token_by_hash(&expiring.token_hash)
        .await
        .expect("by hash");
    assert_eq!(
        used.last_used_at.as_deref(),
        Some("2026-02-01T09:00:00.000000Z")
    );
    let listed = store.list_tokens().await.expect("list");
    assert_eq!(
        listed[0].last_used_at.as_deref(),
        Some("2026-02-01T09:00:00.000000Z")
    );
    assert_eq!(listed[1].last_used_at, None, "only the token used");
}

/// Revoking by name: exact, every token of the name, once; a token of another name is left alone.
async fn tokens_are_revoked_by_exact_name_once(
    store: &dyn Store,
    integration: [&ApiToken; 2],
    other: &ApiToken,
) {
    let [expiring, _] = integration;
    assert!(matches!(
        store
            .revoke_tokens_by_name("integration", "2026-03-01T09:00:00.000000Z")
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .revoke_tokens_by_name("Nobody", "2026-03-01T09:00:00.000000Z")
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .token_by_hash(&expiring.token_hash)
            .await
            .expect("by hash")
            .revoked_at,
        None,
        "a revocation that found nothing changed nothing"
    );
    assert_eq!(
        store
            .revoke_tokens_by_name("Integration", "2026-03-01T09:00:00.000000Z")
            .await
            .expect("revoke"),
        2
    );
    assert_eq!(
        store
            .revoke_tokens_by_name("Integration", "2026-03-02T09:00:00.000000Z")
            .await
            .expect("revoke again"),
        0
    );
    for t in integration {
        let found = store.token_by_hash(&t.token_hash).await.expect("by hash");
        assert_eq!(
            found.revoked_at.as_deref(),
            Some("2026-03-01T09:00:00.000000Z"),
            "{}: the first revocation's time is kept",
            t.token_hash
        );
        assert!(!found.is_usable_at("2026-03-01T09:00:00.000001Z"));
    }
    let untouched = store
        .token_by_hash(&other.token_hash)
        .await
        .expect("by hash");
    assert_eq!(&untouched, other, "a token of another name is not revoked");
    assert!(untouched.is_usable_at("2026-03-01T09:00:00.000001Z"));
    let listed = store.list_tokens().await.expect("list");
    assert_eq!(
        listed
            .iter()
            .map(|t| (t.name.as_str(), t.revoked_at.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("Integration", Some("2026-03-01T09:00:00.000000Z")),
            ("Integration", Some("2026-03-01T09:00:00.000000Z")),
            ("Board pack", None),
        ]
    );
}

fn user(email: &str) -> User {
    User {
        id: new_id(),
        email: email.into(),
        name: "Ben Okafor".into(),
        role: Role::Reviewer,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    }
}

/// Sessions are found by hash until they expire, move their expiry when touched, and end on sign-out.
pub async fn sessions_expire_and_end(store: &dyn Store) {
    let u = user("ben@example.org");
    store.create_user(&u, AT).await.expect("user");
    assert_eq!(store.user_by_id(&u.id).await.expect("by id"), u);
    assert_eq!(store.users().await.expect("users"), vec![u.clone()]);
    let session = Session {
        id_hash: "c".repeat(64),
        user_id: u.id.clone(),
        csrf: "csrf-token".into(),
        created_at: "2026-01-05T10:00:00.000000Z".into(),
        last_seen_at: "2026-01-05T10:00:00.000000Z".into(),
        expires_at: "2026-01-05T10:30:00.000000Z".into(),
    };
    store
        .create_session(&session)
        .await
        .expect("create session");
    let (found, who) = store
        .session(&session.id_hash, "2026-01-05T10:10:00.000000Z")
        .await
        .expect("live");
    assert_eq!(
        (found.csrf.as_str(), who.email.as_str()),
        ("csrf-token", "ben@example.org")
    );
    // Idle past the expiry: gone.
    assert!(matches!(
        store
            .session(&session.id_hash, "2026-01-05T10:31:00.000000Z")
            .await,
        Err(StoreError::NotFound)
    ));
    // Touched in time: the expiry moves.
    store
        .touch_session(
            &session.id_hash,
            "2026-01-05T10:20:00.000000Z",
            "2026-01-05T10:50:00.000000Z",
        )
        .await
        .expect("touch");
    assert!(
        store
            .session(&session.id_hash, "2026-01-05T10:40:00.000000Z")
            .await
            .is_ok()
    );
    store
        .delete_session(&session.id_hash)
        .await
        .expect("sign out");
    store
        .delete_session(&session.id_hash)
        .await
        .expect("signing out twice is fine");
    assert!(matches!(
        store
            .session(&session.id_hash, "2026-01-05T10:41:00.000000Z")
            .await,
        Err(StoreError::NotFound)
    ));
}

/// The duplicate warning finds open cases by email or name; the queue counts add up.
pub async fn duplicates_and_queue_counts(store: &dyn Store) {
    let mut open = new_case(date(2026, 5, 1), "code-2024");
    open.projection = projection(
        date(2026, 5, 1),
        "investigating",
        1,
        Some(date(2026, 5, 29)),
        true,
    );
    open.projection.assignee = Some("asha".into());
    let (r_open, _) = store.create_case(open).await.expect("open");
    let mut closed = new_case(date(2026, 4, 1), "code-2024");
    closed.projection = projection(date(2026, 4, 1), "closed", 1, None, false);
    closed.projection.late_acknowledged_on = Some(date(2026, 6, 2));
    store.create_case(closed).await.expect("closed");
    let mut due_soon = new_case(date(2026, 5, 20), "code-2024");
    due_soon.complainant = None;
    due_soon.projection = projection(
        date(2026, 5, 20),
        "awaiting_acknowledgement",
        1,
        Some(date(2026, 6, 4)),
        true,
    );
    due_soon.projection.late_acknowledged_on = Some(date(2026, 6, 1));
    due_soon.confidential = true;
    store.create_case(due_soon).await.expect("due soon");

    assert_eq!(
        store
            .open_cases_of(Some("AISHA@example.org"), None)
            .await
            .expect("by email"),
        vec![r_open.clone()]
    );
    assert_eq!(
        store
            .open_cases_of(None, Some(" aisha khan "))
            .await
            .expect("by name"),
        vec![r_open.clone()]
    );
    assert!(
        store
            .open_cases_of(Some("someone@else.org"), Some("Someone Else"))
            .await
            .expect("none")
            .is_empty()
    );
    assert!(
        store
            .open_cases_of(None, None)
            .await
            .expect("nothing to match")
            .is_empty()
    );

    // As of Mon 1 June 2026: week ends Sun 7 June; month starts 1 June.
    let counts = |include_confidential: bool, assignee: Option<&'static str>| async move {
        let [today, week_end, month_start] = [date(2026, 6, 1), date(2026, 6, 7), date(2026, 6, 1)];
        store
            .queue_counts(today, week_end, month_start, include_confidential, assignee)
            .await
            .expect("counts")
    };
    let all = crate::QueueCounts {
        open: 2,
        due_this_week: 1,
        overdue: 1,
        acknowledged_late_this_month: 2,
    };
    assert_eq!(counts(true, None).await, all);
    let hidden = crate::QueueCounts {
        open: 1,
        due_this_week: 0,
        overdue: 1,
        acknowledged_late_this_month: 1,
    };
    assert_eq!(counts(false, None).await, hidden, "without confidential");
    let mine = crate::QueueCounts {
        open: 1,
        due_this_week: 0,
        overdue: 1,
        acknowledged_late_this_month: 0,
    };
    assert_eq!(counts(true, Some("asha")).await, mine, "mine");
}

/// Failed sign-ins: counted per account, per address and overall within a window (its start included),
/// newest first and no more than asked for; an account's are forgotten when it signs in, and old ones pruned.
pub async fn sign_in_failures_are_counted_by_account_address_and_overall_then_cleared_and_pruned(
    store: &dyn Store,
) {
    use SignInScope::{Account, Address, Overall};
    let t = |minute: u32| format!("2026-01-05T10:{minute:02}:00.000000Z");
    for (account, address, minute) in [
        ("acct-a", "192.0.2.1", 0),
        ("acct-a", "192.0.2.1", 5),
        ("acct-a", "2001:db8::/64", 6),
        ("acct-b", "192.0.2.1", 7),
        ("acct-a", "192.0.2.1", 9),
        // The same instant twice counts twice.
        ("acct-b", "192.0.2.1", 9),
    ] {
        store
            .record_sign_in_failure(account, address, &t(minute))
            .await
            .expect("record a failed sign-in");
    }
    let recent = |scope: SignInScope<'static>, since: String, limit: u32| async move {
        store
            .recent_sign_in_failures(scope, &since, limit)
            .await
            .expect("recent failures")
    };
    assert_eq!(
        recent(Account("acct-a"), t(0), 10).await,
        vec![t(9), t(6), t(5), t(0)],
        "an account's failures, newest first, the window's start included"
    );
    assert_eq!(
        recent(Account("acct-a"), t(1), 10).await,
        vec![t(9), t(6), t(5)],
        "failures before the window do not count"
    );
    assert_eq!(
        recent(Account("acct-a"), t(0), 2).await,
        vec![t(9), t(6)],
        "no more than the limit, the newest"
    );
    assert!(
        recent(Account("ACCT-A"), t(0), 10).await.is_empty(),
        "account keys are compared exactly"
    );
    assert!(recent(Account("acct-c"), t(0), 10).await.is_empty());
    assert_eq!(
        recent(Address("192.0.2.1"), t(0), 10).await,
        vec![t(9), t(9), t(7), t(5), t(0)],
        "an address's failures, whichever account"
    );
    assert_eq!(recent(Address("2001:db8::/64"), t(0), 10).await, vec![t(6)]);
    assert_eq!(
        recent(Overall, t(6), 10).await,
        vec![t(9), t(9), t(7), t(6)]
    );
    assert_eq!(recent(Overall, t(0), 3).await, vec![t(9), t(9), t(7)]);

    // Signing in forgets that account's failures, and only those.
    assert_eq!(
        store.clear_sign_in_failures("acct-a").await.expect("clear"),
        4
    );
    assert!(recent(Account("acct-a"), t(0), 10).await.is_empty());
    assert_eq!(recent(Account("acct-b"), t(0), 10).await, vec![t(9), t(7)]);
    assert_eq!(
        recent(Address("192.0.2.1"), t(0), 10).await,
        vec![t(9), t(7)]
    );
    assert_eq!(
        store
            .clear_sign_in_failures("acct-a")
            .await
            .expect("clear again"),
        0,
        "clearing an account with no failures is fine"
    );

    // Pruning forgets what came before the instant, keeping the instant itself.
    store
        .record_sign_in_failure("acct-c", "192.0.2.9", &t(20))
        .await
        .expect("record");
    assert_eq!(
        store.prune_sign_in_failures(&t(9)).await.expect("prune"),
        1,
        "only the failure at 10:07 is older"
    );
    assert_eq!(recent(Overall, t(0), 10).await, vec![t(20), t(9)]);
    assert_eq!(
        store
            .prune_sign_in_failures(&t(30))
            .await
            .expect("prune all"),
        2
    );
    assert!(recent(Overall, t(0), 10).await.is_empty());
}

/// Without `include_confidential`, `confidential_for` lists the confidential cases its principal logged (the
/// `by` of the received event) or is assigned to now, and no one else's.
pub async fn confidential_cases_list_for_their_author_and_assignee(store: &dyn Store) {
    let received = date(2026, 3, 2);
    let case = |by: &str, assignee: Option<&str>, confidential: bool| {
        let mut c = new_case(received, "code-2024");
        c.received = CaseEvent::new(Event::received(received, Channel::Letter), Some(by));
        c.projection.assignee = assignee.map(Into::into);
        c.confidential = confidential;
        c
    };
    let mut refs = std::collections::BTreeMap::new();
    for (name, c) in [
        ("open", case("officer-1", None, false)),
        ("by-1", case("officer-1", None, true)),
        ("by-2", case("officer-2", None, true)),
        ("by-2-for-1", case("officer-2", Some("officer-1"), true)),
        (
            "by-manager-for-3",
            case("manager-1", Some("officer-3"), true),
        ),
    ] {
        let (reference, _) = store.create_case(c).await.expect("create");
        refs.insert(reference, name);
    }
    let listed = |confidential_for: Option<&str>, include_confidential: bool| {
        let refs = refs.clone();
        let filter = CaseFilter {
            include_confidential,
            confidential_for: confidential_for.map(Into::into),
            limit: 200,
            ..CaseFilter::default()
        };
        async move {
            let mut names: Vec<&str> = store
                .list_cases(&filter)
                .await
                .expect("list")
                .items
                .iter()
                .map(|c| refs[&c.reference])
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(listed(None, false).await, vec!["open"]);
    assert_eq!(
        listed(Some("officer-1"), false).await,
        vec!["by-1", "by-2-for-1", "open"]
    );
    assert_eq!(
        listed(Some("officer-2"), false).await,
        vec!["by-2", "by-2-for-1", "open"]
    );
    assert_eq!(
        listed(Some("officer-3"), false).await,
        vec!["by-manager-for-3", "open"]
    );
    assert_eq!(listed(Some("nobody"), false).await, vec!["open"]);
    assert_eq!(listed(Some("nobody"), true).await.len(), 5);
}

/// A letter is drafted on its case, read back with the case's reference, and issued once: the letter's
/// status, its document and the `letter_issued` event in one write, refused whole on a stale version or a
/// second issue.
pub async fn letters_are_drafted_read_back_and_issued_once_with_their_event(store: &dyn Store) {
    use redress_domain::event::LetterChannel;
    use redress_domain::letters::LetterKind;
    let case = new_case(date(2026, 1, 5), "code-2024");
    let (reference, _) = store.create_case(case.clone()).await.expect("create");
    let draft = NewLetter {
        id: new_id(),
        case_id: case.id.clone(),
        kind: LetterKind::Acknowledgement,
        stage: 1,
        paragraphs: vec!["Thank you for your complaint.".into()],
        step: None,
        created_at: AT.into(),
        created_by: Some("officer-1".into()),
    };
    store.create_letter(&draft).await.expect("draft");
    let read = store.letter(&draft.id).await.expect("read the draft");
    assert_eq!(read.reference, reference);
    assert_eq!(
        (read.kind, read.stage, read.status),
        (LetterKind::Acknowledgement, 1, LetterStatus::Draft)
    );
    assert_eq!(read.paragraphs, draft.paragraphs);
    assert_eq!(read.created_by.as_deref(), Some("officer-1"));
    assert_eq!(
        (read.issued_at, read.channel, read.document),
        (None, None, None)
    );
    assert!(matches!(
        store.letter("no-such-letter").await,
        Err(StoreError::NotFound)
    ));
    let orphan = NewLetter {
        id: new_id(),
        case_id: "no-such-case".into(),
        ..draft.clone()
    };
    assert!(matches!(
        store.create_letter(&orphan).await,
        Err(StoreError::NotFound)
    ));

    let document = DocumentRecord {
        id: "ab".repeat(32),
        content_type: "application/pdf".into(),
        size: 1234,
        name: format!("{reference}-acknowledgement.pdf"),
        created_at: AT.into(),
    };
    let event = CaseEvent::new(
        Event::LetterIssued {
            on: date(2026, 1, 6),
            letter: draft.id.clone(),
            kind: LetterKind::Acknowledgement,
            stage: 1,
            channel: LetterChannel::Post,
            recipients: vec!["A. Resident".into()],
            document: document.id.clone(),
            checklist: Vec::new(),
        },
        Some("officer-1"),
    );
    let p = projection(
        date(2026, 1, 5),
        "awaiting_acknowledgement",
        1,
        Some(date(2026, 1, 12)),
        true,
    );
    let issue = LetterIssue {
        letter_id: draft.id.clone(),
        case_id: case.id.clone(),
        expected_version: 1,
        step: None,
        event: event.clone(),
        projection: p.clone(),
        channel: "post".into(),
        document: document.clone(),
        recorded_at: AT.into(),
        messages: Vec::new(),
    };
    // A stale version writes nothing: the letter stays a draft.
    let stale = LetterIssue {
        expected_version: 7,
        ..issue.clone()
    };
    assert!(matches!(
        store.issue_letter(&stale).await,
        Err(StoreError::Conflict {
            expected: 7,
            actual: 1
        })
    ));
    assert_eq!(
        store.letter(&draft.id).await.expect("read").status,
        LetterStatus::Draft
    );
    assert_eq!(store.issue_letter(&issue).await.expect("issue"), 2);
    let issued = store.letter(&draft.id).await.expect("read issued");
    assert_eq!(issued.status, LetterStatus::Issued);
    assert_eq!(issued.channel.as_deref(), Some("post"));
    assert_eq!(issued.issued_at.as_deref(), Some(AT));
    assert_eq!(issued.document, Some(document.clone()));
    let record = store.case_by_reference(&reference).await.expect("case");
    assert_eq!(record.events.len(), 2);
    assert_eq!(record.events[1].event, event);
    // Issued once: a second issue, even at the current version, is refused and writes nothing.
    let again = LetterIssue {
        expected_version: 2,
        ..issue.clone()
    };
    assert!(matches!(
        store.issue_letter(&again).await,
        Err(StoreError::Duplicate(_))
    ));
    let record = store.case_by_reference(&reference).await.expect("case");
    assert_eq!(record.events.len(), 2, "the refused issue appended nothing");
    the_same_bytes_are_one_document(store, &draft, issue).await;
}

/// A second letter issued as the same bytes shares the first one's document row.
async fn the_same_bytes_are_one_document(store: &dyn Store, draft: &NewLetter, issue: LetterIssue) {
    let document = issue.document.clone();
    let second = NewLetter {
        id: new_id(),
        kind: redress_domain::letters::LetterKind::General,
        ..draft.clone()
    };
    store.create_letter(&second).await.expect("second draft");
    let reissue = LetterIssue {
        letter_id: second.id.clone(),
        expected_version: 2,
        ..issue
    };
    assert_eq!(store.issue_letter(&reissue).await.expect("second issue"), 3);
    assert_eq!(
        store.letter(&second.id).await.expect("read").document,
        Some(document)
    );
}

/// A draft may carry the step it records (a response letter's response): it reads back, and issuing it
/// writes the step and then `letter_issued`, two versions on, in one write. A case lists its letters,
/// drafts and issued, newest first; another case's are not among them.
pub async fn a_letter_carrying_its_step_is_issued_with_it_and_cases_list_their_letters(
    store: &dyn Store,
) {
    use redress_domain::event::LetterChannel;
    use redress_domain::letters::LetterKind;
    let case = new_case(date(2026, 1, 5), "code-2024");
    let (reference, _) = store.create_case(case.clone()).await.expect("create");
    let other = new_case(date(2026, 1, 5), "code-2024");
    store
        .create_case(other.clone())
        .await
        .expect("create another");
    let response = Event::Responded {
        on: date(2026, 1, 20),
        outcome: Some(Outcome::NotUpheld),
        heads: Vec::new(),
        remedies: Vec::new(),
        outstanding_actions: Vec::new(),
    };
    let general = NewLetter {
        id: new_id(),
        case_id: case.id.clone(),
        kind: LetterKind::General,
        stage: 1,
        paragraphs: Vec::new(),
        step: None,
        created_at: "2026-01-19T09:00:00.000000Z".into(),
        created_by: None,
    };
    let with_step = NewLetter {
        id: new_id(),
        kind: LetterKind::StageResponse,
        step: Some(response.clone()),
        created_at: "2026-01-20T09:00:00.000000Z".into(),
        ..general.clone()
    };
    let elsewhere = NewLetter {
        id: new_id(),
        case_id: other.id.clone(),
        ..general.clone()
    };
    for letter in [&general, &with_step, &elsewhere] {
        store.create_letter(letter).await.expect("draft");
    }
    assert_eq!(
        store.letter(&with_step.id).await.expect("read").step,
        Some(response.clone())
    );
    let listed: Vec<String> = store
        .letters_of_case(&case.id)
        .await
        .expect("list")
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(listed, vec![with_step.id.clone(), general.id.clone()]);
    let document = DocumentRecord {
        id: "cd".repeat(32),
        content_type: "application/pdf".into(),
        size: 99,
        name: format!("{reference}-stage_response.pdf"),
        created_at: AT.into(),
    };
    let issued_event = CaseEvent::new(
        Event::LetterIssued {
            on: date(2026, 1, 20),
            letter: with_step.id.clone(),
            kind: LetterKind::StageResponse,
            stage: 1,
            channel: LetterChannel::Post,
            recipients: Vec::new(),
            document: document.id.clone(),
            checklist: Vec::new(),
        },
        Some("officer-1"),
    );
    let issue = LetterIssue {
        letter_id: with_step.id.clone(),
        case_id: case.id.clone(),
        expected_version: 1,
        step: Some(CaseEvent::new(response.clone(), Some("officer-1"))),
        event: issued_event.clone(),
        projection: projection(date(2026, 1, 5), "responded", 1, None, true),
        channel: "post".into(),
        document,
        recorded_at: AT.into(),
        messages: Vec::new(),
    };
    assert_eq!(store.issue_letter(&issue).await.expect("issue"), 3);
    let record = store.case_by_reference(&reference).await.expect("case");
    let kinds: Vec<&str> = record.events.iter().map(|e| e.event.event.kind()).collect();
    assert_eq!(kinds, vec!["received", "responded", "letter_issued"]);
    assert_eq!(record.events[1].event.event, response);
    assert_eq!(record.events[2].event, issued_event);
    let statuses: Vec<LetterStatus> = store
        .letters_of_case(&case.id)
        .await
        .expect("list")
        .into_iter()
        .map(|l| l.status)
        .collect();
    assert_eq!(statuses, vec![LetterStatus::Issued, LetterStatus::Draft]);
}

/// A document is attached to its case with the `document_added` event in one write, refused whole on a
/// stale version; attachments read back by id and by case (oldest first), and the same bytes attached
/// twice are one bytes row with two attachments.
pub async fn documents_are_attached_to_cases_with_their_event_and_listed(store: &dyn Store) {
    use crate::{CaseDocumentAdd, CaseDocumentRecord};
    let case = new_case(date(2026, 1, 5), "code-2024");
    let (reference, _) = store.create_case(case.clone()).await.expect("create");
    let bytes = DocumentRecord {
        id: "cd".repeat(32),
        content_type: "application/pdf".into(),
        size: 2048,
        name: "damp survey.pdf".into(),
        created_at: AT.into(),
    };
    let attach = |id: &str, version: i64, name: &str, at: &str| {
        let event = CaseEvent::new(
            Event::DocumentAdded {
                on: date(2026, 1, 6),
                document: id.to_owned(),
                sha256: bytes.id.clone(),
                name: name.to_owned(),
                content_type: bytes.content_type.clone(),
                size: 2048,
            },
            Some("officer-1"),
        );
        CaseDocumentAdd {
            id: id.to_owned(),
            case_id: case.id.clone(),
            expected_version: version,
            event,
            projection: projection(
                date(2026, 1, 5),
                "awaiting_acknowledgement",
                1,
                Some(date(2026, 1, 12)),
                true,
            ),
            document: bytes.clone(),
            name: name.to_owned(),
            description: Some("Photos of the bathroom ceiling".into()),
            uploaded_by: Some("officer-1".into()),
            recorded_at: at.to_owned(),
        }
    };
    let first = attach(&new_id(), 1, "damp survey.pdf", AT);
    let stale = CaseDocumentAdd {
        expected_version: 5,
        ..first.clone()
    };
    assert!(matches!(
        store.add_case_document(&stale).await,
        Err(StoreError::Conflict {
            expected: 5,
            actual: 1
        })
    ));
    assert!(
        store
            .case_documents(&case.id)
            .await
            .expect("list")
            .is_empty(),
        "the refused attachment wrote nothing"
    );
    assert_eq!(store.add_case_document(&first).await.expect("attach"), 2);
    let read = store.case_document(&first.id).await.expect("read");
    let expected = CaseDocumentRecord {
        id: first.id.clone(),
        case_id: case.id.clone(),
        reference: reference.clone(),
        document: bytes.clone(),
        name: "damp survey.pdf".into(),
        description: Some("Photos of the bathroom ceiling".into()),
        uploaded_by: Some("officer-1".into()),
        uploaded_at: AT.into(),
    };
    assert_eq!(read, expected);
    let record = store.case_by_reference(&reference).await.expect("case");
    assert_eq!(record.events.len(), 2);
    assert_eq!(record.events[1].event, first.event);
    assert!(matches!(
        store.case_document("no-such-document").await,
        Err(StoreError::NotFound)
    ));
    // The same bytes again, under another name: one bytes row (its first name kept), two attachments.
    let later = "2026-01-05T11:00:00.000000Z";
    let second = attach(&new_id(), 2, "survey (copy).pdf", later);
    assert_eq!(store.add_case_document(&second).await.expect("again"), 3);
    let listed = store.case_documents(&case.id).await.expect("list");
    let names: Vec<&str> = listed.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, vec!["damp survey.pdf", "survey (copy).pdf"]);
    assert!(listed.iter().all(|d| d.document == bytes));
    assert!(
        store
            .case_documents("no-such-case")
            .await
            .expect("none")
            .is_empty()
    );
}
