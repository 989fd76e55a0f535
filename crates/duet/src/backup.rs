//! `duet backup FILE` and `duet restore FILE`: a consistent copy of the whole database while Duet
//! keeps serving, and its restore into an empty database, all or nothing.
//!
//! SQLite's copy is SQLite's own online copy (`VACUUM INTO`), itself a database file that
//! `sqlite3` opens. PostgreSQL's is `pg_dump`'s custom format, restored by `pg_restore` in a
//! single transaction: the tools a database administrator already trusts, and the same file
//! they would make by hand (the README gives the recipe).

use crate::commands::open;
use crate::config::{self, Config};
use anyhow::{Context, bail};
use duet_store::{Db, DbOptions, backup};
use std::path::Path;
use std::process::Command;

/// `duet backup FILE`.
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!(
            "{} already exists: a backup never overwrites a file; choose another name",
            file.display()
        );
    }
    let db = open(config).await?;
    let started = std::time::Instant::now();
    match db {
        Db::Sqlite(_) => {
            backup::sqlite_copy(&db, file)
                .await
                .with_context(|| format!("copying the database to {}", file.display()))?;
        }
        Db::Postgres(_) => {
            let out = Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(file)
                .arg("--dbname")
                .arg(&config.database_url)
                .output()
                .context("running pg_dump (install PostgreSQL's client tools, Debian's postgresql-client)")?;
            if !out.status.success() {
                let _ = std::fs::remove_file(file);
                bail!(
                    "pg_dump failed on {}: {}",
                    config::redact_url(&config.database_url),
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
    }
    db.close().await;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up {} to {} ({:.1} MB in {:.1} s).",
        config::redact_url(&config.database_url),
        file.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `duet restore FILE`: into an empty database only, so two organisations' data never mix; all or
/// nothing; then newer migrations are applied, so a copy made by an older Duet comes up to date.
pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let url = &config.database_url;
    match backup::sqlite_file(url) {
        Some(target) => restore_sqlite(file, &target).await?,
        None => restore_postgres(url, file).await?,
    }
    // Brings an older copy up to date, and proves the restored database opens.
    let db = open(config).await?;
    let tables = backup::table_digest(&db).await?;
    let rows: usize = tables.values().map(Vec::len).sum();
    db.close().await;
    println!(
        "Restored {} into {}: {} tables, {rows} rows.",
        file.display(),
        config::redact_url(url),
        tables.len()
    );
    Ok(())
}

/// Checks the copy on a scratch file beside the target, then moves it into place in one rename.
async fn restore_sqlite(file: &Path, target: &Path) -> anyhow::Result<()> {
    if std::fs::metadata(target).is_ok_and(|m| m.len() > 0) {
        bail!(
            "{} already holds a database: a restore goes only into a new one; move it away or name another file",
            target.display()
        );
    }
    let mut scratch = target.as_os_str().to_owned();
    scratch.push(".restoring");
    let scratch = std::path::PathBuf::from(scratch);
    std::fs::copy(file, &scratch)
        .with_context(|| format!("copying {} to {}", file.display(), scratch.display()))?;
    let checked = async {
        let db = Db::connect(
            scratch.to_str().context("the database path is not UTF-8")?,
            &DbOptions {
                max_connections: 1,
                ..Default::default()
            },
        )
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
        let verdict = backup::integrity_check(&db).await;
        let migrated = is_duet(&db).await;
        // Folds the write-ahead log in, so the one file is the whole database.
        db.checkpoint().await?;
        db.close().await;
        verdict.with_context(|| format!("{} failed SQLite's integrity check", file.display()))?;
        if !migrated? {
            bail!(
                "{} is not a Duet backup (it has no Duet tables)",
                file.display()
            );
        }
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = checked {
        remove_with_log(&scratch);
        return Err(e);
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = scratch.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
    std::fs::rename(&scratch, target)
        .with_context(|| format!("moving the restored database to {}", target.display()))?;
    Ok(())
}

/// Whether a database has Duet's tables (its migration history and its accounts).
async fn is_duet(db: &Db) -> anyhow::Result<bool> {
    let tables = backup::table_digest(db).await?;
    Ok(tables.contains_key("_sqlx_migrations") && tables.contains_key("users"))
}

/// `pg_restore` in one transaction, into a database that holds no table.
async fn restore_postgres(url: &str, file: &Path) -> anyhow::Result<()> {
    let db = Db::connect(url, &DbOptions::default())
        .await
        .with_context(|| format!("connecting to {}", config::redact_url(url)))?;
    let empty = backup::is_empty(&db).await?;
    db.close().await;
    if !empty {
        bail!(
            "{} already holds tables: a restore goes only into an empty database (createdb a new one)",
            config::redact_url(url)
        );
    }
    let out = Command::new("pg_restore")
        .args([
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--dbname",
        ])
        .arg(url)
        .arg(file)
        .output()
        .context(
            "running pg_restore (install PostgreSQL's client tools, Debian's postgresql-client)",
        )?;
    if !out.status.success() {
        bail!(
            "pg_restore failed, nothing was restored: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Removes a scratch file, saying so when it cannot.
fn remove_with_log(path: &Path) {
    if let Err(e) = std::fs::remove_file(path) {
        tracing::warn!(error = %e, path = %path.display(), "could not remove the scratch copy");
    }
}
