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
