//! Building a letter's content from the case: which kinds the case can have now, and what each carries.

use super::*;
use crate::case::{RoundStart, State, TrackedRemedy, refuse};
use crate::clock::Clock;
use crate::event::FeedbackType;

/// Whether the case can have a letter of this kind now (see [`Letter::draft`] for the rule per kind).
pub(super) fn kind_allowed(case: &Case, kind: LetterKind) -> Result<(), Refused> {
    let round = case.round();
    let open_complaint = case.feedback_type == FeedbackType::Complaint && !case.state.is_finished();
    match kind {
        LetterKind::Acknowledgement | LetterKind::EscalationAcknowledgement => {
            if !open_complaint {
                return refuse("Only an open complaint is acknowledged");
            }
            let escalated = round.started_by == RoundStart::EscalationRequested;
            if kind == LetterKind::Acknowledgement && escalated {
                return refuse(
                    "The complaint has been escalated: send an escalation acknowledgement instead",
                );
            }
            if kind == LetterKind::EscalationAcknowledgement && !escalated {
                return refuse("The resident has not asked to escalate the complaint");
            }
            if case.state == State::EscalationDecisionNeeded {
                return refuse(
                    "The request to escalate came after the window: accept it (or refuse it) before acknowledging it",
                );
            }
            not_yet_responded(case)
        }
        LetterKind::Extension => {
            if round.extensions.is_empty() {
                return refuse(
                    "No extension is recorded at this stage: record the extension first",
                );
            }
            not_yet_responded(case)
        }
        LetterKind::StageResponse => match round.responded_on {
            Some(_) if case.feedback_type == FeedbackType::Complaint => Ok(()),
            _ => refuse("No response is recorded at this stage: record the response first"),
        },
        LetterKind::NotAccepted => match case.excluded {
            Some(_) => Ok(()),
            None => refuse("The complaint has not been recorded as not accepted"),
        },
        LetterKind::EscalationRefused => match (case.refusals.last(), round.responded_on) {
            (Some(r), Some(responded)) if r.on >= responded => Ok(()),
            _ => refuse("No request to escalate has been refused since this stage's response"),
        },
        LetterKind::Closure => match case.closed {
            Some(_) => Ok(()),
            None => refuse("The case is not closed"),
        },
        LetterKind::ContactRestriction => match case.contact_restriction {
            Some(_) => Ok(()),
            None => refuse("No contact restriction is in force"),
        },
        LetterKind::General => Ok(()),
    }
}

fn not_yet_responded(case: &Case) -> Result<(), Refused> {
    if case.round().responded_on.is_some() {
        return refuse(format!(
            "This stage has already been responded to on {}",
            crate::case::human_date(case.round().responded_on.unwrap_or(case.received_on))
        ));
    }
    Ok(())
}

/// What every letter carries: the stage, its dates and definition, the handler and the Ombudsman's details.
pub(super) fn common(
    case: &Case,
    policy: &Policy,
    calendar: &Calendar,
    kind: LetterKind,
    today: Date,
) -> Letter {
    let round = case.round();
    let clocks = case.deadlines(policy, calendar, today);
    let due = |clock: Clock| {
        clocks
            .iter()
            .rev()
            .find(|d| d.clock == clock)
            .map(|d| d.due_on)
    };
    let previous = case
        .rounds
        .len()
        .checked_sub(2)
        .map(|i| &case.rounds[i])
        .filter(|_| round.started_by == RoundStart::EscalationRequested);
    let definition = round.definition.as_ref();
    Letter {
        kind,
        reference: None,
        date: today,
        received_on: case.received_on,
        stage: round.stage,
        stage_name: policy.stage_name(round.stage),
        final_response: round.stage >= policy.final_stage(),
        stage_started_on: round.started_on,
        acknowledged_on: round.acknowledged_on,
        acknowledgement_due_on: due(Clock::Acknowledge(round.stage)),
        response_due_on: due(Clock::Respond(round.stage)),
        handler: round.assignee.clone().or_else(|| case.assignee.clone()),
        definition: definition.map(|d| d.heads.clone()).unwrap_or_default(),
        not_responsible_for: definition
            .map(|d| d.not_responsible_for.clone())
            .unwrap_or_default(),
        reasons_for_dissatisfaction: previous.and_then(|p| p.escalation_reasons.clone()),
        previous_response_on: previous.and_then(|p| p.responded_on),
        extension: None,
        response: None,
        escalation_route: None,
        ombudsman_referral_open: false,
        ombudsman: (kind != LetterKind::General)
            .then(|| policy.letters.ombudsman.clone())
            .flatten(),
        refusal: None,
        restriction: None,
        closed: case.closed,
        signatory: None,
        paragraphs: Vec::new(),
        written: BTreeMap::new(),
    }
}

/// What the kind adds to the common content.
pub(super) fn fill(letter: &mut Letter, case: &Case, policy: &Policy, calendar: &Calendar) {
    match letter.kind {
        LetterKind::Extension => letter.extension = extension(case, policy, calendar, letter),
        LetterKind::StageResponse => {
            letter.response = response(case, letter);
            next_steps(letter, case, policy, calendar);
        }
        LetterKind::NotAccepted => {
            letter.refusal = case.excluded.as_ref().map(|(on, ground)| RefusalContent {
                on: *on,
                ground: ground.clone(),
                ground_text: policy.exclusion(ground).map(|e| e.text.clone()),
                explanation: case.exclusion_reason.clone(),
            });
            letter.ombudsman_referral_open = true;
        }
        LetterKind::EscalationRefused => {
            letter.refusal = case.refusals.last().map(|r| RefusalContent {
                on: r.on,
                ground: r.ground.clone(),
                ground_text: policy
                    .stage(r.stage)
                    .and_then(|s| s.escalation.as_ref())
                    .and_then(|e| e.refusal_grounds.iter().find(|g| g.id == r.ground))
                    .map(|g| g.text.clone()),
                explanation: r.explanation.clone(),
            });
            letter.ombudsman_referral_open = true;
        }
        LetterKind::ContactRestriction => {
            letter.restriction = case
                .contact_restriction
                .as_ref()
                .map(|r| RestrictionContent {
                    on: r.on,
                    restriction: r.restriction.clone(),
                    review_on: Some(r.review_on),
                    how_to_challenge: how_to_challenge(policy),
                });
        }
        _ => {}
    }
}

/// The latest extension at the stage, with the response date before it and after it (the clock's).
fn extension(
    case: &Case,
    policy: &Policy,
    calendar: &Calendar,
    letter: &Letter,
) -> Option<ExtensionNotice> {
    let round = case.round();
    let latest = round.extensions.last()?;
    let mut before = round.clone();
    before.extensions.pop();
    Some(ExtensionNotice {
        on: latest.on,
        working_days: latest.working_days,
        reason: latest.reason.clone(),
        resident_agreed: latest.resident_agreed,
        previous_due_on: case
            .response_clock(policy, calendar, &before)
            .map(|c| c.due),
        new_due_on: letter.response_due_on,
    })
}

/// The response recorded at the stage: decisions per head (named from the definition), the remedies
/// offered at the stage and the actions still outstanding.
fn response(case: &Case, letter: &Letter) -> Option<ResponseContent> {
    let round = case.round();
    let responded_on = round.responded_on?;
    let decisions = round
        .decisions
        .iter()
        .map(|d| Decision {
            head: d.head,
            summary: usize::try_from(d.head)
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| letter.definition.get(i))
                .map(|h| h.summary.clone()),
            outcome: d.outcome,
            reasons: d.reasons.clone(),
        })
        .collect();
    let at_stage = |r: &&TrackedRemedy| {
        r.stage == round.stage
            && !r.ordered_by_ombudsman
            && r.completed_on.is_none_or(|c| c >= responded_on)
    };
    let line = |r: &TrackedRemedy| RemedyLine {
        id: r.id.clone(),
        kind: r.remedy.kind,
        description: r.remedy.description.clone(),
        amount_pence: r.remedy.amount_pence,
        due_on: r.remedy.due_on,
        completed_on: r.completed_on,
    };
    let (outstanding, offered): (Vec<&TrackedRemedy>, Vec<&TrackedRemedy>) = case
        .remedies
        .iter()
        .filter(at_stage)
        .partition(|r| r.outstanding);
    Some(ResponseContent {
        responded_on,
        outcome: round.outcome,
        decisions,
        remedies: offered.into_iter().map(line).collect(),
        outstanding_actions: outstanding.into_iter().map(line).collect(),
    })
}

/// After a response: the way to the next stage where there is one, and the Ombudsman once the internal
/// process is complete (the policy's last required stage).
fn next_steps(letter: &mut Letter, case: &Case, policy: &Policy, calendar: &Calendar) {
    let stage = letter.stage;
    letter.ombudsman_referral_open = stage >= policy.last_required_stage();
    let Some(next) = policy.stage(stage + 1) else {
        return;
    };
    let rule = next.escalation.as_ref();
    letter.escalation_route = Some(EscalationRoute {
        stage: next.number,
        stage_name: next.name.clone(),
        window: rule.and_then(|e| e.window).map(|w| w.describe()),
        by: case.escalation_window_due(policy, calendar),
        reasons_required: rule.is_some_and(|e| e.reasons_required),
        optional: next.optional,
        handled_by: next.handled_by.clone(),
    });
}

/// How the resident may challenge a restriction: by asking the person the policy names to review it.
fn how_to_challenge(policy: &Policy) -> Option<String> {
    let who = policy
        .roles
        .contact_restrictions_approver
        .as_deref()
        .or(policy.roles.complaints_officer.as_deref())?;
    Some(format!(
        "If you disagree with this restriction, you may ask the {who} to review it."
    ))
}
