//! Bulk writes for seeding a large organisation (`duet demo --scale large`): the same tables,
//! columns and history rows the per-item store functions write (people and accounts with their
//! audit entries, requests with their timeline, promises with their history, reviews with their
//! records, monthly metric values, sealed survey campaigns), but as multi-row inserts with bound
//! values, one write transaction per call, so a hundred thousand rows take seconds instead of
//! minutes. Nothing here checks the domain rules: the caller (the demo generator) builds rows the
//! rules allow. Never used by the server.
//!
//! Ids of a multi-row insert are read back with `returning id` and matched to the rows in
//! allocation order; inside the write transaction nobody else allocates, so they are consecutive
//! (checked: a gap fails the call rather than attaching history to the wrong row).

use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::auth::Role;
use duet_core::org::Level;
use duet_core::promises::PromiseSource;
use duet_core::requests::{AlternativeKind, DeclineReason, Lane, Risk, Status, Urgency};

/// Rows per statement for a table of `columns` bound columns: below SQLite's 32,766 (and
/// PostgreSQL's 65,535) parameters per statement.
fn chunk_rows(columns: usize) -> usize {
    (30_000 / columns).max(1)
}

/// The ids one multi-row insert returned, in row order; refuses unless there is one per row and
/// they are consecutive (allocated in `values` order with no other writer in between).
fn ids_in_order(mut ids: Vec<i64>, rows: usize) -> Result<Vec<i64>> {
    ids.sort_unstable();
    if ids.len() != rows || ids.windows(2).any(|w| w[1] != w[0] + 1) {
        return Err(StoreError::Conflict(FieldError::new(
            "id",
            "another writer took ids during a bulk insert; nothing was written",
        )));
    }
    Ok(ids)
}

/// A person to add to the directory.
#[derive(Debug, Clone)]
pub struct NewPerson {
    /// Full name.
    pub name: String,
    /// Lower-case e-mail, unique.
    pub email: String,
    /// Their department.
    pub department_id: i64,
    /// Job title.
    pub title: String,
    /// Their level.
    pub level: Level,
}

/// Adds people as one import would (each with a `person.create` audit entry carrying their
/// department, plus one `people.import` entry), all dated `at`; returns their ids in row order.
pub async fn insert_people(db: &Db, rows: &[NewPerson], at: DateTime<Utc>) -> Result<Vec<i64>> {
    let mut tx = db.begin_write().await?;
    let ids = {
        on_db!(tx, |c| sqlx::query(
            "update revisions set n = n + 1 where area = 'org'"
        )
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        let names: Vec<(i64, String)> =
            on_db!(tx, |c| sqlx::query_as("select id, name from departments")
                .fetch_all(c)
                .await)?;
        let names: std::collections::HashMap<i64, String> = names.into_iter().collect();
        let mut ids = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(chunk_rows(7)) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into people (name, email, department_id, title, level, created_at, updated_at) ",
                );
                q.push_values(chunk, |mut b, p| {
                    b.push_bind(p.name.as_str())
                        .push_bind(p.email.as_str())
                        .push_bind(p.department_id)
                        .push_bind(p.title.as_str())
                        .push_bind(p.level.as_str())
                        .push_bind(at)
                        .push_bind(at);
                });
                q.push(" returning id");
                q.build_query_as().fetch_all(c).await
            });
            let got: Vec<(i64,)> = done?;
            ids.extend(ids_in_order(
                got.into_iter().map(|r| r.0).collect(),
                chunk.len(),
            )?);
        }
        let entries: Vec<(i64, &NewPerson)> = ids.iter().copied().zip(rows).collect();
        for chunk in entries.chunks(chunk_rows(7)) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into audit_log (at, actor_user_id, action, subject_kind, subject_id, department_id, summary) ",
                );
                q.push_values(chunk, |mut b, (id, p)| {
                    let to = names
                        .get(&p.department_id)
                        .map(String::as_str)
                        .unwrap_or_default();
                    b.push_bind(at)
                        .push_bind(None::<i64>)
                        .push_bind("person.create")
                        .push_bind("person")
                        .push_bind(*id)
                        .push_bind(p.department_id)
                        .push_bind(format!("Imported {} <{}> into {to}", p.name, p.email));
                });
                q.build().execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        on_db!(tx, |c| {
            sqlx::query("insert into audit_log (at, actor_user_id, action, subject_kind, subject_id, department_id, summary) values ($1, null, 'people.import', 'import', 0, null, $2)")
            .bind(at).bind(format!("Imported people from CSV: {} created, 0 updated", rows.len())).execute(c).await.map(|r| r.rows_affected())
        })?;
        ids
    };
    tx.commit().await?;
    Ok(ids)
}

/// An account for a person of the directory.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The person (no account of their own yet).
    pub person_id: i64,
    /// Sign-in e-mail: the person's.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// An argon2id hash.
    pub password_hash: String,
}

/// Creates accounts linked to their people, as `accounts::insert_user` does on the command line
/// (`user.create` and `user.link` audit entries), all dated `at`; returns their ids in row order.
pub async fn insert_accounts(db: &Db, rows: &[NewAccount], at: DateTime<Utc>) -> Result<Vec<i64>> {
    let mut tx = db.begin_write().await?;
    let ids = {
        let mut ids = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(chunk_rows(7)) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into users (email, name, role, password_hash, person_id, created_at, password_set_by_other_at) ",
                );
                q.push_values(chunk, |mut b, a| {
                    b.push_bind(a.email.as_str())
                        .push_bind(a.name.as_str())
                        .push_bind(a.role.as_str())
                        .push_bind(a.password_hash.as_str())
                        .push_bind(a.person_id)
                        .push_bind(at)
                        .push_bind(at);
                });
                q.push(" returning id");
                q.build_query_as().fetch_all(c).await
            });
            let got: Vec<(i64,)> = done?;
            ids.extend(ids_in_order(
                got.into_iter().map(|r| r.0).collect(),
                chunk.len(),
            )?);
        }
        let names: Vec<(i64, String, String)> = on_db!(tx, |c| {
            sqlx::query_as(
            "select p.id, p.name, d.name from people p join departments d on d.id = p.department_id"
        )
        .fetch_all(c)
        .await
        })?;
        let names: std::collections::HashMap<i64, (String, String)> =
            names.into_iter().map(|(i, n, d)| (i, (n, d))).collect();
        let mut entries: Vec<(i64, &'static str, String)> = Vec::with_capacity(rows.len() * 2);
        for (id, a) in ids.iter().zip(rows) {
            entries.push((
                *id,
                "user.create",
                format!(
                    "Created {} account {} ({})",
                    a.role.as_str(),
                    a.email,
                    a.name
                ),
            ));
            let (name, dept) = names.get(&a.person_id).cloned().unwrap_or_default();
            entries.push((
                *id,
                "user.link",
                format!("Linked account {} to {name} ({dept})", a.email),
            ));
        }
        for chunk in entries.chunks(chunk_rows(7)) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into audit_log (at, actor_user_id, action, subject_kind, subject_id, department_id, summary) ",
                );
                q.push_values(chunk, |mut b, (id, action, summary)| {
                    b.push_bind(at)
                        .push_bind(None::<i64>)
                        .push_bind(*action)
                        .push_bind("user")
                        .push_bind(*id)
                        .push_bind(None::<i64>)
                        .push_bind(summary.as_str());
                });
                q.build().execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        ids
    };
    tx.commit().await?;
    Ok(ids)
}

/// One entry of a request's timeline.
#[derive(Debug, Clone)]
pub struct NewRequestEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (an account).
    pub actor_id: Option<i64>,
    /// submitted, need_stated, need_confirmed, team_assigned, decided, status_changed…
    pub kind: &'static str,
    /// In words, as the timeline shows it.
    pub detail: String,
}

/// An alternative offered with a decline: kind, description, whether the requester took it up.
pub type Alternative = (AlternativeKind, String, Option<bool>);

/// A sealed answer ready to write: random id, random owner key, department, ratings, texts.
type SealedRow<'a> = (i64, String, i64, &'a str, &'a str);

/// A service-lane request with its history.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// Title.
    pub title: String,
    /// The problem.
    pub problem: String,
    /// Who is affected.
    pub affected: String,
    /// The outcome wanted.
    pub desired_outcome: String,
    /// Requesting department.
    pub department_id: i64,
    /// Requesting account.
    pub requester_id: i64,
    /// Urgency.
    pub urgency: Urgency,
    /// Lane.
    pub lane: Lane,
    /// Where it stands.
    pub status: Status,
    /// The IT team answering it.
    pub it_team_id: Option<i64>,
    /// IT's statement of the need.
    pub need_statement: Option<String>,
    /// Who wrote the statement.
    pub need_by: Option<i64>,
    /// When the requester confirmed it.
    pub need_confirmed_at: Option<DateTime<Utc>>,
    /// IT's first response.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision's note.
    pub decision_note: Option<String>,
    /// Why declined.
    pub decline_reason: Option<DeclineReason>,
    /// Deferred until.
    pub deferred_until: Option<NaiveDate>,
    /// Risk.
    pub risk: Risk,
    /// Submitted at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Its timeline, oldest first (the first is `submitted`).
    pub events: Vec<NewRequestEvent>,
    /// Alternatives offered with a decline: kind, description, taken up.
    pub alternatives: Vec<Alternative>,
}

/// Adds requests with their timeline events and offered alternatives, in one transaction;
/// returns how many. Notifications of the (long past) events are not written.
pub async fn insert_requests(db: &Db, rows: &[NewRequest]) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    {
        for chunk in rows.chunks(chunk_rows(22)) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into requests (title, problem, affected, desired_outcome, department_id, requester_id, urgency, lane, status,
                         it_team_id, need_statement, need_by, need_confirmed_at, first_response_at, decided_at, decision_note,
                         decline_reason, deferred_until, risk, created_at, updated_at, self_champion_allowed) ",
                );
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(r.title.as_str())
                        .push_bind(r.problem.as_str())
                        .push_bind(r.affected.as_str())
                        .push_bind(r.desired_outcome.as_str())
                        .push_bind(r.department_id)
                        .push_bind(r.requester_id)
                        .push_bind(r.urgency.as_str())
                        .push_bind(r.lane.as_str())
                        .push_bind(r.status.as_str())
                        .push_bind(r.it_team_id)
                        .push_bind(r.need_statement.as_deref())
                        .push_bind(r.need_by)
                        .push_bind(r.need_confirmed_at)
                        .push_bind(r.first_response_at)
                        .push_bind(r.decided_at)
                        .push_bind(r.decision_note.as_deref())
                        .push_bind(r.decline_reason.map(|d| d.as_str()))
                        .push_bind(r.deferred_until)
                        .push_bind(r.risk.as_str())
                        .push_bind(r.created_at)
                        .push_bind(r.updated_at)
                        .push_bind(false);
                });
                q.push(" returning id");
                q.build_query_as().fetch_all(c).await
            });
            let got: Vec<(i64,)> = done?;
            let ids = ids_in_order(got.into_iter().map(|r| r.0).collect(), chunk.len())?;
            let events: Vec<(i64, &NewRequestEvent)> = ids
                .iter()
                .zip(chunk)
                .flat_map(|(id, r)| r.events.iter().map(move |e| (*id, e)))
                .collect();
            for part in events.chunks(chunk_rows(5)) {
                let done = on_db!(tx, |c| {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into request_events (request_id, at, actor_id, kind, detail) ",
                    );
                    q.push_values(part, |mut b, (id, e)| {
                        b.push_bind(*id)
                            .push_bind(e.at)
                            .push_bind(e.actor_id)
                            .push_bind(e.kind)
                            .push_bind(e.detail.as_str());
                    });
                    q.build().execute(c).await.map(|r| r.rows_affected())
                });
                done?;
            }
            let alts: Vec<(i64, DateTime<Utc>, &Alternative)> = ids
                .iter()
                .zip(chunk)
                .flat_map(|(id, r)| {
                    r.alternatives
                        .iter()
                        .map(move |a| (*id, r.decided_at.unwrap_or(r.updated_at), a))
                })
                .collect();
            for part in alts.chunks(chunk_rows(5)) {
                let done = on_db!(tx, |c| {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into request_alternatives (request_id, kind, description, taken_up, created_at) ",
                    );
                    q.push_values(part, |mut b, (id, at, (kind, description, taken))| {
                        b.push_bind(*id)
                            .push_bind(kind.as_str())
                            .push_bind(description.as_str())
                            .push_bind(*taken)
                            .push_bind(*at);
                    });
                    q.build().execute(c).await.map(|r| r.rows_affected())
                });
                done?;
            }
        }
    };
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// One entry of a promise's history.
#[derive(Debug, Clone)]
pub struct NewPromiseEvent {
    /// The day it happened.
    pub on_date: NaiveDate,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who recorded it.
    pub actor_id: Option<i64>,
    /// made, kept_on_time, kept_late, broken, renegotiated.
    pub kind: &'static str,
    /// In words.
    pub detail: String,
}

/// A promise of the ledger with its history.
#[derive(Debug, Clone)]
pub struct NewPromise {
    /// The person who promised.
    pub promisor_person_id: i64,
    /// Their department then.
    pub promisor_department_id: i64,
    /// The department promised to.
    pub promisee_department_id: i64,
    /// Level (no higher than the promisor's).
    pub level: Level,
    /// What was promised.
    pub text: String,
    /// Due date.
    pub due_on: NaiveDate,
    /// Where it was made.
    pub source: PromiseSource,
    /// open, kept or broken.
    pub status: &'static str,
    /// How often the due date moved.
    pub renegotiations: i64,
    /// When kept or broken.
    pub closed_on: Option<NaiveDate>,
    /// The account that recorded it.
    pub recorded_by: i64,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Its history, oldest first (the first is `made`).
    pub events: Vec<NewPromiseEvent>,
}

/// Adds promises with their history rows, in one transaction; returns how many.
pub async fn insert_promises(db: &Db, rows: &[NewPromise]) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    {
        for chunk in rows.chunks(chunk_rows(13)) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into promises (promisor_person_id, promisor_department_id, promisee_department_id, level, text, due_on,
                         source, status, renegotiations, closed_on, recorded_by, created_at, updated_at) ",
                );
                q.push_values(chunk, |mut b, p| {
                    b.push_bind(p.promisor_person_id)
                        .push_bind(p.promisor_department_id)
                        .push_bind(p.promisee_department_id)
                        .push_bind(p.level.as_str())
                        .push_bind(p.text.as_str())
                        .push_bind(p.due_on)
                        .push_bind(p.source.as_str())
                        .push_bind(p.status)
                        .push_bind(p.renegotiations)
                        .push_bind(p.closed_on)
                        .push_bind(p.recorded_by)
                        .push_bind(p.created_at)
                        .push_bind(p.updated_at);
                });
                q.push(" returning id");
                q.build_query_as().fetch_all(c).await
            });
            let got: Vec<(i64,)> = done?;
            let ids = ids_in_order(got.into_iter().map(|r| r.0).collect(), chunk.len())?;
            let events: Vec<(i64, &NewPromiseEvent)> = ids
                .iter()
                .zip(chunk)
                .flat_map(|(id, p)| p.events.iter().map(move |e| (*id, e)))
                .collect();
            for part in events.chunks(chunk_rows(6)) {
                let done = on_db!(tx, |c| {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into promise_events (promise_id, on_date, at, actor_id, kind, detail) ",
                    );
                    q.push_values(part, |mut b, (id, e)| {
                        b.push_bind(*id)
                            .push_bind(e.on_date)
                            .push_bind(e.at)
                            .push_bind(e.actor_id)
                            .push_bind(e.kind)
                            .push_bind(e.detail.as_str());
                    });
                    q.build().execute(c).await.map(|r| r.rows_affected())
                });
                done?;
            }
        }
    };
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// The record of a held review, signed by both leaders and locked.
#[derive(Debug, Clone)]
pub struct NewReviewRecord {
    /// The agenda as kept.
    pub agenda: String,
    /// Who attended.
    pub attendees: String,
    /// Notes.
    pub notes: String,
    /// Feedback on the metrics pack.
    pub metric_feedback: String,
    /// IT's signature.
    pub it_signed_by: i64,
    /// The business leader's signature.
    pub business_signed_by: i64,
    /// When both had signed (and it locked).
    pub signed_at: DateTime<Utc>,
}

/// A review meeting with a department.
#[derive(Debug, Clone)]
pub struct NewReview {
    /// The department.
    pub department_id: i64,
    /// When.
    pub scheduled_at: DateTime<Utc>,
    /// Length.
    pub minutes: i64,
    /// The account that organised it.
    pub organizer_id: i64,
    /// planned, held or cancelled.
    pub status: &'static str,
    /// The day it was held.
    pub held_on: Option<NaiveDate>,
    /// Planned at.
    pub created_at: DateTime<Utc>,
    /// Its record (held reviews).
    pub record: Option<NewReviewRecord>,
}

/// Adds reviews and their records, in one transaction; returns how many reviews.
pub async fn insert_reviews(db: &Db, rows: &[NewReview]) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    {
        for chunk in rows.chunks(chunk_rows(7)) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into reviews (department_id, scheduled_at, minutes, organizer_id, status, held_on, created_at) ",
                );
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(r.department_id)
                        .push_bind(r.scheduled_at)
                        .push_bind(r.minutes)
                        .push_bind(r.organizer_id)
                        .push_bind(r.status)
                        .push_bind(r.held_on)
                        .push_bind(r.created_at);
                });
                q.push(" returning id");
                q.build_query_as().fetch_all(c).await
            });
            let got: Vec<(i64,)> = done?;
            let ids = ids_in_order(got.into_iter().map(|r| r.0).collect(), chunk.len())?;
            let records: Vec<(i64, &NewReviewRecord)> = ids
                .iter()
                .zip(chunk)
                .filter_map(|(id, r)| r.record.as_ref().map(|c| (*id, c)))
                .collect();
            for part in records.chunks(chunk_rows(11)) {
                let done = on_db!(tx, |c| {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into review_records (review_id, agenda, attendees, notes, metric_feedback, it_signed_by, it_signed_at,
                             business_signed_by, business_signed_at, locked_at, updated_at) ",
                    );
                    q.push_values(part, |mut b, (id, c)| {
                        b.push_bind(*id)
                            .push_bind(c.agenda.as_str())
                            .push_bind(c.attendees.as_str())
                            .push_bind(c.notes.as_str())
                            .push_bind(c.metric_feedback.as_str())
                            .push_bind(c.it_signed_by)
                            .push_bind(c.signed_at)
                            .push_bind(c.business_signed_by)
                            .push_bind(c.signed_at)
                            .push_bind(c.signed_at)
                            .push_bind(c.signed_at);
                    });
                    q.build().execute(c).await.map(|r| r.rows_affected())
                });
                done?;
            }
        }
    };
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// Adds monthly values (metric, department, `YYYY-MM`, value) in one transaction, leaving months
/// already recorded as they are; returns how many were added.
pub async fn insert_metric_values(db: &Db, rows: &[(i64, i64, String, f64)]) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    let added = {
        let mut added = 0u64;
        for chunk in rows.chunks(chunk_rows(4)) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into metric_values (metric_id, department_id, period, value) ",
                );
                q.push_values(chunk, |mut b, (m, d, p, v)| {
                    b.push_bind(*m)
                        .push_bind(*d)
                        .push_bind(p.as_str())
                        .push_bind(*v);
                });
                q.push(" on conflict (metric_id, department_id, period) do nothing");
                q.build().execute(c).await.map(|r| r.rows_affected())
            });
            added += done?;
        }
        added
    };
    tx.commit().await?;
    Ok(added)
}

/// A campaign that ran, closed and was sealed long ago.
#[derive(Debug, Clone)]
pub struct NewClosedCampaign {
    /// The instrument.
    pub instrument_id: i64,
    /// Title.
    pub title: String,
    /// First day.
    pub opens_on: NaiveDate,
    /// Last day.
    pub closes_on: NaiveDate,
    /// Reminder day.
    pub remind_on: NaiveDate,
    /// Smallest group shown (k).
    pub min_group: i64,
    /// The account that created it.
    pub created_by: i64,
    /// Invited departments.
    pub departments: Vec<i64>,
    /// Who answered (people of its population): person and their department.
    pub respondents: Vec<(i64, i64)>,
    /// The sealed answers, one per respondent, in no particular order: department, ratings
    /// packed by `Answers::pack`, texts as a JSON object.
    pub answers: Vec<(i64, String, String)>,
}

/// Adds closed, sealed campaigns: the campaign, its departments, its population (the invited
/// departments' active people and their enabled accounts, as the directory stands), who took
/// part, and the sealed answers under fresh random ids and owner keys, written in random-id
/// order as `listen::seal` does. One transaction; returns how many answers.
pub async fn insert_closed_campaigns(db: &Db, rows: &[NewClosedCampaign]) -> Result<u64> {
    let mut total = 0u64;
    let mut sealed: Vec<Vec<SealedRow>> = Vec::with_capacity(rows.len());
    for c in rows {
        let mut fresh = Vec::with_capacity(c.answers.len());
        for (dept, ratings, texts) in &c.answers {
            let id = duet_core::listen::campaigns::random_id().map_err(StoreError::Invalid)?;
            let key = duet_core::listen::campaigns::random_secret().map_err(StoreError::Invalid)?;
            fresh.push((id, key, *dept, ratings.as_str(), texts.as_str()));
        }
        fresh.sort_by_key(|r| r.0);
        total += fresh.len() as u64;
        sealed.push(fresh);
    }
    let mut tx = db.begin_write().await?;
    {
        for (c, fresh) in rows.iter().zip(&sealed) {
            let opened = c
                .opens_on
                .and_hms_opt(8, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or_default();
            let reminded = c
                .remind_on
                .and_hms_opt(8, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or_default();
            let closed = (c.closes_on + chrono::Duration::days(1))
                .and_hms_opt(1, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or_default();
            let (id,): (i64,) = on_db!(tx, |conn| {
                sqlx::query_as(
                "insert into campaigns (instrument_id, title, opens_on, closes_on, remind_on, min_group, invited_at, reminded_at,
                     created_by, created_at, sealed_at, population_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $7) returning id",
            )
            .bind(c.instrument_id).bind(&c.title).bind(c.opens_on).bind(c.closes_on).bind(c.remind_on).bind(c.min_group)
            .bind(opened).bind(reminded).bind(c.created_by).bind(opened - chrono::Duration::days(7)).bind(closed)
            .fetch_one(conn).await
            })?;
            let done = on_db!(tx, |conn| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into campaign_departments (campaign_id, department_id) ",
                );
                q.push_values(&c.departments, |mut b, d| {
                    b.push_bind(id).push_bind(*d);
                });
                q.build().execute(conn).await.map(|r| r.rows_affected())
            });
            done?;
            on_db!(tx, |conn| sqlx::query(
                "insert into campaign_population (campaign_id, person_id, department_id, user_id)
                 select cd.campaign_id, pe.id, pe.department_id, u.id
                 from campaign_departments cd
                 join people pe on pe.department_id = cd.department_id and pe.archived_at is null
                 left join users u on u.person_id = pe.id and u.disabled_at is null
                 where cd.campaign_id = $1 on conflict do nothing",
            )
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))?;
            for part in c.respondents.chunks(chunk_rows(3)) {
                let done = on_db!(tx, |c| {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into campaign_participation (campaign_id, person_id, department_id) ",
                    );
                    q.push_values(part, |mut b, (person, dept)| {
                        b.push_bind(id).push_bind(*person).push_bind(*dept);
                    });
                    q.build().execute(c).await.map(|r| r.rows_affected())
                });
                done?;
            }
            for part in fresh.chunks(chunk_rows(6)) {
                let done = on_db!(tx, |c| {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into survey_responses (id, campaign_id, owner_key, department_id, ratings, texts) ",
                    );
                    q.push_values(part, |mut b, (rid, key, dept, ratings, texts)| {
                        b.push_bind(*rid)
                            .push_bind(id)
                            .push_bind(key.as_str())
                            .push_bind(*dept)
                            .push_bind(*ratings)
                            .push_bind(*texts);
                    });
                    q.build().execute(c).await.map(|r| r.rows_affected())
                });
                done?;
            }
        }
    };
    tx.commit().await?;
    Ok(total)
}
