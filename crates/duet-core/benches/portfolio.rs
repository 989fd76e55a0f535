//! `cargo bench -p duet-core`: the portfolio's speed targets, measured without a harness
//! dependency. IRR of a 30-year flow (target < 10 µs) and ranking plus the funding line over
//! 10,000 portfolio items (target < 50 ms). Prints the median and the 95th percentile.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::finance::irr;
use duet_core::portfolio::{Candidate, Weights, funding_line, rank};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() * 95 / 100])
}

fn main() {
    // IRR: a 30-year flow with one sign change, and one with three.
    let simple: Vec<f64> = (0..31)
        .map(|t| {
            if t == 0 {
                -1_000_000.0
            } else {
                60_000.0 + 2_500.0 * t as f64
            }
        })
        .collect();
    let mut tricky = simple.clone();
    tricky[10] = -400_000.0;
    tricky[20] = -300_000.0;
    for (name, flows) in [
        ("IRR, 30-year flow, one sign change", &simple),
        ("IRR, 30-year flow, three sign changes", &tricky),
    ] {
        let mut samples = Vec::new();
        for _ in 0..200 {
            let start = Instant::now();
            for _ in 0..1000 {
                black_box(irr(black_box(flows)));
            }
            samples.push(start.elapsed() / 1000);
        }
        let (p50, p95) = percentiles(samples);
        println!(
            "{name:<48} median {:>10.3?}  p95 {:>10.3?}  (target < 10 µs)",
            p50, p95
        );
    }

    // Ranking and funding line over 10,000 items.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 1_000_000) as f64 / 1_000_000.0
    };
    let candidates: Vec<Candidate> = (0..10_000)
        .map(|i| Candidate {
            id: i,
            title: format!("Item {i}"),
            npv: next() * 4_000_000.0 - 500_000.0,
            it_cost: (5_000_000.0 + next() * 200_000_000.0) as i64,
            goal_fit: next(),
            risk: next(),
            urgency: next(),
            person_days: (20.0 + next() * 600.0) as u32,
        })
        .collect();
    let budget: i64 = candidates.iter().map(|c| c.it_cost).sum::<i64>() / 3;
    let capacity: u64 = candidates
        .iter()
        .map(|c| u64::from(c.person_days))
        .sum::<u64>()
        / 3;
    let mut samples = Vec::new();
    for _ in 0..15 {
        let start = Instant::now();
        let scored = rank(black_box(&candidates), &Weights::DEFAULT);
        black_box(funding_line(&candidates, &scored, budget, capacity));
        samples.push(start.elapsed());
    }
    let (p50, p95) = percentiles(samples);
    println!(
        "{:<48} median {:>10.3?}  p95 {:>10.3?}  (target < 50 ms)",
        "rank + funding line, 10,000 items", p50, p95
    );
}
