//! Label files that do not belong together are refused in the library, before any work, with the
//! file and the fix named.

mod common;

use common::root;

use std::path::{Path, PathBuf};

use oms_pipeline::PipelineError;
use oms_pipeline::labels::{first_record, read_label_sets};
use oms_zoo::ZooManifest;

/// The committed default labels' first line with `edit` applied, as a one-record file.
fn one_record(dir: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let text =
        std::fs::read_to_string(root().join("assets/labels/fashion-mnist-v2.jsonl")).unwrap();
    let mut r: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    edit(&mut r);
    let path = dir.join(name);
    std::fs::write(&path, format!("{r}\n")).unwrap();
    path
}

#[test]
fn labels_of_another_zoo_or_another_bank_are_refused() {
    let manifest = ZooManifest::load(&root().join("configs/zoo/fashion-mnist-v2.ron")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = one_record(dir.path(), "good.jsonl", |_| {});
    assert_eq!(
        read_label_sets(std::slice::from_ref(&good), &manifest)
            .unwrap()
            .len(),
        1
    );
    let other = one_record(dir.path(), "other-zoo.jsonl", |r| r["zoo"] = "0123".into());
    let err = read_label_sets(&[good.clone(), other], &manifest).unwrap_err();
    assert!(
        matches!(&err, PipelineError::Labels { path, .. } if path.ends_with("other-zoo.jsonl"))
    );
    assert!(err.to_string().contains("another zoo"), "{err}");
    let bank = one_record(dir.path(), "bank-1.jsonl", |r| r["seed"] = 1.into());
    let err = read_label_sets(&[good, bank], &manifest)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bank-1.jsonl") && err.contains("same n, noise bank"),
        "{err}"
    );
}

#[test]
fn an_empty_label_set_is_an_error_naming_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let err = first_record(&[], &[empty]).unwrap_err().to_string();
    assert!(
        err.contains("empty.jsonl") && err.contains("cargo xtask dataset"),
        "{err}"
    );
}
