//! The `redress` command: the service (`serve`, `migrate`), its users and tokens, and policies and calendars
//! from the command line.
#![forbid(unsafe_code)]

mod generate;
mod server;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::civil::Date;
use redress_domain::access::Role;
use redress_domain::calendar::{BankHolidays, Division};
use redress_domain::compliance;
use redress_domain::policy::{Policy, PolicyErrors};
use redress_domain::presets::{self, PRESETS};

/// Redress: complaint handling for UK social landlords, run by the landlord's own published policy.
#[derive(Parser)]
#[command(name = "redress", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Database URL: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, env = "REDRESS_DATABASE_URL")]
    database_url: Option<String>,
    /// A TOML settings file (database_url, bind, default_policy, bank_holidays, log_format, admin_email).
    #[arg(long, env = "REDRESS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (migrates the database first).
    Serve(Box<ServeArgs>),
    /// Create or update the database schema, and install the shipped policies.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Staff users.
    #[command(subcommand)]
    User(UserCommand),
    /// Complaints policies: the shipped presets or your own TOML file.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// UK working-day arithmetic, with the bank holidays of each nation.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Fill a database with realistic, fictional complaints (for load tests and demonstrations).
    Generate(GenerateArgs),
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "REDRESS_BIND")]
    bind: Option<String>,
    /// Policy for complaints that name none.
    #[arg(long, env = "REDRESS_DEFAULT_POLICY")]
    default_policy: Option<String>,
    /// An updated gov.uk bank-holidays.json.
    #[arg(long, env = "REDRESS_BANK_HOLIDAYS", value_name = "FILE")]
    bank_holidays: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, env = "REDRESS_LOG_FORMAT")]
    log_format: Option<String>,
    /// Email of the first administrator, created on an empty database.
    #[arg(long, env = "REDRESS_ADMIN_EMAIL")]
    admin_email: Option<String>,
    /// The address people use to reach Redress, e.g. https://complaints.example.org (https marks the
    /// session cookie Secure).
    #[arg(long, env = "REDRESS_PUBLIC_URL")]
    public_url: Option<String>,
    /// Where documents (issued letters among them) are kept, by their SHA-256 [default:
    /// redress-data/documents].
    #[arg(long, env = "REDRESS_DOCUMENTS_DIR", value_name = "DIR")]
    documents_dir: Option<PathBuf>,
    /// Serve as if today were this day (YYYY-MM-DD): for demonstrations and tests that need a fixed day;
    /// clocks, statuses, steps and letters take it as today. Never set it in production.
    #[arg(long, env = "REDRESS_TODAY", value_name = "DATE")]
    today: Option<String>,
    /// The SMTP server email is sent through, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host
    /// (without it, and --mail-from, letters are issued for post only).
    #[arg(long, env = "REDRESS_SMTP_URL", value_name = "URL")]
    smtp_url: Option<String>,
    /// The From address of the emails sent, e.g. "Complaints <complaints@example.org>".
    #[arg(long, env = "REDRESS_MAIL_FROM", value_name = "ADDRESS")]
    mail_from: Option<String>,
    /// Seconds one SMTP transaction may take [default: 60].
    #[arg(long, env = "REDRESS_SMTP_TIMEOUT", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    smtp_timeout: Option<u64>,
    /// Seconds before the first retry of an email the server refused for now; each further wait doubles,
    /// up to an hour [default: 30].
    #[arg(long, env = "REDRESS_SMTP_RETRY_AFTER", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    smtp_retry_after: Option<u64>,
    /// Keep documents in S3-compatible object storage instead, e.g. s3://bucket/prefix (endpoint,
    /// region and credentials from the AWS_* variables: AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY).
    #[arg(long, env = "REDRESS_DOCUMENTS_URL", value_name = "URL")]
    documents_url: Option<String>,
    /// The largest document that may be attached to a case, in MiB [default: 25].
    #[arg(long, env = "REDRESS_MAX_DOCUMENT_MIB", value_name = "MIB")]
    max_document_mib: Option<u64>,
}

#[derive(Args)]
struct GenerateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// How many cases to insert.
    #[arg(long)]
    cases: u64,
    /// Seed of the generator: the same seed gives the same cases.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The day the cases are generated as of, YYYY-MM-DD (default: today in the UK).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Cases written per transaction.
    #[arg(long, default_value_t = 5000)]
    batch: usize,
    /// Do nothing when the database already holds at least N cases (to re-run a benchmark).
    #[arg(long, value_name = "N")]
    skip_if_at_least: Option<u64>,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token; it is printed once, as the last line.
    Create(TokenCreateArgs),
    /// List the API tokens: name, role, when created and last used, expiry and status (never the secret).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke every API token with this name: the API refuses it from then on.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// The token's name, exactly as given to `token create` (see `redress token list`).
        name: String,
    },
}

#[derive(Args)]
struct TokenCreateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// admin, complaints_manager, complaints_officer, investigator, reviewer or viewer.
    #[arg(long)]
    role: String,
    /// What the token is for, e.g. "Housing system integration".
    #[arg(long)]
    name: String,
    /// When it stops working: hours, days or weeks from now, e.g. 12h, 90d or 2w (default: never).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    expires_in: Option<String>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff user; the password is read from standard input.
    Add(UserAddArgs),
}

#[derive(Args)]
struct UserAddArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Email address (their sign-in name).
    #[arg(long)]
    email: String,
    /// Full name.
    #[arg(long)]
    name: String,
    /// admin, complaints_manager, complaints_officer, investigator, reviewer or viewer.
    #[arg(long)]
    role: String,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// List the shipped policies.
    List,
    /// Show a policy with everything it inherits resolved.
    Show {
        /// A preset id (see `redress policy list`) or the path of a policy TOML file.
        policy: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Toml)]
        format: ShowFormat,
    },
    /// Compare a policy with the Complaint Handling Code 2024. Exit status 0 when there are no findings, 1
    /// when there are.
    Check {
        /// A preset id or the path of a policy TOML file.
        policy: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ShowFormat {
    /// The resolved policy as TOML (loadable on its own).
    Toml,
    /// The resolved policy as JSON.
    Json,
    /// The policy in plain English.
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    /// One finding per line.
    Text,
    /// A JSON array of findings.
    Json,
}

#[derive(Args)]
struct CalendarArgs {
    /// england-and-wales, scotland or northern-ireland.
    #[arg(long)]
    calendar: String,
    /// An updated gov.uk bank-holidays.json to use instead of the embedded copy.
    #[arg(long, value_name = "FILE")]
    bank_holidays: Option<PathBuf>,
    /// An organisation closure day (repeatable), YYYY-MM-DD.
    #[arg(long = "closure-day", value_name = "DATE")]
    closure_days: Vec<String>,
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// The date N working days after DATE ("within N working days of DATE").
    AddWorkingDays {
        #[command(flatten)]
        cal: CalendarArgs,
        /// Start date, YYYY-MM-DD (never counted itself).
        date: String,
        /// Number of working days.
        #[arg(allow_hyphen_values = true)]
        n: String,
    },
    /// Working days from A to B: how many working days after A the date B is.
    WorkingDaysBetween {
        #[command(flatten)]
        cal: CalendarArgs,
        /// From, YYYY-MM-DD.
        a: String,
        /// To, YYYY-MM-DD.
        b: String,
    },
    /// Whether DATE is a working day.
    IsWorkingDay {
        #[command(flatten)]
        cal: CalendarArgs,
        /// The date, YYYY-MM-DD.
        date: String,
    },
}

/// A failure with a one-line message for the person at the terminal.
struct Failure(String);

impl From<PolicyErrors> for Failure {
    fn from(e: PolicyErrors) -> Self {
        Failure(format!("the policy is not valid: {e}"))
    }
}

impl From<redress_domain::CalendarError> for Failure {
    fn from(e: redress_domain::CalendarError) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            // Clap's whole message (what is missing, the allowed values), on one line; its usage block
            // is left to `--help`.
            let rendered = e.to_string();
            let message = rendered
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            eprintln!(
                "redress: {} (see redress --help)",
                message.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("redress: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Migrate { db } => migrate(&db),
        Command::Token(TokenCommand::Create(args)) => create_token(args),
        Command::Token(TokenCommand::List { db }) => list_tokens(&db),
        Command::Token(TokenCommand::Revoke { db, name }) => revoke_tokens(&db, &name),
        Command::User(UserCommand::Add(args)) => add_user(args),
        Command::Policy(PolicyCommand::List) => list_policies(),
        Command::Policy(PolicyCommand::Show { policy, format }) => show_policy(&policy, format),
        Command::Policy(PolicyCommand::Check { policy, format }) => check_policy(&policy, format),
        Command::Generate(args) => generate(args),
        Command::Calendar(CalendarCommand::AddWorkingDays { cal, date, n }) => {
            add_working_days(&cal, &date, &n)
        }
        Command::Calendar(CalendarCommand::WorkingDaysBetween { cal, a, b }) => {
            working_days_between(&cal, &a, &b)
        }
        Command::Calendar(CalendarCommand::IsWorkingDay { cal, date }) => {
            is_working_day(&cal, &date)
        }
    }
}

/// `serve`: each setting from its flag or variable, else the settings file, else the default.
fn serve(args: ServeArgs) -> Result<ExitCode, Failure> {
    let ServeArgs {
        db,
        bind,
        default_policy,
        bank_holidays,
        log_format,
        admin_email,
        public_url,
        documents_dir,
        today,
        smtp_url,
        mail_from,
        smtp_timeout,
        smtp_retry_after,
        documents_url,
        max_document_mib,
    } = args;
    let file = file_config(&db)?;
    let today = match today {
        Some(text) => Some(redress_web::input::strict_date(&text).ok_or_else(|| {
            Failure(format!("--today '{text}' is not a date such as 2026-06-05"))
        })?),
        None => None,
    };
    let settings = server::Settings {
        database_url: db
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| redress::DEFAULT_DATABASE_URL.to_owned()),
        bind: bind
            .or(file.bind)
            .unwrap_or_else(|| redress::DEFAULT_BIND.to_owned()),
        default_policy: default_policy.or(file.default_policy),
        bank_holidays: bank_holidays.or(file.bank_holidays.map(PathBuf::from)),
        log_format: log_format
            .or(file.log_format)
            .unwrap_or_else(|| "text".to_owned()),
        admin_email: admin_email
            .or(file.admin_email)
            .unwrap_or_else(|| "admin@redress.local".to_owned()),
        public_url: public_url.or(file.public_url),
        documents_dir: documents_dir
            .or(file.documents_dir.map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(redress_web::DEFAULT_DOCUMENTS_DIR)),
        today,
        mail: mail_settings(
            smtp_url.or(file.smtp_url),
            mail_from.or(file.mail_from),
            (smtp_timeout, smtp_retry_after),
        )?,
        documents_url: documents_url.or(file.documents_url),
        max_document_mib: max_document_mib.or(file.max_document_mib),
    };
    runtime()?
        .block_on(server::serve(settings))
        .map_err(Failure)?;
    Ok(ExitCode::SUCCESS)
}

/// Email is set up with both an SMTP URL and a From address; one without the other is a mistake.
fn mail_settings(
    smtp_url: Option<String>,
    mail_from: Option<String>,
    (timeout, retry_after): (Option<u64>, Option<u64>),
) -> Result<Option<redress_mail::MailSettings>, Failure> {
    match (smtp_url, mail_from) {
        (None, None) => Ok(None),
        (Some(url), Some(from)) => {
            let mut settings = redress_mail::MailSettings::new(url, from);
            if let Some(seconds) = timeout {
                settings.timeout = std::time::Duration::from_secs(seconds);
            }
            if let Some(seconds) = retry_after {
                settings.retry_base = std::time::Duration::from_secs(seconds);
            }
            redress_mail::check(&settings).map_err(Failure)?;
            Ok(Some(settings))
        }
        (Some(_), None) => Err(Failure(
            "REDRESS_SMTP_URL is set but REDRESS_MAIL_FROM is not: set both to send email".into(),
        )),
        (None, Some(_)) => Err(Failure(
            "REDRESS_MAIL_FROM is set but REDRESS_SMTP_URL is not: set both to send email".into(),
        )),
    }
}

fn migrate(db: &DbArgs) -> Result<ExitCode, Failure> {
    let url = database_url(db)?;
    runtime()?.block_on(async {
        let store = redress::open_and_migrate(&url)
            .await
            .map_err(store_failure)?;
        println!("{} database is up to date", store.backend());
        Ok::<_, Failure>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn create_token(args: TokenCreateArgs) -> Result<ExitCode, Failure> {
    let TokenCreateArgs {
        db,
        role,
        name,
        expires_in,
    } = args;
    let url = database_url(&db)?;
    let role: Role = role.parse().map_err(Failure)?;
    if name.trim().is_empty() {
        return Err(Failure("--name must say what the token is for".into()));
    }
    let expires_at = match expires_in {
        Some(text) => Some(expiry(&text)?),
        None => None,
    };
    let token = runtime()?.block_on(async {
        let store = redress::open_and_migrate(&url)
            .await
            .map_err(store_failure)?;
        redress_web::auth::create_token(store.as_ref(), role, name.trim(), expires_at)
            .await
            .map_err(store_failure)
    })?;
    match expires_at {
        Some(at) => println!(
            "Created a {} token named \"{}\" that expires {}. It is shown only once:",
            role.as_str(),
            name.trim(),
            utc_minute(&redress_store::utc_text(at))
        ),
        None => println!(
            "Created a {} token named \"{}\". It is shown only once:",
            role.as_str(),
            name.trim()
        ),
    }
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

/// When a token given `--expires-in TEXT` now stops working.
fn expiry(text: &str) -> Result<jiff::Timestamp, Failure> {
    let lasts = redress::parse_expires_in(text).map_err(Failure)?;
    jiff::Timestamp::now()
        .checked_add(lasts)
        .map_err(|_| Failure(format!("--expires-in '{text}' is too far in the future")))
}

fn list_tokens(db: &DbArgs) -> Result<ExitCode, Failure> {
    let url = database_url(db)?;
    let tokens = runtime()?.block_on(async {
        let store = redress::open_and_migrate(&url)
            .await
            .map_err(store_failure)?;
        store.list_tokens().await.map_err(store_failure)
    })?;
    if tokens.is_empty() {
        println!("There are no API tokens (create one with redress token create).");
        return Ok(ExitCode::SUCCESS);
    }
    let now = redress_store::now_utc();
    let rows: Vec<[String; 6]> = tokens.iter().map(|t| token_row(t, &now)).collect();
    let header = ["NAME", "ROLE", "CREATED", "LAST USED", "EXPIRES", "STATUS"].map(str::to_owned);
    print_table(&header, &rows);
    Ok(ExitCode::SUCCESS)
}

/// A token's line in `token list`, its status as of `now` (stored UTC text).
fn token_row(t: &redress_store::TokenSummary, now: &str) -> [String; 6] {
    let status = if t.revoked_at.is_some() {
        "revoked"
    } else if t.expires_at.as_deref().is_some_and(|e| e <= now) {
        "expired"
    } else {
        "active"
    };
    [
        t.name.clone(),
        t.role.as_str().to_owned(),
        utc_minute(&t.created_at),
        t.last_used_at
            .as_deref()
            .map_or_else(|| "never".to_owned(), utc_minute),
        t.expires_at
            .as_deref()
            .map_or_else(|| "never".to_owned(), utc_minute),
        status.to_owned(),
    ]
}

/// Left-aligned columns, each as wide as its widest cell, two spaces apart.
fn print_table<const N: usize>(header: &[String; N], rows: &[[String; N]]) {
    let mut widths = [0usize; N];
    for row in std::iter::once(header).chain(rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}

fn revoke_tokens(db: &DbArgs, name: &str) -> Result<ExitCode, Failure> {
    let url = database_url(db)?;
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(Failure(
            "NAME must be the name of a token (see redress token list)".into(),
        ));
    }
    let revoked = runtime()?.block_on(async {
        let store = redress::open_and_migrate(&url)
            .await
            .map_err(store_failure)?;
        store
            .revoke_tokens_by_name(&name, &redress_store::now_utc())
            .await
            .map_err(|e| match e {
                redress_store::StoreError::NotFound => Failure(format!(
                    "no API token is named \"{name}\" (names must match exactly; see redress token list)"
                )),
                e => store_failure(e),
            })
    })?;
    match revoked {
        0 => println!("The token named \"{name}\" was already revoked."),
        1 => {
            println!("Revoked the token named \"{name}\": the API refuses it from now on.")
        }
        n => println!("Revoked {n} tokens named \"{name}\": the API refuses them from now on."),
    }
    Ok(ExitCode::SUCCESS)
}

fn add_user(args: UserAddArgs) -> Result<ExitCode, Failure> {
    let UserAddArgs {
        db,
        email,
        name,
        role,
    } = args;
    let url = database_url(&db)?;
    let role: Role = role.parse().map_err(Failure)?;
    let email = email.trim().to_lowercase();
    if !email
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
    {
        return Err(Failure(format!(
            "--email '{email}' is not an email address"
        )));
    }
    if name.trim().is_empty() {
        return Err(Failure("--name must not be empty".into()));
    }
    let password = read_password()?;
    let hash = redress_web::auth::hash_password(&password).map_err(Failure)?;
    runtime()?.block_on(async {
        let store = redress::open_and_migrate(&url)
            .await
            .map_err(store_failure)?;
        let user = redress_store::User {
            id: redress_store::new_id(),
            email: email.clone(),
            name: name.trim().to_owned(),
            role,
            password_hash: hash,
        };
        store
            .create_user(&user, &redress_store::now_utc())
            .await
            .map_err(|e| match e {
                redress_store::StoreError::Duplicate(_) => {
                    Failure(format!("there is already a user {email}"))
                }
                e => store_failure(e),
            })
    })?;
    println!(
        "Added {} ({}) as {}",
        name.trim(),
        email,
        role.display_name()
    );
    Ok(ExitCode::SUCCESS)
}

/// The new user's password: the first line of standard input, at least 12 characters.
fn read_password() -> Result<String, Failure> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).map_err(|e| {
        Failure(format!(
            "could not read the password from standard input: {e}"
        ))
    })?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.chars().count() < 12 {
        return Err(Failure(
            "the password (read from standard input) must be at least 12 characters".into(),
        ));
    }
    Ok(password.to_owned())
}

fn list_policies() -> Result<ExitCode, Failure> {
    for preset in PRESETS {
        let policy = Policy::resolve(preset.toml, &presets::preset_lookup)?;
        println!("{:<30} {}", preset.id, policy.name);
    }
    Ok(ExitCode::SUCCESS)
}

fn show_policy(policy: &str, format: ShowFormat) -> Result<ExitCode, Failure> {
    let text = policy_text(policy)?;
    let table = Policy::resolve_table(&text, &presets::preset_lookup)?;
    match format {
        ShowFormat::Toml => {
            let out = toml::to_string_pretty(&table)
                .map_err(|e| Failure(format!("could not print the policy: {e}")))?;
            print!("{out}");
        }
        ShowFormat::Json => {
            let policy = Policy::from_table(table)?;
            let out = serde_json::to_string_pretty(&policy)
                .map_err(|e| Failure(format!("could not print the policy: {e}")))?;
            println!("{out}");
        }
        ShowFormat::Text => {
            let policy = Policy::from_table(table)?;
            println!(
                "{} ({}, version {})",
                policy.name, policy.id, policy.version
            );
            for line in policy.describe() {
                println!("- {line}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `policy check`: exit status 1 when there are findings.
fn check_policy(policy: &str, format: CheckFormat) -> Result<ExitCode, Failure> {
    let text = policy_text(policy)?;
    let policy = Policy::resolve(&text, &presets::preset_lookup)?;
    let findings = compliance::check(&policy);
    match format {
        CheckFormat::Text => print_findings(&policy, &findings),
        CheckFormat::Json => {
            let out = serde_json::to_string_pretty(&findings)
                .map_err(|e| Failure(format!("could not print the findings: {e}")))?;
            println!("{out}");
        }
    }
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_findings(policy: &Policy, findings: &[compliance::Finding]) {
    if findings.is_empty() {
        println!(
            "{}: no findings against the {}",
            policy.id,
            compliance::Framework::of(policy).display_name()
        );
    }
    for f in findings {
        // Code provisions are numbers ("6.12"); SPSO ones name themselves.
        let provision = if f.provision.starts_with("SPSO") {
            f.provision.to_owned()
        } else {
            format!("Code {}", f.provision)
        };
        println!(
            "{:<7} {:<10} {}: {}",
            f.severity.as_str(),
            provision,
            f.key,
            f.message
        );
    }
}

fn generate(args: GenerateArgs) -> Result<ExitCode, Failure> {
    let as_of = match &args.as_of {
        Some(d) => parse_date("--as-of", d)?,
        None => redress_web::uk_today(),
    };
    let options = generate::Options {
        database_url: database_url(&args.db)?,
        cases: args.cases,
        seed: args.seed,
        as_of,
        batch: args.batch,
        skip_if_at_least: args.skip_if_at_least,
    };
    runtime()?
        .block_on(generate::run(options))
        .map_err(Failure)?;
    Ok(ExitCode::SUCCESS)
}

fn add_working_days(cal: &CalendarArgs, date: &str, n: &str) -> Result<ExitCode, Failure> {
    let calendar = build_calendar(cal)?;
    let date = parse_date("DATE", date)?;
    let n: u32 = n.parse().map_err(|_| {
        Failure(format!(
            "N must be a whole number of working days from 0, not '{n}'"
        ))
    })?;
    println!("{}", calendar.add_working_days(date, n)?);
    Ok(ExitCode::SUCCESS)
}

fn working_days_between(cal: &CalendarArgs, a: &str, b: &str) -> Result<ExitCode, Failure> {
    let calendar = build_calendar(cal)?;
    let a = parse_date("A", a)?;
    let b = parse_date("B", b)?;
    println!("{}", calendar.working_days_between(a, b)?);
    Ok(ExitCode::SUCCESS)
}

/// `calendar is-working-day`: exit status 1 when it is not.
fn is_working_day(cal: &CalendarArgs, date: &str) -> Result<ExitCode, Failure> {
    let calendar = build_calendar(cal)?;
    let date = parse_date("DATE", date)?;
    let working = calendar.is_working_day(date)?;
    println!("{}", if working { "yes" } else { "no" });
    Ok(if working {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("could not start: {e}")))
}

fn file_config(db: &DbArgs) -> Result<redress::FileConfig, Failure> {
    match &db.config {
        Some(path) => redress::FileConfig::load(path).map_err(Failure),
        None => Ok(redress::FileConfig::default()),
    }
}

fn database_url(db: &DbArgs) -> Result<String, Failure> {
    let file = file_config(db)?;
    Ok(db
        .database_url
        .clone()
        .or(file.database_url)
        .unwrap_or_else(|| redress::DEFAULT_DATABASE_URL.to_owned()))
}

/// A storage failure for the terminal: the cause, without any secret in the URL.
fn store_failure(e: redress_store::StoreError) -> Failure {
    Failure(format!("database: {e}"))
}

/// A stored instant (fixed-width UTC text) to the minute, as people read it: `2026-01-05 10:00 UTC`.
fn utc_minute(at: &str) -> String {
    match at.get(..16) {
        Some(minute) => format!("{} UTC", minute.replacen('T', " ", 1)),
        None => at.to_owned(),
    }
}

fn parse_date(what: &str, s: &str) -> Result<Date, Failure> {
    s.parse::<Date>().map_err(|_| {
        Failure(format!(
            "{what} must be a real date written YYYY-MM-DD, not '{s}'"
        ))
    })
}

fn build_calendar(args: &CalendarArgs) -> Result<redress_domain::Calendar, Failure> {
    let division: Division = args.calendar.parse()?;
    let closures = args
        .closure_days
        .iter()
        .map(|d| parse_date("--closure-day", d))
        .collect::<Result<Vec<_>, _>>()?;
    let owned;
    let holidays = match &args.bank_holidays {
        Some(path) => {
            let text = read(path)?;
            owned = BankHolidays::from_govuk_json(&text)
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            &owned
        }
        None => BankHolidays::embedded(),
    };
    Ok(holidays.calendar(division, &closures))
}

/// A preset id, or else a path to a TOML file.
fn policy_text(policy: &str) -> Result<String, Failure> {
    if let Some(text) = presets::preset_toml(policy) {
        return Ok(text.to_owned());
    }
    let path = Path::new(policy);
    if path.exists() {
        return read(path);
    }
    let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
    Err(Failure(format!(
        "'{policy}' is neither a preset ({}) nor a file",
        ids.join(", ")
    )))
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}
