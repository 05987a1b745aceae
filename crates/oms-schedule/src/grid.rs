//! Time grids: where the step boundaries of a single-model schedule sit.
//!
//! DPM-Solver (Lu et al. 2022a, section 3.3) offers uniform t, uniform lambda ("logSNR") and
//! quadratic t ("time_quadratic"); an explicit list of times is the escape hatch.

use serde::{Deserialize, Serialize};

use crate::error::NoiseError;
use crate::noise::NoiseSchedule;

/// How step boundaries are placed between `t_start` (noisy) and `t_end` (clean).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TimeGrid {
    /// Uniform in t.
    UniformT,
    /// Uniform in lambda (the reference's placement).
    UniformLambda,
    /// Uniform in sqrt(t), i.e. quadratic in t (DDIM's and DPM-Solver's "time_quadratic").
    Quadratic,
    /// Explicit times, noisiest first; `steps + 1` of them.
    Explicit(Vec<f64>),
}

impl std::str::FromStr for TimeGrid {
    type Err = String;

    /// `lambda`, `t` or `quadratic` (explicit grids come from schedule files).
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "lambda" => Ok(TimeGrid::UniformLambda),
            "t" => Ok(TimeGrid::UniformT),
            "quadratic" => Ok(TimeGrid::Quadratic),
            other => Err(format!(
                "unknown grid '{other}': use lambda, t or quadratic"
            )),
        }
    }
}

impl TimeGrid {
    /// The `steps + 1` boundaries in lambda, noisiest first.
    pub fn lambdas(
        &self,
        noise: &NoiseSchedule,
        t_start: f64,
        t_end: f64,
        steps: usize,
    ) -> Result<Vec<f64>, NoiseError> {
        if steps == 0 {
            return Err(NoiseError::Invalid(
                "a time grid needs at least one step".into(),
            ));
        }
        if !(t_start > t_end && t_end >= 0.0) {
            return Err(NoiseError::Invalid(format!(
                "a time grid must run from a larger to a smaller time, got {t_start} -> {t_end}"
            )));
        }
        let frac = |i: usize| i as f64 / steps as f64;
        let lambdas = match self {
            TimeGrid::UniformT => (0..=steps)
                .map(|i| noise.lambda(t_start + (t_end - t_start) * frac(i)))
                .collect(),
            TimeGrid::UniformLambda => {
                let (a, b) = (noise.lambda(t_start), noise.lambda(t_end));
                (0..=steps).map(|i| a + (b - a) * frac(i)).collect()
            }
            TimeGrid::Quadratic => {
                let (a, b) = (t_start.sqrt(), t_end.sqrt());
                (0..=steps)
                    .map(|i| noise.lambda((a + (b - a) * frac(i)).powi(2)))
                    .collect()
            }
            TimeGrid::Explicit(ts) => {
                if ts.len() != steps + 1 {
                    return Err(NoiseError::Invalid(format!(
                        "explicit grid has {} times but {steps} steps need {}",
                        ts.len(),
                        steps + 1
                    )));
                }
                ts.iter().map(|&t| noise.lambda(t)).collect()
            }
        };
        Ok(lambdas)
    }
}

/// The reference's end time: `t_0 = 1e-4` when NFE >= 15, else `1e-3` (method.md section 2).
pub fn reference_t0(nfe: usize) -> f64 {
    if nfe >= 15 { 1e-4 } else { 1e-3 }
}

/// Step orders of a single-step DPM-Solver run with `nfe` evaluations at `order`, as in
/// DPM-Solver's "fast" schedule (Lu et al. 2022a, section 3.4): mostly `order`, lower at the end.
pub fn singlestep_orders(nfe: usize, order: u8) -> Vec<u8> {
    let n = nfe;
    match order {
        3 => {
            let k = n / 3 + 1;
            match n % 3 {
                0 => [vec![3; k - 2], vec![2, 1]].concat(),
                1 => [vec![3; k - 1], vec![1]].concat(),
                _ => [vec![3; k - 1], vec![2]].concat(),
            }
        }
        2 if n.is_multiple_of(2) => vec![2; n / 2],
        2 => [vec![2; n / 2], vec![1]].concat(),
        _ => vec![1; n],
    }
}

/// Step orders of a multistep run: `min(order, i + 1)` at step `i` (warm-up from history).
pub fn multistep_orders(nfe: usize, order: u8) -> Vec<u8> {
    (0..nfe)
        .map(|i| (i + 1).min(order as usize) as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::NoiseSpec;

    #[test]
    fn orders_sum_to_nfe() {
        for nfe in 3..40 {
            for order in 1..=3u8 {
                let o = singlestep_orders(nfe, order);
                assert_eq!(
                    o.iter().map(|&x| x as usize).sum::<usize>(),
                    nfe,
                    "{nfe} {order}"
                );
                assert!(o.iter().all(|&x| (1..=order).contains(&x)));
            }
        }
        assert_eq!(singlestep_orders(6, 3), vec![3, 2, 1]);
        assert_eq!(singlestep_orders(7, 3), vec![3, 3, 1]);
    }

    #[test]
    fn grids_are_monotone_and_hit_the_ends() {
        let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
        for grid in [
            TimeGrid::UniformT,
            TimeGrid::UniformLambda,
            TimeGrid::Quadratic,
        ] {
            let l = grid.lambdas(&noise, 1.0, 1e-3, 10).unwrap();
            assert_eq!(l.len(), 11);
            assert!(l.windows(2).all(|w| w[1] > w[0]), "{grid:?}");
            assert!((l[0] - noise.lambda(1.0)).abs() < 1e-12);
            assert!((l[10] - noise.lambda(1e-3)).abs() < 1e-9);
        }
        assert!(
            TimeGrid::Explicit(vec![1.0, 0.5])
                .lambdas(&noise, 1.0, 0.001, 3)
                .is_err()
        );
    }
}
