//! Single sign-on for admins in the API: the settings as Duet reads them (never the secret),
//! whether the provider answers, and what a set of claims maps to. The sign-in itself is a
//! browser flow (`/login/sso`).

use crate::api::{ApiJson, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::sso::{self as svc, Preview, PreviewFields, SsoSummary};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sso", get(summary))
        .route("/sso/preview", post(preview))
}

/// Single sign-on as configured, and whether the provider answers (admins).
#[utoipa::path(get, path = "/sso", tag = "accounts", responses((status = 200, body = SsoSummary), (status = 403, body = ErrorBody)))]
pub async fn summary(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<SsoSummary>, AppError> {
    Ok(Json(svc::summary(&state, &who.actor()).await?))
}

/// What a sign-in with these claims would do: refused or not, the role and the department
/// (admins; nothing is changed).
#[utoipa::path(post, path = "/sso/preview", tag = "accounts", request_body = PreviewFields, responses((status = 200, body = Preview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<PreviewFields>,
) -> Result<Json<Preview>, AppError> {
    Ok(Json(svc::preview(&state, &who.actor(), &f.claims).await?))
}
