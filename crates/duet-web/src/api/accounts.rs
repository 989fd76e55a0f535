//! `/api/v1` accounts and personal API tokens.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::accounts::{self as svc, NewUserFields, TokenFields};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use duet_store::accounts::{self, ApiToken, User};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/me/password", post(change_password))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", patch(update_user))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
}

/// The account the token belongs to.
#[utoipa::path(get, path = "/me", tag = "accounts", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn me(who: ApiUser) -> Json<User> {
    Json(who.0)
}

/// Which accounts, one page at a time.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserParams {
    /// Only accounts whose linked person is in this department.
    pub department_id: Option<i64>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Lists accounts by name, one page at a time (admins).
#[utoipa::path(get, path = "/users", tag = "accounts", params(UserParams), responses((status = 200, body = Page<User>), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<UserParams>,
) -> Result<Json<Page<User>>, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(
        svc::page_users(&state.db, &who.actor(), p.department_id, window).await?,
    ))
}

/// Creates an account (admins).
#[utoipa::path(post, path = "/users", tag = "accounts", request_body = NewUserFields,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<NewUserFields>,
) -> Result<(StatusCode, Json<User>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::create_user(&state.db, &who.actor(), &f).await?),
    ))
}

/// A change to an account: only what is sent changes.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct UserPatch {
    /// New role (admin, it_leader, business_leader, executive or member); absent keeps it.
    #[serde(default)]
    pub role: Option<String>,
    /// Disable (`true`: ends its sessions and revokes its tokens) or enable again (`false`);
    /// absent keeps it.
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// Changes an account's role, disables it or enables it again (admins). Only the fields sent
/// change: disabling does not need the role.
#[utoipa::path(patch, path = "/users/{id}", tag = "accounts", params(("id" = i64, Path, description = "Account id")), request_body = UserPatch,
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<UserPatch>,
) -> Result<Json<User>, AppError> {
    Ok(Json(
        svc::update_user(
            &state.db,
            &state.auth,
            &who.actor(),
            id,
            f.role.as_deref(),
            f.disabled,
        )
        .await?,
    ))
}

/// The caller's tokens.
#[utoipa::path(get, path = "/tokens", tag = "accounts", responses((status = 200, body = Vec<ApiToken>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<Vec<ApiToken>>, AppError> {
    Ok(Json(
        accounts::list_tokens(&state.db, who.actor().user).await?,
    ))
}

/// A new token and its secret, shown this once.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token's record.
    pub token: ApiToken,
    /// The secret to send as `Authorization: Bearer …`; it cannot be retrieved again.
    pub secret: String,
}

/// Creates a token for the caller.
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body = TokenFields,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<TokenFields>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let (token, secret) = svc::create_token(&state.db, &who.actor(), &f).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

/// Revokes one of the caller's tokens (admins: anyone's).
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts", params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    svc::revoke_token(&state.db, &state.auth, &who.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordFields {
    /// The current password.
    #[serde(default)]
    pub current_password: String,
    /// The new password (at least 10 characters).
    #[serde(default)]
    pub new_password: String,
}

/// Changes the caller's password (the current one is required); every browser session ends.
#[utoipa::path(post, path = "/me/password", tag = "accounts", request_body = PasswordFields, responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<PasswordFields>,
) -> Result<StatusCode, AppError> {
    svc::change_password(
        &state.db,
        &state.auth,
        &who.actor(),
        &f.current_password,
        &f.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
