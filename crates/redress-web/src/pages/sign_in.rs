//! Signing in and out, with the sign-in throttle and a safe return address.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use redress_store::StoreError;

use super::form::{Form, check_post, form_map};
use super::layout::{FormError, Page, message, render};
use super::{FormData, SharedState};
use crate::auth::verify_password;
use crate::session::{self, Staff};
use crate::throttle::{self, ClientAddr};

#[derive(Template)]
#[template(path = "sign_in.html")]
pub(crate) struct SignInPage {
    pub(crate) page: Page,
    pub(crate) email: String,
    pub(crate) next: String,
}

/// Where to go after signing in: only a path on this site, starting with a single `/`, made of printable
/// ASCII other than `\` (no spaces, tabs, newlines or other control characters, which browsers strip or a
/// `Location` header cannot carry). Anything else goes to `/`.
pub(crate) fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.clone()
        }
        _ => "/".into(),
    }
}

pub(crate) async fn sign_in_form(Query(q): Query<HashMap<String, String>>) -> Response {
    render(
        &SignInPage {
            page: Page::new("Sign in", None, ""),
            email: String::new(),
            next: safe_next(q.get("next")),
        },
        StatusCode::OK,
    )
}

pub(crate) async fn sign_in(
    State(state): SharedState,
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): FormData,
) -> Response {
    let form = form_map(&form);
    let email = form
        .get("email")
        .map(|e| e.trim().to_lowercase())
        .unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let next = safe_next(form.get("next"));
    let mut page = Page::new("Sign in", None, "");
    if !session::same_origin(&headers) {
        return message(
            None,
            StatusCode::FORBIDDEN,
            "Sign-in refused",
            "The sign-in form must be sent from this site.",
        );
    }
    if email.is_empty() {
        page.errors.push(FormError {
            id: "email".into(),
            message: "Enter your email address".into(),
        });
    }
    if password.is_empty() {
        page.errors.push(FormError {
            id: "password".into(),
            message: "Enter your password".into(),
        });
    }
    if !page.errors.is_empty() {
        return render(
            &SignInPage { page, email, next },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let sorry = || {
        message(
            None,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sorry, there is a problem",
            "Try again later.",
        )
    };
    // Neither the email nor the address is ever logged.
    let account = throttle::account_key(&email);
    let address = throttle::address_key(client.0);
    let limits = &state.sign_in_limits;
    let now = jiff::Timestamp::now();
    match throttle::check(state.store.as_ref(), limits, &account, &address, now).await {
        Ok(None) => {}
        Ok(Some(wait)) => {
            // Refused before the password is looked at, in the same words whether or not the account
            // exists (unknown accounts are counted just the same).
            tracing::warn!(
                scope = wait.scope.as_str(),
                retry_after = wait.retry_after,
                "sign-in refused: too many failed attempts"
            );
            let minutes = wait.minutes();
            page.errors.push(FormError {
                id: "email".into(),
                message: format!(
                    "Too many attempts to sign in. Wait {minutes} minute{} and try again, or ask an administrator to help",
                    if minutes == 1 { "" } else { "s" }
                ),
            });
            let mut resp = render(
                &SignInPage { page, email, next },
                StatusCode::TOO_MANY_REQUESTS,
            );
            if resp.status() == StatusCode::TOO_MANY_REQUESTS {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(wait.retry_after));
            }
            return resp;
        }
        Err(e) => {
            tracing::error!(cause = %e, "sign-in throttle check failed");
            return sorry();
        }
    }
    let user = match state.store.user_by_email(&email).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => {
            tracing::error!(cause = %e, "sign-in lookup failed");
            return sorry();
        }
    };
    // Hash even for unknown users, so that timing does not reveal who has an account.
    let user = match user {
        Some(u) if verify_password(&password, &u.password_hash) => Some(u),
        Some(_) => None,
        None => {
            let _ = verify_password(
                &password,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$2Wq3hgqgQ3ZkPpUM5yEtXq1dE8Yxq2H6X0hN0UuHq1w",
            );
            None
        }
    };
    let Some(user) = user else {
        if let Err(e) =
            throttle::failed(state.store.as_ref(), limits, &account, &address, now).await
        {
            // Unrecorded, the failure would not count: refuse rather than let guesses through uncounted.
            tracing::error!(cause = %e, "recording a failed sign-in failed");
            return sorry();
        }
        page.errors.push(FormError {
            id: "email".into(),
            message: "The email address or password is not right".into(),
        });
        return render(
            &SignInPage { page, email, next },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    if let Err(e) = throttle::succeeded(state.store.as_ref(), &account).await {
        // The earlier failures stay counted until they age out; the sign-in itself is good.
        tracing::error!(cause = %e, user = %user.id, "clearing failed sign-ins failed");
    }
    // `safe_next` leaves only header-safe paths; should one slip through, go home.
    let location = HeaderValue::from_str(&next).unwrap_or_else(|_| HeaderValue::from_static("/"));
    match session::start(state.store.as_ref(), &user, state.secure_cookies).await {
        Ok(cookie) => {
            let Ok(cookie) = HeaderValue::from_str(&cookie) else {
                tracing::error!("session cookie is not a header value");
                return sorry();
            };
            tracing::info!(user = %user.id, "signed in");
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, location), (header::SET_COOKIE, cookie)],
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(cause = %e, "session start failed");
            sorry()
        }
    }
}

pub(crate) async fn sign_out(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Form(form): FormData,
) -> Response {
    let form = form_map(&form);
    if let Err(r) = check_post(&staff, &headers, &form) {
        return r;
    }
    if let Err(e) = state.store.delete_session(&staff.session.id_hash).await {
        // The session still works: say so, rather than clear the cookie and look signed out.
        tracing::error!(cause = %e, user = %staff.user.id, "sign-out failed");
        return message(
            Some(&staff),
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sorry, there is a problem",
            "You have not been signed out, because of a problem on our side. It has been logged; try again.",
        );
    }
    let mut r = Redirect::to("/sign-in").into_response();
    if let Ok(v) = HeaderValue::from_str(&session::clear_cookie(state.secure_cookies)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
