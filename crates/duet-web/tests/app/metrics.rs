//! Metrics and coverage over HTTP on both backends: values (decimal comma, explicit replace and
//! its history), CSV import, coverage, and actions hidden from roles that cannot take them.

use crate::app_test;
use crate::common::TestApp;
use duet_core::auth::Role;
use reqwest::Method;
use serde_json::json;

app_test! {
    async fn metrics_are_recorded_imported_and_covered(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let (status, _) = member.post("/metrics", json!({"name": "CRM uptime", "unit": "%", "direction": "higher_better", "target": 99.5})).await;
        assert_eq!(status, 403);
        let (status, m) = it.post("/metrics", json!({"name": "CRM uptime", "unit": "%", "direction": "higher_better", "target": 99.5})).await;
        assert_eq!(status, 201, "{m}");
        let id = m["id"].as_i64().unwrap();
        let (status, body) = it.post(&format!("/metrics/{id}/values"), json!({"department_id": sales, "period": "2026-13", "value": 99})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("period")));
        let (status, body) = it.post(&format!("/metrics/{id}/values"), json!({"department_id": 4242, "period": "2026-01", "value": 99})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("department_id")));
        let this_month = chrono::Utc::now().format("%Y-%m").to_string();
        let csv = format!("metric,period,department,value\nCRM uptime,2026-01,Sales,95.0\nCRM uptime,{this_month},Sales,99.0\nCRM uptime,2026-02,Nowhere,1\n");
        let r = it.req(Method::POST, "/metrics/import").body(csv.clone()).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!((body["error"]["details"][0]["line"].as_i64(), body["error"]["details"][0]["column"].as_str()), (Some(4), Some("department")));
        let (_, values) = it.get(&format!("/metrics/{id}/values")).await;
        assert!(values.as_array().unwrap().is_empty(), "nothing imported");
        let good = csv.lines().take(3).collect::<Vec<_>>().join("\n");
        let r = it.req(Method::POST, "/metrics/import").body(good).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let (_, view) = member.get(&format!("/metrics/{id}")).await;
        assert_eq!((view["states"][0]["status"].as_str(), view["states"][0]["trend"].as_str()), (Some("off_target"), Some("improving")));
        let (status, _) = it.post("/outcomes", json!({"department_id": sales, "title": "Reps can trust the pipeline", "weight": 5})).await;
        assert_eq!(status, 403, "IT does not decide what Sales cares about");
        let (status, o) = sales_lead.post("/outcomes", json!({"department_id": sales, "title": "Reps can trust the pipeline", "weight": 5})).await;
        assert_eq!(status, 201);
        let (status, _) = sales_lead.post("/outcomes", json!({"department_id": sales, "title": "Quotes out the same day", "weight": 3})).await;
        assert_eq!(status, 201);
        let (_, cov) = member.get("/coverage").await;
        let sales_cov = cov["departments"].as_array().unwrap().iter().find(|d| d["department_name"] == "Sales").unwrap().clone();
        assert_eq!(sales_cov["score"].as_f64(), Some(0.0));
        assert_eq!(cov["metrics_nobody_cares_about"][0]["name"], "CRM uptime");
        let r = it.req(Method::PUT, &format!("/metrics/{id}/outcomes/{}", o["id"])).json(&json!({"mapped": true})).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let (_, cov) = member.get("/coverage").await;
        let sales_cov = cov["departments"].as_array().unwrap().iter().find(|d| d["department_name"] == "Sales").unwrap().clone();
        assert_eq!(sales_cov["score"].as_f64(), Some(62.5), "5 of 8 weight measured");
        assert!(cov["metrics_nobody_cares_about"].as_array().unwrap().is_empty());
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, page) = b.get(&format!("/measures/{id}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("<svg class=\"spark\""), "sparkline drawn on the server");
        let (status, page) = b.get("/coverage").await;
        assert_eq!(status, 200);
        assert!(page.contains("Quotes out the same day") && page.contains("not measured"));
    }

    async fn a_decimal_comma_is_read_and_a_recorded_month_is_replaced_only_when_asked(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales = app.dept("Sales").await;
        let (_, m) = it.post("/metrics", json!({"name": "Uptime", "unit": "%", "direction": "higher_better", "target": 99.5})).await;
        let id = m["id"].as_i64().unwrap();
        let (status, _) = it.post(&format!("/metrics/{id}/values"), json!({"department_id": sales, "period": "2026-10", "value": "99,7"})).await;
        assert_eq!(status, 204);
        let (_, values) = it.get(&format!("/metrics/{id}/values")).await;
        assert_eq!(values[0]["value"].as_f64(), Some(99.7), "99,7 is 99.7, not 997");
        let (status, body) = it.post(&format!("/metrics/{id}/values"), json!({"department_id": sales, "period": "2026-09", "value": "1,234"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("value")));
        assert!(body["error"]["message"].as_str().unwrap().contains("ambiguous"), "{body}");
        let (status, body) = it.post(&format!("/metrics/{id}/values"), json!({"department_id": sales, "period": "2026-10", "value": 97.123})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("replace")), "no silent overwrite: {body}");
        let (status, _) = it.post(&format!("/metrics/{id}/values"), json!({"department_id": sales, "period": "2026-10", "value": 97.123, "replace": true})).await;
        assert_eq!(status, 204);
        let (_, values) = it.get(&format!("/metrics/{id}/values")).await;
        assert_eq!(values[0]["value"].as_f64(), Some(97.123), "every digit kept");
        let (status, h) = it.get(&format!("/metrics/{id}/history")).await;
        assert_eq!(status, 200);
        assert_eq!((h[0]["old_value"].as_f64(), h[0]["new_value"].as_f64(), h[0]["source"].as_str()), (Some(99.7), Some(97.123), Some("entry")));
        assert!(h[0]["changed_by"].as_str().unwrap().starts_with("IT leader"), "{h}");
        // The page: a refused replace keeps what was typed; with the box ticked it goes through.
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let fields = [("department_id", sales.to_string()), ("period", "2026-10".to_string()), ("value", "96,5".to_string())];
        let typed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, page, _) = b.post_form(&format!("/measures/{id}/values"), &typed).await;
        assert_eq!(status, 409);
        assert!(page.contains("value=\"96,5\"") && page.contains("value=\"2026-10\"") && page.contains("replace"), "{page}");
        let mut with_replace = typed.clone();
        with_replace.push(("replace", "on"));
        let (status, _, _) = b.post_form(&format!("/measures/{id}/values"), &with_replace).await;
        assert_eq!(status, 303);
        let (_, page) = b.get(&format!("/measures/{id}")).await;
        assert!(page.contains("97.123 → 96.5") && page.contains("History of values"), "{page}");
        // CSV: a different value for a recorded month refuses the file with its line, unless replace.
        let csv = "metric,period,department,value\nUptime,2026-09,Sales,98\nUptime,2026-10,Sales,\"95,5\"\n";
        let r = it.req(Method::POST, "/metrics/import").body(csv).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!((body["error"]["details"][0]["line"].as_i64(), body["error"]["details"][0]["column"].as_str()), (Some(3), Some("value")), "{body}");
        let r = it.req(Method::POST, "/metrics/import?replace=true").body(csv).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let (_, h) = it.get(&format!("/metrics/{id}/history")).await;
        assert_eq!((h[0]["old_value"].as_f64(), h[0]["new_value"].as_f64(), h[0]["source"].as_str()), (Some(96.5), Some(95.5), Some("import")));
        // The upload page: the same rule, with a "replace" checkbox.
        let csrf = b.csrf().await;
        let upload = |replace: bool| {
            let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(b"metric,period,department,value\nUptime,2026-10,Sales,94\n".to_vec()).file_name("v.csv"));
            let form = if replace { form.text("replace", "on") } else { form };
            b.client.post(format!("{}/measures/import?_csrf={csrf}", app.base)).multipart(form).send()
        };
        let r = upload(false).await.unwrap();
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("line 2") && page.contains("import with replace"), "{page}");
        assert_eq!(upload(true).await.unwrap().status(), 303);
        let (_, values) = it.get(&format!("/metrics/{id}/values")).await;
        assert_eq!(values.as_array().unwrap().iter().find(|v| v["period"] == "2026-10").unwrap()["value"].as_f64(), Some(94.0));
    }

    async fn metric_actions_are_shown_only_to_roles_that_may_take_them(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let (_, m) = it.post("/metrics", json!({"name": "Uptime", "unit": "%", "direction": "higher_better"})).await;
        let id = m["id"].as_i64().unwrap();
        let (_, o) = sales_lead.post("/outcomes", json!({"department_id": sales, "title": "Reps can trust the pipeline", "weight": 5})).await;
        assert!(o["id"].is_i64());
        for (role, dept, may_map, may_retire, may_record) in [
            (Role::Member, Some("Sales"), false, false, false),
            (Role::BusinessLeader, Some("Marketing"), false, false, false),
            (Role::BusinessLeader, Some("Sales"), true, true, false),
            (Role::ItLeader, Some("IT"), true, false, true),
            (Role::Executive, Some("Finance"), true, true, false),
        ] {
            let b = app.browser_as(role, dept).await;
            let (_, metric) = b.get(&format!("/measures/{id}")).await;
            let (_, coverage) = b.get("/coverage").await;
            assert_eq!(metric.contains("map to this metric"), may_map, "{role:?} {dept:?} map");
            assert_eq!(coverage.contains(">retire<"), may_retire, "{role:?} {dept:?} retire");
            assert_eq!(metric.contains("Record a value"), may_record, "{role:?} {dept:?} record");
            let may_add = matches!(role, Role::BusinessLeader | Role::Executive);
            assert_eq!(coverage.contains("Say what a department cares about"), may_add, "{role:?} {dept:?} outcome form (their own department)");
        }
    }
}
