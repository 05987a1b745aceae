//! `cargo xtask train-classifier`: train the CNN feature network on a dataset's train split and
//! write `<dataset>.safetensors` plus a record with its test accuracy to `--out`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use burn::tensor::Device;
use oms_data::{Dataset, DatasetKind, Split};
use oms_metrics::features::ClassifierConfig;
use oms_train::{ClassifierRecipe, train_classifier};
use oms_zoo::checkpoint::{file_sha256, save_weights};
use serde_json::json;

use crate::progress::bar;

/// Arguments of `train-classifier`.
#[derive(clap::Args)]
pub struct TrainClassifierArgs {
    /// Dataset: fashion-mnist or mnist.
    #[arg(long, default_value = "fashion-mnist")]
    dataset: DatasetKind,
    /// Data root.
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// Output folder.
    #[arg(long, default_value = "assets/classifier")]
    out: PathBuf,
    /// Epochs.
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    /// Seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// Runs the command.
pub fn run(args: TrainClassifierArgs, device: &Device) -> Result<()> {
    let kind = args.dataset;
    let train = Dataset::load(&args.data, kind, Split::Train)?;
    let test = Dataset::load(&args.data, kind, Split::Test)?;
    let config = ClassifierConfig::new();
    let recipe = ClassifierRecipe {
        epochs: args.epochs,
        batch: 128,
        lr: 1e-3,
        seed: args.seed,
    };
    let pb = bar(
        (args.epochs * (train.len() / recipe.batch)) as u64,
        "classifier",
    );
    let start = Instant::now();
    let (net, accuracy) = train_classifier(
        &config,
        &recipe,
        &train,
        &test,
        device,
        &mut |step, steps, loss| {
            pb.set_position(step as u64);
            pb.set_message(format!("loss {loss:.3}"));
            if pb.is_hidden() && step.is_multiple_of(100) {
                eprintln!("step {step}/{steps} loss {loss:.3}");
            }
        },
    );
    pb.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    let path = args.out.join(format!("{}.safetensors", args.dataset));
    std::fs::create_dir_all(&args.out)?;
    save_weights(&net, &path)?;
    let sha = file_sha256(&path)?;
    let record = json!({
        "dataset": args.dataset.dir_name(),
        "command": format!("cargo xtask train-classifier --dataset {} --epochs {} --seed {}", args.dataset, args.epochs, args.seed),
        "config": config,
        "recipe": recipe,
        "test_accuracy": accuracy,
        "train_seconds": seconds,
        "sha256": sha,
        "device": format!("{device:?}"),
    });
    oms_artifacts::write_json(&args.out.join(format!("{}.json", args.dataset)), &record)?;
    println!(
        "{}: test accuracy {:.4} after {} epochs ({:.0} s) -> {}",
        args.dataset,
        accuracy,
        args.epochs,
        seconds,
        path.display()
    );
    Ok(())
}
