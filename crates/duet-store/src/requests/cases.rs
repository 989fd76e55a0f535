//! Business cases, their champion's sign-off, delivery and the benefits realised.

use super::*;

/// A saved business case and the portfolio facts entered with it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredCase {
    /// The case.
    pub case: BusinessCase,
    /// Its evaluation.
    pub evaluation: duet_core::finance::Evaluation,
    /// Latest sign-off, if any.
    pub signoff: Option<Signoff>,
    /// Whether that sign-off still holds for the current IT cost.
    pub signoff_valid: bool,
    /// Goals the item supports.
    pub goal_ids: Vec<i64>,
}

/// A champion's signature on the IT costs.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Signoff {
    /// Who signed.
    pub champion_id: i64,
    /// Their name.
    pub champion_name: String,
    /// The IT cost signed, minor units.
    pub it_cost: i64,
    /// Tolerance in force when signed.
    pub tolerance_pct: f64,
    /// When.
    pub signed_at: DateTime<Utc>,
}

/// Saves a business case, with the item's risk, effort and goals, replacing the previous flows.
pub async fn save_business_case(
    db: &Db,
    id: i64,
    by: i64,
    case: &BusinessCase,
    risk: Risk,
    person_days: i64,
    goals: &[i64],
) -> Result<StoredCase> {
    let now = Utc::now();
    let eval = case.evaluate();
    let it_cost = case.it_cost().0;
    let mut tx = db.begin_write().await?;
    let Locked { status, .. } = lock_request(&mut tx, id).await?;
    if matches!(status, Status::Declined | Status::Closed) {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("a '{}' request's business case is frozen", status.label()),
        )));
    }
    for g in goals {
        let found: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
            "select id from business_goals where id = $1 and archived_at is null"
        )
        .bind(g)
        .fetch_optional(c)
        .await)?;
        if found.is_none() {
            return Err(StoreError::Invalid(FieldError::new(
                "goal_ids",
                format!("no active goal has id {g}"),
            )));
        }
    }
    let previous: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select it_cost from business_cases where request_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    on_db!(tx, |c| {
        sqlx::query(
        "insert into business_cases (request_id, horizon_years, discount_rate, it_cost, npv, updated_by, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (request_id) do update set horizon_years = excluded.horizon_years, discount_rate = excluded.discount_rate,
             it_cost = excluded.it_cost, npv = excluded.npv, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(id).bind(i64::from(case.horizon_years)).bind(case.discount_rate).bind(it_cost).bind(eval.npv).bind(by).bind(now)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    on_db!(tx, |c| sqlx::query(
        "delete from cash_flows where request_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for f in &case.flows {
        on_db!(tx, |c| sqlx::query(
            "insert into cash_flows (request_id, year, kind, amount) values ($1, $2, $3, $4)"
        )
        .bind(id)
        .bind(i64::from(f.year))
        .bind(f.kind.as_str())
        .bind(f.amount.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    on_db!(tx, |c| sqlx::query(
        "delete from request_goals where request_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for g in goals {
        on_db!(tx, |c| sqlx::query(
            "insert into request_goals (request_id, goal_id) values ($1, $2)"
        )
        .bind(id)
        .bind(g)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    on_db!(tx, |c| sqlx::query(
        "update requests set risk = $1, person_days = $2, updated_at = $3 where id = $4"
    )
    .bind(risk.as_str())
    .bind(person_days)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    bump_revision(&mut tx, now).await?;
    let change = match previous {
        Some((old,)) if old != it_cost => format!(" (IT cost {} → {})", Money(old), Money(it_cost)),
        _ => String::new(),
    };
    // The hand-over to the champion: the event (and so the notification every follower,
    // the champion included, receives in this transaction) says when the case now waits for
    // their sign-off, or when a change of cost made their sign-off lapse.
    let signed: Option<(i64, f64)> = on_db!(tx, |c| {
        sqlx::query_as(
        "select it_cost, tolerance_pct from signoffs where request_id = $1 order by id desc limit 1"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })?;
    let was_holding = match (signed, previous) {
        (Some((s, tol)), Some((old,))) => duet_core::requests::signoff_holds(s, old, tol),
        _ => false,
    };
    let (kind, signoff) = match signed {
        None => (
            "business_case_saved",
            " — it awaits the champion's sign-off of the IT costs".to_string(),
        ),
        Some((s, tol)) if !duet_core::requests::signoff_holds(s, it_cost, tol) && was_holding => (
            "signoff_lapsed",
            format!(
                " — the champion's sign-off of {} has lapsed (IT cost rose beyond the {tol}% tolerance): it awaits the champion's sign-off again",
                Money(s)
            ),
        ),
        Some((s, tol)) if !duet_core::requests::signoff_holds(s, it_cost, tol) => (
            "business_case_saved",
            " — it awaits the champion's sign-off of the IT costs".to_string(),
        ),
        Some(_) => ("business_case_saved", String::new()),
    };
    record_event(
        &mut tx,
        id,
        Some(by),
        kind,
        &format!(
            "business case saved: NPV {}, IT cost {}{change}{signoff}",
            Money::from_major(eval.npv),
            Money(it_cost)
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    find_business_case(db, id)
        .await?
        .ok_or(StoreError::NotFound("business case"))
}

/// The business case of a request, if it has one.
pub async fn find_business_case(db: &Db, id: i64) -> Result<Option<StoredCase>> {
    let head: Option<(i64, f64)> = on_db!(db, |pool| sqlx::query_as(
        "select horizon_years, discount_rate from business_cases where request_id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    let Some((horizon, rate)) = head else {
        return Ok(None);
    };
    let rows: Vec<(i64, String, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select year, kind, amount from cash_flows where request_id = $1 order by year, id"
    )
    .bind(id)
    .fetch_all(pool)
    .await)?;
    let mut flows = Vec::with_capacity(rows.len());
    for (year, kind, amount) in rows {
        flows.push(CashFlow {
            year: u32::try_from(year).unwrap_or(0),
            kind: kind.parse::<FlowKind>().map_err(StoreError::Invalid)?,
            amount: Money(amount),
        });
    }
    let case =
        BusinessCase::restore(u32::try_from(horizon).unwrap_or(0), rate, flows).map_err(|e| {
            StoreError::Invalid(
                e.0.into_iter()
                    .next()
                    .unwrap_or_else(|| FieldError::new("business_case", "is invalid")),
            )
        })?;
    let evaluation = case.evaluate();
    let signoff = on_db!(db, |pool| {
        sqlx::query_as::<_, Signoff>(
        "select s.champion_id, u.name as champion_name, s.it_cost, s.tolerance_pct, s.signed_at
         from signoffs s join users u on u.id = s.champion_id where s.request_id = $1 order by s.id desc limit 1",
    ).bind(id).fetch_optional(pool).await
    })?;
    let signoff_valid = signoff.as_ref().is_some_and(|s| {
        duet_core::requests::signoff_holds(s.it_cost, case.it_cost().0, s.tolerance_pct)
    });
    let goal_ids: Vec<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select goal_id from request_goals where request_id = $1 order by goal_id"
    )
    .bind(id)
    .fetch_all(pool)
    .await)?;
    Ok(Some(StoredCase {
        case,
        evaluation,
        signoff,
        signoff_valid,
        goal_ids: goal_ids.into_iter().map(|(g,)| g).collect(),
    }))
}

/// The champion signs off the current IT cost.
pub async fn sign_off(db: &Db, id: i64, champion: i64) -> Result<StoredCase> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_request(&mut tx, id).await?;
    let cost: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select it_cost from business_cases where request_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((cost,)) = cost else {
        return Err(StoreError::Conflict(FieldError::new(
            "business_case",
            "there is no business case to sign off yet",
        )));
    };
    let (tol,): (f64,) = on_db!(tx, |c| sqlx::query_as(
        "select tolerance_pct from portfolio_settings where id = 1"
    )
    .fetch_one(c)
    .await)?;
    on_db!(tx, |c| {
        sqlx::query("insert into signoffs (request_id, champion_id, it_cost, tolerance_pct, signed_at) values ($1, $2, $3, $4, $5)")
        .bind(id).bind(champion).bind(cost).bind(tol).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    bump_revision(&mut tx, now).await?;
    record_event(
        &mut tx,
        id,
        Some(champion),
        "signed_off",
        &format!(
            "the champion signed off IT costs of {} (tolerance {tol}%)",
            Money(cost)
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    find_business_case(db, id)
        .await?
        .ok_or(StoreError::NotFound("business case"))
}

/// Moves an accepted request along delivery; `check` approves the step against fresh facts
/// (status, lane, whether the sign-off still holds).
pub async fn advance(
    db: &Db,
    id: i64,
    by: i64,
    check: impl Fn(Status, Lane, bool) -> std::result::Result<Status, FieldError> + Send,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, lane, .. } = lock_request(&mut tx, id).await?;
    let ready: (Option<i64>, Option<i64>, Option<f64>) = on_db!(tx, |c| {
        sqlx::query_as(
        "select b.it_cost, (select s.it_cost from signoffs s where s.request_id = r.id order by s.id desc limit 1),
                (select s.tolerance_pct from signoffs s where s.request_id = r.id order by s.id desc limit 1)
         from requests r left join business_cases b on b.request_id = r.id where r.id = $1",
    ).bind(id).fetch_one(c).await
    })?;
    let signed = match ready {
        (Some(cost), Some(signed), Some(tol)) => {
            duet_core::requests::signoff_holds(signed, cost, tol)
        }
        _ => false,
    };
    let next = check(status, lane, signed).map_err(StoreError::Conflict)?;
    on_db!(tx, |c| sqlx::query(
        "update requests set status = $1, updated_at = $2 where id = $3"
    )
    .bind(next.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if lane == Lane::Portfolio {
        bump_revision(&mut tx, now).await?;
    }
    record_event(
        &mut tx,
        id,
        Some(by),
        "status_changed",
        &format!("{} → {}", status.label(), next.label()),
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// Expected against realised benefit for one year.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BenefitYear {
    /// Year of the case (0 = start).
    pub year: i64,
    /// Benefits the case expected, minor units.
    pub expected: i64,
    /// Benefits recorded as realised, if recorded.
    pub actual: Option<i64>,
}

/// Records the benefit realised in one year.
pub async fn record_benefit(
    db: &Db,
    id: i64,
    by: i64,
    year: i64,
    amount: Money,
) -> Result<Vec<BenefitYear>> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, .. } = lock_request(&mut tx, id).await?;
    if !matches!(
        status,
        Status::Delivered | Status::BenefitsRealised | Status::Closed
    ) {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "benefits are recorded once the work is delivered",
        )));
    }
    let horizon: Option<(i64,)> = on_db!(tx, |c| sqlx::query_as(
        "select horizon_years from business_cases where request_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((horizon,)) = horizon else {
        return Err(StoreError::Conflict(FieldError::new(
            "business_case",
            "there is no business case to compare with",
        )));
    };
    if year < 0 || year > horizon {
        return Err(StoreError::Invalid(FieldError::new(
            "year",
            format!("must be between 0 and the case's horizon ({horizon})"),
        )));
    }
    on_db!(tx, |c| {
        sqlx::query(
        "insert into benefit_actuals (request_id, year, amount, recorded_by, recorded_at) values ($1, $2, $3, $4, $5)
         on conflict (request_id, year) do update set amount = excluded.amount, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
    ).bind(id).bind(year).bind(amount.0).bind(by).bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "benefit_recorded",
        &format!("benefits realised in year {year}: {amount}"),
        now,
    )
    .await?;
    tx.commit().await?;
    benefits(db, id).await
}

/// Expected against realised benefits, per year of the case.
pub async fn benefits(db: &Db, id: i64) -> Result<Vec<BenefitYear>> {
    let Some(case) = find_business_case(db, id).await? else {
        return Ok(Vec::new());
    };
    let actual: Vec<(i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select year, amount from benefit_actuals where request_id = $1"
    )
    .bind(id)
    .fetch_all(pool)
    .await)?;
    Ok((0..=i64::from(case.case.horizon_years))
        .map(|year| BenefitYear {
            year,
            expected: case
                .case
                .flows
                .iter()
                .filter(|f| i64::from(f.year) == year && !f.kind.is_cost())
                .map(|f| f.amount.0)
                .sum(),
            actual: actual.iter().find(|(y, _)| *y == year).map(|(_, a)| *a),
        })
        .collect())
}
