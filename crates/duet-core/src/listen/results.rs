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
    /// The business department an IT respondent answered about, if they named one.
    pub about: Option<i64>,
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
#[schema(as = CampaignComment)]
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

    let everyone = ctx.unit(&|_| true);
    let respondents = ctx
        .slice_visible(&everyone)
        .then(|| count(ctx.slice().count()));

    let columns = columns(def);
    let (by_column, dept_cells) = column_cells(def, &ctx, &columns);
    let sections = section_results(def, &ctx, k, &columns, &by_column);

    // Only departments whose respondent count is shown are listed at all: a row (even an empty
    // one) for a hidden department would say that someone there answered.
    let by_department = if department.is_none() {
        department_rows(&ctx, &everyone, dept_cells)
    } else {
        Vec::new()
    };

    let by_level = level_rows(def, &ctx, &columns);
    let items = item_results(def, &ctx);
    let gaps = section_gaps(def, &ctx);
    let comments = slice_comments(&ctx, respondents.is_some());

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

/// The answers respondents of department `from` gave about department `about` (IT's side of a
/// pair: what IT people said about one business department they named), under the same rules.
///
/// `from`'s respondents are split by the department they named (those who named none are one
/// more group, never shown) and `about`'s slice is computed as a department of that partition:
/// the whole is `from`'s own figure, so every figure of a named group obeys the k-threshold and
/// complementary suppression within `from`, and the residual against `from`'s figure rests on
/// none or at least `k` people. Nothing is shown unless `released` lets `from` be shown on its
/// own (with no release: `from` must itself reach `k`, which `compute` checks).
pub fn compute_about(
    def: &Definition,
    responses: &[Response],
    k: u32,
    from: i64,
    about: i64,
    released: Option<&Release>,
) -> Results {
    /// The group of those who named no department: never a real department id.
    const UNNAMED: i64 = i64::MIN;
    let allowed = released.is_none_or(|r| r.org && r.departments.contains(&from));
    let group: Vec<Response> = if allowed {
        responses
            .iter()
            .filter(|r| r.department == from)
            .map(|r| Response {
                department: r.about.filter(|a| *a != UNNAMED).unwrap_or(UNNAMED),
                about: None,
                ratings: r.ratings.clone(),
                texts: r.texts.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    compute(def, &group, k, Some(about))
}

/// The indexes of the items matching `f`, in item order, so each figure names its items once.
fn items_where(def: &Definition, f: impl Fn(&super::instruments::Item) -> bool) -> Vec<usize> {
    def.items
        .iter()
        .enumerate()
        .filter(|(_, it)| f(it))
        .map(|(i, _)| i)
        .collect()
}

/// The slice's cell per column and, per department group, its row of column cells, computed
/// together because each column's composite yields both at once.
fn column_cells(
    def: &Definition,
    ctx: &Ctx<'_>,
    columns: &[Column],
) -> (Vec<Option<Cell>>, Vec<Vec<Option<Cell>>>) {
    let mut by_column = Vec::with_capacity(columns.len());
    let mut dept_cells: Vec<Vec<Option<Cell>>> = vec![Vec::new(); ctx.departments.len()];
    for c in columns {
        let (cell, groups) = ctx.mean_unit(&column_items(def, c));
        by_column.push(cell);
        for (row, c) in dept_cells.iter_mut().zip(groups) {
            row.push(c);
        }
    }
    (by_column, dept_cells)
}

/// Per section, in section order: its column's cell and its alpha; a paired section shows
/// neither, since Today and Tomorrow are never averaged together.
fn section_results(
    def: &Definition,
    ctx: &Ctx<'_>,
    k: u32,
    columns: &[Column],
    by_column: &[Option<Cell>],
) -> Vec<SectionResult> {
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
        let idx = items_where(def, |it| it.section == s.code);
        let cell = columns
            .iter()
            .position(|c| c.section == s.code)
            .and_then(|i| by_column.get(i).copied().flatten());
        let (alpha, alpha_n) = if idx.len() >= 2 {
            section_alpha(ctx, k, &idx)
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
    sections
}

/// Cronbach's alpha over the slice's complete cases of `idx` and how many they are, only where
/// the alpha rule of the module doc lets it be shown.
fn section_alpha(ctx: &Ctx<'_>, k: u32, idx: &[usize]) -> (Option<f64>, Option<u32>) {
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
}

/// One row per department whose respondent count `everyone` shows, with its column cells; the
/// hidden departments get no row at all.
fn department_rows(
    ctx: &Ctx<'_>,
    everyone: &Visibility,
    dept_cells: Vec<Vec<Option<Cell>>>,
) -> Vec<DepartmentRow> {
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
}

/// Per level the instrument uses, the slice's cell of each column restricted to that level's
/// items (none where the column has no item at that level).
fn level_rows(def: &Definition, ctx: &Ctx<'_>, columns: &[Column]) -> Vec<LevelRow> {
    def.levels()
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
        .collect()
}

/// Per item, in item order, its figures in the slice (see [`item_result`]).
fn item_results(def: &Definition, ctx: &Ctx<'_>) -> Vec<ItemResult> {
    def.items
        .iter()
        .enumerate()
        .map(|(i, it)| item_result(ctx, i, &it.code))
        .collect()
}

/// Item `i`'s mean, distribution and "don't know" count in the slice, all shown only when its
/// atom is shown.
fn item_result(ctx: &Ctx<'_>, i: usize, code: &str) -> ItemResult {
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
        code: code.to_owned(),
        cell,
        distribution,
        dont_know,
    }
}

/// Per section having both Today and Tomorrow items, in section order: both cells and the gap
/// between them when both are shown.
fn section_gaps(def: &Definition, ctx: &Ctx<'_>) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for s in &def.sections {
        let today = items_where(def, |it| {
            it.section == s.code && it.horizon == Some(Horizon::Today)
        });
        let tomorrow = items_where(def, |it| {
            it.section == s.code && it.horizon == Some(Horizon::Tomorrow)
        });
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
    gaps
}

/// The slice's texts, only when its respondent count is `shown`, sorted by (key, text) so the
/// order reveals nothing about who wrote what.
fn slice_comments(ctx: &Ctx<'_>, shown: bool) -> Vec<Comment> {
    let mut comments: Vec<Comment> = if shown {
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
    comments
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

mod export;
pub use export::*;

#[cfg(test)]
mod tests;
