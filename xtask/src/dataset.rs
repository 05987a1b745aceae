//! `cargo xtask dataset`: label random model schedules with FD / KID, crash-safe and resumable,
//! shardable across processes or machines; `cargo xtask dataset merge` combines shard files.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_dataset::{
    LabelEvent, Labeller, Record, RunSpec, Shard, SlotSpace, baseline_plan, joint_plan, label_plan,
    merge_records, plan, run_key, to_jsonl,
};
use oms_latency::LatencyProfile;
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
    #[arg(long, default_value = "random")]
    plan: String,
    /// Most cost (ms per batch of the latency table) of a `joint` plan's schedules (default
    /// 1500); with `baselines`: label only the plan's schedules that cost at most this (their
    /// ids and the run key stay those of the whole plan, so a later run can add the rest).
    #[arg(long)]
    max_cost: Option<f64>,
    /// NFEs of the baseline plan.
    #[arg(long, value_delimiter = ',', default_value = "2,3,4,5,6,8,10,12,15,20")]
    nfes: Vec<usize>,
    /// Noise bank of the labels.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Images per sampling batch.
    #[arg(long, default_value_t = 250)]
    batch: usize,
    #[command(flatten)]
    metric: MetricArgs,
    /// Label file (JSON lines); re-running with the same arguments resumes it.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the command.
/// The key every label records its zoo by: a hash of the members (names, conventions,
/// architectures, checkpoints and their sha256). Labels are only used with the zoo of that key.
pub fn zoo_key(manifest: &ZooManifest) -> String {
    run_key(&manifest.members)
}

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
    let planned = match args.plan.as_str() {
        "random" => plan(&space, args.count, args.even_fraction, args.plan_seed)?,
        "baselines" => {
            let mut p = baseline_plan(&space, &args.nfes);
            p.truncate(args.count);
            if let Some(cap) = args.max_cost {
                p.retain(|s| space.cost(&s.slots) <= cap);
            }
            p
        }
        "joint" => joint_plan(&space, args.count, joint_cap(&args), args.plan_seed)?,
        other => bail!("unknown plan '{other}': use random, baselines or joint"),
    };
    let net = args.metric.classifier(device)?;
    let reference = args.metric.reference(&net, device)?;
    let protocol_hash = reference.protocol.hash();
    let mut key_parts = json!({
        "members": manifest.members, "table": profile.table, "slots": args.slots,
        "even_fraction": args.even_fraction, "plan_seed": args.plan_seed, "n": args.n,
        "plan": args.plan, "nfes": if args.plan == "baselines" { json!(args.nfes) } else { json!(null) },
        "seed": args.seed, "protocol": protocol_hash, "solver": "dpm-solver",
    });
    // Joint plans add their cost cap; the keys of earlier plans stay as they were.
    if args.plan == "joint" {
        key_parts["max_cost"] = json!(joint_cap(&args));
    }
    let key = run_key(&key_parts);
    let zoo = manifest.build(device)?;
    let labeller = Labeller::new(
        &zoo,
        &net,
        &reference,
        (args.n, args.batch, args.seed),
        manifest.image_shape,
    );
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

/// Where slot schedules over `manifest` start: `lambda(1)` of the shared linear VP schedule, or
/// the noisiest level every member is trained for if that is less noisy.
pub fn start_lambda(manifest: &ZooManifest, noise: &NoiseSchedule) -> f64 {
    manifest
        .model_infos()
        .iter()
        .map(|m| m.lambda_min)
        .fold(noise.lambda(1.0), f64::max)
}

/// Reads a latency profile written by `cargo xtask profile`.
pub fn read_profile(path: &Path) -> Result<LatencyProfile> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the latency table {}: write one with `cargo xtask profile --out DIR` and pass DIR/latency-b<B>.ron",
            path.display()
        )
    })?;
    match ron::from_str(&text) {
        Ok(p) => Ok(p),
        Err(e) => bail!(
            "{} is not a latency profile ({e}); write one with `cargo xtask profile`",
            path.display()
        ),
    }
}
