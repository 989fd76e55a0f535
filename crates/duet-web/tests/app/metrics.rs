//! Metrics and coverage over HTTP on both backends.

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
}
