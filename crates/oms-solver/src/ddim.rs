//! DDIM (Song, Meng and Ermon 2021, arXiv 2010.02502, eq. 12) in noise prediction:
//! `x_t = alpha_t x0 + sqrt(sigma_t^2 - s^2) eps + s z`, `x0 = (x_s - sigma_s eps) / alpha_s`,
//! with `s = eta * (sigma_t / sigma_s) * sqrt(1 - alpha_s^2 / alpha_t^2)` (eq. 16).
//! With `eta = 0` it equals DPM-Solver-1 (Lu et al. 2022a, section 4.1).

use crate::step::{Level, LinComb, Stage, StepPlan, Target, Term, x_only};

/// One DDIM step from `from` to `to` (`to` may be the clean end, `+inf`).
pub fn plan(from: f64, to: f64, eta: f64) -> StepPlan {
    let (s, t) = (Level::at(from), Level::at(to));
    let noise = eta
        * t.sigma_ratio(&s)
        * (1.0 - (2.0 * (s.log_alpha - t.log_alpha)).exp())
            .max(0.0)
            .sqrt();
    let sigma_t = t.sigma();
    let c_eps =
        (sigma_t * sigma_t - noise * noise).max(0.0).sqrt() - t.alpha() * s.sigma() / s.alpha();
    let mut output = vec![(Term::X, t.alpha_ratio(&s)), (Term::Stage(0), c_eps)];
    if noise > 0.0 {
        output.push((Term::Noise, noise));
    }
    StepPlan {
        target: Target::Eps,
        stages: vec![Stage {
            lambda: from,
            input: x_only(),
        }],
        output: LinComb(output),
    }
}
