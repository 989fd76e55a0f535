//! See: what people decide about relationships, kept with who said it — the versioned
//! thresholds and weights of the signals, and leaders' own views of a pair.

use crate::{Db, Result};
use chrono::{DateTime, Utc};

/// One version of a signal's thresholds.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ThresholdVersion {
    /// Version id (higher is newer).
    pub id: i64,
    /// The signal (wire name of `SignalKind`).
    pub signal: String,
    /// Healthy from here.
    pub healthy: f64,
    /// Concerning from here; beyond it, poor.
    pub concerning: f64,
    /// The fewest records a band may be drawn from.
    pub min_evidence: i32,
    /// Weight in the overall index.
    pub weight: f64,
    /// Who changed it.
    pub changed_by: i64,
    /// Their name (their person's, else their e-mail).
    pub changed_by_name: String,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

const VERSION: &str = "select t.id, t.signal, t.healthy, t.concerning, t.min_evidence, t.weight,
    t.changed_by, coalesce(p.name, u.email) as changed_by_name, t.changed_at, t.reason
    from relationship_thresholds t join users u on u.id = t.changed_by
    left join people p on p.id = u.person_id";

/// The version in force of each signal that was ever changed (the newest row of each).
pub async fn current_thresholds(db: &Db) -> Result<Vec<ThresholdVersion>> {
    let sql = format!(
        "{VERSION} where t.id in (select max(id) from relationship_thresholds group by signal)
         order by t.signal"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, ThresholdVersion>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_all(pool)
    .await)?)
}

/// The last `limit` changes, newest first.
pub async fn threshold_history(db: &Db, limit: i64) -> Result<Vec<ThresholdVersion>> {
    let sql = format!("{VERSION} order by t.id desc limit $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, ThresholdVersion>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// A new version of one signal's thresholds.
#[derive(Debug, Clone)]
pub struct NewThresholds {
    /// The signal's wire name.
    pub signal: String,
    /// Healthy from here.
    pub healthy: f64,
    /// Concerning from here.
    pub concerning: f64,
    /// Fewest records.
    pub min_evidence: u32,
    /// Weight in the index.
    pub weight: f64,
}

/// Records new versions of the given signals' thresholds, all or none (one transaction), and an
/// entry in the audit log. Returns how many versions were written.
pub async fn set_thresholds(
    db: &Db,
    changes: &[NewThresholds],
    by: i64,
    reason: &str,
) -> Result<u64> {
    if changes.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    // What each signal was before (its last version, else the built-in default), for the log.
    let describe = |signal: &str, (h, c, m, w): (f64, f64, i32, f64)| {
        format!(
            "{signal} healthy: {h}; {signal} concerning: {c}; {signal} records: {m}; {signal} weight: {w}"
        )
    };
    let mut before = Vec::new();
    for c in changes {
        let was: Option<(f64, f64, i32, f64)> = on_db!(tx, |conn| {
            sqlx::query_as(
            "select healthy, concerning, min_evidence, weight from relationship_thresholds where signal = $1 order by id desc limit 1"
        )
        .bind(&c.signal)
        .fetch_optional(conn)
        .await
        })?;
        let was = was.or_else(|| {
            c.signal
                .parse::<duet_core::relationships::SignalKind>()
                .ok()
                .map(duet_core::relationships::thresholds)
                .map(|d| {
                    (
                        d.healthy,
                        d.concerning,
                        i32::try_from(d.min_evidence).unwrap_or(i32::MAX),
                        d.weight,
                    )
                })
        });
        if let Some(was) = was {
            before.push(describe(&c.signal, was));
        }
    }
    let after: Vec<String> = changes
        .iter()
        .map(|c| {
            describe(
                &c.signal,
                (
                    c.healthy,
                    c.concerning,
                    i32::try_from(c.min_evidence).unwrap_or(i32::MAX),
                    c.weight,
                ),
            )
        })
        .collect();
    let mut last = 0;
    for c in changes {
        (last,) = on_db!(tx, |conn| sqlx::query_as::<_, (i64,)>(
            "insert into relationship_thresholds
                 (signal, healthy, concerning, min_evidence, weight, changed_by, changed_at, reason)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id"
        )
        .bind(&c.signal)
        .bind(c.healthy)
        .bind(c.concerning)
        .bind(i32::try_from(c.min_evidence).unwrap_or(i32::MAX))
        .bind(c.weight)
        .bind(by)
        .bind(now)
        .bind(reason)
        .fetch_one(conn)
        .await)?;
    }
    let changed: Vec<String> = changes
        .iter()
        .map(|c| {
            format!(
                "{}: healthy {}, concerning {}, at least {} record(s), weight {}",
                c.signal, c.healthy, c.concerning, c.min_evidence, c.weight
            )
        })
        .collect();
    let summary = format!(
        "Relationship thresholds changed ({reason}): {}",
        changed.join("; ")
    );
    let (before, after) = (before.join("; "), after.join("; "));
    crate::audit::record_change(
        &mut tx,
        Some(by),
        crate::audit::Change {
            action: "relationships.thresholds",
            subject_kind: "relationship_thresholds",
            subject_id: last,
            department: None,
            summary: &summary,
            before: (before.matches("; ").count() == after.matches("; ").count())
                .then_some(before.as_str()),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(changes.len() as u64)
}

/// A leader's own view of a relationship.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Judgement {
    /// Id.
    pub id: i64,
    /// The business department of the pair.
    pub department_id: i64,
    /// Who said it (account).
    pub user_id: i64,
    /// Their name.
    pub user_name: String,
    /// Their department (of their person), so a page can set IT's side against the other.
    pub user_department_id: Option<i64>,
    /// How it feels, 1 (bad) to 5 (very good).
    pub feels: i32,
    /// The maturity level they see (wire name of `maturity::Level`), if they said one.
    pub level: Option<String>,
    /// Why.
    pub reason: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A pair's views, newest first (the last 50).
pub async fn judgements_of(db: &Db, department: i64) -> Result<Vec<Judgement>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Judgement>(
        "select j.id, j.department_id, j.user_id, coalesce(p.name, u.email) as user_name,
             p.department_id as user_department_id, j.feels, j.level, j.reason, j.created_at
         from relationship_judgements j join users u on u.id = j.user_id
         left join people p on p.id = u.person_id
         where j.department_id = $1 order by j.id desc limit 50"
    )
    .bind(department)
    .fetch_all(pool)
    .await)?)
}

/// Records a view; every one is kept (a later view does not erase an earlier one).
pub async fn judge(
    db: &Db,
    department: i64,
    by: i64,
    feels: u8,
    level: Option<&str>,
    reason: &str,
) -> Result<i64> {
    let _turn = db.write_turn().await;
    let (id,): (i64,) = on_db!(db, |pool| {
        sqlx::query_as(
        "insert into relationship_judgements (department_id, user_id, feels, level, reason, created_at)
         values ($1, $2, $3, $4, $5, $6) returning id"
    )
    .bind(department)
    .bind(by)
    .bind(i32::from(feels))
    .bind(level)
    .bind(reason)
    .bind(Utc::now())
    .fetch_one(pool)
    .await
    })?;
    Ok(id)
}
