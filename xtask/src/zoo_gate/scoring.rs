//! Sampling and scoring the gate's runs, reading and filling the score cache (`--score-cache`):
//! a run is sampled only when one of its spaces has no cached score, and each run's scores are
//! stored as soon as they exist (a gate stopped halfway keeps what it finished).

use std::collections::BTreeMap;

use anyhow::Result;
use burn::tensor::Device;
use oms_metrics::paired::PairedReference;
use oms_pipeline::fresh::{FreshConfig, FreshScore, Space, sample_fresh, score_one};
use oms_pipeline::gate::cache::{RunParts, ScoreCache, cacheable, score_key, stats_hash};
use oms_sampler::Sampler;
use oms_zoo::checkpoint::file_sha256;
use oms_zoo::{MemberKind, ZooManifest};

use super::Run;
use crate::progress::bar;

/// Every run's score in every space, and where each came from.
pub(super) struct Scored {
    /// `scores[space][run]`.
    pub scores: Vec<Vec<FreshScore>>,
    /// `computed[space][run]`: when a cached score was computed; `None` when computed now.
    pub computed: Vec<Vec<Option<String>>>,
    /// Runs sampled by this call.
    pub sampled: usize,
    /// Seconds spent sampling.
    pub sample_s: f64,
}

/// The sha256 of every UNet member's weights, read before the members are loaded: the
/// manifest's (which loading verifies) when it has one, else the file's as it is now.
pub(super) fn weights_sha256(manifest: &ZooManifest) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for member in &manifest.members {
        if let MemberKind::Unet(unet) = &member.kind {
            let sha = match &unet.sha256 {
                Some(sha) => sha.clone(),
                None => file_sha256(&manifest.checkpoint_path(unet))?,
            };
            out.insert(member.name.clone(), sha);
        }
    }
    Ok(out)
}

/// The cache keys `keys[space][run]`.
pub(super) fn keys(
    (manifest, weights, device): (&ZooManifest, &BTreeMap<String, String>, &Device),
    runs: &[Run],
    spaces: &[&Space],
    config: &FreshConfig,
) -> Vec<Vec<String>> {
    let device = format!("{device:?}");
    let unet = |name: &str| {
        let member = manifest.members.iter().find(|m| m.name == name);
        match member.map(|m| (&m.convention, &m.kind)) {
            Some((convention, MemberKind::Unet(unet))) => (convention, unet.as_ref()),
            _ => unreachable!("the gate's runs are the manifest's UNet members"),
        }
    };
    spaces
        .iter()
        .map(|space| {
            let (protocol, stats) = (
                space.reference.protocol.hash(),
                stats_hash(&space.reference.stats),
            );
            runs.iter()
                .map(|(name, _, _, schedule)| {
                    let (convention, unet) = unet(name);
                    score_key(&RunParts {
                        convention,
                        unet,
                        weights_sha256: &weights[name],
                        schedule,
                        image_shape: manifest.image_shape,
                        config,
                        protocol: &protocol,
                        stats: &stats,
                        device: &device,
                        space: space.space,
                    })
                })
                .collect()
        })
        .collect()
}

/// Scores every run in every space: read from `cache` where it has the run in every space,
/// otherwise sampled, scored and stored.
pub(super) fn score_runs(
    (manifest, sampler, device): (&ZooManifest, &Sampler, &Device),
    runs: &[Run],
    spaces: &[&Space],
    config: &FreshConfig,
    cache: Option<(&ScoreCache, &BTreeMap<String, String>)>,
) -> Result<Scored> {
    let mut cached = vec![vec![None; runs.len()]; spaces.len()];
    let keys = cache.map(|(_, weights)| keys((manifest, weights, device), runs, spaces, config));
    if let (Some((cache, _)), Some(keys)) = (cache, &keys) {
        for (s, row) in keys.iter().enumerate() {
            for (r, key) in row.iter().enumerate() {
                cached[s][r] = cache.get(key)?;
            }
        }
    }
    let missing: Vec<usize> = (0..runs.len())
        .filter(|&r| cached.iter().any(|row| row[r].is_none()))
        .collect();
    let n = config.banks.len() * config.n_per_bank;
    let paired = if missing.is_empty() {
        vec![]
    } else {
        spaces
            .iter()
            .map(|space| PairedReference::new(&space.reference, n, &config.paired))
            .collect::<Result<Vec<_>, _>>()?
    };
    let total: usize = missing.iter().map(|&r| runs[r].3.nfe()).sum::<usize>()
        * config.banks.len()
        * config.n_per_bank.div_ceil(config.batch);
    let pb = bar(total as u64, "sampling and scoring");
    let mut fresh: BTreeMap<usize, Vec<FreshScore>> = BTreeMap::new();
    let mut sample_s = 0.0;
    for &r in &missing {
        let (member, _, _, schedule) = &runs[r];
        pb.set_message(member.clone());
        let t0 = std::time::Instant::now();
        let pixels = sample_fresh(
            sampler,
            (schedule, manifest.image_shape),
            config,
            device,
            &mut |k| pb.inc(k as u64),
        )?;
        sample_s += t0.elapsed().as_secs_f64();
        let mut row = vec![];
        for (s, space) in spaces.iter().enumerate() {
            let score = score_one(space, &paired[s], (&r.to_string(), &pixels), config, device)?;
            if let (Some((cache, _)), Some(keys)) = (cache, &keys) {
                store(cache, &keys[s][r], &score);
            }
            row.push(score);
        }
        fresh.insert(r, row);
    }
    pb.finish_and_clear();
    let mut scores = vec![vec![]; spaces.len()];
    let mut computed = vec![vec![]; spaces.len()];
    for (r, _) in runs.iter().enumerate() {
        for s in 0..spaces.len() {
            match fresh.get(&r) {
                Some(row) => {
                    scores[s].push(row[s].clone());
                    computed[s].push(None);
                }
                None => {
                    let entry = cached[s][r].take().expect("a run not sampled is cached");
                    scores[s].push(entry.score);
                    computed[s].push(Some(entry.computed));
                }
            }
        }
    }
    Ok(Scored {
        scores,
        computed,
        sampled: missing.len(),
        sample_s,
    })
}

/// Stores one score; a failure to write costs the cache an entry, not the gate its result.
fn store(cache: &ScoreCache, key: &str, score: &FreshScore) {
    if !cacheable(score) {
        eprintln!(
            "warning: run {} has a non-finite figure; not cached",
            score.name
        );
    } else if let Err(e) = cache.put(key, score) {
        eprintln!("warning: {e}; that run will be recomputed next time");
    }
}
