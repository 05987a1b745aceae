//! `cargo xtask fid`: FD and KID of generated images against a dataset's reference statistics,
//! under the project's CNN features or EfficientNet-Lite0's (`--space`). Either sample with `--zoo` and `--schedule` from a fixed
//! noise bank, or score an existing `--images FILE.npy` (uint8 `[N, 28, 28]`).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{Images, read_images, to_u8, write_images, write_json};
use oms_metrics::features::{FeatureNet, FeatureSpace};
use oms_metrics::score_features;
use oms_sampler::{GenerateSpec, Sampler, SamplerOptions, generate};
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::metric_args::{MetricArgs, features_of};
use crate::progress::bar;
use oms_pipeline::report::read_schedule;

/// Arguments of `fid`.
#[derive(clap::Args)]
pub struct FidArgs {
    /// Zoo manifest (with --schedule).
    #[arg(long, requires = "schedule")]
    zoo: Option<PathBuf>,
    /// Schedule file (with --zoo).
    #[arg(long, requires = "zoo")]
    schedule: Option<PathBuf>,
    /// Score these images instead of sampling: a uint8 `.npy`, an `.npz` array or a folder of
    /// PNG / JPEG files.
    #[arg(long, conflicts_with_all = ["zoo", "schedule"], required_unless_present = "zoo")]
    images: Option<PathBuf>,
    /// Number of images to generate.
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Noise seed set (the seed of every image's initial and solver noise; formerly --bank).
    #[arg(
        long = "seed-set",
        alias = "bank",
        value_name = "SEED_SET",
        default_value_t = 0
    )]
    bank: u64,
    /// Batch size of sampling.
    #[arg(long, default_value_t = 250)]
    batch: usize,
    /// Feature space: the project's CNN, or EfficientNet-Lite0 ImageNet features (weights from
    /// `cargo xtask data`).
    #[arg(long, default_value = "cnn")]
    space: FeatureSpace,
    /// Use Inception-v3 pool3 features (pytorch-fid's FID variant) from this weights file
    /// (pt_inception-2015-12-05-6726825d.pth) instead of --space.
    #[arg(long)]
    inception: Option<PathBuf>,
    /// Compare against these statistics (pytorch-fid's .npz: mu, sigma; `cargo xtask stats`)
    /// instead of the dataset reference: FD only, since KID needs the reference's features.
    /// The file must come from the same feature network.
    #[arg(long)]
    reference_stats: Option<PathBuf>,
    #[command(flatten)]
    metric: MetricArgs,
    /// Also write the generated images as samples.npy.
    #[arg(long)]
    samples: bool,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: FidArgs, device: &Device) -> Result<()> {
    let net = args
        .metric
        .feature_net(args.space, args.inception.as_deref(), device)?;
    let net = net.as_ref();
    if let Some(path) = &args.reference_stats {
        return fid_to_stats(&args, net, path, device);
    }
    let t0 = Instant::now();
    let reference = args.metric.reference(net, device)?;
    let reference_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let (images, schedule) = images_to_score(&args, device)?;
    let sample_s = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let feats = features_of(net, &images, device)?;
    let score = score_features(&feats, net.dim(), &reference, args.bank)?;
    let score_s = t2.elapsed().as_secs_f64();
    if args.samples {
        write_images(&args.out.join("samples.npy"), &images)?;
    }
    let summary = json!({
        "command": "fid",
        "fd": score.fd, "kid": score.kid, "kid_std": score.kid_std, "n": score.n,
        "bank": args.bank,
        "protocol": reference.protocol, "protocol_hash": reference.protocol.hash(),
        "schedule": schedule, "nfe": schedule.as_ref().map(|s: &oms_schedule::Schedule| s.nfe()),
        "images": args.images,
        "seconds": {"reference": reference_s, "sampling": sample_s, "scoring": score_s},
        "device": format!("{device:?}"),
    });
    write_json(&args.out.join("summary.json"), &summary)?;
    println!(
        "FD {:.3}  KID {:.5} ± {:.5}  (n = {}, protocol {} {}/{} via {})",
        score.fd,
        score.kid,
        score.kid_std,
        score.n,
        reference.protocol.hash(),
        reference.protocol.dataset,
        reference.protocol.split,
        net.name()
    );
    Ok(())
}

/// The `--images` file, or samples of `--schedule` (with the schedule).
fn images_to_score(
    args: &FidArgs,
    device: &Device,
) -> Result<(Images, Option<oms_schedule::Schedule>)> {
    Ok(match &args.images {
        Some(path) => (read_images(path)?, None),
        None => {
            let (images, schedule) = sample(args, device)?;
            (images, Some(schedule))
        }
    })
}

/// FD of the images (or samples) against statistics from a file.
fn fid_to_stats(
    args: &FidArgs,
    net: &dyn FeatureNet,
    path: &std::path::Path,
    device: &Device,
) -> Result<()> {
    let reference = oms_metrics::read_stats_npz(path)?;
    if reference.dim != net.dim() {
        bail!(
            "{} holds {}-dimensional statistics, but {} gives {} features; use the statistics of the same feature network",
            path.display(),
            reference.dim,
            net.name(),
            net.dim()
        );
    }
    let (images, schedule) = images_to_score(args, device)?;
    let feats = features_of(net, &images, device)?;
    let stats = oms_metrics::GaussianStats::from_features(&feats, net.dim())?;
    let fd = oms_metrics::frechet_distance(&stats, &reference)?;
    if args.samples {
        write_images(&args.out.join("samples.npy"), &images)?;
    }
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "fid", "fd": fd, "kid": null, "n": images.count(), "bank": args.bank,
            "reference_stats": path, "feature_net": net.name(), "schedule": schedule,
            "images": args.images, "device": format!("{device:?}")}),
    )?;
    println!(
        "FD {fd:.3}  (n = {}, against {} via {})",
        images.count(),
        path.display(),
        net.name()
    );
    Ok(())
}

fn sample(args: &FidArgs, device: &Device) -> Result<(Images, oms_schedule::Schedule)> {
    let (zoo_path, sched_path) = (
        args.zoo.as_ref().expect("clap"),
        args.schedule.as_ref().expect("clap"),
    );
    let manifest = ZooManifest::load(zoo_path)?;
    let schedule = read_schedule(sched_path)?;
    schedule
        .validate(&manifest.model_infos())
        .with_context(|| format!("{}", sched_path.display()))?;
    let used: Vec<&str> = schedule.nfe_models().collect();
    let zoo = manifest.build_members(device, &used)?;
    let sampler = Sampler::new(&zoo, SamplerOptions::default());
    let [c, h, w] = manifest.image_shape;
    let spec = GenerateSpec {
        n: args.n,
        batch: args.batch,
        shape: [c, h, w],
        seed: args.bank,
    };
    let pb = bar((args.n.div_ceil(args.batch) * schedule.nfe()) as u64, "NFE");
    let values = generate(&sampler, &schedule, &spec, device, &mut |k| {
        pb.inc(k as u64)
    })?;
    pb.finish_and_clear();
    Ok((
        Images {
            pixels: to_u8(&values),
            shape: vec![args.n, h, w],
        },
        schedule,
    ))
}
