//! The cost model the search trusts: per-NFE latency of each model plus an optional switch cost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ScheduleError;
use crate::schedule::Schedule;

/// Measured latencies, in milliseconds, at one batch size on one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyTable {
    /// Batch size the numbers hold for.
    pub batch: usize,
    /// Milliseconds per NFE (one forward of the batch) for each model.
    pub per_nfe_ms: BTreeMap<String, f64>,
    /// Extra milliseconds whenever consecutive NFEs use different models.
    #[serde(default)]
    pub switch_ms: f64,
    /// The sampler's own milliseconds per NFE (linear combinations, checks).
    #[serde(default)]
    pub sampler_ms_per_nfe: f64,
}

impl LatencyTable {
    /// Predicted wall time of one batch through `schedule`.
    pub fn cost(&self, schedule: &Schedule) -> Result<f64, ScheduleError> {
        let mut total = 0.0;
        let mut prev: Option<&str> = None;
        for (step, s) in schedule.steps.iter().enumerate() {
            for model in &s.models {
                let Some(ms) = self.per_nfe_ms.get(model) else {
                    let known = self
                        .per_nfe_ms
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(ScheduleError::UnknownModel {
                        step,
                        model: model.clone(),
                        known,
                    });
                };
                total += ms + self.sampler_ms_per_nfe;
                if prev.is_some_and(|p| p != model) {
                    total += self.switch_ms;
                }
                prev = Some(model);
            }
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lambda;
    use crate::schedule::{Solver, Step};

    #[test]
    fn cost_sums_models_and_switches() {
        let table = LatencyTable {
            batch: 8,
            per_nfe_ms: [("a".to_string(), 1.0), ("b".to_string(), 10.0)].into(),
            switch_ms: 0.5,
            sampler_ms_per_nfe: 0.0,
        };
        let step = |from: f64, to: f64, models: &[&str]| Step {
            from: Lambda(from),
            to: Lambda(to),
            order: models.len() as u8,
            models: models.iter().map(|m| m.to_string()).collect(),
        };
        let s = Schedule::new(
            Solver::DpmSolver,
            vec![
                step(-5.0, -2.0, &["a"]),
                step(-2.0, 0.0, &["a", "b"]),
                step(0.0, 3.0, &["a"]),
            ],
        );
        assert_eq!(s.nfe_models().collect::<Vec<_>>(), ["a", "a", "b", "a"]);
        assert_eq!(table.cost(&s).unwrap(), 1.0 + 1.0 + 10.0 + 1.0 + 2.0 * 0.5);
        let unknown =
            Schedule::from_lambdas(Solver::DpmSolver, &[-5.0, 3.0], &[1], |_, _| "c".into());
        assert!(matches!(
            table.cost(&unknown),
            Err(ScheduleError::UnknownModel { .. })
        ));
    }
}
