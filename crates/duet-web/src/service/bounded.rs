//! A per-process map that forgets everything when it reaches `MAX` entries: the one shape of the
//! caches of values that never change once written (results of closed campaigns, instruments,
//! releases), bounded so a crawler cannot grow them without limit.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Values by key, at most `MAX` of them (past that, the map starts afresh).
pub struct Bounded<K, V, const MAX: usize = 256> {
    map: Mutex<HashMap<K, V>>,
}

impl<K, V, const MAX: usize> Default for Bounded<K, V, MAX> {
    fn default() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq, V: Clone, const MAX: usize> Bounded<K, V, MAX> {
    /// A copy of the value kept for `key` (cheap: values are ids or `Arc`s).
    pub fn get(&self, key: &K) -> Option<V> {
        self.map.lock().ok()?.get(key).cloned()
    }

    /// Keeps `value` for `key`.
    pub fn put(&self, key: K, value: V) {
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= MAX {
                m.clear();
            }
            m.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_values_and_starts_afresh_when_full() {
        let b: Bounded<u32, u32, 2> = Bounded::default();
        b.put(1, 10);
        b.put(2, 20);
        assert_eq!((b.get(&1), b.get(&2)), (Some(10), Some(20)));
        b.put(3, 30);
        assert_eq!((b.get(&1), b.get(&3)), (None, Some(30)));
    }
}
