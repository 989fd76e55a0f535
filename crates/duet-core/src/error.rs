//! Validation errors that name the field at fault, so every layer can tell the user what and where.

use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// One invalid input: which field and why, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The input field, as named in forms, JSON and CSV headers (`email`, `department`, …).
    pub field: String,
    /// A sentence that says what is wrong and what would be right.
    pub message: String,
}

impl FieldError {
    /// Builds an error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// All the invalid fields of one input, so a form can mark every one of them at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Records the error of a parse, keeping the value when it succeeded.
    pub fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// `Ok(())` when nothing failed, else the first error (the others stay in `self`).
    pub fn into_result(self) -> Result<(), FieldError> {
        match self.0.into_iter().next() {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

/// Whether `c` shows nothing on its own: zero-width spaces and joiners, direction marks, the
/// word joiner and the byte-order mark. A title made only of them looks empty.
pub fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// Trims `raw` (whitespace and invisible characters at either end) and checks its length in
/// visible characters, so names and titles stay displayable: a title of zero-width spaces is
/// not "at least 3 characters".
pub fn bounded_text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    // NFC: "é" typed as e + combining accent is stored as the one letter, so equal-looking
    // text is equal text (for uniqueness, search and sorting) and counts as people count it.
    let raw: String = raw.nfc().collect();
    let t = raw.trim_matches(|c: char| c.is_whitespace() || invisible(c));
    let n = t.chars().filter(|c| !invisible(*c)).count();
    if n < min {
        return Err(if min == 1 {
            FieldError::new(field, "is required")
        } else {
            FieldError::new(field, format!("must be at least {min} characters"))
        });
    }
    if n > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(t.to_string())
}

/// The one multi-line text rule, for prose people write (agendas, notes, decisions, descriptions,
/// pain points): trimmed, `min` to `max` characters, line breaks and tabs allowed, any other
/// control character refused. Windows (`\r\n`) and old Mac (`\r`) line ends become `\n`, so
/// what a browser's textarea sends is stored the same on every platform.
pub fn prose_text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let normalised: String = raw
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .collect();
    let t = normalised.trim();
    let n = t.chars().count();
    if n > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters (this one has {n})"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(FieldError::new(
            field,
            "must not contain control characters other than line breaks and tabs",
        ));
    }
    // The single-line rule gives the minimum's wording; line breaks count as spaces there.
    bounded_text(field, &t.replace(['\n', '\t'], " "), min, max)?;
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_stored_in_nfc_and_counted_as_people_count_it() {
        let decomposed = "Cafe\u{301} crew";
        assert_eq!(
            bounded_text("title", decomposed, 1, 9).as_deref(),
            Ok("Caf\u{e9} crew")
        );
        assert_eq!(
            prose_text("text", "Cafe\u{301}\r\nok", 1, 10).as_deref(),
            Ok("Caf\u{e9}\nok")
        );
    }

    #[test]
    fn bounded_text_trims_and_rejects_empty_and_long() {
        assert_eq!(
            bounded_text("name", "  Ada ", 1, 10).ok(),
            Some("Ada".into())
        );
        assert_eq!(
            bounded_text("name", "   ", 1, 10).err().map(|e| e.message),
            Some("is required".into())
        );
        assert!(bounded_text("name", "abcdefghijk", 1, 10).is_err());
        assert!(bounded_text("name", "a\u{7}b", 1, 10).is_err());
    }

    #[test]
    fn prose_keeps_line_breaks_and_tabs_and_normalises_crlf() {
        assert_eq!(
            prose_text("agenda", " The good\r\n- CRM\r\n\tfaster\r\n", 0, 100).ok(),
            Some("The good\n- CRM\n\tfaster".into())
        );
        assert_eq!(prose_text("notes", "a\rb", 0, 10).ok(), Some("a\nb".into()));
        let e = prose_text("notes", "bell\u{7}", 0, 100)
            .err()
            .map(|e| e.field);
        assert_eq!(e.as_deref(), Some("notes"));
        assert!(
            prose_text("notes", "\n\n", 1, 10).is_err(),
            "blank lines are not text"
        );
        assert!(prose_text("notes", "abc", 0, 2).is_err());
        assert!(
            bounded_text("name", "two\nlines", 1, 20).is_err(),
            "names stay on one line"
        );
    }
}

#[cfg(test)]
mod visible_tests {
    use super::*;

    #[test]
    fn invisible_characters_do_not_make_a_title() {
        assert_eq!(
            bounded_text("title", "\u{200B}\u{200B}\u{200B}\u{200B}", 3, 80)
                .unwrap_err()
                .field,
            "title"
        );
        assert_eq!(
            bounded_text("title", "\u{FEFF}\u{200D}", 1, 80)
                .unwrap_err()
                .message,
            "is required"
        );
        assert_eq!(
            bounded_text("title", " \u{200B}CRM\u{200B} ", 3, 80).unwrap(),
            "CRM"
        );
        assert!(
            bounded_text("title", "a\u{200B}b", 3, 80).is_err(),
            "two visible characters"
        );
    }
}
