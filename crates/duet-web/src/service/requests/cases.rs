//! Business cases: their fields in people's words, parsing, saving, sign-off, delivery and benefits.

use super::*;

/// One cash-flow line as entered.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct FlowFields {
    /// Year of the case, 0 = now.
    #[serde(default)]
    pub year: i64,
    /// it_one_off, it_recurring, other_cost, revenue, savings, risk_avoided.
    #[serde(default)]
    pub kind: String,
    /// Amount in major units as text ("12,500.00"), or a number.
    #[serde(default, deserialize_with = "de::amount")]
    pub amount: String,
}

/// A business case as entered, with the item's risk, effort and goals.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CaseFields {
    /// 1 to 30 (required).
    #[serde(default)]
    #[schema(required = true)]
    pub horizon_years: i64,
    /// Percent, e.g. 8 for 8 %.
    #[serde(default)]
    pub discount_rate_pct: f64,
    /// The yearly flows.
    #[serde(default)]
    pub flows: Vec<FlowFields>,
    /// low, medium or high (required).
    #[serde(default)]
    #[schema(required = true)]
    pub risk: String,
    /// Delivery effort in person-days, 1 to 5,000 (required).
    #[serde(default)]
    #[schema(required = true)]
    pub person_days: i64,
    /// Goals supported.
    #[serde(default)]
    pub goal_ids: Vec<i64>,
}

/// The label people see for a field of the Decide forms: error messages name fields this way,
/// while the JSON `field` code stays machine-readable (`flows[0].amount`).
pub fn field_label(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("flows[")
        && let Some((i, part)) = rest.split_once("].")
        && let Ok(i) = i.parse::<usize>()
    {
        return format!("Cash flow line {}: {}", i + 1, part.replace('_', " "));
    }
    if let Some(rest) = field.strip_prefix("alternatives[")
        && let Some((i, part)) = rest.split_once("].")
        && let Ok(i) = i.parse::<usize>()
    {
        let part = if part == "description" {
            "what you offer"
        } else {
            part
        };
        return format!("Alternative {}: {part}", i + 1);
    }
    match field {
        "horizon_years" => "Horizon (years)",
        "discount_rate_pct" | "discount_rate" => "Discount rate (%)",
        "risk" => "Risk",
        "person_days" => "Effort (person-days)",
        "goal_ids" => "Business goals",
        "flows" => "Cash flows",
        "decision" => "Decision",
        "until" => "Defer until",
        "reason" => "Decline reason",
        "escalation_reason" => "Why it should be looked at again",
        "alternatives" => "Alternatives",
        "security_risk" => "For a security decline: the risk",
        "security_yes_if" => "What would make it a yes",
        "note" => "Note",
        "need_statement" => "Need statement",
        "it_team_id" => "IT team",
        "champion_id" => "Champion",
        "business_case" => "Business case",
        "status" => "Status",
        "year" => "Year",
        "amount" => "Amount",
        "title" => "Title",
        "problem" => "Problem",
        "affected" => "Who is affected",
        "desired_outcome" => "Desired outcome",
        "department_id" => "Department",
        "urgency" => "Urgency",
        "date_needed" => "Needed by",
        other => return other.replace('_', " "),
    }
    .to_string()
}

/// A message that names its field as people see it: "Horizon (years) must be at least 1 year",
/// "Decision: understand before answering …". Messages already starting with the label are kept.
pub fn labelled(field: &str, message: &str) -> String {
    with_label(&field_label(field), message)
}

/// `message` led by `label`, as [`labelled`] writes it, for forms whose labels are their own
/// ("Name must be at least 2 characters", "Date: '3 May' is not a date").
pub fn with_label(label: &str, message: &str) -> String {
    if message.starts_with(label) {
        return message.to_string();
    }
    let first = message.split_whitespace().next().unwrap_or("");
    if matches!(
        first,
        "must" | "is" | "are" | "needs" | "has" | "cannot" | "should"
    ) {
        format!("{label} {message}")
    } else {
        format!("{label}: {message}")
    }
}

/// Validates a business case and reports every bad field. Field codes name the line as sent
/// (`flows[2].amount` is the third line, blank lines included); messages name it as people see
/// it ("Cash flow line 3: amount must have at most 2 decimals").
pub fn parse_case(f: &CaseFields) -> Result<(BusinessCase, Risk, i64), AppError> {
    let mut errs = duet_core::ValidationErrors::default();
    let mut flows = Vec::new();
    // The line each kept flow came from (blank lines are skipped).
    let mut origin = Vec::new();
    for (i, line) in f.flows.iter().enumerate() {
        if line.amount.trim().is_empty() {
            continue;
        }
        let kind = errs.check(
            line.kind
                .parse::<FlowKind>()
                .map_err(|e| FieldError::new(format!("flows[{i}].kind"), e.message)),
        );
        let amount = errs.check(Money::parse(&format!("flows[{i}].amount"), &line.amount));
        let year = match u32::try_from(line.year) {
            Ok(y) => Some(y),
            Err(_) => {
                errs.0.push(FieldError::new(
                    format!("flows[{i}].year"),
                    "must not be negative",
                ));
                None
            }
        };
        if let (Some(kind), Some(amount), Some(year)) = (kind, amount, year) {
            flows.push(CashFlow { year, kind, amount });
            origin.push(i);
        }
    }
    let risk = errs.check(f.risk.parse::<Risk>());
    if !(1..=5000).contains(&f.person_days) {
        errs.0.push(FieldError::new(
            "person_days",
            "must be between 1 and 5,000 person-days",
        ));
    }
    let horizon = u32::try_from(f.horizon_years).unwrap_or(u32::MAX);
    let case = match BusinessCase::new(horizon, f.discount_rate_pct / 100.0, flows) {
        Ok(c) => Some(c),
        Err(e) => {
            for mut fe in e.0 {
                if fe.field == "discount_rate" {
                    fe.field = "discount_rate_pct".into();
                }
                if let Some(rest) = fe.field.strip_prefix("flows[")
                    && let Some((j, part)) = rest.split_once("].")
                    && let Some(i) = j.parse::<usize>().ok().and_then(|j| origin.get(j))
                {
                    fe.field = format!("flows[{i}].{part}");
                }
                errs.0.push(fe);
            }
            None
        }
    };
    match (case, risk) {
        (Some(case), Some(risk)) if errs.0.is_empty() => Ok((case, risk, f.person_days)),
        _ => {
            for e in &mut errs.0 {
                e.message = labelled(&e.field, &e.message);
            }
            Err(errs.into())
        }
    }
}

/// Saves the business case (champion, IT leaders, admins).
pub async fn save_case(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &CaseFields,
) -> Result<StoredCase, AppError> {
    let r = visible(db, actor, id).await?;
    can(
        actor,
        Action::EditBusinessCase {
            champion: r.champion_id.map(UserId),
        },
    )?;
    if r.champion_id.is_none() {
        return Err(AppError::Conflict(FieldError::new(
            "champion_id",
            "a business case belongs to portfolio work: an executive must champion the request first",
        )));
    }
    let (case, risk, days) = parse_case(f)?;
    Ok(store::save_business_case(db, id, actor.user.0, &case, risk, days, &f.goal_ids).await?)
}

/// The champion signs off the IT costs.
pub async fn sign_off(db: &Db, actor: &Actor, id: i64) -> Result<StoredCase, AppError> {
    let r = visible(db, actor, id).await?;
    can(
        actor,
        Action::SignOff {
            champion: r.champion_id.map(UserId),
        },
    )?;
    Ok(store::sign_off(db, id, actor.user.0).await?)
}

/// Moves an accepted request one step along delivery.
pub async fn advance(db: &Db, actor: &Actor, id: i64) -> Result<Request, AppError> {
    visible(db, actor, id).await?;
    can(actor, Action::TriageRequest)?;
    let step = |status: Status, lane, signed: bool| {
        let next = rules::next_delivery_status(status, lane).ok_or_else(|| {
            FieldError::new(
                "status",
                format!("a '{}' request has no next delivery step", status.label()),
            )
        })?;
        if lane == rules::Lane::Portfolio && status == Status::Accepted && !signed {
            return Err(FieldError::new(
                "status",
                "the champion's sign-off has lapsed (IT costs rose beyond the tolerance): it must be signed again before delivery starts",
            ));
        }
        Ok(next)
    };
    Ok(store::advance(db, id, actor.user.0, step).await?)
}

/// Benefit realised in one year (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct BenefitFields {
    /// Year of the case.
    #[serde(default)]
    pub year: i64,
    /// Amount in major units.
    #[serde(default, deserialize_with = "de::amount")]
    pub amount: String,
}

/// Records realised benefits.
pub async fn record_benefit(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &BenefitFields,
) -> Result<Vec<BenefitYear>, AppError> {
    let r = visible(db, actor, id).await?;
    can(
        actor,
        Action::RecordBenefits {
            champion: r.champion_id.map(UserId),
        },
    )?;
    let amount = Money::parse("amount", &f.amount)?;
    if amount.0 < 0 {
        return Err(AppError::invalid("amount", "must not be negative"));
    }
    Ok(store::record_benefit(db, id, actor.user.0, f.year, amount).await?)
}
