//! Accounts' store rules on both backends: accounts linked to people, disabling, API tokens,
//! sessions and the sign-in throttle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::org::{DepartmentId, Email, UserId};
use duet_store::accounts::{self, NewUser};
use duet_store::sessions;
use duet_store::{StoreError, both_backends};

mod common;
use common::{dept, person};

both_backends! {
    async fn accounts_link_to_people_and_disabling_ends_access(db: &Db) {
        let sales = dept(db, "Sales", "business").await;
        person(db, "Bea", "bea@example.com", sales, "executive").await;
        let u = accounts::insert_user(db, &NewUser { email: Email::parse("Bea@example.com").unwrap(), name: "Bea".into(), role: Role::BusinessLeader, password_hash: "x".into() }).await.unwrap();
        assert_eq!(u.actor().department, Some(DepartmentId(sales)));
        let dup = accounts::insert_user(db, &NewUser { email: Email::parse("bea@example.com").unwrap(), name: "B".into(), role: Role::Member, password_hash: "x".into() }).await.unwrap_err();
        assert!(matches!(dup, StoreError::Conflict(ref f) if f.field == "email"), "{dup:?}");
        let (_, token) = accounts::insert_token(db, UserId(u.id), "script").await.unwrap();
        let cookie = sessions::insert_session(db, u.id, Some("Welcome")).await.unwrap();
        assert_eq!(accounts::user_for_token(db, &token).await.unwrap().map(|u| u.id), Some(u.id));
        let s = sessions::find_session(db, &cookie).await.unwrap().unwrap();
        assert_eq!(s.flash.as_deref(), Some("Welcome"));
        assert_eq!(s.csrf_token.len(), 64);
        assert!(accounts::user_for_token(db, "duet_wrong").await.unwrap().is_none());
        accounts::update_user(db, UserId(u.id), Role::BusinessLeader, true).await.unwrap();
        assert!(accounts::user_for_token(db, &token).await.unwrap().is_none());
        assert!(sessions::find_session(db, &cookie).await.unwrap().is_none());
        assert!(accounts::find_login(db, "bea@example.com").await.unwrap().is_none());
    }

    async fn revoked_tokens_stop_working(db: &Db) {
        let u = accounts::insert_user(db, &NewUser { email: Email::parse("a@example.com").unwrap(), name: "A".into(), role: Role::Member, password_hash: "x".into() }).await.unwrap();
        let (t, secret) = accounts::insert_token(db, UserId(u.id), "ci").await.unwrap();
        assert!(secret.starts_with(&t.prefix));
        accounts::revoke_token(db, t.id).await.unwrap();
        assert!(accounts::user_for_token(db, &secret).await.unwrap().is_none());
        assert!(accounts::list_tokens(db, UserId(u.id)).await.unwrap()[0].revoked_at.is_some());
    }

    async fn throttle_slows_down_after_the_free_failures_doubling_up_to_its_cap(db: &Db) {
        let rule = sessions::ThrottleRule { free_failures: 2, window: chrono::Duration::minutes(15), max_delay: chrono::Duration::seconds(5) };
        let mut waits = Vec::new();
        for _ in 0..7 {
            let until = sessions::record_failure(db, "account:x", rule).await.unwrap();
            waits.push(until.map(|t| (t - chrono::Utc::now()).num_milliseconds().div_euclid(1000) + 1));
        }
        assert_eq!(waits, vec![None, None, Some(1), Some(2), Some(4), Some(5), Some(5)], "1 s, 2 s, 4 s, then the cap");
        assert!(sessions::slowed_until(db, "account:x").await.unwrap().is_some());
        assert!(sessions::slowed_until(db, "account:y").await.unwrap().is_none());
        sessions::record_failure(db, &sessions::pair_key("x", "10.0.0.9"), rule).await.unwrap();
        sessions::record_failure(db, "account:xy", rule).await.unwrap();
        assert_eq!(sessions::unlock_account(db, " X ").await.unwrap(), 2, "the account and its pairs, not a longer e-mail");
        assert!(sessions::slowed_until(db, "account:x").await.unwrap().is_none());
        assert!(sessions::slowed_until(db, "account:xy").await.unwrap().is_none(), "two failures are free");
        assert_eq!(sessions::unlock_account(db, "xy").await.unwrap(), 1);
    }
}
