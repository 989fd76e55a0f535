//! Bringing the reviews already held into Duet: each meeting with its day, who was there, its
//! notes and decisions, so the cadence and the agendas' "since the last review" start from the
//! real past rather than from the day Duet was installed.

use crate::FieldError;
use crate::csv_input::{CsvError, CsvInput};
use crate::error::{bounded_text, prose_text};
use chrono::NaiveDate;

/// The header of a review history file: with which business department, the day it was held,
/// how long it took, who was there, the notes, and the decisions (one a line in the cell).
pub const HISTORY_CSV_HEADER: [&str; 6] = [
    "department",
    "held_on",
    "minutes",
    "attendees",
    "notes",
    "decisions",
];

/// One review held in the past, checked on its own (the department is checked against the
/// directory when it is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricReview {
    /// Its line in the file.
    pub line: u64,
    /// The business department's name.
    pub department: String,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// How long it took.
    pub minutes: i64,
    /// Who was there.
    pub attendees: String,
    /// The notes.
    pub notes: String,
    /// The decisions taken, one each.
    pub decisions: Vec<String>,
}

/// Reads a review history file: every problem is placed by line and column, and nothing is
/// returned unless every row is good. A review was held on or before `today`, took 15 to 480
/// minutes, and one department has one review a day.
pub fn parse_history_csv(
    input: &[u8],
    today: NaiveDate,
) -> Result<Vec<HistoricReview>, Vec<CsvError>> {
    let mut csv = CsvInput::open(input, HISTORY_CSV_HEADER)?;
    let mut rows: Vec<HistoricReview> = Vec::new();
    let mut errors = Vec::new();
    let mut seen: std::collections::HashMap<(String, NaiveDate), u64> =
        std::collections::HashMap::new();
    while let Some(next) = csv.next_record() {
        let line = match next {
            Ok(line) => line,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let cell = |i: usize| csv.cell(i);
        let mut bad = |e: FieldError| errors.push(CsvError::at(line, e));
        let department = bounded_text("department", cell(0), 1, 80)
            .map_err(&mut bad)
            .ok();
        let held_on = crate::requests::history::parse_day("held_on", cell(1), today)
            .and_then(|d| d.ok_or_else(|| FieldError::new("held_on", "is required (YYYY-MM-DD)")))
            .map_err(&mut bad)
            .ok();
        let minutes = match cell(2).trim() {
            "" => Ok(60),
            m => m
                .parse::<i64>()
                .ok()
                .filter(|m| (15..=480).contains(m))
                .ok_or_else(|| {
                    FieldError::new(
                        "minutes",
                        format!("'{m}' is not a number of minutes from 15 to 480"),
                    )
                }),
        }
        .map_err(&mut bad)
        .ok();
        let attendees = prose_text("attendees", cell(3), 0, 2000)
            .map_err(&mut bad)
            .ok();
        let notes = prose_text("notes", cell(4), 0, 20000)
            .map_err(&mut bad)
            .ok();
        let mut decisions = Vec::new();
        let mut decisions_ok = true;
        for d in cell(5).lines().map(str::trim).filter(|d| !d.is_empty()) {
            match prose_text("decisions", d, 3, 2000) {
                Ok(d) => decisions.push(d),
                Err(e) => {
                    decisions_ok = false;
                    bad(e);
                    break;
                }
            }
        }
        let (Some(department), Some(held_on), Some(minutes), Some(attendees), Some(notes), true) =
            (department, held_on, minutes, attendees, notes, decisions_ok)
        else {
            continue;
        };
        if let Some(first) = seen.insert((department.to_lowercase(), held_on), line) {
            bad(FieldError::new(
                "held_on",
                format!("{department} already has a review on {held_on} on line {first}"),
            ));
            continue;
        }
        rows.push(HistoricReview {
            line,
            department,
            held_on,
            minutes,
            attendees,
            notes,
            decisions,
        });
        if errors.len() >= 100 {
            break;
        }
    }
    crate::csv_input::all_or_nothing(rows, errors)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn reviews_held_are_read_with_their_decisions_or_refused_by_line_and_column() {
        let good = "department,held_on,minutes,attendees,notes,decisions\n\
            Sales,2025-03-04,45,\"Ann, Bob\",Went through the CRM backlog,\"Fix the export by April\nMonthly report to Sales\"\n\
            Finance,2025-03-11,,,,\n";
        let rows = parse_history_csv(good.as_bytes(), today()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].decisions,
            vec!["Fix the export by April", "Monthly report to Sales"]
        );
        assert_eq!((rows[1].minutes, rows[1].decisions.len()), (60, 0));
        let bad = "department,held_on,minutes,attendees,notes,decisions\n\
            Sales,2025-03-04,45,,,\n\
            Sales,2025-03-04,45,,,\n\
            Sales,2027-01-01,45,,,\n\
            Sales,2025-05-01,5,,,\n\
            ,2025-05-01,60,,,\n";
        let errors = parse_history_csv(bad.as_bytes(), today()).unwrap_err();
        let placed: Vec<(u64, Option<&str>)> = errors
            .iter()
            .map(|e| (e.line, e.column.as_deref()))
            .collect();
        assert_eq!(
            placed,
            vec![
                (3, Some("held_on")),
                (4, Some("held_on")),
                (5, Some("minutes")),
                (6, Some("department"))
            ]
        );
    }
}
