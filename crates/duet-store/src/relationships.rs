//! See: the reads behind a relationship's signals that no other area makes — how fast IT first
//! answers each department's requests, how its declines end, and how pain points addressed to it
//! are answered — each over the signals' window, grouped by department in SQL.

use crate::{Db, Result};
use chrono::{DateTime, NaiveDate, Utc};

/// One request's wait for IT's first response, in days (fractional), by requesting department.
pub async fn response_days(db: &Db, since: DateTime<Utc>) -> Result<Vec<(i64, f64)>> {
    let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = on_db!(db, |pool| sqlx::query_as(
        "select department_id, created_at, first_response_at from requests
         where created_at >= $1 and first_response_at is not null"
    )
    .bind(since)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(d, asked, answered)| {
            let secs = (answered - asked).num_seconds().max(0) as f64;
            (d, secs / 86_400.0)
        })
        .collect())
}

/// Per requesting department: requests declined since `since`, and how many of those had an
/// offered alternative taken up by the requester.
pub async fn declines(db: &Db, since: DateTime<Utc>) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select r.department_id, count(*),
             sum(case when exists (select 1 from request_alternatives a
                                   where a.request_id = r.id and a.taken_up) then 1 else 0 end)
         from requests r
         where r.status = 'declined' and r.decided_at >= $1
         group by r.department_id order by r.department_id"
    )
    .bind(since)
    .fetch_all(pool)
    .await)?)
}

/// Per department addressed: pain points posted since `since`, and how many were answered
/// (anything but still new).
pub async fn voice(db: &Db, since: NaiveDate) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select department_id, count(*), sum(case when status <> 'new' then 1 else 0 end)
         from pain_points where posted_on >= $1
         group by department_id order by department_id"
    )
    .bind(since)
    .fetch_all(pool)
    .await)?)
}
