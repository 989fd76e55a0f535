//! A review's record: notes, decisions, corrections, and both leaders' signatures.

use super::*;

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
    /// How the meeting felt to IT's signer (`friendly`, `businesslike`, `tense`), if said.
    pub it_tone: Option<String>,
    /// How it felt to the business signer, if said.
    pub business_tone: Option<String>,
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
        "select agenda, attendees, notes, metric_feedback, it_signed_by, it_signed_at, business_signed_by, business_signed_at, locked_at, it_tone, business_tone
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
    sign_with_tone(db, review, it, by, None).await
}

/// `sign`, keeping with the signature how the meeting felt to the signer (see
/// `duet_core::reviews::Tone`), in the same transaction.
pub async fn sign_with_tone(
    db: &Db,
    review: i64,
    it: bool,
    by: i64,
    tone: Option<duet_core::reviews::Tone>,
) -> Result<Record> {
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
        "update review_records set it_signed_by = $1, it_signed_at = $2, updated_at = $2, it_tone = $4 where review_id = $3 and locked_at is null"
    } else {
        "update review_records set business_signed_by = $1, business_signed_at = $2, updated_at = $2, business_tone = $4 where review_id = $3 and locked_at is null"
    };
    let n = on_db!(tx, |c| sqlx::query(sql)
        .bind(by)
        .bind(now)
        .bind(review)
        .bind(tone.map(|t| t.as_str()))
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
