//! `/relationships/thresholds`: where every signal's bands begin and its weight in the overall
//! index, the history of changes (who, when, why), and — for IT leaders and admins — the form
//! that records a new version.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{FormErrors, Layout, render_status};
use crate::service::relationships::Sources;
use crate::service::relationships::views::{
    self, SignalThresholds, ThresholdFields, ThresholdsView,
};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use duet_core::relationships::SignalKind;
use std::collections::HashMap;

/// Routes of the thresholds page.
pub fn router() -> Router<AppState> {
    Router::new().route("/relationships/thresholds", get(show).post(change))
}

#[derive(Template)]
#[template(path = "relationships/thresholds.html")]
struct ThresholdsPage {
    layout: Layout,
    v: ThresholdsView,
    /// What was typed when a change was refused (field name → text).
    typed: HashMap<String, String>,
    errors: FormErrors,
}

impl ThresholdsPage {
    /// A signal's label from its wire name (the name itself when unknown).
    fn label_of<'a>(&self, wire: &'a str) -> &'a str {
        wire.parse::<SignalKind>().map_or(wire, |k| k.label())
    }

    /// The value of input `field` for `kind`: what was typed, else the value in force.
    fn value(&self, field: &str, kind: &SignalKind) -> String {
        let name = format!("{field}_{}", kind.as_str());
        if let Some(t) = self.typed.get(&name) {
            return t.clone();
        }
        let Some(r) = self.v.rows.iter().find(|r| r.signal == *kind) else {
            return String::new();
        };
        match field {
            "healthy" => r.thresholds.healthy.to_string(),
            "concerning" => r.thresholds.concerning.to_string(),
            "min_evidence" => r.thresholds.min_evidence.to_string(),
            _ => r.thresholds.weight.to_string(),
        }
    }

    /// The error of input `field` for `kind`, or empty.
    fn error(&self, field: &str, kind: &SignalKind) -> String {
        self.errors
            .get(&format!("{field}_{}", kind.as_str()))
            .to_string()
    }
}

async fn page(
    state: &AppState,
    who: &SignedIn,
    typed: HashMap<String, String>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let v = views::thresholds(&state.relationships, Sources::of(state), &who.actor()).await?;
    Ok(render_status(
        status,
        ThresholdsPage {
            layout: Layout::new(who, "Relationship thresholds", "relationships"),
            v,
            typed,
            errors,
        },
    ))
}

async fn show(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    page(
        &state,
        &who,
        HashMap::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// Reads the form's inputs (`healthy_{signal}`, …) into a change, naming each input that is
/// not a number.
fn parse(form: &HashMap<String, String>) -> Result<ThresholdFields, AppError> {
    let mut errors = Vec::new();
    let mut signals = Vec::new();
    for kind in SignalKind::ALL {
        let mut num = |field: &str| -> Option<f64> {
            let name = format!("{field}_{}", kind.as_str());
            let raw = form.get(&name).map(|s| s.trim()).unwrap_or("");
            match raw.replace(',', ".").parse::<f64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.push(duet_core::FieldError::new(
                        name,
                        format!("{}: give a number", kind.label()),
                    ));
                    None
                }
            }
        };
        let (h, c, m, w) = (
            num("healthy"),
            num("concerning"),
            num("min_evidence"),
            num("weight"),
        );
        if let (Some(healthy), Some(concerning), Some(min), Some(weight)) = (h, c, m, w) {
            signals.push(SignalThresholds {
                signal: *kind,
                healthy,
                concerning,
                min_evidence: if min.fract() == 0.0 { min as i64 } else { -1 },
                weight,
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(ThresholdFields {
        reason: form.get("reason").cloned().unwrap_or_default(),
        signals,
    })
}

async fn change(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let result = match parse(&form) {
        Ok(f) => views::set_thresholds(Sources::of(&state), &who.actor(), &f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => {
            crate::pages::done(
                &state,
                &who,
                "/relationships/thresholds",
                &if n == 0 {
                    "Nothing changed: every threshold was as it stands.".to_string()
                } else {
                    format!("Saved: {n} signal(s) have a new version, kept with your reason.")
                },
            )
            .await
        }
        Err(e) => {
            let (status, errors) = crate::pages::form_errors(e)?;
            let mut typed = form;
            typed.remove("_csrf");
            page(&state, &who, typed, errors, status).await
        }
    }
}
