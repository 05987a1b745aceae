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
    /// Whether the network takes images of `shape` (one image: `[H, W]`, or `[H, W, C]`).
    fn accepts(&self, shape: &[usize]) -> bool;
    /// Features of a batch of `n` uint8 images it [accepts](Self::accepts), `n * dim` values.
    fn features(&self, images: &[u8], n: usize, device: &Device) -> Vec<f32>;
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
    n: usize,
    batch: usize,
    device: &Device,
) -> Vec<f32> {
    let per = images.len() / n.max(1);
    let mut out = Vec::with_capacity(n * net.dim());
    for start in (0..n).step_by(batch.max(1)) {
        let count = batch.min(n - start);
        out.extend(net.features(&images[start * per..(start + count) * per], count, device));
    }
    out
}
