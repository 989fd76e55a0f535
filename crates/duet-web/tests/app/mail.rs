//! E-mail over a real SMTP conversation on both backends: a post sent to its readers arrives once
//! per recipient with both parts and one-click unsubscribe headers; two senders at once never
//! send a message twice; refusals are retried or failed with their reason; unsubscribing works
//! once, over HTTP, with no session.

use crate::app_test;
use crate::common::TestApp;
use crate::smtp_sink::Sink;
use duet_core::auth::Role;
use duet_store::mail::{self as outbox, Message, Recipient};
use duet_web::{MailSecurity, MailSettings};
use serde_json::json;
use std::collections::HashMap;

fn settings(port: u16) -> MailSettings {
    MailSettings {
        host: "127.0.0.1".into(),
        port,
        security: MailSecurity::None,
        user: None,
        password: None,
        from: "Duet <duet@example.com>".into(),
        per_minute: 60_000,
    }
}

/// Spawns the app with its sender pointed at a fresh sink.
pub(crate) async fn with_sink(backend: duet_store::Backend) -> (TestApp, Sink) {
    let sink = Sink::start().await;
    let port = sink.port;
    let app = TestApp::spawn_with(backend, move |c| c.mail = Some(settings(port))).await;
    (app, sink)
}

async fn status_counts(app: &TestApp) -> HashMap<String, i64> {
    outbox::outbox(&app.db, None, 1000)
        .await
        .unwrap()
        .1
        .into_iter()
        .collect()
}

app_test! {
    async fn a_post_goes_once_to_each_reader_and_one_click_unsubscribes(_app: &TestApp) {
        let (app, sink) = with_sink(_app.db.backend()).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let readers = [app.account(Role::Member, Some("Sales")).await, app.account(Role::Member, Some("Finance")).await];
        let (s, p) = it.post("/comms/posts", json!({"kind": "changing", "title": "New laptops from May", "body": "Every laptop older than **four** years is replaced.", "publish": true, "email": true})).await;
        assert_eq!(s, 201, "{p}");
        let users = duet_store::accounts::list_users(&app.db).await.unwrap().len();
        let mails = sink.wait_for(users).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(sink.received().len(), users, "one message per account, none twice");
        let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), users);
        assert!(readers.iter().all(|r| to.contains(r)));
        let m = mails.iter().find(|m| m.to == [readers[0].clone()]).unwrap();
        assert_eq!(m.header("Subject").as_deref(), Some("New laptops from May"));
        assert_eq!(m.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
        let content = m.header("Content-Type").unwrap();
        assert!(content.starts_with("multipart/alternative"), "{content}");
        assert!(m.data.contains("Content-Type: text/plain") && m.data.contains("Content-Type: text/html"), "both parts");
        assert!(m.data.contains("four"), "the message carries the post");
        assert_eq!(m.from, "duet@example.com");
        let link = m.header("List-Unsubscribe").unwrap();
        let url = link.trim_matches(['<', '>']).to_string();
        assert!(url.starts_with(&format!("{}/mail/unsubscribe/", app.base)), "{url}");
        assert_eq!(status_counts(&app).await.get("sent"), Some(&(users as i64)));

        // One click, no session and no CSRF token (RFC 8058): 200; the same link again: 409.
        let client = reqwest::Client::new();
        let r = client.post(&url).form(&[("List-Unsubscribe", "One-Click")]).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let r = client.post(&url).send().await.unwrap();
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("already used"));
        assert_eq!(client.post(format!("{}/mail/unsubscribe/nope", app.base)).send().await.unwrap().status(), 404);
        let reader = duet_store::accounts::find_login(&app.db, &readers[0]).await.unwrap().unwrap().0;
        assert!(!outbox::newsletter(&app.db, reader.id).await.unwrap());
        // The next post does not go to them.
        let (s, _) = it.post("/comms/posts", json!({"kind": "help", "title": "Where to get help", "body": "Extension 4000.", "publish": true, "email": true})).await;
        assert_eq!(s, 201);
        let all = sink.wait_for(users * 2 - 1).await;
        assert!(!all[users..].iter().any(|m| m.to == [readers[0].clone()]));
        app.stop().await;
    }

    async fn inbox_notices_go_by_email_to_those_who_take_them(_app: &TestApp) {
        let (app, sink) = with_sink(_app.db.backend()).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let it_email = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(it.user_id)).await.unwrap().email;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        // The sender's first pass only marks where to start: nothing older is mailed.
        let sql = "select count(*) from mail_watermarks";
        for _ in 0..200 {
            let (n,): (i64,) = match &app.db {
                duet_store::Db::Sqlite(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
                duet_store::Db::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
            };
            if n > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let sales = app.dept("Sales").await;
        let submit = |title: &'static str| json!({"title": title, "problem": "Quotes are typed twice.", "affected": "Sales", "desired_outcome": "Type once", "department_id": sales, "urgency": "normal"});
        assert_eq!(member.post("/requests", submit("Quotes typed twice")).await.0, 201);
        let mails = sink.wait_for(1).await;
        let to_it: Vec<_> = mails.iter().filter(|m| m.to == [it_email.clone()]).collect();
        assert_eq!(to_it.len(), 1, "{mails:?}");
        assert!(to_it[0].header("Subject").unwrap().starts_with("Duet: New request to understand"), "{:?}", to_it[0].header("Subject"));
        assert!(to_it[0].data.contains("/notifications"));
        // Turned off: the next notice stays in the inbox only.
        let (s, _) = it.send(reqwest::Method::PUT, "/mail/preferences", json!({"newsletter": true, "notifications": false})).await;
        assert_eq!(s, 200);
        let before = sink.received().len();
        assert_eq!(member.post("/requests", submit("Printer on floor two")).await.0, 201);
        tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
        assert!(!sink.received()[before..].iter().any(|m| m.to == [it_email.clone()]), "not mailed once turned off");
        // Survey notices never go by e-mail: a reminder reaches only those who have not answered,
        // and the outbox an administrator reads would list them.
        let since = duet_store::mail::outbox(&app.db, None, 1000).await.unwrap().0.len();
        for text in ["Reminder: \u{201c}Pulse\u{201d} closes on 2027-01-01. /listen/campaigns/1", "You are invited. /listen/campaigns/1"] {
            match &app.db {
                duet_store::Db::Sqlite(p) => { sqlx::query("insert into notifications (user_id, message, created_at, kind) values ($1, $2, $3, 'survey')").bind(member.user_id).bind(text).bind(chrono::Utc::now()).execute(p).await.unwrap(); }
                duet_store::Db::Postgres(p) => { sqlx::query("insert into notifications (user_id, message, created_at, kind) values ($1, $2, $3, 'survey')").bind(member.user_id).bind(text).bind(chrono::Utc::now()).execute(p).await.unwrap(); }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        assert_eq!(duet_store::mail::outbox(&app.db, None, 1000).await.unwrap().0.len(), since, "no survey notice queued");
        app.stop().await;
    }

    async fn two_senders_at_once_send_each_message_once_and_refusals_are_settled(_app: &TestApp) {
        let sink = Sink::start().await;
        let app = _app;
        let mut recipients: Vec<Recipient> = (0..40)
            .map(|i| Recipient { user_id: None, address: format!("r{i}@example.com"), unsubscribe_url: None, unsubscribe_hash: None })
            .collect();
        for a in ["refuse@example.com", "later@example.com", "not an address"] {
            recipients.push(Recipient { user_id: None, address: a.into(), unsubscribe_url: None, unsubscribe_hash: None });
        }
        let message = Message { key: "test:1".into(), subject: "Twice?".into(), text_body: "Once.".into(), html_body: "<p>Once.</p>".into(), calendar: None };
        let now = chrono::Utc::now();
        assert_eq!(outbox::enqueue(&app.db, &message, &recipients, now).await.unwrap(), 43);
        assert_eq!(outbox::enqueue(&app.db, &message, &recipients, now).await.unwrap(), 0, "queued once per recipient");
        // One stop signal per sender, each kept until its sender looks (`notify_one` stores a
        // permit): `notify_waiters` would miss a sender busy sending at that instant, and the
        // test would wait for it forever.
        let stops: Vec<std::sync::Arc<tokio::sync::Notify>> = (0..2).map(|_| std::sync::Arc::new(tokio::sync::Notify::new())).collect();
        let senders: Vec<_> = stops
            .iter()
            .map(|stop| {
                let db = app.db.clone();
                let stop = stop.clone();
                tokio::spawn(duet_web::service::mail::run_sender(db, settings(sink.port), "http://duet.example".into(), duet_core::time::Tz::UTC, async move { stop.notified().await }))
            })
            .collect();
        let mails = sink.wait_for(40).await;
        for _ in 0..100 {
            let c = status_counts(app).await;
            if !c.contains_key("sending") && c.get("queued").is_some_and(|n| *n == 1) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        for stop in &stops {
            stop.notify_one();
        }
        for s in senders {
            let _ = s.await;
        }
        let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        let before = to.len();
        to.dedup();
        assert_eq!((before, to.len()), (40, 40), "each once, with two senders");
        let c = status_counts(app).await;
        assert_eq!((c.get("sent"), c.get("failed"), c.get("queued")), (Some(&40), Some(&2), Some(&1)), "{c:?}");
        let (rows, _) = outbox::outbox(&app.db, Some("failed"), 10).await.unwrap();
        let reasons: Vec<String> = rows.iter().map(|r| r.last_error.clone().unwrap_or_default()).collect();
        assert!(reasons.iter().any(|r| r.contains("550")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("not valid")), "{reasons:?}");
        let (rows, _) = outbox::outbox(&app.db, Some("queued"), 10).await.unwrap();
        assert_eq!((rows[0].recipient.as_str(), rows[0].attempts), ("later@example.com", 1));
        assert!(rows[0].not_before > chrono::Utc::now(), "retried later, not at once");
    }

    async fn a_message_long_overdue_or_interrupted_waits_for_a_person(app: &TestApp) {
        let r = |a: &str| Recipient { user_id: None, address: a.into(), unsubscribe_url: None, unsubscribe_hash: None };
        let m = Message { key: "edition:old".into(), subject: "Old".into(), text_body: "x".into(), html_body: "x".into(), calendar: None };
        let long_ago = chrono::Utc::now() - chrono::Duration::days(3);
        outbox::enqueue(&app.db, &m, &[r("a@example.com")], long_ago).await.unwrap();
        assert_eq!(outbox::hold_doubtful(&app.db, chrono::Utc::now()).await.unwrap(), 1);
        assert!(outbox::claim(&app.db, 10, chrono::Utc::now()).await.unwrap().is_empty(), "held, not sent");
        // Interrupted: claimed and never settled (a crash between SMTP and the database).
        let m2 = Message { key: "edition:new".into(), ..m.clone() };
        outbox::enqueue(&app.db, &m2, &[r("b@example.com")], chrono::Utc::now()).await.unwrap();
        let claimed = outbox::claim(&app.db, 10, chrono::Utc::now()).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let later = chrono::Utc::now() + chrono::Duration::minutes(outbox::INTERRUPTED_AFTER_MINUTES + 1);
        assert_eq!(outbox::hold_doubtful(&app.db, later).await.unwrap(), 1);
        let (held, _) = outbox::outbox(&app.db, Some("held"), 10).await.unwrap();
        assert_eq!(held.len(), 2);
        assert!(held.iter().any(|h| h.last_error.as_deref().unwrap_or("").contains("interrupted")));
        // An admin confirms one on the outbox page; others may not see it.
        let admin = app.browser_as(Role::Admin, None).await;
        let (s, page) = admin.get("/admin/outbox?status=held").await;
        assert_eq!(s, 200);
        assert!(page.contains("No SMTP server is configured") && page.contains("Send it"));
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        assert_eq!(member.get("/admin/outbox").await.0, 403);
        let (s, _, _) = admin.post_form(&format!("/admin/outbox/{}/release", held[0].id), &[]).await;
        assert_eq!(s, 303);
        assert_eq!(outbox::claim(&app.db, 10, chrono::Utc::now()).await.unwrap().len(), 1, "released: it goes");
        // The same through the API, and each person's preference.
        let admin_api = app.api_as(Role::Admin, None).await;
        let (s, o) = admin_api.get("/mail/outbox?status=held").await;
        assert_eq!((s, o["rows"].as_array().map(Vec::len)), (200, Some(1)), "{o}");
        assert_eq!(admin_api.get("/mail/outbox?status=lost").await.0, 422);
        let member_api = app.api_as(Role::Member, Some("Sales")).await;
        assert_eq!(member_api.get("/mail/outbox").await.0, 403);
        assert_eq!(member_api.get("/mail/preferences").await.1["newsletter"], true);
        assert_eq!(member_api.get("/mail/preferences").await.1["notifications"], true);
        let (s, _) = member_api.send(reqwest::Method::PUT, "/mail/preferences", json!({"newsletter": false, "notifications": true})).await;
        assert_eq!(s, 200);
        assert_eq!(member_api.get("/mail/preferences").await.1["newsletter"], false);
        // Saying no takes back what still waited for them.
        let m3 = Message { key: "post:999".into(), ..m.clone() };
        let addr = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(member_api.user_id)).await.unwrap().email;
        let mine = Recipient { user_id: Some(member_api.user_id), address: addr, unsubscribe_url: None, unsubscribe_hash: None };
        outbox::enqueue(&app.db, &m3, &[mine], chrono::Utc::now()).await.unwrap();
        let (s, _) = member_api.send(reqwest::Method::PUT, "/mail/preferences", json!({"newsletter": false, "notifications": true})).await;
        assert_eq!(s, 200);
        let (failed, _) = outbox::outbox(&app.db, Some("failed"), 10).await.unwrap();
        assert!(failed.iter().any(|r| r.message_key == "post:999" && r.last_error.as_deref().unwrap_or("").contains("stopped the newsletter")), "{failed:?}");
    }

    async fn each_kind_of_notice_is_a_choice_and_the_digest_gathers_them(_app: &TestApp) {
        let (app, sink) = with_sink(_app.db.backend()).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let it_email = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(it.user_id)).await.unwrap().email;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let submit = |title: &str| json!({"title": title, "problem": "Quotes are typed twice.", "affected": "Sales", "desired_outcome": "Type once", "department_id": sales, "urgency": "normal"});
        // Unknown kinds are refused, naming them; new requests turned off stay in the inbox only.
        let (s, e) = it.send(reqwest::Method::PUT, "/mail/preferences", json!({"newsletter": true, "notifications": true, "muted": ["gossip"]})).await;
        assert_eq!(s, 400, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("muted[0]: unknown variant `gossip`"), "{e}");
        let (s, p) = it.send(reqwest::Method::PUT, "/mail/preferences", json!({"newsletter": true, "notifications": true, "muted": ["new_request"]})).await;
        assert_eq!((s, p["muted"].clone()), (200, json!(["new_request"])), "{p}");
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        assert_eq!(member.post("/requests", submit("Quotes typed twice")).await.0, 201);
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        assert!(!sink.received().iter().any(|m| m.to == [it_email.clone()]), "a muted kind is not mailed");
        // The daily digest (the sender gathers it from 07:00, once a day): one e-mail listing
        // what came since it was chosen, never one per notice.
        let (s, _) = it.send(reqwest::Method::PUT, "/mail/preferences", json!({"newsletter": true, "notifications": true, "digest": true})).await;
        assert_eq!(s, 200);
        assert_eq!(it.get("/mail/preferences").await.1["digest"], true);
        for t in ["Printer on floor two", "Badge reader at the door"] {
            assert_eq!(member.post("/requests", submit(t)).await.0, 201);
        }
        // The test server keeps the default time zone, Europe/London.
        let day = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive();
        let early = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London).time() < chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap();
        if early {
            // Before seven the sender waits; the digest is gathered as it would be at seven.
            duet_store::mail::queue_digests(&app.db, &app.base, day, chrono::Utc::now()).await.unwrap();
        }
        let to_it = || sink.received().into_iter().filter(|m| m.to == [it_email.clone()]).collect::<Vec<_>>();
        for _ in 0..100 {
            if !to_it().is_empty() { break; }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        let digest = to_it();
        assert_eq!(digest.len(), 1, "one digest, no e-mail per notice");
        let subject = digest[0].header("Subject").unwrap();
        assert!(subject.starts_with("Duet: ") && subject.ends_with("notice(s) for you"), "{subject}");
        assert!(digest[0].data.contains("Printer on floor two"));
        assert!(!digest[0].data.contains("Quotes typed twice"), "what came before the digest was chosen is not mailed");
        assert_eq!(duet_store::mail::queue_digests(&app.db, &app.base, day, chrono::Utc::now()).await.unwrap(), 0, "one a day");
        app.stop().await;
    }

    async fn a_survey_reminder_goes_to_everyone_invited_and_never_says_who_answered(_app: &TestApp) {
        let (app, sink) = with_sink(_app.db.backend()).await;
        let (instrument, items) = crate::listen::pulse(&app).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let answered = app.api_as(Role::Member, Some("Sales")).await;
        let silent = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let today = chrono::Utc::now().date_naive();
        let (s, c) = it.post("/campaigns", json!({"instrument_id": instrument, "title": "Autumn pulse", "opens_on": today.to_string(), "closes_on": (today + chrono::Duration::days(14)).to_string(), "departments": [sales]})).await;
        assert_eq!(s, 201, "{c}");
        let id = c["id"].as_i64().unwrap();
        let sql = "select user_id from campaign_population where campaign_id = $1 and user_id is not null";
        let invited: Vec<(i64,)> = match &app.db {
            duet_store::Db::Sqlite(p) => sqlx::query_as(sql).bind(id).fetch_all(p).await.unwrap(),
            duet_store::Db::Postgres(p) => sqlx::query_as(sql).bind(id).fetch_all(p).await.unwrap(),
        };
        let invited: Vec<i64> = invited.into_iter().map(|r| r.0).collect();
        let emails: Vec<String> = {
            let mut v = Vec::new();
            for u in &invited {
                v.push(duet_store::accounts::find_user(&app.db, duet_core::org::UserId(*u)).await.unwrap().email);
            }
            v.sort();
            v
        };
        assert!(emails.len() >= 2);
        let subjects = |prefix: &'static str| {
            let mut to: Vec<String> = sink.received().into_iter().filter(|m| m.header("Subject").is_some_and(|s| s.starts_with(prefix))).flat_map(|m| m.to).collect();
            to.sort();
            to
        };
        for _ in 0..100 {
            if subjects("Survey: Autumn pulse").len() >= emails.len() { break; }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(subjects("Survey: Autumn pulse"), emails, "the invitation to everyone invited, once");
        assert_eq!(answered.post(&format!("/campaigns/{id}/response"), json!({"ratings": crate::listen::all_ratings(&items, "4")})).await.0, 201);
        let remind = c["remind_on"].as_str().unwrap().parse::<chrono::NaiveDate>().unwrap();
        assert!(duet_store::listen::dispatch_notices(&app.db, remind).await.unwrap() >= 1);
        for _ in 0..100 {
            if subjects("Reminder: Autumn pulse").len() >= emails.len() { break; }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(subjects("Reminder: Autumn pulse"), emails, "the reminder to everyone invited, the one who answered too");
        let (_, inbox) = silent.get("/notifications").await;
        assert!(inbox.to_string().contains("Reminder"), "the private inbox reminder still goes only to who has not answered");
        app.stop().await;
    }

    async fn a_review_invitation_carries_its_calendar_and_a_connection_dropped_mid_message_is_retried_later(_app: &TestApp) {
        let (app, sink) = with_sink(_app.db.backend()).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let it_email = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(it.user_id)).await.unwrap().email;
        let sales = app.dept("Sales").await;
        let leader = app.person("Dana Leader", "dana@example.com", "Sales", "manager").await;
        let input = duet_core::org::DepartmentInput::parse("Sales", "business", Some(leader), None).unwrap();
        duet_store::org::update_department(&app.db, duet_core::org::DepartmentId(sales), &input).await.unwrap();
        let at = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%dT10:00").to_string();
        let (s, r) = it.post("/reviews", json!({"department_id": sales, "starts_at": at})).await;
        assert_eq!(s, 201, "{r}");
        let id = r["id"].as_i64().unwrap();
        let mails = sink.wait_for(2).await;
        let to_dana = mails.iter().find(|m| m.to == ["dana@example.com".to_string()]).expect("the leader is invited");
        assert!(mails.iter().any(|m| m.to == [it_email.clone()]), "the organiser too");
        assert!(to_dana.data.contains("Content-Type: text/calendar; charset=utf-8; method=REQUEST"), "{}", to_dana.data);
        assert!(to_dana.data.contains("invite.ics") && to_dana.data.contains("METHOD:REQUEST"));
        assert!(to_dana.data.contains(&format!("UID:review-{id}@duet")));
        // Cancelled: the same UID, METHOD:CANCEL.
        let (s, _) = it.post(&format!("/reviews/{id}/cancel"), json!({"reason": "The leader is away that week"})).await;
        assert_eq!(s, 200);
        let mails = sink.wait_for(4).await;
        let cancel = mails.iter().find(|m| m.to == ["dana@example.com".to_string()] && m.data.contains("METHOD:CANCEL")).expect("a cancellation");
        assert!(cancel.data.contains("STATUS:CANCELLED") && cancel.data.contains(&format!("UID:review-{id}@duet")));

        // The SMTP server drops the connection halfway through a message: that row waits for a
        // retry later, nothing is marked sent, and the rest of the batch goes.
        let message = Message { key: "test:drop".into(), subject: "Dropped?".into(), text_body: "x".repeat(2000), html_body: "<p>x</p>".repeat(200), calendar: None };
        let to = |a: &str| Recipient { user_id: None, address: a.into(), unsubscribe_url: None, unsubscribe_hash: None };
        outbox::enqueue(&app.db, &message, &[to("ok1@example.com"), to("drop@example.com"), to("ok2@example.com")], chrono::Utc::now()).await.unwrap();
        for _ in 0..100 {
            let rows = outbox::outbox(&app.db, None, 1000).await.unwrap().0;
            let mine: Vec<_> = rows.iter().filter(|r| r.message_key == "test:drop").collect();
            if mine.iter().all(|r| r.status != "queued" && r.status != "sending") || mine.iter().any(|r| r.attempts > 0 && r.status == "queued") && mine.iter().filter(|r| r.status == "sent").count() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let rows = outbox::outbox(&app.db, None, 1000).await.unwrap().0;
        let drop = rows.iter().find(|r| r.message_key == "test:drop" && r.recipient == "drop@example.com").unwrap();
        assert_eq!((drop.status.as_str(), drop.attempts), ("queued", 1), "{drop:?}");
        assert!(drop.not_before > chrono::Utc::now() + chrono::Duration::seconds(30), "retried later, with back-off");
        assert!(drop.last_error.as_deref().is_some_and(|e| !e.is_empty()));
        let got: Vec<String> = sink.received().into_iter().filter(|m| m.header("Subject").as_deref() == Some("Dropped?")).flat_map(|m| m.to).collect();
        assert_eq!(got.len(), 2, "the others went once; the dropped one not at all: {got:?}");
        assert!(!got.contains(&"drop@example.com".to_string()));
        app.stop().await;
    }
}
