//! What an agenda is drafted from: requests and promises between two departments since the last review.

use super::*;

/// Where a review's agenda starts counting: the department's review interval (none when it is
/// not an active business department) and the last day one of its other reviews was held before
/// `on`. Two index lookups instead of every department's cadence and the review list.
pub async fn agenda_start(
    db: &Db,
    department: i64,
    review: i64,
    on: NaiveDate,
) -> Result<(Option<i64>, Option<NaiveDate>)> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "select (select review_interval_days from departments where id = $1 and kind = 'business' and archived_at is null),
                (select max(held_on) from reviews where department_id = $1 and status = 'held' and id <> $2 and held_on < $3)",
    ).bind(department).bind(review).bind(on).fetch_one(pool).await
    })?)
}

/// A request as a review's agenda reads it: id, title, wire status, last change, requester.
pub type AgendaRequestRow = (i64, String, String, DateTime<Utc>, i64);

/// `$from, $from+1, …` for `n` bound values.
pub(super) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The department's requests its review agenda can show, in id order: every open one, and those
/// delivered or declined around the window `since..=until` (a day wider each side: the agenda's
/// own day test decides the edges). Both halves walk `requests_agenda_idx` (department, status,
/// last change), so the department's settled history is not read.
pub async fn agenda_requests(
    db: &Db,
    department: i64,
    since: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<AgendaRequestRow>> {
    use duet_core::reviews::agenda::{
        DECLINED_STATUSES, DELIVERED_STATUSES, OPEN_REQUEST_STATUSES,
    };
    let settled: Vec<&str> = DELIVERED_STATUSES
        .iter()
        .chain(DECLINED_STATUSES)
        .copied()
        .collect();
    let open = OPEN_REQUEST_STATUSES.len();
    let from_at = 2 + open + settled.len();
    // Only `$n` placeholders are formatted in; every status is bound.
    let sql = sqlx::AssertSqlSafe(format!(
        "select id, title, status, updated_at, requester_id from requests
         where department_id = $1 and status in ({})
         union all
         select id, title, status, updated_at, requester_id from requests
         where department_id = $1 and status in ({}) and updated_at >= ${from_at} and updated_at < ${}",
        placeholders(2, open),
        placeholders(2 + open, settled.len()),
        from_at + 1,
    ));
    let day = chrono::Duration::days(1);
    let from = (since - day).and_time(chrono::NaiveTime::MIN).and_utc();
    let to = (until + day + day)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let mut rows = on_db!(db, |pool| {
        let mut q = sqlx::query_as::<_, AgendaRequestRow>(sql).bind(department);
        for s in OPEN_REQUEST_STATUSES.iter().chain(&settled) {
            q = q.bind(*s);
        }
        q.bind(from).bind(to).fetch_all(pool).await
    })?;
    // Sorted here, not in SQL: an `order by id` makes SQLite walk the department's every request
    // in id order rather than the two short index ranges.
    rows.sort_by_key(|r| r.0);
    Ok(rows)
}

/// A promise between a department and IT as a review's agenda reads it: id, text, whether IT
/// made it, status, due day, closing day.
pub type AgendaPromiseRow = (i64, String, bool, String, NaiveDate, Option<NaiveDate>);

/// The promises between `department` and the IT department `it` its review agenda can show, in
/// id order: every open one (either direction), and those kept or broken in `since..=until`.
/// Each branch is one range of `promises_agenda_idx`, so closed promises outside the window are
/// not read.
pub async fn agenda_promises(
    db: &Db,
    department: i64,
    it: i64,
    since: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<AgendaPromiseRow>> {
    const SQL: &str = "select id, text, promisor_department_id, status, due_on, closed_on from promises
         where promisor_department_id = $1 and promisee_department_id = $2 and status = 'open'
         union all
         select id, text, promisor_department_id, status, due_on, closed_on from promises
         where promisor_department_id = $2 and promisee_department_id = $1 and status = 'open'
         union all
         select id, text, promisor_department_id, status, due_on, closed_on from promises
         where promisor_department_id = $1 and promisee_department_id = $2 and status in ('kept', 'broken')
           and closed_on >= $3 and closed_on <= $4
         union all
         select id, text, promisor_department_id, status, due_on, closed_on from promises
         where promisor_department_id = $2 and promisee_department_id = $1 and status in ('kept', 'broken')
           and closed_on >= $3 and closed_on <= $4";
    let rows: Vec<(i64, String, i64, String, NaiveDate, Option<NaiveDate>)> =
        on_db!(db, |pool| sqlx::query_as(SQL)
            .bind(department)
            .bind(it)
            .bind(since)
            .bind(until)
            .fetch_all(pool)
            .await)?;
    // Sorted here for the same reason as `agenda_requests`.
    let mut rows: Vec<AgendaPromiseRow> = rows
        .into_iter()
        .map(|(id, text, from, status, due, closed)| (id, text, from == it, status, due, closed))
        .collect();
    rows.sort_by_key(|r| r.0);
    Ok(rows)
}
