//! Results as CSV: one row per department or level and item, for a spreadsheet.

use super::*;

/// One CSV field, quoted when needed and with a leading `= + - @` (or tab/CR) defused by a single
/// quote, so opening the export in a spreadsheet never runs a formula someone typed as a title.
pub(super) fn csv_field(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len() + 2);
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.push('\'');
    }
    s.push_str(raw);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The shown figures as CSV (`slice,department,section,level,horizon,item,respondents,mean,gap`),
/// one row per visible respondent count, section or column (Today and Tomorrow on rows of their
/// own, never averaged together), level and item cell, plus one `gap` row per paired section whose
/// Today and Tomorrow are both shown (tomorrow − today); hidden cells have no row at all.
pub fn to_csv(
    def: &Definition,
    results: &Results,
    department_name: &dyn Fn(i64) -> String,
) -> String {
    let mut out =
        String::from("slice,department,section,level,horizon,item,respondents,mean,gap\n");
    let mut row = |slice: &str,
                   dept: &str,
                   section: &str,
                   level: &str,
                   horizon: &str,
                   item: &str,
                   n: Option<u32>,
                   mean: Option<f64>,
                   gap: Option<f64>| {
        let mean = mean.map(|m| format!("{m:.2}")).unwrap_or_default();
        let gap = gap.map(|g| format!("{g:.2}")).unwrap_or_default();
        let n = n.map(|n| n.to_string()).unwrap_or_default();
        let fields = [slice, dept, section, level, horizon, item, &n, &mean, &gap];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    };
    let title = |code: &str| {
        def.section(code)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let horizon = |c: &Column| c.horizon.map(|h| h.label()).unwrap_or("");
    let (slice, dept) = match results.department {
        None => ("organisation", String::new()),
        Some(d) => ("department", department_name(d)),
    };
    if let Some(n) = results.respondents {
        row(slice, &dept, "", "", "", "", Some(n), None, None);
    }
    for (col, c) in results.columns.iter().zip(&results.by_column) {
        if let Some(c) = c {
            let h = horizon(col);
            row(
                slice,
                &dept,
                &title(&col.section),
                "",
                h,
                "",
                Some(c.n),
                Some(c.mean),
                None,
            );
        }
    }
    for g in &results.gaps {
        if let Some(x) = g.gap {
            row(
                slice,
                &dept,
                &title(&g.section),
                "",
                "gap",
                "",
                None,
                None,
                Some(x),
            );
        }
    }
    for l in &results.by_level {
        for (col, c) in results.columns.iter().zip(&l.cells) {
            if let Some(c) = c {
                let h = horizon(col);
                let t = title(&col.section);
                row(
                    slice,
                    &dept,
                    &t,
                    l.level.label(),
                    h,
                    "",
                    Some(c.n),
                    Some(c.mean),
                    None,
                );
            }
        }
    }
    for (it, r) in def.items.iter().zip(&results.items) {
        if let Some(c) = r.cell {
            let h = it.horizon.map(|h| h.label()).unwrap_or("");
            let t = title(&it.section);
            row(
                slice,
                &dept,
                &t,
                "",
                h,
                &r.code,
                Some(c.n),
                Some(c.mean),
                None,
            );
        }
    }
    for d in &results.by_department {
        let name = department_name(d.department);
        if let Some(n) = d.respondents {
            row("department", &name, "", "", "", "", Some(n), None, None);
        }
        for (col, c) in results.columns.iter().zip(&d.cells) {
            if let Some(c) = c {
                let h = horizon(col);
                let t = title(&col.section);
                row(
                    "department",
                    &name,
                    &t,
                    "",
                    h,
                    "",
                    Some(c.n),
                    Some(c.mean),
                    None,
                );
            }
        }
    }
    out
}
