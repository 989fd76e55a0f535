//! Bringing the reviews already held into Duet: each is a held review on its day with a locked
//! record (its attendees, notes and decisions) that says where it came from. All rows or none; a
//! department's review already on that day is left as it is.

use super::*;
use crate::audit::noon;
use duet_core::csv_input::CsvError;
use duet_core::reviews::history::HistoricReview;
use std::collections::HashMap;

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewHistorySummary {
    /// Reviews written.
    pub reviews: u64,
    /// Decisions written with them.
    pub decisions: u64,
    /// Rows left alone because the department already has a review that day.
    pub already_there: u64,
}

/// Imports `rows` in one transaction, organised by the account `by` and noting `source` on each
/// review. Every department must be an active business department; every problem is placed by
/// line and column, and then nothing is written. The records are locked as they are written:
/// history is corrected by appending, like any signed record.
pub async fn import_history(
    db: &Db,
    by: i64,
    source: &str,
    rows: &[HistoricReview],
    mut progress: impl FnMut(u64),
) -> Result<ReviewHistorySummary> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let mut departments: HashMap<String, Option<(i64, String)>> = HashMap::new();
    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        let key = r.department.to_lowercase();
        if !departments.contains_key(&key) {
            let found: Option<(i64, String)> = on_db!(tx, |c| {
                sqlx::query_as(
                "select id, kind from departments where lower(name) = $1 and archived_at is null"
            )
            .bind(&key)
            .fetch_optional(c)
            .await
            })?;
            departments.insert(key.clone(), found);
        }
        match departments.get(&key).cloned().flatten() {
            None => errors.push(CsvError::at(
                r.line,
                FieldError::new(
                    "department",
                    format!("there is no active department named “{}”", r.department),
                ),
            )),
            Some((_, kind)) if kind != "business" => errors.push(CsvError::at(
                r.line,
                FieldError::new(
                    "department",
                    format!(
                        "{} is not a business department: reviews are held between IT and the business",
                        r.department
                    ),
                ),
            )),
            Some((id, _)) => resolved.push((r, id)),
        }
        if errors.len() >= 100 {
            break;
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Csv(errors));
    }
    let mut summary = ReviewHistorySummary::default();
    for (r, department) in resolved {
        let there: Option<(i64,)> = on_db!(tx, |c| {
            sqlx::query_as(
            "select id from reviews where department_id = $1 and status = 'held' and held_on = $2 limit 1"
        )
        .bind(department)
        .bind(r.held_on)
        .fetch_optional(c)
        .await
        })?;
        if there.is_some() {
            summary.already_there += 1;
            progress(summary.reviews + summary.already_there);
            continue;
        }
        let at = noon(r.held_on);
        let (id,): (i64,) = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into reviews (department_id, scheduled_at, minutes, organizer_id, status, held_on, created_at, imported_from)
             values ($1, $2, $3, $4, 'held', $5, $2, $6) returning id"
        )
        .bind(department)
        .bind(at)
        .bind(r.minutes)
        .bind(by)
        .bind(r.held_on)
        .bind(source)
        .fetch_one(c)
        .await
        })?;
        on_db!(tx, |c| {
            sqlx::query(
            "insert into review_records (review_id, attendees, notes, locked_at, updated_at) values ($1, $2, $3, $4, $4)"
        )
        .bind(id)
        .bind(&r.attendees)
        .bind(&r.notes)
        .bind(at)
        .execute(c)
        .await
        .map(|_| ())
        })?;
        for d in &r.decisions {
            on_db!(tx, |c| {
                sqlx::query(
                "insert into review_decisions (review_id, text, created_by, created_at) values ($1, $2, $3, $4)"
            )
            .bind(id)
            .bind(d)
            .bind(by)
            .bind(at)
            .execute(c)
            .await
            .map(|_| ())
            })?;
            summary.decisions += 1;
        }
        summary.reviews += 1;
        progress(summary.reviews + summary.already_there);
    }
    crate::db::bump_revision(&mut tx, now).await?;
    let words = format!(
        "{} reviews held ({} decisions; {} already there)",
        summary.reviews, summary.decisions, summary.already_there
    );
    crate::audit::record_import(&mut tx, by, "reviews.import", source, &words).await?;
    tx.commit().await?;
    Ok(summary)
}
