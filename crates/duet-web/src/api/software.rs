//! `/api/v1/software`: the software register (declare, edit, review, conditions, findings) and
//! advisory imports.

use crate::api::{ApiJson, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::software::{
    self as svc, EntryPage, ExpenseAdd, ExpenseItem, FindingFields, Imported, Register,
    ReviewFields, SoftwareFields,
};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/software", get(register).post(declare))
        .route("/software/{id}", get(entry).put(edit))
        .route("/software/{id}/reviews", post(review))
        .route("/software/{id}/conditions/{condition}/met", post(meet))
        .route("/software/{id}/findings/{finding}", post(decide))
        .route("/software/advisories/{source}", post(import))
        .route("/software/expenses", post(expenses))
        .route("/software/expenses/add", post(expenses_add))
}

/// Which part of the register.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterParams {
    /// Only this department's tools (its leaders' view: what they run, what is unreviewed, what
    /// has open findings, what it costs).
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    pub department: Option<i64>,
}

/// The register with its overlaps and counts (everyone).
#[utoipa::path(get, path = "/software", tag = "software", params(RegisterParams), responses((status = 200, body = Register), (status = 401, body = ErrorBody), (status = 404, description = "No department has the id in `department`", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<RegisterParams>,
) -> Result<axum::response::Response, AppError> {
    svc::register(&state.software, &state.db, &who.actor(), q.department)
        .await?
        .json()
}

/// Declares a tool; from its own department's people it also opens a request stating the need
/// it meets (the entry's `request_id`).
#[utoipa::path(post, path = "/software", tag = "software", request_body = SoftwareFields, responses((status = 201, body = EntryPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn declare(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<SoftwareFields>,
) -> Result<(StatusCode, Json<EntryPage>), AppError> {
    let actor = who.actor();
    let id = svc::declare(&state.db, &actor, &f).await?;
    Ok((
        StatusCode::CREATED,
        Json(svc::entry(&state.software, &state.db, &actor, id).await?),
    ))
}

/// One tool: its reviews, conditions, findings and overlaps.
#[utoipa::path(get, path = "/software/{id}", tag = "software", params(("id" = i64, Path, description = "Software id")), responses((status = 200, body = EntryPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn entry(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<EntryPage>, AppError> {
    Ok(Json(
        svc::entry(&state.software, &state.db, &who.actor(), id).await?,
    ))
}

/// Rewrites a tool's entry (its department's leaders, IT leaders, admins).
#[utoipa::path(put, path = "/software/{id}", tag = "software", params(("id" = i64, Path, description = "Software id")), request_body = SoftwareFields, responses((status = 200, body = EntryPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<SoftwareFields>,
) -> Result<Json<EntryPage>, AppError> {
    let actor = who.actor();
    svc::edit(&state.db, &actor, id, &f).await?;
    Ok(Json(
        svc::entry(&state.software, &state.db, &actor, id).await?,
    ))
}

/// Records a security review (IT leaders and admins): a "no" names a safe alternative.
#[utoipa::path(post, path = "/software/{id}/reviews", tag = "software", params(("id" = i64, Path, description = "Software id")), request_body = ReviewFields, responses((status = 201, body = EntryPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ReviewFields>,
) -> Result<(StatusCode, Json<EntryPage>), AppError> {
    let actor = who.actor();
    svc::review(&state.db, &actor, id, &f).await?;
    Ok((
        StatusCode::CREATED,
        Json(svc::entry(&state.software, &state.db, &actor, id).await?),
    ))
}

/// Marks a condition of the latest approval met; 409 if it already was.
#[utoipa::path(post, path = "/software/{id}/conditions/{condition}/met", tag = "software", params(("id" = i64, Path, description = "Software id"), ("condition" = i64, Path, description = "Condition id")), responses((status = 200, body = EntryPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn meet(
    State(state): State<AppState>,
    who: ApiUser,
    Path((id, condition)): Path<(i64, i64)>,
) -> Result<Json<EntryPage>, AppError> {
    let actor = who.actor();
    svc::meet_condition(&state.db, &actor, id, condition).await?;
    Ok(Json(
        svc::entry(&state.software, &state.db, &actor, id).await?,
    ))
}

/// Confirms, dismisses or resolves a finding, with a note (IT leaders and admins).
#[utoipa::path(post, path = "/software/{id}/findings/{finding}", tag = "software", params(("id" = i64, Path, description = "Software id"), ("finding" = i64, Path, description = "Finding id")), request_body = FindingFields, responses((status = 200, body = EntryPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    who: ApiUser,
    Path((id, finding)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<FindingFields>,
) -> Result<Json<EntryPage>, AppError> {
    let actor = who.actor();
    svc::decide_finding(&state.db, &actor, id, finding, &f).await?;
    Ok(Json(
        svc::entry(&state.software, &state.db, &actor, id).await?,
    ))
}

/// Imports an advisory file sent as the body (`source`: `kev` for CISA's catalogue as CSV or
/// JSON, `osv` for OSV records): all or nothing, every problem placed (422); then the register is
/// matched. Admins only.
#[utoipa::path(post, path = "/software/advisories/{source}", tag = "software", params(("source" = String, Path, description = "kev or osv")), request_body(content = String, content_type = "application/octet-stream"), responses((status = 201, body = Imported), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    who: ApiUser,
    Path(source): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Imported>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::import(&state.db, &who.actor(), &source, &body).await?),
    ))
}

/// Reads an expense export sent as the body (a CSV with `vendor`, `amount`, `date` and
/// `department` columns, by header name) into proposed register entries; writes nothing. Bad
/// cells are named by line and column (422).
#[utoipa::path(post, path = "/software/expenses", tag = "software", request_body(content = String, content_type = "text/csv"), responses((status = 200, body = [ExpenseItem]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn expenses(
    State(state): State<AppState>,
    who: ApiUser,
    body: Bytes,
) -> Result<Json<Vec<ExpenseItem>>, AppError> {
    Ok(Json(
        svc::propose_from_expenses(&state.db, &who.actor(), &body).await?,
    ))
}

/// Adds chosen proposals as register entries found in the expense export, all or none; returns
/// their ids.
#[utoipa::path(post, path = "/software/expenses/add", tag = "software", request_body = ExpenseAdd, responses((status = 201, body = [i64]), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn expenses_add(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<ExpenseAdd>,
) -> Result<(StatusCode, Json<Vec<i64>>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::add_from_expenses(&state.db, &who.actor(), &f).await?),
    ))
}
