//! The fold: how each event changes a case. Events are trusted here; `decide` judges them.

use super::*;
use crate::event::OutstandingAction;

impl Case {
    /// Applies one event. Events are trusted here: [`Case::decide`] is where they are judged.
    pub fn apply(&mut self, ce: &CaseEvent) -> Result<(), FoldError> {
        let on = ce.event.on();
        match &ce.event {
            Event::Received { .. } => return Err(FoldError::ReceivedTwice),
            Event::Classified {
                feedback_type,
                raised_on,
                ..
            } => self.reclassify(*feedback_type, *raised_on),
            Event::Excluded { ground, reason, .. } => {
                self.excluded = Some((on, ground.clone()));
                self.exclusion_reason = Some(reason.clone());
                self.state = State::NotAccepted;
            }
            Event::Acknowledged { .. } => {
                // Acknowledging is administrative: it does not make the officer a handler of the stage.
                self.round_mut().acknowledged_on = Some(on);
                self.state = State::Investigating;
            }
            Event::Assigned { officer, .. } => {
                self.assignee = Some(officer.clone());
                self.round_mut().assignee = Some(officer.clone());
            }
            Event::ComplaintDefined {
                heads,
                not_responsible_for,
                ..
            } => self.define(on, heads, not_responsible_for),
            Event::Extended {
                working_days,
                reason,
                resident_agreed,
                ..
            } => self.extend(on, *working_days, reason, *resident_agreed),
            Event::AdverseFindingsShared { .. } => {
                self.round_mut().adverse_findings_shared_on = Some(on)
            }
            Event::Responded {
                outcome,
                heads,
                remedies,
                outstanding_actions,
                ..
            } => self.record_response(
                on,
                ce.by.as_deref(),
                outcome.or_else(|| derive_outcome(heads.iter().map(|h| h.outcome))),
                heads,
                remedies,
                outstanding_actions,
            ),
            Event::EscalationRequested {
                reasons,
                out_of_time,
                ..
            } => self.request_escalation(on, reasons.clone(), *out_of_time),
            Event::EscalationRefused {
                ground,
                explanation,
                ..
            } => self.refuse_escalation(on, ground, explanation.clone()),
            Event::ResolvedConfirmed { .. } => self.resolved_confirmed_on = Some(on),
            Event::Closed { reason, .. } => {
                self.state_before_close = Some(self.state);
                self.closed = Some((on, *reason));
                self.state = State::Closed;
            }
            Event::Reopened { .. } => {
                self.state = self
                    .state_before_close
                    .take()
                    .unwrap_or(State::Investigating);
                self.closed = None;
                self.reopened += 1;
            }
            Event::ReturnedToStage1 { .. } => {
                self.rounds
                    .push(Round::new(1, RoundStart::ReturnedToStage1, on));
                self.state = State::AwaitingAcknowledgement;
            }
            Event::EscalationAccepted { .. } => {
                self.round_mut().late_request_accepted_on = Some(on);
                self.state = State::AwaitingAcknowledgement;
            }
            record @ (Event::IssueMerged { .. }
            | Event::IssueSplitOut { .. }
            | Event::ReferredToOmbudsman { .. }
            | Event::OmbudsmanDetermined { .. }
            | Event::AdjustmentsRecorded { .. }
            | Event::ContactRestricted { .. }
            | Event::ContactRestrictionChallenged { .. }
            | Event::RemedyCompleted { .. }
            | Event::RelationshipRecorded { .. }
            | Event::TimeLimitDiscretionUsed { .. }
            | Event::LetterIssued { .. }
            | Event::DocumentAdded { .. }) => self.apply_record(on, record),
        }
        self.last_event_on = self.last_event_on.max(on);
        self.events += 1;
        Ok(())
    }

    /// The events that record something beside the stages: they never move the case's state.
    fn apply_record(&mut self, on: Date, event: &Event) {
        match event {
            Event::IssueMerged { summary, .. } => self.merged_issues.push(summary.clone()),
            Event::IssueSplitOut { summary, .. } => self.split_issues.push(summary.clone()),
            Event::ReferredToOmbudsman {
                ombudsman_reference,
                ..
            } => {
                self.ombudsman = Some(OmbudsmanRecord {
                    referred_on: on,
                    reference: ombudsman_reference.clone(),
                    determined_on: None,
                    findings: Vec::new(),
                })
            }
            Event::OmbudsmanDetermined {
                findings, orders, ..
            } => {
                if let Some(o) = &mut self.ombudsman {
                    o.determined_on = Some(on);
                    o.findings = findings.clone();
                }
                for r in orders {
                    self.track(0, true, r.clone());
                }
            }
            Event::AdjustmentsRecorded {
                needs,
                adjustments,
                review_on,
                ..
            } => {
                self.adjustments = Some(Adjustments {
                    recorded_on: on,
                    needs: needs.clone(),
                    adjustments: adjustments.clone(),
                    review_on: *review_on,
                })
            }
            Event::ContactRestricted {
                restriction,
                approved_by,
                review_on,
                ..
            } => {
                self.contact_restriction = Some(ContactRestriction {
                    on,
                    restriction: restriction.clone(),
                    approved_by: approved_by.clone(),
                    review_on: *review_on,
                })
            }
            Event::ContactRestrictionChallenged { outcome, .. } => {
                self.restriction_challenge = Some(RestrictionChallenge {
                    on,
                    outcome: *outcome,
                });
                if *outcome == ChallengeOutcome::Lifted {
                    self.contact_restriction = None;
                }
            }
            Event::RemedyCompleted { remedy, .. } => {
                if let Some(r) = self.remedies.iter_mut().find(|r| &r.id == remedy) {
                    r.completed_on = Some(on);
                }
            }
            Event::RelationshipRecorded {
                relationship,
                tenancy_ended_on,
                ..
            } => {
                self.relationship = Some(*relationship);
                self.tenancy_ended_on = *tenancy_ended_on;
            }
            Event::TimeLimitDiscretionUsed { .. } => self.time_limit_discretion_on = Some(on),
            Event::LetterIssued {
                letter,
                kind,
                stage,
                channel,
                document,
                ..
            } => {
                self.link_letter(letter, *kind);
                self.letters.push(IssuedLetter {
                    on,
                    letter: letter.clone(),
                    kind: *kind,
                    stage: *stage,
                    channel: *channel,
                    document: document.clone(),
                });
            }
            Event::DocumentAdded {
                document,
                sha256,
                name,
                content_type,
                size,
                ..
            } => self.documents.push(AddedDocument {
                on,
                document: document.clone(),
                sha256: sha256.clone(),
                name: name.clone(),
                content_type: content_type.clone(),
                size: *size,
            }),
            // `apply` routes only the events above here, and names each, so a new kind cannot be missed.
            _ => {}
        }
    }

    fn reclassify(&mut self, feedback_type: FeedbackType, raised_on: Option<Date>) {
        let was = self.feedback_type;
        self.feedback_type = feedback_type;
        match feedback_type {
            FeedbackType::Complaint => {
                if was != FeedbackType::Complaint {
                    self.become_complaint(raised_on);
                }
            }
            FeedbackType::ServiceRequest => {
                if self.service_request.is_none() {
                    self.service_request = Some(ServiceRequestRecord {
                        started_on: self.received_on,
                        responded_on: None,
                        agreed_extra_working_days: 0,
                    });
                }
                self.state = State::Open;
            }
            FeedbackType::Comment | FeedbackType::Compliment => self.state = State::Open,
        }
    }

    /// The first definition of a round is recorded; a later one amends it, keeping the day first recorded.
    fn define(&mut self, on: Date, heads: &[Head], not_responsible_for: &[String]) {
        let round = self.round_mut();
        match &mut round.definition {
            Some(d) => {
                d.amended_on = Some(on);
                d.heads = heads.to_vec();
                d.not_responsible_for = not_responsible_for.to_vec();
            }
            None => {
                round.definition = Some(Definition {
                    recorded_on: on,
                    amended_on: None,
                    heads: heads.to_vec(),
                    not_responsible_for: not_responsible_for.to_vec(),
                })
            }
        }
    }

    /// A response or extension letter is linked to the step it tells the resident of: the stage's response,
    /// or its latest extension not yet told in a letter.
    fn link_letter(&mut self, letter: &str, kind: crate::letters::LetterKind) {
        use crate::letters::LetterKind;
        let round = self.round_mut();
        match kind {
            LetterKind::StageResponse if round.responded_on.is_some() => {
                round
                    .response_letter
                    .get_or_insert_with(|| letter.to_owned());
            }
            LetterKind::Extension => {
                if let Some(e) = round
                    .extensions
                    .iter_mut()
                    .rev()
                    .find(|e| e.letter.is_none())
                {
                    e.letter = Some(letter.to_owned());
                }
            }
            _ => {}
        }
    }

    /// A service request's extra time moves its reply; anything else extends the current stage's response.
    fn extend(&mut self, on: Date, working_days: u32, reason: &str, resident_agreed: bool) {
        match (&mut self.service_request, self.feedback_type) {
            (Some(sr), FeedbackType::ServiceRequest) => {
                sr.agreed_extra_working_days =
                    sr.agreed_extra_working_days.saturating_add(working_days);
            }
            _ => self.round_mut().extensions.push(ExtensionRecord {
                on,
                working_days,
                reason: reason.to_owned(),
                resident_agreed,
                letter: None,
            }),
        }
    }

    fn record_response(
        &mut self,
        on: Date,
        by: Option<&str>,
        outcome: Option<Outcome>,
        decisions: &[HeadOutcome],
        remedies: &[Remedy],
        outstanding_actions: &[OutstandingAction],
    ) {
        if self.feedback_type == FeedbackType::ServiceRequest {
            if let Some(sr) = &mut self.service_request {
                sr.responded_on = Some(on);
            }
            return;
        }
        let stage = self.stage();
        let round = self.round_mut();
        round.responded_on = Some(on);
        round.outcome = outcome;
        round.decisions = decisions.to_vec();
        round.decided_by = round.assignee.clone().or_else(|| by.map(str::to_owned));
        self.state = State::Responded;
        for r in remedies {
            self.track(stage, false, r.clone());
        }
        for a in outstanding_actions {
            self.track_as(
                stage,
                false,
                Remedy {
                    kind: RemedyKind::Action,
                    description: a.description.clone(),
                    amount_pence: None,
                    due_on: a.due_on,
                },
                true,
            );
        }
    }

    /// A request to escalate opens the next stage's round, awaiting acknowledgement or, when late, a
    /// decision on whether to accept it.
    fn request_escalation(&mut self, on: Date, reasons: Option<String>, out_of_time: bool) {
        let next = self.stage() + 1;
        let round = self.round_mut();
        round.escalation_requested_on = Some(on);
        round.escalation_reasons = reasons;
        let mut new_round = Round::new(next, RoundStart::EscalationRequested, on);
        new_round.requested_out_of_time = out_of_time;
        self.rounds.push(new_round);
        self.state = if out_of_time {
            State::EscalationDecisionNeeded
        } else {
            State::AwaitingAcknowledgement
        };
        self.closed = None;
        self.state_before_close = None;
    }

    /// A refused request withdraws the round it opened, so the case stands where the response left it.
    fn refuse_escalation(&mut self, on: Date, ground: &str, explanation: Option<String>) {
        let refused_stage = self.stage();
        if self.round().acknowledged_on.is_none()
            && self.round().started_by == RoundStart::EscalationRequested
            && self.rounds.len() > 1
        {
            self.rounds.pop();
            self.state = State::Responded;
        }
        self.refusals.push(Refusal {
            on,
            stage: refused_stage,
            ground: ground.to_owned(),
            explanation,
        });
    }

    /// A service request, comment or compliment becomes a complaint. Newly raised on a given day
    /// (dissatisfaction with a service request, Code 1.5), it starts afresh from that day; otherwise it keeps
    /// its original receipt and whatever its stage had reached.
    fn become_complaint(&mut self, raised_on: Option<Date>) {
        let round = self.round_mut();
        if let Some(raised) = raised_on {
            *round = Round::new(1, RoundStart::Received, raised);
        }
        self.state = if round.responded_on.is_some() {
            State::Responded
        } else if round.acknowledged_on.is_some() {
            State::Investigating
        } else {
            State::AwaitingAcknowledgement
        };
    }

    fn track(&mut self, stage: u8, ordered_by_ombudsman: bool, remedy: Remedy) {
        self.track_as(stage, ordered_by_ombudsman, remedy, false);
    }

    fn track_as(
        &mut self,
        stage: u8,
        ordered_by_ombudsman: bool,
        remedy: Remedy,
        outstanding: bool,
    ) {
        let id = format!("R{}", self.remedies.len() + 1);
        self.remedies.push(TrackedRemedy {
            id,
            stage,
            ordered_by_ombudsman,
            remedy,
            outstanding,
            completed_on: None,
        });
    }
}

fn derive_outcome(outcomes: impl Iterator<Item = Outcome>) -> Option<Outcome> {
    let mut upheld = 0;
    let mut not = 0;
    let mut partly = 0;
    for o in outcomes {
        match o {
            Outcome::Upheld => upheld += 1,
            Outcome::NotUpheld => not += 1,
            Outcome::PartlyUpheld => partly += 1,
        }
    }
    match (upheld, partly, not) {
        (0, 0, 0) => None,
        (_, 0, 0) => Some(Outcome::Upheld),
        (0, 0, _) => Some(Outcome::NotUpheld),
        _ => Some(Outcome::PartlyUpheld),
    }
}
