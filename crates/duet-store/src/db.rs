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

/// Runs `$body` with `$pool` bound to the concrete pool of either backend.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// SQLite has one writer at a time. Writers of this process take turns here, in arrival order,
/// instead of in SQLite's busy handler, which sleeps in growing steps (up to 100 ms) and turns a
/// busy minute into a long tail. `busy_timeout` still covers writers of other processes.
pub(crate) static SQLITE_WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Counts this process's writes (every `write_one!` and committed `write_tx!`), so a short-lived
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

/// Like [`write_one!`], for a write no cached read depends on (a session's expiry sliding, a
/// token's last use, when a person last looked at their home page): it does not advance
/// [`write_epoch`], so browsing does not empty every short-lived cache of the process. Under
/// load it did, once per session or token per minute, and every reader then waited for the
/// slowest reload (issue 11).
macro_rules! touch_one {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                let _turn = $crate::db::SQLITE_WRITER.lock().await;
                $body
            }
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body`, one statement that writes, outside any transaction (it is atomic on its own):
/// on SQLite after taking this process's writer turn, like `write_tx!`, so it never waits in
/// SQLite's sleeping busy handler.
macro_rules! write_one {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                let _turn = $crate::db::SQLITE_WRITER.lock().await;
                let out = $body;
                $crate::db::wrote();
                out
            }
            $crate::db::Db::Postgres($pool) => {
                let out = $body;
                $crate::db::wrote();
                out
            }
        }
    };
}

/// Runs `$body` inside one write transaction (`BEGIN IMMEDIATE` on SQLite, after taking this
/// process's writer turn, so concurrent writers queue instead of failing); commits when the body finishes, and rolls back if
/// it returns early with `?`.
///
/// Safe to cancel (a client that disconnects drops the handler's future anywhere in here): `BEGIN`
/// on PostgreSQL and `COMMIT` on both run to their end in a task of their own (see
/// [`to_the_end`]), and a transaction dropped in between is rolled back by sqlx before its
/// connection returns to the pool. So no pooled connection is ever left inside a transaction.
macro_rules! write_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pool) => {
                let turn = $crate::db::SQLITE_WRITER.lock().await;
                // sqlx's SQLite worker counts the `BEGIN` it runs, so dropping this is safe.
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                // The writer turn is held until the commit is done, even if we are dropped.
                $crate::db::to_the_end(async move {
                    let done = $tx.commit().await.map(|()| $crate::db::wrote());
                    drop(turn);
                    done
                })
                .await?;
                out
            }
            $crate::db::Db::Postgres(pool) => {
                // Waiting for a connection is safe to cancel; waiting for `BEGIN` is not (below).
                let conn = pool.acquire().await?;
                let mut $tx =
                    $crate::db::to_the_end(::sqlx::Transaction::begin(conn, None)).await?;
                let out = $body;
                $crate::db::to_the_end(
                    async move { $tx.commit().await.map(|()| $crate::db::wrote()) },
                )
                .await?;
                out
            }
        }
    };
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
            // Backstop to `write_tx!`'s cancellation safety: should a session ever be left inside
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
            .pragma("secure_delete", "on");
        let conn = quiet(conn);
        let pool = SqlitePoolOptions::new()
            .max_connections(opts.max_connections)
            .min_connections(1)
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(conn)
            .await?;
        Ok(Db::Sqlite(pool))
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

    /// A trivial query, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, pool => sqlx::query("select 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes every connection (graceful shutdown, tests).
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// Bumps the portfolio revision so cached rankings are recomputed on every replica. Used inside
/// `write_tx!` by the portfolio's own writes and by request changes that move an item's inputs.
macro_rules! bump_revision {
    ($tx:expr, $now:expr) => {
        sqlx::query(
            "update portfolio_settings set revision = revision + 1, updated_at = $1 where id = 1",
        )
        .bind($now)
        .execute(&mut *$tx)
        .await?;
    };
}
