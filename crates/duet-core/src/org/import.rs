//! People as CSV: the one format `duet import people` reads and `duet export people` writes.
//!
//! Parsing checks every row and reports every problem with its line and column, so a file is
//! either wholly valid or rejected whole: the caller imports nothing unless `parse_people_csv`
//! returned no error at all.

use crate::csv_input::CsvInput;
use crate::org::{Email, Level};
use crate::{FieldError, error::bounded_text};

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

pub use crate::csv_input::CsvError;

/// Parses a whole people file. Stops collecting after 100 errors so a wrong file does not flood.
pub fn parse_people_csv(input: &[u8]) -> Result<Vec<PersonCsvRow>, Vec<CsvError>> {
    let mut csv = CsvInput::open(input, PEOPLE_CSV_HEADER)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
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
        w.write_record(
            r.iter()
                .map(|c| crate::csv_input::neutralise(c).into_owned()),
        )?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_runs_no_formula_and_imports_back_unchanged() {
        let names = [
            "=HYPERLINK(\"http://evil.example\",\"Ada\")",
            "@SUM(A1)",
            "+1+2",
            "-3",
            "Plain",
        ];
        let mut out = Vec::new();
        write_people_csv(
            &mut out,
            names.iter().enumerate().map(|(i, n)| {
                let email: &'static str =
                    ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"][i];
                [*n, email, "IT", "", "individual"]
            }),
        )
        .unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        for line in text.lines().skip(1) {
            let first = line.trim_start_matches('"');
            assert!(!first.starts_with(['=', '@', '+', '-']), "{line}");
        }
        let back: Vec<String> = parse_people_csv(&out)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(back, names);
    }

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
