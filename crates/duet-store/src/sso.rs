//! Single sign-on's records: sign-ins in flight (so the provider may send the browser back to any
//! replica) and the link from a provider's subject to an account. A sign-in creates the account
//! at first, and sets its role and department from the provider every time, in one transaction
//! with an audit entry for each change.

use crate::accounts::{User, find_user};
use crate::{Db, Result};
use chrono::{DateTime, Duration, Utc};
use duet_core::auth::Role;
use duet_core::org::UserId;
use duet_core::sso::{SsoClaims, SsoMapping};

/// How long a sign-in may take at the provider before its record is forgotten.
pub const LOGIN_LIFETIME: Duration = Duration::minutes(10);

/// The password hash of an account made by single sign-on: not a hash, so no password matches
/// it, and the account signs in only through the provider.
pub const NO_PASSWORD: &str = "!sso";

/// A sign-in in flight, as kept until the provider sends the browser back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingLogin {
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier for the code exchange.
    pub pkce_verifier: String,
    /// Where to go once signed in (a checked path of this site).
    pub next_path: String,
    /// The admin testing the sign-in (none: a real sign-in).
    pub test_by: Option<i64>,
    /// When it started.
    pub created_at: DateTime<Utc>,
}

/// Keeps a sign-in in flight under the hash of its state; forgets those that outlived
/// [`LOGIN_LIFETIME`].
pub async fn begin_login(
    db: &Db,
    state_hash: &str,
    nonce: &str,
    pkce_verifier: &str,
    next_path: &str,
    test_by: Option<i64>,
) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    on_db!(tx, |c| sqlx::query(
        "delete from sso_logins where created_at < $1"
    )
    .bind(now - LOGIN_LIFETIME)
    .execute(c)
    .await
    .map(|_| ()))?;
    on_db!(tx, |c| {
        sqlx::query(
        "insert into sso_logins (state_hash, nonce, pkce_verifier, next_path, test_by, created_at) values ($1, $2, $3, $4, $5, $6)"
    )
    .bind(state_hash)
    .bind(nonce)
    .bind(pkce_verifier)
    .bind(next_path)
    .bind(test_by)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(())
}

/// Takes the sign-in kept under `state_hash`, once: the row is deleted as it is read, so a
/// callback cannot be replayed. `None` when unknown, already used or older than
/// [`LOGIN_LIFETIME`].
pub async fn take_login(db: &Db, state_hash: &str) -> Result<Option<PendingLogin>> {
    let found: Option<PendingLogin> = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| {
            sqlx::query_as(
            "delete from sso_logins where state_hash = $1 returning nonce, pkce_verifier, next_path, test_by, created_at"
        )
        .bind(state_hash)
        .fetch_optional(pool)
        .await
        })?
    };
    Ok(found.filter(|p| p.created_at > Utc::now() - LOGIN_LIFETIME))
}

/// What a single sign-on did to the account, for the log and the admin's test page.
#[derive(Debug, Clone)]
pub struct SsoSignIn {
    /// The account, as it is now.
    pub user: User,
    /// What changed, in people's words (empty: nothing).
    pub changes: Vec<String>,
}

/// Signs in the person the provider vouched for, in one transaction: finds their account by the
/// provider's subject, else by e-mail (linking it), else creates it (linked to the person with
/// that e-mail, as any new account is); then sets the role and department the claims map to.
/// Every change is audited as done by single sign-on. Two rules protect the way back in: an
/// admin with a local password is never demoted by the provider, and a disabled account stays
/// disabled (the caller refuses it).
pub async fn sign_in(
    db: &Db,
    issuer: &str,
    claims: &SsoClaims,
    mapping: &SsoMapping,
) -> Result<SsoSignIn> {
    let now = Utc::now();
    let email = claims.email.clone().unwrap_or_default();
    let name = claims.name.clone().unwrap_or_else(|| email.clone());
    let mut changes = Vec::new();
    let mut tx = db.begin_write().await?;
    let linked: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select user_id from sso_identities where issuer = $1 and subject = $2"
    )
    .bind(issuer)
    .bind(&claims.subject)
    .fetch_optional(c)
    .await)?;
    let user_id = match linked {
        Some((id,)) => {
            on_db!(tx, |c| sqlx::query(
                "update sso_identities set last_seen_at = $3 where issuer = $1 and subject = $2"
            )
            .bind(issuer)
            .bind(&claims.subject)
            .bind(now)
            .execute(c)
            .await
            .map(|_| ()))?;
            id
        }
        None => {
            let existing: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
                "select id from users where email = $1"
            )
            .bind(&email)
            .fetch_optional(c)
            .await)?;
            let id = match existing {
                Some((id,)) => {
                    let summary = format!("Linked account {email} to its single sign-on identity");
                    crate::audit::record(
                        &mut tx,
                        None,
                        "user.sso_link",
                        "user",
                        id,
                        None,
                        &summary,
                    )
                    .await?;
                    changes.push("linked to the existing account with this e-mail".to_string());
                    id
                }
                None => {
                    let (id,): (i64,) = on_db!(tx, |c| {
                        sqlx::query_as(
                        "insert into users (email, name, role, password_hash, person_id, created_at)
                         values ($1, $2, $3, $4, (select p.id from people p where p.email = $1 and not exists (select 1 from users x where x.person_id = p.id)), $5)
                         returning id"
                    )
                    .bind(&email)
                    .bind(&name)
                    .bind(mapping.role.as_str())
                    .bind(NO_PASSWORD)
                    .bind(now)
                    .fetch_one(c)
                    .await
                    })?;
                    let summary = format!(
                        "Created {} account {email} ({name}) at its first single sign-on",
                        mapping.role.as_str()
                    );
                    crate::audit::record(&mut tx, None, "user.create", "user", id, None, &summary)
                        .await?;
                    changes.push(format!("account created as {}", mapping.role.label()));
                    id
                }
            };
            on_db!(tx, |c| {
                sqlx::query(
                "insert into sso_identities (issuer, subject, user_id, linked_at, last_seen_at) values ($1, $2, $3, $4, $4)"
            )
            .bind(issuer)
            .bind(&claims.subject)
            .bind(id)
            .bind(now)
            .execute(c)
            .await
            .map(|_| ())
            })?;
            id
        }
    };
    let (role, hash, person, disabled): (String, String, Option<i64>, Option<DateTime<Utc>>) =
        on_db!(tx, |c| sqlx::query_as(
            "select role, password_hash, person_id, disabled_at from users where id = $1"
        )
        .bind(user_id)
        .fetch_one(c)
        .await)?;
    if disabled.is_none() {
        let current: Role = role.parse().unwrap_or(Role::Member);
        let local_admin = current == Role::Admin && !hash.starts_with('!');
        if current != mapping.role && !(local_admin && mapping.role != Role::Admin) {
            on_db!(tx, |c| sqlx::query(
                "update users set role = $2 where id = $1"
            )
            .bind(user_id)
            .bind(mapping.role.as_str())
            .execute(c)
            .await
            .map(|_| ()))?;
            let from = mapping
                .role_from_group
                .as_deref()
                .map(|g| format!(" (group “{g}”)"))
                .unwrap_or_default();
            let summary = format!(
                "Role of {email} changed from {} to {} by single sign-on{from}",
                current.as_str(),
                mapping.role.as_str()
            );
            crate::audit::record(&mut tx, None, "user.role", "user", user_id, None, &summary)
                .await?;
            changes.push(format!(
                "role changed from {} to {}",
                current.label(),
                mapping.role.label()
            ));
        } else if current != mapping.role {
            changes.push(format!(
                "kept {}: an admin with a local password is never demoted by single sign-on",
                current.label()
            ));
        }
        if let Some(dept_name) = &mapping.department {
            let dept: Option<(i64, String)> = on_db!(tx, |c| {
                sqlx::query_as(
                "select id, name from departments where lower(name) = lower($1) and archived_at is null"
            )
            .bind(dept_name)
            .fetch_optional(c)
            .await
            })?;
            match (dept, person) {
                (None, _) => changes.push(format!(
                    "department “{dept_name}” is not in Duet, so it was left as it is"
                )),
                (Some((d, dname)), Some(p)) => {
                    let (was,): (i64,) = on_db!(tx, |c| sqlx::query_as(
                        "select department_id from people where id = $1"
                    )
                    .bind(p)
                    .fetch_one(c)
                    .await)?;
                    if was != d {
                        crate::org::bump_org_revision(&mut tx).await?;
                        on_db!(tx, |c| sqlx::query(
                            "update people set department_id = $2, updated_at = $3 where id = $1"
                        )
                        .bind(p)
                        .bind(d)
                        .bind(now)
                        .execute(c)
                        .await
                        .map(|_| ()))?;
                        let summary = format!("Moved {email} to {dname} by single sign-on");
                        crate::audit::record(
                            &mut tx,
                            None,
                            "person.update",
                            "person",
                            p,
                            Some(d),
                            &summary,
                        )
                        .await?;
                        changes.push(format!("moved to {dname}"));
                    }
                }
                (Some((d, dname)), None) => {
                    crate::org::bump_org_revision(&mut tx).await?;
                    let (p,): (i64,) = on_db!(tx, |c| {
                        sqlx::query_as(
                        "insert into people (name, email, department_id, title, level, created_at, updated_at)
                         values ($1, $2, $3, '', 'individual', $4, $4) returning id"
                    )
                    .bind(&name)
                    .bind(&email)
                    .bind(d)
                    .bind(now)
                    .fetch_one(c)
                    .await
                    })?;
                    on_db!(tx, |c| sqlx::query(
                        "update users set person_id = $2 where id = $1"
                    )
                    .bind(user_id)
                    .bind(p)
                    .execute(c)
                    .await
                    .map(|_| ()))?;
                    let summary = format!("Added {name} <{email}> to {dname} by single sign-on");
                    crate::audit::record(
                        &mut tx,
                        None,
                        "person.create",
                        "person",
                        p,
                        Some(d),
                        &summary,
                    )
                    .await?;
                    changes.push(format!("added to {dname}"));
                }
            }
        }
        on_db!(tx, |c| sqlx::query(
            "update users set last_login_at = $2 where id = $1"
        )
        .bind(user_id)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    tx.commit().await?;
    Ok(SsoSignIn {
        user: find_user(db, UserId(user_id)).await?,
        changes,
    })
}
