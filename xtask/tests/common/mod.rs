//! Helpers shared by the process-level tests.

use std::path::{Path, PathBuf};

/// The workspace root (where the commands run).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Whether Fashion-MNIST is installed under data/; with OMS_REQUIRE_DATA=1 its absence fails.
pub fn have_data() -> bool {
    let ok = oms_data::Dataset::load(
        &root().join("data"),
        oms_data::DatasetKind::FashionMnist,
        oms_data::Split::Train,
    )
    .is_ok();
    if !ok && std::env::var("OMS_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!("OMS_REQUIRE_DATA=1 but data/fashion-mnist is missing: run `cargo xtask data`");
    }
    ok
}
