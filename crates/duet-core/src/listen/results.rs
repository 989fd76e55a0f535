//! Results: per-section, per-level and per-item aggregates of one instrument's responses, for the
//! whole organisation or one department, with every figure passed through the anonymity rules.
//!
//! Each aggregate is a *unit* (the respondents; each item; each section, column or level; each
//! section's complete cases for Cronbach's alpha). For every unit the contributing respondents are
//! counted per department over all departments present (one complete partition) and
//! [`visible_cells`] decides what may be shown. Nothing is ever computed for output from a hidden
//! cell, so no shown figure, and no difference of two shown figures, rests on fewer than `k`
//! people.
//!
//! Within one slice, figures rest on different people whenever someone answers "don't know", so
//! two more rules keep one figure from being subtracted from another (issue 10, classes 1 and 2):
//!
//! - **Items are the only atoms.** A section, column or level figure is the pooled mean of its
//!   items' ratings (every rating counts once), shown only when every one of its items is shown
//!   in that slice. It is then a function of shown item figures and adds nothing to them: no
//!   per-person weight (an "own mean" over the items one rated) that makes a "don't know" pattern
//!   identify someone, and no composite over a hidden item.
//! - **Cronbach's alpha** (not additive) is shown only when, for each of its items, the people who
//!   rated the item but are not complete cases are none or at least `k`.
//!
//! Across slices, each item's figures obey the partition rule, so an item's residual (the
//! organisation minus the shown departments) rests on none or at least `k` people too.

use super::anonymity::{MIN_K, Visibility, visible_cells_within};
use super::instruments::{Definition, Horizon, RelationshipLevel};
use std::collections::BTreeMap;

/// One stored response, as the aggregation sees it.
#[derive(Debug, Clone)]
pub struct Response {
    /// The respondent's department (the only thing known about who answered).
    pub department: i64,
    /// Per item, in item order: 1..=5, or none for "don't know".
    pub ratings: Vec<Option<u8>>,
    /// Comments and free-text answers, keyed by section or item code.
    pub texts: BTreeMap<String, String>,
}

/// One shown aggregate: how many respondents it rests on and their mean rating.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Cell {
    /// Respondents contributing to the mean.
    pub n: u32,
    /// Their mean rating, 1..=5.
    pub mean: f64,
}

/// One reported column of an instrument: a section, or, for a section asked both for Today and
/// for Tomorrow (the five questions), each horizon on its own. Today's and Tomorrow's ratings
/// answer different questions (how well it works, how much it matters), so no figure ever
/// averages them together.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Column {
    /// The section code.
    pub section: String,
    /// Today or Tomorrow for a paired section; none for a section reported as one.
    pub horizon: Option<Horizon>,
}

impl Column {
    /// A stable key: the section code, or `section.today` / `section.tomorrow`.
    pub fn key(&self) -> String {
        match self.horizon {
            None => self.section.clone(),
            Some(h) => format!("{}.{}", self.section, h.as_str()),
        }
    }

    /// A heading: the section's title, followed by the horizon for a paired section.
    pub fn title(&self, def: &Definition) -> String {
        let t = def
            .section(&self.section)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| self.section.clone());
        match self.horizon {
            None => t,
            Some(h) => format!("{t} · {}", h.label()),
        }
    }
}

/// Whether a section pairs Today and Tomorrow items (then it is never reported as one mean).
pub fn is_paired(def: &Definition, section: &str) -> bool {
    let has = |h: Horizon| {
        def.items
            .iter()
            .any(|it| it.section == section && it.horizon == Some(h))
    };
    has(Horizon::Today) && has(Horizon::Tomorrow)
}

/// The reported columns of an instrument, in section order (see [`Column`]).
pub fn columns(def: &Definition) -> Vec<Column> {
    let mut out = Vec::new();
    for s in &def.sections {
        if is_paired(def, &s.code) {
            for h in [Horizon::Today, Horizon::Tomorrow] {
                out.push(Column {
                    section: s.code.clone(),
                    horizon: Some(h),
                });
            }
        } else {
            out.push(Column {
                section: s.code.clone(),
                horizon: None,
            });
        }
    }
    out
}

/// The indexes of the items a column averages.
fn column_items(def: &Definition, c: &Column) -> Vec<usize> {
    def.items
        .iter()
        .enumerate()
        .filter(|(_, it)| {
            it.section == c.section && (c.horizon.is_none() || it.horizon == c.horizon)
        })
        .map(|(i, _)| i)
        .collect()
}

/// One department's figures, for comparing departments side by side.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DepartmentRow {
    /// The department id.
    pub department: i64,
    /// Its respondents; none when hidden.
    pub respondents: Option<u32>,
    /// Per column (`Results::columns`: Today and Tomorrow apart); none when hidden.
    pub cells: Vec<Option<Cell>>,
}

/// One relationship level's figures, to see whether trouble sits between departments, in
/// processes or between people.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LevelRow {
    /// The level.
    pub level: RelationshipLevel,
    /// Per column (`Results::columns`: Today and Tomorrow apart); none when hidden or not asked.
    pub cells: Vec<Option<Cell>>,
}

/// One item's figures, to find the single statement behind a section's score.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ItemResult {
    /// The item code.
    pub code: String,
    /// Mean of the numeric ratings; none when hidden.
    pub cell: Option<Cell>,
    /// How many answered 1, 2, 3, 4 and 5; shown only with the cell.
    pub distribution: Option<[u32; 5]>,
    /// How many answered "don't know"; shown only with the cell.
    pub dont_know: Option<u32>,
}

/// One section's figures, with the reliability of its items as a scale.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SectionResult {
    /// The section code.
    pub section: String,
    /// Pooled mean of every rating given to the section's items; none when hidden (or when any
    /// of its items is hidden in the slice), and none for a
    /// section pairing Today and Tomorrow, which are never averaged together (see `gaps`).
    pub cell: Option<Cell>,
    /// Cronbach's alpha over complete cases; none when hidden or not computable, and none for a
    /// paired section (Today and Tomorrow are not meant to agree).
    pub alpha: Option<f64>,
    /// The complete cases alpha rests on; none when hidden.
    pub alpha_n: Option<u32>,
}

/// The distance between Today and Tomorrow in one section, to show where to start.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Gap {
    /// The section code.
    pub section: String,
    /// The section's Today items; none when hidden.
    pub today: Option<Cell>,
    /// The section's Tomorrow items; none when hidden.
    pub tomorrow: Option<Cell>,
    /// Tomorrow's mean minus Today's (for the five questions: how much it matters minus how well
    /// it works); none unless both are shown.
    pub gap: Option<f64>,
}

/// One comment or free-text answer, without any trace of who wrote it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Comment {
    /// The section or item code it answers.
    pub key: String,
    /// The text.
    pub text: String,
}

/// Everything a results page or export shows for one slice.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Results {
    /// The anonymity threshold applied (never below the minimum).
    pub k: u32,
    /// The department filter: none = the whole organisation.
    pub department: Option<i64>,
    /// Respondents in the slice; none when hidden.
    pub respondents: Option<u32>,
    /// Per section of the slice, in section order.
    pub sections: Vec<SectionResult>,
    /// The reported columns: each section, with Today and Tomorrow apart where it pairs them.
    pub columns: Vec<Column>,
    /// The slice's mean per column; none when hidden.
    pub by_column: Vec<Option<Cell>>,
    /// Every department whose respondent count may be shown, by id; only without a department
    /// filter. Hidden departments have no row at all (a row would say someone there answered).
    pub by_department: Vec<DepartmentRow>,
    /// Per level the instrument uses, for the slice; empty if it uses none.
    pub by_level: Vec<LevelRow>,
    /// Per item of the slice, in item order.
    pub items: Vec<ItemResult>,
    /// Per section having both a Today and a Tomorrow item; empty otherwise.
    pub gaps: Vec<Gap>,
    /// The slice's texts, only when its respondent count is shown; sorted by (key, text) so the
    /// order reveals nothing about who wrote what.
    pub comments: Vec<Comment>,
}

/// The numeric rating of item `i`, ignoring "don't know" and anything out of range.
fn rating(r: &Response, i: usize) -> Option<f64> {
    match r.ratings.get(i) {
        Some(Some(v @ 1..=5)) => Some(f64::from(*v)),
        _ => None,
    }
}

/// Whether a respondent rated any of `items` (then they count in a composite's `n`).
fn rated_any(r: &Response, items: &[usize]) -> bool {
    items.iter().any(|&i| rating(r, i).is_some())
}

/// The pooled mean of every rating the given responses gave to `items`: each rating counts once,
/// so the figure is exactly the item figures combined (see the module doc), with `n` the people
/// who rated at least one of the items.
fn pooled<'r>(responses: impl Iterator<Item = &'r Response>, items: &[usize]) -> Option<Cell> {
    let (mut people, mut ratings, mut sum) = (0usize, 0usize, 0.0f64);
    for r in responses {
        let mut any = false;
        for &i in items {
            if let Some(v) = rating(r, i) {
                sum += v;
                ratings += 1;
                any = true;
            }
        }
        people += usize::from(any);
    }
    (ratings > 0).then(|| Cell {
        n: count(people),
        mean: sum / ratings as f64,
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The mean of the given values as a cell, if there is any.
fn cell_of(values: &[f64]) -> Option<Cell> {
    (!values.is_empty()).then(|| Cell {
        n: count(values.len()),
        mean: values.iter().sum::<f64>() / values.len() as f64,
    })
}

/// The departments present and which responses are in the slice.
struct Ctx<'a> {
    responses: &'a [Response],
    departments: Vec<i64>,
    group_of: Vec<usize>,
    k: u32,
    filter: Option<i64>,
    /// Departments whose respondent count may be shown (the only ones with any figure).
    allowed: Vec<bool>,
    /// Per item: which cells of "rated this item" may be shown (the atoms of every composite).
    items: Vec<Visibility>,
}

impl<'a> Ctx<'a> {
    fn new(
        responses: &'a [Response],
        k: u32,
        filter: Option<i64>,
        n_items: usize,
        released: Option<&Release>,
    ) -> Self {
        let mut departments: Vec<i64> = responses.iter().map(|r| r.department).collect();
        departments.sort_unstable();
        departments.dedup();
        let group_of = responses
            .iter()
            .map(|r| departments.partition_point(|d| *d < r.department))
            .collect();
        let mut ctx = Ctx {
            responses,
            departments,
            group_of,
            k,
            filter,
            allowed: Vec::new(),
            items: Vec::new(),
        };
        // Departments whose respondent count is hidden show no figure at all: any per-figure
        // count of theirs would give away how many of them answered. A release decided across
        // campaigns (`Release`) may hide more departments; they join the residual like any other.
        ctx.allowed = match released {
            None => vec![true; ctx.departments.len()],
            Some(rel) => ctx
                .departments
                .iter()
                .map(|d| rel.departments.contains(d))
                .collect(),
        };
        ctx.allowed = ctx.unit(&|_| true).groups;
        ctx.items = (0..n_items)
            .map(|i| ctx.unit(&|r| rating(r, i).is_some()))
            .collect();
        ctx
    }

    /// Visibility of the unit whose contributors are those with `contributes`.
    fn unit(&self, contributes: &dyn Fn(&Response) -> bool) -> Visibility {
        let mut counts = vec![0u32; self.departments.len()];
        for (r, &g) in self.responses.iter().zip(&self.group_of) {
            if contributes(r) {
                counts[g] = counts[g].saturating_add(1);
            }
        }
        visible_cells_within(&counts, self.k, &self.allowed)
    }

    /// Whether the slice's value of a unit may be shown.
    fn slice_visible(&self, v: &Visibility) -> bool {
        match self.filter {
            None => v.total,
            Some(d) => self
                .departments
                .binary_search(&d)
                .ok()
                .and_then(|g| v.groups.get(g).copied())
                .unwrap_or(false),
        }
    }

    /// The responses of the slice.
    fn slice(&self) -> impl Iterator<Item = &'a Response> + '_ {
        let filter = self.filter;
        self.responses
            .iter()
            .filter(move |r| filter.is_none_or(|d| r.department == d))
    }

    /// The responses of department group `g`.
    fn group(&self, g: usize) -> impl Iterator<Item = &'a Response> + '_ {
        self.responses
            .iter()
            .zip(&self.group_of)
            .filter(move |(_, gg)| **gg == g)
            .map(|(r, _)| r)
    }

    /// The slice's cell and each department's cell of the composite of `items` (a section,
    /// column or level): pooled, and shown only where the composite's own unit and every one of
    /// its item atoms are shown.
    fn mean_unit(&self, items: &[usize]) -> (Option<Cell>, Vec<Option<Cell>>) {
        let v = self.unit(&|r| rated_any(r, items));
        let atoms_in_slice = items
            .iter()
            .all(|&i| self.items.get(i).is_some_and(|a| self.slice_visible(a)));
        let slice = if atoms_in_slice && self.slice_visible(&v) {
            pooled(self.slice(), items)
        } else {
            None
        };
        let groups = (0..self.departments.len())
            .map(|g| {
                let shown = v.groups.get(g).copied().unwrap_or(false)
                    && items.iter().all(|&i| {
                        self.items
                            .get(i)
                            .and_then(|a| a.groups.get(g).copied())
                            .unwrap_or(false)
                    });
                if shown {
                    pooled(self.group(g), items)
                } else {
                    None
                }
            })
            .collect();
        (slice, groups)
    }
}

/// Aggregates `responses` to `def` for the whole organisation (`department` none) or one
/// department, showing only what the anonymity rules allow at threshold `k` (raised to the
/// minimum if lower).
pub fn compute(
    def: &Definition,
    responses: &[Response],
    k: u32,
    department: Option<i64>,
) -> Results {
    compute_released(def, responses, k, department, None)
}

/// What a campaign's release across campaigns allows (see `super::releases`): whether anything
/// may be shown, and which departments may be shown on their own.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Release {
    /// Whether the campaign's results may be shown at all.
    pub org: bool,
    /// The departments that may be shown on their own (the rest join the residual).
    pub departments: std::collections::BTreeSet<i64>,
}

/// `compute`, restricted by a release decided against earlier campaigns (none: no restriction).
pub fn compute_released(
    def: &Definition,
    responses: &[Response],
    k: u32,
    department: Option<i64>,
    released: Option<&Release>,
) -> Results {
    let k = k.max(MIN_K);
    // A campaign whose release is refused shows what a campaign without answers shows.
    let responses = match released {
        Some(r) if !r.org => &[][..],
        _ => responses,
    };
    let ctx = Ctx::new(responses, k, department, def.items.len(), released);
    let items_where = |f: &dyn Fn(&super::instruments::Item) -> bool| -> Vec<usize> {
        def.items
            .iter()
            .enumerate()
            .filter(|(_, it)| f(it))
            .map(|(i, _)| i)
            .collect()
    };

    let everyone = ctx.unit(&|_| true);
    let respondents = ctx
        .slice_visible(&everyone)
        .then(|| count(ctx.slice().count()));

    let columns = columns(def);
    let mut by_column = Vec::with_capacity(columns.len());
    let mut dept_cells: Vec<Vec<Option<Cell>>> = vec![Vec::new(); ctx.departments.len()];
    for c in &columns {
        let (cell, groups) = ctx.mean_unit(&column_items(def, c));
        by_column.push(cell);
        for (row, c) in dept_cells.iter_mut().zip(groups) {
            row.push(c);
        }
    }

    let mut sections = Vec::new();
    for s in &def.sections {
        if is_paired(def, &s.code) {
            sections.push(SectionResult {
                section: s.code.clone(),
                cell: None,
                alpha: None,
                alpha_n: None,
            });
            continue;
        }
        let idx = items_where(&|it| it.section == s.code);
        let cell = columns
            .iter()
            .position(|c| c.section == s.code)
            .and_then(|i| by_column.get(i).copied().flatten());
        let (alpha, alpha_n) = if idx.len() >= 2 {
            let complete = |r: &Response| idx.iter().all(|&i| rating(r, i).is_some());
            let v = ctx.unit(&complete);
            // Alpha is not additive: it may only rest on the same people as each of its items'
            // figures, or on people at least k fewer.
            let k_usize = k as usize;
            let apart = idx.iter().all(|&i| {
                let partial = ctx
                    .slice()
                    .filter(|r| rating(r, i).is_some() && !complete(r))
                    .count();
                partial == 0 || partial >= k_usize
            });
            if apart && ctx.slice_visible(&v) {
                let rows: Vec<Vec<f64>> = ctx
                    .slice()
                    .filter(|r| complete(r))
                    .map(|r| idx.iter().filter_map(|&i| rating(r, i)).collect())
                    .collect();
                (cronbach_alpha(&rows), Some(count(rows.len())))
            } else {
                (None, None)
            }
        } else {
            (None, None)
        };
        sections.push(SectionResult {
            section: s.code.clone(),
            cell,
            alpha,
            alpha_n,
        });
    }

    // Only departments whose respondent count is shown are listed at all: a row (even an empty
    // one) for a hidden department would say that someone there answered.
    let by_department = if department.is_none() {
        ctx.departments
            .iter()
            .zip(dept_cells)
            .enumerate()
            .filter(|(g, _)| everyone.groups.get(*g).copied().unwrap_or(false))
            .map(|(g, (&d, cells))| DepartmentRow {
                department: d,
                respondents: Some(count(ctx.group(g).count())),
                cells,
            })
            .collect()
    } else {
        Vec::new()
    };

    let by_level = def
        .levels()
        .into_iter()
        .map(|level| LevelRow {
            level,
            cells: columns
                .iter()
                .map(|c| {
                    let idx: Vec<usize> = column_items(def, c)
                        .into_iter()
                        .filter(|&i| def.items.get(i).is_some_and(|it| it.level == Some(level)))
                        .collect();
                    if idx.is_empty() {
                        None
                    } else {
                        ctx.mean_unit(&idx).0
                    }
                })
                .collect(),
        })
        .collect();

    let items = def
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let shown = ctx.items.get(i).is_some_and(|v| ctx.slice_visible(v));
            let vals: Vec<f64> = if shown {
                ctx.slice().filter_map(|r| rating(r, i)).collect()
            } else {
                Vec::new()
            };
            let cell = cell_of(&vals);
            let (distribution, dont_know) = if cell.is_some() {
                let mut dist = [0u32; 5];
                for v in &vals {
                    // Ratings are 1..=5 (see `rating`), so the index is 0..=4.
                    if let Some(slot) = dist.get_mut((*v as usize).saturating_sub(1)) {
                        *slot += 1;
                    }
                }
                let dk = ctx
                    .slice()
                    .filter(|r| matches!(r.ratings.get(i), Some(None)))
                    .count();
                (Some(dist), Some(count(dk)))
            } else {
                (None, None)
            };
            ItemResult {
                code: it.code.clone(),
                cell,
                distribution,
                dont_know,
            }
        })
        .collect();

    let mut gaps = Vec::new();
    for s in &def.sections {
        let today = items_where(&|it| it.section == s.code && it.horizon == Some(Horizon::Today));
        let tomorrow =
            items_where(&|it| it.section == s.code && it.horizon == Some(Horizon::Tomorrow));
        if today.is_empty() || tomorrow.is_empty() {
            continue;
        }
        let today = ctx.mean_unit(&today).0;
        let tomorrow = ctx.mean_unit(&tomorrow).0;
        let gap = match (today, tomorrow) {
            (Some(a), Some(b)) => Some(b.mean - a.mean),
            _ => None,
        };
        gaps.push(Gap {
            section: s.code.clone(),
            today,
            tomorrow,
            gap,
        });
    }

    let mut comments: Vec<Comment> = if respondents.is_some() {
        ctx.slice()
            .flat_map(|r| {
                r.texts.iter().map(|(key, text)| Comment {
                    key: key.clone(),
                    text: text.clone(),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    comments.sort_by(|a, b| (&a.key, &a.text).cmp(&(&b.key, &b.text)));

    Results {
        k,
        department,
        respondents,
        sections,
        columns,
        by_column,
        by_department,
        by_level,
        items,
        gaps,
        comments,
    }
}

/// Cronbach's alpha, the internal consistency of a section's items as one scale: whether the
/// section's mean means anything. `rows` = respondents, columns = items. None with fewer than two
/// items or rows, rows of different lengths, or zero total variance.
pub fn cronbach_alpha(rows: &[Vec<f64>]) -> Option<f64> {
    let n_items = rows.first()?.len();
    if n_items < 2 || rows.len() < 2 || rows.iter().any(|r| r.len() != n_items) {
        return None;
    }
    let variance = |xs: &[f64]| -> f64 {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64
    };
    let item_var: f64 = (0..n_items)
        .map(|j| variance(&rows.iter().map(|r| r[j]).collect::<Vec<_>>()))
        .sum();
    let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
    let total_var = variance(&totals);
    if total_var <= f64::EPSILON {
        return None;
    }
    let k = n_items as f64;
    Some(k / (k - 1.0) * (1.0 - item_var / total_var))
}

/// One CSV field, quoted when needed and with a leading `= + - @` (or tab/CR) defused by a single
/// quote, so opening the export in a spreadsheet never runs a formula someone typed as a title.
fn csv_field(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len() + 2);
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.push('\'');
    }
    s.push_str(raw);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The shown figures as CSV (`slice,department,section,level,horizon,item,respondents,mean,gap`),
/// one row per visible respondent count, section or column (Today and Tomorrow on rows of their
/// own, never averaged together), level and item cell, plus one `gap` row per paired section whose
/// Today and Tomorrow are both shown (tomorrow − today); hidden cells have no row at all.
pub fn to_csv(
    def: &Definition,
    results: &Results,
    department_name: &dyn Fn(i64) -> String,
) -> String {
    let mut out =
        String::from("slice,department,section,level,horizon,item,respondents,mean,gap\n");
    let mut row = |slice: &str,
                   dept: &str,
                   section: &str,
                   level: &str,
                   horizon: &str,
                   item: &str,
                   n: Option<u32>,
                   mean: Option<f64>,
                   gap: Option<f64>| {
        let mean = mean.map(|m| format!("{m:.2}")).unwrap_or_default();
        let gap = gap.map(|g| format!("{g:.2}")).unwrap_or_default();
        let n = n.map(|n| n.to_string()).unwrap_or_default();
        let fields = [slice, dept, section, level, horizon, item, &n, &mean, &gap];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    };
    let title = |code: &str| {
        def.section(code)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let horizon = |c: &Column| c.horizon.map(|h| h.label()).unwrap_or("");
    let (slice, dept) = match results.department {
        None => ("organisation", String::new()),
        Some(d) => ("department", department_name(d)),
    };
    if let Some(n) = results.respondents {
        row(slice, &dept, "", "", "", "", Some(n), None, None);
    }
    for (col, c) in results.columns.iter().zip(&results.by_column) {
        if let Some(c) = c {
            let h = horizon(col);
            row(
                slice,
                &dept,
                &title(&col.section),
                "",
                h,
                "",
                Some(c.n),
                Some(c.mean),
                None,
            );
        }
    }
    for g in &results.gaps {
        if let Some(x) = g.gap {
            row(
                slice,
                &dept,
                &title(&g.section),
                "",
                "gap",
                "",
                None,
                None,
                Some(x),
            );
        }
    }
    for l in &results.by_level {
        for (col, c) in results.columns.iter().zip(&l.cells) {
            if let Some(c) = c {
                let h = horizon(col);
                let t = title(&col.section);
                row(
                    slice,
                    &dept,
                    &t,
                    l.level.label(),
                    h,
                    "",
                    Some(c.n),
                    Some(c.mean),
                    None,
                );
            }
        }
    }
    for (it, r) in def.items.iter().zip(&results.items) {
        if let Some(c) = r.cell {
            let h = it.horizon.map(|h| h.label()).unwrap_or("");
            let t = title(&it.section);
            row(
                slice,
                &dept,
                &t,
                "",
                h,
                &r.code,
                Some(c.n),
                Some(c.mean),
                None,
            );
        }
    }
    for d in &results.by_department {
        let name = department_name(d.department);
        if let Some(n) = d.respondents {
            row("department", &name, "", "", "", "", Some(n), None, None);
        }
        for (col, c) in results.columns.iter().zip(&d.cells) {
            if let Some(c) = c {
                let h = horizon(col);
                let t = title(&col.section);
                row(
                    "department",
                    &name,
                    &t,
                    "",
                    h,
                    "",
                    Some(c.n),
                    Some(c.mean),
                    None,
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listen::instruments::custom;
    use proptest::prelude::*;

    fn resp(department: i64, ratings: &[Option<u8>]) -> Response {
        Response {
            department,
            ratings: ratings.to_vec(),
            texts: BTreeMap::new(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Section A has two items, B one.
    fn def() -> Definition {
        custom("Hand example", "", "A | one\nA | two\nB | three").unwrap()
    }

    fn hand() -> Vec<Response> {
        vec![
            resp(1, &[Some(1), Some(2), Some(5)]),
            resp(1, &[Some(2), Some(1), Some(4)]),
            resp(1, &[Some(3), Some(3), None]),
            resp(2, &[Some(4), Some(4), Some(2)]),
            resp(2, &[Some(5), Some(5), Some(2)]),
            resp(2, &[None, Some(4), Some(3)]),
        ]
    }

    #[test]
    fn a_figure_never_reveals_a_department_the_respondent_counts_hide() {
        // k = 5. Department 1: five people who rate everything. Department 2: two people who
        // answer "don't know" to the first item. The respondent split [5, 2] hides both
        // departments (complementary suppression), so no item figure may show department 1
        // either: its n = 5 would give away that department 2 has two people, both "don't know".
        let mut rs: Vec<Response> = (0..5)
            .map(|_| resp(1, &[Some(4), Some(4), Some(4)]))
            .collect();
        rs.push(resp(2, &[None, Some(2), Some(2)]));
        rs.push(resp(2, &[None, Some(2), Some(2)]));
        let r = compute(&def(), &rs, 5, Some(1));
        assert_eq!(r.respondents, None);
        assert!(
            r.items
                .iter()
                .all(|i| i.cell.is_none() && i.dont_know.is_none())
        );
        assert!(r.sections.iter().all(|s| s.cell.is_none()));
        let org = compute(&def(), &rs, 5, None);
        assert_eq!(org.respondents, Some(7));
        assert!(
            org.by_department
                .iter()
                .all(|d| d.respondents.is_none() && d.cells.iter().all(Option::is_none))
        );
    }

    #[test]
    fn alpha_matches_hand_computation() {
        // Item variances 1 and 1, totals 3,3,6 have variance 3: alpha = 2 * (1 - 2/3).
        let a = cronbach_alpha(&[vec![1.0, 2.0], vec![2.0, 1.0], vec![3.0, 3.0]]).unwrap();
        assert!(close(a, 2.0 / 3.0), "{a}");
        // Perfectly consistent items.
        let a = cronbach_alpha(&[vec![1.0, 1.0], vec![2.0, 2.0], vec![3.0, 3.0]]).unwrap();
        assert!(close(a, 1.0));
        assert_eq!(cronbach_alpha(&[]), None);
        assert_eq!(cronbach_alpha(&[vec![1.0, 2.0]]), None);
        assert_eq!(cronbach_alpha(&[vec![1.0], vec![2.0]]), None);
        assert_eq!(cronbach_alpha(&[vec![3.0, 3.0], vec![3.0, 3.0]]), None);
        assert_eq!(cronbach_alpha(&[vec![3.0, 3.0], vec![3.0]]), None);
    }

    #[test]
    fn hand_computed_example() {
        let r = compute(&def(), &hand(), 3, None);
        assert_eq!(r.k, 3);
        assert_eq!(r.respondents, Some(6));
        // Section A pools every rating of its items: 1+2+3+4+5 (item one, one "don't know")
        // and 2+1+3+4+5+4 (item two) over eleven ratings, from six people.
        let a = r.sections[0].cell.unwrap();
        assert_eq!(a.n, 6);
        assert!(close(a.mean, 34.0 / 11.0), "{}", a.mean);
        // Alpha would rest on five complete cases while item two rests on six: one person
        // apart, so it is not shown.
        assert_eq!(r.sections[0].alpha, None);
        assert_eq!(r.sections[0].alpha_n, None);
        // Section B: 5, 4 | 2, 2, 3 pooled over five ratings.
        let b = r.sections[1].cell.unwrap();
        assert_eq!(b.n, 5);
        assert!(close(b.mean, 3.2));
        assert_eq!(r.sections[1].alpha, None);
        // Both departments have three respondents, so both are listed, but item one (3 | 2)
        // and item three (2 | 3) are hidden per department (below k, then complementary
        // suppression), so no section figure may be shown for either department.
        assert_eq!(r.by_department.len(), 2);
        assert_eq!(r.by_department[0].respondents, Some(3));
        assert!(
            r.by_department
                .iter()
                .all(|d| d.cells.iter().all(Option::is_none))
        );
        // Item a.1: 1..5 once each, one don't know.
        let i = &r.items[0];
        assert_eq!(i.cell.unwrap().n, 5);
        assert!(close(i.cell.unwrap().mean, 3.0));
        assert_eq!(i.distribution, Some([1, 1, 1, 1, 1]));
        assert_eq!(i.dont_know, Some(1));
        assert!(r.by_level.is_empty() && r.gaps.is_empty());

        // One department: its respondents, but none of its sections (each has a hidden item).
        let f = compute(&def(), &hand(), 3, Some(1));
        assert_eq!(f.respondents, Some(3));
        assert!(f.by_department.is_empty());
        assert_eq!(f.sections[0].cell, None);
        assert_eq!(f.sections[1].cell, None);
        // Item a.1 counts 3 | 2: department 1 is suppressed so department 2 stays unknowable.
        assert_eq!(f.items[0].cell, None);
        assert_eq!(f.items[0].distribution, None);
        assert_eq!(f.items[0].dont_know, None);
        // Item a.2 counts 3 | 3: shown.
        assert_eq!(f.items[1].cell.map(|c| c.n), Some(3));
        assert_eq!(f.sections[0].alpha, None);
        // Unknown department: nothing.
        let g = compute(&def(), &hand(), 3, Some(99));
        assert_eq!(g.respondents, None);
        assert!(g.sections.iter().all(|s| s.cell.is_none()));
    }

    #[test]
    fn departments_below_k_are_hidden() {
        let mut rs = Vec::new();
        for (d, n) in [(10, 6), (20, 2), (30, 3)] {
            for _ in 0..n {
                rs.push(resp(d, &[Some(4), Some(4), Some(4)]));
            }
        }
        let r = compute(&def(), &rs, 5, None);
        assert_eq!(r.respondents, Some(11));
        let shown: Vec<_> = r.by_department.iter().map(|d| d.respondents).collect();
        // The hidden departments have no row at all, not even an empty one.
        assert_eq!(shown, [Some(6)]);
        assert_eq!(r.by_department[0].department, 10);
        let f = compute(&def(), &rs, 5, Some(20));
        assert_eq!(f.respondents, None);
        assert!(
            f.sections
                .iter()
                .all(|s| s.cell.is_none() && s.alpha_n.is_none())
        );
        assert!(f.items.iter().all(|i| i.cell.is_none()));
    }

    #[test]
    fn complementary_suppression_hides_the_department_that_would_reveal_another() {
        let mut rs = Vec::new();
        for _ in 0..7 {
            rs.push(resp(1, &[Some(5), Some(5), Some(5)]));
        }
        for _ in 0..2 {
            rs.push(resp(2, &[Some(1), Some(1), Some(1)]));
        }
        let r = compute(&def(), &rs, 5, None);
        assert_eq!(r.respondents, Some(9));
        assert!(r.sections[0].cell.is_some());
        assert!(r.by_department.iter().all(|d| d.respondents.is_none()));
        assert!(
            r.by_department
                .iter()
                .all(|d| d.cells.iter().all(Option::is_none))
        );
        assert_eq!(compute(&def(), &rs, 5, Some(1)).respondents, None);
    }

    #[test]
    fn comments_only_for_visible_slices_and_sorted() {
        let mut rs = Vec::new();
        for (i, d) in [1, 1, 1, 1, 1, 2, 2].into_iter().enumerate() {
            let mut r = resp(d, &[Some(3), Some(3), Some(3)]);
            r.texts.insert("a".into(), format!("comment {}", 9 - i));
            rs.push(r);
        }
        let r = compute(&def(), &rs, 5, None);
        assert_eq!(r.comments.len(), 7);
        assert_eq!(r.comments[0].text, "comment 3");
        assert_eq!(r.comments[6].text, "comment 9");
        assert!(compute(&def(), &rs, 5, Some(2)).comments.is_empty());
        // Department 1 (5) would reveal department 2 (2), so it is hidden too.
        assert!(compute(&def(), &rs, 5, Some(1)).comments.is_empty());
    }

    #[test]
    fn gaps_and_levels_use_horizons_and_levels() {
        let b = crate::listen::instruments::builtins();
        let five = &b[1].definition;
        let rs: Vec<Response> = (0..5)
            .map(|i| {
                let mut v = vec![Some(2u8); 10];
                v[1] = Some(4 + (i % 2) as u8);
                resp(1, &v)
            })
            .collect();
        let r = compute(five, &rs, 5, None);
        assert_eq!(r.gaps.len(), 5);
        assert!(close(r.gaps[0].gap.unwrap(), 4.4 - 2.0));
        assert!(r.gaps[1].gap.unwrap().abs() < 1e-9);
        let pulse = &b[0].definition;
        let rs: Vec<Response> = (0..5).map(|_| resp(1, &[Some(4); 36])).collect();
        let r = compute(pulse, &rs, 5, None);
        assert_eq!(r.by_level.len(), 3);
        assert!(
            r.by_level
                .iter()
                .all(|l| l.cells.len() == 4 && l.cells.iter().all(|c| c.is_some_and(|c| c.n == 5)))
        );
        assert_eq!(compute(pulse, &rs[..4], 5, None).by_level[0].cells[0], None);
    }

    #[test]
    fn five_questions_never_average_today_and_tomorrow() {
        let b = crate::listen::instruments::builtins();
        let five = &b[1].definition;
        // Today rated 2 everywhere; Tomorrow 4 or 5: a mixed mean would be 3.2 for question one.
        let rs: Vec<Response> = (0..10)
            .map(|i| {
                let mut v = vec![Some(2u8); 10];
                for t in (1..10).step_by(2) {
                    v[t] = Some(4 + (i % 2) as u8);
                }
                resp(1 + (i % 2) as i64, &v)
            })
            .collect();
        let r = compute(five, &rs, 5, None);
        assert!(
            r.sections
                .iter()
                .all(|s| s.cell.is_none() && s.alpha.is_none())
        );
        assert_eq!(r.columns.len(), 10);
        assert_eq!(r.columns[0].key(), "who.today");
        assert_eq!(r.columns[1].key(), "who.tomorrow");
        assert!(close(r.by_column[0].unwrap().mean, 2.0));
        assert!(close(r.by_column[1].unwrap().mean, 4.5));
        assert!(close(r.gaps[0].gap.unwrap(), 2.5));
        assert!(r.by_department.iter().all(|d| d.cells.len() == 10));
        assert!(close(r.by_department[0].cells[0].unwrap().mean, 2.0));
        assert!(close(r.by_department[0].cells[1].unwrap().mean, 4.0));
        let csv = to_csv(five, &r, &|_| "Sales".into());
        assert!(!csv.contains("3.25"), "a mixed mean leaked: {csv}");
        let who = &five.sections[0].title;
        assert!(
            csv.contains(&format!("organisation,,{who},,Today,,10,2.00,\n")),
            "{csv}"
        );
        assert!(
            csv.contains(&format!("organisation,,{who},,Tomorrow,,10,4.50,\n")),
            "{csv}"
        );
        assert!(
            csv.contains(&format!("organisation,,{who},,gap,,,,2.50\n")),
            "{csv}"
        );
        // The anonymity rules still apply per column: four people show nothing.
        let few = compute(five, &rs[..4], 5, None);
        assert!(few.by_column.iter().all(Option::is_none));
        assert!(few.gaps.iter().all(|g| g.gap.is_none()));
    }

    #[test]
    fn csv_lists_visible_cells_quoted_and_defused() {
        let d = custom(
            "Hand example",
            "",
            "=SUM(A1) | one\n=SUM(A1) | two\nB, \"quoted\" | three",
        )
        .unwrap();
        let r = compute(&d, &hand(), 3, None);
        let csv = to_csv(&d, &r, &|id| {
            if id == 1 {
                "@ops".into()
            } else {
                "Sales".into()
            }
        });
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "slice,department,section,level,horizon,item,respondents,mean,gap"
        );
        assert_eq!(lines[1], "organisation,,,,,,6,,");
        assert_eq!(lines[2], "organisation,,'=SUM(A1),,,,6,3.09,");
        assert_eq!(lines[3], "organisation,,\"B, \"\"quoted\"\"\",,,,5,3.20,");
        assert!(csv.contains("department,'@ops,,,,,3,,\n"));
        // Hidden cells (every section per department: an item of each is hidden there) have no row.
        assert!(!csv.contains("department,'@ops,'=SUM(A1)"));
        assert!(!csv.contains("department,Sales,\"B"));
        assert!(!csv.contains("department,'@ops,\"B"));
    }

    /// Everything a results page, the API and the CSV could show for a data set: the
    /// organisation and every department's slice.
    fn release_of(d: &Definition, rs: &[Response], k: u32) -> String {
        let mut out = serde_json::to_string(&compute(d, rs, k, None)).unwrap();
        let mut depts: Vec<i64> = rs.iter().map(|r| r.department).collect();
        depts.sort_unstable();
        depts.dedup();
        for dep in depts {
            out.push_str(&serde_json::to_string(&compute(d, rs, k, Some(dep))).unwrap());
        }
        out
    }

    /// Issue 10, class 1 (differencing inside one slice). One person, P, answers "don't know" to
    /// item one; with own-mean section figures, section total minus item totals gave P's own
    /// mean exactly. The attack: two worlds that differ only in how P and Q split their item-two
    /// ratings (P's own mean 2 in one, 5 in the other) must publish exactly the same figures, so
    /// nothing published can tell P's mean.
    #[test]
    fn a_dont_know_answerer_cannot_be_isolated_inside_one_slice() {
        let world = |p: u8, q: u8| {
            let mut rs = vec![
                resp(1, &[None, Some(p), Some(3)]),
                resp(1, &[Some(4), Some(q), Some(3)]),
            ];
            for v in [1u8, 2, 3, 4, 5, 3] {
                rs.push(resp(1, &[Some(v), Some(6 - v), Some(v)]));
            }
            rs
        };
        let (one, two) = (world(2, 5), world(5, 2));
        let r = compute(&def(), &one, 5, None);
        assert!(r.sections[0].cell.is_some(), "the section is still shown");
        assert!(r.items.iter().all(|i| i.cell.is_some()), "every item too");
        assert_eq!(release_of(&def(), &one, 5), release_of(&def(), &two, 5));
    }

    /// Issue 10, class 2 (differencing across figures of a hidden residual). Departments 20 (two
    /// people) and 30 (four) are hidden; the residual of six is shown only through the
    /// organisation minus department 10. P in department 20 answers "don't know" to item one.
    /// Swapping P's and R's (department 30) item-two ratings must publish the same figures.
    #[test]
    fn a_person_in_a_hidden_residual_cannot_be_isolated() {
        let world = |p: u8, r: u8| {
            let mut rs = Vec::new();
            for v in [1u8, 2, 3, 4, 5, 4] {
                rs.push(resp(10, &[Some(v), Some(v), Some(6 - v)]));
            }
            rs.push(resp(20, &[None, Some(p), Some(3)]));
            rs.push(resp(20, &[Some(2), Some(2), Some(2)]));
            rs.push(resp(30, &[Some(4), Some(r), Some(1)]));
            rs.push(resp(30, &[Some(5), Some(4), Some(4)]));
            rs.push(resp(30, &[Some(1), Some(3), Some(5)]));
            rs.push(resp(30, &[Some(2), Some(2), Some(4)]));
            rs
        };
        let (one, two) = (world(1, 5), world(5, 1));
        let r = compute(&def(), &one, 5, None);
        assert_eq!(r.by_department.len(), 1, "only department 10 is listed");
        assert!(r.by_department[0].cells.iter().all(Option::is_some));
        assert!(r.sections.iter().all(|s| s.cell.is_some()));
        assert_eq!(release_of(&def(), &one, 5), release_of(&def(), &two, 5));
    }

    proptest! {
        /// Every shown composite (column, level) is exactly its items' shown figures combined, so
        /// it adds nothing a subtraction could use; a composite over a hidden item is hidden.
        #[test]
        fn composites_are_their_shown_items_combined(
            rows in proptest::collection::vec((1i64..=4, proptest::collection::vec(proptest::option::of(1u8..=5), 3)), 0..40),
            k in 3u32..7,
        ) {
            let d = def();
            let rs: Vec<Response> = rows.iter().map(|(dep, r)| resp(*dep, r)).collect();
            let org = compute(&d, &rs, k, None);
            let mut slices = vec![(org.clone(), org.by_column.clone())];
            for row in &org.by_department {
                slices.push((compute(&d, &rs, k, Some(row.department)), row.cells.clone()));
            }
            for (slice, cells) in &slices {
                prop_assert_eq!(&slice.by_column, cells);
                for (col, cell) in slice.columns.iter().zip(&slice.by_column) {
                    let Some(cell) = cell else { continue };
                    let items: Vec<&ItemResult> = d.items.iter().zip(&slice.items)
                        .filter(|(it, _)| it.section == col.section)
                        .map(|(_, r)| r)
                        .collect();
                    prop_assert!(items.iter().all(|i| i.cell.is_some()));
                    let n: f64 = items.iter().map(|i| f64::from(i.cell.unwrap().n)).sum();
                    let sum: f64 = items.iter().map(|i| f64::from(i.cell.unwrap().n) * i.cell.unwrap().mean).sum();
                    prop_assert!(close(cell.mean, sum / n));
                }
            }
        }
    }

    fn residual_ok(total: u32, shown: u32, k: u32) -> bool {
        let r = total - shown;
        r == 0 || r >= k
    }

    proptest! {
        #[test]
        fn no_hidden_department_can_be_derived(
            rows in proptest::collection::vec((1i64..=5, proptest::collection::vec(proptest::option::of(1u8..=5), 3)), 0..40),
            k in 3u32..7,
        ) {
            let d = def();
            let rs: Vec<Response> = rows.iter().map(|(dep, r)| resp(*dep, r)).collect();
            let r = compute(&d, &rs, k, None);
            // Respondents.
            let shown: Vec<u32> = r.by_department.iter().filter_map(|d| d.respondents).collect();
            prop_assert!(shown.iter().all(|&n| n >= k));
            if let Some(t) = r.respondents {
                prop_assert!(residual_ok(t, shown.iter().sum(), k));
            } else {
                prop_assert!(shown.is_empty());
            }
            // Sections.
            for (s, sec) in r.sections.iter().enumerate() {
                let dept: Vec<u32> = r.by_department.iter().filter_map(|d| d.cells[s]).map(|c| c.n).collect();
                prop_assert!(dept.iter().all(|&n| n >= k));
                match sec.cell {
                    Some(c) => prop_assert!(residual_ok(c.n, dept.iter().sum(), k)),
                    None => prop_assert!(dept.is_empty()),
                }
            }
            // Per department slice, items and alpha too: the shown department values add up to
            // the organisation's minus nothing or at least k.
            let per_dept: Vec<Results> = r.by_department.iter().map(|row| compute(&d, &rs, k, Some(row.department))).collect();
            for (row, f) in r.by_department.iter().zip(&per_dept) {
                prop_assert_eq!(row.respondents, f.respondents);
                for (s, sec) in f.sections.iter().enumerate() {
                    prop_assert_eq!(row.cells[s].map(|c| c.n), sec.cell.map(|c| c.n));
                }
                if f.respondents.is_none() {
                    prop_assert!(f.comments.is_empty());
                }
            }
            for i in 0..d.items.len() {
                let dept: Vec<u32> = per_dept.iter().filter_map(|f| f.items[i].cell).map(|c| c.n).collect();
                prop_assert!(dept.iter().all(|&n| n >= k));
                match r.items[i].cell {
                    Some(c) => {
                        prop_assert!(residual_ok(c.n, dept.iter().sum(), k));
                        prop_assert_eq!(r.items[i].distribution.map(|d| d.iter().sum::<u32>()), Some(c.n));
                    }
                    None => {
                        prop_assert!(dept.is_empty());
                        prop_assert!(r.items[i].distribution.is_none() && r.items[i].dont_know.is_none());
                    }
                }
            }
            for s in 0..d.sections.len() {
                let dept: Vec<u32> = per_dept.iter().filter_map(|f| f.sections[s].alpha_n).collect();
                prop_assert!(dept.iter().all(|&n| n >= k));
                // The organisation's alpha may be withheld on its own (its items rest on people
                // it does not), which leaves nothing to subtract a department's from.
                if let Some(n) = r.sections[s].alpha_n {
                    prop_assert!(residual_ok(n, dept.iter().sum(), k));
                }
            }
        }
    }
}
