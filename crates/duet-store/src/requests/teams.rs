//! IT teams and their figures (response times, decisions), counted by the database.

use super::*;

/// An IT team that answers requests.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Team {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// The IT teams `duet init` creates.
pub const STANDARD_TEAMS: &[&str] = &[
    "Service Desk",
    "Applications",
    "Infrastructure",
    "Security",
    "Data & Analytics",
];

/// Creates the standard IT teams and the default portfolio settings and weights, if missing.
pub async fn ensure_decide_defaults(db: &Db) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    // Replicas starting together: one creates, the other waits and finds them.
    tx.serialize(crate::db::DEFAULTS_LOCK).await?;
    for t in STANDARD_TEAMS {
        on_db!(tx, |c| {
            sqlx::query("insert into it_teams (name) select $1 where not exists (select 1 from it_teams where lower(name) = lower($1))")
            .bind(*t).execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    on_db!(tx, |c| {
        sqlx::query(
        "insert into portfolio_settings (id, budget, capacity_days, tolerance_pct, wait_days, revision, updated_at)
         values (1, 250000000, 2000, 10.0, 10, 1, $1) on conflict (id) do nothing",
    ).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    let d = duet_core::portfolio::Weights::DEFAULT;
    on_db!(tx, |c| {
        sqlx::query(
        "insert into scoring_weights (version, value_weight, fit_weight, risk_weight, urgency_weight, set_by, set_at)
         select 1, $1, $2, $3, $4, null, $5 where not exists (select 1 from scoring_weights)",
    ).bind(d.value).bind(d.fit).bind(d.risk).bind(d.urgency).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// The IT teams.
pub async fn teams(db: &Db) -> Result<Vec<Team>> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, Team>(
        "select id, name from it_teams order by name"
    )
    .fetch_all(pool)
    .await)?)
}

/// How one IT team listens, counted by the database on the indexes of migration 0023 (kept up to
/// date on every write), so the figures cost the same at 50,000 requests as at 200.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamFigures {
    /// Team name.
    pub team: String,
    /// Requests assigned to the team.
    pub requests: i64,
    /// Of those, how many were decided (accepted or declined).
    pub decided: i64,
    /// Of those, how many were declined.
    pub declined: i64,
    /// Alternatives offered with its requests' declines.
    pub alternatives_offered: i64,
    /// Of those, how many the requester took up.
    pub alternatives_taken_up: i64,
    /// Median hours from submission to IT's first response, if any was answered.
    pub median_first_response_hours: Option<f64>,
    /// Median hours from submission to a confirmed need, if any was confirmed.
    pub median_confirmed_need_hours: Option<f64>,
}

/// Every team with at least one request, by name (see [`TeamFigures`]).
pub async fn team_figures(db: &Db) -> Result<Vec<TeamFigures>> {
    let counts: Vec<(i64, String, i64, i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select t.id, t.name, count(*),
                sum(case when r.decided_at is not null then 1 else 0 end),
                sum(case when r.decided_at is not null and r.status = 'declined' then 1 else 0 end)
         from requests r join it_teams t on t.id = r.it_team_id
         group by t.id, t.name order by t.name",
    )
    .fetch_all(pool)
    .await)?;
    let alternatives: Vec<(i64, i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select r.it_team_id, count(*), sum(case when a.taken_up then 1 else 0 end)
         from request_alternatives a join requests r on r.id = a.request_id
         where r.it_team_id is not null group by r.it_team_id",
    )
    .fetch_all(pool)
    .await)?;
    let mut out = Vec::with_capacity(counts.len());
    for (team, name, requests, decided, declined) in counts {
        let (offered, taken) = alternatives
            .iter()
            .find(|a| a.0 == team)
            .map_or((0, 0), |a| (a.1, a.2));
        out.push(TeamFigures {
            team: name,
            requests,
            decided,
            declined,
            alternatives_offered: offered,
            alternatives_taken_up: taken,
            median_first_response_hours: team_median(db, team, Hours::FirstResponse).await?,
            median_confirmed_need_hours: team_median(db, team, Hours::ConfirmedNeed).await?,
        });
    }
    Ok(out)
}

/// The two generated hour columns of migration 0023.
#[derive(Clone, Copy)]
pub(super) enum Hours {
    FirstResponse,
    ConfirmedNeed,
}

/// A team's median of one hour column: its count, then the one or two middle values read in
/// index order (a step into `requests_team_*_idx`, not a sort).
pub(super) async fn team_median(db: &Db, team: i64, hours: Hours) -> Result<Option<f64>> {
    let (count, middle) = match hours {
        Hours::FirstResponse => (
            "select count(*) from requests where it_team_id = $1 and first_response_hours is not null",
            "select first_response_hours from requests where it_team_id = $1 and first_response_hours is not null
             order by first_response_hours limit $2 offset $3",
        ),
        Hours::ConfirmedNeed => (
            "select count(*) from requests where it_team_id = $1 and confirmed_need_hours is not null",
            "select confirmed_need_hours from requests where it_team_id = $1 and confirmed_need_hours is not null
             order by confirmed_need_hours limit $2 offset $3",
        ),
    };
    let (n,): (i64,) = on_db!(db, |pool| sqlx::query_as(count)
        .bind(team)
        .fetch_one(pool)
        .await)?;
    if n == 0 {
        return Ok(None);
    }
    let take = if n % 2 == 0 { 2 } else { 1 };
    let values: Vec<(f64,)> = on_db!(db, |pool| sqlx::query_as(middle)
        .bind(team)
        .bind(take)
        .bind((n - 1) / 2)
        .fetch_all(pool)
        .await)?;
    Ok(Some(
        values.iter().map(|v| v.0).sum::<f64>() / values.len().max(1) as f64,
    ))
}
