//! Throw-away databases for tests: a fresh SQLite file or a fresh PostgreSQL database per test.
//!
//! PostgreSQL is not optional: when it cannot be reached the test fails (CI must never skip it).
//! The server is `DUET_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::{Backend, Db, DbOptions};
use std::sync::atomic::{AtomicU64, Ordering};

/// A migrated, empty database, removed by `cleanup`, or when dropped if the test panicked before
/// it got there (so a failing run does not leave PostgreSQL databases behind).
pub struct TestDb {
    /// The pool to use.
    pub db: Db,
    /// The URL, for code under test that connects by itself (a spawned server, the CLI).
    pub url: String,
    leftover: Leftover,
}

/// What is left to remove.
enum Leftover {
    File(std::path::PathBuf),
    Postgres { admin: String, name: String },
    Nothing,
}

impl Leftover {
    /// Removes it: the SQLite files, or the PostgreSQL database (its sessions ended by force).
    async fn remove(self) {
        match self {
            Leftover::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Leftover::Postgres { admin, name } => {
                if let Ok(admin_db) = Db::connect(
                    &admin,
                    &DbOptions {
                        max_connections: 1,
                        ..Default::default()
                    },
                )
                .await
                {
                    let _ = on_db!(&admin_db, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
                        "drop database if exists {name} with (force)"
                    )))
                    .execute(pool)
                    .await
                    .map(|_| ()));
                    admin_db.close().await;
                }
            }
            Leftover::Nothing => {}
        }
    }
}

impl Drop for TestDb {
    /// A test that panicked never reached `cleanup`: remove the database here, on a thread of its
    /// own with its own runtime (a destructor cannot wait on the test's runtime).
    fn drop(&mut self) {
        let leftover = std::mem::replace(&mut self.leftover, Leftover::Nothing);
        if matches!(leftover, Leftover::Nothing) {
            return;
        }
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(leftover.remove());
            }
        })
        .join();
    }
}

fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "duet_t_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("DUET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl TestDb {
    /// Creates and migrates a fresh database on `backend`. Panics (fails the test) if it cannot.
    pub async fn new(backend: Backend) -> Self {
        Self::create(backend, true).await
    }

    /// Creates a fresh database on `backend` with no table at all (what a restore goes into).
    pub async fn empty(backend: Backend) -> Self {
        Self::create(backend, false).await
    }

    async fn create(backend: Backend, migrate: bool) -> Self {
        let name = unique_name();
        let (url, leftover) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (path.to_string_lossy().into_owned(), Leftover::File(path))
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let admin_db = Db::connect(
                    &admin,
                    &DbOptions {
                        max_connections: 1,
                        ..Default::default()
                    },
                )
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is required for tests and is not reachable at {admin}: {e:?}"
                    )
                });
                on_db!(&admin_db, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
                    "create database {name}"
                )))
                .execute(pool)
                .await
                .map(|_| ()))
                .expect("create test database");
                admin_db.close().await;
                let url = match admin.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => panic!("DUET_TEST_POSTGRES_URL must end with /<database>"),
                };
                (url, Leftover::Postgres { admin, name })
            }
        };
        let db = Db::connect(
            &url,
            &DbOptions {
                max_connections: 4,
                ..Default::default()
            },
        )
        .await
        .expect("connect test database");
        if migrate {
            db.migrate().await.expect("migrate test database");
        }
        Self { db, url, leftover }
    }

    /// Closes the pool and removes the database.
    pub async fn cleanup(mut self) {
        self.db.close().await;
        std::mem::replace(&mut self.leftover, Leftover::Nothing)
            .remove()
            .await;
    }
}

/// Declares one async test per backend: `both_backends!(fn name(db: &Db) { … })` makes
/// `name::sqlite` and `name::postgres`, each on a fresh database.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident : &Db) $body:block)+) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($db: &$crate::Db) $body

                #[tokio::test]
                async fn sqlite() {
                    let t = $crate::testing::TestDb::new($crate::Backend::Sqlite).await;
                    run(&t.db).await;
                    t.cleanup().await;
                }

                #[tokio::test]
                async fn postgres() {
                    let t = $crate::testing::TestDb::new($crate::Backend::Postgres).await;
                    run(&t.db).await;
                    t.cleanup().await;
                }
            }
        )+
    };
}

/// Counts a write made by hand (raw SQL in a test, standing for another replica's write) as this
/// process's own, so the web layer's short-lived read caches (`write_epoch`) read afresh.
pub fn note_write() {
    crate::db::wrote();
}
