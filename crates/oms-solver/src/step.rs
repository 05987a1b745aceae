//! A solver step as plain f64 data (the types every solver file builds): which noise levels the model is evaluated at, on which linear
//! combination of the current sample and earlier outputs, and how the outputs combine into the
//! next sample. The sampler is the one place that applies these coefficients to tensors.

use serde::{Deserialize, Serialize};

/// The parametrisation the stored model outputs `D` are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Noise prediction `eps`.
    Eps,
    /// Data prediction `x0`.
    X0,
}

/// One operand of a linear combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// The sample at the start of the step.
    X,
    /// The model output of stage `k` of this step.
    Stage(usize),
    /// The stage-0 output of the `i`-th previous step (0 = the step just before).
    History(usize),
    /// Fresh standard Gaussian noise (DDIM with eta > 0).
    Noise,
}

/// `sum coef * term`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinComb(pub Vec<(Term, f64)>);

/// One model evaluation of a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Noise level of the evaluation.
    pub lambda: f64,
    /// The sample the model sees.
    pub input: LinComb,
}

/// Everything the sampler needs for one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepPlan {
    /// What the stage outputs must be converted to.
    pub target: Target,
    /// Model evaluations, in order; stage `k` uses the step's `k`-th model.
    pub stages: Vec<Stage>,
    /// The next sample.
    pub output: LinComb,
}

/// What a multistep solver does with its history when the model changes between steps.
///
/// The history holds earlier steps' outputs already converted to the solver's parametrisation,
/// so mixing models and prediction types is well defined either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HistoryPolicy {
    /// (Default.) Keep the history across a switch: the outputs approximate the same
    /// probability-flow ODE whichever model made them, and the step keeps its full order.
    /// Two identical models switched this way give exactly the samples of one model.
    #[default]
    Keep,
    /// Drop the history at a switch: the step after a switch falls back to the order that the
    /// new model's own consecutive outputs allow (first order right after the switch).
    Restart,
}

impl HistoryPolicy {
    /// How many history entries (most recent first, named by model) a step with `model` may use.
    pub fn usable(&self, history_models: &[&str], model: &str) -> usize {
        match self {
            HistoryPolicy::Keep => history_models.len(),
            HistoryPolicy::Restart => history_models.iter().take_while(|m| **m == model).count(),
        }
    }
}

/// VP quantities at one level, computed in log space.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Level {
    pub lambda: f64,
    pub log_alpha: f64,
    pub log_sigma: f64,
}

impl Level {
    pub fn at(lambda: f64) -> Self {
        Level {
            lambda,
            log_alpha: oms_schedule::vp::log_alpha(lambda),
            log_sigma: oms_schedule::vp::log_sigma(lambda),
        }
    }
    pub fn alpha(&self) -> f64 {
        self.log_alpha.exp()
    }
    pub fn sigma(&self) -> f64 {
        self.log_sigma.exp()
    }
    /// `alpha_self / alpha_other`.
    pub fn alpha_ratio(&self, other: &Level) -> f64 {
        (self.log_alpha - other.log_alpha).exp()
    }
    /// `sigma_self / sigma_other`.
    pub fn sigma_ratio(&self, other: &Level) -> f64 {
        (self.log_sigma - other.log_sigma).exp()
    }
}

/// The input of stage 0: the current sample itself.
pub(crate) fn x_only() -> LinComb {
    LinComb(vec![(Term::X, 1.0)])
}
