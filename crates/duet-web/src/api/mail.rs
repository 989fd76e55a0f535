//! `/api/v1/mail`: the caller's e-mail preferences, and the outbox for administrators.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_store::mail::OutboxRow;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mail/preferences", get(preferences).put(set_preferences))
        .route("/mail/outbox", get(outbox))
        .route("/mail/outbox/{id}/release", post(release))
}

/// What Duet sends the caller by e-mail.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Preferences {
    /// Posts their writers send by e-mail (on unless turned off or unsubscribed).
    pub newsletter: bool,
    /// Each notice of their Duet inbox, by e-mail as it comes (on unless turned off).
    pub notifications: bool,
}

/// The caller's e-mail preferences.
#[utoipa::path(get, path = "/mail/preferences", tag = "comms", responses((status = 200, body = Preferences), (status = 401, body = ErrorBody)))]
pub async fn preferences(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<Preferences>, AppError> {
    let user = who.actor().user.0;
    Ok(Json(Preferences {
        newsletter: duet_store::mail::newsletter(&state.db, user).await?,
        notifications: duet_store::mail::notifications(&state.db, user).await?,
    }))
}

/// Sets the caller's e-mail preferences.
#[utoipa::path(put, path = "/mail/preferences", tag = "comms", request_body = Preferences, responses((status = 200, body = Preferences), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(p): ApiJson<Preferences>,
) -> Result<Json<Preferences>, AppError> {
    duet_store::mail::set_preferences(&state.db, who.actor().user.0, p.newsletter, p.notifications)
        .await?;
    Ok(Json(p))
}

/// Which outbox rows.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    /// `queued`, `sending`, `sent`, `failed` or `held` (all when absent).
    pub status: Option<String>,
    /// At most this many, newest first (default 200, at most 1,000).
    pub limit: Option<i64>,
}

/// The outbox and how many rows are in each status.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Outbox {
    /// Rows, newest first.
    pub rows: Vec<OutboxRow>,
    /// (status, count).
    pub counts: Vec<(String, i64)>,
}

/// The e-mail outbox (administrators).
#[utoipa::path(get, path = "/mail/outbox", tag = "comms", params(OutboxParams), responses((status = 200, body = Outbox), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn outbox(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<OutboxParams>,
) -> Result<Json<Outbox>, AppError> {
    can(&who.actor(), Action::ManageMail)?;
    let status = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            ["queued", "sending", "sent", "failed", "held"]
                .into_iter()
                .find(|k| *k == s)
                .ok_or_else(|| {
                    AppError::invalid(
                        "status",
                        format!("'{s}' is not one of: queued, sending, sent, failed, held"),
                    )
                })?,
        ),
    };
    let limit = p.limit.unwrap_or(200).clamp(1, 1000);
    let (rows, counts) = duet_store::mail::outbox(&state.db, status, limit).await?;
    Ok(Json(Outbox { rows, counts }))
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
