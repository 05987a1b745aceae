//! `cargo xtask dataset` as real processes on the analytic zoo: shards plus merge equal one
//! process, and SIGKILL at arbitrary moments neither loses finished labels nor duplicates one.
//! Needs the datasets (`cargo xtask data`) for the reference statistics; skipped without them
//! unless OMS_REQUIRE_DATA=1.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use oms_dataset::{Record, read_records, same_label};

use common::{have_data, root};

fn command(args: &[String]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.args(args).current_dir(root());
    c
}

fn run(args: &[String]) -> Output {
    let o = command(args).output().unwrap();
    assert!(
        o.status.success(),
        "{:?}: {}",
        args,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Profiles the analytic zoo and returns the arguments of a small labelling run.
fn setup(dir: &Path, count: usize) -> Vec<String> {
    let profile = dir.join("profile");
    run(&[
        "profile".into(),
        "--zoo".into(),
        "configs/zoo/analytic.ron".into(),
        "--batch".into(),
        "8".into(),
        "--max-seconds".into(),
        "0.2".into(),
        "--out".into(),
        profile.display().to_string(),
    ]);
    let args = format!(
        "dataset --zoo configs/zoo/analytic.ron --latency {} --count {count} --n 40 --batch 20 --slots 3",
        profile.join("latency-b8.ron").display()
    );
    args.split(' ').map(String::from).collect()
}

fn with_out(args: &[String], extra: &[&str], out: &Path) -> Vec<String> {
    let mut a = args.to_vec();
    a.extend(extra.iter().map(|s| s.to_string()));
    a.extend(["--out".into(), out.display().to_string()]);
    a
}

fn assert_same(a: &[Record], b: &[Record]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!(same_label(x, y), "record {} differs: {x:?} vs {y:?}", x.id);
    }
}

#[test]
fn shards_plus_merge_equal_one_process() {
    if !have_data() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let args = setup(dir.path(), 9);
    let single = dir.path().join("single.jsonl");
    run(&with_out(&args, &[], &single));
    let one = read_records(&single).unwrap();
    assert_eq!(
        one.iter().map(|r| r.id).collect::<Vec<_>>(),
        (0..9).collect::<Vec<u64>>()
    );
    assert!(one.iter().all(|r| r.fd.is_finite() && r.n == 40));
    // Three shard processes at once, merged in a scrambled order.
    let shards: Vec<PathBuf> = (0..3)
        .map(|i| dir.path().join(format!("shard-{i}.jsonl")))
        .collect();
    let children: Vec<Child> = (0..3)
        .map(|i| {
            let shard = format!("{i}/3");
            command(&with_out(&args, &["--shard", &shard], &shards[i]))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let merged = dir.path().join("merged.jsonl");
    let mut merge_args: Vec<String> = vec!["dataset".into(), "merge".into()];
    for i in [2, 0, 1] {
        merge_args.push(shards[i].display().to_string());
    }
    merge_args.extend(["--out".into(), merged.display().to_string()]);
    run(&merge_args);
    assert_same(&read_records(&merged).unwrap(), &one);
}

#[test]
fn sigkill_at_any_moment_loses_at_most_the_label_in_progress() {
    if !have_data() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let count = 12;
    let args = setup(dir.path(), count);
    let reference = dir.path().join("reference.jsonl");
    run(&with_out(&args, &[], &reference));
    let want = read_records(&reference).unwrap();
    let out = dir.path().join("killed.jsonl");
    let a = with_out(&args, &[], &out);
    // Kill after a varying delay, each time once at least one more label exists.
    for (round, delay_ms) in [0u64, 13, 41, 7, 29].into_iter().enumerate() {
        let before = read_records(&out).map(|r| r.len()).unwrap_or(0);
        if before == count {
            break;
        }
        let mut child = command(&a)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while std::fs::read(&out).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) <= before
            && start.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let now = read_records(&out).unwrap();
        assert!(now.len() > before, "round {round}: no progress");
        let mut ids: Vec<u64> = now.iter().map(|r| r.id).collect();
        ids.dedup();
        assert_eq!(
            ids.len(),
            now.len(),
            "round {round}: a label was written twice"
        );
    }
    run(&a);
    assert_same(&read_records(&out).unwrap(), &want);
}

#[test]
fn a_cost_cap_labels_part_of_the_baseline_plan_and_the_rest_resumes() {
    if !have_data() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let args = setup(dir.path(), 10);
    let base = |extra: &[&str], out: &Path| {
        let mut e = vec!["--plan", "baselines", "--seed", "1"];
        e.extend_from_slice(extra);
        with_out(&args, &e, out)
    };
    let full = dir.path().join("full.jsonl");
    run(&base(&[], &full));
    let want = read_records(&full).unwrap();
    let mut costs: Vec<f64> = want.iter().map(|r| r.cost_ms).collect();
    costs.sort_by(f64::total_cmp);
    let cap = costs[costs.len() / 2];
    let part = dir.path().join("part.jsonl");
    run(&base(&["--max-cost", &cap.to_string()], &part));
    let got = read_records(&part).unwrap();
    let cheap: Vec<Record> = want.iter().filter(|r| r.cost_ms <= cap).cloned().collect();
    assert!(!cheap.is_empty() && cheap.len() < want.len());
    assert_same(&got, &cheap);
    // Without the cap the same file resumes to the whole plan.
    run(&base(&[], &part));
    let mut all = read_records(&part).unwrap();
    all.sort_by_key(|r| r.id);
    assert_same(&all, &want);
}

#[test]
fn labels_keep_both_feature_spaces_and_fresh_banks_are_refused() {
    // The EfficientNet reference costs ~5 minutes once (then cached in data/stats): CI runs
    // this (OMS_REQUIRE_DATA=1), a local run with OMS_SLOW_TESTS=1.
    let slow = ["OMS_REQUIRE_DATA", "OMS_SLOW_TESTS"]
        .iter()
        .any(|v| std::env::var(v).as_deref() == Ok("1"));
    if !have_data() || !slow {
        eprintln!("skipped: set OMS_SLOW_TESTS=1 (needs `cargo xtask data`)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let args = setup(dir.path(), 2);
    let out = dir.path().join("two.jsonl");
    run(&with_out(&args, &["--second-space", "efficientnet"], &out));
    let records = read_records(&out).unwrap();
    assert_eq!(records.len(), 2);
    for r in &records {
        let second = r.second.as_ref().expect("second space");
        assert_eq!(second.feature_net, "efficientnet-lite0-imagenet");
        assert!(second.fd.is_finite() && second.fd > 0.0 && second.kid.is_finite());
        assert_ne!(second.protocol_hash, r.protocol_hash);
    }
    // The same plan with one space is another run (another key), labelled to another file.
    let one = dir.path().join("one.jsonl");
    run(&with_out(&args, &[], &one));
    let single = read_records(&one).unwrap();
    assert!(single.iter().all(|r| r.second.is_none()));
    assert_ne!(single[0].run_key, records[0].run_key);
    assert_eq!(single[0].fd, records[0].fd);
    // A fresh-verification bank cannot be labelled.
    let fresh = dir.path().join("fresh.jsonl");
    let o = command(&with_out(&args, &["--seed", "1000"], &fresh))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("fresh verification"));
    assert!(!fresh.exists());
}
