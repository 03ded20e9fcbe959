//! `redress serve`: logging, the database, the first administrator, the listener and graceful shutdown.

use std::path::PathBuf;
use std::sync::Arc;

use redress_domain::access::Role;
use redress_domain::calendar::BankHolidays;
use redress_web::AppState;
use redress_web::auth::{create_token, hash_password, random_password};

/// What `serve` needs, after flags, `REDRESS_*` variables and the config file are merged.
pub struct Settings {
    pub database_url: String,
    pub bind: String,
    pub default_policy: Option<String>,
    pub bank_holidays: Option<PathBuf>,
    pub log_format: String,
    pub admin_email: String,
    pub public_url: Option<String>,
    /// Where documents (issued letters among them) are kept.
    pub documents_dir: PathBuf,
    /// A fixed day to serve as today (demonstrations and tests), instead of today in the UK.
    pub today: Option<jiff::civil::Date>,
    /// How email is sent; `None`: email is not set up, letters go by post.
    pub mail: Option<redress_mail::MailSettings>,
    /// Documents in S3-compatible object storage instead (`s3://bucket/prefix`).
    pub documents_url: Option<String>,
    /// The largest document that may be attached, in MiB.
    pub max_document_mib: Option<u64>,
}

fn init_logging(format: &str) -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("REDRESS_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        "json" => builder.json().try_init().map_err(|e| e.to_string()),
        "text" => builder.try_init().map_err(|e| e.to_string()),
        other => Err(format!("--log-format must be text or json, not '{other}'")),
    }
}

/// The database URL as it may be logged: any password, in the userinfo or the query, hidden.
fn redact(url: &str) -> String {
    redress_store::redact_url(url)
}

pub async fn serve(settings: Settings) -> Result<(), String> {
    init_logging(&settings.log_format)?;
    let addr: std::net::SocketAddr = settings.bind.parse().map_err(|_| {
        format!(
            "--bind '{}' is not an address such as 127.0.0.1:8080",
            settings.bind
        )
    })?;
    let store = redress::open_and_migrate(&settings.database_url)
        .await
        .map_err(|e| format!("database {}: {e}", redact(&settings.database_url)))?;
    tracing::info!(database = %redact(&settings.database_url), backend = store.backend(), "database ready");

    let mut state = AppState::new(store.clone());
    state.mail_from = settings.mail.as_ref().map(|m| m.from.clone());
    state.public_url = settings.public_url.clone();
    let documents = match &settings.documents_url {
        Some(url) => redress_store::documents::DocumentStore::s3(url, &[])
            .map_err(|e| format!("--documents-url: {e}"))?,
        None => redress_store::documents::DocumentStore::new(settings.documents_dir.clone()),
    };
    tracing::info!(documents = %documents.location(), "documents store");
    state.documents = Arc::new(documents);
    if let Some(mib) = settings.max_document_mib {
        if mib == 0 || mib > 1024 {
            return Err(format!(
                "--max-document-mib must be from 1 to 1024, not {mib}"
            ));
        }
        state.max_document_bytes = mib * 1024 * 1024;
    }
    if let Some(day) = settings.today {
        tracing::warn!(today = %day, "serving as if today were a fixed day (--today)");
        state.today = Arc::new(move || day);
    }
    state.secure_cookies = settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    if let Some(path) = &settings.bank_holidays {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let holidays =
            BankHolidays::from_govuk_json(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        state.holidays = Arc::new(holidays);
    }
    if let Some(p) = settings.default_policy {
        store
            .policy(&p, None)
            .await
            .map_err(|_| format!("--default-policy: there is no policy '{p}'"))?;
        state.default_policy = p;
    }

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;

    // On an empty database: a first administrator, told once on the terminal (never logged).
    if store.count_users().await.map_err(|e| e.to_string())? == 0 {
        let password = random_password();
        let user = redress_store::User {
            id: redress_store::new_id(),
            email: settings.admin_email.to_lowercase(),
            name: "Administrator".into(),
            role: Role::Admin,
            password_hash: hash_password(&password)?,
        };
        store
            .create_user(&user, &redress_store::now_utc())
            .await
            .map_err(|e| e.to_string())?;
        let token = create_token(store.as_ref(), Role::Admin, "First administrator", None)
            .await
            .map_err(|e| e.to_string())?;
        println!("First start: an administrator has been created. These are shown only once.");
        println!("  Sign in as:  {}", user.email);
        println!("  Password:    {password}");
        println!("  API token:   {token}");
        println!(
            "  Try:         curl -H 'Authorization: Bearer {token}' http://{local}/api/v1/policies"
        );
    }
    println!(
        "Redress is listening on http://{local} (database: {})",
        store.backend()
    );
    tracing::info!(%local, "listening");

    let (stop_mail, outbox) = start_outbox(&state, settings.mail)?;
    redress_web::serve(listener, Arc::new(state), shutdown_signal())
        .await
        .map_err(|e| format!("server: {e}"))?;
    // The worker finishes the send under way (a transaction is bounded by the SMTP timeout), then stops.
    let _ = stop_mail.send(true);
    if let Some(outbox) = outbox {
        let _ = outbox.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// The outbox worker, when email is set up (and the From address on the state, which is what tells the
/// service that email may be chosen); otherwise a note that letters go by post.
fn start_outbox(
    state: &AppState,
    mail: Option<redress_mail::MailSettings>,
) -> Result<
    (
        tokio::sync::watch::Sender<bool>,
        Option<tokio::task::JoinHandle<()>>,
    ),
    String,
> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let Some(mail) = mail else {
        tracing::info!(
            "email is not set up (REDRESS_SMTP_URL, REDRESS_MAIL_FROM): letters are issued for post"
        );
        return Ok((stop, None));
    };
    let worker =
        redress_mail::Worker::new(state.store.clone(), state.documents.clone(), mail.clone())?;
    tracing::info!(smtp = %redress_store::redact_url(&mail.smtp_url), "email is set up: the outbox worker sends it");
    Ok((stop, Some(tokio::spawn(worker.run(stopped)))))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact("postgres://redress:s3cret@db.internal/redress"),
            "postgres://redress:***@db.internal/redress"
        );
        assert_eq!(
            redact("postgres://redress@db.internal/redress?sslmode=require&Password=s3cret"),
            "postgres://redress@db.internal/redress?sslmode=require&Password=***"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5432/x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            redact("sqlite://redress-data/redress.db"),
            "sqlite://redress-data/redress.db"
        );
    }
}
