//! Duet's HTTP face: server-rendered pages that work without JavaScript, the JSON API under
//! `/api/v1` with its OpenAPI document, sessions, CSRF protection, errors and operations endpoints.

pub mod api;
pub mod app;
pub mod auth;
pub mod error;
pub mod html;
pub mod ops;
pub mod pages;
pub mod service;
pub mod state;
pub mod throttle;

pub use app::{router, serve};
pub use error::AppError;
pub use service::mail::{MailSettings, Security as MailSecurity};
pub use state::{AnonymityKey, AppState, MetricsToken, WebConfig};
