//! The demo's past from before Duet, brought in the way a company would: the IT team's Jira
//! project exported as CSV (`duet import requests --format jira`) and the minutes folder of the
//! reviews held before (`duet import reviews`). Both go through the real parsers, so the demo
//! shows what an import gives: original dates, the old numbers, "imported from …".

use chrono::{Duration, NaiveDate};
use duet_core::auth::Role;
use duet_core::org::DepartmentKind;
use duet_store::{Db, accounts, org};

/// One of the Jira project's issues: summary, reporter's department, priority, status,
/// resolution, opened and resolved (days ago), description.
type JiraIssue = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    &'static str,
);

/// The Jira project's issues.
const JIRA: [JiraIssue; 10] = [
    (
        "Shared mailbox for customer complaints",
        "Customer Service",
        "High",
        "Done",
        "Done",
        690,
        Some(676),
        "Complaints arrive in five personal inboxes and some are lost when people are away",
    ),
    (
        "Quote template in the CRM",
        "Sales",
        "Medium",
        "Done",
        "Done",
        640,
        Some(601),
        "Every quote is retyped from a Word template; prices are wrong twice a month",
    ),
    (
        "Fax line for the warehouse",
        "Operations",
        "Low",
        "Done",
        "Won't Do",
        610,
        Some(603),
        "Two suppliers still send delivery notes by fax",
    ),
    (
        "VPN drops every hour on hotel Wi-Fi",
        "Sales",
        "Highest",
        "Done",
        "Done",
        580,
        Some(577),
        "The field team loses their session in the middle of customer calls",
    ),
    (
        "Month-end report takes three days",
        "Finance",
        "High",
        "Done",
        "Done",
        560,
        Some(470),
        "The close waits for a spreadsheet that is rebuilt by hand from four exports",
    ),
    (
        "Campaign landing pages without a developer",
        "Marketing",
        "Medium",
        "Done",
        "Done",
        530,
        Some(455),
        "Each landing page waits two weeks for a developer",
    ),
    (
        "Second screen for every accountant",
        "Accounting",
        "Low",
        "Done",
        "Duplicate",
        500,
        Some(498),
        "Reconciliations need two documents side by side",
    ),
    (
        "New starter accounts on day one",
        "Human Resources",
        "High",
        "Done",
        "Done",
        470,
        Some(430),
        "New starters wait up to a week for their accounts and laptop",
    ),
    (
        "Partner portal single sign-on",
        "Business Development",
        "Medium",
        "Done",
        "Done",
        440,
        Some(402),
        "Partners keep a separate password for the portal and call us to reset it",
    ),
    (
        "Barcode scanners for the returns desk",
        "Operations",
        "Medium",
        "Done",
        "Done",
        420,
        Some(385),
        "Returns are typed in by hand from the label",
    ),
];

/// Imports the Jira project's history (on a freshly seeded demo only).
pub async fn seed_requests_history(db: &Db, today: NaiveDate) -> anyhow::Result<()> {
    use duet_core::requests::history::{HistoryFormat, parse_history_csv};
    let Some(admin) = admin(db).await? else {
        return Ok(());
    };
    let people = org::all_people(db).await?;
    let departments = org::list_departments(db, false).await?;
    // A reporter whose full name no one else has, as Jira shows names rather than e-mails.
    let reporter = |dept: &str| {
        let d = departments.iter().find(|d| d.name == dept)?;
        people
            .iter()
            .filter(|p| p.department_id == d.id)
            .find(|p| people.iter().filter(|q| q.name == p.name).count() == 1)
            .map(|p| p.name.clone())
    };
    let jira_day = |ago: i64| {
        (today - Duration::days(ago))
            .format("%d/%b/%y 9:30 AM")
            .to_string()
    };
    let mut csv = String::from(
        "Summary,Issue key,Issue id,Issue Type,Status,Priority,Reporter,Created,Resolved,Resolution,Description\n",
    );
    for (i, (summary, dept, priority, status, resolution, opened, resolved, description)) in
        JIRA.iter().enumerate()
    {
        let Some(name) = reporter(dept) else {
            continue;
        };
        let number = 101 + i * 7;
        csv.push_str(&format!(
            "{summary},IT-{number},{},Task,{status},{priority},{name},{},{},{resolution},{description}\n",
            10000 + number,
            jira_day(*opened),
            resolved.map(jira_day).unwrap_or_default(),
        ));
    }
    let rows = parse_history_csv(csv.as_bytes(), HistoryFormat::Jira, today)
        .map_err(|e| anyhow::anyhow!("the demo's Jira export: {e:?}"))?;
    duet_store::requests::import_history(
        db,
        admin,
        "Jira (the IT project, before Duet)",
        &rows,
        |_| {},
    )
    .await?;
    Ok(())
}

/// Imports the minutes folder: the reviews held with three departments in the year before the
/// demo's own reviews begin (on a freshly seeded demo only).
pub async fn seed_reviews_history(db: &Db, today: NaiveDate) -> anyhow::Result<()> {
    let Some(admin) = admin(db).await? else {
        return Ok(());
    };
    let departments = org::list_departments(db, false).await?;
    let business = |name: &str| {
        departments
            .iter()
            .any(|d| d.name == name && d.kind == DepartmentKind::Business)
    };
    const MINUTES: [(&str, i64, &str, &str, &str); 6] = [
        (
            "Sales",
            560,
            "VP Sales, CIO, two account managers",
            "The quote template and the VPN on hotel Wi-Fi; the CRM roadmap",
            "Quote template in the CRM by the summer\nIT joins the sales kick-off",
        ),
        (
            "Sales",
            470,
            "VP Sales, CIO",
            "VPN fixed; quotes still retyped for bundles",
            "Bundles in the quote template",
        ),
        (
            "Finance",
            540,
            "CFO, CIO, financial controller",
            "Month-end close: four exports rebuilt by hand",
            "One month-end report from the ledger",
        ),
        (
            "Finance",
            450,
            "CFO, CIO",
            "Close down from three days to one",
            "",
        ),
        (
            "Operations",
            500,
            "Head of Operations, IT partner",
            "Fax line declined; scanners for the returns desk",
            "Scanners piloted on the returns desk",
        ),
        (
            "Operations",
            410,
            "Head of Operations, IT partner",
            "Scanners in use; returns typed in by hand no more",
            "",
        ),
    ];
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = String::from("department,held_on,minutes,attendees,notes,decisions\n");
    for (dept, ago, attendees, notes, decisions) in MINUTES {
        if !business(dept) {
            continue;
        }
        csv.push_str(&format!(
            "{dept},{},60,{},{},{}\n",
            today - Duration::days(ago),
            quote(attendees),
            quote(notes),
            quote(decisions)
        ));
    }
    let rows = duet_core::reviews::history::parse_history_csv(csv.as_bytes(), today)
        .map_err(|e| anyhow::anyhow!("the demo's minutes folder: {e:?}"))?;
    duet_store::reviews::import_history(
        db,
        admin,
        "the minutes folder kept before Duet",
        &rows,
        |_| {},
    )
    .await?;
    Ok(())
}

/// The admin account that records the demo's imports.
async fn admin(db: &Db) -> anyhow::Result<Option<i64>> {
    Ok(accounts::list_users(db)
        .await?
        .iter()
        .find(|u| u.role == Role::Admin)
        .map(|u| u.id))
}
