//! The outbox's conformance checks: queued with the write it belongs to, claimed by one worker at a time,
//! settled once, and an interrupted send never sent again by itself.

use std::collections::BTreeSet;

use jiff::civil::date;
use redress_domain::event::{CaseEvent, Event, LetterChannel};
use redress_domain::letters::LetterKind;

use super::{AT, new_case, projection};
use crate::outbox::ABANDONED_SEND;
use crate::{
    DocumentRecord, LetterIssue, MessageKind, MessageStatus, NewLetter, NewMessage, Store,
    StoreError, new_id,
};

const LATER: &str = "2026-01-05T10:05:00.000000Z";
const MUCH_LATER: &str = "2026-01-05T11:00:00.000000Z";

fn message(case_id: Option<&str>, recipient: &str, queued_at: &str) -> NewMessage {
    let id = new_id();
    NewMessage {
        message_id: format!("{id}@redress.test"),
        id,
        case_id: case_id.map(Into::into),
        reference: None,
        letter_id: None,
        kind: MessageKind::Assignment,
        recipient: recipient.into(),
        subject: "A case for you".into(),
        body: "CMP-2026-000001 has been assigned to you.".into(),
        attachment: None,
        queued_at: queued_at.into(),
        dedupe_key: None,
    }
}

/// Issuing a letter by email queues its message in the same transaction: a refused issue queues nothing,
/// and the issued letter's message is on its case, queued, with its attachment and stable Message-ID.
pub async fn a_letter_issued_by_email_is_queued_in_the_same_write(store: &dyn Store) {
    let case = new_case(date(2026, 1, 5), "code-2024");
    let (reference, _) = store.create_case(case.clone()).await.expect("create");
    let draft = NewLetter {
        id: new_id(),
        case_id: case.id.clone(),
        kind: LetterKind::Acknowledgement,
        stage: 1,
        paragraphs: Vec::new(),
        step: None,
        created_at: AT.into(),
        created_by: None,
    };
    store.create_letter(&draft).await.expect("draft");
    let document = DocumentRecord {
        id: "cd".repeat(32),
        content_type: "application/pdf".into(),
        size: 99,
        name: format!("{reference}-acknowledgement.pdf"),
        created_at: AT.into(),
    };
    let mut email = message(Some(&case.id), "resident@example.org", AT);
    email.kind = MessageKind::Letter;
    email.letter_id = Some(draft.id.clone());
    email.reference = Some(reference.clone());
    email.attachment = Some((document.id.clone(), document.name.clone()));
    let issue = LetterIssue {
        letter_id: draft.id.clone(),
        case_id: case.id.clone(),
        expected_version: 1,
        step: None,
        event: CaseEvent::new(
            Event::LetterIssued {
                on: date(2026, 1, 6),
                letter: draft.id.clone(),
                kind: LetterKind::Acknowledgement,
                stage: 1,
                channel: LetterChannel::Email,
                recipients: vec!["A. Resident".into()],
                document: document.id.clone(),
                checklist: Vec::new(),
            },
            None,
        ),
        projection: projection(date(2026, 1, 5), "awaiting_acknowledgement", 1, None, true),
        channel: "email".into(),
        document,
        recorded_at: AT.into(),
        messages: vec![email.clone()],
    };
    let stale = LetterIssue {
        expected_version: 5,
        ..issue.clone()
    };
    assert!(store.issue_letter(&stale).await.is_err());
    assert_eq!(
        store.case_messages(&case.id).await.expect("messages"),
        Vec::new(),
        "a refused issue queues nothing"
    );
    store.issue_letter(&issue).await.expect("issue");
    let queued = store.case_messages(&case.id).await.expect("messages");
    assert_eq!(queued.len(), 1);
    let m = &queued[0];
    assert_eq!(
        (m.status, m.kind, m.attempts, m.sent_at.as_deref()),
        (MessageStatus::Queued, MessageKind::Letter, 0, None)
    );
    assert_eq!(
        (&m.message_id, &m.recipient, &m.attachment, &m.letter_id),
        (
            &email.message_id,
            &email.recipient,
            &email.attachment,
            &email.letter_id
        )
    );
    assert_eq!(m.reference.as_deref(), Some(reference.as_str()));
    assert_eq!((m.queued_at.as_str(), m.next_attempt_at.as_str()), (AT, AT));
    assert_eq!(store.message(&m.id).await.expect("by id"), *m);
    assert!(matches!(
        store.message("no-such-message").await,
        Err(StoreError::NotFound)
    ));
}

/// A claim takes only due, queued messages and marks them `sending` with their lease; each outcome is
/// recorded once; a deferred message waits for its time; a message abandoned mid-send is failed, not
/// claimed again, until a person sends it again; a dedupe key queues once.
pub async fn messages_are_claimed_settled_and_an_abandoned_send_is_never_resent(store: &dyn Store) {
    let [a, b, c] = [
        message(None, "a@example.org", AT),
        message(None, "b@example.org", AT),
        message(None, "c@example.org", LATER),
    ];
    let batch = [a.clone(), b.clone(), c.clone()];
    assert_eq!(store.queue_messages(&batch).await.expect("queue"), 3);
    let before = "2026-01-05T09:00:00.000000Z";
    assert!(
        store
            .claim_messages(before, LATER, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    let claimed = store.claim_messages(AT, LATER, 10).await.expect("claim");
    let ids: Vec<&str> = claimed.iter().map(|m| m.id.as_str()).collect();
    let mut expected = vec![a.id.as_str(), b.id.as_str()];
    expected.sort();
    assert_eq!(ids, expected, "only the due messages, oldest first");
    for m in &claimed {
        assert_eq!((m.status, m.attempts), (MessageStatus::Sending, 1));
        assert_eq!(m.lease_until.as_deref(), Some(LATER));
    }
    assert!(
        store
            .claim_messages(AT, LATER, 10)
            .await
            .expect("again")
            .is_empty(),
        "claimed once"
    );

    assert!(store.message_sent(&a.id, AT).await.expect("sent"));
    assert!(
        !store.message_sent(&a.id, AT).await.expect("sent twice"),
        "settled once"
    );
    assert!(
        !store
            .message_failed(&a.id, "late")
            .await
            .expect("fail a sent one")
    );
    let sent = store.message(&a.id).await.expect("a");
    assert_eq!(
        (sent.status, sent.sent_at.as_deref()),
        (MessageStatus::Sent, Some(AT))
    );

    assert!(
        store
            .message_deferred(&b.id, "421 try later", LATER)
            .await
            .expect("defer")
    );
    let deferred = store.message(&b.id).await.expect("b");
    assert_eq!(deferred.status, MessageStatus::Queued);
    assert_eq!(deferred.last_error.as_deref(), Some("421 try later"));
    let at_later = store
        .claim_messages(LATER, MUCH_LATER, 10)
        .await
        .expect("claim later");
    let mut later_ids: Vec<&str> = at_later.iter().map(|m| m.id.as_str()).collect();
    later_ids.sort();
    let mut both = vec![b.id.as_str(), c.id.as_str()];
    both.sort();
    assert_eq!(later_ids, both);
    assert_eq!(store.message(&b.id).await.expect("b").attempts, 2);

    assert!(
        store
            .message_failed(&c.id, "550 no such user")
            .await
            .expect("fail")
    );
    an_abandoned_send_waits_for_a_person(store, &a.id, &b.id).await;
    a_dedupe_key_queues_once(store).await;
}

/// `b` is being sent (claimed until [`MUCH_LATER`]) and `a` was sent: b's worker stopped mid-send.
async fn an_abandoned_send_waits_for_a_person(store: &dyn Store, a: &str, b: &str) {
    // b's worker stopped mid-send: its lease runs out, and it is failed, never claimed again by itself.
    assert_eq!(store.fail_abandoned_sends(LATER).await.expect("not yet"), 0);
    assert_eq!(
        store
            .fail_abandoned_sends("2026-01-05T12:00:00.000000Z")
            .await
            .expect("sweep"),
        1
    );
    let abandoned = store.message(b).await.expect("b");
    assert_eq!(abandoned.status, MessageStatus::Failed);
    assert_eq!(abandoned.last_error.as_deref(), Some(ABANDONED_SEND));
    assert!(
        store
            .claim_messages(MUCH_LATER, MUCH_LATER, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    assert!(
        !store
            .message_sent(b, MUCH_LATER)
            .await
            .expect("late success")
    );

    // A person sends it again.
    assert!(store.retry_message(b, MUCH_LATER).await.expect("retry"));
    assert!(
        !store
            .retry_message(b, MUCH_LATER)
            .await
            .expect("retry queued")
    );
    assert!(
        !store
            .retry_message(a, MUCH_LATER)
            .await
            .expect("retry sent")
    );
    assert!(matches!(
        store.retry_message("no-such-message", MUCH_LATER).await,
        Err(StoreError::NotFound)
    ));
    let again = store
        .claim_messages(MUCH_LATER, "2026-01-05T11:05:00.000000Z", 10)
        .await
        .expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id.as_str(), again[0].attempts), (b, 1));
}

/// A second message with a dedupe key already queued is not queued.
async fn a_dedupe_key_queues_once(store: &dyn Store) {
    let mut digest = message(None, "officer@example.org", AT);
    digest.dedupe_key = Some("digest:officer-1:2026-01-05".into());
    assert_eq!(
        store
            .queue_messages(std::slice::from_ref(&digest))
            .await
            .expect("digest"),
        1
    );
    let mut twice = message(None, "officer@example.org", AT);
    twice.dedupe_key = digest.dedupe_key.clone();
    assert_eq!(
        store.queue_messages(&[twice]).await.expect("digest again"),
        0,
        "queued once"
    );
}

/// Two workers claiming at once never take the same message, and between them take every one.
pub async fn two_workers_never_claim_the_same_message(store: &dyn Store) {
    let batch: Vec<NewMessage> = (0..24)
        .map(|i| message(None, &format!("r{i}@example.org"), AT))
        .collect();
    store.queue_messages(&batch).await.expect("queue");
    let (one, two) = tokio::join!(claim_all(store), claim_all(store));
    let mut all: Vec<String> = one.iter().chain(two.iter()).cloned().collect();
    let distinct: BTreeSet<String> = all.iter().cloned().collect();
    assert_eq!(distinct.len(), all.len(), "a message was claimed twice");
    all.sort();
    let mut expected: Vec<String> = batch.into_iter().map(|m| m.id).collect();
    expected.sort();
    assert_eq!(all, expected);
}

/// Claims three at a time until nothing is left; the ids claimed.
async fn claim_all(store: &dyn Store) -> Vec<String> {
    let mut mine = Vec::new();
    loop {
        let claimed = store
            .claim_messages(LATER, MUCH_LATER, 3)
            .await
            .expect("claim");
        if claimed.is_empty() {
            return mine;
        }
        mine.extend(claimed.into_iter().map(|m| m.id));
    }
}

/// A step appended with its notification queues it in the same write; a refused append queues nothing.
pub async fn a_notification_is_queued_with_its_step_or_not_at_all(store: &dyn Store) {
    let case = new_case(date(2026, 1, 5), "code-2024");
    store.create_case(case.clone()).await.expect("create");
    let step = CaseEvent::new(
        Event::Assigned {
            on: date(2026, 1, 6),
            officer: "officer-2".into(),
        },
        Some("manager-1"),
    );
    let p = projection(date(2026, 1, 5), "awaiting_acknowledgement", 1, None, true);
    let notice = message(Some(&case.id), "officer2@example.org", AT);
    let stale = store
        .append_with_messages(
            &case.id,
            9,
            std::slice::from_ref(&step),
            AT,
            (&p, std::slice::from_ref(&notice)),
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    assert!(
        store
            .case_messages(&case.id)
            .await
            .expect("none")
            .is_empty()
    );
    let version = store
        .append_with_messages(
            &case.id,
            1,
            std::slice::from_ref(&step),
            AT,
            (&p, std::slice::from_ref(&notice)),
        )
        .await
        .expect("append");
    assert_eq!(version, 2);
    let queued = store.case_messages(&case.id).await.expect("queued");
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].id.as_str(), queued[0].status),
        (notice.id.as_str(), MessageStatus::Queued)
    );
}
