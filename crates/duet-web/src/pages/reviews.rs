//! Meet pages: the review dashboard (who is overdue), scheduling, and calendar files.

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render_status};
use crate::pages::done;
use crate::service::reviews::{self as svc, DashboardLine, ScheduleFields};
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
        .route("/reviews/{id}/agenda", get(show_agenda))
        .route("/reviews/{id}/record", get(show_record).post(save_record))
        .route("/reviews/{id}/sign", post(sign))
        .route("/reviews/{id}/decisions", post(add_decision))
        .route("/reviews/{id}/corrections", post(add_correction))
        .route("/reviews/cadence/{department}", post(set_interval))
}

#[derive(Template)]
#[template(path = "meet/reviews.html")]
struct ReviewsPage {
    layout: Layout,
    lines: Vec<DashboardLine>,
    reviews: Vec<Review>,
    departments: Vec<Choice>,
    can_schedule: bool,
    errors: FormErrors,
}

async fn page(
    state: &AppState,
    who: &SignedIn,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let lines = svc::dashboard(&state.db).await?;
    let actor = who.actor();
    let can_schedule = lines.iter().any(|l| {
        can(
            &actor,
            Action::ManageReviews {
                department: DepartmentId(l.row.department_id),
            },
        )
        .is_ok()
    });
    let departments = Choice::list(
        lines
            .iter()
            .filter(|l| {
                can(
                    &actor,
                    Action::ManageReviews {
                        department: DepartmentId(l.row.department_id),
                    },
                )
                .is_ok()
            })
            .map(|l| {
                (
                    l.row.department_id.to_string(),
                    l.row.department_name.clone(),
                )
            }),
        "",
    );
    let reviews = store::list(&state.db, None, 60).await?;
    Ok(render_status(
        status,
        ReviewsPage {
            layout: Layout::new(who, "Reviews", "reviews"),
            lines,
            reviews,
            departments,
            can_schedule,
            errors,
        },
    ))
}

async fn show_dashboard(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    page(&state, &who, FormErrors::default(), StatusCode::OK).await
}

async fn schedule(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<ScheduleFields>,
) -> Result<Response, PageError> {
    match svc::schedule(&state.db, &who.actor(), &f).await {
        Ok(r) => {
            done(
                &state,
                &who,
                "/reviews",
                &format!(
                    "Review with {} scheduled; download the invitation to send it.",
                    r.department_name
                ),
            )
            .await
        }
        Err(AppError::Invalid(e)) => {
            page(
                &state,
                &who,
                FormErrors(e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError(e)),
    }
}

async fn mark_held(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = svc::mark_held(&state.db, &who.actor(), id).await?;
    done(
        &state,
        &who,
        "/reviews",
        &format!("Review with {} recorded as held.", r.department_name),
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
        Err(AppError::Invalid(e)) => {
            page(
                &state,
                &who,
                FormErrors(e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError(e)),
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
#[template(path = "meet/agenda.html")]
struct AgendaPage {
    layout: Layout,
    r: Review,
    a: duet_core::agenda::Agenda,
}

async fn show_agenda(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (r, a) = svc::agenda(&state.db, &who.actor(), id).await?;
    Ok(crate::html::render(AgendaPage {
        layout: Layout::new(
            &who,
            format!("Agenda: IT × {}", r.department_name),
            "reviews",
        ),
        r,
        a,
    }))
}

#[derive(Template)]
#[template(path = "meet/record.html")]
struct RecordPage {
    layout: Layout,
    r: Review,
    rec: store::Record,
    agenda_text: String,
    decisions: Vec<store::Decision>,
    corrections: Vec<store::Correction>,
    people: Vec<Choice>,
    departments: Vec<Choice>,
    errors: FormErrors,
}

async fn record_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let r = store::find(&state.db, id).await?;
    let rec = store::record(&state.db, id).await?;
    // Until someone edits it, the agenda is the draft, one line per item with its source.
    let agenda_text = if rec.agenda.is_empty() {
        let (_, a) = svc::agenda(&state.db, &who.actor(), id).await?;
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
    let it_ids: Vec<i64> = duet_store::org::list_departments(&state.db, false)
        .await?
        .into_iter()
        .filter(|d| d.kind == duet_core::org::DepartmentKind::It)
        .map(|d| d.id)
        .collect();
    let people = duet_store::org::list_people(
        &state.db,
        &duet_store::org::PeopleFilter::default(),
        duet_store::PageRequest::new(Some(500), None),
    )
    .await?;
    let people = Choice::list(
        people
            .items
            .into_iter()
            .filter(|p| p.department_id == r.department_id || it_ids.contains(&p.department_id))
            .map(|p| {
                (
                    p.id.to_string(),
                    format!("{} ({})", p.name, p.department_name),
                )
            }),
        "",
    );
    let departments = duet_store::org::list_departments(&state.db, false).await?;
    let departments = Choice::list(
        departments
            .into_iter()
            .filter(|d| d.id == r.department_id || d.kind == duet_core::org::DepartmentKind::It)
            .map(|d| (d.id.to_string(), d.name)),
        "",
    );
    Ok(render_status(
        status,
        RecordPage {
            layout: Layout::new(
                who,
                format!("Record: IT × {}", r.department_name),
                "reviews",
            ),
            decisions: store::decisions(&state.db, id).await?,
            corrections: store::corrections(&state.db, id).await?,
            r,
            rec,
            agenda_text,
            people,
            departments,
            errors,
        },
    ))
}

async fn show_record(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    record_page(&state, &who, id, FormErrors::default(), StatusCode::OK).await
}

async fn record_act(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    result: Result<(), AppError>,
    message: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => done(state, who, &format!("/reviews/{id}/record"), message).await,
        Err(AppError::Invalid(e)) => {
            record_page(
                state,
                who,
                id,
                FormErrors(e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(e)) => {
            record_page(state, who, id, FormErrors(vec![e]), StatusCode::CONFLICT).await
        }
        Err(e) => Err(PageError(e)),
    }
}

async fn save_record(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<svc::RecordFields>,
) -> Result<Response, PageError> {
    let r = svc::save_record(&state.db, &who.actor(), id, &f)
        .await
        .map(|_| ());
    record_act(&state, &who, id, r, "Record saved.").await
}

async fn sign(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = svc::sign(&state.db, &who.actor(), id).await.map(|_| ());
    record_act(&state, &who, id, r, "Signed.").await
}

async fn add_decision(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<svc::DecisionFields>,
) -> Result<Response, PageError> {
    let r = svc::decide(&state.db, &who.actor(), id, &f).await;
    record_act(&state, &who, id, r, "Decision recorded.").await
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
    record_act(&state, &who, id, r, "Correction appended.").await
}
