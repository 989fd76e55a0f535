//! Monthly reviews over HTTP on both backends: cadence, scheduling rights, invitations.

use crate::app_test;
use crate::common::TestApp;
use duet_core::auth::Role;
use duet_core::org::{DepartmentId, DepartmentInput, PersonId};
use reqwest::Method;
use serde_json::json;

/// A start a week ahead, as the form sends it, and as iCalendar writes it.
fn next_week() -> (String, String, String) {
    let at = (chrono::Utc::now() + chrono::Duration::days(8))
        .date_naive()
        .and_hms_opt(14, 0, 0)
        .unwrap();
    (
        at.format("%Y-%m-%dT%H:%M").to_string(),
        at.format("%Y%m%dT%H%M%SZ").to_string(),
        (at + chrono::Duration::minutes(45))
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
    )
}

app_test! {
    async fn reviews_are_scheduled_with_invitations_and_overdue_ones_are_called_out(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let lead = app.person("Bea Lead", "bea.lead@example.com", "Sales", "executive").await;
        let partner = app.person("Ian Partner", "ian.partner@example.com", "IT", "manager").await;
        duet_store::org::update_department(&app.db, DepartmentId(sales), &DepartmentInput { name: "Sales".into(), kind: duet_core::org::DepartmentKind::Business, leader: Some(PersonId(lead)), it_partner: Some(PersonId(partner)) }).await.unwrap();
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let marketing_lead = app.api_as(Role::BusinessLeader, Some("Marketing")).await;
        let (start, dtstart, dtend) = next_week();
        let (status, body) = it.post("/reviews", json!({"department_id": app.dept("IT").await, "starts_at": start})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("department_id")), "IT does not review itself");
        let (status, body) = it.post("/reviews", json!({"department_id": sales, "starts_at": "first of December"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("starts_at")));
        let (status, _) = marketing_lead.post("/reviews", json!({"department_id": sales, "starts_at": start})).await;
        assert_eq!(status, 403);
        let (status, r) = sales_lead.post("/reviews", json!({"department_id": sales, "starts_at": start, "minutes": 45})).await;
        assert_eq!(status, 201, "{r}");
        let id = r["id"].as_i64().unwrap();
        let ics = it.req(Method::GET, &format!("/reviews/{id}/invite.ics")).send().await.unwrap().text().await.unwrap();
        let ics = ics.replace("\r\n ", ""); // unfold long lines (RFC 5545 §3.1)
        assert!(ics.contains("METHOD:REQUEST") && ics.contains(&format!("DTSTART:{dtstart}")) && ics.contains(&format!("DTEND:{dtend}")), "{ics}");
        assert!(ics.contains("mailto:bea.lead@example.com") && ics.contains("mailto:ian.partner@example.com"));
        let (status, _) = sales_lead
            .post("/requests", json!({"title": "Quotes take two days", "problem": "Quotes need three systems and two days", "affected": "Every rep", "desired_outcome": "Same-day quotes", "department_id": sales, "urgency": "high"}))
            .await;
        assert_eq!(status, 201);
        let (status, agenda) = it.get(&format!("/reviews/{id}/agenda")).await;
        assert_eq!(status, 200, "{agenda}");
        assert_eq!(agenda["agenda"]["open_requests"][0]["text"], "Quotes take two days — submitted");
        assert!(agenda["agenda"]["open_requests"][0]["link"].as_str().unwrap().starts_with("/requests/"));
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, page) = b.get(&format!("/reviews/{id}/agenda")).await;
        assert_eq!(status, 200);
        assert!(page.contains("The ugly") && !page.contains("Quotes take two days"), "members see only their own requests on an agenda");
        let feed = sales_lead.req(Method::GET, "/calendar.ics").send().await.unwrap().text().await.unwrap();
        assert!(feed.contains("METHOD:PUBLISH") && feed.contains(&format!("UID:review-{id}@duet")));
        let subscribed = reqwest::get(format!("{}/api/v1/calendar.ics?token={}", app.base, sales_lead.token)).await.unwrap();
        assert_eq!(subscribed.status(), 200, "calendar apps subscribe with the token in the URL");
        assert_eq!(reqwest::get(format!("{}/api/v1/calendar.ics?token=duet_wrong", app.base)).await.unwrap().status(), 401);
        let (status, _) = it.send(Method::PUT, &format!("/reviews/cadence/{sales}"), json!({"review_interval_days": 3})).await;
        assert_eq!(status, 422);
        let r = it.req(Method::PUT, &format!("/reviews/cadence/{sales}")).json(&json!({"review_interval_days": 14})).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let (_, dash) = it.get("/reviews/dashboard").await;
        let line = dash.as_array().unwrap().iter().find(|l| l["row"]["department_name"] == "Sales").unwrap().clone();
        assert_eq!(line["row"]["review_interval_days"], 14);
        let (status, held) = sales_lead.post(&format!("/reviews/{id}/held"), json!({})).await;
        assert_eq!((status, held["status"].as_str()), (200, Some("held")));
        let (status, _) = sales_lead.post(&format!("/reviews/{id}/held"), json!({})).await;
        assert_eq!(status, 409);
        let (_, all) = it.get("/reviews").await;
        let planned: Vec<&serde_json::Value> = all.as_array().unwrap().iter().filter(|r| r["status"] == "planned").collect();
        assert_eq!(planned.len(), 1, "Duet planned the next review: {all}");
        let (_, dash) = it.get("/reviews/dashboard").await;
        let line = dash.as_array().unwrap().iter().find(|l| l["row"]["department_name"] == "Sales").unwrap().clone();
        assert_eq!(line["state"]["overdue_days"], 0);
        // A review held 47 days ago with a monthly cadence is overdue, in words.
        duet_store::reviews::shift(&app.db, id, 47).await.unwrap();
        it.send(Method::PUT, &format!("/reviews/cadence/{sales}"), json!({"review_interval_days": 30})).await;
        let (status, page) = b.get("/reviews").await;
        assert_eq!(status, 200);
        assert!(page.contains("no review with Sales for 47 days"), "{page}");
    }

    async fn the_record_is_signed_by_both_leaders_then_locked_and_decisions_become_promises(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let (_, r) = it.post("/reviews", json!({"department_id": sales, "starts_at": next_week().0})).await;
        let id = r["id"].as_i64().unwrap();
        let (status, _) = member.send(Method::PUT, &format!("/reviews/{id}/record"), json!({"notes": "Not mine to write"})).await;
        assert_eq!(status, 403);
        let (status, v) = it.send(Method::PUT, &format!("/reviews/{id}/record"), json!({"agenda": "The good", "attendees": "Priya, Daniel", "notes": "CRM is better", "metric_feedback": "Track quote time"})).await;
        assert_eq!((status, v["record"]["notes"].as_str()), (200, Some("CRM is better")));
        let dev = app.person("Dev Ops", "devops2@example.com", "IT", "manager").await;
        let (status, v) = it.post(&format!("/reviews/{id}/decisions"), json!({"text": "Measure quote turnaround", "promisor_id": dev, "promisee_department_id": sales, "due_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(14)).to_string()})).await;
        assert_eq!(status, 200, "{v}");
        let promise = v["decisions"][0]["promise_id"].as_i64().unwrap();
        let (_, p) = member.get(&format!("/promises/{promise}")).await;
        assert_eq!((p["promise"]["source"].as_str(), p["promise"]["source_id"].as_i64()), (Some("meeting"), Some(id)));
        let (status, _) = member.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!(status, 403);
        let (status, v) = lead.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!((status, v["record"]["locked_at"].is_null()), (200, true));
        let (_, v) = it.send(Method::PUT, &format!("/reviews/{id}/record"), json!({"agenda": "The good", "attendees": "Priya, Daniel", "notes": "CRM is better", "metric_feedback": "Track quote time"})).await;
        assert!(v["record"]["business_signed_by"].is_null(), "an edit after signing clears the signature");
        lead.post(&format!("/reviews/{id}/sign"), json!({})).await;
        let (status, body) = it.post(&format!("/reviews/{id}/corrections"), json!({"text": "Too early for corrections"})).await;
        assert_eq!(status, 409, "{body}");
        let (status, v) = it.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!((status, v["record"]["locked_at"].is_string()), (200, true));
        let (status, body) = it.send(Method::PUT, &format!("/reviews/{id}/record"), json!({"notes": "Rewriting history"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")));
        let (status, _) = it.post(&format!("/reviews/{id}/decisions"), json!({"text": "A decision after signing"})).await;
        assert_eq!(status, 409, "no new decisions on a locked record");
        let (status, v) = lead.post(&format!("/reviews/{id}/corrections"), json!({"text": "Daniel joined late"})).await;
        assert_eq!((status, v["corrections"][0]["text"].as_str(), v["record"]["notes"].as_str()), (200, Some("Daniel joined late"), Some("CRM is better")));
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, page) = b.get(&format!("/reviews/{id}/record")).await;
        assert_eq!(status, 200);
        assert!(page.contains("signed by both leaders and locked") && page.contains("became a promise"));
    }
}
