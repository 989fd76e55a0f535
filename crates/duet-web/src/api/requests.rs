//! `/api/v1` requests, teams and notifications. The portfolio and goals are in `api::portfolio`.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::requests::{
    self as svc, BenefitFields, CaseFields, DecisionForm, RequestFields, RequestView,
};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use duet_core::requests::TeamStats;
use duet_store::requests::{self as store, BenefitYear, Notification, Request, StoredCase, Team};
use duet_store::{Page, PageRequest};
use std::sync::Arc;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list_requests).post(create_request))
        .route("/requests/import", post(import_history))
        .route("/requests/{id}", get(get_request))
        .route("/requests/{id}/need", post(state_need))
        .route("/requests/{id}/confirm", post(confirm_need))
        .route("/requests/{id}/attempt", post(record_attempt))
        .route("/requests/{id}/team", post(assign_team))
        .route("/requests/{id}/decision", post(decide))
        .route(
            "/requests/{id}/alternatives/{alt}",
            post(answer_alternative),
        )
        .route("/requests/{id}/champion", post(champion))
        .route("/requests/{id}/escalate", post(escalate))
        .route("/requests/{id}/self-champion", post(allow_self_champion))
        .route("/requests/{id}/business-case", put(save_case))
        .route("/requests/{id}/sign-off", post(sign_off))
        .route("/requests/{id}/advance", post(advance))
        .route("/requests/{id}/benefits", post(record_benefit))
        .route("/teams", get(list_teams))
        .route("/teams/stats", get(team_stats))
        .route("/notifications", get(notifications))
        .route("/notifications/read", post(mark_read))
}

/// Lists requests (the service queue with `open=true&lane=service`).
#[utoipa::path(get, path = "/requests", tag = "requests", params(svc::RequestParams), responses((status = 200, body = Page<Request>), (status = 422, body = ErrorBody)))]
pub async fn list_requests(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<svc::RequestParams>,
) -> Result<axum::response::Response, AppError> {
    let f = svc::visible_filter(&who.actor(), &p)?;
    svc::list(
        &state.db,
        &state.requests,
        &f,
        PageRequest::new(p.limit, p.offset),
    )
    .await?
    .json()
}

/// Submits a request.
#[utoipa::path(post, path = "/requests", tag = "requests", request_body = RequestFields, responses((status = 201, body = Request), (status = 422, body = ErrorBody)))]
pub async fn create_request(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<RequestFields>,
) -> Result<(StatusCode, Json<Request>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::submit(&state.db, &state.requests, &who.actor(), &f).await?),
    ))
}

/// A request with its timeline, alternatives, business case and benefits.
#[utoipa::path(get, path = "/requests/{id}", tag = "requests", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = RequestView), (status = 404, body = ErrorBody)))]
pub async fn get_request(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Arc<RequestView>>, AppError> {
    Ok(Json(
        svc::view(&state.db, &state.requests, &who.actor(), id).await?,
    ))
}

/// The need statement.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NeedFields {
    /// IT's restatement of the need in the requester's terms (or the requester's correction).
    #[serde(default)]
    pub need_statement: String,
}

/// States (IT) or corrects (requester) the need.
#[utoipa::path(post, path = "/requests/{id}/need", tag = "requests", params(("id" = i64, Path, description = "Request id")), request_body = NeedFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn state_need(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<NeedFields>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(
        svc::state_need(&state.db, &who.actor(), id, &f.need_statement).await?,
    ))
}

/// The requester confirms IT's statement of the need.
#[utoipa::path(post, path = "/requests/{id}/confirm", tag = "requests", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn confirm_need(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(svc::confirm_need(&state.db, &who.actor(), id).await?))
}

/// A note about an attempt to reach the requester.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AttemptFields {
    /// How IT tried (call, meeting, e-mail).
    #[serde(default)]
    pub note: String,
}

/// Records an attempt to reach the requester (starts the working-day clock).
#[utoipa::path(post, path = "/requests/{id}/attempt", tag = "requests", params(("id" = i64, Path, description = "Request id")), request_body = AttemptFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn record_attempt(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<AttemptFields>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(
        svc::record_attempt(&state.db, &who.actor(), id, &f.note).await?,
    ))
}

/// The team to assign.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TeamFields {
    /// IT team id.
    pub it_team_id: Option<i64>,
}

/// Assigns the IT team.
#[utoipa::path(post, path = "/requests/{id}/team", tag = "requests", params(("id" = i64, Path, description = "Request id")), request_body = TeamFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_team(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<TeamFields>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(
        svc::assign_team(&state.db, &who.actor(), id, f.it_team_id).await?,
    ))
}

/// Accepts, defers or declines (a decline needs a reason and a safe alternative).
#[utoipa::path(post, path = "/requests/{id}/decision", tag = "requests", params(("id" = i64, Path, description = "Request id")), request_body = DecisionForm, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, description = "Need not yet confirmed, or portfolio item not signed off", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<DecisionForm>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(svc::decide(&state.db, &who.actor(), id, &f).await?))
}

/// Whether an offered alternative was taken up.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TakenUpFields {
    /// True when the requester used it.
    #[serde(default)]
    pub taken_up: bool,
}

/// The requester says whether they took up an alternative.
#[utoipa::path(post, path = "/requests/{id}/alternatives/{alt}", tag = "requests", params(("id" = i64, Path, description = "Request id"), ("alt" = i64, Path, description = "Alternative id")), request_body = TakenUpFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn answer_alternative(
    State(state): State<AppState>,
    who: ApiUser,
    Path((id, alt)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<TakenUpFields>,
) -> Result<StatusCode, AppError> {
    svc::answer_alternative(&state.db, &who.actor(), id, alt, f.taken_up).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An executive adopts the request as its champion (it moves to the portfolio).
#[utoipa::path(post, path = "/requests/{id}/champion", tag = "requests", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn champion(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(svc::champion(&state.db, &who.actor(), id).await?))
}

/// Why a request is escalated.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EscalationFields {
    /// The reason, to IT's leaders (10 to 2,000 characters).
    #[serde(default)]
    pub reason: String,
}

/// Escalates a request to IT's leaders (its requester, or a leader of its department): once IT
/// declined it or left it undecided for 10 days; once per request. IT's leaders are notified.
#[utoipa::path(post, path = "/requests/{id}/escalate", tag = "requests", params(("id" = i64, Path, description = "Request id")), request_body = EscalationFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn escalate(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<EscalationFields>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(
        svc::escalate(&state.db, &who.actor(), id, &f.reason).await?,
    ))
}

/// Whether the requester may champion their own request.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AllowFields {
    /// Allowed.
    #[serde(default)]
    pub allowed: bool,
}

/// An admin lets the requester champion their own request.
#[utoipa::path(post, path = "/requests/{id}/self-champion", tag = "requests", params(("id" = i64, Path, description = "Request id")), request_body = AllowFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody)))]
pub async fn allow_self_champion(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<AllowFields>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(
        svc::allow_self_champion(&state.db, &who.actor(), id, f.allowed).await?,
    ))
}

/// Saves the business case (yearly flows over a horizon and a discount rate).
#[utoipa::path(put, path = "/requests/{id}/business-case", tag = "requests", params(("id" = i64, Path, description = "Request id")), request_body = CaseFields, responses((status = 200, body = StoredCase), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_case(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<CaseFields>,
) -> Result<Json<StoredCase>, AppError> {
    Ok(Json(svc::save_case(&state.db, &who.actor(), id, &f).await?))
}

/// The champion signs off the IT costs.
#[utoipa::path(post, path = "/requests/{id}/sign-off", tag = "requests", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = StoredCase), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn sign_off(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<StoredCase>, AppError> {
    Ok(Json(svc::sign_off(&state.db, &who.actor(), id).await?))
}

/// Moves an accepted request one delivery step on.
#[utoipa::path(post, path = "/requests/{id}/advance", tag = "requests", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn advance(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(svc::advance(&state.db, &who.actor(), id).await?))
}

/// Records benefits realised in a year.
#[utoipa::path(post, path = "/requests/{id}/benefits", tag = "requests", params(("id" = i64, Path, description = "Request id")), request_body = BenefitFields, responses((status = 200, body = Vec<BenefitYear>), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_benefit(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<BenefitFields>,
) -> Result<Json<Vec<BenefitYear>>, AppError> {
    Ok(Json(
        svc::record_benefit(&state.db, &who.actor(), id, &f).await?,
    ))
}

/// The IT teams.
#[utoipa::path(get, path = "/teams", tag = "requests", responses((status = 200, body = Vec<Team>)))]
pub async fn list_teams(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<Team>>, AppError> {
    Ok(Json(store::teams(&state.db).await?))
}

/// How each IT team listens: time to first response and to a confirmed need, decline rate, and
/// alternatives taken up.
#[utoipa::path(get, path = "/teams/stats", tag = "requests", responses((status = 200, body = Vec<TeamStats>)))]
pub async fn team_stats(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<TeamStats>>, AppError> {
    Ok(Json(svc::team_stats(&state.db, &state.team_stats).await?))
}

/// Which of the caller's notifications, one page at a time.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// Only those about this department's requests.
    pub department_id: Option<i64>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// The caller's notifications, newest first, one page at a time.
#[utoipa::path(get, path = "/notifications", tag = "requests", params(NotificationParams), responses((status = 200, body = Page<Notification>)))]
pub async fn notifications(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<NotificationParams>,
) -> Result<Json<Arc<Page<Notification>>>, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(
        svc::notifications_page(
            &state.db,
            &state.requests,
            &who.actor(),
            p.department_id,
            window,
        )
        .await?,
    ))
}

/// Marks the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read", tag = "requests", responses((status = 204)))]
pub async fn mark_read(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<StatusCode, AppError> {
    svc::mark_read(&state.db, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports a request history from a CSV body, in Duet's columns
/// (`key,title,problem,requester,department,urgency,status,opened_on,closed_on,note`) or as
/// ServiceNow or Jira export it (`format`), each request with its original dates and its number
/// there; requesters are found in the directory by e-mail or full name (one without an account
/// gets one that signs in by single sign-on); all rows or none (admins).
#[utoipa::path(post, path = "/requests/import", tag = "requests", params(svc::RequestHistoryParams), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = duet_store::requests::RequestHistorySummary), (status = 403, body = ErrorBody), (status = 422, description = "Bad rows, each with line and column in `error.details`", body = ErrorBody)))]
pub async fn import_history(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(q): ApiQuery<svc::RequestHistoryParams>,
    body: axum::body::Bytes,
) -> Result<Json<duet_store::requests::RequestHistorySummary>, AppError> {
    let summary =
        svc::import_history(&state.db, &who.actor(), state.config.time_zone, &q, &body).await?;
    Ok(Json(summary))
}
