//! The processes level: who interacts with whom, the departments left in a silo, and the
//! overlaps — two departments asking IT for the same thing without knowing it, a chance to
//! decide once for both.

use std::collections::{BTreeSet, HashMap};

/// Words that say nothing about what is asked for, or that half of all IT requests share
/// ("system", "access", "tool").
const STOP: [&str; 36] = [
    "about",
    "access",
    "after",
    "also",
    "application",
    "from",
    "have",
    "into",
    "issue",
    "management",
    "more",
    "need",
    "needs",
    "our",
    "over",
    "please",
    "platform",
    "problem",
    "request",
    "should",
    "software",
    "some",
    "support",
    "system",
    "systems",
    "than",
    "that",
    "their",
    "them",
    "they",
    "this",
    "tool",
    "tools",
    "want",
    "when",
    "with",
];

/// The words of a title that carry its meaning: lower case, four letters or more, no stop
/// words, a plural's "s" dropped.
pub fn words(title: &str) -> BTreeSet<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 4 && !STOP.contains(&w.as_str()))
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.chars().count() >= 4 && !w.ends_with("ss") => stem.to_string(),
            _ => w,
        })
        .collect()
}

/// Two requests of different departments that ask for the same thing: indexes into the list
/// given to [`overlaps`], and the words they share.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// The first request (index).
    pub a: usize,
    /// The second request (index).
    pub b: usize,
    /// The words they share.
    pub shared: Vec<String>,
    /// Shared words over all their words (0–1).
    pub similarity: f64,
}

/// Requests `(department, title)` of different departments whose titles share at least two
/// meaningful words and three fifths of all their words, most similar first, at most `limit` (one per
/// pair of departments and shared words). Words common to more than one title in twenty (and
/// three) do not count; only requests that share a word are compared.
pub fn overlaps(requests: &[(i64, &str)], limit: usize) -> Vec<Overlap> {
    let all: Vec<BTreeSet<String>> = requests.iter().map(|(_, t)| words(t)).collect();
    // A word in more than one title in twenty says what half the requests say ("report",
    // "laptop" in a large organisation): it neither makes two requests the same nor is worth
    // comparing on, and comparing on it would make the search quadratic.
    let mut df: HashMap<&str, usize> = HashMap::new();
    for s in &all {
        for w in s {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let common = (requests.len() / 20).max(3);
    let sets: Vec<BTreeSet<String>> = all
        .iter()
        .map(|s| {
            s.iter()
                .filter(|w| df.get(w.as_str()).copied().unwrap_or(0) <= common)
                .cloned()
                .collect()
        })
        .collect();
    let mut by_word: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in sets.iter().enumerate() {
        for w in s {
            by_word.entry(w.as_str()).or_default().push(i);
        }
    }
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for (i, s) in sets.iter().enumerate() {
        let mut candidates = BTreeSet::new();
        for w in s {
            for j in by_word.get(w.as_str()).into_iter().flatten() {
                if *j > i && requests[*j].0 != requests[i].0 {
                    candidates.insert(*j);
                }
            }
        }
        for j in candidates {
            let shared: Vec<String> = s.intersection(&sets[j]).cloned().collect();
            let all = s.union(&sets[j]).count();
            let similarity = shared.len() as f64 / all.max(1) as f64;
            if shared.len() < 2 || similarity < 0.6 {
                continue;
            }
            found.push(Overlap {
                a: i,
                b: j,
                shared,
                similarity,
            });
        }
    }
    found.sort_by(|p, q| q.similarity.total_cmp(&p.similarity).then(p.a.cmp(&q.a)));
    found.retain(|o| {
        let (x, y) = (requests[o.a].0, requests[o.b].0);
        seen.insert((x.min(y), x.max(y), o.shared.clone()))
    });
    found.truncate(limit);
    found
}

/// The departments in a silo, given (department, volume with everyone, volume with the other
/// business departments): those whose volume is under a quarter of the median department's
/// (and under three in any case), and those that deal with no other business department while
/// the median department deals with them three times or more — IT talks to everyone, so a
/// department can look busy and still work alone.
pub fn silos(volumes: &[(i64, u32, u32)]) -> Vec<i64> {
    let median = |f: &dyn Fn(&(i64, u32, u32)) -> u32| {
        let mut v: Vec<f64> = volumes.iter().map(|x| f64::from(f(x))).collect();
        super::median(&mut v).unwrap_or(0.0)
    };
    let limit = (median(&|x| x.1) / 4.0).max(3.0);
    let peers = median(&|x| x.2);
    volumes
        .iter()
        .filter(|(_, all, business)| f64::from(*all) < limit || (*business == 0 && peers >= 3.0))
        .map(|(d, _, _)| *d)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_keep_the_words_that_carry_meaning() {
        let w: Vec<String> = words("We need dashboards for the Sales pipeline, please!")
            .into_iter()
            .collect();
        assert_eq!(w, ["dashboard", "pipeline", "sale"]);
        assert!(
            words("Process").contains("process"),
            "a double s is not a plural"
        );
    }

    #[test]
    fn two_departments_asking_for_the_same_thing_overlap_and_one_department_does_not() {
        let r = [
            (1, "Customer dashboard for pipeline reporting"),
            (2, "Pipeline reporting dashboard"),
            (1, "Pipeline reporting dashboards"),
            (3, "New laptop for the intern"),
            (4, "Laptop for a new starter"),
        ];
        let o = overlaps(&r, 10);
        assert_eq!(
            o.len(),
            1,
            "once per pair of departments and shared words: {o:?}"
        );
        assert_eq!(
            (o[0].a, o[0].b, o[0].similarity),
            (1, 2, 1.0),
            "the closest pair is kept"
        );
        assert_eq!(o[0].shared, ["dashboard", "pipeline", "reporting"]);
        assert!(
            overlaps(&r[3..], 10).is_empty(),
            "one shared word is not enough"
        );
        let mut many: Vec<(i64, String)> = (0..100)
            .map(|i| (i % 7, format!("Quarterly report {i}")))
            .collect();
        many.push((1, "Quarterly report churn dashboard".into()));
        many.push((2, "Churn dashboard quarterly report".into()));
        let list: Vec<(i64, &str)> = many.iter().map(|(d, t)| (*d, t.as_str())).collect();
        let o = overlaps(&list, 10);
        assert_eq!(
            o.len(),
            1,
            "words every title has do not make a hundred overlaps: {o:?}"
        );
        assert_eq!(o[0].shared, ["churn", "dashboard"]);
        assert!(
            overlaps(&[(1, "Pipeline dashboard"), (1, "Pipeline dashboard")], 10).is_empty(),
            "one department is not an overlap"
        );
    }

    #[test]
    fn a_silo_is_far_below_the_median() {
        assert_eq!(
            silos(&[(1, 40, 0), (2, 30, 0), (3, 2, 0), (4, 36, 0), (5, 7, 0)]),
            [3, 5]
        );
        assert_eq!(
            silos(&[(1, 2, 0), (2, 1, 0)]),
            [1, 2],
            "under three is a silo whatever the median"
        );
        assert!(silos(&[]).is_empty());
        assert_eq!(
            silos(&[(1, 40, 5), (2, 30, 4), (3, 50, 0), (4, 36, 3)]),
            [3],
            "busy with IT, alone among its peers"
        );
        assert!(
            silos(&[(1, 40, 0), (2, 30, 1), (3, 50, 0)]).is_empty(),
            "nobody deals with peers: no one stands out"
        );
    }
}
