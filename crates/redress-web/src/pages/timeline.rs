//! What happened, in words, for the case file's timeline.

use std::collections::HashMap;

use redress_domain::case::human_date;
use redress_domain::event::{ChallengeOutcome, Event};

use crate::LoadedPolicy;

/// What happened, for the timeline: a headline and its details.
type Description = (String, Vec<String>);

/// What happened, for the timeline. Each group of event kinds is described by its own part; the match
/// here names every kind, so that a new one cannot go undescribed.
pub(crate) fn describe_event(
    e: &Event,
    names: &HashMap<String, String>,
    loaded: &LoadedPolicy,
) -> Description {
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    match e {
        Event::Received { .. }
        | Event::RelationshipRecorded { .. }
        | Event::TimeLimitDiscretionUsed { .. }
        | Event::Classified { .. }
        | Event::Excluded { .. } => describe_intake(e, loaded),
        Event::Acknowledged { .. }
        | Event::Assigned { .. }
        | Event::ComplaintDefined { .. }
        | Event::Extended { .. }
        | Event::AdverseFindingsShared { .. } => describe_handling(e, &name_of),
        Event::Responded { .. } => describe_response(e),
        Event::EscalationRequested { .. }
        | Event::EscalationAccepted { .. }
        | Event::EscalationRefused { .. }
        | Event::ReturnedToStage1 { .. } => describe_escalation(e),
        Event::ResolvedConfirmed { .. }
        | Event::Closed { .. }
        | Event::Reopened { .. }
        | Event::RemedyCompleted { .. } => describe_closing(e),
        Event::IssueMerged { .. }
        | Event::IssueSplitOut { .. }
        | Event::ReferredToOmbudsman { .. }
        | Event::OmbudsmanDetermined { .. } => describe_issue_or_ombudsman(e),
        Event::AdjustmentsRecorded { .. }
        | Event::ContactRestricted { .. }
        | Event::ContactRestrictionChallenged { .. } => describe_support(e, &name_of),
        Event::LetterIssued {
            kind,
            stage,
            channel,
            recipients,
            ..
        } => (
            format!(
                "{} letter (stage {stage}) issued by {}",
                kind.label(),
                channel.label().to_lowercase()
            ),
            recipients.clone(),
        ),
        Event::DocumentAdded {
            name,
            content_type,
            size,
            ..
        } => (
            format!("Document added: {name}"),
            vec![format!(
                "{}, {}",
                redress_domain::documents::by_content_type(content_type)
                    .map_or(content_type.as_str(), |k| k.label),
                human_size(*size)
            )],
        ),
    }
}

/// A size in bytes as people read it: `812 bytes`, `14 KB`, `2.4 MB`.
pub(crate) fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    match bytes {
        b if b < KB => format!("{b} bytes"),
        b if b < MB => format!("{} KB", b.div_ceil(KB)),
        b => format!("{}.{} MB", b / MB, (b % MB) * 10 / MB),
    }
}

/// `describe_event` sends each part only the kinds it names.
fn not_in_group(e: &Event, group: &str) -> ! {
    unreachable!("{} is not described with the {group} events", e.kind())
}

fn describe_intake(e: &Event, loaded: &LoadedPolicy) -> Description {
    match e {
        Event::Received {
            channel,
            relationship,
            tenancy_ended_on,
            matter_arose_on,
            ..
        } => (
            format!("Received by {}", channel.label().to_lowercase()),
            relationship
                .map(|r| format!("From: {}", r.label().to_lowercase()))
                .into_iter()
                .chain(tenancy_ended_on.map(|d| format!("Tenancy ended {}", human_date(d))))
                .chain(matter_arose_on.map(|d| format!("The matter arose {}", human_date(d))))
                .collect(),
        ),
        Event::RelationshipRecorded {
            relationship,
            tenancy_ended_on,
            ..
        } => (
            format!(
                "Complainant recorded as: {}",
                relationship.label().to_lowercase()
            ),
            tenancy_ended_on
                .iter()
                .map(|d| format!("Tenancy ended {}", human_date(*d)))
                .collect(),
        ),
        Event::TimeLimitDiscretionUsed { reason, .. } => (
            "Considered although outside the time limit".into(),
            vec![format!("Why: {reason}")],
        ),
        Event::Classified { feedback_type, .. } => (
            format!(
                "Classified as a {}",
                feedback_type.as_str().replace('_', " ")
            ),
            vec![],
        ),
        Event::Excluded { ground, reason, .. } => (
            "Not accepted".into(),
            vec![
                format!(
                    "Ground: {}",
                    loaded
                        .policy
                        .exclusion(ground)
                        .map_or(ground.clone(), |x| x.text.clone())
                ),
                format!("Why: {reason}"),
            ],
        ),
        other => not_in_group(other, "intake"),
    }
}

fn describe_handling(e: &Event, name_of: &dyn Fn(&str) -> String) -> Description {
    match e {
        Event::Acknowledged { .. } => ("Acknowledged".into(), vec![]),
        Event::Assigned { officer, .. } => (format!("Assigned to {}", name_of(officer)), vec![]),
        Event::ComplaintDefined {
            heads,
            not_responsible_for,
            ..
        } => {
            let mut d: Vec<String> = heads
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    format!(
                        "{}. {}{}",
                        i + 1,
                        h.summary,
                        h.outcome_sought
                            .as_ref()
                            .map(|o| format!(" (outcome sought: {o})"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            d.extend(
                not_responsible_for
                    .iter()
                    .map(|n| format!("Not our responsibility: {n}")),
            );
            ("Complaint defined".into(), d)
        }
        Event::Extended {
            working_days,
            reason,
            resident_agreed,
            ..
        } => (
            format!(
                "Extended by {working_days} working day{}",
                if *working_days == 1 { "" } else { "s" }
            ),
            vec![
                format!("Reason: {reason}"),
                if *resident_agreed {
                    "The resident agreed".into()
                } else {
                    "Without the resident's agreement".into()
                },
            ],
        ),
        Event::AdverseFindingsShared { .. } => (
            "Adverse findings shared with the resident for comment".into(),
            vec![],
        ),
        other => not_in_group(other, "handling"),
    }
}

fn describe_response(e: &Event) -> Description {
    let Event::Responded {
        outcome,
        heads,
        remedies,
        outstanding_actions,
        ..
    } = e
    else {
        not_in_group(e, "response")
    };
    let mut d = Vec::new();
    if let Some(o) = outcome {
        d.push(format!("Outcome: {}", o.phrase()));
    }
    d.extend(
        heads
            .iter()
            .map(|h| format!("Head {}: {}", h.head, h.outcome.phrase())),
    );
    d.extend(
        remedies
            .iter()
            .map(|r| format!("Remedy: {}", r.description)),
    );
    d.extend(
        outstanding_actions
            .iter()
            .map(|a| format!("Outstanding action: {}", a.description)),
    );
    ("Response issued".into(), d)
}

fn describe_escalation(e: &Event) -> Description {
    match e {
        Event::EscalationRequested { reasons, .. } => (
            "Resident asked to escalate".into(),
            reasons.iter().map(|r| format!("Reasons: {r}")).collect(),
        ),
        Event::EscalationAccepted { reason, .. } => (
            "Late request to escalate accepted".into(),
            vec![format!("Why: {reason}")],
        ),
        Event::EscalationRefused {
            ground,
            explanation,
            ..
        } => (
            "Escalation refused".into(),
            vec![format!("Ground: {ground}")]
                .into_iter()
                .chain(explanation.iter().map(|e| format!("Explanation: {e}")))
                .collect(),
        ),
        Event::ReturnedToStage1 { reason, .. } => {
            ("Returned to stage 1".into(), vec![reason.clone()])
        }
        other => not_in_group(other, "escalation"),
    }
}

fn describe_closing(e: &Event) -> Description {
    match e {
        Event::ResolvedConfirmed { .. } => ("The resident confirmed it is resolved".into(), vec![]),
        Event::Closed {
            reason,
            explanation,
            ..
        } => (
            format!("Closed: {}", reason.as_str().replace('_', " ")),
            explanation.iter().cloned().collect(),
        ),
        Event::Reopened { reason, .. } => ("Reopened".into(), vec![reason.clone()]),
        Event::RemedyCompleted { remedy, .. } => (format!("Remedy {remedy} completed"), vec![]),
        other => not_in_group(other, "closing"),
    }
}

fn describe_issue_or_ombudsman(e: &Event) -> Description {
    match e {
        Event::IssueMerged { summary, .. } => ("Issue added".into(), vec![summary.clone()]),
        Event::IssueSplitOut { summary, .. } => ("Issue split out".into(), vec![summary.clone()]),
        Event::ReferredToOmbudsman {
            ombudsman_reference,
            ..
        } => (
            "Referred to the Housing Ombudsman".into(),
            ombudsman_reference
                .iter()
                .map(|r| format!("Ombudsman reference: {r}"))
                .collect(),
        ),
        Event::OmbudsmanDetermined { findings, .. } => (
            "Ombudsman determination".into(),
            findings
                .iter()
                .map(|f| format!("{}: {:?}", f.element, f.finding))
                .collect(),
        ),
        other => not_in_group(other, "issue and Ombudsman"),
    }
}

fn describe_support(e: &Event, name_of: &dyn Fn(&str) -> String) -> Description {
    match e {
        Event::AdjustmentsRecorded {
            needs, adjustments, ..
        } => (
            "Needs and adjustments recorded".into(),
            vec![
                format!("Needs: {needs}"),
                format!("Adjustments: {adjustments}"),
            ],
        ),
        Event::ContactRestricted {
            restriction,
            approved_by,
            review_on,
            ..
        } => (
            "Contact restricted".into(),
            vec![
                restriction.clone(),
                format!(
                    "Approved by {}; review by {}",
                    name_of(approved_by),
                    human_date(*review_on)
                ),
            ],
        ),
        Event::ContactRestrictionChallenged {
            outcome,
            explanation,
            ..
        } => (
            format!(
                "Challenge to the contact restriction reviewed: {}",
                match outcome {
                    ChallengeOutcome::Kept => "it stays",
                    ChallengeOutcome::Varied => "it is changed",
                    ChallengeOutcome::Lifted => "it is lifted",
                }
            ),
            vec![format!("Why: {explanation}")],
        ),
        other => not_in_group(other, "support"),
    }
}
