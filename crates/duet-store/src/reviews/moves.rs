//! Holding, undoing, cancelling and moving reviews, and the changes kept for their calendar feed.

use super::*;

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
    let row: Option<(String, DateTime<Utc>, Option<String>)> = on_db!(tx, |c| sqlx::query_as(
        "select status, scheduled_at, imported_from from reviews where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((status, at, imported)) = row else {
        return Err(StoreError::NotFound("review"));
    };
    if let Some(from) = imported {
        return Err(StoreError::Conflict(FieldError::new(
            "review",
            format!(
                "this review was held before Duet and imported from {from}; its record is kept as it was"
            ),
        )));
    }
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
