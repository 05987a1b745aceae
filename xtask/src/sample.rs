//! `cargo xtask sample`: generate samples with one model or a model schedule and write
//! `samples.npy`, `grid.png`, `schedule.ron` and `summary.json` to `--out`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{Images, to_u8, write_atomic, write_grid, write_images, write_json};
use oms_pipeline::report::read_schedule;
use oms_pipeline::setup::SingleSpec;
use oms_sampler::{GenerateSpec, Sampler, SamplerOptions, generate};
use oms_schedule::{Schedule, SolverName, TimeGrid};
use oms_solver::HistoryPolicy;
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::progress::bar;

/// Arguments of `sample`.
#[derive(clap::Args)]
pub struct SampleArgs {
    /// Zoo manifest (RON).
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Model name for a single-model run.
    #[arg(
        long,
        conflicts_with = "schedule",
        required_unless_present = "schedule"
    )]
    model: Option<String>,
    /// Solver: ddim, dpm-solver, dpm-solver++, dpm-solver++-multistep, dpmpp-2m or dpmpp-3m.
    #[arg(long, default_value = "dpm-solver")]
    solver: SolverName,
    /// Solver order (1..=3; default 2). DDIM is 1 and dpmpp-2m / dpmpp-3m are 2 / 3: another
    /// order with them is an error.
    #[arg(long)]
    order: Option<u8>,
    /// Number of network evaluations.
    #[arg(long, default_value_t = 10)]
    nfe: usize,
    /// DDIM eta (0 = deterministic).
    #[arg(long, default_value_t = 0.0)]
    eta: f64,
    /// Step placement: lambda, t or quadratic.
    #[arg(long, default_value = "lambda")]
    grid: TimeGrid,
    /// A schedule file (RON or JSON) instead of --model.
    #[arg(long)]
    schedule: Option<PathBuf>,
    /// Multistep history across model switches: keep or restart.
    #[arg(long, default_value = "keep")]
    history: String,
    /// Number of samples.
    #[arg(long, default_value_t = 64)]
    n: usize,
    /// Samples per batch.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Seed of the noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: SampleArgs, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let schedule = match &args.schedule {
        Some(path) => read_schedule(path)?,
        None => single_model(&args, &manifest)?,
    };
    let source = args
        .schedule
        .as_ref()
        .map_or("--model".to_string(), |p| p.display().to_string());
    schedule
        .validate(&manifest.model_infos())
        .with_context(|| format!("schedule from {source}"))?;
    let used: Vec<&str> = schedule.nfe_models().collect();
    let zoo = manifest.build_members(device, &used)?;
    if args.n == 0 || args.batch == 0 {
        bail!("--n and --batch must be positive");
    }
    let history = match args.history.as_str() {
        "keep" => HistoryPolicy::Keep,
        "restart" => HistoryPolicy::Restart,
        other => bail!("unknown --history '{other}': use keep or restart"),
    };
    let sampler = Sampler::new(
        &zoo,
        SamplerOptions {
            history,
            ..Default::default()
        },
    );
    let [c, h, w] = manifest.image_shape;
    let spec = GenerateSpec {
        n: args.n,
        batch: args.batch,
        shape: [c, h, w],
        seed: args.seed,
    };
    let batches = args.n.div_ceil(args.batch);
    let pb = bar((batches * schedule.nfe()) as u64, "NFE");
    let start = Instant::now();
    let values = generate(&sampler, &schedule, &spec, device, &mut |k| {
        pb.inc(k as u64)
    })?;
    let wall = start.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let shape = if c == 1 {
        vec![args.n, h, w]
    } else {
        vec![args.n, c, h, w]
    };
    let images = Images {
        pixels: to_u8(&values),
        shape,
    };
    write_outputs(&args, &schedule, &images, wall, &manifest, device)?;
    println!(
        "{} samples, {} NFE, {:.2} s ({:.1} images/s) -> {}",
        args.n,
        schedule.nfe(),
        wall,
        args.n as f64 / wall,
        args.out.display()
    );
    Ok(())
}

fn write_outputs(
    args: &SampleArgs,
    schedule: &Schedule,
    images: &Images,
    wall: f64,
    manifest: &ZooManifest,
    device: &Device,
) -> Result<()> {
    let out = &args.out;
    write_images(&out.join("samples.npy"), images)?;
    write_grid(&out.join("grid.png"), images, 8, 8)?;
    write_atomic(&out.join("schedule.ron"), schedule.to_ron().as_bytes())?;
    let summary = json!({
        "command": "sample",
        "zoo": manifest.name,
        "zoo_file": args.zoo,
        "schedule": schedule,
        "solver": schedule.solver.name(),
        "nfe": schedule.nfe(),
        "n": args.n,
        "batch": args.batch,
        "seed": args.seed,
        "history": args.history,
        "device": format!("{device:?}"),
        "wall_s": wall,
        "images_per_s": args.n as f64 / wall,
        "samples": "samples.npy",
        "samples_shape": images.file_shape(),
        "grid": "grid.png",
    });
    write_json(&out.join("summary.json"), &summary)?;
    Ok(())
}

fn single_model(args: &SampleArgs, manifest: &ZooManifest) -> Result<Schedule> {
    let model = args
        .model
        .as_deref()
        .expect("clap requires --model without --schedule");
    let (solver, order) = args
        .solver
        .resolve(args.eta, args.order, 2)
        .map_err(anyhow::Error::msg)?;
    let spec = SingleSpec {
        solver,
        order,
        nfe: args.nfe,
        grid: args.grid.clone(),
        t_end: None,
    };
    Ok(oms_pipeline::setup::single_model(manifest, model, &spec)?)
}
