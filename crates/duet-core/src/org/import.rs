//! People as CSV: the one format `duet import people` reads and `duet export people` writes.
//!
//! Parsing checks every row and reports every problem with its line and column, so a file is
//! either wholly valid or rejected whole: the caller imports nothing unless `parse_people_csv`
//! returned no error at all.

use crate::org::{Email, Level};
use crate::{FieldError, error::bounded_text};
use std::fmt;

/// The header row, in order.
pub const PEOPLE_CSV_HEADER: [&str; 5] = ["name", "email", "department", "title", "level"];

/// One valid row. The department is still a name: only the store knows which names exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCsvRow {
    /// 1-based line number in the file, for errors found later (unknown department, duplicates).
    pub line: u64,
    /// Full name.
    pub name: String,
    /// E-mail, unique.
    pub email: Email,
    /// Department name as written.
    pub department: String,
    /// Job title, may be empty.
    pub title: String,
    /// Level.
    pub level: Level,
}

/// A problem in the file, located by line and (when known) column name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CsvError {
    /// 1-based line number.
    pub line: u64,
    /// Column name from the header, if the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {}: {}", self.line, c, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl CsvError {
    /// Locates a field error at `line`.
    pub fn at(line: u64, e: FieldError) -> Self {
        Self {
            line,
            column: Some(e.field),
            message: e.message,
        }
    }
}

/// Parses a whole people file. Stops collecting after 100 errors so a wrong file does not flood.
pub fn parse_people_csv(input: &[u8]) -> Result<Vec<PersonCsvRow>, Vec<CsvError>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect(),
        Err(e) => {
            return Err(vec![CsvError {
                line: 1,
                column: None,
                message: format!("unreadable header: {e}"),
            }]);
        }
    };
    let mut idx = [0usize; 5];
    let mut errors = Vec::new();
    for (i, col) in PEOPLE_CSV_HEADER.iter().enumerate() {
        match header.iter().position(|h| h == col) {
            Some(p) => idx[i] = p,
            None => errors.push(CsvError {
                line: 1,
                column: Some((*col).into()),
                message: format!(
                    "the header has no '{col}' column (expected: {})",
                    PEOPLE_CSV_HEADER.join(",")
                ),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let mut record = csv::StringRecord::new();
    // Lines are counted from byte offsets: the csv crate's own line counter skips blank lines.
    let (mut counted_to, mut counted_line) = (0usize, 1u64);
    let mut line_at = |byte: u64| {
        let mut byte = (byte as usize).min(input.len());
        // A record's position may point at the blank lines skipped before it.
        while byte < input.len() && matches!(input[byte], b'\n' | b'\r') {
            byte += 1;
        }
        if byte >= counted_to {
            counted_line += input[counted_to..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted_to = byte;
        }
        counted_line
    };
    loop {
        let line = line_at(rdr.position().byte());
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(CsvError {
                    line,
                    column: None,
                    message: format!("malformed CSV: {e}"),
                });
                break;
            }
        }
        let line = record.position().map(|p| line_at(p.byte())).unwrap_or(line);
        if record.iter().all(|c| c.is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            errors.push(CsvError {
                line,
                column: None,
                message: format!("expected {} fields, found {}", header.len(), record.len()),
            });
            continue;
        }
        let cell = |i: usize| record.get(idx[i]).unwrap_or("");
        let mut bad = |e: FieldError| errors.push(CsvError::at(line, e));
        let name = bounded_text("name", cell(0), 1, 120).map_err(&mut bad).ok();
        let email = Email::parse(cell(1)).map_err(&mut bad).ok();
        let department = bounded_text("department", cell(2), 1, 80)
            .map_err(&mut bad)
            .ok();
        let title = bounded_text("title", cell(3), 0, 120)
            .map_err(&mut bad)
            .ok();
        let level = cell(4).parse::<Level>().map_err(&mut bad).ok();
        if let Some(email) = &email
            && let Some(first) = seen.insert(email.clone(), line)
        {
            errors.push(CsvError {
                line,
                column: Some("email".into()),
                message: format!("'{email}' already appears on line {first}"),
            });
        }
        if let (Some(name), Some(email), Some(department), Some(title), Some(level)) =
            (name, email, department, title, level)
        {
            rows.push(PersonCsvRow {
                line,
                name,
                email,
                department,
                title,
                level,
            });
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

/// Writes people in the import format, so an export can be edited and imported back.
pub fn write_people_csv<'a, W: std::io::Write>(
    out: W,
    rows: impl IntoIterator<Item = [&'a str; 5]>,
) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(PEOPLE_CSV_HEADER)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_valid_file_in_any_column_order() {
        let csv = "email,name,department,level,title\nada@x.com,Ada Lovelace,IT,manager,Head of Engineering\n\nbob@x.com,\"Bob, Jr\",Sales,individual,\n";
        let rows = parse_people_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].name, "Bob, Jr");
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[0].level, Level::Manager);
    }

    #[test]
    fn names_line_and_column_of_every_bad_cell() {
        let csv = "name,email,department,title,level\nAda,ada@x.com,IT,,manager\n,not-an-email,IT,,boss\nEve,ada@x.com,IT,,individual\n";
        let errs = parse_people_csv(csv.as_bytes()).unwrap_err();
        let got: Vec<(u64, Option<&str>)> =
            errs.iter().map(|e| (e.line, e.column.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                (3, Some("name")),
                (3, Some("email")),
                (3, Some("level")),
                (4, Some("email"))
            ]
        );
        assert!(errs[3].to_string().contains("line 2"));
    }

    #[test]
    fn reports_missing_columns_and_ragged_rows() {
        let errs = parse_people_csv(b"name,email\nA,a@x.com\n").unwrap_err();
        assert_eq!(errs[0].line, 1);
        let errs =
            parse_people_csv(b"name,email,department,title,level\nA,a@x.com,IT\n").unwrap_err();
        assert_eq!((errs[0].line, errs[0].column.clone()), (2, None));
    }

    #[test]
    fn export_then_import_round_trips() {
        let mut buf = Vec::new();
        write_people_csv(
            &mut buf,
            [[
                "Zoë \"Z\" Ng",
                "zoe@x.com",
                "Human Resources",
                "VP, People",
                "executive",
            ]],
        )
        .unwrap();
        let rows = parse_people_csv(&buf).unwrap();
        assert_eq!(rows[0].name, "Zoë \"Z\" Ng");
        assert_eq!(rows[0].title, "VP, People");
        assert_eq!(rows[0].department, "Human Resources");
    }
}
