//! The DDPM residual block with a time-embedding projection (ermongroup/ddim `ResnetBlock`).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{
    Dropout, DropoutConfig, GroupNorm, GroupNormConfig, Linear, LinearConfig, PaddingConfig2d,
};
use burn::prelude::*;
use burn::tensor::activation::silu;

/// Configuration of [`ResnetBlock`].
#[derive(Config, Debug)]
pub struct ResnetBlockConfig {
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Width of the time embedding.
    pub temb: usize,
    /// Groups of the group norms.
    #[config(default = 32)]
    pub groups: usize,
    /// Dropout before the second convolution.
    #[config(default = 0.0)]
    pub dropout: f64,
}

/// `x + conv2(drop(silu(norm2(conv1(silu(norm1(x))) + proj(silu(temb))))))`, with a 1x1
/// `nin_shortcut` when the channel count changes.
#[derive(Module, Debug)]
pub struct ResnetBlock {
    /// First norm.
    pub norm1: GroupNorm,
    /// First 3x3 convolution.
    pub conv1: Conv2d,
    /// Projection of the time embedding.
    pub temb_proj: Linear,
    /// Second norm.
    pub norm2: GroupNorm,
    /// Dropout.
    pub dropout: Dropout,
    /// Second 3x3 convolution.
    pub conv2: Conv2d,
    /// 1x1 shortcut when in != out.
    pub nin_shortcut: Option<Conv2d>,
}

/// A 3x3 convolution with padding 1.
pub fn conv3x3(cin: usize, cout: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([cin, cout], [3, 3])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

/// A group norm with DDPM's epsilon.
pub fn norm(groups: usize, channels: usize, device: &Device) -> GroupNorm {
    GroupNormConfig::new(groups.min(channels), channels)
        .with_epsilon(1e-6)
        .init(device)
}

impl ResnetBlockConfig {
    /// Builds the block.
    pub fn init(&self, device: &Device) -> ResnetBlock {
        let (i, o) = (self.in_channels, self.out_channels);
        ResnetBlock {
            norm1: norm(self.groups, i, device),
            conv1: conv3x3(i, o, device),
            temb_proj: LinearConfig::new(self.temb, o).init(device),
            norm2: norm(self.groups, o, device),
            dropout: DropoutConfig::new(self.dropout).init(),
            conv2: conv3x3(o, o, device),
            nin_shortcut: (i != o).then(|| Conv2dConfig::new([i, o], [1, 1]).init(device)),
        }
    }
}

impl ResnetBlock {
    /// # Shapes
    /// - `x`: `[batch, in_channels, height, width]`
    /// - `temb`: `[batch, temb]`
    ///
    /// # Returns
    /// `[batch, out_channels, height, width]`
    pub fn forward(&self, x: Tensor<4>, temb: Tensor<2>) -> Tensor<4> {
        let h = self.conv1.forward(silu(self.norm1.forward(x.clone())));
        let [b, c] = [h.dims()[0], h.dims()[1]];
        let h = h + self.temb_proj.forward(silu(temb)).reshape([b, c, 1, 1]);
        let h = self
            .conv2
            .forward(self.dropout.forward(silu(self.norm2.forward(h))));
        let skip = match &self.nin_shortcut {
            Some(conv) => super::pointwise::conv1x1(conv, x),
            None => x,
        };
        skip + h
    }
}
