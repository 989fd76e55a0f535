//! What each command does.

use crate::cli::{
    Cli, Command, ExportCommand, ImportCommand, MetricCommand, TokenCommand, UserCommand,
};
use crate::config::{self, Config};
use crate::{demo, telemetry};
use anyhow::{Context, bail};
use duet_core::auth::Role;
use duet_core::org::Email;
use duet_core::secret::Password;
use duet_store::accounts::{self, NewUser};
use duet_store::{Db, DbOptions, StoreError, org};
use duet_web::{AppState, WebConfig};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = config::load(&cli)?;
    telemetry::init(config.log_format, &config.log_level);
    tracing::debug!(?config, "configuration");
    match cli.command {
        Command::Serve(_) => serve(&config, None).await,
        Command::Demo(a) => demo_cmd(&config, a.scale).await,
        Command::Migrate => migrate(&config).await,
        Command::Init => init(&config).await,
        Command::User(UserCommand::Create {
            email,
            name,
            role,
            password_stdin: _,
        }) => create_user(&config, email, name, role).await,
        Command::User(UserCommand::Unlock { email }) => unlock_user(&config, &email).await,
        Command::Backup { file } => crate::backup::backup(&config, &file).await,
        Command::Restore { file } => crate::backup::restore(&config, &file).await,
        Command::Token(TokenCommand::Create { email, name }) => {
            create_token(&config, email, name).await
        }
        Command::Import(ImportCommand::People { file }) => import_people(&config, &file).await,
        Command::Import(ImportCommand::Metrics { file, replace }) => {
            import_metrics(&config, &file, replace).await
        }
        Command::Import(ImportCommand::Promises { file, by, source }) => {
            crate::history::import_promises(&config, &file, &by, &source).await
        }
        Command::Import(ImportCommand::Requests {
            file,
            format,
            by,
            source,
        }) => crate::history::import_requests(&config, &file, format, &by, source.as_deref()).await,
        Command::Import(ImportCommand::Reviews { file, by, source }) => {
            crate::history::import_reviews(&config, &file, &by, &source).await
        }
        Command::Import(ImportCommand::Kev { file }) => {
            import_advisories(&config, duet_core::software::advisories::Source::Kev, &file).await
        }
        Command::Import(ImportCommand::Osv { path }) => {
            import_advisories(&config, duet_core::software::advisories::Source::Osv, &path).await
        }
        Command::Metric(MetricCommand::Create {
            name,
            unit,
            direction,
            target,
        }) => create_metric(&config, name, unit, direction, target).await,
        Command::SeedDemo { scale } => seed_demo_cmd(&config, scale).await,
        Command::SeedPortfolio { items } => {
            let db = open(&config).await?;
            crate::bench_seed::seed_portfolio(&db, items).await?;
            db.close().await;
            Ok(())
        }
        Command::SeedSoftware {
            entries,
            advisories_out,
        } => {
            let db = open(&config).await?;
            crate::bench_seed::seed_software(&db, entries, &advisories_out).await?;
            db.close().await;
            Ok(())
        }
        Command::SeedRequests { count } => {
            let db = open(&config).await?;
            crate::bench_seed::seed_requests(&db, count).await?;
            db.close().await;
            Ok(())
        }
        Command::SeedListen {
            respondents,
            tokens_out,
        } => {
            let db = open(&config).await?;
            crate::bench_seed::seed_listen(&db, respondents, &tokens_out).await?;
            db.close().await;
            Ok(())
        }
        Command::QueueMail { recipients } => {
            let db = open(&config).await?;
            crate::bench_seed::queue_mail(&db, &config.public_url, recipients).await?;
            db.close().await;
            Ok(())
        }
        Command::Export(ExportCommand::People { output }) => export_people(&config, output).await,
    }
}

/// `duet user unlock`: forgets the failed sign-ins counted against an account.
async fn unlock_user(config: &Config, email: &str) -> anyhow::Result<()> {
    let db = open(config).await?;
    let cleared = duet_store::sessions::unlock_account(&db, email).await?;
    db.close().await;
    if cleared == 0 {
        println!("No failed sign-ins were counted against {email}; nothing to unlock.");
    } else {
        println!("Unlocked {email}: {cleared} throttle record(s) forgotten; they can sign in now.");
    }
    Ok(())
}

/// `duet migrate`: applies pending migrations.
async fn migrate(config: &Config) -> anyhow::Result<()> {
    let db = open(config).await?;
    println!(
        "Database is up to date ({}).",
        config::redact_url(&config.database_url)
    );
    db.close().await;
    Ok(())
}

/// `duet init`: the standard departments, and how to make the first administrator.
async fn init(config: &Config) -> anyhow::Result<()> {
    let db = open(config).await?;
    let departments = org::ensure_standard_departments(&db).await?;
    println!(
        "{} departments: {}",
        departments.len(),
        departments
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "Next: create an administrator with\n  duet user create --email you@example.com --name \"Your Name\" --role admin --password-stdin"
    );
    db.close().await;
    Ok(())
}

/// `duet user create`: an account, its password read from standard input.
async fn create_user(
    config: &Config,
    email: String,
    name: String,
    role: String,
) -> anyhow::Result<()> {
    let db = open(config).await?;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = Password::parse(password.trim_end_matches(['\r', '\n']))?;
    let role: Role = role.parse()?;
    let new = NewUser {
        email: Email::parse(&email)?,
        name: duet_core::error::bounded_text("name", &name, 1, 120)?,
        role,
        password_hash: password.hash()?,
    };
    let user = accounts::insert_user(&db, &new).await.map_err(describe)?;
    println!(
        "Created {} account {} (id {}){}.",
        user.role,
        user.email,
        user.id,
        if user.person_id.is_some() {
            ", linked to the directory"
        } else {
            ""
        }
    );
    db.close().await;
    Ok(())
}

/// `duet token create`: an API token for an account, printed once.
async fn create_token(config: &Config, email: String, name: String) -> anyhow::Result<()> {
    let db = open(config).await?;
    let Some((user, _)) = accounts::find_login(&db, &email).await? else {
        bail!("no enabled account has the e-mail {email}")
    };
    // Audited as made on the command line, i.e. by someone other than the account's
    // owner: the account cannot answer, or read answers of, a survey whose population
    // was fixed before now (issue 10), whichever credential it then uses.
    let (_, secret) = accounts::insert_token(&db, duet_core::org::UserId(user.id), &name).await?;
    eprintln!(
        "Note: this token was made for {email} by someone other than its owner, so until it is revoked the account cannot answer or read answers of surveys already open."
    );
    println!("{secret}");
    db.close().await;
    Ok(())
}

/// `duet metric create`: a metric in the catalogue.
async fn create_metric(
    config: &Config,
    name: String,
    unit: String,
    direction: String,
    target: String,
) -> anyhow::Result<()> {
    let db = open(config).await?;
    let input = duet_core::metrics::MetricInput::parse(&name, &unit, &direction, &target, None)
        .map_err(|e| {
            anyhow::anyhow!(
                e.0.iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;
    let m = duet_store::metrics::insert_metric(&db, &input)
        .await
        .map_err(describe)?;
    println!("Created metric {} (id {}).", m.name, m.id);
    db.close().await;
    Ok(())
}

/// `duet seed-demo`: the demo organisation, grown to the large scale on request.
async fn seed_demo_cmd(config: &Config, scale: crate::cli::Scale) -> anyhow::Result<()> {
    let db = open(config).await?;
    let started = Instant::now();
    seed_demo(&db, config.time_zone).await?;
    if scale == crate::cli::Scale::Large {
        println!(
            "Demo organisation seeded in {:.1} s; growing it to the large scale…",
            started.elapsed().as_secs_f64()
        );
        crate::demo::large::grow(&db).await?;
        println!(
            "Seeding took {:.1} s in all.",
            started.elapsed().as_secs_f64()
        );
    }
    db.close().await;
    Ok(())
}

/// `duet export people`: the directory as CSV, to a file or standard output.
async fn export_people(config: &Config, output: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let db = open(config).await?;
    let people = org::all_people(&db).await?;
    let rows = people.iter().map(|p| {
        [
            p.name.as_str(),
            p.email.as_str(),
            p.department_name.as_str(),
            p.title.as_str(),
            p.level.as_str(),
        ]
    });
    match output {
        Some(path) => {
            let f = std::fs::File::create(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            duet_core::org::import::write_people_csv(std::io::BufWriter::new(f), rows)?;
            eprintln!("Exported {} people to {}.", people.len(), path.display());
        }
        None => duet_core::org::import::write_people_csv(std::io::stdout().lock(), rows)?,
    }
    db.close().await;
    Ok(())
}

/// Connects and migrates.
pub(crate) async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(
        &config.database_url,
        &DbOptions {
            max_connections: config.max_connections,
            ..Default::default()
        },
    )
    .await
    .with_context(|| format!("connecting to {}", config::redact_url(&config.database_url)))?;
    db.migrate().await.context("applying migrations")?;
    duet_store::requests::ensure_decide_defaults(&db)
        .await
        .context("creating default IT teams and portfolio settings")?;
    duet_store::listen::ensure_listen_defaults(&db)
        .await
        .context("installing the survey instruments")?;
    Ok(db)
}

/// Makes a store error readable on a terminal (the field and the reason).
pub(crate) fn describe(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Conflict(f) | StoreError::Invalid(f) => {
            anyhow::anyhow!("{}: {}", f.field, f.message)
        }
        other => anyhow::Error::new(other),
    }
}

/// What `serve` prints once it listens, given the actual address (the port may have been 0).
type Banner = Box<dyn FnOnce(std::net::SocketAddr) -> String + Send>;

/// Serves until Ctrl-C or SIGTERM; with a database and banner from `demo`, or on its own.
async fn serve(config: &Config, seeded: Option<(Db, Banner)>) -> anyhow::Result<()> {
    let started = Instant::now();
    let (db, banner) = match seeded {
        Some((db, banner)) => (db, Some(banner)),
        None => (open(config).await?, None),
    };
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("listening on {}", config.bind))?;
    let addr = listener.local_addr()?;
    if !config.secure_cookies() {
        tracing::warn!(
            "public URL is plain HTTP to a non-local host: session cookies are not marked Secure; serve Duet over HTTPS"
        );
    }
    if config.public_url.starts_with("https://") && !config.trust_forwarded_for {
        tracing::warn!(
            "public URL is HTTPS while Duet serves plain HTTP, so a proxy is in front, and DUET_TRUST_FORWARDED_FOR is not set: every user shares the proxy's address in the sign-in throttle; set DUET_TRUST_FORWARDED_FOR=true when the proxy sets X-Forwarded-For"
        );
    }
    let web = WebConfig {
        secure_cookies: config.secure_cookies(),
        trust_forwarded_for: config.trust_forwarded_for,
        public_url: config.public_url.clone(),
        anonymity_key: config
            .anonymity_key
            .as_ref()
            .map(|k| duet_web::AnonymityKey(k.as_bytes().to_vec())),
        time_zone: config.time_zone,
        metrics_token: config
            .metrics_token
            .as_ref()
            .map(|t| duet_web::MetricsToken(t.clone())),
        mail: config.mail.clone(),
        sso: config.sso.clone(),
        ..Default::default()
    };
    let state = AppState::new(db.clone(), web);
    let shutdown = shutdown_signal();
    // The secret survey answers are keyed and encrypted with: the configured key, else the one
    // generated into the database. Answers of open campaigns stored in plaintext by an older
    // version are encrypted under it now, so every open answer takes the one encrypted path.
    let secret = match &config.anonymity_key {
        Some(k) => k.as_bytes().to_vec(),
        None => duet_store::listen::anonymity_secret(&db)
            .await
            .context("reading the anonymity secret")?,
    };
    let moved = duet_store::listen::encrypt_legacy_open_answers(&db, &secret)
        .await
        .context("encrypting the answers of open surveys")?;
    if moved > 0 {
        tracing::info!(moved, "answers of open surveys encrypted");
    }
    match duet_store::listen::scrub_answer_files_once(&db).await {
        Ok(true) => tracing::info!("survey answer files rewritten without older copies"),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "could not rewrite the survey answer files"),
    }
    spawn_housekeeping(db.clone(), config.time_zone, secret);
    match banner {
        Some(banner) => println!("{}", banner(addr)),
        None => println!(
            "Duet is serving http://{addr} ({} database)",
            if matches!(db, Db::Postgres(_)) {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        ),
    }
    tracing::info!(%addr, ready_in_ms = started.elapsed().as_millis() as u64, "serving");
    let _ = std::io::stdout().flush();
    duet_web::serve(listener, state, shutdown).await?;
    tracing::info!("shut down cleanly");
    db.close().await;
    Ok(())
}

/// Seeds everything the demo shows (each part skips itself when already there).
async fn seed_demo(db: &Db, tz: duet_core::time::Tz) -> anyhow::Result<()> {
    demo::seed(db).await?;
    let hash = tokio::task::spawn_blocking(|| {
        Password::parse(demo::DEMO_PASSWORD)
            .map_err(anyhow::Error::from)?
            .hash()
            .map_err(anyhow::Error::from)
    })
    .await??;
    crate::demo::requests::seed_requests(db, &hash)
        .await
        .context("seeding the demo's requests and portfolio")?;
    crate::demo::promises::seed_promises(db)
        .await
        .context("seeding the demo's promises")?;
    crate::demo::metrics::seed_metrics(db)
        .await
        .context("seeding the demo's metrics")?;
    crate::demo::reviews::seed_reviews(db, tz)
        .await
        .context("seeding the demo's reviews")?;
    // The fictional directory has existed since long before the first (back-dated) campaign.
    if duet_store::listen::list_campaigns(db).await?.is_empty() {
        let year_ago = chrono::Utc::now() - chrono::Duration::days(400);
        duet_store::audit::backdate_all(db, year_ago).await?;
    }
    crate::demo::listen::seed_listen(db)
        .await
        .context("seeding the demo's surveys and voice inbox")?;
    crate::demo::comms::seed_comms(db)
        .await
        .context("seeding the demo's posts and success stories")?;
    crate::demo::relationships::seed_relationships(db)
        .await
        .context("seeding the demo's relationship plants")?;
    crate::demo::rotation::seed_rotation(db)
        .await
        .context("seeding the demo's rotation programme")?;
    crate::demo::software::seed_software(db)
        .await
        .context("seeding the demo's software register")?;
    Ok(())
}

/// Seeds the demo organisation in a child process (so this process, which serves, keeps none of
/// the seeding's memory: idle RSS stays that of a plain `duet serve`), then serves it and prints
/// where and how to sign in.
async fn demo_cmd(config: &Config, scale: crate::cli::Scale) -> anyhow::Result<()> {
    let started = Instant::now();
    let exe = std::env::current_exe().context("finding the duet executable")?;
    let status = std::process::Command::new(exe)
        .arg("seed-demo")
        .arg("--scale")
        .arg(match scale {
            crate::cli::Scale::Demo => "demo",
            crate::cli::Scale::Large => "large",
        })
        .arg("--database-url")
        .arg(&config.database_url)
        .env("DUET_TIME_ZONE", config.time_zone.name())
        .status()
        .context("starting the demo seeding")?;
    if !status.success() {
        bail!("seeding the demo organisation failed ({status})");
    }
    let db = open(config).await?;
    // Links in the demo's e-mail point where this demo is served.
    crate::demo::comms::queue_demo_mail(&db, &config.public_url).await?;
    // People exist now, so this only returns the (deterministic) sign-ins.
    let logins = demo::seed(&db).await?;
    let database = config::redact_url(&config.database_url);
    let banner: Banner = Box::new(move |addr| {
        let mut text = format!(
            "\nDuet demo is ready at http://{addr}  (ready in {} ms; database {database})\n\nSign in as any of these (password: {}):\n",
            started.elapsed().as_millis(),
            demo::DEMO_PASSWORD
        );
        for l in &logins {
            text.push_str(&format!(
                "  {:<16} {:<40} {}\n",
                l.role.as_str(),
                l.email,
                l.who
            ));
        }
        text.push_str("\nPress Ctrl-C to stop.");
        text
    });
    serve(config, Some((db, banner))).await
}

/// Background upkeep, hourly: reminders for promises due within three days, promisees told a
/// promise is due to be judged, survey invitations
/// and reminders, sealing closed surveys, last month's edition drafted, and expired sessions purged (both safe on every replica at once).
/// The advisory lock key of the housekeeping pass (on PostgreSQL): one replica runs a pass at a
/// time, so two replicas never send the same reminder or seal the same campaign at once. Each
/// step is also idempotent, so the pass the other replica runs later finds nothing left to do.
const HOUSEKEEPING_LOCK: i64 = 0x4475_6574_486b; // "DuetHk"

fn spawn_housekeeping(db: Db, tz: duet_core::time::Tz, secret: Vec<u8>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let lead = match db.try_lead(HOUSEKEEPING_LOCK).await {
                Ok(Some(lead)) => lead,
                Ok(None) => {
                    tracing::info!("housekeeping pass skipped: another replica is running it");
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not take the housekeeping lead");
                    continue;
                }
            };
            housekeeping_pass(&db, tz, &secret).await;
            lead.release(HOUSEKEEPING_LOCK).await;
            tracing::info!("housekeeping pass done");
        }
    });
}

/// One pass of the hourly housekeeping: reminders, notices, sealing, warnings, the monthly
/// edition, renewal reminders, the write-ahead log and expired sessions.
async fn housekeeping_pass(db: &Db, tz: duet_core::time::Tz, secret: &[u8]) {
    match duet_store::promises::send_reminders(db, chrono::Utc::now().date_naive(), 3).await {
        Ok(n) if n > 0 => tracing::info!(reminded = n, "promise reminders sent"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not send promise reminders"),
    }
    match duet_store::home::send_judge_notices(
        db,
        chrono::Utc::now().with_timezone(&tz).date_naive(),
    )
    .await
    {
        Ok(n) if n > 0 => {
            tracing::info!(announced = n, "promises due to be judged announced")
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not announce promises due to be judged")
        }
    }
    match duet_store::listen::seal_closed(db, secret, chrono::Utc::now().date_naive()).await {
        Ok(n) if n > 0 => tracing::info!(sealed = n, "closed survey campaigns sealed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not seal closed survey campaigns"),
    }
    match duet_store::listen::dispatch_notices(db, chrono::Utc::now().date_naive()).await {
        Ok(n) if n > 0 => {
            tracing::info!(notified = n, "survey invitations and reminders sent")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not send survey invitations"),
    }
    // Survey participation is published once a day, at the first tick (or read) of it.
    if let Err(e) =
        duet_store::listen::refresh_participation(db, chrono::Utc::now().date_naive()).await
    {
        tracing::warn!(error = %e, "could not publish survey participation");
    }
    // Early warnings on relationships: raised when a signal turns poor, cleared when it
    // recovers (fresh figures; the caches here serve this pass only).
    let (promises, metrics) = (Default::default(), Default::default());
    let listen = duet_web::service::listen::ListenState::new(Some(secret.to_vec()));
    let src = duet_web::service::relationships::Sources {
        db,
        promises: &promises,
        metrics: &metrics,
        listen: &listen,
        tz,
    };
    match duet_web::service::relationships::sync_warnings(src).await {
        Ok((0, 0)) => {}
        Ok((raised, cleared)) => {
            tracing::info!(raised, cleared, "relationship warnings updated")
        }
        Err(e) => tracing::warn!(error = %e, "could not update relationship warnings"),
    }
    // Last month's edition, drafted for its editors on the first tick of a month.
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    match duet_web::service::comms::editions::draft_due(db, tz, today).await {
        Ok(Some(id)) => tracing::info!(edition = id, "last month's edition drafted"),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not draft last month's edition"),
    }
    match duet_web::service::software::send_renewal_reminders(db, today).await {
        Ok(n) if n > 0 => tracing::info!(reminded = n, "software renewal reminders sent"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not send software renewal reminders"),
    }
    if let Err(e) = db.checkpoint().await {
        tracing::warn!(error = %e, "could not checkpoint the write-ahead log");
    }
    match duet_store::sessions::purge_expired(db).await {
        Ok(n) if n > 0 => tracing::info!(purged = n, "expired sessions removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not purge expired sessions"),
    }
}

/// Registers for Ctrl-C and SIGTERM right away (before the address is printed, so a supervisor
/// that stops Duet at once still gets a graceful shutdown) and resolves when either arrives.
fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let mut signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match signals.0.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            let int = async {
                match signals.1.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! { _ = term => {}, _ = int => {} }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

/// Imports a people CSV with a progress bar; bad rows are listed by line and nothing is written.
async fn import_people(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let rows = match duet_core::org::import::parse_people_csv(&bytes) {
        Ok(rows) => rows,
        Err(errors) => return Err(csv_failure(file, &errors)),
    };
    let db = open(config).await?;
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} people {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let result = org::import_people(&db, &rows, |n| bar.set_position(n)).await;
    bar.finish_and_clear();
    db.close().await;
    match result {
        Ok(s) => {
            println!(
                "Imported {} people from {}: {} new, {} updated.",
                rows.len(),
                file.display(),
                s.created,
                s.updated
            );
            Ok(())
        }
        Err(StoreError::Csv(errors)) => Err(csv_failure(file, &errors)),
        Err(e) => Err(describe(e)),
    }
}

/// Imports metric values with a progress bar; bad rows are listed by line and nothing is written.
async fn import_metrics(
    config: &Config,
    file: &std::path::Path,
    replace: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let rows = match duet_core::metrics::parse_values_csv(&bytes) {
        Ok(rows) => rows,
        Err(errors) => return Err(csv_failure(file, &errors)),
    };
    let db = open(config).await?;
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} values {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let result =
        duet_store::metrics::import_values(&db, &rows, replace, None, |n| bar.set_position(n))
            .await;
    bar.finish_and_clear();
    db.close().await;
    match result {
        Ok(n) => {
            println!(
                "Imported {n} metric values from {} in {:.1} s.",
                file.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(StoreError::Csv(errors)) => Err(csv_failure(file, &errors)),
        Err(e) => Err(describe(e)),
    }
}

/// Imports an advisory file (or an OSV directory): read as it streams, with a progress bar by
/// bytes read; every problem listed by line or record and nothing written unless all are clean;
/// then the register is matched.
async fn import_advisories(
    config: &Config,
    source: duet_core::software::advisories::Source,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    use duet_web::service::software::files;
    let started = Instant::now();
    let files_to_read: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("reading {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "jsonl"))
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    let total: u64 = files_to_read
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} read {msg} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut out = files::Gathered::default();
    for f in &files_to_read {
        let file = std::fs::File::open(f).with_context(|| format!("reading {}", f.display()))?;
        let reader = bar.wrap_read(file);
        let name = if files_to_read.len() > 1 {
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let mut n = 0u64;
        let mut tick = || {
            n += 1;
            if n.is_multiple_of(1000) {
                bar.set_message(format!("{n} records"));
            }
        };
        match source {
            duet_core::software::advisories::Source::Kev => {
                files::read_kev(reader, &mut out, &mut tick)
            }
            duet_core::software::advisories::Source::Osv => {
                files::read_osv(reader, &name, &mut out, &mut tick)
            }
        }
    }
    bar.finish_and_clear();
    if !out.errors.is_empty() {
        let mut msg = format!("{} has problems; nothing was imported:", path.display());
        for e in &out.errors {
            msg.push_str(&format!("\n  {e}"));
        }
        return Err(anyhow::anyhow!(msg));
    }
    let read_in = started.elapsed().as_secs_f64();
    let db = open(config).await?;
    let bar = indicatif::ProgressBar::new(out.advisories.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} advisories written {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary =
        duet_store::software::advisories::import(&db, &out.advisories, chrono::Utc::now(), |n| {
            bar.inc(n as u64)
        })
        .await
        .map_err(describe)?;
    bar.finish_and_clear();
    let written_in = started.elapsed().as_secs_f64() - read_in;
    let matched = duet_web::service::software::match_register(&db, None)
        .await
        .map_err(|e| anyhow::anyhow!("matching the register: {e}"))?;
    db.close().await;
    println!(
        "Imported {} advisories from {} ({} new, {} replaced): read in {read_in:.1} s, written in {written_in:.1} s; {matched} new finding(s) in the register; {:.1} s in all.",
        out.advisories.len(),
        path.display(),
        summary.added,
        summary.replaced,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub(crate) fn csv_failure(
    file: &std::path::Path,
    errors: &[duet_core::org::import::CsvError],
) -> anyhow::Error {
    let mut msg = format!(
        "{} has {} problem(s); nothing was imported:",
        file.display(),
        errors.len()
    );
    for e in errors {
        msg.push_str(&format!("\n  {}: {e}", file.display()));
    }
    anyhow::anyhow!(msg)
}
