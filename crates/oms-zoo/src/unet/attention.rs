//! Single-head spatial self-attention with 1x1-convolution projections (ermongroup/ddim
//! `AttnBlock`): `x + proj_out(softmax(q^T k / sqrt(C)) v)`.

use burn::nn::GroupNorm;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::resnet::norm;

/// Configuration of [`AttnBlock`].
#[derive(Config, Debug)]
pub struct AttnBlockConfig {
    /// Channels.
    pub channels: usize,
    /// Groups of the norm.
    #[config(default = 32)]
    pub groups: usize,
}

/// Spatial self-attention.
#[derive(Module, Debug)]
pub struct AttnBlock {
    /// Norm.
    pub norm: GroupNorm,
    /// Query projection.
    pub q: Conv2d,
    /// Key projection.
    pub k: Conv2d,
    /// Value projection.
    pub v: Conv2d,
    /// Output projection.
    pub proj_out: Conv2d,
}

impl AttnBlockConfig {
    /// Builds the block.
    pub fn init(&self, device: &Device) -> AttnBlock {
        let c = self.channels;
        let one = || Conv2dConfig::new([c, c], [1, 1]).init(device);
        AttnBlock { norm: norm(self.groups, c, device), q: one(), k: one(), v: one(), proj_out: one() }
    }
}

impl AttnBlock {
    /// # Shapes
    /// - `x`: `[batch, channels, height, width]`
    ///
    /// # Returns
    /// The same shape.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        let hn = self.norm.forward(x.clone());
        let flat = |t: Tensor<4>| t.reshape([b, c, h * w]);
        let q = flat(self.q.forward(hn.clone())).swap_dims(1, 2); // [b, hw, c]
        let k = flat(self.k.forward(hn.clone())); // [b, c, hw]
        let v = flat(self.v.forward(hn)).swap_dims(1, 2); // [b, hw, c]
        let weights = softmax(q.matmul(k).mul_scalar((c as f64).powf(-0.5)), 2);
        let out = weights.matmul(v).swap_dims(1, 2).reshape([b, c, h, w]);
        x + self.proj_out.forward(out)
    }
}
