//! `/api/v1` portfolio: the ranked items with the funding line, the CSV export, weights,
//! settings and business goals.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::portfolio::{
    self as pf, GoalFields, PortfolioView, RankedItem, SettingsFields, WeightFields,
};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, put};
use duet_store::portfolio::{Goal, Settings, WeightsVersion};
use duet_store::{Page, PageRequest};
use std::sync::Arc;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portfolio", get(portfolio))
        .route("/portfolio/export", get(export_portfolio))
        .route("/portfolio/weights", get(weights_history).put(set_weights))
        .route("/portfolio/settings", put(set_settings))
        .route("/goals", get(list_goals).post(add_goal))
        .route("/goals/{id}", delete(archive_goal))
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
#[utoipa::path(get, path = "/portfolio", tag = "portfolio", params(PortfolioParams), responses((status = 200, body = PortfolioPage), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(get, path = "/portfolio/export", tag = "portfolio", responses((status = 200, content_type = "text/csv", body = String)))]
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
#[utoipa::path(get, path = "/portfolio/weights", tag = "portfolio", responses((status = 200, body = Vec<WeightsVersion>)))]
pub async fn weights_history(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<WeightsVersion>>, AppError> {
    Ok(Json(
        duet_store::portfolio::weights_history(&state.db).await?,
    ))
}

/// Saves a new version of the weights (portfolio owner).
#[utoipa::path(put, path = "/portfolio/weights", tag = "portfolio", request_body = WeightFields, responses((status = 200, body = WeightsVersion), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_weights(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<WeightFields>,
) -> Result<Json<WeightsVersion>, AppError> {
    Ok(Json(pf::set_weights(&state.db, &who.actor(), &f).await?))
}

/// Changes the budget, capacity, sign-off tolerance and confirmation wait.
#[utoipa::path(put, path = "/portfolio/settings", tag = "portfolio", request_body = SettingsFields, responses((status = 200, body = Settings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(get, path = "/goals", tag = "portfolio", params(GoalParams), responses((status = 200, body = Page<Goal>)))]
pub async fn list_goals(
    State(state): State<AppState>,
    _who: ApiUser,
    ApiQuery(p): ApiQuery<GoalParams>,
) -> Result<Json<Arc<Page<Goal>>>, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(
        crate::service::requests::goals_page(&state.db, &state.requests, window).await?,
    ))
}

/// Adds a goal (executives).
#[utoipa::path(post, path = "/goals", tag = "portfolio", request_body = GoalFields, responses((status = 201, body = Goal), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
#[utoipa::path(delete, path = "/goals/{id}", tag = "portfolio", params(("id" = i64, Path, description = "Goal id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn archive_goal(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    pf::archive_goal(&state.db, &who.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
