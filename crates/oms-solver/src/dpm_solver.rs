//! Single-step DPM-Solver-1/2/3 in noise prediction (Lu et al. 2022a, arXiv 2206.00927):
//! eq. (3.7) for order 1, algorithm 1 (DPM-Solver-2, r1 = 1/2) and algorithm 2 (DPM-Solver-3,
//! r1 = 1/3, r2 = 2/3). `h = lambda_t - lambda_s`; `phi_1 = e^h - 1`,
//! `phi_2 = phi_1 / h - 1`.

use crate::step::{Level, LinComb, Stage, StepPlan, Target, Term, x_only};

/// One step of order 1..=3 from `from` to `to`.
pub fn plan(from: f64, to: f64, order: u8) -> StepPlan {
    let (s, t) = (Level::at(from), Level::at(to));
    let h = to - from;
    let mut stages = vec![Stage {
        lambda: from,
        input: x_only(),
    }];
    let first = vec![
        (Term::X, t.alpha_ratio(&s)),
        (Term::Stage(0), -first_order_eps(&s, &t)),
    ];
    let output = match order {
        1 => first,
        2 => {
            let r1 = 0.5;
            stages.push(inner(&s, r1, h, vec![]));
            // eq. (3.8): - sigma_t / (2 r1) (e^h - 1) (eps_s1 - eps_s)
            let c = -t.sigma() / (2.0 * r1) * h.exp_m1();
            with_difference(first, 1, c)
        }
        _ => {
            let (r1, r2) = (1.0 / 3.0, 2.0 / 3.0);
            stages.push(inner(&s, r1, h, vec![]));
            let s2 = Level::at(from + r2 * h);
            let phi_22 = (r2 * h).exp_m1() / (r2 * h) - 1.0;
            let d1 = -s2.sigma() * r2 / r1 * phi_22;
            stages.push(inner(
                &s,
                r2,
                h,
                vec![(Term::Stage(0), -d1), (Term::Stage(1), d1)],
            ));
            // algorithm 2: - sigma_t / r2 ((e^h - 1) / h - 1) (eps_s2 - eps_s)
            let c = -t.sigma() / r2 * (h.exp_m1() / h - 1.0);
            with_difference(first, 2, c)
        }
    };
    StepPlan {
        target: Target::Eps,
        stages,
        output: LinComb(output),
    }
}

/// `sigma_t (e^h - 1)`, written as `alpha_t sigma_s / alpha_s - sigma_t` at the clean end.
fn first_order_eps(s: &Level, t: &Level) -> f64 {
    if t.lambda.is_finite() {
        t.sigma() * (t.lambda - s.lambda).exp_m1()
    } else {
        t.alpha() * s.sigma() / s.alpha()
    }
}

/// The first-order update to `s + r h` plus `extra` terms: the input of an inner stage.
fn inner(s: &Level, r: f64, h: f64, extra: Vec<(Term, f64)>) -> Stage {
    let u = Level::at(s.lambda + r * h);
    let mut terms = vec![
        (Term::X, u.alpha_ratio(s)),
        (Term::Stage(0), -u.sigma() * (r * h).exp_m1()),
    ];
    terms.extend(extra);
    Stage {
        lambda: u.lambda,
        input: LinComb(terms),
    }
}

/// Adds `c (D_k - D_0)` to a combination whose second term is `D_0`.
pub(crate) fn with_difference(mut terms: Vec<(Term, f64)>, k: usize, c: f64) -> Vec<(Term, f64)> {
    terms[1].1 -= c;
    terms.push((Term::Stage(k), c));
    terms
}
