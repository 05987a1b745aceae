//! The arguments every metric command shares, and the reference they lead to.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use burn::tensor::Device;
use oms_artifacts::{Images, read_images};
use oms_data::{DatasetKind, Split};
use oms_metrics::features::{
    FeatureNet, FeatureSpace, all_features, fitting_shape, load_inception,
};
use oms_metrics::{Reference, dataset_reference, images_reference};

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
    /// Your own reference images instead of --dataset's train split: a uint8 `.npy` / `.npz` or
    /// a folder of PNG / JPEG files of one size (all of them are used; statistics cached under --cache).
    #[arg(long)]
    pub reference_images: Option<PathBuf>,
}

impl MetricArgs {
    /// The network of a feature space (the CNN of `--dataset`, or EfficientNet under `--data`).
    pub fn space(&self, space: FeatureSpace, device: &Device) -> Result<Box<dyn FeatureNet>> {
        Ok(space.load(
            &self.data,
            &self.classifiers,
            self.dataset.dir_name(),
            device,
        )?)
    }

    /// Inception-v3 from `inception` when given (pytorch-fid's features), else `space`'s
    /// network.
    pub fn feature_net(
        &self,
        space: FeatureSpace,
        inception: Option<&Path>,
        device: &Device,
    ) -> Result<Box<dyn FeatureNet>> {
        match inception {
            Some(path) => Ok(Box::new(load_inception(path, device)?)),
            None => self.space(space, device),
        }
    }

    /// The reference under `net` (computed once, then cached): --reference-images when given,
    /// else --dataset's train split.
    pub fn reference(&self, net: &dyn FeatureNet, device: &Device) -> Result<Reference> {
        if let Some(path) = &self.reference_images {
            let images = read_images(path)?;
            return images_reference(net, &images, &self.cache, device)
                .with_context(|| format!("reference images {}", path.display()));
        }
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

/// Features of `images` under `net`, after checking that the network takes their shape.
pub fn features_of(net: &dyn FeatureNet, images: &Images, device: &Device) -> Result<Vec<f32>> {
    let shape = fitting_shape(net, images)?;
    let n = images.count();
    let per = images.pixels.len() / n.max(1);
    let pb = crate::progress::bar(n as u64, "features");
    let mut out = Vec::with_capacity(n * net.dim());
    for start in (0..n).step_by(500) {
        let count = 500.min(n - start);
        let chunk = &images.pixels[start * per..(start + count) * per];
        out.extend(all_features(net, chunk, shape, count, 500, device));
        pb.inc(count as u64);
    }
    pb.finish_and_clear();
    Ok(out)
}
