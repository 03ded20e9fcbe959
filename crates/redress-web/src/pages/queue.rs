//! The work queue: open cases by urgency with their filters, counts and sort.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::case::{State as CaseState, clock_label, human_date};
use redress_domain::policy::MAX_STAGES;
use redress_domain::urgency::{self, Urgency};
use redress_store::search::SearchQuery;
use redress_store::{CaseFilter, CaseSummary, Cursor, PolicyRecord, QueueCounts, Sort, User};

use super::SharedState;
use super::layout::{FormError, Page, error_page, render, store_failed};

use crate::service::ServiceError;
use crate::session::{self, Staff};
use crate::{AppState, LoadedPolicy};

/// An option in a select or radio group.
pub(crate) struct Opt {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

pub(crate) fn opt(value: impl Into<String>, label: impl Into<String>, current: &str) -> Opt {
    let value = value.into();
    Opt {
        selected: value == current,
        value,
        label: label.into(),
    }
}

pub(crate) struct Select {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) options: Vec<Opt>,
}

pub(crate) struct Row {
    pub(crate) reference: String,
    pub(crate) complainant: String,
    pub(crate) received: String,
    pub(crate) stage: String,
    pub(crate) next_due: String,
    pub(crate) tag_class: &'static str,
    pub(crate) tag_text: String,
    pub(crate) assignee: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(crate) struct DashboardPage {
    pub(crate) page: Page,
    pub(crate) counts: QueueCounts,
    pub(crate) selects: Vec<Select>,
    pub(crate) received_from: String,
    pub(crate) received_to: String,
    pub(crate) mine: bool,
    pub(crate) overdue: bool,
    pub(crate) include_closed: bool,
    pub(crate) rows: Vec<Row>,
    pub(crate) caption: String,
    pub(crate) next_link: Option<String>,
    /// The search box's text, as sent.
    pub(crate) q: String,
    /// What the search box finds, for this user.
    pub(crate) search_hint: &'static str,
    /// "12 cases match 'Smith'", when searching.
    pub(crate) search_summary: Option<String>,
    /// What the page says when nothing is listed.
    pub(crate) empty_message: String,
}

/// Matches counted at most, for "More than 1,000 cases match".
const SEARCH_COUNT_CAP: u32 = 1000;

pub(crate) fn state_label(state: &str) -> &'static str {
    CaseState::parse(state).map_or("Unknown", CaseState::label)
}

/// The work queue's query string, read once.
pub(super) struct QueueQuery<'a> {
    pub(super) params: &'a HashMap<String, String>,
}

impl QueueQuery<'_> {
    /// A parameter given with something in it.
    fn given(&self, key: &str) -> Option<String> {
        self.params
            .get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A parameter as sent, for filling the filter form back in.
    fn sent(&self, key: &str) -> String {
        self.params.get(key).cloned().unwrap_or_default()
    }

    fn flag(&self, key: &str) -> bool {
        self.given(key).is_some()
    }
}

pub(crate) async fn dashboard(
    State(state): SharedState,
    staff: Staff,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let query = QueueQuery { params: &params };
    let today = state.today();
    let mine = query.flag("mine");
    let mut page = Page::new(
        if mine { "My work queue" } else { "Work queue" },
        Some(&staff),
        "queue",
    );
    let filter = queue_filter(&query, &staff, today, &mut page.errors);
    let users = match state.store.users().await {
        Ok(u) => u,
        Err(e) => return store_failed(&staff, "work queue: reading users", e),
    };
    let list = state.store.list_cases(&filter).await;
    let counts = state
        .store
        .queue_counts(
            today,
            urgency::week_ending(today),
            urgency::month_starting(today),
            filter.include_confidential,
            mine.then_some(staff.user.id.as_str()),
        )
        .await;
    let (list, counts) = match (list, counts) {
        (Ok(list), Ok(counts)) => (list, counts),
        (Err(e), _) => return store_failed(&staff, "work queue: listing cases", e),
        (_, Err(e)) => return store_failed(&staff, "work queue: counting cases", e),
    };
    let rows = match queue_rows(&state, &staff, &users, &list.items, today).await {
        Ok(rows) => rows,
        Err(response) => return response,
    };
    let policies = match state.store.policies().await {
        Ok(p) => p,
        Err(e) => return store_failed(&staff, "work queue: reading policies", e),
    };
    let q = query.sent("q");
    let matches = match &filter.search {
        Some(_) => match state.store.count_matching(&filter, SEARCH_COUNT_CAP).await {
            Ok(n) => Some(n),
            Err(e) => return store_failed(&staff, "work queue: counting matches", e),
        },
        None => None,
    };
    let search_summary = matches.map(|n| search_summary(n, q.trim()));
    let empty_message = empty_message(&filter, q.trim());
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
            selects: filter_selects(&query, &users, &policies),
            received_from: query.sent("received_from"),
            received_to: query.sent("received_to"),
            mine,
            overdue: query.flag("overdue"),
            include_closed: query.flag("closed"),
            rows,
            caption,
            next_link: list.next.map(|cursor| next_page_link(&params, &cursor)),
            q,
            search_hint: if staff.principal().sees_personal_data() {
                "A reference, name, email address, phone number, postcode, address, or words from the complaint"
            } else {
                "A case reference, such as CMP-2026-000042"
            },
            search_summary,
            empty_message,
        },
        StatusCode::OK,
    )
}

/// The store's filter for the queue asked for; a date that is not one is reported on the page.
pub(super) fn queue_filter(
    query: &QueueQuery<'_>,
    staff: &Staff,
    today: Date,
    errors: &mut Vec<FormError>,
) -> CaseFilter {
    let include_confidential = staff.user.role.can(Permission::ReadConfidential);
    let mut filter = CaseFilter {
        include_confidential,
        // Confidential cases the officer logged or is assigned to, as on the API.
        confidential_for: (!include_confidential).then(|| staff.user.id.clone()),
        open_only: !query.flag("closed"),
        limit: 50,
        sort: if query.given("sort").as_deref() == Some("received") {
            Sort::Received
        } else {
            Sort::Due
        },
        state: query
            .given("state")
            .filter(|s| CaseState::parse(s).is_some()),
        policy: query.given("policy"),
        assignee: if query.flag("mine") {
            Some(staff.user.id.clone())
        } else {
            query.given("assignee")
        },
        stage: query
            .given("stage")
            .and_then(|s| s.parse().ok())
            .filter(|s| (1..=MAX_STAGES).contains(s)),
        overdue_as_of: query.flag("overdue").then_some(today),
        ..CaseFilter::default()
    };
    for (key, label, target) in [
        ("received_from", "Received from", &mut filter.received_from),
        ("received_to", "Received to", &mut filter.received_to),
    ] {
        if let Some(v) = query.given(key) {
            match crate::input::strict_date(&v) {
                Some(d) => *target = Some(d),
                None => errors.push(FormError {
                    id: key.into(),
                    message: format!("Enter a real date for '{label}'"),
                }),
            }
        }
    }
    if let Some(text) = query.given("q") {
        match SearchQuery::parse(&text, staff.principal().sees_personal_data()) {
            Ok(search) => filter.search = search,
            Err(problem) => errors.push(FormError {
                id: "q".into(),
                message: format!("The search {}", problem.message()),
            }),
        }
    }
    // A cursor continues its own order: with no sort chosen it sets it; under another it starts again. A
    // search pages newest first, with cursors of its own.
    filter.after = query.given("cursor").and_then(|c| Cursor::decode(&c));
    let searching = filter.search.is_some();
    if let Some(cursor) = &filter.after
        && (cursor.sort == Sort::Newest) != searching
    {
        filter.after = None;
    }
    if searching {
        filter.sort = Sort::Newest;
    } else if let Some(cursor) = &filter.after {
        if query.given("sort").is_none() {
            filter.sort = cursor.sort;
        } else if cursor.sort != filter.sort {
            filter.after = None;
        }
    }
    filter
}

/// "3 cases match 'Smith'" (counted up to [`SEARCH_COUNT_CAP`]).
fn search_summary(matches: u64, q: &str) -> String {
    if matches > u64::from(SEARCH_COUNT_CAP) {
        return format!("More than 1,000 cases match '{q}', newest first");
    }
    let cases = if matches == 1 {
        "case matches"
    } else {
        "cases match"
    };
    format!("{matches} {cases} '{q}', newest first")
}

/// What the page says when it lists nothing.
fn empty_message(filter: &CaseFilter, q: &str) -> String {
    match &filter.search {
        None => "No cases match these filters.".into(),
        Some(_) if filter.open_only => format!(
            "No open cases match '{q}'. Check the spelling, try fewer words, or include closed cases."
        ),
        Some(_) => format!("No cases match '{q}'. Check the spelling or try fewer words."),
    }
}

/// A row per case listed, each with its policy's stage names and clock labels.
async fn queue_rows(
    state: &AppState,
    staff: &Staff,
    users: &[User],
    cases: &[CaseSummary],
    today: Date,
) -> Result<Vec<Row>, Response> {
    let names: HashMap<&str, &str> = users
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    let mut rows = Vec::with_capacity(cases.len());
    for case in cases {
        let loaded = match state
            .policy(&case.policy_id, Some(case.policy_version))
            .await
        {
            Ok(l) => Some(l),
            Err(ServiceError::NotFound(_)) => None,
            Err(e) => return Err(error_page(staff, e)),
        };
        rows.push(row_for(case, loaded.as_deref(), staff, &names, today));
    }
    Ok(rows)
}

fn row_for(
    case: &CaseSummary,
    loaded: Option<&LoadedPolicy>,
    staff: &Staff,
    names: &HashMap<&str, &str>,
    today: Date,
) -> Row {
    let p = &case.projection;
    let who = staff.principal();
    let name = || {
        case.complainant_name
            .clone()
            .unwrap_or_else(|| "Anonymous".into())
    };
    let complainant = if case.confidential && !who.role.can(Permission::ReadConfidential)
        || !who.sees_personal_data()
    {
        "Hidden".into()
    } else if case.confidential {
        format!("{} (confidential)", name())
    } else {
        name()
    };
    let (tag_class, tag_text) = queue_tag(p, loaded, today);
    Row {
        reference: case.reference.clone(),
        complainant,
        received: human_date(p.received_on),
        stage: loaded.map_or_else(
            || format!("Stage {}", p.stage),
            |l| l.policy.stage_name(p.stage),
        ),
        next_due: match (&p.next_due_on, &p.next_due_clock, loaded) {
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
            .map(|a| {
                names
                    .get(a.as_str())
                    .map_or_else(|| a.clone(), |n| (*n).to_owned())
            })
            .unwrap_or_else(|| "Not assigned".into()),
    }
}

/// The same query with the next page's cursor.
fn next_page_link(params: &HashMap<String, String>, cursor: &Cursor) -> String {
    let mut pairs: Vec<String> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "cursor")
        .map(|(k, v)| format!("{}={}", session::urlencode(k), session::urlencode(v)))
        .collect();
    pairs.sort();
    pairs.push(format!("cursor={}", session::urlencode(&cursor.encode())));
    format!("/?{}", pairs.join("&"))
}

/// The filter form's choices, the ones asked for selected.
fn filter_selects(
    query: &QueueQuery<'_>,
    users: &[User],
    policies: &[PolicyRecord],
) -> Vec<Select> {
    let current = |k: &str| query.sent(k);
    let mut assignees = vec![opt("", "Anyone", &current("assignee"))];
    assignees.extend(
        users
            .iter()
            .map(|u| opt(u.id.clone(), u.name.clone(), &current("assignee"))),
    );
    let mut policy_options = vec![opt("", "Any policy", &current("policy"))];
    policy_options.extend(
        policies
            .iter()
            .map(|p| opt(p.id.clone(), p.name.clone(), &current("policy"))),
    );
    let mut stages = vec![opt("", "Any stage", &current("stage"))];
    stages.extend(
        (1..=MAX_STAGES).map(|n| opt(n.to_string(), format!("Stage {n}"), &current("stage"))),
    );
    let states = std::iter::once("")
        .chain(CaseState::ALL.iter().map(|s| s.as_str()))
        .map(|s| {
            let label = if s.is_empty() {
                "Any state"
            } else {
                state_label(s)
            };
            opt(s, label, &current("state"))
        })
        .collect();
    vec![
        Select {
            name: "stage",
            label: "Stage",
            options: stages,
        },
        Select {
            name: "state",
            label: "State",
            options: states,
        },
        Select {
            name: "assignee",
            label: "Assigned to",
            options: assignees,
        },
        Select {
            name: "policy",
            label: "Policy",
            options: policy_options,
        },
        Select {
            name: "sort",
            label: "Sort by",
            options: vec![
                opt("due", "Next deadline", &current("sort")),
                opt("received", "Newest received", &current("sort")),
            ],
        },
    ]
}

pub(crate) fn queue_tag(
    p: &redress_store::Projection,
    loaded: Option<&LoadedPolicy>,
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
