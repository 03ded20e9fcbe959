//! Intake: whether a complaint may be logged under a policy, before any case exists, and the time limit
//! that a logged complaint is flagged against.
//!
//! Who may complain, anonymous complaints and representatives are the policy's to decide, and a complaint it
//! does not accept is refused in the policy's own words. A matter older than the time limit is never refused
//! here: the Code (2.3) asks the landlord to consider discretion, so the case is flagged for the officer's
//! recorded decision.

use jiff::civil::Date;

use crate::case::{Refused, human_date};
use crate::event::Relationship;
use crate::policy::Policy;

/// What intake knows about a new complaint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Intake {
    /// Day received.
    pub received_on: Option<Date>,
    /// Who is complaining, if recorded.
    pub relationship: Option<Relationship>,
    /// For a former tenant: when the tenancy ended.
    pub tenancy_ended_on: Option<Date>,
    /// When the matter arose, or the resident became aware of it.
    pub matter_arose_on: Option<Date>,
    /// The complainant gave no details.
    pub anonymous: bool,
    /// Someone acts for the complainant: whether the complainant's consent is recorded.
    pub representative_consent: Option<bool>,
}

fn refused(field: &'static str, message: String) -> Refused {
    Refused {
        message,
        field: Some(field),
        malformed: false,
    }
}

fn in_the_policys_words(policy: &Policy) -> String {
    match &policy.eligibility.wording {
        Some(w) if !w.trim().is_empty() => format!(" (the policy says: \"{}\")", w.trim()),
        _ => String::new(),
    }
}

/// What is wrong with the day a complaint was received, as of `today`: a day still to come, or one before
/// the calendar Redress keeps (2000 on).
pub fn receipt_date_problem(received_on: Date, today: Date) -> Option<String> {
    if received_on > today {
        Some(format!("{received_on} is in the future (today is {today})"))
    } else if received_on < crate::calendar::FIRST_DAY {
        Some("is before 2000-01-01".into())
    } else {
        None
    }
}

/// What is wrong with a complainant given by neither a name nor a way to reach them: that is an anonymous
/// complaint, and must be recorded as one, so that the policy's rule on anonymous complaints applies to it.
pub fn unidentified_complainant_problem(details: [Option<&str>; 4]) -> Option<&'static str> {
    details
        .iter()
        .all(|d| d.is_none_or(|d| d.trim().is_empty()))
        .then_some("give a name or a way to contact them, or make the complaint anonymous")
}

/// Every reason the policy refuses this complaint at intake; empty when it may be logged.
pub fn check_intake(policy: &Policy, intake: &Intake) -> Vec<Refused> {
    let mut out = Vec::new();
    let name = &policy.name;
    let e = &policy.eligibility;
    if intake.anonymous && !e.anonymous {
        out.push(refused(
            "complainant",
            format!(
                "{name} does not accept anonymous complaints under this policy: take the complainant's name and a way to reply"
            ),
        ));
    }
    if let Some(consent) = intake.representative_consent {
        let by_elected = intake.relationship == Some(Relationship::MpOrCouncillor);
        let allowed = e.representative || (by_elected && e.mp_or_councillor);
        if !allowed {
            out.push(refused(
                "complainant.representative",
                format!(
                    "{name} does not accept complaints made by representatives under this policy{}",
                    in_the_policys_words(policy)
                ),
            ));
        } else if !consent {
            out.push(refused(
                "complainant.representative.consent_recorded",
                "Record the complainant's consent before a representative acts for them".into(),
            ));
        }
    }
    if let Some(r) = intake.relationship {
        out.extend(check_relationship(
            policy,
            r,
            intake.tenancy_ended_on,
            intake.received_on,
        ));
    } else if intake.tenancy_ended_on.is_some() {
        out.push(refused(
            "tenancy_ended_on",
            "A tenancy end date is given only for a former tenant: give the relationship too"
                .into(),
        ));
    }
    if let (Some(arose), Some(received)) = (intake.matter_arose_on, intake.received_on)
        && arose > received
    {
        out.push(refused(
            "matter_arose_on",
            format!(
                "The matter cannot arise after the complaint was received on {}",
                human_date(received)
            ),
        ));
    }
    out
}

/// Whether a complainant in this relationship may complain under the policy (at intake, or when it is
/// recorded later). `received_on` is the complaint's receipt, for a former tenant's window.
pub fn check_relationship(
    policy: &Policy,
    relationship: Relationship,
    tenancy_ended_on: Option<Date>,
    received_on: Option<Date>,
) -> Option<Refused> {
    let name = &policy.name;
    if !policy.eligibility.accepts(relationship) {
        return Some(refused(
            "relationship",
            format!(
                "{name} does not accept complaints from {} under this policy{}",
                relationship.plural(),
                in_the_policys_words(policy)
            ),
        ));
    }
    if relationship != Relationship::FormerTenant {
        return tenancy_ended_on.map(|_| {
            refused(
                "tenancy_ended_on",
                "A tenancy end date is given only for a former tenant".into(),
            )
        });
    }
    let months = policy.eligibility.former_tenant_within_months;
    let (ended, received) = match (tenancy_ended_on, received_on) {
        (Some(ended), Some(received)) => (ended, received),
        (None, _) => {
            return months.map(|m| {
                refused(
                    "tenancy_ended_on",
                    format!(
                        "Give the day the tenancy ended: {name} accepts complaints from former tenants within {m} months of their tenancy ending"
                    ),
                )
            });
        }
        (Some(_), None) => return None,
    };
    if ended > received {
        return Some(refused(
            "tenancy_ended_on",
            format!(
                "A former tenant's tenancy ended before the complaint was received on {}",
                human_date(received)
            ),
        ));
    }
    let m = months?;
    let last_day = ended
        .checked_add(jiff::Span::new().months(i64::from(m)))
        .unwrap_or(Date::MAX);
    (received > last_day).then(|| {
        refused(
            "tenancy_ended_on",
            format!(
                "{name} accepts complaints from former tenants within {m} months of their tenancy ending; this tenancy ended on {}, so the window closed on {}",
                human_date(ended),
                human_date(last_day)
            ),
        )
    })
}

/// The last day a complaint about a matter that arose on `arose` was within the policy's time limit, when
/// the complaint received on `received` is past it (`None`: within the limit, or the policy has none).
pub fn outside_time_limit(policy: &Policy, arose: Date, received: Date) -> Option<Date> {
    let months = policy.time_bar.months?;
    let last_day = arose
        .checked_add(jiff::Span::new().months(i64::from(months)))
        .ok()?;
    (received > last_day).then_some(last_day)
}
