//! What `duet backup` and `duet restore` need from the database itself: a consistent copy of a
//! live SQLite file, a check that a restore goes into an empty database, and a digest of every
//! table so a restore can be compared with its source. PostgreSQL's copy is `pg_dump`'s, run by
//! the command (it is the tool a database administrator already trusts).

use crate::db::Db;
use crate::{Result, StoreError};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes a consistent copy of a live SQLite database to `file` (`VACUUM INTO`: one read
/// transaction, so writes that commit meanwhile are either wholly in the copy or not at all, and
/// the server keeps serving). Refuses on PostgreSQL, whose copy is `pg_dump`'s.
pub async fn sqlite_copy(db: &Db, file: &Path) -> Result<()> {
    let Db::Sqlite(pool) = db else {
        return Err(StoreError::Invalid(duet_core::FieldError::new(
            "database",
            "is PostgreSQL: its backup is made with pg_dump",
        )));
    };
    let path = file.to_str().ok_or_else(|| {
        StoreError::Invalid(duet_core::FieldError::new(
            "file",
            "must be a path made of valid UTF-8",
        ))
    })?;
    sqlx::query("vacuum into $1")
        .bind(path)
        .execute(pool)
        .await?;
    Ok(())
}

/// The file a SQLite database URL names (`sqlite:…` or a plain path); `None` for PostgreSQL.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return None;
    }
    if url.starts_with("sqlite:") {
        use std::str::FromStr;
        return sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .ok()
            .map(|o| o.get_filename().to_path_buf());
    }
    Some(std::path::PathBuf::from(url))
}

/// Whether the database holds no table at all (a restore goes only into such a database, so it
/// can never mix two organisations' data).
pub async fn is_empty(db: &Db) -> Result<bool> {
    let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(match db {
        Db::Sqlite(_) => "select count(*) from sqlite_master where type = 'table'",
        Db::Postgres(_) =>
            "select count(*) from information_schema.tables where table_schema = current_schema()",
    })
    .fetch_one(pool)
    .await)?;
    Ok(n == 0)
}

/// SQLite's own check of a file's structure: `Ok(())` when `pragma integrity_check` says "ok",
/// else its first complaint.
pub async fn integrity_check(db: &Db) -> Result<()> {
    let Db::Sqlite(pool) = db else {
        return Ok(());
    };
    let (verdict,): (String,) = sqlx::query_as("pragma integrity_check")
        .fetch_one(pool)
        .await?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(StoreError::Invalid(duet_core::FieldError::new(
            "file",
            format!("is damaged: {verdict}"),
        )))
    }
}

/// Every table's rows, each rendered as one line of text and sorted: two databases with equal
/// digests hold the same data. For comparing a restore with its source.
pub async fn table_digest(db: &Db) -> Result<BTreeMap<String, Vec<String>>> {
    let mut out = BTreeMap::new();
    match db {
        Db::Sqlite(pool) => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
            )
            .fetch_all(pool)
            .await?;
            for (table,) in tables {
                let columns: Vec<(String,)> =
                    sqlx::query_as("select name from pragma_table_info($1) order by cid")
                        .bind(&table)
                        .fetch_all(pool)
                        .await?;
                let row = columns
                    .iter()
                    .map(|(c,)| format!("quote(\"{}\")", c.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                let sql = format!(
                    "select {row} from \"{}\" order by 1",
                    table.replace('"', "\"\"")
                );
                let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await?;
                out.insert(table, rows.into_iter().map(|(r,)| r).collect());
            }
        }
        Db::Postgres(pool) => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "select table_name::text from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1",
            )
            .fetch_all(pool)
            .await?;
            for (table,) in tables {
                let sql = format!(
                    "select t::text from \"{}\" as t order by 1",
                    table.replace('"', "\"\"")
                );
                let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await?;
                out.insert(table, rows.into_iter().map(|(r,)| r).collect());
            }
        }
    }
    Ok(out)
}
