//! The monthly edition: a newsletter Duet drafts from its own records and an editor reviews.
//!
//! Every line of a draft comes from one record (delivered work, a funded portfolio item, a kept
//! promise, a delivery date ahead, a pain point that became delivered work, a department's IT
//! partner, a post) and links to it. The editor may rewrite a line, leave it out or add one;
//! links stay within what the edition holds, so the counting redirect never sends a reader
//! anywhere an editor did not put in it.

use crate::FieldError;
use crate::metrics::Period;
use chrono::NaiveDate;

wire_enum!(
    /// The parts of an edition, in the order a reader meets them.
    Section as EditionSection, "section" {
        /// Work delivered in the month, with its business owner.
        Delivered = "delivered" / "Delivered this month",
        /// Portfolio items funded in the month.
        Funded = "funded" / "Newly funded",
        /// Promises kept in the month, both ways.
        Kept = "kept" / "Promises kept",
        /// Delivery dates in the next 60 days.
        Coming = "coming" / "Coming up",
        /// Pain points raised in Voice that became delivered work.
        YouSaid = "you_said" / "You said, we did",
        /// Each department's IT partner and the intake.
        Help = "help" / "Where to get help",
        /// The month's posts.
        Posts = "posts" / "This month's posts",
    }
);

wire_enum!(
    /// Where an edition is in its life.
    EditionStatus, "status" {
        /// Being edited; only editors see it.
        Draft = "draft" / "Draft",
        /// Queued to go at its send time; readers see it from then on.
        Scheduled = "scheduled" / "Scheduled",
    }
);

/// How far ahead "coming up" looks, in days.
pub const COMING_DAYS: i64 = 60;
/// The longest line, in characters.
pub const MAX_LINE: usize = 500;
/// The longest link, in characters.
pub const MAX_LINK: usize = 2000;

/// The days an edition of `month` covers: its first day and the first day of the next month.
pub fn window(month: Period) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(month.year, month.month, 1).unwrap_or(NaiveDate::MIN);
    let next = if month.month == 12 {
        NaiveDate::from_ymd_opt(month.year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(month.year, month.month + 1, 1)
    }
    .unwrap_or(NaiveDate::MAX);
    (first, next)
}

/// The title a draft starts with, e.g. "Duet news, November 2026".
pub fn default_title(month: Period) -> String {
    let (first, _) = window(month);
    format!("Duet news, {}", first.format("%B %Y"))
}

/// A line of an edition: 3 to 500 characters once trimmed.
pub fn parse_line(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let n = t.chars().filter(|c| !c.is_control()).count();
    if n < 3 {
        return Err(FieldError::new(field, "needs at least 3 characters"));
    }
    if n > MAX_LINE {
        return Err(FieldError::new(
            field,
            format!("is {n} characters long; keep a line under {MAX_LINE}"),
        ));
    }
    Ok(t.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string())
}

/// Where a line links: a path in Duet (`/requests/12`) or an `http(s)` address. Nothing that a
/// browser could read as another site's path (`//evil`, `/\evil`), no script, no spaces.
pub fn parse_link(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let bad = |why: &str| Err(FieldError::new(field, why.to_string()));
    if t.is_empty() {
        return bad("is empty: give the page the line points to, e.g. /requests/12");
    }
    if t.chars().count() > MAX_LINK {
        return bad("is too long for a link");
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("has spaces in it; a link has none");
    }
    let lower = t.to_ascii_lowercase();
    let path = t.starts_with('/') && !t.starts_with("//") && !t.starts_with("/\\");
    let web = (lower.starts_with("https://") || lower.starts_with("http://"))
        && t.split("://").nth(1).is_some_and(|rest| {
            rest.split(['/', '?', '#'])
                .next()
                .is_some_and(|h| !h.is_empty())
        });
    if path || web {
        Ok(t.to_string())
    } else {
        bad("must be a page in Duet (starting with /) or an http(s) address")
    }
}

/// Whether a line meant for `department` (none: everyone) reaches a reader of `reader`'s
/// department (none: a reader with no department, or the editor's view of everyone).
pub fn reaches(line_department: Option<i64>, reader: Option<i64>) -> bool {
    match line_department {
        None => true,
        Some(d) => reader == Some(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_covers_its_days_and_december_rolls_over() {
        let p = Period::parse("2026-12").unwrap();
        let (a, b) = window(p);
        assert_eq!(a, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(b, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(default_title(p), "Duet news, December 2026");
    }

    #[test]
    fn links_stay_in_duet_or_on_the_web() {
        assert_eq!(parse_link("l", " /requests/12 ").unwrap(), "/requests/12");
        assert!(parse_link("l", "https://intranet.example/help").is_ok());
        for bad in [
            "",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "https://",
            "/a b",
            "ftp://x",
            "evil.example",
        ] {
            assert!(parse_link("l", bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn lines_are_checked_by_visible_length() {
        assert!(parse_line("l", "ab").is_err());
        assert!(parse_line("l", &"x".repeat(MAX_LINE + 1)).is_err());
        assert_eq!(parse_line("l", "  Done \u{7} ").unwrap(), "Done");
    }

    #[test]
    fn a_department_line_reaches_only_that_department() {
        assert!(reaches(None, None));
        assert!(reaches(None, Some(3)));
        assert!(reaches(Some(3), Some(3)));
        assert!(!reaches(Some(3), Some(4)));
        assert!(!reaches(Some(3), None));
    }
}
