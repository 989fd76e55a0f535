//! Listen over HTTP on both backends: answering campaigns, results only after closing, and an
//! admin who reads every page and API response without being able to isolate one respondent.

use crate::app_test;
use crate::common::TestApp;
use chrono::{Duration, NaiveDate, Utc};
use duet_core::auth::Role;
use duet_core::listen::campaigns::CampaignInput;
use duet_core::listen::instruments::Answers;
use duet_store::listen::{self as ls, SubmitMode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn day(n: i64) -> NaiveDate {
    Utc::now().date_naive() + Duration::days(n)
}

/// Every pulse item answered with `v` (the first one "don't know").
pub(crate) fn all_ratings(items: &Value, v: &str) -> Value {
    let mut m = serde_json::Map::new();
    for (n, i) in items.as_array().unwrap().iter().enumerate() {
        m.insert(
            i["code"].as_str().unwrap().into(),
            json!(if n == 0 { "dk" } else { v }),
        );
    }
    Value::Object(m)
}

pub(crate) async fn pulse(app: &TestApp) -> (i64, Value) {
    let admin = app.api_as(Role::Admin, None).await;
    let (_, list) = admin.get("/instruments").await;
    let p = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "duet-pulse")
        .unwrap()
        .clone();
    (p["id"].as_i64().unwrap(), p["definition"]["items"].clone())
}

/// A closed campaign with `counts` respondents per department, seeded through the store on days
/// the campaign was open; returns its id. Everyone answers `base` except the department's first
/// respondent in `outlier` (all 1s with a comment).
async fn closed_campaign(app: &TestApp, counts: &[(&str, usize)], outlier: &str) -> i64 {
    let (instrument, items) = pulse(app).await;
    let n = items.as_array().unwrap().len();
    let mut depts = Vec::new();
    for (name, _) in counts {
        depts.push(app.dept(name).await);
    }
    let admin = duet_store::accounts::find_login(&app.db, &app.account(Role::Admin, None).await)
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let input = CampaignInput {
        instrument,
        title: "Autumn pulse".into(),
        opens_on: day(-30),
        closes_on: day(-10),
        remind_on: day(-12),
        departments: depts,
        min_group: 5,
    };
    let secret = ls::anonymity_secret(&app.db).await.unwrap();
    // Everyone is in the directory before the campaign: its population is fixed as it is created.
    let mut people = Vec::new();
    for (name, count) in counts {
        for i in 0..*count {
            people.push(
                app.person(
                    &format!("{name} {i}"),
                    &format!("{}.{i}@example.com", name.to_lowercase().replace(' ', "")),
                    name,
                    "individual",
                )
                .await,
            );
        }
    }
    let c = ls::insert_campaign(&app.db, admin, &input)
        .await
        .unwrap()
        .id;
    let mut people = people.into_iter();
    for (name, count) in counts {
        for i in 0..*count {
            let p = people.next().unwrap();
            let is_outlier = *name == outlier && i == 0;
            let v = if is_outlier { 1 } else { 3 + (i % 2) as u8 };
            let mut texts = BTreeMap::new();
            texts.insert(
                "trust".to_string(),
                if is_outlier {
                    "The outlier's own words".to_string()
                } else {
                    format!("{name} comment {i}")
                },
            );
            let a = Answers {
                about: None,
                ratings: (0..n).map(|_| Some(v)).collect(),
                texts,
            };
            ls::submit_response(&app.db, c, p, &secret, &a, SubmitMode::New, day(-20))
                .await
                .unwrap();
        }
    }
    c
}

/// Every visible (unit, respondents) of a results body.
fn visible_counts(r: &Value) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    if let Some(n) = r["results"]["respondents"].as_u64() {
        out.push(("respondents".into(), n));
    }
    for s in r["results"]["sections"].as_array().unwrap() {
        if let Some(n) = s["cell"]["n"].as_u64() {
            out.push((format!("section:{}", s["section"]), n));
        }
    }
    for i in r["results"]["items"].as_array().unwrap() {
        if let Some(n) = i["cell"]["n"].as_u64() {
            out.push((format!("item:{}", i["code"]), n));
        }
    }
    out
}

app_test! {
    async fn people_answer_once_change_it_until_closing_and_results_wait(app: &TestApp) {
        let (instrument, items) = pulse(app).await;
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let member = app.api_as(Role::Member, Some("Sales")).await;
        let outsider = app.api_as(Role::Member, Some("Human Resources")).await;
        let sales = app.dept("Sales").await;
        let (status, _) = member.post("/campaigns", json!({"instrument_id": instrument, "title": "Pulse", "opens_on": day(0).to_string(), "closes_on": day(14).to_string(), "departments": [sales]})).await;
        assert_eq!(status, 403, "members do not run campaigns");
        let (status, body) = it_lead.post("/campaigns", json!({"instrument_id": instrument, "title": "Pulse", "opens_on": day(0).to_string(), "closes_on": day(14).to_string(), "departments": [sales], "min_group": "2"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("min_group")), "k is never below 3: {body}");
        let (status, c) = it_lead.post("/campaigns", json!({"instrument_id": instrument, "title": "Pulse", "opens_on": day(0).to_string(), "closes_on": day(14).to_string(), "departments": [sales]})).await;
        assert_eq!(status, 201, "{c}");
        let id = c["id"].as_i64().unwrap();
        assert!(c["invited_at"].is_string(), "opening today sends the invitations at once");
        let (_, inbox) = member.get("/notifications").await;
        assert!(inbox.to_string().contains("Survey open"), "{inbox}");
        let mut ratings = all_ratings(&items, "4");
        ratings[items[1]["code"].as_str().unwrap()] = json!("6");
        let (status, body) = member.post(&format!("/campaigns/{id}/response"), json!({"ratings": ratings})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some(format!("item.{}", items[1]["code"].as_str().unwrap()).as_str())), "{body}");
        let (status, _) = member.get(&format!("/campaigns/{id}/response")).await;
        assert_eq!(status, 404, "nothing was written");
        let mut flood = all_ratings(&items, "4");
        for n in 0..100 {
            flood[format!("unknown.{n}")] = json!("3");
        }
        let (status, body) = member.post(&format!("/campaigns/{id}/response"), json!({"ratings": flood})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("ratings")), "a flood of unknown keys is refused at once: {body}");
        let (status, _) = member.post(&format!("/campaigns/{id}/response"), json!({"ratings": all_ratings(&items, "4"), "texts": {"trust": "Promises are kept"}})).await;
        assert_eq!(status, 201);
        let (status, body) = member.post(&format!("/campaigns/{id}/response"), json!({"ratings": all_ratings(&items, "4")})).await;
        assert_eq!(status, 409, "once per person: {body}");
        let (status, _) = member.send(reqwest::Method::PUT, &format!("/campaigns/{id}/response"), json!({"ratings": all_ratings(&items, "2")})).await;
        assert_eq!(status, 204);
        let (_, mine) = member.get(&format!("/campaigns/{id}/response")).await;
        assert_eq!(mine["ratings"][items[2]["code"].as_str().unwrap()], "2");
        assert_eq!(mine["ratings"][items[0]["code"].as_str().unwrap()], "dk");
        let (status, body) = outsider.post(&format!("/campaigns/{id}/response"), json!({"ratings": all_ratings(&items, "4")})).await;
        assert_eq!(status, 422, "HR is not invited: {body}");
        let (status, body) = it_lead.get(&format!("/campaigns/{id}/results")).await;
        assert_eq!(status, 409, "no results while open: {body}");
        let (_, view) = it_lead.get(&format!("/campaigns/{id}")).await;
        assert_eq!(view["campaign"]["respondents"], Value::Null, "one respondent is below k: no count");
        assert_eq!(view["participation"][0]["responded"], Value::Null, "a count below k is not given");
    }

    async fn answering_through_the_page(app: &TestApp) {
        let (instrument, items) = pulse(app).await;
        let it_lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await.to_string();
        let (status, _, location) = it_lead.post_form("/listen/campaigns", &[("instrument_id", &instrument.to_string()), ("title", "Page pulse"), ("opens_on", &day(0).to_string()), ("closes_on", &day(7).to_string()), ("departments", &sales)]).await;
        assert_eq!(status, 303);
        let location = location.unwrap();
        let (status, page) = member.get(&location).await;
        assert_eq!(status, 200);
        let first = items[0]["code"].as_str().unwrap();
        assert!(page.contains(&format!("name=\"item.{first}\"")), "the form lists every item");
        let codes: Vec<String> = items.as_array().unwrap().iter().map(|i| format!("item.{}", i["code"].as_str().unwrap())).collect();
        let mut fields: Vec<(&str, &str)> = codes.iter().map(|c| (c.as_str(), "3")).collect();
        let (status, page, _) = member.post_form(&format!("{location}/respond"), &fields[1..]).await;
        assert_eq!(status, 422, "a missing answer is refused");
        assert!(page.contains("is required") || page.contains("answer"), "the error says what is missing");
        fields.push(("text.trust", "Trust is <b>earned</b>"));
        fields.push(("mode", "new"));
        let (status, _, _) = member.post_form(&format!("{location}/respond"), &fields).await;
        assert_eq!(status, 303);
        let (_, page) = member.get(&location).await;
        assert!(page.contains("Change your answers"));
        assert!(page.contains("Trust is &#60;b&#62;earned") || page.contains("Trust is &lt;b&gt;earned"), "own comment comes back, escaped");
        let (status, _) = member.get(&format!("{location}/results")).await;
        assert_eq!(status, 409);
        let (status, page) = member.get("/listen").await;
        assert_eq!(status, 200);
        assert!(page.contains("Page pulse") && page.contains("you answered"));
    }

    async fn an_admin_reading_everything_cannot_isolate_one_respondent(app: &TestApp) {
        // Sales 6, Marketing 2 (the outlier is there), Finance 5; k = 5.
        let c = closed_campaign(app, &[("Sales", 6), ("Marketing", 2), ("Finance", 5)], "Marketing").await;
        let admin = app.api_as(Role::Admin, None).await;
        let browser = app.browser_as(Role::Admin, None).await;
        let (status, org) = admin.get(&format!("/campaigns/{c}/results")).await;
        assert_eq!(status, 200, "{org}");
        assert_eq!(org["results"]["respondents"], 13);
        let sales = app.dept("Sales").await;
        let marketing = app.dept("Marketing").await;
        let finance = app.dept("Finance").await;
        // Marketing is below k; Finance is hidden too, or Marketing = organisation − Sales − Finance.
        // Hidden departments are not even listed (issue 10, class 4: a row, even an empty one,
        // would say someone there answered), in the results or among the slices offered.
        let rows = org["results"]["by_department"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["department"], sales);
        assert_eq!(rows[0]["respondents"], 6);
        assert_eq!(org["departments"], json!([sales]));
        let mut slices = vec![visible_counts(&org)];
        for d in [sales, marketing, finance] {
            let (status, r) = admin.get(&format!("/campaigns/{c}/results?department={d}")).await;
            assert_eq!(status, 200);
            if d != sales {
                assert_eq!(r["results"]["respondents"], Value::Null);
                assert!(visible_counts(&r).is_empty(), "nothing of a hidden department: {r}");
                assert!(r["results"]["comments"].as_array().unwrap().is_empty());
            }
            slices.push(visible_counts(&r));
        }
        // Every visible figure covers at least k people, and two figures of the same unit never
        // differ by fewer than k people.
        let all: Vec<&(String, u64)> = slices.iter().flatten().collect();
        for (unit, n) in &all {
            assert!(*n >= 5, "{unit} shown for {n} people");
            for (other, m) in &all {
                if unit == other && n != m {
                    assert!(n.abs_diff(*m) >= 5, "{unit}: {n} vs {m} would isolate someone");
                }
            }
        }
        // The outlier's words never appear attributed to a department.
        for d in [sales, marketing, finance] {
            let (_, r) = admin.get(&format!("/campaigns/{c}/results?department={d}")).await;
            assert!(!r.to_string().contains("The outlier's own words"));
        }
        // Pages, CSV and heatmaps tell the same.
        let (status, page) = browser.get(&format!("/listen/campaigns/{c}/results")).await;
        assert_eq!(status, 200);
        assert!(page.contains("<svg") && (page.contains("&lt;5") || page.contains("&#60;5")), "heatmap with hidden cells");
        assert!(page.contains("not shown (fewer than 5"), "participation below k is not counted");
        assert!(!page.contains("2 of"), "Marketing's count is not given");
        assert!(!page.contains(&format!("value=\"{marketing}\"")), "no hidden department offered as a slice");
        assert!(!page.contains(&format!("value=\"{finance}\"")));
        let (status, page) = browser.get(&format!("/listen/campaigns/{c}/results?department={marketing}")).await;
        assert_eq!(status, 200);
        assert!(!page.contains("The outlier's own words"));
        assert!(!page.contains("1.00"), "no figure of the outlier's department");
        let (status, csv) = browser.get(&format!("/listen/campaigns/{c}/results.csv")).await;
        assert_eq!(status, 200);
        assert!(csv.contains("Sales") && !csv.contains("Marketing") && !csv.contains("Finance"), "{csv}");
        let (status, svg) = browser.get(&format!("/listen/campaigns/{c}/heatmap/departments.svg")).await;
        assert_eq!(status, 200);
        assert!(svg.starts_with("<svg") || svg.contains("<svg"));
        // And nobody reads another person's answers.
        let (status, _) = admin.get(&format!("/campaigns/{c}/response")).await;
        assert_eq!(status, 404);
        let (status, _) = admin.post(&format!("/campaigns/{c}/response"), json!({"ratings": {}})).await;
        assert!(status == 409 || status == 422, "closed campaigns take no answers");
    }

    // Issue 11: a results page does not grow with its comments; they are paged, 100 at a time.
    async fn results_pages_show_comments_a_hundred_at_a_time(app: &TestApp) {
        let c = closed_campaign(app, &[("Sales", 105)], "").await;
        let browser = app.browser_as(Role::Admin, None).await;
        let (status, page) = browser.get(&format!("/listen/campaigns/{c}/results")).await;
        assert_eq!(status, 200);
        assert_eq!(page.matches("Sales comment ").count(), 100, "the first hundred");
        assert!(page.contains("Comments 1–100 of 105") && page.contains("comments_from=100"), "{page}");
        let (status, page) = browser.get(&format!("/listen/campaigns/{c}/results?comments_from=100")).await;
        assert_eq!(status, 200);
        assert_eq!(page.matches("Sales comment ").count(), 5);
        assert!(page.contains("Comments 101–105 of 105") && page.contains("Previous comments"));
        let admin = app.api_as(Role::Admin, None).await;
        let (_, r) = admin.get(&format!("/campaigns/{c}/results")).await;
        assert_eq!(r["results"]["comments"].as_array().map(Vec::len), Some(105), "the API carries them all");
    }

    async fn admins_add_instruments_and_trends_follow_campaigns(app: &TestApp) {
        let admin = app.api_as(Role::Admin, None).await;
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let (status, _) = it_lead.post("/instruments", json!({"title": "Onboarding", "items": "Laptop | Ready on day one"})).await;
        assert_eq!(status, 403);
        let (status, body) = admin.post("/instruments", json!({"title": "Onboarding", "items": "Laptop | Ready on day one\nno separator here"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("items")), "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("line 2"), "{body}");
        let (status, i) = admin.post("/instruments", json!({"title": "Onboarding", "items": "Laptop | Ready on day one\nAccess | I had the access I needed"})).await;
        assert_eq!((status, i["version"].as_i64()), (201, Some(1)));
        let first = closed_campaign(app, &[("Sales", 5)], "").await;
        let (_, r) = admin.get(&format!("/campaigns/{first}/results")).await;
        assert_eq!(r["trend"].as_array().unwrap().len(), 1);
        assert!(r["results"]["sections"][0]["alpha"].is_null() || r["results"]["sections"][0]["alpha"].is_number());
        let (status, csv) = reqwest::Client::new().get(format!("{}/api/v1/campaigns/{first}/results.csv", app.base)).bearer_auth(&admin.token).send().await.map(|r| (r.status().as_u16(), r)).unwrap();
        assert_eq!(status, 200);
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("slice,department,section,level,horizon,item,respondents,mean,gap"), "{text}");
    }
}

/// With `DUET_ANONYMITY_KEY` set, owner keys come from it, not from the database's secret: the
/// author still finds and edits their answers, and the database alone cannot recompute the key.
async fn configured_anonymity_key_keeps_the_link_out_of_the_database(backend: duet_store::Backend) {
    let key = b"a-configured-key-of-at-least-32-characters".to_vec();
    let app = TestApp::spawn_with(backend, |c| {
        c.anonymity_key = Some(duet_web::AnonymityKey(key.clone()))
    })
    .await;
    let (instrument, items) = pulse(&app).await;
    let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
    let member = app.api_as(Role::Member, Some("Sales")).await;
    let sales = app.dept("Sales").await;
    let (_, c) = it_lead.post("/campaigns", json!({"instrument_id": instrument, "title": "Keyed", "opens_on": day(0).to_string(), "closes_on": day(3).to_string(), "departments": [sales]})).await;
    let id = c["id"].as_i64().unwrap();
    let (status, _) = member
        .post(
            &format!("/campaigns/{id}/response"),
            json!({"ratings": all_ratings(&items, "5")}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, mine) = member.get(&format!("/campaigns/{id}/response")).await;
    assert_eq!(
        status, 200,
        "the author finds their answers with the configured key"
    );
    assert_eq!(mine["ratings"][items[3]["code"].as_str().unwrap()], "5");
    let (status, _) = member
        .send(
            reqwest::Method::PUT,
            &format!("/campaigns/{id}/response"),
            json!({"ratings": all_ratings(&items, "1")}),
        )
        .await;
    assert_eq!(status, 204);
    let users = duet_store::accounts::list_users(&app.db).await.unwrap();
    let person = users
        .iter()
        .find(|u| u.id == member.user_id)
        .unwrap()
        .person_id
        .unwrap();
    let db_secret = ls::anonymity_secret(&app.db).await.unwrap();
    let def = ls::find_instrument(&app.db, instrument)
        .await
        .unwrap()
        .definition;
    assert_eq!(
        ls::own_response(&app.db, id, person, &db_secret, &def)
            .await
            .unwrap(),
        None,
        "the database's own secret does not open it"
    );
    assert!(
        ls::own_response(&app.db, id, person, &key, &def)
            .await
            .unwrap()
            .is_some()
    );
    app.stop().await;
}

#[tokio::test]
async fn configured_anonymity_key_sqlite() {
    configured_anonymity_key_keeps_the_link_out_of_the_database(duet_store::Backend::Sqlite).await;
}

#[tokio::test]
async fn configured_anonymity_key_postgres() {
    configured_anonymity_key_keeps_the_link_out_of_the_database(duet_store::Backend::Postgres)
        .await;
}

/// A closed five-questions campaign answered by ten Sales people: every Today rated 2, every
/// Tomorrow 4 or 5 (so Today 2.00, Tomorrow 4.50, gap +2.50; a mixed mean would be 3.25).
async fn closed_five_questions(app: &TestApp) -> i64 {
    let admin_api = app.api_as(Role::Admin, None).await;
    let (_, list) = admin_api.get("/instruments").await;
    let five = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "five-questions")
        .unwrap()
        .clone();
    let instrument = five["id"].as_i64().unwrap();
    let n = five["definition"]["items"].as_array().unwrap().len();
    let sales = app.dept("Sales").await;
    let input = CampaignInput {
        instrument,
        title: "Five questions, spring".into(),
        opens_on: day(-30),
        closes_on: day(-10),
        remind_on: day(-12),
        departments: vec![sales],
        min_group: 5,
    };
    let secret = ls::anonymity_secret(&app.db).await.unwrap();
    // Everyone is in the directory before the campaign: its population is fixed as it is created.
    let mut people = Vec::new();
    for i in 0..10 {
        people.push(
            app.person(
                &format!("Five {i}"),
                &format!("five.{i}@example.com"),
                "Sales",
                "individual",
            )
            .await,
        );
    }
    let c = ls::insert_campaign(&app.db, admin_api.user_id, &input)
        .await
        .unwrap()
        .id;
    for (i, p) in people.into_iter().enumerate() {
        let a = Answers {
            about: None,
            ratings: (0..n)
                .map(|j| Some(if j % 2 == 0 { 2 } else { 4 + (i % 2) as u8 }))
                .collect(),
            texts: BTreeMap::new(),
        };
        ls::submit_response(&app.db, c, p, &secret, &a, SubmitMode::New, day(-20))
            .await
            .unwrap();
    }
    c
}

app_test! {
    async fn five_questions_show_today_and_tomorrow_side_by_side_never_averaged(app: &TestApp) {
        let c = closed_five_questions(app).await;
        let admin = app.api_as(Role::Admin, None).await;
        let (status, r) = admin.get(&format!("/campaigns/{c}/results")).await;
        assert_eq!(status, 200, "{r}");
        let res = &r["results"];
        assert!(res["sections"].as_array().unwrap().iter().all(|s| s["cell"].is_null()), "no mixed section mean: {res}");
        assert_eq!(res["columns"][0]["horizon"], "today");
        assert_eq!(res["columns"][1]["horizon"], "tomorrow");
        assert_eq!(res["by_column"][0]["mean"], 2.0);
        assert_eq!(res["by_column"][1]["mean"], 4.5);
        assert_eq!(res["gaps"][0]["gap"], 2.5);
        assert_eq!(res["by_department"][0]["cells"].as_array().unwrap().len(), 10, "departments by Today and Tomorrow apart");
        assert!(!r.to_string().contains("3.25"), "{r}");
        let trend = &r["trend"][0]["sections"];
        assert_eq!(trend["who.today"], 2.0);
        assert_eq!(trend["who.tomorrow"], 4.5);
        let browser = app.browser_as(Role::Member, Some("Sales")).await;
        let (status, page) = browser.get(&format!("/listen/campaigns/{c}/results")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Today versus tomorrow"));
        assert!(page.contains("2.00") && page.contains("4.50") && page.contains("+2.50"), "{page}");
        assert!(!page.contains("3.25"), "no mixed mean on the page");
        assert!(!page.contains("<h2>By section</h2>"), "no section table mixing the two");
        let (status, csv) = browser.get(&format!("/listen/campaigns/{c}/results.csv")).await;
        assert_eq!(status, 200);
        assert!(csv.starts_with("slice,department,section,level,horizon,item,respondents,mean,gap\n"), "{csv}");
        assert!(csv.contains(",Today,,10,2.00,\n") && csv.contains(",Tomorrow,,10,4.50,\n") && csv.contains(",gap,,,,2.50\n"), "{csv}");
        assert!(!csv.contains("3.25"), "{csv}");
    }

    async fn refused_campaign_and_instrument_forms_keep_what_was_typed(app: &TestApp) {
        let (instrument, _) = pulse(app).await;
        let admin = app.browser_as(Role::Admin, None).await;
        let sales = app.dept("Sales").await.to_string();
        let (status, page, _) = admin.post_form("/listen/campaigns", &[("instrument_id", &instrument.to_string()), ("title", "Kept <title>"), ("opens_on", &day(5).to_string()), ("closes_on", &day(1).to_string()), ("departments", &sales), ("min_group", "7")]).await;
        assert_eq!(status, 422, "closing before opening is refused");
        assert!(page.contains("value=\"Kept &#60;title&#62;\"") || page.contains("value=\"Kept &lt;title&gt;\""), "{page}");
        assert!(page.contains(&format!("value=\"{}\"", day(5))) && page.contains(&format!("value=\"{}\"", day(1))));
        assert!(page.contains(&format!("value=\"{sales}\" checked")), "the invited department stays ticked");
        assert!(page.contains(&format!("<option value=\"{instrument}\" selected>")), "the instrument stays chosen");
        assert!(page.contains("value=\"7\""));
        let (status, page, _) = admin.post_form("/listen/instruments", &[("title", "Kept instrument"), ("description", "Why we ask"), ("items", "Laptop | Ready on day one\nno separator here")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("value=\"Kept instrument\"") && page.contains(">Why we ask</textarea>"));
        assert!(page.contains("Laptop | Ready on day one\nno separator here</textarea>"), "{page}");
    }

    async fn replayed_campaign_and_instrument_forms_create_once(app: &TestApp) {
        let (instrument, _) = pulse(app).await;
        let admin = app.browser_as(Role::Admin, None).await;
        let sales = app.dept("Sales").await.to_string();
        let sent = crate::once::send_form(&admin, &app.base, "/listen", "/listen/campaigns", &[("instrument_id", &instrument.to_string()), ("title", "Replayed pulse"), ("opens_on", &day(1).to_string()), ("closes_on", &day(9).to_string()), ("departments", &sales)], 2).await;
        assert_eq!((sent[0].status, sent[1].status), (303, 303));
        assert_eq!(sent[1].location, sent[0].location);
        let campaigns = ls::list_campaigns(&app.db).await.unwrap();
        assert_eq!(campaigns.iter().filter(|c| c.title == "Replayed pulse").count(), 1);
        let before = ls::list_instruments(&app.db).await.unwrap().len();
        let sent = crate::once::send_form(&admin, &app.base, "/listen/instruments", "/listen/instruments", &[("title", "Replayed instrument"), ("items", "Laptop | Ready on day one\nAccess | I had the access I needed")], 2).await;
        assert_eq!((sent[0].status, sent[1].status), (303, 303));
        assert_eq!(sent[1].location, sent[0].location);
        assert_eq!(ls::list_instruments(&app.db).await.unwrap().len(), before + 1, "one instrument, not a second version");
    }

    async fn listen_forms_are_offered_only_to_roles_that_may_use_them(app: &TestApp) {
        for (role, dept, campaigns, instruments) in [
            (Role::Member, Some("Sales"), false, false),
            (Role::BusinessLeader, Some("Sales"), false, false),
            (Role::Executive, Some("Finance"), false, false),
            (Role::ItLeader, Some("IT"), true, false),
            (Role::Admin, None, true, true),
        ] {
            let b = app.browser_as(role, dept).await;
            let (_, page) = b.get("/listen").await;
            assert_eq!(page.contains("action=\"/listen/campaigns\""), campaigns, "{role:?}");
            let (_, page) = b.get("/listen/instruments").await;
            assert_eq!(page.contains("action=\"/listen/instruments\""), instruments, "{role:?}");
        }
    }
}

app_test! {
    async fn an_answer_form_sent_twice_is_taken_once_without_an_error(app: &TestApp) {
        let (instrument, items) = pulse(app).await;
        let it_lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await.to_string();
        let (_, _, location) = it_lead.post_form("/listen/campaigns", &[("instrument_id", &instrument.to_string()), ("title", "Twice pulse"), ("opens_on", &day(0).to_string()), ("closes_on", &day(7).to_string()), ("departments", &sales)]).await;
        let location = location.unwrap();
        let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
        let codes: Vec<String> = items.as_array().unwrap().iter().map(|i| format!("item.{}", i["code"].as_str().unwrap())).collect();
        let mut fields: Vec<(&str, &str)> = codes.iter().map(|c| (c.as_str(), "3")).collect();
        fields.push(("mode", "new"));
        let sent = crate::once::send_form(&member, &app.base, &location, &format!("{location}/respond"), &fields, 2).await;
        assert_eq!(sent[0].status, 303, "{}", sent[0].body);
        assert_eq!(sent[1].status, 303, "the second send is not a 409 'already answered': {}", sent[1].body);
        assert_eq!(sent[1].location, sent[0].location);
        let (_, page) = member.get(&location).await;
        assert!(page.contains("Change your answers"));
        // Participation is published once a day: read it as of tomorrow.
        ls::refresh_participation(&app.db, chrono::Utc::now().date_naive() + chrono::Days::new(1)).await.unwrap();
        let answered: i64 = ls::participation(&app.db, id).await.unwrap().iter().map(|p| p.responded).sum();
        assert_eq!(answered, 1, "one answer");
    }
}
