//! `/api/v1` reviews: the overdue dashboard, scheduling, cadence and calendars.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::reviews::{
    self as svc, ChangeFields, DashboardLine, HolidayFields, RecordView, ScheduleFields,
};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use duet_store::reviews::{self as store, Review, ReviewChange, StoredHoliday};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(list_reviews).post(schedule))
        .route("/reviews/dashboard", get(dashboard))
        .route("/reviews/import", post(import_history))
        .route("/reviews/{id}/held", post(mark_held).delete(undo_held))
        .route("/reviews/{id}/cancel", post(cancel))
        .route("/reviews/{id}/move", post(move_review))
        .route("/reviews/{id}/changes", get(changes))
        .route("/holidays", get(list_holidays).post(add_holiday))
        .route("/holidays/{id}", delete(remove_holiday))
        .route("/reviews/{id}/invite.ics", get(invitation))
        .route("/reviews/{id}/agenda", get(agenda))
        .route("/reviews/{id}/record", get(get_record).put(save_record))
        .route("/reviews/{id}/sign", post(sign))
        .route("/reviews/{id}/decisions", post(add_decision))
        .route("/reviews/{id}/corrections", post(add_correction))
        .route("/reviews/cadence/{department}", put(set_interval))
        .route("/calendar.ics", get(calendar))
}

/// Which reviews, one page at a time.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewParams {
    /// Only this business department's reviews.
    pub department_id: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Reviews, newest first, one page at a time (at most 200 rows), of one department or all. A
/// planned review whose end is more than a day past reads `missed`: it needs to be marked held,
/// moved or cancelled.
#[utoipa::path(get, path = "/reviews", tag = "reviews", params(ReviewParams), responses((status = 200, body = Page<Review>), (status = 422, body = ErrorBody)))]
pub async fn list_reviews(
    State(state): State<AppState>,
    _who: ApiUser,
    ApiQuery(p): ApiQuery<ReviewParams>,
) -> Result<Json<std::sync::Arc<Page<Review>>>, AppError> {
    let window = PageRequest::new(Some(p.limit.unwrap_or(50).clamp(1, 200)), p.offset);
    Ok(Json(
        svc::page(&state.db, &state.reviews, p.department_id, window).await?,
    ))
}

/// Every business department's cadence, most overdue first ("no review with Sales for 47 days").
#[utoipa::path(get, path = "/reviews/dashboard", tag = "reviews", responses((status = 200, body = Vec<DashboardLine>)))]
pub async fn dashboard(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<std::sync::Arc<Vec<DashboardLine>>>, AppError> {
    Ok(Json(
        svc::dashboard_cached(&state.db, &state.reviews, state.config.time_zone).await?,
    ))
}

/// Schedules a review.
#[utoipa::path(post, path = "/reviews", tag = "reviews", request_body = ScheduleFields, responses((status = 201, body = Review), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<ScheduleFields>,
) -> Result<(StatusCode, Json<Review>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(
            svc::schedule(
                &state.db,
                &who.actor(),
                &f,
                state.config.time_zone,
                &state.config.public_url,
            )
            .await?,
        ),
    ))
}

/// Records that a review was held today (409 before its start). Unless one is planned, the next
/// review is planned on the latest working day on or before the cadence's due date.
#[utoipa::path(post, path = "/reviews/{id}/held", tag = "reviews", params(("id" = i64, Path, description = "Review id")), responses((status = 200, body = Review), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn mark_held(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Review>, AppError> {
    Ok(Json(
        svc::mark_held(&state.db, &who.actor(), id, state.config.time_zone).await?,
    ))
}

/// Undoes "held" with a reason (409 once anyone signed the record); the review is planned again.
#[utoipa::path(delete, path = "/reviews/{id}/held", tag = "reviews", params(("id" = i64, Path, description = "Review id")), request_body = ChangeFields, responses((status = 200, body = Review), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn undo_held(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ChangeFields>,
) -> Result<Json<Review>, AppError> {
    Ok(Json(svc::undo_held(&state.db, &who.actor(), id, &f).await?))
}

/// Cancels a planned (or missed) review, with a reason (`reason`).
#[utoipa::path(post, path = "/reviews/{id}/cancel", tag = "reviews", params(("id" = i64, Path, description = "Review id")), request_body = ChangeFields, responses((status = 200, body = Review), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ChangeFields>,
) -> Result<Json<Review>, AppError> {
    Ok(Json(
        svc::cancel(&state.db, &who.actor(), id, &f, &state.config.public_url).await?,
    ))
}

/// Moves a planned (or missed) review to `starts_at` (local time, or RFC 3339), with a reason.
#[utoipa::path(post, path = "/reviews/{id}/move", tag = "reviews", params(("id" = i64, Path, description = "Review id")), request_body = ChangeFields, responses((status = 200, body = Review), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_review(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ChangeFields>,
) -> Result<Json<Review>, AppError> {
    Ok(Json(
        svc::move_review(
            &state.db,
            &who.actor(),
            id,
            &f,
            state.config.time_zone,
            &state.config.public_url,
        )
        .await?,
    ))
}

/// What happened to a review after it was scheduled (moved, cancelled, "held" undone), oldest first.
#[utoipa::path(get, path = "/reviews/{id}/changes", tag = "reviews", params(("id" = i64, Path, description = "Review id")), responses((status = 200, body = Vec<ReviewChange>), (status = 404, body = ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ReviewChange>>, AppError> {
    store::find(&state.db, id).await?;
    Ok(Json(store::changes(&state.db, id).await?))
}

/// Which holidays, one page at a time (they are the whole organisation's: no department).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HolidayParams {
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// The organisation's holidays by date, one page at a time: with weekends, the days reviews are
/// never planned on.
#[utoipa::path(get, path = "/holidays", tag = "reviews", params(HolidayParams), responses((status = 200, body = Page<StoredHoliday>)))]
pub async fn list_holidays(
    State(state): State<AppState>,
    _who: ApiUser,
    ApiQuery(p): ApiQuery<HolidayParams>,
) -> Result<Json<Page<StoredHoliday>>, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(store::page_holidays(&state.db, window).await?))
}

/// Adds a holiday (admins): a `date`, a `name`, and `every_year` for a recurring one.
#[utoipa::path(post, path = "/holidays", tag = "reviews", request_body = HolidayFields, responses((status = 201, body = StoredHoliday), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_holiday(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<HolidayFields>,
) -> Result<(StatusCode, Json<StoredHoliday>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::add_holiday(&state.db, &who.actor(), &f).await?),
    ))
}

/// Removes a holiday (admins).
#[utoipa::path(delete, path = "/holidays/{id}", tag = "reviews", params(("id" = i64, Path, description = "Holiday id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_holiday(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    svc::remove_holiday(&state.db, &who.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The review's invitation (iCalendar, RFC 5545, with organiser and attendees).
#[utoipa::path(get, path = "/reviews/{id}/invite.ics", tag = "reviews", params(("id" = i64, Path, description = "Review id")), responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
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
#[utoipa::path(put, path = "/reviews/cadence/{department}", tag = "reviews", params(("department" = i64, Path, description = "Department id")), request_body = IntervalFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(get, path = "/calendar.ics", tag = "reviews", params(FeedParams), responses((status = 200, content_type = "text/calendar", body = String), (status = 401, body = ErrorBody)))]
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
    pub agenda: duet_core::reviews::agenda::Agenda,
}

/// The agenda drafted from data since the previous review.
#[utoipa::path(get, path = "/reviews/{id}/agenda", tag = "reviews", params(("id" = i64, Path, description = "Review id")), responses((status = 200, body = ReviewAgenda), (status = 404, body = ErrorBody)))]
pub async fn agenda(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReviewAgenda>, AppError> {
    let drafted = svc::agenda_cached(&state.db, &state.reviews, &who.actor(), id).await?;
    let (review, agenda) = drafted.as_ref().clone();
    Ok(Json(ReviewAgenda { review, agenda }))
}

/// The record of a review.
#[utoipa::path(get, path = "/reviews/{id}/record", tag = "reviews", params(("id" = i64, Path, description = "Review id")), responses((status = 200, body = RecordView), (status = 404, body = ErrorBody)))]
pub async fn get_record(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RecordView>, AppError> {
    Ok(Json(svc::record_view(&state.db, id).await?))
}

/// Saves the record (409 once both leaders signed).
#[utoipa::path(put, path = "/reviews/{id}/record", tag = "reviews", params(("id" = i64, Path, description = "Review id")), request_body = svc::RecordFields, responses((status = 200, body = RecordView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn save_record(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<svc::RecordFields>,
) -> Result<Json<RecordView>, AppError> {
    svc::save_record(&state.db, &state.reviews, &who.actor(), id, &f).await?;
    Ok(Json(svc::record_view(&state.db, id).await?))
}

/// Signs the record for the caller's side, with how the meeting felt to them (optional body);
/// with both signatures it locks.
#[utoipa::path(post, path = "/reviews/{id}/sign", tag = "reviews", params(("id" = i64, Path, description = "Review id")), request_body(content = svc::SignFields, description = "Optional: how the meeting felt"), responses((status = 200, body = RecordView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<RecordView>, AppError> {
    // The body is optional: none signs without saying how the meeting felt.
    let f: svc::SignFields = if body.iter().all(u8::is_ascii_whitespace) {
        svc::SignFields::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest {
            status: axum::http::StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: format!("the body is not the JSON this expects: {e}"),
        })?
    };
    svc::sign(&state.db, &who.actor(), id, &f).await?;
    Ok(Json(svc::record_view(&state.db, id).await?))
}

/// Records a decision; with a promisor and due date it becomes a promise.
#[utoipa::path(post, path = "/reviews/{id}/decisions", tag = "reviews", params(("id" = i64, Path, description = "Review id")), request_body = svc::ReviewDecisionFields, responses((status = 200, body = RecordView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_decision(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<svc::ReviewDecisionFields>,
) -> Result<Json<RecordView>, AppError> {
    svc::decide(&state.db, &who.actor(), id, &f).await?;
    Ok(Json(svc::record_view(&state.db, id).await?))
}

/// A correction to a locked record.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CorrectionFields {
    /// What is corrected.
    #[serde(default)]
    pub text: String,
}

/// Appends a correction to a locked record (never overwrites it).
#[utoipa::path(post, path = "/reviews/{id}/corrections", tag = "reviews", params(("id" = i64, Path, description = "Review id")), request_body = CorrectionFields, responses((status = 200, body = RecordView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_correction(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<CorrectionFields>,
) -> Result<Json<RecordView>, AppError> {
    svc::correct(&state.db, &who.actor(), id, &f.text).await?;
    Ok(Json(svc::record_view(&state.db, id).await?))
}

/// Imports the reviews already held from a CSV body
/// (`department,held_on,minutes,attendees,notes,decisions`, decisions one a line in their cell),
/// each a held review with a locked record; all rows or none (admins).
#[utoipa::path(post, path = "/reviews/import", tag = "reviews", params(crate::service::promises::HistoryParams), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = duet_store::reviews::ReviewHistorySummary), (status = 403, body = ErrorBody), (status = 422, description = "Bad rows, each with line and column in `error.details`", body = ErrorBody)))]
pub async fn import_history(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(q): ApiQuery<crate::service::promises::HistoryParams>,
    body: axum::body::Bytes,
) -> Result<Json<duet_store::reviews::ReviewHistorySummary>, AppError> {
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
