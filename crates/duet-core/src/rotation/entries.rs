//! What people enter in a rotation cycle, checked: a host department's placement offer, an
//! application with its ranked host departments, a manager's release, and a guest's reflection.

use super::fit::skills;
use crate::error::bounded_text;
use crate::{FieldError, ValidationErrors};

/// The most host departments an applicant may rank.
pub const MAX_CHOICES: usize = 3;

/// The most guests one placement may take.
pub const MAX_CAPACITY: u32 = 20;

/// A placement a host department offers, as entered (the buddy is a person the service checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferInput {
    /// The role the guest takes ("Junior account manager").
    pub role: String,
    /// What the guest will do.
    pub work: String,
    /// How many guests it takes.
    pub capacity: u32,
    /// Skills the placement teaches.
    pub teaches: Vec<String>,
    /// Skills the host needs.
    pub needs: Vec<String>,
}

impl OfferInput {
    /// Checks raw values, naming every bad field.
    pub fn parse(
        role: &str,
        work: &str,
        capacity: &str,
        teaches: &str,
        needs: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let role = errs.check(bounded_text("role", role, 3, 120));
        let work = errs.check(bounded_text("work", work, 10, 2000));
        let capacity = errs.check(
            capacity
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|c| (1..=MAX_CAPACITY).contains(c))
                .ok_or_else(|| {
                    FieldError::new(
                        "capacity",
                        format!("a placement takes 1 to {MAX_CAPACITY} guests"),
                    )
                }),
        );
        let teaches = errs.check(skills("teaches", teaches));
        let needs = errs.check(skills("needs", needs));
        match (role, work, capacity, teaches, needs) {
            (Some(role), Some(work), Some(capacity), Some(teaches), Some(needs))
                if errs.0.is_empty() =>
            {
                Ok(Self {
                    role,
                    work,
                    capacity,
                    teaches,
                    needs,
                })
            }
            _ => Err(errs),
        }
    }
}

/// An application as entered: the host departments are ids the service checks take part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationInput {
    /// Why they apply, what interests them.
    pub interests: String,
    /// Skills they bring.
    pub brings: Vec<String>,
    /// Skills they want to learn.
    pub wants: Vec<String>,
    /// When they can and cannot be away ("not the last week of March").
    pub availability: String,
    /// Host departments, first choice first.
    pub choices: Vec<i64>,
}

impl ApplicationInput {
    /// Checks raw values, naming every bad field; `choices` are the ranked picks in order
    /// (`choice_1`, `choice_2`, …), blanks allowed after the first.
    pub fn parse(
        interests: &str,
        brings: &str,
        wants: &str,
        availability: &str,
        choices: &[Option<i64>],
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let interests = errs.check(bounded_text("interests", interests, 10, 2000));
        let brings = errs.check(skills("brings", brings));
        let wants = errs.check(skills("wants", wants));
        let availability = errs.check(bounded_text("availability", availability, 0, 500));
        let mut ranked: Vec<i64> = Vec::new();
        for (i, c) in choices.iter().enumerate() {
            let Some(d) = c else { continue };
            if ranked.contains(d) {
                errs.0.push(FieldError::new(
                    format!("choice_{}", i + 1),
                    "this department is already ranked higher: choose each department once",
                ));
            } else {
                ranked.push(*d);
            }
        }
        if ranked.is_empty() {
            errs.0.push(FieldError::new(
                "choice_1",
                "choose at least the host department you would most like to join",
            ));
        }
        if ranked.len() > MAX_CHOICES {
            errs.0.push(FieldError::new(
                "choices",
                format!("rank at most {MAX_CHOICES} host departments"),
            ));
        }
        match (interests, brings, wants, availability) {
            (Some(interests), Some(brings), Some(wants), Some(availability))
                if errs.0.is_empty() =>
            {
                Ok(Self {
                    interests,
                    brings,
                    wants,
                    availability,
                    choices: ranked,
                })
            }
            _ => Err(errs),
        }
    }
}

wire_enum!(
    /// Where a manager's answer to an application stands.
    Release, "release" {
        Pending = "pending" / "Waiting for the manager",
        Released = "released" / "Released",
        Declined = "declined" / "Not released",
    }
);

/// A manager's answer: release, or decline with a reason the applicant reads (at least 10
/// characters: "not now" tells them nothing). Returns the decision and the reason.
pub fn parse_release(decision: &str, reason: &str) -> Result<(Release, String), ValidationErrors> {
    let decision = decision
        .parse::<Release>()
        .ok()
        .filter(|d| *d != Release::Pending)
        .ok_or_else(|| {
            ValidationErrors(vec![FieldError::new(
                "decision",
                "release the applicant, or decline with a reason",
            )])
        })?;
    match decision {
        Release::Declined => bounded_text("reason", reason, 10, 1000)
            .map(|r| (decision, r))
            .map_err(|e| ValidationErrors(vec![e])),
        _ => bounded_text("reason", reason, 0, 1000)
            .map(|r| (decision, r))
            .map_err(|e| ValidationErrors(vec![e])),
    }
}

wire_enum!(
    /// When in a placement a reflection is written.
    Stage, "stage" {
        Start = "start" / "At the start",
        Middle = "middle" / "In the middle",
        End = "end" / "At the end",
    }
);

/// A guest's reflection, as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReflectionInput {
    /// Start, middle or end.
    pub stage: Stage,
    /// What surprised them.
    pub surprised: String,
    /// A pain point of the host they now understand.
    pub pain_point: String,
    /// One change they will carry back.
    pub carry_back: String,
    /// Shared with the host department, or kept private.
    pub shared: bool,
}

impl ReflectionInput {
    /// Checks raw values, naming every bad field; at least one of the three answers is written.
    pub fn parse(
        stage: &str,
        surprised: &str,
        pain_point: &str,
        carry_back: &str,
        shared: bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let stage = errs.check(stage.parse::<Stage>());
        let surprised = errs.check(bounded_text("surprised", surprised, 0, 2000));
        let pain_point = errs.check(bounded_text("pain_point", pain_point, 0, 2000));
        let carry_back = errs.check(bounded_text("carry_back", carry_back, 0, 2000));
        if let (Some(a), Some(b), Some(c)) = (&surprised, &pain_point, &carry_back)
            && a.chars().count() + b.chars().count() + c.chars().count() < 10
        {
            errs.0.push(FieldError::new(
                "surprised",
                "write at least a sentence in one of the three answers",
            ));
        }
        match (stage, surprised, pain_point, carry_back) {
            (Some(stage), Some(surprised), Some(pain_point), Some(carry_back))
                if errs.0.is_empty() =>
            {
                Ok(Self {
                    stage,
                    surprised,
                    pain_point,
                    carry_back,
                    shared,
                })
            }
            _ => Err(errs),
        }
    }
}

/// How many of a department may be away at once under a cycle's share (percent of its people,
/// rounded down, at least one so a small team can still take part).
pub fn team_cap(headcount: u32, away_percent: u32) -> u32 {
    (headcount * away_percent / 100).max(1)
}

/// Reads the share of a department that may be away at once: 5 to 50 percent.
pub fn parse_away_percent(raw: &str) -> Result<u32, FieldError> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (5..=50).contains(p))
        .ok_or_else(|| {
            FieldError::new(
                "away_percent",
                "give a share of 5 to 50 percent: enough to take part, never enough to empty a team",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_names_every_bad_field() {
        let ok = OfferInput::parse(
            "Sales operations analyst",
            "Runs the weekly pipeline review with the team",
            "2",
            "CRM, forecasting",
            "SQL",
        )
        .unwrap();
        assert_eq!(ok.capacity, 2);
        assert_eq!(ok.teaches, ["crm", "forecasting"]);
        let errs = OfferInput::parse("x", "short", "0", "", "").unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["role", "work", "capacity"]);
    }

    #[test]
    fn an_application_ranks_each_department_once() {
        let ok = ApplicationInput::parse(
            "I want to see how Sales uses the CRM",
            "sql",
            "negotiation",
            "",
            &[Some(4), None, Some(9)],
        )
        .unwrap();
        assert_eq!(ok.choices, [4, 9]);
        let errs = ApplicationInput::parse("I want to learn", "", "", "", &[Some(4), Some(4)])
            .unwrap_err();
        assert_eq!(errs.0[0].field, "choice_2");
        let errs = ApplicationInput::parse("Curious about it", "", "", "", &[None]).unwrap_err();
        assert_eq!(errs.0[0].field, "choice_1");
    }

    #[test]
    fn a_decline_needs_a_reason_and_a_release_does_not() {
        assert_eq!(
            parse_release("released", "").unwrap(),
            (Release::Released, String::new())
        );
        assert_eq!(
            parse_release("declined", "no").unwrap_err().0[0].field,
            "reason"
        );
        assert_eq!(
            parse_release("pending", "").unwrap_err().0[0].field,
            "decision"
        );
    }

    #[test]
    fn a_reflection_says_something() {
        assert!(ReflectionInput::parse("middle", "", "", "Month-end is brutal", true).is_ok());
        assert_eq!(
            ReflectionInput::parse("middle", "", "", "", false)
                .unwrap_err()
                .0[0]
                .field,
            "surprised"
        );
        assert_eq!(
            ReflectionInput::parse("later", "A lot to learn", "", "", false)
                .unwrap_err()
                .0[0]
                .field,
            "stage"
        );
    }

    #[test]
    fn a_team_cap_never_empties_nor_closes_a_team() {
        assert_eq!(team_cap(40, 10), 4);
        assert_eq!(team_cap(3, 10), 1);
        assert_eq!(parse_away_percent("60").unwrap_err().field, "away_percent");
        assert_eq!(parse_away_percent(" 20 ").unwrap(), 20);
    }
}
