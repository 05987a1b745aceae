//! What the pipeline's tests share: the repository root and the default zoo priced by the
//! committed CPU table.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use oms_pipeline::Setup;
use oms_pipeline::latency::read_profile;
use oms_zoo::ZooManifest;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The default zoo's manifest.
pub fn default_zoo() -> ZooManifest {
    ZooManifest::load(&root().join("configs/zoo/fashion-mnist-v2.ron")).unwrap()
}

/// The default zoo in 10 slots, priced by `assets/latency/fashion-mnist-cpu-b64.ron`.
pub fn setup() -> Setup {
    let profile = read_profile(&root().join("assets/latency/fashion-mnist-cpu-b64.ron")).unwrap();
    Setup::new(default_zoo(), profile, 10).unwrap()
}
