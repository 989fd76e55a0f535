//! Tell pages: the posts (archive and one post), writing and editing, a success story's approval
//! by its business owner, moderation, reactions, comments, an anonymous reply, and the Atom feed.

pub mod editions;

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render, render_status};
use crate::pages::{done, form_errors};
use crate::service::comms::{self as svc, PostFields, PostView};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::comms::{PostKind, ReactionKind};
use duet_store::comms::PostSummary;
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/comms", get(index))
        .route("/comms/new", get(new_post))
        .route("/comms/posts", post(create))
        .route("/comms/posts/{id}", get(show).post(update))
        .route("/comms/posts/{id}/edit", get(edit))
        .route("/comms/posts/{id}/approve", post(approve))
        .route("/comms/posts/{id}/return", post(send_back))
        .route("/comms/posts/{id}/hide", post(hide))
        .route("/comms/posts/{id}/restore", post(restore))
        .route("/comms/posts/{id}/react", post(react))
        .route("/comms/posts/{id}/comments", post(comment))
        .route(
            "/comms/posts/{id}/comments/{comment}/hide",
            post(hide_comment),
        )
        .route("/comms/posts/{id}/anonymous", post(anonymous_reply))
        .merge(editions::router())
}

/// The public Atom feed (outside the session: feed readers have none).
pub fn feed_router() -> Router<AppState> {
    Router::new()
        .route("/comms/feed.atom", get(feed))
        .merge(editions::public_router())
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    kind: Option<String>,
    page: Option<i64>,
}

/// A kind of post as a tab of the archive.
struct KindTab {
    value: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "comms/index.html")]
struct IndexPage {
    layout: Layout,
    tabs: Vec<KindTab>,
    posts: std::sync::Arc<Page<PostSummary>>,
    mine: std::sync::Arc<Vec<PostSummary>>,
    can_write: bool,
    page: i64,
    pages: i64,
    kind_param: String,
}

const PER_PAGE: i64 = 20;

async fn index(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(k.parse::<PostKind>().map_err(AppError::from)?),
        None => None,
    };
    let page = q.page.unwrap_or(1).max(1);
    let window = PageRequest::new(Some(PER_PAGE), Some((page - 1) * PER_PAGE));
    let posts = svc::list(&state.comms, &state.db, &actor, kind, window).await?;
    let tabs = std::iter::once(KindTab {
        value: "",
        label: "All",
        current: kind.is_none(),
    })
    .chain(PostKind::ALL.iter().map(|k| KindTab {
        value: k.as_str(),
        label: k.label(),
        current: kind == Some(*k),
    }))
    .collect();
    let pages = (posts.total + PER_PAGE - 1) / PER_PAGE;
    Ok(render(IndexPage {
        layout: Layout::new(&who, "Tell", "comms"),
        tabs,
        mine: svc::unpublished(&state.comms, &state.db, &actor).await?,
        can_write: can(&actor, Action::WritePost).is_ok(),
        posts,
        page,
        pages: pages.max(1),
        kind_param: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "comms/form.html")]
struct FormPage {
    layout: Layout,
    /// `None` for a new post.
    id: Option<i64>,
    form: PostFields,
    errors: FormErrors,
    kinds: Vec<Choice>,
    departments: Vec<(Choice, bool)>,
    work: Vec<Choice>,
}

async fn form_page(
    state: &AppState,
    who: &SignedIn,
    id: Option<i64>,
    form: PostFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let kinds = Choice::list(
        PostKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), k.label().to_string())),
        &form.kind,
    );
    let departments = duet_store::org::list_departments(&state.db, false)
        .await?
        .into_iter()
        .map(|d| {
            let on = form.audience.contains(&d.id);
            (
                Choice {
                    value: d.id.to_string(),
                    label: d.name,
                    selected: on,
                },
                on,
            )
        })
        .collect();
    let cur = form.request_id.map(|r| r.to_string()).unwrap_or_default();
    let work = Choice::list(
        svc::delivered_work(&state.db)
            .await?
            .into_iter()
            .map(|(id, title)| (id.to_string(), format!("#{id} {title}"))),
        &cur,
    );
    let title = if id.is_some() {
        "Edit post"
    } else {
        "Write a post"
    };
    Ok(render_status(
        status,
        FormPage {
            layout: Layout::new(who, title, "comms"),
            id,
            form,
            errors,
            kinds,
            departments,
            work,
        },
    ))
}

/// Forms post repeated `audience` fields, which a struct cannot take directly.
fn post_fields(pairs: &[(String, String)]) -> PostFields {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    PostFields {
        kind: get("kind"),
        title: get("title"),
        body: get("body"),
        audience: pairs
            .iter()
            .filter(|(n, _)| n == "audience")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect(),
        publish_at: get("publish_at"),
        request_id: get("request_id").trim().parse().ok(),
        publish: get("action") == "publish",
        email: !get("email").is_empty(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct NewQuery {
    kind: Option<String>,
    request_id: Option<i64>,
}

async fn new_post(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    can(&who.actor(), Action::WritePost).map_err(AppError::from)?;
    let form = PostFields {
        kind: q.kind.unwrap_or_default(),
        request_id: q.request_id,
        ..PostFields::default()
    };
    form_page(
        &state,
        &who,
        None,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = post_fields(&pairs);
    match svc::create(
        &state.db,
        &who.actor(),
        state.config.time_zone,
        &state.config.public_url,
        &f,
    )
    .await
    {
        Ok(p) => done(&state, &who, &format!("/comms/posts/{}", p.id), saved(&p)).await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            form_page(&state, &who, None, f, errors, status).await
        }
    }
}

/// What a save says, by where the post went.
fn saved(p: &duet_store::comms::Post) -> &'static str {
    use duet_core::comms::PostStatus::*;
    match p.status {
        Draft => "Saved as a draft.",
        AwaitingApproval => "Saved. The story's business owner has been asked to approve it.",
        Published => "Published.",
        Hidden => "Saved.",
    }
}

async fn edit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let v = svc::view(&state.comms, &state.db, &who.actor(), id).await?;
    if !v.may.edit {
        return Err(PageError(AppError::Forbidden(
            "you are not allowed to edit this post".into(),
        )));
    }
    let p = &v.post;
    let form = PostFields {
        kind: p.kind.as_str().to_string(),
        title: p.title.clone(),
        body: p.body.clone(),
        audience: v.audience.iter().map(|(id, _)| *id).collect(),
        publish_at: p
            .publish_at
            .with_timezone(&state.config.time_zone)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        request_id: p.request_id,
        publish: true,
        email: p.email_audience,
    };
    form_page(
        &state,
        &who,
        Some(id),
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = post_fields(&pairs);
    match svc::update(
        &state.db,
        &who.actor(),
        state.config.time_zone,
        &state.config.public_url,
        id,
        &f,
    )
    .await
    {
        Ok(p) => done(&state, &who, &format!("/comms/posts/{id}"), saved(&p)).await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            form_page(&state, &who, Some(id), f, errors, status).await
        }
    }
}

/// What the reader typed into a form of the post page that was refused, shown again as typed.
#[derive(Debug, Default)]
struct Typed {
    /// Which form: `comment`, `anonymous`, `return` or `hide`.
    form: &'static str,
    text: String,
}

impl Typed {
    fn get(&self, form: &str) -> &str {
        if self.form == form { &self.text } else { "" }
    }
}

/// A reaction button: its kind, count and whether the reader pressed it.
struct ReactionButton {
    kind: &'static str,
    label: &'static str,
    count: i64,
    mine: bool,
}

#[derive(Template)]
#[template(path = "comms/post.html")]
struct PostPage {
    layout: Layout,
    /// The post (also in `v`), by its short name.
    p: duet_store::comms::Post,
    v: PostView,
    /// The reader's account, for their own comments' remove button.
    me: i64,
    reactions: Vec<ReactionButton>,
    audience: String,
    reply_to: String,
    errors: FormErrors,
    typed: Typed,
    publish_local: String,
    scheduled: bool,
}

async fn post_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    errors: FormErrors,
    typed: Typed,
    status: StatusCode,
) -> Result<Response, PageError> {
    let v = svc::view(&state.comms, &state.db, &who.actor(), id).await?;
    let reactions = ReactionKind::ALL
        .iter()
        .map(|k| {
            let r = v.reactions.iter().find(|r| r.kind == k.as_str());
            ReactionButton {
                kind: k.as_str(),
                label: k.label(),
                count: r.map_or(0, |r| r.count),
                mine: r.is_some_and(|r| r.mine),
            }
        })
        .collect();
    let audience = if v.post.audience_all {
        "Everyone".to_string()
    } else {
        v.audience
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reply_to = v.reply_to.clone().unwrap_or_default();
    let publish_local = v
        .post
        .publish_at
        .with_timezone(&state.config.time_zone)
        .format("%-d %B %Y, %H:%M")
        .to_string();
    let scheduled = v.post.publish_at > chrono::Utc::now();
    Ok(render_status(
        status,
        PostPage {
            layout: Layout::new(who, v.post.title.clone(), "comms"),
            p: v.post.clone(),
            me: who.actor().user.0,
            reactions,
            audience,
            reply_to,
            errors,
            typed,
            publish_local,
            scheduled,
            v,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    post_page(
        &state,
        &who,
        id,
        FormErrors::default(),
        Typed::default(),
        StatusCode::OK,
    )
    .await
}

/// After an action on a post: back to it with a message, or the page again with the error and
/// what was typed.
async fn after(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    r: Result<(), AppError>,
    message: &str,
    typed: Typed,
) -> Result<Response, PageError> {
    match r {
        Ok(()) => done(state, who, &format!("/comms/posts/{id}"), message).await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            post_page(state, who, id, errors, typed, status).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct RevisionForm {
    #[serde(default)]
    revision: i64,
}

async fn approve(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<RevisionForm>,
) -> Result<Response, PageError> {
    let r = svc::approve(
        &state.db,
        &who.actor(),
        &state.config.public_url,
        id,
        f.revision,
    )
    .await
    .map(|_| ());
    after(
        &state,
        &who,
        id,
        r,
        "Approved and published.",
        Typed::default(),
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
struct TextForm {
    #[serde(default)]
    text: String,
}

async fn send_back(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Result<Response, PageError> {
    let r = svc::return_story(&state.db, &who.actor(), id, &f.text)
        .await
        .map(|_| ());
    let typed = Typed {
        form: "return",
        text: f.text,
    };
    after(&state, &who, id, r, "Sent back to its author.", typed).await
}

async fn hide(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Result<Response, PageError> {
    let r = svc::moderate(&state.db, &who.actor(), id, Some(&f.text))
        .await
        .map(|_| ());
    let typed = Typed {
        form: "hide",
        text: f.text,
    };
    after(&state, &who, id, r, "Hidden.", typed).await
}

async fn restore(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = svc::moderate(&state.db, &who.actor(), id, None)
        .await
        .map(|_| ());
    after(
        &state,
        &who,
        id,
        r,
        "Restored as a draft of its author.",
        Typed::default(),
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
struct ReactForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on: bool,
}

async fn react(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ReactForm>,
) -> Result<Response, PageError> {
    let r = svc::react(&state.comms, &state.db, &who.actor(), id, &f.kind, f.on).await;
    after(&state, &who, id, r, "Thank you.", Typed::default()).await
}

async fn comment(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Result<Response, PageError> {
    let r = svc::comment(&state.comms, &state.db, &who.actor(), id, &f.text)
        .await
        .map(|_| ());
    let typed = Typed {
        form: "comment",
        text: f.text,
    };
    after(&state, &who, id, r, "Comment added.", typed).await
}

async fn hide_comment(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, comment)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let r = svc::hide_comment(&state.db, &who.actor(), id, comment).await;
    after(&state, &who, id, r, "Comment removed.", Typed::default()).await
}

/// An anonymous reply lands in the Voice inbox of the post's author's department, under the
/// Voice rules: no account, address or time is kept, and the receipt is shown once on
/// `/voice/sent` (the same cookie hand-over as a pain point posted on the Voice page).
async fn anonymous_reply(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Result<Response, PageError> {
    let r = svc::anonymous_reply(&state.comms, &state.db, &who.actor(), id, &f.text).await;
    match r {
        Ok(code) => Ok(crate::pages::voice::receipt_redirect(&state, &code)),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            let typed = Typed {
                form: "anonymous",
                text: f.text,
            };
            post_page(&state, &who, id, errors, typed, status).await
        }
    }
}

/// One entry of the feed.
struct FeedEntry {
    id: i64,
    title: String,
    updated: String,
    published: String,
    author: String,
    html: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "comms/feed.atom", escape = "html")]
struct FeedDoc {
    base: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

/// Characters XML 1.0 does not allow, which the HTML escaper leaves in place.
fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(*c, '\t' | '\n' | '\r') || *c >= ' ')
        .collect()
}

/// The Atom feed of posts meant for everyone (newest 30), for feed readers and intranets.
async fn feed(State(state): State<AppState>) -> Result<Response, PageError> {
    let posts = svc::feed(&state.comms, &state.db).await?;
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let updated = posts
        .iter()
        .map(|p| p.updated_at.max(p.publish_at))
        .max()
        .map_or_else(|| stamp(chrono::DateTime::UNIX_EPOCH), stamp);
    let entries = posts
        .iter()
        .map(|p| FeedEntry {
            id: p.id,
            title: xml_safe(&p.title),
            updated: stamp(p.updated_at.max(p.publish_at)),
            published: stamp(p.publish_at),
            author: xml_safe(p.approved_by_name.as_deref().unwrap_or(&p.author_name)),
            html: xml_safe(&p.body_html),
            summary: xml_safe(&p.summary),
        })
        .collect();
    let doc = FeedDoc {
        base,
        updated,
        entries,
    };
    let body = doc.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response())
}
