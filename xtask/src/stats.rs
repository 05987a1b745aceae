//! `cargo xtask stats`: FID statistics (mean and covariance of features) in pytorch-fid's `.npz`
//! format, of a reference set of the user's (`--images FILE.npy`) or of the dataset reference
//! the other commands use; `fid --reference-stats` reads them back.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use burn::tensor::Device;
use oms_artifacts::{read_images, write_json};
use oms_metrics::features::FeatureSpace;
use oms_metrics::{GaussianStats, write_stats_npz};
use serde_json::json;

use crate::metric_args::{MetricArgs, features_of};

/// Arguments of `stats`.
#[derive(clap::Args)]
pub struct StatsArgs {
    /// Reference images: a uint8 `.npy` (`[N, H, W]` or `[N, H, W, C]`), an `.npz` holding one
    /// such array (or one named `images`), or a folder of PNG / JPEG files of one size; without it, the train split of --dataset as every other command
    /// uses it.
    #[arg(long)]
    images: Option<PathBuf>,
    /// Feature space: the project's CNN, or EfficientNet-Lite0's ImageNet features.
    #[arg(long, default_value = "cnn")]
    space: FeatureSpace,
    /// Use Inception-v3 pool3 features (pytorch-fid's) from this weights file instead.
    #[arg(long)]
    inception: Option<PathBuf>,
    #[command(flatten)]
    metric: MetricArgs,
    /// Output folder: stats.npz (mu, sigma) and summary.json.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: StatsArgs, device: &Device) -> Result<()> {
    let net = args
        .metric
        .feature_net(args.space, args.inception.as_deref(), device)?;
    let start = Instant::now();
    let (stats, source) = match &args.images {
        Some(path) => {
            let images = read_images(path)?;
            let feats = features_of(net.as_ref(), &images, device)
                .with_context(|| path.display().to_string())?;
            let stats = GaussianStats::from_features(&feats, net.dim())?;
            (stats, json!({"images": path, "n": images.count()}))
        }
        None => {
            let reference = args.metric.reference(net.as_ref(), device)?;
            let hash = reference.protocol.hash();
            (
                reference.stats,
                json!({"protocol": reference.protocol, "protocol_hash": hash}),
            )
        }
    };
    let file = args.out.join("stats.npz");
    write_stats_npz(&file, &stats)?;
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "stats", "stats": "stats.npz", "feature_net": net.name(),
            "dim": stats.dim, "count": stats.count, "source": source,
            "seconds": start.elapsed().as_secs_f64(), "device": format!("{device:?}")}),
    )?;
    println!(
        "{} features of {} images via {} -> {}",
        stats.dim,
        stats.count,
        net.name(),
        file.display()
    );
    Ok(())
}
