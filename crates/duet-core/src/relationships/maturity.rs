//! Maturity of a relationship from its evidence: each of Luftman's strategic-alignment criteria
//! is placed on a 1–5 level by the bands of the signals that bear on it, and the BRM maturity
//! level (ad hoc … strategic partner) is suggested from those criteria. A criterion Duet holds no
//! evidence for says so instead of guessing, and leaders may disagree with the suggestion: their
//! view is kept beside it, never folded into it.

use super::{Band, SignalKind};

wire_enum!(
    /// The BRM Institute's relationship maturity levels, lowest first.
    Level as MaturityLevel, "level" {
        /// Requests arrive informally; nobody keeps the relationship.
        AdHoc = "ad_hoc" / "Ad hoc",
        /// IT takes orders and delivers them.
        OrderTaker = "order_taker" / "Order taker",
        /// IT runs reliable services the business can count on.
        ServiceProvider = "service_provider" / "Service provider",
        /// IT is asked before decisions are made.
        TrustedAdvisor = "trusted_advisor" / "Trusted advisor",
        /// IT and the business shape strategy together.
        StrategicPartner = "strategic_partner" / "Strategic partner",
    }
);

wire_enum!(
    /// Luftman's six criteria of business–IT alignment maturity.
    Criterion, "criterion" {
        /// How well the two sides understand each other and talk.
        Communications = "communications" / "Communications",
        /// Whether IT measures what the business values.
        ValueMeasurement = "value_measurement" / "Value measurement",
        /// How requests are decided: understood first, declined with alternatives.
        Governance = "governance" / "Governance",
        /// Trust both ways, and promises kept.
        Partnership = "partnership" / "Partnership",
        /// How far IT reaches into the business's processes.
        Scope = "scope" / "Scope and architecture",
        /// People who know the other side's work.
        Skills = "skills" / "Skills",
    }
);

/// The signals that bear on a criterion (none: Duet holds no evidence for it yet).
pub fn signals_of(c: Criterion) -> &'static [SignalKind] {
    match c {
        Criterion::Communications => &[
            SignalKind::Reviews,
            SignalKind::Voice,
            SignalKind::PulseUnity,
            SignalKind::PulseEmpathy,
        ],
        Criterion::ValueMeasurement => &[SignalKind::Coverage],
        Criterion::Governance => &[SignalKind::Responsiveness, SignalKind::Alternatives],
        Criterion::Partnership => &[
            SignalKind::TrustFromIt,
            SignalKind::TrustToIt,
            SignalKind::PulseTrust,
        ],
        Criterion::Scope => &[SignalKind::ServiceGap, SignalKind::PulseDiscipline],
        Criterion::Skills => &[],
    }
}

/// One criterion placed on its level.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Placed {
    /// The criterion.
    pub criterion: Criterion,
    /// 1 to 5 (null: no signal behind it has enough evidence).
    pub level: Option<u8>,
    /// The signals behind it and their bands.
    pub evidence: Vec<(SignalKind, Band)>,
}

/// A pair's suggested maturity, with every criterion and what places it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// The suggested level (null with fewer than three criteria placed).
    pub level: Option<Level>,
    /// The mean of the placed criteria, 1–5.
    pub score: Option<f64>,
    /// Each criterion.
    pub criteria: Vec<Placed>,
}

/// The fewest criteria that must be placed before a level is suggested.
pub const MIN_CRITERIA: usize = 3;

/// Places each criterion from the bands of its signals (healthy counts 1, concerning ½, poor
/// 0; level = 1 + 4 × the mean, rounded) and suggests the BRM level from the mean of the
/// placed criteria (rounded down: a level is earned, not rounded up to).
pub fn suggest(bands: &[(SignalKind, Band)]) -> Suggestion {
    let criteria: Vec<Placed> = Criterion::ALL
        .iter()
        .map(|c| {
            let evidence: Vec<(SignalKind, Band)> = signals_of(*c)
                .iter()
                .filter_map(|k| bands.iter().find(|(s, _)| s == k).copied())
                .collect();
            let scores: Vec<f64> = evidence
                .iter()
                .filter_map(|(_, b)| match b {
                    Band::Healthy => Some(1.0),
                    Band::Concerning => Some(0.5),
                    Band::Poor => Some(0.0),
                    Band::TooLittle => None,
                })
                .collect();
            let level = (!scores.is_empty()).then(|| {
                let mean = scores.iter().sum::<f64>() / scores.len() as f64;
                (1.0 + 4.0 * mean).round() as u8
            });
            Placed {
                criterion: *c,
                level,
                evidence,
            }
        })
        .collect();
    let placed: Vec<f64> = criteria
        .iter()
        .filter_map(|p| p.level.map(f64::from))
        .collect();
    let score =
        (placed.len() >= MIN_CRITERIA).then(|| placed.iter().sum::<f64>() / placed.len() as f64);
    let level = score.map(|s| {
        let i = (s.floor() as usize).clamp(1, Level::ALL.len()) - 1;
        Level::ALL[i]
    });
    Suggestion {
        level,
        score,
        criteria,
    }
}

/// A leader's "how it feels", 1 to 5.
pub fn parse_feels(raw: &str) -> Result<u8, crate::FieldError> {
    match raw.trim().parse::<u8>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err(crate::FieldError::new(
            "feels",
            "choose how the relationship feels, from 1 (bad) to 5 (very good)",
        )),
    }
}

/// Why a leader sees it so: 3 to 1,000 characters.
pub fn parse_reason(raw: &str) -> Result<String, crate::FieldError> {
    let t = raw.trim();
    let n = t.chars().filter(|c| !c.is_control()).count();
    if (3..=1000).contains(&n) {
        Ok(t.to_string())
    } else {
        Err(crate::FieldError::new(
            "reason",
            "say in 3 to 1,000 characters why you see it this way",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_are_placed_by_their_evidence_and_the_level_is_earned() {
        use Band::*;
        use SignalKind::*;
        let s = suggest(&[
            (TrustFromIt, Poor),
            (TrustToIt, Healthy),
            (PulseTrust, Concerning),
            (Coverage, Healthy),
            (Responsiveness, Concerning),
            (Alternatives, Concerning),
            (Reviews, TooLittle),
        ]);
        let level = |c: Criterion| s.criteria.iter().find(|p| p.criterion == c).unwrap().level;
        assert_eq!(
            level(Criterion::Partnership),
            Some(3),
            "(0 + 1 + ½) / 3 → 1 + 2"
        );
        assert_eq!(level(Criterion::ValueMeasurement), Some(5));
        assert_eq!(level(Criterion::Governance), Some(3));
        assert_eq!(
            level(Criterion::Communications),
            None,
            "too little evidence places nothing"
        );
        assert_eq!(level(Criterion::Skills), None);
        assert_eq!(s.score, Some(11.0 / 3.0));
        assert_eq!(
            s.level,
            Some(Level::ServiceProvider),
            "3.67 rounds down to 3"
        );
        let few = suggest(&[(Coverage, Healthy), (TrustFromIt, Healthy)]);
        assert_eq!(
            few.level, None,
            "two criteria are too few to suggest a level"
        );
    }

    #[test]
    fn feelings_and_reasons_are_checked() {
        assert_eq!(parse_feels(" 4 "), Ok(4));
        assert_eq!(parse_feels("0").unwrap_err().field, "feels");
        assert_eq!(parse_feels("six").unwrap_err().field, "feels");
        assert!(parse_reason("ok").is_err());
        assert_eq!(
            parse_reason("  we talk monthly  ").unwrap(),
            "we talk monthly"
        );
    }
}
