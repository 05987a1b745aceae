//! Quality metrics of oms: the Fréchet distance between Gaussian feature statistics and the
//! kernel inception distance (KID), computed in f64, and the feature networks they run on.

pub mod corrupt;
pub mod features;
mod frechet;
mod kid;
pub mod paired;
pub mod reference;
mod score;
pub mod stats_file;

pub use frechet::{GaussianStats, frechet_distance};
pub use kid::{Kid, kid, kid_on_subsets};
pub use reference::{Protocol, Reference, dataset_reference, images_reference};
pub use score::{KID_SUBSET_SIZE, KID_SUBSETS, Score, score_features};
pub use stats_file::{read_stats_npz, write_stats_npz};

use thiserror::Error;

/// Why a metric could not be computed.
#[derive(Debug, Error, PartialEq)]
pub enum MetricError {
    /// Inputs have the wrong shape.
    #[error("{0}")]
    Shape(String),
    /// A feature network's weights are missing, changed or of another architecture (the message
    /// names the file and the fix).
    #[error("{0}")]
    Weights(String),
    /// A numerical routine failed.
    #[error("numerical failure: {0}")]
    Numerical(String),
    /// A statistics file cannot be read or written (the message names the file).
    #[error("{0}")]
    File(String),
}
