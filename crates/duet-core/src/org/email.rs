//! E-mail addresses, parsed once at the edge so the rest of Duet never sees a malformed one.

use crate::FieldError;
use std::fmt;

/// A syntactically plausible e-mail address, lower-cased so that uniqueness is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses an address: one `@`, a non-empty local part, a dotted domain, no spaces, ≤ 254 chars.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_lowercase();
        let bad = |why: &str| {
            Err(FieldError::new(
                "email",
                format!("'{}' is not a valid e-mail address: {why}", raw.trim()),
            ))
        };
        if s.is_empty() {
            return Err(FieldError::new("email", "is required"));
        }
        if s.len() > 254 {
            return bad("longer than 254 characters");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return bad("it has no '@'");
        };
        if local.is_empty() || local.len() > 64 {
            return bad("the part before '@' must be 1 to 64 characters");
        }
        if domain.contains('@') {
            return bad("it has more than one '@'");
        }
        if s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '<' | '>' | '"' | ',' | ';' | '(' | ')' | '[' | ']' | '\\'
                )
        }) {
            return bad("it contains spaces or characters not allowed in an address");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels
                .iter()
                .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
        {
            return bad("the domain must look like example.com");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return bad("dots in the part before '@' must separate words");
        }
        Ok(Self(s))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_them() {
        assert_eq!(
            Email::parse(" Ada.Lovelace@Example.COM ")
                .map(|e| e.to_string())
                .ok(),
            Some("ada.lovelace@example.com".into())
        );
        assert!(Email::parse("a+tag@sub.example.org").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses_with_the_field_named() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@@example.com",
            "a@b@example.com",
            ".a@example.com",
            "a@-x.com",
            "<a>@x.com",
        ] {
            let err = Email::parse(bad).err();
            assert_eq!(
                err.map(|e| e.field),
                Some("email".to_string()),
                "{bad:?} should be rejected"
            );
        }
    }
}
