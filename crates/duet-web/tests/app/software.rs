//! Unity over HTTP on both backends: declaring a tool opens a request about its need, a review
//! says "yes, safely" (a "no" names a safe alternative, conditions are tracked until met),
//! advisory files are imported all or nothing with every problem placed, matching gives a
//! confidence (a match by name is a candidate that alarms no one), overlaps and renewals.

use crate::app_test;
use crate::common::{TestApp, error_fields as fields};
use duet_core::auth::Role;
use serde_json::{Value, json};

fn tool(name: &str, dept: i64) -> Value {
    json!({"name": name, "vendor": "Zoom Video Communications", "purpose": "Video calls with customers", "category": "Video calls", "department_id": dept, "data_class": "internal", "users": 40, "cost": "500.00", "renewal_interval": "monthly"})
}

const KEV: &str = "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes\nCVE-2023-34362,Progress,MOVEit Transfer,MOVEit SQL Injection,2023-06-02,x,Apply updates,2023-06-23,Known,,CWE-89\n";
const OSV: &str = r#"{"id":"GHSA-jfh8-c2jp-5v3q","aliases":["CVE-2021-44228"],"summary":"Remote code injection in Log4j","affected":[{"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-core"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.0-beta9"},{"fixed":"2.15.0"}]}]}]}"#;

async fn import(api: &crate::common::Api, source: &str, body: &str) -> (u16, Value) {
    let r = api
        .req(
            reqwest::Method::POST,
            &format!("/software/advisories/{source}"),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

app_test! {
    async fn a_declared_tool_opens_a_request_and_is_reviewed_yes_safely(app: &TestApp) {
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let leader = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let (sales, hr) = (app.dept("Sales").await, app.dept("Human Resources").await);

        let (s, b) = member.post("/software", json!({"name": "Z", "vendor": "Zoom", "purpose": "short", "department_id": sales, "data_class": "secret", "cpe": "zoom", "purl": "npm:zoom"})).await;
        assert_eq!(s, 422, "{b}");
        let f = fields(&b);
        for name in ["name", "purpose", "data_class", "cpe", "purl"] {
            assert!(f.iter().any(|x| x == name), "{name} in {f:?}");
        }
        assert_eq!(member.post("/software", tool("Zoom", hr)).await.0, 403, "not for another department");
        let (s, e) = member.post("/software", tool("Zoom", sales)).await;
        assert_eq!(s, 201, "{e}");
        let id = e["software"]["id"].as_i64().unwrap();
        assert_eq!(e["software"]["found"], "declared");
        let req = e["software"]["request_id"].as_i64().expect("a declaration opens a request");
        let (_, r) = member.get(&format!("/requests/{req}")).await;
        assert_eq!(r["request"]["problem"], "Video calls with customers", "{r}");
        assert_eq!(member.post("/software", tool("Zoom", sales)).await.0, 409, "once per department");
        // IT adding a tool it saw for a department is "first seen" and opens no request.
        let (s, e2) = it.post("/software", tool("Zoom", hr)).await;
        assert_eq!(s, 201, "{e2}");
        assert_eq!((e2["software"]["found"].as_str(), e2["software"]["request_id"].as_i64()), (Some("first_seen"), None));

        let again = (chrono::Utc::now().date_naive() + chrono::Duration::days(180)).to_string();
        assert_eq!(member.post(&format!("/software/{id}/reviews"), json!({"decision": "approved", "note": "Looks fine to me", "review_again_on": again})).await.0, 403);
        let (s, b) = it.post(&format!("/software/{id}/reviews"), json!({"decision": "not_approved", "note": "Recordings leave our region", "review_again_on": again})).await;
        assert_eq!((s, fields(&b)), (422, vec!["alternative".to_string()]), "a no names a safe alternative: {b}");
        let (s, b) = it.post(&format!("/software/{id}/reviews"), json!({"decision": "conditional", "note": "Fine with the right settings", "review_again_on": again})).await;
        assert_eq!((s, fields(&b)), (422, vec!["conditions".to_string()]));
        let (s, v) = it.post(&format!("/software/{id}/reviews"), json!({"decision": "conditional", "note": "Fine with the right settings", "conditions": "SSO on\nNo recordings kept", "review_again_on": again})).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["software"]["open_conditions"], 2);
        let cond = v["conditions"][0]["id"].as_i64().unwrap();
        assert_eq!(member.post(&format!("/software/{id}/conditions/{cond}/met"), json!({})).await.0, 403);
        assert_eq!(leader.post(&format!("/software/{id}/conditions/{cond}/met"), json!({})).await.0, 403, "IT, who set it, checks it");
        let (s, v) = it.post(&format!("/software/{id}/conditions/{cond}/met"), json!({})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["software"]["open_conditions"], 1);
        assert_eq!(it.post(&format!("/software/{id}/conditions/{cond}/met"), json!({})).await.0, 409);
        assert_eq!(member.get("/software?department=999999").await.0, 404);

        // Two departments' video-call tools are an overlap; the department view narrows.
        let (_, reg) = member.get("/software").await;
        let o = &reg["overlaps"][0];
        assert_eq!(o["entries"].as_array().unwrap().len(), 2, "{reg}");
        assert_eq!(o["yearly_cost"], 2 * 12 * 50000, "{o}");
        let (_, mine) = member.get(&format!("/software?department={sales}")).await;
        assert_eq!(mine["entries"].as_array().unwrap().len(), 1);
        assert_eq!(mine["unidentified"], 1);
    }

    async fn advisories_import_all_or_nothing_and_match_with_a_confidence(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let ops_lead = app.api_as(Role::BusinessLeader, Some("Operations")).await;
        let ops = app.dept("Operations").await;
        let it_dept = app.dept("IT").await;
        // The leader of Operations owns what it runs.
        let users = duet_store::accounts::list_users(&app.db).await.unwrap();
        let person = users.iter().find(|u| u.id == ops_lead.user_id).and_then(|u| u.person_id).unwrap();
        let (_, moveit) = ops_lead.post("/software", json!({"name": "MOVEit Transfer", "vendor": "Progress", "purpose": "Exchanges delivery files with carriers", "department_id": ops, "owner_person_id": person, "data_class": "personal", "users": 14})).await;
        let moveit = moveit["software"]["id"].as_i64().unwrap();
        let (s, rep) = it.post("/software", json!({"name": "Reporting service", "vendor": "In-house", "purpose": "Monthly reports from the warehouse", "department_id": it_dept, "data_class": "personal", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"})).await;
        assert_eq!(s, 201, "{rep}");
        let rep = rep["software"]["id"].as_i64().unwrap();

        assert_eq!(import(&it, "kev", KEV).await.0, 403, "admins import");
        let (s, b) = import(&admin, "kev", "cveID,vendorProject,product\nCVE-2023-34362,Progress,MOVEit\n").await;
        assert_eq!(s, 422, "{b}");
        assert!(b.to_string().contains("line 1"), "{b}");
        let dup = format!("{KEV}CVE-2023-34362,Progress,MOVEit Transfer,again,2023-06-02,x,y,2023-06-23,Known,,\n");
        let (s, b) = import(&admin, "kev", &dup).await;
        assert_eq!(s, 422);
        assert!(b.to_string().contains("line 3"), "{b}");
        let (s, b) = import(&admin, "osv", "{\"id\": \"X\", \"affected\": [").await;
        assert_eq!(s, 422);
        assert!(b.to_string().contains("malformed JSON"), "{b}");
        let (_, reg) = admin.get("/software").await;
        assert_eq!(reg["advisories"].as_array().unwrap().len(), 0, "nothing written: {reg}");

        let (s, b) = import(&admin, "kev", KEV).await;
        assert_eq!(s, 201, "{b}");
        assert_eq!((b["summary"]["added"].as_u64(), b["new_findings"].as_u64()), (Some(1), Some(1)));
        let (s, b) = import(&admin, "kev", KEV).await;
        assert_eq!((s, b["summary"]["replaced"].as_u64(), b["new_findings"].as_u64()), (201, Some(1), Some(0)), "an import again replaces");
        let (_, e) = it.get(&format!("/software/{moveit}")).await;
        assert_eq!(e["findings"][0]["confidence"], "candidate", "KEV names products: a candidate, {e}");
        assert_eq!(e["findings"][0]["due_on"], "2023-06-23");
        assert!(!ops_lead.get("/notifications").await.1.to_string().contains("Known vulnerability"), "a candidate alarms no one");

        let (s, b) = import(&admin, "osv", OSV).await;
        assert_eq!(s, 201, "{b}");
        let (_, e) = it.get(&format!("/software/{rep}")).await;
        assert_eq!(e["findings"][0]["confidence"], "exact_purl", "{e}");
        assert!(it.get("/notifications").await.1.to_string().contains("Known vulnerability GHSA-jfh8-c2jp-5v3q affects Reporting service"), "IT's leader owns it and is told");

        // A person decides: confirm the candidate.
        let finding = { let (_, e) = it.get(&format!("/software/{moveit}")).await; e["findings"][0]["id"].as_i64().unwrap() };
        assert_eq!(ops_lead.post(&format!("/software/{moveit}/findings/{finding}"), json!({"status": "confirmed", "note": "We run 2023.0.1"})).await.0, 403);
        assert_eq!(it.post(&format!("/software/{moveit}/findings/{finding}"), json!({"status": "maybe", "note": "We run 2023.0.1"})).await.0, 422);
        let (s, e) = it.post(&format!("/software/{moveit}/findings/{finding}"), json!({"status": "confirmed", "note": "We run 2023.0.1"})).await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(e["findings"][0]["status"], "confirmed");
        assert!(ops_lead.get("/notifications").await.1.to_string().contains("Known vulnerability CVE-2023-34362 affects MOVEit Transfer: review it by 2023-06-23"), "confirmed, it is an alarm for its owner");

        // A fixed version does not match.
        let (_, fixed) = it.post("/software", json!({"name": "Archive service", "vendor": "In-house", "purpose": "Keeps old reports for seven years", "department_id": it_dept, "data_class": "internal", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"})).await;
        assert_eq!(fixed["findings"].as_array().unwrap().len(), 0, "{fixed}");
    }

    async fn owners_are_reminded_of_renewals_once_per_lead_time(app: &TestApp) {
        let leader = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let users = duet_store::accounts::list_users(&app.db).await.unwrap();
        let person = users.iter().find(|u| u.id == leader.user_id).and_then(|u| u.person_id).unwrap();
        let renews = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string();
        let (s, b) = leader.post("/software", json!({"name": "Gong", "vendor": "Gong.io", "purpose": "Records sales calls for coaching", "department_id": sales, "owner_person_id": person, "data_class": "sensitive", "cost": "36,000.00", "renewal_interval": "yearly", "renewal_on": renews})).await;
        assert_eq!(s, 201, "{b}");
        let today = chrono::Utc::now().date_naive();
        let sent = duet_web::service::software::send_renewal_reminders(&app.db, today).await.unwrap();
        assert_eq!(sent, 1, "the 90- and 30-day reminders are both due: one notice says it");
        assert_eq!(duet_web::service::software::send_renewal_reminders(&app.db, today).await.unwrap(), 0, "once each");
        assert!(leader.get("/notifications").await.1.to_string().contains("Gong renews in 20 days"));
    }

    async fn an_expense_export_proposes_entries_and_adds_the_chosen_ones_at_once(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let (_, _) = member.post("/software", tool("Zoom", sales)).await;
        let send = |api: &crate::common::Api, path: &str, body: String| {
            api.req(reqwest::Method::POST, path).body(body).send()
        };
        let bad = "date,vendor,amount,department\n2026-10-01,Zoom,500.00,Sales\n2026-10-02,Gong.io,5x,Saless\n";
        let r = send(&it, "/software/expenses", bad.into()).await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let b: Value = r.json().await.unwrap();
        assert!(b.to_string().contains("amount") && b.to_string().contains("\"line\":3"), "{b}");
        let good = "date,vendor,amount,department,memo\n2026-09-01,Zoom Video Communications,500.00,Sales,\n2026-10-01,Zoom Video Communications,500.00,Sales,\n2026-11-01,Zoom Video Communications,500.00,Sales,\n2026-06-15,Gong.io,\"36,000.00\",Sales,annual\n2026-11-20,Miro,96.00,Marketing,\n";
        let r = send(&it, "/software/expenses", good.into()).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let items: Value = r.json().await.unwrap();
        let items = items.as_array().unwrap().clone();
        assert_eq!(items.len(), 3, "{items:?}");
        let zoom = items.iter().find(|i| i["vendor"] == "Zoom Video Communications").unwrap();
        assert!(zoom["already"].is_i64(), "already declared: {zoom}");
        assert_eq!(zoom["renewal_interval"], "monthly");
        let new: Vec<Value> = items.iter().filter(|i| i["already"].is_null()).cloned().collect();
        let (_, before) = it.get("/software").await;
        let n = before["entries"].as_array().unwrap().len();
        assert_eq!(member.post("/software/expenses/add", json!({"items": new.clone()})).await.0, 403, "a member adds only for their own department");
        let (_, after) = it.get("/software").await;
        assert_eq!(after["entries"].as_array().unwrap().len(), n, "nothing half-added");
        let (s, ids) = it.post("/software/expenses/add", json!({"items": new})).await;
        assert_eq!(s, 201, "{ids}");
        let (_, after) = it.get("/software").await;
        assert_eq!(after["entries"].as_array().unwrap().len(), n + 2);
        assert!(after["entries"].as_array().unwrap().iter().any(|e| e["name"] == "Gong.io" && e["found"] == "imported" && e["cost_minor"] == 3_600_000));
    }

    async fn the_register_pages_keep_what_was_typed_and_show_only_what_a_role_may_do(app: &TestApp) {
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let (s, page) = member.get("/software").await;
        assert_eq!(s, 200);
        assert!(page.contains("Declare a tool your team uses"));
        let sales = app.dept("Sales").await.to_string();
        let (s, page, _) = member.post_form("/software", &[("name", "Calendly"), ("vendor", "Calendly"), ("purpose", "short"), ("department_id", &sales), ("data_class", "internal")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("value=\"Calendly\"") && page.contains("What it is for:"), "{page}");
        let (s, _, to) = member.post_form("/software", &[("name", "Calendly"), ("vendor", "Calendly"), ("purpose", "Customers book demos in our calendars"), ("department_id", &sales), ("data_class", "personal"), ("renewal_interval", "monthly")]).await;
        assert_eq!(s, 303);
        let to = to.unwrap();
        let (_, page) = member.get(&to).await;
        assert!(page.contains("the need it meets") && !page.contains("Record the review"), "a member does not review");
        let it = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = it.get(&to).await;
        assert!(page.contains("Record the review"));
        let (s, page) = it.get("/software/advisories").await;
        assert_eq!(s, 200);
        assert!(!page.contains("Import a file"), "admins import");
    }
}
