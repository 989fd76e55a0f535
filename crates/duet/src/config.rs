//! Configuration, in one place: command-line flags override `DUET_*` environment variables, which
//! override an optional TOML file (`--config` / `DUET_CONFIG`), which overrides the defaults.
//! `Debug` redacts the database password so settings can be logged.

use crate::cli::{Cli, Command};
use anyhow::Context;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

/// The optional TOML file; every key is optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on.
    pub bind: Option<SocketAddr>,
    /// `postgres://…` or a SQLite path / `sqlite:` URL.
    pub database_url: Option<String>,
    /// The address people use to reach Duet (`https://duet.example.com`).
    pub public_url: Option<String>,
    /// `human` or `json`.
    pub log_format: Option<String>,
    /// A tracing filter such as `info,duet_web=debug`.
    pub log_level: Option<String>,
    /// Trust `X-Forwarded-For` from a reverse proxy.
    pub trust_forwarded_for: Option<bool>,
    /// Database pool size.
    pub max_connections: Option<u32>,
    /// The key that links a respondent to their own survey answers while a campaign is open
    /// (32 characters or more). Kept out of the database, a database reader cannot link them.
    pub anonymity_key: Option<String>,
    /// The organisation's time zone, an IANA name (`Europe/London`): times are typed and shown
    /// in it; the database keeps UTC.
    pub time_zone: Option<String>,
    /// The bearer token Prometheus must send to read `/metrics` (16 characters or more); without
    /// one `/metrics` is off.
    pub metrics_token: Option<String>,
    /// The SMTP server e-mail goes through (none: messages wait in the outbox).
    pub smtp: Option<SmtpFile>,
    /// Single sign-on with an OpenID provider (none: password sign-in only).
    pub oidc: Option<OidcFile>,
}

/// `[oidc]` of the TOML file, and the `DUET_OIDC_*` variables. The client secret is never in the
/// file: `DUET_OIDC_CLIENT_SECRET` or the file named by `client_secret_file`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFile {
    /// The provider's issuer URL (`https://login.example.com/realms/staff`).
    pub issuer: Option<String>,
    /// Duet's client id at the provider.
    pub client_id: Option<String>,
    /// A file holding the client secret.
    pub client_secret_file: Option<std::path::PathBuf>,
    /// The provider's name on the sign-in button (default "single sign-on").
    pub label: Option<String>,
    /// The claim that lists groups (default `groups`).
    pub groups_claim: Option<String>,
    /// Only members of this group may sign in.
    pub required_group: Option<String>,
    /// Groups that give roles: `group=role, group=role`.
    pub role_map: Option<String>,
    /// The claim that names the department.
    pub department_claim: Option<String>,
}

/// `[smtp]` of the TOML file. The password is never in it: `DUET_SMTP_PASSWORD` or the file
/// named by `password_file` / `DUET_SMTP_PASSWORD_FILE`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    /// Host name.
    pub host: Option<String>,
    /// Port (default: 587 for STARTTLS, 465 for TLS, 25 for none).
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    pub security: Option<String>,
    /// User name.
    pub user: Option<String>,
    /// A file holding the password.
    pub password_file: Option<std::path::PathBuf>,
    /// The `From` address, e.g. `Duet <duet@example.com>`.
    pub from: Option<String>,
    /// The most messages a minute (default 120).
    pub per_minute: Option<u32>,
}

impl FileConfig {
    /// Reads a TOML file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Readable lines for a terminal.
    Human,
    /// One JSON object per line for log shippers.
    Json,
}

/// The resolved settings of a run.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Database URL.
    pub database_url: String,
    /// Public URL (decides whether cookies are `Secure`).
    pub public_url: String,
    /// Log format.
    pub log_format: LogFormat,
    /// Tracing filter.
    pub log_level: String,
    /// Trust `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// Database pool size.
    pub max_connections: u32,
    /// Survey anonymity key (none: Duet keeps a generated one in the database).
    pub anonymity_key: Option<String>,
    /// The organisation's time zone.
    pub time_zone: duet_core::time::Tz,
    /// The token that guards `/metrics` (none: `/metrics` is off).
    pub metrics_token: Option<String>,
    /// Where e-mail goes (none: messages wait in the outbox, visible to admins).
    pub mail: Option<duet_web::MailSettings>,
    /// Single sign-on (none: password sign-in only).
    pub sso: Option<duet_web::auth::sso::SsoSettings>,
}

/// Values given on the command line or in `DUET_*` variables (clap merges those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--bind` / `DUET_BIND`.
    pub bind: Option<SocketAddr>,
    /// `--database-url` / `DUET_DATABASE_URL` (or `DATABASE_URL`).
    pub database_url: Option<String>,
    /// `--public-url` / `DUET_PUBLIC_URL`.
    pub public_url: Option<String>,
    /// `--log-format` / `DUET_LOG_FORMAT`.
    pub log_format: Option<String>,
    /// `DUET_LOG`.
    pub log_level: Option<String>,
    /// `DUET_TRUST_FORWARDED_FOR`.
    pub trust_forwarded_for: Option<bool>,
    /// `DUET_MAX_CONNECTIONS`.
    pub max_connections: Option<u32>,
    /// `DUET_ANONYMITY_KEY`.
    pub anonymity_key: Option<String>,
    /// `--time-zone` / `DUET_TIME_ZONE`.
    pub time_zone: Option<String>,
    /// `DUET_METRICS_TOKEN`.
    pub metrics_token: Option<String>,
    /// `DUET_SMTP_HOST`, `_PORT`, `_SECURITY`, `_USER`, `_PASSWORD_FILE`, `_FROM`, `_PER_MINUTE`.
    pub smtp: SmtpFile,
    /// `DUET_SMTP_PASSWORD`.
    pub smtp_password: Option<String>,
    /// `DUET_OIDC_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET_FILE`, `_LABEL`, `_GROUPS_CLAIM`,
    /// `_REQUIRED_GROUP`, `_ROLE_MAP`, `_DEPARTMENT_CLAIM`.
    pub oidc: OidcFile,
    /// `DUET_OIDC_CLIENT_SECRET`.
    pub oidc_secret: Option<String>,
}

/// The default listening address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "./duet.db";
/// The default time zone of the organisation.
pub const DEFAULT_TIME_ZONE: &str = "Europe/London";

impl Config {
    /// Resolves flags/env over file over defaults; `default_db` lets `duet demo` keep its own file.
    pub fn resolve(o: Overrides, file: FileConfig, default_db: &str) -> anyhow::Result<Self> {
        let bind = match o.bind.or(file.bind) {
            Some(b) => b,
            None => DEFAULT_BIND.parse().context("default bind address")?,
        };
        let log_format = match o.log_format.or(file.log_format).as_deref() {
            None | Some("human") => LogFormat::Human,
            Some("json") => LogFormat::Json,
            Some(other) => anyhow::bail!("log format must be 'human' or 'json', not '{other}'"),
        };
        let public_url = o
            .public_url
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{bind}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            anyhow::bail!("public URL must start with http:// or https://, not '{public_url}'");
        }
        let anonymity_key = o
            .anonymity_key
            .or(file.anonymity_key)
            .filter(|k| !k.is_empty());
        if let Some(k) = &anonymity_key
            && k.chars().count() < 32
        {
            anyhow::bail!("the anonymity key must be at least 32 characters long");
        }
        let metrics_token = o
            .metrics_token
            .or(file.metrics_token)
            .filter(|t| !t.is_empty());
        if let Some(t) = &metrics_token
            && (t.chars().count() < 16 || t.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            anyhow::bail!("the metrics token must be at least 16 characters long, without spaces");
        }
        let zone = o
            .time_zone
            .or(file.time_zone)
            .unwrap_or_else(|| DEFAULT_TIME_ZONE.into());
        let time_zone = duet_core::time::parse_time_zone(&zone)
            .map_err(|e| anyhow::anyhow!("time zone: {}", e.message))?;
        let mail = smtp_settings(o.smtp, o.smtp_password, file.smtp.unwrap_or_default())?;
        let sso = sso_settings(o.oidc, o.oidc_secret, file.oidc.unwrap_or_default())?;
        Ok(Self {
            mail,
            sso,
            anonymity_key,
            metrics_token,
            time_zone,
            bind,
            database_url: o
                .database_url
                .or(file.database_url)
                .unwrap_or_else(|| default_db.to_string()),
            public_url: public_url.trim_end_matches('/').to_string(),
            log_format,
            log_level: o
                .log_level
                .or(file.log_level)
                .unwrap_or_else(|| "info,sqlx=warn,tower_http=info".into()),
            trust_forwarded_for: o
                .trust_forwarded_for
                .or(file.trust_forwarded_for)
                .unwrap_or(false),
            max_connections: o
                .max_connections
                .or(file.max_connections)
                .unwrap_or(8)
                .clamp(1, 512),
        })
    }

    /// Cookies are `Secure` unless Duet is reached over plain HTTP on a non-local host (where a
    /// browser would drop them); browsers treat localhost and loopback as secure origins.
    pub fn secure_cookies(&self) -> bool {
        let Some(rest) = self.public_url.strip_prefix("http://") else {
            return true;
        };
        let host = rest.split(['/', ':']).next().unwrap_or("");
        host == "localhost" || host.starts_with("127.") || host == "[::1]"
    }
}

/// The single sign-on settings from the environment over the file; none without an issuer.
fn sso_settings(
    env: OidcFile,
    secret: Option<String>,
    file: OidcFile,
) -> anyhow::Result<Option<duet_web::auth::sso::SsoSettings>> {
    let text = |a: Option<String>, b: Option<String>| {
        a.or(b)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let Some(issuer) = text(env.issuer, file.issuer) else {
        return Ok(None);
    };
    if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
        anyhow::bail!("the OpenID issuer must be an https:// URL, not '{issuer}'");
    }
    let client_id = text(env.client_id, file.client_id).ok_or_else(|| {
        anyhow::anyhow!(
            "an OpenID issuer needs a client id (DUET_OIDC_CLIENT_ID or oidc.client_id)"
        )
    })?;
    let client_secret = match (secret, env.client_secret_file.or(file.client_secret_file)) {
        (Some(s), _) if !s.is_empty() => Some(s),
        (_, Some(path)) => Some(
            std::fs::read_to_string(&path)
                .with_context(|| {
                    format!("reading the OpenID client secret file {}", path.display())
                })?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
        ),
        _ => None,
    };
    let roles = duet_core::sso::SsoRules::parse_roles(
        &text(env.role_map, file.role_map).unwrap_or_default(),
    )
    .map_err(|e| anyhow::anyhow!("OpenID role map (DUET_OIDC_ROLE_MAP): {}", e.message))?;
    Ok(Some(duet_web::auth::sso::SsoSettings {
        issuer: issuer.trim_end_matches('/').to_string(),
        client_id,
        client_secret,
        label: text(env.label, file.label).unwrap_or_else(|| "single sign-on".into()),
        rules: duet_core::sso::SsoRules {
            groups_claim: text(env.groups_claim, file.groups_claim)
                .unwrap_or_else(|| "groups".into()),
            required_group: text(env.required_group, file.required_group),
            roles,
            department_claim: text(env.department_claim, file.department_claim),
        },
    }))
}

/// The SMTP settings from the environment over the file; none without a host.
fn smtp_settings(
    env: SmtpFile,
    password: Option<String>,
    file: SmtpFile,
) -> anyhow::Result<Option<duet_web::MailSettings>> {
    let Some(host) = env.host.or(file.host).filter(|h| !h.trim().is_empty()) else {
        return Ok(None);
    };
    let security: duet_web::MailSecurity = env
        .security
        .or(file.security)
        .as_deref()
        .unwrap_or("starttls")
        .parse()
        .map_err(|e| anyhow::anyhow!("SMTP security: {e}"))?;
    let port = env.port.or(file.port).unwrap_or(match security {
        duet_web::MailSecurity::StartTls => 587,
        duet_web::MailSecurity::Tls => 465,
        duet_web::MailSecurity::None => 25,
    });
    let from = env
        .from
        .or(file.from)
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!("an SMTP host needs a From address (DUET_SMTP_FROM or smtp.from)")
        })?;
    let password = match (password, env.password_file.or(file.password_file)) {
        (Some(p), _) => Some(p),
        (None, Some(path)) => Some(
            std::fs::read_to_string(&path)
                .with_context(|| format!("reading the SMTP password file {}", path.display()))?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
        ),
        (None, None) => None,
    };
    Ok(Some(duet_web::MailSettings {
        host: host.trim().to_string(),
        port,
        security,
        user: env.user.or(file.user).filter(|u| !u.is_empty()),
        password,
        from: from.trim().to_string(),
        per_minute: env
            .per_minute
            .or(file.per_minute)
            .unwrap_or(120)
            .clamp(1, 100_000),
    }))
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("log_format", &self.log_format)
            .field("log_level", &self.log_level)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("max_connections", &self.max_connections)
            .field("anonymity_key", &self.anonymity_key.as_ref().map(|_| "***"))
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("time_zone", &self.time_zone.name())
            .field("mail", &self.mail)
            .field("sso", &self.sso)
            .finish()
    }
}

/// The configuration of one run: the command line and `DUET_*` variables over the TOML file over
/// the defaults. Every environment variable Duet reads is read here.
pub fn load(cli: &Cli) -> anyhow::Result<Config> {
    let file = match &cli.global.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let (serve_args, default_db) = match &cli.command {
        Command::Serve(a) => (Some(a), DEFAULT_DATABASE),
        Command::Demo(a) => (Some(&a.serve), "./duet-demo.db"),
        _ => (None, DEFAULT_DATABASE),
    };
    let overrides = Overrides {
        bind: serve_args.and_then(|a| a.bind),
        database_url: cli
            .global
            .database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok()),
        public_url: serve_args.and_then(|a| a.public_url.clone()),
        log_format: cli.global.log_format.clone(),
        log_level: std::env::var("DUET_LOG").ok(),
        trust_forwarded_for: std::env::var("DUET_TRUST_FORWARDED_FOR")
            .ok()
            .map(|v| matches!(v.as_str(), "1" | "true" | "yes")),
        max_connections: std::env::var("DUET_MAX_CONNECTIONS")
            .ok()
            .and_then(|v| v.parse().ok()),
        anonymity_key: std::env::var("DUET_ANONYMITY_KEY").ok(),
        metrics_token: std::env::var("DUET_METRICS_TOKEN").ok(),
        smtp: SmtpFile {
            host: std::env::var("DUET_SMTP_HOST").ok(),
            port: std::env::var("DUET_SMTP_PORT")
                .ok()
                .and_then(|v| v.parse().ok()),
            security: std::env::var("DUET_SMTP_SECURITY").ok(),
            user: std::env::var("DUET_SMTP_USER").ok(),
            password_file: std::env::var_os("DUET_SMTP_PASSWORD_FILE").map(Into::into),
            from: std::env::var("DUET_SMTP_FROM").ok(),
            per_minute: std::env::var("DUET_SMTP_PER_MINUTE")
                .ok()
                .and_then(|v| v.parse().ok()),
        },
        smtp_password: std::env::var("DUET_SMTP_PASSWORD").ok(),
        oidc: OidcFile {
            issuer: std::env::var("DUET_OIDC_ISSUER").ok(),
            client_id: std::env::var("DUET_OIDC_CLIENT_ID").ok(),
            client_secret_file: std::env::var_os("DUET_OIDC_CLIENT_SECRET_FILE").map(Into::into),
            label: std::env::var("DUET_OIDC_LABEL").ok(),
            groups_claim: std::env::var("DUET_OIDC_GROUPS_CLAIM").ok(),
            required_group: std::env::var("DUET_OIDC_REQUIRED_GROUP").ok(),
            role_map: std::env::var("DUET_OIDC_ROLE_MAP").ok(),
            department_claim: std::env::var("DUET_OIDC_DEPARTMENT_CLAIM").ok(),
        },
        oidc_secret: std::env::var("DUET_OIDC_CLIENT_SECRET").ok(),
        time_zone: serve_args
            .and_then(|a| a.time_zone.clone())
            .or_else(|| std::env::var("DUET_TIME_ZONE").ok()),
    };
    Config::resolve(overrides, file, default_db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_and_file_beats_defaults() {
        let file: FileConfig = toml::from_str(
            "bind = \"0.0.0.0:9000\"\ndatabase_url = \"/var/lib/duet.db\"\nlog_format = \"json\"",
        )
        .unwrap();
        let o = Overrides {
            database_url: Some("postgres://u:secret@db/duet".into()),
            ..Default::default()
        };
        let c = Config::resolve(o, file, DEFAULT_DATABASE).unwrap();
        assert_eq!(c.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(c.database_url, "postgres://u:secret@db/duet");
        assert_eq!(c.log_format, LogFormat::Json);
        let c = Config::resolve(
            Overrides::default(),
            FileConfig::default(),
            DEFAULT_DATABASE,
        )
        .unwrap();
        assert_eq!(
            (c.bind.to_string().as_str(), c.database_url.as_str()),
            (DEFAULT_BIND, DEFAULT_DATABASE)
        );
    }

    #[test]
    fn debug_never_shows_the_database_password() {
        let o = Overrides {
            database_url: Some("postgres://duet:hunter2@db:5432/duet".into()),
            ..Default::default()
        };
        let c = Config::resolve(o, FileConfig::default(), DEFAULT_DATABASE).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("duet:***@db:5432"));
    }

    #[test]
    fn the_anonymity_key_is_long_and_never_shown() {
        let short = Overrides {
            anonymity_key: Some("too-short".into()),
            ..Default::default()
        };
        assert!(Config::resolve(short, FileConfig::default(), DEFAULT_DATABASE).is_err());
        let file: FileConfig =
            toml::from_str("anonymity_key = \"correct-horse-battery-staple-0123456789\"").unwrap();
        let c = Config::resolve(Overrides::default(), file, DEFAULT_DATABASE).unwrap();
        assert_eq!(
            c.anonymity_key.as_deref(),
            Some("correct-horse-battery-staple-0123456789")
        );
        assert!(!format!("{c:?}").contains("correct-horse"));
    }

    #[test]
    fn smtp_needs_a_from_takes_its_password_from_a_file_and_never_shows_it() {
        let c = Config::resolve(
            Overrides::default(),
            FileConfig::default(),
            DEFAULT_DATABASE,
        )
        .unwrap();
        assert!(c.mail.is_none(), "no SMTP host: e-mail waits in the outbox");
        let host = |from: Option<&str>| Overrides {
            smtp: SmtpFile {
                host: Some("smtp.example.com".into()),
                from: from.map(Into::into),
                ..SmtpFile::default()
            },
            ..Overrides::default()
        };
        let e = Config::resolve(host(None), FileConfig::default(), DEFAULT_DATABASE).unwrap_err();
        assert!(e.to_string().contains("From address"), "{e}");
        let dir = std::env::temp_dir().join(format!("duet-smtp-{}", std::process::id()));
        std::fs::write(&dir, "s3cret-pass\n").unwrap();
        let file: FileConfig = toml::from_str(&format!(
            "[smtp]\nsecurity = \"tls\"\nuser = \"duet\"\npassword_file = {:?}",
            dir.display().to_string()
        ))
        .unwrap();
        let c = Config::resolve(
            host(Some("Duet <duet@example.com>")),
            file,
            DEFAULT_DATABASE,
        )
        .unwrap();
        std::fs::remove_file(&dir).unwrap();
        let m = c.mail.clone().unwrap();
        assert_eq!(
            (m.port, m.password.as_deref(), m.per_minute),
            (465, Some("s3cret-pass"), 120)
        );
        assert!(
            !format!("{c:?}").contains("s3cret"),
            "the password is never shown"
        );
        let bad = Overrides {
            smtp: SmtpFile {
                security: Some("ssl3".into()),
                ..host(Some("a@b.c")).smtp
            },
            ..Overrides::default()
        };
        assert!(Config::resolve(bad, FileConfig::default(), DEFAULT_DATABASE).is_err());
    }

    #[test]
    fn the_metrics_token_is_off_by_default_long_and_never_shown() {
        let c = Config::resolve(
            Overrides::default(),
            FileConfig::default(),
            DEFAULT_DATABASE,
        )
        .unwrap();
        assert!(c.metrics_token.is_none());
        let short = Overrides {
            metrics_token: Some("short".into()),
            ..Default::default()
        };
        assert!(Config::resolve(short, FileConfig::default(), DEFAULT_DATABASE).is_err());
        let file: FileConfig =
            toml::from_str("metrics_token = \"prometheus-scrape-0123456789\"").unwrap();
        let c = Config::resolve(Overrides::default(), file, DEFAULT_DATABASE).unwrap();
        assert_eq!(
            c.metrics_token.as_deref(),
            Some("prometheus-scrape-0123456789")
        );
        assert!(!format!("{c:?}").contains("prometheus-scrape"));
    }

    #[test]
    fn cookies_are_secure_except_over_plain_http_to_remote_hosts() {
        let mk = |u: &str| {
            Config::resolve(
                Overrides {
                    public_url: Some(u.into()),
                    ..Default::default()
                },
                FileConfig::default(),
                DEFAULT_DATABASE,
            )
            .unwrap()
        };
        assert!(mk("https://duet.example.com").secure_cookies());
        assert!(mk("http://127.0.0.1:8080").secure_cookies());
        assert!(mk("http://localhost:8080").secure_cookies());
        assert!(!mk("http://10.1.2.3:8080").secure_cookies());
    }

    #[test]
    fn the_time_zone_defaults_to_london_and_a_wrong_name_is_refused() {
        let c = Config::resolve(
            Overrides::default(),
            FileConfig::default(),
            DEFAULT_DATABASE,
        )
        .unwrap();
        assert_eq!(c.time_zone.name(), "Europe/London");
        let file: FileConfig = toml::from_str("time_zone = \"America/New_York\"").unwrap();
        let o = Overrides {
            time_zone: Some("Europe/Berlin".into()),
            ..Default::default()
        };
        assert_eq!(
            Config::resolve(o, file, DEFAULT_DATABASE)
                .unwrap()
                .time_zone
                .name(),
            "Europe/Berlin",
            "the flag beats the file"
        );
        let o = Overrides {
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        };
        let e = Config::resolve(o, FileConfig::default(), DEFAULT_DATABASE).err();
        assert!(e.is_some_and(|e| e.to_string().contains("Mars/Olympus")));
    }

    #[test]
    fn unknown_file_keys_and_bad_formats_are_refused() {
        assert!(toml::from_str::<FileConfig>("bnd = \"x\"").is_err());
        let o = Overrides {
            log_format: Some("xml".into()),
            ..Default::default()
        };
        assert!(Config::resolve(o, FileConfig::default(), DEFAULT_DATABASE).is_err());
    }
}
