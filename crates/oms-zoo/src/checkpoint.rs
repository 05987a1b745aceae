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
    load_weights_except(module, path, &[]).map(|_| ())
}

/// [`load_weights`], except that tensors under one of the module paths `fresh` (e.g.
/// `"refine"`, a head added to an architecture since the file was written) may be missing from
/// the file: they keep their initialisation. Returns the paths of `fresh` that were missing.
pub fn load_weights_except<M: ModuleSnapshot>(
    module: &mut M,
    path: &Path,
    fresh: &[&str],
) -> Result<Vec<String>, ZooError> {
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
    let is_fresh = |p: &str| fresh.iter().any(|f| is_under(p, f));
    let missing: Vec<&str> = result
        .missing
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| !is_fresh(p))
        .collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "checkpoint lacks tensor(s) {}; it was written for another architecture",
            missing.join(", ")
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
    Ok(fresh
        .iter()
        .filter(|f| result.missing.iter().any(|(p, _)| is_under(p, f)))
        .map(|f| f.to_string())
        .collect())
}

/// Whether the tensor path `p` is the module path `module` or lies under it.
fn is_under(p: &str, module: &str) -> bool {
    p.strip_prefix(module)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Writes `module`'s tensors to `path` atomically (`oms_artifacts::write_atomic`). The
/// safetensors header is rewritten with sorted keys, so the same weights always give the same
/// bytes (and sha256).
pub fn save_weights<M: ModuleSnapshot>(module: &M, path: &Path) -> Result<(), ZooError> {
    let invalid = |message: String| ZooError::Invalid {
        path: path.to_owned(),
        message,
    };
    let bytes = safetensors_bytes(module).map_err(invalid)?;
    oms_artifacts::write_atomic(path, &bytes).map_err(|e| invalid(e.to_string()))
}

/// `module`'s tensors as a safetensors file with a sorted header ([`canonical_safetensors`]).
pub fn safetensors_bytes<M: ModuleSnapshot>(module: &M) -> Result<Vec<u8>, String> {
    let mut store = SafetensorsStore::from_bytes(None);
    let fail = |e: &dyn std::fmt::Display| format!("cannot serialise the weights: {e}");
    module.save_into(&mut store).map_err(|e| fail(&e))?;
    let bytes = store.get_bytes().map_err(|e| fail(&e))?;
    canonical_safetensors(&bytes)
}

/// The same safetensors file with its JSON header's keys sorted (at every level) and padded
/// with spaces to a multiple of 8 bytes; the tensor data is untouched.
pub fn canonical_safetensors(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let len = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")) as usize)
        .ok_or("file shorter than a safetensors header")?;
    let header = bytes
        .get(8..8 + len)
        .ok_or("safetensors header runs past the end of the file")?;
    let value: serde_json::Value =
        serde_json::from_slice(header).map_err(|e| format!("bad safetensors header: {e}"))?;
    let mut text = serde_json::to_string(&sorted(value)).expect("serialisable");
    while !text.len().is_multiple_of(8) {
        text.push(' ');
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&bytes[8 + len..]);
    Ok(out)
}

fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_safetensors;

    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn header_keys_are_sorted_and_data_kept() {
        let data = [1u8, 2, 3, 4, 5, 6, 7, 8];
        let a = file(
            r#"{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"__metadata__":{"z":"1","a":"2"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
            &data,
        );
        let b = file(
            r#"{"a":{"shape":[1],"dtype":"F32","data_offsets":[0,4]},"__metadata__":{"a":"2","z":"1"},"b":{"data_offsets":[4,8],"dtype":"F32","shape":[1]}}"#,
            &data,
        );
        let (ca, cb) = (
            canonical_safetensors(&a).unwrap(),
            canonical_safetensors(&b).unwrap(),
        );
        assert_eq!(ca, cb);
        assert_eq!(canonical_safetensors(&ca).unwrap(), ca);
        let len = u64::from_le_bytes(ca[..8].try_into().unwrap()) as usize;
        assert_eq!(len % 8, 0);
        assert_eq!(&ca[8 + len..], &data);
        let header = std::str::from_utf8(&ca[8..8 + len]).unwrap();
        assert!(
            header.find("__metadata__") < header.find("\"a\":"),
            "{header}"
        );
    }

    #[test]
    fn a_truncated_file_is_an_error() {
        assert!(canonical_safetensors(&[1, 2, 3]).is_err());
        assert!(canonical_safetensors(&file("{\"a\":", &[])).is_err());
        let mut long = file("{}", &[]);
        long[0] = 200;
        assert!(canonical_safetensors(&long).is_err());
    }
}
