//! The portfolio: every executive-sponsored item ranked by a transparent weighted score, and the
//! funding line within the budget and delivery capacity.
//!
//! Ranking 10,000 items takes tens of milliseconds, so the computed view is cached per process
//! and keyed by the database's portfolio revision, which every change to a ranking input bumps:
//! each replica recomputes once after a change and serves the cached view otherwise.

use crate::error::AppError;
use duet_core::FieldError;
use duet_core::auth::{Action, Actor, can};
use duet_core::finance::Money;
use duet_core::portfolio::{
    self as model, Candidate, Decision, FundingLine, Method, Scored, Weights,
};
use duet_core::requests::{Risk, Status, Urgency};
use duet_store::Db;
use duet_store::portfolio::{self as store, Goal, PortfolioRow, Settings, WeightsVersion};
use std::sync::{Arc, Mutex};

/// One ranked item with everything the page and the export show.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RankedItem {
    /// Rank (1 = best score).
    pub rank: u32,
    /// Request id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Department.
    pub department_name: String,
    /// Champion.
    pub champion_name: Option<String>,
    /// Status.
    pub status: Status,
    /// Score 0..100.
    pub score: f64,
    /// The score, term by term.
    pub terms: Vec<model::Term>,
    /// NPV in major units, if there is a case.
    pub npv: Option<f64>,
    /// IT cost, minor units.
    pub it_cost: Option<i64>,
    /// Effort.
    pub person_days: Option<i64>,
    /// Whether the champion's sign-off holds for the current IT cost.
    pub signed_off: bool,
    /// `committed` (accepted or in delivery), `funded`, or `not_funded`.
    pub funding: String,
    /// Why it is or is not funded.
    pub funding_reason: String,
    /// Who raised it (not in the API): the page links the title only for viewers who may open it.
    #[serde(skip)]
    pub requester_id: i64,
    /// The requesting department's id (not in the API), for the same check.
    #[serde(skip)]
    pub department_id: i64,
}

/// Whether `actor` may open the request behind a ranked item: the portfolio is transparent to
/// everyone, but a request's page is not, so the page links only the titles the viewer may open.
pub fn may_open(actor: &duet_core::auth::Actor, item: &RankedItem) -> bool {
    duet_core::auth::can(
        actor,
        duet_core::auth::Action::ViewRequest {
            requester: duet_core::org::UserId(item.requester_id),
            department: duet_core::org::DepartmentId(item.department_id),
        },
    )
    .is_ok()
}

/// The computed portfolio.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PortfolioView {
    /// The revision it was computed at.
    pub revision: i64,
    /// Budget, capacity and rules.
    pub settings: Settings,
    /// The weights in force.
    pub weights: WeightsVersion,
    /// Active goals.
    pub goals: Vec<Goal>,
    /// Every item, best first.
    pub items: Vec<RankedItem>,
    /// Budget already committed to accepted work, minor units.
    pub committed_cost: i64,
    /// Capacity already committed, person-days.
    pub committed_days: i64,
    /// The funding line over the items still competing.
    pub line: FundingLine,
}

/// The process-wide cache of the last computed view, tagged with the settings revision it was
/// computed at, and in front of it the view as last checked (for one write epoch and two
/// seconds, `service::fresh`), so a burst of reads skips even the revision read.
#[derive(Default)]
pub struct PortfolioCache {
    last: Mutex<Option<Arc<PortfolioView>>>,
    checked: crate::service::fresh::FreshCell<Arc<PortfolioView>>,
    /// The API's pages as JSON, by ranking revision, filter and window: a revision's ranking
    /// never changes, so a kept page is exact (serializing fifty ranked items with their terms
    /// was most of the API's time).
    pub api_pages: crate::service::bounded::Bounded<
        (i64, PortfolioFilter, duet_store::PageRequest),
        axum::body::Bytes,
    >,
}

fn is_committed(s: Status) -> bool {
    matches!(
        s,
        Status::Accepted | Status::InDelivery | Status::Delivered | Status::BenefitsRealised
    )
}

/// Why an item may not compete for funding whatever its case: funding needs a need the
/// requester confirmed and an open status that is not deferred. `None` when it may compete.
fn not_fundable(status: Status, need_confirmed: bool) -> Option<&'static str> {
    if status == Status::Deferred {
        Some("deferred: IT decided to revisit it later, so it does not compete for funding now")
    } else if !status.is_open() {
        Some("not open: only open items compete for funding")
    } else if !need_confirmed {
        Some("need not confirmed yet: the requester has not confirmed IT's statement of the need")
    } else {
        None
    }
}

/// Builds the view from rows (pure; used by the cache and the benchmark).
pub fn compute(
    rows: &[PortfolioRow],
    goals: Vec<Goal>,
    weights: WeightsVersion,
    settings: Settings,
) -> PortfolioView {
    let parsed = parse_rows(rows);
    let candidates = candidates(rows, &goals);
    let scored = model::rank(&candidates, &weights_of(&weights));
    let by_id: std::collections::HashMap<i64, usize> =
        rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let split = split_committed(rows, &parsed, &candidates, &scored, &by_id);
    let budget = (settings.budget - split.committed_cost).max(0);
    let capacity =
        u64::try_from((settings.capacity_days - split.committed_days).max(0)).unwrap_or(0);
    let line = model::funding_line(&split.competing_c, &split.competing_s, budget, capacity);
    let decisions: std::collections::HashMap<i64, &Decision> =
        line.lines.iter().map(|l| (l.id, &l.decision)).collect();
    let items = scored
        .into_iter()
        .filter_map(|s: Scored| {
            let i = *by_id.get(&s.id)?;
            let (status, signed) = parsed[i];
            let funding = funding_of(&rows[i], status, signed, decisions.get(&s.id).copied());
            Some(ranked_item(s, &rows[i], status, signed, funding))
        })
        .collect();
    PortfolioView {
        revision: settings.revision,
        settings,
        weights,
        goals,
        items,
        committed_cost: split.committed_cost,
        committed_days: split.committed_days,
        line,
    }
}

/// Per row, its status and whether the champion's sign-off holds for its current IT cost.
fn parse_rows(rows: &[PortfolioRow]) -> Vec<(Status, bool)> {
    rows.iter()
        .map(|r| {
            let status = r.status.parse::<Status>().unwrap_or(Status::Submitted);
            let signed = match (r.it_cost, r.signed_cost, r.signed_tolerance) {
                (Some(cost), Some(signed), Some(tol)) => {
                    duet_core::requests::signoff_holds(signed, cost, tol)
                }
                _ => false,
            };
            (status, signed)
        })
        .collect()
}

/// Per row, the ranking model's candidate, with its goal fit as a share of the goals' total
/// importance.
fn candidates(rows: &[PortfolioRow], goals: &[Goal]) -> Vec<Candidate> {
    let total_importance: Vec<u8> = goals
        .iter()
        .map(|g| u8::try_from(g.importance).unwrap_or(0))
        .collect();
    let total: i64 = total_importance.iter().map(|i| i64::from(*i)).sum();
    rows.iter()
        .map(|r| Candidate {
            id: r.id,
            title: r.title.clone(),
            npv: r.npv.unwrap_or(0.0),
            it_cost: r.it_cost.unwrap_or(0),
            goal_fit: if total > 0 {
                (r.goal_points as f64 / total as f64).clamp(0.0, 1.0)
            } else {
                0.0
            },
            risk: r.risk.parse::<Risk>().map(Risk::score).unwrap_or(0.5),
            urgency: r
                .urgency
                .parse::<Urgency>()
                .map(Urgency::score)
                .unwrap_or(0.5),
            person_days: u32::try_from(r.person_days.unwrap_or(0)).unwrap_or(0),
        })
        .collect()
}

/// The ranking model's weights from the stored weights version.
fn weights_of(weights: &WeightsVersion) -> Weights {
    Weights {
        value: weights.value_weight,
        fit: weights.fit_weight,
        risk: weights.risk_weight,
        urgency: weights.urgency_weight,
    }
}

/// What accepted work has already taken, and the items still competing for the rest (in rank
/// order, candidates and scores side by side).
struct Split {
    committed_cost: i64,
    committed_days: i64,
    competing_c: Vec<Candidate>,
    competing_s: Vec<Scored>,
}

/// Splits the ranked items into committed work and those that may compete for funding.
fn split_committed(
    rows: &[PortfolioRow],
    parsed: &[(Status, bool)],
    candidates: &[Candidate],
    scored: &[Scored],
    by_id: &std::collections::HashMap<i64, usize>,
) -> Split {
    // Accepted work has already taken its share; the line decides among the rest, and only
    // items whose champion's sign-off holds may be funded.
    let (mut committed_cost, mut committed_days) = (0i64, 0i64);
    let mut competing_c = Vec::new();
    let mut competing_s = Vec::new();
    for s in scored {
        let Some(&i) = by_id.get(&s.id) else { continue };
        let (status, signed) = parsed[i];
        if is_committed(status) && rows[i].need_confirmed {
            committed_cost += rows[i].it_cost.unwrap_or(0);
            committed_days += rows[i].person_days.unwrap_or(0);
        } else if signed && not_fundable(status, rows[i].need_confirmed).is_none() {
            competing_c.push(candidates[i].clone());
            competing_s.push(s.clone());
        }
    }
    Split {
        committed_cost,
        committed_days,
        competing_c,
        competing_s,
    }
}

/// An item's funding (`committed`, `funded` or `not_funded`) and why, from its status, its
/// sign-off and the funding line's decision on it.
fn funding_of(
    r: &PortfolioRow,
    status: Status,
    signed: bool,
    decision: Option<&Decision>,
) -> (String, String) {
    if is_committed(status) && !r.need_confirmed {
        (
            "not_funded".to_string(),
            format!(
                "{} but the requester never confirmed the need: it is not funded until they confirm IT's statement of it",
                status.label().to_lowercase()
            ),
        )
    } else if is_committed(status) {
        (
            "committed".to_string(),
            format!(
                "already {}: its cost counts against the budget first",
                status.label().to_lowercase()
            ),
        )
    } else if let Some(why) = not_fundable(status, r.need_confirmed) {
        ("not_funded".to_string(), why.to_string())
    } else if r.it_cost.is_none() {
        ("not_funded".to_string(), "no business case yet".to_string())
    } else if r.signed_cost.is_none() {
        (
            "not_funded".to_string(),
            "the champion has not signed off the IT costs".to_string(),
        )
    } else if !signed {
        (
            "not_funded".to_string(),
            format!(
                "sign-off lapsed: IT cost rose from {} to {}, beyond the tolerance",
                Money(r.signed_cost.unwrap_or(0)),
                Money(r.it_cost.unwrap_or(0))
            ),
        )
    } else {
        match decision {
            Some(Decision::Funded) => (
                "funded".to_string(),
                "within the budget and capacity".to_string(),
            ),
            Some(Decision::NotFunded { reason }) => ("not_funded".to_string(), reason.clone()),
            None => ("not_funded".to_string(), "not considered".to_string()),
        }
    }
}

/// One ranked item as the page and the export show it.
fn ranked_item(
    s: Scored,
    r: &PortfolioRow,
    status: Status,
    signed: bool,
    (funding, funding_reason): (String, String),
) -> RankedItem {
    RankedItem {
        rank: s.rank,
        id: s.id,
        title: r.title.clone(),
        department_name: r.department_name.clone(),
        champion_name: r.champion_name.clone(),
        status,
        score: s.score,
        terms: s.terms,
        npv: r.npv,
        it_cost: r.it_cost,
        person_days: r.person_days,
        signed_off: signed,
        funding,
        funding_reason,
        requester_id: r.requester_id,
        department_id: r.department_id,
    }
}

/// Narrows the ranked items (the page and the API offer the same filters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortfolioFilter {
    /// Only items of this department (by name, as listed).
    #[serde(default)]
    pub department: String,
    /// Only items with this status (wire name, e.g. `need_confirmed`).
    #[serde(default)]
    pub status: String,
    /// `funded`, `not_funded` or `committed`; empty for all.
    #[serde(default)]
    pub funding: String,
}

impl PortfolioFilter {
    /// Whether any filter is set.
    pub fn is_active(&self) -> bool {
        !(self.department.is_empty() && self.status.is_empty() && self.funding.is_empty())
    }

    /// Checks the values, naming the bad one.
    pub fn validate(&self) -> Result<(), AppError> {
        if !self.status.is_empty() {
            self.status.parse::<Status>()?;
        }
        if !matches!(
            self.funding.as_str(),
            "" | "funded" | "not_funded" | "committed"
        ) {
            return Err(AppError::invalid(
                "funding",
                "must be funded, not_funded or committed",
            ));
        }
        Ok(())
    }

    /// Whether `item` passes.
    pub fn keeps(&self, item: &RankedItem) -> bool {
        (self.department.is_empty() || item.department_name == self.department)
            && (self.status.is_empty() || item.status.as_str() == self.status)
            && (self.funding.is_empty() || item.funding == self.funding)
    }
}

/// The current view, from the cache when the database's revision has not moved.
pub async fn current(
    db: &Db,
    cache: &PortfolioCache,
    actor: &Actor,
) -> Result<Arc<PortfolioView>, AppError> {
    can(actor, Action::ViewPortfolio)?;
    let v = cache.checked.get_or_load(|| revised(db, cache)).await?;
    Ok(v.as_ref().clone())
}

/// The current view, computed again only when the settings revision moved.
async fn revised(db: &Db, cache: &PortfolioCache) -> Result<Arc<PortfolioView>, AppError> {
    let settings = store::settings(db).await?;
    if let Ok(guard) = cache.last.lock()
        && let Some(v) = guard.as_ref()
        && v.revision == settings.revision
    {
        return Ok(v.clone());
    }
    let rows = store::portfolio_rows(db).await?;
    let goals = store::goals(db).await?;
    let weights = store::weights_history(db)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound("scoring weights".into()))?;
    let view = Arc::new(
        tokio::task::spawn_blocking(move || compute(&rows, goals, weights, settings))
            .await
            .map_err(|e| AppError::Internal(e.into()))?,
    );
    if let Ok(mut guard) = cache.last.lock() {
        *guard = Some(view.clone());
    }
    Ok(view)
}

/// Method in words, for pages and exports.
pub fn method_text(m: &Method) -> String {
    match m {
        Method::Exact => "exact (optimal 0/1 selection)".to_string(),
        Method::Greedy { bound, gap } => format!(
            "approximate (greedy; at most {:.3} % below the optimum, bound {:.2})",
            gap * 100.0,
            bound
        ),
    }
}

/// New weights (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct WeightFields {
    /// Value per unit of IT cost.
    #[serde(default)]
    pub value: f64,
    /// Fit to the business goals.
    #[serde(default)]
    pub fit: f64,
    /// Risk (lower risk scores higher).
    #[serde(default)]
    pub risk: f64,
    /// Urgency.
    #[serde(default)]
    pub urgency: f64,
}

/// Saves a new version of the weights.
pub async fn set_weights(
    db: &Db,
    actor: &Actor,
    f: &WeightFields,
) -> Result<WeightsVersion, AppError> {
    can(actor, Action::ManagePortfolio)?;
    let w = Weights::new(f.value, f.fit, f.risk, f.urgency)?;
    Ok(store::insert_weights(db, actor.user.0, &w).await?)
}

/// Budget and rules (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SettingsFields {
    /// IT budget in major units ("2,500,000.00").
    #[serde(default, deserialize_with = "crate::service::de::amount")]
    pub budget: String,
    /// Capacity in person-days.
    #[serde(default)]
    pub capacity_days: i64,
    /// Sign-off tolerance, percent.
    #[serde(default)]
    pub tolerance_pct: f64,
    /// Working days before an unconfirmed need may be decided.
    #[serde(default)]
    pub wait_days: i64,
}

/// Changes budget, capacity, tolerance and the confirmation wait.
pub async fn set_settings(
    db: &Db,
    actor: &Actor,
    f: &SettingsFields,
) -> Result<Settings, AppError> {
    can(actor, Action::ManagePortfolio)?;
    let mut errs = duet_core::ValidationErrors::default();
    let budget = errs.check(Money::parse("budget", &f.budget));
    if budget.is_some_and(|b| b.0 < 0) {
        errs.0
            .push(FieldError::new("budget", "must not be negative"));
    }
    if !(0..=1_000_000).contains(&f.capacity_days) {
        errs.0.push(FieldError::new(
            "capacity_days",
            "must be between 0 and 1,000,000 person-days",
        ));
    }
    if !(0.0..=100.0).contains(&f.tolerance_pct) {
        errs.0.push(FieldError::new(
            "tolerance_pct",
            "must be between 0 and 100 percent",
        ));
    }
    if !(1..=60).contains(&f.wait_days) {
        errs.0.push(FieldError::new(
            "wait_days",
            "must be between 1 and 60 working days",
        ));
    }
    match budget {
        Some(b) if errs.0.is_empty() => Ok(store::update_settings(
            db,
            Some(actor.user.0),
            b.0,
            f.capacity_days,
            f.tolerance_pct,
            f.wait_days,
        )
        .await?),
        _ => Err(errs.into()),
    }
}

/// A goal (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct GoalFields {
    /// The goal.
    #[serde(default)]
    pub title: String,
    /// 1 to 5.
    #[serde(default)]
    pub importance: i64,
}

/// Adds a business goal (executives).
pub async fn add_goal(db: &Db, actor: &Actor, f: &GoalFields) -> Result<Goal, AppError> {
    can(actor, Action::ManageGoals)?;
    let title = duet_core::error::bounded_text("title", &f.title, 3, 200)?;
    if !(1..=5).contains(&f.importance) {
        return Err(AppError::invalid("importance", "must be between 1 and 5"));
    }
    Ok(store::insert_goal(db, actor.user.0, &title, f.importance).await?)
}

/// Retires a goal (executives).
pub async fn archive_goal(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    can(actor, Action::ManageGoals)?;
    Ok(store::archive_goal(db, id).await?)
}

/// The portfolio as CSV: rank, score and its terms, money, funding decision and reason.
pub fn export_csv(view: &PortfolioView) -> Result<Vec<u8>, AppError> {
    let mut w: Vec<Vec<String>> = Vec::with_capacity(view.items.len() + 1);
    let header = [
        "rank",
        "id",
        "title",
        "department",
        "champion",
        "status",
        "score",
        "value_term",
        "fit_term",
        "risk_term",
        "urgency_term",
        "npv",
        "it_cost",
        "person_days",
        "signed_off",
        "funding",
        "reason",
    ];
    w.push(header.iter().map(|s| s.to_string()).collect());
    for i in &view.items {
        let term = |n: &str| {
            i.terms
                .iter()
                .find(|t| t.name == n)
                .map(|t| format!("{:.2}", t.contribution))
                .unwrap_or_default()
        };
        w.push(vec![
            i.rank.to_string(),
            i.id.to_string(),
            i.title.clone(),
            i.department_name.clone(),
            i.champion_name.clone().unwrap_or_default(),
            i.status.as_str().to_string(),
            format!("{:.2}", i.score),
            term("value"),
            term("fit"),
            term("risk"),
            term("urgency"),
            i.npv.map(|n| format!("{n:.2}")).unwrap_or_default(),
            i.it_cost.map(|c| Money(c).to_string()).unwrap_or_default(),
            i.person_days.map(|d| d.to_string()).unwrap_or_default(),
            i.signed_off.to_string(),
            i.funding.clone(),
            i.funding_reason.clone(),
        ]);
    }
    Ok(csv_bytes(&w))
}

fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                // Cells a spreadsheet would run as formulas are neutralised.
                let c = if c.starts_with(['=', '+', '-', '@']) && c.parse::<f64>().is_err() {
                    format!("'{c}")
                } else {
                    c.clone()
                };
                if c.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.into_bytes()
}
