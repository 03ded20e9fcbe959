//! `cargo bench -p redress-domain`: the calendar and the fold, the two hot paths of every request.
//!
//! Targets on the project's 2-core machine: add-working-days under 50 ns; folding a 20-event case into its
//! deadlines under 5 µs.

use divan::{Bencher, black_box};
use jiff::civil::{Date, date};
use redress_domain::event::{
    CaseEvent, Channel, Event, Head, HeadOutcome, Outcome, Remedy, RemedyKind,
};
use redress_domain::{BankHolidays, Calendar, Case, Division, presets};

fn main() {
    divan::main();
}

/// Start dates spread over several years, so the benchmark is not one cached look-up.
fn starts() -> Vec<Date> {
    (0..256)
        .map(|i| {
            date(2022, 1, 3)
                .checked_add(jiff::Span::new().days(i * 7 + (i % 5)))
                .unwrap_or(date(2022, 1, 3))
        })
        .collect()
}

#[divan::bench]
fn add_working_days(bencher: Bencher) {
    let cal = Calendar::uk(Division::EnglandAndWales);
    let starts = starts();
    let mut i = 0usize;
    bencher.bench_local(|| {
        i = (i + 1) & 255;
        cal.add_working_days(black_box(starts[i]), black_box(10))
    });
}

#[divan::bench]
fn working_days_between(bencher: Bencher) {
    let cal = Calendar::uk(Division::Scotland);
    let starts = starts();
    let mut i = 0usize;
    bencher.bench_local(|| {
        i = (i + 1) & 255;
        cal.working_days_between(black_box(starts[i]), black_box(starts[255 - i]))
    });
}

#[divan::bench]
fn build_calendar() -> Calendar {
    BankHolidays::embedded().calendar(black_box(Division::EnglandAndWales), &[])
}

/// A realistic 20-event case: both stages, an extension, definitions, remedies, a closure.
fn twenty_events() -> Vec<CaseEvent> {
    let by = |s: &str| Some(s.to_owned());
    let e = |event: Event, who: Option<String>| CaseEvent { event, by: who };
    let head = |s: &str| Head {
        summary: s.into(),
        outcome_sought: Some("Repair".into()),
    };
    vec![
        e(
            Event::received(date(2025, 12, 19), Channel::Phone),
            by("amy"),
        ),
        e(
            Event::Assigned {
                on: date(2025, 12, 19),
                officer: "amy".into(),
            },
            by("amy"),
        ),
        e(
            Event::Acknowledged {
                on: date(2025, 12, 23),
            },
            by("amy"),
        ),
        e(
            Event::ComplaintDefined {
                on: date(2025, 12, 23),
                heads: vec![head("Damp"), head("Calls not returned")],
                not_responsible_for: vec![],
            },
            by("amy"),
        ),
        e(
            Event::IssueMerged {
                on: date(2025, 12, 24),
                summary: "Missed appointment".into(),
                from_reference: None,
            },
            by("amy"),
        ),
        e(
            Event::ComplaintDefined {
                on: date(2025, 12, 24),
                heads: vec![head("Damp"), head("Calls"), head("Appointment")],
                not_responsible_for: vec![],
            },
            by("amy"),
        ),
        e(
            Event::Extended {
                on: date(2026, 1, 5),
                working_days: 10,
                reason: "Surveyor".into(),
                resident_agreed: false,
            },
            by("amy"),
        ),
        e(
            Event::AdverseFindingsShared {
                on: date(2026, 1, 12),
            },
            by("amy"),
        ),
        e(
            Event::Responded {
                on: date(2026, 1, 20),
                outcome: None,
                heads: vec![
                    HeadOutcome {
                        head: 1,
                        outcome: Outcome::Upheld,
                        reasons: None,
                    },
                    HeadOutcome {
                        head: 2,
                        outcome: Outcome::NotUpheld,
                        reasons: None,
                    },
                    HeadOutcome {
                        head: 3,
                        outcome: Outcome::Upheld,
                        reasons: None,
                    },
                ],
                remedies: vec![Remedy {
                    kind: RemedyKind::Compensation,
                    description: "£150".into(),
                    amount_pence: Some(15_000),
                    due_on: Some(date(2026, 2, 3)),
                }],
                outstanding_actions: vec![],
            },
            by("amy"),
        ),
        e(
            Event::RemedyCompleted {
                on: date(2026, 1, 30),
                remedy: "R1".into(),
            },
            by("amy"),
        ),
        e(
            Event::EscalationRequested {
                on: date(2026, 2, 2),
                reasons: None,
                out_of_time: false,
            },
            by("amy"),
        ),
        e(
            Event::Assigned {
                on: date(2026, 2, 2),
                officer: "ben".into(),
            },
            by("ben"),
        ),
        e(
            Event::Acknowledged {
                on: date(2026, 2, 4),
            },
            by("ben"),
        ),
        e(
            Event::ComplaintDefined {
                on: date(2026, 2, 4),
                heads: vec![head("Damp")],
                not_responsible_for: vec![],
            },
            by("ben"),
        ),
        e(
            Event::Extended {
                on: date(2026, 2, 27),
                working_days: 5,
                reason: "Contractor".into(),
                resident_agreed: false,
            },
            by("ben"),
        ),
        e(
            Event::AdverseFindingsShared {
                on: date(2026, 3, 2),
            },
            by("ben"),
        ),
        e(
            Event::Responded {
                on: date(2026, 3, 6),
                outcome: Some(Outcome::PartlyUpheld),
                heads: vec![],
                remedies: vec![],
                outstanding_actions: vec![],
            },
            by("ben"),
        ),
        e(
            Event::ResolvedConfirmed {
                on: date(2026, 3, 9),
            },
            by("ben"),
        ),
        e(
            Event::Closed {
                on: date(2026, 3, 9),
                reason: redress_domain::CloseReason::FinalResponse,
                explanation: None,
            },
            by("ben"),
        ),
        e(
            Event::ReferredToOmbudsman {
                on: date(2026, 4, 1),
                ombudsman_reference: None,
            },
            by("ben"),
        ),
    ]
}

#[divan::bench]
fn fold_20_events_into_deadlines(bencher: Bencher) {
    let policy = presets::preset("code-2024")
        .and_then(Result::ok)
        .unwrap_or_else(|| std::process::exit(1));
    let cal = policy.working_calendar(BankHolidays::embedded());
    let events = twenty_events();
    assert_eq!(events.len(), 20);
    // Every event is one the domain accepts, in order.
    let mut check = Case::open(&events[0]).unwrap_or_else(|_| std::process::exit(1));
    for ev in &events[1..] {
        if let Err(r) = check.decide(&policy, &cal, ev.event.on(), &ev.event, ev.by.as_deref()) {
            eprintln!("benchmark case is invalid at {}: {}", ev.event, r.message);
            std::process::exit(1);
        }
        let _ = check.apply(ev);
    }
    bencher.bench_local(|| {
        let case = Case::fold(black_box(&events)).unwrap_or_else(|_| std::process::exit(1));
        case.deadlines(&policy, &cal, black_box(date(2026, 4, 2)))
    });
}

#[divan::bench]
fn fold_20_events_only(bencher: Bencher) {
    let events = twenty_events();
    bencher.bench_local(|| Case::fold(black_box(&events)));
}
