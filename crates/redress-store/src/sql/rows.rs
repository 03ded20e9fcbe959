//! Reading rows into the store's types, for any [`SqlDatabase`].

use super::*;

/// The projection columns of a `cases` row.
pub(super) fn projection_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<Projection> {
    Ok(Projection {
        stage: parse_stage(DB::int(row, "stage")?)?,
        state: DB::text(row, "state")?,
        feedback_type: DB::text(row, "feedback_type")?,
        received_on: parse_date(&DB::text(row, "received_on")?)?,
        assignee: DB::maybe_text(row, "assignee")?,
        next_due_on: parse_opt_date(DB::maybe_text(row, "next_due_on")?)?,
        next_due_clock: DB::maybe_text(row, "next_due_clock")?,
        is_open: DB::flag(row, "is_open")?,
        late_acknowledged_on: parse_opt_date(DB::maybe_text(row, "late_acknowledged_on")?)?,
    })
}

pub(super) fn policy_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<PolicyRecord> {
    Ok(PolicyRecord {
        id: DB::text(row, "id")?,
        version: DB::int(row, "version")?,
        name: DB::text(row, "name")?,
        toml: DB::text(row, "toml")?,
        installed_at: DB::text(row, "installed_at")?,
    })
}

/// A user from a row with the `users` columns.
pub(super) fn user_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<User> {
    Ok(User {
        id: DB::text(row, "id")?,
        email: DB::text(row, "email")?,
        name: DB::text(row, "name")?,
        role: parse_role(&DB::text(row, "role")?)?,
        password_hash: DB::text(row, "password_hash")?,
    })
}

pub(super) fn token_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: DB::text(row, "id")?,
        name: DB::text(row, "name")?,
        role: parse_role(&DB::text(row, "role")?)?,
        token_hash: DB::text(row, "token_hash")?,
        expires_at: DB::maybe_text(row, "expires_at")?,
        last_used_at: DB::maybe_text(row, "last_used_at")?,
        revoked_at: DB::maybe_text(row, "revoked_at")?,
    })
}

pub(super) fn token_summary_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<TokenSummary> {
    Ok(TokenSummary {
        id: DB::text(row, "id")?,
        name: DB::text(row, "name")?,
        role: parse_role(&DB::text(row, "role")?)?,
        created_at: DB::text(row, "created_at")?,
        last_used_at: DB::maybe_text(row, "last_used_at")?,
        expires_at: DB::maybe_text(row, "expires_at")?,
        revoked_at: DB::maybe_text(row, "revoked_at")?,
    })
}

pub(super) fn session_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<Session> {
    Ok(Session {
        id_hash: DB::text(row, "id_hash")?,
        user_id: DB::text(row, "user_id")?,
        csrf: DB::text(row, "csrf")?,
        created_at: DB::text(row, "created_at")?,
        last_seen_at: DB::text(row, "last_seen_at")?,
        expires_at: DB::text(row, "expires_at")?,
    })
}

/// The personal data of a case row left-joined with `complainants`; `None` when it has none.
pub(super) fn complainant_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<Option<Complainant>> {
    if DB::maybe_text(row, "has_complainant")?.is_none() {
        return Ok(None);
    }
    Ok(Some(Complainant {
        name: DB::maybe_text(row, "name")?,
        email: DB::maybe_text(row, "email")?,
        phone: DB::maybe_text(row, "phone")?,
        address: DB::maybe_text(row, "address")?,
        representative_name: DB::maybe_text(row, "representative_name")?,
        representative_relationship: DB::maybe_text(row, "representative_relationship")?,
        representative_consent: DB::flag(row, "representative_consent")?,
    }))
}

pub(super) fn stored_event_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<StoredEvent> {
    Ok(StoredEvent {
        seq: DB::int(row, "seq")?,
        event: decode_event(&DB::text(row, "payload")?, DB::maybe_text(row, "actor")?)?,
        recorded_at: DB::text(row, "recorded_at")?,
    })
}

pub(super) fn case_summary_from<DB: SqlDatabase>(row: &DB::Row) -> StoreResult<CaseSummary> {
    Ok(CaseSummary {
        id: DB::text(row, "id")?,
        reference: DB::text(row, "reference")?,
        policy_id: DB::text(row, "policy_id")?,
        policy_version: DB::int(row, "policy_version")?,
        complainant_name: DB::maybe_text(row, "complainant_name")?,
        confidential: DB::flag(row, "confidential")?,
        projection: projection_from::<DB>(row)?,
    })
}
