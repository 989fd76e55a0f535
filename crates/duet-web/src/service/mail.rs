//! E-mail: queueing a message for its recipients (each with a one-time unsubscribe link) and the
//! sender that drains the outbox through SMTP.
//!
//! Sending is at most once per (message, recipient): the outbox row is claimed before the SMTP
//! conversation and settled after it; a row left claimed by a crash is held for a person to
//! confirm (`duet_store::mail::hold_doubtful`), never sent again on its own. A refusal that may
//! pass (4xx, a dropped connection, a timeout) is retried with a growing wait; a permanent one
//! (5xx, an address that does not parse) fails with its reason. The SMTP password is never
//! logged: `MailSettings`' `Debug` hides it, and errors are logged without the transport.

use crate::error::AppError;
use chrono::{Duration, Utc};
use duet_core::auth::Actor;
use duet_core::mail::NoticeKind;
use duet_core::secret;
use duet_store::Db;
use duet_store::mail::{self as store, Claimed, Message, Outcome, Recipient};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::collections::HashMap;
use std::sync::Arc;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// None: for a relay on the same machine or a test sink only.
    None,
    /// STARTTLS on the submission port (587), required.
    StartTls,
    /// TLS from the first byte (465).
    Tls,
}

impl std::str::FromStr for Security {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" => Ok(Security::None),
            "starttls" => Ok(Security::StartTls),
            "tls" | "ssl" => Ok(Security::Tls),
            other => Err(format!("'{other}' is not one of: none, starttls, tls")),
        }
    }
}

/// The SMTP server and sender, from the configuration (`DUET_SMTP_*`).
#[derive(Clone)]
pub struct MailSettings {
    /// Host name of the SMTP server.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub security: Security,
    /// User name, if the server wants one.
    pub user: Option<String>,
    /// Its password (from `DUET_SMTP_PASSWORD` or a file), never logged.
    pub password: Option<String>,
    /// The `From` of every message, e.g. `Duet <duet@example.com>`.
    pub from: String,
    /// The most messages sent per minute by this process.
    pub per_minute: u32,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("per_minute", &self.per_minute)
            .finish()
    }
}

/// The link that unsubscribes one recipient, and its token's hash (the token is only in the link).
pub(crate) fn unsubscribe_link(public_url: &str) -> Result<(String, String), AppError> {
    let token = secret::new_secret("u")
        .map_err(|_| AppError::Internal(anyhow::anyhow!("could not generate a token")))?;
    let url = format!(
        "{}/mail/unsubscribe/{token}",
        public_url.trim_end_matches('/')
    );
    Ok((url, secret::hash_secret(&token)))
}

/// Queues a published post for everyone meant to read it who takes the newsletter; returns how
/// many were queued (none twice: queueing again adds only new readers).
pub async fn queue_post(
    db: &Db,
    public_url: &str,
    post: &duet_store::comms::Post,
) -> Result<u64, AppError> {
    let link = format!(
        "{}/comms/posts/{}",
        public_url.trim_end_matches('/'),
        post.id
    );
    let told = post
        .approved_by_name
        .as_ref()
        .map(|n| format!("Told by {n}\n\n"))
        .unwrap_or_default();
    let message = Message {
        key: format!("post:{}", post.id),
        subject: post.title.clone(),
        text_body: format!(
            "{}\n\n{told}{}\n\nRead it in Duet: {link}\n",
            post.title, post.body
        ),
        html_body: format!(
            "<h1>{}</h1>{}{}<p><a href=\"{}\">Read it in Duet</a></p>",
            escape(&post.title),
            post.approved_by_name
                .as_ref()
                .map(|n| format!("<p><em>Told by {}</em></p>", escape(n)))
                .unwrap_or_default(),
            post.body_html,
            escape(&link)
        ),
        calendar: None,
    };
    let mut recipients = Vec::new();
    for (user, address) in store::post_recipients(db, post.id).await? {
        let (url, hash) = unsubscribe_link(public_url)?;
        recipients.push(Recipient {
            user_id: Some(user),
            address,
            unsubscribe_url: Some(url),
            unsubscribe_hash: Some(hash),
        });
    }
    Ok(store::enqueue(db, &message, &recipients, post.publish_at).await?)
}

/// Queues a review's invitation (`REQUEST`) or cancellation (`CANCEL`) to its attendees — the
/// department's leader and IT partner — and its organiser, with the calendar file; each address
/// follows its person's choices for review notices. Each change is a new message (its key and
/// the calendar's SEQUENCE grow with time), so a move after an invitation sends again.
pub async fn queue_review(
    db: &Db,
    public_url: &str,
    review: &duet_store::reviews::Review,
    cancelled: bool,
) -> Result<u64, AppError> {
    let base = public_url.trim_end_matches('/');
    let now = Utc::now();
    let mut event = crate::service::reviews::event(db, review, base).await?;
    // Minutes since 2020: grows with every change, and fits the 32 bits calendar programs use.
    event.sequence = u32::try_from((now.timestamp() - 1_577_836_800) / 60).unwrap_or(u32::MAX);
    event.cancelled = cancelled;
    let method = if cancelled { "CANCEL" } else { "REQUEST" };
    let ics = duet_core::reviews::icalendar(std::slice::from_ref(&event), method, now);
    let when = review.scheduled_at.format("%-d %B %Y, %H:%M UTC");
    let (subject, lead) = if cancelled {
        (
            format!("Cancelled: {}", event.summary),
            format!("The review of {when} is called off."),
        )
    } else {
        (
            event.summary.clone(),
            format!("{} on {when} ({} minutes).", event.summary, review.minutes),
        )
    };
    let message = Message {
        key: format!(
            "review:{}:{}:{}",
            review.id,
            event.sequence,
            method.to_lowercase()
        ),
        subject,
        text_body: format!(
            "{lead}

Agenda and record: {base}/reviews
"
        ),
        html_body: format!(
            "<p>{}</p><p><a href=\"{}\">Agenda and record</a></p>",
            escape(&lead),
            escape(&format!("{base}/reviews"))
        ),
        calendar: Some(ics),
    };
    let mut addresses: Vec<String> = event.attendees.iter().map(|a| a.email.clone()).collect();
    addresses.push(event.organizer.email.clone());
    addresses.sort();
    addresses.dedup();
    let recipients: Vec<Recipient> = store::takers(db, &addresses, "review")
        .await?
        .into_iter()
        .map(|(user_id, address)| Recipient {
            user_id,
            address,
            unsubscribe_url: None,
            unsubscribe_hash: None,
        })
        .collect();
    Ok(store::enqueue(db, &message, &recipients, now).await?)
}

/// HTML-escapes text put into a message's HTML part (one escaper for every message).
pub(crate) use duet_core::mail::escape_html as escape;

/// What Duet sends a person by e-mail (their e-mail page and `/api/v1/mail/preferences`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Preferences {
    /// The newsletter: posts sent by e-mail and the monthly edition (on unless turned off or
    /// unsubscribed).
    pub newsletter: bool,
    /// Notices of their Duet inbox by e-mail (on unless turned off).
    pub notifications: bool,
    /// Notices in one e-mail a day (from 07:00 in the organisation's time zone) instead of one
    /// each as they come. Survey invitations and review invitations still come at once.
    #[serde(default)]
    pub digest: bool,
    /// Kinds of notice not to send by e-mail (they stay in the Duet inbox).
    #[serde(default)]
    pub muted: Vec<NoticeKind>,
}

/// `actor`'s own e-mail choices (kept per process while nothing was written, at most two
/// seconds: see `service::fresh`).
pub async fn preferences(
    cache: &MailCache,
    db: &Db,
    actor: &Actor,
) -> Result<Preferences, AppError> {
    let p = cache
        .choices
        .get_or_load(actor.user.0, || async {
            let c = store::choices(db, actor.user.0).await?;
            Ok::<_, AppError>(Preferences {
                newsletter: c.newsletter,
                notifications: c.notifications,
                digest: c.digest,
                muted: c.muted.iter().filter_map(|k| k.parse().ok()).collect(),
            })
        })
        .await?;
    Ok((*p).clone())
}

/// Sets `actor`'s own e-mail choices; what still waits for them that they no longer want is
/// taken back.
pub async fn set_preferences(db: &Db, actor: &Actor, p: &Preferences) -> Result<(), AppError> {
    let mut muted: Vec<String> = p.muted.iter().map(|k| k.as_str().to_string()).collect();
    muted.sort();
    muted.dedup();
    Ok(store::set_choices(
        db,
        actor.user.0,
        &store::Choices {
            newsletter: p.newsletter,
            notifications: p.notifications,
            digest: p.digest,
            muted,
        },
    )
    .await?)
}

/// One-click unsubscribe (RFC 8058) with the token from a message's link.
pub async fn unsubscribe(db: &Db, token: &str) -> Result<(), AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(AppError::NotFound("unsubscribe link".into()));
    }
    Ok(store::unsubscribe(db, &secret::hash_secret(token)).await?)
}

/// The transport for `settings`.
fn transport(s: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match s.security {
        Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
            .map_err(|e| format!("SMTP host {}: {e}", s.host))?,
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
            .map_err(|e| format!("SMTP host {}: {e}", s.host))?,
    };
    let builder = builder
        .port(s.port)
        .timeout(Some(std::time::Duration::from_secs(20)));
    let builder = match (&s.user, &s.password) {
        (Some(u), Some(p)) => builder.credentials(Credentials::new(u.clone(), p.clone())),
        _ => builder,
    };
    Ok(builder.build())
}

/// The wait before retry number `attempts + 1`: one minute, doubling, at most an hour.
fn backoff(attempts: i64) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(0, 6)).min(Duration::hours(1))
}

/// After this many tries a refusal that "may pass" is taken as final.
const MAX_ATTEMPTS: i64 = 8;

/// Builds the e-mail of one outbox row: both parts, and the one-click unsubscribe headers.
fn build(from: &Mailbox, row: &Claimed, m: &Message) -> Result<lettre::Message, String> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("the address {:?} is not valid: {e}", row.recipient))?;
    let (text, html) = match &row.unsubscribe_url {
        Some(u) => (
            format!(
                "{}\n--\nYou receive this because you take Duet's newsletter. Unsubscribe: {u}\n",
                m.text_body
            ),
            format!(
                "{}<hr><p><small>You receive this because you take Duet's newsletter. <a href=\"{}\">Unsubscribe</a>.</small></p>",
                m.html_body,
                escape(u)
            ),
        ),
        None => (m.text_body.clone(), m.html_body.clone()),
    };
    let mut b = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .message_id(None);
    if let Some(u) = &row.unsubscribe_url {
        b = b
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{u}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ));
    }
    let body = match &m.calendar {
        None => MultiPart::alternative_plain_html(text, html),
        Some(ics) => with_calendar(text, html, ics)?,
    };
    b.multipart(body)
        .map_err(|e| format!("the message could not be built: {e}"))
}

/// Both parts and a calendar invitation: the `text/calendar` part beside them (calendar programs
/// show it as an invitation with its METHOD) and the same file attached as `invite.ics`.
fn with_calendar(text: String, html: String, ics: &str) -> Result<MultiPart, String> {
    use lettre::message::header::ContentType;
    use lettre::message::{Attachment, SinglePart};
    let method = ics
        .lines()
        .find_map(|l| l.strip_prefix("METHOD:"))
        .unwrap_or("REQUEST")
        .trim();
    let calendar = ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
        .map_err(|e| format!("the calendar part could not be built: {e}"))?;
    let file = ContentType::parse("application/ics")
        .map_err(|e| format!("the calendar file could not be built: {e}"))?;
    Ok(MultiPart::mixed()
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(text))
                .singlepart(SinglePart::html(html))
                .singlepart(SinglePart::builder().header(calendar).body(ics.to_string())),
        )
        .singlepart(Attachment::new("invite.ics".to_string()).body(ics.to_string(), file)))
}

/// What a send attempt's error means for the row.
fn outcome_of(e: &lettre::transport::smtp::Error, attempts: i64) -> Outcome {
    let why = match e.status() {
        Some(code) => format!("the SMTP server answered {code}: {e}"),
        None => format!("sending failed: {e}"),
    };
    if e.is_permanent() || attempts + 1 >= MAX_ATTEMPTS {
        Outcome::Failed(why)
    } else {
        Outcome::RetryAt(Utc::now() + backoff(attempts), why)
    }
}

/// Sends the due rows of one claim; returns how many were settled.
async fn send_batch(
    db: &Db,
    public_url: &str,
    tz: duet_core::time::Tz,
    s: &MailSettings,
    from: &Mailbox,
    smtp: &AsyncSmtpTransport<Tokio1Executor>,
    messages: &mut HashMap<String, Arc<Message>>,
) -> Result<usize, AppError> {
    let now = Utc::now();
    store::queue_notifications(db, public_url, now).await?;
    store::queue_surveys(db, public_url, now).await?;
    // Daily digests go from 07:00 in the organisation's time zone.
    let local = now.with_timezone(&tz);
    if local.time() >= chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default() {
        store::queue_digests(db, public_url, local.date_naive(), now).await?;
    }
    store::hold_doubtful(db, now).await?;
    let rows = store::claim(db, 50, now).await?;
    let gap = std::time::Duration::from_millis(60_000 / u64::from(s.per_minute.max(1)));
    for row in &rows {
        let m = match messages.get(&row.message_key) {
            Some(m) => m.clone(),
            None => {
                let m = Arc::new(store::message(db, &row.message_key).await?);
                messages.insert(row.message_key.clone(), m.clone());
                m
            }
        };
        let outcome = match build(from, row, &m) {
            Err(why) => Outcome::Failed(why),
            Ok(email) => match smtp.send(email).await {
                Ok(_) => Outcome::Sent,
                Err(e) => outcome_of(&e, row.attempts),
            },
        };
        if let Outcome::Failed(why) | Outcome::RetryAt(_, why) = &outcome {
            tracing::warn!(outbox = row.id, reason = %why, "an e-mail was not sent");
        }
        store::settle(db, row.id, &outcome).await?;
        tokio::time::sleep(gap).await;
    }
    Ok(rows.len())
}

/// Drains the outbox until `stop` resolves: queues e-mail for new notifications, claims due rows, sends them at most `per_minute` a
/// minute, and waits a couple of seconds when there is nothing to send. Several of these may run
/// at once (replicas, or two in one process): no row is ever sent twice.
pub async fn run_sender(
    db: Db,
    s: MailSettings,
    public_url: String,
    tz: duet_core::time::Tz,
    stop: impl std::future::Future<Output = ()>,
) {
    let smtp = match transport(&s) {
        Ok(t) => t,
        Err(why) => {
            tracing::error!(reason = %why, "e-mail is not sent: the SMTP settings do not work");
            return;
        }
    };
    let from: Mailbox = match s.from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(from = %s.from, error = %e, "e-mail is not sent: the From address does not parse");
            return;
        }
    };
    let mut messages = HashMap::new();
    tokio::pin!(stop);
    loop {
        let sent = match send_batch(&db, &public_url, tz, &s, &from, &smtp, &mut messages).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "the e-mail sender could not read the outbox");
                0
            }
        };
        if messages.len() > 64 {
            messages.clear();
        }
        let pause = if sent == 0 { 2000 } else { 0 };
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(std::time::Duration::from_millis(pause)) => {}
        }
    }
}

/// An outbox row's statuses, in the order of a message's life.
pub const STATUSES: [&str; 5] = ["queued", "held", "sending", "sent", "failed"];

/// A page of the outbox with the count of every status (zero included).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    /// Rows of the page, newest first.
    pub rows: Vec<store::OutboxRow>,
    /// (status, count) for every status, in the order of a message's life.
    pub counts: Vec<(String, i64)>,
    /// Rows of the chosen status (or all), over all pages.
    pub total: i64,
}

/// A page of the outbox for an administrator (`can(ManageMail)`), kept for at most two seconds;
/// `status` must be one of [`STATUSES`] (422 otherwise).
pub async fn outbox(
    cache: &MailCache,
    db: &Db,
    actor: &duet_core::auth::Actor,
    status: Option<&str>,
    page: duet_store::PageRequest,
) -> Result<Arc<OutboxView>, AppError> {
    duet_core::auth::can(actor, duet_core::auth::Action::ManageMail)?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(STATUSES.iter().copied().find(|k| *k == s).ok_or_else(|| {
            AppError::invalid(
                "status",
                format!("'{s}' is not one of: {}", STATUSES.join(", ")),
            )
        })?),
    };
    cache
        .outbox
        .get_or_load((status, page), || async {
            let (rows, found) = store::outbox_page(db, status, page).await?;
            let counts: Vec<(String, i64)> = STATUSES
                .iter()
                .map(|s| {
                    let n = found.iter().find(|(f, _)| f == s).map_or(0, |(_, n)| *n);
                    ((*s).to_string(), n)
                })
                .collect();
            let total = match status {
                Some(f) => counts.iter().find(|(s, _)| s == f).map_or(0, |(_, n)| *n),
                None => counts.iter().map(|(_, n)| n).sum(),
            };
            Ok::<_, AppError>(OutboxView {
                rows,
                counts,
                total,
            })
        })
        .await
}

/// Recently read outbox pages (see `service::fresh`).
#[derive(Default)]
pub struct MailCache {
    outbox: crate::service::fresh::FreshMap<
        (Option<&'static str>, duet_store::PageRequest),
        OutboxView,
        64,
    >,
    choices: crate::service::fresh::FreshMap<i64, Preferences, 1000>,
}
