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
use duet_core::relationships::maturity::{self, Suggestion};
use duet_core::relationships::trend::{Change, Direction, Point};
use duet_core::relationships::{self as rules, Band, SignalKind, Thresholds};
use duet_core::time::Tz;
use duet_store::Db;
use std::sync::Arc;

pub mod catalogue;
mod history;
pub mod map;
pub mod sides;
pub mod views;

use history::History;
pub use views::ThresholdSet;

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
    /// One point per month over the last twelve (surveys: one per survey); empty for coverage,
    /// which keeps no history, and in the overview's JSON (each pair's endpoint has it).
    pub trend: Vec<Point>,
    /// The last three months against the three before (pulse signals: the last pulse against
    /// the one before); null for coverage.
    pub change: Option<Change>,
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
    /// The overall index (0–100): the weighted mean of the signals' bands, shown only beside
    /// them; null when no weighted signal has enough evidence.
    pub index: Option<f64>,
    /// The total weight the index stands on (the weights are on the thresholds page).
    pub index_weight: f64,
    /// The suggested maturity, each criterion with the signals that place it.
    pub maturity: Suggestion,
    /// Leaders' own views, newest first (on a pair's own page; empty in the overview).
    pub judgements: Vec<duet_store::relationships::views::Judgement>,
    /// Who asks and who decides, over the last 12 months.
    pub power: map::Power,
    /// The last IT service gap survey for this department, the largest gap first (empty
    /// before one has closed).
    pub services: Vec<ServiceGap>,
    /// Both sides' view: the last pulse's pillars from the department and from IT people who
    /// named it, and the mirror survey's perception gaps both ways.
    pub sides: sides::Sides,
}

/// One IT service as the department rated it in the last IT service gap survey.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ServiceGap {
    /// The service's code (`service_desk`, …).
    pub service: String,
    /// Its name.
    pub name: String,
    /// Mean importance, out of 5 (null where Listen's anonymity rules hide it).
    pub importance: Option<f64>,
    /// Mean satisfaction, out of 5 (null where hidden).
    pub satisfaction: Option<f64>,
    /// Importance − satisfaction (null where either is hidden).
    pub gap: Option<f64>,
    /// Whether it matters to them (importance at least 3.5), so its gap counts.
    pub important: bool,
    /// Respondents behind the figures.
    pub respondents: u32,
}

/// A signal that moved over the quarter.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Move {
    /// The business department of the pair.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// The signal.
    pub kind: SignalKind,
    /// Its label.
    pub label: String,
    /// Its value three months ago (or at the pulse before), as shown.
    pub before: String,
    /// Its value now, as shown.
    pub now: String,
    /// Its band then.
    pub before_band: Band,
    /// Its band now.
    pub now_band: Band,
}

/// Every relationship with IT, most troubled first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Overview {
    /// One per business department.
    pub pairs: Vec<Pair>,
    /// The day the signals were computed for.
    pub as_of: chrono::NaiveDate,
    /// Signals that improved over the last three months (or between the last two pulses).
    pub improved: Vec<Move>,
    /// Signals that declined.
    pub declined: Vec<Move>,
    /// The interaction map, silos and overlaps across every department (null for a reader who
    /// sees one department only).
    pub interactions: Option<map::Interactions>,
}

/// A signal as the overview's JSON lists it; its thresholds, unit, link and monthly trend are
/// on its pair's own endpoint (and the thresholds at `/relationships/thresholds`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SignalSummary {
    /// Which signal.
    pub kind: SignalKind,
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
    /// The last three months against the three before (null for coverage).
    pub change: Option<Change>,
}

/// A relationship as the overview's JSON lists it: its signals and summary figures; the rest
/// (both sides, the service gap, maturity's evidence, power, warnings) is on its own endpoint.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PairSummary {
    /// The IT department.
    pub it_id: i64,
    /// The business department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// The overall index (0–100), beside the signals; null with too little evidence.
    pub index: Option<f64>,
    /// The total weight the index stands on.
    pub index_weight: f64,
    /// How many signals are poor.
    pub poor: u32,
    /// How many are concerning.
    pub concerning: u32,
    /// Open early warnings on the pair.
    pub open_warnings: u32,
    /// The suggested maturity level (null with fewer than three criteria placed).
    pub maturity: Option<maturity::Level>,
    /// Every signal, in the order of [`SignalKind::ALL`].
    pub signals: Vec<SignalSummary>,
}

/// The overview's JSON: every relationship the reader may see, most troubled first, and what
/// moved this quarter. The interaction map is its own endpoint (`/relationships/map`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OverviewSummary {
    /// One per business department.
    pub pairs: Vec<PairSummary>,
    /// The day the signals were computed for.
    pub as_of: chrono::NaiveDate,
    /// Signals that improved over the last three months (or between the last two pulses).
    pub improved: Vec<Move>,
    /// Signals that declined.
    pub declined: Vec<Move>,
}

impl OverviewSummary {
    /// The summary of an overview.
    fn of(o: &Overview) -> Self {
        Self {
            pairs: o
                .pairs
                .iter()
                .map(|p| PairSummary {
                    it_id: p.it_id,
                    department_id: p.department_id,
                    department_name: p.department_name.clone(),
                    index: p.index,
                    index_weight: p.index_weight,
                    poor: p.poor,
                    concerning: p.concerning,
                    open_warnings: p.open_warnings,
                    maturity: p.maturity.level,
                    signals: p
                        .signals
                        .iter()
                        .map(|s| SignalSummary {
                            kind: s.kind,
                            value: s.value,
                            shown: s.shown.clone(),
                            band: s.band,
                            evidence: s.evidence,
                            explanation: s.explanation.clone(),
                            change: s.change.clone(),
                        })
                        .collect(),
                })
                .collect(),
            as_of: o.as_of,
            improved: o.improved.clone(),
            declined: o.declined.clone(),
        }
    }
}

/// How a signal's value is shown ("82 / 100", "3.5 days", "on time", "—").
pub fn shown(kind: SignalKind, band: Band, value: Option<f64>) -> String {
    match (band, value) {
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
            SignalKind::ServiceGap => format!("{v:.1} points"),
            _ => format!("{v:.2} / 5"),
        },
    }
}

/// A signal, banded by the thresholds in force, with its trend.
#[allow(clippy::too_many_arguments)]
fn signal(
    kind: SignalKind,
    t: Thresholds,
    value: Option<f64>,
    evidence: u32,
    explanation: String,
    href: String,
    moved: Option<(Vec<Point>, Change)>,
) -> Signal {
    let band = rules::band(value, evidence, &t);
    let (trend, change) = match moved {
        Some((p, c)) => (p, Some(c)),
        None => (Vec::new(), None),
    };
    Signal {
        kind,
        label: kind.label().to_string(),
        value,
        shown: shown(kind, band, value),
        band,
        evidence,
        explanation,
        href,
        thresholds: t,
        unit: rules::unit(kind).to_string(),
        trend,
        change,
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
    let db = src.db;
    let h = History::load(src).await?;
    let today = h.today;
    let start = rules::window_start(today);
    let end = today.succ_opt().unwrap_or(today);
    let departments = duet_store::org::list_departments(db, false).await?;
    let Some(it) = departments.iter().find(|d| d.kind == DepartmentKind::It) else {
        return Ok(Overview {
            pairs: Vec::new(),
            as_of: today,
            improved: Vec::new(),
            declined: Vec::new(),
            interactions: None,
        });
    };
    let set = views::threshold_set(db).await?;
    let trust = crate::service::promises::cached_trust_pairs(src.promises, db).await?;
    let reviews = crate::service::reviews::dashboard(db, src.tz).await?;
    let coverage = crate::service::metrics::coverage(db, src.metrics).await?;
    let open = duet_store::relationships::open_warnings(db).await?;
    let mirror = sides::last_mirror(src).await?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
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
            let t = set.get(kind);
            // Sorted by day (History sorts them), so the events known on a day are a prefix.
            let events = h.trust.get(&(from, to)).map_or(&[][..], |v| v.as_slice());
            let moved = h.as_of(&t, |day| {
                let known = events.partition_point(|e| e.on <= day);
                let s = duet_core::promises::trust_score(
                    &events[..known],
                    day,
                    crate::service::promises::TRUST_WINDOW_DAYS,
                );
                (s.score, s.evidence)
            });
            let found = trust.iter().find(|p| p.from_id == from && p.to_id == to);
            signals.push(match found {
                Some(p) => signal(
                    kind,
                    t,
                    p.trust.score,
                    p.trust.evidence,
                    p.trust.explanation.clone(),
                    p.events_href.clone(),
                    Some(moved),
                ),
                None => signal(
                    kind,
                    t,
                    None,
                    0,
                    "no promise in this direction was kept, broken or renegotiated yet".into(),
                    format!("/trust/{from}/{to}"),
                    Some(moved),
                ),
            });
        }
        let t = set.get(SignalKind::Reviews);
        let review = reviews.iter().find(|l| l.row.department_id == d.id);
        signals.push(match review {
            Some(l) => {
                let held = h.held.get(&d.id).map_or(&[][..], |v| v.as_slice());
                let moved = h.as_of(&t, |day| {
                    let last = held.iter().rev().find(|x| **x <= day).copied();
                    let since = l.row.created_at.date_naive();
                    if last.is_none() && day < since {
                        return (None, 0);
                    }
                    let c = duet_core::reviews::cadence(
                        &l.row.department_name,
                        last,
                        l.row.review_interval_days,
                        since,
                        day,
                    );
                    (Some(c.overdue_days as f64), 1)
                });
                signal(
                    SignalKind::Reviews,
                    t,
                    Some(l.state.overdue_days as f64),
                    1,
                    l.state.message.clone(),
                    "/reviews".into(),
                    Some(moved),
                )
            }
            None => signal(
                SignalKind::Reviews,
                t,
                None,
                0,
                "no review cadence for this department".into(),
                "/reviews".into(),
                None,
            ),
        });
        let t = set.get(SignalKind::Responsiveness);
        let waits = h.responses.get(&d.id).map_or(&[][..], |v| v.as_slice());
        let (value, n) = duet_core::relationships::trend::median_in(waits, start, end);
        signals.push(signal(
            SignalKind::Responsiveness,
            t,
            value,
            n,
            format!("median over the {n} request(s) IT first answered in the last 12 months"),
            "/requests".to_string(),
            Some(h.over_spans(&t, |a, b| {
                duet_core::relationships::trend::median_in(waits, a, b)
            })),
        ));
        let t = set.get(SignalKind::Alternatives);
        let declined = h.declines.get(&d.id).map_or(&[][..], |v| v.as_slice());
        let (value, n) = duet_core::relationships::trend::share_in(declined, start, end);
        let taken_up = declined
            .iter()
            .filter(|(on, up)| *up && *on >= start)
            .count();
        signals.push(signal(
            SignalKind::Alternatives,
            t,
            value,
            n,
            format!(
                "{taken_up} of {n} declined request(s) in the last 12 months ended with an alternative the requester took up"
            ),
            "/requests?status=declined".to_string(),
            Some(h.over_spans(&t, |a, b| {
                duet_core::relationships::trend::share_in(declined, a, b)
            })),
        ));
        let t = set.get(SignalKind::Coverage);
        let cov = coverage
            .departments
            .iter()
            .find(|c| c.department_id == d.id);
        let outcomes = cov.map_or(0, |c| c.outcomes.len());
        signals.push(signal(
            SignalKind::Coverage,
            t,
            cov.and_then(|c| c.score),
            count(outcomes),
            if outcomes == 0 {
                "the department has not said what outcomes it cares about yet".to_string()
            } else {
                format!(
                    "how much of what the department said it cares about ({outcomes} outcome(s), weighted) IT measures"
                )
            },
            "/coverage".into(),
            None,
        ));
        let t = set.get(SignalKind::Voice);
        let posted = h.voice.get(&d.id).map_or(&[][..], |v| v.as_slice());
        let (value, n) = duet_core::relationships::trend::share_in(posted, start, end);
        let answered = posted.iter().filter(|(on, a)| *a && *on >= start).count();
        signals.push(signal(
            SignalKind::Voice,
            t,
            value,
            n,
            format!("of the pain points people sent the department in Voice in the last 12 months, {answered} of {n} were answered"),
            "/voice/inbox".into(),
            Some(h.over_spans(&t, |a, b| {
                duet_core::relationships::trend::share_in(posted, a, b)
            })),
        ));
        for (kind, section) in rules::PULSE_SIGNALS {
            signals.push(pulse_signal(&h, set.get(kind), kind, section, d));
        }
        let (gap_signal, services) = service_gap(&h, set.get(SignalKind::ServiceGap), d);
        let tones = h.tones.get(&d.id).map_or(&[][..], |v| v.as_slice());
        let sides = sides::of(src, h.pulses.last(), mirror.as_ref(), it.id, d.id, tones).await?;
        signals.push(gap_signal);
        let poor = signals.iter().filter(|s| s.band == Band::Poor).count() as u32;
        let concerning = signals
            .iter()
            .filter(|s| s.band == Band::Concerning)
            .count() as u32;
        let weighted: Vec<(Band, f64)> = signals
            .iter()
            .map(|s| (s.band, s.thresholds.weight))
            .collect();
        let (index, index_weight) =
            rules::index(&weighted).map_or((None, 0.0), |(i, w)| (Some(i), w));
        let bands: Vec<(SignalKind, Band)> = signals.iter().map(|s| (s.kind, s.band)).collect();
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
            index,
            index_weight,
            maturity: maturity::suggest(&bands),
            judgements: Vec::new(),
            power: map::Power::default(),
            services,
            sides,
        });
    }
    pairs.sort_by(|a, b| {
        (b.poor, b.concerning)
            .cmp(&(a.poor, a.concerning))
            .then_with(|| a.department_name.cmp(&b.department_name))
    });
    let since = duet_core::time::from_local(start.and_time(chrono::NaiveTime::MIN), src.tz);
    let pair_band = |d: i64| {
        let index = pairs
            .iter()
            .find(|p| p.department_id == d)
            .and_then(|p| p.index);
        match index {
            None => Band::TooLittle,
            Some(i) if i >= 75.0 => Band::Healthy,
            Some(i) if i >= 50.0 => Band::Concerning,
            Some(_) => Band::Poor,
        }
    };
    let trust_of = |a: i64, b: i64| {
        trust
            .iter()
            .find(|p| p.from_id == a && p.to_id == b)
            .map_or((None, 0), |p| (p.trust.score, p.trust.evidence))
    };
    let drawn = map::draw(db, &departments, since, &pair_band, &trust_of).await?;
    for p in &mut pairs {
        p.power = drawn
            .power
            .get(&p.department_id)
            .cloned()
            .unwrap_or_else(|| map::Power {
                summary: "Nothing passed between them and IT in the last 12 months: no request, promise or review.".into(),
                ..Default::default()
            });
    }
    let (mut improved, mut declined) = (Vec::new(), Vec::new());
    for p in &pairs {
        for s in &p.signals {
            let Some(c) = &s.change else { continue };
            let m = Move {
                department_id: p.department_id,
                department_name: p.department_name.clone(),
                kind: s.kind,
                label: s.label.clone(),
                before: shown(s.kind, c.before_band, c.before),
                now: shown(s.kind, c.now_band, c.now),
                before_band: c.before_band,
                now_band: c.now_band,
            };
            match c.direction {
                Direction::Improved => improved.push(m),
                Direction::Declined => declined.push(m),
                Direction::Steady | Direction::Unknown => {}
            }
        }
    }
    Ok(Overview {
        pairs,
        as_of: today,
        improved,
        declined,
        interactions: Some(drawn.interactions),
    })
}

/// The IT service gap of department `d`: the largest gap among the services that matter to its
/// people in the last IT service gap survey, one point per survey, the last against the one
/// before, and the survey's services ranked, largest gap first.
fn service_gap(
    h: &History,
    t: Thresholds,
    d: &duet_store::org::Department,
) -> (Signal, Vec<ServiceGap>) {
    let kind = SignalKind::ServiceGap;
    let Some(last) = h.gaps.last() else {
        return (
            signal(
                kind,
                t,
                None,
                0,
                "no IT service gap survey has closed yet".into(),
                "/listen".into(),
                None,
            ),
            Vec::new(),
        );
    };
    let largest = |g: &history::GapSurvey| {
        let rows = g.by_department.get(&d.id)?;
        let list: Vec<(&str, Option<f64>, Option<f64>)> = rows
            .iter()
            .map(|(s, i, sat, _)| (s.as_str(), *i, *sat))
            .collect();
        let (service, gap) = rules::largest_gap(&list)?;
        let n = rows.iter().find(|r| r.0 == service).map_or(0, |r| r.3);
        Some((service.to_string(), gap, n))
    };
    let (trend, change) = h.per_survey(
        &h.gaps,
        |g| g.campaign.closes_on,
        &t,
        |g| largest(g).map_or((None, 0), |(_, v, n)| (Some(v), n)),
    );
    let href = format!("/listen/campaigns/{}/results", last.campaign.id);
    let name = |code: &str| {
        last.services
            .iter()
            .find(|(c, _)| c == code)
            .map_or(code.to_string(), |(_, n)| {
                duet_core::listen::instruments::in_sentence(n)
            })
    };
    let mut services: Vec<ServiceGap> = last
        .by_department
        .get(&d.id)
        .map(|rows| {
            rows.iter()
                .map(|(s, i, sat, n)| ServiceGap {
                    service: s.to_string(),
                    name: capitalised(&name(s)),
                    importance: *i,
                    satisfaction: *sat,
                    gap: i.zip(*sat).map(|(i, s)| i - s),
                    important: i.is_some_and(|i| i >= rules::IMPORTANT),
                    respondents: *n,
                })
                .collect()
        })
        .unwrap_or_default();
    services.sort_by(|a, b| {
        (b.important, b.gap.unwrap_or(f64::MIN))
            .partial_cmp(&(a.important, a.gap.unwrap_or(f64::MIN)))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let s = match largest(last) {
        Some((service, gap, n)) => signal(
            kind,
            t,
            Some(gap),
            n,
            format!(
                "largest gap among the services that matter to {} ({} people): {} — importance minus satisfaction, in \u{201c}{}\u{201d}",
                d.name,
                n,
                name(&service),
                last.campaign.title
            ),
            href,
            Some((trend, change)),
        ),
        None => signal(
            kind,
            t,
            None,
            0,
            format!(
                "not shown for {} in \u{201c}{}\u{201d}: too few answered, or no service matters enough to them",
                d.name, last.campaign.title
            ),
            href,
            Some((trend, change)),
        ),
    };
    (s, services)
}

/// `s` with its first letter in capitals ("data and reporting" → "Data and reporting").
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A pulse pillar of department `d`: its mean in the last closed pulse, one point per pulse over
/// the last twelve months, and the last pulse against the one before — each figure through
/// Listen's anonymity rules (a cell Listen does not show is "too little evidence" here too).
fn pulse_signal(
    h: &History,
    t: Thresholds,
    kind: SignalKind,
    section: &str,
    d: &duet_store::org::Department,
) -> Signal {
    let cell = |p: &history::Pulse| {
        let col = p
            .results
            .columns
            .iter()
            .position(|c| c.section == section && c.horizon.is_none());
        p.results
            .by_department
            .iter()
            .find(|r| r.department == d.id)
            .and_then(|r| col.and_then(|i| r.cells.get(i).cloned().flatten()))
    };
    let Some(last) = h.pulses.last() else {
        return signal(
            kind,
            t,
            None,
            0,
            "no DUET pulse has closed yet".into(),
            "/listen".into(),
            None,
        );
    };
    let (trend, change) = h.per_survey(
        &h.pulses,
        |p| p.campaign.closes_on,
        &t,
        |p| cell(p).map_or((None, 0), |c| (Some(c.mean), c.n)),
    );
    let href = format!("/listen/campaigns/{}/results", last.campaign.id);
    match cell(last) {
        Some(c) => signal(
            kind,
            t,
            Some(c.mean),
            c.n,
            format!(
                "mean of {} people of {} in \u{201c}{}\u{201d}, closed {}",
                c.n,
                d.name,
                last.campaign.title,
                last.campaign.closes_on.format("%-d %B %Y")
            ),
            href,
            Some((trend, change)),
        ),
        None => signal(
            kind,
            t,
            None,
            0,
            format!(
                "not shown for {} in \u{201c}{}\u{201d}: too few answered, or showing it would single someone out",
                d.name, last.campaign.title
            ),
            href,
            Some((trend, change)),
        ),
    }
}

/// Whose relationships `actor` may see: every department's (none), one department's, or 403.
fn seen_by(actor: &Actor) -> Result<Option<i64>, AppError> {
    match scope(actor, Question::SeeRelationships) {
        Scope::All => Ok(None),
        Scope::Department(d) => Ok(Some(d.0)),
        Scope::Own | Scope::Nothing => Err(AppError::Forbidden(
            "you are not allowed to see relationship health".into(),
        )),
    }
}

/// The relationships `actor` may see (`scope(SeeRelationships)`): all of them (the shared
/// computation itself, not a copy), their own department's, or none (403 for members).
pub async fn overview(
    caches: &RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
) -> Result<Arc<Overview>, AppError> {
    let mine = seen_by(actor)?;
    let all = caches.overview.get_or_load(|| compute(src)).await?;
    if mine.is_none() {
        return Ok(all);
    }
    let keep = |d: i64| mine.is_none_or(|m| m == d);
    Ok(Arc::new(Overview {
        pairs: all
            .pairs
            .iter()
            .filter(|p| keep(p.department_id))
            .cloned()
            .collect(),
        as_of: all.as_of,
        improved: all
            .improved
            .iter()
            .filter(|m| keep(m.department_id))
            .cloned()
            .collect(),
        declined: all
            .declined
            .iter()
            .filter(|m| keep(m.department_id))
            .cloned()
            .collect(),
        interactions: None,
    }))
}

/// [`overview`] as JSON: for readers who see every department, serialised once per computation
/// (the overview of 50 departments is a large document, and every such reader gets the same).
pub async fn overview_json(
    caches: &RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
) -> Result<axum::body::Bytes, AppError> {
    let o = overview(caches, src, actor).await?;
    // The overview is a list: each pair's detail (trends, both sides, the service gap, …) is on
    // its own endpoint and the map on its own, which keeps the document a small fraction of the
    // whole.
    let encode = |o: &Overview| {
        serde_json::to_vec(&OverviewSummary::of(o))
            .map(axum::body::Bytes::from)
            .map_err(|e| AppError::Internal(e.into()))
    };
    if seen_by(actor)?.is_some() {
        return encode(&o);
    }
    Ok(caches
        .json
        .get_or_load(|| async { encode(&o) })
        .await?
        .as_ref()
        .clone())
}

/// The interaction map as JSON, for readers who see every department (403 for the others).
pub async fn map_json(
    caches: &RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
) -> Result<axum::body::Bytes, AppError> {
    let o = overview(caches, src, actor).await?;
    let Some(m) = o.interactions.as_ref() else {
        return Err(AppError::Forbidden(
            "the map shows every department's requests and promises; you see your own department's relationship only".into(),
        ));
    };
    Ok(caches
        .map_json
        .get_or_load(|| async {
            serde_json::to_vec(m)
                .map(axum::body::Bytes::from)
                .map_err(|e| AppError::Internal(e.into()))
        })
        .await?
        .as_ref()
        .clone())
}

/// One department's relationship with IT; 404 for a department that is not a business
/// department, 403 for one the actor may not see.
pub async fn pair(
    caches: &RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
    department: i64,
) -> Result<Pair, AppError> {
    let mine = seen_by(actor)?;
    if mine.is_some_and(|m| m != department) {
        return Err(AppError::Forbidden(
            "you may see your own department's relationship only".into(),
        ));
    }
    let all = caches.overview.get_or_load(|| compute(src)).await?;
    let Some(found) = all.pairs.iter().find(|p| p.department_id == department) else {
        return Err(AppError::NotFound("relationship".into()));
    };
    let mut p = found.clone();
    let (warnings, actions, judgements) = caches
        .warnings
        .get_or_load(department, || async {
            Ok::<_, AppError>((
                duet_store::relationships::warnings_of(src.db, department).await?,
                duet_store::relationships::actions_of(src.db, department).await?,
                duet_store::relationships::views::judgements_of(src.db, department).await?,
            ))
        })
        .await?
        .as_ref()
        .clone();
    p.warnings = warnings;
    p.actions = actions;
    p.judgements = judgements;
    Ok(p)
}

/// A pair's warnings, the actions against them and leaders' views, read together.
type PairRecords = (
    Vec<duet_store::relationships::Warning>,
    Vec<duet_store::relationships::Action>,
    Vec<duet_store::relationships::views::Judgement>,
);

/// The computed relationships, kept per process while nothing was written (at most two
/// seconds: see `service::fresh`).
#[derive(Default)]
pub struct RelationshipCaches {
    overview: FreshCell<Overview>,
    warnings: crate::service::fresh::FreshMap<i64, PairRecords, 256>,
    owners: crate::service::fresh::FreshMap<(i64, i64), Vec<(i64, String)>, 256>,
    /// The overview as JSON, for readers who see every department.
    json: FreshCell<axum::body::Bytes>,
    /// The interaction map, drawn (by the pages).
    pub(crate) map_svg: FreshCell<String>,
    /// The interaction map as JSON.
    map_json: FreshCell<axum::body::Bytes>,
    /// The overview page's body for readers who see every department (by the pages: the same
    /// for all of them; the page around it carries the reader's own menu and form token).
    pub(crate) overview_html: FreshCell<String>,
    /// The board report's body for readers who see every department, without and with a page
    /// per pair (by the pages).
    pub(crate) report_html: crate::service::fresh::FreshMap<bool, String, 2>,
    /// The IT service catalogue in force.
    pub(crate) catalogue: FreshCell<duet_store::listen::Instrument>,
    /// Each pair's trend charts, drawn (by the pages).
    pub(crate) charts: crate::service::fresh::FreshMap<i64, Vec<String>, 256>,
    /// The thresholds in force and their history.
    pub(crate) thresholds: FreshCell<(
        Vec<views::ThresholdRow>,
        Vec<duet_store::relationships::views::ThresholdVersion>,
    )>,
}

/// Housekeeping: raises an early warning for every signal that turned poor, for trust or a pulse
/// pillar that declined over the quarter, for pain points rising (at least three in the last
/// three months and half as many again as in the three before), and for a pair with nothing
/// between them for a quarter — each with a notice to the department's leader, IT's leaders and
/// the department's IT partner — and clears those whose evidence recovered. Returns (raised,
/// cleared). Reads fresh figures, never a cache.
pub async fn sync_warnings(src: Sources<'_>) -> Result<(u64, u64), AppError> {
    let o = compute(src).await?;
    let Some(it) = o.pairs.first().map(|p| p.it_id) else {
        return Ok((0, 0));
    };
    let h = History::load(src).await?;
    let q = duet_core::relationships::trend::months_before(h.today, 3);
    let q2 = duet_core::relationships::trend::months_before(h.today, 6);
    let created: std::collections::HashMap<i64, chrono::NaiveDate> =
        duet_store::reviews::cadence_rows(src.db)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.department_id,
                    r.created_at.with_timezone(&src.tz).date_naive(),
                )
            })
            .collect();
    let mut raise = Vec::new();
    for p in &o.pairs {
        let mut warn = |signal: String, reason: String, href: &str| {
            raise.push(duet_store::relationships::Raise {
                department_id: p.department_id,
                department_name: p.department_name.clone(),
                signal,
                reason,
                href: href.to_string(),
            });
        };
        for s in &p.signals {
            if s.band == Band::Poor {
                warn(
                    s.kind.as_str().to_string(),
                    format!("{} is poor ({}): {}", s.label, s.shown, s.explanation),
                    &s.href,
                );
            }
            let falls = matches!(
                s.kind,
                SignalKind::TrustFromIt
                    | SignalKind::TrustToIt
                    | SignalKind::PulseDiscipline
                    | SignalKind::PulseUnity
                    | SignalKind::PulseEmpathy
                    | SignalKind::PulseTrust
            );
            if let Some(c) = s
                .change
                .as_ref()
                .filter(|c| falls && s.band != Band::Poor && c.direction == Direction::Declined)
            {
                let pulse = rules::PULSE_SIGNALS.iter().any(|(k, _)| *k == s.kind);
                warn(
                    format!("falling:{}", s.kind.as_str()),
                    format!(
                        "{} is falling: {} {}, {} now",
                        s.label,
                        shown(s.kind, c.before_band, c.before),
                        if pulse {
                            "in the pulse before"
                        } else {
                            "three months ago"
                        },
                        shown(s.kind, c.now_band, c.now)
                    ),
                    &s.href,
                );
            }
        }
        let posted = h
            .voice
            .get(&p.department_id)
            .map_or(&[][..], |v| v.as_slice());
        let recent = posted.iter().filter(|(d, _)| *d >= q).count();
        let before = posted.iter().filter(|(d, _)| *d >= q2 && *d < q).count();
        if recent >= 3 && recent * 2 >= before * 3 && recent > before {
            warn(
                "rising:voice".to_string(),
                format!(
                    "Pain points are rising: {recent} sent to {} in the last three months, {before} in the three before",
                    p.department_name
                ),
                "/voice/inbox",
            );
        }
        // One side a point or more wrong about how the other sees the relationship overall.
        if let Some(m) = &p.sides.mirror {
            let overall = m.items.iter().find(|i| i.statement == "overall");
            if let Some(i) = overall.filter(|i| i.it_misreads.is_some_and(|g| g >= 1.0)) {
                warn(
                    "perception".to_string(),
                    format!(
                        "IT believes {d} rates the relationship {:.1} of 5; {d} rates it {:.1} (\u{201c}{}\u{201d})",
                        i.it_guess.map_or(0.0, |c| c.mean),
                        i.department_own.map_or(0.0, |c| c.mean),
                        m.title,
                        d = p.department_name
                    ),
                    &format!("/relationships/{}#both-sides", p.department_id),
                );
            }
        }
        // A department younger than the quarter has not had the time to go quiet.
        let old_enough = created.get(&p.department_id).is_some_and(|c| *c <= q);
        if old_enough && h.interactions_since(it, p.department_id, q) == 0 {
            warn(
                "quiet".to_string(),
                format!(
                    "Nothing passed between IT and {} for three months: no request answered or declined, no review held, no promise closed, no pain point",
                    p.department_name
                ),
                &format!("/relationships/{}", p.department_id),
            );
        }
    }
    let live: Vec<(i64, String)> = raise
        .iter()
        .map(|r| (r.department_id, r.signal.clone()))
        .collect();
    Ok(duet_store::relationships::sync_warnings(src.db, &raise, &live, it, Utc::now()).await?)
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
