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
use duet_core::listen::instruments::{self, Answers, Definition, InstrumentKind};
use duet_core::listen::results::Response;
use std::collections::BTreeMap;

/// An instrument and its wording.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Instrument {
    /// Id.
    pub id: i64,
    /// Stable name shared by every version ("duet-pulse").
    pub key: String,
    /// Version: wording never changes in place, a change is a new version.
    pub version: i64,
    /// Shipped in the binary (not editable) or added by an admin.
    pub builtin: bool,
    /// Added.
    pub created_at: DateTime<Utc>,
    /// The sections, items and scales.
    pub definition: Definition,
}

type InstrumentRow = (i64, String, i64, bool, DateTime<Utc>, String);

fn instrument_from_row(r: InstrumentRow) -> Result<Instrument> {
    let definition: Definition = serde_json::from_str(&r.5).map_err(|e| {
        StoreError::Invalid(FieldError::new(
            "definition",
            format!("stored instrument is unreadable: {e}"),
        ))
    })?;
    Ok(Instrument {
        id: r.0,
        key: r.1,
        version: r.2,
        builtin: r.3,
        created_at: r.4,
        definition,
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| StoreError::Invalid(FieldError::new("definition", e.to_string())))
}

/// Installs the instruments shipped in this binary (new versions only) and the anonymity secret.
/// Safe to run on every start and from several replicas at once.
pub async fn ensure_listen_defaults(db: &Db) -> Result<()> {
    let now = Utc::now();
    for b in instruments::builtins() {
        let def = to_json(&b.definition)?;
        {
            let _turn = db.write_turn().await;
            on_db!(db, |pool| {
                sqlx::query(
            "insert into instruments (key, version, kind, title, definition, builtin, created_at) values ($1, $2, $3, $4, $5, true, $6)
             on conflict (key, version) do nothing")
            .bind(b.key).bind(b.version).bind(b.definition.kind.as_str()).bind(&b.definition.title).bind(&def).bind(now)
            .execute(pool).await.map(|r| r.rows_affected())
            })
        }?;
    }
    let hex = campaigns::random_secret().map_err(StoreError::Invalid)?;
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| {
            sqlx::query("insert into server_secrets (name, value) values ('anonymity', $1) on conflict (name) do nothing")
        .bind(hex).execute(pool).await.map(|r| r.rows_affected())
        })
    }?;
    Ok(())
}

/// The server secret that keys respondents' owner keys.
pub async fn anonymity_secret(db: &Db) -> Result<Vec<u8>> {
    let row: Option<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "select value from server_secrets where name = 'anonymity'"
    )
    .fetch_optional(pool)
    .await)?;
    row.map(|(v,)| v.into_bytes())
        .ok_or(StoreError::NotFound("anonymity secret"))
}

const INSTRUMENT_COLS: &str =
    "select id, key, version, builtin, created_at, definition from instruments";

/// Every instrument, newest version of each first within its key.
pub async fn list_instruments(db: &Db) -> Result<Vec<Instrument>> {
    let sql = format!("{INSTRUMENT_COLS} order by builtin desc, key, version desc");
    let rows: Vec<InstrumentRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await)?;
    rows.into_iter().map(instrument_from_row).collect()
}

/// Every instrument's id, title and version, newest version of each first within its key: the
/// choices of the campaign form, without reading each definition.
pub async fn instrument_choices(db: &Db) -> Result<Vec<(i64, String, i64)>> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "select id, title, version from instruments order by builtin desc, key, version desc"
    )
    .fetch_all(pool)
    .await)?)
}

/// One instrument.
pub async fn find_instrument(db: &Db, id: i64) -> Result<Instrument> {
    let sql = format!("{INSTRUMENT_COLS} where id = $1");
    let row: Option<InstrumentRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    instrument_from_row(row.ok_or(StoreError::NotFound("instrument"))?)
}

/// Adds an instrument; a title already used makes a new version of that instrument.
pub async fn insert_instrument(db: &Db, by: i64, def: &Definition) -> Result<Instrument> {
    let key: String = def
        .title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    // Custom keys live apart from the built-in ones, so no title can join a shipped instrument's
    // trend or block its next version.
    let key = if key.is_empty() {
        "custom-instrument".to_string()
    } else {
        format!("custom-{key}")
    };
    let json = to_json(def)?;
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let (max,): (Option<i64>,) = on_db!(tx, |c| sqlx::query_as(
            "select max(version) from instruments where key = $1"
        )
        .bind(&key)
        .fetch_one(c)
        .await)?;
        let (id,): (i64,) = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into instruments (key, version, kind, title, definition, builtin, created_by, created_at)
             values ($1, $2, $3, $4, $5, false, $6, $7) returning id")
            .bind(&key).bind(max.unwrap_or(0) + 1).bind(def.kind.as_str()).bind(&def.title).bind(&json).bind(by).bind(now)
            .fetch_one(c).await
        })?;
        id
    };
    tx.commit().await?;
    find_instrument(db, id).await
}

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

/// Whether `person`, signed in as account `user`, may answer `campaign` (the rule
/// `prepare_submission` applies, to decide whether to show the form): once the campaign's
/// population is fixed, they must be in it, still in the department they were in at opening,
/// and answering through the account linked to them then. Before that (an upcoming campaign),
/// whether their department is invited.
pub async fn is_invited(db: &Db, campaign: i64, person: i64, user: i64) -> Result<bool> {
    const SQL: &str = concat!(
        "select case when c.population_at is null then exists (
                select 1 from people pe join campaign_departments cd on cd.department_id = pe.department_id
                where cd.campaign_id = c.id and pe.id = $2 and pe.archived_at is null)
            else exists (
                select 1 from campaign_population cp join people pe on pe.id = cp.person_id
                where cp.campaign_id = c.id and cp.person_id = $2 and cp.user_id = $3
                  and pe.department_id = cp.department_id and pe.archived_at is null)
                and not ",
        borrowed_sql!("$3"),
        " end from campaigns c where c.id = $1"
    );
    let row: Option<(bool,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(campaign)
        .bind(person)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
    Ok(row.is_some_and(|r| r.0))
}

// ---- The population of a campaign (issue 10, attack class 5) -------------------------------
//
// A campaign's population is fixed when it opens — by its invitations (`dispatch_notices`) or by
// the first answer, whichever comes first: the active people of its invited departments, each
// with their department and their enabled account as of then. Only they can answer, from that
// department, through that account; so nobody reaches k with invented people, moves someone into
// a small department, or answers (or reads open answers) through an account made later in a real
// person's name. What changed during the campaign is counted from the audit log.

/// The population as the directory stands now: the active people of the invited departments
/// (`$1`) and their enabled account.
const POPULATION_NOW: &str =
    "insert into campaign_population (campaign_id, person_id, department_id, user_id)
     select cd.campaign_id, pe.id, pe.department_id, u.id
     from campaign_departments cd
     join people pe on pe.department_id = cd.department_id and pe.archived_at is null
     left join users u on u.person_id = pe.id and u.disabled_at is null
     where cd.campaign_id = $1 on conflict do nothing";

/// The population as the directory stood at `$2`, rebuilt from the audit log (each person entry
/// carries the department after the change, none when archived). A person's department then is
/// that of their last entry before `$2`; with none before, their first entry after decides:
/// created later — not there; only renamed or retitled later — that entry's department; moved,
/// archived or restored later — unknown, so left out (they cannot answer, which is the safe
/// side); with no entry at all, the directory as it is now (people older than the log). Their
/// account then: one linked to them (accounts are linked when created) created before `$2` and
/// enabled at `$2` (by the last enable/disable entry before, else the first after, else now).
const POPULATION_AS_OF: &str = "insert into campaign_population (campaign_id, person_id, department_id, user_id)
     with before_t as (
         select a.subject_id as person_id, a.department_id,
             row_number() over (partition by a.subject_id order by a.at desc, a.id desc) as rn
         from audit_log a where a.subject_kind = 'person' and a.at < $2
     ), after_t as (
         select a.subject_id as person_id, a.action, a.department_id,
             row_number() over (partition by a.subject_id order by a.at, a.id) as rn
         from audit_log a where a.subject_kind = 'person' and a.at >= $2
     ), state as (
         select pe.id as person_id,
             case when b.person_id is not null then b.department_id
                  when f.person_id is not null then (case when f.action = 'person.update' then f.department_id end)
                  when pe.archived_at is null and pe.created_at < $2 then pe.department_id
             end as department_id
         from people pe
         left join before_t b on b.person_id = pe.id and b.rn = 1
         left join after_t f on f.person_id = pe.id and f.rn = 1
     )
     select cd.campaign_id, s.person_id, s.department_id,
         (select min(u.id) from users u
          where u.person_id = s.person_id and u.created_at < $2
            and coalesce(
                (select e.action = 'user.enable' from audit_log e
                 where e.subject_kind = 'user' and e.subject_id = u.id and e.action in ('user.enable', 'user.disable') and e.at < $2
                 order by e.at desc, e.id desc limit 1),
                (select e.action = 'user.disable' from audit_log e
                 where e.subject_kind = 'user' and e.subject_id = u.id and e.action in ('user.enable', 'user.disable') and e.at >= $2
                 order by e.at, e.id limit 1),
                u.disabled_at is null))
     from campaign_departments cd join state s on s.department_id = cd.department_id
     where cd.campaign_id = $1 on conflict do nothing";

/// Fixes the population of an open campaign, if its invitations have not done it yet (the first
/// answer can come before the hourly housekeeping sends them), as it stood at the start of its
/// opening day. Safe to call again, and from several replicas at once.
pub async fn fix_population(db: &Db, campaign: i64) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let fixed = fix_population_in(&mut tx, campaign, None).await?;
    tx.commit().await?;
    Ok(fixed)
}

/// What a person is told when their account holds a credential someone else put in place after
/// the survey opened (see `credentials_borrowed`).
pub const BORROWED_CREDENTIALS: &str = "Your password (or an API token of your account) was set by someone else after this survey opened, so your account cannot be used to answer or read answers here. Setting your own password now does not change that for this survey, because whoever set it could do the same; it does for the next one.";

/// Whether account `user`, the account of someone in `campaign`'s population, holds a password or
/// live API token that someone else (another account, or the command line) put in place after
/// that population was fixed. Such an account neither answers that campaign nor reads or learns
/// of answers to it: an administrator who resets a person's password, or makes a token for them,
/// must not answer or read in their name. (Accounts outside the population are refused anyway.)
pub async fn credentials_borrowed(db: &Db, campaign: i64, user: i64) -> Result<bool> {
    const SQL: &str = concat!(
        "select ",
        borrowed_sql!("$2"),
        " and exists (select 1 from campaign_population cp where cp.campaign_id = c.id and cp.user_id = $2)
         from campaigns c where c.id = $1"
    );
    let row: Option<(bool,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(campaign)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
    Ok(row.is_some_and(|r| r.0))
}

/// Whether account `user` is the one that was linked to `person` when `campaign`'s population
/// was fixed (true while it is not fixed yet), and holds no credential someone else put in place
/// since (`credentials_borrowed`). Guards a person's open answers: an account created or linked
/// later in a real person's name, or taken over by resetting its password, must not read them.
pub async fn in_population(db: &Db, campaign: i64, person: i64, user: i64) -> Result<bool> {
    const SQL: &str = concat!(
        "select (c.population_at is null or exists (
                select 1 from campaign_population cp
                where cp.campaign_id = c.id and cp.person_id = $2 and cp.user_id = $3))
            and not ",
        borrowed_sql!("$3"),
        " from campaigns c where c.id = $1"
    );
    let row: Option<(bool,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(campaign)
        .bind(person)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
    Ok(row.is_some_and(|r| r.0))
}

/// Whether `person` has answered `campaign`, as account `user` may learn it: only the account
/// linked to them when the population was fixed (any, before that) is told.
pub async fn answered_as(db: &Db, campaign: i64, person: i64, user: i64) -> Result<bool> {
    Ok(has_answered(db, campaign, person).await?
        && in_population(db, campaign, person, user).await?)
}

/// Every campaign `person` has answered as account `user` may learn it (`answered_as` for all
/// campaigns in one statement, for the campaign list).
pub async fn answered_campaigns(db: &Db, person: i64, user: i64) -> Result<Vec<i64>> {
    const SQL: &str = concat!(
        "select c.id from campaigns c
         where exists (select 1 from campaign_participation p where p.campaign_id = c.id and p.person_id = $1)
           and (c.population_at is null or exists (
                select 1 from campaign_population cp
                where cp.campaign_id = c.id and cp.person_id = $1 and cp.user_id = $2))
           and not ",
        borrowed_sql!("$2")
    );
    let rows: Vec<(i64,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(person)
        .bind(user)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How an invited department's population changed in the 30 days before a campaign's population
/// was fixed (`POPULATION_LOOKBACK_DAYS`) and while the campaign ran: an administrator who adds
/// people just before opening is flagged as surely as one who adds them after.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PopulationChange {
    /// The department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// People in it at closing who were not in it when the population was fixed (created,
    /// moved in, restored).
    pub joined: i64,
    /// People in it when the population was fixed who were not at closing (moved out, archived).
    pub left: i64,
    /// People of its population who came into it (created, moved in, restored) in the 30 days
    /// before the population was fixed.
    pub added_before: i64,
    /// People who went out of it (moved out, archived) in the 30 days before the population was
    /// fixed and were not in it then.
    pub left_before: i64,
    /// People of its population whose account was created (and linked to them) in the 30 days
    /// before the population was fixed.
    pub accounts_before: i64,
}

/// How far before the population was fixed changes to an invited department are reported.
pub const POPULATION_LOOKBACK_DAYS: i64 = 30;

/// The invited departments of `campaign` whose population changed in the 30 days before it was
/// fixed, or between then and the end of the closing day (or now, if earlier). During: who was
/// in each department then (`campaign_population`) against where the audit log's last entry of
/// each person before the end puts them. Before: entries in the 30 days before that brought a
/// person of the population into the department, took someone out of it, or created an account
/// of a person of it. Counted from the log, which is written with every change and never
/// rewritten, so the figures stay the same however people move after closing. Departments that
/// did not change are left out; empty while the population is not fixed.
pub async fn population_changes(db: &Db, campaign: i64) -> Result<Vec<PopulationChange>> {
    let row: Option<(NaiveDate, Option<DateTime<Utc>>)> = on_db!(db, |pool| sqlx::query_as(
        "select closes_on, population_at from campaigns where id = $1"
    )
    .bind(campaign)
    .fetch_optional(pool)
    .await)?;
    let Some((closes, Some(from))) = row else {
        return match row {
            None => Err(StoreError::NotFound("campaign")),
            Some(_) => Ok(Vec::new()),
        };
    };
    let end = closes
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
        .min(Utc::now());
    // The 30 days before the population was fixed (never past the end: a campaign created after
    // it closed counts nothing after its closing day).
    let since = from - chrono::Duration::days(POPULATION_LOOKBACK_DAYS);
    const SQL: &str = "with ranked as (
            select a.subject_id as person_id, a.department_id,
                row_number() over (partition by a.subject_id order by a.at desc, a.id desc) as rn
            from audit_log a
            where a.subject_kind = 'person' and a.at > $2 and a.at <= $3
        ), at_end as (select person_id, department_id from ranked where rn = 1),
        steps as (
            select a.subject_id as person_id, a.action, a.at, a.department_id,
                lag(a.department_id) over (partition by a.subject_id order by a.at, a.id) as was_in,
                row_number() over (partition by a.subject_id order by a.at, a.id) as n
            from audit_log a
            where a.subject_kind = 'person' and a.at <= $5
        ), window_steps as (select * from steps where at > $4)
        select cd.department_id, d.name as department_name,
            (select count(*) from at_end x where x.department_id = cd.department_id
               and not exists (select 1 from campaign_population cp
                   where cp.campaign_id = cd.campaign_id and cp.person_id = x.person_id and cp.department_id = cd.department_id)) as joined,
            (select count(*) from campaign_population cp join at_end x on x.person_id = cp.person_id
               where cp.campaign_id = cd.campaign_id and cp.department_id = cd.department_id
                 and (x.department_id is null or x.department_id <> cd.department_id)) as departed,
            (select count(*) from campaign_population cp
               where cp.campaign_id = cd.campaign_id and cp.department_id = cd.department_id
                 and exists (select 1 from window_steps w where w.person_id = cp.person_id
                     and w.department_id = cd.department_id
                     and (w.n = 1 or w.was_in is null or w.was_in <> cd.department_id))) as added_before,
            (select count(distinct w.person_id) from window_steps w
               where w.was_in = cd.department_id and w.n > 1
                 and (w.department_id is null or w.department_id <> cd.department_id)
                 and not exists (select 1 from campaign_population cp
                     where cp.campaign_id = cd.campaign_id and cp.person_id = w.person_id and cp.department_id = cd.department_id)) as left_before,
            (select count(*) from campaign_population cp
               where cp.campaign_id = cd.campaign_id and cp.department_id = cd.department_id and cp.user_id is not null
                 and exists (select 1 from audit_log a where a.subject_kind = 'user' and a.subject_id = cp.user_id
                     and a.action in ('user.create', 'user.link') and a.at > $4 and a.at <= $5)) as accounts_before
        from campaign_departments cd join departments d on d.id = cd.department_id
        where cd.campaign_id = $1 order by d.name";
    type Row = (i64, String, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(campaign)
        .bind(from)
        .bind(end)
        .bind(since)
        .bind(from.min(end))
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .filter(|r| r.2 > 0 || r.3 > 0 || r.4 > 0 || r.5 > 0 || r.6 > 0)
        .map(
            |(
                department_id,
                department_name,
                joined,
                left,
                added_before,
                left_before,
                accounts_before,
            )| {
                PopulationChange {
                    department_id,
                    department_name,
                    joined,
                    left,
                    added_before,
                    left_before,
                    accounts_before,
                }
            },
        )
        .collect())
}

/// Whether a submission creates the response or edits the one already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitMode {
    /// The first answer: refused if the person already answered.
    New,
    /// A change: refused if there is nothing to change.
    Edit,
}

/// A checked submission, ready to write: what `prepare_submission` found and computed.
#[derive(Debug, Clone)]
pub struct Prepared {
    campaign: i64,
    person: i64,
    department: i64,
    answered_in: Option<i64>,
    mode: SubmitMode,
    id: i64,
    key: String,
    answer_box: Vec<u8>,
    closes: NaiveDate,
}

impl Prepared {
    /// Whether this is a first answer (the kind `write_first_answers` takes in batches).
    pub fn is_new(&self) -> bool {
        self.mode == SubmitMode::New
    }
}

/// "Not sealed" as part of a write's own condition; on PostgreSQL it also locks the campaign
/// row, so a seal running at the same moment waits for this answer or refuses it.
fn not_sealed(db: &Db) -> &'static str {
    match db.backend() {
        crate::Backend::Postgres => {
            "exists (select 1 from campaigns where id = $1 and sealed_at is null for update)"
        }
        crate::Backend::Sqlite => {
            "exists (select 1 from campaigns where id = $1 and sealed_at is null)"
        }
    }
}

fn closed_error(closes: NaiveDate) -> StoreError {
    StoreError::Conflict(FieldError::new(
        "campaign",
        format!("this campaign closed on {closes}; answers can no longer be given or changed"),
    ))
}

/// What an answer box holds: the answers and the department they count for.
#[derive(serde::Serialize, serde::Deserialize)]
struct BoxedAnswers {
    department: i64,
    ratings: String,
    texts: String,
}

/// A stored box that does not open is the server's fault (another key), never the user's.
fn unreadable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(sqlx::Error::Decode(
        format!("open survey answers: {e}").into(),
    ))
}

/// Encrypts a person's answers for `open_answers`, bound to the campaign and owner key.
fn seal_box(
    secret: &[u8],
    campaign: i64,
    key: &str,
    department: i64,
    ratings: String,
    texts: String,
) -> Result<Vec<u8>> {
    let plain = serde_json::to_vec(&BoxedAnswers {
        department,
        ratings,
        texts,
    })
    .map_err(|e| StoreError::Invalid(FieldError::new("answers", e.to_string())))?;
    campaigns::seal_answers(secret, campaign, key, &plain).map_err(StoreError::Invalid)
}

/// Decrypts a box of `open_answers`.
fn open_box(secret: &[u8], campaign: i64, key: &str, boxed: &[u8]) -> Result<BoxedAnswers> {
    let plain =
        campaigns::open_answers(secret, campaign, key, boxed).map_err(|e| unreadable(e.message))?;
    serde_json::from_slice(&plain).map_err(unreadable)
}

/// Stores a person's answers: `prepare_submission`, then `write_submission`. No account is
/// checked (seeding and tests); the web answers through `prepare_submission` with the account.
#[allow(clippy::too_many_arguments)]
pub async fn submit_response(
    db: &Db,
    campaign: i64,
    person: i64,
    secret: &[u8],
    answers: &Answers,
    mode: SubmitMode,
    today: NaiveDate,
) -> Result<()> {
    // Seeding and tests answer in a person's name without an account.
    let p = prepare_submission(db, campaign, person, None, secret, answers, mode, today).await?;
    write_submission(db, &p).await
}

/// Checks a submission with one read: refused unless the campaign is open on `today` (and not
/// sealed), the person is in its population (see `population_changes`) and still in the
/// department they were in when it was fixed, `user` (the answering account; none only for
/// seeding) is the account linked to them then, and (for `New`) they have not answered yet.
/// Nothing is written, except the population itself by the first answer of a campaign whose
/// invitations have not gone out yet; the writes re-check what could change in between.
#[allow(clippy::too_many_arguments)]
pub async fn prepare_submission(
    db: &Db,
    campaign: i64,
    person: i64,
    user: Option<i64>,
    secret: &[u8],
    answers: &Answers,
    mode: SubmitMode,
    today: NaiveDate,
) -> Result<Prepared> {
    let key = campaigns::owner_key(secret, campaign, person);
    let packed = answers.pack();
    let texts = to_json(&answers.texts)?;
    let id = campaigns::random_id().map_err(StoreError::Invalid)?;
    // The campaign; whether its population is fixed; the person's department and account in it;
    // whether their department now is an invited one (and which); where they answered; whether
    // the answering account holds a credential someone else put in place since it was fixed.
    const FACTS: &str = concat!("select c.opens_on, c.closes_on, c.sealed_at is not null, c.population_at is not null,
            (select cp.department_id from campaign_population cp where cp.campaign_id = c.id and cp.person_id = $2),
            (select cp.user_id from campaign_population cp where cp.campaign_id = c.id and cp.person_id = $2),
            (select pe.department_id from people pe join campaign_departments cd on cd.department_id = pe.department_id
              where cd.campaign_id = c.id and pe.id = $2 and pe.archived_at is null),
            (select p.department_id from campaign_participation p where p.campaign_id = c.id and p.person_id = $2), ",
        borrowed_sql!("$3"),
        " from campaigns c where c.id = $1");
    type Facts = (
        NaiveDate,
        NaiveDate,
        bool,
        bool,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        bool,
    );
    let read = || async {
        let facts: Option<Facts> = on_db!(db, |pool| sqlx::query_as(FACTS)
            .bind(campaign)
            .bind(person)
            .bind(user)
            .fetch_optional(pool)
            .await)?;
        facts.ok_or(StoreError::NotFound("campaign"))
    };
    let mut facts = read().await?;
    if !facts.3 && !facts.2 && campaigns::phase(facts.0, facts.1, today) == CampaignPhase::Open {
        fix_population(db, campaign).await?;
        facts = read().await?;
    }
    let (opens, closes, sealed, _, at_opening, account, now_in, answered_in, borrowed) = facts;
    let closed = || {
        StoreError::Conflict(FieldError::new(
            "campaign",
            format!("this campaign closed on {closes}; answers can no longer be given or changed"),
        ))
    };
    match campaigns::phase(opens, closes, today) {
        CampaignPhase::Open if !sealed => {}
        CampaignPhase::Upcoming => {
            return Err(StoreError::Conflict(FieldError::new(
                "campaign",
                format!("this campaign opens on {opens}; answers are not taken yet"),
            )));
        }
        _ => return Err(closed()),
    }
    let Some(dept) = at_opening else {
        return Err(match now_in {
            Some(_) => StoreError::Conflict(FieldError::new(
                "campaign",
                "you joined this department after the survey opened, so you cannot answer it; this keeps anyone from adding people to reach the minimum group size",
            )),
            None => StoreError::Invalid(FieldError::new(
                "campaign",
                "your department is not invited to this campaign",
            )),
        });
    };
    if now_in != Some(dept) {
        return Err(StoreError::Conflict(FieldError::new(
            "campaign",
            "you changed department after the survey opened, so you cannot answer it; this keeps anyone from moving people to reach the minimum group size",
        )));
    }
    if user.is_some() && user != account {
        return Err(StoreError::Conflict(FieldError::new(
            "campaign",
            "this account was created or linked to you after the survey opened, so it cannot answer it; this keeps anyone from answering in someone else's name",
        )));
    }
    if borrowed {
        return Err(StoreError::Conflict(FieldError::new(
            "campaign",
            BORROWED_CREDENTIALS,
        )));
    }
    match (mode, answered_in) {
        (SubmitMode::New, Some(_)) => {
            return Err(StoreError::Conflict(FieldError::new(
                "campaign",
                "you have already answered this campaign; change your answers instead",
            )));
        }
        (SubmitMode::Edit, None) => return Err(StoreError::NotFound("response")),
        _ => {}
    }
    Ok(Prepared {
        campaign,
        person,
        department: dept,
        answered_in,
        mode,
        id,
        answer_box: seal_box(secret, campaign, &key, dept, packed, texts)?,
        key,
        closes,
    })
}

/// Writes one checked submission. A plain change is one guarded statement replacing the box
/// (atomic on its own, so no explicit transaction); a first answer or a change of department is
/// one transaction.
pub async fn write_submission(db: &Db, p: &Prepared) -> Result<()> {
    let edit_sql = format!(
        "update open_answers set answer_box = $2
         where campaign_id = $1 and owner_key = $3 and {}",
        not_sealed(db)
    );
    if p.mode == SubmitMode::Edit && p.answered_in == Some(p.department) {
        let changed = {
            let _turn = db.write_turn().await;
            on_db!(db, |pool| sqlx::query(sqlx::AssertSqlSafe(
                edit_sql.as_str()
            ))
            .bind(p.campaign)
            .bind(&p.answer_box)
            .bind(&p.key)
            .execute(pool)
            .await?
            .rows_affected())
        };
        return if changed == 0 {
            Err(closed_error(p.closes))
        } else {
            Ok(())
        };
    }
    if p.mode == SubmitMode::New {
        return write_first_answers(db, std::slice::from_ref(p))
            .await?
            .into_iter()
            .next()
            .unwrap_or(Ok(()));
    }
    let mut tx = db.begin_write().await?;
    let changed = on_db!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(edit_sql.as_str()))
        .bind(p.campaign)
        .bind(&p.answer_box)
        .bind(&p.key)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Err(closed_error(p.closes));
    }
    on_db!(tx, |c| {
        sqlx::query("update campaign_participation set department_id = $1 where campaign_id = $2 and person_id = $3")
        .bind(p.department).bind(p.campaign).bind(p.person).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// Writes many first answers in one transaction (group commit: with many people answering at
/// once, SQLite's single write lock is taken once per batch rather than once per person). Each
/// answer succeeds or fails on its own — a double answer or a just-sealed campaign refuses that
/// one and writes nothing of it; a database error fails the whole batch. The participation row
/// and the encrypted box share the commit: without the key the box cannot be read, so the
/// pairing tells nothing (see migration 0015).
pub async fn write_first_answers(db: &Db, batch: &[Prepared]) -> Result<Vec<Result<()>>> {
    let join_sql = format!(
        "insert into campaign_participation (campaign_id, person_id, department_id)
         select cast($1 as bigint), cast($2 as bigint), cast($3 as bigint) where {} on conflict do nothing",
        not_sealed(db)
    );
    let mut tx = db.begin_write().await?;
    let out = {
        let mut out = Vec::with_capacity(batch.len());
        for p in batch {
            let joined = on_db!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(join_sql.as_str()))
                .bind(p.campaign)
                .bind(p.person)
                .bind(p.department)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            if joined == 0 {
                out.push(Err(StoreError::Conflict(FieldError::new(
                    "campaign",
                    "this campaign has just closed, or you have already answered it",
                ))));
                continue;
            }
            on_db!(tx, |c| {
                sqlx::query("insert into open_answers (id, campaign_id, owner_key, answer_box) values ($1, $2, $3, $4)")
                .bind(p.id).bind(p.campaign).bind(&p.key).bind(&p.answer_box).execute(c).await.map(|r| r.rows_affected())
            })?;
            out.push(Ok(()));
        }
        out
    };
    tx.commit().await?;
    Ok(out)
}

/// Seals a closed campaign (closing day before `today`): its encrypted boxes (and any plaintext
/// answer left from before boxes existed) are opened with `secret`, deleted, and the answers are
/// written into `survey_responses` in one transaction, in the order of fresh random ids, each
/// with a random owner key. After that no id, row order, transaction id (on PostgreSQL every
/// sealed row has the seal's one xmin, and their physical order is the random-id order) or key
/// links an answer to its author, and nobody can change them. Then, outside the transaction,
/// SQLite's write-ahead log is checkpointed and truncated (secure_delete has zeroed the deleted
/// boxes and owner keys in the pages) and PostgreSQL's two tables are vacuumed, so no pre-seal
/// copy stays behind in the files; both are best effort (a warning on failure).
///
/// A box that does not open (another secret) refuses the whole seal: nothing is lost, and the
/// campaign stays unsealed until the right key is configured. Returns whether this call sealed
/// it (false: already sealed, or not closed yet). Safe from several replicas at once.
pub async fn seal(db: &Db, campaign: i64, secret: &[u8], today: NaiveDate) -> Result<bool> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let sealed: bool = {
        let claimed = on_db!(tx, |c| {
            sqlx::query("update campaigns set sealed_at = $1 where id = $2 and sealed_at is null and closes_on < $3")
            .bind(now).bind(campaign).bind(today).execute(c).await.map(|r| r.rows_affected())
        })?;
        if claimed == 0 {
            false
        } else {
            let mut rows: Vec<(i64, String, String)> = on_db!(tx, |c| sqlx::query_as(
                "select department_id, ratings, texts from survey_responses where campaign_id = $1"
            )
            .bind(campaign)
            .fetch_all(c)
            .await)?;
            let boxes: Vec<(String, Vec<u8>)> = on_db!(tx, |c| sqlx::query_as(
                "select owner_key, answer_box from open_answers where campaign_id = $1"
            )
            .bind(campaign)
            .fetch_all(c)
            .await)?;
            for (key, boxed) in &boxes {
                let a = open_box(secret, campaign, key, boxed)?;
                rows.push((a.department, a.ratings, a.texts));
            }
            on_db!(tx, |c| sqlx::query(
                "delete from survey_responses where campaign_id = $1"
            )
            .bind(campaign)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            on_db!(tx, |c| sqlx::query(
                "delete from open_answers where campaign_id = $1"
            )
            .bind(campaign)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            let mut fresh = Vec::with_capacity(rows.len());
            for (dept, ratings, texts) in rows {
                let id = campaigns::random_id().map_err(StoreError::Invalid)?;
                let key = campaigns::random_secret().map_err(StoreError::Invalid)?;
                fresh.push((id, key, dept, ratings, texts));
            }
            // Written in random-id order, so neither the file order nor PostgreSQL's ctid follows
            // the order in which the boxes (or people) came.
            fresh.sort_by_key(|r| r.0);
            for chunk in fresh.chunks(500) {
                let done = on_db!(tx, |c| {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into survey_responses (id, campaign_id, owner_key, department_id, ratings, texts) ",
                    );
                    q.push_values(chunk, |mut b, (id, key, dept, ratings, texts)| {
                        b.push_bind(*id)
                            .push_bind(campaign)
                            .push_bind(key.as_str())
                            .push_bind(*dept)
                            .push_bind(ratings.as_str())
                            .push_bind(texts.as_str());
                    });
                    q.build().execute(c).await.map(|r| r.rows_affected())
                });
                done?;
            }
            true
        }
    };
    tx.commit().await?;
    if sealed {
        scrub_files(db).await;
    }
    Ok(sealed)
}

/// Removes pre-seal copies from the database files after deletions: on SQLite (where
/// `secure_delete` has already zeroed the deleted rows in their pages) a truncating checkpoint
/// writes the pages back and empties the write-ahead log, which still held the older page
/// images; on PostgreSQL a VACUUM of the answer tables reclaims the dead tuples. Best effort:
/// a failure (a long reader holding the log, say) is logged, and the next seal tries again.
async fn scrub_files(db: &Db) {
    match db {
        Db::Sqlite(pool) => {
            let _turn = crate::db::SQLITE_WRITER.lock().await;
            let done: std::result::Result<(i64, i64, i64), sqlx::Error> =
                sqlx::query_as("pragma wal_checkpoint(truncate)")
                    .fetch_one(pool)
                    .await;
            match done {
                Ok((0, _, _)) => {}
                Ok(_) => tracing::warn!(
                    "sealed survey answers: the write-ahead log could not be truncated now (a reader is active); the old pages stay in it until the next checkpoint"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "sealed survey answers: write-ahead log checkpoint failed")
                }
            }
        }
        Db::Postgres(pool) => {
            if let Err(e) = sqlx::raw_sql("vacuum survey_responses, open_answers")
                .execute(pool)
                .await
            {
                tracing::warn!(error = %e, "sealed survey answers: vacuum failed");
            }
        }
    }
}

/// Seals every campaign that has closed (housekeeping) with the anonymity `secret`; returns how
/// many were sealed.
pub async fn seal_closed(db: &Db, secret: &[u8], today: NaiveDate) -> Result<u64> {
    let due: Vec<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select id from campaigns where sealed_at is null and closes_on < $1"
    )
    .bind(today)
    .fetch_all(pool)
    .await)?;
    let mut n = 0;
    for (id,) in due {
        if seal(db, id, secret, today).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// Moves plaintext answers of unsealed campaigns — written before open answers were encrypted —
/// into `open_answers` boxes under `secret`, keeping each owner key (so authors still find and
/// edit them), in one transaction; then scrubs the files like a seal. Run at start with the
/// secret the server uses; afterwards every open answer takes the one encrypted path. Returns
/// how many answers were moved.
pub async fn encrypt_legacy_open_answers(db: &Db, secret: &[u8]) -> Result<u64> {
    type Legacy = (i64, String, i64, String, String);
    let found: Option<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select r.id from survey_responses r join campaigns c on c.id = r.campaign_id where c.sealed_at is null limit 1")
        .fetch_optional(pool).await
    })?;
    if found.is_none() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let moved: u64 = {
        let rows: Vec<Legacy> = on_db!(tx, |c| {
            sqlx::query_as(
            "select r.campaign_id, r.owner_key, r.department_id, r.ratings, r.texts
             from survey_responses r join campaigns c on c.id = r.campaign_id where c.sealed_at is null")
            .fetch_all(c).await
        })?;
        let mut boxes = Vec::with_capacity(rows.len());
        for (campaign, key, dept, ratings, texts) in rows {
            let boxed = seal_box(secret, campaign, &key, dept, ratings, texts)?;
            boxes.push((
                campaigns::random_id().map_err(StoreError::Invalid)?,
                campaign,
                key,
                boxed,
            ));
        }
        on_db!(tx, |c| {
            sqlx::query("delete from survey_responses where campaign_id in (select id from campaigns where sealed_at is null)")
            .execute(c).await.map(|r| r.rows_affected())
        })?;
        for (id, campaign, key, boxed) in &boxes {
            on_db!(tx, |c| {
                sqlx::query("insert into open_answers (id, campaign_id, owner_key, answer_box) values ($1, $2, $3, $4)")
                .bind(id).bind(campaign).bind(key).bind(boxed).execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        boxes.len() as u64
    };
    tx.commit().await?;
    scrub_files(db).await;
    Ok(moved)
}

/// Rewrites the answer tables once per database, so that what seals made before secure_delete
/// and the answer boxes existed left in free space (plaintext answers beside their old owner
/// keys) is gone from the files: SQLite's whole file is rebuilt (`VACUUM`, then the log is
/// truncated); on PostgreSQL `VACUUM FULL` writes the two answer tables into new files (it locks
/// them meanwhile: done at start). A database that had no answer when migration 0015 ran is
/// marked done there. Returns whether it ran now. Best effort across replicas: two starting
/// together may both run it, which is harmless.
pub async fn scrub_answer_files_once(db: &Db) -> Result<bool> {
    const NAME: &str = "answer-files-scrubbed-v1";
    let done: Option<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "select name from maintenance_done where name = $1"
    )
    .bind(NAME)
    .fetch_optional(pool)
    .await)?;
    if done.is_some() {
        return Ok(false);
    }
    match db {
        Db::Sqlite(pool) => {
            let _turn = crate::db::SQLITE_WRITER.lock().await;
            sqlx::raw_sql("vacuum").execute(pool).await?;
        }
        Db::Postgres(pool) => {
            sqlx::raw_sql("vacuum full survey_responses, open_answers")
                .execute(pool)
                .await?;
        }
    }
    scrub_files(db).await;
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "insert into maintenance_done (name) values ($1) on conflict (name) do nothing"
        )
        .bind(NAME)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(true)
}

/// The person's own answers (found through their owner key and decrypted), to prefill the form.
pub async fn own_response(
    db: &Db,
    campaign: i64,
    person: i64,
    secret: &[u8],
    def: &Definition,
) -> Result<Option<Answers>> {
    let key = campaigns::owner_key(secret, campaign, person);
    let row: Option<(Vec<u8>,)> = on_db!(db, |pool| sqlx::query_as(
        "select answer_box from open_answers where owner_key = $1 and campaign_id = $2"
    )
    .bind(&key)
    .bind(campaign)
    .fetch_optional(pool)
    .await)?;
    let Some((boxed,)) = row else {
        return Ok(None);
    };
    let a = open_box(secret, campaign, &key, &boxed)?;
    let ratings = instruments::unpack(def, &a.ratings).map_err(StoreError::Invalid)?;
    let texts: BTreeMap<String, String> = serde_json::from_str(&a.texts).unwrap_or_default();
    Ok(Some(Answers { ratings, texts }))
}

/// Every response of a campaign, for the results (which decide what may be shown). Only sealed
/// campaigns have any: an open campaign's answers are encrypted boxes until the seal.
pub async fn responses(db: &Db, campaign: i64, def: &Definition) -> Result<Vec<Response>> {
    let rows: Vec<(i64, String, String)> = on_db!(db, |pool| sqlx::query_as(
        "select department_id, ratings, texts from survey_responses where campaign_id = $1"
    )
    .bind(campaign)
    .fetch_all(pool)
    .await)?;
    rows.into_iter()
        .map(|(department, ratings, texts)| {
            Ok(Response {
                department,
                ratings: instruments::unpack(def, &ratings).map_err(StoreError::Invalid)?,
                texts: serde_json::from_str(&texts).unwrap_or_default(),
            })
        })
        .collect()
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
                        "insert into notifications (user_id, request_id, message, created_at)
                         select cp.user_id, null, $1, $2 from campaign_population cp
                         where cp.campaign_id = $3 and cp.user_id is not null")
                        .bind(format!("Survey open: \u{201c}{title}\u{201d}, until {closes}. Your answers are anonymous. /listen/campaigns/{id}"))
                        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
                    })?
                }
            } else {
                let claimed = on_db!(tx, |c| sqlx::query(
                    "update campaigns set reminded_at = $1 where id = $2 and reminded_at is null"
                )
                .bind(now)
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                if claimed == 0 {
                    0
                } else {
                    // Only those of the population who can still answer (same department and
                    // account as at opening) and have not.
                    on_db!(tx, |c| {
                        sqlx::query(
                        "insert into notifications (user_id, request_id, message, created_at)
                         select u.id, null, $1, $2 from campaign_population cp
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
