//! The monthly edition: drafting it from Duet's records, the editor's changes, a preview as a
//! chosen department's member would read it, scheduling (one e-mail per department's version,
//! each recipient with their own unsubscribe link) and the counted clicks.
//!
//! A reader sees an edition once it has gone out, with the lines meant for them: every line for
//! everyone, their own department's IT partner, and posts meant for everyone or for their
//! department. An editor sees drafts too, and every line with whom it is for.

use crate::error::AppError;
use crate::service::comms::CommsCache;
use crate::service::mail::escape;
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::auth::{Action, Actor, Role, can};
use duet_core::comms::edition::{self as rules, EditionStatus, Section};
use duet_core::comms::{self, PostKind};
use duet_core::metrics::Period;
use duet_core::org::{DepartmentId, UserId};
use duet_core::time::{Tz, parse_local_datetime};
use duet_store::Db;
use duet_store::comms::editions::{self as store, Edition, EditionSave, Item, ItemChange, NewItem};
use duet_store::mail::{Message, Recipient};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The instant a day starts in the organisation's time zone.
fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    duet_core::time::from_local(day.and_time(chrono::NaiveTime::MIN), tz)
}

/// The lines Duet draws from its records for `month`: each links to the record it came from.
pub async fn draft_lines(db: &Db, tz: Tz, month: Period) -> Result<Vec<NewItem>, AppError> {
    let (first, next) = rules::window(month);
    let (from, to) = (start_of(first, tz), start_of(next, tz));
    let line = |section, text: String, url: String, source: String| NewItem {
        section,
        text,
        url,
        source: Some(source),
        department_id: None,
        post_id: None,
        request_id: None,
    };
    let work = |section, text: String, id: i64| NewItem {
        request_id: Some(id),
        ..line(
            section,
            text,
            format!("/requests/{id}"),
            format!("request:{id}"),
        )
    };
    let mut out = Vec::new();
    for d in store::delivered(db, from, to).await? {
        let owner = d
            .owner
            .map(|o| format!(", owned by {o}"))
            .unwrap_or_default();
        out.push(work(
            Section::Delivered,
            format!("{} — for {}{owner}", d.title, d.department),
            d.id,
        ));
    }
    for (id, title, dept, champion) in store::funded(db, from, to).await? {
        let by = champion
            .map(|c| format!(", championed by {c}"))
            .unwrap_or_default();
        out.push(work(Section::Funded, format!("{title} — {dept}{by}"), id));
    }
    let said = store::you_said(db, from, to).await?;
    for (id, text, from_dept, to_dept, late) in store::kept(db, from, to).await? {
        if said.iter().any(|(k, p, _, _)| k == "promise" && *p == id) {
            continue; // told once, under "you said, we did"
        }
        let when = if late { " (kept late)" } else { "" };
        out.push(line(
            Section::Kept,
            format!("{from_dept} to {to_dept}: {text}{when}"),
            format!("/promises/{id}"),
            format!("promise:{id}"),
        ));
    }
    // "Coming up" looks ahead from the day the edition goes out: the next month's first day.
    let horizon = next + chrono::Duration::days(rules::COMING_DAYS);
    for (id, title, dept, needed) in store::coming(db, next, horizon).await? {
        out.push(work(
            Section::Coming,
            format!("{title} — for {dept}, due {}", needed.format("%-d %B")),
            id,
        ));
    }
    for (kind, id, what, dept) in said {
        out.push(if kind == "promise" {
            line(
                Section::YouSaid,
                format!("Raised anonymously in Voice with {dept}; promised and kept: {what}"),
                format!("/promises/{id}"),
                format!("voice-promise:{id}"),
            )
        } else {
            NewItem {
                source: Some(format!("voice-request:{id}")),
                ..work(
                    Section::YouSaid,
                    format!("Raised anonymously in Voice with {dept}; now delivered: {what}"),
                    id,
                )
            }
        });
    }
    out.push(line(
        Section::Help,
        "Need something from IT? Tell us in one place: the intake.".to_string(),
        "/requests/new".to_string(),
        "intake".to_string(),
    ));
    for (dept, name, partner, email) in store::partners(db).await? {
        out.push(NewItem {
            department_id: Some(dept),
            ..line(
                Section::Help,
                format!("{name}: your IT partner is {partner} ({email})"),
                format!("/departments/{dept}"),
                format!("department:{dept}"),
            )
        });
    }
    let posts = store::month_posts(db, from, to).await?;
    for (id, title, kind) in posts {
        let kind = kind
            .parse::<PostKind>()
            .map(|k| k.label())
            .unwrap_or("Post");
        out.push(NewItem {
            post_id: Some(id),
            ..line(
                Section::Posts,
                format!("{kind}: {title}"),
                format!("/comms/posts/{id}"),
                format!("post:{id}"),
            )
        });
    }
    Ok(out)
}

/// Drafts the edition of `month` (`YYYY-MM`) from the records; 409 when it exists.
pub async fn draft(db: &Db, actor: &Actor, tz: Tz, month: &str) -> Result<i64, AppError> {
    can(actor, Action::EditEditions)?;
    let month = Period::parse(month.trim())
        .map_err(|e| AppError::invalid("month", format!("{}; e.g. 2026-11", e.message)))?;
    draft_month(db, tz, month).await
}

/// Drafts the edition of `month` from the records, with no one asking (housekeeping, the demo).
pub async fn draft_month(db: &Db, tz: Tz, month: Period) -> Result<i64, AppError> {
    let items = draft_lines(db, tz, month).await?;
    let m = month.to_string();
    Ok(store::insert_draft(db, &m, &rules::default_title(month), "", "", &items).await?)
}

/// Housekeeping: on the first days of a month, drafts the edition of the month just ended if
/// there is none yet (editors find it waiting). Returns its id when one was drafted.
pub async fn draft_due(db: &Db, tz: Tz, today: NaiveDate) -> Result<Option<i64>, AppError> {
    let last = Period::of(today).minus(1);
    if store::of_month(db, &last.to_string()).await?.is_some() {
        return Ok(None);
    }
    match draft_month(db, tz, last).await {
        Ok(id) => Ok(Some(id)),
        // Another replica drafted it at the same moment.
        Err(AppError::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Replaces Duet's lines of a draft with fresh ones from the records (the editor's own lines
/// stay), as edited at `revision`.
pub async fn redraft(
    db: &Db,
    actor: &Actor,
    tz: Tz,
    id: i64,
    revision: i64,
) -> Result<(), AppError> {
    can(actor, Action::EditEditions)?;
    let (e, _) = store::find(db, id).await?;
    let month = Period::parse(&e.month)?;
    let items = draft_lines(db, tz, month).await?;
    Ok(store::redraft(db, id, revision, &items).await?)
}

/// An editor's change to one line, as sent.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct LineFields {
    /// The line's id.
    pub id: i64,
    /// Its words, 3 to 500 characters.
    pub text: String,
    /// Whether it stays in the edition.
    #[serde(default = "yes")]
    pub included: bool,
}

fn yes() -> bool {
    true
}

/// A line an editor adds.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewLineFields {
    /// The part it goes in (`delivered`, `funded`, `kept`, `coming`, `you_said`, `help`, `posts`).
    #[serde(default)]
    pub section: String,
    /// Its words.
    #[serde(default)]
    pub text: String,
    /// Where it links: a Duet path (`/requests/12`) or an http(s) address.
    #[serde(default)]
    pub url: String,
}

/// What an editor saves.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EditionFields {
    /// The revision edited (from the edition read): a save over someone else's is refused.
    #[serde(default)]
    pub revision: i64,
    /// 3 to 200 characters.
    #[serde(default)]
    pub title: String,
    /// Opening words, Markdown; may be empty.
    #[serde(default)]
    pub intro: String,
    /// Changes to lines (lines not named stay as they are).
    #[serde(default)]
    pub lines: Vec<LineFields>,
    /// Lines to add.
    #[serde(default)]
    pub add: Vec<NewLineFields>,
}

/// Saves an editor's changes: every field checked first, every problem named; nothing is
/// written unless all of it is right.
pub async fn save(db: &Db, actor: &Actor, id: i64, f: &EditionFields) -> Result<(), AppError> {
    can(actor, Action::EditEditions)?;
    let mut errs = duet_core::ValidationErrors::default();
    let title = comms::parse_title(&f.title)
        .map_err(|e| errs.0.push(e))
        .ok();
    let intro = if f.intro.trim().is_empty() {
        Some(String::new())
    } else {
        comms::parse_text("intro", &f.intro)
            .map_err(|e| errs.0.push(e))
            .ok()
    };
    let mut changes = Vec::new();
    for l in &f.lines {
        match rules::parse_line(&format!("line_{}", l.id), &l.text) {
            Ok(text) => changes.push(ItemChange {
                id: l.id,
                text,
                included: l.included,
            }),
            Err(e) => errs.0.push(e),
        }
    }
    let mut added = Vec::new();
    for (n, a) in f.add.iter().enumerate() {
        if a.text.trim().is_empty() && a.url.trim().is_empty() {
            continue;
        }
        let field = |k: &str| {
            if n == 0 {
                format!("add_{k}")
            } else {
                format!("add_{n}_{k}")
            }
        };
        let section = a
            .section
            .parse::<Section>()
            .map_err(|_| {
                errs.0.push(duet_core::FieldError::new(
                    field("section"),
                    "choose the part of the edition the line goes in",
                ))
            })
            .ok();
        let text = rules::parse_line(&field("text"), &a.text)
            .map_err(|e| errs.0.push(e))
            .ok();
        let url = rules::parse_link(&field("url"), &a.url)
            .map_err(|e| errs.0.push(e))
            .ok();
        if let (Some(section), Some(text), Some(url)) = (section, text, url) {
            added.push(NewItem {
                section,
                text,
                url,
                source: None,
                department_id: None,
                post_id: None,
                request_id: None,
            });
        }
    }
    let (Some(title), Some(intro), true) = (title, intro, errs.0.is_empty()) else {
        return Err(errs.into());
    };
    let intro_html = if intro.is_empty() {
        String::new()
    } else {
        comms::render_markdown(&intro)
    };
    Ok(store::save(
        db,
        id,
        actor.user.0,
        &EditionSave {
            revision: f.revision,
            title: &title,
            intro: &intro,
            intro_html: &intro_html,
            changes: &changes,
            added: &added,
        },
    )
    .await?)
}

/// Whose eyes an edition is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// An editor's own view: every line, each with whom it is for.
    Editor,
    /// A member of this department (none: someone in no department) — a reader, or an
    /// editor's preview.
    Member(Option<i64>),
}

/// One line as a reader sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LineView {
    /// The line.
    pub id: i64,
    /// Its words.
    pub text: String,
    /// Where it links.
    pub url: String,
    /// The link to follow: the counting redirect once the edition went out, else `url`; none
    /// when this reader may not open what it points to (another team's request).
    pub href: Option<String>,
    /// Whether it is in the edition (editors see left-out lines too).
    pub included: bool,
    /// For whom, when not everyone (editors only): a department's name, or "the post's audience".
    pub only_for: Option<String>,
    /// Clicks counted (editors only; 0 for readers).
    pub clicks: i64,
    /// For a post: its reactions and comments (editors only).
    pub reactions: i64,
    /// Comments on the post.
    pub comments: i64,
    /// The record it came from; none for the editor's own line.
    pub source: Option<String>,
}

/// A part of an edition with its lines.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SectionView {
    /// Which part.
    pub section: Section,
    /// Its heading.
    pub heading: String,
    /// Its lines, in order.
    pub lines: Vec<LineView>,
}

/// An edition with everything its page shows.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EditionView {
    /// The edition.
    pub edition: Edition,
    /// Whether it went out (scheduled and its time came).
    pub sent: bool,
    /// Its parts that have lines for this viewer.
    pub sections: Vec<SectionView>,
    /// Whether the caller may edit and schedule it.
    pub may_edit: bool,
    /// Whose view this is: the department previewed or read as (none: everyone / no department).
    pub as_department: Option<i64>,
    /// Total clicks (editors only).
    pub clicks: i64,
}

/// An edition's record and lines, the same for every reader (kept per process).
pub(crate) struct EditionParts {
    edition: Edition,
    items: Vec<Item>,
    /// (post, department) for posts with a chosen audience.
    audiences: Vec<(i64, i64)>,
    /// (post, reactions, comments).
    figures: Vec<(i64, i64, i64)>,
    /// (request, requester, department) of the requests it tells of.
    requests: Vec<(i64, i64, i64)>,
    /// Department names by id.
    departments: BTreeMap<i64, String>,
}

async fn parts(cache: &CommsCache, db: &Db, id: i64) -> Result<Arc<EditionParts>, AppError> {
    cache
        .editions
        .get_or_load(id, || async {
            let (edition, items) = store::find(db, id).await?;
            let audiences = store::post_audiences(db, id).await?;
            let figures = store::post_figures(db, id).await?;
            let requests = store::item_requests(db, id).await?;
            let departments = duet_store::org::list_departments(db, true)
                .await?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            Ok::<_, AppError>(EditionParts {
                edition,
                items,
                audiences,
                figures,
                requests,
                departments,
            })
        })
        .await
}

/// Whether an edition went out by `now`.
fn is_sent(e: &Edition, now: DateTime<Utc>) -> bool {
    e.status == EditionStatus::Scheduled && e.send_at.is_some_and(|t| t <= now)
}

/// Whether `item` reaches a member of `dept`.
fn reaches(p: &EditionParts, item: &Item, dept: Option<i64>) -> bool {
    if !item.included || !rules::reaches(item.department_id, dept) {
        return false;
    }
    match item.post_id {
        None => true,
        Some(post) => {
            let mut meant = p.audiences.iter().filter(|(q, _)| *q == post).peekable();
            meant.peek().is_none() || meant.any(|(_, d)| Some(*d) == dept)
        }
    }
}

/// Whether `reader` may open what `item` links to: a request only by those who may see it.
fn may_open(p: &EditionParts, item: &Item, reader: &Actor) -> bool {
    let Some(r) = item.request_id else {
        return true;
    };
    p.requests.iter().find(|q| q.0 == r).is_some_and(|q| {
        can(
            reader,
            Action::ViewRequest {
                requester: UserId(q.1),
                department: DepartmentId(q.2),
            },
        )
        .is_ok()
    })
}

/// A reader who owns nothing, of `role` in `department`: whose eyes a preview or one
/// department's e-mail version is read with.
fn stand_in(role: Role, department: Option<i64>) -> Actor {
    Actor {
        user: UserId(0),
        role,
        department: department.map(DepartmentId),
    }
}

/// The sections as `viewer` reads them, with links `reader` may open; `go` makes a line's link.
fn sections(
    p: &EditionParts,
    viewer: Viewer,
    reader: &Actor,
    go: impl Fn(&Item) -> String,
) -> Vec<SectionView> {
    let editor = viewer == Viewer::Editor;
    Section::ALL
        .iter()
        .filter_map(|s| {
            let lines: Vec<LineView> = p
                .items
                .iter()
                .filter(|i| i.section == *s)
                .filter(|i| match viewer {
                    Viewer::Editor => true,
                    Viewer::Member(d) => reaches(p, i, d),
                })
                .map(|i| {
                    let only_for = match (i.department_id, i.post_id) {
                        (Some(d), _) => p.departments.get(&d).cloned(),
                        (None, Some(post)) if p.audiences.iter().any(|(q, _)| *q == post) => {
                            let names: Vec<&str> = p
                                .audiences
                                .iter()
                                .filter(|(q, _)| *q == post)
                                .filter_map(|(_, d)| p.departments.get(d).map(String::as_str))
                                .collect();
                            Some(names.join(", "))
                        }
                        _ => None,
                    };
                    let (reactions, comments) = i
                        .post_id
                        .and_then(|post| p.figures.iter().find(|f| f.0 == post))
                        .map_or((0, 0), |f| (f.1, f.2));
                    LineView {
                        id: i.id,
                        text: i.text.clone(),
                        url: i.url.clone(),
                        href: may_open(p, i, reader).then(|| go(i)),
                        included: i.included,
                        only_for: only_for.filter(|_| editor),
                        clicks: if editor { i.clicks } else { 0 },
                        reactions: if editor { reactions } else { 0 },
                        comments: if editor { comments } else { 0 },
                        source: i.source.clone(),
                    }
                })
                .collect();
            (!lines.is_empty()).then(|| SectionView {
                section: *s,
                heading: s.label().to_string(),
                lines,
            })
        })
        .collect()
}

/// Reads an edition for `actor`: readers see one that went out, with the lines meant for their
/// department; an editor sees drafts and every line, or previews as a member of `as_department`
/// (`Some(None)`: someone in no department). 404 for a draft a reader may not see.
pub async fn view(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
    id: i64,
    preview: Option<Option<i64>>,
) -> Result<EditionView, AppError> {
    let p = parts(cache, db, id).await?;
    let editor = can(actor, Action::EditEditions).is_ok();
    let now = Utc::now();
    let sent = is_sent(&p.edition, now);
    if !sent && !editor {
        return Err(AppError::NotFound("edition".into()));
    }
    let viewer = match (editor, preview) {
        (true, None) => Viewer::Editor,
        (true, Some(d)) => Viewer::Member(d),
        (false, _) => Viewer::Member(actor.department.map(|d| d.0)),
    };
    // A preview reads as a member of the department, who opens only their own requests.
    let reader = match viewer {
        Viewer::Member(d) if editor => stand_in(Role::Member, d),
        _ => *actor,
    };
    let sections = sections(&p, viewer, &reader, |i| {
        if sent {
            format!("/comms/editions/{id}/go/{}", i.id)
        } else {
            i.url.clone()
        }
    });
    Ok(EditionView {
        edition: p.edition.clone(),
        sent,
        may_edit: editor && p.edition.status == EditionStatus::Draft,
        as_department: match viewer {
            Viewer::Editor => None,
            Viewer::Member(d) => d,
        },
        clicks: if editor {
            p.items.iter().map(|i| i.clicks).sum()
        } else {
            0
        },
        sections,
    })
}

/// Editions for `actor`, newest month first: those gone out, and drafts and scheduled ones for
/// editors.
pub async fn list(
    cache: &CommsCache,
    db: &Db,
    actor: &Actor,
) -> Result<Arc<Vec<Edition>>, AppError> {
    let all = can(actor, Action::EditEditions).is_ok();
    cache
        .edition_lists
        .get_or_load(all, || async {
            Ok::<_, AppError>(store::list(db, all, Utc::now()).await?)
        })
        .await
}

/// The version of an edition for readers of `role` in `dept` as an e-mail (both parts), every
/// link counted, and only links such a reader may open.
fn message(p: &EditionParts, dept: Option<i64>, role: Role, public_url: &str) -> Message {
    let base = public_url.trim_end_matches('/');
    let e = &p.edition;
    let parts = sections(p, Viewer::Member(dept), &stand_in(role, dept), |i| {
        format!("{base}/comms/editions/{}/go/{}", e.id, i.id)
    });
    let mut text = format!("{}\n\n", e.title);
    let mut html = format!("<h1>{}</h1>", escape(&e.title));
    if !e.intro.is_empty() {
        text.push_str(&e.intro);
        text.push_str("\n\n");
        html.push_str(&e.intro_html);
    }
    for s in &parts {
        text.push_str(&format!("{}\n", s.heading));
        html.push_str(&format!("<h2>{}</h2><ul>", escape(&s.heading)));
        for l in &s.lines {
            match &l.href {
                Some(href) => {
                    text.push_str(&format!("- {}\n  {href}\n", l.text));
                    html.push_str(&format!(
                        "<li>{} &mdash; <a href=\"{}\">open</a></li>",
                        escape(&l.text),
                        escape(href)
                    ));
                }
                None => {
                    text.push_str(&format!("- {}\n", l.text));
                    html.push_str(&format!("<li>{}</li>", escape(&l.text)));
                }
            }
        }
        text.push('\n');
        html.push_str("</ul>");
    }
    let page = format!("{base}/comms/editions/{}", e.id);
    text.push_str(&format!("Read it in Duet: {page}\n"));
    html.push_str(&format!(
        "<p><a href=\"{}\">Read it in Duet</a></p>",
        escape(&page)
    ));
    Message {
        key: format!(
            "edition:{}:r{}:{}:{}",
            e.id,
            e.revision,
            dept.map_or("all".to_string(), |d| format!("d{d}")),
            role.as_str()
        ),
        subject: e.title.clone(),
        text_body: text,
        html_body: html,
        calendar: None,
    }
}

/// Schedules a draft (as edited at `revision`) to go at `send_at` (empty: now): each reader who
/// takes the newsletter gets their department's version once, with their own unsubscribe link.
/// A time in the past is refused; returns how many e-mails were queued.
pub async fn schedule(
    db: &Db,
    actor: &Actor,
    tz: Tz,
    public_url: &str,
    id: i64,
    revision: i64,
    send_at: &str,
) -> Result<u64, AppError> {
    can(actor, Action::EditEditions)?;
    let now = Utc::now();
    let at = if send_at.trim().is_empty() {
        now
    } else {
        parse_local_datetime("send_at", send_at, tz)?
    };
    if at < now - chrono::Duration::minutes(5) {
        return Err(AppError::invalid(
            "send_at",
            "is in the past: choose a time from now on (empty sends it now)",
        ));
    }
    let (edition, items) = store::find(db, id).await?;
    let p = EditionParts {
        audiences: store::post_audiences(db, id).await?,
        figures: Vec::new(),
        requests: store::item_requests(db, id).await?,
        departments: BTreeMap::new(),
        edition,
        items,
    };
    // One version per department and role: what a line may link to depends on both.
    type Version = (Role, Vec<(i64, String)>);
    let mut versions: BTreeMap<(Option<i64>, &'static str), Version> = BTreeMap::new();
    for (user, address, dept, role) in store::newsletter_readers(db).await? {
        let role = role.parse::<Role>().unwrap_or(Role::Member);
        versions
            .entry((dept, role.as_str()))
            .or_insert_with(|| (role, Vec::new()))
            .1
            .push((user, address));
    }
    let mut messages = Vec::new();
    for ((dept, _), (role, readers)) in versions {
        let mut to = Vec::with_capacity(readers.len());
        for (user, address) in readers {
            let (url, hash) = crate::service::mail::unsubscribe_link(public_url)?;
            to.push(Recipient {
                user_id: Some(user),
                address,
                unsubscribe_url: Some(url),
                unsubscribe_hash: Some(hash),
            });
        }
        messages.push((message(&p, dept, role, public_url), to));
    }
    Ok(store::schedule(db, id, revision, actor.user.0, at, &messages).await?)
}

/// Takes a scheduled edition back to a draft (nothing of it went yet).
pub async fn unschedule(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    can(actor, Action::EditEditions)?;
    Ok(store::unschedule(db, id).await?)
}

/// Follows a line's link, counting the click: only a line of an edition that went out, and
/// only to where that line points (404 for anything else). Who clicked is not recorded.
pub async fn click(db: &Db, id: i64, item: i64) -> Result<String, AppError> {
    Ok(store::click(db, id, item, Utc::now()).await?)
}
