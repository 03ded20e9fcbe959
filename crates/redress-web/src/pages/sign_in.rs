//! Signing in and out, with the sign-in throttle and a safe return address.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use redress_store::{StoreError, StoreResult, User};

use super::form::{Form, check_post, form_map};
use super::layout::{FormError, Page, message, render};
use super::{FormData, SharedState};
use crate::AppState;
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
    if !session::same_origin(&headers) {
        return message(
            None,
            StatusCode::FORBIDDEN,
            "Sign-in refused",
            "The sign-in form must be sent from this site.",
        );
    }
    let mut answer = SignInPage {
        page: Page::new("Sign in", None, ""),
        email,
        next,
    };
    if answer.ask_for_what_is_missing(&password) {
        return render(&answer, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let attempt = Attempt {
        account: throttle::account_key(&answer.email),
        address: throttle::address_key(client.0),
        now: jiff::Timestamp::now(),
    };
    match attempt.throttled(&state).await {
        Ok(None) => {}
        Ok(Some(wait)) => return too_many_attempts(answer, wait),
        Err(e) => {
            tracing::error!(cause = %e, "sign-in throttle check failed");
            return sorry();
        }
    }
    let user = match user_with_password(&state, &answer.email, &password).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Some(user) = user else {
        return not_right(&state, &attempt, answer).await;
    };
    if let Err(e) = throttle::succeeded(state.store.as_ref(), &attempt.account).await {
        // The earlier failures stay counted until they age out; the sign-in itself is good.
        tracing::error!(cause = %e, user = %user.id, "clearing failed sign-ins failed");
    }
    start_session(&state, &user, &answer.next).await
}

impl SignInPage {
    /// Asks for the email address and the password where either is missing; whether one was.
    fn ask_for_what_is_missing(&mut self, password: &str) -> bool {
        if self.email.is_empty() {
            self.page.errors.push(FormError {
                id: "email".into(),
                message: "Enter your email address".into(),
            });
        }
        if password.is_empty() {
            self.page.errors.push(FormError {
                id: "password".into(),
                message: "Enter your password".into(),
            });
        }
        !self.page.errors.is_empty()
    }
}

/// A sign-in attempt as the throttle counts it. Neither the email nor the address is ever logged.
struct Attempt {
    account: String,
    address: String,
    now: jiff::Timestamp,
}

impl Attempt {
    async fn throttled(&self, state: &AppState) -> StoreResult<Option<throttle::Throttled>> {
        throttle::check(
            state.store.as_ref(),
            &state.sign_in_limits,
            &self.account,
            &self.address,
            self.now,
        )
        .await
    }
}

fn sorry() -> Response {
    message(
        None,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem",
        "Try again later.",
    )
}

/// Refused before the password is looked at, in the same words whether or not the account exists
/// (unknown accounts are counted just the same).
fn too_many_attempts(mut answer: SignInPage, wait: throttle::Throttled) -> Response {
    tracing::warn!(
        scope = wait.scope.as_str(),
        retry_after = wait.retry_after,
        "sign-in refused: too many failed attempts"
    );
    let minutes = wait.minutes();
    answer.page.errors.push(FormError {
        id: "email".into(),
        message: format!(
            "Too many attempts to sign in. Wait {minutes} minute{} and try again, or ask an administrator to help",
            if minutes == 1 { "" } else { "s" }
        ),
    });
    let mut resp = render(&answer, StatusCode::TOO_MANY_REQUESTS);
    if resp.status() == StatusCode::TOO_MANY_REQUESTS {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait.retry_after));
    }
    resp
}

/// The user with this email address, if the password is theirs; an error page if the lookup fails.
async fn user_with_password(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<Option<User>, Response> {
    let user = match state.store.user_by_email(email).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => {
            tracing::error!(cause = %e, "sign-in lookup failed");
            return Err(sorry());
        }
    };
    // Hash even for unknown users, so that timing does not reveal who has an account.
    Ok(match user {
        Some(u) if verify_password(password, &u.password_hash) => Some(u),
        Some(_) => None,
        None => {
            let _ = verify_password(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$2Wq3hgqgQ3ZkPpUM5yEtXq1dE8Yxq2H6X0hN0UuHq1w",
            );
            None
        }
    })
}

/// A wrong email address or password: counted, then the form again.
async fn not_right(state: &AppState, attempt: &Attempt, mut answer: SignInPage) -> Response {
    if let Err(e) = throttle::failed(
        state.store.as_ref(),
        &state.sign_in_limits,
        &attempt.account,
        &attempt.address,
        attempt.now,
    )
    .await
    {
        // Unrecorded, the failure would not count: refuse rather than let guesses through uncounted.
        tracing::error!(cause = %e, "recording a failed sign-in failed");
        return sorry();
    }
    answer.page.errors.push(FormError {
        id: "email".into(),
        message: "The email address or password is not right".into(),
    });
    render(&answer, StatusCode::UNPROCESSABLE_ENTITY)
}

/// Signed in: a new session's cookie, and on to `next`.
async fn start_session(state: &AppState, user: &User, next: &str) -> Response {
    // `safe_next` leaves only header-safe paths; should one slip through, go home.
    let location = HeaderValue::from_str(next).unwrap_or_else(|_| HeaderValue::from_static("/"));
    match session::start(state.store.as_ref(), user, state.secure_cookies).await {
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
