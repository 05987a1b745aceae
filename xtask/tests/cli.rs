//! The command line end to end on the analytic zoo: outputs, determinism, bad input.

mod common;

use common::{stderr, xtask};

use std::path::Path;
use std::process::Command;

#[test]
fn sample_writes_every_artifact_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        let o = xtask(&[
            "sample",
            "--zoo",
            "configs/zoo/analytic.ron",
            "--schedule",
            "configs/schedules/analytic-mixed.ron",
            "--n",
            "10",
            "--batch",
            "4",
            "--seed",
            "3",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let (a, b) = (run("a"), run("b"));
    for f in ["samples.npy", "grid.png", "schedule.ron", "summary.json"] {
        assert!(a.join(f).is_file(), "{f} missing");
    }
    let images = oms_artifacts::read_images(&a.join("samples.npy")).unwrap();
    assert_eq!(images.shape, vec![10, 28, 28]);
    assert_eq!(
        std::fs::read(a.join("samples.npy")).unwrap(),
        std::fs::read(b.join("samples.npy")).unwrap()
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["nfe"], 10);
    assert_eq!(summary["samples_shape"], serde_json::json!([10, 28, 28]));
}

#[test]
fn batch_size_does_not_change_samples() {
    let dir = tempfile::tempdir().unwrap();
    let run = |batch: &str| {
        let out = dir.path().join(batch);
        let o = xtask(&[
            "sample",
            "--zoo",
            "configs/zoo/analytic.ron",
            "--model",
            "exact",
            "--nfe",
            "6",
            "--n",
            "5",
            "--batch",
            batch,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(out.join("samples.npy")).unwrap()
    };
    assert_eq!(run("2"), run("5"));
}

#[test]
fn bad_input_fails_cleanly_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o_str = out.to_str().unwrap();
    let o = xtask(&[
        "sample",
        "--zoo",
        "configs/zoo/missing.ron",
        "--model",
        "exact",
        "--out",
        o_str,
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("missing.ron"),
        "{}",
        stderr(&o)
    );
    let o = xtask(&[
        "sample",
        "--zoo",
        "configs/zoo/analytic.ron",
        "--model",
        "tiny",
        "--out",
        o_str,
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("exact, cosine-v, ddpm-x0, rough"),
        "{}",
        stderr(&o)
    );
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, "(format_version: 1, solver: DpmSolver, steps: [(from: -4.0, to: 1.0, order: 2, models: [\"exact\"])])").unwrap();
    let o = xtask(&[
        "sample",
        "--zoo",
        "configs/zoo/analytic.ron",
        "--schedule",
        bad.to_str().unwrap(),
        "--out",
        o_str,
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("step 0") && stderr(&o).contains("bad.ron"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&bad, "(format_version: 1, solver: Warp)").unwrap();
    let o = xtask(&[
        "sample",
        "--zoo",
        "configs/zoo/analytic.ron",
        "--schedule",
        bad.to_str().unwrap(),
        "--out",
        o_str,
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("malformed schedule file"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "a failed run must not create outputs");
}

#[test]
fn reference_encodings_import_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let f = file.to_str().unwrap();
    let o = xtask(&[
        "schedule",
        "import",
        "--zoo",
        "configs/zoo/analytic.ron",
        "--slots",
        "1,0,0,0,0,0,4,1,0",
        "--out",
        f,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = xtask(&[
        "schedule",
        "export",
        "--zoo",
        "configs/zoo/analytic.ron",
        "--schedule",
        f,
        "--length",
        "9",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "1,0,0,4,1,0,0,0,0"
    );
    let o = xtask(&[
        "schedule",
        "check",
        "--zoo",
        "configs/zoo/analytic.ron",
        "--schedule",
        f,
    ]);
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("3 NFE"),
        "{}",
        stderr(&o)
    );
    let o = xtask(&[
        "schedule",
        "import",
        "--zoo",
        "configs/zoo/analytic.ron",
        "--slots",
        "1,0,2",
        "--out",
        f,
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("slot invariant"),
        "{}",
        stderr(&o)
    );
}

/// A k-diffusion sigma list imports, exports as the same list with every NFE's level, and
/// samples; a list that is not decreasing is refused with the fix.
#[test]
fn sigma_lists_import_export_and_sample() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let f = file.to_str().unwrap();
    let zoo = "configs/zoo/analytic.ron";
    let sigmas = "14.6146,3.0,0.6,0.05,0";
    let import = |sig: &str| {
        xtask(&[
            "schedule",
            "import",
            "--zoo",
            zoo,
            "--sigmas",
            sig,
            "--models",
            "rough,rough,cosine-v,exact",
            "--solver",
            "dpm-solver",
            "--order",
            "2",
            "--out",
            f,
        ])
    };
    let o = import(sigmas);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = xtask(&["schedule", "sigmas", "--zoo", zoo, "--schedule", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let back: Vec<f64> = serde_json::from_value(v["sigmas"].clone()).unwrap();
    let given: Vec<f64> = sigmas.split(',').map(|s| s.parse().unwrap()).collect();
    for (b, g) in back.iter().zip(&given) {
        assert!((b - g).abs() <= 1e-9 * g, "{back:?} vs {given:?}");
    }
    // Three second-order steps and a first-order last step to the clean end: 7 NFE, each with
    // its model's own time; the first NFE sits at the first sigma.
    let nfe = v["nfe"].as_array().unwrap();
    assert_eq!(nfe.len(), 7);
    assert_eq!(nfe[0]["model"], "rough");
    assert!((nfe[0]["sigma"].as_f64().unwrap() - 14.6146).abs() < 1e-9);
    assert_eq!(nfe[6]["model"], "exact");
    let out = dir.path().join("samples");
    let o = xtask(&[
        "sample",
        "--zoo",
        zoo,
        "--schedule",
        f,
        "--n",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("samples.npy").is_file());
    std::fs::remove_file(&file).unwrap();
    let o = import("1.0,2.0,0");
    assert!(
        !o.status.success() && stderr(&o).contains("noisiest down"),
        "{}",
        stderr(&o)
    );
    assert!(!file.exists(), "a refused import writes nothing");
}

/// A diffusers folder this UNet cannot express is refused with the field and the file, and no
/// manifest is written (the happy path is `crates/oms-zoo/tests/import.rs`, whose weights need
/// the test's own key mapping).
#[test]
fn import_diffusers_refuses_what_it_cannot_express() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir_all(&model).unwrap();
    let config = r#"{"sample_size": 32, "in_channels": 3, "out_channels": 3,
        "block_out_channels": [8, 16], "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
        "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]}"#;
    oms_artifacts::write_atomic(&model.join("config.json"), config.as_bytes()).unwrap();
    let scheduler = r#"{"beta_schedule": "linear", "prediction_type": "epsilon"}"#;
    oms_artifacts::write_atomic(&model.join("scheduler_config.json"), scheduler.as_bytes())
        .unwrap();
    let out = dir.path().join("zoo.ron");
    let o = xtask(&[
        "import-diffusers",
        "--folder",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("CrossAttnDownBlock2D") && err.contains("config.json"),
        "{err}"
    );
    assert!(!out.exists());
}

/// `stats` writes a reference set's statistics as pytorch-fid's .npz, and `fid
/// --reference-stats` scores images against them: the same images give FD 0, others more, and
/// statistics of another width are refused. Needs only the committed CNN weights.
#[test]
fn stats_files_round_trip_through_fid() {
    let dir = tempfile::tempdir().unwrap();
    let images = |name: &str, seed: u64| {
        let path = dir.path().join(name);
        let pixels: Vec<u8> = (0..40 * 28 * 28u64)
            .map(|i| ((i * 2654435761 + seed * 97) >> 7) as u8)
            .collect();
        let stack = oms_artifacts::Images {
            pixels,
            shape: vec![40, 28, 28],
        };
        oms_artifacts::write_images(&path, &stack).unwrap();
        path
    };
    let (a, b) = (images("a.npy", 1), images("b.npy", 5));
    let st = dir.path().join("st");
    let o = xtask(&[
        "stats",
        "--images",
        a.to_str().unwrap(),
        "--out",
        st.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stats = st.join("stats.npz");
    let fd = |imgs: &Path, name: &str| {
        let out = dir.path().join(name);
        let o = xtask(&[
            "fid",
            "--images",
            imgs.to_str().unwrap(),
            "--reference-stats",
            stats.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        assert!(s["kid"].is_null());
        s["fd"].as_f64().unwrap()
    };
    assert!(fd(&a, "fa").abs() < 1e-6);
    assert!(fd(&b, "fb") > 1e-3);
    let other = dir.path().join("other.npz");
    let gs = oms_metrics::GaussianStats {
        dim: 2,
        count: 0,
        mean: vec![0.0; 2],
        cov: vec![1.0, 0.0, 0.0, 1.0],
    };
    oms_metrics::write_stats_npz(&other, &gs).unwrap();
    let o = xtask(&[
        "fid",
        "--images",
        a.to_str().unwrap(),
        "--reference-stats",
        other.to_str().unwrap(),
        "--out",
        dir.path().join("fo").to_str().unwrap(),
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("2-dimensional"),
        "{}",
        stderr(&o)
    );
}

/// RGB images (`[N, H, W, 3]` on disk; CIFAR-10's 32x32) go through `stats` and `fid` in the
/// ImageNet feature space: statistics of a folder of PNG files give FD 0 for the same images as
/// `.npy`, a colour change more. The project's CNN
/// (28x28 gray only) refuses them naming the shape. Needs EfficientNet's weights (`cargo xtask
/// data`); skipped without them unless OMS_REQUIRE_DATA=1.
#[test]
fn rgb_images_round_trip_through_stats_and_fid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    if !root
        .join("data/weights/efficientnet-lite0-57934424.pth")
        .exists()
    {
        assert_ne!(
            std::env::var("OMS_REQUIRE_DATA").as_deref(),
            Ok("1"),
            "no weights"
        );
        eprintln!("skipping: no EfficientNet weights (cargo xtask data)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let images = |name: &str, tint: u64| {
        let path = dir.path().join(name);
        let pixels: Vec<u8> = (0..12 * 32 * 32 * 3u64)
            .map(|i| (((i * 2654435761) >> 9) % 200 + tint * (i % 3 == 0) as u64) as u8)
            .collect();
        let stack = oms_artifacts::Images {
            pixels,
            shape: vec![12, 3, 32, 32],
        };
        oms_artifacts::write_images(&path, &stack).unwrap();
        path
    };
    let (a, b) = (images("a.npy", 0), images("b.npy", 50));
    // The same images as a folder of PNG files, the form pytorch-fid takes.
    let pngs = dir.path().join("pngs");
    std::fs::create_dir(&pngs).unwrap();
    let stack = oms_artifacts::read_images(&a).unwrap();
    for (i, img) in stack.pixels.chunks(3 * 32 * 32).enumerate() {
        let hwc: Vec<u8> = (0..32 * 32)
            .flat_map(|p| (0..3).map(move |c| img[c * 1024 + p]))
            .collect();
        image::RgbImage::from_raw(32, 32, hwc)
            .unwrap()
            .save(pngs.join(format!("{i:03}.png")))
            .unwrap();
    }
    let st = dir.path().join("st");
    let arg = |p: &Path| p.to_str().unwrap().to_owned();
    let o = xtask(&[
        "stats",
        "--space",
        "efficientnet",
        "--images",
        &arg(&pngs),
        "--out",
        &arg(&st),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // `fid` of `imgs` in the ImageNet space with `reference` arguments: (FD, KID or NaN).
    let fid = |imgs: &Path, name: &str, reference: &[&str]| {
        let out = dir.path().join(name);
        let (imgs, out_s) = (arg(imgs), arg(&out));
        let head = [
            "fid",
            "--space",
            "efficientnet",
            "--images",
            &imgs,
            "--out",
            &out_s,
        ];
        let o = xtask(&[&head[..], reference].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        (
            s["fd"].as_f64().unwrap(),
            s["kid"].as_f64().unwrap_or(f64::NAN),
        )
    };
    let stats = arg(&st.join("stats.npz"));
    let fd = |imgs: &Path, name: &str| fid(imgs, name, &["--reference-stats", &stats]).0;
    assert!(fd(&a, "fa").abs() < 1e-3);
    assert!(fd(&b, "fb") > 1e-2);
    // The same folder as the reference of FD and KID for every metric command
    // (--reference-images), its statistics cached once under --cache.
    let cache = dir.path().join("cache");
    let (pngs_s, cache_s) = (arg(&pngs), arg(&cache));
    let own = ["--reference-images", &pngs_s, "--cache", &cache_s];
    let both = |imgs: &Path, name: &str| fid(imgs, name, &own);
    let (same, other) = (both(&a, "ra"), both(&b, "rb"));
    assert!(same.0.abs() < 1e-3 && other.0 > 1e-2, "{same:?} {other:?}");
    assert!(other.1 > same.1, "KID orders them too: {same:?} {other:?}");
    assert_eq!(
        std::fs::read_dir(&cache).unwrap().count(),
        2,
        "one .json, one .f32"
    );
    let o = xtask(&[
        "stats",
        "--images",
        &arg(&a),
        "--out",
        &arg(&dir.path().join("cnn")),
    ]);
    let err = stderr(&o);
    assert!(
        !o.status.success() && err.contains("[12, 32, 32, 3]"),
        "{err}"
    );
    assert!(!dir.path().join("cnn").join("stats.npz").exists());
}

/// FD of real test images is far below FD of noise, and the protocol is recorded. Needs the
/// datasets (`cargo xtask data`); skipped without them unless OMS_REQUIRE_DATA=1.
#[test]
fn fid_scores_an_images_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let data = oms_data::Dataset::load(
        &root.join("data"),
        oms_data::DatasetKind::FashionMnist,
        oms_data::Split::Test,
    );
    let data = match data {
        Ok(d) => d,
        Err(e) if std::env::var("OMS_REQUIRE_DATA").as_deref() != Ok("1") => {
            eprintln!("skipping: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let n = 500;
    let score = |name: &str, pixels: Vec<u8>| {
        let npy = dir.path().join(format!("{name}.npy"));
        oms_artifacts::write_images(
            &npy,
            &oms_artifacts::Images {
                pixels,
                shape: vec![n, 28, 28],
            },
        )
        .unwrap();
        let out = dir.path().join(name);
        let o = xtask(&[
            "fid",
            "--images",
            npy.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(s["n"], n);
        assert!(s["protocol_hash"].as_str().is_some_and(|h| h.len() == 16));
        s["fd"].as_f64().unwrap()
    };
    let real = score("real", data.images[..n * 784].to_vec());
    let noise = score(
        "noise",
        (0..n * 784).map(|i| ((i * 7919) % 251) as u8).collect(),
    );
    assert!(real < noise / 10.0, "FD real {real} vs noise {noise}");
}

#[test]
fn labels_of_another_zoo_are_refused_before_any_work() {
    // v1 and v2 share member names and architectures; only the zoo key in each label tells
    // them apart.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("predictor");
    let o = xtask(&[
        "train-predictor",
        "--zoo",
        "configs/zoo/fashion-mnist-v2.ron",
        "--labels",
        "assets/labels/fashion-mnist.jsonl",
        "--epochs",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("assets/labels/fashion-mnist.jsonl: labelled with another zoo"),
        "{err}"
    );
    assert!(err.contains("configs/zoo/fashion-mnist-v2.ron"), "{err}");
    assert!(!out.exists(), "no output for refused labels");
}

/// Help speaks the user's words: no "bank" (noise seed set), and the old flag names still parse.
#[test]
fn help_says_noise_seed_set_and_old_flags_still_parse() {
    for cmd in [
        "search",
        "verify",
        "fid",
        "label-noise",
        "dataset",
        "sample",
        "active",
    ] {
        let o = xtask(&[cmd, "--help"]);
        let text = String::from_utf8_lossy(&o.stdout).to_lowercase();
        assert!(
            o.status.success() && text.contains("usage"),
            "{cmd}: {text}"
        );
        // Only the old flag names, given as such, may still say it.
        let rest = ["--fresh-bank", "--banks", "--bank"]
            .iter()
            .fold(text.clone(), |t, old| t.replace(old, ""));
        let banks: Vec<&str> = rest.lines().filter(|l| l.contains("bank")).collect();
        assert!(banks.is_empty(), "{cmd} --help says bank: {banks:?}");
    }
    // The alias parses (then the missing run folder fails, not the flag).
    let o = xtask(&["verify", "--run", "no/such/run", "--banks", "1000,1001"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("no/such/run"), "{err}");
}

/// Started in a folder below the workspace root, a command finds its defaults at the root (the
/// default zoo here) and writes where the user's relative path points from that folder.
#[test]
fn commands_run_from_any_folder_of_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let sub = root.join("crates");
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().canonicalize().unwrap();
    // `--out` as a path relative to crates/: up to the file system root, then down to the temp dir.
    let ups = sub.canonicalize().unwrap().components().count() - 1;
    let rel = format!(
        "{}{}",
        "../".repeat(ups),
        tmp.to_str().unwrap().trim_start_matches('/')
    );
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["sample", "--model", "xs", "--nfe", "2", "--n", "4", "--out"])
        .arg(format!("{rel}/out"))
        .current_dir(&sub)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.join("out/samples.npy").is_file());
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.join("out/summary.json")).unwrap()).unwrap();
    assert!(
        summary["zoo"]
            .as_str()
            .unwrap()
            .contains("fashion-mnist-v2"),
        "{summary}"
    );
}

/// `train-bench` times every UNet member of a manifest at each batch size (one row each) and
/// refuses an unknown member before writing anything. Needs the Fashion-MNIST training split
/// (`cargo xtask data`); skipped without it unless OMS_REQUIRE_DATA=1.
#[test]
fn train_bench_measures_each_member_and_batch() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let train = root.join("data/fashion-mnist/train-images-idx3-ubyte");
    if !train.is_file() && std::env::var("OMS_REQUIRE_DATA").as_deref() != Ok("1") {
        eprintln!("skipping: no {}", train.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let unet = |name: &str| {
        format!(
            r#"(name: "{name}", convention: (noise: LinearVp(beta_0: 0.1, beta_1: 20.0), prediction: V, time_input: Continuous(scale: 1000.0)),
            kind: Unet((config: (channels: 8, channel_mults: [1], num_res_blocks: 1, attn_resolutions: [], resolution: 28, image_channels: 1, groups: 4, dropout: 0.0, num_classes: None, patch: 4, attn_heads: 1, flip_sin_to_cos: false, freq_shift: 1.0, symmetric_downsample: false),
            checkpoint: "{name}.safetensors", sha256: None, dataset: "fashion-mnist",
            recipe: (steps: 10, batch: 16, lr: 0.001, warmup: 2, ema_decay: 0.9, grad_clip: 1.0, seed: 1, checkpoint_every: 5))))"#
        )
    };
    let zoo = dir.path().join("zoo.ron");
    let text = format!(
        "(name: \"bench\", image_shape: (1, 28, 28), members: [{}, {}])",
        unet("a"),
        unet("b")
    );
    std::fs::write(&zoo, text).unwrap();
    let out = dir.path().join("out");
    let (zoo, out_s) = (zoo.to_str().unwrap(), out.to_str().unwrap());
    let bad = xtask(&["train-bench", "--zoo", zoo, "--models", "c", "--out", out_s]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("no member 'c'"), "{}", stderr(&bad));
    assert!(!out.exists(), "nothing written on bad input");
    let args = [
        "train-bench",
        "--zoo",
        zoo,
        "--batch",
        "2,4",
        "--warmup",
        "1",
    ];
    let o = xtask(&[&args[..], &["--steps", "1", "--out", out_s]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let rows = s["rows"].as_array().unwrap();
    let keys: Vec<(&str, u64)> = rows
        .iter()
        .map(|r| (r["member"].as_str().unwrap(), r["batch"].as_u64().unwrap()))
        .collect();
    assert_eq!(keys, [("a", 2), ("a", 4), ("b", 2), ("b", 4)]);
    for r in rows {
        let ips = r["images_per_s"].as_f64().unwrap();
        assert!(ips.is_finite() && ips > 0.0, "{r}");
        assert!(r["mflop_per_image"].as_f64().unwrap() > 0.0, "{r}");
    }
    let md = std::fs::read_to_string(out.join("train-bench.md")).unwrap();
    assert_eq!(md.matches("\n| a | ").count(), 2, "{md}");
}

#[test]
fn schedule_check_prices_a_schedule_on_a_latency_table() {
    // Session 31's m -> xl schedule and the table its costs.md was computed from (6625 ms).
    let dir = "docs/zoo/v3-2026-12-08-epyc/xl-mixes";
    let schedule = format!("{dir}/seed-6000/schedules/m_xl-o2-10.ron");
    let latency = format!("{dir}/profile/latency-b64.ron");
    let base = [
        "schedule",
        "check",
        "--zoo",
        "configs/zoo/fashion-mnist-v3.ron",
        "--schedule",
        &schedule,
    ];
    let o = xtask(&[&base[..], &["--latency", &latency]].concat());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("10 NFE, cost 6625.") && out.contains("batch of 64"),
        "{out}{}",
        stderr(&o)
    );
    let o = xtask(&base);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("no nominal cost") && !out.contains("NaN"),
        "{out}{}",
        stderr(&o)
    );
}
