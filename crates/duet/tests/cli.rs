//! The `duet` binary end to end: init, accounts, tokens, CSV import/export, serve with graceful
//! shutdown, and the demo — on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::zombie_processes)]

use duet_store::Backend;
use duet_store::testing::TestDb;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

fn duet(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env("DUET_DATABASE_URL", db)
        .env("DUET_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn on_both(test: impl Fn(&str)) {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let t = TestDb::new(backend).await;
        test(&t.url);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn init_then_accounts_and_tokens_from_the_command_line() {
    on_both(|db| {
        let out = duet(db, &["init"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("9 departments: IT, Accounting, Business Development")
        );
        let out = duet(
            db,
            &[
                "user",
                "create",
                "--email",
                "Cio@Example.com",
                "--name",
                "The CIO",
                "--role",
                "it_leader",
                "--password-stdin",
            ],
            Some("a long passphrase\n"),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("cio@example.com"));
        let out = duet(
            db,
            &[
                "user",
                "create",
                "--email",
                "cio@example.com",
                "--name",
                "Again",
                "--role",
                "member",
                "--password-stdin",
            ],
            Some("a long passphrase\n"),
        );
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("email: is already taken"),
            "{}",
            text(&out.stderr)
        );
        let out = duet(
            db,
            &[
                "user",
                "create",
                "--email",
                "x@example.com",
                "--name",
                "X",
                "--role",
                "member",
                "--password-stdin",
            ],
            Some("short\n"),
        );
        assert!(
            text(&out.stderr).contains("password"),
            "{}",
            text(&out.stderr)
        );
        let out = duet(db, &["token", "create", "--email", "cio@example.com"], None);
        assert!(out.status.success());
        assert!(text(&out.stdout).trim().starts_with("duet_"));
        let out = duet(
            db,
            &["token", "create", "--email", "nobody@example.com"],
            None,
        );
        assert!(!out.status.success());
    })
    .await;
}

#[tokio::test]
async fn csv_import_names_bad_lines_imports_nothing_and_round_trips_with_export() {
    on_both(|db| {
        assert!(duet(db, &["init"], None).status.success());
        let dir = std::env::temp_dir().join(format!("duet-cli-{}-{}", std::process::id(), db.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, "name,email,department,title,level\nAda,ada@example.com,IT,CTO,executive\nBob,bob-at-example,Sales,,individual\nCy,cy@example.com,Legal,,individual\n").unwrap();
        let out = duet(db, &["import", "people", bad.to_str().unwrap()], None);
        assert!(!out.status.success());
        let err = text(&out.stderr);
        assert!(err.contains("line 3, column email"), "{err}");
        assert!(err.contains("nothing was imported"), "{err}");
        let out = duet(db, &["export", "people"], None);
        assert_eq!(text(&out.stdout).lines().count(), 1, "only the header: nothing imported");
        std::fs::write(&bad, "name,email,department,title,level\nAda,ada@example.com,IT,CTO,executive\nCy,cy@example.com,Legal,,individual\n").unwrap();
        let out = duet(db, &["import", "people", bad.to_str().unwrap()], None);
        assert!(text(&out.stderr).contains("line 3, column department"), "{}", text(&out.stderr));
        let good = dir.join("good.csv");
        std::fs::write(&good, "name,email,department,title,level\nAda,ada@example.com,IT,CTO,executive\n\"Obi, Jr\",obi@example.com,Sales,,individual\n").unwrap();
        let out = duet(db, &["import", "people", good.to_str().unwrap()], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("2 new, 0 updated"));
        let exported = dir.join("out.csv");
        let out = duet(db, &["export", "people", "--output", exported.to_str().unwrap()], None);
        assert!(out.status.success());
        let out = duet(db, &["import", "people", exported.to_str().unwrap()], None);
        assert!(text(&out.stdout).contains("0 new, 2 updated"), "{}", text(&out.stdout));
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await;
}

#[tokio::test]
async fn metric_import_refuses_a_changed_month_with_its_line_unless_replace() {
    on_both(|db| {
        assert!(duet(db, &["init"], None).status.success());
        let out = duet(
            db,
            &[
                "metric",
                "create",
                "--name",
                "Uptime",
                "--unit",
                "%",
                "--direction",
                "higher_better",
            ],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let dir = std::env::temp_dir().join(format!(
            "duet-cli-metrics-{}-{}",
            std::process::id(),
            db.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let first = dir.join("first.csv");
        std::fs::write(
            &first,
            "metric,period,department,value\nUptime,2026-09,Sales,\"99,7\"\n",
        )
        .unwrap();
        let out = duet(db, &["import", "metrics", first.to_str().unwrap()], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let changed = dir.join("changed.csv");
        std::fs::write(
            &changed,
            "metric,period,department,value\nUptime,2026-08,Sales,98\nUptime,2026-09,Sales,97\n",
        )
        .unwrap();
        let out = duet(db, &["import", "metrics", changed.to_str().unwrap()], None);
        assert!(
            !out.status.success(),
            "a recorded month is not silently replaced"
        );
        let err = text(&out.stderr);
        assert!(
            err.contains("line 3, column value") && err.contains("99.7"),
            "{err}"
        );
        let out = duet(
            db,
            &["import", "metrics", changed.to_str().unwrap(), "--replace"],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("Imported 2 metric values"),
            "{}",
            text(&out.stdout)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await;
}

/// Starts a serving command on a random port and returns the child and its base URL.
fn start(db: &str, cmd: &str) -> (std::process::Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args([cmd, "--bind", "127.0.0.1:0"])
        .env("DUET_DATABASE_URL", db)
        .env("DUET_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    loop {
        let line = lines.next().expect("server printed its address").unwrap();
        seen.push(line.clone());
        if let Some(i) = line.find("http://127.0.0.1:") {
            let rest = &line[i..];
            let url = rest.split_whitespace().next().unwrap().to_string();
            if cmd == "demo" {
                // The demo prints its logins after the URL.
                for l in lines.by_ref() {
                    let l = l.unwrap();
                    let done = l.contains("Ctrl-C");
                    seen.push(l);
                    if done {
                        break;
                    }
                }
            }
            return (child, url, seen);
        }
    }
}

fn stop(child: std::process::Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let mut child = child;
    child.wait().unwrap()
}

#[tokio::test]
async fn serve_answers_health_checks_and_shuts_down_gracefully() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let t = TestDb::new(backend).await;
        let (child, url, _) = start(&t.url, "serve");
        let health = reqwest::get(format!("{url}/healthz"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(health, "ok");
        assert_eq!(
            reqwest::get(format!("{url}/readyz"))
                .await
                .unwrap()
                .status(),
            200
        );
        assert!(stop(child).success(), "graceful shutdown exits 0");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn demo_seeds_an_organisation_prints_logins_that_work() {
    let t = TestDb::new(Backend::Sqlite).await;
    let (child, url, out) = start(&t.url, "demo");
    let all = out.join("\n");
    for role in [
        "admin",
        "it_leader",
        "business_leader",
        "executive",
        "member",
    ] {
        assert!(all.contains(role), "{all}");
    }
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(format!("{url}/login"))
        .form(&[
            ("email", "admin@harborvale.example"),
            ("password", "duet-demo-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let people = client
        .get(format!("{url}/people"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let total: usize = people
        .split("of ")
        .nth(1)
        .and_then(|s| s.split('.').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(
        (250..=350).contains(&total),
        "about 300 people, got {total}"
    );
    let status = stop(child);
    assert!(status.success(), "{status:?}");
    // A second start on the same database reuses the organisation.
    let (child, _, out) = start(&t.url, "demo");
    assert!(out.join("\n").contains("admin@harborvale.example"));
    assert!(stop(child).success());
    t.cleanup().await;
}

#[test]
fn demo_takes_a_scale_and_refuses_an_unknown_one() {
    let help = duet("unused.db", &["demo", "--help"], None);
    assert!(help.status.success(), "{}", text(&help.stderr));
    let help = text(&help.stdout);
    assert!(help.contains("--scale"), "{help}");
    assert!(help.contains("large"), "{help}");
    let bad = duet("unused.db", &["demo", "--scale", "huge"], None);
    assert!(!bad.status.success());
    let err = text(&bad.stderr);
    assert!(err.contains("huge") && err.contains("large"), "{err}");
}

#[tokio::test]
async fn a_backup_restores_into_a_fresh_database_with_every_table_equal_and_refuses_to_overwrite() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let source = TestDb::new(backend).await;
        let out = duet(&source.url, &["seed-demo"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let dir = std::env::temp_dir().join(format!("duet-backup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{backend:?}.backup"));
        let _ = std::fs::remove_file(&file);
        let file_arg = file.to_str().unwrap();
        let out = duet(&source.url, &["backup", file_arg], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("Backed up"),
            "{}",
            text(&out.stdout)
        );
        // A backup never overwrites a file.
        let out = duet(&source.url, &["backup", file_arg], None);
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("already exists"),
            "{}",
            text(&out.stderr)
        );
        // A restore goes only into an empty database: the source itself is refused.
        let out = duet(&source.url, &["restore", file_arg], None);
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("a restore goes only into"),
            "{}",
            text(&out.stderr)
        );

        let target = TestDb::empty(backend).await;
        target.db.close().await;
        if backend == Backend::Sqlite {
            // The empty target file exists (the pool created it); a restore replaces it.
            let _ = std::fs::remove_file(&target.url);
        }
        let out = duet(&target.url, &["restore", file_arg], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("Restored"),
            "{}",
            text(&out.stdout)
        );
        let restored = duet_store::Db::connect(&target.url, &Default::default())
            .await
            .unwrap();
        let want = duet_store::backup::table_digest(&source.db).await.unwrap();
        let got = duet_store::backup::table_digest(&restored).await.unwrap();
        restored.close().await;
        assert!(want.len() > 40, "every table is compared: {}", want.len());
        assert!(
            want["people"].len() > 250,
            "the demo organisation is in the copy"
        );
        for (table, rows) in &want {
            assert_eq!(
                got.get(table),
                Some(rows),
                "{backend:?}: table {table} differs after restore"
            );
        }
        assert_eq!(got.len(), want.len());

        // Something that is not a backup is refused and leaves nothing behind.
        if backend == Backend::Sqlite {
            let junk = dir.join("junk.backup");
            std::fs::write(&junk, "name,email\n").unwrap();
            let fresh =
                std::env::temp_dir().join(format!("duet-restore-junk-{}.db", std::process::id()));
            let _ = std::fs::remove_file(&fresh);
            let out = duet(
                fresh.to_str().unwrap(),
                &["restore", junk.to_str().unwrap()],
                None,
            );
            assert!(!out.status.success());
            assert!(!fresh.exists(), "no half-restored database is left");
        }
        let _ = std::fs::remove_dir_all(&dir);
        source.cleanup().await;
        target.cleanup().await;
    }
}

#[tokio::test]
async fn unlock_forgets_the_failed_sign_ins_of_an_account_from_every_address() {
    on_both(|db| {
        let out = duet(db, &["user", "unlock", "nobody@example.com"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("nothing to unlock"),
            "{}",
            text(&out.stdout)
        );
    })
    .await;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let t = TestDb::new(backend).await;
        let slow = duet_store::sessions::ThrottleRule {
            free_failures: 0,
            window: chrono::Duration::hours(1),
            max_delay: chrono::Duration::minutes(15),
        };
        for key in [
            "pair:ann@example.com|10.0.0.1",
            "pair:ann@example.com|10.0.0.2",
            "account:ann@example.com",
            "account:bob@example.com",
            "pair:ann@example.com.evil|10.0.0.3",
        ] {
            duet_store::sessions::record_failure(&t.db, key, slow)
                .await
                .unwrap();
        }
        let out = duet(&t.url, &["user", "unlock", "Ann@Example.com"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("3 throttle record(s)"),
            "{}",
            text(&out.stdout)
        );
        for (key, slowed) in [
            ("pair:ann@example.com|10.0.0.1", false),
            ("pair:ann@example.com|10.0.0.2", false),
            ("account:ann@example.com", false),
            ("account:bob@example.com", true),
            ("pair:ann@example.com.evil|10.0.0.3", true),
        ] {
            assert_eq!(
                duet_store::sessions::slowed_until(&t.db, key)
                    .await
                    .unwrap()
                    .is_some(),
                slowed,
                "{key}"
            );
        }
        t.cleanup().await;
    }
}

#[tokio::test]
async fn promise_history_imports_from_the_command_line_all_or_nothing() {
    on_both(|db| {
        assert!(duet(db, &["init"], None).status.success());
        let out = duet(db, &["user", "create", "--email", "admin@example.com", "--name", "Admin", "--role", "admin", "--password-stdin"], Some("a long admin passphrase\n"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let dir = std::env::temp_dir().join(format!("duet-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let people = dir.join("people.csv");
        std::fs::write(&people, "name,email,department,title,level\nAnn Lee,ann@example.com,IT,CIO,executive\n").unwrap();
        assert!(duet(db, &["import", "people", people.to_str().unwrap()], None).status.success());
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, "promisor_email,promisee_department,text,made_on,due_on,status,closed_on\nann@example.com,Sales,Fix the CRM export,2025-03-02,2025-03-30,kept,\n").unwrap();
        let out = duet(db, &["import", "promises", bad.to_str().unwrap(), "--by", "admin@example.com", "--source", "Jira"], None);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("line 2") && text(&out.stderr).contains("closed_on"), "{}", text(&out.stderr));
        let good = dir.join("good.csv");
        std::fs::write(&good, "promisor_email,promisee_department,text,made_on,due_on,status,closed_on\nann@example.com,Sales,Fix the CRM export,2025-03-02,2025-03-30,kept,2025-03-29\n").unwrap();
        let out = duet(db, &["import", "promises", good.to_str().unwrap(), "--by", "ann@example.com"], None);
        assert!(!out.status.success(), "ann has no account");
        let out = duet(db, &["import", "promises", good.to_str().unwrap(), "--by", "admin@example.com", "--source", "Jira"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Imported 1 promises") && text(&out.stdout).contains("1 kept"), "{}", text(&out.stdout));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test]
async fn request_and_review_histories_import_from_the_command_line_all_or_nothing() {
    on_both(|db| {
        assert!(duet(db, &["init"], None).status.success());
        let out = duet(db, &["user", "create", "--email", "admin@example.com", "--name", "Admin", "--role", "admin", "--password-stdin"], Some("a long admin passphrase\n"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let dir = std::env::temp_dir().join(format!("duet-request-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let people = dir.join("people.csv");
        std::fs::write(&people, "name,email,department,title,level\nAnn Lee,ann@example.com,Sales,VP Sales,executive\n").unwrap();
        assert!(duet(db, &["import", "people", people.to_str().unwrap()], None).status.success());
        let header = "number,short_description,description,opened_by.email,priority,state,opened_at,closed_at\n";
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, format!("{header}RITM1,Quote template,Quotes are retyped,ann@example.com,2 - High,Closed Complete,2025-03-02 09:00:00,\n")).unwrap();
        let out = duet(db, &["import", "requests", bad.to_str().unwrap(), "--format", "servicenow", "--by", "admin@example.com"], None);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("line 2") && text(&out.stderr).contains("closed_at"), "{}", text(&out.stderr));
        let out = duet(db, &["import", "requests", bad.to_str().unwrap(), "--format", "excel", "--by", "admin@example.com"], None);
        assert!(!out.status.success() && text(&out.stderr).contains("'excel' is not one of"), "{}", text(&out.stderr));
        let good = dir.join("good.csv");
        std::fs::write(&good, format!("{header}RITM1,Quote template,Quotes are retyped,ann@example.com,2 - High,Closed Complete,2025-03-02 09:00:00,2025-03-20 10:00:00\nRITM2,VPN drops,On hotel Wi-Fi,ann@example.com,1 - Critical,Work in Progress,2026-10-02 09:00:00,\n")).unwrap();
        let out = duet(db, &["import", "requests", good.to_str().unwrap(), "--format", "servicenow", "--by", "admin@example.com"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let said = text(&out.stdout);
        assert!(said.contains("Imported 2 requests") && said.contains("1 in delivery") && said.contains("1 requesters had no account"), "{said}");
        let out = duet(db, &["import", "requests", good.to_str().unwrap(), "--format", "servicenow", "--by", "admin@example.com"], None);
        assert!(out.status.success() && text(&out.stdout).contains("2 were already imported from ServiceNow"), "{}", text(&out.stdout));
        let reviews = dir.join("reviews.csv");
        std::fs::write(&reviews, "department,held_on,minutes,attendees,notes,decisions\nSales,2025-03-04,45,\"Ann, Admin\",Quotes,\"Template by April\"\n").unwrap();
        let out = duet(db, &["import", "reviews", reviews.to_str().unwrap(), "--by", "admin@example.com"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Imported 1 reviews held") && text(&out.stdout).contains("1 decisions"), "{}", text(&out.stdout));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
