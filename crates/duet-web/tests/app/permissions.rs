//! The whole role × action matrix, walked through the API and the pages. The expectations are
//! written out here, not derived from `duet_core::can`, so a changed rule fails this test.

use crate::app_test;
use crate::common::{Api, TestApp};
use duet_core::auth::Role;
use reqwest::Method;
use serde_json::json;

const ROLES: [Role; 5] = [
    Role::Admin,
    Role::ItLeader,
    Role::BusinessLeader,
    Role::Executive,
    Role::Member,
];

/// Where each role's account sits: the business leader leads Sales.
fn home_department(role: Role) -> Option<&'static str> {
    match role {
        Role::Admin => None,
        Role::ItLeader => Some("IT"),
        Role::BusinessLeader => Some("Sales"),
        Role::Executive => Some("Finance"),
        Role::Member => Some("Customer Service"),
    }
}

/// Expected status per role, in `ROLES` order.
type Row = [u16; 5];

async fn check(action: &str, expected: Row, actual: [u16; 5]) {
    for (i, role) in ROLES.iter().enumerate() {
        assert_eq!(actual[i], expected[i], "{role:?} doing '{action}'");
    }
}

app_test! {
    async fn every_role_can_do_exactly_what_the_matrix_says(app: &TestApp) {
        let mut apis: Vec<Api> = Vec::new();
        for role in ROLES {
            apis.push(app.api_as(role, home_department(role)).await);
        }
        let sales = app.dept("Sales").await;
        let marketing = app.dept("Marketing").await;
        let target_user = app.api_as(Role::Member, None).await;
        let (_, other_token) = target_user.post("/tokens", json!({"name": "victim"})).await;
        let other_token_id = other_token["token"]["id"].as_i64().unwrap();

        let mut s = [0u16; 5];
        for (i, api) in apis.iter().enumerate() { s[i] = api.get("/people").await.0; }
        check("view people", [200, 200, 200, 200, 200], s).await;
        for (i, api) in apis.iter().enumerate() { s[i] = api.get(&format!("/departments/{sales}")).await.0; }
        check("view a department", [200, 200, 200, 200, 200], s).await;
        for (i, api) in apis.iter().enumerate() { s[i] = api.get("/audit").await.0; }
        check("read the audit log", [200, 200, 200, 200, 200], s).await;

        for (i, api) in apis.iter().enumerate() {
            s[i] = api.post("/departments", json!({"name": format!("New {i}"), "kind": "business"})).await.0;
        }
        check("create department", [201, 201, 403, 403, 403], s).await;
        for (i, api) in apis.iter().enumerate() {
            s[i] = api.send(Method::PUT, &format!("/departments/{sales}"), json!({"name": "Sales", "kind": "business"})).await.0;
        }
        check("edit department", [200, 200, 403, 403, 403], s).await;

        for (i, api) in apis.iter().enumerate() {
            s[i] = api.post("/people", json!({"name": "S", "email": format!("sales{i}@example.com"), "department_id": sales, "level": "individual"})).await.0;
        }
        check("add person to Sales", [201, 201, 201, 403, 403], s).await;
        for (i, api) in apis.iter().enumerate() {
            s[i] = api.post("/people", json!({"name": "M", "email": format!("mkt{i}@example.com"), "department_id": marketing, "level": "individual"})).await.0;
        }
        check("add person to Marketing", [201, 201, 403, 403, 403], s).await;

        for (i, api) in apis.iter().enumerate() {
            let id = app.person("Mover", &format!("mover{i}@example.com"), "Sales", "individual").await;
            s[i] = api.send(Method::PUT, &format!("/people/{id}"), json!({"name": "Mover", "email": format!("mover{i}@example.com"), "department_id": marketing, "level": "individual"})).await.0;
        }
        check("move person from Sales to Marketing", [200, 200, 403, 403, 403], s).await;
        for (i, api) in apis.iter().enumerate() {
            let id = app.person("Leaver", &format!("leaver{i}@example.com"), "Sales", "individual").await;
            s[i] = api.post(&format!("/people/{id}/archive"), json!({})).await.0;
        }
        check("archive person in Sales", [200, 200, 200, 403, 403], s).await;

        for (i, api) in apis.iter().enumerate() {
            let csv = format!("name,email,department,title,level\nImp,imp{i}@example.com,Sales,,individual\n");
            s[i] = api.req(Method::POST, "/people/import").body(csv).send().await.unwrap().status().as_u16();
        }
        check("import people", [200, 200, 403, 403, 403], s).await;
        for (i, api) in apis.iter().enumerate() { s[i] = api.req(Method::GET, "/people/export").send().await.unwrap().status().as_u16(); }
        check("export people", [200, 200, 403, 403, 403], s).await;

        for (i, api) in apis.iter().enumerate() { s[i] = api.get("/users").await.0; }
        check("list accounts", [200, 403, 403, 403, 403], s).await;
        for (i, api) in apis.iter().enumerate() {
            s[i] = api.post("/users", json!({"email": format!("made{i}@example.com"), "name": "Made", "role": "member", "password": "long enough password"})).await.0;
        }
        check("create account", [201, 403, 403, 403, 403], s).await;
        for (i, api) in apis.iter().enumerate() {
            s[i] = api.send(Method::PATCH, &format!("/users/{}", target_user.user_id), json!({"role": "member"})).await.0;
        }
        check("change an account's role", [200, 403, 403, 403, 403], s).await;

        for (i, api) in apis.iter().enumerate() { s[i] = api.post("/tokens", json!({"name": "mine"})).await.0; }
        check("create own token", [201, 201, 201, 201, 201], s).await;

        // Promises: in a Sales person's name only they, Sales' business leader, IT leaders and
        // admins may record one (the executive sits in Finance, the member in Customer Service).
        let it_dept = app.dept("IT").await;
        for (i, api) in apis.iter().enumerate() {
            let colleague = app.person("Promisor", &format!("promisor{i}@example.com"), "Sales", "individual").await;
            s[i] = api.post("/promises", json!({"promisor_id": colleague, "promisee_department_id": it_dept, "level": "individual", "text": "Send the field list", "due_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string()})).await.0;
        }
        check("record a promise in a Sales person's name", [201, 201, 201, 403, 403], s).await;
        for (i, api) in apis.iter().enumerate() {
            let me = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(api.user_id)).await.unwrap().person_id;
            let Some(me) = me else { s[i] = 201; continue };
            let to = if i == 1 { sales } else { it_dept };
            s[i] = api.post("/promises", json!({"promisor_id": me, "promisee_department_id": to, "level": "individual", "text": "My own promise", "due_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string()})).await.0;
        }
        check("record one's own promise (the admin has no person: counted as allowed)", [201, 201, 201, 201, 201], s).await;

        // Listen: campaigns are run by admins and IT leaders, instruments added by admins only.
        let (_, instruments) = apis[0].get("/instruments").await;
        let pulse = instruments[0]["id"].as_i64().unwrap();
        let today = chrono::Utc::now().date_naive();
        for (i, api) in apis.iter().enumerate() {
            s[i] = api.post("/campaigns", json!({"instrument_id": pulse, "title": format!("Pulse {i}"), "opens_on": today.to_string(), "closes_on": (today + chrono::Duration::days(7)).to_string(), "departments": [sales]})).await.0;
        }
        check("create campaign", [201, 201, 403, 403, 403], s).await;
        for (i, api) in apis.iter().enumerate() {
            s[i] = api.post("/instruments", json!({"title": format!("Check {i}"), "items": "Tools | My tools work"})).await.0;
        }
        check("add instrument", [201, 403, 403, 403, 403], s).await;
        // Voice: a pain point to Sales is triaged by admins, IT leaders and Sales' own leader.
        let anon = reqwest::Client::new();
        let r = anon.post(format!("{}/api/v1/voice", app.base)).json(&json!({"department_id": sales, "text": "Quotes take three days to approve."})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let (_, inbox) = apis[0].get("/voice/inbox").await;
        let pain: i64 = inbox["items"][0]["id"].as_str().unwrap().parse().unwrap();
        for (i, api) in apis.iter().enumerate() { s[i] = api.get("/voice/inbox").await.0; }
        check("open the voice inbox", [200, 200, 200, 200, 403], s).await;
        for (i, api) in apis.iter().enumerate() {
            s[i] = api.post(&format!("/voice/inbox/{pain}/reply"), json!({"text": "We are on it."})).await.0;
        }
        check("reply to a pain point to Sales", [204, 204, 204, 403, 403], s).await;
        // Non-admins see someone else's token as missing; the admin revokes it (last, so the
        // earlier attempts are real attempts against a live token).
        for i in (0..5).rev() { s[i] = apis[i].req(Method::DELETE, &format!("/tokens/{other_token_id}")).send().await.unwrap().status().as_u16(); }
        check("revoke someone else's token", [204, 404, 404, 404, 404], s).await;
    }

    async fn pages_enforce_the_same_rules(app: &TestApp) {
        let mut s = [0u16; 5];
        let sales = app.dept("Sales").await.to_string();
        for (i, role) in ROLES.iter().enumerate() {
            let b = app.browser_as(*role, home_department(*role)).await;
            s[i] = b.get("/admin/users").await.0;
        }
        check("accounts page", [200, 403, 403, 403, 403], s).await;
        for (i, role) in ROLES.iter().enumerate() {
            let b = app.browser_as(*role, home_department(*role)).await;
            s[i] = b.post_form("/departments", &[("name", &format!("Dept {i}")), ("kind", "business")]).await.0;
        }
        check("create department form", [303, 303, 403, 403, 403], s).await;
        for (i, role) in ROLES.iter().enumerate() {
            let b = app.browser_as(*role, home_department(*role)).await;
            let email = format!("page{i}@example.com");
            s[i] = b.post_form("/people", &[("name", "P"), ("email", &email), ("department_id", &sales), ("title", ""), ("level", "individual")]).await.0;
        }
        check("add person to Sales form", [303, 303, 303, 403, 403], s).await;
        for (i, role) in ROLES.iter().enumerate() {
            let b = app.browser_as(*role, home_department(*role)).await;
            s[i] = b.get("/people/export.csv").await.0;
        }
        check("export CSV page", [200, 200, 403, 403, 403], s).await;
        for (i, role) in ROLES.iter().enumerate() {
            let b = app.browser_as(*role, home_department(*role)).await;
            s[i] = b.get("/people/import").await.0;
        }
        check("import page", [200, 200, 403, 403, 403], s).await;
    }
}
