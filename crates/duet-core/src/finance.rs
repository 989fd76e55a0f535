//! Business cases: the yearly cash flows of an investment and the figures a decision needs
//! (NPV, IRR, simple and discounted payback, ROI).
//!
//! Amounts are [`Money`] in integer minor units, so sums are exact; floats appear only for rates
//! and computed results. The formulas are the standard ones as numpy-financial computes them:
//! year 0 is undiscounted and year `t` is divided by `(1 + rate)^t`. Rates are fractions
//! (`0.08` is 8 %).
//!
//! Everything is evaluated as a polynomial in `x = 1 / (1 + rate)` with Horner's rule, so one NPV
//! costs one multiply-add per year. The IRR is found by bracketing and Brent's method in `x`
//! (where the NPV is a polynomial without a pole); Descartes' rule of signs says how many IRRs
//! there can be, which decides between a direct bracket (one sign change) and a scan.

use crate::error::{FieldError, ValidationErrors};
use std::fmt;

/// Money in integer minor units (cents), so totals never drift; serialized as a plain integer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    /// Largest amount accepted on one line: 10^13 minor units (100 billion in major units), far
    /// above any real line yet small enough that every amount is exact as an `f64` and sums of
    /// many lines cannot overflow.
    pub const MAX: i64 = 10_000_000_000_000;

    /// Parses user text like "1234", "1,234.56", "-12.5" (at most 2 decimals) into minor units,
    /// so forms and CSV share one reading of amounts; errors name `field`.
    ///
    /// A comma is accepted only between groups of three digits, so a decimal comma ("12,50") is
    /// refused instead of being read as 1250.
    pub fn parse(field: &str, raw: &str) -> Result<Money, FieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        let bad = || FieldError::new(field, "must be an amount such as 1234, 1,234.56 or -12.5");
        let (negative, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.contains(',') {
            let mut groups = int_part.split(',');
            let first = groups.next().unwrap_or_default();
            let grouped = !first.is_empty()
                && first.len() <= 3
                && all_digits(first)
                && groups.all(|g| g.len() == 3 && all_digits(g));
            if !grouped {
                return Err(FieldError::new(
                    field,
                    "must use ',' only between groups of three digits and '.' for decimals, \
                     such as 1,234.56",
                ));
            }
        } else if !all_digits(int_part) {
            return Err(bad());
        }
        if !all_digits(frac_part) {
            return Err(bad());
        }
        if frac_part.len() > 2 {
            return Err(FieldError::new(field, "must have at most 2 decimals"));
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        let too_large = || FieldError::new(field, "is implausibly large");
        let mut minor: u128 = 0;
        for b in int_part.bytes().filter(u8::is_ascii_digit) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(u128::from(b - b'0')))
                .ok_or_else(too_large)?;
        }
        let mut cents = 0;
        for (i, b) in frac_part.bytes().enumerate() {
            cents += u128::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        let minor = minor
            .checked_mul(100)
            .and_then(|m| m.checked_add(cents))
            .ok_or_else(too_large)?;
        match i64::try_from(minor) {
            Ok(v) if v <= Money::MAX => Ok(Money(if negative { -v } else { v })),
            _ => Err(too_large()),
        }
    }

    /// The amount in major units, for the floating-point formulas and charts.
    pub fn major(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// A computed amount in major units (an NPV, a total) rounded to the cent, so pages show it
    /// exactly like entered amounts ("527,273.30", never "527273.3" beside "259,200.00"). Beyond
    /// the `i64` range it saturates; a non-number is 0.
    pub fn from_major(major: f64) -> Money {
        // `as` saturates at the i64 bounds and maps NaN to 0, which is what a display wants.
        Money((major * 100.0).round() as i64)
    }
}

/// Writes `n` with a comma every three digits at the end of `buf` ("1,234,567") and returns
/// where it starts. `buf` must hold the digits and separators (52 bytes hold any `u128`). The one
/// grouping routine of money and counts (`Money`'s `Display`, the portfolio's sentences).
pub(crate) fn write_grouped_digits(buf: &mut [u8], mut n: u128) -> usize {
    let mut i = buf.len();
    let mut digits = 0;
    loop {
        if digits > 0 && digits % 3 == 0 {
            i -= 1;
            buf[i] = b',';
        }
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        digits += 1;
        if n == 0 {
            return i;
        }
    }
}

/// "1,234.56" style (no currency symbol; the currency is the organisation's), as pages show it.
impl fmt::Display for Money {
    /// "120,000.00": grouped major units and two decimals, written into a stack buffer (the
    /// portfolio formats thousands of amounts per ranking, so no allocation here).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        // 20 digits, 6 separators, the point, two decimals and a sign fit in 32 bytes.
        let mut buf = [0u8; 32];
        let mut i = buf.len();
        let cents = abs % 100;
        for digit in [cents % 10, cents / 10] {
            i -= 1;
            buf[i] = b'0' + digit as u8;
        }
        i -= 1;
        buf[i] = b'.';
        i = write_grouped_digits(&mut buf[..i], u128::from(abs / 100));
        if self.0 < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        f.pad(std::str::from_utf8(&buf[i..]).map_err(|_| fmt::Error)?)
    }
}

wire_enum!(
    /// What a cash-flow line is, so costs and benefits are told apart by kind rather than sign
    /// and IT cost can be reported on its own.
    FlowKind, "kind" {
        /// One-off IT cost: licences, build, migration.
        ItOneOff = "it_one_off" / "IT one-off",
        /// Yearly IT cost: run, support, subscriptions.
        ItRecurring = "it_recurring" / "IT recurring",
        /// Any other cost: training, process change, business time.
        OtherCost = "other_cost" / "Other cost",
        /// New revenue the change brings.
        Revenue = "revenue" / "Revenue",
        /// Costs the change removes.
        Savings = "savings" / "Savings",
        /// Expected loss avoided (probability × impact).
        RiskAvoided = "risk_avoided" / "Risk avoided",
    }
);

impl FlowKind {
    /// Whether the line is a cost (subtracted) rather than a benefit (added).
    pub fn is_cost(self) -> bool {
        matches!(
            self,
            FlowKind::ItOneOff | FlowKind::ItRecurring | FlowKind::OtherCost
        )
    }

    /// Whether the line is IT's own cost, which the case reports separately.
    pub fn is_it_cost(self) -> bool {
        matches!(self, FlowKind::ItOneOff | FlowKind::ItRecurring)
    }
}

/// One yearly amount; always >= 0, since costs and benefits are told apart by `kind`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct CashFlow {
    /// Year 0 is today (undiscounted); year `t` is discounted `t` times.
    pub year: u32,
    /// Cost or benefit, and which kind.
    pub kind: FlowKind,
    /// The amount, >= 0.
    pub amount: Money,
}

/// The longest horizon a case may have: beyond 30 years the figures are guesses.
pub const MAX_HORIZON_YEARS: u32 = 30;

/// The lowest discount rate a case may use: -10 %. Finance uses rates from a few percent below
/// zero (when money was cheap) to the cost of capital of a risky venture; near -100 % every later
/// flow is worth almost infinitely much (a rate of -99.9 % gave an NPV of 1e150).
pub const MIN_DISCOUNT_RATE: f64 = -0.10;

/// The highest discount rate a case may use: 100 %; anything above is a typo.
pub const MAX_DISCOUNT_RATE: f64 = 1.0;

/// A validated business case: a horizon, the rate money costs, and the yearly flows. Build it with
/// [`BusinessCase::new`] (hence no `Deserialize`): the figures rely on its checks.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct BusinessCase {
    /// Years after year 0 that the case covers (1–30).
    pub horizon_years: u32,
    /// Discount rate as a fraction (0.08 = 8 %), from -0.10 to 1.0.
    pub discount_rate: f64,
    /// The lines; several lines may share a year and kind.
    pub flows: Vec<CashFlow>,
}

impl BusinessCase {
    /// Validates everything and reports every bad field at once, so a form can mark them all:
    /// horizon 1..=30, rate from -10 % to 100 %, every amount within
    /// `0..=Money::MAX`, every year within the horizon.
    pub fn new(
        horizon_years: u32,
        discount_rate: f64,
        flows: Vec<CashFlow>,
    ) -> Result<Self, ValidationErrors> {
        Self::checked(horizon_years, discount_rate, flows, true)
    }

    /// A case read back from the store: checked as [`BusinessCase::new`] does, except that a rate
    /// recorded before the rate was bounded to what finance uses (anything strictly inside
    /// (-100 %, 1000 %)) still reads, so an old case is never lost.
    pub fn restore(
        horizon_years: u32,
        discount_rate: f64,
        flows: Vec<CashFlow>,
    ) -> Result<Self, ValidationErrors> {
        Self::checked(horizon_years, discount_rate, flows, false)
    }

    fn checked(
        horizon_years: u32,
        discount_rate: f64,
        flows: Vec<CashFlow>,
        current_bounds: bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let horizon_ok = (1..=MAX_HORIZON_YEARS).contains(&horizon_years);
        if horizon_years == 0 {
            errs.0
                .push(FieldError::new("horizon_years", "must be at least 1 year"));
        } else if !horizon_ok {
            errs.0.push(FieldError::new(
                "horizon_years",
                format!("must be at most {MAX_HORIZON_YEARS} years"),
            ));
        }
        let rate_ok = if current_bounds {
            (MIN_DISCOUNT_RATE..=MAX_DISCOUNT_RATE).contains(&discount_rate)
        } else {
            discount_rate > -1.0 && discount_rate < 10.0
        };
        if !rate_ok {
            errs.0.push(FieldError::new(
                "discount_rate",
                "must be from -10 % to 100 %: the range of rates finance uses",
            ));
        }
        // When the horizon itself is wrong, only years no horizon could hold are reported.
        let last_year = if horizon_ok {
            horizon_years
        } else {
            MAX_HORIZON_YEARS
        };
        for (i, flow) in flows.iter().enumerate() {
            if flow.year > last_year {
                errs.0.push(FieldError::new(
                    format!("flows[{i}].year"),
                    format!("must be between 0 and the horizon ({last_year} years)"),
                ));
            }
            if flow.amount.0 < 0 {
                errs.0.push(FieldError::new(
                    format!("flows[{i}].amount"),
                    "must not be negative",
                ));
            } else if flow.amount.0 > Money::MAX {
                errs.0.push(FieldError::new(
                    format!("flows[{i}].amount"),
                    "is implausibly large",
                ));
            }
        }
        if errs.0.is_empty() {
            Ok(Self {
                horizon_years,
                discount_rate,
                flows,
            })
        } else {
            Err(errs)
        }
    }

    /// Net flow per year `0..=horizon` in exact minor units (benefits minus costs); lines beyond
    /// the horizon (impossible after `new`) are ignored.
    fn net_minor(&self) -> Vec<i128> {
        let mut net = vec![0_i128; self.horizon_years as usize + 1];
        for flow in &self.flows {
            if let Some(slot) = net.get_mut(flow.year as usize) {
                let v = i128::from(flow.amount.0);
                *slot = if flow.kind.is_cost() {
                    slot.saturating_sub(v)
                } else {
                    slot.saturating_add(v)
                };
            }
        }
        net
    }

    /// Net flow per year `0..=horizon` in major units (benefits minus costs), the input every
    /// formula and chart takes.
    pub fn net_flows(&self) -> Vec<f64> {
        self.net_minor().into_iter().map(minor_to_major).collect()
    }

    /// Sum of the amounts of the lines `pick` selects, saturating at the `i64` range.
    fn total(&self, pick: impl Fn(FlowKind) -> bool) -> Money {
        let sum: i128 = self
            .flows
            .iter()
            .filter(|f| pick(f.kind))
            .map(|f| i128::from(f.amount.0))
            .sum();
        Money(i64::try_from(sum).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX }))
    }

    /// Total IT cost (one-off + recurring, undiscounted), so IT's share can be shown on its own.
    pub fn it_cost(&self) -> Money {
        self.total(FlowKind::is_it_cost)
    }

    /// Everything computed, ready to show. The simple payback is decided on exact cents.
    pub fn evaluate(&self) -> Evaluation {
        let minor = self.net_minor();
        let net: Vec<f64> = minor.iter().copied().map(minor_to_major).collect();
        let cumulative: Vec<f64> = minor
            .iter()
            .scan(0_i128, |sum, &v| {
                *sum = sum.saturating_add(v);
                Some(minor_to_major(*sum))
            })
            .collect();
        let total_costs = self.total(FlowKind::is_cost);
        let total_benefits = self.total(|k| !k.is_cost());
        Evaluation {
            npv: npv(self.discount_rate, &net),
            irr: irr(&net),
            simple_payback_years: payback_from_cumulative(&cumulative),
            discounted_payback_years: discounted_payback(self.discount_rate, &net),
            roi: roi(total_benefits.major(), total_costs.major()),
            total_costs,
            total_benefits,
        }
    }
}

/// Minor units to major units; the sign is always kept exactly.
fn minor_to_major(v: i128) -> f64 {
    v as f64 / 100.0
}

/// The figures of one business case, as pages and the API show them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Evaluation {
    /// Net present value at the case's discount rate, in major units.
    pub npv: f64,
    /// Internal rate of return, or why there is none or more than one.
    pub irr: Irr,
    /// Years until the cumulative net flow is non-negative for good; null if not within the
    /// horizon.
    pub simple_payback_years: Option<f64>,
    /// The same on discounted flows.
    pub discounted_payback_years: Option<f64>,
    /// (benefits - costs) / costs, undiscounted; null without costs.
    pub roi: Option<f64>,
    /// All costs, undiscounted.
    pub total_costs: Money,
    /// All benefits, undiscounted.
    pub total_benefits: Money,
}

/// IRR outcome, so a page can say why there is no single rate instead of showing a misleading one.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Irr {
    /// No rate makes the NPV zero (e.g. the net flows never change sign).
    None {
        /// Why, in words for the page.
        note: String,
    },
    /// Exactly one rate makes the NPV zero.
    Unique {
        /// The IRR as a fraction (0.15 = 15 %).
        rate: f64,
    },
    /// Several rates make the NPV zero (the net flows change sign more than once).
    Multiple {
        /// Every rate found, ascending.
        rates: Vec<f64>,
        /// The one closest to zero, as numpy-financial reports it.
        chosen: f64,
        /// What this means for the reader.
        note: String,
    },
}

/// Net present value of `flows` at `rate`, numpy-financial's convention: `flows[0]` is year 0
/// and undiscounted, `flows[t]` is divided by `(1 + rate)^t`. `rate` must be greater than -1.
pub fn npv(rate: f64, flows: &[f64]) -> f64 {
    horner(flows, 1.0 / (1.0 + rate))
}

/// `Σ c[t]·x^t` by Horner's rule: one multiply and one add per year.
fn horner(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

/// Horner's rule at several points at once, so independent chains overlap in the CPU.
fn horner_lanes<const N: usize>(c: &[f64], x: &[f64; N]) -> [f64; N] {
    let mut acc = [0.0; N];
    for &k in c.iter().rev() {
        for (a, &xi) in acc.iter_mut().zip(x) {
            *a = *a * xi + k;
        }
    }
    acc
}

/// The rate for a discount factor `x = 1 / (1 + r)`; `1 - x` is exact near `x = 1`, so rates
/// near zero keep their relative precision.
fn rate_of(x: f64) -> f64 {
    (1.0 - x) / x
}

/// The discount factor for a rate.
const fn factor_of(r: f64) -> f64 {
    1.0 / (1.0 + r)
}

/// Same sign, treating zero as its own sign.
fn same_sign(a: f64, b: f64) -> bool {
    (a > 0.0 && b > 0.0) || (a < 0.0 && b < 0.0)
}

const NOTE_NO_FLOWS: &str = "There are no cash flows, so there is no rate of return.";
const NOTE_ALL_COSTS: &str =
    "Every net yearly flow is a cost, so no discount rate makes the NPV zero.";
const NOTE_ALL_BENEFITS: &str = "Every net yearly flow is a benefit (nothing is invested), so no discount rate makes the NPV \
     zero.";
const NOTE_NOT_FINITE: &str = "A cash flow is not a finite number.";

/// The internal rate of return: the rate at which the NPV is zero, with every such rate when the
/// net flows change sign more than once (a later re-investment can give two IRRs).
///
/// The rate chosen among several is the one closest to zero, as numpy-financial returns it.
/// Roots are found to machine precision. With several sign changes the scan covers -99 % to
/// 1000 % densely (steps of 1 % between -50 % and 50 %) and looks beyond at both ends; two IRRs
/// closer together than the scan's step, or beyond its ends in pairs, can be missed.
pub fn irr(flows: &[f64]) -> Irr {
    if flows.iter().any(|v| !v.is_finite()) {
        return Irr::None {
            note: NOTE_NOT_FINITE.into(),
        };
    }
    // Zero years at either end only add roots at x = 0 (an infinite rate), never a real one.
    let (Some(first), Some(last)) = (
        flows.iter().position(|&v| v != 0.0),
        flows.iter().rposition(|&v| v != 0.0),
    ) else {
        return Irr::None {
            note: NOTE_NO_FLOWS.into(),
        };
    };
    let c = &flows[first..=last];
    let mut changes = 0;
    let mut prev = 0.0;
    for &v in c {
        if v != 0.0 {
            if prev != 0.0 && !same_sign(prev, v) {
                changes += 1;
            }
            prev = v;
        }
    }
    let mut roots = Vec::new();
    match changes {
        0 => {
            return Irr::None {
                note: if c[0] < 0.0 {
                    NOTE_ALL_COSTS
                } else {
                    NOTE_ALL_BENEFITS
                }
                .into(),
            };
        }
        1 => roots.extend(single_root(c)),
        _ => scan_roots(c, changes, &mut roots),
    }
    match roots.as_slice() {
        [] => Irr::None {
            note: if changes == 1 {
                "No rate of return could be computed for these flows.".into()
            } else {
                format!(
                    "The net flows change sign {changes} times, but no discount rate makes the \
                     NPV zero."
                )
            },
        },
        [rate] => Irr::Unique { rate: *rate },
        _ => {
            let chosen = roots.iter().copied().fold(f64::INFINITY, |best, r| {
                if r.abs() < best.abs() { r } else { best }
            });
            let list: Vec<String> = roots
                .iter()
                .map(|r| format!("{:.2} %", r * 100.0))
                .collect();
            Irr::Multiple {
                note: format!(
                    "The NPV is zero at {} rates ({}) because the net flows change sign more \
                     than once; the one closest to 0 % is shown. Judge this case by its NPV.",
                    roots.len(),
                    list.join(", ")
                ),
                rates: roots,
                chosen,
            }
        }
    }
}

/// The one IRR of flows with exactly one sign change (Descartes: exactly one root `x > 0`).
/// Left of the root the NPV has the sign of `c[0]` (its value as `x → 0`), right of it the other
/// sign, so any two probes of opposite sign bracket it.
fn single_root(c: &[f64]) -> Option<f64> {
    let f1 = horner(c, 1.0);
    if f1 == 0.0 {
        return Some(0.0);
    }
    // Probes in rate terms, from typical business-case rates outwards.
    const UP: [f64; 4] = [0.25, 1.0, 10.0, 1000.0];
    const DOWN: [f64; 4] = [-0.25, -0.5, -0.9, -0.999];
    let probes = if same_sign(f1, c[0]) { &DOWN } else { &UP };
    let (mut xa, mut fa) = (1.0, f1);
    for &r in probes {
        let xb = factor_of(r);
        let fb = horner(c, xb);
        if !same_sign(fa, fb) {
            return Some(rate_of(brent(c, xa, fa, xb, fb)));
        }
        (xa, fa) = (xb, fb);
    }
    let grow = if same_sign(f1, c[0]) { 1e3 } else { 1e-3 };
    expand(c, xa, fa, grow).map(rate_of)
}

/// Finds a root beyond `x0` by stepping `x` by `factor` until the NPV changes sign.
fn expand(c: &[f64], x0: f64, f0: f64, factor: f64) -> Option<f64> {
    let (mut xa, mut fa) = (x0, f0);
    while xa > 1e-300 && xa < 1e300 {
        let xb = xa * factor;
        let fb = horner(c, xb);
        if !same_sign(fa, fb) {
            return Some(brent(c, xa, fa, xb, fb));
        }
        (xa, fa) = (xb, fb);
    }
    None
}

/// Brent's method on `Σ c[t]·x^t` between `a` and `b`, where `fa` and `fb` differ in sign (or
/// one is zero); converges to machine precision in `x`.
fn brent(c: &[f64], mut a: f64, mut fa: f64, mut b: f64, mut fb: f64) -> f64 {
    if fa == 0.0 {
        return a;
    }
    let (mut cc, mut fc) = (b, fb);
    let (mut d, mut e) = (b - a, b - a);
    for _ in 0..200 {
        if same_sign(fb, fc) {
            (cc, fc) = (a, fa);
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            (a, fa) = (b, fb);
            (b, fb) = (cc, fc);
            (cc, fc) = (a, fa);
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + f64::MIN_POSITIVE;
        let m = 0.5 * (cc - b);
        if m.abs() <= tol || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            // Inverse quadratic interpolation, or secant when only two points are distinct.
            let s = fb / fa;
            let (mut p, mut q) = if a == cc {
                (2.0 * m * s, 1.0 - s)
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                (
                    s * (2.0 * m * qa * (qa - r) - (b - a) * (r - 1.0)),
                    (qa - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        (a, fa) = (b, fb);
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = horner(c, b);
    }
    b
}

/// Number of points of the IRR scan: a multiple of [`LANES`].
const GRID_POINTS: usize = 192;
/// Points evaluated together.
const LANES: usize = 8;
/// The scan's pieces as (first rate, last rate, steps): dense where business cases live.
const GRID_PIECES: [(f64, f64, usize); 4] = [
    (-0.99, -0.5, 14),
    (-0.5, 0.5, 100),
    (0.5, 1.5, 40),
    (1.5, 10.0, 37),
];

/// The discount factors of the scan, ascending in rate (so descending in `x`), from -99 % to
/// 1000 %.
const GRID: [f64; GRID_POINTS] = build_grid();

const fn build_grid() -> [f64; GRID_POINTS] {
    let mut grid = [0.0; GRID_POINTS];
    let mut n = 0;
    let mut p = 0;
    while p < GRID_PIECES.len() {
        let (lo, hi, steps) = GRID_PIECES[p];
        // Each piece starts where the last ended; only the final piece includes its end.
        let last = if p + 1 == GRID_PIECES.len() {
            steps
        } else {
            steps - 1
        };
        let mut i = 0;
        while i <= last {
            grid[n] = factor_of(lo + (hi - lo) * (i as f64) / (steps as f64));
            n += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(n == GRID_POINTS, "GRID_PIECES must add up to GRID_POINTS");
    grid
}

/// Every IRR of flows with `changes >= 2` sign changes: scans the grid for sign changes of the
/// NPV, refines each with Brent, checks both ends beyond the grid, and stops early once as many
/// roots were found as Descartes allows.
fn scan_roots(c: &[f64], changes: usize, roots: &mut Vec<f64>) {
    let (Some(&c_first), Some(&c_last)) = (c.first(), c.last()) else {
        return;
    };
    // The last nonzero point seen, and whether a zero was seen after it (that root is recorded).
    let mut prev: Option<(f64, f64)> = None;
    let mut zero_since = false;
    for chunk in GRID.chunks_exact(LANES) {
        let mut xs = [0.0; LANES];
        xs.copy_from_slice(chunk);
        let fs = horner_lanes(c, &xs);
        for (&x, &fx) in xs.iter().zip(&fs) {
            if fx == 0.0 {
                roots.push(rate_of(x));
                zero_since = true;
                continue;
            }
            if !zero_since {
                let root = match prev {
                    // As x → ∞ (rate → -100 %) the NPV takes the sign of the last flow.
                    None if !same_sign(fx, c_last) => expand(c, x, fx, 10.0),
                    Some((px, pf)) if !same_sign(pf, fx) => Some(brent(c, px, pf, x, fx)),
                    _ => None,
                };
                roots.extend(root.map(rate_of));
            }
            prev = Some((x, fx));
            zero_since = false;
        }
        if roots.len() >= changes {
            return;
        }
    }
    // As x → 0 (rate → ∞) the NPV takes the sign of the first flow.
    if let Some((px, pf)) = prev
        && !zero_since
        && !same_sign(pf, c_first)
    {
        roots.extend(expand(c, px, pf, 0.1).map(rate_of));
    }
}

/// Simple payback in years: when the cumulative net flow, having been negative, becomes
/// non-negative for good, interpolated linearly inside that year. `Some(0.0)` if it is never
/// negative, `None` if it is still negative at the end.
///
/// "For good" is the last crossing: a later re-investment that pushes the cumulative flow below
/// zero again moves the payback to when it recovers. For the usual shape (costs first, then
/// benefits) this is the first crossing; unlike the first crossing, it never lengthens when a
/// benefit is added.
pub fn payback(flows: &[f64]) -> Option<f64> {
    let cumulative: Vec<f64> = flows
        .iter()
        .scan(0.0, |sum, &v| {
            *sum += v;
            Some(*sum)
        })
        .collect();
    payback_from_cumulative(&cumulative)
}

/// Discounted payback in years: [`payback`] on the flows discounted at `rate`, i.e. when the
/// investment has also earned the cost of capital.
pub fn discounted_payback(rate: f64, flows: &[f64]) -> Option<f64> {
    let x = 1.0 / (1.0 + rate);
    let mut factor = 1.0;
    let discounted: Vec<f64> = flows
        .iter()
        .map(|&v| {
            let d = v * factor;
            factor *= x;
            d
        })
        .collect();
    payback(&discounted)
}

/// Payback from cumulative sums, `cumulative[t]` being the total at the end of year `t`.
fn payback_from_cumulative(cumulative: &[f64]) -> Option<f64> {
    let Some(last_negative) = cumulative.iter().rposition(|&s| s < 0.0) else {
        return Some(0.0);
    };
    let before = cumulative[last_negative];
    let after = *cumulative.get(last_negative + 1)?;
    // `before < 0 <= after`, so the fraction lies in (0, 1].
    Some(last_negative as f64 + (-before) / (after - before))
}

/// Return on investment, (benefits - costs) / costs, undiscounted; `None` when there are no
/// costs, since any gain on nothing is not a ratio.
pub fn roi(total_benefits: f64, total_costs: f64) -> Option<f64> {
    if total_costs == 0.0 {
        None
    } else {
        Some((total_benefits - total_costs) / total_costs)
    }
}

#[cfg(test)]
mod tests;
