//! Number formatting for the sentences: grouped money and counts, fixed decimals, lists.

#[allow(unused_imports)]
use super::*;

// --- Formatting ------------------------------------------------------------------------------------

/// Minor units as "120,000.00" (the one `Money` of `finance`, whose formatting does not allocate).
pub(super) fn money(minor: i64) -> crate::finance::Money {
    crate::finance::Money(minor)
}

/// A major-unit amount as "1,200,000.00".
pub(super) fn major(x: f64) -> Major {
    Major(x)
}

pub(super) struct Major(f64);

impl fmt::Display for Major {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = (self.0 * MINOR_PER_MAJOR).round();
        if cents.is_finite() && cents.abs() < 9.0e18 {
            crate::finance::Money(cents as i64).fmt(f)
        } else {
            write!(f, "{:.3e}", self.0)
        }
    }
}

/// A count as "1,755".
pub(super) fn count(n: u64) -> Count {
    Count(n)
}

pub(super) struct Count(u64);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_grouped(f, u128::from(self.0))
    }
}

pub(super) fn write_grouped(f: &mut fmt::Formatter<'_>, n: u128) -> fmt::Result {
    // u128::MAX has 39 digits, so 12 separators at most.
    let mut buf = [0u8; 52];
    let i = crate::finance::write_grouped_digits(&mut buf, n);
    f.write_str(std::str::from_utf8(&buf[i..]).map_err(|_| fmt::Error)?)
}

/// A float with `places` decimals (1 or 2); -0.00 prints as 0.00.
pub(super) struct Fixed(f64, u32);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (x, places) = (self.0, self.1.min(6));
        let scale = 10i64.pow(places);
        let scaled = (x * scale as f64).round();
        if !(scaled.is_finite() && scaled.abs() < 9.0e18) {
            return write!(f, "{x:.*}", places as usize);
        }
        let c = scaled as i64;
        if c < 0 {
            f.write_str("-")?;
        }
        let (a, s) = (c.unsigned_abs(), scale.unsigned_abs());
        write!(f, "{}.{:0w$}", a / s, a % s, w = places as usize)
    }
}

/// Two decimals: scores, points, percentiles.
pub(super) fn f2(x: f64) -> Fixed {
    Fixed(x, 2)
}

/// A share as a percentage with one decimal: "40.0%".
pub(super) fn percent(share: f64) -> String {
    format!("{}%", Fixed(share * 100.0, 1))
}

/// A ratio with two decimals, or in scientific notation when it would print as 0.00.
pub(super) fn ratio_text(r: f64) -> String {
    if r == 0.0 || r.abs() >= 0.005 {
        f2(r).to_string()
    } else {
        format!("{r:.2e}")
    }
}

/// "#3", "#3 and #7", "#3, #5 and #7".
pub(super) fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
