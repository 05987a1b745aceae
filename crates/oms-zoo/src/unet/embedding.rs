//! Sinusoidal timestep embedding and the time-embedding MLP (DDPM, Ho et al. 2020, appendix B;
//! the layout of ermongroup/ddim's `Model.temb`).

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::silu;

/// `[sin(t f_k), cos(t f_k)]` with `f_k = exp(-ln(10000) k / (half - shift))`: DDPM and
/// ermongroup/ddim use `shift = 1`, sin first; diffusers' `UNet2DModel` uses `shift = 0` and
/// `flip_sin_to_cos` (cos first).
///
/// # Shapes
/// - `t`: `[batch]` (model time inputs)
///
/// # Returns
/// `[batch, dim]`
pub fn timestep_embedding(
    t: Tensor<1>,
    dim: usize,
    flip_sin_to_cos: bool,
    shift: f64,
) -> Tensor<2> {
    let half = dim / 2;
    let scale = (10000f64).ln() / (half as f64 - shift).max(1.0);
    let freqs: Vec<f32> = (0..half)
        .map(|k| (-(k as f64) * scale).exp() as f32)
        .collect();
    let device = t.device();
    let freqs = Tensor::<1>::from_data(TensorData::new(freqs, [half]), (&device, t.dtype()));
    let [b] = t.dims();
    let args = t.reshape([b, 1]) * freqs.reshape([1, half]);
    if flip_sin_to_cos {
        Tensor::cat(vec![args.clone().cos(), args.sin()], 1)
    } else {
        Tensor::cat(vec![args.clone().sin(), args.cos()], 1)
    }
}

/// Configuration of [`TimeEmbedding`].
#[derive(Config, Debug)]
pub struct TimeEmbeddingConfig {
    /// Width of the sinusoidal features (the UNet's base channels).
    pub channels: usize,
    /// Output width (4x the base channels in DDPM).
    pub embed: usize,
    /// Cosine features first (diffusers).
    #[config(default = false)]
    pub flip_sin_to_cos: bool,
    /// Frequency shift (1 in DDPM, 0 in diffusers).
    #[config(default = 1.0)]
    pub freq_shift: f64,
}

/// `dense[1](silu(dense[0](sinusoidal(t))))`.
#[derive(Module, Debug)]
pub struct TimeEmbedding {
    /// The two dense layers (`temb.dense.0`, `temb.dense.1`).
    pub dense: Vec<Linear>,
    channels: usize,
    flip_sin_to_cos: bool,
    freq_shift: f64,
}

impl TimeEmbeddingConfig {
    /// Builds the module.
    pub fn init(&self, device: &Device) -> TimeEmbedding {
        TimeEmbedding {
            dense: vec![
                LinearConfig::new(self.channels, self.embed).init(device),
                LinearConfig::new(self.embed, self.embed).init(device),
            ],
            channels: self.channels,
            flip_sin_to_cos: self.flip_sin_to_cos,
            freq_shift: self.freq_shift,
        }
    }
}

impl TimeEmbedding {
    /// # Shapes
    /// - `t`: `[batch]`
    ///
    /// # Returns
    /// `[batch, embed]`
    pub fn forward(&self, t: Tensor<1>) -> Tensor<2> {
        let e = timestep_embedding(t, self.channels, self.flip_sin_to_cos, self.freq_shift);
        self.dense[1].forward(silu(self.dense[0].forward(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedding_matches_the_formula() {
        let device = Device::flex();
        let e = timestep_embedding(Tensor::from_floats([0.0, 3.0], &device), 8, false, 1.0);
        let v = e.into_data().try_into_vec_as::<f32>().unwrap();
        // t = 0: sin = 0, cos = 1.
        assert_eq!(&v[..8], &[0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        // t = 3, k = 1: f = exp(-ln(1e4)/3).
        let f = (-(10000f64).ln() / 3.0).exp();
        assert!((v[9] as f64 - (3.0 * f).sin()).abs() < 1e-5);
    }
}
