//! The refusals of the three hottest writes (submitting a request, recording a promise, saving a
//! review record), on both backends: their checks are folded into the write itself (issue 11),
//! so these pin down that each refusal still names the same field in the same words and leaves
//! nothing half-written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use duet_core::auth::Role;
use duet_core::org::{DepartmentId, PersonId, PersonInput};
use duet_core::promises::PromiseInput;
use duet_core::requests::RequestInput;
use duet_core::time::parse_time_zone;
use duet_store::promises::{self as pr, PromiseFilter};
use duet_store::requests::{self as rq, RequestFilter};
use duet_store::reviews as rv;
use duet_store::{PageRequest, StoreError, both_backends, org};

mod common;
use common::{d, dept, user};

/// The field and the words of an `Invalid` refusal.
fn invalid<T: std::fmt::Debug>(r: Result<T, StoreError>) -> (String, String) {
    match r {
        Err(StoreError::Invalid(e)) => (e.field, e.message),
        other => panic!("expected an invalid input, got {other:?}"),
    }
}

fn request(dept: i64) -> RequestInput {
    RequestInput::parse(
        "VPN drops hourly",
        "The problem described at some length",
        "Field sales",
        "Things work",
        Some(dept),
        "high",
        "",
    )
    .unwrap()
}

fn promise(promisor: i64, to: i64) -> PromiseInput {
    PromiseInput::parse(
        Some(promisor),
        Some(to),
        "manager",
        "Fix the VPN drops for field sales",
        "2026-12-01",
        "manual",
        None,
        d("2026-11-23"),
    )
    .unwrap()
}

both_backends! {
    async fn a_request_for_a_missing_or_archived_department_is_refused_and_a_submit_notifies_only_it(db: &Db) {
        rq::ensure_decide_defaults(db).await.unwrap();
        let sales = dept(db, "Sales", "business").await;
        let old = dept(db, "Old", "business").await;
        org::set_department_archived(db, DepartmentId(old), true).await.unwrap();
        let requester = user(db, "req@example.com", Role::Member).await;
        let triager = user(db, "it@example.com", Role::ItLeader).await;
        let refused = ("department_id".to_string(), "no active department has this id".to_string());
        assert_eq!(invalid(rq::insert_request(db, requester, &request(9999)).await), refused);
        assert_eq!(invalid(rq::insert_request(db, requester, &request(old)).await), refused);
        let all = rq::list_requests(db, &RequestFilter::default(), PageRequest::default()).await.unwrap();
        assert_eq!(all.total, 0, "nothing half-written");
        assert!(rq::notifications(db, triager, 10).await.unwrap().is_empty());

        let r = rq::insert_request(db, requester, &request(sales)).await.unwrap();
        assert_eq!((r.department_id, r.requester_id, r.champion_id), (sales, requester, None));
        let timeline = rq::events(db, r.id).await.unwrap();
        assert_eq!(timeline.iter().map(|e| (e.kind.as_str(), e.detail.as_str())).collect::<Vec<_>>(), [("submitted", "submitted (high urgency)")]);
        assert!(rq::notifications(db, requester, 10).await.unwrap().is_empty(), "the requester is not told of their own submit");
        let told = rq::notifications(db, triager, 10).await.unwrap();
        assert_eq!(told.iter().map(|n| (n.request_id, n.message.as_str())).collect::<Vec<_>>(), [(Some(r.id), "New request to understand: VPN drops hourly")]);
    }

    async fn a_promise_from_a_missing_or_archived_promisor_or_to_a_bad_department_is_refused(db: &Db) {
        let it = dept(db, "IT", "it").await;
        let sales = dept(db, "Sales", "business").await;
        let old = dept(db, "Old", "business").await;
        org::set_department_archived(db, DepartmentId(old), true).await.unwrap();
        let person = |name: &str, email: &str| PersonInput::parse(name, email, Some(it), "", "manager").unwrap();
        let dev = org::insert_person(db, &person("Dev", "dev@example.com")).await.unwrap().id;
        let gone = org::insert_person(db, &person("Gone", "gone@example.com")).await.unwrap().id;
        org::set_person_archived(db, PersonId(gone), true).await.unwrap();
        let by = user(db, "bea@example.com", Role::BusinessLeader).await;
        let today = d("2026-11-23");
        let no_person = ("promisor_id".to_string(), "no active person has this id".to_string());
        let no_dept = ("promisee_department_id".to_string(), "no active department has this id".to_string());
        let same = ("promisee_department_id".to_string(), "a promise in the ledger is made to another department".to_string());
        assert_eq!(invalid(pr::insert_promise(db, by, &promise(9999, sales), today).await), no_person);
        assert_eq!(invalid(pr::insert_promise(db, by, &promise(gone, sales), today).await), no_person);
        // The promisor is checked first, as before.
        assert_eq!(invalid(pr::insert_promise(db, by, &promise(gone, 9999), today).await), no_person);
        assert_eq!(invalid(pr::insert_promise(db, by, &promise(dev, 9999), today).await), no_dept);
        assert_eq!(invalid(pr::insert_promise(db, by, &promise(dev, old), today).await), no_dept);
        assert_eq!(invalid(pr::insert_promise(db, by, &promise(dev, it), today).await), same);
        let all = pr::list_promises(db, &PromiseFilter::default(), PageRequest::default()).await.unwrap();
        assert_eq!(all.total, 0, "nothing half-written");
        assert!(pr::events(db, None, None).await.unwrap().is_empty());

        let p = pr::insert_promise(db, by, &promise(dev, sales), today).await.unwrap();
        assert_eq!((p.promisor_person_id, p.promisor_department_id, p.promisee_department_id, p.recorded_by_id), (dev, it, sales, by));
        assert_eq!(pr::events(db, None, Some((it, sales))).await.unwrap().len(), 1, "its 'made' event");
    }

    async fn a_locked_record_is_not_saved_and_an_open_one_loses_its_signature(db: &Db) {
        let sales = dept(db, "Sales", "business").await;
        let u = user(db, "ivy@example.com", Role::ItLeader).await;
        let b = user(db, "bea@example.com", Role::BusinessLeader).await;
        let now = Utc::now();
        let r = rv::schedule(db, sales, now - Duration::hours(2), 60, u).await.unwrap();
        rv::mark_held_and_plan_next(db, r.id, now, parse_time_zone("Europe/London").unwrap()).await.unwrap();
        // First save inserts, the second updates and clears the signature given in between.
        rv::save_record(db, r.id, "Agenda", "Ivy, Bea", "Notes", "").await.unwrap();
        assert!(rv::sign(db, r.id, true, u).await.unwrap().it_signed_at.is_some());
        let saved = rv::save_record(db, r.id, "Agenda", "Ivy, Bea", "Better notes", "Fine").await.unwrap();
        assert_eq!((saved.notes.as_str(), saved.it_signed_by), ("Better notes", None));
        rv::sign(db, r.id, true, u).await.unwrap();
        let locked = rv::sign(db, r.id, false, b).await.unwrap();
        assert!(locked.locked_at.is_some());
        match rv::save_record(db, r.id, "Changed", "Ivy", "Changed", "Changed").await {
            Err(StoreError::Conflict(e)) => assert_eq!(
                (e.field.as_str(), e.message.as_str()),
                ("record", "both leaders signed this record; it is locked — append a correction instead")
            ),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let kept = rv::record(db, r.id).await.unwrap();
        assert_eq!((kept.agenda.as_str(), kept.notes.as_str(), kept.it_signed_by, kept.business_signed_by), ("Agenda", "Better notes", Some(u), Some(b)));
    }

    async fn a_batch_of_record_saves_refuses_a_locked_one_alone_and_saves_the_others(db: &Db) {
        let sales = dept(db, "Sales", "business").await;
        let u = user(db, "ivy@example.com", Role::ItLeader).await;
        let b = user(db, "bea@example.com", Role::BusinessLeader).await;
        let now = Utc::now();
        let tz = parse_time_zone("Europe/London").unwrap();
        let locked = rv::schedule(db, sales, now - Duration::hours(30), 60, u).await.unwrap();
        rv::mark_held_and_plan_next(db, locked.id, now - Duration::hours(29), tz).await.unwrap();
        rv::save_record(db, locked.id, "Agenda", "Ivy, Bea", "Notes", "").await.unwrap();
        rv::sign(db, locked.id, true, u).await.unwrap();
        rv::sign(db, locked.id, false, b).await.unwrap();
        let open = rv::schedule(db, sales, now - Duration::hours(2), 60, u).await.unwrap();
        let write = |review: i64, notes: &str| rv::RecordWrite {
            review,
            agenda: "Agenda".into(),
            attendees: "Ivy, Bea".into(),
            notes: notes.into(),
            feedback: String::new(),
        };
        let out = rv::save_records(db, &[write(open.id, "First"), write(locked.id, "Changed"), write(open.id, "Second")]).await.unwrap();
        assert_eq!(out[0].as_ref().unwrap().attendees, "Ivy, Bea");
        match &out[1] {
            Err(StoreError::Conflict(e)) => assert_eq!(
                (e.field.as_str(), e.message.as_str()),
                ("record", "both leaders signed this record; it is locked — append a correction instead")
            ),
            other => panic!("expected a conflict, got {other:?}"),
        }
        // Saves of one review apply in order: the last one wins.
        assert_eq!(rv::record(db, open.id).await.unwrap().notes, "Second");
        assert_eq!(rv::record(db, locked.id).await.unwrap().notes, "Notes");
    }
}
