//! Seeded Gaussian noise: the initial sample and the solver noise of stochastic steps.
//!
//! Noise is drawn on the host with ChaCha8 so that a seed gives the same numbers on every
//! backend; stream `k` of a seed is independent of how many other streams were drawn.

use burn::tensor::{DType, Device, Tensor, TensorCreationOptions, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Standard normal noise of `shape` from `(seed, stream)`, in `dtype` on `device`.
pub fn gaussian(seed: u64, stream: u64, shape: [usize; 4], device: &Device, dtype: DType) -> Tensor<4> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let n: usize = shape.iter().product();
    let data = if dtype == DType::F64 {
        let v: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
        TensorData::new(v, shape)
    } else {
        let v: Vec<f32> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
        TensorData::new(v, shape)
    };
    Tensor::from_data(data, TensorCreationOptions::new(device.clone()).with_dtype(dtype))
}

/// Where the solver noise of stochastic steps comes from.
pub trait NoiseSource {
    /// Standard normal noise shaped like `like` for step `step`.
    fn step_noise(&mut self, step: usize, like: &Tensor<4>) -> Tensor<4>;
}

/// Noise of step `k` is stream `k + 1` of `seed` (stream 0 is conventionally the initial noise).
#[derive(Debug, Clone, Copy)]
pub struct SeededNoise {
    /// The seed.
    pub seed: u64,
}

impl NoiseSource for SeededNoise {
    fn step_noise(&mut self, step: usize, like: &Tensor<4>) -> Tensor<4> {
        gaussian(self.seed, step as u64 + 1, like.dims(), &like.device(), like.dtype())
    }
}
