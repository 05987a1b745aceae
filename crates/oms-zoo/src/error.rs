//! Errors of zoo manifests: each names the file and what to change.

use std::path::PathBuf;

use thiserror::Error;

/// A zoo could not be loaded.
#[derive(Debug, Error)]
pub enum ZooError {
    /// The file could not be read.
    #[error("{path}: cannot read the zoo manifest: {source}; check the path given to --zoo")]
    Io {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid manifest.
    #[error("{path}: malformed zoo manifest: {message}")]
    Parse {
        /// The manifest path.
        path: PathBuf,
        /// Parser message with line and column.
        message: String,
    },
    /// The manifest parses but does not make sense.
    #[error("{path}: invalid zoo manifest: {message}")]
    Invalid {
        /// The manifest path.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
}
