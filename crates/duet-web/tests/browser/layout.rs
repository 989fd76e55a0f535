//! Layout findings of the issue 9 walkthrough, measured in the browser at phone and desktop
//! widths: table cells never split a word or a date across lines, and a form's submit button
//! sits below its last field, not beside it (axe runs on every page, as in the journeys).

use crate::{Cast, Trip};
use duet_core::auth::Role;
use serde_json::json;

/// Words of the main content's table cells that the browser laid out over more than one line.
const SPLIT_WORDS: &str = "const bad = [];
  for (const td of document.querySelectorAll('main td')) {
    const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = walk.nextNode())) {
      const re = /\\S+/g; let m;
      while ((m = re.exec(n.data))) {
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
        if (lines.size > 1) bad.push(m[0]);
      }
    }
  }
  return bad;";

/// Whether the element `arguments[1]` starts below the bottom of `arguments[0]`.
const BELOW: &str = "const a = document.querySelector(arguments[0]).getBoundingClientRect();
  const b = document.querySelector(arguments[1]).getBoundingClientRect();
  return b.top >= a.bottom;";

#[tokio::test]
async fn table_words_and_dates_stay_whole_and_submit_buttons_sit_below_the_fields() {
    for width in [390u32, 1280] {
        let mut t = Trip::start_at(width).await;
        let cast = Cast::new(&t.app).await;
        let it = t.app.api_as(Role::ItLeader, Some("IT")).await;
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
        for (name, email, dept, to, text) in [
            (
                "Priya Raman",
                "priya.raman@example.com",
                "IT",
                "Sales",
                "Give Sales a single login for the CRM and the quoting tool",
            ),
            (
                "Deniz Arslan",
                "deniz.arslan@example.com",
                "Human Resources",
                "IT",
                "Send IT every new starter's details at least ten working days before the start date",
            ),
            (
                "Nikhil Kapoor",
                "nikhil.kapoor@example.com",
                "Customer Service",
                "IT",
                "Join the monthly review with the numbers ready",
            ),
        ] {
            let person = t.app.person(name, email, dept, "manager").await;
            let to = t.app.dept(to).await;
            let (status, body) = it
                .post(
                    "/promises",
                    json!({"promisor_id": person, "promisee_department_id": to, "level": "manager", "text": text, "due_on": due}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
        t.sign_in(&cast.member).await;
        t.step(&format!("/promises at {width} px"));
        t.visit("/promises").await;
        let split = t.win.script(SPLIT_WORDS, json!([])).await;
        assert_eq!(
            split,
            json!([]),
            "words or dates broken across lines at {width} px"
        );
        let below = t
            .win
            .script(
                BELOW,
                json!(["#due_on", "#record-promise button[type=submit]"]),
            )
            .await;
        assert_eq!(
            below,
            json!(true),
            "Record promise sits below Due on at {width} px"
        );
        t.step(&format!("/requests/new at {width} px"));
        t.visit("/requests/new").await;
        let below = t
            .win
            .script(
                BELOW,
                json!(["#date_needed", "main form button[type=submit]"]),
            )
            .await;
        assert_eq!(
            below,
            json!(true),
            "Submit sits below the last field at {width} px"
        );
        t.finish().await;
    }
}
