//! `/api/v1/mail`: the caller's e-mail preferences, and the outbox for administrators.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::mail::{self as svc, OutboxView, Preferences};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mail/preferences", get(preferences).put(set_preferences))
        .route("/mail/outbox", get(outbox))
        .route("/mail/outbox/{id}/release", post(release))
}

/// The caller's e-mail preferences.
#[utoipa::path(get, path = "/mail/preferences", tag = "comms", responses((status = 200, body = Preferences), (status = 401, body = ErrorBody)))]
pub async fn preferences(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<Preferences>, AppError> {
    Ok(Json(
        svc::preferences(&state.mail, &state.db, &who.actor()).await?,
    ))
}

/// Sets the caller's e-mail preferences (all of them: a field left out takes its default).
#[utoipa::path(put, path = "/mail/preferences", tag = "comms", request_body = Preferences, responses((status = 200, body = Preferences), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(p): ApiJson<Preferences>,
) -> Result<Json<Preferences>, AppError> {
    let actor = who.actor();
    svc::set_preferences(&state.db, &actor, &p).await?;
    Ok(Json(
        svc::preferences(&state.mail, &state.db, &actor).await?,
    ))
}

/// Which outbox rows.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    /// `queued`, `held`, `sending`, `sent` or `failed` (all when absent).
    pub status: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// The e-mail outbox (administrators), newest first, with the count of every status.
#[utoipa::path(get, path = "/mail/outbox", tag = "comms", params(OutboxParams), responses((status = 200, body = OutboxView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn outbox(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<OutboxParams>,
) -> Result<Json<std::sync::Arc<OutboxView>>, AppError> {
    let window = duet_store::PageRequest::new(p.limit, p.offset);
    Ok(Json(
        crate::service::mail::outbox(
            &state.mail,
            &state.db,
            &who.actor(),
            p.status.as_deref(),
            window,
        )
        .await?,
    ))
}

/// Sends a held message after all (an administrator confirms it).
#[utoipa::path(post, path = "/mail/outbox/{id}/release", tag = "comms", params(("id" = i64, Path, description = "Outbox row id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    can(&who.actor(), Action::ManageMail)?;
    duet_store::mail::release(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
