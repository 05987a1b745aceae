//! UNet weights on disk: safetensors files named by the manifest and checked by sha256.
//! A missing, corrupt or mismatched file is an error that names the file, the tensor and the fix.

use std::path::Path;

use burn::store::{ModuleSnapshot, SafetensorsStore};
use sha2::{Digest, Sha256};

use crate::error::ZooError;

/// Hex sha256 of a file's bytes.
pub fn file_sha256(path: &Path) -> Result<String, ZooError> {
    let bytes = std::fs::read(path).map_err(|source| ZooError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Loads every tensor of `module` from `path`; any missing, unused or mismatched tensor is an
/// error naming it.
pub fn load_weights<M: ModuleSnapshot>(module: &mut M, path: &Path) -> Result<(), ZooError> {
    let invalid = |message: String| ZooError::Invalid {
        path: path.to_owned(),
        message,
    };
    if !path.is_file() {
        return Err(invalid(
            "checkpoint file is missing; train it (`cargo xtask train-zoo`) or fix the path".into(),
        ));
    }
    let mut store = SafetensorsStore::from_file(path)
        .allow_partial(true)
        .validate(true);
    let result = module
        .load_from(&mut store)
        .map_err(|e| invalid(format!("cannot read checkpoint: {e}")))?;
    if !result.missing.is_empty() {
        let names: Vec<&str> = result.missing.iter().map(|(p, _)| p.as_str()).collect();
        return Err(invalid(format!(
            "checkpoint lacks tensor(s) {}; it was written for another architecture",
            names.join(", ")
        )));
    }
    if !result.errors.is_empty() {
        return Err(invalid(format!(
            "mismatched tensor(s): {:?}",
            result.errors
        )));
    }
    if !result.unused.is_empty() {
        return Err(invalid(format!(
            "checkpoint has tensor(s) the model does not: {:?}; check the architecture config",
            result.unused
        )));
    }
    Ok(())
}

/// Writes `module`'s tensors to `path` (temporary file, then rename).
pub fn save_weights<M: ModuleSnapshot>(module: &M, path: &Path) -> Result<(), ZooError> {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let invalid = |message: String| ZooError::Invalid {
        path: path.to_owned(),
        message,
    };
    module
        .save_into(&mut SafetensorsStore::from_file(&tmp).overwrite(true))
        .map_err(|e| invalid(format!("cannot write: {e}")))?;
    std::fs::rename(&tmp, path).map_err(|source| ZooError::Io {
        path: path.to_owned(),
        source,
    })
}
