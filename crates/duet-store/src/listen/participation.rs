//! Participation per invited department, published at most once a day so it dates no answer.

use super::*;

/// Participation of one invited department.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Participation {
    /// Department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Active people in it now.
    pub invited: i64,
    /// People of it who answered: while the campaign is open, as published on `as_of`.
    pub responded: i64,
    /// The day `responded` was taken, while it is a daily snapshot (null once the campaign has
    /// closed and the count is final).
    pub as_of: Option<NaiveDate>,
}

/// Invited departments with their participation counts: while the campaign is open, the counts
/// published today (see [`refresh_participation`]), so an answer moves no figure until the next
/// day; once it has closed, the final live counts.
pub async fn participation(db: &Db, campaign: i64) -> Result<Vec<Participation>> {
    const SQL: &str = "select d.id as department_id, d.name as department_name,
            (select count(*) from people pe where pe.department_id = d.id and pe.archived_at is null) as invited,
            case when s.on_day > c.closes_on
              then (select count(*) from campaign_participation p where p.campaign_id = cd.campaign_id and p.department_id = d.id)
              else coalesce(s.responded, 0)
            end as responded,
            case when s.on_day > c.closes_on then null else s.on_day end as as_of
         from campaign_departments cd join campaigns c on c.id = cd.campaign_id
           join departments d on d.id = cd.department_id
           left join participation_snapshots s on s.campaign_id = cd.campaign_id and s.department_id = cd.department_id
         where cd.campaign_id = $1 order by d.name";
    refresh_participation(db, Utc::now().date_naive()).await?;
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Participation>(SQL)
        .bind(campaign)
        .fetch_all(pool)
        .await)?)
}

/// Publishes participation for `today`: every campaign whose published counts are from an
/// earlier day gets today's (one row per invited department, replacing the last). It is called
/// before every read of participation and by the hourly housekeeping, so the counts move at most
/// once a day per campaign, whoever answers when. No answer carries a time, so the counts "as of
/// the start of the day" cannot be known: the snapshot dated D holds what had been answered at
/// the first read (or housekeeping tick) of day D. A campaign whose last snapshot is dated after
/// its closing day is final and left alone (its live counts are shown; they no longer move).
/// Returns how many department rows were written (0 on every read but the first of a day, which
/// costs one small read and no write).
pub async fn refresh_participation(db: &Db, today: NaiveDate) -> Result<u64> {
    // Invited departments whose published count is neither today's nor final.
    macro_rules! stale {
        () => {
            "from campaign_departments cd join campaigns c on c.id = cd.campaign_id
             where not exists (select 1 from participation_snapshots s
                 where s.campaign_id = cd.campaign_id and s.department_id = cd.department_id
                   and (s.on_day >= $1 or s.on_day > c.closes_on))"
        };
    }
    const CHECK: &str = concat!("select cd.campaign_id ", stale!(), " limit 1");
    const WRITE: &str = concat!(
        "insert into participation_snapshots (campaign_id, department_id, on_day, responded)
         select cd.campaign_id, cd.department_id, $1,
             (select count(*) from campaign_participation p where p.campaign_id = cd.campaign_id and p.department_id = cd.department_id) ",
        stale!(),
        " on conflict (campaign_id, department_id) do update set on_day = excluded.on_day, responded = excluded.responded
         where participation_snapshots.on_day < excluded.on_day"
    );
    let stale: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(CHECK)
        .bind(today)
        .fetch_optional(pool)
        .await)?;
    if stale.is_none() {
        return Ok(0);
    }
    Ok({
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(WRITE)
            .bind(today)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
    }?)
}

/// Publishes today's participation again, now: for seeding only (the demo's answers are dated on
/// earlier days of their campaigns, so what had been published by today includes all of them).
/// A live server never calls this: its counts move at most once a day.
pub async fn republish_participation(db: &Db, today: NaiveDate) -> Result<u64> {
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "delete from participation_snapshots where on_day = $1"
        )
        .bind(today)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    refresh_participation(db, today).await
}

/// Whether `person` has answered `campaign`.
pub async fn has_answered(db: &Db, campaign: i64, person: i64) -> Result<bool> {
    let row: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select person_id from campaign_participation where campaign_id = $1 and person_id = $2"
    )
    .bind(campaign)
    .bind(person)
    .fetch_optional(pool)
    .await)?;
    Ok(row.is_some())
}

/// Who took part in `campaign`, as `(person, department answered for)`: what the release of its
/// results is checked with against earlier campaigns (`duet_core::listen::releases`). Never the
/// answers: participation and answers stay apart.
pub async fn takers(db: &Db, campaign: i64) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select person_id, department_id from campaign_participation where campaign_id = $1"
    )
    .bind(campaign)
    .fetch_all(pool)
    .await)?)
}
