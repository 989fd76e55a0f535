//! `cargo bench -p duet-core --bench meet`: drafting the agenda of a department with 24 months
//! of history — 100 metrics, 5,000 promises, 2,000 requests (target < 20 ms).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate};
use duet_core::metrics::{Direction, Period};
use duet_core::reviews::agenda::{AgendaMetric, AgendaPromise, AgendaRequest, draft};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let statuses = [
        "submitted",
        "understanding",
        "accepted",
        "in_delivery",
        "delivered",
        "declined",
        "closed",
        "deferred",
    ];
    let requests: Vec<AgendaRequest> = (0..2000)
        .map(|i| AgendaRequest {
            id: i,
            title: format!("Request {i}"),
            status: statuses[(i % 8) as usize].into(),
            changed_on: today - Duration::days(i % 730),
        })
        .collect();
    let pstat = ["open", "kept", "kept", "broken"];
    let promises: Vec<AgendaPromise> = (0..5000)
        .map(|i| {
            let due = today - Duration::days(i % 730) + Duration::days(20);
            AgendaPromise {
                id: i,
                text: format!("Promise {i}"),
                by_it: i % 2 == 0,
                status: pstat[(i % 4) as usize].into(),
                due_on: due,
                closed_on: (i % 4 != 0).then(|| due - Duration::days(i % 5) + Duration::days(2)),
            }
        })
        .collect();
    let now = Period::of(today);
    let metrics: Vec<AgendaMetric> = (0..100)
        .map(|i| AgendaMetric {
            id: i,
            name: format!("Metric {i}"),
            unit: "%".into(),
            target: Some(95.0),
            direction: if i % 2 == 0 {
                Direction::HigherBetter
            } else {
                Direction::LowerBetter
            },
            values: (0..24)
                .rev()
                .map(|b| (now.minus(b), 90.0 + ((i + i64::from(b)) % 10) as f64))
                .collect(),
            care: i % 6,
        })
        .collect();
    let mut samples = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        black_box(draft(
            "Sales",
            today - Duration::days(30),
            today,
            today,
            black_box(&requests),
            &promises,
            &metrics,
        ));
        samples.push(start.elapsed());
    }
    samples.sort();
    println!(
        "{:<48} median {:>10.3?}  p95 {:>10.3?}  (target < 20 ms)",
        "agenda draft, 24 months (100/5,000/2,000)",
        samples[samples.len() / 2],
        samples[samples.len() * 95 / 100]
    );
}
