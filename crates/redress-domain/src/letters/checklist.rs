//! A policy's quality checklist for letters (seed 004 section 10 is the model: "Did the letter contain an
//! apology?"): questions per kind of letter, and at a stage where the policy says so. Issuing such a letter
//! records an answer to every question, and a "no" needs an explanation.

use super::*;
use crate::case::refuse_field;

/// A question asked of every letter of a kind (and stage) before it is issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistQuestion {
    /// Stable id, unique among the questions of its kind and stage (`apology`).
    pub id: String,
    /// The kind of letter it is asked of.
    pub kind: LetterKind,
    /// The stage it is asked at; every stage when omitted.
    #[serde(default)]
    pub stage: Option<u8>,
    /// The question, in the policy's words.
    pub question: String,
}

/// The officer's answer to a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Yes.
    Yes,
    /// No: an explanation is needed.
    No,
}

impl Answer {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
        }
    }

    /// The answer with this wire name.
    pub fn parse(name: &str) -> Option<Answer> {
        match name {
            "yes" => Some(Answer::Yes),
            "no" => Some(Answer::No),
            _ => None,
        }
    }
}

/// An answer to one question of the checklist, as recorded when the letter is issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswer {
    /// The question's id.
    pub question: String,
    /// Yes or no.
    pub answer: Answer,
    /// Why not, or what was done instead (needed for a "no").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl LetterRules {
    /// The questions asked of a letter of `kind` at `stage`, in the policy's order.
    pub fn checklist_for(&self, kind: LetterKind, stage: u8) -> Vec<&ChecklistQuestion> {
        self.checklist
            .iter()
            .filter(|q| q.kind == kind && q.stage.is_none_or(|s| s == stage))
            .collect()
    }
}

/// Checks the answers against the questions: every question answered once, nothing else answered, and an
/// explanation for every "no". The refusal names every problem, in the order of the questions.
pub fn check_answers(
    questions: &[&ChecklistQuestion],
    answers: &[ChecklistAnswer],
) -> Result<(), Refused> {
    let mut problems = Vec::new();
    for a in answers {
        if !questions.iter().any(|q| q.id == a.question) {
            problems.push(if questions.is_empty() {
                format!(
                    "\"{}\" is not a question of this letter: the policy has no checklist for it",
                    a.question
                )
            } else {
                format!(
                    "\"{}\" is not a question of this letter's checklist",
                    a.question
                )
            });
        }
        if answers.iter().filter(|b| b.question == a.question).count() > 1 {
            problems.push(format!("\"{}\" is answered more than once", a.question));
        }
    }
    for q in questions {
        match answers.iter().find(|a| a.question == q.id) {
            None => problems.push(format!("Answer the checklist question \"{}\"", q.question)),
            Some(a) if a.answer == Answer::No && blank(&a.explanation) => {
                problems.push(format!("Explain the \"no\" to \"{}\"", q.question))
            }
            Some(_) => {}
        }
    }
    problems.dedup();
    if problems.is_empty() {
        Ok(())
    } else {
        refuse_field("checklist", problems.join("; "))
    }
}

fn blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(|t| t.trim().is_empty())
}

/// Checks a policy's checklist: ids valid and unique per kind and stage, questions not blank, stages the
/// policy has. Each problem as (key, message).
pub fn checklist_problems(questions: &[ChecklistQuestion], stages: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let key = format!("letters.checklist[{i}]");
        if !crate::policy::valid_id(&q.id) {
            out.push((
                format!("{key}.id"),
                format!(
                    "'{}' is not a valid id: use 1 to 64 lower-case letters, digits and hyphens",
                    q.id
                ),
            ));
        }
        if q.question.trim().is_empty() {
            out.push((format!("{key}.question"), "the question is empty".into()));
        } else if let Some(problem) = crate::text::problem(&q.question, crate::text::TextKind::Line)
        {
            out.push((format!("{key}.question"), problem));
        }
        if let Some(s) = q.stage.filter(|s| !stages.contains(s)) {
            out.push((
                format!("{key}.stage"),
                format!("the policy has no stage {s}"),
            ));
        }
        let clash = questions[..i].iter().any(|p| {
            p.id == q.id
                && p.kind == q.kind
                && (p.stage.is_none() || q.stage.is_none() || p.stage == q.stage)
        });
        if clash {
            out.push((
                format!("{key}.id"),
                format!("'{}' is asked twice of a {} letter", q.id, q.kind),
            ));
        }
    }
    out
}
