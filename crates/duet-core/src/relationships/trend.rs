//! How a relationship's signals moved: one point per month over the last twelve, and the last
//! three months set against the three before them ("what improved and what declined this
//! quarter"). Each point is drawn by the same rules as the signal itself — the same thresholds,
//! the same minimum of evidence — so a month with too little evidence is a gap, never a guess.

use super::{Band, Thresholds, band};
use chrono::{Datelike, Months, NaiveDate};

/// How many monthly points a trend has.
pub const TREND_MONTHS: u32 = 12;

/// How many months "the quarter" compares (the last three against the three before).
pub const QUARTER_MONTHS: u32 = 3;

/// One month of a signal's trend.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Point {
    /// The month's first day.
    pub month: NaiveDate,
    /// The value (null with too little evidence).
    pub value: Option<f64>,
    /// How many records it stands on.
    pub evidence: u32,
    /// Its band.
    pub band: Band,
}

wire_enum!(
    /// Which way a signal moved over the quarter.
    Direction, "direction" {
        /// Into a better band, or by at least half the distance between its two thresholds.
        Improved = "improved" / "Improved",
        /// Into a worse band, or by at least half that distance the other way.
        Declined = "declined" / "Declined",
        /// Within its band and by less than that.
        Steady = "steady" / "Steady",
        /// Too little evidence at one end to say.
        Unknown = "unknown" / "Too little evidence",
    }
);

/// A signal over the last three months against the three before.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Change {
    /// The value three months ago (null with too little evidence).
    pub before: Option<f64>,
    /// Its band then.
    pub before_band: Band,
    /// The value now.
    pub now: Option<f64>,
    /// Its band now.
    pub now_band: Band,
    /// Which way it moved.
    pub direction: Direction,
}

fn rank(b: Band) -> Option<u8> {
    match b {
        Band::Poor => Some(0),
        Band::Concerning => Some(1),
        Band::Healthy => Some(2),
        Band::TooLittle => None,
    }
}

/// The change from `before` to `now` (each a value and the records behind it) under `t`.
pub fn change(before: (Option<f64>, u32), now: (Option<f64>, u32), t: &Thresholds) -> Change {
    let before_band = band(before.0, before.1, t);
    let now_band = band(now.0, now.1, t);
    let direction = match (rank(before_band), rank(now_band), before.0, now.0) {
        (Some(a), Some(b), _, _) if b > a => Direction::Improved,
        (Some(a), Some(b), _, _) if b < a => Direction::Declined,
        (Some(_), Some(_), Some(x), Some(y)) => {
            let step = (t.healthy - t.concerning).abs() / 2.0;
            let gain = if t.higher_is_better { y - x } else { x - y };
            if step > 0.0 && gain >= step {
                Direction::Improved
            } else if step > 0.0 && -gain >= step {
                Direction::Declined
            } else {
                Direction::Steady
            }
        }
        _ => Direction::Unknown,
    };
    Change {
        before: before.0.filter(|_| before_band != Band::TooLittle),
        before_band,
        now: now.0.filter(|_| now_band != Band::TooLittle),
        now_band,
        direction,
    }
}

/// The first days of the `n` months ending with `today`'s month, oldest first.
pub fn months(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let this = today.with_day(1).unwrap_or(today);
    (0..n)
        .rev()
        .filter_map(|k| this.checked_sub_months(Months::new(k)))
        .collect()
}

/// The first day after the month that begins on `first`.
pub fn next_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// The day `n` months before `today`.
pub fn months_before(today: NaiveDate, n: u32) -> NaiveDate {
    today.checked_sub_months(Months::new(n)).unwrap_or(today)
}

/// The median of the samples dated in `[from, to)` and how many there were.
pub fn median_in(
    samples: &[(NaiveDate, f64)],
    from: NaiveDate,
    to: NaiveDate,
) -> (Option<f64>, u32) {
    let mut v: Vec<f64> = samples
        .iter()
        .filter(|(d, _)| *d >= from && *d < to)
        .map(|(_, x)| *x)
        .collect();
    let n = v.len() as u32;
    (super::median(&mut v), n)
}

/// The share (percent) of the samples dated in `[from, to)` that are true, and how many there
/// were.
pub fn share_in(
    samples: &[(NaiveDate, bool)],
    from: NaiveDate,
    to: NaiveDate,
) -> (Option<f64>, u32) {
    let (mut yes, mut all) = (0u32, 0u32);
    for (d, x) in samples {
        if *d >= from && *d < to {
            all += 1;
            yes += u32::from(*x);
        }
    }
    (super::percent(yes, all), all)
}

/// A point of the trend from a value and its evidence.
pub fn point(month: NaiveDate, at: (Option<f64>, u32), t: &Thresholds) -> Point {
    let b = band(at.0, at.1, t);
    Point {
        month,
        value: at.0.filter(|_| b != Band::TooLittle),
        evidence: at.1,
        band: b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relationships::{SignalKind, thresholds};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn twelve_months_end_with_this_one() {
        let m = months(d("2026-11-30"), 12);
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], d("2025-12-01"));
        assert_eq!(m[11], d("2026-11-01"));
        assert_eq!(next_month(d("2026-12-01")), d("2027-01-01"));
        assert_eq!(months_before(d("2026-05-31"), 3), d("2026-02-28"));
    }

    #[test]
    fn a_move_across_a_band_or_half_the_gap_counts_and_too_little_evidence_says_so() {
        let trust = thresholds(SignalKind::TrustFromIt);
        let c = change((Some(80.0), 5), (Some(45.0), 5), &trust);
        assert_eq!(c.direction, Direction::Declined);
        assert_eq!((c.before_band, c.now_band), (Band::Healthy, Band::Poor));
        assert_eq!(
            change((Some(76.0), 5), (Some(99.0), 5), &trust).direction,
            Direction::Improved,
            "23 points up inside the healthy band is more than half the 25-point gap"
        );
        assert_eq!(
            change((Some(76.0), 5), (Some(86.0), 5), &trust).direction,
            Direction::Steady
        );
        let c = change((Some(80.0), 1), (Some(20.0), 5), &trust);
        assert_eq!(c.direction, Direction::Unknown);
        assert_eq!(
            c.before, None,
            "a value with too little evidence is not shown"
        );
        let slow = thresholds(SignalKind::Responsiveness);
        assert_eq!(
            change((Some(9.0), 4), (Some(2.0), 4), &slow).direction,
            Direction::Improved,
            "fewer days is better"
        );
    }

    #[test]
    fn windows_are_half_open() {
        let s = [
            (d("2026-10-31"), 9.0),
            (d("2026-11-01"), 1.0),
            (d("2026-11-30"), 3.0),
            (d("2026-12-01"), 50.0),
        ];
        assert_eq!(
            median_in(&s, d("2026-11-01"), d("2026-12-01")),
            (Some(2.0), 2)
        );
        let b = [(d("2026-11-02"), true), (d("2026-11-03"), false)];
        assert_eq!(
            share_in(&b, d("2026-11-01"), d("2026-12-01")),
            (Some(50.0), 2)
        );
        assert_eq!(share_in(&b, d("2026-12-01"), d("2027-01-01")), (None, 0));
    }
}
