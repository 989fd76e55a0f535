//! Tell's store rules on both backends: who reads which post, a success story shown only while
//! its owner's approval covers the revision on show, moderation, reactions and comments.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use duet_core::auth::Role;
use duet_core::comms::{PostInput, PostKind, PostStatus, ReactionKind, excerpt, render_markdown};
use duet_core::org::{DepartmentId, DepartmentInput};
use duet_store::comms::{self, PostWrite, Readers};
use duet_store::{Db, PageRequest, StoreError, both_backends, org};

mod common;
use common::{person, user, world};

/// Saves `input` as `author` with the given status (and the owner's approval when given).
async fn save(
    db: &Db,
    author: i64,
    input: &PostInput,
    status: PostStatus,
    approved_by: Option<i64>,
) -> duet_store::Result<comms::Post> {
    let html = render_markdown(&input.body);
    let summary = excerpt(&input.body, 280);
    let w = PostWrite {
        input,
        body_html: &html,
        summary: &summary,
        status,
        approved_by,
        email: false,
    };
    comms::insert_post(db, author, &w).await
}

fn post(kind: PostKind, title: &str, audience: Vec<i64>, request: Option<i64>) -> PostInput {
    PostInput::parse(
        Some(kind.as_str()),
        title,
        "**Told** in [Markdown](https://example.com).",
        audience.into_iter().map(DepartmentId).collect(),
        Utc::now() - Duration::minutes(1),
        request,
    )
    .unwrap()
}

async fn listed(db: &Db, readers: Readers) -> Vec<String> {
    comms::page_published(db, readers, None, Utc::now(), PageRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| p.title)
        .collect()
}

both_backends! {
    async fn a_story_is_shown_only_while_its_owner_approved_the_revision_on_show(db: &Db) {
        let w = world(db).await;
        // Sales' leader has an account; IT writes the story of Sales' delivered request.
        let lead = person(db, "Sofia Rossi", "sofia@example.com", w.sales, "executive").await;
        let leader = user(db, "sofia@example.com", Role::BusinessLeader).await;
        org::update_department(db, DepartmentId(w.sales), &DepartmentInput::parse("Sales", "business", Some(lead), None).unwrap()).await.unwrap();
        let writer = user(db, "writer@example.com", Role::ItLeader).await;
        let input = duet_core::requests::RequestInput { title: "Faster quotes".into(), problem: "Quotes take two days.".into(), affected: "Sales".into(), desired_outcome: "Quotes in an hour".into(), department: w.sales, urgency: duet_core::requests::Urgency::Normal, date_needed: None };
        let r = duet_store::requests::insert_request(db, leader, &input).await.unwrap();
        match db {
            Db::Sqlite(p) => { sqlx::query("update requests set status = 'delivered' where id = $1").bind(r.id).execute(p).await.unwrap(); }
            Db::Postgres(p) => { sqlx::query("update requests set status = 'delivered' where id = $1").bind(r.id).execute(p).await.unwrap(); }
        }
        let work = comms::story_work(db, r.id).await.unwrap();
        assert_eq!((work.leader_user_id, work.status.as_str()), (Some(leader), "delivered"));
        assert_eq!(comms::delivered_work(db, 10).await.unwrap(), vec![(r.id, "Faster quotes".to_string())]);

        let story = post(PostKind::SuccessStory, "Quotes in an hour", vec![], Some(r.id));
        let p = save(db, writer, &story, PostStatus::AwaitingApproval, None).await.unwrap();
        assert_eq!((p.status, p.revision, p.approved_by), (PostStatus::AwaitingApproval, 1, None));
        assert!(p.body_html.contains("<strong>Told</strong>"));
        assert!(listed(db, Readers::All).await.is_empty(), "not shown before approval");
        let asked = duet_store::requests::notifications(db, leader, 10).await.unwrap();
        assert!(asked.iter().any(|n| n.message.contains("waits for your approval")), "{asked:?}");
        assert_eq!(comms::unpublished_for(db, leader).await.unwrap().len(), 1, "waiting for its owner");
        assert_eq!(comms::unpublished_for(db, writer).await.unwrap().len(), 1, "the author's own");

        // The owner approves what they read, not a later edit.
        assert!(matches!(comms::approve(db, p.id, leader, 2).await, Err(StoreError::Conflict(_))));
        let p = comms::approve(db, p.id, leader, 1).await.unwrap();
        assert_eq!((p.status, p.approved_by, p.approved_revision), (PostStatus::Published, Some(leader), Some(1)));
        assert_eq!((p.approved_by_name.as_deref(), p.approved_by_department.as_deref()), (Some("sofia@example.com"), Some("Sales")));
        assert_eq!(listed(db, Readers::Department(None)).await, ["Quotes in an hour"]);
        assert!(matches!(comms::approve(db, p.id, leader, 1).await, Err(StoreError::Conflict(_))), "approved once");

        // An edit by its author needs a new approval; the story leaves the archive meanwhile.
        let edited = post(PostKind::SuccessStory, "Quotes in under an hour", vec![], Some(r.id));
        let html = render_markdown(&edited.body);
        let wr = PostWrite { input: &edited, body_html: &html, summary: "x", status: PostStatus::AwaitingApproval, approved_by: None, email: false };
        let p = comms::update_post(db, p.id, writer, &wr).await.unwrap();
        assert_eq!((p.status, p.revision, p.approved_by, p.approved_revision), (PostStatus::AwaitingApproval, 2, None, None));
        assert!(listed(db, Readers::All).await.is_empty());
        let p = comms::return_to_author(db, p.id, leader, "Name the team, please.").await.unwrap();
        assert_eq!((p.status, p.approval_note.as_deref()), (PostStatus::Draft, Some("Name the team, please.")));
        // The owner edits it themselves: approved by that edit.
        let wr = PostWrite { input: &edited, body_html: &html, summary: "x", status: PostStatus::Published, approved_by: Some(leader), email: false };
        let p = comms::update_post(db, p.id, leader, &wr).await.unwrap();
        assert_eq!((p.status, p.revision, p.approved_revision, p.approval_note), (PostStatus::Published, 3, Some(3), None));
        assert_eq!(comms::feed(db, Utc::now(), 10).await.unwrap().len(), 1);
    }

    async fn readers_see_what_is_meant_for_them_and_moderation_hides_it(db: &Db) {
        let w = world(db).await;
        let writer = user(db, "writer@example.com", Role::ItLeader).await;
        let reader = user(db, "reader@example.com", Role::Member).await;
        save(db, writer, &post(PostKind::Help, "Where to get help", vec![], None), PostStatus::Published, None).await.unwrap();
        let hr_only = save(db, writer, &post(PostKind::Changing, "New payroll screens", vec![w.hr], None), PostStatus::Published, None).await.unwrap();
        save(db, writer, &post(PostKind::ComingUp, "Draft plan", vec![], None), PostStatus::Draft, None).await.unwrap();
        let mut later = post(PostKind::ComingUp, "Next month", vec![], None);
        later.publish_at = Utc::now() + Duration::days(3);
        save(db, writer, &later, PostStatus::Published, None).await.unwrap();
        assert_eq!(listed(db, Readers::Department(Some(w.sales))).await, ["Where to get help"]);
        assert_eq!(listed(db, Readers::Department(Some(w.hr))).await, ["New payroll screens", "Where to get help"]);
        assert_eq!(listed(db, Readers::All).await.len(), 2, "drafts and scheduled posts are not listed");
        let kinds = comms::page_published(db, Readers::All, Some(PostKind::Help), Utc::now(), PageRequest::default()).await.unwrap();
        assert_eq!(kinds.total, 1);
        assert_eq!(comms::audience(db, hr_only.id).await.unwrap(), vec![(w.hr, "HR".to_string())]);
        assert_eq!(comms::feed(db, Utc::now(), 10).await.unwrap().iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["Where to get help"], "the public feed: posts for everyone only");
        let bad = post(PostKind::Help, "To nowhere", vec![999_999], None);
        assert!(matches!(save(db, writer, &bad, PostStatus::Published, None).await, Err(StoreError::Invalid(e)) if e.field == "audience"));

        // Reactions: once of each kind per person; comments: added and removed.
        for _ in 0..2 {
            comms::react(db, hr_only.id, reader, ReactionKind::Useful, true).await.unwrap();
        }
        comms::react(db, hr_only.id, writer, ReactionKind::Useful, true).await.unwrap();
        comms::react(db, hr_only.id, writer, ReactionKind::Thanks, true).await.unwrap();
        comms::react(db, hr_only.id, writer, ReactionKind::Thanks, false).await.unwrap();
        let counts = comms::reactions(db, hr_only.id, reader).await.unwrap();
        assert_eq!(counts.iter().map(|r| (r.kind.as_str(), r.count, r.mine)).collect::<Vec<_>>(), vec![("useful", 2, true)]);
        let c = comms::add_comment(db, hr_only.id, reader, "Where is the new screen?").await.unwrap();
        assert_eq!((c.author_name.as_str(), c.text.as_str()), ("reader@example.com", "Where is the new screen?"));
        assert_eq!(comms::comment_author(db, hr_only.id, c.id).await.unwrap(), reader);
        comms::hide_comment(db, hr_only.id, c.id).await.unwrap();
        assert!(comms::comments(db, hr_only.id).await.unwrap().is_empty());
        assert!(matches!(comms::hide_comment(db, hr_only.id, c.id).await, Err(StoreError::NotFound(_))));

        // A moderator hides a post with a reason; restored, it is its author's draft again.
        let p = comms::set_hidden(db, hr_only.id, Some("Wrong audience")).await.unwrap();
        assert_eq!((p.status, p.hidden_reason.as_deref()), (PostStatus::Hidden, Some("Wrong audience")));
        assert!(matches!(comms::set_hidden(db, hr_only.id, Some("again")).await, Err(StoreError::Conflict(_))));
        assert_eq!(listed(db, Readers::All).await, ["Where to get help"]);
        let p = comms::set_hidden(db, hr_only.id, None).await.unwrap();
        assert_eq!((p.status, p.hidden_reason), (PostStatus::Draft, None));
        assert_eq!(comms::reply_department(db, p.id).await.unwrap().0, w.it, "an author without a person: IT hears the reply");
    }
}
