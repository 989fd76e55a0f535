//! Error pages (issue 9, item 10): every error a browser can meet is a styled page inside the
//! signed-in layout, with a way back; the API keeps its JSON error shape, also for axum's own
//! refusals.

use crate::app_test;
use crate::common::{Browser, TestApp};
use duet_core::auth::Role;

/// Asserts `body` is Duet's error page for `status` inside the signed-in layout.
fn assert_signed_in_error_page(body: &str, status: u16, what: &str) {
    assert!(
        body.contains(&format!("data-error-status=\"{status}\"")),
        "{what}: the styled error page for {status}: {body}"
    );
    assert!(
        body.contains("Sign out") && body.contains("href=\"/requests\""),
        "{what}: the signed-in navigation is shown: {body}"
    );
    assert!(
        body.contains("/static/duet.css"),
        "{what}: the page is styled"
    );
    assert!(
        body.contains("Go to the overview"),
        "{what}: the page offers a way back"
    );
}

app_test! {
    async fn an_unreadable_id_in_the_address_is_a_styled_page_inside_the_signed_in_layout(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, body) = b.get("/requests/abc").await;
        assert_eq!(status, 400);
        assert_signed_in_error_page(&body, 400, "/requests/abc");
        assert!(body.contains("href=\"/requests\""), "leads back to Requests");
        assert!(!body.contains("Cannot parse"), "no developer message: {body}");
    }

    async fn a_forbidden_page_shows_the_signed_in_header_not_the_signed_out_one(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, body) = b.get("/admin/users").await;
        assert_eq!(status, 403);
        assert_signed_in_error_page(&body, 403, "/admin/users");
        assert!(!body.contains(">Sign in<"), "not the signed-out header");
    }

    async fn unknown_pages_and_methods_are_styled_pages_inside_the_layout(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, body) = b.get("/no-such-page").await;
        assert_eq!(status, 404);
        assert_signed_in_error_page(&body, 404, "unknown page");
        let (status, body) = b.get("/requests/999999").await;
        assert_eq!(status, 404);
        assert_signed_in_error_page(&body, 404, "unknown request");
        let csrf = b.csrf().await;
        let r = b
            .client
            .delete(format!("{}/requests", app.base))
            .header("x-csrf-token", csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405);
        assert!(r.headers().contains_key("allow"), "405 keeps its Allow header");
        let body = r.text().await.unwrap();
        assert_signed_in_error_page(&body, 405, "DELETE /requests");
    }

    async fn a_bad_query_or_form_value_is_a_styled_page_not_plain_text(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, body) = b.get("/people?offset=lots").await;
        assert!(status == 400 || status == 200, "{status}");
        if status == 400 {
            assert_signed_in_error_page(&body, 400, "/people?offset=lots");
        }
        // A form without its fields: axum refuses it before any handler runs.
        let (status, body, _) = b.post_form("/requests", &[("title", "only a title")]).await;
        assert!(status == 422 || status == 400, "{status}: {body}");
        assert!(body.contains("<html"), "an HTML page, not plain text: {body}");
        assert!(body.contains("Sign out"), "inside the signed-in layout: {body}");
        // A body that is not a form at all: axum's 415, as a page.
        let csrf = b.csrf().await;
        let r = b
            .client
            .post(format!("{}/requests/1/need", app.base))
            .header("x-csrf-token", csrf)
            .json(&serde_json::json!({ "need_statement": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 415);
        let body = r.text().await.unwrap();
        assert_signed_in_error_page(&body, 415, "JSON to a form");
    }

    async fn a_conflict_or_invalid_value_outside_a_form_is_a_styled_page(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        // A session's CSRF token missing from a form: 403 inside the layout.
        let (status, body) = b.post_plain("/requests", &[("title", "x")]).await;
        assert_eq!(status, 403);
        assert_signed_in_error_page(&body, 403, "form without its token");
    }

    async fn signed_out_visitors_get_the_styled_page_with_a_way_to_sign_in(app: &TestApp) {
        let b = Browser::new(&app.base);
        let (status, body) = b.get("/no-such-page").await;
        assert_eq!(status, 404);
        assert!(body.contains("data-error-status=\"404\""), "{body}");
        assert!(body.contains("href=\"/login\""), "{body}");
    }

    async fn api_errors_keep_the_json_shape_also_for_axums_own_refusals(app: &TestApp) {
        let api = app.api_as(Role::Member, Some("Sales")).await;
        for (method, path, status) in [
            (reqwest::Method::GET, "/requests/abc", 400),
            (reqwest::Method::GET, "/no-such-thing", 404),
            (reqwest::Method::DELETE, "/requests", 405),
        ] {
            let r = api.req(method.clone(), path).send().await.unwrap();
            assert_eq!(r.status().as_u16(), status, "{method} {path}");
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.starts_with("application/json"), "{method} {path}: {ct}");
            let v: serde_json::Value = r.json().await.unwrap();
            assert!(v["error"]["code"].is_string(), "{method} {path}: {v}");
            assert!(v["error"]["message"].is_string(), "{method} {path}: {v}");
        }
    }

    async fn a_database_failure_is_a_styled_500_page_that_keeps_its_cause_to_itself(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        match &app.db {
            duet_store::Db::Sqlite(p) => p.close().await,
            duet_store::Db::Postgres(p) => p.close().await,
        }
        let (status, body) = b.get("/departments").await;
        assert_eq!(status, 500);
        assert!(body.contains("data-error-status=\"500\""), "{body}");
        assert!(body.contains("/static/duet.css"), "{body}");
        assert!(body.contains("something went wrong on our side"), "{body}");
        assert!(!body.to_lowercase().contains("pool"), "the cause is not shown: {body}");
    }
}
