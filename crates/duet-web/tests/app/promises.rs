//! The trust ledger over HTTP on both backends.

use crate::app_test;
use crate::common::TestApp;
use duet_core::auth::Role;
use serde_json::json;

fn in_days(n: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string()
}

app_test! {
    async fn promises_need_a_due_date_and_only_the_promisee_closes_them(app: &TestApp) {
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("Marketing")).await;
        let dev = app.person("Dev Ops", "devops@example.com", "IT", "manager").await;
        let sales = app.dept("Sales").await;
        let (status, body) = it_lead.post("/promises", json!({"promisor_id": dev, "promisee_department_id": sales, "level": "manager", "text": "Fix the VPN drops"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("due_on")), "{body}");
        let (status, _) = member.post("/promises", json!({"promisor_id": dev, "promisee_department_id": sales, "level": "manager", "text": "Fix the VPN drops", "due_on": in_days(10)})).await;
        assert_eq!(status, 403, "a Marketing member cannot record IT's promises");
        let (status, p) = it_lead.post("/promises", json!({"promisor_id": dev, "promisee_department_id": sales, "level": "manager", "text": "Fix the VPN drops", "due_on": in_days(10)})).await;
        assert_eq!(status, 201, "{p}");
        let id = p["id"].as_i64().unwrap();
        let (status, _) = it_lead.post(&format!("/promises/{id}/close"), json!({"kept": true})).await;
        assert_eq!(status, 403, "the promisor cannot mark its own promise kept");
        let (status, body) = sales_lead.post(&format!("/promises/{id}/renegotiate"), json!({"due_on": in_days(5)})).await;
        assert_eq!(status, 409, "a renegotiation moves the date later: {body}");
        let (status, p) = sales_lead.post(&format!("/promises/{id}/renegotiate"), json!({"due_on": in_days(20)})).await;
        assert_eq!((status, p["renegotiations"].as_i64()), (200, Some(1)));
        let (status, p) = sales_lead.post(&format!("/promises/{id}/close"), json!({"kept": true})).await;
        assert_eq!((status, p["status"].as_str()), (200, Some("kept")));
        let (_, trust) = member.get("/trust").await;
        assert_eq!(trust[0]["from_name"], "IT");
        assert_eq!(trust[0]["trust"]["explanation"], "1 kept on time, 0 broken, 1 renegotiated in the last 90 days");
        let it = app.dept("IT").await;
        let (status, pair) = member.get(&format!("/trust/{it}/{sales}")).await;
        assert_eq!(status, 200);
        assert_eq!(pair["history"].as_array().unwrap().len(), 3);
    }

    async fn business_promises_to_it_count_the_same_and_pages_show_them(app: &TestApp) {
        let sales_lead = app.browser_as(Role::BusinessLeader, Some("Sales")).await;
        let it_lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let bea = app.person("Bea Sales", "bea.sales@example.com", "Sales", "executive").await.to_string();
        let it = app.dept("IT").await.to_string();
        let due = in_days(7);
        let (status, body, _) = sales_lead.post_form("/promises", &[("promisor_id", &bea), ("promisee_department_id", &it), ("level", "executive"), ("text", "Send the CRM field list"), ("due_on", "")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("a promise needs a due date"));
        let (status, _, location) = sales_lead.post_form("/promises", &[("promisor_id", &bea), ("promisee_department_id", &it), ("level", "executive"), ("text", "Send the CRM field list"), ("due_on", &due)]).await;
        assert_eq!(status, 303);
        let location = location.unwrap();
        let (status, _, _) = sales_lead.post_form(&format!("{location}/close"), &[("outcome", "broken")]).await;
        assert_eq!(status, 403, "Sales cannot judge its own promise to IT");
        let (status, _, _) = it_lead.post_form(&format!("{location}/close"), &[("outcome", "broken")]).await;
        assert_eq!(status, 303);
        let (status, trust) = it_lead.get("/trust").await;
        assert_eq!(status, 200);
        assert!(trust.contains("0 kept on time, 1 broken"), "{trust}");
        let (status, page) = it_lead.get("/promises?view=all").await;
        assert_eq!(status, 200);
        assert!(page.contains("Send the CRM field list"));
    }
}
