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
        out.extend(self.service_request_clock(policy, calendar, as_of));
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
            if let Some(stage) = policy.stage(round.stage) {
                let at = RoundAt {
                    round,
                    stage,
                    current: i == last,
                };
                self.round_clocks(policy, calendar, as_of, at, &mut out);
            }
        }
        if self.feedback_type != FeedbackType::Complaint {
            // A complaint's clocks run only while the case is a complaint.
            out.retain(|d| d.clock == Clock::ServiceRequestResponse || d.met_on.is_some());
        }
        out
    }

    /// The reply to a service request, while it is one or once it has been answered.
    fn service_request_clock(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        as_of: Date,
    ) -> Option<Deadline> {
        let sr = self.service_request?;
        let window = policy.feedback.service_request_response?;
        let (base, due) = service_request_due(sr, window, calendar)?;
        // An answered reply stays on record; an unanswered one runs only while the case is an open request.
        let running =
            self.feedback_type == FeedbackType::ServiceRequest && !self.state.is_finished();
        if sr.responded_on.is_none() && !running {
            return None;
        }
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
        Some(Deadline {
            clock: Clock::ServiceRequestResponse,
            kind: ClockKind::Duty,
            due_on: due,
            original_due_on: (due != base).then_some(base),
            met_on: sr.responded_on,
            status: status(due, sr.responded_on, as_of),
            explanation,
        })
    }

    /// A round's clocks: its acknowledgement and response, the resident's window to escalate from its
    /// response, and the auto-close after it.
    fn round_clocks(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        as_of: Date,
        at: RoundAt<'_>,
        out: &mut Vec<Deadline>,
    ) {
        let RoundAt {
            round,
            stage,
            current,
        } = at;
        let finished = self.state.is_finished();
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
                    round_start_phrase(round),
                    round.started_on,
                    due,
                ),
            });
        }
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
        out.extend(self.escalation_window(policy, calendar, as_of, at));
        if current {
            out.extend(self.auto_close_clock(policy, calendar, as_of, at));
        }
    }

    /// The resident's window to escalate from a round's response: shown on the current round, and on an
    /// earlier one whose window was used (asked or refused).
    fn escalation_window(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        as_of: Date,
        at: RoundAt<'_>,
    ) -> Option<Deadline> {
        let round = at.round;
        let responded = round.responded_on?;
        let next = policy.stage(round.stage + 1)?;
        let window = next.escalation.as_ref().and_then(|e| e.window)?;
        let due = window.after(calendar, responded).ok()?;
        let refused_after = self
            .refusals
            .iter()
            .any(|r| r.on >= responded && r.stage == round.stage + 1);
        let met = round.escalation_requested_on;
        if !(at.current || met.is_some() || refused_after) {
            return None;
        }
        Some(Deadline {
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
                    &format!("the {} response", at.stage.name),
                    responded,
                    due
                ),
                next.name
            ),
        })
    }

    /// Auto-close after the outcome when the resident does not reply: while the case stands responded, or
    /// once it has closed.
    fn auto_close_clock(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        as_of: Date,
        at: RoundAt<'_>,
    ) -> Option<Deadline> {
        let responded = at.round.responded_on?;
        let ac = policy.auto_close?;
        let closed_on = self.closed.map(|(d, _)| d);
        let due = calendar
            .add_working_days(responded, ac.after_working_days)
            .ok()?;
        if !(self.state == State::Responded || closed_on.is_some()) {
            return None;
        }
        Some(Deadline {
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
                    &format!("the {} response", at.stage.name),
                    responded,
                    due
                )
            ),
        })
    }
}

/// A round with its stage under the policy, and whether it is the case's current round.
#[derive(Clone, Copy)]
struct RoundAt<'a> {
    round: &'a Round,
    stage: &'a crate::policy::Stage,
    current: bool,
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
