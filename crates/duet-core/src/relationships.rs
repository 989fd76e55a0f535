//! See: the health of each IT ↔ business department relationship, signal by signal.
//!
//! Every signal is shown on its own — its value, its band (healthy, concerning, poor), how much
//! evidence it stands on, one sentence that explains it, and the records behind it — never
//! blended into one number. A signal with too little evidence says so instead of showing a
//! number: a band drawn from two events would be a guess.

use chrono::NaiveDate;

pub mod interactions;
pub mod maturity;
pub mod trend;

wire_enum!(
    /// How a signal stands against its thresholds.
    Band, "band" {
        /// At or beyond the healthy threshold.
        Healthy = "healthy" / "Healthy",
        /// Between the two thresholds.
        Concerning = "concerning" / "Concerning",
        /// Beyond the poor threshold.
        Poor = "poor" / "Poor",
        /// Too little evidence to say.
        TooLittle = "too_little" / "Too little evidence",
    }
);

wire_enum!(
    /// The signals of a relationship, in the order a page shows them.
    SignalKind, "signal" {
        /// Promises IT made to the department, kept (trust score, 0–100).
        TrustFromIt = "trust_from_it" / "IT's promises to them, kept",
        /// Promises the department made to IT, kept (trust score, 0–100).
        TrustToIt = "trust_to_it" / "Their promises to IT, kept",
        /// Days the monthly review is overdue.
        Reviews = "reviews" / "Monthly review kept",
        /// Median days from a request to IT's first response (understanding before answering).
        Responsiveness = "responsiveness" / "Time to IT's first response",
        /// Share of declined requests whose offered alternative was taken up.
        Alternatives = "alternatives" / "Declines with an alternative taken up",
        /// Share of what the department cares about that IT measures (0–100).
        Coverage = "coverage" / "What they care about, measured",
        /// Share of pain points addressed to the department that were answered.
        Voice = "voice" / "Pain points answered",
        /// The department's people on Discipline, in the last DUET pulse (mean, 1–5).
        PulseDiscipline = "pulse_discipline" / "Pulse: Discipline",
        /// … on Unity.
        PulseUnity = "pulse_unity" / "Pulse: Unity",
        /// … on Empathy.
        PulseEmpathy = "pulse_empathy" / "Pulse: Empathy",
        /// … on Trust.
        PulseTrust = "pulse_trust" / "Pulse: Trust",
        /// The largest gap between how important an IT service is to the department's people
        /// and how satisfied they are with it, among the services that matter to them (points
        /// out of 5, from the last IT service gap survey).
        ServiceGap = "service_gap" / "IT service gap",
    }
);

/// Where one signal's bands begin, and how much evidence it needs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Thresholds {
    /// Healthy from here (at or above it when higher is better, at or below it otherwise).
    pub healthy: f64,
    /// Concerning from here; beyond it, poor.
    pub concerning: f64,
    /// Whether a higher value is better.
    pub higher_is_better: bool,
    /// The fewest events or records a band may be drawn from.
    pub min_evidence: u32,
    /// The signal's weight in the overall index (0 leaves it out; the index is only ever shown
    /// beside its parts, with these weights).
    pub weight: f64,
}

/// The default thresholds of each signal (stated on the relationship page).
pub fn thresholds(kind: SignalKind) -> Thresholds {
    let t = |healthy, concerning, higher_is_better, min_evidence| Thresholds {
        healthy,
        concerning,
        higher_is_better,
        min_evidence,
        weight: 1.0,
    };
    match kind {
        SignalKind::TrustFromIt | SignalKind::TrustToIt => t(75.0, 50.0, true, 3),
        SignalKind::Reviews => t(0.0, 14.0, false, 1),
        SignalKind::Responsiveness => t(3.0, 7.0, false, 3),
        SignalKind::Alternatives => t(50.0, 25.0, true, 3),
        SignalKind::Coverage => t(70.0, 40.0, true, 1),
        SignalKind::Voice => t(80.0, 50.0, true, 3),
        // Survey figures reach a page only through Listen's anonymity rules (k people at
        // least), so any figure shown has enough people behind it.
        SignalKind::PulseDiscipline
        | SignalKind::PulseUnity
        | SignalKind::PulseEmpathy
        | SignalKind::PulseTrust => t(3.75, 3.0, true, 1),
        SignalKind::ServiceGap => t(0.5, 1.25, false, 1),
    }
}

/// A signal's column heading in the overview (its full label is the heading's title).
pub fn short_label(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::TrustFromIt => "IT kept promises",
        SignalKind::TrustToIt => "They kept promises",
        SignalKind::Reviews => "Review",
        SignalKind::Responsiveness => "First response",
        SignalKind::Alternatives => "Alternatives taken",
        SignalKind::Coverage => "Measured",
        SignalKind::Voice => "Voice answered",
        SignalKind::PulseDiscipline => "D",
        SignalKind::PulseUnity => "U",
        SignalKind::PulseEmpathy => "E",
        SignalKind::PulseTrust => "T",
        SignalKind::ServiceGap => "Service gap",
    }
}

/// The unit a signal's thresholds are stated in ("days overdue", "%", …).
pub fn unit(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::TrustFromIt | SignalKind::TrustToIt | SignalKind::Coverage => "out of 100",
        SignalKind::Reviews => "days overdue",
        SignalKind::Responsiveness => "days",
        SignalKind::Alternatives | SignalKind::Voice => "%",
        SignalKind::ServiceGap => "points out of 5",
        _ => "out of 5",
    }
}

/// The DUET pulse's section behind each pulse signal.
pub const PULSE_SIGNALS: [(SignalKind, &str); 4] = [
    (SignalKind::PulseDiscipline, "discipline"),
    (SignalKind::PulseUnity, "unity"),
    (SignalKind::PulseEmpathy, "empathy"),
    (SignalKind::PulseTrust, "trust"),
];

/// The band of `value` drawn from `evidence` records: too little evidence when there is no
/// value or fewer records than the signal needs.
pub fn band(value: Option<f64>, evidence: u32, t: &Thresholds) -> Band {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return Band::TooLittle;
    };
    if evidence < t.min_evidence {
        return Band::TooLittle;
    }
    let at_least = |limit: f64| {
        if t.higher_is_better {
            v >= limit
        } else {
            v <= limit
        }
    };
    if at_least(t.healthy) {
        Band::Healthy
    } else if at_least(t.concerning) {
        Band::Concerning
    } else {
        Band::Poor
    }
}

/// The bounds a signal's thresholds must lie within, in its unit.
pub fn bounds(kind: SignalKind) -> (f64, f64) {
    match kind {
        SignalKind::Reviews | SignalKind::Responsiveness => (0.0, 365.0),
        SignalKind::ServiceGap => (0.0, 4.0),
        SignalKind::PulseDiscipline
        | SignalKind::PulseUnity
        | SignalKind::PulseEmpathy
        | SignalKind::PulseTrust => (1.0, 5.0),
        _ => (0.0, 100.0),
    }
}

/// Checks new thresholds for `kind` (its direction is fixed): both within [`bounds`], the
/// healthy one on the better side of the concerning one, at least one record of evidence (at
/// most 1,000), a weight from 0 to 10. Errors name the field as `{field}_{signal}`, so a form
/// of every signal says which row is wrong.
pub fn check_thresholds(
    kind: SignalKind,
    healthy: f64,
    concerning: f64,
    min_evidence: i64,
    weight: f64,
) -> Result<Thresholds, crate::ValidationErrors> {
    let mut errors = crate::ValidationErrors::default();
    let name = |f: &str| format!("{f}_{}", kind.as_str());
    let (lo, hi) = bounds(kind);
    let unit = unit(kind);
    for (field, v) in [("healthy", healthy), ("concerning", concerning)] {
        if !v.is_finite() || v < lo || v > hi {
            errors.0.push(crate::FieldError::new(
                name(field),
                format!("{}: give a number from {lo} to {hi} ({unit})", kind.label()),
            ));
        }
    }
    let higher_is_better = thresholds(kind).higher_is_better;
    if errors.0.is_empty() {
        let ordered = if higher_is_better {
            healthy > concerning
        } else {
            healthy < concerning
        };
        if !ordered {
            errors.0.push(crate::FieldError::new(
                name("concerning"),
                format!(
                    "{}: the concerning threshold must be {} the healthy one, since {} is better",
                    kind.label(),
                    if higher_is_better { "below" } else { "above" },
                    if higher_is_better { "more" } else { "less" }
                ),
            ));
        }
    }
    if !(1..=1000).contains(&min_evidence) {
        errors.0.push(crate::FieldError::new(
            name("min_evidence"),
            format!("{}: ask for 1 to 1,000 records of evidence", kind.label()),
        ));
    }
    if !weight.is_finite() || !(0.0..=10.0).contains(&weight) {
        errors.0.push(crate::FieldError::new(
            name("weight"),
            format!(
                "{}: a weight goes from 0 (left out of the index) to 10",
                kind.label()
            ),
        ));
    }
    if errors.0.is_empty() {
        Ok(Thresholds {
            healthy,
            concerning,
            higher_is_better,
            min_evidence: u32::try_from(min_evidence).unwrap_or(1),
            weight,
        })
    } else {
        Err(errors)
    }
}

/// The overall index of a pair: the weighted mean of its signals' bands (healthy 100,
/// concerning 50, poor 0) over the signals with enough evidence and a weight above zero, and
/// the total weight it stands on. None when no weighted signal has a band.
pub fn index(signals: &[(Band, f64)]) -> Option<(f64, f64)> {
    let (mut num, mut den) = (0.0, 0.0);
    for (b, w) in signals {
        let v = match b {
            Band::Healthy => 100.0,
            Band::Concerning => 50.0,
            Band::Poor => 0.0,
            Band::TooLittle => continue,
        };
        if *w > 0.0 {
            num += v * w;
            den += w;
        }
    }
    (den > 0.0).then(|| (num / den, den))
}

/// The median of `values` (none when empty).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// A share in percent, none when there is nothing to share.
pub fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) * 100.0 / f64::from(whole))
}

/// How important a service must be to a department (mean, out of 5) for its gap to count.
pub const IMPORTANT: f64 = 3.5;

/// The service gap of one department: the largest importance − satisfaction among services of
/// importance [`IMPORTANT`] or more, given (service, importance, satisfaction) means; with the
/// service it belongs to. None when no important service has both figures.
pub fn largest_gap<'a>(services: &[(&'a str, Option<f64>, Option<f64>)]) -> Option<(&'a str, f64)> {
    services
        .iter()
        .filter_map(|(s, i, sat)| match (i, sat) {
            (Some(i), Some(sat)) if *i >= IMPORTANT => Some((*s, i - sat)),
            _ => None,
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// How far back the signals read requests and pain points.
pub const WINDOW_DAYS: i64 = 365;

/// The first day of the window ending `today`.
pub fn window_start(today: NaiveDate) -> NaiveDate {
    today - chrono::Duration::days(WINDOW_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_direction_and_stop_at_too_little_evidence() {
        let trust = thresholds(SignalKind::TrustFromIt);
        assert_eq!(band(Some(80.0), 5, &trust), Band::Healthy);
        assert_eq!(
            band(Some(75.0), 5, &trust),
            Band::Healthy,
            "the threshold is healthy"
        );
        assert_eq!(band(Some(60.0), 5, &trust), Band::Concerning);
        assert_eq!(band(Some(20.0), 5, &trust), Band::Poor);
        assert_eq!(
            band(Some(20.0), 2, &trust),
            Band::TooLittle,
            "two events are a guess"
        );
        assert_eq!(band(None, 9, &trust), Band::TooLittle);
        assert_eq!(band(Some(f64::NAN), 9, &trust), Band::TooLittle);
        let slow = thresholds(SignalKind::Responsiveness);
        assert_eq!(band(Some(2.0), 4, &slow), Band::Healthy);
        assert_eq!(band(Some(7.0), 4, &slow), Band::Concerning);
        assert_eq!(band(Some(12.5), 4, &slow), Band::Poor);
        let reviews = thresholds(SignalKind::Reviews);
        assert_eq!(band(Some(0.0), 1, &reviews), Band::Healthy);
        assert_eq!(band(Some(30.0), 1, &reviews), Band::Poor);
    }

    #[test]
    fn thresholds_are_checked_against_their_direction_and_bounds() {
        let t = check_thresholds(SignalKind::TrustFromIt, 80.0, 60.0, 4, 2.0).unwrap();
        assert_eq!(
            (t.healthy, t.concerning, t.min_evidence, t.weight),
            (80.0, 60.0, 4, 2.0)
        );
        assert!(
            t.higher_is_better,
            "the direction is the signal's, not the form's"
        );
        let e = check_thresholds(SignalKind::TrustFromIt, 50.0, 60.0, 0, -1.0).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "concerning_trust_from_it",
                "min_evidence_trust_from_it",
                "weight_trust_from_it"
            ]
        );
        let e = check_thresholds(SignalKind::PulseTrust, 6.0, 3.0, 1, 1.0).unwrap_err();
        assert_eq!(e.0[0].field, "healthy_pulse_trust");
        assert!(e.0[0].message.contains("from 1 to 5"), "{}", e.0[0].message);
        assert!(check_thresholds(SignalKind::Responsiveness, 2.0, 5.0, 3, 1.0).is_ok());
        assert!(check_thresholds(SignalKind::Responsiveness, 5.0, 2.0, 3, 1.0).is_err());
        assert!(check_thresholds(SignalKind::Coverage, f64::NAN, 2.0, 3, 1.0).is_err());
    }

    #[test]
    fn the_index_weighs_only_signals_with_evidence() {
        assert_eq!(index(&[]), None);
        assert_eq!(index(&[(Band::TooLittle, 1.0)]), None);
        assert_eq!(
            index(&[
                (Band::Healthy, 1.0),
                (Band::Poor, 1.0),
                (Band::TooLittle, 5.0)
            ]),
            Some((50.0, 2.0))
        );
        assert_eq!(
            index(&[
                (Band::Healthy, 3.0),
                (Band::Concerning, 1.0),
                (Band::Poor, 0.0)
            ]),
            Some((87.5, 4.0))
        );
    }

    #[test]
    fn the_service_gap_counts_only_what_matters_to_them() {
        assert_eq!(
            largest_gap(&[
                ("desk", Some(4.5), Some(4.0)),
                ("data", Some(4.8), Some(2.1)),
                ("print", Some(2.0), Some(1.0))
            ]),
            Some(("data", 4.8 - 2.1))
        );
        assert_eq!(
            largest_gap(&[("print", Some(2.0), Some(1.0))]),
            None,
            "an unimportant service's gap is not theirs"
        );
        assert_eq!(
            largest_gap(&[("desk", Some(4.0), None)]),
            None,
            "a hidden figure is no gap"
        );
    }

    #[test]
    fn medians_and_shares() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(percent(1, 4), Some(25.0));
        assert_eq!(percent(0, 0), None);
    }
}
