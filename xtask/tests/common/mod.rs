//! Helpers shared by the process-level tests. (Each test binary includes this module and uses
//! only some of it: hence the `allow`.)
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Runs the `xtask` binary with `args` in the workspace root.
pub fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// A finished command's standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
