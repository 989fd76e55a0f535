//! Connecting, migrating, and running one query body on either backend.
//!
//! SQL is written once in a portable dialect (`$1` placeholders, `returning`, `on conflict`); the
//! `on_db!` macro expands the same body for each pool type, so there is no code generic over
//! `sqlx::Database` and no `Any` driver.

use crate::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// A connection pool to whichever database the configuration names.
#[derive(Clone, Debug)]
pub enum Db {
    /// An embedded SQLite file (the default; one server process).
    Sqlite(SqlitePool),
    /// PostgreSQL (any number of replicas may share it).
    Postgres(PgPool),
}

/// Which database a `Db` talks to, for logs and the few places where dialects differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Pool settings; the defaults suit one process on a small machine.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Maximum open connections.
    pub max_connections: u32,
    /// How long a query waits for a connection before failing.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// `on_db!(x, |c| body)` runs `body` once per backend with `c` bound to that backend's handle: a
/// pool for a [`Db`], a connection for a [`WriteTx`]. The store's one dispatch macro: SQL is
/// written once and each arm infers its own driver types, with no code generic over
/// `sqlx::Database`. It reads like a closure so that rustfmt formats the body; no closure is made.
macro_rules! on_db {
    ($x:expr, |$c:ident| $body:expr) => {
        match $x.sides() {
            $crate::db::Side::Sqlite($c) => $body,
            $crate::db::Side::Postgres($c) => $body,
        }
    };
}

/// The advisory lock key of the "create if missing" defaults (standard departments, IT teams,
/// portfolio settings): see [`WriteTx::serialize`].
pub(crate) const DEFAULTS_LOCK: i64 = 0x4475_6574_4466; // "DuetDf"

/// One backend's handle, as [`on_db!`] dispatches on it.
pub(crate) enum Side<S, P> {
    /// SQLite's.
    Sqlite(S),
    /// PostgreSQL's.
    Postgres(P),
}

/// SQLite has one writer at a time. Writers of this process take turns here, in arrival order,
/// instead of in SQLite's busy handler, which sleeps in growing steps (up to 100 ms) and turns a
/// busy minute into a long tail. `busy_timeout` still covers writers of other processes.
pub(crate) static SQLITE_WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Counts this process's writes (every write turn and committed [`WriteTx`]), so a short-lived
/// cache of a read can tell that nothing changed since it was filled (see [`write_epoch`]).
pub(crate) static WRITE_EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many writes this process has made so far. A cached read filled at epoch `e` is still
/// exact, as far as this process's own writes go, while `write_epoch()` is `e`; other replicas'
/// writes are not counted, so such caches also need a short lifetime.
pub fn write_epoch() -> u64 {
    WRITE_EPOCH.load(std::sync::atomic::Ordering::Acquire)
}

/// Notes a write (for [`write_epoch`]).
pub(crate) fn wrote() {
    WRITE_EPOCH.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
}

/// This process's turn to write one statement outside any transaction (it is atomic on its own):
/// on SQLite it holds [`SQLITE_WRITER`], so the statement never waits in SQLite's sleeping busy
/// handler. Dropping it ends the turn and, for [`Db::write_turn`], counts a write.
pub(crate) struct WriteTurn {
    _turn: Option<tokio::sync::MutexGuard<'static, ()>>,
    counts: bool,
}

impl Drop for WriteTurn {
    fn drop(&mut self) {
        if self.counts {
            wrote();
        }
    }
}

/// One write transaction, as a value that store functions pass to each other (`&mut WriteTx`):
/// `BEGIN IMMEDIATE` on SQLite after taking this process's writer turn (held until the end), so
/// concurrent writers queue instead of failing. [`WriteTx::commit`] ends it; dropping it
/// instead (an early return with `?`) rolls it back.
///
/// Safe to cancel (a client that disconnects drops the handler's future anywhere in a write):
/// `BEGIN` on PostgreSQL and `COMMIT` on both run to their end in a task of their own (see
/// [`to_the_end`]), and a transaction dropped in between is rolled back by sqlx before its
/// connection returns to the pool. So no pooled connection is ever left inside a transaction.
pub(crate) enum WriteTx {
    /// SQLite, with this process's writer turn.
    Sqlite(
        sqlx::Transaction<'static, sqlx::Sqlite>,
        tokio::sync::MutexGuard<'static, ()>,
    ),
    /// PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl WriteTx {
    /// Makes this transaction wait for any other one holding `key` (a transaction-scoped
    /// advisory lock on PostgreSQL, released at commit or rollback): for "create if missing"
    /// steps that replicas starting together would otherwise both try. SQLite's writer is
    /// already one at a time.
    pub(crate) async fn serialize(&mut self, key: i64) -> Result<()> {
        if let WriteTx::Postgres(tx) = self {
            sqlx::query("select pg_advisory_xact_lock($1)")
                .bind(key)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// The connection of the open transaction, for [`on_db!`].
    pub(crate) fn sides(&mut self) -> Side<&mut sqlx::SqliteConnection, &mut sqlx::PgConnection> {
        match self {
            WriteTx::Sqlite(tx, _) => Side::Sqlite(&mut **tx),
            WriteTx::Postgres(tx) => Side::Postgres(&mut **tx),
        }
    }

    /// Which backend the transaction runs on (for the few statements whose dialects differ).
    pub(crate) fn backend(&self) -> Backend {
        match self {
            WriteTx::Sqlite(..) => Backend::Sqlite,
            WriteTx::Postgres(_) => Backend::Postgres,
        }
    }

    /// Commits, to the end even if the caller is dropped meanwhile, and counts the write. On
    /// SQLite the writer turn is held until the commit is done.
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            WriteTx::Sqlite(tx, turn) => {
                to_the_end(async move {
                    let done = tx.commit().await.map(|()| wrote());
                    drop(turn);
                    done
                })
                .await
            }
            WriteTx::Postgres(tx) => {
                to_the_end(async move { tx.commit().await.map(|()| wrote()) }).await
            }
        }
    }
}

/// Runs `work` (a `BEGIN` or a `COMMIT`) in a task of its own and waits for it, so that it runs to
/// its end even if the caller is dropped meanwhile. sqlx 0.9 counts a PostgreSQL transaction as
/// open only once the server has answered `BEGIN`: a future dropped while waiting for that answer
/// leaves the session inside a transaction that nothing rolls back, and the pool then hands the
/// connection out "idle in transaction" (upstream sqlx issues #2054, #4393; Duet issue 11). Run
/// to its end, a `BEGIN` whose caller has gone yields a transaction that is dropped here, which
/// sqlx does roll back before the connection is pooled again.
pub(crate) async fn to_the_end<T: Send + 'static>(
    work: impl Future<Output = sqlx::Result<T>> + Send + 'static,
) -> Result<T> {
    match tokio::spawn(work).await {
        Ok(done) => Ok(done?),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only when the runtime is shutting down.
        Err(_) => Err(StoreError::Db(sqlx::Error::PoolClosed)),
    }
}

/// No statement is logged by the driver, slow or not: a logged `insert into pain_points` or
/// survey-answer write, with its time, would date an anonymous post (issue 10, class 7), and
/// Duet's own request logs already say what was slow.
fn quiet<C: sqlx::ConnectOptions>(conn: C) -> C {
    conn.log_statements(log::LevelFilter::Off)
        .log_slow_statements(log::LevelFilter::Off, Duration::from_secs(3600))
}

impl Db {
    /// Connects to `url`: `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite:…`, or a
    /// plain file path, for SQLite (created if missing, WAL journal, foreign keys on).
    pub async fn connect(url: &str, opts: &DbOptions) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let conn = quiet(PgConnectOptions::from_str(url).map_err(StoreError::Db)?);
            // Backstop to `WriteTx`'s cancellation safety: should a session ever be left inside
            // a transaction all the same, the server ends it after 5 s instead of letting it hold
            // back vacuum, and the pool replaces the connection. No write transaction waits 5 s
            // between two statements.
            let conn = conn.options([("idle_in_transaction_session_timeout", "5s")]);
            // Every statement is planned for its own values: after five runs on one connection
            // PostgreSQL may switch a prepared statement to a generic plan, which for a list
            // query was up to 20 times slower (issue 11).
            let conn = conn.options([("plan_cache_mode", "force_custom_plan")]);
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(conn)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        let conn = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url).map_err(StoreError::Db)?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let conn = conn
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 2 MB of pages per connection (SQLite's default): eight connections of 16 MB each
            // held up to 128 MB of the database in the server at `--scale large` (issue 11);
            // reads that miss it come from the OS page cache, and the read paths keep what they
            // read (`service::fresh`).
            .pragma("cache_size", "-2000")
            // Deleted rows are overwritten with zeros, not left in free space: once survey
            // answers are sealed, no pre-seal box or owner key survives in the file.
            .pragma("secure_delete", "on")
            // The write-ahead log is cut back to 64 MB after each checkpoint (it grew to 253 MB for
            // a 7.9 MB database under a soak); housekeeping also checkpoints it when idle.
            .pragma("journal_size_limit", "67108864");
        let conn = quiet(conn);
        let pool = SqlitePoolOptions::new()
            .max_connections(opts.max_connections)
            .min_connections(1)
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(conn)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// Folds SQLite's write-ahead log back into the database and truncates it (housekeeping
    /// calls it when idle, so the log stays small between bursts of writes); nothing to do on
    /// PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if let Db::Sqlite(pool) = self {
            sqlx::query("pragma wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// The pool, for [`on_db!`].
    pub(crate) fn sides(&self) -> Side<&SqlitePool, &PgPool> {
        match self {
            Db::Sqlite(pool) => Side::Sqlite(pool),
            Db::Postgres(pool) => Side::Postgres(pool),
        }
    }

    /// Begins a write transaction (see [`WriteTx`]).
    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        match self {
            Db::Sqlite(pool) => {
                let turn = SQLITE_WRITER.lock().await;
                // sqlx's SQLite worker counts the `BEGIN` it runs, so dropping this is safe.
                let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx::Sqlite(tx, turn))
            }
            Db::Postgres(pool) => {
                // Waiting for a connection is safe to cancel; waiting for `BEGIN` is not.
                let conn = pool.acquire().await?;
                Ok(WriteTx::Postgres(
                    to_the_end(sqlx::Transaction::begin(conn, None)).await?,
                ))
            }
        }
    }

    /// This process's turn to write one statement (see [`WriteTurn`]); counts as a write.
    pub(crate) async fn write_turn(&self) -> WriteTurn {
        self.turn(true).await
    }

    /// Like [`Db::write_turn`], for a write no cached read depends on (a session's expiry
    /// sliding, a token's last use, when a person last looked at their home page): it does not
    /// advance [`write_epoch`], so browsing does not empty every short-lived cache of the
    /// process. Under load it did, once per session or token per minute, and every reader then
    /// waited for the slowest reload (issue 11).
    pub(crate) async fn touch_turn(&self) -> WriteTurn {
        self.turn(false).await
    }

    async fn turn(&self, counts: bool) -> WriteTurn {
        let turn = match self {
            Db::Sqlite(_) => Some(SQLITE_WRITER.lock().await),
            Db::Postgres(_) => None,
        };
        WriteTurn {
            _turn: turn,
            counts,
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every embedded migration not yet applied. On PostgreSQL the migrator holds an
    /// advisory lock, so replicas starting together apply each migration once; on SQLite a second
    /// process racing the first retries once after the first has finished.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(pool) => {
                let m = sqlx::migrate!("./migrations/sqlite");
                if let Err(first) = m.run(pool).await {
                    tracing::warn!(error = %first, "sqlite migration failed; retrying once");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    m.run(pool).await?;
                }
            }
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Takes the lead for work that must run on one replica at a time (the hourly housekeeping):
    /// on PostgreSQL a session advisory lock on `key`, held by one connection until
    /// [`Lead::release`] (or, should the process die, until the server drops its connection);
    /// `None` when another replica holds it. SQLite has one server process, which always leads.
    pub async fn try_lead(&self, key: i64) -> Result<Option<Lead>> {
        match self {
            Db::Sqlite(_) => Ok(Some(Lead(None))),
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let (got,): (bool,) = sqlx::query_as("select pg_try_advisory_lock($1)")
                    .bind(key)
                    .fetch_one(&mut *conn)
                    .await?;
                Ok(got.then_some(Lead(Some(conn))))
            }
        }
    }

    /// A trivial query, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, |pool| sqlx::query("select 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Closes every connection (graceful shutdown, tests).
    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

/// The lead taken by [`Db::try_lead`]. [`Lead::release`] gives it back; dropped without it, the
/// connection is closed rather than returned to the pool, so the lock never outlives the work.
pub struct Lead(Option<sqlx::pool::PoolConnection<sqlx::Postgres>>);

impl Lead {
    /// Gives the lead back and returns the connection to the pool.
    pub async fn release(mut self, key: i64) {
        if let Some(mut conn) = self.0.take()
            && sqlx::query("select pg_advisory_unlock($1)")
                .bind(key)
                .execute(&mut *conn)
                .await
                .is_err()
        {
            // Closing the connection releases the lock all the same.
            drop(conn.detach());
        }
    }
}

impl Drop for Lead {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(conn.detach());
        }
    }
}

/// Bumps the portfolio revision so cached rankings are recomputed on every replica. Called
/// inside the write transaction of the portfolio's own writes and of request changes that move an
/// item's inputs.
pub(crate) async fn bump_revision(
    tx: &mut WriteTx,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    on_db!(tx, |c| sqlx::query(
        "update portfolio_settings set revision = revision + 1, updated_at = $1 where id = 1",
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
