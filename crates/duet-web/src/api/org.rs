//! `/api/v1` departments and people.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::org::{self as svc, DepartmentFields, PersonFields};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::org::{DepartmentId, Level, PersonId};
use duet_store::org::{self, Department, ImportSummary, PeopleFilter, Person};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/departments",
            get(list_departments).post(create_department),
        )
        .route(
            "/departments/{id}",
            get(get_department).put(update_department),
        )
        .route("/departments/{id}/archive", post(archive_department))
        .route("/departments/{id}/restore", post(restore_department))
        .route("/people", get(list_people).post(create_person))
        .route("/people/import", post(import_people))
        .route("/people/export", get(export_people))
        .route("/people/{id}", get(get_person).put(update_person))
        .route("/people/{id}/archive", post(archive_person))
        .route("/people/{id}/restore", post(restore_person))
}

/// Listing options for departments.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentsParams {
    /// Include archived departments.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Lists departments by name, one page at a time.
#[utoipa::path(get, path = "/departments", tag = "org", params(DepartmentsParams),
    responses((status = 200, body = Page<Department>), (status = 401, body = ErrorBody)))]
pub async fn list_departments(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<DepartmentsParams>,
) -> Result<Json<Page<Department>>, AppError> {
    let all = svc::departments(&state.db, &state.org, &who.actor(), p.include_archived).await?;
    let window = PageRequest::new(p.limit, p.offset);
    let skip = usize::try_from(window.offset).unwrap_or(usize::MAX);
    let take = usize::try_from(window.limit).unwrap_or(0);
    Ok(Json(Page {
        items: all.iter().skip(skip).take(take).cloned().collect(),
        total: i64::try_from(all.len()).unwrap_or(i64::MAX),
        limit: window.limit,
        offset: window.offset,
    }))
}

/// Creates a department.
#[utoipa::path(post, path = "/departments", tag = "org", request_body = DepartmentFields,
    responses((status = 201, body = Department), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_department(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<DepartmentFields>,
) -> Result<(StatusCode, Json<Department>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::create_department(&state.db, &who.actor(), &f).await?),
    ))
}

/// One department.
#[utoipa::path(get, path = "/departments/{id}", tag = "org", params(("id" = i64, Path, description = "Department id")),
    responses((status = 200, body = Department), (status = 404, body = ErrorBody)))]
pub async fn get_department(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Department>, AppError> {
    can(&who.actor(), Action::ViewOrg)?;
    Ok(Json(
        org::find_department(&state.db, DepartmentId(id)).await?,
    ))
}

/// Replaces a department's name, kind, leader and IT partner.
#[utoipa::path(put, path = "/departments/{id}", tag = "org", params(("id" = i64, Path, description = "Department id")), request_body = DepartmentFields,
    responses((status = 200, body = Department), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_department(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<DepartmentFields>,
) -> Result<Json<Department>, AppError> {
    Ok(Json(
        svc::update_department(&state.db, &who.actor(), id, &f).await?,
    ))
}

/// Archives a department (it must have no active people).
#[utoipa::path(post, path = "/departments/{id}/archive", tag = "org", params(("id" = i64, Path, description = "Department id")),
    responses((status = 200, body = Department), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn archive_department(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Department>, AppError> {
    Ok(Json(
        svc::archive_department(&state.db, &who.actor(), id, true).await?,
    ))
}

/// Restores an archived department.
#[utoipa::path(post, path = "/departments/{id}/restore", tag = "org", params(("id" = i64, Path, description = "Department id")),
    responses((status = 200, body = Department), (status = 403, body = ErrorBody)))]
pub async fn restore_department(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Department>, AppError> {
    Ok(Json(
        svc::archive_department(&state.db, &who.actor(), id, false).await?,
    ))
}

/// Search and paging for the directory.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Matches name, e-mail or title.
    pub q: Option<String>,
    /// Only this department.
    pub department_id: Option<i64>,
    /// Only this level (`executive`, `manager`, `individual`).
    #[param(value_type = Option<duet_core::org::Level>, inline)]
    pub level: Option<String>,
    /// Include archived people.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Lists people, by name, one page at a time.
#[utoipa::path(get, path = "/people", tag = "org", params(PeopleParams),
    responses((status = 200, body = Page<Person>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<PeopleParams>,
) -> Result<axum::response::Response, AppError> {
    can(&who.actor(), Action::ViewOrg)?;
    let level = p
        .level
        .as_deref()
        .filter(|l| !l.is_empty())
        .map(str::parse::<Level>)
        .transpose()?;
    let filter = PeopleFilter {
        q: p.q,
        department: p.department_id.map(DepartmentId),
        level,
        include_archived: p.include_archived,
    };
    let dir = svc::directory(
        &state.db,
        &state.org,
        &who.actor(),
        filter,
        PageRequest::new(p.limit, p.offset),
    )
    .await?;
    dir.0.json()
}

/// Creates a person.
#[utoipa::path(post, path = "/people", tag = "org", request_body = PersonFields,
    responses((status = 201, body = Person), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<PersonFields>,
) -> Result<(StatusCode, Json<Person>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::create_person(&state.db, &who.actor(), &f).await?),
    ))
}

/// One person.
#[utoipa::path(get, path = "/people/{id}", tag = "org", params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Person), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Person>, AppError> {
    can(&who.actor(), Action::ViewOrg)?;
    Ok(Json(org::find_person(&state.db, PersonId(id)).await?))
}

/// Replaces a person's fields.
#[utoipa::path(put, path = "/people/{id}", tag = "org", params(("id" = i64, Path, description = "Person id")), request_body = PersonFields,
    responses((status = 200, body = Person), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_person(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<PersonFields>,
) -> Result<Json<Person>, AppError> {
    Ok(Json(
        svc::update_person(&state.db, &who.actor(), id, &f).await?,
    ))
}

/// Archives a person.
#[utoipa::path(post, path = "/people/{id}/archive", tag = "org", params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Person), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn archive_person(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Person>, AppError> {
    Ok(Json(
        svc::archive_person(&state.db, &who.actor(), id, true).await?,
    ))
}

/// Restores an archived person.
#[utoipa::path(post, path = "/people/{id}/restore", tag = "org", params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Person), (status = 403, body = ErrorBody)))]
pub async fn restore_person(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Person>, AppError> {
    Ok(Json(
        svc::archive_person(&state.db, &who.actor(), id, false).await?,
    ))
}

/// Imports people from a CSV body (`name,email,department,title,level`); all rows or none.
#[utoipa::path(post, path = "/people/import", tag = "org", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, description = "Bad rows, each with line and column in `error.details`", body = ErrorBody)))]
pub async fn import_people(
    State(state): State<AppState>,
    who: ApiUser,
    body: Bytes,
) -> Result<Json<ImportSummary>, AppError> {
    Ok(Json(
        svc::import_people(&state.db, &who.actor(), &body).await?,
    ))
}

/// Exports active people as CSV in the import format.
#[utoipa::path(get, path = "/people/export", tag = "org",
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody)))]
pub async fn export_people(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<impl IntoResponse, AppError> {
    let csv = svc::export_people(&state.db, &who.actor()).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}
