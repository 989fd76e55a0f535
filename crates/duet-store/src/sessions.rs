//! Browser sessions and the sign-in throttle, both in the database so any replica serves any
//! request and a lockout holds across replicas.

use crate::accounts::User;
use crate::{Db, Result};
use chrono::{DateTime, Duration, Utc};
use duet_core::secret;

/// How long a session lives without being used.
pub const IDLE_LIFETIME: Duration = Duration::hours(12);

/// A live session: its account, the CSRF token its forms must carry, and a pending flash message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    /// The signed-in account.
    #[sqlx(flatten)]
    pub user: User,
    /// Sent in every form and compared on every state-changing request.
    pub csrf_token: String,
    /// A message for the next page ("Saved."), shown once.
    pub flash: Option<String>,
    /// When the session ends unless used.
    pub expires_at: DateTime<Utc>,
}

/// Starts a session for `user` and returns the cookie value (stored only as a hash).
pub async fn insert_session(db: &Db, user: i64, flash: Option<&str>) -> Result<String> {
    let cookie =
        secret::new_secret("").map_err(|_| crate::StoreError::NotFound("random source"))?;
    let csrf = secret::new_secret("").map_err(|_| crate::StoreError::NotFound("random source"))?;
    let now = Utc::now();
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| {
            sqlx::query(
        "insert into sessions (id_hash, user_id, csrf_token, flash, created_at, expires_at) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(secret::hash_secret(&cookie))
    .bind(user)
    .bind(&csrf)
    .bind(flash)
    .bind(now)
    .bind(now + IDLE_LIFETIME)
    .execute(pool)
    .await.map(|r| r.rows_affected())
        })
    }?;
    Ok(cookie)
}

/// Loads the session behind a cookie value, if it is live and its account enabled. The expiry is
/// pushed forward at most once an hour, so page views stay reads.
pub async fn find_session(db: &Db, cookie: &str) -> Result<Option<Session>> {
    find_session_sliding(db, cookie, true).await
}

/// The session behind a cookie without writing anything, not even the sliding expiry: for the
/// anonymous voice form, whose POST must leave no trace (not even a time) on the poster's session.
pub async fn peek_session(db: &Db, cookie: &str) -> Result<Option<Session>> {
    find_session_sliding(db, cookie, false).await
}

async fn find_session_sliding(db: &Db, cookie: &str, slide: bool) -> Result<Option<Session>> {
    const SQL: &str = "select u.id, u.email, u.name, u.role, u.person_id, p.department_id, u.disabled_at, u.last_login_at,
            u.created_at, s.csrf_token, s.flash, s.expires_at
        from sessions s join users u on u.id = s.user_id left join people p on p.id = u.person_id
        where s.id_hash = $1 and s.expires_at > $2 and u.disabled_at is null";
    let hash = secret::hash_secret(cookie);
    let now = Utc::now();
    let session = on_db!(db, |pool| sqlx::query_as::<_, Session>(SQL)
        .bind(&hash)
        .bind(now)
        .fetch_optional(pool)
        .await)?;
    if slide
        && let Some(s) = &session
        && s.expires_at - now < IDLE_LIFETIME - Duration::hours(1)
    {
        {
            let _turn = db.touch_turn().await;
            on_db!(db, |pool| sqlx::query(
                "update sessions set expires_at = $1 where id_hash = $2"
            )
            .bind(now + IDLE_LIFETIME)
            .bind(&hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        }?;
    }
    Ok(session)
}

/// Sets (or with `None` clears) the message the next page shows.
pub async fn set_flash(db: &Db, cookie: &str, flash: Option<&str>) -> Result<()> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update sessions set flash = $1 where id_hash = $2"
        )
        .bind(flash)
        .bind(secret::hash_secret(cookie))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}

/// Ends a session (sign-out).
pub async fn delete_session(db: &Db, cookie: &str) -> Result<()> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "delete from sessions where id_hash = $1"
        )
        .bind(secret::hash_secret(cookie))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}

/// Deletes expired sessions; returns how many.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let done = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "delete from sessions where expires_at <= $1"
        )
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(done)
}

/// How failed sign-ins slow one key down (a pair of account and address, an account, or an
/// address). Nothing is ever locked: after `free_failures` within `window`, each further failure
/// doubles the wait before the next attempt (1 s, 2 s, 4 s …) up to `max_delay`. A guesser is
/// slowed to a crawl, while the account's owner, who is not the one failing, can still get in.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleRule {
    /// Failures within the window that cost nothing.
    pub free_failures: i32,
    /// How long failures are remembered, counted from the first one.
    pub window: Duration,
    /// The longest wait one key can be given.
    pub max_delay: Duration,
}

impl ThrottleRule {
    /// The wait after the `failures`-th failure within the window, if any.
    pub fn delay(&self, failures: i32) -> Option<Duration> {
        let over = failures - self.free_failures;
        if over <= 0 {
            return None;
        }
        // 2^(over-1) seconds; the exponent is bounded so the shift never overflows.
        let secs = 1i64 << (over - 1).min(30);
        Some(Duration::seconds(secs).min(self.max_delay))
    }
}

/// One account from one address: five free failures, then doubling waits up to 15 minutes. This
/// is the rule a guesser at one address meets, and it touches no one else.
pub const PAIR_RULE: ThrottleRule = ThrottleRule {
    free_failures: 5,
    window: Duration::hours(1),
    max_delay: Duration::minutes(15),
};
/// One account from anywhere: twenty free failures, then waits of at most a minute. It bounds
/// guessing spread over many addresses without letting anyone lock an account (the owner waits
/// a minute at worst).
pub const ACCOUNT_RULE: ThrottleRule = ThrottleRule {
    free_failures: 20,
    window: Duration::hours(1),
    max_delay: Duration::minutes(1),
};
/// One address, any accounts: thirty free failures, then waits of at most a minute. Behind a
/// proxy that is not trusted for `X-Forwarded-For`, every user shares one address, which is why
/// Duet warns about that configuration.
pub const ADDRESS_RULE: ThrottleRule = ThrottleRule {
    free_failures: 30,
    window: Duration::hours(1),
    max_delay: Duration::minutes(1),
};

/// The throttle key of one account signing in from one address.
pub fn pair_key(email: &str, address: &str) -> String {
    format!("pair:{email}|{address}")
}

/// The throttle key of one account.
pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

/// The throttle key of one client address.
pub fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// Until when `key` must wait before its next attempt, if it must.
pub async fn slowed_until(db: &Db, key: &str) -> Result<Option<DateTime<Utc>>> {
    let row: Option<(Option<DateTime<Utc>>,)> = on_db!(db, |pool| sqlx::query_as(
        "select locked_until from login_throttle where key = $1"
    )
    .bind(key)
    .fetch_optional(pool)
    .await)?;
    let now = Utc::now();
    Ok(row.and_then(|(t,)| t).filter(|t| *t > now))
}

/// Counts a failed attempt for `key`; returns until when it must wait, if it must.
pub async fn record_failure(
    db: &Db,
    key: &str,
    rule: ThrottleRule,
) -> Result<Option<DateTime<Utc>>> {
    Ok(record_failures(db, &[(key, rule)])
        .await?
        .into_iter()
        .next()
        .flatten())
}

/// The throttle upsert: counts one failure for a key within its window (a window that has passed
/// starts again at one) and returns the count.
const FAILURE_SQL: &str = "insert into login_throttle (key, failures, window_start, locked_until) values ($1, 1, $2, null)
     on conflict (key) do update set
         failures = case when login_throttle.window_start < $3 then 1 else login_throttle.failures + 1 end,
         window_start = case when login_throttle.window_start < $3 then $2 else login_throttle.window_start end
     returning failures";

/// Counts one failed attempt for each key in one transaction; returns, per key, until when it
/// must wait before its next attempt, if it must.
pub async fn record_failures(
    db: &Db,
    keys: &[(&str, ThrottleRule)],
) -> Result<Vec<Option<DateTime<Utc>>>> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let mut out = Vec::with_capacity(keys.len());
    for (key, rule) in keys {
        let (failures,): (i32,) = on_db!(tx, |c| sqlx::query_as(FAILURE_SQL)
            .bind(*key)
            .bind(now)
            .bind(now - rule.window)
            .fetch_one(c)
            .await)?;
        let until = rule.delay(failures).map(|d| now + d);
        on_db!(tx, |c| sqlx::query(
            "update login_throttle set locked_until = $2 where key = $1"
        )
        .bind(*key)
        .bind(until)
        .execute(c)
        .await
        .map(|_| ()))?;
        out.push(until);
    }
    tx.commit().await?;
    Ok(out)
}

/// Forgets every failure counted against an account (from any address): the administrator's
/// recovery path (`duet user unlock`). Returns how many keys were cleared.
pub async fn unlock_account(db: &Db, email: &str) -> Result<u64> {
    let email = email.trim().to_lowercase();
    let pairs = format!("pair:{email}|");
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "delete from login_throttle where key = $1 or substr(key, 1, $3) = $2"
        )
        .bind(account_key(&email))
        .bind(&pairs)
        .bind(i32::try_from(pairs.chars().count()).unwrap_or(i32::MAX))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(n)
}

/// A successful sign-in, in one transaction: the failures of this account from this address are
/// forgotten (the account-wide count is not, so a guesser spread over many addresses gets no
/// fresh allowance from its owner's sign-in), its last sign-in is recorded, and a session is
/// started. Returns the cookie value.
pub async fn begin_session(
    db: &Db,
    user: i64,
    pair_key: &str,
    flash: Option<&str>,
) -> Result<String> {
    let cookie =
        secret::new_secret("").map_err(|_| crate::StoreError::NotFound("random source"))?;
    let csrf = secret::new_secret("").map_err(|_| crate::StoreError::NotFound("random source"))?;
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    on_db!(tx, |c| sqlx::query(
        "delete from login_throttle where key = $1"
    )
    .bind(pair_key)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_db!(tx, |c| sqlx::query(
        "update users set last_login_at = $1 where id = $2"
    )
    .bind(now)
    .bind(user)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_db!(tx, |c| {
        sqlx::query("insert into sessions (id_hash, user_id, csrf_token, flash, created_at, expires_at) values ($1, $2, $3, $4, $5, $6)")
        .bind(secret::hash_secret(&cookie))
        .bind(user)
        .bind(&csrf)
        .bind(flash)
        .bind(now)
        .bind(now + IDLE_LIFETIME)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(cookie)
}

/// Forgets the failures of `key` after a successful sign-in.
pub async fn clear_failures(db: &Db, key: &str) -> Result<()> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "delete from login_throttle where key = $1"
        )
        .bind(key)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}
