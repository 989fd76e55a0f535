//! Browser sessions and CSRF protection.
//!
//! The session lives in the database (any replica serves any request); the cookie holds a random
//! secret whose hash is the key. CSRF defence is two-layered and applied to every state-changing
//! page request by one middleware, so no handler can forget it: (1) requests a browser marks as
//! cross-site (`Sec-Fetch-Site`) or whose `Origin` is not this host are refused; (2) a signed-in
//! request must carry the session's token as the `_csrf` form field (or `?_csrf=` for uploads,
//! or an `X-CSRF-Token` header).

use crate::error::{AppError, PageError};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use duet_core::secret::constant_time_eq;
use duet_store::accounts::User;
use duet_store::sessions::{self, Session};
use std::sync::Arc;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "duet_session";

/// The session loaded for this request, if any (put in the request extensions by `load_session`).
#[derive(Clone, Default)]
pub struct CurrentSession(pub Option<Arc<(String, Session)>>);

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// The `Set-Cookie` value that starts (or with `None`, ends) a session.
pub fn session_cookie(value: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match value {
        Some(v) => format!(
            "{SESSION_COOKIE}={v}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            sessions::IDLE_LIFETIME.num_seconds()
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// Loads the session named by the cookie, then enforces CSRF rules on state-changing methods.
pub async fn load_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, PageError> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let no_trace = leaves_no_trace(req.method(), req.uri().path());
    let loaded = match cookie(req.headers(), SESSION_COOKIE) {
        Some(c) if !c.is_empty() && no_trace => sessions::peek_session(&state.db, c)
            .await?
            .map(|s| Arc::new((c.to_string(), s))),
        Some(c) if !c.is_empty() => cached_session(&state, c).await?,
        _ => None,
    };
    if unsafe_method {
        check_origin(req.headers())?;
        if let Some(s) = &loaded {
            req = check_csrf_token(req, &s.1.csrf_token, state.config.max_body_bytes).await?;
        }
    }
    req.extensions_mut().insert(CurrentSession(loaded));
    Ok(next.run(req).await)
}

/// Whether a request must write nothing to the poster's session, not even its sliding expiry
/// (which would record when they posted) or the clearing of a pending flash: the voice form, its
/// POSTs and the receipt page that follows one, and the sending of survey answers
/// (ARCHITECTURE: voice requests and answers leave no trace).
pub(crate) fn leaves_no_trace(method: &Method, path: &str) -> bool {
    let unsafe_method = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    path == "/voice"
        || path == "/voice/sent"
        || (unsafe_method
            && (path.starts_with("/voice") || is_survey_answer(path) || is_post_reply(path)))
        || is_survey_thanks(path)
}

/// `/comms/posts/{id}/anonymous`, an anonymous reply to a post (it lands in the Voice inbox).
fn is_post_reply(path: &str) -> bool {
    path.strip_prefix("/comms/posts/")
        .and_then(|rest| rest.strip_suffix("/anonymous"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// `/listen/campaigns/{id}/thanks`, the page right after answering.
fn is_survey_thanks(path: &str) -> bool {
    path.strip_prefix("/listen/campaigns/")
        .and_then(|rest| rest.strip_suffix("/thanks"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// `/listen/campaigns/{id}/respond`, the survey answer form's target.
fn is_survey_answer(path: &str) -> bool {
    path.strip_prefix("/listen/campaigns/")
        .and_then(|rest| rest.strip_suffix("/respond"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// The session behind a cookie, from the short-lived cache or the database.
async fn cached_session(
    state: &AppState,
    cookie: &str,
) -> Result<Option<Arc<(String, Session)>>, AppError> {
    let key = duet_core::secret::hash_secret(cookie);
    if let Some(s) = state.auth.sessions.get(&key) {
        return Ok(Some(s));
    }
    let Some(s) = sessions::find_session(&state.db, cookie).await? else {
        return Ok(None);
    };
    let s = Arc::new((cookie.to_string(), s));
    // A pending flash must be shown (and cleared) exactly once, so such sessions are not cached.
    if s.1.flash.is_none() {
        state.auth.sessions.put(key, s.clone());
    }
    Ok(Some(s))
}

/// Refuses requests that a browser says come from another site.
fn check_origin(headers: &HeaderMap) -> Result<(), AppError> {
    let denied = || {
        AppError::Forbidden(
            "this form was sent from another site; reload the page and try again".into(),
        )
    };
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(denied());
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
        if origin == "null" || origin_host != host {
            return Err(denied());
        }
    }
    Ok(())
}

/// Checks the session's CSRF token in the header, the query string or the url-encoded form body
/// (which is buffered and handed on unchanged).
async fn check_csrf_token(req: Request, expected: &str, limit: usize) -> Result<Request, AppError> {
    let denied = || {
        AppError::Forbidden(
            "the form has expired or was not sent by Duet; reload the page and try again".into(),
        )
    };
    if let Some(v) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_time_eq(v, expected) {
            Ok(req)
        } else {
            Err(denied())
        };
    }
    if let Some(q) = req.uri().query()
        && let Some((_, v)) = form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "_csrf")
    {
        return if constant_time_eq(&v, expected) {
            Ok(req)
        } else {
            Err(denied())
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(denied());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::BadRequest {
            status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            message: format!("the request body is larger than {limit} bytes"),
        })?;
    let ok = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "_csrf")
        .is_some_and(|(_, v)| constant_time_eq(&v, expected));
    if !ok {
        return Err(denied());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A signed-in browser user, with what every page needs (CSRF token, pending flash message).
/// Extracting it redirects to the sign-in page when there is no session.
#[derive(Clone)]
pub struct SignedIn {
    /// The account.
    pub user: User,
    /// The session's CSRF token, for forms.
    pub csrf: String,
    /// A message left by the previous request, shown once.
    pub flash: Option<String>,
    /// The cookie value, to set the next flash.
    pub cookie: String,
}

impl SignedIn {
    /// The permission-function actor.
    pub fn actor(&self) -> duet_core::Actor {
        self.user.actor()
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let current = parts
            .extensions
            .get::<CurrentSession>()
            .cloned()
            .unwrap_or_default();
        let Some(loaded) = current.0 else {
            return Err(PageError(AppError::Unauthorized));
        };
        let (cookie, s) = &*loaded;
        // On the voice pages a pending flash is neither shown nor cleared (clearing is a write to
        // the session); it waits for the next ordinary page.
        let flash = if leaves_no_trace(&parts.method, parts.uri.path()) {
            None
        } else {
            s.flash.clone()
        };
        if flash.is_some() && parts.method == Method::GET {
            sessions::set_flash(&state.db, cookie, None).await?;
        }
        Ok(SignedIn {
            user: s.user.clone(),
            csrf: s.csrf_token.clone(),
            flash,
            cookie: cookie.clone(),
        })
    }
}

/// Pages open to everyone (the voice inbox) take `Option<SignedIn>`: the layout and CSRF token
/// when there is a session, nothing otherwise.
impl axum::extract::OptionalFromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <SignedIn as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(s) => Ok(Some(s)),
            Err(PageError(AppError::Unauthorized)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Leaves a message for the next page of this session.
pub async fn flash(state: &AppState, who: &SignedIn, message: &str) -> Result<(), AppError> {
    sessions::set_flash(&state.db, &who.cookie, Some(message)).await?;
    state
        .auth
        .sessions
        .remove(&duet_core::secret::hash_secret(&who.cookie));
    Ok(())
}
