//! Passwords and bearer secrets (session ids, API tokens): how they are made, hashed and compared.
//!
//! Only hashes are ever stored. Passwords use argon2id (slow on purpose); random tokens carry 256
//! bits of entropy, so a fast SHA-256 is enough to make a leaked table useless.

use crate::FieldError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use std::fmt;

/// A password that meets the policy. `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// Minimum length: long passphrases beat composition rules (NIST SP 800-63B).
    pub const MIN_CHARS: usize = 10;

    /// Accepts a password of 10 to 256 characters (no other composition rules).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(FieldError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if n > 256 {
            return Err(FieldError::new(
                "password",
                "must be at most 256 characters",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// Hashes with argon2id and a fresh random salt, as a PHC string. CPU-heavy: call it off the
    /// async executor.
    pub fn hash(&self) -> Result<String, SecretError> {
        Argon2::default()
            .hash_password(self.0.as_bytes())
            .map(|h| h.to_string())
            .map_err(|_| SecretError::Hash)
    }
}

/// Failure of the crypto primitives (never of a user's input).
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The system random source or the hasher failed.
    #[error("could not hash a secret")]
    Hash,
}

/// Checks `raw` against a stored PHC string; any malformed hash counts as a mismatch.
pub fn verify_password(raw: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(raw.as_bytes(), phc)
        .is_ok()
}

/// A hash of a random password nobody knows, verified when an account does not exist so that a
/// wrong e-mail and a wrong password take the same time (no hint which part was wrong).
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        new_secret("")
            .ok()
            .and_then(|s| Password(s).hash().ok())
            .unwrap_or_else(|| "$argon2id$v=19$m=19456,t=2,p=1$invalid".to_string())
    })
}

/// Makes a random secret with 256 bits of entropy, prefixed so it is recognisable in a leak scan.
pub fn new_secret(prefix: &str) -> Result<String, SecretError> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|_| SecretError::Hash)?;
    Ok(format!("{prefix}{}", hex(&buf)))
}

/// The stored form of a random secret: SHA-256, hex-encoded.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Compares two strings in time that depends only on their lengths (for CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let pw = Password::parse("correct horse battery").unwrap();
        let phc = pw.hash().unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterY", &phc));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn dummy_hash_parses_so_it_costs_a_real_verification() {
        assert!(dummy_password_hash().starts_with("$argon2id$v=19$m=19456"));
        assert!(!verify_password("anything at all", dummy_password_hash()));
    }

    #[test]
    fn short_passwords_are_refused_and_debug_is_redacted() {
        assert_eq!(
            Password::parse("short").err().map(|e| e.field),
            Some("password".into())
        );
        let pw = Password::parse("long enough secret").unwrap();
        assert!(!format!("{pw:?}").contains("secret"));
    }

    #[test]
    fn secrets_are_random_and_hash_stably() {
        let a = new_secret("duet_").unwrap();
        let b = new_secret("duet_").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 5 + 64);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), hash_secret(&b));
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
    }
}
