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

/// A small UNet member (8 channels, one level) of the tests' manifests, with weights at
/// `<name>.safetensors` beside the manifest and none yet (`sha256: None`).
pub fn unet(name: &str, patch: usize) -> String {
    format!(
        r#"(name: "{name}", convention: (noise: Cosine(s: 0.008, t_max: 0.9946), prediction: V, time_input: Continuous(scale: 1000.0)),
        kind: Unet((config: (channels: 8, channel_mults: [1], num_res_blocks: 1, attn_resolutions: [], resolution: 28, image_channels: 1, groups: 4, dropout: 0.0, num_classes: None, patch: {patch}, attn_heads: 1, flip_sin_to_cos: false, freq_shift: 1.0, symmetric_downsample: false),
        checkpoint: "{name}.safetensors", sha256: None, dataset: "fashion-mnist",
        recipe: (steps: 10, batch: 8, lr: 0.001, warmup: 2, ema_decay: 0.9, grad_clip: 1.0, seed: 1, checkpoint_every: 5))))"#
    )
}

/// Writes `dir/zoo.ron`, a manifest named `name` of the given members (`unet(..)` strings),
/// creating `dir`; returns its path.
pub fn write_zoo(dir: &Path, name: &str, members: &[String]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let zoo = dir.join("zoo.ron");
    let text = format!(
        "(name: \"{name}\", image_shape: (1, 28, 28), members: [{}])",
        members.join(", ")
    );
    std::fs::write(&zoo, text).unwrap();
    zoo
}
