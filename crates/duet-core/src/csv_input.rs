//! The one CSV reader every import uses (people, metric values): the header is read by column
//! name (any order, any case, a byte-order mark tolerated), so a spreadsheet that reorders or adds
//! columns still imports; every problem is located by its real line in the file (blank lines
//! counted, which the csv crate's own counter skips) and, when it is in one cell, by its column.

use crate::FieldError;
use std::fmt;

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

    /// A problem with a whole line.
    pub fn line(line: u64, message: impl Into<String>) -> Self {
        Self {
            line,
            column: None,
            message: message.into(),
        }
    }
}

/// The first characters that make a spreadsheet read a cell as a formula (`=HYPERLINK(…)`,
/// `@SUM(…)`, `+1+…`, `-1+…`, and a leading tab or carriage return that hides one).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as Duet writes it into a CSV: one a spreadsheet would read as a formula gets a leading
/// `'` (the spreadsheets' own "this is text" mark), so opening an export runs nothing. Every CSV
/// Duet writes goes through this; [`CsvInput::cell`] takes the mark off again, so an export
/// imports back unchanged.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The cell without the mark [`neutralise`] added.
fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// An import's outcome, all rows or none: the rows when no problem was found, else every
/// problem.
pub fn all_or_nothing<T>(rows: Vec<T>, errors: Vec<CsvError>) -> Result<Vec<T>, Vec<CsvError>> {
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A column an import reads: the names it may go by in a header (lower case, the first is the
/// one Duet documents), and whether the file must have it.
#[derive(Debug, Clone, Copy)]
pub struct Column<'n> {
    /// Accepted header names, lower case, the documented one first.
    pub names: &'n [&'n str],
    /// Whether a file without it is refused.
    pub required: bool,
}

/// An import file whose header has every expected column, read one record at a time.
pub struct CsvInput<'a, const N: usize> {
    reader: csv::Reader<&'a [u8]>,
    input: &'a [u8],
    columns: [Option<usize>; N],
    width: usize,
    record: csv::ByteRecord,
    counted_to: usize,
    counted_line: u64,
}

impl<'a, const N: usize> CsvInput<'a, N> {
    /// Opens `input` and finds the `expected` columns (lower-case names) in its header; a missing
    /// one is an error on line 1 that lists the expected header.
    pub fn open(input: &'a [u8], expected: [&str; N]) -> Result<Self, Vec<CsvError>> {
        let columns: [Column<'_>; N] = std::array::from_fn(|i| Column {
            names: std::slice::from_ref(&expected[i]),
            required: true,
        });
        Self::open_mapped(input, &columns)
    }

    /// Opens `input` and finds each column under any of its names (another tool's export names
    /// the same thing differently: ServiceNow's `opened_by.email` or `caller_id.email`); a
    /// missing required column is an error on line 1 that names what was looked for, and a
    /// missing optional one reads as empty cells.
    pub fn open_mapped(input: &'a [u8], expected: &[Column<'_>; N]) -> Result<Self, Vec<CsvError>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(input);
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h
                .iter()
                .map(|s| s.trim_start_matches('\u{feff}').to_lowercase())
                .collect(),
            Err(e) => return Err(vec![CsvError::line(1, format!("unreadable header: {e}"))]),
        };
        let mut columns = [None; N];
        let mut errors = Vec::new();
        let wanted: Vec<&str> = expected
            .iter()
            .filter(|c| c.required)
            .filter_map(|c| c.names.first().copied())
            .collect();
        for (i, col) in expected.iter().enumerate() {
            columns[i] = col
                .names
                .iter()
                .find_map(|name| header.iter().position(|h| h == name));
            if columns[i].is_none() && col.required {
                let first = col.names.first().copied().unwrap_or_default();
                let message = if col.names.len() > 1 {
                    format!(
                        "the header has no '{first}' column (or {}; expected: {})",
                        col.names[1..]
                            .iter()
                            .map(|n| format!("'{n}'"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        wanted.join(",")
                    )
                } else {
                    format!(
                        "the header has no '{first}' column (expected: {})",
                        wanted.join(",")
                    )
                };
                errors.push(CsvError {
                    line: 1,
                    column: Some(first.into()),
                    message,
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            reader,
            input,
            columns,
            width: header.len(),
            record: csv::ByteRecord::new(),
            counted_to: 0,
            counted_line: 1,
        })
    }

    /// The 1-based line of the byte at `byte`, counted forward from the last one asked (records
    /// come in order, so the whole file is counted once).
    fn line_at(&mut self, byte: u64) -> u64 {
        let input = self.input;
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(input.len());
        // A record's position may point at the blank lines skipped before it.
        while byte < input.len() && matches!(input[byte], b'\n' | b'\r') {
            byte += 1;
        }
        if byte >= self.counted_to {
            self.counted_line += input[self.counted_to..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.counted_to = byte;
        }
        self.counted_line
    }

    /// Moves to the next record that is not blank and gives its line; `None` at the end. A
    /// record that is not UTF-8 text or has the wrong number of fields is an error at its line
    /// (reading may go on); a file the csv parser cannot read further ends with an error.
    pub fn next_record(&mut self) -> Option<Result<u64, CsvError>> {
        loop {
            let before = self.line_at(self.reader.position().byte());
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    // Nothing after a parse error can be trusted: report it and stop.
                    self.counted_to = self.input.len();
                    return Some(Err(CsvError::line(before, format!("malformed CSV: {e}"))));
                }
            }
            let line = match self.record.position() {
                Some(p) => self.line_at(p.byte()),
                None => before,
            };
            if self.record.iter().all(<[u8]>::is_empty) {
                continue;
            }
            if std::str::from_utf8(self.record.as_slice()).is_err() {
                return Some(Err(CsvError::line(line, "is not UTF-8 text")));
            }
            if self.record.len() != self.width {
                return Some(Err(CsvError::line(
                    line,
                    format!(
                        "expected {} fields, found {}",
                        self.width,
                        self.record.len()
                    ),
                )));
            }
            return Some(Ok(line));
        }
    }

    /// Expected column `i` of the current record (empty when the record has no such field),
    /// without the formula mark Duet's own exports add (see [`neutralise`]).
    pub fn cell(&self, i: usize) -> &str {
        restore(
            self.columns[i]
                .and_then(|c| self.record.get(c))
                .and_then(|c| std::str::from_utf8(c).ok())
                .unwrap_or(""),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Vec<Result<(u64, String, String), CsvError>> {
        let mut csv = CsvInput::open(input.as_bytes(), ["b", "a"]).unwrap();
        let mut out = Vec::new();
        while let Some(r) = csv.next_record() {
            out.push(r.map(|line| (line, csv.cell(0).to_string(), csv.cell(1).to_string())));
        }
        out
    }

    #[test]
    fn columns_are_found_by_name_and_lines_count_blank_ones() {
        let rows = read("\u{feff}A,B,extra\n1,2,x\n\n\n3,4,y\n");
        assert_eq!(
            rows,
            vec![
                Ok((2, "2".into(), "1".into())),
                Ok((5, "4".into(), "3".into()))
            ]
        );
    }

    #[test]
    fn a_short_line_is_an_error_at_its_line_and_reading_goes_on() {
        let rows = read("a,b\n1,2\n3\n5,6\n");
        assert_eq!(
            rows[1],
            Err(CsvError::line(3, "expected 2 fields, found 1"))
        );
        assert_eq!(rows[2], Ok((4, "6".into(), "5".into())));
    }

    #[test]
    fn a_missing_column_names_the_expected_header() {
        let Err(errors) = CsvInput::open(b"a,c\n1,2\n", ["a", "b"]) else {
            panic!("a file without column b must be refused")
        };
        assert_eq!(errors[0].column.as_deref(), Some("b"));
        assert!(errors[0].message.contains("expected: a,b"), "{errors:?}");
    }
}
