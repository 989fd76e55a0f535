//! Heatmap: a results table drawn as a self-contained, accessible SVG, so it can be embedded in a
//! page, an e-mail or a printed report without scripts or fonts.
//!
//! Colour is never the only channel: every shown cell prints its mean and `n`, hidden cells are
//! hatched and say why, and the palette (ColorBrewer's sequential blues) stays readable for the
//! common forms of colour blindness and in greyscale.

use super::results::Cell;
use std::fmt::Write as _;

/// What to draw: `cells[row][column]`, none when hidden by the anonymity threshold `k`.
#[derive(Debug, Clone, Copy)]
pub struct Heatmap<'a> {
    /// The chart's title (also its accessible name).
    pub title: &'a str,
    /// Row labels, top to bottom.
    pub rows: &'a [String],
    /// Column labels, left to right.
    pub columns: &'a [String],
    /// Per row, per column: the cell, or none when hidden (a missing entry counts as hidden).
    pub cells: &'a [Vec<Option<Cell>>],
    /// The threshold below which cells are hidden, printed in hidden cells.
    pub k: u32,
}

/// ColorBrewer "Blues", five steps, light to dark: sequential and colour-blind safe.
const PALETTE: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
const DARK: &str = "#1a1a1a";
const LIGHT: &str = "#ffffff";
const HIDDEN_FILL: &str = "#eeeeee";

const PAD: u32 = 16;
const CELL_W: u32 = 112;
const CELL_H: u32 = 48;
const CHAR_W: u32 = 7;
const TITLE_H: u32 = 32;
const HEAD_H: u32 = 28;
const LEGEND_H: u32 = 56;

/// Escapes text for XML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// The palette step for a mean on the 1..=5 scale (five equal bins).
fn step(mean: f64) -> usize {
    let t = ((mean - 1.0) / 4.0).clamp(0.0, 1.0);
    ((t * 5.0).floor() as usize).min(4)
}

/// WCAG relative luminance of a `#rrggbb` colour.
fn luminance(hex: &str) -> f64 {
    let ch = |i: usize| {
        let v = hex
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |v| f64::from(v) / 255.0);
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5)
}

/// Dark or white text, whichever contrasts more with `bg`.
fn text_colour(bg: &str) -> &'static str {
    let l = luminance(bg);
    let dark = (l + 0.05) / (luminance(DARK) + 0.05);
    let light = (luminance(LIGHT) + 0.05) / (l + 0.05);
    if dark >= light { DARK } else { LIGHT }
}

/// A short stable suffix for element ids, so several heatmaps can share one page.
fn id_suffix(h: &Heatmap<'_>) -> String {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0]) {
            x ^= u64::from(b);
            x = x.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(h.title);
    h.rows.iter().for_each(|r| eat(r));
    h.columns.iter().for_each(|c| eat(c));
    format!("{:08x}", x & 0xffff_ffff)
}

/// The longest label drawn in full; longer ones are shortened on screen and kept whole in the
/// cell's tooltip and the description.
const MAX_LABEL: usize = 44;

/// `s` shortened to [`MAX_LABEL`] characters with an ellipsis, so a long name cannot push the
/// grid off the canvas.
fn short(s: &str) -> String {
    if s.chars().count() <= MAX_LABEL {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_LABEL - 1).collect();
        t.push('…');
        t
    }
}

fn text_width(s: &str) -> u32 {
    u32::try_from(s.chars().count())
        .unwrap_or(u32::MAX / 16)
        .saturating_mul(CHAR_W)
}

/// Draws the heatmap as one `<svg>` element: title and description for screen readers, one
/// labelled `<rect class="cell">` per row and column, and a legend of the 1–5 scale.
pub fn svg(h: &Heatmap<'_>) -> String {
    let id = id_suffix(h);
    let k = h.k;
    let label_w = h
        .rows
        .iter()
        .map(|r| text_width(&short(r)))
        .max()
        .unwrap_or(0)
        .max(80)
        + PAD;
    let cell_w = h
        .columns
        .iter()
        .map(|c| text_width(&short(c)) + PAD)
        .max()
        .unwrap_or(0)
        .max(CELL_W);
    let n_rows = u32::try_from(h.rows.len()).unwrap_or(0);
    let n_cols = u32::try_from(h.columns.len()).unwrap_or(0);
    let grid_x = PAD + label_w;
    let grid_y = PAD + TITLE_H + HEAD_H;
    let width = (grid_x + n_cols * cell_w + PAD).max(PAD * 2 + 5 * 64 + 120);
    let legend_y = grid_y + n_rows * CELL_H + PAD;
    let height = legend_y + LEGEND_H;

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="hm-title-{id} hm-desc-{id}" font-family="system-ui, sans-serif" font-size="13">"#
    );
    let _ = write!(s, r#"<title id="hm-title-{id}">{}</title>"#, esc(h.title));
    let _ = write!(
        s,
        r#"<desc id="hm-desc-{id}">Mean rating from 1 to 5 for each of {n_rows} rows and {n_cols} columns; darker is higher. Each cell prints its mean and number of respondents. Cells with fewer than {k} respondents are hidden and marked &lt;{k}.</desc>"#
    );
    let _ = write!(
        s,
        r##"<defs><pattern id="hm-hatch-{id}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="{HIDDEN_FILL}"/><line x1="0" y1="0" x2="0" y2="8" stroke="#bbbbbb" stroke-width="2"/></pattern></defs>"##
    );
    let _ = write!(
        s,
        r#"<text x="{PAD}" y="{}" font-size="16" font-weight="bold">{}</text>"#,
        PAD + 18,
        esc(h.title)
    );
    for (c, col) in h.columns.iter().enumerate() {
        let x = grid_x + u32::try_from(c).unwrap_or(0) * cell_w + cell_w / 2;
        let _ = write!(
            s,
            r#"<text x="{x}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
            grid_y - 10,
            esc(&short(col))
        );
    }
    for (r, row) in h.rows.iter().enumerate() {
        let y = grid_y + u32::try_from(r).unwrap_or(0) * CELL_H;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            grid_x - 8,
            y + CELL_H / 2 + 5,
            esc(&short(row))
        );
        for (c, col) in h.columns.iter().enumerate() {
            let x = grid_x + u32::try_from(c).unwrap_or(0) * cell_w;
            let cell = h.cells.get(r).and_then(|cs| cs.get(c)).copied().flatten();
            let (cx, cy) = (x + cell_w / 2, y + CELL_H / 2);
            match cell {
                Some(cell) => {
                    let bg = PALETTE[step(cell.mean)];
                    let fg = text_colour(bg);
                    let _ = write!(
                        s,
                        r##"<rect class="cell" x="{x}" y="{y}" width="{cell_w}" height="{CELL_H}" fill="{bg}" stroke="#ffffff" stroke-width="2"><title>{}, {}: mean {:.1}, n={}</title></rect>"##,
                        esc(row),
                        esc(col),
                        cell.mean,
                        cell.n
                    );
                    let _ = write!(
                        s,
                        r#"<text x="{cx}" y="{}" text-anchor="middle" fill="{fg}" font-weight="bold">{:.1}</text><text x="{cx}" y="{}" text-anchor="middle" fill="{fg}" font-size="11">n={}</text>"#,
                        cy - 2,
                        cell.mean,
                        cy + 14,
                        cell.n
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r##"<rect class="cell hidden" x="{x}" y="{y}" width="{cell_w}" height="{CELL_H}" fill="url(#hm-hatch-{id})" stroke="#ffffff" stroke-width="2"><title>{}, {}: hidden, fewer than {k} respondents</title></rect>"##,
                        esc(row),
                        esc(col)
                    );
                    let _ = write!(
                        s,
                        r#"<text x="{cx}" y="{}" text-anchor="middle" fill="{DARK}">&lt;{k}</text>"#,
                        cy + 5
                    );
                }
            }
        }
    }
    // Legend: the five bins of the 1–5 scale, plus the hidden swatch.
    let _ = write!(
        s,
        r#"<text x="{PAD}" y="{}" font-size="11">Mean (1–5)</text>"#,
        legend_y + 10
    );
    for (i, colour) in PALETTE.iter().enumerate() {
        let lo = 1.0 + 0.8 * i as f64;
        let x = PAD + u32::try_from(i).unwrap_or(0) * 64;
        let _ = write!(
            s,
            r##"<rect class="legend" x="{x}" y="{}" width="64" height="16" fill="{colour}" stroke="#999999" stroke-width="0.5"/><text x="{x}" y="{}" font-size="11">{lo:.1}–{:.1}</text>"##,
            legend_y + 16,
            legend_y + 46,
            lo + 0.8
        );
    }
    let hx = PAD + 5 * 64 + 16;
    let _ = write!(
        s,
        r##"<rect class="legend" x="{hx}" y="{}" width="32" height="16" fill="url(#hm-hatch-{id})" stroke="#999999" stroke-width="0.5"/><text x="{hx}" y="{}" font-size="11">hidden (&lt;{k})</text>"##,
        legend_y + 16,
        legend_y + 46
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn draws_one_rect_per_cell_with_numbers_and_hidden_marks() {
        let rows = strings(&["Sales", "IT"]);
        let cols = strings(&["Discipline", "Unity", "Empathy"]);
        let c = |mean| Some(Cell { n: 7, mean });
        let cells = vec![vec![c(1.0), None, c(5.0)], vec![c(3.26)]];
        let out = svg(&Heatmap {
            title: "Pulse",
            rows: &rows,
            columns: &cols,
            cells: &cells,
            k: 5,
        });
        assert!(out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
        assert!(out.contains("role=\"img\"") && out.contains("aria-labelledby="));
        assert!(out.contains("<title id=") && out.contains("<desc id="));
        assert_eq!(out.matches("<rect class=\"cell").count(), 6);
        // The second row is short: missing entries count as hidden.
        assert_eq!(out.matches("<rect class=\"cell hidden\"").count(), 3);
        assert_eq!(out.matches(">&lt;5</text>").count(), 3);
        assert!(out.contains(">3.3</text>") && out.contains(">n=7</text>"));
        assert!(out.contains(">1.0</text>") && out.contains(">5.0</text>"));
        assert!(out.ends_with("</svg>"));
    }

    #[test]
    fn long_labels_are_shortened_on_screen_but_kept_in_tooltips() {
        let long = "x".repeat(60);
        let rows = strings(&[&long]);
        let cols = strings(&["c"]);
        let cells = vec![vec![Some(Cell { n: 5, mean: 2.0 })]];
        let out = svg(&Heatmap {
            title: "T",
            rows: &rows,
            columns: &cols,
            cells: &cells,
            k: 5,
        });
        assert!(out.contains(&format!(">{}…</text>", "x".repeat(43))));
        assert!(out.contains(&format!("<title>{long}, c: mean 2.0, n=5</title>")));
    }

    #[test]
    fn every_label_is_escaped() {
        let rows = strings(&["<script>&\"x\""]);
        let cols = strings(&["a<b"]);
        let cells = vec![vec![None]];
        let out = svg(&Heatmap {
            title: "T & <\"q\">",
            rows: &rows,
            columns: &cols,
            cells: &cells,
            k: 3,
        });
        assert!(!out.contains("<script>"));
        assert!(!out.contains("a<b"));
        assert!(out.contains("&lt;script&gt;&amp;&quot;x&quot;"));
        assert!(out.contains("T &amp; &lt;&quot;q&quot;&gt;"));
        assert!(out.contains("a&lt;b"));
    }

    #[test]
    fn text_contrasts_with_its_cell() {
        assert_eq!(text_colour(PALETTE[0]), DARK);
        assert_eq!(text_colour(PALETTE[4]), LIGHT);
        assert_eq!(step(1.0), 0);
        assert_eq!(step(5.0), 4);
        assert_eq!(step(2.9), 2);
        assert_eq!(step(f64::NAN), 0);
    }
}
