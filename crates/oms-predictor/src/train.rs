//! Training a predictor: Adam, seeded mini-batches, early stopping on validation Kendall tau
//! (method.md section 4), and batched inference.

use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::batch::TokenBatch;
use crate::encode::{EncodingSpec, Tokens};
use crate::loss::{Loss, loss};
use crate::net::{NetConfig, PredictorNet};
use crate::rank::kendall_tau_b;

/// How a predictor is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Loss.
    pub loss: Loss,
    /// Adam learning rate (reference 1e-3).
    pub lr: f64,
    /// Schedules per mini-batch (reference 512).
    pub batch: usize,
    /// Most epochs (reference 1000).
    pub epochs: usize,
    /// Stop after this many epochs without a better validation tau.
    pub patience: usize,
    /// Seed of initialisation, batch order and pair sampling.
    pub seed: u64,
}

/// A labelled schedule.
#[derive(Debug, Clone)]
pub struct Example {
    /// The schedule's tokens.
    pub tokens: Tokens,
    /// Its FD.
    pub fd: f64,
}

/// One epoch of training.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochStats {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss.
    pub loss: f64,
    /// Kendall tau-b on the validation set.
    pub val_tau: f64,
}

/// Scores of `items` (lower = better), in chunks of `chunk` schedules.
pub fn predict(
    net: &PredictorNet,
    items: &[&Tokens],
    spec: &EncodingSpec,
    device: &Device,
    chunk: usize,
) -> Vec<f64> {
    // Chunks of similar length pad less: score in order of length, then restore the order.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| items[i].steps.len());
    let mut out = vec![0.0; items.len()];
    for idx in order.chunks(chunk.max(1)) {
        let part: Vec<&Tokens> = idx.iter().map(|&i| items[i]).collect();
        let b = TokenBatch::new(&part, spec, device);
        let s = net.forward(&b).into_data().convert::<f32>();
        for (&i, &v) in idx.iter().zip(s.as_slice::<f32>().expect("f32 scores")) {
            out[i] = v as f64;
        }
    }
    out
}

/// Trains on `train`, keeps the weights of the best validation tau. `on_epoch` sees each epoch.
pub fn train(
    net_config: &NetConfig,
    config: &TrainConfig,
    spec: &EncodingSpec,
    train: &[Example],
    val: &[Example],
    device: &Device,
    on_epoch: &mut dyn FnMut(&EpochStats),
) -> (PredictorNet, Vec<EpochStats>) {
    let ad = device.clone().autodiff();
    ad.seed(config.seed);
    let mut net = net_config.init(&ad);
    let mut optim = AdamConfig::new().init();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let fds: Vec<f64> = train.iter().map(|e| e.fd).collect();
    let mean = fds.iter().sum::<f64>() / fds.len().max(1) as f64;
    let std = (fds.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / fds.len().max(1) as f64)
        .sqrt()
        .max(1e-9);
    let val_tokens: Vec<&Tokens> = val.iter().map(|e| &e.tokens).collect();
    let val_fd: Vec<f64> = val.iter().map(|e| e.fd).collect();
    let mut order: Vec<usize> = (0..train.len()).collect();
    let (mut best, mut best_tau, mut best_epoch) = (net.valid(), f64::NEG_INFINITY, 0);
    let mut history = vec![];
    for epoch in 1..=config.epochs {
        order.shuffle(&mut rng);
        let (mut total, mut batches) = (0.0, 0);
        for idx in order.chunks(config.batch.max(2)) {
            let items: Vec<&Tokens> = idx.iter().map(|&i| &train[i].tokens).collect();
            let fd: Vec<f64> = idx.iter().map(|&i| train[i].fd).collect();
            let scores = net.forward(&TokenBatch::new(&items, spec, &ad));
            let Some(l) = loss(config.loss, scores, &fd, (mean, std), &mut rng) else {
                continue;
            };
            total += l.clone().into_scalar::<f64>();
            batches += 1;
            let grads = GradientsParams::from_grads(l.backward(), &net);
            net = optim.step(config.lr, net, grads);
        }
        let valid = net.valid();
        let scores = predict(&valid, &val_tokens, spec, device, 4096);
        let tau = kendall_tau_b(&scores, &val_fd);
        let stats = EpochStats {
            epoch,
            loss: total / batches.max(1) as f64,
            val_tau: tau,
        };
        on_epoch(&stats);
        history.push(stats);
        if tau > best_tau {
            (best, best_tau, best_epoch) = (valid, tau, epoch);
        } else if epoch - best_epoch > config.patience {
            break;
        }
    }
    (best, history)
}
