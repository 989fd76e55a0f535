//! Test harness: the real app on 127.0.0.1:0 against a fresh database, and clients that behave
//! like a browser (cookie jar, no automatic redirects) or an API script (bearer token).

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use duet_core::auth::Role;
use duet_core::org::{DepartmentInput, Email, PersonInput, UserId};
use duet_store::accounts::{self, NewUser};
use duet_store::testing::TestDb;
use duet_store::{Backend, Db, org};
use std::sync::OnceLock;

/// The password of every test account.
pub const PASSWORD: &str = "correct horse battery";

/// The `/metrics` token of every test app (`TestApp::metrics` sends it).
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

/// One hash for all test accounts: argon2 is slow on purpose, so it is computed once.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        duet_core::secret::Password::parse(PASSWORD)
            .unwrap()
            .hash()
            .unwrap()
    })
}

/// A running app and its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The database the app uses.
    pub db: Db,
    test_db: Option<TestDb>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// Spawns the app with the standard departments on a fresh database.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns the app with settings changed by `configure`.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut duet_web::WebConfig),
    ) -> Self {
        let test_db = TestDb::new(backend).await;
        let db = test_db.db.clone();
        org::ensure_standard_departments(&db).await.unwrap();
        duet_store::requests::ensure_decide_defaults(&db)
            .await
            .unwrap();
        duet_store::listen::ensure_listen_defaults(&db)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = duet_web::WebConfig {
            public_url: base.clone(),
            max_body_bytes: 64 * 1024,
            metrics_token: Some(duet_web::MetricsToken(METRICS_TOKEN.into())),
            ..Default::default()
        };
        configure(&mut config);
        let state = duet_web::AppState::new(db.clone(), config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            duet_web::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            db,
            test_db: Some(test_db),
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Stops the server (gracefully) and drops the database.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
        if let Some(t) = self.test_db.take() {
            t.cleanup().await;
        }
    }

    /// The Prometheus exposition, read with the metrics token.
    pub async fn metrics(&self) -> String {
        let r = reqwest::Client::new()
            .get(format!("{}/metrics", self.base))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.text().await.unwrap()
    }

    /// The id of a department by name.
    pub async fn dept(&self, name: &str) -> i64 {
        org::find_department_by_name(&self.db, name)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// Adds a person.
    pub async fn person(&self, name: &str, email: &str, dept: &str, level: &str) -> i64 {
        let d = self.dept(dept).await;
        org::insert_person(
            &self.db,
            &PersonInput::parse(name, email, Some(d), "", level).unwrap(),
        )
        .await
        .unwrap()
        .id
    }

    /// Creates an account with `role`; with a department, it is linked to a new person there.
    pub async fn account(&self, role: Role, dept: Option<&str>) -> String {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let email = format!("{}{n}@example.com", role.as_str());
        if let Some(d) = dept {
            self.person(&format!("{} {n}", role.label()), &email, d, "manager")
                .await;
        }
        let new = NewUser {
            email: Email::parse(&email).unwrap(),
            name: format!("{} {n}", role.label()),
            role,
            password_hash: password_hash().into(),
        };
        accounts::insert_user(&self.db, &new).await.unwrap();
        email
    }

    /// An API client for a new account with `role`.
    pub async fn api_as(&self, role: Role, dept: Option<&str>) -> Api {
        let email = self.account(role, dept).await;
        let user = accounts::find_login(&self.db, &email)
            .await
            .unwrap()
            .unwrap()
            .0;
        let (_, token) = accounts::insert_token(&self.db, UserId(user.id), "test")
            .await
            .unwrap();
        Api {
            base: self.base.clone(),
            token,
            client: reqwest::Client::new(),
            user_id: user.id,
        }
    }

    /// A signed-in browser for a new account with `role`.
    pub async fn browser_as(&self, role: Role, dept: Option<&str>) -> Browser {
        let email = self.account(role, dept).await;
        let b = Browser::new(&self.base);
        let res = b.login(&email, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in should redirect");
        b
    }

    /// Creates a department directly.
    pub async fn new_department(&self, name: &str) -> i64 {
        org::insert_department(
            &self.db,
            &DepartmentInput::parse(name, "business", None, None).unwrap(),
        )
        .await
        .unwrap()
        .id
    }
}

/// A script using the API with a bearer token.
pub struct Api {
    base: String,
    /// The secret.
    pub token: String,
    client: reqwest::Client,
    /// The account id.
    pub user_id: i64,
}

impl Api {
    /// A request to `/api/v1{path}`.
    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
    }

    /// GET and parse JSON.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.req(reqwest::Method::GET, path).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Sends JSON with `method` and parses the answer.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self.req(method, path).json(&body).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// POST JSON.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
}

/// A browser: cookie jar, no automatic redirects, same-origin form posts.
pub struct Browser {
    base: String,
    /// The HTTP client with its cookie jar.
    pub client: reqwest::Client,
}

impl Browser {
    /// A fresh browser with an empty cookie jar.
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base: base.to_string(),
            client,
        }
    }

    /// A fresh browser that connects from another loopback address (`127.0.0.x`), as a person on
    /// another machine would appear to the sign-in throttle.
    pub fn from_address(base: &str, last_octet: u8) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from([127, 0, 0, last_octet]))
            .build()
            .unwrap();
        Self {
            base: base.to_string(),
            client,
        }
    }

    /// GET a page; returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Signs in through the form.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/login", self.base))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token of the session, read from a page as a browser would.
    pub async fn csrf(&self) -> String {
        let (_, body) = self.get("/account").await;
        let marker = "name=\"_csrf\" value=\"";
        let start = body.find(marker).expect("page has a CSRF field") + marker.len();
        body[start..start + 64].to_string()
    }

    /// Posts a form without a session token, as a signed-out visitor does.
    pub async fn post_plain(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts a form the way the page would (with the session's CSRF token).
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String, Option<String>) {
        let csrf = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", &csrf));
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, r.text().await.unwrap(), location)
    }
}

/// Declares one test per backend, each with its own app and database:
/// `app_test!(async fn name(app: &TestApp) { … })`.
#[macro_export]
macro_rules! app_test {
    ($(async fn $name:ident($app:ident : &TestApp) $body:block)+) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($app: &TestApp) $body

                #[tokio::test]
                async fn sqlite() {
                    let app = TestApp::spawn(duet_store::Backend::Sqlite).await;
                    run(&app).await;
                    app.stop().await;
                }

                #[tokio::test]
                async fn postgres() {
                    let app = TestApp::spawn(duet_store::Backend::Postgres).await;
                    run(&app).await;
                    app.stop().await;
                }
            }
        )+
    };
}

/// The fields an API error names: each of `details` when several, else its one `field`.
pub fn error_fields(body: &serde_json::Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_else(|| {
            vec![
                body["error"]["field"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ]
        })
}

/// A running `oidc-provider-mock` on a free port; stopped when dropped.
pub struct OidcProvider {
    child: std::process::Child,
    /// Its issuer URL.
    pub base: String,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OidcProvider {
    /// Starts the provider (installed by `scripts/test`); fails the test when it cannot.
    pub async fn start() -> Self {
        let exe = std::env::var("DUET_TEST_OIDC_PROVIDER").unwrap_or_else(|_| {
            format!(
                "{}/../../target/test-tools/oidc-venv/bin/oidc-provider-mock",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        assert!(
            std::path::Path::new(&exe).exists(),
            "the OpenID provider for the single sign-on tests is missing at {exe}: run scripts/test, which installs it (pip install oidc-provider-mock==0.3.4 into target/test-tools/oidc-venv)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(&exe)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--require-nonce",
                "true",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting the OpenID provider {exe}: {e}"));
        let base = format!("http://127.0.0.1:{port}");
        let p = Self { child, base };
        for _ in 0..150 {
            if reqwest::get(format!("{}/.well-known/openid-configuration", p.base))
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return p;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "the OpenID provider did not answer at {} within 15 s",
            p.base
        );
    }

    /// Sets a person's claims at the provider.
    pub async fn person(&self, sub: &str, claims: serde_json::Value) {
        let r = reqwest::Client::new()
            .put(format!("{}/users/{sub}", self.base))
            .json(&claims)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }

    /// Signs `sub` in at the provider's page, as the person would; returns where the provider
    /// sends the browser back to.
    pub async fn authorize(&self, authorize_url: &str, sub: &str) -> String {
        assert!(
            authorize_url.starts_with(&self.base),
            "Duet sends the browser to the provider: {authorize_url}"
        );
        for part in [
            "code_challenge=",
            "code_challenge_method=S256",
            "nonce=",
            "state=",
            "scope=openid",
        ] {
            assert!(
                authorize_url.contains(part),
                "the authorisation request carries {part}: {authorize_url}"
            );
        }
        let c = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = c
            .post(authorize_url)
            .form(&[("sub", sub)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302, "{}", r.text().await.unwrap_or_default());
        r.headers()["location"].to_str().unwrap().to_string()
    }
}

/// Duet's single sign-on settings against the test provider: a required group, four role
/// groups and the department claim.
pub fn sso_settings(issuer: &str) -> duet_web::auth::sso::SsoSettings {
    duet_web::auth::sso::SsoSettings {
        issuer: issuer.to_string(),
        client_id: "duet".into(),
        client_secret: Some("duet-client-secret".into()),
        label: "Harbor ID".into(),
        rules: duet_core::sso::SsoRules {
            required_group: Some("duet-users".into()),
            roles: duet_core::sso::SsoRules::parse_roles("duet-admins=admin, it-leads=it_leader, execs=executive, dept-heads=business_leader").unwrap(),
            department_claim: Some("department".into()),
            ..Default::default()
        },
    }
}
