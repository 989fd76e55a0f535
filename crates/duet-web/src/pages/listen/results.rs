//! A campaign's results page, its CSV and heatmaps: rows built by pure functions from the released view.

use super::*;

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ResultsQuery {
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    department: Option<i64>,
    /// The first comment shown (comments are paged, [`COMMENTS_PER_PAGE`] at a time).
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    comments_from: Option<i64>,
}

/// Comments shown per results page: a campaign's slice can hold hundreds, and the page must not
/// grow with them (the API and the CSV carry them all).
pub(super) const COMMENTS_PER_PAGE: usize = 100;

/// Paging of a results page's comments (numbers for people: from 1).
pub(super) struct CommentsPager {
    from: usize,
    to: usize,
    total: usize,
    previous: Option<usize>,
    next: Option<usize>,
}

/// A row of the section table.
pub(super) struct SectionRow {
    title: String,
    cell: Option<Cell>,
    alpha: Option<f64>,
    alpha_n: Option<u32>,
}

/// A row of the item table.
pub(super) struct ItemRow {
    prompt: String,
    context: String,
    cell: Option<Cell>,
    bars: Vec<(String, u32, u32)>,
    dont_know: Option<u32>,
}

/// A row of the gap table.
pub(super) struct GapRow {
    title: String,
    today: Option<Cell>,
    tomorrow: Option<Cell>,
    gap: Option<f64>,
}

#[derive(Template)]
#[template(path = "listen/results.html")]
pub(super) struct ResultsPage<'a> {
    layout: Layout,
    view: &'a ResultsView,
    title: String,
    department: Option<i64>,
    departments: Vec<Choice>,
    department_map: &'a str,
    level_map: &'a str,
    sections: Vec<SectionRow>,
    section_titles: Vec<String>,
    items: Vec<ItemRow>,
    gaps: Vec<GapRow>,
    trend: Vec<(String, Option<u32>, Vec<Option<f64>>)>,
    comments: Vec<(String, String)>,
    /// Where this page of comments sits among them all.
    comments_pager: CommentsPager,
    participation: Vec<svc::ParticipationView>,
    /// Invited departments whose population changed while the campaign ran (issue 10).
    population_changes: Vec<store::PopulationChange>,
    /// Names of the departments held back across campaigns.
    held_back: Vec<String>,
}

pub(super) fn heatmaps(
    def: &Definition,
    r: &Results,
    names: &HashMap<i64, String>,
) -> (String, String) {
    // Today and Tomorrow are columns of their own: never one mixed mean.
    let columns: Vec<String> = r.columns.iter().map(|c| c.title(def)).collect();
    let rows: Vec<String> = r
        .by_department
        .iter()
        .map(|d| {
            names
                .get(&d.department)
                .cloned()
                .unwrap_or_else(|| format!("#{}", d.department))
        })
        .collect();
    let cells: Vec<Vec<Option<Cell>>> = r.by_department.iter().map(|d| d.cells.clone()).collect();
    let dept = if rows.is_empty() {
        String::new()
    } else {
        heatmap::svg(&Heatmap {
            title: "Department × section (mean, 1–5; Today and Tomorrow apart)",
            rows: &rows,
            columns: &columns,
            cells: &cells,
            k: r.k,
        })
    };
    let lrows: Vec<String> = r
        .by_level
        .iter()
        .map(|l| l.level.label().to_string())
        .collect();
    let lcells: Vec<Vec<Option<Cell>>> = r.by_level.iter().map(|l| l.cells.clone()).collect();
    let level = if lrows.is_empty() {
        String::new()
    } else {
        heatmap::svg(&Heatmap {
            title: "Level × section (mean, 1–5; Today and Tomorrow apart)",
            rows: &lrows,
            columns: &columns,
            cells: &lcells,
            k: r.k,
        })
    };
    (dept, level)
}

/// A section's title, or its code when the instrument has no such section.
pub(super) fn section_title(def: &Definition, code: &str) -> String {
    def.section(code)
        .map(|s| s.title.clone())
        .unwrap_or_else(|| code.to_string())
}

/// The section table. A section pairing Today and Tomorrow (the five questions) has no one mean:
/// it is shown in the Today-versus-Tomorrow table, side by side with its gap, and never here.
pub(super) fn section_rows(def: &Definition, r: &Results) -> Vec<SectionRow> {
    r.sections
        .iter()
        .filter(|s| !duet_core::listen::results::is_paired(def, &s.section))
        .map(|s| SectionRow {
            title: section_title(def, &s.section),
            cell: s.cell,
            alpha: s.alpha,
            alpha_n: s.alpha_n,
        })
        .collect()
}

/// The item table: each statement's cell (already through the anonymity rules) and, where shown,
/// its distribution as bars.
pub(super) fn item_rows(def: &Definition, r: &Results) -> Vec<ItemRow> {
    def.items
        .iter()
        .zip(&r.items)
        .map(|(i, res)| {
            let total: u32 = res
                .distribution
                .map(|d| d.iter().sum::<u32>())
                .unwrap_or(0)
                .max(1);
            ItemRow {
                prompt: i.prompt.clone(),
                context: i
                    .context_label()
                    .map(str::to_string)
                    .unwrap_or_else(|| section_title(def, &i.section)),
                cell: res.cell,
                bars: res
                    .distribution
                    .map(|d| {
                        i.scale
                            .iter()
                            .zip(d)
                            .map(|(label, n)| (label.clone(), n, n * 100 / total))
                            .collect()
                    })
                    .unwrap_or_default(),
                dont_know: res.dont_know,
            }
        })
        .collect()
}

/// The Today-versus-Tomorrow table.
pub(super) fn gap_rows(def: &Definition, r: &Results) -> Vec<GapRow> {
    r.gaps
        .iter()
        .map(|g| GapRow {
            title: section_title(def, &g.section),
            today: g.today,
            tomorrow: g.tomorrow,
            gap: g.gap,
        })
        .collect()
}

/// Earlier comparable campaigns, one row each, per column of this campaign's instrument.
pub(super) fn trend_rows(
    view: &ResultsView,
    r: &Results,
) -> Vec<(String, Option<u32>, Vec<Option<f64>>)> {
    view.trend
        .iter()
        .map(|t| {
            (
                t.title.clone(),
                t.respondents,
                r.columns
                    .iter()
                    .map(|c| t.sections.get(&c.key()).copied().flatten())
                    .collect(),
            )
        })
        .collect()
}

/// One page of comments from `from` (0-based), with its pager.
pub(super) fn comments_page(
    def: &Definition,
    r: &Results,
    from: Option<i64>,
) -> (Vec<(String, String)>, CommentsPager) {
    let from = from
        .and_then(|f| usize::try_from(f).ok())
        .unwrap_or(0)
        .min(r.comments.len());
    let comments = r
        .comments
        .iter()
        .skip(from)
        .take(COMMENTS_PER_PAGE)
        .map(|c| (section_title(def, &c.key), c.text.clone()))
        .collect();
    let next = from + COMMENTS_PER_PAGE;
    let pager = CommentsPager {
        from: from + 1,
        to: (from + COMMENTS_PER_PAGE).min(r.comments.len()),
        total: r.comments.len(),
        previous: (from > 0).then(|| from.saturating_sub(COMMENTS_PER_PAGE)),
        next: (next < r.comments.len()).then_some(next),
    };
    (comments, pager)
}

pub(super) async fn show_results(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, PageError> {
    let shown = svc::results_view(&state.db, &state.listen, &who.actor(), id, q.department).await?;
    let (view, inst) = &*shown;
    let def = &inst.definition;
    let names = svc::cached_department_names(&state.db, &state.listen).await?;
    let participation = view.participation.clone();
    let r = &view.results;
    let maps = state
        .listen
        .heatmaps(id, q.department, || heatmaps(def, r, &names))
        .await;
    let (department_map, level_map) = (maps.0.as_str(), maps.1.as_str());
    let (comments, comments_pager) = comments_page(def, r, q.comments_from);
    let cur = q.department.map(|d| d.to_string()).unwrap_or_default();
    // Only departments whose results may be shown are offered: listing one whose results are
    // hidden would say someone there answered.
    let departments = Choice::list(
        view.departments.iter().map(|d| {
            let name = names.get(d).cloned().unwrap_or_else(|| format!("#{d}"));
            (d.to_string(), name)
        }),
        &cur,
    );
    let population_changes = view.population_changes.clone();
    let held_back = view
        .held_back
        .iter()
        .map(|d| names.get(d).cloned().unwrap_or_else(|| format!("#{d}")))
        .collect();
    Ok(render(ResultsPage {
        layout: Layout::new(&who, format!("Results · {}", view.campaign.title), "listen"),
        title: view.campaign.title.clone(),
        department: q.department,
        departments,
        department_map,
        level_map,
        sections: section_rows(def, r),
        section_titles: r.columns.iter().map(|c| c.title(def)).collect(),
        items: item_rows(def, r),
        gaps: gap_rows(def, r),
        trend: trend_rows(view, r),
        comments,
        comments_pager,
        participation,
        population_changes,
        held_back,
        view,
    }))
}

pub(super) async fn results_csv(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, PageError> {
    let csv = svc::results_csv(&state.db, &state.listen, &who.actor(), id, q.department).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"campaign-{id}-results.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

pub(super) async fn heatmap_svg(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, which)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let shown = svc::results_view(&state.db, &state.listen, &who.actor(), id, None).await?;
    let (view, inst) = &*shown;
    let names = svc::cached_department_names(&state.db, &state.listen).await?;
    let maps = state
        .listen
        .heatmaps(id, None, || {
            heatmaps(&inst.definition, &view.results, &names)
        })
        .await;
    let (dept, level) = (maps.0.clone(), maps.1.clone());
    let svg = match which.as_str() {
        "departments.svg" => dept,
        "levels.svg" => level,
        _ => return Err(PageError(AppError::NotFound("heatmap".into()))),
    };
    if svg.is_empty() {
        return Err(PageError(AppError::NotFound("heatmap".into())));
    }
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
