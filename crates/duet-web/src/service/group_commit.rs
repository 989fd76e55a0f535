//! Group commit: many callers' writes of one kind in one transaction.
//!
//! SQLite has one writer at a time, and through sqlx every statement of a write is two thread
//! hops, so a write holds the writer turn about a millisecond mostly waiting for wake-ups (issue
//! 11). A [`GroupCommit`] has one writer task per kind of write: it takes every item waiting (up
//! to [`MAX_BATCH`]) and writes them with one [`Batch::write`], one transaction with a few
//! statements for the whole batch, so the turn is taken once per batch instead of once per
//! caller. Each caller still gets its own outcome: an item the store refuses fails alone.

use crate::error::AppError;
use duet_store::Db;
use std::sync::Mutex;
use tokio::sync::{mpsc, oneshot};

/// At most this many items go into one transaction.
pub const MAX_BATCH: usize = 64;

/// How many items may wait for the writer before callers wait to queue.
const QUEUE: usize = 1024;

/// One kind of write that can be grouped: what a caller hands in, what it gets back, and how a
/// batch of them is written.
pub trait Batch: Send + Sync + 'static {
    /// One caller's write, already checked.
    type Item: Send + Sync + 'static;
    /// What one caller gets back.
    type Out: Send + 'static;
    /// What is written, in words for the log and for callers when a whole batch fails
    /// ("requests").
    const WHAT: &'static str;
    /// Writes `items` in one transaction: one outcome per item, in their order (an item refused
    /// on its own leaves the others written), or an error when nothing was written.
    fn write(
        db: &Db,
        items: &[Self::Item],
    ) -> impl Future<Output = duet_store::Result<Vec<duet_store::Result<Self::Out>>>> + Send;
}

/// A waiting item and where its outcome goes.
type Waiting<B> = (
    <B as Batch>::Item,
    oneshot::Sender<Result<<B as Batch>::Out, AppError>>,
);

/// The group commit of one kind of write, kept in `AppState`. Its writer task starts on first
/// use, with the database it is first given, and ends when this is dropped.
///
/// Cancel-safe: a caller dropped while queueing queued nothing; a caller dropped after queueing
/// leaves its item in the batch (it is written, and its outcome goes nowhere), so the others'
/// transaction never depends on who is still waiting. Each batch is written in a task of its
/// own, so even a panic in it fails that batch's callers and not the writer.
pub struct GroupCommit<B: Batch> {
    queue: Mutex<Option<mpsc::Sender<Waiting<B>>>>,
}

impl<B: Batch> Default for GroupCommit<B> {
    fn default() -> Self {
        Self {
            queue: Mutex::new(None),
        }
    }
}

impl<B: Batch> GroupCommit<B> {
    /// The writer's queue, starting the writer if it is not running (first use, or a runtime
    /// that ended, as between tests).
    fn queue(&self, db: &Db) -> mpsc::Sender<Waiting<B>> {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = queue.as_ref().filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run::<B>(db.clone(), rx));
        *queue = Some(tx.clone());
        tx
    }

    /// Queues `item` and waits until its batch is committed (or it is refused).
    pub async fn submit(&self, db: &Db, item: B::Item) -> Result<B::Out, AppError> {
        let stopped = || AppError::Internal(anyhow::anyhow!("the {} writer has stopped", B::WHAT));
        let (reply, outcome) = oneshot::channel();
        self.queue(db)
            .send((item, reply))
            .await
            .map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

/// The writer: takes every waiting item (up to [`MAX_BATCH`]), writes them, answers each caller,
/// and starts again, until the queue's sender is dropped.
async fn run<B: Batch>(db: Db, mut rx: mpsc::Receiver<Waiting<B>>) {
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        let (items, replies): (Vec<_>, Vec<_>) = waiting.drain(..).unzip();
        let count = items.len();
        let db = db.clone();
        let written = tokio::spawn(async move { B::write(&db, &items).await }).await;
        let failed = |why: &dyn std::fmt::Display| {
            tracing::error!(error = %why, items = count, "could not store a batch of {}", B::WHAT);
        };
        match written {
            Ok(Ok(outcomes)) if outcomes.len() == count => {
                for (outcome, reply) in outcomes.into_iter().zip(replies) {
                    let _ = reply.send(outcome.map_err(AppError::from));
                }
            }
            // One caller alone gets the store's own error, as if it had written directly.
            Ok(Err(e)) if count == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(AppError::from(e)));
                }
            }
            other => {
                match other {
                    Ok(Ok(outcomes)) => {
                        failed(&format!("{} outcomes for {count} items", outcomes.len()))
                    }
                    Ok(Err(e)) => failed(&e),
                    Err(e) => failed(&e),
                }
                for reply in replies {
                    let _ = reply.send(Err(AppError::Internal(anyhow::anyhow!(
                        "the {} could not be stored",
                        B::WHAT
                    ))));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static BATCHES: AtomicUsize = AtomicUsize::new(0);

    /// Doubles each number; refuses 13 on its own; panics on 666 (the whole batch fails).
    struct Double;
    impl Batch for Double {
        type Item = i64;
        type Out = i64;
        const WHAT: &'static str = "numbers";
        async fn write(
            _db: &Db,
            items: &[i64],
        ) -> duet_store::Result<Vec<duet_store::Result<i64>>> {
            BATCHES.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            assert!(!items.contains(&666), "boom");
            Ok(items
                .iter()
                .map(|&n| {
                    if n == 13 {
                        Err(duet_store::StoreError::NotFound("thirteen"))
                    } else {
                        Ok(n * 2)
                    }
                })
                .collect())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_are_grouped_and_each_gets_its_own_outcome_even_after_a_panic() {
        let db = Db::connect("sqlite::memory:", &duet_store::DbOptions::default())
            .await
            .unwrap();
        let gc = std::sync::Arc::new(GroupCommit::<Double>::default());
        let calls: Vec<_> = (0..40)
            .map(|n| {
                let (gc, db) = (gc.clone(), db.clone());
                tokio::spawn(async move { gc.submit(&db, n).await })
            })
            .collect();
        for (n, call) in calls.into_iter().enumerate() {
            let out = call.await.unwrap();
            if n == 13 {
                assert!(matches!(out, Err(AppError::NotFound(_))), "{out:?}");
            } else {
                assert_eq!(out.unwrap(), n as i64 * 2);
            }
        }
        assert!(BATCHES.load(Ordering::SeqCst) < 40, "grouped");
        assert!(matches!(
            gc.submit(&db, 666).await,
            Err(AppError::Internal(_))
        ));
        assert_eq!(
            gc.submit(&db, 4).await.unwrap(),
            8,
            "the writer survives a panic"
        );
    }
}
