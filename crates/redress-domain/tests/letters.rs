//! Letters drafted from real cases under code-2024 and harrogate-ha: what each kind carries, that its dates
//! are the clocks', and that `missing` names exactly what is absent.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::Policy;
use redress_domain::clock::Clock;
use redress_domain::event::{
    Event, Head, HeadOutcome, Outcome, OutstandingAction, Remedy, RemedyKind,
};
use redress_domain::letters::{Letter, LetterKind, Signatory};

fn signatory() -> Option<Signatory> {
    Some(Signatory {
        name: "Rita Resolution".into(),
        job_title: Some("Complaints officer".into()),
    })
}

fn draft(s: &Scenario, kind: LetterKind, today: &str) -> Letter {
    let mut letter = Letter::draft(
        &s.case,
        &s.policy,
        &s.calendar,
        kind,
        d(today),
        signatory(),
        vec![],
    )
    .unwrap_or_else(|r| panic!("{kind} refused: {}", r.message));
    letter.reference = Some("CMP-2025-0042".into());
    letter
}

fn refused(s: &Scenario, kind: LetterKind, today: &str) -> String {
    Letter::draft(
        &s.case,
        &s.policy,
        &s.calendar,
        kind,
        d(today),
        None,
        vec![],
    )
    .unwrap_err()
    .message
}

fn missing_ids(letter: &Letter, policy: &Policy) -> Vec<&'static str> {
    letter.missing(policy).into_iter().map(|m| m.id).collect()
}

fn due(s: &Scenario, clock: Clock, today: &str) -> jiff::civil::Date {
    s.case
        .deadlines(&s.policy, &s.calendar, d(today))
        .into_iter()
        .rev()
        .find(|c| c.clock == clock)
        .unwrap()
        .due_on
}

fn heads() -> Vec<Head> {
    vec![
        Head {
            summary: "Damp and mould in the bedroom not treated".into(),
            outcome_sought: Some("Treat the mould and fix the cause".into()),
        },
        Head {
            summary: "Calls about the repair not returned".into(),
            outcome_sought: Some("An apology".into()),
        },
    ]
}

fn define(s: &mut Scenario, on: &str) {
    s.then(Event::ComplaintDefined {
        on: d(on),
        heads: heads(),
        not_responsible_for: vec![],
    });
}

fn assign(s: &mut Scenario, on: &str, officer: &str) {
    s.then(Event::Assigned {
        on: d(on),
        officer: officer.into(),
    });
}

/// A full response: both heads decided with reasons, an apology, compensation and a dated outstanding action.
fn respond_fully(s: &mut Scenario, on: &str) {
    s.then(Event::Responded {
        on: d(on),
        outcome: None,
        heads: vec![
            HeadOutcome {
                head: 1,
                outcome: Outcome::Upheld,
                reasons: Some("The survey of 3 Dec found mould we had not treated".into()),
            },
            HeadOutcome {
                head: 2,
                outcome: Outcome::PartlyUpheld,
                reasons: Some("Two of four calls went unanswered".into()),
            },
        ],
        remedies: vec![
            Remedy {
                kind: RemedyKind::Apology,
                description: "We apologise for the delay".into(),
                amount_pence: None,
                due_on: None,
            },
            Remedy {
                kind: RemedyKind::Compensation,
                description: "For distress and inconvenience".into(),
                amount_pence: Some(25_000),
                due_on: Some(d("2026-02-13")),
            },
            Remedy {
                kind: RemedyKind::Compensation,
                description: "For time and trouble".into(),
                amount_pence: Some(5_000),
                due_on: Some(d("2026-02-13")),
            },
        ],
        outstanding_actions: vec![OutstandingAction {
            description: "Replace the extractor fan".into(),
            due_on: Some(d("2026-02-27")),
        }],
    });
}

#[test]
fn kinds_round_trip_through_their_wire_names() {
    let names: Vec<&str> = LetterKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "acknowledgement",
            "extension",
            "stage_response",
            "escalation_acknowledgement",
            "not_accepted",
            "escalation_refused",
            "closure",
            "contact_restriction",
            "general"
        ]
    );
    for k in LetterKind::ALL {
        assert_eq!(LetterKind::parse(k.as_str()), Some(k));
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        assert!(!k.label().is_empty());
    }
    use redress_domain::letters::pounds;
    assert_eq!(
        [pounds(5), pounds(30_000), pounds(123_456_789)],
        ["£0.05", "£300.00", "£1,234,567.89"]
    );
}

#[test]
fn code_acknowledgement_gives_the_clock_s_response_date_and_needs_the_definition() {
    // Received Fri 19 Dec 2025: Christmas Day, Boxing Day and New Year's Day fall inside the clocks.
    let mut s = Scenario::received("code-2024", "2025-12-19");
    let before = draft(&s, LetterKind::Acknowledgement, "2025-12-22");
    assert_eq!(missing_ids(&before, &s.policy), ["complaint_definition"]);
    s.ack("2025-12-22");
    define(&mut s, "2025-12-22");
    let letter = draft(&s, LetterKind::Acknowledgement, "2025-12-22");
    assert_eq!(
        letter.response_due_on,
        Some(due(&s, Clock::Respond(1), "2025-12-22"))
    );
    // 10 working days from Mon 22 Dec, skipping 25, 26 Dec and 1 Jan.
    assert_eq!(letter.response_due_on, Some(d("2026-01-08")));
    assert_eq!(letter.stage_name, "Stage 1");
    assert_eq!(letter.definition, heads());
    assert!(
        letter.missing(&s.policy).is_empty(),
        "{:?}",
        letter.missing(&s.policy)
    );
    let next = letter
        .sections()
        .into_iter()
        .find(|x| x.heading == "What happens next")
        .unwrap();
    assert!(next.lines.iter().any(|l| l.contains("Thu 8 Jan 2026")));
    assert!(
        refused(&s, LetterKind::EscalationAcknowledgement, "2025-12-22")
            .contains("not asked to escalate")
    );
}

#[test]
fn an_outcome_not_sought_is_named_by_its_head() {
    let mut s = Scenario::received("code-2024", "2025-12-19");
    s.then(Event::ComplaintDefined {
        on: d("2025-12-22"),
        heads: vec![
            heads()[0].clone(),
            Head {
                summary: "Calls not returned".into(),
                outcome_sought: None,
            },
        ],
        not_responsible_for: vec![],
    });
    let letter = draft(&s, LetterKind::Acknowledgement, "2025-12-22");
    let missing = letter.missing(&s.policy);
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].id, "outcomes_sought");
    assert!(
        missing[0].message.contains("head 2 (Calls not returned)"),
        "{}",
        missing[0].message
    );
    assert_eq!(missing[0].provision, "Code 5.6");
}

#[test]
fn harrogate_acknowledgement_names_the_handler_and_the_ombudsman() {
    let mut s = Scenario::received("harrogate-ha", "2025-12-23");
    s.ack("2025-12-24");
    define(&mut s, "2025-12-24");
    let mut letter = draft(&s, LetterKind::Acknowledgement, "2025-12-24");
    letter.reference = None;
    assert_eq!(
        missing_ids(&letter, &s.policy),
        ["reference", "handler_named"]
    );
    assert!(
        letter
            .missing(&s.policy)
            .iter()
            .all(|m| m.provision == "the policy (harrogate-ha)")
    );
    // Harrogate counts 10 working days from receipt (Tue 23 Dec), skipping 25, 26 Dec and 1 Jan.
    assert_eq!(letter.response_due_on, Some(d("2026-01-09")));
    assert_eq!(
        letter.response_due_on,
        Some(due(&s, Clock::Respond(1), "2025-12-24"))
    );
    assert_eq!(letter.stage_name, "Resolution");
    assign(&mut s, "2025-12-24", "Nina Neighbourhood");
    let letter = draft(&s, LetterKind::Acknowledgement, "2025-12-24");
    assert!(
        letter.missing(&s.policy).is_empty(),
        "{:?}",
        letter.missing(&s.policy)
    );
    assert_eq!(
        letter.ombudsman.as_ref().unwrap().phone.as_deref(),
        Some("0300 111 3000")
    );
    // The Code asks nothing of the kind: the same letter under code-2024 needs no handler.
    let code = policy("code-2024");
    let mut unassigned = letter.clone();
    unassigned.handler = None;
    assert!(unassigned.missing(&code).is_empty());
}

#[test]
fn an_extension_letter_gives_the_extended_deadline_its_reason_and_the_ombudsman() {
    let mut s = Scenario::received("code-2024", "2025-12-19");
    s.ack("2025-12-22");
    define(&mut s, "2025-12-22");
    assert!(
        refused(&s, LetterKind::Extension, "2026-01-05").contains("record the extension first")
    );
    s.extend("2026-01-05", 10, false);
    let letter = draft(&s, LetterKind::Extension, "2026-01-05");
    let e = letter.extension.as_ref().unwrap();
    assert_eq!(e.new_due_on, Some(due(&s, Clock::Respond(1), "2026-01-05")));
    assert_eq!(e.previous_due_on, Some(d("2026-01-08")));
    assert_eq!(e.new_due_on, Some(d("2026-01-22")));
    assert_eq!(e.reason, "Awaiting a surveyor's report");
    assert!(letter.missing(&s.policy).is_empty());
    let mut without = letter.clone();
    without.ombudsman = None;
    without.extension.as_mut().unwrap().reason = " ".into();
    let missing = without.missing(&s.policy);
    assert_eq!(
        missing.iter().map(|m| m.id).collect::<Vec<_>>(),
        ["extension_reason", "ombudsman_details"]
    );
    assert_eq!(missing[0].provision, "Code 6.4");
    assert_eq!(missing[1].provision, "Code 6.5");
}

#[test]
fn a_stage_1_response_sets_out_decisions_remedies_and_the_way_to_stage_2() {
    let mut s = Scenario::received("code-2024", "2025-12-19");
    assert!(
        refused(&s, LetterKind::StageResponse, "2025-12-22").contains("No response is recorded")
    );
    s.ack("2025-12-22");
    define(&mut s, "2025-12-22");
    respond_fully(&mut s, "2026-01-07");
    let letter = draft(&s, LetterKind::StageResponse, "2026-01-07");
    assert!(
        letter.missing(&s.policy).is_empty(),
        "{:?}",
        letter.missing(&s.policy)
    );
    assert!(!letter.final_response);
    let r = letter.response.as_ref().unwrap();
    assert_eq!(r.decisions.len(), 2);
    assert_eq!(
        r.decisions[1].summary.as_deref(),
        Some("Calls about the repair not returned")
    );
    assert_eq!(r.compensation_pence(), 30_000);
    assert_eq!(r.outstanding_actions.len(), 1);
    assert_eq!(r.outstanding_actions[0].due_on, Some(d("2026-02-27")));
    let route = letter.escalation_route.as_ref().unwrap();
    assert_eq!(route.stage_name, "Stage 2");
    // The Code sets no window to escalate: the letter gives none, and needs none.
    assert_eq!((route.window.as_deref(), route.by), (None, None));
    let sections = letter.sections();
    let redress = sections
        .iter()
        .find(|x| x.heading == "Putting things right")
        .unwrap();
    assert!(
        redress
            .lines
            .contains(&"Total compensation offered: £300.00.".to_owned())
    );
    assert!(
        sections
            .iter()
            .any(|x| x.heading == "Apology and explanation")
    );
}

#[test]
fn a_stage_1_response_names_the_policy_s_escalation_window() {
    let text = r#"
        id = "code-with-window"
        name = "The Code, with a window to escalate"
        version = "1"
        extends = "code-2024"
        [stages.stage2.escalation]
        window = { working_days = 20 }
        reasons_required = false
        may_refuse = true
        refusal_grounds = ["time-limit"]
    "#;
    let mut s = Scenario::received("code-2024", "2025-12-19");
    s.policy = Policy::resolve(text, &redress_domain::presets::preset_lookup).unwrap();
    s.ack("2025-12-22");
    define(&mut s, "2025-12-22");
    respond_fully(&mut s, "2026-01-07");
    let letter = draft(&s, LetterKind::StageResponse, "2026-01-07");
    let route = letter.escalation_route.as_ref().unwrap();
    assert_eq!(route.window.as_deref(), Some("20 working days"));
    assert_eq!(
        route.by,
        Some(due(&s, Clock::EscalationWindow, "2026-01-07"))
    );
    assert_eq!(route.by, Some(d("2026-02-04")));
    assert!(letter.missing(&s.policy).is_empty());
    let mut undated = letter.clone();
    undated.escalation_route.as_mut().unwrap().by = None;
    assert_eq!(missing_ids(&undated, &s.policy), ["escalation_route"]);
}

#[test]
fn a_response_without_reasons_or_remedy_is_named_point_by_point() {
    let mut s = Scenario::received("code-2024", "2025-12-19");
    s.ack("2025-12-22");
    define(&mut s, "2025-12-22");
    s.then(Event::Responded {
        on: d("2026-01-07"),
        outcome: None,
        heads: vec![HeadOutcome {
            head: 1,
            outcome: Outcome::Upheld,
            reasons: None,
        }],
        remedies: vec![Remedy {
            kind: RemedyKind::Compensation,
            description: "Goodwill".into(),
            amount_pence: None,
            due_on: None,
        }],
        outstanding_actions: vec![OutstandingAction {
            description: "Treat the mould".into(),
            due_on: None,
        }],
    });
    let letter = draft(&s, LetterKind::StageResponse, "2026-01-07");
    let missing = letter.missing(&s.policy);
    assert_eq!(
        missing.iter().map(|m| m.id).collect::<Vec<_>>(),
        [
            "decision_per_head",
            "reasons",
            "compensation_breakdown",
            "outstanding_action_dates"
        ]
    );
    assert!(
        missing[0]
            .message
            .contains("head 2 (Calls about the repair not returned)")
    );
    assert!(missing[1].message.contains("head 1 (Damp and mould"));
    assert_eq!(missing[1].provision, "Code 6.9");
    // Upheld with no remedy at all.
    let mut bare = letter.clone();
    bare.response.as_mut().unwrap().remedies.clear();
    assert!(missing_ids(&bare, &s.policy).contains(&"remedy"));
}

#[test]
fn the_final_response_names_the_ombudsman() {
    let mut s = Scenario::received("code-2024", "2025-12-19");
    s.ack("2025-12-22");
    define(&mut s, "2025-12-22");
    respond_fully(&mut s, "2026-01-07");
    s.escalate("2026-01-12");
    assert!(
        refused(&s, LetterKind::Acknowledgement, "2026-01-12")
            .contains("escalation acknowledgement")
    );
    let early = draft(&s, LetterKind::EscalationAcknowledgement, "2026-01-12");
    assert_eq!(missing_ids(&early, &s.policy), ["complaint_definition"]);
    s.ack("2026-01-13");
    define(&mut s, "2026-01-13");
    let ack = draft(&s, LetterKind::EscalationAcknowledgement, "2026-01-13");
    assert_eq!(
        ack.response_due_on,
        Some(due(&s, Clock::Respond(2), "2026-01-13"))
    );
    assert!(ack.missing(&s.policy).is_empty());
    respond_fully(&mut s, "2026-02-06");
    let letter = draft(&s, LetterKind::StageResponse, "2026-02-06");
    assert!(letter.final_response);
    assert!(letter.ombudsman_referral_open);
    assert!(letter.escalation_route.is_none());
    assert_eq!(letter.previous_response_on, Some(d("2026-01-07")));
    assert!(letter.missing(&s.policy).is_empty());
    let next = letter
        .sections()
        .into_iter()
        .find(|x| x.heading == "What happens next")
        .unwrap();
    assert!(next.lines[0].contains("refer your complaint to the Housing Ombudsman Service"));
    assert!(
        next.lines
            .iter()
            .any(|l| l.contains("info@housing-ombudsman.org.uk"))
    );
    let mut without = letter.clone();
    without.ombudsman = None;
    let missing = without.missing(&s.policy);
    assert_eq!(missing.len(), 1);
    assert_eq!(
        (missing[0].id, missing[0].provision.as_str()),
        ("ombudsman_details", "Code 6.19")
    );
}

#[test]
fn harrogate_review_offers_the_panel_and_the_ombudsman() {
    let mut s = Scenario::received("harrogate-ha", "2026-03-02");
    assign(&mut s, "2026-03-02", "Nina Neighbourhood");
    s.ack("2026-03-03");
    define(&mut s, "2026-03-03");
    respond_fully(&mut s, "2026-03-13");
    let resolution = draft(&s, LetterKind::StageResponse, "2026-03-13");
    assert_eq!(
        resolution.escalation_route.as_ref().unwrap().stage_name,
        "Review"
    );
    assert!(
        resolution
            .escalation_route
            .as_ref()
            .unwrap()
            .reasons_required
    );
    assert!(!resolution.ombudsman_referral_open);
    assert!(
        resolution.missing(&s.policy).is_empty(),
        "{:?}",
        resolution.missing(&s.policy)
    );
    s.then(Event::EscalationRequested {
        on: d("2026-03-16"),
        reasons: Some("The fan is still not fitted".into()),
        out_of_time: false,
    });
    s.ack("2026-03-17");
    define(&mut s, "2026-03-17");
    let ack = draft(&s, LetterKind::EscalationAcknowledgement, "2026-03-17");
    assert_eq!(
        ack.reasons_for_dissatisfaction.as_deref(),
        Some("The fan is still not fitted")
    );
    assert_eq!(
        ack.response_due_on,
        Some(due(&s, Clock::Respond(2), "2026-03-17"))
    );
    assign(&mut s, "2026-03-17", "Olu Operations");
    respond_fully(&mut s, "2026-03-27");
    let review = draft(&s, LetterKind::StageResponse, "2026-03-27");
    // The Review completes the internal process: the optional Panel and the Ombudsman are both offered.
    assert!(!review.final_response);
    assert!(review.ombudsman_referral_open);
    assert!(review.escalation_route.as_ref().unwrap().optional);
    assert!(
        review.missing(&s.policy).is_empty(),
        "{:?}",
        review.missing(&s.policy)
    );
}

#[test]
fn not_accepted_and_escalation_refused_give_the_reason_and_the_ombudsman() {
    let mut s = Scenario::received("code-2024", "2025-12-19");
    assert!(
        refused(&s, LetterKind::NotAccepted, "2025-12-22")
            .contains("not been recorded as not accepted")
    );
    s.then(Event::Excluded {
        on: d("2025-12-22"),
        ground: "legal-proceedings".into(),
        reason: "A claim was filed at the county court on 1 Dec".into(),
    });
    let letter = draft(&s, LetterKind::NotAccepted, "2025-12-22");
    assert!(
        letter
            .refusal
            .as_ref()
            .unwrap()
            .ground_text
            .as_deref()
            .unwrap()
            .starts_with("Legal proceedings")
    );
    assert!(letter.ombudsman_referral_open);
    assert!(letter.missing(&s.policy).is_empty());
    let mut bare = letter.clone();
    bare.refusal.as_mut().unwrap().explanation = None;
    bare.ombudsman = None;
    let missing = bare.missing(&s.policy);
    assert_eq!(
        missing
            .iter()
            .map(|m| (m.id, m.provision.as_str()))
            .collect::<Vec<_>>(),
        [
            ("refusal_reason", "Code 2.4"),
            ("ombudsman_details", "Code 2.4")
        ]
    );

    let mut s = Scenario::received("harrogate-ha", "2026-03-02");
    s.ack("2026-03-03");
    define(&mut s, "2026-03-03");
    respond_fully(&mut s, "2026-03-13");
    s.then(Event::EscalationRequested {
        on: d("2026-03-16"),
        reasons: Some("Not happy".into()),
        out_of_time: false,
    });
    s.then(Event::EscalationRefused {
        on: d("2026-03-17"),
        ground: "no-specific-reasons".into(),
        explanation: Some("Your request did not say what remains unresolved".into()),
    });
    let letter = draft(&s, LetterKind::EscalationRefused, "2026-03-17");
    assert!(
        letter
            .refusal
            .as_ref()
            .unwrap()
            .ground_text
            .as_deref()
            .unwrap()
            .contains("specific reasons")
    );
    assert!(letter.missing(&s.policy).is_empty());
    let mut bare = letter.clone();
    bare.refusal.as_mut().unwrap().explanation = None;
    let missing = bare.missing(&s.policy);
    assert_eq!(
        missing
            .iter()
            .map(|m| (m.id, m.provision.as_str()))
            .collect::<Vec<_>>(),
        [("refusal_reason", "Code 5.11")]
    );
}

#[test]
fn a_contact_restriction_letter_says_what_until_when_and_how_to_challenge() {
    let mut s = Scenario::received("harrogate-ha", "2026-03-02");
    assert!(
        refused(&s, LetterKind::ContactRestriction, "2026-03-02")
            .contains("No contact restriction")
    );
    s.then(Event::ContactRestricted {
        on: d("2026-03-04"),
        restriction: "Contact by email to one named officer only".into(),
        approved_by: "olu".into(),
        review_on: d("2026-09-04"),
    });
    let letter = draft(&s, LetterKind::ContactRestriction, "2026-03-04");
    let r = letter.restriction.as_ref().unwrap();
    assert_eq!(r.review_on, Some(d("2026-09-04")));
    assert!(
        r.how_to_challenge
            .as_deref()
            .unwrap()
            .contains("Operations Manager")
    );
    assert!(letter.missing(&s.policy).is_empty());
    let mut bare = letter.clone();
    bare.restriction.as_mut().unwrap().how_to_challenge = None;
    assert_eq!(missing_ids(&bare, &s.policy), ["how_to_challenge"]);
}

#[test]
fn closure_and_general_letters_need_nothing_more() {
    let mut s = Scenario::received("code-2024", "2025-12-19");
    let general = draft(&s, LetterKind::General, "2025-12-19");
    assert!(general.ombudsman.is_none());
    assert!(general.missing(&s.policy).is_empty());
    assert!(refused(&s, LetterKind::Closure, "2025-12-19").contains("not closed"));
    s.ack("2025-12-22");
    define(&mut s, "2025-12-22");
    respond_fully(&mut s, "2026-01-07");
    s.then(Event::ResolvedConfirmed {
        on: d("2026-01-09"),
    });
    s.then(Event::Closed {
        on: d("2026-01-09"),
        reason: redress_domain::CloseReason::Resolved,
        explanation: None,
    });
    let closure = draft(&s, LetterKind::Closure, "2026-01-23");
    assert_eq!(closure.closed.map(|c| c.0), Some(d("2026-01-09")));
    assert!(closure.missing(&s.policy).is_empty());
}

#[test]
fn a_policy_may_waive_only_an_unconfirmed_element_and_require_only_what_a_kind_carries() {
    let base = |letters: &str| {
        format!("id = \"p\"\nname = \"P\"\nversion = \"1\"\nextends = \"code-2024\"\n{letters}")
    };
    let ok = Policy::resolve(
        &base("[letters.waive]\ncontact_restriction = [\"how_to_challenge\"]"),
        &redress_domain::presets::preset_lookup,
    )
    .unwrap();
    assert!(
        ok.letters.ombudsman.is_some(),
        "the Code's Ombudsman details are inherited"
    );
    let err = Policy::resolve(
        &base("[letters.waive]\nstage_response = [\"reasons\"]"),
        &redress_domain::presets::preset_lookup,
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot be waived"), "{err}");
    let err = Policy::resolve(
        &base("[letters.require]\nclosure = [\"new_response_date\"]"),
        &redress_domain::presets::preset_lookup,
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot carry"), "{err}");
    assert!(
        Policy::resolve(
            &base("[letters.require]\nclosure = [\"nonsense\"]"),
            &redress_domain::presets::preset_lookup
        )
        .is_err()
    );
}

#[test]
fn adjustments_that_mention_large_print_ask_for_it() {
    let adjustments = |needs: &str, agreed: &str| redress_domain::case::Adjustments {
        recorded_on: jiff::civil::date(2026, 5, 26),
        needs: needs.into(),
        adjustments: agreed.into(),
        review_on: None,
    };
    assert!(adjustments("Partially sighted", "Letters in Large Print").ask_for_large_print());
    assert!(adjustments("Needs 18pt text", "").ask_for_large_print());
    assert!(!adjustments("Dyslexia", "Phone calls, not letters").ask_for_large_print());
}
