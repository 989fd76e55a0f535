//! Home's store lists and the promisee's "due to be judged" notice, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::org::{DepartmentId, DepartmentInput, PersonInput};
use duet_core::promises::PromiseInput;
use duet_store::home::{self, PromiseScope};
use duet_store::promises as pr;
use duet_store::{both_backends, org};

mod common;
use common::{d, user};

both_backends! {
    async fn the_promisee_leader_is_told_once_when_a_promise_is_due_to_be_judged(db: &Db) {
        let it = org::insert_department(db, &DepartmentInput::parse("IT", "it", None, None).unwrap()).await.unwrap().id;
        let sales = org::insert_department(db, &DepartmentInput::parse("Sales", "business", None, None).unwrap()).await.unwrap().id;
        let dev = org::insert_person(db, &PersonInput::parse("Dev", "dev@example.com", Some(it), "", "manager").unwrap()).await.unwrap().id;
        let bea = org::insert_person(db, &PersonInput::parse("Bea", "bea@example.com", Some(sales), "", "executive").unwrap()).await.unwrap().id;
        org::update_department(db, DepartmentId(sales), &DepartmentInput::parse("Sales", "business", Some(bea), None).unwrap()).await.unwrap();
        let recorder = user(db, "cio@example.com", Role::ItLeader).await;
        let bea_user = user(db, "bea@example.com", Role::BusinessLeader).await;
        let today = d("2026-11-10");
        for due in ["2026-11-20", "2026-12-20"] {
            let input = PromiseInput::parse(Some(dev), Some(sales), "manager", "Fix the VPN for Sales", due, "", None, today).unwrap();
            pr::insert_promise(db, recorder, &input, today).await.unwrap();
        }
        assert_eq!(home::send_judge_notices(db, d("2026-11-19")).await.unwrap(), 0, "nothing is due yet");
        let judge = home::open_promises(db, PromiseScope::ToDepartment(sales), d("2026-11-20")).await.unwrap();
        assert_eq!((judge.total, judge.items.len()), (1, 1));
        assert_eq!(home::send_judge_notices(db, d("2026-11-20")).await.unwrap(), 1);
        assert_eq!(home::send_judge_notices(db, d("2026-11-21")).await.unwrap(), 0, "never twice");
        let inbox = duet_store::requests::notifications(db, bea_user, 10).await.unwrap();
        assert_eq!(inbox.len(), 1);
        assert!(inbox[0].message.contains("IT's promise (“Fix the VPN for Sales”) was due on 2026-11-20"), "{}", inbox[0].message);
        let by_it = home::open_promises(db, PromiseScope::ByIt { except: None }, d("2026-12-31")).await.unwrap();
        assert_eq!(by_it.total, 2);
        let others = home::open_promises(db, PromiseScope::ByIt { except: Some(dev) }, d("2026-12-31")).await.unwrap();
        assert_eq!(others.total, 0, "the reader's own promises are left to their own list");
        let by_dev = home::open_promises(db, PromiseScope::ByPerson(dev), d("2026-11-30")).await.unwrap();
        assert_eq!(by_dev.total, 1);
    }

    async fn looking_at_home_is_remembered_at_most_once_a_minute(db: &Db) {
        let u = user(db, "m@example.com", Role::Member).await;
        let t0 = chrono::Utc::now();
        assert_eq!(home::touch_home(db, u, t0).await.unwrap(), None);
        let again = home::touch_home(db, u, t0 + chrono::Duration::seconds(10)).await.unwrap().unwrap();
        assert!((again - t0).num_milliseconds().abs() < 1000);
        let later = home::touch_home(db, u, t0 + chrono::Duration::minutes(5)).await.unwrap().unwrap();
        assert!((later - t0).num_milliseconds().abs() < 1000, "the 10 s look was not written");
        let last = home::touch_home(db, u, t0 + chrono::Duration::minutes(6)).await.unwrap().unwrap();
        assert!((last - (t0 + chrono::Duration::minutes(5))).num_milliseconds().abs() < 1000);
    }
}
