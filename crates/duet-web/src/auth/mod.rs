//! Who is asking: browser sessions (cookie + CSRF token) for pages, bearer tokens for the API,
//! and the sign-in / sign-out handlers with their throttle.

pub mod bearer;
pub mod cache;
pub mod hasher;
pub mod login;
pub mod session;
pub mod sso;

pub use bearer::ApiUser;
pub use session::{CurrentSession, SignedIn};
