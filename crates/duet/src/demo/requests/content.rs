//! Decide's demo content: the types of `demo-data/requests.toml` and its loading.

use super::*;
use crate::demo::data::DataFile;

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/// Decide's demo content: every text of the demo's requests, goals and decisions, written in
/// `demo-data/requests.toml` (embedded at build time) so that it can be edited without Rust.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Content {
    /// Why IT defers a request, in its own words.
    pub(super) defer_notes: Vec<String>,
    /// How a requester corrects IT's statement of the need.
    pub(super) corrections: Vec<String>,
    /// What IT notes when it records an attempt to reach the requester.
    pub(super) attempt_notes: Vec<String>,
    /// The executives' business goals that portfolio items serve.
    pub(super) goals: Vec<Goal>,
    /// Declines of portfolio items: a business case that does not hold up, or no capacity.
    pub(super) portfolio_declines: Vec<PortfolioDecline>,
    /// Each department's requests.
    pub(super) departments: Vec<DeptContent>,
}

/// A business goal and its importance (1 to 5).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Goal {
    pub(super) title: String,
    pub(super) importance: i64,
}

/// A request as its requester would write it. `{v}` in any text is replaced by one of the
/// variants, so one template yields several distinct requests.
#[derive(Debug, serde::Deserialize)]
pub(super) struct Ask {
    pub(super) title: String,
    #[serde(default)]
    pub(super) variants: Vec<String>,
    pub(super) problem: String,
    pub(super) affected: String,
    pub(super) outcome: String,
    /// IT's statement of the need, in the requester's terms.
    pub(super) need: String,
    pub(super) team: Team,
}

/// A safe alternative IT offers with a decline.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Offer {
    pub(super) kind: AlternativeKind,
    pub(super) text: String,
}

/// For a security decline: the risk, and what would make it a yes.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Security {
    pub(super) risk: String,
    pub(super) yes_if: String,
}

/// A request IT declines, with the reason and the safe alternatives it offers.
#[derive(Debug, serde::Deserialize)]
pub(super) struct Refusal {
    #[serde(flatten)]
    pub(super) ask: Ask,
    pub(super) reason: DeclineReason,
    pub(super) note: String,
    pub(super) alternatives: Vec<Offer>,
    pub(super) security: Option<Security>,
}

/// One yearly benefit of a project at full run-rate, in thousands.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Benefit {
    pub(super) kind: FlowKind,
    pub(super) thousands: i64,
}

/// A piece of work big enough for the portfolio, with the shape of its business case
/// (amounts in thousands of the major unit, before the per-request scale).
#[derive(Debug, serde::Deserialize)]
pub(super) struct Project {
    #[serde(flatten)]
    pub(super) ask: Ask,
    pub(super) it_one_off: i64,
    pub(super) it_yearly: i64,
    pub(super) other_cost: i64,
    pub(super) benefits: Vec<Benefit>,
    pub(super) risk: Risk,
    pub(super) person_days: i64,
    /// Indexes into the goals.
    pub(super) goals: Vec<usize>,
}

/// One department's requests, and how much of each kind it raises.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeptContent {
    /// Must match a standard department.
    pub(super) name: String,
    /// Member accounts to create for its requesters.
    pub(super) members: usize,
    /// Relative share of service requests, declined requests and portfolio items.
    pub(super) weights: [usize; 3],
    #[serde(default)]
    pub(super) asks: Vec<Ask>,
    #[serde(default)]
    pub(super) refusals: Vec<Refusal>,
    #[serde(default)]
    pub(super) projects: Vec<Project>,
}

/// A decline of a portfolio item: its reason, note and safe alternatives.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PortfolioDecline {
    pub(super) reason: DeclineReason,
    pub(super) note: String,
    pub(super) alternatives: Vec<Offer>,
}

/// `demo-data/requests.toml`.
pub(super) static CONTENT: DataFile<Content> = DataFile::new(
    "requests.toml",
    include_str!("../../../demo-data/requests.toml"),
);

/// Nothing: what [`data`] gives when the embedded file is broken.
pub(super) static EMPTY: Content = Content {
    defer_notes: Vec::new(),
    corrections: Vec::new(),
    attempt_notes: Vec::new(),
    goals: Vec::new(),
    portfolio_declines: Vec::new(),
    departments: Vec::new(),
};

/// Decide's demo content for the pure planning functions. Seeding loads the file first
/// (`CONTENT.get()?`), so a broken file stops `duet demo` with its own error before they run.
pub(super) fn data() -> &'static Content {
    CONTENT.get().unwrap_or(&EMPTY)
}
