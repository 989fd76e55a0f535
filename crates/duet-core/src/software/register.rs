//! A register entry as people enter it, and a security review's decision: every bad field is
//! named. Identifiers are optional, but an entry without one cannot be matched, and says so.

use super::identifiers::{Cpe, Purl, alias_key};
use crate::error::bounded_text;
use crate::finance::Money;
use crate::{FieldError, ValidationErrors};
use chrono::NaiveDate;

wire_enum!(
    /// The most sensitive data a tool holds.
    DataClass, "data_class" {
        Public = "public" / "Public",
        Internal = "internal" / "Internal",
        Personal = "personal" / "Personal data",
        Sensitive = "sensitive" / "Sensitive",
    }
);

wire_enum!(
    /// How often a subscription renews.
    Interval, "renewal_interval" {
        None = "none" / "Does not renew",
        Monthly = "monthly" / "Monthly",
        Quarterly = "quarterly" / "Quarterly",
        Yearly = "yearly" / "Yearly",
    }
);

wire_enum!(
    /// How an entry came to the register.
    Found, "found" {
        Declared = "declared" / "Declared by its team",
        Imported = "imported" / "Imported",
        FirstSeen = "first_seen" / "Seen in use by IT",
    }
);

wire_enum!(
    /// A security review's decision: "yes, safely" in three forms.
    Decision, "decision" {
        Approved = "approved" / "Approved",
        Conditional = "conditional" / "Approved with conditions",
        NotApproved = "not_approved" / "Not approved, with a safe alternative",
    }
);

/// A register entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftwareInput {
    /// What people call it.
    pub name: String,
    /// Who makes it.
    pub vendor: String,
    /// What it is for (the need it meets).
    pub purpose: String,
    /// What kind of tool ("video calls"): two departments' tools of one kind are shown together.
    pub category: String,
    /// The owning department.
    pub department: i64,
    /// The business owner (a person), if named.
    pub owner: Option<i64>,
    /// The data it holds.
    pub data_class: DataClass,
    /// How many people use it.
    pub users: u32,
    /// What each renewal costs.
    pub cost: Option<Money>,
    /// The next renewal.
    pub renewal_on: Option<NaiveDate>,
    /// How often it renews.
    pub interval: Interval,
    /// A CPE 2.3 name.
    pub cpe: Option<Cpe>,
    /// A package URL.
    pub purl: Option<Purl>,
    /// The version in use.
    pub version: Option<String>,
    /// Other vendor/product names it goes by, one `vendor/product` per line.
    pub aliases: Vec<(String, String)>,
}

/// The raw fields of an entry, as a form or the API sends them.
#[derive(Debug, Clone, Default)]
pub struct SoftwareRaw<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its vendor.
    pub vendor: &'a str,
    /// What it is for.
    pub purpose: &'a str,
    /// Its kind of tool.
    pub category: &'a str,
    /// The owning department.
    pub department: Option<i64>,
    /// The business owner (a person).
    pub owner: Option<i64>,
    /// public, internal, personal or sensitive.
    pub data_class: &'a str,
    /// How many use it.
    pub users: &'a str,
    /// Each renewal's cost.
    pub cost: &'a str,
    /// YYYY-MM-DD.
    pub renewal_on: &'a str,
    /// none, monthly, quarterly or yearly.
    pub interval: &'a str,
    /// A CPE 2.3 name.
    pub cpe: &'a str,
    /// A package URL.
    pub purl: &'a str,
    /// The version in use.
    pub version: &'a str,
    /// vendor/product lines.
    pub aliases: &'a str,
}

impl SoftwareInput {
    /// Checks every field, naming each bad one.
    pub fn parse(r: &SoftwareRaw<'_>) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let name = errs.check(bounded_text("name", r.name, 2, 120));
        let vendor = errs.check(bounded_text("vendor", r.vendor, 2, 120));
        let purpose = errs.check(bounded_text("purpose", r.purpose, 10, 2000));
        let category = errs.check(bounded_text("category", r.category, 0, 80));
        if r.department.is_none() {
            errs.0.push(FieldError::new(
                "department_id",
                "choose the department that uses it",
            ));
        }
        let data_class = errs.check(r.data_class.parse::<DataClass>());
        let users = if r.users.trim().is_empty() {
            Some(0)
        } else {
            errs.check(
                r.users
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|u| *u <= 1_000_000)
                    .ok_or_else(|| {
                        FieldError::new("users", "give how many people use it, as a whole number")
                    }),
            )
        };
        let cost = if r.cost.trim().is_empty() {
            Some(None)
        } else {
            errs.check(Money::parse("cost", r.cost)).map(Some)
        };
        let renewal_on = if r.renewal_on.trim().is_empty() {
            Some(None)
        } else {
            errs.check(
                NaiveDate::parse_from_str(r.renewal_on.trim(), "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        FieldError::new("renewal_on", "give the renewal date as YYYY-MM-DD")
                    }),
            )
        };
        let interval = if r.interval.trim().is_empty() {
            Some(Interval::None)
        } else {
            errs.check(r.interval.parse::<Interval>())
        };
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let cpe = match opt(r.cpe) {
            Some(c) => errs.check(Cpe::parse("cpe", &c)).map(Some),
            None => Some(None),
        };
        let purl = match opt(r.purl) {
            Some(p) => errs.check(Purl::parse("purl", &p)).map(Some),
            None => Some(None),
        };
        let version = errs
            .check(bounded_text("version", r.version, 0, 60))
            .map(|v| (!v.is_empty()).then_some(v));
        let mut aliases = Vec::new();
        for (i, line) in r.aliases.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match line.split_once('/') {
                Some((v, p)) if !alias_key(v).is_empty() && !alias_key(p).is_empty() => {
                    aliases.push((alias_key(v), alias_key(p)));
                }
                _ => errs.0.push(FieldError::new(
                    "aliases",
                    format!("line {}: write each other name as vendor/product (\u{201c}Zoom/Zoom Workplace\u{201d})", i + 1),
                )),
            }
        }
        match (
            name,
            vendor,
            purpose,
            category,
            r.department,
            data_class,
            users,
            cost,
            renewal_on,
            interval,
            cpe,
            purl,
            version,
        ) {
            (
                Some(name),
                Some(vendor),
                Some(purpose),
                Some(category),
                Some(department),
                Some(data_class),
                Some(users),
                Some(cost),
                Some(renewal_on),
                Some(interval),
                Some(cpe),
                Some(purl),
                Some(version),
            ) if errs.0.is_empty() => Ok(Self {
                name,
                vendor,
                purpose,
                category,
                department,
                owner: r.owner,
                data_class,
                users,
                cost,
                renewal_on,
                interval,
                cpe,
                purl,
                version,
                aliases,
            }),
            _ => Err(errs),
        }
    }

    /// Whether an advisory can ever match it by an identifier (else it is flagged).
    pub fn identified(&self) -> bool {
        self.cpe.is_some() || self.purl.is_some()
    }
}

/// The names an entry is matched by: its own vendor and name, and its aliases.
pub fn alias_keys(vendor: &str, name: &str, aliases: &str) -> Vec<(String, String)> {
    let mut out = vec![(alias_key(vendor), alias_key(name))];
    for line in aliases.lines() {
        if let Some((v, p)) = line.split_once('/') {
            let k = (alias_key(v), alias_key(p));
            if !k.0.is_empty() && !k.1.is_empty() && !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

/// A security review, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewInput {
    /// The decision.
    pub decision: Decision,
    /// Why, in the reviewer's words.
    pub note: String,
    /// Conditions (with `Conditional`), one per line.
    pub conditions: Vec<String>,
    /// The safe alternative (required with `NotApproved`: a "no" always says how to do it safely).
    pub alternative: String,
    /// When to review it again.
    pub review_again_on: NaiveDate,
}

impl ReviewInput {
    /// Checks the fields, naming every bad one; the next review is after `today`.
    pub fn parse(
        decision: &str,
        note: &str,
        conditions: &str,
        alternative: &str,
        review_again_on: &str,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let decision = errs.check(decision.parse::<Decision>());
        let note = errs.check(bounded_text("note", note, 10, 2000));
        let conditions: Vec<String> = conditions
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if conditions.iter().any(|c| c.chars().count() > 200) {
            errs.0.push(FieldError::new(
                "conditions",
                "a condition is at most 200 characters",
            ));
        }
        let alternative = alternative.trim().to_string();
        match decision {
            Some(Decision::Conditional) if conditions.is_empty() => errs.0.push(FieldError::new(
                "conditions",
                "name the conditions, one per line (\u{201c}SSO on\u{201d}, \u{201c}no personal data\u{201d})",
            )),
            Some(Decision::NotApproved) if alternative.chars().count() < 10 => errs.0.push(FieldError::new(
                "alternative",
                "a \u{201c}no\u{201d} names a safe way to meet the same need",
            )),
            _ => {}
        }
        let again = errs.check(
            NaiveDate::parse_from_str(review_again_on.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| *d > today)
                .ok_or_else(|| {
                    FieldError::new(
                        "review_again_on",
                        "give a date after today to review it again",
                    )
                }),
        );
        match (decision, note, again) {
            (Some(decision), Some(note), Some(review_again_on)) if errs.0.is_empty() => Ok(Self {
                conditions: if decision == Decision::Conditional {
                    conditions
                } else {
                    Vec::new()
                },
                decision,
                note,
                alternative,
                review_again_on,
            }),
            _ => Err(errs),
        }
    }
}

/// The lead times, in days, at which an owner is reminded of a renewal: 90, 30 and on the day.
pub const REMINDER_DAYS: [i64; 3] = [90, 30, 0];

/// The reminders due for a renewal on `renewal_on` as of `today`: each lead time reached and not
/// past the renewal.
pub fn reminders_due(renewal_on: NaiveDate, today: NaiveDate) -> Vec<i64> {
    let left = (renewal_on - today).num_days();
    REMINDER_DAYS
        .iter()
        .copied()
        .filter(|d| left >= 0 && left <= *d)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>() -> SoftwareRaw<'a> {
        SoftwareRaw {
            name: "Zoom",
            vendor: "Zoom Video Communications",
            purpose: "Video calls with customers",
            category: "Video calls",
            department: Some(3),
            data_class: "internal",
            users: "40",
            cost: "4800.00",
            renewal_on: "2027-03-01",
            interval: "yearly",
            aliases: "Zoom/Zoom Workplace",
            ..Default::default()
        }
    }

    #[test]
    fn an_entry_names_every_bad_field() {
        let ok = SoftwareInput::parse(&raw()).unwrap();
        assert!(!ok.identified());
        assert_eq!(
            ok.aliases,
            [("zoom".to_string(), "zoom workplace".to_string())]
        );
        let bad = SoftwareInput::parse(&SoftwareRaw {
            name: "Z",
            purpose: "short",
            data_class: "secret",
            users: "many",
            cpe: "zoom",
            purl: "npm:x",
            aliases: "just a name",
            department: None,
            ..raw()
        })
        .unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "name",
            "purpose",
            "department_id",
            "data_class",
            "users",
            "cpe",
            "purl",
            "aliases",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn a_no_names_a_safe_alternative_and_conditions_are_listed() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let e = ReviewInput::parse(
            "not_approved",
            "Stores customer data in an unknown region",
            "",
            "",
            "2027-06-01",
            today,
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "alternative");
        let e = ReviewInput::parse(
            "conditional",
            "Fine with the right settings",
            "",
            "",
            "2027-06-01",
            today,
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "conditions");
        let ok = ReviewInput::parse(
            "conditional",
            "Fine with the right settings",
            "SSO on\n\nNo personal data",
            "",
            "2027-06-01",
            today,
        )
        .unwrap();
        assert_eq!(ok.conditions, ["SSO on", "No personal data"]);
        assert_eq!(
            ReviewInput::parse(
                "approved",
                "Reviewed the vendor's SOC 2",
                "",
                "",
                "2026-11-30",
                today
            )
            .unwrap_err()
            .0[0]
                .field,
            "review_again_on"
        );
    }

    #[test]
    fn renewals_are_reminded_at_90_and_30_days_and_on_the_day() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        assert_eq!(
            reminders_due(d, d - chrono::Duration::days(100)),
            Vec::<i64>::new()
        );
        assert_eq!(reminders_due(d, d - chrono::Duration::days(60)), [90]);
        assert_eq!(reminders_due(d, d - chrono::Duration::days(10)), [90, 30]);
        assert_eq!(reminders_due(d, d), [90, 30, 0]);
        assert!(reminders_due(d, d + chrono::Duration::days(1)).is_empty());
    }
}
