//! The arguments every metric command shares, and the reference they lead to.

use std::path::PathBuf;

use anyhow::Result;
use burn::tensor::Device;
use oms_data::{DatasetKind, Split};
use oms_metrics::features::{ClassifierFeatures, FeatureNet, FeatureSpace, load_classifier};
use oms_metrics::{Reference, dataset_reference};

/// Where the data, the feature networks and the reference cache live.
#[derive(clap::Args)]
pub struct MetricArgs {
    /// Dataset of the reference statistics and the feature network.
    #[arg(long, default_value = "fashion-mnist")]
    pub dataset: DatasetKind,
    /// Data root (see `cargo xtask data`).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Folder of the trained feature networks.
    #[arg(long, default_value = "assets/classifier")]
    pub classifiers: PathBuf,
    /// Cache of reference statistics.
    #[arg(long, default_value = "data/stats")]
    pub cache: PathBuf,
}

impl MetricArgs {
    /// The project's CNN feature network of the dataset.
    pub fn classifier(&self, device: &Device) -> Result<ClassifierFeatures> {
        Ok(load_classifier(
            &self.classifiers,
            self.dataset.dir_name(),
            device,
        )?)
    }

    /// The network of a feature space (the CNN of `--dataset`, or EfficientNet under `--data`).
    pub fn space(&self, space: FeatureSpace, device: &Device) -> Result<Box<dyn FeatureNet>> {
        Ok(space.load(
            &self.data,
            &self.classifiers,
            self.dataset.dir_name(),
            device,
        )?)
    }

    /// The train-split reference under `net` (computed once, then cached).
    pub fn reference(&self, net: &dyn FeatureNet, device: &Device) -> Result<Reference> {
        Ok(dataset_reference(
            net,
            &self.data,
            self.dataset,
            Split::Train,
            &self.cache,
            device,
        )?)
    }
}
