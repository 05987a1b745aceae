//! Planning one solver step: the dispatch from a [`Solver`] and order to the solver file that
//! computes its coefficients. The data types live in [`crate::step`], which the solver files
//! import, so no solver file imports this module back.

use oms_schedule::{ScheduleError, Solver};

pub use crate::step::{HistoryPolicy, LinComb, Stage, StepPlan, Target, Term};
use crate::{ddim, dpm_solver, dpm_solver_pp, multistep};

/// Plans step `step` of `solver` from `from` to `to` at `order`; `history` holds the lambdas of
/// the usable earlier outputs, most recent first (multistep only).
pub fn plan_step(
    solver: Solver,
    step: usize,
    from: f64,
    to: f64,
    order: u8,
    history: &[f64],
) -> Result<StepPlan, ScheduleError> {
    if order == 0 || order > solver.max_order() {
        let supported = (1..=solver.max_order())
            .map(|o| o.to_string())
            .collect::<Vec<_>>();
        return Err(ScheduleError::OrderUnsupported {
            step,
            order,
            solver: solver.name().into(),
            supported: supported.join(", "),
        });
    }
    if order > 1 && to == f64::INFINITY {
        return Err(ScheduleError::CleanEndHighOrder { step, order });
    }
    Ok(match solver {
        Solver::Ddim { eta } => ddim::plan(from, to, eta),
        Solver::DpmSolver => dpm_solver::plan(from, to, order),
        Solver::DpmSolverPp => dpm_solver_pp::plan(from, to, order),
        Solver::DpmSolverPpMultistep => {
            let needed = order as usize - 1;
            if history.len() < needed {
                return Err(ScheduleError::MultistepHistory {
                    step,
                    order,
                    available: history.len(),
                });
            }
            multistep::plan(from, to, &history[..needed])
        }
    })
}
