//! The audit log: who changed which person, account or API token, and when; readable by every
//! signed-in user, so nobody can quietly manufacture the crowd of a survey.

use crate::error::AppError;
use duet_core::auth::{Action, Actor, can};
use duet_store::Db;
use duet_store::audit::{self, AuditPage};

/// Which page of the log (form query or JSON query).
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Only entries older than this entry id (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A page of the log, newest first.
pub async fn log(db: &Db, actor: &Actor, q: AuditQuery) -> Result<AuditPage, AppError> {
    can(actor, Action::ViewAuditLog)?;
    Ok(audit::list(db, q.before, q.limit.unwrap_or(50)).await?)
}
