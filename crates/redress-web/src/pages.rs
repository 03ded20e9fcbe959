//! Staff pages: sign-in, the work queue, logging a complaint, the case file with every step its state
//! allows, and the policies. Server-rendered from askama templates (escaped everywhere), our own stylesheet,
//! no JavaScript. Every form carries the session's CSRF token; every rule comes from the domain through the
//! same functions the API uses.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::case::{Case, ClockKind, State as CaseState, clock_label, human_date};
use redress_domain::compliance::{self, Severity};
use redress_domain::event::{
    ChallengeOutcome, Channel, CloseReason, Event, FeedbackType, Head, HeadOutcome, Outcome,
    OutstandingAction, Relationship, Remedy, RemedyKind,
};
use redress_domain::urgency::Urgency;
use redress_store::{CaseFilter, Cursor, QueueCounts, Sort, StoreError, User};

use crate::api::{self, ComplainantBody, CreateComplaint, RepresentativeBody};
use crate::auth::{Principal, verify_password};
use crate::error::{ApiError, FieldError};
use crate::session::{self, Staff};
use crate::throttle::{self, ClientAddr};
use crate::{AppState, LoadedPolicy};

type SharedState = State<Arc<AppState>>;
type FormData = Form<Vec<(String, String)>>;

/// The page routes.
pub fn router() -> axum::Router<Arc<AppState>> {
    axum::Router::new()
        .route("/", get(dashboard))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/complaints/new", get(new_complaint_form))
        .route("/complaints", post(submit_complaint_form))
        .route("/complaints/{reference}", get(case_page))
        .route(
            "/complaints/{reference}/steps/{step}",
            post(submit_step_form),
        )
        .route("/policies", get(policies_page))
        .route("/policies/{id}", get(policy_page))
        .route("/static/style.css", get(stylesheet))
}

// ------------------------------------------------------------------------------------------------------
// Layout.

/// One error in the summary, linked to its field.
#[derive(Debug, Clone)]
pub struct FormError {
    /// The field's id.
    pub id: String,
    /// The message.
    pub message: String,
}

/// What every page's layout needs.
pub struct Page {
    title: String,
    user: Option<String>,
    role: &'static str,
    csrf: String,
    nav: &'static str,
    can_log: bool,
    errors: Vec<FormError>,
    done: Option<String>,
}

impl Page {
    fn new(title: impl Into<String>, staff: Option<&Staff>, nav: &'static str) -> Page {
        Page {
            title: title.into(),
            user: staff.map(|s| s.user.name.clone()),
            role: staff.map_or("", |s| s.user.role.display_name()),
            csrf: staff.map(|s| s.session.csrf.clone()).unwrap_or_default(),
            nav,
            can_log: staff.is_some_and(|s| s.user.role.can(Permission::CreateCases)),
            errors: Vec::new(),
            done: None,
        }
    }

    /// The error for a field, if any.
    pub fn error_for(&self, id: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.message.as_str())
    }
}

fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            secure_headers(r.headers_mut());
            r
        }
        Err(e) => {
            tracing::error!(cause = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. It has been logged.",
            )
                .into_response()
        }
    }
}

fn secure_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    page: Page,
    heading: String,
    body: String,
}

fn message(staff: Option<&Staff>, status: StatusCode, heading: &str, body: &str) -> Response {
    render(
        &MessagePage {
            page: Page::new(heading, staff, ""),
            heading: heading.into(),
            body: body.into(),
        },
        status,
    )
}

/// An API error as a page.
fn error_page(staff: &Staff, e: ApiError) -> Response {
    error_page_for(Some(staff), e)
}

/// An API error as a page, answered with the error's own status (404, 409, 413, 422, …): the same status
/// the API would answer. 5xx pages are opaque; their cause is logged.
fn error_page_for(staff: Option<&Staff>, e: ApiError) -> Response {
    let status = e.status();
    match e {
        ApiError::NotFound(m) => message(staff, status, "Page not found", &capitalise(&m)),
        ApiError::Forbidden(..) => message(staff, status, "You cannot do this", &e.to_string()),
        ApiError::Internal(cause) => {
            // Store and domain errors carry no request bodies, so no personal data reaches the log.
            tracing::error!(%cause, "page failed");
            message(
                staff,
                status,
                "Sorry, there is a problem",
                "Something went wrong on our side. It has been logged; try again later.",
            )
        }
        ApiError::TooLarge(max) => message(
            staff,
            status,
            "The form is too large",
            &format!(
                "What you sent is larger than Redress accepts ({} KB). Shorten the longest text and try again.",
                max / 1024
            ),
        ),
        other => message(
            staff,
            status,
            "Sorry, there is a problem",
            &capitalise(&other.to_string()),
        ),
    }
}

/// The opaque 500 page for a failure whose cause the caller has logged, before any member of staff is known.
pub(crate) fn failure_page() -> Response {
    message(
        None,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem",
        "Something went wrong on our side. It has been logged; try again later.",
    )
}

/// A store read or write that failed while building a page: logged (what failed and why, no personal
/// data), answered with an opaque 500 page. Never swallowed, so that a page is never shown incomplete
/// (a missing duplicate warning) or an action reported done when it was not (a sign-out).
fn store_failed(staff: &Staff, what: &'static str, e: StoreError) -> Response {
    error_page(
        staff,
        match e {
            StoreError::Other(cause) => ApiError::Internal(format!("{what}: {cause}")),
            other => ApiError::Internal(format!("{what}: {other}")),
        },
    )
}

/// A form body, read as axum's `Form`, whose rejection is a page with the rejection's own status: 413 for
/// a body over the limit, 415 for another content type, 400 for one that cannot be read.
struct Form<T>(T);

impl<T, St> FromRequest<St> for Form<T>
where
    axum::Form<T>: FromRequest<St, Rejection = axum::extract::rejection::FormRejection>,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &St) -> Result<Self, Response> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) => {
                let e = match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(crate::MAX_BODY),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(
                        "a web form (application/x-www-form-urlencoded)",
                    ),
                    _ => ApiError::BadRequest(
                        "the form could not be read. Go back, reload the page and try again".into(),
                    ),
                };
                Err(error_page_for(None, e))
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn form_map(form: &[(String, String)]) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for (k, v) in form {
        m.insert(k.clone(), v.clone());
    }
    m
}

/// CSRF and same-origin checks for a form post.
#[allow(
    clippy::result_large_err,
    reason = "the error is the page to send back, used once per request"
)]
fn check_post(
    staff: &Staff,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(), Response> {
    let token = form.get("_csrf").map(String::as_str).unwrap_or("");
    if !staff.csrf_ok(token) || !session::same_origin(headers) {
        return Err(message(
            Some(staff),
            StatusCode::FORBIDDEN,
            "This form has expired",
            "For your security the form could not be accepted. Go back, reload the page and try again.",
        ));
    }
    Ok(())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
        .into_response()
}

// ------------------------------------------------------------------------------------------------------
// Sign in and out.

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    page: Page,
    email: String,
    next: String,
}

/// Where to go after signing in: only a path on this site, starting with a single `/`, made of printable
/// ASCII other than `\` (no spaces, tabs, newlines or other control characters, which browsers strip or a
/// `Location` header cannot carry). Anything else goes to `/`.
fn safe_next(next: Option<&String>) -> String {
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

async fn sign_in_form(Query(q): Query<HashMap<String, String>>) -> Response {
    render(
        &SignInPage {
            page: Page::new("Sign in", None, ""),
            email: String::new(),
            next: safe_next(q.get("next")),
        },
        StatusCode::OK,
    )
}

async fn sign_in(
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

async fn sign_out(
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

// ------------------------------------------------------------------------------------------------------
// The work queue.

/// An option in a select or radio group.
pub struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn opt(value: impl Into<String>, label: impl Into<String>, current: &str) -> Opt {
    let value = value.into();
    Opt {
        selected: value == current,
        value,
        label: label.into(),
    }
}

struct Select {
    name: &'static str,
    label: &'static str,
    options: Vec<Opt>,
}

struct Row {
    reference: String,
    complainant: String,
    stage: String,
    next_due: String,
    tag_class: &'static str,
    tag_text: String,
    assignee: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: Page,
    counts: QueueCounts,
    selects: Vec<Select>,
    received_from: String,
    received_to: String,
    mine: bool,
    overdue: bool,
    include_closed: bool,
    rows: Vec<Row>,
    caption: String,
    next_link: Option<String>,
}

fn state_label(state: &str) -> &'static str {
    CaseState::parse(state).map_or("Unknown", CaseState::label)
}

async fn dashboard(
    State(state): SharedState,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let who = staff.principal();
    let today = state.today();
    let get = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mine = get("mine").is_some();
    let overdue = get("overdue").is_some();
    let include_closed = get("closed").is_some();
    let mut page = Page::new(
        if mine { "My work queue" } else { "Work queue" },
        Some(&staff),
        "queue",
    );
    let include_confidential = who.role.can(Permission::ReadConfidential);
    let mut filter = CaseFilter {
        include_confidential,
        // Confidential cases the officer logged or is assigned to, as on the API.
        confidential_for: (!include_confidential).then(|| staff.user.id.clone()),
        open_only: !include_closed,
        limit: 50,
        sort: if get("sort").as_deref() == Some("received") {
            Sort::Received
        } else {
            Sort::Due
        },
        ..CaseFilter::default()
    };
    filter.state = get("state").filter(|s| CaseState::parse(s).is_some());
    filter.policy = get("policy");
    filter.assignee = if mine {
        Some(staff.user.id.clone())
    } else {
        get("assignee")
    };
    filter.stage = get("stage")
        .and_then(|s| s.parse().ok())
        .filter(|s| (1..=3).contains(s));
    if overdue {
        filter.overdue_as_of = Some(today);
    }
    for (key, target) in [
        ("received_from", &mut filter.received_from),
        ("received_to", &mut filter.received_to),
    ] {
        if let Some(v) = get(key) {
            match api::strict_date(&v) {
                Some(d) => *target = Some(d),
                None => page.errors.push(FormError {
                    id: key.into(),
                    message: format!(
                        "Enter a real date for '{}'",
                        if key == "received_from" {
                            "Received from"
                        } else {
                            "Received to"
                        }
                    ),
                }),
            }
        }
    }
    // A cursor continues its own order: with no sort chosen it sets it; under another it starts again.
    filter.after = get("cursor").and_then(|c| Cursor::decode(&c));
    if let Some(cursor) = &filter.after {
        if get("sort").is_none() {
            filter.sort = cursor.sort;
        } else if cursor.sort != filter.sort {
            filter.after = None;
        }
    }

    let users = match state.store.users().await {
        Ok(u) => u,
        Err(e) => return store_failed(&staff, "work queue: reading users", e),
    };
    let names: HashMap<String, String> = users
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let page_result = state.store.list_cases(&filter).await;
    let counts = state
        .store
        .queue_counts(
            today,
            week_end(today),
            first_of_month(today),
            filter.include_confidential,
            mine.then_some(staff.user.id.as_str()),
        )
        .await;
    let (list, counts) = match (page_result, counts) {
        (Ok(list), Ok(counts)) => (list, counts),
        (Err(e), _) => return store_failed(&staff, "work queue: listing cases", e),
        (_, Err(e)) => return store_failed(&staff, "work queue: counting cases", e),
    };
    let mut rows = Vec::with_capacity(list.items.len());
    for c in &list.items {
        let p = &c.projection;
        let loaded = match state.policy(&c.policy_id, Some(c.policy_version)).await {
            Ok(l) => Some(l),
            Err(ApiError::NotFound(_)) => None,
            Err(e) => return error_page(&staff, e),
        };
        let (tag_class, tag_text) = queue_tag(p, loaded.as_deref(), today);
        rows.push(Row {
            reference: c.reference.clone(),
            complainant: if c.confidential && !who.role.can(Permission::ReadConfidential)
                || !who.sees_personal_data()
            {
                "Hidden".into()
            } else if c.confidential {
                format!(
                    "{} (confidential)",
                    c.complainant_name
                        .clone()
                        .unwrap_or_else(|| "Anonymous".into())
                )
            } else {
                c.complainant_name
                    .clone()
                    .unwrap_or_else(|| "Anonymous".into())
            },
            stage: loaded.as_ref().map_or_else(
                || format!("Stage {}", p.stage),
                |l| l.policy.stage_name(p.stage),
            ),
            next_due: match (&p.next_due_on, &p.next_due_clock, &loaded) {
                (Some(d), Some(clock), Some(l)) => {
                    format!("{} – {}", human_date(*d), clock_label(&l.policy, clock))
                }
                (Some(d), _, _) => human_date(*d),
                _ => "None".into(),
            },
            tag_class,
            tag_text,
            assignee: p
                .assignee
                .as_ref()
                .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone()))
                .unwrap_or_else(|| "Not assigned".into()),
        });
    }
    let next_link = list.next.map(|c| {
        let mut params: Vec<String> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "cursor")
            .map(|(k, v)| format!("{}={}", session::urlencode(k), session::urlencode(v)))
            .collect();
        params.sort();
        params.push(format!("cursor={}", session::urlencode(&c.encode())));
        format!("/?{}", params.join("&"))
    });
    let policies = match state.store.policies().await {
        Ok(p) => p,
        Err(e) => return store_failed(&staff, "work queue: reading policies", e),
    };
    let cur = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut assignees = vec![opt("", "Anyone", &cur("assignee"))];
    assignees.extend(
        users
            .iter()
            .map(|u| opt(u.id.clone(), u.name.clone(), &cur("assignee"))),
    );
    let mut policy_opts = vec![opt("", "Any policy", &cur("policy"))];
    policy_opts.extend(
        policies
            .iter()
            .map(|p| opt(p.id.clone(), p.name.clone(), &cur("policy"))),
    );
    let selects = vec![
        Select {
            name: "stage",
            label: "Stage",
            options: vec![
                opt("", "Any stage", &cur("stage")),
                opt("1", "Stage 1", &cur("stage")),
                opt("2", "Stage 2", &cur("stage")),
                opt("3", "Stage 3", &cur("stage")),
            ],
        },
        Select {
            name: "state",
            label: "State",
            options: std::iter::once("")
                .chain(CaseState::ALL.iter().map(|s| s.as_str()))
                .map(|s| {
                    opt(
                        s,
                        if s.is_empty() {
                            "Any state"
                        } else {
                            state_label(s)
                        },
                        &cur("state"),
                    )
                })
                .collect(),
        },
        Select {
            name: "assignee",
            label: "Assigned to",
            options: assignees,
        },
        Select {
            name: "policy",
            label: "Policy",
            options: policy_opts,
        },
        Select {
            name: "sort",
            label: "Sort by",
            options: vec![
                opt("due", "Next deadline", &cur("sort")),
                opt("received", "Newest received", &cur("sort")),
            ],
        },
    ];
    let caption = format!(
        "{} {}{}",
        rows.len(),
        if rows.len() == 1 { "case" } else { "cases" },
        if filter.after.is_some() {
            " (continued)"
        } else {
            ""
        }
    );
    render(
        &DashboardPage {
            page,
            counts,
            selects,
            received_from: cur("received_from"),
            received_to: cur("received_to"),
            mine,
            overdue,
            include_closed,
            rows,
            caption,
            next_link,
        },
        StatusCode::OK,
    )
}

/// A work-queue row's tag: the domain's urgency of its next duty, or that an acknowledgement was late.
fn queue_tag(
    p: &redress_store::Projection,
    loaded: Option<&crate::LoadedPolicy>,
    today: Date,
) -> (&'static str, String) {
    if !p.is_open {
        return ("tag-neutral", "Closed".into());
    }
    let fallback = redress_domain::Calendar::uk(redress_domain::Division::EnglandAndWales);
    let (calendar, warning) = loaded.map_or(
        (
            &fallback,
            redress_domain::urgency::DEFAULT_DUE_SOON_WORKING_DAYS,
        ),
        |l| (&l.calendar, l.policy.due_soon_working_days),
    );
    let urgency = p
        .next_due_on
        .map(|due| redress_domain::urgency::of_duty(due, calendar, warning, today));
    match urgency {
        Some(u @ Urgency::Overdue) => ("tag-overdue", u.label(warning)),
        Some(u @ (Urgency::DueToday | Urgency::DueSoon)) => ("tag-soon", u.label(warning)),
        _ if p.late_acknowledged_on.is_some() => ("tag-late", Urgency::MetLate.label(warning)),
        _ => ("tag-ok", Urgency::OnTrack.label(warning)),
    }
}

fn week_end(today: Date) -> Date {
    let offset = 6 - i64::from(today.weekday().to_monday_zero_offset());
    today
        .checked_add(jiff::Span::new().days(offset))
        .unwrap_or(today)
}

fn first_of_month(today: Date) -> Date {
    today.first_of_month()
}

// ------------------------------------------------------------------------------------------------------
// Logging a complaint.

#[derive(Template)]
#[template(path = "new_complaint.html")]
struct NewComplaintPage {
    page: Page,
    values: HashMap<String, String>,
    channels: Vec<Opt>,
    policies: Vec<Opt>,
    triage: Vec<Opt>,
    relationships: Vec<Opt>,
    exclusions: Vec<Opt>,
    duplicates: Vec<String>,
    idempotency_key: String,
}

impl NewComplaintPage {
    /// A submitted value, for re-showing the form.
    fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
}

const CHANNELS: [(&str, &str); 7] = [
    ("phone", "Telephone"),
    ("email", "Email"),
    ("letter", "Letter"),
    ("in_person", "In person"),
    ("web", "Website or portal"),
    ("social_media", "Social media"),
    ("representative", "Through a representative"),
];

async fn new_complaint_page(
    state: &AppState,
    staff: &Staff,
    values: HashMap<String, String>,
    errors: Vec<FormError>,
    duplicates: Vec<String>,
) -> Result<NewComplaintPage, Response> {
    let mut page = Page::new("Log a complaint", Some(staff), "new");
    page.errors = errors;
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let policy = if get("policy").is_empty() {
        state.default_policy.clone()
    } else {
        get("policy")
    };
    let installed = match state.store.policies().await {
        Ok(p) => p,
        Err(e) => return Err(store_failed(staff, "log a complaint: listing policies", e)),
    };
    // An unknown policy id in the form has no exclusions to offer; any other failure is ours, and shown.
    let exclusions = match state.policy(&policy, None).await {
        Ok(l) => l
            .policy
            .exclusions
            .iter()
            .map(|e| opt(e.id.clone(), truncate(&e.text, 90), &get("exclusion")))
            .collect(),
        Err(ApiError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(error_page(staff, e)),
    };
    let triage_current = if get("triage").is_empty() {
        "complaint".to_owned()
    } else {
        get("triage")
    };
    let key = if get("idempotency_key").is_empty() {
        redress_store::new_id()
    } else {
        get("idempotency_key")
    };
    Ok(NewComplaintPage {
        page,
        channels: CHANNELS
            .iter()
            .map(|(v, l)| opt(*v, *l, &get("channel")))
            .collect(),
        policies: installed
            .iter()
            .map(|p| opt(p.id.clone(), p.name.clone(), &policy))
            .collect(),
        triage: [
            ("complaint", "A formal complaint"),
            (
                "service_request",
                "A service request (a request to put something right, handled first)",
            ),
            ("comment", "A comment"),
            ("compliment", "A compliment"),
            (
                "not_accepted",
                "A complaint we cannot accept under the policy",
            ),
        ]
        .iter()
        .map(|(v, l)| opt(*v, *l, &triage_current))
        .collect(),
        relationships: Relationship::ALL
            .iter()
            .map(|r| opt(r.as_str(), r.label(), &get("relationship")))
            .collect(),
        exclusions,
        duplicates,
        idempotency_key: key,
        values,
    })
}

/// The text with every `YYYY-MM-DD` in it written as the pages write dates ("Tue 1 Dec 2026").
fn humanise_dates(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..i]);
        let candidate = rest.get(i..i + 10).unwrap_or("");
        let bounded = !rest[i + candidate.len()..].starts_with(|c: char| c.is_ascii_digit());
        match api::strict_date(candidate).filter(|_| bounded && candidate.len() == 10) {
            Some(d) => {
                out.push_str(&human_date(d));
                rest = &rest[i + 10..];
            }
            None => {
                let digits = rest[i..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len() - i);
                out.push_str(&rest[i..i + digits]);
                rest = &rest[i + digits..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

async fn new_complaint_form(State(state): SharedState, staff: Staff) -> Response {
    if !staff.user.role.can(Permission::CreateCases) {
        return error_page(
            &staff,
            ApiError::Forbidden(staff.user.role.as_str(), "log complaints"),
        );
    }
    let mut values = HashMap::new();
    values.insert("received_on".to_owned(), state.today().to_string());
    render(
        &match new_complaint_page(&state, &staff, values, Vec::new(), Vec::new()).await {
            Ok(p) => p,
            Err(r) => return r,
        },
        StatusCode::OK,
    )
}

fn api_errors(e: &ApiError) -> Vec<FormError> {
    match e {
        ApiError::Invalid { errors, detail } => {
            if errors.is_empty() {
                vec![FormError {
                    id: "main".into(),
                    message: detail.clone(),
                }]
            } else {
                errors
                    .iter()
                    .map(|FieldError { field, detail }| FormError {
                        id: field.clone(),
                        message: capitalise(detail),
                    })
                    .collect()
            }
        }
        ApiError::Conflict { detail, field } => vec![FormError {
            id: field.clone().unwrap_or_else(|| "main".into()),
            message: detail.clone(),
        }],
        other => vec![FormError {
            id: "main".into(),
            message: other.to_string(),
        }],
    }
}

/// The API's message about a field of the log-a-complaint form, reworded to name the field, as the error
/// summary lists it away from the field ("Telephone must be 40 characters or fewer").
fn complaint_error_message(id: &str, message: String) -> String {
    let label = match id {
        "complainant.name" => "Full name",
        "complainant.email" => "Email address",
        "complainant.phone" => "Telephone",
        "complainant.address" => "Address",
        "summary" => "What the complaint is about",
        _ => return message,
    };
    if id == "complainant.email" && message == "Is not an email address" {
        return "Enter an email address in the correct format, like name@example.com".into();
    }
    if let Some(max) = message
        .strip_prefix("Is longer than ")
        .and_then(|rest| rest.strip_suffix(" characters"))
    {
        return format!("{label} must be {max} characters or fewer");
    }
    if message == "Contains control characters" {
        return format!("{label} contains characters that cannot be stored");
    }
    message
}

/// An optional date field of a form: `None` when blank, an error when not a real date.
fn form_date(
    get: &impl Fn(&str) -> Option<String>,
    id: &str,
    what: &str,
    errors: &mut Vec<FormError>,
) -> Option<Date> {
    let value = get(id)?;
    match value.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FormError {
                id: id.into(),
                message: format!("Enter {what} as a real date, for example 23/12/2025"),
            });
            None
        }
    }
}

async fn submit_complaint_form(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Form(form): FormData,
) -> Response {
    let values = form_map(&form);
    if let Err(r) = check_post(&staff, &headers, &values) {
        return r;
    }
    let who = staff.principal();
    let get = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut errors = Vec::new();
    let received_on = match get("received_on").map(|d| d.parse::<Date>()) {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            errors.push(FormError {
                id: "received_on".into(),
                message: "Enter a real date received, for example 23/12/2025".into(),
            });
            None
        }
        None => {
            errors.push(FormError {
                id: "received_on".into(),
                message: "Enter the date the complaint was received".into(),
            });
            None
        }
    };
    let channel = get("channel").and_then(|c| Channel::ALL.into_iter().find(|x| x.as_str() == c));
    if channel.is_none() {
        errors.push(FormError {
            id: "channel".into(),
            message: "Select how the complaint reached us".into(),
        });
    }
    let triage = get("triage").unwrap_or_else(|| "complaint".into());
    let exclusion = get("exclusion");
    let exclusion_reason = get("exclusion_reason");
    if triage == "not_accepted" {
        if exclusion.is_none() {
            errors.push(FormError {
                id: "exclusion".into(),
                message: "Select the policy's ground for not accepting the complaint".into(),
            });
        }
        if exclusion_reason.is_none() {
            errors.push(FormError {
                id: "exclusion_reason".into(),
                message: "Explain why the ground applies: the resident will be told".into(),
            });
        }
    }
    let anonymous = get("anonymous").is_some();
    let representative = get("representative_name").map(|name| RepresentativeBody {
        name,
        relationship: get("representative_relationship"),
        consent_recorded: get("representative_consent").is_some(),
    });
    let relationship = match get("relationship").as_deref().map(Relationship::parse) {
        Some(None) => {
            errors.push(FormError {
                id: "relationship".into(),
                message: "Select who is complaining".into(),
            });
            None
        }
        Some(r) => r,
        None => None,
    };
    let tenancy_ended_on = form_date(
        &get,
        "tenancy_ended_on",
        "the day the tenancy ended",
        &mut errors,
    );
    let matter_arose_on = form_date(
        &get,
        "matter_arose_on",
        "the day the matter arose",
        &mut errors,
    );
    let complainant = if anonymous {
        None
    } else {
        Some(ComplainantBody {
            name: get("name"),
            email: get("email"),
            phone: get("phone"),
            address: get("address"),
            representative,
        })
    };
    if !errors.is_empty() {
        let page = match new_complaint_page(&state, &staff, values, errors, Vec::new()).await {
            Ok(p) => p,
            Err(r) => return r,
        };
        return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // A form submitted twice goes to the case the first submission created: keys are the signed-in user's
    // own, so another's key never leads to their case.
    if let Some(key) = get("idempotency_key") {
        match state.store.reference_for_key(&who.id, &key).await {
            Ok(Some(keyed)) => {
                return Redirect::to(&format!("/complaints/{}?done=logged", keyed.reference))
                    .into_response();
            }
            Ok(None) => {}
            Err(e) => return store_failed(&staff, "log a complaint: idempotency key", e),
        }
    }
    // Warn once when the same person already has an open case.
    if get("not_duplicate").is_none()
        && let Some(c) = &complainant
    {
        let dups = match state
            .store
            .open_cases_of(c.email.as_deref(), c.name.as_deref())
            .await
        {
            Ok(d) => d,
            Err(e) => return store_failed(&staff, "log a complaint: duplicate check", e),
        };
        if !dups.is_empty() {
            let page = match new_complaint_page(&state, &staff, values, Vec::new(), dups).await {
                Ok(p) => p,
                Err(r) => return r,
            };
            return render(&page, StatusCode::OK);
        }
    }
    let (Some(received_on), Some(channel)) = (received_on, channel) else {
        return error_page(&staff, ApiError::BadRequest("missing fields".into()));
    };
    let body = CreateComplaint {
        policy: get("policy"),
        received_on,
        channel,
        complainant,
        relationship,
        tenancy_ended_on,
        matter_arose_on,
        summary: values.get("summary").cloned().unwrap_or_default(),
        confidential: get("confidential").is_some(),
        idempotency_key: get("idempotency_key"),
    };
    // Triage, recorded with the receipt in the same write.
    let step = match triage.as_str() {
        "service_request" => Some(FeedbackType::ServiceRequest),
        "comment" => Some(FeedbackType::Comment),
        "compliment" => Some(FeedbackType::Compliment),
        _ => None,
    }
    .map(|feedback_type| Event::Classified {
        on: received_on,
        feedback_type,
        raised_on: None,
    })
    .or_else(|| {
        (triage == "not_accepted").then(|| Event::Excluded {
            on: received_on,
            ground: exclusion.clone().unwrap_or_default(),
            reason: exclusion_reason.clone().unwrap_or_default(),
        })
    });
    let (reference, _created) = match api::log_complaint(&state, &who, body, step).await {
        Ok(r) => r,
        Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict { .. })) => {
            let errors = api_errors(&e)
                .into_iter()
                .map(|mut fe| {
                    if fe.id == "main" || fe.id.is_empty() {
                        fe.id = "summary".into();
                    }
                    if fe.id == "complainant.representative.consent_recorded" {
                        fe.id = "representative_consent".into();
                    }
                    if fe.id == "complainant.representative" {
                        fe.id = "representative_name".into();
                    }
                    fe.id = match fe.id.as_str() {
                        "complainant" => "anonymous".into(),
                        "feedback_type" => "triage".into(),
                        "ground" => "exclusion".into(),
                        "reason" => "exclusion_reason".into(),
                        _ => fe.id,
                    };
                    fe.message = complaint_error_message(&fe.id, fe.message);
                    fe
                })
                .collect();
            let page = match new_complaint_page(&state, &staff, values, errors, Vec::new()).await {
                Ok(p) => p,
                Err(r) => return r,
            };
            return render(&page, e.status());
        }
        Err(e) => return error_page(&staff, e),
    };
    Redirect::to(&format!("/complaints/{reference}?done=logged")).into_response()
}

// ------------------------------------------------------------------------------------------------------
// The case file.

struct ClockRow {
    clock: &'static str,
    label: String,
    due: String,
    met: String,
    tag_class: &'static str,
    tag_text: String,
    explanation: String,
}

struct TimelineItem {
    when: String,
    by: String,
    title: String,
    details: Vec<String>,
}

/// A form field of a step.
pub struct Field {
    id: String,
    name: String,
    label: String,
    hint: Option<String>,
    kind: &'static str,
    value: String,
    options: Vec<Opt>,
    error: Option<String>,
}

impl Field {
    /// The ids of the hint and the error message that describe the field, for `aria-describedby`.
    fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// One step's form.
pub struct StepForm {
    slug: &'static str,
    title: String,
    hint: Option<String>,
    button: &'static str,
    fields: Vec<Field>,
    open: bool,
    warning: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    page: Page,
    reference: String,
    version: i64,
    policy_label: String,
    policy_id: String,
    policy_name: String,
    policy_version: i64,
    stage_name: String,
    state_label: &'static str,
    feedback_label: &'static str,
    received: String,
    channel: &'static str,
    assignee: String,
    complainant: Vec<(String, String)>,
    summary: Option<String>,
    confidential: bool,
    adjustments: String,
    restriction: String,
    heads: Vec<(String, String)>,
    clocks: Vec<ClockRow>,
    warnings: Vec<String>,
    remedies: Vec<String>,
    timeline: Vec<TimelineItem>,
    steps: Vec<StepForm>,
    can_record: bool,
}

fn channel_label(c: Channel) -> &'static str {
    CHANNELS
        .iter()
        .find(|(v, _)| *v == c.as_str())
        .map_or("another channel", |(_, l)| l)
}

fn field(
    step: &str,
    name: &str,
    label: &str,
    kind: &'static str,
    values: &HashMap<String, String>,
    errors: &[FormError],
) -> Field {
    let id = format!("{step}-{name}");
    Field {
        value: values.get(name).cloned().unwrap_or_default(),
        error: errors
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.message.clone()),
        id,
        name: name.into(),
        label: label.into(),
        hint: None,
        kind,
        options: Vec::new(),
    }
}

fn with_hint(mut f: Field, hint: impl Into<String>) -> Field {
    f.hint = Some(hint.into());
    f
}

fn with_options(mut f: Field, options: Vec<(String, String)>) -> Field {
    f.options = options
        .into_iter()
        .map(|(v, l)| Opt {
            value: v,
            label: l,
            selected: false,
        })
        .collect();
    if f.value.is_empty()
        && let Some(first) = f.options.first()
    {
        f.value = first.value.clone();
    }
    f
}

fn with_default(mut f: Field, v: impl Into<String>) -> Field {
    if f.value.is_empty() {
        f.value = v.into();
    }
    f
}

/// What happened, for the timeline.
fn describe_event(
    e: &Event,
    names: &HashMap<String, String>,
    loaded: &LoadedPolicy,
) -> (String, Vec<String>) {
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    match e {
        Event::Received {
            channel,
            relationship,
            tenancy_ended_on,
            matter_arose_on,
            ..
        } => (
            format!("Received by {}", channel_label(*channel).to_lowercase()),
            relationship
                .map(|r| format!("From: {}", r.label().to_lowercase()))
                .into_iter()
                .chain(tenancy_ended_on.map(|d| format!("Tenancy ended {}", human_date(d))))
                .chain(matter_arose_on.map(|d| format!("The matter arose {}", human_date(d))))
                .collect(),
        ),
        Event::Classified { feedback_type, .. } => (
            format!(
                "Classified as a {}",
                feedback_type.as_str().replace('_', " ")
            ),
            vec![],
        ),
        Event::Excluded { ground, reason, .. } => (
            "Not accepted".into(),
            vec![
                format!(
                    "Ground: {}",
                    loaded
                        .policy
                        .exclusion(ground)
                        .map_or(ground.clone(), |x| x.text.clone())
                ),
                format!("Why: {reason}"),
            ],
        ),
        Event::Acknowledged { .. } => ("Acknowledged".into(), vec![]),
        Event::Assigned { officer, .. } => (format!("Assigned to {}", name_of(officer)), vec![]),
        Event::ComplaintDefined {
            heads,
            not_responsible_for,
            ..
        } => {
            let mut d: Vec<String> = heads
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    format!(
                        "{}. {}{}",
                        i + 1,
                        h.summary,
                        h.outcome_sought
                            .as_ref()
                            .map(|o| format!(" (outcome sought: {o})"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            d.extend(
                not_responsible_for
                    .iter()
                    .map(|n| format!("Not our responsibility: {n}")),
            );
            ("Complaint defined".into(), d)
        }
        Event::Extended {
            working_days,
            reason,
            resident_agreed,
            ..
        } => (
            format!(
                "Extended by {working_days} working day{}",
                if *working_days == 1 { "" } else { "s" }
            ),
            vec![
                format!("Reason: {reason}"),
                if *resident_agreed {
                    "The resident agreed".into()
                } else {
                    "Without the resident's agreement".into()
                },
            ],
        ),
        Event::AdverseFindingsShared { .. } => (
            "Adverse findings shared with the resident for comment".into(),
            vec![],
        ),
        Event::Responded {
            outcome,
            heads,
            remedies,
            outstanding_actions,
            ..
        } => {
            let mut d = Vec::new();
            if let Some(o) = outcome {
                d.push(format!("Outcome: {}", o.phrase()));
            }
            d.extend(
                heads
                    .iter()
                    .map(|h| format!("Head {}: {}", h.head, h.outcome.phrase())),
            );
            d.extend(
                remedies
                    .iter()
                    .map(|r| format!("Remedy: {}", r.description)),
            );
            d.extend(
                outstanding_actions
                    .iter()
                    .map(|a| format!("Outstanding action: {}", a.description)),
            );
            ("Response issued".into(), d)
        }
        Event::EscalationRequested { reasons, .. } => (
            "Resident asked to escalate".into(),
            reasons.iter().map(|r| format!("Reasons: {r}")).collect(),
        ),
        Event::EscalationAccepted { reason, .. } => (
            "Late request to escalate accepted".into(),
            vec![format!("Why: {reason}")],
        ),
        Event::RelationshipRecorded {
            relationship,
            tenancy_ended_on,
            ..
        } => (
            format!(
                "Complainant recorded as: {}",
                relationship.label().to_lowercase()
            ),
            tenancy_ended_on
                .iter()
                .map(|d| format!("Tenancy ended {}", human_date(*d)))
                .collect(),
        ),
        Event::TimeLimitDiscretionUsed { reason, .. } => (
            "Considered although outside the time limit".into(),
            vec![format!("Why: {reason}")],
        ),
        Event::ContactRestrictionChallenged {
            outcome,
            explanation,
            ..
        } => (
            format!(
                "Challenge to the contact restriction reviewed: {}",
                match outcome {
                    ChallengeOutcome::Kept => "it stays",
                    ChallengeOutcome::Varied => "it is changed",
                    ChallengeOutcome::Lifted => "it is lifted",
                }
            ),
            vec![format!("Why: {explanation}")],
        ),
        Event::EscalationRefused {
            ground,
            explanation,
            ..
        } => (
            "Escalation refused".into(),
            vec![format!("Ground: {ground}")]
                .into_iter()
                .chain(explanation.iter().map(|e| format!("Explanation: {e}")))
                .collect(),
        ),
        Event::ResolvedConfirmed { .. } => ("The resident confirmed it is resolved".into(), vec![]),
        Event::Closed {
            reason,
            explanation,
            ..
        } => (
            format!("Closed: {}", reason.as_str().replace('_', " ")),
            explanation.iter().cloned().collect(),
        ),
        Event::Reopened { reason, .. } => ("Reopened".into(), vec![reason.clone()]),
        Event::ReturnedToStage1 { reason, .. } => {
            ("Returned to stage 1".into(), vec![reason.clone()])
        }
        Event::IssueMerged { summary, .. } => ("Issue added".into(), vec![summary.clone()]),
        Event::IssueSplitOut { summary, .. } => ("Issue split out".into(), vec![summary.clone()]),
        Event::ReferredToOmbudsman {
            ombudsman_reference,
            ..
        } => (
            "Referred to the Housing Ombudsman".into(),
            ombudsman_reference
                .iter()
                .map(|r| format!("Ombudsman reference: {r}"))
                .collect(),
        ),
        Event::OmbudsmanDetermined { findings, .. } => (
            "Ombudsman determination".into(),
            findings
                .iter()
                .map(|f| format!("{}: {:?}", f.element, f.finding))
                .collect(),
        ),
        Event::AdjustmentsRecorded {
            needs, adjustments, ..
        } => (
            "Needs and adjustments recorded".into(),
            vec![
                format!("Needs: {needs}"),
                format!("Adjustments: {adjustments}"),
            ],
        ),
        Event::ContactRestricted {
            restriction,
            approved_by,
            review_on,
            ..
        } => (
            "Contact restricted".into(),
            vec![
                restriction.clone(),
                format!(
                    "Approved by {}; review by {}",
                    name_of(approved_by),
                    human_date(*review_on)
                ),
            ],
        ),
        Event::RemedyCompleted { remedy, .. } => (format!("Remedy {remedy} completed"), vec![]),
    }
}

/// The steps the case allows now, for this user: asked of the domain, never decided here.
#[allow(
    clippy::too_many_arguments,
    reason = "a page builder: each input is a different part of the page"
)]
fn steps_for(
    case: &Case,
    loaded: &LoadedPolicy,
    who: &Principal,
    today: Date,
    users: &[User],
    values: &HashMap<String, String>,
    errors: &[FormError],
    failed_step: Option<&str>,
) -> Vec<StepForm> {
    if !who.role.can(Permission::RecordEvents) {
        return Vec::new();
    }
    let policy = &loaded.policy;
    let on = today.max(case.last_event_on);
    let allowed = |e: &Event| {
        case.decide(policy, &loaded.calendar, today, e, Some(&who.id))
            .is_ok()
    };
    let stage = case.stage();
    let stage_name = policy
        .stage(stage)
        .map_or_else(|| format!("Stage {stage}"), |s| s.name.clone());
    let v = |slug: &str| {
        if failed_step == Some(slug) {
            values.clone()
        } else {
            HashMap::new()
        }
    };
    let date_field = |slug: &str| {
        with_default(
            field(slug, "on", "Date", "date", &v(slug), errors),
            on.to_string(),
        )
    };
    let mut steps = Vec::new();
    let mut push = |slug: &'static str,
                    title: String,
                    hint: Option<String>,
                    button: &'static str,
                    fields: Vec<Field>,
                    warning: bool| {
        steps.push(StepForm {
            open: failed_step == Some(slug),
            slug,
            title,
            hint,
            button,
            fields,
            warning,
        });
    };

    if allowed(&Event::Acknowledged { on }) {
        push(
            "acknowledge",
            format!("Acknowledge {stage_name}"),
            None,
            "Record the acknowledgement",
            vec![date_field("acknowledge")],
            false,
        );
    }
    if allowed(&Event::ComplaintDefined {
        on,
        heads: vec![Head {
            summary: "x".into(),
            outcome_sought: None,
        }],
        not_responsible_for: vec![],
    }) {
        let existing = case
            .round()
            .definition
            .as_ref()
            .map(|d| d.heads.clone())
            .unwrap_or_default();
        let mut vals = v("define");
        for (i, h) in existing.iter().enumerate() {
            vals.entry(format!("head_{}", i + 1))
                .or_insert_with(|| h.summary.clone());
            vals.entry(format!("outcome_{}", i + 1))
                .or_insert_with(|| h.outcome_sought.clone().unwrap_or_default());
        }
        let rows = (existing.len() + 2).clamp(3, 8);
        let mut fields = vec![date_field("define")];
        for i in 1..=rows {
            fields.push(field(
                "define",
                &format!("head_{i}"),
                &format!("Head of complaint {i}"),
                "text",
                &vals,
                errors,
            ));
            fields.push(field(
                "define",
                &format!("outcome_{i}"),
                &format!("Outcome sought for head {i}"),
                "text",
                &vals,
                errors,
            ));
        }
        fields.push(with_hint(
            field(
                "define",
                "not_responsible_for",
                "Matters we are not responsible for",
                "textarea",
                &vals,
                errors,
            ),
            "One per line (Code 5.7).",
        ));
        push(
            "define",
            if existing.is_empty() { "Define the complaint".into() } else { "Amend the complaint definition".into() },
            Some("Set out your understanding of the complaint and the outcomes the resident wants (Code 5.6). Leave unused rows blank.".into()),
            "Save the definition",
            fields,
            false,
        );
    }
    if allowed(&Event::Assigned {
        on,
        officer: "nobody-in-particular".into(),
    }) {
        let options: Vec<(String, String)> = users
            .iter()
            .filter(|u| u.role.can(Permission::RecordEvents))
            .map(|u| {
                (
                    u.id.clone(),
                    format!("{} ({})", u.name, u.role.display_name()),
                )
            })
            .collect();
        push(
            "assign",
            "Assign an officer".into(),
            (stage > 1).then(|| "The reviewer must not have handled an earlier stage.".to_owned()),
            "Assign",
            vec![
                date_field("assign"),
                with_options(
                    field(
                        "assign",
                        "officer",
                        "Officer",
                        "select",
                        &v("assign"),
                        errors,
                    ),
                    options,
                ),
            ],
            false,
        );
    }
    // Offered while an extension dated on or after the last step could be given; the date typed is judged.
    if allowed(&Event::Extended {
        on: case.last_event_on,
        working_days: 1,
        reason: "x".into(),
        resident_agreed: true,
    }) {
        let rule = policy.stage(stage).map(|s| s.extension);
        let used = case.round().extension_days();
        let hint = rule.map(|r| {
            format!(
                "The policy allows {} extra working days at {stage_name} without the resident's agreement{}{}. Tell the resident the new date and why, with the Ombudsman's details.",
                r.without_agreement_working_days,
                if used > 0 { format!(" ({used} used so far)") } else { String::new() },
                if r.further_with_agreement { "; more only with their recorded agreement" } else { "; no more after that" }
            )
        });
        push(
            "extend",
            "Extend the response deadline".into(),
            hint,
            "Extend",
            vec![
                date_field("extend"),
                field(
                    "extend",
                    "working_days",
                    "Extra working days",
                    "number",
                    &v("extend"),
                    errors,
                ),
                field(
                    "extend",
                    "reason",
                    "Reason (the resident will be told)",
                    "textarea",
                    &v("extend"),
                    errors,
                ),
                field(
                    "extend",
                    "resident_agreed",
                    "The resident has agreed to this extension",
                    "checkbox",
                    &v("extend"),
                    errors,
                ),
            ],
            false,
        );
    }
    if allowed(&Event::AdverseFindingsShared { on }) {
        push(
            "share-findings",
            "Share adverse findings".into(),
            Some("Give the resident a chance to comment before the decision.".into()),
            "Record it",
            vec![date_field("share-findings")],
            false,
        );
    }
    if allowed(&Event::Responded {
        on,
        outcome: Some(Outcome::Upheld),
        heads: vec![],
        remedies: vec![],
        outstanding_actions: vec![],
    }) {
        let outcomes = vec![
            ("".to_owned(), "Choose an outcome".to_owned()),
            ("upheld".to_owned(), "Upheld".to_owned()),
            ("partly_upheld".to_owned(), "Partly upheld".to_owned()),
            ("not_upheld".to_owned(), "Not upheld".to_owned()),
        ];
        let mut fields = vec![date_field("respond")];
        if case.feedback_type == FeedbackType::Complaint {
            let heads = case
                .round()
                .definition
                .as_ref()
                .map(|d| d.heads.clone())
                .unwrap_or_default();
            if heads.is_empty() {
                fields.push(with_options(
                    field(
                        "respond",
                        "outcome",
                        "Outcome",
                        "select",
                        &v("respond"),
                        errors,
                    ),
                    outcomes.clone(),
                ));
            } else {
                for (i, h) in heads.iter().enumerate() {
                    fields.push(with_options(
                        field(
                            "respond",
                            &format!("head_{}", i + 1),
                            &format!("Outcome for head {}: {}", i + 1, truncate(&h.summary, 60)),
                            "select",
                            &v("respond"),
                            errors,
                        ),
                        outcomes.clone(),
                    ));
                }
            }
            let kinds = [
                ("", "No remedy"),
                ("apology", "Apology"),
                ("explanation", "Explanation or acknowledging fault"),
                ("action", "Putting something right"),
                ("decision_changed", "Reconsidering a decision"),
                ("record_amended", "Amending a record"),
                ("compensation", "Financial remedy"),
                ("policy_change", "Changing a policy or practice"),
                ("other", "Other"),
            ]
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
            fields.push(with_options(
                field(
                    "respond",
                    "remedy_kind",
                    "Remedy",
                    "select",
                    &v("respond"),
                    errors,
                ),
                kinds,
            ));
            fields.push(field(
                "respond",
                "remedy_description",
                "What will be done",
                "textarea",
                &v("respond"),
                errors,
            ));
            fields.push(with_hint(
                field(
                    "respond",
                    "remedy_amount",
                    "Amount in pounds (financial remedy)",
                    "text",
                    &v("respond"),
                    errors,
                ),
                "For example 150.00",
            ));
            fields.push(field(
                "respond",
                "remedy_due",
                "Remedy due by",
                "date",
                &v("respond"),
                errors,
            ));
            fields.push(field(
                "respond",
                "action",
                "An action still outstanding",
                "textarea",
                &v("respond"),
                errors,
            ));
            fields.push(field(
                "respond",
                "action_due",
                "Outstanding action due by",
                "date",
                &v("respond"),
                errors,
            ));
        }
        push(
            "respond",
            if case.feedback_type == FeedbackType::ServiceRequest {
                "Respond to the service request".into()
            } else {
                format!("Issue the {stage_name} response")
            },
            None,
            "Record the response",
            fields,
            false,
        );
    }
    if allowed(&Event::EscalationRequested {
        on,
        reasons: None,
        out_of_time: false,
    }) {
        let next = policy
            .stage(stage + 1)
            .map_or_else(|| "the next stage".to_owned(), |s| s.name.clone());
        push(
            "escalate",
            format!("The resident asks for {next}"),
            Some(
                "The resident does not have to give reasons (Code 6.12); record any they give."
                    .into(),
            ),
            "Record the request",
            vec![
                date_field("escalate"),
                field(
                    "escalate",
                    "reasons",
                    "Reasons given (optional)",
                    "textarea",
                    &v("escalate"),
                    errors,
                ),
            ],
            false,
        );
    }
    if let Some(rule) = policy.stage(stage).and_then(|s| s.escalation.as_ref())
        && let Some(first) = rule.refusal_grounds.first()
        && allowed(&Event::EscalationRefused {
            on,
            ground: first.id.clone(),
            explanation: Some("x".into()),
        })
    {
        let grounds = rule
            .refusal_grounds
            .iter()
            .map(|g| (g.id.clone(), truncate(&g.text, 80)))
            .collect();
        push(
                    "refuse-escalation",
                    "Refuse the escalation".into(),
                    Some("Only on a ground the policy publishes. The resident will be told why and of their right to go to the Ombudsman.".into()),
                    "Refuse",
                    vec![
                        date_field("refuse-escalation"),
                        with_options(field("refuse-escalation", "ground", "Ground", "select", &v("refuse-escalation"), errors), grounds),
                        field("refuse-escalation", "explanation", "Explanation for the resident", "textarea", &v("refuse-escalation"), errors),
                    ],
                    true,
                );
    }
    if allowed(&Event::EscalationAccepted {
        on,
        reason: "x".into(),
    }) {
        push(
            "accept-escalation",
            format!("Accept the late request for {stage_name}"),
            Some(
                "The request came after the window closed. Accepting it uses discretion: say why."
                    .into(),
            ),
            "Accept the request",
            vec![
                date_field("accept-escalation"),
                field(
                    "accept-escalation",
                    "reason",
                    "Why the late request is accepted",
                    "textarea",
                    &v("accept-escalation"),
                    errors,
                ),
            ],
            false,
        );
    }
    if allowed(&Event::TimeLimitDiscretionUsed {
        on,
        reason: "x".into(),
    }) {
        push(
            "time-limit-discretion",
            "Consider it although it is outside the time limit".into(),
            Some("Code 2.3: a complaint outside the time limit may be considered for good reason. To not accept it instead, record that it is not accepted on the time-limit ground.".into()),
            "Record the decision",
            vec![
                date_field("time-limit-discretion"),
                field(
                    "time-limit-discretion",
                    "reason",
                    "Why it is considered",
                    "textarea",
                    &v("time-limit-discretion"),
                    errors,
                ),
            ],
            false,
        );
    }
    if !case.state.is_finished() {
        let mut vals = v("relationship");
        if let Some(r) = case.relationship {
            vals.entry("relationship".into())
                .or_insert_with(|| r.as_str().to_owned());
        }
        let choices = Relationship::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
            .collect();
        push(
            "relationship",
            if case.relationship.is_some() {
                "Correct who is complaining".into()
            } else {
                "Record who is complaining".into()
            },
            None,
            "Record it",
            vec![
                date_field("relationship"),
                with_options(
                    field(
                        "relationship",
                        "relationship",
                        "Who is complaining",
                        "select",
                        &vals,
                        errors,
                    ),
                    choices,
                ),
                field(
                    "relationship",
                    "tenancy_ended_on",
                    "If a former tenant: the day the tenancy ended",
                    "date",
                    &vals,
                    errors,
                ),
            ],
            false,
        );
    }
    if allowed(&Event::ContactRestrictionChallenged {
        on,
        outcome: ChallengeOutcome::Kept,
        explanation: "x".into(),
    }) {
        let outcomes = ChallengeOutcome::ALL
            .iter()
            .map(|o| {
                (
                    o.as_str().to_owned(),
                    match o {
                        ChallengeOutcome::Kept => "The restriction stays",
                        ChallengeOutcome::Varied => "The restriction is changed",
                        ChallengeOutcome::Lifted => "The restriction is lifted",
                    }
                    .to_owned(),
                )
            })
            .collect();
        push(
            "challenge-restriction",
            "Record the review of the resident's challenge to the restriction".into(),
            Some("The resident may challenge the way their contact is managed; the review happens once.".into()),
            "Record the review",
            vec![
                date_field("challenge-restriction"),
                with_options(
                    field(
                        "challenge-restriction",
                        "outcome",
                        "Decision",
                        "select",
                        &v("challenge-restriction"),
                        errors,
                    ),
                    outcomes,
                ),
                field(
                    "challenge-restriction",
                    "explanation",
                    "Why, as told to the resident",
                    "textarea",
                    &v("challenge-restriction"),
                    errors,
                ),
            ],
            false,
        );
    }
    if allowed(&Event::ResolvedConfirmed { on }) {
        push(
            "resolved",
            "The resident confirms it is resolved".into(),
            None,
            "Record it",
            vec![date_field("resolved")],
            false,
        );
    }
    let reasons: Vec<(String, String)> = CloseReason::ALL
        .into_iter()
        .filter(|r| {
            allowed(&Event::Closed {
                on,
                reason: *r,
                explanation: Some("x".into()),
            })
        })
        .map(|r| {
            let label = match r {
                CloseReason::FinalResponse => "The final response has been issued",
                CloseReason::Resolved => "Resolved",
                CloseReason::NoReply => "No reply from the resident after the outcome",
                CloseReason::Withdrawn => "Withdrawn by the resident",
                CloseReason::Merged => "Merged into another case",
                CloseReason::Recorded => "Recorded and passed on",
                CloseReason::ServiceRequestCompleted => "Service request completed",
            };
            (r.as_str().to_owned(), label.to_owned())
        })
        .collect();
    if !reasons.is_empty() {
        push(
            "close",
            "Close the case".into(),
            None,
            "Close",
            vec![
                date_field("close"),
                with_options(
                    field("close", "reason", "Why", "select", &v("close"), errors),
                    reasons,
                ),
                with_hint(
                    field(
                        "close",
                        "explanation",
                        "Explanation (optional)",
                        "textarea",
                        &v("close"),
                        errors,
                    ),
                    "Needed to close as resolved when the resident's confirmation is not recorded",
                ),
            ],
            true,
        );
    }
    if allowed(&Event::Reopened {
        on,
        reason: "x".into(),
    }) {
        push(
            "reopen",
            "Reopen the case".into(),
            None,
            "Reopen",
            vec![
                date_field("reopen"),
                field("reopen", "reason", "Why", "textarea", &v("reopen"), errors),
            ],
            false,
        );
    }
    if allowed(&Event::AdjustmentsRecorded {
        on,
        needs: "x".into(),
        adjustments: "x".into(),
        review_on: None,
    }) {
        push(
            "adjustments",
            "Record needs and reasonable adjustments".into(),
            Some("Under the Equality Act 2010; keep them under review (Code 5.10).".into()),
            "Save",
            vec![
                date_field("adjustments"),
                field(
                    "adjustments",
                    "needs",
                    "Needs disclosed",
                    "textarea",
                    &v("adjustments"),
                    errors,
                ),
                field(
                    "adjustments",
                    "adjustments",
                    "Adjustments agreed",
                    "textarea",
                    &v("adjustments"),
                    errors,
                ),
                field(
                    "adjustments",
                    "review_on",
                    "Review by",
                    "date",
                    &v("adjustments"),
                    errors,
                ),
            ],
            false,
        );
        let approver = policy
            .roles
            .contact_restrictions_approver
            .clone()
            .unwrap_or_else(|| "the person your policy names".into());
        push(
            "restrict-contact",
            "Restrict contact".into(),
            Some(format!(
                "Only when proportionate, approved by {approver}, and with a review date (Code 5.14, 5.15)."
            )),
            "Record the restriction",
            vec![
                date_field("restrict-contact"),
                field(
                    "restrict-contact",
                    "restriction",
                    "What is restricted, and how the resident can still contact us",
                    "textarea",
                    &v("restrict-contact"),
                    errors,
                ),
                with_options(
                    field(
                        "restrict-contact",
                        "approved_by",
                        &format!(
                            "Approved by ({})",
                            policy
                                .roles
                                .contact_restrictions_approver
                                .clone()
                                .unwrap_or_else(|| policy
                                    .roles
                                    .restriction_approver_role()
                                    .display_name()
                                    .to_owned())
                        ),
                        "select",
                        &v("restrict-contact"),
                        errors,
                    ),
                    users
                        .iter()
                        .filter(|u| u.role == policy.roles.restriction_approver_role())
                        .map(|u| (u.id.clone(), u.name.clone()))
                        .collect(),
                ),
                field(
                    "restrict-contact",
                    "review_on",
                    "Review by",
                    "date",
                    &v("restrict-contact"),
                    errors,
                ),
            ],
            true,
        );
    }
    steps
}

async fn case_page_for(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    values: HashMap<String, String>,
    errors: Vec<FormError>,
    failed_step: Option<&str>,
    done: Option<String>,
) -> Result<CasePage, ApiError> {
    let who = staff.principal();
    let record = api::load_visible(state, &who, reference).await?;
    let loaded = state
        .policy(&record.policy_id, Some(record.policy_version))
        .await?;
    let events: Vec<_> = record.events.iter().map(|e| e.event.clone()).collect();
    let case = Case::fold(&events).map_err(|e| ApiError::Internal(e.to_string()))?;
    let today = state.today();
    let users = state.store.users().await?;
    let names: HashMap<String, String> = users
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let policy = &loaded.policy;
    let personal = who.sees_personal_data();
    let clocks = case
        .deadlines(policy, &loaded.calendar, today)
        .into_iter()
        .map(|d| {
            let warning = policy.due_soon_working_days;
            let urgency =
                redress_domain::urgency::of_deadline(&d, &loaded.calendar, warning, today);
            let (tag_class, tag_text) = match (urgency, d.kind) {
                (Urgency::Met, _) => ("tag-ok", urgency.label(warning)),
                (Urgency::MetLate, ClockKind::Window) => ("tag-late", "Asked late".to_owned()),
                (Urgency::MetLate, _) => ("tag-late", urgency.label(warning)),
                (Urgency::WindowClosed, _) => ("tag-neutral", urgency.label(warning)),
                (Urgency::Overdue, _) => ("tag-overdue", urgency.label(warning)),
                // The resident's window is theirs: it is never "due soon" for the landlord.
                (Urgency::DueToday | Urgency::DueSoon, ClockKind::Window)
                | (Urgency::OnTrack, _) => ("tag-ok", Urgency::OnTrack.label(warning)),
                (Urgency::DueToday | Urgency::DueSoon, _) => ("tag-soon", urgency.label(warning)),
            };
            ClockRow {
                clock: d.clock.as_str(),
                label: d.clock.label(&loaded.policy),
                due: human_date(d.due_on),
                met: d
                    .met_on
                    .map(|m| format!("on {}", human_date(m)))
                    .unwrap_or_default(),
                tag_class,
                tag_text,
                explanation: humanise_dates(&d.explanation),
            }
        })
        .collect();
    let mut complainant = Vec::new();
    if personal {
        match &record.complainant {
            None => complainant.push(("Complainant".to_owned(), "Anonymous".to_owned())),
            Some(c) => {
                complainant.push((
                    "Complainant".into(),
                    c.name.clone().unwrap_or_else(|| "Name not given".into()),
                ));
                if let Some(e) = &c.email {
                    complainant.push(("Email".into(), e.clone()));
                }
                if let Some(p) = &c.phone {
                    complainant.push(("Telephone".into(), p.clone()));
                }
                if let Some(a) = &c.address {
                    complainant.push(("Address".into(), a.clone()));
                }
                if let Some(r) = &c.representative_name {
                    complainant.push((
                        "Representative".into(),
                        format!(
                            "{r}{}{}",
                            c.representative_relationship
                                .as_ref()
                                .map(|x| format!(" ({x})"))
                                .unwrap_or_default(),
                            if c.representative_consent {
                                ", consent recorded"
                            } else {
                                ", consent not recorded"
                            }
                        ),
                    ));
                }
            }
        }
    } else {
        complainant.push((
            "Complainant".into(),
            "Hidden: your role does not see personal data".into(),
        ));
    }
    let timeline = record
        .events
        .iter()
        .map(|e| {
            let (title, details) = describe_event(&e.event.event, &names, &loaded);
            TimelineItem {
                when: human_date(e.event.event.on()),
                by: e
                    .event
                    .by
                    .as_ref()
                    .map(|b| names.get(b).cloned().unwrap_or_else(|| "API".into()))
                    .unwrap_or_else(|| "System".into()),
                title,
                details,
            }
        })
        .collect();
    let steps = steps_for(
        &case,
        &loaded,
        &who,
        today,
        &users,
        &values,
        &errors,
        failed_step,
    );
    let mut page = Page::new(
        format!("Complaint {}", record.reference),
        Some(staff),
        "queue",
    );
    page.errors = errors;
    page.done = done;
    Ok(CasePage {
        page,
        reference: record.reference.clone(),
        version: record.version(),
        policy_label: format!("{} (version {})", loaded.record.name, loaded.record.version),
        policy_id: loaded.record.id.clone(),
        policy_name: loaded.record.name.clone(),
        policy_version: loaded.record.version,
        stage_name: policy
            .stage(case.stage())
            .map_or_else(|| format!("Stage {}", case.stage()), |s| s.name.clone()),
        state_label: state_label(case.state.as_str()),
        feedback_label: match case.feedback_type {
            FeedbackType::Complaint => "Formal complaint",
            FeedbackType::ServiceRequest => "Service request",
            FeedbackType::Comment => "Comment",
            FeedbackType::Compliment => "Compliment",
        },
        received: human_date(case.received_on),
        channel: channel_label(case.channel),
        assignee: case
            .assignee
            .as_ref()
            .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone()))
            .unwrap_or_else(|| "Not assigned".into()),
        complainant,
        summary: personal.then(|| record.summary.clone()),
        confidential: record.confidential,
        adjustments: if personal {
            case.adjustments.as_ref().map_or_else(
                || "None recorded".into(),
                |a| {
                    format!(
                        "{} – {}{}",
                        a.needs,
                        a.adjustments,
                        a.review_on
                            .map(|r| format!(" (review by {})", human_date(r)))
                            .unwrap_or_default()
                    )
                },
            )
        } else {
            "Hidden".into()
        },
        restriction: case.contact_restriction.as_ref().map_or_else(
            || "None".into(),
            |r| {
                format!(
                    "{} (approved by {}; review by {})",
                    r.restriction,
                    r.approved_by,
                    human_date(r.review_on)
                )
            },
        ),
        heads: case
            .round()
            .definition
            .as_ref()
            .map(|d| {
                d.heads
                    .iter()
                    .map(|h| {
                        (
                            h.summary.clone(),
                            h.outcome_sought.clone().unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        clocks,
        warnings: case
            .warnings(policy, &loaded.calendar, today)
            .into_iter()
            .map(|w| format!("{} (Code {})", w.message, w.provision))
            .collect(),
        remedies: case
            .remedies
            .iter()
            .map(|r| {
                format!(
                    "{}: {}{}{}",
                    r.id,
                    r.remedy.description,
                    r.remedy
                        .due_on
                        .map(|d| format!(", due {}", human_date(d)))
                        .unwrap_or_default(),
                    r.completed_on
                        .map(|d| format!(", done {}", human_date(d)))
                        .unwrap_or_else(|| ", not yet done".into())
                )
            })
            .collect(),
        timeline,
        steps,
        can_record: who.role.can(Permission::RecordEvents) && case.state != CaseState::NotAccepted,
    })
}

async fn case_page(
    State(state): SharedState,
    staff: Staff,
    Path(reference): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let done = q.get("done").map(|d| match d.as_str() {
        "logged" => "The complaint has been logged.".to_owned(),
        _ => "The step has been recorded.".to_owned(),
    });
    // No message is ever taken from the URL: a crafted link cannot put its own words on the page.
    let errors = Vec::new();
    match case_page_for(
        &state,
        &staff,
        &reference,
        HashMap::new(),
        errors,
        None,
        done,
    )
    .await
    {
        Ok(p) => render(&p, StatusCode::OK),
        Err(e) => error_page(&staff, e),
    }
}

fn parse_on(
    step: &str,
    values: &HashMap<String, String>,
    errors: &mut Vec<FormError>,
) -> Option<Date> {
    match values.get("on").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => {
            errors.push(FormError {
                id: format!("{step}-on"),
                message: "Enter the date".into(),
            });
            None
        }
        Some(v) => match v.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FormError {
                    id: format!("{step}-on"),
                    message: format!("'{v}' is not a real date"),
                });
                None
            }
        },
    }
}

fn opt_date(
    step: &str,
    name: &str,
    values: &HashMap<String, String>,
    errors: &mut Vec<FormError>,
) -> Option<Date> {
    let v = values
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())?;
    match v.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FormError {
                id: format!("{step}-{name}"),
                message: format!("'{v}' is not a real date"),
            });
            None
        }
    }
}

fn text(values: &HashMap<String, String>, name: &str) -> String {
    values
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// Builds the event a step's form describes; errors name the form's fields.
fn event_from_form(step: &str, values: &HashMap<String, String>) -> Result<Event, Vec<FormError>> {
    let mut errors = Vec::new();
    let on = parse_on(step, values, &mut errors);
    let outcome_of = Outcome::parse;
    let event = match (step, on) {
        (_, None) => None,
        ("acknowledge", Some(on)) => Some(Event::Acknowledged { on }),
        ("share-findings", Some(on)) => Some(Event::AdverseFindingsShared { on }),
        ("resolved", Some(on)) => Some(Event::ResolvedConfirmed { on }),
        ("define", Some(on)) => {
            let mut heads = Vec::new();
            for i in 1..=8 {
                let summary = text(values, &format!("head_{i}"));
                let outcome = text(values, &format!("outcome_{i}"));
                if !summary.is_empty() {
                    heads.push(Head {
                        summary,
                        outcome_sought: (!outcome.is_empty()).then_some(outcome),
                    });
                } else if !outcome.is_empty() {
                    errors.push(FormError {
                        id: format!("define-head_{i}"),
                        message: format!("Describe head of complaint {i}, or clear its outcome"),
                    });
                }
            }
            if heads.is_empty() {
                errors.push(FormError {
                    id: "define-head_1".into(),
                    message: "Enter at least one head of complaint".into(),
                });
            }
            let not_responsible_for = text(values, "not_responsible_for")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            Some(Event::ComplaintDefined {
                on,
                heads,
                not_responsible_for,
            })
        }
        ("assign", Some(on)) => Some(Event::Assigned {
            on,
            officer: text(values, "officer"),
        }),
        ("extend", Some(on)) => {
            let wd = text(values, "working_days");
            match wd.parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => Some(Event::Extended {
                    on,
                    working_days: n,
                    reason: text(values, "reason"),
                    resident_agreed: values.contains_key("resident_agreed"),
                }),
                _ => {
                    errors.push(FormError {
                        id: "extend-working_days".into(),
                        message: "Enter the number of extra working days, from 1 to 100".into(),
                    });
                    None
                }
            }
        }
        ("respond", Some(on)) => {
            let mut heads = Vec::new();
            for i in 1..=8u32 {
                if let Some(v) = values.get(&format!("head_{i}")) {
                    match outcome_of(v) {
                        Some(o) => heads.push(HeadOutcome {
                            head: i,
                            outcome: o,
                            reasons: None,
                        }),
                        None => errors.push(FormError {
                            id: format!("respond-head_{i}"),
                            message: format!("Choose the outcome for head {i}"),
                        }),
                    }
                }
            }
            let outcome = values.get("outcome").and_then(|o| outcome_of(o));
            if values.contains_key("outcome") && outcome.is_none() {
                errors.push(FormError {
                    id: "respond-outcome".into(),
                    message: "Choose the outcome".into(),
                });
            }
            let mut remedies = Vec::new();
            let kind = text(values, "remedy_kind");
            if !kind.is_empty() {
                // An unknown kind is an error, never silently "other".
                let kind = RemedyKind::parse(&kind).unwrap_or_else(|| {
                    errors.push(FormError {
                        id: "respond-remedy_kind".into(),
                        message: "Choose the kind of remedy".into(),
                    });
                    RemedyKind::Other
                });
                let description = text(values, "remedy_description");
                if description.is_empty() {
                    errors.push(FormError {
                        id: "respond-remedy_description".into(),
                        message: "Say what will be done to put things right".into(),
                    });
                }
                let amount = text(values, "remedy_amount");
                let amount_pence = if amount.is_empty() {
                    None
                } else {
                    match parse_pounds(&amount) {
                        Some(p) => Some(p),
                        None => {
                            errors.push(FormError {
                                id: "respond-remedy_amount".into(),
                                message: "Enter an amount in pounds, for example 150.00".into(),
                            });
                            None
                        }
                    }
                };
                let due_on = opt_date("respond", "remedy_due", values, &mut errors);
                remedies.push(Remedy {
                    kind,
                    description,
                    amount_pence,
                    due_on,
                });
            }
            let action = text(values, "action");
            let outstanding_actions = if action.is_empty() {
                Vec::new()
            } else {
                vec![OutstandingAction {
                    description: action,
                    due_on: opt_date("respond", "action_due", values, &mut errors),
                }]
            };
            Some(Event::Responded {
                on,
                outcome,
                heads,
                remedies,
                outstanding_actions,
            })
        }
        ("escalate", Some(on)) => {
            let r = text(values, "reasons");
            Some(Event::EscalationRequested {
                on,
                reasons: (!r.is_empty()).then_some(r),
                out_of_time: false,
            })
        }
        ("refuse-escalation", Some(on)) => {
            let e = text(values, "explanation");
            Some(Event::EscalationRefused {
                on,
                ground: text(values, "ground"),
                explanation: (!e.is_empty()).then_some(e),
            })
        }
        ("close", Some(on)) => {
            let reason = CloseReason::parse(&text(values, "reason"));
            match reason {
                Some(reason) => {
                    let explanation = text(values, "explanation");
                    Some(Event::Closed {
                        on,
                        reason,
                        explanation: (!explanation.trim().is_empty()).then_some(explanation),
                    })
                }
                None => {
                    errors.push(FormError {
                        id: "close-reason".into(),
                        message: "Choose why the case is closing".into(),
                    });
                    None
                }
            }
        }
        ("accept-escalation", Some(on)) => Some(Event::EscalationAccepted {
            on,
            reason: text(values, "reason"),
        }),
        ("time-limit-discretion", Some(on)) => Some(Event::TimeLimitDiscretionUsed {
            on,
            reason: text(values, "reason"),
        }),
        ("relationship", Some(on)) => {
            let tenancy_ended_on =
                opt_date("relationship", "tenancy_ended_on", values, &mut errors);
            match Relationship::parse(&text(values, "relationship")) {
                Some(relationship) => Some(Event::RelationshipRecorded {
                    on,
                    relationship,
                    tenancy_ended_on,
                }),
                None => {
                    errors.push(FormError {
                        id: "relationship-relationship".into(),
                        message: "Select who is complaining".into(),
                    });
                    None
                }
            }
        }
        ("challenge-restriction", Some(on)) => {
            match ChallengeOutcome::parse(&text(values, "outcome")) {
                Some(outcome) => Some(Event::ContactRestrictionChallenged {
                    on,
                    outcome,
                    explanation: text(values, "explanation"),
                }),
                None => {
                    errors.push(FormError {
                        id: "challenge-restriction-outcome".into(),
                        message: "Choose what the review decided".into(),
                    });
                    None
                }
            }
        }
        ("reopen", Some(on)) => Some(Event::Reopened {
            on,
            reason: text(values, "reason"),
        }),
        ("adjustments", Some(on)) => Some(Event::AdjustmentsRecorded {
            on,
            needs: text(values, "needs"),
            adjustments: text(values, "adjustments"),
            review_on: opt_date("adjustments", "review_on", values, &mut errors),
        }),
        ("restrict-contact", Some(on)) => {
            match opt_date("restrict-contact", "review_on", values, &mut errors) {
                Some(review_on) => Some(Event::ContactRestricted {
                    on,
                    restriction: text(values, "restriction"),
                    approved_by: text(values, "approved_by"),
                    review_on,
                }),
                None => {
                    if !errors.iter().any(|e| e.id == "restrict-contact-review_on") {
                        errors.push(FormError {
                            id: "restrict-contact-review_on".into(),
                            message: "Set a date to review the restriction".into(),
                        });
                    }
                    None
                }
            }
        }
        _ => {
            errors.push(FormError {
                id: "next-steps".into(),
                message: "That step does not exist".into(),
            });
            None
        }
    };
    match (event, errors.is_empty()) {
        (Some(e), true) => Ok(e),
        _ => Err(errors),
    }
}

/// "150", "150.5", "£150.00" → pence.
fn parse_pounds(s: &str) -> Option<u64> {
    let s = s.trim().trim_start_matches('£').replace(',', "");
    let (pounds, pence) = match s.split_once('.') {
        Some((p, f)) if !f.is_empty() && f.len() <= 2 && f.bytes().all(|b| b.is_ascii_digit()) => (
            p.to_owned(),
            if f.len() == 1 {
                format!("{f}0")
            } else {
                f.to_owned()
            },
        ),
        Some(_) => return None,
        None => (s.clone(), "00".to_owned()),
    };
    if pounds.is_empty() || !pounds.bytes().all(|b| b.is_ascii_digit()) || pounds.len() > 7 {
        return None;
    }
    Some(pounds.parse::<u64>().ok()? * 100 + pence.parse::<u64>().ok()?)
}

/// Which form field an event field belongs to.
fn form_field_id(step: &str, field: &str) -> String {
    let name = match (step, field) {
        (_, "on") => "on",
        ("define", "heads") => "head_1",
        ("respond", "heads") => "head_1",
        ("respond", "outcome") => "outcome",
        (_, f) => f,
    };
    format!("{step}-{name}")
}

async fn submit_step_form(
    State(state): SharedState,
    staff: Staff,
    headers: HeaderMap,
    Path((reference, step)): Path<(String, String)>,
    Form(form): FormData,
) -> Response {
    let values = form_map(&form);
    if let Err(r) = check_post(&staff, &headers, &values) {
        return r;
    }
    let step_slug: &'static str = match step.as_str() {
        "acknowledge" => "acknowledge",
        "define" => "define",
        "assign" => "assign",
        "extend" => "extend",
        "share-findings" => "share-findings",
        "respond" => "respond",
        "escalate" => "escalate",
        "refuse-escalation" => "refuse-escalation",
        "resolved" => "resolved",
        "close" => "close",
        "reopen" => "reopen",
        "adjustments" => "adjustments",
        "restrict-contact" => "restrict-contact",
        _ => {
            return message(
                Some(&staff),
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is no such step.",
            );
        }
    };
    let expected = values.get("version").and_then(|v| v.parse::<i64>().ok());
    let result = match event_from_form(step_slug, &values) {
        Ok(event) => api::record_step(&state, &staff.principal(), &reference, event, expected)
            .await
            .map_err(|e| {
                let status = e.status();
                let errs = match &e {
                    ApiError::Invalid { errors, .. } if !errors.is_empty() => errors
                        .iter()
                        .map(|fe| FormError {
                            id: form_field_id(step_slug, &fe.field),
                            message: capitalise(&fe.detail),
                        })
                        .collect(),
                    ApiError::Conflict { detail, field } => vec![FormError {
                        id: field.as_deref().map_or_else(
                            || format!("step-{step_slug}"),
                            |f| form_field_id(step_slug, f),
                        ),
                        message: detail.clone(),
                    }],
                    ApiError::NotFound(_) | ApiError::Forbidden(..) | ApiError::Internal(_) => {
                        return Err(e);
                    }
                    other => vec![FormError {
                        id: format!("step-{step_slug}"),
                        message: other.to_string(),
                    }],
                };
                Ok((status, errs))
            }),
        Err(errors) => Err(Ok((StatusCode::UNPROCESSABLE_ENTITY, errors))),
    };
    match result {
        Ok(()) => Redirect::to(&format!(
            "/complaints/{reference}?done={step_slug}#timeline"
        ))
        .into_response(),
        Err(Err(e)) => error_page(&staff, e),
        Err(Ok((status, errors))) => match case_page_for(
            &state,
            &staff,
            &reference,
            values,
            errors,
            Some(step_slug),
            None,
        )
        .await
        {
            Ok(p) => render(&p, status),
            Err(e) => error_page(&staff, e),
        },
    }
}

// ------------------------------------------------------------------------------------------------------
// Policies.

struct PolicyRow {
    id: String,
    name: String,
    version: i64,
    errors: usize,
    warnings: usize,
}

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    page: Page,
    policies: Vec<PolicyRow>,
}

struct FindingRow {
    severity: &'static str,
    provision: String,
    message: String,
    key: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    framework: &'static str,
    page: Page,
    id: String,
    name: String,
    version: i64,
    description: Vec<String>,
    findings: Vec<FindingRow>,
    toml: String,
}

async fn policies_page(State(state): SharedState, staff: Staff) -> Response {
    let records = match state.store.policies().await {
        Ok(r) => r,
        Err(e) => return error_page(&staff, e.into()),
    };
    let mut policies = Vec::new();
    for r in records {
        let loaded = match state.policy(&r.id, Some(r.version)).await {
            Ok(l) => l,
            Err(e) => return error_page(&staff, e),
        };
        let findings = compliance::check(&loaded.policy);
        policies.push(PolicyRow {
            errors: findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count(),
            warnings: findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count(),
            id: r.id,
            name: r.name,
            version: r.version,
        });
    }
    render(
        &PoliciesPage {
            page: Page::new("Policies", Some(&staff), "policies"),
            policies,
        },
        StatusCode::OK,
    )
}

async fn policy_page(State(state): SharedState, staff: Staff, Path(id): Path<String>) -> Response {
    let loaded = match state.policy(&id, None).await {
        Ok(l) => l,
        Err(e) => return error_page(&staff, e),
    };
    let findings = compliance::check(&loaded.policy)
        .into_iter()
        .map(|f| FindingRow {
            severity: f.severity.as_str(),
            provision: if f.provision.starts_with("SPSO") {
                f.provision.to_owned()
            } else {
                format!("Code {}", f.provision)
            },
            message: f.message,
            key: f.key,
        })
        .collect();
    render(
        &PolicyPage {
            framework: compliance::Framework::of(&loaded.policy).display_name(),
            page: Page::new(loaded.record.name.clone(), Some(&staff), "policies"),
            id: loaded.record.id.clone(),
            name: loaded.record.name.clone(),
            version: loaded.record.version,
            description: loaded.policy.describe(),
            findings,
            toml: loaded.record.toml.clone(),
        },
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The work queue's tags come from the domain's urgency of the next duty.
    #[test]
    fn queue_tags_follow_the_next_duty() {
        use jiff::civil::date;
        let today = date(2025, 12, 23);
        let row =
            |next: Option<jiff::civil::Date>, open: bool, late: bool| redress_store::Projection {
                stage: 1,
                state: "investigating".into(),
                feedback_type: "complaint".into(),
                received_on: date(2025, 12, 1),
                assignee: None,
                next_due_on: next,
                next_due_clock: next.map(|_| "stage1_response".into()),
                is_open: open,
                late_acknowledged_on: late.then_some(date(2025, 12, 10)),
            };
        let tag = |p| queue_tag(&p, None, today).1;
        assert_eq!(tag(row(Some(date(2025, 12, 22)), true, false)), "Overdue");
        assert_eq!(tag(row(Some(today), true, false)), "Due today");
        // Two working days on from Tue 23 Dec 2025 is Mon 29 Dec (Christmas and Boxing Day skipped).
        assert_eq!(
            tag(row(Some(date(2025, 12, 29)), true, false)),
            "Due within 2 working days"
        );
        assert_eq!(tag(row(Some(date(2025, 12, 30)), true, false)), "On track");
        assert_eq!(tag(row(Some(date(2025, 12, 30)), true, true)), "Met late");
        assert_eq!(tag(row(Some(date(2025, 12, 22)), false, false)), "Closed");
        assert_eq!(tag(row(None, true, false)), "On track");
    }

    /// Every step's form parses into its event, and a form missing what the step needs names the field.
    #[test]
    fn every_step_form_parses_into_its_event() {
        let form = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            std::iter::once(("on", "2026-03-04"))
                .chain(pairs.iter().copied())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        };
        // (step, its form's fields beside the date, the event kind it makes)
        type StepCase = (
            &'static str,
            Vec<(&'static str, &'static str)>,
            &'static str,
        );
        let cases: [StepCase; 17] = [
            ("acknowledge", vec![], "acknowledged"),
            ("share-findings", vec![], "adverse_findings_shared"),
            ("resolved", vec![], "resolved_confirmed"),
            (
                "define",
                vec![("head_1", "Leak not fixed"), ("outcome_1", "Fix it")],
                "complaint_defined",
            ),
            ("assign", vec![("officer", "user-1")], "assigned"),
            (
                "extend",
                vec![("working_days", "5"), ("reason", "Survey")],
                "extended",
            ),
            ("respond", vec![("outcome", "upheld")], "responded"),
            (
                "escalate",
                vec![("reasons", "Still leaking")],
                "escalation_requested",
            ),
            (
                "refuse-escalation",
                vec![("ground", "time-limit"), ("explanation", "Late")],
                "escalation_refused",
            ),
            (
                "accept-escalation",
                vec![("reason", "In hospital")],
                "escalation_accepted",
            ),
            ("close", vec![("reason", "withdrawn")], "closed"),
            ("reopen", vec![("reason", "New evidence")], "reopened"),
            (
                "adjustments",
                vec![("needs", "Dyslexia"), ("adjustments", "Large print")],
                "adjustments_recorded",
            ),
            (
                "restrict-contact",
                vec![
                    ("restriction", "Email only"),
                    ("approved_by", "user-2"),
                    ("review_on", "2026-09-04"),
                ],
                "contact_restricted",
            ),
            (
                "challenge-restriction",
                vec![("outcome", "kept"), ("explanation", "Still needed")],
                "contact_restriction_challenged",
            ),
            (
                "relationship",
                vec![("relationship", "tenant")],
                "relationship_recorded",
            ),
            (
                "time-limit-discretion",
                vec![("reason", "Reported in 2024")],
                "time_limit_discretion_used",
            ),
        ];
        for (step, pairs, kind) in cases {
            match event_from_form(step, &form(&pairs)) {
                Ok(event) => {
                    assert_eq!(event.kind(), kind, "{step}");
                    assert_eq!(event.on(), jiff::civil::date(2026, 3, 4), "{step}");
                }
                Err(errors) => panic!(
                    "{step} did not parse: {:?}",
                    errors
                        .iter()
                        .map(|e| (&e.id, &e.message))
                        .collect::<Vec<_>>()
                ),
            }
            // Without its date, every step names the date field.
            let mut undated = form(&pairs);
            undated.remove("on");
            let errors = event_from_form(step, &undated).unwrap_err();
            assert!(
                errors.iter().any(|e| e.id == format!("{step}-on")),
                "{step}"
            );
        }
        // Fields each step cannot do without are named.
        for (step, pairs, field) in [
            (
                "extend",
                vec![("working_days", "0"), ("reason", "x")],
                "extend-working_days",
            ),
            ("define", vec![], "define-head_1"),
            ("close", vec![("reason", "vanished")], "close-reason"),
            (
                "restrict-contact",
                vec![("restriction", "x"), ("approved_by", "u")],
                "restrict-contact-review_on",
            ),
            (
                "challenge-restriction",
                vec![("outcome", "maybe"), ("explanation", "x")],
                "challenge-restriction-outcome",
            ),
            (
                "relationship",
                vec![("relationship", "landlord")],
                "relationship-relationship",
            ),
            ("respond", vec![("outcome", "sideways")], "respond-outcome"),
        ] {
            let errors = event_from_form(step, &form(&pairs)).unwrap_err();
            assert!(
                errors.iter().any(|e| e.id == field),
                "{step}: {:?}",
                errors.iter().map(|e| &e.id).collect::<Vec<_>>()
            );
        }
        assert!(event_from_form("teleport", &form(&[])).is_err());
    }

    #[test]
    fn an_unknown_remedy_kind_is_an_error_not_other() {
        let values: HashMap<String, String> = [
            ("on", "2026-03-04"),
            ("outcome", "upheld"),
            ("remedy_kind", "bribe"),
            ("remedy_description", "A gift"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let errors = event_from_form("respond", &values).unwrap_err();
        assert!(
            errors.iter().any(|e| e.id == "respond-remedy_kind"),
            "{:?}",
            errors.iter().map(|e| &e.id).collect::<Vec<_>>()
        );
        let mut known = values.clone();
        known.insert("remedy_kind".into(), "apology".into());
        assert!(matches!(
            event_from_form("respond", &known),
            Ok(Event::Responded { remedies, .. }) if remedies[0].kind == RemedyKind::Apology
        ));
    }

    #[test]
    fn dates_in_explanations_are_written_as_the_pages_write_dates() {
        assert_eq!(
            humanise_dates(
                "10 working days after acknowledgement on 2025-12-23; extended on 2026-01-05 by 10 working days to 2026-01-20, skipping 25, 26 Dec"
            ),
            "10 working days after acknowledgement on Tue 23 Dec 2025; extended on Mon 5 Jan 2026 by 10 working days to Tue 20 Jan 2026, skipping 25, 26 Dec"
        );
        assert_eq!(
            humanise_dates("CMP-2026-000042 and 12345678901"),
            "CMP-2026-000042 and 12345678901"
        );
        assert_eq!(humanise_dates("2026-02-30"), "2026-02-30");
    }

    #[test]
    fn pounds_parse_to_pence() {
        assert_eq!(parse_pounds("150"), Some(15_000));
        assert_eq!(parse_pounds("£150.5"), Some(15_050));
        assert_eq!(parse_pounds("1,250.99"), Some(125_099));
        assert_eq!(parse_pounds("12.345"), None);
        assert_eq!(parse_pounds("-5"), None);
        assert_eq!(parse_pounds("ten"), None);
    }

    #[test]
    fn complaint_form_errors_name_their_field() {
        assert_eq!(
            complaint_error_message("complainant.phone", "Is longer than 40 characters".into()),
            "Telephone must be 40 characters or fewer"
        );
        assert_eq!(
            complaint_error_message("complainant.email", "Is not an email address".into()),
            "Enter an email address in the correct format, like name@example.com"
        );
        assert_eq!(
            complaint_error_message("summary", "Describe the complaint".into()),
            "Describe the complaint"
        );
        assert_eq!(
            complaint_error_message("policy", "There is no policy 'x'".into()),
            "There is no policy 'x'"
        );
    }

    #[test]
    fn the_week_ends_on_sunday() {
        assert_eq!(
            week_end(jiff::civil::date(2026, 6, 1)),
            jiff::civil::date(2026, 6, 7)
        );
        assert_eq!(
            week_end(jiff::civil::date(2026, 6, 7)),
            jiff::civil::date(2026, 6, 7)
        );
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some(&"/complaints/CMP-2026-000001".to_owned())),
            "/complaints/CMP-2026-000001"
        );
        assert_eq!(
            safe_next(Some(&"/?state=open&mine=1".to_owned())),
            "/?state=open&mine=1"
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "evil.example",
            "",
            "/\\evil.example",
            "\\/evil.example",
            // Browsers drop tabs and newlines from URLs: these become `//evil.example`.
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\u{0}",
            "/\u{7f}",
            "/ /evil.example",
            "/caf\u{e9}",
        ] {
            assert_eq!(safe_next(Some(&bad.to_owned())), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    fn staff() -> Staff {
        Staff {
            user: User {
                id: "u-1".into(),
                email: "officer@example.org".into(),
                name: "Olu Officer".into(),
                role: redress_domain::access::Role::ComplaintsOfficer,
                password_hash: String::new(),
            },
            session: redress_store::Session {
                id_hash: "h".into(),
                user_id: "u-1".into(),
                csrf: "c".into(),
                created_at: String::new(),
                last_seen_at: String::new(),
                expires_at: String::new(),
            },
        }
    }

    async fn body_of(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[tokio::test]
    async fn error_pages_answer_with_the_errors_own_status() {
        let cases = [
            (ApiError::BadRequest("bad".into()), StatusCode::BAD_REQUEST),
            (ApiError::NotFound("gone".into()), StatusCode::NOT_FOUND),
            (
                ApiError::Forbidden("viewer", "do this"),
                StatusCode::FORBIDDEN,
            ),
            (
                ApiError::Conflict {
                    detail: "Someone else changed this case".into(),
                    field: None,
                },
                StatusCode::CONFLICT,
            ),
            (ApiError::TooLarge(64 * 1024), StatusCode::PAYLOAD_TOO_LARGE),
            (
                ApiError::invalid("summary", "describe the complaint"),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                ApiError::Internal("boom".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ];
        for (e, status) in cases {
            let shown = format!("{e:?}");
            let r = error_page(&staff(), e);
            assert_eq!(r.status(), status, "{shown}");
            assert!(
                r.headers()[header::CONTENT_TYPE]
                    .to_str()
                    .is_ok_and(|v| v.starts_with("text/html")),
                "{shown} is a page"
            );
        }
        let body = body_of(error_page(&staff(), ApiError::TooLarge(64 * 1024))).await;
        assert!(
            body.contains("The form is too large") && body.contains("64 KB"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn failed_store_calls_are_opaque_500_pages() {
        let r = store_failed(
            &staff(),
            "log a complaint: duplicate check",
            StoreError::Other("disk I/O error at /var/lib/redress".into()),
        );
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_of(r).await;
        assert!(body.contains("It has been logged"), "{body}");
        assert!(
            !body.contains("disk I/O") && !body.contains("duplicate check"),
            "the cause is for the log, not the page: {body}"
        );
        // Even a store answer that is a 4xx elsewhere is a failure of the page here.
        let r = store_failed(&staff(), "sign out", StoreError::NotFound);
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
