//! Voice's store rules on both backends: a pain point opens only with its receipt, the author
//! and triager talk through it, and it ends in one outcome (a request or a promise).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::promises::{PromiseInput, PromiseSource};
use duet_core::requests::{RequestInput, Urgency};
use duet_core::voice::{PainStatus, hash_receipt, new_receipt};
use duet_store::{Db, StoreError, both_backends, voice};

mod common;
use common::{d, world};

both_backends! {
    async fn pain_points_open_only_with_their_receipt_and_track_their_outcome(db: &Db) {
        let w = world(db).await;
        let today = d("2027-03-02");
        let (code, hash) = new_receipt().unwrap();
        voice::post(db, w.it, "The VPN drops every afternoon at three.", &hash, today).await.unwrap();
        assert!(matches!(voice::post(db, 999_999, "Nobody is there to hear this.", &hash_receipt("x"), today).await, Err(StoreError::Invalid(_))));
        assert!(voice::by_receipt(db, &hash_receipt("0000-0000-0000-0000-0000")).await.unwrap().is_none());
        let p = voice::by_receipt(db, &hash_receipt(&code.to_lowercase())).await.unwrap().unwrap();
        // What is stored: no account, address, agent or time finer than the day.
        let cols: Vec<(String,)> = match db {
            Db::Sqlite(pool) => sqlx::query_as("select name from pragma_table_info('pain_points')").fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_as("select column_name::text from information_schema.columns where table_name = 'pain_points'").fetch_all(pool).await.unwrap(),
        };
        let mut cols: Vec<String> = cols.into_iter().map(|c| c.0).collect();
        cols.sort();
        assert_eq!(cols, ["department_id", "id", "posted_on", "promise_id", "public_answer", "receipt_hash", "request_id", "status", "text", "updated_on"]);
        assert_eq!((p.status, p.department_id, p.posted_on), (PainStatus::New, w.it, today));
        voice::triager_reply(db, p.id, w.admin, "Thanks — which office?", today).await.unwrap();
        voice::author_reply(db, &hash, "The second floor.", today).await.unwrap();
        assert!(matches!(voice::author_reply(db, &hash_receipt("nope"), "hello there", today).await, Err(StoreError::NotFound(_))));
        let thread = voice::messages(db, p.id).await.unwrap();
        assert_eq!(thread.iter().map(|m| (m.seq, m.from_author)).collect::<Vec<_>>(), vec![(1, false), (2, true)]);
        assert_eq!(thread[1].author_name, None);
        assert_eq!(voice::find(db, p.id).await.unwrap().status, PainStatus::Answered);
        let req = RequestInput { title: "Stable VPN on floor two".into(), problem: "The VPN drops every afternoon.".into(), affected: "Floor two".into(), desired_outcome: "No drops".into(), department: w.sales, urgency: Urgency::High, date_needed: None };
        let r = duet_store::requests::insert_request_from_pain_point(db, w.admin, &req, p.id, today).await.unwrap();
        let p2 = voice::by_receipt(db, &hash).await.unwrap().unwrap();
        assert_eq!((p2.status, p2.request_id, p2.request_title.as_deref()), (PainStatus::Request, Some(r.id), Some("Stable VPN on floor two")));
        let again = duet_store::requests::insert_request_from_pain_point(db, w.admin, &req, p.id, today).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "one outcome per pain point");
        assert_eq!(duet_store::requests::list_requests(db, &Default::default(), Default::default()).await.unwrap().total, 1, "the refused conversion wrote nothing");
        // A second pain point becomes a promise.
        let (_, hash2) = new_receipt().unwrap();
        voice::post(db, w.sales, "Sales never sends the CRM fields we need.", &hash2, today).await.unwrap();
        let q = voice::by_receipt(db, &hash2).await.unwrap().unwrap();
        let input = PromiseInput { promisor: w.people[1], promisee_department: w.it, level: duet_core::org::Level::Manager, text: "Send the CRM field list".into(), due_on: d("2027-03-20"), source: PromiseSource::Manual, source_id: None };
        let pr = duet_store::promises::insert_promise_from_pain_point(db, w.admin, &input, q.id, today).await.unwrap();
        let q = voice::by_receipt(db, &hash2).await.unwrap().unwrap();
        assert_eq!((q.status, q.promise_id, q.promise_status.as_deref()), (PainStatus::Promise, Some(pr.id), Some("open")));
        voice::publish(db, q.id, w.admin, "We agreed a field list with Sales.", today).await.unwrap();
        let published = voice::published(db, 10).await.unwrap();
        assert_eq!(published.len(), 1);
        assert_eq!(voice::list(db, Some(&[w.it]), None).await.unwrap().len(), 1);
        assert_eq!(voice::list(db, None, Some(PainStatus::Promise)).await.unwrap().len(), 1);
        voice::close(db, p.id, w.admin, "Done, thank you.", today).await.unwrap();
        assert_eq!(voice::find(db, p.id).await.unwrap().status, PainStatus::Request, "its outcome stays visible");
        let (_, hash3) = new_receipt().unwrap();
        voice::post(db, w.it, "Printers on floor one jam daily.", &hash3, today).await.unwrap();
        let third = voice::by_receipt(db, &hash3).await.unwrap().unwrap();
        voice::close(db, third.id, w.admin, "Replaced the printer.", today).await.unwrap();
        assert_eq!(voice::find(db, third.id).await.unwrap().status, PainStatus::Closed);
    }
}
