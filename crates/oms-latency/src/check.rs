//! `--check`: random model schedules run end to end against the table's prediction.

use burn::tensor::{Device, Tensor};
use oms_sampler::{Sampler, SamplerOptions, Zoo};
use oms_schedule::{LatencyTable, Schedule, Solver};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::profile::{LatencyError, base_schedule, schedule_timing};
use crate::timing::{Budget, median};

/// One checked schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRow {
    /// The schedule that ran.
    pub schedule: Schedule,
    /// Solver, order and NFE in words.
    pub label: String,
    /// What the table predicts, milliseconds.
    pub predicted_ms: f64,
    /// Median measured wall time, milliseconds.
    pub measured_ms: f64,
}

impl CheckRow {
    /// `(predicted - measured) / measured`.
    pub fn rel_error(&self) -> f64 {
        (self.predicted_ms - self.measured_ms) / self.measured_ms
    }
}

/// `count` random schedules over the members of `zoo`: a random solver and order, 3 to 12
/// NFEs, and a uniformly random member at every NFE. The same seed gives the same schedules.
pub fn random_schedules(
    zoo: &Zoo,
    count: usize,
    seed: u64,
) -> Result<Vec<(String, Schedule)>, LatencyError> {
    let names = zoo.names();
    if names.is_empty() {
        return Err(LatencyError::EmptyZoo);
    }
    let solvers = [
        (Solver::Ddim { eta: 0.0 }, 1),
        (Solver::DpmSolver, 2),
        (Solver::DpmSolver, 3),
        (Solver::DpmSolverPp, 2),
        (Solver::DpmSolverPpMultistep, 2),
        (Solver::DpmSolverPpMultistep, 3),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let (solver, order) = solvers[rng.random_range(0..solvers.len())];
        let nfe = rng.random_range(3..=12);
        let mut schedule = base_schedule(zoo, solver, order, nfe)?;
        for step in &mut schedule.steps {
            for m in &mut step.models {
                *m = names[rng.random_range(0..names.len())].clone();
            }
        }
        out.push((format!("{}-{order}, {nfe} NFE", solver.name()), schedule));
    }
    Ok(out)
}

/// Runs every schedule on one batch of `table.batch` images (median of `budget`'s runs) and
/// pairs the measured time with the table's prediction.
pub fn check_schedules(
    zoo: &Zoo,
    table: &LatencyTable,
    schedules: &[(String, Schedule)],
    shape: [usize; 3],
    device: &Device,
    budget: &Budget,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<CheckRow>, LatencyError> {
    let sampler = Sampler::new(zoo, SamplerOptions::default());
    let x = Tensor::<4>::zeros([table.batch, shape[0], shape[1], shape[2]], device);
    let mut rows = vec![];
    for (i, (label, schedule)) in schedules.iter().enumerate() {
        progress(i);
        let timing = schedule_timing(&sampler, schedule, &x, device, budget)?;
        rows.push(CheckRow {
            schedule: schedule.clone(),
            label: label.clone(),
            predicted_ms: table.cost(schedule)?,
            measured_ms: timing.median_ms(),
        });
    }
    Ok(rows)
}

/// Median of `|rel_error|` over the rows.
pub fn median_abs_rel_error(rows: &[CheckRow]) -> f64 {
    median(&rows.iter().map(|r| r.rel_error().abs()).collect::<Vec<_>>())
}
