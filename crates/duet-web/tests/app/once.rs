//! Create forms sent twice (a reload after POST, a double click, back and send again) create
//! once: the second POST with the same `_once` token is redirected to where the first led. One
//! test per area, on both backends.

use crate::app_test;
use crate::common::{Browser, TestApp};
use duet_core::auth::Role;
use duet_store::PageRequest;

/// The value of the first hidden field `name` on a page.
pub fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("the page has a {name} field: {page}"))
        + marker.len();
    page[start..].chars().take_while(|c| *c != '"').collect()
}

/// What one POST answered: status, `Location`, body.
pub struct Sent {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// Posts `fields` to `action` with the CSRF and `_once` tokens of `form_page`, `times` times, as a
/// browser resending the same form does.
pub async fn send_form(
    b: &Browser,
    base: &str,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
    times: usize,
) -> Vec<Sent> {
    let (status, page) = b.get(form_page).await;
    assert_eq!(status, 200, "{form_page}: {page}");
    let once = field(&page, "_once");
    assert!(once.len() >= 16, "a random token: {once}");
    let csrf = if page.contains("name=\"_csrf\" value=\"\"") {
        String::new()
    } else {
        field(&page, "_csrf")
    };
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("_once", &once));
    if !csrf.is_empty() {
        all.push(("_csrf", &csrf));
    }
    let mut out = Vec::new();
    for _ in 0..times {
        let r = b
            .client
            .post(format!("{base}{action}"))
            .header("referer", format!("{base}{form_page}"))
            .form(&all)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        out.push(Sent {
            status,
            location,
            body: r.text().await.unwrap(),
        });
    }
    out
}

/// The first POST redirected (303), the replay redirected to the same place.
fn assert_replayed(sent: &[Sent]) -> String {
    assert_eq!(sent[0].status, 303, "{}", sent[0].body);
    assert_eq!(
        sent[1].status, 303,
        "the replay is redirected: {}",
        sent[1].body
    );
    assert_eq!(
        sent[1].location, sent[0].location,
        "to where the first POST led"
    );
    sent[0].location.clone().unwrap()
}

app_test! {
    async fn a_replayed_department_form_creates_one_department(app: &TestApp) {
        let admin = app.browser_as(Role::Admin, None).await;
        let before = duet_store::org::list_departments(&app.db, true).await.unwrap().len();
        let sent = send_form(&admin, &app.base, "/departments", "/departments", &[("name", "Replayed Dept"), ("kind", "business")], 2).await;
        assert_replayed(&sent);
        assert_eq!(duet_store::org::list_departments(&app.db, true).await.unwrap().len(), before + 1);
    }

    async fn a_replayed_person_form_creates_one_person(app: &TestApp) {
        let admin = app.browser_as(Role::Admin, None).await;
        let sales = app.dept("Sales").await.to_string();
        let count = || async {
            duet_store::org::list_people(&app.db, &Default::default(), PageRequest::new(Some(500), None)).await.unwrap().total
        };
        let before = count().await;
        let sent = send_form(&admin, &app.base, "/people/new", "/people", &[("name", "Rita Replay"), ("email", "rita.replay@example.com"), ("department_id", &sales), ("title", "Analyst"), ("level", "individual")], 3).await;
        assert_replayed(&sent);
        assert_eq!(sent[2].location, sent[0].location);
        assert_eq!(count().await, before + 1);
    }

    async fn a_replayed_request_form_creates_one_request(app: &TestApp) {
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let sales = app.dept("Sales").await.to_string();
        let date = (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string();
        let sent = send_form(&member, &app.base, "/requests/new", "/requests", &[("title", "Replay-proof quotes"), ("problem", "Quotes are typed twice into two tools."), ("affected", "Sales team"), ("desired_outcome", "Quotes typed once"), ("department_id", &sales), ("urgency", "normal"), ("date_needed", &date)], 2).await;
        assert_replayed(&sent);
        let all = duet_store::requests::list_requests(&app.db, &Default::default(), PageRequest::new(Some(500), None)).await.unwrap();
        assert_eq!(all.items.iter().filter(|r| r.title == "Replay-proof quotes").count(), 1);
    }

    async fn a_replayed_promise_form_records_one_promise(app: &TestApp) {
        let lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let person = app.person("Pat Promisor", "pat.promisor@example.com", "IT", "manager").await.to_string();
        let sales = app.dept("Sales").await.to_string();
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
        let sent = send_form(&lead, &app.base, "/promises", "/promises", &[("promisor_id", &person), ("promisee_department_id", &sales), ("level", "manager"), ("text", "Replay-proof promise"), ("due_on", &due)], 2).await;
        assert_replayed(&sent);
        let all = duet_store::promises::list_promises(&app.db, &Default::default(), PageRequest::new(Some(500), None)).await.unwrap();
        assert_eq!(all.items.iter().filter(|p| p.text == "Replay-proof promise").count(), 1);
    }

    async fn a_replayed_metric_form_creates_one_metric(app: &TestApp) {
        let lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let sent = send_form(&lead, &app.base, "/measures", "/measures", &[("name", "Replay-proof uptime"), ("unit", "%"), ("direction", "higher_better"), ("target", "99")], 2).await;
        assert_replayed(&sent);
        let all = duet_store::metrics::list_metrics(&app.db).await.unwrap();
        assert_eq!(all.iter().filter(|m| m.name == "Replay-proof uptime").count(), 1);
    }

    async fn a_replayed_review_form_schedules_one_review(app: &TestApp) {
        let lead = app.browser_as(Role::ItLeader, Some("IT")).await;
        let sales = app.dept("Sales").await;
        // A Wednesday, well ahead, at 10:00.
        let mut day = chrono::Utc::now().date_naive() + chrono::Duration::days(21);
        while chrono::Datelike::weekday(&day) != chrono::Weekday::Wed {
            day += chrono::Duration::days(1);
        }
        let starts = format!("{day}T10:00");
        let before = duet_store::reviews::list(&app.db, Some(sales), 100).await.unwrap().len();
        let sent = send_form(&lead, &app.base, "/reviews", "/reviews", &[("department_id", &sales.to_string()), ("starts_at", &starts), ("minutes", "60")], 2).await;
        assert_replayed(&sent);
        assert_eq!(duet_store::reviews::list(&app.db, Some(sales), 100).await.unwrap().len(), before + 1);
    }

    async fn a_replayed_account_form_creates_one_account(app: &TestApp) {
        let admin = app.browser_as(Role::Admin, None).await;
        let before = duet_store::accounts::list_users(&app.db).await.unwrap().len();
        let sent = send_form(&admin, &app.base, "/admin/users", "/admin/users", &[("name", "Ray Replay"), ("email", "ray.replay@example.com"), ("role", "member"), ("password", "a long enough password")], 2).await;
        assert_replayed(&sent);
        assert_eq!(duet_store::accounts::list_users(&app.db).await.unwrap().len(), before + 1);
    }

    async fn a_replayed_token_form_creates_one_token_and_shows_its_secret_once(app: &TestApp) {
        let member = app.browser_as(Role::Member, Some("Sales")).await;
        let sent = send_form(&member, &app.base, "/account", "/account/tokens", &[("name", "replay-proof")], 2).await;
        assert_eq!(sent[0].status, 201, "the secret is shown on this response: {}", sent[0].body);
        assert_eq!(sent[1].status, 303, "the replay shows no second secret");
        assert_eq!(sent[1].location.as_deref(), Some("/account"));
        let user = duet_store::accounts::list_users(&app.db).await.unwrap().into_iter().find(|u| u.role == Role::Member).unwrap();
        let tokens = duet_store::accounts::list_tokens(&app.db, duet_core::org::UserId(user.id)).await.unwrap();
        assert_eq!(tokens.iter().filter(|t| t.name == "replay-proof").count(), 1);
    }

    async fn a_refused_form_can_be_corrected_and_sent_with_the_same_token(app: &TestApp) {
        let admin = app.browser_as(Role::Admin, None).await;
        let (_, page) = admin.get("/departments").await;
        let once = field(&page, "_once");
        let csrf = field(&page, "_csrf");
        let post = |name: &'static str| {
            let once = once.clone();
            let csrf = csrf.clone();
            let client = admin.client.clone();
            let base = app.base.clone();
            async move {
                client.post(format!("{base}/departments")).form(&[("name", name), ("kind", "business"), ("_once", &once), ("_csrf", &csrf)]).send().await.unwrap().status().as_u16()
            }
        };
        assert_eq!(post("").await, 422, "refused: nothing created, the token stays usable");
        assert_eq!(post("Corrected Dept").await, 303);
        assert_eq!(post("Corrected Dept").await, 303);
        let names: Vec<String> = duet_store::org::list_departments(&app.db, true).await.unwrap().into_iter().map(|d| d.name).collect();
        assert_eq!(names.iter().filter(|n| *n == "Corrected Dept").count(), 1);
    }
}
