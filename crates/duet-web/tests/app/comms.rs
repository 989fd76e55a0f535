//! Tell over HTTP on both backends: who reads which post, safe Markdown, a success story published
//! only with its business owner's approval, reactions, comments, an anonymous reply that lands in
//! the Voice inbox, the public Atom feed, and the forms (refused input kept, sent twice = once).

use crate::app_test;
use crate::common::{Api, Browser, TestApp};
use crate::once::send_form;
use duet_core::auth::Role;
use duet_core::org::{DepartmentId, DepartmentInput};
use serde_json::{Value, json};

/// Makes the account behind `api` the leader of `dept` (it is linked to a person there).
async fn lead(app: &TestApp, api: &Api, dept: &str) {
    let user = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(api.user_id))
        .await
        .unwrap();
    let person = user.person_id.unwrap();
    let d = app.dept(dept).await;
    let input = DepartmentInput::parse(dept, "business", Some(person), None).unwrap();
    duet_store::org::update_department(&app.db, DepartmentId(d), &input)
        .await
        .unwrap();
}

/// A request of `api`'s department, delivered.
async fn delivered(app: &TestApp, api: &Api, dept: &str) -> i64 {
    let d = app.dept(dept).await;
    let (s, r) = api.post("/requests", json!({"title": "Quotes in an hour", "problem": "Quotes take two days to build.", "affected": "Sales", "desired_outcome": "Quotes in an hour", "department_id": d, "urgency": "normal"})).await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    let sql = "update requests set status = 'delivered' where id = $1";
    match &app.db {
        duet_store::Db::Sqlite(p) => {
            sqlx::query(sql).bind(id).execute(p).await.unwrap();
        }
        duet_store::Db::Postgres(p) => {
            sqlx::query(sql).bind(id).execute(p).await.unwrap();
        }
    }
    duet_store::testing::note_write();
    id
}

fn titles(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_string())
        .collect()
}

app_test! {
    async fn posts_reach_their_audience_and_a_story_waits_for_its_owner(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let seller = app.api_as(Role::Member, Some("Sales")).await;
        let hr = app.api_as(Role::Member, Some("Human Resources")).await;
        let owner = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        lead(app, &owner, "Sales").await;

        // Members do not write posts; bad input is refused field by field, nothing written.
        let (s, _) = seller.post("/comms/posts", json!({"kind": "help", "title": "Where to get help", "body": "Here.", "publish": true})).await;
        assert_eq!(s, 403);
        let (s, e) = it.post("/comms/posts", json!({"kind": "help", "title": "Hi", "body": "x".repeat(50_001), "publish": true})).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], "title");
        assert_eq!(it.get("/comms/posts").await.1["total"], 0);

        // Published for everyone, with Markdown made safe.
        let (s, help) = it.post("/comms/posts", json!({"kind": "help", "title": "Where to get help", "body": "Call **the desk**. <script>alert(1)</script> [x](javascript:alert(1))", "publish": true})).await;
        assert_eq!(s, 201, "{help}");
        let html = help["body_html"].as_str().unwrap();
        assert!(html.contains("<strong>the desk</strong>") && !html.contains("<script") && !html.contains("javascript:"), "{html}");
        // Meant for HR only: Sales does not even learn it exists.
        let hr_id = app.dept("Human Resources").await;
        let (s, hr_post) = it.post("/comms/posts", json!({"kind": "changing", "title": "New payroll screens", "body": "From May.", "audience": [hr_id], "publish": true})).await;
        assert_eq!(s, 201);
        let hr_post = hr_post["id"].as_i64().unwrap();
        assert_eq!(titles(&seller.get("/comms/posts").await.1), ["Where to get help"]);
        assert_eq!(titles(&hr.get("/comms/posts").await.1), ["New payroll screens", "Where to get help"]);
        assert_eq!(seller.get(&format!("/comms/posts/{hr_post}")).await.0, 404);
        assert_eq!(hr.get(&format!("/comms/posts/{hr_post}")).await.0, 200);

        // A success story by IT waits for Sales' leader, the business owner.
        let req = delivered(app, &owner, "Sales").await;
        let (s, story) = it.post("/comms/posts", json!({"kind": "success_story", "title": "Quotes in an hour", "body": "Sales now quotes in an hour.", "request_id": req, "publish": true})).await;
        assert_eq!(s, 201, "{story}");
        assert_eq!(story["status"], "awaiting_approval");
        let sid = story["id"].as_i64().unwrap();
        assert_eq!(seller.get(&format!("/comms/posts/{sid}")).await.0, 404, "not shown before approval");
        let (_, mine) = owner.get("/comms/posts/mine").await;
        assert_eq!(mine[0]["id"], sid, "waiting for its owner: {mine}");
        let (_, v) = owner.get(&format!("/comms/posts/{sid}")).await;
        assert_eq!(v["may"]["approve"], true);
        assert_eq!(it.get(&format!("/comms/posts/{sid}")).await.1["may"]["approve"], false);
        assert_eq!(it.post(&format!("/comms/posts/{sid}/approve"), json!({"revision": 1})).await.0, 403, "the author does not approve their own story of others' work");
        assert_eq!(owner.post(&format!("/comms/posts/{sid}/approve"), json!({"revision": 2})).await.0, 409, "only the revision read");
        let (s, p) = owner.post(&format!("/comms/posts/{sid}/approve"), json!({"revision": 1})).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!((p["status"].as_str(), p["approved_by_department"].as_str()), (Some("published"), Some("Sales")));
        // An edit by its author takes it down until the owner approves again.
        let (s, p) = it.send(reqwest::Method::PUT, &format!("/comms/posts/{sid}"), json!({"kind": "success_story", "title": "Quotes in under an hour", "body": "Sales now quotes in under an hour.", "request_id": req, "publish": true})).await;
        assert_eq!((s, p["status"].as_str(), p["revision"].as_i64()), (200, Some("awaiting_approval"), Some(2)));
        assert_eq!(seller.get(&format!("/comms/posts/{sid}")).await.0, 404);
        assert_eq!(owner.post(&format!("/comms/posts/{sid}/approve"), json!({"revision": 2})).await.0, 200);

        // Reactions and comments on a published post; a comment is removed by its author only.
        assert_eq!(seller.post(&format!("/comms/posts/{sid}/reactions"), json!({"kind": "celebrate", "on": true})).await.0, 204);
        assert_eq!(seller.post(&format!("/comms/posts/{sid}/reactions"), json!({"kind": "cheer", "on": true})).await.0, 422);
        let (s, c) = seller.post(&format!("/comms/posts/{sid}/comments"), json!({"text": "Great work, thank you!"})).await;
        assert_eq!(s, 201, "{c}");
        let cid = c["id"].as_i64().unwrap();
        let (_, v) = seller.get(&format!("/comms/posts/{sid}")).await;
        assert_eq!(v["reactions"][0]["kind"], "celebrate");
        assert_eq!(v["reactions"][0]["mine"], true);
        assert_eq!(v["comments"][0]["text"], "Great work, thank you!");
        assert_eq!(hr.req(reqwest::Method::DELETE, &format!("/comms/posts/{sid}/comments/{cid}")).send().await.unwrap().status(), 403);
        assert_eq!(seller.req(reqwest::Method::DELETE, &format!("/comms/posts/{sid}/comments/{cid}")).send().await.unwrap().status(), 204);

        // An anonymous reply lands in the Voice inbox of the author's department, under Voice's rules.
        let (s, r) = seller.post(&format!("/comms/posts/{sid}/anonymous"), json!({"text": "Quotes for bundles are still slow."})).await;
        assert_eq!(s, 201, "{r}");
        assert_eq!(r["receipt"].as_str().unwrap().len(), 24);
        let inbox = duet_store::voice::list(&app.db, Some(&[app.dept("IT").await]), None).await.unwrap();
        assert_eq!(inbox.len(), 1);
        assert!(inbox[0].text.contains("Quotes in under an hour") && inbox[0].text.contains("bundles are still slow"), "{}", inbox[0].text);
        assert!(!app.metrics().await.contains("anonymous"), "the route leaves no trace in metrics");

        // The public feed: published posts for everyone, no sign-in.
        let r = reqwest::get(format!("{}/comms/feed.atom", app.base)).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/atom+xml; charset=utf-8");
        let feed = r.text().await.unwrap();
        assert!(feed.starts_with("<?xml") && feed.contains("<title>Where to get help</title>") && feed.contains("Quotes in under an hour"), "{feed}");
        assert!(!feed.contains("New payroll screens"), "HR's post is not public");
        assert!(!feed.contains("<script"), "{feed}");

        // Moderation: an admin hides with a reason; the post leaves the archive.
        let admin = app.api_as(Role::Admin, None).await;
        let help_id = help["id"].as_i64().unwrap();
        assert_eq!(it.post(&format!("/comms/posts/{help_id}/hide"), json!({"text": "no"})).await.0, 403);
        let (s, p) = admin.post(&format!("/comms/posts/{help_id}/hide"), json!({"text": "Out of date phone number"})).await;
        assert_eq!((s, p["status"].as_str()), (200, Some("hidden")));
        assert_eq!(titles(&seller.get("/comms/posts").await.1), ["Quotes in under an hour"]);
        let (_, doc) = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json::<Value>().await.map(|v| (0, v)).unwrap();
        assert!(doc["paths"]["/comms/posts/{id}/approve"].is_object());
    }

    async fn the_post_form_keeps_what_was_typed_and_sends_once(app: &TestApp) {
        let b: Browser = app.browser_as(Role::BusinessLeader, Some("Sales")).await;
        let (s, page) = b.get("/comms").await;
        assert_eq!(s, 200);
        assert!(page.contains("Write a post"));
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let (_, page) = member.get("/comms").await;
        assert!(!page.contains("Write a post"), "a button a role cannot use is not shown");
        assert_eq!(member.get("/comms/new").await.0, 403);

        let refused = send_form(&b, &app.base, "/comms/new", "/comms/posts", &[("kind", "coming_up"), ("title", "x"), ("body", "A new *expense* tool arrives in June."), ("action", "publish")], 1).await;
        assert_eq!(refused[0].status, 422);
        assert!(refused[0].body.contains("A new *expense* tool arrives in June.") && refused[0].body.contains("needs at least 3 characters"), "typed text kept");
        let sent = send_form(&b, &app.base, "/comms/new", "/comms/posts", &[("kind", "coming_up"), ("title", "New expense tool"), ("body", "A new *expense* tool arrives in June."), ("action", "publish")], 2).await;
        assert_eq!((sent[0].status, sent[1].status), (303, 303), "{}", sent[1].body);
        assert_eq!(sent[0].location, sent[1].location, "sent twice, one post");
        let at = sent[0].location.clone().unwrap();
        let (s, page) = member.get(&at).await;
        assert_eq!(s, 200);
        assert!(page.contains("<em>expense</em>") && page.contains("Reply anonymously"));
        assert!(!page.contains(">Edit</a>"), "only its author edits");
        let (_, page) = b.get(&at).await;
        assert!(page.contains(">Edit</a>"));
        let (_, list) = member.get("/comms?kind=coming_up").await;
        assert!(list.contains("New expense tool"));
        assert_eq!(duet_store::comms::page_published(&app.db, duet_store::comms::Readers::All, None, chrono::Utc::now(), Default::default()).await.unwrap().total, 1);
    }
}
