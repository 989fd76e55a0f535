//! What a review's agenda reads, on both backends (issue 11): open requests and promises
//! whenever they changed, settled ones only around the review's window, each metric's last
//! months only, and where the window starts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use duet_core::auth::Role;
use duet_core::metrics::{MetricInput, Period};
use duet_core::org::{DepartmentInput, Email, PersonInput};
use duet_core::promises::PromiseInput;
use duet_core::requests::RequestInput;
use duet_store::accounts::{self, NewUser};
use duet_store::reviews as rv;
use duet_store::{Db, both_backends, metrics as mx, org, promises as pr, requests as rq};

mod common;
use common::d;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn department(db: &Db, name: &str, kind: &str) -> i64 {
    org::insert_department(db, &DepartmentInput::parse(name, kind, None, None).unwrap())
        .await
        .unwrap()
        .id
}

async fn person(db: &Db, email: &str, dept: i64) -> i64 {
    org::insert_person(
        db,
        &PersonInput::parse("P", email, Some(dept), "", "manager").unwrap(),
    )
    .await
    .unwrap()
    .id
}

async fn user(db: &Db) -> i64 {
    accounts::insert_user(
        db,
        &NewUser {
            email: Email::parse("bea@example.com").unwrap(),
            name: "Bea".into(),
            role: Role::ItLeader,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
    .id
}

/// A request of `dept` left in `status`, last changed `changed`.
async fn request(db: &Db, by: i64, dept: i64, status: &str, changed: &str) -> i64 {
    let input = RequestInput::parse(
        &format!("{status} {changed}"),
        "The problem described at some length",
        "Field sales",
        "Things work",
        Some(dept),
        "normal",
        "",
    )
    .unwrap();
    let id = rq::insert_request(db, by, &input).await.unwrap().id;
    let sql = "update requests set status = $1, updated_at = $2 where id = $3";
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(sql)
                .bind(status)
                .bind(at(changed))
                .bind(id)
                .execute(pool)
                .await
                .unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(sql)
                .bind(status)
                .bind(at(changed))
                .bind(id)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    id
}

both_backends! {
    async fn the_agenda_reads_open_items_and_only_the_window_of_settled_ones(db: &Db) {
        let it = department(db, "IT", "it").await;
        let sales = department(db, "Sales", "business").await;
        let hr = department(db, "HR", "business").await;
        let u = user(db).await;
        let (since, until) = (d("2026-10-01"), d("2026-10-31"));

        let open = request(db, u, sales, "submitted", "2020-01-01T09:00:00Z").await;
        let delivered = request(db, u, sales, "delivered", "2026-10-15T12:00:00Z").await;
        request(db, u, sales, "closed", "2026-01-01T09:00:00Z").await;
        request(db, u, sales, "declined", "2027-01-01T09:00:00Z").await;
        let last_evening = request(db, u, sales, "declined", "2026-10-31T23:59:59Z").await;
        request(db, u, hr, "submitted", "2026-10-15T12:00:00Z").await;
        let rows = rv::agenda_requests(db, sales, since, until).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![open, delivered, last_evening]);
        assert_eq!((rows[1].2.as_str(), rows[1].3, rows[1].4), ("delivered", at("2026-10-15T12:00:00Z"), u));

        let dev = person(db, "dev@example.com", it).await;
        let seller = person(db, "sam@example.com", sales).await;
        let today = d("2026-09-01");
        let promise = |by: i64, to: i64, text: &str| {
            PromiseInput::parse(Some(by), Some(to), "manager", text, "2026-10-20", "manual", None, today).unwrap()
        };
        let p_open = pr::insert_promise(db, u, &promise(dev, sales, "Fix the VPN"), today).await.unwrap().id;
        let p_theirs = pr::insert_promise(db, u, &promise(seller, it, "Send the field list"), today).await.unwrap().id;
        let p_kept = pr::insert_promise(db, u, &promise(dev, sales, "New laptops"), today).await.unwrap().id;
        pr::close_promise(db, p_kept, u, true, d("2026-10-10")).await.unwrap();
        let p_old = pr::insert_promise(db, u, &promise(dev, sales, "Badge readers"), today).await.unwrap().id;
        pr::close_promise(db, p_old, u, false, d("2026-09-15")).await.unwrap();
        let p_broken = pr::insert_promise(db, u, &promise(seller, it, "Test the CRM"), today).await.unwrap().id;
        pr::close_promise(db, p_broken, u, false, d("2026-10-31")).await.unwrap();
        let rows = rv::agenda_promises(db, sales, it, since, until).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| (r.0, r.2, r.3.as_str())).collect::<Vec<_>>(),
            vec![(p_open, true, "open"), (p_theirs, false, "open"), (p_kept, true, "kept"), (p_broken, false, "broken")]
        );
        assert_eq!((rows[2].4, rows[2].5), (d("2026-10-20"), Some(d("2026-10-10"))));
    }

    async fn the_agenda_reads_each_metrics_last_months_up_to_its_day(db: &Db) {
        let it = department(db, "IT", "it").await;
        let sales = department(db, "Sales", "business").await;
        let uptime = mx::insert_metric(db, &MetricInput::parse("Uptime", "%", "higher_better", "99", None).unwrap()).await.unwrap().id;
        let backlog = mx::insert_metric(db, &MetricInput::parse("Backlog", "tickets", "lower_better", "", None).unwrap()).await.unwrap().id;
        for (i, month) in ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"].iter().enumerate() {
            let p = Period::parse(month).unwrap();
            mx::upsert_value(db, uptime, sales, p, 90.0 + i as f64, false, None).await.unwrap();
            mx::upsert_value(db, uptime, it, p, 50.0, false, None).await.unwrap();
        }
        mx::upsert_value(db, backlog, sales, Period::parse("2025-01").unwrap(), 7.0, false, None).await.unwrap();
        let rows = mx::latest_values(db, sales, Period::parse("2026-10").unwrap(), 3).await.unwrap();
        let got: Vec<(i64, String, f64)> = rows.into_iter().map(|v| (v.metric_id, v.period, v.value)).collect();
        let mut want = vec![
            (uptime, "2026-08".to_string(), 92.0),
            (uptime, "2026-09".to_string(), 93.0),
            (uptime, "2026-10".to_string(), 94.0),
            (backlog, "2025-01".to_string(), 7.0),
        ];
        want.sort_by_key(|w| w.0);
        assert_eq!(got, want);
    }

    async fn the_agenda_window_starts_at_the_last_review_held_before_it(db: &Db) {
        let it = department(db, "IT", "it").await;
        let sales = department(db, "Sales", "business").await;
        let u = user(db).await;
        let now = Utc::now();
        let held = rv::schedule(db, sales, now - Duration::days(40), 60, u).await.unwrap();
        rv::mark_held(db, held.id, (now - Duration::days(40)).date_naive(), now).await.unwrap();
        let next = rv::schedule(db, sales, now + Duration::days(5), 60, u).await.unwrap();
        let on = next.scheduled_at.date_naive();
        assert_eq!(rv::agenda_start(db, sales, next.id, on).await.unwrap(), (Some(30), Some((now - Duration::days(40)).date_naive())));
        assert_eq!(rv::agenda_start(db, sales, held.id, on).await.unwrap(), (Some(30), None), "not its own day");
        assert_eq!(rv::agenda_start(db, sales, next.id, (now - Duration::days(40)).date_naive()).await.unwrap(), (Some(30), None), "only before the day");
        assert_eq!(rv::agenda_start(db, it, next.id, on).await.unwrap(), (None, None), "IT has no cadence");
    }
}
