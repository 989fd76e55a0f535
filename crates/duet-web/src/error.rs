//! The one error type of the web layer and how it becomes an HTTP response.
//!
//! Policy: every failure maps to a status and a stable snake_case `code`; API callers get
//! `{"error":{"code","message","field"}}`, browsers get an error page. The cause chain of internal
//! errors goes to the log, never to the user. `anyhow` appears only for those internal causes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use duet_core::FieldError;
use duet_core::org::import::CsvError;
use duet_store::StoreError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token (401).
    #[error("sign in to continue")]
    Unauthorized,
    /// Signed in, but the permission function said no (403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing at this address (404).
    #[error("{0} not found")]
    NotFound(String),
    /// The request itself is malformed: bad JSON, wrong content type (400, or the status given).
    #[error("{message}")]
    BadRequest {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// Values that parse but break a rule (422); the first one is the headline.
    #[error("{}", .0.first().map(headline).unwrap_or_default())]
    Invalid(Vec<FieldError>),
    /// A unique value is taken, or the state forbids the change (409).
    #[error("{}", .0)]
    Conflict(FieldError),
    /// A CSV upload has bad rows (422), each with its line and column.
    #[error("the file has {} problem(s); nothing was imported", .0.len())]
    Csv(Vec<CsvError>),
    /// Too many failed sign-ins (429).
    #[error("{0}")]
    TooManyRequests(String),
    /// A bug or an outage; details are logged, not shown (500).
    #[error("something went wrong on our side")]
    Internal(#[source] anyhow::Error),
}

/// A field error as one line: "field: message", or the message alone when it already names
/// the field as people see it (it then starts with a capital, e.g. "Cash flow line 1: amount …";
/// the machine-readable code stays in `field`).
fn headline(e: &FieldError) -> String {
    if e.message.starts_with(|c: char| c.is_uppercase()) {
        e.message.clone()
    } else {
        e.to_string()
    }
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest { status, .. } => *status,
            AppError::Invalid(_) | AppError::Csv(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest { code, .. } => code,
            AppError::Invalid(_) => "validation_failed",
            AppError::Conflict(_) => "conflict",
            AppError::Csv(_) => "invalid_csv",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }

    /// The field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(errs) => errs.first().map(|e| e.field.as_str()),
            AppError::Conflict(e) => Some(e.field.as_str()),
            AppError::Csv(errs) => errs.first().and_then(|e| e.column.as_deref()),
            _ => None,
        }
    }

    /// One field error as a 422.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// Logs internal errors with their cause chain; user errors at debug level.
    fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
    }

    /// The JSON body of the API error shape.
    pub fn to_json(&self) -> serde_json::Value {
        let mut err = serde_json::json!({ "code": self.code(), "message": self.to_string(), "field": self.field() });
        match self {
            AppError::Invalid(errs) if errs.len() > 1 => err["details"] = serde_json::json!(errs),
            AppError::Csv(errs) => err["details"] = serde_json::json!(errs),
            _ => {}
        }
        serde_json::json!({ "error": err })
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what.to_string()),
            StoreError::Conflict(f) => AppError::Conflict(f),
            StoreError::Invalid(f) => AppError::Invalid(vec![f]),
            StoreError::Csv(errs) => AppError::Csv(errs),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<duet_core::ValidationErrors> for AppError {
    fn from(e: duet_core::ValidationErrors) -> Self {
        AppError::Invalid(e.0)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(vec![e])
    }
}

impl From<duet_core::auth::Denied> for AppError {
    fn from(e: duet_core::auth::Denied) -> Self {
        AppError::Forbidden(e.to_string())
    }
}

/// API responses: always the JSON error shape.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let mut res = (self.status(), axum::Json(self.to_json())).into_response();
        if matches!(self, AppError::Unauthorized) {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// The same errors, for browsers: an HTML page (or a redirect to sign in).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        err.log();
        if matches!(err, AppError::Unauthorized) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let info = ErrorPageInfo {
            message: err.to_string(),
            details: match &err {
                AppError::Csv(errs) => errs.iter().map(|e| e.to_string()).collect(),
                AppError::Invalid(errs) => errs.iter().map(|e| e.to_string()).collect(),
                _ => Vec::new(),
            },
        };
        let mut res = render_error_page(err.status(), &info, None, None);
        // The signed-in layout is added by `styled_errors`, which knows the session.
        res.extensions_mut().insert(info);
        res
    }
}

/// What an error page says; kept on the response so `styled_errors` can render the page again
/// inside the signed-in layout.
#[derive(Debug, Clone)]
pub struct ErrorPageInfo {
    /// The headline message.
    pub message: String,
    /// One line per problem (CSV rows, fields).
    pub details: Vec<String>,
}

/// The error page: inside the layout of whoever is signed in, with a way back.
#[derive(askama::Template)]
#[template(path = "shell/error.html")]
struct ErrorTemplate {
    layout: crate::html::Layout,
    status: u16,
    reason: String,
    message: String,
    details: Vec<String>,
    /// The area the address belongs to (`/requests/abc` → Requests), when it is one.
    up: Option<(String, &'static str)>,
    /// The page the person came from, when it is one of ours.
    back: Option<String>,
}

/// The top-level pages an error page can lead back to, by their first path segment.
const AREAS: &[(&str, &str, &str)] = &[
    ("departments", "/departments", "Departments"),
    ("people", "/people", "People"),
    ("requests", "/requests", "Requests"),
    ("portfolio", "/portfolio", "Portfolio"),
    ("promises", "/promises", "Promises"),
    ("trust", "/trust", "Trust"),
    ("reviews", "/reviews", "Reviews"),
    ("measures", "/measures", "Metrics"),
    ("coverage", "/coverage", "Coverage"),
    ("listen", "/listen", "Listen"),
    ("voice", "/voice", "Voice"),
    ("comms", "/comms", "Tell"),
    ("notifications", "/notifications", "Inbox"),
    ("admin", "/admin/users", "Accounts"),
    ("account", "/account", "Your account"),
];

/// Where an error page on `path` leads back to (`/requests/abc` → Requests), unless the error is
/// on that page itself.
fn area_of(path: &str) -> Option<(String, &'static str)> {
    let first = path.trim_start_matches('/').split('/').next()?;
    let (_, href, label) = AREAS.iter().find(|(seg, _, _)| *seg == first)?;
    (path.trim_end_matches('/') != *href).then(|| (href.to_string(), *label))
}

/// Renders the error page for `status`; with `who`, inside that person's layout.
pub fn render_error_page(
    status: StatusCode,
    info: &ErrorPageInfo,
    who: Option<&crate::auth::SignedIn>,
    context: Option<(&str, Option<String>)>,
) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error").to_string();
    let layout = match who {
        Some(w) => crate::html::Layout::new(w, reason.clone(), ""),
        None => crate::html::Layout::anonymous(reason.clone()),
    };
    let (up, back) = match context {
        Some((path, back)) => (area_of(path), back),
        None => (None, None),
    };
    crate::html::render_status(
        status,
        ErrorTemplate {
            layout,
            status: status.as_u16(),
            reason,
            message: info.message.clone(),
            details: info.details.clone(),
            up,
            back,
        },
    )
}

/// What a person is told when axum itself refused the request (bad path, query or form).
fn plain_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => {
            "This address or form has a value Duet cannot read. Check the link, or go back and try again."
        }
        404 => "There is nothing at this address.",
        405 => "This address does not accept that kind of request.",
        413 => "What was sent is too large.",
        415 => "What was sent is not a form Duet knows.",
        422 => "The form is missing a value or has one Duet cannot read. Go back and check it.",
        _ => "Something went wrong.",
    }
}

/// axum's own wording of a refusal, said the way people say it where Duet knows a better one:
/// "Invalid URL: Cannot parse `abc` to a `i64`" becomes "`abc` in the address should be a
/// number". Anything else is kept as it is.
fn in_peoples_words(text: &str) -> String {
    if let Some(rest) = text.split("Cannot parse `").nth(1)
        && let Some((value, kind)) = rest.split_once("` to a `")
    {
        let what = if kind.starts_with('i') || kind.starts_with('u') {
            "a whole number"
        } else {
            "a value of another kind"
        };
        return format!("`{value}` in the address should be {what}.");
    }
    if text.contains("length limit exceeded") {
        return "What was sent is larger than Duet accepts; send a smaller file or fewer rows at once.".into();
    }
    text.to_string()
}

/// The machine code of an error axum produced itself, for the API's JSON shape.
fn plain_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        429 => "too_many_requests",
        _ => "internal",
    }
}

/// Every error leaves Duet in its proper shape. Pages: the styled error page inside the
/// signed-in layout (the user's navigation, a way back), also for errors axum produces itself
/// (a path, query or form it cannot read, an unknown method) and for errors raised before the
/// session is known; pages that render their own error (a form shown again with 422) are left
/// alone. The API (`/api/…`): the JSON error shape, also for axum's own refusals.
pub async fn styled_errors(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::header;
    let path = req.uri().path().to_string();
    let cookie = crate::auth::session::cookie(req.headers(), crate::auth::session::SESSION_COOKIE)
        .map(str::to_string);
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if path.starts_with("/api/") {
        if content_type.starts_with("application/json") {
            return res;
        }
        let text = in_peoples_words(&body_text(res).await);
        let message = if text.is_empty() {
            plain_message(status).to_string()
        } else {
            text
        };
        let body = serde_json::json!({ "error": { "code": plain_code(status), "message": message, "field": null } });
        return (status, axum::Json(body)).into_response();
    }
    if ["/healthz", "/readyz", "/metrics", "/static/"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        return res;
    }
    let info = res.extensions().get::<ErrorPageInfo>().cloned();
    if info.is_none() && content_type.starts_with("text/html") {
        return res;
    }
    let who = match cookie {
        Some(c) if !c.is_empty() => signed_in(&state, &c).await,
        _ => None,
    };
    let mut headers = res.headers().clone();
    let info = info.unwrap_or_else(|| ErrorPageInfo {
        message: plain_message(status).to_string(),
        details: Vec::new(),
    });
    let back = referer.filter(|r| {
        host.as_deref().is_some_and(|h| {
            r.split_once("://")
                .is_some_and(|(_, rest)| rest.split('/').next() == Some(h))
        })
    });
    let mut page = render_error_page(status, &info, who.as_ref(), Some((&path, back)));
    // Keep what the original response said about the method (405's `Allow`) and the request id.
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = headers.remove(&name) {
            page.headers_mut().insert(name, v);
        }
    }
    page
}

/// The text of a short plain-text body (axum's rejections), for the API's message.
async fn body_text(res: Response) -> String {
    let bytes = axum::body::to_bytes(res.into_body(), 4096)
        .await
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// The person behind a session cookie, for the layout of an error page. It only reads: no flash
/// is consumed and the sliding expiry is not pushed (a refused voice POST must leave no trace on
/// the poster's session).
async fn signed_in(state: &crate::state::AppState, cookie: &str) -> Option<crate::auth::SignedIn> {
    let key = duet_core::secret::hash_secret(cookie);
    let session = match state.auth.sessions.get(&key) {
        Some(s) => s.1.clone(),
        None => duet_store::sessions::peek_session(&state.db, cookie)
            .await
            .ok()
            .flatten()?,
    };
    Some(crate::auth::SignedIn {
        user: session.user,
        csrf: session.csrf_token,
        flash: None,
        cookie: cookie.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn every_page_error_is_the_styled_page_and_carries_what_the_signed_in_layout_needs() {
        let cases = [
            (
                AppError::BadRequest {
                    status: StatusCode::BAD_REQUEST,
                    code: "bad_request",
                    message: "unreadable".into(),
                },
                400,
            ),
            (AppError::Forbidden("not yours".into()), 403),
            (AppError::NotFound("request".into()), 404),
            (AppError::Conflict(FieldError::new("name", "is taken")), 409),
            (AppError::invalid("title", "is required"), 422),
            (AppError::Internal(anyhow::anyhow!("disk full")), 500),
        ];
        for (err, status) in cases {
            let res = PageError(err).into_response();
            assert_eq!(res.status().as_u16(), status);
            assert!(
                res.extensions().get::<ErrorPageInfo>().is_some(),
                "{status}: styled_errors can render it again in the signed-in layout"
            );
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            let body = String::from_utf8(body.to_vec()).unwrap();
            assert!(
                body.contains(&format!("data-error-status=\"{status}\"")),
                "{body}"
            );
            assert!(body.contains("/static/duet.css"), "{status}: styled");
            assert!(
                !body.contains("disk full"),
                "{status}: causes stay in the log"
            );
        }
    }

    #[test]
    fn an_error_page_leads_back_to_the_area_of_the_address() {
        assert_eq!(
            area_of("/requests/abc"),
            Some(("/requests".to_string(), "Requests"))
        );
        assert_eq!(
            area_of("/measures/7/values"),
            Some(("/measures".to_string(), "Metrics"))
        );
        assert_eq!(area_of("/requests"), None, "not back to itself");
        assert_eq!(area_of("/nowhere"), None);
    }
}
