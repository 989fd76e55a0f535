//! Placements confirmed from a cycle's matching, guests' reflections, what came back from them
//! (requests and promises linked to a reflection), and the dated rows its outcomes compare.

use super::*;
use duet_core::promises::PromiseInput;
use duet_core::requests::RequestInput;
use duet_core::rotation::entries::ReflectionInput;

/// A placement: one guest in one offer for the cycle's span.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Placement {
    /// Id.
    pub id: i64,
    /// Its cycle.
    pub cycle_id: i64,
    /// The application it answers.
    pub application_id: i64,
    /// The offer taken.
    pub offer_id: i64,
    /// The guest.
    pub person_id: i64,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// The host buddy.
    pub buddy_id: i64,
    /// What the guest means to learn.
    pub learning_goals: String,
    /// The fit's preference term when confirmed.
    pub fit_preference: f64,
    /// Its skills term.
    pub fit_skills: f64,
    /// Its relationship term.
    pub fit_relationship: f64,
    /// Whether the owner pinned it rather than the solver choosing it.
    pub pinned: bool,
    /// When it was confirmed.
    pub created_at: DateTime<Utc>,
}

const PLACEMENT: &str = "select id, cycle_id, application_id, offer_id, person_id, starts_on,
    ends_on, buddy_id, learning_goals, fit_preference, fit_skills, fit_relationship, pinned,
    created_at from rotation_placements";

/// One placement to confirm.
#[derive(Debug, Clone)]
pub struct NewPlacement {
    /// The application.
    pub application: i64,
    /// The guest.
    pub person: i64,
    /// The offer.
    pub offer: i64,
    /// Its buddy.
    pub buddy: i64,
    /// Learning goals to start from (the skills the guest wants).
    pub learning_goals: String,
    /// The fit's terms.
    pub fit: duet_core::rotation::matching::Fit,
    /// Pinned by the owner.
    pub pinned: bool,
}

/// Confirms a cycle's placements, in one transaction: the cycle is marked confirmed (409 if it
/// already was: two owners confirming at once make one set) and every placement is written;
/// an offer given more guests than its capacity refuses the whole confirmation.
pub async fn confirm(
    db: &Db,
    cycle: &Cycle,
    placements: &[NewPlacement],
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let n = on_db!(tx, |c| sqlx::query(
        "update rotation_cycles set confirmed_at = $1, confirmed_by = $2
         where id = $3 and confirmed_at is null"
    )
    .bind(now)
    .bind(by)
    .bind(cycle.id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict(FieldError::new(
            "cycle",
            "this cycle's placements are already confirmed",
        )));
    }
    for p in placements {
        on_db!(tx, |c| {
            sqlx::query(
                "insert into rotation_placements (cycle_id, application_id, offer_id, person_id,
                     starts_on, ends_on, buddy_id, learning_goals, fit_preference, fit_skills,
                     fit_relationship, pinned, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(cycle.id)
            .bind(p.application)
            .bind(p.offer)
            .bind(p.person)
            .bind(cycle.starts_on)
            .bind(cycle.ends_on)
            .bind(p.buddy)
            .bind(&p.learning_goals)
            .bind(p.fit.preference)
            .bind(p.fit.skills)
            .bind(p.fit.relationship)
            .bind(p.pinned)
            .bind(now)
            .execute(c)
            .await
            .map(|_| ())
        })?;
    }
    for p in placements {
        super::notify_person(
            &mut tx,
            p.person,
            &format!(
                "You are placed for \u{201c}{}\u{201d}, {} to {}: see your placement, its buddy and your learning goals. /rotation/{}#placements",
                cycle.title, cycle.starts_on, cycle.ends_on, cycle.id
            ),
            now,
        )
        .await?;
        super::notify_person(
            &mut tx,
            p.buddy,
            &format!(
                "You are a host buddy in \u{201c}{}\u{201d}, from {}. /rotation/{}#placements",
                cycle.title, cycle.starts_on, cycle.id
            ),
            now,
        )
        .await?;
    }
    let over: Option<(String, i64, i32)> = on_db!(tx, |c| sqlx::query_as(
        "select o.role, count(*), o.capacity from rotation_placements p
         join rotation_offers o on o.id = p.offer_id
         where p.cycle_id = $1 group by o.id, o.role, o.capacity
         having count(*) > o.capacity limit 1"
    )
    .bind(cycle.id)
    .fetch_optional(c)
    .await)?;
    if let Some((role, n, cap)) = over {
        return Err(StoreError::Invalid(FieldError::new(
            "placements",
            format!("\u{201c}{role}\u{201d} takes {cap} guest(s), not {n}: nothing was confirmed"),
        )));
    }
    tx.commit().await?;
    Ok(())
}

/// A cycle's placements.
pub async fn placements(db: &Db, cycle: i64) -> Result<Vec<Placement>> {
    let sql = format!("{PLACEMENT} where cycle_id = $1 order by id");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Placement>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(cycle)
    .fetch_all(pool)
    .await)?)
}

/// Every placement, for the outcomes and a person's own list.
pub async fn all_placements(db: &Db) -> Result<Vec<Placement>> {
    let sql = format!("{PLACEMENT} order by id");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Placement>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_all(pool)
    .await)?)
}

/// One placement.
pub async fn find_placement(db: &Db, id: i64) -> Result<Placement> {
    let sql = format!("{PLACEMENT} where id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Placement>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("placement"))
}

/// Rewrites a placement's learning goals.
pub async fn set_goals(db: &Db, id: i64, goals: &str) -> Result<()> {
    let _turn = db.write_turn().await;
    on_db!(db, |pool| sqlx::query(
        "update rotation_placements set learning_goals = $1 where id = $2"
    )
    .bind(goals)
    .bind(id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A guest's reflection.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Reflection {
    /// Id.
    pub id: i64,
    /// Its placement.
    pub placement_id: i64,
    /// `start`, `middle` or `end`.
    pub stage: String,
    /// What surprised the guest.
    pub surprised: String,
    /// A pain point of the host they now understand.
    pub pain_point: String,
    /// One change they will carry back.
    pub carry_back: String,
    /// Shared with the host department.
    pub shared: bool,
    /// When it was written (or last rewritten).
    pub created_at: DateTime<Utc>,
    /// The request it became, if any.
    pub request_id: Option<i64>,
    /// The promise it became, if any.
    pub promise_id: Option<i64>,
}

const REFLECTION: &str = "select id, placement_id, stage, surprised, pain_point, carry_back,
    shared, created_at, request_id, promise_id from rotation_reflections";

/// Writes the guest's reflection for a stage, or rewrites it (one per stage).
pub async fn reflect(
    db: &Db,
    placement: i64,
    input: &ReflectionInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let _turn = db.write_turn().await;
    let (id,): (i64,) = on_db!(db, |pool| {
        sqlx::query_as(
            "insert into rotation_reflections (placement_id, stage, surprised, pain_point,
                 carry_back, shared, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (placement_id, stage) do update set surprised = excluded.surprised,
                 pain_point = excluded.pain_point, carry_back = excluded.carry_back,
                 shared = excluded.shared, created_at = excluded.created_at
             returning id",
        )
        .bind(placement)
        .bind(input.stage.as_str())
        .bind(&input.surprised)
        .bind(&input.pain_point)
        .bind(&input.carry_back)
        .bind(input.shared)
        .bind(now)
        .fetch_one(pool)
        .await
    })?;
    Ok(id)
}

/// The reflections of some placements, in stage order.
pub async fn reflections(db: &Db, placements: &[i64]) -> Result<Vec<Reflection>> {
    if placements.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{REFLECTION} where placement_id in ({}) order by placement_id,
         case stage when 'start' then 0 when 'middle' then 1 else 2 end",
        crate::batch::list(1, placements.len())
    );
    Ok(on_db!(db, |pool| {
        let mut q = sqlx::query_as::<_, Reflection>(sqlx::AssertSqlSafe(sql));
        for p in placements {
            q = q.bind(p);
        }
        q.fetch_all(pool).await
    })?)
}

/// One reflection.
pub async fn find_reflection(db: &Db, id: i64) -> Result<Reflection> {
    let sql = format!("{REFLECTION} where id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Reflection>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("reflection"))
}

/// Refuses a second follow-up of a reflection (it became a request or a promise already).
async fn unlinked(tx: &mut crate::db::WriteTx, reflection: i64) -> Result<()> {
    let row: Option<(Option<i64>, Option<i64>)> = on_db!(tx, |c| sqlx::query_as(
        "select request_id, promise_id from rotation_reflections where id = $1"
    )
    .bind(reflection)
    .fetch_optional(c)
    .await)?;
    match row {
        None => Err(StoreError::NotFound("reflection")),
        Some((None, None)) => Ok(()),
        Some(_) => Err(StoreError::Conflict(FieldError::new(
            "reflection",
            "this reflection already became a request or a promise",
        ))),
    }
}

/// Raises a request from a reflection and links it back, in one transaction.
pub async fn insert_request_from_reflection(
    db: &Db,
    requester: i64,
    input: &RequestInput,
    reflection: i64,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    unlinked(&mut tx, reflection).await?;
    let id = crate::requests::insert_submitted(
        &mut tx,
        requester,
        input,
        "raised from a rotation reflection",
        Utc::now(),
    )
    .await?;
    on_db!(tx, |c| sqlx::query(
        "update rotation_reflections set request_id = $1 where id = $2"
    )
    .bind(id)
    .bind(reflection)
    .execute(c)
    .await
    .map(|_| ()))?;
    tx.commit().await?;
    Ok(id)
}

/// Records a promise from a reflection and links it back, in one transaction.
pub async fn insert_promise_from_reflection(
    db: &Db,
    by: i64,
    input: &PromiseInput,
    reflection: i64,
    today: NaiveDate,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    unlinked(&mut tx, reflection).await?;
    let id = crate::promises::insert_promise_in_tx(&mut tx, by, input, today, Utc::now()).await?;
    on_db!(tx, |c| sqlx::query(
        "update rotation_reflections set promise_id = $1 where id = $2"
    )
    .bind(id)
    .bind(reflection)
    .execute(c)
    .await
    .map(|_| ()))?;
    tx.commit().await?;
    Ok(id)
}

/// Requests raised in `[from, to)` per person (through their account): the outcome measure of
/// how much a person asks of IT.
pub async fn requests_per_person(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select u.person_id, count(*) from requests r join users u on u.id = r.requester_id
         where r.created_at >= $1 and r.created_at < $2 and u.person_id is not null
         group by u.person_id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await)?)
}

/// Promises made in `[from, to)` per person to a department on the other side (IT to the
/// business, the business to IT): (person, made, kept so far).
pub async fn promises_across_per_person(
    db: &Db,
    it_department: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select promisor_person_id, count(*),
             sum(case when status = 'kept' then 1 else 0 end)
         from promises
         where cast(created_at as date) >= $1 and cast(created_at as date) < $2
           and ((promisor_department_id = $3) <> (promisee_department_id = $3))
         group by promisor_person_id"
    )
    .bind(from)
    .bind(to)
    .bind(it_department)
    .fetch_all(pool)
    .await)?)
}

/// Active people with their department, for the comparison group.
pub async fn people_by_department(db: &Db) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select id, department_id from people where archived_at is null order by id"
    )
    .fetch_all(pool)
    .await)?)
}

/// What came back from a cycle: each reflection that became a request or a promise, with the
/// request's title or the promise's text and its status.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct CameBack {
    /// The reflection.
    pub reflection_id: i64,
    /// Its placement.
    pub placement_id: i64,
    /// The request it became.
    pub request_id: Option<i64>,
    /// The promise it became.
    pub promise_id: Option<i64>,
    /// The request's title or the promise's text.
    pub what: String,
    /// The request's or the promise's status now.
    pub status: String,
}

/// Every reflection of `cycle` that became a request or a promise.
pub async fn came_back(db: &Db, cycle: i64) -> Result<Vec<CameBack>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, CameBack>(
        "select r.id as reflection_id, r.placement_id, r.request_id, r.promise_id,
             coalesce(q.title, pr.text, '') as what, coalesce(q.status, pr.status, '') as status
         from rotation_reflections r
         join rotation_placements p on p.id = r.placement_id
         left join requests q on q.id = r.request_id
         left join promises pr on pr.id = r.promise_id
         where p.cycle_id = $1 and (r.request_id is not null or r.promise_id is not null)
         order by r.id"
    )
    .bind(cycle)
    .fetch_all(pool)
    .await)?)
}
