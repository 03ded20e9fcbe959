//! Letters to the resident: what each kind of letter says, built from the case, and what the Code requires it
//! to say before it may go out.
//!
//! - [`LetterKind`]: the kinds of letter, one per written step of the Code.
//! - [`Letter::draft`] builds a letter's content as data from the folded [`Case`] and its [`Policy`]: dates,
//!   the complaint definition, decisions with reasons, remedies, the next step. It refuses a kind the case
//!   cannot have now. Rendering (HTML, PDF, DOCX, email) is the caller's: this module only says what a letter
//!   contains, in the shape of the Ombudsman's example response letter (seed 004 section 11, see
//!   [`Letter::sections`]).
//! - [`Letter::missing`] checks, once and for every renderer, the contents the Code and the policy require
//!   of the kind at its stage ([`Element`]); a letter missing one must not be issued.
//!
//! The case's reference is not in the domain (the store keeps it): the caller fills [`Letter::reference`].

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{Case, Refused};
use crate::event::{CloseReason, Head, Outcome, RemedyKind};
use crate::policy::{OmbudsmanContact, Policy};

mod checklist;
mod content;
mod draft;
mod required;
mod step;

pub use crate::text::pounds;
pub use checklist::{
    Answer, ChecklistAnswer, ChecklistQuestion, check_answers, checklist_problems,
};
pub use content::{Section, SectionKind};
pub use required::{Element, LetterRules, MissingElement};
pub use step::letter_step;

/// A kind of letter to the resident. The wire names are stable (the API and stored letters use them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// Acknowledging a complaint at stage 1, with the complaint defined (Code 6.2).
    Acknowledgement,
    /// Extending the response deadline: the reason, the new date and the Ombudsman's details (6.4, 6.5,
    /// 6.15, 6.16).
    Extension,
    /// A stage's response; the last stage's is the final response (6.9, 6.19).
    StageResponse,
    /// Acknowledging a request to escalate, with the complaint defined again (6.11).
    EscalationAcknowledgement,
    /// Not accepting a complaint, with the reason and the right to go to the Ombudsman (2.4).
    NotAccepted,
    /// Refusing a request to escalate, on one of the policy's grounds (5.11, 2.4).
    EscalationRefused,
    /// Closing the case (seed 004's closing letter, with its feedback form).
    Closure,
    /// Restricting the resident's contact: what, the review date, how to challenge it (5.14, 5.15).
    ContactRestriction,
    /// Free text on letterhead.
    General,
}

impl LetterKind {
    /// Every kind, in the order a case meets them.
    pub const ALL: [LetterKind; 9] = [
        LetterKind::Acknowledgement,
        LetterKind::Extension,
        LetterKind::StageResponse,
        LetterKind::EscalationAcknowledgement,
        LetterKind::NotAccepted,
        LetterKind::EscalationRefused,
        LetterKind::Closure,
        LetterKind::ContactRestriction,
        LetterKind::General,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::Acknowledgement => "acknowledgement",
            LetterKind::Extension => "extension",
            LetterKind::StageResponse => "stage_response",
            LetterKind::EscalationAcknowledgement => "escalation_acknowledgement",
            LetterKind::NotAccepted => "not_accepted",
            LetterKind::EscalationRefused => "escalation_refused",
            LetterKind::Closure => "closure",
            LetterKind::ContactRestriction => "contact_restriction",
            LetterKind::General => "general",
        }
    }

    /// The kind with this wire name.
    pub fn parse(name: &str) -> Option<LetterKind> {
        LetterKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the case can have a letter of this kind now; if not, why not in an officer's words (the
    /// rule per kind is [`Letter::draft`]'s).
    pub fn allowed_on(self, case: &Case) -> Result<(), Refused> {
        draft::kind_allowed(case, self)
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            LetterKind::Acknowledgement => "Acknowledgement",
            LetterKind::Extension => "Extension",
            LetterKind::StageResponse => "Stage response",
            LetterKind::EscalationAcknowledgement => "Escalation acknowledgement",
            LetterKind::NotAccepted => "Complaint not accepted",
            LetterKind::EscalationRefused => "Escalation refused",
            LetterKind::Closure => "Closure",
            LetterKind::ContactRestriction => "Contact restriction",
            LetterKind::General => "General letter",
        }
    }
}

impl std::fmt::Display for LetterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who signs the letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// Name, as signed.
    pub name: String,
    /// Job title, if given.
    #[serde(default)]
    pub job_title: Option<String>,
}

/// An extension as the resident is told of it: why, and the new date (Code 6.4, 6.15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionNotice {
    /// Day the extension was recorded.
    pub on: Date,
    /// Extra working days.
    pub working_days: u32,
    /// Why.
    pub reason: String,
    /// The resident agreed.
    pub resident_agreed: bool,
    /// The response date before this extension.
    pub previous_due_on: Option<Date>,
    /// The new response date: the extended deadline of the stage's response clock.
    pub new_due_on: Option<Date>,
}

/// One head of complaint with the decision on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The head's number, from 1.
    pub head: u32,
    /// What the head is about (from the definition), if the head is defined.
    pub summary: Option<String>,
    /// The decision.
    pub outcome: Outcome,
    /// The reasons.
    pub reasons: Option<String>,
}

/// A remedy offered, or an action still outstanding, with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemedyLine {
    /// Its id in the case (`R1`, …).
    pub id: String,
    /// The kind.
    pub kind: RemedyKind,
    /// What will be done.
    pub description: String,
    /// Amount in pence, for a financial remedy.
    pub amount_pence: Option<u64>,
    /// By when.
    pub due_on: Option<Date>,
    /// Day completed, if already done.
    pub completed_on: Option<Date>,
}

/// A stage's response as recorded: the decisions, remedies and outstanding actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseContent {
    /// Day responded.
    pub responded_on: Date,
    /// The overall outcome.
    pub outcome: Option<Outcome>,
    /// The decision on each head, in head order.
    pub decisions: Vec<Decision>,
    /// Remedies offered at the stage (apologies, explanations, actions, compensation, learning).
    pub remedies: Vec<RemedyLine>,
    /// Actions still outstanding (Code 6.6).
    pub outstanding_actions: Vec<RemedyLine>,
}

impl ResponseContent {
    /// The compensation offered, in pence, with its breakdown: the lines with an amount.
    pub fn compensation_pence(&self) -> u64 {
        self.remedies.iter().filter_map(|r| r.amount_pence).sum()
    }

    /// Whether any head (or, with no heads, the whole complaint) is upheld or partly upheld.
    pub fn finds_fault(&self) -> bool {
        let faulted = |o: Outcome| o != Outcome::NotUpheld;
        if self.decisions.is_empty() {
            return self.outcome.is_some_and(faulted);
        }
        self.decisions.iter().any(|d| faulted(d.outcome))
    }
}

/// How to take the complaint to the next stage, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationRoute {
    /// The next stage's number.
    pub stage: u8,
    /// Its name in the policy.
    pub stage_name: String,
    /// The window to ask, as the policy states it ("20 working days"), if it sets one.
    pub window: Option<String>,
    /// The last day to ask, if the policy sets a window.
    pub by: Option<Date>,
    /// The policy asks the resident for reasons (the Code says it must not, 6.12).
    pub reasons_required: bool,
    /// The next stage is optional (the internal process is complete without it).
    pub optional: bool,
    /// Who handles the next stage, in the policy's words.
    pub handled_by: Option<String>,
}

/// Why a complaint or an escalation is refused, as the resident is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalContent {
    /// Day decided.
    pub on: Date,
    /// The ground's id in the policy.
    pub ground: String,
    /// The ground in the policy's words.
    pub ground_text: Option<String>,
    /// Why it applies to this complaint.
    pub explanation: Option<String>,
}

/// A restriction on the resident's contact, as the resident is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestrictionContent {
    /// Day imposed.
    pub on: Date,
    /// What is restricted and how the resident may still make contact.
    pub restriction: String,
    /// When it will be reviewed.
    pub review_on: Option<Date>,
    /// How to challenge it, from the policy's roles.
    pub how_to_challenge: Option<String>,
}

/// A letter's content: structured data from the case, plus the officer's own paragraphs. What a renderer
/// shows; [`Letter::missing`] says whether it may be issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    /// The kind.
    pub kind: LetterKind,
    /// The case's reference: kept by the store, so filled by the caller.
    pub reference: Option<String>,
    /// The letter's date.
    pub date: Date,
    /// Day the complaint was received.
    pub received_on: Date,
    /// The stage the letter is about.
    pub stage: u8,
    /// The stage's name in the policy ("Stage 1", "Resolution").
    pub stage_name: String,
    /// This stage's response is the landlord's final response (the policy's last stage).
    pub final_response: bool,
    /// Day the stage's request began (receipt, or the escalation request).
    pub stage_started_on: Date,
    /// Day the stage was acknowledged.
    pub acknowledged_on: Option<Date>,
    /// The acknowledgement's due date under the policy.
    pub acknowledgement_due_on: Option<Date>,
    /// The response's due date under the policy, after any extension.
    pub response_due_on: Option<Date>,
    /// The officer handling the stage.
    pub handler: Option<String>,
    /// The complaint definition at the stage: heads with the outcomes sought.
    pub definition: Vec<Head>,
    /// What the landlord is not responsible for (Code 5.7).
    pub not_responsible_for: Vec<String>,
    /// At a later stage: the resident's reasons for escalating, if given.
    pub reasons_for_dissatisfaction: Option<String>,
    /// At a later stage: the day of the previous stage's response.
    pub previous_response_on: Option<Date>,
    /// The extension being told of (an extension letter).
    pub extension: Option<ExtensionNotice>,
    /// The response (a stage response letter).
    pub response: Option<ResponseContent>,
    /// How to escalate, where a further stage exists.
    pub escalation_route: Option<EscalationRoute>,
    /// The resident may now refer the complaint to the Ombudsman (the internal process is complete).
    pub ombudsman_referral_open: bool,
    /// The Ombudsman's contact details, from the policy.
    pub ombudsman: Option<OmbudsmanContact>,
    /// The refusal (not accepted, escalation refused).
    pub refusal: Option<RefusalContent>,
    /// The contact restriction.
    pub restriction: Option<RestrictionContent>,
    /// Day and reason closed (a closure letter).
    pub closed: Option<(Date, CloseReason)>,
    /// Who signs.
    pub signatory: Option<Signatory>,
    /// The officer's own paragraphs.
    pub paragraphs: Vec<String>,
    /// The officer's writing for the sections the case cannot supply (what was done to investigate,
    /// learning, signposting, …), by section.
    pub written: BTreeMap<SectionKind, Vec<String>>,
}

impl Letter {
    /// Builds the content of a letter of `kind` from the case as it stands, as of `today`.
    ///
    /// Refuses a kind the case cannot have now, with the reason in an officer's words:
    /// - `acknowledgement`: an open complaint whose current stage is stage 1 (received, or returned to
    ///   stage 1) and not yet responded to;
    /// - `escalation_acknowledgement`: an open complaint at a later stage that began with a request to
    ///   escalate, not yet responded to, and not awaiting a decision on a late request;
    /// - `extension`: an extension recorded at the current stage, not yet responded to;
    /// - `stage_response`: a response recorded at the current stage;
    /// - `not_accepted`: the complaint was not accepted under an exclusion;
    /// - `escalation_refused`: a request to escalate refused since the current stage's response;
    /// - `closure`: the case is closed;
    /// - `contact_restriction`: a restriction is in force;
    /// - `general`: always.
    ///
    /// A letter that records its own step (an extension or a response issued through Redress) is drafted
    /// against the case with that step's event applied: the dates on the letter and the clocks then agree.
    pub fn draft(
        case: &Case,
        policy: &Policy,
        calendar: &Calendar,
        kind: LetterKind,
        today: Date,
        signatory: Option<Signatory>,
        paragraphs: Vec<String>,
    ) -> Result<Letter, Refused> {
        draft::kind_allowed(case, kind)?;
        let mut letter = draft::common(case, policy, calendar, kind, today);
        letter.signatory = signatory;
        letter.paragraphs = paragraphs;
        draft::fill(&mut letter, case, policy, calendar);
        Ok(letter)
    }

    /// Sets the officer's writing for one section (replacing any already there).
    pub fn write(&mut self, section: SectionKind, paragraphs: Vec<String>) {
        self.written.insert(section, paragraphs);
    }

    /// The required contents not present, under the Code and the policy, for this kind at this stage. Empty
    /// when the letter may be issued.
    pub fn missing(&self, policy: &Policy) -> Vec<MissingElement> {
        required::missing(self, policy)
    }
}
