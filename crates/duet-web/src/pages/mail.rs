//! E-mail pages: one-click unsubscribe (outside the session: mail programs post it with no
//! cookie, RFC 8058), each person's e-mail preferences, and the administrators' outbox.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Layout, render, render_status};
use crate::pages::done;
use crate::service::mail as svc;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::mail::NoticeKind;

/// The signed-in routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/email", get(preferences).post(save_preferences))
        .route("/admin/outbox", get(outbox))
        .route("/admin/outbox/{id}/release", post(release))
}

/// The unsubscribe link of every message (no session, no CSRF token: the link's one-time token
/// is the proof).
pub fn public_router() -> Router<AppState> {
    Router::new().route(
        "/mail/unsubscribe/{token}",
        get(unsubscribe_page).post(unsubscribe),
    )
}

#[derive(Template)]
#[template(path = "mail/unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    token: String,
    /// What happened, once the button (or the mail program) posted.
    outcome: Option<String>,
}

/// The link opened in a browser: one button, so a link scanner that follows links does not
/// unsubscribe anybody.
async fn unsubscribe_page(Path(token): Path<String>) -> Result<Response, PageError> {
    Ok(render(UnsubscribePage {
        layout: Layout::anonymous("Unsubscribe"),
        token,
        outcome: None,
    }))
}

/// RFC 8058 one-click: the POST unsubscribes at once and answers 200; a wrong link is 404, a
/// used one 409, each with a page that says so.
async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (status, outcome) = match svc::unsubscribe(&state.db, &token).await {
        Ok(()) => (
            StatusCode::OK,
            "You are unsubscribed: Duet sends you no more newsletters. You can take them again on your account's e-mail page.".to_string(),
        ),
        Err(AppError::NotFound(_)) => (
            StatusCode::NOT_FOUND,
            "This unsubscribe link is not one Duet sent; nothing was changed.".to_string(),
        ),
        Err(AppError::Conflict(e)) => (StatusCode::CONFLICT, format!("{}.", capitalise(&e.message))),
        Err(e) => return Err(PageError(e)),
    };
    Ok(render_status(
        status,
        UnsubscribePage {
            layout: Layout::anonymous("Unsubscribe"),
            token,
            outcome: Some(outcome),
        },
    ))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A kind of notice as a line of the e-mail page.
struct KindChoice {
    value: &'static str,
    label: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "mail/preferences.html")]
struct PreferencesPage {
    layout: Layout,
    email: String,
    p: svc::Preferences,
    kinds: Vec<KindChoice>,
}

async fn preferences(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let actor = who.actor();
    let p = svc::preferences(&state.mail, &state.db, &actor).await?;
    let kinds = NoticeKind::ALL
        .iter()
        .filter(|k| k.reaches(actor.role))
        .map(|k| KindChoice {
            value: k.as_str(),
            label: k.label(),
            on: !p.muted.contains(k),
        })
        .collect();
    Ok(render(PreferencesPage {
        layout: Layout::new(&who, "E-mail", "account"),
        email: who.user.email.clone(),
        p,
        kinds,
    }))
}

/// The form posts one `kind` field per kind ticked, which a struct cannot take directly.
async fn save_preferences(
    State(state): State<AppState>,
    who: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let before = svc::preferences(&state.mail, &state.db, &actor).await?;
    let has = |k: &str| pairs.iter().any(|(n, _)| n == k);
    let ticked: Vec<&str> = pairs
        .iter()
        .filter(|(n, _)| n == "kind")
        .map(|(_, v)| v.as_str())
        .collect();
    let p = svc::Preferences {
        newsletter: has("newsletter"),
        notifications: has("notifications"),
        digest: pairs.iter().any(|(n, v)| n == "delivery" && v == "daily"),
        // Kinds on the page follow the boxes; kinds not offered to this role keep their choice.
        muted: NoticeKind::ALL
            .iter()
            .copied()
            .filter(|k| {
                if k.reaches(actor.role) {
                    !ticked.contains(&k.as_str())
                } else {
                    before.muted.contains(k)
                }
            })
            .collect(),
    };
    svc::set_preferences(&state.db, &actor, &p).await?;
    done(&state, &who, "/account/email", "Saved.").await
}

#[derive(Debug, Default, serde::Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "mail/outbox.html")]
struct OutboxPage {
    layout: Layout,
    view: std::sync::Arc<svc::OutboxView>,
    status: String,
    page: i64,
    pages: i64,
    configured: bool,
}

/// Rows on a page of the outbox.
const PER_PAGE: i64 = 50;

async fn outbox(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<OutboxQuery>,
) -> Result<Response, PageError> {
    let status = q.status.unwrap_or_default();
    let page = q.page.unwrap_or(1).max(1);
    let window = duet_store::PageRequest::new(Some(PER_PAGE), Some((page - 1) * PER_PAGE));
    let view = svc::outbox(&state.mail, &state.db, &who.actor(), Some(&status), window).await?;
    let pages = ((view.total + PER_PAGE - 1) / PER_PAGE).max(1);
    Ok(render(OutboxPage {
        layout: Layout::new(&who, "E-mail outbox", "users"),
        view,
        status,
        page,
        pages,
        configured: state.config.mail.is_some(),
    }))
}

async fn release(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    can(&who.actor(), Action::ManageMail).map_err(AppError::from)?;
    duet_store::mail::release(&state.db, id).await?;
    done(
        &state,
        &who,
        "/admin/outbox?status=held",
        "It goes with the next batch.",
    )
    .await
}
