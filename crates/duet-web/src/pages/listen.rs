//! Listen pages: campaigns, answering them, results with heatmaps and trend, and instruments.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render, render_status};
use crate::pages::{done, form_errors};
use crate::service::listen::{
    self as svc, AnswerFields, CampaignFields, InstrumentFields, ResultsView,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::listen::campaigns::CampaignPhase;
use duet_core::listen::heatmap::{self, Heatmap};
use duet_core::listen::instruments::{Answers, Definition};
use duet_core::listen::results::{Cell, Results};
use duet_store::listen::{self as store, Campaign, Instrument, SubmitMode};
use std::collections::{BTreeMap, HashMap};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/listen", get(index))
        .route("/listen/campaigns", post(create_campaign))
        .route("/listen/campaigns/{id}", get(show_campaign))
        // Where sending answers leads: an anonymous route of its own (no log line, no metric,
        // no session write), so the page view right after answering dates nothing.
        .route("/listen/campaigns/{id}/thanks", get(show_campaign))
        .route("/listen/campaigns/{id}/respond", post(respond))
        .route("/listen/campaigns/{id}/results", get(show_results))
        .route("/listen/campaigns/{id}/results.csv", get(results_csv))
        .route("/listen/campaigns/{id}/heatmap/{which}", get(heatmap_svg))
        .route(
            "/listen/instruments",
            get(list_instruments).post(add_instrument),
        )
        .route("/listen/instruments/{id}", get(show_instrument))
}

/// A campaign row with the actor's own state.
struct CampaignRow {
    c: Campaign,
    phase: CampaignPhase,
    answered: bool,
}

#[derive(Template)]
#[template(path = "listen/index.html")]
struct IndexPage {
    layout: Layout,
    campaigns: Vec<CampaignRow>,
    can_manage: bool,
    instruments: Vec<Choice>,
    departments: Vec<(i64, String, bool)>,
    form: CampaignFields,
    errors: FormErrors,
}

async fn index_page(
    state: &AppState,
    who: &SignedIn,
    form: CampaignFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let today = chrono::Utc::now().date_naive();
    // One statement for what the reader answered, not one per campaign.
    let answered = match who.user.person_id {
        Some(p) => svc::answered(&state.db, &state.listen, p, who.user.id).await?,
        None => Default::default(),
    };
    let campaigns = svc::cached_campaigns(&state.db, &state.listen)
        .await?
        .iter()
        .cloned()
        .map(|c| CampaignRow {
            phase: c.phase(today),
            answered: answered.contains(&c.id),
            c,
        })
        .collect();
    // The campaign form (and what it offers) only for those who may use it. Titles and versions
    // only: no instrument definition is read for the form's choices.
    let can_manage = can(&who.actor(), Action::ManageCampaigns).is_ok();
    let (instruments, departments) = if can_manage {
        let cur = form
            .instrument_id
            .map(|i| i.to_string())
            .unwrap_or_default();
        let choices = svc::form_choices(&state.db, &state.listen).await?;
        let instruments = Choice::list(
            choices
                .0
                .iter()
                .map(|(id, title, version)| (id.to_string(), format!("{title} (v{version})"))),
            &cur,
        );
        let departments = choices
            .1
            .iter()
            .map(|(id, name)| (*id, name.clone(), form.departments.contains(id)))
            .collect();
        (instruments, departments)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(render_status(
        status,
        IndexPage {
            layout: Layout::new(who, "Listen", "listen"),
            campaigns,
            can_manage,
            instruments,
            departments,
            form,
            errors,
        },
    ))
}

async fn index(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    index_page(
        &state,
        &who,
        CampaignFields::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// Forms post repeated `departments` fields, which a struct cannot take directly.
fn campaign_fields(pairs: &[(String, String)]) -> CampaignFields {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    CampaignFields {
        instrument_id: get("instrument_id").trim().parse().ok(),
        title: get("title"),
        opens_on: get("opens_on"),
        closes_on: get("closes_on"),
        remind_on: get("remind_on"),
        departments: pairs
            .iter()
            .filter(|(n, _)| n == "departments")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        min_group: get("min_group"),
    }
}

async fn create_campaign(
    State(state): State<AppState>,
    who: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = campaign_fields(&pairs);
    match svc::create_campaign(&state.db, &who.actor(), &f).await {
        Ok(c) => {
            done(
                &state,
                &who,
                &format!("/listen/campaigns/{}", c.id),
                "Campaign created.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            index_page(&state, &who, f, errors, status).await
        }
    }
}

/// One item of the answer form, with its current value.
struct FormItem {
    code: String,
    prompt: String,
    context: String,
    options: Vec<(String, String, bool)>,
    free_text: Option<String>,
}

/// One section of the answer form.
struct FormSection {
    code: String,
    title: String,
    description: String,
    items: Vec<FormItem>,
    comment: Option<String>,
}

fn form_sections(
    def: &Definition,
    ratings: &BTreeMap<String, String>,
    texts: &BTreeMap<String, String>,
) -> Vec<FormSection> {
    def.sections
        .iter()
        .map(|s| FormSection {
            code: s.code.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            items: def
                .items
                .iter()
                .filter(|i| i.section == s.code)
                .map(|i| {
                    let cur = ratings.get(&i.code).map(String::as_str).unwrap_or("");
                    let mut options: Vec<(String, String, bool)> = i
                        .scale
                        .iter()
                        .enumerate()
                        .map(|(n, label)| {
                            let v = (n + 1).to_string();
                            let on = cur == v;
                            (v, label.clone(), on)
                        })
                        .collect();
                    if i.dont_know {
                        options.push(("dk".into(), "Don't know".into(), cur == "dk"));
                    }
                    let context = i.context_label().unwrap_or_default().to_string();
                    FormItem {
                        code: i.code.clone(),
                        prompt: i.prompt.clone(),
                        context,
                        options,
                        free_text: i
                            .free_text
                            .then(|| texts.get(&i.code).cloned().unwrap_or_default()),
                    }
                })
                .collect(),
            comment: def
                .section_comments
                .then(|| texts.get(&s.code).cloned().unwrap_or_default()),
        })
        .collect()
}

fn answers_as_form(
    def: &Definition,
    a: &Answers,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let ratings = def
        .items
        .iter()
        .zip(&a.ratings)
        .map(|(i, r)| {
            (
                i.code.clone(),
                r.map(|v| v.to_string()).unwrap_or_else(|| "dk".into()),
            )
        })
        .collect();
    (ratings, a.texts.clone())
}

#[derive(Template)]
#[template(path = "listen/campaign.html")]
struct CampaignPage {
    layout: Layout,
    c: Campaign,
    phase: CampaignPhase,
    instrument: Instrument,
    participation: Vec<svc::ParticipationView>,
    k: i64,
    invited: bool,
    answered: bool,
    /// Why this account may not answer or see answers here, shown instead of the form: its
    /// password or a token was set by someone else after the population was fixed.
    refused: Option<&'static str>,
    sections: Vec<FormSection>,
    errors: FormErrors,
}

async fn campaign_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    posted: Option<&AnswerFields>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let today = chrono::Utc::now().date_naive();
    let c = store::find_campaign(&state.db, id).await?;
    let instrument = store::find_instrument(&state.db, c.instrument_id).await?;
    // Population rule (issue 10): whether this account, for this person, may answer; an
    // account made or linked after opening is not told whether the person has answered.
    let (invited, answered) = match who.user.person_id {
        Some(p) => (
            store::is_invited(&state.db, id, p, who.user.id).await?,
            store::answered_as(&state.db, id, p, who.user.id).await?,
        ),
        None => (false, false),
    };
    // An account someone else set a password or token of since the population was fixed is told
    // so, and neither shown the form nor the person's answers.
    let refused = match who.user.person_id {
        Some(_) => store::credentials_borrowed(&state.db, id, who.user.id)
            .await?
            .then_some(store::BORROWED_CREDENTIALS),
        None => None,
    };
    let (ratings, texts) = match posted {
        Some(f) => (f.ratings.clone(), f.texts.clone()),
        None if refused.is_some() => Default::default(),
        None => match svc::own_answers(
            &state.db,
            &state.listen,
            who.user.person_id,
            who.user.id,
            &c,
            &instrument.definition,
        )
        .await?
        {
            Some(a) => answers_as_form(&instrument.definition, &a),
            None => Default::default(),
        },
    };
    let sections = form_sections(&instrument.definition, &ratings, &texts);
    Ok(render_status(
        status,
        CampaignPage {
            layout: Layout::new(who, c.title.clone(), "listen"),
            phase: c.phase(today),
            k: c.min_group,
            participation: svc::visible_participation(
                store::participation(&state.db, id).await?,
                c.min_group,
            )
            .0,
            c,
            instrument,
            invited,
            answered,
            refused,
            sections,
            errors,
        },
    ))
}

/// `/thanks?answered=new|changed`: where sending answers leads. The thank-you rides in the address,
/// not in a flash on the session, so sending answers writes nothing to the sender's session.
#[derive(Debug, Default, serde::Deserialize)]
struct AnsweredQuery {
    #[serde(default)]
    answered: String,
}

async fn show_campaign(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<AnsweredQuery>,
) -> Result<Response, PageError> {
    let mut who = who;
    if who.flash.is_none() {
        who.flash = match q.answered.as_str() {
            "new" => Some("Thank you. Your answers are recorded anonymously; you can change them until the campaign closes.".into()),
            "changed" => Some("Your answers were changed. They stay anonymous.".into()),
            _ => None,
        };
    }
    campaign_page(
        &state,
        &who,
        id,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// Splits `item.<code>` and `text.<key>` form fields into the answer maps.
fn answer_fields(pairs: &[(String, String)]) -> (AnswerFields, SubmitMode) {
    let mut f = AnswerFields::default();
    let mut mode = SubmitMode::New;
    for (k, v) in pairs {
        if let Some(code) = k.strip_prefix("item.") {
            f.ratings.insert(code.to_string(), v.clone());
        } else if let Some(key) = k.strip_prefix("text.") {
            f.texts.insert(key.to_string(), v.clone());
        } else if k == "mode" && v == "edit" {
            mode = SubmitMode::Edit;
        }
    }
    (f, mode)
}

async fn respond(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (f, mode) = answer_fields(&pairs);
    match svc::submit(
        &state.db,
        &state.listen,
        who.user.person_id,
        who.user.id,
        id,
        &f,
        mode,
    )
    .await
    {
        // No flash: leaving one would write to the sender's session at the moment they answered.
        Ok(()) => {
            let answered = if mode == SubmitMode::Edit {
                "changed"
            } else {
                "new"
            };
            Ok(axum::response::Redirect::to(&format!(
                "/listen/campaigns/{id}/thanks?answered={answered}"
            ))
            .into_response())
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            campaign_page(&state, &who, id, Some(&f), errors, status).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ResultsQuery {
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    department: Option<i64>,
    /// The first comment shown (comments are paged, [`COMMENTS_PER_PAGE`] at a time).
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    comments_from: Option<i64>,
}

/// Comments shown per results page: a campaign's slice can hold hundreds, and the page must not
/// grow with them (the API and the CSV carry them all).
const COMMENTS_PER_PAGE: usize = 100;

/// Paging of a results page's comments (numbers for people: from 1).
struct CommentsPager {
    from: usize,
    to: usize,
    total: usize,
    previous: Option<usize>,
    next: Option<usize>,
}

/// A row of the section table.
struct SectionRow {
    title: String,
    cell: Option<Cell>,
    alpha: Option<f64>,
    alpha_n: Option<u32>,
}

/// A row of the item table.
struct ItemRow {
    prompt: String,
    context: String,
    cell: Option<Cell>,
    bars: Vec<(String, u32, u32)>,
    dont_know: Option<u32>,
}

/// A row of the gap table.
struct GapRow {
    title: String,
    today: Option<Cell>,
    tomorrow: Option<Cell>,
    gap: Option<f64>,
}

#[derive(Template)]
#[template(path = "listen/results.html")]
struct ResultsPage<'a> {
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

fn heatmaps(def: &Definition, r: &Results, names: &HashMap<i64, String>) -> (String, String) {
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
fn section_title(def: &Definition, code: &str) -> String {
    def.section(code)
        .map(|s| s.title.clone())
        .unwrap_or_else(|| code.to_string())
}

/// The section table. A section pairing Today and Tomorrow (the five questions) has no one mean:
/// it is shown in the Today-versus-Tomorrow table, side by side with its gap, and never here.
fn section_rows(def: &Definition, r: &Results) -> Vec<SectionRow> {
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
fn item_rows(def: &Definition, r: &Results) -> Vec<ItemRow> {
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
fn gap_rows(def: &Definition, r: &Results) -> Vec<GapRow> {
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
fn trend_rows(view: &ResultsView, r: &Results) -> Vec<(String, Option<u32>, Vec<Option<f64>>)> {
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
fn comments_page(
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

async fn show_results(
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

async fn results_csv(
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

async fn heatmap_svg(
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

#[derive(Template)]
#[template(path = "listen/instruments.html")]
struct InstrumentsPage {
    layout: Layout,
    instruments: Vec<Instrument>,
    can_add: bool,
    form: InstrumentFields,
    errors: FormErrors,
}

async fn instruments_page(
    state: &AppState,
    who: &SignedIn,
    form: InstrumentFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    Ok(render_status(
        status,
        InstrumentsPage {
            layout: Layout::new(who, "Instruments", "listen"),
            instruments: store::list_instruments(&state.db).await?,
            can_add: can(&who.actor(), Action::ManageInstruments).is_ok(),
            form,
            errors,
        },
    ))
}

async fn list_instruments(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    instruments_page(
        &state,
        &who,
        InstrumentFields::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn add_instrument(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<InstrumentFields>,
) -> Result<Response, PageError> {
    match svc::add_instrument(&state.db, &who.actor(), &f).await {
        Ok(i) => {
            done(
                &state,
                &who,
                &format!("/listen/instruments/{}", i.id),
                "Instrument added.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            instruments_page(&state, &who, f, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "listen/instrument.html")]
struct InstrumentPage {
    layout: Layout,
    instrument: Instrument,
    sections: Vec<FormSection>,
}

async fn show_instrument(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let instrument = store::find_instrument(&state.db, id).await?;
    let sections = form_sections(&instrument.definition, &BTreeMap::new(), &BTreeMap::new());
    Ok(render(InstrumentPage {
        layout: Layout::new(&who, instrument.definition.title.clone(), "listen"),
        instrument,
        sections,
    }))
}
