//! `cargo xtask metrics-sanity`: the metric's sanity table (FD and KID of the test split, of
//! corrupted test images and of the other dataset against the train reference), feature
//! throughput, and FD timings at 64 and 2048 dimensions. Writes `metrics.md` and `summary.json`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_data::{Dataset, DatasetKind, Split};
use oms_metrics::corrupt::{add_noise, box_blur, shuffle_pixels};
use oms_metrics::features::{
    FeatureNet, FeatureSpace, InceptionFeatures, InceptionV3, all_features,
};
use oms_metrics::{GaussianStats, frechet_distance, score_features};
use serde_json::{Value, json};

use crate::metric_args::MetricArgs;

/// Arguments of `metrics-sanity`.
#[derive(clap::Args)]
pub struct SanityArgs {
    #[command(flatten)]
    metric: MetricArgs,
    /// Feature space: the project's CNN or EfficientNet-Lite0 (ImageNet).
    #[arg(long, default_value = "cnn")]
    space: FeatureSpace,
    /// Images of each variant (the first ones of the test split); default all 10,000.
    #[arg(long)]
    n: Option<usize>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: SanityArgs, device: &Device) -> Result<()> {
    let kind = args.metric.dataset;
    let other = if kind == DatasetKind::FashionMnist {
        DatasetKind::Mnist
    } else {
        DatasetKind::FashionMnist
    };
    let net = args.metric.space(args.space, device)?;
    let net = net.as_ref();
    let reference = args.metric.reference(net, device)?;
    let mut test = Dataset::load(&args.metric.data, kind, Split::Test)?;
    let side = test.rows;
    let limit = args.n.unwrap_or(test.len()).min(test.len()) * side * side;
    test.images.truncate(limit);
    let mut other_test = Dataset::load(&args.metric.data, other, Split::Test)?;
    other_test.images.truncate(limit);
    let variants: Vec<(String, Vec<u8>)> = vec![
        ("test split".into(), test.images.clone()),
        ("test + noise 0.05".into(), add_noise(&test.images, 0.05, 1)),
        ("test + noise 0.1".into(), add_noise(&test.images, 0.1, 2)),
        ("test + noise 0.2".into(), add_noise(&test.images, 0.2, 3)),
        ("test blurred 3x3".into(), box_blur(&test.images, side, 1)),
        (
            "test blurred 3x3 twice".into(),
            box_blur(&test.images, side, 2),
        ),
        (
            format!("{} test split", other.dir_name()),
            other_test.images,
        ),
        (
            "test, pixels shuffled".into(),
            shuffle_pixels(&test.images, side, 4),
        ),
    ];
    let mut rows = vec![];
    let mut throughput = 0.0;
    let pb = crate::progress::bar(variants.len() as u64, "rows");
    for (name, images) in &variants {
        let n = images.len() / (side * side);
        let start = Instant::now();
        let feats = all_features(net, images, [1, side, side], n, 500, device);
        throughput = n as f64 / start.elapsed().as_secs_f64();
        let s = score_features(&feats, net.dim(), &reference, 0)?;
        pb.println(format!("{name}: FD {:.3} KID {:.5}", s.fd, s.kid));
        pb.inc(1);
        rows.push(json!({"images": name, "n": n, "fd": s.fd, "kid": s.kid, "kid_std": s.kid_std}));
    }
    pb.finish_and_clear();
    let timings = fd_timings();
    let inception_ips = inception_throughput(device);
    let md = markdown(
        &rows,
        &reference.protocol.hash(),
        net.name(),
        throughput,
        inception_ips,
        &timings,
    );
    write_atomic(&args.out.join("metrics.md"), md.as_bytes())?;
    let summary = json!({"command": "metrics-sanity", "protocol": reference.protocol, "protocol_hash": reference.protocol.hash(),
        "rows": rows, "space": args.space, "images_per_s": throughput, "inception_images_per_s": inception_ips, "fd_timings": timings,
        "device": format!("{device:?}")});
    write_json(&args.out.join("summary.json"), &summary)?;
    print!("{md}");
    Ok(())
}

/// Seconds for statistics of 5000 samples and for the distance itself, at 64 and 2048 dims.
fn fd_timings() -> Value {
    let mut out = vec![];
    for dim in [64usize, 2048] {
        let n = 5000;
        let feats = |seed: u64| -> Vec<f32> {
            (0..n * dim)
                .map(|i| {
                    (((i as u64).wrapping_mul(2654435761).wrapping_add(seed) % 1000) as f32 / 500.0)
                        - 1.0
                })
                .collect()
        };
        let (a, b) = (feats(1), feats(7));
        let t = Instant::now();
        let (sa, sb) = (
            GaussianStats::from_features(&a, dim).expect("stats"),
            GaussianStats::from_features(&b, dim).expect("stats"),
        );
        let stats_s = t.elapsed().as_secs_f64() / 2.0;
        let t = Instant::now();
        let _ = frechet_distance(&sa, &sb).expect("fd");
        let fd_s = t.elapsed().as_secs_f64();
        out.push(json!({"dim": dim, "n": n, "stats_seconds": stats_s, "fd_seconds": fd_s}));
    }
    Value::Array(out)
}

/// Images per second through the FID Inception (random weights: speed does not depend on them).
fn inception_throughput(device: &Device) -> f64 {
    let net = InceptionFeatures {
        net: InceptionV3::new(device),
        sha256: String::new(),
    };
    let [c, h, w] = oms_data::IMAGE_SHAPE;
    let images = vec![100u8; 16 * c * h * w];
    let shape = oms_data::IMAGE_SHAPE;
    let _ = net.features(&images, shape, 16, device);
    let t = Instant::now();
    let _ = net.features(&images, shape, 16, device);
    16.0 / t.elapsed().as_secs_f64()
}

fn markdown(
    rows: &[Value],
    hash: &str,
    net: &str,
    cnn_ips: f64,
    inc_ips: f64,
    timings: &Value,
) -> String {
    let mut md = format!(
        "Reference: train split, features `{net}`, protocol `{hash}`.\n\n| images | n | FD | KID |\n|---|---|---|---|\n"
    );
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {:.3} | {:.5} ± {:.5} |",
            r["images"].as_str().unwrap_or(""),
            r["n"],
            r["fd"].as_f64().unwrap_or(f64::NAN),
            r["kid"].as_f64().unwrap_or(f64::NAN),
            r["kid_std"].as_f64().unwrap_or(f64::NAN)
        );
    }
    let _ = writeln!(
        md,
        "\nFeature throughput: {net} {cnn_ips:.1} images/s; FID Inception-v3 {inc_ips:.1} images/s.\n"
    );
    md.push_str(
        "| feature dim | statistics of 5000 samples | FD from statistics |\n|---|---|---|\n",
    );
    for t in timings.as_array().into_iter().flatten() {
        let _ = writeln!(
            md,
            "| {} | {:.3} s | {:.3} s |",
            t["dim"],
            t["stats_seconds"].as_f64().unwrap_or(f64::NAN),
            t["fd_seconds"].as_f64().unwrap_or(f64::NAN)
        );
    }
    md
}
