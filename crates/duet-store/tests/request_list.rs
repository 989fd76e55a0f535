//! The request list on both backends (issue 11): every combination of its filters, paged, gives
//! exactly the rows and total a plain in-memory filter and sort of all requests gives. The list
//! picks a different statement for each combination, so each one is checked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::org::DepartmentInput;
use duet_core::requests::{Decision, Lane, RequestInput, Status};
use duet_store::requests::{self as rq, Request, RequestFilter};
use duet_store::{Db, PageRequest, both_backends, org};

mod common;
use common::user;

/// The people and departments of the seeded set.
struct Seeded {
    departments: Vec<i64>,
    requesters: Vec<i64>,
    champions: Vec<i64>,
}

/// `count` requests over three departments, four requesters and two champions, in every status
/// the list can show and both lanes, with urgencies mixed so the queue order has ties.
async fn seed(db: &Db, count: usize) -> Seeded {
    rq::ensure_decide_defaults(db).await.unwrap();
    let mut departments = Vec::new();
    for name in ["Sales", "Finance", "Operations"] {
        let input = DepartmentInput::parse(name, "business", None, None).unwrap();
        departments.push(org::insert_department(db, &input).await.unwrap().id);
    }
    let mut requesters = Vec::new();
    for n in 0..4 {
        requesters.push(user(db, &format!("req{n}@example.com"), Role::Member).await);
    }
    let it = user(db, "it@example.com", Role::ItLeader).await;
    let champions = vec![
        user(db, "exec0@example.com", Role::Executive).await,
        user(db, "exec1@example.com", Role::Executive).await,
    ];
    let urgencies = ["low", "normal", "high", "critical", "normal", "high", "low"];
    let step = |s: Status, _: Lane, _: bool| match s {
        Status::Accepted => Ok(Status::InDelivery),
        Status::InDelivery => Ok(Status::Delivered),
        _ => Ok(Status::Closed),
    };
    let later = chrono::Utc::now().date_naive() + chrono::Duration::days(30);
    for i in 0..count {
        let requester = requesters[i % requesters.len()];
        let input = RequestInput::parse(
            &format!("Item {i} for team {}", i % 5),
            "The problem described at some length",
            "Field sales",
            "Things work",
            Some(departments[(i / 2) % departments.len()]),
            urgencies[i % urgencies.len()],
            "",
        )
        .unwrap();
        let id = rq::insert_request(db, requester, &input).await.unwrap().id;
        match i % 11 {
            1 => {
                rq::state_need(db, id, it, "What IT understood")
                    .await
                    .unwrap();
            }
            2 => {
                rq::state_need(db, id, requester, "In my words")
                    .await
                    .unwrap();
            }
            3 | 4 => {
                rq::champion(db, id, champions[i % 2]).await.unwrap();
            }
            5 => {
                rq::decide(db, id, it, &Decision::Accept, |_| Ok(()))
                    .await
                    .unwrap();
            }
            6 => {
                let defer = Decision::Defer {
                    until: later,
                    note: "After the migration".into(),
                };
                rq::decide(db, id, it, &defer, |_| Ok(())).await.unwrap();
            }
            7 => {
                rq::decide(db, id, it, &Decision::Accept, |_| Ok(()))
                    .await
                    .unwrap();
                rq::advance(db, id, it, step).await.unwrap();
            }
            8 => {
                rq::decide(db, id, it, &Decision::Accept, |_| Ok(()))
                    .await
                    .unwrap();
                for _ in 0..3 {
                    rq::advance(db, id, it, step).await.unwrap();
                }
            }
            9 => {
                // Championed, then decided: portfolio rows in a status past the queue.
                rq::champion(db, id, champions[i % 2]).await.unwrap();
                rq::decide(db, id, it, &Decision::Accept, |_| Ok(()))
                    .await
                    .unwrap();
            }
            _ => {}
        }
    }
    Seeded {
        departments,
        requesters,
        champions,
    }
}

/// What the list must show for `f`: every request that passes each filter present, in the
/// queue order (urgency, then oldest first) when only open ones are asked for, newest first
/// otherwise.
fn expected<'a>(all: &'a [Request], f: &RequestFilter) -> Vec<&'a Request> {
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| q.to_lowercase().replace(['%', '_'], ""));
    let mut rows: Vec<&Request> = all
        .iter()
        .filter(|r| f.lane.is_none_or(|l| r.lane == l))
        .filter(|r| !f.open_only || r.status.is_open())
        .filter(|r| f.requester.is_none_or(|x| r.requester_id == x))
        .filter(|r| f.department.is_none_or(|x| r.department_id == x))
        .filter(|r| {
            q.as_deref()
                .is_none_or(|q| r.title.to_lowercase().contains(q))
        })
        .filter(|r| f.champion.is_none_or(|x| r.champion_id == Some(x)))
        .filter(|r| f.status.is_none_or(|s| r.status == s))
        .collect();
    if f.open_only {
        rows.sort_by_key(|r| (r.urgency.order(), r.id));
    } else {
        rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    }
    rows
}

/// Checks one filter: the whole list, pages of 7 from the start, middle and end, and a page past
/// the end (which must still give the total).
async fn check(db: &Db, all: &[Request], f: &RequestFilter) {
    let want = expected(all, f);
    let total = i64::try_from(want.len()).unwrap();
    let mut windows = vec![(500, 0), (7, 0), (7, 7), (7, total / 2), (7, 10_000)];
    if total >= 7 {
        windows.push((7, total - 7));
        windows.push((7, total - 3));
    }
    for (limit, offset) in windows {
        let page = rq::list_requests(db, f, PageRequest::new(Some(limit), Some(offset)))
            .await
            .unwrap();
        let got: Vec<i64> = page.items.iter().map(|r| r.id).collect();
        let start = usize::try_from(offset).unwrap().min(want.len());
        let end = (start + usize::try_from(limit).unwrap()).min(want.len());
        let wanted: Vec<i64> = want[start..end].iter().map(|r| r.id).collect();
        assert_eq!(
            got, wanted,
            "rows of {f:?} at limit {limit} offset {offset}"
        );
        assert_eq!(
            page.total, total,
            "total of {f:?} at limit {limit} offset {offset}"
        );
        for (row, w) in page.items.iter().zip(&want[start..end]) {
            assert_eq!(
                (
                    &row.title,
                    &row.department_name,
                    &row.requester_name,
                    &row.champion_name
                ),
                (
                    &w.title,
                    &w.department_name,
                    &w.requester_name,
                    &w.champion_name
                ),
                "joined names of request {}",
                row.id
            );
        }
    }
}

both_backends! {
    async fn postgres_plans_every_statement_for_its_own_values(db: &Db) {
        // A generic plan made the list 20 times slower after a few runs on one connection.
        if let Db::Postgres(pool) = db {
            for _ in 0..3 {
                let (mode,): (String,) = sqlx::query_as("select current_setting('plan_cache_mode')")
                    .fetch_one(pool)
                    .await
                    .unwrap();
                assert_eq!(mode, "force_custom_plan");
            }
        }
    }

    async fn every_filter_combination_pages_like_an_in_memory_filter_and_sort(db: &Db) {
        let s = seed(db, 240).await;
        let mut all = Vec::new();
        for id in 1..=10_000 {
            match rq::find_request(db, id).await {
                Ok(r) => all.push(r),
                Err(_) if all.len() == 240 => break,
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(all.len(), 240);
        let statuses: std::collections::BTreeSet<&str> = all.iter().map(|r| r.status.as_str()).collect();
        assert!(statuses.len() >= 7, "the seeded set covers the statuses: {statuses:?}");
        // Two sets of values per filter, so each combination is tried with rows that match and
        // (for the second set) narrower or empty results.
        let values = [
            (Lane::Service, s.requesters[0], s.departments[0], " TEAM 1", s.champions[0], Status::Submitted),
            (Lane::Portfolio, s.requesters[1], s.departments[2], "item 2", s.champions[1], Status::Accepted),
        ];
        for (lane, requester, department, q, champion, status) in values {
            for mask in 0..1u32 << 7 {
                let on = |bit: u32| mask & (1 << bit) != 0;
                let f = RequestFilter {
                    lane: on(0).then_some(lane),
                    open_only: on(1),
                    requester: on(2).then_some(requester),
                    department: on(3).then_some(department),
                    q: on(4).then(|| q.to_string()),
                    champion: on(5).then_some(champion),
                    status: on(6).then_some(status),
                };
                check(db, &all, &f).await;
            }
        }
        // The statuses that are not open, alone and in the queue (where they match nothing).
        for status in [Status::Deferred, Status::Understanding, Status::NeedConfirmed, Status::InDelivery, Status::Closed] {
            for open_only in [false, true] {
                check(db, &all, &RequestFilter { status: Some(status), open_only, ..Default::default() }).await;
            }
        }
        // A blank search and one with LIKE's wildcards are no filter and a literal search.
        check(db, &all, &RequestFilter { q: Some("  ".into()), ..Default::default() }).await;
        check(db, &all, &RequestFilter { q: Some("item_1%".into()), open_only: true, ..Default::default() }).await;
    }
}
