//! Metrics: catalogue, monthly values per department (typed, pushed or imported in bulk), the
//! outcomes each business leader cares about, and which metric measures which outcome.

use crate::{Db, Result, StoreError};
use chrono::Utc;
use duet_core::FieldError;
use duet_core::metrics::{Direction, MetricInput, Period, ValueRow};
use duet_core::org::import::CsvError;

/// A metric of the catalogue.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Metric {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Which way is better.
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    /// Target.
    pub target: Option<f64>,
    /// Owner (person).
    pub owner_id: Option<i64>,
    /// Owner's name.
    pub owner_name: Option<String>,
}

/// Adds a metric.
pub async fn insert_metric(db: &Db, input: &MetricInput) -> Result<Metric> {
    let (id,): (i64,) = write_one!(db, pool => sqlx::query_as(
        "insert into metrics (name, unit, direction, target, owner_id, created_at) values ($1, $2, $3, $4, $5, $6) returning id",
    ).bind(&input.name).bind(&input.unit).bind(input.direction.as_str()).bind(input.target).bind(input.owner).bind(Utc::now())
    .fetch_one(pool).await)?;
    find_metric(db, id).await
}

/// One metric.
pub async fn find_metric(db: &Db, id: i64) -> Result<Metric> {
    const SQL: &str =
        "select m.id, m.name, m.unit, m.direction, m.target, m.owner_id, p.name as owner_name
        from metrics m left join people p on p.id = m.owner_id where m.id = $1";
    on_db!(db, pool => sqlx::query_as::<_, Metric>(SQL).bind(id).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound("metric"))
}

/// The catalogue by name.
pub async fn list_metrics(db: &Db) -> Result<Vec<Metric>> {
    const SQL: &str = "select m.id, m.name, m.unit, m.direction, m.target, m.owner_id, p.name as owner_name
        from metrics m left join people p on p.id = m.owner_id where m.archived_at is null order by m.name";
    Ok(on_db!(db, pool => sqlx::query_as::<_, Metric>(SQL).fetch_all(pool).await)?)
}

/// One value of a metric.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct MetricValue {
    /// Metric.
    pub metric_id: i64,
    /// Department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Month, `YYYY-MM`.
    pub period: String,
    /// Value.
    pub value: f64,
}

/// Records (or corrects) one value; the metric and department must exist.
pub async fn upsert_value(
    db: &Db,
    metric: i64,
    department: i64,
    period: Period,
    value: f64,
) -> Result<()> {
    write_tx!(db, tx => {
        let m: Option<(i64,)> = sqlx::query_as("select id from metrics where id = $1 and archived_at is null").bind(metric).fetch_optional(&mut *tx).await?;
        if m.is_none() {
            return Err(StoreError::Invalid(FieldError::new("metric_id", "no metric has this id")));
        }
        let d: Option<(i64,)> = sqlx::query_as("select id from departments where id = $1 and archived_at is null").bind(department).fetch_optional(&mut *tx).await?;
        if d.is_none() {
            return Err(StoreError::Invalid(FieldError::new("department_id", "no active department has this id")));
        }
        sqlx::query("insert into metric_values (metric_id, department_id, period, value) values ($1, $2, $3, $4)
                     on conflict (metric_id, department_id, period) do update set value = excluded.value")
            .bind(metric).bind(department).bind(period.to_string()).bind(value).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Values of one metric (or all metrics), oldest month first.
pub async fn values(
    db: &Db,
    metric: Option<i64>,
    department: Option<i64>,
) -> Result<Vec<MetricValue>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, MetricValue>(
        "select v.metric_id, v.department_id, d.name as department_name, v.period, v.value
         from metric_values v join departments d on d.id = v.department_id
         where ($1 is null or v.metric_id = $1) and ($2 is null or v.department_id = $2)
         order by v.metric_id, d.name, v.period",
    ).bind(metric).bind(department).fetch_all(pool).await)?)
}

/// Rows per insert statement: 4 parameters each stays far below both databases' limits.
const IMPORT_CHUNK: usize = 1000;

/// Imports parsed values in one transaction (each row replaces the value it names). Unknown
/// metric or department names fail the whole file with their lines; `progress` gets the rows done.
pub async fn import_values(
    db: &Db,
    rows: &[ValueRow],
    mut progress: impl FnMut(u64) + Send,
) -> Result<u64> {
    let metrics: Vec<(i64, String)> = on_db!(db, pool => sqlx::query_as("select id, name from metrics where archived_at is null").fetch_all(pool).await)?;
    let departments: Vec<(i64, String)> = on_db!(db, pool => sqlx::query_as("select id, name from departments where archived_at is null").fetch_all(pool).await)?;
    let metric_ids: std::collections::HashMap<String, i64> = metrics
        .into_iter()
        .map(|(i, n)| (n.to_lowercase(), i))
        .collect();
    let dept_ids: std::collections::HashMap<String, i64> = departments
        .into_iter()
        .map(|(i, n)| (n.to_lowercase(), i))
        .collect();
    let mut errors = Vec::new();
    let mut resolved: Vec<(i64, i64, String, f64)> = Vec::with_capacity(rows.len());
    for r in rows {
        let m = metric_ids.get(&r.metric.to_lowercase());
        let d = dept_ids.get(&r.department.to_lowercase());
        if m.is_none() {
            errors.push(CsvError {
                line: r.line,
                column: Some("metric".into()),
                message: format!("no metric is named '{}'", r.metric),
            });
        }
        if d.is_none() {
            errors.push(CsvError {
                line: r.line,
                column: Some("department".into()),
                message: format!("no active department is named '{}'", r.department),
            });
        }
        if let (Some(m), Some(d)) = (m, d) {
            resolved.push((*m, *d, r.period.to_string(), r.value));
        }
        if errors.len() >= 100 {
            break;
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Csv(errors));
    }
    let mut done = 0u64;
    write_tx!(db, tx => {
        for chunk in resolved.chunks(IMPORT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new("insert into metric_values (metric_id, department_id, period, value) ");
            qb.push_values(chunk, |mut b, (m, d, p, v)| {
                b.push_bind(*m).push_bind(*d).push_bind(p.as_str()).push_bind(*v);
            });
            qb.push(" on conflict (metric_id, department_id, period) do update set value = excluded.value");
            qb.build().execute(&mut *tx).await?;
            done += chunk.len() as u64;
            progress(done);
        }
    });
    Ok(done)
}

/// An outcome a business leader cares about.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// Id.
    pub id: i64,
    /// Department.
    pub department_id: i64,
    /// What matters.
    pub title: String,
    /// 1 (nice) to 5 (critical).
    pub weight: i64,
}

/// Adds an outcome for a department.
pub async fn insert_outcome(
    db: &Db,
    department: i64,
    title: &str,
    weight: i64,
    by: i64,
) -> Result<Outcome> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Outcome>(
        "insert into outcomes (department_id, title, weight, created_by, created_at) values ($1, $2, $3, $4, $5)
         returning id, department_id, title, weight",
    ).bind(department).bind(title).bind(weight).bind(by).bind(Utc::now()).fetch_one(pool).await)?)
}

/// Active outcomes (of one department, or all).
pub async fn outcomes(db: &Db, department: Option<i64>) -> Result<Vec<Outcome>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Outcome>(
        "select id, department_id, title, weight from outcomes where archived_at is null and ($1 is null or department_id = $1)
         order by department_id, weight desc, id",
    ).bind(department).fetch_all(pool).await)?)
}

/// Finds an outcome.
pub async fn find_outcome(db: &Db, id: i64) -> Result<Outcome> {
    on_db!(db, pool => sqlx::query_as::<_, Outcome>("select id, department_id, title, weight from outcomes where id = $1").bind(id).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound("outcome"))
}

/// Retires an outcome.
pub async fn archive_outcome(db: &Db, id: i64) -> Result<()> {
    let n = write_one!(db, pool => sqlx::query("update outcomes set archived_at = $1 where id = $2 and archived_at is null").bind(Utc::now()).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound("outcome"));
    }
    Ok(())
}

/// Says that a metric measures an outcome (or, with `false`, that it does not).
pub async fn set_mapping(db: &Db, metric: i64, outcome: i64, mapped: bool) -> Result<()> {
    find_metric(db, metric).await?;
    find_outcome(db, outcome).await?;
    if mapped {
        write_one!(db, pool => sqlx::query("insert into metric_outcomes (metric_id, outcome_id) values ($1, $2) on conflict do nothing").bind(metric).bind(outcome).execute(pool).await.map(|r| r.rows_affected()))?;
    } else {
        write_one!(db, pool => sqlx::query("delete from metric_outcomes where metric_id = $1 and outcome_id = $2").bind(metric).bind(outcome).execute(pool).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Every metric ↔ outcome mapping.
pub async fn mappings(db: &Db) -> Result<Vec<(i64, i64)>> {
    Ok(
        on_db!(db, pool => sqlx::query_as("select metric_id, outcome_id from metric_outcomes").fetch_all(pool).await)?,
    )
}

/// Metrics with at least one value since `since` (inclusive), per department.
pub async fn recently_measured(db: &Db, since: Period) -> Result<Vec<(i64, i64)>> {
    Ok(
        on_db!(db, pool => sqlx::query_as("select distinct metric_id, department_id from metric_values where period >= $1").bind(since.to_string()).fetch_all(pool).await)?,
    )
}
