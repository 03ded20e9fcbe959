//! What the Code expects that has not been done: told to officers, never blocking.

use super::*;

impl Case {
    /// What the Code expects that has not been done, as of `as_of`.
    pub fn warnings(&self, policy: &Policy, calendar: &Calendar, as_of: Date) -> Vec<Warning> {
        let mut out = Vec::new();
        if self.feedback_type != FeedbackType::Complaint || self.state == State::NotAccepted {
            return out;
        }
        let round = self.round();
        let stage_name = policy.stage_name(round.stage);
        let open = !self.state.is_finished();
        if open
            && round.acknowledged_on.is_some()
            && round.responded_on.is_none()
            && round.definition.is_none()
        {
            out.push(Warning {
                code: "no_complaint_definition",
                provision: "5.6",
                message: format!(
                    "No complaint definition is recorded for {stage_name}: set out the heads of complaint and the outcomes the resident seeks, and ask the resident to clarify anything unclear"
                ),
            });
        }
        self.intake_warnings(policy, &mut out);
        self.round_warnings(policy, &mut out);
        self.letter_warnings(policy, &mut out);
        self.clock_warnings(policy, calendar, as_of, &mut out);
        for t in &self.remedies {
            if t.completed_on.is_none() && t.remedy.due_on.is_some_and(|due| due < as_of) {
                out.push(Warning {
                    code: "remedy_overdue",
                    provision: "7.3",
                    message: format!(
                        "Remedy {} ({}) was due on {} and is not recorded as done",
                        t.id,
                        t.remedy.description,
                        t.remedy.due_on.map(human_date).unwrap_or_default()
                    ),
                });
            }
        }
        out
    }

    /// Who is complaining, the time limit and who handles it: settled at intake, and asked while open.
    fn intake_warnings(&self, policy: &Policy, out: &mut Vec<Warning>) {
        let open = !self.state.is_finished();
        if open && self.relationship.is_none() {
            out.push(Warning {
                code: "relationship_not_recorded",
                provision: "1.2",
                message: "Who is complaining (tenant, leaseholder, representative…) is not recorded, so the policy's rules on who may complain have not been applied".into(),
            });
        }
        if open
            && self.time_limit_discretion_on.is_none()
            && let (Some(last_day), Some(arose)) =
                (self.outside_time_limit(policy), self.matter_arose_on)
        {
            out.push(Warning {
                code: "outside_time_limit",
                provision: "2.3",
                message: format!(
                    "The matter arose on {}, and the policy's time limit ended on {}: decide whether to consider it, using discretion for good reason, or not to accept it on the time-limit ground",
                    human_date(arose),
                    human_date(last_day)
                ),
            });
        }
        if open && self.assignee.is_none() {
            out.push(Warning {
                code: "not_assigned",
                provision: "4.1",
                message: "No officer is assigned to this complaint".into(),
            });
        }
    }

    /// What each stage's response and each request to escalate left undone.
    fn round_warnings(&self, policy: &Policy, out: &mut Vec<Warning>) {
        let open = !self.state.is_finished();
        for r in &self.rounds {
            if matches!(r.outcome, Some(Outcome::Upheld | Outcome::PartlyUpheld))
                && !self
                    .remedies
                    .iter()
                    .any(|t| t.stage == r.stage && !t.ordered_by_ombudsman)
            {
                out.push(Warning {
                    code: "upheld_without_remedy",
                    provision: "7.1",
                    message: format!(
                        "The {} complaint was {} but no remedy is recorded: set out what will be done to put things right",
                        policy.stage_name(r.stage),
                        r.outcome.map(Outcome::phrase).unwrap_or_default()
                    ),
                });
            }
        }
        for r in &self.rounds {
            let decided = |requested: Date| {
                self.refusals
                    .iter()
                    .any(|x| x.stage == r.stage + 1 && x.on >= requested)
            };
            if open
                && r.escalation_requested_on.is_some_and(|d| !decided(d))
                && policy
                    .stage(r.stage + 1)
                    .and_then(|s| s.escalation.as_ref())
                    .is_some_and(|e| e.reasons_required)
                && r.escalation_reasons
                    .as_deref()
                    .is_none_or(|s| s.trim().is_empty())
            {
                out.push(Warning {
                    code: "escalation_without_reasons",
                    provision: "6.12",
                    message: "The policy asks for reasons to escalate, but the Code does not allow requiring them (6.12): a request without reasons still stands; make reasonable efforts to understand why the resident is unhappy".into(),
                });
            }
        }
    }

    /// A response or extension recorded without a letter issued for it (one sent outside Redress): the Code
    /// wants both in writing, so the record should hold the letter.
    fn letter_warnings(&self, policy: &Policy, out: &mut Vec<Warning>) {
        for r in &self.rounds {
            let stage_name = policy.stage_name(r.stage);
            let later = r.stage > 1;
            if let (Some(on), None) = (r.responded_on, &r.response_letter) {
                out.push(Warning {
                    code: "response_letter_not_issued",
                    provision: if later { "6.19" } else { "6.9" },
                    message: format!(
                        "The {stage_name} response recorded on {} has no letter issued for it: issue the response letter from the case file",
                        human_date(on)
                    ),
                });
            }
            for e in r.extensions.iter().filter(|e| e.letter.is_none()) {
                out.push(Warning {
                    code: "extension_letter_not_issued",
                    provision: if later { "6.15" } else { "6.4" },
                    message: format!(
                        "The {stage_name} extension recorded on {} has no letter issued for it: issue the extension letter from the case file",
                        human_date(e.on)
                    ),
                });
            }
        }
    }

    /// Duties overdue, and a late request to escalate awaiting its decision.
    fn clock_warnings(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        as_of: Date,
        out: &mut Vec<Warning>,
    ) {
        let stage_name = policy.stage_name(self.stage());
        for d in self.deadlines(policy, calendar, as_of) {
            match (d.kind, d.status) {
                (ClockKind::Duty, ClockStatus::Overdue) => out.push(Warning {
                    code: "overdue",
                    provision: "6",
                    message: format!(
                        "{} was due on {} and is overdue",
                        d.clock.subject(policy),
                        human_date(d.due_on)
                    ),
                }),
                (ClockKind::Window, ClockStatus::MetLate)
                    if self.state == State::EscalationDecisionNeeded =>
                {
                    out.push(Warning {
                        code: "late_escalation_request",
                        provision: "5.11",
                        message: format!(
                            "The request for {stage_name} came after the window closed on {}: decide whether to accept it, using discretion, or to refuse it on one of the policy's published grounds, before the acknowledgement is due",
                            human_date(d.due_on)
                        ),
                    })
                }
                _ => {}
            }
        }
    }
}
