//! The monthly edition over HTTP on both backends: drafted from the month's records (each line
//! linking to its source), edited with every refusal naming its field and nothing half-saved,
//! previewed as a department's member, scheduled to a real SMTP sink (each reader once, their
//! department's version, links only to what they may open), counted clicks that go nowhere
//! else, and a scheduled edition taken back before it goes.

use crate::app_test;
use crate::common::{Api, TestApp};
use crate::mail::with_sink;
use crate::once::send_form;
use duet_core::auth::Role;
use duet_core::org::{DepartmentId, DepartmentInput, UserId};
use reqwest::Method;
use serde_json::{Value, json};

/// This month, `YYYY-MM` (the organisation's time zone is UTC in tests).
fn this_month() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

async fn email_of(app: &TestApp, api: &Api) -> String {
    duet_store::accounts::find_user(&app.db, UserId(api.user_id))
        .await
        .unwrap()
        .email
}

/// A Sales request by `owner`, taken by IT through understanding, acceptance and delivery.
async fn deliver(it: &Api, owner: &Api, dept: i64, title: &str) -> i64 {
    let (s, r) = owner.post("/requests", json!({"title": title, "problem": "Quotes take two days to build.", "affected": "Sales", "desired_outcome": "Quotes in an hour", "department_id": dept, "urgency": "normal"})).await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(
        it.post(
            &format!("/requests/{id}/need"),
            json!({"need_statement": "Sales needs quotes in an hour"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        owner
            .post(&format!("/requests/{id}/confirm"), json!({}))
            .await
            .0,
        200
    );
    assert_eq!(
        it.post(
            &format!("/requests/{id}/decision"),
            json!({"decision": "accept"})
        )
        .await
        .0,
        200
    );
    for want in ["in_delivery", "delivered"] {
        let (s, r) = it.post(&format!("/requests/{id}/advance"), json!({})).await;
        assert_eq!((s, r["status"].as_str()), (200, Some(want)), "{r}");
    }
    id
}

/// The lines of one section of an edition view.
fn lines<'a>(v: &'a Value, section: &str) -> Vec<&'a Value> {
    v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["section"] == section)
        .flat_map(|s| s["lines"].as_array().unwrap())
        .collect()
}

fn texts(v: &Value) -> Vec<String> {
    v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["lines"].as_array().unwrap())
        .map(|l| l["text"].as_str().unwrap().to_string())
        .collect()
}

app_test! {
    async fn an_edition_is_drafted_from_the_month_previewed_and_sent_once_to_each_reader(_app: &TestApp) {
        let (app, sink) = with_sink(_app.db.backend()).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let owner = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let seller = app.api_as(Role::Member, Some("Sales")).await;
        let hr = app.api_as(Role::Member, Some("Human Resources")).await;
        let sales = app.dept("Sales").await;
        let hr_dept = app.dept("Human Resources").await;
        // Sales' leader is the owner; its IT partner is Iris.
        let leader = duet_store::accounts::find_user(&app.db, UserId(owner.user_id)).await.unwrap().person_id;
        let iris = app.person("Iris Partner", "iris@example.com", "IT", "manager").await;
        let input = DepartmentInput::parse("Sales", "business", leader, Some(iris)).unwrap();
        duet_store::org::update_department(&app.db, DepartmentId(sales), &input).await.unwrap();

        let req = deliver(&it, &owner, sales, "Quotes in an hour").await;
        let (s, p) = it.post("/comms/posts", json!({"kind": "changing", "title": "New payroll screens", "body": "From May.", "audience": [hr_dept], "publish": true})).await;
        assert_eq!(s, 201, "{p}");

        // Only editors draft; a month must be a month; one edition per month.
        assert_eq!(seller.post("/comms/editions", json!({"month": this_month()})).await.0, 403);
        let (s, e) = it.post("/comms/editions", json!({"month": "2026-13"})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("month")), "{e}");
        let (s, v) = it.post("/comms/editions", json!({"month": this_month()})).await;
        assert_eq!(s, 201, "{v}");
        let id = v["edition"]["id"].as_i64().unwrap();
        assert_eq!(it.post("/comms/editions", json!({"month": this_month()})).await.0, 409);

        // Drawn from the records, each line linking to its source.
        let delivered = lines(&v, "delivered");
        assert_eq!(delivered.len(), 1, "{v}");
        assert!(delivered[0]["text"].as_str().unwrap().starts_with("Quotes in an hour — for Sales"), "{v}");
        assert_eq!(delivered[0]["url"], format!("/requests/{req}"));
        let help: Vec<&str> = lines(&v, "help").iter().map(|l| l["url"].as_str().unwrap()).collect();
        assert!(help.contains(&"/requests/new") && help.contains(&format!("/departments/{sales}").as_str()), "{help:?}");
        assert_eq!(lines(&v, "posts")[0]["only_for"], "Human Resources");

        // A draft is the editors' only; readers do not learn it exists.
        assert_eq!(seller.get(&format!("/comms/editions/{id}")).await.0, 404);
        assert_eq!(seller.get("/comms/editions").await.1, json!([]));

        // Previews: a Sales member sees Sales' partner, not HR's post, and the delivered work
        // without a link (a member opens only their own requests); an HR member the reverse.
        let (_, as_sales) = it.get(&format!("/comms/editions/{id}?as={sales}")).await;
        let t = texts(&as_sales);
        assert!(t.iter().any(|l| l.contains("Iris Partner")) && !t.iter().any(|l| l.contains("payroll")), "{t:?}");
        assert!(lines(&as_sales, "delivered")[0]["href"].is_null());
        let (_, as_hr) = it.get(&format!("/comms/editions/{id}?as={hr_dept}")).await;
        let t = texts(&as_hr);
        assert!(!t.iter().any(|l| l.contains("Iris Partner")) && t.iter().any(|l| l.contains("payroll")), "{t:?}");
        assert_eq!(it.get(&format!("/comms/editions/{id}?as=sales")).await.0, 422);

        // An editor's save: every problem named, nothing half-written; a stale revision refused.
        let rev = v["edition"]["revision"].as_i64().unwrap();
        let line = delivered[0]["id"].as_i64().unwrap();
        let intake = lines(&v, "help").iter().find(|l| l["url"] == "/requests/new").unwrap()["id"].as_i64().unwrap();
        let (s, e) = it.send(Method::PUT, &format!("/comms/editions/{id}"), json!({"revision": rev, "title": "November news", "lines": [{"id": line, "text": "x"}], "add": [{"section": "help", "text": "Our wiki", "url": "javascript:alert(1)"}]})).await;
        assert_eq!(s, 422, "{e}");
        let fields: Vec<&str> = e["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(fields, [format!("line_{line}").as_str(), "add_url"], "{e}");
        assert_ne!(it.get(&format!("/comms/editions/{id}")).await.1["edition"]["title"], "November news", "nothing written");
        let (s, v) = it.send(Method::PUT, &format!("/comms/editions/{id}"), json!({"revision": rev, "title": "November news", "intro": "A **good** month.", "lines": [{"id": line, "text": "Sales quotes in an hour now", "included": true}, {"id": intake, "text": "The intake", "included": false}], "add": [{"section": "help", "text": "Our IT wiki", "url": "https://wiki.example/it"}]})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["edition"]["intro_html"], "<p>A <strong>good</strong> month.</p>\n");
        assert_eq!(it.send(Method::PUT, &format!("/comms/editions/{id}"), json!({"revision": rev, "title": "Again"})).await.0, 409, "someone saved since");
        let rev = v["edition"]["revision"].as_i64().unwrap();

        // Scheduling: not in the past; then each reader once, in their department's version.
        let (s, e) = it.post(&format!("/comms/editions/{id}/schedule"), json!({"revision": rev, "send_at": "2020-01-01T09:00"})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("send_at")), "{e}");
        let (s, q) = it.post(&format!("/comms/editions/{id}/schedule"), json!({"revision": rev})).await;
        assert_eq!(s, 200, "{q}");
        let users = duet_store::accounts::list_users(&app.db).await.unwrap().len();
        assert_eq!(q["queued"].as_u64(), Some(users as u64));
        // (Inbox notices of the request's steps go to the sink too; the edition's are counted.)
        let edition = |all: Vec<crate::smtp_sink::Mail>| all.into_iter().filter(|m| m.header("Subject").as_deref() == Some("November news")).collect::<Vec<_>>();
        for _ in 0..100 {
            if edition(sink.received()).len() >= users {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mails = edition(sink.received());
        assert_eq!(mails.len(), users, "one e-mail per reader, none twice");
        let to = |who: &str| mails.iter().find(|m| m.to == [who.to_string()]).unwrap().clone();
        let sm = to(&email_of(&app, &seller).await);
        let hm = to(&email_of(&app, &hr).await);
        let om = to(&email_of(&app, &owner).await);
        assert_eq!(sm.header("Subject").as_deref(), Some("November news"));
        assert!(sm.header("List-Unsubscribe").is_some());
        assert!(sm.data.contains("Iris Partner") && !sm.data.contains("payroll") && !sm.data.contains("The intake"), "Sales' version");
        assert!(hm.data.contains("payroll") && !hm.data.contains("Iris Partner"), "HR's version");
        let go = format!("{}/comms/editions/{id}/go/{line}", app.base);
        assert!(!sm.data.contains(&go) && om.data.contains(&go), "only the leader may open the request");
        assert!(sm.data.contains("Sales quotes in an hour now"), "the member still reads the line");
        assert_eq!(it.post(&format!("/comms/editions/{id}/unschedule"), json!({})).await.0, 409, "it went");

        // The counted redirect: no session, only to the line's own link, never for a line left out.
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = client.get(&go).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], format!("/requests/{req}"));
        assert_eq!(client.get(format!("{}/comms/editions/{id}/go/{intake}", app.base)).send().await.unwrap().status(), 404);
        assert_eq!(client.get(format!("{}/comms/editions/{}/go/{line}", app.base, id + 1)).send().await.unwrap().status(), 404);
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let (_, v) = it.get(&format!("/comms/editions/{id}")).await;
        assert_eq!((v["clicks"].as_i64(), v["sent"].as_bool()), (Some(1), Some(true)));
        // Sent, it is every reader's, in their own version.
        let (s, mine) = seller.get(&format!("/comms/editions/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(mine["clicks"], 0, "figures are the editors'");
        assert_eq!(seller.get("/comms/editions").await.1[0]["id"], id);
        let doc = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json::<Value>().await.unwrap();
        assert!(doc["paths"]["/comms/editions/{id}/schedule"].is_object());
    }

    async fn a_scheduled_edition_is_taken_back_before_it_goes_and_stopping_the_newsletter_withdraws_it(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let reader = app.api_as(Role::Member, Some("Sales")).await;
        let (_, v) = it.post("/comms/editions", json!({"month": this_month()})).await;
        let id = v["edition"]["id"].as_i64().unwrap();
        let rev = v["edition"]["revision"].as_i64().unwrap();
        let later = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%dT%H:%M").to_string();
        let (s, q) = it.post(&format!("/comms/editions/{id}/schedule"), json!({"revision": rev, "send_at": later})).await;
        assert_eq!(s, 200, "{q}");
        let queued = |db: duet_store::Db| async move {
            duet_store::mail::outbox(&db, Some("queued"), 1000).await.unwrap().0.iter().filter(|r| r.message_key.starts_with(&format!("edition:{id}:"))).count()
        };
        let users = duet_store::accounts::list_users(&app.db).await.unwrap().len();
        assert_eq!(queued(app.db.clone()).await, users);
        // Not yet out: readers do not see it; it cannot be edited while scheduled.
        assert_eq!(reader.get(&format!("/comms/editions/{id}")).await.0, 404);
        assert_eq!(it.send(Method::PUT, &format!("/comms/editions/{id}"), json!({"revision": rev, "title": "Changed"})).await.0, 409);
        // A reader who stops the newsletter gets nothing of what still waits.
        assert_eq!(reader.send(Method::PUT, "/mail/preferences", json!({"newsletter": false, "notifications": true})).await.0, 200);
        assert_eq!(queued(app.db.clone()).await, users - 1);
        // Taken back: its e-mail is gone from the outbox, and it is a draft again.
        assert_eq!(it.post(&format!("/comms/editions/{id}/unschedule"), json!({})).await.0, 204);
        assert_eq!(queued(app.db.clone()).await, 0);
        let (_, v) = it.get(&format!("/comms/editions/{id}")).await;
        assert_eq!(v["edition"]["status"], "draft");
        assert_eq!(it.post(&format!("/comms/editions/{id}/unschedule"), json!({})).await.0, 409);
        assert_eq!(reader.post(&format!("/comms/editions/{id}/unschedule"), json!({})).await.0, 403);
    }

    async fn the_edition_forms_keep_what_was_typed_and_draft_once(app: &TestApp) {
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let (_, page) = member.get("/comms/editions").await;
        assert!(!page.contains("Draft it from the records"), "a button a role cannot use is not shown");
        // The e-mail page offers each role only the kinds of notice that reach it.
        assert!(!member.get("/account/email").await.1.contains("New requests to understand"));
        assert!(b.get("/account/email").await.1.contains("New requests to understand"));
        let month = this_month();
        let sent = send_form(&b, &app.base, "/comms/editions", "/comms/editions", &[("month", &month)], 2).await;
        assert_eq!((sent[0].status, sent[1].status), (303, 303), "{}", sent[1].body);
        assert_eq!(sent[0].location, sent[1].location, "sent twice, one edition");
        let at = sent[0].location.clone().unwrap();
        let (s, page) = b.get(&at).await;
        assert_eq!(s, 200);
        assert!(page.contains("Schedule it") && page.contains("See it as"), "{page}");
        let (_, form) = b.get(&format!("{at}/edit")).await;
        let rev = form.split("name=\"revision\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let (s, body, _) = b.post_form(&at, &[("revision", &rev), ("title", "November news"), ("intro", "We kept *every* promise."), ("add_section", "help"), ("add_text", "Our IT wiki"), ("add_url", "//evil.example")]).await;
        assert_eq!(s, 422);
        assert!(body.contains("We kept *every* promise.") && body.contains("//evil.example") && body.contains("must be a page in Duet"), "typed text kept");
        let (s, _, to) = b.post_form(&at, &[("revision", &rev), ("title", "November news"), ("intro", "We kept *every* promise."), ("add_section", "help"), ("add_text", "Our IT wiki"), ("add_url", "https://wiki.example/it")]).await;
        assert_eq!((s, to.as_deref()), (303, Some(at.as_str())));
        let (_, page) = b.get(&at).await;
        assert!(page.contains("<em>every</em>") && page.contains("Our IT wiki") && page.contains("your line"));
        let (_, preview) = b.get(&format!("{at}?as=none")).await;
        assert!(!preview.contains("your line"), "a preview reads as a member");
    }
}
