//! The demo's review history: a year of monthly IT–business reviews, held on working days and
//! mostly on time, with two departments that have slipped (so the dashboard has something to say),
//! signed records (attendees, notes, decisions) for the latest Sales and Finance reviews, and the
//! next reviews planned on the organisation calendar (never on a weekend or holiday, never after
//! the cadence's due date).

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use duet_core::Role;
use duet_core::reviews::{self as rules, Holiday};
use duet_core::time::Tz;
use duet_store::reviews as rv;
use duet_store::{Db, accounts, org};

/// The latest working day on or before `d`.
fn working_day_on_or_before(mut d: NaiveDate, holidays: &[Holiday]) -> NaiveDate {
    for _ in 0..30 {
        if rules::is_working_day(d, holidays) {
            break;
        }
        d -= Duration::days(1);
    }
    d
}

/// What was said at the signed demo reviews: (department, notes, metric feedback, decisions).
const RECORDS: [(&str, &str, &str, [&str; 2]); 2] = [
    (
        "Sales",
        "The good: the CRM stayed up through the quarter-end rush.\nThe bad: quotes still take two days; three systems are involved.\nThe ugly: a lost deal traced to a price list that was a week old.",
        "The pipeline report is trusted now; quote turnaround is not measured yet — it should be.",
        [
            "IT measures quote turnaround from the next month on.",
            "Sales names one owner for price lists; IT publishes them on the day they change.",
        ],
    ),
    (
        "Finance",
        "The good: month-end close ran a day faster.\nThe bad: two reconciliations still need spreadsheets.\nThe ugly: a supplier payment went twice after a batch was re-run.",
        "Close duration is the metric Finance watches; payment errors belong in the pack.",
        [
            "IT adds a duplicate check to payment batches before the next run.",
            "Finance and IT review the remaining spreadsheets together in the next review.",
        ],
    ),
];

/// Seeds reviews unless some exist; times are set in the organisation's zone `tz`.
pub async fn seed_reviews(db: &Db, tz: Tz) -> anyhow::Result<()> {
    if !rv::list(db, None, 1).await?.is_empty() {
        return Ok(());
    }
    let users = accounts::list_users(db).await?;
    let Some(organizer) = users
        .iter()
        .find(|u| u.role == Role::ItLeader)
        .or_else(|| users.first())
        .map(|u| u.id)
    else {
        return Ok(());
    };
    let holidays: Vec<Holiday> = rv::holidays(db)
        .await?
        .into_iter()
        .map(|h| h.holiday)
        .collect();
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let two_pm = NaiveTime::from_hms_opt(14, 0, 0).unwrap_or_default();
    let cadence = rv::cadence_rows(db).await?;
    for (k, d) in org::list_departments(db, false)
        .await?
        .iter()
        .filter(|d| d.kind == duet_core::org::DepartmentKind::Business)
        .enumerate()
    {
        // Marketing last met 47 days ago; Human Resources has slipped for ten weeks.
        let last_ago: i64 = match d.name.as_str() {
            "Marketing" => 47,
            "Human Resources" => 70,
            _ => 5 + (k as i64 * 3) % 20,
        };
        let mut latest: Option<(i64, NaiveDate, chrono::DateTime<Utc>)> = None;
        for month in (0..12).rev() {
            let ago = last_ago + month * 30;
            if ago > 365 {
                continue;
            }
            let day = working_day_on_or_before(today - Duration::days(ago), &holidays);
            let start = duet_core::time::from_local(day.and_time(two_pm), tz);
            let r = rv::schedule(db, d.id, start, 60, organizer).await?;
            rv::mark_held(db, r.id, day, now).await?;
            latest = Some((r.id, day, start));
        }
        let Some((last_id, last_day, last_start)) = latest else {
            continue;
        };
        if !matches!(d.name.as_str(), "Marketing" | "Human Resources") {
            let next = rules::plan_next_review(last_day, 30, last_start, tz, &holidays, now);
            rv::schedule(db, d.id, next, 60, organizer).await?;
        }
        // The latest Sales and Finance reviews have records both leaders signed.
        let Some((_, notes, feedback, decisions)) =
            RECORDS.iter().find(|(name, ..)| *name == d.name)
        else {
            continue;
        };
        let business_signer = users.iter().find(|u| {
            u.department_id == Some(d.id)
                && matches!(u.role, Role::BusinessLeader | Role::Executive)
        });
        let row = cadence.iter().find(|c| c.department_id == d.id);
        let attendees = [
            row.and_then(|c| c.leader_name.clone()),
            row.and_then(|c| c.partner_name.clone()),
            users
                .iter()
                .find(|u| u.id == organizer)
                .map(|u| u.name.clone()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let agenda = format!(
            "The good\n- What went well for {name} since the last review\nThe bad\n- Quotes and reconciliations that still take days\nThe ugly\n- The incident of the month\nMetrics\n- The pack {name} cares about first\nOpen requests and promises\n- Both ways",
            name = d.name
        );
        rv::save_record(db, last_id, &agenda, &attendees, notes, feedback).await?;
        for text in decisions {
            rv::add_decision(db, last_id, text, None, organizer).await?;
        }
        if let Some(b) = business_signer {
            // How the meeting felt: businesslike to IT and tense to Sales (the broken trust shows
            // between people too); friendly to both sides at Finance.
            use duet_core::reviews::Tone;
            let (it_tone, their_tone) = if d.name == "Sales" {
                (Tone::Businesslike, Tone::Tense)
            } else {
                (Tone::Friendly, Tone::Friendly)
            };
            rv::sign_with_tone(db, last_id, true, organizer, Some(it_tone)).await?;
            rv::sign_with_tone(db, last_id, false, b.id, Some(their_tone)).await?;
        }
    }
    super::history::seed_reviews_history(db, today).await?;
    tracing::info!("demo reviews seeded");
    Ok(())
}
