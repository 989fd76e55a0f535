//! Importing people from CSV in one transaction, every row checked first.

use super::*;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// New people.
    pub created: u64,
    /// Existing people (matched by e-mail) whose record changed.
    pub updated: u64,
}

/// Imports parsed rows in one transaction, recorded in the audit log as done on the command line.
pub async fn import_people(
    db: &Db,
    rows: &[PersonCsvRow],
    progress: impl FnMut(u64) + Send,
) -> Result<ImportSummary> {
    import_people_by(db, None, rows, progress).await
}

/// Imports parsed rows in one transaction on behalf of the account `by` (none: the command line):
/// a person is matched by e-mail and updated, otherwise created. Any unknown department fails the
/// whole import with the lines named; `progress` is called after each row. The audit log gets one
/// entry for the import (with its counts) and one for each person it created, moved to another
/// department or restored, in the same transaction.
pub async fn import_people_by(
    db: &Db,
    by: Option<i64>,
    rows: &[PersonCsvRow],
    mut progress: impl FnMut(u64) + Send,
) -> Result<ImportSummary> {
    let departments = list_departments(db, false).await?;
    let names: std::collections::HashMap<i64, String> =
        departments.iter().map(|d| (d.id, d.name.clone())).collect();
    let by_name: std::collections::HashMap<String, i64> = departments
        .iter()
        .map(|d| (d.name.to_lowercase(), d.id))
        .collect();
    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        match by_name.get(&r.department.to_lowercase()) {
            Some(id) => resolved.push((r, *id)),
            None => errors.push(CsvError {
                line: r.line,
                column: Some("department".into()),
                message: format!("no active department is named '{}'", r.department),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Csv(errors));
    }
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let summary = {
        bump_org_revision(&mut tx).await?;
        // Each matched person's department, whether they were archived, and their name, title
        // and level, before the import (a change of any is audited).
        type Before = (String, i64, Option<DateTime<Utc>>, String, String, String);
        let before: Vec<Before> = on_db!(tx, |c| sqlx::query_as(
            "select email, department_id, archived_at, name, title, level from people"
        )
        .fetch_all(c)
        .await)?;
        #[allow(clippy::type_complexity)]
        let before: std::collections::HashMap<
            String,
            (i64, bool, (String, String, String)),
        > = before
            .into_iter()
            .map(|(e, d, a, n, t, l)| (e, (d, a.is_some(), (n, t, l))))
            .collect();
        let mut entries: Vec<(&'static str, i64, i64, String)> = Vec::new();
        let mut s = ImportSummary::default();
        for (i, (r, dept)) in resolved.iter().enumerate() {
            let (id, created): (i64, bool) = on_db!(tx, |c| sqlx::query_as(
                "insert into people (name, email, department_id, title, level, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $6)
                 on conflict (email) do update set name = excluded.name, department_id = excluded.department_id,
                     title = excluded.title, level = excluded.level, archived_at = null, updated_at = excluded.updated_at
                 returning id, (created_at = updated_at)",
            )
            .bind(&r.name)
            .bind(r.email.as_str())
            .bind(dept)
            .bind(&r.title)
            .bind(r.level.as_str())
            .bind(now)
            .fetch_one(c)
            .await)
            .map_err(|e| match StoreError::from(e) {
                StoreError::Db(e) => StoreError::Db(e),
                other => StoreError::Csv(vec![CsvError { line: r.line, column: None, message: other.to_string() }]),
            })?;
            if created {
                s.created += 1
            } else {
                s.updated += 1
            }
            let to = names.get(dept).map(String::as_str).unwrap_or_default();
            match before.get(r.email.as_str()) {
                None => entries.push((
                    "person.create",
                    id,
                    *dept,
                    format!("Imported {} <{}> into {to}", r.name, r.email.as_str()),
                )),
                Some((was, _, _)) if was != dept => {
                    let from = names
                        .get(was)
                        .map(String::as_str)
                        .unwrap_or("an archived department");
                    entries.push((
                        "person.move",
                        id,
                        *dept,
                        format!("Moved {} from {from} to {to} (import)", r.name),
                    ));
                }
                Some((_, true, _)) => entries.push((
                    "person.restore",
                    id,
                    *dept,
                    format!("Restored {} to {to} (import)", r.name),
                )),
                Some((_, false, _)) => {}
            }
            // A matched person whose name, title or level the import changed gets their own entry
            // too (a rename is how an invented person is passed off as a real one).
            if let Some((_, _, (name, title, level))) = before.get(r.email.as_str()) {
                let mut changed = Vec::new();
                if *name != r.name {
                    changed.push(format!("name from {name} to {}", r.name));
                }
                if *title != r.title {
                    changed.push(format!(
                        "title from \u{201c}{title}\u{201d} to \u{201c}{}\u{201d}",
                        r.title
                    ));
                }
                if level != r.level.as_str() {
                    changed.push(format!("level from {level} to {}", r.level.as_str()));
                }
                if !changed.is_empty() {
                    entries.push((
                        "person.update",
                        id,
                        *dept,
                        format!("Changed {}: {} (import)", r.name, changed.join(", ")),
                    ));
                }
            }
            progress(i as u64 + 1);
        }
        let at = Utc::now();
        for chunk in entries.chunks(500) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into audit_log (at, actor_user_id, action, subject_kind, subject_id, department_id, summary) ",
                );
                q.push_values(chunk, |mut b, (action, id, dept, summary)| {
                    b.push_bind(at)
                        .push_bind(by)
                        .push_bind(*action)
                        .push_bind("person")
                        .push_bind(*id)
                        .push_bind(*dept)
                        .push_bind(summary.as_str());
                });
                q.build().execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        let summary = format!(
            "Imported people from CSV: {} created, {} updated",
            s.created, s.updated
        );
        crate::audit::record(
            &mut tx,
            by,
            "people.import",
            "import",
            by.unwrap_or(0),
            None::<i64>,
            &summary,
        )
        .await?;
        s
    };
    tx.commit().await?;
    Ok(summary)
}
