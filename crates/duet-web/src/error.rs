//! The one error type of the web layer and how it becomes an HTTP response.
//!
//! Policy: every failure maps to a status and a stable snake_case `code`; API callers get
//! `{"error":{"code","message","field"}}`, browsers get an error page. The cause chain of internal
//! errors goes to the log, never to the user. `anyhow` appears only for those internal causes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use duet_core::FieldError;
use duet_core::org::import::CsvError;
use duet_store::StoreError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token (401).
    #[error("sign in to continue")]
    Unauthorized,
    /// Signed in, but the permission function said no (403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing at this address (404).
    #[error("{0} not found")]
    NotFound(String),
    /// The request itself is malformed: bad JSON, wrong content type (400, or the status given).
    #[error("{message}")]
    BadRequest {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// Values that parse but break a rule (422); the first one is the headline.
    #[error("{}", .0.first().map(|e| e.to_string()).unwrap_or_default())]
    Invalid(Vec<FieldError>),
    /// A unique value is taken, or the state forbids the change (409).
    #[error("{}", .0)]
    Conflict(FieldError),
    /// A CSV upload has bad rows (422), each with its line and column.
    #[error("the file has {} problem(s); nothing was imported", .0.len())]
    Csv(Vec<CsvError>),
    /// Too many failed sign-ins (429).
    #[error("{0}")]
    TooManyRequests(String),
    /// A bug or an outage; details are logged, not shown (500).
    #[error("something went wrong on our side")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest { status, .. } => *status,
            AppError::Invalid(_) | AppError::Csv(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest { code, .. } => code,
            AppError::Invalid(_) => "validation_failed",
            AppError::Conflict(_) => "conflict",
            AppError::Csv(_) => "invalid_csv",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }

    /// The field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(errs) => errs.first().map(|e| e.field.as_str()),
            AppError::Conflict(e) => Some(e.field.as_str()),
            AppError::Csv(errs) => errs.first().and_then(|e| e.column.as_deref()),
            _ => None,
        }
    }

    /// One field error as a 422.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// Logs internal errors with their cause chain; user errors at debug level.
    fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
    }

    /// The JSON body of the API error shape.
    pub fn to_json(&self) -> serde_json::Value {
        let mut err = serde_json::json!({ "code": self.code(), "message": self.to_string(), "field": self.field() });
        match self {
            AppError::Invalid(errs) if errs.len() > 1 => err["details"] = serde_json::json!(errs),
            AppError::Csv(errs) => err["details"] = serde_json::json!(errs),
            _ => {}
        }
        serde_json::json!({ "error": err })
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what.to_string()),
            StoreError::Conflict(f) => AppError::Conflict(f),
            StoreError::Invalid(f) => AppError::Invalid(vec![f]),
            StoreError::Csv(errs) => AppError::Csv(errs),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<duet_core::ValidationErrors> for AppError {
    fn from(e: duet_core::ValidationErrors) -> Self {
        AppError::Invalid(e.0)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(vec![e])
    }
}

impl From<duet_core::auth::Denied> for AppError {
    fn from(e: duet_core::auth::Denied) -> Self {
        AppError::Forbidden(e.to_string())
    }
}

/// API responses: always the JSON error shape.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let mut res = (self.status(), axum::Json(self.to_json())).into_response();
        if matches!(self, AppError::Unauthorized) {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// The same errors, for browsers: an HTML page (or a redirect to sign in).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        err.log();
        if matches!(err, AppError::Unauthorized) {
            return axum::response::Redirect::to("/login").into_response();
        }
        crate::html::error_page(
            err.status(),
            &err.to_string(),
            match &err {
                AppError::Csv(errs) => errs.iter().map(|e| e.to_string()).collect(),
                AppError::Invalid(errs) => errs.iter().map(|e| e.to_string()).collect(),
                _ => Vec::new(),
            },
        )
    }
}
