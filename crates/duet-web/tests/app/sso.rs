//! Single sign-on end to end against a real OpenID provider started here (`oidc-provider-mock`,
//! installed by `scripts/test`): the code flow with PKCE and nonce, accounts made at first
//! sign-in, roles and departments mapped at every sign-in, the required group, replay and
//! cross-browser refusals, the local admin, the admin's test sign-in and the API. On both
//! backends; the test fails, never skips, when the provider cannot be started.

use crate::common::{
    Browser, OidcProvider as Provider, PASSWORD, TestApp, sso_settings as settings,
};
use duet_core::auth::Role;
use duet_store::Backend;
use serde_json::json;

/// One whole sign-in in browser `b`: start at Duet, sign in at the provider, come back.
async fn sign_in(
    app: &TestApp,
    idp: &Provider,
    b: &Browser,
    sub: &str,
    next: &str,
) -> (u16, String, String, String) {
    let r = b
        .client
        .get(format!("{}/login/sso?next={next}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to_provider = r.headers()["location"].to_str().unwrap().to_string();
    let back = idp.authorize(&to_provider, sub).await;
    assert!(
        back.starts_with(&format!("{}/login/sso/callback?", app.base)),
        "{back}"
    );
    let r = b.client.get(&back).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap(), back)
}

async fn audit_summaries(app: &TestApp) -> String {
    let admin = app.api_as(Role::Admin, None).await;
    let (_, log) = admin.get("/audit?limit=200").await;
    log.to_string()
}

#[tokio::test]
async fn people_sign_in_with_the_provider_get_their_role_and_department_and_nothing_else_gets_in() {
    let idp = Provider::start().await;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn_with(backend, |c| c.sso = Some(settings(&idp.base))).await;
        // The sign-in page offers the provider.
        let (_, page) = Browser::new(&app.base).get("/login?next=/promises").await;
        assert!(
            page.contains("Sign in with Harbor ID") && page.contains("/login/sso?next=%2Fpromises"),
            "{page}"
        );

        // First sign-in: the account is made, as an IT leader in Finance, and signed in.
        let sub = format!("ann-{backend:?}");
        idp.person(&sub, json!({"email": "Ann.Lee@Example.com", "name": "Ann Lee", "groups": ["duet-users", "it-leads"], "department": "finance"})).await;
        let b = Browser::new(&app.base);
        let (status, location, _, back) = sign_in(&app, &idp, &b, &sub, "/promises").await;
        assert_eq!((status, location.as_str()), (303, "/promises"));
        let (status, home) = b.get("/").await;
        assert_eq!(status, 200);
        assert!(home.contains("Ann Lee"), "signed in as the new account");
        let (user, _) = duet_store::accounts::find_login(&app.db, "ann.lee@example.com")
            .await
            .unwrap()
            .expect("account made at first sign-in");
        assert_eq!(user.role, Role::ItLeader);
        let finance = app.dept("Finance").await;
        assert_eq!(
            user.department_id,
            Some(finance),
            "a person in the claimed department"
        );
        assert!(
            audit_summaries(&app)
                .await
                .contains("at its first single sign-on")
        );

        // The same answer again (a replay, or a second tab) is refused: each sign-in is used once.
        let r = b.client.get(&back).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Start again from the sign-in page")
        );

        // No password works for an account made by single sign-on.
        assert_eq!(
            Browser::new(&app.base)
                .login("ann.lee@example.com", PASSWORD)
                .await
                .status(),
            401
        );

        // At the next sign-in the provider's groups and department win: executive, in Sales.
        idp.person(&sub, json!({"email": "ann.lee@example.com", "name": "Ann Lee", "groups": ["duet-users", "execs"], "department": "Sales"})).await;
        let (status, _, _, _) = sign_in(&app, &idp, &Browser::new(&app.base), &sub, "/").await;
        assert_eq!(status, 303);
        let (user, _) = duet_store::accounts::find_login(&app.db, "ann.lee@example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (user.role, user.department_id),
            (Role::Executive, Some(app.dept("Sales").await))
        );
        let log = audit_summaries(&app).await;
        assert!(
            log.contains("changed from it_leader to executive by single sign-on")
                && log.contains("to Sales by single sign-on"),
            "{log}"
        );
        // The session made before the change sees the new role at once.
        let (_, me) = b.get("/account").await;
        assert!(me.contains("Executive"), "{me}");

        // Outside the required group: refused, and no account is made.
        idp.person(
            "outsider",
            json!({"email": "out@example.com", "groups": ["contractors"]}),
        )
        .await;
        let (status, _, body, _) =
            sign_in(&app, &idp, &Browser::new(&app.base), "outsider", "/").await;
        assert_eq!(status, 403);
        assert!(
            body.contains("not a member of the group “duet-users”"),
            "{body}"
        );
        assert!(
            duet_store::accounts::find_login(&app.db, "out@example.com")
                .await
                .unwrap()
                .is_none()
        );

        // A sign-in finished in another browser (no state cookie) is refused: no login CSRF.
        let starter = Browser::new(&app.base);
        let r = starter
            .client
            .get(format!("{}/login/sso", app.base))
            .send()
            .await
            .unwrap();
        let back = idp
            .authorize(r.headers()["location"].to_str().unwrap(), &sub)
            .await;
        let victim = Browser::new(&app.base);
        let r = victim.client.get(&back).send().await.unwrap();
        assert_eq!(
            r.status(),
            400,
            "the state must come back to the browser that started it"
        );
        let (status, _) = victim.get("/").await;
        assert_eq!(status, 303, "not signed in");

        // The local admin with a password is never demoted by the provider, and always gets in.
        let admin_email = app.account(Role::Admin, None).await;
        idp.person(
            "root",
            json!({"email": admin_email, "groups": ["duet-users"]}),
        )
        .await;
        let (status, _, _, _) = sign_in(&app, &idp, &Browser::new(&app.base), "root", "/").await;
        assert_eq!(status, 303);
        let (user, _) = duet_store::accounts::find_login(&app.db, &admin_email)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.role, Role::Admin, "linked by e-mail, still admin");
        assert_eq!(
            Browser::new(&app.base)
                .login(&admin_email, PASSWORD)
                .await
                .status(),
            303,
            "the password still works"
        );

        // A disabled account stays out.
        let admin = app.api_as(Role::Admin, None).await;
        let (status, _) = admin
            .send(
                reqwest::Method::PATCH,
                &format!("/users/{}", user.id),
                json!({"disabled": true}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _, body, _) = sign_in(&app, &idp, &Browser::new(&app.base), "root", "/").await;
        assert_eq!(status, 403);
        assert!(body.contains("disabled"), "{body}");
        app.stop().await;
    }
}

#[tokio::test]
async fn an_admin_tests_a_sign_in_and_previews_the_mapping_without_changing_anything() {
    let idp = Provider::start().await;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn_with(backend, |c| c.sso = Some(settings(&idp.base))).await;
        idp.person("tester", json!({"email": "tess@example.com", "name": "Tess", "groups": ["duet-users", "dept-heads"], "department": "Marketing"})).await;
        let admin = app.browser_as(Role::Admin, None).await;
        let (status, page) = admin.get("/admin/sso").await;
        assert_eq!(status, 200);
        assert!(
            page.contains("reachable")
                && page.contains(&format!("{}/login/sso/callback", app.base))
                && !page.contains("duet-client-secret"),
            "{page}"
        );
        let r = admin
            .client
            .get(format!("{}/admin/sso/test", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let back = idp
            .authorize(r.headers()["location"].to_str().unwrap(), "tester")
            .await;
        let r = admin.client.get(&back).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        for shown in [
            "tess@example.com",
            "Business leader",
            "dept-heads",
            "Marketing",
            "a new account would be created",
            "Nothing changed in Duet",
        ] {
            assert!(page.contains(shown), "the test page shows {shown}: {page}");
        }
        assert!(
            duet_store::accounts::find_login(&app.db, "tess@example.com")
                .await
                .unwrap()
                .is_none(),
            "a test makes no account"
        );
        let (status, page) = admin.get("/account").await;
        assert!(
            status == 200 && !page.contains("Tess"),
            "the admin is still signed in as themselves"
        );

        // The preview box keeps what was typed, and says what is wrong with it.
        let (status, page, _) = admin
            .post_form("/admin/sso/preview", &[("claims", "{not json")])
            .await;
        assert_eq!(status, 422);
        assert!(
            page.contains("this is not JSON") && page.contains("{not json"),
            "{page}"
        );
        let (status, page, _) = admin.post_form("/admin/sso/preview", &[("claims", r#"{"sub":"x","email":"x@example.com","groups":["duet-users","duet-admins"],"department":"Nowhere"}"#)]).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Admin") && page.contains("“Nowhere” is not a department in Duet"),
            "{page}"
        );
        assert!(page.contains("a new account would be created"), "{page}");

        // The API: the settings (never the secret) and the preview, for admins only.
        let api = app.api_as(Role::Admin, None).await;
        let (status, s) = api.get("/sso").await;
        assert_eq!(
            (
                status,
                s["enabled"].as_bool(),
                s["provider_ok"].as_bool(),
                s["has_client_secret"].as_bool()
            ),
            (200, Some(true), Some(true), Some(true)),
            "{s}"
        );
        assert!(!s.to_string().contains("duet-client-secret"));
        assert_eq!(
            s["roles"][0],
            json!({"group": "duet-admins", "role": "admin"})
        );
        let (status, p) = api
            .post(
                "/sso/preview",
                json!({"claims": {"sub": "y", "email": "y@example.com", "groups": ["execs"]}}),
            )
            .await;
        assert_eq!(status, 200, "{p}");
        assert_eq!(
            (
                p["mapping"]["role"].as_str(),
                p["mapping"]["refused"].as_str().is_some()
            ),
            (Some("executive"), true),
            "outside duet-users: {p}"
        );
        assert!(
            p["account"].is_null(),
            "no account has this e-mail yet: {p}"
        );
        let (status, p) = api
            .post("/sso/preview", json!({"claims": ["not", "an", "object"]}))
            .await;
        assert_eq!(
            (status, p["error"]["field"].as_str()),
            (422, Some("claims"))
        );
        let member = app.api_as(Role::Member, None).await;
        assert_eq!(member.get("/sso").await.0, 403);
        app.stop().await;
    }
}

#[tokio::test]
async fn without_single_sign_on_the_login_page_has_no_button_and_the_api_says_so() {
    let app = TestApp::spawn_with(Backend::Sqlite, |_| {}).await;
    let (_, page) = Browser::new(&app.base).get("/login").await;
    assert!(!page.contains("/login/sso"));
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/login/sso", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let api = app.api_as(Role::Admin, None).await;
    let (status, s) = api.get("/sso").await;
    assert_eq!((status, s["enabled"].as_bool()), (200, Some(false)));
    assert_eq!(api.post("/sso/preview", json!({"claims": {}})).await.0, 404);
    app.stop().await;
}
