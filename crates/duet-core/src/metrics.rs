//! Metrics: what IT measures and what the business cares about, and where the two miss each
//! other ("IT isn't measuring what the business cares about").

use crate::error::bounded_text;
use crate::{FieldError, ValidationErrors};
use std::fmt;

wire_enum!(
    /// Which way is better.
    Direction as MetricDirection, "direction" {
        HigherBetter = "higher_better" / "Higher is better",
        LowerBetter = "lower_better" / "Lower is better",
    }
);

/// A calendar month, the period metric values are kept for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    /// Year.
    pub year: i32,
    /// Month 1..=12.
    pub month: u32,
}

impl Period {
    /// Parses `YYYY-MM` (years 2000–2100).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        let bad = || FieldError::new("period", format!("'{t}' is not a month (use YYYY-MM)"));
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    /// The period `n` months earlier.
    pub fn minus(self, n: u32) -> Self {
        let idx = self.year * 12 + self.month as i32 - 1 - n as i32;
        Self {
            year: idx.div_euclid(12),
            month: idx.rem_euclid(12) as u32 + 1,
        }
    }

    /// The month of a date.
    pub fn of(date: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        Self {
            year: date.year(),
            month: date.month(),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Period {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Period::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// A metric as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricInput {
    /// Unique name.
    pub name: String,
    /// Unit ("%", "hours", "tickets").
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// The target, if there is one.
    pub target: Option<f64>,
    /// The person who owns it.
    pub owner: Option<i64>,
}

impl MetricInput {
    /// Validates every field.
    pub fn parse(
        name: &str,
        unit: &str,
        direction: &str,
        target: &str,
        owner: Option<i64>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let name = errs.check(bounded_text("name", name, 2, 120));
        let unit = errs.check(bounded_text("unit", unit, 0, 30));
        let direction = errs.check(direction.parse::<Direction>());
        let target = match target.trim() {
            "" => Some(None),
            t => match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(Some(v)),
                _ => {
                    errs.0
                        .push(FieldError::new("target", format!("'{t}' is not a number")));
                    None
                }
            },
        };
        match (name, unit, direction, target) {
            (Some(name), Some(unit), Some(direction), Some(target)) if errs.0.is_empty() => {
                Ok(Self {
                    name,
                    unit,
                    direction,
                    target,
                    owner,
                })
            }
            _ => Err(errs),
        }
    }
}

/// A metric value as a number, refusing NaN and infinities. A decimal comma is read as the
/// decimal point (`99,7` is 99.7), as people type it in much of Europe; anything a reader could
/// take two ways is refused rather than guessed: a comma followed by exactly three digits (`1,234`
/// is 1234 to some and 1.234 to others), or both a comma and a point (`1,234.5`, `1.234,5`), or
/// several commas. Spaces (including the thin and no-break spaces of `1 234`) are refused too.
pub fn parse_value(field: &str, raw: &str) -> Result<f64, FieldError> {
    let t = raw.trim();
    let not_a_number = || FieldError::new(field, format!("'{t}' is not a number"));
    let commas = t.matches(',').count();
    let ambiguous = |why: &str| {
        FieldError::new(
            field,
            format!(
                "'{t}' is ambiguous ({why}): write it without thousands separators, with one \
                 decimal point or comma (e.g. 1234 or 99.7)"
            ),
        )
    };
    let text = match commas {
        0 => t.to_string(),
        _ if t.contains('.') => return Err(ambiguous("it has both a comma and a point")),
        1 => {
            let after = t.split(',').nth(1).unwrap_or("");
            if after.len() == 3 && after.chars().all(|c| c.is_ascii_digit()) {
                return Err(ambiguous("the comma could separate thousands or decimals"));
            }
            t.replace(',', ".")
        }
        _ => return Err(ambiguous("several commas")),
    };
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return Err(not_a_number());
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() < 1e15 => Ok(v),
        _ => Err(not_a_number()),
    }
}

wire_enum!(
    /// A value against its target.
    TargetStatus, "status" {
        OnTarget = "on_target" / "On target",
        OffTarget = "off_target" / "Off target",
        NoTarget = "no_target" / "No target",
    }
);

/// Whether `value` meets `target` in `direction`.
pub fn status(value: f64, target: Option<f64>, direction: Direction) -> TargetStatus {
    match target {
        None => TargetStatus::NoTarget,
        Some(t) => {
            let ok = match direction {
                Direction::HigherBetter => value >= t,
                Direction::LowerBetter => value <= t,
            };
            if ok {
                TargetStatus::OnTarget
            } else {
                TargetStatus::OffTarget
            }
        }
    }
}

wire_enum!(
    /// Where the last values are heading.
    Trend, "trend" {
        Improving = "improving" / "Improving",
        Worsening = "worsening" / "Worsening",
        Flat = "flat" / "Flat",
        Unknown = "unknown" / "Not enough data",
    }
);

/// The trend of the last three values (oldest first) against the direction: the average of the
/// last two against the one before, with a 2 % dead band so noise is not called a trend.
pub fn trend(values: &[f64], direction: Direction) -> Trend {
    let n = values.len();
    if n < 2 {
        return Trend::Unknown;
    }
    let recent = values[n - 1];
    let before = if n >= 3 {
        (values[n - 2] + values[n - 3]) / 2.0
    } else {
        values[n - 2]
    };
    let scale = before.abs().max(recent.abs()).max(1e-9);
    let change = (recent - before) / scale;
    if change.abs() < 0.02 {
        return Trend::Flat;
    }
    let up_is_good = direction == Direction::HigherBetter;
    if (change > 0.0) == up_is_good {
        Trend::Improving
    } else {
        Trend::Worsening
    }
}

/// One row of a metric-values CSV (`metric,period,department,value`), names still unresolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    /// 1-based line.
    pub line: u64,
    /// Metric name.
    pub metric: String,
    /// Month.
    pub period: Period,
    /// Department name.
    pub department: String,
    /// Value.
    pub value: f64,
}

/// Parses a metric-values file; every bad cell is reported with its line and column.
pub fn parse_values_csv(input: &[u8]) -> Result<Vec<ValueRow>, Vec<crate::csv_input::CsvError>> {
    use crate::csv_input::{CsvError, CsvInput};
    let mut csv = CsvInput::open(input, ["metric", "period", "department", "value"])?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    while let Some(next) = csv.next_record() {
        let line = match next {
            Ok(line) => line,
            Err(e) => {
                errors.push(e);
                if errors.len() >= 100 {
                    break;
                }
                continue;
            }
        };
        let cell = |i: usize| csv.cell(i);
        let metric = cell(0);
        let period = Period::parse(cell(1));
        let department = cell(2);
        let value = parse_value("value", cell(3));
        if metric.is_empty() {
            errors.push(CsvError {
                line,
                column: Some("metric".into()),
                message: "is required".into(),
            });
        }
        if department.is_empty() {
            errors.push(CsvError {
                line,
                column: Some("department".into()),
                message: "is required".into(),
            });
        }
        match (period, value) {
            (Ok(period), Ok(value)) if !metric.is_empty() && !department.is_empty() => {
                rows.push(ValueRow {
                    line,
                    metric: metric.to_string(),
                    period,
                    department: department.to_string(),
                    value,
                })
            }
            (p, v) => {
                if let Err(e) = p {
                    errors.push(CsvError::at(line, e));
                }
                if let Err(e) = v {
                    errors.push(CsvError::at(line, e));
                }
            }
        }
        if errors.len() >= 100 {
            break;
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// An outcome a business leader cares about, with its weight and whether any metric with recent
/// values is mapped to it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeCoverage {
    /// Weight 1..=5.
    pub weight: u8,
    /// Whether a metric with recent values measures it.
    pub measured: bool,
}

/// The share of what a department cares about (by weight) that is measured, 0..100; none when
/// it has said what it cares about.
pub fn coverage_score(outcomes: &[OutcomeCoverage]) -> Option<f64> {
    let total: u32 = outcomes.iter().map(|o| u32::from(o.weight)).sum();
    if total == 0 {
        return None;
    }
    let measured: u32 = outcomes
        .iter()
        .filter(|o| o.measured)
        .map(|o| u32::from(o.weight))
        .sum();
    Some(100.0 * f64::from(measured) / f64::from(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_count_back() {
        let p = Period::parse("2026-01").unwrap();
        assert_eq!(p.minus(1).to_string(), "2025-12");
        assert_eq!(p.minus(13).to_string(), "2024-12");
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", ""] {
            assert_eq!(
                Period::parse(bad).err().map(|e| e.field),
                Some("period".into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn status_and_trend_follow_the_direction() {
        assert_eq!(
            status(95.0, Some(99.0), Direction::HigherBetter),
            TargetStatus::OffTarget
        );
        assert_eq!(
            status(3.0, Some(4.0), Direction::LowerBetter),
            TargetStatus::OnTarget
        );
        assert_eq!(
            status(3.0, None, Direction::LowerBetter),
            TargetStatus::NoTarget
        );
        assert_eq!(
            trend(&[10.0, 10.0, 12.0], Direction::HigherBetter),
            Trend::Improving
        );
        assert_eq!(
            trend(&[10.0, 10.0, 12.0], Direction::LowerBetter),
            Trend::Worsening
        );
        assert_eq!(trend(&[10.0, 10.05], Direction::LowerBetter), Trend::Flat);
        assert_eq!(trend(&[10.0], Direction::LowerBetter), Trend::Unknown);
    }

    #[test]
    fn values_csv_names_every_bad_cell() {
        let ok = parse_values_csv(b"metric,period,department,value\nUptime,2026-10,Sales,99.5\nUptime,2026-11,Sales,\"99,25\"\n").unwrap();
        assert_eq!((ok.len(), ok[1].value, ok[1].line), (2, 99.25, 3));
        let thousands =
            parse_values_csv(b"metric,period,department,value\nUptime,2026-11,Sales,\"1,200\"\n")
                .unwrap_err();
        assert_eq!(
            (thousands[0].line, thousands[0].column.as_deref()),
            (2, Some("value")),
            "1,200 could be either; it is refused with its line"
        );
        let errs = parse_values_csv(
            b"metric,period,department,value\nUptime,2026-13,Sales,abc\n,2026-01,,1\n",
        )
        .unwrap_err();
        let got: Vec<(u64, Option<&str>)> =
            errs.iter().map(|e| (e.line, e.column.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                (2, Some("period")),
                (2, Some("value")),
                (3, Some("metric")),
                (3, Some("department"))
            ]
        );
    }

    #[test]
    fn coverage_weighs_what_matters_most() {
        let o = |weight, measured| OutcomeCoverage { weight, measured };
        assert_eq!(
            coverage_score(&[o(5, true), o(3, false), o(2, false)]),
            Some(50.0)
        );
        assert_eq!(coverage_score(&[]), None);
    }

    #[test]
    fn metric_input_reports_bad_fields() {
        let e = MetricInput::parse("x", "%", "sideways", "lots", None).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "direction", "target"]);
        assert!(
            MetricInput::parse("Ticket backlog", "tickets", "lower_better", "50", Some(3)).is_ok()
        );
    }

    #[test]
    fn a_decimal_comma_is_a_decimal_and_ambiguous_numbers_are_refused() {
        assert_eq!(parse_value("value", "99,7").ok(), Some(99.7));
        assert_eq!(parse_value("value", " 0,25 ").ok(), Some(0.25));
        assert_eq!(parse_value("value", "99.7").ok(), Some(99.7));
        assert_eq!(parse_value("value", "-3").ok(), Some(-3.0));
        for raw in ["1,234", "1,234.5", "1.234,5", "1,234,567"] {
            let e = parse_value("value", raw).unwrap_err();
            assert_eq!(e.field, "value");
            assert!(e.message.contains("ambiguous"), "{raw}: {}", e.message);
        }
        for raw in ["", "abc", "1 234", "NaN", "inf", "12%"] {
            assert!(parse_value("value", raw).is_err(), "{raw}");
        }
    }
}
