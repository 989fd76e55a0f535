//! Advisories imported whole (KEV, OSV), what they affect indexed by package URL, CPE and name,
//! and findings: a register entry matched to an advisory with a confidence, confirmed or
//! dismissed by a person.

use crate::batch::{list, values};
use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::software::advisories::{Advisory, Affected, Source};
use duet_core::software::versions::Event;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Advisories new to Duet.
    pub added: u64,
    /// Advisories that replaced an earlier import of the same id.
    pub replaced: u64,
}

/// `sql` with its `$N` placeholders made `?` on SQLite, whose named parameters are looked up
/// one by one through a list (a statement of thousands of them spends its time there); only
/// for statements that bind their values in the order they appear.
fn positional(db: &Db, sql: String) -> String {
    if db.backend() != crate::Backend::Sqlite {
        return sql;
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            while chars.peek().is_some_and(|n| n.is_ascii_digit()) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// Values bound per statement of an import: far more than the group commit's 999, since both
/// backends take it (the bundled SQLite allows 32,766, PostgreSQL 65,535) and 200,000 records
/// in statements of 111 rows spend their time in round trips.
const IMPORT_BINDS: usize = 16_000;

/// Imports `advisories` in one transaction (all or nothing): an advisory already imported from
/// the same source is replaced with this version (its findings stay). `progress` is told how
/// many are written.
pub async fn import(
    db: &Db,
    advisories: &[Advisory],
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize),
) -> Result<ImportSummary> {
    if db.backend() == crate::Backend::Postgres {
        return import_postgres(db, advisories, now, progress).await;
    }
    let mut tx = db.begin_write().await?;
    let mut summary = ImportSummary::default();
    for chunk in advisories.chunks(IMPORT_BINDS / 9) {
        let source = chunk[0].source.as_str();
        if chunk.iter().any(|a| a.source.as_str() != source) {
            return Err(StoreError::Invalid(FieldError::new(
                "source",
                "one import holds advisories of one source",
            )));
        }
        let ids: Vec<&str> = chunk.iter().map(|a| a.id.as_str()).collect();
        let select = positional(
            db,
            format!(
                "select id, advisory_id from advisories where source = $1 and advisory_id in ({})",
                list(2, ids.len())
            ),
        );
        let old: Vec<(i64, String)> = on_db!(tx, |c| {
            let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(select.clone()))
                .bind(source);
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        summary.replaced += old.len() as u64;
        summary.added += (chunk.len() - old.len()) as u64;
        // Replaced advisories lose what they affected; their findings stay linked by id.
        for part in old.chunks(IMPORT_BINDS) {
            let sql = positional(
                db,
                format!(
                    "delete from advisory_affected where advisory_id in ({})",
                    list(1, part.len())
                ),
            );
            on_db!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (id, _) in part {
                    q = q.bind(id);
                }
                q.execute(c).await.map(|_| ())
            })?;
        }
        let sql = positional(
            db,
            format!(
                "insert into advisories (source, advisory_id, aliases, summary, published_on, due_on,
                     ransomware, required_action, imported_at) values {}
                 on conflict (source, advisory_id) do update set aliases = excluded.aliases,
                     summary = excluded.summary, published_on = excluded.published_on,
                     due_on = excluded.due_on, ransomware = excluded.ransomware,
                     required_action = excluded.required_action, imported_at = excluded.imported_at",
                values("(?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk.len(), 1)
            ),
        );
        on_db!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in chunk {
                q = q
                    .bind(a.source.as_str())
                    .bind(&a.id)
                    .bind(a.aliases.join(" "))
                    .bind(&a.summary)
                    .bind(a.published)
                    .bind(a.due_on)
                    .bind(a.ransomware)
                    .bind(&a.required_action)
                    .bind(now);
            }
            q.execute(c).await.map(|_| ())
        })?;
        let rows: Vec<(i64, String)> = on_db!(tx, |c| {
            let mut q =
                sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(select)).bind(source);
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        let row_of: std::collections::HashMap<&str, i64> =
            rows.iter().map(|(id, a)| (a.as_str(), *id)).collect();
        let affected: Vec<(i64, &Affected)> = chunk
            .iter()
            .filter_map(|a| row_of.get(a.id.as_str()).map(|id| (*id, a)))
            .flat_map(|(id, a)| a.affected.iter().map(move |x| (id, x)))
            .collect();
        for part in affected.chunks(IMPORT_BINDS / 8) {
            let sql = positional(
                db,
                format!(
                    "insert into advisory_affected (advisory_id, purl_key, cpe_vendor, cpe_product,
                         alias_vendor, alias_product, ranges, versions) values {}",
                    values("(?, ?, ?, ?, ?, ?, ?, ?)", part.len(), 1)
                ),
            );
            on_db!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (id, x) in part {
                    q = q
                        .bind(id)
                        .bind(&x.purl_key)
                        .bind(x.cpe.as_ref().map(|c| c.0.clone()))
                        .bind(x.cpe.as_ref().map(|c| c.1.clone()))
                        .bind(x.alias.as_ref().map(|c| c.0.clone()))
                        .bind(x.alias.as_ref().map(|c| c.1.clone()))
                        .bind(serde_json::to_string(&x.ranges).unwrap_or_else(|_| "[]".into()))
                        .bind(serde_json::to_string(&x.versions).unwrap_or_else(|_| "[]".into()));
                }
                q.execute(c).await.map(|_| ())
            })?;
        }
        progress(chunk.len());
    }
    tx.commit().await?;
    Ok(summary)
}

/// [`import`] on PostgreSQL: each chunk's columns bound as arrays and expanded by `unnest`, so
/// 200,000 advisories take a few statements instead of thousands of wide ones.
async fn import_postgres(
    db: &Db,
    advisories: &[Advisory],
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize),
) -> Result<ImportSummary> {
    let mut tx = db.begin_write().await?;
    let mut summary = ImportSummary::default();
    for chunk in advisories.chunks(20_000) {
        let source = chunk[0].source.as_str();
        if chunk.iter().any(|a| a.source.as_str() != source) {
            return Err(StoreError::Invalid(FieldError::new(
                "source",
                "one import holds advisories of one source",
            )));
        }
        let crate::db::Side::Postgres(c) = tx.sides() else {
            return Err(StoreError::Invalid(FieldError::new(
                "source",
                "not PostgreSQL",
            )));
        };
        let ids: Vec<String> = chunk.iter().map(|a| a.id.clone()).collect();
        let old: Vec<(i64, String)> = sqlx::query_as(
            "select id, advisory_id from advisories where source = $1 and advisory_id = any($2)",
        )
        .bind(source)
        .bind(&ids)
        .fetch_all(&mut *c)
        .await?;
        summary.replaced += old.len() as u64;
        summary.added += (chunk.len() - old.len()) as u64;
        let old_ids: Vec<i64> = old.iter().map(|(id, _)| *id).collect();
        sqlx::query("delete from advisory_affected where advisory_id = any($1)")
            .bind(&old_ids)
            .execute(&mut *c)
            .await?;
        let col = |f: fn(&Advisory) -> String| chunk.iter().map(f).collect::<Vec<String>>();
        sqlx::query(
            "insert into advisories (source, advisory_id, aliases, summary, published_on, due_on,
                 ransomware, required_action, imported_at)
             select $1::text, * from unnest($2::text[], $3::text[], $4::text[], $5::date[], $6::date[],
                 $7::bool[], $8::text[]), (select $9::timestamptz) as now
             on conflict (source, advisory_id) do update set aliases = excluded.aliases,
                 summary = excluded.summary, published_on = excluded.published_on,
                 due_on = excluded.due_on, ransomware = excluded.ransomware,
                 required_action = excluded.required_action, imported_at = excluded.imported_at",
        )
        .bind(source)
        .bind(&ids)
        .bind(col(|a| a.aliases.join(" ")))
        .bind(col(|a| a.summary.clone()))
        .bind(chunk.iter().map(|a| a.published).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.due_on).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.ransomware).collect::<Vec<_>>())
        .bind(col(|a| a.required_action.clone()))
        .bind(now)
        .execute(&mut *c)
        .await?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "select id, advisory_id from advisories where source = $1 and advisory_id = any($2)",
        )
        .bind(source)
        .bind(&ids)
        .fetch_all(&mut *c)
        .await?;
        let row_of: std::collections::HashMap<&str, i64> =
            rows.iter().map(|(id, a)| (a.as_str(), *id)).collect();
        let affected: Vec<(i64, &Affected)> = chunk
            .iter()
            .filter_map(|a| row_of.get(a.id.as_str()).map(|id| (*id, a)))
            .flat_map(|(id, a)| a.affected.iter().map(move |x| (id, x)))
            .collect();
        let text = |f: fn(&Affected) -> Option<String>| {
            affected.iter().map(|(_, x)| f(x)).collect::<Vec<_>>()
        };
        sqlx::query(
            "insert into advisory_affected (advisory_id, purl_key, cpe_vendor, cpe_product,
                 alias_vendor, alias_product, ranges, versions)
             select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                 $6::text[], $7::text[], $8::text[])",
        )
        .bind(affected.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
        .bind(text(|x| x.purl_key.clone()))
        .bind(text(|x| x.cpe.as_ref().map(|c| c.0.clone())))
        .bind(text(|x| x.cpe.as_ref().map(|c| c.1.clone())))
        .bind(text(|x| x.alias.as_ref().map(|c| c.0.clone())))
        .bind(text(|x| x.alias.as_ref().map(|c| c.1.clone())))
        .bind(text(|x| {
            Some(serde_json::to_string(&x.ranges).unwrap_or_else(|_| "[]".into()))
        }))
        .bind(text(|x| {
            Some(serde_json::to_string(&x.versions).unwrap_or_else(|_| "[]".into()))
        }))
        .execute(&mut *c)
        .await?;
        progress(chunk.len());
    }
    tx.commit().await?;
    Ok(summary)
}

/// An advisory as lists show it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AdvisoryRow {
    /// Row id.
    pub id: i64,
    /// `kev` or `osv`.
    pub source: String,
    /// The CVE or OSV id.
    pub advisory_id: String,
    /// Other ids, space-separated.
    pub aliases: String,
    /// What it is.
    pub summary: String,
    /// Published or added.
    pub published_on: Option<NaiveDate>,
    /// KEV's due date.
    pub due_on: Option<NaiveDate>,
    /// Used in ransomware campaigns.
    pub ransomware: bool,
    /// What CISA requires.
    pub required_action: String,
}

/// The advisories that affect any of these keys, with what they affect: the candidates for
/// matching (each advisory once, rebuilt as `duet_core` reads it, with its row id).
pub async fn candidates(
    db: &Db,
    purls: &[String],
    cpes: &[(String, String)],
    aliases: &[(String, String)],
) -> Result<Vec<(i64, Advisory, AdvisoryRow)>> {
    let mut ids: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    for chunk in purls.chunks(900) {
        let sql = format!(
            "select distinct advisory_id from advisory_affected where purl_key in ({})",
            list(1, chunk.len())
        );
        let rows: Vec<(i64,)> = on_db!(db, |pool| {
            let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                q = q.bind(p);
            }
            q.fetch_all(pool).await
        })?;
        ids.extend(rows.into_iter().map(|(i,)| i));
    }
    for (column, keys) in [("cpe", cpes), ("alias", aliases)] {
        for chunk in keys.chunks(400) {
            let cond = (0..chunk.len())
                .map(|i| {
                    format!(
                        "({column}_vendor = ${} and {column}_product = ${})",
                        2 * i + 1,
                        2 * i + 2
                    )
                })
                .collect::<Vec<_>>()
                .join(" or ");
            let sql = format!("select distinct advisory_id from advisory_affected where {cond}");
            let rows: Vec<(i64,)> = on_db!(db, |pool| {
                let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
                for (v, p) in chunk {
                    q = q.bind(v).bind(p);
                }
                q.fetch_all(pool).await
            })?;
            ids.extend(rows.into_iter().map(|(i,)| i));
        }
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(900) {
        let sql = format!(
            "select id, source, advisory_id, aliases, summary, published_on, due_on, ransomware,
                 required_action from advisories where id in ({}) order by id",
            list(1, chunk.len())
        );
        let rows: Vec<AdvisoryRow> = on_db!(db, |pool| {
            let mut q = sqlx::query_as::<_, AdvisoryRow>(sqlx::AssertSqlSafe(sql));
            for i in chunk {
                q = q.bind(i);
            }
            q.fetch_all(pool).await
        })?;
        let sql = format!(
            "select advisory_id, purl_key, cpe_vendor, cpe_product, alias_vendor, alias_product,
                 ranges, versions from advisory_affected where advisory_id in ({})",
            list(1, chunk.len())
        );
        type AffectedRow = (
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
        );
        let affected: Vec<AffectedRow> = on_db!(db, |pool| {
            let mut q = sqlx::query_as::<_, AffectedRow>(sqlx::AssertSqlSafe(sql));
            for i in chunk {
                q = q.bind(i);
            }
            q.fetch_all(pool).await
        })?;
        let mut by: std::collections::HashMap<i64, Vec<Affected>> =
            std::collections::HashMap::new();
        for (id, purl_key, cv, cp, av, ap, ranges, versions) in affected {
            by.entry(id).or_default().push(Affected {
                purl_key,
                cpe: cv.zip(cp),
                alias: av.zip(ap),
                ranges: serde_json::from_str::<Vec<Vec<Event>>>(&ranges).unwrap_or_default(),
                versions: serde_json::from_str(&versions).unwrap_or_default(),
            });
        }
        for r in rows {
            let adv = Advisory {
                source: r.source.parse().unwrap_or(Source::Osv),
                id: r.advisory_id.clone(),
                aliases: r.aliases.split_whitespace().map(str::to_string).collect(),
                summary: r.summary.clone(),
                published: r.published_on,
                due_on: r.due_on,
                ransomware: r.ransomware,
                required_action: r.required_action.clone(),
                affected: by.remove(&r.id).unwrap_or_default(),
            };
            out.push((r.id, adv, r));
        }
    }
    Ok(out)
}

/// How many advisories of each source are held.
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select source, count(*) from advisories group by source order by source"
    )
    .fetch_all(pool)
    .await)?)
}

/// A finding: an entry matched to an advisory.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Finding {
    /// Id.
    pub id: i64,
    /// The entry.
    pub software_id: i64,
    /// Its name.
    pub software_name: String,
    /// Its department.
    pub department_id: i64,
    /// The advisory's row.
    pub advisory_row: i64,
    /// `kev` or `osv`.
    pub source: String,
    /// The CVE or OSV id.
    pub advisory_id: String,
    /// What it is.
    pub summary: String,
    /// `exact_purl`, `exact_cpe` or `candidate`.
    pub confidence: String,
    /// `open`, `confirmed`, `dismissed` or `resolved`.
    pub status: String,
    /// The review deadline it sets (KEV's due date).
    pub due_on: Option<NaiveDate>,
    /// Used in ransomware campaigns.
    pub ransomware: bool,
    /// When it was found.
    pub found_at: DateTime<Utc>,
    /// The note of whoever decided it.
    pub note: String,
}

const FINDING: &str = "select f.id, f.software_id, s.name as software_name, s.department_id,
    f.advisory_id as advisory_row, a.source, a.advisory_id, a.summary, f.confidence, f.status,
    f.due_on, a.ransomware, f.found_at, f.note
    from software_findings f join software s on s.id = f.software_id
    join advisories a on a.id = f.advisory_id";

/// Findings of one entry (or of all, `None`), open and confirmed first.
pub async fn findings(db: &Db, software: Option<i64>) -> Result<Vec<Finding>> {
    let sql = format!(
        "{FINDING} where ($1 is null or f.software_id = $1)
         order by case f.status when 'open' then 0 when 'confirmed' then 1 else 2 end, f.id desc limit 500"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Finding>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(software)
    .fetch_all(pool)
    .await)?)
}

/// A match to record: (entry, advisory row, confidence, due date).
pub type NewFinding = (i64, i64, &'static str, Option<NaiveDate>);

/// Records the matches not yet findings, in one transaction; a new finding notifies the entry's
/// owner, its department's leader and its last reviewer (IT's leaders while it was never
/// reviewed) — except a candidate by name, which
/// waits for a person on the register's page and alarms no one. Returns how many were new.
pub async fn record_findings(db: &Db, found: &[NewFinding], now: DateTime<Utc>) -> Result<u64> {
    if found.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let mut new = 0;
    for (software, advisory, confidence, due) in found {
        let inserted: Option<(i64,)> = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into software_findings (software_id, advisory_id, confidence, due_on, found_at)
             values ($1, $2, $3, $4, $5) on conflict do nothing returning id"
        )
        .bind(software)
        .bind(advisory)
        .bind(*confidence)
        .bind(due)
        .bind(now)
        .fetch_optional(c)
        .await
        })?;
        if inserted.is_none() {
            continue;
        }
        new += 1;
        if *confidence == "candidate" {
            continue;
        }
        notify_finding(&mut tx, *software, *advisory, *due, now).await?;
    }
    tx.commit().await?;
    Ok(new)
}

/// Tells a tool's owner, its department's leader and its last reviewer (IT's leaders while it
/// was never reviewed) of a known vulnerability that affects it, with its review deadline.
async fn notify_finding(
    tx: &mut crate::db::WriteTx,
    software: i64,
    advisory: i64,
    due: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<()> {
    on_db!(tx, |c| {
        sqlx::query(
        "insert into notifications (user_id, request_id, message, created_at, kind)
         select u.id, null, (select 'Known vulnerability ' || a.advisory_id || ' affects ' || s.name
             || case when cast($3 as text) is null then '' else ': review it by ' || cast($3 as text) end
             || '. /software/' || cast(s.id as text)
             from software s, advisories a where s.id = $1 and a.id = $2), $4, 'software'
         from users u
         where u.disabled_at is null and (u.person_id in (
             select owner_person_id from software where id = $1
             union select d.leader_id from software s join departments d on d.id = s.department_id where s.id = $1)
           or u.id in (select reviewer_id from software_reviews where software_id = $1)
           or (u.role = 'it_leader'
               and not exists (select 1 from software_reviews where software_id = $1)))"
    )
    .bind(software)
    .bind(advisory)
    .bind(due.map(|d| d.to_string()))
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// A person's decision on a finding: `confirmed`, `dismissed` or `resolved`, with a note; 404
/// when the finding is not this entry's.
pub async fn decide_finding(
    db: &Db,
    software: i64,
    id: i64,
    status: &str,
    note: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let found: Option<(i64, Option<NaiveDate>, String)> = on_db!(tx, |c| {
        sqlx::query_as(
        "select advisory_id, due_on, status from software_findings where id = $1 and software_id = $2"
    )
    .bind(id)
    .bind(software)
    .fetch_optional(c)
    .await
    })?;
    let Some((advisory, due, before)) = found else {
        return Err(StoreError::NotFound("finding"));
    };
    on_db!(tx, |c| sqlx::query(
        "update software_findings set status = $1, note = $2, decided_by = $3, decided_at = $4
         where id = $5"
    )
    .bind(status)
    .bind(note)
    .bind(by)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))?;
    // A candidate a person confirmed is an alarm now: its owner and reviewer are told.
    if status == "confirmed" && before != "confirmed" {
        notify_finding(&mut tx, software, advisory, due, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
