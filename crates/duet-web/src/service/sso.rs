//! What admins see of single sign-on, on the page and in the API: the settings (never the
//! secret), whether the provider answers, and what a set of claims would map to.

use crate::error::AppError;
use crate::state::AppState;
use duet_core::auth::{Action, Actor, Role, can};
use duet_core::sso::{SsoClaims, SsoMapping};

/// A group that gives a role.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RoleRule {
    /// The group, as the provider names it.
    pub group: String,
    /// The role it gives.
    pub role: Role,
}

/// Single sign-on as configured, for admins.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SsoSummary {
    /// Whether single sign-on is configured.
    pub enabled: bool,
    /// The provider's issuer URL.
    pub issuer: Option<String>,
    /// Duet's client id.
    pub client_id: Option<String>,
    /// Whether a client secret is set (it is never shown).
    pub has_client_secret: bool,
    /// The sign-in button's provider name.
    pub label: Option<String>,
    /// The address the provider must send people back to (register it at the provider).
    pub redirect_uri: String,
    /// The claim read for groups.
    pub groups_claim: Option<String>,
    /// The group required to sign in, if any.
    pub required_group: Option<String>,
    /// Groups that give roles (the strongest wins; others are members).
    pub roles: Vec<RoleRule>,
    /// The claim read for the department, if any.
    pub department_claim: Option<String>,
    /// Whether the provider's discovery document was read (none: not configured).
    pub provider_ok: Option<bool>,
    /// Why the provider could not be read, if it could not.
    pub provider_error: Option<String>,
}

/// The settings and whether the provider answers (admins).
pub async fn summary(state: &AppState, actor: &Actor) -> Result<SsoSummary, AppError> {
    can(actor, Action::ManageUsers)?;
    let redirect_uri = format!("{}/login/sso/callback", state.config.public_url);
    let Some(s) = &state.config.sso else {
        return Ok(SsoSummary {
            enabled: false,
            issuer: None,
            client_id: None,
            has_client_secret: false,
            label: None,
            redirect_uri,
            groups_claim: None,
            required_group: None,
            roles: Vec::new(),
            department_claim: None,
            provider_ok: None,
            provider_error: None,
        });
    };
    let reached = crate::auth::sso::provider(state).await;
    Ok(SsoSummary {
        enabled: true,
        issuer: Some(s.issuer.clone()),
        client_id: Some(s.client_id.clone()),
        has_client_secret: s.client_secret.is_some(),
        label: Some(s.label.clone()),
        redirect_uri,
        groups_claim: Some(s.rules.groups_claim.clone()),
        required_group: s.rules.required_group.clone(),
        roles: s
            .rules
            .roles
            .iter()
            .map(|(group, role)| RoleRule {
                group: group.clone(),
                role: *role,
            })
            .collect(),
        department_claim: s.rules.department_claim.clone(),
        provider_ok: Some(reached.is_ok()),
        provider_error: reached.err().map(|e| e.to_string()),
    })
}

/// Claims to try the mapping on, as the provider would send them.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct PreviewFields {
    /// A JSON object of claims (`sub`, `email`, `groups`, the department claim …).
    #[schema(value_type = Object)]
    pub claims: serde_json::Value,
}

/// What a sign-in with some claims would do.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// The claims Duet reads from them.
    pub claims: SsoClaims,
    /// The role and department they map to, or why they are refused.
    pub mapping: SsoMapping,
    /// The Duet department the department claim names (none: none matches, or no claim).
    pub department_in_duet: Option<String>,
    /// The existing account the e-mail claim names, as "Name (Role)" (none: a sign-in would
    /// create one, or there is no e-mail).
    pub account: Option<String>,
}

/// Maps claims without signing anyone in (admins): the page's "try the mapping" and the API.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    claims: &serde_json::Value,
) -> Result<Preview, AppError> {
    can(actor, Action::ManageUsers)?;
    let s = crate::auth::sso::settings(state)?;
    let Some(object) = claims.as_object() else {
        return Err(duet_core::FieldError::new(
            "claims",
            "must be a JSON object, such as {\"sub\": \"…\", \"email\": \"…\"}",
        )
        .into());
    };
    let claims = SsoClaims::from_json(&s.rules, object);
    let mapping = duet_core::sso::map(&s.rules, &claims);
    let department_in_duet = match &mapping.department {
        Some(d) => duet_store::org::list_departments(&state.db, false)
            .await?
            .into_iter()
            .find(|x| x.name.eq_ignore_ascii_case(d))
            .map(|x| x.name),
        None => None,
    };
    let account = match claims.email.as_deref() {
        Some(e) => duet_store::accounts::find_login(&state.db, &e.to_lowercase())
            .await?
            .map(|(u, _)| format!("{} ({})", u.name, u.role.label())),
        None => None,
    };
    Ok(Preview {
        claims,
        mapping,
        department_in_duet,
        account,
    })
}
