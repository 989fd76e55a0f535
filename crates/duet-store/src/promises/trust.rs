//! The trust ledger's events and windows, from which trust between departments is read.

use super::*;

/// Every trust-moving event, by department pair (from promisor to promisee).
pub async fn trust_events(db: &Db) -> Result<Vec<(i64, i64, TrustEvent)>> {
    let rows: Vec<(i64, i64, NaiveDate, String)> = on_db!(db, |pool| sqlx::query_as(
        "select p.promisor_department_id, p.promisee_department_id, e.on_date, e.kind
         from promise_events e join promises p on p.id = e.promise_id where e.kind <> 'made'",
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(from, to, on, kind)| {
            Some((
                from,
                to,
                TrustEvent {
                    on,
                    kind: trust_kind(&kind)?,
                },
            ))
        })
        .collect())
}

/// A stored event kind as the trust score sees it (`made` moves no trust).
pub(super) fn trust_kind(kind: &str) -> Option<TrustEventKind> {
    Some(match kind {
        "kept_on_time" => TrustEventKind::KeptOnTime,
        "kept_late" => TrustEventKind::KeptLate,
        "broken" => TrustEventKind::Broken,
        "renegotiated" => TrustEventKind::Renegotiated,
        _ => return None,
    })
}

/// What the trust scores need, read without the whole history: every department pair and
/// direction that has any trust-moving event, with how many it has had in all (kept per write
/// in `trust_pair_events` by a trigger, so the events before `since` are counted as that total
/// less the window's, never read), and the events on or after `since`, by pair. With `pair`,
/// only that pair. The window's events are found through `promise_events_day_idx`, so the rows
/// read stay those of the window as history grows.
#[allow(clippy::type_complexity)]
pub async fn trust_window(
    db: &Db,
    since: NaiveDate,
    pair: Option<(i64, i64)>,
) -> Result<(Vec<(i64, i64, i64)>, Vec<(i64, i64, TrustEvent)>)> {
    let (from, to) = pair.map_or((None, None), |(f, t)| (Some(f), Some(t)));
    let (pairs, rows): (Vec<(i64, i64, i64)>, Vec<(i64, i64, NaiveDate, String)>) = on_db!(
        db,
        |pool| {
            let pairs = sqlx::query_as(
            "select promisor_department_id, promisee_department_id, events from trust_pair_events
             where events > 0 and ($1 is null or promisor_department_id = $1) and ($2 is null or promisee_department_id = $2)",
        ).bind(from).bind(to).fetch_all(pool).await?;
            let rows = sqlx::query_as(
            "select p.promisor_department_id, p.promisee_department_id, e.on_date, e.kind
             from promise_events e join promises p on p.id = e.promise_id
             where e.on_date >= $1 and e.kind <> 'made' and ($2 is null or p.promisor_department_id = $2) and ($3 is null or p.promisee_department_id = $3)",
        ).bind(since).bind(from).bind(to).fetch_all(pool).await?;
            (pairs, rows)
        }
    );
    let events = rows
        .into_iter()
        .filter_map(|(from, to, on, kind)| {
            Some((
                from,
                to,
                TrustEvent {
                    on,
                    kind: trust_kind(&kind)?,
                },
            ))
        })
        .collect();
    Ok((pairs, events))
}
