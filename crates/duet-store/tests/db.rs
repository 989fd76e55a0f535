//! The database itself on both backends: migrations (twice, and two replicas at once) and the
//! throw-away test databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_store::{Db, both_backends};

both_backends! {
    async fn migrating_twice_is_harmless(db: &Db) {
        db.migrate().await.unwrap();
        db.ping().await.unwrap();
    }
}

#[tokio::test]
async fn postgres_replicas_can_migrate_at_the_same_time() {
    // Two pools racing on a fresh database: the advisory lock makes one wait for the other.
    let t = duet_store::testing::TestDb::new(duet_store::Backend::Postgres).await;
    let a = Db::connect(&t.url, &Default::default()).await.unwrap();
    let b = Db::connect(&t.url, &Default::default()).await.unwrap();
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    ra.unwrap();
    rb.unwrap();
    a.close().await;
    b.close().await;
    t.cleanup().await;
}

/// A test that panics never reaches `cleanup`; its PostgreSQL database must not outlive it.
#[tokio::test]
async fn a_test_database_is_removed_even_without_cleanup() {
    let t = duet_store::testing::TestDb::new(duet_store::Backend::Postgres).await;
    let name = t.url.rsplit('/').next().unwrap().to_string();
    drop(t);
    let admin = Db::connect(
        &duet_store::testing::postgres_admin_url(),
        &duet_store::DbOptions::default(),
    )
    .await
    .unwrap();
    let Db::Postgres(pool) = &admin else {
        panic!("the admin URL is PostgreSQL")
    };
    let (left,): (i64,) = sqlx::query_as("select count(*) from pg_database where datname = $1")
        .bind(&name)
        .fetch_one(pool)
        .await
        .unwrap();
    admin.close().await;
    assert_eq!(left, 0, "{name} was left behind");
}

/// The write-ahead log stays bounded: every connection caps it, and a checkpoint when idle
/// truncates it (a 2-minute soak grew it to 253 MB for a 7.9 MB database before).
#[tokio::test]
async fn the_sqlite_write_ahead_log_is_capped_and_truncated_when_idle() {
    let t = duet_store::testing::TestDb::new(duet_store::Backend::Sqlite).await;
    let Db::Sqlite(pool) = &t.db else {
        panic!("SQLite expected")
    };
    let (limit,): (i64,) = sqlx::query_as("pragma journal_size_limit")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(limit, 64 * 1024 * 1024);
    sqlx::query("create table soak (x blob)")
        .execute(pool)
        .await
        .unwrap();
    for _ in 0..200 {
        sqlx::query("insert into soak values (randomblob(8192))")
            .execute(pool)
            .await
            .unwrap();
    }
    let wal = std::path::PathBuf::from(format!("{}-wal", t.url));
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 1_000_000,
        "the soak wrote through the log"
    );
    t.db.checkpoint().await.unwrap();
    assert_eq!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0),
        0,
        "truncated when idle"
    );
    t.cleanup().await;
}

/// A managed PostgreSQL is reached over TLS: `sslmode=require` in the URL encrypts the
/// connection (rustls on `ring`), and `verify-full` checks the server's certificate against the
/// trusted roots (the system's, or `sslrootcert`), refusing one it cannot vouch for. The test
/// server's certificate is Debian's self-signed "snakeoil", which no root vouches for.
#[tokio::test]
async fn postgres_over_tls_encrypts_and_verify_full_checks_the_certificate() {
    let t = duet_store::testing::TestDb::new(duet_store::Backend::Postgres).await;
    let sep = if t.url.contains('?') { '&' } else { '?' };
    let require = format!("{}{sep}sslmode=require", t.url);
    let db = Db::connect(&require, &Default::default())
        .await
        .expect("the test server accepts TLS (Debian's PostgreSQL has ssl = on with its snakeoil certificate)");
    let Db::Postgres(pool) = &db else {
        unreachable!()
    };
    let (encrypted,): (bool,) =
        sqlx::query_as("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(encrypted, "sslmode=require gives an encrypted connection");
    db.close().await;
    let verify = format!("{}{sep}sslmode=verify-full", t.url);
    let refused = Db::connect(&verify, &Default::default()).await;
    assert!(
        refused.is_err(),
        "a certificate no trusted root vouches for is refused under verify-full"
    );
    t.cleanup().await;
}
