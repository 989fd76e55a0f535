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
use axum::routing::get;
use duet_core::relationships::SignalKind;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/relationships", get(index))
        .route("/relationships/{department}", get(show))
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
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(department): Path<i64>,
) -> Result<Response, PageError> {
    let p = svc::pair(
        &state.relationships,
        svc::Sources::of(&state),
        &who.actor(),
        department,
    )
    .await?;
    Ok(render(PairPage {
        layout: Layout::new(&who, format!("IT × {}", p.department_name), "relationships"),
        p,
    }))
}
