//! Browser journeys: signing in and out, forms with CSRF, validation messages, escaping.

use crate::app_test;
use crate::common::{Browser, PASSWORD, TestApp};
use duet_core::auth::Role;
use duet_store::PageRequest;
use duet_store::org::{self, PeopleFilter};

async fn people_count(app: &TestApp) -> i64 {
    org::list_people(
        &app.db,
        &PeopleFilter {
            include_archived: true,
            ..Default::default()
        },
        PageRequest::default(),
    )
    .await
    .unwrap()
    .total
}

app_test! {
    async fn pages_redirect_to_sign_in_until_signed_in(app: &TestApp) {
        let b = Browser::new(&app.base);
        for path in ["/", "/people", "/departments", "/account", "/admin/users"] {
            let r = b.client.get(format!("{}{path}", app.base)).send().await.unwrap();
            assert_eq!(r.status(), 303, "{path}");
            assert_eq!(r.headers()["location"], "/login", "{path}");
        }
        let (status, body) = b.get("/login").await;
        assert_eq!(status, 200);
        assert!(body.contains("Sign in to Duet"));
        let (status, body) = b.get("/no-such-page").await;
        assert_eq!(status, 404);
        assert!(body.contains("404 · Not Found"), "{body}");
    }

    async fn sign_in_shows_the_organisation_and_sign_out_ends_the_session(app: &TestApp) {
        let email = app.account(Role::Member, Some("Sales")).await;
        let b = Browser::new(&app.base);
        let r = b.login(&email, PASSWORD).await;
        assert_eq!(r.status(), 303);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"), "{cookie}");
        let (status, home) = b.get("/").await;
        assert_eq!(status, 200);
        assert!(home.contains("Welcome,"), "flash shown once");
        assert!(home.contains("Customer Service"));
        let (_, again) = b.get("/").await;
        assert!(!again.contains("Welcome,"), "flash shown only once");
        let (status, people) = b.get("/people?q=member").await;
        assert_eq!(status, 200);
        assert!(people.contains("Showing 1–1 of 1"), "{people}");
        let (status, _, location) = b.post_form("/logout", &[]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/login")));
        let (status, _) = b.get("/").await;
        assert_eq!(status, 303, "session is gone");
    }

    async fn wrong_password_and_unknown_email_get_the_same_answer(app: &TestApp) {
        let email = app.account(Role::Member, None).await;
        let b = Browser::new(&app.base);
        let wrong = b.login(&email, "not the password").await;
        assert_eq!(wrong.status(), 401);
        let wrong = wrong.text().await.unwrap();
        let unknown = b.login("nobody@example.com", "not the password").await;
        assert_eq!(unknown.status(), 401);
        let unknown = unknown.text().await.unwrap();
        assert!(wrong.contains("The e-mail or password is incorrect."));
        assert_eq!(wrong.replace(&email, ""), unknown.replace("nobody@example.com", ""));
    }

    async fn repeated_failures_slow_that_address_down_and_never_lock_the_owner_out(app: &TestApp) {
        let email = app.account(Role::Admin, None).await;
        let guesser = Browser::from_address(&app.base, 1);
        for _ in 0..5 {
            assert_eq!(guesser.login(&email, "wrong wrong wrong").await.status(), 401);
        }
        // Each further wrong guess doubles the wait (1 s, 2 s, 4 s …); the next attempt made
        // within it is refused before the password is checked, even the right password.
        let mut slowed = None;
        for _ in 0..8 {
            let r = guesser.login(&email, "wrong wrong wrong").await;
            if r.status() == 429 {
                slowed = Some(r);
                break;
            }
            assert_eq!(r.status(), 401);
        }
        let slowed = slowed.expect("guesses are slowed down");
        let wait: u64 = slowed.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("Retry-After");
        assert!((1..=128).contains(&wait), "{wait}");
        let page = slowed.text().await.unwrap();
        assert!(page.contains("Too many failed sign-ins") && page.contains("please try again in"), "{page}");
        assert_eq!(guesser.login(&email, PASSWORD).await.status(), 429, "the right password waits its turn from this address");
        // The owner, at another address, signs in at once: guessing never locks an account.
        let owner = Browser::from_address(&app.base, 2);
        assert_eq!(owner.login(&email, PASSWORD).await.status(), 303);
        // Another account from the guesser's address is not slowed by this one.
        let other = app.account(Role::Member, None).await;
        assert_eq!(guesser.login(&other, PASSWORD).await.status(), 303);
        // Once the wait is over, the right password works from the guesser's address too.
        tokio::time::sleep(std::time::Duration::from_millis(wait * 1000 + 100)).await;
        let again = Browser::from_address(&app.base, 1);
        assert_eq!(again.login(&email, PASSWORD).await.status(), 303);
    }

    async fn forms_without_the_csrf_token_are_refused_and_write_nothing(app: &TestApp) {
        let b = app.browser_as(Role::Admin, None).await;
        let before = people_count(app).await;
        let it = app.dept("IT").await.to_string();
        let fields = [("name", "Eve"), ("email", "eve@example.com"), ("department_id", it.as_str()), ("title", ""), ("level", "individual")];
        let r = b.client.post(format!("{}/people", app.base)).form(&fields).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let mut forged = fields.to_vec();
        forged.push(("_csrf", "0000000000000000000000000000000000000000000000000000000000000000"));
        let r = b.client.post(format!("{}/people", app.base)).form(&forged).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let csrf = b.csrf().await;
        let mut good = fields.to_vec();
        good.push(("_csrf", &csrf));
        let r = b.client.post(format!("{}/people", app.base)).header("origin", "https://evil.example").form(&good).send().await.unwrap();
        assert_eq!(r.status(), 403, "cross-origin post refused even with a token");
        let r = b.client.post(format!("{}/people", app.base)).header("sec-fetch-site", "cross-site").form(&good).send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(people_count(app).await, before, "nothing written");
        let r = b.client.post(format!("{}/people", app.base)).header("sec-fetch-site", "same-origin").form(&good).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(people_count(app).await, before + 1);
    }

    async fn person_form_explains_bad_fields_and_keeps_the_input(app: &TestApp) {
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        app.person("Ada", "ada@example.com", "IT", "manager").await;
        let before = people_count(app).await;
        let it = app.dept("IT").await.to_string();
        let (status, body, _) = b.post_form("/people", &[("name", "Bob"), ("email", "bob@@example"), ("department_id", &it), ("title", "Analyst"), ("level", "individual")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("is not a valid e-mail address"), "{body}");
        assert!(body.contains("value=\"Analyst\""), "input kept");
        let (status, body, _) = b.post_form("/people", &[("name", "Ada Two"), ("email", "ADA@example.com"), ("department_id", &it), ("title", ""), ("level", "individual")]).await;
        assert_eq!(status, 409);
        assert!(body.contains("is already taken"));
        let (status, body, _) = b.post_form("/people", &[("name", "Cy"), ("email", "cy@example.com"), ("department_id", "9999"), ("title", ""), ("level", "individual")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("no department has this id"));
        assert_eq!(people_count(app).await, before);
        let (status, _, location) = b.post_form("/people", &[("name", "Cy"), ("email", "cy@example.com"), ("department_id", &it), ("title", ""), ("level", "individual")]).await;
        assert_eq!(status, 303);
        let (status, page) = b.get(&location.unwrap()).await;
        assert_eq!(status, 200);
        assert!(page.contains("Cy added."));
    }

    async fn names_are_escaped_in_pages(app: &TestApp) {
        let b = app.browser_as(Role::Member, None).await;
        let id = app.person("<script>alert(1)</script>", "x@example.com", "IT", "individual").await;
        let (_, body) = b.get(&format!("/people/{id}")).await;
        assert!(!body.contains("<script>alert(1)</script>"));
        assert!(body.contains("&#60;script&#62;") || body.contains("&lt;script&gt;"), "{body}");
    }

    async fn a_department_page_lists_its_first_members_and_shows_pickers_only_to_editors(app: &TestApp) {
        app.person("Ian Partner", "ian@example.com", "IT", "manager").await;
        for i in 0..52 {
            app.person(&format!("Member {i:02}"), &format!("m{i}@example.com"), "Sales", "individual").await;
        }
        let sales = app.dept("Sales").await;
        let reader = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, body) = reader.get(&format!("/departments/{sales}")).await;
        assert_eq!(status, 200);
        assert!(body.contains("Member 00") && !body.contains("Member 51"), "the first 50 by name");
        assert!(body.contains(&format!("href=\"/people?department_id={sales}\">See all")), "{body}");
        assert!(!body.contains("it_partner_id") && !body.contains("Ian Partner"), "no pickers for a reader");
        let editor = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (status, body) = editor.get(&format!("/departments/{sales}")).await;
        assert_eq!(status, 200);
        assert!(body.contains("id=\"it_partner_id\"") && body.contains("Ian Partner"), "{body}");
        assert!(body.contains("Member 51"), "every member can be chosen as leader");
    }

    async fn departments_get_a_leader_and_an_it_partner_from_the_page(app: &TestApp) {
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let boss = app.person("Bea Boss", "bea@example.com", "Sales", "executive").await.to_string();
        let partner = app.person("Ian Partner", "ian@example.com", "IT", "manager").await.to_string();
        let sales = app.dept("Sales").await;
        let (status, _, _) = b.post_form(&format!("/departments/{sales}"), &[("name", "Sales"), ("kind", "business"), ("leader_id", &partner), ("it_partner_id", "")]).await;
        assert_eq!(status, 422, "an IT person cannot lead Sales");
        let (status, _, _) = b.post_form(&format!("/departments/{sales}"), &[("name", "Sales"), ("kind", "business"), ("leader_id", &boss), ("it_partner_id", &partner)]).await;
        assert_eq!(status, 303);
        let (_, home) = b.get("/").await;
        assert!(home.contains("Bea Boss") && home.contains("Ian Partner"));
        let (status, _, _) = b.post_form("/departments", &[("name", "Legal"), ("kind", "business")]).await;
        assert_eq!(status, 303);
        let (status, body, _) = b.post_form("/departments", &[("name", "legal"), ("kind", "business")]).await;
        assert_eq!(status, 409);
        assert!(body.contains("is already taken"));
    }

    async fn csv_upload_names_the_bad_line_and_imports_nothing(app: &TestApp) {
        let b = app.browser_as(Role::Admin, None).await;
        let csrf = b.csrf().await;
        let before = people_count(app).await;
        let bad = "name,email,department,title,level\nAl,al@example.com,IT,,individual\nBo,bo@example.com,Nowhere,,individual\n";
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bad.as_bytes().to_vec()).file_name("p.csv"));
        let r = b.client.post(format!("{}/people/import?_csrf={csrf}", app.base)).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("line 3, column department"), "{body}");
        assert_eq!(people_count(app).await, before);
        let good = bad.replace("Nowhere", "Sales");
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(good.into_bytes()).file_name("p.csv"));
        let r = b.client.post(format!("{}/people/import?_csrf={csrf}", app.base)).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(people_count(app).await, before + 2);
        let (status, csv) = b.get("/people/export.csv").await;
        assert_eq!(status, 200);
        assert!(csv.starts_with("name,email,department,title,level\n") && csv.contains("bo@example.com"));
    }

    async fn api_tokens_are_created_on_the_account_page_and_work(app: &TestApp) {
        let b = app.browser_as(Role::Member, None).await;
        let (status, body, _) = b.post_form("/account/tokens", &[("name", "my script")]).await;
        assert_eq!(status, 201);
        let start = body.find("duet_").unwrap();
        let token = &body[start..start + 69];
        let r = reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let (_, page) = b.get("/account").await;
        assert!(!page.contains(token), "the secret is shown once only");
    }
}
