//! A short-lived, per-process cache of authenticated principals (API tokens and browser sessions).
//!
//! The database stays the source of truth: an entry lives at most `TTL` (two seconds), and any
//! change that can take access away (sign-out, token revocation, disabling an account, a password
//! change) clears this process's cache at once. Another replica may keep serving a revoked
//! credential for at most `TTL`. In exchange, a page view or an API call costs one query fewer,
//! which is what lets a small server meet its load targets.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an entry is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(2);
/// Upper bound on entries; the cache is cleared when it is reached (no eviction bookkeeping).
const MAX_ENTRIES: usize = 20_000;

/// Cached values keyed by credential (the raw secret never leaves the request; keys are the
/// secret's hash).
pub struct AuthCache<V> {
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> Default for AuthCache<V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> AuthCache<V> {
    /// The cached value for `key`, if still fresh.
    pub fn get(&self, key: &str) -> Option<V> {
        let map = self.entries.lock().ok()?;
        map.get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    /// Remembers `value` for `key`.
    pub fn put(&self, key: String, value: V) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, (Instant::now(), value));
        }
    }

    /// Forgets one key.
    pub fn remove(&self, key: &str) {
        if let Ok(mut map) = self.entries.lock() {
            map.remove(key);
        }
    }

    /// Forgets everything (after any change that can take access away).
    pub fn clear(&self) {
        if let Ok(mut map) = self.entries.lock() {
            map.clear();
        }
    }
}

/// The two caches the app keeps, cleared together whenever access may have been taken away.
#[derive(Default)]
pub struct AuthCaches {
    /// Bearer token hash → account.
    pub tokens: AuthCache<duet_store::accounts::User>,
    /// Session cookie hash → session (only sessions without a pending flash message).
    pub sessions: AuthCache<std::sync::Arc<(String, duet_store::sessions::Session)>>,
}

impl AuthCaches {
    /// Forgets every cached credential of this process.
    pub fn clear(&self) {
        self.tokens.clear();
        self.sessions.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_can_be_cleared() {
        let c: AuthCache<u32> = AuthCache::default();
        c.put("a".into(), 1);
        assert_eq!(c.get("a"), Some(1));
        c.remove("a");
        assert_eq!(c.get("a"), None);
        c.put("b".into(), 2);
        c.clear();
        assert_eq!(c.get("b"), None);
    }
}
