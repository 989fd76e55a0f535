//! Submitting requests: one, a batch (group commit), or one raised from a pain point.

use super::*;

/// Inserts a submitted request in the service lane and its "submitted" event inside the caller's
/// write transaction; returns the new id. The department check is part of the insert (no row
/// when the department is missing or archived, which today's one error covers), so a submit
/// costs the writer turn two statements fewer. [`record_event`]'s notification of the followers
/// other than the actor is left out: at submit the actor is the requester and there is no
/// champion yet, so it could only insert nothing.
pub(crate) async fn insert_submitted(
    tx: &mut WriteTx,
    requester: i64,
    input: &RequestInput,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let row: Option<(i64,)> = on_db!(tx, |c| {
        sqlx::query_as(
        "insert into requests (title, problem, affected, desired_outcome, department_id, requester_id, urgency, date_needed,
             lane, status, created_at, updated_at)
         select $1, $2, $3, $4, d.id, $6, $7, $8, 'service', 'submitted', $9, $9
         from departments d where d.id = $5 and d.archived_at is null returning id",
    )
    .bind(&input.title)
    .bind(&input.problem)
    .bind(&input.affected)
    .bind(&input.desired_outcome)
    .bind(input.department)
    .bind(requester)
    .bind(input.urgency.as_str())
    .bind(input.date_needed)
    .bind(now)
    .fetch_optional(c)
    .await
    })?;
    let Some((id,)) = row else {
        return Err(StoreError::Invalid(FieldError::new(
            "department_id",
            "no active department has this id",
        )));
    };
    insert_event(tx, id, Some(requester), "submitted", detail, now).await?;
    Ok(id)
}

/// Submits a request in the service lane.
pub async fn insert_request(db: &Db, requester: i64, input: &RequestInput) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let id = insert_submitted(
            &mut tx,
            requester,
            input,
            &format!(
                "submitted ({} urgency)",
                input.urgency.label().to_lowercase()
            ),
            now,
        )
        .await?;
        // The hand-over to IT: every triager (IT leader) hears of a new request at once.
        on_db!(tx, |c| sqlx::query(
            "insert into notifications (user_id, request_id, message, created_at, kind)
             select u.id, $1, 'New request to understand: ' || $2, $3, 'new_request' from users u
             where u.role = 'it_leader' and u.disabled_at is null and u.id <> $4",
        )
        .bind(id)
        .bind(&input.title)
        .bind(now)
        .bind(requester)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        id
    };
    tx.commit().await?;
    find_request(db, id).await
}

/// Submits many requests at once, in one transaction (group commit: the web layer's
/// `service::group_commit` gathers concurrent submits), writing for each `(requester, input)`
/// exactly what [`insert_request`] writes — the request, its `submitted` event, the IT leaders'
/// notifications — in a few statements for the whole batch instead of three per request. An
/// item whose department is missing or archived is refused alone, with the same error; the
/// others are written. The outcomes are in the items' order.
pub async fn insert_requests(
    db: &Db,
    items: &[(i64, RequestInput)],
) -> Result<Vec<Result<Request>>> {
    use crate::batch::{list, rows_per_statement, values};
    use std::collections::{BTreeSet, HashMap};
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let lock = crate::batch::lock_suffix(db);
    let mut tx = db.begin_write().await?;
    let out = {
        // Which departments are active: one read for the batch.
        let asked: BTreeSet<i64> = items.iter().map(|(_, i)| i.department).collect();
        let asked: Vec<i64> = asked.into_iter().collect();
        let mut active = BTreeSet::new();
        for chunk in asked.chunks(rows_per_statement(1, 0)) {
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
        let ok: Vec<&(i64, RequestInput)> = items
            .iter()
            .filter(|(_, i)| active.contains(&i.department))
            .collect();
        // The requests, many rows a statement. Ids are handed out in the order of the rows.
        let mut ids: Vec<i64> = Vec::with_capacity(ok.len());
        for chunk in ok.chunks(rows_per_statement(8, 1)) {
            let sql = format!(
                "insert into requests (title, problem, affected, desired_outcome, department_id, requester_id, urgency, date_needed,
                     lane, status, created_at, updated_at)
                 values {} returning id",
                values("(?, ?, ?, ?, ?, ?, ?, ?, 'service', 'submitted', $1, $1)", chunk.len(), 2)
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(now);
                for (requester, i) in chunk {
                    q = q
                        .bind(&i.title)
                        .bind(&i.problem)
                        .bind(&i.affected)
                        .bind(&i.desired_outcome)
                        .bind(i.department)
                        .bind(*requester)
                        .bind(i.urgency.as_str())
                        .bind(i.date_needed);
                }
                q.fetch_all(c).await
            });
            let mut got: Vec<i64> = done?.into_iter().map(|(id,)| id).collect();
            got.sort_unstable();
            ids.extend(got);
        }
        if ids.len() != ok.len() {
            return Err(StoreError::Db(sqlx::Error::Protocol(format!(
                "{} requests inserted for {} rows",
                ids.len(),
                ok.len()
            ))));
        }
        // Their `submitted` events.
        for (chunk_ids, chunk) in ids
            .chunks(rows_per_statement(3, 1))
            .zip(ok.chunks(rows_per_statement(3, 1)))
        {
            let sql = format!(
                "insert into request_events (request_id, at, actor_id, kind, detail) values {}",
                values("(?, $1, ?, 'submitted', ?)", chunk.len(), 2)
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(now);
                for (id, (requester, i)) in chunk_ids.iter().zip(chunk) {
                    q = q.bind(*id).bind(*requester).bind(format!(
                        "submitted ({} urgency)",
                        i.urgency.label().to_lowercase()
                    ));
                }
                q.execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        // The hand-over to IT: every triager (IT leader) hears of each new request at once.
        for chunk in ids.chunks(rows_per_statement(1, 1)) {
            let sql = format!(
                "insert into notifications (user_id, request_id, message, created_at, kind)
                 select u.id, r.id, 'New request to understand: ' || r.title, $1, 'new_request'
                 from requests r join users u on u.role = 'it_leader' and u.disabled_at is null and u.id <> r.requester_id
                 where r.id in ({}) order by r.id, u.id",
                list(2, chunk.len())
            );
            let done = on_db!(tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(now);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        // Read back as `find_request` reads one, and check each row is the item it was paired with.
        let mut written: HashMap<i64, Request> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(rows_per_statement(1, 0)) {
            let sql = format!(request_sql!("where r.id in ({})"), list(1, chunk.len()));
            let done = on_db!(tx, |c| {
                let mut q =
                    sqlx::query_as::<_, Request>(sqlx::AssertSqlSafe(sql)).persistent(false);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(c).await
            });
            written.extend(done?.into_iter().map(|r| (r.id, r)));
        }
        let mut ids = ids.into_iter();
        let mut out = Vec::with_capacity(items.len());
        for (requester, i) in items {
            if !active.contains(&i.department) {
                out.push(Err(StoreError::Invalid(FieldError::new(
                    "department_id",
                    "no active department has this id",
                ))));
                continue;
            }
            let r = ids.next().and_then(|id| written.remove(&id)).filter(|r| {
                r.requester_id == *requester
                    && r.department_id == i.department
                    && r.title == i.title
            });
            let Some(r) = r else {
                return Err(StoreError::Db(sqlx::Error::Protocol(
                    "a batch of requests read back out of order".into(),
                )));
            };
            out.push(Ok(r));
        }
        out
    };
    tx.commit().await?;
    Ok(out)
}

/// Submits a request raised by a triager from a pain point, and links the pain point to it so its
/// anonymous author sees the outcome, in one transaction.
pub async fn insert_request_from_pain_point(
    db: &Db,
    requester: i64,
    input: &RequestInput,
    pain_point: i64,
    today: chrono::NaiveDate,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let id = insert_submitted(
            &mut tx,
            requester,
            input,
            "raised from an anonymous pain point in the voice inbox",
            now,
        )
        .await?;
        crate::voice::link_pain_point(
            &mut tx,
            pain_point,
            crate::voice::Became::Request(id),
            requester,
            &format!("Turned into request #{id}: {}", input.title),
            today,
        )
        .await?;
        id
    };
    tx.commit().await?;
    find_request(db, id).await
}
