//! `cargo xtask train-bench`: training throughput of every UNet member of a zoo at one or more
//! batch sizes on the chosen device (`DIR/train-bench.md`, `DIR/summary.json`). Each row is a
//! fresh initialisation, untimed warm-up steps, then timed steps of exactly the step
//! `train-zoo` runs (`oms_train::measure_throughput`); nothing is written but the results.

use std::path::PathBuf;

use anyhow::{Result, bail};
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_data::{Dataset, DatasetKind, Split};
use oms_train::measure_throughput;
use oms_zoo::{MemberKind, ZooManifest};
use serde::Serialize;
use serde_json::json;

use crate::device::DeviceArg;

/// Arguments of `train-bench`.
#[derive(clap::Args)]
pub struct TrainBenchArgs {
    /// Zoo manifest (each member's recipe gives everything but the batch size).
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Batch sizes, one row per member and size.
    #[arg(long, value_delimiter = ',', default_value = "128")]
    batch: Vec<usize>,
    /// Only these members (default: every UNet member).
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// Untimed steps before timing (kernel compilation and autotuning on a GPU).
    #[arg(long, default_value_t = 2)]
    warmup: usize,
    /// Timed steps per row.
    #[arg(long, default_value_t = 5)]
    steps: usize,
    /// Data root (see `cargo xtask data`).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// One measured member and batch size.
#[derive(Serialize)]
struct Row {
    member: String,
    batch: usize,
    images_per_s: f64,
    ms_per_step: f64,
    /// Forward MFLOP per image (the zoo's own count); a training step is about three forwards.
    mflop_per_image: f64,
    /// `3 x forward FLOPs x images/s`: the arithmetic rate the step reaches.
    approx_gflop_per_s: f64,
}

/// Runs the command.
pub fn run(args: TrainBenchArgs, device_arg: DeviceArg, device: &Device) -> Result<()> {
    if args.steps == 0 || args.batch.contains(&0) {
        bail!("--steps and every --batch must be at least 1");
    }
    let manifest = ZooManifest::load(&args.zoo)?;
    let names = manifest.names();
    if let Some(unknown) = args.models.iter().find(|m| !names.contains(m)) {
        bail!(
            "{}: no member '{unknown}' (names: {})",
            args.zoo.display(),
            names.join(", ")
        );
    }
    let mut rows = vec![];
    let mut loaded: Option<(DatasetKind, Dataset)> = None;
    for member in &manifest.members {
        let MemberKind::Unet(unet) = &member.kind else {
            continue;
        };
        if !args.models.is_empty() && !args.models.contains(&member.name) {
            continue;
        }
        let Some(kind) = DatasetKind::parse(&unet.dataset) else {
            bail!(
                "member '{}': unknown dataset '{}'",
                member.name,
                unet.dataset
            );
        };
        // Loaded (and sha256-checked) once per dataset, not once per member.
        if loaded.as_ref().is_none_or(|(k, _)| *k != kind) {
            loaded = Some((kind, Dataset::load(&args.data, kind, Split::Train)?));
        }
        let data = &loaded.as_ref().expect("loaded above").1;
        for &batch in &args.batch {
            let mut recipe = unet.recipe.clone();
            recipe.batch = batch;
            let t = measure_throughput(
                &unet.config,
                &member.convention,
                &recipe,
                data,
                device,
                args.warmup,
                args.steps,
            )?;
            let mflop = unet.config.flops_per_image() / 1e6;
            let row = Row {
                member: member.name.clone(),
                batch,
                images_per_s: t.images_per_s,
                ms_per_step: t.ms_per_step,
                mflop_per_image: mflop,
                approx_gflop_per_s: 3.0 * mflop * t.images_per_s / 1e3,
            };
            eprintln!(
                "{} b{batch}: {:.0} images/s ({:.1} ms per step)",
                row.member, row.images_per_s, row.ms_per_step
            );
            rows.push(row);
        }
    }
    if rows.is_empty() {
        bail!("no UNet member to measure in {}", args.zoo.display());
    }
    let hardware = oms_pipeline::latency::hardware(device_arg.name());
    let md = table_md(&rows, &hardware, device_arg.name(), &args);
    println!("{md}");
    write_atomic(&args.out.join("train-bench.md"), md.as_bytes())?;
    let summary = json!({
        "command": "train-bench", "zoo": args.zoo, "device": device_arg.name(),
        "hardware": hardware, "warmup_steps": args.warmup, "timed_steps": args.steps,
        "rows": rows, "table": "train-bench.md",
    });
    write_json(&args.out.join("summary.json"), &summary)?;
    Ok(())
}

fn table_md(rows: &[Row], hardware: &str, device: &str, args: &TrainBenchArgs) -> String {
    let mut md = format!(
        "Training throughput on {hardware} (`--device {device}`), {} warm-up + {} timed steps \
         per row, from a fresh initialisation.\n\n\
         | member | batch | images/s | ms per step | MFLOP per image (forward) | ~GFLOP/s (3x forward) |\n\
         |---|---|---|---|---|---|\n",
        args.warmup, args.steps
    );
    for r in rows {
        md.push_str(&format!(
            "| {} | {} | {:.0} | {:.1} | {:.1} | {:.1} |\n",
            r.member,
            r.batch,
            r.images_per_s,
            r.ms_per_step,
            r.mflop_per_image,
            r.approx_gflop_per_s
        ));
    }
    md
}
