//! Listing requests: one statement shape per combination of filters, each on its index.

use super::*;

/// Filters for request listings (hashable: the web layer keeps recent pages by filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RequestFilter {
    /// Only this lane.
    pub lane: Option<Lane>,
    /// Only open requests (waiting for understanding or a decision).
    pub open_only: bool,
    /// Only this requester's.
    pub requester: Option<i64>,
    /// Only this department's.
    pub department: Option<i64>,
    /// Title contains.
    pub q: Option<String>,
    /// Only those this executive champions.
    pub champion: Option<i64>,
    /// Only those in this status (the home page's "see all" links).
    pub status: Option<Status>,
}

/// The statuses still waiting for IT ([`Status::is_open`]), written exactly as the queue's partial
/// indexes (migration 0019) write them, so the planner can use those indexes.
pub(super) const OPEN_FILTER: &str =
    "q.status in ('submitted', 'understanding', 'need_confirmed', 'deferred')";

/// The queue's urgency rank (most urgent first), as the queue indexes of migration 0019 write it.
macro_rules! urgency_rank {
    ($alias:literal) => {
        concat!(
            "case ",
            $alias,
            ".urgency when 'critical' then 0 when 'high' then 1 when 'normal' then 2 else 3 end"
        )
    };
}

/// The filters of a listing, in the order their values are bound; `None` marks the one without a
/// value (open only).
pub(super) const LIST_FILTERS: [Option<&str>; 7] = [
    Some("q.lane = "),
    None,
    Some("q.requester_id = "),
    Some("q.department_id = "),
    Some("lower(q.title) like "),
    Some("q.champion_id = "),
    Some("q.status = "),
];

/// Bit of [`LIST_FILTERS`] for the lane.
pub(super) const LANE_BIT: usize = 0;
/// Bit of [`LIST_FILTERS`] for "open only", which also switches to the queue order.
pub(super) const OPEN_BIT: usize = 1;

/// The two statements of one listing shape.
pub(super) struct ListSql {
    /// The page: its ids are paged on the index that matches the filter and sort, and only those
    /// rows are then joined to the names a page shows.
    page: String,
    /// The total: a count over the same index.
    count: String,
}

/// One [`ListSql`] per combination of filters present (bit i set when `LIST_FILTERS[i]` applies),
/// built once from the fixed fragments above: the SQL text depends only on which filters apply,
/// never on their values, which are always bound. Each shape has no `$n is null or …` term and no
/// computed sort, so every one gets a plan that uses its index, on PostgreSQL generic or not.
pub(super) static LIST_SQL: std::sync::LazyLock<Vec<ListSql>> =
    std::sync::LazyLock::new(|| (0..1usize << LIST_FILTERS.len()).map(list_sql).collect());

/// The statements for one combination of filters (see [`LIST_SQL`]).
pub(super) fn list_sql(mask: usize) -> ListSql {
    let mut terms = Vec::new();
    let mut n = 0;
    for (bit, column) in LIST_FILTERS.iter().enumerate() {
        if mask & (1 << bit) == 0 {
            continue;
        }
        match column {
            Some(column) => {
                n += 1;
                terms.push(format!("{column}${n}"));
            }
            None => terms.push(OPEN_FILTER.to_string()),
        }
    }
    let filter = if terms.is_empty() {
        String::new()
    } else {
        format!("where {}", terms.join(" and "))
    };
    let (limit, offset) = (n + 1, n + 2);
    let (ids, order) = if mask & (1 << OPEN_BIT) == 0 {
        (
            format!(
                "select q.id from requests q {filter} order by q.id desc limit ${limit} offset ${offset}"
            ),
            "order by r.id desc",
        )
    } else if mask & (1 << LANE_BIT) != 0 {
        (
            format!(
                "select q.id from requests q {filter} order by {}, q.id limit ${limit} offset ${offset}",
                urgency_rank!("q")
            ),
            concat!("order by ", urgency_rank!("r"), ", r.id"),
        )
    } else {
        // The open requests of both lanes: each lane's queue index gives its first
        // offset + limit rows in order, and only those are merged.
        let lane = |lane: &str| {
            format!(
                "select * from (select q.id, {} as k from requests q {filter} and q.lane = '{lane}'
                 order by k, q.id limit ${limit} + ${offset}) as {lane}",
                urgency_rank!("q")
            )
        };
        (
            format!(
                "select id from ({} union all {}) as both_lanes order by k, id limit ${limit} offset ${offset}",
                lane(Lane::Service.as_str()),
                lane(Lane::Portfolio.as_str())
            ),
            concat!("order by ", urgency_rank!("r"), ", r.id"),
        )
    };
    ListSql {
        page: format!("{} where r.id in ({ids}) {order}", request_sql!()),
        count: format!("select count(*) from requests q {filter}"),
    }
}

/// Lists requests: the service queue order (urgency, then first in first out) for open ones,
/// newest first otherwise.
pub async fn list_requests(db: &Db, f: &RequestFilter, page: PageRequest) -> Result<Page<Request>> {
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
    let lane = f.lane.map(|l| l.as_str());
    let status = f.status.map(|s| s.as_str());
    let present = [
        lane.is_some(),
        f.open_only,
        f.requester.is_some(),
        f.department.is_some(),
        q.is_some(),
        f.champion.is_some(),
        status.is_some(),
    ];
    let mask = present
        .iter()
        .enumerate()
        .fold(0, |m, (bit, on)| m | (usize::from(*on) << bit));
    let sql = &LIST_SQL[mask];
    // Binds the values present, in the order of `LIST_FILTERS`.
    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query;
            if let Some(v) = lane {
                query = query.bind(v);
            }
            if let Some(v) = f.requester {
                query = query.bind(v);
            }
            if let Some(v) = f.department {
                query = query.bind(v);
            }
            if let Some(v) = q.as_deref() {
                query = query.bind(v);
            }
            if let Some(v) = f.champion {
                query = query.bind(v);
            }
            if let Some(v) = status {
                query = query.bind(v);
            }
            query
        }};
    }
    let items = on_db!(db, |pool| bind_filters!(sqlx::query_as::<_, Request>(
        sql.page.as_str()
    ))
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(pool)
    .await?);
    let shown = i64::try_from(items.len()).unwrap_or(i64::MAX);
    // A page that is not full and not past the end is the last one: the total needs no count.
    let total = if shown < page.limit && (shown > 0 || page.offset == 0) {
        page.offset + shown
    } else {
        let (total,): (i64,) = on_db!(db, |pool| bind_filters!(sqlx::query_as(sql.count.as_str()))
            .fetch_one(pool)
            .await?);
        total
    };
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}
