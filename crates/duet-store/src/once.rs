//! Idempotency of create forms: a form's random `_once` token is reserved before the thing is
//! created and completed with where the creation led, so a repeated POST is redirected there
//! instead of creating again.
//!
//! A row holds only the hash of the token and form path, that location and the day: no person,
//! session or time of day, so the anonymous voice form can use it without leaving a trace.

use crate::{Db, Result};
use chrono::{Days, NaiveDate};

/// What reserving a token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The token is new: the caller goes on to create, then `complete`s or `release`s it.
    Fresh,
    /// A previous POST with this token is still running (or failed without releasing it).
    Pending,
    /// A previous POST with this token already created something; it led here.
    Done(String),
}

/// Reserves a key (first POST wins; `insert … on conflict do nothing`), pruning rows older than
/// a day in the same transaction.
pub async fn reserve(db: &Db, key_hash: &str, today: NaiveDate) -> Result<Reservation> {
    let cutoff = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    let mut tx = db.begin_write().await?;
    let fresh = {
        on_db!(tx, |c| sqlx::query(
            "delete from form_tokens where created_on < $1"
        )
        .bind(cutoff)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        on_db!(tx, |c| {
            sqlx::query("insert into form_tokens (key_hash, location, created_on) values ($1, null, $2) on conflict (key_hash) do nothing")
            .bind(key_hash)
            .bind(today)
            .execute(c).await.map(|r| r.rows_affected())
        })? == 1
    };
    tx.commit().await?;
    if fresh {
        return Ok(Reservation::Fresh);
    }
    lookup(db, key_hash).await
}

/// Where a reserved key stands now (`Fresh` if it was released or pruned meanwhile).
pub async fn lookup(db: &Db, key_hash: &str) -> Result<Reservation> {
    let row: Option<(Option<String>,)> = on_db!(db, |pool| sqlx::query_as(
        "select location from form_tokens where key_hash = $1"
    )
    .bind(key_hash)
    .fetch_optional(pool)
    .await)?;
    Ok(match row {
        None => Reservation::Fresh,
        Some((None,)) => Reservation::Pending,
        Some((Some(l),)) => Reservation::Done(l),
    })
}

/// Records where a reserved key's POST led.
pub async fn complete(db: &Db, key_hash: &str, location: &str) -> Result<()> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update form_tokens set location = $1 where key_hash = $2"
        )
        .bind(location)
        .bind(key_hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}

/// Frees a reserved key whose POST created nothing (a refused form may be sent again).
pub async fn release(db: &Db, key_hash: &str) -> Result<()> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "delete from form_tokens where key_hash = $1 and location is null"
        )
        .bind(key_hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}
