//! Turning domain values into columns and back, the same way for every backend.

use jiff::civil::Date;
use redress_domain::access::Role;
use redress_domain::event::{CaseEvent, Event};

use crate::{StoreError, StoreResult};

/// The sort key for a due date: the date, or `9999-12-31` when nothing is due.
pub const NO_DUE_DATE: &str = "9999-12-31";

/// `YYYY-MM-DD`.
pub fn date_text(d: Date) -> String {
    d.to_string()
}

/// Reads a `YYYY-MM-DD` column.
pub fn parse_date(s: &str) -> StoreResult<Date> {
    s.parse()
        .map_err(|_| StoreError::Other(format!("stored date '{s}' does not parse")))
}

/// Reads an optional date column.
pub fn parse_opt_date(s: Option<String>) -> StoreResult<Option<Date>> {
    s.as_deref().map(parse_date).transpose()
}

/// The due key of a projection.
pub fn due_key(next_due_on: Option<Date>) -> String {
    next_due_on.map_or_else(|| NO_DUE_DATE.to_owned(), date_text)
}

/// The `kind` and `payload` columns of an event.
pub fn encode_event(e: &CaseEvent) -> StoreResult<(&'static str, String)> {
    let payload = serde_json::to_string(&e.event).map_err(StoreError::other)?;
    Ok((e.event.kind(), payload))
}

/// An event from its `payload` and `actor` columns.
pub fn decode_event(payload: &str, actor: Option<String>) -> StoreResult<CaseEvent> {
    let event: Event = serde_json::from_str(payload)
        .map_err(|e| StoreError::Other(format!("stored event does not decode: {e}")))?;
    Ok(CaseEvent { event, by: actor })
}

/// Reads a role column.
pub fn parse_role(s: &str) -> StoreResult<Role> {
    s.parse().map_err(StoreError::Other)
}

/// A stage column.
pub fn parse_stage(n: i64) -> StoreResult<u8> {
    u8::try_from(n).map_err(|_| StoreError::Other(format!("stored stage {n} is out of range")))
}
