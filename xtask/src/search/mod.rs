//! `cargo xtask search`: the product's main job, composed from `oms-pipeline`. Latency table
//! (profiled if this machine has none), predictor (trained on the label set), one evolutionary
//! search over a list of budgets, baselines on the same zoo, noise bank and metric, real-FD
//! verification of the best candidates, and a report folder (Pareto plot, grids, portable
//! schedule files, summary.json).

use oms_metrics::features::FeatureSpace;
use oms_pipeline::fresh::FreshConfig;
use oms_pipeline::objective::{Objective, Quality};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use burn::tensor::Device;
use oms_dataset::{LabelEvent, Labeller, Record};
use oms_latency::LatencyProfile;
use oms_pipeline::baselines::{BaselineSource, load_or_measure};
use oms_pipeline::budgets::{BudgetChoice, budgets};
use oms_pipeline::labels::{first_record, k_slots, label_source, read_label_sets};
use oms_pipeline::latency::{TableQuery, choose_profile, read_profile};
use oms_pipeline::predictor::{SearchPredictor, train_for_search};
use oms_pipeline::scorer::PredictorScorer;
use oms_pipeline::search::{SearchConfig, run_search};
use oms_pipeline::verify::{Verifier, VerifyConfig, verify_all, verify_count};
use oms_pipeline::{Setup, latency::hardware, report};
use oms_predictor::{EncoderKind, Loss, Predictor};
use oms_search::JointConfig;
use oms_zoo::ZooManifest;

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
    /// one n, noise seed set and metric.
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
    /// Latency profile; default: the one in assets/latency, else data/latency, measured on this
    /// machine's hardware and backend for this zoo (two candidates in one folder are an error),
    /// else a fresh `profile` run at batch 64.
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
    pub space: JointConfig,
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
    /// Images per verification (docs/metrics.md: 1000).
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Noise seed set of verification and baselines (the labels use seed set 0).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Seed of the search.
    #[arg(long, default_value_t = 0)]
    pub search_seed: u64,
    /// Encoder of the predictor trained here: lstm (reference), lstm-joint or mlp.
    #[arg(long, default_value = "lstm")]
    pub encoder: EncoderKind,
    /// Loss of the predictor trained here: rank (reference) or mse.
    #[arg(long, default_value = "rank")]
    pub loss: Loss,
    /// Epochs when training the predictor here.
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    /// Images per schedule of the fresh-noise check that sets `speedup_vs_best_single` (one
    /// noise seed set; `cargo xtask verify` is the full check); 0 skips it.
    #[arg(long, default_value_t = 500)]
    pub fresh_n: usize,
    /// Noise seed set of the fresh-noise check (>= 1000; formerly --fresh-bank).
    #[arg(long = "fresh-seed-set", alias = "fresh-bank", value_name = "SEED_SET", default_value_t = oms_pipeline::fresh::FRESH_BANK_MIN)]
    pub fresh_bank: u64,
    /// Feature spaces of the fresh-noise check.
    #[arg(long, value_delimiter = ',', default_values_t = FeatureSpace::ALL)]
    pub fresh_spaces: Vec<FeatureSpace>,
    /// Bootstrap resamples of the fresh-noise check.
    #[arg(long, default_value_t = 100)]
    pub fresh_resamples: usize,
    /// What the predictor ranks and verification picks by: worse-of-fd-kid (each metric
    /// standardised over the labels, the worse of the two) or fd (the reference method).
    #[arg(long, default_value = "worse-of-fd-kid")]
    pub objective: Objective,
    /// Images per sampling batch during verification (the images do not depend on it; 128 was
    /// fastest on a 2-core CPU, docs/benchmarks.md).
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    /// Also write each chosen schedule's samples.npy.
    #[arg(long)]
    pub samples: bool,
    /// Feature space of the labels, the baselines and the verification: cnn (the dataset's classifier; 28x28 gray
    /// zoos) or efficientnet (ImageNet features; gray or RGB images of any size).
    #[arg(long, default_value = "cnn")]
    pub feature_space: FeatureSpace,
    #[command(flatten)]
    pub metric: MetricArgs,
    /// Report folder.
    #[arg(long, default_value = "runs/search")]
    pub out: PathBuf,
}

impl SearchArgs {
    fn budget_choice(&self) -> BudgetChoice {
        match (self.front, self.budgets.is_empty()) {
            (Some(count), _) => BudgetChoice::Front(count),
            (None, false) => BudgetChoice::Given(self.budgets.clone()),
            (None, true) => BudgetChoice::Default,
        }
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
    if args.seed >= oms_pipeline::fresh::FRESH_BANK_MIN
        || args.fresh_bank < oms_pipeline::fresh::FRESH_BANK_MIN
    {
        anyhow::bail!(
            "--seed {} / --fresh-seed-set {}: verification seed sets stay below {}, fresh ones at or above it",
            args.seed,
            args.fresh_bank,
            oms_pipeline::fresh::FRESH_BANK_MIN
        );
    }
    let mut stages = Stages::start();
    let manifest = ZooManifest::load(&args.zoo)?;
    let labels = read_label_sets(&args.labels, &manifest).context("the search needs labels")?;
    let k = k_slots(first_record(&labels, &args.labels)?);
    let profile = latency(&args, &manifest, device_arg, device)?;
    let setup = Setup::new(manifest, profile, k)?;
    stages.done("setup");
    let predictor = predictor(&args, &setup, &labels, device)?;
    stages.done("predictor");
    // The metric and the zoo are loaded once, for the baselines and the verification.
    let net = args.metric.space(args.feature_space, device)?;
    let net = net.as_ref();
    let reference = args.metric.reference(net, device)?;
    let zoo = setup.manifest.build(device)?;
    let sizes = (args.n, args.batch, args.seed);
    let labeller = Labeller::new(&zoo, net, &reference, sizes, setup.manifest.image_shape);
    let choice = args.budget_choice();
    let (space, table) = (&setup.space, &setup.profile.table);
    let base = baselines(
        &args,
        &setup,
        &labeller,
        &budgets(&choice, space, table, None),
        device,
    )?;
    // Labelling baselines (when the file does not fit) is a stage of its own: it can take minutes.
    stages.done("baselines");
    let budgets = budgets(&choice, space, table, Some(&base));
    eprintln!("budgets (ms per batch of {}): {budgets:.0?}", table.batch);
    let mut scorer = PredictorScorer::new(&predictor, space, setup.lambda_start, device)?;
    let config = SearchConfig {
        generations: args.generations,
        joint: args.space,
        seeds: !args.no_seeds,
        seed: args.search_seed,
        random: true,
    };
    let pb = bar((budgets.len() * args.generations) as u64, "search");
    let found = run_search(&setup, &mut scorer, &labels, &budgets, &config, &mut || {
        pb.inc(1)
    })?;
    pb.finish_and_clear();
    stages.done("search");
    let verify = VerifyConfig {
        top: args.top,
        verify_reference: args.verify_reference,
        quality: Quality::fit(args.objective, &labels),
    };
    let verifier = Verifier {
        setup: &setup,
        labeller: &labeller,
        zoo: &zoo,
        device,
    };
    let pb = bar(verify_count(&found.front, &verify) as u64, "verify");
    let verified = verify_all(
        &verifier,
        &found.front,
        &found.random,
        &labels,
        &base,
        &verify,
        &mut || pb.inc(1),
    )?;
    pb.finish_and_clear();
    stages.done("verification");
    let source = base.source.display().to_string();
    let run = report::Run {
        out: &args.out,
        zoo: &args.zoo,
        setup: &setup,
        device,
        predictor: &predictor,
        n: args.n,
        seed: args.seed,
        generations: args.generations,
        samples: args.samples,
        queries: found.queries,
        baselines: &source,
        stage_seconds: &stages.seconds,
    };
    print!("{}", report::write(&run, &verified)?);
    if args.fresh_n > 0 {
        fresh_stage(&args, device)?;
        stages.done("fresh");
    }
    let html = oms_pipeline::html::write(&args.out)?;
    println!(
        "\nreport: {} (self-contained; open it in a browser)",
        html.display()
    );
    Ok(())
}

/// The fresh-noise check of the run just written: `fresh/`, the summary's speed-up and the
/// report's last section.
fn fresh_stage(args: &SearchArgs, device: &Device) -> Result<()> {
    let t0 = std::time::Instant::now();
    let config = FreshConfig::new(
        vec![args.fresh_bank],
        args.fresh_n,
        args.batch,
        args.fresh_resamples,
    );
    let out = args.out.join("fresh");
    let (md, fresh) = crate::verify::fresh_for_run(
        &args.out,
        &args.zoo,
        &args.metric,
        (&config, &args.fresh_spaces, &crate::verify::SEARCH_ROLES),
        &out,
        device,
    )?;
    let path = args.out.join("summary.json");
    let mut summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    summary["speedup_vs_best_single"] = fresh["speedup_vs_best_single"].clone();
    summary["stage_seconds"]["fresh"] = serde_json::json!(t0.elapsed().as_secs_f64());
    summary["speedup_vs_best_single_note"] = serde_json::json!(format!(
        "fresh noise bank {}, n = {} per schedule, spaces {:?}: counts only searched schedules \
         no worse (95% paired interval) on FD and KID in every space; `cargo xtask verify` \
         repeats it on two banks at n = 5000",
        args.fresh_bank, args.fresh_n, args.fresh_spaces
    ));
    summary["fresh"] = serde_json::json!({"config": fresh["config"], "spaces": fresh["spaces"],
        "budgets": fresh["outcome"]["budgets"], "best_single": fresh["outcome"]["best_single"],
        "speedup_schedule": fresh["outcome"]["speedup_schedule"], "summary": "fresh/summary.json"});
    oms_artifacts::write_json(&path, &summary)?;
    let report = args.out.join("report.md");
    let mut text = std::fs::read_to_string(&report)?;
    text.push_str(&md.replacen("# Fresh-noise verification", "## Fresh-noise check", 1));
    oms_artifacts::write_atomic(&report, text.as_bytes())?;
    print!("{md}");
    Ok(())
}

/// The baselines of the run, read from --baselines or labelled now (with a progress bar).
fn baselines(
    args: &SearchArgs,
    setup: &Setup,
    labeller: &Labeller,
    budgets: &[f64],
    device: &Device,
) -> Result<oms_pipeline::baselines::Baselines> {
    let source = BaselineSource {
        file: &args.baselines,
        cache: Path::new("data/baselines"),
    };
    let pb = bar(0, "baselines");
    let base = load_or_measure(
        setup,
        labeller,
        &source,
        budgets,
        device,
        &mut |e| match e {
            LabelEvent::Start { todo, .. } => pb.set_length(todo as u64),
            LabelEvent::Written(_) => pb.inc(1),
            LabelEvent::Nfe(_) => {}
        },
    )?;
    pb.finish_and_clear();
    match base.committed {
        true => eprintln!(
            "baselines: {} labels from {}",
            base.records.len(),
            base.source.display()
        ),
        false => eprintln!(
            "baselines: {} does not fit this zoo, n, noise seed set and metric; labelled here into {}",
            args.baselines.display(),
            base.source.display()
        ),
    }
    Ok(base)
}

/// The latency profile: the given file, else the one table for this hardware, backend and zoo
/// under assets/latency or data/latency, else a fresh profile at batch 64 cached under
/// data/latency.
fn latency(
    args: &SearchArgs,
    manifest: &ZooManifest,
    device_arg: DeviceArg,
    device: &Device,
) -> Result<LatencyProfile> {
    if let Some(p) = &args.latency {
        return Ok(read_profile(p)?);
    }
    let kind = device_arg.name();
    let hardware = hardware(kind);
    let query = TableQuery {
        hardware: &hardware,
        device: kind,
        batch: None,
        manifest,
    };
    let dirs = [Path::new("assets/latency"), Path::new("data/latency")];
    if let Some((path, p)) = choose_profile(&dirs, &query)? {
        eprintln!("latency table: {} ({})", path.display(), p.info.hardware);
        return Ok(p);
    }
    eprintln!("no latency table for '{hardware}' ({kind}): profiling this machine (batch 64)");
    crate::profile::profile_to(manifest, 64, device_arg, device, Path::new("data/latency"))
}

fn predictor(
    args: &SearchArgs,
    setup: &Setup,
    labels: &[Record],
    device: &Device,
) -> Result<Predictor> {
    if let Some(dir) = &args.predictor {
        return Ok(Predictor::load(dir, device)?);
    }
    let kind = SearchPredictor {
        encoder: args.encoder,
        loss: args.loss,
        epochs: args.epochs,
        objective: args.objective,
    };
    let source = label_source(&args.labels);
    let p = train_for_search(labels, &setup.manifest, &source, kind, device)?;
    print_trained(&p);
    Ok(p)
}

/// One line on a predictor trained for a search.
pub fn print_trained(p: &Predictor) {
    let m = &p.info.metrics;
    eprintln!(
        "predictor: validation Kendall tau {:.3} ({} train, {} validation labels)",
        m["val_tau"].as_f64().unwrap_or(f64::NAN),
        m["train_labels"],
        m["val_labels"]
    );
}
