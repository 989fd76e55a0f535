//! Duet's domain: plain Rust types that can only hold valid values, and the rules over them.
//!
//! Nothing here does I/O, async, SQL or HTTP, so every rule is tested on its own and every other
//! layer (store, web, CLI) shares the same definitions of "valid".

#[macro_use]
mod macros;
pub mod auth;
pub mod comms;
pub mod csv_input;
pub mod error;
pub mod finance;
pub mod listen;
pub mod mail;
pub mod metrics;
pub mod org;
pub mod portfolio;
pub mod promises;
pub mod relationships;
pub mod requests;
pub mod reviews;
pub mod rotation;
pub mod secret;
pub mod software;
pub mod sso;
pub mod time;
pub mod voice;

pub use auth::{Action, Actor, Role, can};
pub use error::{FieldError, ValidationErrors};
