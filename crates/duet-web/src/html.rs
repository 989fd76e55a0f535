//! Rendering askama templates into responses, and the shell every page shares.

use crate::auth::SignedIn;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// What the shared layout needs: title, who is signed in, the CSRF token, the flash message, and
/// which navigation entries this account may see.
pub struct Layout {
    /// The page title.
    pub title: String,
    /// The signed-in account's name, if any.
    pub user_name: Option<String>,
    /// The role's label.
    pub role_label: String,
    /// The session's CSRF token (empty when signed out).
    pub csrf: String,
    /// A one-time message.
    pub flash: Option<String>,
    /// Show the Accounts entry (whoever may see the accounts: `can(ViewUsers)`).
    pub show_accounts: bool,
    /// Whether the navigation offers Relationships (not to members: they may see none).
    pub show_relationships: bool,
    /// Which navigation entry is current.
    pub section: &'static str,
    /// A fresh random token for this page's create forms (`{% include "shell/once.html" %}`),
    /// so sending one twice creates one thing: see `crate::pages::once`.
    pub once: String,
}

impl Layout {
    /// The layout for a signed-in page.
    pub fn new(who: &SignedIn, title: impl Into<String>, section: &'static str) -> Self {
        Self {
            title: title.into(),
            user_name: Some(who.user.name.clone()),
            role_label: who.user.role.label().to_string(),
            csrf: who.csrf.clone(),
            flash: who.flash.clone(),
            show_accounts: duet_core::auth::can(&who.actor(), duet_core::auth::Action::ViewUsers)
                .is_ok(),
            show_relationships: !matches!(
                duet_core::auth::scope(&who.actor(), duet_core::auth::Question::SeeRelationships),
                duet_core::auth::Scope::Nothing | duet_core::auth::Scope::Own
            ),
            section,
            once: crate::pages::once::new_token(),
        }
    }

    /// The layout for pages seen before signing in.
    pub fn anonymous(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            user_name: None,
            role_label: String::new(),
            csrf: String::new(),
            flash: None,
            show_accounts: false,
            show_relationships: false,
            section: "",
            once: crate::pages::once::new_token(),
        }
    }
}

/// Renders a template as a 200 page.
pub fn render(t: impl Template) -> Response {
    render_status(StatusCode::OK, t)
}

/// Renders a template with a status (422 for a form with errors, 401 for a failed sign-in, …).
pub fn render_status(status: StatusCode, t: impl Template) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Renders the error page for a status (signed out; the `error::styled_errors` middleware
/// renders it again inside the signed-in layout when there is a session).
pub fn error_page(status: StatusCode, message: &str, details: Vec<String>) -> Response {
    crate::error::render_error_page(
        status,
        &crate::error::ErrorPageInfo {
            message: message.to_string(),
            details,
        },
        None,
        None,
    )
}

/// One `<option>` of a select, pre-computed so templates stay simple.
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Whether it is the current value.
    pub selected: bool,
}

impl Choice {
    /// Builds the options from pairs, marking `current`.
    pub fn list(pairs: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
        pairs
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == current,
                value,
                label,
            })
            .collect()
    }
}

/// Field errors keyed by field, for inline messages in forms.
#[derive(Default)]
pub struct FormErrors(pub Vec<duet_core::FieldError>);

impl FormErrors {
    /// The message for `field`, or empty.
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }

    /// Whether there are any errors.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// Times as the organisation reads and types them: the store keeps UTC, pages show and take the
/// configured zone (`WebConfig::time_zone`). Put one in a template struct (`clock:
/// Clock::of(&state)`) and write `{{ clock.show(t) }}` or, for a `datetime-local` input,
/// `value="{{ clock.input(t) }}"` (a value or a reference); parse what a form sent with [`Clock::parse`].
#[derive(Debug, Clone, Copy)]
pub struct Clock(pub duet_core::time::Tz);

impl Clock {
    /// The organisation's clock.
    pub fn of(state: &crate::state::AppState) -> Self {
        Self(state.config.time_zone)
    }

    /// `2026-12-01 14:00 GMT`: local date, time and zone abbreviation.
    pub fn show(&self, t: impl std::borrow::Borrow<chrono::DateTime<chrono::Utc>>) -> String {
        t.borrow()
            .with_timezone(&self.0)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// The local day, `2026-12-01`.
    pub fn day(&self, t: impl std::borrow::Borrow<chrono::DateTime<chrono::Utc>>) -> String {
        t.borrow()
            .with_timezone(&self.0)
            .format("%Y-%m-%d")
            .to_string()
    }

    /// The value of a `datetime-local` input: `2026-12-01T14:00`, local.
    pub fn input(&self, t: impl std::borrow::Borrow<chrono::DateTime<chrono::Utc>>) -> String {
        t.borrow()
            .with_timezone(&self.0)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    }

    /// Reads a local date and time as typed (`YYYY-MM-DDTHH:MM`, seconds optional, or a space
    /// instead of `T`); an RFC 3339 value with its own offset (`…Z`, `…+01:00`) is taken as is.
    pub fn parse(
        &self,
        field: &str,
        raw: &str,
    ) -> Result<chrono::DateTime<chrono::Utc>, duet_core::FieldError> {
        duet_core::time::parse_local_datetime(field, raw, self.0)
    }
}
