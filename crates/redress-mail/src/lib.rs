//! The outbox worker: a tokio task, started by `redress serve`, that sends the messages queued in the
//! store's outbox over SMTP (lettre, rustls) and records what became of each.
//!
//! Never twice: a message is claimed as `sending`, with a lease, before its SMTP transaction starts. The
//! worker puts it back in the queue only when the server clearly did not take it: the connection (or its
//! TLS) could not be made, or the server answered 4xx. A 5xx answer fails it with the server's words. Any
//! other failure once connected (the connection broke, a timeout) may have come after the server took the
//! message, so it is failed with a plain-English "check before sending again", as is a message found still
//! `sending` after its lease (the process stopped mid-send). Only a person sends those again.
//!
//! Logs name message ids and case references only: never addresses, subjects or bodies.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use redress_store::documents::DocumentStore;
use redress_store::{OutboxMessage, Store, now_utc, utc_text};

/// Why a message that failed once connected is not sent again by itself.
pub const UNCERTAIN_SEND: &str = "The connection to the mail server broke while sending this message, \
     so it may or may not have been delivered. Check with the recipient before sending it again.";

/// How the worker sends.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:port`, `smtps://user:pass@host`, or `smtp://…?tls=required` (lettre's URL form).
    pub smtp_url: String,
    /// The From address (`REDRESS_MAIL_FROM`), e.g. `Complaints <complaints@example.org>`.
    pub from: String,
    /// The longest one SMTP transaction may take; a message is held (its lease) for twice this.
    pub timeout: Duration,
    /// The first wait before another attempt; each further wait doubles, up to an hour.
    pub retry_base: Duration,
    /// Attempts before a message the server keeps refusing for now is failed.
    pub max_attempts: i64,
    /// How often the worker looks for messages due.
    pub poll: Duration,
}

impl MailSettings {
    /// Settings with the defaults: a minute per transaction, retries from 30 seconds, 12 attempts (about
    /// six hours), looking every second.
    pub fn new(smtp_url: String, from: String) -> MailSettings {
        MailSettings {
            smtp_url,
            from,
            timeout: Duration::from_secs(60),
            retry_base: Duration::from_secs(30),
            max_attempts: 12,
            poll: Duration::from_secs(1),
        }
    }

    /// How long a claimed message is held by the worker that claimed it.
    pub fn lease(&self) -> Duration {
        self.timeout * 2
    }

    /// The wait before attempt `attempts + 1`: the base, doubled for each attempt after the first, at
    /// most an hour.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
        self.retry_base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(Duration::from_secs(3600))
    }
}

/// Checks the settings before serving: a URL lettre accepts and a From address.
pub fn check(settings: &MailSettings) -> Result<(), String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
        .map_err(|e| format!("REDRESS_SMTP_URL is not an SMTP URL lettre accepts: {e}"))?;
    settings.from.parse::<Mailbox>().map_err(|e| {
        format!("REDRESS_MAIL_FROM is not an address such as complaints@example.org: {e}")
    })?;
    Ok(())
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// The server took it.
    Sent,
    /// The server clearly did not take it; try again later.
    Retry(String),
    /// Not sent, and not to be sent again by itself.
    Failed(String),
}

/// The outbox worker.
pub struct Worker {
    store: Arc<dyn Store>,
    documents: Arc<DocumentStore>,
    settings: MailSettings,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Worker {
    /// A worker over the store and the documents its attachments are read from.
    pub fn new(
        store: Arc<dyn Store>,
        documents: Arc<DocumentStore>,
        settings: MailSettings,
    ) -> Result<Worker, String> {
        check(&settings)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| e.to_string())?
            .timeout(Some(settings.timeout))
            .build();
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| e.to_string())?;
        Ok(Worker {
            store,
            documents,
            settings,
            transport,
            from,
        })
    }

    /// Runs until `stop` says so; a send under way is finished first.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        tracing::info!("outbox worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "outbox: storage failed; trying again shortly");
            }
            tokio::select! {
                changed = stop.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(self.settings.poll) => {}
            }
        }
        tracing::info!("outbox worker stopped");
    }

    /// One round: fail the abandoned sends, then claim and send what is due.
    pub async fn tick(&self) -> Result<(), redress_store::StoreError> {
        let abandoned = self.store.fail_abandoned_sends(&now_utc()).await?;
        if abandoned > 0 {
            tracing::warn!(
                count = abandoned,
                "outbox: messages were being sent when the service stopped; failed, to be checked"
            );
        }
        let lease_until = later(self.settings.lease());
        let claimed = self
            .store
            .claim_messages(&now_utc(), &lease_until, 10)
            .await?;
        for message in claimed {
            let outcome = self.attempt(&message).await;
            self.record(&message, outcome).await?;
        }
        Ok(())
    }

    async fn attempt(&self, message: &OutboxMessage) -> Outcome {
        let email = match self.build(message).await {
            Ok(email) => email,
            Err(reason) => return Outcome::Failed(reason),
        };
        match tokio::time::timeout(self.settings.timeout, self.transport.send(email)).await {
            Ok(Ok(_)) => Outcome::Sent,
            Ok(Err(e)) => classify(&e),
            Err(_) => Outcome::Failed(format!(
                "{UNCERTAIN_SEND} (no answer within {} seconds)",
                self.settings.timeout.as_secs()
            )),
        }
    }

    /// The email: a plain-text body, with the document attached when it carries one.
    async fn build(&self, message: &OutboxMessage) -> Result<Message, String> {
        let to: Mailbox = message
            .recipient
            .parse()
            .map_err(|_| "The recipient's email address is not a valid address".to_owned())?;
        let builder = Message::builder()
            .message_id(Some(format!("<{}>", message.message_id)))
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone());
        let built = match &message.attachment {
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(message.body.clone()),
            Some((id, name)) => {
                let bytes = self.documents.get(id).await.map_err(|_| {
                    format!("The attached document {id} could not be read from the document store")
                })?;
                let pdf = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(message.body.clone()))
                        .singlepart(Attachment::new(name.clone()).body(bytes, pdf)),
                )
            }
        };
        built.map_err(|e| format!("The message could not be built: {e}"))
    }

    async fn record(
        &self,
        message: &OutboxMessage,
        outcome: Outcome,
    ) -> Result<(), redress_store::StoreError> {
        let id = &message.id;
        let reference = message.reference.as_deref().unwrap_or("-");
        match outcome {
            Outcome::Sent => {
                self.store.message_sent(id, &now_utc()).await?;
                tracing::info!(message = %id, %reference, kind = message.kind.as_str(), "email sent");
            }
            Outcome::Retry(answer) if message.attempts < self.settings.max_attempts => {
                let wait = self.settings.backoff(message.attempts);
                self.store
                    .message_deferred(id, &answer, &later(wait))
                    .await?;
                tracing::warn!(message = %id, %reference, attempts = message.attempts,
                    retry_in_seconds = wait.as_secs(), "email not sent; will try again");
            }
            Outcome::Retry(answer) => {
                let reason = format!("Gave up after {} attempts: {answer}", message.attempts);
                self.store.message_failed(id, &reason).await?;
                tracing::warn!(message = %id, %reference, "email failed after its last attempt");
            }
            Outcome::Failed(reason) => {
                self.store.message_failed(id, &reason).await?;
                tracing::warn!(message = %id, %reference, "email failed");
            }
        }
        Ok(())
    }
}

/// Sorts an SMTP error: a 4xx answer or a connection never made is worth another attempt; a 5xx answer is
/// final; anything else happened once connected and may have come after the server took the message.
fn classify(e: &lettre::transport::smtp::Error) -> Outcome {
    let text = e.to_string();
    if e.is_transient() {
        Outcome::Retry(format!("The mail server refused it for now: {text}"))
    } else if e.is_permanent() {
        Outcome::Failed(format!("The mail server refused it: {text}"))
    } else if text.starts_with("Connection error") || e.is_tls() {
        // lettre reports only connecting (and its TLS) as a connection error: nothing was sent.
        Outcome::Retry(format!("Could not reach the mail server: {text}"))
    } else {
        Outcome::Failed(format!("{UNCERTAIN_SEND} ({text})"))
    }
}

/// Now plus `wait`, as stored UTC text.
fn later(wait: Duration) -> String {
    let wait = jiff::SignedDuration::try_from(wait).unwrap_or(jiff::SignedDuration::from_hours(1));
    utc_text(
        jiff::Timestamp::now()
            .checked_add(wait)
            .unwrap_or_else(|_| jiff::Timestamp::now()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_an_hour() {
        let s = MailSettings::new("smtp://127.0.0.1:25".into(), "a@example.org".into());
        let secs = |n| s.backoff(n).as_secs();
        assert_eq!((secs(1), secs(2), secs(3), secs(4)), (30, 60, 120, 240));
        assert_eq!(secs(8), 3600);
        assert_eq!(secs(40), 3600);
        assert_eq!(s.lease(), Duration::from_secs(120));
    }

    #[test]
    fn settings_are_checked_before_serving() {
        let ok = MailSettings::new("smtp://127.0.0.1:2525".into(), "a@example.org".into());
        assert_eq!(check(&ok), Ok(()));
        let bad_url = MailSettings::new("http://x".into(), "a@example.org".into());
        assert!(check(&bad_url).is_err_and(|e| e.contains("REDRESS_SMTP_URL")));
        let bad_from = MailSettings::new("smtp://127.0.0.1".into(), "nobody".into());
        assert!(check(&bad_from).is_err_and(|e| e.contains("REDRESS_MAIL_FROM")));
    }
}
