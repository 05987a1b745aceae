//! The run keys assembled in `oms_pipeline::keys` equal the keys the committed label files were
//! made with: moving their assembly changed no key (a changed key would orphan every file).

mod common;

use common::{default_zoo, root};

use oms_pipeline::keys::{DatasetKey, active_key, dataset_key, zoo_key};
use oms_pipeline::latency::read_profile;

/// (run key, zoo key, protocol hash) of a committed label file's first record.
fn keys_of(file: &str) -> (String, String, String) {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let s = |k: &str| first[k].as_str().unwrap().to_string();
    (s("run_key"), s("zoo"), s("protocol_hash"))
}

fn dataset(plan: &str, nfes: Option<&[usize]>, seed: u64, protocol: &str) -> String {
    let manifest = default_zoo();
    let profile = read_profile(&root().join("assets/latency/fashion-mnist-cpu-b64.ron")).unwrap();
    dataset_key(&DatasetKey {
        manifest: &manifest,
        profile: &profile,
        slots: 10,
        even_fraction: 0.5,
        plan_seed: 0,
        n: 1000,
        plan,
        nfes,
        seed,
        protocol,
        max_cost: None,
    })
}

#[test]
fn the_zoo_key_is_the_one_the_default_labels_carry() {
    let (_, zoo, _) = keys_of("assets/labels/fashion-mnist-v2.jsonl");
    assert_eq!(zoo_key(&default_zoo()), zoo);
}

#[test]
fn dataset_keys_are_those_of_the_committed_random_and_baseline_labels() {
    let (key, _, protocol) = keys_of("assets/labels/fashion-mnist-v2.jsonl");
    assert_eq!(dataset("random", None, 0, &protocol), key);
    let nfes = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20];
    let (key, _, protocol) = keys_of("assets/labels/fashion-mnist-v2-baselines.jsonl");
    assert_eq!(dataset("baselines", Some(&nfes), 1, &protocol), key);
}

#[test]
fn the_active_key_is_that_of_the_committed_active_labels() {
    let (key, _, protocol) = keys_of("assets/labels/fashion-mnist-v2-active.jsonl");
    let profile = read_profile(&root().join("assets/latency/fashion-mnist-cpu-b64.ron")).unwrap();
    let got = active_key(
        &default_zoo(),
        &profile,
        (10, 1000, 0),
        &protocol,
        "assets/labels/fashion-mnist-v2.jsonl",
        "joint",
    );
    assert_eq!(got, key);
}
