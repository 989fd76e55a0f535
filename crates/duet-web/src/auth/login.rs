//! Signing in and out, with the throttle that holds across replicas.

use crate::auth::session::{CurrentSession, session_cookie};
use crate::error::{AppError, PageError};
use crate::html::{Layout, render, render_status};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use duet_core::secret;
use duet_store::{accounts, sessions};
use std::net::SocketAddr;

/// The sign-in page.
#[derive(Template)]
#[template(path = "shell/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
    /// The single sign-on provider's name, when it is configured.
    sso: Option<String>,
}

impl LoginPage {
    /// `next`, written for a query string (the single sign-on link carries it).
    fn next_query(&self) -> String {
        form_urlencoded::byte_serialize(self.next.as_bytes()).collect()
    }
}

/// Where to go after signing in.
#[derive(serde::Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path of this site is followed after sign-in (no open redirect): one that starts with a
/// single `/`, holds no backslash, no whitespace and no control character (browsers drop a tab or
/// newline, so `/\t/evil.example` would become `//evil.example`; a CR or LF cannot be a header),
/// and parses as a URI without a scheme or host. Anything else goes home.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    let ok = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n
                .chars()
                .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
            && n.parse::<axum::http::Uri>()
                .is_ok_and(|u| u.scheme().is_none() && u.authority().is_none())
    };
    match next {
        Some(n) if ok(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_a_path_of_this_site_is_followed() {
        assert_eq!(
            safe_next(Some("/requests/12?tab=need")),
            "/requests/12?tab=need"
        );
        for evil in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/x\r\nSet-Cookie: a=b",
            "https://evil.example",
            "/ /evil.example",
            "evil.example",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

/// Shows the sign-in form (or goes home when already signed in).
pub async fn login_form(
    State(state): State<AppState>,
    Extension(current): Extension<CurrentSession>,
    Query(q): Query<NextQuery>,
) -> Response {
    if current.0.is_some() {
        return Redirect::to("/").into_response();
    }
    render(LoginPage {
        layout: Layout::anonymous("Sign in"),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
        sso: state.config.sso.as_ref().map(|s| s.label.clone()),
    })
}

/// The sign-in form's fields.
#[derive(serde::Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// Whether the warning about an untrusted `X-Forwarded-For` was logged (once per process).
static WARNED_FORWARDED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The client address used by the sign-in throttle. A sign-in that carries `X-Forwarded-For`
/// while Duet does not trust it means a proxy is in front and every user shares its address:
/// that is logged once, as a warning, so the operator can set `DUET_TRUST_FORWARDED_FOR`.
fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next());
    match forwarded {
        Some(first) if state.config.trust_forwarded_for => return first.trim().to_string(),
        Some(_) if !WARNED_FORWARDED.swap(true, std::sync::atomic::Ordering::Relaxed) => {
            tracing::warn!(
                "a sign-in came through a proxy (X-Forwarded-For) that Duet does not trust: every user shares the proxy's address in the sign-in throttle; set DUET_TRUST_FORWARDED_FOR=true"
            );
        }
        _ => {}
    }
    peer.ip().to_string()
}

/// Checks the credentials. Unknown e-mail and wrong password give the same answer in the same
/// time. Failures slow down, never lock (see [`sessions::ThrottleRule`]): the account from this
/// address, the account from anywhere, and the address for any account each have their rule, and
/// a slowed attempt is answered 429 with `Retry-After` before the password is even checked.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let email = form.email.trim().to_lowercase();
    let next = safe_next(form.next.as_deref());
    let address = client_ip(&state, &headers, peer);
    let pair_key = sessions::pair_key(&email, &address);
    let account_key = sessions::account_key(&email);
    let ip_key = sessions::address_key(&address);
    for key in [&pair_key, &account_key, &ip_key] {
        if let Some(until) = sessions::slowed_until(&state.db, key).await? {
            return Ok(slowed_down(until));
        }
    }
    let found = accounts::find_login(&state.db, &email).await?;
    let hash = found
        .as_ref()
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| secret::dummy_password_hash().to_string());
    let password = form.password;
    let ok = super::hasher::verify(password, hash).await?;
    let user = match found {
        Some((user, _)) if ok => user,
        _ => {
            sessions::record_failures(
                &state.db,
                &[
                    (pair_key.as_str(), sessions::PAIR_RULE),
                    (account_key.as_str(), sessions::ACCOUNT_RULE),
                    (ip_key.as_str(), sessions::ADDRESS_RULE),
                ],
            )
            .await?;
            tracing::info!("failed sign-in");
            let page = LoginPage {
                layout: Layout::anonymous("Sign in"),
                email,
                next,
                error: Some("The e-mail or password is incorrect.".into()),
                sso: state.config.sso.as_ref().map(|s| s.label.clone()),
            };
            return Ok(render_status(StatusCode::UNAUTHORIZED, page));
        }
    };
    let cookie = sessions::begin_session(
        &state.db,
        user.id,
        &pair_key,
        Some(&format!("Welcome, {}.", user.name)),
    )
    .await?;
    tracing::info!(user = user.id, "signed in");
    Ok((
        [(
            header::SET_COOKIE,
            session_cookie(Some(&cookie), state.config.secure_cookies),
        )],
        Redirect::to(&next),
    )
        .into_response())
}

/// The answer to an attempt made before its wait is over: 429 with `Retry-After`, in people's
/// words. Nothing was checked, so nothing is counted.
fn slowed_down(until: chrono::DateTime<chrono::Utc>) -> Response {
    let secs = (until - chrono::Utc::now()).num_seconds().max(1);
    let wait = if secs < 120 {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    } else {
        format!("{} minutes", (secs + 59) / 60)
    };
    let mut res = PageError(AppError::TooManyRequests(format!(
        "Too many failed sign-ins. Nothing was checked; please try again in {wait}."
    )))
    .into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Ends the session everywhere it is stored and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    Extension(current): Extension<CurrentSession>,
) -> Result<Response, PageError> {
    if let Some(s) = current.0 {
        sessions::delete_session(&state.db, &s.0).await?;
        state.auth.sessions.remove(&secret::hash_secret(&s.0));
    }
    Ok((
        [(
            header::SET_COOKIE,
            session_cookie(None, state.config.secure_cookies),
        )],
        Redirect::to("/login"),
    )
        .into_response())
}
