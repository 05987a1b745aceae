//! A small MLP denoiser for low-dimensional data (`[batch, dim, 1, 1]` samples): the sinusoidal
//! time embedding is concatenated to the input, then `layers` hidden SiLU layers.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::silu;

use crate::unet::timestep_embedding;

/// Configuration of [`Mlp`].
#[derive(Config, Debug, PartialEq)]
pub struct MlpConfig {
    /// Data dimension.
    pub dim: usize,
    /// Hidden width.
    pub hidden: usize,
    /// Hidden layers.
    #[config(default = 3)]
    pub layers: usize,
    /// Width of the time embedding.
    #[config(default = 32)]
    pub time_channels: usize,
}

/// The MLP denoiser.
#[derive(Module, Debug)]
pub struct Mlp {
    /// Input, hidden and output layers.
    pub layers: Vec<Linear>,
    time_channels: usize,
}

impl MlpConfig {
    /// Builds the network.
    pub fn init(&self, device: &Device) -> Mlp {
        let mut layers =
            vec![LinearConfig::new(self.dim + self.time_channels, self.hidden).init(device)];
        for _ in 1..self.layers {
            layers.push(LinearConfig::new(self.hidden, self.hidden).init(device));
        }
        layers.push(LinearConfig::new(self.hidden, self.dim).init(device));
        Mlp {
            layers,
            time_channels: self.time_channels,
        }
    }
}

impl Mlp {
    /// # Shapes
    /// - `x`: `[batch, dim, 1, 1]`
    /// - `t`: `[batch]` model time inputs
    ///
    /// # Returns
    /// `[batch, dim, 1, 1]`
    pub fn forward(&self, x: Tensor<4>, t: Tensor<1>) -> Tensor<4> {
        let [b, d, h, w] = x.dims();
        let flat: Tensor<2> = x.reshape([b, d * h * w]);
        let mut z = Tensor::cat(
            vec![flat, timestep_embedding(t, self.time_channels, false, 1.0)],
            1,
        );
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            z = layer.forward(z);
            if i < last {
                z = silu(z);
            }
        }
        z.reshape([b, d, h, w])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let device = Device::flex();
        let net = MlpConfig::new(4, 32).init(&device);
        let y = net.forward(
            Tensor::zeros([3, 4, 1, 1], &device),
            Tensor::from_floats([1.0, 2.0, 3.0], &device),
        );
        assert_eq!(y.dims(), [3, 4, 1, 1]);
    }
}
