//! Verification on fresh noise (issue 15): the schedules a search chose, and the baselines they
//! are compared with, sampled again on noise banks that no label, predictor or selection step
//! used ([`FRESH_BANK_MIN`] and up), scored in every feature space, and compared in pairs (image
//! `i` of every schedule shares its noise) with 95% bootstrap intervals of the FD and KID
//! differences. A schedule is "better" than another only where every interval (both metrics,
//! every space) lies below zero, "worse" where any lies above, otherwise "tie".

use burn::tensor::Device;
use oms_artifacts::to_u8;
use oms_metrics::features::{FeatureNet, FeatureSpace, all_features};
use oms_metrics::paired::{Interval, PairedConfig, PairedReference, PairedSet, Verdict};
use oms_metrics::{GaussianStats, Reference, frechet_distance};
use oms_sampler::{GenerateSpec, Sampler, generate};
use oms_schedule::Schedule;
use serde::{Deserialize, Serialize};

use crate::{PipelineError, Result};

/// Noise banks from here up are reserved for fresh verification: the labellers refuse them.
pub use oms_dataset::FRESH_BANK_MIN;

/// What fresh verification samples.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FreshConfig {
    /// Noise banks (each >= [`FRESH_BANK_MIN`]).
    pub banks: Vec<u64>,
    /// Images per bank and schedule.
    pub n_per_bank: usize,
    /// Sampling batch.
    pub batch: usize,
    /// The bootstrap.
    pub paired: PairedConfig,
}

/// A schedule to verify: its name in the run (e.g. `b1-searched`) and measured latency.
#[derive(Debug, Clone)]
pub struct FreshSchedule {
    /// Name (the run's schedule file stem).
    pub name: String,
    /// The schedule.
    pub schedule: Schedule,
    /// Measured latency, ms per batch.
    pub latency_ms: f64,
}

/// A feature space ready to score: its network and train reference.
pub struct Space {
    /// Which space.
    pub space: FeatureSpace,
    /// Its network.
    pub net: Box<dyn FeatureNet>,
    /// Its reference statistics.
    pub reference: Reference,
    /// The shape of one image, `[C, H, W]` (the zoo's).
    pub shape: oms_metrics::features::ImageShape,
}

/// One schedule's fresh figures in one space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FreshScore {
    /// Schedule name.
    pub name: String,
    /// Space.
    pub space: FeatureSpace,
    /// FD and KID of all its fresh images, with the bootstrap replicates.
    pub set: PairedSet,
    /// FD of each bank's images alone (how far one bank's figure moves).
    pub bank_fd: Vec<f64>,
}

/// `a` against `b` in one space: intervals of `a - b` (lower is better) and their verdicts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    /// The schedule judged.
    pub a: String,
    /// The one it is judged against.
    pub b: String,
    /// Space.
    pub space: FeatureSpace,
    /// FD difference.
    pub fd: Interval,
    /// KID difference.
    pub kid: Interval,
    /// Verdict on FD.
    pub fd_verdict: Verdict,
    /// Verdict on KID.
    pub kid_verdict: Verdict,
}

/// The verdict over several comparisons of the same pair: better only if better everywhere,
/// worse if worse anywhere, else tie.
pub fn overall(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let all: Vec<Verdict> = verdicts.into_iter().collect();
    if all.contains(&Verdict::Worse) {
        Verdict::Worse
    } else if !all.is_empty() && all.iter().all(|v| *v == Verdict::Better) {
        Verdict::Better
    } else {
        Verdict::Tie
    }
}

impl FreshConfig {
    /// `n_per_bank` images of every bank, sampled in batches of `batch`, intervals from
    /// `resamples` bootstrap draws (the other bootstrap settings at their defaults).
    pub fn new(banks: Vec<u64>, n_per_bank: usize, batch: usize, resamples: usize) -> Self {
        FreshConfig {
            banks,
            n_per_bank,
            batch,
            paired: PairedConfig {
                resamples,
                ..PairedConfig::default()
            },
        }
    }

    /// An error unless every bank is fresh.
    pub fn check(&self) -> Result<()> {
        match self.banks.iter().find(|b| **b < FRESH_BANK_MIN) {
            Some(b) => Err(PipelineError::Invalid(format!(
                "bank {b} is not fresh: verification banks start at {FRESH_BANK_MIN} (lower \
                 banks may have labelled or selected schedules)"
            ))),
            None => Ok(()),
        }
    }
}

/// Samples `schedule` on every bank of `config` (banks concatenated, image order kept) as
/// uint8 images of `shape`; `sampler` holds the zoo, built once for all schedules.
pub fn sample_fresh(
    sampler: &Sampler,
    (schedule, shape): (&Schedule, [usize; 3]),
    config: &FreshConfig,
    device: &Device,
    on_nfe: &mut dyn FnMut(usize),
) -> Result<Vec<u8>> {
    config.check()?;
    let mut pixels = vec![];
    for &bank in &config.banks {
        let spec = GenerateSpec {
            n: config.n_per_bank,
            batch: config.batch,
            shape,
            seed: bank,
        };
        let values = generate(sampler, schedule, &spec, device, on_nfe)?;
        pixels.extend(to_u8(&values));
    }
    Ok(pixels)
}

/// Scores every schedule's images (`images[i]` belongs to `names[i]`, sampled with `config`)
/// in `space`.
pub fn score_space(
    space: &Space,
    names: &[String],
    images: &[Vec<u8>],
    config: &FreshConfig,
    device: &Device,
    on_schedule: &mut dyn FnMut(&str),
) -> Result<Vec<FreshScore>> {
    let n = config.banks.len() * config.n_per_bank;
    let paired = PairedReference::new(&space.reference, n, &config.paired)?;
    let mut out = vec![];
    for (name, pixels) in names.iter().zip(images) {
        on_schedule(name);
        out.push(score_one(space, &paired, (name, pixels), config, device)?);
    }
    Ok(out)
}

/// One schedule's images scored in `space` against `paired` (built from the space's reference
/// for `config`'s image count and bootstrap: every set scored against it shares its draws).
pub fn score_one(
    space: &Space,
    paired: &PairedReference,
    (name, pixels): (&str, &[u8]),
    config: &FreshConfig,
    device: &Device,
) -> Result<FreshScore> {
    let n = config.banks.len() * config.n_per_bank;
    let feats = all_features(space.net.as_ref(), pixels, space.shape, n, 256, device);
    let dim = space.net.dim();
    let bank_fd = feats
        .chunks(config.n_per_bank * dim)
        .map(|f| {
            let stats = GaussianStats::from_features(f, dim)?;
            frechet_distance(&stats, &space.reference.stats)
        })
        .collect::<std::result::Result<Vec<f64>, _>>()?;
    Ok(FreshScore {
        name: name.to_string(),
        space: space.space,
        set: paired.score(&feats)?,
        bank_fd,
    })
}

/// `a` against `b` in every space scored.
pub fn compare(scores: &[FreshScore], a: &str, b: &str) -> Vec<Comparison> {
    let find = |name: &str, space: FeatureSpace| {
        scores.iter().find(|s| s.name == name && s.space == space)
    };
    FeatureSpace::ALL
        .into_iter()
        .filter_map(|space| {
            let (sa, sb) = (find(a, space)?, find(b, space)?);
            let (fd, kid) = oms_metrics::paired::paired_difference(&sa.set, &sb.set);
            Some(Comparison {
                a: a.into(),
                b: b.into(),
                space,
                fd_verdict: fd.verdict(),
                kid_verdict: kid.verdict(),
                fd,
                kid,
            })
        })
        .collect()
}

/// The verdict of a pair over all its comparisons (both metrics, every space).
pub fn pair_verdict(comparisons: &[Comparison]) -> Verdict {
    overall(
        comparisons
            .iter()
            .flat_map(|c| [c.fd_verdict, c.kid_verdict]),
    )
}

/// The speed-up over `single`: its latency over the cheapest latency among `searched` whose
/// verdict against it is no worse (better or tie on both metrics in every space); 1.0 when
/// none is cheaper (the single model itself is then the answer).
pub fn fresh_speedup(
    scores: &[FreshScore],
    single: &FreshSchedule,
    searched: &[FreshSchedule],
) -> (f64, Option<String>) {
    let cheapest = searched
        .iter()
        .filter(|s| pair_verdict(&compare(scores, &s.name, &single.name)) != Verdict::Worse)
        .min_by(|a, b| a.latency_ms.total_cmp(&b.latency_ms));
    match cheapest {
        Some(s) if s.latency_ms < single.latency_ms => {
            (single.latency_ms / s.latency_ms, Some(s.name.clone()))
        }
        _ => (1.0, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn better_needs_every_interval_and_worse_any() {
        use Verdict::*;
        assert_eq!(overall([Better, Better, Better, Better]), Better);
        assert_eq!(overall([Better, Tie, Better, Better]), Tie);
        assert_eq!(overall([Better, Better, Worse, Better]), Worse);
        assert_eq!(overall([]), Tie);
    }
}
