//! Cancelled writes never leave a pooled connection inside a transaction (issue 11).
//!
//! When a client disconnects, hyper drops the handler's future, and with it whatever `WriteTx`
//! was doing: waiting for a connection, for `BEGIN`, for a statement, or for `COMMIT`. Here the
//! request-creating store function is dropped at each of those points in turn (and, in a
//! concurrent storm, at random tiny timeouts); afterwards no connection of the database may be
//! "idle in transaction", every later write must succeed, and every later write — also the
//! single-statement `write_turn` kind — must be visible from a separate connection, i.e. really
//! committed rather than stuck in a leftover transaction.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::org::{DepartmentInput, Email};
use duet_core::requests::RequestInput;
use duet_store::accounts::{self, NewUser};
use duet_store::once::{self, Reservation};
use duet_store::requests as rq;
use duet_store::testing::TestDb;
use duet_store::{Backend, Db, org};
use sqlx::Connection;
use std::future::Future;
use std::task::Poll;
use std::time::Duration;

/// Polls `fut` until it has been suspended `pendings` times, then drops it where it stands, like
/// hyper dropping a handler whose client went away. `Some` if it finished first.
async fn cancel_after<F: Future>(fut: F, pendings: usize) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut seen = 0;
    std::future::poll_fn(|cx| match fut.as_mut().poll(cx) {
        Poll::Ready(v) => Poll::Ready(Some(v)),
        Poll::Pending => {
            seen += 1;
            if seen >= pendings {
                Poll::Ready(None)
            } else {
                Poll::Pending
            }
        }
    })
    .await
}

fn input(dept: i64, title: &str) -> RequestInput {
    RequestInput::parse(
        title,
        "The problem described at some length",
        "Field sales",
        "Things work",
        Some(dept),
        "normal",
        "",
    )
    .unwrap()
}

async fn setup(db: &Db) -> (i64, i64) {
    rq::ensure_decide_defaults(db).await.unwrap();
    let dept = org::insert_department(
        db,
        &DepartmentInput::parse("Sales", "business", None, None).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let user = accounts::insert_user(
        db,
        &NewUser {
            email: Email::parse("req@example.com").unwrap(),
            name: "Requester".into(),
            role: Role::Member,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
    .id;
    (dept, user)
}

/// Looks at the database from outside the pool: how many of its connections sit inside a
/// transaction (PostgreSQL only; `None` on SQLite).
struct Monitor(Option<sqlx::PgConnection>);

impl Monitor {
    async fn new(backend: Backend, url: &str) -> Self {
        match backend {
            Backend::Postgres => Self(Some(sqlx::PgConnection::connect(url).await.unwrap())),
            Backend::Sqlite => Self(None),
        }
    }

    async fn idle_in_transaction(&mut self) -> i64 {
        let Some(conn) = &mut self.0 else { return 0 };
        let (n,): (i64,) = sqlx::query_as(
            "select count(*) from pg_stat_activity
             where datname = current_database() and state like 'idle in transaction%'",
        )
        .fetch_one(conn)
        .await
        .unwrap();
        n
    }
}

/// Dropped connections go back to the pool in background tasks; gives them time.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(30)).await;
}

/// Creates requests and drops each one part-way — sequentially at every suspension point in
/// turn, then many at once behind tiny timeouts — and returns where connections were then seen
/// idle in a transaction after a settle.
async fn storm(db: &Db, mon: &mut Monitor, dept: i64, user: i64) -> Vec<String> {
    let mut seen = Vec::new();
    for round in 0..2 {
        for k in 1..=24 {
            let title = format!("cancelled {round}/{k}");
            let _ = cancel_after(rq::insert_request(db, user, &input(dept, &title)), k).await;
            settle().await;
            let n = mon.idle_in_transaction().await;
            if n > 0 {
                seen.push(format!(
                    "{n} after a drop at suspension {k} (round {round})"
                ));
            }
        }
    }
    let mut set = tokio::task::JoinSet::new();
    for i in 0..96u64 {
        let db = db.clone();
        set.spawn(async move {
            let title = format!("timed out {i}");
            let wait = Duration::from_micros((i * 53) % 1500);
            let _ = tokio::time::timeout(wait, rq::insert_request(&db, user, &input(dept, &title)))
                .await;
        });
    }
    while set.join_next().await.is_some() {}
    settle().await;
    let n = mon.idle_in_transaction().await;
    if n > 0 {
        seen.push(format!("{n} after 96 concurrent timeouts"));
    }
    seen
}

/// Writes after the storm: each must succeed, quickly, and be committed.
async fn writes_after(db: &Db, dept: i64, user: i64) {
    for i in 0..40 {
        rq::insert_request(db, user, &input(dept, &format!("after {i}")))
            .await
            .unwrap_or_else(|e| panic!("write {i} after cancelled ones failed: {e:?}"));
        let key = format!("after-{i}");
        let today = chrono::Utc::now().date_naive();
        assert_eq!(
            once::reserve(db, &key, today).await.unwrap(),
            Reservation::Fresh
        );
        // One statement outside any transaction (`write_turn`): lost if its connection were
        // still inside a leftover transaction.
        once::complete(db, &key, "/requests/1").await.unwrap();
    }
}

/// What a separate connection sees of the writes after the storm.
const COMMITTED: &str = "select (select count(*) from requests where title like 'after %'),
        (select count(*) from form_tokens where key_hash like 'after-%' and location is not null)";

/// The whole check on one backend.
async fn check(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (dept, user) = setup(&t.db).await;
    let mut mon = Monitor::new(backend, &t.url).await;
    let seen = storm(&t.db, &mut mon, dept, user).await;
    assert!(
        seen.is_empty(),
        "pooled connections left idle in transaction by cancelled writes: {seen:?}"
    );
    // On SQLite a connection stuck in `BEGIN IMMEDIATE` would hold the write lock, and the writes
    // below would wait out the busy timeout and fail.
    tokio::time::timeout(Duration::from_secs(30), writes_after(&t.db, dept, user))
        .await
        .expect("writes after the cancelled ones hung");
    let seen: (i64, i64) = match backend {
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&t.url).await.unwrap();
            let seen = sqlx::query_as(COMMITTED)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            seen
        }
        Backend::Sqlite => {
            let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&t.url);
            let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
            let seen = sqlx::query_as(COMMITTED)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            seen
        }
    };
    assert_eq!(seen, (40, 40), "writes after the storm not all committed");
    settle().await;
    assert_eq!(mon.idle_in_transaction().await, 0);
    if let Some(conn) = mon.0.take() {
        conn.close().await.unwrap();
    }
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_writes_leave_no_connection_in_a_transaction_postgres() {
    check(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_writes_leave_no_connection_in_a_transaction_sqlite() {
    check(Backend::Sqlite).await;
}

/// The backstop: a session left inside a transaction by any other path is ended by the server
/// after 5 s, and the pool carries on with fresh connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_left_in_a_transaction_is_ended_by_the_server_postgres() {
    let t = TestDb::new(Backend::Postgres).await;
    let (dept, user) = setup(&t.db).await;
    let Db::Postgres(pool) = &t.db else {
        unreachable!()
    };
    let mut conn = pool.acquire().await.unwrap();
    let (timeout,): (String,) = sqlx::query_as("show idle_in_transaction_session_timeout")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(timeout, "5s");
    // Behind sqlx's back, so sqlx does not know to roll it back.
    sqlx::raw_sql("begin").execute(&mut *conn).await.unwrap();
    drop(conn);
    let mut mon = Monitor::new(Backend::Postgres, &t.url).await;
    settle().await;
    assert_eq!(mon.idle_in_transaction().await, 1);
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(mon.idle_in_transaction().await, 0);
    for i in 0..8 {
        rq::insert_request(&t.db, user, &input(dept, &format!("after {i}")))
            .await
            .unwrap();
    }
    if let Some(conn) = mon.0.take() {
        conn.close().await.unwrap();
    }
    t.cleanup().await;
}
