//! The Redress domain: what a complaints policy says, which step is allowed next, and on which date each
//! duty falls due.
//!
//! Pure: no I/O, no async, no web or database crate. Everything else in Redress is built on it.
//!
//! - [`calendar`]: UK working-day calendars (bank holidays per nation, closure days), O(1) queries.
//! - [`policy`]: a landlord's complaints policy as validated configuration; [`presets`] ship seven.
//! - [`event`] and [`case`]: a case is its events; state, decisions, clocks and warnings are derived.
//! - [`steps`]: the steps an officer may take next on a case, and what each step's form needs.
//! - [`letters`]: what each letter to the resident contains, built from the case, and the contents the
//!   Code and the policy require before it is issued.
//! - [`intake`]: whether a complaint may be logged under a policy, and its time limit.
//! - [`privacy`]: which event fields are personal data, and their redaction.
//! - [`text`]: the one rule for free text (length per kind, no control characters).
//! - [`urgency`]: how pressing each clock is, as of a day.
//! - [`compliance`]: where a policy departs from its framework: the Complaint Handling Code 2024, or in
//!   Scotland the SPSO Model Complaints Handling Procedure.
#![forbid(unsafe_code)]

pub mod access;
pub mod calendar;
pub mod case;
pub mod clock;
pub mod compliance;
pub mod documents;
pub mod event;
pub mod intake;
pub mod letters;
pub mod policy;
pub mod presets;
pub mod privacy;
pub mod steps;
pub mod text;
pub mod urgency;

pub use calendar::{BankHolidays, Calendar, CalendarError, Division};
pub use case::{Case, ClockKind, ClockStatus, Deadline, FoldError, Refused, State, Warning};
pub use compliance::{Finding, Framework, Severity, check};
pub use event::{CaseEvent, Channel, CloseReason, Event, FeedbackType, Outcome, Relationship};
pub use letters::{Letter, LetterKind, MissingElement};
pub use policy::{Policy, PolicyError, PolicyErrors};
pub use steps::{Actor, AvailableStep, Step, StepLimits};
