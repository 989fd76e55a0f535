//! The voice inbox over HTTP on both backends: anonymous posting, receipt codes, triage, and what
//! the author sees of the outcome.

use crate::app_test;
use crate::common::{Browser, TestApp};
use crate::once::{field, send_form};
use duet_core::auth::Role;
use serde_json::{Value, json};

/// Counts pain points straight from the database.
async fn stored(app: &TestApp) -> i64 {
    duet_store::voice::list(&app.db, None, None)
        .await
        .unwrap()
        .len() as i64
}

fn receipt_of(page: &str) -> String {
    let start = page.find("<code>").unwrap() + 6;
    let end = page[start..].find("</code>").unwrap() + start;
    page[start..end].to_string()
}

app_test! {
    async fn anyone_posts_and_only_the_receipt_opens_it(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        let anon = Browser::new(&app.base);
        let (status, page) = anon.get("/voice").await;
        assert_eq!(status, 200, "open to everyone");
        assert!(page.contains("Raise a pain point"));
        let long = "x".repeat(10_001);
        let (status, page) = anon.post_plain("/voice", &[("department_id", &it), ("text", &long)]).await;
        assert_eq!(status, 422);
        assert!(page.contains("at most 10000 characters"), "says what is wrong");
        assert_eq!(stored(app).await, 0, "nothing written");
        let (status, _) = anon.post_plain("/voice", &[("department_id", &it), ("text", "Expense claims bounce <script>back</script> every month.")]).await;
        assert_eq!(status, 303, "POST-redirect-GET to the receipt");
        let (status, page) = anon.get("/voice/sent").await;
        assert_eq!(status, 200);
        let code = receipt_of(&page);
        assert_eq!(code.len(), 24);
        // Wrong and unknown codes get the same answer.
        let (s1, wrong) = anon.post_plain("/voice/receipt", &[("receipt", &code.replace(&code[..4], "ZZZZ"))]).await;
        let (s2, unknown) = anon.post_plain("/voice/receipt", &[("receipt", "not a code at all")]).await;
        assert_eq!((s1, s2), (404, 404));
        // The same page but for the fresh random token of its pain-point form.
        let without_token = |page: &str| {
            let once = crate::once::field(page, "_once");
            page.replace(&once, "")
        };
        assert_eq!(without_token(&wrong), without_token(&unknown));
        let (status, page) = anon.post_plain("/voice/receipt", &[("receipt", &code.to_lowercase())]).await;
        assert_eq!(status, 200);
        assert!(page.contains("Expense claims bounce &lt;script&gt;") || page.contains("Expense claims bounce &#60;script&#62;"), "escaped");
        assert!(page.contains("Waiting for an answer"));
        // Triage: a Sales leader cannot see IT's pain points; a member has no inbox; IT can.
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("IT")).await;
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let (status, list) = sales_lead.get("/voice/inbox").await;
        assert_eq!((status, list["items"].as_array().map(Vec::len)), (200, Some(0)));
        let (status, _) = member.get("/voice/inbox").await;
        assert_eq!(status, 403);
        let (_, list) = it_lead.get("/voice/inbox").await;
        let id: i64 = list["items"][0]["id"].as_str().expect("random ids are strings").parse().unwrap();
        let (status, _) = sales_lead.post(&format!("/voice/inbox/{id}/reply"), json!({"text": "Not mine to answer"})).await;
        assert_eq!(status, 403);
        let (status, body) = it_lead.post(&format!("/voice/inbox/{id}/reply"), json!({"text": "?"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("text")), "{body}");
        let (status, _) = it_lead.post(&format!("/voice/inbox/{id}/reply"), json!({"text": "Which expense tool screen fails?"})).await;
        assert_eq!(status, 204);
        // The author answers back with the code, through the API, without any token.
        let client = reqwest::Client::new();
        let r = client.post(format!("{}/api/v1/voice/receipt/reply", app.base)).json(&json!({"receipt": code, "text": "The receipt upload step."})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["messages"].as_array().unwrap().len(), 2);
        assert_eq!(view["pain_point"]["id"], "0", "the author never learns the internal id");
        // The pain point becomes a request; the author sees it.
        let (status, req) = it_lead.post(&format!("/voice/inbox/{id}/request"), json!({"title": "Fix receipt upload", "problem": "Expense receipts are rejected at upload.", "affected": "Everyone claiming expenses", "desired_outcome": "Receipts upload first time", "urgency": "high"})).await;
        assert_eq!(status, 201, "{req}");
        let (status, body) = it_lead.post(&format!("/voice/inbox/{id}/request"), json!({"title": "Fix receipt upload", "problem": "Expense receipts are rejected at upload.", "affected": "Everyone", "desired_outcome": "Receipts upload", "urgency": "high"})).await;
        assert_eq!(status, 409, "one outcome: {body}");
        let (_, page) = anon.post_plain("/voice/receipt", &[("receipt", &code)]).await;
        assert!(page.contains("It became a request") && page.contains("Fix receipt upload"), "{page}");
        // Publishing shows it to everyone.
        let (status, _) = it_lead.post(&format!("/voice/inbox/{id}/publish"), json!({"text": "The upload limit is raised to 20 MB."})).await;
        assert_eq!(status, 204);
        let (_, page) = anon.get("/voice").await;
        assert!(page.contains("The upload limit is raised to 20 MB."));
    }

    async fn the_api_posts_anonymously_and_pages_triage(app: &TestApp) {
        let hr = app.dept("Human Resources").await;
        let client = reqwest::Client::new();
        let r = client.post(format!("{}/api/v1/voice", app.base)).json(&json!({"department_id": hr, "text": "short"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "text");
        let r = client.post(format!("{}/api/v1/voice", app.base)).json(&json!({"department_id": hr, "text": "Onboarding laptops arrive a week late."})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let receipt: Value = r.json().await.unwrap();
        assert!(receipt["receipt"].as_str().unwrap().len() == 24);
        let hr_lead = app.browser_as(Role::BusinessLeader, Some("Human Resources")).await;
        let (status, page) = hr_lead.get("/voice/inbox").await;
        assert_eq!(status, 200);
        assert!(page.contains("Onboarding laptops arrive a week late."));
        let start = page.find("/voice/inbox/").unwrap();
        let link: String = page[start..].chars().take_while(|c| *c != '"').collect();
        let (status, _) = hr_lead.get(&link).await;
        assert_eq!(status, 200);
        let person = app.person("Hal HR", "hal.hr@example.com", "Human Resources", "manager").await.to_string();
        let it = app.dept("IT").await.to_string();
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string();
        let (status, _, _) = hr_lead.post_form(&format!("{link}/promise"), &[("promisor_id", &person), ("promisee_department_id", &it), ("level", "manager"), ("text", "Order laptops two weeks ahead"), ("due_on", &due)]).await;
        assert_eq!(status, 303);
        let r = client.post(format!("{}/api/v1/voice/receipt", app.base)).json(&json!({"receipt": receipt["receipt"]})).send().await.unwrap();
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["pain_point"]["status"], "promise");
        assert_eq!(view["pain_point"]["promise_text"], "Order laptops two weeks ahead");
    }

    async fn triage_suggests_only_people_the_triager_may_record_for_and_resolves_a_typed_name(app: &TestApp) {
        let hr = app.dept("Human Resources").await;
        app.person("Hal HR", "hal.hr@example.com", "Human Resources", "manager").await;
        app.person("Ivy Infra", "ivy.infra@example.com", "IT", "manager").await;
        let it = app.dept("IT").await.to_string();
        let r = reqwest::Client::new().post(format!("{}/api/v1/voice", app.base)).json(&json!({"department_id": hr, "text": "Payslips arrive after payday."})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let id = duet_store::voice::list(&app.db, None, None).await.unwrap()[0].id;
        let link = format!("/voice/inbox/{id}");
        let exec = app.browser_as(Role::Executive, Some("Human Resources")).await;
        let (status, page) = exec.get(&link).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("<strong>Who promises:</strong> you") && !page.contains("pr-who-suggestions") && !page.contains("Hal HR"), "an executive records only their own promises: {page}");
        let lead = app.browser_as(Role::BusinessLeader, Some("Human Resources")).await;
        let (_, page) = lead.get(&link).await;
        assert!(page.contains(r#"list="pr-who-suggestions""#) && page.contains("Hal HR · Human Resources · hal.hr@example.com"), "the shared picker: {page}");
        assert!(!page.contains("Ivy Infra") && !page.contains(r#"<select id="pr-who""#), "nobody HR's leader may not record for: {page}");
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string();
        let promise = |who: &'static str| {
            let (link, it, due, lead) = (link.clone(), it.clone(), due.clone(), &lead);
            async move { lead.post_form(&format!("{link}/promise"), &[("promisor", who), ("promisee_department_id", &it), ("level", "manager"), ("text", "Pay before payday"), ("due_on", &due)]).await }
        };
        let (status, page, _) = promise("Ivy Infra").await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("nobody you may record promises for matches") && page.contains(r#"value="Ivy Infra""#), "refused, the typed name kept: {page}");
        let (status, page, _) = promise("hal.hr@example.com").await;
        assert_eq!(status, 303, "a typed e-mail is resolved: {page}");
        let all = duet_store::promises::list_promises(&app.db, &Default::default(), duet_store::PageRequest::new(Some(100), None)).await.unwrap();
        let p = all.items.iter().find(|p| p.text == "Pay before payday").expect("the pain point became a promise");
        assert_eq!(p.promisor_name, "Hal HR");
    }
}

/// Every form-token row: its key hash and where it led.
async fn form_token_rows(app: &TestApp) -> Vec<(String, Option<String>)> {
    let sql = "select key_hash, location from form_tokens";
    match &app.db {
        duet_store::Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        duet_store::Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

/// A session row and its account's last-seen columns, as text.
type SessionRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// The one session row and its account's last-seen columns, every column as text.
async fn session_row(app: &TestApp) -> Vec<Option<String>> {
    let sql = "select s.id_hash, cast(s.user_id as text), s.csrf_token, s.flash, cast(s.created_at as text),
            cast(s.expires_at as text), cast(u.last_login_at as text), cast(u.home_seen_at as text)
        from sessions s join users u on u.id = s.user_id";
    let row: SessionRow = match &app.db {
        duet_store::Db::Sqlite(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
        duet_store::Db::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
    };
    vec![
        Some(row.0),
        Some(row.1),
        Some(row.2),
        row.3,
        Some(row.4),
        Some(row.5),
        row.6,
        row.7,
    ]
}

app_test! {
    async fn a_pain_point_sent_twice_is_stored_once_and_its_receipt_shown_once(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        let anon = Browser::new(&app.base);
        let text = "The printer on floor two jams every single morning.";
        let sent = send_form(&anon, &app.base, "/voice", "/voice", &[("department_id", &it), ("text", text)], 2).await;
        assert_eq!(sent[0].status, 303, "{}", sent[0].body);
        assert_eq!(sent[0].location.as_deref(), Some("/voice/sent"));
        assert_eq!(sent[1].status, 303, "the repeated POST is redirected");
        assert_eq!(sent[1].location.as_deref(), Some("/voice/sent"));
        assert_eq!(stored(app).await, 1, "one pain point for one form");
        // The receipt is shown on the GET, once.
        let (status, page) = anon.get("/voice/sent").await;
        assert_eq!(status, 200);
        let code = receipt_of(&page);
        assert_eq!(code.len(), 24);
        let (status, again) = anon.get("/voice/sent").await;
        assert_eq!(status, 200);
        assert!(!again.contains(&code) && !again.contains("<code>"), "no second receipt: {again}");
        assert!(again.contains("already shown"), "{again}");
        assert_eq!(stored(app).await, 1, "a reload creates nothing");
        // The code opens the one pain point.
        let (status, page) = anon.post_plain("/voice/receipt", &[("receipt", &code)]).await;
        assert_eq!(status, 200);
        assert!(page.contains("The printer on floor two"));
        // The form-token row holds a key and where it led; nothing about a person or session.
        let rows = form_token_rows(app).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].1.as_deref(), Some("/voice/sent"));
        // A new form (new token) is a new pain point.
        let sent = send_form(&anon, &app.base, "/voice", "/voice", &[("department_id", &it), ("text", text)], 1).await;
        assert_eq!(sent[0].status, 303);
        assert_eq!(stored(app).await, 2);
    }

    async fn the_receipt_cookie_is_short_lived_strict_and_scoped(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        let r = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
            .post(format!("{}/voice", app.base)).form(&[("department_id", it.as_str()), ("text", "The wiki search never finds anything.")]).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
        for part in ["duet_receipt=", "HttpOnly", "SameSite=Strict", "Path=/voice/sent", "Max-Age=120"] {
            assert!(cookie.contains(part), "{part} in {cookie}");
        }
        assert_eq!(r.headers().get("location").unwrap(), "/voice/sent");
    }

    async fn sending_a_pain_point_signed_in_writes_nothing_to_the_session(app: &TestApp) {
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let it = app.dept("IT").await.to_string();
        // An ordinary page shows (and clears) the sign-in flash; the voice pages leave it alone.
        member.get("/").await;
        let (_, page) = member.get("/voice").await;
        let once = field(&page, "_once");
        let csrf = field(&page, "_csrf");
        // Make the session due for its hourly sliding of the expiry (12 h idle lifetime), which
        // would record when the pain point was sent.
        let due = chrono::Utc::now() + chrono::Duration::hours(2);
        match &app.db {
            duet_store::Db::Sqlite(p) => { sqlx::query("update sessions set expires_at = $1").bind(due).execute(p).await.unwrap(); }
            duet_store::Db::Postgres(p) => { sqlx::query("update sessions set expires_at = $1").bind(due).execute(p).await.unwrap(); }
        }
        let r = member.client.post(format!("{}/voice", app.base))
            .form(&[("department_id", it.as_str()), ("text", "Nobody tells us when the VPN is down."), ("_once", &once), ("_csrf", &csrf)])
            .send().await.unwrap();
        assert_eq!(r.status(), 303);
        let (status, page) = member.get("/voice/sent").await;
        assert_eq!(status, 200);
        assert_eq!(receipt_of(&page).len(), 24, "the receipt page, signed in");
        let unchanged: i64 = match &app.db {
            duet_store::Db::Sqlite(p) => sqlx::query_scalar("select count(*) from sessions where expires_at = $1 and flash is null").bind(due).fetch_one(p).await.unwrap(),
            duet_store::Db::Postgres(p) => sqlx::query_scalar("select count(*) from sessions where expires_at = $1 and flash is null").bind(due).fetch_one(p).await.unwrap(),
        };
        assert_eq!(unchanged, 1, "the session row was not touched");
        assert_eq!(stored(app).await, 1);
    }

    async fn refused_and_accepted_pain_points_and_the_receipt_page_leave_the_session_row_unchanged(app: &TestApp) {
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let it = app.dept("IT").await.to_string();
        let (_, page) = member.get("/voice").await;
        let once = field(&page, "_once");
        let csrf = field(&page, "_csrf");
        // A pending flash, and an expiry due for its hourly sliding: either would be written.
        let due = chrono::Utc::now() + chrono::Duration::hours(2);
        let set = "update sessions set expires_at = $1, flash = 'Saved.'";
        match &app.db {
            duet_store::Db::Sqlite(p) => { sqlx::query(set).bind(due).execute(p).await.unwrap(); }
            duet_store::Db::Postgres(p) => { sqlx::query(set).bind(due).execute(p).await.unwrap(); }
        }
        // Past the two-second session cache, so every lookup below reads the row.
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let before = session_row(app).await;
        let post = |fields: Vec<(&'static str, String)>| {
            member.client.post(format!("{}/voice", app.base)).form(&fields).send()
        };
        // Refused by the CSRF check: the styled 403 page is rendered in the signed-in layout.
        let r = post(vec![("department_id", it.clone()), ("text", "Nobody tells us when the VPN is down.".into()), ("_csrf", "wrong".into())]).await.unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(session_row(app).await, before, "a refused pain point writes nothing to the session");
        // Refused by the text rules: the form again, with 422.
        let r = post(vec![("department_id", it.clone()), ("text", String::new()), ("_csrf", csrf.clone())]).await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(session_row(app).await, before, "an invalid pain point writes nothing to the session");
        // Accepted, and its receipt shown.
        let r = post(vec![("department_id", it.clone()), ("text", "Nobody tells us when the VPN is down.".into()), ("_once", once), ("_csrf", csrf)]).await.unwrap();
        assert_eq!(r.status(), 303);
        let (status, page) = member.get("/voice/sent").await;
        assert_eq!(status, 200);
        assert_eq!(receipt_of(&page).len(), 24);
        assert!(!page.contains("Saved."), "the flash waits for an ordinary page");
        let (status, _) = member.get("/voice").await;
        assert_eq!(status, 200);
        assert_eq!(session_row(app).await, before, "sending and the receipt page write nothing to the session");
        assert_eq!(stored(app).await, 1);
        // An ordinary page then shows the flash and clears it (so the comparison above can see writes).
        let (_, page) = member.get("/").await;
        assert!(page.contains("Saved."), "{page}");
        assert_ne!(session_row(app).await, before);
    }

    async fn the_triage_inbox_link_is_shown_only_to_those_who_triage(app: &TestApp) {
        let (_, page) = Browser::new(&app.base).get("/voice").await;
        assert!(!page.contains("href=\"/voice/inbox\""), "not signed out");
        for (role, dept, shown) in [
            (Role::Member, Some("Sales"), false),
            (Role::Member, Some("IT"), false),
            (Role::BusinessLeader, Some("Sales"), true),
            (Role::Executive, Some("Finance"), true),
            (Role::ItLeader, Some("IT"), true),
            (Role::Admin, None, true),
        ] {
            let b = app.browser_as(role, dept).await;
            let (_, page) = b.get("/voice").await;
            assert_eq!(page.contains("href=\"/voice/inbox\""), shown, "{role:?}");
            let (status, _) = b.get("/voice/inbox").await;
            assert_eq!(status == 200, shown, "{role:?}: the link is shown exactly when the inbox opens");
        }
    }

    async fn refused_pain_points_and_replies_keep_what_was_typed(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        let anon = Browser::new(&app.base);
        let (status, page) = anon.post_plain("/voice", &[("department_id", &it), ("text", "Too short")]).await;
        assert_eq!(status, 422);
        assert!(page.contains(">Too short</textarea>"), "{page}");
        assert!(page.contains(&format!("<option value=\"{it}\" selected>")), "the department stays chosen");
        let (status, _) = anon.post_plain("/voice", &[("department_id", &it), ("text", "Meeting rooms cannot be booked from phones.")]).await;
        assert_eq!(status, 303);
        let (_, page) = anon.get("/voice/sent").await;
        let code = receipt_of(&page);
        let (status, page) = anon.post_plain("/voice/receipt/reply", &[("receipt", &code), ("text", "Tiny <b>")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Tiny &#60;b&#62;</textarea>") || page.contains("Tiny &lt;b&gt;</textarea>"), "the reply as typed, escaped: {page}");
    }

    async fn an_author_reply_sent_twice_is_added_once(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        let anon = Browser::new(&app.base);
        anon.post_plain("/voice", &[("department_id", &it), ("text", "Password resets take three days.")]).await;
        let (_, page) = anon.get("/voice/sent").await;
        let code = receipt_of(&page);
        let (_, thread) = anon.post_plain("/voice/receipt", &[("receipt", &code)]).await;
        let once = field(&thread, "_once");
        for expected in [200, 303] {
            let (status, _) = anon.post_plain("/voice/receipt/reply", &[("receipt", &code), ("text", "It is the self-service page."), ("_once", &once)]).await;
            assert_eq!(status, expected);
        }
        let (_, thread) = anon.post_plain("/voice/receipt", &[("receipt", &code)]).await;
        assert_eq!(thread.matches("It is the self-service page.").count(), 1, "{thread}");
    }

    async fn a_triage_reply_sent_twice_is_added_once(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        let anon = Browser::new(&app.base);
        anon.post_plain("/voice", &[("department_id", &it), ("text", "The canteen app logs us out hourly.")]).await;
        let id = duet_store::voice::list(&app.db, None, None).await.unwrap()[0].id;
        let lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let page = format!("/voice/inbox/{id}");
        let sent = send_form(&lead, &app.base, &page, &format!("{page}/reply"), &[("text", "We are raising the session length.")], 2).await;
        assert_eq!(sent[0].status, 303);
        assert_eq!(sent[1].location, sent[0].location);
        let messages = duet_store::voice::messages(&app.db, id).await.unwrap();
        assert_eq!(messages.len(), 1);
    }
}

app_test! {
    async fn a_refused_triage_form_keeps_what_was_typed(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        Browser::new(&app.base).post_plain("/voice", &[("department_id", &it), ("text", "The build server is down every Friday.")]).await;
        let id = duet_store::voice::list(&app.db, None, None).await.unwrap()[0].id;
        let lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (status, page, _) = lead.post_form(&format!("/voice/inbox/{id}/reply"), &[("text", "?")]).await;
        assert_eq!(status, 422);
        assert!(page.contains(">?</textarea>"), "{page}");
        let (status, page, _) = lead.post_form(&format!("/voice/inbox/{id}/request"), &[("title", "Kept title"), ("problem", "Kept problem text"), ("affected", ""), ("desired_outcome", "Kept outcome"), ("department_id", &it), ("urgency", "high")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("value=\"Kept title\"") && page.contains(">Kept problem text</textarea>") && page.contains(">Kept outcome</textarea>"), "{page}");
        assert!(page.contains("<option value=\"high\" selected>"), "the urgency stays chosen");
    }
}

app_test! {
    async fn pain_points_and_survey_answers_leave_no_per_route_metrics(app: &TestApp) {
        let it = app.dept("IT").await;
        let anon = Browser::new(&app.base);
        let (status, _) = anon.post_plain("/voice", &[("department_id", &it.to_string()), ("text", "The VPN drops every afternoon at three.")]).await;
        assert_eq!(status, 303);
        let c = reqwest::Client::new();
        let r = c.post(format!("{}/api/v1/voice", app.base)).json(&json!({"department_id": it, "text": "The VPN drops every afternoon at four."})).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let (status, _) = member.post("/campaigns/999999/response", json!({"ratings": {}})).await;
        assert!(status >= 400);
        // Something ordinary is counted, so the recorder is on and the exposition is complete.
        let (status, _) = member.get("/home").await;
        assert_eq!(status, 200);
        let metrics = app.metrics().await;
        assert!(metrics.contains(r#"route="/api/v1/home""#), "{metrics}");
        for anonymous in ["/voice", "/api/v1/voice", "/api/v1/campaigns/{id}/response", "/listen/campaigns/{id}/respond"] {
            assert!(!metrics.contains(&format!("route=\"{anonymous}")), "{anonymous} is counted: {metrics}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 10, class 7 (side channels of Voice): posting a pain point and answering a survey leave
// nothing next to them in time — no session write, no per-route counter — /metrics needs its
// token, and receipt lookups are throttled globally.

/// Every session row and the account's own times, as text, to compare byte for byte.
async fn session_rows(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    let sql = "select s.id_hash, s.csrf_token, coalesce(s.flash, ''), cast(s.expires_at as text),
               coalesce(cast(u.home_seen_at as text), '') || '|' || coalesce(cast(u.last_login_at as text), '')
        from sessions s join users u on u.id = s.user_id order by s.id_hash";
    match &app.db {
        duet_store::Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        duet_store::Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

/// Moves every session's expiry two hours back, so that any ordinary request would slide it.
async fn age_sessions(app: &TestApp) {
    let aged =
        chrono::Utc::now() + duet_store::sessions::IDLE_LIFETIME - chrono::Duration::hours(2);
    let sql = "update sessions set expires_at = $1";
    match &app.db {
        duet_store::Db::Sqlite(p) => {
            sqlx::query(sql).bind(aged).execute(p).await.unwrap();
        }
        duet_store::Db::Postgres(p) => {
            sqlx::query(sql).bind(aged).execute(p).await.unwrap();
        }
    }
}

app_test! {
    async fn posting_and_answering_leave_no_session_write_no_metric_and_lookups_are_throttled(app: &TestApp) {
        use duet_store::listen as ls;
        let it = app.dept("IT").await.to_string();
        let sales = app.dept("Sales").await;
        // Both are in Sales before the campaign opens.
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let scripted = app.api_as(Role::Member, Some("Sales")).await;
        let admin = duet_store::accounts::insert_user(&app.db, &duet_store::accounts::NewUser {
            email: duet_core::org::Email::parse("pulse-owner@example.com").unwrap(),
            name: "Pulse owner".into(),
            role: Role::Admin,
            password_hash: "x".into(),
        }).await.unwrap().id;
        let inst = ls::list_instruments(&app.db).await.unwrap().into_iter().find(|i| i.key == "duet-pulse").unwrap();
        let today = chrono::Utc::now().date_naive();
        let campaign = ls::insert_campaign(&app.db, admin, &duet_core::listen::campaigns::CampaignInput {
            instrument: inst.id,
            title: "Quiet pulse".into(),
            opens_on: today,
            closes_on: today + chrono::Days::new(7),
            remind_on: today + chrono::Days::new(7),
            departments: vec![sales],
            min_group: 3,
        }).await.unwrap().id;
        let csrf = member.csrf().await;
        // Sessions one would slide now; from here on only the anonymous POSTs are sent, after
        // the two-second session cache has let go of this one (so a slide would reach the row).
        age_sessions(app).await;
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let before = session_rows(app).await;
        assert!(!before.is_empty());
        let post = |path: &str, fields: Vec<(String, String)>| {
            let mut all = fields;
            all.push(("_csrf".into(), csrf.clone()));
            member.client.post(format!("{}{path}", app.base)).form(&all).send()
        };
        let r = post("/voice", vec![("department_id".into(), it.clone()), ("text".into(), "The VPN drops every afternoon at three.".into()), ("_once".into(), "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6".into())]).await.unwrap();
        assert_eq!(r.status(), 303);
        let mut answers: Vec<(String, String)> = inst.definition.items.iter().map(|i| (format!("item.{}", i.code), "3".to_string())).collect();
        answers.push(("mode".into(), "new".into()));
        answers.push(("_once".into(), "f6e5d4c3b2a1f6e5d4c3b2a1f6e5d4c3".into()));
        let r = post(&format!("/listen/campaigns/{campaign}/respond"), answers).await.unwrap();
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let thanks = r.headers()["location"].to_str().unwrap().to_string();
        assert!(thanks.ends_with("/thanks?answered=new"), "the thank-you rides in the address, not in the session: {thanks}");
        // The page right after answering is anonymous too: following the redirect writes nothing.
        let r = member.client.get(format!("{}{thanks}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Your answers are recorded anonymously"));
        assert_eq!(session_rows(app).await, before, "the session and account rows are byte-identical: no expiry slid, no flash, no time");
        // Answering through the API does not stamp the token's last use either.
        let ratings: serde_json::Map<String, Value> = inst.definition.items.iter().map(|i| (i.code.clone(), json!("4"))).collect();
        let (status, body) = scripted.post(&format!("/campaigns/{campaign}/response"), json!({"ratings": ratings})).await;
        assert_eq!(status, 201, "{body}");
        let used: Vec<(Option<String>,)> = match &app.db {
            duet_store::Db::Sqlite(p) => sqlx::query_as("select cast(last_used_at as text) from api_tokens").fetch_all(p).await.unwrap(),
            duet_store::Db::Postgres(p) => sqlx::query_as("select cast(last_used_at as text) from api_tokens").fetch_all(p).await.unwrap(),
        };
        assert_eq!(used, vec![(None,)], "no last use recorded by answering");
        // The campaign page itself is an ordinary page.
        let (_, page) = member.get(&format!("/listen/campaigns/{campaign}")).await;
        assert!(page.contains(&format!("as of {today}")), "participation is published once a day: {page}");

        // /metrics: refused without the token, and with it no anonymous route is counted.
        let c = reqwest::Client::new();
        let r = c.get(format!("{}/metrics", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let r = c.get(format!("{}/metrics", app.base)).bearer_auth("wrong-token-0123456789-abcdefg").send().await.unwrap();
        assert_eq!(r.status(), 401);
        let metrics = app.metrics().await;
        assert!(metrics.contains("route=\"/listen/campaigns/{id}\""), "ordinary pages are counted: {metrics}");
        for anonymous in ["/voice", "/listen/campaigns/{id}/respond", "/listen/campaigns/{id}/thanks", "/api/v1/campaigns/{id}/response"] {
            assert!(!metrics.contains(&format!("route=\"{anonymous}\"")), "{anonymous} is counted: {metrics}");
        }

        // Receipt lookups: one global bucket of 20; the 21st rapid lookup (at the latest a few
        // later, as the bucket refills 5 a second) gets 429 with Retry-After, in people's words.
        let anon = Browser::new(&app.base);
        let mut refused = None;
        for n in 0..80 {
            let r = anon.client.post(format!("{}/voice/receipt", app.base)).form(&[("receipt", "AAAA-BBBB-CCCC-DDDD-EEEE")]).send().await.unwrap();
            if r.status() == 429 {
                let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
                refused = Some((n, retry, r.text().await.unwrap()));
                break;
            }
            assert_eq!(r.status(), 404, "an unknown code is not found");
        }
        let (n, retry, page) = refused.expect("receipt lookups are throttled");
        assert!(n >= 20, "the first 20 lookups pass (refused at #{})", n + 1);
        assert_eq!(retry.as_deref(), Some("1"));
        assert!(page.contains("try again in 1 second") && page.contains("<html"), "a styled page: {page}");
        let mut api_refused = None;
        for _ in 0..80 {
            let r = c.post(format!("{}/api/v1/voice/receipt", app.base)).json(&json!({"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE"})).send().await.unwrap();
            if r.status() == 429 {
                assert!(r.headers().contains_key("retry-after"));
                api_refused = Some(r.json::<Value>().await.unwrap());
                break;
            }
        }
        let body = api_refused.expect("the API shares the bucket");
        assert_eq!(body["error"]["code"], "too_many_requests");
    }
}

/// Without a configured token, `/metrics` is off.
mod metrics_without_a_token_are_off {
    use crate::common::TestApp;

    async fn run(backend: duet_store::Backend) {
        let app = TestApp::spawn_with(backend, |c| c.metrics_token = None).await;
        let r = reqwest::get(format!("{}/metrics", app.base)).await.unwrap();
        assert_eq!(r.status(), 404);
        app.stop().await;
    }

    #[tokio::test]
    async fn sqlite() {
        run(duet_store::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        run(duet_store::Backend::Postgres).await;
    }
}
