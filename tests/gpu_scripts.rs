//! The device scripts that carry a job's files over several calls (scripts/gpu/README.md):
//! `split.sh` cuts them into call folders, `stage.sh` on the device puts them back together.
//! A GPU is lent to few sessions, so the path is checked here, on small files, with the device
//! tool's behaviour imitated: each call arrives as a fresh folder, and only the stage folder
//! (the warm machine's `/tmp/oms`) lasts from one call to the next.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn script(name: &str, envs: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/gpu").join(name)).args(args);
    cmd.env("EXTRA", "").env_remove("JOB").env_remove("STAGE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("bash runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Bytes that do not repeat, so a part in the wrong place changes the file.
fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as u8
        })
        .collect()
}

/// Splits two files with 1 MiB call folders; returns (temp dir, carry dir, the files' bytes).
fn planned() -> (tempfile::TempDir, PathBuf, Vec<(String, Vec<u8>)>) {
    let tmp = tempfile::tempdir().unwrap();
    let files = vec![
        ("big.tar.xz".to_string(), bytes(2_500_000, 1)),
        ("small.tar".to_string(), bytes(300_000, 2)),
    ];
    for (name, b) in &files {
        fs::write(tmp.path().join(name), b).unwrap();
    }
    let carry = tmp.path().join("carry");
    let args: Vec<String> = files
        .iter()
        .map(|(n, _)| tmp.path().join(n).display().to_string())
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = script(
        "split.sh",
        &[("CARRY", &carry), ("PART_MIB", Path::new("1"))],
        &args,
    );
    assert!(out.status.success(), "split.sh failed: {}", text(&out));
    (tmp, carry, files)
}

/// The call folders split.sh wrote, in call order.
fn calls(carry: &Path) -> Vec<PathBuf> {
    let n = fs::read_dir(carry)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("call-")
        })
        .count();
    (1..=n).map(|k| carry.join(format!("call-{k}"))).collect()
}

/// Runs stage.sh as the device would for one call: only that call's folder has arrived.
fn stage_call(tmp: &Path, call: &Path, stage: &Path, need_all: bool) -> Output {
    let arrived = tmp.join("arrived");
    let _ = fs::remove_dir_all(&arrived);
    let dest = arrived.join(call.file_name().unwrap());
    fs::create_dir_all(&dest).unwrap();
    for e in fs::read_dir(call).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dest.join(e.file_name())).unwrap();
    }
    let args: &[&str] = if need_all { &["--need-all"] } else { &[] };
    script("stage.sh", &[("CARRY", &arrived), ("STAGE", stage)], args)
}

#[test]
fn split_parts_come_back_whole_call_by_call() {
    let (tmp, carry, files) = planned();
    let calls = calls(&carry);
    // 2.8 MB in folders of 1 MiB: at least three calls, each one listed in the plan
    assert!(calls.len() >= 3, "{} calls", calls.len());
    let plan = fs::read_to_string(carry.join("plan.md")).unwrap();
    for (k, call) in calls.iter().enumerate() {
        let size: u64 = fs::read_dir(call)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert!(size <= 1 << 20, "call {} holds {size} bytes", k + 1);
        assert!(plan.contains(&format!("{}. carry: [\"{}\"]", k + 1, call.display())));
    }
    let stage = tmp.path().join("stage");
    for (k, call) in calls.iter().enumerate() {
        let last = k + 1 == calls.len();
        let out = stage_call(tmp.path(), call, &stage, last);
        assert!(out.status.success(), "call {}: {}", k + 1, text(&out));
        if !last {
            assert!(
                !stage.join("big.tar.xz").exists(),
                "whole before its last part"
            );
        }
    }
    for (name, b) in &files {
        assert_eq!(
            &fs::read(stage.join(name)).unwrap(),
            b,
            "{name} put back together"
        );
    }
}

#[test]
fn a_missing_or_damaged_part_stops_the_job() {
    let (tmp, carry, _) = planned();
    let calls = calls(&carry);
    // the machine was given back after the first call: the later calls arrive at a bare one
    let stage = tmp.path().join("bare");
    let out = stage_call(tmp.path(), calls.last().unwrap(), &stage, true);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("carry the earlier calls"),
        "{}",
        text(&out)
    );
    assert!(!stage.join("big.tar.xz").exists());
    // one byte changed on the way: the file is not put together, the job stops
    let first_part = calls[0].join("big.tar.xz.part00");
    let mut b = fs::read(&first_part).unwrap();
    b[100] ^= 0xff;
    fs::write(&first_part, b).unwrap();
    let stage = tmp.path().join("damaged");
    for (k, call) in calls.iter().enumerate() {
        let out = stage_call(tmp.path(), call, &stage, k + 1 == calls.len());
        if k + 1 == calls.len() {
            assert!(!out.status.success(), "{}", text(&out));
            assert!(text(&out).contains("sha256"), "{}", text(&out));
        }
    }
    assert!(!stage.join("big.tar.xz").exists());
    assert!(
        stage.join("small.tar").exists(),
        "an undamaged file still comes back"
    );
}
