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
// Templates
// ---------------------------------------------------------------------------------------------

/// Decide's demo content: every text of the demo's requests, goals and decisions, written in
/// `demo-data/requests.toml` (embedded at build time) so that it can be edited without Rust.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Content {
    /// Why IT defers a request, in its own words.
    defer_notes: Vec<String>,
    /// How a requester corrects IT's statement of the need.
    corrections: Vec<String>,
    /// What IT notes when it records an attempt to reach the requester.
    attempt_notes: Vec<String>,
    /// The executives' business goals that portfolio items serve.
    goals: Vec<Goal>,
    /// Declines of portfolio items: a business case that does not hold up, or no capacity.
    portfolio_declines: Vec<PortfolioDecline>,
    /// Each department's requests.
    departments: Vec<DeptContent>,
}

/// A business goal and its importance (1 to 5).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Goal {
    title: String,
    importance: i64,
}

/// A request as its requester would write it. `{v}` in any text is replaced by one of the
/// variants, so one template yields several distinct requests.
#[derive(Debug, serde::Deserialize)]
struct Ask {
    title: String,
    #[serde(default)]
    variants: Vec<String>,
    problem: String,
    affected: String,
    outcome: String,
    /// IT's statement of the need, in the requester's terms.
    need: String,
    team: Team,
}

/// A safe alternative IT offers with a decline.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Offer {
    kind: AlternativeKind,
    text: String,
}

/// For a security decline: the risk, and what would make it a yes.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Security {
    risk: String,
    yes_if: String,
}

/// A request IT declines, with the reason and the safe alternatives it offers.
#[derive(Debug, serde::Deserialize)]
struct Refusal {
    #[serde(flatten)]
    ask: Ask,
    reason: DeclineReason,
    note: String,
    alternatives: Vec<Offer>,
    security: Option<Security>,
}

/// One yearly benefit of a project at full run-rate, in thousands.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Benefit {
    kind: FlowKind,
    thousands: i64,
}

/// A piece of work big enough for the portfolio, with the shape of its business case
/// (amounts in thousands of the major unit, before the per-request scale).
#[derive(Debug, serde::Deserialize)]
struct Project {
    #[serde(flatten)]
    ask: Ask,
    it_one_off: i64,
    it_yearly: i64,
    other_cost: i64,
    benefits: Vec<Benefit>,
    risk: Risk,
    person_days: i64,
    /// Indexes into the goals.
    goals: Vec<usize>,
}

/// One department's requests, and how much of each kind it raises.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeptContent {
    /// Must match a standard department.
    name: String,
    /// Member accounts to create for its requesters.
    members: usize,
    /// Relative share of service requests, declined requests and portfolio items.
    weights: [usize; 3],
    #[serde(default)]
    asks: Vec<Ask>,
    #[serde(default)]
    refusals: Vec<Refusal>,
    #[serde(default)]
    projects: Vec<Project>,
}

/// A decline of a portfolio item: its reason, note and safe alternatives.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PortfolioDecline {
    reason: DeclineReason,
    note: String,
    alternatives: Vec<Offer>,
}

/// `demo-data/requests.toml`.
static CONTENT: DataFile<Content> = DataFile::new(
    "requests.toml",
    include_str!("../../demo-data/requests.toml"),
);

/// Nothing: what [`data`] gives when the embedded file is broken.
static EMPTY: Content = Content {
    defer_notes: Vec::new(),
    corrections: Vec::new(),
    attempt_notes: Vec::new(),
    goals: Vec::new(),
    portfolio_declines: Vec::new(),
    departments: Vec::new(),
};

/// Decide's demo content for the pure planning functions. Seeding loads the file first
/// (`CONTENT.get()?`), so a broken file stops `duet demo` with its own error before they run.
fn data() -> &'static Content {
    CONTENT.get().unwrap_or(&EMPTY)
}

use crate::demo::data::DataFile;
use crate::demo::rng::Rng;

// ---------------------------------------------------------------------------------------------
// The plan: pure and deterministic
// ---------------------------------------------------------------------------------------------

/// Which template list a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A service-lane request IT accepts, defers or is still understanding.
    Service,
    /// A service-lane request IT declines with alternatives.
    Refused,
    /// Work an executive champions into the portfolio.
    Project,
}

/// Where a request's life ends up today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Nobody in IT has responded yet.
    Submitted,
    /// IT stated the need; the requester has not confirmed it (yet).
    Understanding,
    /// The need is confirmed and the request waits for a decision.
    Waiting,
    Deferred,
    Declined,
    /// Accepted, then moved this many steps along delivery.
    Accepted(u8),
}

/// How far a portfolio item's business case got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Championed, no case yet.
    Championed,
    /// Case saved, not signed off.
    Costed,
    /// Case saved and signed off.
    Signed,
    /// Signed off, then the IT cost rose past the tolerance.
    Lapsed,
}

/// A decision, with what varies between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    /// Revisit `days` from today (`future`) or from the day of the decision.
    Defer {
        days: i64,
        future: bool,
        note: usize,
    },
    Decline,
}

/// One store call (or two) in a request's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Submit,
    /// Assign the team and state the need.
    Triage,
    Attempt {
        note: usize,
    },
    Confirm,
    /// The requester rewrites the need (which confirms it).
    Correct {
        text: usize,
    },
    Champion,
    /// Save the business case with the IT costs at `it_pct` % of the first estimate.
    SaveCase {
        it_pct: i64,
    },
    SignOff,
    Decide(Verdict),
    /// The requester answers the first alternative offered.
    Answer {
        taken_up: bool,
    },
    Advance,
    /// Benefits realised in `year` of the case, as a percentage of those expected.
    Benefit {
        year: u32,
        pct: i64,
    },
}

impl Step {
    /// Store calls the step makes.
    fn calls(self) -> usize {
        match self {
            Step::Triage | Step::Answer { .. } => 2,
            _ => 1,
        }
    }
}

/// Steps taken at the same moment, then the time that passes before the next moment (or, for the
/// last one, before today).
#[derive(Debug, Clone, PartialEq)]
struct Moment {
    steps: Vec<Step>,
    gap_hours: i64,
}

/// A business case's parameters for one portfolio item.
#[derive(Debug, Clone, PartialEq)]
struct CasePlan {
    horizon: u32,
    rate: f64,
    /// The project's amounts scaled by this percentage.
    scale_pct: i64,
    risk: Risk,
    person_days: i64,
    /// Indexes into [`data().goals`].
    goals: Vec<usize>,
}

/// One request's whole life, before any store call.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    /// Index into [`data().departments`].
    dept: usize,
    kind: Kind,
    template: usize,
    variant: usize,
    urgency: Urgency,
    fate: Fate,
    stage: Option<Stage>,
    /// Two draws; the requester is the smaller of them modulo the pool, so a few people raise
    /// more requests than most.
    requester_draw: (usize, usize),
    /// Days after submission the requester needs it by, if they said.
    needed_in_days: Option<i64>,
    /// The CIO triages this one herself instead of the team's manager.
    cio_triages: bool,
    /// Index into [`data().portfolio_declines`].
    portfolio_decline: usize,
    /// Raised by the first member of the department's pool: the demo's member sign-in.
    spotlight: bool,
    case: Option<CasePlan>,
    moments: Vec<Moment>,
}

impl Plan {
    fn ask(&self) -> Option<&'static Ask> {
        let d = data().departments.get(self.dept)?;
        match self.kind {
            Kind::Service => d.asks.get(self.template),
            Kind::Refused => d.refusals.get(self.template).map(|r| &r.ask),
            Kind::Project => d.projects.get(self.template).map(|p| &p.ask),
        }
    }

    fn project(&self) -> Option<&'static Project> {
        match self.kind {
            Kind::Project => data()
                .departments
                .get(self.dept)?
                .projects
                .get(self.template),
            _ => None,
        }
    }

    fn variant_text(&self) -> &'static str {
        self.ask()
            .and_then(|a| a.variants.get(self.variant))
            .map_or("", String::as_str)
    }

    fn title(&self) -> String {
        self.ask()
            .map(|a| fill(&a.title, self.variant_text()))
            .unwrap_or_default()
    }

    /// Hours from submission to today.
    fn age_hours(&self) -> i64 {
        self.moments.iter().map(|m| m.gap_hours).sum()
    }

    /// Store calls replaying the plan makes (each gap is one `shift_history`).
    fn store_calls(&self) -> usize {
        self.moments
            .iter()
            .map(|m| {
                usize::from(m.gap_hours > 0) + m.steps.iter().map(|s| s.calls()).sum::<usize>()
            })
            .sum()
    }

    fn has(&self, want: impl Fn(&Step) -> bool) -> bool {
        self.moments.iter().flat_map(|m| &m.steps).any(want)
    }

    /// The decline IT gives, with its alternatives.
    fn decline(&self) -> Decision {
        let v = self.variant_text();
        if let Some(r) = data()
            .departments
            .get(self.dept)
            .and_then(|d| d.refusals.get(self.template))
            .filter(|_| self.kind == Kind::Refused)
        {
            return decline_of(r.reason, &r.note, &r.alternatives, r.security.as_ref(), v);
        }
        let declines = &data().portfolio_declines;
        let Some(d) = declines.get(self.portfolio_decline % declines.len().max(1)) else {
            return decline_of(DeclineReason::Capacity, "", &[], None, v);
        };
        decline_of(d.reason, &d.note, &d.alternatives, None, v)
    }
}

/// A decline with every `{v}` filled in.
fn decline_of(
    reason: DeclineReason,
    note: &str,
    alternatives: &[Offer],
    security: Option<&Security>,
    v: &str,
) -> Decision {
    Decision::Decline {
        reason,
        note: fill(note, v),
        alternatives: alternatives
            .iter()
            .map(|o| Alternative {
                kind: o.kind,
                description: fill(&o.text, v),
            })
            .collect(),
        security_risk: security.map(|s| fill(&s.risk, v)),
        security_yes_if: security.map(|s| fill(&s.yes_if, v)),
    }
}

/// Replaces `{v}` by the variant and starts the text with a capital, as a sentence does.
fn fill(template: &str, variant: &str) -> String {
    let text = template.replace("{v}", variant);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// `percent` % of `n`, rounded.
fn pct(n: usize, percent: usize) -> usize {
    (n * percent + 50) / 100
}

/// Splits `total` in proportion to `weights` (largest remainder), so the parts add up exactly.
fn apportion(total: usize, weights: &[usize]) -> Vec<usize> {
    let sum: usize = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<usize> = weights.iter().map(|w| total * w / sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; ties to the earlier entry.
    order.sort_by_key(|&i| (std::cmp::Reverse(total * weights[i] % sum), i));
    let mut left = total - parts.iter().sum::<usize>();
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// `counts[i]` copies of `items[i]`, in order.
fn repeat<T: Copy>(items: &[T], counts: &[usize]) -> Vec<T> {
    items
        .iter()
        .zip(counts)
        .flat_map(|(item, n)| std::iter::repeat_n(*item, *n))
        .collect()
}

/// Plans the whole history: which department raises what, with which urgency, and how each
/// request's life unfolds. Pure: the same plan every time.
fn plan_history() -> Vec<Plan> {
    let mut rng = Rng::new(SEED);
    let n = REQUESTS;
    let p = PORTFOLIO.min(n);

    // The mix of outcomes over all requests: ~20 % declined, ~10 % deferred, ~45 % accepted, the
    // rest still being understood or waiting for a decision.
    let p_parts = apportion(p, &[50, 28, 10, 12]);
    let (p_acc, p_wait, p_def, p_decl) = (p_parts[0], p_parts[1], p_parts[2], p_parts[3]);
    let refused = pct(n, 20).saturating_sub(p_decl);
    let service = n.saturating_sub(p + refused);
    let s_acc = pct(n, 45).saturating_sub(p_acc).min(service);
    let s_def = pct(n, 10).saturating_sub(p_def).min(service - s_acc);
    let s_sub = pct(n, 5).min(service - s_acc - s_def);
    let s_und = pct(n, 10).min(service - s_acc - s_def - s_sub);
    let s_wait = service - s_acc - s_def - s_sub - s_und;

    let mut service_fates = repeat(
        &[
            Fate::Submitted,
            Fate::Understanding,
            Fate::Waiting,
            Fate::Deferred,
        ],
        &[s_sub, s_und, s_wait, s_def],
    );
    service_fates.extend(repeat(
        &[0, 1, 2, 3].map(Fate::Accepted),
        &apportion(s_acc, &[15, 25, 20, 40]),
    ));
    let mut project_fates = repeat(
        &[Fate::Waiting, Fate::Deferred, Fate::Declined],
        &[p_wait, p_def, p_decl],
    );
    project_fates.extend(repeat(
        &[0, 1, 2, 3, 4].map(Fate::Accepted),
        &apportion(p_acc, &[15, 35, 20, 20, 10]),
    ));
    rng.shuffle(&mut service_fates);
    rng.shuffle(&mut project_fates);

    // Business-case stages: a few items are still waiting for their case or its sign-off, and
    // some see their IT cost rise past the tolerance (half before a decision, half in delivery).
    let mut stages = Vec::with_capacity(project_fates.len());
    let (mut waiting_seen, mut lapsed_waiting, mut lapsed_delivery) = (0, 0, 0);
    for fate in &project_fates {
        let stage = match fate {
            Fate::Waiting => {
                waiting_seen += 1;
                match waiting_seen {
                    1 | 2 => Stage::Championed,
                    3..=5 => Stage::Costed,
                    _ if lapsed_waiting < LAPSED / 2 => {
                        lapsed_waiting += 1;
                        Stage::Lapsed
                    }
                    _ => Stage::Signed,
                }
            }
            Fate::Accepted(steps) if *steps <= 1 && lapsed_delivery < LAPSED - LAPSED / 2 => {
                lapsed_delivery += 1;
                Stage::Lapsed
            }
            Fate::Deferred if rng.chance(50) => Stage::Costed,
            Fate::Declined => Stage::Costed,
            _ => Stage::Signed,
        };
        stages.push(stage);
    }

    // Departments and templates: each kind is shared out by the departments' weights, and each
    // department walks a shuffled list of its (template, variant) pairs so titles rarely repeat.
    let mut slots: Vec<(usize, Kind, usize, usize)> = Vec::with_capacity(n);
    for (k, (kind, total)) in [
        (Kind::Service, service),
        (Kind::Refused, refused),
        (Kind::Project, p),
    ]
    .into_iter()
    .enumerate()
    {
        let weights: Vec<usize> = data().departments.iter().map(|d| d.weights[k]).collect();
        for (d, count) in apportion(total, &weights).into_iter().enumerate() {
            let mut pairs = template_pairs(d, kind);
            rng.shuffle(&mut pairs);
            let chosen = if kind == Kind::Refused {
                // About 40 % of the service lane's declines are for security (with the portfolio's
                // declines, about a third of all), the rest for cost, capacity, policy and the like.
                let (security, other): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|&(t, _)| {
                    data()
                        .departments
                        .get(d)
                        .and_then(|c| c.refusals.get(t))
                        .is_some_and(|r| r.security.is_some())
                });
                let want = match (security.is_empty(), other.is_empty()) {
                    (true, _) => 0,
                    (false, true) => count,
                    _ => pct(count, 40),
                };
                let mut chosen = take_cycled(&security, want);
                chosen.extend(take_cycled(&other, count - want));
                chosen
            } else {
                take_cycled(&pairs, count)
            };
            slots.extend(chosen.into_iter().map(|(t, v)| (d, kind, t, v)));
        }
    }
    rng.shuffle(&mut slots);

    let mut urgencies = repeat(
        &[
            Urgency::Critical,
            Urgency::High,
            Urgency::Normal,
            Urgency::Low,
        ],
        &apportion(slots.len(), &[10, 25, 45, 20]),
    );
    rng.shuffle(&mut urgencies);

    let (mut next_service, mut next_project) = (0, 0);
    let mut plans = Vec::with_capacity(slots.len());
    for (i, &(dept, kind, template, variant)) in slots.iter().enumerate() {
        let (fate, stage) = match kind {
            Kind::Service => {
                next_service += 1;
                (
                    service_fates
                        .get(next_service - 1)
                        .copied()
                        .unwrap_or(Fate::Waiting),
                    None,
                )
            }
            Kind::Refused => (Fate::Declined, None),
            Kind::Project => {
                next_project += 1;
                let j = next_project - 1;
                (
                    project_fates.get(j).copied().unwrap_or(Fate::Waiting),
                    stages.get(j).copied(),
                )
            }
        };
        let urgency = urgencies.get(i).copied().unwrap_or(Urgency::Normal);
        let needed_in_days = match urgency {
            Urgency::Critical if rng.chance(70) => Some(rng.range(3, 21)),
            _ if rng.chance(30) => Some(rng.range(21, 120)),
            _ => None,
        };
        let mut plan = Plan {
            dept,
            kind,
            template,
            variant,
            urgency,
            fate,
            stage,
            requester_draw: (rng.below(1 << 20), rng.below(1 << 20)),
            needed_in_days,
            cio_triages: rng.chance(20),
            portfolio_decline: rng.below(data().portfolio_declines.len()),
            spotlight: false,
            case: None,
            moments: Vec::new(),
        };
        if let Some(project) = plan.project() {
            plan.case = Some(plan_case(project, &mut rng));
        }
        plan.moments = life(&plan, &mut rng);
        plans.push(plan);
    }
    spotlight(&mut plans);
    // Oldest first, so request ids follow submission dates.
    plans.sort_by_key(|p| std::cmp::Reverse(p.age_hours()));
    plans
}

/// The first `n` items, starting over when they run out (none when there are none).
fn take_cycled<T: Copy>(items: &[T], n: usize) -> Vec<T> {
    items
        .iter()
        .copied()
        .cycle()
        .take(if items.is_empty() { 0 } else { n })
        .collect()
}

/// The department of the demo's member sign-in.
const SPOTLIGHT_DEPT: &str = "Customer Service";

/// Gives the demo's member sign-in a little of everything: a need statement waiting for their
/// confirmation (stated today, so its notification is still unread), a decline whose alternatives
/// they have not answered yet, delivered work and a deferral.
fn spotlight(plans: &mut [Plan]) {
    let Some(dept) = data()
        .departments
        .iter()
        .position(|d| d.name == SPOTLIGHT_DEPT)
    else {
        return;
    };
    let wanted: [fn(&Plan) -> bool; 4] = [
        |p| p.fate == Fate::Understanding && !p.has(|s| matches!(s, Step::Attempt { .. })),
        |p| p.kind == Kind::Refused && !p.has(|s| matches!(s, Step::Answer { .. })),
        |p| p.kind == Kind::Service && matches!(p.fate, Fate::Accepted(2..)),
        |p| p.kind == Kind::Service && p.fate == Fate::Deferred,
    ];
    for (i, want) in wanted.into_iter().enumerate() {
        let Some(plan) = plans
            .iter_mut()
            .find(|p| p.dept == dept && !p.spotlight && want(p))
        else {
            continue;
        };
        plan.spotlight = true;
        if i == 0
            && let Some(last) = plan.moments.last_mut()
        {
            last.gap_hours = 0;
        }
    }
}

/// Every (template, variant) pair of one department's list of `kind`.
fn template_pairs(dept: usize, kind: Kind) -> Vec<(usize, usize)> {
    let Some(d) = data().departments.get(dept) else {
        return Vec::new();
    };
    let variants: Vec<usize> = match kind {
        Kind::Service => d.asks.iter().map(|a| a.variants.len()).collect(),
        Kind::Refused => d.refusals.iter().map(|r| r.ask.variants.len()).collect(),
        Kind::Project => d.projects.iter().map(|p| p.ask.variants.len()).collect(),
    };
    variants
        .iter()
        .enumerate()
        .flat_map(|(t, &n)| (0..n.max(1)).map(move |v| (t, v)))
        .collect()
}

/// A business case's parameters: horizon 3–7 years, rate 6–12 %, amounts scaled 75–130 %.
fn plan_case(project: &Project, rng: &mut Rng) -> CasePlan {
    const RATES: [f64; 6] = [0.06, 0.07, 0.08, 0.09, 0.10, 0.12];
    let risk = match (project.risk, rng.below(10)) {
        (Risk::Low, 0) | (Risk::High, 0) => Risk::Medium,
        (Risk::Medium, 0) => Risk::Low,
        (Risk::Medium, 1) => Risk::High,
        (r, _) => r,
    };
    let mut goals: Vec<usize> = project.goals.to_vec();
    if rng.chance(15) {
        goals.clear();
    } else if rng.chance(30) {
        let extra = rng.below(data().goals.len());
        if !goals.contains(&extra) && goals.len() < 3 {
            goals.push(extra);
        }
    }
    CasePlan {
        horizon: rng.range(3, 7) as u32,
        rate: RATES[rng.below(RATES.len())],
        scale_pct: rng.range(75, 130),
        risk,
        person_days: (project.person_days * rng.range(70, 140) / 100).clamp(20, 600),
        goals,
    }
}

/// Collects steps into moments separated by waits.
struct Timeline {
    moments: Vec<Moment>,
    current: Vec<Step>,
}

impl Timeline {
    fn new() -> Self {
        Self {
            moments: Vec::new(),
            current: Vec::new(),
        }
    }

    fn then(&mut self, step: Step) {
        self.current.push(step);
    }

    /// Time passes; the next step happens `hours` later (0: at the same moment).
    fn wait(&mut self, hours: i64) {
        if hours <= 0 {
            return;
        }
        if self.current.is_empty() {
            if let Some(last) = self.moments.last_mut() {
                last.gap_hours += hours;
            }
            return;
        }
        let steps = std::mem::take(&mut self.current);
        self.moments.push(Moment {
            steps,
            gap_hours: hours,
        });
    }

    fn elapsed(&self) -> i64 {
        self.moments.iter().map(|m| m.gap_hours).sum()
    }

    /// Ends the life `final_hours` before today.
    fn finish(mut self, final_hours: i64) -> Vec<Moment> {
        self.wait(final_hours.max(0));
        if !self.current.is_empty() {
            let steps = std::mem::take(&mut self.current);
            self.moments.push(Moment {
                steps,
                gap_hours: 0,
            });
        }
        self.moments
    }

    /// Ends the life so that it began about `lo..=hi` days ago (never less than a few hours
    /// after the last step).
    fn finish_aged(self, rng: &mut Rng, lo: i64, hi: i64) -> Vec<Moment> {
        let target = days(rng, lo, hi);
        let rest = (target - self.elapsed()).max(rng.range(2, 72));
        self.finish(rest)
    }
}

/// A random span of `lo..=hi` days, in hours.
fn days(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    rng.range(lo * 24, hi * 24)
}

/// Hours until IT first responds: usually within the urgency's target, sometimes well after it.
fn first_response_hours(urgency: Urgency, rng: &mut Rng) -> i64 {
    let target = urgency.target_response_days() * 24 * 7 / 5;
    if rng.chance(82) {
        rng.range(1, target)
    } else {
        rng.range(target + 1, target * 2)
    }
}

/// The moments of one request's life, from submission to today.
fn life(plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    let mut t = Timeline::new();
    t.then(Step::Submit);
    if plan.fate == Fate::Submitted {
        return t.finish(rng.range(1, 96));
    }
    t.wait(first_response_hours(plan.urgency, rng));
    t.then(Step::Triage);
    if plan.fate == Fate::Understanding {
        if rng.chance(45) {
            t.wait(days(rng, 3, 8));
            t.then(Step::Attempt {
                note: rng.below(data().attempt_notes.len()),
            });
            return t.finish(days(rng, 1, 12));
        }
        return t.finish(days(rng, 1, 20));
    }
    // A few requesters never answer: IT records its attempt and, after the configured ten working
    // days, decides without them.
    let decided = matches!(
        plan.fate,
        Fate::Deferred | Fate::Declined | Fate::Accepted(_)
    );
    if plan.kind != Kind::Project && decided && rng.chance(12) {
        t.wait(days(rng, 3, 8));
        t.then(Step::Attempt {
            note: rng.below(data().attempt_notes.len()),
        });
        t.wait(days(rng, 15, 22));
    } else {
        t.wait(rng.range(2, 6 * 24));
        t.then(if rng.chance(20) {
            Step::Correct {
                text: rng.below(data().corrections.len()),
            }
        } else {
            Step::Confirm
        });
    }
    let mut moments = if plan.kind == Kind::Project {
        project_life(t, plan, rng)
    } else {
        service_life(t, plan, rng)
    };
    // Keep the history within a year: squeeze every gap in proportion.
    let total: i64 = moments.iter().map(|m| m.gap_hours).sum();
    if total > MAX_AGE_HOURS {
        for m in &mut moments {
            if m.gap_hours > 0 {
                m.gap_hours = (m.gap_hours * MAX_AGE_HOURS / total).max(1);
            }
        }
    }
    moments
}

fn defer(rng: &mut Rng) -> Step {
    let future = rng.chance(80);
    Step::Decide(Verdict::Defer {
        days: if future {
            rng.range(14, 120)
        } else {
            rng.range(30, 75)
        },
        future,
        note: rng.below(data().defer_notes.len()),
    })
}

fn answer(t: &mut Timeline, rng: &mut Rng) {
    if rng.chance(50) {
        t.wait(days(rng, 2, 14));
        t.then(Step::Answer {
            taken_up: rng.chance(60),
        });
    }
}

/// After the need is understood: the service lane's decision and delivery.
fn service_life(mut t: Timeline, plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    match plan.fate {
        Fate::Deferred => {
            t.wait(days(rng, 2, 20));
            t.then(defer(rng));
            t.finish_aged(rng, 30, 300)
        }
        Fate::Declined => {
            t.wait(days(rng, 1, 15));
            t.then(Step::Decide(Verdict::Decline));
            answer(&mut t, rng);
            t.finish_aged(rng, 15, 340)
        }
        Fate::Accepted(steps) => {
            // Small requests are often accepted the moment the need is confirmed.
            if !rng.chance(40) {
                t.wait(days(rng, 1, 10));
            }
            t.then(Step::Decide(Verdict::Accept));
            if steps >= 1 {
                if !rng.chance(50) {
                    t.wait(days(rng, 1, 14));
                }
                t.then(Step::Advance);
            }
            if steps >= 2 {
                t.wait(days(rng, 5, 60));
                t.then(Step::Advance);
            }
            if steps >= 3 {
                if rng.chance(50) {
                    t.wait(days(rng, 1, 10));
                }
                t.then(Step::Advance);
            }
            let (lo, hi) = match steps {
                0 => (5, 60),
                1 => (20, 150),
                2 => (45, 300),
                _ => (60, 355),
            };
            t.finish_aged(rng, lo, hi)
        }
        _ => t.finish(days(rng, 1, 12)),
    }
}

/// After the need is understood: champion, business case, sign-off, decision, delivery, benefits.
fn project_life(mut t: Timeline, plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    let stage = plan.stage.unwrap_or(Stage::Signed);
    t.wait(days(rng, 3, 25));
    t.then(Step::Champion);
    if stage == Stage::Championed {
        return t.finish(days(rng, 2, 30));
    }
    t.wait(days(rng, 10, 40));
    t.then(Step::SaveCase { it_pct: 100 });
    if plan.fate == Fate::Declined {
        t.wait(days(rng, 5, 20));
        t.then(Step::Decide(Verdict::Decline));
        answer(&mut t, rng);
        return t.finish_aged(rng, 40, 330);
    }
    if stage != Stage::Costed {
        if !rng.chance(50) {
            t.wait(days(rng, 2, 12));
        }
        t.then(Step::SignOff);
    }
    let lapse = |t: &mut Timeline, rng: &mut Rng| {
        if stage == Stage::Lapsed {
            t.wait(days(rng, 10, 45));
            t.then(Step::SaveCase {
                it_pct: rng.range(115, 130),
            });
        }
    };
    match plan.fate {
        Fate::Deferred => {
            t.wait(days(rng, 5, 25));
            t.then(defer(rng));
            t.finish_aged(rng, 60, 330)
        }
        Fate::Accepted(steps) => {
            t.wait(days(rng, 3, 21));
            t.then(Step::Decide(Verdict::Accept));
            if steps >= 1 {
                t.wait(days(rng, 5, 30));
                t.then(Step::Advance);
            }
            if steps >= 2 {
                t.wait(days(rng, 40, 120));
                t.then(Step::Advance);
                t.wait(days(rng, 30, 90));
                t.then(Step::Benefit {
                    year: 1,
                    pct: rng.range(60, 120),
                });
            }
            if steps >= 3 {
                t.wait(days(rng, 30, 90));
                t.then(Step::Benefit {
                    year: 2,
                    pct: rng.range(60, 120),
                });
                t.then(Step::Advance);
            }
            if steps >= 4 {
                t.wait(days(rng, 14, 60));
                t.then(Step::Advance);
            }
            lapse(&mut t, rng);
            let (lo, hi) = match steps {
                0 => (40, 150),
                1 => (80, 300),
                _ => (200, 355),
            };
            t.finish_aged(rng, lo, hi)
        }
        _ => {
            lapse(&mut t, rng);
            t.finish(days(rng, 1, 30))
        }
    }
}

/// Thousands of the major unit, scaled by percentages, in minor units rounded to 100.00.
fn amount(thousands: i64, pcts: &[i64]) -> i64 {
    let mut minor = thousands * 100_000;
    for p in pcts {
        minor = minor * p / 100;
    }
    (minor + 5_000) / 10_000 * 10_000
}

/// The business case of a project: IT one-off in year 0, IT recurring and benefits in years
/// 1..=horizon (benefits ramp up over the first two years and then grow 3 % a year), other
/// costs in year 0. `it_pct` scales IT's costs (100 for the first estimate).
fn build_case(project: &Project, plan: &CasePlan, it_pct: i64) -> anyhow::Result<BusinessCase> {
    let scale = plan.scale_pct;
    let mut flows = vec![CashFlow {
        year: 0,
        kind: FlowKind::ItOneOff,
        amount: Money(amount(project.it_one_off, &[scale, it_pct])),
    }];
    if project.other_cost > 0 {
        flows.push(CashFlow {
            year: 0,
            kind: FlowKind::OtherCost,
            amount: Money(amount(project.other_cost, &[scale])),
        });
    }
    for year in 1..=plan.horizon {
        flows.push(CashFlow {
            year,
            kind: FlowKind::ItRecurring,
            amount: Money(amount(project.it_yearly, &[scale, it_pct])),
        });
        let ramp = match year {
            1 => 50,
            2 => 85,
            y => 100 + 3 * (i64::from(y) - 3),
        };
        for b in &project.benefits {
            flows.push(CashFlow {
                year,
                kind: b.kind,
                amount: Money(amount(b.thousands, &[scale, ramp])),
            });
        }
    }
    BusinessCase::new(plan.horizon, plan.rate, flows)
        .map_err(|e| anyhow!("demo business case: {e:?}"))
}

/// Benefits the case expects in `year`, minor units.
fn expected_benefit(case: &BusinessCase, year: u32) -> i64 {
    case.flows
        .iter()
        .filter(|f| f.year == year && !f.kind.is_cost())
        .map(|f| f.amount.0)
        .sum()
}

/// The index the two draws pick in a pool of `len`: the smaller of the two, so the first people
/// in a pool raise more requests than the rest.
fn pick_skewed(draw: (usize, usize), len: usize) -> usize {
    if len == 0 {
        0
    } else {
        (draw.0 % len).min(draw.1 % len)
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
    duet_store::portfolio::update_settings(db, budget.max(1_000_000), capacity, 10.0, 10).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use duet_core::requests::{DecisionFields, Lane, Status, parse_need, signoff_holds};
    use std::collections::HashSet;

    fn all_asks() -> Vec<(&'static str, &'static Ask)> {
        let mut out = Vec::new();
        for d in &data().departments {
            out.extend(d.asks.iter().map(|a| (d.name.as_str(), a)));
            out.extend(d.refusals.iter().map(|r| (d.name.as_str(), &r.ask)));
            out.extend(d.projects.iter().map(|p| (d.name.as_str(), &p.ask)));
        }
        out
    }

    fn variants(ask: &Ask) -> Vec<&str> {
        if ask.variants.is_empty() {
            vec![""]
        } else {
            ask.variants.iter().map(String::as_str).collect()
        }
    }

    #[test]
    fn the_content_file_loads_and_is_complete() {
        let c = CONTENT.get().unwrap();
        assert!(!c.goals.is_empty() && !c.portfolio_declines.is_empty());
        assert!(
            !c.defer_notes.is_empty() && !c.corrections.is_empty() && !c.attempt_notes.is_empty()
        );
        assert!(
            c.departments
                .iter()
                .all(|d| !d.asks.is_empty() && !d.name.is_empty())
        );
    }

    #[test]
    fn every_template_makes_a_valid_request_and_need() {
        for (dept, ask) in all_asks() {
            let texts = [
                &ask.title,
                &ask.problem,
                &ask.affected,
                &ask.outcome,
                &ask.need,
            ];
            if ask.variants.is_empty() {
                assert!(
                    texts.iter().all(|t| !t.contains("{v}")),
                    "{dept}: {}",
                    ask.title
                );
            } else {
                assert!(
                    ask.title.contains("{v}"),
                    "{dept}: variants need a slot in the title: {}",
                    ask.title
                );
            }
            for v in variants(ask) {
                let input = RequestInput::parse(
                    &fill(&ask.title, v),
                    &fill(&ask.problem, v),
                    &fill(&ask.affected, v),
                    &fill(&ask.outcome, v),
                    Some(1),
                    "normal",
                    "",
                );
                assert!(input.is_ok(), "{dept}: {} ({v}): {input:?}", ask.title);
                let need = fill(&ask.need, v);
                assert!(parse_need(&need).is_ok(), "{need}");
                for c in &data().corrections {
                    assert!(parse_need(&format!("{need} {c}")).is_ok());
                }
                assert!(!fill(&ask.problem, v).contains('{'), "{}", ask.problem);
            }
        }
    }

    #[test]
    fn every_decline_offers_a_safe_alternative_and_security_ones_name_the_risk() {
        let mut security = 0;
        let mut total = 0;
        for d in &data().departments {
            for r in &d.refusals {
                for v in variants(&r.ask) {
                    let Decision::Decline {
                        reason,
                        note,
                        alternatives,
                        security_risk,
                        security_yes_if,
                    } = decline_of(r.reason, &r.note, &r.alternatives, r.security.as_ref(), v)
                    else {
                        panic!("not a decline");
                    };
                    // The same decision must pass the rules a user's form goes through.
                    let fields = DecisionFields {
                        decision: "decline",
                        until: "",
                        note: &note,
                        reason: reason.as_str(),
                        alternatives: alternatives
                            .iter()
                            .map(|a| (a.kind.as_str(), a.description.as_str()))
                            .collect(),
                        security_risk: security_risk.as_deref().unwrap_or(""),
                        security_yes_if: security_yes_if.as_deref().unwrap_or(""),
                    };
                    assert!(
                        Decision::parse(&fields).is_ok(),
                        "{}: {:?}",
                        r.ask.title,
                        Decision::parse(&fields)
                    );
                    assert!((1..=2).contains(&alternatives.len()), "{}", r.ask.title);
                    assert_eq!(
                        reason == DeclineReason::Security,
                        r.security.is_some(),
                        "{}",
                        r.ask.title
                    );
                    total += 1;
                    security += usize::from(reason == DeclineReason::Security);
                }
            }
        }
        assert!(
            security * 3 >= total,
            "{security} of {total} templates are security declines"
        );
        for d in &data().portfolio_declines {
            assert_ne!(d.reason, DeclineReason::Security);
            assert!(!d.note.is_empty() && !d.alternatives.is_empty());
        }
    }

    #[test]
    fn the_plan_is_deterministic() {
        assert_eq!(plan_history(), plan_history());
    }

    #[test]
    fn the_outcome_mix_follows_the_brief() {
        let plans = plan_history();
        let n = plans.len() as f64;
        assert_eq!(plans.len(), REQUESTS);
        let share = |f: &dyn Fn(&Plan) -> bool| plans.iter().filter(|p| f(p)).count() as f64 / n;
        let open = share(&|p| matches!(p.fate, Fate::Submitted | Fate::Understanding));
        let accepted = share(&|p| matches!(p.fate, Fate::Accepted(_)));
        let deferred = share(&|p| p.fate == Fate::Deferred);
        let declined = share(&|p| p.fate == Fate::Declined);
        assert!((0.13..=0.17).contains(&open), "open {open}");
        assert!((0.43..=0.47).contains(&accepted), "accepted {accepted}");
        assert!((0.08..=0.12).contains(&deferred), "deferred {deferred}");
        assert!((0.18..=0.22).contains(&declined), "declined {declined}");
        let with_attempt = plans
            .iter()
            .filter(|p| {
                p.fate == Fate::Understanding && p.has(|s| matches!(s, Step::Attempt { .. }))
            })
            .count();
        assert!(
            with_attempt >= 5,
            "{with_attempt} open requests with an attempt"
        );

        let projects: Vec<&Plan> = plans.iter().filter(|p| p.kind == Kind::Project).collect();
        assert_eq!(projects.len(), PORTFOLIO);
        let accepted_projects = projects
            .iter()
            .filter(|p| matches!(p.fate, Fate::Accepted(_)))
            .count();
        assert!((PORTFOLIO * 45 / 100..=PORTFOLIO * 55 / 100).contains(&accepted_projects));
        let lapsed = projects
            .iter()
            .filter(|p| p.stage == Some(Stage::Lapsed))
            .count();
        assert_eq!(lapsed, LAPSED);
        let delivered = projects
            .iter()
            .filter(|p| matches!(p.fate, Fate::Accepted(2..)))
            .count();
        assert!(delivered >= 10, "{delivered} delivered portfolio items");

        let declines: Vec<Decision> = plans
            .iter()
            .filter(|p| p.fate == Fate::Declined)
            .map(Plan::decline)
            .collect();
        let security = declines
            .iter()
            .filter(|d| {
                matches!(
                    d,
                    Decision::Decline {
                        reason: DeclineReason::Security,
                        ..
                    }
                )
            })
            .count() as f64
            / declines.len() as f64;
        assert!(
            (0.25..=0.45).contains(&security),
            "security share of declines {security}"
        );
        let answered = plans
            .iter()
            .filter(|p| p.fate == Fate::Declined && p.has(|s| matches!(s, Step::Answer { .. })))
            .count() as f64
            / declines.len() as f64;
        assert!((0.35..=0.65).contains(&answered), "answered {answered}");
    }

    #[test]
    fn the_urgency_mix_follows_the_brief() {
        let plans = plan_history();
        let share = |u: Urgency| {
            plans.iter().filter(|p| p.urgency == u).count() as f64 / plans.len() as f64
        };
        assert!((0.09..=0.11).contains(&share(Urgency::Critical)));
        assert!((0.24..=0.26).contains(&share(Urgency::High)));
        assert!((0.44..=0.46).contains(&share(Urgency::Normal)));
        assert!((0.19..=0.21).contains(&share(Urgency::Low)));
    }

    #[test]
    fn titles_rarely_repeat_and_every_department_takes_part() {
        let plans = plan_history();
        let titles: HashSet<String> = plans.iter().map(Plan::title).collect();
        assert!(
            titles.len() * 100 >= plans.len() * 90,
            "{} distinct titles in {}",
            titles.len(),
            plans.len()
        );
        for (d, content) in data().departments.iter().enumerate() {
            assert!(plans.iter().any(|p| p.dept == d), "{}", content.name);
        }
        assert!(
            plans
                .iter()
                .filter(|p| data().departments[p.dept].name == "IT")
                .count()
                >= 3
        );
    }

    #[test]
    fn the_history_spans_about_a_year_oldest_first() {
        let plans = plan_history();
        let ages: Vec<i64> = plans.iter().map(Plan::age_hours).collect();
        assert!(ages.windows(2).all(|w| w[0] >= w[1]), "oldest first");
        assert!(ages[0] <= MAX_AGE_HOURS + 24 * 7, "{}", ages[0] / 24);
        assert!(ages[0] >= 300 * 24, "{}", ages[0] / 24);
        let recent = ages.iter().filter(|a| **a < 30 * 24).count();
        assert!(recent >= 20, "{recent} requests from the last month");
        for p in &plans {
            assert!(
                p.moments
                    .iter()
                    .all(|m| !m.steps.is_empty() && m.gap_hours >= 0)
            );
            assert_eq!(
                p.moments.first().and_then(|m| m.steps.first()),
                Some(&Step::Submit)
            );
        }
    }

    /// Replays a plan against the store's rules (statuses, lanes, sign-off) without a database.
    fn simulate(plan: &Plan) -> Result<(Status, Lane), String> {
        let mut status: Option<Status> = None;
        let mut lane = Lane::Service;
        let mut cost: Option<i64> = None;
        let mut signed: Option<i64> = None;
        let mut attempt_at: Option<i64> = None;
        let mut elapsed = 0;
        let holds = |signed: Option<i64>, cost: Option<i64>| match (signed, cost) {
            (Some(s), Some(c)) => signoff_holds(s, c, 10.0),
            _ => false,
        };
        for m in &plan.moments {
            for step in &m.steps {
                let s = status;
                let bad = || format!("{step:?} while {s:?} ({})", plan.title());
                status = Some(match (*step, status) {
                    (Step::Submit, None) => Status::Submitted,
                    (Step::Triage, Some(Status::Submitted)) => Status::Understanding,
                    (Step::Attempt { .. }, Some(Status::Understanding)) => {
                        attempt_at = Some(elapsed);
                        Status::Understanding
                    }
                    (Step::Confirm | Step::Correct { .. }, Some(Status::Understanding)) => {
                        Status::NeedConfirmed
                    }
                    (Step::Champion, Some(st))
                        if !matches!(st, Status::Declined | Status::Closed) =>
                    {
                        lane = Lane::Portfolio;
                        st
                    }
                    (Step::SaveCase { it_pct }, Some(st))
                        if lane == Lane::Portfolio
                            && !matches!(st, Status::Declined | Status::Closed) =>
                    {
                        cost = Some(it_pct);
                        st
                    }
                    (Step::SignOff, Some(st)) if cost.is_some() => {
                        signed = cost;
                        st
                    }
                    (Step::Decide(v), Some(st)) => {
                        let understood = st == Status::NeedConfirmed
                            || (st == Status::Understanding
                                && attempt_at.is_some_and(|a| elapsed - a >= 14 * 24));
                        if !understood {
                            return Err(bad());
                        }
                        match v {
                            Verdict::Accept if lane == Lane::Portfolio && !holds(signed, cost) => {
                                return Err(bad());
                            }
                            Verdict::Accept => Status::Accepted,
                            Verdict::Defer { .. } => Status::Deferred,
                            Verdict::Decline => Status::Declined,
                        }
                    }
                    (Step::Answer { .. }, Some(Status::Declined)) => Status::Declined,
                    (Step::Advance, Some(st)) => {
                        if lane == Lane::Portfolio && !holds(signed, cost) {
                            return Err(bad());
                        }
                        next_delivery_status(st, lane).ok_or_else(bad)?
                    }
                    (Step::Benefit { year, .. }, Some(st))
                        if matches!(
                            st,
                            Status::Delivered | Status::BenefitsRealised | Status::Closed
                        ) && plan.case.as_ref().is_some_and(|c| year <= c.horizon) =>
                    {
                        st
                    }
                    _ => return Err(bad()),
                });
            }
            // Time passes after the moment; the attempt's wait is measured across it.
            elapsed += m.gap_hours;
        }
        status
            .map(|s| (s, lane))
            .ok_or_else(|| "never submitted".to_string())
    }

    #[test]
    fn every_life_follows_the_store_rules_and_ends_where_planned() {
        for plan in plan_history() {
            let (status, lane) = simulate(&plan).unwrap_or_else(|e| panic!("{e}"));
            let expected = match plan.fate {
                Fate::Submitted => Status::Submitted,
                Fate::Understanding => Status::Understanding,
                Fate::Waiting => Status::NeedConfirmed,
                Fate::Deferred => Status::Deferred,
                Fate::Declined => Status::Declined,
                Fate::Accepted(steps) => {
                    let mut s = Status::Accepted;
                    for _ in 0..steps {
                        s = next_delivery_status(s, lane).unwrap();
                    }
                    s
                }
            };
            assert_eq!(status, expected, "{}", plan.title());
            assert_eq!(
                lane == Lane::Portfolio,
                plan.kind == Kind::Project,
                "{}",
                plan.title()
            );
        }
    }

    #[test]
    fn business_cases_are_plausible_and_rises_lapse_the_sign_off() {
        let plans = plan_history();
        let mut npv_signs = (0, 0);
        for plan in plans.iter().filter(|p| p.kind == Kind::Project) {
            let (project, c) = (plan.project().unwrap(), plan.case.as_ref().unwrap());
            assert!((3..=7).contains(&c.horizon));
            assert!((0.06..=0.12).contains(&c.rate));
            assert!((20..=600).contains(&c.person_days));
            assert!(c.goals.len() <= 3 && c.goals.iter().all(|g| *g < data().goals.len()));
            let case = build_case(project, c, 100).unwrap();
            let one_off: i64 = case
                .flows
                .iter()
                .filter(|f| f.kind == FlowKind::ItOneOff)
                .map(|f| f.amount.0)
                .sum();
            assert!(
                (5_000_000..=250_000_000).contains(&one_off),
                "{}: {one_off}",
                plan.title()
            );
            if case.evaluate().npv > 0.0 {
                npv_signs.0 += 1;
            } else {
                npv_signs.1 += 1;
            }
            for m in &plan.moments {
                for step in &m.steps {
                    if let Step::SaveCase { it_pct } = step {
                        let again = build_case(project, c, *it_pct).unwrap();
                        let holds = signoff_holds(case.it_cost().0, again.it_cost().0, 10.0);
                        assert_eq!(holds, *it_pct == 100, "{}", plan.title());
                    }
                    if let Step::Benefit { year, .. } = step {
                        assert!(expected_benefit(&case, *year) > 0);
                    }
                }
            }
        }
        assert!(
            npv_signs.0 > npv_signs.1 && npv_signs.1 > 0,
            "positive/negative NPVs {npv_signs:?}"
        );
    }

    #[test]
    fn seeding_stays_within_the_store_call_budget() {
        let calls: usize = plan_history().iter().map(Plan::store_calls).sum();
        // Member accounts, an executive per department and the IT team managers.
        let accounts: usize = data().departments.iter().map(|d| d.members).sum::<usize>()
            + data().departments.len()
            + Team::ALL.len();
        let total = calls + accounts + data().goals.len() + SETUP_CALLS;
        assert!(total <= CALL_BUDGET, "{total} store calls");
    }

    #[test]
    fn the_member_sign_in_has_one_request_of_each_kind_and_a_need_to_confirm_today() {
        let plans = plan_history();
        let lit: Vec<&Plan> = plans.iter().filter(|p| p.spotlight).collect();
        assert_eq!(lit.len(), 4);
        assert!(
            lit.iter()
                .all(|p| data().departments[p.dept].name == SPOTLIGHT_DEPT)
        );
        let waiting = lit.iter().find(|p| p.fate == Fate::Understanding).unwrap();
        assert_eq!(waiting.moments.last().map(|m| m.gap_hours), Some(0));
        assert!(lit.iter().any(|p| p.fate == Fate::Declined));
    }

    #[test]
    fn apportion_adds_up_and_follows_the_weights() {
        assert_eq!(apportion(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0, 5]), vec![0, 7]);
        assert_eq!(apportion(5, &[0, 0]), vec![0, 0]);
        for total in 0..50 {
            assert_eq!(
                apportion(total, &[15, 25, 20, 40]).iter().sum::<usize>(),
                total
            );
        }
    }

    #[test]
    fn fill_substitutes_and_capitalises() {
        assert_eq!(
            fill("{v} need access", "new analysts"),
            "New analysts need access"
        );
        assert_eq!(
            fill("Use Canva for {v}", "social posts"),
            "Use Canva for social posts"
        );
        assert_eq!(fill("", "x"), "");
    }

    #[test]
    fn the_skewed_pick_favours_the_front_of_the_pool() {
        let mut rng = Rng::new(7);
        let mut counts = [0; 10];
        for _ in 0..10_000 {
            counts[pick_skewed((rng.below(1 << 20), rng.below(1 << 20)), 10)] += 1;
        }
        assert!(counts[0] > counts[9] * 5, "{counts:?}");
        assert_eq!(pick_skewed((3, 4), 0), 0);
    }

    #[test]
    fn team_names_match_the_standard_teams() {
        for t in Team::ALL {
            assert!(rq::STANDARD_TEAMS.contains(&t.name()), "{}", t.name());
        }
    }
}
