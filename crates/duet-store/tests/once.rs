//! Form tokens (idempotent create forms), on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use duet_store::both_backends;
use duet_store::once::{self, Reservation};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

both_backends! {
    async fn a_token_is_reserved_once_and_then_leads_where_the_first_post_went(db: &Db) {
        assert_eq!(once::reserve(db, "k1", day(10)).await.unwrap(), Reservation::Fresh);
        assert_eq!(once::reserve(db, "k1", day(10)).await.unwrap(), Reservation::Pending);
        once::complete(db, "k1", "/requests/7").await.unwrap();
        assert_eq!(
            once::reserve(db, "k1", day(10)).await.unwrap(),
            Reservation::Done("/requests/7".into())
        );
        // Releasing a completed token changes nothing.
        once::release(db, "k1").await.unwrap();
        assert_eq!(once::lookup(db, "k1").await.unwrap(), Reservation::Done("/requests/7".into()));
    }

    async fn a_released_token_may_be_used_again(db: &Db) {
        assert_eq!(once::reserve(db, "k2", day(10)).await.unwrap(), Reservation::Fresh);
        once::release(db, "k2").await.unwrap();
        assert_eq!(once::lookup(db, "k2").await.unwrap(), Reservation::Fresh);
        assert_eq!(once::reserve(db, "k2", day(10)).await.unwrap(), Reservation::Fresh);
    }

    async fn tokens_older_than_a_day_are_pruned(db: &Db) {
        once::reserve(db, "old", day(10)).await.unwrap();
        once::complete(db, "old", "/x").await.unwrap();
        once::reserve(db, "new", day(11)).await.unwrap();
        assert_eq!(once::lookup(db, "old").await.unwrap(), Reservation::Done("/x".into()));
        once::reserve(db, "newer", day(12)).await.unwrap();
        assert_eq!(once::lookup(db, "old").await.unwrap(), Reservation::Fresh);
        assert_eq!(once::lookup(db, "new").await.unwrap(), Reservation::Pending);
    }
}
