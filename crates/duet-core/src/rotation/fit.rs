//! How well one applicant fits one placement, term by term ([`Fit`]): the applicant's ranking of
//! the host department, the skills they want and the placement teaches, the skills they bring
//! and the host needs, and a weight toward department pairs whose relationship is weakest.

use super::matching::Fit;
use crate::FieldError;

/// The weight of each term in the total (the owner may change them for a cycle).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Weights {
    /// The applicant's ranking of the host department.
    pub preference: f64,
    /// Skills wanted and taught, brought and needed.
    pub skills: f64,
    /// Toward the weakest relationships.
    pub relationship: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            preference: 1.0,
            skills: 1.0,
            relationship: 0.5,
        }
    }
}

/// The most skills one list may hold.
pub const MAX_SKILLS: usize = 12;

/// Reads a comma-separated list of skills ("SQL, negotiation, Excel"): trimmed, compared without
/// case, duplicates dropped, each 2 to 40 characters, at most [`MAX_SKILLS`]; errors name `field`.
pub fn skills(field: &str, raw: &str) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split(',') {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            continue;
        }
        let n = s.chars().count();
        if !(2..=40).contains(&n) {
            return Err(FieldError::new(
                field,
                format!("\u{201c}{s}\u{201d}: a skill is 2 to 40 characters"),
            ));
        }
        let key = s.to_lowercase();
        if !out.contains(&key) {
            out.push(key);
        }
    }
    if out.len() > MAX_SKILLS {
        return Err(FieldError::new(
            field,
            format!("at most {MAX_SKILLS} skills, the ones that matter most"),
        ));
    }
    Ok(out)
}

/// The share of `wanted` found in `offered` (0 with nothing wanted).
fn share(wanted: &[String], offered: &[String]) -> f64 {
    if wanted.is_empty() {
        return 0.0;
    }
    wanted.iter().filter(|w| offered.contains(w)).count() as f64 / wanted.len() as f64
}

/// What is known of one applicant and one placement, to score their fit.
#[derive(Debug, Clone, Copy)]
pub struct Pairing<'a> {
    /// The host department's place in the applicant's ranking (0 = first choice).
    pub rank: usize,
    /// How many host departments the applicant ranked.
    pub ranked: usize,
    /// Skills the applicant wants to learn.
    pub wants: &'a [String],
    /// Skills the applicant brings.
    pub brings: &'a [String],
    /// Skills the placement teaches.
    pub teaches: &'a [String],
    /// Skills the host needs.
    pub needs: &'a [String],
    /// How weak the relationship between the applicant's department and the host is, 0 (healthy)
    /// to 1 (poor); none when there is too little evidence (counted as halfway).
    pub weakness: Option<f64>,
}

/// The fit of a pairing under `w`: preference falls evenly from the first choice to the last
/// ranked; skills are half the share of wanted skills taught and half the share of needed
/// skills brought; relationship is the weakness. A host the applicant did not rank is no choice.
pub fn fit(p: &Pairing<'_>, w: &Weights) -> Option<Fit> {
    if p.rank >= p.ranked {
        return None;
    }
    let preference = (p.ranked - p.rank) as f64 / p.ranked as f64;
    let skills = 0.5 * share(p.wants, p.teaches) + 0.5 * share(p.needs, p.brings);
    let weakness = p.weakness.map_or(0.5, |x| x.clamp(0.0, 1.0));
    Some(Fit {
        preference: w.preference * preference,
        skills: w.skills * skills,
        relationship: w.relationship * weakness,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(raw: &str) -> Vec<String> {
        skills("skills", raw).unwrap()
    }

    #[test]
    fn skills_are_read_without_case_or_duplicates_and_bad_ones_are_named() {
        assert_eq!(
            list(" SQL, negotiation ,sql,, Excel  modelling"),
            ["sql", "negotiation", "excel modelling"]
        );
        assert!(
            skills("wants", "x")
                .unwrap_err()
                .message
                .contains("2 to 40")
        );
        let many: String = (0..13).map(|i| format!("skill {i},")).collect();
        assert_eq!(skills("wants", &many).unwrap_err().field, "wants");
    }

    #[test]
    fn the_fit_adds_preference_skills_and_relationship_terms() {
        let (wants, brings, teaches, needs) = (
            list("sql, pricing"),
            list("excel"),
            list("pricing"),
            list("excel, crm"),
        );
        let p = Pairing {
            rank: 0,
            ranked: 4,
            wants: &wants,
            brings: &brings,
            teaches: &teaches,
            needs: &needs,
            weakness: Some(0.8),
        };
        let f = fit(&p, &Weights::default()).unwrap();
        assert!((f.preference - 1.0).abs() < 1e-9);
        assert!((f.skills - (0.5 * 0.5 + 0.5 * 0.5)).abs() < 1e-9, "{f:?}");
        assert!((f.relationship - 0.4).abs() < 1e-9);
        let last = fit(
            &Pairing {
                rank: 3,
                weakness: None,
                ..p
            },
            &Weights::default(),
        )
        .unwrap();
        assert!((last.preference - 0.25).abs() < 1e-9 && (last.relationship - 0.25).abs() < 1e-9);
        assert!(
            fit(&Pairing { rank: 4, ..p }, &Weights::default()).is_none(),
            "not ranked: no choice"
        );
    }
}
