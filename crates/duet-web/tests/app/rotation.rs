//! Swap over HTTP on both backends: a cycle opened, placements offered, people applying and
//! their manager (only they) releasing them, the exact matching with its terms and the owner's
//! adjustments, confirmation in one go, reflections private or shared, a reflection turned into
//! a request, and every bad input refused with nothing written.

use crate::app_test;
use crate::common::{Api, TestApp, error_fields as fields};
use duet_core::auth::Role;
use duet_core::org::{DepartmentId, DepartmentInput, PersonId};
use serde_json::json;

/// Makes the person behind `api` the leader of `dept` (their manager, for releases).
async fn lead(app: &TestApp, dept: &str, api: &Api) {
    let users = duet_store::accounts::list_users(&app.db).await.unwrap();
    let person = users
        .iter()
        .find(|u| u.id == api.user_id)
        .and_then(|u| u.person_id)
        .unwrap();
    let id = app.dept(dept).await;
    let d = duet_store::org::find_department(&app.db, DepartmentId(id))
        .await
        .unwrap();
    let input = DepartmentInput {
        name: d.name.clone(),
        kind: d.kind,
        leader: Some(PersonId(person)),
        it_partner: d.it_partner_id.map(PersonId),
    };
    duet_store::org::update_department(&app.db, DepartmentId(id), &input)
        .await
        .unwrap();
}

/// The person behind `api`.
async fn person_of(app: &TestApp, api: &Api) -> i64 {
    duet_store::accounts::list_users(&app.db)
        .await
        .unwrap()
        .iter()
        .find(|u| u.id == api.user_id)
        .and_then(|u| u.person_id)
        .unwrap()
}

fn day(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

async fn open(it: &Api, app: &TestApp, title: &str, starts: i64) -> i64 {
    let ids = json!([app.dept("IT").await, app.dept("Sales").await]);
    let (s, c) = it
        .post(
            "/rotation/cycles",
            json!({"title": title, "call_closes_on": day(starts - 10), "starts_on": day(starts), "weeks": 4, "commitment": "full_time", "departments": ids}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    c["cycle"]["id"].as_i64().unwrap()
}

app_test! {
    async fn a_cycle_runs_from_call_to_placements_with_only_the_manager_releasing(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let finance_lead = app.api_as(Role::BusinessLeader, Some("Finance")).await;
        let ann = app.api_as(Role::Member, Some("Sales")).await;
        let bob = app.api_as(Role::Member, Some("Sales")).await;
        let ivy = app.api_as(Role::Member, Some("IT")).await;
        lead(app, "Sales", &sales_lead).await;
        lead(app, "IT", &it).await;
        let (sales, it_dept) = (app.dept("Sales").await, app.dept("IT").await);

        // Bad input: every field named, nothing written.
        let (s, b) = it.post("/rotation/cycles", json!({"title": "x", "call_closes_on": day(-1), "starts_on": day(-5), "weeks": 20, "commitment": "sometimes", "departments": [sales]})).await;
        assert_eq!(s, 422, "{b}");
        let f = fields(&b);
        for name in ["title", "call_closes_on", "starts_on", "weeks", "commitment", "departments"] {
            assert!(f.iter().any(|x| x == name), "{name} in {f:?}");
        }
        assert_eq!(it.get("/rotation/cycles").await.1.as_array().unwrap().len(), 0);
        assert_eq!(ann.post("/rotation/cycles", json!({})).await.0, 403);

        let cycle = open(&it, app, "Spring rotation", 30).await;
        // Offers: the Sales leader for Sales, the IT leader for IT; not Finance's leader for Sales.
        let buddy_sales = person_of(app, &sales_lead).await;
        let buddy_it = person_of(app, &it).await;
        let (s, b) = finance_lead.post(&format!("/rotation/cycles/{cycle}/offers"), json!({"department_id": sales, "role": "Analyst", "work": "Shadows the pipeline review", "capacity": 1, "buddy_id": buddy_sales})).await;
        assert_eq!(s, 403, "{b}");
        let (s, b) = sales_lead.post(&format!("/rotation/cycles/{cycle}/offers"), json!({"department_id": sales, "role": "Sales operations analyst", "work": "Shadows the pipeline review", "capacity": 1, "teaches": "crm", "needs": "sql", "buddy_id": buddy_it})).await;
        assert_eq!((s, fields(&b)), (422, vec!["buddy_id".to_string()]), "the buddy is of the host: {b}");
        let (s, b) = sales_lead.post(&format!("/rotation/cycles/{cycle}/offers"), json!({"department_id": sales, "role": "Sales operations analyst", "work": "Shadows the pipeline review", "capacity": 1, "teaches": "crm", "needs": "sql", "buddy_id": buddy_sales})).await;
        assert_eq!(s, 201, "{b}");
        let (s, b) = it.post(&format!("/rotation/cycles/{cycle}/offers"), json!({"department_id": it_dept, "role": "Service desk analyst", "work": "Works the first-line queue", "capacity": 1, "teaches": "sql", "needs": "negotiation", "buddy_id": buddy_it})).await;
        assert_eq!(s, 201, "{b}");
        let offers = b["offers"].as_array().unwrap().clone();
        let sales_offer = offers.iter().find(|o| o["department_id"] == sales).unwrap()["id"].as_i64().unwrap();
        let it_offer = offers.iter().find(|o| o["department_id"] == it_dept).unwrap()["id"].as_i64().unwrap();

        // Applications: to the other side only, once.
        let (s, b) = ann.post(&format!("/rotation/cycles/{cycle}/applications"), json!({"interests": "I want to see why CRM changes take weeks", "brings": "negotiation", "wants": "sql", "choice_1": sales})).await;
        assert_eq!((s, fields(&b)), (422, vec!["choice_1".to_string()]), "{b}");
        let (s, a_ann) = ann.post(&format!("/rotation/cycles/{cycle}/applications"), json!({"interests": "I want to see why CRM changes take weeks", "brings": "negotiation", "wants": "sql", "choice_1": it_dept})).await;
        assert_eq!(s, 201, "{a_ann}");
        assert_eq!(ann.post(&format!("/rotation/cycles/{cycle}/applications"), json!({"interests": "Again, to be sure", "choice_1": it_dept})).await.0, 409);
        let (_, a_bob) = bob.post(&format!("/rotation/cycles/{cycle}/applications"), json!({"interests": "Curious about the service desk", "choice_1": it_dept})).await;
        let (s, a_ivy) = ivy.post(&format!("/rotation/cycles/{cycle}/applications"), json!({"interests": "I build CRM integrations and never saw a sales call", "brings": "sql", "wants": "crm", "choice_1": sales})).await;
        assert_eq!(s, 201, "{a_ivy}");
        let (ann_id, bob_id, ivy_id) = (a_ann["id"].as_i64().unwrap(), a_bob["id"].as_i64().unwrap(), a_ivy["id"].as_i64().unwrap());

        // Only the manager releases; a decline needs a reason.
        let (s, b) = it.post(&format!("/rotation/applications/{ann_id}/release"), json!({"decision": "released"})).await;
        assert_eq!(s, 403, "the IT leader is not Ann's manager: {b}");
        let (_, view) = it.get(&format!("/rotation/cycles/{cycle}")).await;
        assert!(view["applications"].as_array().unwrap().iter().all(|a| a["release_state"] == "pending"), "nothing written: {view}");
        let (s, b) = sales_lead.post(&format!("/rotation/applications/{bob_id}/release"), json!({"decision": "declined", "reason": "no"})).await;
        assert_eq!((s, fields(&b)), (422, vec!["reason".to_string()]));
        for id in [ann_id, bob_id] {
            assert_eq!(sales_lead.post(&format!("/rotation/applications/{id}/release"), json!({"decision": "released"})).await.0, 200);
        }
        assert_eq!(it.post(&format!("/rotation/applications/{ivy_id}/release"), json!({"decision": "released"})).await.0, 200);
        // Each is told: the manager when someone applies, the applicant when answered.
        assert!(sales_lead.get("/notifications").await.1.to_string().contains("applied to \u{201c}Spring rotation\u{201d}"), "the manager is asked");
        assert!(ann.get("/notifications").await.1.to_string().contains("Your manager released you"), "the applicant is told");
        // A member sees only their own application; the manager their department's.
        let (_, v) = bob.get(&format!("/rotation/cycles/{cycle}")).await;
        assert_eq!(v["applications"].as_array().unwrap().len(), 1, "{v}");
        let (_, v) = sales_lead.get(&format!("/rotation/cycles/{cycle}")).await;
        assert_eq!(v["applications"].as_array().unwrap().len(), 2, "{v}");

        // The exact matching: one IT seat for two Sales applicants; Ivy goes to Sales.
        assert_eq!(ann.get(&format!("/rotation/cycles/{cycle}/proposal")).await.0, 403);
        let (s, p) = it.get(&format!("/rotation/cycles/{cycle}/proposal")).await;
        assert_eq!(s, 200, "{p}");
        let pairs = p["pairs"].as_array().unwrap();
        assert_eq!(pairs.len(), 2, "{p}");
        assert_eq!(p["unplaced"].as_array().unwrap().len(), 1, "{p}");
        let ann_pair = pairs.iter().find(|x| x["application_id"] == ann_id).expect("Ann, who brings what IT needs, fits better than Bob");
        assert!(ann_pair["fit"]["skills"].as_f64().unwrap() > 0.0 && ann_pair["fit"]["preference"].as_f64().unwrap() > 0.0, "{ann_pair}");
        assert!(pairs.iter().any(|x| x["application_id"] == ivy_id && x["offer_id"] == sales_offer));
        // The owner keeps Bob instead; pinning both to one seat is refused by name.
        let (s, p) = it.post(&format!("/rotation/cycles/{cycle}/proposal"), json!({"pinned": [{"application_id": bob_id, "offer_id": it_offer}]})).await;
        assert_eq!(s, 200, "{p}");
        assert!(p["pairs"].as_array().unwrap().iter().any(|x| x["application_id"] == bob_id && x["pinned"] == true), "{p}");
        assert_eq!(p["unplaced"][0]["application_id"], ann_id);
        let (s, b) = it.post(&format!("/rotation/cycles/{cycle}/confirm"), json!({"pinned": [{"application_id": bob_id, "offer_id": it_offer}, {"application_id": ann_id, "offer_id": it_offer}]})).await;
        assert_eq!((s, fields(&b)), (422, vec!["pinned".to_string()]), "{b}");
        assert_eq!(it.get(&format!("/rotation/cycles/{cycle}")).await.1["placements"].as_array().unwrap().len(), 0, "nothing written");

        let (s, v) = it.post(&format!("/rotation/cycles/{cycle}/confirm"), json!({"pinned": [{"application_id": bob_id, "offer_id": it_offer}]})).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["placements"].as_array().unwrap().len(), 2);
        assert!(matches!(v["phase"].as_str(), Some("confirmed")), "{v}");
        assert_eq!(it.post(&format!("/rotation/cycles/{cycle}/confirm"), json!({})).await.0, 409);
        assert!(bob.get("/notifications").await.1.to_string().contains("You are placed for"), "the guest is told");
        assert!(!ann.get("/notifications").await.1.to_string().contains("You are placed for"), "not someone unplaced");
        assert_eq!(ann.post(&format!("/rotation/cycles/{cycle}/applications"), json!({"interests": "Late, but keen", "choice_1": it_dept})).await.0, 409);
        assert_eq!(sales_lead.post(&format!("/rotation/applications/{ann_id}/release"), json!({"decision": "declined", "reason": "Changed my mind about it"})).await.0, 409);

        // One rotation at a time: Bob may not join an overlapping cycle.
        let overlapping = open(&it, app, "Overlapping rotation", 35).await;
        let (s, b) = bob.post(&format!("/rotation/cycles/{overlapping}/applications"), json!({"interests": "Another go at it", "choice_1": it_dept})).await;
        assert_eq!(s, 409, "{b}");
        assert!(b.to_string().contains("Spring rotation"), "{b}");

        // Reflections: only the guest writes; private stays private, shared reaches the host.
        let bob_placement = v["placements"].as_array().unwrap().iter().find(|p| p["application_id"] == bob_id).unwrap()["id"].as_i64().unwrap();
        let (s, _) = ann.post(&format!("/rotation/placements/{bob_placement}/reflections"), json!({"stage": "start", "surprised": "Not my placement at all"})).await;
        assert_eq!(s, 403);
        let (s, r) = bob.post(&format!("/rotation/placements/{bob_placement}/reflections"), json!({"stage": "start", "surprised": "The queue never empties", "pain_point": "Password resets eat a third of the day", "shared": false})).await;
        assert_eq!(s, 201, "{r}");
        let (_, page) = it.get(&format!("/rotation/placements/{bob_placement}")).await;
        assert_eq!((page["reflections"].as_array().unwrap().len(), page["hidden"].as_i64()), (0, Some(1)), "the host's leader does not read a private one: {page}");
        let (s, r) = bob.post(&format!("/rotation/placements/{bob_placement}/reflections"), json!({"stage": "start", "surprised": "The queue never empties", "pain_point": "Password resets eat a third of the day", "shared": true})).await;
        assert_eq!(s, 201, "{r}");
        let (_, page) = it.get(&format!("/rotation/placements/{bob_placement}")).await;
        assert_eq!(page["reflections"].as_array().unwrap().len(), 1, "shared now: {page}");
        let (_, page) = ann.get(&format!("/rotation/placements/{bob_placement}")).await;
        assert_eq!(page["reflections"].as_array().unwrap().len(), 0, "not Ann's host: {page}");

        // What came back: a request from the reflection, once.
        let rid = r["id"].as_i64().unwrap();
        let (s, b) = bob.post(&format!("/rotation/reflections/{rid}/follow-up"), json!({"kind": "request", "title": "Self-service password resets", "desired_outcome": "People reset their own password"})).await;
        assert_eq!(s, 201, "{b}");
        let req = b["request_id"].as_i64().unwrap();
        let (_, r) = bob.get(&format!("/requests/{req}")).await;
        assert_eq!(r["request"]["problem"], "Password resets eat a third of the day", "{r}");
        assert_eq!(bob.post(&format!("/rotation/reflections/{rid}/follow-up"), json!({"kind": "promise", "text": "Brief my team", "due_on": day(20)})).await.0, 409);
        let (_, page) = bob.get(&format!("/rotation/placements/{bob_placement}")).await;
        assert_eq!(page["reflections"][0]["request_id"], req);

        // Outcomes: the owner reads them; a member does not.
        let (s, o) = it.get(&format!("/rotation/cycles/{cycle}/outcomes")).await;
        assert_eq!(s, 200, "{o}");
        assert_eq!(o["finished"], false);
        assert_eq!(o["pairs"][0]["guests"], 2, "{o}");
        assert_eq!(bob.get(&format!("/rotation/cycles/{cycle}/outcomes")).await.0, 403);
    }

    async fn the_pages_keep_what_was_typed_and_offer_only_what_a_role_may_do(app: &TestApp) {
        let it = app.api_as(Role::ItLeader, Some("IT")).await;
        lead(app, "IT", &it).await;
        let cycle = open(&it, app, "Autumn rotation", 40).await;
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let (s, page) = member.get(&format!("/rotation/{cycle}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("action=\"/rotation/") && page.contains("/applications\""), "a member may apply");
        assert!(!page.contains("/offers\""), "a member offers no placement");
        assert!(!page.contains("/match\""), "nor matches");
        let (s, page, _) = member.post_form(&format!("/rotation/{cycle}/applications"), &[("interests", "Keen to see what IT does all day"), ("wants", "sql")]).await;
        assert_eq!(s, 422);
        assert!(page.contains("Keen to see what IT does all day</textarea>") && page.contains("value=\"sql\""), "what was typed stays: {page}");
        assert!(page.contains("choose at least the host department"), "{page}");
        let it_dept = app.dept("IT").await.to_string();
        let (s, _, to) = member.post_form(&format!("/rotation/{cycle}/applications"), &[("interests", "Keen to see what IT does all day"), ("choice_1", &it_dept)]).await;
        assert_eq!(s, 303);
        assert!(to.unwrap().contains(&format!("/rotation/{cycle}")));
        let (_, page) = member.get(&format!("/rotation/{cycle}")).await;
        assert!(page.contains("Waiting for the manager") && !page.contains("name=\"decision\""), "no release buttons for the applicant");
        let owner = app.browser_as(Role::ItLeader, Some("IT")).await;
        let (_, page) = owner.get("/rotation").await;
        assert!(page.contains("Autumn rotation") && page.contains("Open the cycle"));
        let (s, page) = owner.get(&format!("/rotation/{cycle}/match")).await;
        assert_eq!(s, 200);
        assert!(page.contains("waiting for their manager"), "{page}");
        let (s, page, _) = owner.post_form("/rotation", &[("title", "Winter rotation"), ("weeks", "30"), ("departments", &it_dept)]).await;
        assert_eq!(s, 422);
        assert!(page.contains("value=\"Winter rotation\"") && page.contains("a placement lasts 2 to 12 weeks"), "{page}");
    }
}
