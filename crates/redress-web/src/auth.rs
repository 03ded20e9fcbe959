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
use redress_store::{ApiToken, Store, StoreError, new_id, now_utc};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

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
    pub fn require(&self, permission: Permission, action: &'static str) -> Result<(), ApiError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(self.role.as_str(), action))
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

/// Creates and stores a new API token; returns the secret, shown once.
pub async fn create_token(store: &dyn Store, role: Role, name: &str) -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("rdt_{}", hex::encode(bytes));
    let token = ApiToken {
        id: new_id(),
        name: name.to_owned(),
        role,
        token_hash: hash_token(&secret),
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
        match state.store.token_by_hash(&hash_token(token)).await {
            Ok(t) => Ok(Principal {
                id: t.id,
                name: t.name,
                role: t.role,
            }),
            Err(StoreError::NotFound) => Err(ApiError::Unauthorized),
            Err(e) => Err(e.into()),
        }
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
}
