//! `/api/v1/relationships`: every business department's relationship with IT, signal by signal.

use crate::api::ErrorBody;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::relationships::{self as svc, Overview, Pair};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/relationships", get(overview))
        .route("/relationships/{department}", get(pair))
}

/// Every relationship the caller may see (all for IT leaders, executives and admins; a business
/// leader's own department's), most troubled first; each signal with its band and evidence.
#[utoipa::path(get, path = "/relationships", tag = "relationships", responses((status = 200, body = Overview), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<Overview>, AppError> {
    Ok(Json(
        svc::overview(&state.relationships, svc::Sources::of(&state), &who.actor()).await?,
    ))
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
