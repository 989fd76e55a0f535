//! Findings of the security probe (issue 17), each over HTTP on both backends: signed-in pages
//! and API answers are never kept by a browser or proxy, HTTPS deployments send HSTS, and
//! sign-in follows only a path of this site.

use crate::app_test;
use crate::common::{PASSWORD, TestApp};
use duet_core::auth::Role;

app_test! {
    async fn personal_pages_and_answers_are_not_kept_and_static_files_are(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let api = app.api_as(Role::Member, Some("Sales")).await;
        let r = api.req(reqwest::Method::GET, "/home").send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store", "an API answer");
        let r = b.client.get(format!("{}/requests", app.base)).send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store", "a signed-in page");
        let r = client.get(format!("{}/static/duet.css", app.base)).send().await.unwrap();
        assert!(r.headers()["cache-control"].to_str().unwrap().starts_with("public"), "static files stay cacheable");
        assert!(r.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }

    async fn sign_in_follows_only_a_path_of_this_site(app: &TestApp) {
        let email = app.account(Role::Member, Some("Sales")).await;
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        for (next, to) in [("/requests?mine=1", "/requests?mine=1"), ("/\t/evil.example", "/"), ("//evil.example", "/"), ("/x\r\nSet-Cookie: a=b", "/"), ("/\\evil.example", "/")] {
            let r = client
                .post(format!("{}/login", app.base))
                .form(&[("email", email.as_str()), ("password", PASSWORD), ("next", next)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 303, "{next:?}");
            assert_eq!(r.headers()["location"], to, "{next:?}");
        }
        let page = client.get(format!("{}/login?next=/%09/evil.example", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("evil.example"), "the form never echoes an unchecked next");
    }
}

app_test! {
    async fn the_api_refuses_in_json_in_peoples_words_and_documents_every_refusal(app: &TestApp) {
        let api = app.api_as(Role::Admin, None).await;
        let r = api.req(reqwest::Method::GET, "/people/abc").send().await.unwrap();
        assert_eq!(r.status(), 400);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request");
        assert_eq!(body["error"]["message"], "`abc` in the address should be a whole number.");
        let r = api.req(reqwest::Method::PUT, "/me").send().await.unwrap();
        assert_eq!(r.status(), 405);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "method_not_allowed");
        let r = api.req(reqwest::Method::POST, "/tokens").header("content-type", "text/plain").body("x").send().await.unwrap();
        assert_eq!(r.status(), 415);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "unsupported_media_type");

        let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let public = op["security"].as_array().is_some_and(|s| s.iter().any(|r| r == &serde_json::json!({})));
                if !public {
                    assert!(responses.contains_key("401"), "{method} {path} documents 401");
                }
                if path.contains('{') {
                    assert!(responses.contains_key("404") && responses.contains_key("400"), "{method} {path} documents 400 and 404");
                }
                if op.get("requestBody").is_some() {
                    for status in ["413", "415", "422"] {
                        assert!(responses.contains_key(status), "{method} {path} documents {status}");
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 150, "{checked} operations");
        assert!(doc["paths"]["/voice"]["post"]["responses"].get("429").is_some(), "the throttled post documents 429");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["MetricState"]["properties"]["status"]["$ref"], "#/components/schemas/TargetStatus");
        assert!(schemas["TargetStatus"]["enum"].as_array().unwrap().contains(&serde_json::json!("on_target")));
        assert_eq!(schemas["PainPoint"]["properties"]["id"]["type"], "string", "random ids are strings");
    }

    async fn a_department_name_that_only_looks_like_another_is_refused_and_text_is_stored_in_nfc(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let (s, b) = admin.post("/departments", serde_json::json!({"name": "S\u{430}les", "kind": "business"})).await;
        assert_eq!(s, 409, "{b}");
        assert_eq!(b["error"]["field"], "name");
        assert!(b["error"]["message"].as_str().unwrap().contains("looks the same as the department “Sales”"), "{b}");
        let (s, b) = admin.post("/departments", serde_json::json!({"name": "Cafe\u{301} Ops", "kind": "business"})).await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(b["name"], "Caf\u{e9} Ops", "stored in NFC");
        let id = b["id"].as_i64().unwrap();
        let (s, b) = admin.send(reqwest::Method::PUT, &format!("/departments/{id}"), serde_json::json!({"name": "\u{405}ales", "kind": "business"})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (409, Some("name")), "a rename is checked too: {b}");
    }

    async fn anonymous_posts_are_throttled_without_recording_who_posted_and_the_inbox_pages(app: &TestApp) {
        let hr = app.dept("Sales").await;
        let c = reqwest::Client::new();
        let mut refused_at = None;
        for n in 1..=60 {
            let r = c.post(format!("{}/api/v1/voice", app.base)).json(&serde_json::json!({"department_id": hr, "text": format!("Flood number {n}: the badge readers fail every morning.")})).send().await.unwrap();
            if r.status() == 429 {
                assert!(r.headers().contains_key("retry-after"));
                refused_at = Some(n);
                break;
            }
            assert_eq!(r.status(), 201);
        }
        let n = refused_at.expect("a flood of anonymous posts is refused");
        assert!((31..=35).contains(&n), "a burst of 30 passes, then the bucket refills at 1 a second (refused at #{n})");
        // The inbox pages through them, 50 at most a page by default.
        let admin = app.api_as(Role::Admin, None).await;
        let (status, page) = admin.get(&format!("/voice/inbox?department_id={hr}&limit=10")).await;
        assert_eq!(status, 200);
        assert_eq!(page["items"].as_array().unwrap().len(), 10);
        assert!(page["total"].as_i64().unwrap() >= 30, "{page}");
    }

    async fn the_most_common_passwords_are_refused_by_name(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let (s, b) = admin.post("/users", serde_json::json!({"email": "new.person@example.com", "name": "New Person", "role": "member", "password": "Password123"})).await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["error"]["field"], "password", "{b}");
        let (s, b) = admin.post("/users", serde_json::json!({"email": "new.person@example.com", "name": "New Person", "role": "member", "password": "a long and personal phrase"})).await;
        assert_eq!(s, 201, "{b}");
    }
}

#[tokio::test]
async fn an_https_deployment_sends_hsts() {
    let app = TestApp::spawn_with(duet_store::Backend::Sqlite, |c| {
        c.public_url = "https://duet.example".into();
    })
    .await;
    let r = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(
        r.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    app.stop().await;
}
