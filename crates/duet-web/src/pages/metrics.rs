//! Metrics pages: the catalogue, one metric across departments (with the history of its values),
//! CSV import, and coverage. Links and buttons a role cannot use are not shown.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, Clock, FormErrors, Layout, render_status};
use crate::pages::done;
use crate::pages::form_errors;
use crate::service::metrics::{
    self as svc, Coverage, MetricFields, MetricState, OutcomeFields, ValueFields,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::metrics::Direction;
use duet_store::metrics::{self as store, Metric, Outcome, ValueChange};
use duet_store::org;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/measures", get(list_metrics).post(create_metric))
        .route("/measures/import", post(import_values))
        .route("/measures/{id}", get(show_metric))
        .route("/measures/{id}/values", post(record_value))
        .route("/measures/{id}/outcomes/{outcome}", post(set_mapping))
        .route("/coverage", get(show_coverage))
        .route("/coverage/outcomes", post(add_outcome))
        .route("/coverage/outcomes/{id}/archive", post(archive_outcome))
}

/// A tiny SVG line of the last values (server-drawn; no script). Only numbers go into it.
pub fn sparkline(values: &[f64]) -> String {
    if values.len() < 2 {
        return String::new();
    }
    let (min, max) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = (max - min).max(1e-9);
    let step = 100.0 / (values.len() - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                22.0 - (v - min) / span * 20.0
            )
        })
        .collect();
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 100 24\" width=\"100\" height=\"24\" role=\"img\" aria-label=\"trend of the last {} values\"><polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" points=\"{}\"/></svg>",
        values.len(),
        points.join(" ")
    )
}

#[derive(Template)]
#[template(path = "metrics/metrics.html")]
struct MetricsPage {
    layout: Layout,
    metrics: std::sync::Arc<Vec<Metric>>,
    can_manage: bool,
    form: MetricFields,
    directions: Vec<Choice>,
    errors: FormErrors,
    problems: Vec<String>,
}

async fn metrics_page(
    state: &AppState,
    who: &SignedIn,
    form: MetricFields,
    errors: FormErrors,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let metrics = svc::catalogue(&state.db, &state.metrics).await?;
    let directions = Choice::list(
        Direction::ALL
            .iter()
            .map(|d| (d.as_str().to_string(), d.label().to_string())),
        if form.direction.is_empty() {
            "higher_better"
        } else {
            &form.direction
        },
    );
    Ok(render_status(
        status,
        MetricsPage {
            layout: Layout::new(who, "Metrics", "metrics"),
            metrics,
            can_manage: can(&who.actor(), Action::ManageMetrics).is_ok(),
            form,
            directions,
            errors,
            problems,
        },
    ))
}

async fn list_metrics(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    metrics_page(
        &state,
        &who,
        MetricFields::default(),
        FormErrors::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn create_metric(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<MetricFields>,
) -> Result<Response, PageError> {
    match svc::create_metric(&state.db, &who.actor(), &f).await {
        Ok(m) => {
            done(
                &state,
                &who,
                &format!("/measures/{}", m.id),
                "Metric added.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            metrics_page(&state, &who, f, errors, Vec::new(), status).await
        }
    }
}

async fn import_values(
    State(state): State<AppState>,
    who: SignedIn,
    mut upload: Multipart,
) -> Result<Response, PageError> {
    can(&who.actor(), Action::ManageMetrics)?;
    // The file, and the "replace" checkbox: without it, a month that already has a different
    // value refuses the whole file with its line.
    let mut bytes = Vec::new();
    let mut replace = false;
    while let Some(field) = upload
        .next_field()
        .await
        .map_err(|e| AppError::invalid("file", e.body_text()))?
    {
        match field.name() {
            Some("file") => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::invalid("file", e.body_text()))?
                    .to_vec();
            }
            Some("replace") => replace = true,
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "choose a CSV file to import").into());
    }
    match svc::import_values(&state.db, &who.actor(), &bytes, replace).await {
        Ok(n) => done(&state, &who, "/measures", &format!("Imported {n} values.")).await,
        Err(AppError::Csv(errs)) => {
            let problems = errs.iter().map(|e| e.to_string()).collect();
            metrics_page(
                &state,
                &who,
                MetricFields::default(),
                FormErrors::default(),
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// One department's row with its sparkline drawn.
struct StateRow {
    s: MetricState,
    spark: String,
}

/// An outcome with whether this metric measures it, and whether the viewer may change that.
struct OutcomeRow {
    outcome: Outcome,
    department: String,
    mapped: bool,
    can_map: bool,
}

#[derive(Template)]
#[template(path = "metrics/metric.html")]
struct MetricPage {
    layout: Layout,
    m: Metric,
    rows: Vec<StateRow>,
    departments: Vec<Choice>,
    outcomes: Vec<OutcomeRow>,
    can_manage: bool,
    form: ValueFields,
    history: Vec<ValueChange>,
    clock: Clock,
    errors: FormErrors,
}

async fn metric_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    form: ValueFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let can_manage = can(&actor, Action::ManageMetrics).is_ok();
    let m = store::find_metric(&state.db, id).await?;
    let rows = svc::metric_states(&state.db, &m)
        .await?
        .into_iter()
        .map(|s| StateRow {
            spark: sparkline(&s.recent),
            s,
        })
        .collect();
    let departments = org::list_departments(&state.db, false).await?;
    let names: std::collections::HashMap<i64, String> =
        departments.iter().map(|d| (d.id, d.name.clone())).collect();
    let maps = store::mappings(&state.db).await?;
    let outcomes = store::outcomes(&state.db, None)
        .await?
        .into_iter()
        .map(|o| OutcomeRow {
            mapped: maps.contains(&(m.id, o.id)),
            can_map: can_manage
                || can(
                    &actor,
                    Action::ManageOutcomes {
                        department: duet_core::org::DepartmentId(o.department_id),
                    },
                )
                .is_ok(),
            department: names.get(&o.department_id).cloned().unwrap_or_default(),
            outcome: o,
        })
        .collect();
    let current = form
        .department_id
        .map(|d| d.to_string())
        .unwrap_or_default();
    let departments = Choice::list(
        departments.into_iter().map(|d| (d.id.to_string(), d.name)),
        &current,
    );
    let history = store::value_history(&state.db, id, 50).await?;
    Ok(render_status(
        status,
        MetricPage {
            layout: Layout::new(who, m.name.clone(), "metrics"),
            can_manage,
            m,
            rows,
            departments,
            outcomes,
            form,
            history,
            clock: Clock::of(state),
            errors,
        },
    ))
}

async fn show_metric(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    metric_page(
        &state,
        &who,
        id,
        ValueFields::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn record_value(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ValueFields>,
) -> Result<Response, PageError> {
    match svc::record_value(&state.db, &who.actor(), id, &f).await {
        Ok(()) => done(&state, &who, &format!("/measures/{id}"), "Value recorded.").await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            metric_page(&state, &who, id, f, errors, status).await
        }
    }
}

#[derive(serde::Deserialize)]
struct MapForm {
    #[serde(default, deserialize_with = "crate::service::de::flag")]
    mapped: bool,
}

async fn set_mapping(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, outcome)): Path<(i64, i64)>,
    Form(f): Form<MapForm>,
) -> Result<Response, PageError> {
    svc::map(&state.db, &who.actor(), id, outcome, f.mapped).await?;
    done(&state, &who, &format!("/measures/{id}"), "Saved.").await
}

#[derive(Template)]
#[template(path = "metrics/coverage.html")]
struct CoveragePage {
    layout: Layout,
    c: std::sync::Arc<Coverage>,
    /// Departments whose outcomes the viewer may add and retire.
    manageable: Vec<i64>,
    departments: Vec<Choice>,
    errors: FormErrors,
}

async fn coverage_page(
    state: &AppState,
    who: &SignedIn,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let c = svc::coverage(&state.db, &state.metrics).await?;
    let current = who
        .user
        .department_id
        .map(|d| d.to_string())
        .unwrap_or_default();
    let actor = who.actor();
    let manageable: Vec<i64> = c
        .departments
        .iter()
        .map(|d| d.department_id)
        .filter(|d| {
            can(
                &actor,
                Action::ManageOutcomes {
                    department: duet_core::org::DepartmentId(*d),
                },
            )
            .is_ok()
        })
        .collect();
    let departments = Choice::list(
        c.departments
            .iter()
            .filter(|d| manageable.contains(&d.department_id))
            .map(|d| (d.department_id.to_string(), d.department_name.clone())),
        &current,
    );
    Ok(render_status(
        status,
        CoveragePage {
            layout: Layout::new(who, "Coverage", "metrics"),
            c,
            manageable,
            departments,
            errors,
        },
    ))
}

async fn show_coverage(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    coverage_page(&state, &who, FormErrors::default(), StatusCode::OK).await
}

async fn add_outcome(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<OutcomeFields>,
) -> Result<Response, PageError> {
    match svc::add_outcome(&state.db, &who.actor(), &f).await {
        Ok(_) => done(&state, &who, "/coverage", "Outcome added.").await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            coverage_page(&state, &who, errors, status).await
        }
    }
}

async fn archive_outcome(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    svc::archive_outcome(&state.db, &who.actor(), id).await?;
    done(&state, &who, "/coverage", "Outcome retired.").await
}
