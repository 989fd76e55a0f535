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
