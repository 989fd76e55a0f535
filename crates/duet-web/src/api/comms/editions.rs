//! `/api/v1/comms/editions`: the monthly edition — list, draft a month, read (or preview as a
//! department's member), save an editor's changes, redraw Duet's lines, schedule, take back.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::comms::editions::{self as svc, EditionFields, EditionView};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use duet_store::comms::editions::Edition;

/// Routes of editions.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/comms/editions", get(list_editions).post(draft_edition))
        .route("/comms/editions/{id}", get(get_edition).put(save_edition))
        .route("/comms/editions/{id}/redraft", post(redraft_edition))
        .route("/comms/editions/{id}/schedule", post(schedule_edition))
        .route("/comms/editions/{id}/unschedule", post(unschedule_edition))
}

/// Editions newest month first: those that went out; editors also see drafts and scheduled ones.
#[utoipa::path(get, path = "/comms/editions", tag = "comms", responses((status = 200, body = Vec<Edition>), (status = 401, body = ErrorBody)))]
pub async fn list_editions(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<std::sync::Arc<Vec<Edition>>>, AppError> {
    Ok(Json(
        svc::list(&state.comms, &state.db, &who.actor()).await?,
    ))
}

/// The month to draft.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DraftFields {
    /// `YYYY-MM`.
    #[serde(default)]
    pub month: String,
}

/// Drafts the edition of a month from Duet's records (editors: IT leaders and admins); 409 when
/// that month has one.
#[utoipa::path(post, path = "/comms/editions", tag = "comms", request_body = DraftFields, responses((status = 201, body = EditionView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draft_edition(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<DraftFields>,
) -> Result<(StatusCode, Json<EditionView>), AppError> {
    let actor = who.actor();
    let id = svc::draft(&state.db, &actor, state.config.time_zone, &f.month).await?;
    let v = svc::view(&state.comms, &state.db, &actor, id, None).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Whose view to read.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewParams {
    /// Editors: preview as a member of this department id, or `none` (someone in no
    /// department). Without it an editor reads every line with whom it is for; readers always
    /// read their own department's version.
    #[serde(rename = "as")]
    pub as_: Option<String>,
}

/// One edition as the caller reads it (404 for a draft a reader may not see).
#[utoipa::path(get, path = "/comms/editions/{id}", tag = "comms", params(("id" = i64, Path, description = "Edition id"), ViewParams), responses((status = 200, body = EditionView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_edition(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<ViewParams>,
) -> Result<Json<EditionView>, AppError> {
    let preview = match p.as_.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("none") => Some(None),
        Some(d) => Some(Some(d.parse::<i64>().map_err(|_| {
            AppError::invalid("as", "must be a department id or none")
        })?)),
    };
    Ok(Json(
        svc::view(&state.comms, &state.db, &who.actor(), id, preview).await?,
    ))
}

/// Saves an editor's changes to a draft: title, opening words, lines rewritten or left out,
/// lines added. `revision` must be the one read (409 if someone saved since).
#[utoipa::path(put, path = "/comms/editions/{id}", tag = "comms", params(("id" = i64, Path, description = "Edition id")), request_body = EditionFields, responses((status = 200, body = EditionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_edition(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<EditionFields>,
) -> Result<Json<EditionView>, AppError> {
    let actor = who.actor();
    svc::save(&state.db, &actor, id, &f).await?;
    Ok(Json(
        svc::view(&state.comms, &state.db, &actor, id, None).await?,
    ))
}

/// The revision read, and for scheduling when it goes.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ScheduleFields {
    /// The revision read.
    pub revision: i64,
    /// When it goes: the organisation's local time (`YYYY-MM-DDTHH:MM`) or RFC 3339; empty for
    /// now. Not in the past.
    #[serde(default)]
    pub send_at: String,
}

/// Draws Duet's lines of a draft again from the records (the editor's own lines stay).
#[utoipa::path(post, path = "/comms/editions/{id}/redraft", tag = "comms", params(("id" = i64, Path, description = "Edition id")), request_body = ScheduleFields, responses((status = 200, body = EditionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn redraft_edition(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ScheduleFields>,
) -> Result<Json<EditionView>, AppError> {
    let actor = who.actor();
    svc::redraft(&state.db, &actor, state.config.time_zone, id, f.revision).await?;
    Ok(Json(
        svc::view(&state.comms, &state.db, &actor, id, None).await?,
    ))
}

/// How many e-mails were queued.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Scheduled {
    /// One per reader who takes the newsletter.
    pub queued: u64,
}

/// Schedules a draft: each reader who takes the newsletter gets their department's version at
/// `send_at`, once.
#[utoipa::path(post, path = "/comms/editions/{id}/schedule", tag = "comms", params(("id" = i64, Path, description = "Edition id")), request_body = ScheduleFields, responses((status = 200, body = Scheduled), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn schedule_edition(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ScheduleFields>,
) -> Result<Json<Scheduled>, AppError> {
    let queued = svc::schedule(
        &state.db,
        &who.actor(),
        state.config.time_zone,
        &state.config.public_url,
        id,
        f.revision,
        &f.send_at,
    )
    .await?;
    Ok(Json(Scheduled { queued }))
}

/// Takes a scheduled edition back to a draft; 409 once any of its e-mail went.
#[utoipa::path(post, path = "/comms/editions/{id}/unschedule", tag = "comms", params(("id" = i64, Path, description = "Edition id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn unschedule_edition(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    svc::unschedule(&state.db, &who.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
