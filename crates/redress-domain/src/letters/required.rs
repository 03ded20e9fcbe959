//! What a letter must contain before it is issued: the Code's list per kind and stage, with what the policy
//! adds or, for an unconfirmed provision, waives. Checked here once, for every renderer and channel.

use super::*;

/// A required content of a letter. The wire names are stable ids (the API's `missing` lists them, and a
/// policy's `[letters.require]` and `[letters.waive]` name them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    /// The complaint definition: at least one head (Code 5.6).
    ComplaintDefinition,
    /// The outcome sought on every head (Code 5.6).
    OutcomesSought,
    /// When the response will be sent.
    ResponseDate,
    /// Who is handling the complaint.
    HandlerNamed,
    /// The Ombudsman's contact details.
    OmbudsmanDetails,
    /// The new response date of an extension.
    NewResponseDate,
    /// The reason for an extension.
    ExtensionReason,
    /// Which stage the letter is about.
    StageNamed,
    /// A decision on every head of complaint.
    DecisionPerHead,
    /// Reasons for every decision.
    Reasons,
    /// A remedy, where fault is found.
    Remedy,
    /// An amount for every financial remedy (the compensation breakdown).
    CompensationBreakdown,
    /// A date for every outstanding action.
    OutstandingActionDates,
    /// How (and by when) to escalate to the next stage.
    EscalationRoute,
    /// Why a complaint or an escalation is refused.
    RefusalReason,
    /// What is restricted and how the resident may still make contact.
    RestrictionDescribed,
    /// When a restriction will be reviewed.
    RestrictionReviewDate,
    /// How to challenge a restriction.
    HowToChallenge,
    /// Who signs the letter.
    Signatory,
    /// The case's reference.
    Reference,
}

impl Element {
    /// Every element.
    pub const ALL: [Element; 20] = [
        Element::ComplaintDefinition,
        Element::OutcomesSought,
        Element::ResponseDate,
        Element::HandlerNamed,
        Element::OmbudsmanDetails,
        Element::NewResponseDate,
        Element::ExtensionReason,
        Element::StageNamed,
        Element::DecisionPerHead,
        Element::Reasons,
        Element::Remedy,
        Element::CompensationBreakdown,
        Element::OutstandingActionDates,
        Element::EscalationRoute,
        Element::RefusalReason,
        Element::RestrictionDescribed,
        Element::RestrictionReviewDate,
        Element::HowToChallenge,
        Element::Signatory,
        Element::Reference,
    ];

    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Element::ComplaintDefinition => "complaint_definition",
            Element::OutcomesSought => "outcomes_sought",
            Element::ResponseDate => "response_date",
            Element::HandlerNamed => "handler_named",
            Element::OmbudsmanDetails => "ombudsman_details",
            Element::NewResponseDate => "new_response_date",
            Element::ExtensionReason => "extension_reason",
            Element::StageNamed => "stage_named",
            Element::DecisionPerHead => "decision_per_head",
            Element::Reasons => "reasons",
            Element::Remedy => "remedy",
            Element::CompensationBreakdown => "compensation_breakdown",
            Element::OutstandingActionDates => "outstanding_action_dates",
            Element::EscalationRoute => "escalation_route",
            Element::RefusalReason => "refusal_reason",
            Element::RestrictionDescribed => "restriction_described",
            Element::RestrictionReviewDate => "restriction_review_date",
            Element::HowToChallenge => "how_to_challenge",
            Element::Signatory => "signatory",
            Element::Reference => "reference",
        }
    }

    /// The element with this id.
    pub fn parse(id: &str) -> Option<Element> {
        Element::ALL.into_iter().find(|e| e.as_str() == id)
    }

    /// Whether a letter of this kind can carry the element at all (a policy may require only these).
    pub fn applies_to(self, kind: LetterKind) -> bool {
        use Element as E;
        use LetterKind as K;
        match self {
            E::Signatory | E::Reference => true,
            E::OmbudsmanDetails => kind != K::General,
            E::ComplaintDefinition | E::OutcomesSought | E::StageNamed | E::HandlerNamed => {
                matches!(
                    kind,
                    K::Acknowledgement
                        | K::EscalationAcknowledgement
                        | K::Extension
                        | K::StageResponse
                )
            }
            E::ResponseDate => matches!(kind, K::Acknowledgement | K::EscalationAcknowledgement),
            E::NewResponseDate | E::ExtensionReason => kind == K::Extension,
            E::DecisionPerHead
            | E::Reasons
            | E::Remedy
            | E::CompensationBreakdown
            | E::OutstandingActionDates
            | E::EscalationRoute => kind == K::StageResponse,
            E::RefusalReason => matches!(kind, K::NotAccepted | K::EscalationRefused),
            E::RestrictionDescribed | E::RestrictionReviewDate | E::HowToChallenge => {
                kind == K::ContactRestriction
            }
        }
    }

    /// Whether the provision that requires the element is confirmed in the Code's published text. An
    /// unconfirmed one ([R] in the reference, or our reading of the Ombudsman's guidance) a policy may waive.
    pub fn confirmed(self) -> bool {
        !matches!(
            self,
            Element::CompensationBreakdown
                | Element::OutstandingActionDates
                | Element::RestrictionDescribed
                | Element::RestrictionReviewDate
                | Element::HowToChallenge
        )
    }
}

impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a policy adds to the Code's required contents, or waives, per kind of letter, and the Ombudsman's
/// details its letters give (the `[letters]` table; every key optional).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LetterRules {
    /// The Ombudsman's contact details, as letters give them (`[letters.ombudsman]`; the Code preset gives
    /// the Housing Ombudsman Service's).
    pub ombudsman: Option<OmbudsmanContact>,
    /// Elements the policy requires beyond the Code's, per kind (`[letters.require]`, e.g. Harrogate's
    /// acknowledgement names the handler).
    pub require: BTreeMap<LetterKind, Vec<Element>>,
    /// Elements the Code's list requires on an unconfirmed provision that the policy does not
    /// (`[letters.waive]`); a confirmed one cannot be waived.
    pub waive: BTreeMap<LetterKind, Vec<Element>>,
    /// The questions asked of a letter before it is issued (`[[letters.checklist]]`, seed 004 section 10).
    pub checklist: Vec<ChecklistQuestion>,
}

/// A required content missing from a letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingElement {
    /// The element's stable id, e.g. `decision_per_head`.
    pub id: &'static str,
    /// What requires it: "Code 6.9", or the policy.
    pub provision: String,
    /// What is missing, in plain English.
    pub message: String,
}

/// The Code's required elements of a letter of this kind at this stage, each with its provision.
pub fn code_requires(letter: &Letter, policy: &Policy) -> Vec<(Element, &'static str)> {
    use Element as E;
    let later = letter.stage > 1;
    match letter.kind {
        LetterKind::Acknowledgement | LetterKind::EscalationAcknowledgement => {
            let p = if later { "6.11" } else { "6.2" };
            vec![
                (E::ComplaintDefinition, p),
                (E::OutcomesSought, "5.6"),
                (E::ResponseDate, p),
            ]
        }
        LetterKind::Extension => {
            let (reason, details) = if later {
                ("6.15", "6.16")
            } else {
                ("6.4", "6.5")
            };
            vec![
                (E::ExtensionReason, reason),
                (E::NewResponseDate, reason),
                (E::OmbudsmanDetails, details),
            ]
        }
        LetterKind::StageResponse => {
            let p = if later { "6.19" } else { "6.9" };
            let mut out = vec![
                (E::StageNamed, p),
                (E::ComplaintDefinition, p),
                (E::DecisionPerHead, p),
                (E::Reasons, p),
                (E::Remedy, p),
                (E::CompensationBreakdown, p),
                (E::OutstandingActionDates, "6.6"),
            ];
            if letter.stage < policy.final_stage() {
                out.push((E::EscalationRoute, "6.9"));
            }
            if letter.ombudsman_referral_open {
                out.push((E::OmbudsmanDetails, "6.19"));
            }
            out
        }
        LetterKind::NotAccepted => vec![(E::RefusalReason, "2.4"), (E::OmbudsmanDetails, "2.4")],
        LetterKind::EscalationRefused => {
            vec![(E::RefusalReason, "5.11"), (E::OmbudsmanDetails, "2.4")]
        }
        LetterKind::ContactRestriction => vec![
            (E::RestrictionDescribed, "5.14"),
            (E::RestrictionReviewDate, "5.15"),
            (E::HowToChallenge, "5.15"),
        ],
        LetterKind::Closure | LetterKind::General => Vec::new(),
    }
}

/// See [`Letter::missing`].
pub(super) fn missing(letter: &Letter, policy: &Policy) -> Vec<MissingElement> {
    let kind = letter.kind;
    let empty = Vec::new();
    let waived = policy.letters.waive.get(&kind).unwrap_or(&empty);
    let mut wanted: Vec<(Element, String)> = code_requires(letter, policy)
        .into_iter()
        .filter(|(e, _)| !waived.contains(e))
        .map(|(e, p)| (e, format!("Code {p}")))
        .collect();
    for &e in policy.letters.require.get(&kind).unwrap_or(&empty) {
        if !wanted.iter().any(|(w, _)| *w == e) {
            wanted.push((e, format!("the policy ({})", policy.id)));
        }
    }
    wanted
        .into_iter()
        .filter_map(|(e, provision)| {
            absent(letter, e).map(|message| MissingElement {
                id: e.as_str(),
                message: format!("{message} ({provision})"),
                provision,
            })
        })
        .collect()
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

/// Why the element is absent from the letter, or `None` when present. An element that depends on another
/// (outcomes sought on the heads of a definition) is not reported again when that one is absent.
fn absent(letter: &Letter, element: Element) -> Option<String> {
    use Element as E;
    let response = letter.response.as_ref();
    let say = |s: &str| Some(s.to_owned());
    match element {
        E::ComplaintDefinition => letter
            .definition
            .is_empty()
            .then(|| "The complaint is not defined: record the heads of complaint and the outcomes sought".to_owned()),
        E::OutcomesSought => heads_listed(letter, |i, _| {
            blank(letter.definition[i].outcome_sought.as_deref())
        })
        .map(|heads| format!("The outcome the resident seeks is not recorded for {heads}")),
        E::ResponseDate => letter
            .response_due_on
            .is_none()
            .then(|| "The letter does not say when the response will be sent".to_owned()),
        E::HandlerNamed => blank(letter.handler.as_deref())
            .then(|| "The letter does not name who is handling the complaint: assign an officer".to_owned()),
        E::OmbudsmanDetails => (!letter.ombudsman.as_ref().is_some_and(OmbudsmanContact::reachable))
            .then(|| "The Ombudsman's contact details are not given: the policy names none".to_owned()),
        E::NewResponseDate => letter
            .extension
            .as_ref()
            .and_then(|e| e.new_due_on)
            .is_none()
            .then(|| "The extension's new response date is not given".to_owned()),
        E::ExtensionReason => blank(letter.extension.as_ref().map(|e| e.reason.as_str()))
            .then(|| "The reason for the extension is not given".to_owned()),
        E::StageNamed => blank(Some(&letter.stage_name))
            .then(|| "The letter does not say which stage it is".to_owned()),
        E::DecisionPerHead => undecided_heads(letter)
            .map(|heads| format!("There is no decision on {heads}")),
        E::Reasons => response.and_then(|r| {
            let without: Vec<String> = r
                .decisions
                .iter()
                .filter(|d| blank(d.reasons.as_deref()))
                .map(|d| head_name(d.head, d.summary.as_deref()))
                .collect();
            (!without.is_empty())
                .then(|| format!("No reasons are given for the decision on {}", list(&without)))
        }),
        E::Remedy => response
            .filter(|r| r.finds_fault() && r.remedies.is_empty())
            .and_then(|_| say("The complaint is upheld in part or in full, but no remedy is offered")),
        E::CompensationBreakdown => response.and_then(|r| {
            let unpriced: Vec<&str> = r
                .remedies
                .iter()
                .filter(|m| m.kind == RemedyKind::Compensation && m.amount_pence.is_none())
                .map(|m| m.id.as_str())
                .collect();
            (!unpriced.is_empty()).then(|| {
                format!("No amount is given for the compensation {}", unpriced.join(", "))
            })
        }),
        E::OutstandingActionDates => response.and_then(|r| {
            let undated: Vec<&str> = r
                .outstanding_actions
                .iter()
                .filter(|a| a.due_on.is_none())
                .map(|a| a.id.as_str())
                .collect();
            (!undated.is_empty())
                .then(|| format!("No date is given for the outstanding action {}", undated.join(", ")))
        }),
        E::EscalationRoute => escalation_route_absent(letter),
        E::RefusalReason => blank(letter.refusal.as_ref().and_then(|r| r.explanation.as_deref()))
            .then(|| "The letter does not explain why the ground applies to this complaint".to_owned()),
        E::RestrictionDescribed => blank(letter.restriction.as_ref().map(|r| r.restriction.as_str()))
            .then(|| "The letter does not say what is restricted".to_owned()),
        E::RestrictionReviewDate => letter
            .restriction
            .as_ref()
            .and_then(|r| r.review_on)
            .is_none()
            .then(|| "The letter does not say when the restriction will be reviewed".to_owned()),
        E::HowToChallenge => blank(letter.restriction.as_ref().and_then(|r| r.how_to_challenge.as_deref()))
            .then(|| "The letter does not say how to challenge the restriction: the policy names no one to review it".to_owned()),
        E::Signatory => blank(letter.signatory.as_ref().map(|s| s.name.as_str()))
            .then(|| "The letter is not signed".to_owned()),
        E::Reference => blank(letter.reference.as_deref())
            .then(|| "The letter does not give the complaint's reference".to_owned()),
    }
}

fn escalation_route_absent(letter: &Letter) -> Option<String> {
    match &letter.escalation_route {
        None => {
            Some("The letter does not say how to take the complaint to the next stage".to_owned())
        }
        Some(r) if r.window.is_some() && r.by.is_none() => Some(format!(
            "The letter does not say by when the resident may ask for {}",
            r.stage_name
        )),
        Some(_) => None,
    }
}

/// The heads of the definition without a decision in the response (none when the definition is absent: that
/// is reported on its own).
fn undecided_heads(letter: &Letter) -> Option<String> {
    let decided: Vec<u32> = letter
        .response
        .as_ref()
        .map(|r| r.decisions.iter().map(|d| d.head).collect())
        .unwrap_or_default();
    heads_listed(letter, |i, _| !decided.contains(&(i as u32 + 1)))
}

/// The heads for which `pick` holds, named for a sentence ("head 2 (Repairs to the boiler)"), or `None`.
fn heads_listed(letter: &Letter, pick: impl Fn(usize, &Head) -> bool) -> Option<String> {
    let names: Vec<String> = letter
        .definition
        .iter()
        .enumerate()
        .filter(|(i, h)| pick(*i, h))
        .map(|(i, h)| head_name(i as u32 + 1, Some(&h.summary)))
        .collect();
    (!names.is_empty()).then(|| list(&names))
}

fn head_name(n: u32, summary: Option<&str>) -> String {
    match summary {
        Some(s) => format!("head {n} ({s})"),
        None => format!("head {n}"),
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
