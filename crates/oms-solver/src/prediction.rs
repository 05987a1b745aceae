//! Model conventions: each model's own noise schedule, time input and prediction type, mapped
//! from the shared lambda, and the conversions between eps, x0 and v prediction.
//!
//! Every supported noise schedule is variance preserving, so at a given lambda all models agree
//! on `alpha` and `sigma` and the shared sample `x = alpha x0 + sigma eps` is already each model's
//! input (input scale 1); only the time input differs between models. Conversions use the VP
//! identities `x0 = (x - sigma eps) / alpha`, `v = alpha eps - sigma x0`
//! (Salimans and Ho 2022, arXiv 2202.00512, appendix D).

use oms_schedule::{NoiseSchedule, NoiseSpec, vp};
use serde::{Deserialize, Serialize};

use crate::step::Target;

/// What a network predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Prediction {
    /// The noise `eps` (diffusers' `epsilon`).
    #[serde(alias = "epsilon")]
    Eps,
    /// The clean data `x0` (diffusers' `sample`).
    #[serde(alias = "sample")]
    X0,
    /// The velocity `v = alpha eps - sigma x0` (diffusers' `v_prediction`).
    #[serde(alias = "v_prediction")]
    V,
}

/// How a model's continuous time `t` becomes the number fed to its time embedding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum TimeInput {
    /// `scale * t` (score-SDE style continuous models; scale 1 or 1000).
    Continuous {
        /// Multiplier.
        scale: f64,
    },
    /// The discrete step index of a model trained on `steps` steps:
    /// `steps * max(t - 1/steps, 0)` (DPM-Solver's discrete wrapper; the reference uses 1000).
    Discrete {
        /// Number of training steps.
        steps: usize,
    },
}

impl TimeInput {
    /// The time input for continuous `t`.
    pub fn of_t(&self, t: f64) -> f64 {
        match *self {
            TimeInput::Continuous { scale } => scale * t,
            TimeInput::Discrete { steps } => steps as f64 * (t - 1.0 / steps as f64).max(0.0),
        }
    }

    /// The continuous `t` of a time input (inverse of [`Self::of_t`] where it is invertible).
    pub fn t_of(&self, input: f64) -> f64 {
        match *self {
            TimeInput::Continuous { scale } => input / scale,
            TimeInput::Discrete { steps } => (input + 1.0) / steps as f64,
        }
    }
}

/// A model's calling convention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConvention {
    /// The noise schedule the model was trained with.
    pub noise: NoiseSchedule,
    /// What it predicts.
    pub prediction: Prediction,
    /// How its time input is formed.
    pub time_input: TimeInput,
}

/// How to call a model at one shared noise level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelCall {
    /// The model's own continuous time for this level (clamped to its schedule's range).
    pub t: f64,
    /// The number fed to its time embedding.
    pub time_input: f64,
}

impl ModelConvention {
    /// The reference's convention: continuous linear VP, eps prediction,
    /// time input `1000 * max(t - 1/1000, 0)`.
    pub fn reference() -> Self {
        ModelConvention {
            noise: NoiseSchedule::new(NoiseSpec::linear_vp()).expect("valid"),
            prediction: Prediction::Eps,
            time_input: TimeInput::Discrete { steps: 1000 },
        }
    }

    /// The noisiest lambda the model was trained for.
    pub fn lambda_min(&self) -> f64 {
        self.noise.lambda_range().0
    }

    /// Where and how to call the model at shared level `lambda`.
    pub fn call_at(&self, lambda: f64) -> ModelCall {
        let t = self.noise.t_of_lambda(lambda);
        ModelCall {
            t,
            time_input: self.time_input.of_t(t),
        }
    }
}

/// Coefficients `(c_x, c_out)` with `target = c_x * x + c_out * output` for a model predicting
/// `prediction` at `lambda` (finite).
pub fn convert(prediction: Prediction, target: Target, lambda: f64) -> (f64, f64) {
    let (a, s) = (vp::alpha(lambda), vp::sigma(lambda));
    match (prediction, target) {
        (Prediction::Eps, Target::Eps) | (Prediction::X0, Target::X0) => (0.0, 1.0),
        (Prediction::Eps, Target::X0) => (1.0 / a, -s / a),
        (Prediction::X0, Target::Eps) => (1.0 / s, -a / s),
        (Prediction::V, Target::X0) => (a, -s),
        (Prediction::V, Target::Eps) => (s, a),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn diffusers_prediction_names_parse() {
        for (name, p) in [
            ("epsilon", Prediction::Eps),
            ("sample", Prediction::X0),
            ("v_prediction", Prediction::V),
            ("V", Prediction::V),
        ] {
            assert_eq!(
                serde_json::from_str::<Prediction>(&format!("\"{name}\"")).unwrap(),
                p
            );
        }
    }

    use super::*;

    #[test]
    fn conversions_agree_on_a_known_point() {
        let (x0, eps) = (0.7, -1.3);
        for &lambda in &[-4.0, -0.3, 0.0, 2.5] {
            let (a, s) = (vp::alpha(lambda), vp::sigma(lambda));
            let x = a * x0 + s * eps;
            let outputs = [
                (Prediction::Eps, eps),
                (Prediction::X0, x0),
                (Prediction::V, a * eps - s * x0),
            ];
            for (p, out) in outputs {
                for (target, want) in [(Target::Eps, eps), (Target::X0, x0)] {
                    let (cx, co) = convert(p, target, lambda);
                    assert!(
                        (cx * x + co * out - want).abs() < 1e-9,
                        "{p:?} -> {target:?} at {lambda}"
                    );
                }
            }
        }
    }

    #[test]
    fn time_inputs_invert() {
        for ti in [
            TimeInput::Continuous { scale: 1000.0 },
            TimeInput::Discrete { steps: 1000 },
        ] {
            for &t in &[0.002, 0.5, 1.0] {
                assert!((ti.t_of(ti.of_t(t)) - t).abs() < 1e-12);
            }
        }
        assert_eq!(TimeInput::Discrete { steps: 1000 }.of_t(1e-4), 0.0);
    }
}
