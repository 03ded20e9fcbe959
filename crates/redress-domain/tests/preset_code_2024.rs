//! Scenarios under the statutory Code (`code-2024`), with real dates and real bank holidays.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::case::ClockStatus;
use redress_domain::event::{Event, Outcome};

#[test]
fn the_code_has_no_findings_against_itself() {
    assert!(
        findings("code-2024").is_empty(),
        "{:?}",
        findings("code-2024")
    );
}

#[test]
fn christmas_and_new_year_complaint_runs_both_stages() {
    // Received Friday 19 Dec 2025. Acknowledge within 5 WD: 22, 23, 24, 29, 30 Dec (25, 26 Dec skipped).
    let mut s = Scenario::received("code-2024", "2025-12-19");
    assert_eq!(s.due("stage1_acknowledge"), d("2025-12-30"));
    s.ack("2025-12-23");
    // Stage 1 response: 10 WD after acknowledgement on 23 Dec: 24, 29, 30, 31 Dec, 2, 5, 6, 7, 8, 9 Jan.
    let c = s.clock("stage1_response", "2026-01-02");
    assert_eq!(c.due_on, d("2026-01-09"));
    assert_eq!(c.status, ClockStatus::Pending);
    assert_eq!(
        c.explanation,
        "10 working days after acknowledgement on 2025-12-23; skips 25, 26 Dec, 1 Jan"
    );
    // Extended by 10 WD without the resident's agreement: 12–23 Jan.
    s.extend("2026-01-07", 10, false);
    let c = s.clock("stage1_response", "2026-01-12");
    assert_eq!(c.due_on, d("2026-01-23"));
    assert_eq!(c.original_due_on, Some(d("2026-01-09")));
    // A further extension needs the resident's agreement.
    let msg = s.refused(Event::Extended {
        on: d("2026-01-20"),
        working_days: 5,
        reason: "More time".into(),
        resident_agreed: false,
    });
    assert_eq!(
        msg,
        "This extension needs the resident's recorded agreement: the policy allows 10 extra working days without it and 10 have been used"
    );
    s.respond("2026-01-22", Outcome::PartlyUpheld);
    assert_eq!(
        s.clock("stage1_response", "2026-02-01").status,
        ClockStatus::Met
    );
    // No escalation window in the Code.
    assert!(
        s.deadlines("2026-02-01")
            .iter()
            .all(|c| c.clock != "escalation_window")
    );
    // Stage 2: acknowledge within 5 WD of the request, respond within 20 WD of acknowledgement.
    s.escalate("2026-03-27");
    // 5 WD after Fri 27 Mar 2026: 30, 31 Mar, 1, 2 Apr, then Good Friday 3 Apr and Easter Monday 6 Apr
    // are skipped, so the fifth is Tue 7 Apr.
    assert_eq!(s.due("stage2_acknowledge"), d("2026-04-07"));
    s.ack("2026-04-07");
    assert_eq!(s.due("stage2_response"), d("2026-05-06"));
    s.respond("2026-05-06", Outcome::NotUpheld);
    assert_eq!(
        s.clock("stage2_response", "2026-06-01").status,
        ClockStatus::Met
    );
    assert!(
        s.refused(Event::EscalationRequested {
            on: d("2026-05-07"),
            reasons: None,
            out_of_time: false
        })
        .contains("final stage")
    );
}
