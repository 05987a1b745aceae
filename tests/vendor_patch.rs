//! The vendored cubecl-cuda (vendor/README.md, issue 21) is the one the `cuda` feature builds.
//!
//! Cargo only warns when a `[patch.crates-io]` entry no longer matches the graph (after a
//! cubecl upgrade, say), and the `cuda` feature would then pull cubecl-llvm and its
//! downloading build script back in without any build of the default features noticing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(name, version, source)` of every `[[package]]` in a Cargo.lock.
fn locked_packages(lock: &str) -> Vec<(String, String, Option<String>)> {
    let field = |block: &str, key: &str| {
        block.lines().find_map(|l| {
            l.strip_prefix(&format!("{key} = \""))
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string)
        })
    };
    lock.split("[[package]]")
        .skip(1)
        .map(|b| {
            let name = field(b, "name").expect("every locked package has a name");
            let version = field(b, "version").expect("every locked package has a version");
            (name, version, field(b, "source"))
        })
        .collect()
}

/// The `version = "..."` of a (normalised) Cargo.toml's `[package]`.
fn manifest_version(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let package = text.split("[package]").nth(1).expect("a [package] table");
    let line = package
        .lines()
        .find(|l| l.starts_with("version = "))
        .unwrap();
    line.trim_start_matches("version = ")
        .trim_matches('"')
        .to_string()
}

#[test]
fn the_cubecl_cuda_patch_is_in_use() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let packages = locked_packages(&lock);
    let vendored = manifest_version(&root().join("vendor/cubecl-cuda/Cargo.toml"));
    let cuda: Vec<_> = packages.iter().filter(|p| p.0 == "cubecl-cuda").collect();
    assert_eq!(cuda.len(), 1, "one cubecl-cuda in Cargo.lock: {cuda:?}");
    assert_eq!(
        cuda[0].2, None,
        "Cargo.lock takes cubecl-cuda from {:?}, not vendor/cubecl-cuda: the patch no longer \
         matches burn's cubecl; port it (vendor/README.md)",
        cuda[0].2
    );
    assert_eq!(cuda[0].1, vendored);
    for name in [
        "cubecl",
        "cubecl-core",
        "cubecl-cpp",
        "cubecl-runtime",
        "cubecl-server",
    ] {
        let versions: Vec<_> = packages
            .iter()
            .filter(|p| p.0 == name)
            .map(|p| &p.1)
            .collect();
        assert_eq!(
            versions,
            [&vendored],
            "{name} is locked at {versions:?} but vendor/cubecl-cuda is {vendored}: port the \
             patch to the new release (vendor/README.md)"
        );
    }
}

/// `cargo tree` over the `cuda` build's graph, inverted on `package`: what pulls it in.
fn cuda_graph_inverted(package: &str) -> String {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["tree", "--locked", "-p", "xtask", "--features", "cuda"])
        .args(["-e", "normal,build", "-i", package])
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("did not match any packages") {
        return String::new(); // not even in Cargo.lock
    }
    assert!(out.status.success(), "cargo tree failed: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_cuda_build_compiles_the_vendored_crate_and_no_llvm() {
    let cuda = cuda_graph_inverted("cubecl-cuda");
    assert!(
        cuda.lines()
            .next()
            .unwrap_or("")
            .contains("vendor/cubecl-cuda"),
        "the cuda feature does not build vendor/cubecl-cuda:\n{cuda}"
    );
    let llvm = cuda_graph_inverted("cubecl-llvm");
    assert!(
        llvm.trim().is_empty(),
        "cubecl-llvm (whose build script downloads LLVM) is back in the cuda build:\n{llvm}"
    );
}
