//! The searches behind the funding line: the LP relaxation (and its dual prices), the greedy
//! orders, and branch and bound.

#[allow(unused_imports)]
use super::*;

// --- LP relaxation -------------------------------------------------------------------------------

/// The LP relaxation's value (an upper bound on any selection) and its dual prices: `u` per minor
/// unit of budget and `v` per person-day.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lp {
    pub(super) value: f64,
    pub(super) u: f64,
    pub(super) v: f64,
}

/// Solves the two-constraint LP relaxation through its dual: for a price `v` per person-day the
/// problem is a one-constraint fractional knapsack with profits `s − v·d` (solved exactly, linear
/// time), plus `v × capacity`. That is convex in `v`, so a golden-section search finds its
/// minimum; every value evaluated is itself a valid upper bound, and the smallest is kept.
pub(super) fn lp_relaxation(items: &[Item], budget: i64, capacity: u64) -> Lp {
    let (bf, cf) = (budget as f64, capacity as f64);
    let mut buf: Vec<(f64, f64, f64)> = Vec::with_capacity(items.len());
    let mut eval = |v: f64| -> Lp {
        buf.clear();
        for it in items {
            let p = it.s - v * it.d as f64;
            if p > 0.0 {
                let w = it.c as f64;
                buf.push((p / w, w, p));
            }
        }
        let (value, u) = fractional_knapsack(&mut buf, bf);
        Lp {
            value: cf * v + value,
            u,
            v,
        }
    };
    let mut best = eval(0.0);
    let v_max = items
        .iter()
        .filter(|i| i.d > 0)
        .map(|i| i.s / i.d as f64)
        .fold(0.0, f64::max);
    if v_max > 0.0 {
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut lo, mut hi) = (0.0, v_max);
        let mut a = eval(hi - g * (hi - lo));
        let mut b = eval(lo + g * (hi - lo));
        for _ in 0..LP_STEPS {
            for x in [a, b] {
                if x.value < best.value {
                    best = x;
                }
            }
            if a.value <= b.value {
                hi = b.v;
                b = a;
                a = eval(hi - g * (hi - lo));
            } else {
                lo = a.v;
                a = b;
                b = eval(lo + g * (hi - lo));
            }
        }
        for x in [a, b] {
            if x.value < best.value {
                best = x;
            }
        }
    }
    best
}

/// Fractional knapsack over `(ratio, weight, profit)` with positive weights: the optimal value and
/// the ratio of the item cut at capacity (the dual price of capacity; 0 when everything fits).
/// Expected linear time by repeated median partitioning.
pub(super) fn fractional_knapsack(buf: &mut [(f64, f64, f64)], capacity: f64) -> (f64, f64) {
    let mut cap = capacity;
    let mut value = 0.0;
    let (mut lo, mut hi) = (0usize, buf.len());
    while lo < hi {
        let part = &mut buf[lo..hi];
        let m = part.len() / 2;
        part.select_nth_unstable_by(m, |x, y| y.0.total_cmp(&x.0));
        let (w_hi, p_hi) = part[..m]
            .iter()
            .fold((0.0, 0.0), |(w, p), x| (w + x.1, p + x.2));
        if w_hi > cap {
            hi = lo + m;
            continue;
        }
        value += p_hi;
        cap -= w_hi;
        let (r, w, p) = part[m];
        if w >= cap {
            return (value + p * (cap / w), r);
        }
        value += p;
        cap -= w;
        lo += m + 1;
    }
    (value, 0.0)
}

// --- Greedy ----------------------------------------------------------------------------------------

/// A greedy selection and what each item found left when its turn came.
pub(super) struct Greedy {
    pub(super) chosen: Vec<bool>,
    pub(super) total: f64,
    /// Budget and days left when each item's turn came.
    pub(super) left_at_turn: Vec<(i64, u64)>,
    /// How the items were ordered, as words for the explanation.
    pub(super) order: String,
}

pub(super) fn greedy(
    items: &[Item],
    budget: i64,
    capacity: u64,
    key: impl Fn(&Item) -> f64,
    order: String,
) -> Greedy {
    let keys: Vec<f64> = items.iter().map(key).collect();
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_unstable_by(|&a, &b| {
        keys[b]
            .total_cmp(&keys[a])
            .then(items[a].rank.cmp(&items[b].rank))
            .then(a.cmp(&b))
    });
    let mut chosen = vec![false; items.len()];
    let mut left_at_turn = vec![(0, 0); items.len()];
    let (mut rb, mut rd, mut total) = (budget, capacity, 0.0);
    for i in idx {
        let it = &items[i];
        left_at_turn[i] = (rb, rd);
        if it.c <= rb && it.d <= rd {
            chosen[i] = true;
            rb -= it.c;
            rd -= it.d;
            total += it.s;
        }
    }
    Greedy {
        chosen,
        total,
        left_at_turn,
        order,
    }
}

/// The best of three greedy orders: rank (the easiest to follow, preferred on ties), score per
/// resource priced by the LP's dual prices, and score per share of the two resources.
pub(super) fn best_greedy(items: &[Item], budget: i64, capacity: u64, lp: &Lp) -> Greedy {
    let by_rank = greedy(
        items,
        budget,
        capacity,
        |i| -f64::from(i.rank),
        "in rank order".into(),
    );
    let (u, v) = (lp.u, lp.v);
    let priced_order = if u > 0.0 && v > 0.0 {
        format!(
            "by score per unit of resource, with the LP relaxation's prices making one person-day \
             worth {} of IT budget",
            money((v / u).round() as i64)
        )
    } else if u > 0.0 {
        "by score per unit of IT budget (the budget is the binding limit)".into()
    } else {
        "by score per person-day (the capacity is the binding limit)".into()
    };
    let priced = greedy(
        items,
        budget,
        capacity,
        |i| {
            let price = u * i.c as f64 + v * i.d as f64;
            if price > 0.0 {
                i.s / price
            } else {
                f64::INFINITY
            }
        },
        priced_order,
    );
    let (bf, cf) = (budget as f64, capacity as f64);
    let shares = greedy(
        items,
        budget,
        capacity,
        |i| {
            let days = if cf > 0.0 { i.d as f64 / cf } else { 0.0 };
            i.s / (i.c as f64 / bf + days)
        },
        "by score per share of the budget and capacity used".into(),
    );
    let mut best = by_rank;
    for g in [priced, shares] {
        if g.total > best.total + EPS {
            best = g;
        }
    }
    best
}

/// Adds, in rank order, every left-out item that still fits, so a selection is never wasteful.
pub(super) fn fill(items: &[Item], mut chosen: Vec<bool>, budget: i64, capacity: u64) -> Vec<bool> {
    let (c, d) = used(items, &chosen);
    let (mut rb, mut rd) = (budget - c, capacity - d);
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by_key(|&i| items[i].rank);
    for i in idx {
        if !chosen[i] && items[i].c <= rb && items[i].d <= rd {
            chosen[i] = true;
            rb -= items[i].c;
            rd -= items[i].d;
        }
    }
    chosen
}

// --- Branch and bound --------------------------------------------------------------------------

pub(super) struct Search {
    /// Items in branching order: score, cost, days.
    pub(super) s: Vec<f64>,
    pub(super) c: Vec<i64>,
    pub(super) d: Vec<u64>,
    /// Branching positions sorted by score per unit of budget, per person-day, and by priced profit
    /// per unit of budget (with that profit).
    pub(super) by_budget: Vec<usize>,
    pub(super) by_days: Vec<usize>,
    pub(super) by_priced: Vec<(usize, f64)>,
    /// The LP's price of a person-day.
    pub(super) v: f64,
    pub(super) best: f64,
    pub(super) best_set: u64,
    pub(super) nodes: u64,
    pub(super) limit: u64,
    pub(super) stopped: bool,
}

pub(super) struct SearchResult {
    pub(super) chosen: Vec<bool>,
    pub(super) nodes: u64,
    pub(super) stopped: bool,
}

/// Exact 0/1 search for at most 64 items (the selection is a bit set), starting from the greedy
/// selection so that it only ever improves on it.
pub(super) fn branch_and_bound(
    items: &[Item],
    budget: i64,
    capacity: u64,
    lp: &Lp,
    start: &Greedy,
    limit: u64,
) -> SearchResult {
    let n = items.len().min(64);
    let (u, v) = (lp.u, lp.v);
    // Branch on the items most likely to be in the best selection first.
    let mut order: Vec<usize> = (0..n).collect();
    let density = |i: &Item| {
        let price = u * i.c as f64 + v * i.d as f64;
        if price > 0.0 {
            i.s / price
        } else {
            f64::INFINITY
        }
    };
    order.sort_by(|&a, &b| {
        density(&items[b])
            .total_cmp(&density(&items[a]))
            .then(items[a].rank.cmp(&items[b].rank))
    });
    let s: Vec<f64> = order.iter().map(|&i| items[i].s).collect();
    let c: Vec<i64> = order.iter().map(|&i| items[i].c).collect();
    let d: Vec<u64> = order.iter().map(|&i| items[i].d).collect();
    let mut by_budget: Vec<usize> = (0..n).collect();
    by_budget.sort_by(|&a, &b| (s[b] / c[b] as f64).total_cmp(&(s[a] / c[a] as f64)));
    let per_day = |k: usize| {
        if d[k] == 0 {
            f64::INFINITY
        } else {
            s[k] / d[k] as f64
        }
    };
    let mut by_days: Vec<usize> = (0..n).collect();
    by_days.sort_by(|&a, &b| per_day(b).total_cmp(&per_day(a)));
    let mut by_priced: Vec<(usize, f64)> = (0..n)
        .map(|k| (k, s[k] - v * d[k] as f64))
        .filter(|(_, p)| *p > 0.0)
        .collect();
    by_priced.sort_by(|a, b| (b.1 / c[b.0] as f64).total_cmp(&(a.1 / c[a.0] as f64)));

    let mut best_set = 0u64;
    for (k, &i) in order.iter().enumerate() {
        if start.chosen.get(i).copied().unwrap_or(false) {
            best_set |= 1 << k;
        }
    }
    let mut search = Search {
        s,
        c,
        d,
        by_budget,
        by_days,
        by_priced,
        v,
        best: start.total,
        best_set,
        nodes: 0,
        limit,
        stopped: false,
    };
    search.dfs(0, budget, capacity, 0.0, 0);

    let mut chosen = vec![false; items.len()];
    for (k, &i) in order.iter().enumerate() {
        chosen[i] = search.best_set & (1 << k) != 0;
    }
    SearchResult {
        chosen,
        nodes: search.nodes,
        stopped: search.stopped,
    }
}

impl Search {
    pub(super) fn dfs(&mut self, k: usize, rb: i64, rd: u64, cur: f64, set: u64) {
        if self.stopped {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.limit {
            self.stopped = true;
            return;
        }
        if cur > self.best + EPS {
            self.best = cur;
            self.best_set = set;
        }
        if k == self.s.len() || cur + self.bound(k, rb, rd) <= self.best + EPS {
            return;
        }
        if self.c[k] <= rb && self.d[k] <= rd {
            self.dfs(
                k + 1,
                rb - self.c[k],
                rd - self.d[k],
                cur + self.s[k],
                set | (1 << k),
            );
        }
        self.dfs(k + 1, rb, rd, cur, set);
    }

    /// An upper bound on what items from position `k` on can add within `rb` and `rd`: the
    /// smallest of the budget-only, days-only and priced LP relaxations.
    pub(super) fn bound(&self, k: usize, rb: i64, rd: u64) -> f64 {
        let fits = |i: usize| i >= k && self.c[i] <= rb && self.d[i] <= rd;
        let mut by_budget = 0.0;
        let mut cap = rb;
        for &i in &self.by_budget {
            if !fits(i) {
                continue;
            }
            if self.c[i] <= cap {
                cap -= self.c[i];
                by_budget += self.s[i];
            } else {
                by_budget += self.s[i] * cap as f64 / self.c[i] as f64;
                break;
            }
        }
        let mut by_days = 0.0;
        let mut cap = rd;
        for &i in &self.by_days {
            if !fits(i) {
                continue;
            }
            if self.d[i] <= cap {
                cap -= self.d[i];
                by_days += self.s[i];
            } else {
                by_days += self.s[i] * cap as f64 / self.d[i] as f64;
                break;
            }
        }
        let mut priced = self.v * rd as f64;
        let mut cap = rb;
        for &(i, p) in &self.by_priced {
            if !fits(i) {
                continue;
            }
            if self.c[i] <= cap {
                cap -= self.c[i];
                priced += p;
            } else {
                priced += p * cap as f64 / self.c[i] as f64;
                break;
            }
        }
        by_budget.min(by_days).min(priced)
    }
}
