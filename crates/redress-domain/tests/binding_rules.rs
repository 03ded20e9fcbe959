//! Sequences of steps that used to give wrong answers, each named after what must hold now; and the
//! policy rules that used to be stored without being applied.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::case::{ClockStatus, State};
use redress_domain::event::{CloseReason, Event, FeedbackType, Outcome};
use redress_domain::{BankHolidays, Policy, presets};

fn custom(toml: &str) -> Scenario {
    let policy = Policy::resolve(toml, &presets::preset_lookup).unwrap();
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.calendar = policy.working_calendar(BankHolidays::embedded());
    s.policy = policy;
    s
}

fn at(s: Scenario, events: &[Event]) -> Scenario {
    let mut s = s;
    for e in events {
        s.then(e.clone());
    }
    s
}

fn close(on: &str, reason: CloseReason, explanation: Option<&str>) -> Event {
    Event::Closed {
        on: d(on),
        reason,
        explanation: explanation.map(str::to_owned),
    }
}

fn extension(on: &str, working_days: u32, resident_agreed: bool) -> Event {
    Event::Extended {
        on: d(on),
        working_days,
        reason: "Awaiting a damp survey".into(),
        resident_agreed,
    }
}

#[test]
fn an_extension_after_the_due_date_is_refused_and_a_late_response_stays_late() {
    // Received Mon 24 Aug 2026; acknowledged Tue 25 Aug; 10 working days later, skipping the August bank
    // holiday (Mon 31 Aug): due Wed 9 Sep.
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.ack("2026-08-25");
    assert_eq!(s.due("stage1_response"), d("2026-09-09"));
    assert_eq!(
        s.refused(extension("2026-09-10", 5, false)),
        "The extension must be given before the response is due on Wed 9 Sep 2026"
    );
    // On the due date itself it is still in time.
    s.then(extension("2026-09-09", 5, false));
    assert_eq!(s.due("stage1_response"), d("2026-09-16"));
    s.respond("2026-09-17", Outcome::Upheld);
    assert_eq!(
        s.clock("stage1_response", "2026-09-17").status,
        ClockStatus::MetLate
    );
}

#[test]
fn extension_days_are_checked_arithmetic_and_capped_in_total() {
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.ack("2026-08-25");
    s.then(extension("2026-08-26", 10, false));
    // 10 + 4,294,967,290 would wrap to 4 in 32 bits and slip under the cap.
    let msg = s.refused(extension("2026-08-27", u32::MAX - 5, true));
    assert!(
        msg.contains("caps extensions at Stage 1 at 60 working days"),
        "{msg}"
    );
    let msg = s.refused(extension("2026-08-27", 51, true));
    assert_eq!(
        msg,
        "The policy caps extensions at Stage 1 at 60 working days in all, even with agreement, and 10 have been used"
    );
    s.then(extension("2026-08-27", 50, true));
    assert_eq!(s.case.round().extension_days(), 60);
    let msg = s.refused(extension("2026-08-28", 1, true));
    assert!(msg.contains("60 working days in all"), "{msg}");
}

#[test]
fn every_accepted_extension_moves_the_clock() {
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.ack("2026-08-25");
    let mut due = s.due("stage1_response");
    for (on, days, agreed) in [
        ("2026-08-26", 4, false),
        ("2026-08-27", 6, false),
        ("2026-08-28", 30, true),
    ] {
        s.then(extension(on, days, agreed));
        let now = s.due("stage1_response");
        assert_eq!(now, s.calendar.add_working_days(due, days).unwrap());
        due = now;
    }
    assert_eq!(
        s.clock("stage1_response", "2026-08-28").original_due_on,
        Some(d("2026-09-09"))
    );
}

#[test]
fn reclassifying_keeps_the_original_receipt_and_clocks() {
    // Received Mon 24 Aug 2026 as a complaint, acknowledged, then treated as a service request and back.
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.ack("2026-08-25");
    let due = s.due("stage1_response");
    s.then(Event::Classified {
        on: d("2026-08-26"),
        feedback_type: FeedbackType::ServiceRequest,
        raised_on: None,
    });
    // While it is a service request, no complaint clock runs (none is overdue on 30 Sep).
    assert!(
        s.deadlines("2026-09-30")
            .iter()
            .all(|c| c.clock == "stage1_acknowledge" || !c.clock.as_str().starts_with("stage1")),
        "{:?}",
        s.deadlines("2026-09-30")
    );
    s.then(Event::Classified {
        on: d("2026-08-28"),
        feedback_type: FeedbackType::Complaint,
        raised_on: None,
    });
    assert_eq!(s.case.state, State::Investigating);
    assert_eq!(s.case.round().started_on, d("2026-08-24"));
    assert_eq!(s.due("stage1_response"), due);
}

#[test]
fn a_complaint_newly_raised_about_a_service_request_starts_on_the_day_given() {
    let mut s = Scenario::received("herring-house-trust", "2026-08-24");
    s.then(Event::Classified {
        on: d("2026-08-24"),
        feedback_type: FeedbackType::ServiceRequest,
        raised_on: None,
    });
    let msg = s.refused(Event::Classified {
        on: d("2026-09-01"),
        feedback_type: FeedbackType::Complaint,
        raised_on: Some(d("2026-09-02")),
    });
    assert_eq!(
        msg,
        "The complaint was raised between receipt on Mon 24 Aug 2026 and today's record on Tue 1 Sep 2026"
    );
    s.then(Event::Classified {
        on: d("2026-09-01"),
        feedback_type: FeedbackType::Complaint,
        raised_on: Some(d("2026-08-28")),
    });
    // 5 working days after Fri 28 Aug, skipping the bank holiday on Mon 31 Aug: 1–4, 7 Sep.
    assert_eq!(s.due("stage1_acknowledge"), d("2026-09-07"));
}

#[test]
fn a_late_acknowledgement_does_not_buy_time() {
    // Received Mon 24 Aug 2026: acknowledgement due Tue 1 Sep (bank holiday Mon 31 Aug), made Fri 4 Sep.
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.ack("2026-09-04");
    let c = s.clock("stage1_response", "2026-09-04");
    // 10 working days from the due date (1 Sep), not from the late acknowledgement (4 Sep).
    assert_eq!(c.due_on, d("2026-09-15"));
    assert!(
        c.explanation
            .contains("acknowledged late on Fri 4 Sep 2026, which does not move the response date"),
        "{}",
        c.explanation
    );
    // A landlord whose policy counts from the acknowledgement itself says so.
    let mut s = custom(
        r#"
id = "late-ack"
name = "Late acknowledgement test"
version = "1"
extends = "code-2024"
response_clock_after_late_acknowledgement = "acknowledged_on"
"#,
    );
    s.ack("2026-09-04");
    assert_eq!(s.due("stage1_response"), d("2026-09-18"));
}

#[test]
fn closing_for_no_reply_waits_for_the_auto_close_day() {
    // Harrogate closes 14 working days after the outcome when the customer does not reply.
    let mut s = Scenario::received("harrogate-ha", "2026-08-24");
    s.ack("2026-08-25")
        .respond("2026-08-28", Outcome::NotUpheld);
    // 14 working days after Fri 28 Aug, skipping Mon 31 Aug: Fri 18 Sep.
    assert_eq!(
        s.refused(close("2026-09-17", CloseReason::NoReply, None)),
        "The case can close for no reply from Fri 18 Sep 2026: 14 working days after the Resolution response on Fri 28 Aug 2026"
    );
    s.then(close("2026-09-18", CloseReason::NoReply, None));
    // A policy with no auto-close period never closes for no reply.
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.ack("2026-08-25")
        .respond("2026-08-28", Outcome::NotUpheld);
    let msg = s.refused(close("2026-12-01", CloseReason::NoReply, None));
    assert!(
        msg.contains("sets no time after which a complaint closes"),
        "{msg}"
    );
}

#[test]
fn final_response_after_a_refused_escalation_or_the_last_stage_the_resident_is_entitled_to() {
    let mut s = Scenario::received("herefordshire-council", "2026-08-24");
    s.ack("2026-08-25")
        .respond("2026-09-01", Outcome::NotUpheld);
    assert!(
        s.refused(close("2026-09-02", CloseReason::FinalResponse, None))
            .contains("is not the final response")
    );
    // Harrogate: the Review completes the internal process; the Panel is held only at the customer's request.
    let mut s = Scenario::received("harrogate-ha", "2026-08-24");
    s.ack("2026-08-25")
        .respond("2026-08-28", Outcome::NotUpheld);
    s.escalate("2026-09-01").ack("2026-09-02");
    s.respond("2026-09-10", Outcome::NotUpheld);
    s.then(close("2026-09-11", CloseReason::FinalResponse, None));
    assert_eq!(s.case.state, State::Closed);
}

#[test]
fn resolved_needs_the_residents_confirmation_or_a_reason() {
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.ack("2026-08-25").respond("2026-08-28", Outcome::Upheld);
    assert_eq!(
        s.refused(close("2026-09-01", CloseReason::Resolved, None)),
        "Record the resident's confirmation that the complaint is resolved, or explain why it is resolved without it"
    );
    assert!(
        s.case
            .decide(
                &s.policy,
                &s.calendar,
                d("2026-09-01"),
                &close(
                    "2026-09-01",
                    CloseReason::Resolved,
                    Some("Repair completed and inspected; the resident did not answer three calls")
                ),
                None
            )
            .is_ok()
    );
    s.then(Event::ResolvedConfirmed {
        on: d("2026-09-01"),
    });
    s.then(close("2026-09-01", CloseReason::Resolved, None));
}

#[test]
fn stage_names_come_from_the_policy_in_every_message() {
    let mut s = Scenario::received("harrogate-ha", "2026-08-24");
    s.ack("2026-08-25");
    let warnings = s.case.warnings(&s.policy, &s.calendar, d("2026-10-30"));
    let overdue = warnings.iter().find(|w| w.code == "overdue").unwrap();
    assert_eq!(
        overdue.message,
        "Resolution response was due on Tue 8 Sep 2026 and is overdue"
    );
}

#[test]
fn warnings_disappear_once_they_no_longer_apply() {
    // No complaint definition: warned while investigating, not after the response.
    let mut s = Scenario::received("code-2024", "2026-08-24");
    s.ack("2026-08-25");
    let codes = |s: &Scenario, on: &str| -> Vec<&'static str> {
        s.case
            .warnings(&s.policy, &s.calendar, d(on))
            .into_iter()
            .map(|w| w.code)
            .collect()
    };
    assert!(codes(&s, "2026-08-26").contains(&"no_complaint_definition"));
    s.respond("2026-08-28", Outcome::NotUpheld);
    assert!(!codes(&s, "2026-08-28").contains(&"no_complaint_definition"));

    // A policy asking for reasons (Herefordshire, l.112): warned on the request, not once the escalation is refused.
    let mut s = Scenario::received("herefordshire-council", "2026-08-24");
    s.ack("2026-08-25")
        .respond("2026-08-28", Outcome::NotUpheld);
    s.escalate("2026-09-01");
    assert!(codes(&s, "2026-09-01").contains(&"escalation_without_reasons"));
    let ground = s
        .policy
        .stage(2)
        .unwrap()
        .escalation
        .as_ref()
        .unwrap()
        .refusal_grounds[0]
        .id
        .clone();
    s.then(Event::EscalationRefused {
        on: d("2026-09-02"),
        ground,
        explanation: Some("Court proceedings were issued on 1 September".into()),
    });
    assert!(!codes(&s, "2026-09-02").contains(&"escalation_without_reasons"));
}

#[test]
fn a_service_requests_agreed_extra_time_moves_its_clock() {
    // Herring House Trust (seed 000): contact within 3 working days; "where a client is happy to allow
    // additional time ... any agreement must be recorded".
    let mut s = Scenario::received("herring-house-trust", "2026-08-24");
    s.then(Event::Classified {
        on: d("2026-08-24"),
        feedback_type: FeedbackType::ServiceRequest,
        raised_on: None,
    });
    assert_eq!(s.due("service_request_response"), d("2026-08-27"));
    assert_eq!(
        s.refused(extension("2026-08-25", 5, false)),
        "Extra time on a service request is recorded only with the resident's agreement"
    );
    s.then(extension("2026-08-25", 5, true));
    // 5 more working days after Thu 27 Aug, skipping Mon 31 Aug: 28 Aug, 1–4 Sep.
    let c = s.clock("service_request_response", "2026-08-25");
    assert_eq!(c.due_on, d("2026-09-04"));
    assert_eq!(c.original_due_on, Some(d("2026-08-27")));
    assert!(
        c.explanation
            .contains("5 more working days agreed with the resident")
    );
}

#[test]
fn feedback_types_the_policy_does_not_record_are_refused() {
    let s = Scenario::received("herring-house-trust", "2026-08-24");
    assert_eq!(
        s.refused(Event::Classified {
            on: d("2026-08-24"),
            feedback_type: FeedbackType::Compliment,
            raised_on: None,
        }),
        "Herring House Trust does not record compliments as feedback under this policy"
    );
    assert_eq!(
        s.refused(Event::Classified {
            on: d("2026-08-24"),
            feedback_type: FeedbackType::Comment,
            raised_on: None,
        }),
        "Herring House Trust does not record comments as feedback under this policy"
    );
    let s = at(Scenario::received("code-2024", "2026-08-24"), &[]);
    assert!(
        s.case
            .decide(
                &s.policy,
                &s.calendar,
                d("2026-08-24"),
                &Event::Classified {
                    on: d("2026-08-24"),
                    feedback_type: FeedbackType::Compliment,
                    raised_on: None,
                },
                None
            )
            .is_ok()
    );
}
