//! The work queue: open cases by urgency with their filters, counts and sort.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use redress_domain::access::Permission;
use redress_domain::case::{State as CaseState, clock_label, human_date};
use redress_domain::urgency::Urgency;
use redress_store::{CaseFilter, Cursor, QueueCounts, Sort};

use super::SharedState;
use super::layout::{FormError, Page, error_page, render, store_failed};

use crate::service::ServiceError;
use crate::session::{self, Staff};

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
}

pub(crate) fn state_label(state: &str) -> &'static str {
    CaseState::parse(state).map_or("Unknown", CaseState::label)
}

pub(crate) async fn dashboard(
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
            match crate::input::strict_date(&v) {
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
            Err(ServiceError::NotFound(_)) => None,
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
pub(crate) fn queue_tag(
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

pub(crate) fn week_end(today: Date) -> Date {
    let offset = 6 - i64::from(today.weekday().to_monday_zero_offset());
    today
        .checked_add(jiff::Span::new().days(offset))
        .unwrap_or(today)
}

pub(crate) fn first_of_month(today: Date) -> Date {
    today.first_of_month()
}
