//! Edition pages: the archive, drafting a month, the edition (read, or previewed as a chosen
//! department's member), the editor's form, redrafting, scheduling, and the counted redirect.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render_status};
use crate::pages::{done, form_errors};
use crate::service::comms::editions::{
    self as svc, EditionFields, EditionView, LineFields, NewLineFields,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::comms::edition::Section;
use duet_core::metrics::Period;
use duet_store::comms::editions::Edition;

/// Routes of editions (inside the session).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/comms/editions", get(index).post(create))
        .route("/comms/editions/{id}", get(show).post(update))
        .route("/comms/editions/{id}/edit", get(edit))
        .route("/comms/editions/{id}/redraft", post(redraft))
        .route("/comms/editions/{id}/schedule", post(schedule))
        .route("/comms/editions/{id}/unschedule", post(unschedule))
}

/// The counting redirect of an edition's links (outside the session: a reader follows it from
/// an e-mail, and the page it leads to asks them to sign in if it needs to).
pub fn public_router() -> Router<AppState> {
    Router::new().route("/comms/editions/{id}/go/{item}", get(go))
}

#[derive(Template)]
#[template(path = "comms/editions.html")]
struct IndexPage {
    layout: Layout,
    editions: std::sync::Arc<Vec<Edition>>,
    can_edit: bool,
    month: String,
    errors: FormErrors,
    now: chrono::DateTime<chrono::Utc>,
}

async fn index_page(
    state: &AppState,
    who: &SignedIn,
    month: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let actor = who.actor();
    Ok(render_status(
        status,
        IndexPage {
            layout: Layout::new(who, "Editions", "comms"),
            editions: svc::list(&state.comms, &state.db, &actor).await?,
            can_edit: can(&actor, Action::EditEditions).is_ok(),
            month,
            errors,
            now: chrono::Utc::now(),
        },
    ))
}

async fn index(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let today = chrono::Utc::now()
        .with_timezone(&state.config.time_zone)
        .date_naive();
    let this = Period::of(today);
    let last = this.minus(1).to_string();
    // Last month's is usually drafted already (on the first): then offer this month.
    let taken = svc::list(&state.comms, &state.db, &who.actor())
        .await?
        .iter()
        .any(|e| e.month == last);
    let month = if taken { this.to_string() } else { last };
    index_page(&state, &who, month, FormErrors::default(), StatusCode::OK).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct MonthForm {
    #[serde(default)]
    month: String,
}

async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<MonthForm>,
) -> Result<Response, PageError> {
    match svc::draft(&state.db, &who.actor(), state.config.time_zone, &f.month).await {
        Ok(id) => done(
            &state,
            &who,
            &format!("/comms/editions/{id}"),
            "Drafted from Duet's records. Read it through, edit it, preview it, then schedule it.",
        )
        .await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            index_page(&state, &who, f.month, errors, status).await
        }
    }
}

/// "October 2026" for `2026-10` (as stored, when it does not parse).
pub(crate) fn month_name(month: &str) -> String {
    Period::parse(month).map_or_else(
        |_| month.to_string(),
        |p| {
            duet_core::comms::edition::window(p)
                .0
                .format("%B %Y")
                .to_string()
        },
    )
}

/// "1 click", "12 clicks".
fn clicks_text(n: i64) -> String {
    if n == 1 {
        "1 click".to_string()
    } else {
        format!("{n} clicks")
    }
}

#[derive(Template)]
#[template(path = "comms/edition.html")]
struct EditionPage {
    layout: Layout,
    v: EditionView,
    editor: bool,
    /// The preview choice: "" (editor's view), "none", or a department id.
    preview: String,
    departments: Vec<Choice>,
    send_at: String,
    errors: FormErrors,
}

impl EditionPage {
    fn month_name(&self, month: &str) -> String {
        month_name(month)
    }

    fn clicks(&self, n: &i64) -> String {
        clicks_text(*n)
    }

    /// The name of the department previewed.
    fn preview_name(&self) -> String {
        self.departments
            .iter()
            .find(|c| c.selected)
            .map(|c| c.label.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ShowQuery {
    /// Preview as a member of this department ("none": of no department).
    #[serde(rename = "as")]
    as_: Option<String>,
}

/// Reads the preview choice: `None` for the editor's own view.
fn preview_of(raw: Option<&str>) -> Option<Option<i64>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("none") => Some(None),
        Some(d) => d.parse().ok().map(Some),
    }
}

async fn edition_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    preview: &str,
    send_at: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let v = svc::view(
        &state.comms,
        &state.db,
        &actor,
        id,
        preview_of(Some(preview)),
    )
    .await?;
    let editor = can(&actor, Action::EditEditions).is_ok();
    let departments = if editor {
        Choice::list(
            crate::service::org::departments(&state.db, &state.org, &actor, false)
                .await?
                .iter()
                .map(|d| (d.id.to_string(), d.name.clone())),
            preview,
        )
    } else {
        Vec::new()
    };
    Ok(render_status(
        status,
        EditionPage {
            layout: Layout::new(who, v.edition.title.clone(), "comms"),
            v,
            editor,
            preview: preview.to_string(),
            departments,
            send_at,
            errors,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let preview = q.as_.unwrap_or_default();
    edition_page(
        &state,
        &who,
        id,
        &preview,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Template)]
#[template(path = "comms/edition_form.html")]
struct FormPage {
    layout: Layout,
    id: i64,
    v: EditionView,
    form: EditionFields,
    errors: FormErrors,
    sections: Vec<Choice>,
}

impl FormPage {
    /// The text typed for a line (kept when the form is refused), else the stored one.
    fn line_text(&self, id: &i64, stored: &str) -> String {
        self.form
            .lines
            .iter()
            .find(|l| l.id == *id)
            .map_or_else(|| stored.to_string(), |l| l.text.clone())
    }

    fn line_included(&self, id: &i64, stored: &bool) -> bool {
        self.form
            .lines
            .iter()
            .find(|l| l.id == *id)
            .map_or(*stored, |l| l.included)
    }

    fn line_error(&self, id: &i64) -> &str {
        self.errors.get(&format!("line_{id}"))
    }
}

async fn form_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    form: Option<EditionFields>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let v = svc::view(&state.comms, &state.db, &who.actor(), id, None).await?;
    if !v.may_edit {
        return Err(PageError(AppError::Conflict(duet_core::FieldError::new(
            "status",
            "only a draft can be edited: take the edition back to a draft first",
        ))));
    }
    let form = form.unwrap_or_else(|| EditionFields {
        revision: v.edition.revision,
        title: v.edition.title.clone(),
        intro: v.edition.intro.clone(),
        lines: Vec::new(),
        add: vec![NewLineFields::default()],
    });
    let current = form
        .add
        .first()
        .map(|a| a.section.clone())
        .unwrap_or_default();
    let sections = Choice::list(
        Section::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.label().to_string())),
        &current,
    );
    Ok(render_status(
        status,
        FormPage {
            layout: Layout::new(who, "Edit the edition", "comms"),
            id,
            v,
            form,
            errors,
            sections,
        },
    ))
}

async fn edit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    can(&who.actor(), Action::EditEditions).map_err(AppError::from)?;
    form_page(
        &state,
        &who,
        id,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The form posts `text_{id}` and `include_{id}` per line, which a struct cannot take directly.
fn edition_fields(pairs: &[(String, String)]) -> EditionFields {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let lines = pairs
        .iter()
        .filter_map(|(n, v)| {
            let id: i64 = n.strip_prefix("text_")?.parse().ok()?;
            Some(LineFields {
                id,
                text: v.clone(),
                included: pairs.iter().any(|(k, _)| *k == format!("include_{id}")),
            })
        })
        .collect();
    EditionFields {
        revision: get("revision").trim().parse().unwrap_or(0),
        title: get("title"),
        intro: get("intro"),
        lines,
        add: vec![NewLineFields {
            section: get("add_section"),
            text: get("add_text"),
            url: get("add_url"),
        }],
    }
}

async fn update(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = edition_fields(&pairs);
    match svc::save(&state.db, &who.actor(), id, &f).await {
        Ok(()) => done(&state, &who, &format!("/comms/editions/{id}"), "Saved.").await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            form_page(&state, &who, id, Some(f), errors, status).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct RevisionForm {
    #[serde(default)]
    revision: i64,
    #[serde(default)]
    send_at: String,
}

async fn redraft(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<RevisionForm>,
) -> Result<Response, PageError> {
    match svc::redraft(
        &state.db,
        &who.actor(),
        state.config.time_zone,
        id,
        f.revision,
    )
    .await
    {
        Ok(()) => {
            done(
                &state,
                &who,
                &format!("/comms/editions/{id}"),
                "Drawn again from the records; your own lines are kept.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            edition_page(&state, &who, id, "", String::new(), errors, status).await
        }
    }
}

async fn schedule(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<RevisionForm>,
) -> Result<Response, PageError> {
    match svc::schedule(
        &state.db,
        &who.actor(),
        state.config.time_zone,
        &state.config.public_url,
        id,
        f.revision,
        &f.send_at,
    )
    .await
    {
        Ok(n) => {
            done(
                &state,
                &who,
                &format!("/comms/editions/{id}"),
                &format!("Scheduled: {n} e-mail(s) queued to go at the time you chose."),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            edition_page(&state, &who, id, "", f.send_at, errors, status).await
        }
    }
}

async fn unschedule(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    match svc::unschedule(&state.db, &who.actor(), id).await {
        Ok(()) => {
            done(
                &state,
                &who,
                &format!("/comms/editions/{id}"),
                "Taken back to a draft; its e-mail will not go.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            edition_page(&state, &who, id, "", String::new(), errors, status).await
        }
    }
}

async fn go(
    State(state): State<AppState>,
    Path((id, item)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let url = svc::click(&state.db, id, item).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Redirect::to(&url),
    )
        .into_response())
}
