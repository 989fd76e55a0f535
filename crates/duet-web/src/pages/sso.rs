//! The admin's single sign-on page: the settings as Duet reads them, whether the provider
//! answers, a test sign-in that shows the claims and how they map (changing nothing), and a
//! mapping preview for claims pasted in.

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::html::{Layout, render, render_status};
use crate::service::sso::{self as svc, Preview, SsoSummary};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sso", get(show))
        .route("/admin/sso/test", get(test))
        .route("/admin/sso/preview", post(preview))
}

#[derive(Template)]
#[template(path = "accounts/sso.html")]
struct SsoPage {
    layout: Layout,
    summary: SsoSummary,
    claims: String,
    preview: Option<Preview>,
    error: Option<String>,
}

/// A first try for the preview box: the claims a provider typically sends.
const EXAMPLE_CLAIMS: &str = r#"{"sub": "248289761001", "email": "jane.doe@example.com", "name": "Jane Doe", "groups": ["duet-users"]}"#;

async fn show(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let summary = svc::summary(&state, &who.actor()).await?;
    Ok(render(SsoPage {
        layout: Layout::new(&who, "Single sign-on", "users"),
        summary,
        claims: EXAMPLE_CLAIMS.into(),
        preview: None,
        error: None,
    }))
}

/// Starts a test sign-in as this admin: the provider's answer comes back to a page that shows
/// it and changes nothing. A link, not a form: the page's `form-action 'self'` policy would stop
/// a form from being sent on to the provider, and the test changes nothing that needs CSRF.
async fn test(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    duet_core::auth::can(&who.actor(), duet_core::auth::Action::ManageUsers)
        .map_err(crate::error::AppError::from)?;
    Ok(crate::auth::sso::start(&state, "/admin/sso", Some(who.actor().user.0)).await?)
}

#[derive(serde::Deserialize)]
struct PreviewForm {
    #[serde(default)]
    claims: String,
}

/// Shows what the pasted claims map to; the box keeps what was typed.
async fn preview(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<PreviewForm>,
) -> Result<Response, PageError> {
    let summary = svc::summary(&state, &who.actor()).await?;
    let layout = Layout::new(&who, "Single sign-on", "users");
    let parsed: Result<serde_json::Value, String> = serde_json::from_str(&f.claims).map_err(|e| {
        format!("Claims: this is not JSON ({e}). Write an object such as {EXAMPLE_CLAIMS}.")
    });
    let result = match parsed {
        Ok(v) => svc::preview(&state, &who.actor(), &v)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    Ok(match result {
        Ok(p) => render(SsoPage {
            layout,
            summary,
            claims: f.claims,
            preview: Some(p),
            error: None,
        }),
        Err(e) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            SsoPage {
                layout,
                summary,
                claims: f.claims,
                preview: None,
                error: Some(e),
            },
        ),
    })
}
