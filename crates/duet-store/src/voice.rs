//! The voice inbox: anonymous pain points, their threads, and what became of them.
//!
//! Nothing here stores an account, an address, a user agent or a time finer than the day for
//! the author; rows have random ids. The author's only handle is the hash of their receipt code.

use crate::db::WriteTx;
use crate::{Db, Result, StoreError};
use chrono::NaiveDate;
use duet_core::FieldError;
use duet_core::listen::campaigns::random_id;
use duet_core::voice::PainStatus;

/// Writes a random id as a string of digits (see [`PainPoint::id`]).
fn id_as_text<S: serde::Serializer>(id: &i64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(id)
}

/// A pain point with what its author and triagers may see.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PainPoint {
    /// Id (random; never shown to the author, who uses the receipt code). Sent as a string of
    /// digits: random ids go up to 2^63, beyond the 2^53 a JavaScript number holds exactly.
    #[serde(serialize_with = "id_as_text")]
    #[schema(value_type = String, example = "7262134415096123456")]
    pub id: i64,
    /// The department it is addressed to.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// What hurts, in the author's words.
    pub text: String,
    /// The day it was posted.
    pub posted_on: NaiveDate,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: PainStatus,
    /// The answer published for everyone, if any.
    pub public_answer: Option<String>,
    /// The request it became.
    pub request_id: Option<i64>,
    /// That request's title.
    pub request_title: Option<String>,
    /// That request's status.
    pub request_status: Option<String>,
    /// The promise it became.
    pub promise_id: Option<i64>,
    /// That promise's text.
    pub promise_text: Option<String>,
    /// Its due date.
    pub promise_due_on: Option<NaiveDate>,
    /// Its status.
    pub promise_status: Option<String>,
    /// Last change, by day.
    pub updated_on: NaiveDate,
}

/// One message of a pain point's thread.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Message {
    /// Order in the thread.
    pub seq: i64,
    /// Written by the anonymous author (else by a triager).
    pub from_author: bool,
    /// The triager's name (never the author's: there is none).
    pub author_name: Option<String>,
    /// The text.
    pub text: String,
    /// The day.
    pub on_date: NaiveDate,
}

macro_rules! pain_sql {
    ($($tail:tt)*) => {
        concat!(
            "select p.id, p.department_id, d.name as department_name, p.text, p.posted_on, p.status, p.public_answer,
                p.request_id, r.title as request_title, r.status as request_status,
                p.promise_id, pr.text as promise_text, pr.due_on as promise_due_on, pr.status as promise_status, p.updated_on
             from pain_points p join departments d on d.id = p.department_id
             left join requests r on r.id = p.request_id
             left join promises pr on pr.id = p.promise_id ",
            $($tail)*
        )
    };
}

/// Posts a pain point under a receipt hash; returns nothing the author did not already know.
pub async fn post(
    db: &Db,
    department: i64,
    text: &str,
    receipt_hash: &str,
    today: NaiveDate,
) -> Result<()> {
    let id = random_id().map_err(StoreError::Invalid)?;
    let mut tx = db.begin_write().await?;
    let active: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select id from departments where id = $1 and archived_at is null"
    )
    .bind(department)
    .fetch_optional(c)
    .await)?;
    if active.is_none() {
        return Err(StoreError::Invalid(FieldError::new(
            "department_id",
            "no active department has this id",
        )));
    }
    on_db!(tx, |c| {
        sqlx::query("insert into pain_points (id, department_id, receipt_hash, text, posted_on, status, updated_on) values ($1, $2, $3, $4, $5, 'new', $5)")
        .bind(id).bind(department).bind(receipt_hash).bind(text).bind(today).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// The pain point a receipt hash opens. Always runs the same single indexed query, so a wrong
/// code and an unknown code cost the same.
pub async fn by_receipt(db: &Db, receipt_hash: &str) -> Result<Option<PainPoint>> {
    const SQL: &str = pain_sql!("where p.receipt_hash = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, PainPoint>(SQL)
        .bind(receipt_hash)
        .fetch_optional(pool)
        .await)?)
}

/// One pain point, for triagers.
pub async fn find(db: &Db, id: i64) -> Result<PainPoint> {
    const SQL: &str = pain_sql!("where p.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, PainPoint>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?
    .ok_or(StoreError::NotFound("pain point"))
}

/// Pain points addressed to the given departments (all when `None`), newest day first.
pub async fn list(
    db: &Db,
    departments: Option<&[i64]>,
    status: Option<PainStatus>,
) -> Result<Vec<PainPoint>> {
    const SQL: &str =
        pain_sql!("where ($1 is null or p.status = $1) order by p.posted_on desc, p.id");
    let all: Vec<PainPoint> = on_db!(db, |pool| sqlx::query_as::<_, PainPoint>(SQL)
        .bind(status.map(|s| s.as_str()))
        .fetch_all(pool)
        .await)?;
    Ok(match departments {
        None => all,
        Some(ds) => all
            .into_iter()
            .filter(|p| ds.contains(&p.department_id))
            .collect(),
    })
}

/// Answers published for everyone to read, newest first.
pub async fn published(db: &Db, limit: i64) -> Result<Vec<PainPoint>> {
    const SQL: &str =
        pain_sql!("where p.public_answer is not null order by p.updated_on desc, p.id limit $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, PainPoint>(SQL)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// The thread of a pain point.
pub async fn messages(db: &Db, id: i64) -> Result<Vec<Message>> {
    const SQL: &str = "select m.seq, m.from_author, u.name as author_name, m.text, m.on_date
         from pain_point_messages m left join users u on u.id = m.user_id where m.pain_point_id = $1 order by m.seq";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Message>(SQL)
        .bind(id)
        .fetch_all(pool)
        .await)?)
}

/// Adds a message to a pain point's thread, inside the caller's transaction.
async fn add_message(
    tx: &mut WriteTx,
    id: i64,
    from_author: bool,
    user: Option<i64>,
    text: &str,
    today: NaiveDate,
) -> Result<()> {
    let (next,): (i64,) = on_db!(tx, |c| sqlx::query_as(
        "select coalesce(max(seq), 0) + 1 from pain_point_messages where pain_point_id = $1",
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    on_db!(tx, |c| sqlx::query(
        "insert into pain_point_messages (pain_point_id, seq, from_author, user_id, text, on_date)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(next)
    .bind(from_author)
    .bind(user)
    .bind(text)
    .bind(today)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The author answers back, proving authorship with the receipt hash only.
pub async fn author_reply(db: &Db, receipt_hash: &str, text: &str, today: NaiveDate) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let row: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select id from pain_points where receipt_hash = $1"
    )
    .bind(receipt_hash)
    .fetch_optional(c)
    .await)?;
    let Some((id,)) = row else {
        return Err(StoreError::NotFound("pain point"));
    };
    add_message(&mut tx, id, true, Option::<i64>::None, text, today).await?;
    on_db!(tx, |c| sqlx::query(
        "update pain_points set updated_on = $1 where id = $2"
    )
    .bind(today)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(())
}

/// A triager replies in the thread (only the author sees it); a new pain point becomes answered.
pub async fn triager_reply(
    db: &Db,
    id: i64,
    user: i64,
    text: &str,
    today: NaiveDate,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let row: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select id from pain_points where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    if row.is_none() {
        return Err(StoreError::NotFound("pain point"));
    }
    add_message(&mut tx, id, false, Some(user), text, today).await?;
    on_db!(tx, |c| {
        sqlx::query("update pain_points set status = case when status = 'new' then 'answered' else status end, updated_on = $1 where id = $2")
        .bind(today).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// Publishes an answer for everyone (the pain point's text is shown with it).
pub async fn publish(db: &Db, id: i64, user: i64, answer: &str, today: NaiveDate) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let n = on_db!(tx, |c| {
        sqlx::query("update pain_points set public_answer = $1, status = case when status = 'new' then 'answered' else status end, updated_on = $2 where id = $3")
        .bind(answer).bind(today).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(StoreError::NotFound("pain point"));
    }
    add_message(
        &mut tx,
        id,
        false,
        Some(user),
        &format!("Published answer: {answer}"),
        today,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a pain point that needs nothing more (with a last word to the author); one that became
/// a request or a promise keeps saying so.
pub async fn close(db: &Db, id: i64, user: i64, note: &str, today: NaiveDate) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let n = on_db!(tx, |c| {
        sqlx::query("update pain_points set status = case when status in ('request', 'promise') then status else 'closed' end, updated_on = $1 where id = $2").bind(today).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(StoreError::NotFound("pain point"));
    }
    add_message(&mut tx, id, false, Some(user), note, today).await?;
    tx.commit().await?;
    Ok(())
}

/// What a pain point became.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Became {
    /// A request (Decide), by id.
    Request(i64),
    /// A promise (the trust ledger), by id.
    Promise(i64),
}

/// Links a pain point to the request or promise it became, inside the caller's transaction, with
/// `note` to its author from `user`; refused when it already became one.
pub(crate) async fn link_pain_point(
    tx: &mut WriteTx,
    id: i64,
    became: Became,
    user: i64,
    note: &str,
    today: NaiveDate,
) -> Result<()> {
    let row: Option<(Option<i64>, Option<i64>)> = on_db!(tx, |c| sqlx::query_as(
        "select request_id, promise_id from pain_points where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    match row {
        None => return Err(StoreError::NotFound("pain point")),
        Some((Some(r), _)) => {
            return Err(StoreError::Conflict(FieldError::new(
                "pain_point",
                format!("this pain point already became request #{r}"),
            )));
        }
        Some((_, Some(p))) => {
            return Err(StoreError::Conflict(FieldError::new(
                "pain_point",
                format!("this pain point already became promise #{p}"),
            )));
        }
        Some((None, None)) => {}
    }
    // Conditional, so two triagers converting at once on PostgreSQL cannot both succeed.
    let (sql, target) = match became {
        Became::Request(r) => (
            "update pain_points set request_id = $1, status = 'request', updated_on = $2
             where id = $3 and request_id is null and promise_id is null",
            r,
        ),
        Became::Promise(p) => (
            "update pain_points set promise_id = $1, status = 'promise', updated_on = $2
             where id = $3 and request_id is null and promise_id is null",
            p,
        ),
    };
    let linked = on_db!(tx, |c| sqlx::query(sql)
        .bind(target)
        .bind(today)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if linked == 0 {
        return Err(StoreError::Conflict(FieldError::new(
            "pain_point",
            "this pain point was just turned into a request or a promise by someone else",
        )));
    }
    add_message(tx, id, false, Some(user), note, today).await
}

/// Pain points addressed to one department (all when `None`), newest day first, one page at a
/// time: the triage inbox, filtered in SQL. Who may see which department is the caller's check.
pub async fn page(
    db: &Db,
    department: Option<i64>,
    status: Option<PainStatus>,
    window: crate::PageRequest,
) -> Result<crate::Page<PainPoint>> {
    const ONE: &str = pain_sql!(
        "where p.department_id = $1 and ($2 is null or p.status = $2) order by p.posted_on desc, p.id limit $3 offset $4"
    );
    const ALL: &str = pain_sql!(
        "where ($1 is null or p.status = $1) order by p.posted_on desc, p.id limit $2 offset $3"
    );
    let status = status.map(|s| s.as_str());
    let (items, total): (Vec<PainPoint>, i64) = match department {
        Some(d) => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, PainPoint>(ONE)
                .bind(d)
                .bind(status)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| {
                sqlx::query_as("select count(*) from pain_points p where p.department_id = $1 and ($2 is null or p.status = $2)").bind(d).bind(status).fetch_one(pool).await
            })?;
            (rows, n)
        }
        None => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, PainPoint>(ALL)
                .bind(status)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
                "select count(*) from pain_points p where ($1 is null or p.status = $1)"
            )
            .bind(status)
            .fetch_one(pool)
            .await)?;
            (rows, n)
        }
    };
    Ok(crate::Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}

/// Answers published for everyone, newest first, one page at a time, to one department or all.
pub async fn page_published(
    db: &Db,
    department: Option<i64>,
    window: crate::PageRequest,
) -> Result<crate::Page<PainPoint>> {
    const ONE: &str = pain_sql!(
        "where p.public_answer is not null and p.department_id = $1 order by p.updated_on desc, p.id limit $2 offset $3"
    );
    const ALL: &str = pain_sql!(
        "where p.public_answer is not null order by p.updated_on desc, p.id limit $1 offset $2"
    );
    let (items, total): (Vec<PainPoint>, i64) = match department {
        Some(d) => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, PainPoint>(ONE)
                .bind(d)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| {
                sqlx::query_as("select count(*) from pain_points where public_answer is not null and department_id = $1").bind(d).fetch_one(pool).await
            })?;
            (rows, n)
        }
        None => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, PainPoint>(ALL)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
                "select count(*) from pain_points where public_answer is not null"
            )
            .fetch_one(pool)
            .await)?;
            (rows, n)
        }
    };
    Ok(crate::Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}
