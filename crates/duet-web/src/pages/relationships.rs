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
use duet_core::relationships::maturity::Level;
use duet_core::relationships::{Band, SignalKind};

mod charts;
mod report;
mod services;
mod thresholds;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/relationships", get(index))
        .route("/relationships/map", get(map))
        .route("/relationships/{department}", get(show))
        .route(
            "/relationships/{department}/warnings/{id}/acknowledge",
            post(acknowledge),
        )
        .route(
            "/relationships/{department}/warnings/{id}/actions",
            post(plan_action),
        )
        .route("/relationships/{department}/judgements", post(judge))
        .merge(thresholds::router())
        .merge(services::router())
        .merge(report::router())
}

#[derive(Template)]
#[template(path = "relationships/index.html")]
struct IndexPage {
    layout: Layout,
    /// `IndexBody`, rendered.
    body: std::sync::Arc<String>,
}

/// The overview's content: the same for every reader who sees every department, so rendered
/// once per computation for them.
#[derive(Template)]
#[template(path = "relationships/index_body.html")]
struct IndexBody {
    o: std::sync::Arc<Overview>,
    /// (short heading, full label) of each signal.
    kinds: Vec<(&'static str, &'static str)>,
}

impl IndexBody {
    /// The departments in a silo.
    fn silos(&self) -> Vec<&str> {
        silos_of(&self.o)
    }
}

/// The departments in a silo (none for a reader who sees one department).
fn silos_of(o: &Overview) -> Vec<&str> {
    o.interactions
        .as_ref()
        .map(|m| {
            m.nodes
                .iter()
                .filter(|n| n.silo)
                .map(|n| n.name.as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// `/relationships/map`: who works with whom across every department pair — the map, every
/// connection as a table, the silos and the overlaps (for readers who see every department).
#[derive(Template)]
#[template(path = "relationships/map.html")]
struct MapPage {
    layout: Layout,
    o: std::sync::Arc<Overview>,
    /// The interaction map, drawn.
    map_svg: std::sync::Arc<String>,
}

impl MapPage {
    /// A department's name on the map.
    fn name(&self, id: &i64) -> &str {
        self.o
            .interactions
            .as_ref()
            .and_then(|m| m.nodes.iter().find(|n| n.id == *id))
            .map_or("", |n| n.name.as_str())
    }

    /// The departments in a silo.
    fn silos(&self) -> Vec<&str> {
        silos_of(&self.o)
    }
}

async fn map(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let o = svc::overview(&state.relationships, svc::Sources::of(&state), &who.actor()).await?;
    if o.interactions.is_none() {
        return Err(crate::error::AppError::Forbidden(
            "the map shows every department's requests and promises; you see your own department's relationship only".into(),
        )
        .into());
    }
    let map_svg = drawn_map(&state, &o).await;
    Ok(render(MapPage {
        layout: Layout::new(&who, "Who works with whom", "relationships"),
        map_svg,
        o,
    }))
}

async fn index(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let o = svc::overview(&state.relationships, svc::Sources::of(&state), &who.actor()).await?;
    let shared = o.interactions.is_some();
    let draw = move || async move {
        IndexBody {
            o,
            kinds: signal_headings(),
        }
        .render()
        .map_err(|e| crate::error::AppError::Internal(e.into()))
    };
    let body = if shared {
        state.relationships.overview_html.get_or_load(draw).await?
    } else {
        std::sync::Arc::new(draw().await?)
    };
    Ok(render(IndexPage {
        layout: Layout::new(&who, "Relationships", "relationships"),
        body,
    }))
}

/// (short heading, full label) of each signal, for the tables' column headings.
fn signal_headings() -> Vec<(&'static str, &'static str)> {
    SignalKind::ALL
        .iter()
        .map(|k| (duet_core::relationships::short_label(*k), k.label()))
        .collect()
}

/// Each signal's trend chart of pair `p` (empty where none), drawn once per computation.
async fn pair_charts(
    state: &AppState,
    p: &Pair,
    as_of: chrono::NaiveDate,
) -> std::sync::Arc<Vec<String>> {
    state
        .relationships
        .charts
        .get_or_load(p.department_id, || async {
            Ok::<_, std::convert::Infallible>(
                p.signals
                    .iter()
                    .map(|s| {
                        if charts::has_trend(s.kind) && !s.trend.is_empty() {
                            charts::trend(s, as_of)
                        } else {
                            String::new()
                        }
                    })
                    .collect(),
            )
        })
        .await
        .unwrap_or_default()
}

/// The interaction map of `o`, drawn once per computation (empty without one).
async fn drawn_map(state: &AppState, o: &Overview) -> std::sync::Arc<String> {
    match &o.interactions {
        None => std::sync::Arc::new(String::new()),
        Some(m) => state
            .relationships
            .map_svg
            .get_or_load(|| async { Ok::<_, std::convert::Infallible>(charts::map(m)) })
            .await
            .unwrap_or_default(),
    }
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
    /// The view that was refused, what was typed, and why.
    judged: Option<(svc::views::JudgementFields, crate::html::FormErrors)>,
    /// Whether the reader may record their own view (`can(JudgeRelationship)`).
    may_judge: bool,
    /// The maturity levels (wire name, label).
    levels: Vec<(&'static str, &'static str)>,
    /// Each signal's trend, drawn (in the order of `p.signals`).
    charts: std::sync::Arc<Vec<String>>,
}

impl PairPage {
    /// A mean with one decimal, or a dash.
    fn one(&self, v: &Option<f64>) -> String {
        v.map_or("—".to_string(), |x| format!("{x:.1}"))
    }

    /// A survey cell's mean with one decimal, or a dash where Listen hides it.
    fn mean(&self, c: &Option<duet_core::listen::results::Cell>) -> String {
        c.map_or("—".to_string(), |c| format!("{:.1}", c.mean))
    }

    /// The mirror survey's widest misreading, when a guess is a point or more from the other
    /// side's answer: (who misreads whom, on what and by how much).
    fn mirror_headline(&self) -> Option<(String, String)> {
        let m = self.p.sides.mirror.as_ref()?;
        let (item, widest) = m.widest()?;
        let it_misreads = item.it_misreads == Some(widest);
        // The gap between the two figures as the table shows them (one decimal each), so the
        // sentence and the table agree.
        let r = |c: Option<duet_core::listen::results::Cell>| {
            c.map_or(0.0, |c| (c.mean * 10.0).round() / 10.0)
        };
        let gap = if it_misreads {
            r(item.it_guess) - r(item.department_own)
        } else {
            r(item.department_guess) - r(item.it_own)
        };
        let gap = (gap * 10.0).round() / 10.0;
        if gap.abs() < 1.0 {
            return None;
        }
        let d = &self.p.department_name;
        let better = if gap > 0.0 { "better" } else { "worse" };
        let who = if it_misreads {
            format!("IT believes {d} sees the relationship {better} than {d} says it does")
        } else {
            format!("{d} believes IT sees the relationship {better} than IT says it does")
        };
        Some((
            who,
            format!(
                "on \u{201c}{}\u{201d}: the guess is {:+.1} points from the answer. Talk about it at the next review.",
                item.label, gap
            ),
        ))
    }

    /// A guess a point or more away from the other side's answer is marked.
    fn misread_class(&self, gap: &Option<f64>) -> &'static str {
        match gap {
            Some(g) if g.abs() >= 1.0 => "band-concerning",
            _ => "",
        }
    }

    /// The band class of a service's gap (only services that matter are banded).
    fn gap_class(&self, x: &svc::ServiceGap) -> &'static str {
        let t = self
            .p
            .signals
            .iter()
            .find(|s| s.kind == SignalKind::ServiceGap)
            .map(|s| s.thresholds)
            .unwrap_or_else(|| duet_core::relationships::thresholds(SignalKind::ServiceGap));
        match x.gap {
            Some(g) if x.important => {
                match duet_core::relationships::band(Some(g), t.min_evidence, &t) {
                    Band::Healthy => "band-healthy",
                    Band::Concerning => "band-concerning",
                    Band::Poor => "band-poor",
                    Band::TooLittle => "",
                }
            }
            _ => "",
        }
    }

    /// The perception gap between the two sides' latest views: (IT's feels, who; the
    /// department's feels, who), when both sides have said.
    fn perception(&self) -> Option<(i32, &str, i32, &str)> {
        let side = |dept: i64| {
            self.p
                .judgements
                .iter()
                .find(|j| j.user_department_id == Some(dept))
        };
        let (it, them) = (side(self.p.it_id)?, side(self.p.department_id)?);
        Some((it.feels, &it.user_name, them.feels, &them.user_name))
    }

    /// A maturity level's label from its wire name.
    fn level_label(&self, wire: &str) -> &'static str {
        wire.parse::<Level>()
            .map_or("an unknown level", |l| l.label())
    }

    /// A value as its signal shows it.
    fn shown_of(&self, kind: &SignalKind, band: &Band, v: &Option<f64>) -> String {
        svc::shown(*kind, *band, *v)
    }

    /// What was chosen as "feels" in the refused view.
    fn typed_feels(&self) -> String {
        self.judged
            .as_ref()
            .map(|(f, _)| f.feels.trim().to_string())
            .unwrap_or_default()
    }

    /// The level chosen in the refused view.
    fn typed_level(&self) -> &str {
        self.judged.as_ref().map_or("", |(f, _)| f.level.as_str())
    }

    /// The reason typed in the refused view.
    fn typed_reason(&self) -> &str {
        self.judged.as_ref().map_or("", |(f, _)| f.reason.as_str())
    }

    /// The error of `field` in the refused view.
    fn judged_error(&self, field: &str) -> String {
        self.judged
            .as_ref()
            .map(|(_, e)| e.get(field).to_string())
            .unwrap_or_default()
    }

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
    judged: Option<(svc::views::JudgementFields, crate::html::FormErrors)>,
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
    let as_of = chrono::Utc::now()
        .with_timezone(&state.config.time_zone)
        .date_naive();
    let charts = pair_charts(state, &p, as_of).await;
    let may_judge = duet_core::auth::can(
        &actor,
        duet_core::auth::Action::JudgeRelationship {
            department: duet_core::org::DepartmentId(department),
        },
    )
    .is_ok();
    Ok(crate::html::render_status(
        status,
        PairPage {
            layout: Layout::new(who, format!("IT × {}", p.department_name), "relationships"),
            p,
            refused,
            refused_action,
            owners,
            judged,
            may_judge,
            levels: Level::ALL.iter().map(|l| (l.as_str(), l.label())).collect(),
            charts,
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
                None,
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
        None,
        axum::http::StatusCode::OK,
    )
    .await
}

async fn judge(
    State(state): State<AppState>,
    who: SignedIn,
    Path(department): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<svc::views::JudgementFields>,
) -> Result<Response, PageError> {
    match svc::views::judge(svc::Sources::of(&state), &who.actor(), department, &f).await {
        Ok(_) => {
            crate::pages::done(
                &state,
                &who,
                &format!("/relationships/{department}#maturity"),
                "Recorded: your view is kept beside the computed one.",
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
                None,
                Some((f, errors)),
                status,
            )
            .await
        }
    }
}
