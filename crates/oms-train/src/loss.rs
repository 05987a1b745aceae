//! A training batch of the denoising objective in a member's own convention:
//! `x_t = alpha(t) x0 + sigma(t) eps` with `t ~ U(t_min, T)`, target eps, x0 or
//! `v = alpha eps - sigma x0` (Ho et al. 2020; Salimans and Ho 2022 for v).

use burn::prelude::*;
use burn::tensor::TensorCreationOptions;
use oms_solver::{ModelConvention, Prediction};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Inputs and targets of one step.
pub struct DiffusionBatch {
    /// Noisy images `[b, c, h, w]`.
    pub x_t: Tensor<4>,
    /// Model time inputs `[b]`.
    pub time_input: Tensor<1>,
    /// Regression target `[b, c, h, w]`.
    pub target: Tensor<4>,
    /// Signal-to-noise ratio `alpha^2 / sigma^2` of every image's noise level.
    pub snr: Vec<f64>,
}

/// Builds a batch from clean images `x0` (flattened, in `[-1, 1]`) with randomness from
/// `(seed, step)`.
pub fn diffusion_batch(
    x0: Vec<f32>,
    shape: [usize; 4],
    convention: &ModelConvention,
    t_min: f64,
    seed: u64,
    step: usize,
    device: &Device,
) -> DiffusionBatch {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_0000_0000);
    rng.set_stream(step as u64);
    let [b, c, h, w] = shape;
    let per = c * h * w;
    let t_max = convention.noise.t_range().1;
    let (mut xt, mut target, mut tin, mut snr) = (
        Vec::with_capacity(b * per),
        Vec::with_capacity(b * per),
        Vec::with_capacity(b),
        Vec::with_capacity(b),
    );
    for i in 0..b {
        let t = t_min + (t_max - t_min) * rng.random::<f64>();
        let la = convention.noise.log_alpha(t);
        let (a, s) = (la.exp(), oms_schedule::vp::sigma_from_log_alpha(la));
        tin.push(convention.time_input.of_t(t) as f32);
        snr.push((a / s).powi(2));
        for &x in &x0[i * per..(i + 1) * per] {
            let e: f64 = StandardNormal.sample(&mut rng);
            let x = x as f64;
            xt.push((a * x + s * e) as f32);
            target.push(match convention.prediction {
                Prediction::Eps => e,
                Prediction::X0 => x,
                Prediction::V => a * e - s * x,
            } as f32);
        }
    }
    let opts = || TensorCreationOptions::new(device.clone());
    DiffusionBatch {
        x_t: Tensor::from_data(TensorData::new(xt, shape), opts()),
        time_input: Tensor::from_data(TensorData::new(tin, [b]), opts()),
        target: Tensor::from_data(TensorData::new(target, shape), opts()),
        snr,
    }
}
