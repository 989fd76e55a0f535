//! `/api/v1/audit`: the append-only audit log, by page or whole as CSV.

use crate::api::{ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::audit::{self as svc, AuditQuery};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use duet_store::audit::AuditPage;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list))
        .route("/audit/export", get(export))
}

/// Who changed what, when, with the values before and after; newest first. Admins read every
/// entry (accounts, roles, tokens, people, departments, settings, survey campaigns); everyone
/// else reads the changes to people and survey campaigns. Page with `before` = the previous
/// page's `next_before`.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<std::sync::Arc<AuditPage>>, AppError> {
    Ok(Json(
        svc::log(&state.db, &state.audit, &who.actor(), q).await?,
    ))
}

/// The whole log the caller may read, oldest first, as CSV (at, by, action, subject_kind,
/// subject_id, summary, before, after).
#[utoipa::path(get, path = "/audit/export", tag = "audit",
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<axum::response::Response, AppError> {
    svc::export_download(&state.db, &state.audit, &who.actor()).await
}
