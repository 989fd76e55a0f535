//! The IT teams' figures and a person's notifications.

use super::*;

#[derive(Template)]
#[template(path = "requests/teams.html")]
pub(super) struct TeamsPage {
    layout: Layout,
    stats: Vec<TeamStats>,
}

pub(super) async fn team_stats(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    let stats = svc::team_stats(&state.db, &state.team_stats).await?;
    Ok(render(TeamsPage {
        layout: Layout::new(&who, "How IT teams listen", "requests"),
        stats,
    }))
}

#[derive(Template)]
#[template(path = "requests/notifications.html")]
pub(super) struct NotificationsPage {
    layout: Layout,
    items: Arc<Page<Notification>>,
}

impl NotificationsPage {
    /// The message without a trailing local path (see [`trailing_path`]).
    fn lead<'a>(&self, message: &'a str) -> &'a str {
        trailing_path(message).map_or(message, |(lead, _)| lead)
    }

    /// The trailing local path of a message, if it ends with one.
    fn path<'a>(&self, message: &'a str) -> Option<&'a str> {
        trailing_path(message).map(|(_, path)| path)
    }
}

/// Splits a message that ends with a local path ("… before then: /promises/145") into the text
/// before it and the path, so the page can link the path; the stored message (and the API) keep
/// the plain text. Only same-site paths count: one leading `/` (never `//host`), no spaces, and
/// only URL path characters.
pub(crate) fn trailing_path(message: &str) -> Option<(&str, &str)> {
    let message = message.trim_end();
    let start = message.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let path = &message[start..];
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() > 1
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.~?=&%#".contains(c));
    ok.then(|| (&message[..start], path))
}

pub(super) async fn show_notifications(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    let window = PageRequest::new(Some(100), None);
    let items =
        svc::notifications_page(&state.db, &state.requests, &who.actor(), None, window).await?;
    Ok(render(NotificationsPage {
        layout: Layout::new(&who, "Inbox", "inbox"),
        items,
    }))
}

pub(super) async fn mark_read(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    svc::mark_read(&state.db, &who.actor()).await?;
    done(&state, &who, "/notifications", "All caught up.").await
}

/// Formats minor units for templates.
pub(crate) fn fmt_money(m: &i64) -> String {
    money(*m)
}
