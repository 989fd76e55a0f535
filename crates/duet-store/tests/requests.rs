//! Decide's store rules on both backends: the timeline, notifications, the decision gate,
//! sign-offs that lapse, benefits and the portfolio inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::finance::{BusinessCase, CashFlow, FlowKind, Money};
use duet_core::org::DepartmentInput;
use duet_core::requests::{Decision, DecisionFields, Lane, RequestInput, Risk, Status};
use duet_store::requests::{self as rq, RequestFilter};
use duet_store::{Db, PageRequest, StoreError, both_backends, org};

mod common;
use common::user;

async fn setup(db: &Db) -> (i64, i64, i64, i64) {
    rq::ensure_decide_defaults(db).await.unwrap();
    let d = org::insert_department(
        db,
        &DepartmentInput::parse("Sales", "business", None, None).unwrap(),
    )
    .await
    .unwrap()
    .id;
    (
        d,
        user(db, "req@example.com", Role::Member).await,
        user(db, "it@example.com", Role::ItLeader).await,
        user(db, "exec@example.com", Role::Executive).await,
    )
}

fn input(dept: i64, title: &str, urgency: &str) -> RequestInput {
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

fn case(it_cost: i64) -> BusinessCase {
    BusinessCase::new(
        3,
        0.08,
        vec![
            CashFlow {
                year: 0,
                kind: FlowKind::ItOneOff,
                amount: Money(it_cost),
            },
            CashFlow {
                year: 1,
                kind: FlowKind::Savings,
                amount: Money(it_cost),
            },
            CashFlow {
                year: 2,
                kind: FlowKind::Revenue,
                amount: Money(it_cost),
            },
        ],
    )
    .unwrap()
}

/// Sets a request's submission, first response and confirmation times (what the team figures
/// measure), by SQL, since the product only ever stamps "now".
async fn set_times(db: &Db, id: i64, hours_to_response: f64, hours_to_confirmed: Option<f64>) {
    let created = chrono::Utc::now() - chrono::Duration::days(30);
    let after = |h: f64| created + chrono::Duration::seconds((h * 3600.0) as i64);
    let sql = "update requests set created_at = $1, first_response_at = $2, need_confirmed_at = $3 where id = $4";
    let first = after(hours_to_response);
    let confirmed = hours_to_confirmed.map(after);
    match db {
        Db::Sqlite(p) => sqlx::query(sql)
            .bind(created)
            .bind(first)
            .bind(confirmed)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap(),
        Db::Postgres(p) => sqlx::query(sql)
            .bind(created)
            .bind(first)
            .bind(confirmed)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap(),
    };
}

both_backends! {
    async fn a_request_is_understood_before_it_is_answered(db: &Db) {
        let (dept, requester, it, _) = setup(db).await;
        let r = rq::insert_request(db, requester, &input(dept, "VPN drops hourly", "high")).await.unwrap();
        assert_eq!((r.status, r.lane), (Status::Submitted, Lane::Service));
        let gate = |f: &rq::GateFacts| duet_core::requests::may_decide(&duet_core::requests::DecisionGate {
            status: f.status, lane: f.lane, attempt_on: f.attempt_on, today: chrono::Utc::now().date_naive(), wait_days: 10, portfolio_ready: f.portfolio_ready,
            need_confirmed: f.need_confirmed,
        }, &Decision::Accept);
        let err = rq::decide(db, r.id, it, &Decision::Accept, gate).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        let r = rq::state_need(db, r.id, it, "Field sales need a VPN that stays up while they move between sites").await.unwrap();
        assert_eq!(r.status, Status::Understanding);
        assert!(r.first_response_at.is_some());
        assert!(rq::decide(db, r.id, it, &Decision::Accept, gate).await.is_err(), "still unconfirmed");
        let r = rq::confirm_need(db, r.id, requester).await.unwrap();
        assert_eq!(r.status, Status::NeedConfirmed);
        let r = rq::decide(db, r.id, it, &Decision::Accept, gate).await.unwrap();
        assert_eq!(r.status, Status::Accepted);
        let events = rq::events(db, r.id).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, vec!["submitted", "need_stated", "need_confirmed", "decided"]);
        let notes = rq::notifications(db, requester, 10).await.unwrap();
        assert_eq!(notes.len(), 2, "the requester hears of IT's steps, not their own");
        assert!(notes[0].message.starts_with("VPN drops hourly: IT accepted"));
        assert_eq!(rq::unread_count(db, requester).await.unwrap(), 2);
        rq::mark_read(db, requester).await.unwrap();
        assert_eq!(rq::unread_count(db, requester).await.unwrap(), 0);
    }

    async fn a_decline_keeps_its_alternatives_and_the_requester_answers_them(db: &Db) {
        let (dept, requester, it, _) = setup(db).await;
        let r = rq::insert_request(db, requester, &input(dept, "Use Canva", "normal")).await.unwrap();
        rq::state_need(db, r.id, requester, "We need a quick way to make on-brand social images ourselves").await.unwrap();
        let f = DecisionFields { decision: "decline", reason: "security", alternatives: vec![("condition_for_yes", "Canva for Teams with SSO and brand kit"), ("another_tool", "Adobe Express, already licensed")], security_risk: "Personal accounts hold customer logos", security_yes_if: "SSO and a company workspace", ..Default::default() };
        let d = Decision::parse(&f).unwrap();
        let r = rq::decide(db, r.id, it, &d, |_| Ok(())).await.unwrap();
        assert_eq!((r.status, r.decline_reason.as_deref()), (Status::Declined, Some("security")));
        let alts = rq::alternatives(db, r.id).await.unwrap();
        assert_eq!(alts.len(), 2);
        rq::answer_alternative(db, r.id, alts[1].id, requester, true).await.unwrap();
        assert_eq!(rq::alternatives(db, r.id).await.unwrap()[1].taken_up, Some(true));
        assert!(matches!(rq::answer_alternative(db, r.id, 999_999, requester, true).await, Err(StoreError::NotFound(_))));
        let need_after = rq::state_need(db, r.id, it, "Trying to change the need after the decision").await;
        assert!(matches!(need_after, Err(StoreError::Conflict(_))));
    }

    async fn a_champions_sign_off_lapses_when_it_costs_rise_beyond_tolerance(db: &Db) {
        let (dept, requester, it, exec) = setup(db).await;
        let r = rq::insert_request(db, requester, &input(dept, "New CPQ tool", "normal")).await.unwrap();
        let r = rq::champion(db, r.id, exec).await.unwrap();
        assert_eq!((r.lane, r.champion_id), (Lane::Portfolio, Some(exec)));
        assert!(matches!(rq::sign_off(db, r.id, exec).await, Err(StoreError::Conflict(_))), "nothing to sign yet");
        let rev0 = duet_store::portfolio::settings(db).await.unwrap().revision;
        rq::save_business_case(db, r.id, it, &case(100_000_00), Risk::Medium, 120, &[]).await.unwrap();
        let stored = rq::sign_off(db, r.id, exec).await.unwrap();
        assert!(stored.signoff_valid);
        assert_eq!(stored.signoff.as_ref().map(|s| s.it_cost), Some(100_000_00));
        let stored = rq::save_business_case(db, r.id, it, &case(109_000_00), Risk::Medium, 120, &[]).await.unwrap();
        assert!(stored.signoff_valid, "within 10 %");
        let stored = rq::save_business_case(db, r.id, it, &case(111_000_00), Risk::Medium, 120, &[]).await.unwrap();
        assert!(!stored.signoff_valid, "beyond 10 % the sign-off lapses");
        assert!(duet_store::portfolio::settings(db).await.unwrap().revision > rev0, "ranking inputs changed");
        let rows = duet_store::portfolio::portfolio_rows(db).await.unwrap();
        assert_eq!((rows.len(), rows[0].it_cost, rows[0].signed_cost), (1, Some(111_000_00), Some(100_000_00)));
        // The gate sees a lapsed sign-off.
        let seen = std::sync::Mutex::new(None);
        let _ = rq::decide(db, r.id, it, &Decision::Accept, |f| { *seen.lock().unwrap() = Some(f.portfolio_ready); Err(duet_core::FieldError::new("x", "stop")) }).await;
        assert_eq!(*seen.lock().unwrap(), Some(false));
        rq::sign_off(db, r.id, exec).await.unwrap();
        let _ = rq::decide(db, r.id, it, &Decision::Accept, |f| { *seen.lock().unwrap() = Some(f.portfolio_ready); Err(duet_core::FieldError::new("x", "stop")) }).await;
        assert_eq!(*seen.lock().unwrap(), Some(true));
    }

    async fn the_decision_gate_sees_whether_the_requester_confirmed_the_need(db: &Db) {
        let (dept, requester, it, _) = setup(db).await;
        let r = rq::insert_request(db, requester, &input(dept, "Quote tool", "normal")).await.unwrap();
        let seen = std::sync::Mutex::new(None);
        let peek = |f: &rq::GateFacts| { *seen.lock().unwrap() = Some(f.need_confirmed); Err(duet_core::FieldError::new("x", "stop")) };
        rq::state_need(db, r.id, it, "Sales needs quotes that are right the first time").await.unwrap();
        let _ = rq::decide(db, r.id, it, &Decision::Accept, peek).await;
        assert_eq!(*seen.lock().unwrap(), Some(false), "stated by IT, not confirmed");
        rq::confirm_need(db, r.id, requester).await.unwrap();
        let _ = rq::decide(db, r.id, it, &Decision::Accept, peek).await;
        assert_eq!(*seen.lock().unwrap(), Some(true));
    }

    async fn delivery_moves_on_and_benefits_are_compared_with_the_case(db: &Db) {
        let (dept, requester, it, exec) = setup(db).await;
        let r = rq::insert_request(db, requester, &input(dept, "Forecasting", "normal")).await.unwrap();
        rq::champion(db, r.id, exec).await.unwrap();
        rq::save_business_case(db, r.id, it, &case(50_000_00), Risk::Low, 40, &[]).await.unwrap();
        rq::sign_off(db, r.id, exec).await.unwrap();
        rq::state_need(db, r.id, requester, "A forecast of next quarter's pipeline we can trust").await.unwrap();
        rq::decide(db, r.id, it, &Decision::Accept, |_| Ok(())).await.unwrap();
        let step = |s, l, _| duet_core::requests::next_delivery_status(s, l).ok_or_else(|| duet_core::FieldError::new("status", "no next step"));
        assert!(matches!(rq::record_benefit(db, r.id, it, 1, Money(1)).await, Err(StoreError::Conflict(_))), "not delivered yet");
        assert_eq!(rq::advance(db, r.id, it, step).await.unwrap().status, Status::InDelivery);
        assert_eq!(rq::advance(db, r.id, it, step).await.unwrap().status, Status::Delivered);
        let b = rq::record_benefit(db, r.id, it, 1, Money(40_000_00)).await.unwrap();
        assert_eq!((b[1].expected, b[1].actual), (50_000_00, Some(40_000_00)));
        assert!(matches!(rq::record_benefit(db, r.id, it, 9, Money(1)).await, Err(StoreError::Invalid(_))));
        assert_eq!(rq::advance(db, r.id, it, step).await.unwrap().status, Status::BenefitsRealised);
        assert_eq!(rq::advance(db, r.id, it, step).await.unwrap().status, Status::Closed);
        assert!(rq::advance(db, r.id, it, step).await.is_err());
        assert!(duet_store::portfolio::portfolio_rows(db).await.unwrap().is_empty(), "closed items leave the ranking");
    }

    async fn the_queue_is_urgency_first_then_first_in_first_out(db: &Db) {
        let (dept, requester, _, _) = setup(db).await;
        for (t, u) in [("a low", "low"), ("b high", "high"), ("c critical", "critical"), ("d high", "high")] {
            rq::insert_request(db, requester, &input(dept, t, u)).await.unwrap();
        }
        let f = RequestFilter { lane: Some(Lane::Service), open_only: true, ..Default::default() };
        let page = rq::list_requests(db, &f, PageRequest::default()).await.unwrap();
        let titles: Vec<&str> = page.items.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, vec!["c critical", "b high", "d high", "a low"]);
        let mine = rq::list_requests(db, &RequestFilter { requester: Some(requester), q: Some("HIGH".into()), ..Default::default() }, PageRequest::default()).await.unwrap();
        assert_eq!(mine.total, 2);
        assert!(matches!(rq::insert_request(db, requester, &input(9999, "bad dept", "low")).await, Err(StoreError::Invalid(_))));
    }

    async fn weights_are_versioned_and_goals_can_be_retired(db: &Db) {
        let (_, _, it, exec) = setup(db).await;
        assert_eq!(duet_store::portfolio::weights_history(db).await.unwrap().len(), 1);
        let w = duet_core::portfolio::Weights::new(50.0, 20.0, 10.0, 20.0).unwrap();
        let v = duet_store::portfolio::insert_weights(db, it, &w).await.unwrap();
        assert_eq!((v.version, v.value_weight), (2, 50.0));
        let g = duet_store::portfolio::insert_goal(db, exec, "Grow recurring revenue", 5).await.unwrap();
        assert_eq!(duet_store::portfolio::goals(db).await.unwrap().len(), 1);
        duet_store::portfolio::archive_goal(db, g.id).await.unwrap();
        assert!(duet_store::portfolio::goals(db).await.unwrap().is_empty());
        let s = duet_store::portfolio::update_settings(db, None, 1_000_000, 300, 15.0, 5).await.unwrap();
        assert_eq!((s.budget, s.capacity_days, s.wait_days), (1_000_000, 300, 5));
        assert_eq!(rq::teams(db).await.unwrap().len(), rq::STANDARD_TEAMS.len());
    }

    async fn the_champion_is_told_when_a_case_awaits_sign_off_and_when_the_sign_off_lapsed(db: &Db) {
        let (dept, requester, it, exec) = setup(db).await;
        let r = rq::insert_request(db, requester, &input(dept, "New CPQ tool", "normal")).await.unwrap();
        rq::champion(db, r.id, exec).await.unwrap();
        rq::save_business_case(db, r.id, it, &case(100_000_00), Risk::Medium, 120, &[]).await.unwrap();
        let notes = rq::notifications(db, exec, 10).await.unwrap();
        assert!(notes[0].message.contains("awaits the champion's sign-off"), "{:?}", notes[0].message);
        assert_eq!(notes[0].request_id, Some(r.id));
        rq::sign_off(db, r.id, exec).await.unwrap();
        rq::save_business_case(db, r.id, it, &case(105_000_00), Risk::Medium, 120, &[]).await.unwrap();
        let notes = rq::notifications(db, exec, 10).await.unwrap();
        assert!(!notes[0].message.contains("sign-off"), "within tolerance the sign-off holds: {:?}", notes[0].message);
        rq::save_business_case(db, r.id, it, &case(130_000_00), Risk::Medium, 120, &[]).await.unwrap();
        let notes = rq::notifications(db, exec, 10).await.unwrap();
        assert!(notes[0].message.contains("sign-off of 100,000.00 has lapsed"), "{:?}", notes[0].message);
        let kinds: Vec<String> = rq::events(db, r.id).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&"signoff_lapsed".to_string()), "{kinds:?}");
    }

    async fn portfolio_rows_say_whether_the_need_was_confirmed_and_confirming_moves_the_ranking(db: &Db) {
        let (dept, requester, it, exec) = setup(db).await;
        let r = rq::insert_request(db, requester, &input(dept, "Forecasting", "normal")).await.unwrap();
        rq::champion(db, r.id, exec).await.unwrap();
        assert!(!duet_store::portfolio::portfolio_rows(db).await.unwrap()[0].need_confirmed);
        rq::state_need(db, r.id, it, "Sales needs a pipeline forecast it can trust").await.unwrap();
        let rev = duet_store::portfolio::settings(db).await.unwrap().revision;
        rq::confirm_need(db, r.id, requester).await.unwrap();
        assert!(duet_store::portfolio::settings(db).await.unwrap().revision > rev, "a cached ranking must see the confirmation");
        assert!(duet_store::portfolio::portfolio_rows(db).await.unwrap()[0].need_confirmed);
    }

    async fn an_executive_lists_what_they_champion(db: &Db) {
        let (dept, requester, _, exec) = setup(db).await;
        let a = rq::insert_request(db, requester, &input(dept, "Championed one", "normal")).await.unwrap();
        rq::insert_request(db, requester, &input(dept, "Not championed", "normal")).await.unwrap();
        rq::champion(db, a.id, exec).await.unwrap();
        let page = rq::list_requests(db, &RequestFilter { champion: Some(exec), ..Default::default() }, PageRequest::default()).await.unwrap();
        assert_eq!((page.total, page.items.len(), page.items[0].id), (1, 1, a.id));
    }
    async fn team_figures_are_counted_by_the_database(db: &Db) {
        let (dept, requester, it, _) = setup(db).await;
        let teams = rq::teams(db).await.unwrap();
        let (apps, data) = (teams[0].clone(), teams[1].clone());
        let new = |title: &'static str| input(dept, title, "normal");
        // Apps: answered after 2, 4 and 9 hours; one declined (two alternatives, one taken up),
        // one accepted, one undecided.
        let mut apps_ids = Vec::new();
        for (title, hours) in [("Declined one", 2.0), ("Accepted one", 4.0), ("Open one", 9.0)] {
            let r = rq::insert_request(db, requester, &new(title)).await.unwrap();
            rq::assign_team(db, r.id, it, apps.id).await.unwrap();
            rq::state_need(db, r.id, it, "A need stated at enough length to count").await.unwrap();
            apps_ids.push((r.id, hours));
        }
        let f = DecisionFields { decision: "decline", reason: "security", alternatives: vec![("another_tool", "The licensed one"), ("condition_for_yes", "With SSO")], security_risk: "Personal accounts", security_yes_if: "SSO and a company workspace", ..Default::default() };
        rq::decide(db, apps_ids[0].0, it, &Decision::parse(&f).unwrap(), |_| Ok(())).await.unwrap();
        let alts = rq::alternatives(db, apps_ids[0].0).await.unwrap();
        rq::answer_alternative(db, apps_ids[0].0, alts[0].id, requester, true).await.unwrap();
        rq::decide(db, apps_ids[1].0, it, &Decision::Accept, |_| Ok(())).await.unwrap();
        for (id, hours) in &apps_ids {
            set_times(db, *id, *hours, None).await;
        }
        // Data: answered after 1 and 3 hours (an even count: the median is the mean of the two
        // middle values); one need confirmed after 5 hours.
        for (title, hours, confirmed) in [("Data one", 1.0, Some(5.0)), ("Data two", 3.0, None)] {
            let r = rq::insert_request(db, requester, &new(title)).await.unwrap();
            rq::assign_team(db, r.id, it, data.id).await.unwrap();
            set_times(db, r.id, hours, confirmed).await;
        }
        // Not assigned: in no team's figures.
        rq::insert_request(db, requester, &new("Unassigned")).await.unwrap();

        let figures = rq::team_figures(db).await.unwrap();
        assert_eq!(figures.len(), 2, "teams without requests are left out: {figures:?}");
        let by = |name: &str| figures.iter().find(|t| t.team == name).unwrap().clone();
        let close = |v: Option<f64>, want: f64| (v.unwrap() - want).abs() < 1e-3;
        let a = by(&apps.name);
        assert_eq!((a.requests, a.decided, a.declined), (3, 2, 1));
        assert_eq!((a.alternatives_offered, a.alternatives_taken_up), (2, 1));
        assert!(close(a.median_first_response_hours, 4.0), "{a:?}");
        assert_eq!(a.median_confirmed_need_hours, None);
        let d = by(&data.name);
        assert_eq!((d.requests, d.decided, d.declined, d.alternatives_offered), (2, 0, 0, 0));
        assert!(close(d.median_first_response_hours, 2.0), "{d:?}");
        assert!(close(d.median_confirmed_need_hours, 5.0), "{d:?}");
    }
}
