//! Decide: one intake for every request, understand before answering, two lanes that are never
//! ranked against each other, and the rules of each step.
//!
//! "Stop saying No … understand the needs that exist and how to meet those needs safely": a
//! request cannot be decided until its requester has confirmed IT's statement of the need (or a
//! set number of working days have passed since IT recorded an attempt to reach them), and a
//! decline always carries at least one safe alternative.

use crate::error::{bounded_text, prose_text};
use crate::{FieldError, ValidationErrors};
use chrono::{Datelike, NaiveDate, Weekday};

pub mod history;

wire_enum!(
    /// How soon the requester needs an answer; sets the service lane's target response time.
    Urgency, "urgency" {
        Low = "low" / "Low",
        Normal = "normal" / "Normal",
        High = "high" / "High",
        Critical = "critical" / "Critical",
    }
);

impl Urgency {
    /// Target time to first response in the service lane, in working days.
    pub fn target_response_days(self) -> i64 {
        match self {
            Urgency::Critical => 1,
            Urgency::High => 2,
            Urgency::Normal => 5,
            Urgency::Low => 10,
        }
    }

    /// Urgency as a 0..1 term of the portfolio score.
    pub fn score(self) -> f64 {
        match self {
            Urgency::Low => 0.25,
            Urgency::Normal => 0.5,
            Urgency::High => 0.75,
            Urgency::Critical => 1.0,
        }
    }

    /// Sort key: most urgent first.
    pub fn order(self) -> u8 {
        match self {
            Urgency::Critical => 0,
            Urgency::High => 1,
            Urgency::Normal => 2,
            Urgency::Low => 3,
        }
    }
}

wire_enum!(
    /// The two lanes: rank-and-file requests are served first in first out within urgency;
    /// executive-sponsored work competes in the portfolio on its business case.
    Lane, "lane" {
        Service = "service" / "Service queue",
        Portfolio = "portfolio" / "Portfolio",
    }
);

wire_enum!(
    /// Where a request stands.
    Status, "status" {
        Submitted = "submitted" / "Submitted",
        Understanding = "understanding" / "Need stated, awaiting the requester",
        NeedConfirmed = "need_confirmed" / "Need confirmed",
        Accepted = "accepted" / "Accepted",
        Deferred = "deferred" / "Deferred",
        Declined = "declined" / "Declined",
        InDelivery = "in_delivery" / "In delivery",
        Delivered = "delivered" / "Delivered",
        BenefitsRealised = "benefits_realised" / "Benefits realised",
        Closed = "closed" / "Closed",
    }
);

impl Status {
    /// Still waiting for IT to understand or decide (counts in the queue).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Submitted | Status::Understanding | Status::NeedConfirmed | Status::Deferred
        )
    }
}

wire_enum!(
    /// Why a request was declined.
    DeclineReason, "reason" {
        Security = "security" / "Security",
        Cost = "cost" / "Cost",
        Capacity = "capacity" / "Capacity",
        Duplicate = "duplicate" / "Already exists",
        Policy = "policy" / "Policy",
        OutOfScope = "out_of_scope" / "Out of scope",
    }
);

wire_enum!(
    /// The kinds of safe alternative a decline must offer.
    AlternativeKind, "kind" {
        ConditionForYes = "condition_for_yes" / "A condition for yes",
        AnotherTool = "another_tool" / "Another tool",
        Workaround = "workaround" / "A workaround",
        LaterDate = "later_date" / "A later date",
    }
);

wire_enum!(
    /// Delivery and security risk of portfolio work.
    Risk, "risk" {
        Low = "low" / "Low",
        Medium = "medium" / "Medium",
        High = "high" / "High",
    }
);

impl Risk {
    /// Risk as a 0..1 term of the portfolio score (higher is worse).
    pub fn score(self) -> f64 {
        match self {
            Risk::Low => 0.2,
            Risk::Medium => 0.5,
            Risk::High => 0.8,
        }
    }
}

/// A new request as submitted by anyone signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInput {
    /// Short title.
    pub title: String,
    /// The problem in the requester's words.
    pub problem: String,
    /// Who is affected.
    pub affected: String,
    /// The outcome the requester wants.
    pub desired_outcome: String,
    /// The requesting department.
    pub department: i64,
    /// How urgent.
    pub urgency: Urgency,
    /// When it is needed, if there is a date.
    pub date_needed: Option<NaiveDate>,
}

/// Parses an optional `YYYY-MM-DD` date; empty means none.
pub fn parse_date(field: &str, raw: &str) -> Result<Option<NaiveDate>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| FieldError::new(field, format!("'{t}' is not a date (use YYYY-MM-DD)")))
}

impl RequestInput {
    /// Validates every field and reports all problems at once.
    pub fn parse(
        title: &str,
        problem: &str,
        affected: &str,
        desired_outcome: &str,
        department: Option<i64>,
        urgency: &str,
        date_needed: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let title = errs.check(bounded_text("title", title, 3, 140));
        let problem = errs.check(prose_text("problem", problem, 10, 5000));
        let affected = errs.check(prose_text("affected", affected, 1, 1000));
        let desired_outcome = errs.check(prose_text("desired_outcome", desired_outcome, 5, 2000));
        let department = match department {
            Some(d) if d > 0 => Some(d),
            _ => {
                errs.0.push(FieldError::new("department_id", "is required"));
                None
            }
        };
        let urgency = errs.check(urgency.parse::<Urgency>());
        let date_needed = errs.check(parse_date("date_needed", date_needed));
        match (
            title,
            problem,
            affected,
            desired_outcome,
            department,
            urgency,
            date_needed,
        ) {
            (
                Some(title),
                Some(problem),
                Some(affected),
                Some(desired_outcome),
                Some(department),
                Some(urgency),
                Some(date_needed),
            ) if errs.0.is_empty() => Ok(Self {
                title,
                problem,
                affected,
                desired_outcome,
                department,
                urgency,
                date_needed,
            }),
            _ => Err(errs),
        }
    }
}

/// A need statement: IT's restatement of the need in the requester's terms.
pub fn parse_need(raw: &str) -> Result<String, FieldError> {
    prose_text("need_statement", raw, 20, 3000)
}

/// One safe alternative offered with a decline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// What kind of alternative.
    pub kind: AlternativeKind,
    /// What exactly is offered.
    pub description: String,
}

/// What IT decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Yes.
    Accept,
    /// Not now: revisit on a date.
    Defer {
        /// When to revisit.
        until: NaiveDate,
        /// Why.
        note: String,
    },
    /// No, with a reason and at least one safe alternative.
    Decline {
        /// Why.
        reason: DeclineReason,
        /// More detail.
        note: String,
        /// At least one.
        alternatives: Vec<Alternative>,
        /// For security declines: the risk named.
        security_risk: Option<String>,
        /// For security declines: what would make it a yes.
        security_yes_if: Option<String>,
    },
}

/// Raw decision fields from a form or JSON.
#[derive(Debug, Clone, Default)]
pub struct DecisionFields<'a> {
    /// `accept`, `defer` or `decline`.
    pub decision: &'a str,
    /// Defer date.
    pub until: &'a str,
    /// Note.
    pub note: &'a str,
    /// Decline reason.
    pub reason: &'a str,
    /// Alternatives as (kind, description); empty descriptions are ignored.
    pub alternatives: Vec<(&'a str, &'a str)>,
    /// Security risk named.
    pub security_risk: &'a str,
    /// What would make it a yes.
    pub security_yes_if: &'a str,
}

impl Decision {
    /// Validates a decision; a decline needs an alternative, and a security decline must name
    /// the risk and what would make it a yes.
    pub fn parse(f: &DecisionFields<'_>) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let note = errs
            .check(prose_text("note", f.note, 0, 2000))
            .unwrap_or_default();
        let out = match f.decision.trim() {
            "accept" => Some(Decision::Accept),
            "defer" => match errs.check(parse_date("until", f.until)) {
                Some(Some(until)) => Some(Decision::Defer {
                    until,
                    note: note.clone(),
                }),
                Some(None) => {
                    errs.0.push(FieldError::new(
                        "until",
                        "a deferral needs the date to revisit it",
                    ));
                    None
                }
                None => None,
            },
            "decline" => {
                let reason = errs.check(f.reason.parse::<DeclineReason>());
                let mut alternatives = Vec::new();
                for (i, (kind, desc)) in f.alternatives.iter().enumerate() {
                    if desc.trim().is_empty() {
                        continue;
                    }
                    let field = format!("alternatives[{i}]");
                    let kind = match kind.parse::<AlternativeKind>() {
                        Ok(k) => Some(k),
                        Err(e) => {
                            errs.0
                                .push(FieldError::new(format!("{field}.kind"), e.message));
                            None
                        }
                    };
                    let desc = match prose_text(&format!("{field}.description"), desc, 5, 1000) {
                        Ok(d) => Some(d),
                        Err(e) => {
                            errs.0.push(e);
                            None
                        }
                    };
                    if let (Some(kind), Some(description)) = (kind, desc) {
                        alternatives.push(Alternative { kind, description });
                    }
                }
                if alternatives.is_empty()
                    && !errs.0.iter().any(|e| e.field.starts_with("alternatives"))
                {
                    errs.0.push(FieldError::new("alternatives", "a decline must offer at least one safe alternative: a condition for yes, another tool, a workaround or a later date"));
                }
                let (mut risk, mut yes_if) = (None, None);
                if reason == Some(DeclineReason::Security) {
                    risk = errs.check(prose_text("security_risk", f.security_risk, 5, 1000));
                    yes_if = errs.check(prose_text("security_yes_if", f.security_yes_if, 5, 1000));
                    if risk.is_none() || yes_if.is_none() {
                        for e in errs.0.iter_mut().filter(|e| {
                            e.field.starts_with("security_") && e.message == "is required"
                        }) {
                            e.message = "a security decline must name the risk and what would make it a yes".into();
                        }
                    }
                }
                reason.map(|reason| Decision::Decline {
                    reason,
                    note: note.clone(),
                    alternatives,
                    security_risk: risk,
                    security_yes_if: yes_if,
                })
            }
            other => {
                errs.0.push(FieldError::new(
                    "decision",
                    format!("'{other}' is not one of: accept, defer, decline"),
                ));
                None
            }
        };
        match out {
            Some(d) if errs.0.is_empty() => Ok(d),
            _ => Err(errs),
        }
    }

    /// The status a request moves to.
    pub fn status(&self) -> Status {
        match self {
            Decision::Accept => Status::Accepted,
            Decision::Defer { .. } => Status::Deferred,
            Decision::Decline { .. } => Status::Declined,
        }
    }
}

/// Days a request may wait for IT's decision before its requester may escalate it.
pub const ESCALATE_AFTER_DAYS: i64 = 10;

/// Whether a request may be escalated to IT's leaders on `today`: once declined, or once it has
/// waited [`ESCALATE_AFTER_DAYS`] days since it was asked without IT deciding (accepting,
/// deferring or declining it). Otherwise, why not, in words for the page (field `status`).
pub fn may_escalate(
    status: Status,
    asked_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), FieldError> {
    let waiting = matches!(
        status,
        Status::Submitted | Status::Understanding | Status::NeedConfirmed
    );
    let waited = (today - asked_on).num_days();
    match status {
        Status::Declined => Ok(()),
        _ if waiting && waited >= ESCALATE_AFTER_DAYS => Ok(()),
        _ if waiting => Err(FieldError::new(
            "status",
            format!(
                "IT has had this request for {waited} day(s); it can be escalated once declined, or after {ESCALATE_AFTER_DAYS} days without a decision"
            ),
        )),
        _ => Err(FieldError::new(
            "status",
            format!(
                "a request that is {} has nothing to escalate: escalation is for a request IT declined or has not decided",
                status.label().to_lowercase()
            ),
        )),
    }
}

/// An escalation's reason, as the requester writes it to IT's leaders: 10 to 2,000 characters.
pub fn escalation_reason(raw: &str) -> Result<String, FieldError> {
    prose_text("reason", raw, 10, 2000)
}

/// Working days (Monday–Friday) after `from` up to and including `to`; 0 when `to` is not later.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to <= from {
        return 0;
    }
    let days = (to - from).num_days();
    let (weeks, rest) = (days / 7, days % 7);
    let mut count = weeks * 5;
    let mut d = from;
    for _ in 0..rest {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            count += 1;
        }
    }
    count
}

/// The facts that decide whether a request may be answered yet.
#[derive(Debug, Clone, Copy)]
pub struct DecisionGate {
    /// Current status.
    pub status: Status,
    /// Lane.
    pub lane: Lane,
    /// When IT recorded an attempt to reach the requester about the need statement.
    pub attempt_on: Option<NaiveDate>,
    /// Today in the organisation's time zone.
    pub today: NaiveDate,
    /// Working days after an attempt when IT may decide without confirmation (default 10).
    pub wait_days: i64,
    /// Portfolio only: a champion, a business case and a valid sign-off exist.
    pub portfolio_ready: bool,
    /// The requester confirmed IT's statement of the need (`need_confirmed_at` is set). Deciding
    /// after the waiting period, or deferring, does not confirm it, and funding needs it.
    pub need_confirmed: bool,
}

/// Whether a decision of this kind may be taken now, and if not, why (in words for the page).
pub fn may_decide(g: &DecisionGate, decision: &Decision) -> Result<(), FieldError> {
    let confirmed = match g.status {
        Status::NeedConfirmed | Status::Deferred => true,
        Status::Understanding => match g.attempt_on {
            Some(on) => {
                let waited = working_days_between(on, g.today);
                if waited < g.wait_days {
                    return Err(FieldError::new(
                        "decision",
                        format!(
                            "the requester has not confirmed the need yet; you may decide without them {} working day(s) after your recorded attempt ({waited} so far)",
                            g.wait_days
                        ),
                    ));
                }
                true
            }
            None => false,
        },
        Status::Submitted => false,
        other => {
            return Err(FieldError::new(
                "decision",
                format!(
                    "a request that is '{}' has already been decided",
                    other.label()
                ),
            ));
        }
    };
    if !confirmed {
        return Err(FieldError::new(
            "decision",
            "understand before answering: state the need and have the requester confirm it first (or record an attempt to reach them)",
        ));
    }
    if g.lane == Lane::Portfolio && *decision == Decision::Accept && !g.need_confirmed {
        return Err(FieldError::new(
            "decision",
            "the requester has not confirmed IT's statement of the need: portfolio work is funded only for a confirmed need, so it can be accepted once they confirm it (you may still defer or decline)",
        ));
    }
    if g.lane == Lane::Portfolio && *decision == Decision::Accept && !g.portfolio_ready {
        return Err(FieldError::new(
            "decision",
            "portfolio work needs an executive champion, a business case and the champion's sign-off of the IT costs before it can be accepted",
        ));
    }
    Ok(())
}

/// The delivery steps after acceptance, in order; `None` when the move is not allowed.
pub fn next_delivery_status(current: Status, lane: Lane) -> Option<Status> {
    match (current, lane) {
        (Status::Accepted, _) => Some(Status::InDelivery),
        (Status::InDelivery, _) => Some(Status::Delivered),
        (Status::Delivered, Lane::Portfolio) => Some(Status::BenefitsRealised),
        (Status::Delivered, Lane::Service) | (Status::BenefitsRealised, _) => Some(Status::Closed),
        _ => None,
    }
}

/// A champion's sign-off holds while the IT cost stays within `tolerance_pct` above the amount
/// signed; beyond it the sign-off lapses and the item waits for a new signature.
pub fn signoff_holds(signed_it_cost: i64, current_it_cost: i64, tolerance_pct: f64) -> bool {
    let limit = signed_it_cost as f64 * (1.0 + tolerance_pct.max(0.0) / 100.0);
    (current_it_cost as f64) <= limit + 1e-9
}

/// Fit to the executives' goals: the importance of the goals an item supports over the
/// importance of all active goals (0 when there are none).
pub fn goal_fit(supported: &[u8], all: &[u8]) -> f64 {
    let total: u32 = all.iter().map(|i| u32::from(*i)).sum();
    if total == 0 {
        return 0.0;
    }
    let hit: u32 = supported.iter().map(|i| u32::from(*i)).sum();
    (f64::from(hit) / f64::from(total)).clamp(0.0, 1.0)
}

/// What one IT team's requests show about how it listens.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TeamStats {
    /// Team name.
    pub team: String,
    /// Requests assigned to the team.
    pub requests: u32,
    /// Median hours from submission to IT's first response.
    pub median_first_response_hours: Option<f64>,
    /// Median hours from submission to a confirmed need.
    pub median_confirmed_need_hours: Option<f64>,
    /// Declines over decisions taken.
    pub decline_rate: Option<f64>,
    /// Alternatives offered with declines.
    pub alternatives_offered: u32,
    /// Of those, how many the requester took up.
    pub alternatives_taken_up: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_escalated_once_declined_or_after_ten_days_undecided() {
        let asked = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let day = |n| asked + chrono::Duration::days(n);
        assert!(may_escalate(Status::Declined, asked, day(0)).is_ok());
        let early = may_escalate(Status::Submitted, asked, day(9)).unwrap_err();
        assert_eq!(early.field, "status");
        assert!(early.message.contains("9 day(s)"), "{}", early.message);
        assert!(may_escalate(Status::Understanding, asked, day(10)).is_ok());
        assert!(may_escalate(Status::NeedConfirmed, asked, day(30)).is_ok());
        for s in [
            Status::Accepted,
            Status::InDelivery,
            Status::Delivered,
            Status::Closed,
        ] {
            assert!(
                may_escalate(s, asked, day(90))
                    .unwrap_err()
                    .message
                    .contains("nothing to escalate")
            );
        }
        assert_eq!(
            escalation_reason("  We still lose quotes  ").unwrap(),
            "We still lose quotes"
        );
        assert_eq!(escalation_reason("short").unwrap_err().field, "reason");
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-20 is a Friday.
        assert_eq!(working_days_between(d("2026-11-20"), d("2026-11-23")), 1);
        assert_eq!(working_days_between(d("2026-11-20"), d("2026-12-04")), 10);
        assert_eq!(working_days_between(d("2026-11-23"), d("2026-11-23")), 0);
        assert_eq!(working_days_between(d("2026-11-23"), d("2026-11-01")), 0);
    }

    fn gate(status: Status, attempt: Option<&str>, today: &str) -> DecisionGate {
        DecisionGate {
            status,
            lane: Lane::Service,
            attempt_on: attempt.map(d),
            today: d(today),
            wait_days: 10,
            portfolio_ready: false,
            need_confirmed: status == Status::NeedConfirmed,
        }
    }

    #[test]
    fn no_decision_before_the_need_is_confirmed_or_the_wait_is_over() {
        assert!(
            may_decide(
                &gate(Status::Submitted, None, "2026-11-23"),
                &Decision::Accept
            )
            .is_err()
        );
        assert!(
            may_decide(
                &gate(Status::Understanding, None, "2026-11-23"),
                &Decision::Accept
            )
            .is_err()
        );
        let early = may_decide(
            &gate(Status::Understanding, Some("2026-11-20"), "2026-12-03"),
            &Decision::Accept,
        )
        .unwrap_err();
        assert!(early.message.contains("9 so far"), "{}", early.message);
        assert!(
            may_decide(
                &gate(Status::Understanding, Some("2026-11-20"), "2026-12-04"),
                &Decision::Accept
            )
            .is_ok()
        );
        assert!(
            may_decide(
                &gate(Status::NeedConfirmed, None, "2026-11-23"),
                &Decision::Accept
            )
            .is_ok()
        );
        assert!(
            may_decide(
                &gate(Status::Declined, None, "2026-11-23"),
                &Decision::Accept
            )
            .is_err()
        );
    }

    #[test]
    fn portfolio_work_needs_a_signed_business_case_to_be_accepted() {
        let mut g = gate(Status::NeedConfirmed, None, "2026-11-23");
        g.lane = Lane::Portfolio;
        assert!(may_decide(&g, &Decision::Accept).is_err());
        let defer = Decision::Defer {
            until: d("2027-01-01"),
            note: String::new(),
        };
        assert!(may_decide(&g, &defer).is_ok());
        g.portfolio_ready = true;
        assert!(may_decide(&g, &Decision::Accept).is_ok());
    }

    #[test]
    fn portfolio_work_is_accepted_only_for_a_need_the_requester_confirmed() {
        // IT may decide after the waiting period without the requester, but not to fund.
        let mut waited = gate(Status::Understanding, Some("2026-11-02"), "2026-11-23");
        waited.lane = Lane::Portfolio;
        waited.portfolio_ready = true;
        let e = may_decide(&waited, &Decision::Accept).unwrap_err();
        assert!(e.message.contains("not confirmed"), "{}", e.message);
        let defer = Decision::Defer {
            until: d("2027-01-01"),
            note: String::new(),
        };
        assert!(may_decide(&waited, &defer).is_ok(), "deferring stays open");
        // A deferred item whose need was never confirmed is not funded either.
        let mut deferred = gate(Status::Deferred, None, "2026-11-23");
        deferred.lane = Lane::Portfolio;
        deferred.portfolio_ready = true;
        deferred.need_confirmed = false;
        assert!(may_decide(&deferred, &Decision::Accept).is_err());
        deferred.need_confirmed = true;
        assert!(may_decide(&deferred, &Decision::Accept).is_ok());
        // The service lane is not funded: the waiting period is enough there.
        waited.lane = Lane::Service;
        assert!(may_decide(&waited, &Decision::Accept).is_ok());
    }

    #[test]
    fn a_decline_needs_an_alternative_and_security_needs_risk_and_a_way_to_yes() {
        let mut f = DecisionFields {
            decision: "decline",
            reason: "cost",
            ..Default::default()
        };
        let e = Decision::parse(&f).unwrap_err();
        assert_eq!(e.0[0].field, "alternatives");
        f.alternatives = vec![("workaround", "Use the shared drive template for now")];
        assert!(Decision::parse(&f).is_ok());
        f.reason = "security";
        let e = Decision::parse(&f).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["security_risk", "security_yes_if"]);
        f.security_risk = "Stores customer data outside the EU";
        f.security_yes_if = "An EU-hosted plan with SSO";
        match Decision::parse(&f).unwrap() {
            Decision::Decline {
                alternatives,
                security_yes_if,
                ..
            } => {
                assert_eq!(alternatives.len(), 1);
                assert_eq!(
                    security_yes_if.as_deref(),
                    Some("An EU-hosted plan with SSO")
                );
            }
            other => panic!("{other:?}"),
        }
        f.alternatives = vec![("magic", "Something else entirely")];
        assert_eq!(
            Decision::parse(&f).unwrap_err().0[0].field,
            "alternatives[0].kind"
        );
    }

    #[test]
    fn deferral_needs_a_date() {
        let f = DecisionFields {
            decision: "defer",
            ..Default::default()
        };
        assert_eq!(Decision::parse(&f).unwrap_err().0[0].field, "until");
        let f = DecisionFields {
            decision: "defer",
            until: "2027-02-01",
            ..Default::default()
        };
        assert_eq!(Decision::parse(&f).unwrap().status(), Status::Deferred);
    }

    #[test]
    fn delivery_moves_forward_one_step_at_a_time() {
        assert_eq!(
            next_delivery_status(Status::Accepted, Lane::Service),
            Some(Status::InDelivery)
        );
        assert_eq!(
            next_delivery_status(Status::Delivered, Lane::Service),
            Some(Status::Closed)
        );
        assert_eq!(
            next_delivery_status(Status::Delivered, Lane::Portfolio),
            Some(Status::BenefitsRealised)
        );
        assert_eq!(next_delivery_status(Status::Submitted, Lane::Service), None);
        assert_eq!(next_delivery_status(Status::Closed, Lane::Portfolio), None);
    }

    #[test]
    fn signoff_lapses_beyond_the_tolerance() {
        assert!(signoff_holds(100_000, 110_000, 10.0));
        assert!(!signoff_holds(100_000, 110_001, 10.0));
        assert!(signoff_holds(100_000, 50_000, 10.0));
    }

    #[test]
    fn goal_fit_weighs_goals_by_importance() {
        assert_eq!(goal_fit(&[5], &[5, 3, 2]), 0.5);
        assert_eq!(goal_fit(&[], &[]), 0.0);
    }

    #[test]
    fn request_input_reports_every_bad_field() {
        let e = RequestInput::parse("x", "short", "", "", None, "soon", "tomorrow").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "title",
                "problem",
                "affected",
                "desired_outcome",
                "department_id",
                "urgency",
                "date_needed"
            ]
        );
        assert!(
            RequestInput::parse(
                "VPN drops",
                "The VPN drops every hour for field staff",
                "Field sales",
                "A stable connection",
                Some(1),
                "high",
                "2026-12-01"
            )
            .is_ok()
        );
    }
}
