//! The audit log: who changed which person, account or API token, and when. Every change is
//! written in the same transaction as the change itself (`audit::record`), so nothing is
//! changed without its entry and no entry survives a change that was rolled back. Every signed-in
//! user can read the log: an administrator who invents people, moves someone into a small
//! department or creates an account in a real person's name does it in plain sight.
//!
//! Actions: `person.create`, `person.update`, `person.move`, `person.archive`, `person.restore`,
//! `people.import` (one per import, with counts; each person it created, moved or restored also
//! gets their own entry), `user.create`, `user.link`, `user.role`, `user.disable`, `user.enable`,
//! `user.password`, `token.create`, `token.revoke`. Entries of people carry the person's
//! department after the change (none when archived), which is how a campaign's population change
//! is counted (`listen::population_changes`). Import rows that change a matched person's name,
//! title or level get a `person.update` entry of their own.
//!
//! Who put an account's credentials in place is also kept on the rows themselves (migration
//! 0018, filled from this log for older rows): `users.password_set_by_other_at` and
//! `api_tokens.set_by_other_at`, the moment someone other than the owner (or the command line)
//! set the password or made the token. A campaign whose population was fixed before that moment
//! neither takes answers from the account nor shows it answers (`listen::credentials_borrowed`).

use crate::db::WriteTx;
use crate::{Db, Result};
use chrono::{DateTime, Utc};

/// Writes one audit entry inside the caller's write transaction, where `by` is the acting account
/// (none for the command line) and `department` the person's department after the change (none
/// for everything but people).
pub(crate) async fn record(
    tx: &mut WriteTx,
    by: Option<i64>,
    action: &str,
    subject_kind: &str,
    subject_id: i64,
    department: Option<i64>,
    summary: &str,
) -> Result<()> {
    record_change(
        tx,
        by,
        Change {
            action,
            subject_kind,
            subject_id,
            department,
            summary,
            before: None,
            after: None,
        },
    )
    .await
}

/// One change for [`record_change`]: what was done to what, in words, and the values before and
/// after (none where there was nothing before, as on a creation, or nothing after).
pub(crate) struct Change<'a> {
    /// What was done, e.g. `department.update`.
    pub action: &'a str,
    /// What it was done to.
    pub subject_kind: &'a str,
    /// Its id.
    pub subject_id: i64,
    /// A person's department after the change (none for everything else).
    pub department: Option<i64>,
    /// In words.
    pub summary: &'a str,
    /// The values before, in words.
    pub before: Option<&'a str>,
    /// The values after, in words.
    pub after: Option<&'a str>,
}

/// Keeps only what changed of two descriptions written as `field: value; field: value`, so an
/// entry reads "leader: none → Priya Raman" rather than every field twice. Descriptions of
/// another shape are kept whole.
fn changed_only(before: &str, after: &str) -> (String, String) {
    let pairs = |s: &str| -> Option<Vec<(String, String)>> {
        s.split("; ")
            .map(|p| {
                p.split_once(": ")
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect()
    };
    match (pairs(before), pairs(after)) {
        (Some(b), Some(a)) if b.len() == a.len() && b.iter().zip(&a).all(|(x, y)| x.0 == y.0) => {
            let (mut was, mut now) = (Vec::new(), Vec::new());
            for ((k, v0), (_, v1)) in b.iter().zip(&a) {
                if v0 != v1 {
                    was.push(format!("{k}: {v0}"));
                    now.push(format!("{k}: {v1}"));
                }
            }
            if was.is_empty() {
                (before.to_string(), after.to_string())
            } else {
                (was.join("; "), now.join("; "))
            }
        }
        _ => (before.to_string(), after.to_string()),
    }
}

/// Writes one audit entry with its before and after, inside the caller's write transaction.
pub(crate) async fn record_change(tx: &mut WriteTx, by: Option<i64>, c: Change<'_>) -> Result<()> {
    let (before, after) = match (c.before, c.after) {
        (Some(b), Some(a)) => {
            let (b, a) = changed_only(b, a);
            (Some(b), Some(a))
        }
        (b, a) => (b.map(str::to_string), a.map(str::to_string)),
    };
    on_db!(tx, |conn| {
        sqlx::query(
        "insert into audit_log (at, actor_user_id, action, subject_kind, subject_id, department_id, summary, before_value, after_value)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Utc::now())
    .bind(by)
    .bind(c.action)
    .bind(c.subject_kind)
    .bind(c.subject_id)
    .bind(c.department)
    .bind(c.summary)
    .bind(before)
    .bind(after)
    .execute(conn).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The kinds of entries every signed-in user may read: changes to people (and people imports)
/// and to survey campaigns, which is what makes a survey's anonymity checkable by those it asks.
pub const PUBLIC_KINDS: [&str; 3] = ["person", "import", "campaign"];

/// Account entries every signed-in user may read too, because each puts credentials in a real
/// person's hands: an account made or linked in their name, a password or token set for them by
/// someone else. Everything else (roles, disabling, revoked tokens, departments, settings) is for
/// admins.
pub const PUBLIC_ACTIONS: [&str; 5] = [
    "user.create",
    "user.link",
    "user.sso_link",
    "user.password",
    "token.create",
];

/// One change, as everyone may read it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Entry {
    /// Id; later entries have larger ids.
    pub id: i64,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// The account that made it; none when it was made on the command line.
    pub actor_user_id: Option<i64>,
    /// That account's name.
    pub actor_name: Option<String>,
    /// What was done, e.g. `person.move` or `user.create`.
    pub action: String,
    /// What it was done to: `person`, `user`, `token` or `import`.
    pub subject_kind: String,
    /// The id of that person, account or token (the importing account for an import).
    pub subject_id: i64,
    /// In words: "Moved Ann Lee from Sales to Finance".
    pub summary: String,
    /// The values before the change, in words (none: a creation, or not recorded).
    pub before_value: Option<String>,
    /// The values after the change, in words (none: not recorded).
    pub after_value: Option<String>,
}

/// One page of the log, newest first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// The entries of this page.
    pub items: Vec<Entry>,
    /// Pass as `before` to get the next (older) page; none on the last page.
    pub next_before: Option<i64>,
}

/// A page of the log, newest first: at most `limit` (1 to 1,000) entries older than the entry
/// `before` (from the newest when none); only [`PUBLIC_KINDS`] and [`PUBLIC_ACTIONS`] unless
/// `everything` (admins).
pub async fn list(db: &Db, before: Option<i64>, limit: i64, everything: bool) -> Result<AuditPage> {
    let limit = limit.clamp(1, 1000);
    const SQL: &str = "select a.id, a.at, a.actor_user_id, u.name as actor_name, a.action,
            a.subject_kind, a.subject_id, a.summary, a.before_value, a.after_value
         from audit_log a left join users u on u.id = a.actor_user_id
         where ($1 is null or a.id < $1)
           and ($3 or a.subject_kind in ('person', 'import', 'campaign')
                or a.action in ('user.create', 'user.link', 'user.sso_link', 'user.password', 'token.create'))
         order by a.id desc limit $2";
    let mut items = on_db!(db, |pool| sqlx::query_as::<_, Entry>(SQL)
        .bind(before)
        .bind(limit + 1)
        .bind(everything)
        .fetch_all(pool)
        .await)?;
    let next_before = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage { items, next_before })
}

/// Dates every entry written so far at `at`: for the demo only, whose fictional directory has
/// existed since before its first (back-dated) campaign, so its results do not flag every
/// department as "changed just before opening". A live server never calls this.
pub async fn backdate_all(db: &Db, at: DateTime<Utc>) -> Result<u64> {
    Ok({
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update audit_log set at = $1 where at > $1"
        )
        .bind(at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?)
}

/// Records an import of a company's past (`action`, e.g. `requests.import`) by the account
/// `by`: "Imported {words} from {source}", with `words` as what it wrote.
pub(crate) async fn record_import(
    tx: &mut WriteTx,
    by: i64,
    action: &str,
    source: &str,
    words: &str,
) -> Result<()> {
    let text = format!("Imported {words} from {source}");
    record_change(
        tx,
        Some(by),
        Change {
            action,
            subject_kind: "import",
            subject_id: by,
            department: None,
            summary: &text,
            before: None,
            after: Some(words),
        },
    )
    .await
}

/// Noon UTC of a day: the moment an imported event is dated (a history counts days, and noon
/// keeps the day the same in every time zone people live in).
pub(crate) fn noon(d: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}
