//! Listen: instruments, campaigns, participation and anonymous responses.
//!
//! Participation (who answered) and responses (what was answered) live in separate tables with
//! nothing in common but the campaign and department: a response row carries a random id and a
//! keyed hash of (campaign, person) that only the server, holding the secret, can recompute, so
//! the author can edit their answers while the campaign is open and nobody can read who wrote them.

use crate::{Db, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use duet_core::FieldError;
use duet_core::listen::instruments::{self, Answers, Definition, InstrumentKind};
use duet_core::listen::results::Response;
use duet_core::surveys::{self, CampaignInput, CampaignPhase};
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
        write_one!(db, pool => sqlx::query(
            "insert into instruments (key, version, kind, title, definition, builtin, created_at) values ($1, $2, $3, $4, $5, true, $6)
             on conflict (key, version) do nothing")
            .bind(b.key).bind(b.version).bind(b.definition.kind.as_str()).bind(&b.definition.title).bind(&def).bind(now)
            .execute(pool).await.map(|r| r.rows_affected()))?;
    }
    let hex = surveys::random_secret().map_err(StoreError::Invalid)?;
    write_one!(db, pool => sqlx::query("insert into server_secrets (name, value) values ('anonymity', $1) on conflict (name) do nothing")
        .bind(hex).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The server secret that keys respondents' owner keys.
pub async fn anonymity_secret(db: &Db) -> Result<Vec<u8>> {
    let row: Option<(String,)> = on_db!(db, pool => sqlx::query_as("select value from server_secrets where name = 'anonymity'").fetch_optional(pool).await)?;
    row.map(|(v,)| v.into_bytes())
        .ok_or(StoreError::NotFound("anonymity secret"))
}

const INSTRUMENT_COLS: &str =
    "select id, key, version, builtin, created_at, definition from instruments";

/// Every instrument, newest version of each first within its key.
pub async fn list_instruments(db: &Db) -> Result<Vec<Instrument>> {
    let sql = format!("{INSTRUMENT_COLS} order by builtin desc, key, version desc");
    let rows: Vec<InstrumentRow> =
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await)?;
    rows.into_iter().map(instrument_from_row).collect()
}

/// One instrument.
pub async fn find_instrument(db: &Db, id: i64) -> Result<Instrument> {
    let sql = format!("{INSTRUMENT_COLS} where id = $1");
    let row: Option<InstrumentRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)?;
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
    let id: i64 = write_tx!(db, tx => {
        let (max,): (Option<i64>,) = sqlx::query_as("select max(version) from instruments where key = $1").bind(&key).fetch_one(&mut *tx).await?;
        let (id,): (i64,) = sqlx::query_as(
            "insert into instruments (key, version, kind, title, definition, builtin, created_by, created_at)
             values ($1, $2, $3, $4, $5, false, $6, $7) returning id")
            .bind(&key).bind(max.unwrap_or(0) + 1).bind(def.kind.as_str()).bind(&def.title).bind(&json).bind(by).bind(now)
            .fetch_one(&mut *tx).await?;
        id
    });
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
    /// How many people answered; null while fewer than k have (a count is a slice too).
    pub respondents: Option<i64>,
    /// How many active people the invited departments have now.
    pub invited: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Campaign {
    /// Upcoming, open or closed on `today`.
    pub fn phase(&self, today: NaiveDate) -> CampaignPhase {
        surveys::phase(self.opens_on, self.closes_on, today)
    }
}

macro_rules! campaign_sql {
    ($($tail:tt)*) => {
        concat!(
            "select c.id, c.instrument_id, i.key as instrument_key, i.title as instrument_title, i.kind as instrument_kind, c.title,
                c.opens_on, c.closes_on, c.remind_on, c.min_group, c.invited_at, c.reminded_at, c.sealed_at,
                (select case when count(*) >= c.min_group then count(*) end from campaign_participation p where p.campaign_id = c.id) as respondents,
                (select count(*) from people pe join campaign_departments cd on cd.department_id = pe.department_id
                  where cd.campaign_id = c.id and pe.archived_at is null) as invited,
                c.created_at
             from campaigns c join instruments i on i.id = c.instrument_id ",
            $($tail)*
        )
    };
}

/// Creates a campaign and its invited departments in one transaction.
pub async fn insert_campaign(db: &Db, by: i64, input: &CampaignInput) -> Result<Campaign> {
    let now = Utc::now();
    let id: i64 = write_tx!(db, tx => {
        let found: Option<(i64,)> = sqlx::query_as("select id from instruments where id = $1").bind(input.instrument).fetch_optional(&mut *tx).await?;
        if found.is_none() {
            return Err(StoreError::Invalid(FieldError::new("instrument_id", "no instrument has this id")));
        }
        let (id,): (i64,) = sqlx::query_as(
            "insert into campaigns (instrument_id, title, opens_on, closes_on, remind_on, min_group, created_by, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id")
            .bind(input.instrument).bind(&input.title).bind(input.opens_on).bind(input.closes_on).bind(input.remind_on)
            .bind(i64::from(input.min_group)).bind(by).bind(now)
            .fetch_one(&mut *tx).await?;
        for d in &input.departments {
            let active: Option<(i64,)> = sqlx::query_as("select id from departments where id = $1 and archived_at is null").bind(d).fetch_optional(&mut *tx).await?;
            if active.is_none() {
                return Err(StoreError::Invalid(FieldError::new("departments", format!("no active department has id {d}"))));
            }
            sqlx::query("insert into campaign_departments (campaign_id, department_id) values ($1, $2)").bind(id).bind(d).execute(&mut *tx).await?;
        }
        id
    });
    find_campaign(db, id).await
}

/// One campaign.
pub async fn find_campaign(db: &Db, id: i64) -> Result<Campaign> {
    const SQL: &str = campaign_sql!("where c.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, Campaign>(SQL).bind(id).fetch_optional(pool).await)?
        .ok_or(StoreError::NotFound("campaign"))
}

/// The instrument a campaign asks (a cheap lookup for the answering path).
pub async fn campaign_instrument(db: &Db, id: i64) -> Result<i64> {
    let row: Option<(i64,)> = on_db!(db, pool => sqlx::query_as("select instrument_id from campaigns where id = $1").bind(id).fetch_optional(pool).await)?;
    row.map(|r| r.0).ok_or(StoreError::NotFound("campaign"))
}

/// Every campaign, latest first.
pub async fn list_campaigns(db: &Db) -> Result<Vec<Campaign>> {
    const SQL: &str = campaign_sql!("order by c.opens_on desc, c.id desc");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Campaign>(SQL).fetch_all(pool).await)?)
}

/// The closed campaigns of an instrument family (same key), oldest first: the trend.
pub async fn closed_campaigns_of(db: &Db, key: &str, today: NaiveDate) -> Result<Vec<Campaign>> {
    const SQL: &str =
        campaign_sql!("where i.key = $1 and c.closes_on < $2 order by c.closes_on, c.id");
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, Campaign>(SQL).bind(key).bind(today).fetch_all(pool).await)?,
    )
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
    /// People of it who answered.
    pub responded: i64,
}

/// Invited departments with their participation counts.
pub async fn participation(db: &Db, campaign: i64) -> Result<Vec<Participation>> {
    const SQL: &str = "select d.id as department_id, d.name as department_name,
            (select count(*) from people pe where pe.department_id = d.id and pe.archived_at is null) as invited,
            (select count(*) from campaign_participation p where p.campaign_id = cd.campaign_id and p.department_id = d.id) as responded
         from campaign_departments cd join departments d on d.id = cd.department_id
         where cd.campaign_id = $1 order by d.name";
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, Participation>(SQL).bind(campaign).fetch_all(pool).await)?,
    )
}

/// Whether `person` has answered `campaign`.
pub async fn has_answered(db: &Db, campaign: i64, person: i64) -> Result<bool> {
    let row: Option<(i64,)> = on_db!(db, pool => sqlx::query_as("select person_id from campaign_participation where campaign_id = $1 and person_id = $2")
        .bind(campaign).bind(person).fetch_optional(pool).await)?;
    Ok(row.is_some())
}

/// Whether `person`'s department is invited to `campaign`.
pub async fn is_invited(db: &Db, campaign: i64, person: i64) -> Result<bool> {
    let row: Option<(i64,)> = on_db!(db, pool => sqlx::query_as(
        "select pe.id from people pe join campaign_departments cd on cd.department_id = pe.department_id
         where cd.campaign_id = $1 and pe.id = $2 and pe.archived_at is null")
        .bind(campaign).bind(person).fetch_optional(pool).await)?;
    Ok(row.is_some())
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
    packed: String,
    texts: String,
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

/// Stores a person's answers: `prepare_submission`, then `write_submission`.
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
    let p = prepare_submission(db, campaign, person, secret, answers, mode, today).await?;
    write_submission(db, &p).await
}

/// Checks a submission with one read: refused unless the campaign is open on `today` (and not
/// sealed), the person is active in an invited department, and (for `New`) they have not
/// answered yet. Nothing is written; the writes re-check what could change in between.
#[allow(clippy::too_many_arguments)]
pub async fn prepare_submission(
    db: &Db,
    campaign: i64,
    person: i64,
    secret: &[u8],
    answers: &Answers,
    mode: SubmitMode,
    today: NaiveDate,
) -> Result<Prepared> {
    let key = surveys::owner_key(secret, campaign, person);
    let packed = answers.pack();
    let texts = to_json(&answers.texts)?;
    let id = surveys::random_id().map_err(StoreError::Invalid)?;
    const FACTS: &str = "select c.opens_on, c.closes_on, c.sealed_at is not null,
            (select pe.department_id from people pe join campaign_departments cd on cd.department_id = pe.department_id
              where cd.campaign_id = c.id and pe.id = $2 and pe.archived_at is null),
            (select p.department_id from campaign_participation p where p.campaign_id = c.id and p.person_id = $2)
         from campaigns c where c.id = $1";
    type Facts = (NaiveDate, NaiveDate, bool, Option<i64>, Option<i64>);
    let facts: Option<Facts> = on_db!(db, pool => sqlx::query_as(FACTS).bind(campaign).bind(person).fetch_optional(pool).await)?;
    let Some((opens, closes, sealed, dept, answered_in)) = facts else {
        return Err(StoreError::NotFound("campaign"));
    };
    let closed = || {
        StoreError::Conflict(FieldError::new(
            "campaign",
            format!("this campaign closed on {closes}; answers can no longer be given or changed"),
        ))
    };
    match surveys::phase(opens, closes, today) {
        CampaignPhase::Open if !sealed => {}
        CampaignPhase::Upcoming => {
            return Err(StoreError::Conflict(FieldError::new(
                "campaign",
                format!("this campaign opens on {opens}; answers are not taken yet"),
            )));
        }
        _ => return Err(closed()),
    }
    let Some(dept) = dept else {
        return Err(StoreError::Invalid(FieldError::new(
            "campaign",
            "your department is not invited to this campaign",
        )));
    };
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
        key,
        packed,
        texts,
        closes,
    })
}

/// Writes one checked submission. A plain change is one guarded statement (atomic on its own,
/// so no explicit transaction); a first answer or a change of department is one transaction.
pub async fn write_submission(db: &Db, p: &Prepared) -> Result<()> {
    let edit_sql = format!(
        "update survey_responses set department_id = $2, ratings = $3, texts = $4
         where campaign_id = $1 and owner_key = $5 and {}",
        not_sealed(db)
    );
    if p.mode == SubmitMode::Edit && p.answered_in == Some(p.department) {
        let changed = write_one!(db, pool => sqlx::query(sqlx::AssertSqlSafe(edit_sql.as_str()))
            .bind(p.campaign).bind(p.department).bind(&p.packed).bind(&p.texts).bind(&p.key)
            .execute(pool).await?.rows_affected());
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
    write_tx!(db, tx => {
        let changed = sqlx::query(sqlx::AssertSqlSafe(edit_sql.as_str()))
            .bind(p.campaign).bind(p.department).bind(&p.packed).bind(&p.texts).bind(&p.key).execute(&mut *tx).await?.rows_affected();
        if changed == 0 {
            return Err(closed_error(p.closes));
        }
        sqlx::query("update campaign_participation set department_id = $1 where campaign_id = $2 and person_id = $3")
            .bind(p.department).bind(p.campaign).bind(p.person).execute(&mut *tx).await?;
    });
    Ok(())
}

/// Writes many first answers in one transaction (group commit: with many people answering at
/// once, SQLite's single write lock is taken once per batch rather than once per person). Each
/// answer succeeds or fails on its own — a double answer or a just-sealed campaign refuses that
/// one and writes nothing of it; a database error fails the whole batch.
pub async fn write_first_answers(db: &Db, batch: &[Prepared]) -> Result<Vec<Result<()>>> {
    let join_sql = format!(
        "insert into campaign_participation (campaign_id, person_id, department_id)
         select cast($1 as bigint), cast($2 as bigint), cast($3 as bigint) where {} on conflict do nothing",
        not_sealed(db)
    );
    let out = write_tx!(db, tx => {
        let mut out = Vec::with_capacity(batch.len());
        for p in batch {
            let joined = sqlx::query(sqlx::AssertSqlSafe(join_sql.as_str()))
                .bind(p.campaign).bind(p.person).bind(p.department).execute(&mut *tx).await?.rows_affected();
            if joined == 0 {
                out.push(Err(StoreError::Conflict(FieldError::new(
                    "campaign",
                    "this campaign has just closed, or you have already answered it",
                ))));
                continue;
            }
            sqlx::query("insert into survey_responses (id, campaign_id, owner_key, department_id, ratings, texts) values ($1, $2, $3, $4, $5, $6)")
                .bind(p.id).bind(p.campaign).bind(&p.key).bind(p.department).bind(&p.packed).bind(&p.texts).execute(&mut *tx).await?;
            out.push(Ok(()));
        }
        out
    });
    Ok(out)
}

/// Seals a closed campaign (closing day before `today`): its answers are deleted and written
/// again in one transaction, in the order of fresh random ids, each with a random owner key. After
/// that no id, row order, transaction id or key in the database links an answer to its author,
/// and nobody can change them. Returns whether this call sealed it (false: already sealed, or
/// not closed yet). Safe from several replicas at once.
pub async fn seal(db: &Db, campaign: i64, today: NaiveDate) -> Result<bool> {
    let now = Utc::now();
    let sealed: bool = write_tx!(db, tx => {
        let claimed = sqlx::query("update campaigns set sealed_at = $1 where id = $2 and sealed_at is null and closes_on < $3")
            .bind(now).bind(campaign).bind(today).execute(&mut *tx).await?.rows_affected();
        if claimed == 0 {
            false
        } else {
            let rows: Vec<(i64, String, String)> = sqlx::query_as("select department_id, ratings, texts from survey_responses where campaign_id = $1")
                .bind(campaign).fetch_all(&mut *tx).await?;
            sqlx::query("delete from survey_responses where campaign_id = $1").bind(campaign).execute(&mut *tx).await?;
            let mut fresh = Vec::with_capacity(rows.len());
            for (dept, ratings, texts) in rows {
                let id = surveys::random_id().map_err(StoreError::Invalid)?;
                let key = surveys::random_secret().map_err(StoreError::Invalid)?;
                fresh.push((id, key, dept, ratings, texts));
            }
            fresh.sort_by_key(|r| r.0);
            for chunk in fresh.chunks(500) {
                let mut q = sqlx::QueryBuilder::new("insert into survey_responses (id, campaign_id, owner_key, department_id, ratings, texts) ");
                q.push_values(chunk, |mut b, (id, key, dept, ratings, texts)| {
                    b.push_bind(*id).push_bind(campaign).push_bind(key.as_str()).push_bind(*dept).push_bind(ratings.as_str()).push_bind(texts.as_str());
                });
                q.build().execute(&mut *tx).await?;
            }
            true
        }
    });
    Ok(sealed)
}

/// Seals every campaign that has closed (housekeeping); returns how many were sealed.
pub async fn seal_closed(db: &Db, today: NaiveDate) -> Result<u64> {
    let due: Vec<(i64,)> = on_db!(db, pool => sqlx::query_as("select id from campaigns where sealed_at is null and closes_on < $1").bind(today).fetch_all(pool).await)?;
    let mut n = 0;
    for (id,) in due {
        if seal(db, id, today).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// The person's own answers (found through their owner key), to prefill the form.
pub async fn own_response(
    db: &Db,
    campaign: i64,
    person: i64,
    secret: &[u8],
    def: &Definition,
) -> Result<Option<Answers>> {
    let key = surveys::owner_key(secret, campaign, person);
    let row: Option<(String, String)> = on_db!(db, pool => sqlx::query_as("select ratings, texts from survey_responses where owner_key = $1 and campaign_id = $2")
        .bind(&key).bind(campaign).fetch_optional(pool).await)?;
    let Some((ratings, texts)) = row else {
        return Ok(None);
    };
    let ratings = instruments::unpack(def, &ratings).map_err(StoreError::Invalid)?;
    let texts: BTreeMap<String, String> = serde_json::from_str(&texts).unwrap_or_default();
    Ok(Some(Answers { ratings, texts }))
}

/// Every response of a campaign, for the results (which decide what may be shown).
pub async fn responses(db: &Db, campaign: i64, def: &Definition) -> Result<Vec<Response>> {
    let rows: Vec<(i64, String, String)> = on_db!(db, pool => sqlx::query_as("select department_id, ratings, texts from survey_responses where campaign_id = $1")
        .bind(campaign).fetch_all(pool).await)?;
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
    let due: Vec<(i64, String, NaiveDate, bool)> = on_db!(db, pool => sqlx::query_as(
        "select id, title, closes_on, invited_at is null from campaigns
         where opens_on <= $1 and closes_on >= $1 and (invited_at is null or (reminded_at is null and remind_on <= $1))")
        .bind(today).fetch_all(pool).await)?;
    let mut sent = 0;
    for (id, title, closes, invite) in due {
        let n: u64 = write_tx!(db, tx => {
            if invite {
                let claimed = sqlx::query("update campaigns set invited_at = $1 where id = $2 and invited_at is null").bind(now).bind(id).execute(&mut *tx).await?.rows_affected();
                if claimed == 0 { 0 } else {
                    sqlx::query(
                        "insert into notifications (user_id, request_id, message, created_at)
                         select u.id, null, $1, $2 from users u join people pe on pe.id = u.person_id
                         join campaign_departments cd on cd.department_id = pe.department_id
                         where cd.campaign_id = $3 and u.disabled_at is null and pe.archived_at is null")
                        .bind(format!("Survey open: \u{201c}{title}\u{201d}, until {closes}. Your answers are anonymous. /listen/campaigns/{id}"))
                        .bind(now).bind(id).execute(&mut *tx).await?.rows_affected()
                }
            } else {
                let claimed = sqlx::query("update campaigns set reminded_at = $1 where id = $2 and reminded_at is null").bind(now).bind(id).execute(&mut *tx).await?.rows_affected();
                if claimed == 0 { 0 } else {
                    sqlx::query(
                        "insert into notifications (user_id, request_id, message, created_at)
                         select u.id, null, $1, $2 from users u join people pe on pe.id = u.person_id
                         join campaign_departments cd on cd.department_id = pe.department_id
                         where cd.campaign_id = $3 and u.disabled_at is null and pe.archived_at is null
                           and not exists (select 1 from campaign_participation p where p.campaign_id = $3 and p.person_id = pe.id)")
                        .bind(format!("Reminder: \u{201c}{title}\u{201d} closes on {closes}. /listen/campaigns/{id}"))
                        .bind(now).bind(id).execute(&mut *tx).await?.rows_affected()
                }
            }
        });
        sent += n;
    }
    Ok(sent)
}
