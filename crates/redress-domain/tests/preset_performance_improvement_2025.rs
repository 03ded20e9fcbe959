//! Scenarios under a housing group's Complaints Policy approved May 2025 (`performance-improvement-2025`), with
//! real dates and real England and Wales bank holidays.
//!
//! The policy's clocks: stage 1 answered within 10 working days *of receipt* (+10 "if warranted"); stage 2
//! within 20 working days of acknowledging the escalation request; acknowledgements and the stage 2 extension
//! as the Code (5, 5 and 20 working days).
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::case::{ClockStatus, State};
use redress_domain::event::{CloseReason, Event, FeedbackType, Outcome};
use redress_domain::policy::{ClockStart, Period};

const ID: &str = "performance-improvement-2025";

#[test]
fn the_policy_loads_and_its_findings_are_known() {
    let p = policy(ID);
    assert_eq!(p.extends.as_deref(), Some("code-2024"));
    assert_eq!(p.stages.len(), 2);
    let s1 = &p.stages[0];
    // Acknowledgement not stated: the Code's 5 working days from receipt.
    assert_eq!(s1.acknowledge.period, Period::WorkingDays(5));
    assert_eq!(s1.acknowledge.from, ClockStart::Received);
    // l.69: 10 working days from receipt, +10 if warranted.
    assert_eq!(s1.respond.period, Period::WorkingDays(10));
    assert_eq!(s1.respond.from, ClockStart::Received);
    assert_eq!(s1.extension.without_agreement_working_days, 10);
    let s2 = &p.stages[1];
    assert_eq!(s2.acknowledge.period, Period::WorkingDays(5));
    assert_eq!(s2.respond.period, Period::WorkingDays(20));
    assert_eq!(s2.respond.from, ClockStart::Acknowledged);
    // Extension not stated at stage 2: the Code's 20.
    assert_eq!(s2.extension.without_agreement_working_days, 20);
    assert!(s2.different_decision_maker);
    let e = s2.escalation.as_ref().unwrap();
    assert_eq!(e.window, None);
    assert!(!e.reasons_required);
    let grounds: Vec<&str> = e.refusal_grounds.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(grounds, ["legal-proceedings", "time-limit"]);
    assert!(e.refusal_grounds.iter().all(|g| g.is_exclusion));
    // The exclusions replace the Code's: no 'already-considered' here.
    let ids: Vec<&str> = p.exclusions.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "anti-social-behaviour",
            "first-time-service-request",
            "survey-feedback",
            "services-not-authorised",
            "legal-proceedings",
            "policy-or-rule-of-law",
            "service-charge-challenge",
            "time-limit",
        ]
    );
    assert_eq!(p.eligibility.former_tenant_within_months, Some(6));
    assert!(p.eligibility.member_of_public);
    assert_eq!(
        p.roles.contact_restrictions_approver.as_deref(),
        Some("Head of Service, Assistant Director or Executive Director")
    );
    assert!(p.feedback.service_requests && p.feedback.compliments);
    assert_eq!(p.feedback.service_request_response, None);
    assert_eq!(p.auto_close, None);

    assert_eq!(
        finding_keys(ID),
        [
            // Not exclusions[2]: survey feedback is not a complaint (Code 1.6), so excluding it is no finding.
            // 2.5 warning: 'services not authorised by us' is an 'other' ground applied without discretion.
            "exclusions[3]",
            // 2.3 warning: twelve months from the service only, not from the resident's awareness.
            "time_bar.from_awareness",
            // 2.3 warning: former tenants only within six months of the tenancy ending.
            "who_may_complain.former_tenant_within_months",
        ]
    );
    // E3 (l.25): survey feedback is excluded as what it is (Code 1.6), and nothing reports it.
    let survey = p.exclusion("survey-feedback").unwrap();
    assert_eq!(
        survey.code_basis,
        redress_domain::policy::CodeBasis::SurveyFeedback
    );
    assert!(!survey.discretion);
    assert!(
        findings(ID)
            .iter()
            .all(|f| f.key != "exclusions[2]" && !f.message.to_lowercase().contains("survey"))
    );
    // Silent on the extension notice, but tenants may go to the Ombudsman at any point (5.4, l.127): the
    // Code's default is kept, so no 6.5/6.16 finding.
    assert!(p.ombudsman.details_in_extension_letters);
    // No errors: the clocks are within the Code's, escalation needs no reasons and has no deadline.
    assert!(
        findings(ID)
            .iter()
            .all(|f| f.severity == redress_domain::Severity::Warning)
    );
}

#[test]
fn christmas_stage_1_runs_from_receipt_not_from_acknowledgement() {
    // Received Friday 19 Dec 2025.
    let mut s = Scenario::received(ID, "2025-12-19");
    // Acknowledge within 5 WD: 22, 23, 24, 29, 30 Dec (25, 26 Dec skipped).
    assert_eq!(s.due("stage1_acknowledge"), d("2025-12-30"));
    // Respond within 10 WD of receipt: 22, 23, 24, 29, 30, 31 Dec, 2, 5, 6, 7 Jan (25, 26 Dec, 1 Jan skipped).
    let c = s.clock("stage1_response", "2025-12-22");
    assert_eq!(c.due_on, d("2026-01-07"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2025-12-19; skips 25, 26 Dec, 1 Jan"
    );
    // A late acknowledgement (Wed 31 Dec) is met late, and does not move the response date.
    s.ack("2025-12-31");
    assert_eq!(
        s.clock("stage1_acknowledge", "2026-01-02").status,
        ClockStatus::MetLate
    );
    assert_eq!(s.due("stage1_response"), d("2026-01-07"));
    // Extended "if warranted" by 10 WD without agreement: 8, 9, 12, 13, 14, 15, 16, 19, 20, 21 Jan.
    s.extend("2026-01-06", 10, false);
    let c = s.clock("stage1_response", "2026-01-08");
    assert_eq!(c.due_on, d("2026-01-21"));
    assert_eq!(c.original_due_on, Some(d("2026-01-07")));
    assert_eq!(c.status, ClockStatus::Pending);
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2025-12-19; skips 25, 26 Dec, 1 Jan; extended on 2026-01-06 by 10 working days to 2026-01-21"
    );
    // Beyond the 10, the policy is silent: the Code's rule, only with the resident's agreement.
    let msg = s.refused(Event::Extended {
        on: d("2026-01-19"),
        working_days: 1,
        reason: "Contractor report late".into(),
        resident_agreed: false,
    });
    assert_eq!(
        msg,
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it and 10 have been used"
    );
    s.respond("2026-01-21", Outcome::NotUpheld);
    assert_eq!(
        s.clock("stage1_response", "2026-01-22").status,
        ClockStatus::Met
    );
    // No escalation deadline and no auto-closure in this policy.
    assert!(
        s.deadlines("2026-03-01")
            .iter()
            .all(|c| c.clock != "escalation_window" && c.clock != "auto_close")
    );
    // Stage 1 is not the final response.
    let msg = s.refused(Event::Closed {
        on: d("2026-01-22"),
        reason: CloseReason::FinalResponse,
        explanation: None,
    });
    assert_eq!(
        msg,
        "The Stage 1 response is not the final response: close as 'resolved' or 'no_reply', or escalate"
    );
}

#[test]
fn easter_2026_independent_review_by_a_senior_manager() {
    // Received Monday 2 Mar 2026; stage 1 due 10 WD from receipt: 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 Mar.
    let mut s = Scenario::received(ID, "2026-03-02");
    s.then(Event::Assigned {
        on: d("2026-03-02"),
        officer: "a.khan".into(),
    });
    s.ack("2026-03-03");
    assert_eq!(s.due("stage1_response"), d("2026-03-16"));
    s.then_by(
        Event::Responded {
            on: d("2026-03-13"),
            outcome: Some(Outcome::NotUpheld),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        },
        Some("a.khan"),
    );
    // Escalation requested Thursday 2 Apr 2026 (no deadline in this policy).
    s.escalate("2026-04-02");
    // Acknowledge within 5 WD: Good Friday 3 Apr and Easter Monday 6 Apr skipped: 7, 8, 9, 10, 13 Apr.
    let c = s.clock("stage2_acknowledge", "2026-04-02");
    assert_eq!(c.due_on, d("2026-04-13"));
    assert_eq!(
        c.explanation,
        "5 working days after the escalation request on 2026-04-02; skips 3, 6 Apr"
    );
    // Until acknowledged, the response clock counts from the acknowledgement due date (13 Apr): 14-17, 20-24,
    // 27-30 Apr, 1 May, (Mon 4 May skipped), 5-8, 11, 12 May.
    let c = s.clock("stage2_response", "2026-04-02");
    assert_eq!(c.due_on, d("2026-05-12"));
    assert_eq!(
        c.explanation,
        "20 working days after acknowledgement, not yet recorded, so counted from the acknowledgement due date on 2026-04-13; skips 4 May"
    );
    // The stage 1 handler cannot take the independent review.
    let msg = s.refused(Event::Assigned {
        on: d("2026-04-07"),
        officer: "a.khan".into(),
    });
    assert_eq!(
        msg,
        "The reviewer at Stage 2 must not have decided an earlier stage: a.khan decided Stage 1"
    );
    s.then(Event::Assigned {
        on: d("2026-04-07"),
        officer: "s.patel".into(),
    });
    s.then_by(
        Event::Acknowledged {
            on: d("2026-04-07"),
        },
        Some("s.patel"),
    );
    // 20 WD after acknowledgement on Tue 7 Apr: 8, 9, 10, 13-17, 20-24, 27-30 Apr, 1 May, (4 May), 5, 6 May.
    let c = s.clock("stage2_response", "2026-04-08");
    assert_eq!(c.due_on, d("2026-05-06"));
    assert_eq!(
        c.explanation,
        "20 working days after acknowledgement on 2026-04-07; skips 4 May"
    );
    // Stage 2 extension not stated: the Code's 20 WD without agreement: 7, 8, 11-15, 18-22, (25 May Spring
    // bank holiday), 26-29 May, 1-4 Jun.
    s.extend("2026-05-01", 20, false);
    assert_eq!(s.due("stage2_response"), d("2026-06-04"));
    let msg = s.refused(Event::Extended {
        on: d("2026-06-01"),
        working_days: 1,
        reason: "More time".into(),
        resident_agreed: false,
    });
    assert_eq!(
        msg,
        "This extension needs the resident's recorded agreement: the policy allows 20 extra working days without it and 20 have been used"
    );
    // The response is the reviewer's decision, whoever records it.
    s.then_by(
        Event::Responded {
            on: d("2026-06-03"),
            outcome: Some(Outcome::NotUpheld),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        },
        Some("s.patel"),
    );
    assert_eq!(
        s.clock("stage2_response", "2026-06-10").status,
        ClockStatus::Met
    );
    assert_eq!(
        s.refused(Event::EscalationRequested {
            on: d("2026-06-05"),
            reasons: None,
            out_of_time: false,
        }),
        "Stage 2 is the final stage of this policy: the resident may now refer the complaint to the Housing Ombudsman"
    );
    s.then(Event::Closed {
        on: d("2026-06-05"),
        reason: CloseReason::FinalResponse,
        explanation: None,
    });
    assert_eq!(s.case.state, State::Closed);
}

#[test]
fn state_funeral_weekend_receipt_and_the_policys_own_exclusions() {
    // Received Saturday 17 Sep 2022: counted from the next working day, and Monday 19 Sep was the State Funeral,
    // so from Tue 20 Sep. Acknowledge within 5 WD: 21, 22, 23, 26, 27 Sep.
    let mut s = Scenario::received(ID, "2022-09-17");
    let c = s.clock("stage1_acknowledge", "2022-09-17");
    assert_eq!(c.due_on, d("2022-09-27"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2022-09-17 (not a working day, so counted from Tue 20 Sep 2022); skips 19 Sep"
    );
    // Respond within 10 WD of receipt: 21, 22, 23, 26, 27, 28, 29, 30 Sep, 3, 4 Oct.
    assert_eq!(s.due("stage1_response"), d("2022-10-04"));
    // The Code's 'already-considered' is not one of this policy's exclusions (the list replaces the Code's).
    let msg = s.refused(Event::Excluded {
        on: d("2022-09-20"),
        ground: "already-considered".into(),
        reason: "Dealt with last year".into(),
    });
    assert_eq!(
        msg,
        "'already-considered' is not one of this policy's exclusions (anti-social-behaviour, first-time-service-request, survey-feedback, services-not-authorised, legal-proceedings, policy-or-rule-of-law, service-charge-challenge, time-limit)"
    );
    // A service-charge challenge goes to the First-tier Tribunal (l.29).
    s.then(Event::Excluded {
        on: d("2022-09-20"),
        ground: "service-charge-challenge".into(),
        reason: "A challenge to the 2022/23 service charge: the First-tier Tribunal decides it"
            .into(),
    });
    assert_eq!(s.case.state, State::NotAccepted);
    // A case not accepted has no running clocks.
    assert!(s.deadlines("2022-10-10").is_empty());
}

#[test]
fn platinum_jubilee_first_time_repair_request_is_a_service_request() {
    // Received Wednesday 25 May 2022. 30 May was a working day in 2022 (the Spring bank holiday moved to
    // Thu 2 Jun, with Fri 3 Jun for the Jubilee). Respond within 10 WD of receipt: 26, 27, 30, 31 May, 1, 6, 7,
    // 8, 9, 10 Jun.
    let mut s = Scenario::received(ID, "2022-05-25");
    let c = s.clock("stage1_response", "2022-05-25");
    assert_eq!(c.due_on, d("2022-06-10"));
    assert_eq!(
        c.explanation,
        "10 working days after receipt on 2022-05-25; skips 2, 3 Jun"
    );
    // Acknowledge within 5 WD: 26, 27, 30, 31 May, 1 Jun.
    assert_eq!(s.due("stage1_acknowledge"), d("2022-06-01"));
    // A first-time repair request is not a complaint (l.24): a service request, with no window in this policy.
    s.then(Event::Classified {
        on: d("2022-05-26"),
        feedback_type: FeedbackType::ServiceRequest,
        raised_on: None,
    });
    assert_eq!(s.case.state, State::Open);
    assert!(s.deadlines("2022-06-20").is_empty());
}

#[test]
fn coronation_escalation_refused_only_on_the_policys_code_type_exclusions() {
    // Received Thursday 4 May 2023. Acknowledge within 5 WD: 5, (8 May Coronation), 9, 10, 11, 12 May.
    let mut s = Scenario::received(ID, "2023-05-04");
    let c = s.clock("stage1_acknowledge", "2023-05-04");
    assert_eq!(c.due_on, d("2023-05-12"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2023-05-04; skips 8 May"
    );
    // Respond within 10 WD of receipt: 5, 9, 10, 11, 12, 15, 16, 17, 18, 19 May.
    assert_eq!(s.due("stage1_response"), d("2023-05-19"));
    s.ack("2023-05-05");
    s.respond("2023-05-18", Outcome::NotUpheld);
    s.escalate("2023-05-22");
    // 'already-considered' is a Code ground, but not this policy's.
    let msg = s.refused(Event::EscalationRefused {
        on: d("2023-05-23"),
        ground: "already-considered".into(),
        explanation: Some("Already considered".into()),
    });
    assert_eq!(
        msg,
        "'already-considered' is not a ground on which the policy allows refusing escalation (legal-proceedings, time-limit)"
    );
    let msg = s.refused(Event::EscalationRefused {
        on: d("2023-05-23"),
        ground: "legal-proceedings".into(),
        explanation: None,
    });
    assert_eq!(
        msg,
        "Explain the refusal: the resident must be told why and of their right to go to the Ombudsman (Code 5.11, 2.4)"
    );
    s.then(Event::EscalationRefused {
        on: d("2023-05-23"),
        ground: "legal-proceedings".into(),
        explanation: Some(
            "A claim form and particulars of claim about the same disrepair were filed at court on 19 May 2023; you may refer the complaint to the Housing Ombudsman".into(),
        ),
    });
    // The refusal takes the case back to its stage 1 response.
    assert_eq!(s.case.stage(), 1);
    assert_eq!(s.case.state, State::Responded);
    assert_eq!(s.case.refusals.len(), 1);
}
