//! The smallest WebDriver client that drives Debian's `chromedriver` over its JSON wire protocol
//! with the `reqwest` the tests already use: start the driver on a free port, open a headless
//! Chromium session, visit pages, fill and click form elements, run scripts (axe-core), take
//! screenshots. Dropping the `Driver` shuts chromedriver down with its browsers, so a failing test
//! leaves no Chromium behind.

use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

/// Where Debian installs the browser and its driver (overridable for other systems).
fn chromium_path() -> String {
    std::env::var("DUET_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn chromedriver_path() -> String {
    std::env::var("DUET_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// The message every browser test fails with when the browser is missing: they fail, never skip.
fn missing(what: &str, path: &str) -> ! {
    panic!(
        "{what} is not installed at {path}: the browser journeys need Debian's chromium and \
         chromium-driver. Install them with `sudo apt-get update && sudo apt-get install -y \
         chromium chromium-driver`, or run `scripts/test`, which does it for you \
         (DUET_CHROMIUM / DUET_CHROMEDRIVER point elsewhere)."
    )
}

/// A running `chromedriver` on a free local port; killed (with the browsers it started) on drop.
pub struct Driver {
    child: std::process::Child,
    base: String,
    http: reqwest::Client,
}

impl Driver {
    /// Starts chromedriver and waits until it answers `/status`.
    pub async fn start() -> Driver {
        let chromium = chromium_path();
        let driver = chromedriver_path();
        if !Path::new(&chromium).exists() {
            missing("Chromium", &chromium);
        }
        if !Path::new(&driver).exists() {
            missing("chromedriver", &driver);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(&driver)
            .arg(format!("--port={port}"))
            .arg("--silent")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {driver}: {e}"));
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = d.http.get(format!("{}/status", d.base)).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        d
    }

    /// Opens a headless Chromium window of `width`×900 pixels.
    pub async fn session(&self, width: u32) -> Session {
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--window-size={width},900"),
        ];
        let mut options = json!({ "binary": chromium_path(), "args": args });
        if width < 600 {
            // Headless windows are at least 500 px wide: a phone is emulated.
            options["mobileEmulation"] =
                json!({ "deviceMetrics": { "width": width, "height": 844, "pixelRatio": 1.0 } });
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": { "implicit": 3000, "pageLoad": 30000, "script": 30000 },
            "goog:chromeOptions": options,
        }}});
        let r: Value = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver refused a session: {r}"))
            .to_string();
        Session {
            url: format!("{}/session/{id}", self.base),
            http: self.http.clone(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Ask chromedriver to close its browsers and exit (killing Chromium outright can take
        // down more than the test), then make sure the driver itself is gone.
        use std::io::Write;
        let addr = self.base.trim_start_matches("http://").to_string();
        if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                s,
                "GET /shutdown HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            );
            let _ = std::io::Read::read_to_end(&mut s, &mut Vec::new());
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One browser window.
pub struct Session {
    url: String,
    http: reqwest::Client,
}

impl Session {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if let Some(err) = v["value"]["error"].as_str() {
            panic!(
                "WebDriver {path}: {err}: {}",
                v["value"]["message"].as_str().unwrap_or("")
            );
        }
        v["value"].clone()
    }

    async fn try_call(&self, path: &str, body: Value) -> Result<Value, String> {
        let v: Value = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        match v["value"]["error"].as_str() {
            Some(e) => Err(format!("{e}: {}", v["value"]["message"])),
            None => Ok(v["value"].clone()),
        }
    }

    /// Visits an address and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The current address.
    pub async fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Reloads the page (a POST answered with a page would be sent again).
    pub async fn refresh(&self) {
        self.call(reqwest::Method::POST, "/refresh", Some(json!({})))
            .await;
    }

    /// The element matching a CSS selector (waiting up to the implicit timeout), or panics
    /// naming the selector and the page.
    pub async fn find(&self, css: &str) -> String {
        match self.try_find(css).await {
            Some(id) => id,
            None => {
                let url = self.current_url().await;
                let text = self.text("body").await;
                panic!(
                    "no element `{css}` on {url}; the page says:\n{}",
                    text.chars().take(1500).collect::<String>()
                )
            }
        }
    }

    /// The element matching a CSS selector, if there is one.
    pub async fn try_find(&self, css: &str) -> Option<String> {
        let v = self
            .try_call("/element", json!({ "using": "css selector", "value": css }))
            .await
            .ok()?;
        v[ELEMENT].as_str().map(str::to_string)
    }

    /// Types `text` into the field (after clearing it), as a person would.
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/clear"),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Clicks an element (a button submits its form and waits for the next page).
    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Picks the option of a `<select>` whose visible text contains `label`.
    pub async fn select(&self, select_css: &str, label: &str) {
        let picked = self
            .script(
                "const s = document.querySelector(arguments[0]);
                 if (!s) return 'no select';
                 const o = [...s.options].find(o => o.text.includes(arguments[1]));
                 if (!o) return 'options: ' + [...s.options].map(o => o.text).join(' | ');
                 s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true}));
                 return 'ok';",
                json!([select_css, label]),
            )
            .await;
        assert_eq!(
            picked.as_str(),
            Some("ok"),
            "choosing `{label}` in `{select_css}`"
        );
    }

    /// Clicks an element that leads to another page (a form's button, a link) and waits until
    /// the next document has loaded: chromedriver does not always wait for a form submission.
    pub async fn click_and_wait(&self, css: &str) {
        self.script("window.__duetLeaving = true; return true;", json!([]))
            .await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self
                .try_call(
                    "/execute/sync",
                    json!({ "script": "return !window.__duetLeaving && document.readyState === 'complete';", "args": [] }),
                )
                .await;
            if v == Ok(Value::Bool(true)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "clicking `{css}` did not lead to a new page"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The visible text of the first element matching `css` (empty when there is none).
    pub async fn text(&self, css: &str) -> String {
        self.script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            json!([css]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Runs a script synchronously and returns its value.
    pub async fn script(&self, body: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": body, "args": args })),
        )
        .await
    }

    /// Runs a script whose last argument is the callback that delivers its value.
    pub async fn script_async(&self, body: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": body, "args": args })),
        )
        .await
    }

    /// Saves a PNG screenshot of the window.
    pub async fn screenshot(&self, path: &Path) {
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64_decode(v.as_str().unwrap_or_default());
        std::fs::write(path, png).unwrap();
    }

    /// Ends the session (closes Chromium).
    pub async fn quit(self) {
        let _ = self.http.delete(&self.url).send().await;
    }
}

/// Standard base64 (the screenshot), without pulling a crate into the tests.
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
