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
        assert_eq!(inbox["items"].as_array().unwrap().len(), 2, "told of IT stating the need and of the decision: {inbox}");
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
        assert_eq!(p["items"][0]["funding"], "not_funded", "IT never restated the need: {p}");
        assert!(p["items"][0]["funding_reason"].as_str().unwrap().starts_with("need not confirmed yet"), "{p}");
        it.post(&format!("/requests/{id}/need"), json!({"need_statement": "Sales needs quotes that are right first time"})).await;
        let (_, p) = it.get("/portfolio").await;
        assert_eq!(p["items"][0]["funding"], "not_funded", "stated but not confirmed: {p}");
        exec.post(&format!("/requests/{id}/confirm"), json!({})).await;
        let (_, p) = it.get("/portfolio").await;
        assert_eq!(p["items"][0]["funding"], "funded", "{p}");
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

    async fn portfolio_work_is_accepted_and_funded_only_for_a_need_the_requester_confirmed(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let requester = app.api_as(Role::Member, Some("Sales")).await;
        let exec = app.api_as(Role::Executive, Some("Finance")).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let id = submit(&requester, sales, "Configure-price-quote tool").await;
        let (status, r) = exec.post(&format!("/requests/{id}/champion"), json!({})).await;
        assert_eq!((status, r["lane"].as_str()), (200, Some("portfolio")), "{r}");
        let (status, _) = exec.send(Method::PUT, &format!("/requests/{id}/business-case"), case_json(100000.0)).await;
        assert_eq!(status, 200);
        let (status, _) = exec.post(&format!("/requests/{id}/sign-off"), json!({})).await;
        assert_eq!(status, 200);
        let (status, _) = it.post(&format!("/requests/{id}/need"), json!({"need_statement": "Sales needs quotes that are right first time"})).await;
        assert_eq!(status, 200);
        let (status, r) = it.post(&format!("/requests/{id}/attempt"), json!({"note": "Called twice, no answer"})).await;
        assert_eq!(status, 200, "{r}");
        // The waiting period is long over: IT may decide without the requester, but not fund.
        let long_ago = chrono::Utc::now().date_naive() - chrono::Duration::days(60);
        let sql = "update requests set need_attempt_on = $1 where id = $2";
        match &app.db {
            duet_store::Db::Sqlite(p) => { sqlx::query(sql).bind(long_ago).bind(id).execute(p).await.unwrap(); }
            duet_store::Db::Postgres(p) => { sqlx::query(sql).bind(long_ago).bind(id).execute(p).await.unwrap(); }
        }
        let (status, body) = it.post(&format!("/requests/{id}/decision"), json!({"decision": "accept"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("decision")), "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("has not confirmed IT's statement of the need"), "{body}");
        let (_, p) = it.get("/portfolio").await;
        assert_eq!(p["items"][0]["funding"], "not_funded", "{p}");
        assert!(p["items"][0]["funding_reason"].as_str().unwrap().starts_with("need not confirmed yet"), "{p}");
        // Deferred after the wait, it still cannot be accepted until the requester confirms.
        let (status, r) = it.post(&format!("/requests/{id}/decision"), json!({"decision": "defer", "until": "2099-01-01", "note": "Next budget round"})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("deferred")), "{r}");
        let (status, body) = it.post(&format!("/requests/{id}/decision"), json!({"decision": "accept"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("decision")), "{body}");
        // An item already accepted without a confirmed need is not counted as committed or funded.
        let sql = "update requests set status = 'accepted' where id = $1";
        let bump = "update portfolio_settings set revision = revision + 1 where id = 1";
        match &app.db {
            duet_store::Db::Sqlite(p) => { sqlx::query(sql).bind(id).execute(p).await.unwrap(); sqlx::query(bump).execute(p).await.unwrap(); }
            duet_store::Db::Postgres(p) => { sqlx::query(sql).bind(id).execute(p).await.unwrap(); sqlx::query(bump).execute(p).await.unwrap(); }
        }
        // Written by hand, as another replica would: this process's read caches must know.
        duet_store::testing::note_write();
        let (_, p) = it.get("/portfolio").await;
        assert_eq!(p["items"][0]["funding"], "not_funded", "{p}");
        assert!(p["items"][0]["funding_reason"].as_str().unwrap().contains("never confirmed the need"), "{p}");
        // Once the requester confirms, it counts.
        let sql = "update requests set need_confirmed_at = $1 where id = $2";
        match &app.db {
            duet_store::Db::Sqlite(p) => { sqlx::query(sql).bind(chrono::Utc::now()).bind(id).execute(p).await.unwrap(); sqlx::query(bump).execute(p).await.unwrap(); }
            duet_store::Db::Postgres(p) => { sqlx::query(sql).bind(chrono::Utc::now()).bind(id).execute(p).await.unwrap(); sqlx::query(bump).execute(p).await.unwrap(); }
        }
        duet_store::testing::note_write();
        let (_, p) = it.get("/portfolio").await;
        assert_eq!(p["items"][0]["funding"], "committed", "{p}");
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

    async fn a_deferred_item_is_not_funded_and_the_portfolio_can_be_filtered(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let exec = app.api_as(Role::Executive, Some("Sales")).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let mut ids = Vec::new();
        for title in ["Deferred CRM clean-up", "Funded quoting tool"] {
            let id = submit(&member, sales, title).await;
            exec.post(&format!("/requests/{id}/champion"), json!({})).await;
            exec.send(Method::PUT, &format!("/requests/{id}/business-case"), case_json(10000.0)).await;
            exec.post(&format!("/requests/{id}/sign-off"), json!({})).await;
            member.post(&format!("/requests/{id}/need"), json!({"need_statement": "Sales needs this in the requester's own words"})).await;
            ids.push(id);
        }
        let until = (chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string();
        let (status, r) = it.post(&format!("/requests/{}/decision", ids[0]), json!({"decision": "defer", "until": until, "note": "After the merger"})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("deferred")), "{r}");
        let (_, p) = it.get("/portfolio").await;
        let item = |id: i64| p["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
        assert_eq!(item(ids[0])["funding"], "not_funded", "{p}");
        assert!(item(ids[0])["funding_reason"].as_str().unwrap().starts_with("deferred"), "{p}");
        assert_eq!(item(ids[1])["funding"], "funded", "{p}");
        let (_, f) = it.get("/portfolio?funding=not_funded").await;
        assert_eq!((f["total"].as_i64(), f["items"][0]["id"].as_i64()), (Some(1), Some(ids[0])), "{f}");
        let (_, f) = it.get("/portfolio?status=deferred&department=Sales").await;
        assert_eq!(f["total"].as_i64(), Some(1), "{f}");
        let (_, f) = it.get("/portfolio?department=Marketing").await;
        assert_eq!(f["total"].as_i64(), Some(0), "{f}");
        let (status, body) = it.get("/portfolio?funding=maybe").await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("funding")));
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, page) = b.get("/portfolio?funding=funded&department=Sales").await;
        assert_eq!(status, 200);
        assert!(page.contains("Funded quoting tool") && !page.contains("Deferred CRM clean-up"), "{page}");
        assert!(page.contains(r#"<option value="funded" selected>"#) && page.contains(r#"<option value="Sales" selected>"#), "the filter form keeps its values");
    }

    async fn a_refused_decision_keeps_everything_typed(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await.to_string();
        let (_, _, location) = b.post_form("/requests", &[("title", "Shared mailbox for quotes"), ("problem", "Quotes get lost in personal inboxes"), ("affected", "Sales desk"), ("desired_outcome", "One place for quotes"), ("department_id", &sales), ("urgency", "normal"), ("date_needed", "")]).await;
        let location = location.unwrap();
        let it = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (status, page, _) = it.post_form(&format!("{location}/decision"), &[("decision", "decline"), ("reason", "security"), ("alt1_kind", "another_tool"), ("alt1", "Use the Teams channel for quotes"), ("security_risk", "Shared passwords on the mailbox"), ("security_yes_if", "Delegated access per person"), ("note", "Talk to us about Teams")]).await;
        assert_eq!(status, 409, "declined before understanding");
        for typed in [r#"value="decline" checked"#, r#"<option value="security" selected>"#, r#"<option value="another_tool" selected>"#, "Use the Teams channel for quotes", "Shared passwords on the mailbox", "Delegated access per person", "Talk to us about Teams"] {
            assert!(page.contains(typed), "lost {typed}");
        }
        assert!(page.contains("Decision: understand before answering"), "the message names the field as people see it");
    }

    async fn business_case_amounts_keep_their_cents_or_are_refused_in_words_people_use(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let exec = app.api_as(Role::Executive, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let id = submit(&member, sales, "Board pack automation").await;
        exec.post(&format!("/requests/{id}/champion"), json!({})).await;
        let (status, body) = exec.send(Method::PUT, &format!("/requests/{id}/business-case"), case_json(1234.567)).await;
        assert_eq!(status, 422, "not silently rounded: {body}");
        let detail = body["error"]["details"].as_array().and_then(|d| d.iter().find(|d| d["field"] == "flows[0].amount").cloned()).unwrap_or(body["error"].clone());
        assert_eq!(detail["field"], "flows[0].amount");
        let message = detail["message"].as_str().unwrap();
        assert!(message.starts_with("Cash flow line 1: amount") && message.contains("at most 2 decimals"), "{message}");
        let mut bad = case_json(1000.0);
        bad["person_days"] = json!(0);
        let (_, body) = exec.send(Method::PUT, &format!("/requests/{id}/business-case"), bad).await;
        assert!(body.to_string().contains("Effort (person-days) must be between 1 and 5,000"), "{body}");
        let (status, stored) = exec.send(Method::PUT, &format!("/requests/{id}/business-case"), case_json(1234.56)).await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(stored["case"]["flows"][0]["amount"], 123456);
        let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
        let required: Vec<&str> = doc["components"]["schemas"]["CaseFields"]["required"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        assert!(required.contains(&"person_days"), "{required:?}");
    }

    async fn an_executive_starts_on_what_they_champion(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let id = submit(&member, sales, "Pricing analytics").await;
        submit(&member, sales, "Printer on floor 2").await;
        let exec = app.browser_as(Role::Executive, Some("Sales")).await;
        let csrf_page = exec.post_form(&format!("/requests/{id}/champion"), &[]).await;
        assert_eq!(csrf_page.0, 303);
        let (status, page) = exec.get("/requests").await;
        assert_eq!(status, 200);
        assert!(page.contains(r#"href="/requests?view=championed" aria-current="page""#), "{page}");
        assert!(page.contains("Pricing analytics") && !page.contains("Printer on floor 2"));
        assert!(page.contains("1 request(s)"));
    }

    async fn actions_a_role_cannot_take_are_not_shown(app: &TestApp) {
        const ROLES: [Role; 5] = [Role::Admin, Role::ItLeader, Role::BusinessLeader, Role::Executive, Role::Member];
        let dept = |r: Role| match r { Role::Admin => None, Role::ItLeader => Some("IT"), _ => Some("Sales") };
        let sales = app.dept("Sales").await;
        let requester = app.api_as(Role::Member, Some("Sales")).await;
        let id = submit(&requester, sales, "Visible to leaders").await;
        let mut seen = Vec::new();
        for role in ROLES {
            let b = app.browser_as(role, dept(role)).await;
            let (_, portfolio) = b.get("/portfolio").await;
            let (_, request) = b.get(&format!("/requests/{id}")).await;
            let (_, requests) = b.get("/requests").await;
            seen.push((
                portfolio.contains("Save as a new version"),
                portfolio.contains("Add goal"),
                request.contains("Record decision"),
                request.contains("Champion this request"),
                requests.contains("view=queue"),
            ));
        }
        assert_eq!(seen, vec![
            (true, true, true, false, true),
            (true, false, true, false, true),
            (false, false, false, false, false),
            (false, true, false, true, false),
            (false, false, false, false, false),
        ]);
    }

    async fn forty_submits_at_once_are_each_written_with_their_own_id_and_event(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let mut calls = tokio::task::JoinSet::new();
        for n in 0..40 {
            let body = json!({"title": format!("Concurrent request {n}"), "problem": "Field staff lose the VPN every hour", "affected": "Field sales", "desired_outcome": "A connection that stays up", "department_id": if n == 7 { 999_999 } else { sales }, "urgency": "high"});
            let call = member.req(Method::POST, "/requests").json(&body);
            calls.spawn(async move {
                let r = call.send().await.unwrap();
                (n, r.status().as_u16(), r.json::<Value>().await.unwrap())
            });
        }
        let mut ids = std::collections::BTreeMap::new();
        while let Some(done) = calls.join_next().await {
            let (n, status, r) = done.unwrap();
            if n == 7 {
                assert_eq!((status, r["error"]["field"].as_str()), (422, Some("department_id")), "a bad department fails alone: {r}");
                continue;
            }
            assert_eq!(status, 201, "{r}");
            assert_eq!(r["title"].as_str(), Some(format!("Concurrent request {n}").as_str()), "each caller gets its own request");
            ids.insert(r["id"].as_i64().unwrap(), n);
        }
        assert_eq!(ids.len(), 39, "distinct ids");
        for (id, n) in &ids {
            let (status, view) = member.get(&format!("/requests/{id}")).await;
            assert_eq!(status, 200);
            assert_eq!(view["request"]["title"].as_str(), Some(format!("Concurrent request {n}").as_str()));
            let events: Vec<(&str, &str)> = view["events"].as_array().unwrap().iter().map(|e| (e["kind"].as_str().unwrap(), e["detail"].as_str().unwrap())).collect();
            assert_eq!(events, [("submitted", "submitted (high urgency)")]);
        }
        let (_, inbox) = it.get("/notifications?limit=100").await;
        assert_eq!(inbox["total"].as_i64(), Some(39), "IT hears of each once: {inbox}");
    }
}
