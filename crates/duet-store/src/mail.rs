//! E-mail: messages, the durable outbox, and each person's mail preferences.
//!
//! Each message is stored once (`mail_messages`) and each recipient is one outbox row, unique per
//! (message, recipient), so queueing the same message again adds nobody twice. A sender claims
//! due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas never claim the same row; the
//! one writer on SQLite), sends, and marks each row sent, to retry later or failed. A row found
//! still "sending" after a crash may or may not have gone out: it is held for a person to
//! confirm, never sent again on its own. So is a message whose time passed more than a day ago
//! (a restored backup, a server down for a day).
//!
//! The sender's writes take the writer turn without counting as a write (`Db::touch_turn`): the
//! cached outbox page may lag them by two seconds, and nothing else reads the outbox; and a sender pass with nothing to do writes
//! nothing: an idle sender every two seconds must not empty every read cache of the process.

use crate::batch::{rows_per_statement, values};
use crate::db::WriteTx;
use crate::{Db, PageRequest, Result, StoreError};
use chrono::{DateTime, Duration, Utc};
use duet_core::FieldError;
use duet_core::mail::escape_html;

/// One message's content, stored once for all its recipients.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Message {
    /// What it is, e.g. `post:12` (one message per key).
    pub key: String,
    /// Subject line.
    pub subject: String,
    /// The plain-text part.
    pub text_body: String,
    /// The HTML part.
    pub html_body: String,
    /// An iCalendar part (a review invitation, `METHOD:REQUEST` or `CANCEL`), sent beside both.
    pub calendar: Option<String>,
}

/// One recipient of a message, with their one-time unsubscribe link.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Their account.
    pub user_id: Option<i64>,
    /// Their address.
    pub address: String,
    /// The link that unsubscribes them (carries the token).
    pub unsubscribe_url: Option<String>,
    /// SHA-256 of that token.
    pub unsubscribe_hash: Option<String>,
}

/// Stores `message` (once) and queues it for each recipient not queued for it yet; returns how
/// many rows were added. One transaction: all or nothing.
pub async fn enqueue(
    db: &Db,
    message: &Message,
    recipients: &[Recipient],
    not_before: DateTime<Utc>,
) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    let added = enqueue_in(&mut tx, message, recipients, not_before).await?;
    tx.commit().await?;
    Ok(added)
}

/// [`enqueue`] inside a caller's transaction, so queueing commits with the change that causes
/// it (an edition scheduled is queued, or neither).
pub(crate) async fn enqueue_in(
    tx: &mut WriteTx,
    message: &Message,
    recipients: &[Recipient],
    not_before: DateTime<Utc>,
) -> Result<u64> {
    let now = Utc::now();
    on_db!(tx, |c| sqlx::query(
        "insert into mail_messages (key, subject, text_body, html_body, calendar, created_at)
         values ($1, $2, $3, $4, $5, $6) on conflict (key) do nothing"
    )
    .bind(&message.key)
    .bind(&message.subject)
    .bind(&message.text_body)
    .bind(&message.html_body)
    .bind(&message.calendar)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let mut added = 0;
    for chunk in recipients.chunks(rows_per_statement(4, 3)) {
        let sql = format!(
            "insert into outbox (message_key, recipient, user_id, unsubscribe_url, unsubscribe_hash,
                 status, attempts, not_before, created_at)
             values {} on conflict (message_key, recipient) do nothing",
            values("($1, ?, ?, ?, ?, 'queued', 0, $2, $3)", chunk.len(), 4)
        );
        added += on_db!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(&message.key)
                .bind(not_before)
                .bind(now);
            for r in chunk {
                q = q
                    .bind(&r.address)
                    .bind(r.user_id)
                    .bind(&r.unsubscribe_url)
                    .bind(&r.unsubscribe_hash);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(added)
}

/// An outbox row claimed for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    /// Row id.
    pub id: i64,
    /// The message.
    pub message_key: String,
    /// The address.
    pub recipient: String,
    /// The recipient's unsubscribe link, if any.
    pub unsubscribe_url: Option<String>,
    /// Sends tried before this one.
    pub attempts: i64,
}

/// How long a message may wait past its time and still go without a person confirming.
pub const STALE_AFTER_HOURS: i64 = 24;
/// How long a claimed row may stay "sending" before it is held as interrupted.
pub const INTERRUPTED_AFTER_MINUTES: i64 = 10;

/// Holds what must not go without a person: rows interrupted while sending, and messages whose
/// time passed long ago. Returns how many rows were held.
pub async fn hold_doubtful(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let doubtful: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select id from outbox where (status = 'sending' and claimed_at < $1)
             or (status = 'queued' and attempts = 0 and not_before < $2) limit 1"
    )
    .bind(now - Duration::minutes(INTERRUPTED_AFTER_MINUTES))
    .bind(now - Duration::hours(STALE_AFTER_HOURS))
    .fetch_optional(pool)
    .await)?;
    if doubtful.is_none() {
        return Ok(0);
    }
    let _turn = db.touch_turn().await;
    let interrupted = on_db!(db, |pool| {
        sqlx::query(
        "update outbox set status = 'held',
             last_error = 'interrupted while sending: it may or may not have been delivered; confirm to send it again'
         where status = 'sending' and claimed_at < $1"
    )
    .bind(now - Duration::minutes(INTERRUPTED_AFTER_MINUTES))
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    })?;
    let stale = on_db!(db, |pool| {
        sqlx::query(
        "update outbox set status = 'held',
             last_error = 'its time passed more than a day ago (was the server down, or a backup restored?); confirm to send it now'
         where status = 'queued' and attempts = 0 and not_before < $1"
    )
    .bind(now - Duration::hours(STALE_AFTER_HOURS))
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(interrupted + stale)
}

/// Claims up to `limit` due rows for this sender, oldest first. On PostgreSQL rows another
/// replica is claiming are skipped, never waited for or taken twice.
pub async fn claim(db: &Db, limit: i64, now: DateTime<Utc>) -> Result<Vec<Claimed>> {
    let lock = match db.backend() {
        crate::Backend::Postgres => " for update skip locked",
        crate::Backend::Sqlite => "",
    };
    let sql = format!(
        "update outbox set status = 'sending', claimed_at = $1
         where id in (select id from outbox where status = 'queued' and not_before <= $1
                      order by id limit $2{lock})
         returning id, message_key, recipient, unsubscribe_url, attempts"
    );
    let due: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select id from outbox where status = 'queued' and not_before <= $1 limit 1"
    )
    .bind(now)
    .fetch_optional(pool)
    .await)?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let mut tx = db.begin_write().await?;
    let mut rows: Vec<Claimed> = on_db!(tx, |c| sqlx::query_as::<_, Claimed>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(now)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    tx.commit().await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// A message's content (for the sender).
pub async fn message(db: &Db, key: &str) -> Result<Message> {
    on_db!(db, |pool| sqlx::query_as::<_, Message>(
        "select key, subject, text_body, html_body, calendar from mail_messages where key = $1"
    )
    .bind(key)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("message"))
}

/// What became of one claimed row.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The server accepted it.
    Sent,
    /// Try again at this time (a refusal that may pass, a dropped connection).
    RetryAt(DateTime<Utc>, String),
    /// Will never go (an invalid address, a permanent refusal), and why.
    Failed(String),
}

/// Records what became of a claimed row.
pub async fn settle(db: &Db, id: i64, outcome: &Outcome) -> Result<()> {
    let now = Utc::now();
    let _turn = db.touch_turn().await;
    match outcome {
        Outcome::Sent => on_db!(db, |pool| {
            sqlx::query(
            "update outbox set status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = null
             where id = $2 and status = 'sending'"
        )
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        }),
        Outcome::RetryAt(at, why) => on_db!(db, |pool| {
            sqlx::query(
            "update outbox set status = 'queued', not_before = $1, attempts = attempts + 1, last_error = $2
             where id = $3 and status = 'sending'"
        )
        .bind(*at)
        .bind(why)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        }),
        Outcome::Failed(why) => on_db!(db, |pool| sqlx::query(
            "update outbox set status = 'failed', attempts = attempts + 1, last_error = $1
             where id = $2 and status = 'sending'"
        )
        .bind(why)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())),
    }?;
    Ok(())
}

/// A person confirms a held row: it goes with the next batch.
pub async fn release(db: &Db, id: i64) -> Result<()> {
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update outbox set status = 'queued', not_before = $1, last_error = null
             where id = $2 and status = 'held'"
        )
        .bind(Utc::now())
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    if n == 0 {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "this message is not held",
        )));
    }
    Ok(())
}

/// An outbox row as an administrator sees it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxRow {
    /// Row id.
    pub id: i64,
    /// The message.
    pub message_key: String,
    /// Its subject.
    pub subject: String,
    /// The address.
    pub recipient: String,
    /// queued, sending, sent, failed or held.
    pub status: String,
    /// Sends tried.
    pub attempts: i64,
    /// When it may go.
    pub not_before: DateTime<Utc>,
    /// When it went.
    pub sent_at: Option<DateTime<Utc>>,
    /// The last problem, in words.
    pub last_error: Option<String>,
}

/// Rows of one status (all when `None`), newest first, at most `limit`; and the count of each status.
pub async fn outbox(
    db: &Db,
    status: Option<&str>,
    limit: i64,
) -> Result<(Vec<OutboxRow>, Vec<(String, i64)>)> {
    outbox_page(db, status, PageRequest::new(Some(limit), None)).await
}

/// One page of [`outbox`]: rows of one status (all when `None`), newest first.
pub async fn outbox_page(
    db: &Db,
    status: Option<&str>,
    page: PageRequest,
) -> Result<(Vec<OutboxRow>, Vec<(String, i64)>)> {
    let rows = on_db!(db, |pool| {
        sqlx::query_as::<_, OutboxRow>(
        "select o.id, o.message_key, m.subject, o.recipient, o.status, o.attempts, o.not_before,
             o.sent_at, o.last_error
         from outbox o join mail_messages m on m.key = o.message_key
         where ($1 is null or o.status = $1) order by o.id desc limit $2 offset $3"
    )
    .bind(status)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(pool)
    .await
    })?;
    let counts = on_db!(db, |pool| sqlx::query_as(
        "select status, count(*) from outbox group by status order by status"
    )
    .fetch_all(pool)
    .await)?;
    Ok((rows, counts))
}

/// One-click unsubscribe: the token's row is marked used and its person stops taking the
/// newsletter, in one transaction. 404 for a token that matches nothing, 409 for one used before.
pub async fn unsubscribe(db: &Db, token_hash: &str) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let row: Option<(Option<i64>, Option<DateTime<Utc>>)> = on_db!(tx, |c| sqlx::query_as(
        "select user_id, unsubscribed_at from outbox where unsubscribe_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    let Some((user, used)) = row else {
        return Err(StoreError::NotFound("unsubscribe link"));
    };
    if used.is_some() {
        return Err(StoreError::Conflict(FieldError::new(
            "token",
            "this unsubscribe link was already used: you no longer receive the newsletter",
        )));
    }
    on_db!(tx, |c| sqlx::query(
        "update outbox set unsubscribed_at = $1 where unsubscribe_hash = $2"
    )
    .bind(now)
    .bind(token_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if let Some(user) = user {
        on_db!(tx, |c| {
            sqlx::query(
            "insert into mail_preferences (user_id, newsletter, updated_at) values ($1, false, $2)
             on conflict (user_id) do update set newsletter = false, updated_at = excluded.updated_at"
        )
        .bind(user)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        on_db!(tx, |c| {
            sqlx::query(
            "update outbox set status = 'failed', last_error = 'the reader unsubscribed before it went'
             where user_id = $1 and status in ('queued', 'held')
               and (message_key like 'post:%' or message_key like 'edition:%')"
        )
        .bind(user)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(())
}

/// Queues an e-mail for every notification made since the last call, to its person if they
/// take notices by e-mail (and are not disabled), with a link to their Duet inbox; returns how
/// many were queued. Left out: kinds a person turned off, people who take a daily digest
/// instead ([`queue_digests`]), and survey notices — a reminder notice goes only to those who have
/// not answered, and the outbox an administrator reads would list them; surveys send their own
/// e-mail to everyone invited ([`crate::listen::dispatch_notices`]). The first call only marks where to start, so history is never mailed. Safe
/// on several replicas at once: keys are unique and the mark only moves forward.
pub async fn queue_notifications(db: &Db, public_url: &str, now: DateTime<Utc>) -> Result<u64> {
    // Nothing new (the common case): a read, and no write at all.
    let seen: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select last_id from mail_watermarks where name = 'notifications'"
    )
    .fetch_optional(pool)
    .await)?;
    if let Some((last,)) = seen {
        let newer: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
            "select id from notifications where id > $1 limit 1"
        )
        .bind(last)
        .fetch_optional(pool)
        .await)?;
        if newer.is_none() {
            return Ok(0);
        }
    }
    let mut tx = db.begin_write().await?;
    let mark: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select last_id from mail_watermarks where name = 'notifications'"
    )
    .fetch_optional(c)
    .await)?;
    let (max,): (Option<i64>,) =
        on_db!(tx, |c| sqlx::query_as("select max(id) from notifications")
            .fetch_one(c)
            .await)?;
    let max = max.unwrap_or(0);
    let Some((last,)) = mark else {
        on_db!(tx, |c| sqlx::query(
            "insert into mail_watermarks (name, last_id) values ('notifications', $1)
             on conflict (name) do nothing"
        )
        .bind(max)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.commit().await?;
        return Ok(0);
    };
    if max <= last {
        return Ok(0);
    }
    const WHO: &str = "from notifications n
         join users u on u.id = n.user_id
         left join mail_preferences mp on mp.user_id = u.id
         where n.id > $1 and n.id <= $2 and u.disabled_at is null and coalesce(mp.notifications, true)
           and not coalesce(mp.digest, false) and n.kind <> 'survey'
           and not exists (select 1 from mail_muted_kinds k where k.user_id = u.id and k.kind = n.kind)";
    let link = format!("{}/notifications", public_url.trim_end_matches('/'));
    let messages = format!(
        "insert into mail_messages (key, subject, text_body, html_body, created_at)
         select 'notification:' || n.id, 'Duet: ' || substr(n.message, 1, 90),
             n.message || '

Your Duet inbox: ' || $3 || '
Choose what Duet e-mails you: ' || $4,
             '<p>' || replace(replace(replace(n.message, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')
                 || '</p><p><a href=\"' || $3 || '\">Your Duet inbox</a></p><p><small><a href=\"' || $4
                 || '\">Choose what Duet e-mails you</a></small></p>',
             $5
         {WHO} on conflict (key) do nothing"
    );
    on_db!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(messages))
        .bind(last)
        .bind(max)
        .bind(&link)
        .bind(format!(
            "{}/account/email",
            public_url.trim_end_matches('/')
        ))
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let rows = format!(
        "insert into outbox (message_key, recipient, user_id, status, attempts, not_before, created_at)
         select 'notification:' || n.id, u.email, u.id, 'queued', 0, $3, $3
         {WHO} on conflict (message_key, recipient) do nothing"
    );
    let queued = on_db!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(rows))
        .bind(last)
        .bind(max)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    on_db!(tx, |c| sqlx::query(
        "update mail_watermarks set last_id = $1 where name = 'notifications' and last_id < $1"
    )
    .bind(max)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(queued)
}

/// What a person takes by e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    /// The newsletter: posts sent by e-mail and the monthly edition.
    pub newsletter: bool,
    /// Notices from their Duet inbox.
    pub notifications: bool,
    /// Notices in one daily digest instead of one e-mail each.
    pub digest: bool,
    /// Kinds of notice they do not take (wire names of `NoticeKind`).
    pub muted: Vec<String>,
}

/// `user`'s e-mail choices (no row: the defaults, everything on, as it comes).
pub async fn choices(db: &Db, user: i64) -> Result<Choices> {
    let row: Option<(bool, bool, bool)> = on_db!(db, |pool| sqlx::query_as(
        "select newsletter, notifications, digest from mail_preferences where user_id = $1"
    )
    .bind(user)
    .fetch_optional(pool)
    .await)?;
    let muted: Vec<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "select kind from mail_muted_kinds where user_id = $1 order by kind"
    )
    .bind(user)
    .fetch_all(pool)
    .await)?;
    let (newsletter, notifications, digest) = row.unwrap_or((true, true, false));
    Ok(Choices {
        newsletter,
        notifications,
        digest,
        muted: muted.into_iter().map(|m| m.0).collect(),
    })
}

/// Sets `user`'s e-mail choices in one transaction, and takes back what still waits for them
/// that they no longer want. Turning the digest on starts it from now: history is not mailed.
pub async fn set_choices(db: &Db, user: i64, c: &Choices) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let (latest,): (Option<i64>,) = on_db!(tx, |q| sqlx::query_as(
        "select max(id) from notifications where user_id = $1"
    )
    .bind(user)
    .fetch_one(q)
    .await)?;
    on_db!(tx, |q| {
        sqlx::query(
            "insert into mail_preferences (user_id, newsletter, notifications, digest, digest_last_id, updated_at)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (user_id) do update set newsletter = excluded.newsletter,
                 notifications = excluded.notifications, digest = excluded.digest,
                 digest_last_id = case when mail_preferences.digest then mail_preferences.digest_last_id
                                       else excluded.digest_last_id end,
                 updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(c.newsletter)
        .bind(c.notifications)
        .bind(c.digest)
        .bind(latest.unwrap_or(0))
        .bind(now)
        .execute(q)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_db!(tx, |q| sqlx::query(
        "delete from mail_muted_kinds where user_id = $1"
    )
    .bind(user)
    .execute(q)
    .await
    .map(|r| r.rows_affected()))?;
    for kind in &c.muted {
        on_db!(tx, |q| sqlx::query(
            "insert into mail_muted_kinds (user_id, kind) values ($1, $2) on conflict do nothing"
        )
        .bind(user)
        .bind(kind)
        .execute(q)
        .await
        .map(|r| r.rows_affected()))?;
        withdraw_in(
            &mut tx,
            user,
            &format!("{kind}:%"),
            "the reader stopped this kind of notice by e-mail before it went",
        )
        .await?;
        on_db!(tx, |q| {
            sqlx::query(
            "update outbox set status = 'failed',
                 last_error = 'the reader stopped this kind of notice by e-mail before it went'
             where user_id = $1 and status in ('queued', 'held') and message_key in
                 (select 'notification:' || n.id from notifications n where n.user_id = $1 and n.kind = $2)"
        )
        .bind(user)
        .bind(kind)
        .execute(q)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    if !c.newsletter {
        for like in ["post:%", "edition:%"] {
            withdraw_in(
                &mut tx,
                user,
                like,
                "the reader stopped the newsletter before it went",
            )
            .await?;
        }
    }
    if !c.notifications {
        for like in ["notification:%", "digest:%", "survey:%", "review:%"] {
            withdraw_in(
                &mut tx,
                user,
                like,
                "the reader stopped notices by e-mail before it went",
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Whether `user` takes the newsletter (posts sent by e-mail); yes unless they said no.
pub async fn newsletter(db: &Db, user: i64) -> Result<bool> {
    Ok(choices(db, user).await?.newsletter)
}

/// Takes back what still waits for `user` among messages whose key is `like`: someone who says
/// "no more" gets nothing more, not even what was queued before they said it.
async fn withdraw_in(tx: &mut WriteTx, user: i64, like: &str, why: &str) -> Result<u64> {
    Ok(on_db!(tx, |c| sqlx::query(
        "update outbox set status = 'failed', last_error = $1
         where user_id = $2 and status in ('queued', 'held') and message_key like $3"
    )
    .bind(why)
    .bind(user)
    .bind(like)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Who a post goes to by e-mail: enabled accounts meant to read it (everyone, or the people of
/// its audience departments) who take the newsletter.
pub async fn post_recipients(db: &Db, post: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select u.id, u.email from users u
         join posts p on p.id = $1
         left join people pe on pe.id = u.person_id
         left join mail_preferences mp on mp.user_id = u.id
         where u.disabled_at is null and coalesce(mp.newsletter, true)
           and (p.audience_all or exists (select 1 from post_audiences a
                where a.post_id = p.id and a.department_id = pe.department_id))
         order by u.id"
    )
    .bind(post)
    .fetch_all(pool)
    .await)?)
}

/// Queues the daily digest of everyone who takes notices that way and has new ones since their
/// last digest (kinds they turned off and surveys left out), at most one per person per `day`:
/// one message listing them, with a link to their inbox. Returns how many digests were queued.
/// Safe on several replicas at once: the key is per person and day.
pub async fn queue_digests(
    db: &Db,
    public_url: &str,
    day: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64> {
    const NEW: &str = "from notifications n where n.user_id = mp.user_id and n.id > mp.digest_last_id
           and n.kind <> 'survey'
           and not exists (select 1 from mail_muted_kinds k where k.user_id = n.user_id and k.kind = n.kind)";
    let sql = format!(
        "select mp.user_id, u.email from mail_preferences mp join users u on u.id = mp.user_id
         where mp.digest and mp.notifications and u.disabled_at is null
           and (mp.digest_day is null or mp.digest_day < $1)
           and exists (select 1 {NEW})
         order by mp.user_id"
    );
    let due: Vec<(i64, String)> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(day)
        .fetch_all(pool)
        .await)?;
    let base = public_url.trim_end_matches('/');
    let mut queued = 0;
    for (user, address) in due {
        let mut tx = db.begin_write().await?;
        let sql = format!(
            "select n.id, n.message {} order by n.id limit 200",
            NEW.replace("mp.user_id", "$1")
                .replace("mp.digest_last_id", "$2")
        );
        let (mark,): (i64,) = on_db!(tx, |c| sqlx::query_as(
            "select digest_last_id from mail_preferences where user_id = $1"
        )
        .bind(user)
        .fetch_one(c)
        .await)?;
        let notes: Vec<(i64, String)> = on_db!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(user)
            .bind(mark)
            .fetch_all(c)
            .await)?;
        let Some(last) = notes.last().map(|n| n.0) else {
            continue;
        };
        let mut text = format!(
            "Your Duet notices since the last digest ({}):\n\n",
            notes.len()
        );
        let mut html = format!(
            "<p>Your Duet notices since the last digest ({}):</p><ul>",
            notes.len()
        );
        for (_, m) in &notes {
            text.push_str(&format!("- {m}\n"));
            html.push_str(&format!("<li>{}</li>", escape_html(m)));
        }
        text.push_str(&format!(
            "\nYour Duet inbox: {base}/notifications\nChoose what Duet e-mails you: {base}/account/email\n"
        ));
        html.push_str(&format!(
            "</ul><p><a href=\"{base}/notifications\">Your Duet inbox</a></p><p><small><a href=\"{base}/account/email\">Choose what Duet e-mails you</a></small></p>"
        ));
        let message = Message {
            key: format!("digest:{user}:{day}"),
            subject: format!("Duet: {} notice(s) for you", notes.len()),
            text_body: text,
            html_body: html,
            calendar: None,
        };
        let recipient = Recipient {
            user_id: Some(user),
            address,
            unsubscribe_url: None,
            unsubscribe_hash: None,
        };
        queued += enqueue_in(&mut tx, &message, &[recipient], now).await?;
        on_db!(tx, |c| sqlx::query(
            "update mail_preferences set digest_last_id = $1, digest_day = $2
             where user_id = $3 and digest_last_id = $4"
        )
        .bind(last)
        .bind(day)
        .bind(user)
        .bind(mark)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.commit().await?;
    }
    Ok(queued)
}

/// Which of `addresses` take notices of `kind` by e-mail: an address with an account follows its
/// person's choices; one without an account (an invitee who never signed in) takes them.
pub async fn takers(
    db: &Db,
    addresses: &[String],
    kind: &str,
) -> Result<Vec<(Option<i64>, String)>> {
    let mut out = Vec::new();
    for a in addresses {
        let row: Option<(i64, bool, bool)> = on_db!(db, |pool| sqlx::query_as(
            "select u.id, u.disabled_at is null and coalesce(mp.notifications, true),
                 exists (select 1 from mail_muted_kinds k where k.user_id = u.id and k.kind = $2)
             from users u left join mail_preferences mp on mp.user_id = u.id
             where u.email = $1"
        )
        .bind(a)
        .bind(kind)
        .fetch_optional(pool)
        .await)?;
        match row {
            None => out.push((None, a.clone())),
            Some((id, true, false)) => out.push((Some(id), a.clone())),
            Some(_) => {}
        }
    }
    Ok(out)
}

/// Queues each survey's invitation e-mail, and its one reminder, to everyone invited who takes
/// survey notices by e-mail — the reminder to everyone invited too, never only to those who have
/// not answered, so neither the outbox nor a mail log tells who answered. Only campaigns invited
/// or reminded in the last two days: a server that gains an SMTP server later does not mail old
/// surveys. Returns how many e-mails were queued; each goes once (keys are unique).
pub async fn queue_surveys(db: &Db, public_url: &str, now: DateTime<Utc>) -> Result<u64> {
    let due: Vec<(i64, String, chrono::NaiveDate, String)> = on_db!(db, |pool| sqlx::query_as(
        "select c.id, c.title, c.closes_on, 'invite' from campaigns c
         where c.invited_at >= $1 and not exists
             (select 1 from mail_messages m where m.key = 'survey:' || c.id || ':invite')
         union all
         select c.id, c.title, c.closes_on, 'reminder' from campaigns c
         where c.reminded_at >= $1 and not exists
             (select 1 from mail_messages m where m.key = 'survey:' || c.id || ':reminder')
         order by 1, 4"
    )
    .bind(now - Duration::days(2))
    .fetch_all(pool)
    .await)?;
    let base = public_url.trim_end_matches('/');
    let mut queued = 0;
    for (id, title, closes, what) in due {
        let link = format!("{base}/listen/campaigns/{id}");
        let closes = closes.format("%-d %B %Y");
        let (subject, lead) = if what == "invite" {
            (
                format!("Survey: {title}"),
                format!(
                    "You are invited to answer \u{201c}{title}\u{201d} by {closes}. Your answers are anonymous: Duet keeps that you answered, never what you answered."
                ),
            )
        } else {
            (
                format!("Reminder: {title} closes on {closes}"),
                format!(
                    "\u{201c}{title}\u{201d} closes on {closes}. If you have answered already, thank you: there is nothing more to do. This reminder goes to everyone invited."
                ),
            )
        };
        let message = Message {
            key: format!("survey:{id}:{what}"),
            subject,
            text_body: format!(
                "{lead}\n\nAnswer it: {link}\n\nChoose what Duet e-mails you: {base}/account/email\n"
            ),
            html_body: format!(
                "<p>{}</p><p><a href=\"{link}\">Answer it</a></p><p><small><a href=\"{base}/account/email\">Choose what Duet e-mails you</a></small></p>",
                escape_html(&lead)
            ),
            calendar: None,
        };
        let to: Vec<(i64, String)> = on_db!(db, |pool| {
            sqlx::query_as(
            "select u.id, u.email from campaign_population cp
             join users u on u.id = cp.user_id
             left join mail_preferences mp on mp.user_id = u.id
             where cp.campaign_id = $1 and u.disabled_at is null and coalesce(mp.notifications, true)
               and not exists (select 1 from mail_muted_kinds k where k.user_id = u.id and k.kind = 'survey')
             order by u.id"
        )
        .bind(id)
        .fetch_all(pool)
        .await
        })?;
        let recipients: Vec<Recipient> = to
            .into_iter()
            .map(|(user, address)| Recipient {
                user_id: Some(user),
                address,
                unsubscribe_url: None,
                unsubscribe_hash: None,
            })
            .collect();
        // Stored even with nobody to send to, so it is not looked at again.
        queued += enqueue(db, &message, &recipients, now).await?;
    }
    Ok(queued)
}
