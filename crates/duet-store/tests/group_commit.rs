//! Batches of submits and promises written in one transaction (group commit, issue 11), on both
//! backends: an item the store refuses fails alone, with the words a single write gives, and the
//! others are written exactly as a single write writes them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::org::{DepartmentId, PersonId, PersonInput};
use duet_core::promises::PromiseInput;
use duet_core::requests::RequestInput;
use duet_store::promises as pr;
use duet_store::requests as rq;
use duet_store::{StoreError, both_backends, org};

mod common;
use common::{d, dept, user};

fn request(dept: i64, title: &str, urgency: &str) -> RequestInput {
    RequestInput::parse(
        title,
        "The problem described at some length",
        "Field sales",
        "Things work",
        Some(dept),
        urgency,
        "",
    )
    .unwrap()
}

fn promise(promisor: i64, to: i64, text: &str) -> PromiseInput {
    PromiseInput::parse(
        Some(promisor),
        Some(to),
        "manager",
        text,
        "2026-12-01",
        "manual",
        None,
        d("2026-11-23"),
    )
    .unwrap()
}

/// The field and the words of an `Invalid` refusal.
fn invalid<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> (String, String) {
    match r {
        Err(StoreError::Invalid(e)) => (e.field.clone(), e.message.clone()),
        other => panic!("expected an invalid input, got {other:?}"),
    }
}

both_backends! {
    async fn a_batch_of_submits_refuses_a_bad_department_alone_and_writes_the_others_as_one_submit_would(db: &Db) {
        rq::ensure_decide_defaults(db).await.unwrap();
        let sales = dept(db, "Sales", "business").await;
        let ops = dept(db, "Ops", "business").await;
        let old = dept(db, "Old", "business").await;
        org::set_department_archived(db, DepartmentId(old), true).await.unwrap();
        let ann = user(db, "ann@example.com", Role::Member).await;
        let bob = user(db, "bob@example.com", Role::Member).await;
        let triager = user(db, "it@example.com", Role::ItLeader).await;
        let items = vec![
            (ann, request(sales, "First", "high")),
            (bob, request(9999, "Unknown department", "low")),
            (bob, request(ops, "Second", "low")),
            (ann, request(old, "Archived department", "normal")),
            (ann, request(sales, "First", "high")),
        ];
        let out = rq::insert_requests(db, &items).await.unwrap();
        assert_eq!(out.len(), items.len());
        let refused = ("department_id".to_string(), "no active department has this id".to_string());
        assert_eq!(invalid(&out[1]), refused);
        assert_eq!(invalid(&out[3]), refused);
        let written: Vec<&rq::Request> = [0, 2, 4].iter().map(|&k| out[k].as_ref().unwrap()).collect();
        let mut ids: Vec<i64> = written.iter().map(|r| r.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 3, "distinct ids");
        for (r, (requester, input)) in written.iter().zip([&items[0], &items[2], &items[4]]) {
            let alone = rq::find_request(db, r.id).await.unwrap();
            assert_eq!(serde_json::to_value(&alone).unwrap(), serde_json::to_value(r).unwrap(), "read back as find_request reads it");
            assert_eq!((r.requester_id, r.department_id, r.title.as_str()), (*requester, input.department, input.title.as_str()));
            assert_eq!(r.status.as_str(), "submitted");
            let timeline = rq::events(db, r.id).await.unwrap();
            let detail = format!("submitted ({} urgency)", input.urgency.as_str());
            assert_eq!(timeline.iter().map(|e| (e.kind.as_str(), e.detail.as_str(), e.actor_name.as_deref())).collect::<Vec<_>>(),
                [("submitted", detail.as_str(), Some(if *requester == ann { "ann@example.com" } else { "bob@example.com" }))]);
        }
        let total = rq::list_requests(db, &rq::RequestFilter::default(), duet_store::PageRequest::default()).await.unwrap().total;
        assert_eq!(total, 3, "the refused ones left nothing");
        let mut told: Vec<(Option<i64>, String)> = rq::notifications(db, triager, 10).await.unwrap().into_iter().map(|n| (n.request_id, n.message)).collect();
        told.sort();
        let mut expected: Vec<(Option<i64>, String)> = written.iter().map(|r| (Some(r.id), format!("New request to understand: {}", r.title))).collect();
        expected.sort();
        assert_eq!(told, expected, "the triager hears of each written request once");
        assert!(rq::notifications(db, ann, 10).await.unwrap().is_empty());
        assert!(rq::insert_requests(db, &[]).await.unwrap().is_empty());
    }

    async fn a_batch_of_promises_refuses_each_bad_one_alone_with_its_own_words(db: &Db) {
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
        let items = vec![
            (by, promise(dev, sales, "Fix the VPN"), today),
            (by, promise(9999, sales, "Nobody"), today),
            (by, promise(gone, sales, "Archived promisor"), today),
            (by, promise(dev, old, "Archived department"), today),
            (by, promise(dev, 9999, "Unknown department"), today),
            (by, promise(dev, it, "Own department"), today),
            (by, promise(dev, sales, "Fix the printer"), today),
        ];
        let out = pr::insert_promises(db, &items).await.unwrap();
        let no_person = ("promisor_id".to_string(), "no active person has this id".to_string());
        let no_dept = ("promisee_department_id".to_string(), "no active department has this id".to_string());
        let same = ("promisee_department_id".to_string(), "a promise in the ledger is made to another department".to_string());
        assert_eq!([invalid(&out[1]), invalid(&out[2]), invalid(&out[3]), invalid(&out[4]), invalid(&out[5])],
            [no_person.clone(), no_person, no_dept.clone(), no_dept, same]);
        for k in [0, 6] {
            let p = out[k].as_ref().unwrap();
            assert_eq!(serde_json::to_value(pr::find_promise(db, p.id).await.unwrap()).unwrap(), serde_json::to_value(p).unwrap());
            assert_eq!((p.text.as_str(), p.promisor_department_id, p.promisee_department_id, p.recorded_by_id), (items[k].1.text.as_str(), it, sales, by));
            let history = pr::events(db, Some(p.id), None).await.unwrap();
            assert_eq!(history.iter().map(|e| (e.kind.as_str(), e.detail.as_str(), e.on_date)).collect::<Vec<_>>(), [("made", "promised, due 2026-12-01", today)]);
        }
        let all = pr::list_promises(db, &pr::PromiseFilter::default(), duet_store::PageRequest::default()).await.unwrap();
        assert_eq!(all.total, 2, "the refused ones left nothing");
    }
}
