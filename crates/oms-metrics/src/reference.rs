//! Reference statistics of a dataset split under a feature network, cached in a file keyed by
//! a protocol hash (dataset, split, feature network and its weights' hash, image count,
//! preprocessing), so a changed network or split can never be compared with stale numbers.

use std::path::{Path, PathBuf};

use oms_artifacts::write_atomic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::MetricError;
use crate::frechet::GaussianStats;

/// Everything that determines a reference: change any field and the hash changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Protocol {
    /// Dataset name.
    pub dataset: String,
    /// Split (`train` or `test`).
    pub split: String,
    /// Feature network name.
    pub feature_net: String,
    /// sha256 of the feature network's weights.
    pub weights_sha256: String,
    /// Number of reference images.
    pub count: usize,
    /// Image preprocessing before the network.
    pub preprocessing: String,
}

impl Protocol {
    /// First 16 hex digits of the sha256 of the protocol's JSON.
    pub fn hash(&self) -> String {
        let json = serde_json::to_string(self).expect("serialisable");
        Sha256::digest(json.as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Cached reference: the protocol, the statistics and the features themselves (for KID).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// What the numbers are of.
    pub protocol: Protocol,
    /// Mean and covariance.
    pub stats: GaussianStats,
    /// Row-major features (`count * dim`), for KID.
    #[serde(skip)]
    pub features: Vec<f32>,
}

impl Reference {
    /// The cache file of `protocol` under `dir` (`.json` statistics, `.f32` features).
    pub fn cache_path(dir: &Path, protocol: &Protocol) -> PathBuf {
        dir.join(format!(
            "{}-{}-{}-{}",
            protocol.dataset,
            protocol.split,
            protocol.feature_net,
            protocol.hash()
        ))
    }

    /// The cached reference of `protocol` under `dir`, if there is a complete one.
    pub fn load_cached(dir: &Path, protocol: &Protocol, dim: usize) -> Option<Reference> {
        let base = Self::cache_path(dir, protocol);
        let (json, bin) = (base.with_extension("json"), base.with_extension("f32"));
        let text = std::fs::read_to_string(&json).ok()?;
        let bytes = std::fs::read(&bin).ok()?;
        let mut r = serde_json::from_str::<Reference>(&text).ok()?;
        if r.protocol != *protocol || bytes.len() != 4 * r.stats.count * dim {
            return None;
        }
        r.features = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Some(r)
    }

    /// Loads the cached reference of `protocol`, or computes it with `compute` (features of all
    /// reference images) and caches it.
    pub fn load_or_compute(
        dir: &Path,
        protocol: &Protocol,
        dim: usize,
        compute: impl FnOnce() -> Vec<f32>,
    ) -> Result<Reference, MetricError> {
        if let Some(r) = Self::load_cached(dir, protocol, dim) {
            return Ok(r);
        }
        let base = Self::cache_path(dir, protocol);
        let (json, bin) = (base.with_extension("json"), base.with_extension("f32"));
        let features = compute();
        let stats = GaussianStats::from_features(&features, dim)?;
        let r = Reference {
            protocol: protocol.clone(),
            stats,
            features,
        };
        // Concurrent processes may fill the same cache: each writes its own temporary file.
        let io = |e: oms_artifacts::ArtifactError| {
            MetricError::Shape(format!("cannot write cache {}: {e}", base.display()))
        };
        let bytes: Vec<u8> = r.features.iter().flat_map(|v| v.to_le_bytes()).collect();
        write_atomic(&bin, &bytes).map_err(io)?;
        let text = serde_json::to_string(&r).expect("serialisable");
        write_atomic(&json, text.as_bytes()).map_err(io)?;
        Ok(r)
    }
}

/// The reference of a dataset split under `net` (the whole split, or its first
/// [`reference_limit`](crate::features::FeatureNet::reference_limit) images), cached in `cache_dir`.
pub fn dataset_reference(
    net: &dyn crate::features::FeatureNet,
    data_root: &Path,
    kind: oms_data::DatasetKind,
    split: oms_data::Split,
    cache_dir: &Path,
    device: &burn::prelude::Device,
) -> Result<Reference, MetricError> {
    let protocol = Protocol {
        dataset: kind.dir_name().into(),
        split: if split == oms_data::Split::Train {
            "train"
        } else {
            "test"
        }
        .into(),
        feature_net: net.name().into(),
        weights_sha256: net.weights_sha256().into(),
        count: net
            .reference_limit()
            .map_or(split.expected_len(), |n| n.min(split.expected_len())),
        preprocessing: net.preprocessing().into(),
    };
    // A cached reference needs no data files (machines that only label carry the cache).
    if let Some(r) = Reference::load_cached(cache_dir, &protocol, net.dim()) {
        return Ok(r);
    }
    let data = oms_data::Dataset::load(data_root, kind, split)
        .map_err(|e| MetricError::Shape(e.to_string()))?;
    if data.len() != split.expected_len() {
        return Err(MetricError::Shape(format!(
            "{} has {} images, expected {}",
            data_root.display(),
            data.len(),
            split.expected_len()
        )));
    }
    let pixels = &data.images[..protocol.count * data.rows * data.cols];
    Reference::load_or_compute(cache_dir, &protocol, net.dim(), || {
        let shape = [1, data.rows, data.cols];
        crate::features::all_features(net, pixels, shape, protocol.count, 500, device)
    })
}

/// The reference of a user's own images (a `.npy` stack or a folder of PNG / JPEG files, read by
/// the caller) under `net`: all of them, cached in `cache_dir` under a protocol named by the
/// sha256 of their shape and pixels, so another set never reuses it.
pub fn images_reference(
    net: &dyn crate::features::FeatureNet,
    images: &oms_artifacts::Images,
    cache_dir: &Path,
    device: &burn::prelude::Device,
) -> Result<Reference, MetricError> {
    let shape = crate::features::fitting_shape(net, images)?;
    let mut digest = Sha256::new();
    digest.update(format!("{:?}", images.shape).as_bytes());
    digest.update(&images.pixels);
    let id: String = digest
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let protocol = Protocol {
        dataset: format!("images-{id}"),
        split: "all".into(),
        feature_net: net.name().into(),
        weights_sha256: net.weights_sha256().into(),
        count: images.count(),
        preprocessing: net.preprocessing().into(),
    };
    Reference::load_or_compute(cache_dir, &protocol, net.dim(), || {
        crate::features::all_features(net, &images.pixels, shape, images.count(), 500, device)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protocol() -> Protocol {
        Protocol {
            dataset: "d".into(),
            split: "train".into(),
            feature_net: "cnn".into(),
            weights_sha256: "abc".into(),
            count: 4,
            preprocessing: "p".into(),
        }
    }

    #[test]
    fn the_cache_is_keyed_by_the_protocol() {
        let dir = std::env::temp_dir().join(format!("oms-ref-{}", std::process::id()));
        let p = protocol();
        let mut calls = 0;
        let f = vec![1.0, 2.0, 3.0, 5.0, 4.0, 1.0, 0.0, 2.0];
        let a = Reference::load_or_compute(&dir, &p, 2, || {
            calls += 1;
            f.clone()
        })
        .unwrap();
        let b = Reference::load_or_compute(&dir, &p, 2, || {
            calls += 1;
            f.clone()
        })
        .unwrap();
        assert_eq!((calls, &a.stats, &a.features), (1, &b.stats, &b.features));
        let mut q = p.clone();
        q.weights_sha256 = "other".into();
        assert_ne!(p.hash(), q.hash());
        let _ = Reference::load_or_compute(&dir, &q, 2, || {
            calls += 1;
            f.clone()
        })
        .unwrap();
        assert_eq!(calls, 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}
