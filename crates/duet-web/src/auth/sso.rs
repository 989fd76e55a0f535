//! Single sign-on with OpenID Connect: the authorisation code flow with PKCE and a nonce, the ID
//! token's issuer, audience, expiry, signature and nonce checked by `openidconnect`, claims from
//! the ID token and userinfo, and the account made or updated by `duet_store::sso::sign_in`.
//!
//! A sign-in in flight lives in the database (`sso_logins`), keyed by the hash of its state, so
//! the provider may send the browser back to any replica; the state itself rides in a cookie of
//! the browser that started it, so a sign-in cannot be finished in another browser (login CSRF).
//! Password sign-in stays: the local admin always gets in, whatever the provider does.

use crate::auth::session::session_cookie;
use crate::error::{AppError, PageError};
use crate::html::{Layout, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use duet_core::secret;
use duet_core::sso::{SsoClaims, SsoMapping, SsoRules};
use duet_store::{sessions, sso as store};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AccessTokenHash, AsyncHttpClient, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpClientError, HttpRequest, HttpResponse,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The cookie that carries a sign-in's state from the start to the callback.
pub const STATE_COOKIE: &str = "duet_sso";

/// How long a discovered provider (its endpoints and signing keys) is used before it is read
/// again, so a key rotation at the provider is picked up within the hour.
const DISCOVERY_LIFETIME: Duration = Duration::from_secs(3600);

/// The single sign-on settings, from the configuration.
#[derive(Clone)]
pub struct SsoSettings {
    /// The provider's issuer URL, exactly as its discovery document states it.
    pub issuer: String,
    /// Duet's client id at the provider.
    pub client_id: String,
    /// Duet's client secret (none: a public client, PKCE only).
    pub client_secret: Option<String>,
    /// What the sign-in button says after "Sign in with" (the provider's name).
    pub label: String,
    /// How claims map to accounts, roles and departments.
    pub rules: SsoRules,
}

impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("label", &self.label)
            .field("rules", &self.rules)
            .finish()
    }
}

/// A client built from the provider's discovery document.
pub type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The discovered provider: the client, and its userinfo endpoint (read with the access token).
pub struct Provider {
    /// The client.
    pub client: OidcClient,
    /// The userinfo endpoint, if the provider has one.
    pub userinfo: Option<String>,
    /// When it was discovered.
    pub at: Instant,
}

/// The discovered provider, kept for [`DISCOVERY_LIFETIME`] (one per process).
#[derive(Default)]
pub struct SsoProvider(tokio::sync::Mutex<Option<Arc<Provider>>>);

/// The HTTP client `openidconnect` talks to the provider with: the one reqwest Duet already
/// uses, not the older one the crate would bring. Redirects are not followed (a provider's
/// endpoints answer directly; following them would let a redirect point Duet anywhere).
#[derive(Clone)]
pub struct OidcHttp(reqwest::Client);

impl OidcHttp {
    fn new() -> Result<Self, AppError> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map(Self)
            .map_err(|e| AppError::Internal(e.into()))
    }
}

impl<'c> AsyncHttpClient<'c> for OidcHttp {
    type Error = HttpClientError<reqwest::Error>;
    type Future =
        Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + Sync + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let req: reqwest::Request = request.try_into().map_err(Box::new)?;
            let resp = self.0.execute(req).await.map_err(Box::new)?;
            let mut b = openidconnect::http::Response::builder()
                .status(resp.status())
                .version(resp.version());
            for (n, v) in resp.headers() {
                b = b.header(n, v);
            }
            b.body(resp.bytes().await.map_err(Box::new)?.to_vec())
                .map_err(HttpClientError::Http)
        })
    }
}

/// A failure to reach or believe the provider, in people's words (502: the fault is upstream).
fn upstream(what: impl std::fmt::Display) -> AppError {
    AppError::BadRequest {
        status: StatusCode::BAD_GATEWAY,
        code: "sso_provider",
        message: format!(
            "Single sign-on could not be completed: {what}. Sign in with your password, or try again later."
        ),
    }
}

/// The settings, or 404 when single sign-on is not configured.
pub fn settings(state: &AppState) -> Result<&SsoSettings, AppError> {
    state
        .config
        .sso
        .as_ref()
        .ok_or_else(|| AppError::NotFound("single sign-on (it is not configured)".into()))
}

/// The provider, discovered on first use and again after [`DISCOVERY_LIFETIME`].
pub async fn provider(state: &AppState) -> Result<Arc<Provider>, AppError> {
    let s = settings(state)?;
    let mut slot = state.sso.0.lock().await;
    if let Some(p) = slot.as_ref()
        && p.at.elapsed() < DISCOVERY_LIFETIME
    {
        return Ok(p.clone());
    }
    let http = OidcHttp::new()?;
    let issuer = IssuerUrl::new(s.issuer.clone())
        .map_err(|e| upstream(format!("the issuer URL is not valid ({e})")))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .map_err(|e| {
            upstream(format!(
                "the provider's discovery document could not be read ({e})"
            ))
        })?;
    let userinfo = metadata.userinfo_endpoint().map(|u| u.url().to_string());
    let redirect = RedirectUrl::new(format!("{}/login/sso/callback", state.config.public_url))
        .map_err(|e| AppError::Internal(e.into()))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(s.client_id.clone()),
        s.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect);
    let p = Arc::new(Provider {
        client,
        userinfo,
        at: Instant::now(),
    });
    *slot = Some(p.clone());
    Ok(p)
}

/// Sends the browser to the provider: a fresh state, nonce and PKCE pair, kept in the database
/// under the state's hash; the state also goes into a short-lived cookie of this browser.
pub async fn start(
    state: &AppState,
    next: &str,
    test_by: Option<i64>,
) -> Result<Response, AppError> {
    let p = provider(state).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = p
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    store::begin_login(
        &state.db,
        &secret::hash_secret(csrf.secret()),
        nonce.secret(),
        verifier.secret(),
        next,
        test_by,
    )
    .await?;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{STATE_COOKIE}={}; Path=/login/sso; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        csrf.secret(),
        store::LOGIN_LIFETIME.num_seconds()
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response())
}

/// What the provider sends the browser back with.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// What a finished exchange with the provider gave: the claims Duet reads, every claim as sent
/// (for the admin's test page), and the mapping.
pub struct Verified {
    /// The claims Duet uses.
    pub claims: SsoClaims,
    /// Every claim from the ID token and userinfo, as JSON.
    pub raw: serde_json::Map<String, serde_json::Value>,
    /// What the rules make of them.
    pub mapping: SsoMapping,
}

/// Finishes the exchange: the state matches this browser's cookie and a kept sign-in; the code
/// is exchanged with the PKCE verifier; the ID token is verified (signature, issuer, audience,
/// expiry, nonce, and the access token's hash); userinfo is merged on top when it names the same
/// subject.
async fn verify(
    state: &AppState,
    headers: &HeaderMap,
    cb: &Callback,
) -> Result<(store::PendingLogin, Verified), AppError> {
    if let Some(e) = &cb.error {
        let why = cb.error_description.as_deref().unwrap_or(e);
        return Err(AppError::Forbidden(format!(
            "The sign-in provider did not sign you in: {why}."
        )));
    }
    let restart = || {
        AppError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        code: "sso_state",
        message: "This sign-in has expired, was already used, or was started in another browser. Start again from the sign-in page.".into(),
    }
    };
    let (Some(code), Some(sent_state)) = (&cb.code, &cb.state) else {
        return Err(restart());
    };
    let cookie = crate::auth::session::cookie(headers, STATE_COOKIE).unwrap_or("");
    if cookie.is_empty() || cookie != sent_state {
        return Err(restart());
    }
    let pending = store::take_login(&state.db, &secret::hash_secret(sent_state))
        .await?
        .ok_or_else(restart)?;
    let p = provider(state).await?;
    let http = OidcHttp::new()?;
    let token = p
        .client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .map_err(|e| upstream(format!("the provider has no token endpoint ({e})")))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| {
            upstream(format!(
                "the provider did not accept the sign-in code ({e})"
            ))
        })?;
    let id_token = token
        .id_token()
        .ok_or_else(|| upstream("the provider sent no ID token"))?;
    let verifier = p.client.id_token_verifier();
    let checked = id_token
        .claims(&verifier, &Nonce::new(pending.nonce.clone()))
        .map_err(|e| upstream(format!("the ID token failed its checks ({e})")))?;
    if let Some(expected) = checked.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(|e| upstream(format!("the ID token's algorithm is not usable ({e})")))?;
        let key = id_token
            .signing_key(&verifier)
            .map_err(|e| upstream(format!("the ID token's key is unknown ({e})")))?;
        let actual = AccessTokenHash::from_token(token.access_token(), alg, key)
            .map_err(|e| upstream(format!("the access token could not be checked ({e})")))?;
        if actual != *expected {
            return Err(upstream("the access token does not belong to the ID token"));
        }
    }
    // The token is verified; its payload is read again as JSON for every claim it carries.
    let mut raw =
        payload(&id_token.to_string()).ok_or_else(|| upstream("the ID token could not be read"))?;
    if let Some(url) = &p.userinfo {
        let info = http
            .0
            .get(url)
            .bearer_auth(token.access_token().secret())
            .send()
            .await
            .map_err(|e| upstream(format!("userinfo could not be read ({e})")))?;
        if info.status().is_success()
            && let Ok(serde_json::Value::Object(more)) = info.json::<serde_json::Value>().await
            && more.get("sub") == raw.get("sub")
        {
            for (k, v) in more {
                raw.entry(k).or_insert(v);
            }
        }
    }
    let rules = &settings(state)?.rules;
    let claims = SsoClaims::from_json(rules, &raw);
    let mapping = duet_core::sso::map(rules, &claims);
    Ok((
        pending,
        Verified {
            claims,
            raw,
            mapping,
        },
    ))
}

/// The JSON payload of a compact JWT (already verified by the caller).
fn payload(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    use base64::Engine;
    let middle = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(middle.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Where to go after signing in.
#[derive(Debug, Default, serde::Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// `GET /login/sso`: starts a sign-in at the provider.
pub async fn begin(
    State(state): State<AppState>,
    Query(q): Query<StartQuery>,
) -> Result<Response, PageError> {
    let next = super::login::safe_next(q.next.as_deref());
    Ok(start(&state, &next, None).await?)
}

/// The admin's test sign-in: what the provider said and what Duet would make of it. Nothing is
/// changed and no one is signed in.
#[derive(Template)]
#[template(path = "accounts/sso_test.html")]
struct TestPage {
    layout: Layout,
    claims: SsoClaims,
    raw: Vec<(String, String)>,
    mapping: SsoMapping,
    account: Option<duet_store::accounts::User>,
    department_found: Option<String>,
}

/// `GET /login/sso/callback`: finishes a sign-in (or an admin's test) and signs the person in.
pub async fn callback(
    State(state): State<AppState>,
    who: Option<crate::auth::SignedIn>,
    headers: HeaderMap,
    Query(cb): Query<Callback>,
) -> Result<Response, PageError> {
    let clear = format!("{STATE_COOKIE}=; Path=/login/sso; HttpOnly; SameSite=Lax; Max-Age=0");
    let (pending, v) = verify(&state, &headers, &cb).await?;
    let issuer = &settings(&state)?.issuer;
    if let Some(admin) = pending.test_by {
        // Only the admin who started the test sees its result, in their own session.
        let Some(who) = who else {
            return Err(PageError(AppError::Unauthorized));
        };
        if who.actor().user.0 != admin {
            return Err(PageError(AppError::Forbidden(
                "see another admin's test sign-in".into(),
            )));
        }
        duet_core::auth::can(&who.actor(), duet_core::auth::Action::ManageUsers)
            .map_err(AppError::from)?;
        let account = match v.claims.email.as_deref() {
            Some(e) => duet_store::accounts::find_login(&state.db, e)
                .await?
                .map(|(u, _)| u),
            None => None,
        };
        let department_found = match &v.mapping.department {
            Some(d) => duet_store::org::list_departments(&state.db, false)
                .await?
                .into_iter()
                .find(|x| x.name.eq_ignore_ascii_case(d))
                .map(|x| x.name),
            None => None,
        };
        let mut raw: Vec<(String, String)> = v
            .raw
            .iter()
            .map(|(k, val)| (k.clone(), val.to_string()))
            .collect();
        raw.sort();
        let page = render(TestPage {
            layout: Layout::new(&who, "Single sign-on test", "admin"),
            claims: v.claims,
            raw,
            mapping: v.mapping,
            account,
            department_found,
        });
        return Ok(([(header::SET_COOKIE, clear)], page).into_response());
    }
    if let Some(reason) = &v.mapping.refused {
        tracing::info!(reason = %reason, "single sign-on refused");
        return Err(PageError(AppError::Forbidden(format!(
            "You cannot sign in to Duet with this account: {reason}. Ask your Duet administrator."
        ))));
    }
    let signed = store::sign_in(&state.db, issuer, &v.claims, &v.mapping).await?;
    if signed.user.disabled_at.is_some() {
        return Err(PageError(AppError::Forbidden(
            "This Duet account is disabled. Ask your Duet administrator.".into(),
        )));
    }
    if !signed.changes.is_empty() {
        // A role or department changed: cached sessions and tokens must see it at once.
        state.auth.clear();
        tracing::info!(user = signed.user.id, changes = %signed.changes.join("; "), "single sign-on updated the account");
    }
    let cookie = sessions::begin_session(
        &state.db,
        signed.user.id,
        &sessions::pair_key(&signed.user.email, "sso"),
        Some(&format!("Welcome, {}.", signed.user.name)),
    )
    .await?;
    tracing::info!(user = signed.user.id, "signed in with single sign-on");
    let mut res = Redirect::to(&pending.next_path).into_response();
    let h = res.headers_mut();
    if let Ok(v) = session_cookie(Some(&cookie), state.config.secure_cookies).parse() {
        h.append(header::SET_COOKIE, v);
    }
    if let Ok(v) = clear.parse() {
        h.append(header::SET_COOKIE, v);
    }
    Ok(res)
}
