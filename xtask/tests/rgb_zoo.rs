//! Bring your own zoo, end to end (issue 18, part 5): a two-member RGB 32x32 zoo of diffusers
//! model folders whose weights the test writes, imported with `import-diffusers`, your own
//! reference images, and the product's commands in order: profile, dataset,
//! train-predictor, search (verification, baselines, fresh-noise check, report) and sample with
//! the searched schedule. The members are untrained, so this checks the plumbing, not quality.
//! EfficientNet-Lite0 (ImageNet) is the feature space; it needs its weights (`cargo xtask data`).
//! About two minutes on two cores: runs in CI (OMS_REQUIRE_DATA=1) or with OMS_SLOW_TESTS=1.

mod common;

use common::xtask;

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use oms_schedule::{NoiseSchedule, NoiseSpec};
use oms_solver::{ModelConvention, Prediction, TimeInput};
use oms_zoo::unet::UnetConfig;

fn ok(args: &[&str]) -> String {
    let o = xtask(args);
    let text = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{args:?}:\n{text}");
    text
}

/// A member of `channels` base channels with random weights, written as a diffusers model folder
/// `dir/name` (what a user brings: `config.json`, `scheduler_config.json`, the safetensors).
fn member(dir: &Path, name: &str, channels: usize, mults: &[usize], device: &Device) -> PathBuf {
    let config = UnetConfig::new(channels, mults.to_vec(), 1)
        .with_resolution(32)
        .with_image_channels(3)
        .with_groups(4)
        .with_flip_sin_to_cos(true)
        .with_freq_shift(0.0)
        .with_symmetric_downsample(true);
    let convention = ModelConvention {
        noise: NoiseSchedule::new(NoiseSpec::DdpmLinear {
            beta_start: 0.0001,
            beta_end: 0.02,
            steps: 1000,
        })
        .unwrap(),
        prediction: Prediction::Eps,
        time_input: TimeInput::Discrete { steps: 1000 },
    };
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    oms_zoo::diffusers_write::write_folder(&folder, &config.init(device), &config, &convention)
        .unwrap();
    folder
}

fn arg(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

fn the_one(dir: &Path, ext: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

#[test]
fn an_rgb_zoo_goes_from_weights_to_a_searched_schedule() {
    let slow = ["OMS_REQUIRE_DATA", "OMS_SLOW_TESTS"]
        .iter()
        .any(|v| std::env::var(v).as_deref() == Ok("1"));
    if !slow {
        eprintln!("skipped: set OMS_SLOW_TESTS=1 (about two minutes, needs `cargo xtask data`)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    assert!(
        root.join("data/weights/efficientnet-lite0-57934424.pth")
            .exists(),
        "needs EfficientNet's weights: cargo xtask data"
    );
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (small, big) = (
        member(d, "small", 8, &[1], &device),
        member(d, "big", 16, &[1, 2], &device),
    );
    let zoo = d.join("zoo.ron");
    ok(&[
        "import-diffusers",
        "--folder",
        &arg(&small),
        "--folder",
        &arg(&big),
        "--out",
        &arg(&zoo),
    ]);
    let refs = d.join("refs.npy");
    let pixels: Vec<u8> = (0..24 * 3 * 32 * 32u64)
        .map(|i| ((i * 2654435761) >> 11) as u8)
        .collect();
    let images = oms_artifacts::Images {
        pixels,
        shape: vec![24, 3, 32, 32],
    };
    oms_artifacts::write_images(&refs, &images).unwrap();
    let metric = [
        "--feature-space",
        "efficientnet",
        "--reference-images",
        &arg(&refs),
        "--cache",
        &arg(&d.join("cache")),
    ];

    ok(&[
        "profile",
        "--zoo",
        &arg(&zoo),
        "--batch",
        "8",
        "--max-seconds",
        "1",
        "--out",
        &arg(&d.join("lat")),
    ]);
    let latency = the_one(&d.join("lat"), "ron");
    let labels = d.join("labels.jsonl");
    let common = [
        "--zoo",
        &arg(&zoo),
        "--latency",
        &arg(&latency),
        "--batch",
        "8",
    ];
    ok(&[
        &[
            "dataset",
            "--count",
            "20",
            "--n",
            "8",
            "--out",
            &arg(&labels),
        ],
        &common[..],
        &metric[..],
    ]
    .concat());
    let predictor = d.join("predictor");
    ok(&[
        "train-predictor",
        "--labels",
        &arg(&labels),
        "--zoo",
        &arg(&zoo),
        "--epochs",
        "3",
        "--out",
        &arg(&predictor),
    ]);
    let run = d.join("run");
    let text = ok(&[
        &[
            "search",
            "--labels",
            &arg(&labels),
            "--predictor",
            &arg(&predictor),
            "--baselines",
            &arg(&d.join("base.jsonl")),
            "--generations",
            "4",
            "--top",
            "1",
            "--n",
            "8",
            "--epochs",
            "3",
            "--fresh-n",
            "8",
            "--fresh-spaces",
            "efficientnet",
            "--out",
            &arg(&run),
        ][..],
        &common[..],
        &metric[..],
    ]
    .concat());
    for f in [
        "summary.json",
        "report.html",
        "fresh/summary.json",
        "schedules/b0-searched.json",
    ] {
        assert!(run.join(f).is_file(), "{f} missing:\n{text}");
    }
    let s = d.join("s");
    ok(&[
        "sample",
        "--zoo",
        &arg(&zoo),
        "--schedule",
        &arg(&run.join("schedules/b0-searched.json")),
        "--n",
        "4",
        "--out",
        &arg(&s),
    ]);
    let samples = oms_artifacts::read_images(&s.join("samples.npy")).unwrap();
    assert_eq!(samples.file_shape(), [4, 32, 32, 3]);
}
