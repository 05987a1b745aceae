//! `cargo xtask active` as a real process on the analytic zoo: rounds append new labels of the
//! search's best candidates (never one already labelled), continue a file, and repeat exactly
//! for the same file and seed. Needs the datasets (`cargo xtask data`) for the reference
//! statistics; skipped without them unless OMS_REQUIRE_DATA=1.

mod common;

use std::collections::HashSet;
use std::process::{Command, Output};

use oms_dataset::{Generator, Record, read_records, same_label};

use common::{have_data, root};

fn run(args: &[String]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{:?}: {}",
        args,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn words(s: &str) -> Vec<String> {
    s.split(' ').map(String::from).collect()
}

fn key(r: &Record) -> (Vec<u32>, String) {
    (r.slots.clone(), format!("{:?}", r.form))
}

#[test]
fn rounds_label_new_candidates_and_repeat_exactly() {
    if !have_data() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    run(&words(&format!(
        "profile --zoo configs/zoo/analytic.ron --batch 8 --max-seconds 0.2 --out {d}/profile"
    )));
    let latency = format!("{d}/profile/latency-b8.ron");
    run(&words(&format!(
        "dataset --zoo configs/zoo/analytic.ron --latency {latency} --count 24 --n 40 --batch 20 --slots 3 --out {d}/base.jsonl"
    )));
    let active = |out: &str, rounds: usize| {
        words(&format!(
            "active --zoo configs/zoo/analytic.ron --latency {latency} --labels {d}/base.jsonl --rounds {rounds} --per-budget 1 --generations 4 --epochs 3 --batch 20 --out {d}/{out}"
        ))
    };
    run(&active("a.jsonl", 1));
    let first = read_records(&dir.path().join("a.jsonl")).unwrap();
    assert!(!first.is_empty(), "a round labelled nothing");
    // Another round continues the file with new ids and new schedules.
    run(&active("a.jsonl", 1));
    let two = read_records(&dir.path().join("a.jsonl")).unwrap();
    assert!(two.len() > first.len(), "the second round added nothing");
    let ids: Vec<u64> = two.iter().map(|r| r.id).collect();
    assert_eq!(ids, (0..two.len() as u64).collect::<Vec<_>>());
    let base = read_records(&dir.path().join("base.jsonl")).unwrap();
    let mut seen: HashSet<_> = base.iter().map(key).collect();
    for r in &two {
        assert_eq!(r.generator, Generator::Active);
        assert!(r.fd.is_finite() && r.n == 40 && r.seed == base[0].seed);
        assert!(seen.insert(key(r)), "schedule {} labelled twice", r.id);
    }
    // The same labels and seed give the same rounds.
    run(&active("b.jsonl", 2));
    let again = read_records(&dir.path().join("b.jsonl")).unwrap();
    assert_eq!(again.len(), two.len());
    for (x, y) in again.iter().zip(&two) {
        assert!(same_label(x, y), "record {} differs", x.id);
    }
}
