//! `zoo-gate` end to end on a two-member zoo of barely trained members: every bar is judged
//! and written, and bad input stops before anything is written.

mod common;

use common::{stderr, unet, write_zoo, xtask};

#[test]
fn zoo_gate_judges_every_bar_and_refuses_bad_input() {
    if !common::have_data() {
        eprintln!("skipping: no data/fashion-mnist");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let zoo = write_zoo(dir.path(), "gate", &[unet("a", 4), unet("b", 1)]);
    let p = |x: &std::path::Path| x.to_str().unwrap().to_string();
    let (zoo_s, runs) = (p(&zoo), p(&dir.path().join("runs")));
    for m in ["a", "b"] {
        let o = xtask(&[
            "train-zoo",
            "--zoo",
            &zoo_s,
            "--member",
            m,
            "--runs",
            &runs,
            "--steps",
            "2",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let prof = dir.path().join("prof");
    let o = xtask(&[
        "profile",
        "--zoo",
        &zoo_s,
        "--batch",
        "4",
        "--max-seconds",
        "1",
        "--precision",
        "0.5",
        "--out",
        &p(&prof),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let latency = p(&prof.join("latency-b4.ron"));
    let out = dir.path().join("gate");
    let small = [
        "--n",
        "8",
        "--nfe",
        "3,2,3",
        "--orders",
        "2",
        "--spaces",
        "cnn",
        "--batch",
        "8",
        "--resamples",
        "20",
        "--out",
    ];
    let gate = |extra: &[&str]| {
        let base = ["zoo-gate", "--zoo", &zoo_s];
        xtask(&[&base[..], extra, &small[..], &[&p(&out)]].concat())
    };
    // a latency table of another zoo, a noise seed set that labels may use, a top NFE not sampled
    let o = gate(&[
        "--latency",
        "assets/latency/fashion-mnist-cpu-b64.ron",
        "--top-nfe",
        "3",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no latency for member 'a'"),
        "{}",
        stderr(&o)
    );
    let o = gate(&["--latency", &latency, "--seed-sets", "3", "--top-nfe", "3"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not fresh"), "{}", stderr(&o));
    let o = xtask(&[
        "zoo-gate",
        "--zoo",
        &zoo_s,
        "--latency",
        &latency,
        "--nfe",
        "3,3",
        "--top-nfe",
        "3",
        "--out",
        &p(&out),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("at least two NFEs"), "{}", stderr(&o));
    let o = gate(&["--latency", &latency, "--top-nfe", "20"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--top-nfe 20 is not among"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "nothing written on bad input");

    // NFEs out of order and repeated are sorted and counted once; --strict fails on a failing
    // zoo after writing its report
    let o = gate(&["--latency", &latency, "--top-nfe", "3", "--strict"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("does not pass the bars"),
        "{}",
        stderr(&o)
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let lat = &s["latency_ms"];
    let (a, b) = (lat["a"].as_f64().unwrap(), lat["b"].as_f64().unwrap());
    let spread = s["report"]["spread"].as_f64().unwrap();
    assert!((spread - a.max(b) / a.min(b)).abs() < 1e-9, "{s}");
    if a != b {
        assert_eq!(s["report"]["top"], if b > a { "b" } else { "a" });
    }
    let bars = s["report"]["bars"].as_array().unwrap();
    assert_eq!(bars.len(), 4);
    // one 2 -> 3 NFE comparison per member
    assert_eq!(s["report"]["steps"].as_array().unwrap().len(), 2);
    assert_eq!(s["scores"].as_array().unwrap().len(), 4);
    for score in s["scores"].as_array().unwrap() {
        assert!(score["fd"].as_f64().unwrap().is_finite(), "{score}");
    }
    // the floor is EfficientNet's, which was not scored: that bar cannot hold
    assert_eq!(bars[3]["pass"], false);
    assert!(
        bars[3]["detail"]
            .as_str()
            .unwrap()
            .starts_with("not measured")
    );
    assert_eq!(s["passed"], false);
    // the CNN's reference is the whole train split: no real image lies outside it, no floor
    assert_eq!(s["floors"].as_array().unwrap().len(), 0, "{s}");
    let md = std::fs::read_to_string(out.join("gate.md")).unwrap();
    assert!(md.contains("does not pass"), "{md}");

    // with a cache: the second gate reads every score, and after one member trains on, only
    // that member's runs are sampled again
    let cache = p(&dir.path().join("cache"));
    let summary = || -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
    };
    let fds = |s: &serde_json::Value| -> Vec<(String, f64)> {
        s["scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["member"].as_str().unwrap().to_string(),
                    x["fd"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let cached = [
        "--latency",
        &latency,
        "--top-nfe",
        "3",
        "--score-cache",
        &cache,
    ];
    let o = gate(&cached);
    assert!(o.status.success(), "{}", stderr(&o));
    let first = summary();
    assert_eq!(first["cache"]["scores_read"], 0, "{first}");
    assert_eq!(first["cache"]["runs_sampled"], 4);
    assert_eq!(
        fds(&first),
        fds(&s),
        "a gate that fills the cache scores as one without"
    );
    let o = gate(&cached);
    assert!(o.status.success(), "{}", stderr(&o));
    let second = summary();
    assert_eq!(second["cache"]["scores_read"], 4, "{second}");
    assert_eq!(second["cache"]["runs_sampled"], 0);
    assert_eq!(fds(&second), fds(&first));
    assert!(
        std::fs::read_to_string(out.join("gate.md"))
            .unwrap()
            .contains("read from the cache")
    );
    // the manifest before b's round, beside it so that its paths resolve
    let before_zoo = p(&dir.path().join("zoo-before.ron"));
    std::fs::copy(&zoo, &before_zoo).unwrap();
    let o = xtask(&[
        "train-zoo",
        "--zoo",
        &zoo_s,
        "--member",
        "b",
        "--runs",
        &runs,
        "--steps",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = gate(&cached);
    assert!(o.status.success(), "{}", stderr(&o));
    let third = summary();
    assert_eq!(third["cache"]["scores_read"], 2, "{third}");
    assert_eq!(third["cache"]["runs_sampled"], 2);
    let (before, after) = (fds(&second), fds(&third));
    assert_eq!(before[..2], after[..2], "member a is unchanged");
    assert_ne!(before[2..], after[2..], "member b trained on");
    let computed = third["cache"]["computed"][0].as_array().unwrap();
    let read: Vec<bool> = computed.iter().map(|c| c.is_string()).collect();
    assert_eq!(
        read,
        [true, true, false, false],
        "a's runs read, b's computed: {third}"
    );
    // a gate without the cache gives what the half-cached one gave
    let o = gate(&["--latency", &latency, "--top-nfe", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let uncached = summary();
    assert_eq!(fds(&uncached), fds(&third));
    assert_eq!(
        uncached["report"], third["report"],
        "the same verdicts and intervals"
    );

    // b's round against the manifest before it: b's two runs, paired with their cached scores
    let o = gate(&[&cached[..], &["--baseline-zoo", &before_zoo]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let fourth = summary();
    assert_eq!(fourth["cache"]["runs_sampled"], 0, "{fourth}");
    let changes = fourth["baseline"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "only b changed: {fourth}");
    for (c, nfe) in changes.iter().zip([2, 3]) {
        assert_eq!(
            (c["member"].as_str(), c["nfe"].as_u64()),
            (Some("b"), Some(nfe))
        );
        let (old, new) = (c["before"].as_f64().unwrap(), c["after"].as_f64().unwrap());
        assert!(
            (c["fd"]["diff"].as_f64().unwrap() - (new - old)).abs() < 1e-9,
            "{c}"
        );
    }
    let b_before: Vec<f64> = fds(&second)[2..].iter().map(|x| x.1).collect();
    let b_changes: Vec<f64> = changes
        .iter()
        .map(|c| c["before"].as_f64().unwrap())
        .collect();
    assert_eq!(b_before, b_changes, "the scores of b before its round");
    let md = std::fs::read_to_string(out.join("gate.md")).unwrap();
    assert!(md.contains("Change since"), "{md}");
    // against the current manifest nothing changed; an empty cache cannot give the baseline,
    // and the command says so before sampling anything
    let o = gate(&[&cached[..], &["--baseline-zoo", &zoo_s]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        summary()["baseline"]["changes"].as_array().unwrap().len(),
        0
    );
    let empty = p(&dir.path().join("empty-cache"));
    let o = gate(&[
        "--latency",
        &latency,
        "--top-nfe",
        "3",
        "--score-cache",
        &empty,
        "--baseline-zoo",
        &before_zoo,
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("not in the score cache"),
        "{}",
        stderr(&o)
    );
    assert!(
        !std::path::Path::new(&empty).exists(),
        "nothing sampled or stored"
    );
}
