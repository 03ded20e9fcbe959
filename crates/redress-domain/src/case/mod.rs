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
    CaseEvent, ChallengeOutcome, Channel, CloseReason, Event, FeedbackType, Head, HeadOutcome,
    OmbudsmanElement, Outcome, Relationship, Remedy, RemedyKind,
};
use crate::policy::{ClockStart, DEFAULT_MAX_TOTAL_EXTENSION, LateAcknowledgement, Period, Policy};

mod apply;
mod clocks;
mod decide;
mod records;
mod rules;
mod warnings;

pub(crate) use clocks::service_request_due;
pub(crate) use records::latest_restriction_review;
pub(crate) use rules::service_request_extension_in_time;

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
    /// The letter that told the resident of it, once one is issued (Code 6.4, 6.15: in writing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letter: Option<String>,
}

/// The most heads a complaint definition may have: enough for any complaint a resident brings, few enough
/// that each is answered on its own in the response.
pub const MAX_HEADS: usize = 8;

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
    /// The decision on each head, with its reasons, as the response recorded them (what a response letter
    /// sets out point by point, Code 6.9, 6.19).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<HeadOutcome>,
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
    /// The letter the response was issued as, once one is (Code 6.9, 6.19: in writing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_letter: Option<String>,
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
            decisions: Vec::new(),
            assignee: None,
            decided_by: None,
            escalation_requested_on: None,
            escalation_reasons: None,
            requested_out_of_time: false,
            late_request_accepted_on: None,
            response_letter: None,
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
    /// An action still outstanding when the response was issued (Code 6.6), rather than a remedy offered:
    /// a letter lists the two apart.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub outstanding: bool,
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
    /// The explanation given to the resident, if recorded.
    pub explanation: Option<String>,
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

impl Adjustments {
    /// Whether the needs or the adjustments ask for large print (letters are then set in 18 pt).
    pub fn ask_for_large_print(&self) -> bool {
        let asked = format!("{} {}", self.needs, self.adjustments).to_lowercase();
        ["large print", "large-print", "18 pt", "18pt"]
            .iter()
            .any(|phrase| asked.contains(phrase))
    }
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

/// A letter issued to the resident (the recipients stay in the event: they are personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedLetter {
    /// Day issued.
    pub on: Date,
    /// The letter's id.
    pub letter: String,
    /// Its kind.
    pub kind: crate::letters::LetterKind,
    /// The stage it is about.
    pub stage: u8,
    /// How it was sent.
    pub channel: crate::event::LetterChannel,
    /// The issued document's id (its SHA-256, hex).
    pub document: String,
}

/// A document attached to the case (its name stays in the event too: it is personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddedDocument {
    /// Day added.
    pub on: Date,
    /// The attachment's id on the case.
    pub document: String,
    /// The SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its file name.
    pub name: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
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
    /// Why the exclusion applies to this complaint, as told to the resident (Code 2.4).
    pub exclusion_reason: Option<String>,
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
    /// The letters issued, in the order they were.
    pub letters: Vec<IssuedLetter>,
    /// The documents attached, in the order they were.
    pub documents: Vec<AddedDocument>,
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

pub(crate) fn refuse<T>(message: impl Into<String>) -> Result<T, Refused> {
    Err(Refused {
        message: message.into(),
        field: None,
        malformed: false,
    })
}

pub(crate) fn refuse_field<T>(
    field: &'static str,
    message: impl Into<String>,
) -> Result<T, Refused> {
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
            exclusion_reason: None,
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
            letters: Vec::new(),
            documents: Vec::new(),
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
}

impl Case {
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
}

/// Who is who among staff: the service knows its users, the domain does not.
pub trait Directory {
    /// The name people read for a user id.
    fn name_of(&self, id: &str) -> Option<String>;
    /// The role a user holds, if the id is a user.
    fn role_of(&self, id: &str) -> Option<crate::access::Role>;
}

/// A clock's label on the pages, from its wire name (as a work-queue row stores it), in the policy's own stage
/// names.
pub fn clock_label(policy: &Policy, clock: &str) -> String {
    Clock::parse(clock).map_or_else(|| "Deadline".into(), |c| c.label(policy))
}
