//! `cargo xtask label-noise`: how noisy is a quality label? FD of a few schedules over several
//! noise banks at growing sample counts (each count a prefix of the largest), with the mean and
//! standard deviation over banks and how often the banks agree on the ranking of the schedules.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{to_u8, write_atomic, write_json};
use oms_metrics::features::all_features;
use oms_metrics::{GaussianStats, frechet_distance};
use oms_pipeline::label_noise::markdown;
use oms_pipeline::setup::{SingleSpec, single_model};
use oms_sampler::{GenerateSpec, Sampler, SamplerOptions, generate};
use oms_schedule::{Schedule, Solver, TimeGrid};
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::metric_args::MetricArgs;
use crate::progress::bar;
use oms_pipeline::report::read_schedule;

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
    /// How many noise seed sets (seeds 0..N; formerly --banks).
    #[arg(
        long = "seed-sets",
        alias = "banks",
        value_name = "N",
        default_value_t = 5
    )]
    banks: u64,
    /// Sample counts (prefixes of the largest).
    #[arg(long, value_delimiter = ',', default_value = "500,1000,2000,5000")]
    ns: Vec<usize>,
    /// Feature space of the FD and KID: cnn (the dataset's classifier; 28x28 gray zoos) or
    /// efficientnet (ImageNet features; gray or RGB images of any size).
    #[arg(long, default_value = "cnn")]
    feature_space: oms_metrics::features::FeatureSpace,
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
    let net = args.metric.space(args.feature_space, device)?;
    let net = net.as_ref();
    let reference = args.metric.reference(net, device)?;
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
            let feats = all_features(
                net,
                &to_u8(&values),
                manifest.image_shape,
                n_max,
                500,
                device,
            );
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
    let names: Vec<String> = named.iter().map(|(n, _)| n.clone()).collect();
    let md = markdown(&names, &fd, &args.ns);
    write_atomic(&args.out.join("label-noise.md"), md.as_bytes())?;
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "label-noise", "schedules": names, "ns": args.ns, "banks": args.banks,
        "fd": fd, "protocol_hash": reference.protocol.hash(), "device": format!("{device:?}")}),
    )?;
    print!("{md}");
    Ok(())
}
