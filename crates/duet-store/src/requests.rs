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
}

macro_rules! request_sql {
    ($($tail:tt)*) => {
        concat!(
            "select r.id, r.title, r.problem, r.affected, r.desired_outcome, r.department_id, d.name as department_name,
                r.requester_id, u.name as requester_name, r.urgency, r.date_needed, r.lane, r.status, r.it_team_id,
                t.name as it_team_name, r.need_statement, r.need_by, r.need_attempt_on, r.need_confirmed_at,
                r.first_response_at, r.decided_at, r.decision_note, r.decline_reason, r.deferred_until,
                r.security_risk, r.security_yes_if, r.champion_id, c.name as champion_name, r.self_champion_allowed,
                r.risk, r.person_days, r.created_at, r.updated_at
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
        "insert into notifications (user_id, request_id, message, created_at)
         select f.user_id, r.id, r.title || ': ' || $2, $3
         from requests r
         join (select requester_id as user_id, id from requests where id = $1
               union select champion_id, id from requests where id = $1 and champion_id is not null) f on f.id = r.id
         where r.id = $1 and ($4 is null or f.user_id <> $4)",
    )
    .bind(request)
    .bind(detail)
    .bind(now)
    .bind(actor)
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
    let row: Option<(String, String, i64, Option<i64>)> =
        match tx.backend() {
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

/// Inserts a submitted request in the service lane and its "submitted" event inside the caller's
/// write transaction; returns the new id. The department check is part of the insert (no row
/// when the department is missing or archived, which today's one error covers), so a submit
/// costs the writer turn two statements fewer. [`record_event`]'s notification of the followers
/// other than the actor is left out: at submit the actor is the requester and there is no
/// champion yet, so it could only insert nothing.
pub(crate) async fn insert_submitted(
    tx: &mut WriteTx,
    requester: i64,
    input: &RequestInput,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let row: Option<(i64,)> = on_db!(tx, |c| {
        sqlx::query_as(
        "insert into requests (title, problem, affected, desired_outcome, department_id, requester_id, urgency, date_needed,
             lane, status, created_at, updated_at)
         select $1, $2, $3, $4, d.id, $6, $7, $8, 'service', 'submitted', $9, $9
         from departments d where d.id = $5 and d.archived_at is null returning id",
    )
    .bind(&input.title)
    .bind(&input.problem)
    .bind(&input.affected)
    .bind(&input.desired_outcome)
    .bind(input.department)
    .bind(requester)
    .bind(input.urgency.as_str())
    .bind(input.date_needed)
    .bind(now)
    .fetch_optional(c)
    .await
    })?;
    let Some((id,)) = row else {
        return Err(StoreError::Invalid(FieldError::new(
            "department_id",
            "no active department has this id",
        )));
    };
    insert_event(tx, id, Some(requester), "submitted", detail, now).await?;
    Ok(id)
}

/// Submits a request in the service lane.
pub async fn insert_request(db: &Db, requester: i64, input: &RequestInput) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let id = insert_submitted(
            &mut tx,
            requester,
            input,
            &format!(
                "submitted ({} urgency)",
                input.urgency.label().to_lowercase()
            ),
            now,
        )
        .await?;
        // The hand-over to IT: every triager (IT leader) hears of a new request at once.
        on_db!(tx, |c| sqlx::query(
            "insert into notifications (user_id, request_id, message, created_at)
             select u.id, $1, 'New request to understand: ' || $2, $3 from users u
             where u.role = 'it_leader' and u.disabled_at is null and u.id <> $4",
        )
        .bind(id)
        .bind(&input.title)
        .bind(now)
        .bind(requester)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        id
    };
    tx.commit().await?;
    find_request(db, id).await
}

/// Submits many requests at once, in one transaction (group commit: the web layer's
/// `service::group_commit` gathers concurrent submits), writing for each `(requester, input)`
/// exactly what [`insert_request`] writes — the request, its `submitted` event, the IT leaders'
/// notifications — in a few statements for the whole batch instead of three per request. An
/// item whose department is missing or archived is refused alone, with the same error; the
/// others are written. The outcomes are in the items' order.
pub async fn insert_requests(
    db: &Db,
    items: &[(i64, RequestInput)],
) -> Result<Vec<Result<Request>>> {
    use crate::batch::{list, rows_per_statement, values};
    use std::collections::{BTreeSet, HashMap};
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let lock = crate::batch::lock_suffix(db);
    let mut tx = db.begin_write().await?;
    let out = {
        // Which departments are active: one read for the batch.
        let asked: BTreeSet<i64> = items.iter().map(|(_, i)| i.department).collect();
        let asked: Vec<i64> = asked.into_iter().collect();
        let mut active = BTreeSet::new();
        for chunk in asked.chunks(rows_per_statement(1, 0)) {
            let sql = format!(
                "select id from departments where archived_at is null and id in ({}){lock}",
                list(1, chunk.len())
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql)).persistent(false);
                for d in chunk {
                    q = q.bind(d);
                }
                q.fetch_all(c).await
            });
            active.extend(done?.into_iter().map(|(id,)| id));
        }
        let ok: Vec<&(i64, RequestInput)> = items
            .iter()
            .filter(|(_, i)| active.contains(&i.department))
            .collect();
        // The requests, many rows a statement. Ids are handed out in the order of the rows.
        let mut ids: Vec<i64> = Vec::with_capacity(ok.len());
        for chunk in ok.chunks(rows_per_statement(8, 1)) {
            let sql = format!(
                "insert into requests (title, problem, affected, desired_outcome, department_id, requester_id, urgency, date_needed,
                     lane, status, created_at, updated_at)
                 values {} returning id",
                values("(?, ?, ?, ?, ?, ?, ?, ?, 'service', 'submitted', $1, $1)", chunk.len(), 2)
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(now);
                for (requester, i) in chunk {
                    q = q
                        .bind(&i.title)
                        .bind(&i.problem)
                        .bind(&i.affected)
                        .bind(&i.desired_outcome)
                        .bind(i.department)
                        .bind(*requester)
                        .bind(i.urgency.as_str())
                        .bind(i.date_needed);
                }
                q.fetch_all(c).await
            });
            let mut got: Vec<i64> = done?.into_iter().map(|(id,)| id).collect();
            got.sort_unstable();
            ids.extend(got);
        }
        if ids.len() != ok.len() {
            return Err(StoreError::Db(sqlx::Error::Protocol(format!(
                "{} requests inserted for {} rows",
                ids.len(),
                ok.len()
            ))));
        }
        // Their `submitted` events.
        for (chunk_ids, chunk) in ids
            .chunks(rows_per_statement(3, 1))
            .zip(ok.chunks(rows_per_statement(3, 1)))
        {
            let sql = format!(
                "insert into request_events (request_id, at, actor_id, kind, detail) values {}",
                values("(?, $1, ?, 'submitted', ?)", chunk.len(), 2)
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(now);
                for (id, (requester, i)) in chunk_ids.iter().zip(chunk) {
                    q = q.bind(*id).bind(*requester).bind(format!(
                        "submitted ({} urgency)",
                        i.urgency.label().to_lowercase()
                    ));
                }
                q.execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        // The hand-over to IT: every triager (IT leader) hears of each new request at once.
        for chunk in ids.chunks(rows_per_statement(1, 1)) {
            let sql = format!(
                "insert into notifications (user_id, request_id, message, created_at)
                 select u.id, r.id, 'New request to understand: ' || r.title, $1
                 from requests r join users u on u.role = 'it_leader' and u.disabled_at is null and u.id <> r.requester_id
                 where r.id in ({}) order by r.id, u.id",
                list(2, chunk.len())
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(now);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        // Read back as `find_request` reads one, and check each row is the item it was paired with.
        let mut written: HashMap<i64, Request> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(rows_per_statement(1, 0)) {
            let sql = format!(request_sql!("where r.id in ({})"), list(1, chunk.len()));
            let done = on_db!(tx, |c| {
                let mut q =
                    sqlx::query_as::<_, Request>(sqlx::AssertSqlSafe(sql)).persistent(false);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(c).await
            });
            written.extend(done?.into_iter().map(|r| (r.id, r)));
        }
        let mut ids = ids.into_iter();
        let mut out = Vec::with_capacity(items.len());
        for (requester, i) in items {
            if !active.contains(&i.department) {
                out.push(Err(StoreError::Invalid(FieldError::new(
                    "department_id",
                    "no active department has this id",
                ))));
                continue;
            }
            let r = ids.next().and_then(|id| written.remove(&id)).filter(|r| {
                r.requester_id == *requester
                    && r.department_id == i.department
                    && r.title == i.title
            });
            let Some(r) = r else {
                return Err(StoreError::Db(sqlx::Error::Protocol(
                    "a batch of requests read back out of order".into(),
                )));
            };
            out.push(Ok(r));
        }
        out
    };
    tx.commit().await?;
    Ok(out)
}

/// Submits a request raised by a triager from a pain point, and links the pain point to it so its
/// anonymous author sees the outcome, in one transaction.
pub async fn insert_request_from_pain_point(
    db: &Db,
    requester: i64,
    input: &RequestInput,
    pain_point: i64,
    today: chrono::NaiveDate,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let id = insert_submitted(
            &mut tx,
            requester,
            input,
            "raised from an anonymous pain point in the voice inbox",
            now,
        )
        .await?;
        crate::voice::link_pain_point(
            &mut tx,
            pain_point,
            crate::voice::Became::Request(id),
            requester,
            &format!("Turned into request #{id}: {}", input.title),
            today,
        )
        .await?;
        id
    };
    tx.commit().await?;
    find_request(db, id).await
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

/// Filters for request listings (hashable: the web layer keeps recent pages by filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RequestFilter {
    /// Only this lane.
    pub lane: Option<Lane>,
    /// Only open requests (waiting for understanding or a decision).
    pub open_only: bool,
    /// Only this requester's.
    pub requester: Option<i64>,
    /// Only this department's.
    pub department: Option<i64>,
    /// Title contains.
    pub q: Option<String>,
    /// Only those this executive champions.
    pub champion: Option<i64>,
    /// Only those in this status (the home page's "see all" links).
    pub status: Option<Status>,
}

/// The statuses still waiting for IT ([`Status::is_open`]), written exactly as the queue's partial
/// indexes (migration 0019) write them, so the planner can use those indexes.
const OPEN_FILTER: &str =
    "q.status in ('submitted', 'understanding', 'need_confirmed', 'deferred')";

/// The queue's urgency rank (most urgent first), as the queue indexes of migration 0019 write it.
macro_rules! urgency_rank {
    ($alias:literal) => {
        concat!(
            "case ",
            $alias,
            ".urgency when 'critical' then 0 when 'high' then 1 when 'normal' then 2 else 3 end"
        )
    };
}

/// The filters of a listing, in the order their values are bound; `None` marks the one without a
/// value (open only).
const LIST_FILTERS: [Option<&str>; 7] = [
    Some("q.lane = "),
    None,
    Some("q.requester_id = "),
    Some("q.department_id = "),
    Some("lower(q.title) like "),
    Some("q.champion_id = "),
    Some("q.status = "),
];

/// Bit of [`LIST_FILTERS`] for the lane.
const LANE_BIT: usize = 0;
/// Bit of [`LIST_FILTERS`] for "open only", which also switches to the queue order.
const OPEN_BIT: usize = 1;

/// The two statements of one listing shape.
struct ListSql {
    /// The page: its ids are paged on the index that matches the filter and sort, and only those
    /// rows are then joined to the names a page shows.
    page: String,
    /// The total: a count over the same index.
    count: String,
}

/// One [`ListSql`] per combination of filters present (bit i set when `LIST_FILTERS[i]` applies),
/// built once from the fixed fragments above: the SQL text depends only on which filters apply,
/// never on their values, which are always bound. Each shape has no `$n is null or …` term and no
/// computed sort, so every one gets a plan that uses its index, on PostgreSQL generic or not.
static LIST_SQL: std::sync::LazyLock<Vec<ListSql>> =
    std::sync::LazyLock::new(|| (0..1usize << LIST_FILTERS.len()).map(list_sql).collect());

/// The statements for one combination of filters (see [`LIST_SQL`]).
fn list_sql(mask: usize) -> ListSql {
    let mut terms = Vec::new();
    let mut n = 0;
    for (bit, column) in LIST_FILTERS.iter().enumerate() {
        if mask & (1 << bit) == 0 {
            continue;
        }
        match column {
            Some(column) => {
                n += 1;
                terms.push(format!("{column}${n}"));
            }
            None => terms.push(OPEN_FILTER.to_string()),
        }
    }
    let filter = if terms.is_empty() {
        String::new()
    } else {
        format!("where {}", terms.join(" and "))
    };
    let (limit, offset) = (n + 1, n + 2);
    let (ids, order) = if mask & (1 << OPEN_BIT) == 0 {
        (
            format!(
                "select q.id from requests q {filter} order by q.id desc limit ${limit} offset ${offset}"
            ),
            "order by r.id desc",
        )
    } else if mask & (1 << LANE_BIT) != 0 {
        (
            format!(
                "select q.id from requests q {filter} order by {}, q.id limit ${limit} offset ${offset}",
                urgency_rank!("q")
            ),
            concat!("order by ", urgency_rank!("r"), ", r.id"),
        )
    } else {
        // The open requests of both lanes: each lane's queue index gives its first
        // offset + limit rows in order, and only those are merged.
        let lane = |lane: &str| {
            format!(
                "select * from (select q.id, {} as k from requests q {filter} and q.lane = '{lane}'
                 order by k, q.id limit ${limit} + ${offset}) as {lane}",
                urgency_rank!("q")
            )
        };
        (
            format!(
                "select id from ({} union all {}) as both_lanes order by k, id limit ${limit} offset ${offset}",
                lane(Lane::Service.as_str()),
                lane(Lane::Portfolio.as_str())
            ),
            concat!("order by ", urgency_rank!("r"), ", r.id"),
        )
    };
    ListSql {
        page: format!("{} where r.id in ({ids}) {order}", request_sql!()),
        count: format!("select count(*) from requests q {filter}"),
    }
}

/// Lists requests: the service queue order (urgency, then first in first out) for open ones,
/// newest first otherwise.
pub async fn list_requests(db: &Db, f: &RequestFilter, page: PageRequest) -> Result<Page<Request>> {
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
    let lane = f.lane.map(|l| l.as_str());
    let status = f.status.map(|s| s.as_str());
    let present = [
        lane.is_some(),
        f.open_only,
        f.requester.is_some(),
        f.department.is_some(),
        q.is_some(),
        f.champion.is_some(),
        status.is_some(),
    ];
    let mask = present
        .iter()
        .enumerate()
        .fold(0, |m, (bit, on)| m | (usize::from(*on) << bit));
    let sql = &LIST_SQL[mask];
    // Binds the values present, in the order of `LIST_FILTERS`.
    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query;
            if let Some(v) = lane {
                query = query.bind(v);
            }
            if let Some(v) = f.requester {
                query = query.bind(v);
            }
            if let Some(v) = f.department {
                query = query.bind(v);
            }
            if let Some(v) = q.as_deref() {
                query = query.bind(v);
            }
            if let Some(v) = f.champion {
                query = query.bind(v);
            }
            if let Some(v) = status {
                query = query.bind(v);
            }
            query
        }};
    }
    let items = on_db!(db, |pool| bind_filters!(sqlx::query_as::<_, Request>(
        sql.page.as_str()
    ))
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(pool)
    .await?);
    let shown = i64::try_from(items.len()).unwrap_or(i64::MAX);
    // A page that is not full and not past the end is the last one: the total needs no count.
    let total = if shown < page.limit && (shown > 0 || page.offset == 0) {
        page.offset + shown
    } else {
        let (total,): (i64,) = on_db!(db, |pool| bind_filters!(sqlx::query_as(sql.count.as_str()))
            .fetch_one(pool)
            .await?);
        total
    };
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
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

/// IT states the need in the requester's terms; when the requester writes it, it is their
/// correction and counts as confirmed.
pub async fn state_need(db: &Db, id: i64, by: i64, statement: &str) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked {
        status,
        lane,
        requester,
        ..
    } = lock_request(&mut tx, id).await?;
    if !matches!(
        status,
        Status::Submitted | Status::Understanding | Status::NeedConfirmed | Status::Deferred
    ) {
        return Err(StoreError::Conflict(FieldError::new(
            "need_statement",
            format!(
                "the need cannot change once the request is '{}'",
                status.label()
            ),
        )));
    }
    let by_requester = by == requester;
    let new_status = if by_requester {
        Status::NeedConfirmed
    } else {
        Status::Understanding
    };
    on_db!(tx, |c| {
        sqlx::query(
        "update requests set need_statement = $1, need_by = $2, status = $3,
             need_confirmed_at = case when $4 then $5 else null end,
             first_response_at = case when $4 then first_response_at else coalesce(first_response_at, $5) end,
             updated_at = $5
         where id = $6",
    )
    .bind(statement).bind(by).bind(new_status.as_str()).bind(by_requester).bind(now).bind(id)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    if lane == Lane::Portfolio {
        // Funding needs a confirmed need, so the ranking's inputs changed.
        bump_revision(&mut tx, now).await?;
    }
    let detail = if by_requester {
        format!("the requester corrected the need: “{statement}”")
    } else {
        format!("IT stated the need: “{statement}” — please confirm or correct it")
    };
    record_event(
        &mut tx,
        id,
        Some(by),
        if by_requester {
            "need_corrected"
        } else {
            "need_stated"
        },
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// The requester confirms IT's statement of the need.
pub async fn confirm_need(db: &Db, id: i64, by: i64) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, lane, .. } = lock_request(&mut tx, id).await?;
    if status != Status::Understanding {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "there is no need statement waiting for your confirmation",
        )));
    }
    if lane == Lane::Portfolio {
        // Funding needs a confirmed need, so the ranking's inputs changed.
        bump_revision(&mut tx, now).await?;
    }
    on_db!(tx, |c| {
        sqlx::query("update requests set status = 'need_confirmed', need_confirmed_at = $1, updated_at = $1 where id = $2")
        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "need_confirmed",
        "the requester confirmed IT's statement of the need",
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// IT records an attempt to reach the requester about the need statement.
pub async fn record_attempt(
    db: &Db,
    id: i64,
    by: i64,
    on: NaiveDate,
    note: &str,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, .. } = lock_request(&mut tx, id).await?;
    if status != Status::Understanding {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "attempts are recorded while a need statement awaits the requester",
        )));
    }
    on_db!(tx, |c| {
        sqlx::query("update requests set need_attempt_on = $1, first_response_at = coalesce(first_response_at, $2), updated_at = $2 where id = $3")
        .bind(on).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "attempt_recorded",
        &format!(
            "IT tried to reach the requester on {on}{}",
            if note.is_empty() {
                String::new()
            } else {
                format!(": {note}")
            }
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// Assigns the IT team that will answer the request.
pub async fn assign_team(db: &Db, id: i64, by: i64, team: i64) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_request(&mut tx, id).await?;
    let name: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
        "select name from it_teams where id = $1"
    )
    .bind(team)
    .fetch_optional(c)
    .await)?;
    let Some((name,)) = name else {
        return Err(StoreError::Invalid(FieldError::new(
            "it_team_id",
            "no IT team has this id",
        )));
    };
    on_db!(tx, |c| sqlx::query(
        "update requests set it_team_id = $1, updated_at = $2 where id = $3"
    )
    .bind(team)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "team_assigned",
        &format!("assigned to {name}"),
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// The facts the decision gate needs, read inside the decision's transaction.
pub struct GateFacts {
    /// Status.
    pub status: Status,
    /// Lane.
    pub lane: Lane,
    /// Attempt date.
    pub attempt_on: Option<NaiveDate>,
    /// Champion, business case and valid sign-off present.
    pub portfolio_ready: bool,
    /// The requester confirmed the need statement (`need_confirmed_at` is set): funding needs it.
    pub need_confirmed: bool,
}

/// Records a decision after `check` (the rule in core) approves it against fresh facts.
pub async fn decide(
    db: &Db,
    id: i64,
    by: i64,
    decision: &Decision,
    check: impl Fn(&GateFacts) -> std::result::Result<(), FieldError> + Send,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, lane, .. } = lock_request(&mut tx, id).await?;
    let (attempt_on, need_confirmed): (Option<NaiveDate>, bool) = on_db!(tx, |c| sqlx::query_as(
        "select need_attempt_on, (need_confirmed_at is not null) from requests where id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    let ready: (Option<i64>, Option<i64>, Option<i64>, f64) = on_db!(tx, |c| {
        sqlx::query_as(
        "select r.champion_id, b.it_cost,
                (select s.it_cost from signoffs s where s.request_id = r.id order by s.id desc limit 1),
                (select tolerance_pct from portfolio_settings where id = 1)
         from requests r left join business_cases b on b.request_id = r.id where r.id = $1",
    ).bind(id).fetch_one(c).await
    })?;
    let portfolio_ready = match ready {
        (Some(_), Some(cost), Some(signed), tol) => {
            duet_core::requests::signoff_holds(signed, cost, tol)
        }
        _ => false,
    };
    check(&GateFacts {
        status,
        lane,
        attempt_on,
        portfolio_ready,
        need_confirmed,
    })
    .map_err(StoreError::Conflict)?;
    let (note, reason, until, risk, yes_if) = match decision {
        Decision::Accept => (None, None, None, None, None),
        Decision::Defer { until, note } => (Some(note.clone()), None, Some(*until), None, None),
        Decision::Decline {
            reason,
            note,
            security_risk,
            security_yes_if,
            ..
        } => (
            Some(note.clone()),
            Some(reason.as_str()),
            None,
            security_risk.clone(),
            security_yes_if.clone(),
        ),
    };
    on_db!(tx, |c| {
        sqlx::query(
        "update requests set status = $1, decided_at = $2, decision_note = $3, decline_reason = $4, deferred_until = $5,
             security_risk = $6, security_yes_if = $7, first_response_at = coalesce(first_response_at, $2), updated_at = $2
         where id = $8",
    )
    .bind(decision.status().as_str()).bind(now).bind(note.filter(|n| !n.is_empty())).bind(reason).bind(until)
    .bind(risk).bind(yes_if).bind(id)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    let detail = match decision {
        Decision::Accept => "IT accepted the request".to_string(),
        Decision::Defer { until, .. } => format!("IT deferred the request until {until}"),
        Decision::Decline {
            reason,
            alternatives,
            ..
        } => {
            for a in alternatives {
                on_db!(tx, |c| {
                    sqlx::query("insert into request_alternatives (request_id, kind, description, created_at) values ($1, $2, $3, $4)")
                    .bind(id).bind(a.kind.as_str()).bind(&a.description).bind(now).execute(c).await.map(|r| r.rows_affected())
                })?;
            }
            let offered: Vec<String> = alternatives
                .iter()
                .map(|a| format!("{}: {}", a.kind.label(), a.description))
                .collect();
            format!(
                "IT declined ({}) and offered: {}",
                reason.label().to_lowercase(),
                offered.join("; ")
            )
        }
    };
    if lane == Lane::Portfolio {
        bump_revision(&mut tx, now).await?;
    }
    record_event(&mut tx, id, Some(by), "decided", &detail, now).await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// The requester says whether they took up an offered alternative.
pub async fn answer_alternative(
    db: &Db,
    request: i64,
    alternative: i64,
    by: i64,
    taken_up: bool,
) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_request(&mut tx, request).await?;
    let done = on_db!(tx, |c| sqlx::query(
        "update request_alternatives set taken_up = $1 where id = $2 and request_id = $3"
    )
    .bind(taken_up)
    .bind(alternative)
    .bind(request)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("alternative"));
    }
    record_event(
        &mut tx,
        request,
        Some(by),
        "alternative_answered",
        &format!(
            "the requester {} an offered alternative",
            if taken_up {
                "took up"
            } else {
                "did not take up"
            }
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An executive adopts the request as its champion: it moves to the portfolio lane and its
/// requester keeps following it.
pub async fn champion(db: &Db, id: i64, executive: i64) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked {
        status, champion, ..
    } = lock_request(&mut tx, id).await?;
    if matches!(status, Status::Declined | Status::Closed) {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("a '{}' request cannot be championed", status.label()),
        )));
    }
    if champion.is_some_and(|c| c != executive) {
        return Err(StoreError::Conflict(FieldError::new(
            "champion_id",
            "this request already has a champion",
        )));
    }
    on_db!(tx, |c| sqlx::query(
        "update requests set champion_id = $1, lane = 'portfolio', updated_at = $2 where id = $3"
    )
    .bind(executive)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    bump_revision(&mut tx, now).await?;
    record_event(
        &mut tx,
        id,
        Some(executive),
        "championed",
        "an executive champion adopted the request; it moves to the portfolio",
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// An admin lets the requester champion their own request (or takes that back).
pub async fn set_self_champion_allowed(
    db: &Db,
    id: i64,
    by: i64,
    allowed: bool,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_request(&mut tx, id).await?;
    on_db!(tx, |c| sqlx::query(
        "update requests set self_champion_allowed = $1, updated_at = $2 where id = $3"
    )
    .bind(allowed)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "self_champion",
        &format!(
            "an admin {} the requester to champion it",
            if allowed {
                "allowed"
            } else {
                "no longer allows"
            }
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// A saved business case and the portfolio facts entered with it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredCase {
    /// The case.
    pub case: BusinessCase,
    /// Its evaluation.
    pub evaluation: duet_core::finance::Evaluation,
    /// Latest sign-off, if any.
    pub signoff: Option<Signoff>,
    /// Whether that sign-off still holds for the current IT cost.
    pub signoff_valid: bool,
    /// Goals the item supports.
    pub goal_ids: Vec<i64>,
}

/// A champion's signature on the IT costs.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Signoff {
    /// Who signed.
    pub champion_id: i64,
    /// Their name.
    pub champion_name: String,
    /// The IT cost signed, minor units.
    pub it_cost: i64,
    /// Tolerance in force when signed.
    pub tolerance_pct: f64,
    /// When.
    pub signed_at: DateTime<Utc>,
}

/// Saves a business case, with the item's risk, effort and goals, replacing the previous flows.
pub async fn save_business_case(
    db: &Db,
    id: i64,
    by: i64,
    case: &BusinessCase,
    risk: Risk,
    person_days: i64,
    goals: &[i64],
) -> Result<StoredCase> {
    let now = Utc::now();
    let eval = case.evaluate();
    let it_cost = case.it_cost().0;
    let mut tx = db.begin_write().await?;
    let Locked { status, .. } = lock_request(&mut tx, id).await?;
    if matches!(status, Status::Declined | Status::Closed) {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("a '{}' request's business case is frozen", status.label()),
        )));
    }
    for g in goals {
        let found: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
            "select id from business_goals where id = $1 and archived_at is null"
        )
        .bind(g)
        .fetch_optional(c)
        .await)?;
        if found.is_none() {
            return Err(StoreError::Invalid(FieldError::new(
                "goal_ids",
                format!("no active goal has id {g}"),
            )));
        }
    }
    let previous: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select it_cost from business_cases where request_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    on_db!(tx, |c| {
        sqlx::query(
        "insert into business_cases (request_id, horizon_years, discount_rate, it_cost, npv, updated_by, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (request_id) do update set horizon_years = excluded.horizon_years, discount_rate = excluded.discount_rate,
             it_cost = excluded.it_cost, npv = excluded.npv, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(id).bind(i64::from(case.horizon_years)).bind(case.discount_rate).bind(it_cost).bind(eval.npv).bind(by).bind(now)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    on_db!(tx, |c| sqlx::query(
        "delete from cash_flows where request_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for f in &case.flows {
        on_db!(tx, |c| sqlx::query(
            "insert into cash_flows (request_id, year, kind, amount) values ($1, $2, $3, $4)"
        )
        .bind(id)
        .bind(i64::from(f.year))
        .bind(f.kind.as_str())
        .bind(f.amount.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    on_db!(tx, |c| sqlx::query(
        "delete from request_goals where request_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for g in goals {
        on_db!(tx, |c| sqlx::query(
            "insert into request_goals (request_id, goal_id) values ($1, $2)"
        )
        .bind(id)
        .bind(g)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    on_db!(tx, |c| sqlx::query(
        "update requests set risk = $1, person_days = $2, updated_at = $3 where id = $4"
    )
    .bind(risk.as_str())
    .bind(person_days)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    bump_revision(&mut tx, now).await?;
    let change = match previous {
        Some((old,)) if old != it_cost => format!(" (IT cost {} → {})", Money(old), Money(it_cost)),
        _ => String::new(),
    };
    // The hand-over to the champion: the event (and so the notification every follower,
    // the champion included, receives in this transaction) says when the case now waits for
    // their sign-off, or when a change of cost made their sign-off lapse.
    let signed: Option<(i64, f64)> = on_db!(tx, |c| sqlx::query_as(
        "select it_cost, tolerance_pct from signoffs where request_id = $1 order by id desc limit 1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let was_holding = match (signed, previous) {
        (Some((s, tol)), Some((old,))) => duet_core::requests::signoff_holds(s, old, tol),
        _ => false,
    };
    let (kind, signoff) = match signed {
        None => (
            "business_case_saved",
            " — it awaits the champion's sign-off of the IT costs".to_string(),
        ),
        Some((s, tol)) if !duet_core::requests::signoff_holds(s, it_cost, tol) && was_holding => (
            "signoff_lapsed",
            format!(
                " — the champion's sign-off of {} has lapsed (IT cost rose beyond the {tol}% tolerance): it awaits the champion's sign-off again",
                Money(s)
            ),
        ),
        Some((s, tol)) if !duet_core::requests::signoff_holds(s, it_cost, tol) => (
            "business_case_saved",
            " — it awaits the champion's sign-off of the IT costs".to_string(),
        ),
        Some(_) => ("business_case_saved", String::new()),
    };
    record_event(
        &mut tx,
        id,
        Some(by),
        kind,
        &format!(
            "business case saved: NPV {}, IT cost {}{change}{signoff}",
            Money::from_major(eval.npv),
            Money(it_cost)
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    find_business_case(db, id)
        .await?
        .ok_or(StoreError::NotFound("business case"))
}

/// The business case of a request, if it has one.
pub async fn find_business_case(db: &Db, id: i64) -> Result<Option<StoredCase>> {
    let head: Option<(i64, f64)> = on_db!(db, |pool| sqlx::query_as(
        "select horizon_years, discount_rate from business_cases where request_id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    let Some((horizon, rate)) = head else {
        return Ok(None);
    };
    let rows: Vec<(i64, String, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select year, kind, amount from cash_flows where request_id = $1 order by year, id"
    )
    .bind(id)
    .fetch_all(pool)
    .await)?;
    let mut flows = Vec::with_capacity(rows.len());
    for (year, kind, amount) in rows {
        flows.push(CashFlow {
            year: u32::try_from(year).unwrap_or(0),
            kind: kind.parse::<FlowKind>().map_err(StoreError::Invalid)?,
            amount: Money(amount),
        });
    }
    let case =
        BusinessCase::new(u32::try_from(horizon).unwrap_or(0), rate, flows).map_err(|e| {
            StoreError::Invalid(
                e.0.into_iter()
                    .next()
                    .unwrap_or_else(|| FieldError::new("business_case", "is invalid")),
            )
        })?;
    let evaluation = case.evaluate();
    let signoff = on_db!(db, |pool| {
        sqlx::query_as::<_, Signoff>(
        "select s.champion_id, u.name as champion_name, s.it_cost, s.tolerance_pct, s.signed_at
         from signoffs s join users u on u.id = s.champion_id where s.request_id = $1 order by s.id desc limit 1",
    ).bind(id).fetch_optional(pool).await
    })?;
    let signoff_valid = signoff.as_ref().is_some_and(|s| {
        duet_core::requests::signoff_holds(s.it_cost, case.it_cost().0, s.tolerance_pct)
    });
    let goal_ids: Vec<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select goal_id from request_goals where request_id = $1 order by goal_id"
    )
    .bind(id)
    .fetch_all(pool)
    .await)?;
    Ok(Some(StoredCase {
        case,
        evaluation,
        signoff,
        signoff_valid,
        goal_ids: goal_ids.into_iter().map(|(g,)| g).collect(),
    }))
}

/// The champion signs off the current IT cost.
pub async fn sign_off(db: &Db, id: i64, champion: i64) -> Result<StoredCase> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_request(&mut tx, id).await?;
    let cost: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select it_cost from business_cases where request_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((cost,)) = cost else {
        return Err(StoreError::Conflict(FieldError::new(
            "business_case",
            "there is no business case to sign off yet",
        )));
    };
    let (tol,): (f64,) = on_db!(tx, |c| sqlx::query_as(
        "select tolerance_pct from portfolio_settings where id = 1"
    )
    .fetch_one(c)
    .await)?;
    on_db!(tx, |c| {
        sqlx::query("insert into signoffs (request_id, champion_id, it_cost, tolerance_pct, signed_at) values ($1, $2, $3, $4, $5)")
        .bind(id).bind(champion).bind(cost).bind(tol).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    bump_revision(&mut tx, now).await?;
    record_event(
        &mut tx,
        id,
        Some(champion),
        "signed_off",
        &format!(
            "the champion signed off IT costs of {} (tolerance {tol}%)",
            Money(cost)
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    find_business_case(db, id)
        .await?
        .ok_or(StoreError::NotFound("business case"))
}

/// Moves an accepted request along delivery; `check` approves the step against fresh facts
/// (status, lane, whether the sign-off still holds).
pub async fn advance(
    db: &Db,
    id: i64,
    by: i64,
    check: impl Fn(Status, Lane, bool) -> std::result::Result<Status, FieldError> + Send,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, lane, .. } = lock_request(&mut tx, id).await?;
    let ready: (Option<i64>, Option<i64>, Option<f64>) = on_db!(tx, |c| {
        sqlx::query_as(
        "select b.it_cost, (select s.it_cost from signoffs s where s.request_id = r.id order by s.id desc limit 1),
                (select s.tolerance_pct from signoffs s where s.request_id = r.id order by s.id desc limit 1)
         from requests r left join business_cases b on b.request_id = r.id where r.id = $1",
    ).bind(id).fetch_one(c).await
    })?;
    let signed = match ready {
        (Some(cost), Some(signed), Some(tol)) => {
            duet_core::requests::signoff_holds(signed, cost, tol)
        }
        _ => false,
    };
    let next = check(status, lane, signed).map_err(StoreError::Conflict)?;
    on_db!(tx, |c| sqlx::query(
        "update requests set status = $1, updated_at = $2 where id = $3"
    )
    .bind(next.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if lane == Lane::Portfolio {
        bump_revision(&mut tx, now).await?;
    }
    record_event(
        &mut tx,
        id,
        Some(by),
        "status_changed",
        &format!("{} → {}", status.label(), next.label()),
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// Expected against realised benefit for one year.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BenefitYear {
    /// Year of the case (0 = start).
    pub year: i64,
    /// Benefits the case expected, minor units.
    pub expected: i64,
    /// Benefits recorded as realised, if recorded.
    pub actual: Option<i64>,
}

/// Records the benefit realised in one year.
pub async fn record_benefit(
    db: &Db,
    id: i64,
    by: i64,
    year: i64,
    amount: Money,
) -> Result<Vec<BenefitYear>> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, .. } = lock_request(&mut tx, id).await?;
    if !matches!(
        status,
        Status::Delivered | Status::BenefitsRealised | Status::Closed
    ) {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "benefits are recorded once the work is delivered",
        )));
    }
    let horizon: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select horizon_years from business_cases where request_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((horizon,)) = horizon else {
        return Err(StoreError::Conflict(FieldError::new(
            "business_case",
            "there is no business case to compare with",
        )));
    };
    if year < 0 || year > horizon {
        return Err(StoreError::Invalid(FieldError::new(
            "year",
            format!("must be between 0 and the case's horizon ({horizon})"),
        )));
    }
    on_db!(tx, |c| {
        sqlx::query(
        "insert into benefit_actuals (request_id, year, amount, recorded_by, recorded_at) values ($1, $2, $3, $4, $5)
         on conflict (request_id, year) do update set amount = excluded.amount, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
    ).bind(id).bind(year).bind(amount.0).bind(by).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "benefit_recorded",
        &format!("benefits realised in year {year}: {amount}"),
        now,
    )
    .await?;
    tx.commit().await?;
    benefits(db, id).await
}

/// Expected against realised benefits, per year of the case.
pub async fn benefits(db: &Db, id: i64) -> Result<Vec<BenefitYear>> {
    let Some(case) = find_business_case(db, id).await? else {
        return Ok(Vec::new());
    };
    let actual: Vec<(i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select year, amount from benefit_actuals where request_id = $1"
    )
    .bind(id)
    .fetch_all(pool)
    .await)?;
    Ok((0..=i64::from(case.case.horizon_years))
        .map(|year| BenefitYear {
            year,
            expected: case
                .case
                .flows
                .iter()
                .filter(|f| i64::from(f.year) == year && !f.kind.is_cost())
                .map(|f| f.amount.0)
                .sum(),
            actual: actual.iter().find(|(y, _)| *y == year).map(|(_, a)| *a),
        })
        .collect())
}

/// Someone's notifications, newest first.
pub async fn notifications(db: &Db, user: i64, limit: i64) -> Result<Vec<Notification>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Notification>(
        "select id, request_id, message, created_at, read_at from notifications where user_id = $1 order by id desc limit $2",
    ).bind(user).bind(limit).fetch_all(pool).await
    })?)
}

/// How many unread notifications someone has.
pub async fn unread_count(db: &Db, user: i64) -> Result<i64> {
    let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
        "select count(*) from notifications where user_id = $1 and read_at is null"
    )
    .bind(user)
    .fetch_one(pool)
    .await)?;
    Ok(n)
}

/// Marks all of someone's notifications read.
pub async fn mark_read(db: &Db, user: i64) -> Result<()> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update notifications set read_at = $1 where user_id = $2 and read_at is null"
        )
        .bind(Utc::now())
        .bind(user)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}

/// An IT team that answers requests.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Team {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// The IT teams `duet init` creates.
pub const STANDARD_TEAMS: &[&str] = &[
    "Service Desk",
    "Applications",
    "Infrastructure",
    "Security",
    "Data & Analytics",
];

/// Creates the standard IT teams and the default portfolio settings and weights, if missing.
pub async fn ensure_decide_defaults(db: &Db) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    for t in STANDARD_TEAMS {
        on_db!(tx, |c| {
            sqlx::query("insert into it_teams (name) select $1 where not exists (select 1 from it_teams where lower(name) = lower($1))")
            .bind(*t).execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    on_db!(tx, |c| {
        sqlx::query(
        "insert into portfolio_settings (id, budget, capacity_days, tolerance_pct, wait_days, revision, updated_at)
         values (1, 250000000, 2000, 10.0, 10, 1, $1) on conflict (id) do nothing",
    ).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    let d = duet_core::portfolio::Weights::DEFAULT;
    on_db!(tx, |c| {
        sqlx::query(
        "insert into scoring_weights (version, value_weight, fit_weight, risk_weight, urgency_weight, set_by, set_at)
         select 1, $1, $2, $3, $4, null, $5 where not exists (select 1 from scoring_weights)",
    ).bind(d.value).bind(d.fit).bind(d.risk).bind(d.urgency).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// The IT teams.
pub async fn teams(db: &Db) -> Result<Vec<Team>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Team>(
        "select id, name from it_teams order by name"
    )
    .fetch_all(pool)
    .await)?)
}

/// How one IT team listens, counted by the database on the indexes of migration 0023 (kept up to
/// date on every write), so the figures cost the same at 50,000 requests as at 200.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamFigures {
    /// Team name.
    pub team: String,
    /// Requests assigned to the team.
    pub requests: i64,
    /// Of those, how many were decided (accepted or declined).
    pub decided: i64,
    /// Of those, how many were declined.
    pub declined: i64,
    /// Alternatives offered with its requests' declines.
    pub alternatives_offered: i64,
    /// Of those, how many the requester took up.
    pub alternatives_taken_up: i64,
    /// Median hours from submission to IT's first response, if any was answered.
    pub median_first_response_hours: Option<f64>,
    /// Median hours from submission to a confirmed need, if any was confirmed.
    pub median_confirmed_need_hours: Option<f64>,
}

/// Every team with at least one request, by name (see [`TeamFigures`]).
pub async fn team_figures(db: &Db) -> Result<Vec<TeamFigures>> {
    let counts: Vec<(i64, String, i64, i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select t.id, t.name, count(*),
                sum(case when r.decided_at is not null then 1 else 0 end),
                sum(case when r.decided_at is not null and r.status = 'declined' then 1 else 0 end)
         from requests r join it_teams t on t.id = r.it_team_id
         group by t.id, t.name order by t.name",
    )
    .fetch_all(pool)
    .await)?;
    let alternatives: Vec<(i64, i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select r.it_team_id, count(*), sum(case when a.taken_up then 1 else 0 end)
         from request_alternatives a join requests r on r.id = a.request_id
         where r.it_team_id is not null group by r.it_team_id",
    )
    .fetch_all(pool)
    .await)?;
    let mut out = Vec::with_capacity(counts.len());
    for (team, name, requests, decided, declined) in counts {
        let (offered, taken) = alternatives
            .iter()
            .find(|a| a.0 == team)
            .map_or((0, 0), |a| (a.1, a.2));
        out.push(TeamFigures {
            team: name,
            requests,
            decided,
            declined,
            alternatives_offered: offered,
            alternatives_taken_up: taken,
            median_first_response_hours: team_median(db, team, Hours::FirstResponse).await?,
            median_confirmed_need_hours: team_median(db, team, Hours::ConfirmedNeed).await?,
        });
    }
    Ok(out)
}

/// The two generated hour columns of migration 0023.
#[derive(Clone, Copy)]
enum Hours {
    FirstResponse,
    ConfirmedNeed,
}

/// A team's median of one hour column: its count, then the one or two middle values read in
/// index order (a step into `requests_team_*_idx`, not a sort).
async fn team_median(db: &Db, team: i64, hours: Hours) -> Result<Option<f64>> {
    let (count, middle) = match hours {
        Hours::FirstResponse => (
            "select count(*) from requests where it_team_id = $1 and first_response_hours is not null",
            "select first_response_hours from requests where it_team_id = $1 and first_response_hours is not null
             order by first_response_hours limit $2 offset $3",
        ),
        Hours::ConfirmedNeed => (
            "select count(*) from requests where it_team_id = $1 and confirmed_need_hours is not null",
            "select confirmed_need_hours from requests where it_team_id = $1 and confirmed_need_hours is not null
             order by confirmed_need_hours limit $2 offset $3",
        ),
    };
    let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(count)
        .bind(team)
        .fetch_one(pool)
        .await)?;
    if n == 0 {
        return Ok(None);
    }
    let take = if n % 2 == 0 { 2 } else { 1 };
    let values: Vec<(f64,)> = on_db!(db, |pool| sqlx::query_as(middle)
        .bind(team)
        .bind(take)
        .bind((n - 1) / 2)
        .fetch_all(pool)
        .await)?;
    Ok(Some(
        values.iter().map(|v| v.0).sum::<f64>() / values.len().max(1) as f64,
    ))
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

/// Someone's notifications, newest first, one page at a time; with a department, only those about
/// that department's requests (notifications about no request then drop out).
pub async fn page_notifications(
    db: &Db,
    user: i64,
    department: Option<i64>,
    window: PageRequest,
) -> Result<Page<Notification>> {
    const ONE: &str = "select n.id, n.request_id, n.message, n.created_at, n.read_at
        from notifications n join requests r on r.id = n.request_id
        where n.user_id = $1 and r.department_id = $2 order by n.id desc limit $3 offset $4";
    const ALL: &str = "select id, request_id, message, created_at, read_at from notifications
        where user_id = $1 order by id desc limit $2 offset $3";
    let (items, total): (Vec<Notification>, i64) = match department {
        Some(d) => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Notification>(ONE)
                .bind(user)
                .bind(d)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| {
                sqlx::query_as("select count(*) from notifications n join requests r on r.id = n.request_id where n.user_id = $1 and r.department_id = $2").bind(user).bind(d).fetch_one(pool).await
            })?;
            (rows, n)
        }
        None => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Notification>(ALL)
                .bind(user)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
                "select count(*) from notifications where user_id = $1"
            )
            .bind(user)
            .fetch_one(pool)
            .await)?;
            (rows, n)
        }
    };
    Ok(Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}
