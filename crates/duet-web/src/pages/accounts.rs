//! Account pages: administrators manage accounts; everyone manages their password and API tokens.

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::html::{Choice, FormErrors, Layout, render_status};
use crate::pages::done;
use crate::pages::form_errors;
use crate::service::accounts::{self as svc, NewUserFields, TokenFields, UserChangeFields};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use duet_core::auth::Role;
use duet_store::accounts::{self, ApiToken, User};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users).post(create_user))
        .route("/admin/users/{id}", post(update_user))
        .route("/account", get(show_account))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/password", post(change_password))
}

fn role_choices(current: &str) -> Vec<Choice> {
    Choice::list(
        Role::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), r.label().to_string())),
        current,
    )
}

/// One row of the accounts table, with its role options pre-selected.
struct UserRow {
    user: User,
    roles: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    form: NewUserFields,
    roles: Vec<Choice>,
    errors: FormErrors,
}

async fn users_page(
    state: &AppState,
    who: &SignedIn,
    form: NewUserFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let users = svc::list_users(&state.db, &who.actor()).await?;
    let users = users
        .into_iter()
        .map(|u| UserRow {
            roles: role_choices(u.role.as_str()),
            user: u,
        })
        .collect();
    let roles = role_choices(if form.role.is_empty() {
        "member"
    } else {
        &form.role
    });
    Ok(render_status(
        status,
        UsersPage {
            layout: Layout::new(who, "Accounts", "users"),
            users,
            form,
            roles,
            errors,
        },
    ))
}

async fn list_users(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    users_page(
        &state,
        &who,
        NewUserFields::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create_user(
    State(state): State<AppState>,
    who: SignedIn,
    Form(mut form): Form<NewUserFields>,
) -> Result<Response, PageError> {
    match svc::create_user(&state.db, &who.actor(), &form).await {
        Ok(u) => {
            done(
                &state,
                &who,
                "/admin/users",
                &format!("Account for {} created.", u.email),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            form.password.clear();
            users_page(&state, &who, form, errors, status).await
        }
    }
}

async fn update_user(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<UserChangeFields>,
) -> Result<Response, PageError> {
    // The form always sends the role; an unticked box is "not disabled".
    let u = svc::update_user(
        &state.db,
        &state.auth,
        &who.actor(),
        id,
        Some(&form.role),
        Some(form.disabled),
    )
    .await?;
    let what = if u.disabled_at.is_some() {
        "disabled"
    } else {
        "saved"
    };
    done(
        &state,
        &who,
        "/admin/users",
        &format!("Account {} {what}.", u.email),
    )
    .await
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    layout: Layout,
    user: User,
    tokens: Vec<ApiToken>,
    new_secret: Option<String>,
    errors: FormErrors,
    /// The provider's name when the account has no password and signs in through it.
    sso_only: Option<String>,
}

async fn account_page(
    state: &AppState,
    who: &SignedIn,
    new_secret: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let user = accounts::find_user(&state.db, who.actor().user).await?;
    let tokens = accounts::list_tokens(&state.db, who.actor().user).await?;
    let sso_only = match accounts::find_login(&state.db, &user.email).await? {
        Some((_, hash)) if hash == duet_store::sso::NO_PASSWORD => Some(
            state
                .config
                .sso
                .as_ref()
                .map_or_else(|| "single sign-on".to_string(), |s| s.label.clone()),
        ),
        _ => None,
    };
    Ok(render_status(
        status,
        AccountPage {
            layout: Layout::new(who, "Your account", "account"),
            user,
            tokens,
            new_secret,
            errors,
            sso_only,
        },
    ))
}

async fn show_account(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    account_page(&state, &who, None, FormErrors::default(), StatusCode::OK).await
}

/// Creates a token and shows its secret on this response only (never stored, never redirected).
async fn create_token(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<TokenFields>,
) -> Result<Response, PageError> {
    match svc::create_token(&state.db, &who.actor(), &form).await {
        Ok((_, secret)) => {
            account_page(
                &state,
                &who,
                Some(secret),
                FormErrors::default(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            account_page(&state, &who, None, errors, status).await
        }
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    svc::revoke_token(&state.db, &state.auth, &who.actor(), id).await?;
    done(&state, &who, "/account", "Token revoked.").await
}

/// The password form's fields.
#[derive(serde::Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    match svc::change_password(
        &state.db,
        &state.auth,
        &who.actor(),
        &form.current_password,
        &form.new_password,
    )
    .await
    {
        // Changing the password ends every session, this one included.
        Ok(()) => Ok(axum::response::IntoResponse::into_response(
            axum::response::Redirect::to("/login?changed=1"),
        )),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            account_page(&state, &who, None, errors, status).await
        }
    }
}
