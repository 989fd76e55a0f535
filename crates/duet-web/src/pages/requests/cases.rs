//! A request's business case, sign-off, delivery steps and benefits, as forms.

use super::*;

/// Reads the business-case form: repeated `flow_year` / `flow_kind` / `flow_amount` fields (one
/// set per row) and repeated `goal_ids`, which a plain HTML form sends as repeated keys.
pub(super) fn case_from_pairs(pairs: &[(String, String)]) -> CaseFields {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let all = |k: &str| {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let (years, kinds, amounts) = (all("flow_year"), all("flow_kind"), all("flow_amount"));
    let flows = amounts
        .iter()
        .enumerate()
        .map(|(i, amount)| FlowFields {
            year: years.get(i).and_then(|y| y.trim().parse().ok()).unwrap_or(
                if years.get(i).is_some_and(|y| !y.trim().is_empty()) {
                    -1
                } else {
                    0
                },
            ),
            kind: kinds.get(i).cloned().unwrap_or_default(),
            amount: amount.clone(),
        })
        .collect();
    CaseFields {
        horizon_years: get("horizon_years").trim().parse().unwrap_or(0),
        discount_rate_pct: get("discount_rate_pct").trim().parse().unwrap_or(f64::NAN),
        flows,
        risk: get("risk").to_string(),
        person_days: get("person_days").trim().parse().unwrap_or(0),
        goal_ids: all("goal_ids")
            .iter()
            .filter_map(|g| g.parse().ok())
            .collect(),
    }
}

pub(super) async fn save_case(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = case_from_pairs(&pairs);
    match svc::save_case(&state.db, &who.actor(), id, &f).await {
        Ok(_) => {
            done(
                &state,
                &who,
                &format!("/requests/{id}"),
                "Business case saved.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            request_page(&state, &who, id, errors, status, Some(f), None, None).await
        }
    }
}

pub(super) async fn sign_off(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = svc::sign_off(&state.db, &who.actor(), id).await;
    act(&state, &who, id, r, "IT costs signed off.").await
}

pub(super) async fn advance(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = svc::advance(&state.db, &who.actor(), id).await;
    act(&state, &who, id, r, "Moved to the next delivery step.").await
}

pub(super) async fn record_benefit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<BenefitFields>,
) -> Result<Response, PageError> {
    let r = svc::record_benefit(&state.db, &who.actor(), id, &f).await;
    act(&state, &who, id, r, "Benefit recorded.").await
}

// ------------------------------------------------------------------ teams and inbox
