//! `train-zoo --warm-start` and `--batch` end to end: a member whose run folder is gone
//! continues from its committed weights and record, weights that are not the recorded ones are
//! refused, and a larger batch continues through the images seen.

mod common;

use common::{stderr, unet, write_zoo, xtask};

fn record(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("a.train.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_warm_start_continues_the_committed_weights_and_refuses_others() {
    if !common::have_data() {
        eprintln!("skipping: no data/fashion-mnist");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let zoo = write_zoo(dir.path(), "warm", &[unet("a", 4)]);
    let p = |x: &std::path::Path| x.to_str().unwrap().to_string();
    let zoo_s = p(&zoo);
    let train = |runs: &str, steps: &str, warm: bool| {
        let runs = p(&dir.path().join(runs));
        let mut args = vec![
            "train-zoo",
            "--zoo",
            &zoo_s,
            "--runs",
            &runs,
            "--steps",
            steps,
        ];
        if warm {
            args.push("--warm-start");
        }
        xtask(&args)
    };
    // No weights yet: the warm start has nothing to continue, the run starts at step 0.
    let o = train("first", "2", true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("training from step 0"),
        "{}",
        stderr(&o)
    );
    let at2 = record(dir.path());
    assert_eq!(at2["steps"], 2);
    assert!(at2["warm_start"].is_null(), "{at2}");
    // The first run folder is lost; a fresh one continues from the committed step 2.
    let o = train("second", "4", true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warm start at step 2"),
        "{}",
        stderr(&o)
    );
    let at4 = record(dir.path());
    assert_eq!(at4["steps"], 4);
    assert_eq!(at4["warm_start"]["step"], 2);
    assert_eq!(at4["warm_start"]["sha256"], at2["sha256"]);
    assert_ne!(at4["sha256"], at2["sha256"], "the weights trained on");
    let manifest = std::fs::read_to_string(&zoo).unwrap();
    assert!(manifest.contains(at4["sha256"].as_str().unwrap()));
    assert!(at4["command"].as_str().unwrap().ends_with("--warm-start"));
    // Weights at the step asked for already: nothing to continue.
    let o = train("third", "4", true);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("at step 4 already"), "{}", stderr(&o));
    // Weights that are not the recorded ones are refused, and nothing is written.
    let weights = dir.path().join("a.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    bytes.push(0);
    std::fs::write(&weights, &bytes).unwrap();
    let o = train("fourth", "6", true);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is not the weights"), "{}", stderr(&o));
    assert!(!dir.path().join("fourth").exists());
    assert_eq!(record(dir.path()), at4);
    assert_eq!(std::fs::read_to_string(&zoo).unwrap(), manifest);
}

#[test]
fn a_larger_batch_continues_through_images_seen_and_stale_folders_are_refused() {
    if !common::have_data() {
        eprintln!("skipping: no data/fashion-mnist");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let zoo = write_zoo(dir.path(), "batch", &[unet("a", 4)]);
    let zoo_s = zoo.to_str().unwrap().to_string();
    let train = |runs: &str, extra: &[&str]| {
        let runs = dir.path().join(runs).to_str().unwrap().to_string();
        let mut args = vec!["train-zoo", "--zoo", &zoo_s, "--runs", &runs];
        args.extend_from_slice(extra);
        xtask(&args)
    };
    // Two steps at the recipe's batch 8: 16 images.
    let o = train("small", &["--steps", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest = std::fs::read_to_string(&zoo).unwrap();
    // That folder goes on only at batch 8; a batch that is no multiple of 8 is refused.
    for (batch, why) in [("16", "was trained at batch 8"), ("12", "not a multiple")] {
        let o = train("small", &["--batch", batch, "--steps", "4"]);
        assert!(!o.status.success());
        assert!(stderr(&o).contains(why), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&zoo).unwrap(), manifest);
    // A fresh folder at batch 16 continues the committed 16 images at its step 1.
    let o = train("large", &["--batch", "16", "--steps", "3", "--warm-start"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warm start at step 1"),
        "{}",
        stderr(&o)
    );
    let r = record(dir.path());
    assert_eq!(
        (r["steps"].as_u64(), r["warm_start"]["step"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(r["recipe"]["batch"], 16);
    assert!((r["recipe"]["lr"].as_f64().unwrap() - 0.001 * 2f64.sqrt()).abs() < 1e-12);
    assert!(r["command"].as_str().unwrap().contains("--batch 16"), "{r}");
    // The linear rule doubles the learning rate at twice the batch (a zoo of its own folder).
    let lin_dir = dir.path().join("lin");
    let zoo2 = write_zoo(&lin_dir, "lin", &[unet("a", 4)]);
    let runs2 = lin_dir.join("runs").to_str().unwrap().to_string();
    let o = xtask(&[
        "train-zoo",
        "--zoo",
        zoo2.to_str().unwrap(),
        "--runs",
        &runs2,
        "--batch",
        "16",
        "--lr-rule",
        "linear",
        "--steps",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lin = record(&lin_dir);
    assert!(
        (lin["recipe"]["lr"].as_f64().unwrap() - 0.002).abs() < 1e-12,
        "{lin}"
    );
    assert!(
        lin["command"]
            .as_str()
            .unwrap()
            .contains("--batch 16 --lr-rule linear")
    );
    // The batch-8 folder (16 images) is now behind the committed weights (48): training it on
    // would replace them, so it is refused and nothing changes.
    let manifest = std::fs::read_to_string(&zoo).unwrap();
    let o = train("small", &["--steps", "4"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("behind the committed weights"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&zoo).unwrap(), manifest);
    assert_eq!(record(dir.path()), r);
}

#[test]
fn a_cooldown_ends_the_run_and_steps_past_it_are_refused() {
    if !common::have_data() {
        eprintln!("skipping: no data/fashion-mnist");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let member = unet("a", 4).replace(
        "checkpoint_every: 5",
        "cooldown: Some((from: 1, to: 3)), checkpoint_every: 5",
    );
    let zoo = write_zoo(dir.path(), "cool", &[member]);
    let runs = dir.path().join("runs");
    let (zoo_s, runs_s) = (zoo.to_str().unwrap(), runs.to_str().unwrap());
    let train = |steps: &str| {
        xtask(&[
            "train-zoo",
            "--zoo",
            zoo_s,
            "--runs",
            runs_s,
            "--steps",
            steps,
        ])
    };
    let o = train("4");
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("the cool-down ends at step 3"), "{err}");
    assert!(err.contains(zoo_s), "names the manifest: {err}");
    assert!(!runs.join("a").exists(), "nothing written");
    let o = train("3");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(record(dir.path())["steps"], 3);
}
