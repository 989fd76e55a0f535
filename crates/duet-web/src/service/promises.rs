//! Promise: the checked actions on the trust ledger, shared by pages and the API, and the trust
//! score per department pair and direction.

use crate::error::AppError;
use crate::service::de;
use chrono::Utc;
use duet_core::auth::{Action, Actor, can};
use duet_core::org::{DepartmentId, PersonId};
use duet_core::promises::{PromiseInput, TrustScore, check_renegotiation, trust_score};
use duet_store::Db;
use duet_store::promises::{self as store, Promise, PromiseEvent};

/// The window the trust explanation counts over.
pub const TRUST_WINDOW_DAYS: i64 = 90;

/// A new promise (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PromiseFields {
    /// The person who promised.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub promisor_id: Option<i64>,
    /// The department promised to.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub promisee_department_id: Option<i64>,
    /// executive, manager or individual.
    #[serde(default)]
    pub level: String,
    /// What was promised.
    #[serde(default)]
    pub text: String,
    /// `YYYY-MM-DD`, required.
    #[serde(default)]
    pub due_on: String,
    /// meeting, request or manual (default).
    #[serde(default)]
    pub source: String,
    /// The request or meeting it came from.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub source_id: Option<i64>,
}

/// Records a promise made by someone of a department the actor may speak for.
pub async fn record(db: &Db, actor: &Actor, f: &PromiseFields) -> Result<Promise, AppError> {
    let today = Utc::now().date_naive();
    let input = PromiseInput::parse(
        f.promisor_id,
        f.promisee_department_id,
        &f.level,
        &f.text,
        &f.due_on,
        &f.source,
        f.source_id,
        today,
    )?;
    let person = duet_store::org::find_person(db, PersonId(input.promisor))
        .await
        .map_err(|_| AppError::invalid("promisor_id", "no person has this id"))?;
    can(
        actor,
        Action::RecordPromise {
            promisor_department: DepartmentId(person.department_id),
        },
    )?;
    Ok(store::insert_promise(db, actor.user.0, &input, today).await?)
}

/// Closes a promise as kept or broken (its promisee department only).
pub async fn close(db: &Db, actor: &Actor, id: i64, kept: bool) -> Result<Promise, AppError> {
    let p = store::find_promise(db, id).await?;
    can(
        actor,
        Action::AnswerPromise {
            promisee: DepartmentId(p.promisee_department_id),
        },
    )?;
    Ok(store::close_promise(db, id, actor.user.0, kept, Utc::now().date_naive()).await?)
}

/// Moves the due date with the promisee's agreement, before it is due.
pub async fn renegotiate(
    db: &Db,
    actor: &Actor,
    id: i64,
    new_due: &str,
) -> Result<Promise, AppError> {
    let p = store::find_promise(db, id).await?;
    can(
        actor,
        Action::AnswerPromise {
            promisee: DepartmentId(p.promisee_department_id),
        },
    )?;
    let Some(new_due) = duet_core::requests::parse_date("due_on", new_due)? else {
        return Err(AppError::invalid("due_on", "is required"));
    };
    let today = Utc::now().date_naive();
    Ok(
        store::renegotiate(db, id, actor.user.0, new_due, today, |due| {
            check_renegotiation(due, new_due, today)
        })
        .await?,
    )
}

/// Trust in one direction of a department pair.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TrustPair {
    /// Promisor department.
    pub from_id: i64,
    /// Its name.
    pub from_name: String,
    /// Promisee department.
    pub to_id: i64,
    /// Its name.
    pub to_name: String,
    /// The score and what explains it.
    pub trust: TrustScore,
}

/// Trust for every pair and direction that has any promise history, lowest first.
pub async fn trust_pairs(db: &Db) -> Result<Vec<TrustPair>, AppError> {
    let departments = duet_store::org::list_departments(db, true).await?;
    let name = |id: i64| {
        departments
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let mut by_pair: std::collections::BTreeMap<(i64, i64), Vec<duet_core::promises::TrustEvent>> =
        Default::default();
    for (from, to, e) in store::trust_events(db).await? {
        by_pair.entry((from, to)).or_default().push(e);
    }
    let today = Utc::now().date_naive();
    let mut pairs: Vec<TrustPair> = by_pair
        .into_iter()
        .map(|((from, to), events)| TrustPair {
            from_id: from,
            from_name: name(from),
            to_id: to,
            to_name: name(to),
            trust: trust_score(&events, today, TRUST_WINDOW_DAYS),
        })
        .collect();
    pairs.sort_by(|a, b| {
        a.trust
            .score
            .unwrap_or(101.0)
            .total_cmp(&b.trust.score.unwrap_or(101.0))
    });
    Ok(pairs)
}

/// How trust from one department to another was earned and lost.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TrustPairView {
    /// The pair and its score.
    pub pair: TrustPair,
    /// What happened, newest first.
    pub history: Vec<PromiseEvent>,
    /// Promises still open in this direction.
    pub open: Vec<Promise>,
}

/// One pair's page.
pub async fn trust_pair(db: &Db, from: i64, to: i64) -> Result<TrustPairView, AppError> {
    let from_d = duet_store::org::find_department(db, DepartmentId(from)).await?;
    let to_d = duet_store::org::find_department(db, DepartmentId(to)).await?;
    let events: Vec<_> = store::trust_events(db)
        .await?
        .into_iter()
        .filter(|(f, t, _)| (*f, *t) == (from, to))
        .map(|(_, _, e)| e)
        .collect();
    let trust = trust_score(&events, Utc::now().date_naive(), TRUST_WINDOW_DAYS);
    let open = store::list_promises(
        db,
        &store::PromiseFilter {
            from: Some(from),
            to: Some(to),
            open_only: true,
            ..Default::default()
        },
        duet_store::PageRequest::new(Some(200), None),
    )
    .await?
    .items;
    Ok(TrustPairView {
        pair: TrustPair {
            from_id: from,
            from_name: from_d.name,
            to_id: to,
            to_name: to_d.name,
            trust,
        },
        history: store::events(db, None, Some((from, to))).await?,
        open,
    })
}
