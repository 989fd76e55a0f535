//! Promise: the checked actions on the trust ledger, shared by pages and the API, and the trust
//! score per department pair and direction.

use crate::error::AppError;
use crate::service::de;
use crate::service::fresh::FreshMap;
use crate::service::group_commit::{Batch, GroupCommit};
use chrono::Utc;
use duet_core::auth::{Action, Actor, can};
use duet_core::org::{DepartmentId, PersonId, UserId};
use duet_core::promises::{
    PromiseInput, TrustEvent, TrustScore, check_renegotiation, promise_level,
    trust_score_with_older,
};
use duet_store::promises::{self as store, Promise, PromiseEvent, PromiseFilter};
use duet_store::{Db, Page, PageRequest};
use std::sync::Arc;

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
    /// executive, manager or individual: the level the promise is made at, never above the
    /// promisor's own; empty means the promisor's own level.
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

/// Checks that `actor` may record a promise in the name of person `promisor`: the promisor
/// themself, their department's business leader, an IT leader or an admin. Every path that
/// records a promise (the ledger, review decisions, pain points) calls this.
pub async fn may_record(
    db: &Db,
    actor: &Actor,
    promisor: i64,
) -> Result<duet_store::org::Person, AppError> {
    let person = duet_store::org::find_person(db, PersonId(promisor))
        .await
        .map_err(|_| AppError::invalid("promisor_id", "no person has this id"))?;
    let account = store::account_of_person(db, promisor).await?;
    can(
        actor,
        Action::RecordPromise {
            promisor_department: DepartmentId(person.department_id),
            promisor: account.map(UserId),
        },
    )?;
    Ok(person)
}

/// The level to parse a promise with before its promisor is known: the one asked for, or, when
/// none was, the lowest (which any promisor may use) until [`may_record_at_level`] replaces it
/// with the promisor's own.
pub fn level_to_parse(requested: &str) -> &str {
    if requested.trim().is_empty() {
        "individual"
    } else {
        requested
    }
}

/// Checks that `actor` may record `input` in its promisor's name ([`may_record`]) and settles
/// its level: the one asked for (`requested`), never above the promisor's own level, or the
/// promisor's own level when none was asked for. Every path that records a promise calls this,
/// so the page, the API, review decisions and pain points apply the same rule.
pub async fn may_record_at_level(
    db: &Db,
    actor: &Actor,
    input: &mut PromiseInput,
    requested: &str,
) -> Result<(), AppError> {
    let person = may_record(db, actor, input.promisor).await?;
    input.level = promise_level(&person.name, person.level, requested)?;
    Ok(())
}

/// The people `actor` may record promises for, matching `q` (name, e-mail or title): everyone
/// for IT leaders and admins, their own department for a business leader, otherwise only
/// themself. At most `limit` of them, by name.
pub async fn promisor_choices(
    db: &Db,
    actor: &Actor,
    me: Option<i64>,
    q: &str,
    limit: i64,
) -> Result<Vec<duet_store::org::Person>, AppError> {
    let q = Some(q.trim().to_string()).filter(|q| !q.is_empty());
    // Whether `actor` may record in the name of someone (not themself) in department `d`.
    let may_for_others_in = |d: DepartmentId| {
        can(
            actor,
            Action::RecordPromise {
                promisor_department: d,
                promisor: None,
            },
        )
        .is_ok()
    };
    // No department has id 0, so only those who may record for anyone may record for it.
    let anyone = may_for_others_in(DepartmentId(0));
    let own_department = actor.department.filter(|d| may_for_others_in(*d));
    if !anyone && own_department.is_none() {
        let Some(me) = me else {
            return Ok(Vec::new());
        };
        let person = duet_store::org::find_person(db, PersonId(me)).await?;
        let matches = q.as_deref().is_none_or(|q| {
            let q = q.to_lowercase();
            person.name.to_lowercase().contains(&q) || person.email.to_lowercase().contains(&q)
        });
        let allowed = can(
            actor,
            Action::RecordPromise {
                promisor_department: DepartmentId(person.department_id),
                promisor: Some(actor.user),
            },
        )
        .is_ok();
        return Ok(if matches && allowed {
            vec![person]
        } else {
            Vec::new()
        });
    }
    let filter = duet_store::org::PeopleFilter {
        q,
        department: if anyone { None } else { own_department },
        ..Default::default()
    };
    let people =
        duet_store::org::list_people(db, &filter, duet_store::PageRequest::new(Some(limit), None))
            .await?
            .items;
    // Each candidate is one `can` would let the actor record for (the actor's own person counts
    // as themself).
    Ok(people
        .into_iter()
        .filter(|p| {
            can(
                actor,
                Action::RecordPromise {
                    promisor_department: DepartmentId(p.department_id),
                    promisor: (Some(p.id) == me).then_some(actor.user),
                },
            )
            .is_ok()
        })
        .collect())
}

/// Finds the person a "who promised" text names: a suggestion picked from the list ("Name ·
/// Department · e-mail"), an e-mail, or a name that matches exactly one person the actor may
/// record for.
pub async fn resolve_promisor(
    db: &Db,
    actor: &Actor,
    me: Option<i64>,
    text: &str,
) -> Result<i64, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid(
            "promisor_id",
            "is required: who made the promise",
        ));
    }
    let key = text.rsplit(" · ").next().unwrap_or(text).trim();
    let found = promisor_choices(db, actor, me, key, 20).await?;
    let exact: Vec<_> = found
        .iter()
        .filter(|p| p.email.eq_ignore_ascii_case(key) || p.name.eq_ignore_ascii_case(key))
        .collect();
    match (exact.as_slice(), found.as_slice()) {
        ([one], _) => Ok(one.id),
        ([], [one]) => Ok(one.id),
        ([], []) => Err(AppError::invalid(
            "promisor_id",
            format!("nobody you may record promises for matches “{text}”"),
        )),
        _ => Err(AppError::invalid(
            "promisor_id",
            format!("several people match “{text}”: pick one from the suggestions"),
        )),
    }
}

/// Records a promise in someone's name (see [`may_record`] for who may), through the group
/// commit of promises (see `service::group_commit`).
pub async fn record(
    db: &Db,
    cache: &PromiseCache,
    actor: &Actor,
    f: &PromiseFields,
) -> Result<Promise, AppError> {
    let today = Utc::now().date_naive();
    let mut input = PromiseInput::parse(
        f.promisor_id,
        f.promisee_department_id,
        level_to_parse(&f.level),
        &f.text,
        &f.due_on,
        &f.source,
        f.source_id,
        today,
    )?;
    may_record_at_level(db, actor, &mut input, &f.level).await?;
    cache.records.submit(db, (actor.user.0, input, today)).await
}

/// How a batch of recorded promises is written: `store::insert_promises`, one transaction for
/// all.
pub struct RecordBatch;

impl Batch for RecordBatch {
    type Item = (i64, PromiseInput, chrono::NaiveDate);
    type Out = Promise;
    const WHAT: &'static str = "promises";
    fn write(
        db: &Db,
        items: &[Self::Item],
    ) -> impl Future<Output = duet_store::Result<Vec<duet_store::Result<Promise>>>> + Send {
        store::insert_promises(db, items)
    }
}

/// Closes a promise as kept or broken (its promisee department only).
/// Where an imported history comes from, and the file.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Where the history comes from, shown on every imported promise ("ServiceNow, 2024–2026").
    pub source: Option<String>,
}

/// Imports a promise ledger's history with its original dates (admins); all rows or none, each
/// problem placed by line and column.
pub async fn import_history(
    db: &Db,
    actor: &Actor,
    tz: duet_core::time::Tz,
    source: Option<&str>,
    csv: &[u8],
) -> Result<store::HistorySummary, AppError> {
    can(actor, Action::ImportHistory)?;
    let source =
        duet_core::error::bounded_text("source", source.unwrap_or("an earlier ledger"), 1, 120)?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let rows = duet_core::promises::parse_history_csv(csv, today).map_err(AppError::Csv)?;
    Ok(store::import_history(db, actor.user.0, &source, &rows, |_| {}).await?)
}

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
    /// The score and what explains it (`score` is null with "no evidence yet").
    pub trust: TrustScore,
    /// The page listing the events (and promises) behind the score.
    pub events_href: String,
    /// The same as JSON.
    pub events_api: String,
}

impl TrustPair {
    fn new(
        from_id: i64,
        from_name: String,
        to_id: i64,
        to_name: String,
        trust: TrustScore,
    ) -> Self {
        Self {
            events_href: format!("/trust/{from_id}/{to_id}"),
            events_api: format!("/api/v1/trust/{from_id}/{to_id}"),
            from_id,
            from_name,
            to_id,
            to_name,
            trust,
        }
    }
}

/// Trust for every pair and direction that has any promise history, lowest first.
///
/// Reads the window's events and only a count of the older ones per pair
/// ([`store::trust_window`]), so the work stays that of the last [`TRUST_WINDOW_DAYS`] days
/// however long the ledger's history grows.
pub async fn trust_pairs(db: &Db) -> Result<Vec<TrustPair>, AppError> {
    let departments = duet_store::org::list_departments(db, true).await?;
    let name = |id: i64| {
        departments
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let today = Utc::now().date_naive();
    let (totals, window) =
        store::trust_window(db, today - chrono::Duration::days(TRUST_WINDOW_DAYS), None).await?;
    let mut by_pair: std::collections::BTreeMap<(i64, i64), (i64, Vec<TrustEvent>)> = totals
        .into_iter()
        .map(|(from, to, total)| ((from, to), (total, Vec::new())))
        .collect();
    for (from, to, e) in window {
        by_pair.entry((from, to)).or_default().1.push(e);
    }
    let mut pairs: Vec<TrustPair> = by_pair
        .into_iter()
        .map(|((from, to), (total, events))| {
            TrustPair::new(
                from,
                name(from),
                to,
                name(to),
                trust_score_with_older(&events, older(total, &events), today, TRUST_WINDOW_DAYS),
            )
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

/// How many of a pair's `total` trust-moving events fall before the window (`window` holds the
/// rest).
fn older(total: i64, window: &[TrustEvent]) -> u32 {
    u32::try_from((total - window.len() as i64).max(0)).unwrap_or(u32::MAX)
}

/// How trust from one department to another was earned and lost.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TrustPairView {
    /// The pair and its score.
    pub pair: TrustPair,
    /// The events the score is computed from (kept, broken, renegotiated within the window),
    /// newest first, each with its promise.
    pub evidence: Vec<PromiseEvent>,
    /// What happened, newest first.
    pub history: Vec<PromiseEvent>,
    /// Promises still open in this direction.
    pub open: Vec<Promise>,
}

/// One pair's page.
pub async fn trust_pair(db: &Db, from: i64, to: i64) -> Result<TrustPairView, AppError> {
    let from_d = duet_store::org::find_department(db, DepartmentId(from)).await?;
    let to_d = duet_store::org::find_department(db, DepartmentId(to)).await?;
    let today = Utc::now().date_naive();
    let (counts, window) = store::trust_window(
        db,
        today - chrono::Duration::days(TRUST_WINDOW_DAYS),
        Some((from, to)),
    )
    .await?;
    let total = counts.first().map_or(0, |(_, _, n)| *n);
    let events: Vec<TrustEvent> = window.into_iter().map(|(_, _, e)| e).collect();
    let trust = trust_score_with_older(&events, older(total, &events), today, TRUST_WINDOW_DAYS);
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
    let history = store::events(db, None, Some((from, to))).await?;
    let evidence = history
        .iter()
        .filter(|e| e.kind != "made" && (today - e.on_date).num_days() <= TRUST_WINDOW_DAYS)
        .cloned()
        .collect();
    Ok(TrustPairView {
        pair: TrustPair::new(from, from_d.name, to, to_d.name, trust),
        evidence,
        history,
        open,
    })
}

/// This process's cache of the ledger's reads: the trust table, pages of the ledger (and their
/// JSON, serialized once per page), and the promisor suggestions of the forms that record a
/// promise. Each is kept for one write epoch and at most two seconds (`service::fresh`), which
/// bounds how long another replica's writes take to show; anything done through this replica
/// shows on its next request. The trust table is also keyed by day: its scores age with the
/// calendar.
#[derive(Default)]
pub struct PromiseCache {
    trust: FreshMap<chrono::NaiveDate, Vec<TrustPair>, 4>,
    ledger: FreshMap<LedgerKey, Page<Promise>, 1000>,
    ledger_json: FreshMap<LedgerKey, axum::body::Bytes, 1000>,
    trust_json: FreshMap<chrono::NaiveDate, axum::body::Bytes, 4>,
    /// By account, its person and the most suggested.
    choices: FreshMap<(i64, Option<i64>, i64), Suggestions, 1000>,
    /// Group commit of recorded promises.
    records: GroupCommit<RecordBatch>,
}

/// What identifies a page of the ledger.
type LedgerKey = (PromiseFilter, PageRequest);

impl PromiseCache {
    /// The cache of the application `state` belongs to (one per application, in `AppState`).
    pub fn of(state: &crate::state::AppState) -> Arc<PromiseCache> {
        state.promises.clone()
    }
}

/// [`trust_pairs`], from the cache when nothing was written since (and on the same day).
pub async fn cached_trust_pairs(
    cache: &PromiseCache,
    db: &Db,
) -> Result<Arc<Vec<TrustPair>>, AppError> {
    let today = Utc::now().date_naive();
    cache.trust.get_or_load(today, || trust_pairs(db)).await
}

/// A page of the ledger (`store::list_promises`), from the cache when nothing was written since.
pub async fn cached_ledger(
    cache: &PromiseCache,
    db: &Db,
    filter: PromiseFilter,
    page: PageRequest,
) -> Result<Arc<Page<Promise>>, AppError> {
    let load_filter = filter.clone();
    Ok(cache
        .ledger
        .get_or_load((filter, page), || async move {
            store::list_promises(db, &load_filter, page).await
        })
        .await?)
}

/// A suggestion's text for a person ("Name · Department · e-mail"); [`resolve_promisor`] reads
/// it back.
pub fn suggestion(p: &duet_store::org::Person) -> String {
    format!("{} · {} · {}", p.name, p.department_name, p.email)
}

/// The suggestions of a form's "who promised": everyone `actor` may record promises for
/// ([`promisor_choices`] with nothing typed) as [`suggestion`]s, from the cache when nothing was
/// written since.
pub async fn cached_promisor_suggestions(
    cache: &PromiseCache,
    db: &Db,
    actor: &Actor,
    me: Option<i64>,
    limit: i64,
) -> Result<Arc<Suggestions>, AppError> {
    // The account decides the role and department (changing either is a write).
    cache
        .choices
        .get_or_load((actor.user.0, me, limit), || async {
            let people = promisor_choices(db, actor, me, "", limit).await?;
            Ok(Suggestions {
                list: people.iter().map(suggestion).collect(),
                html: std::sync::OnceLock::new(),
            })
        })
        .await
}

/// The suggestions of a "who promised" input, and their `<option>`s as HTML once a page has
/// rendered them (up to 2,000 people for an IT leader: rendering them was most of a ledger
/// page's time at 3,000 people, issue 11).
pub struct Suggestions {
    /// "Name · Department · e-mail", as [`suggestion`] writes them.
    pub list: Vec<String>,
    /// The rendered `<option>`s, filled by the page on first use.
    pub html: std::sync::OnceLock<String>,
}

/// [`cached_ledger`] as the API's JSON body, serialized once per cached page: a hit costs a copy
/// of the bytes, not a walk over fifty promises.
pub async fn cached_ledger_json(
    cache: &PromiseCache,
    db: &Db,
    filter: PromiseFilter,
    page: PageRequest,
) -> Result<Arc<axum::body::Bytes>, AppError> {
    let load_filter = filter.clone();
    cache
        .ledger_json
        .get_or_load((filter, page), || async move {
            let listed = cached_ledger(cache, db, load_filter, page).await?;
            serde_json::to_vec(&*listed)
                .map(axum::body::Bytes::from)
                .map_err(|e| AppError::Internal(e.into()))
        })
        .await
}

/// [`cached_trust_pairs`] as the API's JSON body, serialized once per cached table.
pub async fn cached_trust_json(
    cache: &PromiseCache,
    db: &Db,
) -> Result<Arc<axum::body::Bytes>, AppError> {
    let today = Utc::now().date_naive();
    cache
        .trust_json
        .get_or_load(today, || async {
            let pairs = cached_trust_pairs(cache, db).await?;
            serde_json::to_vec(&*pairs)
                .map(axum::body::Bytes::from)
                .map_err(|e| AppError::Internal(e.into()))
        })
        .await
}

/// A promise and its history.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PromiseView {
    /// The promise.
    pub promise: Promise,
    /// What happened to it.
    pub history: Vec<PromiseEvent>,
}

/// One promise with its history. Promises are open to everyone (trust is built in the open), so
/// the view is the same for every reader.
pub async fn view(db: &Db, id: i64) -> Result<PromiseView, AppError> {
    let promise = store::find_promise(db, id).await?;
    Ok(PromiseView {
        history: store::events(db, Some(id), None).await?,
        promise,
    })
}
