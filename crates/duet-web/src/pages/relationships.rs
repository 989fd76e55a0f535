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
        .route(
            "/relationships/{department}/warnings/{id}/actions",
            post(plan_action),
        )
}

#[derive(Template)]
#[template(path = "relationships/index.html")]
struct IndexPage {
    layout: Layout,
    o: Overview,
    /// (short heading, full label) of each signal.
    kinds: Vec<(&'static str, &'static str)>,
}

async fn index(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let o = svc::overview(&state.relationships, svc::Sources::of(&state), &who.actor()).await?;
    Ok(render(IndexPage {
        layout: Layout::new(&who, "Relationships", "relationships"),
        o,
        kinds: SignalKind::ALL
            .iter()
            .map(|k| (duet_core::relationships::short_label(*k), k.label()))
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
    /// The warning whose action was refused, what was typed, and the errors.
    refused_action: Option<(i64, svc::ActionFields, crate::html::FormErrors)>,
    /// Who may own an action: people of IT and of the department the actor may speak for.
    owners: Vec<(i64, String)>,
}

impl PairPage {
    /// What was typed into warning `id`'s action form, when it was refused.
    fn typed(&self, id: &i64) -> Option<&svc::ActionFields> {
        self.refused_action
            .as_ref()
            .filter(|(w, _, _)| w == id)
            .map(|(_, f, _)| f)
    }

    /// Whether `owner` was chosen in warning `id`'s refused action form.
    fn owner_typed(&self, id: &i64, owner: &i64) -> bool {
        self.typed(id)
            .is_some_and(|t| t.promisor_id == Some(*owner))
    }

    /// The error of `field` in warning `id`'s refused action form.
    fn action_error(&self, id: &i64, field: &str) -> String {
        self.refused_action
            .as_ref()
            .filter(|(w, _, _)| w == id)
            .map(|(_, _, e)| e.get(field).to_string())
            .unwrap_or_default()
    }
}

async fn pair_page(
    state: &AppState,
    who: &SignedIn,
    department: i64,
    refused: Option<(i64, String, String)>,
    refused_action: Option<(i64, svc::ActionFields, crate::html::FormErrors)>,
    status: axum::http::StatusCode,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let p = svc::pair(
        &state.relationships,
        svc::Sources::of(state),
        &actor,
        department,
    )
    .await?;
    let owners = if p.warnings.iter().any(|w| w.cleared_at.is_none()) {
        svc::owners(
            &state.relationships,
            svc::Sources::of(state),
            &actor,
            who.user.person_id,
            department,
        )
        .await?
        .as_ref()
        .clone()
    } else {
        Vec::new()
    };
    Ok(crate::html::render_status(
        status,
        PairPage {
            layout: Layout::new(who, format!("IT × {}", p.department_name), "relationships"),
            p,
            refused,
            refused_action,
            owners,
        },
    ))
}

async fn plan_action(
    State(state): State<AppState>,
    who: SignedIn,
    Path((department, id)): Path<(i64, i64)>,
    axum::extract::Form(f): axum::extract::Form<svc::ActionFields>,
) -> Result<Response, PageError> {
    match svc::plan_action(svc::Sources::of(&state), &who.actor(), department, id, &f).await {
        Ok(p) => {
            crate::pages::done(
                &state,
                &who,
                &format!("/relationships/{department}"),
                &format!("Planned: promise #{} is in the trust ledger.", p.id),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = crate::pages::form_errors(e)?;
            pair_page(
                &state,
                &who,
                department,
                None,
                Some((id, f, errors)),
                status,
            )
            .await
        }
    }
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
            pair_page(
                &state,
                &who,
                department,
                Some((id, f.note, why)),
                None,
                status,
            )
            .await
        }
    }
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(department): Path<i64>,
) -> Result<Response, PageError> {
    pair_page(
        &state,
        &who,
        department,
        None,
        None,
        axum::http::StatusCode::OK,
    )
    .await
}
