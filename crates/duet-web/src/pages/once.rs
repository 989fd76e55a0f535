//! Idempotent create forms: a form sent twice (reload after POST, double click, back and send
//! again) creates one thing.
//!
//! Usage, for every form that creates something:
//! 1. put `{% include "shell/once.html" %}` inside the `<form>` (a hidden `_once` field holding
//!    `layout.once`, a fresh random token per rendered page; for a multipart upload use
//!    `action="…?_csrf={{ layout.csrf }}&_once={{ layout.once }}"` instead);
//! 2. let the handler end in POST-redirect-GET (`done`, `Redirect`): that is all.
//!
//! The middleware [`guard`] (inside the session/CSRF middleware, so a forged request cannot burn
//! a token) reserves `SHA-256(token, path)` in `form_tokens` before the handler runs. A handler
//! that redirects completes the reservation with its `Location`; a refused form (4xx/5xx) releases
//! it so the corrected form can be sent again; a page rendered with 2xx completes it with the
//! location the handler named in a [`Replay`] response extension (else the page the form was on,
//! from a same-origin `Referer`, else the form's own path). A
//! repeated POST with a completed token gets a 303 to that same location and the handler does not
//! run; one arriving while the first is still running waits for it briefly, then gets a 409.
//!
//! Rows hold only the key hash, the location and the day: no person or session, nothing logged.

use crate::error::{AppError, PageError};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use duet_store::once::{self as store, Reservation};

/// The form field (or query parameter, for uploads) carrying the token.
pub const FIELD: &str = "_once";

/// A fresh token for one rendered page's forms (128 random bits, hex).
pub fn new_token() -> String {
    duet_core::secret::new_secret("")
        .map(|s| s[..32].to_string())
        .unwrap_or_default()
}

/// Where a repeated POST is sent when the first one answered with a page (2xx) rather than a
/// redirect: put it in the response's extensions.
#[derive(Debug, Clone)]
pub struct Replay(pub String);

/// Whether a token looks like one of ours (anything else is ignored, not stored).
fn well_formed(t: &str) -> bool {
    (16..=64).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The key stored for a token sent to a path.
fn key(token: &str, path: &str) -> String {
    duet_core::secret::hash_secret(&format!("{FIELD}\n{path}\n{token}"))
}

/// Finds the `_once` token in the query string or the url-encoded body (buffered and handed on
/// unchanged).
async fn token_of(req: Request, limit: usize) -> Result<(Request, Option<String>), AppError> {
    if let Some(q) = req.uri().query()
        && let Some((_, v)) = form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == FIELD)
    {
        let v = v.into_owned();
        return Ok((req, Some(v)));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::BadRequest {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            message: format!("the request body is larger than {limit} bytes"),
        })?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// The path (and query) of the page the form was on, when the browser says and it is this site.
fn same_origin_referer(headers: &axum::http::HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let rest = referer.split_once("://")?.1;
    let (h, path) = rest.split_at(rest.find('/')?);
    (h == host && path.starts_with('/') && !path.starts_with("//")).then(|| path.to_string())
}

/// A 303 to where the first POST of this form led.
fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response(),
    }
}

/// The middleware: makes every POST carrying `_once` happen at most once (see the module doc).
pub async fn guard(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, PageError> {
    if *req.method() != Method::POST {
        return Ok(next.run(req).await);
    }
    let (req, token) = token_of(req, state.config.max_body_bytes).await?;
    let Some(token) = token.filter(|t| well_formed(t)) else {
        return Ok(next.run(req).await);
    };
    let path = req.uri().path().to_string();
    let key = key(&token, &path);
    let form_page = same_origin_referer(req.headers()).unwrap_or_else(|| path.clone());
    // A second POST arriving while the first runs waits up to about five seconds for its outcome.
    let mut waited = 0;
    loop {
        match store::reserve(&state.db, &key, chrono::Utc::now().date_naive()).await? {
            Reservation::Fresh => break,
            Reservation::Done(location) => return Ok(see_other(&location)),
            Reservation::Pending if waited < 25 => {
                waited += 1;
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Reservation::Pending => {
                return Err(PageError(AppError::Conflict(duet_core::FieldError::new(
                    FIELD,
                    "this form is already being sent; wait a moment and reload the page",
                ))));
            }
        }
    }
    let response = next.run(req).await;
    let status = response.status();
    let location = if status.is_redirection() {
        response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            // Sent to sign in first: nothing was created.
            .filter(|l| !l.starts_with("/login"))
            .map(str::to_string)
    } else if status.is_success() {
        Some(
            response
                .extensions()
                .get::<Replay>()
                .map(|r| r.0.clone())
                .unwrap_or(form_page),
        )
    } else {
        None
    };
    match location {
        Some(l) => store::complete(&state.db, &key, &l).await?,
        None => store::release(&state.db, &key).await?,
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_well_formed_and_keys_depend_on_the_path() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(well_formed(&a), "{a}");
        assert!(!well_formed("short"));
        assert!(!well_formed("<script>alert(1)</script>aaaaaaaa"));
        assert_ne!(key(&a, "/requests"), key(&a, "/promises"));
    }
}
