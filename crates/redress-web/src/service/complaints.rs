//! Logging a complaint: the input, its checks, the policy's intake rules, and the first write.

use std::sync::Arc;

use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::case::Case;
use redress_domain::event::{CaseEvent, Channel, Event, Relationship};
use redress_domain::intake::{Intake, check_intake};
use redress_domain::text::{self, TextKind};
use redress_store::{Complainant, IdempotencyKey, NewCase, new_id, now_utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::error::FieldError;
use crate::service::{ServiceError, ServiceResult};
use crate::{AppState, LoadedPolicy};

use crate::service::cases::{project, refusal};

/// A complainant's details (absent for roles that see no personal data).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplainantBody {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Telephone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Postal address.
    #[serde(default)]
    pub address: Option<String>,
    /// Someone acting for the complainant.
    #[serde(default)]
    pub representative: Option<RepresentativeBody>,
}

/// A representative acting for a complainant (advocate, relative, MP, councillor).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeBody {
    /// Their name.
    pub name: String,
    /// Their relationship to the complainant.
    #[serde(default)]
    pub relationship: Option<String>,
    /// Whether the complainant's consent is recorded.
    #[serde(default)]
    pub consent_recorded: bool,
}

/// A new complaint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateComplaint {
    /// Policy id; the default policy when omitted.
    #[serde(default)]
    pub policy: Option<String>,
    /// Day received (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    /// How it came in.
    #[schema(value_type = String, example = "email")]
    pub channel: Channel,
    /// Complainant's details; omit for an anonymous complaint.
    #[serde(default)]
    pub complainant: Option<ComplainantBody>,
    /// Who is complaining, in relation to the landlord. Optional; when omitted the case carries a warning
    /// that it was not recorded.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "tenant")]
    pub relationship: Option<Relationship>,
    /// For a `former_tenant`: the day the tenancy ended (YYYY-MM-DD).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub tenancy_ended_on: Option<Date>,
    /// When the matter arose, or the resident became aware of it (YYYY-MM-DD). A matter older than the
    /// policy's time limit is accepted and flagged for the officer's decision.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub matter_arose_on: Option<Date>,
    /// The complaint in the complainant's words.
    pub summary: String,
    /// Restrict the case to complaints managers, whoever logs it and the officer assigned to it.
    #[serde(default)]
    pub confidential: bool,
    /// A key chosen by the client: sending the same key again with the same complaint returns the case
    /// already created (200); the same key with a different complaint is refused (422). Keys are the
    /// caller's own: another caller's use of the same key is another key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl CreateComplaint {
    /// SHA-256 (hex) of the complaint as parsed, without its idempotency key: the same fields give the same
    /// hash however the JSON was laid out (key order, white space, a `null` for an omitted field).
    pub fn request_hash(&self) -> ServiceResult<String> {
        use sha2::{Digest, Sha256};
        let mut value = serde_json::to_value(self).map_err(|e| {
            ServiceError::Internal(format!("the complaint does not serialise: {e}"))
        })?;
        if let serde_json::Value::Object(fields) = &mut value {
            fields.remove("idempotency_key");
        }
        let bytes = serde_json::to_vec(&value).map_err(|e| {
            ServiceError::Internal(format!("the complaint does not serialise: {e}"))
        })?;
        Ok(hex::encode(Sha256::digest(&bytes)))
    }
}

pub(crate) fn check_text(field: &str, value: &str, kind: TextKind, errors: &mut Vec<FieldError>) {
    if let Some(detail) = text::problem(value, kind) {
        errors.push(FieldError {
            field: field.into(),
            detail,
        });
    }
}

/// Logs a complaint for `who`: validates, pins the policy's latest version, stores the case and its receipt.
/// `triage` is a step recorded with the receipt in the same write (the pages' "what is it?"), decided by
/// the domain first. Returns the reference and whether it was created (false when `who` used the idempotency
/// key before, for the same complaint; for a different one it is refused, naming `idempotency_key`).
pub async fn log_complaint(
    state: &AppState,
    who: &Principal,
    body: CreateComplaint,
    triage: Option<Event>,
) -> ServiceResult<(String, bool)> {
    who.require(Permission::CreateCases, "log complaints")?;
    let today = state.today();
    check_fields(&body, today)?;
    let loaded = policy_to_log_under(state, &body).await?;
    check_intake_rules(&loaded, &body)?;
    let idempotency = idempotency_key(who, &body)?;
    let opened = open_case(&body, who, &loaded, today, triage)?;
    let (reference, created) = state
        .store
        .create_case(NewCase {
            id: new_id(),
            reference_year: body.received_on.year(),
            policy_id: loaded.record.id.clone(),
            policy_version: loaded.record.version,
            complainant: body.complainant.map(complainant_record),
            summary: body.summary,
            confidential: body.confidential,
            projection: project(&opened.case, &loaded, today),
            received: opened.received,
            triage: opened.triage,
            recorded_at: now_utc(),
            idempotency: idempotency.clone(),
        })
        .await?;
    if !created && let Some(sent) = &idempotency {
        refuse_another_complaint_under(state, sent).await?;
    }
    tracing::info!(%reference, created, "complaint logged");
    Ok((reference, created))
}

/// The complaint's fields, each on its own: every problem found, by field.
fn check_fields(body: &CreateComplaint, today: Date) -> ServiceResult<()> {
    let errors = field_problems(body, today);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::fields(errors))
    }
}

/// Every field of a new complaint that is wrong in itself, before the policy is asked: the pages list these
/// with their own form's errors, so that a form's errors are all shown at once.
pub fn field_problems(body: &CreateComplaint, today: Date) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(detail) = redress_domain::intake::receipt_date_problem(body.received_on, today) {
        errors.push(FieldError {
            field: "received_on".into(),
            detail,
        });
    }
    if body.summary.trim().is_empty() {
        errors.push(FieldError {
            field: "summary".into(),
            detail: "describe the complaint".into(),
        });
    }
    check_text("summary", &body.summary, TextKind::Document, &mut errors);
    if let Some(c) = &body.complainant {
        check_complainant(c, &mut errors);
    }
    if let Some(key) = &body.idempotency_key
        && (key.is_empty() || key.len() > 100)
    {
        errors.push(FieldError {
            field: "idempotency_key".into(),
            detail: "must be 1 to 100 characters".into(),
        });
    }
    errors
}

fn check_complainant(c: &ComplainantBody, errors: &mut Vec<FieldError>) {
    let details = [&c.name, &c.email, &c.phone, &c.address].map(|d| d.as_deref());
    if let Some(detail) = redress_domain::intake::unidentified_complainant_problem(details) {
        errors.push(FieldError {
            field: "complainant".into(),
            detail: detail.into(),
        });
    }
    for (field, value, max) in [
        ("complainant.name", &c.name, TextKind::Name),
        ("complainant.email", &c.email, TextKind::Email),
        ("complainant.phone", &c.phone, TextKind::Phone),
        ("complainant.address", &c.address, TextKind::Line),
    ] {
        if let Some(v) = value {
            check_text(field, v, max, errors);
        }
    }
    if let Some(r) = &c.representative {
        check_text(
            "complainant.representative.name",
            &r.name,
            TextKind::Name,
            errors,
        );
        if let Some(rel) = &r.relationship {
            check_text(
                "complainant.representative.relationship",
                rel,
                TextKind::Name,
                errors,
            );
        }
    }
    if let Some(email) = &c.email
        && !text::is_email_address(email)
    {
        errors.push(FieldError {
            field: "complainant.email".into(),
            detail: "is not an email address".into(),
        });
    }
}

/// The latest version of the policy the complaint names, or of the default policy.
async fn policy_to_log_under(
    state: &AppState,
    body: &CreateComplaint,
) -> ServiceResult<Arc<LoadedPolicy>> {
    let policy_id = body
        .policy
        .clone()
        .unwrap_or_else(|| state.default_policy.clone());
    state.policy(&policy_id, None).await.map_err(|e| match e {
        ServiceError::NotFound(_) => {
            ServiceError::invalid("policy", format!("there is no policy '{policy_id}'"))
        }
        e => e,
    })
}

/// The policy's rules on who may complain, anonymous complaints and representatives.
fn check_intake_rules(loaded: &LoadedPolicy, body: &CreateComplaint) -> ServiceResult<()> {
    let intake = Intake {
        received_on: Some(body.received_on),
        relationship: body.relationship,
        tenancy_ended_on: body.tenancy_ended_on,
        matter_arose_on: body.matter_arose_on,
        anonymous: body.complainant.is_none(),
        representative_consent: body
            .complainant
            .as_ref()
            .and_then(|c| c.representative.as_ref())
            .map(|r| r.consent_recorded),
    };
    // The policy refuses (who may complain, anonymous, representatives): a 409 in the policy's words, as
    // for any step the policy or the lifecycle refuses.
    match check_intake(&loaded.policy, &intake).into_iter().next() {
        Some(refused) => Err(ServiceError::Refused {
            detail: refused.message,
            field: Some(refused.field.unwrap_or("complainant").to_owned()),
        }),
        None => Ok(()),
    }
}

/// The key is scoped to the caller, and kept with a hash of the complaint it was sent with.
fn idempotency_key(
    who: &Principal,
    body: &CreateComplaint,
) -> ServiceResult<Option<IdempotencyKey>> {
    match body.idempotency_key.clone() {
        Some(key) => Ok(Some(IdempotencyKey {
            scope: who.id.clone(),
            key,
            request_hash: body.request_hash()?,
        })),
        None => Ok(None),
    }
}

/// A case as it stands once received, before it is stored.
struct OpenedCase {
    received: CaseEvent,
    triage: Option<CaseEvent>,
    case: Case,
}

/// The case opened by its receipt, with its triage at intake decided now and applied: written with the
/// receipt, in one write, nothing is left half-done.
fn open_case(
    body: &CreateComplaint,
    who: &Principal,
    loaded: &LoadedPolicy,
    today: Date,
    triage: Option<Event>,
) -> ServiceResult<OpenedCase> {
    let received = CaseEvent::new(
        Event::Received {
            on: body.received_on,
            channel: body.channel,
            relationship: body.relationship,
            tenancy_ended_on: body.tenancy_ended_on,
            matter_arose_on: body.matter_arose_on,
        },
        Some(&who.id),
    );
    let mut case = Case::open(&received).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let triage = match triage {
        Some(step) => {
            let step = case
                .admit(&loaded.policy, &loaded.calendar, today, step, Some(&who.id))
                .map_err(refusal)?;
            let recorded = CaseEvent::new(step, Some(&who.id));
            case.apply(&recorded)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            Some(recorded)
        }
        None => None,
    };
    Ok(OpenedCase {
        received,
        triage,
        case,
    })
}

fn complainant_record(c: ComplainantBody) -> Complainant {
    Complainant {
        name: c.name,
        email: c.email,
        phone: c.phone,
        address: c.address,
        representative_consent: c
            .representative
            .as_ref()
            .is_some_and(|r| r.consent_recorded),
        representative_relationship: c
            .representative
            .as_ref()
            .and_then(|r| r.relationship.clone()),
        representative_name: c.representative.map(|r| r.name),
    }
}

/// The key was this caller's already: a retry of the same complaint is answered with its case, a
/// different complaint under it is refused. (A key stored before requests were hashed has no hash to
/// compare, and is answered as a retry.)
async fn refuse_another_complaint_under(
    state: &AppState,
    sent: &IdempotencyKey,
) -> ServiceResult<()> {
    let stored = state
        .store
        .reference_for_key(&sent.scope, &sent.key)
        .await?;
    if let Some(stored_hash) = stored.and_then(|k| k.request_hash)
        && stored_hash != sent.request_hash
    {
        return Err(ServiceError::invalid(
            "idempotency_key",
            "was used for a different complaint: send a new key for a new complaint",
        ));
    }
    Ok(())
}
