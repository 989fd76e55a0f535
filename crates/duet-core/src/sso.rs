//! Single sign-on: how the claims an OpenID provider vouches for become a Duet account, its role
//! and its department. Pure rules, so the admin page can show exactly what a sign-in would do
//! and the tests can check every case without a provider.

use crate::auth::Role;
use crate::error::FieldError;

/// How claims map to Duet, from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRules {
    /// The claim that lists a person's groups (`groups` by default); a list of strings, or one
    /// string of names separated by commas or spaces.
    pub groups_claim: String,
    /// Only members of this group may sign in (none: everyone the provider signs in).
    pub required_group: Option<String>,
    /// Groups that give a role; the strongest role among a person's groups wins, and a person in
    /// none of them is a member.
    pub roles: Vec<(String, Role)>,
    /// The claim that names a person's department, matched to a Duet department by name without
    /// regard to case (none: departments are kept in Duet).
    pub department_claim: Option<String>,
}

impl Default for SsoRules {
    fn default() -> Self {
        Self {
            groups_claim: "groups".into(),
            required_group: None,
            roles: Vec::new(),
            department_claim: None,
        }
    }
}

impl SsoRules {
    /// Reads a role map written `group=role, group=role` (roles by their wire names: admin,
    /// it_leader, business_leader, executive, member).
    pub fn parse_roles(text: &str) -> Result<Vec<(String, Role)>, FieldError> {
        let mut out = Vec::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((group, role)) = pair.split_once('=') else {
                return Err(FieldError::new(
                    "role_map",
                    format!("“{pair}” should be written group=role"),
                ));
            };
            let role = role.trim().parse::<Role>().map_err(|_| {
                FieldError::new(
                    "role_map",
                    format!(
                        "“{}” is not a role: use admin, it_leader, business_leader, executive or member",
                        role.trim()
                    ),
                )
            })?;
            let group = group.trim();
            if group.is_empty() {
                return Err(FieldError::new(
                    "role_map",
                    format!("“{pair}” names no group"),
                ));
            }
            out.push((group.to_string(), role));
        }
        Ok(out)
    }
}

/// What the provider said about the person, merged from the ID token and the userinfo answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SsoClaims {
    /// The provider's stable id for the person (`sub`).
    pub subject: String,
    /// Their e-mail, if the provider gave one.
    pub email: Option<String>,
    /// Whether the provider verified that e-mail (absent: it did not say).
    pub email_verified: Option<bool>,
    /// Their name, if given.
    pub name: Option<String>,
    /// Their groups, read from the groups claim.
    pub groups: Vec<String>,
    /// Their department, read from the department claim.
    pub department: Option<String>,
}

impl SsoClaims {
    /// Reads the claims Duet uses from a JSON object of claims (the ID token's, then
    /// userinfo's on top).
    pub fn from_json(
        rules: &SsoRules,
        claims: &serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        let text = |k: &str| {
            claims
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let groups = match claims.get(&rules.groups_claim) {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            Some(serde_json::Value::String(s)) => s
                .split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        Self {
            subject: text("sub").unwrap_or_default(),
            email: text("email").map(|e| e.to_lowercase()),
            email_verified: claims.get("email_verified").and_then(|v| match v {
                serde_json::Value::Bool(b) => Some(*b),
                serde_json::Value::String(s) => Some(s == "true"),
                _ => None,
            }),
            name: text("name").or_else(|| {
                let parts: Vec<String> = ["given_name", "family_name"]
                    .iter()
                    .filter_map(|k| text(k))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            }),
            groups,
            department: rules.department_claim.as_deref().and_then(text),
        }
    }
}

/// What a sign-in with these claims does: whether it is let in, and the role and department it
/// gets, with the reasons, so the admin page can explain each one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SsoMapping {
    /// Why the person may not sign in (none: they may).
    pub refused: Option<String>,
    /// The role they get.
    pub role: Role,
    /// The group that gave the role (none: no mapped group, so member).
    pub role_from_group: Option<String>,
    /// The department named by the claim (matched to a Duet department by name when signing in).
    pub department: Option<String>,
}

/// How strong a role is, for "the strongest role among a person's groups wins".
fn strength(role: Role) -> u8 {
    match role {
        Role::Admin => 4,
        Role::ItLeader => 3,
        Role::Executive => 2,
        Role::BusinessLeader => 1,
        Role::Member => 0,
    }
}

/// Applies the rules to the claims.
pub fn map(rules: &SsoRules, claims: &SsoClaims) -> SsoMapping {
    let in_group = |g: &str| claims.groups.iter().any(|x| x.eq_ignore_ascii_case(g));
    let refused = if claims.subject.is_empty() {
        Some("the provider gave no subject (sub) claim".to_string())
    } else if claims.email.is_none() {
        Some("the provider gave no e-mail: ask for the email scope".to_string())
    } else if claims.email_verified == Some(false) {
        Some("the provider says this e-mail is not verified".to_string())
    } else {
        match &rules.required_group {
            Some(g) if !in_group(g) => Some(format!(
                "not a member of the group “{g}”, which Duet requires"
            )),
            _ => None,
        }
    };
    let best = rules
        .roles
        .iter()
        .filter(|(g, _)| in_group(g))
        .max_by_key(|(_, r)| strength(*r));
    SsoMapping {
        refused,
        role: best.map_or(Role::Member, |(_, r)| *r),
        role_from_group: best.map(|(g, _)| g.clone()),
        department: claims.department.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rules() -> SsoRules {
        SsoRules {
            required_group: Some("duet-users".into()),
            roles: SsoRules::parse_roles("duet-admins=admin, it-leads=it_leader, execs=executive")
                .unwrap(),
            department_claim: Some("department".into()),
            ..Default::default()
        }
    }

    fn claims(json: serde_json::Value) -> SsoClaims {
        SsoClaims::from_json(&rules(), json.as_object().unwrap())
    }

    #[test]
    fn the_strongest_mapped_group_gives_the_role_and_the_department_comes_from_its_claim() {
        let c = claims(
            serde_json::json!({"sub": "a1", "email": "Ann@Example.com", "groups": ["duet-users", "execs", "it-leads"], "department": "Finance"}),
        );
        assert_eq!(c.email.as_deref(), Some("ann@example.com"));
        let m = map(&rules(), &c);
        assert_eq!(
            (
                m.refused,
                m.role,
                m.role_from_group.as_deref(),
                m.department.as_deref()
            ),
            (None, Role::ItLeader, Some("it-leads"), Some("Finance"))
        );
        let m = map(
            &rules(),
            &claims(serde_json::json!({"sub": "b", "email": "b@x", "groups": "duet-users other"})),
        );
        assert_eq!(
            (m.role, m.role_from_group),
            (Role::Member, None),
            "no mapped group: member"
        );
    }

    #[test]
    fn sign_in_is_refused_outside_the_required_group_without_email_or_with_an_unverified_one() {
        let m = map(
            &rules(),
            &claims(serde_json::json!({"sub": "c", "email": "c@x", "groups": ["execs"]})),
        );
        assert!(m.refused.unwrap().contains("duet-users"));
        let m = map(
            &rules(),
            &claims(serde_json::json!({"sub": "c", "groups": ["duet-users"]})),
        );
        assert!(m.refused.unwrap().contains("e-mail"));
        let m = map(
            &rules(),
            &claims(
                serde_json::json!({"sub": "c", "email": "c@x", "email_verified": false, "groups": ["duet-users"]}),
            ),
        );
        assert!(m.refused.unwrap().contains("not verified"));
    }

    #[test]
    fn a_role_map_names_its_bad_part() {
        assert!(
            SsoRules::parse_roles("a=boss")
                .unwrap_err()
                .message
                .contains("“boss” is not a role")
        );
        assert!(
            SsoRules::parse_roles("justagroup")
                .unwrap_err()
                .message
                .contains("group=role")
        );
        assert_eq!(SsoRules::parse_roles("").unwrap(), vec![]);
    }
}
