//! Accounts and API tokens: the checked actions shared by pages and the API.

use crate::auth::cache::AuthCaches;
use crate::error::AppError;
use crate::service::de;
use duet_core::auth::{Action, Actor, Role, can};
use duet_core::org::{Email, UserId};
use duet_core::secret::Password;
use duet_store::Db;
use duet_store::accounts::{self, ApiToken, NewUser, User};

/// A new account (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewUserFields {
    /// Sign-in e-mail; linked to the person with the same e-mail, if any.
    #[serde(default)]
    pub email: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// `admin`, `it_leader`, `business_leader`, `executive` or `member`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::auth::Role>)]
    pub role: String,
    /// Initial password, at least 10 characters.
    #[serde(default)]
    pub password: String,
}

/// A change to an account (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct UserChangeFields {
    /// New role.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::auth::Role>)]
    pub role: String,
    /// Disable the account (ends its sessions and revokes its tokens).
    #[serde(default, deserialize_with = "de::flag")]
    pub disabled: bool,
}

/// A new API token's name.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TokenFields {
    /// What the token is for ("weekly export script").
    #[serde(default)]
    pub name: String,
}

/// Hashes a password on the process's bounded hashing queue (see `auth::hasher`).
pub async fn hash_password(pw: Password) -> Result<String, AppError> {
    crate::auth::hasher::hash(pw).await
}

/// Creates an account.
pub async fn create_user(db: &Db, actor: &Actor, f: &NewUserFields) -> Result<User, AppError> {
    can(actor, Action::ManageUsers)?;
    let mut errs = duet_core::ValidationErrors::default();
    let email = errs.check(Email::parse(&f.email));
    let name = errs.check(duet_core::error::bounded_text("name", &f.name, 1, 120));
    let role = errs.check(f.role.parse::<Role>());
    let password = errs.check(Password::parse(&f.password));
    let (Some(email), Some(name), Some(role), Some(password)) = (email, name, role, password)
    else {
        return Err(errs.into());
    };
    let password_hash = hash_password(password).await?;
    Ok(accounts::insert_user_by(
        db,
        Some(actor.user.0),
        &NewUser {
            email,
            name,
            role,
            password_hash,
        },
    )
    .await?)
}

/// Changes an account's role or disables it. Admins cannot demote or disable themselves, so an
/// organisation always keeps an administrator.
pub async fn update_user(
    db: &Db,
    auth: &AuthCaches,
    actor: &Actor,
    id: i64,
    role: Option<&str>,
    disabled: Option<bool>,
) -> Result<User, AppError> {
    can(actor, Action::ManageUsers)?;
    let current = accounts::find_user(db, UserId(id)).await?;
    let role = match role.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => r.parse::<Role>()?,
        None => current.role,
    };
    let disabled = disabled.unwrap_or(current.disabled_at.is_some());
    if UserId(id) == actor.user && (role != Role::Admin || disabled) {
        return Err(AppError::Conflict(duet_core::FieldError::new(
            "role",
            "you cannot demote or disable your own account",
        )));
    }
    let user = accounts::update_user_by(db, Some(actor.user.0), UserId(id), role, disabled).await?;
    auth.clear();
    Ok(user)
}

/// Lists accounts.
pub async fn list_users(db: &Db, actor: &Actor) -> Result<Vec<User>, AppError> {
    can(actor, Action::ViewUsers)?;
    Ok(accounts::list_users(db).await?)
}

/// Creates a token for the actor; the secret is returned once.
pub async fn create_token(
    db: &Db,
    actor: &Actor,
    f: &TokenFields,
) -> Result<(ApiToken, String), AppError> {
    can(actor, Action::ManageTokens(actor.user))?;
    let name = duet_core::error::bounded_text("name", &f.name, 1, 80)?;
    Ok(accounts::insert_token_by(db, Some(actor.user.0), actor.user, &name).await?)
}

/// Revokes a token of the actor's (or, for an admin, anyone's).
pub async fn revoke_token(
    db: &Db,
    auth: &AuthCaches,
    actor: &Actor,
    id: i64,
) -> Result<(), AppError> {
    let token = accounts::find_token(db, id).await?;
    if can(actor, Action::ManageTokens(UserId(token.user_id))).is_err() {
        // Someone else's token is reported as missing, so ids cannot be probed.
        return Err(AppError::NotFound("token".into()));
    }
    accounts::revoke_token_by(db, Some(actor.user.0), id).await?;
    auth.clear();
    Ok(())
}

/// Changes the actor's own password after checking the current one; ends all their sessions.
pub async fn change_password(
    db: &Db,
    auth: &AuthCaches,
    actor: &Actor,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let user = accounts::find_user(db, actor.user).await?;
    let Some((_, hash)) = accounts::find_login(db, &user.email).await? else {
        return Err(AppError::Unauthorized);
    };
    let current = current.to_string();
    let ok = crate::auth::hasher::verify(current, hash).await?;
    if !ok {
        return Err(AppError::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = hash_password(Password::parse(new)?).await?;
    accounts::set_password_by(db, Some(actor.user.0), actor.user, &hash).await?;
    auth.clear();
    Ok(())
}

/// Lists accounts one page at a time, of one department or all (the API's list).
pub async fn page_users(
    db: &Db,
    actor: &Actor,
    department: Option<i64>,
    window: duet_store::PageRequest,
) -> Result<duet_store::Page<User>, AppError> {
    can(actor, Action::ViewUsers)?;
    Ok(accounts::page_users(db, department, window).await?)
}
