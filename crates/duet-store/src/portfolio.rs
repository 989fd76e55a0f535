//! Portfolio: the business goals items are scored against, the versioned scoring weights, the
//! portfolio settings (budget, capacity, sign-off tolerance, wait) and the rows the ranking is
//! computed from. Every change bumps the portfolio revision, so a cached ranking knows it is stale.

use crate::db::bump_revision;
use crate::{Db, Page, PageRequest, Result, StoreError};
use chrono::{DateTime, Utc};

/// A business goal set by the executives.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Goal {
    /// Id.
    pub id: i64,
    /// The goal.
    pub title: String,
    /// 1 (nice) to 5 (critical).
    pub importance: i64,
}

/// Active goals by importance.
pub async fn goals(db: &Db) -> Result<Vec<Goal>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Goal>("select id, title, importance from business_goals where archived_at is null order by importance desc, id").fetch_all(pool).await
    })?)
}

/// Adds a goal.
pub async fn insert_goal(db: &Db, by: i64, title: &str, importance: i64) -> Result<Goal> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let goal = {
        let g = on_db!(tx, |c| {
            sqlx::query_as::<_, Goal>("insert into business_goals (title, importance, created_by, created_at) values ($1, $2, $3, $4) returning id, title, importance")
            .bind(title).bind(importance).bind(by).bind(now).fetch_one(c).await
        })?;
        bump_revision(&mut tx, now).await?;
        g
    };
    tx.commit().await?;
    Ok(goal)
}

/// Retires a goal (items stop scoring on it).
pub async fn archive_goal(db: &Db, id: i64) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let done = on_db!(tx, |c| sqlx::query(
        "update business_goals set archived_at = $1 where id = $2 and archived_at is null"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("goal"));
    }
    bump_revision(&mut tx, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The portfolio's budget, capacity and rules.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Settings {
    /// IT budget for the period, minor units.
    pub budget: i64,
    /// Delivery capacity, person-days.
    pub capacity_days: i64,
    /// Sign-off tolerance in percent.
    pub tolerance_pct: f64,
    /// Working days after an attempt before IT may decide without confirmation.
    pub wait_days: i64,
    /// Changes whenever the ranking's inputs change.
    pub revision: i64,
}

/// The settings (created by `ensure_decide_defaults`).
pub async fn settings(db: &Db) -> Result<Settings> {
    on_db!(db, |pool| sqlx::query_as::<_, Settings>("select budget, capacity_days, tolerance_pct, wait_days, revision from portfolio_settings where id = 1").fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound("portfolio settings"))
}

/// The portfolio settings in words, for the audit log's before and after.
async fn settings_words(tx: &mut crate::db::WriteTx) -> Result<Option<String>> {
    let row: Option<(i64, i64, f64, i64)> = on_db!(tx, |c| {
        sqlx::query_as(
        "select budget, capacity_days, tolerance_pct, wait_days from portfolio_settings where id = 1"
    )
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|(b, cap, tol, wait)| {
        format!(
            "budget: {}.{:02}; capacity: {cap} days; tolerance: {tol}%; wait: {wait} days",
            b / 100,
            b % 100
        )
    }))
}

/// Changes budget, capacity, tolerance and wait, on behalf of the account `by` (none: the
/// command line or the demo), with the before and after in the audit log.
pub async fn update_settings(
    db: &Db,
    by: Option<i64>,
    budget: i64,
    capacity_days: i64,
    tolerance_pct: f64,
    wait_days: i64,
) -> Result<Settings> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let before = settings_words(&mut tx).await?;
    on_db!(tx, |c| {
        sqlx::query("update portfolio_settings set budget = $1, capacity_days = $2, tolerance_pct = $3, wait_days = $4, revision = revision + 1, updated_at = $5 where id = 1")
        .bind(budget).bind(capacity_days).bind(tolerance_pct).bind(wait_days).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    let after = settings_words(&mut tx).await?;
    if before != after {
        crate::audit::record_change(
            &mut tx,
            by,
            crate::audit::Change {
                action: "settings.portfolio",
                subject_kind: "settings",
                subject_id: 1,
                department: None,
                summary: "Changed the portfolio's budget, capacity, tolerance or wait",
                before: before.as_deref(),
                after: after.as_deref(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    settings(db).await
}

/// One version of the scoring weights.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct WeightsVersion {
    /// Version number.
    pub version: i64,
    /// Value per IT cost.
    pub value_weight: f64,
    /// Fit to goals.
    pub fit_weight: f64,
    /// Risk.
    pub risk_weight: f64,
    /// Urgency.
    pub urgency_weight: f64,
    /// Who set it.
    pub set_by_name: Option<String>,
    /// When.
    pub set_at: DateTime<Utc>,
}

/// Every version of the weights, newest first.
pub async fn weights_history(db: &Db) -> Result<Vec<WeightsVersion>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, WeightsVersion>(
        "select w.version, w.value_weight, w.fit_weight, w.risk_weight, w.urgency_weight, u.name as set_by_name, w.set_at
         from scoring_weights w left join users u on u.id = w.set_by order by w.version desc",
    ).fetch_all(pool).await
    })?)
}

/// Saves a new version of the weights (older versions are kept).
pub async fn insert_weights(
    db: &Db,
    by: i64,
    w: &duet_core::portfolio::Weights,
) -> Result<WeightsVersion> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let words =
        |v: f64, f: f64, r: f64, u: f64| format!("value {v}; fit {f}; risk {r}; urgency {u}");
    let before: Option<(f64, f64, f64, f64)> = on_db!(tx, |c| {
        sqlx::query_as(
        "select value_weight, fit_weight, risk_weight, urgency_weight from scoring_weights order by version desc limit 1"
    )
    .fetch_optional(c)
    .await
    })?;
    on_db!(tx, |c| {
        sqlx::query(
        "insert into scoring_weights (version, value_weight, fit_weight, risk_weight, urgency_weight, set_by, set_at)
         select coalesce(max(version), 0) + 1, $1, $2, $3, $4, $5, $6 from scoring_weights",
    ).bind(w.value).bind(w.fit).bind(w.risk).bind(w.urgency).bind(by).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    let before = before.map(|(v, f, r, u)| words(v, f, r, u));
    let after = words(w.value, w.fit, w.risk, w.urgency);
    crate::audit::record_change(
        &mut tx,
        Some(by),
        crate::audit::Change {
            action: "settings.weights",
            subject_kind: "settings",
            subject_id: 2,
            department: None,
            summary: "Changed the portfolio's scoring weights",
            before: before.as_deref(),
            after: Some(&after),
        },
    )
    .await?;
    bump_revision(&mut tx, now).await?;
    tx.commit().await?;
    weights_history(db)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("weights"))
}

/// One portfolio item's inputs to ranking, read in bulk.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct PortfolioRow {
    /// Request id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Status (wire name).
    pub status: String,
    /// Department.
    pub department_name: String,
    /// Champion.
    pub champion_name: Option<String>,
    /// Urgency (wire name).
    pub urgency: String,
    /// Risk (wire name).
    pub risk: String,
    /// Effort.
    pub person_days: Option<i64>,
    /// NPV, if a case exists.
    pub npv: Option<f64>,
    /// IT cost, if a case exists.
    pub it_cost: Option<i64>,
    /// Latest signed IT cost.
    pub signed_cost: Option<i64>,
    /// Tolerance of that sign-off.
    pub signed_tolerance: Option<f64>,
    /// Sum of importance of the goals it supports.
    pub goal_points: i64,
    /// Whether the requester confirmed (or wrote) the need statement: funding needs it.
    #[serde(default)]
    pub need_confirmed: bool,
    /// Who raised it: with `department_id`, decides whether a viewer may open the request.
    #[serde(default)]
    pub requester_id: i64,
    /// The requesting department's id.
    #[serde(default)]
    pub department_id: i64,
}

/// Every portfolio item still competing for funding (not declined or closed), in one statement.
pub async fn portfolio_rows(db: &Db) -> Result<Vec<PortfolioRow>> {
    const SQL: &str = "select r.id, r.title, r.status, d.name as department_name, c.name as champion_name, r.urgency, r.risk,
            r.person_days, b.npv, b.it_cost, s.it_cost as signed_cost, s.tolerance_pct as signed_tolerance,
            coalesce(g.points, 0) as goal_points, (r.need_confirmed_at is not null) as need_confirmed,
            r.requester_id, r.department_id
        from requests r
        join departments d on d.id = r.department_id
        left join users c on c.id = r.champion_id
        left join business_cases b on b.request_id = r.id
        left join signoffs s on s.id = (select max(x.id) from signoffs x where x.request_id = r.id)
        left join (select rg.request_id, cast(sum(bg.importance) as bigint) as points from request_goals rg
                   join business_goals bg on bg.id = rg.goal_id and bg.archived_at is null group by rg.request_id) g on g.request_id = r.id
        where r.lane = 'portfolio' and r.status not in ('declined', 'closed')
        order by r.id";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, PortfolioRow>(SQL)
        .fetch_all(pool)
        .await)?)
}

/// Active goals by importance, one page at a time (goals are the whole business's, no department).
pub async fn page_goals(db: &Db, window: PageRequest) -> Result<Page<Goal>> {
    const SQL: &str = "select id, title, importance from business_goals where archived_at is null
        order by importance desc, id limit $1 offset $2";
    let items = on_db!(db, |pool| sqlx::query_as::<_, Goal>(SQL)
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(pool)
        .await)?;
    let (total,): (i64,) = on_db!(db, |pool| sqlx::query_as(
        "select count(*) from business_goals where archived_at is null"
    )
    .fetch_one(pool)
    .await)?;
    Ok(Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}
