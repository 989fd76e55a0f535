//! Why an item is below the funding line, in words that name what it would take.

#[allow(unused_imports)]
use super::*;

// --- Reasons -------------------------------------------------------------------------------------

/// "needs X of IT budget; Y left <when>" and/or the same for person-days.
pub(super) fn shortfall(it: &Item, rb: i64, rd: u64, when: &str) -> Option<String> {
    match (it.c > rb, it.d > rd) {
        (false, false) => None,
        (true, false) => Some(format!(
            "needs {} of IT budget; {} left {when}",
            money(it.c),
            money(rb)
        )),
        (false, true) => Some(format!(
            "needs {} person-days; {} left {when}",
            count(it.d),
            count(rd)
        )),
        (true, true) => Some(format!(
            "needs {} of IT budget and {} person-days; {} and {} person-days left {when}",
            money(it.c),
            count(it.d),
            money(rb),
            count(rd)
        )),
    }
}

pub(super) fn turn_reasons(items: &[Item], g: &Greedy) -> Vec<String> {
    items
        .iter()
        .zip(&g.left_at_turn)
        .map(|(it, &(rb, rd))| {
            shortfall(it, rb, rd, "when its turn came")
                .unwrap_or_else(|| "was passed over when its turn came".into())
        })
        .collect()
}

pub(super) fn leftover_reasons(
    items: &[Item],
    chosen: &[bool],
    budget: i64,
    capacity: u64,
) -> Vec<String> {
    let (c, d) = used(items, chosen);
    let (rb, rd) = (budget - c, capacity - d);
    items
        .iter()
        .map(|it| {
            shortfall(it, rb, rd, "after the funded items")
                .unwrap_or_else(|| "fits in what is left but was not selected".into())
        })
        .collect()
}

/// For each item the exact search left out: which funded items it would have to displace, and
/// that doing so would not raise the total (true because the selection is optimal).
pub(super) fn exact_reasons(
    items: &[Item],
    chosen: &[bool],
    budget: i64,
    capacity: u64,
) -> Vec<String> {
    let (c, d) = used(items, chosen);
    let (rb, rd) = (budget - c, capacity - d);
    let funded: Vec<usize> = (0..items.len()).filter(|&i| chosen[i]).collect();
    items
        .iter()
        .map(|it| {
            let need_b = (it.c - rb).max(0);
            let need_d = it.d.saturating_sub(rd);
            if need_b == 0 && need_d == 0 {
                return format!(
                    "fits in what is left, but its score ({}) is too small to change the total",
                    it.s
                );
            }
            let Some(drop) = displaced(items, &funded, need_b, need_d) else {
                return "left out by the exact optimisation: no selection that includes it scores \
                        higher"
                    .into();
            };
            let lost: f64 = drop.iter().map(|&i| items[i].s).sum();
            let names: Vec<String> = drop
                .iter()
                .map(|&i| format!("#{}", items[i].rank))
                .collect();
            let mut free = Vec::new();
            if need_b > 0 {
                free.push(format!("{} of IT budget", money(need_b)));
            }
            if need_d > 0 {
                free.push(format!("{} person-days", count(need_d)));
            }
            let effect = if lost - it.s > EPS {
                format!("lowers the total score by {}", f2(lost - it.s))
            } else {
                "does not raise the total score".into()
            };
            let together = if drop.len() > 1 { " together" } else { "" };
            format!(
                "left out by the exact optimisation: making room for it (score {}) needs {} \
                 more, and funding it instead of {} (score {}{together}) {effect}",
                f2(it.s),
                free.join(" and "),
                and_list(&names),
                f2(lost),
            )
        })
        .collect()
}

/// A small set of funded items whose removal frees at least `need_b` budget and `need_d` days,
/// losing little score: greedily drop the least score per share of the shortfall freed, then put
/// back whatever is not needed, highest score first.
pub(super) fn displaced(
    items: &[Item],
    funded: &[usize],
    need_b: i64,
    need_d: u64,
) -> Option<Vec<usize>> {
    let share = |i: usize| {
        let mut f = 0.0;
        if need_b > 0 {
            f += items[i].c.min(need_b) as f64 / need_b as f64;
        }
        if need_d > 0 {
            f += items[i].d.min(need_d) as f64 / need_d as f64;
        }
        f
    };
    let mut pool: Vec<(usize, f64)> = funded
        .iter()
        .map(|&i| (i, share(i)))
        .filter(|(_, f)| *f > 0.0)
        .collect();
    pool.sort_by(|a, b| {
        (items[a.0].s / a.1)
            .total_cmp(&(items[b.0].s / b.1))
            .then(items[a.0].rank.cmp(&items[b.0].rank))
    });
    let (mut got_b, mut got_d) = (0i64, 0u64);
    let mut drop = Vec::new();
    for (i, _) in pool {
        if got_b >= need_b && got_d >= need_d {
            break;
        }
        drop.push(i);
        got_b = got_b.saturating_add(items[i].c);
        got_d = got_d.saturating_add(items[i].d);
    }
    if got_b < need_b || got_d < need_d {
        return None;
    }
    drop.sort_by(|&a, &b| items[b].s.total_cmp(&items[a].s));
    let mut kept = Vec::with_capacity(drop.len());
    for i in drop {
        if got_b - items[i].c >= need_b && got_d.saturating_sub(items[i].d) >= need_d {
            got_b -= items[i].c;
            got_d -= items[i].d;
        } else {
            kept.push(i);
        }
    }
    kept.sort_by_key(|&i| items[i].rank);
    Some(kept)
}
