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

/// One [`Fresh`] value behind a lock, loaded on demand.
pub struct FreshCell<T>(Mutex<Option<Fresh<T>>>);

impl<T> Default for FreshCell<T> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

impl<T> FreshCell<T> {
    /// An empty cell (for statics).
    pub const fn new() -> Self {
        Self(Mutex::new(None))
    }

    /// The cached value, or `load`'s, which is then kept. Two callers missing at once both load;
    /// either result is exact.
    pub async fn get_or_load<E, F, Fut>(&self, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        if let Some(v) = self
            .0
            .lock()
            .ok()
            .and_then(|m| m.as_ref().and_then(Fresh::get))
        {
            return Ok(v);
        }
        let v = Arc::new(load().await?);
        if let Ok(mut m) = self.0.lock() {
            *m = Some(Fresh::new(v.clone()));
        }
        Ok(v)
    }
}
