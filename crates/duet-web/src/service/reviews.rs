//! Meet: the checked actions on reviews, the overdue dashboard and calendar invitations.

use crate::error::AppError;
use crate::service::de;
use crate::service::fresh::{FreshCell, FreshMap};
use chrono::Utc;
use duet_core::auth::{Action, Actor, can};
use duet_core::org::DepartmentId;
use duet_core::reviews::{self as rules, CadenceState, CalendarEvent, Holiday, Invitee};
use duet_core::time::Tz;
use duet_store::reviews::{self as store, CadenceRow, Review};
use duet_store::{Db, Page, PageRequest};
use std::sync::Arc;

/// Recently read review lists, the dashboard and drafted agendas, per process
/// (`service::fresh`). An agenda is drafted from a dozen queries (requests, promises per IT
/// department, five metric reads) and the dashboard from a scan of every department's cadence:
/// per view that held these pages to a tenth of a bare handler (issue 11). Each is now read once
/// per write epoch and two seconds; an agenda is kept per review and per what its reader may
/// see of the department's requests.
#[derive(Default)]
pub struct ReviewCaches {
    dashboard: FreshCell<Vec<DashboardLine>>,
    recent: FreshCell<Vec<Review>>,
    pages: FreshMap<(Option<i64>, PageRequest), Page<Review>>,
    reviews: FreshMap<i64, Review, 1024>,
    agendas: FreshMap<(i64, Option<i64>), (Review, duet_core::reviews::agenda::Agenda), 1024>,
    /// Record saves, group-committed (see `service::group_commit`).
    saves: crate::service::group_commit::GroupCommit<SaveBatch>,
}

/// How a batch of record saves is written: `store::save_records`, one transaction for all.
pub struct SaveBatch;

impl crate::service::group_commit::Batch for SaveBatch {
    type Item = store::RecordWrite;
    type Out = store::Record;
    const WHAT: &'static str = "review records";
    fn write(
        db: &Db,
        items: &[store::RecordWrite],
    ) -> impl Future<Output = duet_store::Result<Vec<duet_store::Result<store::Record>>>> + Send
    {
        store::save_records(db, items)
    }
}

/// [`dashboard`], read at most once per write epoch and two seconds.
pub async fn dashboard_cached(
    db: &Db,
    caches: &ReviewCaches,
    tz: Tz,
) -> Result<Arc<Vec<DashboardLine>>, AppError> {
    caches.dashboard.get_or_load(|| dashboard(db, tz)).await
}

/// The 60 most recent reviews the reviews page lists.
pub async fn recent(db: &Db, caches: &ReviewCaches) -> Result<Arc<Vec<Review>>, AppError> {
    Ok(caches
        .recent
        .get_or_load(|| store::list(db, None, 60))
        .await?)
}

/// One page of reviews, of one department or all, newest first.
pub async fn page(
    db: &Db,
    caches: &ReviewCaches,
    department: Option<i64>,
    window: PageRequest,
) -> Result<Arc<Page<Review>>, AppError> {
    Ok(caches
        .pages
        .get_or_load((department, window), || store::page(db, department, window))
        .await?)
}

/// [`agenda`], kept per review and per reader scope: `None` when the reader may see every
/// request of the review's department, else the reader (who sees their own).
pub async fn agenda_cached(
    db: &Db,
    caches: &ReviewCaches,
    actor: &Actor,
    id: i64,
) -> Result<Arc<(Review, duet_core::reviews::agenda::Agenda)>, AppError> {
    let review = caches
        .reviews
        .get_or_load(id, || store::find(db, id))
        .await?;
    let sees_all = can(
        actor,
        Action::ViewRequest {
            // No one: whoever may see a stranger's request of this department sees them all.
            requester: duet_core::org::UserId(0),
            department: DepartmentId(review.department_id),
        },
    )
    .is_ok();
    let scope = (!sees_all).then_some(actor.user.0);
    caches
        .agendas
        .get_or_load((id, scope), || agenda(db, actor, id))
        .await
}

/// A department's line on the dashboard.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DashboardLine {
    /// Facts.
    pub row: CadenceRow,
    /// Due date, overdue days, sentence.
    pub state: CadenceState,
}

/// Every business department's review situation, most overdue first (days counted in the
/// organisation's time zone).
pub async fn dashboard(db: &Db, tz: Tz) -> Result<Vec<DashboardLine>, AppError> {
    let today = Utc::now().with_timezone(&tz).date_naive();
    let mut lines: Vec<DashboardLine> = store::cadence_rows(db)
        .await?
        .into_iter()
        .map(|row| {
            let state = rules::cadence(
                &row.department_name,
                row.last_held,
                row.review_interval_days,
                row.created_at.date_naive(),
                today,
            );
            DashboardLine { row, state }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.state
            .overdue_days
            .cmp(&a.state.overdue_days)
            .then(a.row.department_name.cmp(&b.row.department_name))
    });
    Ok(lines)
}

/// A review to schedule (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ScheduleFields {
    /// Business department.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub department_id: Option<i64>,
    /// Start, `YYYY-MM-DDTHH:MM` in the organisation's time zone (as a `datetime-local` input
    /// sends it), or RFC 3339 with an offset (`2026-12-01T14:00:00Z`).
    #[serde(default)]
    pub starts_at: String,
    /// Length in minutes (default 60).
    #[serde(default)]
    pub minutes: Option<i64>,
}

/// Schedules a review (IT leaders, or the department's business leader); `tz` reads the start.
pub async fn schedule(
    db: &Db,
    actor: &Actor,
    f: &ScheduleFields,
    tz: Tz,
    base_url: &str,
) -> Result<Review, AppError> {
    let dept = f
        .department_id
        .ok_or_else(|| AppError::invalid("department_id", "is required"))?;
    can(
        actor,
        Action::ManageReviews {
            department: DepartmentId(dept),
        },
    )?;
    let at = duet_core::time::parse_local_datetime("starts_at", &f.starts_at, tz)?;
    let now = Utc::now();
    if at < now - chrono::Duration::days(366) || at > now + chrono::Duration::days(5 * 366) {
        return Err(AppError::invalid(
            "starts_at",
            "must be within a year back and five years ahead",
        ));
    }
    let minutes = f.minutes.unwrap_or(60);
    if !(15..=480).contains(&minutes) {
        return Err(AppError::invalid("minutes", "must be between 15 and 480"));
    }
    let r = store::schedule(db, dept, at, minutes, actor.user.0).await?;
    invite(db, base_url, &r, false).await;
    Ok(r)
}

/// E-mails the invitation (or cancellation) with its calendar file. The change is made and
/// stands either way: a failure to queue the e-mail is logged, not returned.
async fn invite(db: &Db, base_url: &str, r: &Review, cancelled: bool) {
    if let Err(e) = crate::service::mail::queue_review(db, base_url, r, cancelled).await {
        tracing::warn!(review = r.id, error = %e, "the review's invitation was not queued");
    }
}

/// Marks a review held today (not before its start); unless one is planned, Duet plans the next
/// on the latest working day on or before the cadence's due date.
pub async fn mark_held(db: &Db, actor: &Actor, id: i64, tz: Tz) -> Result<Review, AppError> {
    managed(db, actor, id).await?;
    Ok(store::mark_held_and_plan_next(db, id, Utc::now(), tz).await?)
}

/// Why a review is moved, cancelled or no longer held (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ChangeFields {
    /// Why (3–500 characters): kept in the review's history.
    #[serde(default)]
    pub reason: String,
    /// For a move: the new start, like `ScheduleFields::starts_at`.
    #[serde(default)]
    pub starts_at: String,
}

/// The review `id`, once `actor` is known to manage reviews with its department: the check every
/// change to a review starts with.
async fn managed(db: &Db, actor: &Actor, id: i64) -> Result<Review, AppError> {
    let r = store::find(db, id).await?;
    can(
        actor,
        Action::ManageReviews {
            department: DepartmentId(r.department_id),
        },
    )?;
    Ok(r)
}

/// Undoes "held" (the scheduler, until anyone signed the record), with a reason.
pub async fn undo_held(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &ChangeFields,
) -> Result<Review, AppError> {
    managed(db, actor, id).await?;
    let reason = rules::parse_reason(&f.reason)?;
    Ok(store::undo_held(db, id, &reason, actor.user.0).await?)
}

/// Cancels a planned (or missed) review, with a reason.
pub async fn cancel(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &ChangeFields,
    base_url: &str,
) -> Result<Review, AppError> {
    managed(db, actor, id).await?;
    let reason = rules::parse_reason(&f.reason)?;
    let r = store::cancel(db, id, &reason, actor.user.0).await?;
    invite(db, base_url, &r, true).await;
    Ok(r)
}

/// Moves a planned (or missed) review to a new start (not in the past), with a reason.
pub async fn move_review(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &ChangeFields,
    tz: Tz,
    base_url: &str,
) -> Result<Review, AppError> {
    let r = managed(db, actor, id).await?;
    let mut errs = duet_core::ValidationErrors::default();
    let at = errs
        .check(duet_core::time::parse_local_datetime(
            "starts_at",
            &f.starts_at,
            tz,
        ))
        .and_then(|at| errs.check(rules::check_move(r.scheduled_at, at, Utc::now()).map(|()| at)));
    let reason = errs.check(rules::parse_reason(&f.reason));
    match (at, reason) {
        (Some(at), Some(reason)) if errs.0.is_empty() => {
            let r = store::move_to(db, id, at, &reason, actor.user.0).await?;
            invite(db, base_url, &r, false).await;
            Ok(r)
        }
        _ => Err(errs.into()),
    }
}

/// The organisation's holidays.
pub async fn holidays(db: &Db) -> Result<Vec<store::StoredHoliday>, AppError> {
    Ok(store::holidays(db).await?)
}

/// A holiday (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct HolidayFields {
    /// The date, `YYYY-MM-DD` (its year is ignored when `every_year`).
    #[serde(default)]
    pub date: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Every year on this day and month.
    #[serde(default, deserialize_with = "de::flag")]
    pub every_year: bool,
}

/// Adds a holiday (admins).
pub async fn add_holiday(
    db: &Db,
    actor: &Actor,
    f: &HolidayFields,
) -> Result<store::StoredHoliday, AppError> {
    can(actor, Action::ManageCalendar)?;
    let h = Holiday::parse(&f.date, &f.name, f.every_year)?;
    Ok(store::add_holiday(db, &h).await?)
}

/// Removes a holiday (admins).
pub async fn remove_holiday(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    can(actor, Action::ManageCalendar)?;
    Ok(store::remove_holiday(db, id).await?)
}

/// Changes a department's cadence.
pub async fn set_interval(
    db: &Db,
    actor: &Actor,
    department: i64,
    days: i64,
) -> Result<(), AppError> {
    can(
        actor,
        Action::ManageReviews {
            department: DepartmentId(department),
        },
    )?;
    let days = rules::parse_interval(days)?;
    Ok(store::set_interval(db, department, days).await?)
}

/// The calendar event of a review: organiser, the department's leader and IT partner invited.
pub async fn event(db: &Db, review: &Review, base_url: &str) -> Result<CalendarEvent, AppError> {
    let rows = store::cadence_rows(db).await?;
    let row = rows
        .iter()
        .find(|r| r.department_id == review.department_id);
    let mut attendees = Vec::new();
    if let Some(r) = row {
        for (n, e) in [
            (&r.leader_name, &r.leader_email),
            (&r.partner_name, &r.partner_email),
        ] {
            if let (Some(n), Some(e)) = (n, e) {
                attendees.push(Invitee {
                    name: n.clone(),
                    email: e.clone(),
                });
            }
        }
    }
    Ok(CalendarEvent {
        uid: format!("review-{}@duet", review.id),
        start: review.scheduled_at,
        minutes: review.minutes,
        summary: format!("IT × {} monthly review", review.department_name),
        description: format!(
            "Face to face: the good, the bad and the ugly, with the metrics {} cares about.\nAgenda and record: {base_url}/reviews",
            review.department_name
        ),
        organizer: Invitee {
            name: review.organizer_name.clone(),
            email: review.organizer_email.clone(),
        },
        attendees,
        url: format!("{base_url}/reviews"),
        sequence: 0,
        cancelled: false,
    })
}

/// The invitation for one review.
pub async fn invitation(db: &Db, id: i64, base_url: &str) -> Result<String, AppError> {
    let review = store::find(db, id).await?;
    let e = event(db, &review, base_url).await?;
    Ok(rules::icalendar(&[e], "REQUEST", Utc::now()))
}

/// A calendar of the reviews someone takes part in: all of them for IT leaders and admins, their
/// department's otherwise.
pub async fn calendar(db: &Db, actor: &Actor, base_url: &str) -> Result<String, AppError> {
    use duet_core::auth::{Question, Scope, scope};
    let department = match scope(actor, Question::SeeReviews) {
        Scope::All => None,
        Scope::Department(d) => Some(d.0),
        Scope::Own | Scope::Nothing => return Ok(rules::icalendar(&[], "PUBLISH", Utc::now())),
    };
    let mut events = Vec::new();
    for r in store::list(db, department, 500)
        .await?
        .into_iter()
        .filter(|r| r.status != "cancelled")
    {
        events.push(event(db, &r, base_url).await?);
    }
    Ok(rules::icalendar(&events, "PUBLISH", Utc::now()))
}

/// The agenda of a review, drafted from data since the review before it (or one interval back).
/// Requests appear only when the actor may see them (members see their own).
pub async fn agenda(
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<(Review, duet_core::reviews::agenda::Agenda), AppError> {
    use duet_core::reviews::agenda::{AgendaMetric, AgendaPromise, AgendaRequest, draft};
    let review = store::find(db, id).await?;
    let dept = review.department_id;
    let on = review.scheduled_at.date_naive();
    let (interval, last_held) = store::agenda_start(db, dept, id, on).await?;
    let since = last_held.unwrap_or(on - chrono::Duration::days(interval.unwrap_or(30)));
    let it_departments: Vec<i64> = duet_store::org::list_departments(db, false)
        .await?
        .into_iter()
        .filter(|d| d.kind == duet_core::org::DepartmentKind::It)
        .map(|d| d.id)
        .collect();
    // Requests appear only when the actor may see them (members see their own).
    let requests: Vec<AgendaRequest> = store::agenda_requests(db, dept, since, on)
        .await?
        .into_iter()
        .filter(|r| {
            can(
                actor,
                Action::ViewRequest {
                    requester: duet_core::org::UserId(r.4),
                    department: DepartmentId(dept),
                },
            )
            .is_ok()
        })
        .map(|(id, title, status, changed, _)| AgendaRequest {
            id,
            title,
            status,
            changed_on: changed.date_naive(),
        })
        .collect();
    let mut promises: Vec<AgendaPromise> = Vec::new();
    for it in it_departments {
        let rows = store::agenda_promises(db, dept, it, since, on).await?;
        promises.extend(
            rows.into_iter().map(
                |(id, text, by_it, status, due_on, closed_on)| AgendaPromise {
                    id,
                    text,
                    by_it,
                    status,
                    due_on,
                    closed_on,
                },
            ),
        );
    }
    // A past review's agenda reads as it stood on its day: lateness counted to the meeting and
    // no metric month after it.
    let as_of = Utc::now().date_naive().min(on);
    let last_period = duet_core::metrics::Period::of(as_of);
    let catalogue = duet_store::metrics::list_metrics(db).await?;
    let values = duet_store::metrics::latest_values(
        db,
        dept,
        last_period,
        duet_core::reviews::agenda::METRIC_MONTHS as i64,
    )
    .await?;
    let outcomes = duet_store::metrics::outcomes(db, Some(dept)).await?;
    let maps = duet_store::metrics::mappings(db).await?;
    let metrics: Vec<AgendaMetric> = catalogue
        .into_iter()
        .map(|m| AgendaMetric {
            values: values
                .iter()
                .filter(|v| v.metric_id == m.id)
                .filter_map(|v| {
                    duet_core::metrics::Period::parse(&v.period)
                        .ok()
                        .filter(|p| *p <= last_period)
                        .map(|p| (p, v.value))
                })
                .collect(),
            care: outcomes
                .iter()
                .filter(|o| maps.contains(&(m.id, o.id)))
                .map(|o| o.weight)
                .sum(),
            id: m.id,
            name: m.name,
            unit: m.unit,
            target: m.target,
            direction: m.direction,
        })
        .collect();
    let agenda = draft(
        &review.department_name,
        since,
        on,
        as_of,
        &requests,
        &promises,
        &metrics,
    );
    Ok((review, agenda))
}

/// The record's text (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RecordFields {
    /// The agenda as edited before the meeting.
    #[serde(default)]
    pub agenda: String,
    /// Who attended.
    #[serde(default)]
    pub attendees: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
    /// Feedback on the metrics pack.
    #[serde(default)]
    pub metric_feedback: String,
}

/// Saves the record (refused once both leaders signed).
pub async fn save_record(
    db: &Db,
    caches: &ReviewCaches,
    actor: &Actor,
    id: i64,
    f: &RecordFields,
) -> Result<store::Record, AppError> {
    managed(db, actor, id).await?;
    // Every field is prose: several lines (the drafted agenda has dozens), tabs allowed.
    let mut errs = duet_core::ValidationErrors::default();
    let prose = duet_core::error::prose_text;
    let agenda = errs.check(prose("agenda", &f.agenda, 0, 20_000));
    let attendees = errs.check(prose("attendees", &f.attendees, 0, 2_000));
    let notes = errs.check(prose("notes", &f.notes, 0, 20_000));
    let feedback = errs.check(prose("metric_feedback", &f.metric_feedback, 0, 10_000));
    match (agenda, attendees, notes, feedback) {
        (Some(a), Some(att), Some(n), Some(fb)) if errs.0.is_empty() => {
            let write = store::RecordWrite {
                review: id,
                agenda: a,
                attendees: att,
                notes: n,
                feedback: fb,
            };
            caches.saves.submit(db, write).await
        }
        _ => Err(errs.into()),
    }
}

/// What a signature may carry (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SignFields {
    /// How the meeting felt to the signer: `friendly`, `businesslike` or `tense` (optional; kept
    /// with the signature, and shown as the people level of the relationship).
    #[serde(default)]
    #[schema(schema_with = crate::api::optional_words::<duet_core::reviews::Tone>)]
    pub tone: Option<String>,
}

/// Signs the record for the side the actor leads, with how the meeting felt to them when given;
/// both signatures lock it.
pub async fn sign(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &SignFields,
) -> Result<store::Record, AppError> {
    let tone = match f.tone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(t.parse::<duet_core::reviews::Tone>().map_err(|_| {
            AppError::invalid(
                "tone",
                "choose friendly, businesslike or tense, or leave it out",
            )
        })?),
    };
    let r = store::find(db, id).await?;
    let dept = DepartmentId(r.department_id);
    let it_side = if can(
        actor,
        Action::SignReview {
            department: dept,
            it_side: true,
        },
    )
    .is_ok()
    {
        true
    } else {
        can(
            actor,
            Action::SignReview {
                department: dept,
                it_side: false,
            },
        )?;
        false
    };
    Ok(store::sign_with_tone(db, id, it_side, actor.user.0, tone).await?)
}

/// A decision (form or JSON); with a due date and promisor it becomes a promise in one step.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReviewDecisionFields {
    /// The decision.
    #[serde(default)]
    pub text: String,
    /// To make it a promise: who promised.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub promisor_id: Option<i64>,
    /// To make it a promise: the department promised to.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub promisee_department_id: Option<i64>,
    /// To make it a promise: the level.
    #[serde(default)]
    pub level: String,
    /// To make it a promise: when it is due.
    #[serde(default)]
    pub due_on: String,
}

/// Records a decision, and when asked, the promise it becomes (source: this meeting).
pub async fn decide(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &ReviewDecisionFields,
) -> Result<(), AppError> {
    managed(db, actor, id).await?;
    let text = duet_core::error::prose_text("text", &f.text, 5, 1000)?;
    if f.promisor_id.is_none() && f.due_on.trim().is_empty() {
        return Ok(store::add_decision(db, id, &text, None, actor.user.0).await?);
    }
    // The decision and its promise are written in one transaction.
    let today = Utc::now().date_naive();
    // Without a level the promise is made at the promisor's own level.
    let mut input = duet_core::promises::PromiseInput::parse(
        f.promisor_id,
        f.promisee_department_id,
        crate::service::promises::level_to_parse(&f.level),
        &text,
        &f.due_on,
        "meeting",
        Some(id),
        today,
    )?;
    crate::service::promises::may_record_at_level(db, actor, &mut input, &f.level).await?;
    duet_store::promises::insert_decision_with_promise(db, id, &text, actor.user.0, &input, today)
        .await?;
    Ok(())
}

/// Appends a correction to a locked record.
pub async fn correct(db: &Db, actor: &Actor, id: i64, text: &str) -> Result<(), AppError> {
    managed(db, actor, id).await?;
    let text = duet_core::error::prose_text("text", text, 5, 5000)?;
    Ok(store::add_correction(db, id, &text, actor.user.0).await?)
}

/// A review's record with its decisions and corrections.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RecordView {
    /// The record.
    pub record: duet_store::reviews::Record,
    /// Decisions (some became promises).
    pub decisions: Vec<duet_store::reviews::Decision>,
    /// Corrections appended after locking.
    pub corrections: Vec<duet_store::reviews::Correction>,
}

/// A review's record with its decisions and corrections, as the record page and the API show it.
pub async fn record_view(db: &Db, id: i64) -> Result<RecordView, AppError> {
    Ok(RecordView {
        record: store::record(db, id).await?,
        decisions: store::decisions(db, id).await?,
        corrections: store::corrections(db, id).await?,
    })
}

/// Imports the reviews already held, with their days, notes and decisions (admins); all rows or
/// none, each problem placed by line and column; a department's review already on that day is
/// left alone.
pub async fn import_history(
    db: &Db,
    actor: &Actor,
    tz: Tz,
    source: Option<&str>,
    csv: &[u8],
) -> Result<store::ReviewHistorySummary, AppError> {
    can(actor, Action::ImportHistory)?;
    let source = duet_core::error::bounded_text(
        "source",
        source.unwrap_or("the reviews held before Duet"),
        1,
        120,
    )?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let rows = rules::history::parse_history_csv(csv, today).map_err(AppError::Csv)?;
    Ok(store::import_history(db, actor.user.0, &source, &rows, |_| {}).await?)
}
