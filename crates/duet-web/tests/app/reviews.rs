//! Monthly reviews over HTTP on both backends: cadence, scheduling rights, invitations, the
//! record (multi-line text, signing rules), moving and cancelling, the organisation calendar,
//! local times, and actions hidden from roles that cannot take them.

use crate::app_test;
use crate::common::TestApp;
use duet_core::auth::Role;
use duet_core::org::{DepartmentId, DepartmentInput, PersonId};
use reqwest::Method;
use serde_json::json;

/// A start a week ahead, as the form sends it (local time, London by default), and as
/// iCalendar writes it (UTC).
fn next_week() -> (String, String, String) {
    let local = (chrono::Utc::now() + chrono::Duration::days(8))
        .date_naive()
        .and_hms_opt(14, 0, 0)
        .unwrap();
    let at = duet_core::time::from_local(local, chrono_tz::Europe::London);
    (
        local.format("%Y-%m-%dT%H:%M").to_string(),
        at.format("%Y%m%dT%H%M%SZ").to_string(),
        (at + chrono::Duration::minutes(45))
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
    )
}

/// A review of Sales that started an hour ago (so it can be marked held), by the IT leader.
async fn past_review(it: &crate::common::Api, sales: i64) -> i64 {
    let start = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let (status, r) = it
        .post(
            "/reviews",
            json!({"department_id": sales, "starts_at": start}),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    r["id"].as_i64().unwrap()
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
        let (status, body) = sales_lead.post(&format!("/reviews/{id}/held"), json!({})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("status")), "not held before it starts: {body}");
        duet_store::reviews::shift(&app.db, id, 9).await.unwrap();
        let (status, held) = sales_lead.post(&format!("/reviews/{id}/held"), json!({})).await;
        assert_eq!((status, held["status"].as_str()), (200, Some("held")));
        let (status, _) = sales_lead.post(&format!("/reviews/{id}/held"), json!({})).await;
        assert_eq!(status, 409);
        let (_, all) = it.get("/reviews").await;
        assert_eq!(all["total"], 2, "the API pages reviews with a total: {all}");
        let (_, sales_only) = it.get(&format!("/reviews?department_id={sales}&limit=1")).await;
        assert_eq!((sales_only["items"].as_array().map(Vec::len), sales_only["total"].as_i64(), sales_only["limit"].as_i64()), (Some(1), Some(2), Some(1)), "{sales_only}");
        let (_, none) = it.get(&format!("/reviews?department_id={}", app.dept("Marketing").await)).await;
        assert_eq!(none["total"], 0, "{none}");
        let all = all["items"].clone();
        let planned: Vec<&serde_json::Value> = all.as_array().unwrap().iter().filter(|r| r["status"] == "planned").collect();
        assert_eq!(planned.len(), 1, "Duet planned the next review: {all}");
        let next: chrono::DateTime<chrono::Utc> = planned[0]["scheduled_at"].as_str().unwrap().parse().unwrap();
        let day = next.with_timezone(&chrono_tz::Europe::London).date_naive();
        let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive();
        assert!(day <= today + chrono::Duration::days(14), "on or before the 14-day due date: {day}");
        assert!(duet_core::reviews::is_working_day(day, &[]), "on a working day: {day}");
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
        let (status, body) = lead.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("status")), "no signing before the meeting: {body}");
        duet_store::reviews::shift(&app.db, id, 9).await.unwrap();
        let (status, _) = it.post(&format!("/reviews/{id}/held"), json!({})).await;
        assert_eq!(status, 200);
        let (status, v) = lead.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!((status, v["record"]["locked_at"].is_null()), (200, true));
        let (_, v) = it.send(Method::PUT, &format!("/reviews/{id}/record"), json!({"agenda": "The good", "attendees": "Priya, Daniel", "notes": "CRM is better", "metric_feedback": "Track quote time"})).await;
        assert!(v["record"]["business_signed_by"].is_null(), "an edit after signing clears the signature");
        let (status, body) = lead.post(&format!("/reviews/{id}/sign"), json!({"tone": "awful"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("tone")), "{body}");
        let (status, _) = lead.post(&format!("/reviews/{id}/sign"), json!({"tone": "tense"})).await;
        assert_eq!(status, 200);
        let (status, body) = it.post(&format!("/reviews/{id}/corrections"), json!({"text": "Too early for corrections"})).await;
        assert_eq!(status, 409, "{body}");
        let (status, v) = it.post(&format!("/reviews/{id}/sign"), json!({"tone": "businesslike"})).await;
        assert_eq!((status, v["record"]["locked_at"].is_string()), (200, true));
        // How the meeting felt to each side is the people level of the pair.
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        let tone = &p["sides"]["tone"];
        assert_eq!((tone["department"]["tense"].as_u64(), tone["it"]["businesslike"].as_u64(), tone["it"]["tense"].as_u64()), (Some(1), Some(1), Some(0)), "{tone}");
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

    async fn a_multi_line_agenda_is_saved_and_a_refused_record_keeps_everything_typed(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let id = past_review(&it, sales).await;
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        // The drafted agenda, untouched, is many lines: saving it as the page sends it works.
        let (_, page) = b.get(&format!("/reviews/{id}/record")).await;
        assert!(page.contains("The good\n") && page.contains("Open promises"), "{page}");
        let agenda = "The good\r\n- CRM faster\r\n\r\nThe bad\r\n\t- Quotes slow\r\n";
        let (status, _, location) = b
            .post_form(&format!("/reviews/{id}/record"), &[("agenda", agenda), ("attendees", "Ivy\r\nBea"), ("notes", "Line one\r\nLine two"), ("metric_feedback", "")])
            .await;
        assert_eq!((status, location.as_deref()), (303, Some(format!("/reviews/{id}/record").as_str())));
        let (_, v) = it.get(&format!("/reviews/{id}/record")).await;
        assert_eq!(v["record"]["agenda"], "The good\n- CRM faster\n\nThe bad\n\t- Quotes slow", "CRLF becomes LF");
        assert_eq!(v["record"]["notes"], "Line one\nLine two");
        // A control character is refused with 422, naming the field and keeping what was typed.
        let (status, page, _) = b
            .post_form(&format!("/reviews/{id}/record"), &[("agenda", "Agenda line 1\nAgenda line 2"), ("attendees", "Priya Typed, Daniel Typed"), ("notes", "Notes typed\u{7}"), ("metric_feedback", "Feedback typed")])
            .await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("notes: must not contain control characters"), "{page}");
        for kept in ["Agenda line 1\nAgenda line 2", "Priya Typed, Daniel Typed", "Feedback typed"] {
            assert!(page.contains(kept), "lost '{kept}' in {page}");
        }
        // The API takes the same multi-line text; decisions and corrections too.
        let (status, v) = it.send(Method::PUT, &format!("/reviews/{id}/record"), json!({"agenda": "a\nb", "attendees": "Ivy", "notes": "n\r\nm"})).await;
        assert_eq!((status, v["record"]["notes"].as_str()), (200, Some("n\nm")));
        let (status, v) = it.post(&format!("/reviews/{id}/decisions"), json!({"text": "First line\nSecond line"})).await;
        assert_eq!((status, v["decisions"][0]["text"].as_str()), (200, Some("First line\nSecond line")));
    }

    async fn an_empty_or_early_record_cannot_be_signed_and_held_can_be_undone_until_signed(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let id = past_review(&it, sales).await;
        let (status, body) = it.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("status")), "not held yet");
        let (status, _) = it.post(&format!("/reviews/{id}/held"), json!({})).await;
        assert_eq!(status, 200);
        let (status, body) = it.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("attendees")), "an empty record: {body}");
        it.send(Method::PUT, &format!("/reviews/{id}/record"), json!({"attendees": "Ivy, Bea"})).await;
        let (status, body) = lead.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("notes")));
        // "Held" by mistake: the scheduler undoes it, with a reason; a member may not.
        let (status, _) = member.send(Method::DELETE, &format!("/reviews/{id}/held"), json!({"reason": "wrong one"})).await;
        assert_eq!(status, 403);
        let (status, body) = it.send(Method::DELETE, &format!("/reviews/{id}/held"), json!({"reason": ""})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("reason")));
        let (status, r) = it.send(Method::DELETE, &format!("/reviews/{id}/held"), json!({"reason": "Marked the wrong review"})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("planned")), "{r}");
        let (_, changes) = it.get(&format!("/reviews/{id}/changes")).await;
        assert_eq!((changes[0]["kind"].as_str(), changes[0]["reason"].as_str()), (Some("held_undone"), Some("Marked the wrong review")));
        it.post(&format!("/reviews/{id}/held"), json!({})).await;
        it.send(Method::PUT, &format!("/reviews/{id}/record"), json!({"attendees": "Ivy, Bea", "notes": "What was said"})).await;
        let (status, _) = lead.post(&format!("/reviews/{id}/sign"), json!({})).await;
        assert_eq!(status, 200);
        let (status, body) = it.send(Method::DELETE, &format!("/reviews/{id}/held"), json!({"reason": "Too late now"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("status")), "a signed record keeps its review held");
        // The page offers signing only once held, and undoing only before anyone signed.
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = b.get(&format!("/reviews/{id}/record")).await;
        assert!(page.contains("Sign for my side") && !page.contains("Undo “held”"), "{page}");
    }

    async fn planned_reviews_are_moved_or_cancelled_with_a_reason_and_missed_ones_need_attention(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let start = (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339();
        let (_, r) = it.post("/reviews", json!({"department_id": sales, "starts_at": start})).await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["status"], "missed", "a review three days past is not planned any more: {r}");
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = b.get("/reviews").await;
        assert!(page.contains("<strong>missed</strong>") && page.contains("move or cancel"), "{page}");
        let (status, body) = it.post(&format!("/reviews/{id}/move"), json!({"starts_at": "2020-01-01T10:00", "reason": "Leader on leave"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("starts_at")), "not into the past");
        // Moved through the page, in local time: the form keeps what was typed when refused…
        let target = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
        let local = format!("{}T10:30", target);
        let (status, page, _) = b.post_form(&format!("/reviews/{id}/move"), &[("starts_at", &local), ("reason", "")]).await;
        assert_eq!(status, 422);
        assert!(page.contains(&format!("value=\"{local}\"")), "{page}");
        let (status, _, _) = b.post_form(&format!("/reviews/{id}/move"), &[("starts_at", &local), ("reason", "Leader on leave")]).await;
        assert_eq!(status, 303);
        let (_, r) = it.get("/reviews").await;
        let moved = r["items"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap().clone();
        let expected = duet_core::time::from_local(target.and_hms_opt(10, 30, 0).unwrap(), chrono_tz::Europe::London);
        assert_eq!(moved["scheduled_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap(), expected);
        assert_eq!(moved["status"], "planned");
        let (_, page) = b.get(&format!("/reviews/{id}/record")).await;
        assert!(page.contains("10:30") && page.contains("Leader on leave"), "local time and the reason are shown: {page}");
        let (status, r) = it.post(&format!("/reviews/{id}/cancel"), json!({"reason": "Merged into the quarterly"})).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("cancelled")));
        let (status, _) = it.post(&format!("/reviews/{id}/cancel"), json!({"reason": "Again"})).await;
        assert_eq!(status, 409);
        let (_, changes) = it.get(&format!("/reviews/{id}/changes")).await;
        assert_eq!(changes.as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["moved", "cancelled"]);
    }

    async fn times_are_typed_and_shown_in_the_organisation_time_zone(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let year = chrono::Utc::now().format("%Y").to_string().parse::<i32>().unwrap() + 1;
        let (status, _, _) = b.post_form("/reviews", &[("department_id", &sales.to_string()), ("starts_at", &format!("{year}-07-01T14:00")), ("minutes", "60")]).await;
        assert_eq!(status, 303);
        let r = duet_store::reviews::list(&app.db, Some(sales), 5).await.unwrap();
        assert_eq!(r[0].scheduled_at.format("%H:%M").to_string(), "13:00", "14:00 in London in July is 13:00 UTC");
        let (_, page) = b.get("/reviews").await;
        assert!(page.contains(&format!("{year}-07-01 14:00 BST")), "{page}");
        let (status, page, _) = b.post_form("/reviews", &[("department_id", &sales.to_string()), ("starts_at", "first of July"), ("minutes", "60")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("value=\"first of July\""), "the typed start is kept: {page}");
    }

    async fn the_organisation_calendar_is_edited_by_admins_only(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let (status, hs) = it.get("/holidays").await;
        assert_eq!(status, 200);
        assert!(hs["items"].as_array().unwrap().iter().any(|h| h["name"] == "Christmas Day" && h["year"].is_null()), "{hs}");
        let (status, _) = it.post("/holidays", json!({"date": "2027-05-03", "name": "Early May bank holiday"})).await;
        assert_eq!(status, 403);
        let (status, h) = admin.post("/holidays", json!({"date": "2027-05-03", "name": "Early May bank holiday"})).await;
        assert_eq!((status, h["year"].as_i64()), (201, Some(2027)));
        let (status, body) = admin.post("/holidays", json!({"date": "2027-05-03", "name": "Again"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (409, Some("date")));
        let (status, body) = admin.post("/holidays", json!({"date": "3 May", "name": "X"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("date")));
        let ib = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = ib.get("/reviews/holidays").await;
        assert!(page.contains("Early May bank holiday") && !page.contains("Add a holiday") && !page.contains(">remove<"), "{page}");
        let ab = app.browser_as(Role::Admin, None).await;
        let (status, page, _) = ab.post_form("/reviews/holidays", &[("date", "2027-08-30"), ("name", ""), ("every_year", "on")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("value=\"2027-08-30\"") && page.contains("checked"), "{page}");
        let (status, _, _) = ab.post_form("/reviews/holidays", &[("date", "2027-08-30"), ("name", "Summer bank holiday")]).await;
        assert_eq!(status, 303);
        let (status, _) = it.send(Method::DELETE, &format!("/holidays/{}", h["id"]), json!({})).await;
        assert_eq!(status, 403);
        let r = admin.req(Method::DELETE, &format!("/holidays/{}", h["id"])).send().await.unwrap();
        assert_eq!(r.status(), 204);
    }

    async fn review_actions_are_shown_only_to_roles_that_may_take_them(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let id = past_review(&it, sales).await;
        it.post(&format!("/reviews/{id}/held"), json!({})).await;
        let action_markers = ["mark held", "move or cancel", "Save record", "Record decision", "Move or cancel", "Undo “held”"];
        for (role, dept) in [(Role::Member, Some("Sales")), (Role::BusinessLeader, Some("Marketing")), (Role::Executive, Some("Marketing"))] {
            let b = app.browser_as(role, dept).await;
            let (_, list) = b.get("/reviews").await;
            let (_, record) = b.get(&format!("/reviews/{id}/record")).await;
            for m in action_markers {
                assert!(!list.contains(m) && !record.contains(m), "{role:?} sees '{m}'");
            }
            assert!(!record.contains("Sign for my side"), "{role:?}");
            assert_eq!(list.contains("Schedule a review"), role == Role::BusinessLeader, "{role:?}: a business leader schedules with their own department");
        }
        for (role, dept) in [(Role::ItLeader, Some("IT")), (Role::BusinessLeader, Some("Sales")), (Role::Admin, None)] {
            let b = app.browser_as(role, dept).await;
            let (_, record) = b.get(&format!("/reviews/{id}/record")).await;
            assert!(record.contains("Save record") && record.contains("Undo “held”"), "{role:?} may manage: {record}");
            assert_eq!(record.contains("Sign for my side"), role != Role::Admin, "{role:?}: admins sign for no side");
        }
    }

    async fn a_decision_s_promisor_is_typed_and_only_people_the_user_may_record_for_are_suggested(app: &TestApp) {
        let sales = app.dept("Sales").await;
        app.person("Sid Sales", "sid.sales@example.com", "Sales", "manager").await;
        app.person("Ian Infra", "ian.infra@example.com", "IT", "manager").await;
        let it_dept = app.dept("IT").await.to_string();
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let id = past_review(&it, sales).await;
        let lead = app.browser_as(Role::BusinessLeader, Some("Sales")).await;
        let (_, page) = lead.get(&format!("/reviews/{id}/record")).await;
        assert!(page.contains(r#"<label for="d-promisor">Make it a promise by</label>"#) && page.contains(r#"list="d-promisor-suggestions""#), "the shared picker: {page}");
        assert!(!page.contains(r#"<select id="d-promisor""#), "no list of everyone");
        assert!(page.contains("Sid Sales · Sales · sid.sales@example.com"), "Sales' leader records for Sales: {page}");
        assert!(!page.contains("Ian Infra"), "but not for IT, so IT people are not offered: {page}");
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(14)).to_string();
        let decide = |text: &'static str, who: &'static str| {
            let (it_dept, due, lead) = (it_dept.clone(), due.clone(), &lead);
            async move { lead.post_form(&format!("/reviews/{id}/decisions"), &[("text", text), ("promisor", who), ("promisee_department_id", &it_dept), ("due_on", &due)]).await }
        };
        let (status, page, _) = decide("IT people promise nothing here", "Ian Infra").await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("nobody you may record promises for matches") && page.contains(r#"value="Ian Infra""#), "refused, the typed name kept: {page}");
        let (status, page, _) = decide("Sales sends the quote samples", "Sid Sales").await;
        assert_eq!(status, 303, "a typed name is resolved: {page}");
        let all = duet_store::promises::list_promises(&app.db, &Default::default(), duet_store::PageRequest::new(Some(100), None)).await.unwrap();
        let p = all.items.iter().find(|p| p.text == "Sales sends the quote samples").expect("the decision became a promise");
        assert_eq!(p.promisor_name, "Sid Sales");
        let (status, _, _) = lead.post_form(&format!("/reviews/{id}/decisions"), &[("text", "Just a decision"), ("promisor", "")]).await;
        assert_eq!(status, 303, "an empty picker is just a decision");
    }

    async fn the_holiday_form_sent_twice_adds_one_holiday_and_names_fields_by_their_labels(app: &TestApp) {
        let admin = app.browser_as(Role::Admin, None).await;
        let sent = crate::once::send_form(&admin, &app.base, "/reviews/holidays", "/reviews/holidays", &[("date", "2028-06-14"), ("name", "Founders day")], 2).await;
        assert_eq!((sent[0].status, sent[1].status), (303, 303), "the resend is redirected, not refused: {}", sent[1].body);
        assert_eq!(sent[1].location, sent[0].location);
        let all = duet_store::reviews::holidays(&app.db).await.unwrap();
        assert_eq!(all.iter().filter(|h| h.holiday.name == "Founders day").count(), 1);
        let (status, page, _) = admin.post_form("/reviews/holidays", &[("date", "2028-02-29"), ("name", "L"), ("every_year", "on")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Every year on this day: 29 February") && page.contains("Name must be at least 2 characters"), "labels people see: {page}");
        assert!(!page.contains("every_year: ") && !page.contains(r#"alert">name: "#), "no field codes: {page}");
        let (status, page, _) = admin.post_form("/reviews/holidays", &[("date", "2028-06-14"), ("name", "Again")]).await;
        assert_eq!(status, 409);
        assert!(page.contains("Date: this day is already a holiday") && !page.contains(r#"alert">date: "#), "{page}");
    }
}

app_test! {
    async fn a_past_review_s_agenda_reads_as_it_stood_on_its_day(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let dev = app.person("Dev Ops", "devops.past@example.com", "IT", "manager").await;
        let (start, _, _) = next_week();
        let (status, r) = it.post("/reviews", json!({"department_id": sales, "starts_at": start})).await;
        assert_eq!(status, 201, "{r}");
        let review = r["id"].as_i64().unwrap();
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(5)).to_string();
        let (status, p) = it.post("/promises", json!({"promisor_id": dev, "promisee_department_id": sales, "level": "manager", "text": "Fix the VPN drops", "due_on": due})).await;
        assert_eq!(status, 201, "{p}");
        // The meeting was 37 days ago; the promise fell due 15 days ago, after the meeting.
        duet_store::reviews::shift(&app.db, review, 44).await.unwrap();
        duet_store::promises::shift_promise(&app.db, p["id"].as_i64().unwrap(), 20).await.unwrap();
        let (status, agenda) = it.get(&format!("/reviews/{review}/agenda")).await;
        assert_eq!(status, 200, "{agenda}");
        assert!(!agenda.to_string().contains("overdue"), "not overdue on the meeting's day: {agenda}");
        assert!(agenda["agenda"]["open_promises"].to_string().contains("Fix the VPN drops"), "{agenda}");
    }
}
