//! A full-resolution output head for patched UNets (issue 16, "an architecture without patch
//! artefacts"). A patched member (`patch` > 1) predicts every pixel of a `p x p` block from the
//! block's shared features, so near the data, where the prediction is a per-pixel denoising of
//! the input, it lacks the pixel detail (docs/zoo.md, "FD against NFE"). The head sees the noisy
//! input at full resolution next to the UNet's prediction and adds a correction:
//!
//! `out = coarse + conv_out(silu(conv_in(cat[x, coarse]) + temb_proj(silu(temb))))`
//!
//! `conv_out` starts at zero, so an initialised head leaves the UNet's prediction unchanged.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::silu;

use super::resnet::conv3x3;

/// The head: two 3x3 convolutions at full resolution with `channels` hidden channels.
#[derive(Module, Debug)]
pub struct RefineHead {
    /// Input and coarse prediction (`2 x image_channels`) to the hidden channels.
    pub conv_in: Conv2d,
    /// Projection of the time embedding onto the hidden channels.
    pub temb_proj: Linear,
    /// Hidden channels to the correction (`image_channels`), zero at initialisation.
    pub conv_out: Conv2d,
}

impl RefineHead {
    /// The head's module path in a [`Unet`](super::Unet) (its tensors are `refine.*`).
    pub const PATH: &'static str = "refine";

    /// A head with `channels` hidden channels for images of `image_channels` channels and a
    /// time embedding of width `temb`.
    pub fn new(image_channels: usize, channels: usize, temb: usize, device: &Device) -> Self {
        Self {
            conv_in: conv3x3(2 * image_channels, channels, device),
            temb_proj: LinearConfig::new(temb, channels).init(device),
            conv_out: Conv2dConfig::new([channels, image_channels], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .with_initializer(Initializer::Zeros)
                .init(device),
        }
    }

    /// # Shapes
    /// - `x`, `coarse`: `[batch, image_channels, height, width]`
    /// - `temb`: `[batch, temb]`
    ///
    /// # Returns
    /// The refined prediction, shaped like `coarse`.
    pub fn forward(&self, x: Tensor<4>, coarse: Tensor<4>, temb: Tensor<2>) -> Tensor<4> {
        let h = self
            .conv_in
            .forward(Tensor::cat(vec![x, coarse.clone()], 1));
        let [b, c] = [h.dims()[0], h.dims()[1]];
        let h = h + self.temb_proj.forward(silu(temb)).reshape([b, c, 1, 1]);
        coarse + self.conv_out.forward(silu(h))
    }

    /// Forward multiply-adds for one image of `height x width` pixels.
    pub fn macs(image_channels: usize, channels: usize, temb: usize, pixels: usize) -> f64 {
        let convs = 9 * (2 * image_channels * channels + channels * image_channels);
        (pixels * convs + temb * channels) as f64
    }
}
