//! Scenarios under the charitable landlord's 2022 policy (`resolution-team-2022`, "Review: January 2022"),
//! with real dates and real England and Wales bank holidays.
//!
//! The policy: no acknowledgement step (the Code's 5 WD apply); stage 1 solution within 10 WD of receipt,
//! "a further ten days" (read as 10 WD); stage 2 review decided within 20 WD (read as from the request),
//! "a further 30 days" (read as 30 WD); no escalation deadline and no refusal; no exclusions; no service
//! requests; the obsolete "designated person or wait eight weeks" route.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::ClockStatus;
use redress_domain::event::{Event, FeedbackType, Outcome};
use redress_domain::policy::{ClockStart, Period};

const ID: &str = "resolution-team-2022";

#[test]
fn findings_against_the_code_are_exactly_these() {
    assert_eq!(
        finding_keys(ID),
        vec![
            // No grounds for not accepting a complaint are listed at all (2.2 error).
            "exclusions",
            // Service requests are not distinguished from complaints (1.4 warning).
            "feedback.service_requests",
            // "ask a 'designated person' (MP or a local councillor)" (L126): ended 1 Oct 2022 (3.7 error).
            "ombudsman.designated_person",
            // Extensions (L36, L42) without the Ombudsman's details; the Ombudsman only after the process
            // (L126) (6.5, 6.16 error).
            "ombudsman.details_in_extension_letters",
            // "or wait eight weeks" (L126): ended 1 Oct 2022 (3.7 error).
            "ombudsman.wait_weeks",
            // "we rarely offer compensation unless the customer has suffered financial loss" (L74) (7.2
            // warning).
            "remedies.compensation_only_for_financial_loss",
            // No acknowledgement step at either stage (6.2, 6.11 errors); the Code's clocks still run.
            "stages.stage1.acknowledgement_step",
            "stages.stage2.acknowledgement_step",
            // "a further 30 days" at stage 2 (L42), read as 30 WD without agreement; the Code allows 20
            // (6.15 error).
            "stages.stage2.extension.without_agreement_working_days",
            // Not here: stage 1's 10 WD run from receipt (stricter than the Code's 10 from acknowledgement);
            // stage 2's 20 WD from the request likewise; no time limit at all (more generous than the Code's 12 months).
        ]
    );
}

#[test]
fn the_policy_reads_as_written() {
    let p = policy(ID);
    assert_eq!(p.version, "January 2022");
    // No acknowledgement step: the Code's 5 WD from receipt and from the request are inherited.
    let s1 = p.stage(1).unwrap();
    assert!(!s1.acknowledgement_step);
    assert_eq!(s1.acknowledge.period, Period::WorkingDays(5));
    assert_eq!(s1.acknowledge.from, ClockStart::Received);
    assert_eq!(s1.respond.period, Period::WorkingDays(10));
    assert_eq!(s1.respond.from, ClockStart::Received);
    let s2 = p.stage(2).unwrap();
    assert_eq!(s2.name, "Stage 2 review");
    assert!(!s2.acknowledgement_step);
    assert_eq!(s2.acknowledge.period, Period::WorkingDays(5));
    assert_eq!(s2.respond.from, ClockStart::EscalationRequested);
    assert_eq!(s2.extension.without_agreement_working_days, 30);
    assert!(s2.extension.further_with_agreement);
    assert_eq!(
        s2.handled_by.as_deref(),
        Some("Director responsible for the service")
    );
    let esc = s2.escalation.as_ref().unwrap();
    assert_eq!(esc.window, None);
    assert!(!esc.may_refuse && esc.refusal_grounds.is_empty() && !esc.reasons_required);
    assert!(p.exclusions.is_empty());
    // The policy sets no time limit: `months = 0` removes the Code's.
    assert_eq!(p.time_bar.months, None);
    assert!(p.time_bar.discretion);
    assert!(!p.feedback.service_requests);
    assert!(p.eligibility.anonymous && p.eligibility.leaseholder);
    assert_eq!(p.roles.contact_restrictions_review_months, Some(12));
    assert!(p.ombudsman.designated_person);
    assert_eq!(p.ombudsman.wait_weeks, Some(8));
    assert!(!p.ombudsman.details_in_extension_letters);
    // L74: compensation "rarely ... unless the customer has suffered financial loss".
    assert!(p.remedies.compensation_only_for_financial_loss);
    let f = findings(ID)
        .into_iter()
        .find(|f| f.key == "remedies.compensation_only_for_financial_loss")
        .unwrap();
    assert_eq!(
        (f.provision, f.severity),
        ("7.2", redress_domain::Severity::Warning)
    );
    let f = findings(ID)
        .into_iter()
        .find(|f| f.key == "stages.stage1.acknowledgement_step")
        .unwrap();
    assert_eq!(
        (f.provision, f.severity),
        ("6.2", redress_domain::Severity::Error)
    );
}

#[test]
fn christmas_complaint_then_an_easter_review_with_a_thirty_day_extension() {
    // Received Mon 22 Dec 2025. Acknowledge (the Code's 5 WD): 23, 24, 29, 30, 31 Dec.
    let mut s = Scenario::received(ID, "2025-12-22");
    assert_eq!(s.due("stage1_acknowledge"), d("2025-12-31"));
    s.then(Event::Assigned {
        on: d("2025-12-22"),
        officer: "r.team".into(),
    });
    // "agree a solution ... within ten working days" of receipt (L36): 23, 24, 29, 30, 31 Dec, 2, 5, 6, 7,
    // 8 Jan.
    let c = s.clock("stage1_response", "2025-12-22");
    assert_eq!(c.due_on, d("2026-01-08"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2025-12-22; skips 25, 26 Dec, 1 Jan"
    );
    // A late acknowledgement does not move a clock that runs from receipt.
    s.ack("2026-01-02");
    assert_eq!(
        s.clock("stage1_acknowledge", "2026-01-02").status,
        ClockStatus::MetLate
    );
    assert_eq!(s.due("stage1_response"), d("2026-01-08"));
    // "a further ten days" (L36) as 10 WD: 9, 12–16, 19–22 Jan.
    s.extend("2026-01-07", 10, false);
    assert_eq!(s.due("stage1_response"), d("2026-01-22"));
    assert_eq!(
        s.refused(Event::Extended {
            on: d("2026-01-21"),
            working_days: 1,
            reason: "More time".into(),
            resident_agreed: false,
        }),
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it and 10 have been used"
    );
    s.respond("2026-01-21", Outcome::NotUpheld);
    // No deadline for asking for a review: no escalation window clock.
    assert!(
        s.deadlines("2026-03-01")
            .iter()
            .all(|c| c.clock != "escalation_window")
    );
    // Two months later the customer asks for a review (Mon 23 Mar 2026).
    s.escalate("2026-03-23");
    // The policy gives no ground for refusing a review.
    assert_eq!(
        s.refused(Event::EscalationRefused {
            on: d("2026-03-24"),
            ground: "already-considered".into(),
            explanation: Some("Already answered".into()),
        }),
        "The policy does not allow refusing escalation to Stage 2 review"
    );
    // Acknowledge (the Code's 5 WD): 24, 25, 26, 27, 30 Mar.
    assert_eq!(s.due("stage2_acknowledge"), d("2026-03-30"));
    // Reviews are overseen by the Director; the stage 1 officer may not take it.
    assert_eq!(
        s.refused(Event::Assigned {
            on: d("2026-03-24"),
            officer: "r.team".into(),
        }),
        "The reviewer at Stage 2 review must not have decided an earlier stage: r.team decided Stage 1"
    );
    s.then(Event::Assigned {
        on: d("2026-03-24"),
        officer: "director.housing".into(),
    });
    s.ack("2026-04-01");
    assert_eq!(
        s.clock("stage2_acknowledge", "2026-04-01").status,
        ClockStatus::MetLate
    );
    // 20 WD from the request on Mon 23 Mar: 24–27, 30, 31 Mar, 1, 2 Apr, (Good Friday 3 Apr, Easter Monday
    // 6 Apr), 7–10, 13–17, 20–22 Apr.
    let c = s.clock("stage2_response", "2026-04-01");
    assert_eq!(c.due_on, d("2026-04-22"));
    assert_eq!(
        c.explanation,
        "20 working days after the escalation request on 2026-03-23; skips 3, 6 Apr"
    );
    // "a further 30 days" (L42) as 30 WD, no agreement needed: 23, 24, 27–30 Apr, 1 May, (Early May bank
    // holiday 4 May), 5–8, 11–15, 18–22 May, (Spring bank holiday 25 May), 26–29 May, 1–5 Jun.
    s.extend("2026-04-20", 30, false);
    let c = s.clock("stage2_response", "2026-04-21");
    assert_eq!(c.due_on, d("2026-06-05"));
    assert_eq!(c.original_due_on, Some(d("2026-04-22")));
    assert_eq!(
        s.refused(Event::Extended {
            on: d("2026-06-01"),
            working_days: 5,
            reason: "Waiting for the contractor".into(),
            resident_agreed: false,
        }),
        "This extension needs the resident's recorded agreement: the policy allows 30 extra working days without it and 30 have been used"
    );
    s.then_by(
        Event::Responded {
            on: d("2026-06-05"),
            outcome: Some(Outcome::PartlyUpheld),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        },
        Some("director.housing"),
    );
    assert_eq!(
        s.clock("stage2_response", "2026-06-05").status,
        ClockStatus::Met
    );
}

#[test]
fn jubilee_at_stage_1_and_the_state_funeral_at_review() {
    // Received Tue 31 May 2022. Acknowledge: 1, (2 and 3 Jun: Spring bank holiday, Platinum Jubilee), 6, 7,
    // 8, 9 Jun.
    let mut s = Scenario::received(ID, "2022-05-31");
    assert_eq!(s.due("stage1_acknowledge"), d("2022-06-09"));
    s.ack("2022-06-01");
    // 10 WD from receipt: 1, 6, 7, 8, 9, 10, 13, 14, 15, 16 Jun.
    let c = s.clock("stage1_response", "2022-06-01");
    assert_eq!(c.due_on, d("2022-06-16"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2022-05-31; skips 2, 3 Jun"
    );
    s.respond("2022-06-15", Outcome::NotUpheld);
    // A review asked for nearly three months later is still accepted (no deadline).
    s.escalate("2022-09-05");
    // Acknowledge: 6, 7, 8, 9, 12 Sep.
    assert_eq!(s.due("stage2_acknowledge"), d("2022-09-12"));
    s.ack("2022-09-06");
    // 20 WD from the request on Mon 5 Sep: 6–9, 12–16, (State Funeral Mon 19 Sep), 20–23, 26–30 Sep, 3,
    // 4 Oct.
    let c = s.clock("stage2_response", "2022-09-06");
    assert_eq!(c.due_on, d("2022-10-04"));
    assert_eq!(
        c.explanation,
        "20 working days after the escalation request on 2022-09-05; skips 19 Sep"
    );
    assert_eq!(
        s.clock("stage2_response", "2022-10-05").status,
        ClockStatus::Overdue
    );
}

#[test]
fn coronation_2023_at_stage_1() {
    // Received Tue 2 May 2023. Acknowledge: 3, 4, 5, (Coronation Mon 8 May), 9, 10 May.
    let mut s = Scenario::received(ID, "2023-05-02");
    assert_eq!(s.due("stage1_acknowledge"), d("2023-05-10"));
    s.ack("2023-05-03");
    // 10 WD from receipt: 3, 4, 5, 9, 10, 11, 12, 15, 16, 17 May.
    let c = s.clock("stage1_response", "2023-05-03");
    assert_eq!(c.due_on, d("2023-05-17"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2023-05-02; skips 8 May"
    );
    s.respond("2023-05-17", Outcome::Upheld);
    assert_eq!(
        s.clock("stage1_response", "2023-05-17").status,
        ClockStatus::Met
    );
}

#[test]
fn no_service_requests_and_no_exclusions() {
    let s = Scenario::received(ID, "2026-01-05");
    assert_eq!(
        s.refused(Event::Classified {
            on: d("2026-01-05"),
            feedback_type: FeedbackType::ServiceRequest,
            raised_on: None,
        }),
        "Charitable landlord complaints policy (Resolution team), 2022 does not record service requests as feedback under this policy"
    );
    assert_eq!(
        s.refused(Event::Excluded {
            on: d("2026-01-05"),
            ground: "time-limit".into(),
            reason: "The problem is three years old".into(),
        }),
        "'time-limit' is not one of this policy's exclusions (it lists none)"
    );
}
