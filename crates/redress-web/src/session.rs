//! Staff sign-in for the pages: a session cookie (HttpOnly, SameSite=Lax, Secure when served over TLS)
//! whose secret is stored only as a hash, an idle timeout, and a CSRF token in every form.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use redress_store::{Session, Store, StoreError, User, now_utc};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::auth::{Principal, hash_token};

/// Sessions end after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The cookie's name (with the `__Host-` prefix when the cookie is Secure).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-redress_session"
    } else {
        "redress_session"
    }
}

fn timestamp_after(d: Duration) -> String {
    let ts = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(d.as_secs() as i64))
        .unwrap_or_else(|_| jiff::Timestamp::now());
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Starts a session for `user`; returns the `Set-Cookie` value.
pub async fn start(store: &dyn Store, user: &User, secure: bool) -> Result<String, StoreError> {
    let secret = random_hex(32);
    let now = now_utc();
    store
        .create_session(&Session {
            id_hash: hash_token(&secret),
            user_id: user.id.clone(),
            csrf: random_hex(32),
            created_at: now.clone(),
            last_seen_at: now,
            expires_at: timestamp_after(IDLE_TIMEOUT),
        })
        .await?;
    Ok(set_cookie(&secret, secure, IDLE_TIMEOUT.as_secs()))
}

fn set_cookie(value: &str, secure: bool, max_age: u64) -> String {
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    set_cookie("", secure, 0)
}

/// The session secret from the request's cookies.
pub fn secret_from(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A signed-in member of staff.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The user.
    pub user: User,
    /// Their session.
    pub session: Session,
}

impl Staff {
    /// The same caller as the API sees it: permissions and the id recorded on events.
    pub fn principal(&self) -> Principal {
        Principal {
            id: self.user.id.clone(),
            name: self.user.name.clone(),
            role: self.user.role,
        }
    }

    /// Whether a submitted CSRF token is this session's (compared in constant time).
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        bool::from(self.session.csrf.as_bytes().ct_eq(submitted.as_bytes()))
    }
}

/// Not signed in: go to the sign-in page, then come back.
pub struct SignInFirst(String);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let next: String = self
            .0
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "/-_?=&.".contains(*c))
            .collect();
        Redirect::to(&format!("/sign-in?next={}", urlencode(&next))).into_response()
    }
}

/// Why a page has no signed-in member of staff.
pub enum StaffRejection {
    /// Not signed in, or the session has ended: sign in, then come back.
    SignIn(SignInFirst),
    /// The session could not be read or refreshed (the cause is logged): an opaque 500 page, not a sign-in
    /// page that would look like an ended session.
    Unavailable,
}

impl IntoResponse for StaffRejection {
    fn into_response(self) -> Response {
        match self {
            StaffRejection::SignIn(s) => s.into_response(),
            StaffRejection::Unavailable => crate::pages::layout::failure_page(),
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl FromRequestParts<Arc<AppState>> for Staff {
    type Rejection = StaffRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let back = if parts.method == axum::http::Method::GET {
            here
        } else {
            "/".to_owned()
        };
        let Some(secret) = secret_from(&parts.headers, state.secure_cookies) else {
            return Err(StaffRejection::SignIn(SignInFirst(back)));
        };
        let id_hash = hash_token(&secret);
        let now = now_utc();
        match state.store.session(&id_hash, &now).await {
            Ok((session, user)) => {
                // Slide the idle timeout at most once a minute, not on every request.
                let refresh_after = jiff::Timestamp::now()
                    .checked_add(jiff::SignedDuration::from_secs(
                        IDLE_TIMEOUT.as_secs() as i64 - 60,
                    ))
                    .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
                    .unwrap_or_default();
                if session.expires_at < refresh_after
                    && let Err(e) = state
                        .store
                        .touch_session(&id_hash, &now, &timestamp_after(IDLE_TIMEOUT))
                        .await
                {
                    tracing::error!(cause = %e, user = %user.id, "session refresh failed");
                    return Err(StaffRejection::Unavailable);
                }
                Ok(Staff { user, session })
            }
            Err(StoreError::NotFound) => Err(StaffRejection::SignIn(SignInFirst(back))),
            Err(e) => {
                tracing::error!(cause = %e, "session lookup failed");
                Err(StaffRejection::Unavailable)
            }
        }
    }
}

/// Refuses cross-site form posts: the browser says where a request came from.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let fetch_site_ok = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| matches!(v, "same-origin" | "none"));
    let origin_ok = match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => match (origin.to_str(), host.to_str()) {
            (Ok(origin), Ok(host)) => origin.split_once("://").is_some_and(|(_, h)| h == host),
            _ => false,
        },
        _ => true,
    };
    fetch_site_ok && origin_ok
}
