//! Inception-v3 pool3 features in the FID variant of pytorch-fid (`FIDInceptionA/C/E_1/E_2`,
//! average pools that exclude padding, a max pool in the last block), loaded from the standard
//! weight file `pt_inception-2015-12-05-6726825d.pth` whose path the user gives (it cannot be
//! downloaded here). Module names follow that file in snake case (`Mixed_5b` -> `mixed_5b`).
//!
//! Input handling as pytorch-fid: grayscale 28x28 images are repeated to 3 channels, scaled to
//! `[0, 1]`, resized bilinearly to 299x299 (align_corners = false), then mapped to `[-1, 1]`.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AvgPool2d, AvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};

/// Conv (no bias) + BatchNorm (eps 1e-3) + ReLU.
#[derive(Module, Debug)]
pub struct BasicConv2d {
    /// Convolution.
    pub conv: Conv2d,
    /// Batch norm with running statistics.
    pub bn: BatchNorm,
}

impl BasicConv2d {
    /// `kernel` and `padding` as `[h, w]`.
    pub fn new(
        cin: usize,
        cout: usize,
        kernel: [usize; 2],
        stride: usize,
        padding: [usize; 2],
        device: &Device,
    ) -> Self {
        let [ph, pw] = padding;
        let conv = Conv2dConfig::new([cin, cout], kernel)
            .with_stride([stride, stride])
            .with_padding(PaddingConfig2d::Explicit(ph, pw, ph, pw))
            .with_bias(false)
            .init(device);
        BasicConv2d {
            conv,
            bn: BatchNormConfig::new(cout).with_epsilon(1e-3).init(device),
        }
    }

    /// Forward.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        relu(self.bn.forward(self.conv.forward(x)))
    }
}

fn bc(cin: usize, cout: usize, k: usize, device: &Device) -> BasicConv2d {
    BasicConv2d::new(cin, cout, [k, k], 1, [k / 2, k / 2], device)
}

fn avg3() -> AvgPool2d {
    AvgPool2dConfig::new([3, 3])
        .with_strides([1, 1])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .with_count_include_pad(false)
        .init()
}

fn max3(stride: usize, pad: usize) -> MaxPool2d {
    MaxPool2dConfig::new([3, 3])
        .with_strides([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .init()
}

/// FIDInceptionA.
#[derive(Module, Debug)]
pub struct InceptionA {
    branch1x1: BasicConv2d,
    branch5x5_1: BasicConv2d,
    branch5x5_2: BasicConv2d,
    branch3x3dbl_1: BasicConv2d,
    branch3x3dbl_2: BasicConv2d,
    branch3x3dbl_3: BasicConv2d,
    branch_pool: BasicConv2d,
    pool: AvgPool2d,
}

impl InceptionA {
    /// A block with `pool_features` channels in its pool branch.
    pub fn new(cin: usize, pool_features: usize, device: &Device) -> Self {
        InceptionA {
            branch1x1: bc(cin, 64, 1, device),
            branch5x5_1: bc(cin, 48, 1, device),
            branch5x5_2: bc(48, 64, 5, device),
            branch3x3dbl_1: bc(cin, 64, 1, device),
            branch3x3dbl_2: bc(64, 96, 3, device),
            branch3x3dbl_3: bc(96, 96, 3, device),
            branch_pool: bc(cin, pool_features, 1, device),
            pool: avg3(),
        }
    }

    /// Forward: `[b, cin, h, w] -> [b, 224 + pool_features, h, w]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let b1 = self.branch1x1.forward(x.clone());
        let b5 = self
            .branch5x5_2
            .forward(self.branch5x5_1.forward(x.clone()));
        let b3 = self.branch3x3dbl_3.forward(
            self.branch3x3dbl_2
                .forward(self.branch3x3dbl_1.forward(x.clone())),
        );
        let bp = self.branch_pool.forward(self.pool.forward(x));
        Tensor::cat(vec![b1, b5, b3, bp], 1)
    }
}

/// InceptionB (grid reduction).
#[derive(Module, Debug)]
pub struct InceptionB {
    branch3x3: BasicConv2d,
    branch3x3dbl_1: BasicConv2d,
    branch3x3dbl_2: BasicConv2d,
    branch3x3dbl_3: BasicConv2d,
    pool: MaxPool2d,
}

impl InceptionB {
    /// The block.
    pub fn new(cin: usize, device: &Device) -> Self {
        InceptionB {
            branch3x3: BasicConv2d::new(cin, 384, [3, 3], 2, [0, 0], device),
            branch3x3dbl_1: bc(cin, 64, 1, device),
            branch3x3dbl_2: bc(64, 96, 3, device),
            branch3x3dbl_3: BasicConv2d::new(96, 96, [3, 3], 2, [0, 0], device),
            pool: max3(2, 0),
        }
    }

    /// Forward.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let b3 = self.branch3x3.forward(x.clone());
        let bd = self.branch3x3dbl_3.forward(
            self.branch3x3dbl_2
                .forward(self.branch3x3dbl_1.forward(x.clone())),
        );
        Tensor::cat(vec![b3, bd, self.pool.forward(x)], 1)
    }
}

/// FIDInceptionC (factorised 7x7).
#[derive(Module, Debug)]
pub struct InceptionC {
    branch1x1: BasicConv2d,
    branch7x7_1: BasicConv2d,
    branch7x7_2: BasicConv2d,
    branch7x7_3: BasicConv2d,
    branch7x7dbl_1: BasicConv2d,
    branch7x7dbl_2: BasicConv2d,
    branch7x7dbl_3: BasicConv2d,
    branch7x7dbl_4: BasicConv2d,
    branch7x7dbl_5: BasicConv2d,
    branch_pool: BasicConv2d,
    pool: AvgPool2d,
}

impl InceptionC {
    /// A block with `c7` channels in its 7x7 branches.
    pub fn new(cin: usize, c7: usize, device: &Device) -> Self {
        let row = |i, o| BasicConv2d::new(i, o, [1, 7], 1, [0, 3], device);
        let col = |i, o| BasicConv2d::new(i, o, [7, 1], 1, [3, 0], device);
        InceptionC {
            branch1x1: bc(cin, 192, 1, device),
            branch7x7_1: bc(cin, c7, 1, device),
            branch7x7_2: row(c7, c7),
            branch7x7_3: col(c7, 192),
            branch7x7dbl_1: bc(cin, c7, 1, device),
            branch7x7dbl_2: col(c7, c7),
            branch7x7dbl_3: row(c7, c7),
            branch7x7dbl_4: col(c7, c7),
            branch7x7dbl_5: row(c7, 192),
            branch_pool: bc(cin, 192, 1, device),
            pool: avg3(),
        }
    }

    /// Forward.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let b1 = self.branch1x1.forward(x.clone());
        let b7 = self.branch7x7_3.forward(
            self.branch7x7_2
                .forward(self.branch7x7_1.forward(x.clone())),
        );
        let mut bd = self.branch7x7dbl_1.forward(x.clone());
        for conv in [
            &self.branch7x7dbl_2,
            &self.branch7x7dbl_3,
            &self.branch7x7dbl_4,
            &self.branch7x7dbl_5,
        ] {
            bd = conv.forward(bd);
        }
        let bp = self.branch_pool.forward(self.pool.forward(x));
        Tensor::cat(vec![b1, b7, bd, bp], 1)
    }
}

/// InceptionD (grid reduction).
#[derive(Module, Debug)]
pub struct InceptionD {
    branch3x3_1: BasicConv2d,
    branch3x3_2: BasicConv2d,
    branch7x7x3_1: BasicConv2d,
    branch7x7x3_2: BasicConv2d,
    branch7x7x3_3: BasicConv2d,
    branch7x7x3_4: BasicConv2d,
    pool: MaxPool2d,
}

impl InceptionD {
    /// The block.
    pub fn new(cin: usize, device: &Device) -> Self {
        InceptionD {
            branch3x3_1: bc(cin, 192, 1, device),
            branch3x3_2: BasicConv2d::new(192, 320, [3, 3], 2, [0, 0], device),
            branch7x7x3_1: bc(cin, 192, 1, device),
            branch7x7x3_2: BasicConv2d::new(192, 192, [1, 7], 1, [0, 3], device),
            branch7x7x3_3: BasicConv2d::new(192, 192, [7, 1], 1, [3, 0], device),
            branch7x7x3_4: BasicConv2d::new(192, 192, [3, 3], 2, [0, 0], device),
            pool: max3(2, 0),
        }
    }

    /// Forward.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let b3 = self
            .branch3x3_2
            .forward(self.branch3x3_1.forward(x.clone()));
        let mut b7 = self.branch7x7x3_1.forward(x.clone());
        for conv in [
            &self.branch7x7x3_2,
            &self.branch7x7x3_3,
            &self.branch7x7x3_4,
        ] {
            b7 = conv.forward(b7);
        }
        Tensor::cat(vec![b3, b7, self.pool.forward(x)], 1)
    }
}

/// FIDInceptionE_1 (average pool) or FIDInceptionE_2 (max pool).
#[derive(Module, Debug)]
pub struct InceptionE {
    branch1x1: BasicConv2d,
    branch3x3_1: BasicConv2d,
    branch3x3_2a: BasicConv2d,
    branch3x3_2b: BasicConv2d,
    branch3x3dbl_1: BasicConv2d,
    branch3x3dbl_2: BasicConv2d,
    branch3x3dbl_3a: BasicConv2d,
    branch3x3dbl_3b: BasicConv2d,
    branch_pool: BasicConv2d,
    avg: Option<AvgPool2d>,
    max: Option<MaxPool2d>,
}

impl InceptionE {
    /// `max_pool = false` for E_1 (Mixed_7b), `true` for E_2 (Mixed_7c).
    pub fn new(cin: usize, max_pool: bool, device: &Device) -> Self {
        let row = |i, o| BasicConv2d::new(i, o, [1, 3], 1, [0, 1], device);
        let col = |i, o| BasicConv2d::new(i, o, [3, 1], 1, [1, 0], device);
        InceptionE {
            branch1x1: bc(cin, 320, 1, device),
            branch3x3_1: bc(cin, 384, 1, device),
            branch3x3_2a: row(384, 384),
            branch3x3_2b: col(384, 384),
            branch3x3dbl_1: bc(cin, 448, 1, device),
            branch3x3dbl_2: bc(448, 384, 3, device),
            branch3x3dbl_3a: row(384, 384),
            branch3x3dbl_3b: col(384, 384),
            branch_pool: bc(cin, 192, 1, device),
            avg: (!max_pool).then(avg3),
            max: max_pool.then(|| max3(1, 1)),
        }
    }

    /// Forward: `[b, cin, h, w] -> [b, 2048, h, w]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let b1 = self.branch1x1.forward(x.clone());
        let b3 = self.branch3x3_1.forward(x.clone());
        let b3 = Tensor::cat(
            vec![
                self.branch3x3_2a.forward(b3.clone()),
                self.branch3x3_2b.forward(b3),
            ],
            1,
        );
        let bd = self
            .branch3x3dbl_2
            .forward(self.branch3x3dbl_1.forward(x.clone()));
        let bd = Tensor::cat(
            vec![
                self.branch3x3dbl_3a.forward(bd.clone()),
                self.branch3x3dbl_3b.forward(bd),
            ],
            1,
        );
        let pooled = match (&self.avg, &self.max) {
            (Some(avg), _) => avg.forward(x),
            (_, Some(max)) => max.forward(x),
            _ => x,
        };
        Tensor::cat(vec![b1, b3, bd, self.branch_pool.forward(pooled)], 1)
    }
}

/// The FID Inception-v3 up to the 2048-d pool3 features.
#[derive(Module, Debug)]
pub struct InceptionV3 {
    conv2d_1a_3x3: BasicConv2d,
    conv2d_2a_3x3: BasicConv2d,
    conv2d_2b_3x3: BasicConv2d,
    conv2d_3b_1x1: BasicConv2d,
    conv2d_4a_3x3: BasicConv2d,
    mixed_5b: InceptionA,
    mixed_5c: InceptionA,
    mixed_5d: InceptionA,
    mixed_6a: InceptionB,
    mixed_6b: InceptionC,
    mixed_6c: InceptionC,
    mixed_6d: InceptionC,
    mixed_6e: InceptionC,
    mixed_7a: InceptionD,
    mixed_7b: InceptionE,
    mixed_7c: InceptionE,
    pool: MaxPool2d,
}

impl InceptionV3 {
    /// The network with freshly initialised weights (load real ones with
    /// [`crate::features::load_inception`]).
    pub fn new(device: &Device) -> Self {
        InceptionV3 {
            conv2d_1a_3x3: BasicConv2d::new(3, 32, [3, 3], 2, [0, 0], device),
            conv2d_2a_3x3: BasicConv2d::new(32, 32, [3, 3], 1, [0, 0], device),
            conv2d_2b_3x3: bc(32, 64, 3, device),
            conv2d_3b_1x1: bc(64, 80, 1, device),
            conv2d_4a_3x3: BasicConv2d::new(80, 192, [3, 3], 1, [0, 0], device),
            mixed_5b: InceptionA::new(192, 32, device),
            mixed_5c: InceptionA::new(256, 64, device),
            mixed_5d: InceptionA::new(288, 64, device),
            mixed_6a: InceptionB::new(288, device),
            mixed_6b: InceptionC::new(768, 128, device),
            mixed_6c: InceptionC::new(768, 160, device),
            mixed_6d: InceptionC::new(768, 160, device),
            mixed_6e: InceptionC::new(768, 192, device),
            mixed_7a: InceptionD::new(768, device),
            mixed_7b: InceptionE::new(1280, false, device),
            mixed_7c: InceptionE::new(2048, true, device),
            pool: max3(2, 0),
        }
    }

    /// pool3 features of images already in `[-1, 1]` at 299x299.
    ///
    /// # Shapes
    /// - `x`: `[batch, 3, 299, 299]`
    ///
    /// # Returns
    /// `[batch, 2048]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self
            .conv2d_2b_3x3
            .forward(self.conv2d_2a_3x3.forward(self.conv2d_1a_3x3.forward(x)));
        let x = self
            .conv2d_4a_3x3
            .forward(self.conv2d_3b_1x1.forward(self.pool.forward(x)));
        let x = self.pool.forward(x);
        let x = self
            .mixed_5d
            .forward(self.mixed_5c.forward(self.mixed_5b.forward(x)));
        let x = self.mixed_6a.forward(x);
        let x = self.mixed_6e.forward(
            self.mixed_6d
                .forward(self.mixed_6c.forward(self.mixed_6b.forward(x))),
        );
        let x = self
            .mixed_7c
            .forward(self.mixed_7b.forward(self.mixed_7a.forward(x)));
        let [b, c, _, _] = x.dims();
        x.mean_dims(&[2, 3]).reshape([b, c])
    }
}

/// pytorch-fid's input path: `[n, 3, h, w]` uint8-scaled `[0, 1]` values (gray repeated to RGB by
/// [`to_rgb`](super::to_rgb)) -> bilinear 299x299, then `2x - 1`.
pub fn inception_input(rgb: Tensor<4>) -> Tensor<4> {
    let options = InterpolateOptions::new(InterpolateMode::Bilinear)
        .with_align_corners(false)
        .with_output_size([299, 299]);
    let resized = interpolate(rgb, options);
    resized.mul_scalar(2.0).sub_scalar(1.0)
}

/// The FID Inception as a [`FeatureNet`](super::FeatureNet).
#[derive(Debug)]
pub struct InceptionFeatures {
    /// The network with loaded weights.
    pub net: InceptionV3,
    /// sha256 of the weights file.
    pub sha256: String,
}

impl super::FeatureNet for InceptionFeatures {
    fn name(&self) -> &str {
        "inception-v3-fid"
    }
    fn dim(&self) -> usize {
        2048
    }
    fn weights_sha256(&self) -> &str {
        &self.sha256
    }
    fn preprocessing(&self) -> &str {
        "uint8 28x28 -> /255, gray to RGB, bilinear 299x299 (align_corners = false), 2x - 1"
    }
    /// Gray or RGB images of any size (resized to 299 x 299, as pytorch-fid does).
    fn accepts(&self, shape: super::ImageShape) -> bool {
        super::gray_or_rgb(shape)
    }
    fn features(
        &self,
        images: &[u8],
        shape: super::ImageShape,
        n: usize,
        device: &Device,
    ) -> Vec<f32> {
        let x = super::to_rgb(images, shape, n, 255.0, device);
        self.net
            .forward(inception_input(x))
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32 features")
    }
}

/// Loads pytorch-fid's weights (`pt_inception-2015-12-05-*.pth`, or the same tensors as
/// safetensors). Every network tensor must be present with its shape; the file's classifier
/// (`fc.*`) and `num_batches_tracked` counters are ignored.
pub fn load_inception(
    path: &std::path::Path,
    device: &Device,
) -> Result<InceptionFeatures, crate::MetricError> {
    load_inception_file(path, device).map_err(crate::MetricError::Weights)
}

fn load_inception_file(
    path: &std::path::Path,
    device: &Device,
) -> Result<InceptionFeatures, String> {
    let spec = super::load::TorchFile {
        fix: "give the path of pt_inception-2015-12-05-6726825d.pth (pytorch-fid's FID weights)",
        remap: &[("^Conv2d_", "conv2d_"), ("^Mixed_", "mixed_")],
        ignored: &["fc."],
        sha256: None,
    };
    let mut net = InceptionV3::new(device);
    let sha256 = super::load::load_torch_module(&mut net, path, &spec)?;
    Ok(InceptionFeatures { net, sha256 })
}
