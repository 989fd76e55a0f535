//! Promise: the trust ledger — promises between departments in both directions, their history,
//! and the events the trust score is computed from.

use crate::db::WriteTx;
use crate::{Db, Page, PageRequest, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::org::Level;
use duet_core::promises::{PromiseInput, PromiseSource, PromiseStatus, TrustEvent, TrustEventKind};

/// A promise with the names a page needs.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Promise {
    /// Id.
    pub id: i64,
    /// Who promised.
    pub promisor_person_id: i64,
    /// Their name.
    pub promisor_name: String,
    /// Their department when they promised.
    pub promisor_department_id: i64,
    /// Its name.
    pub promisor_department_name: String,
    /// The department promised to.
    pub promisee_department_id: i64,
    /// Its name.
    pub promisee_department_name: String,
    /// Level it was made at.
    #[sqlx(try_from = "String")]
    pub level: Level,
    /// What was promised.
    pub text: String,
    /// When it is due.
    pub due_on: NaiveDate,
    /// Where it came from.
    #[sqlx(try_from = "String")]
    pub source: PromiseSource,
    /// The request or meeting it came from.
    pub source_id: Option<i64>,
    /// Open, kept or broken.
    #[sqlx(try_from = "String")]
    pub status: PromiseStatus,
    /// How many times the due date was moved (with the promisee's agreement).
    pub renegotiations: i64,
    /// When it was kept or broken.
    pub closed_on: Option<NaiveDate>,
    /// The account that recorded it (not necessarily the promisor: a leader or IT may record a
    /// promise in someone's name).
    pub recorded_by_id: i64,
    /// That account's name.
    pub recorded_by_name: String,
    /// Recorded (for an imported promise: the day it was made).
    pub created_at: DateTime<Utc>,
    /// Where an imported promise came from ("ServiceNow export, 2026-11"); none when it was
    /// recorded in Duet.
    pub imported_from: Option<String>,
}

macro_rules! promise_sql {
    ($($tail:tt)*) => {
        concat!(
            "select p.id, p.promisor_person_id, pp.name as promisor_name, p.promisor_department_id, fd.name as promisor_department_name,
                p.promisee_department_id, td.name as promisee_department_name, p.level, p.text, p.due_on, p.source, p.source_id,
                p.status, p.renegotiations, p.closed_on, p.recorded_by as recorded_by_id, ru.name as recorded_by_name, p.created_at, p.imported_from
             from promises p
             join people pp on pp.id = p.promisor_person_id
             join users ru on ru.id = p.recorded_by
             join departments fd on fd.id = p.promisor_department_id
             join departments td on td.id = p.promisee_department_id ",
            $($tail)*
        )
    };
}

/// Why a promise was not inserted, asked only after the insert (which checks the same) found
/// nothing to insert: an active promisor, an active promisee department, another department
/// than the promisor's — in that order, each refused with its own words.
async fn refuse_promise(tx: &mut WriteTx, input: &PromiseInput) -> Result<StoreError> {
    let person: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select department_id from people where id = $1 and archived_at is null",
    )
    .bind(input.promisor)
    .fetch_optional(c)
    .await)?;
    let Some((from_dept,)) = person else {
        return Err(StoreError::Invalid(FieldError::new(
            "promisor_id",
            "no active person has this id",
        )));
    };
    let dept: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select id from departments where id = $1 and archived_at is null"
    )
    .bind(input.promisee_department)
    .fetch_optional(c)
    .await)?;
    if dept.is_none() {
        return Err(StoreError::Invalid(FieldError::new(
            "promisee_department_id",
            "no active department has this id",
        )));
    }
    if from_dept == input.promisee_department {
        return Err(StoreError::Invalid(FieldError::new(
            "promisee_department_id",
            "a promise in the ledger is made to another department",
        )));
    }
    // Only if the person or department changed between the two statements (PostgreSQL).
    Ok(StoreError::Conflict(FieldError::new(
        "promisor_id",
        "the promisor or the department changed meanwhile; try again",
    )))
}

/// Inserts a promise and its "made" event inside the caller's write transaction; evaluates to
/// the new id. Shared by `insert_promise` and by review decisions that become promises. The
/// checks on promisor and department are part of the insert, and run on their own only when it
/// inserted nothing (to say why): two statements less inside the writer turn.
pub(crate) async fn insert_promise_in_tx(
    tx: &mut WriteTx,
    by: i64,
    input: &PromiseInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64> {
    let row: Option<(i64,)> = on_db!(tx, |c| {
        sqlx::query_as(
        "insert into promises (promisor_person_id, promisor_department_id, promisee_department_id, level, text, due_on, source,
             source_id, status, recorded_by, created_at, updated_at)
         select p.id, p.department_id, d.id, $3, $4, $5, $6, $7, 'open', $8, $9, $9
         from people p join departments d on d.id = $2 and d.archived_at is null
         where p.id = $1 and p.archived_at is null and p.department_id <> d.id
         returning id",
    )
    .bind(input.promisor).bind(input.promisee_department).bind(input.level.as_str()).bind(&input.text)
    .bind(input.due_on).bind(input.source.as_str()).bind(input.source_id).bind(by).bind(now)
    .fetch_optional(c).await
    })?;
    let Some((id,)) = row else {
        return Err(refuse_promise(tx, input).await?);
    };
    on_db!(tx, |c| {
        sqlx::query("insert into promise_events (promise_id, on_date, at, actor_id, kind, detail) values ($1, $2, $3, $4, 'made', $5)")
        .bind(id).bind(today).bind(now).bind(by).bind(format!("promised, due {}", input.due_on)).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// One promise.
pub async fn find_promise(db: &Db, id: i64) -> Result<Promise> {
    const SQL: &str = promise_sql!("where p.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Promise>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?
    .ok_or(StoreError::NotFound("promise"))
}

/// Filters for the ledger (hashable, so a page of the ledger can be cached by its filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PromiseFilter {
    /// Made by this department.
    pub from: Option<i64>,
    /// Made to this department.
    pub to: Option<i64>,
    /// Only open ones.
    pub open_only: bool,
    /// Only open ones past their due date (as of this day).
    pub overdue_on: Option<NaiveDate>,
}

/// Lists promises, soonest due first for open ones.
pub async fn list_promises(db: &Db, f: &PromiseFilter, page: PageRequest) -> Result<Page<Promise>> {
    macro_rules! filter {
        () => {
            "where ($1 is null or p.promisor_department_id = $1) and ($2 is null or p.promisee_department_id = $2)
               and ($3 = false or p.status = 'open') and ($4 is null or (p.status = 'open' and p.due_on < $4)) "
        };
    }
    const SQL: &str = promise_sql!(
        filter!(),
        "order by case when p.status = 'open' then 0 else 1 end, p.due_on, p.id limit $5 offset $6"
    );
    const COUNT: &str = concat!("select count(*) from promises p ", filter!());
    let (items, total) = on_db!(db, |pool| {
        let items = sqlx::query_as::<_, Promise>(SQL)
            .bind(f.from)
            .bind(f.to)
            .bind(f.open_only)
            .bind(f.overdue_on)
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(pool)
            .await?;
        let (total,): (i64,) = sqlx::query_as(COUNT)
            .bind(f.from)
            .bind(f.to)
            .bind(f.open_only)
            .bind(f.overdue_on)
            .fetch_one(pool)
            .await?;
        (items, total)
    });
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// Closes an open promise as kept (on time or late, by `today` against the due date) or broken.
pub async fn close_promise(
    db: &Db,
    id: i64,
    by: i64,
    kept: bool,
    today: NaiveDate,
) -> Result<Promise> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let row: Option<(String, NaiveDate)> = on_db!(tx, |c| sqlx::query_as(
        "select status, due_on from promises where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((status, due)) = row else {
        return Err(StoreError::NotFound("promise"));
    };
    if status != "open" {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("this promise is already {status}"),
        )));
    }
    let kind = match (kept, today <= due) {
        (true, true) => TrustEventKind::KeptOnTime,
        (true, false) => TrustEventKind::KeptLate,
        (false, _) => TrustEventKind::Broken,
    };
    on_db!(tx, |c| sqlx::query(
        "update promises set status = $1, closed_on = $2, updated_at = $3 where id = $4"
    )
    .bind(if kept { "kept" } else { "broken" })
    .bind(today)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let (kind_name, detail) = match kind {
        TrustEventKind::KeptOnTime => ("kept_on_time", "kept on time".to_string()),
        TrustEventKind::KeptLate => (
            "kept_late",
            format!("kept, {} day(s) late", (today - due).num_days()),
        ),
        _ => ("broken", "broken".to_string()),
    };
    on_db!(tx, |c| {
        sqlx::query("insert into promise_events (promise_id, on_date, at, actor_id, kind, detail) values ($1, $2, $3, $4, $5, $6)")
        .bind(id).bind(today).bind(now).bind(by).bind(kind_name).bind(detail).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    find_promise(db, id).await
}

/// Moves the due date of an open promise, agreed by the promisee before it was due; `check` is
/// the rule in core, run against the due date read inside the transaction.
pub async fn renegotiate(
    db: &Db,
    id: i64,
    by: i64,
    new_due: NaiveDate,
    today: NaiveDate,
    check: impl Fn(NaiveDate) -> std::result::Result<(), FieldError> + Send,
) -> Result<Promise> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let row: Option<(String, NaiveDate)> = on_db!(tx, |c| sqlx::query_as(
        "select status, due_on from promises where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((status, due)) = row else {
        return Err(StoreError::NotFound("promise"));
    };
    if status != "open" {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("this promise is already {status}"),
        )));
    }
    check(due).map_err(StoreError::Conflict)?;
    on_db!(tx, |c| {
        sqlx::query("update promises set due_on = $1, renegotiations = renegotiations + 1, updated_at = $2 where id = $3")
        .bind(new_due).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    on_db!(tx, |c| {
        sqlx::query("insert into promise_events (promise_id, on_date, at, actor_id, kind, detail) values ($1, $2, $3, $4, 'renegotiated', $5)")
        .bind(id).bind(today).bind(now).bind(by).bind(format!("due date moved from {due} to {new_due}, agreed by the promisee")).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    find_promise(db, id).await
}

/// One line of a promise's history.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PromiseEvent {
    /// Promise.
    pub promise_id: i64,
    /// The promise's text.
    pub text: String,
    /// Day.
    pub on_date: NaiveDate,
    /// The account that did it (for `made`: who recorded the promise, not who promised).
    pub actor_name: Option<String>,
    /// Who made the promise, so a `made` line credits the promisor, not the recorder.
    pub promisor_name: String,
    /// made, kept_on_time, kept_late, broken, renegotiated.
    pub kind: String,
    /// In words.
    pub detail: String,
}

/// The history of one promise, or of every promise one department made to another.
pub async fn events(
    db: &Db,
    promise: Option<i64>,
    pair: Option<(i64, i64)>,
) -> Result<Vec<PromiseEvent>> {
    // One statement per case, each with plain equalities, so the planner reaches the events
    // through `promise_events_promise_idx` (one promise) or `promises_pair_idx` (one pair)
    // instead of scanning every event of the ledger (`$1 is null or …` hides both indexes).
    macro_rules! events_sql {
        ($where:literal) => {
            concat!(
                "select e.promise_id, p.text, e.on_date, u.name as actor_name, pp.name as promisor_name, e.kind, e.detail
                 from promise_events e join promises p on p.id = e.promise_id join people pp on pp.id = p.promisor_person_id
                 left join users u on u.id = e.actor_id ",
                $where,
                " order by e.on_date desc, e.id desc limit 500"
            )
        };
    }
    const ONE: &str = events_sql!("where e.promise_id = $1");
    const ONE_IN_PAIR: &str = events_sql!(
        "where e.promise_id = $1 and p.promisor_department_id = $2 and p.promisee_department_id = $3"
    );
    const PAIR: &str =
        events_sql!("where p.promisor_department_id = $1 and p.promisee_department_id = $2");
    const ALL: &str = events_sql!("");
    Ok(match (promise, pair) {
        (Some(id), None) => on_db!(db, |pool| sqlx::query_as::<_, PromiseEvent>(ONE)
            .bind(id)
            .fetch_all(pool)
            .await)?,
        (Some(id), Some((f, t))) => {
            on_db!(db, |pool| sqlx::query_as::<_, PromiseEvent>(ONE_IN_PAIR)
                .bind(id)
                .bind(f)
                .bind(t)
                .fetch_all(pool)
                .await)?
        }
        (None, Some((f, t))) => on_db!(db, |pool| sqlx::query_as::<_, PromiseEvent>(PAIR)
            .bind(f)
            .bind(t)
            .fetch_all(pool)
            .await)?,
        (None, None) => on_db!(db, |pool| sqlx::query_as::<_, PromiseEvent>(ALL)
            .fetch_all(pool)
            .await)?,
    })
}

/// The active account of a person, if they have one: a promise in their name may be recorded
/// by them.
pub async fn account_of_person(db: &Db, person: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select id from users where person_id = $1 and disabled_at is null order by id limit 1",
    )
    .bind(person)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|(id,)| id))
}

/// Moves a promise's history back by `days` (demo only, to give the ledger a believable year).
#[cfg(feature = "demo")]
pub async fn shift_promise(db: &Db, id: i64, days: i64) -> Result<()> {
    let back = chrono::Duration::days(days);
    let mut tx = db.begin_write().await?;
    {
        let (due, closed, created): (NaiveDate, Option<NaiveDate>, DateTime<Utc>) = on_db!(
            tx,
            |c| sqlx::query_as("select due_on, closed_on, created_at from promises where id = $1")
                .bind(id)
                .fetch_optional(c)
                .await
        )?
        .ok_or(StoreError::NotFound("promise"))?;
        on_db!(tx, |c| {
            sqlx::query("update promises set due_on = $1, closed_on = $2, created_at = $3, updated_at = $3 where id = $4")
            .bind(due - back).bind(closed.map(|c| c - back)).bind(created - back).bind(id).execute(c).await.map(|r| r.rows_affected())
        })?;
        let evs: Vec<(i64, NaiveDate, DateTime<Utc>)> = on_db!(tx, |c| sqlx::query_as(
            "select id, on_date, at from promise_events where promise_id = $1"
        )
        .bind(id)
        .fetch_all(c)
        .await)?;
        for (eid, on, at) in evs {
            on_db!(tx, |c| sqlx::query(
                "update promise_events set on_date = $1, at = $2 where id = $3"
            )
            .bind(on - back)
            .bind(at - back)
            .bind(eid)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
    };
    tx.commit().await?;
    Ok(())
}

/// The reminder's wording: a promise still ahead is "due on X … before then"; one whose date has
/// passed (reminders also reach promises already overdue) "was due on X", so nobody is asked to
/// act before a day that is gone.
fn reminder_text(to: &str, text: &str, due_on: NaiveDate, today: NaiveDate, id: i64) -> String {
    if due_on < today {
        format!(
            "Reminder: your promise to {to} (“{text}”) was due on {due_on}: mark it kept, or agree a new date with {to}: /promises/{id}"
        )
    } else {
        format!(
            "Reminder: your promise to {to} (“{text}”) is due on {due_on}. Keep it, or agree a new date with {to} before then: /promises/{id}"
        )
    }
}

/// Sends the reminders that are due: every open promise due within `days` that has not been
/// reminded gets one notification to its promisor's account. Each promise is claimed with a
/// conditional update first, so replicas running this at once never remind twice. Returns how
/// many promises were reminded.
pub async fn send_reminders(db: &Db, today: NaiveDate, days: i64) -> Result<u64> {
    let horizon = today + chrono::Duration::days(days);
    let due: Vec<(i64, String, NaiveDate, i64, String)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select p.id, p.text, p.due_on, p.promisor_person_id, d.name from promises p join departments d on d.id = p.promisee_department_id
         where p.status = 'open' and p.reminded_at is null and p.due_on <= $1",
    ).bind(horizon).fetch_all(pool).await
    })?;
    let mut sent = 0;
    for (id, text, due_on, person, to) in due {
        let now = Utc::now();
        let mut tx = db.begin_write().await?;
        let claimed = {
            let n = on_db!(tx, |c| sqlx::query(
                "update promises set reminded_at = $1 where id = $2 and reminded_at is null"
            )
            .bind(now)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            if n == 1 {
                on_db!(tx, |c| {
                    sqlx::query("insert into notifications (user_id, request_id, message, created_at, kind) select id, null, $1, $2, 'promise' from users where person_id = $3 and disabled_at is null")
                    .bind(reminder_text(&to, &text, due_on, today, id))
                    .bind(now).bind(person).execute(c).await.map(|r| r.rows_affected())
                })?;
            }
            n == 1
        };
        tx.commit().await?;
        if claimed {
            sent += 1;
        }
    }
    Ok(sent)
}

mod history;
mod record;
mod trust;
pub use history::*;
pub use record::*;
pub use trust::*;
