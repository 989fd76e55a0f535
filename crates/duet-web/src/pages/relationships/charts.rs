//! Charts of the relationship pages, drawn as SVG on the server (no script; they print as they
//! show). Only numbers, fixed words and labels escaped here go into them.

use crate::service::relationships::Signal;
use chrono::{Datelike, NaiveDate};
use duet_core::relationships::trend::TREND_MONTHS;
use duet_core::relationships::{self as rules, Band, SignalKind};

/// The stroke colour of a band (the page's band colours, darker for lines and dots).
fn stroke(b: Band) -> &'static str {
    match b {
        Band::Healthy => "#2e8b57",
        Band::Concerning => "#b07800",
        Band::Poor => "#c0392b",
        Band::TooLittle => "#6b7785",
    }
}

/// Escapes text for an SVG attribute or element.
pub fn esc(s: &str) -> String {
    duet_core::mail::escape_html(s)
}

/// A signal's trend over the last twelve months, on its bands (healthy, concerning and poor as
/// shaded zones; better is always up, so "days" signals are drawn upside down), with a gap for
/// each month with too little evidence. The label read aloud lists every month.
pub fn trend(s: &Signal, as_of: NaiveDate) -> String {
    let (w, h, top, bottom) = (300.0, 64.0, 4.0, 52.0);
    let t = s.thresholds;
    let (lo, hi) = if t.higher_is_better {
        rules::bounds(s.kind)
    } else {
        let most = s
            .trend
            .iter()
            .filter_map(|p| p.value)
            .fold(t.concerning * 1.5, f64::max);
        (0.0, most.max(1.0))
    };
    // y of a value: better is up.
    let y = |v: f64| {
        let f = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        let f = if t.higher_is_better { f } else { 1.0 - f };
        bottom - f * (bottom - top)
    };
    let first = as_of
        .with_day(1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(TREND_MONTHS - 1)))
        .unwrap_or(as_of);
    let slot = |m: NaiveDate| {
        let k = (m.year() - first.year()) * 12 + m.month() as i32 - first.month() as i32;
        12.0 + f64::from(k.clamp(0, TREND_MONTHS as i32 - 1)) * (w - 24.0)
            / f64::from(TREND_MONTHS - 1)
    };
    let mut out = String::new();
    let mut spoken = Vec::new();
    // Zones.
    let (yh, yc) = (y(t.healthy), y(t.concerning));
    out.push_str(&format!(
        "<rect x=\"0\" y=\"{top}\" width=\"{w}\" height=\"{:.1}\" fill=\"#e3f4e8\"/>",
        (yh - top).max(0.0)
    ));
    out.push_str(&format!(
        "<rect x=\"0\" y=\"{yh:.1}\" width=\"{w}\" height=\"{:.1}\" fill=\"#fff4d6\"/>",
        (yc - yh).max(0.0)
    ));
    out.push_str(&format!(
        "<rect x=\"0\" y=\"{yc:.1}\" width=\"{w}\" height=\"{:.1}\" fill=\"#fde2e1\"/>",
        (bottom - yc).max(0.0)
    ));
    // The line, broken at gaps (pulse points are joined: a pulse is not monthly).
    let pulse = rules::PULSE_SIGNALS.iter().any(|(k, _)| *k == s.kind);
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut String| {
        if run.len() > 1 {
            out.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"#1f2937\" stroke-width=\"1.5\" points=\"{}\"/>",
                run.join(" ")
            ));
        }
        run.clear();
    };
    let mut dots = String::new();
    for p in &s.trend {
        let month = p.month.format("%b %Y").to_string();
        match p.value {
            Some(v) => {
                let (px, py) = (slot(p.month), y(v));
                run.push(format!("{px:.1},{py:.1}"));
                dots.push_str(&format!(
                    "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"3\" fill=\"{}\"/>",
                    stroke(p.band)
                ));
                spoken.push(format!(
                    "{month}: {}",
                    crate::service::relationships::shown(s.kind, p.band, Some(v))
                ));
            }
            None => {
                if !pulse {
                    flush(&mut run, &mut out);
                }
                spoken.push(format!("{month}: too little evidence"));
            }
        }
    }
    flush(&mut run, &mut out);
    out.push_str(&dots);
    let (a, b) = (first.format("%b %Y"), as_of.format("%b %Y"));
    out.push_str(&format!(
        "<text x=\"2\" y=\"{h}\" font-size=\"10\" fill=\"#3d4852\">{a}</text><text x=\"{w}\" y=\"{h}\" font-size=\"10\" fill=\"#3d4852\" text-anchor=\"end\">{b}</text>"
    ));
    let label = if spoken.is_empty() {
        format!("{}: no history yet", s.label)
    } else {
        format!("{}, month by month: {}", s.label, spoken.join("; "))
    };
    format!(
        "<svg class=\"trend\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">{out}</svg>",
        esc(&label)
    )
}

/// Whether a signal keeps a history to draw.
pub fn has_trend(kind: SignalKind) -> bool {
    kind != SignalKind::Coverage
}

/// The most connections the map draws (the busiest first); the rest are in the API.
pub const MAP_EDGES: usize = 150;

/// The interaction map: IT in the middle, the other departments around it; a line for every
/// pair with something between them, thicker with more volume and coloured by the pair's
/// health; a department in a silo is drawn with a dashed ring. The table beside it says the
/// same in words.
pub fn map(m: &crate::service::relationships::map::Interactions) -> String {
    use std::collections::HashMap;
    let (w, h) = (720.0_f64, 520.0_f64);
    let (cx, cy, r) = (w / 2.0, h / 2.0, 200.0);
    let others: Vec<_> = m.nodes.iter().filter(|n| !n.it).collect();
    let mut at: HashMap<i64, (f64, f64, f64)> = HashMap::new();
    for n in m.nodes.iter().filter(|n| n.it) {
        at.insert(n.id, (cx, cy, 0.0));
    }
    for (i, n) in others.iter().enumerate() {
        let a = -std::f64::consts::FRAC_PI_2
            + i as f64 * std::f64::consts::TAU / others.len().max(1) as f64;
        at.insert(n.id, (cx + r * a.cos(), cy + r * a.sin(), a));
    }
    let most = m.edges.iter().map(|e| e.volume).max().unwrap_or(1).max(1);
    let mut out = String::new();
    for e in m.edges.iter().take(MAP_EDGES) {
        let (Some(p), Some(q)) = (at.get(&e.a), at.get(&e.b)) else {
            continue;
        };
        let width = 1.0 + 7.0 * (f64::from(e.volume) / f64::from(most)).sqrt();
        out.push_str(&format!(
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"{width:.1}\" stroke-opacity=\"0.75\" stroke-linecap=\"round\"/>",
            p.0, p.1, q.0, q.1, stroke(e.band)
        ));
    }
    for n in &m.nodes {
        let Some((x, y, a)) = at.get(&n.id).copied() else {
            continue;
        };
        let ring = if n.silo {
            "stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"4 3\""
        } else {
            "stroke=\"#1f2937\" stroke-width=\"1.5\""
        };
        let size = if n.it { 14.0 } else { 8.0 };
        out.push_str(&format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{size}\" fill=\"#fff\" {ring}/>"
        ));
        let (lx, ly, anchor) = if n.it {
            (x, y + 30.0, "middle")
        } else {
            let (dx, dy) = (a.cos(), a.sin());
            let anchor = if dx > 0.3 {
                "start"
            } else if dx < -0.3 {
                "end"
            } else {
                "middle"
            };
            (x + dx * 16.0, y + dy * 16.0 + 4.0, anchor)
        };
        let label = if n.silo {
            format!("{} (silo)", n.name)
        } else {
            n.name.clone()
        };
        out.push_str(&format!(
            "<text x=\"{lx:.1}\" y=\"{ly:.1}\" font-size=\"12\" text-anchor=\"{anchor}\" fill=\"#1b2430\">{}</text>",
            esc(&label)
        ));
    }
    let silos: Vec<&str> = m
        .nodes
        .iter()
        .filter(|n| n.silo)
        .map(|n| n.name.as_str())
        .collect();
    let label = format!(
        "Interaction map of {} departments with {} connections over the last 12 months{}. The table below lists every connection.",
        m.nodes.len(),
        m.edges.len(),
        if silos.is_empty() {
            String::new()
        } else {
            format!("; in a silo: {}", silos.join(", "))
        }
    );
    format!(
        "<svg class=\"map\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">{out}</svg>",
        esc(&label)
    )
}
