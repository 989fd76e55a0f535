//! Passwords and bearer secrets (session ids, API tokens): how they are made, hashed and compared.
//!
//! Only hashes are ever stored. Passwords use argon2id (slow on purpose); random tokens carry 256
//! bits of entropy, so a fast SHA-256 is enough to make a leaked table useless.

use crate::FieldError;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// The most common passwords of ten characters or more (shorter ones are refused anyway), as
/// breach corpora rank them: shipped in the binary, compared without case. NIST SP 800-63B asks
/// to refuse passwords "commonly used, expected or compromised".
const COMMON: &[&str] = &[
    "1234567890",
    "qwertyuiop",
    "password123",
    "password1234",
    "password12",
    "password01",
    "1q2w3e4r5t",
    "qwerty123456",
    "1qaz2wsx3edc",
    "iloveyou123",
    "0987654321",
    "1111111111",
    "123456789a",
    "a123456789",
    "abc1234567",
    "passw0rd123",
    "p@ssw0rd123",
    "qwertyuiop123",
    "letmein123",
    "welcome123",
    "welcome1234",
    "admin12345",
    "admin123456",
    "administrator",
    "1234567891",
    "12345678910",
    "1234qwer!@#$",
    "football123",
    "baseball123",
    "superman123",
    "princess123",
    "sunshine123",
    "monkey1234",
    "dragon1234",
    "trustno1234",
    "changeme123",
    "zaq12wsx3edc",
    "asdfghjkl1",
    "zxcvbnm123",
    "qazwsxedcrfv",
    "correcthorsebatterystaple",
    "qwerty12345",
    "1q2w3e4r5t6y",
    "123123123123",
    "987654321a",
    "passwordpassword",
    "abcdefghij",
    "0000000000",
    "9999999999",
    "1122334455",
];

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
        if COMMON.iter().any(|c| c.eq_ignore_ascii_case(raw.trim())) {
            return Err(FieldError::new(
                "password",
                "is one of the most common passwords, the first any attacker tries: choose another",
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

    /// Like [`Password::hash`] but works in `memory` instead of allocating 19 MiB per call, so a
    /// server that hashes on a fixed set of workers keeps a fixed amount of memory.
    pub fn hash_in(&self, memory: &mut HashMemory) -> Result<String, SecretError> {
        let mut salt = [0u8; argon2::RECOMMENDED_SALT_LEN];
        getrandom::fill(&mut salt).map_err(|_| SecretError::Hash)?;
        let params = Params::default();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        Argon2::default()
            .hash_password_into_with_memory(
                self.0.as_bytes(),
                &salt,
                &mut out,
                memory.blocks(params.block_count()),
            )
            .map_err(|_| SecretError::Hash)?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|_| SecretError::Hash)?,
            salt: Some(Salt::new(&salt).map_err(|_| SecretError::Hash)?),
            hash: Some(Output::new(&out).map_err(|_| SecretError::Hash)?),
        };
        Ok(phc.to_string())
    }
}

/// Reusable working memory for argon2 (19 MiB with the default parameters).
///
/// Why: argon2 allocates its memory per hash, and the C allocator keeps such blocks in per-thread
/// arenas after they are freed, so a burst of sign-ins on many threads left hundreds of megabytes
/// behind. A fixed pool of workers, each owning one `HashMemory`, bounds the total.
#[derive(Default)]
pub struct HashMemory {
    blocks: Vec<Block>,
}

impl HashMemory {
    /// Memory for `count` blocks, grown (never shrunk) on demand.
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            // Reserve at least 33 MiB of address space (only the 19 MiB used become resident):
            // glibc serves requests above its largest mmap threshold (32 MiB) with mmap and gives
            // them back to the system when freed, whereas a 19 MiB block would end up in an
            // arena and stay resident after the burst is over.
            let mut blocks = Vec::with_capacity(count.max(Self::MMAP_FLOOR_BLOCKS));
            blocks.resize(count, Block::new());
            self.blocks = blocks;
        }
        &mut self.blocks[..count]
    }

    /// 33 MiB in 1 KiB blocks: above glibc's largest dynamic mmap threshold.
    const MMAP_FLOOR_BLOCKS: usize = 33 * 1024;

    /// Bytes held now (for metrics and tests).
    pub fn bytes(&self) -> usize {
        self.blocks.len() * Block::SIZE
    }
}

impl fmt::Debug for HashMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HashMemory({} KiB)", self.bytes() / 1024)
    }
}

/// Like [`verify_password`] but works in `memory`; any malformed hash counts as a mismatch.
pub fn verify_password_in(raw: &str, phc: &str, memory: &mut HashMemory) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    // A stored hash with an absurd memory cost must not make the server allocate it.
    if params.block_count() > 256 * 1024 {
        return false;
    }
    let mut out = vec![0u8; expected.as_bytes().len()];
    let count = params.block_count();
    let ok = Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(raw.as_bytes(), salt, &mut out, memory.blocks(count))
        .is_ok();
    // `Output`'s equality is constant-time.
    ok && Output::new(&out).is_ok_and(|o| &o == expected)
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
mod common_tests {
    use super::*;

    #[test]
    fn the_most_common_passwords_are_refused() {
        for p in ["password123", "Password123", "1234567890", " qwertyuiop "] {
            assert!(
                Password::parse(p)
                    .unwrap_err()
                    .message
                    .contains("most common"),
                "{p}"
            );
        }
        assert!(Password::parse("correct horse battery").is_ok());
    }
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
    fn hashing_in_reused_memory_matches_the_library() {
        let mut memory = HashMemory::default();
        let pw = Password::parse("correct horse battery").unwrap();
        let phc = pw.hash_in(&mut memory).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        // The library verifies ours, we verify the library's, both in reused memory.
        assert!(verify_password("correct horse battery", &phc));
        let theirs = pw.hash().unwrap();
        assert!(verify_password_in(
            "correct horse battery",
            &theirs,
            &mut memory
        ));
        assert!(verify_password_in(
            "correct horse battery",
            &phc,
            &mut memory
        ));
        assert!(!verify_password_in(
            "correct horse batterY",
            &phc,
            &mut memory
        ));
        assert!(!verify_password_in("x", "not a hash", &mut memory));
        assert_eq!(memory.bytes(), 19 * 1024 * 1024);
        assert_ne!(
            pw.hash_in(&mut memory).unwrap(),
            phc,
            "fresh salt each time"
        );
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
