//! The demo's trust ledger: a year of promises between IT and every business department, in
//! both directions and at every level, kept, kept late, broken, renegotiated or still open, so
//! the trust page tells a believable story (IT keeps its word with Sales, struggles with
//! Marketing; Finance is late with IT more often than not).

use chrono::{Duration, Utc};
use duet_core::org::{DepartmentKind, Level};
use duet_core::promises::{PromiseInput, PromiseSource};
use duet_store::accounts;
use duet_store::org::{self, Person};
use duet_store::promises as pr;
use duet_store::{Db, PageRequest};

/// What IT promises business departments.
const IT_PROMISES: &[&str] = &[
    "Restore the shared drive permissions for the team",
    "Deliver the monthly report export from the CRM",
    "Replace the failing laptops on the floor",
    "Give the team read access to the data warehouse",
    "Fix single sign-on for the new starters",
    "Publish the outage post-mortem and its actions",
    "Set up the new hires' accounts before their first day",
    "Upgrade the meeting-room screens",
    "Run the phishing training for the whole department",
    "Move the team's files off the old server",
];

/// What business departments promise IT.
const BUSINESS_PROMISES: &[&str] = &[
    "Name a key user for the system upgrade",
    "Send the list of fields the new form needs",
    "Test the release candidate before Friday",
    "Retire the unapproved file-sharing tool",
    "Give two hours a week to the requirements workshops",
    "Approve the access review for the department",
    "Join the monthly review with the numbers ready",
    "Confirm which reports can be switched off",
];

/// How an IT → department relationship tends to go: (kept on time, kept late, broken) out of 10.
fn it_reliability(dept: &str) -> (u64, u64, u64) {
    match dept {
        "Sales" | "Finance" => (8, 1, 1),
        "Marketing" => (3, 3, 4),
        "Customer Service" => (6, 2, 2),
        _ => (6, 3, 1),
    }
}

/// How a department → IT relationship tends to go.
fn business_reliability(dept: &str) -> (u64, u64, u64) {
    match dept {
        "Finance" => (3, 6, 1),
        "Sales" => (5, 2, 3),
        "Operations" => (8, 1, 1),
        _ => (6, 2, 2),
    }
}

/// Seeds the ledger unless promises already exist.
pub async fn seed_promises(db: &Db) -> anyhow::Result<()> {
    if pr::list_promises(
        db,
        &pr::PromiseFilter::default(),
        PageRequest::new(Some(1), None),
    )
    .await?
    .total
        > 0
    {
        return Ok(());
    }
    let departments = org::list_departments(db, false).await?;
    let people = org::all_people(db).await?;
    let users = accounts::list_users(db).await?;
    let Some(it) = departments.iter().find(|d| d.kind == DepartmentKind::It) else {
        return Ok(());
    };
    // Who records and who answers: an account in the department when there is one.
    let account_in = |dept: i64| {
        users
            .iter()
            .find(|u| u.department_id == Some(dept) && u.disabled_at.is_none())
            .map(|u| u.id)
    };
    let Some(recorder) = account_in(it.id).or_else(|| users.first().map(|u| u.id)) else {
        return Ok(());
    };
    let mut seed = 0x5851_f42d_4c95_7f2du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    };
    let today = Utc::now().date_naive();
    let managers_of = |dept: i64| -> Vec<&Person> {
        people
            .iter()
            .filter(|p| p.department_id == dept && p.level != Level::Individual)
            .collect()
    };
    let it_people = managers_of(it.id);
    for dept in departments
        .iter()
        .filter(|d| d.kind == DepartmentKind::Business)
    {
        let dept_people = managers_of(dept.id);
        let (Some(dept_answerer), Some(it_answerer)) = (
            account_in(dept.id).or(Some(recorder)),
            account_in(it.id).or(Some(recorder)),
        ) else {
            continue;
        };
        for direction in [true, false] {
            let (promisors, promisee, texts, reliability, answerer) = if direction {
                (
                    &it_people,
                    dept.id,
                    IT_PROMISES,
                    it_reliability(&dept.name),
                    dept_answerer,
                )
            } else {
                (
                    &dept_people,
                    it.id,
                    BUSINESS_PROMISES,
                    business_reliability(&dept.name),
                    it_answerer,
                )
            };
            if promisors.is_empty() {
                continue;
            }
            for i in 0..9 {
                let promisor = promisors[(next(promisors.len() as u64)) as usize];
                let made_ago = 20 + next(340) as i64;
                let lead = 7 + next(38) as i64;
                let text = texts[(i + next(texts.len() as u64) as usize) % texts.len()];
                let due = today + Duration::days(lead);
                let input = PromiseInput {
                    promisor: promisor.id,
                    promisee_department: promisee,
                    level: promisor.level,
                    text: text.to_string(),
                    due_on: due,
                    source: if next(3) == 0 {
                        PromiseSource::Meeting
                    } else {
                        PromiseSource::Manual
                    },
                    source_id: None,
                };
                let p = pr::insert_promise(db, recorder, &input, today).await?;
                let days_after = |d: i64| today + Duration::days(d);
                let roll = next(10);
                let still_open = made_ago < lead + 5 && next(2) == 0;
                if !still_open {
                    if next(6) == 0 {
                        let new_due = due + Duration::days(7 + next(14) as i64);
                        let on = days_after(lead / 2);
                        pr::renegotiate(db, p.id, answerer, new_due, on, |_| Ok(())).await?;
                        pr::close_promise(db, p.id, answerer, true, new_due - Duration::days(1))
                            .await?;
                    } else if roll < reliability.0 {
                        pr::close_promise(
                            db,
                            p.id,
                            answerer,
                            true,
                            days_after(lead - next(5) as i64),
                        )
                        .await?;
                    } else if roll < reliability.0 + reliability.1 {
                        pr::close_promise(
                            db,
                            p.id,
                            answerer,
                            true,
                            days_after(lead + 2 + next(12) as i64),
                        )
                        .await?;
                    } else {
                        pr::close_promise(
                            db,
                            p.id,
                            answerer,
                            false,
                            days_after(lead + 3 + next(10) as i64),
                        )
                        .await?;
                    }
                }
                pr::shift_promise(db, p.id, made_ago).await?;
            }
        }
    }
    seed_home_promises(db, &people, recorder, today).await?;
    seed_history(db, &people, &departments, recorder, today).await?;
    tracing::info!("demo promises seeded");
    Ok(())
}

/// The ledger Harborvale kept in a spreadsheet before Duet, brought in with its original dates
/// (`duet import promises`): older than the trust window, so it shows the history without
/// moving today's trust.
async fn seed_history(
    db: &Db,
    people: &[Person],
    departments: &[org::Department],
    recorder: i64,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use duet_core::promises::{HistoricPromise, PromiseStatus};
    let it = departments.iter().find(|d| d.kind == DepartmentKind::It);
    let business: Vec<&org::Department> = departments
        .iter()
        .filter(|d| d.kind == DepartmentKind::Business)
        .collect();
    let Some(it) = it else {
        return Ok(());
    };
    if business.is_empty() {
        return Ok(());
    }
    let Some(it_person) = people
        .iter()
        .find(|p| p.department_id == it.id && p.level != Level::Individual)
    else {
        return Ok(());
    };
    const PAST: [(&str, i64, i64, Option<i64>, bool); 6] = [
        (
            "Move the shared drive to the document platform",
            540,
            510,
            Some(505),
            true,
        ),
        (
            "Single sign-on for the expenses tool",
            500,
            460,
            Some(475),
            true,
        ),
        (
            "Quarterly access review of the finance systems",
            470,
            440,
            Some(440),
            false,
        ),
        (
            "Replace the meeting-room screens on floor 2",
            430,
            400,
            Some(398),
            true,
        ),
        (
            "Nightly export of the CRM to the data warehouse",
            400,
            380,
            Some(392),
            true,
        ),
        (
            "Laptop refresh plan for the field sales team",
            380,
            350,
            Some(349),
            false,
        ),
    ];
    let mut rows = Vec::new();
    for (i, (text, made, due, closed, kept)) in PAST.iter().enumerate() {
        let dept = business[i % business.len()];
        let day = |ago: i64| today - Duration::days(ago);
        let status = match (closed, kept) {
            (None, _) => PromiseStatus::Open,
            (Some(_), true) => PromiseStatus::Kept,
            (Some(_), false) => PromiseStatus::Broken,
        };
        rows.push(HistoricPromise {
            line: i as u64 + 2,
            promisor_email: duet_core::org::Email::parse(&it_person.email)
                .map_err(|e| anyhow::anyhow!("{}", e.message))?,
            promisee_department: dept.name.clone(),
            text: (*text).to_string(),
            made_on: day(*made),
            due_on: day(*due),
            status,
            closed_on: closed.map(day),
        });
    }
    pr::import_history(
        db,
        recorder,
        "the spreadsheet ledger kept before Duet",
        &rows,
        |_| {},
    )
    .await?;
    Ok(())
}

/// A few promises that give the demo accounts something on their home page today: the CIO's
/// promise to Sales came due two days ago (Sales' VP judges it), and Sales' VP and Finance's CFO
/// each have a promise to IT coming due.
async fn seed_home_promises(
    db: &Db,
    people: &[Person],
    recorder: i64,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    let find = |email: &str| people.iter().find(|p| p.email == email);
    let (Some(cio), Some(vp_sales), Some(cfo)) = (
        find("priya.raman@harborvale.example"),
        find("daniel.obrien@harborvale.example"),
        find("meilin.chen@harborvale.example"),
    ) else {
        return Ok(());
    };
    let plan = [
        (
            cio,
            vp_sales.department_id,
            "Give Sales a single sign-on for the CRM and the quoting tool",
            12,
            14,
        ),
        (
            vp_sales,
            cio.department_id,
            "Name a Sales owner for every CRM data-quality rule",
            10,
            4,
        ),
        (
            cfo,
            cio.department_id,
            "Confirm the budget line for the rolling forecast platform",
            14,
            4,
        ),
    ];
    for (promisor, promisee, text, lead, made_ago) in plan {
        let input = PromiseInput {
            promisor: promisor.id,
            promisee_department: promisee,
            level: promisor.level,
            text: text.to_string(),
            due_on: today + Duration::days(lead),
            source: PromiseSource::Meeting,
            source_id: None,
        };
        let p = pr::insert_promise(db, recorder, &input, today).await?;
        pr::shift_promise(db, p.id, made_ago).await?;
    }
    Ok(())
}
