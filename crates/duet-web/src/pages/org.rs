//! Organisation pages: the department map and the people directory.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render, render_status};
use crate::pages::{done, form_errors};
use crate::service::org::{self as svc, DepartmentFields, PersonFields};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::org::{DepartmentId, DepartmentKind, Level, PersonId};
use duet_store::org::{self, Department, PeopleFilter, Person, PersonRef};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/departments",
            get(list_departments).post(create_department),
        )
        .route(
            "/departments/{id}",
            get(show_department).post(update_department),
        )
        .route("/departments/{id}/archive", post(archive_department))
        .route("/departments/{id}/restore", post(restore_department))
        .route("/people", get(list_people).post(create_person))
        .route("/people/new", get(new_person))
        .route("/people/export.csv", get(export_people))
        .route("/people/import", get(import_form).post(import_people))
        .route("/people/{id}", get(show_person).post(update_person))
        .route("/people/{id}/edit", get(edit_person))
        .route("/people/{id}/archive", post(archive_person))
        .route("/people/{id}/restore", post(restore_person))
}

fn kind_choices(current: &str) -> Vec<Choice> {
    Choice::list(
        DepartmentKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), k.label().to_string())),
        current,
    )
}

fn level_choices(current: &str) -> Vec<Choice> {
    Choice::list(
        Level::ALL
            .iter()
            .map(|l| (l.as_str().to_string(), l.label().to_string())),
        current,
    )
}

fn department_choices(departments: &[Department], current: Option<i64>) -> Vec<Choice> {
    let current = current.map(|c| c.to_string()).unwrap_or_default();
    Choice::list(
        departments
            .iter()
            .map(|d| (d.id.to_string(), d.name.clone())),
        &current,
    )
}

fn people_choices(people: &[PersonRef], current: Option<i64>) -> Vec<Choice> {
    let current = current.map(|c| c.to_string()).unwrap_or_default();
    Choice::list(
        people
            .iter()
            .map(|p| (p.id.to_string(), format!("{} — {}", p.name, p.title))),
        &current,
    )
}

// ---------------------------------------------------------------- departments

#[derive(Template)]
#[template(path = "org/departments.html")]
struct DepartmentsPage {
    layout: Layout,
    departments: std::sync::Arc<Vec<Department>>,
    can_manage: bool,
    form: DepartmentFields,
    kinds: Vec<Choice>,
    errors: FormErrors,
    show_archived: bool,
}

#[derive(serde::Deserialize, Default)]
struct ArchivedQuery {
    #[serde(default, deserialize_with = "crate::service::de::flag")]
    archived: bool,
}

async fn departments_page(
    state: &AppState,
    who: &SignedIn,
    form: DepartmentFields,
    errors: FormErrors,
    show_archived: bool,
    status: StatusCode,
) -> Result<Response, PageError> {
    let departments = svc::departments(&state.db, &state.org, &who.actor(), show_archived).await?;
    let kinds = kind_choices(if form.kind.is_empty() {
        "business"
    } else {
        &form.kind
    });
    let can_manage = can(&who.actor(), Action::ManageDepartments).is_ok();
    Ok(render_status(
        status,
        DepartmentsPage {
            layout: Layout::new(who, "Departments", "departments"),
            departments,
            can_manage,
            form,
            kinds,
            errors,
            show_archived,
        },
    ))
}

async fn list_departments(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<ArchivedQuery>,
) -> Result<Response, PageError> {
    departments_page(
        &state,
        &who,
        DepartmentFields::default(),
        FormErrors::default(),
        q.archived,
        StatusCode::OK,
    )
    .await
}

async fn create_department(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<DepartmentFields>,
) -> Result<Response, PageError> {
    match svc::create_department(&state.db, &who.actor(), &form).await {
        Ok(d) => {
            done(
                &state,
                &who,
                &format!("/departments/{}", d.id),
                &format!("Department {} created.", d.name),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            departments_page(&state, &who, form, errors, false, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "org/department.html")]
struct DepartmentPage {
    layout: Layout,
    d: Department,
    /// The department's view; its members are its first `DEPARTMENT_MEMBERS` active people by
    /// name, the directory lists the rest.
    view: std::sync::Arc<svc::DepartmentView>,
    /// Whether the department has more active people than `members` lists.
    more: bool,
    can_manage: bool,
    form: DepartmentFields,
    kinds: Vec<Choice>,
    /// The leader picker's `<option>`s, rendered (see `Options`).
    leaders: String,
    /// The IT partner picker's `<option>`s, rendered.
    partners: String,
    errors: FormErrors,
}

/// A picker's `<option>`s (escaped by askama), rendered apart so a department page can keep
/// them.
#[derive(Template)]
#[template(
    source = "{% for c in choices %}<option value=\"{{ c.value }}\"{% if c.selected %} selected{% endif %}>{{ c.label }}</option>{% endfor %}",
    ext = "html"
)]
struct Options<'a> {
    choices: &'a [Choice],
}

async fn department_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    form: Option<DepartmentFields>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let view = svc::department_view(&state.db, &state.org, &who.actor(), DepartmentId(id)).await?;
    let d = view.department.clone();
    let form = form.unwrap_or_else(|| DepartmentFields {
        name: d.name.clone(),
        kind: d.kind.as_str().into(),
        leader_id: d.leader_id,
        it_partner_id: d.it_partner_id,
    });
    let can_manage = can(&who.actor(), Action::ManageDepartments).is_ok();
    // The pickers are shown only to someone who may edit: a reader sees no form. As stored,
    // they are rendered once per org revision; as typed into a refused form, for that answer.
    let render_pickers = |leader: Option<i64>, partner: Option<i64>| {
        let options =
            |choices: Vec<Choice>| Options { choices: &choices }.render().unwrap_or_default();
        (
            options(people_choices(&view.leaders, leader)),
            options(people_choices(&view.partners, partner)),
        )
    };
    let (leaders, partners) = if !can_manage {
        (String::new(), String::new())
    } else if (form.leader_id, form.it_partner_id) == (d.leader_id, d.it_partner_id) {
        view.picker_html
            .get_or_init(|| render_pickers(d.leader_id, d.it_partner_id))
            .clone()
    } else {
        render_pickers(form.leader_id, form.it_partner_id)
    };
    Ok(render_status(
        status,
        DepartmentPage {
            layout: Layout::new(who, d.name.clone(), "departments"),
            kinds: kind_choices(&form.kind),
            leaders,
            partners,
            more: d.people_count > view.members.len() as i64,
            d,
            view,
            can_manage,
            form,
            errors,
        },
    ))
}

async fn show_department(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    department_page(
        &state,
        &who,
        id,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn update_department(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<DepartmentFields>,
) -> Result<Response, PageError> {
    match svc::update_department(&state.db, &who.actor(), id, &form).await {
        Ok(d) => {
            done(
                &state,
                &who,
                &format!("/departments/{id}"),
                &format!("Department {} saved.", d.name),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            department_page(&state, &who, id, Some(form), errors, status).await
        }
    }
}

async fn archive_department(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = svc::archive_department(&state.db, &who.actor(), id, true).await?;
    done(
        &state,
        &who,
        "/departments",
        &format!("Department {} archived.", d.name),
    )
    .await
}

async fn restore_department(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = svc::archive_department(&state.db, &who.actor(), id, false).await?;
    done(
        &state,
        &who,
        &format!("/departments/{id}"),
        &format!("Department {} restored.", d.name),
    )
    .await
}

// ---------------------------------------------------------------- people

/// The directory's filters, as they appear in the page's query string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PeopleQuery {
    /// Search text.
    #[serde(default)]
    pub q: String,
    /// Department id (empty for all).
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    pub department_id: Option<i64>,
    /// Level (empty for all).
    #[serde(default)]
    pub level: String,
    /// Include archived people.
    #[serde(default, deserialize_with = "crate::service::de::flag")]
    pub archived: bool,
    /// Rows to skip.
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    pub offset: Option<i64>,
}

impl PeopleQuery {
    fn href(&self, offset: i64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        if let Some(d) = self.department_id {
            s.append_pair("department_id", &d.to_string());
        }
        if !self.level.is_empty() {
            s.append_pair("level", &self.level);
        }
        if self.archived {
            s.append_pair("archived", "on");
        }
        if offset > 0 {
            s.append_pair("offset", &offset.to_string());
        }
        format!("/people?{}", s.finish())
    }
}

#[derive(Template)]
#[template(path = "org/people.html")]
struct PeoplePage {
    layout: Layout,
    query: PeopleQuery,
    people: Page<Person>,
    departments: Vec<Choice>,
    levels: Vec<Choice>,
    prev: Option<String>,
    next: Option<String>,
    first_row: i64,
    last_row: i64,
    can_create: bool,
    can_export: bool,
}

async fn list_people(
    State(state): State<AppState>,
    who: SignedIn,
    Query(query): Query<PeopleQuery>,
) -> Result<Response, PageError> {
    let actor = who.actor();
    can(&actor, Action::ViewOrg)?;
    let level = if query.level.is_empty() {
        None
    } else {
        Some(query.level.parse::<Level>()?)
    };
    let filter = PeopleFilter {
        q: Some(query.q.clone()),
        department: query.department_id.map(DepartmentId),
        level,
        include_archived: query.archived,
    };
    let page = PageRequest::new(Some(50), query.offset);
    let dir = svc::directory(&state.db, &state.org, &actor, filter, page).await?;
    let (people, departments) = (dir.0.clone(), dir.1.clone());
    let departments = Choice::list(
        departments.into_iter().map(|d| (d.id.to_string(), d.name)),
        &query
            .department_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let prev = (page.offset > 0).then(|| query.href((page.offset - page.limit).max(0)));
    let next =
        (page.offset + page.limit < people.total).then(|| query.href(page.offset + page.limit));
    let can_create = duet_core::auth::scope(&actor, duet_core::auth::Question::ManagePeople)
        != duet_core::auth::Scope::Nothing;
    Ok(render(PeoplePage {
        layout: Layout::new(&who, "People", "people"),
        departments,
        levels: level_choices(&query.level),
        first_row: if people.items.is_empty() {
            0
        } else {
            page.offset + 1
        },
        last_row: page.offset + people.items.len() as i64,
        prev,
        next,
        can_create,
        can_export: can(&actor, Action::ExportPeople).is_ok(),
        query,
        people,
    }))
}

#[derive(Template)]
#[template(path = "org/person_form.html")]
struct PersonFormPage {
    layout: Layout,
    action: String,
    person_id: Option<i64>,
    form: PersonFields,
    departments: Vec<Choice>,
    levels: Vec<Choice>,
    errors: FormErrors,
}

async fn person_form(
    state: &AppState,
    who: &SignedIn,
    person_id: Option<i64>,
    form: PersonFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let departments = org::list_departments(&state.db, false).await?;
    let title = if person_id.is_some() {
        format!("Edit {}", form.name)
    } else {
        "New person".to_string()
    };
    Ok(render_status(
        status,
        PersonFormPage {
            layout: Layout::new(who, title, "people"),
            action: person_id
                .map(|id| format!("/people/{id}"))
                .unwrap_or_else(|| "/people".into()),
            person_id,
            departments: department_choices(&departments, form.department_id),
            levels: level_choices(if form.level.is_empty() {
                "individual"
            } else {
                &form.level
            }),
            form,
            errors,
        },
    ))
}

async fn new_person(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let form = PersonFields {
        department_id: who.user.department_id,
        ..Default::default()
    };
    person_form(
        &state,
        &who,
        None,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create_person(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<PersonFields>,
) -> Result<Response, PageError> {
    match svc::create_person(&state.db, &who.actor(), &form).await {
        Ok(p) => {
            done(
                &state,
                &who,
                &format!("/people/{}", p.id),
                &format!("{} added.", p.name),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            person_form(&state, &who, None, form, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "org/person.html")]
struct PersonPage {
    layout: Layout,
    p: Person,
    can_manage: bool,
}

async fn show_person(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    can(&who.actor(), Action::ViewOrg)?;
    let p = org::find_person(&state.db, PersonId(id)).await?;
    let can_manage = can(
        &who.actor(),
        Action::ManagePerson(DepartmentId(p.department_id)),
    )
    .is_ok();
    Ok(render(PersonPage {
        layout: Layout::new(&who, p.name.clone(), "people"),
        p,
        can_manage,
    }))
}

async fn edit_person(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = org::find_person(&state.db, PersonId(id)).await?;
    can(
        &who.actor(),
        Action::ManagePerson(DepartmentId(p.department_id)),
    )?;
    let form = PersonFields {
        name: p.name,
        email: p.email,
        department_id: Some(p.department_id),
        title: p.title,
        level: p.level.as_str().into(),
    };
    person_form(
        &state,
        &who,
        Some(id),
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn update_person(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<PersonFields>,
) -> Result<Response, PageError> {
    match svc::update_person(&state.db, &who.actor(), id, &form).await {
        Ok(p) => {
            done(
                &state,
                &who,
                &format!("/people/{id}"),
                &format!("{} saved.", p.name),
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            person_form(&state, &who, Some(id), form, errors, status).await
        }
    }
}

async fn archive_person(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = svc::archive_person(&state.db, &who.actor(), id, true).await?;
    done(
        &state,
        &who,
        &format!("/people/{id}"),
        &format!("{} archived.", p.name),
    )
    .await
}

async fn restore_person(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = svc::archive_person(&state.db, &who.actor(), id, false).await?;
    done(
        &state,
        &who,
        &format!("/people/{id}"),
        &format!("{} restored.", p.name),
    )
    .await
}

async fn export_people(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    let csv = svc::export_people(&state.db, &who.actor()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"people.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "org/import.html")]
struct ImportPage {
    layout: Layout,
    problems: Vec<String>,
}

async fn import_form(who: SignedIn) -> Result<Response, PageError> {
    can(&who.actor(), Action::ImportPeople)?;
    Ok(render(ImportPage {
        layout: Layout::new(&who, "Import people", "people"),
        problems: Vec::new(),
    }))
}

async fn import_people(
    State(state): State<AppState>,
    who: SignedIn,
    mut upload: Multipart,
) -> Result<Response, PageError> {
    can(&who.actor(), Action::ImportPeople)?;
    let bytes = crate::pages::uploaded_file(&mut upload).await?;
    match svc::import_people(&state.db, &who.actor(), &bytes).await {
        Ok(s) => {
            done(
                &state,
                &who,
                "/people",
                &format!("Imported: {} new, {} updated.", s.created, s.updated),
            )
            .await
        }
        Err(AppError::Csv(errs)) => {
            let problems = errs.iter().map(|e| e.to_string()).collect();
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                ImportPage {
                    layout: Layout::new(&who, "Import people", "people"),
                    problems,
                },
            ))
        }
        Err(e) => Err(PageError(e)),
    }
}
