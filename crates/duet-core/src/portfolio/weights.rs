//! The owner's scoring weights: four non-negative numbers whose proportions are the shares of
//! the score's terms.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------

/// The weights the portfolio owner sets for the four terms of the score; versioned by the store.
/// Each is a number from 0 to 100 and at least one is above 0. Only their proportions matter.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(try_from = "WeightsInput")]
pub struct Weights {
    /// Weight of value per IT cost (NPV ÷ IT cost, as a percentile across the candidates).
    pub value: f64,
    /// Weight of the fit to the executives' business goals.
    pub fit: f64,
    /// Weight of low risk (the score counts `1 − risk`).
    pub risk: f64,
    /// Weight of urgency.
    pub urgency: f64,
}

impl Weights {
    /// The starting weights, 40/30/15/15: value first, then fit with the goals, then risk and
    /// urgency equally, so a new portfolio ranks sensibly before anyone tunes it.
    pub const DEFAULT: Weights = Weights {
        value: 40.0,
        fit: 30.0,
        risk: 15.0,
        urgency: 15.0,
    };

    /// Validates raw weights and reports every bad field (`value`, `fit`, `risk`, `urgency`) at
    /// once, so a form can mark them all.
    pub fn new(value: f64, fit: f64, risk: f64, urgency: f64) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let all = [
            ("value", value),
            ("fit", fit),
            ("risk", risk),
            ("urgency", urgency),
        ];
        for (field, w) in all {
            if !w.is_finite() {
                errs.0
                    .push(FieldError::new(field, "must be a number from 0 to 100"));
            } else if w < 0.0 {
                errs.0.push(FieldError::new(field, "must not be negative"));
            } else if w > 100.0 {
                errs.0.push(FieldError::new(field, "must be at most 100"));
            }
        }
        if errs.0.is_empty() && all.iter().all(|(_, w)| *w <= 0.0) {
            for (field, _) in all {
                errs.0.push(FieldError::new(
                    field,
                    "at least one weight must be above 0",
                ));
            }
        }
        if errs.0.is_empty() {
            Ok(Self {
                value,
                fit,
                risk,
                urgency,
            })
        } else {
            Err(errs)
        }
    }

    /// The weights as shares summing to 1, in the order value, fit, risk, urgency. Weights built
    /// without [`Weights::new`] are made safe: a weight that is not a number or is negative counts
    /// as 0, one above 100 as 100, and all zero falls back to [`Weights::DEFAULT`].
    pub fn shares(&self) -> [f64; 4] {
        let clean = |w: f64| {
            if w.is_finite() {
                w.clamp(0.0, 100.0)
            } else {
                0.0
            }
        };
        let mut w = [
            clean(self.value),
            clean(self.fit),
            clean(self.risk),
            clean(self.urgency),
        ];
        let mut sum: f64 = w.iter().sum();
        if sum <= 0.0 {
            let d = Self::DEFAULT;
            w = [d.value, d.fit, d.risk, d.urgency];
            sum = w.iter().sum();
        }
        w.map(|x| x / sum)
    }
}

/// The wire shape of [`Weights`], so deserialising goes through [`Weights::new`].
#[derive(serde::Deserialize)]
pub(super) struct WeightsInput {
    pub(super) value: f64,
    pub(super) fit: f64,
    pub(super) risk: f64,
    pub(super) urgency: f64,
}

/// Why deserialised weights were refused: every field error, as one message.
#[derive(Debug)]
pub(super) struct WeightsRejected(ValidationErrors);

impl fmt::Display for WeightsRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl TryFrom<WeightsInput> for Weights {
    type Error = WeightsRejected;
    fn try_from(w: WeightsInput) -> Result<Self, Self::Error> {
        Weights::new(w.value, w.fit, w.risk, w.urgency).map_err(WeightsRejected)
    }
}
