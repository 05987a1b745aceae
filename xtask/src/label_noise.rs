//! `cargo xtask label-noise`: how noisy is a quality label? FD of a few schedules over several
//! noise banks at growing sample counts (each count a prefix of the largest), with the mean and
//! standard deviation over banks and how often the banks agree on the ranking of the schedules.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{to_u8, write_atomic, write_json};
use oms_metrics::features::{FeatureNet, all_features};
use oms_metrics::{GaussianStats, frechet_distance};
use oms_pipeline::setup::{SingleSpec, single_model};
use oms_sampler::{GenerateSpec, Sampler, SamplerOptions, generate};
use oms_schedule::{Schedule, Solver, TimeGrid};
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::metric_args::MetricArgs;
use crate::progress::bar;
use crate::sample::read_schedule;

/// Arguments of `label-noise`.
#[derive(clap::Args)]
pub struct LabelNoiseArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Members to study alone (DPM-Solver-2, lambda-uniform, --nfe evaluations).
    #[arg(long, value_delimiter = ',', default_value = "xs,s,m-cos-v")]
    models: Vec<String>,
    /// Extra schedule files.
    #[arg(long, value_delimiter = ',')]
    schedules: Vec<PathBuf>,
    /// NFE of the single-model schedules.
    #[arg(long, default_value_t = 10)]
    nfe: usize,
    /// Noise banks (seeds 0..banks).
    #[arg(long, default_value_t = 5)]
    banks: u64,
    /// Sample counts (prefixes of the largest).
    #[arg(long, value_delimiter = ',', default_value = "500,1000,2000,5000")]
    ns: Vec<usize>,
    #[command(flatten)]
    metric: MetricArgs,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: LabelNoiseArgs, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let mut named: Vec<(String, Schedule)> = vec![];
    for m in &args.models {
        let spec = SingleSpec {
            solver: Solver::DpmSolver,
            order: 2,
            nfe: args.nfe,
            grid: TimeGrid::UniformLambda,
            t_end: None,
        };
        let schedule = single_model(&manifest, m, &spec)?;
        named.push((format!("{m} alone, {} NFE", args.nfe), schedule));
    }
    for p in &args.schedules {
        named.push((p.display().to_string(), read_schedule(p)?));
    }
    let n_max = *args.ns.iter().max().context("--ns is empty")?;
    if named.len() < 2 {
        bail!("give at least two schedules to rank");
    }
    let net = args.metric.classifier(device)?;
    let reference = args.metric.reference(&net, device)?;
    // fd[schedule][bank][n index]
    let mut fd = vec![vec![vec![0.0; args.ns.len()]; args.banks as usize]; named.len()];
    for (si, (name, schedule)) in named.iter().enumerate() {
        schedule.validate(&manifest.model_infos())?;
        let used: Vec<&str> = schedule.nfe_models().collect();
        let zoo = manifest.build_members(device, &used)?;
        let sampler = Sampler::new(&zoo, SamplerOptions::default());
        for bank in 0..args.banks {
            let pb = bar(
                (n_max.div_ceil(250) * schedule.nfe()) as u64,
                &format!("{si}/{bank}"),
            );
            let spec = GenerateSpec {
                n: n_max,
                batch: 250,
                shape: manifest.image_shape,
                seed: bank,
            };
            let values = generate(&sampler, schedule, &spec, device, &mut |k| pb.inc(k as u64))?;
            pb.finish_and_clear();
            let feats = all_features(&net, &to_u8(&values), n_max, 500, device);
            for (ni, &n) in args.ns.iter().enumerate() {
                let stats = GaussianStats::from_features(&feats[..n * net.dim()], net.dim())?;
                fd[si][bank as usize][ni] = frechet_distance(&stats, &reference.stats)?;
            }
            println!(
                "{name}, bank {bank}: FD at n = {:?}: {:?}",
                args.ns, fd[si][bank as usize]
            );
        }
    }
    let md = markdown(&named, &fd, &args.ns);
    write_atomic(&args.out.join("label-noise.md"), md.as_bytes())?;
    let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "label-noise", "schedules": names, "ns": args.ns, "banks": args.banks,
        "fd": fd, "protocol_hash": reference.protocol.hash(), "device": format!("{device:?}")}),
    )?;
    print!("{md}");
    Ok(())
}

fn markdown(named: &[(String, Schedule)], fd: &[Vec<Vec<f64>>], ns: &[usize]) -> String {
    let mut md = String::from("| schedule |");
    for n in ns {
        let _ = write!(md, " FD at n = {n} |");
    }
    md.push_str("\n|---|");
    md.push_str(&"---|".repeat(ns.len()));
    md.push('\n');
    for (si, (name, _)) in named.iter().enumerate() {
        let _ = write!(md, "| {name} |");
        for ni in 0..ns.len() {
            let v: Vec<f64> = fd[si].iter().map(|b| b[ni]).collect();
            let (mean, std) = mean_std(&v);
            let _ = write!(md, " {mean:.3} ± {std:.3} |");
        }
        md.push('\n');
    }
    md.push_str("\nBanks whose ranking of the schedules equals the ranking by the mean over banks:\n\n| n | agreeing banks |\n|---|---|\n");
    for (ni, n) in ns.iter().enumerate() {
        let order = |vals: Vec<f64>| {
            let mut idx: Vec<usize> = (0..vals.len()).collect();
            idx.sort_by(|a, b| vals[*a].total_cmp(&vals[*b]));
            idx
        };
        let banks = fd[0].len();
        let means: Vec<f64> = (0..named.len())
            .map(|si| fd[si].iter().map(|b| b[ni]).sum::<f64>() / banks as f64)
            .collect();
        let reference = order(means);
        let agree = (0..banks)
            .filter(|&b| order((0..named.len()).map(|si| fd[si][b][ni]).collect()) == reference)
            .count();
        let _ = writeln!(md, "| {n} | {agree} / {banks} |");
    }
    md.push_str(&paired_markdown(named, fd, ns));
    md
}

/// Standard deviation of the FD difference of two schedules scored on the same bank, against
/// the value for independent banks (`sqrt(var_a + var_b)`): how much a shared bank helps.
fn paired_markdown(named: &[(String, Schedule)], fd: &[Vec<Vec<f64>>], ns: &[usize]) -> String {
    let std = |v: &[f64]| mean_std(v).1;
    let mut md = String::from(
        "\nSpread of FD differences, same bank vs independent banks:\n\n| pair | n | same bank | independent |\n|---|---|---|---|\n",
    );
    for a in 0..named.len() {
        for b in a + 1..named.len() {
            for (ni, n) in ns.iter().enumerate() {
                let col = |s: usize| fd[s].iter().map(|bank| bank[ni]).collect::<Vec<f64>>();
                let (va, vb) = (col(a), col(b));
                let diff: Vec<f64> = va.iter().zip(&vb).map(|(x, y)| x - y).collect();
                let indep = (std(&va).powi(2) + std(&vb).powi(2)).sqrt();
                let _ = writeln!(
                    md,
                    "| {} - {} | {n} | {:.2} | {:.2} |",
                    named[a].0,
                    named[b].0,
                    std(&diff),
                    indep
                );
            }
        }
    }
    md
}

/// Mean and sample standard deviation (n - 1 in the denominator, at least 1).
fn mean_std(v: &[f64]) -> (f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0).max(1.0);
    (mean, var.sqrt())
}
