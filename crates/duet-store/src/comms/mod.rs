//! Tell: posts, their audiences, success-story approval, reactions and comments.
//!
//! A success story is shown only while its business owner's approval covers the revision on
//! show: every edit bumps `revision`, and an edit by anyone but the owner sends the story back to
//! `awaiting_approval` in the same statement, so no reader ever sees an unapproved revision.

pub mod editions;

use crate::db::WriteTx;
use crate::{Db, Page, PageRequest, Result, StoreError};
use chrono::{DateTime, Utc};
use duet_core::FieldError;
use duet_core::comms::{PostInput, PostKind, PostStatus, ReactionKind};

/// A post with the names a page needs.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Post {
    /// Id (its permanent page is `/comms/posts/{id}`).
    pub id: i64,
    /// What it is for.
    #[sqlx(try_from = "String")]
    pub kind: PostKind,
    /// Title.
    pub title: String,
    /// Markdown, as written.
    pub body: String,
    /// The body as safe HTML (rendered on write).
    pub body_html: String,
    /// A plain-text excerpt.
    pub summary: String,
    /// Who wrote it.
    pub author_id: i64,
    /// Their name.
    pub author_name: String,
    /// For a success story: the delivered request it tells.
    pub request_id: Option<i64>,
    /// That request's title.
    pub request_title: Option<String>,
    /// Where it is in its life.
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    /// Meant for everyone (else for the departments in `audience`).
    pub audience_all: bool,
    /// Also e-mailed to its readers once published.
    pub email_audience: bool,
    /// When it appears.
    pub publish_at: DateTime<Utc>,
    /// Bumped by every edit.
    pub revision: i64,
    /// The business owner who approved a success story.
    pub approved_by: Option<i64>,
    /// Their name ("told by …").
    pub approved_by_name: Option<String>,
    /// Their department's name.
    pub approved_by_department: Option<String>,
    /// The revision they approved.
    pub approved_revision: Option<i64>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// What the owner asked to change when they sent it back.
    pub approval_note: Option<String>,
    /// Why a moderator hid it.
    pub hidden_reason: Option<String>,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last edit.
    pub updated_at: DateTime<Utc>,
}

const POST_SQL: &str = "select p.id, p.kind, p.title, p.body, p.body_html, p.summary, p.author_id,
        au.name as author_name, p.request_id, r.title as request_title, p.status, p.audience_all,
        p.email_audience, p.publish_at, p.revision, p.approved_by, ap.name as approved_by_name,
        apd.name as approved_by_department, p.approved_revision, p.approved_at, p.approval_note,
        p.hidden_reason, p.created_at, p.updated_at
     from posts p
     join users au on au.id = p.author_id
     left join requests r on r.id = p.request_id
     left join users ap on ap.id = p.approved_by
     left join people app on app.id = ap.person_id
     left join departments apd on apd.id = app.department_id ";

/// A post in a list: no body.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PostSummary {
    /// Id.
    pub id: i64,
    /// What it is for.
    #[sqlx(try_from = "String")]
    pub kind: PostKind,
    /// Title.
    pub title: String,
    /// A plain-text excerpt.
    pub summary: String,
    /// Who wrote it.
    pub author_name: String,
    /// Where it is in its life.
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    /// Meant for everyone.
    pub audience_all: bool,
    /// When it appears.
    pub publish_at: DateTime<Utc>,
    /// For a success story: its approver's name.
    pub approved_by_name: Option<String>,
}

const SUMMARY_SQL: &str = "select p.id, p.kind, p.title, p.summary, au.name as author_name,
        p.status, p.audience_all, p.publish_at, ap.name as approved_by_name
     from posts p
     join users au on au.id = p.author_id
     left join users ap on ap.id = p.approved_by ";

/// What a write stores beside the input: the rendered body and excerpt, and the status.
#[derive(Debug, Clone)]
pub struct PostWrite<'a> {
    /// The checked input.
    pub input: &'a PostInput,
    /// `render_markdown(body)`.
    pub body_html: &'a str,
    /// `excerpt(body)`.
    pub summary: &'a str,
    /// `status_on_save(..)`.
    pub status: PostStatus,
    /// For a success story its author owns: the author's own approval, given on save.
    pub approved_by: Option<i64>,
    /// Also e-mail it to its readers once published.
    pub email: bool,
}

/// Checks, inside the write, that every audience department exists and is active.
async fn check_audience(tx: &mut WriteTx, input: &PostInput) -> Result<()> {
    for d in &input.audience {
        let found: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
            "select id from departments where id = $1 and archived_at is null"
        )
        .bind(d.0)
        .fetch_optional(c)
        .await)?;
        if found.is_none() {
            return Err(StoreError::Invalid(FieldError::new(
                "audience",
                format!("no active department has the id {}", d.0),
            )));
        }
    }
    Ok(())
}

/// Replaces a post's audience rows.
async fn write_audience(tx: &mut WriteTx, post: i64, input: &PostInput) -> Result<()> {
    on_db!(tx, |c| sqlx::query(
        "delete from post_audiences where post_id = $1"
    )
    .bind(post)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for d in &input.audience {
        on_db!(tx, |c| sqlx::query(
            "insert into post_audiences (post_id, department_id) values ($1, $2)"
        )
        .bind(post)
        .bind(d.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Tells a success story's business owners that it waits for them (the author excepted).
async fn ask_owners(tx: &mut WriteTx, post: i64, author: i64, now: DateTime<Utc>) -> Result<()> {
    on_db!(tx, |c| {
        sqlx::query(
        "insert into notifications (user_id, request_id, message, created_at, kind)
         select o.user_id, p.request_id, 'A success story waits for your approval: ' || p.title, $3, 'story'
         from posts p
         join (select u.id as user_id, r.id as request_id from requests r
                 join departments d on d.id = r.department_id
                 join users u on u.person_id = d.leader_id and u.disabled_at is null
               union
               select r.champion_id, r.id from requests r where r.champion_id is not null) o
           on o.request_id = p.request_id
         where p.id = $1 and o.user_id <> $2"
    )
    .bind(post)
    .bind(author)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Stores a new post.
pub async fn insert_post(db: &Db, author: i64, w: &PostWrite<'_>) -> Result<Post> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    check_audience(&mut tx, w.input).await?;
    let (id,): (i64,) = on_db!(tx, |c| {
        sqlx::query_as(
        "insert into posts (kind, title, body, body_html, summary, author_id, request_id, status,
             audience_all, publish_at, revision, approved_by, approved_revision, approved_at,
             created_at, updated_at, email_audience)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11,
             case when $11 is null then null else 1 end, case when $11 is null then null else $12 end,
             $12, $12, $13)
         returning id"
    )
    .bind(w.input.kind.as_str())
    .bind(&w.input.title)
    .bind(&w.input.body)
    .bind(w.body_html)
    .bind(w.summary)
    .bind(author)
    .bind(w.input.request)
    .bind(w.status.as_str())
    .bind(w.input.audience.is_empty())
    .bind(w.input.publish_at)
    .bind(w.approved_by)
    .bind(now)
    .bind(w.email)
    .fetch_one(c)
    .await
    })?;
    write_audience(&mut tx, id, w.input).await?;
    if w.status == PostStatus::AwaitingApproval {
        ask_owners(&mut tx, id, author, now).await?;
    }
    tx.commit().await?;
    find_post(db, id).await
}

/// Replaces a post's content (a new revision). `w.approved_by` is the editor when they own the
/// story; any other edit of an approved story clears the approval and, if it was published,
/// sends it back to its owners, in this same write.
pub async fn update_post(db: &Db, id: i64, editor: i64, w: &PostWrite<'_>) -> Result<Post> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    check_audience(&mut tx, w.input).await?;
    let n = on_db!(tx, |c| sqlx::query(
        "update posts set kind = $1, title = $2, body = $3, body_html = $4, summary = $5,
             request_id = $6, status = $7, audience_all = $8, publish_at = $9,
             revision = revision + 1,
             approved_by = $10,
             approved_revision = case when $10 is null then null else revision + 1 end,
             approved_at = case when $10 is null then null else $11 end,
             approval_note = null, updated_at = $11, email_audience = $13
         where id = $12 and status <> 'hidden'"
    )
    .bind(w.input.kind.as_str())
    .bind(&w.input.title)
    .bind(&w.input.body)
    .bind(w.body_html)
    .bind(w.summary)
    .bind(w.input.request)
    .bind(w.status.as_str())
    .bind(w.input.audience.is_empty())
    .bind(w.input.publish_at)
    .bind(w.approved_by)
    .bind(now)
    .bind(id)
    .bind(w.email)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound("post"));
    }
    write_audience(&mut tx, id, w.input).await?;
    if w.status == PostStatus::AwaitingApproval {
        ask_owners(&mut tx, id, editor, now).await?;
    }
    tx.commit().await?;
    find_post(db, id).await
}

/// Tells a story's author (unless they are the owner acting) what its owner did, in the owner's
/// write transaction.
async fn tell_author(
    tx: &mut WriteTx,
    id: i64,
    owner: i64,
    what: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_db!(tx, |c| sqlx::query(
        "insert into notifications (user_id, request_id, message, created_at, kind)
         select author_id, request_id, $4 || title, $2, 'story'
         from posts where id = $1 and author_id <> $3"
    )
    .bind(id)
    .bind(now)
    .bind(owner)
    .bind(what)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The business owner approves the revision they read; refused when the story changed since
/// (they approve what they saw, never a later edit) or is not waiting for approval.
pub async fn approve(db: &Db, id: i64, owner: i64, revision: i64) -> Result<Post> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let n = on_db!(tx, |c| sqlx::query(
        "update posts set status = 'published', approved_by = $1, approved_revision = revision,
             approved_at = $2, approval_note = null, updated_at = $2
         where id = $3 and status = 'awaiting_approval' and revision = $4"
    )
    .bind(owner)
    .bind(now)
    .bind(id)
    .bind(revision)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict(FieldError::new(
            "revision",
            "the story changed or is no longer waiting for approval; read it again first",
        )));
    }
    tell_author(&mut tx, id, owner, "Your success story was approved: ", now).await?;
    tx.commit().await?;
    find_post(db, id).await
}

/// The business owner sends the story back to its author with what to change.
pub async fn return_to_author(db: &Db, id: i64, owner: i64, note: &str) -> Result<Post> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let n = on_db!(tx, |c| sqlx::query(
        "update posts set status = 'draft', approval_note = $1, updated_at = $2
         where id = $3 and status = 'awaiting_approval'"
    )
    .bind(note)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "this story is not waiting for approval",
        )));
    }
    tell_author(
        &mut tx,
        id,
        owner,
        "Your success story needs changes: ",
        now,
    )
    .await?;
    tx.commit().await?;
    find_post(db, id).await
}

/// A moderator hides a post (with the reason) or shows it again as a draft for its author.
pub async fn set_hidden(db: &Db, id: i64, reason: Option<&str>) -> Result<Post> {
    let now = Utc::now();
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update posts set status = case when $1 is null then 'draft' else 'hidden' end,
                 hidden_reason = $1, updated_at = $2
             where id = $3 and (($1 is null) = (status = 'hidden'))"
        )
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    if n == 0 {
        let post = find_post(db, id).await?;
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!(
                "this post is already {}",
                post.status.label().to_lowercase()
            ),
        )));
    }
    find_post(db, id).await
}

/// How many posts exist, in any state (the demo seeds Tell only into an empty one).
pub async fn count_posts(db: &Db) -> Result<i64> {
    let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as("select count(*) from posts")
        .fetch_one(pool)
        .await)?;
    Ok(n)
}

/// One post.
pub async fn find_post(db: &Db, id: i64) -> Result<Post> {
    let sql = format!("{POST_SQL} where p.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Post>(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("post"))
}

/// Published posts asked to go by e-mail, oldest first (to queue them, e.g. in the demo).
pub async fn emailed_posts(db: &Db) -> Result<Vec<Post>> {
    let sql = format!("{POST_SQL} where p.status = 'published' and p.email_audience order by p.id");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Post>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_all(pool)
    .await)?)
}

/// The departments a post is meant for (id and name), by name.
pub async fn audience(db: &Db, id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select d.id, d.name from post_audiences a join departments d on d.id = a.department_id
         where a.post_id = $1 order by d.name"
    )
    .bind(id)
    .fetch_all(pool)
    .await)?)
}

/// Who reads a listing: everything published, or what is meant for everyone and their
/// department (none: everyone's only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Readers {
    /// Every published post, whatever its audience.
    All,
    /// Posts for everyone, and those meant for this department, if any.
    Department(Option<i64>),
}

/// Published posts the readers may see, newest first, optionally of one kind; with the total.
pub async fn page_published(
    db: &Db,
    readers: Readers,
    kind: Option<PostKind>,
    now: DateTime<Utc>,
    page: PageRequest,
) -> Result<Page<PostSummary>> {
    let (all, dept) = match readers {
        Readers::All => (true, None),
        Readers::Department(d) => (false, d),
    };
    let filter = "where p.status = 'published' and p.publish_at <= $1
           and ($2 is null or p.kind = $2)
           and ($3 or p.audience_all or exists (select 1 from post_audiences a
                where a.post_id = p.id and a.department_id = $4))";
    let sql =
        format!("{SUMMARY_SQL} {filter} order by p.publish_at desc, p.id desc limit $5 offset $6");
    let count = format!("select count(*) from posts p {filter}");
    let kind = kind.map(|k| k.as_str());
    let items = on_db!(db, |pool| sqlx::query_as::<_, PostSummary>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(now)
    .bind(kind)
    .bind(all)
    .bind(dept)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(pool)
    .await)?;
    let (total,): (i64,) = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(count))
        .bind(now)
        .bind(kind)
        .bind(all)
        .bind(dept)
        .fetch_one(pool)
        .await)?;
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// Posts that are not (yet) published which `user` wrote or must approve: their drafts, their
/// stories waiting for an owner, and stories waiting for them as owner; newest first.
pub async fn unpublished_for(db: &Db, user: i64) -> Result<Vec<PostSummary>> {
    let sql = format!(
        "{SUMMARY_SQL} where (p.status in ('draft', 'awaiting_approval') and p.author_id = $1)
           or (p.status = 'awaiting_approval' and p.request_id in (
                select r.id from requests r where r.champion_id = $1
                union
                select r.id from requests r join departments d on d.id = r.department_id
                  join users u on u.person_id = d.leader_id where u.id = $1))
         order by p.updated_at desc, p.id desc limit 50"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, PostSummary>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(user)
    .fetch_all(pool)
    .await)?)
}

/// Published posts meant for everyone, newest first (the public Atom feed).
pub async fn feed(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<Vec<Post>> {
    let sql = format!(
        "{POST_SQL} where p.status = 'published' and p.audience_all and p.publish_at <= $1
         order by p.publish_at desc, p.id desc limit $2"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Post>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// What decides who owns a success story, read from the request it tells.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct StoryWork {
    /// The request.
    pub request_id: i64,
    /// Its title.
    pub title: String,
    /// Its status (wire name): a story tells delivered work.
    pub status: String,
    /// The requester's department.
    pub department_id: i64,
    /// The account of that department's leader, if linked.
    pub leader_user_id: Option<i64>,
    /// The executive champion, if any.
    pub champion_id: Option<i64>,
}

/// The request a story tells and its owners (404 when there is no such request).
pub async fn story_work(db: &Db, request: i64) -> Result<StoryWork> {
    on_db!(db, |pool| sqlx::query_as::<_, StoryWork>(
        "select r.id as request_id, r.title, r.status, r.department_id,
             (select u.id from users u where u.person_id = d.leader_id and u.disabled_at is null
              order by u.id limit 1) as leader_user_id,
             r.champion_id
         from requests r join departments d on d.id = r.department_id where r.id = $1"
    )
    .bind(request)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("request"))
}

/// Delivered work a story may tell (delivered or with benefits realised), newest first.
pub async fn delivered_work(db: &Db, limit: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select id, title from requests where status in ('delivered', 'benefits_realised')
         order by updated_at desc, id desc limit $1"
    )
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// A reaction count, and whether the reader left one of this kind.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ReactionCount {
    /// Kind (wire name).
    pub kind: String,
    /// How many people reacted so.
    pub count: i64,
    /// Whether the reader did.
    pub mine: bool,
}

/// Adds or takes back the reader's reaction of one kind.
pub async fn react(db: &Db, post: i64, user: i64, kind: ReactionKind, on: bool) -> Result<()> {
    let _turn = db.write_turn().await;
    if on {
        on_db!(db, |pool| {
            sqlx::query(
            "insert into post_reactions (post_id, user_id, kind, created_at) values ($1, $2, $3, $4)
             on conflict do nothing"
        )
        .bind(post)
        .bind(user)
        .bind(kind.as_str())
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
    } else {
        on_db!(db, |pool| sqlx::query(
            "delete from post_reactions where post_id = $1 and user_id = $2 and kind = $3"
        )
        .bind(post)
        .bind(user)
        .bind(kind.as_str())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Every reaction to a post as (kind, account), for a reader-independent cache of them.
pub async fn reaction_rows(db: &Db, post: i64) -> Result<Vec<(String, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select kind, user_id from post_reactions where post_id = $1 order by kind, user_id"
    )
    .bind(post)
    .fetch_all(pool)
    .await)?)
}

/// Reactions to a post, by kind.
pub async fn reactions(db: &Db, post: i64, reader: i64) -> Result<Vec<ReactionCount>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, ReactionCount>(
        "select kind, count(*) as count, coalesce(max(case when user_id = $2 then 1 else 0 end), 0) = 1 as mine
         from post_reactions where post_id = $1 group by kind order by kind"
    )
    .bind(post)
    .bind(reader)
    .fetch_all(pool)
    .await
    })?)
}

/// A comment on a post.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
#[schema(as = PostComment)]
pub struct Comment {
    /// Id.
    pub id: i64,
    /// Who wrote it.
    pub user_id: i64,
    /// Their name.
    pub author_name: String,
    /// What they wrote.
    pub text: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Adds a comment.
pub async fn add_comment(db: &Db, post: i64, user: i64, text: &str) -> Result<Comment> {
    let (id,): (i64,) = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query_as(
            "insert into post_comments (post_id, user_id, text, created_at) values ($1, $2, $3, $4)
             returning id"
        )
        .bind(post)
        .bind(user)
        .bind(text)
        .bind(Utc::now())
        .fetch_one(pool)
        .await)?
    };
    let found = comments(db, post).await?.into_iter().find(|c| c.id == id);
    found.ok_or(StoreError::NotFound("comment"))
}

/// A post's comments not hidden, oldest first.
pub async fn comments(db: &Db, post: i64) -> Result<Vec<Comment>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Comment>(
        "select c.id, c.user_id, u.name as author_name, c.text, c.created_at
         from post_comments c join users u on u.id = c.user_id
         where c.post_id = $1 and c.hidden_at is null order by c.id"
    )
    .bind(post)
    .fetch_all(pool)
    .await)?)
}

/// Hides a comment (its author or a moderator).
pub async fn hide_comment(db: &Db, post: i64, id: i64) -> Result<()> {
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| {
            sqlx::query(
            "update post_comments set hidden_at = $1 where id = $2 and post_id = $3 and hidden_at is null"
        )
        .bind(Utc::now())
        .bind(id)
        .bind(post)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })
    }?;
    if n == 0 {
        return Err(StoreError::NotFound("comment"));
    }
    Ok(())
}

/// The author of a comment (for the permission check), 404 when it is gone.
pub async fn comment_author(db: &Db, post: i64, id: i64) -> Result<i64> {
    let row: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select user_id from post_comments where id = $1 and post_id = $2 and hidden_at is null"
    )
    .bind(id)
    .bind(post)
    .fetch_optional(pool)
    .await)?;
    row.map(|r| r.0).ok_or(StoreError::NotFound("comment"))
}

/// The department an anonymous reply to a post goes to: its author's, or else an IT department.
pub async fn reply_department(db: &Db, post: i64) -> Result<(i64, String)> {
    let row: Option<(i64, String)> = on_db!(db, |pool| sqlx::query_as(
        "select d.id, d.name from posts p
         join users u on u.id = p.author_id
         join departments d on d.id = coalesce(
             (select pe.department_id from people pe where pe.id = u.person_id),
             (select min(i.id) from departments i where i.kind = 'it' and i.archived_at is null))
         where p.id = $1 and d.archived_at is null"
    )
    .bind(post)
    .fetch_optional(pool)
    .await)?;
    row.ok_or(StoreError::NotFound("post"))
}

/// Moves a post's times into the past (the demo's year of posts).
#[cfg(feature = "demo")]
pub async fn shift_post(db: &Db, id: i64, back: chrono::Duration) -> Result<()> {
    let p = find_post(db, id).await?;
    let _turn = db.write_turn().await;
    on_db!(db, |pool| sqlx::query(
        "update posts set publish_at = $1, created_at = $2, updated_at = $3, approved_at = $4
         where id = $5"
    )
    .bind(p.publish_at - back)
    .bind(p.created_at - back)
    .bind(p.updated_at - back)
    .bind(p.approved_at.map(|t| t - back))
    .bind(id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
