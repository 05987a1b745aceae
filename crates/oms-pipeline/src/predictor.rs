//! The predictor a search trains when it is given none (method.md section 5): the encoding of
//! the zoo's schedules, the seeded split of the labels, and the training defaults.

use crate::objective::{Objective, Quality};
use std::time::Instant;

use burn::tensor::Device;
use oms_dataset::Record;
use oms_predictor::{
    EncoderKind, EncodingSpec, EpochStats, Example, Loss, NetConfig, Predictor, PredictorInfo,
    PredictorNet, Tokens, TrainConfig, kendall_tau_b, predict, spearman_rho, tokens, top_precision,
    train,
};
use oms_schedule::{NoiseSchedule, NoiseSpec};
use oms_zoo::ZooManifest;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::json;

use crate::{PipelineError, Result};

/// Labels split three ways.
pub struct Split {
    /// Trained on.
    pub train: Vec<Example>,
    /// Early-stopped on.
    pub val: Vec<Example>,
    /// Held out for reported metrics.
    pub test: Vec<Example>,
}

/// How labels are split: a seeded shuffle, then `test_frac` held out and `val_frac` of the rest
/// for early stopping.
#[derive(Debug, Clone, Copy)]
pub struct SplitConfig {
    /// Seed of the shuffle.
    pub seed: u64,
    /// Share held out (never trained or early-stopped on).
    pub test_frac: f64,
    /// Share of the rest used for early stopping.
    pub val_frac: f64,
    /// What the examples' target is (standardised over all `records`).
    pub objective: Objective,
}

impl SplitConfig {
    /// The search's split: nothing held out, a quarter for early stopping, seed 0.
    pub const SEARCH: SplitConfig = SplitConfig {
        seed: 0,
        test_frac: 0.0,
        val_frac: 0.25,
        objective: Objective::WorseOfFdKid,
    };
}

/// The encoding of `manifest`'s schedules: its models, the linear VP lambda range, and room for
/// the longest labelled schedule.
pub fn encoding_spec(
    records: &[Record],
    manifest: &ZooManifest,
    noise: &NoiseSchedule,
) -> EncodingSpec {
    EncodingSpec {
        models: manifest.names(),
        lambda_range: (noise.lambda(1.0), noise.lambda(1e-4)),
        max_steps: records
            .iter()
            .map(|r| r.schedule.steps.len())
            .max()
            .unwrap_or(1),
    }
}

/// The labels as examples, shuffled and split by `config`; `labels` names them in errors.
pub fn split(
    records: &[Record],
    spec: &EncodingSpec,
    noise: &NoiseSchedule,
    labels: &str,
    config: SplitConfig,
) -> Result<Split> {
    let quality = Quality::fit(config.objective, records);
    let mut examples = records
        .iter()
        .map(|r| {
            tokens(&r.schedule, spec, noise)
                .map(|tokens| Example {
                    tokens,
                    fd: quality.of_record(r),
                })
                .map_err(|e| PipelineError::Invalid(format!("label {} of {labels}: {e}", r.id)))
        })
        .collect::<Result<Vec<_>>>()?;
    examples.shuffle(&mut ChaCha8Rng::seed_from_u64(config.seed));
    let n_test = (examples.len() as f64 * config.test_frac).round() as usize;
    let test: Vec<Example> = examples.drain(..n_test).collect();
    let n_val = (examples.len() as f64 * config.val_frac).round() as usize;
    let val: Vec<Example> = examples.drain(..n_val).collect();
    Ok(Split {
        train: examples,
        val,
        test,
    })
}

/// What the search's predictor is: encoder, loss and most epochs.
#[derive(Debug, Clone, Copy)]
pub struct SearchPredictor {
    /// Encoder (reference: LSTM).
    pub encoder: EncoderKind,
    /// Loss (reference: ranking).
    pub loss: Loss,
    /// Most epochs.
    pub epochs: usize,
    /// What it learns to rank.
    pub objective: Objective,
}

impl SearchPredictor {
    /// The training settings: Adam at 1e-3, batches of 512, patience 100, seed 0.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            loss: self.loss,
            lr: 1e-3,
            batch: 512,
            epochs: self.epochs,
            patience: 100,
            seed: 0,
        }
    }
}

/// Trains the predictor a search uses on `records` ([`SplitConfig::SEARCH`]); its
/// `info.metrics` hold the best validation tau and the split sizes. `labels` names the files.
pub fn train_for_search(
    records: &[Record],
    manifest: &ZooManifest,
    labels: &str,
    kind: SearchPredictor,
    device: &Device,
) -> Result<Predictor> {
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
    let spec = encoding_spec(records, manifest, &noise);
    let config = SplitConfig {
        objective: kind.objective,
        ..SplitConfig::SEARCH
    };
    let split = split(records, &spec, &noise, labels, config)?;
    let net_config = NetConfig {
        encoder: kind.encoder,
        n_models: spec.models.len(),
    };
    let config = kind.train_config();
    let (net, history) = train(
        &net_config,
        &config,
        &spec,
        &split.train,
        &split.val,
        device,
        &mut |_| {},
    );
    let best = history
        .iter()
        .map(|h| h.val_tau)
        .fold(f64::NEG_INFINITY, f64::max);
    let info = PredictorInfo {
        format_version: oms_predictor::file::FORMAT_VERSION,
        net: net_config,
        spec,
        noise: NoiseSpec::linear_vp(),
        train: config,
        labels: labels.to_string(),
        metrics: json!({"val_tau": best, "objective": kind.objective, "train_labels": split.train.len(), "val_labels": split.val.len()}),
    };
    Ok(Predictor::new(info, net)?)
}

/// Held-out quality of a predictor trained on part of a [`Split`].
#[derive(Debug, Clone, Serialize)]
pub struct HeldOut {
    /// Labels trained on.
    pub train_labels: usize,
    /// Labels early-stopped on.
    pub val_labels: usize,
    /// Held-out labels the figures below are measured on.
    pub test_labels: usize,
    /// Kendall tau-b of predicted scores against FD.
    pub kendall_tau_b: f64,
    /// Spearman rho of predicted scores against FD.
    pub spearman_rho: f64,
    /// Share of the true best 10% among the predicted best 10%.
    pub top10_precision: f64,
    /// The epoch with the best validation tau (whose weights are kept).
    pub best_epoch: usize,
    /// That validation tau.
    pub val_tau: f64,
    /// Epochs run before early stopping.
    pub epochs_run: usize,
    /// Training wall time.
    pub train_seconds: f64,
}

/// Trains on the first `limit` training labels of `split` (all without one); returns the network
/// and its held-out figures. `on_epoch` sees every epoch.
pub fn fit(
    net_config: &NetConfig,
    config: &TrainConfig,
    spec: &EncodingSpec,
    split: &Split,
    limit: Option<usize>,
    device: &Device,
    on_epoch: &mut dyn FnMut(&EpochStats),
) -> Result<(PredictorNet, HeldOut)> {
    let n = limit.unwrap_or(usize::MAX).min(split.train.len());
    let start = Instant::now();
    let (net, history) = train(
        net_config,
        config,
        spec,
        &split.train[..n],
        &split.val,
        device,
        on_epoch,
    );
    let items: Vec<&Tokens> = split.test.iter().map(|e| &e.tokens).collect();
    let truth: Vec<f64> = split.test.iter().map(|e| e.fd).collect();
    let pred = predict(&net, &items, spec, device, 4096);
    let best = history
        .iter()
        .max_by(|a, b| a.val_tau.total_cmp(&b.val_tau))
        .ok_or_else(|| PipelineError::Invalid("no epoch ran: give at least one epoch".into()))?;
    let held_out = HeldOut {
        train_labels: n,
        val_labels: split.val.len(),
        test_labels: split.test.len(),
        kendall_tau_b: kendall_tau_b(&pred, &truth),
        spearman_rho: spearman_rho(&pred, &truth),
        top10_precision: top_precision(&pred, &truth, 0.1),
        best_epoch: best.epoch,
        val_tau: best.val_tau,
        epochs_run: history.len(),
        train_seconds: start.elapsed().as_secs_f64(),
    };
    Ok((net, held_out))
}

/// Schedules scored per second in batches of 4096 (the held-out and validation sets repeated
/// to 20,000, after one warm-up batch).
pub fn throughput(p: &Predictor, split: &Split, device: &Device) -> f64 {
    let pool: Vec<&Tokens> = split
        .test
        .iter()
        .chain(&split.val)
        .map(|e| &e.tokens)
        .collect();
    let items: Vec<&Tokens> = pool.iter().cycle().take(20_000).copied().collect();
    p.scores(&items[..4096.min(items.len())], device);
    let start = Instant::now();
    p.scores(&items, device);
    items.len() as f64 / start.elapsed().as_secs_f64()
}
