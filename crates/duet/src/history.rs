//! `duet import promises | requests | reviews`: a company's past brought in with its original
//! dates. Each reads and checks the whole file first (every problem placed by line and column,
//! nothing written), then writes it in one transaction under an admin's name with a progress bar.

use crate::commands::{csv_failure, describe, open};
use crate::config::Config;
use anyhow::Context;
use chrono::NaiveDate;
use duet_core::csv_input::CsvError;
use duet_store::{Db, StoreError};
use std::path::Path;

/// What every history import shares once its file is read: the database, the admin recording it,
/// where the history comes from, and the progress bar.
struct HistoryImport {
    db: Db,
    admin: i64,
    source: String,
    bar: indicatif::ProgressBar,
}

/// Reads `file` and parses it with `parse` as of today in Duet's time zone; a bad file is refused
/// here, before the database is opened.
fn read<T>(
    config: &Config,
    file: &Path,
    parse: impl FnOnce(&[u8], NaiveDate) -> Result<Vec<T>, Vec<CsvError>>,
) -> anyhow::Result<Vec<T>> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let today = chrono::Utc::now()
        .with_timezone(&config.time_zone)
        .date_naive();
    parse(&bytes, today).map_err(|errors| csv_failure(file, &errors))
}

impl HistoryImport {
    /// Checks `--source` and that `--by` is an account that may import history, and starts a
    /// bar of `rows` `noun`.
    async fn begin(
        config: &Config,
        by: &str,
        source: &str,
        rows: usize,
        noun: &str,
    ) -> anyhow::Result<Self> {
        let source = source.trim();
        if source.is_empty() || source.chars().count() > 120 {
            anyhow::bail!(
                "--source must say where the history comes from, in at most 120 characters"
            );
        }
        let db = open(config).await?;
        let Some((admin, _)) =
            duet_store::accounts::find_login(&db, &by.trim().to_lowercase()).await?
        else {
            db.close().await;
            anyhow::bail!("--by: no account has the e-mail {by}");
        };
        if let Err(e) = duet_core::auth::can(&admin.actor(), duet_core::auth::Action::ImportHistory)
        {
            db.close().await;
            anyhow::bail!("--by: {by} may not {e}");
        }
        let bar = indicatif::ProgressBar::new(rows as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {noun} {{elapsed}}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Ok(Self {
            db,
            admin: admin.id,
            source: source.to_string(),
            bar,
        })
    }

    /// Clears the bar and closes the database; a refused file's rows are listed.
    async fn end<S>(self, file: &Path, result: Result<S, StoreError>) -> anyhow::Result<S> {
        self.bar.finish_and_clear();
        self.db.close().await;
        match result {
            Ok(s) => Ok(s),
            Err(StoreError::Csv(errors)) => Err(csv_failure(file, &errors)),
            Err(e) => Err(describe(e)),
        }
    }
}

/// `duet import promises`: a ledger's history, with its original dates, all rows or none.
pub async fn import_promises(
    config: &Config,
    file: &Path,
    by: &str,
    source: &str,
) -> anyhow::Result<()> {
    let rows = read(config, file, duet_core::promises::parse_history_csv)?;
    let h = HistoryImport::begin(config, by, source, rows.len(), "promises").await?;
    let result = duet_store::promises::import_history(&h.db, h.admin, &h.source, &rows, |n| {
        h.bar.set_position(n)
    })
    .await;
    let s = h.end(file, result).await?;
    println!(
        "Imported {} promises from {}: {} open, {} kept, {} broken, each with its original dates.",
        s.promises,
        file.display(),
        s.open,
        s.kept,
        s.broken
    );
    Ok(())
}

/// `duet import requests`: a request history in Duet's columns or as ServiceNow or Jira export
/// it, with original dates and numbers, all rows or none.
pub async fn import_requests(
    config: &Config,
    file: &Path,
    format: duet_core::requests::history::HistoryFormat,
    by: &str,
    source: Option<&str>,
) -> anyhow::Result<()> {
    use duet_core::requests::history::{HistoryFormat, parse_history_csv};
    let rows = read(config, file, |bytes, today| {
        parse_history_csv(bytes, format, today)
    })?;
    let source = source.unwrap_or(match format {
        HistoryFormat::Duet => "an earlier request log",
        other => other.label(),
    });
    let h = HistoryImport::begin(config, by, source, rows.len(), "requests").await?;
    let result = duet_store::requests::import_history(&h.db, h.admin, &h.source, &rows, |n| {
        h.bar.set_position(n)
    })
    .await;
    let s = h.end(file, result).await?;
    println!(
        "Imported {} requests from {}: {} open, {} in delivery, {} finished, each with its original dates.",
        s.requests,
        file.display(),
        s.open,
        s.in_delivery,
        s.finished
    );
    if s.already_imported > 0 {
        println!(
            "{} were already imported from {source} and were left as they are.",
            s.already_imported
        );
    }
    if s.accounts_created > 0 {
        println!(
            "{} requesters had no account and got one without a password: they sign in by single sign-on, or once an admin sets a password.",
            s.accounts_created
        );
    }
    Ok(())
}

/// `duet import reviews`: the reviews held before Duet, with their notes and decisions, all rows
/// or none.
pub async fn import_reviews(
    config: &Config,
    file: &Path,
    by: &str,
    source: &str,
) -> anyhow::Result<()> {
    let rows = read(config, file, duet_core::reviews::history::parse_history_csv)?;
    let h = HistoryImport::begin(config, by, source, rows.len(), "reviews").await?;
    let result = duet_store::reviews::import_history(&h.db, h.admin, &h.source, &rows, |n| {
        h.bar.set_position(n)
    })
    .await;
    let s = h.end(file, result).await?;
    println!(
        "Imported {} reviews held from {} with {} decisions, each on its original day.",
        s.reviews,
        file.display(),
        s.decisions
    );
    if s.already_there > 0 {
        println!(
            "{} were already there (the same department on the same day) and were left as they are.",
            s.already_there
        );
    }
    Ok(())
}
