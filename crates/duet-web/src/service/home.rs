//! Home: "what needs you" — for each person, the short lists of things waiting for them today,
//! drawn from every area, each line linking to where it is done.
//!
//! Which lists a person sees follows from what they may do (`can`), not from their role's name:
//! whoever may triage requests sees IT's queues, whoever may champion sees sign-offs, whoever
//! may judge promises made to their department sees those, and everyone sees their own requests
//! and the surveys they are invited to.

use crate::error::AppError;
use crate::service::fresh::{FreshCell, FreshMap};
use crate::service::reviews::DashboardLine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use duet_core::auth::{Action, Actor, can};
use duet_core::org::DepartmentId;
use duet_core::time::Tz;
use duet_store::Db;
use duet_store::accounts::User;
use duet_store::home::{self as store, Counted, PromiseScope, RequestLine};
use duet_store::org::Department;
use std::sync::Arc;

/// One line of a list on the home page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HomeItem {
    /// What it is.
    pub label: String,
    /// Where it is done.
    pub href: String,
    /// Context: department, due date, status.
    pub note: String,
    /// New or changed since the person last looked at their home page.
    pub fresh: bool,
}

/// One list: a title, how many things are in it, the first of them, and where to see all.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HomeSection {
    /// Stable key (`to_understand`, `to_decide`, `reviews`, `it_promises`, `signoffs`,
    /// `to_confirm`, `promises_to_keep`, `promises_to_judge`, `next_review`, `surveys`,
    /// `my_requests`).
    pub key: &'static str,
    /// Heading.
    pub title: String,
    /// How many things are in the list in all (the items are the first of them).
    pub total: i64,
    /// The first items.
    pub items: Vec<HomeItem>,
    /// Where the whole list (or the area) is, when there are more than shown.
    pub more_href: Option<String>,
    /// Whether its things wait for this person (counted in "N things waiting for you"); the
    /// next review and one's own requests are there to inform, not to act on.
    pub waiting: bool,
    /// What to say when the list is empty.
    pub empty: String,
}

/// Someone's home page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Home {
    /// The lists, most pressing first.
    pub sections: Vec<HomeSection>,
    /// Unread messages in the Duet inbox.
    pub unread: i64,
    /// When the person last looked at their home page before now.
    pub last_looked: Option<DateTime<Utc>>,
}

/// Recently built home pages, per account, for this process.
///
/// A home page reads a dozen lists; built once, it is reused for two seconds as long as this
/// process has written nothing since (`service::fresh`), so a reload or a dashboard refresh costs
/// no query, while anything done through this replica shows at once. Another replica's writes
/// show within two seconds. Each account's page is rebuilt by one caller at a time, and while it
/// is rebuilt only because it aged, the others are served the aged page (a dozen lists read by
/// thirty-two tabs at once made the page's p99 several times its own time).
#[derive(Default)]
pub struct HomeCache {
    homes: FreshMap<i64, Home, 10_000>,
    departments: FreshCell<Vec<Department>>,
}

/// The departments for the home page's map of the organisation, cached like the home pages.
pub async fn cached_departments(
    cache: &HomeCache,
    db: &Db,
) -> Result<Arc<Vec<Department>>, AppError> {
    cache
        .departments
        .get_or_load(|| async {
            Ok::<_, AppError>(duet_store::org::list_departments(db, false).await?)
        })
        .await
}

/// `user`'s home page, from this process's cache when nothing was written since it was built.
pub async fn cached_home(
    cache: &HomeCache,
    db: &Db,
    user: &User,
    tz: Tz,
) -> Result<Arc<Home>, AppError> {
    cache
        .homes
        .get_or_load(user.id, || home(db, user, Utc::now(), tz))
        .await
}

impl Home {
    /// How many things wait in all: the sum of the waiting lists' totals, where a thing shown in
    /// two of them (the same link) counts once.
    pub fn waiting(&self) -> i64 {
        let waiting = self.sections.iter().filter(|s| s.waiting);
        let total: i64 = waiting.clone().map(|s| s.total).sum();
        let mut seen = std::collections::HashSet::new();
        let repeats = waiting
            .flat_map(|s| s.items.iter())
            .filter(|i| !seen.insert(i.href.as_str()))
            .count() as i64;
        total - repeats
    }
}

fn section(
    key: &'static str,
    title: &str,
    total: i64,
    items: Vec<HomeItem>,
    more: &str,
    empty: &str,
) -> HomeSection {
    let more_href = (total > items.len() as i64).then(|| more.to_string());
    HomeSection {
        waiting: !matches!(key, "my_requests" | "next_review"),
        key,
        title: title.to_string(),
        total,
        items,
        more_href,
        empty: empty.to_string(),
    }
}

fn request_items(
    list: &Counted<RequestLine>,
    fresh: impl Fn(&RequestLine) -> bool,
) -> Vec<HomeItem> {
    list.items
        .iter()
        .map(|r| HomeItem {
            label: r.title.clone(),
            href: format!("/requests/{}", r.id),
            note: format!(
                "{} · {} urgency · {}",
                r.department_name,
                r.urgency,
                r.status
                    .parse::<duet_core::requests::Status>()
                    .map_or(r.status.clone(), |s| s.label().to_string())
            ),
            fresh: fresh(r),
        })
        .collect()
}

fn promise_items(list: &Counted<store::PromiseLine>, today: NaiveDate) -> Vec<HomeItem> {
    list.items
        .iter()
        .map(|p| HomeItem {
            label: p.text.clone(),
            href: format!("/promises/{}", p.id),
            note: format!(
                "{} → {} · {}",
                p.from_name,
                p.to_name,
                due_words(p.due_on, today)
            ),
            fresh: false,
        })
        .collect()
}

/// "due today", "due in 3 days", "4 days overdue".
pub fn due_words(due: NaiveDate, today: NaiveDate) -> String {
    let days = (due - today).num_days();
    match days {
        0 => "due today".into(),
        1 => "due tomorrow".into(),
        d if d > 1 => format!("due in {d} days ({due})"),
        -1 => "1 day overdue".into(),
        d => format!("{} days overdue", -d),
    }
}

/// Builds `user`'s home page as of `now` (days and times in the organisation's zone `tz`), and records that they looked (at most once a minute).
pub async fn home(db: &Db, user: &User, now: DateTime<Utc>, tz: Tz) -> Result<Home, AppError> {
    let actor = user.actor();
    let today = now.with_timezone(&tz).date_naive();
    let last_looked = store::touch_home(db, user.id, now).await?;
    let is_new = |t: Option<DateTime<Utc>>| match (t, last_looked) {
        (Some(t), Some(seen)) => t > seen,
        (Some(_), None) => true,
        _ => false,
    };
    let mut sections = Vec::new();

    if can(&actor, Action::TriageRequest).is_ok() {
        sections.extend(it_sections(db, now, tz, user.person_id, &is_new).await?);
    }

    sections.extend(signoffs_section(db, user, &actor).await?);

    // An account that is not a person of the organisation (the admin) sees its own requests
    // only when it has some.
    let is_person = user.person_id.is_some();
    let to_confirm = store::own_requests_in_status(db, user.id, "understanding").await?;
    if is_person || to_confirm.total > 0 {
        sections.push(section(
            "to_confirm",
            "Needs to confirm",
            to_confirm.total,
            request_items(&to_confirm, |r| is_new(Some(r.updated_at))),
            "/requests?view=mine&status=understanding",
            "IT is not waiting for you to confirm any need.",
        ));
    }

    if let Some(person) = user.person_id {
        sections.push(promises_to_keep_section(db, person, today).await?);
    }

    if let Some(dept) = user.department_id {
        sections.extend(department_sections(db, user, &actor, dept, now, today, tz).await?);
    }

    let mine = store::own_open_requests(db, user.id).await?;
    if is_person || mine.total > 0 {
        sections.push(section(
            "my_requests",
            "Your requests",
            mine.total,
            request_items(&mine, |r| is_new(Some(r.updated_at))),
            "/requests?view=mine",
            "You have no open request. Need something from IT? Submit a request.",
        ));
    }

    let unread = duet_store::requests::unread_count(db, user.id).await?;
    Ok(Home {
        sections,
        unread,
        last_looked,
    })
}

/// Sign-offs waiting for this champion, shown when they may champion or when some wait anyway.
async fn signoffs_section(
    db: &Db,
    user: &User,
    actor: &Actor,
) -> Result<Option<HomeSection>, AppError> {
    // Sign-offs waiting for this champion: a case never signed, or a sign-off that lapsed.
    let cases = store::champion_cases(db, user.id).await?;
    let waiting = signoff_items(&cases);
    let champions = can(
        actor,
        Action::SignOff {
            champion: Some(actor.user),
        },
    )
    .is_ok();
    if champions || !waiting.is_empty() {
        let total = waiting.len() as i64;
        let shown: Vec<HomeItem> = waiting.into_iter().take(store::SHOWN as usize).collect();
        return Ok(Some(section(
            "signoffs",
            "Sign-offs waiting for you",
            total,
            shown,
            "/portfolio",
            "No business case waits for your sign-off.",
        )));
    }
    Ok(None)
}

/// The champion's cases whose sign-off does not hold (never signed, or lapsed), as lines.
fn signoff_items(cases: &[store::SignoffLine]) -> Vec<HomeItem> {
    cases
        .iter()
        .filter_map(|c| {
            let holds = match (c.signed_cost, c.tolerance_pct) {
                (Some(signed), Some(tol)) => {
                    duet_core::requests::signoff_holds(signed, c.case_cost, tol)
                }
                _ => false,
            };
            (!holds).then(|| HomeItem {
                label: c.title.clone(),
                href: format!("/requests/{}", c.id),
                note: if c.signed_cost.is_some() {
                    "your sign-off lapsed: IT costs rose beyond the tolerance".into()
                } else {
                    "business case ready for your sign-off".into()
                },
                fresh: false,
            })
        })
        .collect()
}

/// The person's own open promises due within two weeks or overdue.
async fn promises_to_keep_section(
    db: &Db,
    person: i64,
    today: NaiveDate,
) -> Result<HomeSection, AppError> {
    let keep = store::open_promises(
        db,
        PromiseScope::ByPerson(person),
        today + Duration::days(14),
    )
    .await?;
    Ok(section(
        "promises_to_keep",
        "Your promises due soon or overdue",
        keep.total,
        promise_items(&keep, today),
        "/promises",
        "None of your promises is overdue or due in the next two weeks.",
    ))
}

/// The lists tied to the reader's department: promises to it to judge, its next review with IT
/// and the surveys it is invited to, each as far as the reader may see it.
async fn department_sections(
    db: &Db,
    user: &User,
    actor: &Actor,
    dept: i64,
    now: DateTime<Utc>,
    today: NaiveDate,
    tz: Tz,
) -> Result<Vec<HomeSection>, AppError> {
    let mut out = Vec::new();
    let d = DepartmentId(dept);
    // Judging is open to the whole promisee department; the list is for its leaders (those
    // who sign its reviews) and for IT's triagers, not for every member.
    let leads = can(
        actor,
        Action::SignReview {
            department: d,
            it_side: false,
        },
    )
    .is_ok()
        || can(actor, Action::TriageRequest).is_ok();
    if can(actor, Action::AnswerPromise { promisee: d }).is_ok() && leads {
        out.push(promises_to_judge_section(db, dept, today).await?);
    }
    if can(
        actor,
        Action::SignReview {
            department: d,
            it_side: false,
        },
    )
    .is_ok()
    {
        out.push(next_review_section(db, dept, now, tz).await?);
    }
    if let Some(person) = user.person_id {
        out.push(surveys_section(db, person, dept, today, user.id).await?);
    }
    Ok(out)
}

/// Promises made to the department that wait for its judgement.
async fn promises_to_judge_section(
    db: &Db,
    dept: i64,
    today: NaiveDate,
) -> Result<HomeSection, AppError> {
    let judge = store::open_promises(db, PromiseScope::ToDepartment(dept), today).await?;
    Ok(section(
        "promises_to_judge",
        "Promises to your department to judge",
        judge.total,
        promise_items(&judge, today),
        &format!("/promises?to={dept}"),
        "No promise made to your department is waiting for your judgement.",
    ))
}

/// The department's next planned review with IT (at most one line), linking to its agenda.
async fn next_review_section(
    db: &Db,
    dept: i64,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<HomeSection, AppError> {
    let next = store::planned_reviews(
        db,
        Some(dept),
        now - Duration::hours(12),
        now + Duration::days(90),
    )
    .await?;
    let items: Vec<HomeItem> = next
        .iter()
        .take(1)
        .map(|r| HomeItem {
            label: format!(
                "Review with IT on {}",
                r.scheduled_at
                    .with_timezone(&tz)
                    .format("%a %-d %b %Y, %H:%M %Z")
            ),
            href: format!("/reviews/{}/agenda", r.id),
            note: "read the drafted agenda: the good, the bad and the ugly".into(),
            fresh: false,
        })
        .collect();
    Ok(section(
        "next_review",
        "Your next review with IT",
        items.len() as i64,
        items,
        "/reviews",
        "No review with IT is planned yet: ask your IT partner to schedule one.",
    ))
}

/// The open surveys this person is invited to and has not answered.
async fn surveys_section(
    db: &Db,
    person: i64,
    dept: i64,
    today: NaiveDate,
    user_id: i64,
) -> Result<HomeSection, AppError> {
    let surveys = store::surveys_to_answer(db, person, dept, today, user_id).await?;
    let items: Vec<HomeItem> = surveys
        .iter()
        .map(|c| HomeItem {
            label: c.title.clone(),
            href: format!("/listen/campaigns/{}", c.id),
            note: format!("open until {}; anonymous", c.closes_on),
            fresh: false,
        })
        .collect();
    Ok(section(
        "surveys",
        "Surveys to answer",
        items.len() as i64,
        items,
        "/listen",
        "No open survey is waiting for your answer.",
    ))
}

/// IT's lists: requests to understand and to decide, reviews overdue or this week, IT's promises.
async fn it_sections(
    db: &Db,
    now: DateTime<Utc>,
    tz: Tz,
    person: Option<i64>,
    is_new: &impl Fn(Option<DateTime<Utc>>) -> bool,
) -> Result<Vec<HomeSection>, AppError> {
    let today = now.with_timezone(&tz).date_naive();
    let mut out = Vec::new();
    let submitted = store::requests_in_status(db, "submitted").await?;
    out.push(section(
        "to_understand",
        "Requests waiting for understanding",
        submitted.total,
        request_items(&submitted, |r| is_new(Some(r.updated_at))),
        "/requests?view=all&status=submitted",
        "Every request has had its need stated.",
    ));
    let confirmed = store::requests_in_status(db, "need_confirmed").await?;
    out.push(section(
        "to_decide",
        "Needs confirmed, waiting for a decision",
        confirmed.total,
        request_items(&confirmed, |r| is_new(r.need_confirmed_at)),
        "/requests?view=all&status=need_confirmed",
        "No confirmed need waits for a decision.",
    ));

    let week = today + Duration::days(7);
    out.push(reviews_section(db, now, tz, week).await?);
    // The reader's own promises are in "your promises"; this list is everyone else's in IT.
    let promises = store::open_promises(db, PromiseScope::ByIt { except: person }, week).await?;
    out.push(section(
        "it_promises",
        if person.is_some() {
            "Other IT promises due this week"
        } else {
            "IT's promises due this week"
        },
        promises.total,
        promise_items(&promises, today),
        "/promises?open=1",
        "No promise IT made is due this week.",
    ));
    Ok(out)
}

/// IT's reviews list: reviews planned in the next 7 days and departments overdue or due by
/// `week` with none planned.
async fn reviews_section(
    db: &Db,
    now: DateTime<Utc>,
    tz: Tz,
    week: NaiveDate,
) -> Result<HomeSection, AppError> {
    let planned =
        store::planned_reviews(db, None, now - Duration::hours(12), now + Duration::days(7))
            .await?;
    let lines = crate::service::reviews::dashboard(db, tz).await?;
    let items = review_items(&planned, &lines, week, tz);
    let total = items.len() as i64;
    Ok(section(
        "reviews",
        "Reviews overdue or this week",
        total,
        items,
        "/reviews",
        "Every department's review is on track.",
    ))
}

/// Reviews: those planned in the next 7 days, then departments overdue or due this week that
/// have none planned (one line per department).
fn review_items(
    planned: &[store::ReviewLine],
    lines: &[DashboardLine],
    week: NaiveDate,
    tz: Tz,
) -> Vec<HomeItem> {
    let overdue = |dept: i64| {
        lines
            .iter()
            .find(|l| l.row.department_id == dept && l.state.overdue_days > 0)
            .map(|l| l.state.overdue_days)
    };
    let mut items: Vec<HomeItem> = planned
        .iter()
        .map(|r| {
            let when = r
                .scheduled_at
                .with_timezone(&tz)
                .format("%a %-d %b, %H:%M %Z");
            HomeItem {
                label: format!("Review with {}", r.department_name),
                href: format!("/reviews/{}/agenda", r.id),
                note: match overdue(r.department_id) {
                    Some(days) => format!("{when} · {days} days overdue"),
                    None => when.to_string(),
                },
                fresh: false,
            }
        })
        .collect();
    items.extend(
        lines
            .iter()
            .filter(|l| l.state.overdue_days > 0 || l.state.next_due <= week)
            .filter(|l| {
                !planned
                    .iter()
                    .any(|r| r.department_id == l.row.department_id)
            })
            .map(|l| HomeItem {
                label: l.state.message.clone(),
                href: format!("/reviews#department-{}", l.row.department_id),
                note: if l.state.overdue_days > 0 {
                    format!("{} days overdue; none planned", l.state.overdue_days)
                } else {
                    format!("due {}; none planned", l.state.next_due)
                },
                fresh: false,
            }),
    );
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(href: &str) -> HomeItem {
        HomeItem {
            label: href.into(),
            href: href.into(),
            note: String::new(),
            fresh: false,
        }
    }

    #[test]
    fn waiting_sums_the_waiting_lists_and_counts_a_thing_shown_twice_once() {
        let home = Home {
            sections: vec![
                section(
                    "reviews",
                    "Reviews",
                    2,
                    vec![item("/reviews#department-1"), item("/reviews#department-2")],
                    "/reviews",
                    "",
                ),
                section(
                    "it_promises",
                    "IT",
                    1,
                    vec![item("/promises/7")],
                    "/promises",
                    "",
                ),
                section(
                    "promises_to_keep",
                    "Yours",
                    1,
                    vec![item("/promises/7")],
                    "/promises",
                    "",
                ),
                section(
                    "my_requests",
                    "Your requests",
                    3,
                    vec![item("/requests/1")],
                    "/requests",
                    "",
                ),
            ],
            unread: 0,
            last_looked: None,
        };
        assert_eq!(
            home.waiting(),
            3,
            "two reviews and one promise; one's own requests inform"
        );
    }
}
