//! The IT portfolio: a transparent ranking of executive-sponsored items, and the funding line that
//! says which of them IT takes on within its budget and its people's time.
//!
//! IT is short of money and people, so its time should go to the work that pays back most, and
//! only work an executive champions — with the IT cost signed off — is a candidate at all. A
//! ranking only builds trust if everyone can follow it, and a "not now" is accepted far better
//! than a bare "no". So every score here is a sum of named terms, each with a sentence, and every
//! item below the funding line carries a true, specific reason.
//!
//! # The score
//!
//! `score = 100 × Σ share(term) × normalised(term)` over four terms, so it lies in `0..=100`:
//!
//! - **value**: value per IT cost, `npv ÷ it_cost`, as a percentile across the candidates (below);
//! - **fit**: how well the item fits the goals the executives set, already `0..=1`;
//! - **risk**: delivery and security risk, counted as `1 − risk` so that safer work scores higher;
//! - **urgency**: already `0..=1`.
//!
//! The shares are the owner's [`Weights`] divided by their sum, so only their proportions matter.
//! Inputs outside `0..=1` are clamped and a missing number counts as the worst case; the term's
//! sentence says so. Ties are broken by id, so a ranking never depends on input order.
//!
//! # Normalising value per IT cost: percentile rank
//!
//! NPV per unit of IT cost has no natural scale and a long tail: one project with a huge NPV on a
//! small cost would, under min-max scaling, press every other project towards 0 and let a single
//! estimate decide the whole value term. So the value term is the candidate's *mid-rank
//! percentile* among the candidates with a signed-off cost: `(number below + ½ × number level) ÷
//! (number of others)`. It is immune to outliers (only the order counts), reads as a sentence
//! ("above 12 and level with 1 of the other 19"), and is monotone: a better ratio never lowers a
//! candidate's own term and never raises anyone else's. The price is that it is relative: the best
//! of a poor set still gets the full value term, so a negative NPV is called out in its sentence.
//! A lone costed candidate sits at the neutral midpoint 0.5. A candidate without a positive
//! signed-off cost (or with an NPV that is not a number) gets a value term of 0 and does not take
//! part in the percentile.
//!
//! # The funding line
//!
//! [`funding_line`] chooses the set of items with the highest total score whose IT cost fits the
//! budget and whose effort fits the capacity in person-days (a 0/1 knapsack with two
//! constraints). Items that cannot be funded on their own terms — no signed-off cost, no score,
//! or bigger than the whole budget or capacity — are set aside first with that reason. If all the
//! rest fit together they are all funded. Otherwise:
//!
//! - **exact** when at most [`EXACT_MAX_ITEMS`] items remain: branch and bound, pruning with the
//!   tightest of three LP-relaxation bounds (budget alone, days alone, and the two combined with
//!   the LP's price of a person-day), and stopping after [`EXACT_NODE_BUDGET`] nodes;
//! - **greedy** otherwise: items are taken in three orders (rank; score per unit of resource,
//!   with budget and days priced by the LP relaxation's dual prices; score per share of the two
//!   resources) and the best selection is kept. When the exact search hits its node budget, the
//!   best selection it found (never worse than the greedy one) is reported the same way. The
//!   two-constraint LP relaxation, solved through its dual, bounds every selection from above, and
//!   the gap to that bound is stated.
//!
//! Money is integer minor units (hundredths of the major unit, see [`MINOR_PER_MAJOR`]); scores
//! and ratios are floats.

use std::collections::HashMap;
use std::fmt;

use crate::error::{FieldError, ValidationErrors};

/// Minor units per major unit: the NPV is in major units and IT costs are in minor units, so value
/// per unit of IT cost is `npv ÷ (it_cost ÷ 100)`.
pub const MINOR_PER_MAJOR: f64 = 100.0;

/// The most items the exact search takes on: beyond this the search tree can explode, and the
/// greedy selection with its stated gap is the honest answer.
pub const EXACT_MAX_ITEMS: usize = 60;

// The exact search keeps its selection in a 64-bit set.
const _: () = assert!(EXACT_MAX_ITEMS <= 64);

/// The most branch-and-bound nodes the exact search visits (tens of milliseconds at worst), so a
/// hard instance degrades to a stated gap instead of a hung request.
pub const EXACT_NODE_BUDGET: u64 = 200_000;

/// Golden-section steps when solving the LP relaxation's dual; each step is one linear pass, and
/// 60 steps shrink the search interval by a factor of about 10¹².
const LP_STEPS: usize = 60;

/// Score differences below this are treated as ties by the searches.
const EPS: f64 = 1e-9;

mod format;
mod funding;
mod ranking;
mod reasons;
mod search;
#[cfg(test)]
mod tests;
mod weights;

#[allow(unused_imports)]
use format::*;
pub use funding::*;
pub use ranking::*;
#[allow(unused_imports)]
use reasons::*;
#[allow(unused_imports)]
use search::*;
pub use weights::*;
