//! Listen: asking people how the Business-IT relationship feels, and showing the answers without
//! ever exposing one person's answer.
//!
//! Instruments (the DUET pulse, the five questions, the alignment maturity self-assessment and
//! custom ones) are plain data; results are aggregated per section, level and item, and every
//! aggregate passes the anonymity threshold in [`anonymity`] before anything is shown.
//!
//! # The rules this module enforces (issue 10)
//!
//! Against anyone reading pages, the API or the CSV — an administrator included:
//!
//! 1. **k and complementary suppression** ([`anonymity`]): a figure rests on at least `k` people
//!    (never below 3), and within one partition into departments no two shown figures of the
//!    same thing differ by 1..k-1 people (the residual is none or at least `k`).
//! 2. **Items are the only atoms** ([`results`]): section, column and level figures are pooled
//!    means of their items' ratings, shown only when every one of their items is, so a "don't
//!    know" cannot be isolated by subtracting one figure of a slice from another; Cronbach's
//!    alpha is shown only when it rests on the same people as its items' figures or at least
//!    `k` fewer.
//! 3. **Across campaigns** ([`releases`]): a closed campaign's slices are shown only when no
//!    union of its shown groups and a union of an earlier comparable campaign's (same instrument
//!    family, or a statement in common) differ by 1..k-1 people; earlier releases never change.
//! 4. **Existence**: a department whose figures are hidden has no row, no heatmap line and no
//!    entry among the slices offered; results exist only once a campaign has closed.
//!
//! What the other floors add, each with its own test: participation published at most once a
//! day and only at or above `k`; a campaign's population fixed when it opens, so invented or
//! moved people and new accounts cannot answer, with every change to people, accounts and
//! tokens in an audit log everyone signed in can read; open answers stored encrypted with the
//! anonymity key and rewritten in random order when sealed (`duet-store`); no log line,
//! metric, session write or throttle record for anonymous routes (`duet-web`).

pub mod anonymity;
pub mod campaigns;
pub mod heatmap;
pub mod instruments;
pub mod releases;
pub mod results;
