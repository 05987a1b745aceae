//! `cargo xtask dataset`: label random model schedules with FD / KID, crash-safe and resumable,
//! shardable across processes or machines; `cargo xtask dataset merge` combines shard files.

use oms_metrics::features::FeatureSpace;
use oms_pipeline::fresh::FRESH_BANK_MIN;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_dataset::{
    LabelEvent, Labeller, Record, RunSpec, Shard, SlotSpace, baseline_plan, joint_plan, label_plan,
    merge_records, plan, to_jsonl,
};
use oms_pipeline::keys::{DatasetKey, dataset_key, zoo_key};
use oms_pipeline::latency::read_profile;
use oms_pipeline::setup::start_lambda;
use oms_schedule::{NoiseSchedule, NoiseSpec, Solver};
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::metric_args::MetricArgs;
use crate::progress::bar;

/// Arguments of `dataset`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DatasetArgs {
    #[command(subcommand)]
    merge: Option<DatasetCmd>,
    #[command(flatten)]
    label: LabelArgs,
}

/// `dataset merge`.
#[derive(clap::Subcommand)]
enum DatasetCmd {
    /// Combine shard files into one label file (union by id, sorted; exact).
    Merge {
        /// Shard files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Merged file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Which schedules a `dataset` run labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PlanKind {
    /// The generators of the predictor's labels.
    Random,
    /// Single models and two-model switches.
    Baselines,
    /// Slots with free step placement and single-step or multistep solvers.
    Joint,
}

impl PlanKind {
    /// The name run keys record.
    fn name(self) -> &'static str {
        match self {
            PlanKind::Random => "random",
            PlanKind::Baselines => "baselines",
            PlanKind::Joint => "joint",
        }
    }
}

/// Arguments of labelling.
#[derive(clap::Args)]
struct LabelArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Latency profile that prices schedules (`cargo xtask profile` writes one).
    #[arg(long, default_value = "assets/latency/fashion-mnist-cpu-b64.ron")]
    latency: PathBuf,
    /// Schedules in the plan (all shards together).
    #[arg(long, default_value_t = 600)]
    count: usize,
    /// Images per label.
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// This process's shard `i/n` (0-based).
    #[arg(long, default_value = "0/1")]
    shard: String,
    /// Slots of the reference encoding (L = 3 K entries).
    #[arg(long, default_value_t = 10)]
    slots: usize,
    /// Share of schedules drawn by the even-cost generator (the rest: reference generator).
    #[arg(long, default_value_t = 0.5)]
    even_fraction: f64,
    /// Seed of the plan.
    #[arg(long, default_value_t = 0)]
    plan_seed: u64,
    /// Which schedules: `random` (the generators of the predictor's labels), `baselines`
    /// (every model alone at --nfes and orders 1-3, and two-model switches; --count caps it) or
    /// `joint` (slots with free step placement and single-step or multistep solvers, costing at
    /// most --max-cost).
    #[arg(long, value_enum, default_value = "random")]
    plan: PlanKind,
    /// Most cost (ms per batch of the latency table) of a `joint` plan's schedules (default
    /// 1500); with `baselines`: label only the plan's schedules that cost at most this (their
    /// ids and the run key stay those of the whole plan, so a later run can add the rest).
    #[arg(long)]
    max_cost: Option<f64>,
    /// NFEs of the baseline plan.
    #[arg(long, value_delimiter = ',', default_value = "2,3,4,5,6,8,10,12,15,20")]
    nfes: Vec<usize>,
    /// Noise seed set of the labels (below 1000: higher sets are kept for fresh verification).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Also score every label in this feature space (e.g. efficientnet); the record keeps both.
    #[arg(long)]
    second_space: Option<FeatureSpace>,
    /// Images per sampling batch.
    #[arg(long, default_value_t = 250)]
    batch: usize,
    /// Feature space of every label's FD and KID: cnn (the dataset's classifier; 28x28 gray
    /// zoos) or efficientnet (ImageNet features; gray or RGB images of any size).
    #[arg(long, default_value = "cnn")]
    feature_space: FeatureSpace,
    #[command(flatten)]
    metric: MetricArgs,
    /// Label file (JSON lines); re-running with the same arguments resumes it.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: DatasetArgs, device: &Device) -> Result<()> {
    match args.merge {
        Some(DatasetCmd::Merge { inputs, out }) => merge(&inputs, &out),
        None => label(args.label, device),
    }
}

fn merge(inputs: &[PathBuf], out: &Path) -> Result<()> {
    let records = merge_records(inputs)?;
    write_atomic(out, to_jsonl(&records).as_bytes())?;
    println!(
        "merged {} records from {} files into {}",
        records.len(),
        inputs.len(),
        out.display()
    );
    Ok(())
}

fn label(args: LabelArgs, device: &Device) -> Result<()> {
    let out = args.out.clone().context("give --out FILE.jsonl")?;
    let shard = Shard::parse(&args.shard)?;
    let manifest = ZooManifest::load(&args.zoo)?;
    let profile = read_profile(&args.latency)?;
    let space = SlotSpace::new(args.slots, manifest.names(), &profile.table)?;
    let planned = match args.plan {
        PlanKind::Random => plan(&space, args.count, args.even_fraction, args.plan_seed)?,
        PlanKind::Baselines => {
            let mut p = baseline_plan(&space, &args.nfes);
            p.truncate(args.count);
            if let Some(cap) = args.max_cost {
                p.retain(|s| space.cost(&s.slots) <= cap);
            }
            p
        }
        PlanKind::Joint => joint_plan(&space, args.count, joint_cap(&args), args.plan_seed)?,
    };
    if args.seed >= FRESH_BANK_MIN {
        bail!(
            "--seed {}: banks from {FRESH_BANK_MIN} up are kept for fresh verification (`cargo \
             xtask verify`); label with a lower bank",
            args.seed
        );
    }
    let net = args.metric.space(args.feature_space, device)?;
    let net = net.as_ref();
    let reference = args.metric.reference(net, device)?;
    // The second space's network with its reference, loaded together.
    let second = match args.second_space {
        Some(space) => {
            let n = args.metric.space(space, device)?;
            let r = args.metric.reference(n.as_ref(), device)?;
            Some((n, r))
        }
        None => None,
    };
    // The run key covers both protocols: files with and without the second space never mix.
    let protocol_hash = reference.protocol.hash();
    let key_protocol = match &second {
        Some((_, r)) => format!("{protocol_hash}+{}", r.protocol.hash()),
        None => protocol_hash.clone(),
    };
    let key = dataset_key(&DatasetKey {
        manifest: &manifest,
        profile: &profile,
        slots: args.slots,
        even_fraction: args.even_fraction,
        plan_seed: args.plan_seed,
        n: args.n,
        plan: args.plan.name(),
        nfes: (args.plan == PlanKind::Baselines).then_some(&args.nfes[..]),
        seed: args.seed,
        protocol: &key_protocol,
        max_cost: (args.plan == PlanKind::Joint).then(|| joint_cap(&args)),
    });
    let zoo = manifest.build(device)?;
    let labeller = Labeller::new(
        &zoo,
        net,
        &reference,
        (args.n, args.batch, args.seed),
        manifest.image_shape,
    );
    let labeller = match &second {
        Some((n, r)) => labeller.with_second(n.as_ref(), r),
        None => labeller,
    };
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
    let lambda_start = start_lambda(&manifest, &noise);
    let zoo_key = zoo_key(&manifest);
    let spec = RunSpec {
        plan: &planned,
        shard,
        space: &space,
        noise: &noise,
        solver: Solver::DpmSolver,
        lambda_start,
        run_key: &key,
        protocol_hash: &protocol_hash,
        zoo: &zoo_key,
    };
    let pb = bar(0, "labels");
    let (start, mut total, mut made) = (std::time::Instant::now(), 0usize, 0usize);
    let written = label_plan(&spec, &labeller, &out, device, &mut |e| match e {
        LabelEvent::Start { todo, done } => {
            pb.suspend(|| {
                eprintln!(
                    "shard {}: {done} labels already in {}, {todo} to make (n = {})",
                    args.shard,
                    out.display(),
                    args.n
                )
            });
            pb.set_length(todo as u64);
            total = todo;
        }
        LabelEvent::Nfe(_) => pb.tick(),
        LabelEvent::Written(r) => {
            made += 1;
            pb.inc(1);
            let eta = start.elapsed().as_secs_f64() / made as f64 * (total - made) as f64;
            pb.suspend(|| eprintln!("{made}/{total} {} eta {eta:.0} s", line(r)));
        }
    })?;
    pb.finish_and_clear();
    let records = oms_dataset::read_records(&out)?;
    let summary_path = out.with_extension("summary.json");
    write_json(
        &summary_path,
        &json!({"command": "dataset", "out": out, "shard": args.shard, "count": args.count,
        "n": args.n, "seed": args.seed, "run_key": key, "protocol_hash": protocol_hash,
        "written_now": written, "records": records.len(),
        "label_seconds": records.iter().map(|r| r.wall_s).sum::<f64>(),
        "device": format!("{device:?}"), "latency": args.latency}),
    )?;
    println!(
        "{written} labels written; {} in {}",
        records.len(),
        out.display()
    );
    Ok(())
}

fn joint_cap(args: &LabelArgs) -> f64 {
    args.max_cost.unwrap_or(1500.0)
}

fn line(r: &Record) -> String {
    format!(
        "#{:<5} {:>2} NFE {:>9.1} ms  FD {:>8.2}  KID {:.4}  {:.1} s",
        r.id, r.nfe, r.cost_ms, r.fd, r.kid, r.wall_s
    )
}
