//! The single-step DPM-Solver slot encoding: `K` slots of three entries (`L = 3K`).
//!
//! In a slot the non-zero entries come first; their count is the step's order and the
//! highest-index non-zero entry is the model of the step's first NFE. Only the sequence of
//! active slots matters: with `k` of them the `k + 1` step boundaries are uniform in lambda from
//! `t = T` to `t_0` (`1e-4` if NFE >= 15, else `1e-3`); the noisiest step sits in the
//! highest-index active slot (method.md section 2).

use serde::{Deserialize, Serialize};

use super::{model_id, model_name, same_level};
use crate::error::EncodingError;
use crate::grid::reference_t0;
use crate::level::Lambda;
use crate::noise::NoiseSchedule;
use crate::schedule::{Schedule, Solver, Step};

/// A slot array (`entries[0..3]` is the slot at the clean end).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SlotEncoding {
    /// Model ids (1-based) or 0, `3 K` of them.
    pub entries: Vec<u32>,
}

impl SlotEncoding {
    /// The slots, clean end first.
    pub fn slots(&self) -> impl Iterator<Item = [u32; 3]> + '_ {
        self.entries.chunks_exact(3).map(|c| [c[0], c[1], c[2]])
    }

    /// Checks length, model ids and the slot invariant.
    pub fn check(&self, n_models: usize) -> Result<(), EncodingError> {
        if self.entries.is_empty() || !self.entries.len().is_multiple_of(3) {
            let expected = "a positive multiple of 3 (K slots of three entries)".into();
            return Err(EncodingError::BadLength {
                len: self.entries.len(),
                expected,
            });
        }
        if let Some((index, &id)) = self
            .entries
            .iter()
            .enumerate()
            .find(|(_, id)| **id as usize > n_models)
        {
            return Err(EncodingError::ModelId {
                index,
                id,
                n_models,
            });
        }
        for (slot, entries) in self.slots().enumerate() {
            // Non-zero entries form a prefix: an entry may be set only if the one before is.
            let ok = (1..3).all(|p| entries[p] == 0 || entries[p - 1] != 0);
            if !ok {
                return Err(EncodingError::SlotInvariant { slot, entries });
            }
        }
        Ok(())
    }

    /// Number of model evaluations.
    pub fn nfe(&self) -> usize {
        self.entries.iter().filter(|&&e| e != 0).count()
    }

    /// The same schedule with its active slots moved to the clean end, in the same order.
    pub fn canonical(&self) -> SlotEncoding {
        let mut entries: Vec<u32> = self.slots().filter(|s| s[0] != 0).flatten().collect();
        entries.resize(self.entries.len(), 0);
        SlotEncoding { entries }
    }

    /// The reference's step boundaries for `active` steps and `nfe` evaluations, noisiest first.
    pub fn boundaries(noise: &NoiseSchedule, active: usize, nfe: usize) -> Vec<f64> {
        Self::boundaries_from(noise, noise.lambda(noise.t_range().1), active, nfe)
    }

    /// As [`Self::boundaries`], starting at `lambda_start` instead of `lambda(T)` (a mixed zoo
    /// starts where every member is trained: the largest of their noisiest levels).
    pub fn boundaries_from(
        noise: &NoiseSchedule,
        lambda_start: f64,
        active: usize,
        nfe: usize,
    ) -> Vec<f64> {
        let (lt, l0) = (lambda_start, noise.lambda(reference_t0(nfe)));
        (0..=active)
            .map(|i| lt + (l0 - lt) * i as f64 / active as f64)
            .collect()
    }

    /// Converts to a single-step schedule (`DpmSolver` or `DpmSolverPp`).
    pub fn to_schedule(
        &self,
        models: &[String],
        noise: &NoiseSchedule,
        solver: Solver,
    ) -> Result<Schedule, EncodingError> {
        let start = noise.lambda(noise.t_range().1);
        self.to_schedule_from(models, noise, solver, start)
    }

    /// As [`Self::to_schedule`] with the first step starting at `lambda_start`.
    pub fn to_schedule_from(
        &self,
        models: &[String],
        noise: &NoiseSchedule,
        solver: Solver,
        lambda_start: f64,
    ) -> Result<Schedule, EncodingError> {
        single_step_solver(solver)?;
        self.check(models.len())?;
        let active: Vec<(usize, [u32; 3])> = self
            .slots()
            .enumerate()
            .filter(|(_, s)| s[0] != 0)
            .collect();
        if active.is_empty() {
            return Err(EncodingError::Empty);
        }
        let bounds = Self::boundaries_from(noise, lambda_start, active.len(), self.nfe());
        let mut steps = Vec::with_capacity(active.len());
        for (j, (slot, entries)) in active.iter().rev().enumerate() {
            let order = entries.iter().filter(|&&e| e != 0).count();
            let names = (0..order)
                .map(|p| model_name(models, 3 * slot + order - 1 - p, entries[order - 1 - p]))
                .collect::<Result<Vec<_>, _>>()?;
            steps.push(Step {
                from: Lambda(bounds[j]),
                to: Lambda(bounds[j + 1]),
                order: order as u8,
                models: names,
            });
        }
        Ok(Schedule::new(solver, steps))
    }

    /// Writes a single-step schedule in canonical form with `k_slots` slots; its steps must sit on
    /// the reference's lambda-uniform boundaries.
    pub fn from_schedule(
        schedule: &Schedule,
        models: &[String],
        noise: &NoiseSchedule,
        k_slots: usize,
    ) -> Result<Self, EncodingError> {
        single_step_solver(schedule.solver)?;
        let not = |step, reason: String| EncodingError::NotRepresentable { step, reason };
        let k = schedule.steps.len();
        if k == 0 {
            return Err(EncodingError::Empty);
        }
        if k > k_slots {
            return Err(not(
                k_slots,
                format!("{k} steps do not fit in {k_slots} slots"),
            ));
        }
        let bounds = Self::boundaries(noise, k, schedule.nfe());
        let mut entries = vec![0u32; 3 * k_slots];
        for (j, step) in schedule.steps.iter().enumerate() {
            if !same_level(step.from.0, bounds[j]) || !same_level(step.to.0, bounds[j + 1]) {
                let reason = format!(
                    "it spans lambda {} -> {} but the reference places it at {} -> {}",
                    step.from,
                    step.to,
                    bounds[j],
                    bounds[j + 1]
                );
                return Err(not(j, reason));
            }
            let order = step.models.len();
            if order == 0 || order > 3 || order != step.order as usize {
                return Err(not(j, format!("order {} with {order} models", step.order)));
            }
            let slot = k - 1 - j;
            for (nfe, name) in step.models.iter().enumerate() {
                entries[3 * slot + order - 1 - nfe] = model_id(models, j, name)?;
            }
        }
        Ok(SlotEncoding { entries })
    }
}

fn single_step_solver(solver: Solver) -> Result<(), EncodingError> {
    match solver {
        Solver::DpmSolver | Solver::DpmSolverPp => Ok(()),
        other => Err(EncodingError::NotRepresentable {
            step: 0,
            reason: format!(
                "the slot encoding holds single-step DPM-Solver schedules, not {}",
                other.name()
            ),
        }),
    }
}
