//! Issue 10, attack class 5 over HTTP: an administrator cannot manufacture a survey's crowd —
//! invented people, a person moved into the department, an account made for a real person who
//! had none: none of them can answer or read answers — and every step of it is in the audit log,
//! which a plain employee reads on `/audit` and `GET /api/v1/audit`.

use crate::app_test;
use crate::common::{PASSWORD, TestApp};
use duet_core::auth::Role;
use duet_core::listen::instruments::Answers;
use duet_core::org::UserId;
use duet_store::accounts;
use duet_store::listen::{self as ls, SubmitMode};
use serde_json::{Value, json};

fn all_ratings(items: &Value, v: &str) -> Value {
    let mut m = serde_json::Map::new();
    for i in items.as_array().unwrap() {
        m.insert(i["code"].as_str().unwrap().into(), json!(v));
    }
    Value::Object(m)
}

/// A bearer token for the account with `email` (the attacker's own accounts).
async fn token_for(app: &TestApp, email: &str) -> String {
    let user = accounts::find_login(&app.db, email)
        .await
        .unwrap()
        .unwrap()
        .0;
    accounts::insert_token(&app.db, UserId(user.id), "mine")
        .await
        .unwrap()
        .1
}

/// A request to `/api/v1{path}` with `token`: status and JSON body.
async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .request(method, format!("{}/api/v1{path}", app.base))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

app_test! {
    async fn an_administrator_cannot_manufacture_the_crowd_and_everyone_sees_it(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let (_, me) = admin.get("/me").await;
        let admin_name = me["name"].as_str().unwrap().to_string();
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let employee = app.browser_as(Role::Member, Some("Finance")).await;
        let rita = app.person("Rita Real", "rita@example.com", "Sales", "individual").await;
        let mover_email = app.account(Role::Member, Some("Finance")).await;
        let mover = duet_store::org::find_person_by_email(&app.db, &mover_email).await.unwrap().unwrap();
        let sales = app.dept("Sales").await;
        let (_, list) = admin.get("/instruments").await;
        let pulse = list.as_array().unwrap().iter().find(|i| i["key"] == "duet-pulse").unwrap().clone();
        let items = pulse["definition"]["items"].clone();
        let (status, c) = it_lead.post("/campaigns", json!({"instrument_id": pulse["id"], "title": "Pulse", "opens_on": chrono::Utc::now().date_naive().to_string(), "closes_on": (chrono::Utc::now().date_naive() + chrono::Days::new(14)).to_string(), "departments": [sales]})).await;
        assert_eq!(status, 201, "{c}");
        let id = c["id"].as_i64().unwrap();

        // The attack, through the API: four invented people in Sales (one with an account made
        // through the API, three through the store as the same administrator), someone moved in
        // from Finance, and an account for Rita, who had none.
        let mut fakes = Vec::new();
        for i in 0..4 {
            let (status, p) = admin.post("/people", json!({"name": format!("Invented {i}"), "email": format!("fake{i}@example.com"), "department_id": sales, "level": "individual"})).await;
            assert_eq!(status, 201, "{p}");
            fakes.push(format!("fake{i}@example.com"));
        }
        let (status, u) = admin.post("/users", json!({"email": "fake0@example.com", "name": "Invented 0", "role": "member", "password": PASSWORD})).await;
        assert_eq!(status, 201, "{u}");
        for f in &fakes[1..] {
            let new = accounts::NewUser { email: duet_core::org::Email::parse(f).unwrap(), name: f.clone(), role: Role::Member, password_hash: "x".into() };
            accounts::insert_user_by(&app.db, Some(admin.user_id), &new).await.unwrap();
        }
        let (status, p) = admin.send(reqwest::Method::PUT, &format!("/people/{}", mover.id), json!({"name": mover.name, "email": mover_email, "department_id": sales, "level": "manager"})).await;
        assert_eq!(status, 200, "{p}");
        let (status, u) = admin.post("/users", json!({"email": "rita@example.com", "name": "Rita Real", "role": "member", "password": PASSWORD})).await;
        assert_eq!((status, u["person_id"].as_i64()), (201, Some(rita)), "{u}");
        // Rita's real answers, given before (seeded: she had no account).
        let secret = ls::anonymity_secret(&app.db).await.unwrap();
        let n = items.as_array().unwrap().len();
        let a = Answers { about: None, ratings: (0..n).map(|_| Some(5)).collect(), texts: [("trust".to_string(), "Rita's own words".to_string())].into() };
        ls::submit_response(&app.db, id, rita, &secret, &a, SubmitMode::New, chrono::Utc::now().date_naive()).await.unwrap();

        // None of them can answer, nor read Rita's answers.
        let answer = json!({"ratings": all_ratings(&items, "4")});
        for (email, why) in fakes.iter().map(|f| (f.as_str(), "you joined this department after the survey opened"))
            .chain([(mover_email.as_str(), "you joined this department after the survey opened"), ("rita@example.com", "this account was created or linked to you after the survey opened")])
        {
            let token = token_for(app, email).await;
            let (status, body) = call(app, &token, reqwest::Method::POST, &format!("/campaigns/{id}/response"), Some(answer.clone())).await;
            assert_eq!((status, body["error"]["field"].as_str()), (409, Some("campaign")), "{email}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains(why), "{email}: {body}");
            let (status, body) = call(app, &token, reqwest::Method::GET, &format!("/campaigns/{id}/response"), None).await;
            assert_eq!(status, 404, "{email} reads nothing: {body}");
            let (status, home) = call(app, &token, reqwest::Method::GET, "/home", None).await;
            assert_eq!(status, 200);
            assert!(!home.to_string().contains(&format!("/listen/campaigns/{id}\"")), "{email} is not asked to answer: {home}");
        }
        let fake = crate::common::Browser::new(&app.base);
        assert_eq!(fake.login("fake0@example.com", PASSWORD).await.status(), 303);
        let (status, page) = fake.get(&format!("/listen/campaigns/{id}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("You cannot answer this campaign") && !page.contains("name=\"mode\""), "{page}");
        let fields: Vec<(String, &str)> = items.as_array().unwrap().iter().map(|i| (format!("item.{}", i["code"].as_str().unwrap()), "4")).collect();
        let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        form.push(("mode", "new"));
        let (status, page, _) = fake.post_form(&format!("/listen/campaigns/{id}/respond"), &form).await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains("you joined this department after the survey opened, so you cannot answer it"), "{page}");
        let rita_browser = crate::common::Browser::new(&app.base);
        assert_eq!(rita_browser.login("rita@example.com", PASSWORD).await.status(), 303);
        let (_, page) = rita_browser.get(&format!("/listen/campaigns/{id}")).await;
        assert!(!page.contains("Rita&#39;s own words") && !page.contains("Rita's own words"), "the new account does not see Rita's answers");
        let (_, page) = rita_browser.get("/listen").await;
        assert!(page.contains("Pulse") && !page.contains("you answered"), "nor whether she answered: {page}");
        // The real population still answers.
        let (status, body) = member.post(&format!("/campaigns/{id}/response"), answer.clone()).await;
        assert_eq!(status, 201, "{body}");

        // A plain employee reads every step, with who did it.
        let (status, log) = member.get("/audit").await;
        assert_eq!(status, 200, "{log}");
        let entries = log["items"].as_array().unwrap();
        let find = |summary: &str| entries.iter().find(|e| e["summary"] == summary).unwrap_or_else(|| panic!("{summary} not in {log}"));
        for i in 0..4 {
            let e = find(&format!("Added Invented {i} <fake{i}@example.com> to Sales"));
            assert_eq!((e["action"].as_str(), e["actor_name"].as_str()), (Some("person.create"), Some(admin_name.as_str())));
        }
        let moved = find(&format!("Moved {} from Finance to Sales", mover.name));
        assert_eq!((moved["action"].as_str(), moved["actor_user_id"].as_i64()), (Some("person.move"), Some(admin.user_id)));
        assert_eq!(find("Linked account rita@example.com to Rita Real (Sales)")["action"], "user.link");
        assert_eq!(find("Created member account rita@example.com (Rita Real)")["actor_name"], admin_name.as_str());
        let (status, page) = employee.get("/audit").await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("Moved {} from Finance to Sales", mover.name)), "{page}");
        assert!(page.contains("Linked account rita@example.com to Rita Real (Sales)") && page.contains(&admin_name), "{page}");
        assert!(page.contains("href=\"/audit\""), "linked from every page");

        // The population change is there for the results page to warn about.
        let changes = ls::population_changes(&app.db, id).await.unwrap();
        assert_eq!(changes.iter().map(|c| (c.department_name.as_str(), c.joined, c.left)).collect::<Vec<_>>(), vec![("Sales", 5, 0)]);
    }

    async fn the_results_page_warns_when_a_department_changed_during_the_campaign(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let reader = app.browser_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let leaver = app.person("Lee Leaver", "lee@example.com", "Sales", "individual").await;
        let today = chrono::Utc::now().date_naive();
        let pulse = ls::list_instruments(&app.db).await.unwrap().into_iter().find(|i| i.key == "duet-pulse").unwrap();
        let input = duet_core::listen::campaigns::CampaignInput { instrument: pulse.id, title: "Last pulse".into(), opens_on: today - chrono::Days::new(30), closes_on: today - chrono::Days::new(10), remind_on: today - chrono::Days::new(12), departments: vec![sales], min_group: 5 };
        let id = ls::insert_campaign(&app.db, admin.user_id, &input).await.unwrap().id;
        assert!(!ls::fix_population(&app.db, id).await.unwrap(), "fixed as it was created: it opened before today");
        for i in 0..2 {
            let (status, _) = admin.post("/people", json!({"name": format!("Newcomer {i}"), "email": format!("new{i}@example.com"), "department_id": sales, "level": "individual"})).await;
            assert_eq!(status, 201);
        }
        let (status, _) = admin.post(&format!("/people/{leaver}/archive"), json!({})).await;
        assert_eq!(status, 200);
        // As if it had all happened while the campaign ran: fixed at opening, changed mid-way.
        let opened = chrono::Utc::now() - chrono::Duration::days(30);
        let midway = chrono::Utc::now() - chrono::Duration::days(20);
        match &app.db {
            duet_store::Db::Sqlite(pool) => {
                sqlx::query("update campaigns set population_at = $1 where id = $2").bind(opened).bind(id).execute(pool).await.unwrap();
                sqlx::query("update audit_log set at = $1 where subject_kind = 'person' and at > $2").bind(midway).bind(opened).execute(pool).await.unwrap();
            }
            duet_store::Db::Postgres(pool) => {
                sqlx::query("update campaigns set population_at = $1 where id = $2").bind(opened).bind(id).execute(pool).await.unwrap();
                sqlx::query("update audit_log set at = $1 where subject_kind = 'person' and at > $2").bind(midway).bind(opened).execute(pool).await.unwrap();
            }
        }
        let changes = ls::population_changes(&app.db, id).await.unwrap();
        assert_eq!(changes.iter().map(|c| (c.department_id, c.joined, c.left)).collect::<Vec<_>>(), vec![(sales, 2, 1)]);
        let (status, page) = reader.get(&format!("/listen/campaigns/{id}/results")).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Sales: 2 joined and 1 left during it. Compare with care"), "{page}");
    }

    async fn an_administrator_who_sets_a_password_or_makes_a_token_cannot_answer_or_read_as_that_person(app: &TestApp) {
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let victim_email = app.account(Role::Member, Some("Sales")).await;
        let (victim, hash) = accounts::find_login(&app.db, &victim_email).await.unwrap().unwrap();
        let (_, victim_token) = accounts::insert_token_by(&app.db, Some(victim.id), UserId(victim.id), "mine").await.unwrap();
        let other_email = app.account(Role::Member, Some("Sales")).await;
        let other = accounts::find_login(&app.db, &other_email).await.unwrap().unwrap().0;
        let sales = app.dept("Sales").await;
        let (_, list) = it_lead.get("/instruments").await;
        let pulse = list.as_array().unwrap().iter().find(|i| i["key"] == "duet-pulse").unwrap().clone();
        let today = chrono::Utc::now().date_naive();
        let (status, c) = it_lead.post("/campaigns", json!({"instrument_id": pulse["id"], "title": "Pulse", "opens_on": today.to_string(), "closes_on": (today + chrono::Days::new(14)).to_string(), "departments": [sales]})).await;
        assert_eq!(status, 201, "{c}");
        let id = c["id"].as_i64().unwrap();
        let path = format!("/campaigns/{id}/response");
        let answer = json!({"ratings": all_ratings(&pulse["definition"]["items"], "5")});
        // The victim answers and can read their answers back.
        assert_eq!(call(app, &victim_token, reqwest::Method::POST, &path, Some(answer.clone())).await.0, 201);
        assert_eq!(call(app, &victim_token, reqwest::Method::GET, &path, None).await.0, 200);

        // The attack: a new password for the victim, set on the command line (the same one the
        // test accounts share, so the administrator can sign in with it).
        accounts::set_password(&app.db, UserId(victim.id), &hash).await.unwrap();
        let browser = crate::common::Browser::new(&app.base);
        assert_eq!(browser.login(&victim_email, PASSWORD).await.status(), 303);
        let (status, page) = browser.get(&format!("/listen/campaigns/{id}")).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("was set by someone else after this survey opened, so your account cannot be used to answer or read answers here"), "{page}");
        assert!(!page.contains("Change your answers") && !page.contains("Send my answers") && !page.contains("checked"), "no form, no answers: {page}");
        let (_, listing) = browser.get("/listen").await;
        assert!(!listing.contains("you answered"), "nor whether they answered: {listing}");
        let fields: Vec<(String, String)> = pulse["definition"]["items"].as_array().unwrap().iter().map(|i| (format!("item.{}", i["code"].as_str().unwrap()), "1".to_string())).collect();
        let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        form.push(("mode", "edit"));
        let (status, page, _) = browser.post_form(&format!("/listen/campaigns/{id}/respond"), &form).await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains("was set by someone else after this survey opened"), "{page}");
        // Every credential of the account is held back, the victim's own token too.
        for method in [reqwest::Method::GET, reqwest::Method::PUT] {
            let body = (method == reqwest::Method::PUT).then(|| answer.clone());
            let (status, v) = call(app, &victim_token, method, &path, body).await;
            assert_eq!((status, v["error"]["field"].as_str()), (409, Some("campaign")), "{v}");
            assert!(v["error"]["message"].as_str().unwrap().ends_with(ls::BORROWED_CREDENTIALS), "{v}");
        }

        // A token made for someone else's account (as `duet token create --email` does) neither
        // answers nor reads.
        let (_, cli_token) = accounts::insert_token(&app.db, UserId(other.id), "made for them").await.unwrap();
        for (method, body) in [(reqwest::Method::POST, Some(answer.clone())), (reqwest::Method::GET, None)] {
            let (status, v) = call(app, &cli_token, method, &path, body).await;
            assert_eq!(status, 409, "{v}");
            assert!(v["error"]["message"].as_str().unwrap().ends_with(ls::BORROWED_CREDENTIALS), "{v}");
        }
        // Revoked, the account is its owner's again.
        let tokens = accounts::list_tokens(&app.db, UserId(other.id)).await.unwrap();
        for t in tokens.iter().filter(|t| t.name == "made for them") {
            accounts::revoke_token(&app.db, t.id).await.unwrap();
        }
        let other_browser = crate::common::Browser::new(&app.base);
        assert_eq!(other_browser.login(&other_email, PASSWORD).await.status(), 303);
        let (_, page) = other_browser.get(&format!("/listen/campaigns/{id}")).await;
        assert!(page.contains("Send my answers") && !page.contains("someone else"), "{page}");
    }

    async fn the_audit_log_is_paged_and_documented(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        for i in 0..5 {
            let (status, _) = admin.post("/people", json!({"name": format!("Person {i}"), "email": format!("p{i}@example.com"), "department_id": sales, "level": "individual"})).await;
            assert_eq!(status, 201);
        }
        let (status, first) = member.get("/audit?limit=3").await;
        assert_eq!(status, 200);
        assert_eq!(first["items"].as_array().unwrap().len(), 3);
        assert_eq!(first["items"][0]["summary"], "Added Person 4 <p4@example.com> to Sales", "newest first");
        let before = first["next_before"].as_i64().unwrap();
        let (_, second) = member.get(&format!("/audit?limit=3&before={before}")).await;
        assert!(second["items"][0]["id"].as_i64().unwrap() < before);
        assert_eq!(second["items"][0]["summary"], "Added Person 1 <p1@example.com> to Sales");
        let (status, _) = member.get("/audit?before=abc").await;
        assert_eq!(status, 400);
        let browser = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, page) = browser.get(&format!("/audit?before={before}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Person 1") && !page.contains("Person 4") && page.contains("Newest changes"), "{page}");
        let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
        assert!(doc["paths"]["/audit"]["get"]["tags"][0] == "audit", "{}", doc["paths"]["/audit"]);
        let (status, _) = reqwest::Client::new().get(format!("{}/api/v1/audit", app.base)).send().await.map(|r| (r.status().as_u16(), ())).unwrap();
        assert_eq!(status, 401, "signed-in users only");
    }
}

app_test! {
    async fn departments_settings_and_campaigns_are_logged_with_before_and_after_and_members_read_only_their_part(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let (status, d) = admin.post("/departments", json!({"name": "Field Ops", "kind": "business"})).await;
        assert_eq!(status, 201, "{d}");
        let id = d["id"].as_i64().unwrap();
        let (status, _) = admin.send(reqwest::Method::PUT, &format!("/departments/{id}"), json!({"name": "=Field Services", "kind": "business"})).await;
        assert_eq!(status, 200);
        let (status, s) = admin.send(reqwest::Method::PUT, "/portfolio/settings", json!({"budget": "120000", "capacity_days": 900, "tolerance_pct": 12.5, "wait_days": 14})).await;
        assert_eq!(status, 200, "{s}");
        let (_, log) = admin.get("/audit").await;
        let entries = log["items"].as_array().unwrap();
        let find = |action: &str| entries.iter().find(|e| e["action"] == action).unwrap_or_else(|| panic!("{action} not in {log}")).clone();
        let renamed = find("department.update");
        assert_eq!(renamed["before_value"], "name: Field Ops", "only what changed: {renamed}");
        assert_eq!(renamed["after_value"], "name: =Field Services");
        assert_eq!(find("department.create")["before_value"], Value::Null);
        let settings = find("settings.portfolio");
        assert!(settings["after_value"].as_str().unwrap().contains("budget: 120000.00; capacity: 900 days; tolerance: 12.5%; wait: 14 days"), "{settings}");
        assert!(settings["before_value"].is_string());

        // A member reads the changes to people and campaigns, not to departments or settings.
        let (status, mine) = member.get("/audit").await;
        assert_eq!(status, 200);
        let text = mine.to_string();
        assert!(!text.contains("department.update") && !text.contains("settings.portfolio"), "{text}");
        assert!(text.contains("person.create"), "people's changes are for everyone: {text}");

        // The export: every entry the reader may read, neutralised against formulas.
        let r = admin.req(reqwest::Method::GET, "/audit/export").send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("at,by,action,subject_kind,subject_id,summary,before,after\n"), "{csv}");
        assert!(csv.contains("settings.portfolio") && csv.contains("Changed the department =Field Services"), "{csv}");
        let r = member.req(reqwest::Method::GET, "/audit/export").send().await.unwrap();
        let csv = r.text().await.unwrap();
        assert!(!csv.contains("settings.portfolio") && csv.contains("person.create"), "{csv}");
        let b = app.browser_as(Role::Admin, None).await;
        let (status, page) = b.get("/audit").await;
        assert_eq!(status, 200);
        assert!(page.contains("was name: Field Ops → name: =Field Services") && page.contains("Download the log as CSV"), "{page}");
        let (status, csv) = b.get("/audit/export.csv").await;
        assert!(status == 200 && csv.contains("department.update"));
    }
}
