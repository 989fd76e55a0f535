//! `duet seed-portfolio --items N`: fills a database with N signed-off portfolio items, so the
//! portfolio page can be load-tested at the size the Decide issue names (10,000 items).
//! Used by `bench/portfolio.sh`; not part of the demo.

use anyhow::Context;
use duet_core::auth::Role;
use duet_core::finance::{BusinessCase, CashFlow, FlowKind, Money};
use duet_core::org::Email;
use duet_core::requests::{RequestInput, Risk};
use duet_store::accounts::{self, NewUser};
use duet_store::{Db, org, requests};

/// The account with `email`, created with `role` and the bench password hash when missing (so a
/// seed can run again on the same database).
async fn bench_user(db: &Db, email: String, role: Role, hash: String) -> anyhow::Result<i64> {
    if let Some((u, _)) = accounts::find_login(db, &email).await? {
        return Ok(u.id);
    }
    let new = NewUser {
        email: Email::parse(&email)?,
        name: email.clone(),
        role,
        password_hash: hash,
    };
    Ok(accounts::insert_user(db, &new).await?.id)
}

/// Creates `items` championed, costed and signed-off requests; prints progress every 1,000.
pub async fn seed_portfolio(db: &Db, items: u32) -> anyhow::Result<()> {
    let departments = org::ensure_standard_departments(db).await?;
    let hash = duet_core::secret::Password::parse("bench-password-2026")?.hash()?;
    let user = |email: &str, role: Role| bench_user(db, email.to_string(), role, hash.clone());
    let requester = user("bench.requester@example.com", Role::Member).await?;
    let champion = user("bench.champion@example.com", Role::Executive).await?;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % 1000
    };
    let urgencies = ["low", "normal", "high", "critical"];
    for i in 0..items {
        let dept = departments
            .get((i as usize) % departments.len())
            .context("no departments")?;
        let input = RequestInput::parse(
            &format!("Portfolio item {i}"),
            "A problem worth an executive's attention",
            "A department",
            "A measurable outcome",
            Some(dept.id),
            urgencies[(next() % 4) as usize],
            "",
        )
        .map_err(|e| anyhow::anyhow!("{:?}", e.0))?;
        let r = requests::insert_request(db, requester, &input).await?;
        requests::champion(db, r.id, champion).await?;
        let cost = 20_000_00 + (next() as i64) * 2_000_00;
        let flows = vec![
            CashFlow {
                year: 0,
                kind: FlowKind::ItOneOff,
                amount: Money(cost),
            },
            CashFlow {
                year: 1,
                kind: FlowKind::Savings,
                amount: Money(cost / 2 + (next() as i64) * 100_00),
            },
            CashFlow {
                year: 2,
                kind: FlowKind::Revenue,
                amount: Money(cost / 2 + (next() as i64) * 100_00),
            },
            CashFlow {
                year: 3,
                kind: FlowKind::Revenue,
                amount: Money(cost / 3),
            },
        ];
        let case = BusinessCase::new(3, 0.08, flows).map_err(|e| anyhow::anyhow!("{:?}", e.0))?;
        let risk = [Risk::Low, Risk::Medium, Risk::High][(next() % 3) as usize];
        requests::save_business_case(
            db,
            r.id,
            champion,
            &case,
            risk,
            10 + (next() as i64) / 4,
            &[],
        )
        .await?;
        requests::sign_off(db, r.id, champion).await?;
        if (i + 1) % 1000 == 0 {
            eprintln!("{} portfolio items", i + 1);
        }
    }
    Ok(())
}

/// `duet seed-listen --respondents N --tokens-out FILE`: an organisation of N people, three
/// closed DUET pulse campaigns (N, N/5 and N/5 respondents: with N = 20,000 and 36 items that is
/// 1,008,000 answers) and one open campaign that 500 bench accounts have answered, whose API
/// tokens go to FILE, one per line; every other person gets an account that has not answered,
/// with its token in FILE.fresh. Used by `bench/listen.sh`; not part of the demo.
pub async fn seed_listen(
    db: &Db,
    respondents: u32,
    tokens_out: &std::path::Path,
) -> anyhow::Result<()> {
    use duet_core::listen::campaigns::CampaignInput;
    use duet_core::listen::instruments::Answers;
    use duet_store::listen::{self as ls, SubmitMode};
    let departments = org::ensure_standard_departments(db).await?;
    ls::ensure_listen_defaults(db).await?;
    let mut csv = String::from("name,email,department,title,level\n");
    for i in 0..respondents {
        let d = &departments[i as usize % departments.len()];
        csv.push_str(&format!(
            "Bench Person {i},bench{i}@example.com,{},Analyst,individual\n",
            d.name
        ));
    }
    let rows = duet_core::org::import::parse_people_csv(csv.as_bytes())
        .map_err(|e| anyhow::anyhow!("bench people CSV: {} problem(s)", e.len()))?;
    org::import_people(db, &rows, |_| {}).await?;
    let people = org::all_people(db).await?;
    let ids: Vec<i64> = people
        .iter()
        .filter(|p| p.email.starts_with("bench"))
        .map(|p| p.id)
        .collect();
    let admin = accounts::insert_user(
        db,
        &NewUser {
            email: Email::parse("bench-admin@example.com")?,
            name: "Bench admin".into(),
            role: Role::Admin,
            password_hash: "x".into(),
        },
    )
    .await?
    .id;
    let pulse = ls::list_instruments(db)
        .await?
        .into_iter()
        .find(|i| i.key == "duet-pulse")
        .context("the pulse instrument")?;
    let items = pulse.definition.items.len();
    let secret = ls::anonymity_secret(db).await?;
    let today = chrono::Utc::now().date_naive();
    let all: Vec<i64> = departments.iter().map(|d| d.id).collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut answers = |n: usize| Answers {
        about: None,
        ratings: (0..n)
            .map(|_| match next() % 20 {
                0 => None,
                r => Some((r % 5) as u8 + 1),
            })
            .collect(),
        texts: std::collections::BTreeMap::new(),
    };
    let plan = [
        (270i64, respondents / 5),
        (180, respondents / 5),
        (90, respondents),
    ];
    let mut total = 0usize;
    for (ago, count) in plan {
        let opens = today - chrono::Duration::days(ago);
        let input = CampaignInput {
            instrument: pulse.id,
            title: format!("Bench pulse −{ago} days"),
            opens_on: opens,
            closes_on: opens + chrono::Duration::days(20),
            remind_on: opens + chrono::Duration::days(17),
            departments: all.clone(),
            min_group: 5,
        };
        let c = ls::insert_campaign(db, admin, &input).await?.id;
        for (n, p) in ids.iter().take(count as usize).enumerate() {
            ls::submit_response(
                db,
                c,
                *p,
                &secret,
                &answers(items),
                SubmitMode::New,
                opens + chrono::Duration::days(1),
            )
            .await?;
            total += items;
            if n % 5000 == 4999 {
                println!("campaign {c}: {} responses", n + 1);
            }
        }
    }
    println!("{total} answers stored");
    let input = CampaignInput {
        instrument: pulse.id,
        title: "Bench pulse (open)".into(),
        opens_on: today,
        closes_on: today + chrono::Duration::days(14),
        remind_on: today + chrono::Duration::days(11),
        departments: all,
        min_group: 5,
    };
    // Accounts first: a campaign's population (people and their accounts) is fixed when it
    // opens, so an account made after that could not answer it.
    let hash = duet_core::secret::Password::parse("bench-password-2026")?.hash()?;
    let mut tokens = String::new();
    let mut fresh = String::new();
    let mut answering = Vec::new();
    for (n, p) in people
        .iter()
        .filter(|p| p.email.starts_with("bench"))
        .enumerate()
    {
        let u = accounts::insert_user(
            db,
            &NewUser {
                email: Email::parse(&p.email)?,
                name: p.name.clone(),
                role: Role::Member,
                password_hash: hash.clone(),
            },
        )
        .await?;
        let (_, token) = accounts::insert_token(db, duet_core::org::UserId(u.id), "bench").await?;
        if n >= 500 {
            // Everyone else has a token but has not answered: their first answers are the
            // "new submission" run of the benchmark.
            fresh.push_str(&token);
            fresh.push('\n');
        } else {
            tokens.push_str(&token);
            tokens.push('\n');
            answering.push(p.id);
        }
    }
    let open = ls::insert_campaign(db, admin, &input).await?.id;
    ls::dispatch_notices(db, today).await?;
    println!("open campaign {open}");
    for person in answering {
        ls::submit_response(
            db,
            open,
            person,
            &secret,
            &answers(items),
            SubmitMode::New,
            today,
        )
        .await?;
    }
    std::fs::write(tokens_out, tokens)
        .with_context(|| format!("writing {}", tokens_out.display()))?;
    let fresh_out = tokens_out.with_extension("fresh");
    std::fs::write(&fresh_out, fresh)
        .with_context(|| format!("writing {}", fresh_out.display()))?;
    // What the hourly housekeeping does on a live server: closed campaigns are sealed before
    // anyone reads their results, so the benchmark times the results, not the one-off sealing.
    let sealed = ls::seal_closed(db, &secret, today).await?;
    println!("{sealed} closed campaigns sealed");
    Ok(())
}

/// `duet seed-requests --count N`: adds N requests from 60 requesters across the standard
/// departments, in the mix a few years of intake leaves behind (most decided and delivered, a
/// tenth championed into the portfolio, the rest waiting in the queue), so the request list can be
/// timed at the size issue 11 names (10,000). Prints progress every 1,000. Not part of the demo.
pub async fn seed_requests(db: &Db, count: u32) -> anyhow::Result<()> {
    use duet_core::requests::{Decision, Status};
    let departments = org::ensure_standard_departments(db).await?;
    requests::ensure_decide_defaults(db).await?;
    let hash = duet_core::secret::Password::parse("bench-password-2026")?.hash()?;
    let user = |email: String, role: Role| bench_user(db, email, role, hash.clone());
    let mut requesters = Vec::new();
    for n in 0..60 {
        requesters.push(user(format!("bench.req{n}@example.com"), Role::Member).await?);
    }
    let it = user("bench.it@example.com".into(), Role::ItLeader).await?;
    let champion = user("bench.champion@example.com".into(), Role::Executive).await?;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % 1000
    };
    let urgencies = ["low", "normal", "normal", "high", "critical"];
    let to_delivery = |s: Status, _, _| match s {
        Status::Accepted => Ok(Status::InDelivery),
        Status::InDelivery => Ok(Status::Delivered),
        _ => Ok(Status::Closed),
    };
    for i in 0..count {
        let dept = departments
            .get((next() as usize) % departments.len())
            .context("no departments")?;
        let requester = requesters[(next() as usize) % requesters.len()];
        let input = RequestInput::parse(
            &format!("Bench request {i}: a tool that works"),
            "A problem described at some length, as requesters do",
            "A team",
            "Things work",
            Some(dept.id),
            urgencies[(next() % 5) as usize],
            "",
        )
        .map_err(|e| anyhow::anyhow!("{:?}", e.0))?;
        let r = requests::insert_request(db, requester, &input).await?;
        match next() % 10 {
            // Waiting in the queue: some untouched, some with IT's statement of the need.
            0 | 1 => {}
            2 => {
                requests::state_need(db, r.id, it, "What we understood").await?;
            }
            3 => {
                requests::champion(db, r.id, champion).await?;
            }
            4..=6 => {
                requests::decide(db, r.id, it, &Decision::Accept, |_| Ok(())).await?;
                requests::advance(db, r.id, it, to_delivery).await?;
                requests::advance(db, r.id, it, to_delivery).await?;
                requests::advance(db, r.id, it, to_delivery).await?;
            }
            _ => {
                requests::decide(db, r.id, it, &Decision::Accept, |_| Ok(())).await?;
            }
        }
        if (i + 1) % 1000 == 0 {
            eprintln!("{} requests", i + 1);
        }
    }
    Ok(())
}

/// Queues one edition-sized message for `n` synthetic recipients, each with a one-time
/// unsubscribe link (token generated and hashed as for real mail), and prints the time the
/// queueing took: the random tokens, their hashes and the outbox rows, in one transaction.
pub async fn queue_mail(db: &Db, public_url: &str, n: u32) -> anyhow::Result<()> {
    use duet_store::mail::{Message, Recipient, enqueue};
    let key = format!("bench:{}", chrono::Utc::now().timestamp_millis());
    let message = Message {
        key: key.clone(),
        subject: "The monthly edition".into(),
        text_body: "What changed this month. ".repeat(200),
        html_body: "<p>What changed this month.</p>".repeat(200),
        calendar: None,
    };
    let started = std::time::Instant::now();
    let mut recipients = Vec::with_capacity(n as usize);
    for i in 0..n {
        let token = duet_core::secret::new_secret("u")?;
        recipients.push(Recipient {
            user_id: None,
            address: format!("reader{i}@bench.example"),
            unsubscribe_url: Some(format!("{public_url}/mail/unsubscribe/{token}")),
            unsubscribe_hash: Some(duet_core::secret::hash_secret(&token)),
        });
    }
    let queued = enqueue(db, &message, &recipients, chrono::Utc::now()).await?;
    println!(
        "queued {queued} recipients of {key} in {} ms ({})",
        started.elapsed().as_millis(),
        match db.backend() {
            duet_store::Backend::Sqlite => "SQLite",
            duet_store::Backend::Postgres => "PostgreSQL",
        }
    );
    Ok(())
}

/// `duet seed-software --entries N --advisories-out DIR`: N register entries (two in five with a
/// package URL, one in five with a CPE name, the rest known by name only), and in DIR a KEV
/// catalogue of 1,500 entries (`kev.csv`) and 200,000 OSV records, one per line (`osv.jsonl`),
/// shaped like the real ones, some of which affect the entries. Used by `bench/software.sh`.
pub async fn seed_software(db: &Db, entries: u32, dir: &std::path::Path) -> anyhow::Result<()> {
    use duet_core::software::register::{Found, SoftwareInput, SoftwareRaw};
    use std::io::Write;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut kev = std::io::BufWriter::new(std::fs::File::create(dir.join("kev.csv"))?);
    writeln!(
        kev,
        "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes"
    )?;
    for i in 0..1_500u32 {
        writeln!(
            kev,
            "CVE-20{:02}-{:05},Vendor {},Product {},Vendor {} Product {} flaw,2024-01-{:02},\"A flaw, described.\",Apply updates per vendor instructions.,2024-02-{:02},Unknown,,CWE-20",
            15 + i % 10,
            10_000 + i,
            i % 400,
            i % 90,
            i % 400,
            i % 90,
            1 + i % 28,
            1 + i % 28
        )?;
    }
    kev.flush()?;
    let mut osv = std::io::BufWriter::new(std::fs::File::create(dir.join("osv.jsonl"))?);
    for i in 0..200_000u32 {
        let (eco, kind) = [
            ("npm", "npm"),
            ("PyPI", "pypi"),
            ("Maven", "maven"),
            ("Go", "golang"),
        ][(i % 4) as usize];
        let name = if kind == "maven" {
            format!("org.bench:lib-{}", i % 50_000)
        } else {
            format!("lib-{}", i % 50_000)
        };
        writeln!(
            osv,
            "{{\"schema_version\":\"1.6.0\",\"id\":\"BENCH-{i}\",\"aliases\":[\"CVE-2024-{:05}\"],\"summary\":\"A flaw in {name}\",\"published\":\"2024-03-01T00:00:00Z\",\"affected\":[{{\"package\":{{\"ecosystem\":\"{eco}\",\"name\":\"{name}\"}},\"ranges\":[{{\"type\":\"ECOSYSTEM\",\"events\":[{{\"introduced\":\"0\"}},{{\"fixed\":\"{}.{}.0\"}}]}}]}}]}}",
            i % 100_000,
            1 + i % 5,
            i % 10
        )?;
    }
    osv.flush()?;
    let departments = org::ensure_standard_departments(db).await?;
    for i in 0..entries {
        let d = &departments[(i as usize) % departments.len()];
        let name = format!("Product {}", i % 90);
        let vendor = format!("Vendor {}", i % 400);
        let purl = match i % 5 {
            0 | 1 => format!(
                "pkg:npm/lib-{}@{}.{}.0",
                (i * 7) % 50_000,
                1 + i % 6,
                i % 10
            ),
            _ => String::new(),
        };
        let cpe = if i % 5 == 2 {
            format!(
                "cpe:2.3:a:vendor_{}:product_{}:1.{}:*:*:*:*:*:*:*",
                i % 400,
                i % 90,
                i % 7
            )
        } else {
            String::new()
        };
        let users = (1 + i % 300).to_string();
        let input = SoftwareInput::parse(&SoftwareRaw {
            name: &format!("{name} #{i}"),
            vendor: &vendor,
            purpose: "A tool a team uses for its work",
            category: "",
            department: Some(d.id),
            owner: None,
            data_class: "internal",
            users: &users,
            cost: "",
            renewal_on: "",
            interval: "none",
            cpe: &cpe,
            purl: &purl,
            version: "",
            aliases: &format!("{vendor}/{name}"),
        })
        .map_err(|e| anyhow::anyhow!("bench entry {i}: {:?}", e.0))?;
        duet_store::software::insert_software(
            db,
            &input,
            Found::Imported,
            None,
            None,
            chrono::Utc::now(),
        )
        .await?;
        if (i + 1) % 1000 == 0 {
            println!("{} register entries", i + 1);
        }
    }
    Ok(())
}
