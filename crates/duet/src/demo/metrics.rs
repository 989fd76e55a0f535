//! The demo's metrics: a year of monthly values for the numbers IT keeps, the outcomes each
//! business leader says matter, and mappings with deliberate gaps both ways, so the coverage page
//! shows what the essays warn about.

use chrono::Utc;
use duet_core::metrics::{MetricInput, Period, ValueRow};
use duet_store::metrics as mx;
use duet_store::{Db, accounts, org};

/// (name, unit, direction, target, baseline, monthly drift, departments it is kept for).
type MetricSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static [&'static str],
);

const ALL_BUSINESS: &[&str] = &[
    "Accounting",
    "Business Development",
    "Customer Service",
    "Finance",
    "Human Resources",
    "Marketing",
    "Operations",
    "Sales",
];

const METRICS: &[MetricSpec] = &[
    (
        "CRM availability",
        "%",
        "higher_better",
        "99.5",
        99.1,
        0.04,
        &["Sales", "Business Development", "Customer Service"],
    ),
    (
        "ERP availability",
        "%",
        "higher_better",
        "99.5",
        99.6,
        0.0,
        &["Finance", "Accounting", "Operations"],
    ),
    (
        "Service desk first response",
        "hours",
        "lower_better",
        "4",
        7.5,
        -0.3,
        ALL_BUSINESS,
    ),
    (
        "Service desk satisfaction",
        "score /5",
        "higher_better",
        "4.2",
        3.7,
        0.04,
        ALL_BUSINESS,
    ),
    (
        "Open ticket backlog",
        "tickets",
        "lower_better",
        "40",
        75.0,
        -2.5,
        ALL_BUSINESS,
    ),
    (
        "New-hire accounts ready on day one",
        "%",
        "higher_better",
        "95",
        62.0,
        2.5,
        &["Human Resources"],
    ),
    (
        "Month-end close system issues",
        "incidents",
        "lower_better",
        "1",
        4.0,
        -0.2,
        &["Finance", "Accounting"],
    ),
    (
        "Warehouse scanner Wi-Fi drops",
        "per week",
        "lower_better",
        "5",
        22.0,
        -1.2,
        &["Operations"],
    ),
    (
        "Phishing test click rate",
        "%",
        "lower_better",
        "5",
        14.0,
        -0.6,
        ALL_BUSINESS,
    ),
    (
        "Change success rate",
        "%",
        "higher_better",
        "95",
        91.0,
        0.3,
        &["IT"],
    ),
    (
        "Server CPU utilisation",
        "%",
        "lower_better",
        "70",
        64.0,
        0.5,
        &["IT"],
    ),
    (
        "Patch compliance",
        "%",
        "higher_better",
        "98",
        93.0,
        0.35,
        &["IT"],
    ),
];

/// (department, outcome, weight, metrics that measure it).
const OUTCOMES: &[(&str, &str, i64, &[&str])] = &[
    (
        "Sales",
        "Reps can trust the pipeline every morning",
        5,
        &["CRM availability"],
    ),
    ("Sales", "Quotes go out the same day", 4, &[]),
    (
        "Sales",
        "Help when a deal is stuck on a system",
        3,
        &["Service desk first response"],
    ),
    (
        "Customer Service",
        "Agents never lose a customer's history",
        5,
        &["CRM availability"],
    ),
    (
        "Customer Service",
        "Shorter wait for customers on the phone",
        4,
        &[],
    ),
    (
        "Finance",
        "Close the books in three days",
        5,
        &["Month-end close system issues", "ERP availability"],
    ),
    ("Finance", "Reports the board can rely on", 3, &[]),
    (
        "Accounting",
        "Invoices paid on time",
        4,
        &["ERP availability"],
    ),
    (
        "Human Resources",
        "New hires productive on day one",
        5,
        &["New-hire accounts ready on day one"],
    ),
    (
        "Human Resources",
        "People data kept private",
        4,
        &["Phishing test click rate"],
    ),
    (
        "Marketing",
        "Campaign assets turned around within a day",
        5,
        &[],
    ),
    ("Marketing", "Web leads reach Sales within the hour", 4, &[]),
    (
        "Operations",
        "Pickers never wait for a scanner",
        5,
        &["Warehouse scanner Wi-Fi drops"],
    ),
    (
        "Operations",
        "Orders ship the day they are placed",
        4,
        &["ERP availability"],
    ),
    ("Business Development", "Partner data in one place", 3, &[]),
];

/// Seeds metrics, twelve months of values, outcomes and mappings, unless metrics exist.
pub async fn seed_metrics(db: &Db) -> anyhow::Result<()> {
    if !mx::list_metrics(db).await?.is_empty() {
        return Ok(());
    }
    let this_month = Period::of(Utc::now().date_naive());
    let mut rows = Vec::new();
    let mut seed = 0x2f6b_3c1d_9e85_4a07u64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 1000) as f64 / 1000.0 - 0.5
    };
    let mut line = 1;
    for (name, unit, direction, target, base, drift, departments) in METRICS {
        let input = MetricInput::parse(name, unit, direction, target, None)
            .map_err(|e| anyhow::anyhow!("{:?}", e.0))?;
        mx::insert_metric(db, &input).await?;
        for (k, dept) in departments.iter().enumerate() {
            for back in (0..12).rev() {
                let months_in = 11 - back;
                let spread = base.abs() * 0.02 + 0.1;
                let mut value = base
                    + drift * months_in as f64
                    + noise() * spread
                    + (k as f64 - 2.0) * spread * 0.3;
                if *unit == "%" {
                    value = value.clamp(0.0, 100.0);
                }
                value = value.max(0.0);
                line += 1;
                rows.push(ValueRow {
                    line,
                    metric: name.to_string(),
                    period: this_month.minus(back),
                    department: dept.to_string(),
                    value: (value * 100.0).round() / 100.0,
                });
            }
        }
    }
    mx::import_values(db, &rows, false, None, |_| {}).await?;
    let departments = org::list_departments(db, false).await?;
    let metrics = mx::list_metrics(db).await?;
    let users = accounts::list_users(db).await?;
    // One figure corrected by hand, so the metric page shows its history (old → new, who, when).
    let it_leader = users
        .iter()
        .find(|u| u.role == duet_core::Role::ItLeader)
        .map(|u| u.id);
    if let Some(first) = rows.last()
        && let (Some(m), Some(d)) = (
            metrics.iter().find(|x| x.name == first.metric),
            departments.iter().find(|x| x.name == first.department),
        )
    {
        let corrected = (first.value * 0.98 * 100.0).round() / 100.0;
        mx::upsert_value(db, m.id, d.id, first.period, corrected, true, it_leader).await?;
    }
    for (dept, title, weight, measured_by) in OUTCOMES {
        let Some(d) = departments.iter().find(|x| x.name == *dept) else {
            continue;
        };
        let by = users
            .iter()
            .find(|u| u.department_id == Some(d.id))
            .or_else(|| users.first())
            .map(|u| u.id);
        let Some(by) = by else { continue };
        let o = mx::insert_outcome(db, d.id, title, *weight, by).await?;
        for m in *measured_by {
            if let Some(metric) = metrics.iter().find(|x| x.name == *m) {
                mx::set_mapping(db, metric.id, o.id, true).await?;
            }
        }
    }
    tracing::info!(values = rows.len(), "demo metrics seeded");
    Ok(())
}
