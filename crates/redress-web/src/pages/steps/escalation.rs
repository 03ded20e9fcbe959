//! The steps of escalation: the resident's request, refusing it on a published ground, and accepting a
//! late one.

use redress_domain::event::Event;
use redress_domain::steps::StepLimits;

use super::StepPage;
use super::fields::with_options;
use super::parse::{optional, text};
use crate::pages::intake::truncate;

pub(super) const ESCALATE: StepPage = StepPage {
    title: |c, _| {
        let next = c
            .policy
            .stage(c.case.stage() + 1)
            .map_or_else(|| "the next stage".to_owned(), |s| s.name.clone());
        format!("The resident asks for {next}")
    },
    hint: |_, _| {
        Some("The resident does not have to give reasons (Code 6.12); record any they give.".into())
    },
    fields: |c, _| vec![c.field("reasons", "Reasons given (optional)", "textarea")],
    button: "Record the request",
    done: "The resident's request to escalate has been recorded.",
    warning: false,
    parse: |on, values, _| {
        Some(Event::EscalationRequested {
            on,
            reasons: optional(text(values, "reasons")),
            out_of_time: false,
        })
    },
};

pub(super) const REFUSE_ESCALATION: StepPage = StepPage {
    title: |_, _| "Refuse the escalation".into(),
    hint: |_, _| {
        Some("Only on a ground the policy publishes. The resident will be told why and of their right to go to the Ombudsman.".into())
    },
    fields: |c, limits| {
        let grounds = match limits {
            StepLimits::RefuseEscalation(r) => r
                .grounds
                .iter()
                .map(|g| (g.id.clone(), truncate(&g.text, 80)))
                .collect(),
            _ => Vec::new(),
        };
        vec![
            with_options(c.field("ground", "Ground", "select"), grounds),
            c.field("explanation", "Explanation for the resident", "textarea"),
        ]
    },
    button: "Refuse",
    done: "The refusal to escalate has been recorded.",
    warning: true,
    parse: |on, values, _| {
        Some(Event::EscalationRefused {
            on,
            ground: text(values, "ground"),
            explanation: optional(text(values, "explanation")),
        })
    },
};

pub(super) const ACCEPT_ESCALATION: StepPage = StepPage {
    title: |c, _| format!("Accept the late request for {}", c.stage_name()),
    hint: |_, _| {
        Some(
            "The request came after the window closed. Accepting it uses discretion: say why."
                .into(),
        )
    },
    fields: |c, _| vec![c.field("reason", "Why the late request is accepted", "textarea")],
    button: "Accept the request",
    done: "The late request has been accepted.",
    warning: false,
    parse: |on, values, _| {
        Some(Event::EscalationAccepted {
            on,
            reason: text(values, "reason"),
        })
    },
};
