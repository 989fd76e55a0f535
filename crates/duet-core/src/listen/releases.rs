//! Releases across campaigns: which of a campaign's slices may be shown, given what earlier
//! campaigns of a comparable instrument already showed (issue 10, class 3).
//!
//! People tend to answer the same questions the same way from one campaign to the next. If two
//! campaigns' shown figures rest on groups of people that differ by one person, subtracting one
//! from the other gives that person's answers and comments; a department hidden in one campaign
//! and shown in the next gives the old residual the same way. So every campaign's release is
//! described by its *atoms*, the disjoint groups of people behind what it shows — each shown
//! department, and the residual (everyone shown in the whole minus those departments) — and any
//! union of one campaign's atoms can be set against any union of the other's.
//!
//! The rule: for every earlier release `A` and the candidate `B`, no union of `A`'s atoms and
//! union of `B`'s atoms may differ by between 1 and `k - 1` people (a difference of none is the
//! same people, whose figures differ only by changes of opinion). Atoms of different campaigns
//! that share nobody cannot be combined into a smaller difference, so the check runs per
//! connected group of overlapping atoms and tries every pair of unions there (an exact search,
//! capped; past the cap a group counts as a conflict, which only hides more).
//!
//! A conflict hides the candidate's smallest department in the offending union, or else its
//! smallest shown department (either joins the residual), and the check runs again; when the
//! candidate shows no department and still conflicts, nothing of it is shown. Earlier releases never change, so what was shown stays shown.
//!
//! Only who took part is used (`(person, department)` pairs from participation), never answers.
//! The per-item "don't know" sets of two campaigns are not compared: they are not known per
//! person, and they differ only by what people chose to answer, which an administrator cannot
//! arrange.

use super::anonymity::{MIN_K, visible_cells_within};
use super::instruments::Definition;
use super::results::Release;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Who took part in one campaign: `(person, department answered for)`.
pub type Takers = [(i64, i64)];

/// Past this many atoms in one overlapping group the exact search stops and the group counts as
/// a conflict (2^16 pairs of unions is about a millisecond).
const MAX_GROUP_ATOMS: usize = 16;

/// One campaign's atoms: the disjoint groups of people its shown figures rest on.
fn atoms(takers: &Takers, release: &Release) -> Vec<(Option<i64>, BTreeSet<i64>)> {
    if !release.org {
        return Vec::new();
    }
    let mut by_dept: BTreeMap<Option<i64>, BTreeSet<i64>> = BTreeMap::new();
    for &(person, dept) in takers {
        let key = release.departments.contains(&dept).then_some(dept);
        by_dept.entry(key).or_default().insert(person);
    }
    by_dept.into_iter().collect()
}

/// The smallest nonzero difference below `k` between a union of `a`'s atoms and one of `b`'s,
/// with the `b` atoms it used; none if every difference is 0 or at least `k`.
fn conflict(
    a: &[(Option<i64>, BTreeSet<i64>)],
    b: &[(Option<i64>, BTreeSet<i64>)],
    k: usize,
) -> Option<Vec<usize>> {
    // Overlap sizes, and the connected groups of atoms sharing people (union-find over a ++ b).
    let n = a.len() + b.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut overlap = vec![vec![0usize; b.len()]; a.len()];
    let mut owner: HashMap<i64, usize> = HashMap::new();
    for (j, (_, people)) in b.iter().enumerate() {
        for p in people {
            owner.insert(*p, j);
        }
    }
    for (i, (_, people)) in a.iter().enumerate() {
        for p in people {
            if let Some(&j) = owner.get(p) {
                overlap[i][j] += 1;
            }
        }
        for (j, &o) in overlap[i].iter().enumerate() {
            if o > 0 {
                let (x, y) = (find(&mut parent, i), find(&mut parent, a.len() + j));
                parent[x] = y;
            }
        }
    }
    let mut groups: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        let g = groups.entry(root).or_default();
        if i < a.len() {
            g.0.push(i);
        } else {
            g.1.push(i - a.len());
        }
    }
    let mut best: Option<(usize, Vec<usize>)> = None;
    for (ga, gb) in groups.values() {
        if gb.is_empty() {
            continue; // Only earlier atoms: nothing of the candidate to combine with.
        }
        if ga.len() + gb.len() > MAX_GROUP_ATOMS {
            return Some(gb.clone());
        }
        for ma in 0u32..(1 << ga.len()) {
            let size_a: usize = (0..ga.len())
                .filter(|x| ma & (1 << x) != 0)
                .map(|x| a[ga[x]].1.len())
                .sum();
            for mb in 0u32..(1 << gb.len()) {
                if ma == 0 && mb == 0 {
                    continue;
                }
                let mut diff = size_a;
                for y in (0..gb.len()).filter(|y| mb & (1 << y) != 0) {
                    diff += b[gb[y]].1.len();
                    for x in (0..ga.len()).filter(|x| ma & (1 << x) != 0) {
                        diff -= 2 * overlap[ga[x]][gb[y]];
                    }
                }
                if diff > 0 && diff < k && best.as_ref().is_none_or(|(d, _)| diff < *d) {
                    let used = (0..gb.len())
                        .filter(|y| mb & (1 << y) != 0)
                        .map(|y| gb[y])
                        .collect();
                    best = Some((diff, used));
                }
            }
        }
    }
    best.map(|(_, used)| used)
}

/// Whether two campaigns' figures can be set against each other: the same instrument family
/// (`key`, across versions), or any statement asked in both (an administrator could copy a
/// statement into a custom instrument to compare it). Statements match ignoring case, spacing and
/// punctuation (letters and digits only), so a full stop added or a quote changed does not evade
/// the check; a reworded statement is another statement.
pub fn comparable(a_key: &str, a: &Definition, b_key: &str, b: &Definition) -> bool {
    if a_key == b_key {
        return true;
    }
    let norm = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mine: std::collections::HashSet<String> = a.items.iter().map(|i| norm(&i.prompt)).collect();
    b.items.iter().any(|i| mine.contains(&norm(&i.prompt)))
}

/// Decides what of a campaign may be shown: the within-campaign rules (k and complementary
/// suppression on its respondent counts), then the rule of this module against every earlier
/// release of a comparable instrument (`earlier`: who took part in each, and what it showed).
pub fn release(takers: &Takers, earlier: &[(&Takers, &Release)], k: u32) -> Release {
    let k = k.max(MIN_K);
    let mut departments: Vec<i64> = takers.iter().map(|t| t.1).collect();
    departments.sort_unstable();
    departments.dedup();
    let counts: Vec<u32> = departments
        .iter()
        .map(|d| {
            let n = takers.iter().filter(|t| t.1 == *d).count();
            u32::try_from(n).unwrap_or(u32::MAX)
        })
        .collect();
    let mut allowed = vec![true; departments.len()];
    let earlier_atoms: Vec<_> = earlier.iter().map(|(t, r)| atoms(t, r)).collect();
    loop {
        let v = visible_cells_within(&counts, k, &allowed);
        if !v.total {
            return Release::default();
        }
        allowed = v.groups;
        let candidate = Release {
            org: true,
            departments: departments
                .iter()
                .zip(&allowed)
                .filter(|(_, a)| **a)
                .map(|(d, _)| *d)
                .collect(),
        };
        let mine = atoms(takers, &candidate);
        let hit = earlier_atoms
            .iter()
            .find_map(|a| conflict(a, &mine, k as usize));
        let Some(used) = hit else {
            return candidate;
        };
        // Hide the smallest department of the offending union, or else the smallest shown one
        // (the residual grows); with none shown, hide everything.
        let smallest_of = |js: &mut dyn Iterator<Item = usize>| {
            js.filter_map(|j| mine[j].0.map(|d| (mine[j].1.len(), d)))
                .min()
        };
        let smallest =
            smallest_of(&mut used.iter().copied()).or_else(|| smallest_of(&mut (0..mine.len())));
        match smallest {
            Some((_, d)) => {
                if let Ok(g) = departments.binary_search(&d) {
                    allowed[g] = false;
                }
            }
            None => return Release::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn takers(groups: &[(i64, std::ops::Range<i64>)]) -> Vec<(i64, i64)> {
        groups
            .iter()
            .flat_map(|(d, people)| people.clone().map(move |p| (p, *d)))
            .collect()
    }

    fn depts(r: &Release) -> Vec<i64> {
        r.departments.iter().copied().collect()
    }

    #[test]
    fn a_first_campaign_follows_the_within_campaign_rules_only() {
        let t = takers(&[(1, 0..7), (2, 7..9)]);
        let r = release(&t, &[], 5);
        assert!(r.org);
        assert!(depts(&r).is_empty(), "7 + 2: the 7 would reveal the 2");
        let t = takers(&[(1, 0..6), (2, 6..12)]);
        assert_eq!(depts(&release(&t, &[], 5)), [1, 2]);
        assert_eq!(release(&takers(&[(1, 0..4)]), &[], 5), Release::default());
    }

    /// The attack: the same instrument twice, respondents differing by one person.
    #[test]
    fn respondents_differing_by_one_person_hide_the_later_campaign() {
        let a = takers(&[(1, 0..6), (2, 6..12)]);
        let ra = release(&a, &[], 5);
        let b = takers(&[(1, 0..6), (2, 6..11)]);
        let rb = release(&b, &[(&a, &ra)], 5);
        // Department 2 lost one person, and so did the whole: whatever B showed, its whole
        // (shown, or its departments added up) would be A's whole minus that person.
        assert_eq!(rb, Release::default(), "12 vs 11 people: nothing is shown");
        // A different department losing one person in a bigger organisation: only what
        // touches it is held back.
        let c = takers(&[(1, 0..6), (2, 6..12), (3, 12..18)]);
        let rc = release(&c, &[], 5);
        let d = takers(&[(1, 0..6), (2, 6..12), (3, 12..17), (3, 30..35)]);
        let rd = release(&d, &[(&c, &rc)], 5);
        assert!(rd.org);
        assert_no_small_difference(&c, &rc, &d, &rd, 5);
        // The same people again: shown in full (differences are changes of opinion only).
        let again = release(&a, &[(&a, &ra)], 5);
        assert_eq!(again, ra);
    }

    /// The second attack: a department hidden in one campaign and shown in the next
    /// gives the earlier residual by subtraction.
    #[test]
    fn a_department_shown_after_being_hidden_may_not_reveal_the_old_residual() {
        // A: department 1 (6 people) shown, 2 (2) and 3 (3) hidden: residual {2, 3} = 5.
        let a = takers(&[(1, 0..6), (2, 6..8), (3, 8..11)]);
        let ra = release(&a, &[], 5);
        assert_eq!(depts(&ra), [1]);
        // B: the same people plus six newcomers in department 2, now shown, while 1 and 3 make
        // B's residual: B's residual minus A's department 1 would be department 3's three
        // people. Department 2 must stay hidden (then B shows its whole only).
        let b = takers(&[(1, 0..6), (2, 6..8), (2, 20..26), (3, 8..11)]);
        assert_eq!(depts(&release(&b, &[], 5)), [2], "alone, B would show 2");
        let rb = release(&b, &[(&a, &ra)], 5);
        assert!(rb.org);
        assert!(depts(&rb).is_empty());
        assert_no_small_difference(&a, &ra, &b, &rb, 5);
    }

    fn unions(t: &[(i64, i64)], r: &Release) -> Vec<BTreeSet<i64>> {
        let at = atoms(t, r);
        let mut out = Vec::new();
        for m in 1u32..(1 << at.len()) {
            let mut u = BTreeSet::new();
            for (i, (_, people)) in at.iter().enumerate() {
                if m & (1 << i) != 0 {
                    u.extend(people.iter().copied());
                }
            }
            out.push(u);
        }
        out
    }

    fn assert_no_small_difference(
        a: &[(i64, i64)],
        ra: &Release,
        b: &[(i64, i64)],
        rb: &Release,
        k: usize,
    ) {
        let mut ua = unions(a, ra);
        ua.push(BTreeSet::new());
        for x in &ua {
            for y in unions(b, rb) {
                let d = x.symmetric_difference(&y).count();
                assert!(d == 0 || d >= k, "{x:?} vs {y:?} differ by {d}");
            }
        }
    }

    #[test]
    fn campaigns_compare_by_family_or_by_a_shared_statement() {
        use crate::listen::instruments::{builtins, custom};
        let b = builtins();
        let (pulse, five) = (&b[0], &b[1]);
        assert!(comparable(
            pulse.key,
            &pulse.definition,
            pulse.key,
            &pulse.definition
        ));
        assert!(!comparable(
            pulse.key,
            &pulse.definition,
            five.key,
            &five.definition
        ));
        let copied = format!(
            "Copied | «{}»!",
            pulse.definition.items[3]
                .prompt
                .to_uppercase()
                .replace(' ', "  ")
        );
        let c = custom("Quick check", "", &copied).unwrap();
        assert!(comparable(
            "custom-quick-check",
            &c,
            pulse.key,
            &pulse.definition
        ));
        let other = custom("Other", "", "A | Something else entirely").unwrap();
        assert!(!comparable(
            "custom-other",
            &other,
            pulse.key,
            &pulse.definition
        ));
    }

    proptest! {
        /// Whatever two campaigns' takers are, no union of the earlier release's atoms and
        /// union of the later's differ by 1..k-1 people, and the later one never shows a
        /// department below k.
        #[test]
        fn no_two_releases_differ_by_fewer_than_k(
            a in proptest::collection::btree_map(0i64..40, 1i64..=4, 0..30),
            b in proptest::collection::btree_map(0i64..40, 1i64..=4, 0..30),
            k in 3u32..6,
        ) {
            let a: Vec<(i64, i64)> = a.into_iter().collect();
            let b: Vec<(i64, i64)> = b.into_iter().collect();
            let ra = release(&a, &[], k);
            let rb = release(&b, &[(&a, &ra)], k);
            for d in &rb.departments {
                prop_assert!(b.iter().filter(|t| t.1 == *d).count() >= k as usize);
            }
            let mut ua = unions(&a, &ra);
            ua.push(BTreeSet::new());
            for x in &ua {
                for y in unions(&b, &rb) {
                    let d = x.symmetric_difference(&y).count();
                    prop_assert!(d == 0 || d >= k as usize, "{:?} vs {:?} differ by {}", x, y, d);
                }
            }
        }
    }
}
