//! Seeded Gaussian noise: the initial sample and the solver noise of stochastic steps.
//!
//! Noise is drawn on the host with ChaCha8 so that a seed gives the same numbers on every
//! backend. Image `i` of a run draws its noise for slot `k` (0 = initial, `s + 1` = step `s`)
//! from its own stream `(i << 20) | k`, so samples do not depend on the batch size.

use burn::tensor::{DType, Device, Tensor, TensorCreationOptions, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Standard normal noise of `shape` from `(seed, stream)`, in `dtype` on `device`.
pub fn gaussian(
    seed: u64,
    stream: u64,
    shape: [usize; 4],
    device: &Device,
    dtype: DType,
) -> Tensor<4> {
    let n: usize = shape.iter().product();
    to_tensor(draw(seed, stream, n), shape, device, dtype)
}

fn draw(seed: u64, stream: u64, n: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    (0..n).map(|_| StandardNormal.sample(&mut rng)).collect()
}

fn to_tensor(v: Vec<f64>, shape: [usize; 4], device: &Device, dtype: DType) -> Tensor<4> {
    let opts = TensorCreationOptions::new(device.clone()).with_dtype(dtype);
    if dtype == DType::F64 {
        Tensor::from_data(TensorData::new(v, shape), opts)
    } else {
        let v: Vec<f32> = v.into_iter().map(|x| x as f32).collect();
        Tensor::from_data(TensorData::new(v, shape), opts)
    }
}

/// Noise for images `first..first + count` of a run, slot `slot`, each image `[C, H, W]`.
pub fn image_noise(
    seed: u64,
    first: usize,
    count: usize,
    slot: u64,
    image: [usize; 3],
    device: &Device,
    dtype: DType,
) -> Tensor<4> {
    let len: usize = image.iter().product();
    let v: Vec<f64> = (first..first + count)
        .flat_map(|i| draw(seed, ((i as u64) << 20) | slot, len))
        .collect();
    to_tensor(v, [count, image[0], image[1], image[2]], device, dtype)
}

/// Where the solver noise of stochastic steps comes from.
pub trait NoiseSource {
    /// Standard normal noise shaped like `like` for step `step`.
    fn step_noise(&mut self, step: usize, like: &Tensor<4>) -> Tensor<4>;
}

/// Per-image seeded noise for a batch that starts at image `first_image` of a run.
#[derive(Debug, Clone, Copy)]
pub struct SeededNoise {
    /// The run's seed.
    pub seed: u64,
    /// Index of the batch's first image in the run.
    pub first_image: usize,
}

impl SeededNoise {
    /// Noise for a batch starting at image 0.
    pub fn new(seed: u64) -> Self {
        SeededNoise {
            seed,
            first_image: 0,
        }
    }
}

impl NoiseSource for SeededNoise {
    fn step_noise(&mut self, step: usize, like: &Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = like.dims();
        image_noise(
            self.seed,
            self.first_image,
            b,
            step as u64 + 1,
            [c, h, w],
            &like.device(),
            like.dtype(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bank_gives_each_image_its_own_noise_whatever_the_batch() {
        let device = Device::flex();
        let all = image_noise(9, 0, 5, 0, [1, 2, 2], &device, DType::F32)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        let tail = image_noise(9, 3, 2, 0, [1, 2, 2], &device, DType::F32)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        assert_eq!(&all[12..], &tail[..]);
        let other_bank = image_noise(10, 0, 5, 0, [1, 2, 2], &device, DType::F32)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        assert_ne!(all, other_bank);
        let step_noise = image_noise(9, 0, 5, 1, [1, 2, 2], &device, DType::F32)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        assert_ne!(
            all, step_noise,
            "solver noise uses other streams than the initial noise"
        );
    }
}
