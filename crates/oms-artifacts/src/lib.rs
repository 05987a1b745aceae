//! Artifacts of oms commands: `samples.npy` (uint8 images), PNG sample grids and
//! `summary.json`, all written atomically (temporary file, then rename) so that a failed run
//! never leaves a partial or corrupted file behind.

mod atomic;
mod folder;
mod grid;
mod npy;
mod plot;

pub use atomic::{write_atomic, write_atomic_with, write_json};
pub use folder::{IMAGE_EXTENSIONS, read_image_folder};
pub use grid::{grid_png, write_grid};
pub use npy::{Images, read_images, write_images};
pub use plot::{PlotText, Series, plot_svg, register_plot_font, write_plot};

use std::path::PathBuf;

use thiserror::Error;

/// Why an artifact could not be written or read.
#[derive(Debug, Error)]
pub enum ArtifactError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file's content is not what was expected.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// Maps model-space pixels in `[-1, 1]` to `u8` (rounded, clamped).
pub fn to_u8(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .map(|v| ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_mapping_clamps_and_rounds() {
        assert_eq!(
            to_u8(&[-2.0, -1.0, 0.0, 1.0, 3.0, f32::NAN]),
            vec![0, 0, 128, 255, 255, 0]
        );
    }
}
