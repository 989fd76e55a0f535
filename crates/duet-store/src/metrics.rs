//! Metrics: catalogue, monthly values per department (typed, pushed or imported in bulk), the
//! outcomes each business leader cares about, and which metric measures which outcome.

use crate::{Db, Result, StoreError};
use chrono::{DateTime, Utc};
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
    let (id,): (i64,) = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| {
            sqlx::query_as(
        "insert into metrics (name, unit, direction, target, owner_id, created_at) values ($1, $2, $3, $4, $5, $6) returning id",
    ).bind(&input.name).bind(&input.unit).bind(input.direction.as_str()).bind(input.target).bind(input.owner).bind(Utc::now())
    .fetch_one(pool).await
        })
    }?;
    find_metric(db, id).await
}

/// One metric.
pub async fn find_metric(db: &Db, id: i64) -> Result<Metric> {
    const SQL: &str =
        "select m.id, m.name, m.unit, m.direction, m.target, m.owner_id, p.name as owner_name
        from metrics m left join people p on p.id = m.owner_id where m.id = $1";
    on_db!(db, |pool| sqlx::query_as::<_, Metric>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?
    .ok_or(StoreError::NotFound("metric"))
}

/// The catalogue by name.
pub async fn list_metrics(db: &Db) -> Result<Vec<Metric>> {
    const SQL: &str = "select m.id, m.name, m.unit, m.direction, m.target, m.owner_id, p.name as owner_name
        from metrics m left join people p on p.id = m.owner_id where m.archived_at is null order by m.name";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Metric>(SQL)
        .fetch_all(pool)
        .await)?)
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

/// Records one value; the metric and department must exist. A month that already has a value is
/// replaced only when `replace` says so (else 409 naming `replace`, so nobody overwrites a figure
/// by accident); every write is kept in the value's history (who, when, old → new). Writing the
/// value already stored changes nothing and is not refused.
pub async fn upsert_value(
    db: &Db,
    metric: i64,
    department: i64,
    period: Period,
    value: f64,
    replace: bool,
    by: Option<i64>,
) -> Result<()> {
    let period = period.to_string();
    let mut tx = db.begin_write().await?;
    let m: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select id from metrics where id = $1 and archived_at is null"
    )
    .bind(metric)
    .fetch_optional(c)
    .await)?;
    if m.is_none() {
        return Err(StoreError::Invalid(FieldError::new(
            "metric_id",
            "no metric has this id",
        )));
    }
    let d: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select id from departments where id = $1 and archived_at is null"
    )
    .bind(department)
    .fetch_optional(c)
    .await)?;
    if d.is_none() {
        return Err(StoreError::Invalid(FieldError::new(
            "department_id",
            "no active department has this id",
        )));
    }
    let old: Option<(f64,)> = on_db!(tx, |c| {
        sqlx::query_as("select value from metric_values where metric_id = $1 and department_id = $2 and period = $3")
        .bind(metric).bind(department).bind(&period).fetch_optional(c).await
    })?;
    let old = old.map(|(v,)| v);
    if old == Some(value) {
        return Ok(());
    }
    if let (Some(old), false) = (old, replace) {
        return Err(StoreError::Conflict(FieldError::new(
            "replace",
            format!(
                "{period} already has the value {old}; tick \"replace\" to change it to {value}"
            ),
        )));
    }
    on_db!(tx, |c| {
        sqlx::query("insert into metric_values (metric_id, department_id, period, value) values ($1, $2, $3, $4)
                 on conflict (metric_id, department_id, period) do update set value = excluded.value")
        .bind(metric).bind(department).bind(&period).bind(value).execute(c).await.map(|r| r.rows_affected())
    })?;
    on_db!(tx, |c| {
        sqlx::query("insert into metric_value_changes (metric_id, department_id, period, old_value, new_value, changed_by, source, changed_at)
                 values ($1, $2, $3, $4, $5, $6, 'entry', $7)")
        .bind(metric).bind(department).bind(&period).bind(old).bind(value).bind(by).bind(Utc::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// One change of a metric value: who wrote it, when, and what it replaced.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ValueChange {
    /// Department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Month, `YYYY-MM`.
    pub period: String,
    /// The value before (none when this was the first).
    pub old_value: Option<f64>,
    /// The value written.
    pub new_value: f64,
    /// Who (none for a command-line import).
    pub changed_by: Option<String>,
    /// `entry` (page or API) or `import` (CSV).
    pub source: String,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// The history of a metric's values, newest first.
pub async fn value_history(db: &Db, metric: i64, limit: i64) -> Result<Vec<ValueChange>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, ValueChange>(
        "select c.department_id, d.name as department_name, c.period, c.old_value, c.new_value, u.name as changed_by, c.source, c.changed_at
         from metric_value_changes c join departments d on d.id = c.department_id left join users u on u.id = c.changed_by
         where c.metric_id = $1 order by c.id desc limit $2",
    ).bind(metric).bind(limit).fetch_all(pool).await
    })?)
}

/// Values of one metric (or all metrics), oldest month first.
pub async fn values(
    db: &Db,
    metric: Option<i64>,
    department: Option<i64>,
) -> Result<Vec<MetricValue>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, MetricValue>(
        "select v.metric_id, v.department_id, d.name as department_name, v.period, v.value
         from metric_values v join departments d on d.id = v.department_id
         where ($1 is null or v.metric_id = $1) and ($2 is null or v.department_id = $2)
         order by v.metric_id, d.name, v.period",
    )
    .bind(metric)
    .bind(department)
    .fetch_all(pool)
    .await)?)
}

/// A department's latest `months` values of each metric up to `until` (inclusive), oldest month
/// first per metric, in metric id order: what a review's agenda reads (the last value and its
/// trend). Each metric is a short backwards walk of the values' primary key, however many years
/// of history the department has (`cross join` keeps SQLite from scanning every value first;
/// PostgreSQL plans it as the inner join it is).
pub async fn latest_values(
    db: &Db,
    department: i64,
    until: Period,
    months: i64,
) -> Result<Vec<MetricValue>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, MetricValue>(
        "select v.metric_id, v.department_id, d.name as department_name, v.period, v.value
         from metrics m cross join metric_values v
         join departments d on d.id = v.department_id
         where v.metric_id = m.id and v.department_id = $1
           and v.period in (select w.period from metric_values w
                            where w.metric_id = m.id and w.department_id = $1 and w.period <= $2
                            order by w.period desc limit $3)
         order by v.metric_id, v.period",
    )
    .bind(department)
    .bind(until.to_string())
    .bind(months)
    .fetch_all(pool)
    .await)?)
}

/// Rows per insert statement: 4 parameters each stays far below both databases' limits.
const IMPORT_CHUNK: usize = 1000;

/// Imports parsed values in one transaction, all or nothing. Unknown metric or department names
/// and a month named twice fail the whole file with their lines. A month that already has a
/// *different* value fails it too (with the line), unless `replace`: then the value is replaced
/// and the change kept in the value's history (source `import`, by `by`). Re-importing the same
/// figures changes nothing. `progress` gets the rows done.
pub async fn import_values(
    db: &Db,
    rows: &[ValueRow],
    replace: bool,
    by: Option<i64>,
    mut progress: impl FnMut(u64) + Send,
) -> Result<u64> {
    let metrics: Vec<(i64, String)> = on_db!(db, |pool| sqlx::query_as(
        "select id, name from metrics where archived_at is null"
    )
    .fetch_all(pool)
    .await)?;
    let departments: Vec<(i64, String)> = on_db!(db, |pool| sqlx::query_as(
        "select id, name from departments where archived_at is null"
    )
    .fetch_all(pool)
    .await)?;
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
    let mut lines: std::collections::HashMap<(i64, i64, Period), u64> =
        std::collections::HashMap::with_capacity(rows.len());
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
            if let Some(first) = lines.insert((*m, *d, r.period), r.line) {
                errors.push(CsvError {
                    line: r.line,
                    column: Some("period".into()),
                    message: format!(
                        "{} for {} in {} is already on line {first}",
                        r.metric, r.department, r.period
                    ),
                });
            }
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
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    {
        let mut clashes = Vec::new();
        for chunk in resolved.chunks(IMPORT_CHUNK) {
            // The months of this chunk that already hold a different value.
            let ran = on_db!(tx, |c| {
                let mut qb = sqlx::QueryBuilder::new(
                    "select v.metric_id, v.department_id, v.period, v.value, n.column4 from (",
                );
                qb.push_values(chunk, |mut b, (m, d, p, v)| {
                    b.push_bind(*m)
                        .push_bind(*d)
                        .push_bind(p.as_str())
                        .push_bind(*v);
                });
                qb.push(") n join metric_values v on v.metric_id = n.column1 and v.department_id = n.column2 and v.period = n.column3 where v.value <> n.column4");
                qb.build_query_as().fetch_all(c).await
            });
            let changed: Vec<(i64, i64, String, f64, f64)> = ran?;
            if !replace {
                for (m, d, p, old, new) in changed {
                    if clashes.len() >= 100 {
                        break;
                    }
                    clashes.push(CsvError {
                        line: Period::parse(&p)
                            .ok()
                            .and_then(|k| lines.get(&(m, d, k)).copied())
                            .unwrap_or(0),
                        column: Some("value".into()),
                        message: format!("{p} already has the value {old}, not {new}; import with replace to change it"),
                    });
                }
                if !clashes.is_empty() {
                    continue;
                }
            } else if !changed.is_empty() {
                let ran = on_db!(tx, |c| {
                    let mut qb = sqlx::QueryBuilder::new(
                        "insert into metric_value_changes (metric_id, department_id, period, old_value, new_value, changed_by, source, changed_at) ",
                    );
                    qb.push_values(&changed, |mut b, (m, d, p, old, new)| {
                        b.push_bind(*m)
                            .push_bind(*d)
                            .push_bind(p.as_str())
                            .push_bind(*old)
                            .push_bind(*new)
                            .push_bind(by)
                            .push_bind("import")
                            .push_bind(now);
                    });
                    qb.build().execute(c).await.map(|r| r.rows_affected())
                });
                ran?;
            }
            let wrote = on_db!(tx, |c| {
                let mut qb = sqlx::QueryBuilder::new(
                    "insert into metric_values (metric_id, department_id, period, value) ",
                );
                qb.push_values(chunk, |mut b, (m, d, p, v)| {
                    b.push_bind(*m)
                        .push_bind(*d)
                        .push_bind(p.as_str())
                        .push_bind(*v);
                });
                qb.push(" on conflict (metric_id, department_id, period) do update set value = excluded.value");
                qb.build().execute(c).await.map(|r| r.rows_affected())
            });
            wrote?;
            done += chunk.len() as u64;
            progress(done);
        }
        if !clashes.is_empty() {
            clashes.sort_by_key(|e| e.line);
            return Err(StoreError::Csv(clashes));
        }
    };
    tx.commit().await?;
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
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Outcome>(
        "insert into outcomes (department_id, title, weight, created_by, created_at) values ($1, $2, $3, $4, $5)
         returning id, department_id, title, weight",
    ).bind(department).bind(title).bind(weight).bind(by).bind(Utc::now()).fetch_one(pool).await
    })?)
}

/// Active outcomes (of one department, or all).
pub async fn outcomes(db: &Db, department: Option<i64>) -> Result<Vec<Outcome>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Outcome>(
        "select id, department_id, title, weight from outcomes where archived_at is null and ($1 is null or department_id = $1)
         order by department_id, weight desc, id",
    ).bind(department).fetch_all(pool).await
    })?)
}

/// Finds an outcome.
pub async fn find_outcome(db: &Db, id: i64) -> Result<Outcome> {
    on_db!(db, |pool| sqlx::query_as::<_, Outcome>(
        "select id, department_id, title, weight from outcomes where id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("outcome"))
}

/// Retires an outcome.
pub async fn archive_outcome(db: &Db, id: i64) -> Result<()> {
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update outcomes set archived_at = $1 where id = $2 and archived_at is null"
        )
        .bind(Utc::now())
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
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
        {
            let _turn = db.write_turn().await;
            on_db!(db, |pool| {
                sqlx::query("insert into metric_outcomes (metric_id, outcome_id) values ($1, $2) on conflict do nothing").bind(metric).bind(outcome).execute(pool).await.map(|r| r.rows_affected())
            })
        }?;
    } else {
        {
            let _turn = db.write_turn().await;
            on_db!(db, |pool| sqlx::query(
                "delete from metric_outcomes where metric_id = $1 and outcome_id = $2"
            )
            .bind(metric)
            .bind(outcome)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        }?;
    }
    Ok(())
}

/// Every metric ↔ outcome mapping.
pub async fn mappings(db: &Db) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select metric_id, outcome_id from metric_outcomes"
    )
    .fetch_all(pool)
    .await)?)
}

/// Metrics with at least one value since `since` (inclusive), per department.
pub async fn recently_measured(db: &Db, since: Period) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select distinct metric_id, department_id from metric_values where period >= $1"
    )
    .bind(since.to_string())
    .fetch_all(pool)
    .await)?)
}

/// The catalogue by name, one page at a time (metrics belong to no department: their values do).
pub async fn page_metrics(db: &Db, window: crate::PageRequest) -> Result<crate::Page<Metric>> {
    const SQL: &str =
        "select m.id, m.name, m.unit, m.direction, m.target, m.owner_id, p.name as owner_name
        from metrics m left join people p on p.id = m.owner_id where m.archived_at is null
        order by m.name, m.id limit $1 offset $2";
    let items = on_db!(db, |pool| sqlx::query_as::<_, Metric>(SQL)
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(pool)
        .await)?;
    let (total,): (i64,) = on_db!(db, |pool| sqlx::query_as(
        "select count(*) from metrics where archived_at is null"
    )
    .fetch_one(pool)
    .await)?;
    Ok(crate::Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}

/// Active outcomes (of one department, or all), one page at a time, in the order of [`outcomes`].
pub async fn page_outcomes(
    db: &Db,
    department: Option<i64>,
    window: crate::PageRequest,
) -> Result<crate::Page<Outcome>> {
    const ONE: &str = "select id, department_id, title, weight from outcomes
        where archived_at is null and department_id = $1
        order by department_id, weight desc, id limit $2 offset $3";
    const ALL: &str =
        "select id, department_id, title, weight from outcomes where archived_at is null
        order by department_id, weight desc, id limit $1 offset $2";
    let (items, total): (Vec<Outcome>, i64) = match department {
        Some(d) => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Outcome>(ONE)
                .bind(d)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
                "select count(*) from outcomes where archived_at is null and department_id = $1"
            )
            .bind(d)
            .fetch_one(pool)
            .await)?;
            (rows, n)
        }
        None => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Outcome>(ALL)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
                "select count(*) from outcomes where archived_at is null"
            )
            .fetch_one(pool)
            .await)?;
            (rows, n)
        }
    };
    Ok(crate::Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}
