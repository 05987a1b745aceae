//! The solver plans on scalar data, without tensors: a 1-D Gaussian whose probability-flow ODE
//! has a closed-form solution. Checks convergence orders, DDIM = DPM-Solver-1, and the
//! multistep history policy.

use oms_schedule::{Solver, vp};
use oms_solver::{HistoryPolicy, LinComb, StepPlan, Target, Term, plan_step};

const M: f64 = 0.8;
const S: f64 = 0.4;

fn x0_exact(x: f64, lambda: f64) -> f64 {
    let (a, s) = (vp::alpha(lambda), vp::sigma(lambda));
    M + a * S * S / (a * a * S * S + s * s) * (x - a * M)
}

fn output(target: Target, x: f64, lambda: f64) -> f64 {
    let x0 = x0_exact(x, lambda);
    match target {
        Target::X0 => x0,
        Target::Eps => (x - vp::alpha(lambda) * x0) / vp::sigma(lambda),
    }
}

fn eval(c: &LinComb, x: f64, stages: &[f64], hist: &[f64]) -> f64 {
    c.0.iter()
        .map(|&(t, k)| {
            k * match t {
                Term::X => x,
                Term::Stage(i) => stages[i],
                Term::History(i) => hist[i],
                Term::Noise => 0.0,
            }
        })
        .sum()
}

fn apply(plan: &StepPlan, x: f64, hist: &[f64]) -> (f64, f64) {
    let mut stages = vec![];
    for st in &plan.stages {
        let u = eval(&st.input, x, &stages, hist);
        stages.push(output(plan.target, u, st.lambda));
    }
    (eval(&plan.output, x, &stages, hist), stages[0])
}

fn flow(x: f64, from: f64, to: f64) -> f64 {
    let var = |l: f64| vp::alpha(l).powi(2) * S * S + vp::sigma(l).powi(2);
    vp::alpha(to) * M + var(to).sqrt() * (x - vp::alpha(from) * M) / var(from).sqrt()
}

fn solve(solver: Solver, order: u8, steps: usize, x: f64, a: f64, b: f64) -> f64 {
    let h = (b - a) / steps as f64;
    let mut lambdas: Vec<f64> = (0..=steps).map(|i| a + h * i as f64).collect();
    if solver.is_multistep() && order == 3 {
        lambdas[1] = a + h * h; // short first-order warm-up step, see the sampler's docs
        let rest = (b - lambdas[1]) / (steps - 1) as f64;
        for (i, l) in lambdas.iter_mut().enumerate().skip(2) {
            *l = a + h * h + rest * (i - 1) as f64;
        }
    }
    let (mut x, mut hist, mut hl) = (x, vec![], vec![]);
    for i in 0..steps {
        let o = if solver.is_multistep() {
            (i + 1).min(order as usize) as u8
        } else {
            order
        };
        let used: &[f64] = if solver.is_multistep() {
            &hl[..o as usize - 1]
        } else {
            &[]
        };
        let plan = plan_step(solver, i, lambdas[i], lambdas[i + 1], o, used).unwrap();
        let (next, d) = apply(&plan, x, &hist);
        x = next;
        hist.insert(0, d);
        hl.insert(0, lambdas[i]);
    }
    x
}

#[test]
fn every_solver_converges_at_its_order() {
    // From pure noise to lambda = 1. Integrating on to lambda ~ 4.5 makes 3M super-converge
    // (order ~4) over this range of step counts: its leading error term integrates the third
    // derivative of x0 along the trajectory, and the second vanishes at both ends
    // (docs/solvers.md).
    let (a, b) = (-5.0, 1.0);
    let x_t = 1.3;
    let exact = flow(x_t, a, b);
    let steps = [20usize, 40, 80, 160];
    let mut cases = vec![(Solver::Ddim { eta: 0.0 }, 1u8)];
    for s in [
        Solver::DpmSolver,
        Solver::DpmSolverPp,
        Solver::DpmSolverPpMultistep,
    ] {
        cases.extend((1..=3).map(|o| (s, o)));
    }
    for (solver, order) in cases {
        let errs: Vec<f64> = steps
            .iter()
            .map(|&n| (solve(solver, order, n, x_t, a, b) - exact).abs())
            .collect();
        let p = (errs[0] / errs[3]).ln() / 8f64.ln();
        println!(
            "{} order {order}: slope {p:.3}, errors {errs:?}",
            solver.name()
        );
        assert!(
            (p - order as f64).abs() < 0.3,
            "{} order {order}: slope {p:.3}",
            solver.name()
        );
    }
}

#[test]
fn ddim_eta_zero_is_dpm_solver_1() {
    for &(s, t) in &[(-5.0, -3.0), (-1.0, 0.5), (2.0, 6.0), (3.0, f64::INFINITY)] {
        let ddim = plan_step(Solver::Ddim { eta: 0.0 }, 0, s, t, 1, &[]).unwrap();
        let dpm = plan_step(Solver::DpmSolver, 0, s, t, 1, &[]).unwrap();
        for ((ta, ca), (tb, cb)) in ddim.output.0.iter().zip(&dpm.output.0) {
            assert_eq!(ta, tb);
            assert!(
                (ca - cb).abs() < 1e-12 * (1.0 + ca.abs()),
                "{s} -> {t}: {ca} vs {cb}"
            );
        }
    }
}

#[test]
fn clean_end_first_order_steps_return_the_denoised_sample() {
    let x = 0.9;
    let l = 1.5;
    for solver in [
        Solver::Ddim { eta: 0.0 },
        Solver::DpmSolver,
        Solver::DpmSolverPp,
    ] {
        let plan = plan_step(solver, 0, l, f64::INFINITY, 1, &[]).unwrap();
        let (out, _) = apply(&plan, x, &[]);
        assert!((out - x0_exact(x, l)).abs() < 1e-12, "{}", solver.name());
    }
}

#[test]
fn ddim_eta_adds_the_ddpm_posterior_noise() {
    let plan = plan_step(Solver::Ddim { eta: 1.0 }, 0, -1.0, 0.5, 1, &[]).unwrap();
    let noise = plan
        .output
        .0
        .iter()
        .find(|(t, _)| *t == Term::Noise)
        .unwrap()
        .1;
    // eta = 1: s^2 = (sigma_t^2 / sigma_s^2) (1 - alpha_s^2 / alpha_t^2)
    let (as_, ss, at, st) = (
        vp::alpha(-1.0),
        vp::sigma(-1.0),
        vp::alpha(0.5),
        vp::sigma(0.5),
    );
    let want = (st * st / (ss * ss) * (1.0 - as_ * as_ / (at * at))).sqrt();
    assert!((noise - want).abs() < 1e-12);
}

#[test]
fn history_policy() {
    let hist = ["big", "big", "small"];
    assert_eq!(HistoryPolicy::Keep.usable(&hist, "small"), 3);
    assert_eq!(HistoryPolicy::Restart.usable(&hist, "big"), 2);
    assert_eq!(HistoryPolicy::Restart.usable(&hist, "small"), 0);
    assert_eq!(HistoryPolicy::default(), HistoryPolicy::Keep);
}

#[test]
fn plans_reject_what_the_solver_cannot_do() {
    assert!(plan_step(Solver::DpmSolverPp, 3, 0.0, f64::INFINITY, 2, &[]).is_err());
    assert!(plan_step(Solver::DpmSolverPpMultistep, 1, 0.0, 1.0, 3, &[-1.0]).is_err());
    assert!(plan_step(Solver::Ddim { eta: 0.0 }, 0, 0.0, 1.0, 2, &[]).is_err());
}

/// The 3M update as the authors' code writes it (`- alpha_t phi_3 D2`), on exact history.
fn reference_3m(steps: usize, x_t: f64, a: f64, b: f64) -> f64 {
    let h = (b - a) / steps as f64;
    let l: Vec<f64> = (0..=steps).map(|i| a + h * i as f64).collect();
    let d = |x: f64, lam: f64| output(Target::X0, x, lam);
    let mut x = flow(x_t, a, l[2]);
    let mut m = [d(x, l[2]), d(flow(x_t, a, l[1]), l[1]), d(x_t, a)];
    for i in 2..steps {
        let (h0, h1, h) = (l[i] - l[i - 1], l[i - 1] - l[i - 2], l[i + 1] - l[i]);
        let (r0, r1) = (h0 / h, h1 / h);
        let (d10, d11) = ((m[0] - m[1]) / r0, (m[1] - m[2]) / r1);
        let d1 = d10 + r0 / (r0 + r1) * (d10 - d11);
        let d2 = (d10 - d11) / (r0 + r1);
        let phi_1 = (-h).exp_m1();
        let (phi_2, at) = (phi_1 / h + 1.0, vp::alpha(l[i + 1]));
        let phi_3 = phi_2 / h - 0.5;
        x = vp::sigma(l[i + 1]) / vp::sigma(l[i]) * x - at * phi_1 * m[0] + at * phi_2 * d1
            - at * phi_3 * d2;
        m = [d(x, l[i + 1]), m[0], m[1]];
    }
    x
}

#[test]
fn the_reference_3m_coefficient_is_only_second_order() {
    let (a, b, x_t) = (-5.0, 1.0, 1.3);
    let exact = flow(x_t, a, b);
    let errs: Vec<f64> = [20usize, 160]
        .iter()
        .map(|&n| (reference_3m(n, x_t, a, b) - exact).abs())
        .collect();
    let p = (errs[0] / errs[1]).ln() / 8f64.ln();
    println!("reference 3M slope {p:.3}, errors {errs:?}");
    assert!((p - 2.0).abs() < 0.35, "reference 3M slope {p:.3}");
}
