//! `/relationships/report`: the board report — the whole organisation on one page (each pair's
//! signals and index, what improved and what declined this quarter, open warnings), and on
//! request one page per department pair with its trends, printable (print stylesheet; the
//! charts are SVG drawn on the server).

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::html::{Layout, render};
use crate::service::relationships::{self as svc, Overview};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;

/// Routes of the report.
pub fn router() -> Router<AppState> {
    Router::new().route("/relationships/report", get(report))
}

#[derive(Debug, Default, serde::Deserialize)]
struct ReportQuery {
    /// `all`: a page per department pair after the summary.
    #[serde(default)]
    pairs: String,
}

#[derive(Template)]
#[template(path = "relationships/report.html")]
struct ReportPage {
    layout: Layout,
    /// `ReportBody`, rendered.
    body: std::sync::Arc<String>,
}

/// The report's content: the same for every reader who sees every department, so rendered once
/// per computation for them (with and without a page per pair).
#[derive(Template)]
#[template(path = "relationships/report_body.html")]
struct ReportBody {
    o: std::sync::Arc<Overview>,
    /// (short heading, full label) of each signal.
    kinds: Vec<(&'static str, &'static str)>,
    /// With a page per pair: each pair's charts, in the order of its signals.
    charts: Option<Vec<std::sync::Arc<Vec<String>>>>,
    /// The interaction map, drawn (empty for a reader who sees one department).
    map_svg: std::sync::Arc<String>,
}

impl ReportBody {
    /// The chart of pair `p`'s signal `s` (empty without one).
    fn chart(&self, p: &usize, s: &usize) -> &str {
        self.charts
            .as_ref()
            .and_then(|c| c.get(*p))
            .and_then(|row| row.get(*s))
            .map_or("", |x| x.as_str())
    }
}

async fn report(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let o = svc::overview(&state.relationships, svc::Sources::of(&state), &who.actor()).await?;
    let all = q.pairs == "all";
    let shared = o.interactions.is_some();
    let st = &state;
    let draw = move || async move {
        let charts = if all {
            let mut drawn = Vec::with_capacity(o.pairs.len());
            for p in &o.pairs {
                drawn.push(super::pair_charts(st, p, o.as_of).await);
            }
            Some(drawn)
        } else {
            None
        };
        let map_svg = super::drawn_map(st, &o).await;
        ReportBody {
            map_svg,
            kinds: super::signal_headings(),
            o,
            charts,
        }
        .render()
        .map_err(|e| crate::error::AppError::Internal(e.into()))
    };
    let body = if shared {
        state
            .relationships
            .report_html
            .get_or_load(all, draw)
            .await?
    } else {
        std::sync::Arc::new(draw().await?)
    };
    Ok(render(ReportPage {
        layout: Layout::new(&who, "Relationship health: board report", "relationships"),
        body,
    }))
}
