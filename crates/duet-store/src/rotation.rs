//! Swap: the rotation programme's records — cycles and the departments taking part, host
//! departments' offers, applications with their ranked host departments and their manager's
//! release, placements confirmed from a matching, and guests' reflections (`placements`).

pub mod placements;

use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::rotation::cycles::CycleInput;
use duet_core::rotation::entries::{ApplicationInput, OfferInput, Release};

/// A rotation cycle.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Cycle {
    /// Id.
    pub id: i64,
    /// What people see.
    pub title: String,
    /// The last day applications and offers are taken.
    pub call_closes_on: NaiveDate,
    /// The placements' first day.
    pub starts_on: NaiveDate,
    /// The placements' last day.
    pub ends_on: NaiveDate,
    /// How long each placement lasts.
    pub weeks: i32,
    /// `full_time` or `part_time`.
    pub commitment: String,
    /// The share of a department (percent) that may be away at once.
    pub away_percent: i32,
    /// The programme owner who opened it.
    pub owner_id: i64,
    /// When the owner confirmed the placements (the call closes then).
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Who confirmed them.
    pub confirmed_by: Option<i64>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
}

const CYCLE: &str = "select id, title, call_closes_on, starts_on, ends_on, weeks, commitment,
    away_percent, owner_id, confirmed_at, confirmed_by, created_at from rotation_cycles";

/// Opens a cycle with the departments taking part, in one transaction.
pub async fn insert_cycle(
    db: &Db,
    input: &CycleInput,
    away_percent: u32,
    owner: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    let (id,): (i64,) = on_db!(tx, |c| {
        sqlx::query_as(
            "insert into rotation_cycles (title, call_closes_on, starts_on, ends_on, weeks,
                 commitment, away_percent, owner_id, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        )
        .bind(&input.title)
        .bind(input.call_closes_on)
        .bind(input.starts_on)
        .bind(input.ends_on())
        .bind(input.weeks as i32)
        .bind(input.commitment.as_str())
        .bind(away_percent as i32)
        .bind(owner)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    for d in &input.departments {
        on_db!(tx, |c| sqlx::query(
            "insert into rotation_cycle_departments (cycle_id, department_id) values ($1, $2)"
        )
        .bind(id)
        .bind(d)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Every cycle, the latest start first.
pub async fn list_cycles(db: &Db) -> Result<Vec<Cycle>> {
    let sql = format!("{CYCLE} order by starts_on desc, id desc");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Cycle>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_all(pool)
    .await)?)
}

/// One cycle.
pub async fn find_cycle(db: &Db, id: i64) -> Result<Cycle> {
    let sql = format!("{CYCLE} where id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Cycle>(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("rotation cycle"))
}

/// The departments taking part in a cycle.
pub async fn cycle_departments(db: &Db, cycle: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select department_id from rotation_cycle_departments where cycle_id = $1 order by department_id"
    )
    .bind(cycle)
    .fetch_all(pool)
    .await
    })?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}

/// A placement a host department offers.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Offer {
    /// Id.
    pub id: i64,
    /// Its cycle.
    pub cycle_id: i64,
    /// The host department.
    pub department_id: i64,
    /// The role the guest takes.
    pub role: String,
    /// What the guest will do.
    pub work: String,
    /// The host buddy (a person of the host department).
    pub buddy_id: i64,
    /// How many guests it takes.
    pub capacity: i32,
    /// Skills it teaches, comma-separated.
    pub teaches: String,
    /// Skills the host needs, comma-separated.
    pub needs: String,
    /// Who offered it.
    pub created_by: i64,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Refuses a write to a cycle whose placements are confirmed (the call closed then).
async fn still_open(tx: &mut crate::db::WriteTx, cycle: i64) -> Result<()> {
    let row: Option<(Option<DateTime<Utc>>,)> = on_db!(tx, |c| sqlx::query_as(
        "select confirmed_at from rotation_cycles where id = $1"
    )
    .bind(cycle)
    .fetch_optional(c)
    .await)?;
    match row {
        None => Err(StoreError::NotFound("rotation cycle")),
        Some((Some(_),)) => Err(StoreError::Conflict(FieldError::new(
            "cycle",
            "this cycle's placements are confirmed: its call is closed",
        ))),
        Some((None,)) => Ok(()),
    }
}

/// Adds a host department's offer to an open cycle.
pub async fn insert_offer(
    db: &Db,
    cycle: i64,
    department: i64,
    input: &OfferInput,
    buddy: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    still_open(&mut tx, cycle).await?;
    let (id,): (i64,) = on_db!(tx, |c| {
        sqlx::query_as(
            "insert into rotation_offers (cycle_id, department_id, role, work, buddy_id, capacity,
                 teaches, needs, created_by, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
        )
        .bind(cycle)
        .bind(department)
        .bind(&input.role)
        .bind(&input.work)
        .bind(buddy)
        .bind(input.capacity as i32)
        .bind(input.teaches.join(", "))
        .bind(input.needs.join(", "))
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    tx.commit().await?;
    Ok(id)
}

/// A cycle's offers, by host department.
pub async fn offers(db: &Db, cycle: i64) -> Result<Vec<Offer>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Offer>(
        "select id, cycle_id, department_id, role, work, buddy_id, capacity, teaches, needs,
             created_by, created_at from rotation_offers where cycle_id = $1
         order by department_id, id"
    )
    .bind(cycle)
    .fetch_all(pool)
    .await)?)
}

/// An application to a cycle.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Application {
    /// Id.
    pub id: i64,
    /// Its cycle.
    pub cycle_id: i64,
    /// The applicant.
    pub person_id: i64,
    /// Their department when they applied (their team, for the cap).
    pub department_id: i64,
    /// Why they apply.
    pub interests: String,
    /// Skills they bring, comma-separated.
    pub brings: String,
    /// Skills they want, comma-separated.
    pub wants: String,
    /// When they can be away.
    pub availability: String,
    /// `pending`, `released` or `declined`.
    pub release_state: String,
    /// The manager's reason (required to decline).
    pub release_reason: String,
    /// The manager who answered.
    pub released_by: Option<i64>,
    /// When.
    pub released_at: Option<DateTime<Utc>>,
    /// When they applied.
    pub created_at: DateTime<Utc>,
    /// Host departments, first choice first (filled from `rotation_choices`).
    #[sqlx(skip)]
    pub choices: Vec<i64>,
}

const APPLICATION: &str = "select id, cycle_id, person_id, department_id, interests, brings,
    wants, availability, release_state, release_reason, released_by, released_at, created_at
    from rotation_applications";

async fn with_choices(db: &Db, mut apps: Vec<Application>, cycle: i64) -> Result<Vec<Application>> {
    let rows: Vec<(i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select c.application_id, c.department_id from rotation_choices c
         join rotation_applications a on a.id = c.application_id
         where a.cycle_id = $1 order by c.application_id, c.rank"
    )
    .bind(cycle)
    .fetch_all(pool)
    .await)?;
    let mut by: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for (a, d) in rows {
        by.entry(a).or_default().push(d);
    }
    for a in &mut apps {
        a.choices = by.remove(&a.id).unwrap_or_default();
    }
    Ok(apps)
}

/// A cycle's applications, in the order they came.
pub async fn applications(db: &Db, cycle: i64) -> Result<Vec<Application>> {
    let sql = format!("{APPLICATION} where cycle_id = $1 order by id");
    let apps = on_db!(db, |pool| sqlx::query_as::<_, Application>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(cycle)
    .fetch_all(pool)
    .await)?;
    with_choices(db, apps, cycle).await
}

/// One application.
pub async fn find_application(db: &Db, id: i64) -> Result<Application> {
    let sql = format!("{APPLICATION} where id = $1");
    let app = on_db!(db, |pool| sqlx::query_as::<_, Application>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("application"))?;
    let cycle = app.cycle_id;
    Ok(with_choices(db, vec![app], cycle).await?.remove(0))
}

/// Records an application with its ranked host departments, in one transaction. Refused (409)
/// when the cycle's placements are confirmed, when the person already applied to it, or when
/// they take part in another cycle whose placements overlap this one's (an application not
/// declined by their manager, or a placement).
pub async fn insert_application(
    db: &Db,
    cycle: &Cycle,
    person: i64,
    department: i64,
    input: &ApplicationInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    still_open(&mut tx, cycle.id).await?;
    let clash: Option<(String,)> = on_db!(tx, |c| {
        sqlx::query_as(
        "select c.title from rotation_applications a join rotation_cycles c on c.id = a.cycle_id
         where a.person_id = $1 and a.cycle_id <> $2 and a.release_state <> 'declined'
           and c.starts_on <= $3 and $4 <= c.ends_on
         limit 1"
    )
    .bind(person)
    .bind(cycle.id)
    .bind(cycle.ends_on)
    .bind(cycle.starts_on)
    .fetch_optional(c)
    .await
    })?;
    if let Some((title,)) = clash {
        return Err(StoreError::Conflict(FieldError::new(
            "cycle",
            format!(
                "you take part in \u{201c}{title}\u{201d}, whose placements overlap this cycle's: one rotation at a time"
            ),
        )));
    }
    let row: Option<(i64,)> = on_db!(tx, |c| {
        sqlx::query_as(
            "insert into rotation_applications (cycle_id, person_id, department_id, interests,
                 brings, wants, availability, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing returning id",
        )
        .bind(cycle.id)
        .bind(person)
        .bind(department)
        .bind(&input.interests)
        .bind(input.brings.join(", "))
        .bind(input.wants.join(", "))
        .bind(&input.availability)
        .bind(now)
        .fetch_optional(c)
        .await
    })?;
    let Some((id,)) = row else {
        return Err(StoreError::Conflict(FieldError::new(
            "cycle",
            "you have already applied to this cycle",
        )));
    };
    let leader: Option<(Option<i64>, String)> = on_db!(tx, |c| sqlx::query_as(
        "select d.leader_id, p.name from departments d, people p where d.id = $1 and p.id = $2"
    )
    .bind(department)
    .bind(person)
    .fetch_optional(c)
    .await)?;
    if let Some((Some(manager), name)) = leader {
        notify_person(
            &mut tx,
            manager,
            &format!(
                "{name} applied to \u{201c}{}\u{201d}: release them or decline with a reason. /rotation/{}#applications",
                cycle.title, cycle.id
            ),
            now,
        )
        .await?;
    }
    for (rank, d) in input.choices.iter().enumerate() {
        on_db!(tx, |c| sqlx::query(
            "insert into rotation_choices (application_id, rank, department_id) values ($1, $2, $3)"
        )
        .bind(id)
        .bind(rank as i32)
        .bind(d)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Records the manager's answer to an application; they may change it until the cycle's
/// placements are confirmed (409 after).
pub async fn release(
    db: &Db,
    application: &Application,
    decision: Release,
    reason: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    still_open(&mut tx, application.cycle_id).await?;
    on_db!(tx, |c| sqlx::query(
        "update rotation_applications set release_state = $1, release_reason = $2,
             released_by = $3, released_at = $4 where id = $5"
    )
    .bind(decision.as_str())
    .bind(reason)
    .bind(by)
    .bind(now)
    .bind(application.id)
    .execute(c)
    .await
    .map(|_| ()))?;
    let message = match decision {
        Release::Declined => format!(
            "Your manager did not release you for this rotation: {reason}. /rotation/{}#applications",
            application.cycle_id
        ),
        _ => format!(
            "Your manager released you for the rotation: the programme owner matches applicants next. /rotation/{}#applications",
            application.cycle_id
        ),
    };
    notify_person(&mut tx, application.person_id, &message, now).await?;
    tx.commit().await?;
    Ok(())
}

/// How many people of each department are placed in another cycle whose placements overlap
/// `(starts, ends)`: they count against this cycle's team caps.
pub async fn away_elsewhere(
    db: &Db,
    cycle: i64,
    starts: NaiveDate,
    ends: NaiveDate,
) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select a.department_id, count(*) from rotation_placements p
         join rotation_applications a on a.id = p.application_id
         where p.cycle_id <> $1 and p.starts_on <= $2 and $3 <= p.ends_on
         group by a.department_id"
    )
    .bind(cycle)
    .bind(ends)
    .bind(starts)
    .fetch_all(pool)
    .await)?)
}

/// Leaves a rotation notice for the account of `person` (none without an account), in `tx`.
pub(crate) async fn notify_person(
    tx: &mut crate::db::WriteTx,
    person: i64,
    message: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_db!(tx, |c| {
        sqlx::query(
        "insert into notifications (user_id, request_id, message, created_at, kind)
         select id, null, $1, $2, 'rotation' from users where person_id = $3 and disabled_at is null"
    )
    .bind(message)
    .bind(now)
    .bind(person)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Active people per department (a team's headcount, for its cap).
pub async fn headcounts(db: &Db) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "select department_id, count(*) from people where archived_at is null group by department_id"
    )
    .fetch_all(pool)
    .await
    })?)
}

/// Names and departments of some people (applicants, guests, buddies), for pages.
pub async fn people(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select id, name, department_id from people where id in ({})",
        crate::batch::list(1, ids.len())
    );
    Ok(on_db!(db, |pool| {
        let mut q = sqlx::query_as::<_, (i64, String, i64)>(sqlx::AssertSqlSafe(sql));
        for p in ids {
            q = q.bind(p);
        }
        q.fetch_all(pool).await
    })?)
}
