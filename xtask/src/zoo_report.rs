//! `cargo xtask zoo-report`: for every UNet member of a zoo, its parameters, forward GFLOPs per
//! image, measured latency at one batch size, training record, and sample grids with
//! DPM-Solver-2 at several NFE; writes `zoo.md`, `summary.json` and the grids to `--out`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Result, bail};
use burn::module::Module;
use burn::tensor::Device;
use oms_artifacts::{Images, to_u8, write_atomic, write_grid, write_json};
use oms_latency::time_forward;
use oms_sampler::{GenerateSpec, Sampler, SamplerOptions, Zoo, generate};
use oms_schedule::{NoiseSchedule, NoiseSpec, SingleModel, Solver, TimeGrid};
use oms_zoo::{MemberKind, ZooManifest};
use serde_json::{Value, json};

/// Arguments of `zoo-report`.
#[derive(clap::Args)]
pub struct ZooReportArgs {
    /// Zoo manifest.
    #[arg(long, default_value = "configs/zoo/fashion-mnist.ron")]
    zoo: PathBuf,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Batch size of the latency measurement.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Timed runs per member (after one warm-up run).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Samples per grid.
    #[arg(long, default_value_t = 32)]
    n: usize,
}

const NFES: [usize; 3] = [5, 10, 20];

/// Runs the command.
pub fn run(args: ZooReportArgs, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let mut rows = vec![];
    for member in &manifest.members {
        let MemberKind::Unet(unet) = &member.kind else {
            continue;
        };
        let model = manifest.load_unet(&member.name, unet, &member.convention, device)?;
        let params = model.net.num_params();
        let timing = time_forward(
            &model,
            args.batch,
            manifest.image_shape,
            device,
            1,
            args.runs,
        );
        let mut zoo = Zoo::new();
        zoo.push(member.name.clone(), Box::new(model))?;
        let mut grids = vec![];
        for nfe in NFES {
            let file = format!("{}-nfe{nfe}.png", member.name);
            sample_grid(
                &zoo,
                &member.name,
                member.convention.lambda_min(),
                nfe,
                args.n,
                manifest.image_shape,
                device,
                &args.out.join(&file),
            )?;
            grids.push(file);
        }
        let record_path = manifest.checkpoint_path(unet).with_extension("train.json");
        let record: Value = std::fs::read_to_string(&record_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        println!(
            "{}: {:.0} ms at batch {}",
            member.name,
            timing.median_ms(),
            args.batch
        );
        rows.push(json!({
            "name": member.name,
            "prediction": format!("{:?}", member.convention.prediction),
            "noise": format!("{:?}", member.convention.noise.spec()),
            "parameters": params,
            "gflops_per_image": unet.config.flops_per_image() / 1e9,
            "latency_ms": timing.median_ms(),
            "latency_runs_ms": timing.runs_ms,
            "train_steps": record["steps"],
            "final_loss": record["final_loss"],
            "train_seconds": record["train_seconds"],
            "grids": grids,
        }));
    }
    if rows.is_empty() {
        bail!("{} has no UNet members", args.zoo.display());
    }
    let md = markdown(&rows, args.batch);
    write_atomic(&args.out.join("zoo.md"), md.as_bytes())?;
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "zoo-report", "zoo": manifest.name, "batch": args.batch, "device": format!("{device:?}"), "members": rows}),
    )?;
    print!("{md}");
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn sample_grid(
    zoo: &Zoo,
    model: &str,
    lambda_min: f64,
    nfe: usize,
    n: usize,
    shape: [usize; 3],
    device: &Device,
    path: &std::path::Path,
) -> Result<()> {
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
    let lambda_start = noise.lambda(1.0).max(lambda_min);
    let spec = SingleModel {
        solver: Solver::DpmSolver,
        model,
        nfe,
        order: 2,
        grid: TimeGrid::UniformLambda,
        noise: &noise,
        lambda_start,
        t_end: None,
    };
    let schedule = spec.build()?;
    let sampler = Sampler::new(zoo, SamplerOptions::default());
    let values = generate(
        &sampler,
        &schedule,
        &GenerateSpec {
            n,
            batch: n,
            shape,
            seed: 0,
        },
        device,
        &mut |_| {},
    )?;
    let images = Images {
        pixels: to_u8(&values),
        shape: vec![n, shape[1], shape[2]],
    };
    write_grid(path, &images, 8, n.div_ceil(8))?;
    Ok(())
}

fn markdown(rows: &[Value], batch: usize) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| member | convention | parameters | GFLOP/image | CPU latency, batch {batch} | training steps | final loss | training time |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.4} | {:.0} ms | {} | {:.4} | {:.0} s |",
            r["name"].as_str().unwrap_or(""),
            r["prediction"].as_str().unwrap_or(""),
            r["parameters"],
            r["gflops_per_image"].as_f64().unwrap_or(f64::NAN),
            r["latency_ms"].as_f64().unwrap_or(f64::NAN),
            r["train_steps"],
            r["final_loss"].as_f64().unwrap_or(f64::NAN),
            r["train_seconds"].as_f64().unwrap_or(f64::NAN),
        );
    }
    md.push_str("\nSamples (DPM-Solver-2, lambda-uniform steps, seed 0), at 5, 10 and 20 NFE:\n\n");
    for r in rows {
        let grids: Vec<String> = r["grids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g.as_str())
            .map(|g| format!("![{g}](zoo/{g})"))
            .collect();
        let _ = writeln!(
            md,
            "**{}**: {}\n",
            r["name"].as_str().unwrap_or(""),
            grids.join(" ")
        );
    }
    md
}
