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
