//! Rotation pages (Swap): the programme's cycles, one cycle (its call, offers, applications and
//! releases, placements), the owner's matching with its terms and adjustments, outcomes, and a
//! placement with its reflections and what came back from them.

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::html::{FormErrors, Layout, render_status};
use crate::pages::{done, form_errors};
use crate::service::relationships as rel;
use crate::service::rotation::matching::{self, AdjustFields, PairIds, Proposal};
use crate::service::rotation::outcomes::{self, Outcomes};
use crate::service::rotation::reflections::{
    self, FollowUpFields, GoalsFields, PlacementPage, ReflectionFields,
};
use crate::service::rotation::{
    self as svc, ApplicationFields, CycleFields, CycleView, Me, OfferFields, Phase, ReleaseFields,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::rotation::cycles::Commitment;
use duet_store::rotation::Cycle;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rotation", get(index).post(open_cycle))
        .route("/rotation/{id}", get(show))
        .route("/rotation/{id}/offers", post(offer))
        .route("/rotation/{id}/applications", post(apply))
        .route("/rotation/applications/{id}/release", post(release))
        .route("/rotation/{id}/match", get(proposal))
        .route("/rotation/{id}/confirm", post(confirm))
        .route("/rotation/{id}/outcomes", get(show_outcomes))
        .route("/rotation/placements/{id}", get(placement))
        .route("/rotation/placements/{id}/reflections", post(reflect))
        .route("/rotation/placements/{id}/goals", post(goals))
        .route("/rotation/reflections/{id}/follow-up", post(follow_up))
}

fn me(who: &SignedIn) -> Me {
    Me::of(&who.user)
}

/// "1 guest", "3 guests".
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The label people see for a field of the rotation forms, for the summary of a refusal.
fn label(field: &str) -> &'static str {
    match field {
        "title" => "Title",
        "call_closes_on" => "The call closes on",
        "starts_on" => "Placements start on",
        "weeks" => "Length",
        "commitment" => "Full or part time",
        "away_percent" => "Share away at once",
        "departments" => "Departments taking part",
        "department_id" => "Host department",
        "role" => "Role",
        "work" => "What the guest will do",
        "capacity" => "How many guests",
        "teaches" => "Skills it teaches",
        "needs" => "Skills the host needs",
        "buddy_id" => "Host buddy",
        "interests" => "Why you apply",
        "brings" => "Skills you bring",
        "wants" => "Skills you want to learn",
        "availability" => "When you can be away",
        "choice_1" => "First choice",
        "choice_2" => "Second choice",
        "choice_3" => "Third choice",
        "reason" => "Reason",
        "decision" => "Your answer",
        "stage" => "When",
        "surprised" => "Your reflection",
        "learning_goals" => "Learning goals",
        "pinned" => "Kept pairs",
        "excluded" => "Ruled-out pairs",
        "kind" => "Request or promise",
        "due_on" => "Due on",
        "text" => "The promise",
        "desired_outcome" => "The outcome you want",
        _ => "This cycle",
    }
}

#[derive(Template)]
#[template(path = "rotation/index.html")]
struct IndexPage {
    layout: Layout,
    cycles: Vec<(Cycle, Phase)>,
    may_run: bool,
    form: CycleFields,
    departments: Vec<(i64, String, bool)>,
    errors: FormErrors,
}

impl IndexPage {
    fn label(&self, field: &str) -> &'static str {
        label(field)
    }
    fn commitments(&self) -> Vec<(&'static str, &'static str, bool)> {
        Commitment::ALL
            .iter()
            .map(|c| (c.as_str(), c.label(), self.form.commitment == c.as_str()))
            .collect()
    }
}

async fn index_page(
    state: &AppState,
    who: &SignedIn,
    form: CycleFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let cycles = state.rotation.cycles(&state.db).await?;
    let may_run = can(&who.actor(), Action::RunRotation).is_ok();
    let departments = if may_run {
        duet_store::org::list_departments(&state.db, false)
            .await?
            .into_iter()
            .map(|d| {
                let on = form.departments.contains(&d.id);
                (d.id, d.name, on)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render_status(
        status,
        IndexPage {
            layout: Layout::new(who, "Rotation", "rotation"),
            cycles,
            may_run,
            form,
            departments,
            errors,
        },
    ))
}

async fn index(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let form = CycleFields {
        weeks: "6".into(),
        commitment: "full_time".into(),
        away_percent: "20".into(),
        ..Default::default()
    };
    index_page(&state, &who, form, FormErrors::default(), StatusCode::OK).await
}

/// Forms post repeated `departments` fields, which a struct cannot take directly.
fn cycle_fields(pairs: &[(String, String)]) -> CycleFields {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    CycleFields {
        title: get("title"),
        call_closes_on: get("call_closes_on"),
        starts_on: get("starts_on"),
        weeks: get("weeks"),
        commitment: get("commitment"),
        departments: pairs
            .iter()
            .filter(|(n, _)| n == "departments")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        away_percent: get("away_percent"),
    }
}

async fn open_cycle(
    State(state): State<AppState>,
    who: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = cycle_fields(&pairs);
    match svc::open_cycle(&state.db, &who.actor(), &f, chrono::Utc::now().date_naive()).await {
        Ok(id) => {
            done(
                &state,
                &who,
                &format!("/rotation/{id}"),
                "Cycle opened: host departments can offer placements and people can apply.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            index_page(&state, &who, f, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "rotation/cycle.html")]
struct CyclePage {
    layout: Layout,
    v: CycleView,
    offer: OfferFields,
    apply: ApplicationFields,
    /// (application id, typed reason) of a refused release.
    release: Option<(i64, ReleaseFields)>,
    /// Possible buddies by host department: (department, [(person, name)]).
    buddies: Vec<(String, Vec<(i64, String)>)>,
    errors: FormErrors,
}

impl CyclePage {
    fn count(&self, n: impl std::borrow::Borrow<usize>, one: &str, many: &str) -> String {
        count(*n.borrow(), one, many)
    }
    fn label(&self, field: &str) -> &'static str {
        label(field)
    }
    fn commitment(&self) -> &'static str {
        self.v
            .cycle
            .commitment
            .parse::<Commitment>()
            .map(|c| c.label())
            .unwrap_or("")
    }
    fn release_typed(&self, id: &i64) -> &str {
        match &self.release {
            Some((a, f)) if a == id => &f.reason,
            _ => "",
        }
    }
    fn release_error(&self, id: &i64) -> &str {
        match &self.release {
            Some((a, _)) if a == id => {
                let r = self.errors.get("reason");
                if r.is_empty() {
                    self.errors.get("decision")
                } else {
                    r
                }
            }
            _ => "",
        }
    }
    fn choice_selected(&self, n: &usize, d: &i64) -> bool {
        let c = match n {
            1 => self.apply.choice_1,
            2 => self.apply.choice_2,
            _ => self.apply.choice_3,
        };
        c == Some(*d)
    }
    fn choice_error(&self, n: &usize) -> &str {
        self.errors.get(match n {
            1 => "choice_1",
            2 => "choice_2",
            _ => "choice_3",
        })
    }
    fn offer_department_selected(&self, d: &i64) -> bool {
        self.offer.department_id == Some(*d)
    }
    fn buddy_selected(&self, p: &i64) -> bool {
        self.offer.buddy_id == Some(*p)
    }
    fn release_label(&self, state: &str) -> &'static str {
        state
            .parse::<duet_core::rotation::entries::Release>()
            .map(|r| r.label())
            .unwrap_or("")
    }
}

async fn cycle_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    forms: (OfferFields, ApplicationFields, Option<(i64, ReleaseFields)>),
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let v = svc::cycle_view(&state.rotation, &state.db, &me(who), id).await?;
    let mut buddies = Vec::new();
    for crate::service::rotation::Named { id: d, name: dname } in &v.may_offer_for {
        let people = state.rotation.buddies(&state.db, *d).await?;
        buddies.push((dname.clone(), people.as_ref().clone()));
    }
    let title = v.cycle.title.clone();
    let (offer, apply, release) = forms;
    Ok(render_status(
        status,
        CyclePage {
            layout: Layout::new(who, title, "rotation"),
            v,
            offer,
            apply,
            release,
            buddies,
            errors,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let offer = OfferFields {
        capacity: "1".into(),
        ..Default::default()
    };
    cycle_page(
        &state,
        &who,
        id,
        (offer, ApplicationFields::default(), None),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn offer(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<OfferFields>,
) -> Result<Response, PageError> {
    match svc::offer(&state.db, &who.actor(), id, &f).await {
        Ok(_) => {
            done(
                &state,
                &who,
                &format!("/rotation/{id}#offers"),
                "Placement offered.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            cycle_page(
                &state,
                &who,
                id,
                (f, ApplicationFields::default(), None),
                errors,
                status,
            )
            .await
        }
    }
}

async fn apply(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ApplicationFields>,
) -> Result<Response, PageError> {
    match svc::apply(&state.db, &me(&who), id, &f).await {
        Ok(_) => {
            done(
                &state,
                &who,
                &format!("/rotation/{id}#applications"),
                "Applied: your manager is asked to release you.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            cycle_page(
                &state,
                &who,
                id,
                (OfferFields::default(), f, None),
                errors,
                status,
            )
            .await
        }
    }
}

async fn release(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ReleaseFields>,
) -> Result<Response, PageError> {
    match svc::release(&state.db, &who.actor(), id, &f).await {
        Ok(a) => {
            let msg = if a.release_state == "released" {
                "Released: they can be matched to a placement."
            } else {
                "Not released: your reason is shown to them."
            };
            done(
                &state,
                &who,
                &format!("/rotation/{}#applications", a.cycle_id),
                msg,
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            let a = duet_store::rotation::find_application(&state.db, id).await?;
            cycle_page(
                &state,
                &who,
                a.cycle_id,
                (
                    OfferFields::default(),
                    ApplicationFields::default(),
                    Some((id, f)),
                ),
                errors,
                status,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "rotation/match.html")]
struct MatchPage {
    layout: Layout,
    cycle: Cycle,
    p: std::sync::Arc<Proposal>,
    errors: FormErrors,
}

impl MatchPage {
    fn count(&self, n: impl std::borrow::Borrow<usize>, one: &str, many: &str) -> String {
        count(*n.borrow(), one, many)
    }
    fn ordinal(&self, n: &usize) -> String {
        match n {
            1 => "1st".into(),
            2 => "2nd".into(),
            3 => "3rd".into(),
            n => format!("{n}th"),
        }
    }
    fn pins(&self) -> Vec<String> {
        self.p
            .adjustments
            .pinned
            .iter()
            .map(PairIds::wire)
            .collect()
    }
    fn excludes(&self) -> Vec<String> {
        self.p
            .adjustments
            .excluded
            .iter()
            .map(PairIds::wire)
            .collect()
    }
    fn two(&self, x: &f64) -> String {
        format!("{x:.2}")
    }
}

/// Reads repeated `pin` and `exclude` fields (`APPLICATION:OFFER`).
fn adjust_fields(pairs: &[(String, String)]) -> AdjustFields {
    let of = |k: &str| {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .filter_map(|(_, v)| PairIds::parse(v))
            .collect()
    };
    AdjustFields {
        pinned: of("pin"),
        excluded: of("exclude"),
    }
}

async fn match_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    f: &AdjustFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let cycle = duet_store::rotation::find_cycle(&state.db, id).await?;
    let (p, errors, status) = match matching::proposal(
        &state.rotation,
        &state.relationships,
        rel::Sources::of(state),
        &me(who),
        id,
        f,
    )
    .await
    {
        Ok(p) => (p, errors, status),
        Err(e) => {
            // A bad pin: show the plain proposal with the refusal.
            let (s, errs) = form_errors(e)?;
            let p = matching::proposal(
                &state.rotation,
                &state.relationships,
                rel::Sources::of(state),
                &me(who),
                id,
                &AdjustFields::default(),
            )
            .await?;
            (p, errs, s)
        }
    };
    Ok(render_status(
        status,
        MatchPage {
            layout: Layout::new(who, format!("Matching: {}", cycle.title), "rotation"),
            cycle,
            p,
            errors,
        },
    ))
}

async fn proposal(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    match_page(
        &state,
        &who,
        id,
        &adjust_fields(&pairs),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn confirm(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = adjust_fields(&pairs);
    match matching::confirm(
        &state.relationships,
        rel::Sources::of(&state),
        &me(&who),
        id,
        &f,
    )
    .await
    {
        Ok(p) => {
            done(
                &state,
                &who,
                &format!("/rotation/{id}#placements"),
                &format!(
                    "Confirmed: {} placement(s). The call is closed.",
                    p.pairs.len()
                ),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            match_page(&state, &who, id, &f, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "rotation/outcomes.html")]
struct OutcomesPage {
    layout: Layout,
    cycle: Cycle,
    o: std::sync::Arc<Outcomes>,
}

impl OutcomesPage {
    fn count(&self, n: impl std::borrow::Borrow<usize>, one: &str, many: &str) -> String {
        count(*n.borrow(), one, many)
    }
    fn two(&self, x: &f64) -> String {
        format!("{x:.2}")
    }
    fn opt(&self, x: &Option<f64>) -> String {
        x.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
    }
    fn signed(&self, x: &f64) -> String {
        format!("{x:+.2}")
    }
    fn status(&self, c: &duet_store::rotation::placements::CameBack) -> &'static str {
        if c.request_id.is_some() {
            c.status
                .parse::<duet_core::requests::Status>()
                .map(|s| s.label())
                .unwrap_or("")
        } else {
            c.status
                .parse::<duet_core::promises::PromiseStatus>()
                .map(|s| s.label())
                .unwrap_or("")
        }
    }
}

async fn show_outcomes(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let cycle = duet_store::rotation::find_cycle(&state.db, id).await?;
    let o = outcomes::cached(
        &state.rotation,
        &state.relationships,
        rel::Sources::of(&state),
        &me(&who),
        id,
    )
    .await?;
    Ok(render_status(
        StatusCode::OK,
        OutcomesPage {
            layout: Layout::new(&who, format!("Outcomes: {}", cycle.title), "rotation"),
            cycle,
            o,
        },
    ))
}

#[derive(Template)]
#[template(path = "rotation/placement.html")]
struct PlacementHtml {
    layout: Layout,
    p: PlacementPage,
    reflection: ReflectionFields,
    goals: GoalsFields,
    /// (reflection id, typed) of a refused follow-up.
    follow: Option<(i64, FollowUpFields)>,
    errors: FormErrors,
}

impl PlacementHtml {
    fn label(&self, field: &str) -> &'static str {
        label(field)
    }
    fn count(&self, n: impl std::borrow::Borrow<usize>, one: &str, many: &str) -> String {
        count(*n.borrow(), one, many)
    }
    fn stages(&self) -> Vec<(&'static str, &'static str, bool)> {
        duet_core::rotation::entries::Stage::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), self.reflection.stage == s.as_str()))
            .collect()
    }
    fn stage_label(&self, s: &str) -> &'static str {
        s.parse::<duet_core::rotation::entries::Stage>()
            .map(|s| s.label())
            .unwrap_or("")
    }
    fn follow_typed(&self, id: &i64, field: &str) -> String {
        match &self.follow {
            Some((r, f)) if r == id => match field {
                "title" => f.title.clone(),
                "desired_outcome" => f.desired_outcome.clone(),
                "text" => f.text.clone(),
                _ => f.due_on.clone(),
            },
            _ => String::new(),
        }
    }
    fn follow_errors(&self, id: &i64) -> Vec<String> {
        match &self.follow {
            Some((r, _)) if r == id => self
                .errors
                .0
                .iter()
                .map(|e| format!("{}: {}", label(&e.field), e.message))
                .collect(),
            _ => Vec::new(),
        }
    }
    fn reflection_errors(&self) -> bool {
        self.follow.is_none() && self.errors.any()
    }
}

async fn placement_html(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    forms: (
        Option<ReflectionFields>,
        Option<GoalsFields>,
        Option<(i64, FollowUpFields)>,
    ),
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let p = reflections::placement_page(&state.rotation, &state.db, &me(who), id).await?;
    let goals = forms.1.unwrap_or_else(|| GoalsFields {
        learning_goals: p.placement.placement.learning_goals.clone(),
    });
    let title = format!("{} with {}", p.placement.person_name, p.placement.host_name);
    Ok(render_status(
        status,
        PlacementHtml {
            layout: Layout::new(who, title, "rotation"),
            p,
            reflection: forms.0.unwrap_or_default(),
            goals,
            follow: forms.2,
            errors,
        },
    ))
}

async fn placement(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    placement_html(
        &state,
        &who,
        id,
        (None, None, None),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn reflect(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ReflectionFields>,
) -> Result<Response, PageError> {
    match reflections::reflect(&state.db, &me(&who), id, &f).await {
        Ok(r) => {
            let msg = if r.shared {
                "Reflection saved and shared with the host department."
            } else {
                "Reflection saved: private to you."
            };
            done(
                &state,
                &who,
                &format!("/rotation/placements/{id}#reflections"),
                msg,
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            placement_html(&state, &who, id, (Some(f), None, None), errors, status).await
        }
    }
}

async fn goals(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<GoalsFields>,
) -> Result<Response, PageError> {
    match reflections::set_goals(&state.db, &me(&who), id, &f).await {
        Ok(()) => {
            done(
                &state,
                &who,
                &format!("/rotation/placements/{id}"),
                "Learning goals saved.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            placement_html(&state, &who, id, (None, Some(f), None), errors, status).await
        }
    }
}

async fn follow_up(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<FollowUpFields>,
) -> Result<Response, PageError> {
    match reflections::follow_up(&state.db, &me(&who), id, &f).await {
        Ok(done_as) => {
            let (to, msg) = match (done_as.request_id, done_as.promise_id) {
                (Some(r), _) => (
                    format!("/requests/{r}"),
                    format!("Request #{r} raised from your reflection."),
                ),
                (_, Some(p)) => (
                    format!("/promises/{p}"),
                    format!("Promise #{p} is in the trust ledger."),
                ),
                _ => ("/rotation".into(), String::new()),
            };
            done(&state, &who, &to, &msg).await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            let r = duet_store::rotation::placements::find_reflection(&state.db, id).await?;
            placement_html(
                &state,
                &who,
                r.placement_id,
                (None, None, Some((id, f))),
                errors,
                status,
            )
            .await
        }
    }
}
