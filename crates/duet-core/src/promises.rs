//! Promise: the trust ledger. Who promised what to whom, at which level, by when — and whether it
//! was kept, broken or renegotiated. Promises run both ways: business departments' promises to
//! IT count exactly as much as IT's to the business.
//!
//! "Be aware of broken promises at all levels" and "communicate how your trust can be
//! earned/lost": the trust score of a department pair in one direction is the on-time keep rate,
//! weighted towards recent events, with renegotiations counted apart from breaking, and always
//! shown with the counts that explain it.

use crate::error::prose_text;
use crate::org::Level;
use crate::{FieldError, ValidationErrors};
use chrono::NaiveDate;

wire_enum!(
    /// Where a promise stands.
    PromiseStatus, "status" {
        Open = "open" / "Open",
        Kept = "kept" / "Kept",
        Broken = "broken" / "Broken",
    }
);

wire_enum!(
    /// Where a promise came from.
    PromiseSource, "source" {
        Meeting = "meeting" / "Review meeting",
        Request = "request" / "Request",
        Manual = "manual" / "Recorded by hand",
    }
);

/// A new promise as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseInput {
    /// The person who promised.
    pub promisor: i64,
    /// The department receiving the promise.
    pub promisee_department: i64,
    /// The level it was made at.
    pub level: Level,
    /// What was promised.
    pub text: String,
    /// When it is due (a promise without a due date is only an intention).
    pub due_on: NaiveDate,
    /// Where it came from.
    pub source: PromiseSource,
    /// The request or meeting it came from.
    pub source_id: Option<i64>,
}

impl PromiseInput {
    /// Validates every field; the due date is required and may not be in the past.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        promisor: Option<i64>,
        promisee_department: Option<i64>,
        level: &str,
        text: &str,
        due_on: &str,
        source: &str,
        source_id: Option<i64>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let promisor = promisor.filter(|p| *p > 0);
        if promisor.is_none() {
            errs.0.push(FieldError::new(
                "promisor_id",
                "is required: who made the promise",
            ));
        }
        let promisee = promisee_department.filter(|d| *d > 0);
        if promisee.is_none() {
            errs.0.push(FieldError::new(
                "promisee_department_id",
                "is required: which department it was made to",
            ));
        }
        let level = errs.check(level.parse::<Level>());
        let text = errs.check(prose_text("text", text, 5, 1000));
        let due_on = match crate::requests::parse_date("due_on", due_on) {
            Ok(Some(d)) if d < today => {
                errs.0
                    .push(FieldError::new("due_on", "must not be in the past"));
                None
            }
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                errs.0.push(FieldError::new(
                    "due_on",
                    "is required: a promise needs a due date",
                ));
                None
            }
            Err(e) => {
                errs.0.push(e);
                None
            }
        };
        let source = errs.check(if source.trim().is_empty() {
            Ok(PromiseSource::Manual)
        } else {
            source.parse::<PromiseSource>()
        });
        match (promisor, promisee, level, text, due_on, source) {
            (
                Some(promisor),
                Some(promisee_department),
                Some(level),
                Some(text),
                Some(due_on),
                Some(source),
            ) if errs.0.is_empty() => Ok(Self {
                promisor,
                promisee_department,
                level,
                text,
                due_on,
                source,
                source_id,
            }),
            _ => Err(errs),
        }
    }
}

/// A renegotiation must happen before the due date and move it.
pub fn check_renegotiation(
    current_due: NaiveDate,
    new_due: NaiveDate,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if today > current_due {
        return Err(FieldError::new(
            "due_on",
            "a promise can only be renegotiated before it is due; once overdue it is kept late or broken",
        ));
    }
    if new_due <= current_due {
        return Err(FieldError::new(
            "due_on",
            "the new due date must be later than the current one",
        ));
    }
    Ok(())
}

/// How high a level is in the organisation: an executive outranks a manager, who outranks an
/// individual contributor.
fn rank(level: Level) -> u8 {
    match level {
        Level::Executive => 2,
        Level::Manager => 1,
        Level::Individual => 0,
    }
}

/// Who a person at `level` is, in words ("an individual contributor").
fn described(level: Level) -> &'static str {
    match level {
        Level::Executive => "an executive",
        Level::Manager => "a manager",
        Level::Individual => "an individual contributor",
    }
}

/// The level a promise is recorded at. A promise's level is the level it was made at, so it can
/// never be above the promisor's own place in the organisation: a member cannot make an
/// executive's promise. Left empty, it is the promisor's own level (what a person means when
/// they promise something themself); a lower level is accepted (an executive may promise
/// something at team level). The refusal names `level` and says why in plain words.
pub fn promise_level(
    promisor_name: &str,
    promisor_level: Level,
    requested: &str,
) -> Result<Level, FieldError> {
    if requested.trim().is_empty() {
        return Ok(promisor_level);
    }
    let level = requested.parse::<Level>()?;
    if rank(level) > rank(promisor_level) {
        let who = match level {
            Level::Executive => "an executive",
            _ => "a manager or an executive",
        };
        return Err(FieldError::new(
            "level",
            format!(
                "{promisor_name} is {}: a promise at {} level must be made by {who}",
                described(promisor_level),
                level.label().to_lowercase(),
            ),
        ));
    }
    Ok(level)
}

/// One closed or renegotiated promise, as the trust score sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrustEvent {
    /// When it happened.
    pub on: NaiveDate,
    /// What happened.
    pub kind: TrustEventKind,
}

/// The outcomes that move trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustEventKind {
    /// Kept by the due date.
    KeptOnTime,
    /// Kept, but after the due date.
    KeptLate,
    /// Broken.
    Broken,
    /// Renegotiated before it was due (counted apart: it is not breaking).
    Renegotiated,
}

/// Half-life of an event's weight: a promise kept 90 days ago counts half as much as one kept today.
pub const HALF_LIFE_DAYS: f64 = 90.0;

/// Trust in one direction of a department pair, with what explains it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TrustScore {
    /// 0..100, or null while there is no evidence: no promise in this direction was kept,
    /// broken or renegotiated within the window (a number without events behind it would be a
    /// guess).
    pub score: Option<f64>,
    /// Kept on time in the window.
    pub kept_on_time: u32,
    /// Kept late in the window.
    pub kept_late: u32,
    /// Broken in the window.
    pub broken: u32,
    /// Renegotiated in the window.
    pub renegotiated: u32,
    /// How many events the score is computed from (the sum of the four counts).
    pub evidence: u32,
    /// The sentence shown beside the score; when there is no score it says why ("no evidence
    /// yet: …").
    pub explanation: String,
}

/// The on-time keep rate over the events of the last `window_days`, each weighted by
/// 2^(-age / half-life): kept on time counts 1, kept late 0.5, broken 0; a renegotiation counts
/// 0.75 (better than breaking, not as good as keeping). The score is computed from exactly the
/// events counted in the explanation, so every number is explained; older events no longer
/// count, and with none in the window there is no score, only "no evidence yet".
pub fn trust_score(events: &[TrustEvent], today: NaiveDate, window_days: i64) -> TrustScore {
    trust_score_with_older(events, 0, today, window_days)
}

/// [`trust_score`] when the events older than the window were counted, not read: `events` may
/// then hold only the window's, and `older` says how many more there were (they add to the
/// explanation's "older event(s) no longer count" and to nothing else). Reading only the window
/// keeps the cost of a score flat however long the history grows.
pub fn trust_score_with_older(
    events: &[TrustEvent],
    older: u32,
    today: NaiveDate,
    window_days: i64,
) -> TrustScore {
    let (mut num, mut den) = (0.0, 0.0);
    let (mut on_time, mut late, mut broken, mut reneg) = (0u32, 0u32, 0u32, 0u32);
    let mut older = older;
    for e in events {
        if (today - e.on).num_days() > window_days {
            older += 1;
            continue;
        }
        let age = (today - e.on).num_days().max(0) as f64;
        let w = 0.5f64.powf(age / HALF_LIFE_DAYS);
        let value = match e.kind {
            TrustEventKind::KeptOnTime => 1.0,
            TrustEventKind::KeptLate => 0.5,
            TrustEventKind::Broken => 0.0,
            TrustEventKind::Renegotiated => 0.75,
        };
        num += w * value;
        den += w;
        match e.kind {
            TrustEventKind::KeptOnTime => on_time += 1,
            TrustEventKind::KeptLate => late += 1,
            TrustEventKind::Broken => broken += 1,
            TrustEventKind::Renegotiated => reneg += 1,
        }
    }
    let evidence = on_time + late + broken + reneg;
    let score = (evidence > 0 && den > 0.0).then(|| (100.0 * num / den).clamp(0.0, 100.0));
    let explanation = if evidence == 0 {
        let mut s = format!(
            "no evidence yet: no promise was kept, broken or renegotiated in the last {window_days} days"
        );
        if older > 0 {
            s.push_str(&format!(" ({older} older event(s) no longer count)"));
        }
        s
    } else {
        let mut parts = vec![format!("{on_time} kept on time")];
        if late > 0 {
            parts.push(format!("{late} kept late"));
        }
        parts.push(format!("{broken} broken"));
        if reneg > 0 {
            parts.push(format!("{reneg} renegotiated"));
        }
        format!("{} in the last {window_days} days", parts.join(", "))
    };
    TrustScore {
        score,
        kept_on_time: on_time,
        kept_late: late,
        broken,
        renegotiated: reneg,
        evidence,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn promises_trust_from_the_window_and_a_count_of_older_events_is_the_same_score() {
        let today = d("2026-11-23");
        let ev = |on: &str, kind| TrustEvent { on: d(on), kind };
        let all = [
            ev("2026-01-10", TrustEventKind::Broken),
            ev("2026-03-01", TrustEventKind::KeptOnTime),
            ev("2026-10-01", TrustEventKind::KeptLate),
            ev("2026-11-20", TrustEventKind::Renegotiated),
        ];
        assert_eq!(
            trust_score_with_older(&all[2..], 2, today, 90),
            trust_score(&all, today, 90)
        );
        let only_old = trust_score_with_older(&[], 2, today, 90);
        assert_eq!(only_old, trust_score(&all[..2], today, 90));
        assert!(
            only_old
                .explanation
                .contains("(2 older event(s) no longer count)")
        );
    }

    #[test]
    fn a_promise_needs_a_due_date_in_the_future_and_a_promisor() {
        let today = d("2026-11-23");
        let e = PromiseInput::parse(None, Some(1), "manager", "Fix the VPN", "", "", None, today)
            .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["promisor_id", "due_on"]);
        assert!(
            PromiseInput::parse(
                Some(1),
                Some(1),
                "manager",
                "Fix the VPN",
                "2026-11-01",
                "",
                None,
                today
            )
            .is_err()
        );
        let p = PromiseInput::parse(
            Some(1),
            Some(2),
            "executive",
            "Fund the CRM clean-up",
            "2026-12-15",
            "meeting",
            Some(4),
            today,
        )
        .unwrap();
        assert_eq!(
            (p.source, p.level),
            (PromiseSource::Meeting, Level::Executive)
        );
    }

    #[test]
    fn a_promise_cannot_be_made_above_the_promisors_own_level() {
        let err = promise_level("Hassan Farouk", Level::Individual, "executive").unwrap_err();
        assert_eq!(err.field, "level");
        assert_eq!(
            err.message,
            "Hassan Farouk is an individual contributor: a promise at executive level must be \
             made by an executive"
        );
        let err = promise_level("Hassan Farouk", Level::Individual, "Manager").unwrap_err();
        assert!(
            err.message
                .contains("must be made by a manager or an executive")
        );
        assert!(promise_level("Mia Chen", Level::Manager, "executive").is_err());
        assert_eq!(
            promise_level("Mia Chen", Level::Manager, "manager").ok(),
            Some(Level::Manager)
        );
        assert_eq!(
            promise_level("Ana Ruiz", Level::Executive, "individual").ok(),
            Some(Level::Individual),
            "a lower level is the promisor's choice"
        );
    }

    #[test]
    fn an_empty_level_is_the_promisors_own() {
        for l in Level::ALL {
            assert_eq!(promise_level("Someone", *l, " ").ok(), Some(*l));
        }
        assert_eq!(
            promise_level("Someone", Level::Executive, "boss")
                .unwrap_err()
                .field,
            "level"
        );
    }

    #[test]
    fn renegotiation_happens_before_the_due_date_and_moves_it_later() {
        let due = d("2026-12-01");
        assert!(check_renegotiation(due, d("2026-12-15"), d("2026-11-23")).is_ok());
        assert!(check_renegotiation(due, d("2026-11-30"), d("2026-11-23")).is_err());
        assert!(check_renegotiation(due, d("2026-12-15"), d("2026-12-02")).is_err());
    }

    #[test]
    fn trust_is_explained_and_renegotiating_is_not_breaking() {
        let today = d("2026-11-23");
        let ev = |on: &str, kind| TrustEvent { on: d(on), kind };
        let s = trust_score(
            &[
                ev("2026-11-20", TrustEventKind::KeptOnTime),
                ev("2026-11-10", TrustEventKind::KeptOnTime),
                ev("2026-11-01", TrustEventKind::KeptOnTime),
                ev("2026-10-01", TrustEventKind::Broken),
            ],
            today,
            90,
        );
        assert_eq!(
            s.explanation,
            "3 kept on time, 1 broken in the last 90 days"
        );
        let broken = trust_score(&[ev("2026-11-20", TrustEventKind::Broken)], today, 90)
            .score
            .unwrap();
        let reneg = trust_score(&[ev("2026-11-20", TrustEventKind::Renegotiated)], today, 90)
            .score
            .unwrap();
        assert!(reneg > broken);
        assert_eq!(trust_score(&[], today, 90).score, None);
    }

    #[test]
    fn recent_events_weigh_more_than_old_ones() {
        let today = d("2026-11-23");
        let ev = |on: &str, kind| TrustEvent { on: d(on), kind };
        let recent_good = trust_score(
            &[
                ev("2026-11-20", TrustEventKind::KeptOnTime),
                ev("2026-02-01", TrustEventKind::Broken),
            ],
            today,
            365,
        )
        .score
        .unwrap();
        let recent_bad = trust_score(
            &[
                ev("2026-11-20", TrustEventKind::Broken),
                ev("2026-02-01", TrustEventKind::KeptOnTime),
            ],
            today,
            365,
        )
        .score
        .unwrap();
        assert!(
            recent_good > 75.0 && recent_bad < 25.0,
            "{recent_good} {recent_bad}"
        );
    }

    #[test]
    fn without_events_in_the_window_there_is_no_score_only_no_evidence_yet() {
        let today = d("2026-11-23");
        let old = [
            TrustEvent {
                on: d("2026-03-01"),
                kind: TrustEventKind::KeptOnTime,
            },
            TrustEvent {
                on: d("2026-04-01"),
                kind: TrustEventKind::KeptOnTime,
            },
        ];
        let s = trust_score(&old, today, 90);
        assert_eq!(s.score, None, "old events alone are no evidence: {s:?}");
        assert_eq!(s.evidence, 0);
        assert!(
            s.explanation.starts_with("no evidence yet")
                && s.explanation.contains("2 older event(s)"),
            "{}",
            s.explanation
        );
        let none = trust_score(&[], today, 90);
        assert_eq!(none.score, None);
        assert!(none.explanation.starts_with("no evidence yet"));
        let mut recent = old.to_vec();
        recent.push(TrustEvent {
            on: d("2026-11-20"),
            kind: TrustEventKind::Broken,
        });
        let s = trust_score(&recent, today, 90);
        assert_eq!(
            (s.score, s.evidence),
            (Some(0.0), 1),
            "the score counts exactly the events it shows"
        );
    }

    proptest! {
        #[test]
        fn scores_stay_between_0_and_100_and_keeping_never_lowers_them(kinds in proptest::collection::vec(0u8..4, 0..30), ages in proptest::collection::vec(0i64..400, 30)) {
            let today = d("2026-11-23");
            let kind = |k: u8| match k { 0 => TrustEventKind::KeptOnTime, 1 => TrustEventKind::KeptLate, 2 => TrustEventKind::Broken, _ => TrustEventKind::Renegotiated };
            let events: Vec<TrustEvent> = kinds.iter().zip(&ages).map(|(k, a)| TrustEvent { on: today - chrono::Duration::days(*a), kind: kind(*k) }).collect();
            let s = trust_score(&events, today, 90);
            if let Some(v) = s.score {
                prop_assert!((0.0..=100.0).contains(&v));
            }
            let mut more = events.clone();
            more.push(TrustEvent { on: today, kind: TrustEventKind::KeptOnTime });
            let after = trust_score(&more, today, 90).score.unwrap_or(0.0);
            prop_assert!(after + 1e-9 >= s.score.unwrap_or(0.0));
        }
    }
}

/// The header of a promise history file: who promised (their e-mail), to which department, what,
/// when it was made, when it was due, how it ended and when.
pub const HISTORY_CSV_HEADER: [&str; 7] = [
    "promisor_email",
    "promisee_department",
    "text",
    "made_on",
    "due_on",
    "status",
    "closed_on",
];

/// One promise from an organisation's past, as read from a history file (checked on its own;
/// the people and departments it names are checked against the directory when it is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricPromise {
    /// Its line in the file, for errors found later.
    pub line: u64,
    /// The promisor's e-mail.
    pub promisor_email: crate::org::Email,
    /// The promisee department's name.
    pub promisee_department: String,
    /// What was promised.
    pub text: String,
    /// The day it was made.
    pub made_on: NaiveDate,
    /// The day it was due.
    pub due_on: NaiveDate,
    /// How it ended (open: not yet).
    pub status: PromiseStatus,
    /// The day it was kept or broken.
    pub closed_on: Option<NaiveDate>,
}

/// Reads a promise history file: every problem is reported with its line and column, and
/// nothing is returned unless every row is good. Dates are `YYYY-MM-DD`; the days it was made
/// and closed are not after `today`;
/// a promise is due on or after the day it was made; a kept or broken one has its closing day
/// (on or after it was made), an open one has none.
pub fn parse_history_csv(
    input: &[u8],
    today: NaiveDate,
) -> Result<Vec<HistoricPromise>, Vec<crate::csv_input::CsvError>> {
    use crate::csv_input::{CsvError, CsvInput};
    let mut csv = CsvInput::open(input, HISTORY_CSV_HEADER)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let date = |field: &str, raw: &str| -> Result<Option<NaiveDate>, FieldError> {
        let d = crate::requests::parse_date(field, raw)?;
        match d {
            Some(d) if d > today => Err(FieldError::new(
                field,
                format!("{d} is in the future; history ends today"),
            )),
            other => Ok(other),
        }
    };
    while let Some(next) = csv.next_record() {
        let line = match next {
            Ok(line) => line,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let cell = |i: usize| csv.cell(i);
        let mut bad = |e: FieldError| errors.push(CsvError::at(line, e));
        let email = crate::org::Email::parse(cell(0))
            .map_err(|e| FieldError::new("promisor_email", e.message))
            .map_err(&mut bad)
            .ok();
        let department = crate::error::bounded_text("promisee_department", cell(1), 1, 80)
            .map_err(&mut bad)
            .ok();
        let text = prose_text("text", cell(2), 3, 2000).map_err(&mut bad).ok();
        let required = |field: &str, d: Result<Option<NaiveDate>, FieldError>| {
            d.and_then(|d| d.ok_or_else(|| FieldError::new(field, "is required (YYYY-MM-DD)")))
        };
        let made_on = required("made_on", date("made_on", cell(3)))
            .map_err(&mut bad)
            .ok();
        // An open promise may well be due after today; only what happened must be in the past.
        let due_on = required("due_on", crate::requests::parse_date("due_on", cell(4)))
            .map_err(&mut bad)
            .ok();
        let status = cell(5).parse::<PromiseStatus>().map_err(&mut bad).ok();
        let closed_on = date("closed_on", cell(6)).map_err(&mut bad).ok();
        let (
            Some(email),
            Some(department),
            Some(text),
            Some(made_on),
            Some(due_on),
            Some(status),
            Some(closed_on),
        ) = (email, department, text, made_on, due_on, status, closed_on)
        else {
            continue;
        };
        if due_on < made_on {
            bad(FieldError::new(
                "due_on",
                format!("{due_on} is before the promise was made ({made_on})"),
            ));
            continue;
        }
        match (status, closed_on) {
            (PromiseStatus::Open, Some(_)) => {
                bad(FieldError::new(
                    "closed_on",
                    "must be empty for an open promise",
                ));
                continue;
            }
            (PromiseStatus::Kept | PromiseStatus::Broken, None) => {
                bad(FieldError::new(
                    "closed_on",
                    "is required for a kept or broken promise (YYYY-MM-DD)",
                ));
                continue;
            }
            (_, Some(c)) if c < made_on => {
                bad(FieldError::new(
                    "closed_on",
                    format!("{c} is before the promise was made ({made_on})"),
                ));
                continue;
            }
            _ => {}
        }
        rows.push(HistoricPromise {
            line,
            promisor_email: email,
            promisee_department: department,
            text,
            made_on,
            due_on,
            status,
            closed_on,
        });
        if errors.len() >= 100 {
            break;
        }
    }
    crate::csv_input::all_or_nothing(rows, errors)
}

#[cfg(test)]
mod history_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn a_history_file_is_read_whole_or_refused_with_every_problem_placed() {
        let good = "promisor_email,promisee_department,text,made_on,due_on,status,closed_on\n\
            ann@example.com,Sales,Fix the CRM export,2025-03-02,2025-03-30,kept,2025-04-02\n\
            bob@example.com,Finance,Monthly close report,2026-10-01,2026-12-20,open,\n";
        let rows = parse_history_csv(good.as_bytes(), today()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].line, rows[0].status, rows[0].closed_on),
            (2, PromiseStatus::Kept, NaiveDate::from_ymd_opt(2025, 4, 2))
        );
        let bad = "promisor_email,promisee_department,text,made_on,due_on,status,closed_on\n\
            not-an-email,Sales,Fix it,2025-03-02,2025-03-30,kept,2025-04-02\n\
            ann@example.com,Sales,Fix the CRM export,2025-03-02,2025-02-01,open,\n\
            ann@example.com,Sales,Fix the CRM export,2025-03-02,2025-03-30,broken,\n\
            ann@example.com,Sales,Fix the CRM export,2027-01-01,2027-03-30,open,\n";
        let errors = parse_history_csv(bad.as_bytes(), today()).unwrap_err();
        let placed: Vec<(u64, Option<&str>)> = errors
            .iter()
            .map(|e| (e.line, e.column.as_deref()))
            .collect();
        assert_eq!(
            placed,
            vec![
                (2, Some("promisor_email")),
                (3, Some("due_on")),
                (4, Some("closed_on")),
                (5, Some("made_on"))
            ]
        );
        assert!(errors[3].message.contains("in the future"));
    }
}
