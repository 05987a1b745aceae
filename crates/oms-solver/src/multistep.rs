//! Multistep DPM-Solver++ in data prediction (Lu et al. 2022b, arXiv 2211.01095): algorithm 2
//! for 2M and the third-order multistep exponential integrator (3M) of the same paper. Each step
//! makes one NFE at its start and reuses the outputs of earlier steps:
//! `x_t = (sigma_t / sigma_s) x - alpha_t phi_1 D_0 + alpha_t phi_2 D1 - 2 alpha_t phi_3 D2`,
//! `phi_1 = e^{-h} - 1`, `phi_2 = phi_1 / h + 1`, `phi_3 = phi_2 / h - 1/2`, where
//! `D1 ~ h x0'` and `D2 ~ h^2 x0'' / 2` are the divided differences of the authors' code.
//!
//! The factor 2 on `phi_3 D2`: the Taylor term of the exact solution is
//! `alpha_t x0'' int_0^h e^{u-h} u^2/2 du = -alpha_t phi_3 (h^2 x0'') = -2 alpha_t phi_3 D2`.
//! The authors' reference code (and diffusers) write `-alpha_t phi_3 D2`, which halves the
//! second-order correction and leaves "3M" a second-order method: measured slope 2.2 instead
//! of 3 on the scalar Gaussian test (docs/solvers.md).

use crate::dpm_solver_pp::first_order;
use crate::step::{Level, LinComb, Stage, StepPlan, Target, Term, x_only};

/// One step from `from` to `to` using `history` (lambdas of earlier outputs, most recent first;
/// its length is the order minus one).
pub fn plan(from: f64, to: f64, history: &[f64]) -> StepPlan {
    let (s, t) = (Level::at(from), Level::at(to));
    let h = to - from;
    let mut out = first_order(&s, &t);
    // Coefficients of [D_s, D_p1, D_p2] for the difference terms.
    let phi_1 = (-h).exp_m1();
    let phi_2 = phi_1 / h + 1.0;
    let mut d = [0.0f64; 3];
    match history {
        [] => {}
        [p1] => {
            // 2M: D1 = (D_s - D_p1) / r0; x_t += -alpha_t phi_1 / 2 * D1
            let r0 = (from - p1) / h;
            let c = -0.5 * t.alpha() * phi_1 / r0;
            d = [c, -c, 0.0];
        }
        [p1, p2, ..] => {
            let (r0, r1) = ((from - p1) / h, (p1 - p2) / h);
            let d1_0 = [1.0 / r0, -1.0 / r0, 0.0];
            let d1_1 = [0.0, 1.0 / r1, -1.0 / r1];
            let phi_3 = phi_2 / h - 0.5;
            for k in 0..3 {
                let diff = d1_0[k] - d1_1[k];
                let d1 = d1_0[k] + r0 / (r0 + r1) * diff;
                let d2 = diff / (r0 + r1);
                d[k] = t.alpha() * (phi_2 * d1 - 2.0 * phi_3 * d2);
            }
        }
    }
    out[1].1 += d[0];
    for (i, &c) in d[1..=history.len().min(2)].iter().enumerate() {
        out.push((Term::History(i), c));
    }
    StepPlan {
        target: Target::X0,
        stages: vec![Stage {
            lambda: from,
            input: x_only(),
        }],
        output: LinComb(out),
    }
}
