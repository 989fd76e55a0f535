//! The dated records behind the signals, read once per computation, and how each signal moved:
//! a point per month over the last twelve, and the last three months against the three before.
//! A month is drawn by the signal's own rules (thresholds, minimum evidence), so a thin month is
//! a gap rather than a guess.

use super::Sources;
use crate::error::AppError;
use chrono::{NaiveDate, Utc};
use duet_core::promises::TrustEvent;
use duet_core::relationships::trend::{
    self, Change, Point, QUARTER_MONTHS, TREND_MONTHS, months_before, next_month,
};
use duet_core::relationships::{Thresholds, window_start};
use std::collections::HashMap;
use std::sync::Arc;

/// A closed DUET pulse and its results, through Listen's anonymity rules.
pub(super) struct Pulse {
    pub campaign: duet_store::listen::Campaign,
    pub results: Arc<duet_core::listen::results::Results>,
}

/// One department's answers in a closed IT service gap survey, through Listen's anonymity
/// rules: per service (code), the mean importance and satisfaction (none where hidden) and the
/// respondents behind the figures.
pub(super) type ServiceAnswers = Vec<(String, Option<f64>, Option<f64>, u32)>;

/// How one review meeting felt to its two signers: (IT's tone, the department's tone).
pub(super) type Tones = (Option<String>, Option<String>);

/// A closed IT service gap survey and each business department's answers.
pub(super) struct GapSurvey {
    pub campaign: duet_store::listen::Campaign,
    /// The services it asked about (code, name): the catalogue as it stood when it was made.
    pub services: Vec<(String, String)>,
    pub by_department: HashMap<i64, ServiceAnswers>,
}

/// Everything dated the signals and their trends are drawn from.
pub(super) struct History {
    /// The day the signals are computed for (in the organisation's time zone).
    pub today: NaiveDate,
    /// The first days of the trend's months, oldest first.
    pub months: Vec<NaiveDate>,
    /// Per department: (day asked, days to IT's first response).
    pub responses: HashMap<i64, Vec<(NaiveDate, f64)>>,
    /// Per department: (day declined, alternative taken up).
    pub declines: HashMap<i64, Vec<(NaiveDate, bool)>>,
    /// Per department addressed: (day posted, answered).
    pub voice: HashMap<i64, Vec<(NaiveDate, bool)>>,
    /// Per department: the days reviews were held, oldest first.
    pub held: HashMap<i64, Vec<NaiveDate>>,
    /// Per (promisor department, promisee department): trust-moving events.
    pub trust: HashMap<(i64, i64), Vec<TrustEvent>>,
    /// The closed pulses since the trend began, and the one before (oldest first).
    pub pulses: Vec<Pulse>,
    /// The closed IT service gap surveys since the trend began, and the one before (oldest
    /// first).
    pub gaps: Vec<GapSurvey>,
    /// Per department: how the review meetings of the last 12 months felt to the leaders who
    /// signed them (IT's tone, the department's tone).
    pub tones: HashMap<i64, Vec<Tones>>,
}

impl History {
    /// Reads the window of the signals (the last 12 months) and, for trust, the 90 days before
    /// it, so the trend's first month has its full trust window.
    pub async fn load(src: Sources<'_>) -> Result<Self, AppError> {
        let tz = src.tz;
        let today = Utc::now().with_timezone(&tz).date_naive();
        let start = window_start(today);
        let since = duet_core::time::from_local(start.and_time(chrono::NaiveTime::MIN), tz);
        let day = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).date_naive();
        let mut responses: HashMap<i64, Vec<(NaiveDate, f64)>> = HashMap::new();
        for (d, asked, days) in duet_store::relationships::response_days(src.db, since).await? {
            responses.entry(d).or_default().push((day(asked), days));
        }
        let mut declines: HashMap<i64, Vec<(NaiveDate, bool)>> = HashMap::new();
        for (d, on, up) in duet_store::relationships::declines(src.db, since).await? {
            declines.entry(d).or_default().push((day(on), up));
        }
        let mut voice: HashMap<i64, Vec<(NaiveDate, bool)>> = HashMap::new();
        for (d, on, answered) in duet_store::relationships::voice(src.db, start).await? {
            voice.entry(d).or_default().push((on, answered));
        }
        let mut held: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        for (d, on) in duet_store::relationships::held_reviews(src.db).await? {
            held.entry(d).or_default().push(on);
        }
        let trust_since =
            start - chrono::Duration::days(crate::service::promises::TRUST_WINDOW_DAYS);
        let mut trust: HashMap<(i64, i64), Vec<TrustEvent>> = HashMap::new();
        for (from, to, e) in duet_store::promises::trust_window(src.db, trust_since, None)
            .await?
            .1
        {
            trust.entry((from, to)).or_default().push(e);
        }
        for events in trust.values_mut() {
            events.sort_by_key(|e| e.on);
        }
        let mut tones: HashMap<i64, Vec<Tones>> = HashMap::new();
        for (d, it, theirs) in duet_store::relationships::review_tones(src.db, start).await? {
            tones.entry(d).or_default().push((it, theirs));
        }
        let months = trend::months(today, TREND_MONTHS);
        let pulses = pulses_since(src, months[0]).await?;
        let gaps = gaps_since(src, months[0]).await?;
        Ok(Self {
            today,
            months,
            responses,
            declines,
            voice,
            held,
            trust,
            pulses,
            gaps,
            tones,
        })
    }

    /// A signal drawn over a span of days ([from, to)): its trend, one point per month — each
    /// over the three months ending with it, so a signal with a few records a month still has a
    /// line — and its change over the quarter (the same three-month spans).
    pub fn over_spans(
        &self,
        t: &Thresholds,
        at: impl Fn(NaiveDate, NaiveDate) -> (Option<f64>, u32),
    ) -> (Vec<Point>, Change) {
        let end = self.today.succ_opt().unwrap_or(self.today);
        let points = self
            .months
            .iter()
            .map(|m| {
                let next = next_month(*m);
                trend::point(
                    *m,
                    at(months_before(next, QUARTER_MONTHS), next.min(end)),
                    t,
                )
            })
            .collect();
        let q = months_before(self.today, QUARTER_MONTHS);
        let q2 = months_before(self.today, 2 * QUARTER_MONTHS);
        (points, trend::change(at(q2, q), at(q, end), t))
    }

    /// A signal that stands as of a day (trust, reviews): its value at each month's end (today
    /// for this month), and today against three months ago.
    pub fn as_of(
        &self,
        t: &Thresholds,
        at: impl Fn(NaiveDate) -> (Option<f64>, u32),
    ) -> (Vec<Point>, Change) {
        let points = self
            .months
            .iter()
            .map(|m| {
                let last = next_month(*m).pred_opt().unwrap_or(*m).min(self.today);
                trend::point(*m, at(last), t)
            })
            .collect();
        let q = months_before(self.today, QUARTER_MONTHS);
        (points, trend::change(at(q), at(self.today), t))
    }

    /// A signal read from surveys (`surveys` oldest first, the last one current): a point per
    /// survey that closed since the trend began, and the last survey against the one before.
    pub fn per_survey<S>(
        &self,
        surveys: &[S],
        closes_on: impl Fn(&S) -> NaiveDate,
        t: &Thresholds,
        at: impl Fn(&S) -> (Option<f64>, u32),
    ) -> (Vec<Point>, Change) {
        let points = surveys
            .iter()
            .filter(|s| closes_on(s) >= self.months[0])
            .map(|s| {
                let closed = closes_on(s);
                let month = chrono::Datelike::with_day(&closed, 1).unwrap_or(closed);
                trend::point(month, at(s), t)
            })
            .collect();
        let before = surveys
            .len()
            .checked_sub(2)
            .map_or((None, 0), |i| at(&surveys[i]));
        let now = surveys.last().map_or((None, 0), &at);
        (points, trend::change(before, now, t))
    }

    /// How many things passed between IT and `department` since `from`: requests answered or
    /// declined, pain points, reviews held and promises closed either way.
    pub fn interactions_since(&self, it: i64, department: i64, from: NaiveDate) -> usize {
        let n = |v: Option<&Vec<(NaiveDate, f64)>>| {
            v.map_or(0, |v| v.iter().filter(|(d, _)| *d >= from).count())
        };
        let b = |v: Option<&Vec<(NaiveDate, bool)>>| {
            v.map_or(0, |v| v.iter().filter(|(d, _)| *d >= from).count())
        };
        let trust = |k: (i64, i64)| {
            self.trust
                .get(&k)
                .map_or(0, |v| v.iter().filter(|e| e.on >= from).count())
        };
        n(self.responses.get(&department))
            + b(self.declines.get(&department))
            + b(self.voice.get(&department))
            + self
                .held
                .get(&department)
                .map_or(0, |v| v.iter().filter(|d| **d >= from).count())
            + trust((it, department))
            + trust((department, it))
    }
}

/// The closed IT service gap surveys that closed on or after `since`, and the last one before,
/// oldest first, with every business department's answers (per-department results, so each
/// figure goes through Listen's anonymity rules and release decisions).
async fn gaps_since(src: Sources<'_>, since: NaiveDate) -> Result<Vec<GapSurvey>, AppError> {
    use duet_core::listen::instruments::{SERVICE_GAP_KEY, services_of};
    let today = Utc::now().date_naive();
    let campaigns = crate::service::listen::cached_campaigns(src.db, src.listen).await?;
    let mut closed: Vec<&duet_store::listen::Campaign> = campaigns
        .iter()
        .filter(|c| {
            c.instrument_key == SERVICE_GAP_KEY
                && c.phase(today) == duet_core::listen::campaigns::CampaignPhase::Closed
        })
        .collect();
    closed.sort_by_key(|c| (c.closes_on, c.id));
    let first = closed
        .iter()
        .rposition(|c| c.closes_on < since)
        .unwrap_or(0);
    let departments = duet_store::org::list_departments(src.db, false).await?;
    let mut out = Vec::new();
    for c in &closed[first..] {
        let inst = src.listen.instrument(src.db, c.instrument_id).await?;
        let services = services_of(&inst.definition);
        let mut by_department = HashMap::new();
        for d in departments
            .iter()
            .filter(|d| d.kind == duet_core::org::DepartmentKind::Business)
        {
            let r = crate::service::listen::results_of(
                src.db,
                src.listen,
                c,
                &inst.definition,
                Some(d.id),
                today,
            )
            .await?;
            let cell = |code: String| r.items.iter().find(|i| i.code == code).and_then(|i| i.cell);
            let rows: ServiceAnswers = services
                .iter()
                .map(|(s, _)| {
                    let imp = cell(format!("{s}.importance"));
                    let sat = cell(format!("{s}.satisfaction"));
                    let n = imp
                        .as_ref()
                        .map_or(0, |x| x.n)
                        .min(sat.as_ref().map_or(0, |x| x.n));
                    (s.clone(), imp.map(|x| x.mean), sat.map(|x| x.mean), n)
                })
                .collect();
            by_department.insert(d.id, rows);
        }
        out.push(GapSurvey {
            campaign: (*c).clone(),
            services,
            by_department,
        });
    }
    Ok(out)
}

/// The closed DUET pulses that closed on or after `since`, and the last one before it (so the
/// quarter can compare a pillar between pulses), oldest first, with their results.
async fn pulses_since(src: Sources<'_>, since: NaiveDate) -> Result<Vec<Pulse>, AppError> {
    let today = Utc::now().date_naive();
    let campaigns = crate::service::listen::cached_campaigns(src.db, src.listen).await?;
    let mut closed: Vec<&duet_store::listen::Campaign> = campaigns
        .iter()
        .filter(|c| {
            c.instrument_kind == duet_core::listen::instruments::InstrumentKind::Pulse
                && c.phase(today) == duet_core::listen::campaigns::CampaignPhase::Closed
        })
        .collect();
    closed.sort_by_key(|c| (c.closes_on, c.id));
    let first = closed
        .iter()
        .rposition(|c| c.closes_on < since)
        .unwrap_or(0);
    let mut out = Vec::new();
    for c in &closed[first..] {
        let inst = src.listen.instrument(src.db, c.instrument_id).await?;
        let results = crate::service::listen::results_of(
            src.db,
            src.listen,
            c,
            &inst.definition,
            None,
            today,
        )
        .await?;
        out.push(Pulse {
            campaign: (*c).clone(),
            results,
        });
    }
    Ok(out)
}
