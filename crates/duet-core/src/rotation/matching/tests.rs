//! Tests of `matching`: small cases by hand, and the optimum against every possible matching.

use super::*;
use proptest::prelude::*;

fn fit(total: f64) -> Fit {
    Fit {
        preference: total,
        ..Fit::default()
    }
}

fn choice(placement: usize, total: f64) -> Choice {
    Choice {
        placement,
        fit: fit(total),
    }
}

fn applicant(team: usize, choices: &[(usize, f64)]) -> Applicant {
    Applicant {
        team,
        choices: choices.iter().map(|(x, f)| choice(*x, *f)).collect(),
    }
}

#[test]
fn the_greedy_pick_is_not_always_the_best() {
    // A's best is X (3); B only fits X (2.5). Greedy gives A→X and leaves B out (3); the best
    // is A→Y, B→X (2 + 2.5).
    let p = Problem {
        applicants: vec![
            applicant(0, &[(0, 3.0), (1, 2.0)]),
            applicant(1, &[(0, 2.5)]),
        ],
        capacities: vec![1, 1],
        team_caps: vec![1, 1],
    };
    let m = solve(&p).unwrap();
    assert_eq!(m.placed, vec![Some(1), Some(0)]);
    assert!((m.total - 4.5).abs() < 1e-9);
}

#[test]
fn a_team_cap_keeps_the_team_from_being_emptied() {
    // Three of one team would all fit; the cap lets two go, the two that fit best.
    let p = Problem {
        applicants: vec![
            applicant(0, &[(0, 1.0)]),
            applicant(0, &[(0, 3.0)]),
            applicant(0, &[(0, 2.0)]),
        ],
        capacities: vec![3],
        team_caps: vec![2],
    };
    let m = solve(&p).unwrap();
    assert_eq!(m.placed, vec![None, Some(0), Some(0)]);
    assert!((m.total - 5.0).abs() < 1e-9);
}

#[test]
fn nobody_is_placed_where_the_fit_is_not_positive_and_bad_indexes_are_refused() {
    let p = Problem {
        applicants: vec![applicant(0, &[(0, 0.0), (1, -1.0)])],
        capacities: vec![1, 1],
        team_caps: vec![1],
    };
    assert_eq!(solve(&p).unwrap().placed, vec![None]);
    let bad = Problem {
        applicants: vec![applicant(0, &[(2, 1.0)])],
        capacities: vec![1],
        team_caps: vec![1],
    };
    assert_eq!(solve(&bad).unwrap_err().field, "choices");
    let bad = Problem {
        applicants: vec![applicant(3, &[(0, 1.0)])],
        capacities: vec![1],
        team_caps: vec![1],
    };
    assert_eq!(solve(&bad).unwrap_err().field, "team");
}

#[test]
fn the_owner_pins_and_excludes_pairs_and_the_rest_is_solved_around_them() {
    let p = Problem {
        applicants: vec![
            applicant(0, &[(0, 3.0), (1, 2.0)]),
            applicant(1, &[(0, 2.5), (1, 1.0)]),
        ],
        capacities: vec![1, 1],
        team_caps: vec![1, 1],
    };
    // Unadjusted: A→Y (2), B→X (2.5). Pinning A to X moves B to Y.
    let pin = Adjustments {
        pinned: vec![(0, 0)],
        ..Adjustments::default()
    };
    let m = solve_adjusted(&p, &pin).unwrap();
    assert_eq!(m.placed, vec![Some(0), Some(1)]);
    assert!((m.total - 4.0).abs() < 1e-9);
    // Ruling out B→X leaves X to A, and B takes Y.
    let out = Adjustments {
        excluded: vec![(1, 0)],
        ..Adjustments::default()
    };
    assert_eq!(
        solve_adjusted(&p, &out).unwrap().placed,
        vec![Some(0), Some(1)]
    );
    let full = Adjustments {
        pinned: vec![(0, 0), (1, 0)],
        ..Adjustments::default()
    };
    let e = solve_adjusted(&p, &full).unwrap_err();
    assert_eq!(e.field, "pinned");
    assert!(
        e.message
            .contains("applicant 1 to placement 0: the placement is full"),
        "{}",
        e.message
    );
    let stranger = Adjustments {
        pinned: vec![(0, 5)],
        ..Adjustments::default()
    };
    assert!(
        solve_adjusted(&p, &stranger)
            .unwrap_err()
            .message
            .contains("not among")
    );
}

/// The best total over every matching, by trying them all (small problems only), in thousandths.
fn brute_force(p: &Problem) -> i64 {
    fn go(p: &Problem, a: usize, left: &mut Vec<u32>, team_left: &mut Vec<u32>) -> i64 {
        if a == p.applicants.len() {
            return 0;
        }
        let mut best = go(p, a + 1, left, team_left);
        let t = p.applicants[a].team;
        if team_left[t] == 0 {
            return best;
        }
        for c in &p.applicants[a].choices {
            let gain = (c.fit.total() * 1000.0).round() as i64;
            if gain <= 0 || left[c.placement] == 0 {
                continue;
            }
            left[c.placement] -= 1;
            team_left[t] -= 1;
            best = best.max(gain + go(p, a + 1, left, team_left));
            left[c.placement] += 1;
            team_left[t] += 1;
        }
        best
    }
    go(p, 0, &mut p.capacities.clone(), &mut p.team_caps.clone())
}

fn problems() -> impl Strategy<Value = Problem> {
    (1usize..4, 1usize..4).prop_flat_map(|(placements, teams)| {
        (
            proptest::collection::vec(
                (
                    0..teams,
                    proptest::collection::vec((0..placements, -1000i32..5000), 0..4),
                ),
                0..7,
            ),
            proptest::collection::vec(0u32..3, placements),
            proptest::collection::vec(0u32..3, teams),
        )
            .prop_map(|(applicants, capacities, team_caps)| Problem {
                applicants: applicants
                    .into_iter()
                    .map(|(team, choices)| Applicant {
                        team,
                        choices: choices
                            .into_iter()
                            .map(|(x, f)| choice(x, f64::from(f) / 1000.0))
                            .collect(),
                    })
                    .collect(),
                capacities,
                team_caps,
            })
    })
}

proptest! {
    #[test]
    fn the_matching_is_feasible_and_as_good_as_the_best_of_all(p in problems()) {
        let m = solve(&p).unwrap();
        let mut used = vec![0u32; p.capacities.len()];
        let mut away = vec![0u32; p.team_caps.len()];
        let mut total = 0i64;
        for (a, placed) in m.placed.iter().enumerate() {
            if let Some(x) = placed {
                let c = p.applicants[a].choices.iter().filter(|c| c.placement == *x).map(|c| (c.fit.total() * 1000.0).round() as i64).max();
                prop_assert!(c.is_some_and(|g| g > 0), "placed where they may not go");
                total += c.unwrap_or(0);
                used[*x] += 1;
                away[p.applicants[a].team] += 1;
            }
        }
        prop_assert!(used.iter().zip(&p.capacities).all(|(u, c)| u <= c), "over capacity");
        prop_assert!(away.iter().zip(&p.team_caps).all(|(u, c)| u <= c), "over a team's cap");
        prop_assert_eq!(total, brute_force(&p));
        prop_assert!((m.total - total as f64 / 1000.0).abs() < 1e-9);
    }
}
