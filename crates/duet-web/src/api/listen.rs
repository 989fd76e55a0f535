//! `/api/v1` Listen: instruments, campaigns, answering, results (closed campaigns only) and CSV.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::listen::{
    self as svc, AnswerFields, CampaignFields, InstrumentFields, ParticipationView, ResultsView,
};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use duet_store::listen::{self as store, Campaign, Instrument, SubmitMode};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/instruments", get(list_instruments).post(add_instrument))
        .route("/instruments/{id}", get(get_instrument))
        .route("/campaigns", get(list_campaigns).post(create_campaign))
        .route("/campaigns/{id}", get(get_campaign))
        .route(
            "/campaigns/{id}/response",
            get(my_response).post(answer).put(change_answer),
        )
        .route("/campaigns/{id}/results", get(results))
        .route("/campaigns/{id}/results.csv", get(results_csv))
}

/// Every instrument with its wording.
#[utoipa::path(get, path = "/instruments", tag = "listen", responses((status = 200, body = Vec<Instrument>)))]
pub async fn list_instruments(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<Instrument>>, AppError> {
    Ok(Json(store::list_instruments(&state.db).await?))
}

/// One instrument.
#[utoipa::path(get, path = "/instruments/{id}", tag = "listen", params(("id" = i64, Path, description = "Instrument id")), responses((status = 200, body = Instrument), (status = 404, body = ErrorBody)))]
pub async fn get_instrument(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Instrument>, AppError> {
    Ok(Json(store::find_instrument(&state.db, id).await?))
}

/// Adds a custom instrument (admins); `items` holds one `Section | statement` per line.
#[utoipa::path(post, path = "/instruments", tag = "listen", request_body = InstrumentFields, responses((status = 201, body = Instrument), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_instrument(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<InstrumentFields>,
) -> Result<(StatusCode, Json<Instrument>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::add_instrument(&state.db, &who.actor(), &f).await?),
    ))
}

/// Campaigns, latest first, one page at a time, of those inviting one department or all.
#[utoipa::path(get, path = "/campaigns", tag = "listen", params(CampaignParams), responses((status = 200, body = Page<Campaign>)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    _who: ApiUser,
    ApiQuery(p): ApiQuery<CampaignParams>,
) -> Result<axum::response::Response, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    svc::campaigns_page(&state.db, &state.listen, p.department_id, window)
        .await?
        .json()
}

/// Which campaigns, one page at a time.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignParams {
    /// Only campaigns that invite this department.
    pub department_id: Option<i64>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Creates a campaign (admins and IT leaders).
#[utoipa::path(post, path = "/campaigns", tag = "listen", request_body = CampaignFields, responses((status = 201, body = Campaign), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<CampaignFields>,
) -> Result<(StatusCode, Json<Campaign>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::create_campaign(&state.db, &who.actor(), &f).await?),
    ))
}

/// A campaign with its participation (department counts below k are not given).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    /// The campaign.
    pub campaign: Campaign,
    /// Upcoming, open or closed today.
    pub phase: String,
    /// Invited departments; `responded` is null where it may not be shown.
    pub participation: Vec<ParticipationView>,
}

/// One campaign.
#[utoipa::path(get, path = "/campaigns/{id}", tag = "listen", params(("id" = i64, Path, description = "Campaign id")), responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    _who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CampaignView>, AppError> {
    let campaign = store::find_campaign(&state.db, id).await?;
    let (participation, _) = svc::visible_participation(
        store::participation(&state.db, id).await?,
        campaign.min_group,
    );
    Ok(Json(CampaignView {
        phase: campaign
            .phase(chrono::Utc::now().date_naive())
            .as_str()
            .to_string(),
        campaign,
        participation,
    }))
}

/// The caller's own answers, in the shape `POST`/`PUT` take.
#[utoipa::path(get, path = "/campaigns/{id}/response", tag = "listen", params(("id" = i64, Path, description = "Campaign id")), responses((status = 200, body = AnswerFields), (status = 404, body = ErrorBody)))]
pub async fn my_response(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AnswerFields>, AppError> {
    let c = store::find_campaign(&state.db, id).await?;
    let inst = store::find_instrument(&state.db, c.instrument_id).await?;
    let def = &inst.definition;
    let a = svc::own_answers(&state.db, &state.listen, who.0.person_id, who.0.id, &c, def)
        .await?
        .ok_or_else(|| AppError::NotFound("response".into()))?;
    Ok(Json(AnswerFields {
        ratings: def
            .items
            .iter()
            .zip(&a.ratings)
            .map(|(i, r)| {
                (
                    i.code.clone(),
                    r.map(|v| v.to_string()).unwrap_or_else(|| "dk".into()),
                )
            })
            .collect(),
        texts: a.texts,
        about: a.about,
    }))
}

/// Answers an open campaign (once; 409 if already answered — use `PUT` to change).
#[utoipa::path(post, path = "/campaigns/{id}/response", tag = "listen", params(("id" = i64, Path, description = "Campaign id")), request_body = AnswerFields, responses((status = 201), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<AnswerFields>,
) -> Result<StatusCode, AppError> {
    svc::submit(
        &state.db,
        &state.listen,
        who.0.person_id,
        who.0.id,
        id,
        &f,
        SubmitMode::New,
    )
    .await?;
    Ok(StatusCode::CREATED)
}

/// Changes the caller's answers while the campaign is open.
#[utoipa::path(put, path = "/campaigns/{id}/response", tag = "listen", params(("id" = i64, Path, description = "Campaign id")), request_body = AnswerFields, responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_answer(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<AnswerFields>,
) -> Result<StatusCode, AppError> {
    svc::submit(
        &state.db,
        &state.listen,
        who.0.person_id,
        who.0.id,
        id,
        &f,
        SubmitMode::Edit,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The slice to show.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsParams {
    /// One department (default: the whole organisation).
    pub department: Option<i64>,
}

/// Results of a closed campaign and its trend; hidden cells are null (409 while it is open).
#[utoipa::path(get, path = "/campaigns/{id}/results", tag = "listen", params(("id" = i64, Path, description = "Campaign id"), ResultsParams), responses((status = 200, body = ResultsView), (status = 409, body = ErrorBody)))]
pub async fn results(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<ResultsParams>,
) -> Result<axum::response::Response, AppError> {
    svc::results_view(&state.db, &state.listen, &who.actor(), id, p.department)
        .await?
        .0
        .json()
}

/// The visible aggregates as CSV.
#[utoipa::path(get, path = "/campaigns/{id}/results.csv", tag = "listen", params(("id" = i64, Path, description = "Campaign id"), ResultsParams), responses((status = 200, content_type = "text/csv", body = String), (status = 409, body = ErrorBody)))]
pub async fn results_csv(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<ResultsParams>,
) -> Result<Response, AppError> {
    let csv = svc::results_csv(&state.db, &state.listen, &who.actor(), id, p.department).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}
