//! Meet: review cadence per business department and the scheduled reviews.

use crate::db::WriteTx;
use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::reviews::{self as rules, Holiday};
use duet_core::time::Tz;

/// Refuses, inside a write transaction, to change a record both leaders have signed.
pub(crate) async fn check_unlocked(tx: &mut WriteTx, review: i64) -> Result<()> {
    let locked: Option<(Option<DateTime<Utc>>,)> = on_db!(tx, |c| sqlx::query_as(
        "select locked_at from review_records where review_id = $1"
    )
    .bind(review)
    .fetch_optional(c)
    .await)?;
    if matches!(locked, Some((Some(_),))) {
        return Err(StoreError::Conflict(FieldError::new(
            "record",
            "both leaders signed this record; it is locked — append a correction instead",
        )));
    }
    Ok(())
}

/// A scheduled (or held) review.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Review {
    /// Id.
    pub id: i64,
    /// Business department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Start.
    pub scheduled_at: DateTime<Utc>,
    /// Length.
    pub minutes: i64,
    /// Who organised it.
    pub organizer_id: i64,
    /// Their name.
    pub organizer_name: String,
    /// Their e-mail.
    pub organizer_email: String,
    /// planned, held or cancelled as stored — except that a planned review whose end is more than
    /// a day past reads `missed` (see `duet_core::reviews::review_status`): it needs someone to
    /// mark it held, move it or cancel it.
    pub status: String,
    /// When it was held.
    pub held_on: Option<NaiveDate>,
    /// Where a review held before Duet was brought in from; none for one held in Duet.
    pub imported_from: Option<String>,
}

macro_rules! review_sql {
    ($($tail:tt)*) => {
        concat!(
            "select r.id, r.department_id, d.name as department_name, r.scheduled_at, r.minutes, r.organizer_id,
                u.name as organizer_name, u.email as organizer_email, r.status, r.held_on, r.imported_from
             from reviews r join departments d on d.id = r.department_id join users u on u.id = r.organizer_id ",
            $($tail)*
        )
    };
}

/// Schedules a review with a business department.
pub async fn schedule(
    db: &Db,
    department: i64,
    at: DateTime<Utc>,
    minutes: i64,
    organizer: i64,
) -> Result<Review> {
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let kind: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
            "select kind from departments where id = $1 and archived_at is null"
        )
        .bind(department)
        .fetch_optional(c)
        .await)?;
        match kind {
            None => {
                return Err(StoreError::Invalid(FieldError::new(
                    "department_id",
                    "no active department has this id",
                )));
            }
            Some((k,)) if k != "business" => {
                return Err(StoreError::Invalid(FieldError::new(
                    "department_id",
                    "reviews are held between IT and a business department",
                )));
            }
            _ => {}
        }
        let (id,): (i64,) = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into reviews (department_id, scheduled_at, minutes, organizer_id, status, created_at) values ($1, $2, $3, $4, 'planned', $5) returning id",
        ).bind(department).bind(at).bind(minutes).bind(organizer).bind(Utc::now()).fetch_one(c).await
        })?;
        id
    };
    tx.commit().await?;
    find(db, id).await
}

/// The status people read: stored planned reviews long past read `missed`.
fn settle(mut r: Review, now: DateTime<Utc>) -> Review {
    r.status = rules::review_status(&r.status, r.scheduled_at, r.minutes, now).to_string();
    r
}

/// One review.
pub async fn find(db: &Db, id: i64) -> Result<Review> {
    const SQL: &str = review_sql!("where r.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Review>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?
    .map(|r| settle(r, Utc::now()))
    .ok_or(StoreError::NotFound("review"))
}

/// Reviews, newest first (of one department, or all).
pub async fn list(db: &Db, department: Option<i64>, limit: i64) -> Result<Vec<Review>> {
    const SQL: &str = review_sql!(
        "where ($1 is null or r.department_id = $1) order by r.scheduled_at desc limit $2"
    );
    let now = Utc::now();
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Review>(SQL)
        .bind(department)
        .bind(limit)
        .fetch_all(pool)
        .await)?
    .into_iter()
    .map(|r| settle(r, now))
    .collect())
}

/// One page of reviews, newest first, of one department or all (the API's list): each shape has
/// its own statement so the database walks `reviews_department_idx` (or the scheduled-at order)
/// instead of filtering every row; the total comes from the same index.
pub async fn page(
    db: &Db,
    department: Option<i64>,
    window: crate::PageRequest,
) -> Result<crate::Page<Review>> {
    const ONE: &str = review_sql!(
        "where r.department_id = $1 order by r.scheduled_at desc, r.id desc limit $2 offset $3"
    );
    const ALL: &str = review_sql!("order by r.scheduled_at desc, r.id desc limit $1 offset $2");
    let now = Utc::now();
    let (rows, total): (Vec<Review>, i64) = match department {
        Some(d) => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Review>(ONE)
                .bind(d)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
                "select count(*) from reviews where department_id = $1"
            )
            .bind(d)
            .fetch_one(pool)
            .await)?;
            (rows, n)
        }
        None => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Review>(ALL)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as("select count(*) from reviews")
                .fetch_one(pool)
                .await)?;
            (rows, n)
        }
    };
    Ok(crate::Page {
        items: rows.into_iter().map(|r| settle(r, now)).collect(),
        total,
        limit: window.limit,
        offset: window.offset,
    })
}

/// Records that a planned review took place on `on` (demo and imports: no next review is planned).
/// Refused before the review's start (`now`).
pub async fn mark_held(db: &Db, id: i64, on: NaiveDate, now: DateTime<Utc>) -> Result<Review> {
    let mut tx = db.begin_write().await?;
    let row: Option<(DateTime<Utc>, String)> = on_db!(tx, |c| sqlx::query_as(
        "select scheduled_at, status from reviews where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((at, status)) = row else {
        return Err(StoreError::NotFound("review"));
    };
    rules::may_mark_held(&status, at, now).map_err(StoreError::Conflict)?;
    on_db!(tx, |c| sqlx::query(
        "update reviews set status = 'held', held_on = $1 where id = $2"
    )
    .bind(on)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    find(db, id).await
}

/// Changes how often a department meets IT.
pub async fn set_interval(db: &Db, department: i64, days: i64) -> Result<()> {
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update departments set review_interval_days = $1 where id = $2 and kind = 'business'"
        )
        .bind(days)
        .bind(department)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    if n == 0 {
        return Err(StoreError::NotFound("business department"));
    }
    Ok(())
}

/// One business department's review situation, for the dashboard.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct CadenceRow {
    /// Department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Days between reviews.
    pub review_interval_days: i64,
    /// Last review held.
    pub last_held: Option<NaiveDate>,
    /// Next planned review.
    pub next_planned: Option<DateTime<Utc>>,
    /// When the department was created (the clock starts there if no review was held).
    pub created_at: DateTime<Utc>,
    /// Business leader's name and e-mail.
    pub leader_name: Option<String>,
    /// Business leader's e-mail.
    pub leader_email: Option<String>,
    /// IT partner's name.
    pub partner_name: Option<String>,
    /// IT partner's e-mail.
    pub partner_email: Option<String>,
}

/// Every business department with its cadence, last and next review.
pub async fn cadence_rows(db: &Db) -> Result<Vec<CadenceRow>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, CadenceRow>(
        "select d.id as department_id, d.name as department_name, d.review_interval_days,
                (select max(r.held_on) from reviews r where r.department_id = d.id and r.status = 'held') as last_held,
                (select min(r.scheduled_at) from reviews r where r.department_id = d.id and r.status = 'planned' and r.scheduled_at >= $1) as next_planned,
                d.created_at, l.name as leader_name, l.email as leader_email, p.name as partner_name, p.email as partner_email
         from departments d left join people l on l.id = d.leader_id left join people p on p.id = d.it_partner_id
         where d.kind = 'business' and d.archived_at is null order by d.name",
    ).bind(Utc::now()).fetch_all(pool).await
    })?)
}

/// Moves a review back in time (demo only).
pub async fn shift(db: &Db, id: i64, days: i64) -> Result<()> {
    let back = chrono::Duration::days(days);
    let (at, held): (DateTime<Utc>, Option<NaiveDate>) = on_db!(db, |pool| sqlx::query_as(
        "select scheduled_at, held_on from reviews where id = $1"
    )
    .bind(id)
    .fetch_one(pool)
    .await)?;
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update reviews set scheduled_at = $1, held_on = $2, created_at = $1 where id = $3"
        )
        .bind(at - back)
        .bind(held.map(|h| h - back))
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}

mod agenda;
mod history;
mod holidays;
mod moves;
mod records;
pub use agenda::*;
pub use history::*;
pub use holidays::*;
pub use moves::*;
pub use records::*;
