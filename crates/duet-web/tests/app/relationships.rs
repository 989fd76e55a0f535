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

/// Moves the requests titled `titles` `days` into the past (asked, first answered, decided).
async fn back_date(app: &TestApp, titles: &[&str], days: i64) {
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    for t in titles {
        let sql = "update requests set created_at = $1, first_response_at = $1, decided_at = $1 where title = $2";
        match &app.db {
            duet_store::Db::Sqlite(p) => {
                sqlx::query(sql).bind(at).bind(t).execute(p).await.unwrap();
            }
            duet_store::Db::Postgres(p) => {
                sqlx::query(sql).bind(at).bind(t).execute(p).await.unwrap();
            }
        }
    }
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
        assert_eq!(first["signals"].as_array().unwrap().len(), 12);
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

    async fn a_signal_has_a_point_per_month_and_the_quarter_says_which_way_it_moved(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        // Four months ago IT declined three requests and no alternative was taken up; this
        // month it declined three more and every alternative was.
        let old = ["Faster export", "Bigger mailbox", "Second screen"];
        for t in old {
            decline(&it, &member, sales, t, false).await;
        }
        back_date(app, &old, 122).await;
        for t in ["Tablet for demos", "Printer on floor two", "Headset for calls"] {
            decline(&it, &member, sales, t, true).await;
        }
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        let alt = signal(&p, "alternatives");
        let trend = alt["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 12, "a point per month: {alt}");
        let last = &trend[11];
        assert_eq!((last["value"].as_f64(), last["band"].as_str(), last["evidence"].as_u64()), (Some(100.0), Some("healthy"), Some(3)), "{last}");
        let then: Vec<&Value> = trend.iter().filter(|x| x["evidence"] == 3 && x["value"] == 0.0).collect();
        assert_eq!(then.len(), 3, "each point is over the three months ending with it: {alt}");
        assert_eq!(then[0]["band"], "poor");
        assert!(trend.iter().filter(|x| x["evidence"] == 0).all(|x| x["band"] == "too_little" && x["value"].is_null()), "an empty month is a gap, never a guess");
        let c = &alt["change"];
        assert_eq!((c["direction"].as_str(), c["before_band"].as_str(), c["now_band"].as_str()), (Some("improved"), Some("poor"), Some("healthy")), "{c}");
        assert_eq!(signal(&p, "coverage")["change"], Value::Null, "coverage keeps no history");
        let (_, o) = it.get("/relationships").await;
        let improved = o["improved"].as_array().unwrap();
        assert!(improved.iter().any(|m| m["department_id"] == sales && m["kind"] == "alternatives" && m["before"] == "0 %" && m["now"] == "100 %"), "{o}");
        // The board report: the summary, and a page per pair with its trends drawn.
        let b = app.browser_as(Role::Executive, Some("Finance")).await;
        let (s, page) = b.get("/relationships/report").await;
        assert_eq!(s, 200);
        assert!(page.contains("Improved this quarter") && page.contains("Declines with an alternative taken up: 0 % → <strong>100 %</strong>"), "{page}");
        assert!(!page.contains("<svg class=\"trend\""), "the summary has no per-pair pages");
        let (_, page) = b.get("/relationships/report?pairs=all").await;
        assert!(page.contains("<svg class=\"trend\"") && page.contains("class=\"report-pair\""), "{page}");
        assert!(page.contains("Declines with an alternative taken up, month by month:"), "the chart is read aloud");
        let m = app.browser_as(Role::Member, Some("Sales")).await;
        assert_eq!(m.get("/relationships/report").await.0, 403);
    }

    async fn thresholds_are_versioned_with_who_changed_them_and_bands_follow(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let leader = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        for t in ["Faster export", "Bigger mailbox", "Second screen"] {
            decline(&it, &member, sales, t, false).await;
        }
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        assert_eq!(signal(&p, "alternatives")["band"], "poor");
        // Alternatives poor, responsiveness and the review on time healthy (weight 1 each): the
        // index is (0 + 100 + 100) / 3.
        assert_eq!((p["index"].as_f64().map(f64::round), p["index_weight"].as_f64()), (Some(67.0), Some(3.0)));
        let (s, v) = leader.get("/relationships/thresholds").await;
        assert_eq!((s, v["may_change"].as_bool()), (200, Some(false)), "a leader reads how bands are drawn");
        assert_eq!(member.get("/relationships/thresholds").await.0, 403);
        let change = |healthy: f64, concerning: f64, min: i64, weight: f64, reason: &str| json!({"reason": reason, "signals": [{"signal": "alternatives", "healthy": healthy, "concerning": concerning, "min_evidence": min, "weight": weight}]});
        let put = |api: &Api, body: Value| {
            let r = api.req(reqwest::Method::PUT, "/relationships/thresholds").json(&body);
            async move {
                let r = r.send().await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        assert_eq!(put(&leader, change(50.0, 25.0, 4, 1.0, "Three is too few")).await.0, 403);
        // Bad input: every field named, nothing written.
        let (s, e) = put(&it, change(20.0, 40.0, 0, 11.0, " ")).await;
        assert_eq!(s, 422, "{e}");
        let fields: Vec<&str> = e["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["reason", "concerning_alternatives", "min_evidence_alternatives", "weight_alternatives"], "{e}");
        assert!(it.get("/relationships/thresholds").await.1["history"].as_array().unwrap().is_empty(), "nothing written");
        // Four records needed: three declines are too little evidence now.
        let (s, v) = put(&it, change(50.0, 25.0, 4, 1.0, "Three declines are too few to judge a team")).await;
        assert_eq!(s, 200, "{v}");
        let h = &v["history"][0];
        assert_eq!((h["signal"].as_str(), h["min_evidence"].as_i64(), h["reason"].as_str()), (Some("alternatives"), Some(4), Some("Three declines are too few to judge a team")), "{v}");
        assert!(h["changed_by_name"].as_str().is_some_and(|n| !n.is_empty()) && h["changed_by"] == it.user_id, "kept with who made it: {h}");
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        let alt = signal(&p, "alternatives");
        assert_eq!((alt["band"].as_str(), alt["thresholds"]["min_evidence"].as_u64()), (Some("too_little"), Some(4)), "{alt}");
        // Weight 0 leaves it out of the index (with enough evidence again).
        let (s, _) = put(&it, change(50.0, 25.0, 3, 0.0, "Alternatives are shown, not weighed")).await;
        assert_eq!(s, 200);
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        assert_eq!(signal(&p, "alternatives")["band"], "poor");
        assert_eq!((p["index"].as_f64(), p["index_weight"].as_f64()), (Some(100.0), Some(2.0)));
        // The same values again write no version; the audit log names the change.
        let (_, v) = put(&it, change(50.0, 25.0, 3, 0.0, "No change")).await;
        assert_eq!(v["history"].as_array().unwrap().len(), 2, "{v}");
        // Settings entries are for admins (issue 17); an IT leader does not read them.
        let (_, audit) = app.api_as(Role::Admin, None).await.get("/audit").await;
        assert!(audit.to_string().contains("Relationship thresholds changed (Alternatives are shown, not weighed)"), "{audit}");
        // With what changed, before and after: the fewest records 4 → 3, the weight 1 → 0.
        let entry = audit["items"].as_array().unwrap().iter().find(|e| e["summary"].as_str().is_some_and(|s| s.contains("Alternatives are shown, not weighed"))).unwrap().clone();
        assert_eq!((entry["before_value"].as_str(), entry["after_value"].as_str()), (Some("alternatives records: 4; alternatives weight: 1"), Some("alternatives records: 3; alternatives weight: 0")), "{entry}");
        let (_, audit) = it.get("/audit").await;
        assert!(!audit.to_string().contains("Relationship thresholds changed"), "{audit}");
        // The page keeps what was typed when it refuses a change.
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = b.get("/relationships/thresholds").await;
        let mut fields: Vec<(String, String)> = Vec::new();
        for k in ["trust_from_it", "trust_to_it", "reviews", "responsiveness", "alternatives", "coverage", "voice", "pulse_discipline", "pulse_unity", "pulse_empathy", "pulse_trust", "service_gap"] {
            for f in ["healthy", "concerning", "min_evidence", "weight"] {
                let name = format!("{f}_{k}");
                let marker = format!("name=\"{name}\"");
                assert!(page.contains(&marker), "{name} is on the form");
                let v = if name == "healthy_voice" { "lots".to_string() } else if name == "concerning_coverage" { "45.5".into() } else { current(&page, &name) };
                fields.push((name, v));
            }
        }
        fields.push(("reason".into(), "Tighter coverage".into()));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (s, page, _) = b.post_form("/relationships/thresholds", &refs).await;
        assert_eq!(s, 422);
        assert!(page.contains("Pain points answered: give a number") && page.contains("value=\"lots\"") && page.contains("value=\"45.5\"") && page.contains("value=\"Tighter coverage\""), "{page}");
        fields.retain(|(n, _)| n != "healthy_voice");
        fields.push(("healthy_voice".into(), "80".into()));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (s, _, to) = b.post_form("/relationships/thresholds", &refs).await;
        assert_eq!((s, to.as_deref()), (303, Some("/relationships/thresholds")));
        let (_, v) = it.get("/relationships/thresholds").await;
        assert_eq!((v["history"].as_array().unwrap().len(), v["history"][0]["signal"].as_str()), (3, Some("coverage")), "only the changed signal: {v}");
        let b = app.browser_as(Role::BusinessLeader, Some("Sales")).await;
        let (_, page) = b.get("/relationships/thresholds").await;
        assert!(!page.contains("name=\"healthy_voice\"") && page.contains("Tighter coverage"), "a leader sees the values and the history, not the form");
    }

    async fn leaders_views_are_kept_beside_the_computed_maturity(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let leader = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let hr = app.api_as(Role::BusinessLeader, Some("Human Resources")).await;
        let admin = app.api_as(Role::Admin, None).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        let path = format!("/relationships/{sales}/judgements");
        let (s, e) = leader.post(&path, json!({"feels": 0, "level": "guru", "reason": ""})).await;
        assert_eq!(s, 422, "{e}");
        let fields: Vec<&str> = e["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["feels", "level", "reason"]);
        for who in [&member, &hr, &admin] {
            assert_eq!(who.post(&path, json!({"feels": 3, "reason": "Fine"})).await.0, 403);
        }
        let (s, j) = leader.post(&path, json!({"feels": 2, "level": "order_taker", "reason": "IT takes our orders and we wait"})).await;
        assert_eq!((s, j["feels"].as_i64(), j["level"].as_str()), (201, Some(2), Some("order_taker")), "{j}");
        let (s, _) = it.post(&path, json!({"feels": "4", "level": "", "reason": "We meet every month"})).await;
        assert_eq!(s, 201);
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        let views = p["judgements"].as_array().unwrap();
        assert_eq!(views.len(), 2, "every view is kept: {p}");
        assert_eq!((views[0]["reason"].as_str(), views[0]["level"].clone()), (Some("We meet every month"), Value::Null), "newest first");
        let criteria = p["maturity"]["criteria"].as_array().unwrap();
        assert_eq!(criteria.len(), 6);
        let skills = criteria.iter().find(|c| c["criterion"] == "skills").unwrap();
        assert!(skills["level"].is_null() && skills["evidence"].as_array().unwrap().is_empty(), "no evidence, no level: {skills}");
        assert!(p["maturity"]["level"].is_null(), "nothing has evidence yet: no level is suggested");
        // The page: the views beside the computed maturity, and a refused view keeps its words.
        let b = app.browser_as(Role::BusinessLeader, Some("Sales")).await;
        let (_, page) = b.get(&format!("/relationships/{sales}")).await;
        assert!(page.contains("How leaders see it") && page.contains("IT takes our orders and we wait") && page.contains("sees it as Order taker"), "{page}");
        let (s, page, _) = b.post_form(&path, &[("level", "trusted_advisor"), ("reason", "Better since the new partner started")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("choose how the relationship feels") && page.contains("Better since the new partner started") && page.contains("value=\"trusted_advisor\" selected"), "{page}");
        let (s, _, to) = b.post_form(&path, &[("feels", "4"), ("level", "trusted_advisor"), ("reason", "Better since the new partner started")]).await;
        assert_eq!((s, to.as_deref()), (303, Some(format!("/relationships/{sales}#maturity").as_str())));
        let a = app.browser_as(Role::Admin, None).await;
        let (_, page) = a.get(&format!("/relationships/{sales}")).await;
        assert!(!page.contains("Say how it feels to you"), "a button a role cannot use is not shown");
    }
}

app_test! {
    async fn the_map_shows_who_works_with_whom_silos_and_overlaps(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales = app.api_as(Role::Member, Some("Sales")).await;
        let marketing = app.api_as(Role::Member, Some("Marketing")).await;
        let leader = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let (sales_id, marketing_id, it_id) = (app.dept("Sales").await, app.dept("Marketing").await, app.dept("IT").await);
        // Sales and Marketing ask IT for the same thing without knowing it.
        for (api, dept, title) in [(&sales, sales_id, "Pipeline reporting dashboard"), (&marketing, marketing_id, "Dashboard for pipeline reporting"), (&sales, sales_id, "New laptop for the intern")] {
            let (s, r) = api.post("/requests", json!({"title": title, "problem": "We cannot see it.", "affected": "The team", "desired_outcome": "We can see it", "department_id": dept, "urgency": "normal"})).await;
            assert_eq!(s, 201, "{r}");
        }
        // Sales promises Marketing something: a business ↔ business pair.
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
        let seller = app.person("Sam Seller", "sam@example.com", "Sales", "individual").await;
        let (s, p) = leader.post("/promises", json!({"promisor_id": seller, "promisee_department_id": marketing_id, "level": "individual", "text": "Share the lead list every Monday", "due_on": due})).await;
        assert_eq!(s, 201, "{p}");
        let (s, o) = it.get("/relationships/map").await;
        assert_eq!(s, 200);
        let m = &o;
        let edge = |a: i64, b: i64| m["edges"].as_array().unwrap().iter().find(|e| e["a"] == a.min(b) && e["b"] == a.max(b)).cloned();
        let e = edge(sales_id, it_id).expect("Sales asked IT");
        assert_eq!((e["requests"].as_u64(), e["volume"].as_u64()), (Some(2), Some(2)), "{e}");
        let e = edge(sales_id, marketing_id).expect("business with business too");
        assert_eq!((e["promises"].as_u64(), e["band"].as_str()), (Some(1), Some("too_little")), "{e}");
        let silo = |d: i64| m["nodes"].as_array().unwrap().iter().find(|n| n["id"] == d).unwrap()["silo"].as_bool();
        assert_eq!(silo(app.dept("Finance").await), Some(true), "nothing passed with Finance: {m}");
        assert_eq!(silo(sales_id), Some(false));
        let overlaps = m["overlaps"].as_array().unwrap();
        assert_eq!(overlaps.len(), 1, "{m}");
        assert_eq!((overlaps[0]["a_department"].as_str(), overlaps[0]["b_department"].as_str()), (Some("Marketing"), Some("Sales")), "newest first: {m}");
        let (_, p) = it.get(&format!("/relationships/{sales_id}")).await;
        assert_eq!((p["power"]["asked"].as_u64(), p["power"]["decided"].as_u64()), (Some(2), Some(0)), "{}", p["power"]);
        assert!(p["power"]["summary"].as_str().unwrap().starts_with("They asked IT 2 time(s)"));
        // A business leader sees their own pair, not the organisation's map.
        assert_eq!(leader.get("/relationships/map").await.0, 403, "the map shows other departments' requests");
        let (_, mine) = leader.get("/relationships").await;
        assert!(mine.get("interactions").is_none(), "{mine}");
        let b = app.browser_as(Role::Executive, Some("Finance")).await;
        let (_, page) = b.get("/relationships").await;
        assert!(page.contains("In a silo:") && page.contains("1 overlap(s)") && page.contains("href=\"/relationships/map\""), "the overview says it and links to the map: {page}");
        let (_, page) = b.get("/relationships/map").await;
        assert!(page.contains("<svg class=\"map\"") && page.contains("In a silo:") && page.contains("Finance (silo)"), "{page}");
        assert!(page.contains("Pipeline reporting dashboard") && page.contains("A chance to decide once, for both"), "{page}");
        let (_, page) = b.get("/relationships/report").await;
        assert!(page.contains("<svg class=\"map\""), "the board report has the map");
        let bl = app.browser_as(Role::BusinessLeader, Some("Sales")).await;
        let (_, page) = bl.get("/relationships").await;
        assert!(!page.contains("/relationships/map") && !page.contains("overlap"), "a leader of one department sees no other department's requests: {page}");
        assert_eq!(bl.get("/relationships/map").await.0, 403);
    }
}

/// A closed IT service gap survey: `counts` respondents per department, each rating every
/// service's importance 3 and satisfaction 3, except Sales' data and reporting (importance 5,
/// satisfaction 2).
async fn closed_service_gap(app: &TestApp, counts: &[(&str, usize)]) {
    use duet_store::listen as ls;
    let day = |d: i64| chrono::Utc::now().date_naive() + chrono::Duration::days(d);
    let admin = app.api_as(Role::Admin, None).await;
    let (_, list) = admin.get("/instruments").await;
    let gap = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "it-service-gap")
        .expect("the service gap is built in")
        .clone();
    let items: Vec<String> = gap["definition"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    let mut depts = Vec::new();
    let mut people = Vec::new();
    for (name, count) in counts {
        depts.push(app.dept(name).await);
        for i in 0..*count {
            people.push((
                *name,
                app.person(
                    &format!("{name} {i}"),
                    &format!("{}.{i}@example.com", name.to_lowercase().replace(' ', "")),
                    name,
                    "individual",
                )
                .await,
            ));
        }
    }
    let by = duet_store::accounts::find_login(&app.db, &app.account(Role::Admin, None).await)
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let input = duet_core::listen::campaigns::CampaignInput {
        instrument: gap["id"].as_i64().unwrap(),
        title: "IT service gap — autumn".into(),
        opens_on: day(-30),
        closes_on: day(-10),
        remind_on: day(-12),
        departments: depts,
        min_group: 5,
    };
    let c = ls::insert_campaign(&app.db, by, &input).await.unwrap().id;
    let secret = ls::anonymity_secret(&app.db).await.unwrap();
    for (name, p) in people {
        let ratings = items
            .iter()
            .map(|code| {
                Some(match (name, code.as_str()) {
                    ("Sales", "data_reporting.importance") => 5,
                    ("Sales", "data_reporting.satisfaction") => 2,
                    _ => 3,
                })
            })
            .collect();
        let a = duet_core::listen::instruments::Answers {
            about: None,
            ratings,
            texts: Default::default(),
        };
        ls::submit_response(&app.db, c, p, &secret, &a, ls::SubmitMode::New, day(-20))
            .await
            .unwrap();
    }
}

app_test! {
    async fn the_it_service_gap_ranks_what_to_fix_first_through_listens_anonymity(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let (sales, finance) = (app.dept("Sales").await, app.dept("Finance").await);
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        assert_eq!(signal(&p, "service_gap")["explanation"], "no IT service gap survey has closed yet");
        // Finance (2) and Human Resources (3) are each below k = 5, but together they are 5: Sales
        // can be shown without its figures revealing theirs by subtraction.
        closed_service_gap(app, &[("Sales", 6), ("Finance", 2), ("Human Resources", 3)]).await;
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        let g = signal(&p, "service_gap");
        assert_eq!((g["value"].as_f64(), g["band"].as_str(), g["evidence"].as_u64()), (Some(3.0), Some("poor"), Some(6)), "{g}");
        assert!(g["explanation"].as_str().unwrap().contains("data and reporting"), "{g}");
        let first = &p["services"][0];
        assert_eq!((first["service"].as_str(), first["importance"].as_f64(), first["satisfaction"].as_f64(), first["important"].as_bool()), (Some("data_reporting"), Some(5.0), Some(2.0), Some(true)), "{p}");
        assert_eq!(p["services"][1]["important"], false, "importance 3 is below what counts");
        let scope = p["maturity"]["criteria"].as_array().unwrap().iter().find(|c| c["criterion"] == "scope").unwrap().clone();
        assert_eq!(scope["evidence"][0], json!(["service_gap", "poor"]), "{scope}");
        // Two people of Finance answered: below k, nothing of theirs is shown.
        let (_, p) = it.get(&format!("/relationships/{finance}")).await;
        let g = signal(&p, "service_gap");
        assert_eq!((g["value"].clone(), g["band"].as_str()), (Value::Null, Some("too_little")), "{g}");
        assert!(p["services"].as_array().unwrap().iter().all(|s| s["importance"].is_null() && s["satisfaction"].is_null()), "{p}");
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = b.get(&format!("/relationships/{sales}")).await;
        assert!(page.contains("IT service gap") && page.contains("Data and reporting") || page.contains("data and reporting"), "{page}");
    }
}

/// The value of input `name` on a page.
fn current(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let at = page.find(&marker).unwrap();
    let rest = &page[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..v + rest[v..].find('"').unwrap()].to_string()
}

/// The built-in mirror survey: its id and item codes.
async fn mirror(app: &TestApp) -> (i64, Vec<String>) {
    let admin = app.api_as(Role::Admin, None).await;
    let (_, list) = admin.get("/instruments").await;
    let m = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "relationship-mirror")
        .expect("the mirror survey is built in")
        .clone();
    let items = m["definition"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    (m["id"].as_i64().unwrap(), items)
}

app_test! {
    async fn it_people_name_the_department_they_answer_about_and_the_mirror_shows_both_sides(app: &TestApp) {
        use duet_store::listen as ls;
        let day = |d: i64| chrono::Utc::now().date_naive() + chrono::Duration::days(d);
        let (id, items) = mirror(app).await;
        let (it_dept, sales, finance, marketing) = (app.dept("IT").await, app.dept("Sales").await, app.dept("Finance").await, app.dept("Marketing").await);
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let seller = app.api_as(Role::Member, Some("Sales")).await;
        let b = app.browser_as(Role::Member, Some("IT")).await;
        let all = |v: &str| Value::Object(items.iter().map(|c| (c.clone(), json!(v))).collect());
        // An open mirror: IT must name an invited business department; business people name none.
        let (status, c) = it.post("/campaigns", json!({"instrument_id": id, "title": "Mirror now", "opens_on": day(0).to_string(), "closes_on": day(14).to_string(), "departments": [it_dept, sales]})).await;
        assert_eq!(status, 201, "{c}");
        let open = c["id"].as_i64().unwrap();
        let path = format!("/campaigns/{open}/response");
        for (about, why) in [(Value::Null, "required of IT"), (json!(it_dept), "IT is not a business department"), (json!(finance), "Finance is not invited")] {
            let (status, body) = it.post(&path, json!({"ratings": all("3"), "about": about})).await;
            assert_eq!((status, body["error"]["field"].as_str()), (422, Some("about")), "{why}: {body}");
        }
        let (status, body) = seller.post(&path, json!({"ratings": all("3"), "about": sales})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("about")), "a business respondent answers about IT: {body}");
        let (status, body) = it.post(&path, json!({"ratings": all("3"), "about": sales})).await;
        assert_eq!(status, 201, "{body}");
        let (_, mine) = it.get(&path).await;
        assert_eq!(mine["about"], json!(sales), "the author finds the department they named");
        let (status, _) = seller.post(&path, json!({"ratings": all("3")})).await;
        assert_eq!(status, 201);
        // On the page, a refused answer keeps the department chosen.
        let (_, page) = b.get(&format!("/listen/campaigns/{open}")).await;
        assert!(page.contains("Which business department do your answers concern?") && page.contains(" required>"), "{page}");
        let (status, page, _) = b.post_form(&format!("/listen/campaigns/{open}/respond"), &[("mode", "new"), ("about", &sales.to_string())]).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains(&format!("<option value=\"{sales}\" selected>")), "{page}");

        // A closed mirror. Sales (5) rate the relationship 2 and guess IT says 3; IT people who
        // named Sales (6) rate it 4 and guess Sales says 4. Finance (5) and the 5 IT people who
        // named Finance; 2 IT people named Marketing: hiding them alone would leave Finance's
        // five subtractable from IT's whole, so Finance's IT side is hidden too.
        let mut people: Vec<(i64, Option<i64>, u8, u8)> = Vec::new();
        for (dept, about, n, own, other) in [("Sales", None, 5, 2, 3), ("Finance", None, 5, 3, 3), ("IT", Some(sales), 6, 4, 4), ("IT", Some(finance), 5, 3, 3), ("IT", Some(marketing), 2, 1, 1)] {
            for i in 0..n {
                let email = format!("m.{}.{}.{i}@example.com", dept.to_lowercase(), about.unwrap_or(0));
                people.push((app.person(&format!("M {dept} {i} {}", about.unwrap_or(0)), &email, dept, "individual").await, about, own, other));
            }
        }
        let by = duet_store::accounts::find_login(&app.db, &app.account(Role::Admin, None).await).await.unwrap().unwrap().0.id;
        let input = duet_core::listen::campaigns::CampaignInput { instrument: id, title: "Mirror — autumn".into(), opens_on: day(-30), closes_on: day(-10), remind_on: day(-12), departments: vec![it_dept, sales, finance, marketing], min_group: 5 };
        let closed = ls::insert_campaign(&app.db, by, &input).await.unwrap().id;
        let secret = ls::anonymity_secret(&app.db).await.unwrap();
        for (p, about, own, other) in people {
            let ratings = items.iter().map(|c| Some(if c.ends_with(".own") { own } else { other })).collect();
            let a = duet_core::listen::instruments::Answers { about, ratings, texts: Default::default() };
            ls::submit_response(&app.db, closed, p, &secret, &a, ls::SubmitMode::New, day(-20)).await.unwrap();
        }
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        let m = &p["sides"]["mirror"];
        assert_eq!((m["department_respondents"].as_u64(), m["it_respondents"].as_u64()), (Some(5), Some(6)), "{m}");
        let overall = &m["items"][0];
        assert_eq!(overall["statement"], "overall");
        let mean = |k: &str| overall[k]["mean"].as_f64();
        assert_eq!((mean("department_own"), mean("it_guess"), mean("it_own"), mean("department_guess")), (Some(2.0), Some(4.0), Some(4.0), Some(3.0)), "{overall}");
        assert_eq!((overall["it_misreads"].as_f64(), overall["department_misreads"].as_f64()), (Some(2.0), Some(-1.0)), "{overall}");
        let (_, p) = it.get(&format!("/relationships/{finance}")).await;
        let m = &p["sides"]["mirror"];
        assert_eq!((m["department_respondents"].as_u64(), m["it_respondents"].clone()), (Some(5), Value::Null), "Finance's IT side would give away Marketing's two: {m}");
        assert!(m["items"].as_array().unwrap().iter().all(|i| i["it_own"].is_null() && i["it_guess"].is_null() && i["it_misreads"].is_null()), "{m}");
        let (_, p) = it.get(&format!("/relationships/{marketing}")).await;
        assert!(p["sides"]["mirror"]["it_respondents"].is_null());
        // The misreading raises a warning on Sales, and the page says who misreads whom.
        let sync = || async {
            let (promises, metrics) = (Default::default(), Default::default());
            let listen = duet_web::service::listen::ListenState::new(None);
            let src = duet_web::service::relationships::Sources { db: &app.db, promises: &promises, metrics: &metrics, listen: &listen, tz: chrono_tz::Europe::London };
            duet_web::service::relationships::sync_warnings(src).await.unwrap()
        };
        sync().await;
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        let w = p["warnings"].as_array().unwrap().iter().find(|w| w["signal"] == "perception").unwrap_or_else(|| panic!("{p}")).clone();
        assert!(w["reason"].as_str().unwrap().contains("IT believes Sales rates the relationship 4.0 of 5; Sales rates it 2.0"), "{w}");
        let (_, p) = it.get(&format!("/relationships/{finance}")).await;
        assert!(p["warnings"].as_array().unwrap().iter().all(|w| w["signal"] != "perception"), "{p}");
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = b.get(&format!("/relationships/{sales}")).await;
        assert!(page.contains("IT believes Sales sees the relationship better than Sales says it does"), "{page}");
    }
}

app_test! {
    async fn it_leaders_edit_the_service_catalogue_as_a_new_version_and_surveys_keep_theirs(app: &TestApp) {
        use duet_store::listen as ls;
        let day = |d: i64| chrono::Utc::now().date_naive() + chrono::Duration::days(d);
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let exec = app.api_as(Role::Executive, Some("Finance")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        assert_eq!(member.get("/relationships/services").await.0, 403);
        let (s, c) = it.get("/relationships/services").await;
        assert_eq!((s, c["version"].as_i64(), c["services"].as_array().unwrap().len(), c["may_edit"].as_bool()), (200, Some(1), 8, Some(true)), "{c}");
        let (_, c) = exec.get("/relationships/services").await;
        assert_eq!(c["may_edit"], false);
        let (s, _) = exec.send(reqwest::Method::PUT, "/relationships/services", json!({"services": "Network"})).await;
        assert_eq!(s, 403, "executives read the catalogue, IT runs it");
        let (s, e) = it.send(reqwest::Method::PUT, "/relationships/services", json!({"services": "The network and Wi-Fi\nx\nthe NETWORK and wi-fi"})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("services")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("line 2"), "{e}");
        let (_, c) = it.get("/relationships/services").await;
        assert_eq!(c["version"], 1, "nothing was written");
        let (s, c) = it.send(reqwest::Method::PUT, "/relationships/services", json!({"services": "The service desk\n\nCRM and sales tools\nData and reporting\n"})).await;
        assert_eq!(s, 200, "{c}");
        let codes: Vec<&str> = c["services"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect();
        assert_eq!((c["version"].as_i64(), codes), (Some(2), vec!["service_desk", "crm_and_sales_tools", "data_reporting"]), "kept names keep their codes: {c}");
        let (_, again) = it.send(reqwest::Method::PUT, "/relationships/services", json!({"services": "The service desk\nCRM and sales tools\nData and reporting"})).await;
        assert_eq!(again["version"], 2, "an unchanged catalogue makes no version");
        // A survey of the new version asks the new services; the page names them.
        let v2 = c["instrument_id"].as_i64().unwrap();
        let mut people = Vec::new();
        for i in 0..5 {
            people.push(app.person(&format!("Cat {i}"), &format!("cat.{i}@example.com"), "Sales", "individual").await);
        }
        let by = duet_store::accounts::find_login(&app.db, &app.account(Role::Admin, None).await).await.unwrap().unwrap().0.id;
        let sales = app.dept("Sales").await;
        let input = duet_core::listen::campaigns::CampaignInput { instrument: v2, title: "Service gap v2".into(), opens_on: day(-30), closes_on: day(-10), remind_on: day(-12), departments: vec![sales], min_group: 5 };
        let campaign = ls::insert_campaign(&app.db, by, &input).await.unwrap().id;
        let secret = ls::anonymity_secret(&app.db).await.unwrap();
        for p in people {
            // importance, satisfaction per service: CRM 5 and 1.
            let ratings = vec![Some(3), Some(3), Some(5), Some(1), Some(3), Some(3)];
            let a = duet_core::listen::instruments::Answers { about: None, ratings, texts: Default::default() };
            ls::submit_response(&app.db, campaign, p, &secret, &a, ls::SubmitMode::New, day(-20)).await.unwrap();
        }
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        assert_eq!((p["services"][0]["service"].as_str(), p["services"][0]["name"].as_str(), p["services"].as_array().unwrap().len()), (Some("crm_and_sales_tools"), Some("CRM and sales tools"), 3), "{}", p["services"]);
        assert!(signal(&p, "service_gap")["explanation"].as_str().unwrap().contains("CRM and sales tools"), "{p}");
        // The page: the list for every reader who may see relationships, the form for IT.
        let b = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = b.get("/relationships/services").await;
        assert!(page.contains("version 2") && page.contains("<textarea id=\"services\" name=\"services\""), "{page}");
        let (s, page, _) = b.post_form("/relationships/services", &[("services", "Network\nNetwork")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("line 2: \u{201c}Network\u{201d} is already on line 1") && page.contains(">Network\nNetwork</textarea>"), "what was typed stays: {page}");
        let e = app.browser_as(Role::Executive, Some("Finance")).await;
        let (_, page) = e.get("/relationships/services").await;
        assert!(page.contains("CRM and sales tools") && !page.contains("<textarea"), "{page}");
    }
}

app_test! {
    async fn a_declined_or_stalled_request_is_escalated_once_and_counts_in_who_decides(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let outsider = app.api_as(Role::Member, Some("Finance")).await;
        let leader = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let sales = app.dept("Sales").await;
        decline(&it, &member, sales, "Faster export", false).await;
        let (_, list) = member.get("/requests").await;
        let id = list["items"].as_array().or(list.as_array()).unwrap().iter().find(|r| r["title"] == "Faster export").unwrap()["id"].as_i64().unwrap();
        let path = format!("/requests/{id}/escalate");
        let (s, b) = member.post(&path, json!({"reason": "short"})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some("reason")), "{b}");
        let (s, _) = outsider.post(&path, json!({"reason": "We need this export every morning"})).await;
        assert!(s == 403 || s == 404, "not theirs to escalate: {s}");
        let (s, b) = member.post(&path, json!({"reason": "We lose two hours a day exporting by hand"})).await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = leader.post(&path, json!({"reason": "Once more, from Sales' leader"})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (409, Some("request")), "once per request: {b}");
        let (_, inbox) = it.get("/notifications").await;
        assert!(inbox.to_string().contains("escalated to IT's leaders: We lose two hours a day exporting by hand"), "{inbox}");
        // A request IT has had for a day is not escalated yet.
        let (_, fresh) = member.post("/requests", json!({"title": "New laptop bag", "problem": "Bags wear out.", "affected": "Sales", "desired_outcome": "New bags", "department_id": sales, "urgency": "low"})).await;
        let (s, b) = leader.post(&format!("/requests/{}/escalate", fresh["id"]), json!({"reason": "Sales' leader wants it sooner"})).await;
        assert_eq!((s, b["error"]["field"].as_str()), (409, Some("status")), "{b}");
        let (_, p) = it.get(&format!("/relationships/{sales}")).await;
        assert_eq!(p["power"]["escalated"], 1, "{}", p["power"]);
        assert!(p["power"]["summary"].as_str().unwrap().contains("they escalated 1 request(s) to IT's leaders"), "{}", p["power"]);
        // The page offers escalating only when it would be taken; a refused reason stays typed.
        decline(&it, &member, sales, "Bigger mailbox", false).await;
        let (_, list) = member.get("/requests").await;
        let second = list["items"].as_array().or(list.as_array()).unwrap().iter().find(|r| r["title"] == "Bigger mailbox").unwrap()["id"].as_i64().unwrap();
        let b = app.browser_as(Role::BusinessLeader, Some("Sales")).await;
        let (_, page) = b.get(&format!("/requests/{id}")).await;
        assert!(!page.contains(&format!("action=\"/requests/{id}/escalate\"")), "already escalated");
        let (_, page) = b.get(&format!("/requests/{second}")).await;
        assert!(page.contains(&format!("action=\"/requests/{second}/escalate\"")), "{page}");
        let (s, page, _) = b.post_form(&format!("/requests/{second}/escalate"), &[("reason", "Too few")]).await;
        assert_eq!(s, 422);
        assert!(page.contains(">Too few</textarea>") && page.contains("Why it should be looked at again must be at least 10 characters") && !page.contains("Decline reason"), "what was typed stays, and the error names this field: {page}");
        let (s, _, _) = b.post_form(&format!("/requests/{second}/escalate"), &[("reason", "Mailboxes fill up every week in Sales")]).await;
        assert_eq!(s, 303);
        let (_, page) = b.get(&format!("/requests/{second}")).await;
        assert!(!page.contains(&format!("action=\"/requests/{second}/escalate\"")) && page.contains("escalated to IT&#39;s leaders: Mailboxes fill up"), "{page}");
    }
}
