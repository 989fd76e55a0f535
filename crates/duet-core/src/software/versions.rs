//! Comparing versions the way advisories state them, across ecosystems that do not share one
//! scheme: dotted numbers compare as numbers ("1.10" after "1.9"), letters as text, and a
//! pre-release ("2.0.0-rc1") comes before its release. A range is OSV's: events `introduced`,
//! `fixed`, `last_affected` in order, plus an explicit list of affected versions.

use std::cmp::Ordering;

/// One run of a version: a number or a word.
#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Num(u64),
    Word(&'a str),
}

fn tokens(s: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Token::Num(s[start..i].parse().unwrap_or(u64::MAX)));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Token::Word(&s[start..i]));
        } else {
            i += 1;
        }
    }
    out
}

fn cmp_tokens(a: &[Token<'_>], b: &[Token<'_>]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let o = match (a.get(i), b.get(i)) {
            (Some(Token::Num(x)), Some(Token::Num(y))) => x.cmp(y),
            (Some(Token::Word(x)), Some(Token::Word(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
            (Some(Token::Num(_)), Some(Token::Word(_))) => Ordering::Greater,
            (Some(Token::Word(_)), Some(Token::Num(_))) => Ordering::Less,
            // "1.2" and "1.2.0" are the same release; "1.2.1" is later.
            (Some(Token::Num(x)), None) => x.cmp(&0),
            (None, Some(Token::Num(y))) => 0.cmp(y),
            (Some(Token::Word(_)), None) => Ordering::Less,
            (None, Some(Token::Word(_))) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Compares two versions (a leading "v" is ignored; build metadata after "+" too).
pub fn compare(a: &str, b: &str) -> Ordering {
    let norm = |s: &str| {
        let s = s.trim();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let s = s.split('+').next().unwrap_or(s).to_string();
        match s.split_once('-') {
            Some((core, pre)) if core.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                (core.to_string(), Some(pre.to_string()))
            }
            _ => (s, None),
        }
    };
    let ((ca, pa), (cb, pb)) = (norm(a), norm(b));
    match cmp_tokens(&tokens(&ca), &tokens(&cb)) {
        Ordering::Equal => match (pa, pb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => cmp_tokens(&tokens(&x), &tokens(&y)),
        },
        o => o,
    }
}

/// One event of a range, as OSV states it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on ("0": from the first).
    Introduced(String),
    /// Fixed in this version (it is not affected).
    Fixed(String),
    /// The last affected version.
    LastAffected(String),
    /// Versions from here on are not known to be affected.
    Limit(String),
}

/// Whether `version` falls in the range of `events` (in the order given: OSV sorts them).
pub fn in_range(version: &str, events: &[Event]) -> bool {
    let mut affected = false;
    for e in events {
        match e {
            Event::Introduced(v) if v == "0" || compare(version, v) != Ordering::Less => {
                affected = true;
            }
            Event::Fixed(v) | Event::Limit(v)
                if affected && compare(version, v) != Ordering::Less =>
            {
                affected = false;
            }
            Event::LastAffected(v) if affected && compare(version, v) == Ordering::Greater => {
                affected = false;
            }
            _ => {}
        }
    }
    affected
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn versions_compare_as_people_read_them() {
        assert_eq!(compare("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare("2.0.0-rc1", "2.0.0"), Ordering::Less);
        assert_eq!(compare("v1.2", "1.2.0"), Ordering::Equal);
        assert_eq!(compare("2.14.1", "2.15.0"), Ordering::Less);
        assert_eq!(compare("1.0.0+build5", "1.0.0"), Ordering::Equal);
        assert_eq!(compare("2019", "2016"), Ordering::Greater);
    }

    #[test]
    fn ranges_follow_osv_events() {
        let log4j = [
            Event::Introduced("2.0-beta9".into()),
            Event::Fixed("2.15.0".into()),
        ];
        assert!(in_range("2.14.1", &log4j));
        assert!(!in_range("2.15.0", &log4j));
        assert!(!in_range("1.2.17", &log4j));
        let all = [
            Event::Introduced("0".into()),
            Event::LastAffected("3.1".into()),
        ];
        assert!(in_range("3.1", &all) && !in_range("3.2", &all));
        let two = [
            Event::Introduced("1.0".into()),
            Event::Fixed("1.5".into()),
            Event::Introduced("2.0".into()),
            Event::Fixed("2.3".into()),
        ];
        assert!(in_range("2.1", &two) && !in_range("1.7", &two));
    }

    proptest! {
        #[test]
        fn comparison_is_an_order(a in "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}", b in "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}") {
            prop_assert_eq!(compare(&a, &b), compare(&b, &a).reverse());
            prop_assert_eq!(compare(&a, &a), Ordering::Equal);
        }
    }
}
