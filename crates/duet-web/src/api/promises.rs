//! `/api/v1` promises and trust.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::promises::{self as svc, PromiseFields, PromiseView, TrustPair, TrustPairView};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duet_store::promises::{Promise, PromiseFilter};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/promises", get(list_promises).post(create_promise))
        .route("/promises/import", post(import_history))
        .route("/promises/{id}", get(get_promise))
        .route("/promises/{id}/close", post(close_promise))
        .route("/promises/{id}/renegotiate", post(renegotiate))
        .route("/trust", get(trust))
        .route("/trust/{from}/{to}", get(trust_pair))
}

/// Ledger filters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PromiseParams {
    /// Made by this department.
    pub from: Option<i64>,
    /// Made to this department.
    pub to: Option<i64>,
    /// Only open promises.
    #[serde(default)]
    pub open: bool,
    /// Only open promises past their due date.
    #[serde(default)]
    pub overdue: bool,
    /// Page size.
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Lists promises (open ones soonest due first).
#[utoipa::path(get, path = "/promises", tag = "promises", params(PromiseParams), responses((status = 200, body = Page<Promise>)))]
pub async fn list_promises(
    State(state): State<AppState>,
    _who: ApiUser,
    ApiQuery(p): ApiQuery<PromiseParams>,
) -> Result<Response, AppError> {
    let f = PromiseFilter {
        from: p.from,
        to: p.to,
        open_only: p.open,
        overdue_on: p.overdue.then(|| chrono::Utc::now().date_naive()),
    };
    let cache = svc::PromiseCache::of(&state);
    let body =
        svc::cached_ledger_json(&cache, &state.db, f, PageRequest::new(p.limit, p.offset)).await?;
    Ok(json_body(&body))
}

/// Records a promise in someone's name (a due date is required). Only the promisor themself,
/// their department's business leader, an IT leader or an admin may (403 otherwise); the
/// promise then names both who promised and who recorded it.
#[utoipa::path(post, path = "/promises", tag = "promises", request_body = PromiseFields, responses((status = 201, body = Promise), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_promise(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<PromiseFields>,
) -> Result<(StatusCode, Json<Promise>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::record(&state.db, &state.promises, &who.actor(), &f).await?),
    ))
}

/// One promise with its history.
#[utoipa::path(get, path = "/promises/{id}", tag = "promises", params(("id" = i64, Path, description = "Promise id")), responses((status = 200, body = PromiseView), (status = 404, body = ErrorBody)))]
pub async fn get_promise(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PromiseView>, AppError> {
    Ok(Json(svc::view(&state.db, id).await?))
}

/// Kept or broken.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CloseFields {
    /// True when kept.
    #[serde(default)]
    pub kept: bool,
}

/// The promisee closes a promise as kept or broken.
#[utoipa::path(post, path = "/promises/{id}/close", tag = "promises", params(("id" = i64, Path, description = "Promise id")), request_body = CloseFields, responses((status = 200, body = Promise), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close_promise(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<CloseFields>,
) -> Result<Json<Promise>, AppError> {
    Ok(Json(svc::close(&state.db, &who.actor(), id, f.kept).await?))
}

/// A new due date.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RenegotiateFields {
    /// `YYYY-MM-DD`, later than the current due date.
    #[serde(default)]
    pub due_on: String,
}

/// The promisee agrees to a later due date, before the promise is due.
#[utoipa::path(post, path = "/promises/{id}/renegotiate", tag = "promises", params(("id" = i64, Path, description = "Promise id")), request_body = RenegotiateFields, responses((status = 200, body = Promise), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn renegotiate(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<RenegotiateFields>,
) -> Result<Json<Promise>, AppError> {
    Ok(Json(
        svc::renegotiate(&state.db, &who.actor(), id, &f.due_on).await?,
    ))
}

/// Trust for every department pair and direction, lowest first.
#[utoipa::path(get, path = "/trust", tag = "promises", responses((status = 200, body = Vec<TrustPair>)))]
pub async fn trust(State(state): State<AppState>, _who: ApiUser) -> Result<Response, AppError> {
    let body = svc::cached_trust_json(&svc::PromiseCache::of(&state), &state.db).await?;
    Ok(json_body(&body))
}

/// A JSON response from bytes serialized earlier (what `Json` would have sent).
fn json_body(body: &axum::body::Bytes) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body.clone(),
    )
        .into_response()
}

/// How trust from one department to another was earned and lost.
#[utoipa::path(get, path = "/trust/{from}/{to}", tag = "promises", params(("from" = i64, Path, description = "Promisor department"), ("to" = i64, Path, description = "Promisee department")), responses((status = 200, body = TrustPairView), (status = 404, body = ErrorBody)))]
pub async fn trust_pair(
    State(state): State<AppState>,
    _who: ApiUser,
    Path((from, to)): Path<(i64, i64)>,
) -> Result<Json<TrustPairView>, AppError> {
    Ok(Json(svc::trust_pair(&state.db, from, to).await?))
}

/// Imports a promise ledger's history from a CSV body
/// (`promisor_email,promisee_department,text,made_on,due_on,status,closed_on`), each promise
/// with its original dates and its trust events on the days they happened; all rows or none
/// (admins).
#[utoipa::path(post, path = "/promises/import", tag = "promises", params(svc::HistoryParams), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = duet_store::promises::HistorySummary), (status = 403, body = ErrorBody), (status = 422, description = "Bad rows, each with line and column in `error.details`", body = ErrorBody)))]
pub async fn import_history(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(q): ApiQuery<svc::HistoryParams>,
    body: axum::body::Bytes,
) -> Result<Json<duet_store::promises::HistorySummary>, AppError> {
    let summary = svc::import_history(
        &state.db,
        &who.actor(),
        state.config.time_zone,
        q.source.as_deref(),
        &body,
    )
    .await?;
    Ok(Json(summary))
}
