//! The journeys of issue 9, each through the forms as a person would take it, with axe-core on
//! every page visited.

use crate::{Cast, Trip};
use chrono::{Duration, Utc};

/// Submits a request as the signed-in person and returns its id.
async fn submit_request(t: &mut Trip, title: &str) -> String {
    t.step("open the request form");
    t.visit("/requests/new").await;
    t.step("fill in and submit the request");
    t.win.fill("#title", title).await;
    t.win
        .fill(
            "#problem",
            "Quotes are typed twice: once in the CRM and once in the spreadsheet.\nIt takes each of us an hour a day.",
        )
        .await;
    t.win
        .fill("#affected", "The twelve people of inside sales")
        .await;
    t.win
        .fill(
            "#desired_outcome",
            "A quote typed once appears in both places.\nNo copy and paste.",
        )
        .await;
    t.submit("form[action='/requests'] button[type=submit]")
        .await;
    let id = t.id_in_url("/requests/").await;
    assert!(
        id.parse::<i64>().is_ok(),
        "after submitting, the request's own page is shown (at /requests/{id})"
    );
    assert!(t.main_text().await.contains(title));
    id
}

/// IT restates the need and the requester confirms it.
async fn restate_and_confirm(t: &mut Trip, cast: &Cast, id: &str) {
    t.sign_in(&cast.it_leader).await;
    t.step("IT restates the need in the requester's terms");
    t.visit(&format!("/requests/{id}")).await;
    t.win
        .fill(
            "#need_statement",
            "Inside sales need a quote entered once to reach both the CRM and the finance sheet.",
        )
        .await;
    t.submit(&format!("form[action='/requests/{id}/need'] button"))
        .await;
    t.sign_out().await;

    t.sign_in(&cast.member).await;
    t.step("the requester confirms the restated need");
    t.visit(&format!("/requests/{id}")).await;
    assert!(t.main_text().await.contains("entered once"));
    t.submit(&format!("form[action='/requests/{id}/confirm'] button"))
        .await;
    assert!(
        t.main_text().await.contains("Confirmed by the requester"),
        "the page says the need is confirmed"
    );
    t.sign_out().await;
}

#[tokio::test]
async fn every_role_signs_in_sees_its_home_and_every_main_page_passes_axe() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    let pages = [
        "/",
        "/departments",
        "/people",
        "/requests",
        "/requests/new",
        "/portfolio",
        "/promises",
        "/trust",
        "/reviews",
        "/measures",
        "/coverage",
        "/listen",
        "/voice",
        "/comms",
        "/comms/editions",
        "/account/email",
        "/mail/unsubscribe/not-a-real-token",
        "/notifications",
        "/account",
        "/audit",
    ];
    for (role, email) in [
        ("admin", &cast.admin),
        ("it_leader", &cast.it_leader),
        ("business_leader", &cast.sales_leader),
        ("executive", &cast.executive),
        ("member", &cast.member),
    ] {
        t.sign_in(email).await;
        t.step(&format!("{role} sees the home page"));
        let h1 = t.win.text("main h1").await;
        assert!(!h1.is_empty(), "{role}: the home page has a heading");
        let header = t.win.text("header").await;
        assert!(header.contains("Sign out"), "{role}: signed in ({header})");
        for p in pages {
            t.step(&format!("{role} visits {p}"));
            t.visit(p).await;
        }
        if role == "admin" {
            t.step("admin visits the accounts, a department, a person, teams and instruments");
            t.visit("/admin/users").await;
            let sales = t.app.dept("Sales").await;
            t.visit(&format!("/departments/{sales}")).await;
            t.visit("/people").await;
            t.follow("/people/").await;
            t.visit("/requests/teams").await;
            t.visit("/admin/outbox").await;
            t.visit("/relationships").await;
            t.follow("/relationships/").await;
            t.visit("/listen/instruments").await;
            t.follow("/listen/instruments/").await;
            t.step("admin adds a metric and opens it");
            t.visit("/measures").await;
            t.win.fill("#m-name", "Quote turnaround").await;
            t.win.fill("#m-unit", "days").await;
            t.win.fill("#m-target", "2").await;
            t.submit("form[action='/measures'] button[type=submit]")
                .await;
            t.visit("/measures").await;
            t.follow("/measures/").await;
        }
        if role != "member" {
            t.step(&format!("{role} opens the voice triage inbox"));
            t.visit("/voice/inbox").await;
        }
        t.sign_out().await;
    }
    t.finish().await;
}

#[tokio::test]
async fn a_request_is_restated_confirmed_and_declined_with_a_safe_alternative() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    t.sign_in(&cast.member).await;
    let id = submit_request(&mut t, "Quotes typed twice").await;
    t.sign_out().await;
    restate_and_confirm(&mut t, &cast, &id).await;

    t.sign_in(&cast.it_leader).await;
    t.step("IT declines with a reason and a safe alternative");
    t.visit(&format!("/requests/{id}")).await;
    t.win.click("input[name=decision][value=decline]").await;
    let picked = t
        .win
        .script(
            "const s = document.querySelector('#reason');
             const o = [...s.options].find(o => o.value && !/secur/i.test(o.value + o.text));
             s.value = o.value; return s.value;",
            serde_json::json!([]),
        )
        .await;
    assert!(picked.as_str().is_some_and(|v| !v.is_empty()));
    t.win
        .fill(
            "input[name=alt1]",
            "Use the shared quote template that fills the finance sheet",
        )
        .await;
    t.win
        .fill("#note", "We can revisit with the CRM upgrade.")
        .await;
    t.submit(&format!(
        "form[action='/requests/{id}/decision'] button[type=submit]"
    ))
    .await;
    let text = t.main_text().await;
    assert!(text.contains("Declined"), "the decision is shown: {text}");
    assert!(text.contains("shared quote template"));
    t.sign_out().await;

    t.sign_in(&cast.member).await;
    t.step("the requester reads the decline and says they used the alternative");
    t.visit(&format!("/requests/{id}")).await;
    t.submit("form[action*='/alternatives/'] input[name=taken_up] ~ button")
        .await;
    assert!(t.main_text().await.contains("taken up"));
    t.finish().await;
}

#[tokio::test]
async fn a_championed_request_with_a_signed_business_case_is_funded_by_the_line() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    t.sign_in(&cast.member).await;
    let title = "One quote for CRM and finance";
    let id = submit_request(&mut t, title).await;
    t.sign_out().await;
    restate_and_confirm(&mut t, &cast, &id).await;

    t.sign_in(&cast.executive).await;
    t.step("the executive champions the request");
    t.visit(&format!("/requests/{id}")).await;
    t.submit(&format!("form[action='/requests/{id}/champion'] button"))
        .await;
    t.step("the champion writes the business case");
    t.win.click("details summary").await;
    t.win.fill("#horizon_years", "3").await;
    t.win.fill("#discount_rate_pct", "8").await;
    t.win.fill("#person_days", "40").await;
    let rows = [
        ("0", "IT one-off", "60,000.00"),
        ("1", "IT recurring", "5,000.00"),
        ("1", "Savings", "90,000.00"),
        ("2", "Savings", "90,000.00"),
    ];
    for (n, (year, kind, amount)) in rows.iter().enumerate() {
        let row = n + 1;
        let tr = format!("form[action$='/business-case'] tbody tr:nth-child({row})");
        t.win
            .fill(&format!("{tr} input[name=flow_year]"), year)
            .await;
        t.win
            .select(&format!("{tr} select[name=flow_kind]"), kind)
            .await;
        t.win
            .fill(&format!("{tr} input[name=flow_amount]"), amount)
            .await;
    }
    t.submit("form[action$='/business-case'] button[type=submit]")
        .await;
    assert!(t.main_text().await.contains("NPV"));
    t.step("the champion signs off the IT costs");
    t.submit(&format!("form[action='/requests/{id}/sign-off'] button"))
        .await;
    assert!(t.main_text().await.contains("holds"), "the sign-off holds");
    t.sign_out().await;

    t.sign_in(&cast.it_leader).await;
    t.step("IT sets the budget and capacity of the portfolio");
    t.visit("/portfolio").await;
    t.win.fill("#s-budget", "500,000.00").await;
    t.win.fill("#s-capacity", "400").await;
    t.submit("form[action='/portfolio/settings'] button").await;
    t.step("the request is above the funding line");
    let row = t
        .win
        .script(
            "const a = [...document.querySelectorAll('tbody tr')].find(r => r.innerText.includes(arguments[0]));
             return a ? a.className + ' ' + a.innerText : '';",
            serde_json::json!([title]),
        )
        .await;
    let row = row.as_str().unwrap_or_default().to_string();
    assert!(
        row.contains("funding-funded"),
        "the championed, signed request is funded: {row}"
    );
    t.finish().await;
}

#[tokio::test]
async fn a_review_is_scheduled_recorded_with_an_edited_agenda_and_signed_by_both_sides() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    t.sign_in(&cast.it_leader).await;
    t.step("IT schedules a review with Sales that started an hour ago");
    t.visit("/reviews").await;
    t.win.select("#r-dept", "Sales").await;
    let start = (Utc::now() - Duration::hours(3)).format("%Y-%m-%dT%H:%M");
    t.set_value("#r-at", &start.to_string()).await;
    t.submit("form[action='/reviews'] button[type=submit]")
        .await;
    t.step("IT marks the review held");
    // The review just scheduled is the only one with a "mark held" button.
    let action = t
        .win
        .script(
            "const f = document.querySelector('form[action$=\"/held\"]'); return f ? f.getAttribute('action') : '';",
            serde_json::json!([]),
        )
        .await;
    let action = action.as_str().unwrap_or_default().to_string();
    assert!(
        !action.is_empty(),
        "the scheduled review can be marked held"
    );
    t.submit(&format!("form[action='{action}'] button")).await;
    t.step("IT opens the record");
    let href = action.replace("/held", "/record");
    t.visit(&href).await;
    t.step("IT edits the drafted multi-line agenda and saves the record");
    let drafted = t
        .win
        .script(
            "return document.querySelector('#agenda').value;",
            serde_json::json!([]),
        )
        .await;
    let drafted = drafted.as_str().unwrap_or_default().to_string();
    assert!(
        drafted.contains('\n'),
        "the drafted agenda has several lines"
    );
    // Keep the draft and add a line at the end, as a person would.
    t.win
        .fill(
            "#agenda",
            &format!("{drafted}\nAny other business: the CRM upgrade"),
        )
        .await;
    t.win.fill("#attendees", "IT leader, Sales leader").await;
    t.win
        .fill(
            "#notes",
            "We went through the pack.\nQuotes are the pain of the quarter.",
        )
        .await;
    t.submit("form[action$='/record'] button[type=submit]")
        .await;
    t.step("IT records a decision that becomes a promise");
    t.win
        .fill("#d-text", "IT will connect quotes to finance")
        .await;
    t.win.fill("#d-promisor", &cast.it_leader).await;
    t.win.select("#d-to", "Sales").await;
    let due = (Utc::now() + Duration::days(30)).format("%Y-%m-%d");
    t.set_value("#d-due", &due.to_string()).await;
    t.submit("form[action$='/decisions'] button[type=submit]")
        .await;
    assert!(
        t.main_text().await.contains("became a promise"),
        "the decision links to its promise"
    );
    t.step("IT signs for its side");
    t.submit("form[action$='/sign'] button").await;
    t.sign_out().await;

    t.sign_in(&cast.sales_leader).await;
    t.step("the Sales leader reads the record and signs");
    t.visit(&href).await;
    let agenda = t
        .win
        .script(
            "const a = document.querySelector('#agenda'); return a ? a.value : document.querySelector('main').innerText;",
            serde_json::json!([]),
        )
        .await;
    let agenda = agenda.as_str().unwrap_or_default().to_string();
    assert!(
        agenda.contains("Any other business: the CRM upgrade") && agenda.lines().count() > 2,
        "the edited multi-line agenda was kept: {agenda}"
    );
    t.submit("form[action$='/sign'] button").await;
    assert!(
        t.main_text().await.contains("locked"),
        "signed by both leaders, the record is locked"
    );
    t.step("the Sales leader follows the decision to its promise, then the trust it builds");
    t.follow("/promises/").await;
    t.visit("/promises").await;
    t.visit("/trust").await;
    t.visit(&href.replace("/record", "/agenda")).await;
    t.finish().await;
}

#[tokio::test]
async fn a_member_answers_the_open_pulse() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    t.sign_in(&cast.it_leader).await;
    t.step("IT opens a DUET pulse for Sales");
    t.visit("/listen").await;
    let picked = t
        .win
        .script(
            "const s = document.querySelector('#instrument_id');
             const o = [...s.options].find(o => /pulse/i.test(o.text));
             if (!o) return ''; s.value = o.value; return o.text;",
            serde_json::json!([]),
        )
        .await;
    assert!(
        !picked.as_str().unwrap_or_default().is_empty(),
        "a pulse instrument is offered"
    );
    t.win.fill("#title", "Spring pulse").await;
    let today = Utc::now().date_naive();
    t.set_value("#opens_on", &today.to_string()).await;
    t.set_value("#closes_on", &(today + Duration::days(14)).to_string())
        .await;
    let ticked = t
        .win
        .script(
            "const b = [...document.querySelectorAll('input[name=departments]')].find(b => b.parentElement.innerText.includes('Sales'));
             if (!b) return false; if (!b.checked) b.click(); return true;",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(
        ticked,
        serde_json::Value::Bool(true),
        "Sales can be invited"
    );
    t.submit("form[action='/listen/campaigns'] button[type=submit]")
        .await;
    t.sign_out().await;

    t.sign_in(&cast.member).await;
    t.step("the member opens the pulse from Listen");
    t.visit("/listen").await;
    let href = t
        .win
        .script(
            "const a = [...document.querySelectorAll('main a')].find(a => a.innerText.trim() === 'Answer');
             return a ? a.getAttribute('href') : '';",
            serde_json::json!([]),
        )
        .await;
    let href = href.as_str().unwrap_or_default().to_string();
    assert!(!href.is_empty(), "the open pulse offers `Answer`");
    t.visit(&href).await;
    t.step("the member answers every question");
    let names = t
        .win
        .script(
            "return [...new Set([...document.querySelectorAll('input[type=radio]')].map(r => r.name))];",
            serde_json::json!([]),
        )
        .await;
    let names: Vec<String> = names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert!(!names.is_empty());
    for (n, name) in names.iter().enumerate() {
        // Vary the answers: the 2nd, 3rd, 4th option in turn.
        let nth = 2 + n % 3;
        let css = format!("input[type=radio][name='{name}']");
        let id = t
            .win
            .script(
                "const r = document.querySelectorAll(arguments[0]); const e = r[Math.min(arguments[1], r.length) - 1];
                 e.id = e.id || ('pick-' + Math.random().toString(36).slice(2)); return e.id;",
                serde_json::json!([css, nth]),
            )
            .await;
        t.win
            .click(&format!("#{}", id.as_str().unwrap_or_default()))
            .await;
    }
    t.submit(&format!(
        "form[action='{href}/respond'] button[type=submit]"
    ))
    .await;
    t.step("Listen shows the pulse as answered");
    t.visit("/listen").await;
    assert!(
        t.main_text().await.contains("Change your answers"),
        "the answered pulse offers to change the answers"
    );
    t.finish().await;
}

#[tokio::test]
async fn a_pain_point_survives_a_reload_once_and_its_thread_opens_with_the_receipt() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    t.sign_in(&cast.member).await;
    t.step("the member sends a pain point to IT");
    t.visit("/voice").await;
    t.win.select("#department_id", "IT").await;
    t.win
        .fill(
            "#text",
            "The VPN drops every afternoon.\nWe lose the quote we were typing.",
        )
        .await;
    t.submit("form[action='/voice'] button[type=submit]").await;
    let receipt = t.win.text(".receipt code").await;
    assert!(receipt.len() >= 20, "a receipt code is shown: `{receipt}`");
    t.step("the member reloads the receipt page");
    t.win.refresh().await;
    t.expect_page().await;
    let stored = duet_store::voice::list(&t.app.db, None, None)
        .await
        .unwrap();
    assert_eq!(
        stored.len(),
        1,
        "reloading after sending must not send the pain point again"
    );
    t.step("the member opens the thread with the receipt");
    t.visit("/voice").await;
    t.win.fill("#receipt", &receipt).await;
    t.submit("form[action='/voice/receipt'] button[type=submit]")
        .await;
    assert!(
        t.main_text()
            .await
            .contains("The VPN drops every afternoon."),
        "the thread shows the pain point"
    );
    t.sign_out().await;
    t.sign_in(&cast.it_leader).await;
    t.step("IT finds the pain point in its triage inbox");
    t.visit("/voice/inbox").await;
    t.follow("/voice/inbox/").await;
    assert!(
        t.main_text()
            .await
            .contains("The VPN drops every afternoon.")
    );
    t.finish().await;
}

/// Tell: IT writes the success story of a delivered Sales request; Sales' leader, its business
/// owner, approves it; a member reads it, reacts, comments and replies anonymously.
#[tokio::test]
async fn a_success_story_is_approved_by_its_owner_and_answered_by_a_member() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    let db = t.app.db.clone();
    // Sales' leader is the business owner of a delivered Sales request.
    let leader = duet_store::org::find_person_by_email(&db, &cast.sales_leader)
        .await
        .unwrap()
        .unwrap();
    let sales = t.app.dept("Sales").await;
    let input =
        duet_core::org::DepartmentInput::parse("Sales", "business", Some(leader.id), None).unwrap();
    duet_store::org::update_department(&db, duet_core::org::DepartmentId(sales), &input)
        .await
        .unwrap();
    let owner = duet_store::accounts::find_login(&db, &cast.sales_leader)
        .await
        .unwrap()
        .unwrap()
        .0;
    let req = duet_core::requests::RequestInput {
        title: "Quotes straight from the CRM".into(),
        problem: "Quotes are typed twice.".into(),
        affected: "Inside sales".into(),
        desired_outcome: "Type a quote once".into(),
        department: sales,
        urgency: duet_core::requests::Urgency::Normal,
        date_needed: None,
    };
    let r = duet_store::requests::insert_request(&db, owner.id, &req)
        .await
        .unwrap();
    let sql = "update requests set status = 'delivered' where id = $1";
    match &db {
        duet_store::Db::Sqlite(p) => {
            sqlx::query(sql).bind(r.id).execute(p).await.unwrap();
        }
        duet_store::Db::Postgres(p) => {
            sqlx::query(sql).bind(r.id).execute(p).await.unwrap();
        }
    }
    duet_store::testing::note_write();

    t.sign_in(&cast.it_leader).await;
    t.step("IT writes the success story");
    t.visit("/comms/new").await;
    t.win.select("#kind", "Success story").await;
    t.win.fill("#title", "One quote, typed once").await;
    t.win
        .fill(
            "#body",
            "Inside sales now types each quote **once**.\n\nThank you for the two days you spent with us.",
        )
        .await;
    t.win
        .select(
            "#request_id",
            &format!("#{} Quotes straight from the CRM", r.id),
        )
        .await;
    t.submit("button[value=publish]").await;
    let id = t.id_in_url("/comms/posts/").await;
    assert!(
        t.main_text().await.contains("Waiting for the owner"),
        "it waits for Sales' leader"
    );
    t.step("its author opens it for editing, and leaves it as it is");
    t.visit(&format!("/comms/posts/{id}/edit")).await;
    assert!(t.main_text().await.contains("Edit post"));
    t.sign_out().await;

    t.sign_in(&cast.sales_leader).await;
    t.step("the owner finds it waiting and approves it");
    t.visit("/comms").await;
    t.follow("/comms/posts/").await;
    t.submit("form[action$='/approve'] button[type=submit]")
        .await;
    let text = t.main_text().await;
    assert!(
        text.contains("Told by"),
        "the owner's voice is shown: {text}"
    );
    t.sign_out().await;

    t.sign_in(&cast.member).await;
    t.step("a member reads it, celebrates it and comments");
    t.visit(&format!("/comms/posts/{id}")).await;
    t.submit("form[action$='/react'] button[aria-pressed=false]")
        .await;
    t.win
        .fill("#comment-text", "This saves me an hour a day.")
        .await;
    t.submit("form[action$='/comments'] button[type=submit]")
        .await;
    assert!(t.main_text().await.contains("This saves me an hour a day."));
    t.step("and replies anonymously");
    t.win
        .fill("#anon-text", "Bundles still need the spreadsheet.")
        .await;
    t.submit("form[action$='/anonymous'] button[type=submit]")
        .await;
    let receipt = t.win.text(".receipt code").await;
    assert!(
        receipt.len() >= 20,
        "a receipt code is shown once: `{receipt}`"
    );
    t.finish().await;
}

/// Screenshots of a few pages at phone and desktop widths; with `DUET_SCREENSHOTS=dir` they are
/// kept for people to look at. On a phone the navigation is collapsed behind "Menu", so the
/// page's heading is in the first screen.
#[tokio::test]
async fn on_a_phone_the_navigation_is_collapsed_and_the_heading_is_on_the_first_screen() {
    let dir = std::env::var("DUET_SCREENSHOTS").ok();
    for width in [390u32, 1280] {
        let mut t = Trip::start_at(width).await;
        let cast = Cast::new(&t.app).await;
        t.sign_in(&cast.it_leader).await;
        for (name, path) in [
            ("home", "/"),
            ("requests", "/requests"),
            ("portfolio", "/portfolio"),
            ("missing", "/requests/abc"),
        ] {
            t.step(&format!("{path} at {width} px"));
            t.win.goto(&format!("{}{path}", t.app.base)).await;
            t.axe().await;
            if let Some(d) = &dir {
                std::fs::create_dir_all(d).unwrap();
                t.win
                    .screenshot(&std::path::Path::new(d).join(format!("{name}-{width}.png")))
                    .await;
            }
            let top = t
                .win
                .script(
                    "return document.querySelector('main h1').getBoundingClientRect().top;",
                    serde_json::json!([]),
                )
                .await
                .as_f64()
                .unwrap();
            let nav_visible = t
                .win
                .script(
                    "const a = document.querySelector('header nav a[href=\"/reviews\"]');
                     return !!a && a.checkVisibility();",
                    serde_json::json!([]),
                )
                .await;
            if width < 600 {
                assert!(
                    top < 200.0,
                    "{path}: the heading starts {top}px down on a phone"
                );
                assert_eq!(
                    nav_visible,
                    serde_json::Value::Bool(false),
                    "{path}: the menu is collapsed on a phone"
                );
            } else {
                assert_eq!(
                    nav_visible,
                    serde_json::Value::Bool(true),
                    "{path}: full navigation"
                );
            }
        }
        if width < 600 {
            t.step("the menu opens with the keyboard");
            t.win.click("header label[for=menu-toggle]").await;
            let shown = t
                .win
                .script(
                    "return document.querySelector('header nav a[href=\"/reviews\"]').checkVisibility();",
                    serde_json::json!([]),
                )
                .await;
            assert_eq!(shown, serde_json::Value::Bool(true), "the menu opens");
            if let Some(d) = &dir {
                t.win
                    .screenshot(&std::path::Path::new(d).join("menu-open-390.png"))
                    .await;
            }
        }
        t.finish().await;
    }
}

/// The monthly edition, as its editor and a reader meet it: IT drafts last month's edition from
/// the records, previews it as a Sales member, renames it, schedules it; a member then reads it.
#[tokio::test]
async fn an_editor_drafts_previews_and_sends_the_monthly_edition_and_a_member_reads_it() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    t.sign_in(&cast.it_leader).await;
    t.step("IT drafts last month's edition from the records");
    t.visit("/comms/editions").await;
    t.submit("form[action='/comms/editions'] button[type=submit]")
        .await;
    let id = t.id_in_url("/comms/editions/").await;
    assert!(t.main_text().await.contains("Where to get help"));
    t.step("previews it as a member of Sales would read it");
    t.win.select("#as", "a member of Sales").await;
    t.submit("form[method=get] button[type=submit]").await;
    assert!(
        !t.main_text().await.contains("your line"),
        "a preview shows no editor's notes"
    );
    t.step("edits the title");
    t.visit(&format!("/comms/editions/{id}/edit")).await;
    t.win
        .fill("#title", "Duet news: what we did together")
        .await;
    t.win
        .fill("#intro", "A short month, and a **good** one.")
        .await;
    t.submit(&format!(
        "form[action='/comms/editions/{id}'] button[type=submit]"
    ))
    .await;
    t.step("schedules it to go now");
    t.visit(&format!("/comms/editions/{id}")).await;
    assert!(t.main_text().await.contains("what we did together"));
    t.submit("form[action$='/schedule'] button[type=submit]")
        .await;
    assert!(t.main_text().await.contains("Scheduled"));
    t.sign_out().await;

    t.sign_in(&cast.member).await;
    t.step("a member finds it among the editions and reads it");
    t.visit("/comms/editions").await;
    assert_eq!(
        t.follow("/comms/editions/").await,
        format!("/comms/editions/{id}")
    );
    let text = t.main_text().await;
    assert!(
        text.contains("A short month") && !text.contains("For the editor"),
        "{text}"
    );
    t.finish().await;
}

/// A relationship's early warning, as IT's leader meets it: the overview flags the pair, the
/// pair's page shows the warning, a refused acknowledgement keeps what was typed, and a note
/// acknowledges it.
#[tokio::test]
async fn an_it_leader_acknowledges_an_early_warning_on_a_relationship() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    let sales = t.app.dept("Sales").await;
    let it = t.app.dept("IT").await;
    let raise = duet_store::relationships::Raise {
        department_id: sales,
        department_name: "Sales".into(),
        signal: "reviews".into(),
        reason: "Monthly review kept is poor (40 days overdue): no review with Sales for 70 days"
            .into(),
        href: "/reviews".into(),
    };
    let raised = duet_store::relationships::sync_warnings(
        &t.app.db,
        &[raise],
        &[(sales, "reviews".into())],
        it,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(raised, (1, 0));
    t.sign_in(&cast.it_leader).await;
    t.step("the overview flags the pair");
    t.visit("/relationships").await;
    let text = t.main_text().await.to_lowercase();
    assert!(text.contains("1 warning"), "{text}");
    t.follow("/relationships/").await;
    t.step("an acknowledgement without a note is refused, and keeps nothing lost");
    t.visit(&format!("/relationships/{sales}")).await;
    t.win.fill("input[name=note]", "ok").await;
    t.submit("form[action$='/acknowledge'] button[type=submit]")
        .await;
    assert!(t.main_text().await.contains("say in 3 to 500 characters"));
    t.step("a note acknowledges it");
    t.win
        .fill("input[name=note]", "Review booked for Thursday with Sales")
        .await;
    t.submit("form[action$='/acknowledge'] button[type=submit]")
        .await;
    let text = t.main_text().await;
    assert!(
        text.contains("Acknowledged") && text.contains("Review booked for Thursday"),
        "{text}"
    );
    t.step("plans an action, which becomes a promise in the trust ledger");
    t.win.click("details summary").await;
    let owner = t
        .win
        .script(
            "return document.querySelector('select[name=promisor_id] option:nth-child(2)').value;",
            serde_json::json!([]),
        )
        .await;
    t.set_value("select[name=promisor_id]", owner.as_str().unwrap())
        .await;
    t.win
        .fill("input[name=text]", "Hold the review with Sales by Friday")
        .await;
    let due = (chrono::Utc::now() + chrono::Duration::days(7))
        .date_naive()
        .to_string();
    t.set_value("input[name=due_on]", &due).await;
    t.submit("form[action$='/actions'] button[type=submit]")
        .await;
    let text = t.main_text().await;
    assert!(
        text.contains("Action: Hold the review with Sales by Friday"),
        "{text}"
    );
    t.finish().await;
}

/// A business leader says how the relationship feels (a refused view keeps what was chosen),
/// an IT leader changes a weight (a new version, with the reason), and an executive reads the
/// board report with a page per pair: every page checked with axe.
#[tokio::test]
async fn leaders_record_their_view_change_a_weight_and_read_the_board_report() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    let sales = t.app.dept("Sales").await;
    t.sign_in(&cast.sales_leader).await;
    t.step("a view without a reason is refused, and keeps what was chosen");
    t.visit(&format!("/relationships/{sales}")).await;
    t.win.click("#maturity details summary").await;
    t.win.click("input[name=feels][value='2']").await;
    t.set_value("select[name=level]", "order_taker").await;
    t.submit("form[action$='/judgements'] button[type=submit]")
        .await;
    let text = t.main_text().await;
    assert!(text.contains("say in 3 to 1,000 characters"), "{text}");
    let kept = t
        .win
        .script(
            "return [document.querySelector('input[name=feels][value=\"2\"]').checked, document.querySelector('select[name=level]').value];",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(kept, serde_json::json!([true, "order_taker"]));
    t.step("with a reason it is kept beside the computed maturity");
    t.win
        .fill(
            "textarea[name=reason]",
            "We ask and wait; nobody asks what we need",
        )
        .await;
    t.submit("form[action$='/judgements'] button[type=submit]")
        .await;
    let text = t.main_text().await;
    assert!(
        text.contains("feels 2 of 5") && text.contains("sees it as Order taker"),
        "{text}"
    );
    t.sign_out().await;
    t.step("an IT leader halves a pulse pillar's weight, with the reason");
    t.sign_in(&cast.it_leader).await;
    t.visit("/relationships/thresholds").await;
    t.set_value("input[name=weight_pulse_trust]", "0.5").await;
    t.win
        .fill("input[name=reason]", "The pulse is one voice among many")
        .await;
    t.submit("form[action='/relationships/thresholds'] button[type=submit]")
        .await;
    let text = t.main_text().await;
    assert!(
        text.contains("Saved: 1 signal(s)") && text.contains("The pulse is one voice among many"),
        "{text}"
    );
    t.step("the IT leader adds a service to the IT service catalogue");
    t.visit("/relationships/services").await;
    t.win
        .fill(
            "textarea[name=services]",
            "The service desk\nThe network and Wi-Fi\nCRM and sales tools",
        )
        .await;
    t.submit("form[action='/relationships/services'] button[type=submit]")
        .await;
    let text = t.main_text().await.to_lowercase();
    assert!(
        text.contains("saved as a new version") && text.contains("crm and sales tools"),
        "{text}"
    );
    t.sign_out().await;
    t.step("an executive reads the board report, a page per pair, and the map");
    t.sign_in(&cast.executive).await;
    t.visit("/relationships/map").await;
    t.visit("/relationships").await;
    t.visit("/relationships/report?pairs=all").await;
    let charts = t
        .win
        .script(
            "return document.querySelectorAll('.report-pair').length;",
            serde_json::json!([]),
        )
        .await;
    assert!(charts.as_u64().unwrap_or(0) >= 5, "{charts}");
    t.finish().await;
}

/// Makes the person behind account `email` the leader of `dept` (their manager, for releases).
async fn make_leader(db: &duet_store::Db, dept: &str, email: &str) -> i64 {
    let person = duet_store::org::find_person_by_email(db, email)
        .await
        .unwrap()
        .unwrap();
    let id = duet_store::org::find_department_by_name(db, dept)
        .await
        .unwrap()
        .unwrap()
        .id;
    let d = duet_store::org::find_department(db, duet_core::org::DepartmentId(id))
        .await
        .unwrap();
    let input = duet_core::org::DepartmentInput {
        name: d.name.clone(),
        kind: d.kind,
        leader: Some(duet_core::org::PersonId(person.id)),
        it_partner: d.it_partner_id.map(duet_core::org::PersonId),
    };
    duet_store::org::update_department(db, duet_core::org::DepartmentId(id), &input)
        .await
        .unwrap();
    person.id
}

#[tokio::test]
async fn a_rotation_cycle_is_opened_applied_to_released_matched_and_reflected_on() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    make_leader(&t.app.db, "Sales", &cast.sales_leader).await;
    make_leader(&t.app.db, "IT", &cast.it_leader).await;
    let (it, sales) = (t.app.dept("IT").await, t.app.dept("Sales").await);
    let day = |d: i64| (chrono::Utc::now().date_naive() + chrono::Duration::days(d)).to_string();
    t.sign_in(&cast.it_leader).await;
    t.step("the IT leader opens a cycle");
    t.visit("/rotation").await;
    t.win.fill("#title", "Spring rotation").await;
    t.set_value("#call_closes_on", &day(10)).await;
    t.set_value("#starts_on", &day(30)).await;
    t.win
        .click(&format!("input[name=departments][value='{it}']"))
        .await;
    t.win
        .click(&format!("input[name=departments][value='{sales}']"))
        .await;
    t.submit("form[action='/rotation'] button[type=submit]")
        .await;
    let cycle = t.id_in_url("/rotation/").await;
    t.step("the IT leader offers a placement on the service desk");
    t.win.fill("#role", "Service desk analyst").await;
    t.win
        .fill("#work", "Works the first-line queue with a buddy")
        .await;
    t.win.select("#department_id", "IT").await;
    t.win
        .script(
            "const s = document.querySelector('#buddy_id'); s.selectedIndex = 1; return true;",
            serde_json::json!([]),
        )
        .await;
    t.win.fill("#teaches", "service desk tooling").await;
    t.submit(&format!(
        "form[action='/rotation/{cycle}/offers'] button[type=submit]"
    ))
    .await;
    assert!(t.main_text().await.contains("Service desk analyst"));
    t.sign_out().await;
    t.step("a Sales member applies");
    t.sign_in(&cast.member).await;
    t.visit(&format!("/rotation/{cycle}")).await;
    t.win
        .fill("#interests", "I want to see the other end of our tickets")
        .await;
    t.win.fill("#wants", "service desk tooling").await;
    t.win.select("#choice_1", "IT").await;
    t.submit(&format!(
        "form[action='/rotation/{cycle}/applications'] button[type=submit]"
    ))
    .await;
    assert!(t.main_text().await.contains("Waiting for the manager"));
    t.sign_out().await;
    t.step("their manager releases them");
    t.sign_in(&cast.sales_leader).await;
    t.visit(&format!("/rotation/{cycle}")).await;
    t.submit("form[action^='/rotation/applications/'] button[value=released]")
        .await;
    assert!(t.main_text().await.contains("Released"));
    t.sign_out().await;
    t.step("the IT leader reads the matching and confirms it");
    t.sign_in(&cast.it_leader).await;
    t.visit(&format!("/rotation/{cycle}/match")).await;
    let text = t.main_text().await.to_lowercase();
    assert!(
        text.contains("service desk analyst") && text.contains("relationship"),
        "{text}"
    );
    t.submit(&format!(
        "form[action='/rotation/{cycle}/confirm'] button[type=submit]"
    ))
    .await;
    assert!(t.main_text().await.contains("Confirmed: 1 placement"));
    t.sign_out().await;
    t.step("the guest writes a shared reflection");
    t.sign_in(&cast.member).await;
    t.visit(&format!("/rotation/{cycle}")).await;
    t.follow("/rotation/placements/").await;
    t.win
        .fill("#surprised", "How many tickets are password resets")
        .await;
    t.win.click("input[name=shared]").await;
    t.submit("form[action$='/reflections'] button[type=submit]")
        .await;
    assert!(
        t.main_text()
            .await
            .contains("shared with the host department")
    );
    t.finish().await;
}

#[tokio::test]
async fn a_tool_is_declared_reviewed_yes_safely_and_its_condition_checked_by_it() {
    let mut t = Trip::start().await;
    let cast = Cast::new(&t.app).await;
    t.sign_in(&cast.member).await;
    t.step("a Sales member declares the tool their team uses");
    t.visit("/software").await;
    t.win.fill("#name", "Calendly").await;
    t.win.fill("#vendor", "Calendly").await;
    t.win
        .fill(
            "#purpose",
            "Customers book demos straight into our calendars",
        )
        .await;
    t.win.select("#data_class", "Personal data").await;
    t.win.fill("#users", "12").await;
    t.submit("form[action='/software#declare'] button[type=submit]")
        .await;
    let text = t.main_text().await;
    assert!(text.contains("the need it meets"), "{text}");
    let id = t.id_in_url("/software/").await;
    t.sign_out().await;
    t.step("IT approves it with conditions");
    t.sign_in(&cast.it_leader).await;
    t.visit(&format!("/software/{id}")).await;
    t.win.select("#decision", "Approved with conditions").await;
    t.win
        .fill("#note", "Fine once sign-in goes through our single sign-on")
        .await;
    t.win.fill("#conditions", "Single sign-on enforced").await;
    t.submit(&format!(
        "form[action='/software/{id}/reviews'] button[type=submit]"
    ))
    .await;
    assert!(t.main_text().await.contains("not met yet"));
    t.step("IT checks the condition and marks it met");
    t.submit("form[action*='/conditions/'] button[type=submit]")
        .await;
    assert!(
        t.main_text()
            .await
            .contains("Single sign-on enforced — met")
    );
    t.sign_out().await;
    t.step("the head of Sales reads the tool and the expense page");
    t.sign_in(&cast.sales_leader).await;
    t.visit(&format!("/software/{id}")).await;
    t.visit("/software/expenses").await;
    t.sign_out().await;
    t.step("the admin reads the advisories page");
    t.sign_in(&cast.admin).await;
    t.visit("/software/advisories").await;
    t.finish().await;
}

#[tokio::test]
async fn a_person_signs_in_with_single_sign_on_and_an_admin_tests_it_and_reads_the_audit_log() {
    let idp = crate::common::OidcProvider::start().await;
    let issuer = idp.base.clone();
    let mut t =
        Trip::start_with(1280, |c| c.sso = Some(crate::common::sso_settings(&issuer))).await;
    idp.person("grace", serde_json::json!({"email": "grace.hopper@example.com", "name": "Grace Hopper", "groups": ["duet-users", "execs"], "department": "Finance"})).await;
    t.step("the sign-in page offers the company's sign-in");
    t.visit("/login?next=/promises").await;
    t.win.click_and_wait("a[href^='/login/sso']").await;
    t.step("the person signs in at the provider and comes back signed in");
    t.win.fill("input[name=sub]", "grace").await;
    t.win.click_and_wait("form button[type=submit]").await;
    t.expect_page().await;
    t.axe().await;
    let url = t.win.current_url().await;
    assert!(
        url.ends_with("/promises"),
        "back where they were going: {url}"
    );
    t.visit("/account").await;
    let text = t.main_text().await;
    assert!(
        text.contains("Grace Hopper") && text.contains("Executive"),
        "{text}"
    );
    t.sign_out().await;

    let cast = Cast::new(&t.app).await;
    t.sign_in(&cast.admin).await;
    t.step("the admin reads the single sign-on settings and tests a sign-in");
    t.visit("/admin/sso").await;
    t.win.click_and_wait("a[href='/admin/sso/test']").await;
    t.win.fill("input[name=sub]", "grace").await;
    t.win.click_and_wait("form button[type=submit]").await;
    t.expect_page().await;
    t.axe().await;
    let text = t.main_text().await;
    assert!(
        text.contains("Nothing changed in Duet")
            && text.contains("the existing account of Grace Hopper"),
        "{text}"
    );
    t.step("the admin tries the mapping on pasted claims; a refused box keeps what was typed");
    t.visit("/admin/sso").await;
    t.win.fill("#claims", "{broken").await;
    t.win
        .click_and_wait("form[action='/admin/sso/preview'] button[type=submit]")
        .await;
    let kept = t
        .win
        .script(
            "return document.querySelector('#claims').value",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(kept, serde_json::json!("{broken"));
    t.axe().await;
    t.step("the audit log shows the account single sign-on made");
    t.visit("/audit").await;
    let text = t.main_text().await;
    assert!(text.contains("at its first single sign-on"), "{text}");
    t.finish().await;
}
