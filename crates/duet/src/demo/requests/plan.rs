//! The plan of every demo request's life: pure and deterministic (and tested).

use super::*;

// ---------------------------------------------------------------------------------------------
// The plan: pure and deterministic
// ---------------------------------------------------------------------------------------------

/// Which template list a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A service-lane request IT accepts, defers or is still understanding.
    Service,
    /// A service-lane request IT declines with alternatives.
    Refused,
    /// Work an executive champions into the portfolio.
    Project,
}

/// Where a request's life ends up today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
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
pub(super) enum Stage {
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
pub(super) enum Verdict {
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
pub(super) enum Step {
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
    pub(super) fn calls(self) -> usize {
        match self {
            Step::Triage | Step::Answer { .. } => 2,
            _ => 1,
        }
    }
}

/// Steps taken at the same moment, then the time that passes before the next moment (or, for the
/// last one, before today).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Moment {
    pub(super) steps: Vec<Step>,
    pub(super) gap_hours: i64,
}

/// A business case's parameters for one portfolio item.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CasePlan {
    pub(super) horizon: u32,
    pub(super) rate: f64,
    /// The project's amounts scaled by this percentage.
    pub(super) scale_pct: i64,
    pub(super) risk: Risk,
    pub(super) person_days: i64,
    /// Indexes into [`data().goals`].
    pub(super) goals: Vec<usize>,
}

/// One request's whole life, before any store call.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Plan {
    /// Index into [`data().departments`].
    pub(super) dept: usize,
    pub(super) kind: Kind,
    pub(super) template: usize,
    pub(super) variant: usize,
    pub(super) urgency: Urgency,
    pub(super) fate: Fate,
    pub(super) stage: Option<Stage>,
    /// Two draws; the requester is the smaller of them modulo the pool, so a few people raise
    /// more requests than most.
    pub(super) requester_draw: (usize, usize),
    /// Days after submission the requester needs it by, if they said.
    pub(super) needed_in_days: Option<i64>,
    /// The CIO triages this one herself instead of the team's manager.
    pub(super) cio_triages: bool,
    /// Index into [`data().portfolio_declines`].
    pub(super) portfolio_decline: usize,
    /// Raised by the first member of the department's pool: the demo's member sign-in.
    pub(super) spotlight: bool,
    pub(super) case: Option<CasePlan>,
    pub(super) moments: Vec<Moment>,
}

impl Plan {
    pub(super) fn ask(&self) -> Option<&'static Ask> {
        let d = data().departments.get(self.dept)?;
        match self.kind {
            Kind::Service => d.asks.get(self.template),
            Kind::Refused => d.refusals.get(self.template).map(|r| &r.ask),
            Kind::Project => d.projects.get(self.template).map(|p| &p.ask),
        }
    }

    pub(super) fn project(&self) -> Option<&'static Project> {
        match self.kind {
            Kind::Project => data()
                .departments
                .get(self.dept)?
                .projects
                .get(self.template),
            _ => None,
        }
    }

    pub(super) fn variant_text(&self) -> &'static str {
        self.ask()
            .and_then(|a| a.variants.get(self.variant))
            .map_or("", String::as_str)
    }

    pub(super) fn title(&self) -> String {
        self.ask()
            .map(|a| fill(&a.title, self.variant_text()))
            .unwrap_or_default()
    }

    /// Hours from submission to today.
    pub(super) fn age_hours(&self) -> i64 {
        self.moments.iter().map(|m| m.gap_hours).sum()
    }

    /// Store calls replaying the plan makes (each gap is one `shift_history`).
    pub(super) fn store_calls(&self) -> usize {
        self.moments
            .iter()
            .map(|m| {
                usize::from(m.gap_hours > 0) + m.steps.iter().map(|s| s.calls()).sum::<usize>()
            })
            .sum()
    }

    pub(super) fn has(&self, want: impl Fn(&Step) -> bool) -> bool {
        self.moments.iter().flat_map(|m| &m.steps).any(want)
    }

    /// The decline IT gives, with its alternatives.
    pub(super) fn decline(&self) -> Decision {
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
pub(super) fn decline_of(
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
pub(super) fn fill(template: &str, variant: &str) -> String {
    let text = template.replace("{v}", variant);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// `percent` % of `n`, rounded.
pub(super) fn pct(n: usize, percent: usize) -> usize {
    (n * percent + 50) / 100
}

/// Splits `total` in proportion to `weights` (largest remainder), so the parts add up exactly.
pub(super) fn apportion(total: usize, weights: &[usize]) -> Vec<usize> {
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
pub(super) fn repeat<T: Copy>(items: &[T], counts: &[usize]) -> Vec<T> {
    items
        .iter()
        .zip(counts)
        .flat_map(|(item, n)| std::iter::repeat_n(*item, *n))
        .collect()
}

/// Plans the whole history: which department raises what, with which urgency, and how each
/// request's life unfolds. Pure: the same plan every time.
pub(super) fn plan_history() -> Vec<Plan> {
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
pub(super) fn take_cycled<T: Copy>(items: &[T], n: usize) -> Vec<T> {
    items
        .iter()
        .copied()
        .cycle()
        .take(if items.is_empty() { 0 } else { n })
        .collect()
}

/// The department of the demo's member sign-in.
pub(super) const SPOTLIGHT_DEPT: &str = "Customer Service";

/// Gives the demo's member sign-in a little of everything: a need statement waiting for their
/// confirmation (stated today, so its notification is still unread), a decline whose alternatives
/// they have not answered yet, delivered work and a deferral.
pub(super) fn spotlight(plans: &mut [Plan]) {
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
pub(super) fn template_pairs(dept: usize, kind: Kind) -> Vec<(usize, usize)> {
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
pub(super) fn plan_case(project: &Project, rng: &mut Rng) -> CasePlan {
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

/// Thousands of the major unit, scaled by percentages, in minor units rounded to 100.00.
pub(super) fn amount(thousands: i64, pcts: &[i64]) -> i64 {
    let mut minor = thousands * 100_000;
    for p in pcts {
        minor = minor * p / 100;
    }
    (minor + 5_000) / 10_000 * 10_000
}

/// The business case of a project: IT one-off in year 0, IT recurring and benefits in years
/// 1..=horizon (benefits ramp up over the first two years and then grow 3 % a year), other
/// costs in year 0. `it_pct` scales IT's costs (100 for the first estimate).
pub(super) fn build_case(
    project: &Project,
    plan: &CasePlan,
    it_pct: i64,
) -> anyhow::Result<BusinessCase> {
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
pub(super) fn expected_benefit(case: &BusinessCase, year: u32) -> i64 {
    case.flows
        .iter()
        .filter(|f| f.year == year && !f.kind.is_cost())
        .map(|f| f.amount.0)
        .sum()
}

/// The index the two draws pick in a pool of `len`: the smaller of the two, so the first people
/// in a pool raise more requests than the rest.
pub(super) fn pick_skewed(draw: (usize, usize), len: usize) -> usize {
    if len == 0 {
        0
    } else {
        (draw.0 % len).min(draw.1 % len)
    }
}
