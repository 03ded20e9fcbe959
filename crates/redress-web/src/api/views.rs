//! What the API answers with: a case, its clocks and warnings, as the caller may see them.

use jiff::civil::Date;
use redress_domain::case::{Case, Deadline, Warning};
use redress_domain::event::{CaseEvent, Channel, Event};
use redress_store::CaseRecord;
use serde::Serialize;
use utoipa::ToSchema;

use crate::LoadedPolicy;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};

use crate::service::complaints::{ComplainantBody, RepresentativeBody};

/// A policy reference.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyRef {
    /// Policy id.
    pub id: String,
    /// Installed version the case pins.
    pub version: i64,
}

/// One clock of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    /// `stage1_acknowledge`, `stage1_response`, `escalation_window`, `stage2_acknowledge`, `stage2_response`,
    /// `stage3_acknowledge`, `stage3_response`, `service_request_response`, `auto_close`.
    pub clock: &'static str,
    /// `duty` (the landlord's) or `window` (the resident's).
    pub kind: &'static str,
    /// Due date.
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    /// Due date before extensions, where extended.
    #[schema(value_type = Option<String>, format = Date)]
    pub original_due_on: Option<Date>,
    /// Date met.
    #[schema(value_type = Option<String>, format = Date)]
    pub met_on: Option<Date>,
    /// `pending`, `overdue`, `met` or `met_late`.
    pub status: &'static str,
    /// How the due date was worked out.
    pub explanation: String,
}

impl From<Deadline> for DeadlineView {
    fn from(d: Deadline) -> Self {
        DeadlineView {
            clock: d.clock.as_str(),
            kind: match d.kind {
                redress_domain::ClockKind::Duty => "duty",
                redress_domain::ClockKind::Window => "window",
            },
            due_on: d.due_on,
            original_due_on: d.original_due_on,
            met_on: d.met_on,
            status: d.status.as_str(),
            explanation: d.explanation,
        }
    }
}

/// A Code expectation not yet met.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningView {
    /// Stable code.
    pub code: &'static str,
    /// Code provision.
    pub provision: &'static str,
    /// What to do.
    pub message: String,
}

impl From<Warning> for WarningView {
    fn from(w: Warning) -> Self {
        WarningView {
            code: w.code,
            provision: w.provision,
            message: w.message,
        }
    }
}

/// A recorded event: the event's own fields plus `seq`, `by` and `recorded_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// 1, 2, 3, …
    pub seq: i64,
    /// The event (`type`, `on` and its fields).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub event: Event,
    /// Who recorded it.
    pub by: Option<String>,
    /// When it was recorded (UTC).
    pub recorded_at: String,
}

/// A complaint case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// Human-readable reference, e.g. `CMP-2026-000042`.
    pub reference: String,
    /// The policy and version the case runs under.
    pub policy: PolicyRef,
    /// Current stage (1, 2 or 3).
    pub stage: u8,
    /// What the policy calls the stage.
    pub stage_name: String,
    /// `awaiting_acknowledgement`, `escalation_decision_needed`, `investigating`, `responded`, `open`,
    /// `closed` or `not_accepted`.
    pub state: &'static str,
    /// `complaint`, `service_request`, `comment` or `compliment`.
    pub feedback_type: &'static str,
    /// Day received.
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    /// How it came in.
    #[schema(value_type = String)]
    pub channel: Channel,
    /// Restricted to complaints managers, whoever logged it and its assigned officer.
    pub confidential: bool,
    /// The complainant (omitted for roles that see no personal data; null when anonymous).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complainant: Option<Option<ComplainantBody>>,
    /// The complaint in the complainant's words (omitted for roles that see no personal data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Assigned officer.
    pub assignee: Option<String>,
    /// The version to send as `If-Match` when recording the next event.
    pub version: i64,
    /// Every event, in order.
    pub events: Vec<EventView>,
    /// Every clock.
    pub deadlines: Vec<DeadlineView>,
    /// What the Code expects that has not been done.
    pub warnings: Vec<WarningView>,
}

pub fn case_view(
    record: CaseRecord,
    loaded: &LoadedPolicy,
    who: &Principal,
    as_of: Date,
) -> ApiResult<CaseView> {
    let events: Vec<CaseEvent> = record.events.iter().map(|e| e.event.clone()).collect();
    let case = Case::fold(&events)
        .map_err(|e| ApiError::Internal(format!("case {} does not fold: {e}", record.reference)))?;
    let policy = &loaded.policy;
    let deadlines = case
        .deadlines(policy, &loaded.calendar, as_of)
        .into_iter()
        .map(Into::into)
        .collect();
    let warnings = case
        .warnings(policy, &loaded.calendar, as_of)
        .into_iter()
        .map(Into::into)
        .collect();
    let personal = who.sees_personal_data();
    Ok(CaseView {
        version: record.version(),
        policy: PolicyRef {
            id: record.policy_id,
            version: record.policy_version,
        },
        stage: case.stage(),
        stage_name: policy
            .stage(case.stage())
            .map_or_else(|| format!("Stage {}", case.stage()), |s| s.name.clone()),
        state: case.state.as_str(),
        feedback_type: case.feedback_type.as_str(),
        received_on: case.received_on,
        channel: case.channel,
        confidential: record.confidential,
        complainant: personal.then(|| {
            record.complainant.map(|c| ComplainantBody {
                representative: c.representative_name.map(|name| RepresentativeBody {
                    name,
                    relationship: c.representative_relationship,
                    consent_recorded: c.representative_consent,
                }),
                name: c.name,
                email: c.email,
                phone: c.phone,
                address: c.address,
            })
        }),
        summary: personal.then_some(record.summary),
        assignee: case.assignee.clone(),
        events: record
            .events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                event: e.event.event,
                by: e.event.by,
                recorded_at: e.recorded_at,
            })
            .collect(),
        deadlines,
        warnings,
        reference: record.reference,
    })
}
