//! The trust ledger over HTTP on both backends.

use crate::app_test;
use crate::common::{Api, TestApp};
use duet_core::auth::Role;
use duet_core::org::UserId;
use serde_json::json;

/// The person behind an API client's account.
async fn person_of(app: &TestApp, api: &Api) -> i64 {
    duet_store::accounts::find_user(&app.db, UserId(api.user_id))
        .await
        .unwrap()
        .person_id
        .unwrap()
}

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
        let (status, _) = sales_lead.post("/promises", json!({"promisor_id": dev, "promisee_department_id": sales, "level": "manager", "text": "Fix the VPN drops", "due_on": in_days(10)})).await;
        assert_eq!(status, 403, "Sales' leader cannot put words in IT's mouth");
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

    async fn only_the_promisor_their_leader_or_it_records_a_promise_in_their_name(app: &TestApp) {
        let sam = app.person("Sam Sales", "sam@example.com", "Sales", "individual").await;
        let mia_api = app.api_as(Role::Member, Some("Sales")).await;
        let mia = person_of(app, &mia_api).await;
        let sales_exec = app.api_as(Role::Executive, Some("Sales")).await;
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let it = app.dept("IT").await;
        let body = |who: i64, text: &str| json!({"promisor_id": who, "promisee_department_id": it, "level": "individual", "text": text, "due_on": in_days(14)});
        let (status, _) = mia_api.post("/promises", body(sam, "Sam will send the field list")).await;
        assert_eq!(status, 403, "a colleague cannot promise in Sam's name");
        let (status, _) = sales_exec.post("/promises", body(sam, "Sam will send the field list")).await;
        assert_eq!(status, 403, "neither can an executive of the department");
        let (status, p) = mia_api.post("/promises", body(mia, "Mia will test the new VPN client")).await;
        assert_eq!((status, p["recorded_by_id"].as_i64()), (201, Some(mia_api.user_id)), "{p}");
        let (status, p) = sales_lead.post("/promises", body(sam, "Sam will send the field list")).await;
        assert_eq!(status, 201, "the department's business leader may: {p}");
        let id = p["id"].as_i64().unwrap();
        let (status, _) = it_lead.post("/promises", body(sam, "Sam will book the training room")).await;
        assert_eq!(status, 201, "IT leaders may");
        let (_, view) = mia_api.get(&format!("/promises/{id}")).await;
        assert_eq!((view["promise"]["promisor_name"].as_str(), view["history"][0]["promisor_name"].as_str()), (Some("Sam Sales"), Some("Sam Sales")));
        assert_ne!(view["promise"]["recorded_by_name"], view["promise"]["promisor_name"]);
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (_, page) = b.get(&format!("/promises/{id}")).await;
        assert!(page.contains("<dt>Recorded by</dt>"), "{page}");
        assert!(page.contains("<strong>Sam Sales</strong>: promised"), "the history credits the promisor: {page}");
        assert!(page.contains("(recorded by Business leader"), "and names who recorded it: {page}");
    }

    async fn the_promisor_is_found_by_typing_not_by_scrolling_everyone(app: &TestApp) {
        app.person("Dev Ops", "devops@example.com", "IT", "manager").await;
        app.person("Devi Patel", "devi@example.com", "IT", "manager").await;
        let sales = app.dept("Sales").await.to_string();
        let it_lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = it_lead.get("/promises").await;
        assert!(page.contains(r#"<label for="promisor">Who promised</label>"#) && page.contains(r#"list="promisor-suggestions""#), "a labelled text input with suggestions");
        assert!(page.contains(r#"<option value="Dev Ops · IT · devops@example.com">"#), "{page}");
        let due = in_days(10);
        let b = &it_lead;
        let post = |who: &'static str| {
            let (sales, due) = (sales.clone(), due.clone());
            async move { b.post_form("/promises", &[("promisor", who), ("promisee_department_id", &sales), ("level", "manager"), ("text", "Fix the VPN drops"), ("due_on", &due)]).await }
        };
        let (status, page, _) = post("Dev").await;
        assert_eq!(status, 422, "two people match");
        assert!(page.contains("several people match") && page.contains(r#"value="Dev""#), "the typed text stays: {page}");
        let (status, page, _) = post("Nobody Here").await;
        assert_eq!(status, 422);
        assert!(page.contains("Nobody Here"));
        let (status, _, location) = post("Dev Ops · IT · devops@example.com").await;
        assert_eq!(status, 303);
        let (_, page) = it_lead.get(&location.unwrap()).await;
        assert!(page.contains("Dev Ops (IT)"), "{page}");
        let (status, _, _) = post("devi@example.com").await;
        assert_eq!(status, 303, "an e-mail works too");
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let (_, page) = member.get("/promises").await;
        assert!(page.contains("<strong>Who promised:</strong> you") && !page.contains("promisor-suggestions"), "a member records only their own promises");
        let unlinked = app.browser_as(Role::Member, None).await;
        let (_, page) = unlinked.get("/promises").await;
        assert!(!page.contains("Record a promise"), "nobody to record for, so no form");
    }

    async fn trust_without_recent_events_says_no_evidence_yet_and_links_to_the_events(app: &TestApp) {
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let finance_lead = app.api_as(Role::BusinessLeader, Some("Finance")).await;
        let dev = app.person("Dev Ops", "devops@example.com", "IT", "manager").await;
        let finance = app.dept("Finance").await;
        let it = app.dept("IT").await;
        let (_, p) = it_lead.post("/promises", json!({"promisor_id": dev, "promisee_department_id": finance, "level": "manager", "text": "Close the month-end tickets", "due_on": in_days(3)})).await;
        let id = p["id"].as_i64().unwrap();
        finance_lead.post(&format!("/promises/{id}/close"), json!({"kept": true})).await;
        let (_, trust) = it_lead.get("/trust").await;
        assert!(trust[0]["trust"]["score"].as_f64().is_some(), "{trust}");
        assert_eq!(trust[0]["events_href"], format!("/trust/{it}/{finance}"));
        duet_store::promises::shift_promise(&app.db, id, 200).await.unwrap();
        let (_, trust) = it_lead.get("/trust").await;
        assert!(trust[0]["trust"]["score"].is_null(), "old events only: no number: {trust}");
        assert!(trust[0]["trust"]["explanation"].as_str().unwrap().starts_with("no evidence yet"), "{trust}");
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (_, page) = b.get("/trust").await;
        assert!(page.contains(&format!(r#"<a href="/trust/{it}/{finance}#evidence">no evidence yet</a>"#)), "{page}");
        assert!(!page.contains("0 kept on time, 0 broken"), "{page}");
        let (_, pair) = b.get(&format!("/trust/{it}/{finance}")).await;
        assert!(pair.contains(r#"id="evidence""#) && pair.contains(&format!("/promises/{id}")), "{pair}");
    }

    async fn promises_lists_page_with_a_total_and_reads_follow_every_write(app: &TestApp) {
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let dev = app.person("Dev Ops", "devops@example.com", "IT", "manager").await;
        let (it, sales, marketing) = (app.dept("IT").await, app.dept("Sales").await, app.dept("Marketing").await);
        let (_, trust) = it_lead.get("/trust").await;
        assert_eq!(trust, json!([]), "no events yet");
        let mut ids = Vec::new();
        for (days, text) in [(7, "Third"), (3, "First"), (5, "Second")] {
            let (status, p) = it_lead.post("/promises", json!({"promisor_id": dev, "promisee_department_id": sales, "level": "manager", "text": text, "due_on": in_days(days)})).await;
            assert_eq!(status, 201, "{p}");
            ids.push(p["id"].as_i64().unwrap());
        }
        let (_, page) = it_lead.get("/promises?limit=2").await;
        assert_eq!((page["total"].as_i64(), page["limit"].as_i64(), page["offset"].as_i64()), (Some(3), Some(2), Some(0)), "{page}");
        let texts: Vec<_> = page["items"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
        assert_eq!(texts, ["First", "Second"], "soonest due first");
        let (_, page) = it_lead.get("/promises?limit=2&offset=2").await;
        assert_eq!((page["items"][0]["text"].as_str(), page["total"].as_i64()), (Some("Third"), Some(3)));
        let (_, page) = it_lead.get(&format!("/promises?from={it}&to={sales}")).await;
        assert_eq!(page["total"].as_i64(), Some(3));
        let (_, page) = it_lead.get(&format!("/promises?to={marketing}")).await;
        assert_eq!(page["total"].as_i64(), Some(0), "filtered by department");
        // Every write shows on the next read, however recently the same read was served.
        sales_lead.post(&format!("/promises/{}/close", ids[1]), json!({"kept": true})).await;
        let (_, page) = it_lead.get("/promises?open=true&limit=2").await;
        assert_eq!((page["total"].as_i64(), page["items"][0]["text"].as_str()), (Some(2), Some("Second")), "{page}");
        let (_, trust) = it_lead.get("/trust").await;
        assert_eq!(trust[0]["trust"]["explanation"], "1 kept on time, 0 broken in the last 90 days", "{trust}");
        duet_store::promises::shift_promise(&app.db, ids[1], 200).await.unwrap();
        let (_, trust) = it_lead.get("/trust").await;
        assert!(trust[0]["trust"]["explanation"].as_str().unwrap().ends_with("(1 older event(s) no longer count)"), "{trust}");
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, html) = b.get("/promises?view=all").await;
        assert!(html.contains("3 promise(s)."), "{html}");
        it_lead.post("/promises", json!({"promisor_id": dev, "promisee_department_id": sales, "level": "manager", "text": "Fourth", "due_on": in_days(9)})).await;
        let (_, html) = b.get("/promises?view=all").await;
        assert!(html.contains("4 promise(s).") && html.contains("Fourth"), "{html}");
        app.person("Newt Hire", "newt@example.com", "IT", "individual").await;
        let (_, html) = b.get("/promises").await;
        assert!(html.contains("Newt Hire · IT · newt@example.com"), "a new person is suggested at once: {html}");
    }

    async fn promises_recorded_at_once_are_each_written_or_refused_alone(app: &TestApp) {
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let dev = app.person("Dev Ops", "devops@example.com", "IT", "manager").await;
        let sales = app.dept("Sales").await;
        let it = app.dept("IT").await;
        let mut calls = tokio::task::JoinSet::new();
        for n in 0..24 {
            let to = if n % 8 == 3 { it } else { sales };
            let body = json!({"promisor_id": dev, "promisee_department_id": to, "level": "manager", "text": format!("Promise {n}"), "due_on": in_days(10)});
            let call = it_lead.req(reqwest::Method::POST, "/promises").json(&body);
            calls.spawn(async move {
                let r = call.send().await.unwrap();
                (n, r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
            });
        }
        let mut ids = std::collections::BTreeSet::new();
        while let Some(done) = calls.join_next().await {
            let (n, status, p) = done.unwrap();
            if n % 8 == 3 {
                assert_eq!((status, p["error"]["message"].as_str()), (422, Some("promisee_department_id: a promise in the ledger is made to another department")), "{p}");
                continue;
            }
            assert_eq!((status, p["text"].as_str()), (201, Some(format!("Promise {n}").as_str())), "{p}");
            ids.insert(p["id"].as_i64().unwrap());
        }
        assert_eq!(ids.len(), 21, "distinct ids");
        let (_, ledger) = it_lead.get("/promises?limit=100").await;
        assert_eq!(ledger["total"].as_i64(), Some(21), "{ledger}");
    }
}

app_test! {
    async fn a_ledger_history_is_imported_whole_with_its_original_dates_or_not_at_all(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        app.person("Ann History", "ann.history@example.com", "IT", "manager").await;
        app.person("Bo History", "bo.history@example.com", "Sales", "individual").await;
        let post = |api: &Api, csv: &'static str, source: &'static str| {
            let r = api.req(reqwest::Method::POST, &format!("/promises/import?source={source}")).header("content-type", "text/csv").body(csv);
            async move {
                let r = r.send().await.unwrap();
                (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
            }
        };
        // One bad row refuses the whole file, with its line and column; nothing is written.
        let bad = "promisor_email,promisee_department,text,made_on,due_on,status,closed_on\n\
            ann.history@example.com,Sales,Nightly CRM export fixed,2025-03-02,2025-03-30,kept,2025-03-28\n\
            nobody@example.com,Sales,Quarterly access review,2025-05-01,2025-06-01,broken,2025-06-10\n";
        let (status, body) = post(&admin, bad, "ServiceNow").await;
        assert_eq!(status, 422, "{body}");
        let details = body["error"]["details"].to_string();
        assert!(details.contains("\"line\":3") && details.contains("promisor_email") && details.contains("import the people first"), "{body}");
        let (_, ledger) = admin.get("/promises?limit=200").await;
        assert!(!ledger.to_string().contains("Nightly CRM export fixed"), "nothing half-written");

        let good = "promisor_email,promisee_department,text,made_on,due_on,status,closed_on\n\
            ann.history@example.com,Sales,Nightly CRM export fixed,2025-03-02,2025-03-30,kept,2025-03-28\n\
            ann.history@example.com,sales,Laptop refresh for the sales floor,2025-04-01,2025-05-01,kept,2025-05-20\n\
            bo.history@example.com,IT,Quarterly access review signed off,2025-05-01,2025-06-01,broken,2025-06-10\n\
            ann.history@example.com,Sales,New pipeline dashboard,2026-11-01,2027-01-15,open,\n";
        let (status, summary) = post(&admin, good, "ServiceNow").await;
        assert_eq!(status, 200, "{summary}");
        assert_eq!(summary, json!({"promises": 4, "open": 1, "kept": 2, "broken": 1}));
        let (_, ledger) = admin.get("/promises?limit=200").await;
        let items = ledger["items"].as_array().unwrap();
        let find = |text: &str| items.iter().find(|p| p["text"] == text).unwrap_or_else(|| panic!("{text} in {ledger}")).clone();
        let late = find("Laptop refresh for the sales floor");
        assert_eq!((late["status"].as_str(), late["closed_on"].as_str(), late["imported_from"].as_str()), (Some("kept"), Some("2025-05-20"), Some("ServiceNow")));
        assert!(late["created_at"].as_str().unwrap().starts_with("2025-04-01"), "made on its original day: {late}");
        let id = late["id"].as_i64().unwrap();
        let (status, view) = admin.get(&format!("/promises/{id}")).await;
        assert_eq!(status, 200);
        let events = view["history"].to_string();
        assert!(events.contains("2025-04-01") && events.contains("kept, 19 day(s) late") && events.contains("2025-05-20"), "{view}");
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (_, page) = b.get(&format!("/promises/{id}")).await;
        assert!(page.contains("Imported from ServiceNow") && page.contains("as they were, from its original ledger"), "{page}");
        // Only admins bring history in.
        let leader = app.api_as(Role::ItLeader, None).await;
        let (status, _) = post(&leader, good, "x").await;
        assert_eq!(status, 403);
        let (_, log) = admin.get("/audit").await;
        assert!(log.to_string().contains("Imported 4 promises (1 open, 2 kept, 1 broken) from ServiceNow"), "{log}");
    }
}
