//! Requests: the intake, their timeline and notifications, business cases and sign-offs, IT
//! teams and their figures. Goals, weights, settings and the portfolio's rows are in
//! `portfolio`.
//!
//! Every change to a request is one transaction that also writes its timeline event and notifies
//! the people following it (the requester, and the champion once there is one).

use crate::db::{WriteTx, bump_revision};
use crate::{Db, Page, PageRequest, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::finance::{BusinessCase, CashFlow, FlowKind, Money};
use duet_core::requests::{Decision, Lane, RequestInput, Risk, Status, Urgency};

/// A request with the names a page needs.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Request {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// The problem in the requester's words.
    pub problem: String,
    /// Who is affected.
    pub affected: String,
    /// Desired outcome.
    pub desired_outcome: String,
    /// Requesting department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Requesting account.
    pub requester_id: i64,
    /// Requester's name.
    pub requester_name: String,
    /// Urgency.
    #[sqlx(try_from = "String")]
    pub urgency: Urgency,
    /// Date needed.
    pub date_needed: Option<NaiveDate>,
    /// Lane.
    #[sqlx(try_from = "String")]
    pub lane: Lane,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: Status,
    /// Assigned IT team.
    pub it_team_id: Option<i64>,
    /// Its name.
    pub it_team_name: Option<String>,
    /// IT's statement of the need (or the requester's correction).
    pub need_statement: Option<String>,
    /// Who wrote the current statement.
    pub need_by: Option<i64>,
    /// When IT recorded an attempt to reach the requester.
    pub need_attempt_on: Option<NaiveDate>,
    /// When the requester confirmed the need.
    pub need_confirmed_at: Option<DateTime<Utc>>,
    /// IT's first response.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Decision note.
    pub decision_note: Option<String>,
    /// Decline reason (wire name).
    pub decline_reason: Option<String>,
    /// Deferred until.
    pub deferred_until: Option<NaiveDate>,
    /// Security risk named by a security decline.
    pub security_risk: Option<String>,
    /// What would make a security decline a yes.
    pub security_yes_if: Option<String>,
    /// Executive champion.
    pub champion_id: Option<i64>,
    /// Champion's name.
    pub champion_name: Option<String>,
    /// An admin allowed the requester to champion it.
    pub self_champion_allowed: bool,
    /// Delivery risk.
    #[sqlx(try_from = "String")]
    pub risk: Risk,
    /// Estimated effort.
    pub person_days: Option<i64>,
    /// Submitted.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Where an imported request came from ("ServiceNow"); none for one made in Duet.
    pub imported_from: Option<String>,
    /// Its number in that tool (`RITM0010023`, `IT-142`).
    pub external_ref: Option<String>,
}

macro_rules! request_sql {
    ($($tail:tt)*) => {
        concat!(
            "select r.id, r.title, r.problem, r.affected, r.desired_outcome, r.department_id, d.name as department_name,
                r.requester_id, u.name as requester_name, r.urgency, r.date_needed, r.lane, r.status, r.it_team_id,
                t.name as it_team_name, r.need_statement, r.need_by, r.need_attempt_on, r.need_confirmed_at,
                r.first_response_at, r.decided_at, r.decision_note, r.decline_reason, r.deferred_until,
                r.security_risk, r.security_yes_if, r.champion_id, c.name as champion_name, r.self_champion_allowed,
                r.risk, r.person_days, r.created_at, r.updated_at, r.imported_from, r.external_ref
             from requests r
             join departments d on d.id = r.department_id
             join users u on u.id = r.requester_id
             left join users c on c.id = r.champion_id
             left join it_teams t on t.id = r.it_team_id ",
            $($tail)*
        )
    };
}

/// A safe alternative offered with a decline.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AlternativeRow {
    /// Id.
    pub id: i64,
    /// Kind (wire name).
    pub kind: String,
    /// What is offered.
    pub description: String,
    /// Whether the requester took it up (unknown until they say).
    pub taken_up: Option<bool>,
}

/// One line of a request's timeline.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Event {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none for Duet itself).
    pub actor_name: Option<String>,
    /// What kind of step.
    pub kind: String,
    /// What happened, in words.
    pub detail: String,
}

/// A message in someone's Duet inbox.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// The request it is about.
    pub request_id: Option<i64>,
    /// The message.
    pub message: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When read.
    pub read_at: Option<DateTime<Utc>>,
}

/// Inserts one line of a request's timeline (without notifying anyone; see [`record_event`]).
async fn insert_event(
    tx: &mut WriteTx,
    request: i64,
    actor: Option<i64>,
    kind: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_db!(tx, |c| {
        sqlx::query(
        "insert into request_events (request_id, at, actor_id, kind, detail) values ($1, $2, $3, $4, $5)",
    )
    .bind(request)
    .bind(now)
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Inserts the event and notifies the followers (requester and champion) other than the actor.
async fn record_event(
    tx: &mut WriteTx,
    request: i64,
    actor: Option<i64>,
    kind: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    insert_event(tx, request, actor, kind, detail, now).await?;
    on_db!(tx, |c| {
        sqlx::query(
        "insert into notifications (user_id, request_id, message, created_at, kind)
         select f.user_id, r.id, r.title || ': ' || $2, $3, $5
         from requests r
         join (select requester_id as user_id, id from requests where id = $1
               union select champion_id, id from requests where id = $1 and champion_id is not null) f on f.id = r.id
         where r.id = $1 and ($4 is null or f.user_id <> $4)",
    )
    .bind(request)
    .bind(detail)
    .bind(now)
    .bind(actor)
    .bind(duet_core::mail::request_notice(kind).as_str())
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What a write needs to know of the request it locked.
struct Locked {
    status: Status,
    lane: Lane,
    requester: i64,
    champion: Option<i64>,
}

/// Locks the request row for the rest of the transaction and returns its status, lane, requester
/// and champion (404 when missing).
async fn lock_request(tx: &mut WriteTx, id: i64) -> Result<Locked> {
    let row: Option<(String, String, i64, Option<i64>)> = match tx.backend() {
        crate::Backend::Postgres => on_db!(tx, |c| {
            sqlx::query_as(
            "select status, lane, requester_id, champion_id from requests where id = $1 for update",
        )
        .bind(id)
        .fetch_optional(c)
        .await
        })?,
        // SQLite's BEGIN IMMEDIATE already holds the database's write lock.
        crate::Backend::Sqlite => on_db!(tx, |c| sqlx::query_as(
            "select status, lane, requester_id, champion_id from requests where id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await)?,
    };
    let Some((status, lane, requester, champion)) = row else {
        return Err(StoreError::NotFound("request"));
    };
    Ok(Locked {
        status: status.parse().map_err(StoreError::Invalid)?,
        lane: lane.parse().map_err(StoreError::Invalid)?,
        requester,
        champion,
    })
}

/// One request.
pub async fn find_request(db: &Db, id: i64) -> Result<Request> {
    const SQL: &str = request_sql!("where r.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Request>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?
    .ok_or(StoreError::NotFound("request"))
}

/// The timeline of a request, oldest first.
pub async fn events(db: &Db, request: i64) -> Result<Vec<Event>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Event>(
        "select e.at, u.name as actor_name, e.kind, e.detail from request_events e left join users u on u.id = e.actor_id
         where e.request_id = $1 order by e.id",
    ).bind(request).fetch_all(pool).await
    })?)
}

/// The alternatives offered with a decline.
pub async fn alternatives(db: &Db, request: i64) -> Result<Vec<AlternativeRow>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, AlternativeRow>(
        "select id, kind, description, taken_up from request_alternatives where request_id = $1 order by id",
    ).bind(request).fetch_all(pool).await
    })?)
}

/// A request's own timestamps: created, first response, confirmed, decided, updated.
#[cfg(feature = "demo")]
type RequestTimes = (
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

/// Moves a request's whole history `back` into the past (submission, responses, decision,
/// timeline, notifications, sign-offs). Only the demo uses it, to give a new organisation a
/// believable past; nothing in the product rewrites history.
#[cfg(feature = "demo")]
pub async fn shift_history(db: &Db, id: i64, back: chrono::Duration) -> Result<()> {
    let mut tx = db.begin_write().await?;
    {
        let (created, first, confirmed, decided, updated): RequestTimes =
            on_db!(tx, |c| sqlx::query_as("select created_at, first_response_at, need_confirmed_at, decided_at, updated_at from requests where id = $1")
                .bind(id).fetch_optional(c).await)?.ok_or(StoreError::NotFound("request"))?;
        let (attempt,): (Option<NaiveDate>,) = on_db!(tx, |c| sqlx::query_as(
            "select need_attempt_on from requests where id = $1"
        )
        .bind(id)
        .fetch_one(c)
        .await)?;
        on_db!(tx, |c| {
            sqlx::query("update requests set created_at = $1, first_response_at = $2, need_confirmed_at = $3, decided_at = $4, updated_at = $5, need_attempt_on = $6 where id = $7")
            .bind(created - back).bind(first.map(|t| t - back)).bind(confirmed.map(|t| t - back)).bind(decided.map(|t| t - back))
            .bind(updated - back).bind(attempt.map(|d| d - back)).bind(id).execute(c).await.map(|r| r.rows_affected())
        })?;
        let events: Vec<(i64, DateTime<Utc>)> = on_db!(tx, |c| sqlx::query_as(
            "select id, at from request_events where request_id = $1"
        )
        .bind(id)
        .fetch_all(c)
        .await)?;
        for (eid, at) in events {
            on_db!(tx, |c| sqlx::query(
                "update request_events set at = $1 where id = $2"
            )
            .bind(at - back)
            .bind(eid)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        let notes: Vec<(i64, DateTime<Utc>)> = on_db!(tx, |c| sqlx::query_as(
            "select id, created_at from notifications where request_id = $1"
        )
        .bind(id)
        .fetch_all(c)
        .await)?;
        for (nid, at) in notes {
            on_db!(tx, |c| sqlx::query(
                "update notifications set created_at = $1, read_at = $1 where id = $2"
            )
            .bind(at - back)
            .bind(nid)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        let signs: Vec<(i64, DateTime<Utc>)> = on_db!(tx, |c| sqlx::query_as(
            "select id, signed_at from signoffs where request_id = $1"
        )
        .bind(id)
        .fetch_all(c)
        .await)?;
        for (sid, at) in signs {
            on_db!(tx, |c| sqlx::query(
                "update signoffs set signed_at = $1 where id = $2"
            )
            .bind(at - back)
            .bind(sid)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
    };
    tx.commit().await?;
    Ok(())
}

mod cases;
mod history;
mod list;
mod notify;
mod steps;
mod submit;
mod teams;
pub use cases::*;
pub use history::*;
pub use list::*;
pub use notify::*;
pub use steps::*;
pub use submit::*;
pub use teams::*;
