//! Unity: the software register (entries, their security reviews and conditions), and the
//! advisories and findings of `advisories`.

pub mod advisories;

use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::requests::RequestInput;
use duet_core::software::register::{Found, ReviewInput, SoftwareInput};

/// A register entry, with its latest review and open findings.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Software {
    /// Id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its vendor.
    pub vendor: String,
    /// What it is for.
    pub purpose: String,
    /// Its kind ("video calls"); tools of one kind in two departments are an overlap.
    pub category: String,
    /// The owning department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// The business owner.
    pub owner_person_id: Option<i64>,
    /// Their name.
    pub owner_name: Option<String>,
    /// `public`, `internal`, `personal` or `sensitive`.
    pub data_class: String,
    /// How many use it.
    pub users: i32,
    /// Each renewal's cost, in minor units.
    pub cost_minor: Option<i64>,
    /// The next renewal.
    pub renewal_on: Option<NaiveDate>,
    /// `none`, `monthly`, `quarterly` or `yearly`.
    pub renewal_interval: String,
    /// `declared`, `imported` or `first_seen`.
    pub found: String,
    /// Its CPE 2.3 name.
    pub cpe: Option<String>,
    /// Its package URL.
    pub purl: Option<String>,
    /// The version in use.
    pub version: Option<String>,
    /// Other names, `vendor/product` per line.
    pub aliases: String,
    /// The request its declaration opened (the need it meets).
    pub request_id: Option<i64>,
    /// The latest review's decision, if reviewed.
    pub decision: Option<String>,
    /// When it is to be reviewed again (the latest review's date, or an earlier KEV due date).
    pub review_again_on: Option<NaiveDate>,
    /// Conditions not met yet.
    pub open_conditions: i64,
    /// Findings open or confirmed.
    pub open_findings: i64,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

const SOFTWARE: &str = "select s.id, s.name, s.vendor, s.purpose, s.category, s.department_id,
    d.name as department_name, s.owner_person_id, p.name as owner_name, s.data_class, s.users,
    s.cost_minor, s.renewal_on, s.renewal_interval, s.found, s.cpe, s.purl, s.version, s.aliases,
    s.request_id,
    (select r.decision from software_reviews r where r.software_id = s.id order by r.id desc limit 1) as decision,
    (select r.review_again_on from software_reviews r where r.software_id = s.id order by r.id desc limit 1) as review_again_on,
    (select count(*) from software_conditions c where c.software_id = s.id and c.met_at is null
        and c.review_id = (select max(r.id) from software_reviews r where r.software_id = s.id)) as open_conditions,
    (select count(*) from software_findings f where f.software_id = s.id and f.status in ('open', 'confirmed')) as open_findings,
    s.created_at
    from software s join departments d on d.id = s.department_id
    left join people p on p.id = s.owner_person_id";

/// Every entry, by department and name (or one department's).
pub async fn list_software(db: &Db, department: Option<i64>) -> Result<Vec<Software>> {
    let sql = format!(
        "{SOFTWARE} where ($1 is null or s.department_id = $1) order by d.name, s.name, s.id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Software>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(department)
    .fetch_all(pool)
    .await)?)
}

/// One entry.
pub async fn find_software(db: &Db, id: i64) -> Result<Software> {
    let sql = format!("{SOFTWARE} where s.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Software>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("software"))
}

fn aliases_text(input: &SoftwareInput) -> String {
    input
        .aliases
        .iter()
        .map(|(v, p)| format!("{v}/{p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The id of the same tool (vendor and name, without case) already in `input`'s department.
async fn existing_in_tx(tx: &mut crate::db::WriteTx, input: &SoftwareInput) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_db!(tx, |c| {
        sqlx::query_as(
        "select id from software where department_id = $1 and lower(name) = lower($2) and lower(vendor) = lower($3)"
    )
    .bind(input.department)
    .bind(&input.name)
    .bind(&input.vendor)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|(id,)| id))
}

/// Writes one entry's row in `tx`.
async fn insert_in_tx(
    tx: &mut crate::db::WriteTx,
    input: &SoftwareInput,
    found: Found,
    by: Option<i64>,
    request_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (id,): (i64,) = on_db!(tx, |c| {
        sqlx::query_as(
            "insert into software (name, vendor, purpose, category, department_id, owner_person_id,
                 data_class, users, cost_minor, renewal_on, renewal_interval, found, cpe, purl,
                 version, aliases, request_id, declared_by, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
             returning id",
        )
        .bind(&input.name)
        .bind(&input.vendor)
        .bind(&input.purpose)
        .bind(&input.category)
        .bind(input.department)
        .bind(input.owner)
        .bind(input.data_class.as_str())
        .bind(input.users as i32)
        .bind(input.cost.map(|m| m.0))
        .bind(input.renewal_on)
        .bind(input.interval.as_str())
        .bind(found.as_str())
        .bind(input.cpe.as_ref().map(|c| c.formatted()))
        .bind(input.purl.as_ref().map(purl_text))
        .bind(&input.version)
        .bind(aliases_text(input))
        .bind(request_id)
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    Ok(id)
}

/// Adds an entry; a declaration (`need`: the request stating the need it meets, raised by
/// `by`) opens that request in the same transaction. The same tool (vendor and name) already in
/// the department's register is refused (409), pointing to it.
pub async fn insert_software(
    db: &Db,
    input: &SoftwareInput,
    found: Found,
    by: Option<i64>,
    need: Option<&RequestInput>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    if let Some(id) = existing_in_tx(&mut tx, input).await? {
        return Err(StoreError::Conflict(FieldError::new(
            "name",
            format!(
                "{} is already in this department's register: /software/{id}",
                input.name
            ),
        )));
    }
    let request_id = match (need, by) {
        (Some(need), Some(by)) => Some(
            crate::requests::insert_submitted(
                &mut tx,
                by,
                need,
                "opened by declaring a tool in the software register",
                now,
            )
            .await?,
        ),
        _ => None,
    };
    let id = insert_in_tx(&mut tx, input, found, by, request_id, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds many entries found elsewhere (an expense export) in one transaction: all or none.
pub async fn insert_many(
    db: &Db,
    inputs: &[SoftwareInput],
    by: i64,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let mut tx = db.begin_write().await?;
    let mut ids = Vec::with_capacity(inputs.len());
    for input in inputs {
        if existing_in_tx(&mut tx, input).await?.is_some() {
            return Err(StoreError::Conflict(FieldError::new(
                "items",
                format!(
                    "{} is already in this department's register: nothing was added",
                    input.name
                ),
            )));
        }
        ids.push(insert_in_tx(&mut tx, input, Found::Imported, Some(by), None, now).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// A package URL as stored: `pkg:type/namespace/name@version`.
pub fn purl_text(p: &duet_core::software::identifiers::Purl) -> String {
    match &p.version {
        Some(v) => format!("pkg:{}@{v}", p.key()),
        None => format!("pkg:{}", p.key()),
    }
}

/// Rewrites an entry (its department may change; how it was found and its request stay).
pub async fn update_software(
    db: &Db,
    id: i64,
    input: &SoftwareInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let _turn = db.write_turn().await;
    let n = on_db!(db, |pool| {
        sqlx::query(
            "update software set name = $1, vendor = $2, purpose = $3, category = $4,
                 department_id = $5, owner_person_id = $6, data_class = $7, users = $8,
                 cost_minor = $9, renewal_on = $10, renewal_interval = $11, cpe = $12, purl = $13,
                 version = $14, aliases = $15, updated_at = $16 where id = $17",
        )
        .bind(&input.name)
        .bind(&input.vendor)
        .bind(&input.purpose)
        .bind(&input.category)
        .bind(input.department)
        .bind(input.owner)
        .bind(input.data_class.as_str())
        .bind(input.users as i32)
        .bind(input.cost.map(|m| m.0))
        .bind(input.renewal_on)
        .bind(input.interval.as_str())
        .bind(input.cpe.as_ref().map(|c| c.formatted()))
        .bind(input.purl.as_ref().map(purl_text))
        .bind(&input.version)
        .bind(aliases_text(input))
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(StoreError::NotFound("software"));
    }
    Ok(())
}

/// A security review of an entry.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
#[schema(as = SoftwareReview)]
pub struct Review {
    /// Id.
    pub id: i64,
    /// The entry.
    pub software_id: i64,
    /// The reviewer's account.
    pub reviewer_id: i64,
    /// Their name.
    pub reviewer_name: String,
    /// `approved`, `conditional` or `not_approved`.
    pub decision: String,
    /// Why.
    pub note: String,
    /// The safe alternative (with `not_approved`).
    pub alternative: String,
    /// When to review again.
    pub review_again_on: NaiveDate,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A condition of an approval, tracked until met.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Condition {
    /// Id.
    pub id: i64,
    /// The review that set it.
    pub review_id: i64,
    /// The entry.
    pub software_id: i64,
    /// What must hold.
    pub text: String,
    /// When it was met.
    pub met_at: Option<DateTime<Utc>>,
}

/// Records a review with its conditions, in one transaction.
pub async fn insert_review(
    db: &Db,
    software: i64,
    reviewer: i64,
    input: &ReviewInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    let (id,): (i64,) = on_db!(tx, |c| {
        sqlx::query_as(
            "insert into software_reviews (software_id, reviewer_id, decision, note, alternative,
                 review_again_on, created_at) values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(software)
        .bind(reviewer)
        .bind(input.decision.as_str())
        .bind(&input.note)
        .bind(&input.alternative)
        .bind(input.review_again_on)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    for text in &input.conditions {
        on_db!(tx, |c| sqlx::query(
            "insert into software_conditions (review_id, software_id, text) values ($1, $2, $3)"
        )
        .bind(id)
        .bind(software)
        .bind(text)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    tx.commit().await?;
    Ok(id)
}

/// An entry's reviews, newest first.
pub async fn reviews_of(db: &Db, software: i64) -> Result<Vec<Review>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Review>(
        "select r.id, r.software_id, r.reviewer_id, u.name as reviewer_name, r.decision, r.note,
             r.alternative, r.review_again_on, r.created_at
         from software_reviews r join users u on u.id = r.reviewer_id
         where r.software_id = $1 order by r.id desc"
    )
    .bind(software)
    .fetch_all(pool)
    .await)?)
}

/// The conditions of an entry's latest review.
pub async fn conditions_of(db: &Db, software: i64) -> Result<Vec<Condition>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Condition>(
        "select id, review_id, software_id, text, met_at from software_conditions
         where software_id = $1
           and review_id = (select max(id) from software_reviews where software_id = $1)
         order by id"
    )
    .bind(software)
    .fetch_all(pool)
    .await)?)
}

/// Marks a condition of `software` met (409 if it already was).
pub async fn meet_condition(
    db: &Db,
    software: i64,
    id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let _turn = db.write_turn().await;
    let n = on_db!(db, |pool| sqlx::query(
        "update software_conditions set met_at = $1, met_by = $2
         where id = $3 and software_id = $4 and met_at is null"
    )
    .bind(now)
    .bind(by)
    .bind(id)
    .bind(software)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict(FieldError::new(
            "condition",
            "this condition is already met, or not one of this tool's",
        )));
    }
    Ok(())
}

/// Entries renewing on or before `until` whose reminder for `days_before` is not sent: (id,
/// name, renewal day, the owner's person, the department).
pub async fn renewals_due(
    db: &Db,
    until: NaiveDate,
) -> Result<Vec<(i64, String, NaiveDate, Option<i64>, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select id, name, renewal_on, owner_person_id, department_id from software
         where renewal_on is not null and renewal_on <= $1 order by renewal_on"
    )
    .bind(until)
    .fetch_all(pool)
    .await)?)
}

/// Sends a renewal reminder for the lead times `days_before` that are due (one notice to the
/// owner and the department's leader, however many lead times it covers) unless each was sent;
/// true when this call sent it (safe on several replicas: each key is unique).
pub async fn send_renewal_reminder(
    db: &Db,
    software: i64,
    renewal_on: NaiveDate,
    days_before: &[i64],
    message: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let mut n = 0;
    for days in days_before {
        n += on_db!(tx, |c| sqlx::query(
            "insert into software_reminders (software_id, renewal_on, days_before, sent_at)
             values ($1, $2, $3, $4) on conflict do nothing"
        )
        .bind(software)
        .bind(renewal_on)
        .bind(*days as i32)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    if n == 0 {
        return Ok(false);
    }
    on_db!(tx, |c| {
        sqlx::query(
        "insert into notifications (user_id, request_id, message, created_at, kind)
         select u.id, null, $1, $2, 'software' from users u
         where u.disabled_at is null and u.person_id in (
             select owner_person_id from software where id = $3
             union select d.leader_id from software s join departments d on d.id = s.department_id where s.id = $3)"
    )
    .bind(message)
    .bind(now)
    .bind(software)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(true)
}
