//! Rules the QA walkthrough of issue 9 found broken, over HTTP on both backends, page and API
//! alike: a promise is never recorded above its promisor's level, a review is not "moved" to the
//! time it already has, and money reads the same way everywhere on the Decide pages.

use crate::app_test;
use crate::common::{Api, TestApp};
use duet_core::auth::Role;
use duet_core::org::{PersonId, PersonInput, UserId};
use reqwest::Method;
use serde_json::json;

fn in_days(n: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string()
}

/// Makes the person behind `api`'s account "Hassan Farouk", an individual contributor.
async fn make_individual(app: &TestApp, api: &Api) -> i64 {
    let id = duet_store::accounts::find_user(&app.db, UserId(api.user_id))
        .await
        .unwrap()
        .person_id
        .unwrap();
    let p = duet_store::org::find_person(&app.db, PersonId(id))
        .await
        .unwrap();
    let input = PersonInput::parse(
        "Hassan Farouk",
        &p.email,
        Some(p.department_id),
        "",
        "individual",
    )
    .unwrap();
    duet_store::org::update_person(&app.db, PersonId(id), &input)
        .await
        .unwrap();
    id
}

app_test! {
    async fn a_member_cannot_record_their_own_promise_at_executive_level(app: &TestApp) {
        let member = app.api_as(Role::Member, Some("Marketing")).await;
        let hassan = make_individual(app, &member).await;
        let it = app.dept("IT").await;
        let body = |level: &str| json!({"promisor_id": hassan, "promisee_department_id": it, "level": level, "text": "Test the new VPN client", "due_on": in_days(14)});
        let (status, err) = member.post("/promises", body("executive")).await;
        assert_eq!((status, err["error"]["field"].as_str()), (422, Some("level")), "{err}");
        assert!(
            err["error"]["message"].as_str().unwrap().contains("Hassan Farouk is an individual contributor: a promise at executive level must be made by an executive"),
            "{err}"
        );
        let (status, err) = member.post("/promises", body("manager")).await;
        assert_eq!((status, err["error"]["field"].as_str()), (422, Some("level")), "{err}");
        let (_, list) = member.get("/promises").await;
        assert!(!list.to_string().contains("Test the new VPN client"), "nothing was recorded: {list}");
        // Without a level, the promise is made at the promisor's own.
        let (status, p) = member.post("/promises", body("")).await;
        assert_eq!((status, p["level"].as_str()), (201, Some("individual")), "{p}");
    }

    async fn the_ledger_page_refuses_a_level_above_the_promisor_and_keeps_what_was_typed(app: &TestApp) {
        let hassan = app.person("Hassan Farouk", "hassan@example.com", "Sales", "individual").await.to_string();
        let it = app.dept("IT").await.to_string();
        let lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let due = in_days(10);
        let fields = |level: &'static str| vec![("promisor_id", hassan.clone()), ("promisee_department_id", it.clone()), ("level", level.to_string()), ("text", "Send the CRM field list".to_string()), ("due_on", due.clone())];
        let send = |f: Vec<(&'static str, String)>| {
            let lead = &lead;
            async move {
                let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                lead.post_form("/promises", &f).await
            }
        };
        let (status, page, _) = send(fields("executive")).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("Hassan Farouk is an individual contributor: a promise at executive level must be made by an executive"), "{page}");
        assert!(page.contains("Send the CRM field list"), "the text typed is kept: {page}");
        let (_, page) = lead.get("/promises").await;
        assert!(page.contains("<option value=\"\" selected>The promisor&#39;s own level</option>"), "the level defaults to the promisor's own: {page}");
        let (status, _, location) = send(fields("")).await;
        assert_eq!(status, 303);
        let (_, page) = lead.get(&location.unwrap()).await;
        assert!(page.contains("Individual level"), "{page}");
    }

    async fn a_review_is_not_moved_to_the_time_it_already_has(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let local = (chrono::Utc::now() + chrono::Duration::days(9)).date_naive().and_hms_opt(14, 0, 0).unwrap();
        let start = local.format("%Y-%m-%dT%H:%M").to_string();
        let (status, r) = it.post("/reviews", json!({"department_id": sales, "starts_at": start})).await;
        assert_eq!(status, 201, "{r}");
        let id = r["id"].as_i64().unwrap();
        let (status, err) = it.post(&format!("/reviews/{id}/move"), json!({"starts_at": start, "reason": "Leader on leave"})).await;
        assert_eq!((status, err["error"]["field"].as_str()), (422, Some("starts_at")), "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("the new time is the same as the current one"), "{err}");
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (status, page, _) = b.post_form(&format!("/reviews/{id}/move"), &[("starts_at", &start), ("reason", "Leader on leave")]).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("the new time is the same as the current one") && !page.contains("Review moved"), "{page}");
        assert!(page.contains("Leader on leave"), "the reason typed is kept: {page}");
        // Cancelling needs a reason, on the page and in the API.
        let (status, page, _) = b.post_form(&format!("/reviews/{id}/cancel"), &[("reason", "")]).await;
        assert_eq!(status, 422, "{page}");
        assert!(!page.contains("Review cancelled"), "{page}");
        let (status, err) = it.post(&format!("/reviews/{id}/cancel"), json!({"reason": " "})).await;
        assert_eq!((status, err["error"]["field"].as_str()), (422, Some("reason")), "{err}");
        let (_, changes) = it.get(&format!("/reviews/{id}/changes")).await;
        assert_eq!(changes.as_array().map(Vec::len), Some(0), "nothing happened: {changes}");
        let (_, list) = it.get("/reviews").await;
        let r = list["items"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap().clone();
        assert_eq!(r["status"], "planned");
    }

    async fn the_agenda_counts_lateness_to_today_and_never_calls_a_promise_overdue_before_it_is_due(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let dev = app.person("Dev Ops", "devops@example.com", "IT", "manager").await;
        let today = chrono::Utc::now().date_naive();
        // Recorded earlier, now three days past its due date.
        let late = duet_core::promises::PromiseInput {
            promisor: dev,
            promisee_department: sales,
            level: duet_core::org::Level::Manager,
            text: "Replace the meeting-room screens".into(),
            due_on: today - chrono::Duration::days(3),
            source: duet_core::promises::PromiseSource::Manual,
            source_id: None,
        };
        duet_store::promises::insert_promise(&app.db, it.user_id, &late, today - chrono::Duration::days(30)).await.unwrap();
        let soon = in_days(5);
        let (status, p) = it.post("/promises", json!({"promisor_id": dev, "promisee_department_id": sales, "text": "Fix the VPN drops", "due_on": soon})).await;
        assert_eq!(status, 201, "{p}");
        let start = (today + chrono::Duration::days(20)).and_hms_opt(14, 0, 0).unwrap().format("%Y-%m-%dT%H:%M").to_string();
        let (status, r) = it.post("/reviews", json!({"department_id": sales, "starts_at": start})).await;
        assert_eq!(status, 201, "{r}");
        let (status, a) = it.get(&format!("/reviews/{}/agenda", r["id"])).await;
        assert_eq!(status, 200, "{a}");
        let texts = |key: &str| a["agenda"][key].as_array().unwrap().iter().map(|l| l["text"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(texts("bad"), ["Promise overdue by 3 days (IT to Sales): Replace the meeting-room screens"], "counted to today, not to the meeting: {a}");
        assert!(texts("open_promises").contains(&format!("IT to Sales: Fix the VPN drops — due on {soon}, before this review")), "{a}");
    }

    async fn every_money_figure_on_the_decide_pages_reads_the_same_way(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let exec = app.api_as(Role::Executive, Some("Sales")).await;
        let admin = app.api_as(Role::Admin, None).await;
        let (status, r) = exec
            .post("/requests", json!({"title": "Configure-price-quote tool", "problem": "Quotes take two days to assemble by hand", "affected": "Field sales", "desired_outcome": "A quote in ten minutes", "department_id": sales, "urgency": "high"}))
            .await;
        assert_eq!(status, 201, "{r}");
        let id = r["id"].as_i64().unwrap();
        let (status, _) = admin.post(&format!("/requests/{id}/self-champion"), json!({"allowed": true})).await;
        assert_eq!(status, 200);
        let (status, _) = exec.post(&format!("/requests/{id}/champion"), json!({})).await;
        assert_eq!(status, 200);
        let case = json!({"horizon_years": 4, "discount_rate_pct": 8.0, "risk": "medium", "person_days": 120, "goal_ids": [],
            "flows": [{"year": 0, "kind": "it_one_off", "amount": "259,200.00"}, {"year": 1, "kind": "savings", "amount": "290,000.00"},
                      {"year": 2, "kind": "revenue", "amount": 320000}, {"year": 3, "kind": "revenue", "amount": 320000.3}]});
        let (status, stored) = exec.send(Method::PUT, &format!("/requests/{id}/business-case"), case).await;
        assert_eq!(status, 200, "{stored}");
        let (_, view) = exec.get(&format!("/requests/{id}")).await;
        let npv = view["business_case"]["evaluation"]["npv"].as_f64().expect("the API keeps the NPV a number");
        let shown = duet_core::finance::Money::from_major(npv).to_string();
        assert!(shown.contains(',') && shown.contains('.'), "{shown}");
        let it = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (status, page) = it.get(&format!("/requests/{id}")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("<dt>NPV</dt><dd>{shown}</dd>")), "NPV {shown} like the other amounts: {page}");
        assert!(page.contains("259,200.00"), "{page}");
        assert!(!page.contains(&format!("{npv:.2}")), "never the bare number: {page}");
        let (status, page) = it.get("/portfolio").await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("<td class=\"optional\">{shown}</td>")), "NPV {shown} on the portfolio: {page}");
        assert!(!page.contains(&format!(">{npv:.0}<")), "never the rounded bare number: {page}");
    }
}
