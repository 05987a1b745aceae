//! Single-step DPM-Solver++ in data prediction (Lu et al. 2022b, arXiv 2211.01095): eq. (5) for
//! order 1, algorithm 1 (DPM-Solver++(2S), r1 = 1/2) and the third-order single-step update of
//! the authors' reference code (r1 = 1/3, r2 = 2/3). `h = lambda_t - lambda_s`;
//! `phi_1 = e^{-h} - 1`, `phi_2 = phi_1 / h + 1`.

use crate::dpm_solver::with_difference;
use crate::step::{Level, LinComb, Stage, StepPlan, Target, Term, x_only};

/// One step of order 1..=3 from `from` to `to` (`to = +inf` only for order 1).
pub fn plan(from: f64, to: f64, order: u8) -> StepPlan {
    let (s, t) = (Level::at(from), Level::at(to));
    let h = to - from;
    let mut stages = vec![Stage {
        lambda: from,
        input: x_only(),
    }];
    let first = first_order(&s, &t);
    let output = match order {
        1 => first,
        2 => {
            let r1 = 0.5;
            stages.push(inner(&s, r1, h, vec![]));
            // (1 - 1/(2 r1)) D_s + 1/(2 r1) D_s1 inside - alpha_t phi_1 (...)
            with_difference(first, 1, -t.alpha() * (-h).exp_m1() / (2.0 * r1))
        }
        _ => {
            let (r1, r2) = (1.0 / 3.0, 2.0 / 3.0);
            stages.push(inner(&s, r1, h, vec![]));
            let s2 = Level::at(from + r2 * h);
            let phi_22 = (-r2 * h).exp_m1() / (r2 * h) + 1.0;
            let d1 = r2 / r1 * s2.alpha() * phi_22;
            stages.push(inner(
                &s,
                r2,
                h,
                vec![(Term::Stage(0), -d1), (Term::Stage(1), d1)],
            ));
            let phi_2 = (-h).exp_m1() / h + 1.0;
            with_difference(first, 2, t.alpha() * phi_2 / r2)
        }
    };
    StepPlan {
        target: Target::X0,
        stages,
        output: LinComb(output),
    }
}

/// eq. (5): `x_t = (sigma_t / sigma_s) x_s - alpha_t (e^{-h} - 1) D_s`; exact at the clean end.
pub(crate) fn first_order(s: &Level, t: &Level) -> Vec<(Term, f64)> {
    vec![
        (Term::X, t.sigma_ratio(s)),
        (Term::Stage(0), -t.alpha() * (s.lambda - t.lambda).exp_m1()),
    ]
}

fn inner(s: &Level, r: f64, h: f64, extra: Vec<(Term, f64)>) -> Stage {
    let u = Level::at(s.lambda + r * h);
    let mut terms = first_order(s, &u);
    terms.extend(extra);
    Stage {
        lambda: u.lambda,
        input: LinComb(terms),
    }
}
