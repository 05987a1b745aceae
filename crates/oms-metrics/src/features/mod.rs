//! Feature networks behind one trait: the images-to-features map whose statistics the Fréchet
//! distance compares.

mod classifier;
mod efficientnet;
mod inception;
mod load;

pub use classifier::{Classifier, ClassifierConfig, ClassifierFeatures, load_classifier};
pub use efficientnet::{
    EFFNET_DIM, EFFNET_FILE, EFFNET_SHA256, EFFNET_SIDE, EfficientNetFeatures, EfficientNetLite0,
    MbConv, efficientnet_input, load_efficientnet,
};
pub use inception::{
    BasicConv2d, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionFeatures,
    InceptionV3, inception_input, load_inception,
};

use burn::prelude::*;

/// One image's shape in memory: channels, height, width (`[1, 28, 28]` for Fashion-MNIST,
/// `[3, 32, 32]` for CIFAR-10); images are stored channels first, as sampled.
pub type ImageShape = [usize; 3];

/// The shape of one image of an `[n, H, W]` or `[n, C, H, W]` array shape (`None` otherwise).
pub fn image_shape(array: &[usize]) -> Option<ImageShape> {
    match *array {
        [_, h, w] => Some([1, h, w]),
        [_, c, h, w] => Some([c, h, w]),
        _ => None,
    }
}

/// A frozen network that maps uint8 images to feature vectors.
pub trait FeatureNet {
    /// A short name for protocols and reports (e.g. `cnn-fashion-mnist`).
    fn name(&self) -> &str;
    /// Feature dimension.
    fn dim(&self) -> usize;
    /// sha256 of the weights (part of every protocol hash).
    fn weights_sha256(&self) -> &str;
    /// How images are prepared before the network, for the protocol record.
    fn preprocessing(&self) -> &str;
    /// Whether the network takes images of `shape`.
    fn accepts(&self, shape: ImageShape) -> bool;
    /// How many images of a split its reference statistics use (the first ones); `None`: all.
    /// A large network caps it to keep the one-time reference affordable on a CPU.
    fn reference_limit(&self) -> Option<usize> {
        None
    }
    /// Features of a batch of `n` uint8 images of a `shape` it [accepts](Self::accepts),
    /// `n * dim` values.
    fn features(&self, images: &[u8], shape: ImageShape, n: usize, device: &Device) -> Vec<f32>;
}

/// The shape of one image of `images` when `net` takes it; else an error naming both.
pub fn fitting_shape(
    net: &dyn FeatureNet,
    images: &oms_artifacts::Images,
) -> Result<ImageShape, crate::MetricError> {
    image_shape(&images.shape)
        .filter(|s| net.accepts(*s))
        .ok_or_else(|| {
            crate::MetricError::Shape(format!(
                "images of shape {:?} do not fit the {} feature network (it takes {})",
                images.file_shape(),
                net.name(),
                net.preprocessing()
            ))
        })
}

/// Whether `shape` is a gray or RGB image of any non-empty size: what the ImageNet networks take
/// (they resize to their own input size).
pub fn gray_or_rgb(shape: ImageShape) -> bool {
    matches!(shape, [1 | 3, h, w] if h > 0 && w > 0)
}

/// `n` uint8 images of `shape` as `[n, 3, H, W]` floats `p / div`: one channel is repeated to
/// three (gray to RGB), three are kept. Panics on other channel counts (callers check
/// [`FeatureNet::accepts`]).
pub fn to_rgb(images: &[u8], shape: ImageShape, n: usize, div: f32, device: &Device) -> Tensor<4> {
    let [c, h, w] = shape;
    assert!(c == 1 || c == 3, "images of {c} channels");
    let v: Vec<f32> = images.iter().map(|&p| p as f32 / div).collect();
    let x = Tensor::<4>::from_data(TensorData::new(v, [n, c, h, w]), device);
    if c == 1 { x.repeat_dim(1, 3) } else { x }
}

/// uint8 pixels to `[-1, 1]` floats shaped `[n, 1, h, w]`.
pub fn to_input(images: &[u8], n: usize, h: usize, w: usize, device: &Device) -> Tensor<4> {
    let v: Vec<f32> = images.iter().map(|&p| p as f32 / 127.5 - 1.0).collect();
    Tensor::from_data(TensorData::new(v, [n, 1, h, w]), device)
}

/// Runs `net` over all images in batches of `batch`.
pub fn all_features(
    net: &dyn FeatureNet,
    images: &[u8],
    shape: ImageShape,
    n: usize,
    batch: usize,
    device: &Device,
) -> Vec<f32> {
    let per = shape.iter().product::<usize>();
    assert_eq!(images.len(), n * per, "{n} images of shape {shape:?}");
    let mut out = Vec::with_capacity(n * net.dim());
    for start in (0..n).step_by(batch.max(1)) {
        let count = batch.min(n - start);
        let chunk = &images[start * per..(start + count) * per];
        out.extend(net.features(chunk, shape, count, device));
    }
    out
}

/// The feature spaces quality is measured in: the project's own CNN classifier and a network
/// pretrained on ImageNet that the project did not train (issue 15: a claim must hold in both).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum FeatureSpace {
    /// The dataset's CNN classifier (64-d penultimate layer), `assets/classifier/`.
    Cnn,
    /// EfficientNet-Lite0 ImageNet features (1280-d), `data/weights/` (`cargo xtask data`).
    Efficientnet,
}

impl FeatureSpace {
    /// Both spaces, the project's first.
    pub const ALL: [FeatureSpace; 2] = [FeatureSpace::Cnn, FeatureSpace::Efficientnet];

    /// Short name used in flags, tables and summary keys.
    pub fn name(self) -> &'static str {
        match self {
            FeatureSpace::Cnn => "cnn",
            FeatureSpace::Efficientnet => "efficientnet",
        }
    }

    /// Loads the space's network: the CNN of `dataset` from `classifiers`, or the EfficientNet
    /// weights under `data_root`.
    pub fn load(
        self,
        data_root: &std::path::Path,
        classifiers: &std::path::Path,
        dataset: &str,
        device: &Device,
    ) -> Result<Box<dyn FeatureNet>, crate::MetricError> {
        Ok(match self {
            FeatureSpace::Cnn => Box::new(load_classifier(classifiers, dataset, device)?),
            FeatureSpace::Efficientnet => {
                Box::new(load_efficientnet(&data_root.join(EFFNET_FILE), device)?)
            }
        })
    }
}

impl std::fmt::Display for FeatureSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for FeatureSpace {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        FeatureSpace::ALL
            .into_iter()
            .find(|space| space.name() == s)
            .ok_or_else(|| format!("unknown feature space '{s}': use cnn or efficientnet"))
    }
}
