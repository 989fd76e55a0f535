//! Bringing a request history into Duet: each request with its original dates and its number in
//! the old tool, its requester found in the directory, and a note of where it came from. All rows
//! or none; a request already imported from the same source is left as it is.
//!
//! A request's requester is an account. A company's history names people who never signed in to
//! Duet, so a person without an account gets one that cannot sign in with a password (the
//! single-sign-on mark): they sign in through the company's provider, or an admin sets a
//! password, and either way their past requests are already theirs.

use super::*;
use crate::audit::noon;
use crate::sso::NO_PASSWORD;
use duet_core::csv_input::CsvError;
use duet_core::requests::history::{HistoricRequest, Requester};
use std::collections::HashMap;

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RequestHistorySummary {
    /// Requests written.
    pub requests: u64,
    /// Of those, still waiting to be understood or decided.
    pub open: u64,
    /// Accepted or in delivery.
    pub in_delivery: u64,
    /// Delivered or closed.
    pub finished: u64,
    /// Rows left alone because the same number was already imported from the same source.
    pub already_imported: u64,
    /// Accounts made for requesters who had none (they sign in by single sign-on, or once an
    /// admin sets a password).
    pub accounts_created: u64,
}

/// A person found for a requester: their id, name, e-mail and department.
type Found = (i64, String, String, i64);

/// Imports `rows` in one transaction, recorded by the account `by`, noting `source` on each
/// request. Every requester must be one active person (by e-mail, or by a full name only one
/// person has) and every named department an active one; every problem is reported with its
/// line and column, and then nothing is written. `progress` is told how many rows are done.
pub async fn import_history(
    db: &Db,
    by: i64,
    source: &str,
    rows: &[HistoricRequest],
    mut progress: impl FnMut(u64),
) -> Result<RequestHistorySummary> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let mut people: HashMap<String, std::result::Result<Found, String>> = HashMap::new();
    let mut departments: HashMap<String, Option<i64>> = HashMap::new();
    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        let who = r.requester.as_str().to_lowercase();
        if !people.contains_key(&who) {
            let found = find_person(&mut tx, &r.requester).await?;
            people.insert(who.clone(), found);
        }
        let department = match &r.department {
            None => None,
            Some(name) => {
                let key = name.to_lowercase();
                if !departments.contains_key(&key) {
                    let found: Option<(i64,)> = on_db!(tx, |c| {
                        sqlx::query_as(
                        "select id from departments where lower(name) = $1 and archived_at is null"
                    )
                    .bind(&key)
                    .fetch_optional(c)
                    .await
                    })?;
                    departments.insert(key.clone(), found.map(|(id,)| id));
                }
                Some((name, departments.get(&key).copied().flatten()))
            }
        };
        match (people.get(&who).cloned(), department) {
            (Some(Err(why)), _) => errors.push(CsvError::at(
                r.line,
                FieldError::new(r.requester_column, why),
            )),
            (_, Some((name, None))) => errors.push(CsvError::at(
                r.line,
                FieldError::new(
                    r.department_column,
                    format!("there is no active department named “{name}”"),
                ),
            )),
            (Some(Ok(person)), Some((_, Some(d)))) => resolved.push((r, person, d)),
            (Some(Ok(person)), None) => {
                let d = person.3;
                resolved.push((r, person, d));
            }
            // Every requester was looked up just above.
            (None, _) => {}
        }
        if errors.len() >= 100 {
            break;
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Csv(errors));
    }
    let mut summary = RequestHistorySummary::default();
    let mut accounts: HashMap<i64, i64> = HashMap::new();
    for (r, (person, name, email, _), department) in resolved {
        let already: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
            "select id from requests where imported_from = $1 and external_ref = $2"
        )
        .bind(source)
        .bind(&r.key)
        .fetch_optional(c)
        .await)?;
        if already.is_some() {
            summary.already_imported += 1;
            progress(summary.requests + summary.already_imported);
            continue;
        }
        let account = match accounts.get(&person) {
            Some(a) => *a,
            None => {
                let (account, created) =
                    account_for(&mut tx, by, source, person, &name, &email, now).await?;
                summary.accounts_created += u64::from(created);
                accounts.insert(person, account);
                account
            }
        };
        let finished_at = r.closed_on.map(noon);
        let decided = match r.status {
            Status::Submitted => None,
            _ => Some(finished_at.unwrap_or_else(|| noon(r.opened_on))),
        };
        let (id,): (i64,) = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into requests (title, problem, affected, desired_outcome, department_id, requester_id, urgency,
                 lane, status, decided_at, decision_note, created_at, updated_at, imported_from, external_ref)
             values ($1, $2, $3, $4, $5, $6, $7, 'service', $8, $9, $10, $11, $12, $13, $14) returning id",
        )
        .bind(&r.title)
        .bind(&r.problem)
        .bind("Not recorded before Duet")
        .bind("Not recorded before Duet")
        .bind(department)
        .bind(account)
        .bind(r.urgency.as_str())
        .bind(r.status.as_str())
        .bind(decided)
        .bind(&r.note)
        .bind(noon(r.opened_on))
        .bind(finished_at.unwrap_or_else(|| noon(r.opened_on)))
        .bind(source)
        .bind(&r.key)
        .fetch_one(c)
        .await
        })?;
        insert_event(
            &mut tx,
            id,
            Some(account),
            "submitted",
            &format!("submitted in {source} as {} (imported)", r.key),
            noon(r.opened_on),
        )
        .await?;
        if r.status != Status::Submitted {
            let mut detail = format!(
                "{} → {} in {source}",
                Status::Submitted.label(),
                r.status.label()
            );
            if let Some(note) = &r.note {
                detail.push_str(&format!(" ({note})"));
            }
            insert_event(
                &mut tx,
                id,
                None,
                "status_changed",
                &detail,
                decided.unwrap_or(now),
            )
            .await?;
        }
        match r.status {
            s if s.is_open() => summary.open += 1,
            Status::Accepted | Status::InDelivery => summary.in_delivery += 1,
            _ => summary.finished += 1,
        }
        summary.requests += 1;
        progress(summary.requests + summary.already_imported);
    }
    bump_revision(&mut tx, now).await?;
    let words = format!(
        "{} requests ({} open, {} in delivery, {} finished; {} already imported; {} accounts made)",
        summary.requests,
        summary.open,
        summary.in_delivery,
        summary.finished,
        summary.already_imported,
        summary.accounts_created
    );
    crate::audit::record_import(&mut tx, by, "requests.import", source, &words).await?;
    tx.commit().await?;
    Ok(summary)
}

/// The one active person a requester names, or why there is none in people's words.
async fn find_person(
    tx: &mut WriteTx,
    requester: &Requester,
) -> Result<std::result::Result<Found, String>> {
    let found: Vec<Found> = match requester {
        Requester::Email(e) => on_db!(tx, |c| {
            sqlx::query_as(
            "select id, name, email, department_id from people where email = $1 and archived_at is null"
        )
        .bind(e.as_str())
        .fetch_all(c)
        .await
        })?,
        Requester::Name(n) => on_db!(tx, |c| {
            sqlx::query_as(
            "select id, name, email, department_id from people where lower(name) = $1 and archived_at is null limit 2"
        )
        .bind(n.to_lowercase())
        .fetch_all(c)
        .await
        })?,
    };
    Ok(match (requester, found.as_slice()) {
        (_, [one]) => Ok(one.clone()),
        (Requester::Email(e), []) => Err(format!(
            "no active person has the e-mail {e}: import the people first"
        )),
        (Requester::Name(n), []) => Err(format!(
            "no active person is named “{n}”: import the people first, or export the requester's e-mail"
        )),
        (_, _) => Err(format!(
            "more than one person is named “{}”: export the requester's e-mail instead",
            requester.as_str()
        )),
    })
}

/// The account of `person`, made when they have none (no password: the single-sign-on mark),
/// and whether it was made. A made account is audited like any other.
async fn account_for(
    tx: &mut WriteTx,
    by: i64,
    source: &str,
    person: i64,
    name: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(i64, bool)> {
    let found: Option<(i64,)> = on_db!(tx, |c| {
        sqlx::query_as(
        "select id from users where person_id = $1 or email = $2 order by coalesce(person_id = $1, false) desc limit 1"
    )
    .bind(person)
    .bind(email)
    .fetch_optional(c)
    .await
    })?;
    if let Some((id,)) = found {
        return Ok((id, false));
    }
    let (id,): (i64,) = on_db!(tx, |c| sqlx::query_as(
        "insert into users (email, name, role, password_hash, person_id, created_at)
         values ($1, $2, 'member', $3, $4, $5) returning id"
    )
    .bind(email)
    .bind(name)
    .bind(NO_PASSWORD)
    .bind(person)
    .bind(now)
    .fetch_one(c)
    .await)?;
    let summary = format!(
        "Account for {name} ({email}) made by the import from {source}: member, no password (single sign-on, or an admin sets one)"
    );
    crate::audit::record_change(
        tx,
        Some(by),
        crate::audit::Change {
            action: "user.create",
            subject_kind: "user",
            subject_id: id,
            department: None,
            summary: &summary,
            before: None,
            after: Some("member, no password"),
        },
    )
    .await?;
    Ok((id, true))
}
