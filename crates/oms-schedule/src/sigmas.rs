//! Sigma lists of k-diffusion and Align Your Steps (Sabour et al. 2024) to and from schedules.
//!
//! k-diffusion samples every model in the variance-exploding form `x / alpha`, whose noise level
//! is `sigma_kd = sigma / alpha = sqrt((1 - alpha_bar) / alpha_bar)` for a VP model (its
//! `DiscreteVDDPMDenoiser` / `DiscreteEpsDDPMDenoiser` wrappers; Karras et al. 2022, table 1).
//! This project's level is `lambda = log(alpha / sigma)` (docs/schedules.md), so
//! `lambda = -ln(sigma_kd)` and `sigma_kd = exp(-lambda)`; `sigma_kd = 0` is the clean end. The
//! relation holds for every VP noise schedule, so a sigma list names the same noise levels
//! whichever member runs them.

use thiserror::Error;

use crate::level::Lambda;
use crate::schedule::{Schedule, Solver, Step};

/// A sigma list that cannot be a schedule's step boundaries.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SigmaError {
    /// Fewer than two sigmas: no step.
    #[error("a sigma list needs at least two values (one step), got {0}")]
    TooShort(usize),
    /// NaN, infinite or negative.
    #[error("sigma {index} is {value}; sigmas must be finite and >= 0")]
    Invalid {
        /// Position in the list.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Not strictly decreasing.
    #[error(
        "sigma {index} ({value}) is not below sigma {} ({prev}); list sigmas from the noisiest down, without repeats",
        index - 1
    )]
    NotDecreasing {
        /// Position in the list.
        index: usize,
        /// The value before it.
        prev: f64,
        /// The value.
        value: f64,
    },
    /// The model list fits neither one model for all steps nor one per step.
    #[error("{models} models for {steps} steps; give one model for every step, or one per step")]
    Models {
        /// Models given.
        models: usize,
        /// Steps of the list.
        steps: usize,
    },
}

/// The level of a k-diffusion sigma: `-ln(sigma)`, the clean end at 0.
pub fn lambda_of_sigma(sigma: f64) -> Lambda {
    if sigma == 0.0 {
        Lambda::CLEAN
    } else {
        Lambda(-sigma.ln())
    }
}

/// The k-diffusion sigma of a level: `exp(-lambda)`, 0 at the clean end.
pub fn sigma_of_lambda(lambda: Lambda) -> f64 {
    if lambda.is_clean() {
        0.0
    } else {
        (-lambda.0).exp()
    }
}

/// Checks a sigma list (noisiest first, strictly decreasing, finite, >= 0) and returns its
/// levels.
pub fn lambdas_of_sigmas(sigmas: &[f64]) -> Result<Vec<Lambda>, SigmaError> {
    if sigmas.len() < 2 {
        return Err(SigmaError::TooShort(sigmas.len()));
    }
    for (index, &value) in sigmas.iter().enumerate() {
        if !value.is_finite() || value < 0.0 {
            return Err(SigmaError::Invalid { index, value });
        }
        if index > 0 && value >= sigmas[index - 1] {
            let prev = sigmas[index - 1];
            return Err(SigmaError::NotDecreasing { index, prev, value });
        }
    }
    Ok(sigmas.iter().map(|&s| lambda_of_sigma(s)).collect())
}

impl Schedule {
    /// A schedule whose step boundaries are `sigmas` (k-diffusion's, noisiest first; a final 0
    /// is the clean end), every step at `order` except a last step to the clean end, which is
    /// first order (the only order allowed there; k-diffusion's DPM-Solver samplers end the
    /// same way); a multistep solver's first steps take the orders their history allows
    /// (1, 2, ..., as k-diffusion's `dpmpp_2m` / `dpmpp_3m_sde` warm up). `models` names one model for every step or one per step; a step runs its
    /// model at each of its NFEs. Validate the result against a zoo before sampling.
    pub fn from_sigmas(
        solver: Solver,
        sigmas: &[f64],
        order: u8,
        models: &[String],
    ) -> Result<Schedule, SigmaError> {
        let levels = lambdas_of_sigmas(sigmas)?;
        let steps = levels.len() - 1;
        if models.len() != 1 && models.len() != steps {
            return Err(SigmaError::Models {
                models: models.len(),
                steps,
            });
        }
        let steps = levels
            .windows(2)
            .enumerate()
            .map(|(i, pair)| {
                let order = match (pair[1].is_clean(), solver.is_multistep()) {
                    (true, _) => 1,
                    (false, true) => order.min(i as u8 + 1),
                    (false, false) => order,
                };
                let model = &models[if models.len() == 1 { 0 } else { i }];
                Step {
                    from: pair[0],
                    to: pair[1],
                    order,
                    models: vec![model.clone(); solver.nfe_per_step(order)],
                }
            })
            .collect();
        Ok(Schedule::new(solver, steps))
    }

    /// The step boundaries as k-diffusion sigmas, noisiest first (0 for the clean end).
    pub fn sigmas(&self) -> Vec<f64> {
        let first = self.steps.first().map(|s| s.from);
        first
            .into_iter()
            .chain(self.steps.iter().map(|s| s.to))
            .map(sigma_of_lambda)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sigma_and_lambda_are_inverse_and_match_the_vp_sigma() {
        for sigma in [14.6146, 1.0, 0.0292] {
            let l = lambda_of_sigma(sigma);
            assert!((sigma_of_lambda(l) - sigma).abs() < 1e-12 * sigma);
            // VP: sigma_vp = sqrt(sigmoid(-2 lambda)), alpha = sqrt(sigmoid(2 lambda)).
            let (s, a) = (l.sigma(), crate::vp::sigma(-l.0));
            assert!((s / a - sigma).abs() < 1e-9 * sigma);
        }
        assert!(lambda_of_sigma(0.0).is_clean());
        assert_eq!(sigma_of_lambda(Lambda::CLEAN), 0.0);
    }

    #[test]
    fn k_diffusion_sigmas_of_ddpm_betas_are_the_levels_of_their_times() {
        // k-diffusion's DiscreteSchedule: sigma_t = sqrt((1 - alpha_bar_t) / alpha_bar_t).
        let noise = crate::NoiseSchedule::new(crate::NoiseSpec::ddpm_linear()).unwrap();
        for t in [0.001, 0.25, 0.5, 0.999] {
            let alpha_bar = (2.0 * noise.log_alpha(t)).exp();
            let sigma = ((1.0 - alpha_bar) / alpha_bar).sqrt();
            let l = lambda_of_sigma(sigma).0;
            assert!(
                (l - noise.lambda(t)).abs() < 1e-9,
                "t {t}: {l} vs {}",
                noise.lambda(t)
            );
            assert!((noise.t_of_lambda(l) - t).abs() < 1e-6);
        }
    }

    #[test]
    fn a_list_ending_at_zero_round_trips_with_a_first_order_last_step() {
        let sigmas = [14.6, 4.0, 1.0, 0.3, 0.0];
        let s = Schedule::from_sigmas(Solver::DpmSolver, &sigmas, 2, &names(&["a"])).unwrap();
        assert_eq!(s.steps.len(), 4);
        assert_eq!(s.steps[3].order, 1);
        assert_eq!(s.steps[2].models, names(&["a", "a"]));
        assert_eq!(s.nfe(), 7);
        s.validate_structure().unwrap();
        let back = s.sigmas();
        for (x, y) in back.iter().zip(sigmas) {
            assert!((x - y).abs() <= 1e-12 * y, "{x} vs {y}");
        }
    }

    #[test]
    fn one_model_per_step() {
        let s = Schedule::from_sigmas(
            Solver::DpmSolverPpMultistep,
            &[10.0, 1.0, 0.1],
            2,
            &names(&["big", "small"]),
        )
        .unwrap();
        assert_eq!(s.nfe_models().collect::<Vec<_>>(), ["big", "small"]);
        // The multistep warm-up: the first step has no history, so it is first order.
        assert_eq!(s.steps.iter().map(|s| s.order).collect::<Vec<_>>(), [1, 2]);
        s.validate_structure().unwrap();
    }

    #[test]
    fn bad_lists_say_what_is_wrong() {
        let m = names(&["a"]);
        let err = |sig: &[f64]| Schedule::from_sigmas(Solver::DpmSolver, sig, 1, &m).unwrap_err();
        assert_eq!(err(&[1.0]), SigmaError::TooShort(1));
        assert!(matches!(
            err(&[1.0, f64::NAN]),
            SigmaError::Invalid { index: 1, .. }
        ));
        assert!(matches!(
            err(&[1.0, -0.5]),
            SigmaError::Invalid { index: 1, .. }
        ));
        assert!(matches!(
            err(&[1.0, 2.0]),
            SigmaError::NotDecreasing { index: 1, .. }
        ));
        assert!(err(&[1.0, 1.0]).to_string().contains("noisiest down"));
        let two = names(&["a", "b"]);
        let e = Schedule::from_sigmas(Solver::DpmSolver, &[3.0, 2.0, 1.0, 0.0], 1, &two);
        assert_eq!(
            e.unwrap_err(),
            SigmaError::Models {
                models: 2,
                steps: 3
            }
        );
    }
}
