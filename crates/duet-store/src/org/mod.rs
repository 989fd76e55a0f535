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
pub(crate) async fn bump_org_revision(tx: &mut WriteTx) -> Result<()> {
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

/// Creates a department, recorded in the audit log as done on the command line.
pub async fn insert_department(db: &Db, input: &DepartmentInput) -> Result<Department> {
    insert_department_by(db, None, input).await
}

/// A department's fields in words, for the audit log's before and after.
/// A department as the audit log words it: name, kind, leader, IT partner, when archived.
type DepartmentWords = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
);

async fn department_words(tx: &mut WriteTx, id: i64) -> Result<Option<String>> {
    let row: Option<DepartmentWords> = on_db!(tx, |c| sqlx::query_as(
        "select d.name, d.kind, l.name, p.name, d.archived_at from departments d
             left join people l on l.id = d.leader_id left join people p on p.id = d.it_partner_id
             where d.id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(name, kind, leader, partner, archived)| {
        let kind = kind
            .parse::<DepartmentKind>()
            .map(|k| k.label().to_string())
            .unwrap_or(kind);
        format!(
            "name: {name}; kind: {kind}; leader: {}; IT partner: {}; state: {}",
            leader.as_deref().unwrap_or("none"),
            partner.as_deref().unwrap_or("none"),
            if archived.is_some() {
                "archived"
            } else {
                "active"
            }
        )
    }))
}

/// Creates a department on behalf of the account `by` (none: the command line), with its audit
/// entry in the same transaction.
pub async fn insert_department_by(
    db: &Db,
    by: Option<i64>,
    input: &DepartmentInput,
) -> Result<Department> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        bump_org_revision(&mut tx).await?;
        check_roles(&mut tx, None::<i64>, input).await?;
        let (id,): (i64,) = on_db!(tx, |c| {
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
        let after = department_words(&mut tx, id).await?;
        let summary = format!("Created the department {}", input.name);
        crate::audit::record_change(
            &mut tx,
            by,
            crate::audit::Change {
                action: "department.create",
                subject_kind: "department",
                subject_id: id,
                department: None,
                summary: &summary,
                before: None,
                after: after.as_deref(),
            },
        )
        .await?;
        id
    };
    tx.commit().await?;
    find_department(db, DepartmentId(id)).await
}

/// Renames a department, changes its kind, leader or IT partner; recorded in the audit log as
/// done on the command line.
pub async fn update_department(
    db: &Db,
    id: DepartmentId,
    input: &DepartmentInput,
) -> Result<Department> {
    update_department_by(db, None, id, input).await
}

/// Changes a department on behalf of the account `by`, with its before and after in the audit
/// log, in the same transaction.
pub async fn update_department_by(
    db: &Db,
    by: Option<i64>,
    id: DepartmentId,
    input: &DepartmentInput,
) -> Result<Department> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    {
        bump_org_revision(&mut tx).await?;
        check_roles(&mut tx, Some(id.0), input).await?;
        let before = department_words(&mut tx, id.0).await?;
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
        let after = department_words(&mut tx, id.0).await?;
        if before != after {
            let summary = format!("Changed the department {}", input.name);
            crate::audit::record_change(
                &mut tx,
                by,
                crate::audit::Change {
                    action: "department.update",
                    subject_kind: "department",
                    subject_id: id.0,
                    department: None,
                    summary: &summary,
                    before: before.as_deref(),
                    after: after.as_deref(),
                },
            )
            .await?;
        }
    };
    tx.commit().await?;
    find_department(db, id).await
}

/// Archives (or restores) a department, recorded in the audit log as done on the command line.
pub async fn set_department_archived(
    db: &Db,
    id: DepartmentId,
    archived: bool,
) -> Result<Department> {
    set_department_archived_by(db, None, id, archived).await
}

/// Archives (or restores) a department on behalf of the account `by`. A department with active
/// people cannot be archived: they would be left in a department nobody can pick.
pub async fn set_department_archived_by(
    db: &Db,
    by: Option<i64>,
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
        let after = department_words(&mut tx, id.0).await?;
        let name: String = after
            .as_deref()
            .and_then(|w| w.strip_prefix("name: "))
            .and_then(|w| w.split(';').next())
            .unwrap_or_default()
            .to_string();
        let (action, verb) = if archived {
            ("department.archive", "Archived")
        } else {
            ("department.restore", "Restored")
        };
        let summary = format!("{verb} the department {name}");
        crate::audit::record_change(
            &mut tx,
            by,
            crate::audit::Change {
                action,
                subject_kind: "department",
                subject_id: id.0,
                department: None,
                summary: &summary,
                before: Some(if archived { "active" } else { "archived" }),
                after: Some(if archived { "archived" } else { "active" }),
            },
        )
        .await?;
    };
    tx.commit().await?;
    find_department(db, id).await
}

/// Creates whichever of the standard departments (IT plus the eight business departments of the
/// essays) do not exist yet, and returns all active departments. Safe to run again.
pub async fn ensure_standard_departments(db: &Db) -> Result<Vec<Department>> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    tx.serialize(crate::db::DEFAULTS_LOCK).await?;
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

mod changes;
mod import;
mod people;
pub use changes::*;
pub use import::*;
pub use people::*;
