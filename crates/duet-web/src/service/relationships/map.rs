//! The three levels between departments, drawn from what passed between them in the last 12
//! months: power dynamics of each pair with IT (who asks, who decides, how much is declined,
//! who sets the review agenda), the interaction map of every department pair (requests,
//! promises, reviews; business ↔ business too), the departments left in a silo, and the
//! overlaps where two departments ask for the same thing.

use crate::error::AppError;
use duet_core::org::DepartmentKind;
use duet_core::relationships::{self as rules, Band, SignalKind, interactions};
use std::collections::BTreeMap;

/// Who asks and who decides between IT and one department.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Power {
    /// Requests the department asked of IT.
    pub asked: u32,
    /// Of those, decided by IT (accepted or declined).
    pub decided: u32,
    /// Of those, declined.
    pub declined: u32,
    /// Declined of decided, in percent (null with none decided).
    pub declined_share: Option<f64>,
    /// Promises IT made to the department.
    pub promises_from_it: u32,
    /// Promises the department made to IT.
    pub promises_to_it: u32,
    /// Reviews held that someone of IT organised (set the agenda of).
    pub reviews_by_it: u32,
    /// Reviews held that someone of the department organised.
    pub reviews_by_them: u32,
    /// Requests of the department escalated to IT's leaders (declined, or undecided too long).
    pub escalated: u32,
    /// One sentence on the balance.
    pub summary: String,
}

/// One edge of the interaction map (unordered pair of departments).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Edge {
    /// One department.
    pub a: i64,
    /// The other.
    pub b: i64,
    /// Requests between them (asked of IT).
    pub requests: u32,
    /// Promises made either way.
    pub promises: u32,
    /// Reviews held.
    pub reviews: u32,
    /// All of it.
    pub volume: u32,
    /// The health of the pair: IT pairs by their index, others by trust both ways.
    pub band: Band,
}

/// A department on the map.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Node {
    /// Department id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Whether it is IT.
    pub it: bool,
    /// Everything that passed between it and the others.
    pub volume: u32,
    /// Whether it is in a silo (far less interaction than the median department).
    pub silo: bool,
}

/// Two requests of different departments asking for the same thing.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = RequestOverlap)]
pub struct Overlap {
    /// One request.
    pub a_request_id: i64,
    /// Its title.
    pub a_title: String,
    /// Its department's name.
    pub a_department: String,
    /// The other request.
    pub b_request_id: i64,
    /// Its title.
    pub b_title: String,
    /// Its department's name.
    pub b_department: String,
    /// The words they share.
    pub shared: Vec<String>,
}

/// The processes level across the organisation.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Interactions {
    /// Every active department.
    pub nodes: Vec<Node>,
    /// Every pair with something between them, busiest first.
    pub edges: Vec<Edge>,
    /// Requests of different departments asking for the same thing (at most 20).
    pub overlaps: Vec<Overlap>,
}

/// What the map and the power dynamics are drawn from.
pub(super) struct Drawn {
    /// The organisation's map.
    pub interactions: Interactions,
    /// Power dynamics per business department.
    pub power: BTreeMap<i64, Power>,
}

/// Reads the last 12 months' interactions and draws the map; `pair_band` gives each IT pair's
/// health, `trust` the trust score of each direction between two departments.
pub(super) async fn draw(
    db: &duet_store::Db,
    departments: &[duet_store::org::Department],
    since: chrono::DateTime<chrono::Utc>,
    pair_band: &(dyn Fn(i64) -> Band + Sync),
    trust: &(dyn Fn(i64, i64) -> (Option<f64>, u32) + Sync),
) -> Result<Drawn, AppError> {
    let raw = duet_store::relationships::interactions(db, since).await?;
    let it = departments
        .iter()
        .find(|d| d.kind == DepartmentKind::It)
        .map_or(0, |d| d.id);
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    let key = |a: i64, b: i64| (a.min(b), a.max(b));
    let mut edges: BTreeMap<(i64, i64), (u32, u32, u32)> = BTreeMap::new();
    let mut power: BTreeMap<i64, Power> = BTreeMap::new();
    for (d, asked, decided, declined) in &raw.requests {
        if *d == it {
            continue;
        }
        edges.entry(key(*d, it)).or_default().0 += count(*asked);
        let p = power.entry(*d).or_default();
        p.asked = count(*asked);
        p.decided = count(*decided);
        p.declined = count(*declined);
    }
    for (from, to, n) in &raw.promises {
        edges.entry(key(*from, *to)).or_default().1 += count(*n);
        if *from == it {
            power.entry(*to).or_default().promises_from_it += count(*n);
        } else if *to == it {
            power.entry(*from).or_default().promises_to_it += count(*n);
        }
    }
    for (d, held, by_it) in &raw.reviews {
        if *d == it {
            continue;
        }
        edges.entry(key(*d, it)).or_default().2 += count(*held);
        let p = power.entry(*d).or_default();
        p.reviews_by_it = count(*by_it);
        p.reviews_by_them = count(*held - *by_it);
    }
    for (d, n) in duet_store::requests::escalations(db, since).await? {
        if d != it {
            power.entry(d).or_default().escalated = count(n);
        }
    }
    for p in power.values_mut() {
        p.declined_share = rules::percent(p.declined, p.decided);
        p.summary = summary(p);
    }
    let known: BTreeMap<i64, &duet_store::org::Department> =
        departments.iter().map(|d| (d.id, d)).collect();
    let trust_t = rules::thresholds(SignalKind::TrustFromIt);
    let mut edges: Vec<Edge> = edges
        .into_iter()
        .filter(|((a, b), _)| known.contains_key(a) && known.contains_key(b))
        .map(|((a, b), (requests, promises, reviews))| {
            let band = if a == it || b == it {
                pair_band(if a == it { b } else { a })
            } else {
                // Business ↔ business: the weaker direction of trust.
                [trust(a, b), trust(b, a)]
                    .iter()
                    .map(|(v, n)| rules::band(*v, *n, &trust_t))
                    .min_by_key(|b| match b {
                        Band::Poor => 0,
                        Band::Concerning => 1,
                        Band::Healthy => 2,
                        Band::TooLittle => 3,
                    })
                    .unwrap_or(Band::TooLittle)
            };
            Edge {
                a,
                b,
                requests,
                promises,
                reviews,
                volume: requests + promises + reviews,
                band,
            }
        })
        .collect();
    edges.sort_by(|x, y| y.volume.cmp(&x.volume).then((x.a, x.b).cmp(&(y.a, y.b))));
    let volume = |d: i64| -> u32 {
        edges
            .iter()
            .filter(|e| e.a == d || e.b == d)
            .map(|e| e.volume)
            .sum()
    };
    let with_peers = |d: i64| -> u32 {
        edges
            .iter()
            .filter(|e| (e.a == d || e.b == d) && e.a != it && e.b != it)
            .map(|e| e.volume)
            .sum()
    };
    let business: Vec<(i64, u32, u32)> = departments
        .iter()
        .filter(|d| d.kind == DepartmentKind::Business)
        .map(|d| (d.id, volume(d.id), with_peers(d.id)))
        .collect();
    let silos = interactions::silos(&business);
    let nodes = departments
        .iter()
        .map(|d| Node {
            id: d.id,
            name: d.name.clone(),
            it: d.id == it,
            volume: volume(d.id),
            silo: silos.contains(&d.id),
        })
        .collect();
    let titles = duet_store::relationships::request_titles(db, since, 2000).await?;
    let list: Vec<(i64, &str)> = titles.iter().map(|(_, d, t)| (*d, t.as_str())).collect();
    let name = |d: i64| known.get(&d).map_or(String::new(), |x| x.name.clone());
    let overlaps = interactions::overlaps(&list, 20)
        .into_iter()
        .map(|o| {
            let (a, b) = (&titles[o.a], &titles[o.b]);
            Overlap {
                a_request_id: a.0,
                a_title: a.2.clone(),
                a_department: name(a.1),
                b_request_id: b.0,
                b_title: b.2.clone(),
                b_department: name(b.1),
                shared: o.shared,
            }
        })
        .collect();
    Ok(Drawn {
        interactions: Interactions {
            nodes,
            edges,
            overlaps,
        },
        power,
    })
}

/// The balance of a pair in one sentence.
fn summary(p: &Power) -> String {
    let mut parts = vec![format!(
        "They asked IT {} time(s); IT decided {} and declined {}",
        p.asked, p.decided, p.declined
    )];
    if let Some(s) = p.declined_share {
        parts[0].push_str(&format!(" ({s:.0} %)"));
    }
    if p.escalated > 0 {
        parts.push(format!(
            "they escalated {} request(s) to IT's leaders",
            p.escalated
        ));
    }
    parts.push(format!(
        "promises: {} from IT, {} to IT",
        p.promises_from_it, p.promises_to_it
    ));
    let held = p.reviews_by_it + p.reviews_by_them;
    if held > 0 {
        parts.push(format!(
            "IT set the agenda of {} of {held} review(s) held",
            p.reviews_by_it
        ));
    }
    format!("{}.", parts.join("; "))
}
