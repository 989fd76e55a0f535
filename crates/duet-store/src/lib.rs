//! Duet's database access: one `Db` that is either an embedded SQLite file or a PostgreSQL pool,
//! with the same portable SQL run on both, and one module per area of the domain.

#[macro_use]
mod db;
pub mod accounts;
pub mod audit;
pub mod backup;
mod batch;
#[cfg(feature = "demo")]
pub mod bulk;
pub mod comms;
mod error;
pub mod home;
pub mod listen;
pub mod mail;
pub mod metrics;
pub mod once;
pub mod org;
pub mod portfolio;
pub mod promises;
pub mod relationships;
pub mod requests;
pub mod reviews;
pub mod rotation;
pub mod sessions;
pub mod software;
pub mod sso;
pub mod voice;

pub use db::{Backend, Db, DbOptions, Lead, write_epoch};
pub use error::StoreError;

/// Result of every store function.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A page of a listing: at most `limit` rows starting at `offset`, and how many there are in all.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows matching the filter, over all pages.
    pub total: i64,
    /// Page size used.
    pub limit: i64,
    /// Rows skipped before this page.
    pub offset: i64,
}

/// Where a listing starts and how much it returns; clamped so no request can ask for everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// 1 to 500.
    pub limit: i64,
    /// 0 or more.
    pub offset: i64,
}

impl PageRequest {
    /// The largest page anyone may ask for.
    pub const MAX_LIMIT: i64 = 500;
    /// The furthest a listing can be paged (keeps offset arithmetic far from overflow).
    pub const MAX_OFFSET: i64 = 1_000_000_000;

    /// Clamps the requested window into the allowed range (default 50 rows).
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> Self {
        Self {
            limit: limit.unwrap_or(50).clamp(1, Self::MAX_LIMIT),
            offset: offset.unwrap_or(0).clamp(0, Self::MAX_OFFSET),
        }
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

#[cfg(any(test, feature = "testing"))]
pub mod testing;
