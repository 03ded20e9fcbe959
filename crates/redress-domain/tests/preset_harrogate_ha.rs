//! Scenarios under Harrogate Housing Association's Customer Complaints and Feedback Policy 2024 (`harrogate-ha`),
//! with real dates and real England and Wales bank holidays.
//!
//! The policy's clocks: acknowledge within 2 working days; the Resolution stage answered within 10 working days
//! of receipt (20 with the extension, longer only with agreement); a Review acknowledged within 2 working days
//! ("48 working hours") and answered within 10 working days of that (+10); a CLC Panel on request, held within 10
//! working days and its outcome sent within 10 more (20 from the request); the case closed 14 working days after
//! an outcome the customer does not answer.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::case::{ClockKind, ClockStatus, State};
use redress_domain::event::{CloseReason, Event, Outcome};
use redress_domain::policy::{ClockStart, CodeBasis, Period};
use redress_domain::{Framework, Severity};

const ID: &str = "harrogate-ha";

fn respond_by(s: &mut Scenario, on: &str, outcome: Outcome, by: &str) {
    s.then_by(
        Event::Responded {
            on: d(on),
            outcome: Some(outcome),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        },
        Some(by),
    );
}

fn warning_codes(s: &Scenario, as_of: &str) -> Vec<&'static str> {
    s.case
        .warnings(&s.policy, &s.calendar, d(as_of))
        .into_iter()
        .map(|w| w.code)
        .collect()
}

#[test]
fn the_policy_loads_and_its_findings_are_known() {
    let p = policy(ID);
    let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Resolution", "Review", "Panel"]);
    let s1 = &p.stages[0];
    assert_eq!(s1.acknowledge.period, Period::WorkingDays(2));
    assert_eq!(s1.respond.period, Period::WorkingDays(10));
    assert_eq!(s1.respond.from, ClockStart::Received);
    assert_eq!(s1.extension.without_agreement_working_days, 10);
    assert!(s1.extension.further_with_agreement);
    assert_eq!(s1.extension.further_max_working_days, None);
    assert!(!s1.informal);
    let s2 = &p.stages[1];
    assert_eq!(s2.acknowledge.period, Period::WorkingDays(2));
    assert_eq!(s2.respond.period, Period::WorkingDays(10));
    assert_eq!(s2.respond.from, ClockStart::Acknowledged);
    assert_eq!(s2.extension.without_agreement_working_days, 10);
    assert!(s2.different_decision_maker);
    let e2 = s2.escalation.as_ref().unwrap();
    assert!(e2.reasons_required && e2.may_refuse);
    let grounds: Vec<&str> = e2.refusal_grounds.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        grounds,
        [
            "actions-completed",
            "no-specific-reasons",
            "outside-our-control",
            "refused-to-engage"
        ]
    );
    assert!(e2.refusal_grounds.iter().all(|g| !g.is_exclusion));
    let s3 = &p.stages[2];
    assert_eq!(s3.respond.period, Period::WorkingDays(20));
    assert_eq!(s3.respond.from, ClockStart::EscalationRequested);
    let e3 = s3.escalation.as_ref().unwrap();
    assert!(!e3.reasons_required && !e3.may_refuse);
    assert_eq!(p.exclusions.len(), 13);
    assert!(p.exclusions.iter().all(|x| x.discretion));
    assert!(!p.eligibility.anonymous && p.eligibility.applicant);
    assert_eq!(p.auto_close.map(|a| a.after_working_days), Some(14));
    assert!(p.survey.after_closure);
    assert!(p.remedies.offset_against_arrears);
    assert_eq!(
        p.roles.contact_restrictions_approver.as_deref(),
        Some("Operations Manager")
    );

    assert_eq!(
        finding_keys(ID),
        [
            // 5.2 error: the 'Informal complaint / Quick fix' tier before the Resolution stage (5.2.1,
            // l.161-167).
            "feedback.informal_complaints",
            // 7.4 warning: goodwill payments and compensation are offset against rent arrears (l.244).
            "remedies.offset_against_arrears",
            // 6.12 error: a review is asked for "giving the reasons why they are dissatisfied" (l.179).
            "stages.stage2.escalation.reasons_required",
            // 5.11 errors: the four grounds for refusing a review (l.189-193) are not published exclusions.
            "stages.stage2.escalation.refusal_grounds[0]",
            "stages.stage2.escalation.refusal_grounds[1]",
            "stages.stage2.escalation.refusal_grounds[2]",
            "stages.stage2.escalation.refusal_grounds[3]",
            // 5.3 error: three stages (Resolution, Review, the CLC Panel).
            "stages.stage3",
            // 2.3 warning: "more than 12 months before we received the complaint" counts from the event only.
            "time_bar.from_awareness",
            // 1.2 warning: "Complaints which are submitted anonymously" are not registered (l.70).
            "who_may_complain.anonymous",
            // Not here: the survey-feedback exclusion (l.71; Code 1.6); the Ombudsman's details go with every
            // extension letter (l.175); representatives are accepted (l.92).
        ]
    );
}

#[test]
fn the_new_findings_name_their_provisions() {
    let p = policy(ID);
    assert!(p.feedback.informal_complaints);
    assert!(p.ombudsman.details_in_extension_letters);
    assert!(p.eligibility.representative);
    let survey = p.exclusion("survey-feedback").unwrap();
    assert_eq!(survey.code_basis, CodeBasis::SurveyFeedback);
    let all = findings(ID);
    assert!(
        all.iter()
            .all(|f| f.framework == Framework::HousingOmbudsmanCode2024)
    );
    let informal = all
        .iter()
        .find(|f| f.key == "feedback.informal_complaints")
        .unwrap();
    assert_eq!(
        (informal.provision, informal.severity),
        ("5.2", Severity::Error)
    );
    let anonymous = all
        .iter()
        .find(|f| f.key == "who_may_complain.anonymous")
        .unwrap();
    assert_eq!(
        (anonymous.provision, anonymous.severity),
        ("1.2", Severity::Warning)
    );
    // Excluding survey feedback is never a finding, under any key.
    let survey_index = p
        .exclusions
        .iter()
        .position(|e| e.id == "survey-feedback")
        .unwrap();
    assert!(
        all.iter().all(
            |f| f.key != format!("exclusions[{survey_index}]") && !f.message.contains("survey")
        )
    );
}

#[test]
fn christmas_resolution_extended_with_agreement_then_closed_without_reply() {
    // Received Tuesday 23 Dec 2025. Acknowledge within 2 WD: 24, 29 Dec (25, 26 Dec skipped).
    let mut s = Scenario::received(ID, "2025-12-23");
    let c = s.clock("stage1_acknowledge", "2025-12-23");
    assert_eq!(c.due_on, d("2025-12-29"));
    assert_eq!(
        c.explanation,
        "2 working days after receipt on 2025-12-23; skips 25, 26 Dec"
    );
    // Resolution within 10 WD of receipt: 24, 29, 30, 31 Dec, 2, 5, 6, 7, 8, 9 Jan.
    let c = s.clock("stage1_response", "2025-12-23");
    assert_eq!(c.due_on, d("2026-01-09"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2025-12-23; skips 25, 26 Dec, 1 Jan"
    );
    s.ack("2025-12-24");
    // "a further 10 working days (ie 20 days from complaint receipt)": 12-16, 19-23 Jan.
    s.extend("2026-01-08", 10, false);
    assert_eq!(s.due("stage1_response"), d("2026-01-23"));
    // "For delays in excess of 20 working days this will be agreed with the customer".
    let msg = s.refused(Event::Extended {
        on: d("2026-01-21"),
        working_days: 5,
        reason: "Specialist damp survey".into(),
        resident_agreed: false,
    });
    assert_eq!(
        msg,
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it and 10 have been used"
    );
    // With agreement, no cap: 26, 27, 28, 29, 30 Jan.
    s.extend("2026-01-21", 5, true);
    let c = s.clock("stage1_response", "2026-01-21");
    assert_eq!(c.due_on, d("2026-01-30"));
    assert_eq!(c.original_due_on, Some(d("2026-01-09")));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2025-12-23; skips 25, 26 Dec, 1 Jan; extended on 2026-01-08 by 10 working days to 2026-01-23; extended on 2026-01-21 by 5 working days with the resident's agreement to 2026-01-30"
    );
    s.respond("2026-01-28", Outcome::NotUpheld);
    // Closed if the customer does not reply within 14 WD of the outcome: 29, 30 Jan, 2-6, 9-13, 16, 17 Feb.
    let c = s.clock("auto_close", "2026-02-16");
    assert_eq!(c.kind, ClockKind::Duty);
    assert_eq!(c.due_on, d("2026-02-17"));
    assert_eq!(c.status, ClockStatus::Pending);
    assert_eq!(
        c.explanation,
        "14 working days after the Resolution response on 2026-01-28; close the case then if the resident has not replied"
    );
    s.then(Event::Closed {
        on: d("2026-02-17"),
        reason: CloseReason::NoReply,
        explanation: None,
    });
    let c = s.clock("auto_close", "2026-02-18");
    assert_eq!(c.met_on, Some(d("2026-02-17")));
    assert_eq!(c.status, ClockStatus::Met);
    assert_eq!(s.case.state, State::Closed);
}

#[test]
fn easter_2025_resolution_review_and_panel() {
    // Received Monday 7 Apr 2025 by a Neighbourhood Officer. Acknowledge within 2 WD: 8, 9 Apr.
    let mut s = Scenario::received(ID, "2025-04-07");
    s.then(Event::Assigned {
        on: d("2025-04-07"),
        officer: "n.officer".into(),
    });
    assert_eq!(s.due("stage1_acknowledge"), d("2025-04-09"));
    s.then_by(
        Event::Acknowledged {
            on: d("2025-04-08"),
        },
        Some("n.officer"),
    );
    // 10 WD of receipt: 8, 9, 10, 11, 14, 15, 16, 17, (Good Friday 18, Easter Monday 21), 22, 23 Apr.
    let c = s.clock("stage1_response", "2025-04-08");
    assert_eq!(c.due_on, d("2025-04-23"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2025-04-07; skips 18, 21 Apr"
    );
    respond_by(&mut s, "2025-04-23", Outcome::NotUpheld, "n.officer");
    // The auto-close clock runs from the Resolution response: 24, 25, 28, 29, 30 Apr, 1, 2, (5 May), 6, 7, 8,
    // 9, 12, 13, 14 May.
    assert_eq!(s.due("auto_close"), d("2025-05-14"));

    // Review, asked for with reasons on Thursday 24 Apr.
    s.then(Event::EscalationRequested {
        on: d("2025-04-24"),
        reasons: Some("The leak has not been fixed".into()),
        out_of_time: false,
    });
    // The case is no longer waiting on the customer.
    assert!(
        s.deadlines("2025-04-24")
            .iter()
            .all(|c| c.clock != "auto_close")
    );
    // "48 working hours": 25, 28 Apr.
    let c = s.clock("stage2_acknowledge", "2025-04-24");
    assert_eq!(c.due_on, d("2025-04-28"));
    assert_eq!(
        c.explanation,
        "2 working days after the escalation request on 2025-04-24"
    );
    // Not the officer involved in the Resolution stage.
    assert_eq!(
        s.refused(Event::Assigned {
            on: d("2025-04-25"),
            officer: "n.officer".into(),
        }),
        "The reviewer at Review must not have decided an earlier stage: n.officer decided Resolution"
    );
    s.then(Event::Assigned {
        on: d("2025-04-25"),
        officer: "ops.manager".into(),
    });
    s.then_by(
        Event::Acknowledged {
            on: d("2025-04-28"),
        },
        Some("ops.manager"),
    );
    // 10 WD after Mon 28 Apr: 29, 30 Apr, 1, 2, (5 May), 6, 7, 8, 9, 12, 13 May.
    let c = s.clock("stage2_response", "2025-04-28");
    assert_eq!(c.due_on, d("2025-05-13"));
    assert_eq!(
        c.explanation,
        "10 working days after acknowledgement on 2025-04-28; skips 5 May"
    );
    respond_by(&mut s, "2025-05-12", Outcome::NotUpheld, "ops.manager");
    // The Review response completes the internal process (the Panel is held only at the resident's
    // request, l.234): it may be closed as the final response.
    assert_eq!(
        s.case.decide(
            &s.policy,
            &s.calendar,
            d("2025-05-13"),
            &Event::Closed {
                on: d("2025-05-13"),
                reason: CloseReason::FinalResponse,
                explanation: None,
            },
            None,
        ),
        Ok(())
    );

    // Panel, on the customer's request (no reasons needed) on Wednesday 14 May.
    s.escalate("2025-05-14");
    assert_eq!(s.case.stage(), 3);
    // No reasons are needed for the Panel; the Review request had them.
    assert!(!warning_codes(&s, "2025-05-14").contains(&"escalation_without_reasons"));
    // The Panel may not be refused.
    assert_eq!(
        s.refused(Event::EscalationRefused {
            on: d("2025-05-15"),
            ground: "actions-completed".into(),
            explanation: Some("Done".into()),
        }),
        "The policy does not allow refusing escalation to Panel"
    );
    // Acknowledge within 2 WD: 15, 16 May.
    assert_eq!(s.due("stage3_acknowledge"), d("2025-05-16"));
    // Hearing within 10 WD and outcome within 10 more: 20 WD from the request: 15, 16, 19-23, (26 May), 27-30
    // May, 2-6, 9-12 Jun.
    let c = s.clock("stage3_response", "2025-05-14");
    assert_eq!(c.due_on, d("2025-06-12"));
    assert_eq!(
        c.explanation,
        "20 working days after the escalation request on 2025-05-14; skips 26 May"
    );
    // The Operations Manager handled the Review, so cannot sit on the Panel.
    assert_eq!(
        s.refused(Event::Assigned {
            on: d("2025-05-15"),
            officer: "ops.manager".into(),
        }),
        "The reviewer at Panel must not have decided an earlier stage: ops.manager decided Review"
    );
    s.then(Event::Assigned {
        on: d("2025-05-15"),
        officer: "clc.panel".into(),
    });
    s.ack("2025-05-15");
    // No Panel extension without the customer's agreement (assumption: none stated).
    assert_eq!(
        s.refused(Event::Extended {
            on: d("2025-06-10"),
            working_days: 2,
            reason: "Panel member ill".into(),
            resident_agreed: false,
        }),
        "This extension needs the resident's recorded agreement: the policy allows 0 extra working days without it"
    );
    respond_by(&mut s, "2025-06-11", Outcome::PartlyUpheld, "clc.panel");
    assert_eq!(
        s.clock("stage3_response", "2025-06-12").status,
        ClockStatus::Met
    );
    assert_eq!(
        s.refused(Event::EscalationRequested {
            on: d("2025-06-12"),
            reasons: None,
            out_of_time: false,
        }),
        "Panel is the final stage of this policy: the resident may now refer the complaint to the Housing Ombudsman"
    );
    s.then(Event::Closed {
        on: d("2025-06-12"),
        reason: CloseReason::FinalResponse,
        explanation: None,
    });
    assert_eq!(s.case.state, State::Closed);
}

#[test]
fn platinum_jubilee_review_refused_on_a_listed_ground_then_closed_without_reply() {
    // Received Monday 30 May 2022 (a working day that year). Acknowledge within 2 WD: 31 May, 1 Jun.
    let mut s = Scenario::received(ID, "2022-05-30");
    assert_eq!(s.due("stage1_acknowledge"), d("2022-06-01"));
    s.ack("2022-05-31");
    // 10 WD of receipt: 31 May, 1, (2, 3 Jun Jubilee), 6-10, 13, 14, 15 Jun.
    let c = s.clock("stage1_response", "2022-05-31");
    assert_eq!(c.due_on, d("2022-06-15"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2022-05-30; skips 2, 3 Jun"
    );
    s.respond("2022-06-15", Outcome::NotUpheld);
    // A review asked for without reasons is still recorded (the Code forbids requiring them), with a warning.
    s.escalate("2022-06-16");
    assert!(warning_codes(&s, "2022-06-16").contains(&"escalation_without_reasons"));
    // An exclusion that is not one of the review-refusal grounds.
    assert_eq!(
        s.refused(Event::EscalationRefused {
            on: d("2022-06-17"),
            ground: "time-limit".into(),
            explanation: Some("Too old".into()),
        }),
        "'time-limit' is not a ground on which the policy allows refusing escalation (actions-completed, no-specific-reasons, outside-our-control, refused-to-engage)"
    );
    // "If we decide to take this action we will clearly explain our reasons why" (l.195).
    assert_eq!(
        s.refused(Event::EscalationRefused {
            on: d("2022-06-17"),
            ground: "actions-completed".into(),
            explanation: None,
        }),
        "Explain the refusal: the resident must be told why and of their right to go to the Ombudsman (Code 5.11, 2.4)"
    );
    s.then(Event::EscalationRefused {
        on: d("2022-06-17"),
        ground: "actions-completed".into(),
        explanation: Some(
            "The new fence agreed at the Resolution stage was fitted on 16 June 2022; you may contact the Housing Ombudsman".into(),
        ),
    });
    assert_eq!(s.case.stage(), 1);
    assert_eq!(s.case.state, State::Responded);
    // The auto-close clock runs again from the Resolution response: 16, 17, 20-24, 27-30 Jun, 1, 4, 5 Jul.
    let c = s.clock("auto_close", "2022-06-17");
    assert_eq!(c.due_on, d("2022-07-05"));
    assert_eq!(
        c.explanation,
        "14 working days after the Resolution response on 2022-06-15; close the case then if the resident has not replied"
    );
    s.then(Event::Closed {
        on: d("2022-07-05"),
        reason: CloseReason::NoReply,
        explanation: None,
    });
    assert_eq!(s.clock("auto_close", "2022-07-06").status, ClockStatus::Met);
}

#[test]
fn state_funeral_review_acknowledged_in_48_working_hours_and_extended_once() {
    // Received Thursday 1 Sep 2022; 10 WD of receipt: 2, 5-9, 12-15 Sep.
    let mut s = Scenario::received(ID, "2022-09-01");
    assert_eq!(s.due("stage1_response"), d("2022-09-15"));
    s.ack("2022-09-02");
    s.respond("2022-09-15", Outcome::NotUpheld);
    s.then(Event::EscalationRequested {
        on: d("2022-09-16"),
        reasons: Some("The boiler is still faulty".into()),
        out_of_time: false,
    });
    // "48 working hours" from Fri 16 Sep: Mon 19 Sep was the State Funeral, so 20, 21 Sep.
    let c = s.clock("stage2_acknowledge", "2022-09-16");
    assert_eq!(c.due_on, d("2022-09-21"));
    assert_eq!(
        c.explanation,
        "2 working days after the escalation request on 2022-09-16; skips 19 Sep"
    );
    s.ack("2022-09-20");
    // 10 WD after Tue 20 Sep: 21, 22, 23, 26-30 Sep, 3, 4 Oct.
    assert_eq!(s.due("stage2_response"), d("2022-10-04"));
    // Checklist: "an extension was required (10 day)": 5, 6, 7, 10-14, 17, 18 Oct.
    s.extend("2022-10-03", 10, false);
    assert_eq!(s.due("stage2_response"), d("2022-10-18"));
    assert_eq!(
        s.refused(Event::Extended {
            on: d("2022-10-17"),
            working_days: 1,
            reason: "More time".into(),
            resident_agreed: false,
        }),
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it and 10 have been used"
    );
}

#[test]
fn coronation_closing_after_the_14_working_days_is_late() {
    // Received Monday 17 Apr 2023; 10 WD of receipt: 18-21, 24-28 Apr, (1 May), 2 May.
    let mut s = Scenario::received(ID, "2023-04-17");
    let c = s.clock("stage1_response", "2023-04-17");
    assert_eq!(c.due_on, d("2023-05-02"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2023-04-17; skips 1 May"
    );
    s.ack("2023-04-18");
    s.respond("2023-05-02", Outcome::NotUpheld);
    // 14 WD after Tue 2 May: 3, 4, 5, (8 May Coronation), 9-12, 15-19, 22, 23 May.
    let c = s.clock("auto_close", "2023-05-02");
    assert_eq!(c.due_on, d("2023-05-23"));
    assert_eq!(
        c.explanation,
        "14 working days after the Resolution response on 2023-05-02; skips 8 May; close the case then if the resident has not replied"
    );
    // Not closed by Wed 24 May: overdue, and the officer is warned.
    assert_eq!(
        s.clock("auto_close", "2023-05-24").status,
        ClockStatus::Overdue
    );
    let warnings = s.case.warnings(&s.policy, &s.calendar, d("2023-05-24"));
    assert!(
        warnings.iter().any(|w| w.code == "overdue"
            && w.message == "Closing the case was due on Tue 23 May 2023 and is overdue"),
        "{warnings:?}"
    );
    s.then(Event::Closed {
        on: d("2023-05-24"),
        reason: CloseReason::NoReply,
        explanation: None,
    });
    assert_eq!(
        s.clock("auto_close", "2023-05-24").status,
        ClockStatus::MetLate
    );
}
