//! Solver math for oms: the scalar coefficients of one update of DDIM, DPM-Solver-1/2/3,
//! DPM-Solver++ single-step and multistep (2M/3M), and the conversions between eps, x0 and v
//! prediction, all in f64 from the shared lambda. This crate never sees a tensor: it produces a
//! [`StepPlan`] and the sampler applies it.

mod ddim;
mod dpm_solver;
mod dpm_solver_pp;
mod multistep;
pub mod plan;
pub mod prediction;
pub mod step;

pub use plan::{HistoryPolicy, LinComb, Stage, StepPlan, Target, Term, plan_step};
pub use prediction::{ModelCall, ModelConvention, Prediction, TimeInput, convert};
