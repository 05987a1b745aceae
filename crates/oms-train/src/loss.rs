//! A training batch of the denoising objective in a member's own convention:
//! `x_t = alpha(t) x0 + sigma(t) eps` with `t ~ U(t_min, T)` (or partly uniform in lambda,
//! [`TimeSampling`]), target eps, x0 or `v = alpha eps - sigma x0` (Ho et al. 2020; Salimans and
//! Ho 2022 for v).

use burn::prelude::*;
use burn::tensor::TensorCreationOptions;
use oms_solver::{ModelConvention, Prediction};
use oms_zoo::TimeSampling;
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

/// Where the noise levels of a batch come from: the recipe's `t_min` and `time_sampling`.
#[derive(Debug, Clone, Copy)]
pub struct NoiseLevels {
    /// Smallest training time.
    pub t_min: f64,
    /// How each image's level is drawn.
    pub sampling: TimeSampling,
}

impl NoiseLevels {
    /// One image's training time; uniform in `t` draws exactly one number from `rng`, as before
    /// [`TimeSampling`] existed (committed runs resume bit for bit).
    fn draw(&self, convention: &ModelConvention, rng: &mut ChaCha8Rng) -> f64 {
        let t_max = convention.noise.t_range().1;
        let uniform_t =
            |rng: &mut ChaCha8Rng| self.t_min + (t_max - self.t_min) * rng.random::<f64>();
        match self.sampling {
            TimeSampling::UniformT => uniform_t(rng),
            TimeSampling::MixLambda { share } => {
                if rng.random::<f64>() < share {
                    let (lo, hi) = (
                        convention.noise.lambda(t_max),
                        convention.noise.lambda(self.t_min),
                    );
                    let lambda = lo + (hi - lo) * rng.random::<f64>();
                    convention
                        .noise
                        .t_of_lambda(lambda)
                        .clamp(self.t_min, t_max)
                } else {
                    uniform_t(rng)
                }
            }
        }
    }
}

/// Builds a batch from clean images `x0` (flattened, in `[-1, 1]`) with randomness from
/// `(seed, step)`.
pub fn diffusion_batch(
    x0: Vec<f32>,
    shape: [usize; 4],
    convention: &ModelConvention,
    levels: NoiseLevels,
    seed: u64,
    step: usize,
    device: &Device,
) -> DiffusionBatch {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_0000_0000);
    rng.set_stream(step as u64);
    let [b, c, h, w] = shape;
    let per = c * h * w;
    let (mut xt, mut target, mut tin, mut snr) = (
        Vec::with_capacity(b * per),
        Vec::with_capacity(b * per),
        Vec::with_capacity(b),
        Vec::with_capacity(b),
    );
    for i in 0..b {
        let t = levels.draw(convention, &mut rng);
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

#[cfg(test)]
mod tests {
    use super::*;
    use oms_schedule::{NoiseSchedule, NoiseSpec};
    use oms_solver::TimeInput;

    /// The levels `lambda = log(alpha / sigma)` of a batch of `n` one-pixel images.
    fn levels(sampling: TimeSampling, n: usize) -> (Vec<f64>, (f64, f64)) {
        let convention = ModelConvention {
            noise: NoiseSchedule::new(NoiseSpec::cosine()).unwrap(),
            prediction: Prediction::V,
            time_input: TimeInput::Continuous { scale: 1000.0 },
        };
        let levels = NoiseLevels {
            t_min: 1e-3,
            sampling,
        };
        let b = diffusion_batch(
            vec![0.0; n],
            [n, 1, 1, 1],
            &convention,
            levels,
            7,
            3,
            &Device::flex(),
        );
        let t_max = convention.noise.t_range().1;
        let range = (
            convention.noise.lambda(t_max),
            convention.noise.lambda(1e-3),
        );
        (b.snr.iter().map(|s| 0.5 * s.ln()).collect(), range)
    }

    #[test]
    fn lambda_sampling_fills_the_levels_near_the_data() {
        let n = 4000;
        let share_above =
            |l: &[f64], x: f64| l.iter().filter(|&&v| v > x).count() as f64 / n as f64;
        let (uniform_t, (lo, hi)) = levels(TimeSampling::UniformT, n);
        // uniform t under the cosine schedule: about density 1 / (pi cosh lambda), 2.4% above 3
        assert!(
            (share_above(&uniform_t, 3.0) - 0.024).abs() < 0.012,
            "{}",
            share_above(&uniform_t, 3.0)
        );
        let (all, _) = levels(TimeSampling::MixLambda { share: 1.0 }, n);
        let expected = (hi - 3.0) / (hi - lo);
        assert!(
            (share_above(&all, 3.0) - expected).abs() < 0.03,
            "{expected}"
        );
        assert!(all.iter().all(|&l| l >= lo - 1e-6 && l <= hi + 1e-6));
        let (half, _) = levels(TimeSampling::MixLambda { share: 0.5 }, n);
        let mid = 0.5 * (expected + 0.024);
        assert!((share_above(&half, 3.0) - mid).abs() < 0.03, "{mid}");
        // a share of zero draws its choice but no other level than uniform t's distribution
        let (none, _) = levels(TimeSampling::MixLambda { share: 0.0 }, n);
        assert!((share_above(&none, 3.0) - 0.024).abs() < 0.012);
    }
}
