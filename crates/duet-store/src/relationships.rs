//! See: the reads behind a relationship's signals that no other area makes — how fast IT first
//! answers each department's requests, how its declines end, and how pain points addressed to it
//! are answered — as dated rows, so the same rows give a signal now and its trend — and the
//! early warnings and the plan against them. Versioned thresholds and leaders' own views are in
//! [`views`].

pub mod views;

use crate::{Db, Result};
use chrono::{DateTime, NaiveDate, Utc};

/// Each request IT first answered since `since`: (requesting department, when it was asked, its
/// wait for that first response in days, fractional). The signal reads the last 12 months of
/// it, its trend the months before too.
pub async fn response_days(
    db: &Db,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, DateTime<Utc>, f64)>> {
    let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = on_db!(db, |pool| sqlx::query_as(
        "select department_id, created_at, first_response_at from requests
         where created_at >= $1 and first_response_at is not null"
    )
    .bind(since)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(d, asked, answered)| {
            let secs = (answered - asked).num_seconds().max(0) as f64;
            (d, asked, secs / 86_400.0)
        })
        .collect())
}

/// Each request declined since `since`: (requesting department, when it was decided, whether an
/// offered alternative was taken up by the requester).
pub async fn declines(db: &Db, since: DateTime<Utc>) -> Result<Vec<(i64, DateTime<Utc>, bool)>> {
    let rows: Vec<(i64, DateTime<Utc>, i32)> = on_db!(db, |pool| sqlx::query_as(
        "select r.department_id, r.decided_at,
             case when exists (select 1 from request_alternatives a
                               where a.request_id = r.id and a.taken_up) then 1 else 0 end
         from requests r
         where r.status = 'declined' and r.decided_at >= $1"
    )
    .bind(since)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(d, on, up)| (d, on, up != 0))
        .collect())
}

/// Each pain point posted since `since`: (department addressed, the day it was posted, whether
/// it was answered — anything but still new).
pub async fn voice(db: &Db, since: NaiveDate) -> Result<Vec<(i64, NaiveDate, bool)>> {
    let rows: Vec<(i64, NaiveDate, i32)> = on_db!(db, |pool| sqlx::query_as(
        "select department_id, posted_on, case when status <> 'new' then 1 else 0 end
         from pain_points where posted_on >= $1"
    )
    .bind(since)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(d, on, a)| (d, on, a != 0)).collect())
}

/// Every review held: (department, the day it was held), oldest first. The trend of "review
/// kept" replays the cadence at each month's end from these.
pub async fn held_reviews(db: &Db) -> Result<Vec<(i64, NaiveDate)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select department_id, held_on from reviews
         where status = 'held' and held_on is not null order by held_on"
    )
    .fetch_all(pool)
    .await)?)
}

/// The tones leaders gave the review meetings they signed since `since` (see
/// `duet_core::reviews::Tone`): (department, IT's tone, the business side's tone), oldest first.
pub async fn review_tones(
    db: &Db,
    since: NaiveDate,
) -> Result<Vec<(i64, Option<String>, Option<String>)>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "select r.department_id, rr.it_tone, rr.business_tone from review_records rr join reviews r on r.id = rr.review_id
         where r.held_on >= $1 and (rr.it_tone is not null or rr.business_tone is not null) order by r.held_on"
    )
    .bind(since)
    .fetch_all(pool)
    .await
    })?)
}

/// An early warning on a relationship.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Warning {
    /// Id.
    pub id: i64,
    /// The business department of the pair (the other side is IT).
    pub department_id: i64,
    /// What raised it: the wire name of a `SignalKind` that turned poor, `falling:{signal}`,
    /// `rising:voice`, `quiet` (no interaction for a quarter) or `perception` (the mirror survey:
    /// IT a point or more wrong about how the department rates the relationship).
    pub signal: String,
    /// Why, in words, as it stood when raised.
    pub reason: String,
    /// The page with the evidence.
    pub evidence_href: String,
    /// When it was raised.
    pub raised_at: DateTime<Utc>,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who did.
    pub acknowledged_by: Option<i64>,
    /// Their note.
    pub note: Option<String>,
    /// When the signal recovered and it cleared itself.
    pub cleared_at: Option<DateTime<Utc>>,
}

const WARNING: &str = "select id, department_id, signal, reason, evidence_href, raised_at,
    acknowledged_at, acknowledged_by, note, cleared_at from relationship_warnings";

/// Open warnings of every pair, oldest first.
pub async fn open_warnings(db: &Db) -> Result<Vec<Warning>> {
    let sql = format!("{WARNING} where cleared_at is null order by id");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Warning>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_all(pool)
    .await)?)
}

/// One pair's warnings, open first then the 20 last cleared.
pub async fn warnings_of(db: &Db, department: i64) -> Result<Vec<Warning>> {
    let sql = format!(
        "{WARNING} where department_id = $1 order by cleared_at is not null, id desc limit 40"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Warning>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(department)
    .fetch_all(pool)
    .await)?)
}

/// A warning to raise.
#[derive(Debug, Clone)]
pub struct Raise {
    /// The business department of the pair.
    pub department_id: i64,
    /// Its name (for the notice).
    pub department_name: String,
    /// The signal that is poor.
    pub signal: String,
    /// Why, in words.
    pub reason: String,
    /// The page with the evidence.
    pub href: String,
}

/// Raises the warnings in `raise` that are not open yet, each with a notice to the accounts
/// of its pair's leaders (the department's leader, IT's leaders, the department's IT partner),
/// and clears the open ones whose (department, signal) is not in `poor`; one transaction.
/// Returns (raised, cleared). Safe on several replicas at once: one open warning per pair and
/// signal (a unique index), and only a warning actually inserted sends its notices.
pub async fn sync_warnings(
    db: &Db,
    raise: &[Raise],
    poor: &[(i64, String)],
    it_department: i64,
    now: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let open = open_warnings(db).await?;
    let new: Vec<&Raise> = raise
        .iter()
        .filter(|r| {
            !open
                .iter()
                .any(|w| w.department_id == r.department_id && w.signal == r.signal)
        })
        .collect();
    let gone: Vec<&Warning> = open
        .iter()
        .filter(|w| {
            !poor
                .iter()
                .any(|(d, s)| *d == w.department_id && *s == w.signal)
        })
        .collect();
    if new.is_empty() && gone.is_empty() {
        return Ok((0, 0));
    }
    let mut tx = db.begin_write().await?;
    let mut raised = 0;
    for r in new {
        let (dept, signal, reason, href) = (r.department_id, &r.signal, &r.reason, &r.href);
        let inserted: Option<(i64,)> = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into relationship_warnings (department_id, signal, reason, evidence_href, raised_at)
             values ($1, $2, $3, $4, $5) on conflict do nothing returning id"
        )
        .bind(dept)
        .bind(signal)
        .bind(reason)
        .bind(href)
        .bind(now)
        .fetch_optional(c)
        .await
        })?;
        if inserted.is_none() {
            continue;
        }
        raised += 1;
        on_db!(tx, |c| sqlx::query(
            "insert into notifications (user_id, request_id, message, created_at, kind)
             select u.id, null, $1, $2, 'relationship' from users u
             where u.disabled_at is null and (u.role = 'it_leader' or u.person_id in
                 (select leader_id from departments where id in ($3, $4)
                  union select it_partner_id from departments where id = $3))"
        )
        .bind(format!(
            "Early warning on IT × {}: {reason}. /relationships/{dept}",
            r.department_name
        ))
        .bind(now)
        .bind(dept)
        .bind(it_department)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let mut cleared = 0;
    for w in gone {
        cleared += on_db!(tx, |c| {
            sqlx::query(
            "update relationship_warnings set cleared_at = $1 where id = $2 and cleared_at is null"
        )
        .bind(now)
        .bind(w.id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok((raised, cleared))
}

/// Acknowledges an open warning of `department` with a note; 404 for another pair's or an
/// unknown warning, 409 once cleared or acknowledged.
pub async fn acknowledge(
    db: &Db,
    department: i64,
    id: i64,
    by: i64,
    note: &str,
) -> Result<Warning> {
    let now = Utc::now();
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| {
            sqlx::query(
            "update relationship_warnings set acknowledged_at = $1, acknowledged_by = $2, note = $3
             where id = $4 and department_id = $5 and cleared_at is null and acknowledged_at is null"
        )
        .bind(now)
        .bind(by)
        .bind(note)
        .bind(id)
        .bind(department)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?
    };
    let sql = format!("{WARNING} where id = $1 and department_id = $2");
    let w = on_db!(db, |pool| sqlx::query_as::<_, Warning>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .bind(department)
    .fetch_optional(pool)
    .await)?
    .ok_or(crate::StoreError::NotFound("warning"))?;
    if n == 0 {
        return Err(crate::StoreError::Conflict(duet_core::FieldError::new(
            "warning",
            if w.cleared_at.is_some() {
                "this warning cleared itself: the signal recovered"
            } else {
                "this warning was already acknowledged"
            },
        )));
    }
    Ok(w)
}

/// An action planned against a warning: a promise of the ledger.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Action {
    /// The warning it answers.
    pub warning_id: i64,
    /// The promise (its page is `/promises/{id}`).
    pub promise_id: i64,
    /// What was promised.
    pub text: String,
    /// Who owns it.
    pub promisor_name: String,
    /// When it is due.
    pub due_on: NaiveDate,
    /// open, kept or broken.
    pub status: String,
}

/// The actions planned against `department`'s warnings, oldest first.
pub async fn actions_of(db: &Db, department: i64) -> Result<Vec<Action>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Action>(
        "select a.warning_id, p.id as promise_id, p.text, pe.name as promisor_name, p.due_on, p.status
         from relationship_actions a
         join relationship_warnings w on w.id = a.warning_id
         join promises p on p.id = a.promise_id
         join people pe on pe.id = p.promisor_person_id
         where w.department_id = $1 order by a.created_at, p.id"
    )
    .bind(department)
    .fetch_all(pool)
    .await
    })?)
}

/// Plans an action against an open warning of `department`: the promise is recorded and linked
/// in one transaction. 404 for another pair's or an unknown warning, 409 once it cleared.
pub async fn plan_action(
    db: &Db,
    department: i64,
    warning: i64,
    by: i64,
    input: &duet_core::promises::PromiseInput,
    today: NaiveDate,
) -> Result<crate::promises::Promise> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let row: Option<(Option<DateTime<Utc>>,)> = on_db!(tx, |c| sqlx::query_as(
        "select cleared_at from relationship_warnings where id = $1 and department_id = $2"
    )
    .bind(warning)
    .bind(department)
    .fetch_optional(c)
    .await)?;
    match row {
        None => return Err(crate::StoreError::NotFound("warning")),
        Some((Some(_),)) => {
            return Err(crate::StoreError::Conflict(duet_core::FieldError::new(
                "warning",
                "this warning cleared itself: the signal recovered",
            )));
        }
        Some((None,)) => {}
    }
    let id = crate::promises::insert_promise_in_tx(&mut tx, by, input, today, now).await?;
    on_db!(tx, |c| sqlx::query(
        "insert into relationship_actions (warning_id, promise_id, created_at) values ($1, $2, $3)"
    )
    .bind(warning)
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    crate::promises::find_promise(db, id).await
}

/// What passed between departments since a moment: the raw counts behind the interaction map
/// and the power dynamics of each pair.
#[derive(Debug, Clone, Default)]
pub struct Interactions {
    /// Per requesting department: (asked, decided, declined).
    pub requests: Vec<(i64, i64, i64, i64)>,
    /// Per (promisor department, promisee department): promises made.
    pub promises: Vec<(i64, i64, i64)>,
    /// Per department: (reviews held, of which organised by someone of IT).
    pub reviews: Vec<(i64, i64, i64)>,
}

/// Counts requests, promises and reviews held since `since` (requests asked and promises made
/// since then, reviews held on or after its day), grouped in SQL.
pub async fn interactions(db: &Db, since: DateTime<Utc>) -> Result<Interactions> {
    let day = since.date_naive();
    Ok(on_db!(db, |pool| {
        let requests = sqlx::query_as(
            "select department_id, count(*),
                 sum(case when decided_at is not null then 1 else 0 end),
                 sum(case when status = 'declined' then 1 else 0 end)
             from requests where created_at >= $1 group by department_id order by department_id",
        )
        .bind(since)
        .fetch_all(pool)
        .await?;
        let promises = sqlx::query_as(
            "select promisor_department_id, promisee_department_id, count(*) from promises
             where created_at >= $1 and promisor_department_id <> promisee_department_id
             group by promisor_department_id, promisee_department_id
             order by promisor_department_id, promisee_department_id",
        )
        .bind(since)
        .fetch_all(pool)
        .await?;
        let reviews = sqlx::query_as(
            "select r.department_id, count(*),
                 sum(case when d.kind = 'it' then 1 else 0 end)
             from reviews r join users u on u.id = r.organizer_id
             left join people p on p.id = u.person_id
             left join departments d on d.id = p.department_id
             where r.status = 'held' and r.held_on >= $1
             group by r.department_id order by r.department_id",
        )
        .bind(day)
        .fetch_all(pool)
        .await?;
        Ok::<_, sqlx::Error>(Interactions {
            requests,
            promises,
            reviews,
        })
    })?)
}

/// The requests asked since `since` (id, department, title), newest first, at most `limit`:
/// what the overlap finder compares across departments.
pub async fn request_titles(
    db: &Db,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(i64, i64, String)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select id, department_id, title from requests where created_at >= $1
         order by created_at desc, id desc limit $2"
    )
    .bind(since)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}
