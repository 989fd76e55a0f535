//! `/api/v1/audit`: the audit log of changes to people, accounts and API tokens.

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
    Router::new().route("/audit", get(list))
}

/// Who changed which person, account or API token, and when; newest first. Every account may
/// read it. Page with `before` = the previous page's `next_before`.
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
