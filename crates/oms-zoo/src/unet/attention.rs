//! Spatial self-attention with 1x1-convolution projections (ermongroup/ddim `AttnBlock`, one
//! head; diffusers splits the channels into heads): `x + proj_out(softmax(q^T k / sqrt(d)) v)`.

use burn::nn::GroupNorm;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::pointwise::conv1x1;
use super::resnet::norm;

/// Configuration of [`AttnBlock`].
#[derive(Config, Debug)]
pub struct AttnBlockConfig {
    /// Channels.
    pub channels: usize,
    /// Groups of the norm.
    #[config(default = 32)]
    pub groups: usize,
    /// Attention heads (channels split evenly).
    #[config(default = 1)]
    pub heads: usize,
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
    /// Attention heads.
    pub heads: usize,
}

impl AttnBlockConfig {
    /// Builds the block.
    pub fn init(&self, device: &Device) -> AttnBlock {
        let c = self.channels;
        let one = || Conv2dConfig::new([c, c], [1, 1]).init(device);
        AttnBlock {
            norm: norm(self.groups, c, device),
            q: one(),
            k: one(),
            v: one(),
            proj_out: one(),
            heads: self.heads,
        }
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
        let (nh, d) = (self.heads, c / self.heads);
        let hn = self.norm.forward(x.clone());
        // [b, c, h, w] -> [b, heads, hw, d]
        let heads = |t: Tensor<4>| t.reshape([b, nh, d, h * w]).swap_dims(2, 3);
        let q = heads(conv1x1(&self.q, hn.clone()));
        let k = heads(conv1x1(&self.k, hn.clone())).swap_dims(2, 3); // [b, heads, d, hw]
        let v = heads(conv1x1(&self.v, hn));
        let weights = softmax(q.matmul(k).mul_scalar((d as f64).powf(-0.5)), 3);
        let out = weights.matmul(v).swap_dims(2, 3).reshape([b, c, h, w]);
        x + conv1x1(&self.proj_out, out)
    }
}
