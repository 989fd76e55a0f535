//! Password hashing on a bounded queue, so Monday 9:00 does not take the server down.
//!
//! argon2id is slow and memory-hard on purpose (19 MiB per hash). Run on tokio's blocking pool
//! without a bound, 40 simultaneous sign-ins meant 40 threads each allocating 19 MiB, and the C
//! allocator kept those blocks in per-thread arenas for good (1 GB resident, never given back).
//! Here at most one hash per core (and at most [`MAX_TURNS`]) runs at a time (a FIFO semaphore: a queue, not more threads),
//! each in one of a fixed set of reusable [`HashMemory`] buffers, so hashing memory is bounded by
//! `turns × 19 MiB` whatever the load, and given back to the system when the queue empties. When
//! more than [`MAX_WAITING`] callers are already queued, new ones are told to try again (429) instead of piling up. The hasher is per process, shared
//! by every request (and by every app a test process spawns).

use crate::error::AppError;
use duet_core::secret::{self, HashMemory, Password};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use tokio::sync::Semaphore;

/// At most this many hashes at once, whatever the core count: 4 × 19 MiB keeps a burst of
/// sign-ins well under 100 MB on a big machine too.
pub const MAX_TURNS: usize = 4;

/// How many callers may wait for a hashing turn before new ones are refused: at about 60 ms a
/// hash on one core, a full queue drains in a few seconds.
pub const MAX_WAITING: usize = 256;

/// The process's password hasher.
struct Hasher {
    turns: Semaphore,
    memories: Mutex<Vec<HashMemory>>,
    waiting: AtomicUsize,
    /// Callers waiting or hashing; the last one out gives the buffers back to the system.
    active: AtomicUsize,
    /// Hashes running now, and the most that ever ran at once (for tests and metrics).
    running: AtomicUsize,
    peak: AtomicUsize,
}

fn hasher() -> &'static Hasher {
    static HASHER: OnceLock<Hasher> = OnceLock::new();
    HASHER.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hasher {
            turns: Semaphore::new(cores.min(MAX_TURNS)),
            memories: Mutex::new(Vec::new()),
            waiting: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    })
}

/// Counts a caller as waiting until dropped (also when its request is abandoned).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Counts a caller as active until dropped; the last active caller frees the pooled buffers, so
/// a quiet server holds no hashing memory (RSS returns to idle after a burst).
struct Active<'a>(&'a Hasher);

impl Drop for Active<'_> {
    fn drop(&mut self) {
        if self.0.active.fetch_sub(1, Ordering::AcqRel) == 1
            && let Ok(mut pool) = self.0.memories.lock()
            && self.0.active.load(Ordering::Acquire) == 0
        {
            pool.clear();
        }
    }
}

/// Runs `work` with a hashing turn and a reusable buffer, off the async executor.
///
/// The turn, the buffer and the caller's place in `active` move into the blocking task: a
/// request abandoned mid-hash (client gone, timeout) keeps its turn until the hash is really
/// over, so hanging up early can never start more hashes than there are turns.
async fn run<T: Send + 'static>(
    work: impl FnOnce(&mut HashMemory) -> T + Send + 'static,
) -> Result<T, AppError> {
    let h = hasher();
    h.active.fetch_add(1, Ordering::AcqRel);
    let active = Active(h);
    let waiting = Waiting(&h.waiting);
    if h.waiting.fetch_add(1, Ordering::Relaxed) >= MAX_WAITING {
        return Err(AppError::TooManyRequests(
            "Many people are signing in right now. Try again in a few seconds.".into(),
        ));
    }
    let turn = h
        .turns
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    drop(waiting);
    let mut memory = take_memory(h);
    tokio::task::spawn_blocking(move || {
        let now = h.running.fetch_add(1, Ordering::AcqRel) + 1;
        h.peak.fetch_max(now, Ordering::AcqRel);
        let out = work(&mut memory);
        h.running.fetch_sub(1, Ordering::AcqRel);
        if let Ok(mut pool) = h.memories.lock() {
            pool.push(memory);
        }
        drop(turn);
        drop(active);
        out
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

fn take_memory(h: &Hasher) -> HashMemory {
    h.memories
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .unwrap_or_default()
}

/// Checks a password against a stored PHC string (any malformed hash is a mismatch).
pub async fn verify(raw: String, phc: String) -> Result<bool, AppError> {
    run(move |memory| secret::verify_password_in(&raw, &phc, memory)).await
}

/// Hashes a new password as a PHC string.
pub async fn hash(password: Password) -> Result<String, AppError> {
    run(move |memory| password.hash_in(memory))
        .await?
        .map_err(|e| AppError::Internal(e.into()))
}

/// Bytes of hashing memory this process holds in its pool (at most turns × 19 MiB while busy,
/// none once idle; for tests).
pub fn memory_bytes() -> usize {
    hasher()
        .memories
        .lock()
        .map_or(0, |pool| pool.iter().map(HashMemory::bytes).sum())
}

/// The most hashes that ever ran at the same time in this process (at most the core count).
pub fn peak_concurrency() -> usize {
    hasher().peak.load(Ordering::Acquire)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_burst_of_hashes_is_answered_in_full_and_leaves_no_buffer_behind() {
        let pw = Password::parse("correct horse battery").unwrap();
        let phc = hash(pw).await.unwrap();
        let checks: Vec<_> = (0..16)
            .map(|i| {
                let phc = phc.clone();
                let raw = if i % 2 == 0 {
                    "correct horse battery"
                } else {
                    "wrong horse battery"
                };
                tokio::spawn(verify(raw.to_string(), phc))
            })
            .collect();
        for (i, c) in checks.into_iter().enumerate() {
            assert_eq!(c.await.unwrap().unwrap(), i % 2 == 0);
        }
        // Callers that hang up mid-hash keep their turn until their hash is over.
        let abandoned: Vec<_> = (0..8)
            .map(|_| tokio::spawn(verify("abandoned".into(), phc.clone())))
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        abandoned.iter().for_each(|t| t.abort());
        let after: Vec<_> = (0..8)
            .map(|_| tokio::spawn(verify("correct horse battery".into(), phc.clone())))
            .collect();
        for t in after {
            assert!(t.await.unwrap().unwrap());
        }
        while hasher().active.load(Ordering::Acquire) > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let turns = cores.min(MAX_TURNS);
        assert!(
            (1..=turns).contains(&peak_concurrency()),
            "{} hashes ran at once on {cores} cores",
            peak_concurrency()
        );
        assert_eq!(memory_bytes(), 0, "an idle hasher gives its buffers back");
    }
}
