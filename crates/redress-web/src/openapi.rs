//! The OpenAPI document, finished so that it states exactly what the server accepts and answers.
//!
//! utoipa generates the paths and most schemas from the handlers. What it cannot say is added here, once:
//! the event body as the union of the event types with their fields, the limits of every free-text field
//! (the domain's [`TextKind`]s), strict `YYYY-MM-DD` dates, the enums, every error status as
//! `application/problem+json`, and `/healthz`. Tests check the event schemas against the domain's own
//! examples of every event type, so the two cannot drift apart unnoticed.

use redress_domain::event::Event;
use redress_domain::text::TextKind;
use serde_json::{Map, Value, json};

/// A real calendar day from 2000 to 2999, leap days included (the service keeps no earlier days).
const DATE_BODY: &str = "(?:2[0-9]{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:2[0-9](?:0[48]|[2468][048]|[13579][26])|2000|2400|2800)-02-29)";

/// A strict date, anchored.
pub fn date_pattern() -> String {
    format!("^{DATE_BODY}$")
}

/// Free text with no control characters but newlines and tabs (the domain's text rule).
const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// Text with at least one character that is not white space.
const NOT_BLANK_PATTERN: &str = "\\S";

/// Policy and exclusion ids.
pub const ID_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,63}$";

fn date() -> Value {
    json!({"type": "string", "format": "date", "pattern": date_pattern()})
}

fn text(kind: TextKind) -> Value {
    json!({"type": "string", "maxLength": kind.max_chars(), "pattern": TEXT_PATTERN})
}

/// Text that must say something.
fn required_text(kind: TextKind) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": kind.max_chars(),
           "allOf": [{"pattern": TEXT_PATTERN}, {"pattern": NOT_BLANK_PATTERN}]})
}

/// A member of staff, by email address or user id (`format: staff-user`, so that a client or a test
/// generator knows it must name a real user).
fn staff() -> Value {
    let mut s = required_text(TextKind::Name);
    s["format"] = Value::String("staff-user".into());
    s
}

fn strings<T: serde::Serialize>(values: &[T]) -> Vec<Value> {
    values
        .iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect()
}

fn one_of<T: serde::Serialize>(values: &[T]) -> Value {
    json!({"type": "string", "enum": strings(values)})
}

fn nullable(schema: Value) -> Value {
    json!({"oneOf": [schema, {"type": "null"}]})
}

fn object(required: &[&str], properties: Value, closed: bool) -> Value {
    let mut o = json!({"type": "object", "required": required, "properties": properties});
    if closed {
        o["additionalProperties"] = Value::Bool(false);
    }
    o
}

fn remedy() -> Value {
    use redress_domain::event::RemedyKind as K;
    object(
        &["kind", "description"],
        json!({
            "kind": one_of(&K::ALL),
            "description": required_text(TextKind::Line),
            "amount_pence": nullable(json!({"type": "integer", "minimum": 0, "maximum": 100_000_000_000u64})),
            "due_on": nullable(date()),
        }),
        true,
    )
}

fn outcome() -> Value {
    use redress_domain::event::Outcome as O;
    one_of(&O::ALL)
}

/// One field of an event type: (name, schema, required).
type Field = (&'static str, Value, bool);

/// Each event type's fields, beside `type` and `on`, looked up in the table of its group.
fn event_fields(kind: &str) -> Vec<Field> {
    intake_fields(kind)
        .or_else(|| handling_fields(kind))
        .or_else(|| escalation_fields(kind))
        .or_else(|| closing_fields(kind))
        .or_else(|| issue_and_ombudsman_fields(kind))
        .or_else(|| support_fields(kind))
        .or_else(|| letter_fields(kind))
        .or_else(|| document_fields(kind))
        .unwrap_or_default()
}

/// A required reason, in free text of `kind`.
fn reason(kind: TextKind) -> Field {
    ("reason", required_text(kind), true)
}

/// Receipt and what intake records and decides about it.
fn intake_fields(kind: &str) -> Option<Vec<Field>> {
    use redress_domain::event::{Channel, FeedbackType as F, Relationship};
    Some(match kind {
        "received" => vec![
            ("channel", one_of(&Channel::ALL), true),
            ("relationship", one_of(&Relationship::ALL), false),
            ("tenancy_ended_on", date(), false),
            ("matter_arose_on", date(), false),
        ],
        "relationship_recorded" => vec![
            ("relationship", one_of(&Relationship::ALL), true),
            ("tenancy_ended_on", date(), false),
        ],
        "time_limit_discretion_used" => vec![reason(TextKind::Paragraphs)],
        "classified" => vec![
            ("feedback_type", one_of(&F::ALL), true),
            ("raised_on", nullable(date()), false),
        ],
        "excluded" => vec![
            ("ground", required_text(TextKind::Name), true),
            reason(TextKind::Paragraphs),
        ],
        _ => return None,
    })
}

/// A stage's handling, from acknowledgement to its response.
fn handling_fields(kind: &str) -> Option<Vec<Field>> {
    Some(match kind {
        "acknowledged" | "adverse_findings_shared" => vec![],
        "assigned" => vec![("officer", staff(), true)],
        "complaint_defined" => vec![
            (
                "heads",
                json!({"type": "array", "items": object(&["summary"], json!({
                    "summary": required_text(TextKind::Line),
                    "outcome_sought": nullable(text(TextKind::Line)),
                }), true)}),
                true,
            ),
            (
                "not_responsible_for",
                json!({"type": "array", "items": text(TextKind::Line)}),
                false,
            ),
        ],
        "extended" => vec![
            (
                "working_days",
                json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}),
                true,
            ),
            reason(TextKind::Paragraphs),
            ("resident_agreed", json!({"type": "boolean"}), true),
        ],
        "responded" => response_fields(),
        _ => return None,
    })
}

/// A stage response: its outcome, head by head, the remedies and what is still to do.
fn response_fields() -> Vec<Field> {
    vec![
        ("outcome", nullable(outcome()), false),
        (
            "heads",
            json!({"type": "array", "items": object(&["head", "outcome"], json!({
                "head": {"type": "integer", "minimum": 0, "maximum": u32::MAX},
                "outcome": outcome(),
                "reasons": nullable(text(TextKind::Paragraphs)),
            }), true)}),
            false,
        ),
        (
            "remedies",
            json!({"type": "array", "items": remedy()}),
            false,
        ),
        (
            "outstanding_actions",
            json!({"type": "array", "items": object(&["description"], json!({
                "description": required_text(TextKind::Line),
                "due_on": nullable(date()),
            }), true)}),
            false,
        ),
    ]
}

/// The resident's request to escalate and the landlord's answer to it.
fn escalation_fields(kind: &str) -> Option<Vec<Field>> {
    Some(match kind {
        "escalation_requested" => vec![("reasons", nullable(text(TextKind::Paragraphs)), false)],
        "escalation_accepted" | "returned_to_stage1" => vec![reason(TextKind::Paragraphs)],
        "escalation_refused" => vec![
            ("ground", required_text(TextKind::Name), true),
            ("explanation", nullable(text(TextKind::Paragraphs)), false),
        ],
        _ => return None,
    })
}

/// Closing a case, reopening it, and completing what it promised.
fn closing_fields(kind: &str) -> Option<Vec<Field>> {
    use redress_domain::event::CloseReason as C;
    Some(match kind {
        "resolved_confirmed" => vec![],
        "closed" => vec![
            ("reason", one_of(&C::ALL), true),
            ("explanation", nullable(text(TextKind::Paragraphs)), false),
        ],
        "reopened" => vec![reason(TextKind::Paragraphs)],
        "remedy_completed" => vec![("remedy", required_text(TextKind::Name), true)],
        _ => return None,
    })
}

/// Issues moved between cases, and the case before the Ombudsman.
fn issue_and_ombudsman_fields(kind: &str) -> Option<Vec<Field>> {
    use redress_domain::event::OmbudsmanFinding as OF;
    Some(match kind {
        "issue_merged" => vec![
            ("summary", required_text(TextKind::Paragraphs), true),
            ("from_reference", nullable(text(TextKind::Name)), false),
        ],
        "issue_split_out" => vec![
            ("summary", required_text(TextKind::Paragraphs), true),
            ("to_reference", nullable(text(TextKind::Name)), false),
        ],
        "referred_to_ombudsman" => {
            vec![("ombudsman_reference", nullable(text(TextKind::Name)), false)]
        }
        "ombudsman_determined" => vec![
            (
                "findings",
                json!({"type": "array", "items": object(&["element", "finding"], json!({
                    "element": text(TextKind::Line),
                    "finding": one_of(&OF::ALL),
                }), true)}),
                true,
            ),
            ("orders", json!({"type": "array", "items": remedy()}), false),
        ],
        _ => return None,
    })
}

/// The resident's needs and adjustments, and any restriction of their contact.
fn support_fields(kind: &str) -> Option<Vec<Field>> {
    use redress_domain::event::ChallengeOutcome;
    Some(match kind {
        "adjustments_recorded" => vec![
            ("needs", required_text(TextKind::Paragraphs), true),
            ("adjustments", required_text(TextKind::Paragraphs), true),
            ("review_on", nullable(date()), false),
        ],
        "contact_restricted" => vec![
            ("restriction", required_text(TextKind::Paragraphs), true),
            ("approved_by", staff(), true),
            ("review_on", date(), true),
        ],
        "contact_restriction_challenged" => vec![
            ("outcome", one_of(&ChallengeOutcome::ALL), true),
            ("explanation", required_text(TextKind::Paragraphs), true),
        ],
        _ => return None,
    })
}

/// A letter issued to the resident (recorded only by issuing it, never posted as an event).
fn letter_fields(kind: &str) -> Option<Vec<Field>> {
    use redress_domain::event::LetterChannel;
    use redress_domain::letters::LetterKind;
    Some(match kind {
        "letter_issued" => vec![
            ("letter", required_text(TextKind::Name), true),
            ("kind", one_of(&LetterKind::ALL), true),
            (
                "stage",
                json!({"type": "integer", "minimum": 1, "maximum": u8::MAX}),
                true,
            ),
            ("channel", one_of(&LetterChannel::ALL), true),
            (
                "recipients",
                json!({"type": "array", "items": required_text(TextKind::Line)}),
                true,
            ),
            (
                "document",
                json!({"type": "string", "pattern": "^[0-9a-f]{64}$", "maxLength": TextKind::Name.max_chars()}),
                true,
            ),
            (
                "checklist",
                json!({"type": "array", "items": object(
                    &["question", "answer"],
                    json!({
                        "question": required_text(TextKind::Name),
                        "answer": {"type": "string", "enum": ["yes", "no"]},
                        "explanation": text(TextKind::Paragraphs),
                    }),
                    true,
                )}),
                false,
            ),
        ],
        _ => return None,
    })
}

/// A document attached to the case (recorded only by uploading it, never posted as an event).
fn document_fields(kind: &str) -> Option<Vec<Field>> {
    let sha256 = json!({"type": "string", "pattern": "^[0-9a-f]{64}$", "maxLength": TextKind::Name.max_chars()});
    Some(match kind {
        "document_added" => vec![
            ("document", required_text(TextKind::Name), true),
            ("sha256", sha256, true),
            ("name", required_text(TextKind::Name), true),
            ("content_type", required_text(TextKind::Name), true),
            ("size", json!({"type": "integer", "minimum": 0}), true),
        ],
        _ => return None,
    })
}

/// The schema of one event type. `closed` refuses other fields (the request body); a recorded event in a
/// case view adds `seq`, `by` and `recorded_at`.
fn event_schema(kind: &str, closed: bool) -> Value {
    let mut properties = Map::new();
    properties.insert("type".into(), json!({"type": "string", "const": kind}));
    properties.insert("on".into(), date());
    let mut required = vec!["type", "on"];
    for (name, schema, needed) in event_fields(kind) {
        properties.insert(name.into(), schema);
        if needed {
            required.push(name);
        }
    }
    if kind == "escalation_requested" {
        // Set by the service, never taken from the client.
        properties.insert(
            "out_of_time".into(),
            json!({"type": "boolean", "readOnly": true}),
        );
    }
    if !closed {
        properties.insert("seq".into(), json!({"type": "integer", "minimum": 1}));
        properties.insert("by".into(), json!({"type": ["string", "null"]}));
        properties.insert("recorded_at".into(), json!({"type": "string"}));
        required.extend(["seq", "recorded_at"]);
    }
    let mut schema = object(&required, Value::Object(properties), closed);
    schema["title"] = Value::String(kind.to_owned());
    schema
}

fn events_union(closed: bool) -> Value {
    // A letter is issued, and a document uploaded, through its own operation: the request body for a step
    // offers neither.
    let all: Vec<Value> = Event::KINDS
        .iter()
        .filter(|k| !closed || !matches!(**k, "letter_issued" | "document_added"))
        .map(|k| event_schema(k, closed))
        .collect();
    json!({"oneOf": all, "discriminator": {"propertyName": "type"}})
}

fn problem_response(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

/// Every error status an operation can answer: each is `application/problem+json`.
fn error_statuses(
    method: &str,
    has_body: bool,
    authenticated: bool,
    pages_with_cursor: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![
        (
            "400",
            "The request cannot be read (a malformed path, query or body)",
        ),
        ("404", "No such resource, or not visible to the caller"),
        ("405", "Method not allowed"),
        ("408", "The request took too long"),
        (
            "500",
            "A failure on our side; logged, and the detail withheld",
        ),
    ];
    if authenticated {
        out.push(("401", "No valid API token"));
        out.push(("403", "The token's role may not do this"));
    }
    if has_body || method == "put" || method == "post" {
        out.push((
            "409",
            "The policy or the lifecycle refuses, in words for people; the problem names the field",
        ));
        out.push(("413", "The body is over 64 KiB"));
        out.push(("415", "The body is not of the documented media type"));
        out.push((
            "422",
            "The body is well-formed but not acceptable; the problem names the field",
        ));
    }
    if method == "get" {
        out.push((
            "422",
            "A query parameter is not acceptable; the problem names it",
        ));
    }
    if pages_with_cursor {
        out.push((
            "409",
            "The parameters conflict (a cursor given with another sort than it was made for)",
        ));
    }
    out
}

fn set(schema: &mut Value, pointer: &str, value: Value) {
    if let Some(slot) = schema.pointer_mut(pointer) {
        *slot = value;
    }
}

fn finish_schemas(doc: &mut Value) {
    let schemas = "/components/schemas";
    if let Some(Value::Object(s)) = doc.pointer_mut(schemas) {
        s.insert("Event".into(), events_union(true));
        s.insert("RecordedEvent".into(), events_union(false));
    }
    set(
        doc,
        "/components/schemas/EventView",
        json!({"$ref": "#/components/schemas/RecordedEvent"}),
    );
    let c = "/components/schemas/CreateComplaint/properties";
    use redress_domain::event::{Channel, Relationship};
    set(doc, &format!("{c}/received_on"), date());
    set(doc, &format!("{c}/channel"), one_of(&Channel::ALL));
    set(
        doc,
        &format!("{c}/relationship"),
        nullable(one_of(&Relationship::ALL)),
    );
    set(doc, &format!("{c}/tenancy_ended_on"), nullable(date()));
    set(doc, &format!("{c}/matter_arose_on"), nullable(date()));
    set(
        doc,
        &format!("{c}/summary"),
        required_text(TextKind::Document),
    );
    set(
        doc,
        &format!("{c}/policy"),
        // An installed policy's id: one that is not installed is a 422 naming `policy`.
        nullable(json!({"type": "string", "format": "policy-id", "pattern": ID_PATTERN})),
    );
    set(
        doc,
        &format!("{c}/idempotency_key"),
        nullable(json!({"type": "string", "minLength": 1, "maxLength": 100})),
    );
    let p = "/components/schemas/ComplainantBody/properties";
    set(doc, &format!("{p}/name"), nullable(text(TextKind::Name)));
    set(
        doc,
        &format!("{p}/email"),
        nullable(json!({"type": "string", "maxLength": 254,
        "pattern": "^[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+@[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+\\.[^@\\s.\\u0000-\\u001F\\u007F-\\u009F]+$"})),
    );
    set(doc, &format!("{p}/phone"), nullable(text(TextKind::Phone)));
    set(doc, &format!("{p}/address"), nullable(text(TextKind::Line)));
    let r = "/components/schemas/RepresentativeBody/properties";
    set(doc, &format!("{r}/name"), required_text(TextKind::Name));
    set(
        doc,
        &format!("{r}/relationship"),
        nullable(text(TextKind::Name)),
    );
    for name in ["CreateComplaint", "ComplainantBody", "RepresentativeBody"] {
        if let Some(o) = doc.pointer_mut(&format!("{schemas}/{name}")) {
            o["additionalProperties"] = Value::Bool(false);
        }
    }
    // A complainant is named or reachable; one who is neither is an anonymous complaint, sent without one.
    if let Some(o) = doc.pointer_mut(&format!("{schemas}/ComplainantBody")) {
        o["anyOf"] = ["name", "email", "phone", "address"]
            .map(|f| json!({"required": [f], "properties": {f: {"type": "string", "pattern": "\\S"}}}))
            .into_iter()
            .collect();
    }
    finish_letter_schemas(doc);
}

/// The letters' inputs: their kinds and channels from the domain's lists.
fn finish_letter_schemas(doc: &mut Value) {
    use redress_domain::event::LetterChannel;
    use redress_domain::letters::LetterKind;
    let schemas = "/components/schemas";
    set(
        doc,
        &format!("{schemas}/DraftLetter/properties/kind"),
        one_of(&LetterKind::ALL),
    );
    set(
        doc,
        &format!("{schemas}/DraftLetter/properties/paragraphs"),
        json!({"type": "array", "items": text(TextKind::Paragraphs)}),
    );
    set(
        doc,
        &format!("{schemas}/IssueLetter/properties/channel"),
        one_of(&LetterChannel::ALL),
    );
    // The step a letter records: an extension letter's extension, a response letter's response.
    set(
        doc,
        &format!("{schemas}/DraftLetter/properties/step"),
        nullable(
            json!({"oneOf": [event_schema("extended", true), event_schema("responded", true)],
                        "discriminator": {"propertyName": "type"}}),
        ),
    );
    let answer = format!("{schemas}/ChecklistAnswerInput/properties");
    set(
        doc,
        &format!("{answer}/answer"),
        json!({"type": "string", "enum": ["yes", "no"]}),
    );
    set(
        doc,
        &format!("{answer}/explanation"),
        nullable(text(TextKind::Paragraphs)),
    );
    set(
        doc,
        &format!("{schemas}/MessageView/properties/status"),
        json!({"type": "string", "enum": ["queued", "sending", "sent", "failed"]}),
    );
    set(
        doc,
        &format!("{schemas}/MessageView/properties/kind"),
        json!({"type": "string", "enum": ["letter", "letter_copy", "assignment"]}),
    );
    for name in ["DraftLetter", "IssueLetter", "ChecklistAnswerInput"] {
        if let Some(o) = doc.pointer_mut(&format!("{schemas}/{name}")) {
            o["additionalProperties"] = Value::Bool(false);
        }
    }
}

/// Query and path parameters: their types and limits as the server parses them.
fn finish_parameters(doc: &mut Value) {
    let Some(Value::Object(paths)) = doc.pointer_mut("/paths") else {
        return;
    };
    for (_, ops) in paths.iter_mut() {
        let Some(ops) = ops.as_object_mut() else {
            continue;
        };
        for (_, op) in ops.iter_mut() {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for param in params {
                let name = param["name"].as_str().unwrap_or_default().to_owned();
                let schema = match name.as_str() {
                    "due_before" | "received_from" | "received_to" | "as_of" => date(),
                    "stage" => json!({"type": "integer", "minimum": 1, "maximum": 3}),
                    "limit" => json!({"type": "integer", "minimum": 1, "maximum": 200}),
                    "version" => json!({"type": "integer", "minimum": 1, "maximum": i64::MAX}),
                    "open" | "overdue" => json!({"type": "boolean"}),
                    "sort" => json!({"type": "string", "enum": ["received", "due"]}),
                    "state" => json!({"type": "string", "enum":
                        redress_domain::State::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()}),
                    "id" | "policy" => json!({"type": "string", "pattern": ID_PATTERN}),
                    "reference" => json!({"type": "string", "minLength": 1, "maxLength": 40}),
                    "assignee" => text(TextKind::Name),
                    // The search text: the same limits as a name (200 characters, no control characters).
                    "q" => text(TextKind::Name),
                    // A cursor is `r~KEY~ID` or `d~KEY~ID`, the key a day, or 9999-12-31 for no due date;
                    // or a search's `n~NUMBER~ID`.
                    "cursor" => json!({"type": "string", "pattern":
                        format!("^(?:[rd]~(?:{DATE_BODY}|9999-12-31)|n~[0-9]{{1,18}})~[0-9a-f-]{{1,64}}$")}),
                    "If-Match" => json!({"type": "string", "pattern": "^\"?[0-9]{1,18}\"?$"}),
                    _ => continue,
                };
                param["schema"] = schema;
            }
        }
    }
}

fn finish_responses(doc: &mut Value) {
    let Some(Value::Object(paths)) = doc.pointer_mut("/paths") else {
        return;
    };
    for (path, ops) in paths.iter_mut() {
        let Some(ops) = ops.as_object_mut() else {
            continue;
        };
        for (method, op) in ops.iter_mut() {
            if path.ends_with("/events") && method == "post" {
                op["requestBody"] = json!({"required": true, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Event"}}}});
            }
            if !matches!(method.as_str(), "get" | "post" | "put" | "delete" | "patch") {
                continue;
            }
            let has_body = op.get("requestBody").is_some();
            let authenticated = op.get("security").is_some();
            let pages_with_cursor = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "cursor"));
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, description) in
                error_statuses(method, has_body, authenticated, pages_with_cursor)
            {
                responses
                    .entry(status)
                    .or_insert_with(|| problem_response(description));
            }
        }
    }
}

/// Links from a created complaint to reading it and recording its next step.
fn add_links(doc: &mut Value) {
    let reference = json!({"reference": "$response.body#/reference"});
    for status in ["201", "200"] {
        if let Some(r) = doc.pointer_mut(&format!(
            "/paths/~1api~1v1~1complaints/post/responses/{status}"
        )) {
            r["links"] = json!({
                "GetComplaint": {"operationId": "get_complaint", "parameters": reference},
                "RecordEvent": {"operationId": "record_event", "parameters": reference},
            });
        }
    }
}

/// A document is served as the media type sniffed from its bytes: one of the allow-list's.
fn add_document_types(doc: &mut Value) {
    let binary = json!({"schema": {"type": "string", "format": "binary"}});
    let content: Map<String, Value> = redress_domain::documents::ALLOWED
        .iter()
        .map(|k| match k.content_type {
            "text/plain" => ("text/plain; charset=utf-8".to_owned(), binary.clone()),
            other => (other.to_owned(), binary.clone()),
        })
        .collect();
    if let Some(ok) = doc.pointer_mut("/paths/~1api~1v1~1documents~1{id}/get/responses/200") {
        ok["content"] = Value::Object(content);
    }
    let id = json!({"id": "$response.body#/id"});
    if let Some(created) =
        doc.pointer_mut("/paths/~1api~1v1~1complaints~1{reference}~1documents/post/responses/201")
    {
        created["links"] =
            json!({"DownloadDocument": {"operationId": "download_document", "parameters": id}});
    }
}

fn add_healthz(doc: &mut Value) {
    if let Some(Value::Object(paths)) = doc.pointer_mut("/paths") {
        paths.insert(
            "/healthz".into(),
            json!({"get": {
                "operationId": "healthz",
                "summary": "Liveness and database reachability",
                "tags": ["service"],
                "responses": {
                    "200": {"description": "Up, and the database answers",
                            "content": {"application/json": {"schema": {"type": "object",
                                "required": ["status", "database"],
                                "properties": {"status": {"type": "string", "const": "ok"},
                                               "database": {"type": "string", "enum": ["sqlite", "postgres"]}}}}}},
                    "503": problem_response("The database does not answer"),
                    "405": problem_response("Method not allowed"),
                }
            }}),
        );
    }
}

/// The finished document, as JSON text.
pub fn document(generated: &utoipa::openapi::OpenApi) -> String {
    let mut doc = serde_json::to_value(generated).unwrap_or_else(|_| json!({}));
    finish_schemas(&mut doc);
    finish_parameters(&mut doc);
    finish_responses(&mut doc);
    add_links(&mut doc);
    add_document_types(&mut doc);
    add_healthz(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example of every event type fits its schema: each field it carries is documented, every
    /// documented required field is there, and free text has the domain's limit.
    /// A field the schema calls optional can be left out: the server's parser agrees.
    #[test]
    fn optional_fields_may_be_left_out_and_required_ones_may_not() {
        for event in redress_domain::privacy::examples("x") {
            let kind = event.kind();
            let schema = event_schema(kind, true);
            let required: Vec<&str> = schema["required"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let json = serde_json::to_value(&event).unwrap();
            for key in json.as_object().unwrap().keys() {
                let mut without = json.clone();
                without.as_object_mut().unwrap().remove(key);
                let parses = serde_json::from_value::<Event>(without).is_ok();
                assert_eq!(
                    parses,
                    !required.contains(&key.as_str()),
                    "{kind}.{key}: the schema and the parser disagree on whether it is required"
                );
            }
        }
    }

    #[test]
    fn the_event_schemas_match_the_domains_events() {
        let marker = "x";
        let mut seen = std::collections::BTreeSet::new();
        for event in redress_domain::privacy::examples(marker) {
            let kind = event.kind();
            seen.insert(kind);
            let schema = event_schema(kind, true);
            let json = serde_json::to_value(&event).unwrap();
            let props = schema["properties"].as_object().unwrap();
            for key in json.as_object().unwrap().keys() {
                assert!(props.contains_key(key), "{kind}.{key} is not documented");
            }
            for req in schema["required"].as_array().unwrap() {
                assert!(
                    json.get(req.as_str().unwrap()).is_some(),
                    "{kind}: {req} is documented as required but the event can omit it"
                );
            }
            for (field, _, kind_of_text) in redress_domain::text::event_text(&event) {
                if field.contains('[') {
                    continue;
                }
                let max = props[&field]
                    .pointer("/maxLength")
                    .or_else(|| props[&field].pointer("/oneOf/0/maxLength"))
                    .and_then(Value::as_u64);
                assert_eq!(
                    max,
                    Some(kind_of_text.max_chars() as u64),
                    "{kind}.{field}'s documented length"
                );
            }
        }
        assert_eq!(seen.len(), Event::KINDS.len());
    }
}
