//! See pages: every business department's relationship with IT on one page, signal by signal,
//! and one relationship with each signal explained and linked to its records.

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::html::{Layout, render};
use crate::service::relationships::{self as svc, Overview, Pair};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use duet_core::relationships::SignalKind;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/relationships", get(index))
        .route("/relationships/{department}", get(show))
        .route(
            "/relationships/{department}/warnings/{id}/acknowledge",
            post(acknowledge),
        )
}

#[derive(Template)]
#[template(path = "relationships/index.html")]
struct IndexPage {
    layout: Layout,
    o: Overview,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn index(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let o = svc::overview(&state.relationships, svc::Sources::of(&state), &who.actor()).await?;
    Ok(render(IndexPage {
        layout: Layout::new(&who, "Relationships", "relationships"),
        o,
        kinds: SignalKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
    }))
}

#[derive(Template)]
#[template(path = "relationships/pair.html")]
struct PairPage {
    layout: Layout,
    p: Pair,
    /// The warning whose acknowledgement was refused, what was typed, and why.
    refused: Option<(i64, String, String)>,
}

async fn pair_page(
    state: &AppState,
    who: &SignedIn,
    department: i64,
    refused: Option<(i64, String, String)>,
    status: axum::http::StatusCode,
) -> Result<Response, PageError> {
    let p = svc::pair(
        &state.relationships,
        svc::Sources::of(state),
        &who.actor(),
        department,
    )
    .await?;
    Ok(crate::html::render_status(
        status,
        PairPage {
            layout: Layout::new(who, format!("IT × {}", p.department_name), "relationships"),
            p,
            refused,
        },
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn acknowledge(
    State(state): State<AppState>,
    who: SignedIn,
    Path((department, id)): Path<(i64, i64)>,
    axum::extract::Form(f): axum::extract::Form<NoteForm>,
) -> Result<Response, PageError> {
    match svc::acknowledge(
        svc::Sources::of(&state),
        &who.actor(),
        department,
        id,
        &f.note,
    )
    .await
    {
        Ok(_) => {
            crate::pages::done(
                &state,
                &who,
                &format!("/relationships/{department}"),
                "Acknowledged: your note is kept with the warning.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = crate::pages::form_errors(e)?;
            let why = errors
                .0
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            pair_page(&state, &who, department, Some((id, f.note, why)), status).await
        }
    }
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(department): Path<i64>,
) -> Result<Response, PageError> {
    pair_page(&state, &who, department, None, axum::http::StatusCode::OK).await
}
