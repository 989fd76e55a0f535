//! The JSON API: the error shape and statuses, paging, import/export, tokens, operations.

use crate::app_test;
use crate::common::TestApp;
use duet_core::auth::Role;
use reqwest::Method;
use serde_json::json;

app_test! {
    async fn api_requires_a_valid_token_and_says_so_in_the_error_shape(app: &TestApp) {
        let r = reqwest::Client::new().get(format!("{}/api/v1/people", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        let r = reqwest::Client::new().get(format!("{}/api/v1/people", app.base)).bearer_auth("duet_nope").send().await.unwrap();
        assert_eq!(r.status(), 401);
        let api = app.api_as(Role::Member, None).await;
        let (status, body) = api.get("/no/such/route").await;
        assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
    }

    async fn people_are_listed_in_pages_with_filters(app: &TestApp) {
        for i in 0..60 {
            app.person(&format!("Person {i:02}"), &format!("p{i}@example.com"), if i < 20 { "Sales" } else { "Finance" }, "individual").await;
        }
        let api = app.api_as(Role::Member, None).await;
        let (status, page) = api.get("/people?limit=50").await;
        assert_eq!(status, 200);
        assert_eq!((page["items"].as_array().unwrap().len(), page["total"].as_i64()), (50, Some(60)));
        let sales = app.dept("Sales").await;
        let (_, page) = api.get(&format!("/people?department_id={sales}&limit=5&offset=5")).await;
        assert_eq!((page["items"].as_array().unwrap().len(), page["total"].as_i64()), (5, Some(20)));
        assert_eq!(page["items"][0]["name"], "Person 05");
        assert_eq!(page["items"][0]["department_name"], "Sales");
        let (_, page) = api.get("/people?q=person%2059").await;
        assert_eq!(page["total"], 1);
        let (status, body) = api.get("/people?level=wizard").await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("level")));
        let (status, body) = api.get("/people?limit=abc").await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_request")));
    }

    async fn creating_people_reports_each_bad_input_with_its_status_and_field(app: &TestApp) {
        let api = app.api_as(Role::Admin, None).await;
        let it = app.dept("IT").await;
        let ok = json!({"name": "Ada Lovelace", "email": "ada@example.com", "department_id": it, "title": "CTO", "level": "executive"});
        let (status, person) = api.post("/people", ok.clone()).await;
        assert_eq!(status, 201, "{person}");
        assert_eq!(person["email"], "ada@example.com");
        let (status, body) = api.post("/people", ok.clone()).await;
        assert_eq!((status, body["error"]["code"].as_str(), body["error"]["field"].as_str()), (409, Some("conflict"), Some("email")));
        let mut bad = ok.clone();
        bad["email"] = json!("ada at example");
        let (status, body) = api.post("/people", bad).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("email")));
        assert!(body["error"]["message"].as_str().unwrap().contains("not a valid e-mail"));
        let mut bad = ok.clone();
        bad["email"] = json!("new@example.com");
        bad["department_id"] = json!(4242);
        let (status, body) = api.post("/people", bad).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("department_id")));
        let r = api.req(Method::POST, "/people").header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(r.status(), 400);
        let huge = "x".repeat(200 * 1024);
        let r = api.req(Method::POST, "/people").json(&json!({"name": huge})).send().await.unwrap();
        assert_eq!(r.status(), 413);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "payload_too_large");
        let (_, list) = api.get("/people").await;
        assert_eq!(list["total"], 1, "nothing else was written");
        let id = person["id"].as_i64().unwrap();
        let mut moved = ok.clone();
        moved["title"] = json!("Chief Technology Officer");
        let (status, updated) = api.send(Method::PUT, &format!("/people/{id}"), moved).await;
        assert_eq!((status, updated["title"].as_str()), (200, Some("Chief Technology Officer")));
        let (status, archived) = api.post(&format!("/people/{id}/archive"), json!({})).await;
        assert_eq!(status, 200);
        assert!(archived["archived_at"].is_string());
        let (status, _) = api.get("/people/999999").await;
        assert_eq!(status, 404);
    }

    async fn csv_import_is_all_or_nothing_and_export_round_trips(app: &TestApp) {
        let api = app.api_as(Role::ItLeader, Some("IT")).await;
        let bad = "name,email,department,title,level\nAl,al@example.com,IT,,individual\nBo,bo-at-example,Sales,,individual\nCy,cy@example.com,Sales,,boss\n";
        let r = api.req(Method::POST, "/people/import").header("content-type", "text/csv").body(bad).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_csv");
        let details = body["error"]["details"].as_array().unwrap();
        assert_eq!((details[0]["line"].as_i64(), details[0]["column"].as_str()), (Some(3), Some("email")));
        assert_eq!((details[1]["line"].as_i64(), details[1]["column"].as_str()), (Some(4), Some("level")));
        let (_, list) = api.get("/people").await;
        assert_eq!(list["total"], 1, "only the importer's own record exists");
        let good = "name,email,department,title,level\nAl,al@example.com,IT,,individual\nBo,bo@example.com,Sales,,individual\n";
        let r = api.req(Method::POST, "/people/import").body(good).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let summary: serde_json::Value = r.json().await.unwrap();
        assert_eq!((summary["created"].as_i64(), summary["updated"].as_i64()), (Some(2), Some(0)));
        let csv = api.req(Method::GET, "/people/export").send().await.unwrap().text().await.unwrap();
        assert_eq!(csv.lines().count(), 4);
        let r = api.req(Method::POST, "/people/import").body(csv).send().await.unwrap();
        let summary: serde_json::Value = r.json().await.unwrap();
        assert_eq!((summary["created"].as_i64(), summary["updated"].as_i64()), (Some(0), Some(3)));
    }

    async fn revoked_tokens_and_disabled_accounts_lose_access(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let member = app.api_as(Role::Member, None).await;
        let (status, created) = member.post("/tokens", json!({"name": "second"})).await;
        assert_eq!(status, 201);
        let second = created["secret"].as_str().unwrap().to_string();
        let id = created["token"]["id"].as_i64().unwrap();
        let r = member.req(Method::DELETE, &format!("/tokens/{id}")).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let r = reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(&second).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let (status, _) = member.get("/me").await;
        assert_eq!(status, 200);
        // Disabling needs only `disabled`: the role is kept, not re-sent.
        let leader = app.api_as(Role::BusinessLeader, None).await;
        let (status, user) = admin.send(Method::PATCH, &format!("/users/{}", leader.user_id), json!({"disabled": true})).await;
        assert_eq!((status, user["role"].as_str(), user["disabled_at"].is_string()), (200, Some("business_leader"), true), "{user}");
        let (status, user) = admin.send(Method::PATCH, &format!("/users/{}", leader.user_id), json!({"role": "executive"})).await;
        assert_eq!((status, user["role"].as_str(), user["disabled_at"].is_string()), (200, Some("executive"), true), "a role change keeps it disabled: {user}");
        let (status, user) = admin.send(Method::PATCH, &format!("/users/{}", member.user_id), json!({"role": "member", "disabled": true})).await;
        assert_eq!(status, 200, "{user}");
        let (status, _) = member.get("/me").await;
        assert_eq!(status, 401);
        let (status, body) = admin.send(Method::PATCH, &format!("/users/{}", admin.user_id), json!({"role": "member"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")), "admins cannot demote themselves");
    }

    async fn passwords_change_through_the_api_only_with_the_current_one(app: &TestApp) {
        let api = app.api_as(Role::Member, None).await;
        let (status, body) = api.post("/me/password", json!({"current_password": "wrong password!", "new_password": "a brand new passphrase"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("current_password")));
        let (status, body) = api.post("/me/password", json!({"current_password": crate::common::PASSWORD, "new_password": "short"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("password")));
        let r = api.req(Method::POST, "/me/password").json(&json!({"current_password": crate::common::PASSWORD, "new_password": "a brand new passphrase"})).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let me = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(api.user_id)).await.unwrap();
        let (_, hash) = duet_store::accounts::find_login(&app.db, &me.email).await.unwrap().unwrap();
        assert!(duet_core::secret::verify_password("a brand new passphrase", &hash));
    }

    async fn nobody_moves_themselves_to_another_department(app: &TestApp) {
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let me = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(it_lead.user_id)).await.unwrap();
        let person = me.person_id.unwrap();
        let (_, p) = it_lead.get(&format!("/people/{person}")).await;
        let sales = app.dept("Sales").await;
        let (status, _) = it_lead.send(Method::PUT, &format!("/people/{person}"), json!({"name": p["name"], "email": p["email"], "department_id": sales, "level": "manager"})).await;
        assert_eq!(status, 403);
        let admin = app.api_as(Role::Admin, None).await;
        let (status, _) = admin.send(Method::PUT, &format!("/people/{person}"), json!({"name": p["name"], "email": p["email"], "department_id": sales, "level": "manager"})).await;
        assert_eq!(status, 200, "another administrator may");
    }

    async fn accounts_are_created_with_checked_fields(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let (status, body) = admin.post("/users", json!({"email": "new@example.com", "name": "New", "role": "executive", "password": "short"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("password")));
        let (status, body) = admin.post("/users", json!({"email": "new@example.com", "name": "New", "role": "king", "password": "long enough password"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("role")));
        let (status, user) = admin.post("/users", json!({"email": "New@Example.com", "name": "New", "role": "executive", "password": "long enough password"})).await;
        assert_eq!((status, user["email"].as_str(), user["role"].as_str()), (201, Some("new@example.com"), Some("executive")));
        assert!(user.get("password_hash").is_none());
        let (status, body) = admin.post("/users", json!({"email": "new@example.com", "name": "Again", "role": "member", "password": "long enough password"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("email")));
    }

    async fn cached_directory_pages_follow_every_change(app: &TestApp) {
        let api = app.api_as(Role::Admin, None).await;
        let (_, before) = api.get("/people?q=zed").await;
        assert_eq!(before["total"], 0);
        let it = app.dept("IT").await;
        let (status, p) = api.post("/people", json!({"name": "Zed Zimmer", "email": "zed@example.com", "department_id": it, "level": "manager"})).await;
        assert_eq!(status, 201);
        let (_, after) = api.get("/people?q=zed").await;
        assert_eq!(after["total"], 1, "a write through the API is seen at once");
        // A change made behind the web layer (another replica, the CLI) is seen too.
        duet_store::org::set_person_archived(&app.db, duet_core::org::PersonId(p["id"].as_i64().unwrap()), true).await.unwrap();
        let (_, archived) = api.get("/people?q=zed").await;
        assert_eq!(archived["total"], 0);
    }

    async fn operations_endpoints_answer(app: &TestApp) {
        let c = reqwest::Client::new();
        assert_eq!(c.get(format!("{}/healthz", app.base)).send().await.unwrap().text().await.unwrap(), "ok");
        assert_eq!(c.get(format!("{}/readyz", app.base)).send().await.unwrap().status(), 200);
        let metrics = app.metrics().await;
        assert!(metrics.contains("http_requests_total"), "{metrics}");
        let r = c.get(format!("{}/healthz", app.base)).send().await.unwrap();
        assert!(r.headers().contains_key("x-request-id"));
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    }

    async fn the_openapi_document_describes_every_route(app: &TestApp) {
        let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        for p in ["/people", "/people/{id}", "/people/import", "/people/export", "/departments", "/departments/{id}", "/users", "/users/{id}", "/tokens", "/tokens/{id}", "/me"] {
            assert!(paths.contains_key(p), "missing {p}");
        }
        assert!(doc["components"]["schemas"]["Person"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }

    async fn lists_page_with_a_total_and_narrow_by_department(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let (sales, finance) = (app.dept("Sales").await, app.dept("Finance").await);
        // (count of items, total, first id) of one response.
        fn seen(page: &serde_json::Value) -> (usize, i64, i64) {
            (page["items"].as_array().unwrap().len(), page["total"].as_i64().unwrap(), page["items"][0]["id"].as_i64().or_else(|| page["items"][0]["id"].as_str().and_then(|s| s.parse().ok())).unwrap_or(-1))
        }

        // Outcomes: two for Sales, one for Finance.
        for (d, t) in [(sales, "Quotes out in a day"), (sales, "No lost leads"), (finance, "Books closed by day 3")] {
            duet_store::metrics::insert_outcome(&app.db, d, t, 3, admin.user_id).await.unwrap();
        }
        let (status, first) = admin.get("/outcomes?limit=1").await;
        assert_eq!(status, 200, "{first}");
        assert_eq!((first["limit"].as_i64(), first["offset"].as_i64()), (Some(1), Some(0)));
        let (n, total, a) = seen(&first);
        assert_eq!((n, total), (1, 3));
        let (_, second) = admin.get("/outcomes?limit=1&offset=1").await;
        let (n, total, b) = seen(&second);
        assert_eq!((n, total, second["offset"].as_i64()), (1, 3, Some(1)));
        assert_ne!(a, b, "the offset moves the page");
        let (_, page) = admin.get(&format!("/outcomes?department_id={sales}&limit=1")).await;
        assert_eq!((seen(&page).0, seen(&page).1, page["items"][0]["department_id"].as_i64()), (1, 2, Some(sales)));

        // Voice inbox: two pain points for Sales, one for Finance.
        for (d, t) in [(sales, "Quotes take three days to approve."), (sales, "The CRM logs us out at lunch."), (finance, "Expense claims bounce twice.")] {
            let r = reqwest::Client::new().post(format!("{}/api/v1/voice", app.base)).json(&json!({"department_id": d, "text": t})).send().await.unwrap();
            assert_eq!(r.status(), 201);
        }
        let (status, first) = admin.get("/voice/inbox?limit=1").await;
        assert_eq!(status, 200, "{first}");
        let (n, total, a) = seen(&first);
        assert_eq!((n, total), (1, 3));
        let (_, second) = admin.get("/voice/inbox?limit=1&offset=1").await;
        let (n, total, b) = seen(&second);
        assert_eq!((n, total), (1, 3));
        assert_ne!(a, b, "the offset moves the page");
        let (_, page) = admin.get(&format!("/voice/inbox?department_id={finance}")).await;
        assert_eq!((seen(&page).0, seen(&page).1, page["items"][0]["department_id"].as_i64()), (1, 1, Some(finance)));
        let (_, page) = admin.get(&format!("/voice/inbox?department_id={sales}&status=closed")).await;
        assert_eq!(seen(&page).1, 0, "the status filter still applies");
        // A department's leader sees only theirs, whatever department is asked for.
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let (_, own) = sales_lead.get("/voice/inbox").await;
        assert_eq!(seen(&own).1, 2);
        let (status, other) = sales_lead.get(&format!("/voice/inbox?department_id={finance}")).await;
        assert_eq!((status, seen(&other).1), (200, 0));

        // Campaigns: Sales alone, Finance alone, both.
        let (_, instruments) = admin.get("/instruments").await;
        let instrument = instruments.as_array().unwrap().iter().find(|i| i["key"] == "duet-pulse").unwrap()["id"].as_i64().unwrap();
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let day = |n: i64| (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string();
        for (n, departments) in [(10, json!([sales])), (11, json!([finance])), (12, json!([sales, finance]))] {
            let (status, c) = it_lead.post("/campaigns", json!({"instrument_id": instrument, "title": format!("Pulse {n}"), "opens_on": day(n), "closes_on": day(n + 14), "departments": departments})).await;
            assert_eq!(status, 201, "{c}");
        }
        let (status, first) = admin.get("/campaigns?limit=1").await;
        assert_eq!(status, 200, "{first}");
        assert_eq!((seen(&first).0, seen(&first).1, first["items"][0]["title"].as_str()), (1, 3, Some("Pulse 12")));
        let (_, second) = admin.get("/campaigns?limit=1&offset=1").await;
        assert_eq!((seen(&second).0, second["items"][0]["title"].as_str()), (1, Some("Pulse 11")));
        let (_, page) = admin.get(&format!("/campaigns?department_id={sales}")).await;
        let titles: Vec<&str> = page["items"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap()).collect();
        assert_eq!((titles, page["total"].as_i64()), (vec!["Pulse 12", "Pulse 10"], Some(2)));

        // Every other list answers a page too, with and without its department filter.
        for path in ["/users?limit=1", &format!("/users?department_id={sales}&limit=1"), "/metrics?limit=1", "/goals?limit=1",
            "/holidays?limit=1&offset=1", "/notifications?limit=1", &format!("/notifications?department_id={sales}"),
            "/voice/published?limit=1", &format!("/voice/published?department_id={sales}")] {
            let (status, page) = admin.get(path).await;
            assert_eq!(status, 200, "{path}: {page}");
            assert!(page["items"].is_array() && page["total"].is_i64() && page["limit"].is_i64() && page["offset"].is_i64(), "{path}: {page}");
        }
        let (_, users) = admin.get(&format!("/users?department_id={sales}")).await;
        assert_eq!(users["total"], 1, "the Sales leader's account: {users}");
        let (_, holidays) = admin.get("/holidays?limit=1").await;
        assert!(holidays["total"].as_i64().unwrap() > 1 && seen(&holidays).0 == 1, "{holidays}");

        // The OpenAPI document says so.
        let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
        for path in ["/users", "/campaigns", "/metrics", "/outcomes", "/goals", "/notifications", "/holidays", "/voice/published", "/voice/inbox"] {
            let schema = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap_or_default();
            let name = schema.strip_prefix("#/components/schemas/").unwrap_or_default();
            assert!(name.starts_with("Page_") && doc["components"]["schemas"][name]["properties"]["total"].is_object(), "{path}: {schema}");
            let params = doc["paths"][path]["get"]["parameters"].to_string();
            assert!(params.contains("\"limit\"") && params.contains("\"offset\""), "{path}: {params}");
        }
    }
}

app_test! {
    async fn the_openapi_document_describes_what_the_server_does(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        // Paging past any list's end is an empty page, not an overflow (schemathesis found a 500).
        let (status, page) = admin.get("/requests?open=true&offset=9223372036854775807").await;
        assert_eq!((status, page["items"].as_array().map(Vec::len)), (200, Some(0)), "{page}");
        let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
        let schemas = &doc["components"]["schemas"];
        // Two Rust types of one name each keep their own schema.
        for (name, property, value) in [
            ("MetricDirection", None, "higher_better"),
            ("Direction", None, "improved"),
            ("MaturityLevel", None, "order_taker"),
            ("Level", None, "individual"),
            ("SoftwareReview", Some("software_id"), ""),
            ("Review", Some("department_id"), ""),
            ("RequestOverlap", Some("a_request_id"), ""),
            ("SoftwareOverlap", Some("what"), ""),
            ("CampaignComment", Some("key"), ""),
            ("PostComment", Some("id"), ""),
            ("InstrumentSection", Some("code"), ""),
            ("EditionSection", None, "you_said"),
        ] {
            let s = &schemas[name];
            match property {
                Some(p) => assert!(s["properties"][p].is_object(), "{name}.{p}: {s}"),
                None => assert!(s["enum"].to_string().contains(value), "{name} has {value}: {s}"),
            }
        }
        // Query values that take fixed words say which; the audit log's paging is in the query.
        let param = |path: &str, name: &str| -> serde_json::Value {
            doc["paths"][path]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{path} {name}")).clone()
        };
        assert!(param("/requests", "lane")["schema"].to_string().contains("portfolio"));
        assert!(param("/requests", "status")["schema"].to_string().contains("need_confirmed"));
        assert_eq!(param("/audit", "limit")["in"], "query");
        assert_eq!(param("/audit", "before")["required"], false);
        // A body field that takes fixed words says which.
        let body = doc["paths"]["/requests"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap().trim_start_matches("#/components/schemas/").to_string();
        assert!(schemas[&body]["properties"]["urgency"].to_string().contains("critical"), "{}", schemas[&body]);
        // A body of the wrong JSON type is a documented 400.
        assert!(doc["paths"]["/goals"]["post"]["responses"]["400"].is_object());
    }
}
