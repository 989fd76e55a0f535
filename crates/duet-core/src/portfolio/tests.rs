//! The portfolio's unit and property tests.

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
