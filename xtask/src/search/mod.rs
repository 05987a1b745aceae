//! `cargo xtask search`: the product's main job. Latency table (profiled if this machine has
//! none), predictor (trained on the label set), one evolutionary search over a list of budgets,
//! baselines on the same zoo, noise bank and metric, real-FD verification of the best
//! candidates, and a report folder (Pareto plot, grids, portable schedule files, summary.json).

mod baselines;
mod report;
mod verify;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use burn::tensor::Device;
use oms_dataset::{Labeller, Record, SlotSpace, baseline_plan};
use oms_latency::LatencyProfile;
use oms_predictor::{Predictor, Tokens};
use oms_schedule::{NoiseSchedule, NoiseSpec};
use oms_search::{
    EvolveConfig, Genome, JointConfig, ScoreCache, Scorer, pareto_search, random_search,
};
use oms_zoo::ZooManifest;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::dataset::{read_profile, start_lambda};
use crate::device::DeviceArg;
use crate::metric_args::MetricArgs;
use crate::progress::bar;

/// Arguments of `search` (every one has a default: `cargo xtask search` runs the whole pipeline).
#[derive(clap::Args)]
pub struct SearchArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    pub zoo: PathBuf,
    /// Predictor labels (`cargo xtask dataset`, `cargo xtask active`), comma-separated files of
    /// one n, bank and metric.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = crate::defaults::SEARCH_LABELS
    )]
    pub labels: Vec<PathBuf>,
    /// Baseline labels (`cargo xtask dataset --plan baselines --seed S --n N`); measured now when
    /// absent or made with another n, seed or zoo.
    #[arg(long, default_value = crate::defaults::BASELINES)]
    pub baselines: PathBuf,
    /// Latency profile; default: the one in assets/latency or data/latency measured on this
    /// machine's hardware, else a fresh `profile` run at batch 64.
    #[arg(long)]
    pub latency: Option<PathBuf>,
    /// A trained predictor folder (`train-predictor --out`); default: train one now.
    #[arg(long)]
    pub predictor: Option<PathBuf>,
    /// Budgets in ms per batch of the latency table; default: 1.5x, 3x and 6x the per-NFE
    /// cost of the zoo's median member, and half the cost of the best single-model baseline
    /// within the largest of them.
    #[arg(long, value_delimiter = ',')]
    pub budgets: Vec<f64>,
    /// Search space: `joint` (models, orders, step placement and single-step or multistep
    /// solver) or `slots` (the reference: models and orders on lambda-uniform steps).
    #[arg(long, default_value = "joint")]
    pub space: String,
    /// Do not start the search from known schedules: the baseline plan's (single models and
    /// two-model switches) and the 50 best-labelled ones, each where it fits the budget.
    #[arg(long)]
    pub no_seeds: bool,
    /// Instead of --budgets: this many budgets spaced geometrically over the whole cost range,
    /// from the cheapest schedule to the dearest (every slot the dearest member); verification
    /// of the dear end takes long on a CPU.
    #[arg(long)]
    pub front: Option<usize>,
    /// Generations of the evolutionary search per budget (reference: 1000).
    #[arg(long, default_value_t = 300)]
    pub generations: usize,
    /// Candidates per budget verified with real FD (reference: 10).
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    /// Also verify each budget's best-scored reference-form candidate (lambda-uniform
    /// single-step: what a slots-only search would offer) next to the top ones.
    #[arg(long)]
    pub verify_reference: bool,
    /// Images per verification (step 3's choice: 1000).
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Noise bank of verification and baselines (the labels use bank 0).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Seed of the search.
    #[arg(long, default_value_t = 0)]
    pub search_seed: u64,
    /// Encoder of the predictor trained here: lstm (reference), lstm-joint or mlp.
    #[arg(long, default_value = "lstm")]
    pub encoder: String,
    /// Loss of the predictor trained here: rank (reference) or mse.
    #[arg(long, default_value = "rank")]
    pub loss: String,
    /// Epochs when training the predictor here.
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    /// Images per sampling batch during verification.
    #[arg(long, default_value_t = 250)]
    pub batch: usize,
    /// Also write each chosen schedule's samples.npy.
    #[arg(long)]
    pub samples: bool,
    #[command(flatten)]
    pub metric: MetricArgs,
    /// Report folder.
    #[arg(long, default_value = "runs/search")]
    pub out: PathBuf,
}

/// Scores slot schedules with the predictor.
pub struct PredictorScorer<'a> {
    predictor: &'a Predictor,
    models: Vec<String>,
    noise: NoiseSchedule,
    lambda_start: f64,
    device: Device,
}

impl<'a> PredictorScorer<'a> {
    /// A scorer of schedules over `space`'s models.
    pub fn new(
        predictor: &'a Predictor,
        space: &SlotSpace,
        lambda_start: f64,
        device: &Device,
    ) -> Result<Self> {
        Ok(Self {
            predictor,
            models: space.models.clone(),
            noise: NoiseSchedule::new(NoiseSpec::linear_vp())?,
            lambda_start,
            device: device.clone(),
        })
    }
}

impl Scorer for PredictorScorer<'_> {
    fn scores(&mut self, items: &[Genome]) -> Vec<f64> {
        let tokens: Vec<Tokens> = items
            .iter()
            .map(|g| {
                let schedule = g
                    .schedule(&self.models, &self.noise, self.lambda_start)
                    .expect("search keeps schedules valid");
                self.predictor.tokens(&schedule).expect("zoo models")
            })
            .collect();
        let refs: Vec<&Tokens> = tokens.iter().collect();
        self.predictor.scores(&refs, &self.device)
    }
}

/// Everything the stages share.
pub struct Context<'a> {
    /// Parsed arguments.
    pub args: &'a SearchArgs,
    /// The zoo.
    pub manifest: ZooManifest,
    /// Cost model and its provenance.
    pub profile: LatencyProfile,
    /// Slot space priced by the profile.
    pub space: SlotSpace,
    /// Shared noise schedule of the slot boundaries.
    pub noise: NoiseSchedule,
    /// First step's lambda.
    pub lambda_start: f64,
    /// Compute device.
    pub device: &'a Device,
}

impl Context<'_> {
    /// The schedule of a genome.
    pub fn schedule(&self, g: &Genome) -> Result<oms_schedule::Schedule> {
        Ok(g.schedule(&self.space.models, &self.noise, self.lambda_start)?)
    }
}

/// Wall time of each stage, in seconds, in order.
pub struct Stages {
    /// (stage, seconds).
    pub seconds: Vec<(&'static str, f64)>,
    last: std::time::Instant,
}

impl Stages {
    /// Starts the first stage now.
    fn start() -> Self {
        Self {
            seconds: vec![],
            last: std::time::Instant::now(),
        }
    }

    /// Ends a stage that began when the previous one ended.
    fn done(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        let s = now.duration_since(self.last).as_secs_f64();
        eprintln!("{name}: {s:.0} s");
        self.seconds.push((name, s));
        self.last = now;
    }
}

/// Runs the command.
pub fn run(args: SearchArgs, device_arg: DeviceArg, device: &Device) -> Result<()> {
    let mut stages = Stages::start();
    let manifest = ZooManifest::load(&args.zoo)?;
    let labels = crate::train_predictor::read_label_sets(&args.labels, &manifest)
        .context("the search needs labels")?;
    let k_slots = labels
        .first()
        .map(|r| r.slots.len() / 3)
        .context("the label file is empty")?;
    let profile = latency(&args, &manifest, device_arg, device)?;
    let space = SlotSpace::new(k_slots, manifest.names(), &profile.table)?;
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
    let lambda_start = start_lambda(&manifest, &noise);
    let ctx = Context {
        args: &args,
        manifest,
        profile,
        space,
        noise,
        lambda_start,
        device,
    };
    stages.done("setup");
    let predictor = predictor(&ctx, &labels)?;
    stages.done("predictor");
    // The metric and the zoo are loaded once, for the baselines and the verification.
    let net = args.metric.classifier(device)?;
    let reference = args.metric.reference(&net, device)?;
    let zoo = ctx.manifest.build(device)?;
    let sizes = (args.n, args.batch, args.seed);
    let labeller = Labeller::new(&zoo, &net, &reference, sizes, ctx.manifest.image_shape);
    let base = baselines::load_or_measure(&ctx, &labeller, &budgets(&ctx, None))?;
    let budgets = budgets(&ctx, Some(&base));
    eprintln!(
        "budgets (ms per batch of {}): {budgets:.0?}",
        ctx.profile.table.batch
    );
    let mut scorer = PredictorScorer::new(&predictor, &ctx.space, lambda_start, device)?;
    let mut cache = ScoreCache::new(&mut scorer);
    let joint = parse_space(&args.space)?;
    let config = EvolveConfig {
        generations: args.generations,
        joint,
        ..EvolveConfig::default()
    };
    let seeds: Vec<Genome> = if args.no_seeds {
        vec![]
    } else {
        search_seeds(&ctx.space, &labels, &joint)
    };
    let pb = bar((budgets.len() * args.generations) as u64, "search");
    let front = pareto_search(
        &ctx.space,
        &mut cache,
        &budgets,
        &seeds,
        &config,
        args.search_seed,
        &mut |_, _, _| pb.inc(1),
    )?;
    pb.finish_and_clear();
    let mut rng = ChaCha8Rng::seed_from_u64(args.search_seed ^ 0x5eed);
    let random = front
        .iter()
        .map(|p| {
            random_search(
                &ctx.space, &mut cache, p.budget, p.queries, 1, &joint, &mut rng,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    stages.done("search");
    let verified = verify::verify_all(&ctx, &labeller, &zoo, &front, &random, &labels, &base)?;
    stages.done("verification");
    report::write(
        &ctx,
        &predictor,
        &verified,
        cache.queries,
        &base.source,
        &stages,
    )
}

/// The latency profile: the given file, else one for this hardware under assets/latency or
/// data/latency, else a fresh profile at batch 64 cached under data/latency.
fn latency(
    args: &SearchArgs,
    manifest: &ZooManifest,
    device_arg: DeviceArg,
    device: &Device,
) -> Result<LatencyProfile> {
    if let Some(p) = &args.latency {
        return read_profile(p);
    }
    let hardware = crate::profile::hardware(device_arg);
    for dir in ["assets/latency", "data/latency"] {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "ron")
                && let Ok(p) = read_profile(&path)
                && p.info.hardware == hardware
                && manifest
                    .names()
                    .iter()
                    .all(|m| p.table.per_nfe_ms.contains_key(m))
            {
                eprintln!("latency table: {} ({})", path.display(), p.info.hardware);
                return Ok(p);
            }
        }
    }
    eprintln!("no latency table for '{hardware}': profiling this machine (batch 64)");
    let out = Path::new("data/latency");
    crate::profile::profile_to(manifest, 64, device_arg, device, out)
}

fn predictor(ctx: &Context, labels: &[Record]) -> Result<Predictor> {
    if let Some(dir) = &ctx.args.predictor {
        return Predictor::load(dir, ctx.device).map_err(anyhow::Error::msg);
    }
    crate::train_predictor::train_for_search(
        labels,
        &ctx.manifest,
        &crate::train_predictor::label_source(&ctx.args.labels),
        (
            crate::train_predictor::parse_encoder(&ctx.args.encoder)?,
            crate::train_predictor::parse_loss(&ctx.args.loss)?,
        ),
        ctx.args.epochs,
        ctx.device,
    )
}

/// The search space named by `--space`.
pub fn parse_space(name: &str) -> Result<JointConfig> {
    match name {
        "joint" => Ok(JointConfig::JOINT),
        "slots" => Ok(JointConfig::SLOTS),
        other => anyhow::bail!("unknown --space '{other}': use joint or slots"),
    }
}

/// Where the search starts: every baseline-plan schedule (single models, two-model switches)
/// and the 50 best-labelled schedules, in the forms `joint` may change.
pub fn search_seeds(space: &SlotSpace, labels: &[Record], joint: &JointConfig) -> Vec<Genome> {
    let mut best: Vec<&Record> = labels.iter().collect();
    best.sort_by(|a, b| a.fd.total_cmp(&b.fd));
    baseline_plan(space, &baselines::NFES)
        .iter()
        .map(|p| Genome::reference(&p.slots))
        .chain(best.iter().take(50).map(|r| verify::genome_of(r)))
        .map(|g| Genome {
            form: joint.project(g.form),
            slots: g.slots,
        })
        .collect()
}

/// 1.5x, 3x and 6x the per-NFE cost of the table's median member.
pub fn default_budgets(table: &oms_schedule::LatencyTable) -> Vec<f64> {
    let mut per: Vec<f64> = table.per_nfe_ms.values().copied().collect();
    per.sort_by(f64::total_cmp);
    let median = per[per.len() / 2];
    vec![1.5 * median, 3.0 * median, 6.0 * median]
}

/// Half the table cost of the best single model within `largest`: the budget at which "its
/// quality at half its latency" (issue 8) is decided.
fn half_single(ctx: &Context, base: &baselines::Baselines, largest: f64) -> Option<f64> {
    let single = base.best(ctx, oms_dataset::Generator::SingleModel, largest)?;
    let slots = oms_schedule::SlotEncoding {
        entries: single.slots.clone(),
    };
    Some(0.5 * ctx.space.cost(&slots))
}

/// `budgets` with `extra` added in ascending order, unless one is within 1 ms of it.
fn add_budget(mut budgets: Vec<f64>, extra: f64) -> Vec<f64> {
    if budgets.iter().all(|b| (b - extra).abs() > 1.0) {
        budgets.push(extra);
        budgets.sort_by(f64::total_cmp);
    }
    budgets
}

/// The budgets of the run: `--front`, `--budgets`, or the defaults, which with the baselines
/// also hold the half-latency budget of the best single model.
fn budgets(ctx: &Context, base: Option<&baselines::Baselines>) -> Vec<f64> {
    if let Some(count) = ctx.args.front {
        let (lo, hi) = ctx.space.cost_range();
        return oms_search::geometric_budgets(lo, hi, count.max(1));
    }
    if !ctx.args.budgets.is_empty() {
        return ctx.args.budgets.clone();
    }
    let defaults = default_budgets(&ctx.profile.table);
    let largest = defaults.iter().copied().fold(0.0, f64::max);
    match base.and_then(|b| half_single(ctx, b, largest)) {
        Some(half) => add_budget(defaults, half),
        None => defaults,
    }
}

#[cfg(test)]
mod tests {
    use super::add_budget;

    #[test]
    fn an_extra_budget_goes_in_order_once() {
        assert_eq!(
            add_budget(vec![599.0, 1198.0, 2397.0], 799.0),
            [599.0, 799.0, 1198.0, 2397.0]
        );
        assert_eq!(add_budget(vec![599.0, 1198.0], 1198.5), [599.0, 1198.0]);
        assert_eq!(add_budget(vec![599.0], 300.0), [300.0, 599.0]);
    }
}
