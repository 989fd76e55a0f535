//! A request's steps after submission: understanding the need, assigning, deciding, championing.

use super::*;

/// IT states the need in the requester's terms; when the requester writes it, it is their
/// correction and counts as confirmed.
pub async fn state_need(db: &Db, id: i64, by: i64, statement: &str) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked {
        status,
        lane,
        requester,
        ..
    } = lock_request(&mut tx, id).await?;
    if !matches!(
        status,
        Status::Submitted | Status::Understanding | Status::NeedConfirmed | Status::Deferred
    ) {
        return Err(StoreError::Conflict(FieldError::new(
            "need_statement",
            format!(
                "the need cannot change once the request is '{}'",
                status.label()
            ),
        )));
    }
    let by_requester = by == requester;
    let new_status = if by_requester {
        Status::NeedConfirmed
    } else {
        Status::Understanding
    };
    on_db!(tx, |c| {
        sqlx::query(
        "update requests set need_statement = $1, need_by = $2, status = $3,
             need_confirmed_at = case when $4 then $5 else null end,
             first_response_at = case when $4 then first_response_at else coalesce(first_response_at, $5) end,
             updated_at = $5
         where id = $6",
    )
    .bind(statement).bind(by).bind(new_status.as_str()).bind(by_requester).bind(now).bind(id)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    if lane == Lane::Portfolio {
        // Funding needs a confirmed need, so the ranking's inputs changed.
        bump_revision(&mut tx, now).await?;
    }
    let detail = if by_requester {
        format!("the requester corrected the need: “{statement}”")
    } else {
        format!("IT stated the need: “{statement}” — please confirm or correct it")
    };
    record_event(
        &mut tx,
        id,
        Some(by),
        if by_requester {
            "need_corrected"
        } else {
            "need_stated"
        },
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// The requester confirms IT's statement of the need.
pub async fn confirm_need(db: &Db, id: i64, by: i64) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, lane, .. } = lock_request(&mut tx, id).await?;
    if status != Status::Understanding {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "there is no need statement waiting for your confirmation",
        )));
    }
    if lane == Lane::Portfolio {
        // Funding needs a confirmed need, so the ranking's inputs changed.
        bump_revision(&mut tx, now).await?;
    }
    on_db!(tx, |c| {
        sqlx::query("update requests set status = 'need_confirmed', need_confirmed_at = $1, updated_at = $1 where id = $2")
        .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "need_confirmed",
        "the requester confirmed IT's statement of the need",
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// IT records an attempt to reach the requester about the need statement.
pub async fn record_attempt(
    db: &Db,
    id: i64,
    by: i64,
    on: NaiveDate,
    note: &str,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, .. } = lock_request(&mut tx, id).await?;
    if status != Status::Understanding {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            "attempts are recorded while a need statement awaits the requester",
        )));
    }
    on_db!(tx, |c| {
        sqlx::query("update requests set need_attempt_on = $1, first_response_at = coalesce(first_response_at, $2), updated_at = $2 where id = $3")
        .bind(on).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "attempt_recorded",
        &format!(
            "IT tried to reach the requester on {on}{}",
            if note.is_empty() {
                String::new()
            } else {
                format!(": {note}")
            }
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// Assigns the IT team that will answer the request.
pub async fn assign_team(db: &Db, id: i64, by: i64, team: i64) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_request(&mut tx, id).await?;
    let name: Option<(String,)> = on_db!(tx, |c| sqlx::query_as(
        "select name from it_teams where id = $1"
    )
    .bind(team)
    .fetch_optional(c)
    .await)?;
    let Some((name,)) = name else {
        return Err(StoreError::Invalid(FieldError::new(
            "it_team_id",
            "no IT team has this id",
        )));
    };
    on_db!(tx, |c| sqlx::query(
        "update requests set it_team_id = $1, updated_at = $2 where id = $3"
    )
    .bind(team)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "team_assigned",
        &format!("assigned to {name}"),
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// The facts the decision gate needs, read inside the decision's transaction.
pub struct GateFacts {
    /// Status.
    pub status: Status,
    /// Lane.
    pub lane: Lane,
    /// Attempt date.
    pub attempt_on: Option<NaiveDate>,
    /// Champion, business case and valid sign-off present.
    pub portfolio_ready: bool,
    /// The requester confirmed the need statement (`need_confirmed_at` is set): funding needs it.
    pub need_confirmed: bool,
}

/// Records a decision after `check` (the rule in core) approves it against fresh facts.
pub async fn decide(
    db: &Db,
    id: i64,
    by: i64,
    decision: &Decision,
    check: impl Fn(&GateFacts) -> std::result::Result<(), FieldError> + Send,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, lane, .. } = lock_request(&mut tx, id).await?;
    let (attempt_on, need_confirmed): (Option<NaiveDate>, bool) = on_db!(tx, |c| sqlx::query_as(
        "select need_attempt_on, (need_confirmed_at is not null) from requests where id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    let ready: (Option<i64>, Option<i64>, Option<i64>, f64) = on_db!(tx, |c| {
        sqlx::query_as(
        "select r.champion_id, b.it_cost,
                (select s.it_cost from signoffs s where s.request_id = r.id order by s.id desc limit 1),
                (select tolerance_pct from portfolio_settings where id = 1)
         from requests r left join business_cases b on b.request_id = r.id where r.id = $1",
    ).bind(id).fetch_one(c).await
    })?;
    let portfolio_ready = match ready {
        (Some(_), Some(cost), Some(signed), tol) => {
            duet_core::requests::signoff_holds(signed, cost, tol)
        }
        _ => false,
    };
    check(&GateFacts {
        status,
        lane,
        attempt_on,
        portfolio_ready,
        need_confirmed,
    })
    .map_err(StoreError::Conflict)?;
    let (note, reason, until, risk, yes_if) = match decision {
        Decision::Accept => (None, None, None, None, None),
        Decision::Defer { until, note } => (Some(note.clone()), None, Some(*until), None, None),
        Decision::Decline {
            reason,
            note,
            security_risk,
            security_yes_if,
            ..
        } => (
            Some(note.clone()),
            Some(reason.as_str()),
            None,
            security_risk.clone(),
            security_yes_if.clone(),
        ),
    };
    on_db!(tx, |c| {
        sqlx::query(
        "update requests set status = $1, decided_at = $2, decision_note = $3, decline_reason = $4, deferred_until = $5,
             security_risk = $6, security_yes_if = $7, first_response_at = coalesce(first_response_at, $2), updated_at = $2
         where id = $8",
    )
    .bind(decision.status().as_str()).bind(now).bind(note.filter(|n| !n.is_empty())).bind(reason).bind(until)
    .bind(risk).bind(yes_if).bind(id)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    let detail = match decision {
        Decision::Accept => "IT accepted the request".to_string(),
        Decision::Defer { until, .. } => format!("IT deferred the request until {until}"),
        Decision::Decline {
            reason,
            alternatives,
            ..
        } => {
            for a in alternatives {
                on_db!(tx, |c| {
                    sqlx::query("insert into request_alternatives (request_id, kind, description, created_at) values ($1, $2, $3, $4)")
                    .bind(id).bind(a.kind.as_str()).bind(&a.description).bind(now).execute(c).await.map(|r| r.rows_affected())
                })?;
            }
            let offered: Vec<String> = alternatives
                .iter()
                .map(|a| format!("{}: {}", a.kind.label(), a.description))
                .collect();
            format!(
                "IT declined ({}) and offered: {}",
                reason.label().to_lowercase(),
                offered.join("; ")
            )
        }
    };
    if lane == Lane::Portfolio {
        bump_revision(&mut tx, now).await?;
    }
    record_event(&mut tx, id, Some(by), "decided", &detail, now).await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// The requester says whether they took up an offered alternative.
pub async fn answer_alternative(
    db: &Db,
    request: i64,
    alternative: i64,
    by: i64,
    taken_up: bool,
) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_request(&mut tx, request).await?;
    let done = on_db!(tx, |c| sqlx::query(
        "update request_alternatives set taken_up = $1 where id = $2 and request_id = $3"
    )
    .bind(taken_up)
    .bind(alternative)
    .bind(request)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("alternative"));
    }
    record_event(
        &mut tx,
        request,
        Some(by),
        "alternative_answered",
        &format!(
            "the requester {} an offered alternative",
            if taken_up {
                "took up"
            } else {
                "did not take up"
            }
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An executive adopts the request as its champion: it moves to the portfolio lane and its
/// requester keeps following it.
pub async fn champion(db: &Db, id: i64, executive: i64) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked {
        status, champion, ..
    } = lock_request(&mut tx, id).await?;
    if matches!(status, Status::Declined | Status::Closed) {
        return Err(StoreError::Conflict(FieldError::new(
            "status",
            format!("a '{}' request cannot be championed", status.label()),
        )));
    }
    if champion.is_some_and(|c| c != executive) {
        return Err(StoreError::Conflict(FieldError::new(
            "champion_id",
            "this request already has a champion",
        )));
    }
    on_db!(tx, |c| sqlx::query(
        "update requests set champion_id = $1, lane = 'portfolio', updated_at = $2 where id = $3"
    )
    .bind(executive)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    bump_revision(&mut tx, now).await?;
    record_event(
        &mut tx,
        id,
        Some(executive),
        "championed",
        "an executive champion adopted the request; it moves to the portfolio",
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// An admin lets the requester champion their own request (or takes that back).
pub async fn set_self_champion_allowed(
    db: &Db,
    id: i64,
    by: i64,
    allowed: bool,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    lock_request(&mut tx, id).await?;
    on_db!(tx, |c| sqlx::query(
        "update requests set self_champion_allowed = $1, updated_at = $2 where id = $3"
    )
    .bind(allowed)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record_event(
        &mut tx,
        id,
        Some(by),
        "self_champion",
        &format!(
            "an admin {} the requester to champion it",
            if allowed {
                "allowed"
            } else {
                "no longer allows"
            }
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    find_request(db, id).await
}

/// Escalates a request to IT's leaders with the reason (checked by the caller): refused when it
/// is neither declined nor undecided for `ESCALATE_AFTER_DAYS` days on `today`, or when it was
/// escalated before (409, nothing written). The escalation is a timeline event (which tells the
/// requester and champion, as every event does) and a notice to every IT leader, in one
/// transaction.
pub async fn escalate(
    db: &Db,
    request: i64,
    by: i64,
    reason: &str,
    today: chrono::NaiveDate,
) -> Result<()> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let Locked { status, .. } = lock_request(&mut tx, request).await?;
    let (asked, before): (DateTime<Utc>, Option<DateTime<Utc>>) = on_db!(tx, |c| {
        sqlx::query_as(
        "select r.created_at, (select min(e.at) from request_events e where e.request_id = r.id and e.kind = 'escalated')
         from requests r where r.id = $1"
    )
    .bind(request)
    .fetch_one(c)
    .await
    })?;
    if let Some(on) = before {
        return Err(StoreError::Conflict(FieldError::new(
            "request",
            format!(
                "this request was escalated on {}; IT's leaders have it",
                on.date_naive()
            ),
        )));
    }
    duet_core::requests::may_escalate(status, asked.date_naive(), today)
        .map_err(StoreError::Conflict)?;
    let detail = format!("escalated to IT's leaders: {reason}");
    record_event(&mut tx, request, Some(by), "escalated", &detail, now).await?;
    on_db!(tx, |c| {
        sqlx::query(
            "insert into notifications (user_id, request_id, message, created_at, kind)
         select u.id, r.id, r.title || ': ' || $2, $3, $4 from requests r, users u
         where r.id = $1 and u.role = 'it_leader' and u.disabled_at is null and u.id <> $5",
        )
        .bind(request)
        .bind(&detail)
        .bind(now)
        .bind(duet_core::mail::request_notice("escalated").as_str())
        .bind(by)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// How many requests of each department were escalated since `since`: (department, count).
pub async fn escalations(db: &Db, since: DateTime<Utc>) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "select r.department_id, count(*) from request_events e join requests r on r.id = e.request_id
         where e.kind = 'escalated' and e.at >= $1 group by r.department_id"
    )
    .bind(since)
    .fetch_all(pool)
    .await
    })?)
}
