//! Finding the software a company pays for in an expense export (vendor, amount, date,
//! department — columns by header name, any others ignored): charges are grouped by vendor and
//! department into proposed register entries, each with its charges, what it cost over the last
//! year, and how often it seems to renew.

use super::identifiers::alias_key;
use super::register::Interval;
use crate::csv_input::{CsvError, CsvInput};
use crate::finance::Money;
use chrono::NaiveDate;

/// One charge of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// Its line in the file.
    pub line: u64,
    /// Who was paid.
    pub vendor: String,
    /// How much.
    pub amount: Money,
    /// When.
    pub date: NaiveDate,
    /// Which department paid, as the export names it.
    pub department: String,
}

/// Reads an expense export; every bad cell is named by line and column and nothing is kept.
pub fn parse(input: &[u8]) -> Result<Vec<Charge>, Vec<CsvError>> {
    let mut csv = CsvInput::open(input, ["vendor", "amount", "date", "department"])?;
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    while let Some(next) = csv.next_record() {
        let line = match next {
            Ok(line) => line,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let need = |col: &str, v: &str, errors: &mut Vec<CsvError>| {
            if v.trim().is_empty() {
                errors.push(CsvError {
                    line,
                    column: Some(col.into()),
                    message: "is required".into(),
                });
            }
        };
        let (vendor, department) = (csv.cell(0).trim(), csv.cell(3).trim());
        need("vendor", vendor, &mut errors);
        need("department", department, &mut errors);
        let amount = Money::parse("amount", csv.cell(1)).map_err(|e| CsvError::at(line, e));
        let date =
            NaiveDate::parse_from_str(csv.cell(2).trim(), "%Y-%m-%d").map_err(|_| CsvError {
                line,
                column: Some("date".into()),
                message: format!(
                    "\u{201c}{}\u{201d} is not a date (YYYY-MM-DD)",
                    csv.cell(2).trim()
                ),
            });
        match (amount, date) {
            (Ok(amount), Ok(date)) if !vendor.is_empty() && !department.is_empty() => {
                rows.push(Charge {
                    line,
                    vendor: vendor.to_string(),
                    amount,
                    date,
                    department: department.to_string(),
                })
            }
            (a, d) => {
                errors.extend(a.err());
                errors.extend(d.err());
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

/// A register entry the charges suggest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    /// The vendor, as the export spells it.
    pub vendor: String,
    /// The department, as the export names it.
    pub department: String,
    /// How many charges.
    pub charges: usize,
    /// The latest charge (what each renewal costs).
    pub cost: Money,
    /// What the charges of the last year add up to.
    pub last_year: Money,
    /// How often it seems to renew (by the typical gap between charges).
    pub interval: Interval,
    /// The next renewal: the latest charge plus the interval.
    pub renewal_on: NaiveDate,
}

/// Groups `charges` by vendor and department (names compared without case or punctuation) into
/// proposals, as of `today`, largest yearly spend first.
pub fn propose(charges: &[Charge], today: NaiveDate) -> Vec<Proposed> {
    use std::collections::BTreeMap;
    let mut groups: BTreeMap<(String, String), Vec<&Charge>> = BTreeMap::new();
    for c in charges {
        groups
            .entry((alias_key(&c.vendor), alias_key(&c.department)))
            .or_default()
            .push(c);
    }
    let mut out: Vec<Proposed> = groups
        .into_values()
        .map(|mut list| {
            list.sort_by_key(|c| c.date);
            let mut gaps: Vec<i64> = list
                .windows(2)
                .map(|w| (w[1].date - w[0].date).num_days())
                .collect();
            gaps.sort_unstable();
            let interval = match gaps.get(gaps.len() / 2) {
                Some(g) if *g <= 40 => Interval::Monthly,
                Some(g) if *g <= 120 => Interval::Quarterly,
                _ => Interval::Yearly,
            };
            let last = list[list.len() - 1];
            let months = match interval {
                Interval::Monthly => 1,
                Interval::Quarterly => 3,
                _ => 12,
            };
            let renewal_on = last
                .date
                .checked_add_months(chrono::Months::new(months))
                .unwrap_or(last.date);
            let year_ago = today - chrono::Duration::days(365);
            Proposed {
                vendor: last.vendor.clone(),
                department: last.department.clone(),
                charges: list.len(),
                cost: last.amount,
                last_year: Money(
                    list.iter()
                        .filter(|c| c.date > year_ago)
                        .map(|c| c.amount.0)
                        .sum(),
                ),
                interval,
                renewal_on,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.last_year
            .0
            .cmp(&a.last_year.0)
            .then(a.vendor.cmp(&b.vendor))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_grouped_into_proposals_with_their_rhythm() {
        let csv = "Date,Vendor,Department,Amount,Memo\n2026-09-03,Zoom,Sales,500.00,x\n2026-10-03,ZOOM ,sales,500.00,\n2026-11-03,Zoom,Sales,520.00,\n2026-02-10,Gong.io,Sales,\"36,000.00\",\n";
        let rows = parse(csv.as_bytes()).unwrap();
        let p = propose(&rows, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].vendor.as_str(), p[0].interval, p[0].last_year),
            ("Gong.io", Interval::Yearly, Money(3_600_000))
        );
        assert_eq!(
            (p[1].charges, p[1].interval, p[1].cost),
            (3, Interval::Monthly, Money(52_000))
        );
        assert_eq!(
            p[1].renewal_on,
            NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
        );
    }

    #[test]
    fn a_bad_export_names_line_and_column() {
        let e = parse(b"vendor,amount,date\nZoom,5,2026-01-01\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column.as_deref()), (1, Some("department")));
        let e =
            parse(b"vendor,amount,date,department\nZoom,five,2026-13-01,Sales\n,5,2026-01-01,\n")
                .unwrap_err();
        let got: Vec<(u64, &str)> = e
            .iter()
            .map(|e| (e.line, e.column.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            got,
            [(2, "amount"), (2, "date"), (3, "vendor"), (3, "department")]
        );
    }
}
