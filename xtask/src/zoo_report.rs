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
use oms_metrics::features::all_features;
use oms_metrics::score_features;
use oms_pipeline::setup::{SingleSpec, single_model};
use oms_sampler::{GenerateSpec, Sampler, SamplerOptions, Zoo, generate};
use oms_schedule::{Solver, TimeGrid};
use oms_zoo::{MemberKind, ZooManifest};
use serde_json::{Value, json};

use crate::metric_args::MetricArgs;

/// Arguments of `zoo-report`.
#[derive(clap::Args)]
pub struct ZooReportArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
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
    /// Samples per member and NFE for the Fréchet distance (step-3 metric); 0 skips it.
    #[arg(long, default_value_t = 0)]
    fid_n: usize,
    /// Clean end of the sampling grids. The default zoo was trained on t >= 1e-3 (recipe
    /// `t_min`); the reference's rule (1e-4 from 15 NFE on) would step outside that range.
    #[arg(long, default_value_t = 1e-3)]
    t_end: f64,
    /// Feature space of the FD and KID: cnn (the dataset's classifier; 28x28 gray zoos) or
    /// efficientnet (ImageNet features; gray or RGB images of any size).
    #[arg(long, default_value = "cnn")]
    feature_space: oms_metrics::features::FeatureSpace,
    #[command(flatten)]
    metric: MetricArgs,
}

const NFES: [usize; 3] = [5, 10, 20];

/// Runs the command.
pub fn run(args: ZooReportArgs, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let metric = match args.fid_n {
        0 => None,
        _ => {
            let net = args.metric.space(args.feature_space, device)?;
            let reference = args.metric.reference(net.as_ref(), device)?;
            Some((net, reference))
        }
    };
    let mut rows = vec![];
    let unets = manifest
        .members
        .iter()
        .filter(|m| matches!(m.kind, MemberKind::Unet(_)));
    let pb = crate::progress::bar((unets.count() * NFES.len()) as u64, "member x NFE");
    for member in &manifest.members {
        let MemberKind::Unet(unet) = &member.kind else {
            continue;
        };
        pb.set_message(member.name.clone());
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
        let (mut grids, mut fds) = (vec![], vec![]);
        for nfe in NFES {
            let file = format!("{}-nfe{nfe}.png", member.name);
            let images = sample_images(
                (&zoo, &manifest),
                &member.name,
                args.t_end,
                nfe,
                args.n.max(args.fid_n),
                manifest.image_shape,
                device,
            )?;
            let size: usize = manifest.image_shape.iter().product();
            let mut shape = images.shape.clone();
            shape[0] = args.n;
            let grid = Images {
                pixels: images.pixels[..args.n * size].to_vec(),
                shape,
            };
            write_grid(&args.out.join(&file), &grid, 8, args.n.div_ceil(8))?;
            grids.push(file);
            pb.inc(1);
            if let Some((net, reference)) = &metric {
                let n = args.fid_n;
                let feats = all_features(
                    net.as_ref(),
                    &images.pixels[..n * size],
                    manifest.image_shape,
                    n,
                    500,
                    device,
                );
                let score = score_features(&feats, net.dim(), reference, 0)?;
                pb.suspend(|| println!("{} at {nfe} NFE: FD {:.2}", member.name, score.fd));
                fds.push(json!({"nfe": nfe, "fd": score.fd, "kid": score.kid, "n": n}));
            }
        }
        let record_path = manifest.checkpoint_path(unet).with_extension("train.json");
        let record: Value = std::fs::read_to_string(&record_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        pb.suspend(|| {
            println!(
                "{}: {:.0} ms at batch {}",
                member.name,
                timing.median_ms(),
                args.batch
            )
        });
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
            "fd": fds,
        }));
    }
    pb.finish_and_clear();
    if rows.is_empty() {
        bail!("{} has no UNet members", args.zoo.display());
    }
    let md = markdown(&rows, args.batch, args.fid_n, args.t_end);
    write_atomic(&args.out.join("zoo.md"), md.as_bytes())?;
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "zoo-report", "zoo": manifest.name, "batch": args.batch, "fid_n": args.fid_n, "t_end": args.t_end,
            "protocol_hash": metric.as_ref().map(|(_, r)| r.protocol.hash()),
            "device": format!("{device:?}"), "members": rows}),
    )?;
    print!("{md}");
    Ok(())
}

/// `n` samples of one member alone with DPM-Solver-2 on lambda-uniform steps, seed 0.
fn sample_images(
    (zoo, manifest): (&Zoo, &ZooManifest),
    model: &str,
    t_end: f64,
    nfe: usize,
    n: usize,
    shape: [usize; 3],
    device: &Device,
) -> Result<Images> {
    let spec = SingleSpec {
        solver: Solver::DpmSolver,
        order: 2,
        nfe,
        grid: TimeGrid::UniformLambda,
        t_end: Some(t_end),
    };
    let schedule = single_model(manifest, model, &spec)?;
    let sampler = Sampler::new(zoo, SamplerOptions::default());
    let values = generate(
        &sampler,
        &schedule,
        &GenerateSpec {
            n,
            batch: n.min(250),
            shape,
            seed: 0,
        },
        device,
        &mut |_| {},
    )?;
    Ok(Images {
        pixels: to_u8(&values),
        shape: vec![n, shape[1], shape[2]],
    })
}

fn markdown(rows: &[Value], batch: usize, fid_n: usize, t_end: f64) -> String {
    let mut md = String::new();
    let fd_head = match fid_n {
        0 => String::new(),
        n => NFES.map(|k| format!(" FD {k} NFE (n {n}) |")).concat(),
    };
    let _ = writeln!(
        md,
        "| member | prediction | parameters | GFLOP/image | CPU latency, batch {batch} | training steps | final loss | training time |{fd_head}"
    );
    let cols = 8 + if fid_n > 0 { NFES.len() } else { 0 };
    let _ = writeln!(md, "|{}", "---|".repeat(cols));
    for r in rows {
        let fds: String = r["fd"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| format!(" {:.2} |", f["fd"].as_f64().unwrap_or(f64::NAN)))
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.4} | {:.0} ms | {} | {:.4} | {:.0} s |{fds}",
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
    let _ = writeln!(
        md,
        "\nSamples (DPM-Solver-2, lambda-uniform steps to t = {t_end}, seed 0), at 5, 10 and 20 NFE:\n"
    );
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
