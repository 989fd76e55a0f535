//! The monthly edition: the records a draft is made from, the edition and its lines, the
//! editor's saves (checked against the revision they edited), scheduling (queued for e-mail in
//! the same transaction) and the counted clicks.
//!
//! A line keeps the record it came from (`source`), so redrafting replaces Duet's lines and keeps
//! the ones an editor added. A click is counted on the line only (never who clicked) and only for
//! a line of an edition that went out, so the redirect cannot be pointed anywhere else.

use crate::mail::{self, Message, Recipient};
use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::comms::edition::{EditionStatus, Section};
use duet_core::requests::Status;

/// An edition (without its lines).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Edition {
    /// Id (its page is `/comms/editions/{id}`).
    pub id: i64,
    /// The month it covers, `YYYY-MM`.
    pub month: String,
    /// Its title.
    pub title: String,
    /// The editor's opening words, Markdown as written.
    pub intro: String,
    /// Their safe HTML.
    pub intro_html: String,
    /// Draft or scheduled.
    #[sqlx(try_from = "String")]
    pub status: EditionStatus,
    /// When it goes (scheduled) and readers see it.
    pub send_at: Option<DateTime<Utc>>,
    /// Bumped by every save; a save names the revision it edited.
    pub revision: i64,
    /// When Duet drafted it.
    pub drafted_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// One line of an edition.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// The part it is in.
    #[sqlx(try_from = "String")]
    pub section: Section,
    /// Its order in the part.
    pub position: i64,
    /// The words.
    pub text: String,
    /// Where it links: a Duet path or an http(s) address.
    pub url: String,
    /// The record it came from (`request:12`, `promise:4`, …); none for a line the editor added.
    pub source: Option<String>,
    /// Only this department's people see it (their IT partner).
    pub department_id: Option<i64>,
    /// The post it announces: it follows that post's audience.
    pub post_id: Option<i64>,
    /// The request it tells of: its link is shown only to readers who may open that request.
    pub request_id: Option<i64>,
    /// Whether it is in the edition (an editor may leave a line out).
    pub included: bool,
    /// Clicks counted on it.
    pub clicks: i64,
}

/// A line to add.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// The part it goes in.
    pub section: Section,
    /// The words.
    pub text: String,
    /// Where it links.
    pub url: String,
    /// The record it came from; none for the editor's own line.
    pub source: Option<String>,
    /// Only for this department's people.
    pub department_id: Option<i64>,
    /// The post it announces.
    pub post_id: Option<i64>,
    /// The request it tells of.
    pub request_id: Option<i64>,
}

/// An editor's change to one line.
#[derive(Debug, Clone)]
pub struct ItemChange {
    /// The line.
    pub id: i64,
    /// Its new words.
    pub text: String,
    /// Whether it stays in.
    pub included: bool,
}

const EDITION: &str = "select id, month, title, intro, intro_html, status, send_at, revision,
    drafted_at, updated_at from editions";
const ITEM: &str = "select id, section, position, text, url, source, department_id, post_id,
    request_id, included, clicks from edition_items";

/// Delivered work: requests whose move to "Delivered" happened in `from..to`, with the department
/// that asked and its business owner (the champion, else the department's leader).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveredRow {
    /// The request.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The department that asked.
    pub department_id: i64,
    /// Its name.
    pub department: String,
    /// The business owner's name, if known.
    pub owner: Option<String>,
}

/// A delivery's `status_changed` detail ends with this.
fn delivered_detail() -> String {
    format!("%→ {}", Status::Delivered.label())
}

/// Requests delivered in `from..to`, oldest first.
pub async fn delivered(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<DeliveredRow>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, DeliveredRow>(
        "select r.id, r.title, r.department_id, d.name as department,
             coalesce(cu.name, lp.name) as owner
         from requests r
         join departments d on d.id = r.department_id
         left join users cu on cu.id = r.champion_id
         left join people lp on lp.id = d.leader_id
         where r.id in (select e.request_id from request_events e
                        where e.kind = 'status_changed' and e.detail like $3
                          and e.at >= $1 and e.at < $2)
         order by r.id"
    )
    .bind(from)
    .bind(to)
    .bind(delivered_detail())
    .fetch_all(pool)
    .await)?)
}

/// Portfolio items funded (accepted) in `from..to`: id, title, department, champion.
pub async fn funded(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, String, String, Option<String>)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select r.id, r.title, d.name, cu.name from requests r
         join departments d on d.id = r.department_id
         left join users cu on cu.id = r.champion_id
         where r.lane = 'portfolio' and r.decided_at >= $1 and r.decided_at < $2
           and r.status in ('accepted', 'in_delivery', 'delivered', 'benefits_realised', 'closed')
           and r.decline_reason is null
         order by r.id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await)?)
}

/// Promises kept in `from..to`: id, text, who promised (department), to whom, kept late.
pub async fn kept(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, String, String, String, bool)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select p.id, p.text, a.name, b.name, e.kind = 'kept_late' from promise_events e
         join promises p on p.id = e.promise_id
         join departments a on a.id = p.promisor_department_id
         join departments b on b.id = p.promisee_department_id
         where e.kind in ('kept_on_time', 'kept_late') and e.at >= $1 and e.at < $2
         order by e.at, p.id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await)?)
}

/// Accepted or in-delivery work needed in `from..=to`: id, title, department, day needed.
pub async fn coming(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, String, String, NaiveDate)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select r.id, r.title, d.name, r.date_needed from requests r
         join departments d on d.id = r.department_id
         where r.status in ('accepted', 'in_delivery') and r.date_needed >= $1
           and r.date_needed <= $2
         order by r.date_needed, r.id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await)?)
}

/// Pain points raised in Voice that became work done in `from..to`: their request delivered, or
/// their promise kept. Each row: `request` or `promise`, its id, its title or words, and the
/// department the pain point was addressed to. No pain point's own words: a newsletter goes to
/// everyone, and Voice's author chose whom they wrote to.
pub async fn you_said(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(String, i64, String, String)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select distinct 'request', r.id, r.title, d.name from pain_points p
         join requests r on r.id = p.request_id
         join departments d on d.id = p.department_id
         where r.id in (select e.request_id from request_events e
                        where e.kind = 'status_changed' and e.detail like $3
                          and e.at >= $1 and e.at < $2)
         union all
         select distinct 'promise', pr.id, pr.text, d.name from pain_points p
         join promises pr on pr.id = p.promise_id
         join departments d on d.id = p.department_id
         where pr.id in (select e.promise_id from promise_events e
                         where e.kind in ('kept_on_time', 'kept_late')
                           and e.at >= $1 and e.at < $2)
         order by 1, 2"
    )
    .bind(from)
    .bind(to)
    .bind(delivered_detail())
    .fetch_all(pool)
    .await)?)
}

/// Business departments with an IT partner: department id, name, partner's name and address.
pub async fn partners(db: &Db) -> Result<Vec<(i64, String, String, String)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select d.id, d.name, p.name, p.email from departments d
         join people p on p.id = d.it_partner_id
         where d.kind = 'business' and d.archived_at is null and p.archived_at is null
         order by d.name"
    )
    .fetch_all(pool)
    .await)?)
}

/// Posts published in `from..to`: id, title, kind label source (wire name).
pub async fn month_posts(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, String, String)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select id, title, kind from posts
         where status = 'published' and publish_at >= $1 and publish_at < $2
         order by publish_at, id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await)?)
}

/// Stores a new draft for `month` with its lines; 409 when that month has an edition already.
pub async fn insert_draft(
    db: &Db,
    month: &str,
    title: &str,
    intro: &str,
    intro_html: &str,
    items: &[NewItem],
) -> Result<i64> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let taken: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select id from editions where month = $1"
    )
    .bind(month)
    .fetch_optional(c)
    .await)?;
    if let Some((id,)) = taken {
        return Err(StoreError::Conflict(FieldError::new(
            "month",
            format!("there is already an edition for {month} (#{id}): redraft that one"),
        )));
    }
    let (id,): (i64,) = on_db!(tx, |c| {
        sqlx::query_as(
        "insert into editions (month, title, intro, intro_html, status, revision, drafted_at, updated_at)
         values ($1, $2, $3, $4, 'draft', 1, $5, $5) returning id"
    )
    .bind(month)
    .bind(title)
    .bind(intro)
    .bind(intro_html)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    insert_items(&mut tx, id, 0, items).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds lines after position `after` of each section (positions follow the slice order).
async fn insert_items(
    tx: &mut crate::db::WriteTx,
    edition: i64,
    after: i64,
    items: &[NewItem],
) -> Result<()> {
    for (n, it) in items.iter().enumerate() {
        on_db!(tx, |c| sqlx::query(
            "insert into edition_items (edition_id, section, position, text, url, source,
                 department_id, post_id, request_id, included, clicks)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, 0)"
        )
        .bind(edition)
        .bind(it.section.as_str())
        .bind(after + 1 + n as i64)
        .bind(&it.text)
        .bind(&it.url)
        .bind(&it.source)
        .bind(it.department_id)
        .bind(it.post_id)
        .bind(it.request_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Locks a draft for a change made against `revision`: 404, 409 when it is scheduled (take it
/// back first) or someone saved since.
async fn lock_draft(tx: &mut crate::db::WriteTx, id: i64, revision: i64) -> Result<()> {
    let lock = match tx.backend() {
        crate::Backend::Postgres => " for update",
        crate::Backend::Sqlite => "",
    };
    let sql = format!("select status, revision from editions where id = $1{lock}");
    let row: Option<(String, i64)> = on_db!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await)?;
    let Some((status, current)) = row else {
        return Err(StoreError::NotFound("edition"));
    };
    if status != EditionStatus::Draft.as_str() {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "this edition is scheduled: take it back to a draft before changing it",
        )));
    }
    if current != revision {
        return Err(StoreError::Conflict(FieldError::new(
            "revision",
            "someone saved this edition while you were editing it: reload to see their changes",
        )));
    }
    Ok(())
}

/// Replaces Duet's own lines of a draft with `items` (freshly drawn from the records), keeping
/// the lines the editor added; the editor's changes to Duet's lines are lost, as the page warns.
pub async fn redraft(db: &Db, id: i64, revision: i64, items: &[NewItem]) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_draft(&mut tx, id, revision).await?;
    on_db!(tx, |c| sqlx::query(
        "delete from edition_items where edition_id = $1 and source is not null"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let (after,): (Option<i64>,) = on_db!(tx, |c| sqlx::query_as(
        "select max(position) from edition_items where edition_id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    insert_items(&mut tx, id, after.unwrap_or(0), items).await?;
    bump(&mut tx, id, None, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn bump(
    tx: &mut crate::db::WriteTx,
    id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    on_db!(tx, |c| sqlx::query(
        "update editions set revision = revision + 1, updated_at = $1,
             updated_by = coalesce($2, updated_by) where id = $3"
    )
    .bind(now)
    .bind(by)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What an editor saves: title, opening words, their changes to lines and lines they add.
#[derive(Debug, Clone)]
pub struct EditionSave<'a> {
    /// The revision they edited.
    pub revision: i64,
    /// Title.
    pub title: &'a str,
    /// Opening words (Markdown) and their HTML.
    pub intro: &'a str,
    /// Safe HTML of `intro`.
    pub intro_html: &'a str,
    /// Changes to existing lines.
    pub changes: &'a [ItemChange],
    /// Lines added.
    pub added: &'a [NewItem],
}

/// Saves an editor's changes to a draft, all or nothing; 422 for a line not in this edition.
pub async fn save(db: &Db, id: i64, by: i64, s: &EditionSave<'_>) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_draft(&mut tx, id, s.revision).await?;
    on_db!(tx, |c| sqlx::query(
        "update editions set title = $1, intro = $2, intro_html = $3 where id = $4"
    )
    .bind(s.title)
    .bind(s.intro)
    .bind(s.intro_html)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for ch in s.changes {
        let n = on_db!(tx, |c| {
            sqlx::query(
            "update edition_items set text = $1, included = $2 where id = $3 and edition_id = $4"
        )
        .bind(&ch.text)
        .bind(ch.included)
        .bind(ch.id)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(StoreError::Invalid(FieldError::new(
                format!("item_{}", ch.id),
                "is not a line of this edition",
            )));
        }
    }
    if !s.added.is_empty() {
        let (after,): (Option<i64>,) = on_db!(tx, |c| sqlx::query_as(
            "select max(position) from edition_items where edition_id = $1"
        )
        .bind(id)
        .fetch_one(c)
        .await)?;
        insert_items(&mut tx, id, after.unwrap_or(0), s.added).await?;
    }
    bump(&mut tx, id, Some(by), now).await?;
    tx.commit().await?;
    Ok(())
}

/// One edition with its lines in reading order (404 when there is none).
pub async fn find(db: &Db, id: i64) -> Result<(Edition, Vec<Item>)> {
    let sql = format!("{EDITION} where id = $1");
    let edition = on_db!(db, |pool| sqlx::query_as::<_, Edition>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("edition"))?;
    let sql = format!("{ITEM} where edition_id = $1 order by position, id");
    let mut items = on_db!(db, |pool| sqlx::query_as::<_, Item>(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(id)
    .fetch_all(pool)
    .await)?;
    items.sort_by_key(|i| {
        let part = Section::ALL.iter().position(|s| *s == i.section);
        (part, i.position, i.id)
    });
    Ok((edition, items))
}

/// The edition of `month`, if drafted.
pub async fn of_month(db: &Db, month: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select id from editions where month = $1"
    )
    .bind(month)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|r| r.0))
}

/// Editions newest month first: all of them for an editor, else only those gone out by `now`.
pub async fn list(db: &Db, all: bool, now: DateTime<Utc>) -> Result<Vec<Edition>> {
    let sql = format!(
        "{EDITION} where $1 or (status = 'scheduled' and send_at <= $2) order by month desc limit 120"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Edition>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(all)
    .bind(now)
    .fetch_all(pool)
    .await)?)
}

/// Who takes the newsletter: enabled accounts that did not say no, with their department and
/// role (which decides the links their version carries).
pub async fn newsletter_readers(db: &Db) -> Result<Vec<(i64, String, Option<i64>, String)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select u.id, u.email, pe.department_id, u.role from users u
         left join people pe on pe.id = u.person_id
         left join mail_preferences mp on mp.user_id = u.id
         where u.disabled_at is null and coalesce(mp.newsletter, true)
         order by u.id"
    )
    .fetch_all(pool)
    .await)?)
}

/// Schedules a draft (edited at `revision`) to go at `send_at`, and queues its messages, each
/// with its recipients, in the same transaction: scheduled and queued, or neither.
pub async fn schedule(
    db: &Db,
    id: i64,
    revision: i64,
    by: i64,
    send_at: DateTime<Utc>,
    messages: &[(Message, Vec<Recipient>)],
) -> Result<u64> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_draft(&mut tx, id, revision).await?;
    on_db!(tx, |c| sqlx::query(
        "update editions set status = 'scheduled', send_at = $1, scheduled_by = $2, updated_at = $3
         where id = $4"
    )
    .bind(send_at)
    .bind(by)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let mut queued = 0;
    for (m, to) in messages {
        queued += mail::enqueue_in(&mut tx, m, to, send_at).await?;
    }
    tx.commit().await?;
    Ok(queued)
}

/// Takes a scheduled edition back to a draft and its waiting e-mail out of the outbox; 409 once
/// any of it went (or is going) out.
pub async fn unschedule(db: &Db, id: i64) -> Result<()> {
    let now = Utc::now();
    let like = format!("edition:{id}:%");
    let mut tx = db.begin_write().await?;
    let lock = match tx.backend() {
        crate::Backend::Postgres => " for update",
        crate::Backend::Sqlite => "",
    };
    let sql = format!("select status from editions where id = $1{lock}");
    let status: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await)?;
    match status {
        None => return Err(StoreError::NotFound("edition")),
        Some((s,)) if s != EditionStatus::Scheduled.as_str() => {
            return Err(StoreError::Conflict(FieldError::new(
                "status",
                "this edition is not scheduled",
            )));
        }
        Some(_) => {}
    }
    let (gone,): (i64,) = on_db!(tx, |c| sqlx::query_as(
        "select count(*) from outbox where message_key like $1
           and (status in ('sending', 'sent') or attempts > 0)"
    )
    .bind(&like)
    .fetch_one(c)
    .await)?;
    if gone > 0 {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("this edition already went to {gone} people: it can no longer be taken back"),
        )));
    }
    on_db!(tx, |c| sqlx::query(
        "delete from outbox where message_key like $1"
    )
    .bind(&like)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_db!(tx, |c| sqlx::query(
        "update editions set status = 'draft', send_at = null, updated_at = $1,
             revision = revision + 1 where id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(())
}

/// Counts a click on a line of an edition that went out and returns where it links; 404 for
/// anything else (a line left out, another edition's line, a draft). Counted without the
/// writer's epoch: a click must not empty every read cache.
pub async fn click(db: &Db, edition: i64, item: i64, now: DateTime<Utc>) -> Result<String> {
    let _turn = db.touch_turn().await;
    let url: Option<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "update edition_items set clicks = clicks + 1
         where id = $1 and edition_id = $2 and included
           and edition_id in (select id from editions where status = 'scheduled' and send_at <= $3)
         returning url"
    )
    .bind(item)
    .bind(edition)
    .bind(now)
    .fetch_optional(pool)
    .await)?;
    url.map(|u| u.0).ok_or(StoreError::NotFound("link"))
}

/// Reactions and comments on each post of an edition: post id, reactions, comments shown.
pub async fn post_figures(db: &Db, edition: i64) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "select i.post_id,
             (select count(*) from post_reactions r where r.post_id = i.post_id),
             (select count(*) from post_comments c where c.post_id = i.post_id and c.hidden_at is null)
         from edition_items i where i.edition_id = $1 and i.post_id is not null
         order by i.post_id"
    )
    .bind(edition)
    .fetch_all(pool)
    .await
    })?)
}

/// Who may open each request an edition tells of: (request, requester, department).
pub async fn item_requests(db: &Db, edition: i64) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select r.id, r.requester_id, r.department_id from requests r
         where r.id in (select request_id from edition_items
                        where edition_id = $1 and request_id is not null)
         order by r.id"
    )
    .bind(edition)
    .fetch_all(pool)
    .await)?)
}

/// The departments each post of an edition is meant for (a post for everyone has none).
pub async fn post_audiences(db: &Db, edition: i64) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select a.post_id, a.department_id from post_audiences a
         where a.post_id in (select post_id from edition_items
                             where edition_id = $1 and post_id is not null)
         order by a.post_id, a.department_id"
    )
    .bind(edition)
    .fetch_all(pool)
    .await)?)
}

/// Gives the lines of a demo edition that went out a plausible, fixed number of clicks.
pub async fn demo_clicks(db: &Db, id: i64) -> Result<()> {
    let _turn = db.write_turn().await;
    on_db!(db, |pool| sqlx::query(
        "update edition_items set clicks = ((id * 7) % 23) + 2 where edition_id = $1 and included"
    )
    .bind(id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
