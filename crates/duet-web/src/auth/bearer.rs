//! API authentication: `Authorization: Bearer <personal API token>`.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use duet_store::accounts::{self, User};

/// The account behind a valid, unrevoked API token of an enabled account.
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

impl ApiUser {
    /// The permission-function actor.
    pub fn actor(&self) -> duet_core::Actor {
        self.0.actor()
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let key = duet_core::secret::hash_secret(token);
        if let Some(user) = state.auth.tokens.get(&key) {
            return Ok(ApiUser(user));
        }
        // On the anonymous routes (sending survey answers) the token's `last_used_at` is not
        // written: it would date the answer next to the sender's account.
        let quiet = parts
            .extensions
            .get::<axum::extract::MatchedPath>()
            .is_some_and(|m| crate::ops::is_anonymous_route(m.as_str()));
        let user = if quiet {
            accounts::peek_user_for_token(&state.db, token).await?
        } else {
            accounts::user_for_token(&state.db, token).await?
        }
        .ok_or(AppError::Unauthorized)?;
        state.auth.tokens.put(key, user.clone());
        Ok(ApiUser(user))
    }
}
