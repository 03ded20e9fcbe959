//! Scenarios under the Herring House Trust policy (`herring-house-trust`, reviewed March 2025), with real
//! dates and real England and Wales bank holidays.
//!
//! The policy: acknowledge (and log) within 5 WD of receipt; stage 1 within 10 WD of logging (=
//! acknowledgement), +10 WD, more only with the client's agreement; escalate within 10 WD of the stage 1
//! decision letter; stage 2 acknowledged within 5 WD of the request, answered within 20 WD of logging, +10
//! WD, more only with agreement; service requests contacted within 3 WD.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::event::{Event, FeedbackType, Outcome};
use redress_domain::policy::{CodeBasis, Measure, Period};
use redress_domain::{ClockKind, ClockStatus};

const ID: &str = "herring-house-trust";

#[test]
fn findings_against_the_code_are_exactly_these() {
    assert_eq!(
        finding_keys(ID),
        vec![
            // Exclusion 5, "vexatious ... or behaves in an unacceptable manner" (L76): not a Code example,
            // no discretion (2.5 warning).
            "exclusions[4]",
            // Exclusion 8, staff conduct investigated internally (L79): not a Code example, no discretion
            // (2.5 warning).
            "exclusions[7]",
            // The Ombudsman's contact details go only to a client who disputes a further extension (L112,
            // L127), not with the first extension of up to 10 WD (L110, L127) (6.5, 6.16 error).
            "ombudsman.details_in_extension_letters",
            // Refusal ground "upheld at Stage 1 with a proportionate resolution offered" (L121): not an
            // exclusion (5.11 error).
            "stages.stage2.escalation.refusal_grounds[7]",
            // Refusal ground "the resolution requested cannot be provided" (L122): not an exclusion (5.11
            // error).
            "stages.stage2.escalation.refusal_grounds[8]",
            // Escalate within 10 WD of the stage 1 letter (L114), nothing said about late requests (5.11
            // error: a deadline with no discretion).
            "stages.stage2.escalation.window",
            // The 12-month limit (L72) has no discretion (2.3 error).
            "time_bar.discretion",
        ]
    );
}

#[test]
fn the_ombudsman_details_go_only_with_a_disputed_further_extension() {
    let p = policy(ID);
    assert!(!p.ombudsman.details_in_extension_letters);
    let f = findings(ID)
        .into_iter()
        .find(|f| f.key == "ombudsman.details_in_extension_letters")
        .unwrap();
    // Both stages may be extended, so both provisions.
    assert_eq!(
        (f.provision, f.severity),
        ("6.5, 6.16", redress_domain::Severity::Error)
    );
}

#[test]
fn the_policy_reads_as_written() {
    let p = policy(ID);
    assert_eq!(p.extends.as_deref(), Some("code-2024"));
    assert_eq!(p.version, "March 2025");
    // L85-96: service requests, first contact within 3 working days; no comments or compliments.
    assert!(p.feedback.service_requests);
    assert_eq!(
        p.feedback.service_request_response,
        Some(Period::WorkingDays(3))
    );
    assert!(!p.feedback.comments && !p.feedback.compliments);
    // L114, L127: who handles each stage.
    assert_eq!(
        p.stage(1).unwrap().handled_by.as_deref(),
        Some("Investigating manager")
    );
    assert_eq!(
        p.stage(2).unwrap().handled_by.as_deref(),
        Some("Business Manager")
    );
    // Silent on a different decision-maker: the Code's rule is inherited.
    assert!(p.stage(2).unwrap().different_decision_maker);
    let esc = p.stage(2).unwrap().escalation.as_ref().unwrap();
    assert_eq!(esc.window, Some(Period::WorkingDays(10)));
    assert!(!esc.late_requests_discretion && !esc.reasons_required && esc.may_refuse);
    // R1 (L120) as seven exclusion ids (R4 folded into unacceptable-behaviour), then R2 and R3 (L121-122).
    let grounds: Vec<(&str, bool)> = esc
        .refusal_grounds
        .iter()
        .map(|g| (g.id.as_str(), g.is_exclusion))
        .collect();
    assert_eq!(
        grounds,
        vec![
            ("legal-proceedings", true),
            ("antisocial-behaviour", true),
            ("insurance-claims", true),
            ("unacceptable-behaviour", true),
            ("tenancy-breach", true),
            ("already-considered", true),
            ("staff-conduct", true),
            ("upheld-with-resolution", false),
            ("resolution-not-possible", false),
        ]
    );
    // L70-79: eight exclusions; only "previously considered" has discretion ("exceptional circumstances").
    let ex: Vec<(&str, CodeBasis, bool)> = p
        .exclusions
        .iter()
        .map(|e| (e.id.as_str(), e.code_basis, e.discretion))
        .collect();
    assert_eq!(
        ex,
        vec![
            ("time-limit", CodeBasis::TimeLimit, false),
            ("legal-proceedings", CodeBasis::LegalProceedings, false),
            ("antisocial-behaviour", CodeBasis::OtherRoute, false),
            ("insurance-claims", CodeBasis::OtherRoute, false),
            ("unacceptable-behaviour", CodeBasis::Other, false),
            ("tenancy-breach", CodeBasis::OtherRoute, false),
            ("already-considered", CodeBasis::AlreadyConsidered, true),
            ("staff-conduct", CodeBasis::Other, false),
        ]
    );
    assert_eq!(p.time_bar.months, Some(12));
    assert!(p.time_bar.from_awareness && !p.time_bar.discretion);
    // L60-68: who may complain.
    let w = &p.eligibility;
    assert!(w.tenant && w.former_tenant && w.licensee && w.group && w.representative);
    assert!(w.others_at_discretion);
    assert!(!w.leaseholder && !w.applicant && !w.member_of_public);
    // L24-34: targets and review triggers.
    let t: Vec<(Measure, f64, Option<f64>)> = p
        .targets
        .iter()
        .map(|t| (t.measure, t.target, t.review_at_or_below))
        .collect();
    assert_eq!(
        t,
        vec![
            (Measure::AcknowledgedOnTime, 100.0, Some(90.0)),
            (Measure::RespondedOnTime, 100.0, Some(90.0)),
            (Measure::OmbudsmanAdverseFindings, 0.0, None),
        ]
    );
    assert_eq!(
        p.roles.contact_restrictions_approver.as_deref(),
        Some("Client Services Manager")
    );
    // The Code's notes are not inherited: these are the policy's own.
    assert!(p.notes.iter().all(|n| !n.contains("6.12")));
}

#[test]
fn christmas_complaint_with_extensions_at_both_stages() {
    // Received Friday 19 Dec 2025. Log and acknowledge within 5 WD (L102): 22, 23, 24, 29, 30 Dec.
    let mut s = Scenario::received(ID, "2025-12-19");
    assert_eq!(s.due("stage1_acknowledge"), d("2025-12-30"));
    // Before the acknowledgement is recorded, the response clock counts from its due date, 30 Dec:
    // 31 Dec, 2, 5, 6, 7, 8, 9, 12, 13, 14 Jan.
    let c = s.clock("stage1_response", "2025-12-22");
    assert_eq!(c.due_on, d("2026-01-14"));
    assert_eq!(
        c.explanation,
        "10 working days after acknowledgement, not yet recorded, so counted from the acknowledgement due date on 2025-12-30; skips 1 Jan"
    );
    s.then(Event::Assigned {
        on: d("2025-12-22"),
        officer: "m.investigator".into(),
    });
    s.ack("2025-12-24");
    assert_eq!(
        s.clock("stage1_acknowledge", "2025-12-24").status,
        ClockStatus::Met
    );
    // 10 WD from logging (= acknowledgement) on Wed 24 Dec: 29, 30, 31 Dec, 2, 5, 6, 7, 8, 9, 12 Jan.
    let c = s.clock("stage1_response", "2026-01-02");
    assert_eq!(c.due_on, d("2026-01-12"));
    assert_eq!(c.status, ClockStatus::Pending);
    assert_eq!(
        c.explanation,
        "10 working days after acknowledgement on 2025-12-24; skips 25, 26 Dec, 1 Jan"
    );
    // "we may extend by up to a further 10 working days" (L110): 13–16, 19–23, 26 Jan.
    s.extend("2026-01-08", 10, false);
    let c = s.clock("stage1_response", "2026-01-09");
    assert_eq!(c.due_on, d("2026-01-26"));
    assert_eq!(c.original_due_on, Some(d("2026-01-12")));
    // "Further extensions ... in agreement with the client" (L112).
    let msg = s.refused(Event::Extended {
        on: d("2026-01-23"),
        working_days: 5,
        reason: "Contractor report late".into(),
        resident_agreed: false,
    });
    assert_eq!(
        msg,
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it and 10 have been used"
    );
    // With the client's agreement: 5 more WD, 27, 28, 29, 30 Jan, 2 Feb (no cap in the policy).
    s.extend("2026-01-23", 5, true);
    assert_eq!(s.due("stage1_response"), d("2026-02-02"));
    s.respond("2026-01-30", Outcome::PartlyUpheld);
    assert_eq!(
        s.clock("stage1_response", "2026-02-02").status,
        ClockStatus::Met
    );
    // Escalate within 10 WD of the decision letter (L114): 2–6, 9–13 Feb.
    let w = s.clock("escalation_window", "2026-02-05");
    assert_eq!(w.kind, ClockKind::Window);
    assert_eq!(w.due_on, d("2026-02-13"));
    assert_eq!(w.status, ClockStatus::Pending);
    s.escalate("2026-02-11");
    assert_eq!(
        s.clock("escalation_window", "2026-02-11").status,
        ClockStatus::Met
    );
    // Stage 2 acknowledged within 5 WD of the request (L125): 12, 13, 16, 17, 18 Feb.
    assert_eq!(s.due("stage2_acknowledge"), d("2026-02-18"));
    // The Business Manager investigates; the stage 1 investigating manager may not.
    let msg = s.refused(Event::Assigned {
        on: d("2026-02-12"),
        officer: "m.investigator".into(),
    });
    assert_eq!(
        msg,
        "The reviewer at Stage 2 must not have decided an earlier stage: m.investigator decided Stage 1"
    );
    s.then(Event::Assigned {
        on: d("2026-02-12"),
        officer: "b.manager".into(),
    });
    s.ack("2026-02-13");
    // 20 WD from logging on Fri 13 Feb: 16–20, 23–27 Feb, 2–6, 9–13 Mar.
    assert_eq!(s.due("stage2_response"), d("2026-03-13"));
    // +10 WD without agreement (L127): 16–20, 23–27 Mar.
    s.extend("2026-03-11", 10, false);
    assert_eq!(s.due("stage2_response"), d("2026-03-27"));
    assert!(
        s.refused(Event::Extended {
            on: d("2026-03-26"),
            working_days: 1,
            reason: "More time".into(),
            resident_agreed: false,
        })
        .contains("needs the resident's recorded agreement")
    );
    // With agreement, 5 more WD across Easter: 30, 31 Mar, 1, 2 Apr, then Good Friday 3 Apr and Easter
    // Monday 6 Apr are skipped, so the fifth is Tue 7 Apr.
    s.extend("2026-03-26", 5, true);
    let c = s.clock("stage2_response", "2026-03-30");
    assert_eq!(c.due_on, d("2026-04-07"));
    assert_eq!(c.original_due_on, Some(d("2026-03-13")));
    assert_eq!(
        c.explanation,
        "20 working days after acknowledgement on 2026-02-13; extended on 2026-03-11 by 10 working days to 2026-03-27; extended on 2026-03-26 by 5 working days with the resident's agreement to 2026-04-07, skipping 3, 6 Apr"
    );
    // The stage 1 handler cannot sign the stage 2 response.
    let respond = |on: &str| Event::Responded {
        on: d(on),
        outcome: Some(Outcome::NotUpheld),
        heads: vec![],
        remedies: vec![],
        outstanding_actions: vec![],
    };
    // The stage 1 investigator may type in the reviewer's decision: the decision-maker is the reviewer.
    s.then_by(respond("2026-04-07"), Some("m.investigator"));
    assert_eq!(s.case.round().decided_by.as_deref(), Some("b.manager"));
    assert_eq!(
        s.clock("stage2_response", "2026-04-08").status,
        ClockStatus::Met
    );
    assert!(
        s.refused(Event::EscalationRequested {
            on: d("2026-04-08"),
            reasons: None,
            out_of_time: false
        })
        .contains("final stage")
    );
}

#[test]
fn easter_escalation_window_late_request_and_refusal_grounds() {
    // Received Mon 9 Mar 2026, logged Tue 10 Mar. Stage 1 due 10 WD later: 11–13, 16–20, 23, 24 Mar.
    let mut s = Scenario::received(ID, "2026-03-09");
    s.ack("2026-03-10");
    assert_eq!(s.due("stage1_response"), d("2026-03-24"));
    s.respond("2026-03-24", Outcome::Upheld);
    // 10 WD from the decision letter on Tue 24 Mar: 25, 26, 27, 30, 31 Mar, 1, 2 Apr, (Good Friday 3 Apr and
    // Easter Monday 6 Apr skipped), 7, 8, 9 Apr.
    let w = s.clock("escalation_window", "2026-04-08");
    assert_eq!(w.due_on, d("2026-04-09"));
    assert_eq!(w.status, ClockStatus::Pending);
    assert_eq!(
        w.explanation,
        "10 working days after the Stage 1 response on 2026-03-24; skips 3, 6 Apr; the resident may ask for Stage 2 until then"
    );
    // Asked on Mon 13 Apr: after the window. Redress records the request and flags it.
    s.escalate("2026-04-13");
    let w = s.clock("escalation_window", "2026-04-13");
    assert_eq!(w.status, ClockStatus::MetLate);
    assert_eq!(w.met_on, Some(d("2026-04-13")));
    assert!(
        s.case
            .warnings(&s.policy, &s.calendar, d("2026-04-13"))
            .iter()
            .any(|w| w.code == "late_escalation_request")
    );
    let refuse = |ground: &str, explanation: Option<&str>| Event::EscalationRefused {
        on: d("2026-04-14"),
        ground: ground.into(),
        explanation: explanation.map(str::to_owned),
    };
    // Lateness is not one of the policy's grounds for refusing (L118-123), nor is the time limit (which is an
    // exclusion, judged when the complaint is made).
    assert_eq!(
        s.refused(refuse("late-request", Some("Asked after 10 working days"))),
        "'late-request' is not a ground on which the policy allows refusing escalation (legal-proceedings, antisocial-behaviour, insurance-claims, unacceptable-behaviour, tenancy-breach, already-considered, staff-conduct, upheld-with-resolution, resolution-not-possible)"
    );
    assert!(
        s.refused(refuse("time-limit", Some("Out of time")))
            .starts_with("'time-limit' is not a ground")
    );
    // A permitted ground needs an explanation for the client.
    assert!(
        s.refused(refuse("upheld-with-resolution", None))
            .starts_with("Explain the refusal")
    );
    // L121: upheld at Stage 1 with a proportionate resolution offered.
    s.then(refuse(
        "upheld-with-resolution",
        Some("Your complaint was upheld and we offered a repair and £50; you may go to the Housing Ombudsman"),
    ));
    assert_eq!(s.case.stage(), 1);
    assert_eq!(s.case.refusals.len(), 1);
    assert_eq!(s.case.refusals[0].ground, "upheld-with-resolution");
    assert!(
        s.deadlines("2026-04-14")
            .iter()
            .all(|c| c.clock != "stage2_acknowledge")
    );
}

#[test]
fn platinum_jubilee_and_state_funeral_2022() {
    // Received Fri 27 May 2022. Acknowledge within 5 WD: 30, 31 May, 1 Jun, (Spring bank holiday Thu 2 Jun
    // and Platinum Jubilee Fri 3 Jun skipped), 6, 7 Jun.
    let mut s = Scenario::received(ID, "2022-05-27");
    let c = s.clock("stage1_acknowledge", "2022-05-27");
    assert_eq!(c.due_on, d("2022-06-07"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2022-05-27; skips 2, 3 Jun"
    );
    s.ack("2022-05-31");
    // 10 WD from logging on Tue 31 May: 1, 6, 7, 8, 9, 10, 13, 14, 15, 16 Jun.
    let c = s.clock("stage1_response", "2022-06-01");
    assert_eq!(c.due_on, d("2022-06-16"));
    assert_eq!(
        c.explanation,
        "10 working days after acknowledgement on 2022-05-31; skips 2, 3 Jun"
    );
    s.respond("2022-06-16", Outcome::NotUpheld);
    // Escalation window: 17, 20–24, 27–30 Jun; a request on the last day is in time.
    assert_eq!(s.due("escalation_window"), d("2022-06-30"));
    s.escalate("2022-06-30");
    assert_eq!(
        s.clock("escalation_window", "2022-06-30").status,
        ClockStatus::Met
    );
    // Stage 2 acknowledgement: 1, 4, 5, 6, 7 Jul.
    assert_eq!(s.due("stage2_acknowledge"), d("2022-07-07"));

    // Received Mon 22 Aug 2022. Acknowledge within 5 WD: 23, 24, 25, 26, (Summer bank holiday 29 Aug), 30 Aug.
    let mut s = Scenario::received(ID, "2022-08-22");
    assert_eq!(s.due("stage1_acknowledge"), d("2022-08-30"));
    s.ack("2022-08-24");
    // 10 WD from Wed 24 Aug: 25, 26, 30, 31 Aug, 1, 2, 5, 6, 7, 8 Sep.
    assert_eq!(s.due("stage1_response"), d("2022-09-08"));
    s.respond("2022-09-08", Outcome::PartlyUpheld);
    // Escalation window from Thu 8 Sep: 9, 12–16, (State Funeral Mon 19 Sep skipped), 20–23 Sep.
    let w = s.clock("escalation_window", "2022-09-09");
    assert_eq!(w.due_on, d("2022-09-23"));
    assert_eq!(
        w.explanation,
        "10 working days after the Stage 1 response on 2022-09-08; skips 19 Sep; the resident may ask for Stage 2 until then"
    );
    s.escalate("2022-09-26");
    assert_eq!(
        s.clock("escalation_window", "2022-09-26").status,
        ClockStatus::MetLate
    );
}

#[test]
fn easter_2023_and_the_coronation_at_stage_2() {
    // Received Mon 3 Apr 2023. Acknowledge: 4, 5, 6, (Good Friday 7, Easter Monday 10 Apr), 11, 12 Apr.
    let mut s = Scenario::received(ID, "2023-04-03");
    assert_eq!(s.due("stage1_acknowledge"), d("2023-04-12"));
    s.ack("2023-04-04");
    // 10 WD from Tue 4 Apr: 5, 6, 11, 12, 13, 14, 17, 18, 19, 20 Apr.
    assert_eq!(s.due("stage1_response"), d("2023-04-20"));
    s.respond("2023-04-20", Outcome::NotUpheld);
    // Window: 21, 24–28 Apr, (Early May bank holiday 1 May), 2, 3, 4, 5 May.
    assert_eq!(s.due("escalation_window"), d("2023-05-05"));
    s.escalate("2023-04-26");
    // Stage 2 acknowledgement: 27, 28 Apr, 2, 3, 4 May.
    assert_eq!(s.due("stage2_acknowledge"), d("2023-05-04"));
    s.ack("2023-04-28");
    // 20 WD from logging on Fri 28 Apr: 2–5 May, (Coronation Mon 8 May), 9–12, 15–19, 22–26 May, (Spring
    // bank holiday 29 May), 30, 31 May.
    let c = s.clock("stage2_response", "2023-05-02");
    assert_eq!(c.due_on, d("2023-05-31"));
    assert_eq!(
        c.explanation,
        "20 working days after acknowledgement on 2023-04-28; skips 1, 8, 29 May"
    );
    assert_eq!(c.status, ClockStatus::Pending);
    assert_eq!(
        s.clock("stage2_response", "2023-06-01").status,
        ClockStatus::Overdue
    );
}

#[test]
fn a_service_request_gets_first_contact_within_three_working_days() {
    // Received Wed 24 Dec 2025 and triaged as a service request (L87-96): contact within 3 WD: 29, 30, 31 Dec.
    let mut s = Scenario::received(ID, "2025-12-24");
    s.then(Event::Classified {
        on: d("2025-12-24"),
        feedback_type: FeedbackType::ServiceRequest,
        raised_on: None,
    });
    let c = s.clock("service_request_response", "2025-12-24");
    assert_eq!(c.due_on, d("2025-12-31"));
    assert_eq!(
        c.explanation,
        "3 working days after the request on 2025-12-24; skips 25, 26 Dec"
    );
    s.respond("2025-12-29", Outcome::NotUpheld);
    assert_eq!(
        s.clock("service_request_response", "2025-12-29").status,
        ClockStatus::Met
    );
    // The client is still unhappy: a Stage 1 complaint is logged (L92) from Mon 5 Jan 2026, acknowledged
    // within 5 WD: 6, 7, 8, 9, 12 Jan.
    s.then(Event::Classified {
        on: d("2026-01-05"),
        feedback_type: FeedbackType::Complaint,
        raised_on: Some(d("2026-01-05")),
    });
    assert_eq!(s.due("stage1_acknowledge"), d("2026-01-12"));
}

#[test]
fn exclusions_are_the_policys_own() {
    let s = Scenario::received(ID, "2026-01-05");
    assert_eq!(
        s.refused(Event::Excluded {
            on: d("2026-01-05"),
            ground: "repair-not-reported".into(),
            reason: "Never reported".into(),
        }),
        "'repair-not-reported' is not one of this policy's exclusions (time-limit, legal-proceedings, antisocial-behaviour, insurance-claims, unacceptable-behaviour, tenancy-breach, already-considered, staff-conduct)"
    );
    let mut s = Scenario::received(ID, "2026-01-05");
    s.then(Event::Excluded {
        on: d("2026-01-06"),
        ground: "antisocial-behaviour".into(),
        reason: "A report of noise from a neighbour: dealt with under the ASB policy".into(),
    });
    assert!(s.case.state.is_finished());
}
