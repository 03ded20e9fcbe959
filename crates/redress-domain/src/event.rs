//! Case events: the facts a complaint's file is made of.
//!
//! A case is its ordered list of events; everything else (its stage, state, clocks and warnings) is derived
//! by folding them (see [`crate::case`]). Events are what happened, dated with the day it happened on (`on`),
//! and are never edited: a correction is a new event.
//!
//! The JSON form is `{"type": "acknowledged", "on": "2025-12-23"}`: snake_case type names, one field per
//! fact, unknown fields refused.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::letters::LetterKind;

/// How a complaint reached the landlord.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email.
    Email,
    /// Telephone.
    Phone,
    /// Letter.
    Letter,
    /// In person, at an office or a visit.
    InPerson,
    /// The website or resident portal.
    Web,
    /// Social media.
    SocialMedia,
    /// Through a representative (advocate, MP, councillor, family).
    Representative,
}

/// How an issued letter was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterChannel {
    /// By email.
    Email,
    /// By post.
    Post,
}

/// Whole numbers as JSON writes them: `240` and `240.0` are the same number (JSON Schema agrees), so both
/// are read; `240.5`, negatives and numbers out of range are refused.
mod whole {
    use serde::{Deserialize, Deserializer, de::Error};

    fn whole(value: serde_json_number::Number) -> Option<u64> {
        value.0
    }

    /// A JSON number that may be a whole number written with a fraction part.
    mod serde_json_number {
        pub struct Number(pub Option<u64>);

        impl<'de> serde::Deserialize<'de> for Number {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = Number;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a whole number")
                    }
                    fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                        Ok(Number(Some(v)))
                    }
                    fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
                        Ok(Number(u64::try_from(v).ok()))
                    }
                    fn visit_f64<E>(self, v: f64) -> Result<Number, E> {
                        let whole = v.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&v);
                        // The range check above makes the cast exact for every whole value it lets through.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        Ok(Number(whole.then_some(v as u64)))
                    }
                }
                d.deserialize_any(Visitor)
            }
        }
    }

    pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let n = serde_json_number::Number::deserialize(d)?;
        whole(n)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| D::Error::custom("expected a whole number from 0 to 4294967295"))
    }

    pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let n = serde_json_number::Number::deserialize(d)?;
        whole(n).ok_or_else(|| D::Error::custom("expected a whole number, 0 or more"))
    }

    pub fn optional_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        match Option::<serde_json_number::Number>::deserialize(d)? {
            None => Ok(None),
            Some(n) => whole(n)
                .map(Some)
                .ok_or_else(|| D::Error::custom("expected a whole number of pence, 0 or more")),
        }
    }
}

/// Who is complaining, in relation to the landlord (Code 1.2, 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// A current tenant.
    Tenant,
    /// A former tenant (with the day the tenancy ended).
    FormerTenant,
    /// A leaseholder or shared owner.
    Leaseholder,
    /// A licensee.
    Licensee,
    /// An applicant for housing.
    Applicant,
    /// A member of the public affected by the landlord's actions.
    MemberOfPublic,
    /// A group of residents.
    Group,
    /// A representative acting for a resident (advocate, friend, relative).
    Representative,
    /// An MP or councillor acting for a resident.
    MpOrCouncillor,
}

impl Relationship {
    /// Singular label ("A tenant").
    pub fn label(self) -> &'static str {
        match self {
            Relationship::Tenant => "A tenant",
            Relationship::FormerTenant => "A former tenant",
            Relationship::Leaseholder => "A leaseholder or shared owner",
            Relationship::Licensee => "A licensee",
            Relationship::Applicant => "An applicant for housing",
            Relationship::MemberOfPublic => "A member of the public",
            Relationship::Group => "A group of residents",
            Relationship::Representative => "A representative acting for a resident",
            Relationship::MpOrCouncillor => "An MP or councillor acting for a resident",
        }
    }

    /// Plural phrase ("tenants") for sentences about who may complain.
    pub fn plural(self) -> &'static str {
        match self {
            Relationship::Tenant => "tenants",
            Relationship::FormerTenant => "former tenants",
            Relationship::Leaseholder => "leaseholders",
            Relationship::Licensee => "licensees",
            Relationship::Applicant => "applicants for housing",
            Relationship::MemberOfPublic => "members of the public",
            Relationship::Group => "groups of residents",
            Relationship::Representative => "representatives",
            Relationship::MpOrCouncillor => "MPs or councillors",
        }
    }
}

/// What the review of a resident's challenge to a contact restriction decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeOutcome {
    /// The restriction stays as it is.
    Kept,
    /// The restriction is changed.
    Varied,
    /// The restriction is lifted.
    Lifted,
}

/// What kind of feedback a contact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackType {
    /// A formal complaint, handled through the stages.
    Complaint,
    /// A request to put something right (Code 1.4), with its own first-contact window where the policy sets
    /// one.
    ServiceRequest,
    /// A comment.
    Comment,
    /// A compliment.
    Compliment,
}

/// The outcome of a stage response, overall or for one head of complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The complaint is upheld.
    Upheld,
    /// Partly upheld.
    PartlyUpheld,
    /// Not upheld.
    NotUpheld,
}

impl Outcome {
    /// "upheld", "partly upheld", "not upheld".
    pub fn phrase(self) -> &'static str {
        match self {
            Outcome::Upheld => "upheld",
            Outcome::PartlyUpheld => "partly upheld",
            Outcome::NotUpheld => "not upheld",
        }
    }
}

/// One head of complaint: what the resident is unhappy about and the outcome they want (Code 5.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// What the complaint is about, in the landlord's understanding.
    pub summary: String,
    /// The outcome the resident seeks.
    #[serde(default)]
    pub outcome_sought: Option<String>,
}

/// The outcome for one head of complaint (heads are numbered from 1 in the order defined).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadOutcome {
    /// The head's number, from 1.
    #[serde(deserialize_with = "whole::u32")]
    pub head: u32,
    /// Its outcome.
    pub outcome: Outcome,
    /// The reasons, briefly.
    #[serde(default)]
    pub reasons: Option<String>,
}

/// Kinds of remedy (Code 7.1, Ombudsman remedies guidance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    /// An apology.
    Apology,
    /// Acknowledging fault, explaining, giving reasons.
    Explanation,
    /// Putting something right: a repair, a visit, a specific action.
    Action,
    /// Reconsidering or changing a decision.
    DecisionChanged,
    /// Amending a record or adding an addendum.
    RecordAmended,
    /// A financial remedy.
    Compensation,
    /// Changing a policy, procedure or practice.
    PolicyChange,
    /// Anything else.
    Other,
}

/// A remedy offered or an action promised, tracked until completed (Code 6.6, 7.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remedy {
    /// The kind.
    pub kind: RemedyKind,
    /// What will be done.
    pub description: String,
    /// Amount in pence, for a financial remedy.
    #[serde(default, deserialize_with = "whole::optional_u64")]
    pub amount_pence: Option<u64>,
    /// By when.
    #[serde(default)]
    pub due_on: Option<Date>,
}

/// An action still outstanding when a response is issued (Code 6.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutstandingAction {
    /// What remains to be done.
    pub description: String,
    /// By when.
    #[serde(default)]
    pub due_on: Option<Date>,
}

/// Why a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The resident confirmed the complaint is resolved.
    Resolved,
    /// The final response was issued.
    FinalResponse,
    /// The resident did not reply after the outcome (the policy's auto-close).
    NoReply,
    /// The resident withdrew the complaint.
    Withdrawn,
    /// Merged into another case.
    Merged,
    /// A comment or compliment, recorded and passed on.
    Recorded,
    /// A service request completed.
    ServiceRequestCompleted,
}

impl CloseReason {
    /// Whether a case may close for this reason before any response has been issued.
    pub fn allowed_without_response(self) -> bool {
        matches!(
            self,
            CloseReason::Withdrawn | CloseReason::Merged | CloseReason::Recorded
        )
    }
}

/// The Housing Ombudsman's findings (one per complaint element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OmbudsmanFinding {
    /// No maladministration.
    NoMaladministration,
    /// Service failure.
    ServiceFailure,
    /// Maladministration.
    Maladministration,
    /// Severe maladministration.
    SevereMaladministration,
    /// Reasonable redress: the landlord put things right.
    ReasonableRedress,
    /// Outside the Ombudsman's jurisdiction.
    OutsideJurisdiction,
    /// Resolved by mediation.
    Mediation,
    /// Withdrawn.
    Withdrawn,
}

impl OmbudsmanFinding {
    /// Whether the finding is adverse to the landlord.
    pub fn is_adverse(self) -> bool {
        matches!(
            self,
            OmbudsmanFinding::ServiceFailure
                | OmbudsmanFinding::Maladministration
                | OmbudsmanFinding::SevereMaladministration
        )
    }
}

/// One element of an Ombudsman determination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OmbudsmanElement {
    /// The element (e.g. "handling of the damp and mould reports", "complaint handling").
    pub element: String,
    /// The finding.
    pub finding: OmbudsmanFinding,
}

/// `ALL`, `as_str` and `parse` for an enum of plain values, from one list of its values and their wire names
/// (the names serde reads and writes), so that no list is kept twice.
macro_rules! wire_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in order.
            pub const ALL: [$ty; [$(stringify!($variant)),+].len()] = [$($ty::$variant),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// The value with this wire name.
            pub fn parse(name: &str) -> Option<$ty> {
                match name {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

wire_names!(Channel {
    Email => "email",
    Phone => "phone",
    Letter => "letter",
    InPerson => "in_person",
    Web => "web",
    SocialMedia => "social_media",
    Representative => "representative",
});

wire_names!(LetterChannel {
    Email => "email",
    Post => "post",
});

wire_names!(Relationship {
    Tenant => "tenant",
    FormerTenant => "former_tenant",
    Leaseholder => "leaseholder",
    Licensee => "licensee",
    Applicant => "applicant",
    MemberOfPublic => "member_of_public",
    Group => "group",
    Representative => "representative",
    MpOrCouncillor => "mp_or_councillor",
});

wire_names!(ChallengeOutcome {
    Kept => "kept",
    Varied => "varied",
    Lifted => "lifted",
});

wire_names!(FeedbackType {
    Complaint => "complaint",
    ServiceRequest => "service_request",
    Comment => "comment",
    Compliment => "compliment",
});

wire_names!(Outcome {
    Upheld => "upheld",
    PartlyUpheld => "partly_upheld",
    NotUpheld => "not_upheld",
});

wire_names!(RemedyKind {
    Apology => "apology",
    Explanation => "explanation",
    Action => "action",
    DecisionChanged => "decision_changed",
    RecordAmended => "record_amended",
    Compensation => "compensation",
    PolicyChange => "policy_change",
    Other => "other",
});

wire_names!(CloseReason {
    Resolved => "resolved",
    FinalResponse => "final_response",
    NoReply => "no_reply",
    Withdrawn => "withdrawn",
    Merged => "merged",
    Recorded => "recorded",
    ServiceRequestCompleted => "service_request_completed",
});

wire_names!(OmbudsmanFinding {
    NoMaladministration => "no_maladministration",
    ServiceFailure => "service_failure",
    Maladministration => "maladministration",
    SevereMaladministration => "severe_maladministration",
    ReasonableRedress => "reasonable_redress",
    OutsideJurisdiction => "outside_jurisdiction",
    Mediation => "mediation",
    Withdrawn => "withdrawn",
});

/// Labels for people, kept beside the wire names so that every screen and letter says the same.
macro_rules! labels {
    ($ty:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        impl $ty {
            /// How the value reads on a screen or in a letter.
            pub fn label(self) -> &'static str {
                match self {
                    $($ty::$variant => $label),+
                }
            }
        }
    };
}

labels!(Channel {
    Email => "Email",
    Phone => "Telephone",
    Letter => "Letter",
    InPerson => "In person",
    Web => "Website or portal",
    SocialMedia => "Social media",
    Representative => "Through a representative",
});

labels!(LetterChannel {
    Email => "Email",
    Post => "Post",
});

labels!(FeedbackType {
    Complaint => "Formal complaint",
    ServiceRequest => "Service request",
    Comment => "Comment",
    Compliment => "Compliment",
});

labels!(Outcome {
    Upheld => "Upheld",
    PartlyUpheld => "Partly upheld",
    NotUpheld => "Not upheld",
});

labels!(RemedyKind {
    Apology => "Apology",
    Explanation => "Explanation or acknowledging fault",
    Action => "Putting something right",
    DecisionChanged => "Reconsidering a decision",
    RecordAmended => "Amending a record",
    Compensation => "Financial remedy",
    PolicyChange => "Changing a policy or practice",
    Other => "Other",
});

labels!(CloseReason {
    Resolved => "Resolved",
    FinalResponse => "The final response has been issued",
    NoReply => "No reply from the resident after the outcome",
    Withdrawn => "Withdrawn by the resident",
    Merged => "Merged into another case",
    Recorded => "Recorded and passed on",
    ServiceRequestCompleted => "Service request completed",
});

labels!(ChallengeOutcome {
    Kept => "The restriction stays",
    Varied => "The restriction is changed",
    Lifted => "The restriction is lifted",
});

/// A fact in a case's life. Every event carries the day it happened on (`on`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The contact was received. Always the first event.
    Received {
        /// Day of receipt.
        on: Date,
        /// How it came in.
        channel: Channel,
        /// Who is complaining, in relation to the landlord; when not recorded the case carries a warning.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        relationship: Option<Relationship>,
        /// For a former tenant: the day the tenancy ended.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tenancy_ended_on: Option<Date>,
        /// When the matter arose, or the resident became aware of it (for the policy's time limit, Code 2.3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        matter_arose_on: Option<Date>,
    },
    /// Who is complaining was recorded after intake (or corrected).
    RelationshipRecorded {
        /// Day.
        on: Date,
        /// Who is complaining, in relation to the landlord.
        relationship: Relationship,
        /// For a former tenant: the day the tenancy ended.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tenancy_ended_on: Option<Date>,
    },
    /// The matter is older than the policy's time limit and the officer decided to consider it anyway
    /// (Code 2.3: discretion for good reason). Not accepting it on that ground is an `excluded` event.
    TimeLimitDiscretionUsed {
        /// Day.
        on: Date,
        /// Why discretion is used.
        reason: String,
    },
    /// Triaged as a complaint, service request, comment or compliment (a case starts as a complaint).
    Classified {
        /// Day.
        on: Date,
        /// What it is.
        feedback_type: FeedbackType,
        /// When reclassified as a complaint: the day the complaint was newly raised (dissatisfaction with
        /// a service request, Code 1.5). Omitted, the complaint keeps its original receipt and clocks.
        #[serde(default)]
        raised_on: Option<Date>,
    },
    /// Not accepted under one of the policy's exclusions (Code 2.1, 2.4).
    Excluded {
        /// Day.
        on: Date,
        /// The exclusion's id in the policy.
        ground: String,
        /// Why it applies to this complaint.
        reason: String,
    },
    /// The current stage was acknowledged (and logged).
    Acknowledged {
        /// Day.
        on: Date,
    },
    /// An officer was assigned to the case.
    Assigned {
        /// Day.
        on: Date,
        /// The officer's user id or name.
        officer: String,
    },
    /// The complaint definition was recorded, or amended if one exists at this stage (Code 5.6).
    ComplaintDefined {
        /// Day.
        on: Date,
        /// The heads of complaint and the outcomes sought.
        heads: Vec<Head>,
        /// Aspects the landlord is not responsible for (Code 5.7).
        #[serde(default)]
        not_responsible_for: Vec<String>,
    },
    /// The response deadline of the current stage was extended.
    Extended {
        /// Day.
        on: Date,
        /// Extra working days.
        #[serde(deserialize_with = "whole::u32")]
        working_days: u32,
        /// Why (told to the resident with the new date).
        reason: String,
        /// Whether the resident's agreement is recorded.
        resident_agreed: bool,
    },
    /// Adverse findings were shared with the resident for comment before the decision.
    AdverseFindingsShared {
        /// Day.
        on: Date,
    },
    /// The current stage's response was issued.
    Responded {
        /// Day.
        on: Date,
        /// The overall outcome (derived from the heads when omitted).
        #[serde(default)]
        outcome: Option<Outcome>,
        /// Outcome per head of complaint.
        #[serde(default)]
        heads: Vec<HeadOutcome>,
        /// Remedies offered.
        #[serde(default)]
        remedies: Vec<Remedy>,
        /// Actions still outstanding.
        #[serde(default)]
        outstanding_actions: Vec<OutstandingAction>,
    },
    /// The resident asked to escalate to the next stage.
    EscalationRequested {
        /// Day.
        on: Date,
        /// The resident's reasons, if given (never required by the Code, 6.12).
        #[serde(default)]
        reasons: Option<String>,
        /// Set by the service, never by the client: the request came after the policy's escalation window,
        /// so the landlord must decide whether to accept it (`escalation_accepted`) or refuse it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        out_of_time: bool,
    },
    /// A request to escalate made after the window was accepted, using discretion.
    EscalationAccepted {
        /// Day.
        on: Date,
        /// Why discretion is used.
        reason: String,
    },
    /// The landlord refused to escalate, on one of the policy's grounds.
    EscalationRefused {
        /// Day.
        on: Date,
        /// The ground's id.
        ground: String,
        /// The explanation given to the resident.
        #[serde(default)]
        explanation: Option<String>,
    },
    /// The resident confirmed the complaint is resolved.
    ResolvedConfirmed {
        /// Day.
        on: Date,
    },
    /// The case was closed.
    Closed {
        /// Day.
        on: Date,
        /// Why.
        reason: CloseReason,
        /// An explanation: needed to close as resolved without the resident's recorded confirmation.
        #[serde(default)]
        explanation: Option<String>,
    },
    /// A closed case was reopened.
    Reopened {
        /// Day.
        on: Date,
        /// Why.
        reason: String,
    },
    /// New information at a later stage sent the complaint back to stage 1.
    ReturnedToStage1 {
        /// Day.
        on: Date,
        /// Why.
        reason: String,
    },
    /// An additional issue was merged into this complaint (Code 6.8).
    IssueMerged {
        /// Day.
        on: Date,
        /// The issue.
        summary: String,
        /// The reference of the case it came from, if any.
        #[serde(default)]
        from_reference: Option<String>,
    },
    /// An issue was split out into a new complaint (Code 6.8).
    IssueSplitOut {
        /// Day.
        on: Date,
        /// The issue.
        summary: String,
        /// The reference of the new case, if known.
        #[serde(default)]
        to_reference: Option<String>,
    },
    /// The complaint was referred to the Housing Ombudsman.
    ReferredToOmbudsman {
        /// Day.
        on: Date,
        /// The Ombudsman's reference.
        #[serde(default)]
        ombudsman_reference: Option<String>,
    },
    /// The Ombudsman's determination.
    OmbudsmanDetermined {
        /// Day.
        on: Date,
        /// Findings per element.
        findings: Vec<OmbudsmanElement>,
        /// Orders (tracked as remedies).
        #[serde(default)]
        orders: Vec<Remedy>,
    },
    /// The resident's needs and the reasonable adjustments agreed (Equality Act 2010; Code 5.10), kept under
    /// review.
    AdjustmentsRecorded {
        /// Day.
        on: Date,
        /// The needs disclosed (vulnerability, disability, language).
        needs: String,
        /// The adjustments agreed.
        adjustments: String,
        /// When to review them.
        #[serde(default)]
        review_on: Option<Date>,
    },
    /// A proportionate restriction on the resident's contact (Code 5.14, 5.15), approved and time-limited.
    ContactRestricted {
        /// Day.
        on: Date,
        /// What is restricted and how the resident may still make contact.
        restriction: String,
        /// Who approved it (the policy names the role).
        approved_by: String,
        /// When it will be reviewed.
        review_on: Date,
    },
    /// The resident challenged the way their contact is restricted, and the challenge was decided (seed 001:
    /// reviewed once, by the person the policy names).
    ContactRestrictionChallenged {
        /// Day decided.
        on: Date,
        /// What the review decided.
        outcome: ChallengeOutcome,
        /// Why, as told to the resident.
        explanation: String,
    },
    /// A remedy, outstanding action or Ombudsman order was completed.
    RemedyCompleted {
        /// Day.
        on: Date,
        /// Its id in the case (`R1`, `R2`, …).
        remedy: String,
    },
    /// A letter was issued to the resident: immutable from now on, kept as a document. Recorded only by
    /// issuing the letter (`POST /api/v1/letters/{id}/issue`), never on its own.
    LetterIssued {
        /// Day issued.
        on: Date,
        /// The letter's id.
        letter: String,
        /// Its kind.
        kind: LetterKind,
        /// The stage it is about.
        stage: u8,
        /// How it was sent.
        channel: LetterChannel,
        /// Who it was sent to: names and the addresses it went to.
        recipients: Vec<String>,
        /// The issued document's id: the SHA-256 of its bytes, in lower-case hex.
        document: String,
        /// The answers to the policy's checklist for the letter, where it has one.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        checklist: Vec<crate::letters::ChecklistAnswer>,
    },
    /// A document (a photo, a PDF, an email) was attached to the case. Recorded only by uploading it
    /// (`POST /api/v1/complaints/{reference}/documents`), never on its own.
    DocumentAdded {
        /// Day added.
        on: Date,
        /// The attachment's id on the case (what `GET /api/v1/documents/{id}` takes).
        document: String,
        /// The SHA-256 of its bytes, in lower-case hex.
        sha256: String,
        /// Its file name, made safe.
        name: String,
        /// Its media type, as sniffed from its bytes.
        content_type: String,
        /// Its size in bytes.
        #[serde(deserialize_with = "whole::u64")]
        size: u64,
    },
}

impl Event {
    /// The wire name of every event type.
    pub const KINDS: [&'static str; 28] = [
        "received",
        "relationship_recorded",
        "time_limit_discretion_used",
        "classified",
        "excluded",
        "acknowledged",
        "assigned",
        "complaint_defined",
        "extended",
        "adverse_findings_shared",
        "responded",
        "escalation_requested",
        "escalation_accepted",
        "escalation_refused",
        "resolved_confirmed",
        "closed",
        "reopened",
        "returned_to_stage1",
        "issue_merged",
        "issue_split_out",
        "referred_to_ombudsman",
        "ombudsman_determined",
        "adjustments_recorded",
        "contact_restricted",
        "contact_restriction_challenged",
        "remedy_completed",
        "letter_issued",
        "document_added",
    ];

    /// A receipt with nothing recorded about who is complaining or when the matter arose.
    pub fn received(on: Date, channel: Channel) -> Event {
        Event::Received {
            on,
            channel,
            relationship: None,
            tenancy_ended_on: None,
            matter_arose_on: None,
        }
    }

    /// The day the event happened on.
    pub fn on(&self) -> Date {
        match self {
            Event::Received { on, .. }
            | Event::Classified { on, .. }
            | Event::Excluded { on, .. }
            | Event::Acknowledged { on }
            | Event::Assigned { on, .. }
            | Event::ComplaintDefined { on, .. }
            | Event::Extended { on, .. }
            | Event::AdverseFindingsShared { on }
            | Event::Responded { on, .. }
            | Event::EscalationRequested { on, .. }
            | Event::EscalationRefused { on, .. }
            | Event::ResolvedConfirmed { on }
            | Event::Closed { on, .. }
            | Event::Reopened { on, .. }
            | Event::ReturnedToStage1 { on, .. }
            | Event::IssueMerged { on, .. }
            | Event::IssueSplitOut { on, .. }
            | Event::ReferredToOmbudsman { on, .. }
            | Event::OmbudsmanDetermined { on, .. }
            | Event::AdjustmentsRecorded { on, .. }
            | Event::ContactRestricted { on, .. }
            | Event::RemedyCompleted { on, .. }
            | Event::RelationshipRecorded { on, .. }
            | Event::TimeLimitDiscretionUsed { on, .. }
            | Event::EscalationAccepted { on, .. }
            | Event::ContactRestrictionChallenged { on, .. }
            | Event::LetterIssued { on, .. }
            | Event::DocumentAdded { on, .. } => *on,
        }
    }

    /// The wire name of the event's type.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Received { .. } => "received",
            Event::Classified { .. } => "classified",
            Event::Excluded { .. } => "excluded",
            Event::Acknowledged { .. } => "acknowledged",
            Event::Assigned { .. } => "assigned",
            Event::ComplaintDefined { .. } => "complaint_defined",
            Event::Extended { .. } => "extended",
            Event::AdverseFindingsShared { .. } => "adverse_findings_shared",
            Event::Responded { .. } => "responded",
            Event::EscalationRequested { .. } => "escalation_requested",
            Event::EscalationRefused { .. } => "escalation_refused",
            Event::ResolvedConfirmed { .. } => "resolved_confirmed",
            Event::Closed { .. } => "closed",
            Event::Reopened { .. } => "reopened",
            Event::ReturnedToStage1 { .. } => "returned_to_stage1",
            Event::IssueMerged { .. } => "issue_merged",
            Event::IssueSplitOut { .. } => "issue_split_out",
            Event::ReferredToOmbudsman { .. } => "referred_to_ombudsman",
            Event::OmbudsmanDetermined { .. } => "ombudsman_determined",
            Event::AdjustmentsRecorded { .. } => "adjustments_recorded",
            Event::ContactRestricted { .. } => "contact_restricted",
            Event::RemedyCompleted { .. } => "remedy_completed",
            Event::RelationshipRecorded { .. } => "relationship_recorded",
            Event::TimeLimitDiscretionUsed { .. } => "time_limit_discretion_used",
            Event::EscalationAccepted { .. } => "escalation_accepted",
            Event::ContactRestrictionChallenged { .. } => "contact_restriction_challenged",
            Event::LetterIssued { .. } => "letter_issued",
            Event::DocumentAdded { .. } => "document_added",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.kind(), self.on())
    }
}

/// An event with who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// The event.
    #[serde(flatten)]
    pub event: Event,
    /// The officer (user id) who recorded it, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl CaseEvent {
    /// An event recorded by `by`.
    pub fn new(event: Event, by: Option<&str>) -> CaseEvent {
        CaseEvent {
            event,
            by: by.map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_from_the_documented_json_shape() {
        let e: Event =
            serde_json::from_str(r#"{"type": "acknowledged", "on": "2025-12-23"}"#).unwrap();
        assert_eq!(
            e,
            Event::Acknowledged {
                on: jiff::civil::date(2025, 12, 23)
            }
        );
        let e: Event = serde_json::from_str(
            r#"{"type": "extended", "on": "2026-01-05", "working_days": 10, "reason": "Surveyor's report awaited", "resident_agreed": false}"#,
        )
        .unwrap();
        assert_eq!(e.kind(), "extended");
        let e: Event = serde_json::from_str(
            r#"{"type": "responded", "on": "2026-01-09", "outcome": "upheld"}"#,
        )
        .unwrap();
        assert!(matches!(
            e,
            Event::Responded {
                outcome: Some(Outcome::Upheld),
                ..
            }
        ));
    }

    #[test]
    fn unknown_fields_and_impossible_dates_are_refused() {
        let err = serde_json::from_str::<Event>(
            r#"{"type": "acknowledged", "on": "2025-12-23", "colour": "red"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        let err = serde_json::from_str::<Event>(r#"{"type": "acknowledged", "on": "2025-02-30"}"#)
            .unwrap_err();
        assert!(!err.to_string().is_empty());
        let err = serde_json::from_str::<Event>(r#"{"type": "teleported", "on": "2025-02-03"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("teleported"), "{err}");
    }

    #[test]
    fn whole_numbers_may_be_written_with_a_fraction_part_and_nothing_else_may() {
        let extended = |days: &str| {
            serde_json::from_str::<Event>(&format!(
                r#"{{"type": "extended", "on": "2026-01-05", "working_days": {days}, "reason": "Survey", "resident_agreed": false}}"#
            ))
        };
        assert!(matches!(
            extended("10.0"),
            Ok(Event::Extended {
                working_days: 10,
                ..
            })
        ));
        for bad in ["10.5", "-1", "4294967296", "1e300"] {
            let err = extended(bad).unwrap_err().to_string();
            assert!(err.contains("whole number"), "{bad}: {err}");
        }
        let remedy: Remedy = serde_json::from_str(
            r#"{"kind": "compensation", "description": "For the delay", "amount_pence": 15000.0}"#,
        )
        .unwrap();
        assert_eq!(remedy.amount_pence, Some(15_000));
    }

    /// Every wire name is the one serde reads and writes, and parses back.
    #[test]
    fn wire_names_agree_with_serde() {
        fn check<T: Copy + PartialEq + std::fmt::Debug + Serialize>(
            all: &[T],
            name: fn(T) -> &'static str,
            parse: fn(&str) -> Option<T>,
        ) {
            for v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), name(*v), "{v:?}");
                assert_eq!(parse(name(*v)), Some(*v));
            }
            assert_eq!(parse("no-such-value"), None);
        }
        check(&Channel::ALL, Channel::as_str, Channel::parse);
        check(
            &LetterChannel::ALL,
            LetterChannel::as_str,
            LetterChannel::parse,
        );
        check(
            &Relationship::ALL,
            Relationship::as_str,
            Relationship::parse,
        );
        check(
            &ChallengeOutcome::ALL,
            ChallengeOutcome::as_str,
            ChallengeOutcome::parse,
        );
        check(
            &FeedbackType::ALL,
            FeedbackType::as_str,
            FeedbackType::parse,
        );
        check(&Outcome::ALL, Outcome::as_str, Outcome::parse);
        check(&RemedyKind::ALL, RemedyKind::as_str, RemedyKind::parse);
        check(&CloseReason::ALL, CloseReason::as_str, CloseReason::parse);
        check(
            &OmbudsmanFinding::ALL,
            OmbudsmanFinding::as_str,
            OmbudsmanFinding::parse,
        );
    }

    #[test]
    fn events_round_trip_through_json() {
        let e = Event::OmbudsmanDetermined {
            on: jiff::civil::date(2026, 6, 1),
            findings: vec![OmbudsmanElement {
                element: "Complaint handling".into(),
                finding: OmbudsmanFinding::ServiceFailure,
            }],
            orders: vec![Remedy {
                kind: RemedyKind::Compensation,
                description: "Pay £150 for time and trouble".into(),
                amount_pence: Some(15_000),
                due_on: Some(jiff::civil::date(2026, 6, 29)),
            }],
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
}
