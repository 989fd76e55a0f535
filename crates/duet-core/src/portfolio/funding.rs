//! The funding line: which items IT takes on within its budget and capacity, and a true,
//! specific reason for every item below the line.

#[allow(unused_imports)]
use super::*;

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
pub(super) struct Item {
    /// Index into the lines (rank order).
    pub(super) line: usize,
    pub(super) rank: u32,
    /// Score, finite and > 0.
    pub(super) s: f64,
    /// IT cost, 0 < c <= budget.
    pub(super) c: i64,
    /// Person-days, d <= capacity.
    pub(super) d: u64,
}

/// A selection among the [`Item`]s, with a reason for each one left out.
pub(super) struct Plan {
    pub(super) chosen: Vec<bool>,
    pub(super) reasons: Vec<String>,
    pub(super) method: Method,
    pub(super) how: String,
}

pub(super) fn plan_funding(
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
pub(super) fn own_terms(c: &Candidate, score: f64, budget: i64, capacity: u64) -> Option<String> {
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

pub(super) fn plan(items: &[Item], budget: i64, capacity: u64, node_budget: u64) -> Plan {
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

pub(super) fn total(items: &[Item], chosen: &[bool]) -> f64 {
    items
        .iter()
        .zip(chosen)
        .filter(|(_, c)| **c)
        .map(|(i, _)| i.s)
        .sum()
}

pub(super) fn used(items: &[Item], chosen: &[bool]) -> (i64, u64) {
    items
        .iter()
        .zip(chosen)
        .filter(|(_, c)| **c)
        .fold((0i64, 0u64), |(c, d), (i, _)| {
            (c.saturating_add(i.c), d.saturating_add(i.d))
        })
}

pub(super) fn bound_and_gap(lp: f64, achieved: f64) -> (f64, f64) {
    // The LP value is an upper bound up to rounding; never state a bound below what was achieved.
    let bound = lp.max(achieved);
    let gap = if bound > 0.0 {
        ((bound - achieved) / bound).max(0.0)
    } else {
        0.0
    };
    (bound, gap)
}

pub(super) fn bound_sentence(bound: f64, gap: f64) -> String {
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
