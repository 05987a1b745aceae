//! `denoise-error` end to end on the default zoo: two members at two levels on a few test
//! images, paired against the reference; bad input stops before anything is written.

mod common;

use common::{stderr, xtask};

#[test]
fn denoise_error_measures_members_by_level_and_refuses_bad_input() {
    if !common::have_data() {
        eprintln!("skipping: no data/fashion-mnist");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("de");
    let o_s = out.to_str().unwrap();
    let run = |extra: &[&str]| {
        let args: Vec<&str> = ["denoise-error", "--models", "xs,s", "--batch", "3"]
            .into_iter()
            .chain(extra.iter().copied())
            .chain(["--out", o_s])
            .collect();
        xtask(&args)
    };
    for (extra, says) in [
        (
            &["--n", "5", "--reference", "nope"][..],
            "--reference 'nope'",
        ),
        (&["--n", "5", "--lambdas=-40"][..], "trained range"),
        (&["--n", "100000"][..], "holds 10000 images"),
    ] {
        let o = run(extra);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains(says), "{extra:?}: {}", stderr(&o));
        assert!(!out.exists(), "{extra:?} wrote output");
    }
    let o = run(&["--n", "5", "--lambdas=-2,4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["reference"], "s");
    let members = summary["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    for m in members {
        let levels = m["levels"].as_array().unwrap();
        assert_eq!(levels.len(), 2);
        for l in levels {
            let e = &l["eps_mse"];
            let (lo, mean, hi) = (
                e["lo"].as_f64().unwrap(),
                e["mean"].as_f64().unwrap(),
                e["hi"].as_f64().unwrap(),
            );
            assert!(
                mean > 0.0 && mean.is_finite() && lo <= mean && mean <= hi,
                "{l}"
            );
        }
    }
    // the reference against itself: exactly zero on every image
    let own = &members[1]["levels"][0]["minus_reference"];
    assert_eq!(own["mean"].as_f64(), Some(0.0), "{own}");
    let md = std::fs::read_to_string(out.join("denoise-error.md")).unwrap();
    assert!(
        md.contains("| xs | s |") && md.contains("Minus `s`"),
        "{md}"
    );
    assert!(out.join("denoise-error.png").exists() && out.join("denoise-error.svg").exists());
}
