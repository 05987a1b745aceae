//! Token sequences as padded tensors with a mask: the one place schedules become tensors.

use burn::prelude::*;

use crate::encode::{EncodingSpec, SOLVERS, Tokens};

/// A batch of schedules, padded to the longest one (at least one step).
pub struct TokenBatch {
    /// Model ids in slot layout `[B, S, 3]` (0 = none or padding).
    pub models: Tensor<3, Int>,
    /// Step order `[B, S]` (0 for padding).
    pub order: Tensor<2, Int>,
    /// 128-d sinusoidal embedding of the clean-side discrete time `[B, S, 128]` (0 for padding).
    pub time_emb: Tensor<3>,
    /// Normalised lambda at both ends and the step width `[B, S, 3]`.
    pub lambda: Tensor<3>,
    /// Solver one-hot repeated on every step `[B, S, SOLVERS]`.
    pub solver: Tensor<3>,
    /// 1 for real steps, 0 for padding `[B, S]`.
    pub mask: Tensor<2>,
    /// The spec's longest schedule (normalises step counts).
    pub max_steps: usize,
}

/// Sinusoidal embedding of `t` (128-d: 64 sines then 64 cosines, periods up to 10000).
pub fn time_embedding(t: f64, out: &mut [f32]) {
    let half = out.len() / 2;
    for k in 0..half {
        let freq = (-(10000f64.ln()) * k as f64 / half as f64).exp();
        out[k] = (t * freq).sin() as f32;
        out[half + k] = (t * freq).cos() as f32;
    }
}

impl TokenBatch {
    /// Pads and stacks `items`.
    pub fn new(items: &[&Tokens], spec: &EncodingSpec, device: &Device) -> Self {
        let b = items.len();
        let s = items
            .iter()
            .map(|t| t.steps.len())
            .max()
            .unwrap_or(1)
            .max(1);
        let (lo, hi) = spec.lambda_range;
        let norm = |l: f64| (((l.clamp(lo, hi)) - lo) / (hi - lo)) as f32;
        let mut models = vec![0i64; b * s * 3];
        let mut order = vec![0i64; b * s];
        let mut time = vec![0f32; b * s * 128];
        let mut lambda = vec![0f32; b * s * 3];
        let mut solver = vec![0f32; b * s * SOLVERS];
        let mut mask = vec![0f32; b * s];
        for (i, tok) in items.iter().enumerate() {
            for (j, st) in tok.steps.iter().enumerate() {
                let at = i * s + j;
                for p in 0..3 {
                    models[at * 3 + p] = st.models[p] as i64;
                }
                order[at] = st.order.min(3) as i64;
                time_embedding(st.time, &mut time[at * 128..(at + 1) * 128]);
                let (a, c) = (norm(st.lambda.0), norm(st.lambda.1));
                lambda[at * 3..at * 3 + 3].copy_from_slice(&[a, c, c - a]);
                solver[at * SOLVERS + tok.solver as usize] = 1.0;
                mask[at] = 1.0;
            }
        }
        let f3 =
            |v: Vec<f32>, d: usize| Tensor::<3>::from_data(TensorData::new(v, [b, s, d]), device);
        TokenBatch {
            models: Tensor::<3, Int>::from_data(TensorData::new(models, [b, s, 3]), device),
            order: Tensor::<2, Int>::from_data(TensorData::new(order, [b, s]), device),
            time_emb: f3(time, 128),
            lambda: f3(lambda, 3),
            solver: f3(solver, SOLVERS),
            mask: Tensor::<2>::from_data(TensorData::new(mask, [b, s]), device),
            max_steps: spec.max_steps.max(s),
        }
    }
}
