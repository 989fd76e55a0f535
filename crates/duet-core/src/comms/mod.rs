//! Tell: posts to the organisation — what is changing, what is coming up, where to get help, a
//! call for feedback, and success stories told by the business owner of the delivered work.
//!
//! A post is written in Markdown and shown as HTML that cannot carry a script: raw HTML is shown
//! as text and only `http`, `https` and `mailto` links (or relative ones) survive.

pub mod edition;

use crate::org::DepartmentId;
use crate::{FieldError, ValidationErrors};
use chrono::{DateTime, Utc};

wire_enum!(
    /// What a post is for (the essays' "what is changing, coming up, where to go for help, ask
    /// for feedback", and success stories).
    PostKind, "kind" {
        /// A change people will notice.
        Changing = "changing" / "What is changing",
        /// Something on its way.
        ComingUp = "coming_up" / "Coming up",
        /// Where to go for help.
        Help = "help" / "Where to get help",
        /// A question to the organisation.
        Feedback = "feedback" / "Tell us what you think",
        /// Delivered work, told by its business owner.
        SuccessStory = "success_story" / "Success story",
    }
);

wire_enum!(
    /// Where a post is in its life.
    PostStatus, "status" {
        /// Only its author (and admins) see it.
        Draft = "draft" / "Draft",
        /// A success story waiting for its business owner to approve this revision.
        AwaitingApproval = "awaiting_approval" / "Waiting for the owner's approval",
        /// Shown to its audience from its publish time.
        Published = "published" / "Published",
        /// Taken down by a moderator, with a reason.
        Hidden = "hidden" / "Hidden by a moderator",
    }
);

wire_enum!(
    /// A reaction anyone signed in may leave on a post, once of each kind.
    ReactionKind, "reaction" {
        /// Thank you.
        Thanks = "thanks" / "Thanks",
        /// This helps me.
        Useful = "useful" / "Useful",
        /// Well done.
        Celebrate = "celebrate" / "Celebrate",
    }
);

/// The longest post or comment, in characters.
pub const MAX_TEXT: usize = 50_000;
/// The longest title, in characters.
pub const MAX_TITLE: usize = 200;

/// A checked post, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostInput {
    /// What it is for.
    pub kind: PostKind,
    /// Its title, trimmed.
    pub title: String,
    /// Its Markdown.
    pub body: String,
    /// The departments it is meant for; empty means everyone.
    pub audience: Vec<DepartmentId>,
    /// When it appears (now or later).
    pub publish_at: DateTime<Utc>,
    /// For a success story: the delivered request it tells.
    pub request: Option<i64>,
}

impl PostInput {
    /// Checks every field at once, naming each that is wrong.
    pub fn parse(
        kind: Option<&str>,
        title: &str,
        body: &str,
        audience: Vec<DepartmentId>,
        publish_at: DateTime<Utc>,
        request: Option<i64>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
            None => {
                errs.0.push(FieldError::new(
                    "kind",
                    "is required: what kind of post this is",
                ));
                None
            }
            Some(k) => errs.check(k.parse::<PostKind>()),
        };
        let title = errs.check(parse_title(title));
        let body = errs.check(parse_text("body", body));
        let request = request.filter(|r| *r > 0);
        match (kind, request) {
            (Some(PostKind::SuccessStory), None) => errs.0.push(FieldError::new(
                "request_id",
                "is required for a success story: the delivered work it tells",
            )),
            (Some(k), Some(_)) if k != PostKind::SuccessStory => errs.0.push(FieldError::new(
                "request_id",
                "only a success story is tied to delivered work",
            )),
            _ => {}
        }
        match (kind, title, body) {
            (Some(kind), Some(title), Some(body)) if errs.0.is_empty() => Ok(Self {
                kind,
                title,
                body,
                audience,
                publish_at,
                request,
            }),
            _ => Err(errs),
        }
    }
}

/// A title: 3 to 200 characters once trimmed.
pub fn parse_title(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let n = t.chars().count();
    if n < 3 {
        return Err(FieldError::new("title", "needs at least 3 characters"));
    }
    if n > MAX_TITLE {
        return Err(FieldError::new(
            "title",
            format!("is {n} characters long; keep it under {MAX_TITLE}"),
        ));
    }
    Ok(t.to_string())
}

/// A post's body or a comment: not empty, at most 50,000 characters.
pub fn parse_text(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "is empty: write something first"));
    }
    let n = t.chars().count();
    if n > MAX_TEXT {
        return Err(FieldError::new(
            field,
            format!("is {n} characters long; the most is {MAX_TEXT}"),
        ));
    }
    Ok(t.to_string())
}

/// Where a post goes when its author saves it: a draft stays a draft; published, a success
/// story not written by its business owner waits for their approval first.
pub fn status_on_save(kind: PostKind, publish: bool, by_owner: bool) -> PostStatus {
    match (publish, kind, by_owner) {
        (false, _, _) => PostStatus::Draft,
        (true, PostKind::SuccessStory, false) => PostStatus::AwaitingApproval,
        (true, _, _) => PostStatus::Published,
    }
}

/// Whether a link or image address may be kept: relative, or `http`, `https` or `mailto`.
fn safe_url(url: &str) -> bool {
    let u: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    match u.find([':', '/', '?', '#']) {
        Some(i) if u.as_bytes().get(i) == Some(&b':') => matches!(
            u[..i].to_ascii_lowercase().as_str(),
            "http" | "https" | "mailto"
        ),
        _ => true,
    }
}

/// Renders Markdown to HTML that is safe to show as is: raw HTML becomes text, links and images
/// keep only safe addresses, everything else is escaped by the renderer.
pub fn render_markdown(src: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};
    let events = Parser::new_ext(src, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |e| match e {
            Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("#")
                },
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("")
                },
                title,
                id,
            }),
            other => other,
        },
    );
    let mut out = String::with_capacity(src.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// A plain-text excerpt of a post's Markdown (for lists and the feed summary): markup dropped,
/// at most `max` characters, cut at a word.
pub fn excerpt(src: &str, max: usize) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::new();
    for e in Parser::new(src) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            // Every block's end (paragraph, item, heading…) and every line break is a space;
            // inline markup (bold, links…) is not.
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(t)
                if !matches!(
                    t,
                    TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Strikethrough
                        | TagEnd::Link
                        | TagEnd::Image
                ) =>
            {
                out.push(' ')
            }
            _ => {}
        }
        if out.chars().count() > max {
            break;
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() <= max {
        return out;
    }
    let cut: String = out.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_raw_html_and_javascript_links_do_not_survive() {
        let html = render_markdown(
            "Hi <script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2)) \
             [z](&#106;avascript:alert(3)) ![i](data:text/html,boom) <img src=x onerror=alert(4)>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn ordinary_markdown_renders() {
        let html = render_markdown(
            "# New laptops\n\nSee **the guide** at [help](https://help.example/laptops) or [us](/comms).",
        );
        assert!(html.contains("<h1>New laptops</h1>"));
        assert!(html.contains("<strong>the guide</strong>"));
        assert!(html.contains(r#"href="https://help.example/laptops""#));
        assert!(html.contains(r#"href="/comms""#));
    }

    #[test]
    fn a_post_names_every_wrong_field() {
        let long = "x".repeat(MAX_TEXT + 1);
        let e =
            PostInput::parse(Some("bulletin"), "a", &long, vec![], Utc::now(), None).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "body"]);
        let e = PostInput::parse(
            Some("success_story"),
            "Faster invoices",
            "Told.",
            vec![],
            Utc::now(),
            None,
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "request_id");
        let e = PostInput::parse(
            Some("help"),
            "Where to go",
            "Here.",
            vec![],
            Utc::now(),
            Some(4),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "request_id");
        let ok = PostInput::parse(
            Some("success_story"),
            "  Faster invoices ",
            "Told.",
            vec![],
            Utc::now(),
            Some(4),
        )
        .unwrap();
        assert_eq!(ok.title, "Faster invoices");
    }

    #[test]
    fn a_story_waits_for_its_owner_unless_they_wrote_it() {
        use PostKind::*;
        assert_eq!(
            status_on_save(SuccessStory, true, false),
            PostStatus::AwaitingApproval
        );
        assert_eq!(
            status_on_save(SuccessStory, true, true),
            PostStatus::Published
        );
        assert_eq!(status_on_save(Help, true, false), PostStatus::Published);
        assert_eq!(status_on_save(SuccessStory, false, true), PostStatus::Draft);
    }

    #[test]
    fn excerpts_drop_markup_and_cut_at_a_word() {
        assert_eq!(
            excerpt("**Bold** and [a link](https://x.example)", 100),
            "Bold and a link"
        );
        assert_eq!(excerpt("one two three four", 9), "one two…");
        assert_eq!(
            excerpt("1. Check.\n2. Reconnect.\n\n# Still\nTell us.", 100),
            "Check. Reconnect. Still Tell us."
        );
    }
}
