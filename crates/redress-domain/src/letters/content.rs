//! A letter as sections in the order of the Ombudsman's example response letter (seed 004 section 11):
//! issues complained of, reasons for dissatisfaction, outcomes sought, what was done to investigate,
//! findings per element, apology, redress, learning, signposting, next steps. Each renderer shows these
//! sections; none decides what goes in them.

use super::*;
use crate::case::human_date;
use crate::text::pounds;

/// A section of a letter, in the order letters show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// The officer's own opening paragraphs.
    Opening,
    /// The issues complained of (the heads of the definition).
    IssuesComplainedOf,
    /// What the landlord is not responsible for (Code 5.7).
    NotResponsibleFor,
    /// At a later stage, the resident's reasons for dissatisfaction.
    ReasonsForDissatisfaction,
    /// The outcomes sought.
    OutcomesSought,
    /// What was done to investigate (the officer's writing).
    Investigation,
    /// Findings and the decision on each element, with reasons.
    Findings,
    /// Apologies and explanations.
    Apology,
    /// Redress: actions, compensation with its breakdown, and outstanding actions with dates.
    Redress,
    /// Learning: changes made because of the complaint.
    Learning,
    /// Signposting to other services (the officer's writing).
    Signposting,
    /// The extension, the refusal or the restriction the letter tells of.
    Notice,
    /// What happens next and by when; the Ombudsman's details.
    NextSteps,
}

impl SectionKind {
    /// The section's heading.
    pub fn heading(self) -> &'static str {
        match self {
            SectionKind::Opening => "",
            SectionKind::IssuesComplainedOf => "What you complained about",
            SectionKind::NotResponsibleFor => "What we are not responsible for",
            SectionKind::ReasonsForDissatisfaction => "Why you remain dissatisfied",
            SectionKind::OutcomesSought => "The outcomes you are seeking",
            SectionKind::Investigation => "How we investigated",
            SectionKind::Findings => "Our findings and decision",
            SectionKind::Apology => "Apology and explanation",
            SectionKind::Redress => "Putting things right",
            SectionKind::Learning => "What we have learnt",
            SectionKind::Signposting => "Other help and advice",
            SectionKind::Notice => "",
            SectionKind::NextSteps => "What happens next",
        }
    }
}

/// One section as lines of plain text, ready to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Which section.
    pub kind: SectionKind,
    /// Its heading (empty for the opening and the notice).
    pub heading: &'static str,
    /// Its lines, each a paragraph or a list item.
    pub lines: Vec<String>,
}

impl Letter {
    /// The letter's sections that have something to say, in order; the officer's writing for a section
    /// follows what the case supplies for it.
    pub fn sections(&self) -> Vec<Section> {
        let mut out = Vec::new();
        let mut push = |kind: SectionKind, mut lines: Vec<String>| {
            if let Some(written) = self.written.get(&kind) {
                lines.extend(written.iter().cloned());
            }
            if !lines.is_empty() {
                out.push(Section {
                    kind,
                    heading: kind.heading(),
                    lines,
                });
            }
        };
        push(SectionKind::Opening, self.paragraphs.clone());
        push(SectionKind::Notice, self.notice_lines());
        push(
            SectionKind::IssuesComplainedOf,
            self.definition.iter().map(|h| h.summary.clone()).collect(),
        );
        push(
            SectionKind::NotResponsibleFor,
            self.not_responsible_for.clone(),
        );
        push(
            SectionKind::ReasonsForDissatisfaction,
            self.reasons_for_dissatisfaction.iter().cloned().collect(),
        );
        push(
            SectionKind::OutcomesSought,
            self.definition
                .iter()
                .filter_map(|h| h.outcome_sought.clone())
                .collect(),
        );
        push(SectionKind::Investigation, Vec::new());
        push(SectionKind::Findings, self.findings_lines());
        let remedies = |kinds: &[RemedyKind]| -> Vec<String> {
            self.response
                .iter()
                .flat_map(|r| r.remedies.iter())
                .filter(|m| kinds.contains(&m.kind))
                .map(remedy_line)
                .collect()
        };
        push(
            SectionKind::Apology,
            remedies(&[RemedyKind::Apology, RemedyKind::Explanation]),
        );
        push(SectionKind::Redress, self.redress_lines());
        push(SectionKind::Learning, remedies(&[RemedyKind::PolicyChange]));
        push(SectionKind::Signposting, Vec::new());
        push(SectionKind::NextSteps, self.next_step_lines());
        out
    }

    fn findings_lines(&self) -> Vec<String> {
        let Some(r) = &self.response else {
            return Vec::new();
        };
        let mut lines: Vec<String> = r
            .decisions
            .iter()
            .map(|d| {
                let what = d
                    .summary
                    .clone()
                    .unwrap_or_else(|| format!("Point {}", d.head));
                match d.reasons.as_deref().filter(|s| !s.trim().is_empty()) {
                    Some(reasons) => format!("{what}: {}. {reasons}", d.outcome.phrase()),
                    None => format!("{what}: {}.", d.outcome.phrase()),
                }
            })
            .collect();
        if let Some(o) = r.outcome {
            lines.push(format!("Overall, your complaint is {}.", o.phrase()));
        }
        lines
    }

    fn redress_lines(&self) -> Vec<String> {
        let Some(r) = &self.response else {
            return Vec::new();
        };
        let shown_elsewhere = [
            RemedyKind::Apology,
            RemedyKind::Explanation,
            RemedyKind::PolicyChange,
        ];
        let mut lines: Vec<String> = r
            .remedies
            .iter()
            .filter(|m| !shown_elsewhere.contains(&m.kind))
            .map(remedy_line)
            .collect();
        let total = r.compensation_pence();
        if total > 0 {
            lines.push(format!("Total compensation offered: {}.", pounds(total)));
        }
        lines.extend(
            r.outstanding_actions
                .iter()
                .map(|a| format!("Still to be done: {}", remedy_line(a))),
        );
        lines
    }

    /// The extension, refusal, restriction or closure the letter tells of.
    fn notice_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(e) = &self.extension {
            lines.push(format!(
                "We need more time to respond to your complaint at {}: {}",
                self.stage_name, e.reason
            ));
            if let Some(d) = e.new_due_on {
                lines.push(match e.previous_due_on {
                    Some(before) if before != d => format!(
                        "We will now respond by {}, instead of by {}.",
                        human_date(d),
                        human_date(before)
                    ),
                    _ => format!("We will now respond by {}.", human_date(d)),
                });
            }
        }
        if let Some(r) = &self.refusal {
            if let Some(text) = &r.ground_text {
                lines.push(text.clone());
            }
            lines.extend(r.explanation.iter().cloned());
        }
        if let Some(r) = &self.restriction {
            lines.push(r.restriction.clone());
            if let Some(d) = r.review_on {
                lines.push(format!(
                    "We will review this restriction by {}.",
                    human_date(d)
                ));
            }
            lines.extend(r.how_to_challenge.iter().cloned());
        }
        if let Some((on, _)) = self.closed.filter(|_| self.kind == LetterKind::Closure) {
            lines.push(format!("We closed your complaint on {}.", human_date(on)));
        }
        lines
    }

    fn next_step_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let acknowledging = matches!(
            self.kind,
            LetterKind::Acknowledgement | LetterKind::EscalationAcknowledgement
        );
        if acknowledging && let Some(d) = self.response_due_on {
            lines.push(format!("We will respond by {}.", human_date(d)));
        }
        if acknowledging && let Some(h) = &self.handler {
            lines.push(format!("Your complaint is being handled by {h}."));
        }
        if let Some(e) = &self.escalation_route {
            let by = match (e.by, &e.window) {
                (Some(by), Some(w)) => format!(" within {w}, by {}", human_date(by)),
                _ => String::new(),
            };
            lines.push(format!(
                "If you are not satisfied, you may ask for your complaint to go to {}{by}.",
                e.stage_name
            ));
        }
        if let Some(o) = &self.ombudsman {
            lines.push(if self.ombudsman_referral_open {
                format!("You may refer your complaint to the {}.", o.name)
            } else {
                format!(
                    "You may contact the {} at any point for help with your complaint.",
                    o.name
                )
            });
            lines.extend(o.lines());
        }
        lines
    }
}

fn remedy_line(m: &RemedyLine) -> String {
    let mut s = m.description.clone();
    if let Some(p) = m.amount_pence {
        s.push_str(&format!(" ({})", pounds(p)));
    }
    if let Some(d) = m.due_on {
        s.push_str(&format!(", by {}", human_date(d)));
    }
    s
}
