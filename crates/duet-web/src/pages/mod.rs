//! Server-rendered pages (forms, POST-redirect-GET), one module per area; they work without
//! JavaScript. Every page route goes through the session and CSRF middleware.

pub mod accounts;
pub mod audit;
pub mod comms;
pub mod home;
pub mod listen;
pub mod mail;
pub mod metrics;
pub mod once;
pub mod org;
pub mod portfolio;
pub mod promises;
pub mod relationships;
pub mod requests;
pub mod reviews;
pub mod rotation;
pub mod software;
pub mod sso;
pub mod voice;

use crate::auth::{self, SignedIn};
use crate::error::PageError;
use crate::state::AppState;
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// The page routes, wrapped in the session/CSRF middleware.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route(
            "/login",
            get(auth::login::login_form).post(auth::login::login),
        )
        .route("/logout", post(auth::login::logout))
        .route("/login/sso", get(auth::sso::begin))
        .route("/login/sso/callback", get(auth::sso::callback))
        .merge(org::router())
        .merge(accounts::router())
        .merge(sso::router())
        .merge(audit::router())
        .merge(requests::router())
        .merge(portfolio::router())
        .merge(promises::router())
        .merge(metrics::router())
        .merge(reviews::router())
        .merge(listen::router())
        .merge(voice::router())
        .merge(comms::router())
        .merge(relationships::router())
        .merge(rotation::router())
        .merge(software::router())
        .merge(mail::router())
        // Inside the session/CSRF check: create forms sent twice create once.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            once::guard,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::session::load_session,
        ))
        .merge(comms::feed_router())
        .merge(mail::public_router())
        .route("/static/duet.css", get(stylesheet))
        .route("/static/duet.svg", get(icon))
}

/// Our stylesheet, compiled into the binary (no CDN).
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/duet.css"),
    )
}

/// The icon.
async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/duet.svg"),
    )
}

/// A redirect after a successful form (POST-redirect-GET), leaving a flash message.
pub(crate) async fn done(
    state: &AppState,
    who: &SignedIn,
    to: &str,
    message: &str,
) -> Result<Response, PageError> {
    auth::session::flash(state, who, message).await?;
    Ok(axum::response::Redirect::to(to).into_response())
}

/// The bytes of the `file` field of an upload form; an empty or missing file is a 422.
pub(crate) async fn uploaded_file(
    upload: &mut axum::extract::Multipart,
) -> Result<Vec<u8>, crate::error::AppError> {
    use crate::error::AppError;
    let mut bytes = Vec::new();
    while let Some(field) = upload
        .next_field()
        .await
        .map_err(|e| AppError::invalid("file", e.body_text()))?
    {
        if field.name() == Some("file") {
            bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::invalid("file", e.body_text()))?
                .to_vec();
        }
    }
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "choose a CSV file to import"));
    }
    Ok(bytes)
}

/// Splits a service error into form errors (the form is shown again with them: 422 for invalid
/// fields, 409 for a conflict) or an error page for everything else.
pub(crate) fn form_errors(
    e: crate::error::AppError,
) -> Result<(axum::http::StatusCode, crate::html::FormErrors), PageError> {
    use crate::error::AppError;
    match e {
        AppError::Invalid(errs) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            crate::html::FormErrors(errs),
        )),
        AppError::Conflict(e) => Ok((
            axum::http::StatusCode::CONFLICT,
            crate::html::FormErrors(vec![e]),
        )),
        other => Err(PageError(other)),
    }
}
