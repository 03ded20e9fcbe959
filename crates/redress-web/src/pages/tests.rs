use std::collections::HashMap;

use axum::http::{StatusCode, header};
use axum::response::Response;
use redress_domain::event::{Event, RemedyKind};
use redress_store::{StoreError, User};

use super::intake::{complaint_error_message, humanise_dates};
use super::layout::{error_page, store_failed};
use super::queue::queue_tag;
use super::sign_in::safe_next;
use super::steps::parse::{event_from_form, parse_pounds};
use crate::error::ApiError;
use crate::session::Staff;

/// The work queue's tags come from the domain's urgency of the next duty.
#[test]
fn queue_tags_follow_the_next_duty() {
    use jiff::civil::date;
    let today = date(2025, 12, 23);
    let row = |next: Option<jiff::civil::Date>, open: bool, late: bool| redress_store::Projection {
        stage: 1,
        state: "investigating".into(),
        feedback_type: "complaint".into(),
        received_on: date(2025, 12, 1),
        assignee: None,
        next_due_on: next,
        next_due_clock: next.map(|_| "stage1_response".into()),
        is_open: open,
        late_acknowledged_on: late.then_some(date(2025, 12, 10)),
    };
    let tag = |p| queue_tag(&p, None, today).1;
    assert_eq!(tag(row(Some(date(2025, 12, 22)), true, false)), "Overdue");
    assert_eq!(tag(row(Some(today), true, false)), "Due today");
    // Two working days on from Tue 23 Dec 2025 is Mon 29 Dec (Christmas and Boxing Day skipped).
    assert_eq!(
        tag(row(Some(date(2025, 12, 29)), true, false)),
        "Due within 2 working days"
    );
    assert_eq!(tag(row(Some(date(2025, 12, 30)), true, false)), "On track");
    assert_eq!(tag(row(Some(date(2025, 12, 30)), true, true)), "Met late");
    assert_eq!(tag(row(Some(date(2025, 12, 22)), false, false)), "Closed");
    assert_eq!(tag(row(None, true, false)), "On track");
}

/// A step's form with the date every step has.
fn step_form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    std::iter::once(("on", "2026-03-04"))
        .chain(pairs.iter().copied())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// (step, its form's fields beside the date, the event kind it makes)
type StepCase = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

/// A filled form for every step.
fn filled_step_forms() -> [StepCase; 17] {
    [
        ("acknowledge", vec![], "acknowledged"),
        ("share-findings", vec![], "adverse_findings_shared"),
        ("resolved", vec![], "resolved_confirmed"),
        (
            "define",
            vec![("head_1", "Leak not fixed"), ("outcome_1", "Fix it")],
            "complaint_defined",
        ),
        ("assign", vec![("officer", "user-1")], "assigned"),
        (
            "extend",
            vec![("working_days", "5"), ("reason", "Survey")],
            "extended",
        ),
        ("respond", vec![("outcome", "upheld")], "responded"),
        (
            "escalate",
            vec![("reasons", "Still leaking")],
            "escalation_requested",
        ),
        (
            "refuse-escalation",
            vec![("ground", "time-limit"), ("explanation", "Late")],
            "escalation_refused",
        ),
        (
            "accept-escalation",
            vec![("reason", "In hospital")],
            "escalation_accepted",
        ),
        ("close", vec![("reason", "withdrawn")], "closed"),
        ("reopen", vec![("reason", "New evidence")], "reopened"),
        (
            "adjustments",
            vec![("needs", "Dyslexia"), ("adjustments", "Large print")],
            "adjustments_recorded",
        ),
        (
            "restrict-contact",
            vec![
                ("restriction", "Email only"),
                ("approved_by", "user-2"),
                ("review_on", "2026-09-04"),
            ],
            "contact_restricted",
        ),
        (
            "challenge-restriction",
            vec![("outcome", "kept"), ("explanation", "Still needed")],
            "contact_restriction_challenged",
        ),
        (
            "relationship",
            vec![("relationship", "tenant")],
            "relationship_recorded",
        ),
        (
            "time-limit-discretion",
            vec![("reason", "Reported in 2024")],
            "time_limit_discretion_used",
        ),
    ]
}

/// Every step's form parses into its event, and without its date names the date field.
#[test]
fn every_step_form_parses_into_its_event() {
    let form = step_form;
    let cases = filled_step_forms();
    for step in redress_domain::Step::ALL {
        assert!(
            cases
                .iter()
                .any(|(slug, _, kind)| *slug == step.as_str() && *kind == step.event_kind()),
            "{} has no filled form here",
            step.as_str()
        );
    }
    for (step, pairs, kind) in cases {
        match event_from_form(step, &form(&pairs)) {
            Ok(event) => {
                assert_eq!(event.kind(), kind, "{step}");
                assert_eq!(event.on(), jiff::civil::date(2026, 3, 4), "{step}");
            }
            Err(errors) => panic!(
                "{step} did not parse: {:?}",
                errors
                    .iter()
                    .map(|e| (&e.id, &e.message))
                    .collect::<Vec<_>>()
            ),
        }
        // Without its date, every step names the date field.
        let mut undated = form(&pairs);
        undated.remove("on");
        let errors = event_from_form(step, &undated).unwrap_err();
        assert!(
            errors.iter().any(|e| e.id == format!("{step}-on")),
            "{step}"
        );
    }
}

/// A form missing what its step needs names the field.
#[test]
fn a_step_form_missing_what_it_needs_names_the_field() {
    let form = step_form;
    for (step, pairs, field) in [
        (
            "extend",
            vec![("working_days", "0"), ("reason", "x")],
            "extend-working_days",
        ),
        ("define", vec![], "define-head_1"),
        ("close", vec![("reason", "vanished")], "close-reason"),
        (
            "restrict-contact",
            vec![("restriction", "x"), ("approved_by", "u")],
            "restrict-contact-review_on",
        ),
        (
            "challenge-restriction",
            vec![("outcome", "maybe"), ("explanation", "x")],
            "challenge-restriction-outcome",
        ),
        (
            "relationship",
            vec![("relationship", "landlord")],
            "relationship-relationship",
        ),
        ("respond", vec![("outcome", "sideways")], "respond-outcome"),
    ] {
        let errors = event_from_form(step, &form(&pairs)).unwrap_err();
        assert!(
            errors.iter().any(|e| e.id == field),
            "{step}: {:?}",
            errors.iter().map(|e| &e.id).collect::<Vec<_>>()
        );
    }
    assert!(event_from_form("teleport", &form(&[])).is_err());
}

#[test]
fn an_unknown_remedy_kind_is_an_error_not_other() {
    let values: HashMap<String, String> = [
        ("on", "2026-03-04"),
        ("outcome", "upheld"),
        ("remedy_kind", "bribe"),
        ("remedy_description", "A gift"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let errors = event_from_form("respond", &values).unwrap_err();
    assert!(
        errors.iter().any(|e| e.id == "respond-remedy_kind"),
        "{:?}",
        errors.iter().map(|e| &e.id).collect::<Vec<_>>()
    );
    let mut known = values.clone();
    known.insert("remedy_kind".into(), "apology".into());
    assert!(matches!(
        event_from_form("respond", &known),
        Ok(Event::Responded { remedies, .. }) if remedies[0].kind == RemedyKind::Apology
    ));
}

#[test]
fn dates_in_explanations_are_written_as_the_pages_write_dates() {
    assert_eq!(
        humanise_dates(
            "10 working days after acknowledgement on 2025-12-23; extended on 2026-01-05 by 10 working days to 2026-01-20, skipping 25, 26 Dec"
        ),
        "10 working days after acknowledgement on Tue 23 Dec 2025; extended on Mon 5 Jan 2026 by 10 working days to Tue 20 Jan 2026, skipping 25, 26 Dec"
    );
    assert_eq!(
        humanise_dates("CMP-2026-000042 and 12345678901"),
        "CMP-2026-000042 and 12345678901"
    );
    assert_eq!(humanise_dates("2026-02-30"), "2026-02-30");
}

#[test]
fn pounds_parse_to_pence() {
    assert_eq!(parse_pounds("150"), Some(15_000));
    assert_eq!(parse_pounds("£150.5"), Some(15_050));
    assert_eq!(parse_pounds("1,250.99"), Some(125_099));
    assert_eq!(parse_pounds("12.345"), None);
    assert_eq!(parse_pounds("-5"), None);
    assert_eq!(parse_pounds("ten"), None);
}

#[test]
fn complaint_form_errors_name_their_field() {
    assert_eq!(
        complaint_error_message("complainant.phone", "Is longer than 40 characters".into()),
        "Telephone must be 40 characters or fewer"
    );
    assert_eq!(
        complaint_error_message("complainant.email", "Is not an email address".into()),
        "Enter an email address in the correct format, like name@example.com"
    );
    assert_eq!(
        complaint_error_message("summary", "Describe the complaint".into()),
        "Describe the complaint"
    );
    assert_eq!(
        complaint_error_message("policy", "There is no policy 'x'".into()),
        "There is no policy 'x'"
    );
}

#[test]
fn only_local_paths_are_followed_after_sign_in() {
    assert_eq!(
        safe_next(Some(&"/complaints/CMP-2026-000001".to_owned())),
        "/complaints/CMP-2026-000001"
    );
    assert_eq!(
        safe_next(Some(&"/?state=open&mine=1".to_owned())),
        "/?state=open&mine=1"
    );
    for bad in [
        "//evil.example",
        "https://evil.example",
        "evil.example",
        "",
        "/\\evil.example",
        "\\/evil.example",
        // Browsers drop tabs and newlines from URLs: these become `//evil.example`.
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\u{0}",
        "/\u{7f}",
        "/ /evil.example",
        "/caf\u{e9}",
    ] {
        assert_eq!(safe_next(Some(&bad.to_owned())), "/", "{bad:?}");
    }
    assert_eq!(safe_next(None), "/");
}

fn staff() -> Staff {
    Staff {
        user: User {
            id: "u-1".into(),
            email: "officer@example.org".into(),
            name: "Olu Officer".into(),
            role: redress_domain::access::Role::ComplaintsOfficer,
            password_hash: String::new(),
        },
        session: redress_store::Session {
            id_hash: "h".into(),
            user_id: "u-1".into(),
            csrf: "c".into(),
            created_at: String::new(),
            last_seen_at: String::new(),
            expires_at: String::new(),
        },
    }
}

async fn body_of(r: Response) -> String {
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn error_pages_answer_with_the_errors_own_status() {
    let cases = [
        (ApiError::BadRequest("bad".into()), StatusCode::BAD_REQUEST),
        (ApiError::NotFound("gone".into()), StatusCode::NOT_FOUND),
        (
            ApiError::Forbidden("viewer", "do this"),
            StatusCode::FORBIDDEN,
        ),
        (
            ApiError::Conflict {
                detail: "Someone else changed this case".into(),
                field: None,
            },
            StatusCode::CONFLICT,
        ),
        (ApiError::TooLarge(64 * 1024), StatusCode::PAYLOAD_TOO_LARGE),
        (
            ApiError::invalid("summary", "describe the complaint"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            ApiError::Internal("boom".into()),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ];
    for (e, status) in cases {
        let shown = format!("{e:?}");
        let r = error_page(&staff(), e);
        assert_eq!(r.status(), status, "{shown}");
        assert!(
            r.headers()[header::CONTENT_TYPE]
                .to_str()
                .is_ok_and(|v| v.starts_with("text/html")),
            "{shown} is a page"
        );
    }
    let body = body_of(error_page(&staff(), ApiError::TooLarge(64 * 1024))).await;
    assert!(
        body.contains("The form is too large") && body.contains("64 KB"),
        "{body}"
    );
}

#[tokio::test]
async fn failed_store_calls_are_opaque_500_pages() {
    let r = store_failed(
        &staff(),
        "log a complaint: duplicate check",
        StoreError::Other("disk I/O error at /var/lib/redress".into()),
    );
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = body_of(r).await;
    assert!(body.contains("It has been logged"), "{body}");
    assert!(
        !body.contains("disk I/O") && !body.contains("duplicate check"),
        "the cause is for the log, not the page: {body}"
    );
    // Even a store answer that is a 4xx elsewhere is a failure of the page here.
    let r = store_failed(&staff(), "sign out", StoreError::NotFound);
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

/// The work queue's query: filters read once, nonsense ignored or named, a cursor keeping its own order.
#[test]
fn the_work_queue_reads_its_filters() {
    use super::queue::{QueueQuery, queue_filter};
    use redress_store::{Cursor, Sort};
    let today = jiff::civil::date(2026, 6, 1);
    let read = |pairs: &[(&str, &str)]| {
        let params: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut errors = Vec::new();
        let filter = queue_filter(
            &QueueQuery { params: &params },
            &staff(),
            today,
            &mut errors,
        );
        (filter, errors)
    };
    let (filter, errors) = read(&[]);
    assert!(errors.is_empty());
    assert!(filter.open_only && !filter.include_confidential);
    assert_eq!(filter.confidential_for.as_deref(), Some("u-1"));
    assert_eq!(filter.sort, Sort::Due);
    assert_eq!(filter.limit, 50);

    let (filter, errors) = read(&[
        ("mine", "1"),
        ("assignee", "someone-else"),
        ("overdue", "1"),
        ("closed", "1"),
        ("stage", "3"),
        ("state", "investigating"),
        ("received_from", "2026-05-01"),
        ("sort", "received"),
    ]);
    assert!(errors.is_empty());
    assert_eq!(filter.assignee.as_deref(), Some("u-1"), "mine wins");
    assert_eq!(filter.overdue_as_of, Some(today));
    assert!(!filter.open_only);
    assert_eq!(filter.stage, Some(3));
    assert_eq!(filter.state.as_deref(), Some("investigating"));
    assert_eq!(filter.received_from, Some(jiff::civil::date(2026, 5, 1)));
    assert_eq!(filter.sort, Sort::Received);

    // A stage no policy can have, an unknown state: ignored. A date that is not one: named.
    let (filter, errors) = read(&[
        ("stage", "4"),
        ("state", "lost"),
        ("received_to", "2026-02-30"),
    ]);
    assert_eq!((filter.stage, filter.state), (None, None));
    assert_eq!(filter.received_to, None);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].id, "received_to");
    assert_eq!(errors[0].message, "Enter a real date for 'Received to'");

    // A cursor sets the order when none is chosen, and is dropped under another.
    let cursor = Cursor {
        sort: Sort::Received,
        key: "2026-05-01".into(),
        id: "0a1b-2c3d".into(),
    }
    .encode();
    let (filter, _) = read(&[("cursor", &cursor)]);
    assert_eq!(filter.sort, Sort::Received);
    assert!(filter.after.is_some());
    let (filter, _) = read(&[("cursor", &cursor), ("sort", "due")]);
    assert_eq!(filter.sort, Sort::Due);
    assert!(filter.after.is_none());
}

/// Each step says what it recorded, in its own words.
#[test]
fn every_step_says_what_it_recorded() {
    use super::steps::page_of;
    let messages: Vec<&str> = redress_domain::Step::ALL
        .iter()
        .map(|s| page_of(*s).done)
        .collect();
    for (step, message) in redress_domain::Step::ALL.iter().zip(&messages) {
        assert!(message.ends_with('.'), "{}: {message}", step.as_str());
        let same = messages.iter().filter(|m| *m == message).count();
        assert_eq!(same, 1, "{} shares its message", step.as_str());
    }
}

/// A response's reasons are given head by head, and kept with each head's outcome.
#[test]
fn a_response_keeps_the_reasons_for_each_head() {
    let values = step_form(&[
        ("head_1", "upheld"),
        ("reasons_1", "The repair was booked late"),
        ("head_2", "not_upheld"),
        ("reasons_2", "  "),
    ]);
    let Ok(Event::Responded { heads, .. }) = event_from_form("respond", &values) else {
        panic!("the response parses");
    };
    assert_eq!(heads.len(), 2);
    assert_eq!(
        heads[0].reasons.as_deref(),
        Some("The repair was booked late")
    );
    assert_eq!(heads[1].reasons, None, "blank reasons are no reasons");
}
