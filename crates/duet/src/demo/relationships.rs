//! See's plants in the demo, on top of what the other areas seeded, so the relationship pages
//! have something true to surface (each is listed in the README):
//! - **Sales ↔ IT trust is broken**: IT broke three of its last four promises to Sales (and Sales
//!   is late with IT), so trust is poor both ways and an early warning is open.
//! - **Finance works in a silo**: every business department promises things to others except
//!   Finance, which deals with IT only.
//! - **IT believes Sales is happy, and it is not**: the CIO says the relationship feels 4 of 5
//!   and "trusted advisor"; Sales' VP says 2 and "order taker". The pair page shows the gap.
//! - **Two departments ask for the same thing**: Sales and Customer Service both asked IT for a
//!   churn dashboard this month.
//! - **The thresholds have a history**: the admin halved the pulse pillars' weight in the index.
//!
//! Marketing's coverage gap (IT measures nothing Marketing cares about) and Accounting's declines
//! without an alternative taken up come from the metrics and requests demo data.

use chrono::{Duration, Utc};
use duet_core::org::Level;
use duet_core::promises::{PromiseInput, PromiseSource};
use duet_core::requests::{RequestInput, Urgency};
use duet_store::Db;
use duet_store::accounts;
use duet_store::org;
use duet_store::promises as pr;
use duet_store::relationships::views;

/// Promises between business departments: (from, to, what, kept on time).
const BETWEEN: &[(&str, &str, &str, bool)] = &[
    (
        "Sales",
        "Marketing",
        "Send the win/loss notes of every lost deal",
        true,
    ),
    (
        "Marketing",
        "Sales",
        "Hand over qualified leads within a day",
        true,
    ),
    (
        "Marketing",
        "Sales",
        "Brief the reps before each campaign goes live",
        false,
    ),
    (
        "Operations",
        "Customer Service",
        "Share the weekly delivery delays list",
        true,
    ),
    (
        "Customer Service",
        "Operations",
        "Flag every damaged-goods complaint the same day",
        true,
    ),
    (
        "Human Resources",
        "Operations",
        "Run the shift-lead training before peak season",
        true,
    ),
    (
        "Accounting",
        "Sales",
        "Close the commission run by the fifth working day",
        true,
    ),
    (
        "Business Development",
        "Marketing",
        "Agree the partner co-marketing calendar",
        true,
    ),
    (
        "Sales",
        "Accounting",
        "Send signed contracts before invoicing",
        false,
    ),
    (
        "Customer Service",
        "Sales",
        "Pass on renewal risks spotted in calls",
        true,
    ),
    (
        "Operations",
        "Accounting",
        "Confirm stock counts at month-end",
        true,
    ),
];

/// Seeds the plants once (skipped when Sales' relationship already has a view).
pub async fn seed_relationships(db: &Db) -> anyhow::Result<()> {
    let departments = org::list_departments(db, false).await?;
    let id = |name: &str| departments.iter().find(|d| d.name == name).map(|d| d.id);
    let (Some(sales), Some(it), Some(cs)) = (id("Sales"), id("IT"), id("Customer Service")) else {
        return Ok(());
    };
    if !views::judgements_of(db, sales).await?.is_empty() {
        return Ok(());
    }
    let people = org::all_people(db).await?;
    let users = accounts::list_users(db).await?;
    let account = |dept: i64, role: &str| {
        users
            .iter()
            .find(|u| u.department_id == Some(dept) && u.role.as_str() == role)
            .map(|u| u.id)
    };
    let manager = |dept: i64| {
        people
            .iter()
            .find(|p| p.department_id == dept && p.level == Level::Manager)
    };
    let (Some(cio), Some(vp)) = (account(it, "it_leader"), account(sales, "business_leader"))
    else {
        return Ok(());
    };
    let admin = users
        .iter()
        .find(|u| u.role.as_str() == "admin")
        .map_or(cio, |u| u.id);
    let today = Utc::now().date_naive();
    // IT broke three of its last four promises to Sales, all within the trust window.
    if let Some(promisor) = manager(it) {
        for (i, (text, kept)) in [
            ("Fix the CRM sync before the quarter-end push", false),
            ("Restore quote PDF discounts for dealer pricing", false),
            ("Give the field reps a VPN that survives hotel Wi-Fi", true),
            ("Deliver the pipeline export the VP asked for", false),
        ]
        .iter()
        .enumerate()
        {
            let lead = 14 + 3 * i as i64;
            let p = pr::insert_promise(
                db,
                cio,
                &promise(promisor, sales, text, today + Duration::days(lead)),
                today,
            )
            .await?;
            let late = if *kept { 9 } else { 4 };
            pr::close_promise(db, p.id, vp, *kept, today + Duration::days(lead + late)).await?;
            pr::shift_promise(db, p.id, 40 + 9 * i as i64).await?;
        }
    }
    // Business with business, everywhere but Finance.
    for (n, (from, to, text, on_time)) in BETWEEN.iter().enumerate() {
        let (Some(f), Some(t)) = (id(from), id(to)) else {
            continue;
        };
        let Some(promisor) = manager(f) else { continue };
        let lead = 10 + (n as i64 % 4) * 5;
        let p = pr::insert_promise(
            db,
            admin,
            &promise(promisor, t, text, today + Duration::days(lead)),
            today,
        )
        .await?;
        let answerer = users
            .iter()
            .find(|u| u.department_id == Some(t))
            .map_or(admin, |u| u.id);
        let closed = if *on_time { lead - 1 } else { lead + 6 };
        pr::close_promise(db, p.id, answerer, true, today + Duration::days(closed)).await?;
        pr::shift_promise(db, p.id, 30 + 17 * n as i64).await?;
    }
    // The same ask from two departments, this month.
    let member = users
        .iter()
        .find(|u| u.department_id == Some(cs) && u.role.as_str() == "member")
        .map_or(admin, |u| u.id);
    for (by, dept, title, affected) in [
        (
            vp,
            sales,
            "Customer churn dashboard for key accounts",
            "Account executives of the top 50 accounts",
        ),
        (
            member,
            cs,
            "Churn dashboard for key account customers",
            "Contact-centre team leads",
        ),
    ] {
        let input = RequestInput {
            title: title.to_string(),
            problem: "We only learn a key account is leaving when it has left; nothing shows the early signs in one place.".into(),
            affected: affected.to_string(),
            desired_outcome: "We see which key accounts are at risk of leaving, early enough to act.".into(),
            department: dept,
            urgency: Urgency::Normal,
            date_needed: None,
        };
        let r = duet_store::requests::insert_request(db, by, &input).await?;
        duet_store::requests::shift_history(db, r.id, Duration::days(6)).await?;
    }
    // Accounting's requester escalates the latest decline that left them without an alternative.
    if let Some(accounting) = id("Accounting") {
        let filter = duet_store::requests::RequestFilter {
            department: Some(accounting),
            status: Some(duet_core::requests::Status::Declined),
            ..Default::default()
        };
        let page = duet_store::PageRequest {
            limit: 1,
            offset: 0,
        };
        if let Some(r) = duet_store::requests::list_requests(db, &filter, page)
            .await?
            .items
            .first()
        {
            duet_store::requests::escalate(
                db,
                r.id,
                r.requester_id,
                "This was declined with nothing we could use instead, and the month-end close still depends on it. Please look at it again with us.",
                today,
            )
            .await?;
        }
    }
    // Leaders' views: IT thinks Sales is happy; Sales is not.
    views::judge(
        db,
        sales,
        cio,
        4,
        Some("trusted_advisor"),
        "Sales get what they ask for, and their VP signs every review record with us.",
    )
    .await?;
    views::judge(
        db,
        sales,
        vp,
        2,
        Some("order_taker"),
        "We ask, IT delivers late, and nobody asks what we are trying to achieve this quarter.",
    )
    .await?;
    // The thresholds have a history.
    let half: Vec<views::NewThresholds> = duet_core::relationships::PULSE_SIGNALS
        .iter()
        .map(|(k, _)| {
            let t = duet_core::relationships::thresholds(*k);
            views::NewThresholds {
                signal: k.as_str().to_string(),
                healthy: t.healthy,
                concerning: t.concerning,
                min_evidence: t.min_evidence,
                weight: 0.5,
            }
        })
        .collect();
    views::set_thresholds(
        db,
        &half,
        admin,
        "Four pulse pillars would otherwise outweigh the seven signals from records",
    )
    .await?;
    tracing::info!("demo relationship plants seeded");
    Ok(())
}

fn promise(
    promisor: &org::Person,
    promisee: i64,
    text: &str,
    due: chrono::NaiveDate,
) -> PromiseInput {
    PromiseInput {
        promisor: promisor.id,
        promisee_department: promisee,
        level: promisor.level,
        text: text.to_string(),
        due_on: due,
        source: PromiseSource::Manual,
        source_id: None,
    }
}
