//! Tell: writing, approving, reading and answering posts. Pages, the API and the feed all come
//! through here, so who may read, write, approve or moderate is decided once (`can`, `scope`).

pub mod editions;

use crate::error::AppError;
use crate::service::de;
use crate::service::fresh::{FreshCell, FreshMap};
use chrono::Utc;
use duet_core::auth::{Action, Actor, Question, Scope, can, scope};
use duet_core::comms::{self, PostInput, PostKind, PostStatus, ReactionKind};
use duet_core::org::{DepartmentId, UserId};
use duet_core::time::{Tz, parse_local_datetime};
use duet_store::comms::{self as store, Comment, Post, PostSummary, ReactionCount, Readers};
use duet_store::{Db, Page, PageRequest};
use std::sync::Arc;

/// A post as written in a form or sent as JSON.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PostFields {
    /// `changing`, `coming_up`, `help`, `feedback` or `success_story`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::comms::PostKind>)]
    pub kind: String,
    /// 3 to 200 characters.
    #[serde(default)]
    pub title: String,
    /// Markdown, up to 50,000 characters.
    #[serde(default)]
    pub body: String,
    /// The departments it is meant for; none for everyone.
    #[serde(default)]
    pub audience: Vec<i64>,
    /// When it appears, in the organisation's time zone (`YYYY-MM-DDTHH:MM`) or RFC 3339;
    /// empty for now.
    #[serde(default)]
    pub publish_at: String,
    /// For a success story: the delivered request it tells.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub request_id: Option<i64>,
    /// Publish (or, for a story someone else owns, ask its owner to approve); false keeps a draft.
    #[serde(default)]
    pub publish: bool,
    /// Also e-mail it to its readers (those who take the newsletter) once it is published.
    #[serde(default)]
    pub email: bool,
}

/// Who may read what: every published post, or those meant for everyone and the reader's
/// department.
pub fn readers(actor: &Actor) -> Readers {
    match scope(actor, Question::ReadPosts) {
        Scope::All => Readers::All,
        Scope::Department(d) => Readers::Department(Some(d.0)),
        Scope::Own | Scope::Nothing => Readers::Department(None),
    }
}

/// Whether `actor` owns the story told about `work`: its department's leader or its champion.
fn owns(actor: &Actor, work: &store::StoryWork) -> bool {
    can(
        actor,
        Action::ApproveStory {
            leader: work.leader_user_id.map(UserId),
            champion: work.champion_id.map(UserId),
        },
    )
    .is_ok()
}

/// Checks the fields and what they point at; for a story, also the delivered work and whether
/// the writer owns it.
async fn checked(
    db: &Db,
    tz: Tz,
    f: &PostFields,
) -> Result<(PostInput, Option<store::StoryWork>), AppError> {
    let publish_at = if f.publish_at.trim().is_empty() {
        Ok(Utc::now())
    } else {
        parse_local_datetime("publish_at", &f.publish_at, tz)
    };
    let audience: Vec<DepartmentId> = f.audience.iter().copied().map(DepartmentId).collect();
    let input = match publish_at {
        Ok(at) => PostInput::parse(Some(&f.kind), &f.title, &f.body, audience, at, f.request_id)?,
        Err(e) => {
            let mut errs = match PostInput::parse(
                Some(&f.kind),
                &f.title,
                &f.body,
                audience,
                Utc::now(),
                f.request_id,
            ) {
                Ok(_) => duet_core::ValidationErrors::default(),
                Err(errs) => errs,
            };
            errs.0.push(e);
            return Err(errs.into());
        }
    };
    let work = match input.request {
        None => None,
        Some(r) => {
            let work = match store::story_work(db, r).await {
                Err(duet_store::StoreError::NotFound(_)) => {
                    return Err(AppError::invalid(
                        "request_id",
                        format!("there is no request #{r}"),
                    ));
                }
                w => w?,
            };
            if !matches!(work.status.as_str(), "delivered" | "benefits_realised") {
                return Err(AppError::invalid(
                    "request_id",
                    format!(
                        "request #{r} is not delivered yet; a success story tells delivered work"
                    ),
                ));
            }
            Some(work)
        }
    };
    Ok((input, work))
}

/// What a save stores: rendered body, excerpt, status, and the owner's own approval.
fn write_of<'a>(
    actor: &Actor,
    input: &'a PostInput,
    work: Option<&store::StoryWork>,
    f: &PostFields,
    html: &'a str,
    summary: &'a str,
) -> store::PostWrite<'a> {
    let publish = f.publish;
    let by_owner = work.is_some_and(|w| owns(actor, w));
    let status = comms::status_on_save(input.kind, publish, by_owner);
    store::PostWrite {
        input,
        body_html: html,
        summary,
        status,
        approved_by: (by_owner && status == PostStatus::Published).then_some(actor.user.0),
        email: f.email,
    }
}

/// Queues a published post asked to go by e-mail (the outbox adds nobody twice, and holds it
/// until its publish time).
async fn mail_if_asked(db: &Db, public_url: &str, post: Post) -> Result<Post, AppError> {
    if post.email_audience && post.status == PostStatus::Published {
        crate::service::mail::queue_post(db, public_url, &post).await?;
    }
    Ok(post)
}

/// Writes a new post.
pub async fn create(
    db: &Db,
    actor: &Actor,
    tz: Tz,
    public_url: &str,
    f: &PostFields,
) -> Result<Post, AppError> {
    can(actor, Action::WritePost)?;
    let (input, work) = checked(db, tz, f).await?;
    let html = comms::render_markdown(&input.body);
    let summary = comms::excerpt(&input.body, 280);
    let w = write_of(actor, &input, work.as_ref(), f, &html, &summary);
    let post = store::insert_post(db, actor.user.0, &w).await?;
    mail_if_asked(db, public_url, post).await
}

/// Edits a post (a new revision; a story edited by anyone but its owner waits for them again).
pub async fn update(
    db: &Db,
    actor: &Actor,
    tz: Tz,
    public_url: &str,
    id: i64,
    f: &PostFields,
) -> Result<Post, AppError> {
    let post = store::find_post(db, id).await?;
    can(
        actor,
        Action::EditPost {
            author: UserId(post.author_id),
        },
    )?;
    let (input, work) = checked(db, tz, f).await?;
    let html = comms::render_markdown(&input.body);
    let summary = comms::excerpt(&input.body, 280);
    let w = write_of(actor, &input, work.as_ref(), f, &html, &summary);
    let post = store::update_post(db, id, actor.user.0, &w).await?;
    mail_if_asked(db, public_url, post).await
}

/// The story's owner approves the revision they read.
pub async fn approve(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    id: i64,
    revision: i64,
) -> Result<Post, AppError> {
    let post = store::find_post(db, id).await?;
    let work = story_of(db, &post).await?;
    can(
        actor,
        Action::ApproveStory {
            leader: work.leader_user_id.map(UserId),
            champion: work.champion_id.map(UserId),
        },
    )?;
    let post = store::approve(db, id, actor.user.0, revision).await?;
    mail_if_asked(db, public_url, post).await
}

/// The story's owner sends it back to its author, saying what to change.
pub async fn return_story(db: &Db, actor: &Actor, id: i64, note: &str) -> Result<Post, AppError> {
    let post = store::find_post(db, id).await?;
    let work = story_of(db, &post).await?;
    can(
        actor,
        Action::ApproveStory {
            leader: work.leader_user_id.map(UserId),
            champion: work.champion_id.map(UserId),
        },
    )?;
    let note = comms::parse_text("note", note)?;
    Ok(store::return_to_author(db, id, actor.user.0, &note).await?)
}

/// The delivered work a story tells (a 409 for a post that is not a story).
async fn story_of(db: &Db, post: &Post) -> Result<store::StoryWork, AppError> {
    let Some(r) = post.request_id else {
        return Err(AppError::Conflict(duet_core::FieldError::new(
            "kind",
            "only a success story is approved by its owner",
        )));
    };
    Ok(store::story_work(db, r).await?)
}

/// A moderator hides a post with a reason, or (no reason) brings it back as a draft.
pub async fn moderate(
    db: &Db,
    actor: &Actor,
    id: i64,
    reason: Option<&str>,
) -> Result<Post, AppError> {
    can(actor, Action::ModeratePosts)?;
    let reason = match reason {
        Some(r) => Some(comms::parse_text("reason", r)?),
        None => None,
    };
    Ok(store::set_hidden(db, id, reason.as_deref()).await?)
}

/// What a reader may do with a post, so pages show only the buttons that work.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, utoipa::ToSchema)]
pub struct PostAbilities {
    /// Edit it.
    pub edit: bool,
    /// Approve it or send it back (its business owner, while it waits).
    pub approve: bool,
    /// Hide or restore it.
    pub moderate: bool,
    /// React and comment (it is published).
    pub respond: bool,
}

/// A post with everything its page shows.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PostView {
    /// The post.
    pub post: Post,
    /// The departments it is meant for (none: everyone), as (id, name).
    pub audience: Vec<(i64, String)>,
    /// Reactions by kind.
    pub reactions: Vec<ReactionCount>,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
    /// The department whose Voice inbox an anonymous reply reaches.
    pub reply_to: Option<String>,
    /// What the reader may do.
    pub may: PostAbilities,
}

/// A post and what around it is the same for every reader (kept per process, see [`CommsCache`]).
struct PostParts {
    post: Post,
    audience: Vec<(i64, String)>,
    comments: Vec<Comment>,
    owners: Option<store::StoryWork>,
    /// Every reaction as (kind, account): each reader's own are picked out of it.
    reactions: Vec<(String, i64)>,
    /// Where an anonymous reply goes (department id and name).
    reply_to: Option<(i64, String)>,
}

/// Reads one post for `actor`: 404 for a post they may not read (a draft not theirs, a post not
/// meant for them), so its existence is not told either.
pub async fn view(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<PostView, AppError> {
    let parts = cache
        .posts
        .get_or_load(id, || async {
            let post = store::find_post(db, id).await?;
            let audience = store::audience(db, id).await?;
            let comments = store::comments(db, id).await?;
            let owners = match post.request_id {
                Some(r) => Some(store::story_work(db, r).await?),
                None => None,
            };
            let reactions = store::reaction_rows(db, id).await?;
            let reply_to = match store::reply_department(db, id).await {
                Ok(d) => Some(d),
                Err(duet_store::StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            };
            Ok::<_, AppError>(PostParts {
                post,
                audience,
                comments,
                owners,
                reactions,
                reply_to,
            })
        })
        .await?;
    let p = &parts.post;
    let owner = parts.owners.as_ref().is_some_and(|w| owns(actor, w));
    let meant = p.audience_all
        || actor
            .department
            .is_some_and(|d| parts.audience.iter().any(|(id, _)| *id == d.0));
    let live = p.status == PostStatus::Published && p.publish_at <= Utc::now();
    let readable = if live {
        can(
            actor,
            Action::ReadPost {
                meant_for_reader: meant,
            },
        )
        .is_ok()
    } else {
        can(
            actor,
            Action::ReadUnpublishedPost {
                author: UserId(p.author_id),
                story_owner: owner,
            },
        )
        .is_ok()
    };
    if !readable {
        return Err(AppError::NotFound("post".into()));
    }
    let mut reactions: Vec<ReactionCount> = Vec::new();
    for (kind, user) in &parts.reactions {
        match reactions.last_mut() {
            Some(r) if r.kind == *kind => {
                r.count += 1;
                r.mine |= *user == actor.user.0;
            }
            _ => reactions.push(ReactionCount {
                kind: kind.clone(),
                count: 1,
                mine: *user == actor.user.0,
            }),
        }
    }
    let may = PostAbilities {
        edit: p.status != PostStatus::Hidden
            && can(
                actor,
                Action::EditPost {
                    author: UserId(p.author_id),
                },
            )
            .is_ok(),
        approve: p.status == PostStatus::AwaitingApproval && owner,
        moderate: can(actor, Action::ModeratePosts).is_ok(),
        respond: live,
    };
    Ok(PostView {
        post: parts.post.clone(),
        audience: parts.audience.clone(),
        reactions,
        comments: parts.comments.clone(),
        reply_to: parts.reply_to.as_ref().map(|r| r.1.clone()),
        may,
    })
}

/// A page of published posts the actor may read, optionally of one kind.
pub async fn list(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
    kind: Option<PostKind>,
    page: PageRequest,
) -> Result<Arc<Page<PostSummary>>, AppError> {
    let readers = readers(actor);
    cache
        .lists
        .get_or_load((readers, kind, page), || async {
            Ok::<_, AppError>(store::page_published(db, readers, kind, Utc::now(), page).await?)
        })
        .await
}

/// The actor's drafts, their stories waiting for an owner, and stories waiting for them.
pub async fn unpublished(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
) -> Result<Arc<Vec<PostSummary>>, AppError> {
    cache
        .unpublished
        .get_or_load(actor.user.0, || async {
            Ok::<_, AppError>(store::unpublished_for(db, actor.user.0).await?)
        })
        .await
}

/// Delivered work a story may tell (for the form's choices).
pub async fn delivered_work(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(store::delivered_work(db, 200).await?)
}

/// A published post the actor may read, for responding to it (404 otherwise).
async fn respondable(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<PostView, AppError> {
    let v = view(cache, db, actor, id).await?;
    if !v.may.respond {
        return Err(AppError::Conflict(duet_core::FieldError::new(
            "post",
            "this post is not published, so it takes no reactions or comments yet",
        )));
    }
    Ok(v)
}

/// Adds or takes back the actor's reaction.
pub async fn react(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
    id: i64,
    kind: &str,
    on: bool,
) -> Result<(), AppError> {
    let kind: ReactionKind = kind.parse()?;
    respondable(cache, db, actor, id).await?;
    Ok(store::react(db, id, actor.user.0, kind, on).await?)
}

/// Comments on a post.
pub async fn comment(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
    id: i64,
    text: &str,
) -> Result<Comment, AppError> {
    let text = comms::parse_text("text", text)?;
    respondable(cache, db, actor, id).await?;
    Ok(store::add_comment(db, id, actor.user.0, &text).await?)
}

/// Hides a comment: its author, or a moderator.
pub async fn hide_comment(db: &Db, actor: &Actor, id: i64, comment: i64) -> Result<(), AppError> {
    let author = store::comment_author(db, id, comment).await?;
    can(
        actor,
        Action::HideComment {
            author: UserId(author),
        },
    )?;
    Ok(store::hide_comment(db, id, comment).await?)
}

/// Replies to a published post anonymously: a pain point in the Voice inbox of the post's
/// author's department (or IT's), under Voice's rules — nothing about the reader is kept, and
/// the receipt code returned is the only way back to it.
pub async fn anonymous_reply(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
    id: i64,
    text: &str,
) -> Result<String, AppError> {
    let v = respondable(cache, db, actor, id).await?;
    let (dept, _) = store::reply_department(db, id).await?;
    let text = text.trim();
    let fields = crate::service::voice::PostFields {
        department_id: Some(dept),
        text: if text.is_empty() {
            String::new()
        } else {
            format!("About the post \u{201c}{}\u{201d}: {text}", v.post.title)
        },
    };
    crate::service::voice::post(db, &fields).await
}

/// Published posts meant for everyone, newest first, for the public Atom feed.
pub async fn feed(cache: &CommsCache, db: &Db) -> Result<Arc<Vec<Post>>, AppError> {
    cache
        .feed
        .get_or_load(|| async { Ok::<_, AppError>(store::feed(db, Utc::now(), 30).await?) })
        .await
}

/// Recently read posts, listings and the feed: exact while this process has not written since,
/// and at most two seconds old (see `service::fresh`).
#[derive(Default)]
pub struct CommsCache {
    posts: FreshMap<i64, PostParts, 1000>,
    lists: FreshMap<(Readers, Option<PostKind>, PageRequest), Page<PostSummary>, 1000>,
    unpublished: FreshMap<i64, Vec<PostSummary>, 1000>,
    feed: FreshCell<Vec<Post>>,
    editions: FreshMap<i64, editions::EditionParts, 200>,
    edition_lists: FreshMap<bool, Vec<duet_store::comms::editions::Edition>, 2>,
}
