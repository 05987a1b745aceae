//! Schedules as token sequences for the predictor, plain data (method.md section 4).
//!
//! One token per solver step, clean end first (the reference's compacted slot order). A token
//! holds the step's models in slot layout (`models[p]` with the highest-index non-zero entry
//! being the step's first NFE), its order, the discrete time of its clean-side boundary (the
//! reference's time feature) and, for encoders beyond the reference, the step's lambda interval
//! and the solver. Single-step slot schedules, DDIM, multistep (one NFE per step, the order being
//! the multistep order) and freely placed steps all map to the same tokens.

use oms_schedule::{NoiseSchedule, Schedule, Solver};
use serde::{Deserialize, Serialize};

/// One solver step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepToken {
    /// Model ids (manifest position plus one) in slot layout; 0 = none.
    pub models: [u32; 3],
    /// Solver order of the step (1..=3).
    pub order: u8,
    /// Discrete time `1000 t` of the step's clean-side boundary.
    pub time: f64,
    /// Lambda at the step's noisy and clean ends.
    pub lambda: (f64, f64),
}

/// A schedule as tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct Tokens {
    /// Steps, clean end first.
    pub steps: Vec<StepToken>,
    /// Solver family id (see [`solver_id`]).
    pub solver: u8,
}

/// Which models and noise levels the encoding refers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodingSpec {
    /// Model names; id `i + 1` is `models[i]`.
    pub models: Vec<String>,
    /// Lambda range used to normalise lambdas to [0, 1] (noisiest, cleanest).
    pub lambda_range: (f64, f64),
    /// Longest schedule in steps the batches are padded to at least.
    pub max_steps: usize,
}

/// Number of solver families [`solver_id`] distinguishes.
pub const SOLVERS: usize = 4;

/// 0 DDIM, 1 DPM-Solver, 2 DPM-Solver++ single-step, 3 DPM-Solver++ multistep.
pub fn solver_id(solver: Solver) -> u8 {
    match solver {
        Solver::Ddim { .. } => 0,
        Solver::DpmSolver => 1,
        Solver::DpmSolverPp => 2,
        Solver::DpmSolverPpMultistep => 3,
    }
}

/// Tokens of `schedule`; an unknown model name is an error naming it.
pub fn tokens(
    schedule: &Schedule,
    spec: &EncodingSpec,
    noise: &NoiseSchedule,
) -> Result<Tokens, crate::PredictorError> {
    let mut steps = Vec::with_capacity(schedule.steps.len());
    for (i, step) in schedule.steps.iter().enumerate().rev() {
        let mut models = [0u32; 3];
        let n = step.models.len().min(3);
        for (k, name) in step.models.iter().take(3).enumerate() {
            let id = spec.models.iter().position(|m| m == name).ok_or_else(|| {
                crate::PredictorError::UnknownModel {
                    step: i,
                    model: name.clone(),
                }
            })?;
            models[n - 1 - k] = id as u32 + 1;
        }
        // A step to the clean end (lambda = +inf) has t = 0.
        let t = if step.to.0.is_finite() {
            noise.t_of_lambda(step.to.0).clamp(0.0, 1.0)
        } else {
            0.0
        };
        steps.push(StepToken {
            models,
            order: step.order,
            time: (1000.0 * t).round(),
            lambda: (step.from.0, step.to.0),
        });
    }
    Ok(Tokens {
        steps,
        solver: solver_id(schedule.solver),
    })
}
