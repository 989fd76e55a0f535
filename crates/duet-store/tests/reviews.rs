//! Reviews on both backends: holding, signing, undoing "held", moving and cancelling with a
//! reason, planning the next review on the organisation calendar, and the holiday list.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use duet_core::auth::Role;
use duet_core::org::{DepartmentInput, Email};
use duet_core::reviews::Holiday;
use duet_core::time::{Tz, parse_time_zone};
use duet_store::accounts::{self, NewUser};
use duet_store::reviews as rv;
use duet_store::{Db, StoreError, both_backends, org};

async fn setup(db: &Db) -> (i64, i64) {
    let sales = org::insert_department(
        db,
        &DepartmentInput::parse("Sales", "business", None, None).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let u = accounts::insert_user(
        db,
        &NewUser {
            email: Email::parse("it@example.com").unwrap(),
            name: "Ivy".into(),
            role: Role::ItLeader,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
    .id;
    (sales, u)
}

fn london() -> Tz {
    parse_time_zone("Europe/London").unwrap()
}

fn conflict_field<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Conflict(e)) => e.field,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

both_backends! {
    async fn an_empty_or_unheld_record_cannot_be_signed_and_held_waits_for_the_start(db: &Db) {
        let (sales, u) = setup(db).await;
        let now = Utc::now();
        let r = rv::schedule(db, sales, now + Duration::days(2), 60, u).await.unwrap();
        assert_eq!(conflict_field(rv::mark_held_and_plan_next(db, r.id, now, london()).await), "status", "not before its start");
        assert_eq!(conflict_field(rv::sign(db, r.id, true, u).await), "status", "not before the meeting");
        let past = rv::schedule(db, sales, now - Duration::hours(2), 60, u).await.unwrap();
        rv::mark_held_and_plan_next(db, past.id, now, london()).await.unwrap();
        assert_eq!(conflict_field(rv::sign(db, past.id, true, u).await), "attendees", "an empty record");
        rv::save_record(db, past.id, "Agenda\n- one\n- two", "Ivy, Bea", "", "").await.unwrap();
        assert_eq!(conflict_field(rv::sign(db, past.id, true, u).await), "notes");
        rv::save_record(db, past.id, "Agenda\n- one\n- two", "Ivy, Bea", "CRM is better\nQuotes slow", "").await.unwrap();
        let rec = rv::sign(db, past.id, true, u).await.unwrap();
        assert!(rec.it_signed_at.is_some() && rec.locked_at.is_none());
        assert_eq!(rv::record(db, past.id).await.unwrap().agenda, "Agenda\n- one\n- two");
    }

    async fn held_can_be_undone_until_the_record_is_signed(db: &Db) {
        let (sales, u) = setup(db).await;
        let now = Utc::now();
        let r = rv::schedule(db, sales, now - Duration::hours(1), 60, u).await.unwrap();
        assert_eq!(conflict_field(rv::undo_held(db, r.id, "never held", u).await), "status");
        rv::mark_held_and_plan_next(db, r.id, now, london()).await.unwrap();
        let back = rv::undo_held(db, r.id, "Marked the wrong review", u).await.unwrap();
        assert_eq!((back.status.as_str(), back.held_on), ("planned", None));
        let changes = rv::changes(db, r.id).await.unwrap();
        assert_eq!((changes[0].kind.as_str(), changes[0].reason.as_str(), changes[0].author.as_str()), ("held_undone", "Marked the wrong review", "Ivy"));
        rv::mark_held_and_plan_next(db, r.id, now, london()).await.unwrap();
        rv::save_record(db, r.id, "", "Ivy", "Notes", "").await.unwrap();
        rv::sign(db, r.id, true, u).await.unwrap();
        assert_eq!(conflict_field(rv::undo_held(db, r.id, "too late", u).await), "status");
    }

    async fn the_next_review_is_planned_on_a_working_day_on_or_before_the_due_date(db: &Db) {
        let (sales, u) = setup(db).await;
        let now = Utc::now();
        // Make every day from 20 to 30 days ahead a holiday: the plan must land before them.
        let today = now.date_naive();
        for k in 20..=30 {
            let d = today + Duration::days(k);
            rv::add_holiday(db, &Holiday { month: d.month(), day: d.day(), year: Some(d.year()), name: format!("Closed {k}") }).await.unwrap();
        }
        let r = rv::schedule(db, sales, now - Duration::minutes(30), 60, u).await.unwrap();
        rv::mark_held_and_plan_next(db, r.id, now, london()).await.unwrap();
        let next = rv::list(db, Some(sales), 10).await.unwrap().into_iter().find(|x| x.status == "planned").unwrap();
        let day = next.scheduled_at.with_timezone(&london()).date_naive();
        let held = now.with_timezone(&london()).date_naive();
        assert!(day <= held + Duration::days(30), "on or before the due date: {day}");
        assert!(day < today + Duration::days(20) || day > today + Duration::days(30), "not on a holiday: {day}");
        assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "not on a weekend: {day}");
        assert!(next.scheduled_at > now);
    }

    async fn planned_reviews_are_moved_or_cancelled_with_a_reason_and_missed_ones_say_so(db: &Db) {
        let (sales, u) = setup(db).await;
        let now = Utc::now();
        let old = rv::schedule(db, sales, now - Duration::days(3), 60, u).await.unwrap();
        assert_eq!(rv::find(db, old.id).await.unwrap().status, "missed", "not planned in the past");
        let to: DateTime<Utc> = (now + Duration::days(7)).date_naive().and_hms_opt(10, 0, 0).unwrap().and_utc();
        let moved = rv::move_to(db, old.id, to, "Leader was on leave", u).await.unwrap();
        assert_eq!((moved.status.as_str(), moved.scheduled_at), ("planned", to));
        let cancelled = rv::cancel(db, old.id, "Merged into the quarterly", u).await.unwrap();
        assert_eq!(cancelled.status, "cancelled");
        assert_eq!(conflict_field(rv::cancel(db, old.id, "again", u).await), "status");
        assert_eq!(conflict_field(rv::move_to(db, old.id, to, "again", u).await), "status");
        let c = rv::changes(db, old.id).await.unwrap();
        assert_eq!(c.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["moved", "cancelled"]);
        assert_eq!((c[0].from_at, c[0].to_at), (Some(old.scheduled_at), Some(to)));
        assert_eq!(c[1].reason, "Merged into the quarterly");
    }

    async fn the_holiday_list_starts_with_the_fixed_dates_and_an_admin_edits_it(db: &Db) {
        let hs = rv::holidays(db).await.unwrap();
        let christmas = NaiveDate::from_ymd_opt(2031, 12, 25).unwrap();
        assert!(hs.iter().any(|h| h.holiday.falls_on(christmas)), "{hs:?}");
        assert_eq!(hs.len(), 3);
        let h = Holiday::parse("2027-05-03", "Early May bank holiday", false).unwrap();
        let added = rv::add_holiday(db, &h).await.unwrap();
        assert_eq!(conflict_field(rv::add_holiday(db, &h).await), "date");
        assert_eq!(rv::holidays(db).await.unwrap().len(), 4);
        rv::remove_holiday(db, added.id).await.unwrap();
        assert!(matches!(rv::remove_holiday(db, added.id).await, Err(StoreError::NotFound(_))));
    }
}
