//! Listen: instruments, campaigns, participation and anonymous responses.
//!
//! Participation (who answered) and responses (what was answered) live in separate tables with
//! nothing in common but the campaign and department: a response row carries a random id and a
//! keyed hash of (campaign, person) that only the server, holding the secret, can recompute, so
//! the author can edit their answers while the campaign is open and nobody can read who wrote them.
//!
//! While a campaign is open its answers exist only as encrypted boxes (`open_answers`), so the
//! database files alone show no answer; sealing writes them out in plaintext, unlinkable, once the
//! campaign has closed (see `seal` and migration 0015).

use crate::db::WriteTx;
use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::listen::campaigns::{self, CampaignInput, CampaignPhase};
use duet_core::listen::instruments::{
    self, AboutRule, Answers, Definition, InstrumentKind, about_rule,
};
use duet_core::listen::results::Response;
use std::collections::BTreeMap;

/// A campaign with the names and counts its pages show.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Campaign {
    /// Id.
    pub id: i64,
    /// The instrument asked.
    pub instrument_id: i64,
    /// Its stable key (trends follow it across versions).
    pub instrument_key: String,
    /// Its title.
    pub instrument_title: String,
    /// Its kind.
    #[sqlx(try_from = "String")]
    pub instrument_kind: InstrumentKind,
    /// Title.
    pub title: String,
    /// First day answers are taken.
    pub opens_on: NaiveDate,
    /// Last day answers are taken.
    pub closes_on: NaiveDate,
    /// The day of the one reminder.
    pub remind_on: NaiveDate,
    /// Anonymity threshold k.
    pub min_group: i64,
    /// When the invitations went out.
    pub invited_at: Option<DateTime<Utc>>,
    /// When the reminder went out.
    pub reminded_at: Option<DateTime<Utc>>,
    /// When its answers were sealed (rewritten unlinkable after closing).
    pub sealed_at: Option<DateTime<Utc>>,
    /// How many people answered; null while fewer than k have (a count is a slice too). While
    /// the campaign is open this is the count published on [`Campaign::participation_as_of`]
    /// (see [`refresh_participation`]), not the live one.
    pub respondents: Option<i64>,
    /// The day the participation figures were taken, while they are a daily snapshot (null once
    /// the campaign has closed: the final counts are shown live, they no longer move).
    pub participation_as_of: Option<NaiveDate>,
    /// How many active people the invited departments have now.
    pub invited: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Campaign {
    /// Upcoming, open or closed on `today`.
    pub fn phase(&self, today: NaiveDate) -> CampaignPhase {
        campaigns::phase(self.opens_on, self.closes_on, today)
    }
}

macro_rules! campaign_sql {
    ($($tail:tt)*) => {
        concat!(
            "select c.id, c.instrument_id, i.key as instrument_key, i.title as instrument_title, i.kind as instrument_kind, c.title,
                c.opens_on, c.closes_on, c.remind_on, c.min_group, c.invited_at, c.reminded_at, c.sealed_at,
                case when (select max(s.on_day) from participation_snapshots s where s.campaign_id = c.id) > c.closes_on
                  then (select case when count(*) >= c.min_group then count(*) end from campaign_participation p where p.campaign_id = c.id)
                  else (select case when sum(s.responded) >= c.min_group then cast(sum(s.responded) as bigint) end from participation_snapshots s where s.campaign_id = c.id)
                end as respondents,
                (select case when max(s.on_day) <= c.closes_on then max(s.on_day) end from participation_snapshots s where s.campaign_id = c.id) as participation_as_of,
                (select count(*) from people pe join campaign_departments cd on cd.department_id = pe.department_id
                  where cd.campaign_id = c.id and pe.archived_at is null) as invited,
                c.created_at
             from campaigns c join instruments i on i.id = c.instrument_id ",
            $($tail)*
        )
    };
}

/// Claims and writes the population of campaign `id` inside the caller's transaction, unless it
/// is already fixed; returns whether this call fixed it. `now`: `Some(now)` fixes it from the
/// directory as it is now (a campaign created on its opening day, in the transaction that creates
/// it); `None` fixes it as of the start of its opening day (UTC; or now, if that is still to
/// come), rebuilt from the audit log (`POPULATION_AS_OF`), so what changed between midnight and
/// the first housekeeping or first answer does not count.
async fn fix_population_in(tx: &mut WriteTx, id: i64, now: Option<DateTime<Utc>>) -> Result<bool> {
    let at = match now {
        Some(t) => t,
        None => {
            let opens: Option<(NaiveDate,)> = on_db!(tx, |c| sqlx::query_as(
                "select opens_on from campaigns where id = $1"
            )
            .bind(id)
            .fetch_optional(c)
            .await)?;
            opens
                .map(|(o,)| o.and_time(chrono::NaiveTime::MIN).and_utc())
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
                .min(Utc::now())
        }
    };
    let claimed = on_db!(tx, |c| sqlx::query(
        "update campaigns set population_at = $1 where id = $2 and population_at is null",
    )
    .bind(at)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if claimed > 0 {
        if now.is_some() {
            on_db!(tx, |c| sqlx::query(POPULATION_NOW)
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
        } else {
            on_db!(tx, |c| sqlx::query(POPULATION_AS_OF)
                .bind(id)
                .bind(at)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
        }
    }
    Ok(claimed > 0)
}

/// Creates a campaign and its invited departments in one transaction; one that opens today (or
/// earlier) has its population fixed in that same transaction.
pub async fn insert_campaign(db: &Db, by: i64, input: &CampaignInput) -> Result<Campaign> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let found: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
            "select id from instruments where id = $1"
        )
        .bind(input.instrument)
        .fetch_optional(c)
        .await)?;
        if found.is_none() {
            return Err(StoreError::Invalid(FieldError::new(
                "instrument_id",
                "no instrument has this id",
            )));
        }
        let (id,): (i64,) = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into campaigns (instrument_id, title, opens_on, closes_on, remind_on, min_group, created_by, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id")
            .bind(input.instrument).bind(&input.title).bind(input.opens_on).bind(input.closes_on).bind(input.remind_on)
            .bind(i64::from(input.min_group)).bind(by).bind(now)
            .fetch_one(c).await
        })?;
        for d in &input.departments {
            let active: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
                "select id from departments where id = $1 and archived_at is null"
            )
            .bind(d)
            .fetch_optional(c)
            .await)?;
            if active.is_none() {
                return Err(StoreError::Invalid(FieldError::new(
                    "departments",
                    format!("no active department has id {d}"),
                )));
            }
            on_db!(tx, |c| sqlx::query(
                "insert into campaign_departments (campaign_id, department_id) values ($1, $2)"
            )
            .bind(id)
            .bind(d)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        // A campaign that opens today has its population fixed with its creation (issue 10): no
        // moment between the two in which the directory could still be changed to count.
        if input.opens_on <= now.date_naive() {
            fix_population_in(&mut tx, id, Some(now)).await?;
        }
        // Everyone may read this entry: who asked which departments, when, with what minimum
        // group, is what lets a respondent check the survey's anonymity for themselves.
        let mut names = Vec::new();
        for d in &input.departments {
            names.push(crate::org::department_name_in(&mut tx, *d).await?);
        }
        let after = format!(
            "“{}”; departments: {}; open {} to {}; reminder {}; results shown for groups of at least {}",
            input.title,
            names.join(", "),
            input.opens_on,
            input.closes_on,
            input.remind_on,
            input.min_group
        );
        let summary = format!("Created the survey campaign “{}”", input.title);
        crate::audit::record_change(
            &mut tx,
            Some(by),
            crate::audit::Change {
                action: "campaign.create",
                subject_kind: "campaign",
                subject_id: id,
                department: None,
                summary: &summary,
                before: None,
                after: Some(&after),
            },
        )
        .await?;
        id
    };
    tx.commit().await?;
    find_campaign(db, id).await
}

/// One campaign.
pub async fn find_campaign(db: &Db, id: i64) -> Result<Campaign> {
    const SQL: &str = campaign_sql!("where c.id = $1");
    refresh_participation(db, Utc::now().date_naive()).await?;
    on_db!(db, |pool| sqlx::query_as::<_, Campaign>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?
    .ok_or(StoreError::NotFound("campaign"))
}

/// The departments a campaign invited (ids, in id order): the answer form offers IT
/// respondents the business departments among them to answer about.
pub async fn campaign_departments(db: &Db, campaign: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select department_id from campaign_departments where campaign_id = $1 order by department_id"
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The instrument a campaign asks (a cheap lookup for the answering path).
pub async fn campaign_instrument(db: &Db, id: i64) -> Result<i64> {
    let row: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select instrument_id from campaigns where id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    row.map(|r| r.0).ok_or(StoreError::NotFound("campaign"))
}

/// Every campaign, latest first.
pub async fn list_campaigns(db: &Db) -> Result<Vec<Campaign>> {
    const SQL: &str = campaign_sql!("order by c.opens_on desc, c.id desc");
    refresh_participation(db, Utc::now().date_naive()).await?;
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Campaign>(SQL)
        .fetch_all(pool)
        .await)?)
}

/// The closed campaigns of an instrument family (same key), oldest first: the trend.
pub async fn closed_campaigns_of(db: &Db, key: &str, today: NaiveDate) -> Result<Vec<Campaign>> {
    const SQL: &str =
        campaign_sql!("where i.key = $1 and c.closes_on < $2 order by c.closes_on, c.id");
    refresh_participation(db, Utc::now().date_naive()).await?;
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Campaign>(SQL)
        .bind(key)
        .bind(today)
        .fetch_all(pool)
        .await)?)
}

/// Whether account `$user` (a placeholder such as `"$3"`) holds a credential someone else put
/// in place after the population of campaign `c` was fixed: its password set, or a live API
/// token of it created, by another account or on the command line
/// (`users.password_set_by_other_at`, `api_tokens.set_by_other_at`, kept by `accounts`). Which
/// of its credentials a request came with is not known here, so the whole account is held back.
macro_rules! borrowed_sql {
    ($user:literal) => {
        concat!(
            "(c.population_at is not null and (
                exists (select 1 from users bu where bu.id = ", $user, "
                        and bu.password_set_by_other_at > c.population_at)
                or exists (select 1 from api_tokens bt where bt.user_id = ", $user, "
                           and bt.revoked_at is null and bt.set_by_other_at > c.population_at)))"
        )
    };
}

/// Sends what is due: each campaign's invitations on its opening day and its one reminder (to
/// those who have not answered) on its reminder day, as Duet notifications. Claimed with a
/// conditional update so only one replica sends. Returns the notifications written.
pub async fn dispatch_notices(db: &Db, today: NaiveDate) -> Result<u64> {
    let now = Utc::now();
    let due: Vec<(i64, String, NaiveDate, bool)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select id, title, closes_on, invited_at is null from campaigns
         where opens_on <= $1 and closes_on >= $1 and (invited_at is null or (reminded_at is null and remind_on <= $1))")
        .bind(today).fetch_all(pool).await
    })?;
    let mut sent = 0;
    for (id, title, closes, invite) in due {
        let mut tx = db.begin_write().await?;
        let n: u64 = {
            if invite {
                let claimed = on_db!(tx, |c| sqlx::query(
                    "update campaigns set invited_at = $1 where id = $2 and invited_at is null"
                )
                .bind(now)
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                if claimed == 0 {
                    0
                } else {
                    // The population is fixed now (unless a first answer already did), and the
                    // invitations go to exactly its accounts.
                    fix_population_in(&mut tx, id, None).await?;
                    on_db!(tx, |c| {
                        sqlx::query(
                        "insert into notifications (user_id, request_id, message, created_at, kind)
                         select cp.user_id, null, $1, $2, 'survey' from campaign_population cp
                         where cp.campaign_id = $3 and cp.user_id is not null")
                        .bind(format!("Survey open: \u{201c}{title}\u{201d}, until {closes}. Your answers are anonymous. /listen/campaigns/{id}"))
                        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
                    })?
                }
            } else {
                let claimed = on_db!(tx, |c| {
                    sqlx::query(
                    "update campaigns set reminded_at = $1 where id = $2 and reminded_at is null"
                )
                .bind(now)
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
                })?;
                if claimed == 0 {
                    0
                } else {
                    // Only those of the population who can still answer (same department and
                    // account as at opening) and have not.
                    on_db!(tx, |c| {
                        sqlx::query(
                        "insert into notifications (user_id, request_id, message, created_at, kind)
                         select u.id, null, $1, $2, 'survey' from campaign_population cp
                         join users u on u.id = cp.user_id join people pe on pe.id = cp.person_id
                         where cp.campaign_id = $3 and u.disabled_at is null and pe.archived_at is null
                           and pe.department_id = cp.department_id
                           and not exists (select 1 from campaign_participation p where p.campaign_id = $3 and p.person_id = pe.id)")
                        .bind(format!("Reminder: \u{201c}{title}\u{201d} closes on {closes}. /listen/campaigns/{id}"))
                        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
                    })?
                }
            }
        };
        tx.commit().await?;
        sent += n;
    }
    Ok(sent)
}

/// Campaigns, latest first, one page at a time, of those inviting one department or all: the
/// API's list, read in SQL so a long history is never loaded whole.
pub async fn page_campaigns(
    db: &Db,
    department: Option<i64>,
    window: crate::PageRequest,
) -> Result<crate::Page<Campaign>> {
    const ONE: &str = campaign_sql!(
        "where exists (select 1 from campaign_departments x where x.campaign_id = c.id and x.department_id = $1)
         order by c.opens_on desc, c.id desc limit $2 offset $3"
    );
    const ALL: &str = campaign_sql!("order by c.opens_on desc, c.id desc limit $1 offset $2");
    refresh_participation(db, Utc::now().date_naive()).await?;
    let (items, total): (Vec<Campaign>, i64) = match department {
        Some(d) => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Campaign>(ONE)
                .bind(d)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(
                "select count(*) from campaign_departments where department_id = $1"
            )
            .bind(d)
            .fetch_one(pool)
            .await)?;
            (rows, n)
        }
        None => {
            let rows = on_db!(db, |pool| sqlx::query_as::<_, Campaign>(ALL)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await)?;
            let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as("select count(*) from campaigns")
                .fetch_one(pool)
                .await)?;
            (rows, n)
        }
    };
    Ok(crate::Page {
        items,
        total,
        limit: window.limit,
        offset: window.offset,
    })
}

mod answers;
mod catalogue;
mod participation;
mod population;
mod sealing;
pub use answers::*;
pub use catalogue::*;
pub use participation::*;
pub use population::*;
pub use sealing::*;
