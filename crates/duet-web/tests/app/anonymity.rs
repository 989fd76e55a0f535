//! Issue 10 over HTTP, on both backends: attacks a determined administrator would run against
//! Listen's results across campaigns, each shown to isolate nobody.

use crate::app_test;
use crate::common::TestApp;
use chrono::{Duration, NaiveDate, Utc};
use duet_core::auth::Role;
use duet_core::listen::campaigns::CampaignInput;
use duet_core::listen::instruments::Answers;
use duet_store::listen::{self as ls, SubmitMode};
use serde_json::Value;
use std::collections::BTreeMap;

fn day(n: i64) -> NaiveDate {
    Utc::now().date_naive() + Duration::days(n)
}

/// A campaign of the DUET pulse open from `opens` to `closes` (days from today), answered by
/// `people` (person id, rating, comment) through the store on a day it was open.
async fn campaign(
    app: &TestApp,
    title: &str,
    opens: i64,
    closes: i64,
    depts: &[i64],
    people: &[(i64, u8, String)],
) -> i64 {
    let admin = app.api_as(Role::Admin, None).await;
    let (_, list) = admin.get("/instruments").await;
    let pulse = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "duet-pulse")
        .unwrap()
        .clone();
    let n = pulse["definition"]["items"].as_array().unwrap().len();
    let by = duet_store::accounts::find_login(&app.db, &app.account(Role::Admin, None).await)
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let input = CampaignInput {
        instrument: pulse["id"].as_i64().unwrap(),
        title: title.into(),
        opens_on: day(opens),
        closes_on: day(closes),
        remind_on: day(closes - 1),
        departments: depts.to_vec(),
        min_group: 5,
    };
    let c = ls::insert_campaign(&app.db, by, &input).await.unwrap().id;
    let secret = ls::anonymity_secret(&app.db).await.unwrap();
    for (p, v, comment) in people {
        let mut texts = BTreeMap::new();
        texts.insert("trust".to_string(), comment.clone());
        let a = Answers {
            about: None,
            ratings: (0..n).map(|_| Some(*v)).collect(),
            texts,
        };
        ls::submit_response(&app.db, c, *p, &secret, &a, SubmitMode::New, day(opens + 1))
            .await
            .unwrap();
    }
    c
}

app_test! {
    // Class 3: two campaigns of the same instrument whose respondents differ by one person.
    // Everyone answers the same both times; the person who answered only the first wrote
    // "Only in the spring". Subtracting the second campaign's figures from the first's would
    // give that person's every answer and comment, so the second is withheld entirely, and
    // the trend shows nothing of it either.
    async fn campaigns_whose_respondents_differ_by_one_person_are_not_both_shown(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let finance = app.dept("Finance").await;
        let mut people = Vec::new();
        for i in 0..6 {
            let p = app.person(&format!("Seller {i}"), &format!("seller{i}@example.com"), "Sales", "individual").await;
            people.push((p, 3 + (i % 2) as u8, format!("Sales voice {i}")));
        }
        for i in 0..6 {
            let p = app.person(&format!("Counter {i}"), &format!("counter{i}@example.com"), "Finance", "individual").await;
            let (v, words) = if i == 0 { (1, "Only in the spring".to_string()) } else { (4, format!("Finance voice {i}")) };
            people.push((p, v, words));
        }
        let spring = campaign(app, "Spring pulse", -60, -40, &[sales, finance], &people).await;
        let autumn = campaign(app, "Autumn pulse", -30, -10, &[sales, finance], &people[..6].iter().chain(&people[7..]).cloned().collect::<Vec<_>>()).await;
        // The one-person difference is in Finance: without the rule, autumn would show both
        // departments (6 and 5), and spring's Finance minus autumn's is the person.
        let admin = app.api_as(Role::Admin, None).await;
        let (status, first) = admin.get(&format!("/campaigns/{spring}/results")).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["results"]["respondents"], 12);
        assert_eq!(first["results"]["by_department"].as_array().unwrap().len(), 2);
        assert!(first.to_string().contains("Only in the spring"));
        let (status, second) = admin.get(&format!("/campaigns/{autumn}/results")).await;
        assert_eq!(status, 200, "{second}");
        assert_eq!(second["withheld"], true, "{second}");
        assert_eq!(second["results"]["respondents"], Value::Null);
        assert!(second["results"]["by_department"].as_array().unwrap().is_empty());
        assert!(second["results"]["comments"].as_array().unwrap().is_empty());
        assert!(second["results"]["items"].as_array().unwrap().iter().all(|i| i["cell"].is_null()));
        for d in [sales, finance] {
            let (_, slice) = admin.get(&format!("/campaigns/{autumn}/results?department={d}")).await;
            assert_eq!(slice["results"]["respondents"], Value::Null, "{slice}");
            assert!(slice["results"]["sections"].as_array().unwrap().iter().all(|s| s["cell"].is_null()));
        }
        // The trend puts both side by side: the withheld campaign has no figure there either.
        let trend = second["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 2);
        assert_eq!(trend[1]["respondents"], Value::Null);
        assert!(trend[1]["sections"].as_object().unwrap().values().all(Value::is_null));
        // The page says why, in people's words.
        let browser = app.browser_as(Role::Admin, None).await;
        let (status, page) = browser.get(&format!("/listen/campaigns/{autumn}/results")).await;
        assert_eq!(status, 200);
        assert!(page.contains("These results are withheld"), "{page}");
        assert!(!page.contains("Finance voice"));
    }

    // Class 3, department by department: the same Finance people but one answer both
    // campaigns while Sales is entirely new, so the whole may be shown but Finance may not (its
    // five would be the spring six minus one), nor Sales (then Finance would be the whole minus
    // Sales). The page names what is held back and why.
    async fn a_department_whose_respondents_barely_changed_is_held_back(app: &TestApp) {
        let sales = app.dept("Sales").await;
        let finance = app.dept("Finance").await;
        let mut spring = Vec::new();
        let mut autumn = Vec::new();
        for i in 0..12 {
            let p = app.person(&format!("Seller {i}"), &format!("seller{i}@example.com"), "Sales", "individual").await;
            if i < 6 { spring.push((p, 3, format!("Sales spring {i}"))) } else { autumn.push((p, 4, format!("Sales autumn {i}"))) }
        }
        for i in 0..6 {
            let p = app.person(&format!("Counter {i}"), &format!("counter{i}@example.com"), "Finance", "individual").await;
            spring.push((p, 2, format!("Finance spring {i}")));
            if i > 0 {
                autumn.push((p, 2, format!("Finance autumn {i}")));
            }
        }
        campaign(app, "Spring pulse", -60, -40, &[sales, finance], &spring).await;
        let second = campaign(app, "Autumn pulse", -30, -10, &[sales, finance], &autumn).await;
        let admin = app.api_as(Role::Admin, None).await;
        let (status, r) = admin.get(&format!("/campaigns/{second}/results")).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["withheld"], false);
        assert_eq!(r["results"]["respondents"], 11);
        assert!(r["results"]["by_department"].as_array().unwrap().is_empty(), "{r}");
        let mut held: Vec<i64> = r["held_back"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
        held.sort_unstable();
        let mut both = vec![sales, finance];
        both.sort_unstable();
        assert_eq!(held, both);
        let browser = app.browser_as(Role::Admin, None).await;
        let (_, page) = browser.get(&format!("/listen/campaigns/{second}/results")).await;
        assert!(page.contains("Not shown on their own"), "{page}");
    }
}
