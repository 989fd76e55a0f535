//! Decide's demo history for `duet demo`: the executives' business goals, accounts for the people
//! who raise, triage and champion requests, and about a year of requests in both lanes — triaged,
//! understood, decided (every decline with safe alternatives), championed, costed, signed off,
//! delivered and measured against their business cases.
//!
//! Like the people demo, everything comes from hand-written templates and a fixed-seed PRNG, so
//! every run tells the same story. The plan of each request's life is pure (and tested); the store
//! calls then replay it step by step, moving the request's history back in time between steps with
//! `shift_history`, so timelines, response times and team statistics look like a year of real use.

use anyhow::anyhow;
use chrono::{Duration, Utc};
use duet_core::FieldError;
use duet_core::auth::Role;
use duet_core::finance::{BusinessCase, CashFlow, FlowKind, Money};
use duet_core::org::{Email, Level};
use duet_core::portfolio::Weights;
use duet_core::requests::{
    Alternative, AlternativeKind, Decision, DeclineReason, RequestInput, Risk, Urgency,
    next_delivery_status,
};
use duet_store::accounts::{self, NewUser, User};
use duet_store::org::{self, Person};
use duet_store::requests::{self as rq, RequestFilter};
use duet_store::{Db, PageRequest, StoreError};
use std::collections::HashMap;

mod content;
mod life;
mod plan;
#[cfg(test)]
mod tests;

use crate::demo::rng::Rng;
use content::*;
use life::*;
use plan::*;

/// Fixed PRNG seed of the request history: changing it changes every request drawn.
const SEED: u64 = 0xDEC1_DE00_2026_0003;

/// Fixed PRNG seed for choosing which people get member accounts.
const ACCOUNT_SEED: u64 = 0xACC0_2026_0000_0003;

/// Requests in the history, both lanes together.
const REQUESTS: usize = 205;

/// Of those, the requests an executive champions into the portfolio lane.
const PORTFOLIO: usize = 55;

/// Of the portfolio items, how many see their IT cost rise past the sign-off's tolerance.
const LAPSED: usize = 8;

/// The history reaches back at most this far (hours): a year of use.
const MAX_AGE_HOURS: i64 = 360 * 24;

/// Store calls the seeding may make, so `duet demo` stays quick to start.
#[cfg(test)]
const CALL_BUDGET: usize = 2_500;

/// Store calls besides the requests' and the new accounts' and goals': reading the requests,
/// people, accounts (twice), departments, teams, goals and portfolio, and saving the settings and
/// the weights.
const SETUP_CALLS: usize = 10;

/// The IT teams that answer requests (the names of `duet_store::requests::STANDARD_TEAMS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Team {
    Desk,
    Apps,
    Infra,
    Sec,
    Data,
}

impl Team {
    const ALL: [Team; 5] = [Team::Desk, Team::Apps, Team::Infra, Team::Sec, Team::Data];

    fn name(self) -> &'static str {
        match self {
            Team::Desk => "Service Desk",
            Team::Apps => "Applications",
            Team::Infra => "Infrastructure",
            Team::Sec => "Security",
            Team::Data => "Data & Analytics",
        }
    }

    /// The title of the IT manager who triages the team's requests (from the people demo).
    fn manager_title(self) -> &'static str {
        match self {
            Team::Desk => "IT Service Desk Manager",
            Team::Apps => "Enterprise Applications Manager",
            Team::Infra => "Infrastructure & Cloud Manager",
            Team::Sec => "Information Security Manager",
            Team::Data => "Data & Analytics Manager",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Seeding: accounts, goals, then the plan replayed through the store
// ---------------------------------------------------------------------------------------------

/// Seeds Decide's history unless requests already exist: goals, IT teams (already created by
/// ensure_decide_defaults), member accounts for the people who raise requests, executive accounts
/// for every department's executive, and a realistic history of requests in both lanes.
pub async fn seed_requests(db: &Db, password_hash: &str) -> anyhow::Result<()> {
    CONTENT.get()?;
    let existing = rq::list_requests(
        db,
        &RequestFilter::default(),
        PageRequest::new(Some(1), None),
    )
    .await?
    .total;
    if existing > 0 {
        tracing::info!(
            requests = existing,
            "requests already exist; Decide history not seeded again"
        );
        return Ok(());
    }
    let plans = plan_history();
    let people = org::all_people(db).await?;
    let Some(ctx) = Ctx::prepare(db, &people, password_hash).await? else {
        return Ok(());
    };

    let mut created = 0;
    let mut skipped = 0;
    for (i, plan) in plans.iter().enumerate() {
        match ctx.replay(plan, i).await {
            Ok(true) => created += 1,
            Ok(false) => skipped += 1,
            Err(e) => {
                if matches!(
                    e.downcast_ref::<StoreError>(),
                    Some(StoreError::Db(_) | StoreError::Migrate(_))
                ) {
                    return Err(e.context(format!("seeding the demo request '{}'", plan.title())));
                }
                skipped += 1;
                tracing::warn!(title = %plan.title(), "demo request left incomplete: {e:#}");
            }
        }
    }

    super::history::seed_requests_history(db, chrono::Utc::now().date_naive()).await?;

    // A funding line worth looking at: accepted work is paid for first, then the budget covers
    // about 55 % of what the signed-off items still competing ask of IT, and the people half
    // their effort.
    let rows = duet_store::portfolio::portfolio_rows(db).await?;
    let committed = |status: &str| {
        matches!(
            status,
            "accepted" | "in_delivery" | "delivered" | "benefits_realised"
        )
    };
    let committed_cost: i64 = rows
        .iter()
        .filter(|r| committed(&r.status))
        .filter_map(|r| r.it_cost)
        .sum();
    let committed_days: i64 = rows
        .iter()
        .filter(|r| committed(&r.status))
        .filter_map(|r| r.person_days)
        .sum();
    let fundable = |r: &&duet_store::portfolio::PortfolioRow| {
        !committed(&r.status)
            && matches!((r.it_cost, r.signed_cost, r.signed_tolerance), (Some(c), Some(s), Some(t)) if duet_core::requests::signoff_holds(s, c, t))
    };
    let open_cost: i64 = rows.iter().filter(fundable).filter_map(|r| r.it_cost).sum();
    let open_days: i64 = rows
        .iter()
        .filter(fundable)
        .filter_map(|r| r.person_days)
        .sum();
    let budget = (committed_cost + open_cost * 55 / 100 + 500_000) / 1_000_000 * 1_000_000;
    let capacity = (committed_days + open_days / 2).max(1);
    duet_store::portfolio::update_settings(db, None, budget.max(1_000_000), capacity, 10.0, 10)
        .await?;
    let weights = Weights::new(45.0, 30.0, 10.0, 15.0).map_err(|e| anyhow!("{e:?}"))?;
    duet_store::portfolio::insert_weights(db, ctx.cio, &weights).await?;

    tracing::info!(
        requests = created,
        skipped,
        portfolio = rows.len(),
        store_calls = plans.iter().map(Plan::store_calls).sum::<usize>() + ctx.setup_calls,
        "Decide demo history seeded"
    );
    Ok(())
}

/// Who plays which part, and the ids the plan's indexes stand for.
struct Ctx<'a> {
    db: &'a Db,
    /// The CIO: triages some requests herself, decides portfolio items, sets the weights.
    cio: i64,
    /// Champions for departments whose executive has no executive account (or raised it).
    fallback_champions: [i64; 2],
    /// Per [`data().departments`] entry: the department's id.
    dept_ids: Vec<Option<i64>>,
    /// Per [`data().departments`] entry: the accounts that raise its requests.
    pools: Vec<Vec<i64>>,
    /// Per [`data().departments`] entry: its executive's account, if it has the executive role.
    execs: Vec<Option<i64>>,
    /// Per [`Team`]: its id, and the manager who triages for it.
    teams: HashMap<Team, (i64, i64)>,
    /// Per [`data().goals`] entry: the goal's id.
    goal_ids: Vec<i64>,
    /// Store calls made preparing all this.
    setup_calls: usize,
}

impl<'a> Ctx<'a> {
    /// Creates the accounts and goals the history needs; `None` (with a warning) when the
    /// directory is not the demo organisation's.
    async fn prepare(
        db: &'a Db,
        people: &[Person],
        password_hash: &str,
    ) -> anyhow::Result<Option<Ctx<'a>>> {
        let key = |e: &str| e.trim().to_lowercase();
        let before: HashMap<String, User> = accounts::list_users(db)
            .await?
            .into_iter()
            .map(|u| (key(&u.email), u))
            .collect();
        let exec_of = |dept: &str| {
            people
                .iter()
                .find(|p| p.department_name == dept && p.level == Level::Executive)
        };
        let manager_titles: Vec<&str> = Team::ALL.iter().map(|t| t.manager_title()).collect();

        // Executives and the IT managers who triage get accounts; then ~80 requesters.
        let mut to_create: Vec<(&Person, Role)> = Vec::new();
        for p in people.iter().filter(|p| p.level == Level::Executive) {
            to_create.push((p, Role::Executive));
        }
        for p in people.iter().filter(|p| {
            p.department_name == "IT"
                && p.level == Level::Manager
                && manager_titles.contains(&p.title.as_str())
        }) {
            to_create.push((p, Role::ItLeader));
        }
        let mut rng = Rng::new(ACCOUNT_SEED);
        let mut new_members: Vec<Vec<String>> = Vec::with_capacity(data().departments.len());
        for d in &data().departments {
            let mut candidates: Vec<&Person> = people
                .iter()
                .filter(|p| {
                    p.department_name == d.name
                        && p.level != Level::Executive
                        && !p.title.starts_with("Business Relationship Manager")
                        && !manager_titles.contains(&p.title.as_str())
                        && !before.contains_key(&key(&p.email))
                })
                .collect();
            candidates.sort_by(|a, b| a.email.cmp(&b.email));
            rng.shuffle(&mut candidates);
            candidates.truncate(d.members);
            new_members.push(candidates.iter().map(|p| key(&p.email)).collect());
            to_create.extend(candidates.into_iter().map(|p| (p, Role::Member)));
        }
        let mut created = 0;
        for (person, role) in to_create {
            if before.contains_key(&key(&person.email)) {
                continue;
            }
            let new = NewUser {
                email: Email::parse(&person.email)?,
                name: person.name.clone(),
                role,
                password_hash: password_hash.to_string(),
            };
            match accounts::insert_user(db, &new).await {
                Ok(_) => created += 1,
                Err(StoreError::Conflict(e)) => {
                    tracing::debug!(email = %person.email, "demo account not created: {e}");
                }
                Err(e) => return Err(e.into()),
            }
        }
        tracing::info!(accounts = created, "Decide demo accounts created");

        let users: HashMap<String, User> = accounts::list_users(db)
            .await?
            .into_iter()
            .map(|u| (key(&u.email), u))
            .collect();
        let user_of = |p: Option<&Person>| p.and_then(|p| users.get(&key(&p.email)));
        let executive = |dept: &str| {
            user_of(exec_of(dept))
                .filter(|u| u.role == Role::Executive)
                .map(|u| u.id)
        };
        let cio = user_of(exec_of("IT"))
            .or_else(|| {
                users
                    .values()
                    .filter(|u| u.role == Role::ItLeader)
                    .min_by_key(|u| u.id)
            })
            .map(|u| u.id);
        let first_exec = users
            .values()
            .filter(|u| u.role == Role::Executive)
            .min_by_key(|u| u.id)
            .map(|u| u.id);
        let cfo = executive("Finance").or(first_exec);
        let (Some(cio), Some(cfo)) = (cio, cfo) else {
            tracing::warn!("no CIO or executive account; Decide demo history not seeded");
            return Ok(None);
        };
        let coo = executive("Operations").unwrap_or(cfo);

        let departments = org::list_departments(db, false).await?;
        let dept_ids = data()
            .departments
            .iter()
            .map(|d| {
                departments
                    .iter()
                    .find(|x| x.name.eq_ignore_ascii_case(&d.name))
                    .map(|x| x.id)
            })
            .collect();

        // Requesters: existing members first (the demo's member sign-in raises the most), then the
        // new accounts, then any business leader, who rarely raises one.
        let dept_of = |u: &User| {
            people
                .iter()
                .find(|p| key(&p.email) == key(&u.email))
                .map(|p| p.department_name.as_str())
        };
        let mut existing: Vec<&User> = before.values().collect();
        existing.sort_by_key(|u| u.id);
        let pools = data()
            .departments
            .iter()
            .zip(&new_members)
            .map(|(d, fresh)| {
                let old = |role: Role| {
                    existing
                        .iter()
                        .filter(move |u| {
                            u.role == role
                                && u.disabled_at.is_none()
                                && dept_of(u) == Some(d.name.as_str())
                        })
                        .map(|u| u.id)
                };
                old(Role::Member)
                    .chain(fresh.iter().filter_map(|e| users.get(e)).map(|u| u.id))
                    .chain(old(Role::BusinessLeader))
                    .collect()
            })
            .collect();
        let execs = data()
            .departments
            .iter()
            .map(|d| executive(&d.name))
            .collect();

        let team_rows = rq::teams(db).await?;
        let Some(any_team) = team_rows.first().map(|t| t.id) else {
            tracing::warn!("no IT teams; Decide demo history not seeded");
            return Ok(None);
        };
        let teams = Team::ALL
            .iter()
            .map(|t| {
                let id = team_rows
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(t.name()))
                    .map_or(any_team, |r| r.id);
                let manager = people
                    .iter()
                    .find(|p| p.department_name == "IT" && p.title == t.manager_title())
                    .and_then(|p| users.get(&key(&p.email)))
                    .map_or(cio, |u| u.id);
                (*t, (id, manager))
            })
            .collect();

        // The CFO sets the goals (ones left by an interrupted earlier run are reused).
        let existing_goals = duet_store::portfolio::goals(db).await?;
        let mut goal_ids = Vec::with_capacity(data().goals.len());
        let mut new_goals = 0;
        for goal in &data().goals {
            match existing_goals.iter().find(|g| g.title == goal.title) {
                Some(g) => goal_ids.push(g.id),
                None => {
                    goal_ids.push(
                        duet_store::portfolio::insert_goal(db, cfo, &goal.title, goal.importance)
                            .await?
                            .id,
                    );
                    new_goals += 1;
                }
            }
        }

        Ok(Some(Ctx {
            db,
            cio,
            fallback_champions: [cfo, coo],
            dept_ids,
            pools,
            execs,
            teams,
            goal_ids,
            setup_calls: SETUP_CALLS + created + new_goals,
        }))
    }

    /// Replays one plan through the store; `false` when its department or requesters are missing.
    async fn replay(&self, plan: &Plan, index: usize) -> anyhow::Result<bool> {
        let db = self.db;
        let (Some(ask), Some(Some(dept_id)), Some(pool)) = (
            plan.ask(),
            self.dept_ids.get(plan.dept),
            self.pools.get(plan.dept),
        ) else {
            return Ok(false);
        };
        let pick = if plan.spotlight {
            0
        } else {
            pick_skewed(plan.requester_draw, pool.len())
        };
        let Some(&requester) = pool.get(pick) else {
            return Ok(false);
        };
        let v = plan.variant_text();
        let (team, manager) = self.teams.get(&ask.team).copied().unwrap_or((0, self.cio));
        let triager = if plan.cio_triages { self.cio } else { manager };
        let champion = match self.execs.get(plan.dept).copied().flatten() {
            Some(exec) if exec != requester => exec,
            _ => self.fallback_champions[index % 2],
        };
        let decider = if plan.kind == Kind::Project {
            self.cio
        } else {
            triager
        };

        let now = Utc::now();
        let today = now.date_naive();
        let mut ago = plan.age_hours();
        let submitted_on = (now - Duration::hours(ago)).date_naive();
        let date_needed = plan
            .needed_in_days
            .map(|d| {
                (submitted_on + Duration::days(d))
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default();
        let input = RequestInput::parse(
            &fill(&ask.title, v),
            &fill(&ask.problem, v),
            &fill(&ask.affected, v),
            &fill(&ask.outcome, v),
            Some(*dept_id),
            plan.urgency.as_str(),
            &date_needed,
        )
        .map_err(|e| anyhow!("demo request '{}' is invalid: {e:?}", ask.title))?;
        let need = fill(&ask.need, v);
        let first_case = match (plan.project(), &plan.case) {
            (Some(p), Some(c)) => Some(build_case(p, c, 100)?),
            _ => None,
        };
        let goals: Vec<i64> = plan
            .case
            .iter()
            .flat_map(|c| &c.goals)
            .filter_map(|g| self.goal_ids.get(*g).copied())
            .collect();

        let mut id = 0;
        for moment in &plan.moments {
            for step in &moment.steps {
                match *step {
                    Step::Submit => id = rq::insert_request(db, requester, &input).await?.id,
                    Step::Triage => {
                        rq::assign_team(db, id, triager, team).await?;
                        rq::state_need(db, id, triager, &need).await?;
                    }
                    Step::Attempt { note } => {
                        let note = data().attempt_notes.get(note).map_or("", String::as_str);
                        rq::record_attempt(db, id, triager, today, note).await?;
                    }
                    Step::Confirm => {
                        rq::confirm_need(db, id, requester).await?;
                    }
                    Step::Correct { text } => {
                        let correction = data().corrections.get(text).map_or("", String::as_str);
                        rq::state_need(db, id, requester, &format!("{need} {correction}")).await?;
                    }
                    Step::Champion => {
                        rq::champion(db, id, champion).await?;
                    }
                    Step::SaveCase { it_pct } => {
                        let (Some(project), Some(c)) = (plan.project(), &plan.case) else {
                            continue;
                        };
                        let case = build_case(project, c, it_pct)?;
                        // The champion presents the first case; IT's re-estimate comes later.
                        let by = if it_pct == 100 { champion } else { triager };
                        rq::save_business_case(db, id, by, &case, c.risk, c.person_days, &goals)
                            .await?;
                    }
                    Step::SignOff => {
                        rq::sign_off(db, id, champion).await?;
                    }
                    Step::Decide(verdict) => {
                        let decision = match verdict {
                            Verdict::Accept => Decision::Accept,
                            Verdict::Defer { days, future, note } => {
                                let decided_on = (now - Duration::hours(ago)).date_naive();
                                let from = if future { today } else { decided_on };
                                Decision::Defer {
                                    until: from + Duration::days(days),
                                    note: data().defer_notes.get(note).cloned().unwrap_or_default(),
                                }
                            }
                            Verdict::Decline => plan.decline(),
                        };
                        rq::decide(db, id, decider, &decision, |_| Ok(())).await?;
                    }
                    Step::Answer { taken_up } => {
                        if let Some(first) = rq::alternatives(db, id).await?.first() {
                            rq::answer_alternative(db, id, first.id, requester, taken_up).await?;
                        }
                    }
                    Step::Advance => {
                        rq::advance(db, id, triager, |status, lane, _| {
                            next_delivery_status(status, lane)
                                .ok_or_else(|| FieldError::new("status", "no next step"))
                        })
                        .await?;
                    }
                    Step::Benefit { year, pct } => {
                        let Some(case) = &first_case else { continue };
                        let actual = (expected_benefit(case, year) * pct / 100 + 50) / 100 * 100;
                        rq::record_benefit(db, id, champion, i64::from(year), Money(actual))
                            .await?;
                    }
                }
            }
            if moment.gap_hours > 0 {
                rq::shift_history(db, id, Duration::hours(moment.gap_hours)).await?;
            }
            ago -= moment.gap_hours;
        }
        Ok(true)
    }
}
