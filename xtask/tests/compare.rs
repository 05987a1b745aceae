//! `compare` end to end on the default zoo: two schedule files and a mix of them, sampled on
//! fresh noise and compared in pairs; bad input stops before anything is written.

mod common;

use common::{stderr, xtask};

#[test]
fn compare_scores_schedule_files_in_pairs_and_refuses_bad_input() {
    if !common::have_data() {
        eprintln!("skipping: no data/fashion-mnist");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = |x: &std::path::Path| x.to_str().unwrap().to_string();
    let mut files = vec![];
    for m in ["xs", "s"] {
        let out = dir.path().join(m);
        let o = xtask(
            &["sample", "--model", m, "--nfe", "2", "--n", "1"]
                .into_iter()
                .chain(["--out", &p(&out)])
                .collect::<Vec<_>>(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let file = dir.path().join(format!("{m}.ron"));
        std::fs::copy(out.join("schedule.ron"), &file).unwrap();
        files.push(file);
    }
    // xs at the noisy step, s at the clean one.
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let mix = dir.path().join("xs_s.ron");
    std::fs::write(&mix, text.replacen("\"xs\"", "\"s\"", 1)).unwrap();
    files.push(mix);
    let out = dir.path().join("cmp");
    let base: Vec<String> = files
        .iter()
        .flat_map(|f| ["--schedule".to_string(), p(f)])
        .chain(
            [
                "--seed-sets",
                "1000",
                "--n",
                "8",
                "--batch",
                "8",
                "--spaces",
                "cnn",
                "--resamples",
                "20",
                "--out",
            ]
            .map(String::from),
        )
        .chain([p(&out)])
        .collect();
    let run = |extra: &[&str]| {
        let args: Vec<&str> = ["compare"]
            .into_iter()
            .chain(base.iter().map(String::as_str))
            .chain(extra.iter().copied())
            .collect();
        xtask(&args)
    };
    // an unknown name in a pair, then noise that labels may use: nothing is written
    let o = run(&["--pair", "xs:nope"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("`nope`"), "{}", stderr(&o));
    let o = run(&["--seed-sets", "7"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not fresh"), "{}", stderr(&o));
    assert!(!out.exists());

    let o = run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    // default pairs: every other schedule against the first
    let pairs = summary["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2, "{summary}");
    assert_eq!(
        (pairs[1]["a"].as_str(), pairs[1]["b"].as_str()),
        (Some("xs_s"), Some("xs"))
    );
    assert_eq!(summary["scores"].as_array().unwrap().len(), 3);
    let fd = pairs[0]["spaces"][0]["fd_diff"]["diff"].as_f64().unwrap();
    assert!(fd.is_finite() && fd != 0.0, "{summary}");
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(md.contains("| xs_s | xs |"), "{md}");
    for name in ["xs", "s", "xs_s"] {
        let images = oms_artifacts::read_images(&out.join(name).join("samples.npy")).unwrap();
        assert_eq!(images.file_shape(), [8, 28, 28], "{name}");
        assert!(out.join(name).join("grid.png").is_file());
    }
}
