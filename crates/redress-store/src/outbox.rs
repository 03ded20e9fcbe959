//! The outbox's types: an email queued in the same transaction as the event it belongs to, and sent by a
//! worker, never twice.
//!
//! A message is `queued` until its `next_attempt_at`; a worker claims it as `sending` with a lease (written
//! before the SMTP transaction starts); then it is `sent`, or back to `queued` for a later attempt when the
//! server clearly did not take it, or `failed` with the server's answer. A message found still `sending`
//! after its lease ran out may have reached the server (the process stopped mid-send): it is failed with
//! [`ABANDONED_SEND`], never sent again by itself, and a person may send it again
//! ([`crate::Store::retry_message`]).

use serde::Serialize;

/// Why a message found `sending` after its lease is failed rather than sent again.
pub const ABANDONED_SEND: &str = "The service stopped while sending this message, so it may or may not have been delivered. \
     Check with the recipient before sending it again.";

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Waiting to be sent (again) at its `next_attempt_at`.
    Queued,
    /// Claimed by a worker, which is sending it now.
    Sending,
    /// The server took it.
    Sent,
    /// Not sent: the server refused it for good, too many attempts, or the service stopped mid-send.
    Failed,
}

impl MessageStatus {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
        }
    }

    /// The status with this name.
    pub fn parse(name: &str) -> Option<MessageStatus> {
        match name {
            "queued" => Some(MessageStatus::Queued),
            "sending" => Some(MessageStatus::Sending),
            "sent" => Some(MessageStatus::Sent),
            "failed" => Some(MessageStatus::Failed),
            _ => None,
        }
    }
}

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A letter issued by email to the complainant, its PDF attached.
    Letter,
    /// A copy of a letter to the complainant's representative.
    LetterCopy,
    /// A staff notification: a case assigned to you.
    Assignment,
    /// A staff notification: the daily digest of clocks due and overdue.
    Digest,
}

impl MessageKind {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Letter => "letter",
            MessageKind::LetterCopy => "letter_copy",
            MessageKind::Assignment => "assignment",
            MessageKind::Digest => "digest",
        }
    }

    /// The kind with this name.
    pub fn parse(name: &str) -> Option<MessageKind> {
        match name {
            "letter" => Some(MessageKind::Letter),
            "letter_copy" => Some(MessageKind::LetterCopy),
            "assignment" => Some(MessageKind::Assignment),
            "digest" => Some(MessageKind::Digest),
            _ => None,
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// UUIDv7.
    pub id: String,
    /// The case it is about, if any.
    pub case_id: Option<String>,
    /// That case's reference (for logs and pages: not personal).
    pub reference: Option<String>,
    /// The letter it carries, if any.
    pub letter_id: Option<String>,
    /// What it is.
    pub kind: MessageKind,
    /// Its Message-ID header, without angle brackets (`UUID@domain`): fixed now, the same on every attempt.
    pub message_id: String,
    /// The address it goes to.
    pub recipient: String,
    /// Its subject.
    pub subject: String,
    /// Its plain-text body.
    pub body: String,
    /// A stored document to attach (its id in the document store), and the file name it goes by.
    pub attachment: Option<(String, String)>,
    /// When queued (UTC text); it may be sent from then.
    pub queued_at: String,
    /// A key making queueing idempotent: a second message with the same key is not queued.
    pub dedupe_key: Option<String>,
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// UUIDv7.
    pub id: String,
    /// The case it is about, if any.
    pub case_id: Option<String>,
    /// That case's reference.
    pub reference: Option<String>,
    /// The letter it carries, if any.
    pub letter_id: Option<String>,
    /// What it is.
    pub kind: MessageKind,
    /// Its Message-ID header, without angle brackets.
    pub message_id: String,
    /// The address it goes to.
    pub recipient: String,
    /// Its subject.
    pub subject: String,
    /// Its plain-text body.
    pub body: String,
    /// The document attached and its file name.
    pub attachment: Option<(String, String)>,
    /// Where it is.
    pub status: MessageStatus,
    /// How many times a worker has taken it to send.
    pub attempts: i64,
    /// The server's last answer, or why it was not sent.
    pub last_error: Option<String>,
    /// When queued (UTC text).
    pub queued_at: String,
    /// When it may next be tried (UTC text).
    pub next_attempt_at: String,
    /// While `sending`: until when the worker holds it.
    pub lease_until: Option<String>,
    /// When the server took it (UTC text).
    pub sent_at: Option<String>,
}
