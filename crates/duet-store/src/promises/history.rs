//! Bringing a promise ledger's past into Duet: each promise with its original dates, its trust
//! events on the days they happened, and a note of where it came from. All rows or none.

use super::*;
use crate::audit::noon;
use duet_core::csv_input::CsvError;
use duet_core::promises::HistoricPromise;
use std::collections::HashMap;

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct HistorySummary {
    /// Promises written.
    pub promises: u64,
    /// Of those, still open.
    pub open: u64,
    /// Kept (on time or late).
    pub kept: u64,
    /// Broken.
    pub broken: u64,
}

/// Imports `rows` in one transaction, recorded by the account `by`, noting `source` on each
/// promise. Every promisor must be an active person and every promisee an active department
/// other than the promisor's; every problem is reported with its line and column, and then
/// nothing is written. `progress` is told how many rows are written so far.
pub async fn import_history(
    db: &Db,
    by: i64,
    source: &str,
    rows: &[HistoricPromise],
    mut progress: impl FnMut(u64),
) -> Result<HistorySummary> {
    let mut tx = db.begin_write().await?;
    let mut people: HashMap<String, Option<(i64, i64, String)>> = HashMap::new();
    let mut departments: HashMap<String, Option<i64>> = HashMap::new();
    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        let email = r.promisor_email.as_str().to_string();
        if !people.contains_key(&email) {
            let found: Option<(i64, i64, String)> = on_db!(tx, |c| {
                sqlx::query_as(
                "select id, department_id, level from people where email = $1 and archived_at is null"
            )
            .bind(&email)
            .fetch_optional(c)
            .await
            })?;
            people.insert(email.clone(), found);
        }
        let key = r.promisee_department.to_lowercase();
        if !departments.contains_key(&key) {
            let found: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
                "select id from departments where lower(name) = $1 and archived_at is null"
            )
            .bind(&key)
            .fetch_optional(c)
            .await)?;
            departments.insert(key.clone(), found.map(|(id,)| id));
        }
        let person = people.get(&email).cloned().flatten();
        let dept = departments.get(&key).copied().flatten();
        match (person, dept) {
            (None, _) => errors.push(CsvError::at(
                r.line,
                FieldError::new(
                    "promisor_email",
                    format!("no active person has the e-mail {email}: import the people first"),
                ),
            )),
            (_, None) => errors.push(CsvError::at(
                r.line,
                FieldError::new(
                    "promisee_department",
                    format!(
                        "there is no active department named “{}”",
                        r.promisee_department
                    ),
                ),
            )),
            (Some((_, from, _)), Some(to)) if from == to => errors.push(CsvError::at(
                r.line,
                FieldError::new(
                    "promisee_department",
                    "a promise in the ledger is made to another department than the promisor's",
                ),
            )),
            (Some((person, from, level)), Some(to)) => resolved.push((r, person, from, level, to)),
        }
        if errors.len() >= 100 {
            break;
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Csv(errors));
    }
    let mut summary = HistorySummary {
        promises: 0,
        open: 0,
        kept: 0,
        broken: 0,
    };
    for (r, person, from, level, to) in resolved {
        let status = r.status.as_str();
        let updated = r.closed_on.map_or(noon(r.made_on), noon);
        let (id,): (i64,) = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into promises (promisor_person_id, promisor_department_id, promisee_department_id, level, text, due_on, source,
                 source_id, status, closed_on, recorded_by, created_at, updated_at, imported_from)
             values ($1, $2, $3, $4, $5, $6, 'manual', null, $7, $8, $9, $10, $11, $12) returning id"
        )
        .bind(person)
        .bind(from)
        .bind(to)
        .bind(&level)
        .bind(&r.text)
        .bind(r.due_on)
        .bind(status)
        .bind(r.closed_on)
        .bind(by)
        .bind(noon(r.made_on))
        .bind(updated)
        .bind(source)
        .fetch_one(c)
        .await
        })?;
        let mut events = vec![(r.made_on, "made", format!("made (imported from {source})"))];
        match (r.status, r.closed_on) {
            (PromiseStatus::Kept, Some(c)) if c <= r.due_on => {
                events.push((c, "kept_on_time", "kept on time".to_string()));
                summary.kept += 1;
            }
            (PromiseStatus::Kept, Some(c)) => {
                events.push((
                    c,
                    "kept_late",
                    format!("kept, {} day(s) late", (c - r.due_on).num_days()),
                ));
                summary.kept += 1;
            }
            (PromiseStatus::Broken, Some(c)) => {
                events.push((c, "broken", "broken".to_string()));
                summary.broken += 1;
            }
            _ => summary.open += 1,
        }
        for (day, kind, detail) in events {
            on_db!(tx, |c| {
                sqlx::query(
                "insert into promise_events (promise_id, on_date, at, actor_id, kind, detail) values ($1, $2, $3, $4, $5, $6)"
            )
            .bind(id)
            .bind(day)
            .bind(noon(day))
            .bind(by)
            .bind(kind)
            .bind(&detail)
            .execute(c)
            .await
            .map(|_| ())
            })?;
        }
        summary.promises += 1;
        progress(summary.promises);
    }
    let words = format!(
        "{} promises ({} open, {} kept, {} broken)",
        summary.promises, summary.open, summary.kept, summary.broken
    );
    crate::audit::record_import(&mut tx, by, "promises.import", source, &words).await?;
    tx.commit().await?;
    Ok(summary)
}
