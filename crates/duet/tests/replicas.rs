//! Two `duet serve` replicas on one PostgreSQL behind nginx (Debian's, installed by
//! `scripts/test`) behave as one system: they migrate a fresh database together, share sessions
//! and the sign-in throttle, see each other's writes within the caches' bound (2 s), stop a
//! signed-out session on both within that bound, and never run the hourly housekeeping twice.
//! The test fails, never skips, when nginx is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::zombie_processes)]

use duet_store::Backend;
use duet_store::testing::TestDb;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The bound the caches document (`duet_web::auth::cache::TTL`), plus a margin for a slow machine.
const BOUND: Duration = Duration::from_secs(4);

struct Replica {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Replica {
    /// Starts `duet serve` on a free port; its log (housekeeping at info) goes to a file.
    fn spawn(db: &str, dir: &Path, name: &str) -> Child {
        let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
        Command::new(env!("CARGO_BIN_EXE_duet"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DUET_DATABASE_URL", db)
            .env("DUET_LOG", "warn,duet::commands=info")
            .env("DUET_TRUST_FORWARDED_FOR", "true")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap()
    }

    /// Waits for the banner with the address.
    fn ready(mut child: Child, dir: &Path, name: &str) -> Self {
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines
                .next()
                .expect("the replica printed its address")
                .unwrap();
            if let Some(i) = line.find("http://127.0.0.1:") {
                let url = line[i..].split_whitespace().next().unwrap().to_string();
                // Keep reading stdout so the replica never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines.by_ref() {});
                return Self {
                    child,
                    url,
                    log: dir.join(format!("{name}.log")),
                };
            }
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(self.child.wait().unwrap().success(), "graceful shutdown");
    }
}

/// Two replicas started at the same instant (they race on migrations and on housekeeping).
fn pair(db: &str, dir: &Path, round: &str) -> (Replica, Replica) {
    let (a, b) = (format!("a{round}"), format!("b{round}"));
    let ca = Replica::spawn(db, dir, &a);
    let cb = Replica::spawn(db, dir, &b);
    (Replica::ready(ca, dir, &a), Replica::ready(cb, dir, &b))
}

/// Waits until both replicas have finished (or skipped) their first housekeeping pass.
async fn first_pass(a: &Replica, b: &Replica) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let done = |r: &Replica| {
            let l = r.log();
            l.contains("housekeeping pass done") || l.contains("housekeeping pass skipped")
        };
        if done(a) && done(b) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("housekeeping did not run:\n{}\n{}", a.log(), b.log());
}

/// nginx in front of both replicas, on a free port, round robin; answers say which replica
/// served them (`X-Upstream`).
struct Nginx {
    child: Child,
    url: String,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    fn start(dir: &Path, a: &str, b: &str) -> Self {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("nginx is required for the replica test: scripts/test installs Debian's nginx");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let host = |u: &str| u.trim_start_matches("http://").to_string();
        let tmp = dir.join("nginx");
        std::fs::create_dir_all(&tmp).unwrap();
        let conf = format!(
            "worker_processes 1;\npid {t}/nginx.pid;\nerror_log {t}/error.log;\nevents {{ worker_connections 256; }}\nhttp {{\n  access_log off;\n  client_body_temp_path {t}/body; proxy_temp_path {t}/proxy; fastcgi_temp_path {t}/fcgi; uwsgi_temp_path {t}/uwsgi; scgi_temp_path {t}/scgi;\n  upstream duet {{ server {a}; server {b}; }}\n  server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://duet;\n      proxy_set_header Host $host:$server_port;\n      proxy_set_header X-Forwarded-For $remote_addr;\n      add_header X-Upstream $upstream_addr always;\n    }}\n  }}\n}}\n",
            t = tmp.display(),
            a = host(a),
            b = host(b),
        );
        let path = dir.join("nginx.conf");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(conf.as_bytes())
            .unwrap();
        let child = Command::new(nginx)
            .args(["-e", "stderr", "-p"])
            .arg(&tmp)
            .arg("-c")
            .arg(&path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn duet(db: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env("DUET_DATABASE_URL", db)
        .env("DUET_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "duet {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn count(db: &duet_store::Db, sql: &str) -> i64 {
    let duet_store::Db::Postgres(pool) = db else {
        unreachable!()
    };
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn two_replicas_behind_nginx_behave_as_one_system() {
    let t = TestDb::empty(Backend::Postgres).await;
    let dir = std::env::temp_dir().join(format!("duet-replicas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // nginx's workers may run as another user; they write their temporary files here.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }

    // Migrations: two replicas start together on an empty database; each migration runs once.
    let fresh = TestDb::empty(Backend::Postgres).await;
    let (a, b) = pair(&fresh.url, &dir, "0");
    let migrations = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../duet-store/migrations/postgres"
    ))
    .unwrap()
    .count() as i64;
    assert_eq!(
        count(
            &fresh.db,
            "select count(*) from _sqlx_migrations where success"
        )
        .await,
        migrations
    );
    first_pass(&a, &b).await;
    a.stop();
    b.stop();
    fresh.cleanup().await;

    // A realistic organisation, then both replicas together again: their first housekeeping
    // passes (reminders, invitations, notices) run once between them, not twice.
    duet(&t.url, &["seed-demo"], "");
    let notices = "select count(*) from notifications";
    let before = count(&t.db, notices).await;
    let (a, b) = pair(&t.url, &dir, "1");
    first_pass(&a, &b).await;
    let after_first = count(&t.db, notices).await;
    assert!(
        after_first > before,
        "the first pass sent the due invitations and reminders ({before} → {after_first})"
    );
    a.stop();
    b.stop();
    let (a, b) = pair(&t.url, &dir, "2");
    first_pass(&a, &b).await;
    assert_eq!(
        count(&t.db, notices).await,
        after_first,
        "a second pass, on either replica, sends nothing again"
    );
    let both = format!("{}\n{}", a.log(), b.log());
    assert!(both.contains("housekeeping pass done"), "{both}");

    let nginx = Nginx::start(&dir, &a.url, &b.url);
    let mut up = false;
    for _ in 0..100 {
        if reqwest::get(format!("{}/healthz", nginx.url))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "nginx answers at {}", nginx.url);

    // Sessions: signed in through nginx, every page works whichever replica serves it.
    duet(
        &t.url,
        &[
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "replicas-passphrase\n",
    );
    let browser = client();
    let r = browser
        .post(format!("{}/login", nginx.url))
        .form(&[
            ("email", "ops@example.com"),
            ("password", "replicas-passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("duet_session="))
        .unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let mut served = std::collections::BTreeSet::new();
    for _ in 0..10 {
        let r = browser
            .get(format!("{}/account", nginx.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        served.insert(r.headers()["x-upstream"].to_str().unwrap().to_string());
    }
    assert_eq!(
        served.len(),
        2,
        "both replicas served the session: {served:?}"
    );

    // Caches: a department made on one replica is listed by the other within the bound.
    let token = duet(
        &t.url,
        &[
            "token",
            "create",
            "--email",
            "ops@example.com",
            "--name",
            "replicas",
        ],
        "",
    );
    let token = token
        .split_whitespace()
        .find(|w| w.starts_with("duet_"))
        .unwrap()
        .to_string();
    let api = reqwest::Client::new();
    let page = api
        .get(format!("{}/api/v1/departments", b.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Replica Ops"));
    let r = api
        .post(format!("{}/api/v1/departments", a.url))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Replica Ops", "kind": "business"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let made = Instant::now();
    loop {
        let page = api
            .get(format!("{}/api/v1/departments", b.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if page.contains("Replica Ops") {
            break;
        }
        assert!(
            made.elapsed() < BOUND,
            "the other replica lists the new department within the bound"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The sign-in throttle is one: wrong passwords spread over both replicas count together.
    let guesser = client();
    let mut slowed_at = None;
    for n in 1..=12 {
        let r = guesser
            .post(format!("{}/login", nginx.url))
            .form(&[
                ("email", "ops@example.com"),
                ("password", "wrong wrong wrong"),
            ])
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            slowed_at = Some(n);
            break;
        }
    }
    let n = slowed_at.expect("guessing through both replicas is slowed down");
    assert!(
        n <= 8,
        "the replicas share the count (slowed at attempt {n}; one count per replica would need 12)"
    );

    // Signing out on one replica ends the session on both within the bound.
    // (Replica B has the session in its cache when replica A ends it.)
    let warm = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(
        warm.get(format!("{}/account", b.url))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let page = browser
        .get(format!("{}/account", a.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).expect("a CSRF field") + marker.len();
    let csrf = page[start..].split('"').next().unwrap().to_string();
    let r = browser
        .post(format!("{}/logout", a.url))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let out = Instant::now();
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for replica in [&a.url, &b.url] {
        loop {
            let r = plain
                .get(format!("{replica}/account"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            if r.status() == 303 || r.status() == 401 {
                break;
            }
            assert!(
                out.elapsed() < BOUND,
                "{replica} stops the signed-out session within the bound (still {})",
                r.status()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    drop(nginx);
    a.stop();
    b.stop();
    let _ = std::fs::remove_dir_all(&dir);
    t.cleanup().await;
}
