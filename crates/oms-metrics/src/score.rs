//! Scoring a set of generated images against a reference: FD and KID on the same features.

use serde::{Deserialize, Serialize};

use crate::MetricError;
use crate::frechet::{GaussianStats, frechet_distance};
use crate::kid::kid;
use crate::reference::Reference;

/// Quality of a sample set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Fréchet distance to the reference statistics.
    pub fd: f64,
    /// KID (mean over subsets).
    pub kid: f64,
    /// KID standard deviation over subsets.
    pub kid_std: f64,
    /// Number of generated images.
    pub n: usize,
}

/// KID subsets and their size (capped by the smaller set), as torch-fidelity's defaults scaled
/// down for small `n`.
pub const KID_SUBSETS: usize = 10;
/// Largest KID subset.
pub const KID_SUBSET_SIZE: usize = 1000;

/// Scores `features` (`n * dim`) against `reference`; KID subsets drawn with `seed`.
pub fn score_features(
    features: &[f32],
    dim: usize,
    reference: &Reference,
    seed: u64,
) -> Result<Score, MetricError> {
    let stats = GaussianStats::from_features(features, dim)?;
    let fd = frechet_distance(&stats, &reference.stats)?;
    let k = kid(
        features,
        &reference.features,
        dim,
        KID_SUBSETS,
        KID_SUBSET_SIZE,
        seed,
    )?;
    Ok(Score {
        fd,
        kid: k.mean,
        kid_std: k.std,
        n: stats.count,
    })
}
