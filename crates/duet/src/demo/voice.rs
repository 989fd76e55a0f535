//! The demo's voice inbox: a dozen pain points in every state a pain point can be in (new,
//! answered, a conversation, published, turned into a request or a promise, closed). Seeded by
//! `demo::listen` after the campaigns.

use anyhow::anyhow;
use chrono::{Duration, NaiveDate};
use duet_core::auth::Role;
use duet_core::org::{DepartmentKind, Level};
use duet_core::promises::{PromiseInput, PromiseSource};
use duet_core::requests::{RequestInput, Urgency};
use duet_core::voice::new_receipt;
use duet_store::Db;
use duet_store::accounts::User;
use duet_store::org::{Department, Person};
use duet_store::promises as pr;
use duet_store::requests as rq;
use duet_store::voice;

use crate::demo::data::DataFile;

/// What became of a demo pain point.
#[derive(Debug, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Outcome {
    /// Nobody has answered yet.
    New,
    /// A triager answered in the thread.
    Reply { text: String },
    /// A triager answered, the author wrote back, the triager answered again.
    Conversation {
        reply: String,
        author: String,
        again: String,
    },
    /// An answer was published for everyone.
    Publish { answer: String },
    /// It became a request of the addressed department.
    Request {
        title: String,
        problem: String,
        affected: String,
        desired: String,
        urgency: Urgency,
        needed_in_days: Option<i64>,
    },
    /// It became a promise of a manager of the addressed department; with `kept_days_ago`, one
    /// kept that many days ago (so it shows in that month's edition as "you said, we did").
    Promise {
        text: String,
        due_in_days: i64,
        #[serde(default)]
        kept_days_ago: Option<i64>,
    },
    /// It was closed with a last word.
    Close { note: String },
}

/// One demo pain point: where it is addressed, how long ago it was posted, what it says.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PainSeed {
    department: String,
    days_ago: i64,
    text: String,
    outcome: Outcome,
}

/// The voice demo's content file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Content {
    pain_points: Vec<PainSeed>,
}

/// `demo-data/voice.toml`.
static CONTENT: DataFile<Content> =
    DataFile::new("voice.toml", include_str!("../../demo-data/voice.toml"));

/// Posts the demo pain points and plays out what became of each. Returns how many were posted
/// and the receipt code of the one with a conversation, so the author's view can be tried.
pub(super) async fn seed_voice(
    db: &Db,
    today: NaiveDate,
    departments: &[Department],
    people: &[Person],
    users: &[&User],
) -> anyhow::Result<(usize, Option<String>)> {
    let Some(it_id) = departments
        .iter()
        .find(|d| d.kind == DepartmentKind::It)
        .or(departments.first())
        .map(|d| d.id)
    else {
        return Ok((0, None));
    };
    let by_role = |role: Role| users.iter().find(|u| u.role == role).map(|u| u.id);
    let Some(fallback) = by_role(Role::ItLeader)
        .or_else(|| by_role(Role::Admin))
        .or_else(|| users.first().map(|u| u.id))
    else {
        return Ok((0, None));
    };
    // Who answers for a department: its leader or executive when they have an account, else IT.
    let triager = |dept: i64| {
        users
            .iter()
            .find(|u| {
                matches!(u.role, Role::BusinessLeader | Role::Executive)
                    && u.department_id == Some(dept)
            })
            .map(|u| u.id)
            .unwrap_or(fallback)
    };
    // Who raises a request for a department: its business leader, else the IT leader.
    let requester = |dept: i64| {
        users
            .iter()
            .find(|u| u.role == Role::BusinessLeader && u.department_id == Some(dept))
            .map(|u| u.id)
            .unwrap_or(fallback)
    };
    let mut posted = 0;
    let mut follow_up = None;
    for seed in &CONTENT.get()?.pain_points {
        let dept = departments
            .iter()
            .find(|d| d.name == seed.department)
            .map(|d| d.id)
            .unwrap_or(it_id);
        let on = today - Duration::days(seed.days_ago);
        let later = |days: i64| (on + Duration::days(days)).min(today);
        let (code, hash) = new_receipt()?;
        voice::post(db, dept, &seed.text, &hash, on).await?;
        let id = voice::by_receipt(db, &hash)
            .await?
            .ok_or_else(|| anyhow!("the demo pain point just posted was not found"))?
            .id;
        posted += 1;
        let who = triager(dept);
        match &seed.outcome {
            Outcome::New => {}
            Outcome::Reply { text } => voice::triager_reply(db, id, who, text, later(2)).await?,
            Outcome::Conversation {
                reply,
                author,
                again,
            } => {
                voice::triager_reply(db, id, who, reply, later(2)).await?;
                voice::author_reply(db, &hash, author, later(4)).await?;
                voice::triager_reply(db, id, who, again, later(7)).await?;
                follow_up = Some(code);
            }
            Outcome::Publish { answer } => voice::publish(db, id, who, answer, later(6)).await?,
            Outcome::Request {
                title,
                problem,
                affected,
                desired,
                urgency,
                needed_in_days,
            } => {
                let input = RequestInput {
                    title: title.clone(),
                    problem: problem.clone(),
                    affected: affected.clone(),
                    desired_outcome: desired.clone(),
                    department: dept,
                    urgency: *urgency,
                    date_needed: needed_in_days.map(|d| today + Duration::days(d)),
                };
                rq::insert_request_from_pain_point(db, requester(dept), &input, id, later(3))
                    .await?;
            }
            Outcome::Promise {
                text,
                due_in_days,
                kept_days_ago,
            } => {
                let promisee = if dept == it_id {
                    departments.iter().find(|d| d.id != dept).map(|d| d.id)
                } else {
                    Some(it_id)
                };
                let staff: Vec<&Person> =
                    people.iter().filter(|p| p.department_id == dept).collect();
                let promisor = staff
                    .iter()
                    .find(|p| p.level == Level::Manager)
                    .or(staff.first());
                if let (Some(promisor), Some(promisee)) = (promisor, promisee) {
                    let input = PromiseInput {
                        promisor: promisor.id,
                        promisee_department: promisee,
                        level: Level::Manager,
                        text: text.clone(),
                        due_on: today + Duration::days(*due_in_days),
                        source: PromiseSource::Manual,
                        source_id: None,
                    };
                    let p =
                        pr::insert_promise_from_pain_point(db, who, &input, id, later(3)).await?;
                    if let Some(k) = kept_days_ago {
                        pr::close_promise(db, p.id, who, true, today).await?;
                        pr::shift_promise(db, p.id, *k).await?;
                    }
                }
            }
            Outcome::Close { note } => voice::close(db, id, who, note, later(5)).await?,
        }
    }
    Ok((posted, follow_up))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_file_loads_with_every_outcome() {
        let c = CONTENT.get().unwrap();
        let has = |f: fn(&Outcome) -> bool| c.pain_points.iter().any(|p| f(&p.outcome));
        assert!(has(|o| matches!(o, Outcome::New)));
        assert!(has(|o| matches!(o, Outcome::Reply { .. })));
        assert!(has(|o| matches!(o, Outcome::Conversation { .. })));
        assert!(has(|o| matches!(o, Outcome::Publish { .. })));
        assert!(has(|o| matches!(o, Outcome::Request { .. })));
        assert!(has(|o| matches!(o, Outcome::Promise { .. })));
        assert!(has(|o| matches!(o, Outcome::Close { .. })));
    }
}
