//! Findings of the QA walkthrough of issue 9, over HTTP on both backends: portfolio titles link
//! only where the viewer may open the request, inbox paths are links, a refused promise lands on
//! its form, a metric's history tells "no corrections" from "no values", and the shared CSS keeps
//! words, dates and form actions readable.

use crate::app_test;
use crate::common::{Api, Browser, PASSWORD, TestApp};
use duet_core::auth::Role;
use duet_core::org::UserId;
use serde_json::json;

/// An account with `role` used both as an API script and as a signed-in browser.
async fn both(app: &TestApp, role: Role, dept: Option<&str>) -> (Api, Browser) {
    let api = app.api_as(role, dept).await;
    let user = duet_store::accounts::find_user(&app.db, UserId(api.user_id))
        .await
        .unwrap();
    let b = Browser::new(&app.base);
    assert_eq!(b.login(&user.email, PASSWORD).await.status(), 303);
    (api, b)
}

/// Runs one statement with binds of text or integers on either backend.
async fn exec(app: &TestApp, sql: &'static str, user: i64, message: &str) {
    let now = chrono::Utc::now();
    match &app.db {
        duet_store::Db::Sqlite(p) => {
            sqlx::query(sql)
                .bind(user)
                .bind(message)
                .bind(now)
                .execute(p)
                .await
                .unwrap();
        }
        duet_store::Db::Postgres(p) => {
            sqlx::query(sql)
                .bind(user)
                .bind(message)
                .bind(now)
                .execute(p)
                .await
                .unwrap();
        }
    }
}

async fn submit(api: &Api, dept: i64, title: &str) -> i64 {
    let (status, r) = api
        .post("/requests", json!({"title": title, "problem": "The quoting spreadsheet breaks every month", "affected": "Everyone quoting", "desired_outcome": "Quotes that add up", "department_id": dept, "urgency": "high"}))
        .await;
    assert_eq!(status, 201, "{r}");
    r["id"].as_i64().unwrap()
}

app_test! {
    async fn portfolio_titles_link_to_the_request_only_for_viewers_who_may_open_it(app: &TestApp) {
        let (sales, marketing) = (app.dept("Sales").await, app.dept("Marketing").await);
        let exec_api = app.api_as(Role::Executive, Some("Finance")).await;
        let (mkt_requester, mkt_requester_b) = both(app, Role::Member, Some("Marketing")).await;
        let sales_requester = app.api_as(Role::Member, Some("Sales")).await;
        let m = submit(&mkt_requester, marketing, "Marketing asset library").await;
        let s = submit(&sales_requester, sales, "Sales quoting engine").await;
        for id in [m, s] {
            let (status, r) = exec_api.post(&format!("/requests/{id}/champion"), json!({})).await;
            assert_eq!(status, 200, "{r}");
        }
        let viewers = [
            ("the Marketing requester", Some(mkt_requester_b), (true, false)),
            ("another Sales member", None, (false, false)),
        ];
        let mut browsers: Vec<(String, Browser, (bool, bool))> = Vec::new();
        for (name, b, expect) in viewers {
            let b = match b { Some(b) => b, None => app.browser_as(Role::Member, Some("Sales")).await };
            browsers.push((name.to_string(), b, expect));
        }
        for (name, role, dept, expect) in [
            ("Sales' business leader", Role::BusinessLeader, Some("Sales"), (false, true)),
            ("Marketing's business leader", Role::BusinessLeader, Some("Marketing"), (true, false)),
            ("an executive", Role::Executive, Some("Finance"), (true, true)),
            ("an IT leader", Role::ItLeader, Some("IT"), (true, true)),
            ("an admin", Role::Admin, None, (true, true)),
        ] {
            browsers.push((name.to_string(), app.browser_as(role, dept).await, expect));
        }
        for (name, b, (see_m, see_s)) in &browsers {
            let (status, page) = b.get("/portfolio").await;
            assert_eq!(status, 200, "{name}");
            for (id, title, linked) in [(m, "Marketing asset library", *see_m), (s, "Sales quoting engine", *see_s)] {
                assert!(page.contains(title), "{name} sees {title} ranked: {page}");
                assert_eq!(page.contains(&format!("href=\"/requests/{id}\"")), linked, "{name}: link to {title}");
                let (status, _) = b.get(&format!("/requests/{id}")).await;
                assert_eq!(status == 200, linked, "{name}: a link is shown exactly when the request opens");
            }
        }
    }

    async fn a_trailing_path_in_a_notification_is_a_link_on_the_page_and_plain_text_in_the_api(app: &TestApp) {
        let (api, b) = both(app, Role::Member, Some("Sales")).await;
        let sql = "insert into notifications (user_id, request_id, message, created_at) values ($1, null, $2, $3)";
        exec(app, sql, api.user_id, "Reminder: your promise to IT (“<b>VPN</b>”) was due on 2026-11-20: mark it kept, or agree a new date with IT: /promises/145").await;
        exec(app, sql, api.user_id, "Not ours: //evil.example/steal").await;
        exec(app, sql, api.user_id, "A path with a quote /promises/1\"onmouseover=x").await;
        let (status, page) = b.get("/notifications").await;
        assert_eq!(status, 200);
        assert!(page.contains("agree a new date with IT: <a href=\"/promises/145\">/promises/145</a>"), "{page}");
        assert!(!page.contains("<b>VPN</b>") && page.contains("VPN"), "user text is escaped: {page}");
        assert!(!page.contains("href=\"//evil.example"), "only same-site paths become links");
        assert!(page.matches("<a href=\"/promises/").count() == 1, "a path with other characters is not a link");
        let (status, list) = api.get("/notifications").await;
        assert_eq!(status, 200);
        let messages: Vec<&str> = list["items"].as_array().unwrap().iter().map(|n| n["message"].as_str().unwrap()).collect();
        assert!(messages.iter().any(|m| m.ends_with("with IT: /promises/145")), "the API keeps the text: {list}");
        assert!(messages.iter().all(|m| !m.contains("<a")), "{list}");
    }

    async fn a_refused_promise_lands_on_its_form_with_the_errors_at_the_top(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, page) = b.get("/promises").await;
        assert_eq!(status, 200);
        assert!(page.contains("action=\"/promises#record-promise\" id=\"record-promise\""), "{page}");
        let (status, page, _) = b
            .post_form("/promises", &[("promisee_department_id", &it), ("level", "manager"), ("text", "Send the monthly figures"), ("due_on", "")])
            .await;
        assert_eq!(status, 422, "{page}");
        let form = page.find("id=\"record-promise\"").expect("the form has its id");
        let alert = page[form..].find("role=\"alert\"").map(|i| i + form).expect("an error summary in the form");
        let first_field = page[form..].find("<label").map(|i| i + form).unwrap();
        assert!(alert < first_field, "the summary opens the form, before its fields");
        assert!(page.contains("Send the monthly figures"), "what was typed is kept");
    }

    async fn a_metric_with_values_but_no_changes_says_no_corrections_yet(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, m) = it.post("/metrics", json!({"name": "Ticket backlog", "unit": "tickets", "direction": "lower_better"})).await;
        assert_eq!(status, 201, "{m}");
        let id = m["id"].as_i64().unwrap();
        let (_, page) = b.get(&format!("/measures/{id}")).await;
        assert!(page.contains("No value has been typed or replaced yet."), "no values at all");
        let csv = "metric,period,department,value\nTicket backlog,2026-01,Sales,40\nTicket backlog,2026-02,Sales,35\n";
        let r = it.req(reqwest::Method::POST, "/metrics/import").body(csv).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let (_, page) = b.get(&format!("/measures/{id}")).await;
        assert!(page.contains("No corrections yet: every month holds the value first recorded."), "{page}");
        assert!(!page.contains("No value has been typed or replaced yet."), "values are shown above");
    }

    async fn the_stylesheet_keeps_words_dates_and_form_actions_whole(app: &TestApp) {
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (status, css) = b.get("/static/duet.css").await;
        assert_eq!(status, 200);
        assert!(!css.contains("overflow-wrap: anywhere") && !css.contains("word-break: break-all;\n"), "no breaking words anywhere in tables");
        assert!(css.contains(".date, .badge, .nowrap, time { white-space: nowrap; }"), "dates and badges never wrap");
        assert!(css.contains("> select { display: block; }"), "a submit button never sits beside the last field");
        let (_, page) = b.get("/promises").await;
        assert!(page.contains("tabindex=\"0\" role=\"region\" aria-label=\"Promises\""), "a table that may scroll is reachable with the keyboard");
    }
}
