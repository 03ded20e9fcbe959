//! Free text: one rule for every free-text field, at intake and on every event.
//!
//! A field's text is at most its kind's length, in characters, and holds no control characters other than
//! newlines (LF and CR, alone or together as browsers send them) and tabs. [`event_text`] lists every
//! free-text field of every event with its kind, destructuring each event with no `..`, so a new field does
//! not compile until it has a limit.

use crate::event::{Event, Head, HeadOutcome, OmbudsmanElement, OutstandingAction, Remedy};
use TextKind::{Line, Name, Paragraphs};

/// An amount of money as a letter or a screen writes it: `£1,250.00`.
pub fn pounds(pence: u64) -> String {
    let whole = (pence / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("£{grouped}.{:02}", pence % 100)
}

/// Kinds of free text, each with its length limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A telephone number.
    Phone,
    /// An email address (RFC 5321's limit).
    Email,
    /// A name, an id, a reference or a ground: one short line.
    Name,
    /// A line of contact detail or a short phrase (an address, a remedy, a head of complaint).
    Line,
    /// Reasons, explanations, descriptions: a few paragraphs.
    Paragraphs,
    /// The complaint in the resident's words.
    Document,
}

impl TextKind {
    /// The most characters the kind allows.
    pub const fn max_chars(self) -> usize {
        match self {
            TextKind::Phone => 40,
            TextKind::Email => 254,
            TextKind::Name => 200,
            TextKind::Line => 1_000,
            TextKind::Paragraphs => 5_000,
            TextKind::Document => 20_000,
        }
    }
}

/// What is wrong with a free-text value, if anything, in words that complete "<field> …".
pub fn problem(value: &str, kind: TextKind) -> Option<String> {
    let max = kind.max_chars();
    if value.chars().count() > max {
        return Some(format!("is longer than {max} characters"));
    }
    for c in value.chars() {
        let allowed = match c {
            '\n' | '\r' | '\t' => true,
            c => !c.is_control(),
        };
        if !allowed {
            return Some("contains control characters".into());
        }
    }
    None
}

/// Whether the text has the shape of an email address: one `@`, something before it, a dot in the part
/// after it (not at its end), and no white space or control characters. Deliberately simple: the address is
/// proved by writing to it, not by its shape. (The OpenAPI document's pattern says the same.)
pub fn is_email_address(value: &str) -> bool {
    value.matches('@').count() == 1
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
        })
}

/// Every free-text field of the event: its name (as the API spells it), its value and its kind.
pub fn event_text(event: &Event) -> Vec<(String, &str, TextKind)> {
    let mut fields = Fields(Vec::new());
    match event {
        Event::Received {
            on: _,
            channel: _,
            relationship: _,
            tenancy_ended_on: _,
            matter_arose_on: _,
        }
        | Event::RelationshipRecorded {
            on: _,
            relationship: _,
            tenancy_ended_on: _,
        }
        | Event::Classified {
            on: _,
            feedback_type: _,
            raised_on: _,
        }
        | Event::Acknowledged { on: _ }
        | Event::AdverseFindingsShared { on: _ }
        | Event::ResolvedConfirmed { on: _ } => {}
        Event::TimeLimitDiscretionUsed { on: _, reason }
        | Event::Extended {
            on: _,
            working_days: _,
            reason,
            resident_agreed: _,
        }
        | Event::EscalationAccepted { on: _, reason }
        | Event::Reopened { on: _, reason }
        | Event::ReturnedToStage1 { on: _, reason } => fields.add("reason", reason, Paragraphs),
        Event::Excluded {
            on: _,
            ground,
            reason,
        } => {
            fields.add("ground", ground, Name);
            fields.add("reason", reason, Paragraphs);
        }
        Event::Assigned { on: _, officer } => fields.add("officer", officer, Name),
        Event::ComplaintDefined {
            on: _,
            heads,
            not_responsible_for,
        } => fields.complaint_definition(heads, not_responsible_for),
        Event::Responded {
            on: _,
            outcome: _,
            heads,
            remedies,
            outstanding_actions,
        } => fields.response(heads, remedies, outstanding_actions),
        Event::EscalationRequested {
            on: _,
            reasons,
            out_of_time: _,
        } => fields.add_optional("reasons", reasons, Paragraphs),
        Event::EscalationRefused {
            on: _,
            ground,
            explanation,
        } => {
            fields.add("ground", ground, Name);
            fields.add_optional("explanation", explanation, Paragraphs);
        }
        Event::Closed {
            on: _,
            reason: _,
            explanation,
        } => fields.add_optional("explanation", explanation, Paragraphs),
        Event::IssueMerged {
            on: _,
            summary,
            from_reference,
        } => fields.moved_issue(summary, "from_reference", from_reference),
        Event::IssueSplitOut {
            on: _,
            summary,
            to_reference,
        } => fields.moved_issue(summary, "to_reference", to_reference),
        Event::ReferredToOmbudsman {
            on: _,
            ombudsman_reference,
        } => fields.add_optional("ombudsman_reference", ombudsman_reference, Name),
        Event::OmbudsmanDetermined {
            on: _,
            findings,
            orders,
        } => fields.ombudsman_determination(findings, orders),
        support @ (Event::AdjustmentsRecorded { .. }
        | Event::ContactRestricted { .. }
        | Event::ContactRestrictionChallenged { .. }
        | Event::RemedyCompleted { .. }
        | Event::LetterIssued { .. }
        | Event::DocumentAdded { .. }) => fields.support_and_letters(support),
    }
    fields.0
}

/// The free-text fields of one event, in the order [`event_text`] lists them.
struct Fields<'a>(Vec<(String, &'a str, TextKind)>);

impl<'a> Fields<'a> {
    fn add(&mut self, field: impl Into<String>, value: &'a str, kind: TextKind) {
        self.0.push((field.into(), value, kind));
    }

    fn add_optional(
        &mut self,
        field: impl Into<String>,
        value: &'a Option<String>,
        kind: TextKind,
    ) {
        if let Some(value) = value {
            self.add(field, value, kind);
        }
    }

    fn complaint_definition(&mut self, heads: &'a [Head], not_responsible_for: &'a [String]) {
        for (i, h) in heads.iter().enumerate() {
            let Head {
                summary,
                outcome_sought,
            } = h;
            self.add(format!("heads[{i}].summary"), summary, Line);
            self.add_optional(format!("heads[{i}].outcome_sought"), outcome_sought, Line);
        }
        for (i, n) in not_responsible_for.iter().enumerate() {
            self.add(format!("not_responsible_for[{i}]"), n, Line);
        }
    }

    fn response(
        &mut self,
        heads: &'a [HeadOutcome],
        remedies: &'a [Remedy],
        outstanding_actions: &'a [OutstandingAction],
    ) {
        for (i, h) in heads.iter().enumerate() {
            let HeadOutcome {
                head: _,
                outcome: _,
                reasons,
            } = h;
            self.add_optional(format!("heads[{i}].reasons"), reasons, Paragraphs);
        }
        self.remedies("remedies", remedies);
        for (i, a) in outstanding_actions.iter().enumerate() {
            let OutstandingAction {
                description,
                due_on: _,
            } = a;
            self.add(
                format!("outstanding_actions[{i}].description"),
                description,
                Line,
            );
        }
    }

    fn moved_issue(
        &mut self,
        summary: &'a str,
        reference_field: &str,
        reference: &'a Option<String>,
    ) {
        self.add("summary", summary, Paragraphs);
        self.add_optional(reference_field, reference, Name);
    }

    fn ombudsman_determination(&mut self, findings: &'a [OmbudsmanElement], orders: &'a [Remedy]) {
        for (i, f) in findings.iter().enumerate() {
            let OmbudsmanElement {
                element,
                finding: _,
            } = f;
            self.add(format!("findings[{i}].element"), element, Line);
        }
        self.remedies("orders", orders);
    }

    fn remedies(&mut self, field: &str, list: &'a [Remedy]) {
        for (i, r) in list.iter().enumerate() {
            let Remedy {
                kind: _,
                description,
                amount_pence: _,
                due_on: _,
            } = r;
            self.add(format!("{field}[{i}].description"), description, Line);
        }
    }
}

impl<'a> Fields<'a> {
    /// The fields of the events about the resident's support, remedies and letters (`event_text` sends
    /// only those here, and destructures none of them: each is destructured whole below).
    fn support_and_letters(&mut self, event: &'a Event) {
        let fields = self;
        match event {
            Event::AdjustmentsRecorded {
                on: _,
                needs,
                adjustments,
                review_on: _,
            } => {
                fields.add("needs", needs, Paragraphs);
                fields.add("adjustments", adjustments, Paragraphs);
            }
            Event::ContactRestricted {
                on: _,
                restriction,
                approved_by,
                review_on: _,
            } => {
                fields.add("restriction", restriction, Paragraphs);
                fields.add("approved_by", approved_by, Name);
            }
            Event::ContactRestrictionChallenged {
                on: _,
                outcome: _,
                explanation,
            } => fields.add("explanation", explanation, Paragraphs),
            Event::RemedyCompleted { on: _, remedy } => fields.add("remedy", remedy, Name),
            Event::LetterIssued {
                on: _,
                letter,
                kind: _,
                stage: _,
                channel: _,
                recipients,
                document,
                checklist,
            } => {
                fields.add("letter", letter, Name);
                for (i, r) in recipients.iter().enumerate() {
                    fields.add(format!("recipients[{i}]"), r, Line);
                }
                fields.add("document", document, Name);
                for (i, a) in checklist.iter().enumerate() {
                    fields.add(format!("checklist[{i}].question"), &a.question, Name);
                    if let Some(e) = &a.explanation {
                        fields.add(format!("checklist[{i}].explanation"), e, Paragraphs);
                    }
                }
            }
            Event::DocumentAdded {
                on: _,
                document,
                sha256,
                name,
                content_type,
                size: _,
            } => {
                fields.add("document", document, Name);
                fields.add("sha256", sha256, Name);
                fields.add("name", name, Name);
                fields.add("content_type", content_type, Name);
            }
            _ => {}
        }
    }
}

/// Every problem with the event's free text, as (field, what is wrong).
pub fn event_text_problems(event: &Event) -> Vec<(String, String)> {
    event_text(event)
        .into_iter()
        .filter_map(|(field, value, kind)| problem(value, kind).map(|p| (field, p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_in_pounds_with_thousands_grouped() {
        assert_eq!(pounds(0), "£0.00");
        assert_eq!(pounds(5), "£0.05");
        assert_eq!(pounds(15_000), "£150.00");
        assert_eq!(pounds(125_050), "£1,250.50");
        assert_eq!(pounds(123_456_789), "£1,234,567.89");
    }

    #[test]
    fn newlines_and_tabs_are_text_other_control_characters_are_not() {
        assert_eq!(
            problem("Line one\nline two\r\n\tindented", TextKind::Line),
            None
        );
        assert_eq!(problem("old\rMac", TextKind::Line), None);
        for bad in [
            "a\u{0}b",
            "bell\u{7}",
            "del\u{7f}",
            "esc\u{1b}[31m",
            "next\u{85}line",
        ] {
            assert_eq!(
                problem(bad, TextKind::Line).as_deref(),
                Some("contains control characters"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_email_address_has_one_at_a_dotted_domain_and_no_spaces() {
        assert!(is_email_address("aisha@example.org"));
        for bad in [
            "aisha",
            "@example.org",
            "a@b",
            "a@b.",
            "a b@example.org",
            "a@b@c.org",
            "a@ex\u{7}.org",
        ] {
            assert!(!is_email_address(bad), "{bad:?}");
        }
    }

    #[test]
    fn each_kind_has_its_length() {
        let at = "é".repeat(TextKind::Name.max_chars());
        assert_eq!(problem(&at, TextKind::Name), None);
        assert_eq!(
            problem(&format!("{at}x"), TextKind::Name).as_deref(),
            Some("is longer than 200 characters")
        );
    }

    #[test]
    fn every_free_text_field_of_every_event_is_checked() {
        let marker = "\u{7}";
        for event in crate::privacy::examples(marker) {
            let problems = event_text_problems(&event);
            // Every personal field of the examples starts with the marker, so each must be found.
            let personal = serde_json::to_string(&event)
                .unwrap()
                .matches("\\u0007")
                .count();
            assert_eq!(problems.len(), personal, "{}: {problems:?}", event.kind());
        }
    }
}
