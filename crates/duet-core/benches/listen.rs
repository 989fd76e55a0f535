//! `cargo bench -p duet-core --bench listen`: the results of a campaign — every aggregate, the
//! anonymity rules, Cronbach's alpha and both heatmaps — over 1,000,000 answers from 20,000
//! respondents (a 50-item instrument), for the whole organisation and for one department.
//! Target: < 200 ms for results plus trend (see bench/listen.sh for the end-to-end figure).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::listen::heatmap::{Heatmap, svg};
use duet_core::listen::instruments::custom;
use duet_core::listen::results::{Response, compute};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    // 5 sections × 10 statements = 50 items; 20,000 respondents = 1,000,000 answers.
    let lines: String = (0..50)
        .map(|i| format!("Section {} | Statement number {i}\n", i / 10))
        .collect();
    let def = custom("Bench instrument", "", &lines).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let responses: Vec<Response> = (0..20_000)
        .map(|i| {
            let latent = (next() % 5) as i64;
            Response {
                department: (i % 23) as i64 + 1,
                about: None,
                ratings: (0..50)
                    .map(|_| {
                        let r = next() % 20;
                        if r == 0 {
                            None
                        } else {
                            Some((latent + (r % 3) as i64 - 1).clamp(0, 4) as u8 + 1)
                        }
                    })
                    .collect(),
                texts: if i % 7 == 0 {
                    BTreeMap::from([("section-0".to_string(), format!("comment {i}"))])
                } else {
                    BTreeMap::new()
                },
            }
        })
        .collect();
    let answers: usize = responses.iter().map(|r| r.ratings.len()).sum();
    println!("{} respondents, {answers} answers", responses.len());
    for (label, dept) in [("organisation", None), ("one department", Some(3))] {
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let r = black_box(compute(&def, &responses, 5, dept));
            let rows: Vec<String> = r
                .by_department
                .iter()
                .map(|d| d.department.to_string())
                .collect();
            let cols: Vec<String> = r.columns.iter().map(|c| c.title(&def)).collect();
            let cells: Vec<_> = r.by_department.iter().map(|d| d.cells.clone()).collect();
            black_box(svg(&Heatmap {
                title: "bench",
                rows: &rows,
                columns: &cols,
                cells: &cells,
                k: r.k,
            }));
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "results ({label}): median {:?}, max {:?}",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}
