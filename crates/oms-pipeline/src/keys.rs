//! Run keys: the hashes that tie a label file to its zoo and to the run that made it. Each is
//! assembled here, once, from the same parts the label files already carry (changing a part
//! would orphan every committed file, so the parts are fixed and tested).

use oms_dataset::run_key;
use oms_latency::LatencyProfile;
use oms_zoo::ZooManifest;
use serde_json::json;

/// The key every label records its zoo by: a hash of the members (names, conventions,
/// architectures, checkpoints and their sha256). Labels are only used with the zoo of that key.
pub fn zoo_key(manifest: &ZooManifest) -> String {
    run_key(&manifest.members)
}

/// What fixes a `dataset` run's labels.
pub struct DatasetKey<'a> {
    /// The zoo.
    pub manifest: &'a ZooManifest,
    /// The latency profile that prices the plan.
    pub profile: &'a LatencyProfile,
    /// Slots of the encoding.
    pub slots: usize,
    /// Share of the even-cost generator.
    pub even_fraction: f64,
    /// Seed of the plan.
    pub plan_seed: u64,
    /// Images per label.
    pub n: usize,
    /// The plan's name (`random`, `baselines`, `joint`).
    pub plan: &'a str,
    /// NFEs of a baseline plan.
    pub nfes: Option<&'a [usize]>,
    /// Noise bank.
    pub seed: u64,
    /// Metric protocol hash.
    pub protocol: &'a str,
    /// Cost cap of a joint plan.
    pub max_cost: Option<f64>,
}

/// The run key of a `dataset` run (the parts and their order as every committed file has them).
pub fn dataset_key(k: &DatasetKey) -> String {
    let mut parts = json!({
        "members": k.manifest.members, "table": k.profile.table, "slots": k.slots,
        "even_fraction": k.even_fraction, "plan_seed": k.plan_seed, "n": k.n,
        "plan": k.plan, "nfes": k.nfes, "seed": k.seed, "protocol": k.protocol,
        "solver": "dpm-solver",
    });
    // Joint plans add their cost cap; the keys of earlier plans stay as they were.
    if let Some(cap) = k.max_cost {
        parts["max_cost"] = json!(cap);
    }
    run_key(&parts)
}

/// The run key of an active-learning label file: one for every round of one run.
pub fn active_key(
    manifest: &ZooManifest,
    profile: &LatencyProfile,
    (k_slots, n, seed): (usize, usize, u64),
    protocol: &str,
    labels: &str,
    space: &str,
) -> String {
    run_key(&json!({
        "members": manifest.members, "table": profile.table, "slots": k_slots,
        "n": n, "seed": seed, "protocol": protocol, "plan": "active",
        "labels": labels, "space": space,
    }))
}

/// The run key of baselines labelled by the search (under `data/baselines`).
pub fn baselines_key(
    zoo_key: &str,
    (n, seed): (usize, u64),
    protocol: &str,
    max_budget: f64,
    k_slots: usize,
) -> String {
    run_key(
        &json!({"baselines": true, "zoo": zoo_key, "n": n, "seed": seed,
        "protocol": protocol, "max_budget": max_budget, "slots": k_slots}),
    )
}
