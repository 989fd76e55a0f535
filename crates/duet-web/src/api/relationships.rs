//! `/api/v1/relationships`: every business department's relationship with IT, signal by signal.

use crate::api::{ApiJson, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::relationships::catalogue::{Catalogue, CatalogueFields};
use crate::service::relationships::views::{JudgementFields, ThresholdFields, ThresholdsView};
use crate::service::relationships::{self as svc, ActionFields, OverviewSummary, Pair};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use duet_store::promises::Promise;
use duet_store::relationships::Warning;
use duet_store::relationships::views::Judgement;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/relationships", get(overview))
        .route("/relationships/map", get(map))
        .route("/relationships/{department}", get(pair))
        .route(
            "/relationships/{department}/warnings/{id}/acknowledge",
            post(acknowledge),
        )
        .route(
            "/relationships/{department}/warnings/{id}/actions",
            post(plan_action),
        )
        .route(
            "/relationships/thresholds",
            get(thresholds).put(set_thresholds),
        )
        .route("/relationships/{department}/judgements", post(judge))
        .route("/relationships/services", get(services).put(edit_services))
}

/// The catalogue of IT services the IT service gap survey asks about (the newest version of the
/// `it-service-gap` instrument). Anyone who may see a relationship may read it.
#[utoipa::path(get, path = "/relationships/services", tag = "relationships", responses((status = 200, body = Catalogue), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn services(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<Catalogue>, AppError> {
    Ok(Json(
        svc::catalogue::catalogue(&state.relationships, svc::Sources::of(&state), &who.actor())
            .await?,
    ))
}

/// Records an edited catalogue as the instrument's next version (IT leaders and admins): one
/// service per line; a service whose name is kept keeps its code. Every bad line is named and
/// nothing is written. Returns the catalogue now in force (unchanged: no new version).
#[utoipa::path(put, path = "/relationships/services", tag = "relationships", request_body = CatalogueFields, responses((status = 200, body = Catalogue), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit_services(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<CatalogueFields>,
) -> Result<Json<Catalogue>, AppError> {
    let actor = who.actor();
    svc::catalogue::edit(svc::Sources::of(&state), &actor, &f).await?;
    Ok(Json(
        svc::catalogue::catalogue(&state.relationships, svc::Sources::of(&state), &actor).await?,
    ))
}

/// The thresholds and weights in force for every signal, and the last 50 changes (who, when,
/// why). Anyone who may see a relationship may read them.
#[utoipa::path(get, path = "/relationships/thresholds", tag = "relationships", responses((status = 200, body = ThresholdsView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn thresholds(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<ThresholdsView>, AppError> {
    Ok(Json(
        svc::views::thresholds(&state.relationships, svc::Sources::of(&state), &who.actor())
            .await?,
    ))
}

/// Records a new version of the thresholds of every listed signal that changed, all or none,
/// with the reason (IT leaders and admins). Returns the thresholds now in force.
#[utoipa::path(put, path = "/relationships/thresholds", tag = "relationships", request_body = ThresholdFields, responses((status = 200, body = ThresholdsView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_thresholds(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<ThresholdFields>,
) -> Result<Json<ThresholdsView>, AppError> {
    let actor = who.actor();
    svc::views::set_thresholds(svc::Sources::of(&state), &actor, &f).await?;
    Ok(Json(
        svc::views::thresholds(&state.relationships, svc::Sources::of(&state), &actor).await?,
    ))
}

/// Records a leader's own view of a relationship — how it feels (1–5), the maturity they see,
/// why — kept beside the computed view (the department's business leader, IT leaders,
/// executives).
#[utoipa::path(post, path = "/relationships/{department}/judgements", tag = "relationships", params(("department" = i64, Path, description = "Business department id")), request_body = JudgementFields, responses((status = 201, body = Judgement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn judge(
    State(state): State<AppState>,
    who: ApiUser,
    Path(department): Path<i64>,
    ApiJson(f): ApiJson<JudgementFields>,
) -> Result<(axum::http::StatusCode, Json<Judgement>), AppError> {
    let j = svc::views::judge(svc::Sources::of(&state), &who.actor(), department, &f).await?;
    Ok((axum::http::StatusCode::CREATED, Json(j)))
}

/// Plans an action against an open warning: a promise from its owner's side of the pair to the
/// other, recorded in the trust ledger and linked to the warning.
#[utoipa::path(post, path = "/relationships/{department}/warnings/{id}/actions", tag = "relationships", params(("department" = i64, Path, description = "Business department id"), ("id" = i64, Path, description = "Warning id")), request_body = ActionFields, responses((status = 201, body = Promise), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn plan_action(
    State(state): State<AppState>,
    who: ApiUser,
    Path((department, id)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<ActionFields>,
) -> Result<(axum::http::StatusCode, Json<Promise>), AppError> {
    let p = svc::plan_action(svc::Sources::of(&state), &who.actor(), department, id, &f).await?;
    Ok((axum::http::StatusCode::CREATED, Json(p)))
}

/// What is being done about a warning.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AcknowledgeFields {
    /// 3 to 500 characters.
    #[serde(default)]
    pub note: String,
}

/// Acknowledges an open early warning with a note (the pair's leader, IT leaders, executives,
/// admins); 409 once cleared or acknowledged.
#[utoipa::path(post, path = "/relationships/{department}/warnings/{id}/acknowledge", tag = "relationships", params(("department" = i64, Path, description = "Business department id"), ("id" = i64, Path, description = "Warning id")), request_body = AcknowledgeFields, responses((status = 200, body = Warning), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    who: ApiUser,
    Path((department, id)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<AcknowledgeFields>,
) -> Result<Json<Warning>, AppError> {
    Ok(Json(
        svc::acknowledge(
            svc::Sources::of(&state),
            &who.actor(),
            department,
            id,
            &f.note,
        )
        .await?,
    ))
}

/// Every relationship the caller may see (all for IT leaders, executives and admins; a business
/// leader's own department's), most troubled first; each signal with its band and evidence.
#[utoipa::path(get, path = "/relationships", tag = "relationships", responses((status = 200, body = OverviewSummary), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<axum::response::Response, AppError> {
    let body =
        svc::overview_json(&state.relationships, svc::Sources::of(&state), &who.actor()).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// Who works with whom: requests, promises and reviews between every two departments over the
/// last 12 months (business with business too), the silos and the overlaps. Only for readers
/// who see every department (403 for a business leader, who sees their own pair only).
#[utoipa::path(get, path = "/relationships/map", tag = "relationships", responses((status = 200, body = svc::map::Interactions), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn map(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<axum::response::Response, AppError> {
    let body = svc::map_json(&state.relationships, svc::Sources::of(&state), &who.actor()).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// One business department's relationship with IT.
#[utoipa::path(get, path = "/relationships/{department}", tag = "relationships", params(("department" = i64, Path, description = "Business department id")), responses((status = 200, body = Pair), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn pair(
    State(state): State<AppState>,
    who: ApiUser,
    Path(department): Path<i64>,
) -> Result<Json<Pair>, AppError> {
    Ok(Json(
        svc::pair(
            &state.relationships,
            svc::Sources::of(&state),
            &who.actor(),
            department,
        )
        .await?,
    ))
}
