//! Rendering askama templates into responses, and the shell every page shares.

use crate::auth::SignedIn;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use duet_core::auth::Role;

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
    /// Show the admin entries.
    pub is_admin: bool,
    /// Which navigation entry is current.
    pub section: &'static str,
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
            is_admin: who.user.role == Role::Admin,
            section,
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
            is_admin: false,
            section: "",
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

/// The error page.
#[derive(Template)]
#[template(path = "shell/error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    reason: String,
    message: String,
    details: Vec<String>,
}

/// Renders the error page for a status.
pub fn error_page(status: StatusCode, message: &str, details: Vec<String>) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error").to_string();
    render_status(
        status,
        ErrorPage {
            layout: Layout::anonymous(reason.clone()),
            status: status.as_u16(),
            reason,
            message: message.to_string(),
            details,
        },
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
