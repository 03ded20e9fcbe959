//! What issuing letters records: the policy's checklist answered (Harrogate's, seed 004 section 10), a
//! response or extension linked to the letter that told the resident of it (and a warning until then), and
//! the step a letter carries, dated the day it is issued.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use redress_domain::Policy;
use redress_domain::case::Case;
use redress_domain::event::{Event, LetterChannel, Outcome};
use redress_domain::letters::{Answer, ChecklistAnswer, LetterKind, letter_step};

fn issued(kind: LetterKind, stage: u8, on: &str, checklist: Vec<ChecklistAnswer>) -> Event {
    Event::LetterIssued {
        on: d(on),
        letter: format!("L-{kind}-{on}"),
        kind,
        stage,
        channel: LetterChannel::Post,
        recipients: vec!["A. Resident".into()],
        document: "ab".repeat(32),
        checklist,
    }
}

fn yes(question: &str) -> ChecklistAnswer {
    ChecklistAnswer {
        question: question.into(),
        answer: Answer::Yes,
        explanation: None,
    }
}

fn no(question: &str, explanation: Option<&str>) -> ChecklistAnswer {
    ChecklistAnswer {
        question: question.into(),
        answer: Answer::No,
        explanation: explanation.map(str::to_owned),
    }
}

fn warning_codes(s: &Scenario, as_of: &str) -> Vec<&'static str> {
    s.case
        .warnings(&s.policy, &s.calendar, d(as_of))
        .into_iter()
        .map(|w| w.code)
        .collect()
}

/// Harrogate's stage 1 response checklist: three questions at every stage and one at the Resolution stage.
#[test]
fn harrogate_response_letter_needs_every_checklist_question_answered_and_a_no_explained() {
    let mut s = Scenario::received("harrogate-ha", "2026-05-22");
    s.ack("2026-05-26")
        .respond("2026-06-05", Outcome::NotUpheld);
    let questions: Vec<&str> = s
        .policy
        .letters
        .checklist_for(LetterKind::StageResponse, 1)
        .into_iter()
        .map(|q| q.id.as_str())
        .collect();
    assert_eq!(
        questions,
        ["apology", "all-elements", "compensation", "next-stage"]
    );
    let message = s.refused(issued(LetterKind::StageResponse, 1, "2026-06-05", vec![]));
    assert!(
        message.contains("Answer the checklist question \"Did the letter contain an apology?\""),
        "{message}"
    );
    assert!(message.contains("next stage"), "{message}");
    let unexplained = vec![
        no("apology", Some("   ")),
        yes("all-elements"),
        yes("compensation"),
        yes("next-stage"),
    ];
    let message = s.refused(issued(
        LetterKind::StageResponse,
        1,
        "2026-06-05",
        unexplained,
    ));
    assert_eq!(
        message,
        "Explain the \"no\" to \"Did the letter contain an apology?\""
    );
    let stray = vec![
        yes("apology"),
        yes("all-elements"),
        yes("compensation"),
        yes("next-stage"),
        yes("meeting-offered"),
    ];
    let message = s.refused(issued(LetterKind::StageResponse, 1, "2026-06-05", stray));
    assert!(
        message.contains("\"meeting-offered\" is not a question"),
        "{message}"
    );
    s.then(issued(
        LetterKind::StageResponse,
        1,
        "2026-06-05",
        vec![
            no(
                "apology",
                Some("The complaint was not upheld: nothing to apologise for"),
            ),
            yes("all-elements"),
            no("compensation", Some("No loss was found")),
            yes("next-stage"),
        ],
    ));
    assert_eq!(s.case.letters.len(), 1);
}

#[test]
fn a_policy_without_a_checklist_takes_no_answers() {
    let mut s = Scenario::received("code-2024", "2026-05-22");
    s.ack("2026-05-26");
    let message = s.refused(issued(
        LetterKind::Acknowledgement,
        1,
        "2026-05-26",
        vec![yes("apology")],
    ));
    assert!(
        message.contains("the policy has no checklist for it"),
        "{message}"
    );
    s.then(issued(LetterKind::Acknowledgement, 1, "2026-05-26", vec![]));
}

#[test]
fn a_checklist_is_checked_when_the_policy_is_installed() {
    let base = |letters: &str| {
        format!("id = \"p\"\nname = \"P\"\nversion = \"1\"\nextends = \"code-2024\"\n{letters}")
    };
    let question = |id: &str, stage: &str| {
        format!(
            "[[letters.checklist]]\nid = \"{id}\"\nkind = \"closure\"\n{stage}question = \"Was a feedback form sent?\"\n"
        )
    };
    let err = Policy::resolve(
        &base(&format!(
            "{}{}",
            question("form", ""),
            question("form", "stage = 1\n")
        )),
        &redress_domain::presets::preset_lookup,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("letters.checklist[1].id"), "{err}");
    assert!(err.contains("asked twice"), "{err}");
    let err = Policy::resolve(
        &base(&question("form", "stage = 7\n")),
        &redress_domain::presets::preset_lookup,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("the policy has no stage 7"), "{err}");
    let err = Policy::resolve(
        &base(&question("Not An Id", "")),
        &redress_domain::presets::preset_lookup,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("is not a valid id"), "{err}");
    let ok = Policy::resolve(
        &base(&question("form", "")),
        &redress_domain::presets::preset_lookup,
    )
    .unwrap();
    assert_eq!(ok.letters.checklist_for(LetterKind::Closure, 2).len(), 1);
}

/// A response and an extension recorded without a letter (one sent outside Redress) carry a warning until
/// a letter of their kind is issued, which links to them.
#[test]
fn a_response_or_extension_without_its_letter_is_warned_of_until_one_is_issued() {
    let mut s = Scenario::received("code-2024", "2026-05-22");
    s.ack("2026-05-26");
    assert!(!warning_codes(&s, "2026-05-27").contains(&"extension_letter_not_issued"));
    s.extend("2026-06-08", 5, false);
    assert!(warning_codes(&s, "2026-06-08").contains(&"extension_letter_not_issued"));
    s.then(issued(LetterKind::Extension, 1, "2026-06-08", vec![]));
    assert_eq!(
        s.case.round().extensions[0].letter.as_deref(),
        Some("L-extension-2026-06-08")
    );
    assert!(!warning_codes(&s, "2026-06-08").contains(&"extension_letter_not_issued"));
    s.respond("2026-06-12", Outcome::Upheld);
    let warnings = s.case.warnings(&s.policy, &s.calendar, d("2026-06-12"));
    let w = warnings
        .iter()
        .find(|w| w.code == "response_letter_not_issued")
        .unwrap();
    assert_eq!(w.provision, "6.9");
    assert!(w.message.contains("Fri 12 Jun 2026"), "{}", w.message);
    s.then(issued(LetterKind::StageResponse, 1, "2026-06-15", vec![]));
    assert_eq!(
        s.case.round().response_letter.as_deref(),
        Some("L-stage_response-2026-06-15")
    );
    assert!(!warning_codes(&s, "2026-06-15").contains(&"response_letter_not_issued"));
}

/// The step a response letter carries is dated the day it is issued, so the letter and the clock agree;
/// the wrong step, or a step on a letter that records none, is refused in words.
#[test]
fn a_letter_s_step_is_dated_the_day_it_is_issued_and_must_be_its_kind_s() {
    let mut s = Scenario::received("code-2024", "2026-05-22");
    s.ack("2026-05-26");
    let response = Event::Responded {
        on: d("2026-05-27"),
        outcome: Some(Outcome::NotUpheld),
        heads: vec![],
        remedies: vec![],
        outstanding_actions: vec![],
    };
    let step = letter_step(LetterKind::StageResponse, response.clone(), d("2026-06-09")).unwrap();
    assert_eq!(step.on(), d("2026-06-09"));
    s.then(step);
    s.then(issued(LetterKind::StageResponse, 1, "2026-06-09", vec![]));
    let respond = s
        .deadlines("2026-06-09")
        .into_iter()
        .find(|c| c.clock.as_str() == "stage1_response")
        .unwrap();
    assert_eq!(respond.met_on, Some(d("2026-06-09")));
    let wrong = letter_step(LetterKind::Extension, response.clone(), d("2026-06-09")).unwrap_err();
    assert_eq!(
        wrong.message,
        "Extension letters record the step \"extended\", not \"responded\""
    );
    let none = letter_step(LetterKind::Closure, response, d("2026-06-09")).unwrap_err();
    assert!(none.message.contains("record no step"), "{}", none.message);
    assert_eq!(Case::fold(&s.events).unwrap(), s.case);
}
