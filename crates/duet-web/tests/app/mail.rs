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
                duet_store::Db::Sqlite(p) => { sqlx::query("insert into notifications (user_id, message, created_at) values ($1, $2, $3)").bind(member.user_id).bind(text).bind(chrono::Utc::now()).execute(p).await.unwrap(); }
                duet_store::Db::Postgres(p) => { sqlx::query("insert into notifications (user_id, message, created_at) values ($1, $2, $3)").bind(member.user_id).bind(text).bind(chrono::Utc::now()).execute(p).await.unwrap(); }
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
        let message = Message { key: "test:1".into(), subject: "Twice?".into(), text_body: "Once.".into(), html_body: "<p>Once.</p>".into() };
        let now = chrono::Utc::now();
        assert_eq!(outbox::enqueue(&app.db, &message, &recipients, now).await.unwrap(), 43);
        assert_eq!(outbox::enqueue(&app.db, &message, &recipients, now).await.unwrap(), 0, "queued once per recipient");
        let stop = tokio::sync::Notify::new();
        let stop = std::sync::Arc::new(stop);
        let senders: Vec<_> = (0..2)
            .map(|_| {
                let db = app.db.clone();
                let stop = stop.clone();
                tokio::spawn(duet_web::service::mail::run_sender(db, settings(sink.port), "http://duet.example".into(), async move { stop.notified().await }))
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
        stop.notify_waiters();
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
        let m = Message { key: "edition:old".into(), subject: "Old".into(), text_body: "x".into(), html_body: "x".into() };
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
}
