//! A rotation cycle as its owner opens it (dates, length, full or part time, the departments
//! taking part), and the rule that keeps one person out of two overlapping cycles.

use crate::error::bounded_text;
use crate::org::DepartmentKind;
use crate::{FieldError, ValidationErrors};
use chrono::{Duration, NaiveDate};

wire_enum!(
    /// How much of the week a guest spends with the host department.
    Commitment, "commitment" {
        FullTime = "full_time" / "Full time",
        PartTime = "part_time" / "Part time",
    }
);

/// The shortest and longest placement, in weeks (shorter teaches little; longer empties a team).
pub const WEEKS: std::ops::RangeInclusive<u32> = 2..=12;

/// A cycle as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleInput {
    /// What people see ("Spring 2027 rotation").
    pub title: String,
    /// The last day applications and host offers are taken.
    pub call_closes_on: NaiveDate,
    /// The first day of the placements.
    pub starts_on: NaiveDate,
    /// How long each placement lasts.
    pub weeks: u32,
    /// Full or part time.
    pub commitment: Commitment,
    /// The departments taking part (IT and at least one business department).
    pub departments: Vec<i64>,
}

impl CycleInput {
    /// The last day of the placements.
    pub fn ends_on(&self) -> NaiveDate {
        self.starts_on + Duration::days(i64::from(self.weeks) * 7 - 1)
    }

    /// Checks raw values, naming every bad field: the call closes on or after `today` and before
    /// the placements start; 2 to 12 weeks; IT and at least one business department take part
    /// (`departments` with their kinds, as the caller found them).
    pub fn parse(
        title: &str,
        call_closes_on: &str,
        starts_on: &str,
        weeks: &str,
        commitment: &str,
        departments: &[(i64, DepartmentKind)],
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let title = errs.check(bounded_text("title", title, 3, 120));
        let day = |field: &str, raw: &str| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map_err(|_| FieldError::new(field, "give a date as YYYY-MM-DD"))
        };
        let call = errs.check(day("call_closes_on", call_closes_on));
        let starts = errs.check(day("starts_on", starts_on));
        if let Some(c) = call.filter(|c| *c < today) {
            errs.0.push(FieldError::new(
                "call_closes_on",
                format!("{c} has passed: the call must stay open for people to apply"),
            ));
        }
        if let (Some(c), Some(s)) = (call, starts)
            && s <= c
        {
            errs.0.push(FieldError::new(
                "starts_on",
                "the placements start after the call closes, so managers can release people and the owner can match them",
            ));
        }
        let weeks = errs.check(
            weeks
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|w| WEEKS.contains(w))
                .ok_or_else(|| {
                    FieldError::new(
                        "weeks",
                        format!(
                            "a placement lasts {} to {} weeks",
                            WEEKS.start(),
                            WEEKS.end()
                        ),
                    )
                }),
        );
        let commitment = errs.check(commitment.parse::<Commitment>());
        let has = |k: DepartmentKind| departments.iter().any(|(_, kind)| *kind == k);
        if !has(DepartmentKind::It) || !has(DepartmentKind::Business) {
            errs.0.push(FieldError::new(
                "departments",
                "a rotation is between IT and the business: choose IT and at least one business department",
            ));
        }
        let mut ids: Vec<i64> = departments.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        match (title, call, starts, weeks, commitment) {
            (Some(title), Some(call_closes_on), Some(starts_on), Some(weeks), Some(commitment))
                if errs.0.is_empty() =>
            {
                Ok(Self {
                    title,
                    call_closes_on,
                    starts_on,
                    weeks,
                    commitment,
                    departments: ids,
                })
            }
            _ => Err(errs),
        }
    }
}

/// Whether two placements' spans (first and last day, inclusive) share a day: one person may
/// not be placed in both.
pub fn overlaps(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const BOTH: [(i64, DepartmentKind); 2] =
        [(1, DepartmentKind::It), (9, DepartmentKind::Business)];

    #[test]
    fn a_cycle_is_checked_field_by_field() {
        let today = d("2027-01-10");
        let c = CycleInput::parse(
            "Spring rotation",
            "2027-02-01",
            "2027-03-01",
            "6",
            "part_time",
            &BOTH,
            today,
        )
        .unwrap();
        assert_eq!(
            (c.ends_on(), c.departments.clone()),
            (d("2027-04-11"), vec![1, 9])
        );
        let e = CycleInput::parse(
            "S",
            "2027-01-01",
            "2026-12-01",
            "13",
            "weekends",
            &BOTH[..1],
            today,
        )
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "call_closes_on",
                "starts_on",
                "weeks",
                "commitment",
                "departments"
            ]
        );
        let e = CycleInput::parse(
            "Spring",
            "soon",
            "2027-03-01",
            "2",
            "full_time",
            &BOTH,
            today,
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "call_closes_on");
    }

    #[test]
    fn spans_that_share_a_day_overlap() {
        let a = (d("2027-03-01"), d("2027-04-11"));
        assert!(overlaps(a, (d("2027-04-11"), d("2027-05-01"))));
        assert!(!overlaps(a, (d("2027-04-12"), d("2027-05-01"))));
        assert!(overlaps(a, (d("2027-01-01"), d("2027-12-31"))));
    }
}
