//! Metrics: the checked actions shared by pages and the API, and the coverage report both ways
//! (outcomes nobody measures, metrics nobody cares about).

use crate::error::AppError;
use crate::service::de;
use chrono::Utc;
use duet_core::auth::{Action, Actor, can};
use duet_core::metrics::{
    self as rules, MetricInput, OutcomeCoverage, Period, TargetStatus, Trend,
};
use duet_core::org::DepartmentId;
use duet_store::Db;
use duet_store::metrics::{self as store, Metric, Outcome};
use std::sync::Arc;

/// A metric (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MetricFields {
    /// Unique name.
    #[serde(default)]
    pub name: String,
    /// Unit.
    #[serde(default)]
    pub unit: String,
    /// higher_better or lower_better.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::metrics::Direction>)]
    pub direction: String,
    /// Target (empty for none).
    #[serde(default, deserialize_with = "de::amount")]
    pub target: String,
    /// Owner (person id).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub owner_id: Option<i64>,
}

/// Adds a metric.
pub async fn create_metric(db: &Db, actor: &Actor, f: &MetricFields) -> Result<Metric, AppError> {
    can(actor, Action::ManageMetrics)?;
    let input = MetricInput::parse(&f.name, &f.unit, &f.direction, &f.target, f.owner_id)?;
    Ok(store::insert_metric(db, &input).await?)
}

/// One value (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ValueFields {
    /// Department.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub department_id: Option<i64>,
    /// `YYYY-MM`.
    #[serde(default)]
    pub period: String,
    /// The value: a number, or text with a decimal point or a decimal comma (`99,7`); text a
    /// reader could take two ways (`1,234`) is refused.
    #[serde(default, deserialize_with = "de::amount")]
    #[schema(value_type = String, example = "99.7")]
    pub value: String,
    /// Required to change a month that already has a (different) value; without it such a value
    /// is refused with 409 naming `replace`. The change is kept in the value's history.
    #[serde(default, deserialize_with = "de::flag")]
    pub replace: bool,
}

/// Records a value; the period must be a real month not in the future. Changing a month that
/// already has another value needs `replace` (409 otherwise) and is kept in the history.
pub async fn record_value(
    db: &Db,
    actor: &Actor,
    metric: i64,
    f: &ValueFields,
) -> Result<(), AppError> {
    can(actor, Action::ManageMetrics)?;
    let mut errs = duet_core::ValidationErrors::default();
    let period = errs.check(Period::parse(&f.period));
    if period.is_some_and(|p| p > Period::of(Utc::now().date_naive())) {
        errs.0.push(duet_core::FieldError::new(
            "period",
            "must not be in the future",
        ));
    }
    let value = errs.check(rules::parse_value("value", &f.value));
    let department = f
        .department_id
        .ok_or_else(|| AppError::invalid("department_id", "is required"))?;
    match (period, value) {
        (Some(p), Some(v)) if errs.0.is_empty() => {
            Ok(
                store::upsert_value(db, metric, department, p, v, f.replace, Some(actor.user.0))
                    .await?,
            )
        }
        _ => Err(errs.into()),
    }
}

/// Imports values from CSV (all rows or none). A month that already has a different value
/// refuses the file (with the line) unless `replace`; replaced values are kept in the history.
pub async fn import_values(
    db: &Db,
    actor: &Actor,
    csv: &[u8],
    replace: bool,
) -> Result<u64, AppError> {
    can(actor, Action::ManageMetrics)?;
    let rows = rules::parse_values_csv(csv).map_err(AppError::Csv)?;
    Ok(store::import_values(db, &rows, replace, Some(actor.user.0), |_| {}).await?)
}

/// A metric's latest state in one department.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MetricState {
    /// Department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Latest month with a value.
    pub period: String,
    /// Latest value.
    pub value: f64,
    /// Against the target.
    pub status: TargetStatus,
    /// Where it is heading.
    pub trend: Trend,
    /// The last twelve values, oldest first (for the sparkline).
    pub recent: Vec<f64>,
}

/// Each department's latest value, status and trend for one metric.
pub async fn metric_states(db: &Db, metric: &Metric) -> Result<Vec<MetricState>, AppError> {
    let values = store::values(db, Some(metric.id), None).await?;
    let mut out: Vec<MetricState> = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let dept = values[i].department_id;
        let j = values[i..]
            .iter()
            .position(|v| v.department_id != dept)
            .map_or(values.len(), |k| i + k);
        let series: Vec<f64> = values[i..j].iter().map(|v| v.value).collect();
        let last = &values[j - 1];
        out.push(MetricState {
            department_id: dept,
            department_name: last.department_name.clone(),
            period: last.period.clone(),
            value: last.value,
            status: rules::status(last.value, metric.target, metric.direction),
            trend: rules::trend(&series, metric.direction),
            recent: series.iter().rev().take(12).rev().copied().collect(),
        });
        i = j;
    }
    Ok(out)
}

/// An outcome (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct OutcomeFields {
    /// Department.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub department_id: Option<i64>,
    /// What matters.
    #[serde(default)]
    pub title: String,
    /// 1 to 5.
    #[serde(default)]
    pub weight: i64,
}

/// Adds an outcome a department cares about.
pub async fn add_outcome(db: &Db, actor: &Actor, f: &OutcomeFields) -> Result<Outcome, AppError> {
    let dept = f
        .department_id
        .ok_or_else(|| AppError::invalid("department_id", "is required"))?;
    can(
        actor,
        Action::ManageOutcomes {
            department: DepartmentId(dept),
        },
    )?;
    let title = duet_core::error::bounded_text("title", &f.title, 3, 200)?;
    if !(1..=5).contains(&f.weight) {
        return Err(AppError::invalid("weight", "must be between 1 and 5"));
    }
    Ok(store::insert_outcome(db, dept, &title, f.weight, actor.user.0).await?)
}

/// Retires an outcome.
pub async fn archive_outcome(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    let o = store::find_outcome(db, id).await?;
    can(
        actor,
        Action::ManageOutcomes {
            department: DepartmentId(o.department_id),
        },
    )?;
    Ok(store::archive_outcome(db, id).await?)
}

/// Says whether a metric measures an outcome (IT and the outcome's department may).
pub async fn map(
    db: &Db,
    actor: &Actor,
    metric: i64,
    outcome: i64,
    mapped: bool,
) -> Result<(), AppError> {
    let o = store::find_outcome(db, outcome).await?;
    if can(actor, Action::ManageMetrics).is_err() {
        can(
            actor,
            Action::ManageOutcomes {
                department: DepartmentId(o.department_id),
            },
        )?;
    }
    Ok(store::set_mapping(db, metric, outcome, mapped).await?)
}

/// One outcome in the coverage report.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CoveredOutcome {
    /// The outcome.
    pub outcome: Outcome,
    /// Metrics mapped to it.
    pub metrics: Vec<String>,
    /// Whether one of them has a value for this department in the last three months.
    pub measured: bool,
}

/// Coverage of one business department.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DepartmentCoverage {
    /// Department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Share of what it cares about (by weight) that is measured, 0..100.
    pub score: Option<f64>,
    /// Its outcomes, each measured or not.
    pub outcomes: Vec<CoveredOutcome>,
}

/// The coverage report both ways.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Coverage {
    /// Per business department.
    pub departments: Vec<DepartmentCoverage>,
    /// Metrics no outcome maps to: measured, but nobody said they care.
    pub metrics_nobody_cares_about: Vec<Metric>,
}

/// Builds the coverage report.
pub async fn coverage(db: &Db, caches: &MetricCaches) -> Result<Arc<Coverage>, AppError> {
    caches.coverage.get_or_load(|| read_coverage(db)).await
}

/// Recently computed figures of the metrics area, per process (`service::fresh`): coverage
/// joins every department, metric, outcome, mapping and the last three months' values, five
/// reads and a nested match per view, which held it to a tenth of a bare handler (issue 11).
#[derive(Default)]
pub struct MetricCaches {
    coverage: crate::service::fresh::FreshCell<Coverage>,
    catalogue: crate::service::fresh::FreshCell<Vec<Metric>>,
    pages: crate::service::fresh::FreshMap<duet_store::PageRequest, duet_store::Page<Metric>>,
    outcomes: crate::service::fresh::FreshMap<
        (Option<i64>, duet_store::PageRequest),
        duet_store::Page<Outcome>,
    >,
}

/// The whole metric catalogue (the metrics page lists it), read at most once per write epoch
/// and two seconds.
pub async fn catalogue(db: &Db, caches: &MetricCaches) -> Result<Arc<Vec<Metric>>, AppError> {
    Ok(caches
        .catalogue
        .get_or_load(|| store::list_metrics(db))
        .await?)
}

/// One page of the catalogue, as [`catalogue`] is kept.
pub async fn metrics_page(
    db: &Db,
    caches: &MetricCaches,
    window: duet_store::PageRequest,
) -> Result<Arc<duet_store::Page<Metric>>, AppError> {
    Ok(caches
        .pages
        .get_or_load(window, || store::page_metrics(db, window))
        .await?)
}

/// One page of outcomes (of one department or all), as [`catalogue`] is kept.
pub async fn outcomes_page(
    db: &Db,
    caches: &MetricCaches,
    department: Option<i64>,
    window: duet_store::PageRequest,
) -> Result<Arc<duet_store::Page<Outcome>>, AppError> {
    Ok(caches
        .outcomes
        .get_or_load((department, window), || {
            store::page_outcomes(db, department, window)
        })
        .await?)
}

/// [`coverage`] without its cache.
async fn read_coverage(db: &Db) -> Result<Coverage, AppError> {
    let departments = duet_store::org::list_departments(db, false).await?;
    let metrics = store::list_metrics(db).await?;
    let outcomes = store::outcomes(db, None).await?;
    let maps = store::mappings(db).await?;
    let since = Period::of(Utc::now().date_naive()).minus(2);
    let measured = store::recently_measured(db, since).await?;
    let name = |m: i64| {
        metrics
            .iter()
            .find(|x| x.id == m)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for d in departments
        .iter()
        .filter(|d| d.kind == duet_core::org::DepartmentKind::Business)
    {
        let mut covered = Vec::new();
        for o in outcomes.iter().filter(|o| o.department_id == d.id) {
            let ms: Vec<i64> = maps
                .iter()
                .filter(|(_, oid)| *oid == o.id)
                .map(|(m, _)| *m)
                .collect();
            let is_measured = ms.iter().any(|m| measured.contains(&(*m, d.id)));
            covered.push(CoveredOutcome {
                outcome: o.clone(),
                metrics: ms.iter().map(|m| name(*m)).collect(),
                measured: is_measured,
            });
        }
        let score = rules::coverage_score(
            &covered
                .iter()
                .map(|c| OutcomeCoverage {
                    weight: u8::try_from(c.outcome.weight).unwrap_or(1),
                    measured: c.measured,
                })
                .collect::<Vec<_>>(),
        );
        out.push(DepartmentCoverage {
            department_id: d.id,
            department_name: d.name.clone(),
            score,
            outcomes: covered,
        });
    }
    let cared: std::collections::HashSet<i64> = maps.iter().map(|(m, _)| *m).collect();
    Ok(Coverage {
        departments: out,
        metrics_nobody_cares_about: metrics
            .into_iter()
            .filter(|m| !cared.contains(&m.id))
            .collect(),
    })
}
