//! One loader for feature networks whose weights are a PyTorch file (`.pth` / `.pt`, zip or
//! legacy pickle) or the same tensors as safetensors: every network tensor must be present with
//! its shape, the file's extra tensors must be ones the caller names as ignored, and the error
//! names the file and the fix.

use burn::module::Module;
use burn::store::{
    KeyRemapper, ModuleSnapshot, PyTorchToBurnAdapter, PytorchStore, SafetensorsStore,
};
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a weight file must hold and how its names map onto the module.
pub(crate) struct TorchFile<'a> {
    /// The fix the error message gives (which file to pass, how to get it).
    pub fix: &'a str,
    /// Regex renames from the file's tensor names to the module's.
    pub remap: &'a [(&'a str, &'a str)],
    /// Prefixes of the file's tensors the module does not use (a classifier head).
    pub ignored: &'a [&'a str],
    /// The only sha256 accepted, when the file is pinned.
    pub sha256: Option<&'a str>,
}

/// Loads `path` into `net`; returns the file's sha256.
pub(crate) fn load_torch_module<M: Module + ModuleSnapshot>(
    net: &mut M,
    path: &Path,
    spec: &TorchFile,
) -> Result<String, String> {
    let fix = spec.fix;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}; {fix}", path.display()))?;
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Some(want) = spec.sha256.filter(|want| *want != sha256) {
        return Err(format!(
            "{}: sha256 {sha256} is not the pinned {want}; {fix}",
            path.display()
        ));
    }
    let remap = KeyRemapper::from_patterns(spec.remap.to_vec()).map_err(|e| e.to_string())?;
    let pytorch = path.extension().is_some_and(|e| e == "pth" || e == "pt");
    let result = if pytorch {
        let mut store = PytorchStore::from_file(path)
            .remap(remap)
            .allow_partial(true);
        net.load_from(&mut store)
            .map_err(|e| format!("{}: {e}; {fix}", path.display()))?
    } else {
        let mut store = SafetensorsStore::from_file(path)
            .remap(remap)
            .with_from_adapter(PyTorchToBurnAdapter)
            .allow_partial(true);
        net.load_from(&mut store)
            .map_err(|e| format!("{}: {e}; {fix}", path.display()))?
    };
    if !result.missing.is_empty() || !result.errors.is_empty() {
        let missing: Vec<&str> = result.missing.iter().map(|(p, _)| p.as_str()).collect();
        return Err(format!(
            "{}: missing {} / mismatched {:?}; {fix}",
            path.display(),
            missing.join(", "),
            result.errors
        ));
    }
    let unexpected: Vec<&String> = result
        .unused
        .iter()
        .filter(|k| {
            !spec.ignored.iter().any(|p| k.starts_with(p)) && !k.ends_with("num_batches_tracked")
        })
        .collect();
    if !unexpected.is_empty() {
        return Err(format!(
            "{}: unexpected tensors {unexpected:?}; {fix}",
            path.display()
        ));
    }
    Ok(sha256)
}
