//! The review agenda, drafted from data: the good, the bad and the ugly since the last review,
//! the department's metrics pack (what its leader cares about first), and what is still open in
//! both directions. Every line links to its source.

use crate::metrics::{self, Direction, Period, TargetStatus, Trend};
use chrono::NaiveDate;

/// A request as the agenda sees it.
#[derive(Debug, Clone)]
pub struct AgendaRequest {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Wire status.
    pub status: String,
    /// Day of the last change (decision, delivery).
    pub changed_on: NaiveDate,
}

/// A promise between the department and IT, in either direction.
#[derive(Debug, Clone)]
pub struct AgendaPromise {
    /// Id.
    pub id: i64,
    /// What was promised.
    pub text: String,
    /// True when IT made it to the department; false for the department's promise to IT.
    pub by_it: bool,
    /// open, kept or broken.
    pub status: String,
    /// Due.
    pub due_on: NaiveDate,
    /// When kept or broken.
    pub closed_on: Option<NaiveDate>,
}

/// One metric of the department, with its values and how much the department cares about it.
#[derive(Debug, Clone)]
pub struct AgendaMetric {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Target.
    pub target: Option<f64>,
    /// Which way is better.
    pub direction: Direction,
    /// Values oldest first.
    pub values: Vec<(Period, f64)>,
    /// Sum of the weights of the department's outcomes this metric measures (0 = nobody said).
    pub care: i64,
}

/// One agenda line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Line {
    /// The sentence.
    pub text: String,
    /// Where it comes from (a Duet path).
    pub link: String,
}

/// The drafted agenda.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Agenda {
    /// Work delivered, promises kept, metrics improving on target.
    pub good: Vec<Line>,
    /// Metrics off target, promises overdue or kept late, requests declined.
    pub bad: Vec<Line>,
    /// Promises broken, metrics off target and getting worse.
    pub ugly: Vec<Line>,
    /// The department's metrics, what it cares about most first.
    pub metrics_pack: Vec<Line>,
    /// Requests still open.
    pub open_requests: Vec<Line>,
    /// Promises still open, both directions.
    pub open_promises: Vec<Line>,
}

/// Request statuses the agenda lists as still open, whenever they last changed.
pub const OPEN_REQUEST_STATUSES: &[&str] = &[
    "submitted",
    "understanding",
    "need_confirmed",
    "deferred",
    "accepted",
    "in_delivery",
];

/// Request statuses the agenda counts as delivered (good news) when they changed in the window.
pub const DELIVERED_STATUSES: &[&str] = &["delivered", "benefits_realised", "closed"];

/// Request statuses the agenda counts as declined (bad news) when they changed in the window.
pub const DECLINED_STATUSES: &[&str] = &["declined"];

/// How many of a metric's latest months `draft` reads: the last value and the two before it
/// (`metrics::trend` compares the last month with the mean of the two before). The store reads
/// no more than this per metric, however long the history.
pub const METRIC_MONTHS: usize = 3;

fn fmt_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Drafts the agenda of a review with `department` held on `meeting_on`, covering events since
/// `since`, as it stands `today`. Lateness is a fact of today, not a forecast: an open promise
/// already past its due date is "overdue by N days" counted to today, and one that falls due
/// between today and the meeting is "due on D, before this review" — never "overdue" before it
/// is due.
pub fn draft(
    department: &str,
    since: NaiveDate,
    meeting_on: NaiveDate,
    today: NaiveDate,
    requests: &[AgendaRequest],
    promises: &[AgendaPromise],
    metric_list: &[AgendaMetric],
) -> Agenda {
    let mut a = Agenda::default();
    let in_window = |d: NaiveDate| d >= since && d <= meeting_on;
    add_requests(&mut a, requests, &in_window);
    add_promises(&mut a, promises, department, meeting_on, today, &in_window);
    for m in metrics_pack_order(metric_list) {
        add_metric(&mut a, m);
    }
    a
}

/// Files each request as delivered (good) or declined (bad) when it changed in the window, or as
/// still open whenever it last changed.
fn add_requests(
    a: &mut Agenda,
    requests: &[AgendaRequest],
    in_window: &impl Fn(NaiveDate) -> bool,
) {
    for r in requests {
        let link = format!("/requests/{}", r.id);
        match r.status.as_str() {
            s if DELIVERED_STATUSES.contains(&s) && in_window(r.changed_on) => a.good.push(Line {
                text: format!("Delivered: {}", r.title),
                link,
            }),
            s if DECLINED_STATUSES.contains(&s) && in_window(r.changed_on) => a.bad.push(Line {
                text: format!("Declined: {} (alternatives offered)", r.title),
                link,
            }),
            s if OPEN_REQUEST_STATUSES.contains(&s) => a.open_requests.push(Line {
                text: format!("{} — {}", r.title, r.status.replace('_', " ")),
                link,
            }),
            _ => {}
        }
    }
}

/// Files each promise, in either direction, as kept, kept late, broken or overdue, and lists the
/// open ones; lateness is counted to `today`, never forecast to the meeting.
fn add_promises(
    a: &mut Agenda,
    promises: &[AgendaPromise],
    department: &str,
    meeting_on: NaiveDate,
    today: NaiveDate,
    in_window: &impl Fn(NaiveDate) -> bool,
) {
    for p in promises {
        let link = format!("/promises/{}", p.id);
        let who = if p.by_it {
            format!("IT to {department}")
        } else {
            format!("{department} to IT")
        };
        match (p.status.as_str(), p.closed_on) {
            ("kept", Some(on)) if in_window(on) && on <= p.due_on => a.good.push(Line {
                text: format!("Promise kept ({who}): {}", p.text),
                link,
            }),
            ("kept", Some(on)) if in_window(on) => a.bad.push(Line {
                text: format!(
                    "Promise kept late ({who}, {} days): {}",
                    (on - p.due_on).num_days(),
                    p.text
                ),
                link,
            }),
            ("broken", Some(on)) if in_window(on) => a.ugly.push(Line {
                text: format!("Promise broken ({who}): {}", p.text),
                link,
            }),
            ("open", _) if p.due_on < today => {
                let days = (today - p.due_on).num_days();
                a.bad.push(Line {
                    text: format!(
                        "Promise overdue by {days} day{} ({who}): {}",
                        if days == 1 { "" } else { "s" },
                        p.text
                    ),
                    link: link.clone(),
                });
                a.open_promises.push(Line {
                    text: format!("{who}: {} — due {}", p.text, p.due_on),
                    link,
                });
            }
            ("open", _) if p.due_on < meeting_on => a.open_promises.push(Line {
                text: format!(
                    "{who}: {} — due on {}, before this review",
                    p.text, p.due_on
                ),
                link,
            }),
            ("open", _) => a.open_promises.push(Line {
                text: format!("{who}: {} — due {}", p.text, p.due_on),
                link,
            }),
            _ => {}
        }
    }
}

/// The metrics that have any value, what the department cares about most first, then by name.
fn metrics_pack_order(metric_list: &[AgendaMetric]) -> Vec<&AgendaMetric> {
    let mut pack: Vec<&AgendaMetric> = metric_list
        .iter()
        .filter(|m| !m.values.is_empty())
        .collect();
    pack.sort_by(|x, y| y.care.cmp(&x.care).then(x.name.cmp(&y.name)));
    pack
}

/// Adds one metric's line to the pack and, by its status and trend, to the good, the bad or the
/// ugly.
fn add_metric(a: &mut Agenda, m: &AgendaMetric) {
    let link = format!("/measures/{}", m.id);
    let Some((period, value)) = m.values.last() else {
        return;
    };
    let series: Vec<f64> = m.values.iter().map(|(_, v)| *v).collect();
    let status = metrics::status(*value, m.target, m.direction);
    let trend = metrics::trend(&series, m.direction);
    let target = m
        .target
        .map(|t| format!(", target {}", fmt_value(t)))
        .unwrap_or_default();
    let cares = if m.care > 0 {
        ""
    } else {
        " — nobody here said they care about it"
    };
    a.metrics_pack.push(Line {
        text: format!(
            "{}: {} {} in {period}{target} — {}, {}{cares}",
            m.name,
            fmt_value(*value),
            m.unit,
            status.label().to_lowercase(),
            trend.label().to_lowercase()
        ),
        link: link.clone(),
    });
    match (status, trend) {
        (TargetStatus::OffTarget, Trend::Worsening) => a.ugly.push(Line {
            text: format!(
                "{} is off target and getting worse ({} {})",
                m.name,
                fmt_value(*value),
                m.unit
            ),
            link,
        }),
        (TargetStatus::OffTarget, _) => a.bad.push(Line {
            text: format!(
                "{} is off target ({} {}{target})",
                m.name,
                fmt_value(*value),
                m.unit
            ),
            link,
        }),
        (TargetStatus::OnTarget, Trend::Improving) => a.good.push(Line {
            text: format!(
                "{} on target and improving ({} {})",
                m.name,
                fmt_value(*value),
                m.unit
            ),
            link,
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_good_the_bad_and_the_ugly_come_from_the_data_with_links() {
        let today = d("2026-11-23");
        let since = d("2026-10-23");
        let requests = vec![
            AgendaRequest {
                id: 1,
                title: "CRM dedupe".into(),
                status: "delivered".into(),
                changed_on: d("2026-11-01"),
            },
            AgendaRequest {
                id: 2,
                title: "Canva".into(),
                status: "declined".into(),
                changed_on: d("2026-11-02"),
            },
            AgendaRequest {
                id: 3,
                title: "Old win".into(),
                status: "closed".into(),
                changed_on: d("2026-01-01"),
            },
            AgendaRequest {
                id: 4,
                title: "VPN".into(),
                status: "in_delivery".into(),
                changed_on: d("2026-11-20"),
            },
        ];
        let promises = vec![
            AgendaPromise {
                id: 10,
                text: "Fix Wi-Fi".into(),
                by_it: true,
                status: "kept".into(),
                due_on: d("2026-11-10"),
                closed_on: Some(d("2026-11-09")),
            },
            AgendaPromise {
                id: 11,
                text: "Send field list".into(),
                by_it: false,
                status: "broken".into(),
                due_on: d("2026-11-01"),
                closed_on: Some(d("2026-11-05")),
            },
            AgendaPromise {
                id: 12,
                text: "Laptops".into(),
                by_it: true,
                status: "open".into(),
                due_on: d("2026-11-15"),
                closed_on: None,
            },
            AgendaPromise {
                id: 13,
                text: "Training".into(),
                by_it: true,
                status: "open".into(),
                due_on: d("2026-12-15"),
                closed_on: None,
            },
        ];
        let p = |s: &str| Period::parse(s).unwrap();
        let metrics = vec![
            AgendaMetric {
                id: 20,
                name: "CRM uptime".into(),
                unit: "%".into(),
                target: Some(99.5),
                direction: Direction::HigherBetter,
                values: vec![
                    (p("2026-09"), 99.6),
                    (p("2026-10"), 99.0),
                    (p("2026-11"), 97.0),
                ],
                care: 5,
            },
            AgendaMetric {
                id: 21,
                name: "Backlog".into(),
                unit: "tickets".into(),
                target: Some(40.0),
                direction: Direction::LowerBetter,
                values: vec![(p("2026-10"), 50.0), (p("2026-11"), 30.0)],
                care: 0,
            },
        ];
        let a = draft("Sales", since, today, today, &requests, &promises, &metrics);
        let texts = |v: &Vec<Line>| v.iter().map(|l| l.text.clone()).collect::<Vec<_>>();
        assert_eq!(
            texts(&a.good),
            vec![
                "Delivered: CRM dedupe",
                "Promise kept (IT to Sales): Fix Wi-Fi",
                "Backlog on target and improving (30 tickets)"
            ]
        );
        assert_eq!(
            texts(&a.bad),
            vec![
                "Declined: Canva (alternatives offered)",
                "Promise overdue by 8 days (IT to Sales): Laptops"
            ]
        );
        assert_eq!(
            texts(&a.ugly),
            vec![
                "Promise broken (Sales to IT): Send field list",
                "CRM uptime is off target and getting worse (97 %)"
            ]
        );
        assert!(
            a.metrics_pack[0].text.starts_with("CRM uptime"),
            "what Sales cares about comes first"
        );
        assert!(
            a.metrics_pack[1]
                .text
                .ends_with("nobody here said they care about it")
        );
        assert_eq!(a.open_requests[0].link, "/requests/4");
        assert_eq!(a.open_promises.len(), 2);
        assert!(a.ugly.iter().all(|l| l.link.starts_with('/')));
    }

    fn open_promise(id: i64, text: &str, due_on: &str) -> AgendaPromise {
        AgendaPromise {
            id,
            text: text.into(),
            by_it: true,
            status: "open".into(),
            due_on: d(due_on),
            closed_on: None,
        }
    }

    #[test]
    fn lateness_is_counted_to_today_and_nothing_is_overdue_before_it_is_due() {
        // Drafted on 11-28 for a review on 12-24 (the QA case: 12-06 was called "overdue by 18
        // days", and a promise due on 11-28 - 2 days "overdue by 26 days").
        let today = d("2026-11-28");
        let meeting = d("2026-12-24");
        let promises = vec![
            open_promise(1, "Laptops", "2026-11-26"),
            open_promise(2, "Wi-Fi", "2026-12-06"),
            open_promise(3, "Training", "2027-01-15"),
            open_promise(4, "Badge", "2026-11-27"),
            open_promise(5, "Today's", "2026-11-28"),
        ];
        let a = draft(
            "Sales",
            d("2026-11-24"),
            meeting,
            today,
            &[],
            &promises,
            &[],
        );
        let texts = |v: &Vec<Line>| v.iter().map(|l| l.text.clone()).collect::<Vec<_>>();
        assert_eq!(
            texts(&a.bad),
            vec![
                "Promise overdue by 2 days (IT to Sales): Laptops",
                "Promise overdue by 1 day (IT to Sales): Badge"
            ]
        );
        assert_eq!(
            texts(&a.open_promises),
            vec![
                "IT to Sales: Laptops — due 2026-11-26",
                "IT to Sales: Wi-Fi — due on 2026-12-06, before this review",
                "IT to Sales: Training — due 2027-01-15",
                "IT to Sales: Badge — due 2026-11-27",
                "IT to Sales: Today's — due on 2026-11-28, before this review",
            ]
        );
        assert!(
            a.open_promises
                .iter()
                .chain(&a.bad)
                .all(|l| !(l.text.contains("Wi-Fi") && l.text.contains("overdue")))
        );
    }

    #[test]
    fn a_metric_reads_the_same_from_its_last_months_as_from_its_whole_history() {
        let today = d("2026-11-23");
        let history: Vec<(Period, f64)> = (1..=12)
            .map(|m| {
                (
                    Period::parse(&format!("2026-{m:02}")).unwrap(),
                    f64::from(m * 7 % 11),
                )
            })
            .collect();
        for n in 1..=history.len() {
            for direction in [Direction::HigherBetter, Direction::LowerBetter] {
                let metric = |values: &[(Period, f64)]| AgendaMetric {
                    id: 1,
                    name: "Uptime".into(),
                    unit: "%".into(),
                    target: Some(5.0),
                    direction,
                    values: values.to_vec(),
                    care: 0,
                };
                let all = &history[..n];
                let last = &all[n.saturating_sub(METRIC_MONTHS)..];
                assert_eq!(
                    draft("Sales", today, today, today, &[], &[], &[metric(all)]),
                    draft("Sales", today, today, today, &[], &[], &[metric(last)]),
                    "{n} months, {direction:?}"
                );
            }
        }
    }
}
