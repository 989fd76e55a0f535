//! The audit log page: who changed what, when, before and after; and its CSV export.

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::html::{Clock, Layout, render};
use crate::service::audit::{self as svc, AuditQuery};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use duet_store::audit::AuditPage;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(show))
        .route("/audit/export.csv", get(export))
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditLogPage {
    layout: Layout,
    clock: Clock,
    page: std::sync::Arc<AuditPage>,
    /// Whether this is a later page (offer the way back to the newest).
    paged: bool,
    /// Whether the reader sees every entry (admins) or the public kinds.
    everything: bool,
}

/// The log the reader may read, as a CSV download.
async fn export(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    Ok(svc::export_download(&state.db, &state.audit, &who.actor()).await?)
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let page = svc::log(&state.db, &state.audit, &who.actor(), q).await?;
    Ok(render(AuditLogPage {
        layout: Layout::new(&who, "Audit log", "audit"),
        clock: Clock::of(&state),
        page,
        paged: q.before.is_some(),
        everything: who.actor().role == duet_core::auth::Role::Admin,
    }))
}
