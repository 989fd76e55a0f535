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

/// Limits on failed sign-ins for one key (an account or an address).
#[derive(Debug, Clone, Copy)]
pub struct ThrottleRule {
    /// Failures allowed within the window.
    pub max_failures: i32,
    /// The window, and the lockout once the limit is reached.
    pub window: Duration,
}

/// Per account: five wrong passwords lock sign-in for 15 minutes.
pub const ACCOUNT_RULE: ThrottleRule = ThrottleRule {
    max_failures: 5,
    window: Duration::minutes(15),
};
/// Per client address: thirty failures (any accounts) lock that address for 15 minutes.
pub const ADDRESS_RULE: ThrottleRule = ThrottleRule {
    max_failures: 30,
    window: Duration::minutes(15),
};

/// When `key` is locked out, until when.
pub async fn locked_until(db: &Db, key: &str) -> Result<Option<DateTime<Utc>>> {
    let row: Option<(Option<DateTime<Utc>>,)> = on_db!(db, |pool| sqlx::query_as(
        "select locked_until from login_throttle where key = $1"
    )
    .bind(key)
    .fetch_optional(pool)
    .await)?;
    let now = Utc::now();
    Ok(row.and_then(|(t,)| t).filter(|t| *t > now))
}

/// Counts a failed attempt for `key`; returns the lockout end if this failure reached the limit.
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

/// The throttle upsert: counts one failure for a key within its window and locks it at the limit.
const FAILURE_SQL: &str = "insert into login_throttle (key, failures, window_start, locked_until) values ($1, 1, $2, null)
     on conflict (key) do update set
         failures = case when login_throttle.window_start < $3 then 1 else login_throttle.failures + 1 end,
         window_start = case when login_throttle.window_start < $3 then $2 else login_throttle.window_start end,
         locked_until = case
             when login_throttle.window_start >= $3 and login_throttle.failures + 1 >= $4 then $5
             else login_throttle.locked_until end
     returning locked_until";

/// Counts one failed attempt for each key (the account and the address) in one transaction;
/// returns, per key, the lockout end if this failure reached its limit.
pub async fn record_failures(
    db: &Db,
    keys: &[(&str, ThrottleRule)],
) -> Result<Vec<Option<DateTime<Utc>>>> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let locked: Vec<Option<DateTime<Utc>>> = {
        let mut out = Vec::with_capacity(keys.len());
        for (key, rule) in keys {
            let (locked,): (Option<DateTime<Utc>>,) = on_db!(tx, |c| sqlx::query_as(FAILURE_SQL)
                .bind(*key)
                .bind(now)
                .bind(now - rule.window)
                .bind(rule.max_failures)
                .bind(now + rule.window)
                .fetch_one(c)
                .await)?;
            out.push(locked);
        }
        out
    };
    tx.commit().await?;
    Ok(locked.into_iter().map(|l| l.filter(|t| *t > now)).collect())
}

/// A successful sign-in, in one transaction: the account's failures are forgotten, its last
/// sign-in is recorded, and a session is started. Returns the cookie value.
pub async fn begin_session(
    db: &Db,
    user: i64,
    account_key: &str,
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
    .bind(account_key)
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
