//! The audit log: who changed which person, account or API token, and when; readable by every
//! signed-in user, so nobody can quietly manufacture the crowd of a survey.

use crate::error::AppError;
use crate::service::fresh::FreshMap;
use duet_core::auth::{Action, Actor, can};
use duet_store::Db;
use duet_store::audit::{self, AuditPage};
use std::sync::Arc;

/// Which page of the log (form query or JSON query).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Deserialize, utoipa::IntoParams,
)]
pub struct AuditQuery {
    /// Only entries older than this entry id (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A page of the log, newest first, read at most once per write epoch and two seconds
/// (`service::fresh`): every entry is written by this process's own writes or another
/// replica's, so a cached page is never older than that.
pub async fn log(
    db: &Db,
    pages: &AuditPages,
    actor: &Actor,
    q: AuditQuery,
) -> Result<Arc<AuditPage>, AppError> {
    can(actor, Action::ViewAuditLog)?;
    Ok(pages
        .0
        .get_or_load(q, || audit::list(db, q.before, q.limit.unwrap_or(50)))
        .await?)
}

/// Recently read pages of the log, per process (every page footer links the log, so it is read
/// often; a page is one indexed read of up to 200 rows plus names).
#[derive(Default)]
pub struct AuditPages(FreshMap<AuditQuery, AuditPage>);
