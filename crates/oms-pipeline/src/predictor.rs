//! The predictor a search trains when it is given none (method.md section 5): the encoding of
//! the zoo's schedules, the seeded split of the labels, and the training defaults.

use burn::tensor::Device;
use oms_dataset::Record;
use oms_predictor::{
    EncoderKind, EncodingSpec, Example, Loss, NetConfig, Predictor, PredictorInfo, TrainConfig,
    tokens, train,
};
use oms_schedule::{NoiseSchedule, NoiseSpec};
use oms_zoo::ZooManifest;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
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
}

impl SplitConfig {
    /// The search's split: nothing held out, a quarter for early stopping, seed 0.
    pub const SEARCH: SplitConfig = SplitConfig {
        seed: 0,
        test_frac: 0.0,
        val_frac: 0.25,
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
    let mut examples = records
        .iter()
        .map(|r| {
            tokens(&r.schedule, spec, noise)
                .map(|tokens| Example { tokens, fd: r.fd })
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
    let split = split(records, &spec, &noise, labels, SplitConfig::SEARCH)?;
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
        metrics: json!({"val_tau": best, "train_labels": split.train.len(), "val_labels": split.val.len()}),
    };
    Ok(Predictor::new(info, net)?)
}
