//! The IT portfolio: a transparent ranking of executive-sponsored items, and the funding line that
//! says which of them IT takes on within its budget and its people's time.
//!
//! IT is short of money and people, so its time should go to the work that pays back most, and
//! only work an executive champions — with the IT cost signed off — is a candidate at all. A
//! ranking only builds trust if everyone can follow it, and a "not now" is accepted far better
//! than a bare "no". So every score here is a sum of named terms, each with a sentence, and every
//! item below the funding line carries a true, specific reason.
//!
//! # The score
//!
//! `score = 100 × Σ share(term) × normalised(term)` over four terms, so it lies in `0..=100`:
//!
//! - **value**: value per IT cost, `npv ÷ it_cost`, as a percentile across the candidates (below);
//! - **fit**: how well the item fits the goals the executives set, already `0..=1`;
//! - **risk**: delivery and security risk, counted as `1 − risk` so that safer work scores higher;
//! - **urgency**: already `0..=1`.
//!
//! The shares are the owner's [`Weights`] divided by their sum, so only their proportions matter.
//! Inputs outside `0..=1` are clamped and a missing number counts as the worst case; the term's
//! sentence says so. Ties are broken by id, so a ranking never depends on input order.
//!
//! # Normalising value per IT cost: percentile rank
//!
//! NPV per unit of IT cost has no natural scale and a long tail: one project with a huge NPV on a
//! small cost would, under min-max scaling, press every other project towards 0 and let a single
//! estimate decide the whole value term. So the value term is the candidate's *mid-rank
//! percentile* among the candidates with a signed-off cost: `(number below + ½ × number level) ÷
//! (number of others)`. It is immune to outliers (only the order counts), reads as a sentence
//! ("above 12 and level with 1 of the other 19"), and is monotone: a better ratio never lowers a
//! candidate's own term and never raises anyone else's. The price is that it is relative: the best
//! of a poor set still gets the full value term, so a negative NPV is called out in its sentence.
//! A lone costed candidate sits at the neutral midpoint 0.5. A candidate without a positive
//! signed-off cost (or with an NPV that is not a number) gets a value term of 0 and does not take
//! part in the percentile.
//!
//! # The funding line
//!
//! [`funding_line`] chooses the set of items with the highest total score whose IT cost fits the
//! budget and whose effort fits the capacity in person-days (a 0/1 knapsack with two
//! constraints). Items that cannot be funded on their own terms — no signed-off cost, no score,
//! or bigger than the whole budget or capacity — are set aside first with that reason. If all the
//! rest fit together they are all funded. Otherwise:
//!
//! - **exact** when at most [`EXACT_MAX_ITEMS`] items remain: branch and bound, pruning with the
//!   tightest of three LP-relaxation bounds (budget alone, days alone, and the two combined with
//!   the LP's price of a person-day), and stopping after [`EXACT_NODE_BUDGET`] nodes;
//! - **greedy** otherwise: items are taken in three orders (rank; score per unit of resource,
//!   with budget and days priced by the LP relaxation's dual prices; score per share of the two
//!   resources) and the best selection is kept. When the exact search hits its node budget, the
//!   best selection it found (never worse than the greedy one) is reported the same way. The
//!   two-constraint LP relaxation, solved through its dual, bounds every selection from above, and
//!   the gap to that bound is stated.
//!
//! Money is integer minor units (hundredths of the major unit, see [`MINOR_PER_MAJOR`]); scores
//! and ratios are floats.

use std::collections::HashMap;
use std::fmt;

use crate::error::{FieldError, ValidationErrors};

/// Minor units per major unit: the NPV is in major units and IT costs are in minor units, so value
/// per unit of IT cost is `npv ÷ (it_cost ÷ 100)`.
pub const MINOR_PER_MAJOR: f64 = 100.0;

/// The most items the exact search takes on: beyond this the search tree can explode, and the
/// greedy selection with its stated gap is the honest answer.
pub const EXACT_MAX_ITEMS: usize = 60;

// The exact search keeps its selection in a 64-bit set.
const _: () = assert!(EXACT_MAX_ITEMS <= 64);

/// The most branch-and-bound nodes the exact search visits (tens of milliseconds at worst), so a
/// hard instance degrades to a stated gap instead of a hung request.
pub const EXACT_NODE_BUDGET: u64 = 200_000;

/// Golden-section steps when solving the LP relaxation's dual; each step is one linear pass, and
/// 60 steps shrink the search interval by a factor of about 10¹².
const LP_STEPS: usize = 60;

/// Score differences below this are treated as ties by the searches.
const EPS: f64 = 1e-9;

// ---------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------

/// The weights the portfolio owner sets for the four terms of the score; versioned by the store.
/// Each is a number from 0 to 100 and at least one is above 0. Only their proportions matter.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(try_from = "WeightsInput")]
pub struct Weights {
    /// Weight of value per IT cost (NPV ÷ IT cost, as a percentile across the candidates).
    pub value: f64,
    /// Weight of the fit to the executives' business goals.
    pub fit: f64,
    /// Weight of low risk (the score counts `1 − risk`).
    pub risk: f64,
    /// Weight of urgency.
    pub urgency: f64,
}

impl Weights {
    /// The starting weights, 40/30/15/15: value first, then fit with the goals, then risk and
    /// urgency equally, so a new portfolio ranks sensibly before anyone tunes it.
    pub const DEFAULT: Weights = Weights {
        value: 40.0,
        fit: 30.0,
        risk: 15.0,
        urgency: 15.0,
    };

    /// Validates raw weights and reports every bad field (`value`, `fit`, `risk`, `urgency`) at
    /// once, so a form can mark them all.
    pub fn new(value: f64, fit: f64, risk: f64, urgency: f64) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let all = [
            ("value", value),
            ("fit", fit),
            ("risk", risk),
            ("urgency", urgency),
        ];
        for (field, w) in all {
            if !w.is_finite() {
                errs.0
                    .push(FieldError::new(field, "must be a number from 0 to 100"));
            } else if w < 0.0 {
                errs.0.push(FieldError::new(field, "must not be negative"));
            } else if w > 100.0 {
                errs.0.push(FieldError::new(field, "must be at most 100"));
            }
        }
        if errs.0.is_empty() && all.iter().all(|(_, w)| *w <= 0.0) {
            for (field, _) in all {
                errs.0.push(FieldError::new(
                    field,
                    "at least one weight must be above 0",
                ));
            }
        }
        if errs.0.is_empty() {
            Ok(Self {
                value,
                fit,
                risk,
                urgency,
            })
        } else {
            Err(errs)
        }
    }

    /// The weights as shares summing to 1, in the order value, fit, risk, urgency. Weights built
    /// without [`Weights::new`] are made safe: a weight that is not a number or is negative counts
    /// as 0, one above 100 as 100, and all zero falls back to [`Weights::DEFAULT`].
    pub fn shares(&self) -> [f64; 4] {
        let clean = |w: f64| {
            if w.is_finite() {
                w.clamp(0.0, 100.0)
            } else {
                0.0
            }
        };
        let mut w = [
            clean(self.value),
            clean(self.fit),
            clean(self.risk),
            clean(self.urgency),
        ];
        let mut sum: f64 = w.iter().sum();
        if sum <= 0.0 {
            let d = Self::DEFAULT;
            w = [d.value, d.fit, d.risk, d.urgency];
            sum = w.iter().sum();
        }
        w.map(|x| x / sum)
    }
}

/// The wire shape of [`Weights`], so deserialising goes through [`Weights::new`].
#[derive(serde::Deserialize)]
struct WeightsInput {
    value: f64,
    fit: f64,
    risk: f64,
    urgency: f64,
}

/// Why deserialised weights were refused: every field error, as one message.
#[derive(Debug)]
struct WeightsRejected(ValidationErrors);

impl fmt::Display for WeightsRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl TryFrom<WeightsInput> for Weights {
    type Error = WeightsRejected;
    fn try_from(w: WeightsInput) -> Result<Self, Self::Error> {
        Weights::new(w.value, w.fit, w.risk, w.urgency).map_err(WeightsRejected)
    }
}

// ---------------------------------------------------------------------------------------------
// Ranking
// ---------------------------------------------------------------------------------------------

/// One portfolio item's inputs to the score: an executive-sponsored piece of work with its
/// signed-off IT cost.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Candidate {
    /// The portfolio item's id; ids are expected to be unique.
    pub id: i64,
    /// What the item is called, for people reading the ranking.
    pub title: String,
    /// NPV (major units, may be negative) — value per unit of IT cost is npv / it_cost.
    pub npv: f64,
    /// Signed-off IT cost, minor units, > 0 for a meaningful value ratio (0 treated as "unknown
    /// cost": value term 0 with a note, and the item cannot be funded).
    pub it_cost: i64,
    /// 0..=1: how well it fits the business goals the executives set.
    pub goal_fit: f64,
    /// 0..=1: delivery/security risk (higher is worse: the score uses 1 - risk).
    pub risk: f64,
    /// 0..=1: urgency.
    pub urgency: f64,
    /// Delivery effort in person-days.
    pub person_days: u32,
}

/// One term of a score, so every score can be explained term by term.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Term {
    /// `value`, `fit`, `risk` or `urgency`, matching the [`Weights`] fields.
    pub name: &'static str,
    /// The input as used: NPV per unit of IT cost for value (0 when unknown), else the 0..1 input.
    pub raw: f64,
    /// The input on the common 0..=1 scale (percentile for value, `1 − risk` for risk).
    pub normalised: f64,
    /// This term's share of the weights (the four shares sum to 1).
    pub weight: f64,
    /// Points this term adds to the score: `100 × weight × normalised`.
    pub contribution: f64,
    /// One sentence a sponsor can check: the input, how it was normalised, and the points.
    pub explanation: String,
}

/// A candidate's place in the ranking, with the terms that add up to its score.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Scored {
    /// The candidate's id.
    pub id: i64,
    /// 1 for the highest score; ties are broken by id so every rank is distinct.
    pub rank: u32,
    /// 0..=100: the sum of the terms' contributions.
    pub score: f64,
    /// The value, fit, risk and urgency terms, in that order.
    pub terms: Vec<Term>,
}

/// Scores and ranks the candidates so that anyone can follow why each sits where it does.
///
/// Value per IT cost is normalised across the set by mid-rank percentile (robust to outliers, see
/// the module documentation); fit, risk (as `1 − risk`) and urgency are already 0..1. The weights
/// are normalised to sum 1, so the score is in 0..=100 and equals the sum of its terms'
/// contributions. Sorted by score descending, ties by id ascending; ranks start at 1.
pub fn rank(candidates: &[Candidate], weights: &Weights) -> Vec<Scored> {
    let shares = weights.shares();
    let labels = shares.map(percent);
    let ratios: Vec<Option<f64>> = candidates.iter().map(value_ratio).collect();
    let mut known: Vec<f64> = ratios.iter().flatten().copied().collect();
    known.sort_unstable_by(f64::total_cmp);

    let mut out: Vec<Scored> = candidates
        .iter()
        .zip(&ratios)
        .map(|(c, ratio)| {
            let terms = vec![
                value_term(c, *ratio, &known, shares[0], &labels[0]),
                unit_term(TermKind::Fit, c.goal_fit, shares[1], &labels[1]),
                unit_term(TermKind::Risk, c.risk, shares[2], &labels[2]),
                unit_term(TermKind::Urgency, c.urgency, shares[3], &labels[3]),
            ];
            let score = terms.iter().map(|t| t.contribution).sum::<f64>().min(100.0);
            Scored {
                id: c.id,
                rank: 0,
                score,
                terms,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    for (i, s) in out.iter_mut().enumerate() {
        s.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    out
}

/// NPV per unit of IT cost, or `None` when the cost is not a signed-off positive amount or the NPV
/// is not a number.
fn value_ratio(c: &Candidate) -> Option<f64> {
    if c.it_cost <= 0 || !c.npv.is_finite() {
        return None;
    }
    // `+ 0.0` turns -0.0 into 0.0 so that equal ratios compare equal under `total_cmp`.
    Some(c.npv / (c.it_cost as f64 / MINOR_PER_MAJOR) + 0.0)
}

fn value_term(c: &Candidate, ratio: Option<f64>, known: &[f64], weight: f64, w: &str) -> Term {
    let Some(r) = ratio else {
        let why = if c.it_cost <= 0 {
            format!(
                "IT cost {} is not a signed-off positive amount",
                money(c.it_cost)
            )
        } else {
            "NPV is not a number".to_string()
        };
        return Term {
            name: "value",
            raw: 0.0,
            normalised: 0.0,
            weight,
            contribution: 0.0,
            explanation: format!(
                "{why}, so value per IT cost is unknown and counts as 0 × weight {w} = 0.00 points"
            ),
        };
    };
    let below = known.partition_point(|x| x.total_cmp(&r).is_lt());
    let upto = known.partition_point(|x| x.total_cmp(&r).is_le());
    let others = known.len().saturating_sub(1);
    let level = (upto - below).saturating_sub(1);
    let (normalised, position) = if others == 0 {
        (
            0.5,
            "the only candidate with a signed-off cost, so it sits at the neutral midpoint 0.50"
                .to_string(),
        )
    } else {
        let p = (below as f64 + 0.5 * level as f64) / others as f64;
        (
            p,
            if level == 0 {
                format!(
                    "above {below} of the other {others} costed candidates: percentile {}",
                    f2(p)
                )
            } else {
                format!(
                    "above {below} and level with {level} of the other {others} costed \
                     candidates: percentile {}",
                    f2(p)
                )
            },
        )
    };
    let contribution = 100.0 * weight * normalised;
    let mut explanation = format!(
        "NPV {} ÷ IT cost {} = {} per unit of IT cost; {position}; × weight {w} = {} points",
        major(c.npv),
        money(c.it_cost),
        ratio_text(r),
        f2(contribution),
    );
    if c.npv < 0.0 {
        explanation.push_str("; the NPV is negative, so it loses money over its life");
    }
    Term {
        name: "value",
        raw: r,
        normalised,
        weight,
        contribution,
        explanation,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum TermKind {
    Fit,
    Risk,
    Urgency,
}

fn unit_term(kind: TermKind, given: f64, weight: f64, w: &str) -> Term {
    let (name, label) = match kind {
        TermKind::Fit => ("fit", "goal fit"),
        TermKind::Risk => ("risk", "risk"),
        TermKind::Urgency => ("urgency", "urgency"),
    };
    let inverted = kind == TermKind::Risk;
    // A missing number counts as the worst case: no fit, no urgency, full risk.
    let worst = if inverted { 1.0 } else { 0.0 };
    let (raw, input) = if !given.is_finite() {
        (
            worst,
            format!("{label} is not a number and counts as {}", f2(worst)),
        )
    } else if !(0.0..=1.0).contains(&given) {
        let used = given.clamp(0.0, 1.0);
        (
            given,
            format!(
                "{label} {} is outside 0 to 1 and counts as {}",
                f2(given),
                f2(used)
            ),
        )
    } else {
        (given, format!("{label} {}", f2(given)))
    };
    let used = raw.clamp(0.0, 1.0);
    let normalised = if inverted { 1.0 - used } else { used };
    let contribution = 100.0 * weight * normalised;
    let scale = if inverted {
        format!(
            ", counted as 1 − {} = {} because lower risk scores higher",
            f2(used),
            f2(normalised)
        )
    } else {
        String::new()
    };
    Term {
        name,
        raw,
        normalised,
        weight,
        contribution,
        explanation: format!("{input}{scale}; × weight {w} = {} points", f2(contribution)),
    }
}

// ---------------------------------------------------------------------------------------------
// Funding line
// ---------------------------------------------------------------------------------------------

/// How the funding line was chosen, so users know whether it is provably the best selection.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// No other selection within the budget and capacity has a higher total score.
    Exact,
    /// A heuristic selection; no selection can score more than `bound`.
    Greedy {
        /// The LP-relaxation upper bound on the total score of any selection.
        bound: f64,
        /// `(bound − achieved) ÷ bound`: at most how far this selection is from the best.
        gap: f64,
    },
}

/// Whether an item is funded, and if not, why — in words the sponsor can check.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Above the funding line.
    Funded,
    /// Below the funding line.
    NotFunded {
        /// A true, specific sentence: which limit it hit and by how much, or which funded items
        /// it would displace.
        reason: String,
    },
}

/// One ranked item's place relative to the funding line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Line {
    /// The candidate's id.
    pub id: i64,
    /// Its rank in the scoring.
    pub rank: u32,
    /// Funded or not, and why not.
    pub decision: Decision,
    /// IT cost (minor units) of the funded items up to and including this line, in rank order.
    pub cumulative_cost: i64,
    /// Person-days of the funded items up to and including this line, in rank order.
    pub cumulative_days: u64,
}

/// The funding line: which ranked items are funded within the budget and capacity, how that was
/// decided, and how close to the best possible it is.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FundingLine {
    /// Every ranked item, in rank order.
    pub lines: Vec<Line>,
    /// Exact, or greedy with its bound and gap.
    pub method: Method,
    /// Sum of the funded items' scores.
    pub total_score: f64,
    /// IT cost of the funded items, minor units.
    pub used_budget: i64,
    /// Person-days of the funded items.
    pub used_days: u64,
    /// The IT budget, minor units (a negative budget counts as 0).
    pub budget: i64,
    /// The delivery capacity in person-days.
    pub capacity_days: u64,
    /// A paragraph for people: what was funded, with what, and how the choice was made.
    pub explanation: String,
}

/// Chooses which ranked items to fund within a budget (minor units) and a capacity (person-days),
/// maximising the total score, so the scarce IT budget and people go to the most worthwhile work.
///
/// The selection is 0/1 with two constraints. It is exact (branch and bound with LP-relaxation
/// bounds) when at most [`EXACT_MAX_ITEMS`] items could be funded and the search finishes within
/// [`EXACT_NODE_BUDGET`] nodes; otherwise greedy by score density, with the two-constraint
/// LP-relaxation upper bound reported as the bound and the gap stated. Items are matched to
/// candidates by id; a candidate's cost must be positive to be funded. Every item that is not
/// funded gets a reason.
pub fn funding_line(
    candidates: &[Candidate],
    scored: &[Scored],
    budget: i64,
    capacity_days: u64,
) -> FundingLine {
    plan_funding(candidates, scored, budget, capacity_days, EXACT_NODE_BUDGET)
}

/// An item that could be funded on its own terms.
#[derive(Debug, Clone, Copy)]
struct Item {
    /// Index into the lines (rank order).
    line: usize,
    rank: u32,
    /// Score, finite and > 0.
    s: f64,
    /// IT cost, 0 < c <= budget.
    c: i64,
    /// Person-days, d <= capacity.
    d: u64,
}

/// A selection among the [`Item`]s, with a reason for each one left out.
struct Plan {
    chosen: Vec<bool>,
    reasons: Vec<String>,
    method: Method,
    how: String,
}

fn plan_funding(
    candidates: &[Candidate],
    scored: &[Scored],
    budget_in: i64,
    capacity: u64,
    node_budget: u64,
) -> FundingLine {
    let budget = budget_in.max(0);
    let mut by_id: HashMap<i64, &Candidate> = HashMap::with_capacity(candidates.len());
    for c in candidates {
        by_id.entry(c.id).or_insert(c);
    }
    let mut order: Vec<&Scored> = scored.iter().collect();
    order.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.id.cmp(&b.id)));

    // Set aside what cannot be funded on its own terms, with that reason.
    let mut reasons: Vec<Option<String>> = vec![None; order.len()];
    let mut items: Vec<Item> = Vec::with_capacity(order.len());
    let mut first_rank: HashMap<i64, u32> = HashMap::with_capacity(order.len());
    for (line, s) in order.iter().enumerate() {
        if let Some(r) = first_rank.get(&s.id) {
            reasons[line] = Some(format!(
                "listed more than once in the ranking; only its entry at #{r} is considered"
            ));
            continue;
        }
        first_rank.insert(s.id, s.rank);
        let Some(c) = by_id.get(&s.id) else {
            reasons[line] = Some(
                "no candidate with this id was given, so its cost and effort are unknown".into(),
            );
            continue;
        };
        match own_terms(c, s.score, budget, capacity) {
            Some(r) => reasons[line] = Some(r),
            None => items.push(Item {
                line,
                rank: s.rank,
                s: s.score,
                c: c.it_cost,
                d: u64::from(c.person_days),
            }),
        }
    }
    let set_aside = order.len() - items.len();

    let plan = plan(&items, budget, capacity, node_budget);
    for ((it, chosen), reason) in items.iter().zip(&plan.chosen).zip(plan.reasons) {
        if !*chosen {
            reasons[it.line] = Some(reason);
        }
    }

    let mut lines = Vec::with_capacity(order.len());
    let (mut cost, mut days, mut total, mut funded) = (0i64, 0u64, 0.0f64, 0usize);
    for (s, reason) in order.iter().zip(reasons) {
        let decision = match reason {
            Some(reason) => Decision::NotFunded { reason },
            None => {
                // Only eligible, chosen items have no reason, so the candidate exists.
                if let Some(c) = by_id.get(&s.id) {
                    cost = cost.saturating_add(c.it_cost);
                    days = days.saturating_add(u64::from(c.person_days));
                }
                total += s.score;
                funded += 1;
                Decision::Funded
            }
        };
        lines.push(Line {
            id: s.id,
            rank: s.rank,
            decision,
            cumulative_cost: cost,
            cumulative_days: days,
        });
    }

    let mut explanation = format!(
        "Funded {funded} of {} ranked items: total score {total:.2}, using {} of {} IT budget and \
         {} of {} person-days. {}",
        lines.len(),
        money(cost),
        money(budget),
        count(days),
        count(capacity),
        plan.how,
    );
    if set_aside > 0 {
        explanation.push_str(&format!(
            " {set_aside} item(s) could not be funded on their own terms (no signed-off cost, no \
             score, or bigger than the whole budget or capacity); each says which."
        ));
    }
    if budget_in < 0 {
        explanation.push_str(" The budget given was negative and counts as 0.");
    }
    FundingLine {
        lines,
        method: plan.method,
        total_score: total,
        used_budget: cost,
        used_days: days,
        budget,
        capacity_days: capacity,
        explanation,
    }
}

/// Why an item cannot be funded whatever else is chosen, or `None` when it could be.
fn own_terms(c: &Candidate, score: f64, budget: i64, capacity: u64) -> Option<String> {
    if c.it_cost <= 0 {
        return Some(format!(
            "its IT cost ({}) is not a signed-off positive amount, so it cannot be placed against \
             the budget",
            money(c.it_cost)
        ));
    }
    if !(score.is_finite() && score > 0.0) {
        return Some(format!(
            "its score is {}, so funding it would add nothing to the total",
            f2(score)
        ));
    }
    let days = u64::from(c.person_days);
    match (c.it_cost > budget, days > capacity) {
        (false, false) => None,
        (true, false) => Some(format!(
            "needs {} of IT budget; the whole budget is {}",
            money(c.it_cost),
            money(budget)
        )),
        (false, true) => Some(format!(
            "needs {} person-days; the whole capacity is {}",
            count(days),
            count(capacity)
        )),
        (true, true) => Some(format!(
            "needs {} of IT budget and {} person-days; the whole budget is {} and the whole \
             capacity {} person-days",
            money(c.it_cost),
            count(days),
            money(budget),
            count(capacity)
        )),
    }
}

fn plan(items: &[Item], budget: i64, capacity: u64, node_budget: u64) -> Plan {
    let n = items.len();
    if n == 0 {
        return Plan {
            chosen: Vec::new(),
            reasons: Vec::new(),
            method: Method::Exact,
            how: "No item could be funded on its own terms, so there was nothing to choose.".into(),
        };
    }
    let all_cost: i128 = items.iter().map(|i| i128::from(i.c)).sum();
    let all_days: u128 = items.iter().map(|i| u128::from(i.d)).sum();
    if all_cost <= i128::from(budget) && all_days <= u128::from(capacity) {
        return Plan {
            chosen: vec![true; n],
            reasons: vec![String::new(); n],
            method: Method::Exact,
            how: "Everything that could be funded fits together, so all of it is funded.".into(),
        };
    }

    let lp = lp_relaxation(items, budget, capacity);
    let greedy = best_greedy(items, budget, capacity, &lp);

    if n <= EXACT_MAX_ITEMS {
        let search = branch_and_bound(items, budget, capacity, &lp, &greedy, node_budget);
        if !search.stopped {
            let reasons = exact_reasons(items, &search.chosen, budget, capacity);
            return Plan {
                chosen: search.chosen,
                reasons,
                method: Method::Exact,
                how: format!(
                    "Exact: a branch-and-bound search over the {n} items that could be funded \
                     ({} nodes) proved that no other selection within the budget and capacity \
                     scores higher.",
                    count(search.nodes)
                ),
            };
        }
        let chosen = fill(items, search.chosen, budget, capacity);
        let achieved = total(items, &chosen);
        let (bound, gap) = bound_and_gap(lp.value, achieved);
        return Plan {
            reasons: leftover_reasons(items, &chosen, budget, capacity),
            chosen,
            method: Method::Greedy { bound, gap },
            how: format!(
                "The exact search over the {n} items that could be funded stopped at its limit of \
                 {} nodes, so this is the best selection it found. {}",
                count(node_budget),
                bound_sentence(bound, gap)
            ),
        };
    }

    let (bound, gap) = bound_and_gap(lp.value, greedy.total);
    Plan {
        reasons: turn_reasons(items, &greedy),
        method: Method::Greedy { bound, gap },
        how: format!(
            "Greedy: {n} items could be funded, more than the {EXACT_MAX_ITEMS} the exact search \
             takes on, so items were taken {} while budget and days lasted. {}",
            greedy.order,
            bound_sentence(bound, gap)
        ),
        chosen: greedy.chosen,
    }
}

fn total(items: &[Item], chosen: &[bool]) -> f64 {
    items
        .iter()
        .zip(chosen)
        .filter(|(_, c)| **c)
        .map(|(i, _)| i.s)
        .sum()
}

fn used(items: &[Item], chosen: &[bool]) -> (i64, u64) {
    items
        .iter()
        .zip(chosen)
        .filter(|(_, c)| **c)
        .fold((0i64, 0u64), |(c, d), (i, _)| {
            (c.saturating_add(i.c), d.saturating_add(i.d))
        })
}

fn bound_and_gap(lp: f64, achieved: f64) -> (f64, f64) {
    // The LP value is an upper bound up to rounding; never state a bound below what was achieved.
    let bound = lp.max(achieved);
    let gap = if bound > 0.0 {
        ((bound - achieved) / bound).max(0.0)
    } else {
        0.0
    };
    (bound, gap)
}

fn bound_sentence(bound: f64, gap: f64) -> String {
    if gap <= EPS {
        format!(
            "No selection can score more than the LP-relaxation bound {bound:.2}, and this one \
             reaches it, so it is the best possible."
        )
    } else {
        let pct = gap * 100.0;
        let within = if pct >= 0.01 {
            format!("{pct:.2}%")
        } else {
            "less than 0.01%".into()
        };
        format!(
            "No selection can score more than the LP-relaxation bound {bound:.2}, so this one is \
             within {within} of the best possible."
        )
    }
}

// --- LP relaxation -------------------------------------------------------------------------------

/// The LP relaxation's value (an upper bound on any selection) and its dual prices: `u` per minor
/// unit of budget and `v` per person-day.
#[derive(Debug, Clone, Copy)]
struct Lp {
    value: f64,
    u: f64,
    v: f64,
}

/// Solves the two-constraint LP relaxation through its dual: for a price `v` per person-day the
/// problem is a one-constraint fractional knapsack with profits `s − v·d` (solved exactly, linear
/// time), plus `v × capacity`. That is convex in `v`, so a golden-section search finds its
/// minimum; every value evaluated is itself a valid upper bound, and the smallest is kept.
fn lp_relaxation(items: &[Item], budget: i64, capacity: u64) -> Lp {
    let (bf, cf) = (budget as f64, capacity as f64);
    let mut buf: Vec<(f64, f64, f64)> = Vec::with_capacity(items.len());
    let mut eval = |v: f64| -> Lp {
        buf.clear();
        for it in items {
            let p = it.s - v * it.d as f64;
            if p > 0.0 {
                let w = it.c as f64;
                buf.push((p / w, w, p));
            }
        }
        let (value, u) = fractional_knapsack(&mut buf, bf);
        Lp {
            value: cf * v + value,
            u,
            v,
        }
    };
    let mut best = eval(0.0);
    let v_max = items
        .iter()
        .filter(|i| i.d > 0)
        .map(|i| i.s / i.d as f64)
        .fold(0.0, f64::max);
    if v_max > 0.0 {
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut lo, mut hi) = (0.0, v_max);
        let mut a = eval(hi - g * (hi - lo));
        let mut b = eval(lo + g * (hi - lo));
        for _ in 0..LP_STEPS {
            for x in [a, b] {
                if x.value < best.value {
                    best = x;
                }
            }
            if a.value <= b.value {
                hi = b.v;
                b = a;
                a = eval(hi - g * (hi - lo));
            } else {
                lo = a.v;
                a = b;
                b = eval(lo + g * (hi - lo));
            }
        }
        for x in [a, b] {
            if x.value < best.value {
                best = x;
            }
        }
    }
    best
}

/// Fractional knapsack over `(ratio, weight, profit)` with positive weights: the optimal value and
/// the ratio of the item cut at capacity (the dual price of capacity; 0 when everything fits).
/// Expected linear time by repeated median partitioning.
fn fractional_knapsack(buf: &mut [(f64, f64, f64)], capacity: f64) -> (f64, f64) {
    let mut cap = capacity;
    let mut value = 0.0;
    let (mut lo, mut hi) = (0usize, buf.len());
    while lo < hi {
        let part = &mut buf[lo..hi];
        let m = part.len() / 2;
        part.select_nth_unstable_by(m, |x, y| y.0.total_cmp(&x.0));
        let (w_hi, p_hi) = part[..m]
            .iter()
            .fold((0.0, 0.0), |(w, p), x| (w + x.1, p + x.2));
        if w_hi > cap {
            hi = lo + m;
            continue;
        }
        value += p_hi;
        cap -= w_hi;
        let (r, w, p) = part[m];
        if w >= cap {
            return (value + p * (cap / w), r);
        }
        value += p;
        cap -= w;
        lo += m + 1;
    }
    (value, 0.0)
}

// --- Greedy ----------------------------------------------------------------------------------------

/// A greedy selection and what each item found left when its turn came.
struct Greedy {
    chosen: Vec<bool>,
    total: f64,
    /// Budget and days left when each item's turn came.
    left_at_turn: Vec<(i64, u64)>,
    /// How the items were ordered, as words for the explanation.
    order: String,
}

fn greedy(
    items: &[Item],
    budget: i64,
    capacity: u64,
    key: impl Fn(&Item) -> f64,
    order: String,
) -> Greedy {
    let keys: Vec<f64> = items.iter().map(key).collect();
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_unstable_by(|&a, &b| {
        keys[b]
            .total_cmp(&keys[a])
            .then(items[a].rank.cmp(&items[b].rank))
            .then(a.cmp(&b))
    });
    let mut chosen = vec![false; items.len()];
    let mut left_at_turn = vec![(0, 0); items.len()];
    let (mut rb, mut rd, mut total) = (budget, capacity, 0.0);
    for i in idx {
        let it = &items[i];
        left_at_turn[i] = (rb, rd);
        if it.c <= rb && it.d <= rd {
            chosen[i] = true;
            rb -= it.c;
            rd -= it.d;
            total += it.s;
        }
    }
    Greedy {
        chosen,
        total,
        left_at_turn,
        order,
    }
}

/// The best of three greedy orders: rank (the easiest to follow, preferred on ties), score per
/// resource priced by the LP's dual prices, and score per share of the two resources.
fn best_greedy(items: &[Item], budget: i64, capacity: u64, lp: &Lp) -> Greedy {
    let by_rank = greedy(
        items,
        budget,
        capacity,
        |i| -f64::from(i.rank),
        "in rank order".into(),
    );
    let (u, v) = (lp.u, lp.v);
    let priced_order = if u > 0.0 && v > 0.0 {
        format!(
            "by score per unit of resource, with the LP relaxation's prices making one person-day \
             worth {} of IT budget",
            money((v / u).round() as i64)
        )
    } else if u > 0.0 {
        "by score per unit of IT budget (the budget is the binding limit)".into()
    } else {
        "by score per person-day (the capacity is the binding limit)".into()
    };
    let priced = greedy(
        items,
        budget,
        capacity,
        |i| {
            let price = u * i.c as f64 + v * i.d as f64;
            if price > 0.0 {
                i.s / price
            } else {
                f64::INFINITY
            }
        },
        priced_order,
    );
    let (bf, cf) = (budget as f64, capacity as f64);
    let shares = greedy(
        items,
        budget,
        capacity,
        |i| {
            let days = if cf > 0.0 { i.d as f64 / cf } else { 0.0 };
            i.s / (i.c as f64 / bf + days)
        },
        "by score per share of the budget and capacity used".into(),
    );
    let mut best = by_rank;
    for g in [priced, shares] {
        if g.total > best.total + EPS {
            best = g;
        }
    }
    best
}

/// Adds, in rank order, every left-out item that still fits, so a selection is never wasteful.
fn fill(items: &[Item], mut chosen: Vec<bool>, budget: i64, capacity: u64) -> Vec<bool> {
    let (c, d) = used(items, &chosen);
    let (mut rb, mut rd) = (budget - c, capacity - d);
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by_key(|&i| items[i].rank);
    for i in idx {
        if !chosen[i] && items[i].c <= rb && items[i].d <= rd {
            chosen[i] = true;
            rb -= items[i].c;
            rd -= items[i].d;
        }
    }
    chosen
}

// --- Branch and bound --------------------------------------------------------------------------

struct Search {
    /// Items in branching order: score, cost, days.
    s: Vec<f64>,
    c: Vec<i64>,
    d: Vec<u64>,
    /// Branching positions sorted by score per unit of budget, per person-day, and by priced profit
    /// per unit of budget (with that profit).
    by_budget: Vec<usize>,
    by_days: Vec<usize>,
    by_priced: Vec<(usize, f64)>,
    /// The LP's price of a person-day.
    v: f64,
    best: f64,
    best_set: u64,
    nodes: u64,
    limit: u64,
    stopped: bool,
}

struct SearchResult {
    chosen: Vec<bool>,
    nodes: u64,
    stopped: bool,
}

/// Exact 0/1 search for at most 64 items (the selection is a bit set), starting from the greedy
/// selection so that it only ever improves on it.
fn branch_and_bound(
    items: &[Item],
    budget: i64,
    capacity: u64,
    lp: &Lp,
    start: &Greedy,
    limit: u64,
) -> SearchResult {
    let n = items.len().min(64);
    let (u, v) = (lp.u, lp.v);
    // Branch on the items most likely to be in the best selection first.
    let mut order: Vec<usize> = (0..n).collect();
    let density = |i: &Item| {
        let price = u * i.c as f64 + v * i.d as f64;
        if price > 0.0 {
            i.s / price
        } else {
            f64::INFINITY
        }
    };
    order.sort_by(|&a, &b| {
        density(&items[b])
            .total_cmp(&density(&items[a]))
            .then(items[a].rank.cmp(&items[b].rank))
    });
    let s: Vec<f64> = order.iter().map(|&i| items[i].s).collect();
    let c: Vec<i64> = order.iter().map(|&i| items[i].c).collect();
    let d: Vec<u64> = order.iter().map(|&i| items[i].d).collect();
    let mut by_budget: Vec<usize> = (0..n).collect();
    by_budget.sort_by(|&a, &b| (s[b] / c[b] as f64).total_cmp(&(s[a] / c[a] as f64)));
    let per_day = |k: usize| {
        if d[k] == 0 {
            f64::INFINITY
        } else {
            s[k] / d[k] as f64
        }
    };
    let mut by_days: Vec<usize> = (0..n).collect();
    by_days.sort_by(|&a, &b| per_day(b).total_cmp(&per_day(a)));
    let mut by_priced: Vec<(usize, f64)> = (0..n)
        .map(|k| (k, s[k] - v * d[k] as f64))
        .filter(|(_, p)| *p > 0.0)
        .collect();
    by_priced.sort_by(|a, b| (b.1 / c[b.0] as f64).total_cmp(&(a.1 / c[a.0] as f64)));

    let mut best_set = 0u64;
    for (k, &i) in order.iter().enumerate() {
        if start.chosen.get(i).copied().unwrap_or(false) {
            best_set |= 1 << k;
        }
    }
    let mut search = Search {
        s,
        c,
        d,
        by_budget,
        by_days,
        by_priced,
        v,
        best: start.total,
        best_set,
        nodes: 0,
        limit,
        stopped: false,
    };
    search.dfs(0, budget, capacity, 0.0, 0);

    let mut chosen = vec![false; items.len()];
    for (k, &i) in order.iter().enumerate() {
        chosen[i] = search.best_set & (1 << k) != 0;
    }
    SearchResult {
        chosen,
        nodes: search.nodes,
        stopped: search.stopped,
    }
}

impl Search {
    fn dfs(&mut self, k: usize, rb: i64, rd: u64, cur: f64, set: u64) {
        if self.stopped {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.limit {
            self.stopped = true;
            return;
        }
        if cur > self.best + EPS {
            self.best = cur;
            self.best_set = set;
        }
        if k == self.s.len() || cur + self.bound(k, rb, rd) <= self.best + EPS {
            return;
        }
        if self.c[k] <= rb && self.d[k] <= rd {
            self.dfs(
                k + 1,
                rb - self.c[k],
                rd - self.d[k],
                cur + self.s[k],
                set | (1 << k),
            );
        }
        self.dfs(k + 1, rb, rd, cur, set);
    }

    /// An upper bound on what items from position `k` on can add within `rb` and `rd`: the
    /// smallest of the budget-only, days-only and priced LP relaxations.
    fn bound(&self, k: usize, rb: i64, rd: u64) -> f64 {
        let fits = |i: usize| i >= k && self.c[i] <= rb && self.d[i] <= rd;
        let mut by_budget = 0.0;
        let mut cap = rb;
        for &i in &self.by_budget {
            if !fits(i) {
                continue;
            }
            if self.c[i] <= cap {
                cap -= self.c[i];
                by_budget += self.s[i];
            } else {
                by_budget += self.s[i] * cap as f64 / self.c[i] as f64;
                break;
            }
        }
        let mut by_days = 0.0;
        let mut cap = rd;
        for &i in &self.by_days {
            if !fits(i) {
                continue;
            }
            if self.d[i] <= cap {
                cap -= self.d[i];
                by_days += self.s[i];
            } else {
                by_days += self.s[i] * cap as f64 / self.d[i] as f64;
                break;
            }
        }
        let mut priced = self.v * rd as f64;
        let mut cap = rb;
        for &(i, p) in &self.by_priced {
            if !fits(i) {
                continue;
            }
            if self.c[i] <= cap {
                cap -= self.c[i];
                priced += p;
            } else {
                priced += p * cap as f64 / self.c[i] as f64;
                break;
            }
        }
        by_budget.min(by_days).min(priced)
    }
}

// --- Reasons -------------------------------------------------------------------------------------

/// "needs X of IT budget; Y left <when>" and/or the same for person-days.
fn shortfall(it: &Item, rb: i64, rd: u64, when: &str) -> Option<String> {
    match (it.c > rb, it.d > rd) {
        (false, false) => None,
        (true, false) => Some(format!(
            "needs {} of IT budget; {} left {when}",
            money(it.c),
            money(rb)
        )),
        (false, true) => Some(format!(
            "needs {} person-days; {} left {when}",
            count(it.d),
            count(rd)
        )),
        (true, true) => Some(format!(
            "needs {} of IT budget and {} person-days; {} and {} person-days left {when}",
            money(it.c),
            count(it.d),
            money(rb),
            count(rd)
        )),
    }
}

fn turn_reasons(items: &[Item], g: &Greedy) -> Vec<String> {
    items
        .iter()
        .zip(&g.left_at_turn)
        .map(|(it, &(rb, rd))| {
            shortfall(it, rb, rd, "when its turn came")
                .unwrap_or_else(|| "was passed over when its turn came".into())
        })
        .collect()
}

fn leftover_reasons(items: &[Item], chosen: &[bool], budget: i64, capacity: u64) -> Vec<String> {
    let (c, d) = used(items, chosen);
    let (rb, rd) = (budget - c, capacity - d);
    items
        .iter()
        .map(|it| {
            shortfall(it, rb, rd, "after the funded items")
                .unwrap_or_else(|| "fits in what is left but was not selected".into())
        })
        .collect()
}

/// For each item the exact search left out: which funded items it would have to displace, and
/// that doing so would not raise the total (true because the selection is optimal).
fn exact_reasons(items: &[Item], chosen: &[bool], budget: i64, capacity: u64) -> Vec<String> {
    let (c, d) = used(items, chosen);
    let (rb, rd) = (budget - c, capacity - d);
    let funded: Vec<usize> = (0..items.len()).filter(|&i| chosen[i]).collect();
    items
        .iter()
        .map(|it| {
            let need_b = (it.c - rb).max(0);
            let need_d = it.d.saturating_sub(rd);
            if need_b == 0 && need_d == 0 {
                return format!(
                    "fits in what is left, but its score ({}) is too small to change the total",
                    it.s
                );
            }
            let Some(drop) = displaced(items, &funded, need_b, need_d) else {
                return "left out by the exact optimisation: no selection that includes it scores \
                        higher"
                    .into();
            };
            let lost: f64 = drop.iter().map(|&i| items[i].s).sum();
            let names: Vec<String> = drop
                .iter()
                .map(|&i| format!("#{}", items[i].rank))
                .collect();
            let mut free = Vec::new();
            if need_b > 0 {
                free.push(format!("{} of IT budget", money(need_b)));
            }
            if need_d > 0 {
                free.push(format!("{} person-days", count(need_d)));
            }
            let effect = if lost - it.s > EPS {
                format!("lowers the total score by {}", f2(lost - it.s))
            } else {
                "does not raise the total score".into()
            };
            let together = if drop.len() > 1 { " together" } else { "" };
            format!(
                "left out by the exact optimisation: making room for it (score {}) needs {} \
                 more, and funding it instead of {} (score {}{together}) {effect}",
                f2(it.s),
                free.join(" and "),
                and_list(&names),
                f2(lost),
            )
        })
        .collect()
}

/// A small set of funded items whose removal frees at least `need_b` budget and `need_d` days,
/// losing little score: greedily drop the least score per share of the shortfall freed, then put
/// back whatever is not needed, highest score first.
fn displaced(items: &[Item], funded: &[usize], need_b: i64, need_d: u64) -> Option<Vec<usize>> {
    let share = |i: usize| {
        let mut f = 0.0;
        if need_b > 0 {
            f += items[i].c.min(need_b) as f64 / need_b as f64;
        }
        if need_d > 0 {
            f += items[i].d.min(need_d) as f64 / need_d as f64;
        }
        f
    };
    let mut pool: Vec<(usize, f64)> = funded
        .iter()
        .map(|&i| (i, share(i)))
        .filter(|(_, f)| *f > 0.0)
        .collect();
    pool.sort_by(|a, b| {
        (items[a.0].s / a.1)
            .total_cmp(&(items[b.0].s / b.1))
            .then(items[a.0].rank.cmp(&items[b.0].rank))
    });
    let (mut got_b, mut got_d) = (0i64, 0u64);
    let mut drop = Vec::new();
    for (i, _) in pool {
        if got_b >= need_b && got_d >= need_d {
            break;
        }
        drop.push(i);
        got_b = got_b.saturating_add(items[i].c);
        got_d = got_d.saturating_add(items[i].d);
    }
    if got_b < need_b || got_d < need_d {
        return None;
    }
    drop.sort_by(|&a, &b| items[b].s.total_cmp(&items[a].s));
    let mut kept = Vec::with_capacity(drop.len());
    for i in drop {
        if got_b - items[i].c >= need_b && got_d.saturating_sub(items[i].d) >= need_d {
            got_b -= items[i].c;
            got_d -= items[i].d;
        } else {
            kept.push(i);
        }
    }
    kept.sort_by_key(|&i| items[i].rank);
    Some(kept)
}

// --- Formatting ------------------------------------------------------------------------------------

/// Minor units as "120,000.00". The formatting helpers below write through integer arithmetic:
/// `{:.2}` on floats is several times slower, which shows when ranking thousands of candidates.
fn money(minor: i64) -> Money {
    Money(minor)
}

struct Money(i64);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 0 {
            f.write_str("-")?;
        }
        let abs = self.0.unsigned_abs();
        write_grouped(f, u128::from(abs / 100))?;
        write!(f, ".{:02}", abs % 100)
    }
}

/// A major-unit amount as "1,200,000.00".
fn major(x: f64) -> Major {
    Major(x)
}

struct Major(f64);

impl fmt::Display for Major {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = (self.0 * MINOR_PER_MAJOR).round();
        if cents.is_finite() && cents.abs() < 9.0e18 {
            Money(cents as i64).fmt(f)
        } else {
            write!(f, "{:.3e}", self.0)
        }
    }
}

/// A count as "1,755".
fn count(n: u64) -> Count {
    Count(n)
}

struct Count(u64);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_grouped(f, u128::from(self.0))
    }
}

fn write_grouped(f: &mut fmt::Formatter<'_>, mut n: u128) -> fmt::Result {
    // u128::MAX has 39 digits, so 12 separators at most.
    let mut buf = [0u8; 52];
    let mut i = buf.len();
    let mut digits = 0;
    loop {
        if digits > 0 && digits % 3 == 0 {
            i -= 1;
            buf[i] = b',';
        }
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        digits += 1;
        if n == 0 {
            break;
        }
    }
    f.write_str(std::str::from_utf8(&buf[i..]).map_err(|_| fmt::Error)?)
}

/// A float with `places` decimals (1 or 2); -0.00 prints as 0.00.
struct Fixed(f64, u32);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (x, places) = (self.0, self.1.min(6));
        let scale = 10i64.pow(places);
        let scaled = (x * scale as f64).round();
        if !(scaled.is_finite() && scaled.abs() < 9.0e18) {
            return write!(f, "{x:.*}", places as usize);
        }
        let c = scaled as i64;
        if c < 0 {
            f.write_str("-")?;
        }
        let (a, s) = (c.unsigned_abs(), scale.unsigned_abs());
        write!(f, "{}.{:0w$}", a / s, a % s, w = places as usize)
    }
}

/// Two decimals: scores, points, percentiles.
fn f2(x: f64) -> Fixed {
    Fixed(x, 2)
}

/// A share as a percentage with one decimal: "40.0%".
fn percent(share: f64) -> String {
    format!("{}%", Fixed(share * 100.0, 1))
}

/// A ratio with two decimals, or in scientific notation when it would print as 0.00.
fn ratio_text(r: f64) -> String {
    if r == 0.0 || r.abs() >= 0.005 {
        f2(r).to_string()
    } else {
        format!("{r:.2e}")
    }
}

/// "#3", "#3 and #7", "#3, #5 and #7".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cand(id: i64, npv: f64, it_cost: i64, fit: f64, risk: f64, urgency: f64) -> Candidate {
        Candidate {
            id,
            title: format!("Item {id}"),
            npv,
            it_cost,
            goal_fit: fit,
            risk,
            urgency,
            person_days: 10,
        }
    }

    fn with_days(mut c: Candidate, days: u32) -> Candidate {
        c.person_days = days;
        c
    }

    fn weights() -> impl Strategy<Value = Weights> {
        (
            0.0f64..=100.0,
            0.0f64..=100.0,
            0.0f64..=100.0,
            0.0f64..=100.0,
        )
            .prop_filter_map("all zero", |(a, b, c, d)| Weights::new(a, b, c, d).ok())
    }

    /// Candidates with ids 1..=n.
    fn candidates(
        n: std::ops::RangeInclusive<usize>,
        cost: std::ops::Range<i64>,
        days: std::ops::Range<u32>,
        fit: std::ops::RangeInclusive<f64>,
    ) -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec(
            (-1e5f64..1e6, cost, fit, 0.0f64..=1.0, 0.0f64..=1.0, days),
            n,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (npv, c, f, r, u, d))| with_days(cand(i as i64 + 1, npv, c, f, r, u), d))
                .collect()
        })
    }

    fn brute_force(cands: &[Candidate], scored: &[Scored], budget: i64, capacity: u64) -> f64 {
        let score: HashMap<i64, f64> = scored.iter().map(|s| (s.id, s.score)).collect();
        let n = cands.len();
        let mut best = 0.0f64;
        for mask in 0u32..(1 << n) {
            let (mut c, mut d, mut s) = (0i64, 0u64, 0.0);
            let mut ok = true;
            for (k, x) in cands.iter().enumerate() {
                if mask & (1 << k) != 0 {
                    ok &= x.it_cost > 0;
                    c += x.it_cost;
                    d += u64::from(x.person_days);
                    s += score[&x.id];
                }
            }
            if ok && c <= budget && d <= capacity {
                best = best.max(s);
            }
        }
        best
    }

    /// The funded lines' cost, days and score, checked against the totals and cumulative columns.
    fn check_consistent(cands: &[Candidate], scored: &[Scored], line: &FundingLine) {
        let cand: HashMap<i64, &Candidate> = cands.iter().map(|c| (c.id, c)).collect();
        let score: HashMap<i64, f64> = scored.iter().map(|s| (s.id, s.score)).collect();
        let (mut c, mut d, mut s) = (0i64, 0u64, 0.0);
        let mut last_rank = 0;
        for l in &line.lines {
            assert!(l.rank >= last_rank, "lines are in rank order");
            last_rank = l.rank;
            match &l.decision {
                Decision::Funded => {
                    c += cand[&l.id].it_cost;
                    d += u64::from(cand[&l.id].person_days);
                    s += score[&l.id];
                }
                Decision::NotFunded { reason } => {
                    assert!(!reason.trim().is_empty(), "#{} has no reason", l.rank)
                }
            }
            assert_eq!((l.cumulative_cost, l.cumulative_days), (c, d));
        }
        assert_eq!(line.lines.len(), scored.len());
        assert_eq!((line.used_budget, line.used_days), (c, d));
        assert!(c <= line.budget && d <= line.capacity_days, "feasible");
        assert!((line.total_score - s).abs() < 1e-9);
    }

    #[test]
    fn weights_are_validated_field_by_field() {
        assert!(Weights::new(40.0, 30.0, 15.0, 15.0).is_ok());
        assert!(Weights::new(0.0, 0.0, 0.0, 100.0).is_ok());
        let fields = |r: Result<Weights, ValidationErrors>| -> Vec<String> {
            r.err()
                .map(|e| e.0.into_iter().map(|f| f.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(fields(Weights::new(-1.0, 30.0, 15.0, 15.0)), ["value"]);
        assert_eq!(fields(Weights::new(40.0, 100.5, 15.0, 15.0)), ["fit"]);
        assert_eq!(
            fields(Weights::new(40.0, 30.0, f64::NAN, f64::INFINITY)),
            ["risk", "urgency"]
        );
        assert_eq!(
            fields(Weights::new(0.0, 0.0, 0.0, 0.0)),
            ["value", "fit", "risk", "urgency"]
        );
        let d = Weights::DEFAULT;
        assert_eq!(Weights::new(d.value, d.fit, d.risk, d.urgency), Ok(d));
        assert_eq!(d.shares(), [0.4, 0.3, 0.15, 0.15]);
        // Deserialising goes through the same validation.
        let bad = WeightsInput {
            value: 0.0,
            fit: 0.0,
            risk: 0.0,
            urgency: 0.0,
        };
        let err = Weights::try_from(bad).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("urgency: at least one weight")));
        // Weights built by hand are made safe rather than trusted.
        let odd = Weights {
            value: f64::NAN,
            fit: -5.0,
            risk: 0.0,
            urgency: 0.0,
        };
        assert_eq!(odd.shares(), Weights::DEFAULT.shares());
    }

    #[test]
    fn scores_are_explained_term_by_term() {
        let cands = vec![
            cand(1, 500_000.0, 10_000_000, 0.9, 0.2, 0.5),
            cand(2, 50_000.0, 10_000_000, 0.4, 0.6, 0.9),
            cand(3, 5_000_000.0, 1_000_000, 0.1, 0.9, 0.1),
            cand(4, -20_000.0, 2_000_000, 1.0, 0.0, 1.0),
            cand(5, 100_000.0, 0, 0.5, 0.5, 0.5),
        ];
        let ranked = rank(&cands, &Weights::DEFAULT);
        assert_eq!(ranked.len(), 5);
        for (i, s) in ranked.iter().enumerate() {
            assert_eq!(s.rank as usize, i + 1);
            let names: Vec<&str> = s.terms.iter().map(|t| t.name).collect();
            assert_eq!(names, ["value", "fit", "risk", "urgency"]);
            let sum: f64 = s.terms.iter().map(|t| t.contribution).sum();
            assert!((sum - s.score).abs() < 1e-9, "terms sum to the score");
            assert!((0.0..=100.0).contains(&s.score));
            let weights: f64 = s.terms.iter().map(|t| t.weight).sum();
            assert!((weights - 1.0).abs() < 1e-12);
            for t in &s.terms {
                assert!((t.contribution - 100.0 * t.weight * t.normalised).abs() < 1e-9);
                assert!(
                    t.explanation
                        .contains(&format!("{} points", f2(t.contribution)))
                );
            }
        }
        let by_id = |id: i64| ranked.iter().find(|s| s.id == id).map(|s| &s.terms[0]);
        // #3 has the best ratio (5,000,000 per 10,000.00): above all 3 other costed candidates.
        assert_eq!(by_id(3).map(|t| t.normalised), Some(1.0));
        assert!(by_id(3).is_some_and(|t| t.explanation.contains("above 3 of the other 3 costed")));
        assert!(by_id(4).is_some_and(|t| t.explanation.contains("NPV is negative")));
        assert!(by_id(5).is_some_and(|t| t.normalised == 0.0 && t.explanation.contains("unknown")));
        // Risk is inverted: lower risk scores higher.
        assert!(
            ranked
                .iter()
                .all(|s| s.terms[2].normalised == 1.0 - s.terms[2].raw)
        );
    }

    #[test]
    fn one_outlier_does_not_flatten_everyone_elses_value() {
        let mut cands: Vec<Candidate> = (1..=5)
            .map(|i| cand(i, 100_000.0 * i as f64, 10_000_000, 0.5, 0.5, 0.5))
            .collect();
        cands.push(cand(6, 1e12, 1_000, 0.5, 0.5, 0.5));
        let ranked = rank(&cands, &Weights::DEFAULT);
        let value = |id: i64| {
            ranked
                .iter()
                .find(|s| s.id == id)
                .map_or(-1.0, |s| s.terms[0].normalised)
        };
        assert_eq!(value(6), 1.0);
        assert_eq!(value(5), 0.8);
        assert_eq!(value(1), 0.0);
    }

    #[test]
    fn odd_inputs_are_clamped_and_said_so() {
        let ranked = rank(
            &[cand(1, f64::NAN, 1_000, 1.5, f64::NAN, -0.5)],
            &Weights::DEFAULT,
        );
        let t = &ranked[0].terms;
        assert_eq!(t[0].normalised, 0.0);
        assert!(t[0].explanation.contains("NPV is not a number"));
        assert_eq!(t[1].normalised, 1.0);
        assert!(t[1].explanation.contains("outside 0 to 1"));
        assert_eq!(t[2].normalised, 0.0);
        assert!(t[2].explanation.contains("not a number"));
        assert_eq!(t[3].normalised, 0.0);
        assert!(ranked[0].score.is_finite());
    }

    #[test]
    fn a_zero_budget_funds_nothing_and_says_why() {
        let cands: Vec<Candidate> = (1..=5)
            .map(|i| cand(i, 10_000.0 * i as f64, 100_000 * i, 0.5, 0.5, 0.5))
            .collect();
        let scored = rank(&cands, &Weights::DEFAULT);
        let line = funding_line(&cands, &scored, 0, 1_000);
        check_consistent(&cands, &scored, &line);
        assert_eq!(line.used_budget, 0);
        assert_eq!(line.total_score, 0.0);
        assert_eq!(line.method, Method::Exact);
        for l in &line.lines {
            match &l.decision {
                Decision::Funded => panic!("#{} funded with no budget", l.rank),
                Decision::NotFunded { reason } => {
                    assert!(reason.contains("the whole budget is 0.00"), "{reason}")
                }
            }
        }
        let negative = funding_line(&cands, &scored, -5, 1_000);
        assert_eq!(negative.used_budget, 0);
        assert!(negative.explanation.contains("negative"));
    }

    #[test]
    fn greedy_reasons_name_the_limit_and_what_was_left() {
        // 61+ items that each fit but not all together: the greedy path.
        let cands: Vec<Candidate> = (1..=80)
            .map(|i| with_days(cand(i, 1_000.0 * i as f64, 100_000, 0.5, 0.5, 0.5), 5))
            .collect();
        let scored = rank(&cands, &Weights::DEFAULT);
        let line = funding_line(&cands, &scored, 1_000_000, 1_000);
        check_consistent(&cands, &scored, &line);
        assert!(matches!(line.method, Method::Greedy { .. }));
        assert_eq!(line.used_budget, 1_000_000);
        let reasons: Vec<&String> = line
            .lines
            .iter()
            .filter_map(|l| match &l.decision {
                Decision::NotFunded { reason } => Some(reason),
                Decision::Funded => None,
            })
            .collect();
        assert_eq!(reasons.len(), 70);
        assert!(
            reasons
                .iter()
                .all(|r| *r == "needs 1,000.00 of IT budget; 0.00 left when its turn came")
        );
        assert!(
            line.explanation
                .contains("reaches it, so it is the best possible")
        );
    }

    #[test]
    fn exact_reasons_name_the_items_it_would_displace() {
        // Budget 1.00: #1 (0.60) and #2 (0.40) together beat #3 (0.70) alone, and #3 cannot join
        // them, so it would have to displace both.
        let cands = vec![
            cand(1, 100.0, 60, 0.9, 0.1, 0.9),
            cand(2, 100.0, 40, 0.9, 0.1, 0.9),
            cand(3, 100.0, 70, 0.8, 0.2, 0.8),
        ];
        let scored = rank(&cands, &Weights::DEFAULT);
        let line = funding_line(&cands, &scored, 100, 1_000);
        check_consistent(&cands, &scored, &line);
        assert_eq!(line.method, Method::Exact);
        let c = line
            .lines
            .iter()
            .find(|l| l.id == 3)
            .map(|l| l.decision.clone());
        let Some(Decision::NotFunded { reason }) = c else {
            panic!("item 3 should be left out: {line:?}")
        };
        assert!(
            reason.starts_with("left out by the exact optimisation"),
            "{reason}"
        );
        assert!(reason.contains("needs 0.70 of IT budget more"), "{reason}");
        assert!(reason.contains("lowers the total score"), "{reason}");
    }

    #[test]
    fn a_stopped_exact_search_still_gives_a_feasible_line_with_reasons() {
        let cands: Vec<Candidate> = (1..=40)
            .map(|i| {
                with_days(
                    cand(i, 997.0 * i as f64 % 5_000.0, 1_000 + 37 * i, 0.5, 0.3, 0.2),
                    (i % 7) as u32 + 1,
                )
            })
            .collect();
        let scored = rank(&cands, &Weights::DEFAULT);
        let line = plan_funding(&cands, &scored, 20_000, 60, 1);
        check_consistent(&cands, &scored, &line);
        let Method::Greedy { bound, gap } = line.method else {
            panic!("a search stopped after one node is not exact")
        };
        assert!(line.total_score <= bound + 1e-9 && (0.0..=1.0).contains(&gap));
        assert!(line.explanation.contains("stopped at its limit"));
    }

    #[test]
    fn the_lp_bound_is_never_below_the_best_selection() {
        let mut seed = 7u64;
        let mut next = move |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..300 {
            let n = 1 + next(10) as usize;
            let items: Vec<Item> = (0..n)
                .map(|i| Item {
                    line: i,
                    rank: i as u32 + 1,
                    s: 1.0 + next(1000) as f64 / 10.0,
                    c: 1 + next(100) as i64,
                    d: next(20),
                })
                .collect();
            let (b, cap) = (next(300) as i64, next(60));
            let mut best = 0.0f64;
            for mask in 0u32..(1 << n) {
                let (mut c, mut d, mut s) = (0, 0, 0.0);
                for (k, it) in items.iter().enumerate() {
                    if mask & (1 << k) != 0 {
                        c += it.c;
                        d += it.d;
                        s += it.s;
                    }
                }
                if c <= b && d <= cap {
                    best = best.max(s);
                }
            }
            let lp = lp_relaxation(&items, b, cap);
            assert!(
                lp.value >= best - 1e-9,
                "bound {} below best {best}",
                lp.value
            );
            assert!(best_greedy(&items, b, cap, &lp).total <= best + 1e-9);
        }
    }

    #[test]
    fn money_is_written_with_separators() {
        assert_eq!(money(12_000_000).to_string(), "120,000.00");
        assert_eq!(money(-4_500_005).to_string(), "-45,000.05");
        assert_eq!(money(0).to_string(), "0.00");
        assert_eq!(money(99).to_string(), "0.99");
        assert_eq!(money(i64::MIN).to_string(), "-92,233,720,368,547,758.08");
        assert_eq!(major(1_200_000.0).to_string(), "1,200,000.00");
        assert_eq!(major(-0.004).to_string(), "0.00");
        assert_eq!(count(1_755).to_string(), "1,755");
        assert_eq!(count(u64::MAX).to_string(), "18,446,744,073,709,551,615");
        assert_eq!(f2(12.345_6).to_string(), "12.35");
        assert_eq!(f2(-0.001).to_string(), "0.00");
        assert_eq!(f2(-3.5).to_string(), "-3.50");
        assert_eq!(f2(f64::NAN).to_string(), "NaN");
        assert_eq!(percent(0.15), "15.0%");
        assert_eq!(ratio_text(0.000_123), "1.23e-4");
        assert_eq!(
            and_list(&["#3".into(), "#5".into(), "#7".into()]),
            "#3, #5 and #7"
        );
    }

    proptest! {
        #[test]
        fn scores_always_equal_the_sum_of_their_terms(
            cands in candidates(1..=40, 0..5_000_000, 0..100, 0.0..=1.0),
            w in weights(),
        ) {
            for s in rank(&cands, &w) {
                let sum: f64 = s.terms.iter().map(|t| t.contribution).sum();
                prop_assert!((sum - s.score).abs() < 1e-9);
                prop_assert!((0.0..=100.0).contains(&s.score));
            }
        }

        #[test]
        fn a_higher_npv_per_cost_never_lowers_rank(
            cands in candidates(2..=30, 1..5_000_000, 0..100, 0.0..=1.0),
            w in weights(),
            which in any::<prop::sample::Index>(),
            extra in 1.0f64..1e6,
        ) {
            let i = which.index(cands.len());
            let id = cands[i].id;
            let rank_of = |cs: &[Candidate]| {
                rank(cs, &w).iter().find(|s| s.id == id).map(|s| s.rank)
            };
            let before = rank_of(&cands);
            let mut better = cands.clone();
            better[i].npv += extra;
            let after = rank_of(&better);
            prop_assert!(after <= before, "rank went from {before:?} to {after:?}");

            // Of two candidates equal but for the ratio, the better ratio ranks higher.
            let mut twins = cands.clone();
            let mut twin = twins[i].clone();
            twin.id = 10_000;
            twin.npv += extra;
            twins.push(twin);
            let value = Weights { value: w.value.max(1.0), ..w };
            let r = rank(&twins, &value);
            let pos = |id: i64| r.iter().position(|s| s.id == id);
            prop_assert!(pos(10_000) < pos(id));
        }

        #[test]
        fn the_exact_method_matches_brute_force_on_small_instances(
            cands in candidates(1..=12, 0..1_000, 0..30, 0.0..=1.0),
            budget in 0i64..3_000,
            capacity in 0u64..120,
        ) {
            let scored = rank(&cands, &Weights::DEFAULT);
            let line = funding_line(&cands, &scored, budget, capacity);
            check_consistent(&cands, &scored, &line);
            prop_assert_eq!(&line.method, &Method::Exact);
            let best = brute_force(&cands, &scored, budget, capacity);
            prop_assert!((line.total_score - best).abs() < 1e-6, "{} vs {best}", line.total_score);
        }

        #[test]
        fn a_greedy_result_is_feasible_and_within_its_stated_bound(
            cands in candidates(61..=150, 100..1_000, 1..20, 0.05..=1.0),
            budget_share in 0.05f64..0.9,
            days_share in 0.05f64..0.9,
        ) {
            let total_cost: i64 = cands.iter().map(|c| c.it_cost).sum();
            let total_days: u64 = cands.iter().map(|c| u64::from(c.person_days)).sum();
            let budget = ((total_cost as f64 * budget_share) as i64).max(1_000);
            let capacity = ((total_days as f64 * days_share) as u64).max(20);
            let scored = rank(&cands, &Weights::DEFAULT);
            let line = funding_line(&cands, &scored, budget, capacity);
            check_consistent(&cands, &scored, &line);
            let Method::Greedy { bound, gap } = line.method else {
                return Err(TestCaseError::fail("expected the greedy method"));
            };
            prop_assert!(line.total_score <= bound + 1e-9);
            prop_assert!((0.0..=1.0).contains(&gap));
            prop_assert!((gap - (bound - line.total_score) / bound).abs() < 1e-9);
        }

        #[test]
        fn every_item_left_out_has_a_reason(
            raw in prop::collection::vec(
                (1i64..15, -1e5f64..1e6, -100i64..5_000, 0.0f64..=1.0, 0u32..50), 0..40),
            budget in -100i64..20_000,
            capacity in 0u64..300,
            missing in any::<prop::sample::Index>(),
        ) {
            // Ids repeat, costs may be zero or negative, and one candidate may be missing.
            let cands: Vec<Candidate> = raw
                .iter()
                .map(|&(id, npv, c, f, d)| with_days(cand(id, npv, c, f, 0.5, 0.5), d))
                .collect();
            let mut scored = rank(&cands, &Weights::DEFAULT);
            let mut given: Vec<Candidate> = Vec::new();
            for c in &cands {
                if !given.iter().any(|g| g.id == c.id) {
                    given.push(c.clone());
                }
            }
            // Rank by the first candidate with each id, as funding_line does.
            scored.retain(|s| given.iter().any(|g| g.id == s.id));
            if !given.is_empty() {
                let gone = missing.index(given.len());
                given.remove(gone);
            }
            let line = funding_line(&given, &scored, budget, capacity);
            prop_assert_eq!(line.lines.len(), scored.len());
            let by_id: HashMap<i64, &Candidate> = given.iter().map(|c| (c.id, c)).collect();
            let mut seen = std::collections::HashSet::new();
            let (mut c, mut d) = (0i64, 0u64);
            for l in &line.lines {
                match &l.decision {
                    Decision::Funded => {
                        prop_assert!(seen.insert(l.id), "an id funded twice");
                        let x = by_id[&l.id];
                        prop_assert!(x.it_cost > 0);
                        c += x.it_cost;
                        d += u64::from(x.person_days);
                    }
                    Decision::NotFunded { reason } => prop_assert!(!reason.trim().is_empty()),
                }
            }
            prop_assert!(c <= budget.max(0) && d <= capacity);
            prop_assert_eq!((c, d), (line.used_budget, line.used_days));
        }
    }
}
