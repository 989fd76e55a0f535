//! The voice inbox over HTTP on both backends: anonymous posting, receipt codes, triage, and what
//! the author sees of the outcome.

use crate::app_test;
use crate::common::{Browser, TestApp};
use duet_core::auth::Role;
use serde_json::{Value, json};

/// Counts pain points straight from the database.
async fn stored(app: &TestApp) -> i64 {
    duet_store::voice::list(&app.db, None, None)
        .await
        .unwrap()
        .len() as i64
}

fn receipt_of(page: &str) -> String {
    let start = page.find("<code>").unwrap() + 6;
    let end = page[start..].find("</code>").unwrap() + start;
    page[start..end].to_string()
}

app_test! {
    async fn anyone_posts_and_only_the_receipt_opens_it(app: &TestApp) {
        let it = app.dept("IT").await.to_string();
        let anon = Browser::new(&app.base);
        let (status, page) = anon.get("/voice").await;
        assert_eq!(status, 200, "open to everyone");
        assert!(page.contains("Raise a pain point"));
        let long = "x".repeat(10_001);
        let (status, page) = anon.post_plain("/voice", &[("department_id", &it), ("text", &long)]).await;
        assert_eq!(status, 422);
        assert!(page.contains("at most 10000 characters"), "says what is wrong");
        assert_eq!(stored(app).await, 0, "nothing written");
        let (status, page) = anon.post_plain("/voice", &[("department_id", &it), ("text", "Expense claims bounce <script>back</script> every month.")]).await;
        assert_eq!(status, 201);
        let code = receipt_of(&page);
        assert_eq!(code.len(), 24);
        // Wrong and unknown codes get the same answer.
        let (s1, wrong) = anon.post_plain("/voice/receipt", &[("receipt", &code.replace(&code[..4], "ZZZZ"))]).await;
        let (s2, unknown) = anon.post_plain("/voice/receipt", &[("receipt", "not a code at all")]).await;
        assert_eq!((s1, s2), (404, 404));
        assert_eq!(wrong, unknown);
        let (status, page) = anon.post_plain("/voice/receipt", &[("receipt", &code.to_lowercase())]).await;
        assert_eq!(status, 200);
        assert!(page.contains("Expense claims bounce &lt;script&gt;") || page.contains("Expense claims bounce &#60;script&#62;"), "escaped");
        assert!(page.contains("Waiting for an answer"));
        // Triage: a Sales leader cannot see IT's pain points; a member has no inbox; IT can.
        let sales_lead = app.api_as(Role::BusinessLeader, Some("Sales")).await;
        let member = app.api_as(Role::Member, Some("IT")).await;
        let it_lead = app.api_as(Role::ItLeader, Some("IT")).await;
        let (status, list) = sales_lead.get("/voice/inbox").await;
        assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(0)));
        let (status, _) = member.get("/voice/inbox").await;
        assert_eq!(status, 403);
        let (_, list) = it_lead.get("/voice/inbox").await;
        let id = list[0]["id"].as_i64().unwrap();
        let (status, _) = sales_lead.post(&format!("/voice/inbox/{id}/reply"), json!({"text": "Not mine to answer"})).await;
        assert_eq!(status, 403);
        let (status, body) = it_lead.post(&format!("/voice/inbox/{id}/reply"), json!({"text": "?"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("text")), "{body}");
        let (status, _) = it_lead.post(&format!("/voice/inbox/{id}/reply"), json!({"text": "Which expense tool screen fails?"})).await;
        assert_eq!(status, 204);
        // The author answers back with the code, through the API, without any token.
        let client = reqwest::Client::new();
        let r = client.post(format!("{}/api/v1/voice/receipt/reply", app.base)).json(&json!({"receipt": code, "text": "The receipt upload step."})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["messages"].as_array().unwrap().len(), 2);
        assert_eq!(view["pain_point"]["id"], 0, "the author never learns the internal id");
        // The pain point becomes a request; the author sees it.
        let (status, req) = it_lead.post(&format!("/voice/inbox/{id}/request"), json!({"title": "Fix receipt upload", "problem": "Expense receipts are rejected at upload.", "affected": "Everyone claiming expenses", "desired_outcome": "Receipts upload first time", "urgency": "high"})).await;
        assert_eq!(status, 201, "{req}");
        let (status, body) = it_lead.post(&format!("/voice/inbox/{id}/request"), json!({"title": "Fix receipt upload", "problem": "Expense receipts are rejected at upload.", "affected": "Everyone", "desired_outcome": "Receipts upload", "urgency": "high"})).await;
        assert_eq!(status, 409, "one outcome: {body}");
        let (_, page) = anon.post_plain("/voice/receipt", &[("receipt", &code)]).await;
        assert!(page.contains("It became a request") && page.contains("Fix receipt upload"), "{page}");
        // Publishing shows it to everyone.
        let (status, _) = it_lead.post(&format!("/voice/inbox/{id}/publish"), json!({"text": "The upload limit is raised to 20 MB."})).await;
        assert_eq!(status, 204);
        let (_, page) = anon.get("/voice").await;
        assert!(page.contains("The upload limit is raised to 20 MB."));
    }

    async fn the_api_posts_anonymously_and_pages_triage(app: &TestApp) {
        let hr = app.dept("Human Resources").await;
        let client = reqwest::Client::new();
        let r = client.post(format!("{}/api/v1/voice", app.base)).json(&json!({"department_id": hr, "text": "short"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "text");
        let r = client.post(format!("{}/api/v1/voice", app.base)).json(&json!({"department_id": hr, "text": "Onboarding laptops arrive a week late."})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let receipt: Value = r.json().await.unwrap();
        assert!(receipt["receipt"].as_str().unwrap().len() == 24);
        let hr_lead = app.browser_as(Role::BusinessLeader, Some("Human Resources")).await;
        let (status, page) = hr_lead.get("/voice/inbox").await;
        assert_eq!(status, 200);
        assert!(page.contains("Onboarding laptops arrive a week late."));
        let start = page.find("/voice/inbox/").unwrap();
        let link: String = page[start..].chars().take_while(|c| *c != '"').collect();
        let (status, _) = hr_lead.get(&link).await;
        assert_eq!(status, 200);
        let person = app.person("Hal HR", "hal.hr@example.com", "Human Resources", "manager").await.to_string();
        let it = app.dept("IT").await.to_string();
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string();
        let (status, _, _) = hr_lead.post_form(&format!("{link}/promise"), &[("promisor_id", &person), ("promisee_department_id", &it), ("level", "manager"), ("text", "Order laptops two weeks ahead"), ("due_on", &due)]).await;
        assert_eq!(status, 303);
        let r = client.post(format!("{}/api/v1/voice/receipt", app.base)).json(&json!({"receipt": receipt["receipt"]})).send().await.unwrap();
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["pain_point"]["status"], "promise");
        assert_eq!(view["pain_point"]["promise_text"], "Order laptops two weeks ahead");
    }
}
