//! Sampling and scoring the gate's runs, reading and filling the score cache (`--cache`): a run
//! is sampled only when one of its spaces has no cached score.

use std::time::Instant;

use anyhow::{Context, Result};
use burn::tensor::Device;
use oms_pipeline::fresh::{FreshConfig, FreshScore, Space, sample_fresh, score_space};
use oms_pipeline::gate::cache::{RunParts, ScoreCache, score_key};
use oms_sampler::Sampler;
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

/// The cache keys `keys[space][run]`.
fn keys(
    manifest: &ZooManifest,
    runs: &[Run],
    spaces: &[&Space],
    config: &FreshConfig,
) -> Result<Vec<Vec<String>>> {
    let mut members = std::collections::BTreeMap::new();
    for member in &manifest.members {
        if let MemberKind::Unet(unet) = &member.kind {
            let path = manifest.checkpoint_path(unet);
            let bytes = std::fs::read(&path)
                .with_context(|| format!("reading {} for the cache key", path.display()))?;
            let sha = oms_data::sha256_hex(&bytes);
            members.insert(
                member.name.clone(),
                (&member.convention, unet.as_ref(), sha),
            );
        }
    }
    Ok(spaces
        .iter()
        .map(|space| {
            let protocol = space.reference.protocol.hash();
            runs.iter()
                .map(|(name, _, _, schedule)| {
                    let (convention, unet, sha) = &members[name];
                    score_key(&RunParts {
                        convention,
                        unet,
                        weights_sha256: sha,
                        schedule,
                        config,
                        protocol: &protocol,
                        space: space.space,
                    })
                })
                .collect()
        })
        .collect())
}

/// Samples the runs a space lacks, scores them there and stores them in `cache`.
pub(super) fn score_runs(
    (manifest, sampler, device): (&ZooManifest, &Sampler, &Device),
    runs: &[Run],
    spaces: &[&Space],
    config: &FreshConfig,
    cache: Option<&ScoreCache>,
) -> Result<Scored> {
    let keys = keys(manifest, runs, spaces, config)?;
    let mut cached = vec![vec![None; runs.len()]; spaces.len()];
    if let Some(cache) = cache {
        for (s, row) in keys.iter().enumerate() {
            for (r, key) in row.iter().enumerate() {
                cached[s][r] = cache.get(key)?;
            }
        }
    }
    let missing: Vec<usize> = (0..runs.len())
        .filter(|&r| cached.iter().any(|row| row[r].is_none()))
        .collect();
    let t0 = Instant::now();
    let images = sample(manifest, sampler, runs, &missing, config, device)?;
    let sample_s = t0.elapsed().as_secs_f64();
    let names: Vec<String> = missing.iter().map(|r| r.to_string()).collect();
    let mut scores = vec![];
    let mut computed = vec![];
    for (s, space) in spaces.iter().enumerate() {
        let pb = bar(missing.len() as u64, space.space.name());
        let fresh = score_space(space, &names, &images, config, device, &mut |_| pb.inc(1))?;
        pb.finish_and_clear();
        let mut fresh = missing.iter().copied().zip(fresh);
        let (mut row, mut when) = (vec![], vec![]);
        for r in 0..runs.len() {
            match cached[s][r].take() {
                Some(entry) if !missing.contains(&r) => {
                    row.push(entry.score);
                    when.push(Some(entry.computed));
                }
                _ => {
                    let (_, score) = fresh.next().expect("one fresh score per missing run");
                    if let Some(cache) = cache {
                        cache.put(&keys[s][r], &score)?;
                    }
                    row.push(score);
                    when.push(None);
                }
            }
        }
        scores.push(row);
        computed.push(when);
    }
    Ok(Scored {
        scores,
        computed,
        sampled: missing.len(),
        sample_s,
    })
}

/// Samples the runs `which` on fresh noise.
fn sample(
    manifest: &ZooManifest,
    sampler: &Sampler,
    runs: &[Run],
    which: &[usize],
    config: &FreshConfig,
    device: &Device,
) -> Result<Vec<Vec<u8>>> {
    let total: usize = which.iter().map(|&r| runs[r].3.nfe()).sum::<usize>()
        * config.banks.len()
        * config.n_per_bank.div_ceil(config.batch);
    let pb = bar(total as u64, "sampling");
    let mut images = vec![];
    for &r in which {
        let (member, _, _, schedule) = &runs[r];
        pb.set_message(member.clone());
        images.push(sample_fresh(
            sampler,
            (schedule, manifest.image_shape),
            config,
            device,
            &mut |k| pb.inc(k as u64),
        )?);
    }
    pb.finish_and_clear();
    Ok(images)
}
