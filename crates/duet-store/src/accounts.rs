//! Accounts (who can sign in, with which role) and their personal API tokens.

use crate::db::WriteTx;
use crate::{Db, Result, StoreError};
use chrono::{DateTime, Utc};
use duet_core::auth::{Actor, Role};
use duet_core::org::{DepartmentId, Email, UserId};
use duet_core::secret;

/// An account as shown to admins. The password hash never leaves the store.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Sign-in e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// The person record behind the account, if any.
    pub person_id: Option<i64>,
    /// That person's department, which scopes a business leader's rights.
    pub department_id: Option<i64>,
    /// Set when the account can no longer sign in.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl User {
    /// The actor this account acts as.
    pub fn actor(&self) -> Actor {
        Actor {
            user: UserId(self.id),
            role: self.role,
            department: self.department_id.map(DepartmentId),
        }
    }
}

macro_rules! user_sql {
    ($($tail:tt)+) => {
        concat!(
            "select u.id, u.email, u.name, u.role, u.person_id, p.department_id, u.disabled_at, u.last_login_at, u.created_at
             from users u left join people p on p.id = u.person_id ",
            $($tail)+
        )
    };
}

/// A new account; the password is already hashed (hashing is slow and belongs off the executor).
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in e-mail.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// The latest moment at which someone other than account `$id`'s owner put one of its live
/// credentials in place (its password, or a token not revoked), read inside the transaction
/// `$tx`; none if never. Evaluates to `Option<DateTime<Utc>>`. A campaign whose population was
/// fixed before it neither takes answers from the account nor shows it answers (`listen`).
async fn borrowed_since(tx: &mut WriteTx, id: i64) -> Result<Option<DateTime<Utc>>> {
    // When someone else last set the password, and made a live token.
    type Moments = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let row: Option<Moments> = on_db!(tx, |c| {
        sqlx::query_as(
        "select u.password_set_by_other_at,
            (select max(t.set_by_other_at) from api_tokens t where t.user_id = u.id and t.revoked_at is null)
         from users u where u.id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.and_then(|(p, t)| p.max(t)))
}

/// Creates an account, linking it to the person with the same e-mail if there is one; recorded
/// in the audit log as done on the command line.
pub async fn insert_user(db: &Db, new: &NewUser) -> Result<User> {
    insert_user_by(db, None, new).await
}

/// Creates an account on behalf of the account `by` (none: the command line), linking it to the
/// person with the same e-mail if there is one. The creation and the link are each audited, in
/// the same transaction: an account made in a real person's name is there for everyone to see.
pub async fn insert_user_by(db: &Db, by: Option<i64>, new: &NewUser) -> Result<User> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let (id, person): (i64, Option<i64>) = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into users (email, name, role, password_hash, person_id, created_at, password_set_by_other_at)
             values ($1, $2, $3, $4, (select p.id from people p where p.email = $1 and not exists (select 1 from users x where x.person_id = p.id)), $5, $5)
             returning id, person_id",
        )
        .bind(new.email.as_str())
        .bind(&new.name)
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(now)
        .fetch_one(c)
        .await
        })?;
        let summary = format!(
            "Created {} account {} ({})",
            new.role.as_str(),
            new.email.as_str(),
            new.name
        );
        crate::audit::record(
            &mut tx,
            by,
            "user.create",
            "user",
            id,
            None::<i64>,
            &summary,
        )
        .await?;
        if let Some(person) = person {
            let (name, dept): (String, String) = on_db!(tx, |c| {
                sqlx::query_as(
                "select p.name, d.name from people p join departments d on d.id = p.department_id where p.id = $1",
            )
            .bind(person)
            .fetch_one(c)
            .await
            })?;
            let summary = format!("Linked account {} to {name} ({dept})", new.email.as_str());
            crate::audit::record(&mut tx, by, "user.link", "user", id, None::<i64>, &summary)
                .await?;
        }
        id
    };
    tx.commit().await?;
    find_user(db, UserId(id)).await
}

/// Finds an account.
pub async fn find_user(db: &Db, id: UserId) -> Result<User> {
    const SQL: &str = user_sql!("where u.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, User>(SQL)
        .bind(id.0)
        .fetch_optional(pool)
        .await)?
    .ok_or(StoreError::NotFound("account"))
}

/// Lists every account by name.
pub async fn list_users(db: &Db) -> Result<Vec<User>> {
    const SQL: &str = user_sql!("order by u.name, u.id");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, User>(SQL)
        .fetch_all(pool)
        .await)?)
}

/// The account and stored password hash for a sign-in attempt (enabled accounts only).
pub async fn find_login(db: &Db, email: &str) -> Result<Option<(User, String)>> {
    const SQL: &str = user_sql!("where u.email = $1 and u.disabled_at is null");
    let email = email.trim().to_lowercase();
    let user = on_db!(db, |pool| sqlx::query_as::<_, User>(SQL)
        .bind(&email)
        .fetch_optional(pool)
        .await)?;
    let Some(user) = user else { return Ok(None) };
    let (hash,): (String,) = on_db!(db, |pool| sqlx::query_as(
        "select password_hash from users where id = $1"
    )
    .bind(user.id)
    .fetch_one(pool)
    .await)?;
    Ok(Some((user, hash)))
}

/// Records a successful sign-in.
pub async fn touch_login(db: &Db, id: UserId) -> Result<()> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update users set last_login_at = $1 where id = $2"
        )
        .bind(Utc::now())
        .bind(id.0)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}

/// Changes an account's role and whether it is disabled; recorded in the audit log as done on
/// the command line.
pub async fn update_user(db: &Db, id: UserId, role: Role, disabled: bool) -> Result<User> {
    update_user_by(db, None, id, role, disabled).await
}

/// Changes an account's role and whether it is disabled, on behalf of the account `by` (none: the
/// command line), audited in the same transaction. Disabling also ends its sessions and revokes
/// its tokens, so access stops at once on every replica.
pub async fn update_user_by(
    db: &Db,
    by: Option<i64>,
    id: UserId,
    role: Role,
    disabled: bool,
) -> Result<User> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    {
        let before: Option<(String, String, Option<DateTime<Utc>>)> =
            on_db!(tx, |c| sqlx::query_as(
                "select email, role, disabled_at from users where id = $1"
            )
            .bind(id.0)
            .fetch_optional(c)
            .await)?;
        let done = on_db!(tx, |c| sqlx::query(
            "update users set role = $1,
                 disabled_at = case when $2 then coalesce(disabled_at, $3) else null end
             where id = $4",
        )
        .bind(role.as_str())
        .bind(disabled)
        .bind(now)
        .bind(id.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound("account"));
        }
        if disabled {
            on_db!(tx, |c| sqlx::query(
                "delete from sessions where user_id = $1"
            )
            .bind(id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            on_db!(tx, |c| sqlx::query(
                "update api_tokens set revoked_at = $1 where user_id = $2 and revoked_at is null"
            )
            .bind(now)
            .bind(id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        if let Some((email, was_role, was_disabled)) = before {
            if was_role != role.as_str() {
                let summary = format!(
                    "Changed the role of {email} from {was_role} to {}",
                    role.as_str()
                );
                crate::audit::record(
                    &mut tx,
                    by,
                    "user.role",
                    "user",
                    id.0,
                    None::<i64>,
                    &summary,
                )
                .await?;
            }
            if was_disabled.is_some() != disabled {
                let (action, summary) = if disabled {
                    (
                        "user.disable",
                        format!("Disabled {email} (its sessions ended, its API tokens revoked)"),
                    )
                } else {
                    ("user.enable", format!("Enabled {email} again"))
                };
                crate::audit::record(&mut tx, by, action, "user", id.0, None::<i64>, &summary)
                    .await?;
            }
        }
    };
    tx.commit().await?;
    find_user(db, id).await
}

/// Sets a new password hash and ends every session of the account; recorded in the audit log as
/// done on the command line.
pub async fn set_password(db: &Db, id: UserId, password_hash: &str) -> Result<()> {
    set_password_by(db, None, id, password_hash).await
}

/// Sets a new password hash on behalf of the account `by` (none: the command line) and ends
/// every session of the account; audited in the same transaction, saying whether the owner did it
/// or someone else (who could then sign in as them).
pub async fn set_password_by(
    db: &Db,
    by: Option<i64>,
    id: UserId,
    password_hash: &str,
) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    // Set by someone else: now. Set by the owner: whatever moment their account already held
    // (someone signed in with a password they were given is indistinguishable from the owner).
    let own = by == Some(id.0);
    let held = if own {
        borrowed_since(&mut tx, id.0).await?
    } else {
        Some(now)
    };
    let done = on_db!(tx, |c| sqlx::query(
        "update users set password_hash = $1, password_set_by_other_at = $2 where id = $3"
    )
    .bind(password_hash)
    .bind(held)
    .bind(id.0)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("account"));
    }
    on_db!(tx, |c| sqlx::query(
        "delete from sessions where user_id = $1"
    )
    .bind(id.0)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let (email,): (String,) = on_db!(tx, |c| sqlx::query_as(
        "select email from users where id = $1"
    )
    .bind(id.0)
    .fetch_one(c)
    .await)?;
    let summary = if by == Some(id.0) {
        format!("{email} changed their own password")
    } else {
        format!("Set a new password for {email}")
    };
    crate::audit::record(
        &mut tx,
        by,
        "user.password",
        "user",
        id.0,
        None::<i64>,
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A personal API token as listed to its owner (never the secret itself).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// Owner account.
    pub user_id: i64,
    /// What the owner calls it ("reporting script").
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last used (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Set when revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Creates a token for `user` (recorded in the audit log as done on the command line) and returns
/// it with its secret, which is shown once and stored only as a hash.
pub async fn insert_token(db: &Db, user: UserId, name: &str) -> Result<(ApiToken, String)> {
    insert_token_by(db, None, user, name).await
}

/// Creates a token for `user` on behalf of the account `by` (none: the command line), audited in
/// the same transaction, and returns it with its secret (shown once, stored only as a hash).
pub async fn insert_token_by(
    db: &Db,
    by: Option<i64>,
    user: UserId,
    name: &str,
) -> Result<(ApiToken, String)> {
    let secret = secret::new_secret("duet_").map_err(|_| {
        StoreError::Invalid(duet_core::FieldError::new(
            "token",
            "could not generate a token",
        ))
    })?;
    let hash = secret::hash_secret(&secret);
    let prefix: String = secret.chars().take(12).collect();
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let token = {
        // Made by someone else: now. Made by the owner: the moment their account already held, so
        // a token made through a password or token someone else set inherits it.
        let held = if by == Some(user.0) {
            borrowed_since(&mut tx, user.0).await?
        } else {
            Some(now)
        };
        let token = on_db!(tx, |c| {
            sqlx::query_as::<_, ApiToken>(
            "insert into api_tokens (user_id, name, token_hash, prefix, created_at, set_by_other_at) values ($1, $2, $3, $4, $5, $6)
             returning id, user_id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(user.0)
        .bind(name)
        .bind(&hash)
        .bind(&prefix)
        .bind(now)
        .bind(held)
        .fetch_one(c)
        .await
        })?;
        let (email,): (String,) = on_db!(tx, |c| sqlx::query_as(
            "select email from users where id = $1"
        )
        .bind(user.0)
        .fetch_one(c)
        .await)?;
        let summary = format!("Created API token \u{201c}{name}\u{201d} for {email}");
        crate::audit::record(
            &mut tx,
            by,
            "token.create",
            "token",
            token.id,
            None::<i64>,
            &summary,
        )
        .await?;
        token
    };
    tx.commit().await?;
    Ok((token, secret))
}

/// The tokens of one account, newest first.
pub async fn list_tokens(db: &Db, user: UserId) -> Result<Vec<ApiToken>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, ApiToken>(
        "select id, user_id, name, prefix, created_at, last_used_at, revoked_at from api_tokens where user_id = $1 order by id desc",
    )
    .bind(user.0)
    .fetch_all(pool)
    .await
    })?)
}

/// Finds a token by id (for the permission check before revoking).
pub async fn find_token(db: &Db, id: i64) -> Result<ApiToken> {
    on_db!(db, |pool| sqlx::query_as::<_, ApiToken>(
        "select id, user_id, name, prefix, created_at, last_used_at, revoked_at from api_tokens where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?
    .ok_or(StoreError::NotFound("token"))
}

/// Revokes a token, recorded in the audit log as done on the command line; revoking twice is
/// harmless.
pub async fn revoke_token(db: &Db, id: i64) -> Result<()> {
    revoke_token_by(db, None, id).await
}

/// Revokes a token on behalf of the account `by` (none: the command line), audited in the same
/// transaction; revoking twice is harmless (and audited once).
pub async fn revoke_token_by(db: &Db, by: Option<i64>, id: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    {
        let revoked: Option<(String, String)> = on_db!(tx, |c| sqlx::query_as(
            "update api_tokens set revoked_at = $1 where id = $2 and revoked_at is null
             returning name, (select email from users u where u.id = api_tokens.user_id)",
        )
        .bind(Utc::now())
        .bind(id)
        .fetch_optional(c)
        .await)?;
        if let Some((name, email)) = revoked {
            let summary = format!("Revoked API token \u{201c}{name}\u{201d} of {email}");
            crate::audit::record(
                &mut tx,
                by,
                "token.revoke",
                "token",
                id,
                None::<i64>,
                &summary,
            )
            .await?;
        }
    };
    tx.commit().await?;
    Ok(())
}

/// An account found through a token, with when the token was last used.
#[derive(sqlx::FromRow)]
struct TokenUser {
    #[sqlx(flatten)]
    user: User,
    token_last_used: Option<DateTime<Utc>>,
}

/// The enabled account a bearer token belongs to, if the token is valid and not revoked.
pub async fn user_for_token(db: &Db, token: &str) -> Result<Option<User>> {
    token_user(db, token, true).await
}

/// The account behind a token without writing anything, not even `last_used_at`: for sending
/// survey answers, whose moment must not be recorded next to the sender's token.
pub async fn peek_user_for_token(db: &Db, token: &str) -> Result<Option<User>> {
    token_user(db, token, false).await
}

async fn token_user(db: &Db, token: &str, touch: bool) -> Result<Option<User>> {
    const SQL: &str =
        "select u.id, u.email, u.name, u.role, u.person_id, p.department_id, u.disabled_at,
                u.last_login_at, u.created_at, t.last_used_at as token_last_used
         from api_tokens t join users u on u.id = t.user_id left join people p on p.id = u.person_id
         where t.token_hash = $1 and t.revoked_at is null and u.disabled_at is null";
    let hash = secret::hash_secret(token);
    let found = on_db!(db, |pool| sqlx::query_as::<_, TokenUser>(SQL)
        .bind(&hash)
        .fetch_optional(pool)
        .await)?;
    let Some(found) = found else { return Ok(None) };
    // Written at most once a minute per token, so API reads stay reads under load.
    let now = Utc::now();
    if touch
        && found
            .token_last_used
            .is_none_or(|t| t < now - chrono::Duration::minutes(1))
    {
        {
            let _turn = db.touch_turn().await;
            on_db!(db, |pool| sqlx::query(
                "update api_tokens set last_used_at = $1 where token_hash = $2"
            )
            .bind(now)
            .bind(&hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        }?;
    }
    Ok(Some(found.user))
}

/// Accounts by name, one page at a time, of one department (the linked person's) or all: the
/// API's list, which never hands out every account at once.
pub async fn page_users(
    db: &Db,
    department: Option<i64>,
    window: crate::PageRequest,
) -> Result<crate::Page<User>> {
    const ONE: &str =
        user_sql!("where p.department_id = $1 order by u.name, u.id limit $2 offset $3");
    const ALL: &str = user_sql!("order by u.name, u.id limit $1 offset $2");
    let (items, total): (Vec<User>, i64) = match department {
        Some(d) => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, User>(ONE)
                .bind(d)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| {
                sqlx::query_as("select count(*) from users u join people p on p.id = u.person_id where p.department_id = $1").bind(d).fetch_one(pool).await
            })?;
            (rows, n)
        }
        None => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, User>(ALL)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as("select count(*) from users")
                .fetch_one(pool)
                .await)?;
            (rows, n)
        }
    };
    Ok(crate::Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}
