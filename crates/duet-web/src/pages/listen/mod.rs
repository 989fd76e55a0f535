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
    /// For an IT respondent to a survey about a department pair: the invited business
    /// departments to answer about (id, name, chosen), and whether naming one is required.
    about: Option<AboutChoices>,
    errors: FormErrors,
}

/// The departments an IT respondent may answer about (id, name, chosen), and whether naming one
/// is required.
type AboutChoices = (Vec<(i64, String, bool)>, bool);

/// What the answer form offers an IT respondent to name the department their answers are about
/// (see `instruments::about_rule`); none for anyone else or an instrument not about a pair.
async fn about_choices(
    state: &AppState,
    who: &SignedIn,
    c: &Campaign,
    chosen: Option<i64>,
) -> Result<Option<AboutChoices>, PageError> {
    use duet_core::listen::instruments::{AboutRule, about_rule};
    let rule = about_rule(&c.instrument_key, c.instrument_kind);
    let Some(mine) = who.user.department_id else {
        return Ok(None);
    };
    if rule == AboutRule::Never {
        return Ok(None);
    }
    let departments = duet_store::org::list_departments(&state.db, false).await?;
    let in_it = departments
        .iter()
        .any(|d| d.id == mine && d.kind == duet_core::org::DepartmentKind::It);
    if !in_it {
        return Ok(None);
    }
    let invited = store::campaign_departments(&state.db, c.id).await?;
    let options = departments
        .iter()
        .filter(|d| d.kind == duet_core::org::DepartmentKind::Business && invited.contains(&d.id))
        .map(|d| (d.id, d.name.clone(), chosen == Some(d.id)))
        .collect();
    Ok(Some((options, rule == AboutRule::Required)))
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
    let (ratings, texts, chosen) = match posted {
        Some(f) => (f.ratings.clone(), f.texts.clone(), f.about),
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
            Some(a) => {
                let (r, t) = answers_as_form(&instrument.definition, &a);
                (r, t, a.about)
            }
            None => Default::default(),
        },
    };
    let about = about_choices(state, who, &c, chosen).await?;
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
            about,
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
        } else if k == "about" && !v.trim().is_empty() {
            // Not a number: an id no department has, refused as "choose one of …".
            f.about = Some(v.trim().parse().unwrap_or(-1));
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

mod instruments;
mod results;
use instruments::*;
use results::*;
