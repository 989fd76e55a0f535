//! See: each business department's relationship with IT, signal by signal — trust both ways,
//! the monthly review kept, IT's time to a first response, declines that ended with an
//! alternative taken up, metrics coverage of what the department cares about, and pain points
//! answered. Each signal comes from the area that owns it; this module only puts them side by
//! side, bands them and says how much evidence each stands on.

use crate::error::AppError;
use crate::service::fresh::FreshCell;
use chrono::Utc;
use duet_core::auth::{Actor, Question, Scope, scope};
use duet_core::org::DepartmentKind;
use duet_core::relationships::{self as rules, Band, SignalKind, Thresholds};
use duet_core::time::Tz;
use duet_store::Db;
use std::collections::HashMap;
use std::sync::Arc;

/// One signal of a relationship.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Signal {
    /// Which signal.
    pub kind: SignalKind,
    /// What it measures, in words.
    pub label: String,
    /// Its value (null with too little evidence or none at all).
    pub value: Option<f64>,
    /// The value as shown ("82 / 100", "3.5 days", "—").
    pub shown: String,
    /// Healthy, concerning, poor, or too little evidence.
    pub band: Band,
    /// How many records it stands on.
    pub evidence: u32,
    /// One sentence that explains it.
    pub explanation: String,
    /// The page with the records behind it.
    pub href: String,
    /// Where its bands begin.
    pub thresholds: Thresholds,
    /// The unit the thresholds are in.
    pub unit: String,
}

/// One department's relationship with IT.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Pair {
    /// The IT department.
    pub it_id: i64,
    /// The business department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Every signal, in the order of [`SignalKind::ALL`].
    pub signals: Vec<Signal>,
    /// How many signals are poor.
    pub poor: u32,
    /// How many are concerning.
    pub concerning: u32,
    /// Open early warnings on the pair.
    pub open_warnings: u32,
    /// The pair's warnings, open first (on a pair's own page; empty in the overview).
    pub warnings: Vec<duet_store::relationships::Warning>,
    /// The actions planned against them, each a promise (on a pair's own page).
    pub actions: Vec<duet_store::relationships::Action>,
}

/// Every relationship with IT, most troubled first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Overview {
    /// One per business department.
    pub pairs: Vec<Pair>,
    /// The day the signals were computed for.
    pub as_of: chrono::NaiveDate,
}

fn signal(
    kind: SignalKind,
    value: Option<f64>,
    evidence: u32,
    explanation: String,
    href: String,
) -> Signal {
    let t = rules::thresholds(kind);
    let band = rules::band(value, evidence, &t);
    let shown = match (band, value) {
        (Band::TooLittle, _) | (_, None) => "—".to_string(),
        (_, Some(v)) => match kind {
            SignalKind::TrustFromIt | SignalKind::TrustToIt | SignalKind::Coverage => {
                format!("{v:.0} / 100")
            }
            SignalKind::Reviews => {
                if v <= 0.0 {
                    "on time".to_string()
                } else {
                    format!("{v:.0} days overdue")
                }
            }
            SignalKind::Responsiveness => format!("{v:.1} days"),
            SignalKind::Alternatives | SignalKind::Voice => format!("{v:.0} %"),
            _ => format!("{v:.2} / 5"),
        },
    };
    Signal {
        kind,
        label: kind.label().to_string(),
        value,
        shown,
        band,
        evidence,
        explanation,
        href,
        thresholds: t,
        unit: rules::unit(kind).to_string(),
    }
}

/// Where the signals come from: each area's own service and caches.
#[derive(Clone, Copy)]
pub struct Sources<'a> {
    /// The database.
    pub db: &'a Db,
    /// Trust pairs.
    pub promises: &'a crate::service::promises::PromiseCache,
    /// Coverage.
    pub metrics: &'a crate::service::metrics::MetricCaches,
    /// Pulse results, through Listen's anonymity rules.
    pub listen: &'a crate::service::listen::ListenState,
    /// The organisation's time zone (days are counted in it).
    pub tz: Tz,
}

impl<'a> Sources<'a> {
    /// The sources of a running app.
    pub fn of(state: &'a crate::state::AppState) -> Self {
        Self {
            db: &state.db,
            promises: &state.promises,
            metrics: &state.metrics,
            listen: &state.listen,
            tz: state.config.time_zone,
        }
    }
}

/// Computes every relationship (no permission check: [`overview`] and [`pair`] narrow it).
async fn compute(src: Sources<'_>) -> Result<Overview, AppError> {
    let Sources {
        db,
        promises,
        metrics,
        listen,
        tz,
    } = src;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let start = rules::window_start(today);
    let since = duet_core::time::from_local(start.and_time(chrono::NaiveTime::MIN), tz);
    let departments = duet_store::org::list_departments(db, false).await?;
    let Some(it) = departments.iter().find(|d| d.kind == DepartmentKind::It) else {
        return Ok(Overview {
            pairs: Vec::new(),
            as_of: today,
        });
    };
    let trust = crate::service::promises::cached_trust_pairs(promises, db).await?;
    let reviews = crate::service::reviews::dashboard(db, tz).await?;
    let coverage = crate::service::metrics::coverage(db, metrics).await?;
    let mut waits: HashMap<i64, Vec<f64>> = HashMap::new();
    for (d, days) in duet_store::relationships::response_days(db, since).await? {
        waits.entry(d).or_default().push(days);
    }
    let declines: HashMap<i64, (i64, i64)> = duet_store::relationships::declines(db, since)
        .await?
        .into_iter()
        .map(|(d, n, up)| (d, (n, up)))
        .collect();
    let voice: HashMap<i64, (i64, i64)> = duet_store::relationships::voice(db, start)
        .await?
        .into_iter()
        .map(|(d, n, answered)| (d, (n, answered)))
        .collect();
    let pulse = latest_pulse(db, listen).await?;
    let open = duet_store::relationships::open_warnings(db).await?;
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    let mut pairs = Vec::new();
    for d in departments
        .iter()
        .filter(|d| d.kind == DepartmentKind::Business)
    {
        let mut signals = Vec::new();
        for (kind, from, to) in [
            (SignalKind::TrustFromIt, it.id, d.id),
            (SignalKind::TrustToIt, d.id, it.id),
        ] {
            let found = trust.iter().find(|p| p.from_id == from && p.to_id == to);
            signals.push(match found {
                Some(p) => signal(
                    kind,
                    p.trust.score,
                    p.trust.evidence,
                    p.trust.explanation.clone(),
                    p.events_href.clone(),
                ),
                None => signal(
                    kind,
                    None,
                    0,
                    "no promise in this direction was kept, broken or renegotiated yet".into(),
                    format!("/trust/{from}/{to}"),
                ),
            });
        }
        let review = reviews.iter().find(|l| l.row.department_id == d.id);
        signals.push(match review {
            Some(l) => signal(
                SignalKind::Reviews,
                Some(l.state.overdue_days as f64),
                1,
                l.state.message.clone(),
                "/reviews".into(),
            ),
            None => signal(
                SignalKind::Reviews,
                None,
                0,
                "no review cadence for this department".into(),
                "/reviews".into(),
            ),
        });
        let mut w = waits.remove(&d.id).unwrap_or_default();
        let n = count(w.len() as i64);
        signals.push(signal(
            SignalKind::Responsiveness,
            rules::median(&mut w),
            n,
            format!("median over the {n} request(s) IT first answered in the last 12 months"),
            "/requests".to_string(),
        ));
        let (declined, taken_up) = declines.get(&d.id).copied().unwrap_or((0, 0));
        signals.push(signal(
            SignalKind::Alternatives,
            rules::percent(count(taken_up), count(declined)),
            count(declined),
            format!(
                "{taken_up} of {declined} declined request(s) in the last 12 months ended with an alternative the requester took up"
            ),
            "/requests?status=declined".to_string(),
        ));
        let cov = coverage
            .departments
            .iter()
            .find(|c| c.department_id == d.id);
        let outcomes = cov.map_or(0, |c| c.outcomes.len());
        signals.push(signal(
            SignalKind::Coverage,
            cov.and_then(|c| c.score),
            count(outcomes as i64),
            if outcomes == 0 {
                "the department has not said what outcomes it cares about yet".to_string()
            } else {
                format!(
                    "how much of what the department said it cares about ({outcomes} outcome(s), weighted) IT measures"
                )
            },
            "/coverage".into(),
        ));
        let (posted, answered) = voice.get(&d.id).copied().unwrap_or((0, 0));
        signals.push(signal(
            SignalKind::Voice,
            rules::percent(count(answered), count(posted)),
            count(posted),
            format!("of the pain points people sent the department in Voice in the last 12 months, {answered} of {posted} were answered"),
            "/voice/inbox".into(),
        ));
        for (kind, section) in rules::PULSE_SIGNALS {
            signals.push(match &pulse {
                None => signal(
                    kind,
                    None,
                    0,
                    "no DUET pulse has closed yet".into(),
                    "/listen".into(),
                ),
                Some(p) => {
                    let href = format!("/listen/campaigns/{}/results", p.campaign.id);
                    let col = p.results.columns.iter().position(|c| c.section == section && c.horizon.is_none());
                    let cell = p
                        .results
                        .by_department
                        .iter()
                        .find(|r| r.department == d.id)
                        .and_then(|r| col.and_then(|i| r.cells.get(i).cloned().flatten()));
                    match cell {
                        Some(c) => signal(
                            kind,
                            Some(c.mean),
                            c.n,
                            format!(
                                "mean of {} people of {} in \u{201c}{}\u{201d}, closed {}",
                                c.n,
                                d.name,
                                p.campaign.title,
                                p.campaign.closes_on.format("%-d %B %Y")
                            ),
                            href,
                        ),
                        None => signal(
                            kind,
                            None,
                            0,
                            format!(
                                "not shown for {} in \u{201c}{}\u{201d}: too few answered, or showing it would single someone out",
                                d.name, p.campaign.title
                            ),
                            href,
                        ),
                    }
                }
            });
        }
        let poor = signals.iter().filter(|s| s.band == Band::Poor).count() as u32;
        let concerning = signals
            .iter()
            .filter(|s| s.band == Band::Concerning)
            .count() as u32;
        pairs.push(Pair {
            it_id: it.id,
            department_id: d.id,
            department_name: d.name.clone(),
            signals,
            poor,
            concerning,
            open_warnings: open.iter().filter(|w| w.department_id == d.id).count() as u32,
            warnings: Vec::new(),
            actions: Vec::new(),
        });
    }
    pairs.sort_by(|a, b| {
        (b.poor, b.concerning)
            .cmp(&(a.poor, a.concerning))
            .then_with(|| a.department_name.cmp(&b.department_name))
    });
    Ok(Overview {
        pairs,
        as_of: today,
    })
}

/// The last closed DUET pulse and its results, through Listen's anonymity rules.
struct Pulse {
    campaign: duet_store::listen::Campaign,
    results: Arc<duet_core::listen::results::Results>,
}

async fn latest_pulse(
    db: &Db,
    listen: &crate::service::listen::ListenState,
) -> Result<Option<Pulse>, AppError> {
    let today = Utc::now().date_naive();
    let campaigns = crate::service::listen::cached_campaigns(db, listen).await?;
    let Some(c) = campaigns
        .iter()
        .filter(|c| {
            c.instrument_kind == duet_core::listen::instruments::InstrumentKind::Pulse
                && c.phase(today) == duet_core::listen::campaigns::CampaignPhase::Closed
        })
        .max_by_key(|c| (c.closes_on, c.id))
    else {
        return Ok(None);
    };
    let inst = listen.instrument(db, c.instrument_id).await?;
    let results =
        crate::service::listen::results_of(db, listen, c, &inst.definition, None, today).await?;
    Ok(Some(Pulse {
        campaign: c.clone(),
        results,
    }))
}

/// The relationships `actor` may see (`scope(SeeRelationships)`): all of them, their own
/// department's, or none (403 for members).
pub async fn overview(
    caches: &RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
) -> Result<Overview, AppError> {
    let mine = match scope(actor, Question::SeeRelationships) {
        Scope::All => None,
        Scope::Department(d) => Some(d.0),
        Scope::Own | Scope::Nothing => {
            return Err(AppError::Forbidden(
                "you are not allowed to see relationship health".into(),
            ));
        }
    };
    let all = caches.overview.get_or_load(|| compute(src)).await?;
    Ok(Overview {
        pairs: all
            .pairs
            .iter()
            .filter(|p| mine.is_none_or(|d| d == p.department_id))
            .cloned()
            .collect(),
        as_of: all.as_of,
    })
}

/// One department's relationship with IT; 404 for a department that is not a business
/// department, 403 for one the actor may not see.
pub async fn pair(
    caches: &RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
    department: i64,
) -> Result<Pair, AppError> {
    let all = overview(caches, src, actor).await?;
    match all
        .pairs
        .into_iter()
        .find(|p| p.department_id == department)
    {
        Some(mut p) => {
            let (warnings, actions) = caches
                .warnings
                .get_or_load(department, || async {
                    Ok::<_, AppError>((
                        duet_store::relationships::warnings_of(src.db, department).await?,
                        duet_store::relationships::actions_of(src.db, department).await?,
                    ))
                })
                .await?
                .as_ref()
                .clone();
            p.warnings = warnings;
            p.actions = actions;
            Ok(p)
        }
        None => match scope(actor, Question::SeeRelationships) {
            Scope::All => Err(AppError::NotFound("relationship".into())),
            _ => Err(AppError::Forbidden(
                "you may see your own department's relationship only".into(),
            )),
        },
    }
}

/// The computed relationships, kept per process while nothing was written (at most two
/// seconds: see `service::fresh`).
#[derive(Default)]
pub struct RelationshipCaches {
    overview: FreshCell<Overview>,
    warnings: crate::service::fresh::FreshMap<
        i64,
        (
            Vec<duet_store::relationships::Warning>,
            Vec<duet_store::relationships::Action>,
        ),
        256,
    >,
    owners: crate::service::fresh::FreshMap<(i64, i64), Vec<(i64, String)>, 256>,
}

/// Housekeeping: raises an early warning for every signal that turned poor (with a notice to
/// the department's leader, IT's leaders and the department's IT partner) and clears those whose signal recovered. Returns (raised,
/// cleared). Reads fresh figures, never a cache.
pub async fn sync_warnings(src: Sources<'_>) -> Result<(u64, u64), AppError> {
    let o = compute(src).await?;
    let Some(it) = o.pairs.first().map(|p| p.it_id) else {
        return Ok((0, 0));
    };
    let mut raise = Vec::new();
    let mut poor = Vec::new();
    for p in &o.pairs {
        for s in p.signals.iter().filter(|s| s.band == Band::Poor) {
            poor.push((p.department_id, s.kind.as_str().to_string()));
            raise.push(duet_store::relationships::Raise {
                department_id: p.department_id,
                department_name: p.department_name.clone(),
                signal: s.kind.as_str().to_string(),
                reason: format!("{} is poor ({}): {}", s.label, s.shown, s.explanation),
                href: s.href.clone(),
            });
        }
    }
    Ok(duet_store::relationships::sync_warnings(src.db, &raise, &poor, it, Utc::now()).await?)
}

/// Acknowledges an open warning of `department` with a note (3 to 500 characters): anyone who
/// may see the pair (its leader, IT leaders, executives, admins).
pub async fn acknowledge(
    src: Sources<'_>,
    actor: &Actor,
    department: i64,
    id: i64,
    note: &str,
) -> Result<duet_store::relationships::Warning, AppError> {
    may_act(actor, department)?;
    let note = note.trim();
    let n = note.chars().count();
    if !(3..=500).contains(&n) {
        return Err(AppError::invalid(
            "note",
            "say in 3 to 500 characters what is being done about it",
        ));
    }
    Ok(duet_store::relationships::acknowledge(src.db, department, id, actor.user.0, note).await?)
}

/// Who `actor` may name as the owner of an action on `department`'s relationship: people of IT
/// and of the department they may record promises for, as (person id, "Name (Department)"); kept
/// per account and department while nothing was written (at most two seconds).
pub async fn owners(
    caches: &RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
    me: Option<i64>,
    department: i64,
) -> Result<Arc<Vec<(i64, String)>>, AppError> {
    may_act(actor, department)?;
    caches
        .owners
        .get_or_load((actor.user.0, department), || async {
            let it = duet_store::org::list_departments(src.db, false)
                .await?
                .iter()
                .find(|d| d.kind == DepartmentKind::It)
                .map_or(0, |d| d.id);
            Ok::<_, AppError>(
                crate::service::promises::promisor_choices(src.db, actor, me, "", 500)
                    .await?
                    .into_iter()
                    .filter(|x| x.department_id == it || x.department_id == department)
                    .map(|x| (x.id, format!("{} ({})", x.name, x.department_name)))
                    .collect(),
            )
        })
        .await
}

/// Whether `actor` may see (and so act on) `department`'s relationship.
fn may_act(actor: &Actor, department: i64) -> Result<(), AppError> {
    match scope(actor, Question::SeeRelationships) {
        Scope::All => Ok(()),
        Scope::Department(d) if d.0 == department => Ok(()),
        _ => Err(AppError::Forbidden(
            "you may act on your own department's relationship only".into(),
        )),
    }
}

/// An action against a warning (form or JSON): its owner — a person of IT or of the department,
/// who promises it to the other side — what they will do, and by when.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ActionFields {
    /// The person who owns it.
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    pub promisor_id: Option<i64>,
    /// What they will do.
    #[serde(default)]
    pub text: String,
    /// `YYYY-MM-DD`, required.
    #[serde(default)]
    pub due_on: String,
}

/// Plans an action against an open warning: it becomes a promise in the trust ledger, from the
/// owner's side of the pair to the other, so its follow-through is measured like any promise.
/// The actor must be allowed to speak for the owner (`promises::may_record_at_level`).
pub async fn plan_action(
    src: Sources<'_>,
    actor: &Actor,
    department: i64,
    warning: i64,
    f: &ActionFields,
) -> Result<duet_store::promises::Promise, AppError> {
    may_act(actor, department)?;
    let departments = duet_store::org::list_departments(src.db, false).await?;
    let it = departments
        .iter()
        .find(|d| d.kind == DepartmentKind::It)
        .map(|d| d.id)
        .ok_or_else(|| AppError::NotFound("IT department".into()))?;
    let name = departments
        .iter()
        .find(|d| d.id == department)
        .map(|d| d.name.clone())
        .ok_or_else(|| AppError::NotFound("relationship".into()))?;
    let promisee = match f.promisor_id {
        None => None,
        Some(p) => {
            let owner =
                match duet_store::org::find_person(src.db, duet_core::org::PersonId(p)).await {
                    Ok(o) => o,
                    Err(duet_store::StoreError::NotFound(_)) => {
                        return Err(AppError::invalid(
                            "promisor_id",
                            format!("there is no person #{p}"),
                        ));
                    }
                    Err(e) => return Err(e.into()),
                };
            if owner.department_id == it {
                Some(department)
            } else if owner.department_id == department {
                Some(it)
            } else {
                return Err(AppError::invalid(
                    "promisor_id",
                    format!(
                        "the owner must work in IT or in {name}: the action is a promise between the two"
                    ),
                ));
            }
        }
    };
    let today = Utc::now().with_timezone(&src.tz).date_naive();
    let mut input = duet_core::promises::PromiseInput::parse(
        f.promisor_id,
        promisee,
        crate::service::promises::level_to_parse(""),
        &f.text,
        &f.due_on,
        "manual",
        None,
        today,
    )?;
    crate::service::promises::may_record_at_level(src.db, actor, &mut input, "").await?;
    Ok(duet_store::relationships::plan_action(
        src.db,
        department,
        warning,
        actor.user.0,
        &input,
        today,
    )
    .await?)
}
