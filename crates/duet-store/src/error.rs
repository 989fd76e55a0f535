//! Store errors: what went wrong in words the web layer can map to a status and a field.

use duet_core::FieldError;
use duet_core::org::import::CsvError;

/// Every way a store call can fail.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist (or is not visible).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique value is already taken (409).
    #[error("{}", .0.message)]
    Conflict(FieldError),
    /// The input refers to something that does not exist or breaks a rule only the database can
    /// check, such as an unknown department (422).
    #[error("{}", .0.message)]
    Invalid(FieldError),
    /// A CSV file had bad rows; nothing was written.
    #[error("the file has {} problem(s); nothing was imported", .0.len())]
    Csv(Vec<CsvError>),
    /// The database failed.
    #[error("database error")]
    Db(#[source] sqlx::Error),
    /// Migrations failed.
    #[error("migration error")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                // PostgreSQL names the constraint; SQLite names the columns in its message.
                let hint = db
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| db.message().to_string());
                let field = if hint.contains("email") {
                    "email"
                } else if hint.contains("name") {
                    "name"
                } else if hint.contains("person") {
                    "person_id"
                } else {
                    "id"
                };
                return StoreError::Conflict(FieldError::new(field, "is already taken"));
            }
            if db.is_foreign_key_violation() {
                return StoreError::Invalid(FieldError::new(
                    "id",
                    "refers to something that does not exist",
                ));
            }
        }
        StoreError::Db(e)
    }
}
