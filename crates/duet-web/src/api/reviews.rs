//! `/api/v1` reviews: the overdue dashboard, scheduling, cadence and calendars.

use crate::api::{ApiJson, ErrorBody};
use crate::app::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::reviews::{self as svc, DashboardLine, ScheduleFields};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use duet_store::reviews::{self as store, Review};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(list_reviews).post(schedule))
        .route("/reviews/dashboard", get(dashboard))
        .route("/reviews/{id}/held", post(mark_held))
        .route("/reviews/{id}/invite.ics", get(invitation))
        .route("/reviews/{id}/agenda", get(agenda))
        .route("/reviews/cadence/{department}", put(set_interval))
        .route("/calendar.ics", get(calendar))
}

/// Recent reviews, newest first.
#[utoipa::path(get, path = "/reviews", tag = "meet", responses((status = 200, body = Vec<Review>)))]
pub async fn list_reviews(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<Review>>, AppError> {
    Ok(Json(store::list(&state.db, None, 200).await?))
}

/// Every business department's cadence, most overdue first ("no review with Sales for 47 days").
#[utoipa::path(get, path = "/reviews/dashboard", tag = "meet", responses((status = 200, body = Vec<DashboardLine>)))]
pub async fn dashboard(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<DashboardLine>>, AppError> {
    Ok(Json(svc::dashboard(&state.db).await?))
}

/// Schedules a review.
#[utoipa::path(post, path = "/reviews", tag = "meet", request_body = ScheduleFields, responses((status = 201, body = Review), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<ScheduleFields>,
) -> Result<(StatusCode, Json<Review>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::schedule(&state.db, &who.actor(), &f).await?),
    ))
}

/// Records that a review was held today.
#[utoipa::path(post, path = "/reviews/{id}/held", tag = "meet", params(("id" = i64, Path, description = "Review id")), responses((status = 200, body = Review), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn mark_held(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Review>, AppError> {
    Ok(Json(svc::mark_held(&state.db, &who.actor(), id).await?))
}

/// The review's invitation (iCalendar, RFC 5545, with organiser and attendees).
#[utoipa::path(get, path = "/reviews/{id}/invite.ics", tag = "meet", params(("id" = i64, Path, description = "Review id")), responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn invitation(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        svc::invitation(&state.db, id, &state.config.public_url).await?,
    ))
}

/// A new cadence.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct IntervalFields {
    /// Days between reviews (7–120).
    #[serde(default)]
    pub review_interval_days: i64,
}

/// Changes how often a business department meets IT.
#[utoipa::path(put, path = "/reviews/cadence/{department}", tag = "meet", params(("department" = i64, Path, description = "Department id")), request_body = IntervalFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_interval(
    State(state): State<AppState>,
    who: ApiUser,
    Path(department): Path<i64>,
    ApiJson(f): ApiJson<IntervalFields>,
) -> Result<StatusCode, AppError> {
    svc::set_interval(&state.db, &who.actor(), department, f.review_interval_days).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where the feed's token may come from.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// A personal API token, for calendar apps that can only subscribe to a URL.
    pub token: Option<String>,
}

/// The caller's review calendar (iCalendar feed). Calendar apps cannot send headers, so the
/// personal token may also be given as `?token=` (create one per feed, so it can be revoked alone).
#[utoipa::path(get, path = "/calendar.ics", tag = "meet", params(FeedParams), responses((status = 200, content_type = "text/calendar", body = String), (status = 401, body = ErrorBody)))]
pub async fn calendar(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(p): axum::extract::Query<FeedParams>,
) -> Result<impl IntoResponse, AppError> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let token = from_header.or(p.token).ok_or(AppError::Unauthorized)?;
    let user = duet_store::accounts::user_for_token(&state.db, token.trim())
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        svc::calendar(&state.db, &user.actor(), &state.config.public_url).await?,
    ))
}

/// A review with its drafted agenda.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewAgenda {
    /// The review.
    pub review: Review,
    /// The good, the bad, the ugly, the metrics pack and what is open — every line with a link.
    pub agenda: duet_core::agenda::Agenda,
}

/// The agenda drafted from data since the previous review.
#[utoipa::path(get, path = "/reviews/{id}/agenda", tag = "meet", params(("id" = i64, Path, description = "Review id")), responses((status = 200, body = ReviewAgenda), (status = 404, body = ErrorBody)))]
pub async fn agenda(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReviewAgenda>, AppError> {
    let (review, agenda) = svc::agenda(&state.db, id).await?;
    Ok(Json(ReviewAgenda { review, agenda }))
}
