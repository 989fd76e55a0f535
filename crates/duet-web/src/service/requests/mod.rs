//! Decide: the checked actions on requests shared by pages and the API.

use crate::error::AppError;
use crate::service::de;
use crate::service::fresh::{FreshCell, FreshMap, Served};
use crate::service::group_commit::{Batch, GroupCommit};
use chrono::Utc;
use duet_core::FieldError;
use duet_core::auth::{Action, Actor, Question, Scope, can, scope};
use duet_core::finance::{BusinessCase, CashFlow, FlowKind, Money};
use duet_core::org::{DepartmentId, UserId};
use duet_core::requests::{
    self as rules, Decision, DecisionFields, DecisionGate, Lane, RequestInput, Risk, Status,
};
use duet_store::portfolio::{self as portfolio_store, Goal, Settings};
use duet_store::requests::{
    self as store, AlternativeRow, BenefitYear, Event, Notification, Request, RequestFilter,
    StoredCase, Team,
};
use duet_store::{Db, Page, PageRequest};
use std::sync::Arc;

/// Listing filters for requests.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestParams {
    /// `service` or `portfolio`.
    #[param(value_type = Option<duet_core::requests::Lane>, inline)]
    pub lane: Option<String>,
    /// Only requests waiting for understanding or a decision (queue order).
    #[serde(default)]
    pub open: bool,
    /// Only mine.
    #[serde(default)]
    pub mine: bool,
    /// Only those I champion (executives).
    #[serde(default)]
    pub championed: bool,
    /// Only this department's.
    pub department_id: Option<i64>,
    /// Only requests in this status (`submitted`, `understanding`, `need_confirmed`, …).
    #[param(value_type = Option<duet_core::requests::Status>, inline)]
    pub status: Option<String>,
    /// Title contains.
    pub q: Option<String>,
    /// Page size (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Builds the filter, narrowed to what the actor may see (asked of `scope`, shared by the
/// request list page and the API): members their own requests, business
/// leaders their department's (or their own).
pub fn visible_filter(
    who: &duet_core::Actor,
    p: &RequestParams,
) -> Result<RequestFilter, AppError> {
    let lane = p
        .lane
        .as_deref()
        .filter(|l| !l.is_empty())
        .map(str::parse::<Lane>)
        .transpose()?;
    let status = p
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<duet_core::requests::Status>)
        .transpose()?;
    let mut f = RequestFilter {
        lane,
        open_only: p.open,
        requester: p.mine.then_some(who.user.0),
        department: p.department_id,
        q: p.q.clone(),
        champion: p.championed.then_some(who.user.0),
        status,
    };
    match scope(who, Question::SeeRequests) {
        Scope::Own | Scope::Nothing => f.requester = Some(who.user.0),
        Scope::Department(d) if f.requester.is_none() => f.department = Some(d.0),
        Scope::Department(_) | Scope::All => {}
    }
    Ok(f)
}

/// A new request (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RequestFields {
    /// Short title.
    #[serde(default)]
    #[schema(required = true, min_length = 3, max_length = 140)]
    pub title: String,
    /// The problem, in your words.
    #[serde(default)]
    #[schema(required = true, min_length = 10, max_length = 5000)]
    pub problem: String,
    /// Who is affected.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub affected: String,
    /// The outcome you want.
    #[serde(default)]
    #[schema(required = true, min_length = 5, max_length = 2000)]
    pub desired_outcome: String,
    /// Requesting department (defaults to yours).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub department_id: Option<i64>,
    /// `low`, `normal`, `high` or `critical`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::requests::Urgency>, required = true)]
    pub urgency: String,
    /// `YYYY-MM-DD`, optional (empty: no date).
    #[serde(default)]
    #[schema(pattern = r"^(\d{4}-\d{2}-\d{2})?$")]
    pub date_needed: String,
}

/// Submits a request, through the group commit of submits (see `service::group_commit`).
pub async fn submit(
    db: &Db,
    caches: &RequestCaches,
    actor: &Actor,
    f: &RequestFields,
) -> Result<Request, AppError> {
    can(actor, Action::SubmitRequest)?;
    // People raise requests for their own department; IT, executives and admins for any.
    if let Some(d) = f.department_id
        && can(
            actor,
            Action::RaiseRequestFor {
                department: duet_core::org::DepartmentId(d),
            },
        )
        .is_err()
    {
        return Err(AppError::invalid(
            "department_id",
            "you can raise requests for your own department",
        ));
    }
    let dept = f.department_id.or(actor.department.map(|d| d.0));
    let input = RequestInput::parse(
        &f.title,
        &f.problem,
        &f.affected,
        &f.desired_outcome,
        dept,
        &f.urgency,
        &f.date_needed,
    )?;
    caches.submits.submit(db, (actor.user.0, input)).await
}

/// How a batch of submits is written: `store::insert_requests`, one transaction for all.
pub struct SubmitBatch;

impl Batch for SubmitBatch {
    type Item = (i64, RequestInput);
    type Out = Request;
    const WHAT: &'static str = "requests";
    fn write(
        db: &Db,
        items: &[(i64, RequestInput)],
    ) -> impl Future<Output = duet_store::Result<Vec<duet_store::Result<Request>>>> + Send {
        store::insert_requests(db, items)
    }
}

/// Loads a request the actor may see.
pub async fn visible(db: &Db, actor: &Actor, id: i64) -> Result<Request, AppError> {
    let r = store::find_request(db, id).await?;
    if can(
        actor,
        Action::ViewRequest {
            requester: UserId(r.requester_id),
            department: DepartmentId(r.department_id),
        },
    )
    .is_err()
    {
        // Someone else's request is reported as missing, so ids cannot be probed.
        return Err(AppError::NotFound("request".into()));
    }
    Ok(r)
}

/// Everything a request's page shows.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RequestView {
    /// The request.
    pub request: Request,
    /// Its timeline.
    pub events: Vec<Event>,
    /// Alternatives offered with a decline.
    pub alternatives: Vec<AlternativeRow>,
    /// Its business case, if any.
    pub business_case: Option<StoredCase>,
    /// Expected against realised benefits.
    pub benefits: Vec<BenefitYear>,
}

/// A request with its timeline, alternatives, business case and benefits.
pub async fn view(
    db: &Db,
    caches: &RequestCaches,
    actor: &Actor,
    id: i64,
) -> Result<Arc<RequestView>, AppError> {
    let v = caches
        .views
        .get_or_load(id, || async {
            Ok::<_, AppError>(RequestView {
                request: store::find_request(db, id).await?,
                events: store::events(db, id).await?,
                alternatives: store::alternatives(db, id).await?,
                business_case: store::find_business_case(db, id).await?,
                benefits: store::benefits(db, id).await?,
            })
        })
        .await?;
    let r = &v.request;
    if can(
        actor,
        Action::ViewRequest {
            requester: UserId(r.requester_id),
            department: DepartmentId(r.department_id),
        },
    )
    .is_err()
    {
        // Someone else's request is reported as missing, so ids cannot be probed.
        return Err(AppError::NotFound("request".into()));
    }
    Ok(v)
}

/// One page of requests matching `filter` (already narrowed to what the reader may see, by
/// `api::requests::visible_filter`).
pub async fn list(
    db: &Db,
    caches: &RequestCaches,
    filter: &RequestFilter,
    page: PageRequest,
) -> Result<Arc<Served<Page<Request>>>, AppError> {
    Ok(caches
        .lists
        .get_or_load((filter.clone(), page), || async {
            store::list_requests(db, filter, page)
                .await
                .map(Served::new)
        })
        .await?)
}

/// The intake settings, goals and IT teams that every request page shows.
pub async fn settings(db: &Db, caches: &RequestCaches) -> Result<Arc<Settings>, AppError> {
    Ok(caches
        .settings
        .get_or_load(|| portfolio_store::settings(db))
        .await?)
}

/// The organisation's goals (see [`settings`]).
pub async fn goals(db: &Db, caches: &RequestCaches) -> Result<Arc<Vec<Goal>>, AppError> {
    Ok(caches
        .goals
        .get_or_load(|| portfolio_store::goals(db))
        .await?)
}

/// The IT teams (see [`settings`]).
pub async fn teams(db: &Db, caches: &RequestCaches) -> Result<Arc<Vec<Team>>, AppError> {
    Ok(caches.teams.get_or_load(|| store::teams(db)).await?)
}

/// Recently read request pages, lists and the small tables every request page shows, per process
/// (`service::fresh`). A request page ran eight queries and a list page read and decoded fifty
/// rows on every view; through sqlx's SQLite worker thread each query costs a thread hop per
/// row, which held these pages to a tenth of a bare handler (issue 11). They are read once per
/// write epoch and two seconds now, and permissions are still checked on every view.
#[derive(Default)]
pub struct RequestCaches {
    views: FreshMap<i64, RequestView, 1024>,
    lists: FreshMap<(RequestFilter, PageRequest), Served<Page<Request>>>,
    settings: FreshCell<Settings>,
    goals: FreshCell<Vec<Goal>>,
    teams: FreshCell<Vec<Team>>,
    goal_pages: FreshMap<PageRequest, Page<Goal>>,
    /// Each reader's notifications: (user, department filter, window).
    notifications: FreshMap<(i64, Option<i64>, PageRequest), Page<Notification>, 1024>,
    /// Group commit of submitted requests.
    submits: GroupCommit<SubmitBatch>,
}

/// One page of the organisation's goals, most important first.
pub async fn goals_page(
    db: &Db,
    caches: &RequestCaches,
    window: PageRequest,
) -> Result<Arc<Page<Goal>>, AppError> {
    Ok(caches
        .goal_pages
        .get_or_load(window, || portfolio_store::page_goals(db, window))
        .await?)
}

/// One page of the reader's own notifications, newest first (of requests of one department when
/// given). Marking them read is a write, so the next view shows it.
pub async fn notifications_page(
    db: &Db,
    caches: &RequestCaches,
    actor: &Actor,
    department: Option<i64>,
    window: PageRequest,
) -> Result<Arc<Page<Notification>>, AppError> {
    let user = actor.user.0;
    Ok(caches
        .notifications
        .get_or_load((user, department, window), || {
            store::page_notifications(db, user, department, window)
        })
        .await?)
}

/// Writes the need statement: IT's restatement, or the requester's correction.
pub async fn state_need(
    db: &Db,
    actor: &Actor,
    id: i64,
    statement: &str,
) -> Result<Request, AppError> {
    let r = visible(db, actor, id).await?;
    can(
        actor,
        Action::EditNeed {
            requester: UserId(r.requester_id),
        },
    )?;
    let statement = rules::parse_need(statement)?;
    Ok(store::state_need(db, id, actor.user.0, &statement).await?)
}

/// The requester confirms IT's statement.
pub async fn confirm_need(db: &Db, actor: &Actor, id: i64) -> Result<Request, AppError> {
    let r = visible(db, actor, id).await?;
    can(
        actor,
        Action::RespondAsRequester {
            requester: UserId(r.requester_id),
        },
    )?;
    Ok(store::confirm_need(db, id, actor.user.0).await?)
}

/// IT records that it tried to reach the requester (starts the working-day clock).
pub async fn record_attempt(
    db: &Db,
    actor: &Actor,
    id: i64,
    note: &str,
) -> Result<Request, AppError> {
    visible(db, actor, id).await?;
    can(actor, Action::TriageRequest)?;
    let note = duet_core::error::prose_text("note", note, 0, 500)?;
    Ok(store::record_attempt(db, id, actor.user.0, Utc::now().date_naive(), &note).await?)
}

/// Assigns the IT team.
pub async fn assign_team(
    db: &Db,
    actor: &Actor,
    id: i64,
    team: Option<i64>,
) -> Result<Request, AppError> {
    visible(db, actor, id).await?;
    can(actor, Action::TriageRequest)?;
    let team = team.ok_or_else(|| AppError::invalid("it_team_id", "is required"))?;
    Ok(store::assign_team(db, id, actor.user.0, team).await?)
}

/// A decision (form or JSON). Up to three alternatives travel as numbered fields so a plain
/// HTML form can carry them.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DecisionForm {
    /// `accept`, `defer` or `decline`.
    #[serde(default)]
    pub decision: String,
    /// For `defer`: the date to revisit (`YYYY-MM-DD`).
    #[serde(default)]
    pub until: String,
    /// A note for the requester.
    #[serde(default)]
    pub note: String,
    /// For `decline`: security, cost, capacity, duplicate, policy, out_of_scope.
    #[serde(default)]
    pub reason: String,
    /// Alternative 1: kind (condition_for_yes, another_tool, workaround, later_date).
    #[serde(default)]
    pub alt1_kind: String,
    /// Alternative 1: what is offered.
    #[serde(default)]
    pub alt1: String,
    /// Alternative 2: kind.
    #[serde(default)]
    pub alt2_kind: String,
    /// Alternative 2: what is offered.
    #[serde(default)]
    pub alt2: String,
    /// Alternative 3: kind.
    #[serde(default)]
    pub alt3_kind: String,
    /// Alternative 3: what is offered.
    #[serde(default)]
    pub alt3: String,
    /// For security declines: the risk.
    #[serde(default)]
    pub security_risk: String,
    /// For security declines: what would make it a yes.
    #[serde(default)]
    pub security_yes_if: String,
}

/// Decides a request, once the need is understood (and, in the portfolio, signed off).
pub async fn decide(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &DecisionForm,
) -> Result<Request, AppError> {
    visible(db, actor, id).await?;
    can(actor, Action::TriageRequest)?;
    let fields = DecisionFields {
        decision: &f.decision,
        until: &f.until,
        note: &f.note,
        reason: &f.reason,
        alternatives: vec![
            (&f.alt1_kind, &f.alt1),
            (&f.alt2_kind, &f.alt2),
            (&f.alt3_kind, &f.alt3),
        ],
        security_risk: &f.security_risk,
        security_yes_if: &f.security_yes_if,
    };
    let decision = Decision::parse(&fields)?;
    let settings = portfolio_store::settings(db).await?;
    let today = Utc::now().date_naive();
    let d = decision.clone();
    let gate = move |facts: &store::GateFacts| {
        rules::may_decide(
            &DecisionGate {
                status: facts.status,
                lane: facts.lane,
                attempt_on: facts.attempt_on,
                today,
                wait_days: settings.wait_days,
                portfolio_ready: facts.portfolio_ready,
                need_confirmed: facts.need_confirmed,
            },
            &d,
        )
    };
    Ok(store::decide(db, id, actor.user.0, &decision, gate).await?)
}

/// The requester says whether they took up an offered alternative.
pub async fn answer_alternative(
    db: &Db,
    actor: &Actor,
    id: i64,
    alternative: i64,
    taken_up: bool,
) -> Result<(), AppError> {
    let r = visible(db, actor, id).await?;
    can(
        actor,
        Action::RespondAsRequester {
            requester: UserId(r.requester_id),
        },
    )?;
    Ok(store::answer_alternative(db, id, alternative, actor.user.0, taken_up).await?)
}

/// Escalates a request to IT's leaders with a reason (10 to 2,000 characters): its requester, or
/// a business leader or executive of its department, once IT declined it or left it undecided
/// for `ESCALATE_AFTER_DAYS` days; once per request. Counted in the relationship's power
/// dynamics.
pub async fn escalate(db: &Db, actor: &Actor, id: i64, reason: &str) -> Result<Request, AppError> {
    let r = visible(db, actor, id).await?;
    can(
        actor,
        Action::EscalateRequest {
            requester: UserId(r.requester_id),
            department: duet_core::org::DepartmentId(r.department_id),
        },
    )?;
    let reason = duet_core::requests::escalation_reason(reason)?;
    store::escalate(db, id, actor.user.0, &reason, Utc::now().date_naive()).await?;
    Ok(store::find_request(db, id).await?)
}

/// An executive adopts the request (promoting it to the portfolio).
pub async fn champion(db: &Db, actor: &Actor, id: i64) -> Result<Request, AppError> {
    let r = visible(db, actor, id).await?;
    can(
        actor,
        Action::Champion {
            requester: UserId(r.requester_id),
            self_allowed: r.self_champion_allowed,
        },
    )?;
    Ok(store::champion(db, id, actor.user.0).await?)
}

/// An admin lets (or stops letting) the requester champion their own request.
pub async fn allow_self_champion(
    db: &Db,
    actor: &Actor,
    id: i64,
    allowed: bool,
) -> Result<Request, AppError> {
    visible(db, actor, id).await?;
    can(actor, Action::AllowSelfChampion)?;
    Ok(store::set_self_champion_allowed(db, id, actor.user.0, allowed).await?)
}

/// How each IT team listens: response times, confirmed needs, declines and alternatives taken up.
/// The same for every reader and a scan of every request, so it is read at most once per write
/// epoch and two seconds (`service::fresh`).
pub async fn team_stats(
    db: &Db,
    cache: &TeamStatsCache,
) -> Result<Vec<rules::TeamStats>, AppError> {
    let stats = cache.0.get_or_load(|| read_team_stats(db)).await?;
    Ok(stats.as_ref().clone())
}

/// The last read team statistics, per process (see `team_stats`).
#[derive(Default)]
pub struct TeamStatsCache(crate::service::fresh::FreshCell<Vec<rules::TeamStats>>);

/// `team_stats` without its cache: the database counts (see `store::team_figures`).
async fn read_team_stats(db: &Db) -> Result<Vec<rules::TeamStats>, AppError> {
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(store::team_figures(db)
        .await?
        .into_iter()
        .map(|t| rules::TeamStats {
            requests: count(t.requests),
            median_first_response_hours: t.median_first_response_hours,
            median_confirmed_need_hours: t.median_confirmed_need_hours,
            decline_rate: (t.decided > 0).then(|| t.declined as f64 / t.decided as f64),
            alternatives_offered: count(t.alternatives_offered),
            alternatives_taken_up: count(t.alternatives_taken_up),
            team: t.team,
        })
        .collect())
}

/// Marks all of the actor's notifications read.
pub async fn mark_read(db: &Db, actor: &Actor) -> Result<(), AppError> {
    Ok(store::mark_read(db, actor.user.0).await?)
}

mod cases;
pub use cases::*;

/// The shape and origin of an imported request history.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestHistoryParams {
    /// `duet` (Duet's own columns, the default), `servicenow` or `jira` (their CSV exports).
    #[param(inline)]
    pub format: Option<rules::history::HistoryFormat>,
    /// Where the history comes from, shown on every imported request (the tool's name by
    /// default).
    pub source: Option<String>,
}

/// Imports a request history with its original dates (admins); all rows or none, each problem
/// placed by line and column; a request already imported from the same source is left alone.
pub async fn import_history(
    db: &Db,
    actor: &Actor,
    tz: duet_core::time::Tz,
    params: &RequestHistoryParams,
    csv: &[u8],
) -> Result<store::RequestHistorySummary, AppError> {
    can(actor, Action::ImportHistory)?;
    let format = params.format.unwrap_or(rules::history::HistoryFormat::Duet);
    let default_source = match format {
        rules::history::HistoryFormat::Duet => "an earlier request log",
        other => other.label(),
    };
    let source = duet_core::error::bounded_text(
        "source",
        params.source.as_deref().unwrap_or(default_source),
        1,
        120,
    )?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let rows = rules::history::parse_history_csv(csv, format, today).map_err(AppError::Csv)?;
    Ok(store::import_history(db, actor.user.0, &source, &rows, |_| {}).await?)
}
