//! What people decide about relationships: the thresholds and weights in force (versioned, each
//! change kept with who made it and why) and leaders' own views of a pair (how it feels, the
//! maturity they see), kept beside the computed view and never folded into it.

use super::{Sources, may_act};
use crate::error::AppError;
use duet_core::auth::{Action, Actor, Question, Scope, can, scope};
use duet_core::org::DepartmentId;
use duet_core::relationships::maturity::{self, Level};
use duet_core::relationships::{self as rules, SignalKind, Thresholds};
use duet_store::relationships::views::{self as store, Judgement, NewThresholds, ThresholdVersion};
use std::collections::HashMap;

/// The thresholds in force: each signal's newest version, else its default.
#[derive(Debug, Clone, Default)]
pub struct ThresholdSet(HashMap<SignalKind, Thresholds>);

impl ThresholdSet {
    /// The thresholds in force for `kind`.
    pub fn get(&self, kind: SignalKind) -> Thresholds {
        self.0
            .get(&kind)
            .copied()
            .unwrap_or_else(|| rules::thresholds(kind))
    }
}

/// Reads the thresholds in force.
pub async fn threshold_set(db: &duet_store::Db) -> Result<ThresholdSet, AppError> {
    let mut set = HashMap::new();
    for v in store::current_thresholds(db).await? {
        let Ok(kind) = v.signal.parse::<SignalKind>() else {
            continue;
        };
        let d = rules::thresholds(kind);
        set.insert(
            kind,
            Thresholds {
                healthy: v.healthy,
                concerning: v.concerning,
                higher_is_better: d.higher_is_better,
                min_evidence: u32::try_from(v.min_evidence).unwrap_or(1),
                weight: v.weight,
            },
        );
    }
    Ok(ThresholdSet(set))
}

/// One signal's thresholds as the thresholds page shows them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ThresholdRow {
    /// The signal.
    pub signal: SignalKind,
    /// Its label.
    pub label: String,
    /// The unit its thresholds are in.
    pub unit: String,
    /// In force.
    pub thresholds: Thresholds,
    /// Duet's default.
    pub default: Thresholds,
    /// The version in force (null: the default).
    pub version: Option<ThresholdVersion>,
}

/// The thresholds in force, and the last changes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ThresholdsView {
    /// One per signal.
    pub rows: Vec<ThresholdRow>,
    /// The last 50 changes, newest first.
    pub history: Vec<ThresholdVersion>,
    /// Whether the caller may change them.
    pub may_change: bool,
}

/// The thresholds page: anyone who may see a relationship may see how its bands are drawn;
/// read once per two seconds while nothing was written.
pub async fn thresholds(
    caches: &super::RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
) -> Result<ThresholdsView, AppError> {
    if matches!(
        scope(actor, Question::SeeRelationships),
        Scope::Nothing | Scope::Own
    ) {
        return Err(AppError::Forbidden(
            "you are not allowed to see relationship health".into(),
        ));
    }
    let kept = caches
        .thresholds
        .get_or_load(|| async {
            let current = store::current_thresholds(src.db).await?;
            let set = threshold_set(src.db).await?;
            let rows = SignalKind::ALL
                .iter()
                .map(|k| ThresholdRow {
                    signal: *k,
                    label: k.label().to_string(),
                    unit: rules::unit(*k).to_string(),
                    thresholds: set.get(*k),
                    default: rules::thresholds(*k),
                    version: current.iter().find(|v| v.signal == k.as_str()).cloned(),
                })
                .collect();
            Ok::<_, AppError>((rows, store::threshold_history(src.db, 50).await?))
        })
        .await?;
    Ok(ThresholdsView {
        rows: kept.0.clone(),
        history: kept.1.clone(),
        may_change: can(actor, Action::SetRelationshipThresholds).is_ok(),
    })
}

/// New thresholds for one signal.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct SignalThresholds {
    /// The signal.
    pub signal: SignalKind,
    /// Healthy from here, in the signal's unit.
    pub healthy: f64,
    /// Concerning from here; beyond it, poor.
    pub concerning: f64,
    /// The fewest records a band may be drawn from (1–1,000).
    pub min_evidence: i64,
    /// Weight in the overall index (0–10).
    pub weight: f64,
}

/// A change of thresholds: the signals to change and why.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ThresholdFields {
    /// Why (3 to 500 characters): kept with the change.
    #[serde(default)]
    pub reason: String,
    /// The signals to change; those left out, or given as they are, keep their version.
    #[serde(default)]
    pub signals: Vec<SignalThresholds>,
}

/// Records a new version of every signal in `f` whose thresholds differ from those in force, all
/// or none, with who changed them and why. Every bad value is named (`healthy_trust_from_it`, …).
/// Returns how many signals changed.
pub async fn set_thresholds(
    src: Sources<'_>,
    actor: &Actor,
    f: &ThresholdFields,
) -> Result<u64, AppError> {
    can(actor, Action::SetRelationshipThresholds)?;
    let mut errors = duet_core::ValidationErrors::default();
    let reason = f.reason.trim();
    if !(3..=500).contains(&reason.chars().count()) {
        errors.0.push(duet_core::FieldError::new(
            "reason",
            "say in 3 to 500 characters why the thresholds change: it is kept with the change",
        ));
    }
    let set = threshold_set(src.db).await?;
    let mut changes = Vec::new();
    for s in &f.signals {
        match rules::check_thresholds(s.signal, s.healthy, s.concerning, s.min_evidence, s.weight) {
            Ok(t) => {
                if t != set.get(s.signal) {
                    changes.push(NewThresholds {
                        signal: s.signal.as_str().to_string(),
                        healthy: t.healthy,
                        concerning: t.concerning,
                        min_evidence: t.min_evidence,
                        weight: t.weight,
                    });
                }
            }
            Err(e) => errors.0.extend(e.0),
        }
    }
    if !errors.0.is_empty() {
        return Err(errors.into());
    }
    Ok(store::set_thresholds(src.db, &changes, actor.user.0, reason).await?)
}

/// A leader's view of a pair (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct JudgementFields {
    /// How it feels, 1 (bad) to 5 (very good).
    #[serde(default, deserialize_with = "crate::service::de::amount")]
    pub feels: String,
    /// The maturity level they see (`ad_hoc` … `strategic_partner`); empty for none.
    #[serde(default)]
    pub level: String,
    /// Why (3 to 1,000 characters).
    #[serde(default)]
    pub reason: String,
}

/// Records a leader's view of `department`'s relationship with IT: its business leader, IT
/// leaders and executives (`can(JudgeRelationship)`). Every view is kept.
pub async fn judge(
    src: Sources<'_>,
    actor: &Actor,
    department: i64,
    f: &JudgementFields,
) -> Result<Judgement, AppError> {
    may_act(actor, department)?;
    can(
        actor,
        Action::JudgeRelationship {
            department: DepartmentId(department),
        },
    )?;
    let mut errors = duet_core::ValidationErrors::default();
    let feels = errors.check(maturity::parse_feels(&f.feels));
    let level = if f.level.trim().is_empty() {
        Some(None)
    } else {
        errors
            .check(f.level.parse::<Level>())
            .map(|l| Some(l.as_str()))
    };
    let reason = errors.check(maturity::parse_reason(&f.reason));
    let (Some(feels), Some(level), Some(reason)) = (feels, level, reason) else {
        return Err(errors.into());
    };
    let known = duet_store::org::list_departments(src.db, false)
        .await?
        .iter()
        .any(|d| d.id == department && d.kind == duet_core::org::DepartmentKind::Business);
    if !known {
        return Err(AppError::NotFound("relationship".into()));
    }
    let id = store::judge(src.db, department, actor.user.0, feels, level, &reason).await?;
    store::judgements_of(src.db, department)
        .await?
        .into_iter()
        .find(|j| j.id == id)
        .ok_or_else(|| AppError::NotFound("view".into()))
}
