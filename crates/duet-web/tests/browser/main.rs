//! Real-browser journeys: the app on SQLite, driven in headless Chromium through its forms as a
//! person would, with axe-core run on every page visited. A serious or critical accessibility
//! violation fails the journey (all of them are printed first). When Chromium or chromedriver is
//! missing these tests fail with the command that installs them; they never skip.
//!
//! Run alone with `cargo test -p duet-web --test browser -- --nocapture` to see the axe counts of
//! every page; `DUET_SCREENSHOTS=dir` also saves a screenshot of each page at 390 and 1280 px in
//! the layout test.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../app/common.rs"]
mod common;
mod journeys;
mod layout;
mod webdriver;

use common::{PASSWORD, TestApp};
use duet_core::auth::Role;
use serde_json::{Value, json};
use webdriver::{Driver, Session};

/// axe-core, vendored from its npm package (see `tests/fixtures/README.md`): no network in tests.
const AXE: &str = include_str!("../fixtures/axe.min.js");

/// One journey: the app, a browser, and the accessibility findings so far.
pub struct Trip {
    /// The app under test (SQLite).
    pub app: TestApp,
    /// The browser window (1280 px wide unless the test says otherwise).
    pub win: Session,
    driver: Driver,
    /// Serious or critical axe violations, one line each, with the page.
    axe_failures: Vec<String>,
    /// The step being taken, named in failure messages.
    step: String,
}

impl Trip {
    /// Starts the app on SQLite, chromedriver and a 1280 px window.
    pub async fn start() -> Trip {
        Self::start_at(1280).await
    }

    /// The same with a window `width` pixels wide.
    pub async fn start_at(width: u32) -> Trip {
        Self::start_with(width, |_| {}).await
    }

    /// The same with more settings (single sign-on, say).
    pub async fn start_with(width: u32, configure: impl FnOnce(&mut duet_web::WebConfig)) -> Trip {
        let driver = Driver::start().await;
        let app = TestApp::spawn_with(duet_store::Backend::Sqlite, |c| {
            // Plain http://127.0.0.1: the browser must send the cookie back.
            c.secure_cookies = false;
            configure(c);
        })
        .await;
        let win = driver.session(width).await;
        Trip {
            app,
            win,
            driver,
            axe_failures: Vec::new(),
            step: String::new(),
        }
    }

    /// Names the step being taken, for failure messages.
    pub fn step(&mut self, what: &str) {
        println!("step: {what}");
        self.step = what.to_string();
    }

    /// Visits a page, checks it is not an error page, and runs axe on it.
    pub async fn visit(&mut self, path: &str) {
        let url = format!("{}{path}", self.app.base);
        self.win.goto(&url).await;
        self.expect_page().await;
        self.axe().await;
    }

    /// Clicks a button that submits a form, then checks the next page as `visit` does.
    pub async fn submit(&mut self, button_css: &str) {
        self.win.click_and_wait(button_css).await;
        self.expect_page().await;
        self.axe().await;
    }

    /// Fails with the step and the page's message when the page is an error page or a form came
    /// back with errors.
    pub async fn expect_page(&self) {
        let v = self
            .win
            .script(
                "const e = document.querySelector('[data-error-status]');
                 if (e) return 'error page ' + e.dataset.errorStatus + ': ' + document.querySelector('main').innerText;
                 const a = document.querySelector('main [role=alert]');
                 if (a) return 'the form was refused: ' + a.innerText + ' ' + [...document.querySelectorAll('.field-error, .error')].map(e => {
                     const f = e.closest('label, div, td, p'); return (e.id || '') + ' ' + e.innerText; }).filter(t => t.trim()).join(' | ')
                   + ' [invalid: ' + [...document.querySelectorAll('[aria-invalid=true]')].map(e => e.name).join(', ') + ']';
                 if (!document.querySelector('main')) return 'not a Duet page: ' + document.body.innerText.slice(0, 500);
                 return '';",
                json!([]),
            )
            .await;
        let problem = v.as_str().unwrap_or_default();
        if !problem.is_empty() {
            let url = self.win.current_url().await;
            panic!("step `{}` failed at {url}: {problem}", self.step);
        }
    }

    /// Runs axe-core on the current page, prints the count, remembers serious/critical findings.
    pub async fn axe(&mut self) {
        let loaded = self
            .win
            .script("return typeof window.axe === 'object';", json!([]))
            .await;
        if loaded != Value::Bool(true) {
            self.win
                .script(&format!("{AXE}\n;return true;"), json!([]))
                .await;
        }
        let v = self
            .win
            .script_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v => ({
                      id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
                      count: v.nodes.length }))))
                   .catch(e => done({ error: String(e) }));",
                json!([]),
            )
            .await;
        let url = self.win.current_url().await;
        let path = url.strip_prefix(&self.app.base).unwrap_or(&url).to_string();
        let Some(list) = v.as_array() else {
            panic!("axe did not run on {path}: {v}");
        };
        let serious: Vec<&Value> = list
            .iter()
            .filter(|x| matches!(x["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        let nodes = |x: &&Value| x["count"].as_u64().unwrap_or(0);
        println!(
            "axe {path}: {} serious/critical node(s), {} other",
            serious.iter().map(nodes).sum::<u64>(),
            list.iter()
                .filter(|x| !matches!(x["impact"].as_str(), Some("serious" | "critical")))
                .map(|x| x["count"].as_u64().unwrap_or(0))
                .sum::<u64>()
        );
        for x in serious {
            let line = format!(
                "{path}: [{}] {} ({}): {}",
                x["impact"].as_str().unwrap_or(""),
                x["id"].as_str().unwrap_or(""),
                x["help"].as_str().unwrap_or(""),
                x["nodes"]
                    .as_array()
                    .map(|n| n
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" | "))
                    .unwrap_or_default()
            );
            println!("  {line}");
            self.axe_failures.push(line);
        }
    }

    /// Follows the first link in the page's content to `prefix` followed by an id, as a person
    /// clicking it would, and checks the page it leads to.
    pub async fn follow(&mut self, prefix: &str) -> String {
        let href = self
            .win
            .script(
                "const a = [...document.querySelectorAll('main a')].find(a => {
                   const h = a.getAttribute('href') || ''; return h.startsWith(arguments[0]) && /^[0-9]/.test(h.slice(arguments[0].length)); });
                 return a ? a.getAttribute('href') : '';",
                json!([prefix]),
            )
            .await;
        let href = href.as_str().unwrap_or_default().to_string();
        if href.is_empty() {
            let url = self.win.current_url().await;
            panic!("step `{}`: no link to {prefix}… on {url}", self.step);
        }
        self.visit(&href).await;
        href
    }

    /// Signs in through the sign-in form and lands on the home page.
    pub async fn sign_in(&mut self, email: &str) {
        self.step(&format!("sign in as {email}"));
        self.visit("/login").await;
        self.win.fill("#email", email).await;
        self.win.fill("#password", PASSWORD).await;
        self.submit("main form button[type=submit]").await;
        let url = self.win.current_url().await;
        assert!(
            !url.ends_with("/login"),
            "still on the sign-in page after signing in as {email}"
        );
    }

    /// Signs out with the header's button.
    pub async fn sign_out(&mut self) {
        self.step("sign out");
        self.win.click_and_wait("form.logout button").await;
        self.expect_page().await;
    }

    /// The text of the main content.
    pub async fn main_text(&self) -> String {
        self.win.text("main").await
    }

    /// Sets an input's value the way a date or time picker does (typing into them depends on
    /// the browser's locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        let ok = self
            .win
            .script(
                "const e = document.querySelector(arguments[0]); if (!e) return false;
                 e.value = arguments[1]; e.dispatchEvent(new Event('input', {bubbles: true}));
                 e.dispatchEvent(new Event('change', {bubbles: true})); return true;",
                json!([css, value]),
            )
            .await;
        assert_eq!(
            ok,
            Value::Bool(true),
            "no field `{css}` for `{}`",
            self.step
        );
    }

    /// The request's id from the current address (`/requests/{id}`).
    pub async fn id_in_url(&self, prefix: &str) -> String {
        let url = self.win.current_url().await;
        let rest = url
            .split(prefix)
            .nth(1)
            .unwrap_or_else(|| panic!("expected to be on {prefix}…, at {url}"));
        rest.split(['/', '?', '#']).next().unwrap_or("").to_string()
    }

    /// Closes the browser and the app, then fails if axe found anything serious.
    pub async fn finish(self) {
        let Trip {
            app,
            win,
            driver,
            axe_failures,
            ..
        } = self;
        win.quit().await;
        drop(driver);
        app.stop().await;
        assert!(
            axe_failures.is_empty(),
            "axe-core found {} serious or critical violation(s):\n{}",
            axe_failures.len(),
            axe_failures.join("\n")
        );
    }
}

/// The accounts of a journey: one per role, with the department a person of that role belongs to.
pub struct Cast {
    pub admin: String,
    pub it_leader: String,
    pub sales_leader: String,
    pub executive: String,
    pub member: String,
}

impl Cast {
    /// Creates the accounts (a Sales member and leader, a Sales executive, an IT leader, an admin).
    pub async fn new(app: &TestApp) -> Cast {
        Cast {
            admin: app.account(Role::Admin, None).await,
            it_leader: app.account(Role::ItLeader, Some("IT")).await,
            sales_leader: app.account(Role::BusinessLeader, Some("Sales")).await,
            executive: app.account(Role::Executive, Some("Sales")).await,
            member: app.account(Role::Member, Some("Sales")).await,
        }
    }
}
