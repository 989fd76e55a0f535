//! Decide over HTTP on both backends: understand before answering, declines with alternatives,
//! champions and sign-offs, the portfolio and its funding line, pages, and the role matrix.

use crate::app_test;
use crate::common::{Api, TestApp};
use duet_core::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn submit(api: &Api, dept: i64, title: &str) -> i64 {
    let (status, r) = api
        .post("/requests", json!({"title": title, "problem": "Field staff lose the VPN every hour", "affected": "Field sales", "desired_outcome": "A connection that stays up", "department_id": dept, "urgency": "high"}))
        .await;
    assert_eq!(status, 201, "{r}");
    r["id"].as_i64().unwrap()
}

fn case_json(it_cost: f64) -> Value {
    json!({"horizon_years": 4, "discount_rate_pct": 8.0, "risk": "medium", "person_days": 120, "goal_ids": [],
           "flows": [{"year": 0, "kind": "it_one_off", "amount": it_cost}, {"year": 1, "kind": "savings", "amount": "90,000.00"},
                     {"year": 2, "kind": "revenue", "amount": 120000}, {"year": 3, "kind": "revenue", "amount": 120000}]})
}

app_test! {
    async fn it_must_understand_before_it_answers_and_a_no_comes_with_alternatives(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let id = submit(&member, sales, "VPN drops hourly").await;
        let decline = json!({"decision": "decline", "reason": "cost", "alt1_kind": "workaround", "alt1": "Use the LTE hotspot pool"});
        let (status, body) = it.post(&format!("/requests/{id}/decision"), decline.clone()).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("decision")), "{body}");
        let (status, body) = it.post(&format!("/requests/{id}/need"), json!({"need_statement": "too short"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("need_statement")));
        let (status, r) = it.post(&format!("/requests/{id}/need"), json!({"need_statement": "Field sales need a VPN that survives moving between client sites"})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("understanding")));
        let (status, _) = it.post(&format!("/requests/{id}/decision"), json!({"decision": "accept"})).await;
        assert_eq!(status, 409, "not confirmed yet and no attempt recorded");
        let (status, _) = it.post(&format!("/requests/{id}/confirm"), json!({})).await;
        assert_eq!(status, 403, "only the requester confirms");
        let (status, r) = member.post(&format!("/requests/{id}/confirm"), json!({})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("need_confirmed")));
        let (status, body) = it.post(&format!("/requests/{id}/decision"), json!({"decision": "decline", "reason": "cost"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("alternatives")));
        let (status, body) = it.post(&format!("/requests/{id}/decision"), json!({"decision": "decline", "reason": "security", "alt1_kind": "condition_for_yes", "alt1": "Approved VPN client with SSO"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("security_risk")));
        let (status, r) = it.post(&format!("/requests/{id}/decision"), decline).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("declined")));
        let (_, view) = member.get(&format!("/requests/{id}")).await;
        let alt = view["alternatives"][0]["id"].as_i64().unwrap();
        let r = member.req(Method::POST, &format!("/requests/{id}/alternatives/{alt}")).json(&json!({"taken_up": true})).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let kinds: Vec<&str> = view["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["submitted", "need_stated", "need_confirmed", "decided"]);
        let (_, inbox) = member.get("/notifications").await;
        assert_eq!(inbox.as_array().unwrap().len(), 2, "told of IT stating the need and of the decision: {inbox}");
        let (_, stats) = it.get("/teams/stats").await;
        assert!(stats.as_array().unwrap().is_empty(), "no team assigned yet");
    }

    async fn others_cannot_read_or_rewrite_someone_elses_need(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let other = app.api_as(Role::Member, Some("Sales")).await;
        let exec = app.api_as(Role::Executive, Some("Finance")).await;
        let id = submit(&member, sales, "CRM duplicates leads").await;
        let (status, _) = other.get(&format!("/requests/{id}")).await;
        assert_eq!(status, 404, "members see only their own requests");
        let (status, _) = other.post(&format!("/requests/{id}/need"), json!({"need_statement": "Somebody else's words about this need"})).await;
        assert_eq!(status, 404);
        let (status, _) = exec.get(&format!("/requests/{id}")).await;
        assert_eq!(status, 200);
        let (status, body) = exec.post(&format!("/requests/{id}/need"), json!({"need_statement": "An executive's words about this need"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
        let (status, r) = member.post(&format!("/requests/{id}/need"), json!({"need_statement": "Leads from web forms must not be created twice"})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("need_confirmed")), "the requester's own words count as confirmed");
        let (_, mine) = other.get("/requests").await;
        assert_eq!(mine["total"], 0);
        let marketing = app.dept("Marketing").await;
        let (status, body) = member.post("/requests", json!({"title": "For another team", "problem": "Somebody else's problem entirely", "affected": "Them", "desired_outcome": "Whatever they want", "department_id": marketing, "urgency": "low"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("department_id")), "members raise requests for their own department");
    }

    async fn portfolio_work_needs_a_champion_a_sound_case_and_a_sign_off(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let exec = app.api_as(Role::Executive, Some("Sales")).await;
        let other_exec = app.api_as(Role::Executive, Some("Finance")).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let admin = app.api_as(Role::Admin, None).await;
        let id = submit(&exec, sales, "Configure-price-quote tool").await;
        let (status, _) = exec.post(&format!("/requests/{id}/champion"), json!({})).await;
        assert_eq!(status, 403, "no championing your own request");
        let (status, _) = admin.post(&format!("/requests/{id}/self-champion"), json!({"allowed": true})).await;
        assert_eq!(status, 200);
        let (status, r) = exec.post(&format!("/requests/{id}/champion"), json!({})).await;
        assert_eq!((status, r["lane"].as_str()), (200, Some("portfolio")));
        let mut bad = case_json(100000.0);
        bad["horizon_years"] = json!(31);
        bad["discount_rate_pct"] = json!(1000.0);
        bad["flows"][1]["amount"] = json!("-5");
        let (status, body) = exec.send(Method::PUT, &format!("/requests/{id}/business-case"), bad).await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> = body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"horizon_years") && fields.contains(&"discount_rate_pct") && fields.contains(&"flows[1].amount"), "{fields:?}");
        let (_, view) = exec.get(&format!("/requests/{id}")).await;
        assert!(view["business_case"].is_null(), "nothing stored half-way");
        let (status, stored) = exec.send(Method::PUT, &format!("/requests/{id}/business-case"), case_json(100000.0)).await;
        assert_eq!(status, 200, "{stored}");
        let npv = stored["evaluation"]["npv"].as_f64().unwrap();
        let expected = -100000.0 + 90000.0 / 1.08 + 120000.0 / 1.08f64.powi(2) + 120000.0 / 1.08f64.powi(3);
        assert!((npv - expected).abs() < 1e-6 * expected.abs(), "{npv} vs {expected}");
        assert_eq!(stored["evaluation"]["irr"]["kind"], "unique");
        let (status, _) = other_exec.post(&format!("/requests/{id}/sign-off"), json!({})).await;
        assert_eq!(status, 403, "only the champion signs");
        let (status, signed) = exec.post(&format!("/requests/{id}/sign-off"), json!({})).await;
        assert_eq!((status, signed["signoff_valid"].as_bool()), (200, Some(true)));
        let (_, p) = it.get("/portfolio").await;
        assert_eq!(p["items"][0]["funding"], "funded", "{p}");
        it.post(&format!("/requests/{id}/need"), json!({"need_statement": "Sales needs quotes that are right first time"})).await;
        exec.post(&format!("/requests/{id}/confirm"), json!({})).await;
        let (status, r) = it.post(&format!("/requests/{id}/decision"), json!({"decision": "accept"})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("accepted")), "{r}");
        let (status, stored) = it.send(Method::PUT, &format!("/requests/{id}/business-case"), case_json(125000.0)).await;
        assert_eq!((status, stored["signoff_valid"].as_bool()), (200, Some(false)), "IT cost +25 % > 10 % tolerance");
        let (status, body) = it.post(&format!("/requests/{id}/advance"), json!({})).await;
        assert_eq!(status, 409, "cannot start delivery on a lapsed sign-off: {body}");
        exec.post(&format!("/requests/{id}/sign-off"), json!({})).await;
        let (status, r) = it.post(&format!("/requests/{id}/advance"), json!({})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("in_delivery")));
        let (_, p) = it.get("/portfolio").await;
        assert_eq!(p["items"][0]["funding"], "committed");
        let csv = it.req(Method::GET, "/portfolio/export").send().await.unwrap().text().await.unwrap();
        assert!(csv.starts_with("rank,id,title,department,champion,status,score"));
        assert!(csv.contains("Configure-price-quote tool"));
    }

    async fn weights_are_versioned_by_the_portfolio_owner_and_goals_by_executives(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let member = app.api_as(Role::Member, None).await;
        let exec = app.api_as(Role::Executive, None).await;
        let (status, _) = member.send(Method::PUT, "/portfolio/weights", json!({"value": 1, "fit": 1, "risk": 1, "urgency": 1})).await;
        assert_eq!(status, 403);
        let (status, body) = it.send(Method::PUT, "/portfolio/weights", json!({"value": 0, "fit": 0, "risk": 0, "urgency": 0})).await;
        assert_eq!(status, 422, "{body}");
        let (status, w) = it.send(Method::PUT, "/portfolio/weights", json!({"value": 50, "fit": 30, "risk": 10, "urgency": 10})).await;
        assert_eq!((status, w["version"].as_i64()), (200, Some(2)));
        let (_, history) = member.get("/portfolio/weights").await;
        assert_eq!(history.as_array().unwrap().len(), 2);
        let (status, body) = it.send(Method::PUT, "/portfolio/settings", json!({"budget": "-1", "capacity_days": 10, "tolerance_pct": 10, "wait_days": 10})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("budget")));
        let (status, s) = it.send(Method::PUT, "/portfolio/settings", json!({"budget": "1,500,000.00", "capacity_days": 900, "tolerance_pct": 12.5, "wait_days": 7})).await;
        assert_eq!((status, s["budget"].as_i64()), (200, Some(150_000_000)));
        let (status, _) = it.post("/goals", json!({"title": "Grow recurring revenue", "importance": 5})).await;
        assert_eq!(status, 403);
        let (status, g) = exec.post("/goals", json!({"title": "Grow recurring revenue", "importance": 5})).await;
        assert_eq!(status, 201);
        let (status, _) = exec.post("/goals", json!({"title": "Too important", "importance": 9})).await;
        assert_eq!(status, 422);
        let r = exec.req(Method::DELETE, &format!("/goals/{}", g["id"])).send().await.unwrap();
        assert_eq!(r.status(), 204);
    }

    async fn the_request_pages_walk_the_same_journey(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await.to_string();
        let (status, body, _) = b.post_form("/requests", &[("title", "x"), ("problem", "short"), ("affected", ""), ("desired_outcome", ""), ("department_id", &sales), ("urgency", "normal"), ("date_needed", "")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("must be at least 3 characters"));
        let (status, _, location) = b.post_form("/requests", &[("title", "Onboarding accounts take 5 days"), ("problem", "New hires wait a week for their accounts"), ("affected", "Every new hire"), ("desired_outcome", "Accounts ready on day one"), ("department_id", &sales), ("urgency", "high"), ("date_needed", "")]).await;
        assert_eq!(status, 303);
        let location = location.unwrap();
        let (status, page) = b.get(&location).await;
        assert_eq!(status, 200);
        assert!(page.contains("Onboarding accounts take 5 days") && page.contains("Request submitted"));
        let it = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (status, queue) = it.get("/requests?view=queue").await;
        assert_eq!(status, 200);
        assert!(queue.contains("Onboarding accounts take 5 days"));
        let (status, body, _) = it.post_form(&format!("{location}/need"), &[("need_statement", "New hires need working accounts on their first morning")]).await;
        assert_eq!(status, 303, "{body}");
        let (status, body, _) = it.post_form(&format!("{location}/decision"), &[("decision", "accept")]).await;
        assert_eq!(status, 409);
        assert!(body.contains("understand before answering") || body.contains("not confirmed the need"), "{body}");
        let (status, _, _) = b.post_form(&format!("{location}/confirm"), &[]).await;
        assert_eq!(status, 303);
        let (status, _, _) = it.post_form(&format!("{location}/decision"), &[("decision", "decline"), ("reason", "capacity"), ("alt1_kind", "later_date"), ("alt1", "Next quarter, after the HR system upgrade")]).await;
        assert_eq!(status, 303);
        let (_, page) = b.get(&location).await;
        assert!(page.contains("Next quarter, after the HR system upgrade") && page.contains("I used this"));
        let (status, inbox) = b.get("/notifications").await;
        assert_eq!(status, 200);
        assert!(inbox.contains("IT declined"));
        let (status, portfolio) = b.get("/portfolio").await;
        assert_eq!(status, 200);
        assert!(portfolio.contains("Funding line"));
        let (status, teams) = b.get("/requests/teams").await;
        assert_eq!(status, 200);
        assert!(teams.contains("How IT teams listen"));
    }

    async fn every_role_meets_the_decide_rules(app: &TestApp) {
        const ROLES: [Role; 5] = [Role::Admin, Role::ItLeader, Role::BusinessLeader, Role::Executive, Role::Member];
        let dept = |r: Role| match r { Role::Admin => None, Role::ItLeader => Some("IT"), _ => Some("Sales") };
        let mut apis = Vec::new();
        for r in ROLES { apis.push(app.api_as(r, dept(r)).await); }
        let sales = app.dept("Sales").await;
        let outsider = app.api_as(Role::Member, Some("Marketing")).await;
        let theirs = submit(&outsider, app.dept("Marketing").await, "Marketing's own request").await;
        let mut s = [0u16; 5];
        let mut ids = [0i64; 5];
        for (i, api) in apis.iter().enumerate() { ids[i] = submit(api, sales, &format!("Request {i}")).await; s[i] = 201; }
        assert_eq!(s, [201; 5], "everyone submits");
        for (i, api) in apis.iter().enumerate() { s[i] = api.get(&format!("/requests/{theirs}")).await.0; }
        assert_eq!(s, [200, 200, 404, 200, 404], "see another department's request");
        for (i, api) in apis.iter().enumerate() { s[i] = api.post(&format!("/requests/{theirs}/need"), json!({"need_statement": "Restating the need in the requester's terms"})).await.0; }
        assert_eq!(s, [200, 200, 404, 403, 404], "state someone else's need");
        for (i, api) in apis.iter().enumerate() { s[i] = api.post(&format!("/requests/{}/champion", ids[(i + 1) % 5]), json!({})).await.0; }
        assert_eq!(s, [403, 403, 403, 200, 404], "champion a colleague's request");
        for (i, api) in apis.iter().enumerate() { s[i] = api.post(&format!("/requests/{theirs}/self-champion"), json!({"allowed": true})).await.0; }
        assert_eq!(s, [200, 403, 404, 403, 404], "allow self-championing");
        for (i, api) in apis.iter().enumerate() { s[i] = api.send(Method::PUT, "/portfolio/settings", json!({"budget": "1000", "capacity_days": 10, "tolerance_pct": 10, "wait_days": 10})).await.0; }
        assert_eq!(s, [200, 200, 403, 403, 403], "manage the portfolio");
        for (i, api) in apis.iter().enumerate() { s[i] = api.post("/goals", json!({"title": format!("Goal {i}"), "importance": 3})).await.0; }
        assert_eq!(s, [201, 403, 403, 201, 403], "set goals");
        for (i, api) in apis.iter().enumerate() { s[i] = api.get("/portfolio").await.0; }
        assert_eq!(s, [200; 5], "everyone sees the portfolio");
    }
}
