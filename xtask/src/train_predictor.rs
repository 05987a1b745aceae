//! `cargo xtask train-predictor`: train the schedule-quality predictor on a label file and report
//! held-out Kendall tau-b, Spearman rho and top-10% precision; optionally a learning curve.

use oms_pipeline::objective::Objective;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Result, bail};
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_pipeline::labels::{label_source, read_label_sets};
use oms_pipeline::predictor::{HeldOut, Split, SplitConfig, encoding_spec, fit, split, throughput};
use oms_predictor::{
    EncoderKind, EncodingSpec, Loss, NetConfig, Predictor, PredictorInfo, TrainConfig,
};
use oms_schedule::{NoiseSchedule, NoiseSpec};
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::progress::bar;

/// Arguments of `train-predictor`.
#[derive(clap::Args)]
pub struct TrainPredictorArgs {
    /// Label files (`cargo xtask dataset`), comma-separated; all must share n, noise seed set,
    /// metric and zoo.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = crate::defaults::LABELS
    )]
    labels: Vec<PathBuf>,
    /// Zoo manifest (model ids follow its order).
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Sequence encoder: lstm (reference), lstm-joint (the reference plus each step's lambda
    /// interval and the solver) or mlp.
    #[arg(long, default_value = "lstm")]
    encoder: EncoderKind,
    /// Loss: rank (pairwise hinge) or mse.
    #[arg(long, default_value = "rank")]
    loss: Loss,
    /// Most epochs.
    #[arg(long, default_value_t = 1000)]
    epochs: usize,
    /// What the predictor ranks and verification picks by: worse-of-fd-kid (each metric
    /// standardised over the labels, the worse of the two) or fd (the reference method).
    #[arg(long, default_value = "worse-of-fd-kid")]
    objective: Objective,
    /// Early-stopping patience in epochs.
    #[arg(long, default_value_t = 150)]
    patience: usize,
    /// Mini-batch size.
    #[arg(long, default_value_t = 512)]
    batch: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Seed of the split, initialisation and batches.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Share of labels held out for the reported metrics (never trained or early-stopped on).
    #[arg(long, default_value_t = 0.25)]
    test_frac: f64,
    /// Share of the rest used for early stopping.
    #[arg(long, default_value_t = 0.25)]
    val_frac: f64,
    /// Train on at most this many labels.
    #[arg(long)]
    train_limit: Option<usize>,
    /// Also train on these numbers of labels (a learning curve on the same held-out set).
    #[arg(long, value_delimiter = ',')]
    curve: Vec<usize>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: TrainPredictorArgs, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let records = read_label_sets(&args.labels, &manifest)?;
    let source = label_source(&args.labels);
    if records.len() < 20 {
        bail!(
            "{source} holds {} labels; train on at least 20 (make more with `cargo xtask dataset`)",
            records.len()
        );
    }
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
    let spec = encoding_spec(&records, &manifest, &noise);
    let split_config = SplitConfig {
        seed: args.seed,
        test_frac: args.test_frac,
        val_frac: args.val_frac,
        objective: args.objective,
    };
    let split = split(&records, &spec, &noise, &source, split_config)?;
    let loss = args.loss;
    let net_config = NetConfig {
        encoder: args.encoder,
        n_models: spec.models.len(),
    };
    let config = TrainConfig {
        loss,
        lr: args.lr,
        batch: args.batch,
        epochs: args.epochs,
        patience: args.patience,
        seed: args.seed,
    };
    let mut curve = vec![];
    let kinds = (&net_config, &config, &spec);
    for &n in &args.curve {
        let m = fit_with_bar(kinds, &split, Some(n), device)?.1;
        println!("{n} labels: held-out tau {:.3}", m.kendall_tau_b);
        curve.push(m);
    }
    let (net, metrics) = fit_with_bar(kinds, &split, args.train_limit, device)?;
    let predictor = Predictor::new(
        PredictorInfo {
            format_version: oms_predictor::file::FORMAT_VERSION,
            net: net_config,
            spec: spec.clone(),
            noise: NoiseSpec::linear_vp(),
            train: config,
            labels: source.clone(),
            metrics: serde_json::to_value(&metrics)?,
        },
        net,
    )?;
    predictor.save(&args.out)?;
    let speed = throughput(&predictor, &split, device);
    let md = markdown(&args, &metrics, &curve, speed);
    write_atomic(&args.out.join("predictor.md"), md.as_bytes())?;
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "train-predictor", "labels": args.labels, "encoder": args.encoder.name(),
        "loss": args.loss.name(), "seed": args.seed, "held_out": metrics, "curve": curve,
        "scores_per_second": speed, "device": format!("{device:?}")}),
    )?;
    print!("{md}");
    Ok(())
}

/// [`fit`] with a progress bar.
fn fit_with_bar(
    (net_config, config, spec): (&NetConfig, &TrainConfig, &EncodingSpec),
    split: &Split,
    limit: Option<usize>,
    device: &Device,
) -> Result<(oms_predictor::PredictorNet, HeldOut)> {
    let n = limit.unwrap_or(usize::MAX).min(split.train.len());
    let pb = bar(config.epochs as u64, &format!("{n} labels"));
    let fitted = fit(net_config, config, spec, split, limit, device, &mut |e| {
        pb.set_position(e.epoch as u64);
        pb.set_message(format!("tau {:.3}", e.val_tau));
    })?;
    pb.finish_and_clear();
    Ok(fitted)
}

fn markdown(args: &TrainPredictorArgs, m: &HeldOut, curve: &[HeldOut], speed: f64) -> String {
    let mut md = format!(
        "Predictor ({} encoder, {} loss) on {}\n\n| train labels | held-out labels | Kendall tau-b | Spearman rho | top-10% precision | best epoch | seconds |\n|---|---|---|---|---|---|---|\n",
        args.encoder,
        args.loss,
        label_source(&args.labels)
    );
    for row in curve.iter().chain(std::iter::once(m)) {
        let _ = writeln!(
            md,
            "| {} | {} | {:.3} | {:.3} | {:.2} | {} | {:.0} |",
            row.train_labels,
            row.test_labels,
            row.kendall_tau_b,
            row.spearman_rho,
            row.top10_precision,
            row.best_epoch,
            row.train_seconds
        );
    }
    let _ = writeln!(
        md,
        "\nInference: {speed:.0} schedules per second (batches of 4096)."
    );
    md
}
