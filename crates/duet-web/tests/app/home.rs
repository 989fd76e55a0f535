//! The home page ("what needs you") and the hand-over notifications behind it, on both backends.

use crate::app_test;
use crate::common::TestApp;
use duet_core::auth::Role;
use serde_json::json;

/// The section with `key` in a home API body.
fn section<'a>(home: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    home["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
}

app_test! {
    async fn a_request_walks_across_the_homes_of_its_requester_and_of_it(app: &TestApp) {
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales = app.dept("Sales").await;
        let (status, r) = member.post("/requests", json!({"title": "VPN drops every hour", "problem": "Field staff lose the VPN every hour", "affected": "Field sales", "desired_outcome": "A connection that stays up", "department_id": sales, "urgency": "high"})).await;
        assert_eq!(status, 201, "{r}");
        let id = r["id"].as_i64().unwrap();

        // The hand-over: IT's triagers hear of the new request at once.
        let (_, notes) = it.get("/notifications").await;
        assert!(notes.to_string().contains("New request to understand: VPN drops every hour"), "{notes}");

        let (status, home) = it.get("/home").await;
        assert_eq!(status, 200);
        let understand = section(&home, "to_understand").unwrap();
        assert_eq!(understand["total"], 1);
        assert_eq!(understand["items"][0]["href"], format!("/requests/{id}"));
        assert_eq!(section(&home, "to_decide").unwrap()["total"], 0);
        // The list behind the count says the same.
        let (status, list) = it.get("/requests?view=all&status=submitted").await;
        assert_eq!((status, list["total"].as_i64()), (200, Some(1)), "{list}");
        let (status, err) = it.get("/requests?status=nonsense").await;
        assert_eq!((status, err["error"]["field"].as_str()), (422, Some("status")), "{err}");

        // A member sees no IT queue, only their own request.
        let (_, mine) = member.get("/home").await;
        assert!(section(&mine, "to_understand").is_none(), "{mine}");
        assert_eq!(section(&mine, "my_requests").unwrap()["total"], 1);
        assert_eq!(section(&mine, "to_confirm").unwrap()["total"], 0);

        // IT restates the need: it is now the requester's to confirm, and no longer IT's to understand.
        let (status, _) = it.post(&format!("/requests/{id}/need"), json!({"need_statement": "Field sales need a VPN that survives moving between client sites"})).await;
        assert_eq!(status, 200);
        let (_, mine) = member.get("/home").await;
        let confirm = section(&mine, "to_confirm").unwrap();
        assert_eq!(confirm["total"], 1);
        assert_eq!(confirm["items"][0]["href"], format!("/requests/{id}"));
        let (_, home) = it.get("/home").await;
        assert_eq!(section(&home, "to_understand").unwrap()["total"], 0);

        // Confirmed: it waits for IT's decision, marked new since IT last looked.
        let (status, _) = member.post(&format!("/requests/{id}/confirm"), json!({})).await;
        assert_eq!(status, 200);
        let (_, home) = it.get("/home").await;
        let decide = section(&home, "to_decide").unwrap();
        assert_eq!(decide["total"], 1);
        assert_eq!(decide["items"][0]["fresh"], true, "{decide}");
        let (_, mine) = member.get("/home").await;
        assert_eq!(section(&mine, "to_confirm").unwrap()["total"], 0);
    }

    async fn the_home_page_counts_match_its_lists_and_hide_what_a_role_cannot_do(app: &TestApp) {
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let it = app.browser_as(Role::ItLeader, Some("IT")).await;
        let sales = app.dept("Sales").await.to_string();
        for title in ["Printer queue jams", "Shared drive is full", "CRM export times out"] {
            let (status, _, _) = member.post_form("/requests", &[("title", title), ("problem", "It gets in the way every single day"), ("affected", "Sales"), ("desired_outcome", "It just works"), ("department_id", &sales), ("urgency", "normal"), ("date_needed", "")]).await;
            assert_eq!(status, 303);
        }
        let (status, page) = it.get("/").await;
        assert_eq!(status, 200);
        assert!(page.contains("What needs you"));
        assert!(page.contains("Requests waiting for understanding"));
        assert!(page.contains(r#"data-count="3""#), "three requests to understand");
        for title in ["Printer queue jams", "Shared drive is full", "CRM export times out"] {
            assert!(page.contains(title), "{title} listed on IT's home");
        }
        let (status, page) = member.get("/").await;
        assert_eq!(status, 200);
        assert!(!page.contains("Requests waiting for understanding"), "a member has no IT queue");
        assert!(page.contains("Your requests"));
        assert!(page.contains("Printer queue jams"));
        assert!(page.contains("Nothing is waiting for you today."), "one's own requests inform, they do not wait");
        // An account that is not a person of the organisation has no "your requests" to show.
        let admin = app.browser_as(Role::Admin, None).await;
        let (status, page) = admin.get("/").await;
        assert_eq!(status, 200);
        assert!(!page.contains("Your requests") && !page.contains("Needs to confirm"));
        assert!(page.contains("Requests waiting for understanding"));
    }
}
