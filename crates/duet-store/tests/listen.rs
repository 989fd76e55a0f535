//! Listen's store rules on both backends: one response per person, editable until closing,
//! anonymous rows, invitations and reminders once. The voice inbox's rules are in `voice.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::listen::campaigns::CampaignInput;
use duet_core::listen::instruments::Answers;
use duet_core::org::{Email, PersonInput};
use duet_store::accounts::{self, NewUser};
use duet_store::listen::{self as ls, SubmitMode};
use duet_store::{Db, StoreError, both_backends, org};
use std::collections::BTreeMap;

mod common;
use common::{World, d, world};

fn answers(n: usize, v: u8, comment: Option<&str>) -> Answers {
    let mut texts = BTreeMap::new();
    if let Some(c) = comment {
        texts.insert("trust".to_string(), c.to_string());
    }
    Answers {
        about: None,
        ratings: (0..n)
            .map(|i| if i == 0 { None } else { Some(v) })
            .collect(),
        texts,
    }
}

async fn campaign(db: &Db, w: &World, opens: &str, closes: &str, depts: Vec<i64>) -> i64 {
    let input = CampaignInput {
        instrument: w.pulse,
        title: "Spring pulse".into(),
        opens_on: d(opens),
        closes_on: d(closes),
        remind_on: d(closes),
        departments: depts,
        min_group: 5,
    };
    ls::insert_campaign(db, w.admin, &input).await.unwrap().id
}

both_backends! {
    async fn builtin_instruments_install_once_and_custom_ones_are_versioned(db: &Db) {
        let w = world(db).await;
        ls::ensure_listen_defaults(db).await.unwrap();
        let all = ls::list_instruments(db).await.unwrap();
        assert_eq!(all.len(), 5, "pulse, five questions, maturity, the IT service gap, the mirror — once each");
        assert_eq!(w.pulse_items, 36, "4 pillars × 3 behaviours × 3 levels");
        let def = duet_core::listen::instruments::custom("Onboarding check", "", "Laptop | My laptop was ready on day one\nAccess | I had the access I needed").unwrap();
        let v1 = ls::insert_instrument(db, w.admin, &def).await.unwrap();
        let v2 = ls::insert_instrument(db, w.admin, &def).await.unwrap();
        assert_eq!((v1.key.as_str(), v1.version, v2.version), ("custom-onboarding-check", 1, 2));
        assert_eq!(ls::find_instrument(db, v2.id).await.unwrap().definition, def);
    }

    async fn one_response_per_person_editable_until_closing(db: &Db) {
        let w = world(db).await;
        let c = campaign(db, &w, "2027-03-01", "2027-03-20", vec![w.sales]).await;
        let secret = ls::anonymity_secret(db).await.unwrap();
        let p = w.people[0];
        let a = answers(w.pulse_items, 4, Some("Trust is earned in the small things"));
        let before = ls::submit_response(db, c, p, &secret, &a, SubmitMode::New, d("2027-02-28")).await;
        assert!(matches!(before, Err(StoreError::Conflict(ref e)) if e.message.contains("opens on")), "{before:?}");
        assert!(matches!(ls::submit_response(db, c, p, &secret, &a, SubmitMode::Edit, d("2027-03-02")).await, Err(StoreError::NotFound(_))));
        ls::submit_response(db, c, p, &secret, &a, SubmitMode::New, d("2027-03-02")).await.unwrap();
        let twice = ls::submit_response(db, c, p, &secret, &a, SubmitMode::New, d("2027-03-03")).await;
        assert!(matches!(twice, Err(StoreError::Conflict(ref e)) if e.message.contains("already answered")), "{twice:?}");
        let def = ls::find_instrument(db, w.pulse).await.unwrap().definition;
        assert_eq!(ls::own_response(db, c, p, &secret, &def).await.unwrap(), Some(a.clone()));
        let changed = answers(w.pulse_items, 2, None);
        ls::submit_response(db, c, p, &secret, &changed, SubmitMode::Edit, d("2027-03-20")).await.unwrap();
        assert_eq!(ls::own_response(db, c, p, &secret, &def).await.unwrap(), Some(changed.clone()));
        assert_eq!(ls::own_response(db, c, w.people[1], &secret, &def).await.unwrap(), None, "nobody else finds it");
        // Someone who moves to another department after the campaign opened can no longer answer
        // it: who answers, from which department, is fixed at opening (issue 10). What they
        // answered before the move stays with the department they were in.
        let c2 = campaign(db, &w, "2027-03-01", "2027-03-20", vec![w.sales, w.it]).await;
        ls::submit_response(db, c2, w.people[2], &secret, &a, SubmitMode::New, d("2027-03-02")).await.unwrap();
        org::update_person(db, duet_core::org::PersonId(w.people[2]), &PersonInput::parse("Seller 2", "s2@example.com", Some(w.it), "", "individual").unwrap()).await.unwrap();
        let moved = ls::submit_response(db, c2, w.people[2], &secret, &changed, SubmitMode::Edit, d("2027-03-03")).await;
        assert!(matches!(moved, Err(StoreError::Conflict(ref e)) if e.message.contains("changed department after the survey opened")), "{moved:?}");
        assert!(ls::seal(db, c2, &secret, d("2027-03-21")).await.unwrap());
        assert_eq!(ls::responses(db, c2, &def).await.unwrap()[0].department, w.sales);
        // Participation is published once a day: read it as of the next day.
        ls::refresh_participation(db, d("2027-03-04")).await.unwrap();
        assert_eq!(ls::participation(db, c2).await.unwrap().iter().map(|p| (p.department_id, p.responded)).collect::<Vec<_>>().iter().find(|(d, _)| *d == w.sales).map(|x| x.1), Some(1));
        let closed = ls::submit_response(db, c, p, &secret, &a, SubmitMode::Edit, d("2027-03-21")).await;
        assert!(matches!(closed, Err(StoreError::Conflict(ref e)) if e.message.contains("closed")), "{closed:?}");
        // Someone of a department that is not invited cannot answer.
        let stranger = org::insert_person(db, &PersonInput::parse("Hana", "hana@example.com", Some(w.hr), "", "individual").unwrap()).await.unwrap().id;
        assert!(matches!(ls::submit_response(db, c, stranger, &secret, &a, SubmitMode::New, d("2027-03-05")).await, Err(StoreError::Invalid(_))));
        assert!(ls::responses(db, c, &def).await.unwrap().is_empty(), "nothing readable before the seal");
        assert!(ls::seal(db, c, &secret, d("2027-03-21")).await.unwrap());
        let rows = ls::responses(db, c, &def).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].department, rows[0].ratings[1]), (w.sales, Some(2)));
        assert!(ls::has_answered(db, c, p).await.unwrap());
        let part = ls::participation(db, c).await.unwrap();
        assert_eq!((part[0].invited, part[0].responded), (2, 1), "Seller 2 has moved to IT");
    }

    async fn first_answers_are_written_in_batches_each_on_its_own(db: &Db) {
        let w = world(db).await;
        let c = campaign(db, &w, "2027-03-01", "2027-03-20", vec![w.sales]).await;
        let secret = ls::anonymity_secret(db).await.unwrap();
        let day = d("2027-03-02");
        let prep = |p: i64| {
            let secret = secret.clone();
            let a = answers(w.pulse_items, 4, None);
            async move { ls::prepare_submission(db, c, p, None, &secret, &a, SubmitMode::New, day).await.unwrap() }
        };
        let first = prep(w.people[0]).await;
        let again = prep(w.people[0]).await;
        let second = prep(w.people[1]).await;
        assert!(first.is_new());
        let out = ls::write_first_answers(db, &[first, again, second]).await.unwrap();
        assert!(out[0].is_ok() && out[2].is_ok(), "{out:?}");
        assert!(matches!(out[1], Err(StoreError::Conflict(_))), "the second answer of the same person is refused alone");
        let def = ls::find_instrument(db, w.pulse).await.unwrap().definition;
        assert!(ls::seal(db, c, &secret, d("2027-03-21")).await.unwrap());
        assert_eq!(ls::responses(db, c, &def).await.unwrap().len(), 2, "nothing of the refused one was written");
        ls::refresh_participation(db, d("2027-03-03")).await.unwrap();
        assert_eq!(ls::participation(db, c).await.unwrap()[0].responded, 2);
    }

    async fn answer_rows_hold_no_person_time_or_order(db: &Db) {
        let w = world(db).await;
        let c = campaign(db, &w, "2027-03-01", "2027-03-20", vec![w.sales]).await;
        let secret = ls::anonymity_secret(db).await.unwrap();
        for p in &w.people {
            ls::submit_response(db, c, *p, &secret, &answers(w.pulse_items, 3, None), SubmitMode::New, d("2027-03-02")).await.unwrap();
        }
        // The columns of the answer table: nothing that names a person or a moment.
        let cols: Vec<(String,)> = match db {
            Db::Sqlite(pool) => sqlx::query_as("select name from pragma_table_info('survey_responses')").fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_as("select column_name::text from information_schema.columns where table_name = 'survey_responses'").fetch_all(pool).await.unwrap(),
        };
        let mut cols: Vec<String> = cols.into_iter().map(|c| c.0).collect();
        cols.sort();
        assert_eq!(cols, ["about_department_id", "campaign_id", "department_id", "id", "owner_key", "ratings", "texts"]);
        // While open, answers are encrypted boxes beside a random id and the owner key.
        let cols: Vec<(String,)> = match db {
            Db::Sqlite(pool) => sqlx::query_as("select name from pragma_table_info('open_answers')").fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_as("select column_name::text from information_schema.columns where table_name = 'open_answers'").fetch_all(pool).await.unwrap(),
        };
        let mut cols: Vec<String> = cols.into_iter().map(|c| c.0).collect();
        cols.sort();
        assert_eq!(cols, ["answer_box", "campaign_id", "id", "owner_key"]);
        // Ids are random (not 1, 2, 3) and the owner key is not derivable from the person id alone.
        let ids: Vec<(i64, String)> = match db {
            Db::Sqlite(pool) => sqlx::query_as("select id, owner_key from open_answers").fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_as("select id, owner_key from open_answers").fetch_all(pool).await.unwrap(),
        };
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|(id, _)| *id > 1_000_000), "{ids:?}");
        for p in &w.people {
            let guess = duet_core::listen::campaigns::owner_key(b"", c, *p);
            assert!(ids.iter().all(|(_, k)| *k != guess));
        }
    }

    async fn sealing_rewrites_closed_answers_beyond_anyones_reach(db: &Db) {
        let w = world(db).await;
        let c = campaign(db, &w, "2027-03-01", "2027-03-20", vec![w.sales]).await;
        let secret = ls::anonymity_secret(db).await.unwrap();
        for (i, p) in w.people.iter().enumerate() {
            ls::submit_response(db, c, *p, &secret, &answers(w.pulse_items, 2 + i as u8, None), SubmitMode::New, d("2027-03-02")).await.unwrap();
        }
        let def = ls::find_instrument(db, w.pulse).await.unwrap().definition;
        let keys = |db: &Db, table: &'static str| {
            let db = db.clone();
            let sql = format!("select id, owner_key from {table} order by id");
            async move {
                let rows: Vec<(i64, String)> = match &db {
                    Db::Sqlite(pool) => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await.unwrap(),
                    Db::Postgres(pool) => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await.unwrap(),
                };
                rows
            }
        };
        let before = keys(db, "open_answers").await;
        assert_eq!(before.len(), 3);
        assert!(!ls::seal(db, c, &secret, d("2027-03-20")).await.unwrap(), "not before it has closed");
        assert!(ls::seal(db, c, &secret, d("2027-03-21")).await.unwrap());
        assert!(!ls::seal(db, c, &secret, d("2027-03-22")).await.unwrap(), "once");
        assert_eq!(ls::seal_closed(db, &secret, d("2027-04-01")).await.unwrap(), 0);
        assert!(keys(db, "open_answers").await.is_empty(), "the boxes are gone");
        let after = keys(db, "survey_responses").await;
        assert_eq!(after.len(), 3);
        for (id, key) in &after {
            assert!(before.iter().all(|(i, k)| i != id && k != key), "fresh ids and keys");
        }
        let mut ratings: Vec<Option<u8>> = ls::responses(db, c, &def).await.unwrap().iter().map(|r| r.ratings[1]).collect();
        ratings.sort();
        assert_eq!(ratings, vec![Some(2), Some(3), Some(4)], "the answers themselves are kept");
        assert_eq!(ls::own_response(db, c, w.people[0], &secret, &def).await.unwrap(), None, "not even the author finds them now");
        assert!(ls::find_campaign(db, c).await.unwrap().sealed_at.is_some());
        // A submission checked on the closing day that arrives after the seal is refused.
        let late = ls::submit_response(db, c, w.people[0], &secret, &answers(w.pulse_items, 5, None), SubmitMode::Edit, d("2027-03-20")).await;
        assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    }

    async fn invitations_and_the_reminder_go_out_once(db: &Db) {
        let w = world(db).await;
        for i in 1..3 {
            accounts::insert_user(db, &NewUser { email: Email::parse(&format!("s{i}@example.com")).unwrap(), name: format!("Seller {i}"), role: Role::Member, password_hash: "x".into() }).await.unwrap();
        }
        let input = CampaignInput { instrument: w.pulse, title: "Pulse".into(), opens_on: d("2027-03-01"), closes_on: d("2027-03-20"), remind_on: d("2027-03-17"), departments: vec![w.sales, w.it], min_group: 5 };
        let c = ls::insert_campaign(db, w.admin, &input).await.unwrap().id;
        assert_eq!(ls::dispatch_notices(db, d("2027-02-28")).await.unwrap(), 0, "not open yet");
        assert_eq!(ls::dispatch_notices(db, d("2027-03-01")).await.unwrap(), 3, "three Sales accounts invited");
        assert_eq!(ls::dispatch_notices(db, d("2027-03-02")).await.unwrap(), 0, "invitations go once");
        let secret = ls::anonymity_secret(db).await.unwrap();
        ls::submit_response(db, c, w.people[0], &secret, &answers(w.pulse_items, 3, None), SubmitMode::New, d("2027-03-05")).await.unwrap();
        assert_eq!(ls::dispatch_notices(db, d("2027-03-17")).await.unwrap(), 2, "the reminder skips who answered");
        assert_eq!(ls::dispatch_notices(db, d("2027-03-18")).await.unwrap(), 0, "one reminder only");
        let n = duet_store::requests::notifications(db, w.admin, 10).await.unwrap();
        assert_eq!(n.len(), 1);
        assert!(n[0].message.contains("Survey open") && n[0].message.contains(&format!("/listen/campaigns/{c}")));
    }

}

// Issue 10, class 4 (existence): participation is published once a day, never live while open.
both_backends! {
    async fn participation_moves_once_a_day_while_open_and_is_final_after_closing(db: &Db) {
        let w = world(db).await;
        let today = chrono::Utc::now().date_naive();
        let closes = today + chrono::Days::new(7);
        let input = CampaignInput {
            instrument: w.pulse,
            title: "Daily pulse".into(),
            opens_on: today - chrono::Days::new(1),
            closes_on: closes,
            remind_on: closes,
            departments: vec![w.sales],
            min_group: 3,
        };
        // Everyone exists before the campaign: its population is fixed as it is created.
        let fourth = org::insert_person(db, &PersonInput::parse("Seller 3", "s3@example.com", Some(w.sales), "", "individual").unwrap()).await.unwrap().id;
        let c = ls::insert_campaign(db, w.admin, &input).await.unwrap().id;
        let secret = ls::anonymity_secret(db).await.unwrap();
        let a = answers(w.pulse_items, 4, None);
        // Creating the campaign read it, so today's counts (none) were published then.
        let camp = ls::find_campaign(db, c).await.unwrap();
        assert_eq!((camp.respondents, camp.participation_as_of), (None, Some(today)));
        for p in &w.people {
            ls::submit_response(db, c, *p, &secret, &a, SubmitMode::New, today).await.unwrap();
        }
        // Three people answer: no figure moves the same day.
        let part = ls::participation(db, c).await.unwrap();
        assert_eq!((part[0].responded, part[0].as_of), (0, Some(today)), "unchanged until tomorrow");
        assert_eq!(ls::find_campaign(db, c).await.unwrap().respondents, None);
        assert_eq!(ls::list_campaigns(db).await.unwrap().iter().find(|x| x.id == c).unwrap().respondents, None);
        assert_eq!(ls::refresh_participation(db, today).await.unwrap(), 0, "once a day");
        // A new day publishes the new count, once.
        let tomorrow = today + chrono::Days::new(1);
        assert_eq!(ls::refresh_participation(db, tomorrow).await.unwrap(), 1);
        assert_eq!(ls::refresh_participation(db, tomorrow).await.unwrap(), 0);
        let part = ls::participation(db, c).await.unwrap();
        assert_eq!((part[0].responded, part[0].as_of), (3, Some(tomorrow)));
        let camp = ls::find_campaign(db, c).await.unwrap();
        assert_eq!((camp.respondents, camp.participation_as_of), (Some(3), Some(tomorrow)));
        // Someone else answers: still 3 that day, 4 the next.
        ls::submit_response(db, c, fourth, &secret, &a, SubmitMode::New, today).await.unwrap();
        assert_eq!(ls::participation(db, c).await.unwrap()[0].responded, 3);
        assert_eq!(ls::find_campaign(db, c).await.unwrap().respondents, Some(3));
        let next = tomorrow + chrono::Days::new(1);
        assert_eq!(ls::refresh_participation(db, next).await.unwrap(), 1);
        assert_eq!(ls::find_campaign(db, c).await.unwrap().respondents, Some(4));
        // After closing the counts are final and shown live, without a day.
        let after = closes + chrono::Days::new(1);
        assert_eq!(ls::refresh_participation(db, after).await.unwrap(), 1);
        assert_eq!(ls::refresh_participation(db, after + chrono::Days::new(1)).await.unwrap(), 0, "a final count is left alone");
        let part = ls::participation(db, c).await.unwrap();
        assert_eq!((part[0].responded, part[0].as_of), (4, None));
        let camp = ls::find_campaign(db, c).await.unwrap();
        assert_eq!((camp.respondents, camp.participation_as_of), (Some(4), None));
    }
}
