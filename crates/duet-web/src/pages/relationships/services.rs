//! `/relationships/services`: the catalogue of IT services the IT service gap survey asks about,
//! and — for IT leaders and admins — the form that records its next version.

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::html::{FormErrors, Layout, render_status};
use crate::service::relationships::Sources;
use crate::service::relationships::catalogue::{self, Catalogue, CatalogueFields};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

/// Routes of the catalogue page.
pub fn router() -> Router<AppState> {
    Router::new().route("/relationships/services", get(show).post(edit))
}

#[derive(Template)]
#[template(path = "relationships/services.html")]
struct ServicesPage {
    layout: Layout,
    c: Catalogue,
    /// The textarea: what was typed when refused, else the catalogue in force.
    typed: String,
    errors: FormErrors,
}

async fn page(
    state: &AppState,
    who: &SignedIn,
    typed: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let c = catalogue::catalogue(&state.relationships, Sources::of(state), &who.actor()).await?;
    let typed = typed.unwrap_or_else(|| {
        c.services
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(render_status(
        status,
        ServicesPage {
            layout: Layout::new(who, "IT service catalogue", "relationships"),
            c,
            typed,
            errors,
        },
    ))
}

async fn show(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    page(&state, &who, None, FormErrors::default(), StatusCode::OK).await
}

async fn edit(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<CatalogueFields>,
) -> Result<Response, PageError> {
    match catalogue::edit(Sources::of(&state), &who.actor(), &f).await {
        Ok(changed) => {
            crate::pages::done(
                &state,
                &who,
                "/relationships/services",
                if changed {
                    "Saved as a new version: IT service gap campaigns created from now on ask these services."
                } else {
                    "Nothing changed: the catalogue is as it stands."
                },
            )
            .await
        }
        Err(e) => {
            let (status, errors) = crate::pages::form_errors(e)?;
            page(&state, &who, Some(f.services), errors, status).await
        }
    }
}
