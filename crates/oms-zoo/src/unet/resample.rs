//! Resolution changes of the DDPM UNet (ermongroup/ddim `Downsample`/`Upsample` with conv):
//! a 3x3 stride-2 convolution after padding right and bottom by one (or every side, as in
//! diffusers), and nearest-neighbour
//! doubling followed by a 3x3 convolution.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;

use super::resnet::conv3x3;

/// Halves height and width (28 -> 14 -> 7).
#[derive(Module, Debug)]
pub struct Downsample {
    /// The strided convolution.
    pub conv: Conv2d,
}

/// Doubles height and width.
#[derive(Module, Debug)]
pub struct Upsample {
    /// The convolution after doubling.
    pub conv: Conv2d,
}

impl Downsample {
    /// A downsampler for `channels`; `symmetric` pads one pixel on every side (diffusers)
    /// instead of only right and bottom (ermongroup/ddim).
    pub fn new(channels: usize, symmetric: bool, device: &Device) -> Self {
        let pad = if symmetric {
            PaddingConfig2d::Explicit(1, 1, 1, 1)
        } else {
            PaddingConfig2d::Explicit(0, 0, 1, 1)
        };
        let conv = Conv2dConfig::new([channels, channels], [3, 3])
            .with_stride([2, 2])
            .with_padding(pad)
            .init(device);
        Downsample { conv }
    }

    /// `[b, c, h, w] -> [b, c, ceil(h/2), ceil(w/2)]` for even `h`, `w`; 7 -> 3 for odd.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.conv.forward(x)
    }
}

impl Upsample {
    /// An upsampler for `channels`.
    pub fn new(channels: usize, device: &Device) -> Self {
        Upsample {
            conv: conv3x3(channels, channels, device),
        }
    }

    /// `[b, c, h, w] -> [b, c, 2h, 2w]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        let doubled = x
            .reshape([b, c, h, 1, w, 1])
            .expand([b, c, h, 2, w, 2])
            .reshape([b, c, 2 * h, 2 * w]);
        self.conv.forward(doubled)
    }
}
