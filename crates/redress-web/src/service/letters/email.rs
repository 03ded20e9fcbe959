//! A letter issued by email: who it goes to, and the message queued with the `letter_issued` event (the
//! letter's plain text as the body, its PDF attached, a Message-ID fixed now so that every attempt sends
//! the same message).

use redress_store::{MessageKind, NewMessage, new_id, now_utc};

use super::LetterDraft;
use crate::AppState;
use crate::service::{ServiceError, ServiceResult};

/// Where a letter issued by email goes, checked before anything is written.
pub(super) struct Sender {
    to: String,
    domain: String,
}

/// The email a letter is sent as.
pub(super) struct LetterEmail {
    to: String,
    domain: String,
    subject: String,
    body: String,
}

/// The domain Message-IDs are made in: the From address's (`REDRESS_MAIL_FROM`), `redress.invalid`
/// without one.
pub fn message_id_domain(from: &str) -> String {
    let address = from
        .rsplit_once('<')
        .map_or(from, |(_, a)| a.trim_end_matches('>'));
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| {
            !d.is_empty()
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
        .unwrap_or_else(|| "redress.invalid".to_owned())
}

/// Checks that a letter can go by email: email is set up on this service, and the complainant has an
/// address. Each refusal says to issue it by post.
pub(super) fn email_sender(state: &AppState, draft: &LetterDraft) -> ServiceResult<Sender> {
    let Some(from) = &state.mail_from else {
        return Err(ServiceError::Refused {
            detail: "Email is not set up on this service: issue the letter by post".into(),
            field: Some("channel".into()),
        });
    };
    let to = draft
        .case
        .complainant
        .as_ref()
        .and_then(|c| c.email.as_deref())
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ServiceError::Refused {
            detail: "The complainant has no email address on this case: issue the letter by post"
                .into(),
            field: Some("channel".into()),
        })?;
    Ok(Sender {
        to: to.to_owned(),
        domain: message_id_domain(from),
    })
}

impl Sender {
    /// The email for the letter: its plain text, and a subject naming the landlord and the case.
    pub(super) fn email(
        self,
        draft: &LetterDraft,
        printable: &redress_letters::PrintableLetter,
    ) -> LetterEmail {
        LetterEmail {
            subject: format!(
                "{}: {} (your complaint {})",
                draft.case_organisation, printable.title, draft.case.reference
            ),
            body: redress_letters::render_text(printable),
            to: self.to,
            domain: self.domain,
        }
    }
}

impl LetterEmail {
    /// The messages to queue: the letter to the complainant, its PDF (`document`: id and file name)
    /// attached. Representatives are not copied: a case records no address for them yet.
    pub(super) fn messages(self, draft: &LetterDraft, document: (&str, &str)) -> Vec<NewMessage> {
        let id = new_id();
        vec![NewMessage {
            message_id: format!("{id}@{}", self.domain),
            id,
            case_id: Some(draft.case.id.clone()),
            reference: Some(draft.case.reference.clone()),
            letter_id: Some(draft.record.id.clone()),
            kind: MessageKind::Letter,
            recipient: self.to,
            subject: self.subject,
            body: self.body,
            attachment: Some((document.0.to_owned(), document.1.to_owned())),
            queued_at: now_utc(),
            dedupe_key: None,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::message_id_domain;

    #[test]
    fn message_ids_are_made_in_the_from_addresses_domain() {
        assert_eq!(message_id_domain("complaints@example.org"), "example.org");
        assert_eq!(
            message_id_domain("Complaints <complaints@Example.ORG>"),
            "example.org"
        );
        assert_eq!(message_id_domain("nobody"), "redress.invalid");
        assert_eq!(message_id_domain("a@b c"), "redress.invalid");
    }
}
