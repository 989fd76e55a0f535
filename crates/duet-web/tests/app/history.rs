//! Bringing a company's past in: request histories as ServiceNow and Jira export them, and the
//! reviews already held; whole or not at all, with original dates, saying where they came from.

use crate::app_test;
use crate::common::{Api, Browser, TestApp};
use duet_core::auth::Role;
use serde_json::json;

/// Posts a CSV body to an import endpoint.
async fn post_csv(api: &Api, path: &str, csv: &str) -> (u16, serde_json::Value) {
    let r = api
        .req(reqwest::Method::POST, path)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

const JIRA: &str = "Summary,Issue key,Issue id,Issue Type,Status,Priority,Reporter,Created,Resolved,Resolution,Description\n\
    Weekly pipeline dashboard,IT-142,10142,Task,Done,Highest,Ann Jira,12/Mar/24 3:15 PM,02/Apr/24 9:00 AM,Done,Sales want a weekly view of the pipeline\n\
    Fax gateway,IT-143,10143,Task,Done,Low,Ann Jira,13/Mar/24 3:15 PM,14/Mar/24 9:00 AM,Won't Do,\n\
    Single sign-on for the wiki,IT-144,10144,Task,In Progress,Medium,bo.jira@example.com,01/Oct/26 8:00 AM,,,One password fewer for everyone\n";

app_test! {
    async fn a_jira_or_servicenow_history_is_imported_whole_once_with_its_dates_and_numbers(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        app.person("Ann Jira", "ann.jira@example.com", "Sales", "manager").await;
        app.person("Bo Jira", "bo.jira@example.com", "Finance", "individual").await;
        // One unknown reporter refuses the whole file, placed by line and the export's column.
        let bad = JIRA.replace("Ann Jira,13/Mar/24", "Nobody Known,13/Mar/24");
        let (status, body) = post_csv(&admin, "/requests/import?format=jira", &bad).await;
        assert_eq!(status, 422, "{body}");
        let details = body["error"]["details"].to_string();
        assert!(details.contains("\"line\":3") && details.contains("\"reporter\"") && details.contains("no active person is named"), "{body}");
        let (_, list) = admin.get("/requests?limit=200").await;
        assert!(!list.to_string().contains("Weekly pipeline dashboard"), "nothing half-written: {list}");
        // A state Duet does not know is named with the ones it does.
        let (status, body) = post_csv(&admin, "/requests/import?format=jira", &JIRA.replace("In Progress,Medium", "Waiting for Vendor,Medium")).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.to_string().contains("'Waiting for Vendor' is not a Jira state Duet knows"), "{body}");

        let (status, summary) = post_csv(&admin, "/requests/import?format=jira", JIRA).await;
        assert_eq!(status, 200, "{summary}");
        assert_eq!(summary, json!({"requests": 3, "open": 0, "in_delivery": 1, "finished": 2, "already_imported": 0, "accounts_created": 2}));
        // The same export again adds nothing twice.
        let (status, again) = post_csv(&admin, "/requests/import?format=jira", JIRA).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!((again["requests"].as_u64(), again["already_imported"].as_u64()), (Some(0), Some(3)));

        let (_, list) = admin.get("/requests?limit=200").await;
        let items = list["items"].as_array().unwrap();
        let find = |title: &str| items.iter().find(|r| r["title"] == title).unwrap_or_else(|| panic!("{title} in {list}")).clone();
        let done = find("Weekly pipeline dashboard");
        assert_eq!(
            (done["status"].as_str(), done["urgency"].as_str(), done["imported_from"].as_str(), done["external_ref"].as_str(), done["department_name"].as_str(), done["requester_name"].as_str()),
            (Some("closed"), Some("critical"), Some("Jira"), Some("IT-142"), Some("Sales"), Some("Ann Jira"))
        );
        assert!(done["created_at"].as_str().unwrap().starts_with("2024-03-12"), "opened on its original day: {done}");
        assert!(done["decided_at"].as_str().unwrap().starts_with("2024-04-02"), "{done}");
        let wont = find("Fax gateway");
        assert_eq!((wont["status"].as_str(), wont["decision_note"].as_str(), wont["problem"].as_str()), (Some("closed"), Some("Won't Do in Jira"), Some("Fax gateway")));
        let open = find("Single sign-on for the wiki");
        assert_eq!((open["status"].as_str(), open["department_name"].as_str()), (Some("in_delivery"), Some("Finance")));
        // The page says where it came from, and its timeline is on the original days.
        let id = done["id"].as_i64().unwrap();
        let (_, view) = admin.get(&format!("/requests/{id}")).await;
        let events = view["events"].to_string();
        assert!(events.contains("2024-03-12") && events.contains("submitted in Jira as IT-142") && events.contains("2024-04-02"), "{view}");
        let b = app.browser_as(Role::Admin, None).await;
        let (_, page) = b.get(&format!("/requests/{id}")).await;
        assert!(page.contains("Imported from Jira (IT-142), with its original dates"), "{page}");
        // Requesters without an account got one that has no password, and the log says so.
        let (_, log) = admin.get("/audit?limit=200").await;
        let log = log.to_string();
        assert!(log.contains("Account for Ann Jira (ann.jira@example.com) made by the import from Jira") && log.contains("Imported 3 requests"), "{log}");
        let stranger = Browser::new(&app.base);
        let r = stranger.login("ann.jira@example.com", "").await;
        assert_ne!(r.status().as_u16(), 303, "no password signs in to an imported account");

        // ServiceNow's own words: priorities, states, the requester's e-mail and department.
        let now = "number,short_description,description,opened_by.email,opened_by.department,priority,state,opened_at,closed_at\n\
            RITM0010001,New laptops for the field team,Field sales need laptops that last a day,bo.jira@example.com,Sales,2 - High,Closed Complete,2025-03-02 09:14:00,2025-03-20 16:00:00\n\
            RITM0010002,Printer in the warehouse,It jams every morning,ann.jira@example.com,,3 - Moderate,New,2026-11-20 10:00:00,\n";
        let (status, summary) = post_csv(&admin, "/requests/import?format=servicenow&source=ServiceNow%20(2024-2026)", now).await;
        assert_eq!(status, 200, "{summary}");
        assert_eq!((summary["requests"].as_u64(), summary["open"].as_u64(), summary["accounts_created"].as_u64()), (Some(2), Some(1), Some(0)));
        let (_, list) = admin.get("/requests?limit=200").await;
        let laptops = list["items"].as_array().unwrap().iter().find(|r| r["title"] == "New laptops for the field team").unwrap().clone();
        assert_eq!((laptops["department_name"].as_str(), laptops["urgency"].as_str(), laptops["imported_from"].as_str()), (Some("Sales"), Some("high"), Some("ServiceNow (2024-2026)")));
        // An open imported request waits in the queue like any other.
        let (_, queue) = admin.get("/requests?open=true&limit=200").await;
        assert!(queue.to_string().contains("Printer in the warehouse"), "{queue}");

        // Only admins bring history in.
        let leader = app.api_as(Role::ItLeader, None).await;
        let (status, _) = post_csv(&leader, "/requests/import?format=jira", JIRA).await;
        assert_eq!(status, 403);
        let (status, body) = post_csv(&admin, "/requests/import?format=excel", JIRA).await;
        assert_eq!(status, 400, "{body}");
    }
}

app_test! {
    async fn the_reviews_already_held_are_imported_with_locked_records(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let bad = "department,held_on,minutes,attendees,notes,decisions\n\
            Sales,2025-03-04,45,\"Ann, Bo\",Went through the CRM backlog,Fix the export by April\n\
            IT,2025-03-05,45,,,\n";
        let (status, body) = post_csv(&admin, "/reviews/import", bad).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["error"]["details"].to_string().contains("is not a business department"), "{body}");
        let (_, list) = admin.get("/reviews?limit=200").await;
        assert!(!list.to_string().contains("imported"), "nothing half-written: {list}");

        let good = "department,held_on,minutes,attendees,notes,decisions\n\
            Sales,2025-03-04,45,\"Ann, Bo\",Went through the CRM backlog,\"Fix the export by April\nA monthly report to Sales\"\n\
            Finance,2025-03-11,,Carla,Month-end close pain,\n";
        let (status, summary) = post_csv(&admin, "/reviews/import?source=the%20minutes%20folder", good).await;
        assert_eq!(status, 200, "{summary}");
        assert_eq!(summary, json!({"reviews": 2, "decisions": 2, "already_there": 0}));
        let (_, again) = post_csv(&admin, "/reviews/import?source=the%20minutes%20folder", good).await;
        assert_eq!((again["reviews"].as_u64(), again["already_there"].as_u64()), (Some(0), Some(2)));
        let (_, list) = admin.get("/reviews?limit=200").await;
        let sales = list["items"].as_array().unwrap().iter().find(|r| r["department_name"] == "Sales" && r["held_on"] == "2025-03-04").unwrap_or_else(|| panic!("{list}")).clone();
        assert_eq!((sales["status"].as_str(), sales["imported_from"].as_str(), sales["minutes"].as_i64()), (Some("held"), Some("the minutes folder"), Some(45)));
        let id = sales["id"].as_i64().unwrap();
        let (_, record) = admin.get(&format!("/reviews/{id}/record")).await;
        assert!(record["record"]["locked_at"].is_string(), "{record}");
        assert_eq!(record["decisions"].as_array().map(Vec::len), Some(2), "{record}");
        // A locked record is corrected by appending, never rewritten.
        let (status, _) = admin.send(reqwest::Method::PUT, &format!("/reviews/{id}/record"), json!({"agenda": "", "attendees": "x", "notes": "rewritten", "metric_feedback": ""})).await;
        assert_eq!(status, 409);
        let b = app.browser_as(Role::Admin, None).await;
        let (_, page) = b.get(&format!("/reviews/{id}/record")).await;
        assert!(page.contains("imported from the minutes folder") && page.contains("Went through the CRM backlog"), "{page}");
        assert!(!page.contains("Undo “held”") && !page.contains("drafted agenda"), "history is not undone, nor drafted from today's data: {page}");
        let (status, body) = admin.send(reqwest::Method::DELETE, &format!("/reviews/{id}/held"), json!({"reason": "Not held after all"})).await;
        assert_eq!(status, 409, "{body}");
        let (status, _) = post_csv(&app.api_as(Role::BusinessLeader, Some("Sales")).await, "/reviews/import", good).await;
        assert_eq!(status, 403);
    }
}
