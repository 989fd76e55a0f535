//! Departments and people: the checked actions shared by pages and the API.

use crate::error::AppError;
use crate::service::de;
use duet_core::auth::{Action, Actor, can};
use duet_core::org::{DepartmentId, DepartmentInput, PersonId, PersonInput};
use duet_store::Db;
use duet_store::org::{self, Department, DepartmentRef, ImportSummary, PeopleFilter, Person};
use duet_store::{Page, PageRequest};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The editable fields of a department (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DepartmentFields {
    /// Unique name.
    #[serde(default)]
    pub name: String,
    /// `it` or `business`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::org::DepartmentKind>)]
    pub kind: String,
    /// Business leader: a person of this department.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub leader_id: Option<i64>,
    /// IT partner: a person of an IT department.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub it_partner_id: Option<i64>,
}

/// The editable fields of a person (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PersonFields {
    /// Full name.
    #[serde(default)]
    pub name: String,
    /// E-mail, unique.
    #[serde(default)]
    pub email: String,
    /// Department id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub department_id: Option<i64>,
    /// Job title.
    #[serde(default)]
    pub title: String,
    /// `executive`, `manager` or `individual`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::org::Level>)]
    pub level: String,
}

impl PersonFields {
    fn parse(&self) -> Result<PersonInput, AppError> {
        Ok(PersonInput::parse(
            &self.name,
            &self.email,
            self.department_id,
            &self.title,
            &self.level,
        )?)
    }
}

impl DepartmentFields {
    fn parse(&self) -> Result<DepartmentInput, AppError> {
        Ok(DepartmentInput::parse(
            &self.name,
            &self.kind,
            self.leader_id,
            self.it_partner_id,
        )?)
    }
}

/// Creates a department.
pub async fn create_department(
    db: &Db,
    actor: &Actor,
    fields: &DepartmentFields,
) -> Result<Department, AppError> {
    can(actor, Action::ManageDepartments)?;
    let input = fields.parse()?;
    refuse_look_alike(db, None, &input.name).await?;
    Ok(org::insert_department_by(db, Some(actor.user.0), &input).await?)
}

/// Refuses a department name that looks like another department's but is different text ("Sаles"
/// with a Cyrillic а beside "Sales"): in a menu, a survey or a ledger people could not tell the
/// two apart, which is how a department would be impersonated.
async fn refuse_look_alike(db: &Db, own: Option<i64>, name: &str) -> Result<(), AppError> {
    let departments = org::list_departments(db, true).await?;
    if let Some(twin) = departments
        .iter()
        .find(|d| Some(d.id) != own && duet_core::org::confusable::confusable(name, &d.name))
    {
        return Err(AppError::Conflict(duet_core::FieldError::new(
            "name",
            format!(
                "looks the same as the department “{}” but is spelt with different characters (letters from another alphabet, or invisible ones); choose a name people can tell apart",
                twin.name
            ),
        )));
    }
    Ok(())
}

/// Changes a department.
pub async fn update_department(
    db: &Db,
    actor: &Actor,
    id: i64,
    fields: &DepartmentFields,
) -> Result<Department, AppError> {
    can(actor, Action::ManageDepartments)?;
    let input = fields.parse()?;
    refuse_look_alike(db, Some(id), &input.name).await?;
    Ok(org::update_department_by(db, Some(actor.user.0), DepartmentId(id), &input).await?)
}

/// Archives or restores a department.
pub async fn archive_department(
    db: &Db,
    actor: &Actor,
    id: i64,
    archived: bool,
) -> Result<Department, AppError> {
    can(actor, Action::ManageDepartments)?;
    Ok(org::set_department_archived_by(db, Some(actor.user.0), DepartmentId(id), archived).await?)
}

/// Creates a person in a department the actor may manage.
pub async fn create_person(
    db: &Db,
    actor: &Actor,
    fields: &PersonFields,
) -> Result<Person, AppError> {
    // The permission depends on the department, so refuse before reporting other field errors
    // only when the department is known.
    if let Some(d) = fields.department_id {
        can(actor, Action::ManagePerson(DepartmentId(d)))?;
    }
    let input = fields.parse()?;
    can(actor, Action::ManagePerson(input.department))?;
    Ok(org::insert_person_by(db, Some(actor.user.0), &input).await?)
}

/// Changes a person; moving them to another department needs the right over both.
pub async fn update_person(
    db: &Db,
    actor: &Actor,
    id: i64,
    fields: &PersonFields,
) -> Result<Person, AppError> {
    let current = org::find_person(db, PersonId(id)).await?;
    let from = DepartmentId(current.department_id);
    can(actor, Action::ManagePerson(from))?;
    let input = fields.parse()?;
    if input.department != from {
        can(
            actor,
            Action::MovePerson {
                from,
                to: input.department,
            },
        )?;
        // Department membership grants rights (answering promises, managing its people), so
        // nobody moves themselves: another administrator or IT leader has to.
        let me = duet_store::accounts::find_user(db, actor.user).await?;
        if me.person_id == Some(id) {
            return Err(AppError::Forbidden(
                "you cannot move yourself to another department; ask another administrator".into(),
            ));
        }
    }
    Ok(org::update_person_by(db, Some(actor.user.0), PersonId(id), &input).await?)
}

/// Archives or restores a person.
pub async fn archive_person(
    db: &Db,
    actor: &Actor,
    id: i64,
    archived: bool,
) -> Result<Person, AppError> {
    let current = org::find_person(db, PersonId(id)).await?;
    can(
        actor,
        Action::ManagePerson(DepartmentId(current.department_id)),
    )?;
    Ok(org::set_person_archived_by(db, Some(actor.user.0), PersonId(id), archived).await?)
}

/// Imports a people CSV: every row is checked first, and nothing is written unless all are valid.
pub async fn import_people(db: &Db, actor: &Actor, csv: &[u8]) -> Result<ImportSummary, AppError> {
    can(actor, Action::ImportPeople)?;
    let rows = duet_core::org::import::parse_people_csv(csv).map_err(AppError::Csv)?;
    Ok(org::import_people_by(db, Some(actor.user.0), &rows, |_| {}).await?)
}

/// The active directory as CSV, in the import format.
pub async fn export_people(db: &Db, actor: &Actor) -> Result<Vec<u8>, AppError> {
    can(actor, Action::ExportPeople)?;
    let people = org::all_people(db).await?;
    let mut out = Vec::with_capacity(people.len() * 80);
    duet_core::org::import::write_people_csv(
        &mut out,
        people.iter().map(|p| {
            [
                p.name.as_str(),
                p.email.as_str(),
                p.department_name.as_str(),
                p.title.as_str(),
                p.level.as_str(),
            ]
        }),
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(out)
}

/// A page of the directory and the departments to filter it by.
pub type Directory = (
    crate::service::fresh::Served<Page<Person>>,
    Vec<DepartmentRef>,
);

/// Values read from the organisation's tables, each tagged with the org revision it was read at
/// (`revisions` row `org`, bumped by every change to departments and people). A value is served
/// only while the database's revision is unchanged, so every replica sees a change on its next
/// request; the cost of a hit is one one-row read, and none at all while this process has
/// written nothing since the revision was last read and that was under two seconds ago (as
/// `service::fresh`). At most `MAX` keys (then it starts afresh).
pub struct Revised<K, V, const MAX: usize> {
    map: Mutex<HashMap<K, (i64, Arc<V>)>>,
    /// The revision last read, with the write epoch and time it was read at.
    checked: Mutex<Option<(i64, u64, std::time::Instant)>>,
}

impl<K, V, const MAX: usize> Default for Revised<K, V, MAX> {
    fn default() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            checked: Mutex::new(None),
        }
    }
}

impl<K: std::hash::Hash + Eq, V, const MAX: usize> Revised<K, V, MAX> {
    /// The value for `key` read at the current revision, or `load`'s.
    async fn get_or_load<F, Fut>(&self, db: &Db, key: K, load: F) -> Result<Arc<V>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, AppError>>,
    {
        let recent = self.checked.lock().ok().and_then(|c| {
            c.filter(|(_, epoch, at)| {
                *epoch == duet_store::write_epoch()
                    && at.elapsed() < crate::service::fresh::Fresh::<()>::LIFETIME
            })
            .map(|(revision, _, _)| revision)
        });
        let revision = match recent {
            Some(revision) => revision,
            None => {
                let epoch = duet_store::write_epoch();
                let revision = org::org_revision(db).await?;
                if let Ok(mut c) = self.checked.lock() {
                    *c = Some((revision, epoch, std::time::Instant::now()));
                }
                revision
            }
        };
        if let Ok(map) = self.map.lock()
            && let Some((rev, v)) = map.get(&key)
            && *rev == revision
        {
            return Ok(v.clone());
        }
        // Read after the revision: the data is at least as new as `revision`, never older.
        let v = Arc::new(load().await?);
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX {
                map.clear();
            }
            map.insert(key, (revision, v.clone()));
        }
        Ok(v)
    }
}

/// Recently served directory pages and department pages (see [`Revised`]).
#[derive(Default)]
pub struct OrgCaches {
    directory: Revised<(PeopleFilter, PageRequest), Directory, 512>,
    departments: Revised<i64, DepartmentView, 256>,
    lists: Revised<bool, Vec<Department>, 2>,
}

/// Every department (archived ones too when asked), read once per org revision.
pub async fn departments(
    db: &Db,
    caches: &OrgCaches,
    actor: &Actor,
    include_archived: bool,
) -> Result<Arc<Vec<Department>>, AppError> {
    can(actor, Action::ViewOrg)?;
    caches
        .lists
        .get_or_load(db, include_archived, || async move {
            Ok(org::list_departments(db, include_archived).await?)
        })
        .await
}

/// One page of the directory, from the cache when the directory has not changed since.
pub async fn directory(
    db: &Db,
    caches: &OrgCaches,
    actor: &Actor,
    filter: PeopleFilter,
    page: PageRequest,
) -> Result<Arc<Directory>, AppError> {
    can(actor, Action::ViewOrg)?;
    let load_filter = filter.clone();
    caches
        .directory
        .get_or_load(db, (filter, page), || async move {
            let (people, departments) = org::people_directory(db, &load_filter, page).await?;
            Ok((crate::service::fresh::Served::new(people), departments))
        })
        .await
}

/// What a department's page shows: the department, its first members by name, and the people
/// its leader and IT partner may be chosen from.
pub struct DepartmentView {
    /// The department.
    pub department: Department,
    /// Its first `DEPARTMENT_MEMBERS` active people by name.
    pub members: Vec<Person>,
    /// Who may lead it: its own active people.
    pub leaders: Vec<org::PersonRef>,
    /// Who may be its IT partner: active people of IT departments.
    pub partners: Vec<org::PersonRef>,
    /// The page's leader and partner `<option>`s as HTML, with the current ones selected:
    /// rendered by the page once per org revision (hundreds of options at 3,000 people).
    pub picker_html: std::sync::OnceLock<(String, String)>,
}

/// How many members a department's page lists; the directory lists the rest.
pub const DEPARTMENT_MEMBERS: i64 = 50;

/// A department's page data, read once per org revision (four reads, one of them two JSON
/// aggregates, made the page a fifteenth of a bare handler per view: issue 11).
pub async fn department_view(
    db: &Db,
    caches: &OrgCaches,
    actor: &Actor,
    id: DepartmentId,
) -> Result<Arc<DepartmentView>, AppError> {
    can(actor, Action::ViewOrg)?;
    caches
        .departments
        .get_or_load(db, id.0, || async move {
            let department = org::find_department(db, id).await?;
            let members = org::department_members(db, id, DEPARTMENT_MEMBERS).await?;
            let (leaders, partners) = org::department_pickers(db, id).await?;
            Ok(DepartmentView {
                department,
                members,
                leaders,
                partners,
                picker_html: std::sync::OnceLock::new(),
            })
        })
        .await
}
