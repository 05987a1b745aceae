//! The one place where solver coefficients meet tensors: linear combinations.

use burn::tensor::Tensor;
use oms_solver::{LinComb, Term};

/// `sum c_i * t_i`, skipping zero coefficients and multiplications by one.
///
/// # Panics
/// If every coefficient is zero (a solver plan never asks for that).
pub fn lincomb(terms: &[(f64, &Tensor<4>)]) -> Tensor<4> {
    let mut acc: Option<Tensor<4>> = None;
    for &(c, t) in terms {
        if c == 0.0 {
            continue;
        }
        let term = if c == 1.0 {
            t.clone()
        } else {
            t.clone().mul_scalar(c)
        };
        acc = Some(match acc {
            None => term,
            Some(a) => a + term,
        });
    }
    acc.expect("a linear combination with at least one non-zero coefficient")
}

/// Resolves a solver [`LinComb`] against the tensors of the current step.
pub(crate) fn apply(
    comb: &LinComb,
    x: &Tensor<4>,
    stages: &[Tensor<4>],
    history: &[Tensor<4>],
    noise: &mut dyn FnMut() -> Tensor<4>,
) -> Tensor<4> {
    let drawn: Option<Tensor<4>> = comb.0.iter().any(|(t, _)| *t == Term::Noise).then(noise);
    let terms: Vec<(f64, &Tensor<4>)> = comb
        .0
        .iter()
        .map(|&(term, c)| {
            let t = match term {
                Term::X => x,
                Term::Stage(k) => &stages[k],
                Term::History(i) => &history[i],
                Term::Noise => drawn.as_ref().expect("noise drawn above"),
            };
            (c, t)
        })
        .collect();
    lincomb(&terms)
}
