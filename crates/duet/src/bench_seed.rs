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

/// Creates `items` championed, costed and signed-off requests; prints progress every 1,000.
pub async fn seed_portfolio(db: &Db, items: u32) -> anyhow::Result<()> {
    let departments = org::ensure_standard_departments(db).await?;
    let hash = duet_core::secret::Password::parse("bench-password-2026")?.hash()?;
    let user = |email: &str, role: Role| {
        let hash = hash.clone();
        let email = email.to_string();
        async move {
            match accounts::find_login(db, &email).await? {
                Some((u, _)) => Ok::<i64, anyhow::Error>(u.id),
                None => Ok(accounts::insert_user(
                    db,
                    &NewUser {
                        email: Email::parse(&email)?,
                        name: email.clone(),
                        role,
                        password_hash: hash,
                    },
                )
                .await?
                .id),
            }
        }
    };
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
