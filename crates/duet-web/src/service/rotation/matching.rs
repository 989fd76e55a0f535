//! The owner's matching of a cycle: the exact best matching of released applicants to offers
//! (`duet_core::rotation::matching`), each proposed pair with the terms of its fit, the owner's
//! pins and exclusions, and confirmation as placements in one transaction.

use super::{Me, Phase, names, today};
use crate::error::AppError;
use crate::service::relationships::{self as rel, RelationshipCaches};
use duet_core::auth::{Action, can};
use duet_core::org::DepartmentKind;
use duet_core::rotation::entries::{Release, team_cap};
use duet_core::rotation::fit::{Pairing, Weights, fit};
use duet_core::rotation::matching::{Adjustments, Applicant, Choice, Fit, Problem, solve_adjusted};
use duet_store::rotation::placements::NewPlacement;
use duet_store::rotation::{self as store, Application, Cycle, Offer};
use std::collections::HashMap;

/// The owner's adjustments, as application and offer ids (a form's repeated `pin` and
/// `exclude` fields as `APPLICATION:OFFER`, or the API's lists).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct AdjustFields {
    /// Pairs kept whatever else changes.
    #[serde(default)]
    pub pinned: Vec<PairIds>,
    /// Pairs never proposed.
    #[serde(default)]
    pub excluded: Vec<PairIds>,
}

/// One application and one offer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
pub struct PairIds {
    /// The application.
    pub application_id: i64,
    /// The offer.
    pub offer_id: i64,
}

impl PairIds {
    /// Reads `APPLICATION:OFFER`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (a, o) = raw.split_once(':')?;
        Some(Self {
            application_id: a.trim().parse().ok()?,
            offer_id: o.trim().parse().ok()?,
        })
    }

    /// As a form sends it.
    pub fn wire(&self) -> String {
        format!("{}:{}", self.application_id, self.offer_id)
    }
}

/// One proposed pair with the terms of its score.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProposedPair {
    /// The application.
    pub application_id: i64,
    /// The applicant.
    pub person_name: String,
    /// Their department.
    pub home_name: String,
    /// The offer.
    pub offer_id: i64,
    /// Its host department.
    pub host_name: String,
    /// Its role.
    pub role: String,
    /// The host department's place in the applicant's ranking (1 = first choice).
    pub choice: usize,
    /// The fit, term by term.
    pub fit: Fit,
    /// The total fit.
    pub total: f64,
    /// The owner pinned it.
    pub pinned: bool,
}

/// An applicant left without a placement, and why.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Unplaced {
    /// The application.
    pub application_id: i64,
    /// The applicant.
    pub person_name: String,
    /// Their department.
    pub home_name: String,
    /// Why, in words.
    pub why: String,
}

/// A team's cap in this cycle.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TeamCap {
    /// The department.
    pub department_name: String,
    /// Its active people.
    pub headcount: i64,
    /// Already away in an overlapping cycle.
    pub away_elsewhere: i64,
    /// How many more may be away in this cycle.
    pub cap: u32,
    /// How many this proposal places.
    pub placed: u32,
}

/// The proposal the owner adjusts and confirms.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Proposal {
    /// The pairs, best fit first.
    pub pairs: Vec<ProposedPair>,
    /// Released applicants left unplaced.
    pub unplaced: Vec<Unplaced>,
    /// Applicants not (yet) released by their manager: never matched.
    pub not_released: Vec<Unplaced>,
    /// The total fit.
    pub total: f64,
    /// The weights of the fit's terms.
    pub weights: Weights,
    /// Each team's cap.
    pub caps: Vec<TeamCap>,
    /// The pins and exclusions it was solved under.
    pub adjustments: AdjustFields,
}

/// What the solver needs and how its indices map back.
struct Built {
    problem: Problem,
    apps: Vec<Application>,
    offers: Vec<Offer>,
    teams: Vec<i64>,
    fits: HashMap<(usize, usize), (usize, Fit)>,
    headcount: HashMap<i64, i64>,
    elsewhere: HashMap<i64, i64>,
}

fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// How weak each business department's relationship with IT is (0 healthy … 1 poor), from the
/// relationships' overall index where it has enough evidence.
async fn weakness(
    caches: &RelationshipCaches,
    src: rel::Sources<'_>,
    me: &Me,
) -> Result<HashMap<i64, f64>, AppError> {
    let o = rel::overview(caches, src, &me.actor).await?;
    Ok(o.pairs
        .iter()
        .filter_map(|p| {
            p.index
                .map(|i| (p.department_id, 1.0 - (i / 100.0).clamp(0.0, 1.0)))
        })
        .collect())
}

async fn build(
    caches: &RelationshipCaches,
    src: rel::Sources<'_>,
    me: &Me,
    c: &Cycle,
) -> Result<Built, AppError> {
    let db = src.db;
    let weak = weakness(caches, src, me).await?;
    let departments = duet_store::org::list_departments(db, true).await?;
    let is_it = |d: i64| {
        departments
            .iter()
            .any(|x| x.id == d && x.kind == DepartmentKind::It)
    };
    let offers = store::offers(db, c.id).await?;
    let apps: Vec<Application> = store::applications(db, c.id)
        .await?
        .into_iter()
        .filter(|a| a.release_state == Release::Released.as_str())
        .collect();
    let headcount: HashMap<i64, i64> = store::headcounts(db).await?.into_iter().collect();
    let elsewhere: HashMap<i64, i64> = store::away_elsewhere(db, c.id, c.starts_on, c.ends_on)
        .await?
        .into_iter()
        .collect();
    let mut teams: Vec<i64> = apps.iter().map(|a| a.department_id).collect();
    teams.sort_unstable();
    teams.dedup();
    let team_caps = teams
        .iter()
        .map(|d| {
            let cap = team_cap(
                headcount.get(d).copied().unwrap_or(0).max(0) as u32,
                c.away_percent.max(0) as u32,
            );
            cap.saturating_sub(elsewhere.get(d).copied().unwrap_or(0).max(0) as u32)
        })
        .collect();
    let weights = Weights::default();
    let mut fits = HashMap::new();
    let mut applicants = Vec::with_capacity(apps.len());
    for (ai, a) in apps.iter().enumerate() {
        let (wants, brings) = (list(&a.wants), list(&a.brings));
        let mut choices = Vec::new();
        for (xi, o) in offers.iter().enumerate() {
            let Some(rank) = a.choices.iter().position(|d| *d == o.department_id) else {
                continue;
            };
            let (teaches, needs) = (list(&o.teaches), list(&o.needs));
            let business = if is_it(a.department_id) {
                o.department_id
            } else {
                a.department_id
            };
            let pairing = Pairing {
                rank,
                ranked: a.choices.len(),
                wants: &wants,
                brings: &brings,
                teaches: &teaches,
                needs: &needs,
                weakness: weak.get(&business).copied(),
            };
            if let Some(f) = fit(&pairing, &weights) {
                fits.insert((ai, xi), (rank + 1, f));
                choices.push(Choice {
                    placement: xi,
                    fit: f,
                });
            }
        }
        applicants.push(Applicant {
            team: teams.binary_search(&a.department_id).unwrap_or(0),
            choices,
        });
    }
    Ok(Built {
        problem: Problem {
            applicants,
            capacities: offers.iter().map(|o| o.capacity.max(0) as u32).collect(),
            team_caps,
        },
        apps,
        offers,
        teams,
        fits,
        headcount,
        elsewhere,
    })
}

/// Maps the owner's id pairs to the solver's indices; an unknown pair is named (`pinned` or
/// `excluded`).
fn adjustments(b: &Built, f: &AdjustFields) -> Result<Adjustments, AppError> {
    let index = |field: &str, p: &PairIds| {
        let a = b.apps.iter().position(|x| x.id == p.application_id);
        let o = b.offers.iter().position(|x| x.id == p.offer_id);
        match (a, o) {
            (Some(a), Some(o)) => Ok((a, o)),
            _ => Err(AppError::invalid(
                field,
                format!(
                    "application {} and offer {} are not a released applicant and an offer of this cycle",
                    p.application_id, p.offer_id
                ),
            )),
        }
    };
    Ok(Adjustments {
        pinned: f
            .pinned
            .iter()
            .map(|p| index("pinned", p))
            .collect::<Result<_, _>>()?,
        excluded: f
            .excluded
            .iter()
            .map(|p| index("excluded", p))
            .collect::<Result<_, _>>()?,
    })
}

/// The best matching of `cycle` under the owner's adjustments, with every pair's terms
/// (`can(RunRotation)`).
pub async fn propose(
    caches: &RelationshipCaches,
    src: rel::Sources<'_>,
    me: &Me,
    cycle: i64,
    f: &AdjustFields,
) -> Result<Proposal, AppError> {
    can(&me.actor, Action::RunRotation)?;
    let db = src.db;
    let c = store::find_cycle(db, cycle).await?;
    let b = build(caches, src, me, &c).await?;
    let adj = adjustments(&b, f)?;
    let m = solve_adjusted(&b.problem, &adj).map_err(|e| AppError::Invalid(vec![e]))?;
    let all_apps = store::applications(db, c.id).await?;
    let people: Vec<i64> = all_apps.iter().map(|a| a.person_id).collect();
    let names = names(db, &people).await?;
    let departments = duet_store::org::list_departments(db, true).await?;
    let dname = |d: i64| {
        departments
            .iter()
            .find(|x| x.id == d)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let pname = |p: i64| names.get(&p).map(|x| x.0.clone()).unwrap_or_default();
    let mut pairs = Vec::new();
    let mut unplaced = Vec::new();
    let mut placed_per_team = vec![0u32; b.teams.len()];
    for (ai, a) in b.apps.iter().enumerate() {
        match m.placed[ai] {
            Some(xi) => {
                let o = &b.offers[xi];
                let (choice, fit) = b.fits.get(&(ai, xi)).copied().unwrap_or_default();
                placed_per_team[b.problem.applicants[ai].team] += 1;
                pairs.push(ProposedPair {
                    application_id: a.id,
                    person_name: pname(a.person_id),
                    home_name: dname(a.department_id),
                    offer_id: o.id,
                    host_name: dname(o.department_id),
                    role: o.role.clone(),
                    choice,
                    total: fit.total(),
                    fit,
                    pinned: adj.pinned.contains(&(ai, xi)),
                });
            }
            None => {
                let why = if b.problem.applicants[ai].choices.is_empty() {
                    "none of the departments they ranked offers a placement".to_string()
                } else if b.problem.team_caps[b.problem.applicants[ai].team] == 0 {
                    format!(
                        "{} already has as many people away as its cap allows",
                        dname(a.department_id)
                    )
                } else {
                    "the placements they ranked went to better fits, or their team's cap is reached"
                        .to_string()
                };
                unplaced.push(Unplaced {
                    application_id: a.id,
                    person_name: pname(a.person_id),
                    home_name: dname(a.department_id),
                    why,
                });
            }
        }
    }
    pairs.sort_by(|x, y| y.total.total_cmp(&x.total));
    let not_released = all_apps
        .iter()
        .filter(|a| a.release_state != Release::Released.as_str())
        .map(|a| Unplaced {
            application_id: a.id,
            person_name: pname(a.person_id),
            home_name: dname(a.department_id),
            why: if a.release_state == Release::Declined.as_str() {
                format!("not released: {}", a.release_reason)
            } else {
                "waiting for their manager to release them".into()
            },
        })
        .collect();
    let caps = b
        .teams
        .iter()
        .enumerate()
        .map(|(t, d)| TeamCap {
            department_name: dname(*d),
            headcount: b.headcount.get(d).copied().unwrap_or(0),
            away_elsewhere: b.elsewhere.get(d).copied().unwrap_or(0),
            cap: b.problem.team_caps[t],
            placed: placed_per_team[t],
        })
        .collect();
    Ok(Proposal {
        pairs,
        unplaced,
        not_released,
        total: m.total,
        weights: Weights::default(),
        caps,
        adjustments: f.clone(),
    })
}

/// [`propose`] through the rotation caches (the same proposal for every owner while nothing
/// was written).
pub async fn proposal(
    rot: &super::RotationCaches,
    caches: &RelationshipCaches,
    src: rel::Sources<'_>,
    me: &Me,
    cycle: i64,
    f: &AdjustFields,
) -> Result<std::sync::Arc<Proposal>, AppError> {
    can(&me.actor, Action::RunRotation)?;
    let key = (
        cycle,
        format!(
            "{:?}|{:?}",
            f.pinned.iter().map(PairIds::wire).collect::<Vec<_>>(),
            f.excluded.iter().map(PairIds::wire).collect::<Vec<_>>()
        ),
    );
    let me = *me;
    rot.proposals
        .get_or_load(
            key,
            || async move { propose(caches, src, &me, cycle, f).await },
        )
        .await
}

/// Confirms the proposal made under `f` as placements, in one transaction (`can(RunRotation)`);
/// the cycle closes to new entries. Refused (409) once confirmed, and (422) with no pair to place.
pub async fn confirm(
    caches: &RelationshipCaches,
    src: rel::Sources<'_>,
    me: &Me,
    cycle: i64,
    f: &AdjustFields,
) -> Result<Proposal, AppError> {
    let p = propose(caches, src, me, cycle, f).await?;
    let db = src.db;
    let c = store::find_cycle(db, cycle).await?;
    if c.confirmed_at.is_some() || Phase::of(&c, today()) == Phase::Finished {
        return Err(AppError::Conflict(duet_core::FieldError::new(
            "cycle",
            "this cycle's placements are already confirmed",
        )));
    }
    if p.pairs.is_empty() {
        return Err(AppError::invalid(
            "cycle",
            "there is no pair to confirm yet: applicants need their manager's release and a placement in a department they ranked",
        ));
    }
    let apps = store::applications(db, cycle).await?;
    let offers = store::offers(db, cycle).await?;
    let placements: Vec<NewPlacement> = p
        .pairs
        .iter()
        .filter_map(|x| {
            let a = apps.iter().find(|a| a.id == x.application_id)?;
            let o = offers.iter().find(|o| o.id == x.offer_id)?;
            Some(NewPlacement {
                application: a.id,
                person: a.person_id,
                offer: o.id,
                buddy: o.buddy_id,
                learning_goals: if a.wants.is_empty() {
                    String::new()
                } else {
                    format!("Learn: {}", a.wants)
                },
                fit: x.fit,
                pinned: x.pinned,
            })
        })
        .collect();
    duet_store::rotation::placements::confirm(
        db,
        &c,
        &placements,
        me.actor.user.0,
        chrono::Utc::now(),
    )
    .await?;
    Ok(p)
}
