//! The trust ledger's store rules on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use duet_core::auth::Role;
use duet_core::org::{DepartmentInput, Email, PersonInput};
use duet_core::promises::{PromiseInput, PromiseStatus, TrustEventKind, check_renegotiation};
use duet_store::accounts::{self, NewUser};
use duet_store::promises::{self as pr, PromiseFilter};
use duet_store::{Db, PageRequest, StoreError, both_backends, org};

mod common;
use common::d;

async fn setup(db: &Db) -> (i64, i64, i64, i64) {
    let it = org::insert_department(db, &DepartmentInput::parse("IT", "it", None, None).unwrap())
        .await
        .unwrap()
        .id;
    let sales = org::insert_department(
        db,
        &DepartmentInput::parse("Sales", "business", None, None).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let dev = org::insert_person(
        db,
        &PersonInput::parse("Dev", "dev@example.com", Some(it), "", "manager").unwrap(),
    )
    .await
    .unwrap()
    .id;
    let user = accounts::insert_user(
        db,
        &NewUser {
            email: Email::parse("bea@example.com").unwrap(),
            name: "Bea".into(),
            role: Role::BusinessLeader,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
    .id;
    (it, sales, dev, user)
}

both_backends! {
    async fn promises_are_kept_late_or_broken_and_feed_trust(db: &Db) {
        let (it, sales, dev, user) = setup(db).await;
        let today = d("2026-11-23");
        let input = PromiseInput::parse(Some(dev), Some(sales), "manager", "Fix the VPN drops for field sales", "2026-12-01", "manual", None, today).unwrap();
        let p = pr::insert_promise(db, user, &input, today).await.unwrap();
        assert_eq!((p.status, p.promisor_department_id, p.promisee_department_name.as_str()), (PromiseStatus::Open, it, "Sales"));
        let same = PromiseInput::parse(Some(dev), Some(it), "manager", "A promise to my own department", "2026-12-01", "", None, today).unwrap();
        assert!(matches!(pr::insert_promise(db, user, &same, today).await, Err(StoreError::Invalid(_))));
        let p = pr::renegotiate(db, p.id, user, d("2026-12-10"), today, |due| check_renegotiation(due, d("2026-12-10"), today)).await.unwrap();
        assert_eq!((p.due_on, p.renegotiations), (d("2026-12-10"), 1));
        let late = pr::renegotiate(db, p.id, user, d("2027-01-10"), d("2026-12-11"), |due| check_renegotiation(due, d("2027-01-10"), d("2026-12-11"))).await;
        assert!(matches!(late, Err(StoreError::Conflict(_))), "overdue promises cannot be renegotiated");
        let p = pr::close_promise(db, p.id, user, true, d("2026-12-12")).await.unwrap();
        assert_eq!((p.status, p.closed_on), (PromiseStatus::Kept, Some(d("2026-12-12"))));
        assert!(matches!(pr::close_promise(db, p.id, user, false, today).await, Err(StoreError::Conflict(_))));
        let second = pr::insert_promise(db, user, &input, today).await.unwrap();
        pr::close_promise(db, second.id, user, false, today).await.unwrap();
        let events = pr::trust_events(db).await.unwrap();
        let kinds: Vec<TrustEventKind> = events.iter().map(|(_, _, e)| e.kind).collect();
        assert_eq!(kinds.len(), 3);
        assert!(kinds.contains(&TrustEventKind::Renegotiated) && kinds.contains(&TrustEventKind::KeptLate) && kinds.contains(&TrustEventKind::Broken));
        assert!(events.iter().all(|(f, t, _)| (*f, *t) == (it, sales)));
        let open = pr::list_promises(db, &PromiseFilter { open_only: true, ..Default::default() }, PageRequest::default()).await.unwrap();
        assert_eq!(open.total, 0);
        let history = pr::events(db, None, Some((it, sales))).await.unwrap();
        assert_eq!(history.len(), 5, "two made, a renegotiation, kept late, broken");
    }

    async fn reminders_go_out_once_before_the_due_date(db: &Db) {
        let (_, sales, dev, user) = setup(db).await;
        let today = d("2026-11-23");
        accounts::insert_user(db, &NewUser { email: Email::parse("dev@example.com").unwrap(), name: "Dev".into(), role: Role::Member, password_hash: "x".into() }).await.unwrap();
        for due in ["2026-11-25", "2026-12-20"] {
            let input = PromiseInput::parse(Some(dev), Some(sales), "manager", "Fix the VPN for Sales", due, "", None, today).unwrap();
            pr::insert_promise(db, user, &input, today).await.unwrap();
        }
        assert_eq!(pr::send_reminders(db, today, 3).await.unwrap(), 1, "only the one due within three days");
        assert_eq!(pr::send_reminders(db, today, 3).await.unwrap(), 0, "never twice");
        let dev_user = accounts::find_login(db, "dev@example.com").await.unwrap().unwrap().0;
        let inbox = duet_store::requests::notifications(db, dev_user.id, 10).await.unwrap();
        assert_eq!(inbox.len(), 1);
        assert!(inbox[0].message.starts_with("Reminder: your promise to Sales"));
    }

    async fn a_reminder_for_a_promise_already_overdue_says_it_was_due(db: &Db) {
        let (_, sales, dev, user) = setup(db).await;
        accounts::insert_user(db, &NewUser { email: Email::parse("dev@example.com").unwrap(), name: "Dev".into(), role: Role::Member, password_hash: "x".into() }).await.unwrap();
        let input = PromiseInput::parse(Some(dev), Some(sales), "manager", "Fix the VPN for Sales", "2026-11-25", "", None, d("2026-11-23")).unwrap();
        let p = pr::insert_promise(db, user, &input, d("2026-11-23")).await.unwrap();
        assert_eq!(pr::send_reminders(db, d("2026-11-28"), 3).await.unwrap(), 1);
        let dev_user = accounts::find_login(db, "dev@example.com").await.unwrap().unwrap().0;
        let inbox = duet_store::requests::notifications(db, dev_user.id, 10).await.unwrap();
        let m = &inbox[0].message;
        assert!(m.contains("was due on 2026-11-25: mark it kept, or agree a new date with Sales"), "{m}");
        assert!(!m.contains("before then") && m.ends_with(&format!("/promises/{}", p.id)), "{m}");
    }

    async fn overdue_promises_are_listed_soonest_first(db: &Db) {
        let (_, sales, dev, user) = setup(db).await;
        let today = d("2026-11-01");
        for due in ["2026-11-20", "2026-11-05", "2026-12-30"] {
            let input = PromiseInput::parse(Some(dev), Some(sales), "individual", "Something useful for Sales", due, "", None, today).unwrap();
            pr::insert_promise(db, user, &input, today).await.unwrap();
        }
        let overdue = pr::list_promises(db, &PromiseFilter { overdue_on: Some(d("2026-11-23")), ..Default::default() }, PageRequest::default()).await.unwrap();
        let dues: Vec<NaiveDate> = overdue.items.iter().map(|p| p.due_on).collect();
        assert_eq!(dues, vec![d("2026-11-05"), d("2026-11-20")]);
    }

    async fn a_promise_remembers_who_recorded_it_apart_from_who_made_it(db: &Db) {
        let (_, sales, dev, user) = setup(db).await;
        let today = d("2026-11-23");
        let input = PromiseInput::parse(Some(dev), Some(sales), "manager", "Fix the VPN drops for field sales", "2026-12-01", "manual", None, today).unwrap();
        let p = pr::insert_promise(db, user, &input, today).await.unwrap();
        assert_eq!((p.promisor_name.as_str(), p.recorded_by_id, p.recorded_by_name.as_str()), ("Dev", user, "Bea"));
        let history = pr::events(db, Some(p.id), None).await.unwrap();
        assert_eq!(history[0].kind, "made");
        assert_eq!((history[0].promisor_name.as_str(), history[0].actor_name.as_deref()), ("Dev", Some("Bea")));
        assert_eq!(pr::account_of_person(db, dev).await.unwrap(), None, "Dev has no account");
        let dev_user = accounts::insert_user(db, &NewUser { email: Email::parse("dev@example.com").unwrap(), name: "Dev".into(), role: Role::Member, password_hash: "x".into() }).await.unwrap().id;
        assert_eq!(pr::account_of_person(db, dev).await.unwrap(), Some(dev_user));
    }

    async fn promises_trust_window_reads_the_window_and_counts_the_older_events(db: &Db) {
        let (it, sales, dev, user) = setup(db).await;
        let today = d("2026-11-23");
        let input = PromiseInput::parse(Some(dev), Some(sales), "manager", "Fix the VPN", "2026-12-01", "manual", None, today).unwrap();
        let old = pr::insert_promise(db, user, &input, today).await.unwrap();
        pr::close_promise(db, old.id, user, false, today).await.unwrap();
        pr::shift_promise(db, old.id, 200).await.unwrap();
        let recent = pr::insert_promise(db, user, &input, today).await.unwrap();
        pr::close_promise(db, recent.id, user, true, today).await.unwrap();
        let since = today - chrono::Duration::days(90);
        let (pairs, window) = pr::trust_window(db, since, None).await.unwrap();
        assert_eq!(pairs, vec![(it, sales, 2)], "one pair, two trust-moving events in all");
        let kinds: Vec<_> = window.iter().map(|(f, t, e)| (*f, *t, e.kind, e.on)).collect();
        assert_eq!(kinds, vec![(it, sales, TrustEventKind::KeptOnTime, today)], "only the window's events are read");
        let all = pr::trust_events(db).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(pr::trust_window(db, since, Some((it, sales))).await.unwrap(), (pairs, window));
        assert_eq!(pr::trust_window(db, since, Some((sales, it))).await.unwrap(), (vec![], vec![]));
        // The history of one promise, of one pair, and of one promise within a pair.
        assert_eq!(pr::events(db, Some(old.id), None).await.unwrap().len(), 2);
        assert_eq!(pr::events(db, None, Some((it, sales))).await.unwrap().len(), 4);
        assert_eq!(pr::events(db, Some(recent.id), Some((it, sales))).await.unwrap().len(), 2);
        assert!(pr::events(db, Some(recent.id), Some((sales, it))).await.unwrap().is_empty());
        assert_eq!(pr::events(db, None, None).await.unwrap().len(), 4);
    }
}
