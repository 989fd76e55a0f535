//! Portfolio pages: the ranked portfolio with its funding line, its weights and settings, the
//! business goals items are scored against, and the CSV export.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render_status};
use crate::pages::requests::{choices, readable};
use crate::pages::{done, form_errors};
use crate::service::portfolio::{
    self as pf, GoalFields, PortfolioView, SettingsFields, WeightFields,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::requests::Status;
use std::sync::Arc;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portfolio", get(show_portfolio))
        .route("/portfolio/export.csv", get(export_portfolio))
        .route("/portfolio/weights", post(set_weights))
        .route("/portfolio/settings", post(set_settings))
        .route("/portfolio/goals", post(add_goal))
        .route("/portfolio/goals/{id}/archive", post(archive_goal))
}

#[derive(Debug, Default, serde::Deserialize)]
struct PortfolioQuery {
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    offset: Option<i64>,
    #[serde(flatten)]
    filter: pf::PortfolioFilter,
}

/// One ranked item's row of the portfolio table.
#[derive(Template)]
#[template(path = "portfolio/row.html")]
struct PortfolioRow<'a> {
    i: &'a pf::RankedItem,
    /// Whether the viewer may open the item's request.
    open: bool,
}

/// The portfolio table's rows as HTML, kept per ranking revision, item and whether the viewer
/// may open it: a row (its score terms, money and explanations) costs as much to render as a
/// query, and fifty of them were most of the page's time (issue 11). The ranking of a revision
/// never changes, so a kept row is exact.
#[derive(Default)]
pub struct PortfolioRows(crate::service::bounded::Bounded<(i64, i64, bool), Arc<str>, 4096>);

impl PortfolioRows {
    fn row(&self, revision: i64, item: &pf::RankedItem, open: bool) -> Arc<str> {
        let key = (revision, item.id, open);
        if let Some(row) = self.0.get(&key) {
            return row;
        }
        let row: Arc<str> = PortfolioRow { i: item, open }
            .render()
            .unwrap_or_default()
            .into();
        self.0.put(key, row.clone());
        row
    }
}

#[derive(Template)]
#[template(path = "portfolio/portfolio.html")]
struct PortfolioPage<'a> {
    layout: Layout,
    v: &'a PortfolioView,
    /// The rows of this page, after the filters, each as HTML (see [`PortfolioRows`]).
    rows: Vec<Arc<str>>,
    /// How many items pass the filters.
    shown: usize,
    filter: pf::PortfolioFilter,
    departments: Vec<Choice>,
    statuses: Vec<Choice>,
    fundings: Vec<Choice>,
    prev: Option<String>,
    next: Option<String>,
    method: String,
    can_manage: bool,
    can_goals: bool,
    errors: FormErrors,
    funded: usize,
}

async fn portfolio_page(
    state: &AppState,
    who: &SignedIn,
    offset: i64,
    filter: pf::PortfolioFilter,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let errors = readable(errors);
    let v = pf::current(&state.db, &state.portfolio, &actor).await?;
    let (filter, errors, status) = match filter.validate() {
        Ok(()) => (filter, errors, status),
        Err(e) => {
            let (_, mut more) = form_errors(e)?;
            more.0.extend(errors.0);
            (
                pf::PortfolioFilter::default(),
                readable(more),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let kept: Vec<&pf::RankedItem> = v.items.iter().filter(|i| filter.keeps(i)).collect();
    let len = kept.len();
    let start = usize::try_from(offset.max(0)).unwrap_or(0).min(len);
    let end = (start + 50).min(len);
    let funded = v.items.iter().filter(|i| i.funding == "funded").count();
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let href = |offset: usize| {
        format!(
            "/portfolio?department={}&status={}&funding={}&offset={offset}",
            enc(&filter.department),
            enc(&filter.status),
            enc(&filter.funding)
        )
    };
    let names: std::collections::BTreeSet<&str> =
        v.items.iter().map(|i| i.department_name.as_str()).collect();
    let departments = Choice::list(
        names.into_iter().map(|n| (n.to_string(), n.to_string())),
        &filter.department,
    );
    let statuses = choices(Status::ALL, Status::as_str, Status::label, &filter.status);
    let fundings = Choice::list(
        [
            ("funded", "Funded by the line"),
            ("not_funded", "Not funded"),
            ("committed", "Committed (accepted or in delivery)"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string())),
        &filter.funding,
    );
    Ok(render_status(
        status,
        PortfolioPage {
            layout: Layout::new(who, "Portfolio", "portfolio"),
            method: pf::method_text(&v.line.method),
            prev: (start > 0).then(|| href(start.saturating_sub(50))),
            next: (end < len).then(|| href(end)),
            can_manage: can(&actor, Action::ManagePortfolio).is_ok(),
            can_goals: can(&actor, Action::ManageGoals).is_ok(),
            rows: kept[start..end]
                .iter()
                .map(|i| {
                    state
                        .portfolio_rows
                        .row(v.revision, i, pf::may_open(&actor, i))
                })
                .collect(),
            shown: len,
            filter,
            departments,
            statuses,
            fundings,
            funded,
            v: &v,
            errors,
        },
    ))
}

async fn show_portfolio(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<PortfolioQuery>,
) -> Result<Response, PageError> {
    portfolio_page(
        &state,
        &who,
        q.offset.unwrap_or(0),
        q.filter,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn export_portfolio(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    let v = pf::current(&state.db, &state.portfolio, &who.actor()).await?;
    let csv = pf::export_csv(&v)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"portfolio.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

async fn portfolio_act<T>(
    state: &AppState,
    who: &SignedIn,
    result: Result<T, AppError>,
    message: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => done(state, who, "/portfolio", message).await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            portfolio_page(
                state,
                who,
                0,
                pf::PortfolioFilter::default(),
                errors,
                status,
            )
            .await
        }
    }
}

async fn set_weights(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<WeightFields>,
) -> Result<Response, PageError> {
    let r = pf::set_weights(&state.db, &who.actor(), &f).await;
    portfolio_act(
        &state,
        &who,
        r,
        "New weights saved as a new version; the ranking was recomputed.",
    )
    .await
}

async fn set_settings(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<SettingsFields>,
) -> Result<Response, PageError> {
    let r = pf::set_settings(&state.db, &who.actor(), &f).await;
    portfolio_act(&state, &who, r, "Budget and rules saved.").await
}

async fn add_goal(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<GoalFields>,
) -> Result<Response, PageError> {
    let r = pf::add_goal(&state.db, &who.actor(), &f).await;
    portfolio_act(&state, &who, r, "Goal added.").await
}

async fn archive_goal(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = pf::archive_goal(&state.db, &who.actor(), id).await;
    portfolio_act(&state, &who, r, "Goal retired.").await
}
