//! Departments, people and levels as validated values.

use crate::error::{FieldError, ValidationErrors, bounded_text};
use crate::org::Email;
use std::fmt;

wire_enum!(
    /// Whether a department is IT or one of the business departments IT serves.
    DepartmentKind, "kind" {
        It = "it" / "IT",
        Business = "business" / "Business",
    }
);

wire_enum!(
    /// Where a person sits: relationships are observed at each of these levels.
    Level, "level" {
        Executive = "executive" / "Executive",
        Manager = "manager" / "Manager",
        Individual = "individual" / "Individual",
    }
);

/// Declares an integer id newtype so ids of different things cannot be mixed up.
macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }
    };
}

id_type!(
    /// Identifies a department.
    DepartmentId
);
id_type!(
    /// Identifies a person.
    PersonId
);
id_type!(
    /// Identifies an account that can sign in.
    UserId
);

/// The departments `duet init` creates: IT plus the business departments named in the essays.
pub const STANDARD_DEPARTMENTS: &[(&str, DepartmentKind)] = &[
    ("IT", DepartmentKind::It),
    ("Accounting", DepartmentKind::Business),
    ("Business Development", DepartmentKind::Business),
    ("Customer Service", DepartmentKind::Business),
    ("Finance", DepartmentKind::Business),
    ("Human Resources", DepartmentKind::Business),
    ("Marketing", DepartmentKind::Business),
    ("Operations", DepartmentKind::Business),
    ("Sales", DepartmentKind::Business),
];

/// A department as entered: a trimmed name of 1–80 characters and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentInput {
    /// Unique display name ("Customer Service").
    pub name: String,
    /// IT or business.
    pub kind: DepartmentKind,
    /// For business departments: the person who leads it.
    pub leader: Option<PersonId>,
    /// For business departments: the IT person who partners with it.
    pub it_partner: Option<PersonId>,
}

impl DepartmentInput {
    /// Validates raw form or JSON values; the leader and partner are only meaningful for business
    /// departments, so an IT department with either set is refused rather than silently cleared.
    pub fn parse(
        name: &str,
        kind: &str,
        leader: Option<i64>,
        it_partner: Option<i64>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let name = errs.check(bounded_text("name", name, 1, 80));
        let kind = errs.check(kind.parse::<DepartmentKind>());
        if kind == Some(DepartmentKind::It) {
            if leader.is_some() {
                errs.0.push(FieldError::new(
                    "leader_id",
                    "only business departments have a business leader",
                ));
            }
            if it_partner.is_some() {
                errs.0.push(FieldError::new(
                    "it_partner_id",
                    "only business departments have an IT partner",
                ));
            }
        }
        match (name, kind) {
            (Some(name), Some(kind)) if errs.0.is_empty() => Ok(Self {
                name,
                kind,
                leader: leader.map(PersonId),
                it_partner: it_partner.map(PersonId),
            }),
            _ => Err(errs),
        }
    }
}

/// A person as entered. The department is referred to by id; the store checks it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInput {
    /// Full name as the person writes it.
    pub name: String,
    /// Unique, case-insensitive.
    pub email: Email,
    /// The department the person belongs to.
    pub department: DepartmentId,
    /// Job title; may be empty.
    pub title: String,
    /// Executive, manager or individual contributor.
    pub level: Level,
}

impl PersonInput {
    /// Validates raw values and reports every bad field at once.
    pub fn parse(
        name: &str,
        email: &str,
        department: Option<i64>,
        title: &str,
        level: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let name = errs.check(bounded_text("name", name, 1, 120));
        let email = errs.check(Email::parse(email));
        let department = match department {
            Some(id) if id > 0 => Some(DepartmentId(id)),
            _ => {
                errs.0.push(FieldError::new("department_id", "is required"));
                None
            }
        };
        let title = errs.check(bounded_text("title", title, 0, 120));
        let level = errs.check(level.parse::<Level>());
        match (name, email, department, title, level) {
            (Some(name), Some(email), Some(department), Some(title), Some(level)) => Ok(Self {
                name,
                email,
                department,
                title,
                level,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_enums_round_trip_and_accept_labels() {
        for l in Level::ALL {
            assert_eq!(l.as_str().parse::<Level>().ok(), Some(*l));
            assert_eq!(l.label().parse::<Level>().ok(), Some(*l));
        }
        assert_eq!(
            "IT".parse::<DepartmentKind>().ok(),
            Some(DepartmentKind::It)
        );
        let err = "boss".parse::<Level>().err();
        assert_eq!(err.map(|e| e.field), Some("level".into()));
    }

    #[test]
    fn person_input_reports_every_bad_field() {
        let errs = PersonInput::parse("", "nope", None, "Analyst", "wizard")
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "email", "department_id", "level"]);
    }

    #[test]
    fn it_department_cannot_have_a_business_leader() {
        let errs = DepartmentInput::parse("IT", "it", Some(1), None)
            .err()
            .unwrap_or_default();
        assert_eq!(errs.0.first().map(|e| e.field.as_str()), Some("leader_id"));
        assert!(DepartmentInput::parse("Sales", "business", Some(1), Some(2)).is_ok());
    }
}
