//! `/api/v1` requests, the portfolio, goals, teams and notifications.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::app::AppState;
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::portfolio::{
    self as pf, GoalFields, PortfolioView, RankedItem, SettingsFields, WeightFields,
};
use crate::service::requests::{
    self as svc, BenefitFields, CaseFields, DecisionForm, RequestFields, RequestView,
};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use duet_core::auth::{Question, Scope, scope};
use duet_core::requests::{Lane, TeamStats};
use duet_store::requests::{
    self as store, BenefitYear, Goal, Notification, Request, RequestFilter, Settings, StoredCase,
    Team, WeightsVersion,
};
use duet_store::{Page, PageRequest};
use std::sync::Arc;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list_requests).post(create_request))
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
        .route("/requests/{id}/self-champion", post(allow_self_champion))
        .route("/requests/{id}/business-case", put(save_case))
        .route("/requests/{id}/sign-off", post(sign_off))
        .route("/requests/{id}/advance", post(advance))
        .route("/requests/{id}/benefits", post(record_benefit))
        .route("/portfolio", get(portfolio))
        .route("/portfolio/export", get(export_portfolio))
        .route("/portfolio/weights", get(weights_history).put(set_weights))
        .route("/portfolio/settings", put(set_settings))
        .route("/goals", get(list_goals).post(add_goal))
        .route("/goals/{id}", delete(archive_goal))
        .route("/teams", get(list_teams))
        .route("/teams/stats", get(team_stats))
        .route("/notifications", get(notifications))
        .route("/notifications/read", post(mark_read))
}

/// Listing filters for requests.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestParams {
    /// `service` or `portfolio`.
    pub lane: Option<String>,
    /// Only requests waiting for understanding or a decision (queue order).
    #[serde(default)]
    pub open: bool,
    /// Only mine.
    #[serde(default)]
    pub mine: bool,
    /// Only those I champion (executives).
    #[serde(default)]
    pub championed: bool,
    /// Only this department's.
    pub department_id: Option<i64>,
    /// Only requests in this status (`submitted`, `understanding`, `need_confirmed`, …).
    pub status: Option<String>,
    /// Title contains.
    pub q: Option<String>,
    /// Page size (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Builds the filter, narrowed to what the actor may see: members their own requests, business
/// leaders their department's (or their own).
pub fn visible_filter(
    who: &duet_core::Actor,
    p: &RequestParams,
) -> Result<RequestFilter, AppError> {
    let lane = p
        .lane
        .as_deref()
        .filter(|l| !l.is_empty())
        .map(str::parse::<Lane>)
        .transpose()?;
    let status = p
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<duet_core::requests::Status>)
        .transpose()?;
    let mut f = RequestFilter {
        lane,
        open_only: p.open,
        requester: p.mine.then_some(who.user.0),
        department: p.department_id,
        q: p.q.clone(),
        champion: p.championed.then_some(who.user.0),
        status,
    };
    match scope(who, Question::SeeRequests) {
        Scope::Own | Scope::Nothing => f.requester = Some(who.user.0),
        Scope::Department(d) if f.requester.is_none() => f.department = Some(d.0),
        Scope::Department(_) | Scope::All => {}
    }
    Ok(f)
}

/// Lists requests (the service queue with `open=true&lane=service`).
#[utoipa::path(get, path = "/requests", tag = "decide", params(RequestParams), responses((status = 200, body = Page<Request>), (status = 422, body = ErrorBody)))]
pub async fn list_requests(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<RequestParams>,
) -> Result<axum::response::Response, AppError> {
    let f = visible_filter(&who.actor(), &p)?;
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
#[utoipa::path(post, path = "/requests", tag = "decide", request_body = RequestFields, responses((status = 201, body = Request), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(get, path = "/requests/{id}", tag = "decide", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = RequestView), (status = 404, body = ErrorBody)))]
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
#[utoipa::path(post, path = "/requests/{id}/need", tag = "decide", params(("id" = i64, Path, description = "Request id")), request_body = NeedFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(post, path = "/requests/{id}/confirm", tag = "decide", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
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
#[utoipa::path(post, path = "/requests/{id}/attempt", tag = "decide", params(("id" = i64, Path, description = "Request id")), request_body = AttemptFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
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
#[utoipa::path(post, path = "/requests/{id}/team", tag = "decide", params(("id" = i64, Path, description = "Request id")), request_body = TeamFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(post, path = "/requests/{id}/decision", tag = "decide", params(("id" = i64, Path, description = "Request id")), request_body = DecisionForm, responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, description = "Need not yet confirmed, or portfolio item not signed off", body = ErrorBody), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(post, path = "/requests/{id}/alternatives/{alt}", tag = "decide", params(("id" = i64, Path, description = "Request id"), ("alt" = i64, Path, description = "Alternative id")), request_body = TakenUpFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
#[utoipa::path(post, path = "/requests/{id}/champion", tag = "decide", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn champion(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(svc::champion(&state.db, &who.actor(), id).await?))
}

/// Whether the requester may champion their own request.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AllowFields {
    /// Allowed.
    #[serde(default)]
    pub allowed: bool,
}

/// An admin lets the requester champion their own request.
#[utoipa::path(post, path = "/requests/{id}/self-champion", tag = "decide", params(("id" = i64, Path, description = "Request id")), request_body = AllowFields, responses((status = 200, body = Request), (status = 403, body = ErrorBody)))]
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
#[utoipa::path(put, path = "/requests/{id}/business-case", tag = "decide", params(("id" = i64, Path, description = "Request id")), request_body = CaseFields, responses((status = 200, body = StoredCase), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_case(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<CaseFields>,
) -> Result<Json<StoredCase>, AppError> {
    Ok(Json(svc::save_case(&state.db, &who.actor(), id, &f).await?))
}

/// The champion signs off the IT costs.
#[utoipa::path(post, path = "/requests/{id}/sign-off", tag = "decide", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = StoredCase), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn sign_off(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<StoredCase>, AppError> {
    Ok(Json(svc::sign_off(&state.db, &who.actor(), id).await?))
}

/// Moves an accepted request one delivery step on.
#[utoipa::path(post, path = "/requests/{id}/advance", tag = "decide", params(("id" = i64, Path, description = "Request id")), responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn advance(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Request>, AppError> {
    Ok(Json(svc::advance(&state.db, &who.actor(), id).await?))
}

/// Records benefits realised in a year.
#[utoipa::path(post, path = "/requests/{id}/benefits", tag = "decide", params(("id" = i64, Path, description = "Request id")), request_body = BenefitFields, responses((status = 200, body = Vec<BenefitYear>), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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

/// Filters and paging of the ranked items (the same filters as the page).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortfolioParams {
    /// Only items of this department (its name).
    #[serde(default)]
    pub department: String,
    /// Only items with this status (wire name, e.g. `need_confirmed`, `deferred`).
    #[serde(default)]
    pub status: String,
    /// `funded`, `not_funded` or `committed`.
    #[serde(default)]
    pub funding: String,
    /// Items per page (default 50, at most 500).
    pub limit: Option<i64>,
    /// Items to skip.
    pub offset: Option<i64>,
}

/// One page of the ranked portfolio with the funding line's summary.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PortfolioPage {
    /// Revision of the inputs.
    pub revision: i64,
    /// Budget, capacity and rules.
    pub settings: Settings,
    /// Weights in force.
    pub weights: WeightsVersion,
    /// Budget already committed, minor units.
    pub committed_cost: i64,
    /// Capacity already committed.
    pub committed_days: i64,
    /// How the line was computed.
    pub method: String,
    /// The line's explanation.
    pub explanation: String,
    /// Items ranked, this page (after the filters).
    pub items: Vec<RankedItem>,
    /// All items that pass the filters.
    pub total: i64,
}

/// The ranked portfolio and funding line.
#[utoipa::path(get, path = "/portfolio", tag = "decide", params(PortfolioParams), responses((status = 200, body = PortfolioPage), (status = 422, body = ErrorBody)))]
pub async fn portfolio(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<PortfolioParams>,
) -> Result<axum::response::Response, AppError> {
    let filter = pf::PortfolioFilter {
        department: p.department,
        status: p.status,
        funding: p.funding,
    };
    filter.validate()?;
    let v: std::sync::Arc<PortfolioView> =
        pf::current(&state.db, &state.portfolio, &who.actor()).await?;
    let page = PageRequest::new(p.limit, p.offset);
    let key = (v.revision, filter, page);
    let json = match state.portfolio.api_pages.get(&key) {
        Some(json) => json,
        None => {
            let json = axum::body::Bytes::from(
                serde_json::to_vec(&portfolio_page(&v, &key.1, page))
                    .map_err(|e| AppError::Internal(e.into()))?,
            );
            state.portfolio.api_pages.put(key, json.clone());
            json
        }
    };
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response())
}

/// One page of the ranking, after the filters.
fn portfolio_page(
    v: &PortfolioView,
    filter: &pf::PortfolioFilter,
    page: PageRequest,
) -> PortfolioPage {
    let total = v.items.iter().filter(|i| filter.keeps(i)).count() as i64;
    let items = v
        .items
        .iter()
        .filter(|i| filter.keeps(i))
        .skip(usize::try_from(page.offset).unwrap_or(0))
        .take(usize::try_from(page.limit).unwrap_or(50))
        .cloned()
        .collect();
    PortfolioPage {
        revision: v.revision,
        settings: v.settings.clone(),
        weights: v.weights.clone(),
        committed_cost: v.committed_cost,
        committed_days: v.committed_days,
        method: pf::method_text(&v.line.method),
        explanation: v.line.explanation.clone(),
        total,
        items,
    }
}

/// The whole ranked portfolio as CSV.
#[utoipa::path(get, path = "/portfolio/export", tag = "decide", responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export_portfolio(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<impl IntoResponse, AppError> {
    let v = pf::current(&state.db, &state.portfolio, &who.actor()).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        pf::export_csv(&v)?,
    ))
}

/// Every version of the scoring weights.
#[utoipa::path(get, path = "/portfolio/weights", tag = "decide", responses((status = 200, body = Vec<WeightsVersion>)))]
pub async fn weights_history(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<WeightsVersion>>, AppError> {
    Ok(Json(store::weights_history(&state.db).await?))
}

/// Saves a new version of the weights (portfolio owner).
#[utoipa::path(put, path = "/portfolio/weights", tag = "decide", request_body = WeightFields, responses((status = 200, body = WeightsVersion), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_weights(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<WeightFields>,
) -> Result<Json<WeightsVersion>, AppError> {
    Ok(Json(pf::set_weights(&state.db, &who.actor(), &f).await?))
}

/// Changes the budget, capacity, sign-off tolerance and confirmation wait.
#[utoipa::path(put, path = "/portfolio/settings", tag = "decide", request_body = SettingsFields, responses((status = 200, body = Settings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_settings(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<SettingsFields>,
) -> Result<Json<Settings>, AppError> {
    Ok(Json(pf::set_settings(&state.db, &who.actor(), &f).await?))
}

/// Which goals, one page at a time (goals are the whole business's: no department).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalParams {
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// The executives' business goals, most important first, one page at a time.
#[utoipa::path(get, path = "/goals", tag = "decide", params(GoalParams), responses((status = 200, body = Page<Goal>)))]
pub async fn list_goals(
    State(state): State<AppState>,
    _who: ApiUser,
    ApiQuery(p): ApiQuery<GoalParams>,
) -> Result<Json<Arc<Page<Goal>>>, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(
        svc::goals_page(&state.db, &state.requests, window).await?,
    ))
}

/// Adds a goal (executives).
#[utoipa::path(post, path = "/goals", tag = "decide", request_body = GoalFields, responses((status = 201, body = Goal), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_goal(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<GoalFields>,
) -> Result<(StatusCode, Json<Goal>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(pf::add_goal(&state.db, &who.actor(), &f).await?),
    ))
}

/// Retires a goal (executives).
#[utoipa::path(delete, path = "/goals/{id}", tag = "decide", params(("id" = i64, Path, description = "Goal id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn archive_goal(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    pf::archive_goal(&state.db, &who.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The IT teams.
#[utoipa::path(get, path = "/teams", tag = "decide", responses((status = 200, body = Vec<Team>)))]
pub async fn list_teams(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<Team>>, AppError> {
    Ok(Json(store::teams(&state.db).await?))
}

/// How each IT team listens: time to first response and to a confirmed need, decline rate, and
/// alternatives taken up.
#[utoipa::path(get, path = "/teams/stats", tag = "decide", responses((status = 200, body = Vec<TeamStats>)))]
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
#[utoipa::path(get, path = "/notifications", tag = "decide", params(NotificationParams), responses((status = 200, body = Page<Notification>)))]
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
#[utoipa::path(post, path = "/notifications/read", tag = "decide", responses((status = 204)))]
pub async fn mark_read(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<StatusCode, AppError> {
    store::mark_read(&state.db, who.actor().user.0).await?;
    Ok(StatusCode::NO_CONTENT)
}
