//! The voice inbox: pain points anyone can raise "without the threat of repercussions".
//!
//! The author is known to nobody, not even to Duet: the only thing that ties them to their pain
//! point is a receipt code shown to them once. Duet keeps a SHA-256 of it (the code carries 100
//! random bits, so a fast hash is enough), and a wrong code and an unknown code are the same thing.

use crate::FieldError;
use sha2::{Digest, Sha256};

wire_enum!(
    /// Where a pain point stands, as its author sees it.
    PainStatus, "status" {
        New = "new" / "Waiting for an answer",
        Answered = "answered" / "Answered",
        Request = "request" / "Became a request",
        Promise = "promise" / "Became a promise",
        Closed = "closed" / "Closed",
    }
);

/// The longest pain point accepted: long enough for a story, short enough to read.
pub const MAX_CHARS: usize = 10_000;

/// A pain point's text, checked: 10 to 10,000 characters, line breaks allowed.
pub fn parse_text(field: &str, raw: &str) -> Result<String, FieldError> {
    parse_multiline(field, raw, 10, MAX_CHARS)
}

/// Text of several lines (pain points, replies): the shared prose rule
/// ([`crate::error::prose_text`]) — line breaks and tabs allowed, no other control characters.
pub fn parse_multiline(
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, FieldError> {
    crate::error::prose_text(field, raw, min, max)
}

/// Alphabet of receipt codes: Crockford base32 (O reads as 0, I and L as 1 when typed back).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new receipt code (20 symbols, 100 bits, shown as 5 groups of 4) and the hash to store.
pub fn new_receipt() -> Result<(String, String), FieldError> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes)
        .map_err(|_| FieldError::new("receipt", "the system random generator failed"))?;
    let mut code = String::with_capacity(24);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        code.push(ALPHABET[(*b & 31) as usize] as char);
    }
    let hash = hash_receipt(&code);
    Ok((code, hash))
}

/// The stored form of a receipt code as typed: case, spaces and dashes do not matter. Every input,
/// well-formed or not, is hashed the same way so a lookup takes the same path for any code.
pub fn hash_receipt(raw: &str) -> String {
    let norm: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .take(64)
        .collect();
    let digest = Sha256::digest(norm.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_random_and_hash_ignores_formatting() {
        let (a, ha) = new_receipt().unwrap();
        let (b, _) = new_receipt().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 24);
        assert_eq!(hash_receipt(&a.to_lowercase().replace('-', " ")), ha);
        assert_ne!(hash_receipt("nonsense"), ha);
    }

    #[test]
    fn text_limits() {
        assert!(parse_text("text", "too short").is_err());
        assert!(parse_text("text", "The VPN drops every afternoon.\nPlease help.").is_ok());
        let long = "x".repeat(MAX_CHARS + 1);
        let e = parse_text("text", &long).unwrap_err();
        assert!(e.message.contains("10000"), "{e}");
        assert!(parse_text("text", &"x".repeat(MAX_CHARS)).is_ok());
    }
}
