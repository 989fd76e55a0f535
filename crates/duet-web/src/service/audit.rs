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
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries older than this entry id (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A page of the log, newest first, read at most once per write epoch and two seconds
/// (`service::fresh`): every entry is written by this process's own writes or another
/// replica's, so a cached page is never older than that. Admins read every entry; everyone else
/// reads the changes to people and survey campaigns (`audit::PUBLIC_KINDS`).
pub async fn log(
    db: &Db,
    pages: &AuditPages,
    actor: &Actor,
    q: AuditQuery,
) -> Result<Arc<AuditPage>, AppError> {
    can(actor, Action::ViewAuditLog)?;
    let everything = reads_everything(actor);
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    Ok(pages
        .0
        .get_or_load((q, everything), || {
            audit::list(db, q.before, limit, everything)
        })
        .await?)
}

/// Whether the actor reads every entry (admins) or only the public kinds.
fn reads_everything(actor: &Actor) -> bool {
    actor.role == duet_core::auth::Role::Admin
}

/// The whole log one kind of reader may read (`everything`: admins), oldest first, as CSV
/// (every cell neutralised against formula injection): when, who, action, subject, summary,
/// before, after.
async fn export_csv(db: &Db, everything: bool) -> Result<axum::body::Bytes, AppError> {
    let mut entries = Vec::new();
    let mut before = None;
    loop {
        let page = audit::list(db, before, 1000, everything).await?;
        entries.extend(page.items);
        match page.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    entries.reverse();
    let mut w = csv::Writer::from_writer(Vec::new());
    let cell = |s: &str| duet_core::csv_input::neutralise(s).into_owned();
    w.write_record([
        "at",
        "by",
        "action",
        "subject_kind",
        "subject_id",
        "summary",
        "before",
        "after",
    ])
    .map_err(|e| AppError::Internal(e.into()))?;
    for e in &entries {
        w.write_record([
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            cell(e.actor_name.as_deref().unwrap_or("command line")),
            cell(&e.action),
            cell(&e.subject_kind),
            e.subject_id.to_string(),
            cell(&e.summary),
            cell(e.before_value.as_deref().unwrap_or("")),
            cell(e.after_value.as_deref().unwrap_or("")),
        ])
        .map_err(|e| AppError::Internal(e.into()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(axum::body::Bytes::from(bytes))
}

/// The log the reader may read as a CSV download (`duet-audit-log.csv`): the one response of
/// the page's export and the API's. The file is written at most once per write epoch and two
/// seconds per kind of reader (`service::fresh`, as the log's pages), so downloads under load
/// share one read of the log instead of each reading all of it.
pub async fn export_download(
    db: &Db,
    pages: &AuditPages,
    actor: &Actor,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    can(actor, Action::ViewAuditLog)?;
    let everything = reads_everything(actor);
    let csv = pages
        .1
        .get_or_load(everything, || export_csv(db, everything))
        .await?;
    let csv = axum::body::Bytes::clone(&csv);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"duet-audit-log.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// Recently read pages of the log, per process and per reader kind (every page footer links the
/// log, so it is read often; a page is one indexed read of up to 200 rows plus names), and the
/// whole log as CSV per reader kind.
#[derive(Default)]
pub struct AuditPages(
    FreshMap<(AuditQuery, bool), AuditPage>,
    FreshMap<bool, axum::body::Bytes>,
);
