//! Reading people: the directory, searches, pickers and department members.

use super::*;

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
pub(super) fn like_pattern(q: &str) -> Option<String> {
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

pub(super) fn decode_error(e: serde_json::Error) -> StoreError {
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

/// Every active person, by department then name, for export.
pub async fn all_people(db: &Db) -> Result<Vec<Person>> {
    const SQL: &str = person_sql!("where p.archived_at is null order by d.name, p.name, p.id");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Person>(SQL)
        .fetch_all(pool)
        .await)?)
}
