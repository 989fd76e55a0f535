//! Meet pages: the review dashboard (who is overdue), scheduling, moving and cancelling, the
//! record, the organisation calendar (holidays), and calendar files. Times are shown and typed in
//! the organisation's time zone (`html::Clock`); actions a role cannot take are not shown.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, Clock, FormErrors, Layout, render_status};
use crate::pages::done;
use crate::pages::form_errors;
use crate::pages::promises::{PromiseForm, PromisorPicker, promisor_picker, typed_promisor};
use crate::service::reviews::{
    self as svc, ChangeFields, DashboardLine, HolidayFields, ScheduleFields,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::org::DepartmentId;
use duet_store::reviews::{self as store, Review};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(show_dashboard).post(schedule))
        .route("/reviews/calendar.ics", get(calendar))
        .route("/reviews/{id}/invite.ics", get(invitation))
        .route("/reviews/{id}/held", post(mark_held))
        .route("/reviews/{id}/unheld", post(undo_held))
        .route("/reviews/{id}/cancel", post(cancel))
        .route("/reviews/{id}/move", post(move_review))
        .route("/reviews/holidays", get(show_holidays).post(add_holiday))
        .route("/reviews/holidays/{id}/delete", post(remove_holiday))
        .route("/reviews/{id}/agenda", get(show_agenda))
        .route("/reviews/{id}/record", get(show_record).post(save_record))
        .route("/reviews/{id}/sign", post(sign))
        .route("/reviews/{id}/decisions", post(add_decision))
        .route("/reviews/{id}/corrections", post(add_correction))
        .route("/reviews/cadence/{department}", post(set_interval))
}

/// A review in the list, with what the viewer may do to it.
struct ReviewRow {
    r: Review,
    can_manage: bool,
}

#[derive(Template)]
#[template(path = "reviews/reviews.html")]
struct ReviewsPage {
    layout: Layout,
    lines: std::sync::Arc<Vec<DashboardLine>>,
    reviews: Vec<ReviewRow>,
    departments: Vec<Choice>,
    can_schedule: bool,
    can_edit_calendar: bool,
    form: ScheduleFields,
    clock: Clock,
    now: chrono::DateTime<chrono::Utc>,
    errors: FormErrors,
}

async fn page(
    state: &AppState,
    who: &SignedIn,
    form: ScheduleFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let lines = svc::dashboard_cached(&state.db, &state.reviews, state.config.time_zone).await?;
    let actor = who.actor();
    let may_manage = |d: i64| {
        can(
            &actor,
            Action::ManageReviews {
                department: DepartmentId(d),
            },
        )
        .is_ok()
    };
    let can_schedule = lines.iter().any(|l| may_manage(l.row.department_id));
    let current = form
        .department_id
        .map(|d| d.to_string())
        .unwrap_or_default();
    let departments = Choice::list(
        lines
            .iter()
            .filter(|l| may_manage(l.row.department_id))
            .map(|l| {
                (
                    l.row.department_id.to_string(),
                    l.row.department_name.clone(),
                )
            }),
        &current,
    );
    let reviews = svc::recent(&state.db, &state.reviews)
        .await?
        .iter()
        .cloned()
        .map(|r| ReviewRow {
            can_manage: may_manage(r.department_id),
            r,
        })
        .collect();
    Ok(render_status(
        status,
        ReviewsPage {
            layout: Layout::new(who, "Reviews", "reviews"),
            lines,
            reviews,
            departments,
            can_schedule,
            can_edit_calendar: can(&actor, Action::ManageCalendar).is_ok(),
            form,
            clock: Clock::of(state),
            now: chrono::Utc::now(),
            errors,
        },
    ))
}

/// Re-renders the dashboard with a refusal: 422 for invalid input, 409 for a state conflict.
async fn refused(
    state: &AppState,
    who: &SignedIn,
    form: ScheduleFields,
    e: AppError,
) -> Result<Response, PageError> {
    match e {
        AppError::Invalid(e) => {
            page(
                state,
                who,
                form,
                FormErrors(e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        AppError::Conflict(e) => {
            page(state, who, form, FormErrors(vec![e]), StatusCode::CONFLICT).await
        }
        e => Err(PageError(e)),
    }
}

async fn show_dashboard(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    page(
        &state,
        &who,
        ScheduleFields::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn schedule(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<ScheduleFields>,
) -> Result<Response, PageError> {
    match svc::schedule(
        &state.db,
        &who.actor(),
        &f,
        state.config.time_zone,
        &state.config.public_url,
    )
    .await
    {
        Ok(r) => {
            done(
                &state,
                &who,
                "/reviews",
                &format!(
                    "Review with {} scheduled for {}; download the invitation to send it.",
                    r.department_name,
                    Clock::of(&state).show(r.scheduled_at)
                ),
            )
            .await
        }
        Err(e) => refused(&state, &who, f, e).await,
    }
}

async fn mark_held(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    match svc::mark_held(&state.db, &who.actor(), id, state.config.time_zone).await {
        Ok(r) => {
            done(
                &state,
                &who,
                "/reviews",
                &format!("Review with {} recorded as held.", r.department_name),
            )
            .await
        }
        Err(e) => refused(&state, &who, ScheduleFields::default(), e).await,
    }
}

async fn undo_held(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ChangeFields>,
) -> Result<Response, PageError> {
    let r = svc::undo_held(&state.db, &who.actor(), id, &f)
        .await
        .map(|_| ());
    record_act(
        &state,
        &who,
        id,
        r,
        Typed::change(f),
        "The review is planned again.",
    )
    .await
}

async fn cancel(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ChangeFields>,
) -> Result<Response, PageError> {
    let r = svc::cancel(&state.db, &who.actor(), id, &f, &state.config.public_url)
        .await
        .map(|_| ());
    record_act(&state, &who, id, r, Typed::change(f), "Review cancelled.").await
}

async fn move_review(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ChangeFields>,
) -> Result<Response, PageError> {
    let r = svc::move_review(
        &state.db,
        &who.actor(),
        id,
        &f,
        state.config.time_zone,
        &state.config.public_url,
    )
    .await
    .map(|_| ());
    record_act(
        &state,
        &who,
        id,
        r,
        Typed::change(f),
        "Review moved; send the new invitation.",
    )
    .await
}

#[derive(serde::Deserialize)]
struct IntervalForm {
    #[serde(default)]
    review_interval_days: i64,
}

async fn set_interval(
    State(state): State<AppState>,
    who: SignedIn,
    Path(department): Path<i64>,
    Form(f): Form<IntervalForm>,
) -> Result<Response, PageError> {
    match svc::set_interval(&state.db, &who.actor(), department, f.review_interval_days).await {
        Ok(()) => done(&state, &who, "/reviews", "Cadence saved.").await,
        Err(e) => refused(&state, &who, ScheduleFields::default(), e).await,
    }
}

fn ics(body: String, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn invitation(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(ics(
        svc::invitation(&state.db, id, &state.config.public_url).await?,
        &format!("review-{id}.ics"),
    ))
}

async fn calendar(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    Ok(ics(
        svc::calendar(&state.db, &who.actor(), &state.config.public_url).await?,
        "duet-reviews.ics",
    ))
}

#[derive(Template)]
#[template(path = "reviews/agenda.html")]
struct AgendaPage<'a> {
    layout: Layout,
    r: &'a Review,
    a: &'a duet_core::reviews::agenda::Agenda,
    clock: Clock,
}

async fn show_agenda(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let drafted = svc::agenda_cached(&state.db, &state.reviews, &who.actor(), id).await?;
    let (r, a) = (&drafted.0, &drafted.1);
    Ok(crate::html::render(AgendaPage {
        layout: Layout::new(
            &who,
            format!("Agenda: IT × {}", r.department_name),
            "reviews",
        ),
        r,
        a,
        clock: Clock::of(&state),
    }))
}

/// What was typed into the record page's forms, kept when one is refused.
#[derive(Default)]
struct Typed {
    record: Option<svc::RecordFields>,
    decision: PromiseForm,
    change: ChangeFields,
}

/// The decision form's picker.
const DECISION_PICKER: (&str, &str, bool) = ("d-promisor", "Make it a promise by", true);

impl Typed {
    /// A refused move, cancellation or undo: the reason and time as typed.
    fn change(change: ChangeFields) -> Self {
        Self {
            change,
            ..Self::default()
        }
    }
}

#[derive(Template)]
#[template(path = "reviews/record.html")]
struct RecordPage {
    layout: Layout,
    r: Review,
    rec: store::Record,
    agenda_text: String,
    attendees: String,
    notes: String,
    metric_feedback: String,
    decision: PromiseForm,
    picker: PromisorPicker,
    change: ChangeFields,
    decisions: Vec<store::Decision>,
    corrections: Vec<store::Correction>,
    changes: Vec<store::ReviewChange>,
    departments: Vec<Choice>,
    can_manage: bool,
    can_sign: bool,
    clock: Clock,
    errors: FormErrors,
}

async fn record_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    typed: Typed,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let r = store::find(&state.db, id).await?;
    let svc::RecordView {
        record: rec,
        decisions,
        corrections,
    } = svc::record_view(&state.db, id).await?;
    let actor = who.actor();
    let dept = DepartmentId(r.department_id);
    let can_manage = can(&actor, Action::ManageReviews { department: dept }).is_ok();
    let can_sign = [true, false].into_iter().any(|it_side| {
        can(
            &actor,
            Action::SignReview {
                department: dept,
                it_side,
            },
        )
        .is_ok()
    });
    // Until someone edits it, the agenda is the draft, one line per item with its source.
    let drafted = if rec.agenda.is_empty() {
        let (_, a) = svc::agenda(&state.db, &actor, id).await?;
        let mut t = String::new();
        for (title, lines) in [
            ("The good", &a.good),
            ("The bad", &a.bad),
            ("The ugly", &a.ugly),
            ("Metrics", &a.metrics_pack),
            ("Open requests", &a.open_requests),
            ("Open promises", &a.open_promises),
        ] {
            t.push_str(&format!("{title}\n"));
            for l in lines {
                t.push_str(&format!("- {} ({})\n", l.text, l.link));
            }
            t.push('\n');
        }
        t
    } else {
        rec.agenda.clone()
    };
    // A refused save shows what was typed, not what is stored.
    let (agenda_text, attendees, notes, metric_feedback) = match typed.record {
        Some(f) => (f.agenda, f.attendees, f.notes, f.metric_feedback),
        None => (
            drafted,
            rec.attendees.clone(),
            rec.notes.clone(),
            rec.metric_feedback.clone(),
        ),
    };
    let picker = promisor_picker(state, who, DECISION_PICKER, &typed.decision.who, &errors).await?;
    let promisee = typed
        .decision
        .promisee_department_id
        .map(|p| p.to_string())
        .unwrap_or_default();
    let departments = duet_store::org::list_departments(&state.db, false).await?;
    let departments = Choice::list(
        departments
            .into_iter()
            .filter(|d| d.id == r.department_id || d.kind == duet_core::org::DepartmentKind::It)
            .map(|d| (d.id.to_string(), d.name)),
        &promisee,
    );
    Ok(render_status(
        status,
        RecordPage {
            layout: Layout::new(
                who,
                format!("Record: IT × {}", r.department_name),
                "reviews",
            ),
            decisions,
            corrections,
            changes: store::changes(&state.db, id).await?,
            r,
            rec,
            agenda_text,
            attendees,
            notes,
            metric_feedback,
            decision: typed.decision,
            change: typed.change,
            picker,
            departments,
            can_manage,
            can_sign,
            clock: Clock::of(state),
            errors,
        },
    ))
}

async fn show_record(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    record_page(
        &state,
        &who,
        id,
        Typed::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// After any action on the record page: back to it, or the page again with what was typed and
/// the refusal (422 for invalid input, 409 for a state conflict).
async fn record_act(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    result: Result<(), AppError>,
    typed: Typed,
    message: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => done(state, who, &format!("/reviews/{id}/record"), message).await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            record_page(state, who, id, typed, errors, status).await
        }
    }
}

async fn save_record(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<svc::RecordFields>,
) -> Result<Response, PageError> {
    let r = svc::save_record(&state.db, &state.reviews, &who.actor(), id, &f)
        .await
        .map(|_| ());
    let typed = Typed {
        record: Some(f),
        ..Typed::default()
    };
    record_act(&state, &who, id, r, typed, "Record saved.").await
}

async fn sign(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<svc::SignFields>,
) -> Result<Response, PageError> {
    let r = svc::sign(&state.db, &who.actor(), id, &f).await.map(|_| ());
    record_act(&state, &who, id, r, Typed::default(), "Signed.").await
}

async fn add_decision(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<PromiseForm>,
) -> Result<Response, PageError> {
    let r = match typed_promisor(&state, &who, &f.who, true).await {
        Ok(promisor_id) => {
            let fields = svc::ReviewDecisionFields {
                text: f.text.clone(),
                promisor_id,
                promisee_department_id: f.promisee_department_id,
                level: f.level.clone(),
                due_on: f.due_on.clone(),
            };
            svc::decide(&state.db, &who.actor(), id, &fields).await
        }
        Err(e) => Err(e),
    };
    let typed = Typed {
        decision: f,
        ..Typed::default()
    };
    record_act(&state, &who, id, r, typed, "Decision recorded.").await
}

#[derive(serde::Deserialize)]
struct CorrectionForm {
    #[serde(default)]
    text: String,
}

async fn add_correction(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<CorrectionForm>,
) -> Result<Response, PageError> {
    let r = svc::correct(&state.db, &who.actor(), id, &f.text).await;
    record_act(
        &state,
        &who,
        id,
        r,
        Typed::default(),
        "Correction appended.",
    )
    .await
}

#[derive(Template)]
#[template(path = "reviews/holidays.html")]
struct HolidaysPage {
    layout: Layout,
    holidays: Vec<store::StoredHoliday>,
    can_edit: bool,
    form: HolidayFields,
    errors: FormErrors,
}

/// A refused holiday's errors, each naming its field as the form labels it ("Name must be …").
fn holiday_errors(errors: Vec<duet_core::FieldError>) -> FormErrors {
    FormErrors(
        errors
            .into_iter()
            .map(|mut e| {
                let label = match e.field.as_str() {
                    "date" => "Date",
                    "name" => "Name",
                    "every_year" => "Every year on this day",
                    _ => "Holiday",
                };
                e.message = crate::service::requests::with_label(label, &e.message);
                e
            })
            .collect(),
    )
}

async fn holidays_page(
    state: &AppState,
    who: &SignedIn,
    form: HolidayFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    Ok(render_status(
        status,
        HolidaysPage {
            layout: Layout::new(who, "Organisation calendar", "reviews"),
            holidays: svc::holidays(&state.db).await?,
            can_edit: can(&who.actor(), Action::ManageCalendar).is_ok(),
            form,
            errors,
        },
    ))
}

async fn show_holidays(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    holidays_page(
        &state,
        &who,
        HolidayFields::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn add_holiday(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<HolidayFields>,
) -> Result<Response, PageError> {
    match svc::add_holiday(&state.db, &who.actor(), &f).await {
        Ok(h) => {
            done(
                &state,
                &who,
                "/reviews/holidays",
                &format!("{} added to the calendar.", h.holiday.name),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            holidays_page(&state, &who, f, holiday_errors(errors.0), status).await
        }
    }
}

async fn remove_holiday(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    svc::remove_holiday(&state.db, &who.actor(), id).await?;
    done(&state, &who, "/reviews/holidays", "Holiday removed.").await
}
