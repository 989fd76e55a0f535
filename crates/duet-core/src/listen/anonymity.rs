//! The anonymity threshold: which aggregates may be shown so that no answer can be traced back to
//! fewer than `k` people, not even by subtracting one shown figure from another.
//!
//! Rules, applied to one complete partition (every respondent in exactly one group):
//!
//! 1. a group is shown only if it has at least `k` respondents;
//! 2. the total is shown only if it has at least `k` respondents;
//! 3. no two shown slices may differ by fewer than `k` respondents: when the total is shown, the
//!    respondents outside every shown group (the residual) must be 0 or at least `k`. If the
//!    residual is between 1 and `k - 1`, further groups are hidden, smallest first (ties: lowest
//!    index first), until it is not (complementary suppression).
//!
//! Rule 3 matters because `total - shown groups` is itself a slice: without it, an organisation
//! with a department of 7 and one of 2 would show the 2 people's answers by subtraction.

use crate::FieldError;

/// The threshold used when none is chosen: five respondents is the common floor for staff surveys.
pub const DEFAULT_K: u32 = 5;
/// Below three respondents two people can work out the third's answer, so no smaller threshold is allowed.
pub const MIN_K: u32 = 3;
/// Above fifty almost every department would be hidden, which defeats listening at all.
pub const MAX_K: u32 = 50;

/// Reads the "minimum group size" form field, so a survey owner can raise (never lower) protection.
pub fn parse_k(raw: &str) -> Result<u32, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(DEFAULT_K);
    }
    let k: u32 = t.parse().map_err(|_| {
        FieldError::new(
            "min_group",
            format!("must be a whole number between {MIN_K} and {MAX_K}"),
        )
    })?;
    if k < MIN_K {
        return Err(FieldError::new(
            "min_group",
            format!(
                "must be at least {MIN_K}: with fewer respondents in a group, people can work out each other's answers"
            ),
        ));
    }
    if k > MAX_K {
        return Err(FieldError::new(
            "min_group",
            format!("must be at most {MAX_K}, or almost every group would be hidden"),
        ));
    }
    Ok(k)
}

/// Which cells of one partition may be shown, so every page and export hides the same ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    /// Per group, in the order of the counts given: whether its figures may be shown.
    pub groups: Vec<bool>,
    /// Whether the figures of the whole (all groups together) may be shown.
    pub total: bool,
}

/// Decides which groups and whether the total may be shown, following the module's three rules.
///
/// `counts` = respondents per group of one complete partition (departments); the total is their
/// sum. `k` is raised to [`MIN_K`] if smaller, so a caller can never weaken the protection.
pub fn visible_cells(counts: &[u32], k: u32) -> Visibility {
    visible_cells_within(counts, k, &vec![true; counts.len()])
}

/// `visible_cells` where some groups may not be shown at all (`allowed[i]` false): they count in
/// the residual like any hidden group. A figure's department breakdown uses the departments the
/// respondent counts may show, so a per-figure count (`n`, "don't know") can never reveal the
/// size of a department the respondent counts hide.
pub fn visible_cells_within(counts: &[u32], k: u32, allowed: &[bool]) -> Visibility {
    let k = u64::from(k.max(MIN_K));
    let mut groups: Vec<bool> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| u64::from(c) >= k && allowed.get(i).copied().unwrap_or(false))
        .collect();
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    let total_visible = total >= k;
    if total_visible {
        loop {
            let shown: u64 = counts
                .iter()
                .zip(&groups)
                .filter(|(_, v)| **v)
                .map(|(&c, _)| u64::from(c))
                .sum();
            let residual = total - shown;
            if residual == 0 || residual >= k {
                break;
            }
            // The smallest shown group, lowest index on ties (min_by_key keeps the first minimum).
            let smallest = counts
                .iter()
                .enumerate()
                .filter(|(i, _)| groups[*i])
                .min_by_key(|(_, c)| **c)
                .map(|(i, _)| i);
            match smallest {
                Some(i) => groups[i] = false,
                // Unreachable: with no group shown the residual is the total, which is >= k.
                None => break,
            }
        }
    } else {
        // A group can never exceed the total, so this only guards against a caller's mistake.
        groups.iter_mut().for_each(|g| *g = false);
    }
    Visibility {
        groups,
        total: total_visible,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn groups_not_allowed_stay_hidden_and_the_residual_rule_holds(
            counts in proptest::collection::vec(0u32..40, 0..20),
            mask in proptest::collection::vec(any::<bool>(), 20),
            k in 3u32..10,
        ) {
            let v = visible_cells_within(&counts, k, &mask);
            let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
            let shown: u64 = counts.iter().zip(&v.groups).filter(|(_, s)| **s).map(|(&c, _)| u64::from(c)).sum();
            for (i, s) in v.groups.iter().enumerate() {
                prop_assert!(!*s || (mask[i] && counts[i] >= k));
            }
            if v.total {
                let residual = total - shown;
                prop_assert!(residual == 0 || residual >= u64::from(k));
            }
        }
    }

    #[test]
    fn parse_k_defaults_and_refuses_small_thresholds() {
        assert_eq!(parse_k("  ").unwrap(), DEFAULT_K);
        assert_eq!(parse_k(" 7 ").unwrap(), 7);
        assert_eq!(parse_k("3").unwrap(), 3);
        assert_eq!(parse_k("50").unwrap(), 50);
        let e = parse_k("2").unwrap_err();
        assert_eq!(e.field, "min_group");
        assert!(e.message.contains("work out"), "{}", e.message);
        assert!(parse_k("51").is_err());
        assert!(parse_k("five").is_err());
        assert!(parse_k("-4").is_err());
    }

    #[test]
    fn small_groups_and_small_totals_are_hidden() {
        let v = visible_cells(&[6, 5, 0], 5);
        assert_eq!(v.groups, vec![true, true, false]);
        assert!(v.total);
        let v = visible_cells(&[2, 2], 5);
        assert_eq!(v.groups, vec![false, false]);
        assert!(!v.total);
        assert_eq!(
            visible_cells(&[], 5),
            Visibility {
                groups: vec![],
                total: false
            }
        );
    }

    #[test]
    fn a_residual_below_k_hides_the_smallest_shown_group() {
        // 7 + 2: showing the 7 would reveal the 2 by subtraction.
        let v = visible_cells(&[7, 2], 5);
        assert_eq!(v.groups, vec![false, false]);
        assert!(v.total);
        // Residual 1 (the group of 1): the smallest shown group, 6, goes; ties go by index.
        let v = visible_cells(&[9, 6, 1, 6], 5);
        assert_eq!(v.groups, vec![true, false, false, true]);
        // A residual of exactly k is fine.
        let v = visible_cells(&[8, 3, 2], 5);
        assert_eq!(v.groups, vec![true, false, false]);
    }

    #[test]
    fn k_is_never_below_the_minimum() {
        let v = visible_cells(&[2, 2], 1);
        assert_eq!(v.groups, vec![false, false]);
        assert!(v.total);
        assert!(!visible_cells(&[1, 1], 0).total);
        let v = visible_cells(&[3, 3], 0);
        assert_eq!(v.groups, vec![true, true]);
    }

    proptest! {
        #[test]
        fn nothing_shown_can_be_narrowed_below_k(counts in proptest::collection::vec(0u32..40, 0..25), k in 3u32..10) {
            let v = visible_cells(&counts, k);
            prop_assert_eq!(v.groups.len(), counts.len());
            let total: u32 = counts.iter().sum();
            prop_assert_eq!(v.total, total >= k);
            let shown: Vec<u32> = counts.iter().zip(&v.groups).filter(|(_, s)| **s).map(|(c, _)| *c).collect();
            for &c in &shown {
                prop_assert!(c >= k);
            }
            let ok = |d: u32| d == 0 || d >= k;
            if v.total {
                let residual = total - shown.iter().sum::<u32>();
                prop_assert!(ok(residual), "residual {residual}");
                for &c in &shown {
                    prop_assert!(ok(total - c));
                }
                for i in 0..shown.len() {
                    for j in (i + 1)..shown.len() {
                        prop_assert!(ok(total - shown[i] - shown[j]));
                    }
                }
            } else {
                prop_assert!(shown.is_empty());
            }
            prop_assert_eq!(visible_cells(&counts, k), v);
        }
    }
}
