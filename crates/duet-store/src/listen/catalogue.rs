//! The catalogue of survey instruments: the built-in ones, custom ones, and their definitions as stored.

use super::*;

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

pub(super) type InstrumentRow = (i64, String, i64, bool, DateTime<Utc>, String);

pub(super) fn instrument_from_row(r: InstrumentRow) -> Result<Instrument> {
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

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
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

pub(super) const INSTRUMENT_COLS: &str =
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

/// The newest version of the instrument under `key`.
pub async fn newest_instrument(db: &Db, key: &str) -> Result<Instrument> {
    let sql = format!("{INSTRUMENT_COLS} where key = $1 order by version desc limit 1");
    let row: Option<InstrumentRow> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(key)
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
    insert_version(db, by, &key, def, None).await
}

/// Adds the next version of the instrument under `key` (a built-in one too: an edited IT service
/// catalogue is the next version of `it-service-gap`), in one transaction with an audit entry
/// saying `audit` when given. Campaigns keep the version they asked; new ones ask the newest.
pub async fn insert_version(
    db: &Db,
    by: i64,
    key: &str,
    def: &Definition,
    audit: Option<&str>,
) -> Result<Instrument> {
    let json = to_json(def)?;
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let id: i64 = {
        let (max,): (Option<i64>,) = on_db!(tx, |c| sqlx::query_as(
            "select max(version) from instruments where key = $1"
        )
        .bind(key)
        .fetch_one(c)
        .await)?;
        let (id,): (i64,) = on_db!(tx, |c| {
            sqlx::query_as(
            "insert into instruments (key, version, kind, title, definition, builtin, created_by, created_at)
             values ($1, $2, $3, $4, $5, false, $6, $7) returning id")
            .bind(key).bind(max.unwrap_or(0) + 1).bind(def.kind.as_str()).bind(&def.title).bind(&json).bind(by).bind(now)
            .fetch_one(c).await
        })?;
        if let Some(summary) = audit {
            crate::audit::record(
                &mut tx,
                Some(by),
                "listen.instrument_version",
                "instrument",
                id,
                None,
                summary,
            )
            .await?;
        }
        id
    };
    tx.commit().await?;
    find_instrument(db, id).await
}
