//! `/api/v1/home`: what needs the token's owner today, the same lists as their home page.

use crate::api::ErrorBody;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::home::{self as svc, Home};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new().route("/home", get(get_home))
}

/// What needs you: the lists of your home page (requests to understand or decide, sign-offs,
/// needs to confirm, promises to keep or judge, reviews, surveys, your requests), each with its
/// total and first items. Reading it counts as looking (what is new is new since then). A reply
/// may be reused for up to two seconds while nothing was written.
#[utoipa::path(get, path = "/home", tag = "home", responses((status = 200, body = Home), (status = 401, body = ErrorBody)))]
pub async fn get_home(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<Arc<Home>>, AppError> {
    Ok(Json(
        svc::cached_home(&state.home, &state.db, &who.0, state.config.time_zone).await?,
    ))
}
