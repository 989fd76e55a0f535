//! Measured outcomes of a cycle: a measure taken before and after, for the people who rotated
//! and for comparable people who did not, compared as a difference of changes — with the sample
//! sizes, and "too few to tell" when either group is small.

/// Fewer people than this on either side and the difference is not told.
pub const MIN_GROUP: usize = 5;

/// One group's measure before and after (means over its people).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Group {
    /// How many people.
    pub n: usize,
    /// The mean before the cycle.
    pub before: f64,
    /// The mean after it.
    pub after: f64,
}

impl Group {
    /// After minus before.
    pub fn change(&self) -> f64 {
        self.after - self.before
    }
}

/// The comparison of one measure.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Comparison {
    /// The people who rotated (none when nobody did).
    pub rotated: Option<Group>,
    /// Comparable people who did not.
    pub others: Option<Group>,
    /// How much more the rotated group's measure changed than the others' did; none when
    /// either group has fewer than [`MIN_GROUP`] people ("too few to tell").
    pub difference: Option<f64>,
}

fn group(values: &[(f64, f64)]) -> Option<Group> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let (b, a) = values
        .iter()
        .fold((0.0, 0.0), |(b, a), (x, y)| (b + x, a + y));
    Some(Group {
        n,
        before: b / n as f64,
        after: a / n as f64,
    })
}

/// Compares (before, after) per person of the rotated group with the others'.
pub fn compare(rotated: &[(f64, f64)], others: &[(f64, f64)]) -> Comparison {
    let (r, o) = (group(rotated), group(others));
    let difference = match (r, o) {
        (Some(r), Some(o)) if r.n >= MIN_GROUP && o.n >= MIN_GROUP => Some(r.change() - o.change()),
        _ => None,
    };
    Comparison {
        rotated: r,
        others: o,
        difference,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_difference_is_of_changes_and_only_with_enough_people() {
        let rotated = vec![(1.0, 3.0); 5];
        let others = vec![(1.0, 2.0); 8];
        let c = compare(&rotated, &others);
        assert_eq!(c.rotated.unwrap().n, 5);
        assert!((c.difference.unwrap() - 1.0).abs() < 1e-9);
        let few = compare(&rotated[..4], &others);
        assert_eq!(few.difference, None, "four people: too few to tell");
        assert!((few.rotated.unwrap().change() - 2.0).abs() < 1e-9);
        assert_eq!(compare(&[], &others).rotated, None);
    }
}
