//! The demo's review history: a year of monthly IT–business reviews, mostly on time, with two
//! departments that have slipped (so the dashboard has something to say) and the next ones planned.

use chrono::{Duration, Timelike, Utc};
use duet_core::Role;
use duet_store::reviews as rv;
use duet_store::{Db, accounts, org};

/// Seeds reviews unless some exist.
pub async fn seed_reviews(db: &Db) -> anyhow::Result<()> {
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
    let now = Utc::now();
    let base = now
        .with_hour(14)
        .and_then(|t| t.with_minute(0))
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now);
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
        for month in 0..12 {
            let ago = last_ago + month * 30;
            if ago > 365 {
                break;
            }
            let r = rv::schedule(db, d.id, base, 60, organizer).await?;
            rv::mark_held(db, r.id, base.date_naive()).await?;
            rv::shift(db, r.id, ago).await?;
        }
        if !matches!(d.name.as_str(), "Marketing" | "Human Resources") {
            rv::schedule(
                db,
                d.id,
                base + Duration::days(30 - last_ago + 1),
                60,
                organizer,
            )
            .await?;
        }
    }
    tracing::info!("demo reviews seeded");
    Ok(())
}
