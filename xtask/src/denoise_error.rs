//! `cargo xtask denoise-error`: each member's denoising error at fixed noise levels on held-out
//! images (oms_pipeline::denoise_error): where along the noise axis a cheap member is nearly as
//! good as an expensive one, and where a member cannot find the noise near the data.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{PlotText, Series, read_images, write_atomic, write_json, write_plot};
use oms_data::{Dataset, DatasetKind, Split};
use oms_pipeline::denoise_error::{CleanImages, check_levels, markdown, member_errors, summarise};
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::progress::bar;

/// Arguments of `denoise-error`.
#[derive(clap::Args)]
pub struct DenoiseErrorArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Members to measure (default: all, in manifest order).
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// The member the others are compared with, image by image (default: the last measured).
    #[arg(long)]
    reference: Option<String>,
    /// Noise levels as lambda = log(alpha / sigma), half the log-SNR (default: the noisiest level
    /// every measured member was trained at, then every multiple of 0.5 above it up to 4.5; the
    /// default sampling grids end at lambda 4.56, t = 1e-3 of the linear VP schedule).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    lambdas: Vec<f64>,
    /// Held-out images: the first N of the test split (or of --images).
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Seed of the noise (image i at level k uses stream (i << 20) | k).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Images per forward.
    #[arg(long, default_value_t = 250)]
    batch: usize,
    /// Dataset whose test split is noised.
    #[arg(long, default_value = "fashion-mnist")]
    dataset: DatasetKind,
    /// Data root (see `cargo xtask data`).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// Your own held-out images instead (uint8 `.npy` / `.npz` or a folder of PNG / JPEG files
    /// of the zoo's image shape).
    #[arg(long)]
    images: Option<PathBuf>,
    /// Output folder: denoise-error.md, denoise-error.png / .svg, summary.json.
    #[arg(long)]
    out: PathBuf,
}

/// Clean images in `[-1, 1]` of the zoo's shape, `n` of them.
fn clean_images(args: &DenoiseErrorArgs, shape: [usize; 3]) -> Result<Vec<f32>> {
    let per: usize = shape.iter().product();
    let (pixels, source) = match &args.images {
        Some(path) => {
            let im = read_images(path)?;
            if im.pixels.len() != im.count() * per {
                bail!(
                    "{}: images of shape {:?}, the zoo's are {shape:?} ([C, H, W]): give images of the zoo's shape",
                    path.display(),
                    &im.shape[1..]
                );
            }
            (im.pixels, path.display().to_string())
        }
        None => {
            let d = Dataset::load(&args.data, args.dataset, Split::Test)?;
            if d.rows * d.cols != per {
                bail!(
                    "the {} test split has {}x{} images, the zoo's shape is {shape:?}: pass --dataset or --images",
                    args.dataset.dir_name(),
                    d.rows,
                    d.cols
                );
            }
            (d.images, format!("{} test split", args.dataset.dir_name()))
        }
    };
    let have = pixels.len() / per;
    if args.n == 0 || args.n > have {
        bail!("--n {} but {source} holds {have} images", args.n);
    }
    Ok(pixels[..args.n * per]
        .iter()
        .map(|&p| p as f32 / 127.5 - 1.0)
        .collect())
}

/// The noisiest level every member was trained at, then every multiple of 0.5 above it up to
/// 4.5.
fn default_levels(lambda_mins: &[f64]) -> Vec<f64> {
    let start = lambda_mins.iter().copied().fold(-8.0, f64::max);
    let mut levels = vec![start];
    levels.extend(
        ((2.0 * start).floor() as i64 + 1..=9)
            .map(|k| k as f64 / 2.0)
            .filter(|&l| l > start),
    );
    levels
}

/// Runs the command.
pub fn run(args: DenoiseErrorArgs, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let names: Vec<String> = if args.models.is_empty() {
        manifest.names()
    } else {
        args.models.clone()
    };
    let reference = args
        .reference
        .clone()
        .unwrap_or_else(|| names.last().cloned().unwrap_or_default());
    let ref_index = names
        .iter()
        .position(|n| *n == reference)
        .with_context(|| {
            format!("--reference '{reference}' is not among the measured members {names:?}")
        })?;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let zoo = manifest.build_members(device, &refs)?;
    let lambdas: Vec<f64> = if args.lambdas.is_empty() {
        default_levels(
            &names
                .iter()
                .map(|n| zoo.get(n).expect("built above").convention().lambda_min())
                .collect::<Vec<_>>(),
        )
    } else {
        args.lambdas.clone()
    };
    for name in &names {
        check_levels(name, zoo.get(name).expect("built above"), &lambdas)?;
    }
    let pixels = clean_images(&args, manifest.image_shape)?;
    let images = CleanImages {
        pixels: &pixels,
        shape: manifest.image_shape,
    };
    let mut errors = vec![];
    for name in &names {
        let per_level = args.n.div_ceil(args.batch.max(1));
        let pb = bar((per_level * lambdas.len()) as u64, name);
        let model = zoo.get(name).expect("built above");
        let e = member_errors(
            model,
            images,
            &lambdas,
            args.seed,
            args.batch,
            device,
            &mut || pb.inc(1),
        )
        .with_context(|| format!("member '{name}' of {}", args.zoo.display()))?;
        pb.finish_and_clear();
        errors.push(e);
    }
    let members = summarise(&names, &errors, &lambdas, ref_index);
    let md = markdown(&members, &reference);
    let series: Vec<Series> = members
        .iter()
        .map(|m| Series {
            name: m.name.clone(),
            points: m
                .levels
                .iter()
                .map(|l| (l.sigma_over_alpha, l.eps_mse.mean))
                .collect(),
            line: true,
        })
        .collect();
    let text = PlotText {
        title: "Denoising error by noise level (held-out images)",
        x: "noise level sigma / alpha = exp(-lambda)",
        y: "noise-prediction MSE",
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    write_plot(
        &series,
        &text,
        &args.out.join("denoise-error.png"),
        &args.out.join("denoise-error.svg"),
    )?;
    let title = format!(
        "# Denoising error by noise level\n\nZoo `{}`, {} held-out images ({}), noise seed {}.\n\n",
        args.zoo.display(),
        args.n,
        args.images
            .as_ref()
            .map_or(format!("{} test split", args.dataset.dir_name()), |p| p
                .display()
                .to_string()),
        args.seed
    );
    write_atomic(
        &args.out.join("denoise-error.md"),
        format!("{title}{md}").as_bytes(),
    )?;
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "denoise-error", "zoo": args.zoo, "n": args.n, "seed": args.seed,
        "images": args.images, "dataset": args.dataset.dir_name(), "lambdas": lambdas,
        "reference": reference, "members": members, "device": format!("{device:?}")}),
    )?;
    print!("{md}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::default_levels;

    #[test]
    fn default_levels_start_where_every_member_was_trained() {
        let l = default_levels(&[-4.778, -5.2]);
        assert_eq!(l.len(), 20, "{l:?}");
        assert_eq!((l[0], l[1], l[19]), (-4.778, -4.5, 4.5));
        assert_eq!(default_levels(&[-4.5])[..2], [-4.5, -4.0]);
    }
}
