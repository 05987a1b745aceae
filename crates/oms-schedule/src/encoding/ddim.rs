//! The DDIM grid encoding: a length-`L` array over the discrete times `t_i = i * floor(N / L)`.
//!
//! A non-zero entry takes a DDIM step from `t_i` with that model to the next active (smaller)
//! grid time; zeros are skipped without re-spacing the grid; the last active entry jumps to the
//! clean end (alpha = 1), as in ermongroup/ddim's `generalized_steps`.

use serde::{Deserialize, Serialize};

use super::{model_id, model_name, same_level};
use crate::error::EncodingError;
use crate::level::Lambda;
use crate::noise::NoiseSchedule;
use crate::schedule::{Schedule, Solver, Step};

/// A DDIM grid array (`entries[0]` at the clean end).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DdimGrid {
    /// Model ids (1-based) or 0 per grid position.
    pub entries: Vec<u32>,
}

impl DdimGrid {
    /// The discrete time index of every grid position for a schedule of `n` discrete steps.
    pub fn grid_indices(len: usize, n: usize) -> Result<Vec<usize>, EncodingError> {
        if len == 0 || n / len == 0 {
            return Err(EncodingError::BadLength {
                len,
                expected: format!("between 1 and {n} (the noise schedule's step count)"),
            });
        }
        Ok((0..len).map(|i| i * (n / len)).collect())
    }

    fn lambdas(len: usize, noise: &NoiseSchedule) -> Result<Vec<f64>, EncodingError> {
        let n = noise.discrete_steps().ok_or_else(|| {
            EncodingError::NoiseSchedule(
                "the DDIM grid encoding needs a discrete noise schedule (e.g. DdpmLinear)".into(),
            )
        })?;
        let idx = Self::grid_indices(len, n)?;
        Ok(idx
            .iter()
            .map(|&i| noise.lambda((i + 1) as f64 / n as f64))
            .collect())
    }

    /// Converts to a DDIM schedule with the given `eta`.
    pub fn to_schedule(
        &self,
        models: &[String],
        noise: &NoiseSchedule,
        eta: f64,
    ) -> Result<Schedule, EncodingError> {
        let lambdas = Self::lambdas(self.entries.len(), noise)?;
        let active: Vec<usize> = (0..self.entries.len())
            .rev()
            .filter(|&i| self.entries[i] != 0)
            .collect();
        if active.is_empty() {
            return Err(EncodingError::Empty);
        }
        let mut steps = Vec::with_capacity(active.len());
        for (j, &i) in active.iter().enumerate() {
            let to = active
                .get(j + 1)
                .map_or(Lambda::CLEAN, |&next| Lambda(lambdas[next]));
            let model = model_name(models, i, self.entries[i])?;
            steps.push(Step {
                from: Lambda(lambdas[i]),
                to,
                order: 1,
                models: vec![model],
            });
        }
        Ok(Schedule::new(Solver::Ddim { eta }, steps))
    }

    /// Writes a DDIM schedule whose steps start on the grid and end at the clean end.
    pub fn from_schedule(
        schedule: &Schedule,
        models: &[String],
        noise: &NoiseSchedule,
        len: usize,
    ) -> Result<Self, EncodingError> {
        let lambdas = Self::lambdas(len, noise)?;
        let not = |step, reason: &str| EncodingError::NotRepresentable {
            step,
            reason: reason.into(),
        };
        if !matches!(schedule.solver, Solver::Ddim { .. }) {
            return Err(not(0, "the DDIM grid encoding holds DDIM schedules only"));
        }
        if schedule.steps.is_empty() {
            return Err(EncodingError::Empty);
        }
        let mut entries = vec![0u32; len];
        let last = schedule.steps.len() - 1;
        for (s, step) in schedule.steps.iter().enumerate() {
            if step.models.len() != 1 {
                return Err(not(s, "DDIM steps take exactly one model"));
            }
            let Some(i) = lambdas.iter().position(|&l| same_level(l, step.from.0)) else {
                return Err(not(
                    s,
                    &format!("lambda {} is not a grid time for L = {len}", step.from),
                ));
            };
            let end_ok = if s == last {
                step.to.is_clean()
            } else {
                step.to == schedule.steps[s + 1].from
            };
            if !end_ok {
                return Err(not(
                    s,
                    "steps must chain and the last one must end at the clean end",
                ));
            }
            entries[i] = model_id(models, s, &step.models[0])?;
        }
        Ok(DdimGrid { entries })
    }
}
