//! Request pages: the intake, a request's life (understand, decide, champion, business case,
//! sign-off, delivery, benefits), team statistics and the inbox. The ranked portfolio is in
//! `pages::portfolio`.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render, render_status};
use crate::pages::{done, form_errors};
use crate::service::requests::{
    self as svc, BenefitFields, CaseFields, DecisionForm, FlowFields, RequestFields, RequestView,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::finance::{FlowKind, Money};
use duet_core::org::UserId;
use duet_core::requests::{AlternativeKind, DeclineReason, Risk, Status, TeamStats, Urgency};
use duet_store::portfolio::Goal;
use duet_store::requests::{Notification, Request, StoredCase, Team};
use duet_store::{Page, PageRequest, org};
use std::sync::Arc;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list_requests).post(create_request))
        .route("/requests/new", get(new_request))
        .route("/requests/teams", get(team_stats))
        .route("/requests/{id}", get(show_request))
        .route("/requests/{id}/need", post(state_need))
        .route("/requests/{id}/confirm", post(confirm_need))
        .route("/requests/{id}/attempt", post(record_attempt))
        .route("/requests/{id}/team", post(assign_team))
        .route("/requests/{id}/decision", post(decide))
        .route(
            "/requests/{id}/alternatives/{alt}",
            post(answer_alternative),
        )
        .route("/requests/{id}/champion", post(champion))
        .route("/requests/{id}/escalate", post(escalate))
        .route("/requests/{id}/self-champion", post(allow_self_champion))
        .route("/requests/{id}/business-case", post(save_case))
        .route("/requests/{id}/sign-off", post(sign_off))
        .route("/requests/{id}/advance", post(advance))
        .route("/requests/{id}/benefits", post(record_benefit))
        .route("/notifications", get(show_notifications).post(mark_read))
}

/// A select's choices from a wire enum's values and labels (shared with `pages::portfolio`).
pub(crate) fn choices<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: &str,
) -> Vec<Choice> {
    Choice::list(
        all.iter()
            .map(|v| (value(*v).to_string(), label(*v).to_string())),
        current,
    )
}

// ------------------------------------------------------------------ listing and intake

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    q: String,
    /// Only one status (the home page links here with it).
    #[serde(default)]
    status: String,
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "requests/requests.html")]
struct RequestsPage {
    layout: Layout,
    view: String,
    q: String,
    /// The status filter in words, and its wire name, when one is set.
    status: Option<(String, String)>,
    requests: Arc<crate::service::fresh::Served<Page<Request>>>,
    can_triage: bool,
    is_executive: bool,
    prev: Option<String>,
    next: Option<String>,
}

async fn list_requests(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let can_triage = can(&actor, Action::TriageRequest).is_ok();
    // Whoever could sign off an item they champion is a champion: they start on what they champion.
    let is_executive = can(
        &actor,
        Action::SignOff {
            champion: Some(actor.user),
        },
    )
    .is_ok();
    // Each role starts where its work is: IT in the queue, executives on what they champion.
    let view = match q.view.as_str() {
        "queue" | "portfolio" | "all" | "mine" => q.view.clone(),
        "championed" if is_executive => q.view.clone(),
        _ if can_triage => "queue".to_string(),
        _ if is_executive => "championed".to_string(),
        _ => "mine".to_string(),
    };
    let params = svc::RequestParams {
        lane: match view.as_str() {
            "queue" => Some("service".into()),
            "portfolio" => Some("portfolio".into()),
            _ => None,
        },
        open: view == "queue",
        mine: view == "mine",
        championed: view == "championed",
        q: Some(q.q.clone()),
        status: Some(q.status.clone()),
        ..Default::default()
    };
    let filter = svc::visible_filter(&actor, &params)?;
    let page = PageRequest::new(Some(50), q.offset);
    let requests = svc::list(&state.db, &state.requests, &filter, page).await?;
    let href = |offset: i64| {
        format!(
            "/requests?view={}&status={}&q={}&offset={offset}",
            view,
            form_urlencoded::byte_serialize(q.status.as_bytes()).collect::<String>(),
            form_urlencoded::byte_serialize(q.q.as_bytes()).collect::<String>()
        )
    };
    let prev = (page.offset > 0).then(|| href((page.offset - page.limit).max(0)));
    let next = (page.offset + page.limit < requests.total).then(|| href(page.offset + page.limit));
    let status = filter
        .status
        .map(|s| (s.label().to_string(), s.as_str().to_string()));
    Ok(render(RequestsPage {
        layout: Layout::new(&who, "Requests", "requests"),
        view,
        q: q.q,
        status,
        requests,
        can_triage,
        is_executive,
        prev,
        next,
    }))
}

#[derive(Template)]
#[template(path = "requests/request_form.html")]
struct RequestFormPage {
    layout: Layout,
    form: RequestFields,
    departments: Vec<Choice>,
    urgencies: Vec<Choice>,
    errors: FormErrors,
}

async fn request_form(
    state: &AppState,
    who: &SignedIn,
    form: RequestFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let departments = org::list_departments(&state.db, false).await?;
    let current = form
        .department_id
        .or(who.user.department_id)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let departments = Choice::list(
        departments.into_iter().map(|d| (d.id.to_string(), d.name)),
        &current,
    );
    let urgencies = choices(
        Urgency::ALL,
        Urgency::as_str,
        Urgency::label,
        if form.urgency.is_empty() {
            "normal"
        } else {
            &form.urgency
        },
    );
    Ok(render_status(
        status,
        RequestFormPage {
            layout: Layout::new(who, "New request", "requests"),
            form,
            departments,
            urgencies,
            errors,
        },
    ))
}

async fn new_request(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    request_form(
        &state,
        &who,
        RequestFields::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create_request(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<RequestFields>,
) -> Result<Response, PageError> {
    match svc::submit(&state.db, &state.requests, &who.actor(), &form).await {
        Ok(r) => {
            done(
                &state,
                &who,
                &format!("/requests/{}", r.id),
                "Request submitted. IT will restate your need in its own words for you to confirm.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            request_form(&state, &who, form, errors, status).await
        }
    }
}

// ------------------------------------------------------------------ one request

/// What the signed-in person may do on this request, computed once for the template.
struct Abilities {
    triage: bool,
    edit_need: bool,
    is_requester: bool,
    champion: bool,
    allow_self: bool,
    edit_case: bool,
    sign_off: bool,
    benefits: bool,
    /// May escalate it to IT's leaders now (see `request_page`).
    escalate: bool,
}

/// One alternative of the decision form, as typed.
struct AltRow {
    n: &'static str,
    kinds: Vec<Choice>,
    text: String,
}

/// Errors with messages that name their fields as the form labels them (shared with
/// `pages::portfolio`).
pub(crate) fn readable(errors: FormErrors) -> FormErrors {
    FormErrors(
        errors
            .0
            .into_iter()
            .map(|mut e| {
                e.message = svc::labelled(&e.field, &e.message);
                e
            })
            .collect(),
    )
}

/// One editable cash-flow row of the business case form.
struct FlowRow {
    year: String,
    kinds: Vec<Choice>,
    amount: String,
}

#[derive(Template)]
#[template(path = "requests/request.html")]
struct RequestPage {
    layout: Layout,
    v: Arc<RequestView>,
    r: Request,
    can: Abilities,
    teams: Arc<Vec<Team>>,
    goals: Arc<Vec<Goal>>,
    decline_reasons: Vec<Choice>,
    risks: Vec<Choice>,
    flow_rows: Vec<FlowRow>,
    horizon: String,
    rate_pct: String,
    person_days: String,
    errors: FormErrors,
    waiting: Option<String>,
    /// The decision form as typed (kept when a decision is refused).
    decision: DecisionForm,
    /// The escalation's reason as typed (kept when refused).
    escalation: String,
    alt_rows: Vec<AltRow>,
}

fn money(m: i64) -> String {
    Money(m).to_string()
}

/// The decision form's three alternative rows, as typed.
fn alt_rows(decision: &DecisionForm) -> Vec<AltRow> {
    [
        ("1", &decision.alt1_kind, &decision.alt1),
        ("2", &decision.alt2_kind, &decision.alt2),
        ("3", &decision.alt3_kind, &decision.alt3),
    ]
    .into_iter()
    .map(|(n, kind, text)| AltRow {
        n,
        kinds: choices(
            AlternativeKind::ALL,
            AlternativeKind::as_str,
            AlternativeKind::label,
            kind,
        ),
        text: text.clone(),
    })
    .collect()
}

/// What the viewer may do on this request, each asked of `can`: the page shows only those.
fn abilities(actor: &duet_core::Actor, r: &Request) -> Abilities {
    let champion = r.champion_id.map(UserId);
    Abilities {
        triage: can(actor, Action::TriageRequest).is_ok(),
        edit_need: can(
            actor,
            Action::EditNeed {
                requester: UserId(r.requester_id),
            },
        )
        .is_ok(),
        is_requester: r.requester_id == actor.user.0,
        champion: r.champion_id.is_none()
            && can(
                actor,
                Action::Champion {
                    requester: UserId(r.requester_id),
                    self_allowed: r.self_champion_allowed,
                },
            )
            .is_ok(),
        allow_self: can(actor, Action::AllowSelfChampion).is_ok(),
        edit_case: r.champion_id.is_some()
            && can(actor, Action::EditBusinessCase { champion }).is_ok(),
        sign_off: can(actor, Action::SignOff { champion }).is_ok(),
        benefits: can(actor, Action::RecordBenefits { champion }).is_ok(),
        escalate: can(
            actor,
            Action::EscalateRequest {
                requester: UserId(r.requester_id),
                department: duet_core::org::DepartmentId(r.department_id),
            },
        )
        .is_ok(),
    }
}

/// The business case form as stored, or the defaults (5 years at 8 %) when there is none yet.
fn stored_case_form(stored: &Option<StoredCase>, r: &Request) -> CaseFields {
    match stored {
        Some(c) => CaseFields {
            horizon_years: i64::from(c.case.horizon_years),
            discount_rate_pct: c.case.discount_rate * 100.0,
            flows: c
                .case
                .flows
                .iter()
                .map(|f| FlowFields {
                    year: i64::from(f.year),
                    kind: f.kind.as_str().into(),
                    amount: f.amount.to_string(),
                })
                .collect(),
            risk: r.risk.as_str().into(),
            person_days: r.person_days.unwrap_or(0),
            goal_ids: c.goal_ids.clone(),
        },
        None => CaseFields {
            horizon_years: 5,
            discount_rate_pct: 8.0,
            flows: Vec::new(),
            risk: r.risk.as_str().into(),
            person_days: r.person_days.unwrap_or(0),
            goal_ids: Vec::new(),
        },
    }
}

/// The cash-flow rows of the form: those typed or stored, then six empty ones to fill in.
fn flow_rows(case_form: &CaseFields) -> Vec<FlowRow> {
    let mut rows: Vec<FlowRow> = case_form
        .flows
        .iter()
        .map(|f| FlowRow {
            year: f.year.to_string(),
            kinds: choices(FlowKind::ALL, FlowKind::as_str, FlowKind::label, &f.kind),
            amount: f.amount.clone(),
        })
        .collect();
    for _ in 0..6 {
        rows.push(FlowRow {
            year: String::new(),
            kinds: choices(FlowKind::ALL, FlowKind::as_str, FlowKind::label, ""),
            amount: String::new(),
        });
    }
    rows
}

/// While IT waits for the requester to confirm a need it tried to reach them about: how many of
/// the working days it must wait have passed.
fn waiting_line(r: &Request, wait_days: i64, today: chrono::NaiveDate) -> Option<String> {
    match (r.status, r.need_attempt_on) {
        (Status::Understanding, Some(on)) => {
            let waited = duet_core::requests::working_days_between(on, today);
            Some(format!(
                "IT tried to reach the requester on {on}: {waited} of {wait_days} working days waited before IT may decide without confirmation."
            ))
        }
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn request_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
    case_form: Option<CaseFields>,
    decision: Option<DecisionForm>,
    escalation: Option<String>,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let errors = readable(errors);
    let decision = decision.unwrap_or_default();
    let alt_rows = alt_rows(&decision);
    let v = svc::view(&state.db, &state.requests, &actor, id).await?;
    let r = v.request.clone();
    let mut abilities = abilities(&actor, &r);
    // Escalating is offered only when it would be taken: allowed, due, and not done before.
    abilities.escalate = abilities.escalate
        && duet_core::requests::may_escalate(
            r.status,
            r.created_at.date_naive(),
            chrono::Utc::now().date_naive(),
        )
        .is_ok()
        && !v.events.iter().any(|e| e.kind == "escalated");
    let case_form = case_form.unwrap_or_else(|| stored_case_form(&v.business_case, &r));
    let flow_rows = flow_rows(&case_form);
    let settings = svc::settings(&state.db, &state.requests).await?;
    let waiting = waiting_line(&r, settings.wait_days, chrono::Utc::now().date_naive());
    let goals = svc::goals(&state.db, &state.requests).await?;
    Ok(render_status(
        status,
        RequestPage {
            layout: Layout::new(who, r.title.clone(), "requests"),
            teams: svc::teams(&state.db, &state.requests).await?,
            goals,
            decline_reasons: choices(
                DeclineReason::ALL,
                DeclineReason::as_str,
                DeclineReason::label,
                &decision.reason,
            ),
            risks: choices(Risk::ALL, Risk::as_str, Risk::label, &case_form.risk),
            flow_rows,
            horizon: case_form.horizon_years.to_string(),
            rate_pct: format!("{}", case_form.discount_rate_pct),
            person_days: if case_form.person_days > 0 {
                case_form.person_days.to_string()
            } else {
                String::new()
            },
            can: abilities,
            r,
            v,
            errors,
            waiting,
            decision,
            alt_rows,
            escalation: escalation.unwrap_or_default(),
        },
    ))
}

async fn show_request(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    request_page(
        &state,
        &who,
        id,
        FormErrors::default(),
        StatusCode::OK,
        None,
        None,
        None,
    )
    .await
}

/// Runs an action; on success redirects with a flash, on a form error re-renders the request.
async fn act<T>(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    result: Result<T, AppError>,
    message: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => done(state, who, &format!("/requests/{id}"), message).await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            request_page(state, who, id, errors, status, None, None, None).await
        }
    }
}

#[derive(serde::Deserialize)]
struct NeedForm {
    #[serde(default)]
    need_statement: String,
}

async fn state_need(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<NeedForm>,
) -> Result<Response, PageError> {
    let r = svc::state_need(&state.db, &who.actor(), id, &f.need_statement).await;
    act(&state, &who, id, r, "Need statement saved.").await
}

async fn confirm_need(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = svc::confirm_need(&state.db, &who.actor(), id).await;
    act(
        &state,
        &who,
        id,
        r,
        "Thank you: you confirmed IT understood your need.",
    )
    .await
}

#[derive(serde::Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn record_attempt(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, PageError> {
    let r = svc::record_attempt(&state.db, &who.actor(), id, &f.note).await;
    act(&state, &who, id, r, "Attempt recorded.").await
}

#[derive(serde::Deserialize)]
struct TeamForm {
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    it_team_id: Option<i64>,
}

async fn assign_team(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<TeamForm>,
) -> Result<Response, PageError> {
    let r = svc::assign_team(&state.db, &who.actor(), id, f.it_team_id).await;
    act(&state, &who, id, r, "Team assigned.").await
}

async fn decide(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    match svc::decide(&state.db, &who.actor(), id, &f).await {
        Ok(_) => {
            done(
                &state,
                &who,
                &format!("/requests/{id}"),
                "Decision recorded; the requester has been notified.",
            )
            .await
        }
        // A refused decision comes back with everything typed, so nothing is typed twice.
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            request_page(&state, &who, id, errors, status, None, Some(f), None).await
        }
    }
}

#[derive(serde::Deserialize)]
struct TakenForm {
    #[serde(default, deserialize_with = "crate::service::de::flag")]
    taken_up: bool,
}

async fn answer_alternative(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, alt)): Path<(i64, i64)>,
    Form(f): Form<TakenForm>,
) -> Result<Response, PageError> {
    let r = svc::answer_alternative(&state.db, &who.actor(), id, alt, f.taken_up).await;
    act(&state, &who, id, r, "Thank you for telling IT.").await
}

#[derive(serde::Deserialize)]
struct EscalationForm {
    #[serde(default)]
    reason: String,
}

async fn escalate(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<EscalationForm>,
) -> Result<Response, PageError> {
    match svc::escalate(&state.db, &who.actor(), id, &f.reason).await {
        Ok(_) => {
            done(
                &state,
                &who,
                &format!("/requests/{id}"),
                "Escalated: IT's leaders have been told, with your reason.",
            )
            .await
        }
        Err(e) => {
            let (status, mut errors) = form_errors(e)?;
            // The page also has the decline form's `reason`: this one is the escalation's.
            for e in &mut errors.0 {
                if e.field == "reason" {
                    e.field = "escalation_reason".into();
                }
            }
            request_page(&state, &who, id, errors, status, None, None, Some(f.reason)).await
        }
    }
}

async fn champion(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = svc::champion(&state.db, &who.actor(), id).await;
    act(
        &state,
        &who,
        id,
        r,
        "You are now this request's champion; it moved to the portfolio.",
    )
    .await
}

#[derive(serde::Deserialize)]
struct AllowForm {
    #[serde(default, deserialize_with = "crate::service::de::flag")]
    allowed: bool,
}

async fn allow_self_champion(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<AllowForm>,
) -> Result<Response, PageError> {
    let r = svc::allow_self_champion(&state.db, &who.actor(), id, f.allowed).await;
    act(&state, &who, id, r, "Saved.").await
}

mod cases;
mod inbox;
use cases::*;
pub(crate) use inbox::*;
