//! `cargo bench -p duet-core --bench rotation`: issue 15's matching target — 2,000 applicants to
//! 500 placements with capacities and team caps, solved exactly, in under 2 s. Each applicant
//! ranks five host departments (of 50, ten placements each, one to three guests) and may take
//! any placement there; teams of ten may have two or three away at once. Prints the median and
//! the slowest of 7 runs, and how many were placed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::rotation::matching::{Applicant, Choice, Fit, Problem, solve};
use std::time::{Duration, Instant};

fn main() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let departments = 50;
    let per_department = 10;
    let capacities: Vec<u32> = (0..departments * per_department)
        .map(|_| 1 + next(3) as u32)
        .collect();
    let teams = 200;
    let team_caps: Vec<u32> = (0..teams).map(|_| 2 + next(2) as u32).collect();
    let weak: Vec<f64> = (0..departments).map(|_| next(100) as f64 / 100.0).collect();
    let applicants: Vec<Applicant> = (0..2000)
        .map(|i| {
            let mut hosts: Vec<usize> = Vec::new();
            while hosts.len() < 5 {
                let d = next(departments as u64) as usize;
                if !hosts.contains(&d) {
                    hosts.push(d);
                }
            }
            let choices = hosts
                .iter()
                .enumerate()
                .flat_map(|(rank, d)| {
                    let w = weak[*d];
                    (0..per_department).map(move |k| (rank, d * per_department + k, w))
                })
                .map(|(rank, placement, w)| Choice {
                    placement,
                    fit: Fit {
                        preference: (5 - rank) as f64 / 5.0,
                        skills: next(1000) as f64 / 1000.0,
                        relationship: w * 0.5,
                    },
                })
                .collect();
            Applicant {
                team: i % teams,
                choices,
            }
        })
        .collect();
    let p = Problem {
        applicants,
        capacities,
        team_caps,
    };
    let mut runs: Vec<Duration> = Vec::new();
    let mut placed = 0;
    let mut total = 0.0;
    for _ in 0..7 {
        let start = Instant::now();
        let m = solve(&p).unwrap();
        runs.push(start.elapsed());
        placed = m.placed.iter().filter(|x| x.is_some()).count();
        total = m.total;
    }
    runs.sort();
    println!(
        "matching 2,000 applicants to 500 placements (capacity {}, team caps {}): median {:?}, slowest {:?} (target < 2 s); {placed} placed, total fit {total:.3}",
        p.capacities.iter().sum::<u32>(),
        p.team_caps.iter().sum::<u32>(),
        runs[runs.len() / 2],
        runs[runs.len() - 1]
    );
}
