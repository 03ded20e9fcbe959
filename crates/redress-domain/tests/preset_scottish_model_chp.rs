//! Scenarios under the SPSO Model Complaints Handling Procedure for Scottish social landlords
//! (`scottish-model-chp`), with real dates and real Scottish bank holidays: 2 January, St Andrew's Day (or
//! its substitute), the one-off Monday 15 June 2026, and no Easter Monday.
//!
//! The procedure: frontline resolution within 5 WD of receipt (extension only exceptionally, 10 WD in all);
//! stage 2 investigation acknowledged within 3 WD and answered within 20 WD of the escalation request,
//! longer only by agreement; stage 2 asked for within 2 months of the stage 1 reply (or 6 months of the
//! event); complaints within 6 months.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::compliance::check_code_2024;
use redress_domain::event::{Event, FeedbackType, Outcome};
use redress_domain::policy::{CodeBasis, Period};
use redress_domain::{
    Calendar, ClockStatus, Division, Framework, Policy, Severity, check, presets,
};

const ID: &str = "scottish-model-chp";

#[test]
fn it_is_checked_against_the_spso_model_and_meets_it() {
    // The calendar is Scotland's, so the framework is the SPSO MCHP, not the English Code.
    let p = policy(ID);
    assert_eq!(Framework::of(&p), Framework::SpsoMchp);
    // The model procedure has no findings against itself: the 6-month time limit and the 2-month window for
    // asking for stage 2 are its own rules, and no English-Code breach (2.3, 6.10) is reported.
    assert!(findings(ID).is_empty(), "{:?}", findings(ID));
    // Held to the English Code, these differences would be breaches; the check no longer does that.
    let english: Vec<(String, &str)> = check_code_2024(&p)
        .into_iter()
        .map(|f| (f.key, f.provision))
        .collect();
    assert_eq!(
        english,
        [
            // The frontline has no separate acknowledgement: fine under the MCHP, not under the Code.
            ("stages.stage1.acknowledgement_step".to_owned(), "6.2"),
            ("stages.stage2.escalation.window".to_owned(), "6.10"),
            ("time_bar.months".to_owned(), "2.3"),
        ]
    );
}

#[test]
fn a_landlord_departing_from_the_model_gets_spso_findings() {
    // A Scottish landlord's policy on the model, with a 3-month time limit, a 5-working-day stage 2
    // acknowledgement, a month to ask for stage 2 with no discretion (tables merge key by key,
    // so the window stays in months) and no representatives.
    let text = "id = \"our-scottish-policy\"\nname = \"Ours\"\nversion = \"1\"\nextends = \"scottish-model-chp\"\n[stages.stage2]\nacknowledge = { working_days = 5, from = \"escalation_requested\" }\n[stages.stage2.escalation]\nwindow = { months = 1 }\nlate_requests_discretion = false\n[time_bar]\nmonths = 3\n[who_may_complain]\nrepresentative = false\n";
    let p = Policy::resolve(text, &presets::preset_lookup).unwrap();
    assert_eq!(p.calendar, Division::Scotland);
    let found: Vec<(String, &str, Severity)> = check(&p)
        .into_iter()
        .map(|f| {
            assert_eq!(f.framework, Framework::SpsoMchp);
            (f.key, f.provision, f.severity)
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "stages.stage2.acknowledge".to_owned(),
                "SPSO MCHP stage 2",
                Severity::Error
            ),
            (
                "stages.stage2.escalation.window".to_owned(),
                "SPSO MCHP stage 2",
                Severity::Error
            ),
            (
                "time_bar.months".to_owned(),
                "SPSO MCHP time limit",
                Severity::Error
            ),
            (
                "who_may_complain.representative".to_owned(),
                "SPSO MCHP who can complain",
                Severity::Warning
            ),
        ]
    );
    let time_limit = check(&p)
        .into_iter()
        .find(|f| f.key == "time_bar.months")
        .unwrap();
    assert_eq!(
        time_limit.message,
        "The policy accepts complaints only within 3 months; the SPSO model procedure accepts them within 6 months of the customer first knowing of the problem"
    );
}

#[test]
fn the_procedure_reads_as_configured() {
    let p = policy(ID);
    assert_eq!(p.calendar, Division::Scotland);
    let s1 = p.stage(1).unwrap();
    assert_eq!(s1.name, "Frontline resolution");
    assert_eq!(s1.respond.period, Period::WorkingDays(5));
    assert_eq!(s1.acknowledge.period, Period::WorkingDays(5));
    // No separate acknowledgement at the frontline; the clock falls due with the response.
    assert!(!s1.acknowledgement_step);
    assert_eq!(s1.extension.without_agreement_working_days, 5);
    assert!(!s1.extension.further_with_agreement);
    let s2 = p.stage(2).unwrap();
    assert_eq!(s2.name, "Investigation");
    assert!(s2.acknowledgement_step);
    assert_eq!(s2.acknowledge.period, Period::WorkingDays(3));
    assert_eq!(s2.extension.without_agreement_working_days, 0);
    let esc = s2.escalation.as_ref().unwrap();
    assert_eq!(esc.window, Some(Period::Months(2)));
    assert!(esc.late_requests_discretion);
    let ex: Vec<(&str, CodeBasis)> = p
        .exclusions
        .iter()
        .map(|e| (e.id.as_str(), e.code_basis))
        .collect();
    assert_eq!(
        ex,
        vec![
            ("time-limit", CodeBasis::TimeLimit),
            ("compensation-claims", CodeBasis::OtherRoute),
            ("appealable-decisions", CodeBasis::OtherRoute),
            ("legal-proceedings", CodeBasis::LegalProceedings),
            ("already-considered", CodeBasis::AlreadyConsidered),
        ]
    );
    assert_eq!(p.time_bar.months, Some(6));
    assert!(p.time_bar.discretion && p.time_bar.from_awareness);
    assert!(p.feedback.service_requests);
}

#[test]
fn christmas_and_the_second_of_january_then_an_easter_investigation() {
    // Received Wed 24 Dec 2025. Frontline response within 5 WD: 29, 30, 31 Dec, (1 and 2 Jan are Scottish
    // holidays), 5, 6 Jan. In England it would be Mon 5 Jan (2 Jan is a working day there).
    let mut s = Scenario::received(ID, "2025-12-24");
    let c = s.clock("stage1_response", "2025-12-24");
    assert_eq!(c.due_on, d("2026-01-06"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2025-12-24; skips 25, 26 Dec, 1, 2 Jan"
    );
    assert_eq!(
        Calendar::uk(Division::EnglandAndWales)
            .add_working_days(d("2025-12-24"), 5)
            .unwrap(),
        d("2026-01-05")
    );
    // No separate acknowledgement at the frontline: it is due with the response.
    assert_eq!(s.due("stage1_acknowledge"), d("2026-01-06"));
    s.then(Event::Assigned {
        on: d("2025-12-24"),
        officer: "f.line".into(),
    });
    s.ack("2025-12-24");
    // Exceptionally, 5 more WD: 7, 8, 9, 12, 13 Jan.
    s.extend("2026-01-05", 5, false);
    assert_eq!(s.due("stage1_response"), d("2026-01-13"));
    // No further extension at the frontline, even with the customer's agreement.
    assert_eq!(
        s.refused(Event::Extended {
            on: d("2026-01-12"),
            working_days: 2,
            reason: "More time".into(),
            resident_agreed: true,
        }),
        "The policy allows at most 5 extra working days at Frontline resolution, and 5 have been used"
    );
    s.respond("2026-01-13", Outcome::NotUpheld);
    // Stage 2 within 2 months of the stage 1 reply: Fri 13 Mar 2026 (calendar months, no working days).
    let w = s.clock("escalation_window", "2026-01-14");
    assert_eq!(w.due_on, d("2026-03-13"));
    assert_eq!(
        w.explanation,
        "2 months after the Frontline resolution response on 2026-01-13; the resident may ask for Investigation until then"
    );
    // Asked on Mon 16 Mar: after the 2-month limb (the 6-month limb may still allow it): recorded, flagged.
    s.escalate("2026-03-16");
    assert_eq!(
        s.clock("escalation_window", "2026-03-16").status,
        ClockStatus::MetLate
    );
    assert!(
        s.case
            .warnings(&s.policy, &s.calendar, d("2026-03-16"))
            .iter()
            .any(|w| w.code == "late_escalation_request")
    );
    // Refusal only on the listed grounds.
    assert_eq!(
        s.refused(Event::EscalationRefused {
            on: d("2026-03-17"),
            ground: "compensation-claims".into(),
            explanation: Some("A claim".into()),
        }),
        "'compensation-claims' is not a ground on which the policy allows refusing escalation (time-limit, legal-proceedings, already-considered)"
    );
    // Acknowledge within 3 WD: 17, 18, 19 Mar.
    assert_eq!(s.due("stage2_acknowledge"), d("2026-03-19"));
    assert_eq!(
        s.refused(Event::Assigned {
            on: d("2026-03-17"),
            officer: "f.line".into(),
        }),
        "The reviewer at Investigation must not have decided an earlier stage: f.line decided Frontline resolution"
    );
    s.then(Event::Assigned {
        on: d("2026-03-17"),
        officer: "investigator".into(),
    });
    // Special circumstances (the 6-month limb): the officer accepts the late request.
    s.then(Event::EscalationAccepted {
        on: d("2026-03-17"),
        reason: "Within 6 months of the event complained of".into(),
    });
    s.ack("2026-03-18");
    // 20 WD from the request on Mon 16 Mar: 17–20, 23–27, 30, 31 Mar, 1, 2 Apr, (Good Friday 3 Apr),
    // 6 Apr (Easter Monday is a working day in Scotland), 7–10, 13, 14 Apr. England would give 15 Apr.
    let c = s.clock("stage2_response", "2026-03-18");
    assert_eq!(c.due_on, d("2026-04-14"));
    assert_eq!(
        c.explanation,
        "20 working days after the escalation request on 2026-03-16; skips 3 Apr"
    );
    // Any extension at stage 2 is agreed with the customer.
    assert_eq!(
        s.refused(Event::Extended {
            on: d("2026-04-13"),
            working_days: 10,
            reason: "Specialist survey".into(),
            resident_agreed: false,
        }),
        "This extension needs the resident's recorded agreement: the policy allows 0 extra working days without it"
    );
    // Agreed: 10 WD, 15, 16, 17, 20–24, 27, 28 Apr.
    s.extend("2026-04-13", 10, true);
    let c = s.clock("stage2_response", "2026-04-14");
    assert_eq!(c.due_on, d("2026-04-28"));
    assert_eq!(c.original_due_on, Some(d("2026-04-14")));
    s.then_by(
        Event::Responded {
            on: d("2026-04-28"),
            outcome: Some(Outcome::PartlyUpheld),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        },
        Some("investigator"),
    );
    assert_eq!(
        s.clock("stage2_response", "2026-04-28").status,
        ClockStatus::Met
    );
}

#[test]
fn st_andrews_day_2025_substitute_and_2026() {
    // St Andrew's Day 2025 falls on Sunday: the holiday is Monday 1 Dec. Received Thu 27 Nov 2025: 28 Nov,
    // (1 Dec), 2, 3, 4, 5 Dec.
    let s = Scenario::received(ID, "2025-11-27");
    let c = s.clock("stage1_response", "2025-11-27");
    assert_eq!(c.due_on, d("2025-12-05"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2025-11-27; skips 1 Dec"
    );

    // Received Mon 9 Nov 2026: 10, 11, 12, 13, 16 Nov.
    let mut s = Scenario::received(ID, "2026-11-09");
    assert_eq!(s.due("stage1_response"), d("2026-11-16"));
    s.ack("2026-11-09");
    s.respond("2026-11-13", Outcome::NotUpheld);
    // 2 months from Fri 13 Nov 2026: Wed 13 Jan 2027.
    assert_eq!(s.due("escalation_window"), d("2027-01-13"));
    s.escalate("2026-11-26");
    assert_eq!(
        s.clock("escalation_window", "2026-11-26").status,
        ClockStatus::Met
    );
    // Acknowledge within 3 WD of Thu 26 Nov: 27 Nov, (St Andrew's Day Mon 30 Nov), 1, 2 Dec.
    assert_eq!(s.due("stage2_acknowledge"), d("2026-12-02"));
    // 20 WD: 27 Nov, 1–4, 7–11, 14–18, 21–24 Dec, (Christmas Fri 25, Boxing Day observed Mon 28 Dec), 29 Dec.
    let c = s.clock("stage2_response", "2026-11-27");
    assert_eq!(c.due_on, d("2026-12-29"));
    assert_eq!(
        c.explanation,
        "20 working days after the escalation request on 2026-11-26; skips 30 Nov, 25, 28 Dec"
    );
}

#[test]
fn the_one_off_holiday_of_15_june_2026() {
    // Received Wed 10 Jun 2026: 11, 12, (Mon 15 Jun, Scotland only), 16, 17, 18 Jun.
    let mut s = Scenario::received(ID, "2026-06-10");
    let c = s.clock("stage1_response", "2026-06-10");
    assert_eq!(c.due_on, d("2026-06-18"));
    assert_eq!(
        c.explanation,
        "5 working days after receipt on 2026-06-10; skips 15 Jun"
    );
    s.ack("2026-06-10");
    // More than the 5 exceptional WD at once is refused outright.
    assert_eq!(
        s.refused(Event::Extended {
            on: d("2026-06-11"),
            working_days: 6,
            reason: "Complex".into(),
            resident_agreed: true,
        }),
        "The policy allows at most 5 extra working days at Frontline resolution"
    );
    s.respond("2026-06-12", Outcome::Upheld);
    // Escalation asked for on the holiday itself: the clock counts from Tue 16 Jun: 17, 18, 19 Jun.
    s.escalate("2026-06-15");
    let c = s.clock("stage2_acknowledge", "2026-06-15");
    assert_eq!(c.due_on, d("2026-06-19"));
    assert_eq!(
        c.explanation,
        "3 working days after the escalation request on 2026-06-15 (not a working day, so counted from Tue 16 Jun 2026)"
    );
    // The matter is now before the sheriff court: refusal on a listed ground, with an explanation.
    s.then(Event::EscalationRefused {
        on: d("2026-06-16"),
        ground: "legal-proceedings".into(),
        explanation: Some(
            "The matter is before the sheriff court; you may contact the SPSO".into(),
        ),
    });
    assert_eq!(s.case.stage(), 1);
    assert_eq!(s.case.refusals.len(), 1);
}

#[test]
fn service_requests_and_exclusions() {
    // A first-time request for a repair is a service request, not a complaint; the model CHP sets no
    // first-contact window, so there is no clock.
    let mut s = Scenario::received(ID, "2026-01-02");
    s.then(Event::Classified {
        on: d("2026-01-05"),
        feedback_type: FeedbackType::ServiceRequest,
        raised_on: None,
    });
    assert!(s.deadlines("2026-01-05").is_empty());

    // A decision with its own right of appeal is excluded.
    let mut s = Scenario::received(ID, "2026-01-05");
    s.then(Event::Excluded {
        on: d("2026-01-06"),
        ground: "appealable-decisions".into(),
        reason: "A housing allocation decision, which has its own review procedure".into(),
    });
    assert!(s.case.state.is_finished());
}
