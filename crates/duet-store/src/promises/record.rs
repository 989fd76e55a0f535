//! Recording promises: one, a batch (group commit), from a review decision or a pain point.

use super::*;

/// Records a promise; the promisor's department is taken from their person record.
pub async fn insert_promise(
    db: &Db,
    by: i64,
    input: &PromiseInput,
    today: NaiveDate,
) -> Result<Promise> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = { insert_promise_in_tx(&mut tx, by, input, today, now).await? };
    tx.commit().await?;
    find_promise(db, id).await
}

/// Records many promises at once, in one transaction (group commit: the web layer's
/// `service::group_commit` gathers concurrent records), writing for each `(recorded by, input,
/// today)` exactly what [`insert_promise`] writes — the promise and its `made` event — in a few
/// statements for the whole batch. Each item is refused alone, with [`insert_promise`]'s words
/// and in its order (an active promisor, an active promisee department, another department than
/// the promisor's), and the others are written. The outcomes are in the items' order.
pub async fn insert_promises(
    db: &Db,
    items: &[(i64, PromiseInput, NaiveDate)],
) -> Result<Vec<Result<Promise>>> {
    use crate::batch::{list, rows_per_statement, values};
    use std::collections::{BTreeSet, HashMap};
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let lock = crate::batch::lock_suffix(db);
    let mut tx = db.begin_write().await?;
    let out = {
        // The active promisors (with their departments) and active departments: one read each.
        let people: BTreeSet<i64> = items.iter().map(|(_, i, _)| i.promisor).collect();
        let people: Vec<i64> = people.into_iter().collect();
        let mut promisors: HashMap<i64, i64> = HashMap::new();
        for chunk in people.chunks(rows_per_statement(1, 0)) {
            let sql = format!(
                "select id, department_id from people where archived_at is null and id in ({}){lock}",
                list(1, chunk.len())
            );
            let done = on_db!(tx, |c| {
                let mut q =
                    sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql)).persistent(false);
                for p in chunk {
                    q = q.bind(p);
                }
                q.fetch_all(c).await
            });
            promisors.extend(done?);
        }
        let depts: BTreeSet<i64> = items
            .iter()
            .map(|(_, i, _)| i.promisee_department)
            .collect();
        let depts: Vec<i64> = depts.into_iter().collect();
        let mut active = BTreeSet::new();
        for chunk in depts.chunks(rows_per_statement(1, 0)) {
            let sql = format!(
                "select id from departments where archived_at is null and id in ({}){lock}",
                list(1, chunk.len())
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql)).persistent(false);
                for d in chunk {
                    q = q.bind(d);
                }
                q.fetch_all(c).await
            });
            active.extend(done?.into_iter().map(|(id,)| id));
        }
        // Each item's refusal, or its promisor's department.
        let checked: Vec<std::result::Result<i64, FieldError>> = items
            .iter()
            .map(|(_, i, _)| {
                let Some(&from) = promisors.get(&i.promisor) else {
                    return Err(FieldError::new(
                        "promisor_id",
                        "no active person has this id",
                    ));
                };
                if !active.contains(&i.promisee_department) {
                    return Err(FieldError::new(
                        "promisee_department_id",
                        "no active department has this id",
                    ));
                }
                if from == i.promisee_department {
                    return Err(FieldError::new(
                        "promisee_department_id",
                        "a promise in the ledger is made to another department",
                    ));
                }
                Ok(from)
            })
            .collect();
        let ok: Vec<(i64, &(i64, PromiseInput, NaiveDate))> = checked
            .iter()
            .zip(items)
            .filter_map(|(c, item)| c.as_ref().ok().map(|&from| (from, item)))
            .collect();
        // The promises, many rows a statement. Ids are handed out in the order of the rows.
        let mut ids: Vec<i64> = Vec::with_capacity(ok.len());
        for chunk in ok.chunks(rows_per_statement(9, 1)) {
            let sql = format!(
                "insert into promises (promisor_person_id, promisor_department_id, promisee_department_id, level, text, due_on, source,
                     source_id, status, recorded_by, created_at, updated_at)
                 values {} returning id",
                values("(?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, $1, $1)", chunk.len(), 2)
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(now);
                for (from, (by, i, _)) in chunk {
                    q = q
                        .bind(i.promisor)
                        .bind(*from)
                        .bind(i.promisee_department)
                        .bind(i.level.as_str())
                        .bind(&i.text)
                        .bind(i.due_on)
                        .bind(i.source.as_str())
                        .bind(i.source_id)
                        .bind(*by);
                }
                q.fetch_all(c).await
            });
            let mut got: Vec<i64> = done?.into_iter().map(|(id,)| id).collect();
            got.sort_unstable();
            ids.extend(got);
        }
        if ids.len() != ok.len() {
            return Err(StoreError::Db(sqlx::Error::Protocol(format!(
                "{} promises inserted for {} rows",
                ids.len(),
                ok.len()
            ))));
        }
        // Their `made` events.
        for (chunk_ids, chunk) in ids
            .chunks(rows_per_statement(4, 1))
            .zip(ok.chunks(rows_per_statement(4, 1)))
        {
            let sql = format!(
                "insert into promise_events (promise_id, on_date, at, actor_id, kind, detail) values {}",
                values("(?, ?, $1, ?, 'made', ?)", chunk.len(), 2)
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(now);
                for (id, (_, (by, i, today))) in chunk_ids.iter().zip(chunk) {
                    q = q
                        .bind(*id)
                        .bind(*today)
                        .bind(*by)
                        .bind(format!("promised, due {}", i.due_on));
                }
                q.execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        // Read back as `find_promise` reads one, and check each row is the item it was paired with.
        let mut written: HashMap<i64, Promise> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(rows_per_statement(1, 0)) {
            let sql = format!(promise_sql!("where p.id in ({})"), list(1, chunk.len()));
            let done = on_db!(tx, |c| {
                let mut q =
                    sqlx::query_as::<_, Promise>(sqlx::AssertSqlSafe(sql)).persistent(false);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(c).await
            });
            written.extend(done?.into_iter().map(|p| (p.id, p)));
        }
        let mut ids = ids.into_iter();
        let mut out = Vec::with_capacity(items.len());
        for (c, (by, i, _)) in checked.into_iter().zip(items) {
            if let Err(e) = c {
                out.push(Err(StoreError::Invalid(e)));
                continue;
            }
            let p = ids.next().and_then(|id| written.remove(&id)).filter(|p| {
                p.promisor_person_id == i.promisor
                    && p.promisee_department_id == i.promisee_department
                    && p.recorded_by_id == *by
                    && p.text == i.text
            });
            let Some(p) = p else {
                return Err(StoreError::Db(sqlx::Error::Protocol(
                    "a batch of promises read back out of order".into(),
                )));
            };
            out.push(Ok(p));
        }
        out
    };
    tx.commit().await?;
    Ok(out)
}

/// Records a review decision and the promise it becomes, in one transaction.
pub async fn insert_decision_with_promise(
    db: &Db,
    review: i64,
    text: &str,
    by: i64,
    input: &PromiseInput,
    today: NaiveDate,
) -> Result<Promise> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let found: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
            "select id from reviews where id = $1"
        )
        .bind(review)
        .fetch_optional(c)
        .await)?;
        if found.is_none() {
            return Err(StoreError::NotFound("review"));
        }
        crate::reviews::check_unlocked(&mut tx, review).await?;
        let id = insert_promise_in_tx(&mut tx, by, input, today, now).await?;
        on_db!(tx, |c| {
            sqlx::query("insert into review_decisions (review_id, text, promise_id, created_by, created_at) values ($1, $2, $3, $4, $5)")
            .bind(review).bind(text).bind(id).bind(by).bind(now).execute(c).await.map(|r| r.rows_affected())
        })?;
        id
    };
    tx.commit().await?;
    find_promise(db, id).await
}

/// Records a promise made in answer to a pain point and links the pain point to it, in one
/// transaction, so the anonymous author can follow it.
pub async fn insert_promise_from_pain_point(
    db: &Db,
    by: i64,
    input: &PromiseInput,
    pain_point: i64,
    today: NaiveDate,
) -> Result<Promise> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let id = insert_promise_in_tx(&mut tx, by, input, today, now).await?;
        crate::voice::link_pain_point(
            &mut tx,
            pain_point,
            crate::voice::Became::Promise(id),
            by,
            &format!(
                "Turned into a promise, due {}: {}",
                input.due_on, input.text
            ),
            today,
        )
        .await?;
        id
    };
    tx.commit().await?;
    find_promise(db, id).await
}
