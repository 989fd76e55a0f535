//! Ranking: each candidate's score as a sum of named terms, each with its sentence.

#[allow(unused_imports)]
use super::*;

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
pub(super) fn value_ratio(c: &Candidate) -> Option<f64> {
    if c.it_cost <= 0 || !c.npv.is_finite() {
        return None;
    }
    // `+ 0.0` turns -0.0 into 0.0 so that equal ratios compare equal under `total_cmp`.
    Some(c.npv / (c.it_cost as f64 / MINOR_PER_MAJOR) + 0.0)
}

pub(super) fn value_term(
    c: &Candidate,
    ratio: Option<f64>,
    known: &[f64],
    weight: f64,
    w: &str,
) -> Term {
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
pub(super) enum TermKind {
    Fit,
    Risk,
    Urgency,
}

pub(super) fn unit_term(kind: TermKind, given: f64, weight: f64, w: &str) -> Term {
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
