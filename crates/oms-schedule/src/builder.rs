//! Single-model schedules: the usual "model M, solver S, order k, N evaluations" run, written
//! as a schedule so that it runs through the same sampler as any model schedule.

use crate::error::ScheduleError;
use crate::grid::{TimeGrid, multistep_orders, reference_t0, singlestep_orders};
use crate::noise::NoiseSchedule;
use crate::schedule::{Schedule, Solver};

/// A single-model run.
#[derive(Debug, Clone)]
pub struct SingleModel<'a> {
    /// Solver.
    pub solver: Solver,
    /// Model name.
    pub model: &'a str,
    /// Number of network evaluations.
    pub nfe: usize,
    /// Solver order (1 for DDIM).
    pub order: u8,
    /// Step placement.
    pub grid: TimeGrid,
    /// The noise schedule the grid is laid out in (the reference uses linear VP).
    pub noise: &'a NoiseSchedule,
    /// Noisy end as a lambda (usually `noise.lambda(1)` or a model's noisiest level).
    pub lambda_start: f64,
    /// Clean end time; `None` = the reference's rule (`1e-4` if NFE >= 15, else `1e-3`).
    pub t_end: Option<f64>,
}

impl SingleModel<'_> {
    /// Builds the schedule; the NFE count is met exactly.
    pub fn build(&self) -> Result<Schedule, ScheduleError> {
        if self.nfe == 0 {
            return Err(ScheduleError::Empty);
        }
        let max = self.solver.max_order();
        if self.order == 0 || self.order > max {
            return Err(ScheduleError::OrderUnsupported {
                step: 0,
                order: self.order,
                solver: self.solver.name().into(),
                supported: (1..=max)
                    .map(|o| o.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let orders = if self.solver.is_multistep() {
            multistep_orders(self.nfe, self.order)
        } else {
            singlestep_orders(self.nfe, self.order)
        };
        let t_start = self.noise.t_of_lambda(self.lambda_start);
        let t_end = self.t_end.unwrap_or_else(|| reference_t0(self.nfe));
        let lambdas = self
            .grid
            .lambdas(self.noise, t_start, t_end, orders.len())
            .map_err(|e| ScheduleError::Solver(e.to_string()))?;
        let schedule = Schedule::from_lambdas(self.solver, &lambdas, &orders, |_, _| {
            self.model.to_string()
        });
        schedule.validate_structure()?;
        Ok(schedule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::NoiseSpec;

    #[test]
    fn nfe_is_met_for_every_solver() {
        let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
        for (solver, order) in [
            (Solver::Ddim { eta: 0.0 }, 1),
            (Solver::DpmSolver, 3),
            (Solver::DpmSolverPp, 2),
            (Solver::DpmSolverPpMultistep, 3),
        ] {
            for nfe in [1, 5, 10, 20] {
                let s = SingleModel {
                    solver,
                    model: "m",
                    nfe,
                    order,
                    grid: TimeGrid::UniformLambda,
                    noise: &noise,
                    lambda_start: noise.lambda(1.0),
                    t_end: None,
                }
                .build()
                .unwrap();
                assert_eq!(s.nfe(), nfe, "{} {order} {nfe}", solver.name());
            }
        }
    }
}
