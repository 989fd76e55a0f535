//! A cycle's measured outcomes: for the people who rotated against comparable people who did
//! not (the same home departments), how much they asked of IT and promised across IT and the
//! business before and after (`duet_core::rotation::outcomes`: a difference of changes, with
//! sample sizes and "too few to tell"); and, for each department pair involved, its pulse,
//! trust and review signals before and after, as the relationships area computes them (through
//! Listen's anonymity rules: the pulse is anonymous, so it is never split by who rotated).

use super::{Me, Phase, today};
use crate::error::AppError;
use crate::service::relationships::{self as rel, RelationshipCaches};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use duet_core::auth::{Action, Question, Scope, can, scope};
use duet_core::org::DepartmentKind;
use duet_core::relationships::SignalKind;
use duet_core::rotation::outcomes::{Comparison, compare};
use duet_store::rotation::{self as store, placements};
use std::collections::{HashMap, HashSet};

/// One person-level measure compared.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Measure {
    /// What it measures, in words.
    pub label: String,
    /// The comparison (null difference: too few to tell).
    pub comparison: Comparison,
}

/// One signal of a pair before and after.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PairSignal {
    /// Which signal.
    pub kind: SignalKind,
    /// The unit of its values ("out of 100", "days overdue").
    pub unit: String,
    /// Its value in the last month before the cycle with enough evidence.
    pub before: Option<f64>,
    /// Its value in the first month after the cycle with enough evidence.
    pub after: Option<f64>,
}

/// One department pair the cycle placed people across.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PairOutcome {
    /// The business department (the other side is IT).
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// How many guests crossed between the two.
    pub guests: usize,
    /// Pulse, trust and review signals before and after.
    pub signals: Vec<PairSignal>,
}

/// A cycle's outcomes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Outcomes {
    /// Whether the cycle is over (before that, only "before" is known).
    pub finished: bool,
    /// The length of each window compared, in days.
    pub window_days: i64,
    /// Before: the window ending the day before the placements start.
    pub before_from: NaiveDate,
    /// After: the window starting the day after they end (cut at today).
    pub after_to: NaiveDate,
    /// Person-level measures.
    pub measures: Vec<Measure>,
    /// Pair-level signals.
    pub pairs: Vec<PairOutcome>,
    /// What came back: reflections turned into requests and promises.
    pub came_back: Vec<placements::CameBack>,
    /// What a reader should know about the comparison.
    pub caveat: String,
}

fn at(d: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Whether `actor` may read outcomes: the programme owner and those who see every relationship.
pub fn may_see(actor: &duet_core::Actor) -> bool {
    can(actor, Action::RunRotation).is_ok()
        || scope(actor, Question::SeeRelationships) == Scope::All
}

/// [`outcomes`] through the rotation caches (the same for every reader who may see them).
pub async fn cached(
    rot: &super::RotationCaches,
    caches: &RelationshipCaches,
    src: rel::Sources<'_>,
    me: &Me,
    cycle: i64,
) -> Result<std::sync::Arc<Outcomes>, AppError> {
    if !may_see(&me.actor) {
        return Err(AppError::Forbidden(
            "you are not allowed to see the outcomes of the rotation programme (its owner and those who see every relationship)".into(),
        ));
    }
    let me = *me;
    rot.outcomes
        .get_or_load(
            cycle,
            || async move { outcomes(caches, src, &me, cycle).await },
        )
        .await
}

/// The outcomes of `cycle`: for the programme owner and those who see every relationship.
pub async fn outcomes(
    caches: &RelationshipCaches,
    src: rel::Sources<'_>,
    me: &Me,
    cycle: i64,
) -> Result<Outcomes, AppError> {
    if !may_see(&me.actor) {
        return Err(AppError::Forbidden(
            "you are not allowed to see the outcomes of the rotation programme (its owner and those who see every relationship)".into(),
        ));
    }
    let db = src.db;
    let c = store::find_cycle(db, cycle).await?;
    let t = today();
    let finished = Phase::of(&c, t) == Phase::Finished;
    let window = i64::from(c.weeks.max(1)) * 7;
    let window = window.max(90);
    let before = (c.starts_on - Duration::days(window), c.starts_on);
    let after_from = c.ends_on + Duration::days(1);
    let after_to = (after_from + Duration::days(window)).min(t);
    let placed = placements::placements(db, cycle).await?;
    let rotated: HashSet<i64> = placed.iter().map(|p| p.person_id).collect();
    let people = placements::people_by_department(db).await?;
    let home_of: HashMap<i64, i64> = people.iter().copied().collect();
    let homes: HashSet<i64> = rotated
        .iter()
        .filter_map(|p| home_of.get(p))
        .copied()
        .collect();
    let others: Vec<i64> = people
        .iter()
        .filter(|(p, d)| homes.contains(d) && !rotated.contains(p))
        .map(|(p, _)| *p)
        .collect();
    let departments = duet_store::org::list_departments(db, true).await?;
    let it = departments
        .iter()
        .find(|d| d.kind == DepartmentKind::It)
        .map(|d| d.id)
        .unwrap_or_default();
    let mut measures = Vec::new();
    let after_days = (after_to - after_from).num_days();
    if finished && after_days > 0 {
        let per_month = |n: i64, days: i64| n as f64 * 30.0 / days as f64;
        let req_before: HashMap<i64, i64> =
            placements::requests_per_person(db, at(before.0), at(before.1))
                .await?
                .into_iter()
                .collect();
        let req_after: HashMap<i64, i64> =
            placements::requests_per_person(db, at(after_from), at(after_to))
                .await?
                .into_iter()
                .collect();
        let series =
            |ids: &mut dyn Iterator<Item = i64>, b: &HashMap<i64, i64>, a: &HashMap<i64, i64>| {
                ids.map(|p| {
                    (
                        per_month(b.get(&p).copied().unwrap_or(0), window),
                        per_month(a.get(&p).copied().unwrap_or(0), after_days),
                    )
                })
                .collect::<Vec<_>>()
            };
        measures.push(Measure {
            label: "Requests raised with IT, per person per month".into(),
            comparison: compare(
                &series(&mut rotated.iter().copied(), &req_before, &req_after),
                &series(&mut others.iter().copied(), &req_before, &req_after),
            ),
        });
        let made = |rows: Vec<(i64, i64, i64)>| -> HashMap<i64, i64> {
            rows.into_iter().map(|(p, n, _)| (p, n)).collect()
        };
        let pro_before =
            made(placements::promises_across_per_person(db, it, before.0, before.1).await?);
        let pro_after =
            made(placements::promises_across_per_person(db, it, after_from, after_to).await?);
        measures.push(Measure {
            label: "Promises made across IT and the business, per person per month".into(),
            comparison: compare(
                &series(&mut rotated.iter().copied(), &pro_before, &pro_after),
                &series(&mut others.iter().copied(), &pro_before, &pro_after),
            ),
        });
    }
    // Pairs: the business side of each guest's crossing.
    let offers = store::offers(db, cycle).await?;
    let mut crossings: HashMap<i64, usize> = HashMap::new();
    for p in &placed {
        let home = home_of.get(&p.person_id).copied().unwrap_or_default();
        let host = offers
            .iter()
            .find(|o| o.id == p.offer_id)
            .map(|o| o.department_id)
            .unwrap_or_default();
        let business = if home == it { host } else { home };
        *crossings.entry(business).or_default() += 1;
    }
    let mut pairs = Vec::new();
    let kinds = [
        SignalKind::PulseDiscipline,
        SignalKind::PulseUnity,
        SignalKind::PulseEmpathy,
        SignalKind::PulseTrust,
        SignalKind::TrustFromIt,
        SignalKind::TrustToIt,
        SignalKind::Reviews,
    ];
    let mut ids: Vec<(i64, usize)> = crossings.into_iter().collect();
    ids.sort_unstable();
    for (d, guests) in ids {
        let Ok(pair) = rel::pair(caches, src, &me.actor, d).await else {
            continue;
        };
        let signals = kinds
            .iter()
            .filter_map(|k| pair.signals.iter().find(|s| s.kind == *k))
            .map(|s| PairSignal {
                kind: s.kind,
                unit: s.unit.clone(),
                before: s
                    .trend
                    .iter()
                    .rev()
                    .find(|p| p.month < c.starts_on && p.value.is_some())
                    .and_then(|p| p.value),
                after: if finished {
                    s.trend
                        .iter()
                        .find(|p| p.month > c.ends_on && p.value.is_some())
                        .and_then(|p| p.value)
                } else {
                    None
                },
            })
            .collect();
        pairs.push(PairOutcome {
            department_id: d,
            department_name: pair.department_name.clone(),
            guests,
            signals,
        });
    }
    Ok(Outcomes {
        finished,
        window_days: window,
        before_from: before.0,
        after_to,
        measures,
        pairs,
        came_back: placements::came_back(db, cycle).await?,
        caveat: format!(
            "People chose to rotate and managers chose to release them, so the groups are not random: read a difference as a sign, not a proof. A difference is told only with at least {} people on each side. The pulse is anonymous, so it is shown for each pair as a whole, never split by who rotated.",
            duet_core::rotation::outcomes::MIN_GROUP
        ),
    })
}
