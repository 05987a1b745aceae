//! The schedule type: solver steps in noise levels, each with its order and the model of each NFE.
//!
//! This is the project's own, portable form (method.md section 2, "richer form"): steps are
//! written in `lambda = log(alpha / sigma)` (half the log-SNR), which every VP model shares, and
//! models are named, not numbered. Both reference encodings convert to and from it
//! (see [`crate::encoding`]).

use serde::{Deserialize, Serialize};

use crate::error::ScheduleError;
use crate::level::Lambda;

/// The schedule file format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The solver a schedule runs with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Solver {
    /// DDIM (Song et al. 2021) in noise prediction; `eta = 0` is deterministic, `eta = 1` is
    /// ancestral (DDPM-like). First order only.
    #[serde(alias = "ddim")]
    Ddim {
        /// Stochasticity, `eta >= 0`.
        eta: f64,
    },
    /// Single-step DPM-Solver-1/2/3 in noise prediction (Lu et al. 2022a, arXiv 2206.00927).
    #[serde(alias = "dpm-solver")]
    DpmSolver,
    /// Single-step DPM-Solver++(1/2S/3S) in data prediction (Lu et al. 2022b, arXiv 2211.01095).
    #[serde(alias = "dpm-solver++")]
    DpmSolverPp,
    /// Multistep DPM-Solver++(1/2M/3M) in data prediction (Lu et al. 2022b, algorithm 2).
    #[serde(alias = "dpm-solver++-multistep")]
    DpmSolverPpMultistep,
}

impl Solver {
    /// A short name for messages and reports.
    pub fn name(&self) -> &'static str {
        match self {
            Solver::Ddim { .. } => "DDIM",
            Solver::DpmSolver => "DPM-Solver",
            Solver::DpmSolverPp => "DPM-Solver++",
            Solver::DpmSolverPpMultistep => "DPM-Solver++ multistep",
        }
    }

    /// The highest step order the solver implements.
    pub fn max_order(&self) -> u8 {
        match self {
            Solver::Ddim { .. } => 1,
            _ => 3,
        }
    }

    /// Whether steps reuse model outputs of earlier steps.
    pub fn is_multistep(&self) -> bool {
        matches!(self, Solver::DpmSolverPpMultistep)
    }

    /// Model evaluations taken by one step of the given order.
    pub fn nfe_per_step(&self, order: u8) -> usize {
        if self.is_multistep() {
            1
        } else {
            order as usize
        }
    }
}

/// One solver step from noise level `from` to the less noisy level `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Start level (noisier).
    pub from: Lambda,
    /// End level (cleaner); [`Lambda::CLEAN`] only for a last, first-order step.
    pub to: Lambda,
    /// Solver order of this step (1..=3).
    pub order: u8,
    /// The model of each NFE of the step, in evaluation order.
    pub models: Vec<String>,
}

/// A model schedule: which model runs at each NFE of which solver step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// File format version, [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The solver that runs the steps.
    pub solver: Solver,
    /// Steps from the noise end to the clean end.
    pub steps: Vec<Step>,
}

/// What validation needs to know of a zoo member.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    /// The model's name in the zoo.
    pub name: String,
    /// The noisiest level the model was trained for (its `lambda(T)`).
    pub lambda_min: f64,
}

impl Schedule {
    /// A schedule of the current format version.
    pub fn new(solver: Solver, steps: Vec<Step>) -> Self {
        Schedule {
            format_version: FORMAT_VERSION,
            solver,
            steps,
        }
    }

    /// Number of network evaluations.
    pub fn nfe(&self) -> usize {
        self.steps.iter().map(|s| s.models.len()).sum()
    }

    /// The models of all NFEs in evaluation order.
    pub fn nfe_models(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .flat_map(|s| s.models.iter().map(String::as_str))
    }

    /// Checks everything that does not depend on the zoo: version, solver parameters, orders,
    /// model counts, monotone and contiguous finite levels, the clean end.
    pub fn validate_structure(&self) -> Result<(), ScheduleError> {
        if self.format_version != FORMAT_VERSION {
            return Err(ScheduleError::FormatVersion {
                found: self.format_version,
                supported: FORMAT_VERSION,
            });
        }
        if let Solver::Ddim { eta } = self.solver
            && !(eta >= 0.0 && eta.is_finite())
        {
            return Err(ScheduleError::Solver(format!(
                "DDIM eta must be >= 0, got {eta}"
            )));
        }
        if self.steps.is_empty() {
            return Err(ScheduleError::Empty);
        }
        for (i, step) in self.steps.iter().enumerate() {
            self.check_order(i, step)?;
            self.check_levels(i, step)?;
        }
        Ok(())
    }

    /// Full validation against a zoo: [`Self::validate_structure`], then every model must exist
    /// and be called within its trained noise range.
    pub fn validate(&self, zoo: &[ModelInfo]) -> Result<(), ScheduleError> {
        self.validate_structure()?;
        for (i, step) in self.steps.iter().enumerate() {
            for name in &step.models {
                let Some(info) = zoo.iter().find(|m| &m.name == name) else {
                    let known: Vec<&str> = zoo.iter().map(|m| m.name.as_str()).collect();
                    return Err(ScheduleError::UnknownModel {
                        step: i,
                        model: name.clone(),
                        known: known.join(", "),
                    });
                };
                // Evaluations happen within [from, to); the noisiest is at `from`.
                let tol = 1e-9 * (1.0 + info.lambda_min.abs());
                if step.from.0 < info.lambda_min - tol {
                    return Err(ScheduleError::OutOfRange {
                        step: i,
                        model: name.clone(),
                        lambda: step.from.0,
                        min: info.lambda_min,
                    });
                }
            }
        }
        Ok(())
    }

    fn check_order(&self, i: usize, step: &Step) -> Result<(), ScheduleError> {
        let max = self.solver.max_order();
        if step.order == 0 || step.order > max {
            let supported = (1..=max)
                .map(|o| o.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ScheduleError::OrderUnsupported {
                step: i,
                order: step.order,
                solver: self.solver.name().into(),
                supported,
            });
        }
        let expected = self.solver.nfe_per_step(step.order);
        if step.models.len() != expected {
            return Err(ScheduleError::OrderMismatch {
                step: i,
                order: step.order,
                solver: self.solver.name().into(),
                expected,
                found: step.models.len(),
            });
        }
        if self.solver.is_multistep() && step.order as usize > i + 1 {
            return Err(ScheduleError::MultistepHistory {
                step: i,
                order: step.order,
                available: i,
            });
        }
        Ok(())
    }

    fn check_levels(&self, i: usize, step: &Step) -> Result<(), ScheduleError> {
        let (from, to) = (step.from.0, step.to.0);
        if !from.is_finite() {
            return Err(ScheduleError::NonFinite {
                step: i,
                lambda: from,
            });
        }
        if to.is_nan() || to == f64::NEG_INFINITY {
            return Err(ScheduleError::NonFinite {
                step: i,
                lambda: to,
            });
        }
        if to <= from {
            return Err(ScheduleError::NonMonotone { step: i, from, to });
        }
        if step.to.is_clean() {
            if i + 1 != self.steps.len() {
                return Err(ScheduleError::CleanEndNotLast { step: i });
            }
            if step.order > 1 {
                return Err(ScheduleError::CleanEndHighOrder {
                    step: i,
                    order: step.order,
                });
            }
        }
        if i > 0 {
            let prev_to = self.steps[i - 1].to.0;
            if (from - prev_to).abs() > 1e-9 * (1.0 + from.abs()) {
                return Err(ScheduleError::Discontinuous {
                    step: i,
                    from,
                    prev_to,
                });
            }
        }
        Ok(())
    }

    /// Builds a schedule from `lambdas` (step boundaries, noisiest first; `len = steps + 1`),
    /// one order per step and a function naming the model of NFE `j` of step `i`.
    pub fn from_lambdas(
        solver: Solver,
        lambdas: &[f64],
        orders: &[u8],
        mut model: impl FnMut(usize, usize) -> String,
    ) -> Self {
        assert_eq!(lambdas.len(), orders.len() + 1, "one order per step");
        let steps = orders
            .iter()
            .enumerate()
            .map(|(i, &order)| Step {
                from: Lambda(lambdas[i]),
                to: Lambda(lambdas[i + 1]),
                order,
                models: (0..solver.nfe_per_step(order))
                    .map(|j| model(i, j))
                    .collect(),
            })
            .collect();
        Schedule::new(solver, steps)
    }

    /// Writes the schedule as pretty RON.
    pub fn to_ron(&self) -> String {
        let cfg = ron::ser::PrettyConfig::new().depth_limit(3);
        ron::ser::to_string_pretty(self, cfg).expect("a schedule always serialises")
    }

    /// Reads a schedule from RON (structure only; call [`Self::validate`] afterwards).
    pub fn from_ron(text: &str) -> Result<Self, ron::error::SpannedError> {
        ron::from_str(text)
    }
}
