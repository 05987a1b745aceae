//! `--baseline-zoo OLD.ron`: the members retrained since OLD.ron (same name, other weights
//! sha256) against their scores from then, read from the score cache (`oms_pipeline::gate::
//! rounds`). Only the old manifest's sha256 fields are needed, not its weights files: a round
//! that overwrote them can still be compared, as long as a gate on OLD.ron filled the cache.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};
use burn::tensor::Device;
use oms_pipeline::fresh::{FreshConfig, Space};
use oms_pipeline::gate::MemberScore;
use oms_pipeline::gate::cache::ScoreCache;
use oms_zoo::ZooManifest;

use super::{Run, ZooGateArgs, runs, scoring};

/// The baseline's scores of every run of a member whose weights changed since `path`, all
/// from `cache`; an error naming the missing runs when the cache lacks any (before anything is
/// sampled). Empty when no member changed.
pub(super) fn baseline_scores(
    (args, path, weights): (&ZooGateArgs, &Path, &BTreeMap<String, String>),
    spaces: &[&Space],
    config: &FreshConfig,
    (cache, device): (&ScoreCache, &Device),
) -> Result<Vec<MemberScore>> {
    let old = ZooManifest::load(path)?;
    let old_weights = scoring::weights_sha256(&old)?;
    let changed = |name: &str| {
        old_weights
            .get(name)
            .is_some_and(|sha| weights.get(name).is_some_and(|now| now != sha))
    };
    let old_runs: Vec<Run> = runs(args, &old)?
        .into_iter()
        .filter(|run| changed(&run.0))
        .collect();
    let keys = scoring::keys((&old, &old_weights, device), &old_runs, spaces, config);
    let (mut out, mut missing) = (vec![], vec![]);
    for (space, row) in spaces.iter().zip(&keys) {
        for (run, key) in old_runs.iter().zip(row) {
            match cache.get(key)? {
                Some(entry) => out.push(MemberScore {
                    member: run.0.clone(),
                    solver: run.1.clone(),
                    nfe: run.2,
                    space: space.space,
                    set: entry.score.set,
                }),
                None => missing.push(format!(
                    "{} {} {} NFE {}",
                    run.0,
                    run.1,
                    run.2,
                    space.space.name()
                )),
            }
        }
    }
    if !missing.is_empty() {
        bail!(
            "{}: {} of the retrained members' runs before the round are not in the score cache \
             {} ({}): run zoo-gate on {} with the same options and --score-cache first (it needs \
             that manifest's weights files)",
            path.display(),
            missing.len(),
            cache.dir().display(),
            missing.join(", "),
            path.display()
        );
    }
    Ok(out)
}
