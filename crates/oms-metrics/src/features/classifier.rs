//! The project's own feature network: a small CNN classifier trained on a dataset's train split,
//! then frozen. Its 64-d penultimate activations (after ReLU) are the default FID features.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;

use super::{FeatureNet, to_input};

/// Architecture of [`Classifier`].
#[derive(Config, Debug, PartialEq)]
pub struct ClassifierConfig {
    /// Feature (penultimate) width.
    #[config(default = 64)]
    pub features: usize,
    /// Number of classes.
    #[config(default = 10)]
    pub classes: usize,
    /// Dropout before the last layer during training.
    #[config(default = 0.2)]
    pub dropout: f64,
}

/// `conv32-pool-conv64-pool-conv64-fc(features)-fc(classes)` on 28x28 images.
#[derive(Module, Debug)]
pub struct Classifier {
    /// 1 -> 32 channels, 28x28.
    pub conv1: Conv2d,
    /// 32 -> 64, 14x14.
    pub conv2: Conv2d,
    /// 64 -> 64, 7x7.
    pub conv3: Conv2d,
    /// Flattened 64x7x7 -> features.
    pub fc1: Linear,
    /// Features -> class logits.
    pub fc2: Linear,
    /// 2x2 max pooling.
    pub pool: MaxPool2d,
    /// Dropout before `fc2`.
    pub dropout: Dropout,
}

impl ClassifierConfig {
    /// Builds the network.
    pub fn init(&self, device: &Device) -> Classifier {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        Classifier {
            conv1: conv(1, 32),
            conv2: conv(32, 64),
            conv3: conv(64, 64),
            fc1: LinearConfig::new(64 * 7 * 7, self.features).init(device),
            fc2: LinearConfig::new(self.features, self.classes).init(device),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            dropout: DropoutConfig::new(self.dropout).init(),
        }
    }
}

impl Classifier {
    /// Penultimate features.
    ///
    /// # Shapes
    /// - `x`: `[batch, 1, 28, 28]` in `[-1, 1]`
    ///
    /// # Returns
    /// `[batch, features]`
    pub fn features(&self, x: Tensor<4>) -> Tensor<2> {
        let h = self.pool.forward(relu(self.conv1.forward(x)));
        let h = self.pool.forward(relu(self.conv2.forward(h)));
        let h = relu(self.conv3.forward(h));
        let [b, c, hh, ww] = h.dims();
        relu(self.fc1.forward(h.reshape([b, c * hh * ww])))
    }

    /// Class logits `[batch, classes]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.fc2.forward(self.dropout.forward(self.features(x)))
    }
}

/// A trained classifier as a [`FeatureNet`].
#[derive(Debug)]
pub struct ClassifierFeatures {
    /// The frozen network.
    pub net: Classifier,
    /// Name in protocols.
    pub name: String,
    /// sha256 of its weights file.
    pub sha256: String,
    /// Feature width.
    pub dim: usize,
}

impl FeatureNet for ClassifierFeatures {
    fn name(&self) -> &str {
        &self.name
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn weights_sha256(&self) -> &str {
        &self.sha256
    }
    fn preprocessing(&self) -> &str {
        "uint8 28x28 -> x / 127.5 - 1"
    }
    fn accepts(&self, shape: super::ImageShape) -> bool {
        shape == [1, 28, 28]
    }
    fn features(
        &self,
        images: &[u8],
        _shape: super::ImageShape,
        n: usize,
        device: &Device,
    ) -> Vec<f32> {
        let x = to_input(images, n, 28, 28, device);
        self.net
            .features(x)
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32 features")
    }
}

/// Loads a trained classifier from `dir/<dataset>.safetensors`, checking the sha256 recorded in
/// `dir/<dataset>.json` by `cargo xtask train-classifier`.
pub fn load_classifier(
    dir: &std::path::Path,
    dataset: &str,
    device: &Device,
) -> Result<ClassifierFeatures, crate::MetricError> {
    load_classifier_file(dir, dataset, device).map_err(crate::MetricError::Weights)
}

fn load_classifier_file(
    dir: &std::path::Path,
    dataset: &str,
    device: &Device,
) -> Result<ClassifierFeatures, String> {
    use burn::store::{ModuleSnapshot, SafetensorsStore};
    use sha2::{Digest, Sha256};
    let weights = dir.join(format!("{dataset}.safetensors"));
    let record = dir.join(format!("{dataset}.json"));
    let fix = "run `cargo xtask train-classifier --dataset DATASET` or restore the file from git";
    let bytes =
        std::fs::read(&weights).map_err(|e| format!("{}: {e}; {fix}", weights.display()))?;
    let text = std::fs::read_to_string(&record)
        .map_err(|e| format!("{}: {e}; {fix}", record.display()))?;
    let rec: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", record.display()))?;
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if rec["sha256"].as_str() != Some(sha.as_str()) {
        return Err(format!(
            "{}: sha256 {sha} does not match {}; {fix}",
            weights.display(),
            record.display()
        ));
    }
    let config = ClassifierConfig::new();
    let mut net = config.init(device);
    let mut store = SafetensorsStore::from_file(&weights).allow_partial(false);
    let result = net
        .load_from(&mut store)
        .map_err(|e| format!("{}: {e}", weights.display()))?;
    if !result.missing.is_empty() || !result.errors.is_empty() {
        return Err(format!(
            "{}: missing {:?}, errors {:?}",
            weights.display(),
            result.missing,
            result.errors
        ));
    }
    Ok(ClassifierFeatures {
        net,
        name: format!("cnn-{dataset}"),
        sha256: sha,
        dim: config.features,
    })
}
