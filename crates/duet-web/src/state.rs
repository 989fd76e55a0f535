//! What every handler reaches: the web settings and [`AppState`] (the database and each area's
//! per-process caches). A leaf module: it names the areas' cache types but nothing here calls a
//! page or an API handler, so no module imports the router to reach its state.

use duet_store::Db;
use std::sync::Arc;
use std::time::Duration;

/// Web settings, decided once by the binary's configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (on unless Duet is served over plain HTTP to a non-local host).
    pub secure_cookies: bool,
    /// Take the client address from the first `X-Forwarded-For` entry (only behind a trusted proxy),
    /// for the per-address sign-in throttle.
    pub trust_forwarded_for: bool,
    /// Largest request body accepted; bigger ones get 413.
    pub max_body_bytes: usize,
    /// Requests running longer than this are cut off (408).
    pub request_timeout: Duration,
    /// The address people use to reach Duet, for links in calendar invitations.
    pub public_url: String,
    /// The survey anonymity key from the configuration (none: the one generated into the
    /// database is used).
    pub anonymity_key: Option<AnonymityKey>,
    /// The organisation's time zone: times are entered and shown in it (the store keeps UTC);
    /// see `crate::html::local_time`.
    pub time_zone: duet_core::time::Tz,
    /// The bearer token Prometheus sends to read `/metrics` (`DUET_METRICS_TOKEN`); none: the
    /// endpoint answers 404. Open metrics would let anyone date every request they count.
    pub metrics_token: Option<MetricsToken>,
    /// The SMTP server e-mail goes through; none: messages wait in the outbox, visible to admins.
    pub mail: Option<crate::service::mail::MailSettings>,
    /// Single sign-on with an OpenID provider; none: password sign-in only.
    pub sso: Option<crate::auth::sso::SsoSettings>,
}

/// The token that guards `/metrics`; `Debug` never shows it.
#[derive(Clone)]
pub struct MetricsToken(pub String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(<redacted>)")
    }
}

/// The key of respondents' owner keys; `Debug` never shows it.
#[derive(Clone)]
pub struct AnonymityKey(pub Vec<u8>);

impl std::fmt::Debug for AnonymityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnonymityKey(<redacted>)")
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            trust_forwarded_for: false,
            max_body_bytes: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            public_url: "http://127.0.0.1:8080".into(),
            anonymity_key: None,
            time_zone: chrono_tz::Europe::London,
            metrics_token: None,
            mail: None,
            sso: None,
        }
    }
}

/// What every handler can reach: one shared bundle, so the per-request copy axum makes of the
/// state is one reference count, not one per cache (that was 3% of a busy page's CPU).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The database, the settings and every per-process cache (see [`AppState`]).
pub struct Shared {
    /// The database.
    pub db: Db,
    /// Web settings.
    pub config: Arc<WebConfig>,
    /// Recently verified tokens and sessions (see `auth::cache`).
    pub auth: Arc<crate::auth::cache::AuthCaches>,
    /// The last computed portfolio ranking (see `service::portfolio`).
    pub portfolio: Arc<crate::service::portfolio::PortfolioCache>,
    /// Recently served directory and department pages (see `service::org::OrgCaches`).
    pub org: Arc<crate::service::org::OrgCaches>,
    /// Recently built home pages (see `service::home`).
    pub home: Arc<crate::service::home::HomeCache>,
    /// Listen's per-process state: caches of what never changes and the first-answers writer
    /// (see `service::listen`).
    pub listen: Arc<crate::service::listen::ListenState>,
    /// The global throttles of receipt lookups and new pain points (see `throttle`).
    pub voice_limits: Arc<crate::throttle::VoiceLimits>,
    /// Recently read promise ledger pages, trust pairs and promisor suggestions (see
    /// `service::promises::PromiseCache`).
    pub promises: Arc<crate::service::promises::PromiseCache>,
    /// The last read IT team statistics (see `service::requests::team_stats`).
    pub team_stats: Arc<crate::service::requests::TeamStatsCache>,
    /// Recently read request pages and lists (see `service::requests::RequestCaches`).
    pub requests: Arc<crate::service::requests::RequestCaches>,
    /// Recently read reviews, the dashboard and agendas (see `service::reviews::ReviewCaches`).
    pub reviews: Arc<crate::service::reviews::ReviewCaches>,
    /// Recently computed metric coverage (see `service::metrics::MetricCaches`).
    pub metrics: Arc<crate::service::metrics::MetricCaches>,
    /// Recently read pages of the e-mail outbox (see `service::mail::MailCache`).
    pub mail: Arc<crate::service::mail::MailCache>,
    /// Recently read posts, listings and the feed (see `service::comms::CommsCache`).
    pub comms: Arc<crate::service::comms::CommsCache>,
    /// Recently computed relationship health (see `service::relationships`).
    pub relationships: Arc<crate::service::relationships::RelationshipCaches>,
    /// Recently read rotation cycles, proposals, outcomes and placements (see
    /// `service::rotation::RotationCaches`).
    pub rotation: Arc<crate::service::rotation::RotationCaches>,
    /// The software register, read once per write (see `service::software::SoftwareCaches`).
    pub software: Arc<crate::service::software::SoftwareCaches>,
    /// Recently read pages of the audit log (see `service::audit::log`).
    pub audit: Arc<crate::service::audit::AuditPages>,
    /// Recently read pages of the Voice inbox (see `service::voice::InboxPages`).
    pub inbox: Arc<crate::service::voice::InboxPages>,
    /// The portfolio table's rendered rows (see `pages::portfolio::PortfolioRows`).
    pub portfolio_rows: Arc<crate::pages::portfolio::PortfolioRows>,
    /// The discovered single sign-on provider (see `auth::sso`).
    pub sso: Arc<crate::auth::sso::SsoProvider>,
}

impl AppState {
    /// Bundles the database and settings.
    pub fn new(db: Db, config: WebConfig) -> Self {
        let key = config.anonymity_key.as_ref().map(|k| k.0.clone());
        Self(Arc::new(Shared {
            db,
            config: Arc::new(config),
            auth: Arc::default(),
            portfolio: Arc::default(),
            org: Arc::default(),
            home: Arc::default(),
            listen: Arc::new(crate::service::listen::ListenState::new(key)),
            mail: Arc::default(),
            comms: Arc::default(),
            relationships: Arc::default(),
            rotation: Arc::default(),
            software: Arc::default(),
            voice_limits: Arc::default(),
            team_stats: Arc::default(),
            promises: Arc::default(),
            requests: Arc::default(),
            reviews: Arc::default(),
            metrics: Arc::default(),
            audit: Arc::default(),
            inbox: Arc::default(),
            portfolio_rows: Arc::default(),
            sso: Arc::default(),
        }))
    }
}
