//! A case's clocks: when each duty and window falls due, and how that was worked out.

use super::*;

impl Case {
    /// The response clock of a round under the policy: where it starts, its due date before and after
    /// extensions, and how that was worked out.
    pub(crate) fn response_clock(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        round: &Round,
    ) -> Option<ResponseClock> {
        let stage = policy.stage(round.stage)?;
        let ack_due = stage
            .acknowledge
            .period
            .after(calendar, round.started_on)
            .ok();
        let mut note = String::new();
        let (start, phrase) = match stage.respond.from {
            ClockStart::Acknowledged => match (round.acknowledged_on, ack_due) {
                (Some(ack), Some(due))
                    if ack > due
                        && policy.response_clock_after_late_acknowledgement
                            == LateAcknowledgement::DueDate =>
                {
                    note = format!(
                        "; acknowledged late on {}, which does not move the response date",
                        human_date(ack)
                    );
                    (due, "the acknowledgement due date")
                }
                (Some(ack), _) => (ack, "acknowledgement"),
                (None, Some(due)) => (
                    due,
                    "acknowledgement, not yet recorded, so counted from the acknowledgement due date",
                ),
                (None, None) => return None,
            },
            _ => (round.started_on, round_start_phrase(round)),
        };
        let base = stage.respond.period.after(calendar, start).ok()?;
        let mut explanation = explain(calendar, stage.respond.period, phrase, start, base);
        explanation.push_str(&note);
        let mut due = base;
        for ext in &round.extensions {
            if let Ok(d) = calendar.add_working_days(due, ext.working_days) {
                use std::fmt::Write;
                let _ = write!(
                    explanation,
                    "; extended on {} by {} working day{}{} to {}",
                    Iso(ext.on),
                    ext.working_days,
                    if ext.working_days == 1 { "" } else { "s" },
                    if ext.resident_agreed {
                        " with the resident's agreement"
                    } else {
                        ""
                    },
                    Iso(d)
                );
                let skipped = calendar.skipped_weekdays(due, d);
                if !skipped.is_empty() {
                    explanation.push_str(", skipping ");
                    write_day_list(&mut explanation, &skipped);
                }
                due = d;
            }
        }
        Some(ResponseClock {
            base,
            due,
            explanation,
        })
    }

    /// Every clock of the case under `policy` and `calendar`, with its status as of `as_of`.
    ///
    /// Clocks of a finished case that were never met are dropped (they stopped); a resident's escalation
    /// window stays while it runs.
    pub fn deadlines(&self, policy: &Policy, calendar: &Calendar, as_of: Date) -> Vec<Deadline> {
        let mut out = Vec::with_capacity(8);
        let finished = self.state.is_finished();

        let is_service_request = self.feedback_type == FeedbackType::ServiceRequest;
        if let (Some(sr), Some(window)) = (
            self.service_request,
            policy.feedback.service_request_response,
        ) && let Some((base, due)) = service_request_due(sr, window, calendar)
            && (sr.responded_on.is_some() || (is_service_request && !finished))
        {
            let mut explanation = explain(calendar, window, "the request", sr.started_on, base);
            if due != base {
                use std::fmt::Write;
                let _ = write!(
                    explanation,
                    "; {} more working day{} agreed with the resident, to {}",
                    sr.agreed_extra_working_days,
                    if sr.agreed_extra_working_days == 1 {
                        ""
                    } else {
                        "s"
                    },
                    Iso(due)
                );
            }
            out.push(Deadline {
                clock: Clock::ServiceRequestResponse,
                kind: ClockKind::Duty,
                due_on: due,
                original_due_on: (due != base).then_some(base),
                met_on: sr.responded_on,
                status: status(due, sr.responded_on, as_of),
                explanation,
            });
        }
        if self.feedback_type != FeedbackType::Complaint && self.service_request.is_none() {
            return out;
        }
        if self.feedback_type != FeedbackType::Complaint
            && self.rounds.iter().all(|r| r.acknowledged_on.is_none())
        {
            return out;
        }

        let last = self.rounds.len() - 1;
        for (i, round) in self.rounds.iter().enumerate() {
            let Some(stage) = policy.stage(round.stage) else {
                continue;
            };
            let start_phrase = round_start_phrase(round);
            let current = i == last;
            // Acknowledgement.
            let ack_due = stage
                .acknowledge
                .period
                .after(calendar, round.started_on)
                .ok();
            if let Some(due) = ack_due
                && !(finished && round.acknowledged_on.is_none())
                && (current || round.acknowledged_on.is_some())
            {
                out.push(Deadline {
                    clock: Clock::Acknowledge(round.stage),
                    kind: ClockKind::Duty,
                    due_on: due,
                    original_due_on: None,
                    met_on: round.acknowledged_on,
                    status: status(due, round.acknowledged_on, as_of),
                    explanation: explain(
                        calendar,
                        stage.acknowledge.period,
                        start_phrase,
                        round.started_on,
                        due,
                    ),
                });
            }
            // Response.
            let unmet_stopped = round.responded_on.is_none() && (finished || !current);
            if !unmet_stopped && let Some(clock) = self.response_clock(policy, calendar, round) {
                out.push(Deadline {
                    clock: Clock::Respond(round.stage),
                    kind: ClockKind::Duty,
                    due_on: clock.due,
                    original_due_on: (clock.due != clock.base).then_some(clock.base),
                    met_on: round.responded_on,
                    status: status(clock.due, round.responded_on, as_of),
                    explanation: clock.explanation,
                });
            }
            // The resident's window to escalate from this round's response.
            if let (Some(responded), Some(next)) =
                (round.responded_on, policy.stage(round.stage + 1))
                && let Some(window) = next.escalation.as_ref().and_then(|e| e.window)
                && let Ok(due) = window.after(calendar, responded)
            {
                let refused_after = self
                    .refusals
                    .iter()
                    .any(|r| r.on >= responded && r.stage == round.stage + 1);
                let met = round.escalation_requested_on;
                if current || met.is_some() || refused_after {
                    out.push(Deadline {
                        clock: Clock::EscalationWindow,
                        kind: ClockKind::Window,
                        due_on: due,
                        original_due_on: None,
                        met_on: met,
                        status: status(due, met, as_of),
                        explanation: format!(
                            "{}; the resident may ask for {} until then",
                            explain(
                                calendar,
                                window,
                                &format!("the {} response", stage.name),
                                responded,
                                due
                            ),
                            next.name
                        ),
                    });
                }
            }
            // Auto-close after the outcome when the resident does not reply.
            if current
                && round.responded_on.is_some()
                && let (Some(ac), Some(responded)) = (policy.auto_close, round.responded_on)
            {
                let closed_on = self.closed.map(|(d, _)| d);
                if let Ok(due) = calendar.add_working_days(responded, ac.after_working_days)
                    && (self.state == State::Responded || closed_on.is_some())
                {
                    out.push(Deadline {
                        clock: Clock::AutoClose,
                        kind: ClockKind::Duty,
                        due_on: due,
                        original_due_on: None,
                        met_on: closed_on,
                        status: status(due, closed_on, as_of),
                        explanation: format!(
                            "{}; close the case then if the resident has not replied",
                            explain(
                                calendar,
                                Period::WorkingDays(ac.after_working_days),
                                &format!("the {} response", stage.name),
                                responded,
                                due
                            )
                        ),
                    });
                }
            }
        }
        if self.feedback_type != FeedbackType::Complaint {
            // A complaint's clocks run only while the case is a complaint.
            out.retain(|d| d.clock == Clock::ServiceRequestResponse || d.met_on.is_some());
        }
        out
    }
}

/// What started a round, as the explanations say it.
fn round_start_phrase(round: &Round) -> &'static str {
    match round.started_by {
        RoundStart::Received => "receipt",
        RoundStart::EscalationRequested => "the escalation request",
        RoundStart::ReturnedToStage1 => "the return to stage 1",
    }
}

/// A round's response clock (see [`Case::deadlines`]).
pub(crate) struct ResponseClock {
    /// Due before extensions.
    pub(crate) base: Date,
    /// Due after extensions.
    pub(crate) due: Date,
    /// How it was worked out.
    pub(crate) explanation: String,
}

/// When a service request's reply is due: before and after the extra time the resident agreed.
pub(crate) fn service_request_due(
    sr: ServiceRequestRecord,
    window: Period,
    calendar: &Calendar,
) -> Option<(Date, Date)> {
    let base = window.after(calendar, sr.started_on).ok()?;
    if sr.agreed_extra_working_days == 0 {
        return Some((base, base));
    }
    let due = calendar
        .add_working_days(base, sr.agreed_extra_working_days)
        .ok()?;
    Some((base, due))
}

/// "10 working days after acknowledgement on 2025-12-23; skips 25, 26 Dec, 1 Jan".
fn explain(calendar: &Calendar, period: Period, phrase: &str, start: Date, due: Date) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(96);
    let _ = write!(s, "{} after {phrase} on {}", period.describe(), Iso(start));
    if let Period::WorkingDays(_) = period {
        if let Ok(effective) = calendar.effective_start(start)
            && effective != start
        {
            let _ = write!(
                s,
                " (not a working day, so counted from {})",
                human_date(effective)
            );
        }
        let skipped = calendar.skipped_weekdays(start, due);
        if !skipped.is_empty() {
            s.push_str("; skips ");
            write_day_list(&mut s, &skipped);
        }
    }
    s
}
