//! `/api/v1` metrics, outcomes and coverage.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::metrics::{
    self as svc, Coverage, MetricFields, MetricState, OutcomeFields, ValueFields,
};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use duet_store::metrics::{self as store, Metric, MetricValue, Outcome, ValueChange};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(list_metrics).post(create_metric))
        .route("/metrics/import", post(import_values))
        .route("/metrics/{id}", get(get_metric))
        .route("/metrics/{id}/values", get(list_values).post(record_value))
        .route("/metrics/{id}/history", get(value_history))
        .route("/metrics/{id}/outcomes/{outcome}", put(set_mapping))
        .route("/outcomes", get(list_outcomes).post(add_outcome))
        .route("/outcomes/{id}", delete(archive_outcome))
        .route("/coverage", get(coverage))
}

/// The metric catalogue.
#[utoipa::path(get, path = "/metrics", tag = "metrics", params(MetricParams), responses((status = 200, body = Page<Metric>)))]
pub async fn list_metrics(
    State(state): State<AppState>,
    _who: ApiUser,
    ApiQuery(p): ApiQuery<MetricParams>,
) -> Result<Json<std::sync::Arc<Page<Metric>>>, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(
        svc::metrics_page(&state.db, &state.metrics, window).await?,
    ))
}

/// Which metrics, one page at a time (a metric belongs to no department; its values do).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricParams {
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Adds a metric (IT leaders).
#[utoipa::path(post, path = "/metrics", tag = "metrics", request_body = MetricFields, responses((status = 201, body = Metric), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_metric(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<MetricFields>,
) -> Result<(StatusCode, Json<Metric>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::create_metric(&state.db, &who.actor(), &f).await?),
    ))
}

/// A metric with each department's latest value, status and trend.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MetricView {
    /// The metric.
    pub metric: Metric,
    /// Per department.
    pub states: Vec<MetricState>,
}

/// One metric.
#[utoipa::path(get, path = "/metrics/{id}", tag = "metrics", params(("id" = i64, Path, description = "Metric id")), responses((status = 200, body = MetricView), (status = 404, body = ErrorBody)))]
pub async fn get_metric(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<MetricView>, AppError> {
    let metric = store::find_metric(&state.db, id).await?;
    let states = svc::metric_states(&state.db, &metric).await?;
    Ok(Json(MetricView { metric, states }))
}

/// Filters for values.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValueParams {
    /// Only this department.
    pub department_id: Option<i64>,
}

/// Every value of a metric, oldest first.
#[utoipa::path(get, path = "/metrics/{id}/values", tag = "metrics", params(("id" = i64, Path, description = "Metric id"), ValueParams), responses((status = 200, body = Vec<MetricValue>)))]
pub async fn list_values(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<ValueParams>,
) -> Result<Json<Vec<MetricValue>>, AppError> {
    Ok(Json(
        store::values(&state.db, Some(id), p.department_id).await?,
    ))
}

/// Records one value — the way monitoring tools push their numbers. Changing a month that already
/// has a different value needs `"replace": true` (409 naming `replace` otherwise); the change is
/// kept in the metric's history. `"99,7"` is read as 99.7; ambiguous text such as `"1,234"` is 422.
#[utoipa::path(post, path = "/metrics/{id}/values", tag = "metrics", params(("id" = i64, Path, description = "Metric id")), request_body = ValueFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_value(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ValueFields>,
) -> Result<StatusCode, AppError> {
    svc::record_value(&state.db, &who.actor(), id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many values an import wrote.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// Values written.
    pub values: u64,
}

/// Whether an import may replace values already recorded.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` to replace months that already have a different value (each change is kept in
    /// the history); without it such rows refuse the whole file with their line numbers.
    #[serde(default)]
    pub replace: bool,
}

/// Imports values from a CSV body (`metric,period,department,value`); all rows or none.
#[utoipa::path(post, path = "/metrics/import", tag = "metrics", params(ImportParams), request_body(content = String, content_type = "text/csv"), responses((status = 200, body = Imported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_values(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: Bytes,
) -> Result<Json<Imported>, AppError> {
    Ok(Json(Imported {
        values: svc::import_values(&state.db, &who.actor(), &body, p.replace).await?,
    }))
}

/// The history of a metric's values, newest first: who typed, replaced or imported which value,
/// when, and what it replaced.
#[utoipa::path(get, path = "/metrics/{id}/history", tag = "metrics", params(("id" = i64, Path, description = "Metric id")), responses((status = 200, body = Vec<ValueChange>), (status = 404, body = ErrorBody)))]
pub async fn value_history(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ValueChange>>, AppError> {
    store::find_metric(&state.db, id).await?;
    Ok(Json(store::value_history(&state.db, id, 500).await?))
}

/// Whether a metric measures an outcome.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MappingFields {
    /// True to map, false to unmap.
    #[serde(default)]
    pub mapped: bool,
}

/// Maps (or unmaps) a metric to an outcome.
#[utoipa::path(put, path = "/metrics/{id}/outcomes/{outcome}", tag = "metrics", params(("id" = i64, Path, description = "Metric id"), ("outcome" = i64, Path, description = "Outcome id")), request_body = MappingFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_mapping(
    State(state): State<AppState>,
    who: ApiUser,
    Path((id, outcome)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<MappingFields>,
) -> Result<StatusCode, AppError> {
    svc::map(&state.db, &who.actor(), id, outcome, f.mapped).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which outcomes, one page at a time.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeParams {
    /// Only this department.
    pub department_id: Option<i64>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// What business departments care about, one page at a time (by department, most important first).
#[utoipa::path(get, path = "/outcomes", tag = "metrics", params(OutcomeParams), responses((status = 200, body = Page<Outcome>)))]
pub async fn list_outcomes(
    State(state): State<AppState>,
    _who: ApiUser,
    ApiQuery(p): ApiQuery<OutcomeParams>,
) -> Result<Json<std::sync::Arc<Page<Outcome>>>, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(
        svc::outcomes_page(&state.db, &state.metrics, p.department_id, window).await?,
    ))
}

/// Adds an outcome (the department's leader, executives, admins).
#[utoipa::path(post, path = "/outcomes", tag = "metrics", request_body = OutcomeFields, responses((status = 201, body = Outcome), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_outcome(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<OutcomeFields>,
) -> Result<(StatusCode, Json<Outcome>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::add_outcome(&state.db, &who.actor(), &f).await?),
    ))
}

/// Retires an outcome.
#[utoipa::path(delete, path = "/outcomes/{id}", tag = "metrics", params(("id" = i64, Path, description = "Outcome id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn archive_outcome(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    svc::archive_outcome(&state.db, &who.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Coverage both ways: outcomes nobody measures, metrics nobody cares about, a score per department.
#[utoipa::path(get, path = "/coverage", tag = "metrics", responses((status = 200, body = Coverage)))]
pub async fn coverage(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<std::sync::Arc<Coverage>>, AppError> {
    Ok(Json(svc::coverage(&state.db, &state.metrics).await?))
}
