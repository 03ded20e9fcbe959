//! Who is asking: API bearer tokens (stored as SHA-256 hashes), staff passwords (Argon2id), and the role
//! check every endpoint makes.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use rand::RngCore;
use redress_domain::access::{Permission, Role};
use redress_store::{ApiToken, Store, StoreError, new_id, now_utc, utc_text};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;
use crate::service::{ServiceError, ServiceResult};

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Stable id (the token's or user's id), recorded on every event.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
}

impl Principal {
    /// Refuses unless the role has `permission`; `action` completes "your role may not …".
    pub fn require(&self, permission: Permission, action: &'static str) -> ServiceResult<()> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(self.role.as_str(), action))
        }
    }

    /// Whether this caller may see personal data.
    pub fn sees_personal_data(&self) -> bool {
        self.role.can(Permission::ReadPersonalData)
    }
}

/// SHA-256 of a token, hex. Tokens are 256 random bits, so a fast hash is enough (unlike passwords).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates and stores a new API token that stops working at `expires_at` (never, when `None`); returns the
/// secret, shown once.
pub async fn create_token(
    store: &dyn Store,
    role: Role,
    name: &str,
    expires_at: Option<jiff::Timestamp>,
) -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("rdt_{}", hex::encode(bytes));
    let token = ApiToken {
        id: new_id(),
        name: name.to_owned(),
        role,
        token_hash: hash_token(&secret),
        expires_at: expires_at.map(utc_text),
        last_used_at: None,
        revoked_at: None,
    };
    store.create_token(&token, &now_utc()).await?;
    Ok(secret)
}

/// Hashes a password with Argon2id (default parameters: m=19456, t=2, p=1).
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("could not hash the password: {e}"))
}

/// Whether `password` matches the stored Argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A random password for the first administrator: 20 characters from an unambiguous alphabet.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

impl FromRequestParts<Arc<AppState>> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::Unauthorized);
        };
        let value = value.to_str().map_err(|_| ApiError::Unauthorized)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(ApiError::Unauthorized)?
            .trim();
        if token.is_empty() || token.len() > 200 {
            return Err(ApiError::Unauthorized);
        }
        let t = match state.store.token_by_hash(&hash_token(token)).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => return Err(ApiError::Unauthorized),
            Err(e) => return Err(e.into()),
        };
        let now = now_utc();
        // Revoked and expired tokens get the same 401 as unknown ones: nothing tells a caller which.
        if !t.is_usable_at(&now) {
            return Err(ApiError::Unauthorized);
        }
        // "Last used" to the minute: the write happens only when the stored time is from an earlier minute
        // (or there is none), so a busy integration costs at most one small UPDATE a minute, not one a
        // request. A failed write does not fail the request; it is logged by token id, never the secret.
        if !same_minute(t.last_used_at.as_deref(), &now)
            && let Err(e) = state.store.touch_token(&t.id, &now).await
        {
            tracing::warn!(token_id = %t.id, error = %e, "could not record the API token's last use");
        }
        Ok(Principal {
            id: t.id,
            name: t.name,
            role: t.role,
        })
    }
}

/// Whether a stored instant falls in the same UTC minute as `now` (both fixed-width UTC text, whose first
/// 16 characters are `YYYY-MM-DDTHH:MM`).
fn same_minute(stored: Option<&str>, now: &str) -> bool {
    match (stored.and_then(|s| s.get(..16)), now.get(..16)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("Correct horse battery staple", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn token_hashes_are_stable_hex() {
        assert_eq!(hash_token("abc").len(), 64);
        assert_eq!(hash_token("abc"), hash_token("abc"));
        assert_ne!(hash_token("abc"), hash_token("abd"));
        assert_eq!(random_password().len(), 20);
    }

    #[test]
    fn last_use_is_rewritten_only_in_a_new_minute() {
        let now = "2026-01-05T10:07:59.999999Z";
        assert!(same_minute(Some("2026-01-05T10:07:00.000000Z"), now));
        assert!(!same_minute(Some("2026-01-05T10:06:59.999999Z"), now));
        assert!(!same_minute(Some("2025-01-05T10:07:00.000000Z"), now));
        assert!(!same_minute(None, now), "never used: record it");
        assert!(!same_minute(Some("garbage"), now));
    }
}
