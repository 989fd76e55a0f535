//! Listen: asking people how the Business-IT relationship feels, and showing the answers without
//! ever exposing one person's answer.
//!
//! Instruments (the DUET pulse, the five questions, the alignment maturity self-assessment and
//! custom ones) are plain data; results are aggregated per section, level and item, and every
//! aggregate passes the anonymity threshold in [`anonymity`] before anything is shown.

pub mod anonymity;
pub mod heatmap;
pub mod instruments;
pub mod results;
