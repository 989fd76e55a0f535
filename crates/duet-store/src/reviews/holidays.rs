//! Holidays a review is never scheduled on.

use super::*;

pub(super) fn holiday((month, day, year, name): (i64, i64, i64, String)) -> Holiday {
    Holiday {
        month: u32::try_from(month).unwrap_or(1),
        day: u32::try_from(day).unwrap_or(1),
        year: (year != 0).then(|| i32::try_from(year).unwrap_or(0)),
        name,
    }
}

/// A holiday of the organisation calendar, with its id.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredHoliday {
    /// Id.
    pub id: i64,
    /// The holiday.
    #[serde(flatten)]
    pub holiday: Holiday,
}

/// The organisation's holidays (weekends are never working days besides these), by date.
pub async fn holidays(db: &Db) -> Result<Vec<StoredHoliday>> {
    let rows: Vec<(i64, i64, i64, i64, String)> = on_db!(db, |pool| sqlx::query_as(
        "select id, month, day, year, name from holidays order by month, day, year",
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, m, d, y, n)| StoredHoliday {
            id,
            holiday: holiday((m, d, y, n)),
        })
        .collect())
}

/// Adds a holiday; the same day twice is refused.
pub async fn add_holiday(db: &Db, h: &Holiday) -> Result<StoredHoliday> {
    let year = i64::from(h.year.unwrap_or(0));
    let mut tx = db.begin_write().await?;
    let (id,): (i64,) = {
        let dup: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
            "select name from holidays where month = $1 and day = $2 and year = $3"
        )
        .bind(i64::from(h.month))
        .bind(i64::from(h.day))
        .bind(year)
        .fetch_optional(c)
        .await)?;
        if let Some((name,)) = dup {
            return Err(StoreError::Conflict(FieldError::new(
                "date",
                format!("this day is already a holiday ({name})"),
            )));
        }
        on_db!(tx, |c| sqlx::query_as(
            "insert into holidays (month, day, year, name) values ($1, $2, $3, $4) returning id"
        )
        .bind(i64::from(h.month))
        .bind(i64::from(h.day))
        .bind(year)
        .bind(&h.name)
        .fetch_one(c)
        .await)?
    };
    tx.commit().await?;
    Ok(StoredHoliday {
        id,
        holiday: h.clone(),
    })
}

/// Removes a holiday.
pub async fn remove_holiday(db: &Db, id: i64) -> Result<()> {
    let n = {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query("delete from holidays where id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
    }?;
    if n == 0 {
        return Err(StoreError::NotFound("holiday"));
    }
    Ok(())
}

/// The organisation's holidays by date, one page at a time (they belong to no department).
pub async fn page_holidays(
    db: &Db,
    window: crate::PageRequest,
) -> Result<crate::Page<StoredHoliday>> {
    let rows: Vec<(i64, i64, i64, i64, String)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select id, month, day, year, name from holidays order by month, day, year, id limit $1 offset $2",
    ).bind(window.limit).bind(window.offset).fetch_all(pool).await
    })?;
    let (total,): (i64,) = on_db!(db, |pool| sqlx::query_as("select count(*) from holidays")
        .fetch_one(pool)
        .await)?;
    Ok(crate::Page {
        items: rows
            .into_iter()
            .map(|(id, m, d, y, n)| StoredHoliday {
                id,
                holiday: holiday((m, d, y, n)),
            })
            .collect(),
        total,
        limit: window.limit,
        offset: window.offset,
    })
}
