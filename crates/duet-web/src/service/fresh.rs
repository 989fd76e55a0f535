//! Short-lived caches of reads that every reader sees alike (a list, a summary): a value read at
//! one write epoch stays exact while this process has made no write since
//! (`duet_store::write_epoch`), and is kept for at most [`Fresh::LIFETIME`], which bounds how long
//! another replica's write goes unseen. Under a burst of reads the scan behind such a value runs
//! at most once per two seconds per process, whatever the size of the data.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A value read at one write epoch.
pub struct Fresh<T> {
    epoch: u64,
    at: Instant,
    value: Arc<T>,
}

impl<T> Fresh<T> {
    /// How long another replica's write may go unseen.
    pub const LIFETIME: Duration = Duration::from_secs(2);

    /// Wraps a value just read.
    pub fn new(value: Arc<T>) -> Self {
        Self {
            epoch: duet_store::write_epoch(),
            at: Instant::now(),
            value,
        }
    }

    /// The value, if still exact for this process and young enough.
    pub fn get(&self) -> Option<Arc<T>> {
        (self.epoch == duet_store::write_epoch() && self.at.elapsed() < Self::LIFETIME)
            .then(|| self.value.clone())
    }
}

/// One [`Fresh`] value behind a lock, loaded on demand by one caller at a time: when it goes
/// stale under load, the first caller reads it again and the others wait for that read instead
/// of all scanning at once (which made the slowest reads' p99 a multiple of their own time).
pub struct FreshCell<T> {
    value: Mutex<Option<Fresh<T>>>,
    loading: tokio::sync::Mutex<()>,
}

impl<T> Default for FreshCell<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> FreshCell<T> {
    /// An empty cell.
    pub const fn new() -> Self {
        Self {
            value: Mutex::new(None),
            loading: tokio::sync::Mutex::const_new(()),
        }
    }

    fn current(&self) -> Option<Arc<T>> {
        self.value
            .lock()
            .ok()
            .and_then(|m| m.as_ref().and_then(Fresh::get))
    }

    /// The value kept, if no write of this process came after it (however old it is).
    fn unwritten(&self) -> Option<Arc<T>> {
        self.value.lock().ok().and_then(|m| {
            m.as_ref()
                .filter(|f| f.epoch == duet_store::write_epoch())
                .map(|f| f.value.clone())
        })
    }

    /// The cached value, or `load`'s, which is then kept. While one caller reloads a value that
    /// only aged (no write of this process since), the others are served the aged value rather
    /// than wait: under load a slow read (a scan of 50,000 requests) then costs one caller per
    /// two seconds, not the p99 of everyone. After a write of this process everyone waits for the
    /// new value, so a person always sees what they just did.
    pub async fn get_or_load<E, F, Fut>(&self, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        if let Some(v) = self.current() {
            return Ok(v);
        }
        let _turn = match self.loading.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                if let Some(v) = self.unwritten() {
                    return Ok(v);
                }
                self.loading.lock().await
            }
        };
        // Someone else may have read it while this caller waited for its turn.
        if let Some(v) = self.current() {
            return Ok(v);
        }
        // The epoch before the read: a write racing the read leaves the value already stale.
        let epoch = duet_store::write_epoch();
        let v = Arc::new(load().await?);
        if let Ok(mut m) = self.value.lock() {
            *m = Some(Fresh {
                epoch,
                at: Instant::now(),
                value: v.clone(),
            });
        }
        Ok(v)
    }
}

/// [`FreshCell`]s by key (a filter and page, a record id, a viewer's scope): each key's value is
/// loaded by one caller at a time and kept for one write epoch and two seconds, at most `MAX`
/// keys at once (past that the map starts afresh, so a crawler cannot grow it).
pub struct FreshMap<K, T, const MAX: usize = 256> {
    cells: crate::service::bounded::Bounded<K, Arc<FreshCell<T>>, MAX>,
}

impl<K, T, const MAX: usize> Default for FreshMap<K, T, MAX> {
    fn default() -> Self {
        Self {
            cells: crate::service::bounded::Bounded::default(),
        }
    }
}

impl<K: std::hash::Hash + Eq, T, const MAX: usize> FreshMap<K, T, MAX> {
    /// The value kept for `key`, or `load`'s, which is then kept.
    pub async fn get_or_load<E, F, Fut>(&self, key: K, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        let cell = match self.cells.get(&key) {
            Some(cell) => cell,
            None => {
                let cell = Arc::new(FreshCell::new());
                self.cells.put(key, cell.clone());
                cell
            }
        };
        cell.get_or_load(load).await
    }
}

/// A kept value with its JSON, serialized on first use: a cached read served by the API then
/// costs a copy of bytes instead of a walk over every row (serializing fifty requests was most
/// of the list's time once the rows were cached). Pages read the value through `Deref`.
pub struct Served<T> {
    value: T,
    json: std::sync::OnceLock<axum::body::Bytes>,
}

impl<T> Served<T> {
    /// Wraps a value just read.
    pub fn new(value: T) -> Self {
        Self {
            value,
            json: std::sync::OnceLock::new(),
        }
    }
}

impl<T> std::ops::Deref for Served<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: serde::Serialize> Served<T> {
    /// The value as a JSON response (`200`, `application/json`).
    pub fn json(&self) -> Result<axum::response::Response, crate::error::AppError> {
        use axum::response::IntoResponse;
        let bytes = match self.json.get() {
            Some(b) => b.clone(),
            None => {
                let b = axum::body::Bytes::from(
                    serde_json::to_vec(&self.value)
                        .map_err(|e| crate::error::AppError::Internal(e.into()))?,
                );
                self.json.get_or_init(|| b).clone()
            }
        };
        Ok((
            [(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_loaded_once_while_fresh_and_keys_are_apart() {
        let map: FreshMap<u32, u32> = FreshMap::default();
        let load = |v: u32| move || async move { Ok::<_, ()>(v) };
        assert_eq!(*map.get_or_load(1, load(10)).await.unwrap(), 10);
        // Still fresh: the second loader is not called.
        assert_eq!(*map.get_or_load(1, load(11)).await.unwrap(), 10);
        assert_eq!(*map.get_or_load(2, load(20)).await.unwrap(), 20);
    }
}
