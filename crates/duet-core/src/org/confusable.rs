//! Names that look alike: "Sаles" with a Cyrillic а beside the real "Sales". Two names are
//! confusable when their skeletons are equal: each letter that has a Latin look-alike in another
//! alphabet (Cyrillic, Greek) is replaced by it, case, invisible characters and repeated spaces
//! are folded. This is a short list of the look-alikes that occur in practice (after Unicode's
//! confusables table), not the whole table: enough to stop a department being impersonated
//! in a menu.

use unicode_normalization::UnicodeNormalization;

/// The Latin letter a character is mistaken for, if it is a known look-alike.
fn latin_look_alike(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic capitals and small letters.
        'А' | 'а' => 'a',
        'В' | 'в' => 'b',
        'Е' | 'е' | 'Ё' | 'ё' => 'e',
        'К' | 'к' => 'k',
        'М' | 'м' => 'm',
        'Н' | 'н' => 'h',
        'О' | 'о' => 'o',
        'Р' | 'р' => 'p',
        'С' | 'с' => 'c',
        'Т' | 'т' => 't',
        'У' | 'у' => 'y',
        'Х' | 'х' => 'x',
        'І' | 'і' => 'i',
        'Ј' | 'ј' => 'j',
        'Ѕ' | 'ѕ' => 's',
        'Ԁ' | 'ԁ' => 'd',
        'Ԛ' | 'ԛ' => 'q',
        'Ԝ' | 'ԝ' => 'w',
        // Greek capitals and small letters.
        'Α' | 'α' => 'a',
        'Β' | 'β' => 'b',
        'Ε' | 'ε' => 'e',
        'Ζ' => 'z',
        'Η' => 'h',
        'Ι' | 'ι' => 'i',
        'Κ' | 'κ' => 'k',
        'Μ' => 'm',
        'Ν' | 'ν' => 'v',
        'Ο' | 'ο' => 'o',
        'Ρ' | 'ρ' => 'p',
        'Τ' | 'τ' => 't',
        'Υ' | 'υ' => 'y',
        'Χ' | 'χ' => 'x',
        // Latin letters that pass for others.
        'ı' => 'i',
        'ɡ' => 'g',
        'ℓ' => 'l',
        _ => return None,
    })
}

/// The form two names are compared in (see the module docs).
pub fn skeleton(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = false;
    for c in name.nfkc() {
        if crate::error::invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match latin_look_alike(c) {
            Some(l) => out.push(l),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Whether `a` and `b` look the same to a reader but are different text: the impersonation case.
/// Names that differ only in case or spacing are not "confusable" here (they are the same name,
/// which uniqueness rules catch).
pub fn confusable(a: &str, b: &str) -> bool {
    let plain = |s: &str| {
        s.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    plain(a) != plain(b) && skeleton(a) == skeleton(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cyrillic_or_greek_look_alike_is_confusable_with_the_latin_name() {
        assert!(confusable("Sаles", "Sales"), "Cyrillic а");
        assert!(confusable("ΙΤ", "IT"), "Greek capitals");
        assert!(
            confusable("Marketing\u{200b}", "Marketing "),
            "a zero-width space"
        );
        assert!(
            !confusable("Sales", "SALES"),
            "case is the same name, not a look-alike"
        );
        assert!(!confusable("Sales", "Sales Ops"));
        assert!(
            !confusable("Финансы", "Finance"),
            "a real Cyrillic name is its own name"
        );
    }
}
