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
}

macro_rules! review_sql {
    ($($tail:tt)*) => {
        concat!(
            "select r.id, r.department_id, d.name as department_name, r.scheduled_at, r.minutes, r.organizer_id,
                u.name as organizer_name, u.email as organizer_email, r.status, r.held_on
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

/// What was said and decided at a review.
#[derive(Debug, Clone, Default, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Record {
    /// The agenda as edited before the meeting (empty until someone edits the draft).
    pub agenda: String,
    /// Who was there.
    pub attendees: String,
    /// Notes.
    pub notes: String,
    /// Feedback on the metrics pack.
    pub metric_feedback: String,
    /// IT's signature.
    pub it_signed_by: Option<i64>,
    /// When IT signed.
    pub it_signed_at: Option<DateTime<Utc>>,
    /// The business leader's signature.
    pub business_signed_by: Option<i64>,
    /// When the business signed.
    pub business_signed_at: Option<DateTime<Utc>>,
    /// Set once both have signed: the record no longer changes; corrections are appended.
    pub locked_at: Option<DateTime<Utc>>,
}

/// A decision taken at a review.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Decision {
    /// Id.
    pub id: i64,
    /// The decision.
    pub text: String,
    /// The promise it became, if it did.
    pub promise_id: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A correction appended to a locked record.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Correction {
    /// The correction.
    pub text: String,
    /// Who.
    pub author: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The record of a review (empty if nothing was written yet).
pub async fn record(db: &Db, review: i64) -> Result<Record> {
    find(db, review).await?;
    let r = on_db!(db, |pool| {
        sqlx::query_as::<_, Record>(
        "select agenda, attendees, notes, metric_feedback, it_signed_by, it_signed_at, business_signed_by, business_signed_at, locked_at
         from review_records where review_id = $1",
    ).bind(review).fetch_optional(pool).await
    })?;
    Ok(r.unwrap_or_default())
}

/// Saves the record's text; refused once the record is locked. An edit clears any signature
/// already given, so nobody's signature ever covers text they did not see.
pub async fn save_record(
    db: &Db,
    review: i64,
    agenda: &str,
    attendees: &str,
    notes: &str,
    feedback: &str,
) -> Result<Record> {
    let now = Utc::now();
    // One upsert that leaves a locked record alone: it changes no row exactly when the record
    // exists and is locked (a missing review still fails on its foreign key, as before).
    let mut tx = db.begin_write().await?;
    {
        let changed = on_db!(tx, |c| {
            sqlx::query(
            "insert into review_records (review_id, agenda, attendees, notes, metric_feedback, updated_at) values ($1, $2, $3, $4, $5, $6)
             on conflict (review_id) do update set agenda = excluded.agenda, attendees = excluded.attendees, notes = excluded.notes,
                 metric_feedback = excluded.metric_feedback, updated_at = excluded.updated_at,
                 it_signed_by = null, it_signed_at = null, business_signed_by = null, business_signed_at = null
             where review_records.locked_at is null",
        ).bind(review).bind(agenda).bind(attendees).bind(notes).bind(feedback).bind(now).execute(c).await.map(|r| r.rows_affected())
        })?;
        if changed == 0 {
            return Err(StoreError::Conflict(FieldError::new(
                "record",
                "both leaders signed this record; it is locked — append a correction instead",
            )));
        }
    };
    tx.commit().await?;
    record(db, review).await
}

/// One record save of a group commit (see [`save_records`]).
#[derive(Debug, Clone)]
pub struct RecordWrite {
    /// The review whose record it is.
    pub review: i64,
    /// The agenda as edited.
    pub agenda: String,
    /// Who attended.
    pub attendees: String,
    /// The notes.
    pub notes: String,
    /// Feedback on the metrics pack.
    pub feedback: String,
}

/// Saves several records in one transaction (group commit: the writer turn is taken once for
/// all), each with the same upsert as [`save_record`]: a locked record is refused on its own
/// and the others are saved. Saves of the same review apply in order, the last one winning.
pub async fn save_records(db: &Db, items: &[RecordWrite]) -> Result<Vec<Result<Record>>> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let changed: Vec<bool> = {
        let mut changed = Vec::with_capacity(items.len());
        for w in items {
            let n = on_db!(tx, |c| {
                sqlx::query(
                "insert into review_records (review_id, agenda, attendees, notes, metric_feedback, updated_at) values ($1, $2, $3, $4, $5, $6)
                 on conflict (review_id) do update set agenda = excluded.agenda, attendees = excluded.attendees, notes = excluded.notes,
                     metric_feedback = excluded.metric_feedback, updated_at = excluded.updated_at,
                     it_signed_by = null, it_signed_at = null, business_signed_by = null, business_signed_at = null
                 where review_records.locked_at is null",
            ).bind(w.review).bind(&w.agenda).bind(&w.attendees).bind(&w.notes).bind(&w.feedback).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
            })?;
            changed.push(n > 0);
        }
        changed
    };
    tx.commit().await?;
    let mut out = Vec::with_capacity(items.len());
    for (w, saved) in items.iter().zip(changed) {
        out.push(if saved {
            record(db, w.review).await
        } else {
            Err(StoreError::Conflict(FieldError::new(
                "record",
                "both leaders signed this record; it is locked — append a correction instead",
            )))
        });
    }
    Ok(out)
}

/// Signs the record for one side (`it` true for IT); when both sides have signed, it locks.
pub async fn sign(db: &Db, review: i64, it: bool, by: i64) -> Result<Record> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let status: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
        "select status from reviews where id = $1"
    )
    .bind(review)
    .fetch_optional(c)
    .await)?;
    let Some((status,)) = status else {
        return Err(StoreError::NotFound("review"));
    };
    let text: Option<(String, String)> = on_db!(tx, |c| sqlx::query_as(
        "select attendees, notes from review_records where review_id = $1"
    )
    .bind(review)
    .fetch_optional(c)
    .await)?;
    let (attendees, notes) = text.unwrap_or_default();
    rules::may_sign(&status, &attendees, &notes).map_err(StoreError::Conflict)?;
    let sql = if it {
        "update review_records set it_signed_by = $1, it_signed_at = $2, updated_at = $2 where review_id = $3 and locked_at is null"
    } else {
        "update review_records set business_signed_by = $1, business_signed_at = $2, updated_at = $2 where review_id = $3 and locked_at is null"
    };
    let n = on_db!(tx, |c| sqlx::query(sql)
        .bind(by)
        .bind(now)
        .bind(review)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict(FieldError::new(
            "record",
            "this record is already locked",
        )));
    }
    on_db!(tx, |c| {
        sqlx::query("update review_records set locked_at = $1 where review_id = $2 and it_signed_by is not null and business_signed_by is not null")
        .bind(now).bind(review).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    record(db, review).await
}

/// Records a decision (optionally the promise it became).
pub async fn add_decision(
    db: &Db,
    review: i64,
    text: &str,
    promise: Option<i64>,
    by: i64,
) -> Result<()> {
    find(db, review).await?;
    let mut tx = db.begin_write().await?;
    check_unlocked(&mut tx, review).await?;
    on_db!(tx, |c| {
        sqlx::query("insert into review_decisions (review_id, text, promise_id, created_by, created_at) values ($1, $2, $3, $4, $5)")
        .bind(review).bind(text).bind(promise).bind(by).bind(Utc::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// The decisions of a review.
pub async fn decisions(db: &Db, review: i64) -> Result<Vec<Decision>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Decision>("select id, text, promise_id, created_at from review_decisions where review_id = $1 order by id")
        .bind(review).fetch_all(pool).await
    })?)
}

/// Appends a correction; only a locked record takes corrections (an open one is simply edited).
pub async fn add_correction(db: &Db, review: i64, text: &str, by: i64) -> Result<()> {
    let r = record(db, review).await?;
    if r.locked_at.is_none() {
        return Err(StoreError::Conflict(FieldError::new(
            "record",
            "the record is not signed yet: edit it instead of appending a correction",
        )));
    }
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| {
            sqlx::query("insert into review_corrections (review_id, text, created_by, created_at) values ($1, $2, $3, $4)")
        .bind(review).bind(text).bind(by).bind(Utc::now()).execute(pool).await.map(|r| r.rows_affected())
        })
    }?;
    Ok(())
}

/// The corrections appended to a locked record, oldest first.
pub async fn corrections(db: &Db, review: i64) -> Result<Vec<Correction>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Correction>(
        "select c.text, u.name as author, c.created_at from review_corrections c join users u on u.id = c.created_by where c.review_id = $1 order by c.id",
    ).bind(review).fetch_all(pool).await
    })?)
}

/// Marks a review held (on its day in the organisation's time zone) and, unless one is already
/// planned, plans the next one with `duet_core::reviews::plan_next_review`: on the latest working
/// day on or before the cadence's due date, same local time — in one transaction. Refused before
/// the review's start.
pub async fn mark_held_and_plan_next(
    db: &Db,
    id: i64,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Review> {
    let on = now.with_timezone(&tz).date_naive();
    let mut tx = db.begin_write().await?;
    {
        let row: Option<(i64, DateTime<Utc>, i64, i64, String)> = on_db!(tx, |c| {
            sqlx::query_as(
            "select r.department_id, r.scheduled_at, r.minutes, r.organizer_id, r.status from reviews r where r.id = $1",
        ).bind(id).fetch_optional(c).await
        })?;
        let Some((dept, at, minutes, organizer, status)) = row else {
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
        let (interval,): (i64,) = on_db!(tx, |c| sqlx::query_as(
            "select review_interval_days from departments where id = $1"
        )
        .bind(dept)
        .fetch_one(c)
        .await)?;
        let planned: Option<(i64,)> = on_db!(tx, |c| {
            sqlx::query_as("select id from reviews where department_id = $1 and status = 'planned' and scheduled_at >= $2 limit 1")
            .bind(dept).bind(now).fetch_optional(c).await
        })?;
        if planned.is_none() {
            let rows: Vec<(i64, i64, i64, String)> = on_db!(tx, |c| sqlx::query_as(
                "select month, day, year, name from holidays"
            )
            .fetch_all(c)
            .await)?;
            let holidays: Vec<Holiday> = rows.into_iter().map(holiday).collect();
            let next = rules::plan_next_review(on, interval, at, tz, &holidays, now);
            on_db!(tx, |c| {
                sqlx::query("insert into reviews (department_id, scheduled_at, minutes, organizer_id, status, created_at) values ($1, $2, $3, $4, 'planned', $5)")
                .bind(dept).bind(next).bind(minutes).bind(organizer).bind(now).execute(c).await.map(|r| r.rows_affected())
            })?;
        }
    };
    tx.commit().await?;
    find(db, id).await
}

/// Undoes "held" (marked by mistake, or too early): the review is planned again. Refused once
/// anyone has signed its record. The reason is kept in the review's history.
pub async fn undo_held(db: &Db, id: i64, reason: &str, by: i64) -> Result<Review> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let row: Option<(String, DateTime<Utc>)> = on_db!(tx, |c| sqlx::query_as(
        "select status, scheduled_at from reviews where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((status, at)) = row else {
        return Err(StoreError::NotFound("review"));
    };
    let signed: Option<(Option<i64>, Option<i64>)> = on_db!(tx, |c| sqlx::query_as(
        "select it_signed_by, business_signed_by from review_records where review_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let signed = matches!(signed, Some((Some(_), _) | (_, Some(_))));
    rules::may_undo_held(&status, signed).map_err(StoreError::Conflict)?;
    on_db!(tx, |c| sqlx::query(
        "update reviews set status = 'planned', held_on = null where id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_db!(tx, |c| {
        sqlx::query("insert into review_changes (review_id, kind, reason, from_at, to_at, created_by, created_at) values ($1, 'held_undone', $2, $3, $3, $4, $5)")
        .bind(id).bind(reason).bind(at).bind(by).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    find(db, id).await
}

/// Cancels a planned (or missed) review, with the reason.
pub async fn cancel(db: &Db, id: i64, reason: &str, by: i64) -> Result<Review> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let row: Option<(String, DateTime<Utc>)> = on_db!(tx, |c| sqlx::query_as(
        "select status, scheduled_at from reviews where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((status, at)) = row else {
        return Err(StoreError::NotFound("review"));
    };
    if status != "planned" {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("only a planned review can be cancelled (this one is {status})"),
        )));
    }
    on_db!(tx, |c| sqlx::query(
        "update reviews set status = 'cancelled' where id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_db!(tx, |c| {
        sqlx::query("insert into review_changes (review_id, kind, reason, from_at, to_at, created_by, created_at) values ($1, 'cancelled', $2, $3, null, $4, $5)")
        .bind(id).bind(reason).bind(at).bind(by).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    find(db, id).await
}

/// Moves a planned (or missed) review to another start, with the reason.
pub async fn move_to(db: &Db, id: i64, to: DateTime<Utc>, reason: &str, by: i64) -> Result<Review> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let row: Option<(String, DateTime<Utc>)> = on_db!(tx, |c| sqlx::query_as(
        "select status, scheduled_at from reviews where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((status, at)) = row else {
        return Err(StoreError::NotFound("review"));
    };
    if status != "planned" {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("only a planned review can be moved (this one is {status})"),
        )));
    }
    on_db!(tx, |c| sqlx::query(
        "update reviews set scheduled_at = $1 where id = $2"
    )
    .bind(to)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_db!(tx, |c| {
        sqlx::query("insert into review_changes (review_id, kind, reason, from_at, to_at, created_by, created_at) values ($1, 'moved', $2, $3, $4, $5, $6)")
        .bind(id).bind(reason).bind(at).bind(to).bind(by).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    find(db, id).await
}

/// One change to a review after it was scheduled: moved, cancelled, or "held" undone.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewChange {
    /// moved, cancelled or held_undone.
    pub kind: String,
    /// Why, in the words of whoever did it.
    pub reason: String,
    /// The start before the change.
    pub from_at: Option<DateTime<Utc>>,
    /// The start after a move.
    pub to_at: Option<DateTime<Utc>>,
    /// Who.
    pub author: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A review's changes, oldest first.
pub async fn changes(db: &Db, id: i64) -> Result<Vec<ReviewChange>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, ReviewChange>(
        "select c.kind, c.reason, c.from_at, c.to_at, u.name as author, c.created_at
         from review_changes c join users u on u.id = c.created_by where c.review_id = $1 order by c.id",
    ).bind(id).fetch_all(pool).await
    })?)
}

fn holiday((month, day, year, name): (i64, i64, i64, String)) -> Holiday {
    Holiday {
        month: u32::try_from(month).unwrap_or(1),
        day: u32::try_from(day).unwrap_or(1),
        year: (year != 0).then(|| i32::try_from(year).unwrap_or(0)),
        name,
    }
}

/// A holiday of the organisation calendar, with its id.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredHoliday {
    /// Id.
    pub id: i64,
    /// The holiday.
    #[serde(flatten)]
    pub holiday: Holiday,
}

/// The organisation's holidays (weekends are never working days besides these), by date.
pub async fn holidays(db: &Db) -> Result<Vec<StoredHoliday>> {
    let rows: Vec<(i64, i64, i64, i64, String)> = on_db!(db, |pool| sqlx::query_as(
        "select id, month, day, year, name from holidays order by month, day, year",
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, m, d, y, n)| StoredHoliday {
            id,
            holiday: holiday((m, d, y, n)),
        })
        .collect())
}

/// Adds a holiday; the same day twice is refused.
pub async fn add_holiday(db: &Db, h: &Holiday) -> Result<StoredHoliday> {
    let year = i64::from(h.year.unwrap_or(0));
    let mut tx = db.begin_write().await?;
    let (id,): (i64,) = {
        let dup: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
            "select name from holidays where month = $1 and day = $2 and year = $3"
        )
        .bind(i64::from(h.month))
        .bind(i64::from(h.day))
        .bind(year)
        .fetch_optional(c)
        .await)?;
        if let Some((name,)) = dup {
            return Err(StoreError::Conflict(FieldError::new(
                "date",
                format!("this day is already a holiday ({name})"),
            )));
        }
        on_db!(tx, |c| sqlx::query_as(
            "insert into holidays (month, day, year, name) values ($1, $2, $3, $4) returning id"
        )
        .bind(i64::from(h.month))
        .bind(i64::from(h.day))
        .bind(year)
        .bind(&h.name)
        .fetch_one(c)
        .await)?
    };
    tx.commit().await?;
    Ok(StoredHoliday {
        id,
        holiday: h.clone(),
    })
}

/// Removes a holiday.
pub async fn remove_holiday(db: &Db, id: i64) -> Result<()> {
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query("delete from holidays where id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
    }?;
    if n == 0 {
        return Err(StoreError::NotFound("holiday"));
    }
    Ok(())
}

/// Where a review's agenda starts counting: the department's review interval (none when it is
/// not an active business department) and the last day one of its other reviews was held before
/// `on`. Two index lookups instead of every department's cadence and the review list.
pub async fn agenda_start(
    db: &Db,
    department: i64,
    review: i64,
    on: NaiveDate,
) -> Result<(Option<i64>, Option<NaiveDate>)> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "select (select review_interval_days from departments where id = $1 and kind = 'business' and archived_at is null),
                (select max(held_on) from reviews where department_id = $1 and status = 'held' and id <> $2 and held_on < $3)",
    ).bind(department).bind(review).bind(on).fetch_one(pool).await
    })?)
}

/// A request as a review's agenda reads it: id, title, wire status, last change, requester.
pub type AgendaRequestRow = (i64, String, String, DateTime<Utc>, i64);

/// `$from, $from+1, …` for `n` bound values.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The department's requests its review agenda can show, in id order: every open one, and those
/// delivered or declined around the window `since..=until` (a day wider each side: the agenda's
/// own day test decides the edges). Both halves walk `requests_agenda_idx` (department, status,
/// last change), so the department's settled history is not read.
pub async fn agenda_requests(
    db: &Db,
    department: i64,
    since: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<AgendaRequestRow>> {
    use duet_core::reviews::agenda::{
        DECLINED_STATUSES, DELIVERED_STATUSES, OPEN_REQUEST_STATUSES,
    };
    let settled: Vec<&str> = DELIVERED_STATUSES
        .iter()
        .chain(DECLINED_STATUSES)
        .copied()
        .collect();
    let open = OPEN_REQUEST_STATUSES.len();
    let from_at = 2 + open + settled.len();
    // Only `$n` placeholders are formatted in; every status is bound.
    let sql = sqlx::AssertSqlSafe(format!(
        "select id, title, status, updated_at, requester_id from requests
         where department_id = $1 and status in ({})
         union all
         select id, title, status, updated_at, requester_id from requests
         where department_id = $1 and status in ({}) and updated_at >= ${from_at} and updated_at < ${}",
        placeholders(2, open),
        placeholders(2 + open, settled.len()),
        from_at + 1,
    ));
    let day = chrono::Duration::days(1);
    let from = (since - day).and_time(chrono::NaiveTime::MIN).and_utc();
    let to = (until + day + day)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let mut rows = on_db!(db, |pool| {
        let mut q = sqlx::query_as::<_, AgendaRequestRow>(sql).bind(department);
        for s in OPEN_REQUEST_STATUSES.iter().chain(&settled) {
            q = q.bind(*s);
        }
        q.bind(from).bind(to).fetch_all(pool).await
    })?;
    // Sorted here, not in SQL: an `order by id` makes SQLite walk the department's every request
    // in id order rather than the two short index ranges.
    rows.sort_by_key(|r| r.0);
    Ok(rows)
}

/// A promise between a department and IT as a review's agenda reads it: id, text, whether IT
/// made it, status, due day, closing day.
pub type AgendaPromiseRow = (i64, String, bool, String, NaiveDate, Option<NaiveDate>);

/// The promises between `department` and the IT department `it` its review agenda can show, in
/// id order: every open one (either direction), and those kept or broken in `since..=until`.
/// Each branch is one range of `promises_agenda_idx`, so closed promises outside the window are
/// not read.
pub async fn agenda_promises(
    db: &Db,
    department: i64,
    it: i64,
    since: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<AgendaPromiseRow>> {
    const SQL: &str = "select id, text, promisor_department_id, status, due_on, closed_on from promises
         where promisor_department_id = $1 and promisee_department_id = $2 and status = 'open'
         union all
         select id, text, promisor_department_id, status, due_on, closed_on from promises
         where promisor_department_id = $2 and promisee_department_id = $1 and status = 'open'
         union all
         select id, text, promisor_department_id, status, due_on, closed_on from promises
         where promisor_department_id = $1 and promisee_department_id = $2 and status in ('kept', 'broken')
           and closed_on >= $3 and closed_on <= $4
         union all
         select id, text, promisor_department_id, status, due_on, closed_on from promises
         where promisor_department_id = $2 and promisee_department_id = $1 and status in ('kept', 'broken')
           and closed_on >= $3 and closed_on <= $4";
    let rows: Vec<(i64, String, i64, String, NaiveDate, Option<NaiveDate>)> =
        on_db!(db, |pool| sqlx::query_as(SQL)
            .bind(department)
            .bind(it)
            .bind(since)
            .bind(until)
            .fetch_all(pool)
            .await)?;
    // Sorted here for the same reason as `agenda_requests`.
    let mut rows: Vec<AgendaPromiseRow> = rows
        .into_iter()
        .map(|(id, text, from, status, due, closed)| (id, text, from == it, status, due, closed))
        .collect();
    rows.sort_by_key(|r| r.0);
    Ok(rows)
}

/// The organisation's holidays by date, one page at a time (they belong to no department).
pub async fn page_holidays(
    db: &Db,
    window: crate::PageRequest,
) -> Result<crate::Page<StoredHoliday>> {
    let rows: Vec<(i64, i64, i64, i64, String)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select id, month, day, year, name from holidays order by month, day, year, id limit $1 offset $2",
    ).bind(window.limit).bind(window.offset).fetch_all(pool).await
    })?;
    let (total,): (i64,) = on_db!(db, |pool| sqlx::query_as("select count(*) from holidays")
        .fetch_one(pool)
        .await)?;
    Ok(crate::Page {
        items: rows
            .into_iter()
            .map(|(id, m, d, y, n)| StoredHoliday {
                id,
                holiday: holiday((m, d, y, n)),
            })
            .collect(),
        total,
        limit: window.limit,
        offset: window.offset,
    })
}
