//! A case's state: the fold of its events, the decisions on what may happen next, and its clocks.
//!
//! - [`Case::fold`] rebuilds the state from the event list. It needs no policy: it only records what
//!   happened.
//! - [`Case::decide`] says whether a new event is allowed under a policy and the lifecycle, and if not, why,
//!   in words an officer understands.
//! - [`Case::deadlines`] computes every clock of the case under its policy and calendar, as of a day.
//! - [`Case::warnings`] lists what the Code expects that has not been done: an officer is told, not blocked.

use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::{Calendar, Iso, write_day_list};
use crate::clock::Clock;
use crate::event::{
    CaseEvent, ChallengeOutcome, Channel, CloseReason, Event, FeedbackType, Head, OmbudsmanElement,
    Outcome, Relationship, Remedy, RemedyKind,
};
use crate::policy::{ClockStart, DEFAULT_MAX_TOTAL_EXTENSION, LateAcknowledgement, Period, Policy};

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The current stage has not been acknowledged.
    AwaitingAcknowledgement,
    /// Acknowledged and under investigation.
    Investigating,
    /// The current stage's response has been issued.
    Responded,
    /// A service request, comment or compliment being handled outside the stages.
    Open,
    /// Closed.
    Closed,
    /// Not accepted under one of the policy's exclusions.
    NotAccepted,
    /// The resident asked to escalate after the policy's window: the landlord must decide whether to accept
    /// the request (using discretion) or refuse it, within the next stage's acknowledgement time.
    EscalationDecisionNeeded,
}

impl State {
    /// Every state.
    pub const ALL: [State; 7] = [
        State::AwaitingAcknowledgement,
        State::EscalationDecisionNeeded,
        State::Investigating,
        State::Responded,
        State::Open,
        State::Closed,
        State::NotAccepted,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::AwaitingAcknowledgement => "awaiting_acknowledgement",
            State::Investigating => "investigating",
            State::Responded => "responded",
            State::Open => "open",
            State::Closed => "closed",
            State::NotAccepted => "not_accepted",
            State::EscalationDecisionNeeded => "escalation_decision_needed",
        }
    }

    /// The state from its wire name.
    pub fn parse(name: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            State::AwaitingAcknowledgement => "Awaiting acknowledgement",
            State::Investigating => "Investigating",
            State::Responded => "Responded",
            State::Open => "Open",
            State::Closed => "Closed",
            State::NotAccepted => "Not accepted",
            State::EscalationDecisionNeeded => "Late escalation: decision needed",
        }
    }

    /// Whether the case is finished (closed or not accepted).
    pub fn is_finished(self) -> bool {
        matches!(self, State::Closed | State::NotAccepted)
    }
}

/// How a stage round began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStart {
    /// The complaint was received (or reclassified as a complaint).
    Received,
    /// The resident asked to escalate.
    EscalationRequested,
    /// New information sent it back to stage 1.
    ReturnedToStage1,
}

/// An extension recorded at a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionRecord {
    /// Day.
    pub on: Date,
    /// Extra working days.
    pub working_days: u32,
    /// Why.
    pub reason: String,
    /// The resident agreed.
    pub resident_agreed: bool,
}

/// The complaint definition at a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// Day first recorded.
    pub recorded_on: Date,
    /// Day last amended, if amended.
    pub amended_on: Option<Date>,
    /// Heads of complaint.
    pub heads: Vec<Head>,
    /// What the landlord is not responsible for.
    pub not_responsible_for: Vec<String>,
}

/// One pass through a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Round {
    /// The stage number.
    pub stage: u8,
    /// How it began.
    pub started_by: RoundStart,
    /// Day it began (receipt or escalation request).
    pub started_on: Date,
    /// Day acknowledged.
    pub acknowledged_on: Option<Date>,
    /// The complaint definition.
    pub definition: Option<Definition>,
    /// Extensions.
    pub extensions: Vec<ExtensionRecord>,
    /// Day adverse findings were shared.
    pub adverse_findings_shared_on: Option<Date>,
    /// Day responded.
    pub responded_on: Option<Date>,
    /// Outcome.
    pub outcome: Option<Outcome>,
    /// The officer assigned to this round, last assigned.
    pub assignee: Option<String>,
    /// Who decided the stage: its assigned officer when the response was issued, or whoever recorded the
    /// response when none was assigned (recorded apart from who typed it in).
    pub decided_by: Option<String>,
    /// Day the resident asked to escalate from this round's response.
    pub escalation_requested_on: Option<Date>,
    /// Reasons the resident gave.
    pub escalation_reasons: Option<String>,
    /// The request that began this round came after the escalation window.
    pub requested_out_of_time: bool,
    /// Day a late request was accepted, using discretion.
    pub late_request_accepted_on: Option<Date>,
}

impl Round {
    fn new(stage: u8, started_by: RoundStart, started_on: Date) -> Round {
        Round {
            stage,
            started_by,
            started_on,
            acknowledged_on: None,
            definition: None,
            extensions: Vec::new(),
            adverse_findings_shared_on: None,
            responded_on: None,
            outcome: None,
            assignee: None,
            decided_by: None,
            escalation_requested_on: None,
            escalation_reasons: None,
            requested_out_of_time: false,
            late_request_accepted_on: None,
        }
    }

    /// Total working days of extension recorded.
    pub fn extension_days(&self) -> u32 {
        self.extensions.iter().map(|e| e.working_days).sum()
    }
}

/// A remedy, outstanding action or Ombudsman order being tracked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackedRemedy {
    /// `R1`, `R2`, …
    pub id: String,
    /// The stage whose response offered it (0 for an Ombudsman order).
    pub stage: u8,
    /// Whether the Ombudsman ordered it.
    pub ordered_by_ombudsman: bool,
    /// The remedy.
    pub remedy: Remedy,
    /// Day completed.
    pub completed_on: Option<Date>,
}

/// The case's dealings with the Ombudsman.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OmbudsmanRecord {
    /// Day referred.
    pub referred_on: Date,
    /// The Ombudsman's reference.
    pub reference: Option<String>,
    /// Day determined.
    pub determined_on: Option<Date>,
    /// Findings.
    pub findings: Vec<OmbudsmanElement>,
}

/// A service request's handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ServiceRequestRecord {
    /// Day it started.
    pub started_on: Date,
    /// Day it was responded to.
    pub responded_on: Option<Date>,
    /// Extra working days the resident agreed to (seed 000: "any agreement must be recorded").
    pub agreed_extra_working_days: u32,
}

/// An escalation refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// Day.
    pub on: Date,
    /// The stage the resident asked to reach.
    pub stage: u8,
    /// The ground's id.
    pub ground: String,
}

/// Needs and reasonable adjustments on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjustments {
    /// Day recorded.
    pub recorded_on: Date,
    /// The needs disclosed.
    pub needs: String,
    /// The adjustments agreed.
    pub adjustments: String,
    /// Review date.
    pub review_on: Option<Date>,
}

/// A restriction on the resident's contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactRestriction {
    /// Day imposed.
    pub on: Date,
    /// What is restricted.
    pub restriction: String,
    /// Who approved it.
    pub approved_by: String,
    /// Review date.
    pub review_on: Date,
}

/// The resident's challenge to a contact restriction, as decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RestrictionChallenge {
    /// Day decided.
    pub on: Date,
    /// What was decided.
    pub outcome: ChallengeOutcome,
}

/// A case's state: a pure fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Day received.
    pub received_on: Date,
    /// How it came in.
    pub channel: Channel,
    /// What it is.
    pub feedback_type: FeedbackType,
    /// Where it is.
    pub state: State,
    /// Every pass through a stage, in order; the last is the current one.
    pub rounds: Vec<Round>,
    /// The officer currently assigned.
    pub assignee: Option<String>,
    /// Service-request handling, if it was (or is) one.
    pub service_request: Option<ServiceRequestRecord>,
    /// Exclusion ground and day, if not accepted.
    pub excluded: Option<(Date, String)>,
    /// Day and reason closed.
    pub closed: Option<(Date, CloseReason)>,
    /// The state before closure, restored on reopening.
    pub state_before_close: Option<State>,
    /// Escalation refusals.
    pub refusals: Vec<Refusal>,
    /// Day the resident confirmed resolution.
    pub resolved_confirmed_on: Option<Date>,
    /// Remedies, actions and orders.
    pub remedies: Vec<TrackedRemedy>,
    /// Ombudsman referral.
    pub ombudsman: Option<OmbudsmanRecord>,
    /// Issues merged in.
    pub merged_issues: Vec<String>,
    /// Issues split out.
    pub split_issues: Vec<String>,
    /// Times reopened.
    pub reopened: u32,
    /// Needs and reasonable adjustments.
    pub adjustments: Option<Adjustments>,
    /// Contact restriction in force.
    pub contact_restriction: Option<ContactRestriction>,
    /// The resident's one challenge to a contact restriction, once decided.
    pub restriction_challenge: Option<RestrictionChallenge>,
    /// Who is complaining, if recorded.
    pub relationship: Option<Relationship>,
    /// For a former tenant: the day the tenancy ended.
    pub tenancy_ended_on: Option<Date>,
    /// When the matter arose or the resident became aware of it, if recorded.
    pub matter_arose_on: Option<Date>,
    /// Day the officer decided to consider a matter older than the time limit.
    pub time_limit_discretion_on: Option<Date>,
    /// Day of the latest event.
    pub last_event_on: Date,
    /// Number of events folded.
    pub events: u32,
}

/// Why a list of events could not be folded into a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    /// No events.
    #[error("a case needs at least its 'received' event")]
    Empty,
    /// The first event is not `received`.
    #[error("a case's first event must be 'received', not '{0}'")]
    NotReceivedFirst(&'static str),
    /// A second `received` event.
    #[error("a case is received only once")]
    ReceivedTwice,
}

/// A step the policy or the lifecycle does not allow, with the reason in an officer's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Refused {
    /// Why the step is refused.
    pub message: String,
    /// The event field at fault, where there is one.
    pub field: Option<&'static str>,
    /// The step cannot be right on any case (a day still to come): the input is at fault, not the rules.
    pub malformed: bool,
}

fn refuse(message: impl Into<String>) -> Result<(), Refused> {
    Err(Refused {
        message: message.into(),
        field: None,
        malformed: false,
    })
}

fn refuse_field(field: &'static str, message: impl Into<String>) -> Result<(), Refused> {
    Err(Refused {
        message: message.into(),
        field: Some(field),
        malformed: false,
    })
}

/// A clock's status as of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    /// Not yet met, not yet due.
    Pending,
    /// Not met and past its due date.
    Overdue,
    /// Met on or before the due date.
    Met,
    /// Met after the due date.
    MetLate,
}

impl ClockStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockStatus::Pending => "pending",
            ClockStatus::Overdue => "overdue",
            ClockStatus::Met => "met",
            ClockStatus::MetLate => "met_late",
        }
    }
}

/// Whose clock it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// A duty of the landlord (acknowledge, respond, close).
    Duty,
    /// A window for the resident (asking to escalate).
    Window,
}

/// One clock of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// Which clock (written `stage1_acknowledge`, `escalation_window`, …).
    pub clock: Clock,
    /// Whose clock.
    pub kind: ClockKind,
    /// Due day (after extensions).
    pub due_on: Date,
    /// Due day before any extension, where extended.
    pub original_due_on: Option<Date>,
    /// Day met.
    pub met_on: Option<Date>,
    /// Status as of the day asked.
    pub status: ClockStatus,
    /// How the due day was worked out.
    pub explanation: String,
}

/// Where a case stands in the work queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePosition {
    /// The earliest unmet landlord duty.
    pub next_due: Option<Deadline>,
    /// The day of the latest acknowledgement made after its due date.
    pub late_acknowledged_on: Option<Date>,
}

/// A Code expectation not yet met: shown to officers, never blocking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable code, e.g. `no_complaint_definition`.
    pub code: &'static str,
    /// The Code provision, e.g. "5.6".
    pub provision: &'static str,
    /// What to do, in plain English.
    pub message: String,
}

fn status(due: Date, met: Option<Date>, as_of: Date) -> ClockStatus {
    match met {
        Some(m) if m <= due => ClockStatus::Met,
        Some(_) => ClockStatus::MetLate,
        None if as_of > due => ClockStatus::Overdue,
        None => ClockStatus::Pending,
    }
}

/// "Tue 23 Dec 2025" — how dates are shown to people.
pub fn human_date(d: Date) -> String {
    let weekday = match d.weekday() {
        jiff::civil::Weekday::Monday => "Mon",
        jiff::civil::Weekday::Tuesday => "Tue",
        jiff::civil::Weekday::Wednesday => "Wed",
        jiff::civil::Weekday::Thursday => "Thu",
        jiff::civil::Weekday::Friday => "Fri",
        jiff::civil::Weekday::Saturday => "Sat",
        jiff::civil::Weekday::Sunday => "Sun",
    };
    format!(
        "{weekday} {} {} {}",
        d.day(),
        crate::calendar::month_abbrev(d.month()),
        d.year()
    )
}

impl Case {
    /// Folds events into a case. Never consults a policy: the fold records, [`Case::decide`] judges.
    pub fn fold(events: &[CaseEvent]) -> Result<Case, FoldError> {
        let (first, rest) = events.split_first().ok_or(FoldError::Empty)?;
        let mut case = Case::open(first)?;
        for e in rest {
            case.apply(e)?;
        }
        Ok(case)
    }

    /// A new case from its `received` event.
    pub fn open(first: &CaseEvent) -> Result<Case, FoldError> {
        let Event::Received {
            on,
            channel,
            relationship,
            tenancy_ended_on,
            matter_arose_on,
        } = first.event
        else {
            return Err(FoldError::NotReceivedFirst(first.event.kind()));
        };
        Ok(Case {
            received_on: on,
            channel,
            feedback_type: FeedbackType::Complaint,
            state: State::AwaitingAcknowledgement,
            rounds: vec![Round::new(1, RoundStart::Received, on)],
            assignee: None,
            service_request: None,
            excluded: None,
            closed: None,
            state_before_close: None,
            refusals: Vec::new(),
            resolved_confirmed_on: None,
            remedies: Vec::new(),
            ombudsman: None,
            merged_issues: Vec::new(),
            split_issues: Vec::new(),
            reopened: 0,
            adjustments: None,
            contact_restriction: None,
            restriction_challenge: None,
            relationship,
            tenancy_ended_on,
            matter_arose_on,
            time_limit_discretion_on: None,
            last_event_on: on,
            events: 1,
        })
    }

    /// The current stage number (1, 2 or 3).
    pub fn stage(&self) -> u8 {
        self.round().stage
    }

    /// The current round.
    pub fn round(&self) -> &Round {
        // A case always has at least one round: `open` creates it and nothing removes rounds.
        &self.rounds[self.rounds.len() - 1]
    }

    fn round_mut(&mut self) -> &mut Round {
        let last = self.rounds.len() - 1;
        &mut self.rounds[last]
    }

    /// Applies one event. Events are trusted here: [`Case::decide`] is where they are judged.
    pub fn apply(&mut self, ce: &CaseEvent) -> Result<(), FoldError> {
        let by = ce.by.as_deref();
        let on = ce.event.on();
        match &ce.event {
            Event::Received { .. } => return Err(FoldError::ReceivedTwice),
            Event::Classified {
                feedback_type,
                raised_on,
                ..
            } => {
                let was = self.feedback_type;
                self.feedback_type = *feedback_type;
                match feedback_type {
                    FeedbackType::Complaint => {
                        if was != FeedbackType::Complaint {
                            self.become_complaint(*raised_on);
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
            Event::Excluded { ground, .. } => {
                self.excluded = Some((on, ground.clone()));
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
            } => {
                let round = self.round_mut();
                match &mut round.definition {
                    Some(d) => {
                        d.amended_on = Some(on);
                        d.heads = heads.clone();
                        d.not_responsible_for = not_responsible_for.clone();
                    }
                    None => {
                        round.definition = Some(Definition {
                            recorded_on: on,
                            amended_on: None,
                            heads: heads.clone(),
                            not_responsible_for: not_responsible_for.clone(),
                        })
                    }
                }
            }
            Event::Extended {
                working_days,
                reason,
                resident_agreed,
                ..
            } => match (&mut self.service_request, self.feedback_type) {
                (Some(sr), FeedbackType::ServiceRequest) => {
                    sr.agreed_extra_working_days =
                        sr.agreed_extra_working_days.saturating_add(*working_days);
                }
                _ => self.round_mut().extensions.push(ExtensionRecord {
                    on,
                    working_days: *working_days,
                    reason: reason.clone(),
                    resident_agreed: *resident_agreed,
                }),
            },
            Event::AdverseFindingsShared { .. } => {
                self.round_mut().adverse_findings_shared_on = Some(on)
            }
            Event::Responded {
                outcome,
                heads,
                remedies,
                outstanding_actions,
                ..
            } => {
                if self.feedback_type == FeedbackType::ServiceRequest {
                    if let Some(sr) = &mut self.service_request {
                        sr.responded_on = Some(on);
                    }
                } else {
                    let derived =
                        outcome.or_else(|| derive_outcome(heads.iter().map(|h| h.outcome)));
                    let stage = self.stage();
                    let round = self.round_mut();
                    round.responded_on = Some(on);
                    round.outcome = derived;
                    round.decided_by = round.assignee.clone().or_else(|| by.map(str::to_owned));
                    self.state = State::Responded;
                    for r in remedies {
                        self.track(stage, false, r.clone());
                    }
                    for a in outstanding_actions {
                        self.track(
                            stage,
                            false,
                            Remedy {
                                kind: RemedyKind::Action,
                                description: a.description.clone(),
                                amount_pence: None,
                                due_on: a.due_on,
                            },
                        );
                    }
                }
            }
            Event::EscalationRequested {
                reasons,
                out_of_time,
                ..
            } => {
                let next = self.stage() + 1;
                let round = self.round_mut();
                round.escalation_requested_on = Some(on);
                round.escalation_reasons = reasons.clone();
                let mut new_round = Round::new(next, RoundStart::EscalationRequested, on);
                new_round.requested_out_of_time = *out_of_time;
                self.rounds.push(new_round);
                self.state = if *out_of_time {
                    State::EscalationDecisionNeeded
                } else {
                    State::AwaitingAcknowledgement
                };
                self.closed = None;
                self.state_before_close = None;
            }
            Event::EscalationRefused { ground, .. } => {
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
                    ground: ground.clone(),
                });
            }
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
            Event::EscalationAccepted { .. } => {
                self.round_mut().late_request_accepted_on = Some(on);
                self.state = State::AwaitingAcknowledgement;
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
        }
        self.last_event_on = self.last_event_on.max(on);
        self.events += 1;
        Ok(())
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
        let id = format!("R{}", self.remedies.len() + 1);
        self.remedies.push(TrackedRemedy {
            id,
            stage,
            ordered_by_ombudsman,
            remedy,
            completed_on: None,
        });
    }

    /// Whether `event`, recorded by `by`, is allowed next under `policy`. The refusal says why in words an
    /// officer understands.
    pub fn decide(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        today: Date,
        event: &Event,
        by: Option<&str>,
    ) -> Result<(), Refused> {
        self.decide_with(policy, calendar, today, event, by, None)
    }

    /// [`Case::decide`], with the staff directory for the rules about people: who may approve a contact
    /// restriction, and people named in messages. Without a directory those rules are not applied and
    /// people are named by their ids.
    pub fn decide_with(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        today: Date,
        event: &Event,
        by: Option<&str>,
        people: Option<&dyn Directory>,
    ) -> Result<(), Refused> {
        let name = |id: &str| {
            people
                .and_then(|p| p.name_of(id))
                .unwrap_or_else(|| id.to_owned())
        };
        let on = event.on();
        if on > today {
            return Err(Refused {
                message: format!("{on} is in the future (today is {today})"),
                field: Some("on"),
                malformed: true,
            });
        }
        if matches!(event, Event::Received { .. }) {
            return refuse_field("type", "This case has already been received");
        }
        if on < self.received_on {
            return refuse_field(
                "on",
                format!(
                    "The date {on} is before the complaint was received on {}",
                    self.received_on
                ),
            );
        }
        if on < self.last_event_on {
            return refuse_field(
                "on",
                format!(
                    "The date {on} is before the last recorded step on {}: record steps in the order they happened",
                    self.last_event_on
                ),
            );
        }
        let stage = self.stage();
        let round = self.round();
        let stage_name = policy.stage_name(stage);
        let finished = self.state.is_finished();
        let is_complaint = self.feedback_type == FeedbackType::Complaint;
        if self.state == State::EscalationDecisionNeeded && waits_for_escalation_decision(event) {
            return refuse(format!(
                "The resident asked for {stage_name} after the window closed: first record whether the request is accepted, using discretion, or refused on one of the policy's grounds"
            ));
        }

        match event {
            Event::Received { .. } => refuse("This case has already been received"),
            Event::Classified {
                feedback_type,
                raised_on,
                ..
            } => {
                if let Some(raised) = raised_on {
                    if *feedback_type != FeedbackType::Complaint || is_complaint {
                        return refuse_field(
                            "raised_on",
                            "A date the complaint was raised is given only when a service request, comment or compliment becomes a complaint",
                        );
                    }
                    if *raised < self.received_on || *raised > on {
                        return refuse_field(
                            "raised_on",
                            format!(
                                "The complaint was raised between receipt on {} and today's record on {}",
                                human_date(self.received_on),
                                human_date(on)
                            ),
                        );
                    }
                }
                if finished {
                    return refuse("The case is closed: reopen it before reclassifying it");
                }
                if *feedback_type == self.feedback_type {
                    return refuse_field(
                        "feedback_type",
                        format!(
                            "The case is already a {}",
                            feedback_type.as_str().replace('_', " ")
                        ),
                    );
                }
                if stage > 1 || round.responded_on.is_some() && is_complaint {
                    return refuse(
                        "A complaint that has had a stage response cannot be reclassified",
                    );
                }
                let (recorded, what) = match feedback_type {
                    FeedbackType::Complaint => (true, "complaints"),
                    FeedbackType::ServiceRequest => {
                        (policy.feedback.service_requests, "service requests")
                    }
                    FeedbackType::Comment => (policy.feedback.comments, "comments"),
                    FeedbackType::Compliment => (policy.feedback.compliments, "compliments"),
                };
                if !recorded {
                    return refuse_field(
                        "feedback_type",
                        format!(
                            "{} does not record {what} as feedback under this policy",
                            policy.name
                        ),
                    );
                }
                Ok(())
            }
            Event::Excluded { ground, reason, .. } => {
                if finished {
                    return refuse("The case is already closed");
                }
                if stage > 1 || round.responded_on.is_some() {
                    return refuse(
                        "A complaint can only be not accepted before its stage 1 response; to refuse escalation, record an escalation refusal",
                    );
                }
                if policy.exclusion(ground).is_none() {
                    let ids: Vec<&str> = policy.exclusions.iter().map(|e| e.id.as_str()).collect();
                    return refuse_field(
                        "ground",
                        format!(
                            "'{ground}' is not one of this policy's exclusions ({})",
                            if ids.is_empty() {
                                "it lists none".to_owned()
                            } else {
                                ids.join(", ")
                            }
                        ),
                    );
                }
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Explain why the exclusion applies: the resident must be told (Code 2.4)",
                    );
                }
                Ok(())
            }
            Event::Acknowledged { .. } => {
                if finished {
                    return refuse("The case is closed");
                }
                if !is_complaint {
                    return refuse(format!(
                        "A {} is not acknowledged as a complaint: classify it as a complaint first",
                        self.feedback_type.as_str().replace('_', " ")
                    ));
                }
                if round.acknowledged_on.is_some() {
                    return refuse(format!(
                        "{stage_name} was already acknowledged on {}",
                        round
                            .acknowledged_on
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ));
                }
                Ok(())
            }
            Event::Assigned { officer, .. } => {
                if finished {
                    return refuse("The case is closed: reopen it before assigning it");
                }
                if officer.trim().is_empty() {
                    return refuse_field("officer", "Name the officer to assign");
                }
                if stage > 1
                    && policy
                        .stage(stage)
                        .is_some_and(|s| s.different_decision_maker)
                    && let Some(earlier) = self.earlier_decision(policy, officer, stage)
                {
                    return refuse_field(
                        "officer",
                        format!(
                            "The reviewer at {stage_name} must not have decided an earlier stage: {} decided {earlier}",
                            name(officer)
                        ),
                    );
                }
                Ok(())
            }
            Event::ComplaintDefined { heads, .. } => {
                if !is_complaint || finished {
                    return refuse("A complaint definition is recorded on an open complaint");
                }
                if round.responded_on.is_some() {
                    return refuse(format!(
                        "{stage_name} has been responded to: the definition can no longer change"
                    ));
                }
                if heads.is_empty() {
                    return refuse_field("heads", "Give at least one head of complaint");
                }
                if heads.iter().any(|h| h.summary.trim().is_empty()) {
                    return refuse_field("heads", "Every head of complaint needs a summary");
                }
                Ok(())
            }
            Event::Extended {
                working_days,
                reason,
                resident_agreed,
                ..
            } => {
                if self.feedback_type == FeedbackType::ServiceRequest && !finished {
                    return self.decide_service_request_extension(
                        policy,
                        calendar,
                        on,
                        *working_days,
                        reason,
                        *resident_agreed,
                    );
                }
                if !is_complaint || finished {
                    return refuse("Only an open complaint's response can be extended");
                }
                if round.responded_on.is_some() {
                    return refuse(format!("{stage_name} has already been responded to"));
                }
                if let Some(clock) = self.response_clock(policy, calendar, round)
                    && on > clock.due
                {
                    return refuse_field(
                        "on",
                        format!(
                            "The extension must be given before the response is due on {}",
                            human_date(clock.due)
                        ),
                    );
                }
                if *working_days == 0 {
                    return refuse_field(
                        "working_days",
                        "An extension must add at least 1 working day",
                    );
                }
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Give the reason for the extension: the resident must be told why (Code 6.4)",
                    );
                }
                let Some(rule) = policy.stage(stage).map(|s| s.extension) else {
                    return refuse("The policy has no such stage");
                };
                let already = round.extension_days();
                let cap = rule.total_cap();
                let Some(total) = already.checked_add(*working_days) else {
                    return refuse_field(
                        "working_days",
                        format!(
                            "The policy caps extensions at {stage_name} at {cap} working days in all"
                        ),
                    );
                };
                let free = rule.without_agreement_working_days;
                if total > free {
                    if !rule.further_with_agreement {
                        return refuse_field(
                            "working_days",
                            format!(
                                "The policy allows at most {free} extra working days at {stage_name}{}",
                                if already > 0 {
                                    format!(", and {already} have been used")
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    }
                    if !resident_agreed {
                        return refuse_field(
                            "resident_agreed",
                            format!(
                                "This extension needs the resident's recorded agreement: the policy allows {free} extra working days without it{}",
                                if already > 0 {
                                    format!(" and {already} have been used")
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    }
                    if total > cap {
                        return refuse_field(
                            "working_days",
                            format!(
                                "The policy caps extensions at {stage_name} at {cap} working days in all, even with agreement{}",
                                if already > 0 {
                                    format!(", and {already} have been used")
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    }
                }
                Ok(())
            }
            Event::AdverseFindingsShared { .. } => {
                if !is_complaint || finished || round.responded_on.is_some() {
                    return refuse(
                        "Adverse findings are shared before the stage response is issued",
                    );
                }
                if round.acknowledged_on.is_none() {
                    return refuse(format!(
                        "{stage_name} has not been acknowledged: findings are shared during the investigation"
                    ));
                }
                Ok(())
            }
            Event::Responded { outcome, heads, .. } => {
                if finished {
                    return refuse("The case is closed: reopen it before responding");
                }
                match self.feedback_type {
                    FeedbackType::ServiceRequest => {
                        if self
                            .service_request
                            .is_some_and(|s| s.responded_on.is_some())
                        {
                            return refuse("The service request has already been responded to");
                        }
                        return Ok(());
                    }
                    FeedbackType::Comment | FeedbackType::Compliment => {
                        return refuse(
                            "Comments and compliments are recorded and closed, not responded to as complaints",
                        );
                    }
                    FeedbackType::Complaint => {}
                }
                if round.responded_on.is_some() {
                    return refuse(format!(
                        "{stage_name} was already responded to on {}",
                        round
                            .responded_on
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ));
                }
                if round.acknowledged_on.is_none() {
                    return refuse(format!(
                        "{stage_name} has not been acknowledged: record the acknowledgement first (it may be the same day)"
                    ));
                }
                if outcome.is_none() && heads.is_empty() {
                    return refuse_field(
                        "outcome",
                        "Give the outcome: upheld, partly upheld or not upheld",
                    );
                }
                let defined = round.definition.as_ref().map_or(0, |d| d.heads.len());
                for h in heads {
                    if h.head == 0 || (defined > 0 && h.head as usize > defined) {
                        return refuse_field(
                            "heads",
                            format!(
                                "Head {} does not exist: the complaint definition has {} head{}",
                                h.head,
                                defined,
                                if defined == 1 { "" } else { "s" }
                            ),
                        );
                    }
                }
                if stage > 1
                    && policy
                        .stage(stage)
                        .is_some_and(|s| s.different_decision_maker)
                    && let Some(decider) = round.assignee.as_deref().or(by)
                    && let Some(earlier) = self.earlier_decision(policy, decider, stage)
                {
                    return refuse(format!(
                        "The {stage_name} response must be decided by someone who did not decide an earlier stage: {} decided {earlier}",
                        name(decider)
                    ));
                }
                Ok(())
            }
            Event::EscalationRequested { .. } => {
                if !is_complaint {
                    return refuse("Only a complaint can be escalated");
                }
                if self.state == State::EscalationDecisionNeeded {
                    return refuse(format!(
                        "The resident's request for {stage_name} is awaiting a decision"
                    ));
                }
                if self.excluded.is_some() {
                    return refuse(
                        "The complaint was not accepted, so there is no stage to escalate from",
                    );
                }
                let next = stage + 1;
                let Some(next_stage) = policy.stage(next) else {
                    return refuse(format!(
                        "{stage_name} is the final stage of this policy: the resident may now refer the complaint to the Housing Ombudsman"
                    ));
                };
                if round.responded_on.is_none() {
                    return refuse(format!(
                        "{} cannot start: the {} response has not been issued",
                        next_stage.name, stage_name
                    ));
                }
                if let Some((_, reason)) = self.closed
                    && matches!(reason, CloseReason::Withdrawn | CloseReason::Merged)
                {
                    return refuse("The complaint was withdrawn or merged: reopen it first");
                }
                Ok(())
            }
            Event::EscalationRefused {
                ground,
                explanation,
                ..
            } => {
                if round.started_by != RoundStart::EscalationRequested
                    || round.acknowledged_on.is_some()
                {
                    return refuse("There is no escalation request awaiting a decision");
                }
                let Some(rule) = policy.stage(stage).and_then(|s| s.escalation.as_ref()) else {
                    return refuse("The policy has no escalation rules for this stage");
                };
                if !rule.may_refuse {
                    return refuse(format!(
                        "The policy does not allow refusing escalation to {stage_name}"
                    ));
                }
                if !rule.refusal_grounds.iter().any(|g| &g.id == ground) {
                    let ids: Vec<&str> =
                        rule.refusal_grounds.iter().map(|g| g.id.as_str()).collect();
                    return refuse_field(
                        "ground",
                        format!(
                            "'{ground}' is not a ground on which the policy allows refusing escalation ({})",
                            ids.join(", ")
                        ),
                    );
                }
                if explanation.as_deref().is_none_or(|e| e.trim().is_empty()) {
                    return refuse_field(
                        "explanation",
                        "Explain the refusal: the resident must be told why and of their right to go to the Ombudsman (Code 5.11, 2.4)",
                    );
                }
                Ok(())
            }
            Event::ResolvedConfirmed { .. } => {
                if finished {
                    return refuse("The case is closed");
                }
                if let Some(d) = self.resolved_confirmed_on {
                    return refuse(format!(
                        "The resident's confirmation was already recorded on {}",
                        human_date(d)
                    ));
                }
                if !self.rounds.iter().any(|r| r.responded_on.is_some())
                    && self
                        .service_request
                        .is_none_or(|s| s.responded_on.is_none())
                {
                    return refuse("Nothing has been responded to yet");
                }
                Ok(())
            }
            Event::Closed {
                reason,
                explanation,
                ..
            } => {
                if finished {
                    return refuse("The case is already closed");
                }
                match self.feedback_type {
                    FeedbackType::Comment | FeedbackType::Compliment => Ok(()),
                    FeedbackType::ServiceRequest => {
                        if *reason == CloseReason::ServiceRequestCompleted
                            && self
                                .service_request
                                .is_none_or(|s| s.responded_on.is_none())
                        {
                            return refuse(
                                "Record the response to the service request before closing it as completed",
                            );
                        }
                        Ok(())
                    }
                    FeedbackType::Complaint => {
                        if reason.allowed_without_response() {
                            return Ok(());
                        }
                        if round.responded_on.is_none() {
                            return refuse_field(
                                "reason",
                                format!(
                                    "{stage_name} has not been responded to: a complaint closes as '{}' only after a response (or as withdrawn or merged)",
                                    reason.as_str()
                                ),
                            );
                        }
                        self.decide_closing_after_response(
                            policy,
                            calendar,
                            on,
                            *reason,
                            explanation.as_deref(),
                        )
                    }
                }
            }
            Event::Reopened { reason, .. } => {
                if self.state != State::Closed {
                    return refuse("Only a closed case can be reopened");
                }
                if reason.trim().is_empty() {
                    return refuse_field("reason", "Say why the case is being reopened");
                }
                Ok(())
            }
            Event::ReturnedToStage1 { reason, .. } => {
                if stage < 2 || finished {
                    return refuse(
                        "Only an open complaint at a later stage can be returned to stage 1",
                    );
                }
                if round.responded_on.is_some() {
                    return refuse(format!("{stage_name} has already been responded to"));
                }
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Say what new information sends it back to stage 1",
                    );
                }
                Ok(())
            }
            Event::IssueMerged { summary, .. } => {
                if !is_complaint || finished {
                    return refuse("Issues are merged into an open complaint");
                }
                if round.responded_on.is_some() {
                    return refuse(format!(
                        "{stage_name} has been responded to: log the new issue as a new complaint (Code 6.8)"
                    ));
                }
                if summary.trim().is_empty() {
                    return refuse_field("summary", "Describe the issue being added");
                }
                Ok(())
            }
            Event::IssueSplitOut { summary, .. } => {
                if finished {
                    return refuse("The case is closed");
                }
                if summary.trim().is_empty() {
                    return refuse_field("summary", "Describe the issue being split out");
                }
                Ok(())
            }
            Event::ReferredToOmbudsman { .. } => {
                if !is_complaint {
                    return refuse("Only a complaint can be referred to the Ombudsman");
                }
                if self.ombudsman.is_some() {
                    return refuse("The complaint has already been referred to the Ombudsman");
                }
                Ok(())
            }
            Event::OmbudsmanDetermined { findings, .. } => {
                match &self.ombudsman {
                    None => {
                        return refuse(
                            "Record the referral to the Ombudsman before its determination",
                        );
                    }
                    Some(o) if o.determined_on.is_some() => {
                        return refuse("The Ombudsman's determination has already been recorded");
                    }
                    Some(_) => {}
                }
                if findings.is_empty() {
                    return refuse_field("findings", "Record at least one finding");
                }
                Ok(())
            }
            Event::AdjustmentsRecorded {
                needs,
                adjustments,
                review_on,
                ..
            } => {
                if finished {
                    return refuse("The case is closed: reopen it before recording adjustments");
                }
                if needs.trim().is_empty() {
                    return refuse_field("needs", "Describe the resident's needs");
                }
                if adjustments.trim().is_empty() {
                    return refuse_field("adjustments", "Describe the adjustments agreed");
                }
                if review_on.is_some_and(|r| r <= on) {
                    return refuse_field(
                        "review_on",
                        "The review date must be after today's record",
                    );
                }
                Ok(())
            }
            Event::ContactRestricted {
                restriction,
                approved_by,
                review_on,
                ..
            } => {
                if finished {
                    return refuse("The case is closed");
                }
                if restriction.trim().is_empty() {
                    return refuse_field(
                        "restriction",
                        "Say what is restricted and how the resident may still make contact",
                    );
                }
                if approved_by.trim().is_empty() {
                    let who = policy
                        .roles
                        .contact_restrictions_approver
                        .as_deref()
                        .unwrap_or("the person the policy names");
                    return refuse_field(
                        "approved_by",
                        format!("A restriction needs approval by {who}"),
                    );
                }
                if let Some(people) = people {
                    let needed = policy.roles.restriction_approver_role();
                    let held = people.role_of(approved_by);
                    if held != Some(needed) {
                        let titled = policy
                            .roles
                            .contact_restrictions_approver
                            .as_deref()
                            .map(|t| format!(" ({t}, in the policy's words)"))
                            .unwrap_or_default();
                        return refuse_field(
                            "approved_by",
                            format!(
                                "A restriction must be approved by a {}{titled}: {} is {}",
                                needed.display_name().to_lowercase(),
                                name(approved_by),
                                held.map_or("not a user of Redress".to_owned(), |r| format!(
                                    "a {}",
                                    r.display_name().to_lowercase()
                                ))
                            ),
                        );
                    }
                }
                let months = policy.roles.restriction_review_months();
                let latest = on
                    .checked_add(jiff::Span::new().months(i64::from(months)))
                    .unwrap_or(on);
                if *review_on <= on || *review_on > latest {
                    return refuse_field(
                        "review_on",
                        format!(
                            "Set a review date by {}: the policy reviews restrictions within {months} month{}, and they must be proportionate and kept under review (Code 5.15)",
                            human_date(latest),
                            if months == 1 { "" } else { "s" }
                        ),
                    );
                }
                Ok(())
            }
            Event::ContactRestrictionChallenged { explanation, .. } => {
                if self.contact_restriction.is_none() {
                    return refuse("There is no contact restriction in force to challenge");
                }
                if let Some(c) = self.restriction_challenge {
                    return refuse(format!(
                        "The resident's challenge to the restriction was already reviewed on {}: it is reviewed only once",
                        human_date(c.on)
                    ));
                }
                if explanation.trim().is_empty() {
                    return refuse_field(
                        "explanation",
                        "Explain the decision on the challenge: the resident must be told why",
                    );
                }
                Ok(())
            }
            Event::RelationshipRecorded {
                relationship,
                tenancy_ended_on,
                ..
            } => {
                if finished {
                    return refuse(
                        "The case is closed: reopen it before changing who is complaining",
                    );
                }
                match crate::intake::check_relationship(
                    policy,
                    *relationship,
                    *tenancy_ended_on,
                    Some(self.received_on),
                ) {
                    Some(refused) => Err(refused),
                    None => Ok(()),
                }
            }
            Event::TimeLimitDiscretionUsed { reason, .. } => {
                if finished || !is_complaint {
                    return refuse("Discretion on the time limit is recorded on an open complaint");
                }
                if self.outside_time_limit(policy).is_none() {
                    return refuse(
                        "The complaint is within the policy's time limit (or no date the matter arose is recorded): there is nothing to decide",
                    );
                }
                if let Some(d) = self.time_limit_discretion_on {
                    return refuse(format!(
                        "Discretion on the time limit was already recorded on {}",
                        human_date(d)
                    ));
                }
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Say why the complaint is considered although it is outside the time limit (Code 2.3)",
                    );
                }
                Ok(())
            }
            Event::EscalationAccepted { reason, .. } => {
                if self.state != State::EscalationDecisionNeeded {
                    return refuse("There is no late request to escalate awaiting a decision");
                }
                if reason.trim().is_empty() {
                    return refuse_field(
                        "reason",
                        "Say why the late request is accepted (the discretion used)",
                    );
                }
                Ok(())
            }
            Event::RemedyCompleted { remedy, .. } => {
                match self.remedies.iter().find(|r| &r.id == remedy) {
                    None => refuse_field(
                        "remedy",
                        format!(
                            "There is no remedy {remedy} on this case{}",
                            if self.remedies.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    " (it has {})",
                                    self.remedies
                                        .iter()
                                        .map(|r| r.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            }
                        ),
                    ),
                    Some(r) if r.completed_on.is_some() => {
                        refuse(format!("Remedy {remedy} was already completed"))
                    }
                    Some(_) => Ok(()),
                }
            }
        }
    }

    /// Decides `event` like [`Case::decide`] and returns the event to record, with what the service stamps
    /// on it: whether an escalation request came after the policy's window (never taken from the client).
    pub fn admit(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        today: Date,
        event: Event,
        by: Option<&str>,
    ) -> Result<Event, Refused> {
        self.admit_with(policy, calendar, today, event, by, None)
    }

    /// [`Case::admit`] with the staff directory (see [`Case::decide_with`]).
    pub fn admit_with(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        today: Date,
        event: Event,
        by: Option<&str>,
        people: Option<&dyn Directory>,
    ) -> Result<Event, Refused> {
        self.decide_with(policy, calendar, today, &event, by, people)?;
        Ok(match event {
            Event::EscalationRequested { on, reasons, .. } => Event::EscalationRequested {
                on,
                reasons,
                out_of_time: self
                    .escalation_window_due(policy, calendar)
                    .is_some_and(|due| on > due),
            },
            other => other,
        })
    }

    /// The last day of the resident's window to escalate from the current round's response, if the policy
    /// sets one.
    pub fn escalation_window_due(&self, policy: &Policy, calendar: &Calendar) -> Option<Date> {
        let round = self.round();
        let responded = round.responded_on?;
        let window = policy.stage(round.stage + 1)?.escalation.as_ref()?.window?;
        window.after(calendar, responded).ok()
    }

    /// The last day within the policy's time limit, when the recorded matter is older than it.
    pub fn outside_time_limit(&self, policy: &Policy) -> Option<Date> {
        crate::intake::outside_time_limit(policy, self.matter_arose_on?, self.received_on)
    }

    /// The name of an earlier stage that `officer` decided, if any.
    fn earlier_decision(&self, policy: &Policy, officer: &str, stage: u8) -> Option<String> {
        self.rounds
            .iter()
            .find(|r| r.stage < stage && r.decided_by.as_deref() == Some(officer))
            .map(|r| policy.stage_name(r.stage))
    }

    /// Extra time on a service request: only with the resident's recorded agreement, before its reply is
    /// due, and moving its clock.
    fn decide_service_request_extension(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        working_days: u32,
        reason: &str,
        resident_agreed: bool,
    ) -> Result<(), Refused> {
        let Some(sr) = self.service_request else {
            return refuse("There is no service request to extend");
        };
        let Some(window) = policy.feedback.service_request_response else {
            return refuse(format!(
                "{} sets no time to answer a service request, so there is nothing to extend",
                policy.name
            ));
        };
        if sr.responded_on.is_some() {
            return refuse("The service request has already been responded to");
        }
        if working_days == 0 {
            return refuse_field(
                "working_days",
                "An extension must add at least 1 working day",
            );
        }
        if reason.trim().is_empty() {
            return refuse_field("reason", "Give the reason for the extra time");
        }
        if !resident_agreed {
            return refuse_field(
                "resident_agreed",
                "Extra time on a service request is recorded only with the resident's agreement",
            );
        }
        let total = sr.agreed_extra_working_days.checked_add(working_days);
        if total.is_none_or(|t| t > DEFAULT_MAX_TOTAL_EXTENSION) {
            return refuse_field(
                "working_days",
                format!(
                    "A service request can be given at most {DEFAULT_MAX_TOTAL_EXTENSION} extra working days in all"
                ),
            );
        }
        if let Some((_, due)) = service_request_due(sr, window, calendar)
            && on > due
        {
            return refuse_field(
                "on",
                format!(
                    "The extra time must be agreed before the reply is due on {}",
                    human_date(due)
                ),
            );
        }
        Ok(())
    }

    /// Closing a complaint whose current stage has been answered, for a reason that needs a response.
    fn decide_closing_after_response(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        on: Date,
        reason: CloseReason,
        explanation: Option<&str>,
    ) -> Result<(), Refused> {
        let round = self.round();
        let stage = round.stage;
        let stage_name = policy.stage_name(stage);
        let Some(responded) = round.responded_on else {
            return refuse(format!("{stage_name} has not been responded to"));
        };
        match reason {
            CloseReason::FinalResponse => {
                let escalation_refused = self
                    .refusals
                    .iter()
                    .any(|r| r.stage == stage + 1 && r.on >= responded);
                if stage < policy.last_required_stage() && !escalation_refused {
                    return refuse_field(
                        "reason",
                        format!(
                            "The {stage_name} response is not the final response: close as 'resolved' or 'no_reply', or escalate"
                        ),
                    );
                }
                Ok(())
            }
            CloseReason::NoReply => {
                let Some(auto_close) = policy.auto_close else {
                    return refuse_field(
                        "reason",
                        format!(
                            "{} sets no time after which a complaint closes for want of a reply: close it as resolved with an explanation, or as the final response",
                            policy.name
                        ),
                    );
                };
                let n = auto_close.after_working_days;
                match calendar.add_working_days(responded, n) {
                    Ok(due) if on < due => refuse_field(
                        "reason",
                        format!(
                            "The case can close for no reply from {}: {n} working days after the {stage_name} response on {}",
                            human_date(due),
                            human_date(responded)
                        ),
                    ),
                    _ => Ok(()),
                }
            }
            CloseReason::Resolved => {
                let confirmed = self.resolved_confirmed_on.is_some_and(|d| d >= responded);
                if !confirmed && explanation.is_none_or(|e| e.trim().is_empty()) {
                    return refuse_field(
                        "explanation",
                        "Record the resident's confirmation that the complaint is resolved, or explain why it is resolved without it",
                    );
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The response clock of a round under the policy: where it starts, its due date before and after
    /// extensions, and how that was worked out.
    fn response_clock(
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

    /// The earliest unmet landlord duty: what a work queue sorts by.
    pub fn next_due(&self, policy: &Policy, calendar: &Calendar, as_of: Date) -> Option<Deadline> {
        self.queue_position(policy, calendar, as_of).next_due
    }

    /// What a work queue needs of the case, from one computation of its clocks: the earliest unmet landlord
    /// duty, and the day of its latest late acknowledgement (for "acknowledged late this month").
    pub fn queue_position(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        as_of: Date,
    ) -> QueuePosition {
        let clocks = self.deadlines(policy, calendar, as_of);
        let late_acknowledged_on = clocks
            .iter()
            .filter(|d| d.clock.is_acknowledgement() && d.status == ClockStatus::MetLate)
            .filter_map(|d| d.met_on)
            .max();
        let next_due = clocks
            .into_iter()
            .filter(|d| d.kind == ClockKind::Duty && d.met_on.is_none())
            .min_by_key(|d| d.due_on);
        QueuePosition {
            next_due,
            late_acknowledged_on,
        }
    }

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
}

/// Who is who among staff: the service knows its users, the domain does not.
pub trait Directory {
    /// The name people read for a user id.
    fn name_of(&self, id: &str) -> Option<String>;
    /// The role a user holds, if the id is a user.
    fn role_of(&self, id: &str) -> Option<crate::access::Role>;
}

/// Steps that must wait until a late request to escalate has been accepted or refused.
fn waits_for_escalation_decision(event: &Event) -> bool {
    matches!(
        event,
        Event::Acknowledged { .. }
            | Event::ComplaintDefined { .. }
            | Event::Extended { .. }
            | Event::AdverseFindingsShared { .. }
            | Event::Responded { .. }
            | Event::ReturnedToStage1 { .. }
            | Event::IssueMerged { .. }
            | Event::ResolvedConfirmed { .. }
    )
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

/// What started a round, as the explanations say it.
fn round_start_phrase(round: &Round) -> &'static str {
    match round.started_by {
        RoundStart::Received => "receipt",
        RoundStart::EscalationRequested => "the escalation request",
        RoundStart::ReturnedToStage1 => "the return to stage 1",
    }
}

/// A round's response clock (see [`Case::deadlines`]).
struct ResponseClock {
    /// Due before extensions.
    base: Date,
    /// Due after extensions.
    due: Date,
    /// How it was worked out.
    explanation: String,
}

/// When a service request's reply is due: before and after the extra time the resident agreed.
fn service_request_due(
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

/// The clock names of a stage.
/// A clock's label on the pages, from its wire name (as a work-queue row stores it), in the policy's own stage
/// names.
pub fn clock_label(policy: &Policy, clock: &str) -> String {
    Clock::parse(clock).map_or_else(|| "Deadline".into(), |c| c.label(policy))
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
