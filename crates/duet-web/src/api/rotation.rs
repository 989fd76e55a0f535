//! `/api/v1/rotation`: the rotation programme (Swap) — cycles, offers, applications and
//! releases, the owner's matching and confirmation, placements, reflections and their
//! follow-ups, and outcomes.

use crate::api::{ApiJson, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::relationships as rel;
use crate::service::rotation::matching::{self, AdjustFields, Proposal};
use crate::service::rotation::outcomes::{self, Outcomes};
use crate::service::rotation::reflections::{
    self, FollowUpFields, FollowedUp, GoalsFields, PlacementPage, ReflectionFields,
};
use crate::service::rotation::{
    self as svc, ApplicationFields, CycleFields, CycleView, Me, OfferFields, Phase, ReleaseFields,
};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use duet_store::rotation::placements::Reflection;
use duet_store::rotation::{Application, Cycle};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rotation/cycles", get(list_cycles).post(open_cycle))
        .route("/rotation/cycles/{id}", get(cycle))
        .route("/rotation/cycles/{id}/offers", post(offer))
        .route("/rotation/cycles/{id}/applications", post(apply))
        .route("/rotation/applications/{id}/release", post(release))
        .route(
            "/rotation/cycles/{id}/proposal",
            get(proposal).post(adjusted_proposal),
        )
        .route("/rotation/cycles/{id}/confirm", post(confirm))
        .route("/rotation/cycles/{id}/outcomes", get(cycle_outcomes))
        .route("/rotation/placements/{id}", get(placement))
        .route("/rotation/placements/{id}/reflections", post(reflect))
        .route("/rotation/placements/{id}/goals", axum::routing::put(goals))
        .route("/rotation/reflections/{id}/follow-up", post(follow_up))
}

fn me(who: &ApiUser) -> Me {
    Me::of(&who.0)
}

/// A cycle in the list, with where it stands.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CycleItem {
    /// The cycle.
    #[serde(flatten)]
    pub cycle: Cycle,
    /// Where it stands today.
    pub phase: Phase,
}

/// Every cycle, the latest start first (everyone sees the programme).
#[utoipa::path(get, path = "/rotation/cycles", tag = "rotation", responses((status = 200, body = [CycleItem]), (status = 401, body = ErrorBody)))]
pub async fn list_cycles(
    State(state): State<AppState>,
    _who: ApiUser,
) -> Result<Json<Vec<CycleItem>>, AppError> {
    Ok(Json(
        state
            .rotation
            .cycles(&state.db)
            .await?
            .into_iter()
            .map(|(cycle, phase)| CycleItem { cycle, phase })
            .collect(),
    ))
}

/// Opens a cycle (IT leaders and admins); every bad field is named and nothing is written.
#[utoipa::path(post, path = "/rotation/cycles", tag = "rotation", request_body = CycleFields, responses((status = 201, body = CycleView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open_cycle(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<CycleFields>,
) -> Result<(StatusCode, Json<CycleView>), AppError> {
    let id = svc::open_cycle(&state.db, &who.actor(), &f, chrono::Utc::now().date_naive()).await?;
    Ok((
        StatusCode::CREATED,
        Json(svc::cycle_view(&state.rotation, &state.db, &me(&who), id).await?),
    ))
}

/// One cycle: its offers, the applications the caller may see, its placements.
#[utoipa::path(get, path = "/rotation/cycles/{id}", tag = "rotation", params(("id" = i64, Path, description = "Cycle id")), responses((status = 200, body = CycleView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cycle(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CycleView>, AppError> {
    Ok(Json(
        svc::cycle_view(&state.rotation, &state.db, &me(&who), id).await?,
    ))
}

/// Offers a placement in a host department taking part (its business leader, IT leaders,
/// admins); 409 once the cycle's placements are confirmed.
#[utoipa::path(post, path = "/rotation/cycles/{id}/offers", tag = "rotation", params(("id" = i64, Path, description = "Cycle id")), request_body = OfferFields, responses((status = 201, body = CycleView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn offer(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<OfferFields>,
) -> Result<(StatusCode, Json<CycleView>), AppError> {
    svc::offer(&state.db, &who.actor(), id, &f).await?;
    Ok((
        StatusCode::CREATED,
        Json(svc::cycle_view(&state.rotation, &state.db, &me(&who), id).await?),
    ))
}

/// Applies to a cycle as oneself; 409 when already applied, or taking part in an overlapping
/// cycle.
#[utoipa::path(post, path = "/rotation/cycles/{id}/applications", tag = "rotation", params(("id" = i64, Path, description = "Cycle id")), request_body = ApplicationFields, responses((status = 201, body = Application), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ApplicationFields>,
) -> Result<(StatusCode, Json<Application>), AppError> {
    let a = svc::apply(&state.db, &me(&who), id, &f).await?;
    Ok((
        StatusCode::CREATED,
        Json(duet_store::rotation::find_application(&state.db, a).await?),
    ))
}

/// The applicant's manager (their department's leader) releases them or declines with a reason;
/// anyone else gets 403.
#[utoipa::path(post, path = "/rotation/applications/{id}/release", tag = "rotation", params(("id" = i64, Path, description = "Application id")), request_body = ReleaseFields, responses((status = 200, body = Application), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ReleaseFields>,
) -> Result<Json<Application>, AppError> {
    Ok(Json(svc::release(&state.db, &who.actor(), id, &f).await?))
}

/// The best matching of released applicants to placements, each pair with its terms (IT leaders
/// and admins).
#[utoipa::path(get, path = "/rotation/cycles/{id}/proposal", tag = "rotation", params(("id" = i64, Path, description = "Cycle id")), responses((status = 200, body = Proposal), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn proposal(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Proposal>, AppError> {
    Ok(Json(
        matching::proposal(
            &state.rotation,
            &state.relationships,
            rel::Sources::of(&state),
            &me(&who),
            id,
            &AdjustFields::default(),
        )
        .await?
        .as_ref()
        .clone(),
    ))
}

/// The best matching under the owner's pins and exclusions (a bad pin is named: `pinned`).
#[utoipa::path(post, path = "/rotation/cycles/{id}/proposal", tag = "rotation", params(("id" = i64, Path, description = "Cycle id")), request_body = AdjustFields, responses((status = 200, body = Proposal), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn adjusted_proposal(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<AdjustFields>,
) -> Result<Json<Proposal>, AppError> {
    Ok(Json(
        matching::proposal(
            &state.rotation,
            &state.relationships,
            rel::Sources::of(&state),
            &me(&who),
            id,
            &f,
        )
        .await?
        .as_ref()
        .clone(),
    ))
}

/// Confirms the matching under the owner's adjustments as placements, in one transaction; the
/// call closes. 409 once confirmed.
#[utoipa::path(post, path = "/rotation/cycles/{id}/confirm", tag = "rotation", params(("id" = i64, Path, description = "Cycle id")), request_body = AdjustFields, responses((status = 201, body = CycleView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<AdjustFields>,
) -> Result<(StatusCode, Json<CycleView>), AppError> {
    matching::confirm(
        &state.relationships,
        rel::Sources::of(&state),
        &me(&who),
        id,
        &f,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(svc::cycle_view(&state.rotation, &state.db, &me(&who), id).await?),
    ))
}

/// The cycle's outcomes: rotated people against comparable people who did not rotate, and the
/// pairs crossed (the programme owner and those who see every relationship).
#[utoipa::path(get, path = "/rotation/cycles/{id}/outcomes", tag = "rotation", params(("id" = i64, Path, description = "Cycle id")), responses((status = 200, body = Outcomes), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cycle_outcomes(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Outcomes>, AppError> {
    Ok(Json(
        outcomes::cached(
            &state.rotation,
            &state.relationships,
            rel::Sources::of(&state),
            &me(&who),
            id,
        )
        .await?
        .as_ref()
        .clone(),
    ))
}

/// A placement, with the reflections the caller may read.
#[utoipa::path(get, path = "/rotation/placements/{id}", tag = "rotation", params(("id" = i64, Path, description = "Placement id")), responses((status = 200, body = PlacementPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn placement(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PlacementPage>, AppError> {
    Ok(Json(
        reflections::placement_page(&state.rotation, &state.db, &me(&who), id).await?,
    ))
}

/// Writes (or rewrites) the guest's reflection for a stage: only the placement's guest.
#[utoipa::path(post, path = "/rotation/placements/{id}/reflections", tag = "rotation", params(("id" = i64, Path, description = "Placement id")), request_body = ReflectionFields, responses((status = 201, body = Reflection), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reflect(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ReflectionFields>,
) -> Result<(StatusCode, Json<Reflection>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(reflections::reflect(&state.db, &me(&who), id, &f).await?),
    ))
}

/// Rewrites the placement's learning goals: only its guest.
#[utoipa::path(put, path = "/rotation/placements/{id}/goals", tag = "rotation", params(("id" = i64, Path, description = "Placement id")), request_body = GoalsFields, responses((status = 200, body = PlacementPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn goals(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<GoalsFields>,
) -> Result<Json<PlacementPage>, AppError> {
    reflections::set_goals(&state.db, &me(&who), id, &f).await?;
    Ok(Json(
        reflections::placement_page(&state.rotation, &state.db, &me(&who), id).await?,
    ))
}

/// Turns the guest's reflection into a request or a promise, linked back; once (409 after).
#[utoipa::path(post, path = "/rotation/reflections/{id}/follow-up", tag = "rotation", params(("id" = i64, Path, description = "Reflection id")), request_body = FollowUpFields, responses((status = 201, body = FollowedUp), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn follow_up(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<FollowUpFields>,
) -> Result<(StatusCode, Json<FollowedUp>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(reflections::follow_up(&state.db, &me(&who), id, &f).await?),
    ))
}
