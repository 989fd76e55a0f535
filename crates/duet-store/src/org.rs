//! Departments and people: listing, searching, creating, editing, archiving, CSV import/export.

use crate::db::WriteTx;
use crate::{Db, Page, PageRequest, Result, StoreError};
use chrono::{DateTime, Utc};
use duet_core::FieldError;
use duet_core::org::import::{CsvError, PersonCsvRow};
use duet_core::org::{DepartmentId, DepartmentInput, DepartmentKind, Level, PersonId, PersonInput};

/// A department with the names of its leader and IT partner, and its head count.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Department {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// IT or business.
    #[sqlx(try_from = "String")]
    pub kind: DepartmentKind,
    /// Business leader (person id).
    pub leader_id: Option<i64>,
    /// Business leader's name.
    pub leader_name: Option<String>,
    /// IT partner (person id).
    pub it_partner_id: Option<i64>,
    /// IT partner's name.
    pub it_partner_name: Option<String>,
    /// Active people in the department.
    pub people_count: i64,
    /// Set when archived; archived departments keep their history but take no new people.
    pub archived_at: Option<DateTime<Utc>>,
}

/// A person with their department's name.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Person {
    /// Id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// E-mail (lower case, unique).
    pub email: String,
    /// Department id.
    pub department_id: i64,
    /// Department name.
    pub department_name: String,
    /// Job title.
    pub title: String,
    /// Executive, manager or individual.
    #[sqlx(try_from = "String")]
    pub level: Level,
    /// Set when archived (left the organisation).
    pub archived_at: Option<DateTime<Utc>>,
    /// When the record was last changed.
    pub updated_at: DateTime<Utc>,
}

/// Filters for the people directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PeopleFilter {
    /// Matches name, e-mail or title, case-insensitively.
    pub q: Option<String>,
    /// Only this department.
    pub department: Option<DepartmentId>,
    /// Only this level.
    pub level: Option<Level>,
    /// Include archived people.
    pub include_archived: bool,
}

/// The department query with its joins, followed by a literal tail (`where …`). The head count
/// is the department's `active_people`, kept by triggers on `people` (migration 0022), so a list
/// of departments costs the same however many people they have.
macro_rules! department_sql {
    ($($tail:tt)+) => {
        concat!(
            "select d.id, d.name, d.kind, d.leader_id, l.name as leader_name,
                d.it_partner_id, p.name as it_partner_name,
                d.active_people as people_count,
                d.archived_at
            from departments d
            left join people l on l.id = d.leader_id
            left join people p on p.id = d.it_partner_id ",
            $($tail)+
        )
    };
}

/// Marks the directory as changed, inside the caller's write transaction (rolled back with it).
async fn bump_org_revision(tx: &mut WriteTx) -> Result<()> {
    on_db!(tx, |c| sqlx::query(
        "update revisions set n = n + 1 where area = 'org'"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The directory's revision: it changes whenever a department or person changes, so a cache of
/// directory pages is current exactly while this number is unchanged.
pub async fn org_revision(db: &Db) -> Result<i64> {
    let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
        "select n from revisions where area = 'org'"
    )
    .fetch_one(pool)
    .await)?;
    Ok(n)
}

/// Lists departments (IT first, then by name), optionally with archived ones.
pub async fn list_departments(db: &Db, include_archived: bool) -> Result<Vec<Department>> {
    const SQL: &str = department_sql!(
        "where ($1 or d.archived_at is null) order by case d.kind when 'it' then 0 else 1 end, d.name"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Department>(SQL)
        .bind(include_archived)
        .fetch_all(pool)
        .await)?)
}

/// Finds one department.
pub async fn find_department(db: &Db, id: DepartmentId) -> Result<Department> {
    const SQL: &str = department_sql!("where d.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Department>(SQL)
        .bind(id.0)
        .fetch_optional(pool)
        .await)?
    .ok_or(StoreError::NotFound("department"))
}

/// Finds a department by name, case-insensitively.
pub async fn find_department_by_name(db: &Db, name: &str) -> Result<Option<Department>> {
    const SQL: &str = department_sql!("where lower(d.name) = lower($1)");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Department>(SQL)
        .bind(name.trim())
        .fetch_optional(pool)
        .await)?)
}

/// Checks, inside the caller's transaction, that a leader belongs to the department and an IT
/// partner to an IT department, both active: a leader of Sales who is not in Sales is a mistake.
async fn check_roles(
    tx: &mut WriteTx,
    own_dept: Option<i64>,
    input: &DepartmentInput,
) -> Result<()> {
    if let Some(leader) = input.leader {
        let dept: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
            "select department_id from people where id = $1 and archived_at is null"
        )
        .bind(leader.0)
        .fetch_optional(c)
        .await)?;
        match (dept, own_dept) {
            (None, _) => {
                return Err(StoreError::Invalid(FieldError::new(
                    "leader_id",
                    "no active person has this id",
                )));
            }
            (Some((d,)), Some(own)) if d != own => {
                return Err(StoreError::Invalid(FieldError::new(
                    "leader_id",
                    "the business leader must be a person of this department",
                )));
            }
            (Some(_), None) => {
                return Err(StoreError::Invalid(FieldError::new(
                    "leader_id",
                    "a new department has no people yet; name its leader after adding them",
                )));
            }
            _ => {}
        }
    }
    if let Some(partner) = input.it_partner {
        let kind: Option<(String,)> = on_db!(tx, |c| {
            sqlx::query_as(
            "select d.kind from people p join departments d on d.id = p.department_id where p.id = $1 and p.archived_at is null",
        )
        .bind(partner.0)
        .fetch_optional(c)
        .await
        })?;
        match kind {
            None => {
                return Err(StoreError::Invalid(FieldError::new(
                    "it_partner_id",
                    "no active person has this id",
                )));
            }
            Some((k,)) if k != DepartmentKind::It.as_str() => {
                return Err(StoreError::Invalid(FieldError::new(
                    "it_partner_id",
                    "the IT partner must be a person of an IT department",
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Creates a department.
pub async fn insert_department(db: &Db, input: &DepartmentInput) -> Result<Department> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        bump_org_revision(&mut tx).await?;
        check_roles(&mut tx, None::<i64>, input).await?;
        let (id,): (i64,) =
            on_db!(tx, |c| {
                sqlx::query_as(
            "insert into departments (name, kind, leader_id, it_partner_id, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $5) returning id",
        )
        .bind(&input.name)
        .bind(input.kind.as_str())
        .bind(input.leader.map(|p| p.0))
        .bind(input.it_partner.map(|p| p.0))
        .bind(now)
        .fetch_one(c)
        .await
            })?;
        id
    };
    tx.commit().await?;
    find_department(db, DepartmentId(id)).await
}

/// Renames a department, changes its kind, leader or IT partner.
pub async fn update_department(
    db: &Db,
    id: DepartmentId,
    input: &DepartmentInput,
) -> Result<Department> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    {
        bump_org_revision(&mut tx).await?;
        check_roles(&mut tx, Some(id.0), input).await?;
        let done = on_db!(tx, |c| {
            sqlx::query(
            "update departments set name = $1, kind = $2, leader_id = $3, it_partner_id = $4, updated_at = $5 where id = $6",
        )
        .bind(&input.name)
        .bind(input.kind.as_str())
        .bind(input.leader.map(|p| p.0))
        .bind(input.it_partner.map(|p| p.0))
        .bind(now)
        .bind(id.0)
        .execute(c).await.map(|r| r.rows_affected())
        })?;
        if done == 0 {
            return Err(StoreError::NotFound("department"));
        }
    };
    tx.commit().await?;
    find_department(db, id).await
}

/// Archives (or restores) a department. A department with active people cannot be archived:
/// they would be left in a department nobody can pick.
pub async fn set_department_archived(
    db: &Db,
    id: DepartmentId,
    archived: bool,
) -> Result<Department> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    {
        bump_org_revision(&mut tx).await?;
        if archived {
            let (n,): (i64,) = on_db!(tx, |c| sqlx::query_as(
                "select count(*) from people where department_id = $1 and archived_at is null"
            )
            .bind(id.0)
            .fetch_one(c)
            .await)?;
            if n > 0 {
                return Err(StoreError::Conflict(FieldError::new(
                    "id",
                    format!(
                        "the department still has {n} active people; move or archive them first"
                    ),
                )));
            }
        }
        let done = on_db!(tx, |c| sqlx::query(
            "update departments set archived_at = $1, updated_at = $2 where id = $3"
        )
        .bind(if archived { Some(now) } else { None })
        .bind(now)
        .bind(id.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound("department"));
        }
    };
    tx.commit().await?;
    find_department(db, id).await
}

/// The person query with the department join, followed by a literal tail.
macro_rules! person_sql {
    ($($tail:tt)+) => {
        concat!(
            "select p.id, p.name, p.email, p.department_id, d.name as department_name, p.title, p.level,
                p.archived_at, p.updated_at
            from people p join departments d on d.id = p.department_id ",
            $($tail)+
        )
    };
}

/// The filter shared by the people listing and its count: $1 pattern, $2 department, $3 level,
/// $4 include archived.
macro_rules! people_where {
    () => {
        "where ($1 is null or lower(p.name) like $1 escape '\\' or p.email like $1 escape '\\' or lower(p.title) like $1 escape '\\')
           and ($2 is null or p.department_id = $2)
           and ($3 is null or p.level = $3)
           and ($4 or p.archived_at is null) "
    };
}

/// Turns a search text into a `like` pattern that matches it literally anywhere.
fn like_pattern(q: &str) -> Option<String> {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return None;
    }
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

/// The people page as one JSON array plus the total, in one statement. Fetching 50 rows through
/// the driver one by one costs several times more than the query itself, so the page is
/// aggregated in the database (the only place the two dialects differ: `json_group_array` /
/// `json_object` in SQLite, `json_agg` / `json_build_object` in PostgreSQL).
macro_rules! people_page_sql {
    ($agg:literal, $obj:literal, $cast:literal, $($extra:tt)*) => {
        concat!(
            "select coalesce((select ", $agg, "(", $obj, "('id', id, 'name', name, 'email', email,
                    'department_id', department_id, 'department_name', department_name, 'title', title,
                    'level', level, 'archived_at', archived_at, 'updated_at', updated_at) order by name, id)
                from (",
            person_sql!(people_where!(), "order by p.name, p.id limit $5 offset $6"),
            ") page), '[]')", $cast, ", (select count(*) from people p ",
            people_where!(),
            ")",
            $($extra)*
        )
    };
}

/// The departments a directory can be filtered by, as a JSON array column.
macro_rules! department_refs_sql {
    (sqlite) => {
        ", (select json_group_array(json_object('id', id, 'name', name) order by name) from departments where archived_at is null)"
    };
    (postgres) => {
        ", (select coalesce(json_agg(json_build_object('id', id, 'name', name) order by name), '[]')::text from departments where archived_at is null)"
    };
}

/// A department's id and name, for pickers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DepartmentRef {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// The people directory page: one page of people and the departments to filter by, in one
/// statement (a page view is then two queries with the session check).
pub async fn people_directory(
    db: &Db,
    filter: &PeopleFilter,
    page: PageRequest,
) -> Result<(Page<Person>, Vec<DepartmentRef>)> {
    const SQLITE: &str = people_page_sql!(
        "json_group_array",
        "json_object",
        "",
        department_refs_sql!(sqlite)
    );
    const POSTGRES: &str = people_page_sql!(
        "json_agg",
        "json_build_object",
        "::text",
        department_refs_sql!(postgres)
    );
    let sql = match db.backend() {
        crate::Backend::Sqlite => SQLITE,
        crate::Backend::Postgres => POSTGRES,
    };
    let pattern = filter.q.as_deref().and_then(like_pattern);
    let (json, total, departments): (String, i64, String) = on_db!(db, |pool| sqlx::query_as(sql)
        .bind(&pattern)
        .bind(filter.department.map(|d| d.0))
        .bind(filter.level.map(|l| l.as_str()))
        .bind(filter.include_archived)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_one(pool)
        .await)?;
    let items: Vec<Person> = serde_json::from_str(&json).map_err(decode_error)?;
    let departments: Vec<DepartmentRef> =
        serde_json::from_str(&departments).map_err(decode_error)?;
    Ok((
        Page {
            items,
            total,
            limit: page.limit,
            offset: page.offset,
        },
        departments,
    ))
}

fn decode_error(e: serde_json::Error) -> StoreError {
    StoreError::Db(sqlx::Error::Decode(Box::new(e)))
}

/// Lists people matching `filter`, by name, one page at a time.
pub async fn list_people(
    db: &Db,
    filter: &PeopleFilter,
    page: PageRequest,
) -> Result<Page<Person>> {
    const SQLITE: &str = people_page_sql!("json_group_array", "json_object", "", "");
    const POSTGRES: &str = people_page_sql!("json_agg", "json_build_object", "::text", "");
    let pattern = filter.q.as_deref().and_then(like_pattern);
    let dept = filter.department.map(|d| d.0);
    let level = filter.level.map(|l| l.as_str());
    let sql = match db.backend() {
        crate::Backend::Sqlite => SQLITE,
        crate::Backend::Postgres => POSTGRES,
    };
    let (json, total): (String, i64) = on_db!(db, |pool| sqlx::query_as(sql)
        .bind(&pattern)
        .bind(dept)
        .bind(level)
        .bind(filter.include_archived)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_one(pool)
        .await)?;
    let items: Vec<Person> = serde_json::from_str(&json).map_err(decode_error)?;
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// Finds one person.
pub async fn find_person(db: &Db, id: PersonId) -> Result<Person> {
    const SQL: &str = person_sql!("where p.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, Person>(SQL)
        .bind(id.0)
        .fetch_optional(pool)
        .await)?
    .ok_or(StoreError::NotFound("person"))
}

/// Finds a person by e-mail.
pub async fn find_person_by_email(db: &Db, email: &str) -> Result<Option<Person>> {
    const SQL: &str = person_sql!("where p.email = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Person>(SQL)
        .bind(email.trim().to_lowercase())
        .fetch_optional(pool)
        .await)?)
}

/// A person's id, name and title: what a picker shows, without the department join.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PersonRef {
    /// Id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Job title.
    pub title: String,
}

/// The first `limit` active people of a department, by name: a department's page shows these and
/// links to the directory for the rest (its head count is the department's `people_count`).
pub async fn department_members(db: &Db, id: DepartmentId, limit: i64) -> Result<Vec<Person>> {
    const SQL: &str = person_sql!(
        "where p.department_id = $1 and p.archived_at is null order by p.name, p.id limit $2"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Person>(SQL)
        .bind(id.0)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// The department page's two pickers as JSON arrays of `{id, name, title}`, in one statement:
/// $1's active people by name (business leader), and every active person of an active IT
/// department by department, then name (IT partner).
macro_rules! pickers_sql {
    ($agg:literal, $obj:literal, $cast:literal) => {
        concat!(
            "select (select coalesce(",
            $agg,
            "(",
            $obj,
            "('id', id, 'name', name, 'title', title)
                    order by name, id), '[]')",
            $cast,
            "
                from people where department_id = $1 and archived_at is null),
            (select coalesce(",
            $agg,
            "(",
            $obj,
            "('id', p.id, 'name', p.name, 'title', p.title)
                    order by d.name, d.id, p.name, p.id), '[]')",
            $cast,
            "
                from people p join departments d on d.id = p.department_id
                where d.kind = 'it' and d.archived_at is null and p.archived_at is null)"
        )
    };
}

/// The choices of a department's edit form, read only for someone who may edit it: the
/// department's active people (business leader) and the active people of every IT department
/// (IT partner), light (id, name, title) and in one statement, however many IT departments.
pub async fn department_pickers(
    db: &Db,
    id: DepartmentId,
) -> Result<(Vec<PersonRef>, Vec<PersonRef>)> {
    const SQLITE: &str = pickers_sql!("json_group_array", "json_object", "");
    const POSTGRES: &str = pickers_sql!("json_agg", "json_build_object", "::text");
    let sql = match db.backend() {
        crate::Backend::Sqlite => SQLITE,
        crate::Backend::Postgres => POSTGRES,
    };
    let (leaders, partners): (String, String) = on_db!(db, |pool| sqlx::query_as(sql)
        .bind(id.0)
        .fetch_one(pool)
        .await)?;
    Ok((
        serde_json::from_str(&leaders).map_err(decode_error)?,
        serde_json::from_str(&partners).map_err(decode_error)?,
    ))
}

/// Checks inside a transaction that a department exists and is active, so an unknown department is
/// a 422 naming the field rather than a foreign-key failure.
async fn check_department(tx: &mut WriteTx, dept: DepartmentId) -> Result<()> {
    let found: Option<(Option<DateTime<Utc>>,)> = on_db!(tx, |c| sqlx::query_as(
        "select archived_at from departments where id = $1"
    )
    .bind(dept.0)
    .fetch_optional(c)
    .await)?;
    match found {
        None => {
            return Err(StoreError::Invalid(FieldError::new(
                "department_id",
                "no department has this id",
            )));
        }
        Some((Some(_),)) => {
            return Err(StoreError::Invalid(FieldError::new(
                "department_id",
                "this department is archived",
            )));
        }
        Some((None,)) => {}
    }
    Ok(())
}

/// Creates a person, recorded in the audit log as done on the command line.
pub async fn insert_person(db: &Db, input: &PersonInput) -> Result<Person> {
    insert_person_by(db, None, input).await
}

/// A department's name inside a transaction, for audit summaries.
async fn department_name(tx: &mut WriteTx, dept: i64) -> Result<String> {
    let found: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
        "select name from departments where id = $1"
    )
    .bind(dept)
    .fetch_optional(c)
    .await)?;
    Ok(found.map(|f| f.0).unwrap_or_default())
}

/// Creates a person on behalf of the account `by` (none: the command line), with its audit entry
/// in the same transaction.
pub async fn insert_person_by(db: &Db, by: Option<i64>, input: &PersonInput) -> Result<Person> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        bump_org_revision(&mut tx).await?;
        check_department(&mut tx, input.department).await?;
        let (id,): (i64,) =
            on_db!(tx, |c| {
                sqlx::query_as(
            "insert into people (name, email, department_id, title, level, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $6) returning id",
        )
        .bind(&input.name)
        .bind(input.email.as_str())
        .bind(input.department.0)
        .bind(&input.title)
        .bind(input.level.as_str())
        .bind(now)
        .fetch_one(c)
        .await
            })?;
        let dept = department_name(&mut tx, input.department.0).await?;
        let summary = format!("Added {} <{}> to {dept}", input.name, input.email.as_str());
        crate::audit::record(
            &mut tx,
            by,
            "person.create",
            "person",
            id,
            Some(input.department.0),
            &summary,
        )
        .await?;
        id
    };
    tx.commit().await?;
    find_person(db, PersonId(id)).await
}

/// Changes a person, recorded in the audit log as done on the command line.
pub async fn update_person(db: &Db, id: PersonId, input: &PersonInput) -> Result<Person> {
    update_person_by(db, None, id, input).await
}

/// Changes a person on behalf of the account `by` (none: the command line). Moving a
/// department's leader out of it is refused: name another leader first. A change of department
/// is audited as a move, naming both departments.
pub async fn update_person_by(
    db: &Db,
    by: Option<i64>,
    id: PersonId,
    input: &PersonInput,
) -> Result<Person> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    {
        bump_org_revision(&mut tx).await?;
        check_department(&mut tx, input.department).await?;
        type Before = (
            String,
            String,
            i64,
            String,
            String,
            String,
            Option<DateTime<Utc>>,
        );
        let before: Option<Before> = on_db!(tx, |c| sqlx::query_as(
            "select p.name, p.email, p.department_id, d.name, p.title, p.level, p.archived_at
             from people p join departments d on d.id = p.department_id where p.id = $1",
        )
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
        let leads: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
            "select name from departments where leader_id = $1 and id <> $2"
        )
        .bind(id.0)
        .bind(input.department.0)
        .fetch_optional(c)
        .await)?;
        if let Some((dept,)) = leads {
            return Err(StoreError::Conflict(FieldError::new(
                "department_id",
                format!("this person leads {dept}; name another leader there first"),
            )));
        }
        let done = on_db!(tx, |c| {
            sqlx::query("update people set name = $1, email = $2, department_id = $3, title = $4, level = $5, updated_at = $6 where id = $7")
            .bind(&input.name)
            .bind(input.email.as_str())
            .bind(input.department.0)
            .bind(&input.title)
            .bind(input.level.as_str())
            .bind(now)
            .bind(id.0)
            .execute(c).await.map(|r| r.rows_affected())
        })?;
        if done == 0 {
            return Err(StoreError::NotFound("person"));
        }
        if let Some((name, email, dept, dept_name, title, level, archived)) = before {
            // An archived person is in no department's population, whatever their record says.
            let now_in = archived.is_none().then_some(input.department.0);
            if dept != input.department.0 {
                let to = department_name(&mut tx, input.department.0).await?;
                let summary = format!("Moved {} from {dept_name} to {to}", input.name);
                crate::audit::record(&mut tx, by, "person.move", "person", id.0, now_in, &summary)
                    .await?;
            }
            let mut changed = Vec::new();
            if name != input.name {
                changed.push(format!("name (was {name})"));
            }
            if email != input.email.as_str() {
                changed.push(format!("e-mail (was {email})"));
            }
            if title != input.title {
                changed.push("title".to_string());
            }
            if level != input.level.as_str() {
                changed.push("level".to_string());
            }
            if !changed.is_empty() {
                let summary = format!("Changed {}: {}", input.name, changed.join(", "));
                crate::audit::record(
                    &mut tx,
                    by,
                    "person.update",
                    "person",
                    id.0,
                    now_in,
                    &summary,
                )
                .await?;
            }
        }
    };
    tx.commit().await?;
    find_person(db, id).await
}

/// Archives (or restores) a person, recorded in the audit log as done on the command line.
pub async fn set_person_archived(db: &Db, id: PersonId, archived: bool) -> Result<Person> {
    set_person_archived_by(db, None, id, archived).await
}

/// Archives (or restores) a person on behalf of the account `by` (none: the command line).
/// Someone who leads or partners a department must be replaced there first, so no department
/// silently loses its leader.
pub async fn set_person_archived_by(
    db: &Db,
    by: Option<i64>,
    id: PersonId,
    archived: bool,
) -> Result<Person> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    {
        bump_org_revision(&mut tx).await?;
        let before: Option<(String, i64, String, Option<DateTime<Utc>>)> = on_db!(tx, |c| {
            sqlx::query_as(
            "select p.name, p.department_id, d.name, p.archived_at from people p join departments d on d.id = p.department_id where p.id = $1",
        )
        .bind(id.0)
        .fetch_optional(c)
        .await
        })?;
        if archived {
            let role: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
                "select name from departments where leader_id = $1 or it_partner_id = $1"
            )
            .bind(id.0)
            .fetch_optional(c)
            .await)?;
            if let Some((dept,)) = role {
                return Err(StoreError::Conflict(FieldError::new(
                    "id",
                    format!(
                        "this person is the leader or IT partner of {dept}; name someone else there first"
                    ),
                )));
            }
        }
        let done = on_db!(tx, |c| sqlx::query(
            "update people set archived_at = $1, updated_at = $2 where id = $3"
        )
        .bind(if archived { Some(now) } else { None })
        .bind(now)
        .bind(id.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound("person"));
        }
        if let Some((name, dept, dept_name, was)) = before
            && was.is_some() != archived
        {
            if archived {
                crate::audit::record(
                    &mut tx,
                    by,
                    "person.archive",
                    "person",
                    id.0,
                    None::<i64>,
                    &format!("Archived {name} ({dept_name})"),
                )
                .await?;
            } else {
                crate::audit::record(
                    &mut tx,
                    by,
                    "person.restore",
                    "person",
                    id.0,
                    Some(dept),
                    &format!("Restored {name} to {dept_name}"),
                )
                .await?;
            }
        }
    };
    tx.commit().await?;
    find_person(db, id).await
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// New people.
    pub created: u64,
    /// Existing people (matched by e-mail) whose record changed.
    pub updated: u64,
}

/// Imports parsed rows in one transaction, recorded in the audit log as done on the command line.
pub async fn import_people(
    db: &Db,
    rows: &[PersonCsvRow],
    progress: impl FnMut(u64) + Send,
) -> Result<ImportSummary> {
    import_people_by(db, None, rows, progress).await
}

/// Imports parsed rows in one transaction on behalf of the account `by` (none: the command line):
/// a person is matched by e-mail and updated, otherwise created. Any unknown department fails the
/// whole import with the lines named; `progress` is called after each row. The audit log gets one
/// entry for the import (with its counts) and one for each person it created, moved to another
/// department or restored, in the same transaction.
pub async fn import_people_by(
    db: &Db,
    by: Option<i64>,
    rows: &[PersonCsvRow],
    mut progress: impl FnMut(u64) + Send,
) -> Result<ImportSummary> {
    let departments = list_departments(db, false).await?;
    let names: std::collections::HashMap<i64, String> =
        departments.iter().map(|d| (d.id, d.name.clone())).collect();
    let by_name: std::collections::HashMap<String, i64> = departments
        .iter()
        .map(|d| (d.name.to_lowercase(), d.id))
        .collect();
    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        match by_name.get(&r.department.to_lowercase()) {
            Some(id) => resolved.push((r, *id)),
            None => errors.push(CsvError {
                line: r.line,
                column: Some("department".into()),
                message: format!("no active department is named '{}'", r.department),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Csv(errors));
    }
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let summary = {
        bump_org_revision(&mut tx).await?;
        // Each matched person's department, whether they were archived, and their name, title
        // and level, before the import (a change of any is audited).
        type Before = (String, i64, Option<DateTime<Utc>>, String, String, String);
        let before: Vec<Before> = on_db!(tx, |c| sqlx::query_as(
            "select email, department_id, archived_at, name, title, level from people"
        )
        .fetch_all(c)
        .await)?;
        #[allow(clippy::type_complexity)]
        let before: std::collections::HashMap<
            String,
            (i64, bool, (String, String, String)),
        > = before
            .into_iter()
            .map(|(e, d, a, n, t, l)| (e, (d, a.is_some(), (n, t, l))))
            .collect();
        let mut entries: Vec<(&'static str, i64, i64, String)> = Vec::new();
        let mut s = ImportSummary::default();
        for (i, (r, dept)) in resolved.iter().enumerate() {
            let (id, created): (i64, bool) = on_db!(tx, |c| sqlx::query_as(
                "insert into people (name, email, department_id, title, level, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $6)
                 on conflict (email) do update set name = excluded.name, department_id = excluded.department_id,
                     title = excluded.title, level = excluded.level, archived_at = null, updated_at = excluded.updated_at
                 returning id, (created_at = updated_at)",
            )
            .bind(&r.name)
            .bind(r.email.as_str())
            .bind(dept)
            .bind(&r.title)
            .bind(r.level.as_str())
            .bind(now)
            .fetch_one(c)
            .await)
            .map_err(|e| match StoreError::from(e) {
                StoreError::Db(e) => StoreError::Db(e),
                other => StoreError::Csv(vec![CsvError { line: r.line, column: None, message: other.to_string() }]),
            })?;
            if created {
                s.created += 1
            } else {
                s.updated += 1
            }
            let to = names.get(dept).map(String::as_str).unwrap_or_default();
            match before.get(r.email.as_str()) {
                None => entries.push((
                    "person.create",
                    id,
                    *dept,
                    format!("Imported {} <{}> into {to}", r.name, r.email.as_str()),
                )),
                Some((was, _, _)) if was != dept => {
                    let from = names
                        .get(was)
                        .map(String::as_str)
                        .unwrap_or("an archived department");
                    entries.push((
                        "person.move",
                        id,
                        *dept,
                        format!("Moved {} from {from} to {to} (import)", r.name),
                    ));
                }
                Some((_, true, _)) => entries.push((
                    "person.restore",
                    id,
                    *dept,
                    format!("Restored {} to {to} (import)", r.name),
                )),
                Some((_, false, _)) => {}
            }
            // A matched person whose name, title or level the import changed gets their own entry
            // too (a rename is how an invented person is passed off as a real one).
            if let Some((_, _, (name, title, level))) = before.get(r.email.as_str()) {
                let mut changed = Vec::new();
                if *name != r.name {
                    changed.push(format!("name from {name} to {}", r.name));
                }
                if *title != r.title {
                    changed.push(format!(
                        "title from \u{201c}{title}\u{201d} to \u{201c}{}\u{201d}",
                        r.title
                    ));
                }
                if level != r.level.as_str() {
                    changed.push(format!("level from {level} to {}", r.level.as_str()));
                }
                if !changed.is_empty() {
                    entries.push((
                        "person.update",
                        id,
                        *dept,
                        format!("Changed {}: {} (import)", r.name, changed.join(", ")),
                    ));
                }
            }
            progress(i as u64 + 1);
        }
        let at = Utc::now();
        for chunk in entries.chunks(500) {
            let done = on_db!(tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into audit_log (at, actor_user_id, action, subject_kind, subject_id, department_id, summary) ",
                );
                q.push_values(chunk, |mut b, (action, id, dept, summary)| {
                    b.push_bind(at)
                        .push_bind(by)
                        .push_bind(*action)
                        .push_bind("person")
                        .push_bind(*id)
                        .push_bind(*dept)
                        .push_bind(summary.as_str());
                });
                q.build().execute(c).await.map(|r| r.rows_affected())
            });
            done?;
        }
        let summary = format!(
            "Imported people from CSV: {} created, {} updated",
            s.created, s.updated
        );
        crate::audit::record(
            &mut tx,
            by,
            "people.import",
            "import",
            by.unwrap_or(0),
            None::<i64>,
            &summary,
        )
        .await?;
        s
    };
    tx.commit().await?;
    Ok(summary)
}

/// Every active person, by department then name, for export.
pub async fn all_people(db: &Db) -> Result<Vec<Person>> {
    const SQL: &str = person_sql!("where p.archived_at is null order by d.name, p.name, p.id");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Person>(SQL)
        .fetch_all(pool)
        .await)?)
}

/// Creates whichever of the standard departments (IT plus the eight business departments of the
/// essays) do not exist yet, and returns all active departments. Safe to run again.
pub async fn ensure_standard_departments(db: &Db) -> Result<Vec<Department>> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    {
        bump_org_revision(&mut tx).await?;
        for (name, kind) in duet_core::org::STANDARD_DEPARTMENTS {
            on_db!(tx, |c| {
                sqlx::query(
                "insert into departments (name, kind, created_at, updated_at)
                 select $1, $2, $3, $3 where not exists (select 1 from departments where lower(name) = lower($1))",
            )
            .bind(*name)
            .bind(kind.as_str())
            .bind(now)
            .execute(c).await.map(|r| r.rows_affected())
            })?;
        }
    };
    tx.commit().await?;
    list_departments(db, false).await
}
