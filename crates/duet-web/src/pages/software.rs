//! Software pages (Unity): the register with its overlaps, declaring a tool, one tool with its
//! reviews, conditions and findings, a department's view for its leaders, and importing
//! advisory files.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{FormErrors, Layout, render_status};
use crate::pages::{done, form_errors};
use crate::service::software::{
    self as svc, EntryPage, FindingFields, Register, ReviewFields, SoftwareFields,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::org::DepartmentId;
use duet_core::software::register::{DataClass, Decision, Interval};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/software", get(index).post(declare))
        .route("/software/advisories", get(advisories).post(import))
        .route("/software/expenses", get(expenses_form).post(expenses_read))
        .route("/software/expenses/add", post(expenses_add))
        .route("/software/{id}", get(show).post(edit))
        .route("/software/{id}/reviews", post(review))
        .route("/software/{id}/conditions/{condition}/met", post(meet))
        .route("/software/{id}/findings/{finding}", post(decide))
}

/// "4,800.00" from minor units.
fn money(minor: i64) -> String {
    let major = minor / 100;
    let mut digits = major.abs().to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    format!(
        "{}{digits}{grouped}.{:02}",
        if minor < 0 { "-" } else { "" },
        (minor % 100).abs()
    )
}

/// The label of a field, for a refusal's summary.
fn label(field: &str) -> &'static str {
    match field {
        "name" => "Name",
        "vendor" => "Vendor",
        "purpose" => "What it is for",
        "category" => "Kind of tool",
        "department_id" => "Department",
        "owner_person_id" => "Business owner",
        "data_class" => "Data it holds",
        "users" => "Users",
        "cost" => "Cost",
        "renewal_on" => "Renews on",
        "renewal_interval" => "Renews every",
        "cpe" => "CPE name",
        "purl" => "Package URL",
        "version" => "Version",
        "aliases" => "Other names",
        "decision" => "Decision",
        "note" => "Note",
        "conditions" => "Conditions",
        "alternative" => "Safe alternative",
        "review_again_on" => "Review again on",
        "status" => "Decision",
        "file" => "File",
        "source" => "Kind of file",
        _ => "This tool",
    }
}

fn choices(
    all: &[(&'static str, &'static str)],
    current: &str,
) -> Vec<(&'static str, &'static str, bool)> {
    all.iter().map(|(v, l)| (*v, *l, *v == current)).collect()
}

/// The register entry form both the register (declare) and an entry's page (edit) show
/// (`software/form_fields.html`).
struct SoftwareForm {
    /// What is typed.
    fields: SoftwareFields,
    /// The departments the reader may choose.
    departments: Vec<(i64, String)>,
}

impl SoftwareForm {
    fn classes(&self) -> Vec<(&'static str, &'static str, bool)> {
        let all: Vec<_> = DataClass::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect();
        choices(&all, &self.fields.data_class)
    }
    fn intervals(&self) -> Vec<(&'static str, &'static str, bool)> {
        let all: Vec<_> = Interval::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect();
        choices(&all, &self.fields.renewal_interval)
    }
    fn dept_selected(&self, d: &i64) -> bool {
        self.fields.department_id == Some(*d)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct RegisterQuery {
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    department: Option<i64>,
}

/// The register table's rows: the same for every reader, so rendered once per write.
#[derive(Template)]
#[template(path = "software/rows.html")]
struct RegisterRows<'a> {
    entries: &'a [duet_store::software::Software],
}

impl RegisterRows<'_> {
    fn decision(&self, d: &Option<String>) -> &'static str {
        d.as_deref()
            .and_then(|d| d.parse::<Decision>().ok())
            .map_or("Not reviewed yet", |d| d.label())
    }
    fn class(&self, c: &str) -> &'static str {
        c.parse::<DataClass>().map_or("", |c| c.label())
    }
    fn yearly(&self, s: &duet_store::software::Software) -> String {
        svc::yearly_cost(s).map(money).unwrap_or_else(|| "—".into())
    }
}

#[derive(Template)]
#[template(path = "software/index.html")]
struct IndexPage {
    layout: Layout,
    r: std::sync::Arc<crate::service::fresh::Served<Register>>,
    /// The table's rows, rendered once per write (`RegisterRows`).
    rows: std::sync::Arc<String>,
    department: Option<(i64, String)>,
    yearly_total: String,
    sf: SoftwareForm,
    may_declare: bool,
    errors: FormErrors,
}

impl IndexPage {
    fn label(&self, f: &str) -> &'static str {
        label(f)
    }
    fn amount(&self, m: &i64) -> String {
        money(*m)
    }
}

async fn index_page(
    state: &AppState,
    who: &SignedIn,
    department: Option<i64>,
    form: SoftwareFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let r = svc::register(&state.software, &state.db, &actor, department).await?;
    let all = duet_store::org::list_departments(&state.db, false).await?;
    let departments: Vec<(i64, String)> = all
        .iter()
        .filter(|d| {
            can(
                &actor,
                Action::DeclareSoftware {
                    department: DepartmentId(d.id),
                },
            )
            .is_ok()
        })
        .map(|d| (d.id, d.name.clone()))
        .collect();
    let mut form = form;
    if form.department_id.is_none() {
        form.department_id = actor.department.map(|d| d.0);
    }
    let yearly_total = money(r.entries.iter().filter_map(svc::yearly_cost).sum());
    let rows = {
        let r = r.clone();
        state
            .software
            .rows_html
            .get_or_load(department, || async move {
                askama::Template::render(&RegisterRows {
                    entries: &r.entries,
                })
                .map_err(|e| AppError::Internal(e.into()))
            })
            .await?
    };
    let department = match department {
        None => None,
        Some(d) => Some(
            all.iter()
                .find(|x| x.id == d)
                .map(|x| (x.id, x.name.clone()))
                .ok_or_else(|| AppError::NotFound("department".into()))?,
        ),
    };
    Ok(render_status(
        status,
        IndexPage {
            layout: Layout::new(who, "Software", "software"),
            may_declare: !departments.is_empty(),
            rows,
            department,
            yearly_total,
            r,
            sf: SoftwareForm {
                fields: form,
                departments,
            },
            errors,
        },
    ))
}

async fn index(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    let form = SoftwareFields {
        data_class: "internal".into(),
        renewal_interval: "yearly".into(),
        ..Default::default()
    };
    index_page(
        &state,
        &who,
        q.department,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn declare(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<SoftwareFields>,
) -> Result<Response, PageError> {
    match svc::declare(&state.db, &who.actor(), &f).await {
        Ok(id) => {
            let s = duet_store::software::find_software(&state.db, id).await?;
            let msg = match s.request_id {
                Some(r) => format!(
                    "Thank you: {} is in the register, and request #{r} asks IT how to meet its need safely.",
                    s.name
                ),
                None => format!("{} is in the register.", s.name),
            };
            done(&state, &who, &format!("/software/{id}"), &msg).await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            index_page(&state, &who, None, f, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "software/entry.html")]
struct EntryHtml {
    layout: Layout,
    p: EntryPage,
    sf: SoftwareForm,
    review: ReviewFields,
    errors: FormErrors,
}

impl EntryHtml {
    fn label(&self, f: &str) -> &'static str {
        label(f)
    }
    fn decisions(&self) -> Vec<(&'static str, &'static str, bool)> {
        choices(
            &Decision::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect::<Vec<_>>(),
            &self.review.decision,
        )
    }
    fn decision(&self, d: &str) -> &'static str {
        d.parse::<Decision>().map_or("", |d| d.label())
    }
    fn class(&self, c: &str) -> &'static str {
        c.parse::<DataClass>().map_or("", |c| c.label())
    }
    fn interval(&self, c: &str) -> &'static str {
        c.parse::<Interval>().map_or("", |c| c.label())
    }
    fn money(&self, m: &Option<i64>) -> String {
        m.map(money).unwrap_or_else(|| "—".into())
    }
    fn finding_state(&self, f: &duet_store::software::advisories::Finding) -> String {
        let how = match f.confidence.as_str() {
            "exact_purl" => "matched exactly by package URL and version",
            "exact_cpe" => "matched exactly by CPE and version",
            _ => "matched by name",
        };
        match f.status.as_str() {
            "open" if f.confidence == "candidate" => {
                "A candidate, matched by name: IT confirms whether it affects this tool".into()
            }
            "open" => format!("Open: {how}"),
            "confirmed" => format!("Confirmed by IT: it affects this tool ({how})"),
            "dismissed" => format!("Dismissed by IT: it does not affect this tool ({how})"),
            _ => format!("Resolved ({how})"),
        }
    }
    fn overdue(&self, d: &chrono::NaiveDate) -> bool {
        *d < chrono::Utc::now().date_naive()
    }
    fn found(&self, f: &str) -> &'static str {
        f.parse::<duet_core::software::register::Found>()
            .map_or("", |f| f.label())
    }
}

async fn entry_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    forms: (Option<SoftwareFields>, Option<ReviewFields>),
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let p = svc::entry(&state.software, &state.db, &actor, id).await?;
    let departments = duet_store::org::list_departments(&state.db, false)
        .await?
        .into_iter()
        .filter(|d| {
            can(
                &actor,
                Action::EditSoftware {
                    department: DepartmentId(d.id),
                },
            )
            .is_ok()
        })
        .map(|d| (d.id, d.name))
        .collect();
    let form = forms.0.unwrap_or_else(|| SoftwareFields::of(&p.software));
    let review = forms.1.unwrap_or_else(|| ReviewFields {
        review_again_on: (chrono::Utc::now().date_naive() + chrono::Duration::days(365))
            .to_string(),
        ..Default::default()
    });
    Ok(render_status(
        status,
        EntryHtml {
            layout: Layout::new(who, p.software.name.clone(), "software"),
            p,
            sf: SoftwareForm {
                fields: form,
                departments,
            },
            review,
            errors,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    entry_page(
        &state,
        &who,
        id,
        (None, None),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn edit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<SoftwareFields>,
) -> Result<Response, PageError> {
    match svc::edit(&state.db, &who.actor(), id, &f).await {
        Ok(()) => done(&state, &who, &format!("/software/{id}"), "Saved.").await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            entry_page(&state, &who, id, (Some(f), None), errors, status).await
        }
    }
}

async fn review(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<ReviewFields>,
) -> Result<Response, PageError> {
    match svc::review(&state.db, &who.actor(), id, &f).await {
        Ok(_) => {
            done(
                &state,
                &who,
                &format!("/software/{id}#reviews"),
                "Review recorded.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            entry_page(&state, &who, id, (None, Some(f)), errors, status).await
        }
    }
}

async fn meet(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, condition)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    match svc::meet_condition(&state.db, &who.actor(), id, condition).await {
        Ok(()) => {
            done(
                &state,
                &who,
                &format!("/software/{id}#reviews"),
                "Condition met.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            entry_page(&state, &who, id, (None, None), errors, status).await
        }
    }
}

async fn decide(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, finding)): Path<(i64, i64)>,
    Form(f): Form<FindingFields>,
) -> Result<Response, PageError> {
    match svc::decide_finding(&state.db, &who.actor(), id, finding, &f).await {
        Ok(()) => {
            done(
                &state,
                &who,
                &format!("/software/{id}#findings"),
                "Finding decided.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            entry_page(&state, &who, id, (None, None), errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "software/advisories.html")]
struct AdvisoriesPage {
    layout: Layout,
    counts: Vec<(String, i64)>,
    may_import: bool,
    problems: Vec<String>,
}

async fn advisories(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    Ok(render_status(
        StatusCode::OK,
        AdvisoriesPage {
            layout: Layout::new(&who, "Advisories", "software"),
            counts: duet_store::software::advisories::counts(&state.db).await?,
            may_import: can(&who.actor(), Action::ImportAdvisories).is_ok(),
            problems: Vec::new(),
        },
    ))
}

async fn import(
    State(state): State<AppState>,
    who: SignedIn,
    mut upload: Multipart,
) -> Result<Response, PageError> {
    can(&who.actor(), Action::ImportAdvisories)?;
    let (mut source, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = upload
        .next_field()
        .await
        .map_err(|e| AppError::invalid("file", e.body_text()))?
    {
        match field.name() {
            Some("source") => {
                source = field
                    .text()
                    .await
                    .map_err(|e| AppError::invalid("source", e.body_text()))?
            }
            Some("file") => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::invalid("file", e.body_text()))?
                    .to_vec()
            }
            _ => {}
        }
    }
    let (status, problems) = match svc::import(&state.db, &who.actor(), &source, &bytes).await {
        Ok(o) => {
            return done(
                &state,
                &who,
                "/software/advisories",
                &format!(
                    "Imported: {} new, {} replaced; {} new finding(s) in the register.",
                    o.summary.added, o.summary.replaced, o.new_findings
                ),
            )
            .await;
        }
        Err(AppError::Invalid(errs)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errs.into_iter().map(|e| e.message).collect(),
        ),
        Err(e) => return Err(PageError(e)),
    };
    Ok(render_status(
        status,
        AdvisoriesPage {
            layout: Layout::new(&who, "Advisories", "software"),
            counts: duet_store::software::advisories::counts(&state.db).await?,
            may_import: true,
            problems,
        },
    ))
}

#[derive(Template)]
#[template(path = "software/expenses.html")]
struct ExpensesPage {
    layout: Layout,
    items: Vec<svc::ExpenseItem>,
    problems: Vec<String>,
    read: bool,
}

impl ExpensesPage {
    fn amount(&self, m: &i64) -> String {
        money(*m)
    }
    fn interval(&self, i: &str) -> &'static str {
        i.parse::<Interval>().map_or("", |i| i.label())
    }
}

fn expenses_page(
    who: &SignedIn,
    status: StatusCode,
    items: Vec<svc::ExpenseItem>,
    problems: Vec<String>,
    read: bool,
) -> Response {
    render_status(
        status,
        ExpensesPage {
            layout: Layout::new(who, "Software from an expense export", "software"),
            items,
            problems,
            read,
        },
    )
}

async fn expenses_form(who: SignedIn) -> Result<Response, PageError> {
    Ok(expenses_page(
        &who,
        StatusCode::OK,
        Vec::new(),
        Vec::new(),
        false,
    ))
}

async fn expenses_read(
    State(state): State<AppState>,
    who: SignedIn,
    mut upload: Multipart,
) -> Result<Response, PageError> {
    let bytes = crate::pages::uploaded_file(&mut upload).await?;
    match svc::propose_from_expenses(&state.db, &who.actor(), &bytes).await {
        Ok(items) => Ok(expenses_page(&who, StatusCode::OK, items, Vec::new(), true)),
        Err(AppError::Csv(errs)) => Ok(expenses_page(
            &who,
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            errs.iter().map(|e| e.to_string()).collect(),
            false,
        )),
        Err(e) => Err(PageError(e)),
    }
}

/// Reads the chosen proposals: repeated `pick` (an index) and each item's hidden fields
/// (`item{i}_vendor`, …).
fn picked(pairs: &[(String, String)]) -> svc::ExpenseAdd {
    let get = |k: String| {
        pairs
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let items = pairs
        .iter()
        .filter(|(n, _)| n == "pick")
        .filter_map(|(_, i)| {
            Some(svc::ExpenseItem {
                vendor: get(format!("item{i}_vendor")),
                department_id: get(format!("item{i}_department_id")).parse().ok()?,
                department_name: String::new(),
                charges: 0,
                cost_minor: get(format!("item{i}_cost_minor")).parse().ok()?,
                last_year_minor: 0,
                renewal_interval: get(format!("item{i}_renewal_interval")),
                renewal_on: get(format!("item{i}_renewal_on")).parse().ok()?,
                already: None,
            })
        })
        .collect();
    svc::ExpenseAdd { items }
}

async fn expenses_add(
    State(state): State<AppState>,
    who: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = picked(&pairs);
    match svc::add_from_expenses(&state.db, &who.actor(), &f).await {
        Ok(ids) => done(
            &state,
            &who,
            "/software",
            &format!(
                "Added {} tool(s) from the expense export: tell IT what each is for on its page.",
                ids.len()
            ),
        )
        .await,
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            Ok(expenses_page(
                &who,
                status,
                f.items,
                errors.0.iter().map(|e| e.message.clone()).collect(),
                true,
            ))
        }
    }
}
