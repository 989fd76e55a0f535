//! Tests of the plan and the content.

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
    assert!(!c.defer_notes.is_empty() && !c.corrections.is_empty() && !c.attempt_notes.is_empty());
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
        .filter(|p| p.fate == Fate::Understanding && p.has(|s| matches!(s, Step::Attempt { .. })))
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
    let share =
        |u: Urgency| plans.iter().filter(|p| p.urgency == u).count() as f64 / plans.len() as f64;
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
                (Step::Champion, Some(st)) if !matches!(st, Status::Declined | Status::Closed) => {
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
