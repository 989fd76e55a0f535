//! Relationship health over HTTP on both backends: every business department's relationship with
//! IT, signal by signal, with too little evidence said rather than guessed; who sees which; and a
//! team that declines without alternatives the requester takes up shows as poor.

use crate::app_test;
use crate::common::{Api, TestApp};
use duet_core::auth::Role;
use serde_json::{Value, json};

/// IT declines a request of `dept` (after understanding it), offering an alternative the
/// requester takes up or turns down.
async fn decline(it: &Api, member: &Api, dept: i64, title: &str, taken_up: bool) {
    let (s, r) = member.post("/requests", json!({"title": title, "problem": "The export is slow.", "affected": "Sales", "desired_outcome": "A faster export", "department_id": dept, "urgency": "normal"})).await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(
        it.post(
            &format!("/requests/{id}/need"),
            json!({"need_statement": "Sales needs the export in minutes"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        member
            .post(&format!("/requests/{id}/confirm"), json!({}))
            .await
            .0,
        200
    );
    let (s, b) = it.post(&format!("/requests/{id}/decision"), json!({"decision": "decline", "reason": "capacity", "alt1_kind": "workaround", "alt1": "Export overnight"})).await;
    assert_eq!(s, 200, "{b}");
    let (_, view) = member.get(&format!("/requests/{id}")).await;
    let alt = view["alternatives"][0]["id"].as_i64().unwrap();
    let r = member
        .req(
            reqwest::Method::POST,
            &format!("/requests/{id}/alternatives/{alt}"),
        )
        .json(&json!({"taken_up": taken_up}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

fn signal<'a>(pair: &'a Value, kind: &str) -> &'a Value {
    pair["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap()
}

app_test! {
    async fn each_relationship_is_shown_signal_by_signal_to_those_who_may_see_it(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let leader = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let hr = app.dept("Human Resources").await;

        // With no history, every signal says there is too little evidence: no number is guessed.
        let (s, o) = it.get("/relationships").await;
        assert_eq!(s, 200, "{o}");
        let pairs = o["pairs"].as_array().unwrap();
        assert!(pairs.len() >= 5, "one per business department: {o}");
        assert!(!pairs.iter().any(|p| p["department_name"] == "IT"), "IT is one side of every pair");
        let first = &pairs[0];
        assert_eq!(first["signals"].as_array().unwrap().len(), 11);
        assert_eq!(signal(first, "pulse_trust")["explanation"], "no DUET pulse has closed yet");
        assert_eq!(signal(first, "trust_from_it")["band"], "too_little");
        assert_eq!(signal(first, "trust_from_it")["value"], Value::Null);
        assert_eq!(signal(first, "alternatives")["shown"], "—");

        // Three declines whose alternative was not taken up: Sales' declines are poor, and Sales
        // comes first among the troubled.
        for t in ["Faster export", "Bigger mailbox", "Second screen"] {
            decline(&it, &member, sales, t, false).await;
        }
        let (_, o) = it.get("/relationships").await;
        let p = &o["pairs"][0];
        assert_eq!(p["department_id"], sales, "most troubled first: {o}");
        let alt = signal(p, "alternatives");
        assert_eq!((alt["band"].as_str(), alt["value"].as_f64(), alt["evidence"].as_u64()), (Some("poor"), Some(0.0), Some(3)), "{alt}");
        assert!(alt["explanation"].as_str().unwrap().starts_with("0 of 3 declined"), "{alt}");
        let resp = signal(p, "responsiveness");
        assert_eq!(resp["evidence"], 3);
        assert_eq!(resp["band"], "healthy", "IT answered at once: {resp}");

        // A business leader sees their own department's relationship only; a member none.
        let (_, mine) = leader.get("/relationships").await;
        let ids: Vec<i64> = mine["pairs"].as_array().unwrap().iter().map(|p| p["department_id"].as_i64().unwrap()).collect();
        assert_eq!(ids, [sales]);
        assert_eq!(leader.get(&format!("/relationships/{sales}")).await.0, 200);
        assert_eq!(leader.get(&format!("/relationships/{hr}")).await.0, 403);
        assert_eq!(member.get("/relationships").await.0, 403);
        assert_eq!(it.get("/relationships/999999").await.0, 404);
        let it_dept = app.dept("IT").await;
        assert_eq!(it.get(&format!("/relationships/{it_dept}")).await.0, 404);

        // The pages: the overview, and one relationship with where its bands begin.
        let b = app.browser_as(Role::Executive, Some("Finance")).await;
        let (s, page) = b.get("/relationships").await;
        assert_eq!(s, 200);
        assert!(page.contains(&format!("href=\"/relationships/{sales}\"")) && page.contains("Declines with an alternative taken up"));
        let (s, page) = b.get(&format!("/relationships/{sales}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("Poor") && page.contains("needs at least 3 record(s), has 3"), "{page}");
        let m = app.browser_as(Role::Member, Some("Sales")).await;
        let (_, home) = m.get("/").await;
        assert!(!home.contains("href=\"/relationships\""), "a link a role cannot use is not shown");
        let doc = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json::<Value>().await.unwrap();
        assert!(doc["paths"]["/relationships/{department}"].is_object());
    }

    async fn a_poor_signal_raises_a_warning_its_leaders_acknowledge_and_it_clears_when_it_recovers(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let leader = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        // Sales' leader leads Sales, so the warning reaches them.
        let person = duet_store::accounts::find_user(&app.db, duet_core::org::UserId(leader.user_id)).await.unwrap().person_id;
        let input = duet_core::org::DepartmentInput::parse("Sales", "business", person, None).unwrap();
        duet_store::org::update_department(&app.db, duet_core::org::DepartmentId(sales), &input).await.unwrap();
        let sync = || async {
            let (promises, metrics) = (Default::default(), Default::default());
            let listen = duet_web::service::listen::ListenState::new(None);
            let src = duet_web::service::relationships::Sources { db: &app.db, promises: &promises, metrics: &metrics, listen: &listen, tz: chrono_tz::Europe::London };
            duet_web::service::relationships::sync_warnings(src).await.unwrap()
        };
        assert_eq!(sync().await, (0, 0), "nothing is poor yet");
        for t in ["Faster export", "Bigger mailbox", "Second screen"] {
            decline(&it, &member, sales, t, false).await;
        }
        assert_eq!(sync().await, (1, 0), "one signal turned poor");
        assert_eq!(sync().await, (0, 0), "raised once");
        let (_, p) = leader.get(&format!("/relationships/{sales}")).await;
        let w = &p["warnings"][0];
        assert_eq!((w["signal"].as_str(), p["open_warnings"].as_u64()), (Some("alternatives"), Some(1)), "{p}");
        assert!(w["reason"].as_str().unwrap().contains("0 of 3 declined"), "{w}");
        let (_, inbox) = leader.get("/notifications").await;
        assert!(inbox.to_string().contains("Early warning on IT × Sales"), "the leader is told: {inbox}");
        assert!(it.get("/notifications").await.1.to_string().contains("Early warning on IT × Sales"), "and IT's leaders");
        assert!(!member.get("/notifications").await.1.to_string().contains("Early warning"), "not every member");
        // Acknowledged with a note, by one who may see the pair; once.
        let id = w["id"].as_i64().unwrap();
        let ack = format!("/relationships/{sales}/warnings/{id}/acknowledge");
        assert_eq!(member.post(&ack, json!({"note": "We are on it"})).await.0, 403);
        let (s, e) = leader.post(&ack, json!({"note": "  "})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("note")), "{e}");
        let (s, a) = leader.post(&ack, json!({"note": "We review declines with IT on Friday"})).await;
        assert_eq!((s, a["note"].as_str()), (200, Some("We review declines with IT on Friday")), "{a}");
        assert_eq!(it.post(&ack, json!({"note": "Again"})).await.0, 409);
        // An action against it is a promise between the two sides, in the trust ledger.
        let plan = format!("/relationships/{sales}/warnings/{id}/actions");
        let due = (chrono::Utc::now() + chrono::Duration::days(14)).date_naive().to_string();
        let hana = app.person("Hana HR", "hana@example.com", "Human Resources", "manager").await;
        let (s, e) = leader.post(&plan, json!({"promisor_id": hana, "text": "Review every decline with IT", "due_on": due})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("promisor_id")), "{e}");
        assert_eq!(member.post(&plan, json!({"promisor_id": person, "text": "Review every decline with IT", "due_on": due})).await.0, 403);
        let (s, pr) = leader.post(&plan, json!({"promisor_id": person, "text": "Review every decline with IT", "due_on": due})).await;
        assert_eq!(s, 201, "{pr}");
        let it_dept = app.dept("IT").await;
        assert_eq!((pr["promisee_department_id"].as_i64(), pr["status"].as_str()), (Some(it_dept), Some("open")), "Sales promises it to IT: {pr}");
        let (_, p) = leader.get(&format!("/relationships/{sales}")).await;
        assert_eq!(p["actions"][0]["promise_id"], pr["id"], "{p}");
        // Three declines whose alternative was taken up: 50 %, healthy; the warning clears itself.
        for t in ["Tablet for demos", "Printer on floor two", "Headset for calls"] {
            decline(&it, &member, sales, t, true).await;
        }
        assert_eq!(sync().await, (0, 1), "recovered: cleared");
        let (_, p) = leader.get(&format!("/relationships/{sales}")).await;
        assert!(p["warnings"][0]["cleared_at"].is_string() && p["open_warnings"] == 0, "{p}");
        assert_eq!(leader.post(&plan, json!({"promisor_id": person, "text": "Another action", "due_on": due})).await.0, 409, "a cleared warning takes no more actions");
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = b.get(&format!("/relationships/{sales}")).await;
        assert!(page.contains("Early warnings") && page.contains("Cleared") && page.contains("We review declines with IT on Friday"));
    }
}
