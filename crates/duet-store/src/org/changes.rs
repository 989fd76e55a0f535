//! Changing people: adding, editing, moving, archiving and restoring, each audited.

use super::*;

/// Checks inside a transaction that a department exists and is active, so an unknown department is
/// a 422 naming the field rather than a foreign-key failure.
pub(super) async fn check_department(tx: &mut WriteTx, dept: DepartmentId) -> Result<()> {
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

/// A department's name inside a transaction, for audit summaries (other areas' entries too).
pub(crate) async fn department_name_in(tx: &mut WriteTx, dept: i64) -> Result<String> {
    department_name(tx, dept).await
}

/// A department's name inside a transaction, for audit summaries.
pub(super) async fn department_name(tx: &mut WriteTx, dept: i64) -> Result<String> {
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
        let (id,): (i64,) = on_db!(tx, |c| {
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
