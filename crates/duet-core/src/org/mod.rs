//! The organisation: departments (IT and business), people and their levels.

pub mod confusable;
pub mod email;
pub mod import;
mod types;

pub use email::Email;
pub use types::*;
