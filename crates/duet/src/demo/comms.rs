//! Tell's demo: a year of posts (what is changing, coming up, where to get help, calls for
//! feedback, one scheduled for later), and success stories of delivered requests — two approved
//! by their business owner, with comments and reactions, and one still waiting for the approval
//! of Sales' leader (the demo's business-leader sign-in).
//! The texts are in `demo-data/comms.toml`.

use crate::demo::data::DataFile;
use chrono::{Duration, Utc};
use duet_core::auth::Role;
use duet_core::comms::{PostInput, PostKind, PostStatus, ReactionKind, excerpt, render_markdown};
use duet_core::org::DepartmentId;
use duet_store::Db;
use duet_store::accounts::{self, User};
use duet_store::comms::{self as store, PostWrite};
use duet_store::org::{self, Department};

/// One post as the data file writes it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PostSeed {
    kind: PostKind,
    /// `it` (the CIO), `it_manager`, or a business department's name (its leader, else its
    /// executive).
    author: String,
    #[serde(default)]
    audience: Vec<String>,
    days_ago: i64,
    title: String,
    body: String,
    /// Also sent by e-mail to its readers.
    #[serde(default)]
    email: bool,
}

/// A success story of a delivered request of `department`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StorySeed {
    department: String,
    approved: bool,
    days_ago: i64,
    title: String,
    body: String,
    comments: Vec<String>,
}

/// Tell's demo content file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Content {
    posts: Vec<PostSeed>,
    stories: Vec<StorySeed>,
    /// Opening words of past editions, newest first (Markdown).
    edition_intros: Vec<String>,
}

/// `demo-data/comms.toml`.
static CONTENT: DataFile<Content> =
    DataFile::new("comms.toml", include_str!("../../demo-data/comms.toml"));

/// Who writes what in the demo.
struct Cast<'a> {
    users: &'a [User],
    departments: &'a [Department],
}

impl Cast<'_> {
    fn department(&self, name: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.name == name)
    }

    /// The account behind an `author` of the data file.
    fn author(&self, who: &str) -> Option<&User> {
        let it = self.department("IT").map(|d| d.id);
        // The CIO's account was made first (it is the printed IT sign-in); managers after.
        let mut it_leaders: Vec<&User> = self
            .users
            .iter()
            .filter(|u| u.role == Role::ItLeader && u.department_id == it)
            .collect();
        it_leaders.sort_by_key(|u| u.id);
        match who {
            "it" => it_leaders.first().copied(),
            "it_manager" => it_leaders.get(1).or(it_leaders.first()).copied(),
            dept => {
                let d = self.department(dept)?.id;
                let of = |role| {
                    self.users
                        .iter()
                        .find(move |u| u.role == role && u.department_id == Some(d))
                };
                of(Role::BusinessLeader).or_else(|| of(Role::Executive))
            }
        }
    }

    /// People of a department who comment and react (members first).
    fn readers(&self, dept: i64) -> impl Iterator<Item = &User> {
        self.users
            .iter()
            .filter(move |u| u.department_id == Some(dept) && u.role == Role::Member)
    }
}

/// Stores one post as `author` with its status, then moves it `days_ago` days into the past.
async fn publish(
    db: &Db,
    author: i64,
    input: &PostInput,
    status: PostStatus,
    days_ago: i64,
    email: bool,
) -> anyhow::Result<i64> {
    let html = render_markdown(&input.body);
    let summary = excerpt(&input.body, 280);
    let w = PostWrite {
        input,
        body_html: &html,
        summary: &summary,
        status,
        approved_by: None,
        email,
    };
    let p = store::insert_post(db, author, &w).await?;
    if days_ago > 0 {
        store::shift_post(db, p.id, Duration::days(days_ago)).await?;
    }
    Ok(p.id)
}

/// Seeds Tell unless posts already exist. Runs after the requests (stories tell delivered ones).
pub async fn seed_comms(db: &Db) -> anyhow::Result<()> {
    if store::count_posts(db).await? > 0 {
        return Ok(());
    }
    let content = CONTENT.get()?;
    let users = accounts::list_users(db).await?;
    let departments = org::list_departments(db, false).await?;
    let cast = Cast {
        users: &users,
        departments: &departments,
    };
    let mut posted = 0;
    for s in &content.posts {
        let Some(author) = cast.author(&s.author) else {
            tracing::warn!(author = %s.author, "no demo account writes this post; skipped");
            continue;
        };
        let audience = s
            .audience
            .iter()
            .filter_map(|n| cast.department(n).map(|d| DepartmentId(d.id)))
            .collect();
        let at = Utc::now() - Duration::days(s.days_ago.min(0));
        let input = PostInput::parse(Some(s.kind.as_str()), &s.title, &s.body, audience, at, None)
            .map_err(|e| anyhow::anyhow!("demo post {:?}: {e:?}", s.title))?;
        publish(
            db,
            author.id,
            &input,
            PostStatus::Published,
            s.days_ago,
            s.email,
        )
        .await?;
        posted += 1;
    }
    // Stories: a delivered request of each department, told by IT, approved by its owner.
    let delivered = store::delivered_work(db, 500).await?;
    let mut works = Vec::new();
    for (id, _) in &delivered {
        works.push(store::story_work(db, *id).await?);
    }
    let writer = cast.author("it").map(|u| u.id);
    let mut told = Vec::new();
    for s in &content.stories {
        let (Some(dept), Some(writer)) = (cast.department(&s.department), writer) else {
            continue;
        };
        let Some(work) = works
            .iter()
            .find(|w| w.department_id == dept.id && !told.contains(&w.request_id))
        else {
            tracing::warn!(department = %s.department, "no delivered request to tell; story skipped");
            continue;
        };
        let input = PostInput::parse(
            Some("success_story"),
            &s.title.replace("{work}", &work.title),
            &s.body.replace("{work}", &work.title),
            Vec::new(),
            Utc::now(),
            Some(work.request_id),
        )
        .map_err(|e| anyhow::anyhow!("demo story {:?}: {e:?}", s.title))?;
        told.push(work.request_id);
        let id = publish(db, writer, &input, PostStatus::AwaitingApproval, 0, false).await?;
        let owner = work.leader_user_id.or(work.champion_id);
        if let (true, Some(owner)) = (s.approved, owner) {
            store::approve(db, id, owner, 1).await?;
            for (reader, text) in cast.readers(dept.id).zip(&s.comments) {
                store::add_comment(db, id, reader.id, text).await?;
                store::react(db, id, reader.id, ReactionKind::Celebrate, true).await?;
            }
            store::react(db, id, owner, ReactionKind::Thanks, true).await?;
        }
        if s.days_ago > 0 {
            store::shift_post(db, id, Duration::days(s.days_ago)).await?;
        }
        posted += 1;
    }
    tracing::info!(posts = posted, "demo posts seeded");
    seed_editions(db, &cast, &content.edition_intros).await?;
    Ok(())
}

/// A year of editions drafted from the demo's records: eleven that went out on the first of
/// their next month (with counted clicks and the CIO's opening words), and last
/// month's still a draft, as Duet drafts it on the first of the month for the editor.
async fn seed_editions(db: &Db, cast: &Cast<'_>, intros: &[String]) -> anyhow::Result<()> {
    use duet_core::metrics::Period;
    use duet_store::comms::editions as ed;
    let tz = duet_core::time::Tz::UTC;
    let Some(editor) = cast.author("it") else {
        return Ok(());
    };
    let this = Period::of(Utc::now().date_naive());
    for back in 1..=12u32 {
        let month = this.minus(back);
        let id = duet_web::service::comms::editions::draft_month(db, tz, month)
            .await
            .map_err(|e| anyhow::anyhow!("drafting the demo edition of {month}: {e}"))?;
        if back == 1 {
            continue;
        }
        let (e, _) = ed::find(db, id).await?;
        let intro = &intros[(back as usize - 2) % intros.len().max(1)];
        ed::save(
            db,
            id,
            editor.id,
            &ed::EditionSave {
                revision: e.revision,
                title: &e.title,
                intro,
                intro_html: &render_markdown(intro),
                changes: &[],
                added: &[],
            },
        )
        .await?;
        let (first, _) = duet_core::comms::edition::window(month);
        let sent = (first + chrono::Months::new(1))
            .and_hms_opt(8, 0, 0)
            .map_or_else(Utc::now, |t| t.and_utc());
        ed::schedule(db, id, e.revision + 1, editor.id, sent, &[]).await?;
        ed::demo_clicks(db, id).await?;
    }
    Ok(())
}

/// Queues the demo's posts sent by e-mail, unless the outbox already has mail: with no SMTP
/// server they wait there (an admin sees them at `/admin/outbox`); with one, today's post goes at
/// once, a scheduled one at its time, and an older one is held until someone confirms it, as any
/// message whose time passed long ago is. Links in them point at `public_url`.
pub async fn queue_demo_mail(db: &Db, public_url: &str) -> anyhow::Result<()> {
    if !duet_store::mail::outbox(db, None, 1).await?.0.is_empty() {
        return Ok(());
    }
    let mut queued = 0;
    for post in store::emailed_posts(db).await? {
        queued += duet_web::service::mail::queue_post(db, public_url, &post)
            .await
            .map_err(|e| anyhow::anyhow!("queueing the demo's e-mail: {e}"))?;
    }
    tracing::info!(messages = queued, "demo e-mail queued");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_file_loads() {
        let c = CONTENT.get().unwrap();
        assert!(
            c.posts.len() >= 8
                && c.stories.iter().any(|s| s.approved)
                && c.stories.iter().any(|s| !s.approved)
        );
        assert!(
            c.posts.iter().any(|p| p.days_ago < 0),
            "one scheduled for later"
        );
        for p in &c.posts {
            PostInput::parse(
                Some(p.kind.as_str()),
                &p.title,
                &p.body,
                Vec::new(),
                Utc::now(),
                None,
            )
            .unwrap();
        }
    }
}
