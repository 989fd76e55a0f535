//! The Duet inbox: notifications about requests.

use super::*;

/// Someone's notifications, newest first.
pub async fn notifications(db: &Db, user: i64, limit: i64) -> Result<Vec<Notification>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, Notification>(
        "select id, request_id, message, created_at, read_at from notifications where user_id = $1 order by id desc limit $2",
    ).bind(user).bind(limit).fetch_all(pool).await
    })?)
}

/// How many unread notifications someone has.
pub async fn unread_count(db: &Db, user: i64) -> Result<i64> {
    let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
        "select count(*) from notifications where user_id = $1 and read_at is null"
    )
    .bind(user)
    .fetch_one(pool)
    .await)?;
    Ok(n)
}

/// Marks all of someone's notifications read.
pub async fn mark_read(db: &Db, user: i64) -> Result<()> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "update notifications set read_at = $1 where user_id = $2 and read_at is null"
        )
        .bind(Utc::now())
        .bind(user)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(())
}

/// Someone's notifications, newest first, one page at a time; with a department, only those about
/// that department's requests (notifications about no request then drop out).
pub async fn page_notifications(
    db: &Db,
    user: i64,
    department: Option<i64>,
    window: PageRequest,
) -> Result<Page<Notification>> {
    const ONE: &str = "select n.id, n.request_id, n.message, n.created_at, n.read_at
        from notifications n join requests r on r.id = n.request_id
        where n.user_id = $1 and r.department_id = $2 order by n.id desc limit $3 offset $4";
    const ALL: &str = "select id, request_id, message, created_at, read_at from notifications
        where user_id = $1 order by id desc limit $2 offset $3";
    let (items, total): (Vec<Notification>, i64) = match department {
        Some(d) => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Notification>(ONE)
                .bind(user)
                .bind(d)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| {
                sqlx::query_as("select count(*) from notifications n join requests r on r.id = n.request_id where n.user_id = $1 and r.department_id = $2").bind(user).bind(d).fetch_one(pool).await
            })?;
            (rows, n)
        }
        None => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Notification>(ALL)
                .bind(user)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
                "select count(*) from notifications where user_id = $1"
            )
            .bind(user)
            .fetch_one(pool)
            .await)?;
            (rows, n)
        }
    };
    Ok(Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}
